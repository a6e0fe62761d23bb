//! Spark's `hash(x, …)`: its Murmur3 x86 32-bit hash, seed 42, folded over the arguments (each
//! one's hash is the next one's seed), over the bytes Spark hashes for each type: an int, date,
//! byte, short or boolean as a 4-byte int; a long or timestamp as 8 bytes; a float or double by
//! its bits (`-0.0` as `0.0`); a decimal of precision ≤ 18 as its unscaled long; text and binary
//! by Spark's own tail rule (each trailing byte mixed as a signed int); arrays, maps and structs
//! element by element. A NULL leaves the seed as it is.

use std::sync::Arc;

use arrow_schema::DataType;
use datafusion::common::ScalarValue;
use datafusion::error::{DataFusionError, Result};
use datafusion::logical_expr::{ColumnarValue, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility};

/// The family's functions.
pub(crate) fn functions() -> Vec<Arc<ScalarUDF>> {
    vec![Arc::new(ScalarUDF::new_from_impl(Murmur3Hash { signature: Signature::variadic_any(Volatility::Immutable) }))]
}

const SEED: u32 = 42;

fn mix_k1(k1: u32) -> u32 {
    k1.wrapping_mul(0xcc9e_2d51).rotate_left(15).wrapping_mul(0x1b87_3593)
}

fn mix_h1(h1: u32, k1: u32) -> u32 {
    (h1 ^ k1).rotate_left(13).wrapping_mul(5).wrapping_add(0xe654_6b64)
}

fn finish(h1: u32, length: u32) -> u32 {
    let mut h = h1 ^ length;
    h ^= h >> 16;
    h = h.wrapping_mul(0x85eb_ca6b);
    h ^= h >> 13;
    h = h.wrapping_mul(0xc2b2_ae35);
    h ^ (h >> 16)
}

#[allow(clippy::cast_sign_loss)] // the int's bits
fn hash_int(value: i32, seed: u32) -> u32 {
    finish(mix_h1(seed, mix_k1(value as u32)), 4)
}

#[allow(clippy::cast_sign_loss, clippy::cast_possible_truncation)] // the long's two halves
fn hash_long(value: i64, seed: u32) -> u32 {
    let bits = value as u64;
    let h1 = mix_h1(seed, mix_k1(bits as u32));
    finish(mix_h1(h1, mix_k1((bits >> 32) as u32)), 8)
}

/// Spark's `hashUnsafeBytes`: 4-byte little-endian words, then each remaining byte as a signed int.
#[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss, clippy::cast_possible_wrap)]
fn hash_bytes(bytes: &[u8], seed: u32) -> u32 {
    let mut words = bytes.chunks_exact(4);
    let mut h1 = seed;
    for word in &mut words {
        h1 = mix_h1(h1, mix_k1(u32::from_le_bytes([word[0], word[1], word[2], word[3]])));
    }
    for byte in words.remainder() {
        h1 = mix_h1(h1, mix_k1(i32::from(*byte as i8) as u32));
    }
    finish(h1, bytes.len() as u32)
}

/// `value`'s hash with `seed`, as Spark's `Murmur3Hash` computes it.
#[allow(clippy::cast_possible_truncation)] // decimals of precision ≤ 18 fit a long
fn hash_value(value: &ScalarValue, seed: u32) -> Result<u32> {
    use ScalarValue as V;
    if value.is_null() {
        return Ok(seed);
    }
    Ok(match value {
        V::Boolean(Some(b)) => hash_int(i32::from(*b), seed),
        V::Int8(Some(n)) => hash_int(i32::from(*n), seed),
        V::Int16(Some(n)) => hash_int(i32::from(*n), seed),
        V::Int32(Some(n)) | V::Date32(Some(n)) => hash_int(*n, seed),
        V::Int64(Some(n))
        | V::TimestampMicrosecond(Some(n), _)
        | V::DurationMicrosecond(Some(n))
        | V::Time64Microsecond(Some(n)) => hash_long(*n, seed),
        #[allow(clippy::cast_possible_wrap)]
        V::Float32(Some(f)) => hash_int(if *f == 0.0 { 0 } else { f.to_bits() as i32 }, seed),
        #[allow(clippy::cast_possible_wrap)]
        V::Float64(Some(f)) => hash_long(if *f == 0.0 { 0 } else { f.to_bits() as i64 }, seed),
        V::Decimal128(Some(unscaled), precision, _) if *precision <= 18 => hash_long(*unscaled as i64, seed),
        // Java's BigInteger.toByteArray: the shortest big-endian two's complement.
        V::Decimal128(Some(unscaled), _, _) => hash_bytes(&minimal_twos_complement(*unscaled), seed),
        V::Utf8(Some(s)) | V::LargeUtf8(Some(s)) | V::Utf8View(Some(s)) => hash_bytes(s.as_bytes(), seed),
        V::Binary(Some(b)) | V::LargeBinary(Some(b)) | V::BinaryView(Some(b)) => hash_bytes(b, seed),
        V::List(array) => fold_array(array.as_ref(), seed)?,
        V::LargeList(array) => fold_array(array.as_ref(), seed)?,
        V::FixedSizeList(array) => fold_array(array.as_ref(), seed)?,
        V::Struct(array) => {
            let mut h = seed;
            for column in array.columns() {
                h = hash_value(&ScalarValue::try_from_array(column, 0)?, h)?;
            }
            h
        }
        V::Map(array) => fold_array(array.as_ref(), seed)?,
        other => {
            return Err(DataFusionError::Plan(format!(
                "hash of a {} value is not supported by glueless",
                crate::core::types::display_name(&other.data_type(), crate::core::types::Dialect::Spark)
            )))
        }
    })
}

/// The hash of a list or map scalar's elements (a map's entries are structs of key and value).
fn fold_array(array: &dyn arrow_array::Array, seed: u32) -> Result<u32> {
    let mut h = seed;
    let values = ScalarValue::try_from_array(array, 0)?;
    let elements = match values {
        ScalarValue::List(list) => list.value(0),
        ScalarValue::LargeList(list) => list.value(0),
        ScalarValue::FixedSizeList(list) => list.value(0),
        ScalarValue::Map(map) => Arc::new(map.value(0)) as arrow_array::ArrayRef,
        _ => return Ok(seed),
    };
    for row in 0..elements.len() {
        h = hash_value(&ScalarValue::try_from_array(&elements, row)?, h)?;
    }
    Ok(h)
}

fn minimal_twos_complement(value: i128) -> Vec<u8> {
    let bytes = value.to_be_bytes();
    let sign = if value < 0 { 0xff } else { 0 };
    let mut start = 0;
    while start < 15 && bytes[start] == sign && (bytes[start + 1] & 0x80) == (sign & 0x80) {
        start += 1;
    }
    bytes[start..].to_vec()
}

#[derive(Debug, PartialEq, Eq, Hash)]
struct Murmur3Hash {
    signature: Signature,
}

impl ScalarUDFImpl for Murmur3Hash {
    fn name(&self) -> &'static str {
        "hash"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Int32)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        super::row::each_row(&args, |row| {
            let mut h = SEED;
            for value in row {
                h = hash_value(value, h)?;
            }
            #[allow(clippy::cast_possible_wrap)] // Spark's int
            Ok(ScalarValue::Int32(Some(h as i32)))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spark_hash(values: &[ScalarValue]) -> i32 {
        #[allow(clippy::cast_possible_wrap)]
        values.iter().try_fold(SEED, |h, v| hash_value(v, h)).map(|h| h as i32).expect("hashable")
    }

    #[test]
    fn hashes_as_spark() {
        // PySpark 3.5.9 / 4.3.0: SELECT hash(1), hash('abc'), hash(1L), hash(1.5D), hash(NULL), …
        let text = |s: &str| ScalarValue::Utf8(Some(s.to_string()));
        assert_eq!(spark_hash(&[ScalarValue::Int32(Some(1))]), -559_580_957);
        assert_eq!(spark_hash(&[text("abc")]), 1_322_437_556);
        assert_eq!(spark_hash(&[text("abcdefghi")]), -1_830_117_711);
        assert_eq!(spark_hash(&[ScalarValue::Int64(Some(1))]), -1_712_319_331);
        assert_eq!(spark_hash(&[ScalarValue::Float64(Some(1.5))]), 1_290_763_749);
        assert_eq!(spark_hash(&[ScalarValue::Decimal128(Some(123), 10, 2)]), -46_242_105);
        assert_eq!(spark_hash(&[ScalarValue::Int32(None)]), 42);
        assert_eq!(spark_hash(&[ScalarValue::Int32(Some(1)), text("a")]), -936_062_819);
        assert_eq!(spark_hash(&[ScalarValue::Float32(Some(1.5))]), -221_251_528);
        assert_eq!(spark_hash(&[ScalarValue::Boolean(Some(true))]), -559_580_957);
        assert_eq!(spark_hash(&[ScalarValue::Date32(Some(18262))]), -725_858_435);
        let array = ScalarValue::List(ScalarValue::new_list_nullable(
            &[ScalarValue::Int32(Some(1)), ScalarValue::Int32(Some(2))],
            &DataType::Int32,
        ));
        assert_eq!(spark_hash(&[array]), -222_940_379);
    }
}
