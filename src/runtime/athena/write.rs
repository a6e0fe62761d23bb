//! Athena's writes: `CREATE TABLE … AS SELECT` (CTAS) and `INSERT INTO`, each the query's rows as
//! new files under the table's location, in the table's format. The catalog entry is the
//! driver's (`glueless.athena`), from the columns and Hive types returned here.

use std::sync::Arc;

use arrow_array::RecordBatch;
use arrow_schema::{Schema, SchemaRef};

use super::session::AthenaSession;
use crate::core::formats::FileFormat;
use crate::core::storage::Location;
use crate::core::types::{type_name, Dialect};
use crate::error::{Error, Result};
use crate::runtime::catalog::read::{self, Engine};
use crate::runtime::catalog::table::CatalogTable;
use crate::runtime::frames::sink::{self, Compression, SinkOptions};

/// What a write added, and the columns of what it wrote (name, Hive type; partition keys last).
#[derive(Debug, Clone)]
pub(crate) struct TableWrite {
    pub(crate) rows: u64,
    pub(crate) files: u64,
    pub(crate) columns: Vec<(String, String)>,
}

fn written(schema: &SchemaRef, added: &sink::Written) -> Result<TableWrite> {
    let columns = schema
        .fields()
        .iter()
        .map(|f| Ok((f.name().clone(), type_name(f.data_type(), Dialect::Hive)?)))
        .collect::<Result<_>>()?;
    Ok(TableWrite { rows: added.rows, files: added.files, columns })
}

impl AthenaSession {
    /// CTAS: the rows of `query` written under `location` (which must hold no files, as Athena
    /// requires) in `format`, `partition_keys` (the query's last columns) as `key=value` folders.
    ///
    /// # Errors
    /// Athena's `HIVE_PATH_ALREADY_EXISTS` for a location with files; a partition key that is not
    /// among the query's last columns; the query's and storage errors.
    pub(crate) fn create_table_as(
        &self,
        name: &str,
        query: &str,
        location: &Location,
        format: FileFormat,
        compression: Option<&str>,
        partition_keys: &[String],
    ) -> Result<TableWrite> {
        if !crate::runtime::frames::source::list(std::slice::from_ref(location), true)?.is_empty() {
            return Err(Error::InvalidArgument(format!(
                "HIVE_PATH_ALREADY_EXISTS: Target directory for table '{name}' already exists: {location}"
            )));
        }
        let output = self.query(query)?;
        let names: Vec<&String> = output.schema.fields().iter().map(|f| f.name()).collect();
        let tail = &names[names.len().saturating_sub(partition_keys.len())..];
        if tail.iter().map(|n| n.as_str()).ne(partition_keys.iter().map(String::as_str)) {
            return Err(Error::InvalidArgument(format!(
                "partition columns ({}) must be the last columns of the query, in that order",
                partition_keys.join(", ")
            )));
        }
        let options = SinkOptions {
            format,
            compression: Compression::parse(compression, format)?,
            partition_keys: partition_keys.to_vec(),
            header: false,
        };
        let added = sink::write(location, &output.schema, &output.batches, &options)?;
        written(&output.schema, &added)
    }

    /// `INSERT INTO table query`: the query's columns, by position, as the table's declared
    /// columns then its partition keys, appended as new files in the table's format.
    ///
    /// # Errors
    /// A query with another number of columns, or a column that does not convert; a table of a
    /// format glueless does not append to (Iceberg, Delta, text with another delimiter than `,`).
    pub(crate) fn insert_into(&self, query: &str, table: &CatalogTable, location: &Location) -> Result<TableWrite> {
        let format = read::appendable_format(table)?;
        let target = read::schema(table, Engine::Athena)?;
        let output = self.query(query)?;
        if output.schema.fields().len() != target.fields().len() {
            return Err(Error::InvalidArgument(format!(
                "Insert query has {} columns but table {}.{} has {}",
                output.schema.fields().len(),
                table.database_name,
                table.name,
                target.fields().len()
            )));
        }
        let batches = output.batches.iter().map(|b| as_table(b, &target)).collect::<Result<Vec<_>>>()?;
        let keys: Vec<String> = table.partition_keys.iter().map(|k| k.name.to_lowercase()).collect();
        let options =
            SinkOptions { format, compression: Compression::parse(None, format)?, partition_keys: keys, header: false };
        let added = sink::write(location, &target, &batches, &options)?;
        written(&target, &added)
    }
}

/// A batch's columns, by position, as `target`'s (names and types); a value that does not convert
/// is an error, as in Athena's INSERT.
fn as_table(batch: &RecordBatch, target: &SchemaRef) -> Result<RecordBatch> {
    let columns = batch
        .columns()
        .iter()
        .zip(target.fields())
        .map(|(column, field)| {
            arrow_cast::cast(column, field.data_type()).map_err(|e| {
                Error::InvalidArgument(format!(
                    "column {} cannot be written as {}: {e}",
                    field.name(),
                    field.data_type()
                ))
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(RecordBatch::try_new(Arc::new(Schema::new(target.fields().clone())), columns)?)
}
