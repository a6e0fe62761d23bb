//! Writing Arrow batches as one Parquet file (zstd level 1: about the size of level 3, faster).

use std::fs::File;
use std::path::Path;

use arrow_array::{RecordBatch, RecordBatchReader};
use arrow_schema::SchemaRef;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::arrow::{ArrowWriter, ProjectionMask};
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::properties::WriterProperties;

use crate::error::{Error, Result};

/// Rows per Parquet row group: large enough for good compression, small enough for readers to
/// parallelise over row groups.
const ROW_GROUP_ROWS: usize = 1 << 20;

/// Write `batches` (all of `schema`) to a new Parquet file at `path`, flushed to disk.
/// Returns the file's size in bytes.
///
/// # Errors
/// [`Error::Io`] or [`Error::Parquet`] naming the file.
pub fn write(path: &Path, schema: &SchemaRef, batches: &[RecordBatch]) -> Result<u64> {
    let file = File::create_new(path).map_err(|e| Error::io("creating", path, e))?;
    let props = WriterProperties::builder()
        .set_compression(Compression::ZSTD(ZstdLevel::try_new(1)?))
        .set_max_row_group_row_count(Some(ROW_GROUP_ROWS))
        .set_created_by(format!("glueless {}", env!("CARGO_PKG_VERSION")))
        .build();
    let mut writer = ArrowWriter::try_new(file, schema.clone(), Some(props))?;
    for batch in batches {
        writer.write(batch)?;
    }
    let file = writer.into_inner()?;
    file.sync_all().map_err(|e| Error::io("syncing", path, e))?;
    file.metadata().map(|m| m.len()).map_err(|e| Error::io("reading", path, e))
}

/// Read every batch of the Parquet file at `path`; only the top-level `columns` when given.
///
/// # Errors
/// [`Error::NotFound`], [`Error::Io`] or [`Error::Parquet`] naming the file.
pub fn read(path: &Path, columns: Option<&[&str]>) -> Result<(SchemaRef, Vec<RecordBatch>)> {
    let file = File::open(path).map_err(|e| Error::io("reading", path, e))?;
    let mut builder = ParquetRecordBatchReaderBuilder::try_new(file)
        .map_err(|e| Error::Io { op: "reading", path: path.display().to_string(), source: std::io::Error::other(e) })?
        .with_batch_size(64 * 1024);
    if let Some(columns) = columns {
        let mask = ProjectionMask::columns(builder.parquet_schema(), columns.iter().copied());
        builder = builder.with_projection(mask);
    }
    let reader = builder.build()?;
    let schema = reader.schema();
    let batches = reader.collect::<Result<Vec<_>, _>>()?;
    Ok((schema, batches))
}
