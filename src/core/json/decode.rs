//! Decoding landing records into Arrow columns: one JSON object per record, keys matched to the
//! schema ignoring case, values coerced losslessly. A record that cannot be decoded is reported
//! with a reason and leaves no trace in the columns, so accepted rows are never partial.
//!
//! Most records take the single-pass scanner of [`super::flat`]; the rest (escapes, nested
//! values, repeated keys, errors) take serde_json, which also words the reason.

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

use arrow_array::{ArrayRef, BooleanArray, Float64Array, Int64Array, RecordBatch, StringArray};
use arrow_buffer::{NullBuffer, OffsetBuffer, ScalarBuffer};
use arrow_schema::DataType;
use serde::de::{DeserializeSeed, Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;

use super::coerce::{coerce_checked, Typed};
use super::flat;
use super::infer::{fits_inferred, Unseen};
use super::schema::LandingSchema;
use super::shape::Shape;
use crate::error::Result;

/// A column being built; unlike Arrow's builders it can drop the values of a rejected record.
enum Column {
    Utf8 { offsets: Vec<i32>, data: Vec<u8>, valid: Vec<bool> },
    Int64 { values: Vec<i64>, valid: Vec<bool> },
    Float64 { values: Vec<f64>, valid: Vec<bool> },
    Boolean { values: Vec<bool>, valid: Vec<bool> },
}

impl Column {
    fn new(data_type: &DataType) -> Self {
        match data_type {
            DataType::Int64 => Column::Int64 { values: Vec::new(), valid: Vec::new() },
            DataType::Float64 => Column::Float64 { values: Vec::new(), valid: Vec::new() },
            DataType::Boolean => Column::Boolean { values: Vec::new(), valid: Vec::new() },
            // Landing schemas only use these four types; anything else is kept as text.
            _ => Column::Utf8 { offsets: vec![0], data: Vec::new(), valid: Vec::new() },
        }
    }

    /// Append a value that [`coerce`] produced for this column's type (anything else is null).
    fn append(&mut self, value: &Typed<'_>) {
        match (self, value) {
            (Column::Utf8 { offsets, data, valid }, v) => {
                if let Typed::Str(s) = v {
                    data.extend_from_slice(s.as_bytes());
                }
                debug_assert!(i32::try_from(data.len()).is_ok(), "landing batches close before 2 GiB of text");
                // In range: a value is never longer than its record's text, and the landing reader
                // closes a batch once it holds `BATCH_TEXT_BYTES` of record text (512 MiB) plus at
                // most one record of at most `MAX_RECORD_BYTES_LIMIT` (1 GiB).
                #[allow(clippy::cast_possible_truncation, clippy::cast_possible_wrap)]
                offsets.push(data.len() as i32);
                valid.push(matches!(v, Typed::Str(_)));
            }
            (Column::Int64 { values, valid }, v) => {
                values.push(if let Typed::Int(i) = v { *i } else { 0 });
                valid.push(matches!(v, Typed::Int(_)));
            }
            (Column::Float64 { values, valid }, v) => {
                values.push(if let Typed::Float(f) = v { *f } else { 0.0 });
                valid.push(matches!(v, Typed::Float(_)));
            }
            (Column::Boolean { values, valid }, v) => {
                values.push(matches!(v, Typed::Bool(true)));
                valid.push(matches!(v, Typed::Bool(_)));
            }
        }
    }

    /// Keep only the first `rows` values.
    fn truncate(&mut self, rows: usize) {
        match self {
            Column::Utf8 { offsets, data, valid } => {
                offsets.truncate(rows + 1);
                data.truncate(offsets[rows] as usize);
                valid.truncate(rows);
            }
            Column::Int64 { values, valid } => {
                values.truncate(rows);
                valid.truncate(rows);
            }
            Column::Float64 { values, valid } => {
                values.truncate(rows);
                valid.truncate(rows);
            }
            Column::Boolean { values, valid } => {
                values.truncate(rows);
                valid.truncate(rows);
            }
        }
    }

    fn finish(&mut self) -> ArrayRef {
        fn nulls(valid: &mut Vec<bool>) -> Option<NullBuffer> {
            let buffer = NullBuffer::from(std::mem::take(valid));
            (buffer.null_count() > 0).then_some(buffer)
        }
        match self {
            Column::Utf8 { offsets, data, valid } => {
                let offsets = OffsetBuffer::new(ScalarBuffer::from(std::mem::replace(offsets, vec![0])));
                let data = std::mem::take(data).into();
                Arc::new(StringArray::new(offsets, data, nulls(valid)))
            }
            Column::Int64 { values, valid } => Arc::new(Int64Array::new(std::mem::take(values).into(), nulls(valid))),
            Column::Float64 { values, valid } => {
                Arc::new(Float64Array::new(std::mem::take(values).into(), nulls(valid)))
            }
            Column::Boolean { values, valid } => {
                let values = BooleanArray::from(std::mem::take(values));
                Arc::new(BooleanArray::new(values.values().clone(), nulls(valid)))
            }
        }
    }
}

/// Decodes records of one landing schema into columns.
pub struct Decoder<'s> {
    schema: &'s LandingSchema,
    columns: Vec<Column>,
    /// Byte range of each field's value in the current record.
    slots: Vec<Option<(usize, usize)>>,
    rows: usize,
    /// Text of the records accepted since the last [`Self::finish`]: a bound on any string
    /// column's bytes (a value is never longer than the text it was decoded from).
    text_bytes: usize,
    unseen: Unseen,
    /// The shape of the last record the scanner took, tried first on the next record.
    shape: Option<Shape>,
}

impl<'s> Decoder<'s> {
    /// A decoder with empty columns.
    #[must_use]
    pub fn new(schema: &'s LandingSchema) -> Self {
        let columns: Vec<Column> = schema.schema().fields().iter().map(|f| Column::new(f.data_type())).collect();
        let slots = vec![None; columns.len()];
        Self { schema, columns, slots, rows: 0, text_bytes: 0, unseen: Unseen::default(), shape: None }
    }

    /// Text of the records accepted since the last [`Self::finish`] (bounds the string columns).
    #[must_use]
    pub(crate) fn text_bytes(&self) -> usize {
        self.text_bytes
    }

    /// The keys and values the schema had no place for, in the records accepted so far; the
    /// decoder forgets them.
    pub(crate) fn take_unseen(&mut self) -> Unseen {
        std::mem::take(&mut self.unseen)
    }

    #[cfg(test)]
    /// Rows decoded so far.
    #[must_use]
    pub(crate) fn rows(&self) -> usize {
        self.rows
    }

    /// Decode one record and append it as a row.
    ///
    /// # Errors
    /// The reason the record cannot be stored (bad UTF-8, bad JSON, not an object, a value that
    /// cannot be coerced); nothing is appended then.
    pub fn decode(&mut self, bytes: &[u8]) -> Result<(), String> {
        let text = std::str::from_utf8(bytes).map_err(|e| format!("invalid UTF-8 at byte {}", e.valid_up_to()))?;
        self.decode_str(text)
    }

    /// As [`Self::decode`], for a record already known to be UTF-8.
    ///
    /// # Errors
    /// As [`Self::decode`].
    pub(crate) fn decode_str(&mut self, text: &str) -> Result<(), String> {
        // The landing reader closes batches long before this; a caller that does not is refused
        // here rather than left to overflow a string column's 32-bit offsets.
        if self.text_bytes + text.len() > i32::MAX as usize {
            return Err(format!(
                "the batch being decoded already holds {} bytes of text: start a new batch (Decoder::finish)",
                self.text_bytes
            ));
        }
        if let Some(shape) = &self.shape {
            let columns = &mut self.columns;
            if shape.decode(text, self.schema, |field, value| columns[field].append(&value)) {
                for &field in shape.absent() {
                    columns[field].append(&Typed::Null);
                }
                self.rows += 1;
                self.text_bytes += text.len();
                return Ok(());
            }
            for column in columns {
                column.truncate(self.rows);
            }
        }
        self.slots.fill(None);
        let mut unknown = Vec::new();
        let escapes = !flat::scan(text, self.schema, &mut self.slots);
        if escapes {
            self.slots.fill(None);
            full_parse(text, self.schema, &mut self.slots, &mut unknown)?;
        }
        let fields = self.schema.schema().fields();
        let sampled = self.schema.is_sampled();
        let mut misfits = Vec::new();
        for (i, field) in fields.iter().enumerate() {
            let evolved = self.schema.is_evolved(i);
            let value = match self.slots[i] {
                None => Ok(Typed::Null),
                // Stored by a coercion, but over all records inference would have widened the type.
                Some((start, end)) if sampled && !fits_inferred(&text[start..end], field.data_type()) => {
                    Err(String::new())
                }
                Some((start, end)) => {
                    let nested_as_json = self.schema.nested_as_json || evolved;
                    coerce_checked(&text[start..end], field.data_type(), nested_as_json, escapes)
                }
            };
            match value {
                Ok(value) => self.columns[i].append(&value),
                // An evolved field's type widens to fit (the caller decodes again); kept meanwhile.
                Err(_) if evolved => {
                    let (start, end) = self.slots[i].expect("only present values fail");
                    misfits.push((i, start, end));
                    self.columns[i].append(&Typed::Null);
                }
                Err(reason) => {
                    for column in &mut self.columns[..i] {
                        column.truncate(self.rows);
                    }
                    return Err(format!("field {}: {reason}", field.name()));
                }
            }
        }
        if !escapes && misfits.is_empty() {
            self.shape = Shape::learn(text, &self.slots);
        }
        for (key, raw) in unknown {
            self.unseen.added.observe_field(&key, raw);
        }
        for (i, start, end) in misfits {
            self.unseen.widened.observe_field(fields[i].name(), &text[start..end]);
        }
        self.rows += 1;
        self.text_bytes += text.len();
        Ok(())
    }

    /// The decoded rows as one batch; the decoder is empty afterwards.
    ///
    /// # Errors
    /// Only if the columns do not match the schema, which the decoder's construction rules out.
    pub fn finish(&mut self) -> Result<RecordBatch> {
        let arrays = self.columns.iter_mut().map(Column::finish).collect();
        // The row count is explicit: an inferred schema can have no columns (records with no keys).
        let options = arrow_array::RecordBatchOptions::new().with_row_count(Some(self.rows));
        self.rows = 0;
        self.text_bytes = 0;
        Ok(RecordBatch::try_new_with_options(self.schema.schema().clone(), arrays, &options)?)
    }
}

/// The full parser: validates the whole record, finds each field's value range and collects the
/// keys the schema does not have with their raw values.
fn full_parse<'t>(
    text: &'t str,
    schema: &LandingSchema,
    slots: &mut [Option<(usize, usize)>],
    unknown: &mut Vec<(Cow<'t, str>, &'t str)>,
) -> Result<(), String> {
    let mut raw: Vec<Option<&RawValue>> = vec![None; slots.len()];
    let mut de = serde_json::Deserializer::from_str(text);
    de.deserialize_map(RecordVisitor { schema, slots: &mut raw, unknown }).map_err(|e| format!("invalid JSON: {e}"))?;
    de.end().map_err(|e| format!("invalid JSON: {e}"))?;
    let base = text.as_ptr() as usize;
    for (slot, value) in slots.iter_mut().zip(raw) {
        // A raw value borrows from `text`, so its address gives its place in the record.
        *slot = value.map(|v| {
            let start = v.get().as_ptr() as usize - base;
            (start, start + v.get().len())
        });
    }
    Ok(())
}

/// Fills one slot per schema field with the raw value of the matching key.
struct RecordVisitor<'a, 'de> {
    schema: &'a LandingSchema,
    slots: &'a mut [Option<&'de RawValue>],
    unknown: &'a mut Vec<(Cow<'de, str>, &'de str)>,
}

impl<'de> Visitor<'de> for RecordVisitor<'_, 'de> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key_seed(KeyIndex(self.schema))? {
            match key {
                Key::Known(i) => {
                    let raw: &'de RawValue = map.next_value()?;
                    match self.slots[i] {
                        // The same key twice (or `timestamp` and `timeStamp`): fine if equal.
                        Some(prev) if prev.get() != raw.get() => {
                            return Err(serde::de::Error::custom(format_args!(
                                "field {} appears twice with different values",
                                self.schema.schema().field(i).name()
                            )));
                        }
                        _ => self.slots[i] = Some(raw),
                    }
                }
                Key::Unknown(name) => {
                    let raw: &'de RawValue = map.next_value()?;
                    self.unknown.push((name, raw.get()));
                }
            }
        }
        Ok(())
    }
}

/// A record's key: a field's position, or a key the schema does not have.
enum Key<'de> {
    Known(usize),
    Unknown(Cow<'de, str>),
}

/// Resolves a key to its field position, allocating only for an escaped unknown key.
struct KeyIndex<'a>(&'a LandingSchema);

impl<'de> DeserializeSeed<'de> for KeyIndex<'_> {
    type Value = Key<'de>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeyIndex<'_> {
    type Value = Key<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a field name")
    }

    fn visit_borrowed_str<E>(self, key: &'de str) -> Result<Self::Value, E> {
        Ok(self.0.field_index(key).map_or(Key::Unknown(Cow::Borrowed(key)), Key::Known))
    }

    fn visit_str<E>(self, key: &str) -> Result<Self::Value, E> {
        Ok(self.0.field_index(key).map_or_else(|| Key::Unknown(Cow::Owned(key.to_string())), Key::Known))
    }
}
#[cfg(test)]
mod tests {
    use arrow_array::cast::AsArray;
    use arrow_array::types::{Float64Type, Int64Type};
    use arrow_array::Array;

    use super::*;

    #[test]
    fn decodes_keys_in_any_case_and_order_with_missing_keys_null() {
        let schema = LandingSchema::known("accelerometer").unwrap();
        let mut d = Decoder::new(&schema);
        d.decode(br#"{"timeStamp": 5, "user": "a@b", "x": 1, "y": -1.5}"#).unwrap();
        d.decode(br#"{"z": 2.0, "USER": "c\u0040d", "extra": {"ignored": [1]}}"#).unwrap();
        let batch = d.finish().unwrap();
        assert_eq!(batch.num_rows(), 2);
        let user = batch.column(0).as_string::<i32>();
        assert_eq!((user.value(0), user.value(1)), ("a@b", "c@d"));
        let ts = batch.column(1).as_primitive::<Int64Type>();
        assert_eq!((ts.value(0), ts.is_null(1)), (5, true));
        let x = batch.column(2).as_primitive::<Float64Type>();
        assert_eq!(x.value(0).to_bits(), 1.0f64.to_bits());
        assert!(batch.column(4).is_null(0));
    }

    #[test]
    fn a_bad_record_appends_nothing_and_says_why() {
        let schema = LandingSchema::known("accelerometer").unwrap();
        let mut d = Decoder::new(&schema);
        let cases: [(&[u8], &str); 6] = [
            (br#"{"user": "a", "timestamp": "soon"}"#, "field timestamp: a string \"soon\" cannot be stored as int64"),
            (br#"{"user": "a", "timestamp": 1"#, "invalid JSON: EOF while parsing an object"),
            (b"[1, 2]", "invalid JSON: invalid type: sequence, expected a JSON object"),
            (b"{\"user\": \"\xff\"}", "invalid UTF-8 at byte 10"),
            (br#"{"user": "a"} {"user": "b"}"#, "invalid JSON: trailing characters"),
            (
                br#"{"timestamp": 1, "timeStamp": 2}"#,
                "invalid JSON: field timestamp appears twice with different values",
            ),
        ];
        for (bytes, reason) in cases {
            let got = d.decode(bytes).unwrap_err();
            assert!(got.starts_with(reason), "{got:?} should start with {reason:?}");
        }
        assert_eq!(d.rows(), 0);
        d.decode(br#"{"timestamp": 1, "timeStamp": 1}"#).unwrap();
        assert_eq!(d.finish().unwrap().num_rows(), 1);
    }

    /// The shape path (taken once a record of the same shape was decoded) and the scanner path
    /// (a fresh decoder) give the same row or the same error for every record after every other.
    #[test]
    fn the_shape_path_agrees_with_the_scanner_path() {
        let schema = LandingSchema::known("accelerometer").unwrap();
        let records: Vec<&[u8]> = vec![
            br#"{"user":"a@b","timestamp":1655564444103,"x":1.0,"y":-1.0,"z":-0.0}"#,
            br#"{"user":"c@d","timestamp":-5,"x":0.1,"y":1e2,"z":12345678901234567}"#,
            br#"{"user":"a@b","timestamp":1655564444103.0,"x":1,"y":null,"z":9007199254740993}"#,
            br#"{"user":"a@b","timestamp":1.5,"x":1,"y":2,"z":3}"#,
            br#"{"user":"a@b","timestamp":"7","x":"1.5","y":2,"z":3}"#,
            br#"{"user":7,"timestamp":9223372036854775808,"x":1,"y":2,"z":3}"#,
            br#"{"user":"a\u00e9","timestamp":1,"x":1,"y":2,"z":3}"#,
            "{\"user\":\"\u{e9}t\u{e9}\",\"timestamp\":1,\"x\":1,\"y\":2,\"z\":3}".as_bytes(),
            b"{\"user\":\"\xff\",\"timestamp\":1,\"x\":1,\"y\":2,\"z\":3}",
            br#"{"user":"a@b","timestamp":1,"x":1,"y":2,"z":3,"w":4}"#,
            br#"{"user":"a@b","timestamp":1,"x":1,"y":2}"#,
            br#"{"user":"a@b","timestamp":1,"x":1,"y":2,"z":3} "#,
            br#"{"user":"a@b","timestamp":1,"x":1,"y":2,"z":3}x"#,
            br#"{"user":"a@b","timestamp":01,"x":1,"y":2,"z":3}"#,
            br#"{"user":"a@b","timestamp":1,"x":1.,"y":2,"z":3}"#,
            br#"{"user":"a@b","timestamp":1,"x":true,"y":2,"z":3}"#,
            br#"{"user":"a@b","timestamp":1,"x":{},"y":2,"z":3}"#,
            br#"{"user":"a@b","timestamp":1,"x":1,"y":2,"z":3"#,
        ];
        let one = |previous: Option<&[u8]>, record: &[u8]| {
            let mut d = Decoder::new(&schema);
            if let Some(previous) = previous {
                let _ = d.decode(previous);
                d.finish().unwrap();
            }
            let outcome = d.decode(record);
            (outcome, d.finish().unwrap())
        };
        for record in &records {
            let (reference, reference_rows) = one(None, record);
            for previous in &records {
                let (got, rows) = one(Some(previous), record);
                let context =
                    format!("{} after {}", String::from_utf8_lossy(record), String::from_utf8_lossy(previous));
                assert_eq!(got, reference, "{context}");
                assert_eq!(rows, reference_rows, "{context}");
            }
        }
    }
}
