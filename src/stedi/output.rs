//! Writing a job's output table to its zone: Parquet files staged beside the target and made
//! visible in one atomic step, so a reader sees the previous output or the new one, never a mix;
//! or, for an Iceberg or Delta table, written into the table and committed as one snapshot.

use arrow_array::RecordBatch;
use arrow_schema::SchemaRef;
use rayon::prelude::*;

use super::report::OutputInfo;
use crate::core::pool;
use crate::core::storage::parquet_file::{self, ParquetSink};
use crate::core::storage::table_format::run_suffix;
use crate::core::storage::{failpoint, FileEntry, Location, StagedFolder, TableFormat, WrittenFile};
use crate::error::Result;

/// Below this many rows a table is one file; above, one file per pool thread, encoded in
/// parallel (Parquet encoding and zstd are single-threaded per file).
const ROWS_PER_PARALLEL_PART: usize = 1 << 17;

/// Where a job's output table goes.
#[derive(Debug, Clone)]
pub(crate) struct Target {
    /// The table as reports name it (`customer/trusted`).
    pub(crate) table: String,
    pub(crate) location: Location,
    /// `None`: the format the table already has (Parquet for a new one).
    pub(crate) format: Option<TableFormat>,
}

impl Target {
    /// The name the table is registered under in a catalog (`machine_learning_curated`).
    #[must_use]
    pub(crate) fn catalog_name(&self) -> String {
        super::table_ddl::catalog_name(&self.table)
    }

    fn stage(&self, schema: &SchemaRef) -> Result<StagedFolder> {
        StagedFolder::create_table(&self.location, self.format, &self.catalog_name(), schema)
    }
}

/// How a table's new content relates to its committed one.
#[derive(Debug, Default)]
pub(crate) struct Commit {
    /// Committed files that stay part of the table (an append); empty for a replacement.
    pub(crate) keep: Vec<FileEntry>,
    /// Rows in the kept files.
    pub(crate) kept_rows: u64,
    /// Committed together with the files (a job bookmark).
    pub(crate) properties: Option<serde_json::Value>,
}

/// Replace the table at `location` with `batches`. An empty table is still written as a Parquet
/// file with the schema, so readers see typed, empty columns.
///
/// # Errors
/// Storage errors naming the location; the previous output then stays as it was.
pub(crate) fn replace_table(target: &Target, schema: &SchemaRef, batches: &[RecordBatch]) -> Result<OutputInfo> {
    write_table(target, schema, batches, Commit::default())
}

/// Write `batches` as the new files of the table at `location`, keeping the files `commit.keep`
/// names, and commit them with `commit.properties` in one atomic step. New files get names unique
/// to the run when old ones are kept. `OutputInfo::rows` counts the rows written by this call.
///
/// # Errors
/// Storage errors naming the location; the previous output then stays as it was.
pub(crate) fn write_table(
    target: &Target,
    schema: &SchemaRef,
    batches: &[RecordBatch],
    commit: Commit,
) -> Result<OutputInfo> {
    let mut staged = target.stage(schema)?;
    let rows: usize = batches.iter().map(RecordBatch::num_rows).sum();
    // An append adds no empty file: the kept files already give readers the schema.
    let appending = !commit.keep.is_empty();
    let parts = if appending && rows == 0 {
        Vec::new()
    } else {
        split_parts(batches, (rows / ROWS_PER_PARALLEL_PART).clamp(1, pool::size()))
    };
    let run = run_suffix(appending || staged.keeps_history());
    let written: Vec<WrittenFile> = pool::install(|| {
        parts
            .par_iter()
            .enumerate()
            .map(|(i, part)| {
                let location = staged.file(&format!("part-{i:05}{run}.parquet"));
                let size = parquet_file::write(&location, schema, part)?;
                Ok(WrittenFile { location, size, rows: part.iter().map(|b| b.num_rows() as u64).sum() })
            })
            .collect::<Result<_>>()
    })?;
    staged.keep(&commit.keep)?;
    failpoint::hit("output.written");
    staged.commit(&written, commit.properties.as_ref())?;
    Ok(OutputInfo {
        role: super::report::OutputRole::Output,
        schema: schema.clone(),
        table: target.table.clone(),
        location: target.location.to_string(),
        rows: rows as u64,
        table_rows: commit.kept_rows + rows as u64,
        files: (written.len() + commit.keep.len()) as u64,
        bytes: written.iter().map(|f| f.size).sum::<u64>() + commit.keep.iter().map(|f| f.size).sum::<u64>(),
    })
}

/// Replace the table at `location` with the batches `produce` hands over for each of `parts`,
/// written as they come: one file per part that has rows (encoded in parallel), or one empty
/// file when none has. Memory holds the row groups being encoded, not the table.
///
/// # Errors
/// Storage errors naming the location, or what `produce` returns; the previous output then
/// stays as it was.
pub(crate) fn replace_table_streamed<P: Sync>(
    target: &Target,
    schema: &SchemaRef,
    parts: &[P],
    produce: impl Fn(&P, &mut dyn FnMut(RecordBatch) -> Result<()>) -> Result<()> + Sync,
) -> Result<OutputInfo> {
    let staged = target.stage(schema)?;
    let run = run_suffix(staged.keeps_history());
    let written: Vec<Option<WrittenFile>> = pool::install(|| {
        parts
            .par_iter()
            .enumerate()
            .map(|(i, part)| write_part(&staged, &format!("part-{i:05}{run}.parquet"), schema, part, &produce))
            .collect::<Result<_>>()
    })?;
    let mut written: Vec<WrittenFile> = written.into_iter().flatten().collect();
    if written.is_empty() {
        // Readers still see typed, empty columns.
        let location = staged.file(&format!("part-00000{run}.parquet"));
        let size = parquet_file::write(&location, schema, &[])?;
        written.push(WrittenFile { location, size, rows: 0 });
    }
    failpoint::hit("output.written");
    staged.commit(&written, None)?;
    let rows = written.iter().map(|f| f.rows).sum();
    Ok(OutputInfo {
        role: super::report::OutputRole::Output,
        schema: schema.clone(),
        table: target.table.clone(),
        location: target.location.to_string(),
        rows,
        table_rows: rows,
        files: written.len() as u64,
        bytes: written.iter().map(|f| f.size).sum(),
    })
}

/// One part of a streamed table as the file `name`: `None` when it had no rows (no file).
fn write_part<P>(
    staged: &StagedFolder,
    name: &str,
    schema: &SchemaRef,
    part: &P,
    produce: &(impl Fn(&P, &mut dyn FnMut(RecordBatch) -> Result<()>) -> Result<()> + Sync),
) -> Result<Option<WrittenFile>> {
    let mut sink: Option<ParquetSink> = None;
    let mut rows = 0u64;
    let produced = produce(part, &mut |batch: RecordBatch| {
        if batch.num_rows() == 0 {
            return Ok(());
        }
        // Created with the first rows, which decide the file's dictionary settings.
        let open = match sink.take() {
            Some(open) => open,
            None => ParquetSink::create(&staged.file(name), schema, std::slice::from_ref(&batch))?,
        };
        rows += batch.num_rows() as u64;
        sink.insert(open).write(&batch)
    });
    match (produced, sink) {
        (Ok(()), Some(sink)) => {
            let location = sink.location().clone();
            Ok(Some(WrittenFile { location, size: sink.finish()?, rows }))
        }
        (Ok(()), None) => Ok(None),
        (Err(e), sink) => {
            if let Some(sink) = sink {
                sink.abort();
            }
            Err(e)
        }
    }
}

/// Cut `batches` into `n` runs of about equal row counts, keeping row order.
fn split_parts(batches: &[RecordBatch], n: usize) -> Vec<Vec<RecordBatch>> {
    let total: usize = batches.iter().map(RecordBatch::num_rows).sum();
    let per_part = total.div_ceil(n.max(1)).max(1);
    let mut parts = vec![Vec::new()];
    let mut filled = 0;
    for batch in batches {
        let mut offset = 0;
        while offset < batch.num_rows() {
            if filled == per_part {
                parts.push(Vec::new());
                filled = 0;
            }
            let take = (per_part - filled).min(batch.num_rows() - offset);
            parts.last_mut().expect("parts is never empty").push(batch.slice(offset, take));
            offset += take;
            filled += take;
        }
    }
    parts
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow_array::Int64Array;
    use arrow_schema::{DataType, Field, Schema};

    use super::*;

    #[test]
    fn parts_keep_order_and_balance_rows() {
        let schema = Arc::new(Schema::new(vec![Field::new("v", DataType::Int64, false)]));
        let batch = |r: std::ops::Range<i64>| {
            RecordBatch::try_new(schema.clone(), vec![Arc::new(Int64Array::from_iter_values(r))]).unwrap()
        };
        let parts = split_parts(&[batch(0..5), batch(5..7), batch(7..10)], 3);
        let rows: Vec<Vec<i64>> = parts
            .iter()
            .map(|p| {
                p.iter()
                    .flat_map(|b| b.column(0).as_any().downcast_ref::<Int64Array>().unwrap().values().to_vec())
                    .collect()
            })
            .collect();
        assert_eq!(rows, [vec![0, 1, 2, 3], vec![4, 5, 6, 7], vec![8, 9]]);
        assert_eq!(split_parts(&[], 4).len(), 1, "an empty table is one (empty) file");
    }
}
