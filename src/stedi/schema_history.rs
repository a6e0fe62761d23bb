//! The catalog's schema versions of a landing table, as Glue's "update the table schema" keeps
//! them: version 1 is the declared schema; a landing file that brings a new key adds a column
//! (typed by inference), and a value that does not fit an added column widens that column's type.
//! Declared columns never change type: a value that cannot be coerced losslessly sends its record
//! to the quarantine, as before.
//!
//! Stored at `ROOT/_glueless/catalog/<table>.json`, replaced with a conditional put so that two
//! writers cannot lose each other's version.

use std::sync::Arc;

use arrow_schema::{DataType, Field, Schema};
use bytes::Bytes;
use serde::{Deserialize, Serialize};

use super::Lake;
use crate::core::json::infer::widen;
use crate::core::json::{ColumnType, LandingSchema, Unseen};
use crate::core::storage::{objects, Location};
use crate::error::{Error, Result};

/// One column of a schema version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Column {
    pub(crate) name: String,
    #[serde(rename = "type")]
    pub(crate) kind: ColumnType,
    /// Declared by glueless (true) or added by evolution.
    pub(crate) declared: bool,
}

/// One version of a table's schema.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct SchemaVersion {
    pub(crate) version: u32,
    /// Milliseconds since the epoch.
    pub(crate) created_ms: i64,
    /// What changed, in words (which column, from which file).
    pub(crate) change: String,
    pub(crate) columns: Vec<Column>,
}

/// All schema versions of one landing table.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct SchemaHistory {
    pub(crate) table: String,
    pub(crate) versions: Vec<SchemaVersion>,
    /// The stored file's version when loaded (the save is conditional on it).
    #[serde(skip)]
    stored: Option<object_store::UpdateVersion>,
    #[serde(skip)]
    location: Option<Location>,
}

impl SchemaHistory {
    /// Where the history of `table` lives in `lake`.
    #[must_use]
    pub(crate) fn location(lake: &Lake, table: &str) -> Location {
        lake.root().join("_glueless").join("catalog").join(&format!("{table}.json"))
    }

    /// The history of the STEDI landing table `table`: the stored one, or version 1 (declared).
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] for a table without a declared schema; [`Error::Storage`] for a
    /// history that cannot be parsed; storage errors.
    pub(crate) fn load(lake: &Lake, table: &str) -> Result<Self> {
        let declared = LandingSchema::known(table)
            .ok_or_else(|| Error::InvalidArgument(format!("{table} is not a STEDI landing table")))?;
        let location = Self::location(lake, table);
        let Some(entry) = objects::file_info(&location)? else {
            let columns = columns_of(declared.schema(), declared.schema().fields().len())?;
            let first = SchemaVersion { version: 1, created_ms: 0, change: "declared schema".into(), columns };
            return Ok(Self { table: table.into(), versions: vec![first], stored: None, location: Some(location) });
        };
        let stored = objects::version_of(&location)?;
        let content = objects::read(&entry)?;
        let mut history: Self = serde_json::from_slice(&content).map_err(|e| Error::Storage {
            op: "reading",
            url: location.to_string(),
            reason: format!("not a glueless schema history ({e})"),
        })?;
        if history.versions.is_empty() || history.table != table {
            return Err(Error::Storage {
                op: "reading",
                url: location.to_string(),
                reason: format!("not the schema history of {table}"),
            });
        }
        history.stored = stored;
        history.location = Some(location);
        Ok(history)
    }

    /// The current version.
    #[must_use]
    pub(crate) fn current(&self) -> &SchemaVersion {
        self.versions.last().expect("a history has at least its first version")
    }

    /// The current schema, for decoding: declared columns strict, evolved ones widening.
    #[must_use]
    pub(crate) fn landing_schema(&self) -> LandingSchema {
        let columns = &self.current().columns;
        let fields: Vec<Field> = columns.iter().map(|c| Field::new(&c.name, c.kind.arrow(), true)).collect();
        let declared = columns.iter().take_while(|c| c.declared).count();
        LandingSchema::with_evolved(Arc::new(Schema::new(fields)), declared)
    }

    /// Add a version for what `unseen` found (new columns; evolved columns widened). Returns
    /// the change in words, or `None` when nothing changed.
    ///
    /// # Errors
    /// [`Error::Unsupported`] only for types inference does not produce.
    pub(crate) fn evolve(&mut self, unseen: &Unseen, files: &str) -> Result<Option<String>> {
        let mut columns = self.current().columns.clone();
        let mut changes = Vec::new();
        for field in unseen.widened.fields() {
            let Some(column) = columns.iter_mut().find(|c| !c.declared && c.name.eq_ignore_ascii_case(field.name()))
            else {
                continue;
            };
            // The value did not fit the current type, so a type that "already holds it" (a float
            // column and an integer beyond 2^53) is not enough: such values become text.
            let current = column.kind.arrow();
            let mut wider = widen(&current, field.data_type());
            if wider == current {
                wider = DataType::Utf8;
            }
            let wider = ColumnType::of(&wider)?;
            if wider != column.kind {
                changes.push(format!("{} {} → {wider}", column.name, column.kind));
                column.kind = wider;
            }
        }
        for field in unseen.added.fields() {
            if columns.iter().any(|c| c.name.eq_ignore_ascii_case(field.name())) {
                continue;
            }
            let column_type = ColumnType::of(field.data_type())?;
            changes.push(format!("added {} {column_type}", field.name()));
            columns.push(Column { name: field.name().clone(), kind: column_type, declared: false });
        }
        if changes.is_empty() {
            return Ok(None);
        }
        let change = format!("{} (landing files {files})", changes.join(", "));
        let created_ms = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
        let version = self.current().version + 1;
        self.versions.push(SchemaVersion { version, created_ms, change: change.clone(), columns });
        Ok(Some(change))
    }

    /// Store the history, unless another run stored a different one since it was loaded (on S3;
    /// on a local lake the job's lock keeps other writers out).
    ///
    /// # Errors
    /// [`Error::Conflict`] when another run changed it; storage errors.
    pub(crate) fn save(&mut self) -> Result<()> {
        let location = self.location.clone().expect("a loaded history knows its location");
        let content = Bytes::from(serde_json::to_vec_pretty(&self).expect("a history serialises"));
        let stored = self.stored.take();
        let saved = match (&location, stored) {
            (Location::Local(_), Some(_)) => objects::put(&location, content),
            (_, stored) => objects::put_if(&location, content, stored),
        };
        saved.map_err(|e| match e {
            Error::Conflict(_) => {
                Error::Conflict(format!("{location}: another run changed the schema of {} meanwhile", self.table))
            }
            other => other,
        })?;
        self.stored = objects::version_of(&location)?;
        Ok(())
    }
}

fn columns_of(schema: &Schema, declared: usize) -> Result<Vec<Column>> {
    schema
        .fields()
        .iter()
        .enumerate()
        .map(|(i, f)| {
            Ok(Column { name: f.name().clone(), kind: ColumnType::of(f.data_type())?, declared: i < declared })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::json::infer::SchemaInference;

    fn unseen(added: &[(&str, &str)], widened: &[(&str, &str)]) -> Unseen {
        let mut out = Unseen { added: SchemaInference::default(), widened: SchemaInference::default() };
        for (k, v) in added {
            out.added.observe_field(k, v);
        }
        for (k, v) in widened {
            out.widened.observe_field(k, v);
        }
        out
    }

    #[test]
    fn new_keys_add_columns_and_misfits_widen_only_evolved_ones() {
        let dir = crate::testing::tempdir();
        let lake = Lake::open(dir.path().to_str().unwrap()).unwrap();
        let mut history = SchemaHistory::load(&lake, "step_trainer").unwrap();
        assert_eq!(history.current().version, 1);
        assert_eq!(history.evolve(&Unseen::default(), "a.json").unwrap(), None);

        let change = history.evolve(&unseen(&[("battery", "97"), ("SerialNumber", "\"x\"")], &[]), "a.json").unwrap();
        assert_eq!(change.as_deref(), Some("added battery bigint (landing files a.json)"));
        history.save().unwrap();
        assert!(SchemaHistory::load(&lake, "step_trainer").unwrap().save().is_ok());

        let mut again = SchemaHistory::load(&lake, "step_trainer").unwrap();
        assert_eq!(again.current().version, 2);
        let schema = again.landing_schema();
        assert!(!schema.is_evolved(2) && schema.is_evolved(3));
        // A declared column never widens; an evolved one does.
        let change = again.evolve(&unseen(&[], &[("serialNumber", "1"), ("battery", "\"low\"")]), "b.json").unwrap();
        assert_eq!(change.as_deref(), Some("battery bigint → string (landing files b.json)"));
        again.save().unwrap();
        let last = SchemaHistory::load(&lake, "step_trainer").unwrap();
        assert_eq!(last.versions.len(), 3);
        assert_eq!(last.current().columns[1].kind, ColumnType::String);
    }
}
