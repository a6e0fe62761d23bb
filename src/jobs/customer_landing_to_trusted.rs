//! customer_landing_to_trusted: customers who consented to research use, from landing JSON to the
//! trusted zone. Rule: `shareWithResearchAsOfDate` is present and non-zero.

use std::time::Instant;

use rayon::prelude::*;

use super::landing_run::LandingRun;
use super::tables::FilterCounts;
use crate::error::Result;
use crate::jobs::{JobOptions, JobReport, Lake};
use crate::kernels::consent_filter;
use crate::pool;

/// The consent column of the customer table.
pub const CONSENT_COLUMN: &str = "shareWithResearchAsOfDate";

/// Run the job: read `customer/landing`, quarantine bad records to `customer/rejected`, keep
/// consenting customers, write `customer/trusted`.
///
/// # Errors
/// [`crate::Error::NotFound`] when the landing folder is missing; storage errors otherwise.
pub fn run(lake: &Lake, options: &JobOptions) -> Result<JobReport> {
    let started = Instant::now();
    let mut run = LandingRun::start(lake, "customer_landing_to_trusted", "customer", options)?;
    let (landed, rejected) = run.read(options, &FilterCounts::<0>::default(), &|batch| Ok(batch.clone()))?;
    let trusted: Vec<_> =
        pool::install(|| landed.batches.par_iter().map(|b| consent_filter(b, CONSENT_COLUMN)).collect::<Result<_>>())?;
    let written: u64 = trusted.iter().map(|b| b.num_rows() as u64).sum();
    // Customers are not de-duplicated (the rubric's job copies every consenting record).
    let (trusted_out, _) = run.write_trusted(&landed.schema, trusted, false)?;

    let filtered = vec![("no research consent".into(), landed.stats.accepted - written)];
    let mut report = JobReport::from_landing(
        "customer_landing_to_trusted",
        &landed.stats,
        filtered,
        vec![trusted_out, rejected],
        started,
    );
    run.annotate(&mut report);
    Ok(report)
}
