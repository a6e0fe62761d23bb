//! Spark's math functions missing from DataFusion and datafusion-spark: `bround(x[, d])`, round
//! half to even ("banker's rounding") at `d` (default 0) decimal places; a negative `d` rounds left
//! of the point. An integer stays its type (rounding past its range wraps, as Spark's does); other
//! numbers are doubles.

use std::sync::Arc;

use arrow_schema::DataType;
use datafusion::common::ScalarValue;
use datafusion::error::Result;
use datafusion::logical_expr::{ColumnarValue, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility};

/// The family's functions.
pub(crate) fn functions() -> Vec<Arc<ScalarUDF>> {
    vec![Arc::new(ScalarUDF::new_from_impl(Bround { signature: Signature::user_defined(Volatility::Immutable) }))]
}

#[derive(Debug, PartialEq, Eq, Hash)]
struct Bround {
    signature: Signature,
}

impl ScalarUDFImpl for Bround {
    fn name(&self) -> &'static str {
        "bround"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        Ok(arg_types.first().cloned().unwrap_or(DataType::Float64))
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        if arg_types.is_empty() || arg_types.len() > 2 {
            return Err(datafusion::error::DataFusionError::Plan(format!(
                "[WRONG_NUM_ARGS] The `bround` requires 1 or 2 parameters but the actual number is {}.",
                arg_types.len()
            )));
        }
        let value = match &arg_types[0] {
            t @ (DataType::Int8 | DataType::Int16 | DataType::Int32 | DataType::Int64 | DataType::Null) => t.clone(),
            _ => DataType::Float64,
        };
        Ok([value, DataType::Int32].into_iter().take(arg_types.len()).collect())
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        super::row::each_row(&args, |row| {
            let places = match row.get(1) {
                Some(ScalarValue::Int32(Some(d))) => Some(*d),
                Some(_) => None,
                None => Some(0),
            };
            match places {
                Some(d) => Ok(bround(&row[0], d)),
                None => ScalarValue::try_from(row[0].data_type()),
            }
        })
    }
}

/// One value rounded half to even at `places`.
fn bround(x: &ScalarValue, places: i32) -> ScalarValue {
    match x {
        ScalarValue::Float64(Some(v)) => ScalarValue::Float64(Some(round_double(*v, places))),
        #[allow(clippy::cast_possible_truncation)] // wrapping is Spark's overflow
        ScalarValue::Int8(Some(v)) => ScalarValue::Int8(Some(round_integer(i128::from(*v), places) as i8)),
        #[allow(clippy::cast_possible_truncation)]
        ScalarValue::Int16(Some(v)) => ScalarValue::Int16(Some(round_integer(i128::from(*v), places) as i16)),
        #[allow(clippy::cast_possible_truncation)]
        ScalarValue::Int32(Some(v)) => ScalarValue::Int32(Some(round_integer(i128::from(*v), places) as i32)),
        #[allow(clippy::cast_possible_truncation)]
        ScalarValue::Int64(Some(v)) => ScalarValue::Int64(Some(round_integer(i128::from(*v), places) as i64)),
        other => other.clone(),
    }
}

fn round_integer(value: i128, places: i32) -> i128 {
    if places >= 0 {
        return value;
    }
    let Some(factor) = u32::try_from(-places).ok().filter(|p| *p <= 38).map(|p| 10i128.pow(p)) else { return 0 };
    let (quotient, remainder) = (value / factor, value % factor);
    let twice = remainder.abs() * 2;
    let up = twice > factor || (twice == factor && quotient % 2 != 0);
    (quotient + if up { value.signum() } else { 0 }) * factor
}

fn round_double(value: f64, places: i32) -> f64 {
    if !value.is_finite() {
        return value;
    }
    // Through the decimal text, as Java's BigDecimal rounds the double's shortest representation.
    let scale = 10f64.powi(places);
    let scaled = format!("{}", value * scale).parse::<f64>().unwrap_or(value * scale);
    scaled.round_ties_even() / scale
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn half_to_even_as_spark() {
        assert_eq!(round_double(2.5, 0).to_bits(), 2.0f64.to_bits());
        assert_eq!(round_double(3.5, 0).to_bits(), 4.0f64.to_bits());
        assert_eq!(round_integer(525, -1), 520);
        assert_eq!(round_integer(535, -1), 540);
        assert_eq!(round_integer(525, -3), 1000);
        assert_eq!(round_integer(-525, -1), -520);
        assert_eq!(bround(&ScalarValue::Int8(Some(127)), -1), ScalarValue::Int8(Some(-126)));
    }
}
