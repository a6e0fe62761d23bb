//! Spark's date and time functions missing from DataFusion and datafusion-spark, and Spark's
//! implicit string-to-date casts in front of those that are there.
//!
//! `timestamp_seconds(x)`, `timestamp_millis(n)`, `timestamp_micros(n)`: the instant `x` seconds
//! (milliseconds, microseconds) after the epoch; `date_from_unix_date(n)`: the date `n` days
//! after 1970-01-01.

use std::sync::Arc;

use arrow_schema::{DataType, TimeUnit};
use datafusion::common::ScalarValue;
use datafusion::error::Result;
use datafusion::execution::FunctionRegistry;
use datafusion::logical_expr::ScalarUDF;

use super::coerced::{Coerced, StringAs};
use super::row::{integer, RowFunction};

/// Spark's instants: microseconds, with a zone (shown in the session's).
fn instant() -> DataType {
    DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into()))
}

/// The family's own functions.
pub(crate) fn functions() -> Vec<Arc<ScalarUDF>> {
    vec![
        RowFunction::udf("timestamp_seconds", vec![DataType::Float64], 1, instant(), timestamp_seconds),
        RowFunction::udf("timestamp_millis", vec![DataType::Int64], 1, instant(), |a| {
            micros(integer(&a[0]).checked_mul(1000))
        }),
        RowFunction::udf("timestamp_micros", vec![DataType::Int64], 1, instant(), |a| micros(Some(integer(&a[0])))),
        RowFunction::udf("date_from_unix_date", vec![DataType::Int32], 1, DataType::Date32, |a| {
            Ok(ScalarValue::Date32(i32::try_from(integer(&a[0])).ok()))
        }),
    ]
}

/// Functions already registered (DataFusion's, datafusion-spark's) that Spark calls with strings
/// for dates: each wrapped with Spark's implicit casts.
pub(crate) fn coerced(registry: &dyn FunctionRegistry) -> Vec<Arc<ScalarUDF>> {
    let rules: [(&str, &[StringAs]); 12] = [
        ("date_add", &[StringAs::Date, StringAs::Int]),
        ("date_sub", &[StringAs::Date, StringAs::Int]),
        ("next_day", &[StringAs::Date, StringAs::Keep]),
        ("last_day", &[StringAs::Date]),
        ("add_months", &[StringAs::Date, StringAs::Int]),
        ("weekday", &[StringAs::Date]),
        ("dayofweek", &[StringAs::Date]),
        ("dayofmonth", &[StringAs::Date]),
        ("dayofyear", &[StringAs::Date]),
        ("unix_date", &[StringAs::Date]),
        ("date_diff", &[StringAs::Date]),
        ("datediff", &[StringAs::Date]),
    ];
    rules
        .iter()
        .filter_map(|(name, strings)| registry.udf(name).ok().map(|udf| Coerced::udf(udf, strings.to_vec())))
        .collect()
}

/// Spark's error for an instant past the range of microseconds since the epoch.
fn overflow() -> Result<ScalarValue> {
    Err(datafusion::error::DataFusionError::Execution("[ARITHMETIC_OVERFLOW] long overflow.".into()))
}

#[allow(clippy::unnecessary_wraps)] // the shape of every row function
fn micros(value: Option<i64>) -> Result<ScalarValue> {
    Ok(ScalarValue::TimestampMicrosecond(value, Some("UTC".into())))
}

fn timestamp_seconds(args: &[ScalarValue]) -> Result<ScalarValue> {
    let ScalarValue::Float64(Some(seconds)) = args[0] else { return micros(None) };
    let scaled = seconds * 1e6;
    if !scaled.is_finite() || scaled.abs() >= 9.2e18 {
        return overflow();
    }
    #[allow(clippy::cast_possible_truncation)] // checked against i64's range above
    micros(Some(scaled.round() as i64))
}
