//! DataSketches' Tuple sketch as Java builds, combines and writes it (datasketches-java 6.2,
//! which Spark 4 calls): the QuickSelect hash table of an update sketch and of a union, the
//! intersection's hash tables, A-not-B, and the compact image (serial version 3) with Java's
//! `DoubleSummary` / `IntegerSummary` (value and mode). Entries keep Java's slot order, so
//! images are Spark's byte for byte.

use datafusion::error::{DataFusionError, Result};

/// Java's largest theta (`Long.MAX_VALUE`): no sampling.
pub(super) const MAX_THETA: u64 = i64::MAX as u64;

/// How a summary folds values: Java's `DoubleSummary.Mode` / `IntegerSummary.Mode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) enum Mode {
    Sum = 0,
    Min = 1,
    Max = 2,
    AlwaysOne = 3,
}

impl Mode {
    /// Spark's mode argument (case-insensitive, not trimmed).
    pub(super) fn named(name: &str) -> Option<Self> {
        match name.to_lowercase().as_str() {
            "sum" => Some(Self::Sum),
            "min" => Some(Self::Min),
            "max" => Some(Self::Max),
            "alwaysone" => Some(Self::AlwaysOne),
            _ => None,
        }
    }

    fn from_byte(byte: u8) -> Option<Self> {
        [Self::Sum, Self::Min, Self::Max, Self::AlwaysOne].get(usize::from(byte)).copied()
    }
}

/// A summary's value: a double or an int (Java's two summary classes).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Value {
    Double(f64),
    Integer(i32),
}

/// One key's summary and the mode it was made with (written beside it).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Summary {
    pub(super) value: Value,
    pub(super) mode: Mode,
}

impl Summary {
    /// Java's `newSummary()`: the mode's identity.
    pub(super) fn new(integer: bool, mode: Mode) -> Self {
        let value = match (integer, mode) {
            (false, Mode::Sum) => Value::Double(0.0),
            (false, Mode::Min) => Value::Double(f64::INFINITY),
            (false, Mode::Max) => Value::Double(f64::NEG_INFINITY),
            (false, Mode::AlwaysOne) => Value::Double(1.0),
            (true, Mode::Sum) => Value::Integer(0),
            (true, Mode::Min) => Value::Integer(i32::MAX),
            (true, Mode::Max) => Value::Integer(i32::MIN),
            (true, Mode::AlwaysOne) => Value::Integer(1),
        };
        Self { value, mode }
    }

    /// Java's `update(v)`: a NaN never enters a minimum or maximum; int sums wrap.
    pub(super) fn update(&mut self, v: Value) {
        self.value = match (self.value, v, self.mode) {
            (_, _, Mode::AlwaysOne) => match self.value {
                Value::Double(_) => Value::Double(1.0),
                Value::Integer(_) => Value::Integer(1),
            },
            (Value::Double(a), Value::Double(b), Mode::Sum) => Value::Double(a + b),
            (Value::Double(a), Value::Double(b), Mode::Min) => Value::Double(if b < a { b } else { a }),
            (Value::Double(a), Value::Double(b), Mode::Max) => Value::Double(if b > a { b } else { a }),
            (Value::Integer(a), Value::Integer(b), Mode::Sum) => Value::Integer(a.wrapping_add(b)),
            (Value::Integer(a), Value::Integer(b), Mode::Min) => Value::Integer(a.min(b)),
            (Value::Integer(a), Value::Integer(b), Mode::Max) => Value::Integer(a.max(b)),
            (same, _, _) => same,
        };
    }

    /// Java's `SummarySetOperations`: a new summary of the operation's mode over both values.
    pub(super) fn combine(self, other: Self, mode: Mode) -> Self {
        let mut combined = Self::new(matches!(self.value, Value::Integer(_)), mode);
        combined.update(self.value);
        combined.update(other.value);
        combined
    }
}

/// A compact sketch: (hash, summary) entries in Java's order, theta, and whether it is empty.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Compact {
    pub(super) entries: Vec<(u64, Summary)>,
    pub(super) theta: u64,
    pub(super) empty: bool,
}

impl Compact {
    pub(super) fn empty() -> Self {
        Self { entries: Vec::new(), theta: MAX_THETA, empty: true }
    }

    /// Java's `getEstimate()`: the count, scaled up by theta when sampling.
    pub(super) fn estimate(&self) -> f64 {
        self.entries.len() as f64 / self.theta_fraction()
    }

    /// Java's `getTheta()`.
    pub(super) fn theta_fraction(&self) -> f64 {
        self.theta as f64 / MAX_THETA as f64
    }

    /// Java's `CompactSketch.toByteArray`: serial version 3, family 9, flags READ_ONLY|COMPACT
    /// (and EMPTY), the seed hash of 9001, then each hash with its summary and mode byte.
    pub(super) fn image(&self) -> Vec<u8> {
        let exact = self.theta == MAX_THETA;
        let pre_longs: u8 = if self.empty || (self.entries.len() == 1 && exact) {
            1
        } else if exact {
            2
        } else {
            3
        };
        let flags = if self.empty { 0x0E } else { 0x0A };
        let mut bytes = vec![pre_longs, 3, FAMILY, 1, 0, flags, 0xCC, 0x93];
        if pre_longs >= 2 {
            bytes.extend_from_slice(&u32::try_from(self.entries.len()).unwrap_or(u32::MAX).to_le_bytes());
            bytes.extend_from_slice(&0u32.to_le_bytes());
        }
        if pre_longs == 3 {
            bytes.extend_from_slice(&self.theta.to_le_bytes());
        }
        if !self.empty {
            for (hash, summary) in &self.entries {
                bytes.extend_from_slice(&hash.to_le_bytes());
                match summary.value {
                    Value::Double(v) => bytes.extend_from_slice(&v.to_le_bytes()),
                    Value::Integer(v) => bytes.extend_from_slice(&v.to_le_bytes()),
                }
                bytes.push(summary.mode as u8);
            }
        }
        bytes
    }

    /// A compact image, read as leniently as Java's `heapifySketch` (seed hash and order flag
    /// are not checked); None where Java fails.
    pub(super) fn read(image: &[u8], integer: bool) -> Option<Self> {
        let (pre_longs, version, sketch_type, flags) =
            (*image.first()?, *image.get(1)?, *image.get(3)?, *image.get(5)?);
        if !(1..=3).contains(&pre_longs) || version != 3 || sketch_type != 1 {
            return None;
        }
        let empty = flags & 0x04 != 0;
        let count = match pre_longs {
            1 if empty => 0,
            1 => 1,
            _ => usize::try_from(u32::from_le_bytes(image.get(8..12)?.try_into().ok()?)).ok()?,
        };
        let theta = if pre_longs == 3 { u64::from_le_bytes(image.get(16..24)?.try_into().ok()?) } else { MAX_THETA };
        let width = if integer { 4 } else { 8 };
        let mut entries = Vec::with_capacity(count);
        let mut at = 8 * usize::from(pre_longs);
        for _ in 0..count {
            let hash = u64::from_le_bytes(image.get(at..at + 8)?.try_into().ok()?);
            let raw = image.get(at + 8..at + 8 + width)?;
            let value = if integer {
                Value::Integer(i32::from_le_bytes(raw.try_into().ok()?))
            } else {
                Value::Double(f64::from_le_bytes(raw.try_into().ok()?))
            };
            let mode = Mode::from_byte(*image.get(at + 8 + width)?)?;
            entries.push((hash, Summary { value, mode }));
            at += 9 + width;
        }
        Some(Self { entries, theta, empty: empty && count == 0 })
    }
}

/// Java's `Family.TUPLE` id.
pub(super) const FAMILY: u8 = 9;

/// Java's tuple `QuickSelectSketch`: an open-addressing table of nominal size k that grows ×8
/// and, past k entries, keeps the k smallest hashes below a new theta.
#[derive(Debug, Clone)]
pub(super) struct QuickSelect {
    k: usize,
    lg_size: u32,
    hashes: Vec<u64>,
    summaries: Vec<Option<Summary>>,
    count: usize,
    threshold: usize,
    pub(super) theta: u64,
}

impl QuickSelect {
    pub(super) fn new(lg_k: u8) -> Self {
        let k = 1usize << lg_k;
        // Java's startingSubMultiple(lgK + 1, lg(8), 5).
        let target = u32::from(lg_k) + 1;
        let lg_size = if target <= 5 { 5 } else { (target - 5) % 3 + 5 };
        let mut sketch = Self {
            k,
            lg_size,
            hashes: vec![0; 1 << lg_size],
            summaries: vec![None; 1 << lg_size],
            count: 0,
            threshold: 0,
            theta: MAX_THETA,
        };
        sketch.set_threshold();
        sketch
    }

    fn set_threshold(&mut self) {
        let size = self.hashes.len();
        self.threshold = if size > self.k { size * 15 / 16 } else { size / 2 };
    }

    /// Java's `hashSearchOrInsert`: the slot of `hash`, and whether it was just taken.
    fn find_or_insert(&mut self, hash: u64) -> (usize, bool) {
        let mask = self.hashes.len() - 1;
        let stride = usize::try_from(2 * ((hash >> self.lg_size) & 127) + 1).unwrap_or(1);
        let mut slot = usize::try_from(hash).unwrap_or(0) & mask;
        loop {
            if self.hashes[slot] == 0 {
                self.hashes[slot] = hash;
                self.count += 1;
                return (slot, true);
            }
            if self.hashes[slot] == hash {
                return (slot, false);
            }
            slot = (slot + stride) & mask;
        }
    }

    /// Java's `UpdatableSketch.update(key, value)` of a hashed key.
    pub(super) fn update(&mut self, hash: u64, value: Value, new: Summary) {
        if hash == 0 || hash >= self.theta {
            return;
        }
        let (slot, _) = self.find_or_insert(hash);
        self.summaries[slot].get_or_insert(new).update(value);
        self.rebuild_if_needed();
    }

    /// A union's `merge`: a new key keeps its summary (and mode), a known one is combined.
    pub(super) fn merge(&mut self, hash: u64, summary: Summary, mode: Mode) {
        if hash == 0 || hash >= self.theta {
            return;
        }
        let (slot, _) = self.find_or_insert(hash);
        let merged = match self.summaries[slot] {
            Some(existing) => existing.combine(summary, mode),
            None => summary,
        };
        self.summaries[slot] = Some(merged);
        self.rebuild_if_needed();
    }

    fn rebuild_if_needed(&mut self) {
        if self.count <= self.threshold {
            return;
        }
        let size = self.hashes.len();
        if size > self.k {
            let mut hashes: Vec<u64> = self.entries().map(|(h, _)| h).collect();
            hashes.sort_unstable();
            self.theta = hashes[self.k];
            self.resize(size);
        } else {
            self.resize(size * 8);
        }
    }

    /// A table of `size` slots holding the entries below theta, re-inserted in slot order.
    fn resize(&mut self, size: usize) {
        let old: Vec<(u64, Summary)> = self.entries().collect();
        self.hashes = vec![0; size];
        self.summaries = vec![None; size];
        self.lg_size = size.trailing_zeros();
        self.count = 0;
        let theta = self.theta;
        for (hash, summary) in old.into_iter().filter(|(h, _)| *h < theta) {
            let (slot, _) = self.find_or_insert(hash);
            self.summaries[slot] = Some(summary);
        }
        self.set_threshold();
    }

    /// The entries in slot order.
    pub(super) fn entries(&self) -> impl Iterator<Item = (u64, Summary)> + '_ {
        self.hashes.iter().zip(&self.summaries).filter_map(|(h, s)| s.map(|s| (*h, s)))
    }

    pub(super) fn len(&self) -> usize {
        self.count
    }

    pub(super) fn nominal(&self) -> usize {
        self.k
    }
}

/// Java's tuple `Union`.
#[derive(Debug, Clone)]
pub(super) struct Union {
    table: QuickSelect,
    theta: u64,
    empty: bool,
    mode: Mode,
}

impl Union {
    pub(super) fn new(lg_k: u8, mode: Mode) -> Self {
        Self { table: QuickSelect::new(lg_k), theta: MAX_THETA, empty: true, mode }
    }

    pub(super) fn add(&mut self, sketch: &Compact) {
        if sketch.empty {
            return;
        }
        self.empty = false;
        self.theta = self.theta.min(sketch.theta);
        for (hash, summary) in &sketch.entries {
            self.table.merge(*hash, *summary, self.mode);
        }
        self.theta = self.theta.min(self.table.theta);
    }

    /// A Theta sketch's keys, each with the mode's identity (`union(theta, newSummary())`).
    pub(super) fn add_keys(&mut self, keys: &[u64], theta: u64, empty: bool, integer: bool) {
        let identity = Summary::new(integer, self.mode);
        let sketch = Compact { entries: keys.iter().map(|h| (*h, identity)).collect(), theta, empty };
        self.add(&sketch);
    }

    /// Java's `getResult`: the table's entries below the union's theta, at most k of them.
    pub(super) fn result(&self) -> Compact {
        let entries: Vec<(u64, Summary)> = self.table.entries().collect();
        if self.empty || (entries.is_empty() && self.theta == MAX_THETA) {
            return Compact::empty();
        }
        let k = self.table.nominal();
        if self.theta >= self.table.theta && entries.len() <= k {
            return Compact { entries, theta: self.table.theta, empty: false };
        }
        let mut theta = self.theta.min(self.table.theta);
        let mut below: Vec<u64> = entries.iter().map(|(h, _)| *h).filter(|h| *h < theta).collect();
        if below.len() > k {
            below.sort_unstable();
            theta = below[k];
        }
        Compact { entries: entries.into_iter().filter(|(h, _)| *h < theta).collect(), theta, empty: false }
    }
}

/// Java's tuple `Intersection`.
#[derive(Debug, Clone, Default)]
pub(super) struct Intersection {
    /// None until the first sketch; then the common entries in hash-table order.
    entries: Option<Vec<(u64, Summary)>>,
    theta: u64,
    empty: bool,
}

impl Intersection {
    pub(super) fn new() -> Self {
        Self { entries: None, theta: MAX_THETA, empty: false }
    }

    pub(super) fn has_result(&self) -> bool {
        self.entries.is_some()
    }

    pub(super) fn add(&mut self, sketch: &Compact, mode: Mode) {
        self.theta = self.theta.min(sketch.theta);
        if sketch.empty || self.empty {
            self.empty = true;
            self.entries = Some(Vec::new());
            return;
        }
        let theta = self.theta;
        let common: Vec<(u64, Summary)> = match &self.entries {
            None => sketch.entries.iter().copied().filter(|(h, _)| *h < theta).collect(),
            Some(known) => {
                let known: std::collections::HashMap<u64, Summary> = known.iter().copied().collect();
                sketch
                    .entries
                    .iter()
                    .filter(|(h, _)| *h < theta)
                    .filter_map(|(h, s)| known.get(h).map(|old| (*h, old.combine(*s, mode))))
                    .collect()
            }
        };
        self.entries = Some(hash_table_order(common));
    }

    /// A Theta sketch's keys, each with the mode's identity.
    pub(super) fn add_keys(&mut self, keys: &[u64], theta: u64, empty: bool, integer: bool, mode: Mode) {
        let identity = Summary::new(integer, mode);
        let sketch = Compact { entries: keys.iter().map(|h| (*h, identity)).collect(), theta, empty };
        self.add(&sketch, mode);
    }

    pub(super) fn result(&self) -> Compact {
        match &self.entries {
            None => Compact::empty(),
            Some(_) if self.empty => Compact::empty(),
            Some(entries) => Compact { entries: entries.clone(), theta: self.theta, empty: false },
        }
    }
}

/// Java's `HashTables`: entries placed in a table of at least 16 slots (load ≤ 3/4), read back
/// in slot order.
fn hash_table_order(entries: Vec<(u64, Summary)>) -> Vec<(u64, Summary)> {
    // ceil(n / 0.75) slots at least, a power of two, 16 or more.
    let wanted = (entries.len() * 4).div_ceil(3).max(1);
    let lg_size = (usize::BITS - (wanted - 1).leading_zeros()).max(4);
    let size = 1usize << lg_size;
    let mut table: Vec<Option<(u64, Summary)>> = vec![None; size];
    for (hash, summary) in entries {
        let stride = usize::try_from(2 * ((hash >> lg_size) & 127) + 1).unwrap_or(1);
        let mut slot = usize::try_from(hash).unwrap_or(0) & (size - 1);
        while table[slot].is_some() {
            slot = (slot + stride) & (size - 1);
        }
        table[slot] = Some((hash, summary));
    }
    table.into_iter().flatten().collect()
}

/// Java's `AnotB`: A's entries below both thetas that B does not hold, in A's order.
pub(super) fn a_not_b(a: &Compact, b_keys: &[u64], b_theta: u64, b_empty: bool) -> Compact {
    if a.empty {
        return Compact::empty();
    }
    if b_empty {
        return a.clone();
    }
    let theta = a.theta.min(b_theta);
    let keys: std::collections::HashSet<u64> = b_keys.iter().copied().collect();
    let entries: Vec<_> = a.entries.iter().copied().filter(|(h, _)| *h < theta && !keys.contains(h)).collect();
    let empty = entries.is_empty() && theta == MAX_THETA;
    Compact { entries: if empty { Vec::new() } else { entries }, theta, empty }
}

/// Spark's error for bytes that are not a Tuple sketch.
pub(super) fn invalid(function: &str) -> DataFusionError {
    DataFusionError::Execution(format!(
        "[TUPLE_INVALID_INPUT_SKETCH_BUFFER] Invalid call to `{function}`; only valid Tuple sketch buffers are \
         supported as inputs (such as those produced by the corresponding `tuple_sketch_agg_*` function)."
    ))
}

/// A Tuple sketch image's sketch, or Spark's errors naming `function`.
pub(super) fn read(function: &str, image: &[u8], integer: bool) -> Result<Compact> {
    let family = *image.get(2).ok_or_else(|| invalid(function))?;
    if family != FAMILY {
        let name = super::theta::family_name(family).ok_or_else(|| invalid(function))?;
        return Err(DataFusionError::Execution(format!(
            "[TUPLE_INVALID_INPUT_SKETCH_BUFFER_FAMILY] Invalid call to `{function}`: expected TUPLE sketch family but \
             received {name}. Only valid Tuple sketch buffers (produced by `tuple_sketch_agg_*` functions) are supported as inputs."
        )));
    }
    Compact::read(image, integer).ok_or_else(|| invalid(function))
}

#[cfg(test)]
mod tests {
    use super::super::murmur::key_hash;
    use super::*;

    /// Spark 4.3's `tuple_sketch_agg_double(id, 1.0D, 4)` over `range(100)` in one partition
    /// keeps 23 entries below theta `CA0361AAE7339F15` (little-endian), untrimmed.
    #[test]
    fn quick_select_rebuilds_as_java() {
        let mut table = QuickSelect::new(4);
        for id in 0..100i64 {
            table.update(key_hash(&id.to_le_bytes()), Value::Double(1.0), Summary::new(false, Mode::Sum));
        }
        assert_eq!(table.len(), 23);
        assert_eq!(table.theta.to_le_bytes(), [0xCA, 0x03, 0x61, 0xAA, 0xE7, 0x33, 0x9F, 0x15]);
        let sketch = Compact { entries: table.entries().collect(), theta: table.theta, empty: false };
        assert_eq!(Compact::read(&sketch.image(), false), Some(sketch));
        assert_eq!(Compact::empty().image(), [0x01, 0x03, 0x09, 0x01, 0x00, 0x0E, 0xCC, 0x93]);
    }
}
