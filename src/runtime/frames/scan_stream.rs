//! The one-partition scan of a source whose batches come from blocking work (file reads, the
//! rayon pool): the work runs on a thread of its own, outside the SQL runtime, a few batches
//! ahead of the query that consumes them, hands them on in the source's order, and stops when
//! the query stops reading. Each source says only what it is and how it produces its batches.

use std::fmt;
use std::sync::Arc;

use arrow_array::RecordBatch;
use arrow_schema::SchemaRef;
use datafusion::common::tree_node::TreeNodeRecursion;
use datafusion::common::Statistics;
use datafusion::error::{DataFusionError, Result as DfResult};
use datafusion::execution::TaskContext;
use datafusion::physical_expr::{EquivalenceProperties, PhysicalExpr};
use datafusion::physical_plan::execution_plan::{Boundedness, EmissionType};
use datafusion::physical_plan::stream::RecordBatchStreamAdapter;
use datafusion::physical_plan::{
    DisplayAs, DisplayFormatType, ExecutionPlan, Partitioning, PlanProperties, SendableRecordBatchStream,
};
use futures::channel::mpsc;
use futures::SinkExt;

use crate::error::Result;

/// Batches a scan produces ahead of the query that consumes them.
const BATCHES_AHEAD: usize = 4;

/// A source a query scans in order: its rows as the scan's batches, produced on a thread.
pub(super) trait InOrderSource: Send + Sync + 'static {
    /// The scan's name in plans.
    const NAME: &'static str;

    /// What a plan shows of the scan after its name.
    fn describe(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result;

    /// What is known of the rows before they are read (DataFusion plans joins with it).
    fn statistics(&self, schema: &SchemaRef) -> Statistics;

    /// Hand the rows to `send`, in order, until it returns false (the query stopped reading).
    ///
    /// # Errors
    /// Whatever reading the rows meets; the query fails with it.
    fn produce(&self, send: &mut dyn FnMut(RecordBatch) -> bool) -> Result<()>;
}

/// The scan of an [`InOrderSource`]: one partition, its batches in the source's order.
pub(super) struct InOrderScanExec<S> {
    source: Arc<S>,
    schema: SchemaRef,
    properties: Arc<PlanProperties>,
}

impl<S: InOrderSource> InOrderScanExec<S> {
    /// The scan of `source`, whose batches have `schema`.
    pub(super) fn new(source: S, schema: SchemaRef) -> Self {
        let properties = PlanProperties::new(
            EquivalenceProperties::new(Arc::clone(&schema)),
            Partitioning::UnknownPartitioning(1),
            EmissionType::Incremental,
            Boundedness::Bounded,
        );
        Self { source: Arc::new(source), schema, properties: Arc::new(properties) }
    }
}

impl<S: InOrderSource> fmt::Debug for InOrderScanExec<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct(S::NAME).finish_non_exhaustive()
    }
}

impl<S: InOrderSource> DisplayAs for InOrderScanExec<S> {
    fn fmt_as(&self, _t: DisplayFormatType, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: ", S::NAME)?;
        self.source.describe(f)
    }
}

impl<S: InOrderSource> ExecutionPlan for InOrderScanExec<S> {
    fn name(&self) -> &'static str {
        S::NAME
    }

    fn properties(&self) -> &Arc<PlanProperties> {
        &self.properties
    }

    fn children(&self) -> Vec<&Arc<dyn ExecutionPlan>> {
        Vec::new()
    }

    fn apply_expressions(
        &self,
        _f: &mut dyn FnMut(&Arc<dyn PhysicalExpr>) -> DfResult<TreeNodeRecursion>,
    ) -> DfResult<TreeNodeRecursion> {
        Ok(TreeNodeRecursion::Continue)
    }

    fn with_new_children(self: Arc<Self>, _children: Vec<Arc<dyn ExecutionPlan>>) -> DfResult<Arc<dyn ExecutionPlan>> {
        Ok(self)
    }

    fn execute(&self, _partition: usize, _context: Arc<TaskContext>) -> DfResult<SendableRecordBatchStream> {
        let (mut sender, receiver) = mpsc::channel(BATCHES_AHEAD);
        let source = Arc::clone(&self.source);
        std::thread::spawn(move || {
            let produced = source.produce(&mut |batch| futures::executor::block_on(sender.send(Ok(batch))).is_ok());
            if let Err(err) = produced {
                let _ = futures::executor::block_on(sender.send(Err(DataFusionError::External(Box::new(err)))));
            }
        });
        Ok(Box::pin(RecordBatchStreamAdapter::new(Arc::clone(&self.schema), receiver)))
    }

    #[allow(deprecated)] // DataFusion 55 asks statistics of a leaf through this method still
    fn partition_statistics(&self, _partition: Option<usize>) -> DfResult<Arc<Statistics>> {
        Ok(Arc::new(self.source.statistics(&self.schema)))
    }
}
