//! An inner join on equal keys on glueless's kernel ([`InnerJoinBuild`], the built-in jobs'
//! join) in place of DataFusion's hash join: the build side (the one DataFusion chose, its left)
//! is made once into one hash table, and the other side streams through it in its own
//! partitions, where DataFusion's partitioned join first spreads both sides' rows by key (the
//! 1.4 M step trainer and 4.1 M accelerometer rows of 100× STEDI's machine_learning_curated,
//! every column copied). The build side is counted in the session's memory pool. That script's
//! peak 595–614 → 450–478 MiB; its join about as fast as DataFusion's (0.6–0.7 s with the reads,
//! in-process): the build is one thread, DataFusion's partitioned build two.

use std::fmt;
use std::sync::Arc;

use arrow_array::RecordBatch;
use arrow_schema::{Schema, SchemaRef};
use arrow_select::take::take;
use datafusion::common::config::ConfigOptions;
use datafusion::common::tree_node::TreeNodeRecursion;
use datafusion::common::JoinType;
use datafusion::error::{DataFusionError, Result as DfResult};
use datafusion::execution::memory_pool::{MemoryConsumer, MemoryReservation};
use datafusion::execution::TaskContext;
use datafusion::physical_expr::{EquivalenceProperties, PhysicalExpr, PhysicalExprRef};
use datafusion::physical_optimizer::PhysicalOptimizerRule;
use datafusion::physical_plan::execution_plan::{Boundedness, EmissionType};
use datafusion::physical_plan::joins::HashJoinExec;
use datafusion::physical_plan::stream::RecordBatchStreamAdapter;
use datafusion::physical_plan::{
    DisplayAs, DisplayFormatType, ExecutionPlan, ExecutionPlanProperties, Partitioning, PlanProperties,
    SendableRecordBatchStream,
};
use futures::{StreamExt, TryStreamExt};
use tokio::sync::OnceCell;

use super::joins::{external, kernel_keys, key_columns, projected, SharedBuild};
use super::{rewrite, skip_exchanges, spread_like};
use crate::core::kernels::InnerJoinBuild;
use crate::core::pool;

/// Memory the hash table needs per build row beyond the rows themselves (a hash, a chain link,
/// its slot), reserved before it is built.
const BUILD_BYTES_PER_ROW: usize = 24;

/// The rule: an inner hash join on equal keys with no other condition becomes an
/// [`InnerJoinExec`] building on the same side.
#[derive(Debug)]
pub(crate) struct KernelInnerJoin;

impl PhysicalOptimizerRule for KernelInnerJoin {
    fn optimize(&self, plan: Arc<dyn ExecutionPlan>, _config: &ConfigOptions) -> DfResult<Arc<dyn ExecutionPlan>> {
        rewrite(plan, false, &replacement)
    }

    fn name(&self) -> &'static str {
        "glueless_kernel_inner_join"
    }

    fn schema_check(&self) -> bool {
        true
    }
}

/// The kernel's join for `node` when it is an inner join the kernel can run, over as many
/// partitions as the join had (by its keys again when `keyed`).
fn replacement(node: &Arc<dyn ExecutionPlan>, keyed: bool) -> DfResult<Option<Arc<dyn ExecutionPlan>>> {
    let Some(join) = node.downcast_ref::<HashJoinExec>() else { return Ok(None) };
    if *join.join_type() != JoinType::Inner {
        return Ok(None);
    }
    let Some((left_keys, right_keys)) = kernel_keys(join)? else { return Ok(None) };
    let one = Partitioning::UnknownPartitioning(1);
    let build = spread_like(skip_exchanges(join.left()), &one, false)?;
    let probe = spread_like(skip_exchanges(join.right()), node.output_partitioning(), false)?;
    let joined: Arc<dyn ExecutionPlan> = Arc::new(InnerJoinExec::new(build, left_keys, probe, right_keys));
    let joined = projected(joined, join.projection.as_deref())?;
    Ok(Some(spread_like(joined, node.output_partitioning(), keyed)?))
}

/// The build side's hash table, and its memory in the session's pool (given back with it).
struct Built {
    table: InnerJoinBuild,
    _reservation: MemoryReservation,
}

/// Every pair of a `build` row and a `probe` row with equal keys: the build columns, then the
/// probe columns, in `probe`'s partitions and row order.
struct InnerJoinExec {
    build: Arc<dyn ExecutionPlan>,
    build_keys: Vec<PhysicalExprRef>,
    probe: Arc<dyn ExecutionPlan>,
    probe_keys: Vec<PhysicalExprRef>,
    hash_table: SharedBuild<Built>,
    properties: Arc<PlanProperties>,
}

impl fmt::Debug for InnerJoinExec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("InnerJoinExec").finish_non_exhaustive()
    }
}

impl InnerJoinExec {
    fn new(
        build: Arc<dyn ExecutionPlan>,
        build_keys: Vec<PhysicalExprRef>,
        probe: Arc<dyn ExecutionPlan>,
        probe_keys: Vec<PhysicalExprRef>,
    ) -> Self {
        let fields = build.schema().fields().iter().chain(probe.schema().fields()).cloned().collect::<Vec<_>>();
        let schema: SchemaRef = Arc::new(Schema::new(fields));
        let properties = PlanProperties::new(
            EquivalenceProperties::new(schema),
            probe.output_partitioning().clone(),
            EmissionType::Incremental,
            Boundedness::Bounded,
        );
        let hash_table = Arc::new(OnceCell::new());
        Self { build, build_keys, probe, probe_keys, hash_table, properties: Arc::new(properties) }
    }
}

impl DisplayAs for InnerJoinExec {
    fn fmt_as(&self, _t: DisplayFormatType, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let keys = |exprs: &[PhysicalExprRef]| exprs.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ");
        write!(
            f,
            "InnerJoinExec: glueless kernel, build [{}] probe [{}]",
            keys(&self.build_keys),
            keys(&self.probe_keys)
        )
    }
}

impl ExecutionPlan for InnerJoinExec {
    fn name(&self) -> &'static str {
        "InnerJoinExec"
    }

    fn properties(&self) -> &Arc<PlanProperties> {
        &self.properties
    }

    fn children(&self) -> Vec<&Arc<dyn ExecutionPlan>> {
        vec![&self.build, &self.probe]
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
            .map_err(|_| DataFusionError::Internal("InnerJoinExec has two inputs".to_string()))?;
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
                    build_table(build, &build_keys, context).await.map(Arc::new).map_err(Arc::new)
                })
                .await
                .clone()
                .map_err(DataFusionError::Shared)?;
            Ok::<_, DataFusionError>(probe.map(move |batch| joined(&hash_table.table, &probe_keys, &batch?, &schema)))
        })
        .try_flatten();
        Ok(Box::pin(RecordBatchStreamAdapter::new(self.schema(), rows)))
    }
}

/// The hash table of every row of `build` (one partition) on `keys`, its memory reserved in the
/// session's pool first: past the pool's limit the query fails with DataFusion's line saying so,
/// as its own join's build side does.
async fn build_table(
    build: Arc<dyn ExecutionPlan>,
    keys: &[PhysicalExprRef],
    context: Arc<TaskContext>,
) -> DfResult<Built> {
    let reservation = MemoryConsumer::new("glueless inner join build side").register(context.memory_pool());
    let schema = build.schema();
    let mut stream = build.execute(0, context)?;
    let mut batches = Vec::new();
    while let Some(batch) = stream.next().await {
        let batch = batch?;
        // Twice: the batches and the one batch they are put together into.
        reservation.try_grow(2 * batch.get_array_memory_size() + batch.num_rows() * BUILD_BYTES_PER_ROW)?;
        batches.push(batch);
    }
    let keys = keys.to_vec();
    let table = tokio::task::spawn_blocking(move || {
        let batch = arrow_select::concat::concat_batches(&schema, &batches)?;
        drop(batches);
        let key_columns = key_columns(&keys, &batch)?;
        pool::install(|| InnerJoinBuild::from_key_columns(batch, &key_columns)).map_err(external)
    })
    .await
    .map_err(|e| DataFusionError::External(Box::new(e)))??;
    Ok(Built { table, _reservation: reservation })
}

/// The pairs of build rows and rows of the probe batch `batch` with equal keys, as `schema`'s rows.
fn joined(
    table: &InnerJoinBuild,
    probe_keys: &[PhysicalExprRef],
    batch: &RecordBatch,
    schema: &SchemaRef,
) -> DfResult<RecordBatch> {
    let (probe_rows, build_rows) = table.matching_rows(&key_columns(probe_keys, batch)?).map_err(external)?;
    let build_columns = table.batch().columns().iter().map(|c| take(c, &build_rows, None));
    let probe_columns = batch.columns().iter().map(|c| take(c, &probe_rows, None));
    let columns = build_columns.chain(probe_columns).collect::<Result<Vec<_>, _>>()?;
    let options = arrow_array::RecordBatchOptions::new().with_row_count(Some(probe_rows.len()));
    Ok(RecordBatch::try_new_with_options(Arc::clone(schema), columns, &options)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runtime::plans::testing::{answer, context, keyed_table as table};

    /// Against DataFusion's own join: the same rows for every inner join the rule takes (one and
    /// two keys, an expression key, NULL keys on both sides, below an aggregate, another join and
    /// a LIMIT); the joins it must leave (another condition, an outer join) give the same rows too.
    #[test]
    fn the_kernel_gives_datafusions_inner_join_rows() {
        let taken = [
            "SELECT * FROM t JOIN u ON t.s = u.s",
            "SELECT t.n, u.n FROM t JOIN u ON t.s = u.s AND t.i = u.i",
            "SELECT t.n, u.i FROM u JOIN t ON t.i = u.i WHERE u.n > 10",
            "SELECT t.s, count(*) FROM t JOIN u ON t.i = u.i GROUP BY t.s",
            "SELECT count(*), sum(v.n) FROM t JOIN u ON t.s = u.s JOIN u v ON u.i = v.i",
            "SELECT count(*) FROM (SELECT t.n FROM t JOIN u ON t.s = u.s LIMIT 9)",
            "SELECT t.n, u.n FROM t JOIN u ON t.i + 1 = u.i",
        ];
        let left = [
            "SELECT t.n, u.n FROM t JOIN u ON t.s = u.s AND t.i > u.i",
            "SELECT t.n, u.n FROM t LEFT JOIN u ON t.s = u.s",
        ];
        let rules: Vec<Arc<dyn PhysicalOptimizerRule + Send + Sync>> = vec![Arc::new(KernelInnerJoin)];
        let (kernel, datafusion) = (context(rules, None), context(vec![], None));
        for ctx in [&kernel, &datafusion] {
            ctx.register_table("t", Arc::new(table(4000, 42, 60))).unwrap();
            ctx.register_table("u", Arc::new(table(400, 7, 30))).unwrap();
        }
        for (query, takes) in taken.iter().map(|q| (q, true)).chain(left.iter().map(|q| (q, false))) {
            let (got, plan) = answer(&kernel, query);
            let (expected, _) = answer(&datafusion, query);
            assert_eq!(plan.contains("InnerJoinExec"), takes, "{query}:\n{plan}");
            assert!(!expected.is_empty(), "{query}");
            assert_eq!(got, expected, "{query}");
        }
    }

    /// A build side the memory pool cannot hold fails the query with DataFusion's line.
    #[test]
    fn a_build_side_past_the_memory_limit_fails_with_one_line() {
        let rules: Vec<Arc<dyn PhysicalOptimizerRule + Send + Sync>> = vec![Arc::new(KernelInnerJoin)];
        let limited = context(rules, Some(1 << 20));
        limited.register_table("t", Arc::new(table(200_000, 42, 100_000))).unwrap();
        limited.register_table("u", Arc::new(table(200_000, 7, 100_000))).unwrap();
        let error = crate::runtime::sql::session::run(async {
            let df = limited.sql("SELECT t.n, u.n FROM t JOIN u ON t.s = u.s").await.unwrap();
            df.collect().await.unwrap_err()
        });
        assert!(error.to_string().contains("Resources exhausted"), "{error}");
    }
}
