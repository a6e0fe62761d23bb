//! `read_parquet` / `write_parquet`: a folder of Parquet files, local or on S3, as one table.

use pyo3::prelude::*;
use pyo3_arrow::PyTable;

use super::landing::LocationArg;
use super::table::ArrowTable;
use crate::core::storage::Location;
use crate::error::Error;
use crate::stedi::{output, tables};

/// Read the committed Parquet files of a folder (local path, file://, s3:// or s3a://).
#[pyfunction]
#[pyo3(signature = (location, columns=None))]
pub(crate) fn read_parquet(
    py: Python<'_>,
    location: LocationArg,
    columns: Option<Vec<String>>,
) -> PyResult<ArrowTable> {
    let table = py.detach(|| {
        let folder = Location::parse(&location.0)?;
        let names: Option<Vec<&str>> = columns.as_ref().map(|c| c.iter().map(String::as_str).collect());
        let table = tables::read_parquet_folder(&folder, names.as_deref())?
            .ok_or_else(|| Error::NotFound { what: "Parquet files in", path: folder.to_string() })?;
        if let Some(names) = &names {
            if let Some(missing) = names.iter().find(|n| table.schema.field_with_name(n).is_err()) {
                return Err(Error::InvalidArgument(format!("{folder} has no column {missing}")));
            }
        }
        Ok(table)
    })?;
    Ok(ArrowTable::new(table.schema, table.batches))
}

/// Replace the content of a folder with `table` as Parquet (zstd), atomically: a reader sees the
/// previous files or the new ones. Returns rows, files and bytes written.
#[pyfunction]
pub(crate) fn write_parquet(py: Python<'_>, location: LocationArg, table: PyTable) -> PyResult<ParquetWritten> {
    let (batches, schema) = table.into_inner();
    let info = py.detach(|| {
        let folder = Location::parse(&location.0)?;
        let target = output::Target {
            table: folder.name().to_string(),
            location: folder,
            format: Some(crate::core::storage::TableFormat::Parquet),
        };
        output::replace_table(&target, &schema, &batches)
    })?;
    Ok(ParquetWritten { location: info.location, rows: info.rows, files: info.files, bytes: info.bytes })
}

/// A folder of Parquet written (a dict).
#[derive(IntoPyObject)]
pub(crate) struct ParquetWritten {
    location: String,
    rows: u64,
    files: u64,
    bytes: u64,
}

/// The number of rows of the committed Parquet files of a folder, from their footers.
#[pyfunction]
pub(crate) fn parquet_rows(py: Python<'_>, location: LocationArg) -> PyResult<u64> {
    py.detach(|| {
        let folder = Location::parse(&location.0)?;
        let files = crate::core::storage::committed_files(&folder)?;
        files
            .iter()
            .filter(|f| f.name().ends_with(".parquet"))
            .map(crate::core::storage::parquet_file::row_count)
            .sum::<crate::error::Result<u64>>()
    })
    .map_err(PyErr::from)
}
