//! Stream sinks: where the rows a micro-batch emits go. [`StreamSink`] is the one contract; a
//! folder of files ([`files::FileSink`]) and an Iceberg or Delta table ([`table::TableSink`])
//! implement it in Rust. The console, memory and `foreachBatch` sinks are the program's own
//! functions, called from Python before the sink (the engine's batch function), so they need no
//! implementation here. CONTRIBUTING.md has the recipe for a new sink.

pub(crate) mod files;
pub(crate) mod table;

use arrow_array::RecordBatch;

pub(crate) use files::FileSink;
pub(crate) use table::TableSink;

use crate::error::Result;

/// The commit log folder inside a sink (hidden from readers by its leading `_`).
pub(crate) const SINK_LOG: &str = "_glueless_stream";

/// Where a streaming query's emitted rows go, batch by batch.
///
/// A batch is handed over before the checkpoint commits it, so after a crash the same batch id
/// comes again with the same rows: a sink must make that replay leave no duplicate (the same
/// file names, or the batch id recorded with the data).
pub(crate) trait StreamSink: std::fmt::Debug + Send + Sync {
    /// The sink for the checkpoint's metadata and messages (its folder).
    fn describe(&self) -> String;

    /// Take batch `n`'s rows (at least one); what it wrote, relative to the sink.
    ///
    /// # Errors
    /// Storage and encoding errors naming the file or table.
    fn append(&self, n: u64, rows: &RecordBatch) -> Result<Vec<String>>;
}
