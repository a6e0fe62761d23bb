//! Spark's `try_add`, `try_subtract`, `try_multiply` and `try_divide`: the operator's answer, NULL
//! where it overflows (or divides by zero). They take what the operators take: numbers (the common
//! type; `try_divide` always a double), a date and a number of days, a date or timestamp and an
//! interval, two intervals, and an interval scaled by a number (Spark's `fromDoubles`: months and
//! days truncated, a day's fraction carried into microseconds).

use std::sync::Arc;

use arrow_schema::{DataType, IntervalUnit};
use datafusion::common::ScalarValue;
use datafusion::error::{DataFusionError, Result};
use datafusion::logical_expr::{ColumnarValue, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility};

use arrow_buffer::IntervalMonthDayNano;

/// The family's functions.
pub(crate) fn functions() -> Vec<Arc<ScalarUDF>> {
    [Operation::Add, Operation::Subtract, Operation::Multiply, Operation::Divide]
        .into_iter()
        .map(|operation| {
            Arc::new(ScalarUDF::new_from_impl(TryArithmetic {
                operation,
                signature: Signature::user_defined(Volatility::Immutable),
            }))
        })
        .collect()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Operation {
    Add,
    Subtract,
    Multiply,
    Divide,
}

impl Operation {
    fn name(self) -> &'static str {
        match self {
            Self::Add => "try_add",
            Self::Subtract => "try_subtract",
            Self::Multiply => "try_multiply",
            Self::Divide => "try_divide",
        }
    }
}

const INTERVAL: DataType = DataType::Interval(IntervalUnit::MonthDayNano);
const NANOS_PER_DAY: f64 = 86_400_000_000_000.0;

#[derive(Debug)]
struct TryArithmetic {
    operation: Operation,
    signature: Signature,
}

same_by_name!(TryArithmetic);

fn is_interval(t: &DataType) -> bool {
    matches!(t, DataType::Interval(_) | DataType::Duration(_))
}

fn is_datetime(t: &DataType) -> bool {
    matches!(t, DataType::Date32 | DataType::Date64 | DataType::Timestamp(..))
}

impl ScalarUDFImpl for TryArithmetic {
    fn name(&self) -> &str {
        self.operation.name()
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        let [a, b] = arg_types else {
            return Err(DataFusionError::Plan(format!(
                "[WRONG_NUM_ARGS] The `{}` requires 2 parameters but the actual number is {}.",
                self.name(),
                arg_types.len()
            )));
        };
        let numeric = |t: &DataType| t.is_numeric() || t.is_null();
        let additive = matches!(self.operation, Operation::Add | Operation::Subtract);
        let scaling = matches!(self.operation, Operation::Multiply | Operation::Divide);
        Ok(match (a, b) {
            (a, b) if numeric(a) && numeric(b) => {
                let common = if self.operation == Operation::Divide {
                    DataType::Float64
                } else {
                    datafusion::logical_expr::binary::binary_numeric_coercion(a, b).unwrap_or(DataType::Float64)
                };
                vec![common.clone(), common]
            }
            (DataType::Date32 | DataType::Date64, n) if additive && n.is_integer() => {
                vec![DataType::Date32, DataType::Int32]
            }
            (n, DataType::Date32 | DataType::Date64) if self.operation == Operation::Add && n.is_integer() => {
                vec![DataType::Int32, DataType::Date32]
            }
            (d, i) if additive && is_datetime(d) && is_interval(i) => vec![d.clone(), INTERVAL],
            (i, d) if self.operation == Operation::Add && is_datetime(d) && is_interval(i) => vec![INTERVAL, d.clone()],
            (i, j) if additive && is_interval(i) && is_interval(j) => vec![INTERVAL, INTERVAL],
            (i, n) if scaling && is_interval(i) && numeric(n) => vec![INTERVAL, DataType::Float64],
            (n, i) if self.operation == Operation::Multiply && is_interval(i) && numeric(n) => {
                vec![DataType::Float64, INTERVAL]
            }
            _ => {
                return Err(DataFusionError::Plan(format!(
                    "[DATATYPE_MISMATCH.BINARY_OP_WRONG_TYPE] Cannot resolve \"{}\" due to data type mismatch: \
                     {a} and {b} are not operands of the operation.",
                    self.name()
                )))
            }
        })
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        Ok(match arg_types {
            [a, b] if is_interval(a) && is_interval(b) => INTERVAL,
            [a, _] if is_datetime(a) => a.clone(),
            [_, b] if is_datetime(b) => b.clone(),
            [a, b] if is_interval(a) || is_interval(b) => INTERVAL,
            [a, ..] => a.clone(),
            [] => DataType::Float64,
        })
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let null = ScalarValue::try_from(args.return_type())?;
        let operation = self.operation;
        super::row::each_row(&args, |row| {
            if row.iter().any(ScalarValue::is_null) {
                return Ok(null.clone());
            }
            Ok(apply(operation, &row[0], &row[1]).unwrap_or_else(|| null.clone()))
        })
    }
}

/// One row's answer; `None` where Spark's is NULL (an overflow, a zero divisor).
fn apply(operation: Operation, a: &ScalarValue, b: &ScalarValue) -> Option<ScalarValue> {
    use ScalarValue::{Date32, Float64, Int32, IntervalMonthDayNano as Interval};
    match (operation, a, b) {
        (Operation::Add, Date32(Some(d)), Int32(Some(n))) | (Operation::Add, Int32(Some(n)), Date32(Some(d))) => {
            Some(Date32(Some(d.checked_add(*n)?)))
        }
        (Operation::Subtract, Date32(Some(d)), Int32(Some(n))) => Some(Date32(Some(d.checked_sub(*n)?))),
        (Operation::Multiply, Interval(Some(i)), Float64(Some(x)))
        | (Operation::Multiply, Float64(Some(x)), Interval(Some(i))) => scaled(*i, *x),
        (Operation::Divide, Interval(Some(i)), Float64(Some(x))) => {
            (*x != 0.0).then(|| scaled_by(*i, |part| part / x)).flatten()
        }
        (Operation::Divide, Float64(Some(x)), Float64(Some(y))) => (*y != 0.0).then(|| Float64(Some(x / y))),
        (Operation::Add, a, b) if is_interval(&a.data_type()) && !is_interval(&b.data_type()) => b.add_checked(a).ok(),
        (Operation::Add, a, b) => a.add_checked(b).ok(),
        (Operation::Subtract, a, b) => a.sub_checked(b).ok(),
        (Operation::Multiply, a, b) => a.mul_checked(b).ok(),
        (Operation::Divide, ..) => None,
    }
}

fn scaled(interval: IntervalMonthDayNano, factor: f64) -> Option<ScalarValue> {
    scaled_by(interval, |part| part * factor)
}

/// Spark's `IntervalUtils.fromDoubles` of the interval's parts under `f`: months and days
/// truncated to ints (an overflow is NULL), the days' fraction carried into the time part.
#[allow(clippy::cast_precision_loss, clippy::cast_possible_truncation)] // Spark computes in doubles
fn scaled_by(interval: IntervalMonthDayNano, f: impl Fn(f64) -> f64) -> Option<ScalarValue> {
    let months = f(f64::from(interval.months));
    let days = f(f64::from(interval.days));
    // Spark's intervals count microseconds: scale those, as Spark rounds them.
    let micros = f((interval.nanoseconds / 1_000) as f64);
    let whole = |x: f64| (x.is_finite() && x.abs() < 2_147_483_648.0).then(|| x.trunc() as i32);
    let (whole_months, whole_days) = (whole(months)?, whole(days)?);
    let micros = micros + NANOS_PER_DAY / 1_000.0 * (days - f64::from(whole_days));
    if !micros.is_finite() || micros.abs() >= 9.2e18 {
        return None;
    }
    let nanoseconds = (micros.round() as i64).checked_mul(1_000)?;
    Some(ScalarValue::IntervalMonthDayNano(Some(IntervalMonthDayNano::new(whole_months, whole_days, nanoseconds))))
}
