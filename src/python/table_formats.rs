//! The Python side's table formats (`glueless.table_formats.TableFormats`: pyiceberg's catalog
//! commit and delta-rs's log commit), installed into the core so jobs write Iceberg and Delta
//! tables with the Parquet files they write themselves.

use std::sync::Arc;

use pyo3::prelude::*;
use pyo3_arrow::PySchema;

use crate::core::storage::table_format::{self, CommitMode, Snapshot, TableCommit, TableCommitter, TableFormat};
use crate::core::storage::{FileEntry, Location};
use crate::error::{Error, Result};

/// A Python object with `require(format)`, `commit(format, table, name, schema, files, mode,
/// properties)` and `snapshot(format, table) -> (files, properties)`.
struct PythonTableFormats(Py<PyAny>);

/// The Python exception as a core error of the matching kind, its message kept (one line).
fn core_error(py: Python<'_>, err: PyErr, op: &'static str, table: &Location) -> Error {
    let message = err.value(py).to_string();
    let class = err.get_type(py).name().map(|n| n.to_string()).unwrap_or_default();
    match class.as_str() {
        "ConflictError" => Error::Conflict(message),
        "InvalidArgumentError" => Error::InvalidArgument(message),
        "UnsupportedError" => Error::Unsupported(message),
        _ => Error::Storage { op, url: table.to_string(), reason: message },
    }
}

impl TableCommitter for PythonTableFormats {
    fn commit(&self, commit: &TableCommit<'_>) -> Result<()> {
        Python::attach(|py| {
            let call = || -> PyResult<()> {
                // The format's extra (and pyarrow with it) first: the schema crosses over as pyarrow's.
                self.0.call_method1(py, "require", (commit.format.as_str(),))?;
                let schema = PySchema::new(commit.schema.clone()).into_pyarrow(py)?;
                let files: Vec<(String, u64, u64)> =
                    commit.files.iter().map(|f| (f.location.to_string(), f.size, f.rows)).collect();
                let mode = match commit.mode {
                    CommitMode::Overwrite => "overwrite",
                    CommitMode::Append => "append",
                };
                let properties = commit.properties.map(ToString::to_string);
                let table = commit.table.to_string();
                self.0.call_method1(
                    py,
                    "commit",
                    (commit.format.as_str(), table, commit.name, schema, files, mode, properties),
                )?;
                Ok(())
            };
            call().map_err(|e| core_error(py, e, "committing", commit.table))
        })
    }

    fn snapshot(&self, format: TableFormat, table: &Location) -> Result<Snapshot> {
        Python::attach(|py| {
            let (files, properties): (Vec<(String, u64, i64)>, Option<String>) = self
                .0
                .call_method1(py, "snapshot", (format.as_str(), table.to_string()))
                .and_then(|r| r.extract(py))
                .map_err(|e| core_error(py, e, "reading", table))?;
            let files = files
                .into_iter()
                .map(|(url, size, modified_ms)| Ok(FileEntry { location: Location::parse(&url)?, size, modified_ms }))
                .collect::<Result<_>>()?;
            let properties = properties.map(|p| serde_json::from_str(&p)).transpose().map_err(|e| Error::Storage {
                op: "reading",
                url: table.to_string(),
                reason: e.to_string(),
            })?;
            Ok(Snapshot { files, properties })
        })
    }
}

/// Commit and read Iceberg and Delta tables through `formats`.
#[pyfunction]
pub(crate) fn install_table_formats(formats: Py<PyAny>) {
    table_format::install(Arc::new(PythonTableFormats(formats)));
}
