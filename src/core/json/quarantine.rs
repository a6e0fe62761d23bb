//! The quarantine: landing records that could not be decoded, kept with where they came from and
//! why, so that nothing is lost and a person can fix and replay them.

use std::sync::{Arc, LazyLock};

use arrow_array::builder::{Int64Builder, StringBuilder};
use arrow_array::RecordBatch;
use arrow_schema::{DataType, Field, Schema, SchemaRef};

use crate::error::Result;

/// Raw lines longer than this are cut in the quarantine (the reason says so); the landing file
/// and the line number still point at the whole record.
pub(crate) const MAX_RAW_BYTES: usize = 1 << 20;

static REJECTED_SCHEMA: LazyLock<SchemaRef> = LazyLock::new(|| {
    Arc::new(Schema::new(vec![
        Field::new("source_file", DataType::Utf8, false),
        Field::new("line_number", DataType::Int64, false),
        Field::new("reason", DataType::Utf8, false),
        Field::new("raw_line", DataType::Utf8, false),
    ]))
});

/// Schema of the quarantine table: source_file, line_number (1-based), reason, raw_line.
#[must_use]
pub(crate) fn rejected_schema() -> SchemaRef {
    REJECTED_SCHEMA.clone()
}

/// Collects rejected records.
#[derive(Default)]
pub(crate) struct RejectedBuilder {
    source_file: StringBuilder,
    line_number: Int64Builder,
    reason: StringBuilder,
    raw_line: StringBuilder,
    /// Bytes in the widest string column since the last [`Self::finish`] (an upper bound).
    text_bytes: usize,
}

impl RejectedBuilder {
    /// Record that line `line` of `source_file` was rejected for `reason`.
    pub(crate) fn push(&mut self, source_file: &str, line: u64, reason: &str, raw: &[u8]) {
        self.source_file.append_value(source_file);
        self.line_number.append_value(i64::try_from(line).unwrap_or(i64::MAX));
        // Lossy UTF-8 can triple invalid bytes (U+FFFD); reasons stay short.
        self.text_bytes += source_file.len() + reason.len() + 64 + 3 * raw.len().min(MAX_RAW_BYTES);
        if raw.len() > MAX_RAW_BYTES {
            self.reason.append_value(format!("{reason} (raw line cut to {MAX_RAW_BYTES} of {} bytes)", raw.len()));
            self.raw_line.append_value(String::from_utf8_lossy(&raw[..MAX_RAW_BYTES]));
        } else {
            self.reason.append_value(reason);
            // Invalid bytes show as U+FFFD; the reason gives the offset of the first one.
            self.raw_line.append_value(String::from_utf8_lossy(raw));
        }
    }

    /// An upper bound of the bytes of any string column so far: the caller starts a new batch
    /// ([`Self::finish`]) before it nears Arrow's 2 GiB limit.
    #[must_use]
    pub(crate) fn text_bytes(&self) -> usize {
        self.text_bytes
    }

    /// The rejected records as a batch.
    ///
    /// # Errors
    /// Never in practice: the columns always match the schema.
    pub(crate) fn finish(&mut self) -> Result<RecordBatch> {
        self.text_bytes = 0;
        Ok(RecordBatch::try_new(
            rejected_schema(),
            vec![
                Arc::new(self.source_file.finish()),
                Arc::new(self.line_number.finish()),
                Arc::new(self.reason.finish()),
                Arc::new(self.raw_line.finish()),
            ],
        )?)
    }
}
