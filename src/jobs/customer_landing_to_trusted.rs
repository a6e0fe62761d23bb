//! customer_landing_to_trusted: customers who consented to research use, from landing JSON to the
//! trusted zone. Rule: `shareWithResearchAsOfDate` is present and non-zero.

use std::time::Instant;

use rayon::prelude::*;

use super::tables::read_landing;
use crate::error::Result;
use crate::jobs::{output, JobOptions, JobReport, Lake};
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
    let (landed, rejected) = read_landing(lake, "customer", options)?;
    let trusted: Vec<_> =
        pool::install(|| landed.batches.par_iter().map(|b| consent_filter(b, CONSENT_COLUMN)).collect::<Result<_>>())?;
    let written: u64 = trusted.iter().map(|b| b.num_rows() as u64).sum();
    let trusted_out =
        output::replace_table("customer/trusted", &lake.zone("customer", "trusted"), &landed.schema, &trusted)?;

    let filtered = vec![("no research consent".into(), landed.stats.accepted - written)];
    Ok(JobReport::from_landing(
        "customer_landing_to_trusted",
        &landed.stats,
        filtered,
        vec![trusted_out, rejected],
        started,
    ))
}
