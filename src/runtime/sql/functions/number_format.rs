//! Spark's number formats (`to_number`, `try_to_number`, `to_char` / `to_varchar` of numbers):
//! `0` / `9` a digit, `.` / `D` the decimal point, `,` / `G` a grouping separator, `$` the
//! currency sign, `S` a sign (`+` or `-`) at either end, `MI` a minus (or a space) at the end.
//! `to_number(text, fmt)` is a `decimal(digits, fraction digits)`; text that does not match is an
//! error (`try_to_number`: NULL). `to_char(x, fmt)` writes `x` rounded half-up to the format's
//! fraction digits, the integer part padded with zeros where the digits start with `0`, else
//! with spaces; too many digits give `#` in every digit place, as Spark does. The format must be
//! a literal, as in Spark; `PR` is not supported by glueless (one error line).

use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::Decimal128Type;
use arrow_array::{Array, ArrayRef, Decimal128Array, StringArray};
use arrow_schema::{DataType, Field, FieldRef};
use datafusion::common::ScalarValue;
use datafusion::error::{DataFusionError, Result};
use datafusion::logical_expr::{
    ColumnarValue, ReturnFieldArgs, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility,
};

/// The family's functions.
pub(crate) fn functions() -> Vec<Arc<ScalarUDF>> {
    ["to_number", "try_to_number", "to_char", "to_varchar"]
        .into_iter()
        .map(|name| {
            Arc::new(ScalarUDF::new_from_impl(NumberFormat {
                name,
                signature: Signature::user_defined(Volatility::Immutable),
            }))
        })
        .collect()
}

/// One element of a format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Token {
    Digit(char),
    Point,
    Group,
    Currency,
    Sign,
    Minus,
}

/// A parsed format: its tokens, digits before and after the point.
#[derive(Debug)]
struct Format {
    tokens: Vec<Token>,
    integer_digits: usize,
    fraction_digits: usize,
}

fn bad_format(format: &str, why: &str) -> DataFusionError {
    DataFusionError::Plan(format!("[INVALID_FORMAT] The format {format:?} is invalid: {why}"))
}

fn parse_format(format: &str) -> Result<Format> {
    let upper = format.to_ascii_uppercase();
    let mut tokens = Vec::new();
    let mut chars = upper.chars().peekable();
    while let Some(c) = chars.next() {
        tokens.push(match c {
            '0' | '9' => Token::Digit(c),
            '.' | 'D' => Token::Point,
            ',' | 'G' => Token::Group,
            '$' => Token::Currency,
            'S' => Token::Sign,
            'M' if chars.peek() == Some(&'I') => {
                chars.next();
                Token::Minus
            }
            'P' if chars.peek() == Some(&'R') => {
                return Err(DataFusionError::Plan("the number format PR is not supported by glueless".to_string()))
            }
            other => return Err(bad_format(format, &format!("unexpected character {other:?}"))),
        });
    }
    let point = tokens.iter().position(|t| *t == Token::Point);
    if tokens.iter().filter(|t| **t == Token::Point).count() > 1 {
        return Err(bad_format(format, "more than one decimal point"));
    }
    let digits = |ts: &[Token]| ts.iter().filter(|t| matches!(t, Token::Digit(_))).count();
    let (integer_digits, fraction_digits) = match point {
        Some(p) => (digits(&tokens[..p]), digits(&tokens[p..])),
        None => (digits(&tokens), 0),
    };
    if integer_digits + fraction_digits == 0 {
        return Err(bad_format(format, "it has no digits"));
    }
    Ok(Format { tokens, integer_digits, fraction_digits })
}

/// `text` read by `format` as an unscaled decimal; None when it does not match.
fn parse_number(text: &str, format: &Format) -> Option<i128> {
    let owned = if format.tokens.contains(&Token::Currency) {
        if !text.contains('$') {
            return None;
        }
        text.trim().replacen('$', "", 1)
    } else {
        text.trim().to_string()
    };
    let mut rest = owned.as_str();
    let mut negative = false;
    if format.tokens.contains(&Token::Sign) || format.tokens.contains(&Token::Minus) || rest.starts_with('-') {
        if let Some(r) = rest.strip_prefix('-').or_else(|| rest.strip_suffix('-')) {
            negative = true;
            rest = r;
        } else if let Some(r) = rest.strip_prefix('+').or_else(|| rest.strip_suffix('+')) {
            rest = r;
        }
    }
    let (whole, fraction) = rest.split_once('.').unwrap_or((rest, ""));
    if !format.tokens.contains(&Token::Group) && whole.contains(',') {
        return None;
    }
    let whole: String = whole.chars().filter(|c| *c != ',').collect();
    if !whole.chars().chain(fraction.chars()).all(|c| c.is_ascii_digit()) || (whole.is_empty() && fraction.is_empty()) {
        return None;
    }
    let leading_zero = format.tokens.iter().find(|t| matches!(t, Token::Digit(_))) == Some(&Token::Digit('0'));
    if whole.len() > format.integer_digits
        || fraction.len() > format.fraction_digits
        || (leading_zero && whole.len() != format.integer_digits)
    {
        return None;
    }
    let padded = format!("{whole}{fraction:0<width$}", width = format.fraction_digits);
    let value: i128 = if padded.is_empty() { 0 } else { padded.parse().ok()? };
    Some(if negative { -value } else { value })
}

/// The unscaled decimal `value` (scale `scale`) written by `format`.
fn write_number(value: i128, scale: u32, format: &Format) -> String {
    let target = u32::try_from(format.fraction_digits).unwrap_or(u32::MAX);
    let negative = value < 0;
    let mut magnitude = value.unsigned_abs();
    if scale > target {
        let divisor = 10u128.pow(scale - target);
        magnitude = (magnitude + divisor / 2) / divisor;
    } else {
        magnitude *= 10u128.pow(target - scale);
    }
    let digits = magnitude.to_string();
    let digits = format!("{digits:0>width$}", width = format.fraction_digits + 1);
    let (whole, fraction) = digits.split_at(digits.len() - format.fraction_digits);
    let whole = whole.trim_start_matches('0');
    let overflow = whole.len() > format.integer_digits;
    let leading_zero = format.tokens.iter().find(|t| matches!(t, Token::Digit(_))) == Some(&Token::Digit('0'));
    let pad = if leading_zero { '0' } else { ' ' };
    let integer: Vec<char> = format!("{whole:>width$}", width = format.integer_digits)
        .chars()
        .map(|c| if c == ' ' { pad } else { c })
        .collect();
    let mut fraction = fraction.chars();
    let mut integer = integer.into_iter();
    let mut seen_digit = false;
    let mut after_point = false;
    let mut out = String::new();
    for (i, token) in format.tokens.iter().enumerate() {
        match token {
            Token::Digit(_) if overflow => out.push('#'),
            Token::Digit(_) if after_point => out.push(fraction.next().unwrap_or('0')),
            Token::Digit(_) => {
                let c = integer.next().unwrap_or(pad);
                seen_digit |= c != ' ';
                out.push(c);
            }
            Token::Point => {
                after_point = true;
                out.push('.');
            }
            Token::Group => out.push(if seen_digit || overflow { ',' } else { ' ' }),
            Token::Currency => out.push('$'),
            Token::Sign => out.push(if negative { '-' } else { '+' }),
            Token::Minus if i + 1 == format.tokens.len() => out.push(if negative { '-' } else { ' ' }),
            Token::Minus => {}
        }
    }
    let signed = format.tokens.iter().any(|t| matches!(t, Token::Sign | Token::Minus));
    if negative && !signed {
        format!("-{}", out.trim_start())
    } else {
        out
    }
}

#[derive(Debug, PartialEq, Eq, Hash)]
struct NumberFormat {
    name: &'static str,
    signature: Signature,
}

impl NumberFormat {
    fn reads(&self) -> bool {
        self.name.ends_with("to_number")
    }
}

fn literal_format(value: Option<&ScalarValue>) -> Result<&str> {
    match value {
        Some(ScalarValue::Utf8(Some(f))) => Ok(f),
        _ => Err(DataFusionError::Plan("[NON_FOLDABLE_ARGUMENT] the number format must be a string literal".into())),
    }
}

impl ScalarUDFImpl for NumberFormat {
    fn name(&self) -> &'static str {
        self.name
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        if arg_types.len() != 2 {
            return Err(DataFusionError::Plan(format!("[WRONG_NUM_ARGS] {} takes 2 arguments", self.name)));
        }
        let input = if self.reads() {
            DataType::Utf8
        } else {
            match &arg_types[0] {
                d @ DataType::Decimal128(..) => d.clone(),
                t if t.is_integer() => DataType::Decimal128(20, 0),
                // Spark's implicit cast of a double to a decimal.
                _ => DataType::Decimal128(30, 15),
            }
        };
        Ok(vec![input, DataType::Utf8])
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Err(DataFusionError::Internal("return_field_from_args decides".to_string()))
    }

    fn return_field_from_args(&self, args: ReturnFieldArgs) -> Result<FieldRef> {
        let format = parse_format(literal_format(args.scalar_arguments.get(1).copied().flatten())?)?;
        let data_type = if self.reads() {
            let precision = u8::try_from(format.integer_digits + format.fraction_digits).unwrap_or(38).min(38);
            DataType::Decimal128(precision, i8::try_from(format.fraction_digits).unwrap_or(0))
        } else {
            DataType::Utf8
        };
        Ok(Arc::new(Field::new(self.name, data_type, true)))
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let ColumnarValue::Scalar(ScalarValue::Utf8(Some(text))) = &args.args[1] else {
            return Err(DataFusionError::Plan(
                "[NON_FOLDABLE_ARGUMENT] the number format must be a string literal".into(),
            ));
        };
        let format = parse_format(text)?;
        let input = args.args[0].clone().into_array(args.number_rows)?;
        let out: ArrayRef = if self.reads() {
            let texts = input.as_string::<i32>();
            let values = (0..texts.len())
                .map(|i| {
                    if texts.is_null(i) {
                        return Ok(None);
                    }
                    match parse_number(texts.value(i), &format) {
                        Some(v) => Ok(Some(v)),
                        None if self.name == "try_to_number" => Ok(None),
                        None => Err(DataFusionError::Execution(format!(
                            "[INVALID_FORMAT.MISMATCH_INPUT] The input {:?} does not match the format {text:?}",
                            texts.value(i)
                        ))),
                    }
                })
                .collect::<Result<Decimal128Array>>()?;
            Arc::new(values.with_data_type(args.return_field.data_type().clone()))
        } else {
            let decimals = input.as_primitive::<Decimal128Type>();
            let scale = u32::try_from(decimals.scale()).unwrap_or(0);
            let texts: StringArray = decimals.iter().map(|v| v.map(|v| write_number(v, scale, &format))).collect();
            Arc::new(texts)
        };
        Ok(ColumnarValue::Array(out))
    }
}

#[cfg(test)]
mod tests {
    use super::{parse_format, parse_number, write_number};

    /// Spark 3.5's documented examples of to_number and to_char.
    #[test]
    fn formats_as_spark() {
        let f = |s: &str| parse_format(s).unwrap();
        assert_eq!(parse_number("454", &f("999")), Some(454));
        assert_eq!(parse_number("454.00", &f("000.00")), Some(45400));
        assert_eq!(parse_number("12,454", &f("99,999")), Some(12454));
        assert_eq!(parse_number("$78.12", &f("$99.99")), Some(7812));
        assert_eq!(parse_number("12,454.8-", &f("99,999.9S")), Some(-124_548));
        assert_eq!(parse_number("5", &f("00")), None);
        assert_eq!(write_number(454, 0, &f("999")), "454");
        assert_eq!(write_number(45_400, 2, &f("000D00")), "454.00");
        assert_eq!(write_number(12_454, 0, &f("99G999")), "12,454");
        assert_eq!(write_number(7812, 2, &f("$99.99")), "$78.12");
        assert_eq!(write_number(-124_548, 1, &f("99G999D9S")), "12,454.8-");
        assert_eq!(write_number(12_345, 0, &f("99")), "##");
    }
}
