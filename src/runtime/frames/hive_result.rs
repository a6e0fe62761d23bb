//! Spark's `HiveResult` text of a query's answer: what `spark-sql` prints and what Spark's SQL
//! golden files (`sql-tests/results/*.sql.out`) hold — the schema's catalog string and one line
//! per row, values separated by tabs.
//!
//! The rules are Spark's `HiveResult.toHiveString`: a null is `NULL` at the top and `null`
//! inside a value; strings are quoted only inside arrays, structs and maps; a struct is
//! `{"field":value,…}`, a map `{key:value,…}` with its entries sorted; numbers as Java prints
//! them; timestamps in the session's zone with the fraction's trailing zeros dropped.

use arrow_array::cast::AsArray;
use arrow_array::types::{
    DurationMicrosecondType, DurationMillisecondType, DurationNanosecondType, DurationSecondType, Float32Type,
    Float64Type, IntervalMonthDayNanoType, IntervalYearMonthType,
};
use arrow_array::{Array, ArrayRef, RecordBatch};
use arrow_cast::display::{ArrayFormatter, FormatOptions};
use arrow_schema::{DataType, Schema, TimeUnit};

use crate::core::text::java::{java_double_text, java_float_text};
use crate::core::types::{display_name, Dialect};
use crate::error::Result;

/// The schema as Spark's `catalogString`: `struct<a:int,count(b):bigint>`.
#[must_use]
pub(crate) fn schema_text(schema: &Schema) -> String {
    let fields: Vec<String> =
        schema.fields().iter().map(|f| format!("{}:{}", f.name(), catalog_name(f.data_type()))).collect();
    format!("struct<{}>", fields.join(","))
}

/// A type's catalog string; Spark's interval types by their fields.
fn catalog_name(data_type: &DataType) -> String {
    match data_type {
        DataType::Duration(_) => "interval day to second".to_string(),
        DataType::Interval(arrow_schema::IntervalUnit::YearMonth) => "interval year to month".to_string(),
        DataType::Interval(_) => "interval".to_string(),
        other => display_name(other, Dialect::Spark),
    }
}

/// Each row's values as Spark's `HiveResult` writes them, separated by tabs. Instants are shown
/// in `zone` (the session's time zone).
///
/// # Errors
/// Arrow errors formatting a value.
pub(crate) fn rows(batches: &[RecordBatch], zone: &str) -> Result<Vec<String>> {
    let mut lines = Vec::new();
    for batch in batches {
        let columns: Vec<ArrayRef> = batch.columns().iter().map(|c| in_zone(c, zone)).collect::<Result<_>>()?;
        for row in 0..batch.num_rows() {
            let cells: Vec<String> = columns.iter().map(|c| value(c.as_ref(), row, false)).collect::<Result<_>>()?;
            lines.push(cells.join("\t"));
        }
    }
    Ok(lines)
}

/// A column whose instants (at any depth) are shown in `zone`: Arrow displays a timestamp in
/// the zone its type names.
fn in_zone(column: &ArrayRef, zone: &str) -> Result<ArrayRef> {
    let target = zoned(column.data_type(), zone);
    if &target == column.data_type() {
        return Ok(column.clone());
    }
    Ok(arrow_cast::cast(column, &target)?)
}

fn zoned(data_type: &DataType, zone: &str) -> DataType {
    match data_type {
        DataType::Timestamp(unit, Some(_)) => DataType::Timestamp(*unit, Some(zone.into())),
        DataType::List(f) => DataType::List(f.as_ref().clone().with_data_type(zoned(f.data_type(), zone)).into()),
        DataType::Struct(fields) => DataType::Struct(
            fields.iter().map(|f| f.as_ref().clone().with_data_type(zoned(f.data_type(), zone))).collect(),
        ),
        other => other.clone(),
    }
}

fn value(column: &dyn Array, row: usize, nested: bool) -> Result<String> {
    // A NullArray (Spark's void) has no null buffer: `is_null` is false for its rows.
    if column.is_null(row) || column.data_type() == &DataType::Null {
        return Ok(if nested { "null" } else { "NULL" }.to_string());
    }
    Ok(match column.data_type() {
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => {
            let text = plain(column, row)?;
            if nested {
                format!("\"{text}\"")
            } else {
                text
            }
        }
        DataType::Binary | DataType::LargeBinary | DataType::BinaryView => {
            let bytes = match column.data_type() {
                DataType::Binary => column.as_binary::<i32>().value(row),
                DataType::LargeBinary => column.as_binary::<i64>().value(row),
                _ => column.as_binary_view().value(row),
            };
            String::from_utf8_lossy(bytes).into_owned()
        }
        DataType::Float64 => java_double_text(column.as_primitive::<Float64Type>().value(row)),
        DataType::Float32 => java_float_text(column.as_primitive::<Float32Type>().value(row)),
        DataType::Timestamp(..) => super::show::timestamp_text(column, row)?,
        DataType::List(_) => items(column.as_list::<i32>().value(row).as_ref())?,
        DataType::LargeList(_) => items(column.as_list::<i64>().value(row).as_ref())?,
        DataType::FixedSizeList(..) => items(column.as_fixed_size_list().value(row).as_ref())?,
        DataType::Struct(fields) => {
            let parts = column
                .as_struct()
                .columns()
                .iter()
                .zip(fields)
                .map(|(c, f)| Ok(format!("\"{}\":{}", f.name(), value(c.as_ref(), row, true)?)));
            format!("{{{}}}", parts.collect::<Result<Vec<_>>>()?.join(","))
        }
        DataType::Map(..) => {
            let entries = column.as_map().value(row);
            let (keys, values) = (entries.column(0), entries.column(1));
            let mut pairs: Vec<String> = (0..entries.len())
                .map(|i| Ok(format!("{}:{}", value(keys.as_ref(), i, true)?, value(values.as_ref(), i, true)?)))
                .collect::<Result<_>>()?;
            pairs.sort();
            format!("{{{}}}", pairs.join(","))
        }
        DataType::Interval(arrow_schema::IntervalUnit::YearMonth) => {
            year_month(column.as_primitive::<IntervalYearMonthType>().value(row))
        }
        DataType::Interval(arrow_schema::IntervalUnit::MonthDayNano) => {
            let v = column.as_primitive::<IntervalMonthDayNanoType>().value(row);
            calendar_interval(v.months, v.days, v.nanoseconds / 1000)
        }
        DataType::Duration(unit) => {
            let micros = match unit {
                TimeUnit::Second => column.as_primitive::<DurationSecondType>().value(row).saturating_mul(1_000_000),
                TimeUnit::Millisecond => {
                    column.as_primitive::<DurationMillisecondType>().value(row).saturating_mul(1_000)
                }
                TimeUnit::Microsecond => column.as_primitive::<DurationMicrosecondType>().value(row),
                TimeUnit::Nanosecond => column.as_primitive::<DurationNanosecondType>().value(row) / 1_000,
            };
            day_time(micros)
        }
        _ => plain(column, row)?,
    })
}

fn plain(column: &dyn Array, row: usize) -> Result<String> {
    Ok(ArrayFormatter::try_new(column, &FormatOptions::default())?.value(row).to_string())
}

fn items(values: &dyn Array) -> Result<String> {
    let items = (0..values.len()).map(|i| value(values, i, true));
    Ok(format!("[{}]", items.collect::<Result<Vec<_>>>()?.join(",")))
}

/// A year-month interval in Hive's style: `1-2`, `-0-3`.
fn year_month(months: i32) -> String {
    let sign = if months < 0 { "-" } else { "" };
    let months = months.unsigned_abs();
    format!("{sign}{}-{}", months / 12, months % 12)
}

/// A day-time interval in Hive's style: `1 02:03:04.000000000`.
fn day_time(micros: i64) -> String {
    let sign = if micros < 0 { "-" } else { "" };
    let micros = micros.unsigned_abs();
    let (seconds, fraction) = (micros / 1_000_000, micros % 1_000_000);
    let (days, rest) = (seconds / 86_400, seconds % 86_400);
    format!("{sign}{days} {:02}:{:02}:{:02}.{:09}", rest / 3600, rest % 3600 / 60, rest % 60, fraction * 1000)
}

/// Spark's `CalendarInterval.toString`: `1 years 2 months 3 days 4 hours 5.5 seconds`.
pub(crate) fn calendar_interval(months: i32, days: i32, micros: i64) -> String {
    let mut parts = Vec::new();
    if months != 0 {
        let (years, months) = (months / 12, months % 12);
        if years != 0 {
            parts.push(format!("{years} years"));
        }
        if months != 0 {
            parts.push(format!("{months} months"));
        }
    }
    if days != 0 {
        parts.push(format!("{days} days"));
    }
    if micros != 0 {
        let sign = if micros < 0 { "-" } else { "" };
        let abs = micros.unsigned_abs();
        let (hours, minutes) = (abs / 3_600_000_000, abs / 60_000_000 % 60);
        let (seconds, fraction) = (abs / 1_000_000 % 60, abs % 1_000_000);
        if hours != 0 {
            parts.push(format!("{sign}{hours} hours"));
        }
        if minutes != 0 {
            parts.push(format!("{sign}{minutes} minutes"));
        }
        if seconds != 0 || fraction != 0 {
            let fraction =
                if fraction == 0 { String::new() } else { format!(".{fraction:06}").trim_end_matches('0').to_string() };
            parts.push(format!("{sign}{seconds}{fraction} seconds"));
        }
    }
    if parts.is_empty() {
        return "0 seconds".to_string();
    }
    parts.join(" ")
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow_array::builder::{Int32Builder, ListBuilder};
    use arrow_array::{Float64Array, Int32Array, StringArray, StructArray, TimestampMicrosecondArray};
    use arrow_schema::Field;

    use super::*;

    #[test]
    fn values_read_as_in_sparks_golden_files() {
        let mut list = ListBuilder::new(Int32Builder::new());
        list.append_value([Some(1), None]);
        list.append_null();
        let list = list.finish();
        let names = StringArray::from(vec![Some("a"), None]);
        let structs = StructArray::from(vec![(
            Arc::new(Field::new("s", DataType::Utf8, true)),
            Arc::new(names.clone()) as ArrayRef,
        )]);
        let instants = TimestampMicrosecondArray::from(vec![Some(1_500_000), None]).with_timezone("UTC");
        let schema = Schema::new(vec![
            Field::new("a", DataType::Int32, true),
            Field::new("d", DataType::Float64, true),
            Field::new("l", list.data_type().clone(), true),
            Field::new("st", structs.data_type().clone(), true),
            Field::new("t", instants.data_type().clone(), true),
            Field::new("s", DataType::Utf8, true),
        ]);
        let batch = RecordBatch::try_new(
            Arc::new(schema),
            vec![
                Arc::new(Int32Array::from(vec![Some(1), None])),
                Arc::new(Float64Array::from(vec![Some(1e7), Some(0.5)])),
                Arc::new(list),
                Arc::new(structs),
                Arc::new(instants),
                Arc::new(names),
            ],
        )
        .unwrap();
        assert_eq!(
            schema_text(&batch.schema()),
            "struct<a:int,d:double,l:array<int>,st:struct<s:string>,t:timestamp,s:string>"
        );
        assert_eq!(
            rows(&[batch], "America/Los_Angeles").unwrap(),
            [
                "1\t1.0E7\t[1,null]\t{\"s\":\"a\"}\t1969-12-31 16:00:01.5\ta",
                "NULL\t0.5\tNULL\t{\"s\":null}\tNULL\tNULL"
            ]
        );
    }

    #[test]
    fn intervals_read_as_spark_writes_them() {
        assert_eq!(year_month(14), "1-2");
        assert_eq!(day_time(93_784_000_000), "1 02:03:04.000000000");
        assert_eq!(calendar_interval(14, 3, 5_500_000), "1 years 2 months 3 days 5.5 seconds");
    }
}
