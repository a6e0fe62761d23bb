//! How a session runs Spark's commands ([`Command`]): temporary views and tables kept in the
//! session (as a `SparkSession` without Hive support keeps them), settings, `INSERT`.
//!
//! A command runs when `spark.sql` is called, as in Spark, and answers with Spark's result: no
//! columns for DDL and `INSERT`, `key`/`value` rows for `SET`.

use std::sync::{Arc, PoisonError};

use arrow_array::{ArrayRef, RecordBatch, StringArray};
use arrow_schema::{Field, Schema, SchemaRef};
use datafusion::logical_expr::Expr;
use datafusion::prelude::DataFrame;

use super::commands::Command;
use super::session::{exact, run, sql_error, SqlSession};
use crate::core::types::parse_type;
use crate::error::{Error, Result};

/// A table kept in the session: `CREATE TABLE … USING …` without a location.
#[derive(Debug, Clone)]
pub(crate) struct SessionTable {
    schema: SchemaRef,
    batches: Vec<RecordBatch>,
}

/// Settings whose effect glueless applies; others are kept and shown by `SET` only.
pub(crate) const SESSION_TIME_ZONE: &str = "spark.sql.session.timeZone";

impl SqlSession {
    /// Run a command and give its result.
    pub(crate) fn execute(&self, command: Command) -> Result<DataFrame> {
        match command {
            Command::CreateView { name, columns, replace, if_not_exists, query } => {
                self.create_view(&name, &columns, replace, if_not_exists, &query)
            }
            Command::Drop { name, if_exists } => {
                self.tables().remove(&name.to_lowercase());
                if !self.drop_view(&name)? && !if_exists {
                    return Err(Error::Sql(format!(
                        "[TABLE_OR_VIEW_NOT_FOUND] The table or view `{name}` cannot be found."
                    )));
                }
                self.no_rows()
            }
            Command::Set { key: Some(key), value: Some(value) } => {
                self.set_conf(&key, &value)?;
                self.key_values(vec![(key, value)])
            }
            Command::Set { key: Some(key), value: None } => {
                let value = self.conf(&key).unwrap_or_else(|| "<undefined>".to_string());
                self.key_values(vec![(key, value)])
            }
            Command::Set { key: None, .. } => {
                let all = self.settings().iter().map(|(k, v)| (k.clone(), v.clone())).collect();
                self.key_values(all)
            }
            Command::Reset { key } => {
                if key.as_deref().is_none_or(|k| k == SESSION_TIME_ZONE) {
                    let state = self.context().state_ref();
                    state.write().config_mut().options_mut().execution.time_zone =
                        Some(super::session::default_time_zone());
                }
                match key {
                    Some(key) => {
                        self.settings().remove(&key);
                    }
                    None => self.settings().clear(),
                }
                self.no_rows()
            }
            Command::CreateTable { name, columns, if_not_exists, location, query } => {
                self.create_table(&name, &columns, if_not_exists, location.as_deref(), query.as_deref())
            }
            Command::Insert { table, overwrite, query } => self.insert(&table, overwrite, &query),
            Command::Cache { name: Some(name), query: Some(query) } => {
                let frame = self.sql(&query)?;
                self.register_view(&name, &frame)?;
                self.no_rows()
            }
            Command::Cache { .. } => self.no_rows(),
            Command::ShowTables { database, pattern } => self.show_tables(database.as_deref(), pattern.as_deref()),
        }
    }

    /// `SHOW TABLES`: the session's tables (in `default`; `global_temp`'s views for `IN
    /// global_temp`), then its temporary views (in no database), each sorted by name. A pattern is
    /// Spark's: `*` any text, `|` between alternatives, case-insensitive.
    fn show_tables(&self, database: Option<&str>, pattern: Option<&str>) -> Result<DataFrame> {
        let database = database.unwrap_or("default").to_lowercase();
        let global = database == "global_temp";
        let tables = self.table_names();
        let matches = |name: &str| pattern.is_none_or(|p| like_pattern(p, name));
        let mut rows: Vec<(String, String, bool)> = Vec::new();
        if !global {
            rows.extend(tables.iter().filter(|t| matches(t)).map(|t| (database.clone(), t.clone(), false)));
        }
        // Temporary views: the global ones under global_temp, the session's under no database.
        let views = self.view_names().into_iter().filter(|v| !v.starts_with("__glueless") && !tables.contains(v));
        let mut local = Vec::new();
        for view in views {
            match view.strip_prefix("global_temp.") {
                Some(name) if global && matches(name) => rows.push((database.clone(), name.to_string(), true)),
                None if !view.contains('.') && matches(&view) => local.push((String::new(), view, true)),
                _ => {}
            }
        }
        rows.extend(local);
        let schema = Arc::new(Schema::new(vec![
            Field::new("namespace", arrow_schema::DataType::Utf8, false),
            Field::new("tableName", arrow_schema::DataType::Utf8, false),
            Field::new("isTemporary", arrow_schema::DataType::Boolean, false),
        ]));
        let columns: Vec<ArrayRef> = vec![
            Arc::new(StringArray::from(rows.iter().map(|r| r.0.clone()).collect::<Vec<_>>())),
            Arc::new(StringArray::from(rows.iter().map(|r| r.1.clone()).collect::<Vec<_>>())),
            Arc::new(arrow_array::BooleanArray::from(rows.iter().map(|r| r.2).collect::<Vec<_>>())),
        ];
        let batch = RecordBatch::try_new(schema.clone(), columns)?;
        self.frame_of(schema, vec![batch])
    }

    fn create_view(
        &self,
        name: &str,
        columns: &[String],
        replace: bool,
        if_not_exists: bool,
        query: &str,
    ) -> Result<DataFrame> {
        if self.has_view(name) && !replace {
            if if_not_exists {
                return self.no_rows();
            }
            return Err(Error::Sql(format!(
                "[TEMP_TABLE_OR_VIEW_ALREADY_EXISTS] Cannot create the temporary view `{name}` because it already exists."
            )));
        }
        let frame = self.sql(query)?;
        let frame = if columns.is_empty() { frame } else { renamed(frame, columns)? };
        self.register_view(name, &frame)?;
        self.no_rows()
    }

    fn create_table(
        &self,
        name: &str,
        columns: &[(String, String)],
        if_not_exists: bool,
        location: Option<&str>,
        query: Option<&str>,
    ) -> Result<DataFrame> {
        if location.is_some() {
            return Err(Error::Unsupported(
                "CREATE TABLE … LOCATION in spark.sql; not supported by glueless: write the frame with df.write or use a catalog table".into(),
            ));
        }
        if self.has_view(name) {
            if if_not_exists {
                return self.no_rows();
            }
            return Err(Error::Sql(format!(
                "[TABLE_OR_VIEW_ALREADY_EXISTS] Cannot create table or view `{name}` because it already exists."
            )));
        }
        let table = if let Some(query) = query {
            let (schema, batches) = collect(self.sql(query)?)?;
            SessionTable { schema, batches }
        } else {
            let fields: Vec<Field> = columns
                .iter()
                .map(|(column, type_name)| Ok(Field::new(column, parse_type(type_name)?, true)))
                .collect::<Result<_>>()?;
            SessionTable { schema: Arc::new(Schema::new(fields)), batches: Vec::new() }
        };
        self.store_table(name, table)?;
        self.no_rows()
    }

    fn insert(&self, table: &str, overwrite: bool, query: &str) -> Result<DataFrame> {
        let Some(mut stored) = self.tables().get(&table.to_lowercase()).cloned() else {
            return Err(Error::Sql(format!(
                "[TABLE_OR_VIEW_NOT_FOUND] The table `{table}` cannot be found (INSERT writes tables this session created)."
            )));
        };
        let frame = self.sql(query)?;
        let width = frame.schema().fields().len();
        if width != stored.schema.fields().len() {
            return Err(Error::Sql(format!(
                "[INSERT_COLUMN_ARITY_MISMATCH] Cannot write to `{table}`: the table has {} columns, the data has {width}.",
                stored.schema.fields().len()
            )));
        }
        // By position, cast to the table's types (Spark's store assignment).
        let projection: Vec<Expr> = frame
            .schema()
            .fields()
            .iter()
            .zip(stored.schema.fields())
            .map(|(from, to)| {
                datafusion::logical_expr::cast(exact(from.name()), to.data_type().clone()).alias(to.name())
            })
            .collect();
        let (_, batches) = collect(frame.select(projection).map_err(sql_error)?)?;
        let batches: Vec<RecordBatch> = batches
            .into_iter()
            .map(|b| RecordBatch::try_new(stored.schema.clone(), b.columns().to_vec()))
            .collect::<std::result::Result<_, _>>()?;
        if overwrite {
            stored.batches = batches;
        } else {
            stored.batches.extend(batches);
        }
        self.store_table(table, stored)?;
        self.no_rows()
    }

    fn store_table(&self, name: &str, table: SessionTable) -> Result<()> {
        let frame = self.frame_of(table.schema.clone(), table.batches.clone())?;
        self.register_view(name, &frame)?;
        self.tables().insert(name.to_lowercase(), table);
        Ok(())
    }

    fn tables(&self) -> std::sync::MutexGuard<'_, std::collections::HashMap<String, SessionTable>> {
        self.tables.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn settings(&self) -> std::sync::MutexGuard<'_, std::collections::BTreeMap<String, String>> {
        self.settings.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The tables `CREATE TABLE` made in this session, sorted.
    #[must_use]
    pub(crate) fn table_names(&self) -> Vec<String> {
        let mut names: Vec<String> = self.tables().keys().cloned().collect();
        names.sort();
        names
    }

    /// A setting's value, if set.
    #[must_use]
    pub(crate) fn conf(&self, key: &str) -> Option<String> {
        self.settings().get(key).cloned()
    }

    /// `spark.conf.set` / `SET key=value`: the session's time zone changes how instants are
    /// read and shown; every other key is kept for `SET` and `spark.conf.get`.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] for a time zone no one knows.
    pub(crate) fn set_conf(&self, key: &str, value: &str) -> Result<()> {
        // Settings that would change answers in ways glueless does not follow: refused, never
        // silently kept.
        let refused = match (key, value.to_ascii_lowercase().as_str()) {
            ("spark.sql.ansi.enabled", "true") => {
                Some("ANSI mode (glueless runs Spark SQL with ANSI off, Glue 4/5's default)")
            }
            ("spark.sql.caseSensitive", "true") => Some("case-sensitive identifiers"),
            _ => None,
        };
        if let Some(what) = refused {
            return Err(Error::Unsupported(format!("SET {key}={value}: {what}; not supported by glueless")));
        }
        if key == SESSION_TIME_ZONE {
            if value.parse::<chrono_tz::Tz>().is_err() && !value.starts_with(['+', '-']) {
                return Err(Error::InvalidArgument(format!("{SESSION_TIME_ZONE}: unknown time zone {value:?}")));
            }
            let state = self.context().state_ref();
            state.write().config_mut().options_mut().execution.time_zone = Some(value.to_string());
        }
        self.settings().insert(key.to_string(), value.to_string());
        Ok(())
    }

    fn no_rows(&self) -> Result<DataFrame> {
        self.frame_of(Arc::new(Schema::empty()), Vec::new())
    }

    fn key_values(&self, pairs: Vec<(String, String)>) -> Result<DataFrame> {
        let schema = Arc::new(Schema::new(vec![
            Field::new("key", arrow_schema::DataType::Utf8, false),
            Field::new("value", arrow_schema::DataType::Utf8, false),
        ]));
        let (keys, values): (Vec<String>, Vec<String>) = pairs.into_iter().unzip();
        let columns: Vec<ArrayRef> = vec![Arc::new(StringArray::from(keys)), Arc::new(StringArray::from(values))];
        let batch = RecordBatch::try_new(schema.clone(), columns)?;
        self.frame_of(schema, vec![batch])
    }
}

/// Spark's `SHOW TABLES` pattern: alternatives split by `|`, `*` any text, case ignored.
fn like_pattern(pattern: &str, name: &str) -> bool {
    pattern.split('|').any(|alternative| {
        let regex = format!("(?i)^{}$", regex::escape(alternative.trim()).replace("\\*", ".*"));
        regex::Regex::new(&regex).is_ok_and(|r| r.is_match(name))
    })
}

/// The frame with its columns renamed by position (`CREATE VIEW v(a, b) AS …`).
fn renamed(frame: DataFrame, columns: &[String]) -> Result<DataFrame> {
    let fields = frame.schema().fields().len();
    if fields != columns.len() {
        return Err(Error::Sql(format!(
            "[CREATE_VIEW_COLUMN_ARITY_MISMATCH] The view names {} columns; its query gives {fields}.",
            columns.len()
        )));
    }
    let projection: Vec<Expr> = frame
        .schema()
        .iter()
        .zip(columns)
        .map(|((qualifier, field), name)| {
            Expr::Column(datafusion::common::Column::new(qualifier.cloned(), field.name())).alias(name)
        })
        .collect();
    frame.select(projection).map_err(sql_error)
}

fn collect(frame: DataFrame) -> Result<(SchemaRef, Vec<RecordBatch>)> {
    let schema: SchemaRef = Arc::new(frame.schema().as_arrow().clone());
    let batches = run(frame.collect()).map_err(sql_error)?;
    Ok((schema, batches))
}
