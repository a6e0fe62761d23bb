//! JSON lines as Spark's JSON source reads them with a declared schema: one object per line
//! (a line holding an array of objects gives a row per object), blank lines skipped, keys
//! matched to columns exactly, the last of duplicate keys kept, keys without a column ignored.

use std::borrow::Cow;
use std::collections::HashMap;

use arrow_schema::SchemaRef;
use serde_json::value::RawValue;

use super::columns::{Column, JsonValue};
use super::Rows;
use crate::error::Result;

fn value(raw: &RawValue) -> Option<JsonValue<'_>> {
    let text = raw.get().trim();
    Some(match text.as_bytes().first()? {
        b'n' => JsonValue::Null,
        b't' => JsonValue::Bool(true),
        b'f' => JsonValue::Bool(false),
        b'"' => match serde_json::from_str::<Cow<'_, str>>(text) {
            Ok(s) => JsonValue::Str(s),
            Err(_) => JsonValue::Str(Cow::Owned(serde_json::from_str::<String>(text).ok()?)),
        },
        b'{' | b'[' => JsonValue::Nested(serde_json::from_str::<serde_json::Value>(text).ok()?.to_string()),
        _ => JsonValue::Number(text),
    })
}

pub(super) fn read(text: &str, schema: &SchemaRef, rows: &mut Rows<'_>) -> Result<()> {
    let positions: HashMap<&str, usize> =
        schema.fields().iter().enumerate().map(|(i, f)| (f.name().as_str(), i)).collect();
    for (number, line) in text.lines().enumerate() {
        let line_text = line.trim();
        if line_text.is_empty() {
            continue;
        }
        let zone = rows.options.zone;
        let objects: Option<Vec<HashMap<String, &RawValue>>> = if line_text.starts_with('[') {
            serde_json::from_str::<Vec<HashMap<String, &RawValue>>>(line_text).ok()
        } else {
            serde_json::from_str::<HashMap<String, &RawValue>>(line_text).ok().map(|o| vec![o])
        };
        let line_number = number as u64 + 1;
        match objects {
            Some(objects) => {
                for object in objects {
                    rows.record(line_number, line, |columns, corrupt| {
                        fill(columns, corrupt, &positions, &object, zone)
                    })?;
                }
            }
            None => rows.record(line_number, line, |columns, _| {
                columns.iter_mut().for_each(Column::append_null);
                false
            })?,
        }
    }
    Ok(())
}

/// Every column's value from `object` (null where it has no key); false when one cannot be read.
fn fill(
    columns: &mut [Column],
    corrupt: Option<usize>,
    positions: &HashMap<&str, usize>,
    object: &HashMap<String, &RawValue>,
    zone: super::SessionZone,
) -> bool {
    let mut values: Vec<Option<JsonValue<'_>>> = vec![None; columns.len()];
    let mut clean = true;
    for (key, raw) in object {
        if let Some(&i) = positions.get(key.as_str()) {
            if Some(i) == corrupt {
                continue;
            }
            match value(raw) {
                Some(v) => values[i] = Some(v),
                None => clean = false,
            }
        }
    }
    for (column, value) in columns.iter_mut().zip(values) {
        match value {
            Some(v) => clean &= column.append_json(&v, zone),
            None => column.append_null(),
        }
    }
    clean
}
