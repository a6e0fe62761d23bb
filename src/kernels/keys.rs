//! Join and DISTINCT keys: the key columns of a batch encoded in Arrow's row format, one
//! comparable, hashable byte string per row, so single and compound keys of any type work alike.

use arrow_array::{Array, ArrayRef, RecordBatch};
use arrow_buffer::NullBuffer;
use arrow_row::{RowConverter, Rows, SortField};
use arrow_schema::DataType;

use crate::error::{Error, Result};

/// The columns `names` of `batch`, cast to `types` where given (so an int32 key meets an int64).
///
/// # Errors
/// [`Error::InvalidArgument`] naming a missing column; an Arrow error if a cast is impossible.
pub fn key_columns(batch: &RecordBatch, names: &[&str], types: Option<&[DataType]>) -> Result<Vec<ArrayRef>> {
    names
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let column = batch
                .column_by_name(name)
                .ok_or_else(|| Error::InvalidArgument(format!("key column {name} is not in the table")))?;
            match types.map(|t| &t[i]) {
                Some(t) if t != column.data_type() => Ok(arrow_cast::cast(column, t)?),
                _ => Ok(column.clone()),
            }
        })
        .collect()
}

/// Rows of `columns` where every key is present (a null key never joins).
#[must_use]
pub fn valid_keys(columns: &[ArrayRef]) -> Option<NullBuffer> {
    columns.iter().fold(None, |acc, c| NullBuffer::union(acc.as_ref(), c.logical_nulls().as_ref()))
}

/// A row-format encoder for key columns of the given types.
///
/// # Errors
/// An Arrow error for types the row format cannot encode.
pub fn converter(types: &[DataType]) -> Result<RowConverter> {
    Ok(RowConverter::new(types.iter().map(|t| SortField::new(t.clone())).collect())?)
}

/// Encode `columns` as rows.
///
/// # Errors
/// An Arrow error if the columns do not match the converter's types.
pub fn encode(converter: &RowConverter, columns: &[ArrayRef]) -> Result<Rows> {
    Ok(converter.convert_columns(columns)?)
}

/// The types of the columns `names` of `batch`'s schema.
///
/// # Errors
/// [`Error::InvalidArgument`] naming a missing column.
pub fn key_types(schema: &arrow_schema::Schema, names: &[&str]) -> Result<Vec<DataType>> {
    names
        .iter()
        .map(|name| {
            schema
                .field_with_name(name)
                .map(|f| f.data_type().clone())
                .map_err(|_| Error::InvalidArgument(format!("key column {name} is not in the table")))
        })
        .collect()
}
