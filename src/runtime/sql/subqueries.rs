//! `x IN (subquery)` in a select list, which DataFusion plans only in a filter: Spark's answer
//! spelled with scalar subqueries DataFusion decorrelates (counts with an equality correlation).
//! Spark plans it as an existence join, so it is never NULL: `IN` is true when a row equals `x`
//! (a NULL `x` equals none); `NOT IN` is null-aware, false when a row equals `x`, when `x` is
//! NULL and there are rows, or when a row is NULL; else true (checked against PySpark 3.5 and 4.3).

use datafusion::sql::sqlparser::ast::{Expr, Select, SelectItem};
use datafusion::sql::sqlparser::parser::Parser;

use super::dialect::SparkDialect;

/// Rewrite each `x [NOT] IN (subquery)` of `select`'s list (outside nested subqueries).
pub(super) fn in_subquery_in_select_list(select: &mut Select) {
    for item in &mut select.projection {
        let (SelectItem::UnnamedExpr(expr) | SelectItem::ExprWithAlias { expr, .. }) = item else { continue };
        rewrite(expr);
    }
}

fn rewrite(expr: &mut Expr) {
    match expr {
        Expr::InSubquery { expr: value, subquery, negated } => {
            let rows = format!("({subquery}) AS `__in`(`__v`)");
            let matches = format!("(SELECT count(*) FROM {rows} WHERE `__v` = ({value})) > 0");
            let text = if *negated {
                format!(
                    "NOT ({matches} OR (({value}) IS NULL AND (SELECT count(*) FROM {rows}) > 0) \
                     OR (SELECT count(*) FROM {rows} WHERE `__v` IS NULL) > 0)"
                )
            } else {
                matches
            };
            if let Some(spelled) =
                Parser::new(&SparkDialect).try_with_sql(&text).ok().and_then(|mut p| p.parse_expr().ok())
            {
                *expr = Expr::Nested(Box::new(spelled));
            }
        }
        Expr::Nested(inner) | Expr::UnaryOp { expr: inner, .. } | Expr::IsNull(inner) | Expr::IsNotNull(inner) => {
            rewrite(inner);
        }
        Expr::BinaryOp { left, right, .. } => {
            rewrite(left);
            rewrite(right);
        }
        Expr::Case { conditions, else_result, .. } => {
            for when in conditions {
                rewrite(&mut when.condition);
                rewrite(&mut when.result);
            }
            if let Some(otherwise) = else_result {
                rewrite(otherwise);
            }
        }
        _ => {}
    }
}
