//! The append sink: each batch that emitted rows writes one file (per partition folder with
//! `partition_by`) named by the batch id (`batch-00000003.parquet`, `k=v/batch-00000003.json`),
//! and a commit log `_glueless_stream/N` naming them. A file is put in one atomic write; a
//! replayed batch writes the same rows under the same names, so a reader never sees a row twice.
//!
//! An Iceberg or Delta sink appends each batch as one snapshot carrying the batch id; a batch
//! replayed after a crash between the table's commit and the checkpoint's finds its id in the
//! table and appends nothing.

use std::sync::Arc;

use arrow_array::{Array, ArrayRef, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Schema};
use bytes::Bytes;

use crate::core::storage::staged::committed_properties;
use crate::core::storage::table_format::{self, TableStaging};
use crate::core::storage::{objects, parquet_file, Location, TableFormat, WrittenFile};
use crate::error::Result;
use crate::runtime::frames::sink::{self as files, Compression, SinkFormat, SinkOptions};

/// The folder a stream's rows are appended to, and how.
#[derive(Debug, Clone)]
pub struct AppendSink {
    pub folder: Location,
    /// Parquet or JSON lines.
    pub format: SinkFormat,
    /// Hive-style `key=value/` folders; the key columns leave the files.
    pub partition_by: Vec<String>,
    /// Iceberg or Delta: each batch is one append snapshot of the table (Parquet files).
    pub table: Option<TableFormat>,
}

/// The snapshot property naming the stream batch a table commit holds.
const STREAM_BATCH: &str = "stream_batch";

/// The commit log folder inside the sink (hidden from readers by its leading `_`).
pub const SINK_LOG: &str = "_glueless_stream";

impl AppendSink {
    /// A Parquet sink without partitions (the gold layer's).
    #[must_use]
    #[cfg(test)]
    pub fn parquet(folder: Location) -> Self {
        Self { folder, format: SinkFormat::Parquet, partition_by: Vec::new(), table: None }
    }

    /// The file name of batch `n`.
    #[must_use]
    pub fn file_name(&self, n: u64) -> String {
        let extension = match self.format {
            SinkFormat::Parquet => "parquet",
            SinkFormat::Json => "json",
            SinkFormat::Csv => "csv",
        };
        format!("batch-{n:08}.{extension}")
    }

    /// Write the rows of batch `n` and log the batch as committed in the sink; the files written
    /// (relative to the folder).
    ///
    /// # Errors
    /// Storage or encoding errors naming the file; [`crate::Error::InvalidArgument`] for a
    /// partition column the rows lack.
    pub fn append(&self, n: u64, rows: &RecordBatch) -> Result<Vec<String>> {
        if let Some(format) = self.table.filter(|f| *f != TableFormat::Parquet) {
            return self.append_to_table(format, n, rows);
        }
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

    /// Batch `n` as one append snapshot of the table; nothing when the table already holds it.
    fn append_to_table(&self, format: TableFormat, n: u64, rows: &RecordBatch) -> Result<Vec<String>> {
        if !self.partition_by.is_empty() {
            return Err(crate::Error::Unsupported(format!("partitionBy on a {format} stream sink")));
        }
        let committed =
            committed_properties(&self.folder)?.and_then(|p| p.get(STREAM_BATCH).and_then(serde_json::Value::as_u64));
        if committed.is_some_and(|done| done >= n) {
            return Ok(Vec::new());
        }
        // A new table: not over the Parquet sink's folder (its files would stay beside the
        // table). Files of a killed first attempt have no log and are not in the way.
        if committed.is_none() && objects::folder_exists(&self.folder.join(SINK_LOG))? {
            return Err(table_format::occupied_error(&self.folder, TableFormat::Parquet, format));
        }
        let name = table_format::default_name(&self.folder);
        let schema = rows.schema();
        let staged = TableStaging::create(format, &self.folder, &name, &schema)?.appending();
        // A file of an attempt that did not commit may be there: each attempt writes its own.
        let stamp = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
        let location = staged.file(&format!("batch-{n:08}-{stamp:x}.parquet"));
        let size = parquet_file::write(&location, &schema, std::slice::from_ref(rows))?;
        crate::core::storage::failpoint::hit("stream.after_output");
        let file_name = location.name().to_string();
        let written = [WrittenFile { location, size, rows: rows.num_rows() as u64 }];
        staged.commit(&written, Some(&serde_json::json!({ STREAM_BATCH: n })))?;
        Ok(vec![file_name])
    }

    fn encode(&self, rows: &RecordBatch) -> Result<Bytes> {
        match self.format {
            SinkFormat::Parquet => parquet_file::encode(&rows.schema(), std::slice::from_ref(rows)),
            SinkFormat::Json | SinkFormat::Csv => {
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
