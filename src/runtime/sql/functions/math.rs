//! Spark's math functions missing from DataFusion and datafusion-spark: `bround` (round half to
//! even, "banker's rounding", at `d` decimal places; negative `d` rounds left of the point).

use std::sync::Arc;

use arrow_schema::DataType;
use datafusion::common::ScalarValue;
use datafusion::error::Result;
use datafusion::logical_expr::ScalarUDF;

use super::row::{integer, RowContext, RowFunction};

/// The family's functions.
pub(crate) fn functions() -> Vec<Arc<ScalarUDF>> {
    vec![RowFunction::udf("bround", vec![DataType::Float64, DataType::Int64], 1, DataType::Float64, bround)]
}

/// `bround(x[, d])`: `x` rounded half to even at `d` (default 0) decimal places.
#[allow(clippy::unnecessary_wraps)] // the shape of every row function
fn bround(args: &[ScalarValue], _: RowContext) -> Result<ScalarValue> {
    let ScalarValue::Float64(Some(x)) = args[0] else { return Ok(ScalarValue::Float64(None)) };
    let places = i32::try_from(args.get(1).map_or(0, integer)).unwrap_or(0);
    if !x.is_finite() {
        return Ok(ScalarValue::Float64(Some(x)));
    }
    // Through the decimal text, as Java's BigDecimal rounds the double's shortest representation.
    let scale = 10f64.powi(places);
    let scaled = format!("{}", x * scale).parse::<f64>().unwrap_or(x * scale);
    let rounded = scaled.round_ties_even();
    Ok(ScalarValue::Float64(Some(rounded / scale)))
}
