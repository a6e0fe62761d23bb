//! Declared schemas of the STEDI landing tables, and the schema type the decoder works with.

use std::sync::Arc;

use arrow_schema::{DataType, Field, Schema, SchemaRef};

/// A landing table's target schema, with the lower-cased names used for case-insensitive field
/// matching (Glue and Athena match JSON keys case-insensitively: `timeStamp` = `timestamp`).
#[derive(Debug, Clone)]
pub struct LandingSchema {
    schema: SchemaRef,
    lower_names: Vec<String>,
    /// Whether an object or array value may be stored as its JSON text in a string column
    /// (inferred schemas); declared schemas quarantine such records instead.
    pub(crate) nested_as_json: bool,
    /// Per field: added by schema evolution (typed by inference), not declared. A value that does
    /// not fit such a field widens its type instead of quarantining the record.
    evolved: Vec<bool>,
    /// Inferred from a sample of the records: a value whose JSON kind would have widened its
    /// field's inferred type does not fit, even where it could be coerced (see
    /// [`super::infer::fits_inferred`]), so decoding tells whether the sample saw enough.
    sampled: bool,
}

impl LandingSchema {
    /// A landing schema over `schema`; its fields must have distinct case-insensitive names.
    #[must_use]
    pub(crate) fn new(schema: SchemaRef, nested_as_json: bool) -> Self {
        let lower_names = schema.fields().iter().map(|f| f.name().to_ascii_lowercase()).collect();
        let evolved = vec![nested_as_json; schema.fields().len()];
        Self { schema, lower_names, nested_as_json, evolved, sampled: false }
    }

    /// An inferred schema (every field evolved, nested values kept as JSON text) from a sample
    /// of the records; see [`Self::is_sampled`].
    #[must_use]
    pub(crate) fn sampled(schema: SchemaRef) -> Self {
        Self { sampled: true, ..Self::new(schema, true) }
    }

    /// Whether the schema was inferred from a sample: the decoder then reports every value the
    /// sample's types do not cover as not fitting.
    #[must_use]
    pub(crate) fn is_sampled(&self) -> bool {
        self.sampled
    }

    /// A declared schema whose fields from position `declared` on were added by schema evolution.
    #[must_use]
    pub(crate) fn with_evolved(schema: SchemaRef, declared: usize) -> Self {
        let mut out = Self::new(schema, false);
        for (i, evolved) in out.evolved.iter_mut().enumerate() {
            *evolved = i >= declared;
        }
        out
    }

    /// Whether field `i` was added by schema evolution (or inferred).
    #[must_use]
    pub(crate) fn is_evolved(&self, i: usize) -> bool {
        self.evolved.get(i).copied().unwrap_or(false)
    }

    /// The Arrow schema of the decoded table.
    #[must_use]
    pub(crate) fn schema(&self) -> &SchemaRef {
        &self.schema
    }

    /// The position of the field named `key`, ignoring ASCII case.
    #[must_use]
    pub(crate) fn field_index(&self, key: &str) -> Option<usize> {
        self.lower_names.iter().position(|name| name.eq_ignore_ascii_case(key))
    }

    /// As [`Self::field_index`], trying position `guess` first.
    #[must_use]
    pub(crate) fn field_index_from(&self, key: &str, guess: usize) -> Option<usize> {
        // Records mostly spell keys as declared and list them in order: one short compare.
        if let Some(field) = self.schema.fields().get(guess) {
            if field.name() == key || self.lower_names[guess].eq_ignore_ascii_case(key) {
                return Some(guess);
            }
        }
        self.field_index(key)
    }

    /// The declared schema of a STEDI landing table, or `None` for a table glueless does not know.
    #[must_use]
    pub fn known(table: &str) -> Option<Self> {
        let fields = match table {
            "customer" => customer_fields(),
            "accelerometer" => vec![
                Field::new("user", DataType::Utf8, true),
                Field::new("timestamp", DataType::Int64, true),
                Field::new("x", DataType::Float64, true),
                Field::new("y", DataType::Float64, true),
                Field::new("z", DataType::Float64, true),
            ],
            "step_trainer" => vec![
                Field::new("sensorReadingTime", DataType::Int64, true),
                Field::new("serialNumber", DataType::Utf8, true),
                Field::new("distanceFromObject", DataType::Int64, true),
            ],
            _ => return None,
        };
        Some(Self::new(Arc::new(Schema::new(fields)), false))
    }
}

/// The names of the tables with declared schemas.
pub(crate) const KNOWN_TABLES: [&str; 3] = ["customer", "accelerometer", "step_trainer"];

fn customer_fields() -> Vec<Field> {
    let text = ["customerName", "email", "phone", "birthDay", "serialNumber"];
    // Epoch milliseconds; the share* dates are absent for customers who never consented.
    let epoch_ms = [
        "registrationDate",
        "lastUpdateDate",
        "shareWithResearchAsOfDate",
        "shareWithPublicAsOfDate",
        "shareWithFriendsAsOfDate",
    ];
    text.iter()
        .map(|name| Field::new(*name, DataType::Utf8, true))
        .chain(epoch_ms.iter().map(|name| Field::new(*name, DataType::Int64, true)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_lookup_ignores_case() {
        let accel = LandingSchema::known("accelerometer").unwrap();
        assert_eq!(accel.field_index("timeStamp"), Some(1));
        assert_eq!(accel.field_index("TIMESTAMP"), Some(1));
        assert_eq!(accel.field_index("nope"), None);
        assert_eq!(LandingSchema::known("customer").unwrap().schema().fields().len(), 10);
        assert!(LandingSchema::known("reviews").is_none());
    }
}
