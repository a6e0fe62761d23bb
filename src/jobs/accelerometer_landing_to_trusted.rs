//! accelerometer_landing_to_trusted: readings of consenting customers, from landing JSON to the
//! trusted zone. Default: DISTINCT readings whose `user` is a customer_trusted email. Strict: and
//! taken at or after that customer's consent time.

use std::time::Instant;

use super::landing_run::LandingRun;
use super::tables::{read_table, FilterCounts};
use crate::error::Result;
use crate::jobs::{JobOptions, JobReport, Lake};
use crate::kernels::{distinct, ConsentDates, JoinInput, SemiJoinFilter};
use crate::pool;

const CONSENT: &str = "shareWithResearchAsOfDate";

/// Run the job.
///
/// # Errors
/// [`crate::Error::MissingInput`] when customer/trusted is missing; storage errors otherwise.
pub fn run(lake: &Lake, options: &JobOptions) -> Result<JobReport> {
    let started = Instant::now();
    let customers = read_table(lake, "customer", "trusted", "customer_landing_to_trusted", &["email", CONSENT])?;
    // Readings are filtered as each landing chunk is decoded, so only kept rows stay in memory.
    // [null key, no consenting customer, before consent]
    let counts = FilterCounts::<3>::default();
    let mut run = LandingRun::start(lake, "accelerometer_landing_to_trusted", "accelerometer", options)?;
    let (mut landed, rejected) = if options.strict {
        let dates = ConsentDates::new(&customers.batches, "email", CONSENT)?;
        run.read(options, &counts, &|batch| {
            let (kept, left_out) = dates.filter(batch, "user", "timestamp")?;
            counts.add(left_out);
            Ok(kept)
        })?
    } else {
        let consenting = SemiJoinFilter::new(JoinInput {
            schema: &customers.schema,
            batches: &customers.batches,
            keys: &["email"],
        })?;
        run.read(options, &counts, &|batch| {
            let (kept, null_keys, unmatched) = consenting.filter(batch, &["user"])?;
            counts.add([null_keys, unmatched, 0]);
            Ok(kept)
        })?
    };
    let [null_keys, no_consent, before] = counts.get();
    let mut filtered = vec![
        ((if options.strict { "null user or timestamp" } else { "null user" }).to_string(), null_keys),
        ("no consenting customer".to_string(), no_consent),
    ];
    if options.strict {
        filtered.push(("before consent".to_string(), before));
    }
    let (kept, duplicates) = pool::install(|| distinct(&landed.schema, &landed.batches))?;
    // Only the distinct rows are needed from here on.
    landed.batches = Vec::new();
    filtered.push(("duplicate row".to_string(), duplicates));
    let (trusted, already) = run.write_trusted(&landed.schema, kept, true)?;
    if run.is_incremental() {
        filtered.push(("already in the trusted table".to_string(), already));
    }
    let mut report = JobReport::from_landing(
        "accelerometer_landing_to_trusted",
        &landed.stats,
        filtered,
        vec![trusted, rejected],
        started,
    );
    run.annotate(&mut report);
    Ok(report)
}
