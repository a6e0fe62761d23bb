//! Spark's `range(end)`, `range(start, end[, step[, numPartitions]])` table function: one
//! non-null `bigint` column `id` (DataFusion's `range` names its column `value`).

use std::sync::Arc;

use datafusion::catalog::{TableFunctionArgs, TableFunctionImpl, TableProvider};
use datafusion::common::{ScalarValue, TableReference};
use datafusion::datasource::{provider_as_source, ViewTable};
use datafusion::functions_table::generate_series::RangeFunc;
use datafusion::logical_expr::{col, Expr, LogicalPlanBuilder};

/// Spark's `range`, over DataFusion's series generator (which streams its batches).
#[derive(Debug)]
pub(crate) struct SparkRange;

impl TableFunctionImpl for SparkRange {
    fn call_with_args(&self, args: TableFunctionArgs) -> datafusion::error::Result<Arc<dyn TableProvider>> {
        let exprs = args.exprs();
        // The fourth argument is Spark's partition count, which changes no row.
        let exprs = if exprs.len() == 4 { &exprs[..3] } else { exprs };
        // Spark's integer literals are `int`; DataFusion's series takes `bigint` literals.
        let exprs: Vec<Expr> = exprs.iter().map(widened).collect();
        let series = RangeFunc {}.call_with_args(TableFunctionArgs::new(&exprs, args.session()))?;
        // Named by its arguments: DataFusion tells two scans apart by name, and `range(40)` and
        // `range(1)` in one query (two scalar subqueries) are different tables.
        let name = format!("range({})", exprs.iter().map(ToString::to_string).collect::<Vec<_>>().join(", "));
        let plan = LogicalPlanBuilder::scan(TableReference::bare(name), provider_as_source(series), None)?
            .project(vec![col("value").alias("id")])?
            .build()?;
        Ok(Arc::new(ViewTable::new(plan, None)))
    }
}

/// An integer literal as a `bigint` one (a negative literal is `- n` to the parser).
fn widened(expr: &Expr) -> Expr {
    let as_long = |v: &ScalarValue| match v {
        ScalarValue::Int8(n) => Some(ScalarValue::Int64(n.map(i64::from))),
        ScalarValue::Int16(n) => Some(ScalarValue::Int64(n.map(i64::from))),
        ScalarValue::Int32(n) => Some(ScalarValue::Int64(n.map(i64::from))),
        _ => None,
    };
    match expr {
        Expr::Literal(v, meta) => as_long(v).map_or_else(|| expr.clone(), |v| Expr::Literal(v, meta.clone())),
        Expr::Negative(inner) => match inner.as_ref() {
            Expr::Literal(v, meta) => as_long(v)
                .and_then(|v| v.arithmetic_negate().ok())
                .map_or_else(|| expr.clone(), |v| Expr::Literal(v, meta.clone())),
            _ => expr.clone(),
        },
        _ => expr.clone(),
    }
}
