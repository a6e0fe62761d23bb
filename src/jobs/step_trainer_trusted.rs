//! step_trainer_trusted: DISTINCT step-trainer readings whose serial number belongs to a curated
//! customer. Serial numbers were once reused across customers, so nothing assumes they are unique.

use std::time::Instant;

use super::tables::{read_landing_filtered, read_table, FilterCounts};
use crate::error::Result;
use crate::jobs::{output, JobOptions, JobReport, Lake};
use crate::kernels::{distinct, JoinInput, SemiJoinFilter};
use crate::pool;

/// Run the job.
///
/// # Errors
/// [`crate::Error::MissingInput`] when customer/curated is missing; storage errors otherwise.
pub fn run(lake: &Lake, options: &JobOptions) -> Result<JobReport> {
    let started = Instant::now();
    let customers = read_table(lake, "customer", "curated", "customer_trusted_to_curated", &["serialNumber"])?;
    let curated = SemiJoinFilter::new(JoinInput {
        schema: &customers.schema,
        batches: &customers.batches,
        keys: &["serialNumber"],
    })?;
    // Readings are filtered as each landing chunk is decoded, so only kept rows stay in memory.
    let counts = FilterCounts::<2>::default();
    let (landed, rejected) = read_landing_filtered(lake, "step_trainer", options, &|batch| {
        let (kept, nulls, misses) = curated.filter(batch, &["serialNumber"])?;
        counts.add([nulls, misses]);
        Ok(kept)
    })?;
    let [null_keys, unmatched] = counts.get();
    let (kept, duplicates) = pool::install(|| distinct(&landed.schema, &landed.batches))?;
    let trusted =
        output::replace_table("step_trainer/trusted", &lake.zone("step_trainer", "trusted"), &landed.schema, &kept)?;
    let filtered = vec![
        ("null serialNumber".into(), null_keys),
        ("no curated customer".into(), unmatched),
        ("duplicate row".into(), duplicates),
    ];
    Ok(JobReport::from_landing("step_trainer_trusted", &landed.stats, filtered, vec![trusted, rejected], started))
}
