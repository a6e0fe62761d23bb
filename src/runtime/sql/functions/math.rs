//! Spark's math functions missing from DataFusion and datafusion-spark: `bround(x[, d])`, round
//! half to even ("banker's rounding") at `d` (default 0) decimal places; a negative `d` rounds left
//! of the point. An integer stays its type (rounding past its range wraps, as Spark's does); other
//! numbers are doubles.
//! `conv(text, from_base, to_base)`: base conversion through an unsigned
//! 64-bit value, as Spark's `NumberConverter` does it (an overflow is all ones, a negative
//! `to_base` writes a signed result).

use std::sync::Arc;

use arrow_schema::DataType;
use datafusion::common::ScalarValue;
use datafusion::error::Result;
use datafusion::logical_expr::{ColumnarValue, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility};

use super::row::{integer, text, RowContext, RowFunction};

/// The family's functions.
pub(crate) fn functions() -> Vec<Arc<ScalarUDF>> {
    vec![
        Arc::new(ScalarUDF::new_from_impl(Bround { signature: Signature::user_defined(Volatility::Immutable) })),
        RowFunction::udf("conv", vec![DataType::Utf8, DataType::Int64, DataType::Int64], 3, DataType::Utf8, conv),
    ]
}

/// Spark's `conv`: NULL for a base outside 2..=36 (by magnitude for `to_base`) or empty text.
#[allow(clippy::unnecessary_wraps)] // a row function's body
fn conv(args: &[ScalarValue], _: RowContext) -> Result<ScalarValue> {
    let (text, from, to) = (text(&args[0]).trim(), integer(&args[1]), integer(&args[2]));
    let in_range = |base: i64| (2..=36).contains(&base);
    if text.is_empty() || !in_range(from) || !in_range(to.abs()) {
        return Ok(ScalarValue::Utf8(None));
    }
    let (mut negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let radix = from.unsigned_abs();
    // Digits up to the first that is not one in `from`; an unsigned overflow is all ones (-1).
    let bound = (u64::MAX - radix) / radix;
    let mut value: u64 = 0;
    for digit in digits.chars().map_while(|c| c.to_digit(36).filter(|d| u64::from(*d) < radix)) {
        let digit = u64::from(digit);
        if value >= bound && (u64::MAX - digit) / radix < value {
            value = u64::MAX;
            break;
        }
        value = value.wrapping_mul(radix).wrapping_add(digit);
    }
    #[allow(clippy::cast_possible_wrap)] // Spark's two's-complement long
    let mut signed = value as i64;
    if negative && to > 0 {
        signed = if signed < 0 { -1 } else { -signed };
    }
    if to < 0 && signed < 0 {
        signed = signed.wrapping_neg();
        negative = true;
    }
    #[allow(clippy::cast_sign_loss)]
    let mut rest = signed as u64;
    let radix = to.unsigned_abs();
    let mut out = Vec::new();
    loop {
        let digit = u32::try_from(rest % radix).unwrap_or(0);
        out.push(char::from_digit(digit, 36).unwrap_or('0').to_ascii_uppercase());
        rest /= radix;
        if rest == 0 {
            break;
        }
    }
    if negative && to < 0 {
        out.push('-');
    }
    Ok(ScalarValue::Utf8(Some(out.into_iter().rev().collect())))
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

    fn conv_text(value: &str, from: i64, to: i64) -> Option<String> {
        let args =
            [ScalarValue::Utf8(Some(value.into())), ScalarValue::Int64(Some(from)), ScalarValue::Int64(Some(to))];
        let context = RowContext { zone: crate::core::text::datetime::SessionZone::utc() };
        match conv(&args, context).unwrap() {
            ScalarValue::Utf8(v) => v,
            _ => None,
        }
    }

    /// Spark's golden answers (math.sql).
    #[test]
    fn conv_as_spark_converts() {
        assert_eq!(conv_text("100", 2, 10).as_deref(), Some("4"));
        assert_eq!(conv_text("-10", 16, -10).as_deref(), Some("-16"));
        assert_eq!(conv_text("9223372036854775808", 10, 16).as_deref(), Some("8000000000000000"));
        assert_eq!(conv_text("92233720368547758070", 10, 16).as_deref(), Some("FFFFFFFFFFFFFFFF"));
        assert_eq!(conv_text("9223372036854775807", 36, 10).as_deref(), Some("18446744073709551615"));
        assert_eq!(conv_text("-9223372036854775807", 36, 10).as_deref(), Some("18446744073709551615"));
        assert_eq!(conv_text("12", 1, 10), None);
    }

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
