//! Running the STEDI jobs; the run summary comes back as a dict.

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

use super::errors::IntoPyResult;
use crate::jobs::{self, JobOptions, JobReport, Lake};
use crate::storage::TableFormat;

/// Run one STEDI job on the lake at `lake` and return its run summary.
#[pyfunction]
#[pyo3(signature = (job, lake, *, strict=false, max_record_bytes=None, incremental=false, format=None))]
pub fn run_job(
    py: Python<'_>,
    job: String,
    lake: String,
    strict: bool,
    max_record_bytes: Option<usize>,
    incremental: bool,
    format: Option<String>,
) -> PyResult<Bound<'_, PyDict>> {
    let format = format.map(|f| f.parse::<TableFormat>()).transpose().into_py_result()?;
    let mut options = JobOptions { strict, incremental, ..JobOptions::default() };
    if let Some(n) = max_record_bytes {
        options.landing.max_record_bytes = n;
    }
    let report =
        py.detach(|| jobs::run_job(&job, &Lake::open(&lake)?.with_format(format), &options)).into_py_result()?;
    report_dict(py, &report)
}

fn report_dict<'py>(py: Python<'py>, report: &JobReport) -> PyResult<Bound<'py, PyDict>> {
    let dict = PyDict::new(py);
    dict.set_item("job", &report.job)?;
    dict.set_item("read", report.read)?;
    dict.set_item("quarantined", report.quarantined)?;
    let filtered = PyDict::new(py);
    for (reason, count) in &report.filtered {
        filtered.set_item(reason, count)?;
    }
    dict.set_item("filtered", filtered)?;
    dict.set_item("matched", report.matched)?;
    dict.set_item("written", report.written)?;
    dict.set_item("bytes_read", report.bytes_read)?;
    dict.set_item("stored_bytes_read", report.stored_bytes_read)?;
    dict.set_item("compressed_files", report.compressed_files)?;
    dict.set_item("empty_files", report.empty_files)?;
    let outputs = PyList::empty(py);
    for out in &report.outputs {
        let o = PyDict::new(py);
        o.set_item("table", &out.table)?;
        o.set_item("location", &out.location)?;
        o.set_item("rows", out.rows)?;
        o.set_item("table_rows", out.table_rows)?;
        o.set_item("files", out.files)?;
        o.set_item("bytes", out.bytes)?;
        outputs.append(o)?;
    }
    dict.set_item("outputs", outputs)?;
    dict.set_item("seconds", report.seconds)?;
    dict.set_item("incremental", report.incremental)?;
    dict.set_item("files_skipped", report.files_skipped)?;
    dict.set_item("schema_version", report.schema_version)?;
    dict.set_item("schema_change", &report.schema_change)?;
    dict.set_item("balanced", report.balanced())?;
    Ok(dict)
}
