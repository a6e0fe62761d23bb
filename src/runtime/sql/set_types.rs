//! Spark's set operations where DataFusion's differ.
//!
//! The column types of `UNION`: Spark widens each column to the common type of its inputs
//! (`int` and `decimal(2,1)` give `decimal(11,1)`, a number and a string a string). DataFusion's
//! analyzer widens a union's inputs the same way but leaves the plans above a union inside a
//! union typed as the first input was, which fails at run time ("column types must match schema
//! types"). So a plan with a union is analyzed at once and every schema above it recomputed.
//!
//! `EXCEPT ALL` / `INTERSECT ALL` keep multiset counts in Spark (`1, 2, 2 EXCEPT ALL 2` is
//! `1, 2`); DataFusion's drop every copy of a row the other side has. Each side's rows are
//! numbered within their duplicates and the numbered rows compared distinct instead.

use datafusion::common::tree_node::{Transformed, TreeNode, TreeNodeRecursion};
use datafusion::error::Result;
use datafusion::execution::SessionState;
use datafusion::logical_expr::LogicalPlan;
use datafusion::sql::sqlparser::ast::{Query, SetExpr, SetOperator, SetQuantifier, Statement};
use datafusion::sql::sqlparser::parser::Parser;

use super::dialect::SparkDialect;

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

/// Rewrite each `EXCEPT ALL` / `INTERSECT ALL` of `statement`'s query (its body and the set
/// operations and parenthesized queries in it) to keep Spark's multiset counts. `columns` names
/// the output columns of a query, or `None` when it cannot be planned alone (that operation is
/// left as it is).
pub(crate) fn keep_multiset_counts(statement: &mut Statement, columns: &dyn Fn(&Query) -> Option<Vec<String>>) {
    let Statement::Query(query) = statement else { return };
    let with = query.with.as_ref().map(|w| format!("{w} ")).unwrap_or_default();
    numbered(&mut query.body, &with, columns);
}

fn numbered(body: &mut SetExpr, with: &str, columns: &dyn Fn(&Query) -> Option<Vec<String>>) {
    match body {
        SetExpr::Query(query) => numbered(&mut query.body, with, columns),
        SetExpr::SetOperation { left, right, op, set_quantifier } => {
            numbered(left, with, columns);
            numbered(right, with, columns);
            let keyword = match op {
                SetOperator::Except | SetOperator::Minus => "EXCEPT",
                SetOperator::Intersect => "INTERSECT",
                SetOperator::Union => return,
            };
            if *set_quantifier != SetQuantifier::All {
                return;
            }
            let Some(names) = parse(&format!("{with}SELECT * FROM ({left})")).and_then(|q| columns(&q)) else {
                return;
            };
            let mut seen = std::collections::HashSet::new();
            if names.is_empty() || !names.iter().all(|n| seen.insert(n.to_lowercase())) {
                return;
            }
            let list: Vec<String> = (1..=names.len()).map(|i| format!("`__c{i}`")).collect();
            let list = list.join(", ");
            let side = |rows: &SetExpr, alias: &str| {
                format!(
                    "SELECT {list}, row_number() OVER (PARTITION BY {list} ORDER BY 1) AS `__copy` FROM ({rows}) AS `{alias}`({list})"
                )
            };
            let outputs: Vec<String> = names
                .iter()
                .enumerate()
                .map(|(i, name)| format!("`__c{}` AS `{}`", i + 1, name.replace('`', "``")))
                .collect();
            let text = format!(
                "SELECT {} FROM ({} {keyword} {})",
                outputs.join(", "),
                side(left, "__left"),
                side(right, "__right")
            );
            if let Some(query) = parse(&text) {
                *body = *query.body;
            }
        }
        _ => {}
    }
}

fn parse(text: &str) -> Option<Query> {
    Parser::new(&SparkDialect).try_with_sql(text).ok()?.parse_query().ok().map(|q| *q)
}
