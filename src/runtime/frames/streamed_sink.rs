//! A frame written to Parquet as it is computed: each output partition of the frame's plan
//! streams into a file of its own (Glue writes a file per task), so memory holds the row groups
//! being encoded (and a partition's first rows, until they make a file), not the frame.
//!
//! No reader sees half a table: a local file is written under a hidden name and renamed once
//! every partition has finished; an S3 file is a multipart upload completed only then. A failure
//! in any partition gives every file up.

use std::sync::Arc;

use arrow_array::RecordBatch;
use arrow_schema::SchemaRef;
use datafusion::physical_plan::SendableRecordBatchStream;
use futures::StreamExt;

use super::sink::{parquet_file_name, Written, MIN_ROWS_PER_FILE};
use crate::core::formats::{parquet, ParquetCodec};
use crate::core::storage::parquet_file::ParquetSink;
use crate::core::storage::{objects, Location};
use crate::error::{Error, Result};
use crate::runtime::sql::session::{run, sql_error};

/// A file written but not yet committed.
struct OpenFile {
    sink: ParquetSink,
    /// Where the file goes when committed (a local file is written beside it, hidden).
    target: Location,
    rows: u64,
}

impl OpenFile {
    /// Finish the file and put it in place; its size in bytes.
    fn commit(self) -> Result<u64> {
        let written = self.sink.location().clone();
        let size = self.sink.finish()?;
        if written != self.target {
            objects::rename(&written, &self.target)?;
        }
        Ok(size)
    }

    fn write(&mut self, batch: &RecordBatch) -> Result<()> {
        self.rows += batch.num_rows() as u64;
        self.sink.write(batch)
    }

    fn abort(self) {
        let written = self.sink.location().clone();
        self.sink.abort();
        if let Location::Local(path) = written {
            let _ = std::fs::remove_file(path);
        }
    }
}

/// What one partition left: its open file, or, when it had fewer rows than make a file of
/// their own, those rows.
enum PartitionOutput {
    File(Box<OpenFile>),
    Rows(Vec<RecordBatch>),
}

/// Write `streams` (rows of `schema`) as new Parquet files under `folder`, pages compressed with
/// `codec`, files named for the run `stamp`. A partition with at least `MIN_ROWS_PER_FILE` rows
/// streams into a file of its own; the rows of the smaller ones go into one more file, so a small
/// frame stays one file (and one without rows writes none).
///
/// # Errors
/// Query, storage and encoding errors; nothing is left under `folder` then.
pub(crate) fn write(
    folder: &Location,
    stamp: i64,
    schema: &SchemaRef,
    streams: Vec<SendableRecordBatchStream>,
    codec: Option<ParquetCodec>,
) -> Result<Written> {
    if let Location::Local(path) = folder {
        std::fs::create_dir_all(path).map_err(|e| Error::io("creating", path, e))?;
    }
    let target = |part: usize| folder.join(&parquet_file_name(stamp, part, codec));
    let outcomes: Vec<Result<PartitionOutput>> = std::thread::scope(|scope| {
        let running: Vec<_> = streams
            .into_iter()
            .enumerate()
            .map(|(part, stream)| {
                let target = target(part);
                scope.spawn(move || write_partition(stream, schema, target, codec))
            })
            .collect();
        running
            .into_iter()
            .map(|thread| thread.join().unwrap_or_else(|_| Err(Error::Sql("a partition's writer stopped".into()))))
            .collect()
    });
    let (mut open, mut rest, mut failed) = (Vec::new(), Vec::new(), None);
    let mut rest_part = None;
    for (part, outcome) in outcomes.into_iter().enumerate() {
        match outcome {
            Ok(PartitionOutput::File(file)) => open.push(*file),
            Ok(PartitionOutput::Rows(rows)) if !rows.is_empty() => {
                rest_part = rest_part.or(Some(part));
                rest.extend(rows);
            }
            Ok(PartitionOutput::Rows(_)) => {}
            Err(e) => failed = failed.or(Some(e)),
        }
    }
    if let (None, Some(part)) = (&failed, rest_part) {
        match open_file(schema, &rest, target(part), codec) {
            Ok(file) => open.push(file),
            Err(e) => failed = Some(e),
        }
    }
    if let Some(err) = failed {
        open.into_iter().for_each(OpenFile::abort);
        return Err(err);
    }
    let mut written = Written::default();
    let mut files = open.into_iter();
    while let Some(file) = files.next() {
        let rows = file.rows;
        match file.commit() {
            Ok(size) => {
                written.files += 1;
                written.rows += rows;
                written.bytes += size;
            }
            Err(e) => {
                files.for_each(OpenFile::abort);
                return Err(e);
            }
        }
    }
    Ok(written)
}

/// One partition's rows: held until they make a file of their own ([`MIN_ROWS_PER_FILE`]), then
/// streamed into the file `target` (hidden beside it when local), left open.
fn write_partition(
    mut stream: SendableRecordBatchStream,
    schema: &SchemaRef,
    target: Location,
    codec: Option<ParquetCodec>,
) -> Result<PartitionOutput> {
    let (mut held, mut held_rows) = (Vec::new(), 0);
    let mut file: Option<OpenFile> = None;
    let outcome = (|| {
        // One batch at a time off the SQL runtime: the writer blocks on the storage runtime.
        while let Some(batch) = run(stream.next()) {
            let batch = batch.map_err(sql_error)?;
            if batch.num_rows() == 0 {
                continue;
            }
            let batch = RecordBatch::try_new(Arc::clone(schema), batch.columns().to_vec())?;
            if let Some(open) = file.as_mut() {
                open.write(&batch)?;
                continue;
            }
            held_rows += batch.num_rows();
            held.push(batch);
            if held_rows >= MIN_ROWS_PER_FILE {
                file = Some(open_file(schema, &std::mem::take(&mut held), target.clone(), codec)?);
            }
        }
        Ok(())
    })();
    match (outcome, file) {
        (Ok(()), Some(open)) => Ok(PartitionOutput::File(Box::new(open))),
        (Ok(()), None) => Ok(PartitionOutput::Rows(held)),
        (Err(e), open) => {
            open.into_iter().for_each(OpenFile::abort);
            Err(e)
        }
    }
}

/// A new file for `target` holding `batches` (not empty; the first rows decide the file's
/// dictionary settings), left open.
fn open_file(
    schema: &SchemaRef,
    batches: &[RecordBatch],
    target: Location,
    codec: Option<ParquetCodec>,
) -> Result<OpenFile> {
    let properties = parquet::writer_properties(schema, batches, codec)?;
    let mut file = OpenFile { sink: ParquetSink::create_with(&staging(&target), schema, properties)?, target, rows: 0 };
    for batch in batches {
        if let Err(e) = file.write(batch) {
            file.abort();
            return Err(e);
        }
    }
    Ok(file)
}

/// Where a file is written before it is committed: a local file under a hidden name beside its
/// target (readers skip names starting with a dot); an S3 upload at its target, where it
/// appears only when completed.
fn staging(target: &Location) -> Location {
    match target {
        Location::Local(path) => {
            let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            Location::Local(path.with_file_name(format!(".{name}.inprogress")))
        }
        Location::S3 { .. } => target.clone(),
    }
}
