//! Spark's non-ANSI `CAST(x AS TINYINT|SMALLINT|INT|BIGINT)` where DataFusion's differs:
//! text is trimmed and may carry a fraction, which is dropped (`'1.23'` is 1, `' 7 '` is 7,
//! `'1e2'` and out-of-range text are NULL); a double or float is truncated and saturates at the
//! type's bounds (NaN is 0); a timestamp is its seconds since the epoch. Other inputs cast as
//! DataFusion's `TRY_CAST` does. The SQL front end calls it for every such cast
//! (`super::super::spark`), under the name [`INTEGRAL_CAST`].

use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{Float32Type, Float64Type};
use arrow_array::{Array, ArrayRef, Int64Array};
use arrow_schema::{DataType, Field, FieldRef, TimeUnit};
use datafusion::common::ScalarValue;
use datafusion::error::{DataFusionError, Result};
use datafusion::logical_expr::{
    ColumnarValue, ReturnFieldArgs, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility,
};

/// The internal name of the cast (`__glueless_integral_cast(x, 'int')`).
pub(crate) const INTEGRAL_CAST: &str = "__glueless_integral_cast";

/// The family's functions.
pub(crate) fn functions() -> Vec<Arc<ScalarUDF>> {
    vec![Arc::new(ScalarUDF::new_from_impl(IntegralCast { signature: Signature::any(2, Volatility::Immutable) }))]
}

#[derive(Debug, PartialEq, Eq, Hash)]
struct IntegralCast {
    signature: Signature,
}

/// The integral type Spark names `name` (the vocabulary's names).
fn target(name: &str) -> Result<DataType> {
    crate::core::types::simple_named(name)
        .map(crate::core::types::SimpleType::arrow)
        .filter(|t| matches!(t, DataType::Int8 | DataType::Int16 | DataType::Int32 | DataType::Int64))
        .ok_or_else(|| DataFusionError::Internal(format!("{INTEGRAL_CAST}: no integral type {name}")))
}

impl ScalarUDFImpl for IntegralCast {
    fn name(&self) -> &str {
        INTEGRAL_CAST
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Int64)
    }

    fn return_field_from_args(&self, args: ReturnFieldArgs) -> Result<FieldRef> {
        let Some(Some(ScalarValue::Utf8(Some(name)))) = args.scalar_arguments.get(1) else {
            return Err(DataFusionError::Internal(format!("{INTEGRAL_CAST} takes the type's name")));
        };
        Ok(Arc::new(Field::new(INTEGRAL_CAST, target(name)?, true)))
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let scalar = matches!(args.args[0], ColumnarValue::Scalar(_));
        let input = args.args[0].to_array(if scalar { 1 } else { args.number_rows })?;
        let to = args.return_field.data_type().clone();
        let wide = as_i64(&input, bounds(&to))?;
        // Narrow to the target: out of its range is NULL (text) or the cast's own rule.
        let narrowed = arrow_cast::cast_with_options(&wide, &to, &arrow_cast::CastOptions::default())?;
        if scalar {
            return Ok(ColumnarValue::Scalar(ScalarValue::try_from_array(&narrowed, 0)?));
        }
        Ok(ColumnarValue::Array(narrowed))
    }
}

/// The range of an integral type.
fn bounds(data_type: &DataType) -> (i64, i64) {
    match data_type {
        DataType::Int8 => (i64::from(i8::MIN), i64::from(i8::MAX)),
        DataType::Int16 => (i64::from(i16::MIN), i64::from(i16::MAX)),
        DataType::Int32 => (i64::from(i32::MIN), i64::from(i32::MAX)),
        _ => (i64::MIN, i64::MAX),
    }
}

/// The values as 64-bit integers by Spark's rules (floats saturate at `range`).
fn as_i64(input: &ArrayRef, range: (i64, i64)) -> Result<ArrayRef> {
    let saturate = |value: f64| saturate(value).clamp(range.0, range.1);
    Ok(match input.data_type() {
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => {
            let text = arrow_cast::cast(input, &DataType::Utf8)?;
            let text = text.as_string::<i32>();
            Arc::new(text.iter().map(|v| v.and_then(parse_integral)).collect::<Int64Array>())
        }
        DataType::Float64 => {
            Arc::new(input.as_primitive::<Float64Type>().iter().map(|v| v.map(saturate)).collect::<Int64Array>())
        }
        DataType::Float32 => Arc::new(
            input
                .as_primitive::<Float32Type>()
                .iter()
                .map(|v| v.map(|f| saturate(f64::from(f))))
                .collect::<Int64Array>(),
        ),
        DataType::Timestamp(unit, _) => {
            let raw = arrow_cast::cast(input, &DataType::Int64)?;
            let per_second = match unit {
                TimeUnit::Second => 1,
                TimeUnit::Millisecond => 1_000,
                TimeUnit::Microsecond => 1_000_000,
                TimeUnit::Nanosecond => 1_000_000_000,
            };
            Arc::new(
                raw.as_primitive::<arrow_array::types::Int64Type>()
                    .iter()
                    .map(|v| v.map(|v| v.div_euclid(per_second)))
                    .collect::<Int64Array>(),
            )
        }
        _ => arrow_cast::cast(input, &DataType::Int64)?,
    })
}

/// Spark's `UTF8String.toLong`: trimmed, an optional sign, digits, and a fraction that is dropped.
fn parse_integral(text: &str) -> Option<i64> {
    let text = text.trim();
    let whole = match text.split_once('.') {
        Some((whole, fraction)) if fraction.bytes().all(|b| b.is_ascii_digit()) => whole,
        Some(_) => return None,
        None => text,
    };
    let digits = whole.strip_prefix(['+', '-']).unwrap_or(whole);
    if digits.is_empty() && whole.len() == text.len() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if digits.is_empty() {
        return Some(0);
    }
    whole.trim_start_matches('+').parse().ok()
}

/// Java's narrowing of a double: truncated toward zero, saturating, NaN as 0.
#[allow(clippy::cast_possible_truncation)] // `as` saturates and maps NaN to 0, as Java does
fn saturate(value: f64) -> i64 {
    value as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_reads_as_sparks_cast() {
        assert_eq!(parse_integral("1.23"), Some(1));
        assert_eq!(parse_integral(" 7 "), Some(7));
        assert_eq!(parse_integral("-12.9"), Some(-12));
        assert_eq!(parse_integral("1e2"), None);
        assert_eq!(parse_integral("abc"), None);
        assert_eq!(parse_integral(""), None);
        assert_eq!(parse_integral("99999999999999999999"), None);
        assert_eq!(saturate(f64::NAN), 0);
        assert_eq!(saturate(1e30), i64::MAX);
    }
}
