//! Decoding landing records into Arrow columns: one JSON object per record, keys matched to the
//! schema ignoring case, values coerced losslessly. A record that cannot be decoded is reported
//! with a reason and appends nothing, so accepted rows are never partial.

use std::fmt;
use std::sync::Arc;

use arrow_array::builder::{BooleanBuilder, Float64Builder, Int64Builder, StringBuilder};
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::DataType;
use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde_json::value::RawValue;

use super::coerce::{coerce, Typed};
use super::schema::LandingSchema;
use crate::error::Result;

enum Column {
    Utf8(StringBuilder),
    Int64(Int64Builder),
    Float64(Float64Builder),
    Boolean(BooleanBuilder),
}

impl Column {
    fn new(data_type: &DataType) -> Self {
        match data_type {
            DataType::Int64 => Column::Int64(Int64Builder::new()),
            DataType::Float64 => Column::Float64(Float64Builder::new()),
            DataType::Boolean => Column::Boolean(BooleanBuilder::new()),
            // Landing schemas only use these four types; anything else is kept as text.
            _ => Column::Utf8(StringBuilder::new()),
        }
    }

    /// Append a value that [`coerce`] produced for this column's type.
    fn append(&mut self, value: &Typed<'_>) {
        match (self, value) {
            (Column::Utf8(b), Typed::Str(s)) => b.append_value(s),
            (Column::Int64(b), Typed::Int(v)) => b.append_value(*v),
            (Column::Float64(b), Typed::Float(v)) => b.append_value(*v),
            (Column::Boolean(b), Typed::Bool(v)) => b.append_value(*v),
            (Column::Utf8(b), _) => b.append_null(),
            (Column::Int64(b), _) => b.append_null(),
            (Column::Float64(b), _) => b.append_null(),
            (Column::Boolean(b), _) => b.append_null(),
        }
    }

    fn finish(&mut self) -> ArrayRef {
        match self {
            Column::Utf8(b) => Arc::new(b.finish()),
            Column::Int64(b) => Arc::new(b.finish()),
            Column::Float64(b) => Arc::new(b.finish()),
            Column::Boolean(b) => Arc::new(b.finish()),
        }
    }
}

/// Decodes records of one landing schema into column builders.
pub struct Decoder<'s> {
    schema: &'s LandingSchema,
    columns: Vec<Column>,
    rows: usize,
}

impl<'s> Decoder<'s> {
    /// A decoder with empty columns.
    #[must_use]
    pub fn new(schema: &'s LandingSchema) -> Self {
        let columns = schema.schema().fields().iter().map(|f| Column::new(f.data_type())).collect();
        Self { schema, columns, rows: 0 }
    }

    /// Rows decoded so far.
    #[must_use]
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Decode one record and append it as a row.
    ///
    /// # Errors
    /// The reason the record cannot be stored (bad UTF-8, bad JSON, not an object, a value that
    /// cannot be coerced); nothing is appended then.
    pub fn decode(&mut self, bytes: &[u8]) -> Result<(), String> {
        let text = std::str::from_utf8(bytes).map_err(|e| format!("invalid UTF-8 at byte {}", e.valid_up_to()))?;
        let mut slots: Vec<Option<&RawValue>> = vec![None; self.columns.len()];
        let mut de = serde_json::Deserializer::from_str(text);
        de.deserialize_map(RecordVisitor { schema: self.schema, slots: &mut slots })
            .map_err(|e| format!("invalid JSON: {e}"))?;
        de.end().map_err(|e| format!("invalid JSON: {e}"))?;

        let fields = self.schema.schema().fields();
        let mut values = Vec::with_capacity(slots.len());
        for (slot, field) in slots.iter().zip(fields.iter()) {
            let value = match slot {
                None => Typed::Null,
                Some(raw) => coerce(raw, field.data_type(), self.schema.nested_as_json)
                    .map_err(|reason| format!("field {}: {reason}", field.name()))?,
            };
            values.push(value);
        }
        for (column, value) in self.columns.iter_mut().zip(&values) {
            column.append(value);
        }
        self.rows += 1;
        Ok(())
    }

    /// The decoded rows as one batch; the decoder is empty afterwards.
    ///
    /// # Errors
    /// Only if the columns do not match the schema, which the decoder's construction rules out.
    pub fn finish(&mut self) -> Result<RecordBatch> {
        let arrays = self.columns.iter_mut().map(Column::finish).collect();
        self.rows = 0;
        Ok(RecordBatch::try_new(self.schema.schema().clone(), arrays)?)
    }
}

/// Fills one slot per schema field with the raw value of the matching key.
struct RecordVisitor<'a, 'de> {
    schema: &'a LandingSchema,
    slots: &'a mut [Option<&'de RawValue>],
}

impl<'de> Visitor<'de> for RecordVisitor<'_, 'de> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(index) = map.next_key_seed(KeyIndex(self.schema))? {
            match index {
                Some(i) => {
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
                None => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }
}

/// Resolves a key to its field position without allocating, escaped or not.
struct KeyIndex<'a>(&'a LandingSchema);

impl<'de> DeserializeSeed<'de> for KeyIndex<'_> {
    type Value = Option<usize>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl Visitor<'_> for KeyIndex<'_> {
    type Value = Option<usize>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a field name")
    }

    fn visit_str<E>(self, key: &str) -> Result<Self::Value, E> {
        Ok(self.0.field_index(key))
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
}
