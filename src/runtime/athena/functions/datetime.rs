//! Trino's date and time functions as Athena users write them: MySQL-style `date_format` and
//! `date_parse`, `from_unixtime` / `to_unixtime` (seconds as `double`), `from_iso8601_timestamp`
//! and `from_iso8601_date`, `date_diff` and `date_add` with a unit name.
//!
//! A `timestamp` is Trino's `timestamp(3)`: milliseconds, no zone. The `… with time zone` results
//! (`from_unixtime`, `from_iso8601_timestamp`) are held as instants in UTC: an offset in the text
//! is applied, not kept (Trino would show `+02:00` where glueless shows the same instant in UTC).

use std::sync::Arc;

use arrow_schema::{DataType, TimeUnit};
use chrono::format::{parse, Parsed, StrftimeItems};
use chrono::{DateTime, NaiveDate, NaiveDateTime};
use datafusion::common::ScalarValue;
use datafusion::error::{DataFusionError, Result};
use datafusion::logical_expr::ScalarUDF;

use crate::runtime::sql::functions::datetime::{timestampadd, timestampdiff};
use crate::runtime::sql::functions::row::{text, RowContext, RowFunction};

/// Trino's `timestamp(3)`.
fn timestamp() -> DataType {
    DataType::Timestamp(TimeUnit::Millisecond, None)
}

/// Trino's `timestamp(3) with time zone`, held in UTC.
fn zoned() -> DataType {
    DataType::Timestamp(TimeUnit::Millisecond, Some("UTC".into()))
}

/// The instants `date_diff` and `date_add` compute on (Spark's functions' type).
fn micros() -> DataType {
    DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into()))
}

/// The family's functions.
pub(super) fn functions() -> Vec<Arc<ScalarUDF>> {
    let utf8 = || DataType::Utf8;
    vec![
        RowFunction::udf("date_format", vec![timestamp(), utf8()], 2, utf8(), date_format),
        RowFunction::udf("date_parse", vec![utf8(), utf8()], 2, timestamp(), date_parse),
        RowFunction::udf("from_unixtime", vec![DataType::Float64], 1, zoned(), from_unixtime),
        RowFunction::udf("to_unixtime", vec![timestamp()], 1, DataType::Float64, to_unixtime),
        RowFunction::udf("from_iso8601_timestamp", vec![utf8()], 1, zoned(), from_iso8601_timestamp),
        RowFunction::udf("from_iso8601_date", vec![utf8()], 1, DataType::Date32, from_iso8601_date),
        RowFunction::udf("date_diff", vec![utf8(), micros(), micros()], 3, DataType::Int64, timestampdiff),
        RowFunction::udf("date_add", vec![utf8(), DataType::Int64, micros()], 3, timestamp(), date_add),
    ]
}

fn invalid(message: String) -> DataFusionError {
    DataFusionError::Execution(format!("INVALID_FUNCTION_ARGUMENT: {message}"))
}

/// A MySQL-style format (`%Y-%m-%d %H:%i:%s`) as chrono's; the specifiers Trino does not support
/// are refused as Trino refuses them.
fn chrono_format(mysql: &str) -> Result<String> {
    let mut out = String::with_capacity(mysql.len() + 8);
    let mut chars = mysql.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let Some(spec) = chars.next() else { break };
        out.push_str(match spec {
            'a' => "%a",
            'b' => "%b",
            'c' => "%-m",
            'd' => "%d",
            'e' => "%-d",
            'f' => "%6f",
            'H' => "%H",
            'h' | 'I' => "%I",
            'i' => "%M",
            'j' => "%j",
            'k' => "%-H",
            'l' => "%-I",
            'M' => "%B",
            'm' => "%m",
            'p' => "%p",
            'r' => "%I:%M:%S %p",
            'S' | 's' => "%S",
            'T' => "%H:%M:%S",
            'v' => "%V",
            'W' => "%A",
            'x' => "%G",
            'Y' => "%Y",
            'y' => "%y",
            '%' => "%%",
            'D' | 'U' | 'u' | 'V' | 'w' | 'X' => {
                return Err(invalid(format!("%{spec} not supported in date format string")));
            }
            other => {
                out.push(other);
                continue;
            }
        });
    }
    Ok(out)
}

fn local_of(value: &ScalarValue) -> Option<NaiveDateTime> {
    match value {
        ScalarValue::TimestampMillisecond(Some(ms), _) => DateTime::from_timestamp_millis(*ms).map(|t| t.naive_utc()),
        _ => None,
    }
}

fn millis(value: Option<NaiveDateTime>, zoned: bool) -> ScalarValue {
    let ms = value.map(|t| t.and_utc().timestamp_millis());
    ScalarValue::TimestampMillisecond(ms, zoned.then(|| "UTC".into()))
}

fn date_format(args: &[ScalarValue], _: RowContext) -> Result<ScalarValue> {
    let format = chrono_format(text(&args[1]))?;
    let Some(local) = local_of(&args[0]) else { return Ok(ScalarValue::Utf8(None)) };
    let mut out = String::new();
    std::fmt::write(&mut out, format_args!("{}", local.format(&format)))
        .map_err(|_| invalid(format!("invalid date format string '{}'", text(&args[1]))))?;
    Ok(ScalarValue::Utf8(Some(out)))
}

fn date_parse(args: &[ScalarValue], _: RowContext) -> Result<ScalarValue> {
    let (value, format) = (text(&args[0]), chrono_format(text(&args[1]))?);
    match parsed_local(value, &format) {
        Some(t) => Ok(millis(Some(t), false)),
        None => Err(invalid(format!("Invalid format: \"{value}\""))),
    }
}

/// `value` read with a chrono format; the fields it lacks are the epoch's (Trino: `%Y` alone is
/// January 1st, midnight).
fn parsed_local(value: &str, format: &str) -> Option<NaiveDateTime> {
    let mut parsed = Parsed::new();
    parse(&mut parsed, value, StrftimeItems::new(format)).ok()?;
    if parsed.year().is_none() && parsed.year_div_100().is_none() && parsed.year_mod_100().is_none() {
        parsed.set_year(1970).ok()?;
    }
    if parsed.month().is_none() && parsed.ordinal().is_none() {
        parsed.set_month(1).ok()?;
    }
    if parsed.day().is_none() && parsed.ordinal().is_none() {
        parsed.set_day(1).ok()?;
    }
    if parsed.hour_div_12().is_none() {
        parsed.set_hour(0).ok()?;
    }
    if parsed.minute().is_none() {
        parsed.set_minute(0).ok()?;
    }
    if parsed.second().is_none() {
        parsed.set_second(0).ok()?;
    }
    parsed.to_naive_datetime_with_offset(0).ok()
}

fn from_unixtime(args: &[ScalarValue], _: RowContext) -> Result<ScalarValue> {
    let ScalarValue::Float64(Some(seconds)) = args[0] else { return Ok(millis(None, true)) };
    #[allow(clippy::cast_possible_truncation)] // rounded to milliseconds, inside i64 by the check
    let ms = (seconds * 1000.0).round();
    if !ms.is_finite() || ms.abs() > 8.0e15 {
        return Err(invalid(format!("Value {seconds} is out of range for from_unixtime")));
    }
    #[allow(clippy::cast_possible_truncation)]
    Ok(ScalarValue::TimestampMillisecond(Some(ms as i64), Some("UTC".into())))
}

#[allow(clippy::unnecessary_wraps)] // a row function's body
fn to_unixtime(args: &[ScalarValue], _: RowContext) -> Result<ScalarValue> {
    #[allow(clippy::cast_precision_loss)] // Trino's double: milliseconds are exact far beyond any date
    Ok(ScalarValue::Float64(match args[0] {
        ScalarValue::TimestampMillisecond(Some(ms), _) => Some(ms as f64 / 1000.0),
        _ => None,
    }))
}

fn from_iso8601_timestamp(args: &[ScalarValue], _: RowContext) -> Result<ScalarValue> {
    let value = text(&args[0]).trim();
    let parsed = DateTime::parse_from_rfc3339(value)
        .map(|t| t.naive_utc())
        .ok()
        .or_else(|| DateTime::parse_from_str(value, "%Y-%m-%dT%H:%M:%S%.f%z").ok().map(|t| t.naive_utc()))
        .or_else(|| NaiveDateTime::parse_from_str(value.trim_end_matches('Z'), "%Y-%m-%dT%H:%M:%S%.f").ok())
        .or_else(|| NaiveDateTime::parse_from_str(value.trim_end_matches('Z'), "%Y-%m-%dT%H:%M").ok())
        .or_else(|| NaiveDate::parse_from_str(value, "%Y-%m-%d").ok().and_then(|d| d.and_hms_opt(0, 0, 0)));
    match parsed {
        Some(t) => Ok(millis(Some(t), true)),
        None => Err(invalid(format!("Invalid format: \"{value}\""))),
    }
}

fn from_iso8601_date(args: &[ScalarValue], _: RowContext) -> Result<ScalarValue> {
    let value = text(&args[0]).trim();
    let date =
        NaiveDate::parse_from_str(value, "%Y-%m-%d").map_err(|_| invalid(format!("Invalid format: \"{value}\"")))?;
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default();
    Ok(ScalarValue::Date32(i32::try_from((date - epoch).num_days()).ok()))
}

/// `date_add(unit, n, t)`: Spark's `timestampadd` (the same units), as Trino's `timestamp(3)`.
fn date_add(args: &[ScalarValue], context: RowContext) -> Result<ScalarValue> {
    Ok(match timestampadd(args, context)? {
        ScalarValue::TimestampMicrosecond(us, _) => {
            ScalarValue::TimestampMillisecond(us.map(|v| v.div_euclid(1000)), None)
        }
        other => other,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> ScalarValue {
        millis(NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S%.f").ok(), false)
    }

    fn context() -> RowContext {
        RowContext { zone: crate::core::text::datetime::SessionZone::utc() }
    }

    fn utf8(text: &str) -> ScalarValue {
        ScalarValue::Utf8(Some(text.to_string()))
    }

    /// Trino's documented examples (functions/datetime, "MySQL date functions").
    #[test]
    fn mysql_formats_as_trino_documents_them() {
        let t = at("2001-01-09 13:04:05.321");
        let format = |f: &str| date_format(&[t.clone(), utf8(f)], context()).unwrap();
        assert_eq!(format("%Y-%m-%d %H:%i:%s"), utf8("2001-01-09 13:04:05"));
        assert_eq!(
            format("%a %b %e %l:%i %p, %W %M %c, %j %f"),
            utf8("Tue Jan 9 1:04 PM, Tuesday January 1, 009 321000")
        );
        assert_eq!(format("%r %T 100%%"), utf8("01:04:05 PM 13:04:05 100%"));
        assert!(date_format(&[t, utf8("%D")], context()).is_err());
        assert_eq!(
            date_parse(&[utf8("2022/10/20/05"), utf8("%Y/%m/%d/%H")], context()).unwrap(),
            at("2022-10-20 05:00:00")
        );
        assert_eq!(date_parse(&[utf8("2022-10-20"), utf8("%Y-%m-%d")], context()).unwrap(), at("2022-10-20 00:00:00"));
        assert!(date_parse(&[utf8("20.10.2022"), utf8("%Y-%m-%d")], context()).is_err());
    }

    #[test]
    fn unix_times_are_seconds_as_doubles() {
        let t = from_unixtime(&[ScalarValue::Float64(Some(1_691_348_231.445))], context()).unwrap();
        assert_eq!(t, ScalarValue::TimestampMillisecond(Some(1_691_348_231_445), Some("UTC".into())));
        let back = to_unixtime(&[at("2023-08-06 18:57:11.445")], context()).unwrap();
        assert_eq!(back, ScalarValue::Float64(Some(1_691_348_231.445)));
    }

    #[test]
    fn iso8601_text_with_and_without_offsets() {
        let utc = |text: &str| from_iso8601_timestamp(&[utf8(text)], context()).unwrap();
        assert_eq!(utc("2020-05-11T11:15:05+02:00"), utc("2020-05-11T09:15:05Z"));
        assert_eq!(
            utc("2020-05-11"),
            millis(NaiveDateTime::parse_from_str("2020-05-11 00:00", "%Y-%m-%d %H:%M").ok(), true)
        );
        assert_eq!(from_iso8601_date(&[utf8("2020-05-11")], context()).unwrap(), ScalarValue::Date32(Some(18_393)));
    }

    #[test]
    fn date_add_keeps_trinos_timestamp() {
        let start = ScalarValue::TimestampMicrosecond(Some(0), Some("UTC".into()));
        let later = date_add(&[utf8("month"), ScalarValue::Int64(Some(1)), start], context()).unwrap();
        assert_eq!(later, ScalarValue::TimestampMillisecond(Some(31 * 86_400_000), None));
    }
}
