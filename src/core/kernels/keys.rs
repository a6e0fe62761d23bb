//! Join keys: the key columns of a batch by name, cast to the other side's types.

use arrow_array::{Array, ArrayRef, RecordBatch};
use arrow_schema::DataType;

use crate::error::{Error, Result};

/// The columns `names` of `batch`, cast to `types` where given (so an int32 key meets an int64).
///
/// # Errors
/// [`Error::InvalidArgument`] naming a missing column; an Arrow error if a cast is impossible.
pub(crate) fn key_columns(batch: &RecordBatch, names: &[&str], types: Option<&[DataType]>) -> Result<Vec<ArrayRef>> {
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

/// The types of the columns `names` of `batch`'s schema.
///
/// # Errors
/// [`Error::InvalidArgument`] naming a missing column.
pub(crate) fn key_types(schema: &arrow_schema::Schema, names: &[&str]) -> Result<Vec<DataType>> {
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
