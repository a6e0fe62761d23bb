//! The STEDI application: the lakehouse's five jobs, each described once ([`jobs`], in the
//! vocabulary of [`plan`]) and run by an engine — the local one here ([`execute`]), or Spark
//! (`glueless.spark`), which receives the same descriptions —, with what only this lake has: its
//! consent rules ([`consent`]), the catalog's schema history of its landing tables, job bookmarks,
//! the Athena DDL of its zones ([`table_ddl`]), the data generators ([`generate`]) and the reviews
//! gold layer's query ([`gold`]). Built on the core and the runtime; nothing there knows STEDI.

pub(crate) mod bookmark;
pub(crate) mod consent;
pub(crate) mod execute;
pub(crate) mod generate;
pub(crate) mod gold;
pub(crate) mod jobs;
pub(crate) mod lake;
pub(crate) mod landing_run;
pub(crate) mod output;
pub(crate) mod plan;
pub(crate) mod report;
pub(crate) mod schema_history;
pub(crate) mod table_ddl;
pub(crate) mod tables;

pub(crate) use jobs::STEDI_JOBS;
pub(crate) use lake::Lake;
pub(crate) use plan::JobPlan;
pub(crate) use report::{JobReport, OutputInfo, OutputRole};

use crate::error::{Error, Result};

/// Options every STEDI job takes.
#[derive(Debug, Clone, Default)]
pub(crate) struct JobOptions {
    /// Consent-dated, same-customer rules instead of the published rubric's.
    pub(crate) strict: bool,
    /// Landing reader limits.
    pub(crate) landing: crate::core::json::LandingOptions,
    /// Landing → trusted jobs take only the landing files their table's bookmark does not name
    /// and append to it (Glue's job bookmarks); the curated jobs always rebuild.
    pub(crate) incremental: bool,
}

/// Run the STEDI job `name` on `lake`.
///
/// # Errors
/// [`Error::InvalidArgument`] for an unknown job; whatever the job reports otherwise.
pub(crate) fn run_job(name: &str, lake: &Lake, options: &JobOptions) -> Result<JobReport> {
    let plan = jobs::plan(name, options.strict)?;
    let _lock = job_lock(lake, name)?;
    let report = execute::run(&plan, lake, options)?;
    table_ddl::write_job_ddl(lake, &report, table_ddl::STEDI_DATABASE)?;
    Ok(report)
}

/// Two runs of one job on a local lake: the second fails at once (S3 commits are optimistic).
///
/// # Errors
/// [`Error::Conflict`] when another run holds the lock.
pub(crate) fn job_lock(lake: &Lake, job: &str) -> Result<Option<crate::core::storage::lock::LocalLock>> {
    match lake.root() {
        crate::core::storage::Location::Local(root) if root.is_dir() => {
            Ok(Some(crate::core::storage::lock::LocalLock::acquire(root, job)?))
        }
        _ => Ok(None),
    }
}

/// The error of a job whose output would hold a column its plan forbids (personal data).
fn forbidden_column(plan: &JobPlan, column: &str) -> Error {
    Error::InvalidArgument(format!("{} would hold personal data ({column})", plan.job))
}
