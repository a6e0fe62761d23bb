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

use arrow_schema::DataType;
use datafusion::common::tree_node::{Transformed, TreeNode, TreeNodeRecursion};
use datafusion::common::DFSchema;
use datafusion::error::Result;
use datafusion::execution::SessionState;
use datafusion::logical_expr::{Expr, ExprSchemable, LogicalPlan, LogicalPlanBuilder};
use datafusion::sql::sqlparser::ast::{Query, SetExpr, SetOperator, SetQuantifier, Statement};
use datafusion::sql::sqlparser::parser::Parser;

use super::dialect::SparkDialect;

/// `plan` with its unions' and inline tables' columns widened to Spark's common types.
///
/// # Errors
/// DataFusion's analyzer errors (types that have no common type).
pub(crate) fn widen_unions(plan: LogicalPlan, state: &SessionState) -> Result<LogicalPlan> {
    let plan = values_as_doubles(plan)?;
    let mut has_union = false;
    plan.apply(|node| {
        has_union = matches!(node, LogicalPlan::Union(_));
        Ok(if has_union { TreeNodeRecursion::Stop } else { TreeNodeRecursion::Continue })
    })?;
    if !has_union {
        return Ok(plan);
    }
    let plan = union_inputs_as_doubles(plan)?;
    let analyzed = state.analyzer().execute_and_check(plan, state.config_options(), |_, _| {})?;
    Ok(analyzed.transform_up(|node| node.recompute_schema().map(Transformed::yes))?.data)
}

/// Spark widens an inline table's column of decimals and floating-point numbers to `double`
/// (`VALUES (0.0), (PI() / 2)`); DataFusion to a decimal, which fails on NaN. Such a column's
/// values are cast to double instead, and the plans above retyped.
fn values_as_doubles(plan: LogicalPlan) -> Result<LogicalPlan> {
    let empty = DFSchema::empty();
    let is_float =
        |e: &Expr| matches!(e.get_type(&empty), Ok(DataType::Float16 | DataType::Float32 | DataType::Float64));
    let mut changed = false;
    let plan = plan
        .transform_up(|node| {
            let LogicalPlan::Values(values) = &node else {
                return Ok(Transformed::no(node));
            };
            // The rows' values as written (DataFusion cast each to the column's decimal type).
            let written = |e: &Expr| match e {
                Expr::Cast(cast) => cast.expr.as_ref().clone(),
                other => other.clone(),
            };
            let doubles: Vec<bool> = (0..values.schema.fields().len())
                .map(|j| {
                    matches!(values.schema.field(j).data_type(), DataType::Decimal128(..) | DataType::Decimal256(..))
                        && values.values.iter().any(|row| is_float(&written(&row[j])))
                })
                .collect();
            if !doubles.contains(&true) {
                return Ok(Transformed::no(node));
            }
            let rows = values
                .values
                .iter()
                .map(|row| {
                    row.iter()
                        .zip(&doubles)
                        .map(
                            |(e, double)| {
                                if *double {
                                    written(e).cast_to(&DataType::Float64, &empty)
                                } else {
                                    Ok(e.clone())
                                }
                            },
                        )
                        .collect::<Result<Vec<_>>>()
                })
                .collect::<Result<Vec<_>>>()?;
            changed = true;
            Ok(Transformed::yes(LogicalPlanBuilder::values(rows)?.build()?))
        })?
        .data;
    if !changed {
        return Ok(plan);
    }
    Ok(plan.transform_up(|node| node.recompute_schema().map(Transformed::yes))?.data)
}

/// A union's column of decimals from some inputs and floating-point numbers from others is a
/// `double` in Spark (DataFusion's analyzer makes it a decimal): each input's is cast first.
fn union_inputs_as_doubles(plan: LogicalPlan) -> Result<LogicalPlan> {
    let is_decimal = |t: &DataType| matches!(t, DataType::Decimal128(..) | DataType::Decimal256(..));
    let is_float = |t: &DataType| matches!(t, DataType::Float16 | DataType::Float32 | DataType::Float64);
    Ok(plan
        .transform_up(|node| {
            let LogicalPlan::Union(union) = &node else {
                return Ok(Transformed::no(node));
            };
            let width = union.schema.fields().len();
            let column_types =
                |j: usize| union.inputs.iter().filter_map(move |i| i.schema().fields().get(j)).map(|f| f.data_type());
            let doubles: Vec<bool> =
                (0..width).map(|j| column_types(j).any(is_decimal) && column_types(j).any(is_float)).collect();
            if !doubles.contains(&true) {
                return Ok(Transformed::no(node));
            }
            let inputs = union
                .inputs
                .iter()
                .map(|input| {
                    let columns = input.schema().columns().into_iter().zip(&doubles).map(|(column, double)| {
                        let name = column.name.clone();
                        let expr = Expr::Column(column);
                        if *double {
                            expr.cast_to(&DataType::Float64, input.schema()).map(|e| e.alias(name))
                        } else {
                            Ok(expr)
                        }
                    });
                    LogicalPlanBuilder::from(input.as_ref().clone())
                        .project(columns.collect::<Result<Vec<_>>>()?)?
                        .build()
                })
                .collect::<Result<Vec<_>>>()?;
            let mut inputs = inputs.into_iter();
            let first = inputs.next().map_or_else(|| LogicalPlanBuilder::empty(false), LogicalPlanBuilder::from);
            Ok(Transformed::yes(inputs.try_fold(first, LogicalPlanBuilder::union)?.build()?))
        })?
        .data)
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
