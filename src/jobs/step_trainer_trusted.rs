//! step_trainer_trusted: DISTINCT step-trainer readings whose serial number belongs to a curated
//! customer. Serial numbers were once reused across customers, so nothing assumes they are unique.

use std::time::Instant;

use super::landing_run::LandingRun;
use super::tables::{read_table, FilterCounts};
use crate::error::Result;
use crate::jobs::{JobOptions, JobReport, Lake};
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
    let mut run = LandingRun::start(lake, "step_trainer_trusted", "step_trainer", options)?;
    let (mut landed, rejected) = run.read(options, &counts, &|batch| {
        let (kept, nulls, misses) = curated.filter(batch, &["serialNumber"])?;
        counts.add([nulls, misses]);
        Ok(kept)
    })?;
    let [null_keys, unmatched] = counts.get();
    let (kept, duplicates) = pool::install(|| distinct(&landed.schema, &landed.batches))?;
    // Only the distinct rows are needed from here on.
    landed.batches = Vec::new();
    let (trusted, already) = run.write_trusted(&landed.schema, kept, true)?;
    let mut filtered = vec![
        ("null serialNumber".into(), null_keys),
        ("no curated customer".into(), unmatched),
        ("duplicate row".into(), duplicates),
    ];
    if run.is_incremental() {
        filtered.push(("already in the trusted table".into(), already));
    }
    let mut report =
        JobReport::from_landing("step_trainer_trusted", &landed.stats, filtered, vec![trusted, rejected], started);
    run.annotate(&mut report);
    Ok(report)
}
