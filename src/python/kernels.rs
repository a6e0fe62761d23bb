//! Kernels on any Arrow table that comes in through the PyCapsule interface.

use pyo3::prelude::*;
use pyo3_arrow::PyTable;
use rayon::prelude::*;

use super::errors::IntoPyResult;
use super::table::ArrowTable;
use crate::error::Result;
use crate::{kernels, pool};

/// Keep the rows whose `column` is present and non-zero.
#[pyfunction]
#[pyo3(signature = (table, column="shareWithResearchAsOfDate"))]
pub fn consent_filter(py: Python<'_>, table: PyTable, column: &str) -> PyResult<ArrowTable> {
    let (batches, schema) = table.into_inner();
    let kept = py
        .detach(|| {
            pool::install(|| batches.par_iter().map(|b| kernels::consent_filter(b, column)).collect::<Result<Vec<_>>>())
        })
        .into_py_result()?;
    Ok(ArrowTable::new(schema, kept))
}
