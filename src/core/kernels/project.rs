//! Projection: choosing columns, or dropping some (personal data, before a table leaves the
//! trusted zone; which columns those are is the job's knowledge, not the kernel's).

use std::sync::Arc;

use arrow_array::RecordBatch;
use arrow_schema::{Schema, SchemaRef};

use crate::error::{Error, Result};

/// The schema of `columns` of `schema`, in that order.
///
/// # Errors
/// [`Error::InvalidArgument`] naming a missing column.
pub(crate) fn select_schema(schema: &SchemaRef, columns: &[&str]) -> Result<SchemaRef> {
    let indices = indices(schema, columns)?;
    Ok(Arc::new(schema.project(&indices)?))
}

/// The columns `columns` of `batch`, in that order.
///
/// # Errors
/// [`Error::InvalidArgument`] naming a missing column.
pub(crate) fn select(batch: &RecordBatch, columns: &[&str]) -> Result<RecordBatch> {
    Ok(batch.project(&indices(batch.schema_ref(), columns)?)?)
}

/// `batch` without the columns `drop` names (compared ignoring case).
///
/// # Errors
/// Never in practice: the kept columns come from the batch itself.
pub(crate) fn drop_columns(batch: &RecordBatch, drop: &[&str]) -> Result<RecordBatch> {
    let keep: Vec<usize> = batch
        .schema_ref()
        .fields()
        .iter()
        .enumerate()
        .filter(|(_, f)| !named(drop, f.name()))
        .map(|(i, _)| i)
        .collect();
    Ok(batch.project(&keep)?)
}

/// `schema` without the columns `drop` names (compared ignoring case).
#[must_use]
pub(crate) fn drop_columns_schema(schema: &Schema, drop: &[&str]) -> Schema {
    Schema::new(schema.fields().iter().filter(|f| !named(drop, f.name())).cloned().collect::<Vec<_>>())
}

fn named(names: &[&str], name: &str) -> bool {
    names.iter().any(|n| n.eq_ignore_ascii_case(name))
}

/// `batch` with the columns of `schema`, matched by name: a column the batch lacks is all null,
/// one of another type is cast (a value the cast cannot carry is an error, never a null).
///
/// # Errors
/// [`Error::InvalidArgument`] naming a column whose values cannot be cast; Arrow errors.
pub(crate) fn conform(batch: &RecordBatch, schema: &SchemaRef) -> Result<RecordBatch> {
    let columns = schema
        .fields()
        .iter()
        .map(|field| match batch.schema_ref().index_of(field.name()) {
            Err(_) => Ok(arrow_array::new_null_array(field.data_type(), batch.num_rows())),
            Ok(i) if batch.column(i).data_type() == field.data_type() => Ok(batch.column(i).clone()),
            Ok(i) => {
                let options = arrow_cast::CastOptions { safe: false, ..arrow_cast::CastOptions::default() };
                arrow_cast::cast_with_options(batch.column(i), field.data_type(), &options).map_err(|e| {
                    Error::InvalidArgument(format!("column {} cannot become {}: {e}", field.name(), field.data_type()))
                })
            }
        })
        .collect::<Result<Vec<_>>>()?;
    let options = arrow_array::RecordBatchOptions::new().with_row_count(Some(batch.num_rows()));
    Ok(RecordBatch::try_new_with_options(schema.clone(), columns, &options)?)
}

/// The rows of `batch` whose string column `column` satisfies `keep` (nulls are dropped).
///
/// # Errors
/// [`Error::InvalidArgument`] when the column is missing or not a string column.
pub(crate) fn filter_by_text(batch: &RecordBatch, column: &str, keep: impl Fn(&str) -> bool) -> Result<RecordBatch> {
    let values = batch
        .column_by_name(column)
        .and_then(|c| c.as_any().downcast_ref::<arrow_array::StringArray>())
        .ok_or_else(|| Error::InvalidArgument(format!("{column} is not a string column of the table")))?;
    let mask: arrow_array::BooleanArray = values.iter().map(|v| Some(v.is_some_and(&keep))).collect();
    Ok(arrow_select::filter::filter_record_batch(batch, &mask)?)
}

fn indices(schema: &SchemaRef, columns: &[&str]) -> Result<Vec<usize>> {
    columns
        .iter()
        .map(|c| schema.index_of(c).map_err(|_| Error::InvalidArgument(format!("column {c} is not in the table"))))
        .collect()
}
