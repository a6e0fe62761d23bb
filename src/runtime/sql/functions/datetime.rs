//! Spark's date and time functions missing from DataFusion and datafusion-spark, and Spark's
//! implicit string-to-date casts in front of those that are there.
//!
//! `timestamp_seconds(x)`, `timestamp_millis(n)`, `timestamp_micros(n)`: the instant `x` seconds
//! (milliseconds, microseconds) after the epoch; `date_from_unix_date(n)`: the date `n` days
//! after 1970-01-01.
//!
//! With Spark's datetime patterns ([`Pattern`]) and the session's time zone: `to_timestamp(s[,
//! fmt])`, `to_date(s[, fmt])`, `date_format(t, fmt)`, `unix_timestamp(s[, fmt])` /
//! `to_unix_timestamp`, `from_unixtime(n[, fmt])`. Text that does not match is NULL (ANSI off).

use std::sync::Arc;

use arrow_schema::{DataType, TimeUnit};
use chrono::Datelike;
use datafusion::common::ScalarValue;
use datafusion::error::{DataFusionError, Result};
use datafusion::execution::FunctionRegistry;
use datafusion::logical_expr::ScalarUDF;

use super::coerced::{Coerced, StringAs};
use super::row::{integer, text, RowContext, RowFunction, ANY};
use crate::core::text::datetime::{parse_date, parse_timestamp, SessionZone};
use crate::core::text::pattern::Pattern;

/// Spark's instants: microseconds, with a zone (shown in the session's).
fn instant() -> DataType {
    DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into()))
}

/// The family's own functions.
pub(crate) fn functions() -> Vec<Arc<ScalarUDF>> {
    vec![
        RowFunction::udf("timestamp_seconds", vec![DataType::Float64], 1, instant(), timestamp_seconds),
        RowFunction::udf("timestamp_millis", vec![DataType::Int64], 1, instant(), |a, _| {
            micros(integer(&a[0]).checked_mul(1000))
        }),
        RowFunction::udf("timestamp_micros", vec![DataType::Int64], 1, instant(), |a, _| micros(Some(integer(&a[0])))),
        RowFunction::udf("to_timestamp", vec![ANY, DataType::Utf8], 1, instant(), to_timestamp),
        RowFunction::udf("to_date", vec![ANY, DataType::Utf8], 1, DataType::Date32, to_date),
        RowFunction::udf("date_format", vec![ANY, DataType::Utf8], 2, DataType::Utf8, date_format),
        RowFunction::udf("unix_timestamp", vec![ANY, DataType::Utf8], 1, DataType::Int64, unix_timestamp),
        RowFunction::udf("to_unix_timestamp", vec![ANY, DataType::Utf8], 1, DataType::Int64, unix_timestamp),
        RowFunction::udf("from_unixtime", vec![DataType::Int64, DataType::Utf8], 1, DataType::Utf8, from_unixtime),
        RowFunction::udf(
            "make_timestamp",
            vec![
                DataType::Int32,
                DataType::Int32,
                DataType::Int32,
                DataType::Int32,
                DataType::Int32,
                DataType::Float64,
                DataType::Utf8,
            ],
            6,
            instant(),
            make_timestamp,
        ),
        RowFunction::udf("timestampadd", vec![DataType::Utf8, DataType::Int64, ANY], 3, instant(), timestampadd),
        RowFunction::udf("timestampdiff", vec![DataType::Utf8, ANY, ANY], 3, DataType::Int64, timestampdiff),
        // Spark's year-month interval of `years` and `months` (both 0 by default).
        RowFunction::udf(
            "make_ym_interval",
            vec![DataType::Int32, DataType::Int32],
            0,
            DataType::Interval(arrow_schema::IntervalUnit::YearMonth),
            |a, _| {
                let part = |i: usize| a.get(i).map_or(0, integer);
                let months = part(0).checked_mul(12).and_then(|m| m.checked_add(part(1)));
                let months = months.and_then(|m| i32::try_from(m).ok()).ok_or_else(|| {
                    DataFusionError::Execution("[ARITHMETIC_OVERFLOW] integer overflow in make_ym_interval".to_string())
                })?;
                Ok(ScalarValue::IntervalYearMonth(Some(months)))
            },
        ),
        RowFunction::udf("date_from_unix_date", vec![DataType::Int32], 1, DataType::Date32, |a, _| {
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

/// The default pattern of `unix_timestamp` and `from_unixtime`.
const SECONDS_PATTERN: &str = "yyyy-MM-dd HH:mm:ss";

fn pattern(args: &[ScalarValue], default: Option<&str>) -> Result<Option<Pattern>> {
    let text = match args.get(1) {
        Some(value) => Some(text(value)),
        None => default,
    };
    text.map(|p| Pattern::new(p).map_err(|e| DataFusionError::Execution(e.to_string()))).transpose()
}

/// The instant (microseconds) an argument means: a timestamp, a date at midnight in the
/// session's zone, or text read with `pattern` (Spark's cast without one).
pub(super) fn instant_of(value: &ScalarValue, pattern: Option<&Pattern>, zone: SessionZone) -> Option<i64> {
    match value {
        ScalarValue::Utf8(Some(s)) | ScalarValue::LargeUtf8(Some(s)) | ScalarValue::Utf8View(Some(s)) => {
            match pattern {
                Some(p) => p.parse_zoned(s).map(|(local, named)| named.unwrap_or(zone).micros(local)),
                None => parse_timestamp(s, zone),
            }
        }
        ScalarValue::Date32(Some(days)) => {
            let date = chrono::NaiveDate::from_ymd_opt(1970, 1, 1)?
                .checked_add_signed(chrono::Duration::days(i64::from(*days)))?;
            Some(zone.micros(date.and_hms_opt(0, 0, 0)?))
        }
        // A number is seconds since the epoch.
        ScalarValue::Int8(_) | ScalarValue::Int16(_) | ScalarValue::Int32(_) | ScalarValue::Int64(_) => {
            integer_value(value)?.checked_mul(1_000_000)
        }
        ScalarValue::Float64(Some(v)) => seconds_micros(*v),
        ScalarValue::Float32(Some(v)) => seconds_micros(f64::from(*v)),
        ScalarValue::Decimal128(Some(v), _, scale) => seconds_micros(*v as f64 / 10f64.powi(i32::from(*scale))),
        ScalarValue::TimestampSecond(Some(v), _) => v.checked_mul(1_000_000),
        ScalarValue::TimestampMillisecond(Some(v), _) => v.checked_mul(1_000),
        ScalarValue::TimestampMicrosecond(Some(v), _) => Some(*v),
        ScalarValue::TimestampNanosecond(Some(v), _) => Some(v.div_euclid(1_000)),
        _ => None,
    }
}

fn to_timestamp(args: &[ScalarValue], context: RowContext) -> Result<ScalarValue> {
    let pattern = pattern(args, None)?;
    micros(instant_of(&args[0], pattern.as_ref(), context.zone))
}

fn to_date(args: &[ScalarValue], context: RowContext) -> Result<ScalarValue> {
    let pattern = pattern(args, None)?;
    let days = match (&args[0], &pattern) {
        (ScalarValue::Utf8(Some(s)) | ScalarValue::LargeUtf8(Some(s)) | ScalarValue::Utf8View(Some(s)), None) => {
            parse_date(s)
        }
        (ScalarValue::Date32(days), _) => *days,
        (value, pattern) => instant_of(value, pattern.as_ref(), context.zone)
            .and_then(|m| context.zone.local(m))
            .and_then(|local| i32::try_from(local.date().signed_duration_since(epoch_date()).num_days()).ok()),
    };
    Ok(ScalarValue::Date32(days))
}

fn date_format(args: &[ScalarValue], context: RowContext) -> Result<ScalarValue> {
    let pattern = pattern(args, None)?;
    let local = instant_of(&args[0], None, context.zone).and_then(|m| context.zone.local(m));
    Ok(ScalarValue::Utf8(local.zip(pattern).map(|(l, p)| p.format(l))))
}

fn unix_timestamp(args: &[ScalarValue], context: RowContext) -> Result<ScalarValue> {
    let pattern = pattern(args, Some(SECONDS_PATTERN))?;
    Ok(ScalarValue::Int64(instant_of(&args[0], pattern.as_ref(), context.zone).map(|m| m.div_euclid(1_000_000))))
}

fn from_unixtime(args: &[ScalarValue], context: RowContext) -> Result<ScalarValue> {
    let pattern = pattern(args, Some(SECONDS_PATTERN))?;
    let local = integer(&args[0]).checked_mul(1_000_000).and_then(|m| context.zone.local(m));
    Ok(ScalarValue::Utf8(local.zip(pattern).map(|(l, p)| p.format(l))))
}

/// `make_timestamp(year, month, day, hour, min, sec[, zone])`: the instant of that wall-clock
/// time in `zone` (the session's by default); `sec` 60 is the next minute; a field out of range is
/// NULL (ANSI off).
fn make_timestamp(args: &[ScalarValue], context: RowContext) -> Result<ScalarValue> {
    let field = |i: usize| u32::try_from(integer(&args[i])).ok();
    let ScalarValue::Float64(Some(seconds)) = args[5] else { return micros(None) };
    let zone = match args.get(6) {
        Some(zone) => SessionZone::parse(text(zone))
            .ok_or_else(|| DataFusionError::Execution(format!("[INVALID_TIMEZONE] the time zone {:?}", text(zone))))?,
        None => context.zone,
    };
    let whole = seconds.floor();
    // Exactly 60 (no fraction): the next minute.
    #[allow(clippy::float_cmp)]
    let extra_minute = whole == 60.0 && seconds == whole;
    if !(0.0..60.0).contains(&seconds) && !extra_minute {
        return micros(None);
    }
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)] // 0 <= seconds < 60 here
    let (second, fraction) =
        if extra_minute { (0, 0) } else { (whole as u32, ((seconds - whole) * 1e6).round() as u32) };
    let local = i32::try_from(integer(&args[0]))
        .ok()
        .zip(field(1).zip(field(2)))
        .and_then(|(y, (m, d))| chrono::NaiveDate::from_ymd_opt(y, m, d))
        .zip(field(3).zip(field(4)))
        .and_then(|(date, (h, mi))| date.and_hms_micro_opt(h, mi, second, fraction.min(999_999)))
        .map(|l| if extra_minute { l + chrono::Duration::minutes(1) } else { l });
    micros(local.map(|l| zone.micros(l)))
}

/// The microseconds of one of the units `timestampadd` counts exactly.
fn unit_micros(unit: &str) -> Option<i64> {
    Some(match unit {
        "MICROSECOND" => 1,
        "MILLISECOND" => 1_000,
        "SECOND" => 1_000_000,
        "MINUTE" => 60_000_000,
        "HOUR" => 3_600_000_000,
        _ => return None,
    })
}

fn bad_unit(unit: &str) -> DataFusionError {
    DataFusionError::Execution(format!(
        "[INVALID_PARAMETER_VALUE.DATETIME_UNIT] the unit {unit:?} is not a datetime unit"
    ))
}

/// `timestampadd(unit, n, t)`: exact units added to the instant; days, weeks, months, quarters
/// and years to its wall-clock time in the session's zone.
pub(crate) fn timestampadd(args: &[ScalarValue], context: RowContext) -> Result<ScalarValue> {
    let unit = text(&args[0]).to_ascii_uppercase();
    let n = integer(&args[1]);
    let Some(start) = instant_of(&args[2], None, context.zone) else { return micros(None) };
    if let Some(size) = unit_micros(&unit) {
        return micros(n.checked_mul(size).and_then(|d| start.checked_add(d)));
    }
    let Some(local) = context.zone.local(start) else { return micros(None) };
    let months = |m: i64| -> Option<chrono::NaiveDateTime> {
        let m = i32::try_from(m).ok()?;
        if m >= 0 {
            local.checked_add_months(chrono::Months::new(m.unsigned_abs()))
        } else {
            local.checked_sub_months(chrono::Months::new(m.unsigned_abs()))
        }
    };
    let shifted = match unit.as_str() {
        "DAY" | "DAYOFYEAR" => local.checked_add_signed(chrono::Duration::days(n)),
        "WEEK" => local.checked_add_signed(chrono::Duration::weeks(n)),
        "MONTH" => months(n),
        "QUARTER" => n.checked_mul(3).and_then(months),
        "YEAR" => n.checked_mul(12).and_then(months),
        other => return Err(bad_unit(other)),
    };
    micros(shifted.map(|l| context.zone.micros(l)))
}

/// `timestampdiff(unit, start, end)`: whole units from `start` to `end` (toward zero), months and
/// longer counted on the wall clock.
pub(crate) fn timestampdiff(args: &[ScalarValue], context: RowContext) -> Result<ScalarValue> {
    let unit = text(&args[0]).to_ascii_uppercase();
    let (Some(start), Some(end)) = (instant_of(&args[1], None, context.zone), instant_of(&args[2], None, context.zone))
    else {
        return Ok(ScalarValue::Int64(None));
    };
    if let Some(size) = unit_micros(&unit) {
        return Ok(ScalarValue::Int64(Some((end - start) / size)));
    }
    let (Some(from), Some(to)) = (context.zone.local(start), context.zone.local(end)) else {
        return Ok(ScalarValue::Int64(None));
    };
    let months = || {
        let mut months = i64::from(to.year() - from.year()) * 12 + i64::from(to.month()) - i64::from(from.month());
        let (rest_from, rest_to) = ((from.day(), from.time()), (to.day(), to.time()));
        if months > 0 && rest_to < rest_from {
            months -= 1;
        } else if months < 0 && rest_to > rest_from {
            months += 1;
        }
        months
    };
    Ok(ScalarValue::Int64(Some(match unit.as_str() {
        "DAY" | "DAYOFYEAR" => (to - from).num_days(),
        "WEEK" => (to - from).num_days() / 7,
        "MONTH" => months(),
        "QUARTER" => months() / 3,
        "YEAR" => months() / 12,
        other => return Err(bad_unit(other)),
    })))
}

fn integer_value(value: &ScalarValue) -> Option<i64> {
    match value {
        ScalarValue::Int8(v) => v.map(i64::from),
        ScalarValue::Int16(v) => v.map(i64::from),
        ScalarValue::Int32(v) => v.map(i64::from),
        ScalarValue::Int64(v) => *v,
        _ => None,
    }
}

#[allow(clippy::cast_possible_truncation)] // checked against i64's range first
fn seconds_micros(seconds: f64) -> Option<i64> {
    let micros = seconds * 1e6;
    (micros.is_finite() && micros.abs() < 9.2e18).then(|| micros.round() as i64)
}

fn epoch_date() -> chrono::NaiveDate {
    chrono::NaiveDate::default()
}

/// Spark's error for an instant past the range of microseconds since the epoch.
fn overflow() -> Result<ScalarValue> {
    Err(datafusion::error::DataFusionError::Execution("[ARITHMETIC_OVERFLOW] long overflow.".into()))
}

#[allow(clippy::unnecessary_wraps)] // the shape of every row function
fn micros(value: Option<i64>) -> Result<ScalarValue> {
    Ok(ScalarValue::TimestampMicrosecond(value, Some("UTC".into())))
}

fn timestamp_seconds(args: &[ScalarValue], _: RowContext) -> Result<ScalarValue> {
    let ScalarValue::Float64(Some(seconds)) = args[0] else { return micros(None) };
    let scaled = seconds * 1e6;
    if !scaled.is_finite() || scaled.abs() >= 9.2e18 {
        return overflow();
    }
    #[allow(clippy::cast_possible_truncation)] // checked against i64's range above
    micros(Some(scaled.round() as i64))
}
