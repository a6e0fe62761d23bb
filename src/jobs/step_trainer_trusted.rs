//! step_trainer_trusted: DISTINCT step-trainer readings whose serial number belongs to a curated
//! customer. Serial numbers were once reused across customers, so nothing assumes they are unique.

use std::time::Instant;

use super::tables::{read_landing, read_table};
use crate::error::Result;
use crate::jobs::{output, JobOptions, JobReport, Lake};
use crate::kernels::{distinct, semi_join, JoinInput};
use crate::pool;

/// Run the job.
///
/// # Errors
/// [`crate::Error::MissingInput`] when customer/curated is missing; storage errors otherwise.
pub fn run(lake: &Lake, options: &JobOptions) -> Result<JobReport> {
    let started = Instant::now();
    let customers = read_table(lake, "customer", "curated", "customer_trusted_to_curated", &["serialNumber"])?;
    let (landed, rejected) = read_landing(lake, "step_trainer", options)?;
    let (out, (kept, duplicates)) = pool::install(|| -> Result<_> {
        let out = semi_join(
            JoinInput { schema: &landed.schema, batches: &landed.batches, keys: &["serialNumber"] },
            JoinInput { schema: &customers.schema, batches: &customers.batches, keys: &["serialNumber"] },
        )?;
        let distinct_rows = distinct(&landed.schema, &out.batches)?;
        Ok((out, distinct_rows))
    })?;
    let trusted =
        output::replace_table("step_trainer/trusted", &lake.zone("step_trainer", "trusted"), &landed.schema, &kept)?;
    let filtered = vec![
        ("null serialNumber".into(), out.null_keys),
        ("no curated customer".into(), out.unmatched),
        ("duplicate row".into(), duplicates),
    ];
    Ok(JobReport::from_landing("step_trainer_trusted", &landed.stats, filtered, vec![trusted, rejected], started))
}
