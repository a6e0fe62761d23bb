//! The stream of a source's scan whose batches are produced by blocking work (file reads, the
//! rayon pool): the work runs on a thread of its own, outside the SQL runtime, a few batches
//! ahead of the query that consumes them, and stops when the query stops reading.

use arrow_array::RecordBatch;
use arrow_schema::SchemaRef;
use datafusion::error::DataFusionError;
use datafusion::physical_plan::stream::RecordBatchStreamAdapter;
use datafusion::physical_plan::SendableRecordBatchStream;
use futures::channel::mpsc;
use futures::SinkExt;

use crate::error::Result;

/// Batches a scan produces ahead of the query that consumes them.
const BATCHES_AHEAD: usize = 4;

/// The stream of what `produce` hands to its `send` (which returns false once the query stopped
/// reading); an error `produce` returns ends the stream with that error.
pub(super) fn produced_in_order(
    schema: SchemaRef,
    produce: impl FnOnce(&mut dyn FnMut(RecordBatch) -> bool) -> Result<()> + Send + 'static,
) -> SendableRecordBatchStream {
    let (mut sender, receiver) = mpsc::channel(BATCHES_AHEAD);
    std::thread::spawn(move || {
        let produced = produce(&mut |batch| futures::executor::block_on(sender.send(Ok(batch))).is_ok());
        if let Err(err) = produced {
            let _ = futures::executor::block_on(sender.send(Err(DataFusionError::External(Box::new(err)))));
        }
    });
    Box::pin(RecordBatchStreamAdapter::new(schema, receiver))
}
