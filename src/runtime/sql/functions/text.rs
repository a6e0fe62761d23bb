//! Spark's text formatting functions: `mask(s[, upper, lower, digit, other])`, each upper-case
//! letter, lower-case letter and digit replaced by its class's character (`X`, `x`, `n` by
//! default; NULL keeps that class), any other character by `other` (kept by default);
//! `format_number(x, d)`, `x` rounded half-even to `d` decimal places with thousands separators
//! (Java's `DecimalFormat("#,###,##0.00…")`), NULL for a negative `d`;
//! `spark_like_pattern(p, c)`, a LIKE pattern escaped by `c` as the same pattern escaped by a
//! backslash (DataFusion's LIKE knows no other escape).

use std::sync::Arc;

use arrow_schema::DataType;
use datafusion::common::ScalarValue;
use datafusion::error::{DataFusionError, Result};
use datafusion::logical_expr::{ColumnarValue, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility};

use super::row::{integer, RowContext, RowFunction, ANY};

/// The family's functions.
pub(crate) fn functions() -> Vec<Arc<ScalarUDF>> {
    vec![
        Arc::new(ScalarUDF::new_from_impl(Mask { signature: Signature::user_defined(Volatility::Immutable) })),
        RowFunction::udf("format_number", vec![ANY, ANY], 2, DataType::Utf8, format_number),
        RowFunction::udf("spark_like_pattern", vec![DataType::Utf8, DataType::Utf8], 2, DataType::Utf8, |a, _| {
            Ok(ScalarValue::Utf8(Some(backslash_escaped(super::row::text(&a[0]), super::row::text(&a[1]))?)))
        }),
    ]
}

/// `pattern` with `escape` as its escape character, rewritten with a backslash as the escape.
fn backslash_escaped(pattern: &str, escape: &str) -> Result<String> {
    let mut chars = escape.chars();
    let (Some(escape), None) = (chars.next(), chars.next()) else {
        return Err(DataFusionError::Execution(format!(
            "[INVALID_ESCAPE_CHAR] The escape character must be one character: {escape:?}"
        )));
    };
    let mut rewritten = String::with_capacity(pattern.len());
    let mut characters = pattern.chars();
    while let Some(c) = characters.next() {
        if c == escape {
            match characters.next() {
                Some(next @ ('_' | '%')) => rewritten.extend(['\\', next]),
                Some(next) if next == escape => rewritten.extend(if next == '\\' { vec!['\\', '\\'] } else { vec![next] }),
                _ => {
                    return Err(DataFusionError::Execution(format!(
                        "[INVALID_FORMAT.ESC_IN_THE_MIDDLE] the pattern {pattern:?} has the escape character {escape:?} before neither '_', '%' nor itself"
                    )))
                }
            }
        } else if c == '\\' {
            rewritten.extend(['\\', '\\']);
        } else {
            rewritten.push(c);
        }
    }
    Ok(rewritten)
}

#[derive(Debug, PartialEq, Eq, Hash)]
struct Mask {
    signature: Signature,
}

impl ScalarUDFImpl for Mask {
    fn name(&self) -> &'static str {
        "mask"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        if arg_types.is_empty() || arg_types.len() > 5 {
            return Err(DataFusionError::Plan(format!(
                "[WRONG_NUM_ARGS] The `mask` requires 1 to 5 parameters but the actual number is {}.",
                arg_types.len()
            )));
        }
        Ok(vec![DataType::Utf8; arg_types.len()])
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Utf8)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        super::row::each_row(&args, |row| {
            let ScalarValue::Utf8(Some(input)) = &row[0] else { return Ok(ScalarValue::Utf8(None)) };
            let replacement = |i: usize, default: Option<char>| -> Result<Option<char>> {
                match row.get(i) {
                    None => Ok(default),
                    Some(ScalarValue::Utf8(Some(s))) if s.chars().count() == 1 => Ok(s.chars().next()),
                    Some(ScalarValue::Utf8(Some(s))) => Err(DataFusionError::Execution(format!(
                        "[INVALID_PARAMETER_VALUE.MASK] mask's replacement {s:?} is not one character"
                    ))),
                    Some(_) => Ok(None),
                }
            };
            let (upper, lower, digit, other) = (
                replacement(1, Some('X'))?,
                replacement(2, Some('x'))?,
                replacement(3, Some('n'))?,
                replacement(4, None)?,
            );
            let masked = input
                .chars()
                .map(|c| {
                    let by = if c.is_uppercase() {
                        upper
                    } else if c.is_lowercase() {
                        lower
                    } else if c.is_ascii_digit() {
                        digit
                    } else {
                        other
                    };
                    by.unwrap_or(c)
                })
                .collect();
            Ok(ScalarValue::Utf8(Some(masked)))
        })
    }
}

fn format_number(args: &[ScalarValue], _: RowContext) -> Result<ScalarValue> {
    let places = match &args[1] {
        ScalarValue::Utf8(_) | ScalarValue::LargeUtf8(_) | ScalarValue::Utf8View(_) => {
            return Err(DataFusionError::Execution(
                "format_number with a DecimalFormat pattern is not supported by glueless (give a number of decimal places)"
                    .to_string(),
            ))
        }
        other => integer(&other.cast_to(&DataType::Int64)?),
    };
    let Ok(places) = usize::try_from(places) else { return Ok(ScalarValue::Utf8(None)) };
    let (negative, digits) = match &args[0] {
        ScalarValue::Decimal128(Some(v), _, scale) => {
            (*v < 0, decimal_digits(v.unsigned_abs(), i32::from(*scale), places))
        }
        ScalarValue::Float64(Some(f)) => float_digits(*f, places),
        ScalarValue::Float32(Some(f)) => float_digits(f64::from(*f), places),
        other => match other.cast_to(&DataType::Int64)? {
            ScalarValue::Int64(Some(n)) => (n < 0, decimal_digits(u128::from(n.unsigned_abs()), 0, places)),
            _ => return Ok(ScalarValue::Utf8(None)),
        },
    };
    let (whole, fraction) = digits.split_once('.').unwrap_or((&digits, ""));
    let mut grouped = String::new();
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    let sign = if negative { "-" } else { "" };
    Ok(ScalarValue::Utf8(Some(if fraction.is_empty() {
        format!("{sign}{grouped}")
    } else {
        format!("{sign}{grouped}.{fraction}")
    })))
}

/// A double's magnitude at `places` decimals (Rust rounds the exact binary value half to even,
/// as `DecimalFormat`'s HALF_EVEN does), and its sign.
fn float_digits(value: f64, places: usize) -> (bool, String) {
    if !value.is_finite() {
        return (
            false,
            if value.is_nan() { "NaN".to_string() } else { format!("{}∞", if value < 0.0 { "-" } else { "" }) },
        );
    }
    (value.is_sign_negative() && value != 0.0, format!("{:.places$}", value.abs()))
}

/// An unscaled decimal magnitude at `places` decimals, rounded half to even.
fn decimal_digits(unscaled: u128, scale: i32, places: usize) -> String {
    let places_i = i32::try_from(places).unwrap_or(i32::MAX);
    let value = if places_i >= scale {
        unscaled.saturating_mul(10_u128.saturating_pow(u32::try_from(places_i - scale).unwrap_or(0)))
    } else {
        let divisor = 10_u128.pow(u32::try_from(scale - places_i).unwrap_or(0));
        let (quotient, remainder) = (unscaled / divisor, unscaled % divisor);
        let half = divisor / 2;
        if remainder > half || (remainder == half && quotient % 2 == 1) {
            quotient + 1
        } else {
            quotient
        }
    };
    let text = format!("{value:0>width$}", width = places + 1);
    if places == 0 {
        text
    } else {
        format!("{}.{}", &text[..text.len() - places], &text[text.len() - places..])
    }
}
