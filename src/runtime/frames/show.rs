//! What `show()` and `printSchema()` print: Spark's table and tree for a DataFrame, Glue's JSON
//! records and tree for a DynamicFrame.

use std::fmt::Write as _;
use std::sync::Arc;

use arrow_array::{Array, RecordBatch};
use arrow_cast::display::{ArrayFormatter, FormatOptions};
use arrow_schema::{DataType, Field, Schema};

use crate::core::text::java::{java_double_text, java_float_text};
use crate::core::types::{display_name, Dialect};
use crate::error::Result;

/// Spark's `printSchema()`: ` |-- name: type (nullable = true)`.
#[must_use]
pub(crate) fn spark_tree(schema: &Schema) -> String {
    tree(schema, true)
}

/// Glue's `DynamicFrame.printSchema()`: `|-- name: type`, without Spark's leading space.
#[must_use]
pub(crate) fn glue_tree(schema: &Schema) -> String {
    tree(schema, false)
}

fn tree(schema: &Schema, spark: bool) -> String {
    let mut out = String::from("root\n");
    for field in schema.fields() {
        tree_line(&mut out, field, 1, spark);
    }
    out
}

fn tree_line(out: &mut String, field: &Field, depth: usize, spark: bool) {
    if spark {
        let suffix = format!("(nullable = {})", field.is_nullable());
        spark_tree_line(out, field.name(), field.data_type(), Some(&suffix), depth);
        return;
    }
    let indent = "|    ".repeat(depth - 1) + "|-- ";
    let type_name = match field.data_type() {
        DataType::Struct(_) => "struct".to_string(),
        DataType::List(_) | DataType::LargeList(_) => "array".to_string(),
        other => display_name(other, Dialect::Glue),
    };
    let _ = writeln!(out, "{indent}{}: {type_name}", field.name());
    match field.data_type() {
        DataType::Struct(children) => {
            for child in children {
                tree_line(out, child, depth + 1, spark);
            }
        }
        DataType::List(element) | DataType::LargeList(element) => {
            let element = Field::new("element", element.data_type().clone(), element.is_nullable());
            tree_line(out, &element, depth + 1, spark);
        }
        _ => {}
    }
}

/// One line of Spark's `printSchema` and the lines of the type's parts: an array's `element`
/// (`containsNull`), a map's `key` and `value` (`valueContainsNull`), a struct's fields.
fn spark_tree_line(out: &mut String, name: &str, data_type: &DataType, suffix: Option<&str>, depth: usize) {
    let indent = " |   ".repeat(depth - 1) + " |-- ";
    let type_name = match data_type {
        DataType::Struct(_) => "struct".to_string(),
        DataType::List(_) | DataType::LargeList(_) => "array".to_string(),
        DataType::Map(..) => "map".to_string(),
        // Spark's tree names types by `typeName` (`integer`, `long`), not as in SQL.
        other => display_name(other, Dialect::SparkTree),
    };
    let suffix = suffix.map(|s| format!(" {s}")).unwrap_or_default();
    let _ = writeln!(out, "{indent}{name}: {type_name}{suffix}");
    match data_type {
        DataType::Struct(children) => {
            for child in children {
                tree_line(out, child, depth + 1, true);
            }
        }
        DataType::List(element) | DataType::LargeList(element) => {
            let contains = format!("(containsNull = {})", element.is_nullable());
            spark_tree_line(out, "element", element.data_type(), Some(&contains), depth + 1);
        }
        DataType::Map(entries, _) => {
            if let DataType::Struct(kv) = entries.data_type() {
                if let [key, value] = kv.iter().as_slice() {
                    spark_tree_line(out, "key", key.data_type(), None, depth + 1);
                    let contains = format!("(valueContainsNull = {})", value.is_nullable());
                    spark_tree_line(out, "value", value.data_type(), Some(&contains), depth + 1);
                }
            }
        }
        _ => {}
    }
}

/// Spark's `show(n, truncate)`: a boxed table of the first `n` rows; cells longer than
/// `truncate` characters are cut to `truncate - 3` and `...` (0: no cutting, left-aligned); column
/// names are never cut.
///
/// # Errors
/// Arrow errors formatting a value.
pub(crate) fn spark_table(schema: &Schema, batches: &[RecordBatch], n: usize, truncate: usize) -> Result<String> {
    let headers: Vec<String> = schema.fields().iter().map(|f| f.name().clone()).collect();
    let (rows, more) = shown_rows(batches, n, truncate)?;
    let widths: Vec<usize> = (0..headers.len())
        .map(|i| rows.iter().map(|r| r[i].chars().count()).chain([headers[i].chars().count(), 3]).max().unwrap_or(3))
        .collect();
    let rule = format!("+{}+\n", widths.iter().map(|w| "-".repeat(*w)).collect::<Vec<_>>().join("+"));
    let line = |cells: &[String]| {
        let padded: Vec<String> = cells
            .iter()
            .zip(&widths)
            .map(|(c, w)| {
                let pad = " ".repeat(w - c.chars().count());
                if truncate > 0 {
                    format!("{pad}{c}")
                } else {
                    format!("{c}{pad}")
                }
            })
            .collect();
        format!("|{}|\n", padded.join("|"))
    };
    let mut out = rule.clone();
    out.push_str(&line(&headers));
    out.push_str(&rule);
    for row in &rows {
        out.push_str(&line(row));
    }
    out.push_str(&rule);
    if more {
        let noun = if n == 1 { "row" } else { "rows" };
        let _ = writeln!(out, "only showing top {n} {noun}");
    }
    Ok(out)
}

/// `batches` with their instants (timestamps with a zone) shown in `zone`, the session's: Spark
/// prints a timestamp in the session's time zone.
///
/// # Errors
/// Arrow errors casting a column.
pub(crate) fn in_zone(schema: &Schema, batches: Vec<RecordBatch>, zone: &str) -> Result<(Schema, Vec<RecordBatch>)> {
    let shown = |t: &DataType| match t {
        DataType::Timestamp(unit, Some(_)) => Some(DataType::Timestamp(*unit, Some(zone.into()))),
        _ => None,
    };
    if !schema.fields().iter().any(|f| shown(f.data_type()).is_some()) {
        return Ok((schema.clone(), batches));
    }
    let fields: Vec<arrow_schema::Field> = schema
        .fields()
        .iter()
        .map(|f| f.as_ref().clone().with_data_type(shown(f.data_type()).unwrap_or_else(|| f.data_type().clone())))
        .collect();
    let zoned = Arc::new(Schema::new(fields));
    let batches = batches
        .into_iter()
        .map(|b| {
            let columns = b
                .columns()
                .iter()
                .zip(zoned.fields())
                .map(|(c, f)| {
                    if c.data_type() == f.data_type() {
                        Ok(Arc::clone(c))
                    } else {
                        arrow_cast::cast(c, f.data_type())
                    }
                })
                .collect::<std::result::Result<Vec<_>, _>>()?;
            Ok(RecordBatch::try_new(Arc::clone(&zoned), columns)?)
        })
        .collect::<Result<Vec<_>>>()?;
    Ok((zoned.as_ref().clone(), batches))
}

/// The first `n` rows' cells as `show` writes them, and whether there are more rows.
fn shown_rows(batches: &[RecordBatch], n: usize, truncate: usize) -> Result<(Vec<Vec<String>>, bool)> {
    let mut rows: Vec<Vec<String>> = Vec::new();
    for batch in batches {
        for row in 0..batch.num_rows() {
            if rows.len() == n {
                return Ok((rows, true));
            }
            let cells = batch.columns().iter().map(|c| Ok(cut(&spark_cell(c.as_ref(), row)?, truncate)));
            rows.push(cells.collect::<Result<_>>()?);
        }
    }
    Ok((rows, false))
}

/// Spark's `show(n, truncate, vertical=True)`: one block per row, `-RECORD i` over its
/// `name | value` lines, names and values padded to the widest (at least 3).
///
/// # Errors
/// Arrow errors formatting a value.
pub(crate) fn spark_records(schema: &Schema, batches: &[RecordBatch], n: usize, truncate: usize) -> Result<String> {
    let headers: Vec<String> = schema.fields().iter().map(|f| f.name().clone()).collect();
    let (rows, more) = shown_rows(batches, n, truncate)?;
    let width = |texts: &mut dyn Iterator<Item = &String>| texts.map(|t| t.chars().count()).max().unwrap_or(0).max(3);
    let name_width = width(&mut headers.iter());
    let value_width = width(&mut rows.iter().flatten());
    let pad = |text: &str, to: usize| format!("{text}{}", " ".repeat(to.saturating_sub(text.chars().count())));
    let mut out = String::new();
    for (i, row) in rows.iter().enumerate() {
        let header = format!("-RECORD {i}");
        let _ = writeln!(out, "{header}{}", "-".repeat((name_width + value_width + 5).saturating_sub(header.len())));
        for (name, value) in headers.iter().zip(row) {
            let _ = writeln!(out, " {} | {} ", pad(name, name_width), pad(value, value_width));
        }
    }
    if rows.is_empty() {
        out.push_str("(0 rows)\n");
    } else if more {
        let noun = if n == 1 { "row" } else { "rows" };
        let _ = writeln!(out, "only showing top {n} {noun}");
    }
    Ok(out)
}

/// One value as Spark's `show()` writes it: timestamps as `2024-01-01 00:00:00.5` (in the
/// column's zone, the fraction without trailing zeros), structs as `{v1, v2}`, arrays as
/// `[a, b]`, maps as `{k1 -> v1, k2 -> v2}`, binary as `[01 4A]`; a null is `NULL`, also inside
/// a struct, array or map (Spark 4's `show()`; Spark 3.5 wrote `null`).
fn spark_cell(column: &dyn Array, row: usize) -> Result<String> {
    use arrow_array::cast::AsArray;
    // A NullArray (Spark's void) has no null buffer: `is_null` is false for its rows.
    if column.is_null(row) || column.data_type() == &DataType::Null {
        return Ok("NULL".to_string());
    }
    let hex = |bytes: &[u8]| format!("[{}]", bytes.iter().map(|b| format!("{b:02X}")).collect::<Vec<_>>().join(" "));
    Ok(match column.data_type() {
        DataType::Struct(_) => {
            let fields = column.as_struct().columns().iter().map(|c| spark_cell(c.as_ref(), row));
            format!("{{{}}}", fields.collect::<Result<Vec<_>>>()?.join(", "))
        }
        DataType::Map(..) => {
            let entries = column.as_map().value(row);
            let pairs = (0..entries.len()).map(|i| {
                Ok(format!(
                    "{} -> {}",
                    spark_cell(entries.column(0).as_ref(), i)?,
                    spark_cell(entries.column(1).as_ref(), i)?
                ))
            });
            format!("{{{}}}", pairs.collect::<Result<Vec<_>>>()?.join(", "))
        }
        DataType::Binary => hex(column.as_binary::<i32>().value(row)),
        DataType::LargeBinary => hex(column.as_binary::<i64>().value(row)),
        DataType::BinaryView => hex(column.as_binary_view().value(row)),
        DataType::List(_) => items(column.as_list::<i32>().value(row).as_ref())?,
        DataType::LargeList(_) => items(column.as_list::<i64>().value(row).as_ref())?,
        DataType::Timestamp(..) => timestamp_text(column, row)?,
        DataType::Float64 => java_double_text(column.as_primitive::<arrow_array::types::Float64Type>().value(row)),
        DataType::Float32 => java_float_text(column.as_primitive::<arrow_array::types::Float32Type>().value(row)),
        // Spark's intervals: a calendar interval's own text, the ANSI ones as ANSI literals.
        DataType::Interval(arrow_schema::IntervalUnit::MonthDayNano) => {
            let v = column.as_primitive::<arrow_array::types::IntervalMonthDayNanoType>().value(row);
            super::hive_result::calendar_interval(v.months, v.days, v.nanoseconds / 1000)
        }
        DataType::Interval(arrow_schema::IntervalUnit::YearMonth) => {
            let months = column.as_primitive::<arrow_array::types::IntervalYearMonthType>().value(row);
            let sign = if months < 0 { "-" } else { "" };
            let months = months.unsigned_abs();
            format!("INTERVAL '{sign}{}-{}' YEAR TO MONTH", months / 12, months % 12)
        }
        DataType::Duration(arrow_schema::TimeUnit::Microsecond) => {
            day_to_second(column.as_primitive::<arrow_array::types::DurationMicrosecondType>().value(row))
        }
        _ => {
            ArrayFormatter::try_new(column, &FormatOptions::default().with_display_error(true))?.value(row).to_string()
        }
    })
}

/// A day-time interval as Spark's ANSI literal: `INTERVAL '1 12:30:01.001001' DAY TO SECOND`.
fn day_to_second(micros: i64) -> String {
    let sign = if micros < 0 { "-" } else { "" };
    let micros = micros.unsigned_abs();
    let (seconds, fraction) = (micros / 1_000_000, micros % 1_000_000);
    let (days, rest) = (seconds / 86_400, seconds % 86_400);
    let fraction =
        if fraction == 0 { String::new() } else { format!(".{fraction:06}").trim_end_matches('0').to_string() };
    format!(
        "INTERVAL '{sign}{days} {:02}:{:02}:{:02}{fraction}' DAY TO SECOND",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

/// A timestamp as Spark writes it: `2024-01-01 00:00:00.5` (in the zone its type names), the
/// fraction without trailing zeros.
///
/// # Errors
/// Arrow errors formatting the value.
pub(crate) fn timestamp_text(column: &dyn Array, row: usize) -> Result<String> {
    let options = FormatOptions::default()
        .with_timestamp_format(Some("%Y-%m-%d %H:%M:%S%.f"))
        .with_timestamp_tz_format(Some("%Y-%m-%d %H:%M:%S%.f"));
    let text = ArrayFormatter::try_new(column, &options)?.value(row).to_string();
    Ok(if text.contains('.') { text.trim_end_matches('0').trim_end_matches('.').to_string() } else { text })
}

fn items(values: &dyn Array) -> Result<String> {
    let items = (0..values.len()).map(|i| spark_cell(values, i));
    Ok(format!("[{}]", items.collect::<Result<Vec<_>>>()?.join(", ")))
}

fn cut(text: &str, truncate: usize) -> String {
    if truncate == 0 || text.chars().count() <= truncate {
        return text.to_string();
    }
    if truncate < 4 {
        return text.chars().take(truncate).collect();
    }
    let kept: String = text.chars().take(truncate - 3).collect();
    format!("{kept}...")
}

/// Glue's `DynamicFrame.show(n)`: one JSON object per record, without the fields it lacks.
///
/// # Errors
/// Arrow errors encoding a value.
pub(crate) fn glue_records(batches: &[RecordBatch], n: usize) -> Result<String> {
    let mut out = Vec::new();
    let mut left = n;
    {
        let mut writer = arrow_json::LineDelimitedWriter::new(&mut out);
        for batch in batches {
            if left == 0 {
                break;
            }
            let take = left.min(batch.num_rows());
            writer.write(&batch.slice(0, take))?;
            left -= take;
        }
        writer.finish()?;
    }
    Ok(String::from_utf8_lossy(&out).into_owned())
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow_array::{Int64Array, StringArray};

    use super::*;

    #[test]
    fn doubles_read_as_javas_to_string() {
        let cases = [(1.0, "1.0"), (0.1, "0.1"), (1.5e7, "1.5E7"), (1e-4, "1.0E-4"), (-2.5, "-2.5"), (1e21, "1.0E21")];
        for (value, text) in cases {
            assert_eq!(java_double_text(value), text);
        }
        assert_eq!(java_double_text(9_999_999.0), "9999999.0");
        assert_eq!(java_double_text(f64::NEG_INFINITY), "-Infinity");
    }

    #[test]
    fn spark_show_shape() {
        let schema = Arc::new(Schema::new(vec![
            Field::new("email", DataType::Utf8, true),
            Field::new("n", DataType::Int64, true),
        ]));
        let batch = RecordBatch::try_new(
            schema.clone(),
            vec![
                Arc::new(StringArray::from(vec![Some("a@example.com"), None])),
                Arc::new(Int64Array::from(vec![1, 22])),
            ],
        )
        .unwrap();
        assert_eq!(
            spark_table(&schema, std::slice::from_ref(&batch), 1, 20).unwrap(),
            "+-------------+---+\n|        email|  n|\n+-------------+---+\n|a@example.com|  1|\n+-------------+---+\nonly showing top 1 row\n"
        );
        assert_eq!(glue_records(&[batch], 5).unwrap(), "{\"email\":\"a@example.com\",\"n\":1}\n{\"n\":22}\n");
        assert_eq!(spark_tree(&schema), "root\n |-- email: string (nullable = true)\n |-- n: long (nullable = true)\n");
        assert_eq!(glue_tree(&schema), "root\n|-- email: string\n|-- n: long\n");
    }
}
