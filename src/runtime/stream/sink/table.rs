//! The table sink: an Iceberg or Delta table to which each batch is one append snapshot carrying
//! the batch id; a batch replayed after a crash between the table's commit and the checkpoint's
//! finds its id in the table and appends nothing.

use arrow_array::RecordBatch;

use super::{StreamSink, SINK_LOG};
use crate::core::storage::staged::committed_properties;
use crate::core::storage::table_format::{self, TableStaging};
use crate::core::storage::{objects, parquet_file, Location, TableFormat, WrittenFile};
use crate::error::Result;

/// The snapshot property naming the stream batch a snapshot holds.
const STREAM_BATCH: &str = "stream_batch";

/// An open table format's table a stream appends to (Parquet files, one snapshot per batch).
#[derive(Debug, Clone)]
pub(crate) struct TableSink {
    pub(crate) folder: Location,
    /// Iceberg or Delta.
    pub(crate) format: TableFormat,
}

impl StreamSink for TableSink {
    fn describe(&self) -> String {
        self.folder.to_string()
    }

    /// Batch `n` as one append snapshot of the table; nothing when the table already holds it.
    fn append(&self, n: u64, rows: &RecordBatch) -> Result<Vec<String>> {
        let format = self.format;
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
}
