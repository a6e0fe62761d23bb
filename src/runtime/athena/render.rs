//! Values and types as Athena shows them (Trino's text): `timestamp(3)` with three fraction
//! digits, doubles as Java writes them (`1.0E7`), arrays `[a, b]`, maps `{k=v}`, rows `{f=v}`,
//! NULL as no value.

use arrow_array::cast::AsArray;
use arrow_array::types::{
    Float32Type, Float64Type, TimestampMicrosecondType, TimestampMillisecondType, TimestampNanosecondType,
    TimestampSecondType,
};
use arrow_array::Array;
use arrow_cast::display::{ArrayFormatter, FormatOptions};
use arrow_schema::{DataType, TimeUnit};

use crate::core::text::java::{java_double_text, java_float_text};
use crate::core::types::{display_name, Dialect};
use crate::error::Result;

/// Athena's name of a result column's type (`varchar`, `bigint`, `timestamp(3)`, `array(varchar)`).
#[must_use]
pub(crate) fn type_name(data_type: &DataType) -> String {
    match data_type {
        DataType::Timestamp(unit, zone) => {
            // DataFusion's timestamp literals and `date_trunc` give nanoseconds where Trino gives
            // the `timestamp(3)` of what users write them over (table columns): shown as that.
            let digits = match unit {
                TimeUnit::Second => 0,
                TimeUnit::Millisecond | TimeUnit::Nanosecond => 3,
                TimeUnit::Microsecond => 6,
            };
            let zoned = if zone.is_some() { " with time zone" } else { "" };
            format!("timestamp({digits}){zoned}")
        }
        DataType::Utf8View | DataType::LargeUtf8 => "varchar".to_string(),
        other => display_name(other, Dialect::Trino),
    }
}

/// What a column's values are for output formats: `integer`, `float`, `decimal` (numbers, shown
/// right-aligned; JSON numbers but for decimals, kept exact as text), `boolean` or `text`.
#[must_use]
pub(crate) fn value_kind(data_type: &DataType) -> &'static str {
    match data_type {
        t if t.is_integer() => "integer",
        t if t.is_floating() => "float",
        DataType::Decimal32(..) | DataType::Decimal64(..) | DataType::Decimal128(..) | DataType::Decimal256(..) => {
            "decimal"
        }
        DataType::Boolean => "boolean",
        _ => "text",
    }
}

/// The text of each value of `column` (`None` for NULL).
///
/// # Errors
/// Arrow's errors formatting a value of a type it cannot show.
pub(crate) fn texts(column: &dyn Array) -> Result<Vec<Option<String>>> {
    (0..column.len()).map(|row| if column.is_null(row) { Ok(None) } else { text(column, row).map(Some) }).collect()
}

/// The text of one non-NULL value.
fn text(column: &dyn Array, row: usize) -> Result<String> {
    Ok(match column.data_type() {
        DataType::Float64 => java_double_text(column.as_primitive::<Float64Type>().value(row)),
        DataType::Float32 => java_float_text(column.as_primitive::<Float32Type>().value(row)),
        DataType::Timestamp(TimeUnit::Millisecond, zone) => {
            let ms = column.as_primitive::<TimestampMillisecondType>().value(row);
            timestamp(ms.div_euclid(1000), ms.rem_euclid(1000) * 1_000_000, 3, zone.is_some())
        }
        DataType::Timestamp(TimeUnit::Microsecond, zone) => {
            let us = column.as_primitive::<TimestampMicrosecondType>().value(row);
            timestamp(us.div_euclid(1_000_000), us.rem_euclid(1_000_000) * 1000, 6, zone.is_some())
        }
        DataType::Timestamp(TimeUnit::Nanosecond, zone) => {
            let ns = column.as_primitive::<TimestampNanosecondType>().value(row);
            timestamp(ns.div_euclid(1_000_000_000), ns.rem_euclid(1_000_000_000), 3, zone.is_some())
        }
        DataType::Timestamp(TimeUnit::Second, zone) => {
            let seconds = column.as_primitive::<TimestampSecondType>().value(row);
            timestamp(seconds, 0, 0, zone.is_some())
        }
        DataType::List(_) | DataType::LargeList(_) => {
            let items = match column.data_type() {
                DataType::List(_) => column.as_list::<i32>().value(row),
                _ => column.as_list::<i64>().value(row),
            };
            let parts: Vec<String> =
                texts(items.as_ref())?.into_iter().map(|t| t.unwrap_or_else(|| "NULL".into())).collect();
            format!("[{}]", parts.join(", "))
        }
        DataType::Struct(fields) => {
            let values = column.as_struct();
            let mut parts = Vec::with_capacity(fields.len());
            for (field, child) in fields.iter().zip(values.columns()) {
                let value = if child.is_null(row) { "NULL".to_string() } else { text(child.as_ref(), row)? };
                parts.push(format!("{}={value}", field.name()));
            }
            format!("{{{}}}", parts.join(", "))
        }
        DataType::Map(_, _) => {
            let entries = column.as_map().value(row);
            let (keys, values) = (texts(entries.column(0).as_ref())?, texts(entries.column(1).as_ref())?);
            let parts: Vec<String> = keys
                .into_iter()
                .zip(values)
                .map(|(k, v)| format!("{}={}", k.unwrap_or_default(), v.unwrap_or_else(|| "NULL".into())))
                .collect();
            format!("{{{}}}", parts.join(", "))
        }
        _ => ArrayFormatter::try_new(column, &FormatOptions::default())?.value(row).to_string(),
    })
}

/// `2023-08-06 18:57:11.445` (`… UTC` for an instant with a zone).
fn timestamp(seconds: i64, nanos: i64, digits: usize, zoned: bool) -> String {
    let nanos = u32::try_from(nanos).unwrap_or(0);
    let Some(time) = chrono::DateTime::from_timestamp(seconds, nanos) else { return seconds.to_string() };
    let fraction = format!("{nanos:09}");
    let zone = if zoned { " UTC" } else { "" };
    let point = if digits == 0 { "" } else { "." };
    format!("{}{point}{}{zone}", time.format("%Y-%m-%d %H:%M:%S"), &fraction[..digits])
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow_array::{ArrayRef, Float64Array, ListArray, TimestampMillisecondArray};

    use super::*;

    #[test]
    fn values_as_trino_shows_them() {
        let doubles: ArrayRef = Arc::new(Float64Array::from(vec![Some(1.0), Some(1.0e7), Some(0.5), None]));
        assert_eq!(texts(&doubles).unwrap(), vec![Some("1.0".into()), Some("1.0E7".into()), Some("0.5".into()), None]);
        let times = TimestampMillisecondArray::from(vec![1_691_348_231_445]);
        assert_eq!(texts(&times).unwrap(), vec![Some("2023-08-06 18:57:11.445".into())]);
        assert_eq!(texts(&times.with_timezone("UTC")).unwrap(), vec![Some("2023-08-06 18:57:11.445 UTC".into())]);
        let list =
            ListArray::from_iter_primitive::<arrow_array::types::Int32Type, _, _>(vec![Some(vec![Some(1), None])]);
        assert_eq!(texts(&list).unwrap(), vec![Some("[1, NULL]".into())]);
    }

    #[test]
    fn type_names_as_athena_shows_them() {
        assert_eq!(type_name(&DataType::Utf8), "varchar");
        assert_eq!(type_name(&DataType::Int64), "bigint");
        assert_eq!(type_name(&DataType::Timestamp(TimeUnit::Millisecond, None)), "timestamp(3)");
        assert_eq!(
            type_name(&DataType::Timestamp(TimeUnit::Millisecond, Some("UTC".into()))),
            "timestamp(3) with time zone"
        );
        assert_eq!(type_name(&DataType::new_list(DataType::Utf8, true)), "array(varchar)");
        assert_eq!(value_kind(&DataType::Int32), "integer");
        assert_eq!(value_kind(&DataType::Decimal128(10, 2)), "decimal");
        assert_eq!(value_kind(&DataType::Utf8), "text");
    }
}
