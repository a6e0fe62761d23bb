//! Projection: choosing columns, and dropping personal data before a table leaves the trusted zone.

use std::sync::Arc;

use arrow_array::RecordBatch;
use arrow_schema::{Schema, SchemaRef};

use crate::error::{Error, Result};

/// Column names that identify a person in the STEDI tables (compared ignoring case).
pub const PII_COLUMNS: [&str; 5] = ["customerName", "email", "phone", "birthDay", "user"];

/// Whether `name` is a personal-data column.
#[must_use]
pub fn is_pii(name: &str) -> bool {
    PII_COLUMNS.iter().any(|p| p.eq_ignore_ascii_case(name))
}

/// The schema of `columns` of `schema`, in that order.
///
/// # Errors
/// [`Error::InvalidArgument`] naming a missing column.
pub fn select_schema(schema: &SchemaRef, columns: &[&str]) -> Result<SchemaRef> {
    let indices = indices(schema, columns)?;
    Ok(Arc::new(schema.project(&indices)?))
}

/// The columns `columns` of `batch`, in that order.
///
/// # Errors
/// [`Error::InvalidArgument`] naming a missing column.
pub fn select(batch: &RecordBatch, columns: &[&str]) -> Result<RecordBatch> {
    Ok(batch.project(&indices(batch.schema_ref(), columns)?)?)
}

/// `batch` without its personal-data columns.
///
/// # Errors
/// Never in practice: the kept columns come from the batch itself.
pub fn drop_pii(batch: &RecordBatch) -> Result<RecordBatch> {
    let keep: Vec<usize> =
        batch.schema_ref().fields().iter().enumerate().filter(|(_, f)| !is_pii(f.name())).map(|(i, _)| i).collect();
    Ok(batch.project(&keep)?)
}

/// `schema` without its personal-data columns.
#[must_use]
pub fn drop_pii_schema(schema: &Schema) -> Schema {
    Schema::new(schema.fields().iter().filter(|f| !is_pii(f.name())).cloned().collect::<Vec<_>>())
}

fn indices(schema: &SchemaRef, columns: &[&str]) -> Result<Vec<usize>> {
    columns
        .iter()
        .map(|c| schema.index_of(c).map_err(|_| Error::InvalidArgument(format!("column {c} is not in the table"))))
        .collect()
}
