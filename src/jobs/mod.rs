//! The lakehouse jobs, composed from landing, kernels and storage. Pure Rust, so each job is
//! testable without Python; the drivers in `scripts/` call them through the bindings.

pub mod customer_landing_to_trusted;
pub mod lake;
pub mod output;
pub mod report;

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
}

/// The STEDI jobs, in the order they run.
pub const STEDI_JOBS: [&str; 1] = ["customer_landing_to_trusted"];

/// Run the STEDI job `name` on `lake`.
///
/// # Errors
/// [`Error::InvalidArgument`] for an unknown job; whatever the job reports otherwise.
pub fn run_job(name: &str, lake: &Lake, options: &JobOptions) -> Result<JobReport> {
    match name {
        "customer_landing_to_trusted" => customer_landing_to_trusted::run(lake, options),
        other => Err(Error::InvalidArgument(format!("unknown job {other}; known jobs: {}", STEDI_JOBS.join(", ")))),
    }
}
