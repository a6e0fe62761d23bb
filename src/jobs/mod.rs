//! The lakehouse jobs, composed from landing, kernels and storage. Pure Rust, so each job is
//! testable without Python; the drivers in `scripts/` call them through the bindings.

pub mod accelerometer_landing_to_trusted;
pub mod bookmark;
pub mod catalog;
pub mod customer_landing_to_trusted;
pub mod customer_trusted_to_curated;
pub mod gold;
pub mod lake;
pub mod landing_run;
pub mod machine_learning_curated;
pub mod output;
pub mod report;
pub mod schema_history;
pub mod step_trainer_trusted;
pub mod tables;

pub use lake::Lake;
pub use report::{JobReport, OutputInfo};

use crate::error::{Error, Result};

/// Options every STEDI job takes.
#[derive(Debug, Clone, Default)]
pub struct JobOptions {
    /// Consent-dated, same-customer rules instead of the published rubric's.
    pub strict: bool,
    /// Landing reader limits.
    pub landing: crate::landing::LandingOptions,
    /// Landing → trusted jobs take only the landing files their table's bookmark does not name
    /// and append to it (Glue's job bookmarks); the curated jobs always rebuild.
    pub incremental: bool,
}

/// The STEDI jobs, in the order they run.
pub const STEDI_JOBS: [&str; 5] = [
    "customer_landing_to_trusted",
    "accelerometer_landing_to_trusted",
    "customer_trusted_to_curated",
    "step_trainer_trusted",
    "machine_learning_curated",
];

/// Run the STEDI job `name` on `lake`.
///
/// # Errors
/// [`Error::InvalidArgument`] for an unknown job; whatever the job reports otherwise.
pub fn run_job(name: &str, lake: &Lake, options: &JobOptions) -> Result<JobReport> {
    if !STEDI_JOBS.contains(&name) {
        return Err(Error::InvalidArgument(format!("unknown job {name}; known jobs: {}", STEDI_JOBS.join(", "))));
    }
    // Two runs of one job on a local lake: the second fails at once (S3 commits are optimistic).
    let _lock = match lake.root() {
        crate::storage::Location::Local(root) if root.is_dir() => {
            Some(crate::storage::lock::LocalLock::acquire(root, name)?)
        }
        _ => None,
    };
    let report = match name {
        "customer_landing_to_trusted" => customer_landing_to_trusted::run(lake, options),
        "accelerometer_landing_to_trusted" => accelerometer_landing_to_trusted::run(lake, options),
        "customer_trusted_to_curated" => customer_trusted_to_curated::run(lake, options),
        "step_trainer_trusted" => step_trainer_trusted::run(lake, options),
        "machine_learning_curated" => machine_learning_curated::run(lake, options),
        other => Err(Error::InvalidArgument(format!("unknown job {other}; known jobs: {}", STEDI_JOBS.join(", ")))),
    }?;
    catalog::write_job_ddl(lake, &report, catalog::STEDI_DATABASE)?;
    Ok(report)
}
