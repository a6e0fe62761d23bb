//! Physical plans on glueless's kernels in place of DataFusion's operators where the kernel is
//! measured faster, and the optimizer rules that put them into the plans of every session
//! (Spark SQL, users' frames, Athena), so a script's SQL runs on the kernels the built-in jobs use.
//! Each operator is a file with its rule; the recipe is in CONTRIBUTING.md ("A kernel operator").

mod distinct;
mod inner_join;
mod joins;
mod key_set;
#[cfg(test)]
mod testing;

use std::sync::Arc;

use arrow_schema::DataType;
use datafusion::common::config::ConfigOptions;
use datafusion::error::Result as DfResult;
use datafusion::physical_optimizer::PhysicalOptimizerRule;
use datafusion::physical_plan::coalesce_partitions::CoalescePartitionsExec;
use datafusion::physical_plan::execution_plan::replace_children_if_necessary;
use datafusion::physical_plan::repartition::RepartitionExec;
use datafusion::physical_plan::{Distribution, ExecutionPlan, ExecutionPlanProperties, Partitioning};

/// The rules, in the order they run (after DataFusion's own).
pub(crate) fn rules() -> Vec<Arc<dyn PhysicalOptimizerRule + Send + Sync>> {
    vec![
        Arc::new(key_set::KEY_SET_SEMI_JOIN),
        Arc::new(inner_join::KERNEL_INNER_JOIN),
        Arc::new(distinct::KERNEL_DISTINCT),
    ]
}

/// A node's replacement, given whether an operator above needs its rows spread over partitions
/// by key; `None` leaves the node as it is.
type Replacement = fn(&Arc<dyn ExecutionPlan>, bool) -> DfResult<Option<Arc<dyn ExecutionPlan>>>;

/// The rule of one kernel operator: every node its `replace` takes, replaced (after DataFusion's
/// own rules; the plan's schema unchanged).
#[derive(Debug)]
pub(crate) struct KernelRule {
    name: &'static str,
    replace: Replacement,
}

impl PhysicalOptimizerRule for KernelRule {
    fn optimize(&self, plan: Arc<dyn ExecutionPlan>, _config: &ConfigOptions) -> DfResult<Arc<dyn ExecutionPlan>> {
        rewrite(plan, false, self.replace)
    }

    fn name(&self) -> &'static str {
        self.name
    }

    fn schema_check(&self) -> bool {
        true
    }
}

/// `plan` with the nodes `replace` takes replaced, children first. `keyed` when an operator above
/// needs the rows spread over partitions by key (a partitioned join, a partitioned aggregate).
fn rewrite(plan: Arc<dyn ExecutionPlan>, keyed: bool, replace: Replacement) -> DfResult<Arc<dyn ExecutionPlan>> {
    let children: Vec<Arc<dyn ExecutionPlan>> = plan.children().into_iter().cloned().collect();
    let plan = if children.is_empty() {
        plan
    } else {
        let needs = plan.input_distribution_requirements();
        let rewritten = children
            .into_iter()
            .enumerate()
            .map(|(i, child)| {
                let keyed = match needs.child_distribution(i) {
                    Some(Distribution::KeyPartitioned(_)) => true,
                    Some(Distribution::SinglePartition) => false,
                    // Partitions pass through most operators unchanged: what is needed above holds here.
                    _ => keyed,
                };
                rewrite(child, keyed, replace)
            })
            .collect::<DfResult<Vec<_>>>()?;
        replace_children_if_necessary(plan, rewritten)?
    };
    Ok(replace(&plan, keyed)?.unwrap_or(plan))
}

/// `plan` spread over the partitions of `like` (the partitioning of the node it stands in for):
/// by the same keys when `keyed`, else in turn (no hashing), or merged into one.
fn spread_like(plan: Arc<dyn ExecutionPlan>, like: &Partitioning, keyed: bool) -> DfResult<Arc<dyn ExecutionPlan>> {
    let (have, want) = (plan.output_partitioning().partition_count(), like.partition_count());
    let partitioning = match like {
        Partitioning::Hash(keys, n) if keyed && *n > 1 => Partitioning::Hash(keys.clone(), *n),
        _ if want > 1 && have != want => Partitioning::RoundRobinBatch(want),
        _ if want <= 1 && have > 1 => return Ok(Arc::new(CoalescePartitionsExec::new(plan))),
        _ => return Ok(plan),
    };
    Ok(Arc::new(RepartitionExec::try_new(plan, partitioning)?))
}

/// `plan` below any repartition or coalesce (exchanges that move rows without changing them).
fn skip_exchanges(plan: &Arc<dyn ExecutionPlan>) -> Arc<dyn ExecutionPlan> {
    let mut plan = Arc::clone(plan);
    while plan.is::<RepartitionExec>() || plan.is::<CoalescePartitionsExec>() {
        plan = Arc::clone(plan.children()[0]);
    }
    plan
}

/// Types whose values the kernels' keys ([`crate::core::kernels::key_rows`]) and DataFusion's
/// grouping call equal alike.
fn keyed_alike(data_type: &DataType) -> bool {
    use DataType::{
        Binary, Boolean, Date32, Date64, Decimal128, Float32, Float64, Int16, Int32, Int64, Int8, LargeBinary,
        LargeUtf8, Null, Time32, Time64, Timestamp, UInt16, UInt32, UInt64, UInt8, Utf8,
    };
    matches!(
        data_type,
        Null | Boolean
            | Int8
            | Int16
            | Int32
            | Int64
            | UInt8
            | UInt16
            | UInt32
            | UInt64
            | Float32
            | Float64
            | Utf8
            | LargeUtf8
            | Binary
            | LargeBinary
            | Date32
            | Date64
            | Timestamp(_, _)
            | Time32(_)
            | Time64(_)
            | Decimal128(_, _)
    )
}
