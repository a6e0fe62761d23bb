//! What the kernel join operators share: which of DataFusion's hash joins they can run, their
//! key columns, the join's own projection, and the operator itself ([`BuildProbeExec`]): a build
//! side made once into a kernel's table, the probe side streamed through it batch by batch in its
//! own partitions. Each join is a [`BuildTable`].

use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;

use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{DataType, SchemaRef};
use datafusion::common::tree_node::TreeNodeRecursion;
use datafusion::common::NullEquality;
use datafusion::error::{DataFusionError, Result as DfResult};
use datafusion::execution::memory_pool::{MemoryConsumer, MemoryReservation};
use datafusion::execution::TaskContext;
use datafusion::physical_expr::expressions::Column;
use datafusion::physical_expr::{EquivalenceProperties, PhysicalExpr, PhysicalExprRef};
use datafusion::physical_plan::execution_plan::{Boundedness, EmissionType};
use datafusion::physical_plan::joins::HashJoinExec;
use datafusion::physical_plan::projection::ProjectionExec;
use datafusion::physical_plan::stream::RecordBatchStreamAdapter;
use datafusion::physical_plan::{
    DisplayAs, DisplayFormatType, ExecutionPlan, ExecutionPlanProperties, PlanProperties, SendableRecordBatchStream,
};
use futures::{StreamExt, TryStreamExt};
use tokio::sync::OnceCell;

use super::keyed_alike;
use crate::core::pool;
use crate::runtime::memory::JOIN_BUILD_SIDE;

/// A kernel join's table of its build side, and what it gives for each probe batch.
pub(super) trait BuildTable: Sized + Send + Sync + 'static {
    /// The operator's name in plans.
    const NAME: &'static str;
    /// What is kept of one build batch until the table is made.
    type Part: Send + 'static;

    /// The output's schema with what is known of its rows (orderings, equal columns), from the
    /// two sides'.
    fn output(build: &Arc<dyn ExecutionPlan>, probe: &Arc<dyn ExecutionPlan>) -> EquivalenceProperties;

    /// What to keep of a build batch and its key columns, and the memory it and its share of the
    /// table will take.
    fn keep(batch: RecordBatch, keys: Vec<ArrayRef>) -> (Self::Part, usize);

    /// The table of the kept parts (in the named pool, off the Tokio threads).
    ///
    /// # Errors
    /// The kernel's.
    fn make(schema: &SchemaRef, parts: Vec<Self::Part>) -> DfResult<Self>;

    /// The output rows for the probe batch `batch` whose key columns are `keys`.
    ///
    /// # Errors
    /// The kernel's.
    fn probe(&self, batch: &RecordBatch, keys: &[ArrayRef], schema: &SchemaRef) -> DfResult<RecordBatch>;
}

/// A build side's table and its memory in the session's pool (given back with it), made by the
/// first partition that needs it; the others wait for it and share it, or its error.
struct Built<T> {
    table: T,
    _reservation: MemoryReservation,
}

type SharedBuild<T> = Arc<OnceCell<Result<Arc<Built<T>>, Arc<DataFusionError>>>>;

/// The rows [`BuildTable::probe`] gives for every batch of `probe` against the table `T` of
/// `build`'s rows (one partition), in `probe`'s partitions and order.
pub(super) struct BuildProbeExec<T> {
    build: Arc<dyn ExecutionPlan>,
    build_keys: Vec<PhysicalExprRef>,
    probe: Arc<dyn ExecutionPlan>,
    probe_keys: Vec<PhysicalExprRef>,
    hash_table: SharedBuild<T>,
    properties: Arc<PlanProperties>,
    kind: PhantomData<T>,
}

impl<T: BuildTable> BuildProbeExec<T> {
    pub(super) fn new(
        build: Arc<dyn ExecutionPlan>,
        build_keys: Vec<PhysicalExprRef>,
        probe: Arc<dyn ExecutionPlan>,
        probe_keys: Vec<PhysicalExprRef>,
    ) -> Self {
        let equivalences = T::output(&build, &probe);
        let properties = PlanProperties::new(
            equivalences,
            probe.output_partitioning().clone(),
            EmissionType::Incremental,
            Boundedness::Bounded,
        );
        let hash_table = Arc::new(OnceCell::new());
        Self { build, build_keys, probe, probe_keys, hash_table, properties: Arc::new(properties), kind: PhantomData }
    }
}

impl<T> fmt::Debug for BuildProbeExec<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BuildProbeExec").finish_non_exhaustive()
    }
}

impl<T: BuildTable> DisplayAs for BuildProbeExec<T> {
    fn fmt_as(&self, _t: DisplayFormatType, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let keys = |exprs: &[PhysicalExprRef]| exprs.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ");
        let (build, probe) = (keys(&self.build_keys), keys(&self.probe_keys));
        write!(f, "{}: glueless kernel, build [{build}] probe [{probe}]", T::NAME)
    }
}

impl<T: BuildTable> ExecutionPlan for BuildProbeExec<T> {
    fn name(&self) -> &'static str {
        T::NAME
    }

    fn properties(&self) -> &Arc<PlanProperties> {
        &self.properties
    }

    fn children(&self) -> Vec<&Arc<dyn ExecutionPlan>> {
        vec![&self.build, &self.probe]
    }

    fn maintains_input_order(&self) -> Vec<bool> {
        vec![false, true]
    }

    fn apply_expressions(
        &self,
        f: &mut dyn FnMut(&Arc<dyn PhysicalExpr>) -> DfResult<TreeNodeRecursion>,
    ) -> DfResult<TreeNodeRecursion> {
        for expr in self.build_keys.iter().chain(&self.probe_keys) {
            if f(expr)? == TreeNodeRecursion::Stop {
                return Ok(TreeNodeRecursion::Stop);
            }
        }
        Ok(TreeNodeRecursion::Continue)
    }

    fn with_new_children(self: Arc<Self>, children: Vec<Arc<dyn ExecutionPlan>>) -> DfResult<Arc<dyn ExecutionPlan>> {
        let [build, probe] = <[_; 2]>::try_from(children)
            .map_err(|_| DataFusionError::Internal(format!("{} has two inputs", T::NAME)))?;
        Ok(Arc::new(Self::new(build, self.build_keys.clone(), probe, self.probe_keys.clone())))
    }

    fn execute(&self, partition: usize, context: Arc<TaskContext>) -> DfResult<SendableRecordBatchStream> {
        let probe = self.probe.execute(partition, Arc::clone(&context))?;
        let (hash_table, build, build_keys) =
            (Arc::clone(&self.hash_table), Arc::clone(&self.build), self.build_keys.clone());
        let (probe_keys, schema) = (self.probe_keys.clone(), self.schema());
        let rows = futures::stream::once(async move {
            let hash_table = hash_table
                .get_or_init(|| async move {
                    build_table::<T>(build, &build_keys, context).await.map(Arc::new).map_err(Arc::new)
                })
                .await
                .clone()
                .map_err(DataFusionError::Shared)?;
            Ok::<_, DataFusionError>(probe.map(move |batch| {
                let batch = batch?;
                hash_table.table.probe(&batch, &key_columns(&probe_keys, &batch)?, &schema)
            }))
        })
        .try_flatten();
        Ok(Box::pin(RecordBatchStreamAdapter::new(self.schema(), rows)))
    }
}

/// The table of every row of `build` (one partition), its memory reserved in the session's pool
/// batch by batch: past the pool's limit the query fails with DataFusion's line saying so, as its
/// own join's build side does.
async fn build_table<T: BuildTable>(
    build: Arc<dyn ExecutionPlan>,
    keys: &[PhysicalExprRef],
    context: Arc<TaskContext>,
) -> DfResult<Built<T>> {
    let consumer = MemoryConsumer::new(format!("glueless {} {JOIN_BUILD_SIDE}", T::NAME));
    let reservation = consumer.register(context.memory_pool());
    let schema = build.schema();
    let mut stream = build.execute(0, context)?;
    let mut parts = Vec::new();
    while let Some(batch) = stream.next().await {
        let batch = batch?;
        let key_columns = key_columns(keys, &batch)?;
        let (part, bytes) = T::keep(batch, key_columns);
        reservation.try_grow(bytes)?;
        parts.push(part);
    }
    let table = tokio::task::spawn_blocking(move || pool::install(|| T::make(&schema, parts)))
        .await
        .map_err(|e| DataFusionError::External(Box::new(e)))??;
    Ok(Built { table, _reservation: reservation })
}

/// The left and right key expressions of `join` when the kernel compares its keys as DataFusion
/// does: equal keys only (no other condition, NULL never equal to NULL, not NOT IN's null rule),
/// each pair of one type the kernel and DataFusion's join call equal alike.
pub(super) fn kernel_keys(join: &HashJoinExec) -> DfResult<Option<(Vec<PhysicalExprRef>, Vec<PhysicalExprRef>)>> {
    if join.filter().is_some() || join.null_equality() != NullEquality::NullEqualsNothing || join.null_aware {
        return Ok(None);
    }
    let (left_keys, right_keys): (Vec<PhysicalExprRef>, Vec<PhysicalExprRef>) = join.on().iter().cloned().unzip();
    let (left_schema, right_schema) = (join.left().schema(), join.right().schema());
    for (left, right) in left_keys.iter().zip(&right_keys) {
        let (left, right) = (left.data_type(&left_schema)?, right.data_type(&right_schema)?);
        if left != right || !compared_alike(&left) {
            return Ok(None);
        }
    }
    Ok(Some((left_keys, right_keys)))
}

/// Key types the kernel and DataFusion's join call equal alike (floats, whose `-0.0` and NaNs
/// the two compare differently, left to DataFusion).
fn compared_alike(data_type: &DataType) -> bool {
    keyed_alike(data_type) && !data_type.is_floating()
}

/// `plan` with the columns `projection` keeps, as a join's own projection gives them.
pub(super) fn projected(
    plan: Arc<dyn ExecutionPlan>,
    projection: Option<&[usize]>,
) -> DfResult<Arc<dyn ExecutionPlan>> {
    let Some(columns) = projection else { return Ok(plan) };
    let schema = plan.schema();
    let exprs = columns.iter().map(|&i| {
        let name = schema.field(i).name();
        (Arc::new(Column::new(name, i)) as Arc<dyn PhysicalExpr>, name.clone())
    });
    Ok(Arc::new(ProjectionExec::try_new(exprs, plan)?))
}

/// The values of the key expressions `keys` for the rows of `batch`.
pub(super) fn key_columns(keys: &[PhysicalExprRef], batch: &RecordBatch) -> DfResult<Vec<ArrayRef>> {
    keys.iter().map(|key| key.evaluate(batch)?.into_array(batch.num_rows())).collect()
}

/// A kernel error as DataFusion's.
pub(super) fn external(error: crate::error::Error) -> DataFusionError {
    DataFusionError::External(Box::new(error))
}
