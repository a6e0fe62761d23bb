//! Typed columns built from text values with the rules of Spark's JSON and CSV readers. A value
//! that the column's type cannot read is a null and makes its record malformed (Spark's
//! PERMISSIVE mode keeps the record with that field null).

use std::borrow::Cow;
use std::sync::Arc;

use arrow_array::builder::{
    BooleanBuilder, Date32Builder, Decimal128Builder, Float32Builder, Float64Builder, Int16Builder, Int32Builder,
    Int64Builder, Int8Builder, StringBuilder, TimestampMicrosecondBuilder,
};
use arrow_array::ArrayRef;
use arrow_schema::{DataType, TimeUnit};

use super::datetime::{parse_date, parse_timestamp, SessionZone};
use crate::error::{Error, Result};

/// One JSON value of a record, by kind, with its text.
#[derive(Debug, Clone)]
pub(crate) enum JsonValue<'a> {
    Null,
    Str(Cow<'a, str>),
    /// A number as written.
    Number(&'a str),
    Bool(bool),
    /// An object or array, as compact JSON text.
    Nested(String),
}

/// A value ready for a builder.
enum Cell<'a> {
    Null,
    Str(Cow<'a, str>),
    Int(i64),
    Float(f64),
    Bool(bool),
    Date(i32),
    Time(i64),
    Decimal(i128),
}

/// A column being built.
pub(crate) enum Column {
    Utf8(StringBuilder),
    Boolean(BooleanBuilder),
    Int8(Int8Builder),
    Int16(Int16Builder),
    Int32(Int32Builder),
    Int64(Int64Builder),
    Float32(Float32Builder),
    Float64(Float64Builder),
    Date(Date32Builder),
    Timestamp(TimestampMicrosecondBuilder, Option<Arc<str>>),
    Decimal(Decimal128Builder, u8, i8),
}

impl Column {
    /// A builder for `data_type`.
    ///
    /// # Errors
    /// [`Error::Unsupported`] for a type the text readers do not read (binary, nested).
    pub(crate) fn new(name: &str, data_type: &DataType) -> Result<Self> {
        Ok(match data_type {
            DataType::Utf8 => Column::Utf8(StringBuilder::new()),
            DataType::Boolean => Column::Boolean(BooleanBuilder::new()),
            DataType::Int8 => Column::Int8(Int8Builder::new()),
            DataType::Int16 => Column::Int16(Int16Builder::new()),
            DataType::Int32 => Column::Int32(Int32Builder::new()),
            DataType::Int64 => Column::Int64(Int64Builder::new()),
            DataType::Float32 => Column::Float32(Float32Builder::new()),
            DataType::Float64 => Column::Float64(Float64Builder::new()),
            DataType::Date32 => Column::Date(Date32Builder::new()),
            DataType::Timestamp(TimeUnit::Microsecond, zone) => {
                Column::Timestamp(TimestampMicrosecondBuilder::new(), zone.clone())
            }
            DataType::Decimal128(p, s) => Column::Decimal(Decimal128Builder::new(), *p, *s),
            other => {
                return Err(Error::Unsupported(format!(
                    "column {name} of type {}: JSON and CSV streams read flat columns of Spark's simple types",
                    crate::core::types::display_name(other, crate::core::types::Dialect::SparkDdl)
                )))
            }
        })
    }

    pub(crate) fn append_null(&mut self) {
        self.append_null_value();
    }

    fn append_null_value(&mut self) {
        match self {
            Column::Utf8(b) => b.append_null(),
            Column::Boolean(b) => b.append_null(),
            Column::Int8(b) => b.append_null(),
            Column::Int16(b) => b.append_null(),
            Column::Int32(b) => b.append_null(),
            Column::Int64(b) => b.append_null(),
            Column::Float32(b) => b.append_null(),
            Column::Float64(b) => b.append_null(),
            Column::Date(b) => b.append_null(),
            Column::Timestamp(b, _) => b.append_null(),
            Column::Decimal(b, ..) => b.append_null(),
        }
    }

    /// Append a JSON value with the rules of Spark's JSON reader; false (and a null) when the
    /// column's type cannot read it.
    pub(crate) fn append_json(&mut self, value: &JsonValue<'_>, zone: SessionZone) -> bool {
        let cell = match (&*self, value) {
            (_, JsonValue::Null) => Some(Cell::Null),
            (Column::Utf8(_), JsonValue::Str(s)) => Some(Cell::Str(Cow::Borrowed(s.as_ref()))),
            (Column::Utf8(_), JsonValue::Number(n)) => Some(Cell::Str(Cow::Owned(json_number_text(n)))),
            (Column::Utf8(_), JsonValue::Bool(b)) => Some(Cell::Str(Cow::Borrowed(if *b { "true" } else { "false" }))),
            (Column::Utf8(_), JsonValue::Nested(text)) => Some(Cell::Str(Cow::Borrowed(text.as_str()))),
            (Column::Boolean(_), JsonValue::Bool(b)) => Some(Cell::Bool(*b)),
            (Column::Int8(_) | Column::Int16(_) | Column::Int32(_) | Column::Int64(_), JsonValue::Number(n)) => {
                json_integer(n).map(Cell::Int)
            }
            (Column::Float32(_) | Column::Float64(_), JsonValue::Number(n)) => n.parse::<f64>().ok().map(Cell::Float),
            (Column::Float32(_) | Column::Float64(_), JsonValue::Str(s)) => special_float(s).map(Cell::Float),
            (Column::Timestamp(..), JsonValue::Str(s)) => parse_timestamp(s, zone).map(Cell::Time),
            (Column::Timestamp(..), JsonValue::Number(n)) => {
                json_integer(n).and_then(|s| s.checked_mul(1_000_000)).map(Cell::Time)
            }
            (Column::Date(_), JsonValue::Str(s)) => parse_date(s).map(Cell::Date),
            (Column::Decimal(_, p, s), JsonValue::Number(n)) => parse_decimal(n, *p, *s).map(Cell::Decimal),
            _ => None,
        };
        self.push_or_null(cell)
    }

    /// Append a CSV field (`None`: empty, Spark's default `nullValue`) with the rules of Spark's
    /// CSV reader; false (and a null) when the column's type cannot read it.
    pub(crate) fn append_csv(&mut self, field: Option<&str>, zone: SessionZone) -> bool {
        let Some(text) = field.filter(|t| !t.is_empty()) else {
            self.push(Cell::Null);
            return true;
        };
        let cell = match &*self {
            Column::Utf8(_) => Some(Cell::Str(Cow::Borrowed(text))),
            Column::Boolean(_) => match text.to_ascii_lowercase().as_str() {
                "true" => Some(Cell::Bool(true)),
                "false" => Some(Cell::Bool(false)),
                _ => None,
            },
            Column::Int8(_) | Column::Int16(_) | Column::Int32(_) | Column::Int64(_) => {
                java_integer(text).map(Cell::Int)
            }
            Column::Float32(_) | Column::Float64(_) => match text {
                "NaN" => Some(Cell::Float(f64::NAN)),
                "Inf" => Some(Cell::Float(f64::INFINITY)),
                "-Inf" => Some(Cell::Float(f64::NEG_INFINITY)),
                _ => java_double(text).map(Cell::Float),
            },
            Column::Timestamp(..) => parse_timestamp(text, zone).map(Cell::Time),
            Column::Date(_) => parse_date(text).map(Cell::Date),
            Column::Decimal(_, p, s) => parse_decimal(text, *p, *s).map(Cell::Decimal),
        };
        self.push_or_null(cell)
    }

    fn push_or_null(&mut self, cell: Option<Cell<'_>>) -> bool {
        if let Some(cell) = cell {
            self.push(cell)
        } else {
            self.push(Cell::Null);
            false
        }
    }

    /// Append `cell`; false (and a null) when it is out of the column's range.
    fn push(&mut self, cell: Cell<'_>) -> bool {
        if let Cell::Null = cell {
            self.append_null_value();
            return true;
        }
        #[allow(clippy::cast_possible_truncation)]
        let fits = match (self, cell) {
            (Column::Utf8(b), Cell::Str(s)) => {
                b.append_value(s);
                true
            }
            (Column::Boolean(b), Cell::Bool(v)) => {
                b.append_value(v);
                true
            }
            (Column::Boolean(b), _) => {
                b.append_null();
                false
            }
            (Column::Int8(b), Cell::Int(v)) => {
                b.append_option(narrow(v));
                narrow::<i8>(v).is_some()
            }
            (Column::Int16(b), Cell::Int(v)) => {
                b.append_option(narrow(v));
                narrow::<i16>(v).is_some()
            }
            (Column::Int32(b), Cell::Int(v)) => {
                b.append_option(narrow(v));
                narrow::<i32>(v).is_some()
            }
            (Column::Int64(b), Cell::Int(v)) => {
                b.append_value(v);
                true
            }
            (Column::Float32(b), Cell::Float(v)) => {
                b.append_value(v as f32);
                true
            }
            (Column::Float64(b), Cell::Float(v)) => {
                b.append_value(v);
                true
            }
            (Column::Date(b), Cell::Date(v)) => {
                b.append_value(v);
                true
            }
            (Column::Timestamp(b, _), Cell::Time(v)) => {
                b.append_value(v);
                true
            }
            (Column::Decimal(b, ..), Cell::Decimal(v)) => {
                b.append_value(v);
                true
            }
            (Column::Int8(b), _) => {
                b.append_null();
                false
            }
            (Column::Int16(b), _) => {
                b.append_null();
                false
            }
            (Column::Int32(b), _) => {
                b.append_null();
                false
            }
            (Column::Int64(b), _) => {
                b.append_null();
                false
            }
            (Column::Float32(b), _) => {
                b.append_null();
                false
            }
            (Column::Float64(b), _) => {
                b.append_null();
                false
            }
            (Column::Date(b), _) => {
                b.append_null();
                false
            }
            (Column::Timestamp(b, _), _) => {
                b.append_null();
                false
            }
            (Column::Decimal(b, ..), _) => {
                b.append_null();
                false
            }
            (Column::Utf8(b), _) => {
                b.append_null();
                false
            }
        };
        fits
    }

    /// The finished column.
    ///
    /// # Errors
    /// Arrow errors (a decimal's precision).
    pub(crate) fn finish(self) -> Result<ArrayRef> {
        Ok(match self {
            Column::Utf8(mut b) => Arc::new(b.finish()),
            Column::Boolean(mut b) => Arc::new(b.finish()),
            Column::Int8(mut b) => Arc::new(b.finish()),
            Column::Int16(mut b) => Arc::new(b.finish()),
            Column::Int32(mut b) => Arc::new(b.finish()),
            Column::Int64(mut b) => Arc::new(b.finish()),
            Column::Float32(mut b) => Arc::new(b.finish()),
            Column::Float64(mut b) => Arc::new(b.finish()),
            Column::Date(mut b) => Arc::new(b.finish()),
            Column::Timestamp(mut b, zone) => Arc::new(b.finish().with_timezone_opt(zone)),
            Column::Decimal(mut b, p, s) => Arc::new(b.finish().with_precision_and_scale(p, s)?),
        })
    }
}

fn narrow<T: TryFrom<i64>>(v: i64) -> Option<T> {
    T::try_from(v).ok()
}

/// A JSON integer literal (no fraction, no exponent) that fits an int64.
fn json_integer(text: &str) -> Option<i64> {
    if text.contains(['.', 'e', 'E']) {
        return None;
    }
    text.parse().ok()
}

/// Java's `Long.parseLong`: an optional sign and digits, nothing else.
fn java_integer(text: &str) -> Option<i64> {
    let digits = text.strip_prefix(['+', '-']).unwrap_or(text);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// Java's `Double.parseDouble`: surrounding whitespace, `Infinity`, `NaN`, a `d`/`f` suffix.
fn java_double(text: &str) -> Option<f64> {
    let text = text.trim();
    let unsigned = text.strip_prefix(['+', '-']).unwrap_or(text);
    if unsigned == "Infinity" || unsigned == "NaN" {
        return text.replace("Infinity", "inf").parse().ok();
    }
    let number = text.strip_suffix(['d', 'D', 'f', 'F']).unwrap_or(text);
    let plain = number.bytes().all(|b| b.is_ascii_digit() || matches!(b, b'+' | b'-' | b'.' | b'e' | b'E'));
    if plain && number.bytes().any(|b| b.is_ascii_digit()) {
        number.parse().ok()
    } else {
        None
    }
}

/// The strings Spark's JSON reader takes as floating-point numbers.
fn special_float(text: &str) -> Option<f64> {
    match text {
        "NaN" | "+NaN" | "-NaN" => Some(f64::NAN),
        "Infinity" | "+Infinity" | "+INF" | "INF" => Some(f64::INFINITY),
        "-Infinity" | "-INF" => Some(f64::NEG_INFINITY),
        _ => None,
    }
}

/// A JSON number as Spark writes it into a string column: integers as written, other numbers as
/// Java's `Double.toString` (`1.50` → `1.5`, `1e3` → `1000.0`, `1e21` → `1.0E21`).
fn json_number_text(text: &str) -> String {
    if json_integer(text).is_some() {
        return text.to_string();
    }
    text.parse::<f64>().map_or_else(|_| text.to_string(), super::java::java_double_text)
}

/// A decimal number (`-12.345`, `1.5e2`) as an unscaled value of `scale`, rounded half up, if it
/// fits `precision` digits.
fn parse_decimal(text: &str, precision: u8, scale: i8) -> Option<i128> {
    let text = text.trim();
    let (negative, unsigned) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    let (mantissa, exponent) = match unsigned.split_once(['e', 'E']) {
        Some((m, e)) => (m, e.parse::<i32>().ok()?),
        None => (unsigned, 0),
    };
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    if whole.is_empty() && fraction.is_empty() || !whole.bytes().chain(fraction.bytes()).all(|b| b.is_ascii_digit()) {
        return None;
    }
    let digits: String = format!("{whole}{fraction}");
    let digits = digits.trim_start_matches('0');
    // value = digits × 10^(exponent − fraction.len()); wanted: value × 10^scale.
    let shift = exponent - i32::try_from(fraction.len()).ok()? + i32::from(scale);
    let mut unscaled: i128 = 0;
    let kept = if shift >= 0 { digits.len() } else { digits.len().saturating_sub(shift.unsigned_abs() as usize) };
    for b in digits[..kept].bytes() {
        unscaled = unscaled.checked_mul(10)?.checked_add(i128::from(b - b'0'))?;
    }
    if shift > 0 {
        unscaled = unscaled.checked_mul(10i128.checked_pow(shift.unsigned_abs())?)?;
    } else if kept < digits.len() && digits.as_bytes()[kept] >= b'5' {
        unscaled += 1;
    }
    if unscaled >= 10i128.pow(u32::from(precision)) {
        return None;
    }
    Some(if negative { -unscaled } else { unscaled })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_as_spark_reads_them() {
        assert_eq!(json_number_text("1.50"), "1.5");
        assert_eq!(json_number_text("1e3"), "1000.0");
        assert_eq!(json_number_text("1e21"), "1.0E21");
        assert_eq!(json_number_text("0.0001"), "1.0E-4");
        assert_eq!(json_number_text("42"), "42");
        assert_eq!(java_integer("+7"), Some(7));
        assert_eq!(java_integer(" 7"), None);
        assert_eq!(java_double(" 1.5d "), Some(1.5));
        assert_eq!(java_double("inf"), None);
        assert_eq!(java_double("-Infinity"), Some(f64::NEG_INFINITY));
        assert_eq!(parse_decimal("12.345", 5, 2), Some(1235));
        assert_eq!(parse_decimal("-1.5e1", 4, 1), Some(-150));
        assert_eq!(parse_decimal("1000", 3, 0), None);
        assert_eq!(parse_decimal("0.004", 3, 2), Some(0));
    }

    #[test]
    fn a_value_the_type_cannot_read_is_null() {
        let utc = SessionZone::utc();
        let mut ints = Column::new("n", &DataType::Int32).unwrap();
        assert!(ints.append_json(&JsonValue::Number("7"), utc));
        assert!(!ints.append_json(&JsonValue::Str("7".into()), utc));
        assert!(!ints.append_json(&JsonValue::Number("1.5"), utc));
        assert!(!ints.append_json(&JsonValue::Number("3000000000"), utc));
        assert!(ints.append_csv(None, utc));
        assert!(ints.append_json(&JsonValue::Null, utc), "null is null in every column, not malformed");
        assert!(!ints.append_csv(Some("x"), utc));
        let column = ints.finish().unwrap();
        assert_eq!((column.len(), column.null_count()), (7, 6));
        assert!(Column::new("b", &DataType::Binary).is_err());
    }
}
