//! The demo-data generator.

use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::core::storage::Location;
use crate::stedi::generate::{generate_stedi as generate, replicate_stedi as replicate, StediSpec};

/// Write STEDI landing data for `customers` customers under `lake`; the same seed gives the same
/// files.
#[pyfunction]
#[pyo3(signature = (lake, *, customers=1000, seed=0, overwrite=false))]
pub fn generate_stedi(
    py: Python<'_>,
    lake: String,
    customers: usize,
    seed: u64,
    overwrite: bool,
) -> PyResult<Bound<'_, PyDict>> {
    let spec = StediSpec { customers, seed, overwrite };
    let out = py.detach(|| {
        let root = Location::parse(&lake)?;
        generate(root.local_path("the generator")?, &spec)
    })?;
    let dict = PyDict::new(py);
    dict.set_item("customers", out.customers)?;
    dict.set_item("consenting_customers", out.consenting_customers)?;
    dict.set_item("accelerometer", out.accelerometer)?;
    dict.set_item("step_trainer", out.step_trainer)?;
    dict.set_item("files", out.files)?;
    dict.set_item("bytes", out.bytes)?;
    Ok(dict)
}

/// Write `replicas` copies of the STEDI landing data under `source` into `lake`: replica k renames
/// every customer and serial number and shifts every time by k days, so every count is exactly
/// `replicas` times the original's.
#[pyfunction]
pub fn replicate_stedi(py: Python<'_>, source: String, lake: String, replicas: u32) -> PyResult<Bound<'_, PyDict>> {
    let out = py.detach(|| {
        let source = Location::parse(&source)?;
        let lake = Location::parse(&lake)?;
        replicate(source.local_path("replication")?, lake.local_path("replication")?, replicas)
    })?;
    let dict = PyDict::new(py);
    dict.set_item("files", out.files)?;
    dict.set_item("bytes", out.bytes)?;
    Ok(dict)
}
