//! A semi-join (`IN (SELECT …)`, `EXISTS`, `LEFT SEMI JOIN`) as a filter by the other side's key
//! set on glueless's kernel ([`SemiJoinFilter`], the built-in jobs' consent filter) in place of
//! DataFusion's hash join: the kept side streams through in its own partitions, batch by batch,
//! where DataFusion's partitioned join first spreads all of its rows by key (the 8.1 M
//! accelerometer readings of 100× STEDI, every column copied). Only the other side's keys are
//! held, counted in the session's memory pool. The accelerometer script's semi-join: 0.50–0.52 →
//! 0.31–0.35 s with its rows collected (this machine, in-process, a dev `ci` build).

use std::fmt;
use std::sync::Arc;

use arrow_select::filter::filter_record_batch;
use datafusion::common::config::ConfigOptions;
use datafusion::common::tree_node::TreeNodeRecursion;
use datafusion::common::JoinType;
use datafusion::error::{DataFusionError, Result as DfResult};
use datafusion::execution::memory_pool::{MemoryConsumer, MemoryReservation};
use datafusion::execution::TaskContext;
use datafusion::physical_expr::{PhysicalExpr, PhysicalExprRef};
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
use crate::core::kernels::SemiJoinFilter;
use crate::core::pool;

/// Memory the key set needs per key beyond the key columns (a hash, a position, its share of
/// the hash table), reserved before it is built.
const KEY_SET_BYTES_PER_KEY: usize = 24;

/// The rule: a hash join that keeps one side's rows whose keys the other side has (a left or
/// right semi-join on equal keys, no other condition) becomes a [`KeySetFilterExec`].
#[derive(Debug)]
pub(crate) struct KeySetSemiJoin;

impl PhysicalOptimizerRule for KeySetSemiJoin {
    fn optimize(&self, plan: Arc<dyn ExecutionPlan>, _config: &ConfigOptions) -> DfResult<Arc<dyn ExecutionPlan>> {
        rewrite(plan, false, &replacement)
    }

    fn name(&self) -> &'static str {
        "glueless_key_set_semi_join"
    }

    fn schema_check(&self) -> bool {
        true
    }
}

/// The key-set filter for `node` when it is a semi-join the kernel can run, over as many
/// partitions as the join had (by the join's keys again when `keyed`).
fn replacement(node: &Arc<dyn ExecutionPlan>, keyed: bool) -> DfResult<Option<Arc<dyn ExecutionPlan>>> {
    let Some(join) = node.downcast_ref::<HashJoinExec>() else { return Ok(None) };
    let keep_left = match join.join_type() {
        JoinType::LeftSemi => true,
        JoinType::RightSemi => false,
        _ => return Ok(None),
    };
    let Some((left_keys, right_keys)) = kernel_keys(join)? else { return Ok(None) };
    let (kept, kept_keys, other, other_keys) = if keep_left {
        (join.left(), left_keys, join.right(), right_keys)
    } else {
        (join.right(), right_keys, join.left(), left_keys)
    };
    let one = Partitioning::UnknownPartitioning(1);
    let other = spread_like(skip_exchanges(other), &one, false)?;
    let kept = spread_like(skip_exchanges(kept), node.output_partitioning(), false)?;
    let filter: Arc<dyn ExecutionPlan> = Arc::new(KeySetFilterExec::new(kept, kept_keys, other, other_keys));
    let filter = projected(filter, join.projection.as_deref())?;
    Ok(Some(spread_like(filter, node.output_partitioning(), keyed)?))
}

/// The other side's key set, built once for every partition of the kept side.
struct KeySet {
    filter: SemiJoinFilter,
    /// The key set's memory in the session's pool, given back when the last partition ends.
    _reservation: MemoryReservation,
}

/// The rows of `kept` whose keys `kept_keys` are among the keys `other_keys` of `other`'s rows,
/// in `kept`'s partitions and order.
struct KeySetFilterExec {
    kept: Arc<dyn ExecutionPlan>,
    kept_keys: Vec<PhysicalExprRef>,
    other: Arc<dyn ExecutionPlan>,
    other_keys: Vec<PhysicalExprRef>,
    key_set: SharedBuild<KeySet>,
    properties: Arc<PlanProperties>,
}

impl fmt::Debug for KeySetFilterExec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeySetFilterExec").finish_non_exhaustive()
    }
}

impl KeySetFilterExec {
    fn new(
        kept: Arc<dyn ExecutionPlan>,
        kept_keys: Vec<PhysicalExprRef>,
        other: Arc<dyn ExecutionPlan>,
        other_keys: Vec<PhysicalExprRef>,
    ) -> Self {
        // A filter: the kept side's partitions, orderings and equivalences hold for its output.
        let properties = PlanProperties::new(
            kept.equivalence_properties().clone(),
            kept.output_partitioning().clone(),
            EmissionType::Incremental,
            Boundedness::Bounded,
        );
        let key_set = Arc::new(OnceCell::new());
        Self { kept, kept_keys, other, other_keys, key_set, properties: Arc::new(properties) }
    }
}

impl DisplayAs for KeySetFilterExec {
    fn fmt_as(&self, _t: DisplayFormatType, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let keys = |exprs: &[PhysicalExprRef]| exprs.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ");
        write!(f, "KeySetFilterExec: glueless kernel, keep [{}] in [{}]", keys(&self.kept_keys), keys(&self.other_keys))
    }
}

impl ExecutionPlan for KeySetFilterExec {
    fn name(&self) -> &'static str {
        "KeySetFilterExec"
    }

    fn properties(&self) -> &Arc<PlanProperties> {
        &self.properties
    }

    fn children(&self) -> Vec<&Arc<dyn ExecutionPlan>> {
        vec![&self.kept, &self.other]
    }

    fn maintains_input_order(&self) -> Vec<bool> {
        vec![true, false]
    }

    fn apply_expressions(
        &self,
        f: &mut dyn FnMut(&Arc<dyn PhysicalExpr>) -> DfResult<TreeNodeRecursion>,
    ) -> DfResult<TreeNodeRecursion> {
        for expr in self.kept_keys.iter().chain(&self.other_keys) {
            if f(expr)? == TreeNodeRecursion::Stop {
                return Ok(TreeNodeRecursion::Stop);
            }
        }
        Ok(TreeNodeRecursion::Continue)
    }

    fn with_new_children(self: Arc<Self>, children: Vec<Arc<dyn ExecutionPlan>>) -> DfResult<Arc<dyn ExecutionPlan>> {
        let [kept, other] = <[_; 2]>::try_from(children)
            .map_err(|_| DataFusionError::Internal("KeySetFilterExec has two inputs".to_string()))?;
        Ok(Arc::new(Self::new(kept, self.kept_keys.clone(), other, self.other_keys.clone())))
    }

    fn execute(&self, partition: usize, context: Arc<TaskContext>) -> DfResult<SendableRecordBatchStream> {
        let kept = self.kept.execute(partition, Arc::clone(&context))?;
        let (key_set, other, other_keys) =
            (Arc::clone(&self.key_set), Arc::clone(&self.other), self.other_keys.clone());
        let kept_keys = self.kept_keys.clone();
        let rows = futures::stream::once(async move {
            let key_set = key_set
                .get_or_init(|| async move { build(other, &other_keys, context).await.map(Arc::new).map_err(Arc::new) })
                .await
                .clone()
                .map_err(DataFusionError::Shared)?;
            Ok::<_, DataFusionError>(kept.map(move |batch| {
                let batch = batch?;
                let mask = key_set.filter.contains(&key_columns(&kept_keys, &batch)?).map_err(external)?;
                Ok(filter_record_batch(&batch, &mask)?)
            }))
        })
        .try_flatten();
        Ok(Box::pin(RecordBatchStreamAdapter::new(self.schema(), rows)))
    }
}

/// The key set of every row of `other` (one partition), its memory reserved in the session's pool
/// first: past the pool's limit the query fails with DataFusion's line saying so, as its own
/// join's build side does.
async fn build(other: Arc<dyn ExecutionPlan>, keys: &[PhysicalExprRef], context: Arc<TaskContext>) -> DfResult<KeySet> {
    let reservation = MemoryConsumer::new("glueless semi-join key set").register(context.memory_pool());
    let mut stream = other.execute(0, context)?;
    let mut key_batches = Vec::new();
    while let Some(batch) = stream.next().await {
        let batch = batch?;
        let columns = key_columns(keys, &batch)?;
        let bytes: usize = columns.iter().map(|c| c.get_array_memory_size()).sum();
        reservation.try_grow(bytes + batch.num_rows() * KEY_SET_BYTES_PER_KEY)?;
        key_batches.push(columns);
    }
    let filter = tokio::task::spawn_blocking(move || pool::install(|| SemiJoinFilter::from_key_columns(&key_batches)))
        .await
        .map_err(|e| DataFusionError::External(Box::new(e)))?
        .map_err(external)?;
    Ok(KeySet { filter, _reservation: reservation })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runtime::plans::testing::{answer, context, keyed_table as table};

    /// Against DataFusion's own join: the same rows for every semi-join the rule takes (IN and
    /// EXISTS, one and two keys, the kept side left and right, NULL keys on both sides, below an
    /// aggregate, a join on the same keys and a LIMIT); the joins it must leave (NOT IN, another
    /// condition) give the same rows too.
    #[test]
    fn the_key_set_filter_gives_datafusions_semi_join_rows() {
        let taken = [
            "SELECT * FROM t WHERE s IN (SELECT s FROM u)",
            "SELECT * FROM u WHERE s IN (SELECT s FROM t)",
            "SELECT * FROM t WHERE EXISTS (SELECT 1 FROM u WHERE u.s = t.s AND u.i = t.i)",
            "SELECT i, count(*) FROM t WHERE s IN (SELECT s FROM u WHERE i > 3) GROUP BY i",
            "SELECT x.n, u.n FROM (SELECT * FROM t WHERE s IN (SELECT s FROM u)) x JOIN u ON x.s = u.s",
            "SELECT count(*) FROM (SELECT * FROM t WHERE i IN (SELECT i FROM u) LIMIT 7)",
            "SELECT DISTINCT s, i FROM t WHERE i + 1 IN (SELECT i FROM u)",
        ];
        let left = [
            "SELECT * FROM t WHERE s NOT IN (SELECT s FROM u WHERE s IS NOT NULL)",
            "SELECT * FROM t WHERE EXISTS (SELECT 1 FROM u WHERE u.s = t.s AND u.i > t.i)",
        ];
        let rules: Vec<Arc<dyn PhysicalOptimizerRule + Send + Sync>> = vec![Arc::new(KeySetSemiJoin)];
        let (kernel, datafusion) = (context(rules, None), context(vec![], None));
        for ctx in [&kernel, &datafusion] {
            ctx.register_table("t", Arc::new(table(4000, 42, 60))).unwrap();
            ctx.register_table("u", Arc::new(table(400, 7, 30))).unwrap();
        }
        for (query, takes) in taken.iter().map(|q| (q, true)).chain(left.iter().map(|q| (q, false))) {
            let (got, plan) = answer(&kernel, query);
            let (expected, _) = answer(&datafusion, query);
            assert_eq!(plan.contains("KeySetFilterExec"), takes, "{query}:\n{plan}");
            assert!(!expected.is_empty(), "{query}");
            assert_eq!(got, expected, "{query}");
        }
    }

    /// A key set the memory pool cannot hold fails the query with DataFusion's line, never more.
    #[test]
    fn a_key_set_past_the_memory_limit_fails_with_one_line() {
        let rules: Vec<Arc<dyn PhysicalOptimizerRule + Send + Sync>> = vec![Arc::new(KeySetSemiJoin)];
        let limited = context(rules, Some(1 << 20));
        limited.register_table("t", Arc::new(table(4000, 42, 60))).unwrap();
        limited.register_table("u", Arc::new(table(200_000, 7, 100_000))).unwrap();
        let error = crate::runtime::sql::session::run(async {
            let df = limited.sql("SELECT * FROM t WHERE s IN (SELECT s FROM u)").await.unwrap();
            df.collect().await.unwrap_err()
        });
        assert!(error.to_string().contains("Resources exhausted"), "{error}");
    }
}
