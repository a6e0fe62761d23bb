//! An inner join on equal keys on glueless's kernel ([`InnerJoinBuild`], the built-in jobs'
//! join) in place of DataFusion's hash join: the build side (the one DataFusion chose, its left)
//! is made once into one hash table, and the other side streams through it in its own
//! partitions, where DataFusion's partitioned join first spreads both sides' rows by key (the
//! 1.4 M step trainer and 4.1 M accelerometer rows of 100× STEDI's machine_learning_curated,
//! every column copied). The build side is counted in the session's memory pool. That script's
//! peak 595–614 → 450–478 MiB; its join about as fast as DataFusion's (0.6–0.7 s with the reads,
//! in-process): the build is one thread, DataFusion's partitioned build two.

use std::sync::Arc;

use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{Schema, SchemaRef};
use arrow_select::take::take;
use datafusion::common::JoinType;
use datafusion::error::Result as DfResult;
use datafusion::physical_expr::EquivalenceProperties;
use datafusion::physical_plan::joins::HashJoinExec;
use datafusion::physical_plan::{ExecutionPlan, ExecutionPlanProperties, Partitioning};

use super::joins::{external, kernel_keys, projected, BuildProbeExec, BuildTable};
use super::{skip_exchanges, spread_like, KernelRule};
use crate::core::kernels::InnerJoinBuild;

/// Memory the hash table needs per build row beyond the rows themselves (a hash, a chain link,
/// its slot), reserved before it is built.
const BUILD_BYTES_PER_ROW: usize = 24;

/// The rule: an inner hash join on equal keys with no other condition becomes the kernel's
/// join, building on the same side.
pub(crate) const KERNEL_INNER_JOIN: KernelRule =
    KernelRule { name: "glueless_kernel_inner_join", replace: replacement };

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
    let joined: Arc<dyn ExecutionPlan> =
        Arc::new(BuildProbeExec::<InnerJoinTable>::new(build, left_keys, probe, right_keys));
    let joined = projected(joined, join.projection.as_deref())?;
    Ok(Some(spread_like(joined, node.output_partitioning(), keyed)?))
}

/// The build side's rows in one hash table: every pair of a build row and a probe row with
/// equal keys, the build columns first.
struct InnerJoinTable(InnerJoinBuild);

impl BuildTable for InnerJoinTable {
    const NAME: &'static str = "InnerJoinExec";
    type Part = (RecordBatch, Vec<ArrayRef>);

    fn output(build: &Arc<dyn ExecutionPlan>, probe: &Arc<dyn ExecutionPlan>) -> EquivalenceProperties {
        let fields = build.schema().fields().iter().chain(probe.schema().fields()).cloned().collect::<Vec<_>>();
        EquivalenceProperties::new(Arc::new(Schema::new(fields)))
    }

    fn keep(batch: RecordBatch, keys: Vec<ArrayRef>) -> (Self::Part, usize) {
        // The batch, and its share of the column being put together when they are made one
        // ([`one_batch`]).
        let widest = batch.columns().iter().map(|c| c.get_array_memory_size()).max().unwrap_or(0);
        let bytes = batch.get_array_memory_size() + widest + batch.num_rows() * BUILD_BYTES_PER_ROW;
        ((batch, keys), bytes)
    }

    fn make(schema: &SchemaRef, parts: Vec<Self::Part>) -> DfResult<Self> {
        let (batches, keys): (Vec<RecordBatch>, Vec<Vec<ArrayRef>>) = parts.into_iter().unzip();
        let batch = one_batch(schema, batches)?;
        let key_count = keys.first().map_or(0, Vec::len);
        let keys = (0..key_count)
            .map(|k| arrow_select::concat::concat(&keys.iter().map(|part| part[k].as_ref()).collect::<Vec<_>>()))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self(InnerJoinBuild::from_key_columns(batch, &keys).map_err(external)?))
    }

    fn probe(&self, batch: &RecordBatch, keys: &[ArrayRef], schema: &SchemaRef) -> DfResult<RecordBatch> {
        let (probe_rows, build_rows) = self.0.matching_rows(keys).map_err(external)?;
        let build_columns = self.0.batch().columns().iter().map(|c| take(c, &build_rows, None));
        let probe_columns = batch.columns().iter().map(|c| take(c, &probe_rows, None));
        let columns = build_columns.chain(probe_columns).collect::<Result<Vec<_>, _>>()?;
        let options = arrow_array::RecordBatchOptions::new().with_row_count(Some(probe_rows.len()));
        Ok(RecordBatch::try_new_with_options(Arc::clone(schema), columns, &options)?)
    }
}

/// `batches` as one batch, put together a column at a time, each column's pieces let go once it
/// is whole: memory holds the batches and one column more, where putting whole batches together
/// held them twice (the 1.4 M step trainer rows of machine_learning_curated, some 80 MiB).
fn one_batch(schema: &SchemaRef, batches: Vec<RecordBatch>) -> DfResult<RecordBatch> {
    if batches.is_empty() {
        return Ok(RecordBatch::new_empty(Arc::clone(schema)));
    }
    let rows = batches.iter().map(RecordBatch::num_rows).sum();
    let mut pieces: Vec<Vec<ArrayRef>> = vec![Vec::with_capacity(batches.len()); schema.fields().len()];
    for batch in batches {
        for (column, piece) in pieces.iter_mut().zip(batch.columns()) {
            column.push(Arc::clone(piece));
        }
    }
    let columns = pieces
        .into_iter()
        .map(|column| arrow_select::concat::concat(&column.iter().map(AsRef::as_ref).collect::<Vec<_>>()))
        .collect::<Result<Vec<_>, _>>()?;
    let options = arrow_array::RecordBatchOptions::new().with_row_count(Some(rows));
    Ok(RecordBatch::try_new_with_options(Arc::clone(schema), columns, &options)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runtime::plans::testing::{assert_fails_past_the_memory_limit, assert_same_rows_as_datafusion};

    /// Against DataFusion's own join: the same rows for every inner join the rule takes (one and
    /// two keys, an expression key, NULL keys on both sides, below an aggregate, another join, a
    /// LIMIT, an empty side); the joins it must leave (another condition, an outer join) give the same rows too.
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
            "SELECT count(*), max(v.n) FROM t JOIN (SELECT * FROM u WHERE n < 0) v ON t.s = v.s",
            "SELECT count(*), max(w.i) FROM (SELECT * FROM t WHERE n < 0) w JOIN u ON w.s = u.s",
        ];
        let left = [
            "SELECT t.n, u.n FROM t JOIN u ON t.s = u.s AND t.i > u.i",
            "SELECT t.n, u.n FROM t LEFT JOIN u ON t.s = u.s",
        ];
        assert_same_rows_as_datafusion(vec![Arc::new(KERNEL_INNER_JOIN)], "InnerJoinExec", &taken, &left);
    }

    /// A build side the memory pool cannot hold fails the query with DataFusion's line.
    #[test]
    fn a_build_side_past_the_memory_limit_fails_with_one_line() {
        assert_fails_past_the_memory_limit(
            vec![Arc::new(KERNEL_INNER_JOIN)],
            "SELECT t.n, u.n FROM u JOIN t ON t.s = u.s",
            200_000,
        );
    }
}
