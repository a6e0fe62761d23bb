//! The local engine: runs a [`JobPlan`] on this machine. It picks the fused way to run each
//! shape of plan — filters inside the landing decode ([`landing_job`]), in-memory steps over
//! tables ([`table_job`]), a join streamed row group by row group into the writer
//! ([`streamed_join`]) — but every rule and reason comes from the plan.

mod filters;
mod landing_job;
mod streamed_join;
mod table_job;

use std::time::Instant;

use super::plan::{JobPlan, Source, Step};
use super::report::JobReport;
use super::{JobOptions, Lake};
use crate::error::{Error, Result};

/// Run `plan` on `lake`.
///
/// # Errors
/// [`Error::Unsupported`] for a plan shape the local engine has no way to run; whatever the job
/// reports otherwise.
pub(crate) fn run(plan: &JobPlan, lake: &Lake, options: &JobOptions) -> Result<JobReport> {
    let started = Instant::now();
    let mut report = match (&plan.source, plan.steps.first()) {
        (Source::Landing { table }, _) => landing_job::run(plan, table, lake, options)?,
        (Source::Table { .. }, Some(Step::Join { .. })) => streamed_join::run(plan, lake)?,
        (Source::Table { .. }, _) => table_job::run(plan, lake)?,
    };
    report.seconds = started.elapsed().as_secs_f64();
    Ok(report)
}

/// The report's `filtered`: the plan's reasons with the counts the run gathered for them.
fn filtered(plan: &JobPlan, appending: bool, counts: &[u64]) -> Result<Vec<(String, u64)>> {
    let reasons = plan.reasons(appending);
    if reasons.len() != counts.len() {
        return Err(Error::InvalidArgument(format!(
            "{}: {} counts for {} reasons ({})",
            plan.job,
            counts.len(),
            reasons.len(),
            reasons.join(", ")
        )));
    }
    Ok(reasons.into_iter().map(String::from).zip(counts.iter().copied()).collect())
}

fn unsupported(plan: &JobPlan, step: &Step) -> Error {
    Error::Unsupported(format!("{}: the local engine cannot run a {} step in this position", plan.job, step.kind()))
}
