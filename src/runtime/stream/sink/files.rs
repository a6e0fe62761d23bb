//! The file sink: each batch that emitted rows writes one file (per partition folder with
//! `partition_by`) named by the batch id (`batch-00000003.parquet`, `k=v/batch-00000003.json`),
//! and a commit log `_glueless_stream/N` naming them. A file is put in one atomic write; a
//! replayed batch writes the same rows under the same names, so a reader never sees a row twice.

use std::sync::Arc;

use arrow_array::{Array, ArrayRef, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Schema};
use bytes::Bytes;

use super::{StreamSink, SINK_LOG};
use crate::core::formats::FileFormat;
use crate::core::storage::{objects, parquet_file, Location};
use crate::error::Result;
use crate::runtime::frames::sink::{self as files, Compression, SinkOptions};

/// The folder a stream's rows are appended to as files, and how.
#[derive(Debug, Clone)]
pub(crate) struct FileSink {
    pub(crate) folder: Location,
    /// Parquet, JSON lines or CSV.
    pub(crate) format: FileFormat,
    /// Hive-style `key=value/` folders; the key columns leave the files.
    pub(crate) partition_by: Vec<String>,
}

impl FileSink {
    /// A Parquet sink without partitions (the gold layer's).
    #[must_use]
    #[cfg(test)]
    pub(crate) fn parquet(folder: Location) -> Self {
        Self { folder, format: FileFormat::Parquet, partition_by: Vec::new() }
    }

    /// The file name of batch `n`.
    #[must_use]
    pub(crate) fn file_name(&self, n: u64) -> String {
        format!("batch-{n:08}.{}", self.format.name())
    }

    /// Write the rows of batch `n` and log the batch as committed in the sink; the files written
    /// (relative to the folder).
    ///
    /// # Errors
    /// Storage or encoding errors naming the file; [`crate::Error::InvalidArgument`] for a
    /// partition column the rows lack.
    fn write(&self, n: u64, rows: &RecordBatch) -> Result<Vec<String>> {
        let name = self.file_name(n);
        let mut written = Vec::new();
        for (folder, part) in files::partitions(rows, &self.partition_by)? {
            let path = if folder.is_empty() { name.clone() } else { format!("{folder}/{name}") };
            objects::put(&self.folder.join(&path), self.encode(&part)?)?;
            written.push(path);
        }
        crate::core::storage::failpoint::hit("stream.after_output");
        let log = serde_json::json!({"batch": n, "files": written, "rows": rows.num_rows()});
        objects::put(&self.folder.join(&format!("{SINK_LOG}/{n}")), Bytes::from(log.to_string()))?;
        Ok(written)
    }

    fn encode(&self, rows: &RecordBatch) -> Result<Bytes> {
        match self.format {
            FileFormat::Parquet => parquet_file::encode(&rows.schema(), std::slice::from_ref(rows)),
            FileFormat::Json | FileFormat::Csv => {
                let rows = spark_text_timestamps(rows)?;
                let options = SinkOptions {
                    format: self.format,
                    compression: Compression::None,
                    partition_keys: Vec::new(),
                    header: true,
                };
                files::encode(&rows.schema(), std::slice::from_ref(&rows), &options)
            }
        }
    }
}

impl StreamSink for FileSink {
    fn describe(&self) -> String {
        self.folder.to_string()
    }

    fn append(&self, n: u64, rows: &RecordBatch) -> Result<Vec<String>> {
        self.write(n, rows)
    }
}

/// Timestamps as Spark's text writers put them (`2026-01-01T00:00:05.000Z`, the session zone UTC).
fn spark_text_timestamps(rows: &RecordBatch) -> Result<RecordBatch> {
    let schema = rows.schema();
    let mut fields = Vec::new();
    let mut columns: Vec<ArrayRef> = Vec::new();
    for (field, column) in schema.fields().iter().zip(rows.columns()) {
        if let DataType::Timestamp(..) = field.data_type() {
            let micros = arrow_cast::cast(column, &DataType::Timestamp(arrow_schema::TimeUnit::Microsecond, None))?;
            let micros = micros.as_any().downcast_ref::<arrow_array::TimestampMicrosecondArray>().expect("cast to µs");
            let text: StringArray = (0..micros.len())
                .map(|i| {
                    micros.is_valid(i).then(|| {
                        micros
                            .value_as_datetime(i)
                            .map_or_else(String::new, |t| t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string())
                    })
                })
                .collect();
            fields.push(Field::new(field.name(), DataType::Utf8, true));
            columns.push(Arc::new(text));
        } else {
            fields.push(field.as_ref().clone());
            columns.push(Arc::clone(column));
        }
    }
    Ok(RecordBatch::try_new(Arc::new(Schema::new(fields)), columns)?)
}
