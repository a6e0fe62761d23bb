//! Hash joins on one or several key columns: a semi-join (keep the rows of one table whose key
//! appears in another) and an inner join. The hash table is built on the smaller side and the
//! larger side is probed in parallel, batch by batch. Keys may repeat on both sides; a row with a
//! null key never matches. Keys are hashed and compared where they lie ([`KeyRows`]).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use arrow_array::{Array, ArrayRef, BooleanArray, RecordBatch, UInt32Array};
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use arrow_select::filter::filter_record_batch;
use arrow_select::take::take;
use hashbrown::hash_table::{Entry, HashTable};
use rayon::prelude::*;

use super::check_row_positions;
use super::key_rows::KeyRows;
use super::keys::{key_columns, key_types};
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

/// A join needs one or more key columns, as many on each side.
fn same_key_count(left: usize, right: usize) -> Result<()> {
    if left == 0 || left != right {
        return Err(Error::InvalidArgument(format!(
            "join needs the same number of key columns on both sides, got {left} and {right}"
        )));
    }
    Ok(())
}

/// The keys `keys` of `batch`, cast to `types` (so an int32 key meets an int64).
fn key_batch(batch: &RecordBatch, keys: &[&str], types: &[DataType]) -> Result<KeyRows> {
    same_key_count(keys.len(), types.len())?;
    KeyRows::new(&key_columns(batch, keys, Some(types))?)
}

fn key_side(side: &JoinInput<'_>, types: &[DataType]) -> Result<Vec<KeyRows>> {
    side.batches.par_iter().map(|batch| key_batch(batch, side.keys, types)).collect()
}

fn check_keys(left: &JoinInput<'_>, right: &JoinInput<'_>) -> Result<Vec<DataType>> {
    same_key_count(left.keys.len(), right.keys.len())?;
    key_types(right.schema, right.keys)?;
    key_types(left.schema, left.keys)
}

/// The distinct present keys of several batches' rows: (batch, row) of each key's first row, in
/// shards by hash built in parallel (a large key set is most of a semi-join's time).
struct KeySet {
    keyed: Vec<KeyRows>,
    shards: Vec<HashTable<(u32, u32)>>,
}

/// Keys below which one shard is built: threads cost more than they save.
const SHARDED_KEYS: usize = 1 << 16;

impl KeySet {
    fn new(keyed: Vec<KeyRows>) -> Result<Self> {
        check_row_positions("join key set", keyed.len())?;
        for keys in &keyed {
            check_row_positions("join key set batch", keys.len())?;
        }
        let rows: usize = keyed.iter().map(KeyRows::len).sum();
        let count = if rows < SHARDED_KEYS { 1 } else { rayon::current_num_threads().max(1) };
        let shards = (0..count).into_par_iter().map(|shard| Self::shard(&keyed, shard, count)).collect();
        Ok(Self { keyed, shards })
    }

    /// Which of `count` shards holds the key hashed `hash` (bits the hash table itself uses least).
    fn shard_of(hash: u64, count: usize) -> usize {
        // Lossless enough: the remainder is below `count`.
        #[allow(clippy::cast_possible_truncation)]
        let shard = ((hash >> 32) % count as u64) as usize;
        shard
    }

    /// The table of the keys of shard `shard` of `count`.
    fn shard(keyed: &[KeyRows], shard: usize, count: usize) -> HashTable<(u32, u32)> {
        let mut table = HashTable::new();
        for (b, keys) in keyed.iter().enumerate() {
            // Keys come in runs (a user's readings): a row with its previous row's key is in already.
            let repeat = |i: usize| i > 0 && keys.hash(i) == keys.hash(i - 1) && keys.same(i, keys, i - 1);
            let mine = |i: usize| Self::shard_of(keys.hash(i), count) == shard && keys.is_valid(i) && !repeat(i);
            for i in (0..keys.len()).filter(|&i| mine(i)) {
                let same = |&(sb, si): &(u32, u32)| keyed[sb as usize].same(si as usize, keys, i);
                let rehash = |&(sb, si): &(u32, u32)| keyed[sb as usize].hash(si as usize);
                if let Entry::Vacant(slot) = table.entry(keys.hash(i), same, rehash) {
                    // Lossless: batch count and rows per batch passed check_row_positions.
                    #[allow(clippy::cast_possible_truncation)]
                    slot.insert((b as u32, i as u32));
                }
            }
        }
        table
    }

    /// The entry of row `i` of `probe`'s key, if the set has it (`i` must be a present key).
    fn find(&self, probe: &KeyRows, i: usize) -> Option<(u32, u32)> {
        let same = |&(sb, si): &(u32, u32)| self.keyed[sb as usize].same(si as usize, probe, i);
        let hash = probe.hash(i);
        self.shards[Self::shard_of(hash, self.shards.len())].find(hash, same).copied()
    }

    /// Keep only the entries `keep` takes.
    fn retain(&mut self, keep: impl Fn(u32, u32) -> bool) {
        for table in &mut self.shards {
            table.retain(|&mut (b, i)| keep(b, i));
        }
    }
}

/// The rows of `keep` whose key appears in `other`.
///
/// # Errors
/// [`Error::InvalidArgument`] for missing or mismatched key columns.
pub fn semi_join(keep: JoinInput<'_>, other: JoinInput<'_>) -> Result<SemiJoinOutput> {
    let types = check_keys(&keep, &other)?;
    // A set to test the kept side's keys against, built from the smaller side: the other side's
    // keys, or the kept side's own keys that the other side turned out to have.
    let set = if other.rows() <= keep.rows() {
        KeySet::new(key_side(&other, &types)?)?
    } else {
        let mut own = KeySet::new(key_side(&keep, &types)?)?;
        let found: Vec<Vec<(u32, u32)>> = key_side(&other, &types)?
            .par_iter()
            .map(|probe| (0..probe.len()).filter(|&i| probe.is_valid(i)).filter_map(|i| own.find(probe, i)).collect())
            .collect();
        let mut hit: Vec<Vec<bool>> = own.keyed.iter().map(|k| vec![false; k.len()]).collect();
        for (b, i) in found.into_iter().flatten() {
            hit[b as usize][i as usize] = true;
        }
        own.retain(|b, i| hit[b as usize][i as usize]);
        own
    };
    let filter = SemiJoinFilter { types, set };
    let parts: Vec<(RecordBatch, u64, u64)> =
        keep.batches.par_iter().map(|batch| filter.filter(batch, keep.keys)).collect::<Result<_>>()?;
    let mut out = SemiJoinOutput { batches: Vec::with_capacity(parts.len()), null_keys: 0, unmatched: 0 };
    for (batch, null_keys, unmatched) in parts {
        out.batches.push(batch);
        out.null_keys += null_keys;
        out.unmatched += unmatched;
    }
    Ok(out)
}

/// The key set of one table, ready to semi-join other tables against it batch by batch (as
/// they are decoded, so rows without a partner are dropped before they pile up).
pub(crate) struct SemiJoinFilter {
    types: Vec<DataType>,
    set: KeySet,
}

impl SemiJoinFilter {
    /// The keys `build.keys` of `build`'s rows (null keys left out).
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] for missing key columns.
    pub(crate) fn new(build: JoinInput<'_>) -> Result<Self> {
        let types = key_types(build.schema, build.keys)?;
        let set = KeySet::new(key_side(&build, &types)?)?;
        Ok(Self { types, set })
    }

    /// The rows of `batch` whose `keys` are in the set, and the counts of rows left out with a
    /// null key and without a partner.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] for missing key columns; an Arrow error for impossible casts.
    pub(crate) fn filter(&self, batch: &RecordBatch, keys: &[&str]) -> Result<(RecordBatch, u64, u64)> {
        let (mask, null_keys, unmatched) = self.mask(&key_batch(batch, keys, &self.types)?);
        Ok((filter_record_batch(batch, &mask)?, null_keys, unmatched))
    }

    /// The key set of key columns already computed: one entry of `keys` per batch, its key
    /// columns in order, each column of one type in every batch (rows with a null key left out).
    ///
    /// # Errors
    /// An Arrow error for a type the row format cannot encode.
    pub(crate) fn from_key_columns(keys: &[Vec<ArrayRef>]) -> Result<Self> {
        let types = keys.first().map(|columns| columns.iter().map(|c| c.data_type().clone()).collect());
        let keyed = keys.par_iter().map(|columns| KeyRows::new(columns)).collect::<Result<Vec<_>>>()?;
        Ok(Self { types: types.unwrap_or_default(), set: KeySet::new(keyed)? })
    }

    /// Which rows of `keys` (a batch's key columns, of the set's types) have a key in the set.
    ///
    /// # Errors
    /// An Arrow error for a type the row format cannot encode.
    pub(crate) fn contains(&self, keys: &[ArrayRef]) -> Result<BooleanArray> {
        Ok(self.mask(&KeyRows::new(keys)?).0)
    }

    /// The rows of `probe` whose key is in the set, and the counts of rows with a null key and
    /// without a partner.
    fn mask(&self, probe: &KeyRows) -> (BooleanArray, u64, u64) {
        let (mut null_keys, mut unmatched) = (0, 0);
        // Landing rows come in runs of one key (a user's readings): a row with the previous
        // present row's key reuses its answer instead of probing the set.
        let mut previous: Option<(usize, bool)> = None;
        let mask: BooleanArray = (0..probe.len())
            .map(|i| {
                let present = probe.is_valid(i);
                let hit = present
                    && match previous {
                        Some((j, hit)) if probe.hash(i) == probe.hash(j) && probe.same(i, probe, j) => hit,
                        _ => self.set.find(probe, i).is_some(),
                    };
                if present {
                    previous = Some((i, hit));
                }
                null_keys += u64::from(!present);
                unmatched += u64::from(present && !hit);
                Some(hit)
            })
            .collect();
        (mask, null_keys, unmatched)
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
    let build_is_left = left.rows() < right.rows();
    let (build_side, probe) = if build_is_left { (left, right) } else { (right, left) };
    let build = InnerJoinBuild::with_types(build_side, types)?;

    let parts: Vec<(RecordBatch, Pairs)> = probe
        .batches
        .par_iter()
        .map(|batch| {
            let pairs = build.pairs(batch, probe.keys)?;
            let probe_cols = take_all(batch, &pairs.probe_rows)?;
            let build_cols = take_all(&build.batch, &pairs.build_rows)?;
            let columns =
                if build_is_left { [build_cols, probe_cols].concat() } else { [probe_cols, build_cols].concat() };
            let options = arrow_array::RecordBatchOptions::new().with_row_count(Some(pairs.probe_rows.len()));
            Ok((RecordBatch::try_new_with_options(schema.clone(), columns, &options)?, pairs))
        })
        .collect::<Result<_>>()?;

    let (mut probe_matched, mut probe_null_keys) = (0, 0);
    let mut batches = Vec::with_capacity(parts.len());
    for (batch, pairs) in parts {
        probe_matched += pairs.matched;
        probe_null_keys += pairs.null_keys;
        batches.push(batch);
    }
    let build_matched = build.matched_build_rows();
    let build_null_keys = build.build_null_keys();
    let (left_matched, right_matched, left_null_keys) = if build_is_left {
        (build_matched, probe_matched, build_null_keys)
    } else {
        (probe_matched, build_matched, probe_null_keys)
    };
    Ok(InnerJoinOutput { schema, batches, left_matched, right_matched, left_null_keys })
}

/// The matching row pairs of a probe batch and a built side.
struct Pairs {
    probe_rows: Vec<u32>,
    build_rows: Vec<u32>,
    /// Probe rows that found a partner.
    matched: u64,
    /// Probe rows with a null key.
    null_keys: u64,
}

/// One side of an inner join built once — the smaller side of [`inner_join`], a broadcast table
/// in a Spark task — and probed batch by batch with the other side's rows.
pub(crate) struct InnerJoinBuild {
    batch: RecordBatch,
    types: Vec<DataType>,
    keys: KeyRows,
    /// Each distinct key's last build row; `next` chains earlier rows with the same key.
    heads: HashTable<u32>,
    next: Vec<u32>,
    /// One bit per build row: found a partner in some probed batch.
    hits: Vec<AtomicU64>,
}

impl InnerJoinBuild {
    /// The hash table of `build` on `build.keys` (rows with a null key left out).
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] for missing key columns.
    pub(crate) fn new(build: JoinInput<'_>) -> Result<Self> {
        Self::with_types(build, key_types(build.schema, build.keys)?)
    }

    fn with_types(build: JoinInput<'_>, types: Vec<DataType>) -> Result<Self> {
        check_row_positions("inner join build side", build.rows())?;
        let batch = arrow_select::concat::concat_batches(build.schema, build.batches)?;
        let keys = key_batch(&batch, build.keys, &types)?;
        Ok(Self::keyed(batch, types, keys))
    }

    /// The hash table of the rows of `batch` on their key columns `keys`, already computed (of
    /// one type each on both sides: a probe's key columns must have the same types).
    ///
    /// # Errors
    /// [`Error::Unsupported`] for more rows than row positions hold; an Arrow error for a type
    /// the row format cannot encode.
    pub(crate) fn from_key_columns(batch: RecordBatch, keys: &[ArrayRef]) -> Result<Self> {
        check_row_positions("inner join build side", batch.num_rows())?;
        let types = keys.iter().map(|c| c.data_type().clone()).collect();
        let keys = KeyRows::new(keys)?;
        Ok(Self::keyed(batch, types, keys))
    }

    fn keyed(batch: RecordBatch, types: Vec<DataType>, keys: KeyRows) -> Self {
        let mut heads = HashTable::with_capacity(batch.num_rows());
        let mut next = vec![NO_ROW; batch.num_rows()];
        for i in (0..keys.len()).filter(|&i| keys.is_valid(i)) {
            let same = |&head: &u32| keys.same(head as usize, &keys, i);
            match heads.entry(keys.hash(i), same, |&head| keys.hash(head as usize)) {
                // Lossless: the build side's rows passed check_row_positions.
                #[allow(clippy::cast_possible_truncation)]
                Entry::Occupied(mut slot) => next[i] = std::mem::replace(slot.get_mut(), i as u32),
                #[allow(clippy::cast_possible_truncation)]
                Entry::Vacant(slot) => {
                    slot.insert(i as u32);
                }
            }
        }
        let hits = (0..batch.num_rows().div_ceil(64)).map(|_| AtomicU64::new(0)).collect();
        Self { batch, types, keys, heads, next, hits }
    }

    /// The built rows.
    pub(crate) fn batch(&self) -> &RecordBatch {
        &self.batch
    }

    /// The (probe row, build row) pairs with equal keys, for a probe batch's key columns `keys`
    /// (of the build's key types), in probe row order.
    ///
    /// # Errors
    /// [`Error::Unsupported`] for more rows than row positions hold; an Arrow error for a type
    /// the row format cannot encode.
    pub(crate) fn matching_rows(&self, keys: &[ArrayRef]) -> Result<(UInt32Array, UInt32Array)> {
        let probe = KeyRows::new(keys)?;
        check_row_positions("inner join probe batch", probe.len())?;
        let pairs = self.pairs_of(&probe);
        Ok((UInt32Array::from(pairs.probe_rows), UInt32Array::from(pairs.build_rows)))
    }

    /// The schema of [`Self::probe`]'s output for probe rows of `probe`: the probe columns, then
    /// the build columns (`_right` added to a name the probe side has too).
    #[must_use]
    pub(crate) fn output_schema(&self, probe: &SchemaRef) -> SchemaRef {
        joined_schema(probe, self.batch.schema_ref())
    }

    fn pairs(&self, batch: &RecordBatch, keys: &[&str]) -> Result<Pairs> {
        let probe = key_batch(batch, keys, &self.types)?;
        check_row_positions("inner join probe batch", batch.num_rows())?;
        Ok(self.pairs_of(&probe))
    }

    fn pairs_of(&self, probe: &KeyRows) -> Pairs {
        let mut pairs = Pairs { probe_rows: Vec::new(), build_rows: Vec::new(), matched: 0, null_keys: 0 };
        for i in 0..probe.len() {
            if !probe.is_valid(i) {
                pairs.null_keys += 1;
                continue;
            }
            let same = |&head: &u32| self.keys.same(head as usize, probe, i);
            if let Some(&last) = self.heads.find(probe.hash(i), same) {
                pairs.matched += 1;
                let mut hit = last;
                while hit != NO_ROW {
                    // Lossless: the probe batch's rows passed check_row_positions.
                    #[allow(clippy::cast_possible_truncation)]
                    pairs.probe_rows.push(i as u32);
                    pairs.build_rows.push(hit);
                    // Most build rows match many times: a load first spares the shared cache
                    // line a write (an atomic read-modify-write) on every match after the first.
                    let (word, bit) = (&self.hits[hit as usize / 64], 1 << (hit % 64));
                    if word.load(Ordering::Relaxed) & bit == 0 {
                        word.fetch_or(bit, Ordering::Relaxed);
                    }
                    hit = self.next[hit as usize];
                }
            }
        }
        pairs
    }

    /// Every pair of a row of `batch` and a build row with equal keys (`keys` of `batch`), and how
    /// many rows of `batch` found a partner and had a null key. The build remembers which of its
    /// rows found a partner ([`Self::build_hits`]).
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] for missing or mismatched key columns.
    pub(crate) fn probe(&self, batch: &RecordBatch, keys: &[&str]) -> Result<Probed> {
        let pairs = self.pairs(batch, keys)?;
        let columns = [take_all(batch, &pairs.probe_rows)?, take_all(&self.batch, &pairs.build_rows)?].concat();
        let schema = self.output_schema(batch.schema_ref());
        let options = arrow_array::RecordBatchOptions::new().with_row_count(Some(pairs.probe_rows.len()));
        let batch = RecordBatch::try_new_with_options(schema, columns, &options)?;
        Ok(Probed { batch, matched: pairs.matched, null_keys: pairs.null_keys })
    }

    /// Which build rows found a partner in the batches probed so far: bit `i % 64` of word
    /// `i / 64` for build row `i`.
    #[must_use]
    pub(crate) fn build_hits(&self) -> Vec<u64> {
        self.hits.iter().map(|w| w.load(Ordering::Relaxed)).collect()
    }

    /// How many build rows found a partner in the batches probed so far.
    #[must_use]
    pub(crate) fn matched_build_rows(&self) -> u64 {
        self.hits.iter().map(|w| u64::from(w.load(Ordering::Relaxed).count_ones())).sum()
    }

    /// Rows of the build side with a null key (they never match).
    #[must_use]
    pub(crate) fn build_null_keys(&self) -> u64 {
        self.keys.valid().map_or(0, |v| v.null_count() as u64)
    }
}

/// What [`InnerJoinBuild::probe`] produced.
#[derive(Debug)]
pub(crate) struct Probed {
    pub(crate) batch: RecordBatch,
    /// Probe rows that found a partner.
    pub(crate) matched: u64,
    /// Probe rows with a null key.
    pub(crate) null_keys: u64,
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
    fn runs_of_one_key_reuse_the_answer_correctly() {
        let keys = [Some("a"), Some("a"), None, Some("a"), Some("z"), Some("z"), Some("c"), Some("c"), Some("a")];
        let (_, l) = table(&keys, &[1, 2, 3, 4, 5, 6, 7, 8, 9]);
        let (rs, r) = table(&[Some("c"), Some("a")], &[0, 0]);
        let probe =
            SemiJoinFilter::new(JoinInput { schema: &rs, batches: std::slice::from_ref(&r), keys: &["k"] }).unwrap();
        let (kept, null_keys, unmatched) = probe.filter(&l, &["k"]).unwrap();
        assert_eq!(kept.column(1).as_primitive::<Int64Type>().values().to_vec(), [1, 2, 4, 7, 8, 9]);
        assert_eq!((null_keys, unmatched), (1, 2));
    }

    /// Key sets large enough to be built in shards, from keys in runs with NULLs, find what a
    /// plain set finds: the other side's keys built (it is the smaller), or the kept side's own.
    #[test]
    fn sharded_key_sets_find_every_key_they_hold() {
        let as_table = |keys: &[Option<String>]| {
            let names: Vec<Option<&str>> = keys.iter().map(Option::as_deref).collect();
            table(&names, &(0..).take(keys.len()).collect::<Vec<i64>>())
        };
        let kept: Vec<Option<String>> = (0..100_000).map(|i| (i % 13 != 0).then(|| format!("k{}", i * 7))).collect();
        let (ks, k) = as_table(&kept);
        let pool = rayon::ThreadPoolBuilder::new().num_threads(3).build().unwrap();
        // 90 k keys (the set built on them) and 200 k (the set built on the kept side's 100 k).
        for other_rows in [90_000, 200_000] {
            assert!(other_rows.min(kept.len()) >= SHARDED_KEYS);
            let other: Vec<Option<String>> =
                (0..other_rows).map(|i| (i % 11 != 0).then(|| format!("k{}", (i / 3) % 50_000))).collect();
            let (os, o) = as_table(&other);
            let batches: Vec<RecordBatch> =
                (0..o.num_rows()).step_by(7000).map(|at| o.slice(at, 7000.min(o.num_rows() - at))).collect();
            let out = pool.install(|| {
                semi_join(
                    JoinInput { schema: &ks, batches: std::slice::from_ref(&k), keys: &["k"] },
                    JoinInput { schema: &os, batches: &batches, keys: &["k"] },
                )
                .unwrap()
            });
            let set: std::collections::HashSet<&str> = other.iter().flatten().map(String::as_str).collect();
            let want: Vec<i64> = (0..)
                .zip(&kept)
                .filter(|(_, key)| key.as_deref().is_some_and(|key| set.contains(key)))
                .map(|(i, _)| i)
                .collect();
            let got: Vec<i64> =
                out.batches.iter().flat_map(|b| b.column(1).as_primitive::<Int64Type>().values().to_vec()).collect();
            assert!(want.len() > 1000, "{}", want.len());
            assert_eq!(got, want);
        }
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
