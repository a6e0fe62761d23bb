//! A script's Parquet source as a lazy table. The files' footers give its schema and row count
//! when the frame is made; a query then reads only the columns it uses, a few files at a time as
//! it runs (memory holds those files' batches, not the table), and DataFusion plans joins with the
//! footers' row counts and sizes as it does with in-memory tables.
//!
//! Rows come in the files' order, as the eager read gave them, so an unsorted `show()` prints
//! the same rows first.

use std::fmt;
use std::sync::Arc;

use arrow_array::{RecordBatch, RecordBatchOptions};
use arrow_schema::{Schema, SchemaRef};
use async_trait::async_trait;
use datafusion::catalog::{Session, TableProvider};
use datafusion::common::stats::Precision;
use datafusion::common::Statistics;
use datafusion::datasource::TableType;
use datafusion::error::Result as DfResult;
use datafusion::logical_expr::Expr;
use datafusion::physical_plan::ExecutionPlan;
use parquet::arrow::arrow_reader::ArrowReaderMetadata;
use rayon::prelude::*;

use super::scan_stream::{InOrderScanExec, InOrderSource};
use super::source::align_schemas;
use crate::core::kernels::project::conform;
use crate::core::pool;
use crate::core::storage::objects::FileEntry;
use crate::core::storage::parquet_file::{self, ParquetSource};
use crate::error::Result;

/// A file this large is decoded alone, its batches handed on as they come.
const LARGE_FILE_BYTES: u64 = 64 << 20;

/// One file of the table and its footer.
struct ParquetFile {
    entry: FileEntry,
    footer: ArrowReaderMetadata,
}

impl ParquetFile {
    fn rows(&self) -> u64 {
        u64::try_from(self.footer.metadata().file_metadata().num_rows()).unwrap_or(0)
    }

    /// The decoded size of the top-level `columns` (their column chunks' uncompressed bytes).
    fn bytes_of(&self, columns: &[String]) -> u64 {
        let metadata = self.footer.metadata();
        metadata
            .row_groups()
            .iter()
            .flat_map(parquet::file::metadata::RowGroupMetaData::columns)
            .filter(|chunk| chunk.column_path().parts().first().is_some_and(|top| columns.contains(top)))
            .map(|chunk| u64::try_from(chunk.uncompressed_size()).unwrap_or(0))
            .sum()
    }
}

/// Parquet files read as one table: columns by name in order of first appearance, a column a
/// file lacks as nulls (as [`super::source::read`] aligns them).
pub(crate) struct ParquetFiles {
    files: Arc<Vec<ParquetFile>>,
    schema: SchemaRef,
}

impl fmt::Debug for ParquetFiles {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ParquetFiles").field("files", &self.files.len()).finish_non_exhaustive()
    }
}

impl ParquetFiles {
    /// The table of `files`, from their footers (read in parallel, only the files' ends).
    ///
    /// # Errors
    /// Storage errors, a file that is not Parquet, or one column with two types.
    pub(crate) fn open(files: &[FileEntry]) -> Result<Self> {
        let files: Vec<ParquetFile> = pool::install(|| {
            files
                .par_iter()
                .map(|entry| Ok(ParquetFile { entry: entry.clone(), footer: parquet_file::footer_metadata(entry)? }))
                .collect::<Result<_>>()
        })?;
        let schema = align_schemas(files.iter().map(|f| f.footer.schema().as_ref()))?;
        Ok(Self { files: Arc::new(files), schema })
    }

    /// The number of rows (from the footers).
    #[must_use]
    pub(crate) fn rows(&self) -> u64 {
        self.files.iter().map(ParquetFile::rows).sum()
    }
}

#[async_trait]
impl TableProvider for ParquetFiles {
    fn schema(&self) -> SchemaRef {
        Arc::clone(&self.schema)
    }

    fn table_type(&self) -> TableType {
        TableType::Base
    }

    async fn scan(
        &self,
        _state: &dyn Session,
        projection: Option<&Vec<usize>>,
        _filters: &[Expr],
        _limit: Option<usize>,
    ) -> DfResult<Arc<dyn ExecutionPlan>> {
        let schema = match projection {
            Some(indices) => Arc::new(self.schema.project(indices)?),
            None => Arc::clone(&self.schema),
        };
        let scan = ParquetScan { files: Arc::clone(&self.files), schema: Arc::clone(&schema) };
        Ok(Arc::new(InOrderScanExec::new(scan, schema)))
    }
}

/// The scan of [`ParquetFiles`]: files decoded in parallel a window at a time and handed on in
/// order.
struct ParquetScan {
    files: Arc<Vec<ParquetFile>>,
    schema: SchemaRef,
}

impl ParquetScan {
    fn columns(&self) -> Vec<String> {
        self.schema.fields().iter().map(|f| f.name().clone()).collect()
    }
}

impl InOrderSource for ParquetScan {
    const NAME: &'static str = "ParquetFilesExec";

    fn describe(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "files={}, columns=[{}]", self.files.len(), self.columns().join(", "))
    }

    fn statistics(&self, schema: &SchemaRef) -> Statistics {
        let columns = self.columns();
        let rows = self.files.iter().map(ParquetFile::rows).sum::<u64>();
        let bytes = self.files.iter().map(|f| f.bytes_of(&columns)).sum::<u64>();
        let mut statistics = Statistics::new_unknown(schema);
        statistics.num_rows = Precision::Exact(usize::try_from(rows).unwrap_or(usize::MAX));
        statistics.total_byte_size = Precision::Inexact(usize::try_from(bytes).unwrap_or(usize::MAX));
        statistics
    }

    fn produce(&self, send: &mut dyn FnMut(RecordBatch) -> bool) -> Result<()> {
        decode_in_order(&self.files, &self.schema, send)
    }
}

/// Decode `files` with `schema`'s columns, handing each batch to `send` in the files' order
/// until it returns false (the query stopped reading). Small files are decoded in parallel, a
/// window of as many as the pool has threads at a time; a large file alone, its batches handed
/// on as they are decoded, so memory does not grow with a file's size.
fn decode_in_order(files: &[ParquetFile], schema: &SchemaRef, send: &mut dyn FnMut(RecordBatch) -> bool) -> Result<()> {
    let mut rest = files;
    while !rest.is_empty() {
        let small = rest.iter().take(pool::size().max(1)).take_while(|f| f.entry.size < LARGE_FILE_BYTES).count();
        let (window, next) = rest.split_at(small.max(1));
        rest = next;
        if let [file] = window {
            let mut open = true;
            decode(file, schema, &mut |batch| {
                open = open && send(batch);
                open
            })?;
            if !open {
                return Ok(());
            }
            continue;
        }
        let decoded: Vec<Vec<RecordBatch>> = pool::install(|| {
            window
                .par_iter()
                .map(|file| {
                    let mut batches = Vec::new();
                    decode(file, schema, &mut |batch| {
                        batches.push(batch);
                        true
                    })?;
                    Ok(batches)
                })
                .collect::<Result<_>>()
        })?;
        for batch in decoded.into_iter().flatten() {
            if !send(batch) {
                return Ok(());
            }
        }
    }
    Ok(())
}

/// Hand one file's batches with `schema`'s columns (nulls for the ones it lacks) to `f` until it
/// returns false. No column asked (a `count(*)`) reads nothing: the footer has the row count.
fn decode(file: &ParquetFile, schema: &SchemaRef, f: &mut dyn FnMut(RecordBatch) -> bool) -> Result<()> {
    if schema.fields().is_empty() {
        let options = RecordBatchOptions::new().with_row_count(Some(usize::try_from(file.rows()).unwrap_or(0)));
        f(RecordBatch::try_new_with_options(Arc::new(Schema::empty()), Vec::new(), &options)?);
        return Ok(());
    }
    let present: Vec<&str> = schema
        .fields()
        .iter()
        .map(|field| field.name().as_str())
        .filter(|name| file.footer.schema().field_with_name(name).is_ok())
        .collect();
    let source = ParquetSource::open(&file.entry)?;
    let mut open = true;
    source.read(None, Some(&present), |batch| {
        if !open {
            return Ok(());
        }
        // The aligned schema gives each name one type: columns are only placed, never cast.
        open = f(conform(&batch, schema)?);
        Ok(())
    })
}
