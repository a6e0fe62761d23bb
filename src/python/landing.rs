//! `read_landing`: landing JSON → an Arrow table, the quarantine and the counts.

use pyo3::prelude::*;

use super::table::ArrowTable;
use crate::core::json::{self, rejected_schema, LandingOptions, LandingOutput, LandingSchema};
use crate::core::storage::{objects, Location};

/// What reading a landing folder gave.
#[pyclass(module = "glueless", name = "LandingResult", frozen)]
pub(crate) struct LandingResult {
    output: LandingOutput,
}

#[pymethods]
impl LandingResult {
    /// The accepted records as a typed table.
    #[getter]
    fn table(&self) -> ArrowTable {
        ArrowTable::new(self.output.schema.clone(), self.output.batches.clone())
    }

    /// The quarantined records: source_file, line_number, reason, raw_line.
    #[getter]
    fn rejected(&self) -> ArrowTable {
        ArrowTable::new(rejected_schema(), self.output.rejected.clone())
    }

    /// Counts: files, empty_files, bytes (uncompressed), stored_bytes, compressed_files, records,
    /// accepted, quarantined.
    #[getter]
    fn stats(&self) -> LandingStatsSummary {
        let s = &self.output.stats;
        LandingStatsSummary {
            files: s.files,
            empty_files: s.empty_files,
            bytes: s.bytes,
            stored_bytes: s.stored_bytes,
            compressed_files: s.compressed_files,
            records: s.records,
            accepted: s.accepted,
            quarantined: s.quarantined,
        }
    }

    fn __repr__(&self) -> String {
        let s = &self.output.stats;
        format!("LandingResult(records={}, accepted={}, quarantined={})", s.records, s.accepted, s.quarantined)
    }
}

/// A location argument: a `str` URL or an `os.PathLike`.
pub(crate) struct LocationArg(pub String);

impl<'a, 'py> FromPyObject<'a, 'py> for LocationArg {
    type Error = PyErr;

    fn extract(ob: Borrowed<'a, 'py, PyAny>) -> PyResult<Self> {
        if let Ok(text) = ob.extract::<String>() {
            return Ok(Self(text));
        }
        let path: std::path::PathBuf = ob.extract()?;
        Ok(Self(path.to_string_lossy().into_owned()))
    }
}

/// Read landing NDJSON from a folder or a single file, local or on S3.
#[pyfunction]
#[pyo3(signature = (path, table=None, *, chunk_bytes=None, max_record_bytes=None))]
pub(crate) fn read_landing(
    py: Python<'_>,
    path: LocationArg,
    table: Option<String>,
    chunk_bytes: Option<usize>,
    max_record_bytes: Option<usize>,
) -> PyResult<LandingResult> {
    let mut options = LandingOptions::default();
    if let Some(n) = chunk_bytes {
        options.chunk_bytes = n.max(1);
    }
    if let Some(n) = max_record_bytes {
        options.max_record_bytes = n;
    }
    let output = py.detach(|| {
        let location = Location::parse(&path.0)?;
        let files = match objects::file_info(&location)? {
            Some(file) => vec![file],
            None => objects::list_files(&location)?,
        };
        let schema = table.as_deref().and_then(LandingSchema::known);
        json::read_files(&files, schema.as_ref(), &options)
    })?;
    Ok(LandingResult { output })
}

/// A landing read's counts as Python sees them (a dict): `records == accepted + quarantined`.
#[derive(IntoPyObject)]
pub(crate) struct LandingStatsSummary {
    files: u64,
    empty_files: u64,
    bytes: u64,
    stored_bytes: u64,
    compressed_files: u64,
    records: u64,
    accepted: u64,
    quarantined: u64,
}
