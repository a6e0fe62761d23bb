//! Hash joins on one or several key columns: a semi-join (keep the rows of one table whose key
//! appears in another) and an inner join. The hash table is built on the smaller side and the
//! larger side is probed in parallel, batch by batch. Keys may repeat on both sides; a row with a
//! null key never matches.

// aHash, not SipHash: keys are our own data, and hashing is the join's inner loop.
use ahash::{AHashMap as HashMap, AHashSet as HashSet};
use std::sync::Arc;

use arrow_array::{Array, BooleanArray, RecordBatch, UInt32Array};
use arrow_row::{Row, Rows};
use arrow_schema::{Field, Schema, SchemaRef};
use arrow_select::filter::filter_record_batch;
use arrow_select::take::take;
use rayon::prelude::*;

use super::keys::{converter, encode, key_columns, key_types, valid_keys};
use crate::error::{Error, Result};

/// One side of a join: its batches (all of `schema`) and key column names.
#[derive(Clone, Copy)]
pub struct JoinInput<'a> {
    pub schema: &'a SchemaRef,
    pub batches: &'a [RecordBatch],
    pub keys: &'a [&'a str],
}

impl JoinInput<'_> {
    fn rows(&self) -> usize {
        self.batches.iter().map(RecordBatch::num_rows).sum()
    }
}

/// What a semi-join kept and left out.
#[derive(Debug, Clone)]
pub struct SemiJoinOutput {
    pub batches: Vec<RecordBatch>,
    /// Rows of the kept side with a null key.
    pub null_keys: u64,
    /// Rows of the kept side with a key that the other side does not have.
    pub unmatched: u64,
}

/// Encoded keys of every batch of one side, with which rows have all keys present.
struct EncodedSide {
    rows: Vec<Rows>,
    valid: Vec<Vec<bool>>,
}

fn encode_side(side: &JoinInput<'_>, types: &[arrow_schema::DataType]) -> Result<EncodedSide> {
    let conv = converter(types)?;
    let parts: Vec<(Rows, Vec<bool>)> = side
        .batches
        .par_iter()
        .map(|batch| {
            let columns = key_columns(batch, side.keys, Some(types))?;
            let valid = match valid_keys(&columns) {
                Some(nulls) => nulls.iter().collect(),
                None => vec![true; batch.num_rows()],
            };
            Ok((encode(&conv, &columns)?, valid))
        })
        .collect::<Result<_>>()?;
    let (rows, valid) = parts.into_iter().unzip();
    Ok(EncodedSide { rows, valid })
}

fn check_keys(left: &JoinInput<'_>, right: &JoinInput<'_>) -> Result<Vec<arrow_schema::DataType>> {
    if left.keys.is_empty() || left.keys.len() != right.keys.len() {
        return Err(Error::InvalidArgument(format!(
            "join needs the same number of key columns on both sides, got {} and {}",
            left.keys.len(),
            right.keys.len()
        )));
    }
    key_types(right.schema, right.keys)?;
    key_types(left.schema, left.keys)
}

/// The rows of `keep` whose key appears in `other`.
///
/// # Errors
/// [`Error::InvalidArgument`] for missing or mismatched key columns.
pub fn semi_join(keep: JoinInput<'_>, other: JoinInput<'_>) -> Result<SemiJoinOutput> {
    let types = check_keys(&keep, &other)?;
    let kept_side = encode_side(&keep, &types)?;
    let other_side = encode_side(&other, &types)?;

    // A set to test the kept side's keys against, built from the smaller side: the other side's
    // keys, or the kept side's own keys that the other side turned out to have.
    let matched: HashSet<Row<'_>> = if other.rows() <= keep.rows() {
        key_set(&other_side)
    } else {
        let own = key_set(&kept_side);
        matches_in(&other_side, &own)
    };

    let mut null_keys = 0;
    let mut unmatched = 0;
    let mut batches = Vec::with_capacity(keep.batches.len());
    for ((batch, rows), valid) in keep.batches.iter().zip(&kept_side.rows).zip(&kept_side.valid) {
        let mask: BooleanArray = (0..batch.num_rows())
            .map(|i| {
                let hit = valid[i] && matched.contains(&rows.row(i));
                null_keys += u64::from(!valid[i]);
                unmatched += u64::from(valid[i] && !hit);
                Some(hit)
            })
            .collect();
        batches.push(filter_record_batch(batch, &mask)?);
    }
    Ok(SemiJoinOutput { batches, null_keys, unmatched })
}

fn key_set(side: &EncodedSide) -> HashSet<Row<'_>> {
    let mut set = HashSet::new();
    for (rows, valid) in side.rows.iter().zip(&side.valid) {
        set.extend((0..rows.num_rows()).filter(|&i| valid[i]).map(|i| rows.row(i)));
    }
    set
}

/// The elements of `set` that `probe` has, probed in parallel.
fn matches_in<'s>(probe: &'s EncodedSide, set: &HashSet<Row<'s>>) -> HashSet<Row<'s>> {
    probe
        .rows
        .par_iter()
        .zip(&probe.valid)
        .map(|(rows, valid)| {
            (0..rows.num_rows())
                .filter(|&i| valid[i])
                .filter_map(|i| set.get(&rows.row(i)).copied())
                .collect::<HashSet<_>>()
        })
        .reduce(HashSet::new, |mut a, b| {
            a.extend(b);
            a
        })
}

/// The key set of one table, ready to semi-join other tables against it batch by batch (as
/// they are decoded, so rows without a partner are dropped before they pile up).
pub struct SemiJoinFilter {
    converter: arrow_row::RowConverter,
    types: Vec<arrow_schema::DataType>,
    keys: HashSet<Box<[u8]>>,
}

impl SemiJoinFilter {
    /// The keys `build.keys` of `build`'s rows (null keys left out).
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] for missing key columns.
    pub fn new(build: JoinInput<'_>) -> Result<Self> {
        let types = key_types(build.schema, build.keys)?;
        let encoded = encode_side(&build, &types)?;
        let mut keys = HashSet::new();
        for (rows, valid) in encoded.rows.iter().zip(&encoded.valid) {
            keys.extend((0..rows.num_rows()).filter(|&i| valid[i]).map(|i| Box::<[u8]>::from(rows.row(i).as_ref())));
        }
        Ok(Self { converter: converter(&types)?, types, keys })
    }

    /// The rows of `batch` whose `keys` are in the set, and the counts of rows left out with a
    /// null key and without a partner.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] for missing key columns; an Arrow error for impossible casts.
    pub fn filter(&self, batch: &RecordBatch, keys: &[&str]) -> Result<(RecordBatch, u64, u64)> {
        let (rows, valid) = encode_probe(&self.converter, &self.types, batch, keys)?;
        let (mut null_keys, mut unmatched) = (0, 0);
        let mask: BooleanArray = (0..batch.num_rows())
            .map(|i| {
                let present = valid.as_ref().is_none_or(|v| v.is_valid(i));
                let hit = present && self.keys.contains(rows.row(i).as_ref());
                null_keys += u64::from(!present);
                unmatched += u64::from(present && !hit);
                Some(hit)
            })
            .collect();
        Ok((filter_record_batch(batch, &mask)?, null_keys, unmatched))
    }
}

/// An inner join's rows and how many rows of each side found a partner.
#[derive(Debug, Clone)]
pub struct InnerJoinOutput {
    pub schema: SchemaRef,
    pub batches: Vec<RecordBatch>,
    pub left_matched: u64,
    pub right_matched: u64,
    pub left_null_keys: u64,
}

/// Every pair of rows of `left` and `right` with equal keys: the left columns, then the right
/// ones (a right column whose name the left side has too gets the suffix `_right`).
///
/// # Errors
/// [`Error::InvalidArgument`] for missing or mismatched key columns.
pub fn inner_join(left: JoinInput<'_>, right: JoinInput<'_>) -> Result<InnerJoinOutput> {
    let types = check_keys(&left, &right)?;
    let schema = joined_schema(left.schema, right.schema);
    let left_enc = encode_side(&left, &types)?;
    let right_enc = encode_side(&right, &types)?;
    let build_is_left = left.rows() < right.rows();
    let (build, build_enc, probe, probe_enc) =
        if build_is_left { (left, &left_enc, right, &right_enc) } else { (right, &right_enc, left, &left_enc) };

    let build_batch = arrow_select::concat::concat_batches(build.schema, build.batches)?;
    // Chained hash table: `heads` maps a key to its last build row, `next` links each build row
    // to the previous one with the same key (no allocation per key).
    let mut heads: HashMap<Row<'_>, u32> = HashMap::with_capacity(build_batch.num_rows());
    let mut next = vec![NO_ROW; build_batch.num_rows()];
    let mut offset = 0u32;
    for (rows, valid) in build_enc.rows.iter().zip(&build_enc.valid) {
        for i in (0..rows.num_rows()).filter(|&i| valid[i]) {
            let row = offset + i as u32;
            if let Some(previous) = heads.insert(rows.row(i), row) {
                next[row as usize] = previous;
            }
        }
        offset += rows.num_rows() as u32;
    }

    let parts: Vec<(RecordBatch, Vec<u32>, u64)> = probe
        .batches
        .par_iter()
        .zip(&probe_enc.rows)
        .zip(&probe_enc.valid)
        .map(|((batch, rows), valid)| {
            let (mut probe_idx, mut build_idx) = (Vec::new(), Vec::new());
            let mut probe_matched = 0u64;
            for i in (0..rows.num_rows()).filter(|&i| valid[i]) {
                if let Some(&last) = heads.get(&rows.row(i)) {
                    probe_matched += 1;
                    let mut hit = last;
                    while hit != NO_ROW {
                        probe_idx.push(i as u32);
                        build_idx.push(hit);
                        hit = next[hit as usize];
                    }
                }
            }
            let probe_cols = take_all(batch, &probe_idx)?;
            let build_cols = take_all(&build_batch, &build_idx)?;
            let columns =
                if build_is_left { [build_cols, probe_cols].concat() } else { [probe_cols, build_cols].concat() };
            let out = RecordBatch::try_new(schema.clone(), columns)?;
            Ok((out, build_idx, probe_matched))
        })
        .collect::<Result<_>>()?;

    let mut build_hit = vec![false; build_batch.num_rows()];
    let mut probe_matched = 0;
    let mut batches = Vec::with_capacity(parts.len());
    for (batch, build_idx, matched) in parts {
        for &i in &build_idx {
            build_hit[i as usize] = true;
        }
        probe_matched += matched;
        batches.push(batch);
    }
    let build_matched = build_hit.iter().filter(|&&h| h).count() as u64;
    let left_valid: u64 = left_enc.valid.iter().flatten().filter(|&&v| v).count() as u64;
    let (left_matched, right_matched) =
        if build_is_left { (build_matched, probe_matched) } else { (probe_matched, build_matched) };
    Ok(InnerJoinOutput {
        schema,
        batches,
        left_matched,
        right_matched,
        left_null_keys: left.rows() as u64 - left_valid,
    })
}

/// One side of an inner join built once — a broadcast table in a Spark task — and probed batch
/// by batch with the other side's rows.
pub struct InnerJoinBuild {
    batch: RecordBatch,
    converter: arrow_row::RowConverter,
    types: Vec<arrow_schema::DataType>,
    /// Key → its last build row; `next` chains earlier rows with the same key.
    heads: HashMap<Box<[u8]>, u32>,
    next: Vec<u32>,
}

impl InnerJoinBuild {
    /// The hash table of `build` on `build.keys` (rows with a null key left out).
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] for missing key columns.
    pub fn new(build: JoinInput<'_>) -> Result<Self> {
        let types = key_types(build.schema, build.keys)?;
        let encoded = encode_side(&build, &types)?;
        let batch = arrow_select::concat::concat_batches(build.schema, build.batches)?;
        let mut heads = HashMap::with_capacity(batch.num_rows());
        let mut next = vec![NO_ROW; batch.num_rows()];
        let mut offset = 0u32;
        for (rows, valid) in encoded.rows.iter().zip(&encoded.valid) {
            for i in (0..rows.num_rows()).filter(|&i| valid[i]) {
                let row = offset + i as u32;
                if let Some(previous) = heads.insert(Box::<[u8]>::from(rows.row(i).as_ref()), row) {
                    next[row as usize] = previous;
                }
            }
            offset += rows.num_rows() as u32;
        }
        Ok(Self { batch, converter: converter(&types)?, types, heads, next })
    }

    /// The schema of [`Self::probe`]'s output for probe rows of `probe`: the probe columns, then
    /// the build columns (`_right` added to a name the probe side has too).
    #[must_use]
    pub fn output_schema(&self, probe: &SchemaRef) -> SchemaRef {
        joined_schema(probe, self.batch.schema_ref())
    }

    /// Every pair of a row of `batch` and a build row with equal keys (`keys` of `batch`), how
    /// many rows of `batch` found a partner and had a null key, and the build row of each output
    /// row (to count which build rows found a partner).
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] for missing or mismatched key columns.
    pub fn probe(&self, batch: &RecordBatch, keys: &[&str]) -> Result<Probed> {
        let (rows, valid) = encode_probe(&self.converter, &self.types, batch, keys)?;
        let (mut probe_idx, mut build_idx) = (Vec::new(), Vec::new());
        let (mut matched, mut null_keys) = (0u64, 0u64);
        for i in 0..batch.num_rows() {
            if valid.as_ref().is_some_and(|v| v.is_null(i)) {
                null_keys += 1;
                continue;
            }
            if let Some(&last) = self.heads.get(rows.row(i).as_ref()) {
                matched += 1;
                let mut hit = last;
                while hit != NO_ROW {
                    probe_idx.push(i as u32);
                    build_idx.push(hit);
                    hit = self.next[hit as usize];
                }
            }
        }
        let columns = [take_all(batch, &probe_idx)?, take_all(&self.batch, &build_idx)?].concat();
        let schema = self.output_schema(batch.schema_ref());
        let options = arrow_array::RecordBatchOptions::new().with_row_count(Some(probe_idx.len()));
        let batch = RecordBatch::try_new_with_options(schema, columns, &options)?;
        Ok(Probed { batch, matched, null_keys, build_rows: build_idx })
    }

    /// Rows of the build side.
    #[must_use]
    pub fn build_rows(&self) -> usize {
        self.batch.num_rows()
    }
}

/// What [`InnerJoinBuild::probe`] produced.
#[derive(Debug)]
pub struct Probed {
    pub batch: RecordBatch,
    /// Probe rows that found a partner.
    pub matched: u64,
    /// Probe rows with a null key.
    pub null_keys: u64,
    /// The build row of each output row.
    pub build_rows: Vec<u32>,
}

/// The probe side's `keys` of `batch`, encoded like a built side with key `types`, and which
/// rows have every key present (`None`: all).
fn encode_probe(
    converter: &arrow_row::RowConverter,
    types: &[arrow_schema::DataType],
    batch: &RecordBatch,
    keys: &[&str],
) -> Result<(Rows, Option<arrow_buffer::NullBuffer>)> {
    if keys.len() != types.len() {
        return Err(Error::InvalidArgument(format!(
            "join needs the same number of key columns on both sides, got {} and {}",
            keys.len(),
            types.len()
        )));
    }
    let columns = key_columns(batch, keys, Some(types))?;
    let valid = valid_keys(&columns);
    Ok((encode(converter, &columns)?, valid))
}

/// End of a chain in the join's hash table.
const NO_ROW: u32 = u32::MAX;

fn take_all(batch: &RecordBatch, indices: &[u32]) -> Result<Vec<Arc<dyn Array>>> {
    let indices = UInt32Array::from(indices.to_vec());
    batch.columns().iter().map(|c| Ok(take(c, &indices, None)?)).collect()
}

fn joined_schema(left: &SchemaRef, right: &SchemaRef) -> SchemaRef {
    let mut fields: Vec<Field> = left.fields().iter().map(|f| f.as_ref().clone()).collect();
    for f in right.fields() {
        let name =
            if left.field_with_name(f.name()).is_ok() { format!("{}_right", f.name()) } else { f.name().clone() };
        fields.push(f.as_ref().clone().with_name(name));
    }
    Arc::new(Schema::new(fields))
}

#[cfg(test)]
mod tests {
    use arrow_array::cast::AsArray;
    use arrow_array::types::Int64Type;
    use arrow_array::{Int64Array, StringArray};
    use arrow_schema::DataType;

    use super::*;

    fn table(names: &[Option<&str>], values: &[i64]) -> (SchemaRef, RecordBatch) {
        let schema =
            Arc::new(Schema::new(vec![Field::new("k", DataType::Utf8, true), Field::new("v", DataType::Int64, false)]));
        let batch = RecordBatch::try_new(
            schema.clone(),
            vec![Arc::new(StringArray::from(names.to_vec())), Arc::new(Int64Array::from(values.to_vec()))],
        )
        .unwrap();
        (schema, batch)
    }

    #[test]
    fn semi_join_keeps_matching_rows_with_repeats_and_never_null_keys() {
        let (ls, l) = table(&[Some("a"), Some("b"), None, Some("a"), Some("c")], &[1, 2, 3, 4, 5]);
        let (rs, r) = table(&[Some("a"), Some("a"), None, Some("c")], &[0, 0, 0, 0]);
        for (left_batches, right_batches) in [
            (vec![l.clone()], vec![r.clone()]),
            (vec![l.slice(0, 2), l.slice(2, 3)], vec![r.clone(), r.clone(), r.clone()]),
        ] {
            let out = semi_join(
                JoinInput { schema: &ls, batches: &left_batches, keys: &["k"] },
                JoinInput { schema: &rs, batches: &right_batches, keys: &["k"] },
            )
            .unwrap();
            let v: Vec<i64> =
                out.batches.iter().flat_map(|b| b.column(1).as_primitive::<Int64Type>().values().to_vec()).collect();
            assert_eq!(v, [1, 4, 5]);
            assert_eq!((out.null_keys, out.unmatched), (1, 1));
        }
    }

    #[test]
    fn inner_join_pairs_every_match_on_compound_keys() {
        let (ls, l) = table(&[Some("a"), Some("a"), Some("b"), None], &[1, 1, 2, 3]);
        let (rs, r) = table(&[Some("a"), Some("a"), Some("b"), Some("z")], &[1, 1, 9, 3]);
        let out = inner_join(
            JoinInput { schema: &ls, batches: std::slice::from_ref(&l), keys: &["k", "v"] },
            JoinInput { schema: &rs, batches: std::slice::from_ref(&r), keys: &["k", "v"] },
        )
        .unwrap();
        assert_eq!(
            out.schema.fields().iter().map(|f| f.name().as_str()).collect::<Vec<_>>(),
            ["k", "v", "k_right", "v_right"]
        );
        assert_eq!(out.batches.iter().map(RecordBatch::num_rows).sum::<usize>(), 4, "2 x 2 pairs of (a, 1)");
        assert_eq!((out.left_matched, out.right_matched, out.left_null_keys), (2, 2, 1));

        let single = inner_join(
            JoinInput { schema: &ls, batches: &[l], keys: &["k"] },
            JoinInput { schema: &rs, batches: &[r], keys: &["k"] },
        )
        .unwrap();
        assert_eq!(single.batches.iter().map(RecordBatch::num_rows).sum::<usize>(), 5);
    }

    #[test]
    fn prepared_semi_join_filter_equals_the_semi_join() {
        let (_, l) = table(&[Some("a"), Some("b"), None, Some("a"), Some("c")], &[1, 2, 3, 4, 5]);
        let (rs, r) = table(&[Some("a"), Some("a"), None, Some("c")], &[0, 0, 0, 0]);
        let probe =
            SemiJoinFilter::new(JoinInput { schema: &rs, batches: std::slice::from_ref(&r), keys: &["k"] }).unwrap();
        let (kept, null_keys, unmatched) = probe.filter(&l, &["k"]).unwrap();
        assert_eq!(kept.column(1).as_primitive::<Int64Type>().values().to_vec(), [1, 4, 5]);
        assert_eq!((null_keys, unmatched), (1, 1));
    }

    #[test]
    fn mismatched_keys_are_invalid_arguments() {
        let (s, b) = table(&[Some("a")], &[1]);
        let side = JoinInput { schema: &s, batches: std::slice::from_ref(&b), keys: &["k"] };
        let bad = JoinInput { schema: &s, batches: std::slice::from_ref(&b), keys: &["nope"] };
        assert!(matches!(semi_join(side, bad), Err(Error::InvalidArgument(_))));
        let two = JoinInput { schema: &s, batches: std::slice::from_ref(&b), keys: &["k", "v"] };
        assert!(matches!(inner_join(side, two), Err(Error::InvalidArgument(_))));
    }

    #[test]
    fn a_built_side_probed_batch_by_batch_gives_the_inner_join() {
        let (left_schema, left) = table(&[Some("a"), Some("b"), None, Some("a")], &[1, 2, 3, 4]);
        let (right_schema, right) = table(&[Some("a"), Some("a"), None, Some("c")], &[10, 20, 30, 40]);
        let build = InnerJoinBuild::new(JoinInput {
            schema: &right_schema,
            batches: std::slice::from_ref(&right),
            keys: &["k"],
        })
        .unwrap();
        let mut pairs = Vec::new();
        let (mut matched, mut nulls) = (0, 0);
        for part in [left.slice(0, 2), left.slice(2, 2)] {
            let Probed { batch: out, matched: part_matched, null_keys: part_nulls, .. } =
                build.probe(&part, &["k"]).unwrap();
            assert_eq!(out.schema().field(3).name(), "v_right");
            let left_v = out.column(1).as_primitive::<Int64Type>();
            let right_v = out.column(3).as_primitive::<Int64Type>();
            pairs.extend((0..out.num_rows()).map(|i| (left_v.value(i), right_v.value(i))));
            matched += part_matched;
            nulls += part_nulls;
        }
        pairs.sort_unstable();
        assert_eq!(pairs, [(1, 10), (1, 20), (4, 10), (4, 20)]);
        assert_eq!((matched, nulls), (2, 1));
        let whole = inner_join(
            JoinInput { schema: &left_schema, batches: &[left], keys: &["k"] },
            JoinInput { schema: &right_schema, batches: &[right], keys: &["k"] },
        )
        .unwrap();
        assert_eq!(whole.batches.iter().map(RecordBatch::num_rows).sum::<usize>(), pairs.len());
    }
}
