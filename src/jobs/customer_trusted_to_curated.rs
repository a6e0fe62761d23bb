//! customer_trusted_to_curated: DISTINCT trusted customers who have accelerometer readings in the
//! trusted zone (in strict mode those readings are already consent-dated, so this follows).

use std::time::Instant;

use super::tables::{read_table, read_table_projected};
use crate::error::Result;
use crate::jobs::{output, JobOptions, JobReport, Lake};
use crate::kernels::{distinct, semi_join, JoinInput};
use crate::pool;

/// Run the job.
///
/// # Errors
/// [`crate::Error::MissingInput`] when an input table is missing; storage errors otherwise.
pub fn run(lake: &Lake, _options: &JobOptions) -> Result<JobReport> {
    let started = Instant::now();
    let customers = read_table(lake, "customer", "trusted", "customer_landing_to_trusted", &["email"])?;
    // Only the key column of the (large) readings table is needed.
    let readings =
        read_table_projected(lake, "accelerometer", "trusted", "accelerometer_landing_to_trusted", &["user"])?;
    let (out, (kept, duplicates)) = pool::install(|| -> Result<_> {
        let out = semi_join(
            JoinInput { schema: &customers.schema, batches: &customers.batches, keys: &["email"] },
            JoinInput { schema: &readings.schema, batches: &readings.batches, keys: &["user"] },
        )?;
        let distinct_rows = distinct(&customers.schema, &out.batches)?;
        Ok((out, distinct_rows))
    })?;
    let curated = output::replace_table(&lake.output("customer", "curated"), &customers.schema, &kept)?;
    Ok(JobReport {
        job: "customer_trusted_to_curated".into(),
        read: customers.rows(),
        filtered: vec![
            ("null email".into(), out.null_keys),
            ("no accelerometer readings".into(), out.unmatched),
            ("duplicate row".into(), duplicates),
        ],
        written: curated.rows,
        outputs: vec![curated],
        seconds: started.elapsed().as_secs_f64(),
        ..JobReport::default()
    })
}
