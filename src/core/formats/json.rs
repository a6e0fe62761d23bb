//! JSON files beyond the landing reader ([`crate::core::json`], which reads JSON sources): JSON
//! lines built in memory (a script's records) with nested types inferred, JSON texts read as
//! values of a given type (Spark's `from_json`, the JSON SerDes' nested columns), and the writer
//! of JSON lines (Spark's and Glue's: a field that is null is left out of its record).

use std::borrow::Cow;
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::{new_null_array, Array, ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, Schema, SchemaRef};

use crate::error::{Error, Result};

/// A JSON object's keys in the order it has them (values skipped).
struct RecordKeys(Vec<String>);

impl<'de> serde::Deserialize<'de> for RecordKeys {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        struct Keys;
        impl<'de> serde::de::Visitor<'de> for Keys {
            type Value = RecordKeys;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a JSON object")
            }

            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> std::result::Result<RecordKeys, A::Error> {
                let mut keys = Vec::new();
                while let Some(key) = map.next_key::<String>()? {
                    map.next_value::<serde::de::IgnoredAny>()?;
                    keys.push(key);
                }
                Ok(RecordKeys(keys))
            }
        }
        deserializer.deserialize_map(Keys)
    }
}

/// Records a script built in memory, as JSON lines (`Map.apply`'s returned records): the schema
/// inferred from every record as Glue infers a DynamicFrame's — objects as structs, arrays as
/// arrays, fields in the order first seen, a field of integers and floats a double, other mixes a
/// string (the numbers and booleans then as their JSON text).
///
/// # Errors
/// [`Error::InvalidArgument`]-like Arrow errors for a line that is no JSON object.
pub(crate) fn read_lines(text: &str) -> Result<(SchemaRef, Vec<RecordBatch>)> {
    let (inferred, _) = arrow_json::reader::infer_json_schema(std::io::Cursor::new(text.as_bytes()), None)?;
    // Arrow's inference names the fields in sorted order; the records' own order comes first.
    let mut order: Vec<String> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let keys: RecordKeys =
            serde_json::from_str(line).map_err(|e| Error::InvalidArgument(format!("a record: {e}")))?;
        order.extend(keys.0.into_iter().filter(|k| seen.insert(k.clone())));
    }
    let fields: Vec<_> = order.iter().filter_map(|name| inferred.field_with_name(name).ok().cloned()).collect();
    let schema = Arc::new(Schema::new(fields));
    let reader = arrow_json::ReaderBuilder::new(Arc::clone(&schema))
        .with_coerce_primitive(true)
        .build(std::io::Cursor::new(text.as_bytes()))?;
    let batches = reader.collect::<std::result::Result<Vec<_>, _>>()?;
    Ok((schema, batches))
}

/// A caller's own reading of a JSON text before it is read as a value of the type.
pub(crate) type TextOf = for<'t> fn(&'t str, &DataType) -> Cow<'t, str>;

/// A text as it is.
#[must_use]
pub(crate) fn as_written<'t>(text: &'t str, _: &DataType) -> Cow<'t, str> {
    Cow::Borrowed(text)
}

/// Each text of `texts` (cast to text first) read as a JSON value of type `to`, after `text_of`
/// (a caller's own reading of a text, such as Spark's one object as a one-element array); NULL for
/// a NULL text and for one that is not a value of the type.
pub(crate) fn values_of_type(texts: &ArrayRef, to: &DataType, text_of: TextOf) -> ArrayRef {
    let Ok(texts) = arrow_cast::cast(texts, &DataType::Utf8) else { return new_null_array(to, texts.len()) };
    let texts = texts.as_string::<i32>();
    let schema = Arc::new(Schema::new(vec![Field::new("v", to.clone(), true)]));
    let decode = |lines: &str, rows: usize| -> Option<ArrayRef> {
        let reader = arrow_json::ReaderBuilder::new(Arc::clone(&schema))
            .with_strict_mode(false)
            .with_batch_size(rows.max(1))
            .build(std::io::Cursor::new(lines.as_bytes()))
            .ok()?;
        let batches = reader.collect::<std::result::Result<Vec<_>, _>>().ok()?;
        let batch = arrow_select::concat::concat_batches(&schema, &batches).ok()?;
        (batch.num_rows() == rows).then(|| Arc::clone(batch.column(0)))
    };
    let line = |row: usize| {
        if texts.is_null(row) {
            "{}".to_string()
        } else {
            format!("{{\"v\":{}}}", text_of(texts.value(row), to))
        }
    };
    let all: String = (0..texts.len()).map(|row| line(row) + "\n").collect();
    if let Some(column) = decode(&all, texts.len()) {
        return column;
    }
    // One text that is not the type spoils the whole decode: then row by row.
    let rows: Vec<ArrayRef> =
        (0..texts.len()).map(|row| decode(&line(row), 1).unwrap_or_else(|| new_null_array(to, 1))).collect();
    let refs: Vec<&dyn Array> = rows.iter().map(AsRef::as_ref).collect();
    arrow_select::concat::concat(&refs).unwrap_or_else(|_| new_null_array(to, texts.len()))
}

/// `batches` as JSON lines appended to `text`; a null field is left out of its record, as a
/// DynamicRecord holds only its fields.
pub(crate) fn write(text: &mut Vec<u8>, batches: &[RecordBatch]) -> Result<()> {
    let mut writer = arrow_json::LineDelimitedWriter::new(text);
    for batch in batches {
        writer.write(batch)?;
    }
    writer.finish()?;
    Ok(())
}
