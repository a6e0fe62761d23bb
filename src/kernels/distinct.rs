//! DISTINCT over all columns: the first occurrence of every distinct row, in input order.

use ahash::AHashSet as HashSet;

use arrow_array::{BooleanArray, RecordBatch};
use arrow_row::Rows;
use arrow_schema::SchemaRef;
use arrow_select::filter::filter_record_batch;
use rayon::prelude::*;

use super::keys::{converter, encode};
use crate::error::Result;

/// The distinct rows of `batches` and how many duplicates were dropped.
///
/// # Errors
/// An Arrow error if a batch does not match `schema`.
pub fn distinct(schema: &SchemaRef, batches: &[RecordBatch]) -> Result<(Vec<RecordBatch>, u64)> {
    let types: Vec<_> = schema.fields().iter().map(|f| f.data_type().clone()).collect();
    let conv = converter(&types)?;
    // Encoding is the costly part and runs in parallel; the first-seen pass is sequential.
    let encoded: Vec<Rows> = batches.par_iter().map(|b| encode(&conv, b.columns())).collect::<Result<_>>()?;
    let mut seen = HashSet::with_capacity(batches.iter().map(RecordBatch::num_rows).sum());
    let mut dropped = 0u64;
    let mut out = Vec::with_capacity(batches.len());
    for (batch, rows) in batches.iter().zip(&encoded) {
        let mask: BooleanArray = (0..rows.num_rows()).map(|i| Some(seen.insert(rows.row(i)))).collect();
        let kept = filter_record_batch(batch, &mask)?;
        dropped += (batch.num_rows() - kept.num_rows()) as u64;
        out.push(kept);
    }
    Ok((out, dropped))
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow_array::{Float64Array, StringArray};
    use arrow_schema::{DataType, Field, Schema};

    use super::*;

    #[test]
    fn keeps_first_occurrences_across_batches_with_nulls_equal() {
        let schema = Arc::new(Schema::new(vec![
            Field::new("u", DataType::Utf8, true),
            Field::new("x", DataType::Float64, true),
        ]));
        let batch = |u: Vec<Option<&str>>, x: Vec<Option<f64>>| {
            RecordBatch::try_new(schema.clone(), vec![Arc::new(StringArray::from(u)), Arc::new(Float64Array::from(x))])
                .unwrap()
        };
        let a = batch(vec![Some("a"), Some("a"), None, Some("a")], vec![Some(1.0), Some(2.0), None, Some(1.0)]);
        let b = batch(vec![None, Some("b")], vec![None, Some(1.0)]);
        let (out, dropped) = distinct(&schema, &[a, b]).unwrap();
        assert_eq!(out.iter().map(RecordBatch::num_rows).collect::<Vec<_>>(), [3, 1]);
        assert_eq!(dropped, 2);
    }
}
