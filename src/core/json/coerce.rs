//! Lossless coercion of one JSON value to a column type. A value that cannot be stored without
//! losing information is an error (its record goes to quarantine), never a silent null.
//!
//! | to \ from | string | integer | float | bool | object/array |
//! |---|---|---|---|---|---|
//! | string | as is | its JSON text (`8015551212` → `"8015551212"`) | its JSON text | `"true"`/`"false"` | JSON text if the schema was inferred, else rejected |
//! | int64 | a number in the string, if it is integral | if in range | if integral (`1655564376361.0`) | rejected | rejected |
//! | float64 | a number in the string | if exact (\|i\| ≤ 2^53 or exactly representable) | as is | rejected | rejected |
//! | bool | `"true"`/`"false"` | 0 or 1 | rejected | as is | rejected |
//!
//! `null` is null in every column.

use std::borrow::Cow;

use arrow_schema::DataType;

/// A decoded value ready to append to a column.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Typed<'a> {
    Null,
    Str(Cow<'a, str>),
    Int(i64),
    Float(f64),
    Bool(bool),
}

/// What kind of JSON value a raw value is, judged by its first byte.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum JsonKind {
    Null,
    Bool,
    Number,
    String,
    Nested,
}

impl JsonKind {
    /// The kind of a (valid) raw JSON value.
    #[must_use]
    pub(crate) fn of(raw: &str) -> Self {
        match raw.as_bytes().first() {
            Some(b'n') => JsonKind::Null,
            Some(b't' | b'f') => JsonKind::Bool,
            Some(b'"') => JsonKind::String,
            Some(b'{' | b'[') => JsonKind::Nested,
            _ => JsonKind::Number,
        }
    }

    fn name(self) -> &'static str {
        match self {
            JsonKind::Null => "null",
            JsonKind::Bool => "a boolean",
            JsonKind::Number => "a number",
            JsonKind::String => "a string",
            JsonKind::Nested => "an object or array",
        }
    }
}

/// The content of a JSON string literal, borrowed unless it has escapes.
///
/// # Errors
/// Only for a literal that is not valid JSON (the decoder has already validated it).
pub(crate) fn string_content(raw: &str) -> Result<Cow<'_, str>, String> {
    let inner = &raw[1..raw.len() - 1];
    if inner.contains('\\') {
        serde_json::from_str::<String>(raw).map(Cow::Owned).map_err(|e| e.to_string())
    } else {
        Ok(Cow::Borrowed(inner))
    }
}

#[cfg(test)]
/// Coerce `text`, the text of one valid JSON value, to a value of type `to`.
///
/// # Errors
/// A short reason when the value cannot be stored in `to` without loss.
pub(crate) fn coerce<'a>(text: &'a str, to: &DataType, nested_as_json: bool) -> Result<Typed<'a>, String> {
    coerce_checked(text, to, nested_as_json, true)
}

/// As [`coerce`]; `escapes: false` promises that a string value has no escapes (the fast scanner
/// has checked), which saves looking for them again.
///
/// # Errors
/// As [`coerce`].
pub(crate) fn coerce_checked<'a>(
    text: &'a str,
    to: &DataType,
    nested_as_json: bool,
    escapes: bool,
) -> Result<Typed<'a>, String> {
    let kind = JsonKind::of(text);
    if kind == JsonKind::Null {
        return Ok(Typed::Null);
    }
    let rejected = || Err(format!("{} cannot be stored as {}", describe(text, kind), type_name(to)));
    match (to, kind) {
        (DataType::Utf8, JsonKind::String) if !escapes => Ok(Typed::Str(Cow::Borrowed(&text[1..text.len() - 1]))),
        (DataType::Utf8, JsonKind::String) => string_content(text).map(Typed::Str),
        (DataType::Utf8, JsonKind::Number | JsonKind::Bool) => Ok(Typed::Str(Cow::Borrowed(text))),
        (DataType::Utf8, JsonKind::Nested) if nested_as_json => Ok(Typed::Str(Cow::Borrowed(text))),
        (DataType::Int64, JsonKind::Number) => int_from_number(text).map(Typed::Int).ok_or(()).or_else(|()| rejected()),
        (DataType::Int64, JsonKind::String) => {
            let s = string_content(text)?;
            numeric_text(s.trim()).and_then(int_from_number).map(Typed::Int).ok_or(()).or_else(|()| rejected())
        }
        (DataType::Float64, JsonKind::Number) => {
            float_from_number(text).map(Typed::Float).ok_or(()).or_else(|()| rejected())
        }
        (DataType::Float64, JsonKind::String) => {
            let s = string_content(text)?;
            numeric_text(s.trim()).and_then(float_from_number).map(Typed::Float).ok_or(()).or_else(|()| rejected())
        }
        (DataType::Boolean, JsonKind::Bool) => Ok(Typed::Bool(text == "true")),
        (DataType::Boolean, JsonKind::Number) => match text {
            "0" => Ok(Typed::Bool(false)),
            "1" => Ok(Typed::Bool(true)),
            _ => rejected(),
        },
        (DataType::Boolean, JsonKind::String) => match string_content(text)?.trim().to_ascii_lowercase().as_str() {
            "true" => Ok(Typed::Bool(true)),
            "false" => Ok(Typed::Bool(false)),
            _ => rejected(),
        },
        _ => rejected(),
    }
}

/// `text` if it has the characters of a JSON number (so `"NaN"` or `"inf"` are not numbers).
fn numeric_text(text: &str) -> Option<&str> {
    let ok = !text.is_empty()
        && text.bytes().any(|b| b.is_ascii_digit())
        && text.bytes().all(|b| b.is_ascii_digit() || matches!(b, b'-' | b'+' | b'.' | b'e' | b'E'));
    ok.then_some(text)
}

const MAX_EXACT_F64_INT: f64 = 9_007_199_254_740_992.0; // 2^53

/// An integer from a number's text, if the number is integral and fits in an int64 exactly.
#[must_use]
pub(crate) fn int_from_number(text: &str) -> Option<i64> {
    if let Ok(v) = text.parse::<i64>() {
        return Some(v);
    }
    if !text.contains(['e', 'E']) {
        // `1655564376361.0`: exact when everything after the point is zero.
        let (int_part, frac) = text.split_once('.')?;
        return if frac.bytes().all(|b| b == b'0') { int_part.parse::<i64>().ok() } else { None };
    }
    let v: f64 = text.parse().ok()?;
    #[allow(clippy::cast_possible_truncation)]
    (v.fract() == 0.0 && v.abs() <= MAX_EXACT_F64_INT).then_some(v as i64)
}

/// A float from a number's text, refusing integers that a float64 cannot hold exactly.
#[must_use]
pub(crate) fn float_from_number(text: &str) -> Option<f64> {
    if let Some(v) = short_decimal(text) {
        return Some(v);
    }
    let v: f64 = text.parse().ok()?;
    if !v.is_finite() {
        return None;
    }
    if let Ok(i) = text.parse::<i64>() {
        #[allow(clippy::cast_possible_truncation, clippy::cast_precision_loss)]
        let exact = i.unsigned_abs() <= 1 << 53 || (v.abs() < 9.2e18 && v as i64 == i);
        return exact.then_some(v);
    }
    Some(v)
}

/// Clinger's fast path for short decimals (`-1.0`, `0.25`): with at most 15 digits the digits and
/// the power of ten are exact doubles, so one division rounds correctly, as `str::parse` would.
fn short_decimal(text: &str) -> Option<f64> {
    const POW10: [f64; 16] = [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];
    let bytes = text.as_bytes();
    let negative = bytes.first() == Some(&b'-');
    let digits = &bytes[usize::from(negative)..];
    if digits.len() > 16 {
        return None;
    }
    // One pass: the digits' value and where the point is (exactly one, with digits on both sides).
    let (mut mantissa, mut point) = (0u64, None);
    for (i, &b) in digits.iter().enumerate() {
        match b {
            b'0'..=b'9' => mantissa = mantissa * 10 + u64::from(b - b'0'),
            b'.' if point.is_none() => point = Some(i),
            _ => return None,
        }
    }
    let point = point?;
    let frac_len = digits.len() - point - 1;
    if point == 0 || frac_len == 0 {
        return None;
    }
    #[allow(clippy::cast_precision_loss)]
    let v = mantissa as f64 / POW10[frac_len];
    Some(if negative { -v } else { v })
}

fn type_name(to: &DataType) -> &'static str {
    match to {
        DataType::Utf8 => "string",
        DataType::Int64 => "int64",
        DataType::Float64 => "float64",
        DataType::Boolean => "boolean",
        _ => "this column type",
    }
}

fn describe(text: &str, kind: JsonKind) -> String {
    const SHOWN: usize = 40;
    if text.len() <= SHOWN {
        format!("{} {text}", kind.name())
    } else {
        let cut = (0..=SHOWN).rev().find(|&i| text.is_char_boundary(i)).unwrap_or(0);
        format!("{} {}…", kind.name(), &text[..cut])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c<'a>(json: &'a str, to: &DataType) -> Result<Typed<'a>, String> {
        serde_json::from_str::<serde::de::IgnoredAny>(json).expect("tests pass valid JSON");
        coerce(json, to, false)
    }

    #[test]
    fn phone_numbers_become_strings() {
        assert_eq!(c("8015551212", &DataType::Utf8).unwrap(), Typed::Str("8015551212".into()));
        assert_eq!(c("\"a\\\"b\"", &DataType::Utf8).unwrap(), Typed::Str("a\"b".into()));
        assert_eq!(c("true", &DataType::Utf8).unwrap(), Typed::Str("true".into()));
        assert!(c("{\"a\":1}", &DataType::Utf8).is_err());
    }

    #[test]
    fn integral_floats_and_numeric_strings_become_int64() {
        let i = &DataType::Int64;
        assert_eq!(c("1655564376361.0", i).unwrap(), Typed::Int(1_655_564_376_361));
        assert_eq!(c("1.655564376361e12", i).unwrap(), Typed::Int(1_655_564_376_361));
        assert_eq!(c("\"1655564376361\"", i).unwrap(), Typed::Int(1_655_564_376_361));
        assert_eq!(c("-0.0", i).unwrap(), Typed::Int(0));
        assert_eq!(c("null", i).unwrap(), Typed::Null);
        for lossy in ["1.5", "1e300", "9223372036854775808", "true", "\"abc\"", "\"\"", "\"NaN\"", "[1]"] {
            assert!(c(lossy, i).is_err(), "{lossy}");
        }
    }

    #[test]
    fn floats_are_exact_or_rejected() {
        let f = &DataType::Float64;
        assert_eq!(c("-1", f).unwrap(), Typed::Float(-1.0));
        assert_eq!(c("0.25", f).unwrap(), Typed::Float(0.25));
        assert_eq!(c("\"2.5\"", f).unwrap(), Typed::Float(2.5));
        assert!(c("9007199254740993", f).is_err());
        assert!(c("\"inf\"", f).is_err());
        assert!(c("false", f).is_err());
    }

    #[test]
    fn short_decimals_parse_exactly_as_std_does() {
        for text in
            ["1.0", "-1.0", "0.0", "-0.0", "0.1", "123.456", "99999999999.9999", "3.141592653589793", "1e5", "-12"]
        {
            let ours = float_from_number(text).unwrap();
            assert_eq!(ours.to_bits(), text.parse::<f64>().unwrap().to_bits(), "{text}");
        }
    }

    #[test]
    fn booleans() {
        let b = &DataType::Boolean;
        assert_eq!(c("true", b).unwrap(), Typed::Bool(true));
        assert_eq!(c("0", b).unwrap(), Typed::Bool(false));
        assert_eq!(c("\"FALSE\"", b).unwrap(), Typed::Bool(false));
        assert!(c("2", b).is_err());
    }

    #[test]
    fn reasons_name_the_value_and_the_type() {
        let reason = c("\"abc\"", &DataType::Int64).unwrap_err();
        assert_eq!(reason, "a string \"abc\" cannot be stored as int64");
    }
}
