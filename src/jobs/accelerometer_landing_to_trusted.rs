//! accelerometer_landing_to_trusted: readings of consenting customers, from landing JSON to the
//! trusted zone. Default: DISTINCT readings whose `user` is a customer_trusted email. Strict: and
//! taken at or after that customer's consent time.

use std::time::Instant;

use super::tables::{read_landing, read_table};
use crate::error::Result;
use crate::jobs::{output, JobOptions, JobReport, Lake};
use crate::kernels::{consent_dated_filter, distinct, semi_join, JoinInput};
use crate::pool;

/// Run the job.
///
/// # Errors
/// [`crate::Error::MissingInput`] when customer/trusted is missing; storage errors otherwise.
pub fn run(lake: &Lake, options: &JobOptions) -> Result<JobReport> {
    let started = Instant::now();
    let customers = read_table(
        lake,
        "customer",
        "trusted",
        "customer_landing_to_trusted",
        &["email", "shareWithResearchAsOfDate"],
    )?;
    let (landed, rejected) = read_landing(lake, "accelerometer", options)?;
    let mut filtered = Vec::new();
    let (kept, duplicates) = pool::install(|| -> Result<_> {
        let kept = if options.strict {
            let out = consent_dated_filter(
                &landed.batches,
                "user",
                "timestamp",
                &customers.batches,
                "email",
                "shareWithResearchAsOfDate",
            )?;
            filtered.push(("null user or timestamp".to_string(), out.null_keys));
            filtered.push(("no consenting customer".to_string(), out.no_consent));
            filtered.push(("before consent".to_string(), out.before_consent));
            out.batches
        } else {
            let out = semi_join(
                JoinInput { schema: &landed.schema, batches: &landed.batches, keys: &["user"] },
                JoinInput { schema: &customers.schema, batches: &customers.batches, keys: &["email"] },
            )?;
            filtered.push(("null user".to_string(), out.null_keys));
            filtered.push(("no consenting customer".to_string(), out.unmatched));
            out.batches
        };
        distinct(&landed.schema, &kept)
    })?;
    filtered.push(("duplicate row".to_string(), duplicates));
    let trusted =
        output::replace_table("accelerometer/trusted", &lake.zone("accelerometer", "trusted"), &landed.schema, &kept)?;
    Ok(JobReport::from_landing(
        "accelerometer_landing_to_trusted",
        &landed.stats,
        filtered,
        vec![trusted, rejected],
        started,
    ))
}
