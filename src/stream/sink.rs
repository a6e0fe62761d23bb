//! The append sink: one Parquet file per batch that emitted rows, named by the batch id
//! (`batch-00000003.parquet`), and a commit log `_glueless_stream/N` naming it. A file is put in
//! one atomic write; a replayed batch writes the same rows under the same name, so a reader never
//! sees a group twice.

use arrow_array::RecordBatch;
use bytes::Bytes;

use crate::error::Result;
use crate::storage::{objects, parquet_file, Location};

/// The folder the gold rows are appended to.
#[derive(Debug, Clone)]
pub struct AppendSink {
    pub folder: Location,
}

/// The commit log folder inside the sink (hidden from readers by its leading `_`).
pub const SINK_LOG: &str = "_glueless_stream";

impl AppendSink {
    /// The file name of batch `n`.
    #[must_use]
    pub fn file_name(n: u64) -> String {
        format!("batch-{n:08}.parquet")
    }

    /// Write the rows of batch `n` and log the batch as committed in the sink.
    ///
    /// # Errors
    /// Storage or Parquet errors naming the file.
    pub fn append(&self, n: u64, rows: &RecordBatch) -> Result<String> {
        let name = Self::file_name(n);
        let content = parquet_file::encode(&rows.schema(), std::slice::from_ref(rows))?;
        objects::put(&self.folder.join(&name), content)?;
        crate::storage::failpoint::hit("stream.after_output");
        let log = serde_json::json!({"batch": n, "files": [name], "rows": rows.num_rows()});
        objects::put(&self.folder.join(&format!("{SINK_LOG}/{n}")), Bytes::from(log.to_string()))?;
        Ok(name)
    }
}
