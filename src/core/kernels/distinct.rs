//! DISTINCT over all columns: the first occurrence of every distinct row, in input order.
//!
//! Rows are keyed in place and hashed in parallel (no row is copied); the hashes split the rows
//! into partitions that are de-duplicated in parallel, each scanning the rows in input order, so
//! the first occurrence wins exactly as in a sequential pass.

use arrow_array::{Array, BooleanArray, RecordBatch};
use arrow_schema::SchemaRef;
use arrow_select::filter::filter_record_batch;
use hashbrown::hash_table::{Entry, HashTable};
use rayon::prelude::*;

use super::check_row_positions;
use super::key_rows::KeyRows;
use crate::core::pool;
use crate::error::Result;

/// The distinct rows of `batches` and how many duplicates were dropped.
///
/// # Errors
/// An Arrow error if a batch does not match `schema`.
pub fn distinct(schema: &SchemaRef, batches: &[RecordBatch]) -> Result<(Vec<RecordBatch>, u64)> {
    let masks = first_occurrences(schema, batches)?;
    let out: Vec<RecordBatch> =
        batches.par_iter().zip(masks).map(|(batch, mask)| keep_rows(batch, &mask)).collect::<Result<_>>()?;
    let total: usize = batches.iter().map(RecordBatch::num_rows).sum();
    let dropped = (total - out.iter().map(RecordBatch::num_rows).sum::<usize>()) as u64;
    Ok((out, dropped))
}

/// The rows of `batch` that `mask` keeps: the batch itself when it keeps every row.
///
/// # Errors
/// An Arrow error if `mask` is not as long as the batch.
pub(crate) fn keep_rows(batch: &RecordBatch, mask: &BooleanArray) -> Result<RecordBatch> {
    if mask.len() == batch.num_rows() && mask.true_count() == mask.len() {
        return Ok(batch.clone());
    }
    Ok(filter_record_batch(batch, mask)?)
}

/// For each batch of `batches`, which of its rows are the first occurrence of a distinct row.
///
/// # Errors
/// An Arrow error if a batch does not match `schema`.
pub(crate) fn first_occurrences(schema: &SchemaRef, batches: &[RecordBatch]) -> Result<Vec<BooleanArray>> {
    let types = schema.fields().iter().map(|f| f.data_type());
    if let Some(batch) = batches.iter().find(|b| !b.columns().iter().map(Array::data_type).eq(types.clone())) {
        return Err(crate::Error::InvalidArgument(format!(
            "DISTINCT needs batches of the table's schema, got {}",
            batch.schema()
        )));
    }
    check_row_positions("DISTINCT", batches.len())?;
    for batch in batches {
        check_row_positions("DISTINCT batch", batch.num_rows())?;
    }
    let keyed: Vec<KeyRows> = batches.par_iter().map(|b| KeyRows::new(b.columns())).collect::<Result<_>>()?;

    let partitions = (pool::size() * 4).max(1);
    let total: usize = batches.iter().map(RecordBatch::num_rows).sum();
    // Each batch's rows split by partition, in input order (one pass, batches in parallel).
    let split: Vec<Vec<Vec<u32>>> = keyed
        .par_iter()
        .map(|keys| {
            let mut parts = vec![Vec::new(); partitions];
            for i in 0..keys.len() {
                // Lossless: rows per batch passed check_row_positions.
                #[allow(clippy::cast_possible_truncation)]
                parts[partition_of(keys.hash(i), partitions)].push(i as u32);
            }
            parts
        })
        .collect();
    // Each partition returns the (batch, row) positions of its first occurrences; the table keeps
    // the hashes already computed, so no row is hashed twice.
    let kept: Vec<Vec<(u32, u32)>> = (0..partitions)
        .into_par_iter()
        .map(|p| {
            let mut seen: HashTable<(u32, u32)> = HashTable::with_capacity(total / partitions + 1);
            let mut kept = Vec::new();
            for (b, parts) in split.iter().enumerate() {
                for &i in &parts[p] {
                    let (keys, i) = (&keyed[b], i as usize);
                    let same = |&(sb, si): &(u32, u32)| keyed[sb as usize].same(si as usize, keys, i);
                    let rehash = |&(sb, si): &(u32, u32)| keyed[sb as usize].hash(si as usize);
                    if let Entry::Vacant(slot) = seen.entry(keys.hash(i), same, rehash) {
                        // Lossless: batch count and rows per batch passed check_row_positions.
                        #[allow(clippy::cast_possible_truncation)]
                        let position = (b as u32, i as u32);
                        slot.insert(position);
                        kept.push(position);
                    }
                }
            }
            kept
        })
        .collect();

    drop((keyed, split));
    let mut masks: Vec<Vec<bool>> = batches.iter().map(|b| vec![false; b.num_rows()]).collect();
    for (b, i) in kept.into_iter().flatten() {
        masks[b as usize][i as usize] = true;
    }
    Ok(masks.into_iter().map(BooleanArray::from).collect())
}

/// The partition of a row hash, from bits 24..56: the table picks buckets with the low bits and
/// tags its slots with the top seven, which must still vary inside a partition — from the top
/// bits, a partition's rows shared three of the seven tag bits, and eight times as many slots
/// passed the tag and were compared in full.
fn partition_of(hash: u64, partitions: usize) -> usize {
    ((u128::from((hash >> 24) & 0xffff_ffff) * partitions as u128) >> 32) as usize
}
#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow_array::{Float64Array, StringArray};
    use arrow_schema::{DataType, Field, Schema};

    use super::*;

    /// Row positions are u32: a batch past that is refused, not wrapped. A null column of five
    /// billion rows takes no memory, so the production path meets the real boundary.
    #[test]
    fn a_batch_beyond_u32_row_positions_is_an_error() {
        let schema = Arc::new(Schema::new(vec![Field::new("n", DataType::Null, true)]));
        let huge =
            RecordBatch::try_new(schema.clone(), vec![Arc::new(arrow_array::NullArray::new(5_000_000_000))]).unwrap();
        let err = distinct(&schema, &[huge]).unwrap_err();
        assert!(matches!(err, crate::Error::Unsupported(_)), "{err}");
        assert!(err.to_string().contains("5000000000 rows"), "{err}");
        assert!(check_row_positions("x", u32::MAX as usize - 1).is_ok());
        assert!(check_row_positions("x", u32::MAX as usize).is_err());
    }

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
