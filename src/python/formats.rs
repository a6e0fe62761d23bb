//! The format vocabulary for Python: file formats, table formats and the formats a catalog may
//! name that glueless does not read, so the shims spell none of them.

use pyo3::prelude::*;

use crate::core::formats::{FileFormat, TableFormat, UNREAD_FORMATS};

/// Every file format's name (`json`, `csv`, `parquet`).
pub(crate) fn file_formats() -> Vec<&'static str> {
    FileFormat::ALL.iter().map(|f| f.name()).collect()
}

/// Every name a file format is read by: the names and their aliases (`glueparquet`).
pub(crate) fn file_format_names() -> Vec<&'static str> {
    FileFormat::all_names().collect()
}

/// Every table format's name, the default (`parquet`) first.
pub(crate) fn table_formats() -> Vec<&'static str> {
    TableFormat::ALL.iter().map(|f| f.as_str()).collect()
}

/// The open table formats: committed by their own protocol (`iceberg`, `delta`).
pub(crate) fn open_table_formats() -> Vec<&'static str> {
    TableFormat::ALL.iter().filter(|f| **f != TableFormat::default()).map(|f| f.as_str()).collect()
}

/// Formats a catalog may name that glueless does not read (`orc`, `avro`, `hudi`).
pub(crate) fn unread_formats() -> Vec<&'static str> {
    UNREAD_FORMATS.to_vec()
}

/// The file formats a stream's file sink writes (`parquet`, `json`).
pub(crate) fn stream_sink_formats() -> Vec<&'static str> {
    FileFormat::ALL.iter().filter(|f| f.stream_sink()).map(|f| f.name()).collect()
}

/// Spark's name of a file format's data source in messages (`JSON`, `CSV`, `Parquet`).
#[pyfunction]
pub(crate) fn spark_source_name(name: &str) -> Option<&'static str> {
    FileFormat::named(name).map(FileFormat::spark_source_name)
}

/// The file format `name` names (any case, aliases too), or `None`.
#[pyfunction]
pub(crate) fn file_format(name: &str) -> Option<&'static str> {
    FileFormat::named(name).map(FileFormat::name)
}
