//! Spark's functions of the session's time zone and of months between instants (and the
//! seconds of a time, `spark_seconds`, what `date_part('SECOND', t)` is):
//! `current_timezone()`, the session's zone as it was set; `convert_timezone([source, ]target,
//! ts)`, the wall-clock time `ts` in `source` (the session's zone by default) as a wall-clock
//! time in `target`; `months_between(t1, t2[, roundOff])`, Spark's count of months: whole when
//! the days of month are equal or both last days, else with the rest in 31-day months, rounded
//! to 8 digits unless `roundOff` is false.

use std::sync::Arc;

use arrow_schema::{DataType, TimeUnit};
use chrono::{Datelike, NaiveDateTime, Timelike};
use datafusion::common::ScalarValue;
use datafusion::error::{DataFusionError, Result};
use datafusion::logical_expr::{ColumnarValue, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility};

use super::datetime::instant_of;
use super::row::{text, RowContext, RowFunction, ANY};
use crate::core::text::datetime::SessionZone;

/// The family's functions.
pub(crate) fn functions() -> Vec<Arc<ScalarUDF>> {
    let wall_clock = DataType::Timestamp(TimeUnit::Microsecond, None);
    vec![
        Arc::new(ScalarUDF::new_from_impl(CurrentTimezone { signature: Signature::nullary(Volatility::Stable) })),
        // The seconds of a time with their fraction: Spark's date_part('SECOND', t), decimal(8,6).
        RowFunction::udf("spark_seconds", vec![ANY], 1, DataType::Decimal128(8, 6), |a, context| {
            let local = instant_of(&a[0], None, context.zone).and_then(|m| context.zone.local(m));
            Ok(ScalarValue::Decimal128(
                local.map(|t| i128::from(t.second()) * 1_000_000 + i128::from(t.nanosecond() / 1_000)),
                8,
                6,
            ))
        }),
        RowFunction::udf("months_between", vec![ANY, ANY, DataType::Boolean], 2, DataType::Float64, months_between),
        // An instant in UTC as the wall-clock time it shows there (make_timestamp_ntz's template).
        RowFunction::udf("spark_wall_clock", vec![ANY], 1, wall_clock.clone(), |a, _| {
            Ok(match a[0] {
                ScalarValue::TimestampMicrosecond(micros, _) => ScalarValue::TimestampMicrosecond(micros, None),
                _ => ScalarValue::TimestampMicrosecond(None, None),
            })
        }),
        // A zone id as Spark reads it (Java's short names are regions): what from_utc_timestamp /
        // to_utc_timestamp are given (their templates).
        RowFunction::udf("spark_zone_id", vec![DataType::Utf8], 1, DataType::Utf8, |a, _| {
            let id = text(&a[0]);
            Ok(ScalarValue::Utf8(Some(crate::core::text::datetime::java_short_zone(id).unwrap_or(id).to_string())))
        }),
        RowFunction::udf(
            "spark_convert_timezone",
            vec![DataType::Utf8, DataType::Utf8, wall_clock.clone()],
            3,
            wall_clock,
            convert_timezone,
        ),
    ]
}

fn zone(id: &str) -> Result<SessionZone> {
    SessionZone::parse(id).ok_or_else(|| DataFusionError::Execution(format!("[INVALID_TIMEZONE] The time zone {id:?}")))
}

fn convert_timezone(args: &[ScalarValue], _: RowContext) -> Result<ScalarValue> {
    let (source, target) = (zone(text(&args[0]))?, zone(text(&args[1]))?);
    let ScalarValue::TimestampMicrosecond(Some(wall_clock), _) = args[2] else {
        return Ok(ScalarValue::TimestampMicrosecond(None, None));
    };
    let local = chrono::DateTime::from_timestamp_micros(wall_clock).map(|t| t.naive_utc());
    let converted = local.and_then(|l| target.local(source.micros(l)));
    Ok(ScalarValue::TimestampMicrosecond(converted.map(|t| t.and_utc().timestamp_micros()), None))
}

/// Spark's `DateTimeUtils.monthsBetween` over the two instants' wall-clock times in the session.
#[allow(clippy::unnecessary_wraps)] // a row function's body
fn months_between(args: &[ScalarValue], context: RowContext) -> Result<ScalarValue> {
    let local = |v: &ScalarValue| instant_of(v, None, context.zone).and_then(|m| context.zone.local(m));
    let (Some(first), Some(second)) = (local(&args[0]), local(&args[1])) else {
        return Ok(ScalarValue::Float64(None));
    };
    let round_off = !matches!(args.get(2), Some(ScalarValue::Boolean(Some(false))));
    Ok(ScalarValue::Float64(Some(months(first, second, round_off))))
}

fn months(first: NaiveDateTime, second: NaiveDateTime, round_off: bool) -> f64 {
    let month_index = |t: &NaiveDateTime| i64::from(t.year()) * 12 + i64::from(t.month());
    #[allow(clippy::cast_precision_loss)] // a count of months
    let month_diff = (month_index(&first) - month_index(&second)) as f64;
    let last_day = |t: &NaiveDateTime| t.date().succ_opt().is_none_or(|next| next.month() != t.month());
    if first.day() == second.day() || (last_day(&first) && last_day(&second)) {
        return month_diff;
    }
    let seconds = |t: &NaiveDateTime| i64::from(t.num_seconds_from_midnight());
    let seconds_diff = (i64::from(first.day()) - i64::from(second.day())) * 86_400 + seconds(&first) - seconds(&second);
    #[allow(clippy::cast_precision_loss)] // seconds within a few months
    let diff = month_diff + seconds_diff as f64 / (31.0 * 86_400.0);
    if round_off {
        // Java's Math.round: half up.
        (diff * 1e8 + 0.5).floor() / 1e8
    } else {
        diff
    }
}

#[derive(Debug, PartialEq, Eq, Hash)]
struct CurrentTimezone {
    signature: Signature,
}

impl ScalarUDFImpl for CurrentTimezone {
    fn name(&self) -> &'static str {
        "current_timezone"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Utf8)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let zone = args.config_options.execution.time_zone.clone().unwrap_or_else(|| "UTC".to_string());
        Ok(ColumnarValue::Scalar(ScalarValue::Utf8(Some(zone))))
    }
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    #[test]
    #[allow(clippy::float_cmp)] // Spark's exact bits
    fn counts_months_as_spark() {
        let at =
            |y, m, d, h, mi| NaiveDate::from_ymd_opt(y, m, d).and_then(|d| d.and_hms_opt(h, mi, 0)).expect("valid");
        // PySpark's months_between example: 3.94959677 rounded, 3.9495967741935485 not.
        assert_eq!(super::months(at(1997, 2, 28, 10, 30), at(1996, 10, 30, 0, 0), true), 3.949_596_77);
        assert_eq!(super::months(at(1997, 2, 28, 10, 30), at(1996, 10, 30, 0, 0), false), 3.949_596_774_193_548_5);
        assert_eq!(super::months(at(2020, 2, 29, 0, 0), at(2020, 1, 31, 5, 0), true), 1.0);
    }
}
