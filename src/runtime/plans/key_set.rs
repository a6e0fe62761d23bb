//! A semi-join (`IN (SELECT …)`, `EXISTS`, `LEFT SEMI JOIN`) as a filter by the other side's key
//! set on glueless's kernel ([`SemiJoinFilter`], the built-in jobs' consent filter) in place of
//! DataFusion's hash join: the kept side streams through in its own partitions, batch by batch,
//! where DataFusion's partitioned join first spreads all of its rows by key (the 8.1 M
//! accelerometer readings of 100× STEDI, every column copied). Only the other side's keys are
//! held, counted in the session's memory pool. The accelerometer script's semi-join: 0.50–0.52 →
//! 0.31–0.35 s with its rows collected (this machine, in-process, a dev `ci` build).

use std::sync::Arc;

use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::SchemaRef;
use arrow_select::filter::filter_record_batch;
use datafusion::common::JoinType;
use datafusion::error::Result as DfResult;
use datafusion::physical_expr::EquivalenceProperties;
use datafusion::physical_plan::joins::HashJoinExec;
use datafusion::physical_plan::{ExecutionPlan, ExecutionPlanProperties, Partitioning};

use super::joins::{external, kernel_keys, projected, BuildProbeExec, BuildTable};
use super::{skip_exchanges, spread_like, KernelRule};
use crate::core::kernels::SemiJoinFilter;

/// Memory the key set needs per key beyond the key columns (a hash, a position, its share of
/// the hash table), reserved before it is built.
const KEY_SET_BYTES_PER_KEY: usize = 24;

/// The rule: a hash join that keeps one side's rows whose keys the other side has (a left or
/// right semi-join on equal keys, no other condition) becomes a key-set filter.
pub(crate) const KEY_SET_SEMI_JOIN: KernelRule =
    KernelRule { name: "glueless_key_set_semi_join", replace: replacement };

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
    let filter: Arc<dyn ExecutionPlan> = Arc::new(BuildProbeExec::<KeySet>::new(other, other_keys, kept, kept_keys));
    let filter = projected(filter, join.projection.as_deref())?;
    Ok(Some(spread_like(filter, node.output_partitioning(), keyed)?))
}

/// The other side's key set: the kept side's rows whose keys it holds pass, as they are.
struct KeySet(SemiJoinFilter);

impl BuildTable for KeySet {
    const NAME: &'static str = "KeySetFilterExec";
    type Part = Vec<ArrayRef>;

    fn output(_other: &Arc<dyn ExecutionPlan>, kept: &Arc<dyn ExecutionPlan>) -> EquivalenceProperties {
        // A filter: what holds for the kept side's rows holds for its output.
        kept.equivalence_properties().clone()
    }

    fn keep(batch: RecordBatch, keys: Vec<ArrayRef>) -> (Self::Part, usize) {
        let bytes: usize = keys.iter().map(|c| c.get_array_memory_size()).sum();
        (keys, bytes + batch.num_rows() * KEY_SET_BYTES_PER_KEY)
    }

    fn make(_schema: &SchemaRef, parts: Vec<Self::Part>) -> DfResult<Self> {
        Ok(Self(SemiJoinFilter::from_key_columns(&parts).map_err(external)?))
    }

    fn probe(&self, batch: &RecordBatch, keys: &[ArrayRef], _schema: &SchemaRef) -> DfResult<RecordBatch> {
        Ok(filter_record_batch(batch, &self.0.contains(keys).map_err(external)?)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runtime::plans::testing::{assert_fails_past_the_memory_limit, assert_same_rows_as_datafusion};

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
        assert_same_rows_as_datafusion(vec![Arc::new(KEY_SET_SEMI_JOIN)], "KeySetFilterExec", &taken, &left);
    }

    /// A key set the memory pool cannot hold fails the query with DataFusion's line, never more.
    #[test]
    fn a_key_set_past_the_memory_limit_fails_with_one_line() {
        assert_fails_past_the_memory_limit(
            vec![Arc::new(KEY_SET_SEMI_JOIN)],
            "SELECT * FROM t WHERE s IN (SELECT s FROM u)",
            4000,
        );
    }
}
