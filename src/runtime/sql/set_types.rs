//! The column types of `UNION`: Spark widens each column to the common type of its inputs
//! (`int` and `decimal(2,1)` give `decimal(11,1)`, a number and a string a string). DataFusion's
//! analyzer widens a union's inputs the same way but leaves the plans above a union inside a
//! union typed as the first input was, which fails at run time ("column types must match schema
//! types"). So a plan with a union is analyzed at once and every schema above it recomputed.

use datafusion::common::tree_node::{Transformed, TreeNode, TreeNodeRecursion};
use datafusion::error::Result;
use datafusion::execution::SessionState;
use datafusion::logical_expr::LogicalPlan;

/// `plan` with its unions' columns widened to Spark's common types.
///
/// # Errors
/// DataFusion's analyzer errors (types that have no common type).
pub(crate) fn widen_unions(plan: LogicalPlan, state: &SessionState) -> Result<LogicalPlan> {
    let mut has_union = false;
    plan.apply(|node| {
        has_union = matches!(node, LogicalPlan::Union(_));
        Ok(if has_union { TreeNodeRecursion::Stop } else { TreeNodeRecursion::Continue })
    })?;
    if !has_union {
        return Ok(plan);
    }
    let analyzed = state.analyzer().execute_and_check(plan, state.config_options(), |_, _| {})?;
    Ok(analyzed.transform_up(|node| node.recompute_schema().map(Transformed::yes))?.data)
}
