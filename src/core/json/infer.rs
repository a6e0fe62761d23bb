//! Schema inference for landing tables glueless has no declared schema for.
//!
//! Keys are matched ignoring case (the first spelling seen names the column); columns keep the
//! order in which keys first appear. Types widen so that every value can be stored losslessly:
//! integers and floats give float64, any other mix (or an object/array, or an integer too large
//! for int64) gives a string column holding the JSON text; a key only ever null is a string.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use arrow_schema::{DataType, Field, Schema};
use serde::de::{Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;

use super::coerce::JsonKind;
use super::schema::LandingSchema;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Inferred {
    Null,
    Bool,
    Int,
    Float,
    Text,
}

impl Inferred {
    fn of(raw: &str) -> Self {
        match JsonKind::of(raw) {
            JsonKind::Null => Inferred::Null,
            JsonKind::Bool => Inferred::Bool,
            JsonKind::Number if raw.contains(['.', 'e', 'E']) => Inferred::Float,
            JsonKind::Number if raw.parse::<i64>().is_ok() => Inferred::Int,
            // Strings, objects/arrays (kept as JSON text) and integers too large for int64.
            JsonKind::String | JsonKind::Nested | JsonKind::Number => Inferred::Text,
        }
    }

    fn merge(self, other: Self) -> Self {
        match (self, other) {
            (a, b) if a == b => a,
            (Inferred::Null, x) | (x, Inferred::Null) => x,
            (Inferred::Int, Inferred::Float) | (Inferred::Float, Inferred::Int) => Inferred::Float,
            _ => Inferred::Text,
        }
    }

    /// The kind a column of an inferred type holds (a null-only column is never sampled).
    fn of_type(data_type: &DataType) -> Self {
        match data_type {
            DataType::Boolean => Inferred::Bool,
            DataType::Int64 => Inferred::Int,
            DataType::Float64 => Inferred::Float,
            _ => Inferred::Text,
        }
    }

    fn data_type(self) -> DataType {
        match self {
            Inferred::Bool => DataType::Boolean,
            Inferred::Int => DataType::Int64,
            Inferred::Float => DataType::Float64,
            Inferred::Null | Inferred::Text => DataType::Utf8,
        }
    }
}

/// Column names and types seen so far, in first-seen order.
#[derive(Debug, Default, Clone)]
pub(crate) struct SchemaInference {
    columns: Vec<(String, Inferred)>,
    /// Column of each lower-case key.
    index: HashMap<String, usize, ahash::RandomState>,
    /// Column of each spelling seen: keys repeat in every record, so this finds them without
    /// folding case (an allocation per key).
    spelled: HashMap<String, usize, ahash::RandomState>,
    /// What the record being observed adds, applied only when the whole record parses (a record
    /// that is not JSON adds nothing; the decoder quarantines it). Reused from record to record.
    staged: Vec<(usize, Inferred)>,
}

impl SchemaInference {
    /// Account for one record; records that are not JSON objects are skipped (the decoder
    /// quarantines them later).
    pub(crate) fn observe(&mut self, bytes: &[u8]) {
        let Ok(text) = std::str::from_utf8(bytes) else { return };
        let mut staged = std::mem::take(&mut self.staged);
        staged.clear();
        let mut new_keys: Vec<(String, Inferred)> = Vec::new();
        let parsed = {
            let mut deserializer = serde_json::Deserializer::from_str(text);
            let observer =
                Observer { known: &self.spelled, columns: &self.columns, staged: &mut staged, new_keys: &mut new_keys };
            deserializer.deserialize_map(observer).and_then(|()| deserializer.end())
        };
        if parsed.is_ok() {
            for &(i, kind) in &staged {
                let column = &mut self.columns[i].1;
                *column = column.merge(kind);
            }
            for (key, kind) in new_keys {
                self.add(&key, kind);
            }
        }
        self.staged = staged;
    }

    /// Account for one field's raw JSON value (a key the schema does not have yet).
    pub(crate) fn observe_field(&mut self, key: &str, raw: &str) {
        self.add(key, Inferred::of(raw));
    }

    /// Whether nothing was observed.
    #[must_use]
    pub(crate) fn is_empty(&self) -> bool {
        self.columns.is_empty()
    }

    /// The inferred fields, in first-seen order.
    #[must_use]
    pub(crate) fn fields(&self) -> Vec<Field> {
        self.columns.iter().map(|(name, kind)| Field::new(name, kind.data_type(), true)).collect()
    }

    fn add(&mut self, key: &str, kind: Inferred) {
        let i = if let Some(&i) = self.spelled.get(key) {
            i
        } else {
            let lower = key.to_ascii_lowercase();
            let i = if let Some(&i) = self.index.get(&lower) {
                i
            } else {
                self.index.insert(lower, self.columns.len());
                self.columns.push((key.to_string(), Inferred::Null));
                self.columns.len() - 1
            };
            self.spelled.insert(key.to_string(), i);
            i
        };
        let column = &mut self.columns[i].1;
        *column = column.merge(kind);
    }

    /// Fold in what another part of the input saw (parts are merged in input order).
    pub(crate) fn merge(&mut self, other: SchemaInference) {
        for (name, kind) in other.columns {
            self.add(&name, kind);
        }
    }

    /// The inferred landing schema.
    #[must_use]
    pub(crate) fn finish(self) -> LandingSchema {
        LandingSchema::new(Arc::new(Schema::new(self.fields())), true)
    }

    /// The schema these records (a sample of the input) give, to be verified by decoding the
    /// whole input with it; `None` when the sample saw no key, or a key only ever null (whose
    /// string type says nothing about the values to come).
    #[must_use]
    pub(crate) fn finish_sampled(self) -> Option<LandingSchema> {
        if self.columns.is_empty() || self.columns.iter().any(|(_, kind)| *kind == Inferred::Null) {
            return None;
        }
        Some(LandingSchema::sampled(Arc::new(Schema::new(self.fields()))))
    }
}

/// Whether `raw`, the text of a JSON value, leaves a column inferred as `data_type` as it is:
/// inference over every record would have given that column a wider type otherwise.
#[must_use]
pub(crate) fn fits_inferred(raw: &str, data_type: &DataType) -> bool {
    let column = Inferred::of_type(data_type);
    column.merge(Inferred::of(raw)) == column
}

/// What records brought that their schema has no place for: keys it lacks (`added`) and values
/// that do not fit an evolved field's type (`widened`). Only accepted records count.
#[derive(Debug, Default, Clone)]
pub struct Unseen {
    pub(crate) added: SchemaInference,
    pub(crate) widened: SchemaInference,
}

impl Unseen {
    /// Whether every record fitted its schema.
    #[must_use]
    pub(crate) fn is_empty(&self) -> bool {
        self.added.is_empty() && self.widened.is_empty()
    }

    /// Fold in another part of the input (parts are merged in input order).
    pub(crate) fn merge(&mut self, other: Unseen) {
        self.added.merge(other.added);
        self.widened.merge(other.widened);
    }
}

/// The narrowest of the inferred types that holds every value of both `a` and `b`: the same
/// type, float64 for int64 with float64, else string (values kept as their JSON text).
#[must_use]
pub(crate) fn widen(a: &DataType, b: &DataType) -> DataType {
    match (a, b) {
        (a, b) if a == b => a.clone(),
        (DataType::Int64, DataType::Float64) | (DataType::Float64, DataType::Int64) => DataType::Float64,
        _ => DataType::Utf8,
    }
}

/// Reads one JSON object's entries, staging each field's kind under its known column (a key
/// not seen before is staged by name).
struct Observer<'a> {
    known: &'a HashMap<String, usize, ahash::RandomState>,
    columns: &'a [(String, Inferred)],
    staged: &'a mut Vec<(usize, Inferred)>,
    new_keys: &'a mut Vec<(String, Inferred)>,
}

impl<'de> Visitor<'de> for Observer<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<Cow<'de, str>>()? {
            let raw: &'de RawValue = map.next_value()?;
            match self.known.get(key.as_ref()) {
                // A string column stays a string column: no need to classify the value.
                Some(&i) if self.columns[i].1 == Inferred::Text => {}
                Some(&i) => self.staged.push((i, Inferred::of(raw.get()))),
                None => self.new_keys.push((key.into_owned(), Inferred::of(raw.get()))),
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widens_types_and_keeps_first_spelling_and_order() {
        let mut inference = SchemaInference::default();
        inference.observe(br#"{"id": 1, "Score": 2, "tags": null, "ok": true}"#);
        inference.observe(br#"{"score": 2.5, "id": "x", "tags": [1], "ok": false, "new": 1}"#);
        inference.observe(b"not json");
        let schema = inference.finish();
        let got: Vec<_> = schema.schema().fields().iter().map(|f| (f.name().clone(), f.data_type().clone())).collect();
        assert_eq!(
            got,
            [
                ("id".into(), DataType::Utf8),
                ("Score".into(), DataType::Float64),
                ("tags".into(), DataType::Utf8),
                ("ok".into(), DataType::Boolean),
                ("new".into(), DataType::Int64),
            ]
        );
        assert!(schema.nested_as_json);
    }
}
