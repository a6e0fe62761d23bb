//! The demo-data generator.

use pyo3::prelude::*;

use crate::core::storage::Location;
use crate::stedi::generate::{generate_stedi as generate, replicate_stedi as replicate, StediSpec};

/// Write STEDI landing data for `customers` customers under `lake`; the same seed gives the same
/// files.
#[pyfunction]
#[pyo3(signature = (lake, *, customers=1000, seed=0, overwrite=false))]
pub(crate) fn generate_stedi(
    py: Python<'_>,
    lake: String,
    customers: usize,
    seed: u64,
    overwrite: bool,
) -> PyResult<GeneratedSummary> {
    let spec = StediSpec { customers, seed, overwrite };
    let out = py.detach(|| {
        let root = Location::parse(&lake)?;
        generate(root.local_path("the generator")?, &spec)
    })?;
    Ok(GeneratedSummary {
        customers: out.customers,
        consenting_customers: out.consenting_customers,
        accelerometer: out.accelerometer,
        step_trainer: out.step_trainer,
        files: out.files,
        bytes: out.bytes,
    })
}

/// What the generator wrote, as Python sees it (a dict).
#[derive(IntoPyObject)]
pub(crate) struct GeneratedSummary {
    customers: u64,
    consenting_customers: u64,
    accelerometer: u64,
    step_trainer: u64,
    files: u64,
    bytes: u64,
}

/// Files and bytes written (a dict).
#[derive(IntoPyObject)]
pub(crate) struct FilesWritten {
    files: u64,
    bytes: u64,
}

/// Write `replicas` copies of the STEDI landing data under `source` into `lake`: replica k renames
/// every customer and serial number and shifts every time by k days, so every count is exactly
/// `replicas` times the original's.
#[pyfunction]
pub(crate) fn replicate_stedi(py: Python<'_>, source: String, lake: String, replicas: u32) -> PyResult<FilesWritten> {
    let out = py.detach(|| {
        let source = Location::parse(&source)?;
        let lake = Location::parse(&lake)?;
        replicate(source.local_path("replication")?, lake.local_path("replication")?, replicas)
    })?;
    Ok(FilesWritten { files: out.files, bytes: out.bytes })
}
