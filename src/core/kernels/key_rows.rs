//! Join and DISTINCT keys hashed and compared column by column where they lie: no key is copied
//! or encoded for the common key types (strings, binary, integers, floats, decimals, dates and
//! times), so keying millions of rows costs one hash per row. Other types (booleans, views,
//! nested, dictionaries) are encoded in Arrow's row format, one column at a time.
//!
//! Equality is Arrow row-format equality: nulls equal each other, floats compare by their bits
//! (as the row format's total order does: `-0.0` ≠ `0.0`, a NaN equals the same NaN).

use ahash::RandomState;
use arrow_array::cast::AsArray;
use arrow_array::{Array, ArrayRef};
use arrow_buffer::{Buffer, NullBuffer, OffsetBuffer, ScalarBuffer};
use arrow_row::{RowConverter, Rows, SortField};
use arrow_schema::DataType;

use crate::error::Result;

/// The keys of one batch's rows: their values in place, one hash per row, and which rows have
/// every key present.
pub(crate) struct KeyRows {
    columns: Vec<KeyColumn>,
    hashes: Vec<u64>,
    valid: Option<NullBuffer>,
}

struct KeyColumn {
    nulls: Option<NullBuffer>,
    values: Values,
}

/// A key column's values, by how they are compared: fixed-width values as integers of their
/// width (a float by its bits), variable-width values as byte strings, anything else encoded.
enum Values {
    W1(ScalarBuffer<i8>),
    W2(ScalarBuffer<i16>),
    W4(ScalarBuffer<i32>),
    W8(ScalarBuffer<i64>),
    W16(ScalarBuffer<i128>),
    Bytes(OffsetBuffer<i32>, Buffer),
    LargeBytes(OffsetBuffer<i64>, Buffer),
    Encoded(Rows),
}

/// The hasher of every key: fixed seeds, so a build side and a probe side hashed apart agree.
fn hasher() -> RandomState {
    RandomState::with_seeds(0x243f_6a88_85a3_08d3, 0x1319_8a2e_0370_7344, 0xa409_3822_299f_31d0, 0x082e_fa98_ec4e_6c89)
}

/// The hash of a null key value.
const NULL_HASH: u64 = 0x9e37_79b9_7f4a_7c15;

/// Mix a column's hash into the row's hash so far (a folded multiply: every input bit reaches
/// the high bits, which pick DISTINCT's partition, and the low ones, which the hash table uses).
fn combine(row: u64, column: u64) -> u64 {
    let product = u128::from(row ^ column.rotate_left(32)) * 0x5851_f42d_4c95_7f2d_u128;
    // Folding the 128-bit product: keeping the low 64 bits of each half is the point.
    #[allow(clippy::cast_possible_truncation)]
    let folded = (product as u64) ^ ((product >> 64) as u64);
    folded
}

impl KeyRows {
    /// Key the rows of `columns` (all of one length).
    ///
    /// # Errors
    /// An Arrow error for a type the row format cannot encode either.
    pub(crate) fn new(columns: &[ArrayRef]) -> Result<Self> {
        let state = hasher();
        let len = columns.first().map_or(0, Array::len);
        let mut hashes = vec![0u64; len];
        let mut keyed = Vec::with_capacity(columns.len());
        for (c, column) in columns.iter().enumerate() {
            let key = KeyColumn { nulls: column.logical_nulls(), values: Values::of(column)? };
            key.hash_into(&state, &mut hashes, c == 0);
            keyed.push(key);
        }
        let valid = keyed.iter().fold(None, |acc, k| NullBuffer::union(acc.as_ref(), k.nulls.as_ref()));
        Ok(Self { columns: keyed, hashes, valid })
    }

    /// Rows keyed.
    #[must_use]
    pub(crate) fn len(&self) -> usize {
        self.hashes.len()
    }

    #[cfg(test)]
    /// No rows keyed.
    #[must_use]
    pub(crate) fn is_empty(&self) -> bool {
        self.hashes.is_empty()
    }

    /// The hash of row `i`'s key.
    #[must_use]
    pub(crate) fn hash(&self, i: usize) -> u64 {
        self.hashes[i]
    }

    /// Row `i` has every key present (a null key never joins).
    #[must_use]
    pub(crate) fn is_valid(&self, i: usize) -> bool {
        self.valid.as_ref().is_none_or(|v| v.is_valid(i))
    }

    /// Rows with every key present (`None`: all).
    #[must_use]
    pub(crate) fn valid(&self) -> Option<&NullBuffer> {
        self.valid.as_ref()
    }

    /// Row `i` here has the same key as row `j` of `other` (keyed from columns of the same types).
    #[must_use]
    pub(crate) fn same(&self, i: usize, other: &KeyRows, j: usize) -> bool {
        self.columns.iter().zip(&other.columns).all(|(a, b)| a.same(i, b, j))
    }
}

impl KeyColumn {
    fn is_null(&self, i: usize) -> bool {
        self.nulls.as_ref().is_some_and(|n| n.is_null(i))
    }

    /// Write (`first`) or mix this column's value hashes into `hashes`.
    fn hash_into(&self, state: &RandomState, hashes: &mut [u64], first: bool) {
        fn fill(hashes: &mut [u64], first: bool, nulls: Option<&NullBuffer>, value: impl Fn(usize) -> u64) {
            for (i, h) in hashes.iter_mut().enumerate() {
                let column = if nulls.is_some_and(|n| n.is_null(i)) { NULL_HASH } else { value(i) };
                *h = if first { column } else { combine(*h, column) };
            }
        }
        let nulls = self.nulls.as_ref();
        match &self.values {
            Values::W1(v) => fill(hashes, first, nulls, |i| state.hash_one(v[i])),
            Values::W2(v) => fill(hashes, first, nulls, |i| state.hash_one(v[i])),
            Values::W4(v) => fill(hashes, first, nulls, |i| state.hash_one(v[i])),
            Values::W8(v) => fill(hashes, first, nulls, |i| state.hash_one(v[i])),
            Values::W16(v) => fill(hashes, first, nulls, |i| state.hash_one(v[i])),
            Values::Bytes(offsets, values) => fill(hashes, first, nulls, |i| state.hash_one(slot(offsets, values, i))),
            Values::LargeBytes(offsets, values) => {
                fill(hashes, first, nulls, |i| state.hash_one(slot(offsets, values, i)));
            }
            Values::Encoded(rows) => fill(hashes, first, nulls, |i| state.hash_one(rows.row(i).as_ref())),
        }
    }

    fn same(&self, i: usize, other: &KeyColumn, j: usize) -> bool {
        match (self.is_null(i), other.is_null(j)) {
            (true, true) => return true,
            (false, false) => {}
            _ => return false,
        }
        match (&self.values, &other.values) {
            (Values::W1(a), Values::W1(b)) => a[i] == b[j],
            (Values::W2(a), Values::W2(b)) => a[i] == b[j],
            (Values::W4(a), Values::W4(b)) => a[i] == b[j],
            (Values::W8(a), Values::W8(b)) => a[i] == b[j],
            (Values::W16(a), Values::W16(b)) => a[i] == b[j],
            (Values::Bytes(ao, av), Values::Bytes(bo, bv)) => slot(ao, av, i) == slot(bo, bv, j),
            (Values::LargeBytes(ao, av), Values::LargeBytes(bo, bv)) => slot(ao, av, i) == slot(bo, bv, j),
            (Values::Encoded(a), Values::Encoded(b)) => a.row(i) == b.row(j),
            _ => false,
        }
    }
}

/// Value `i` of a variable-width column.
fn slot<'a, O: arrow_buffer::ArrowNativeType>(offsets: &OffsetBuffer<O>, values: &'a Buffer, i: usize) -> &'a [u8] {
    &values[offsets[i].as_usize()..offsets[i + 1].as_usize()]
}

impl Values {
    fn of(column: &ArrayRef) -> Result<Self> {
        let data_type = column.data_type();
        Ok(match data_type {
            DataType::Utf8 => {
                let a = column.as_string::<i32>();
                Values::Bytes(a.offsets().clone(), a.values().clone())
            }
            DataType::Binary => {
                let a = column.as_binary::<i32>();
                Values::Bytes(a.offsets().clone(), a.values().clone())
            }
            DataType::LargeUtf8 => {
                let a = column.as_string::<i64>();
                Values::LargeBytes(a.offsets().clone(), a.values().clone())
            }
            DataType::LargeBinary => {
                let a = column.as_binary::<i64>();
                Values::LargeBytes(a.offsets().clone(), a.values().clone())
            }
            // A primitive array's values buffer, already checked to be aligned for its native
            // type, which has the alignment of the integer of its width.
            DataType::Interval(_) | DataType::Decimal256(_, _) => Values::encoded(column)?,
            t => match t.primitive_width() {
                Some(width) => {
                    let data = column.to_data();
                    let (buffer, offset, len) = (data.buffers()[0].clone(), data.offset(), data.len());
                    match width {
                        1 => Values::W1(ScalarBuffer::new(buffer, offset, len)),
                        2 => Values::W2(ScalarBuffer::new(buffer, offset, len)),
                        4 => Values::W4(ScalarBuffer::new(buffer, offset, len)),
                        8 => Values::W8(ScalarBuffer::new(buffer, offset, len)),
                        16 => Values::W16(ScalarBuffer::new(buffer, offset, len)),
                        _ => Values::encoded(column)?,
                    }
                }
                None => Values::encoded(column)?,
            },
        })
    }

    fn encoded(column: &ArrayRef) -> Result<Self> {
        let converter = RowConverter::new(vec![SortField::new(column.data_type().clone())])?;
        Ok(Values::Encoded(converter.convert_columns(std::slice::from_ref(column))?))
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow_array::{BooleanArray, Decimal128Array, Float64Array, Int32Array, LargeStringArray, StringArray};

    use super::*;

    fn keys(columns: Vec<ArrayRef>) -> KeyRows {
        KeyRows::new(&columns).unwrap()
    }

    /// Row-format equality, the reference.
    fn encoded_equal(columns: &[ArrayRef], i: usize, j: usize) -> bool {
        let fields = columns.iter().map(|c| SortField::new(c.data_type().clone())).collect();
        let rows = RowConverter::new(fields).unwrap().convert_columns(columns).unwrap();
        rows.row(i) == rows.row(j)
    }

    #[test]
    fn equal_keys_hash_alike_and_compare_as_the_row_format_does() {
        let columns: Vec<ArrayRef> = vec![
            Arc::new(StringArray::from(vec![Some("a"), Some("a"), None, None, Some("a"), Some("b"), Some("a")])),
            Arc::new(Float64Array::from(vec![Some(1.0), Some(1.0), None, None, Some(-0.0), Some(1.0), Some(0.0)])),
            Arc::new(BooleanArray::from(vec![Some(true), Some(true), None, None, Some(true), Some(true), Some(true)])),
        ];
        let k = keys(columns.clone());
        for i in 0..k.len() {
            for j in 0..k.len() {
                let same = k.same(i, &k, j);
                assert_eq!(same, encoded_equal(&columns, i, j), "rows {i} and {j}");
                if same {
                    assert_eq!(k.hash(i), k.hash(j));
                }
            }
        }
        assert!(k.same(2, &k, 3), "null keys are equal for DISTINCT");
        assert!(!k.is_valid(2) && k.is_valid(0));
        assert_ne!(k.hash(0), k.hash(5));
    }

    #[test]
    fn slices_and_separately_keyed_batches_agree() {
        let a: ArrayRef = Arc::new(LargeStringArray::from(vec!["x", "y", "z"]));
        let b: ArrayRef = Arc::new(Int32Array::from(vec![1, 2, 3]));
        let d: ArrayRef = Arc::new(Decimal128Array::from(vec![10, 20, 30]).with_precision_and_scale(10, 2).unwrap());
        let whole = keys(vec![a.clone(), b.clone(), d.clone()]);
        let tail = keys(vec![a.slice(1, 2), b.slice(1, 2), d.slice(1, 2)]);
        for j in 0..2 {
            assert!(whole.same(j + 1, &tail, j));
            assert_eq!(whole.hash(j + 1), tail.hash(j));
        }
        assert!(!whole.same(0, &tail, 0));
    }
}
