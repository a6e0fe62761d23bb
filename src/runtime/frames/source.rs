//! Sources of users' scripts: JSON, CSV and Parquet files under S3 prefixes or local folders.
//!
//! JSON goes through the landing decoder (every record kept with the fields it has; a record that
//! is not JSON is quarantined, never dropped), its rows past a budget spilled ([`super::held_rows`]); CSV through arrow-csv with Glue's defaults; Parquet
//! files read lazily ([`super::parquet_scan`]), files with different columns aligned by name.

use std::collections::HashMap;
use std::sync::Arc;

use arrow_array::RecordBatch;
use arrow_schema::{Field, Schema, SchemaRef};
use datafusion::catalog::TableProvider;
use datafusion::datasource::MemTable;
use rayon::prelude::*;

use crate::core::formats::csv;
pub(crate) use crate::core::formats::csv::CsvOptions;
use crate::core::json::{self, LandingOptions};
use crate::core::kernels::project::conform;
use crate::core::storage::objects::{self, FileEntry};
use crate::core::storage::Location;
use crate::error::{Error, Result};
use crate::runtime::frames::held_rows::{HeldRows, RowHolder};
use crate::runtime::frames::parquet_scan::ParquetFiles;
use crate::runtime::sql::session::sql_error;

/// The file formats a source reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum SourceFormat {
    Json,
    Parquet,
    Csv(CsvOptions),
}

/// What a source read: its table, quarantined records and the counts that add up.
#[derive(Debug)]
pub(crate) struct SourceData {
    /// The rows: decoded (JSON, CSV), or Parquet files read when a query scans them.
    pub(crate) table: Arc<dyn TableProvider>,
    /// Quarantined records (landing quarantine schema): JSON lines that are not JSON objects.
    pub(crate) rejected: Vec<RecordBatch>,
    pub(crate) files: u64,
    pub(crate) bytes: u64,
    pub(crate) records: u64,
    pub(crate) rows: u64,
    pub(crate) quarantined: u64,
}

/// The data files at `paths`: a path naming one object is that file; a folder gives its files,
/// and its sub-folders' too when `recurse`. A folder or prefix that holds nothing gives none
/// (as Glue reads an empty S3 prefix).
///
/// # Errors
/// Storage errors other than a missing folder.
pub(crate) fn list(paths: &[Location], recurse: bool) -> Result<Vec<FileEntry>> {
    let mut files = Vec::new();
    for path in paths {
        if let Some(file) = objects::file_info(path)? {
            files.push(file);
            continue;
        }
        let mut folders = vec![path.clone()];
        while let Some(folder) = folders.pop() {
            match objects::list_files(&folder) {
                Ok(found) => files.extend(found),
                Err(Error::NotFound { .. }) => continue,
                Err(other) => return Err(other),
            }
            if recurse {
                let mut below = objects::list_folders(&folder)?;
                below.retain(|f| !objects::is_hidden(f.name()));
                folders.extend(below);
            }
        }
    }
    files.sort_by_key(|f| f.location.to_string());
    files.dedup_by(|a, b| a.location == b.location);
    Ok(files)
}

/// Read `files` in `format`.
///
/// # Errors
/// Storage errors; [`Error::Arrow`] / [`Error::Parquet`] for a CSV or Parquet file that cannot be
/// decoded (JSON records that cannot be decoded are quarantined instead).
pub(crate) fn read(files: &[FileEntry], format: &SourceFormat) -> Result<SourceData> {
    let bytes: u64 = files.iter().map(|f| f.size).sum();
    let count = files.len() as u64;
    match format {
        SourceFormat::Json => {
            let holder = RowHolder::default();
            let output = json::read_files_held(files, None, &LandingOptions::default(), &|b| holder.hold(b))?;
            let rows = output.stats.accepted;
            Ok(SourceData {
                table: Arc::new(HeldRows::new(output.schema, output.batches, &holder)?),
                rejected: output.rejected,
                files: count,
                bytes,
                records: output.stats.records,
                rows,
                quarantined: output.stats.quarantined,
            })
        }
        SourceFormat::Parquet => {
            let table = ParquetFiles::open(files)?;
            let rows = table.rows();
            Ok(SourceData {
                table: Arc::new(table),
                rejected: Vec::new(),
                files: count,
                bytes,
                records: rows,
                rows,
                quarantined: 0,
            })
        }
        SourceFormat::Csv(options) => read_each(files, bytes, |file| csv::read(file, options)),
    }
}

/// Files read in parallel by `read_file` and aligned into one table (every row is a record).
fn read_each(
    files: &[FileEntry],
    bytes: u64,
    read_file: impl Fn(&FileEntry) -> Result<(SchemaRef, Vec<RecordBatch>)> + Sync,
) -> Result<SourceData> {
    let parts = crate::core::pool::install(|| files.par_iter().map(&read_file).collect::<Result<Vec<_>>>())?;
    let (schema, batches) = align(parts)?;
    let rows = batches.iter().map(|b| b.num_rows() as u64).sum();
    Ok(SourceData {
        table: in_memory(schema, batches)?,
        rejected: Vec::new(),
        files: files.len() as u64,
        bytes,
        records: rows,
        rows,
        quarantined: 0,
    })
}

/// Decoded rows as a table.
fn in_memory(schema: SchemaRef, batches: Vec<RecordBatch>) -> Result<Arc<dyn TableProvider>> {
    Ok(Arc::new(MemTable::try_new(schema, vec![batches]).map_err(sql_error)?))
}

/// One schema for files whose columns differ: columns by name in order of first appearance,
/// each nullable (a file may lack it). The same name with two types is an error naming both.
///
/// # Errors
/// [`Error::Unsupported`] for a column with two types.
pub(crate) fn align_schemas<'a>(schemas: impl IntoIterator<Item = &'a Schema>) -> Result<SchemaRef> {
    let mut fields: Vec<Field> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    for schema in schemas {
        for field in schema.fields() {
            match index.get(field.name()) {
                Some(&i) if fields[i].data_type() != field.data_type() => {
                    return Err(Error::Unsupported(format!(
                        "column {} is {} in one file and {} in another",
                        field.name(),
                        fields[i].data_type(),
                        field.data_type()
                    )));
                }
                Some(_) => {}
                None => {
                    index.insert(field.name().clone(), fields.len());
                    fields.push(field.as_ref().clone().with_nullable(true));
                }
            }
        }
    }
    Ok(Arc::new(Schema::new(fields)))
}

/// The files' batches in one schema ([`align_schemas`]), a column a file lacks as nulls.
fn align(parts: Vec<(SchemaRef, Vec<RecordBatch>)>) -> Result<(SchemaRef, Vec<RecordBatch>)> {
    let schema = align_schemas(parts.iter().map(|(schema, _)| schema.as_ref()))?;
    let batches =
        parts.iter().flat_map(|(_, part)| part).map(|batch| conform(batch, &schema)).collect::<Result<_>>()?;
    Ok((schema, batches))
}
