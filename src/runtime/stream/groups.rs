//! The open groups of a streaming aggregation, split into shards by key hash, so that a batch
//! folds shard by shard in parallel while every group still sees its rows in input order: the
//! result is exactly the sequential fold's, float sums included.
//!
//! A group's key is its time (window start or event time) as 8 order-preserving bytes, then its
//! group-by values in Arrow's row format; byte order of keys is time order, then key order.

use ahash::RandomState;
use hashbrown::hash_table::{Entry, HashTable};
use rayon::prelude::*;

use super::accumulator::Acc;
use crate::core::pool;

/// Shards of the group table (a power of two; more than the pool's threads, for balance).
const SHARDS: usize = 16;

/// One row's share of a batch: the group (time `start`, hashed with the row's group values) it
/// folds into.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Keyed {
    pub(crate) row: u32,
    pub(crate) start: i64,
    pub(crate) hash: u64,
}

struct Group {
    key: Box<[u8]>,
    hash: u64,
    accs: Vec<Acc>,
    /// Folded a row since the last [`Groups::take_updated`] (update output mode).
    updated: bool,
}

/// Open groups and their accumulators.
pub(crate) struct Groups {
    shards: Vec<HashTable<Group>>,
    hasher: RandomState,
}

impl Default for Groups {
    fn default() -> Self {
        Self {
            shards: (0..SHARDS).map(|_| HashTable::new()).collect(),
            hasher: RandomState::with_seeds(0x5851_f42d, 0x4c95_7f2d, 0x1405_7b7e, 0xf767_814f),
        }
    }
}

/// The shard of a hash: middle bits, as the table itself uses the low bits (bucket) and the top
/// seven (tag).
fn shard_of(hash: u64) -> usize {
    (hash >> 40) as usize % SHARDS
}

/// A time as 8 bytes whose byte order is the numeric order (sign bit flipped, big-endian).
#[must_use]
pub(crate) fn time_key(time: i64) -> [u8; 8] {
    ((time as u64) ^ (1 << 63)).to_be_bytes()
}

/// The time of a group key.
#[must_use]
pub(crate) fn start_of(key: &[u8]) -> i64 {
    let mut time = [0u8; 8];
    time.copy_from_slice(&key[..8]);
    (u64::from_be_bytes(time) ^ (1 << 63)) as i64
}

impl Groups {
    /// Number of open groups.
    #[must_use]
    pub(crate) fn len(&self) -> usize {
        self.shards.iter().map(HashTable::len).sum()
    }

    /// The hash of the group at time `start` with group values `values` (row format).
    #[must_use]
    pub(crate) fn hash(&self, start: i64, values: &[u8]) -> u64 {
        self.hasher.hash_one((start, values))
    }

    /// Empty per-shard lists, to fill with [`Self::push`].
    #[must_use]
    pub(crate) fn new_lists() -> Vec<Vec<Keyed>> {
        vec![Vec::new(); SHARDS]
    }

    /// Put `keyed` in the list of its shard.
    pub(crate) fn push(lists: &mut [Vec<Keyed>], keyed: Keyed) {
        lists[shard_of(keyed.hash)].push(keyed);
    }

    /// Fold the rows of `parts` (per-shard lists of consecutive row ranges, in input order) into
    /// their groups, shards in parallel: `values(row)` gives a row's group values, `empty()` a new
    /// group's accumulators, `update(accs, row)` folds a row in.
    pub(crate) fn fold<'v>(
        &mut self,
        parts: &[Vec<Vec<Keyed>>],
        values: impl Fn(usize) -> &'v [u8] + Sync,
        empty: impl Fn() -> Vec<Acc> + Sync,
        update: impl Fn(&mut [Acc], usize) + Sync,
    ) {
        pool::install(|| {
            self.shards.par_iter_mut().enumerate().for_each(|(s, shard)| {
                for item in parts.iter().flat_map(|lists| &lists[s]) {
                    let row = item.row as usize;
                    let group_values = values(row);
                    let same = |g: &Group| start_of(&g.key) == item.start && &g.key[8..] == group_values;
                    let group = match shard.entry(item.hash, same, |g| g.hash) {
                        Entry::Occupied(entry) => entry.into_mut(),
                        Entry::Vacant(entry) => {
                            let key = [&time_key(item.start)[..], group_values].concat().into_boxed_slice();
                            entry.insert(Group { key, hash: item.hash, accs: empty(), updated: false }).into_mut()
                        }
                    };
                    update(&mut group.accs, row);
                    group.updated = true;
                }
            });
        });
    }

    /// Add a group (restoring a checkpoint); its key must be new.
    pub(crate) fn insert(&mut self, key: Box<[u8]>, accs: Vec<Acc>) {
        let hash = self.hash(start_of(&key), &key[8..]);
        self.shards[shard_of(hash)].insert_unique(hash, Group { key, hash, accs, updated: false }, |g| g.hash);
    }

    /// Every group, in key order.
    #[must_use]
    pub(crate) fn sorted(&self) -> Vec<(&[u8], &[Acc])> {
        let mut all: Vec<(&[u8], &[Acc])> =
            self.shards.iter().flat_map(|s| s.iter().map(|g| (&g.key[..], &g.accs[..]))).collect();
        all.sort_unstable_by(|a, b| a.0.cmp(b.0));
        all
    }

    /// The groups that folded a row since the last call, in key order (copies: they stay open).
    pub(crate) fn take_updated(&mut self) -> Vec<(Box<[u8]>, Vec<Acc>)> {
        let mut updated = Vec::new();
        for group in self.shards.iter_mut().flat_map(HashTable::iter_mut) {
            if std::mem::take(&mut group.updated) {
                updated.push((group.key.clone(), group.accs.clone()));
            }
        }
        updated.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        updated
    }

    /// Remove the groups whose key `closed` says, and return them in key order.
    pub(crate) fn remove_closed(&mut self, closed: impl Fn(&[u8]) -> bool) -> Vec<(Box<[u8]>, Vec<Acc>)> {
        let mut removed = Vec::new();
        for shard in &mut self.shards {
            removed.extend(shard.extract_if(|g| closed(&g.key)).map(|g| (g.key, g.accs)));
        }
        removed.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        removed
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use arrow_array::Float64Array;

    use super::*;
    use crate::runtime::stream::accumulator::Values;
    use crate::runtime::stream::spec::AggFunc;

    /// Float sums depend on the order of their terms: the sharded, parallel fold must add each
    /// group's rows in input order, as a sequential fold does.
    #[test]
    #[allow(clippy::cast_possible_truncation)] // small test values
    fn the_parallel_fold_is_the_sequential_fold() {
        let n = 50_000usize;
        let group_values: Vec<[u8; 2]> = (0..n).map(|i| [(i * 7 % 13) as u8, (i % 3) as u8]).collect();
        let starts: Vec<i64> = (0..n).map(|i| (i % 5) as i64 * 60_000_000 - 60_000_000).collect();
        let values = Values::Float(Float64Array::from_iter_values((0..n).map(|i| 1.0 / (i as f64 + 0.3))));

        let mut groups = Groups::default();
        let parts: Vec<Vec<Vec<Keyed>>> = (0..n)
            .step_by(7_000)
            .map(|first| {
                let mut lists = Groups::new_lists();
                for row in first..(first + 7_000).min(n) {
                    let hash = groups.hash(starts[row], &group_values[row]);
                    Groups::push(&mut lists, Keyed { row: row as u32, start: starts[row], hash });
                }
                lists
            })
            .collect();
        groups.fold(
            &parts,
            |row| &group_values[row][..],
            || vec![Acc::SumFloat(None)],
            |accs, row| accs[0].update(AggFunc::Sum, &values, row),
        );

        let mut expected: HashMap<Vec<u8>, f64> = HashMap::new();
        for row in 0..n {
            let key = [&time_key(starts[row])[..], &group_values[row][..]].concat();
            *expected.entry(key).or_insert(0.0) += 1.0 / (row as f64 + 0.3);
        }
        let got = groups.sorted();
        assert_eq!(got.len(), expected.len());
        for (key, accs) in got {
            assert_eq!(accs[0], Acc::SumFloat(Some(expected[key])), "group {key:?}");
        }
        let closed = groups.remove_closed(|key| start_of(key) < 0);
        assert!(closed.windows(2).all(|w| w[0].0 < w[1].0), "closed groups come in key order");
        assert!(closed.iter().all(|(key, _)| start_of(key) == -60_000_000));
        assert_eq!(groups.len() + closed.len(), expected.len());
    }
}
