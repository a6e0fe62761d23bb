//! What the engine asks of a query's state, whatever the query: take a batch's rows, say which
//! rows the batch emits, and save and restore itself in the checkpoint.

use arrow_array::RecordBatch;

use super::spec::OutputMode;
use crate::error::Result;

/// Counts of one batch's rows: `rows == aggregated + passed + duplicates + late + null_time`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct UpdateCounts {
    pub(crate) rows: u64,
    /// Rows folded into at least one group (aggregations).
    pub(crate) aggregated: u64,
    /// Rows passed on (queries without aggregation).
    pub(crate) passed: u64,
    /// Rows dropped as duplicates of a key already seen.
    pub(crate) duplicates: u64,
    /// Rows at or below the watermark: every window, or the event time, already closed.
    pub(crate) late: u64,
    /// Rows without an event time that an aggregation cannot place (Spark's window() drops them too).
    pub(crate) null_time: u64,
    /// Largest event time seen, late rows included (microseconds).
    pub(crate) max_event_time: Option<i64>,
}

/// The state of a running query.
pub(crate) trait Operator: Send {
    /// Take `batch`; rows late for `late_watermark` (microseconds) are dropped and counted.
    ///
    /// # Errors
    /// Arrow errors on columns the operator checked when it was built.
    fn update(&mut self, batch: &RecordBatch, late_watermark: i64) -> Result<UpdateCounts>;

    /// The rows this batch emits in `mode`, once every input batch was taken; `watermark`
    /// (the batch's) closes groups or forgets keys.
    ///
    /// # Errors
    /// Arrow errors.
    fn emit(&mut self, mode: OutputMode, watermark: i64) -> Result<RecordBatch>;

    /// Entries held: open groups, remembered keys.
    fn len(&self) -> usize;

    /// The whole state as one batch, for the checkpoint.
    ///
    /// # Errors
    /// Arrow errors.
    fn snapshot(&self) -> Result<RecordBatch>;

    /// Replace the state with a [`Operator::snapshot`].
    ///
    /// # Errors
    /// [`crate::Error::InvalidArgument`] when the snapshot does not fit this query.
    fn restore(&mut self, snapshot: &RecordBatch) -> Result<()>;
}
