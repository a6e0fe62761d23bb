//! Spark's seeded `rand(seed)` and `randn(seed)`, value for value: Spark draws from its
//! `XORShiftRandom`, seeded with `seed + partition index`, through `java.util.Random`'s
//! `nextDouble` and `nextGaussian`. glueless runs a query as one partition, so the values equal
//! Spark's where Spark's input is one partition too (`spark.range(0, n, 1, 1)`, a small
//! `createDataFrame` on one core); with more partitions Spark restarts the sequence in each.
//!
//! The functions are `spark_rand(seed, i)` / `spark_randn(seed, i)`, the `i`-th value of the
//! sequence (the templates pass the row's position); a NULL seed is one chosen at random per
//! query, as Spark's `rand()`. Values are drawn in order and the generator is kept between
//! batches, so a scan costs one draw per row.

use std::sync::{Arc, Mutex};

use arrow_array::cast::AsArray;
use arrow_array::types::Int64Type;
use arrow_array::{Array, Float64Array};
use arrow_schema::DataType;
use datafusion::error::Result;
use datafusion::logical_expr::{ColumnarValue, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility};

/// The family's functions.
pub(crate) fn functions() -> Vec<Arc<ScalarUDF>> {
    vec![SeededRandom::udf("spark_rand", Draw::Uniform), SeededRandom::udf("spark_randn", Draw::Gaussian)]
}

/// Which of `java.util.Random`'s draws a function makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Draw {
    Uniform,
    Gaussian,
}

/// Spark's `XORShiftRandom` behind `java.util.Random`'s `nextDouble` / `nextGaussian`.
#[derive(Debug, Clone)]
struct XorShiftRandom {
    state: i64,
    next_gaussian: Option<f64>,
}

impl XorShiftRandom {
    fn new(seed: i64) -> Self {
        Self { state: hash_seed(seed), next_gaussian: None }
    }

    /// `next(bits)`: the low `bits` bits of the next xorshift state.
    fn next(&mut self, bits: u32) -> i64 {
        let mut x = self.state ^ (self.state << 21);
        x ^= ((x as u64) >> 35) as i64;
        x ^= x << 4;
        self.state = x;
        // Java truncates the masked long to an int.
        #[allow(clippy::cast_possible_truncation)]
        i64::from((x & ((1_i64 << bits) - 1)) as i32)
    }

    #[allow(clippy::cast_precision_loss)] // a 53-bit integer: exact
    fn next_double(&mut self) -> f64 {
        let high = self.next(26) << 27;
        (high + self.next(27)) as f64 * (1.0 / (1_i64 << 53) as f64)
    }

    /// The polar method of `java.util.Random.nextGaussian`, with `StrictMath`'s (fdlibm's) log.
    fn next_gaussian(&mut self) -> f64 {
        if let Some(value) = self.next_gaussian.take() {
            return value;
        }
        loop {
            let v1 = 2.0 * self.next_double() - 1.0;
            let v2 = 2.0 * self.next_double() - 1.0;
            let s = v1 * v1 + v2 * v2;
            if s < 1.0 && s != 0.0 {
                let multiplier = (-2.0 * libm::log(s) / s).sqrt();
                self.next_gaussian = Some(v2 * multiplier);
                return v1 * multiplier;
            }
        }
    }

    fn draw(&mut self, draw: Draw) -> f64 {
        match draw {
            Draw::Uniform => self.next_double(),
            Draw::Gaussian => self.next_gaussian(),
        }
    }
}

/// Spark's `XORShiftRandom.hashSeed`: Scala's `MurmurHash3.bytesHash` of the seed's big-endian
/// bytes, twice.
fn hash_seed(seed: i64) -> i64 {
    const ARRAY_SEED: u32 = 0x3c07_4a61;
    let bytes = seed.to_be_bytes();
    let low = bytes_hash(&bytes, ARRAY_SEED);
    let high = bytes_hash(&bytes, low);
    (i64::from(high) << 32) | i64::from(low)
}

/// Scala's `MurmurHash3.bytesHash` (MurmurHash3 x86 32-bit, little-endian blocks).
fn bytes_hash(data: &[u8], seed: u32) -> u32 {
    let mix_last = |h: u32, k: u32| h ^ k.wrapping_mul(0xcc9e_2d51).rotate_left(15).wrapping_mul(0x1b87_3593);
    let mut h = seed;
    let mut blocks = data.chunks_exact(4);
    for block in &mut blocks {
        let k = u32::from_le_bytes([block[0], block[1], block[2], block[3]]);
        h = mix_last(h, k).rotate_left(13).wrapping_mul(5).wrapping_add(0xe654_6b64);
    }
    let tail = blocks.remainder();
    if !tail.is_empty() {
        let k = tail.iter().rev().fold(0_u32, |k, b| (k << 8) | u32::from(*b));
        h = mix_last(h, k);
    }
    #[allow(clippy::cast_possible_truncation)] // Scala hashes an Int length
    let mut h = h ^ data.len() as u32;
    h ^= h >> 16;
    h = h.wrapping_mul(0x85eb_ca6b);
    h ^= h >> 13;
    h = h.wrapping_mul(0xc2b2_ae35);
    h ^ (h >> 16)
}

/// A seed for `rand()` without one: the process's random hasher keys, as Spark's random seed.
#[allow(clippy::cast_possible_wrap)] // any 64 bits
fn random_seed() -> i64 {
    use std::hash::{BuildHasher, Hasher};
    std::collections::hash_map::RandomState::new().build_hasher().finish() as i64
}

/// Where a query's sequence stands: its seed, the index of the next value and the generator.
#[derive(Debug)]
struct Position {
    seed: Option<i64>,
    effective_seed: i64,
    next_index: i64,
    generator: XorShiftRandom,
}

#[derive(Debug)]
struct SeededRandom {
    name: &'static str,
    draw: Draw,
    signature: Signature,
    position: Mutex<Option<Position>>,
}

same_by_name!(SeededRandom);

impl SeededRandom {
    fn udf(name: &'static str, draw: Draw) -> Arc<ScalarUDF> {
        let signature = Signature::exact(vec![DataType::Int64, DataType::Int64], Volatility::Immutable);
        Arc::new(ScalarUDF::new_from_impl(Self { name, draw, signature, position: Mutex::new(None) }))
    }

    /// The `index`-th value of `seed`'s sequence, drawing on from the kept position when it is
    /// at or before `index`, from the start otherwise.
    fn value(&self, position: &mut Option<Position>, seed: Option<i64>, index: i64) -> f64 {
        let reusable = position.as_ref().is_some_and(|p| p.seed == seed && p.next_index <= index && seed.is_some());
        if !reusable {
            let effective_seed = match (seed, position.as_ref()) {
                (Some(seed), _) => seed,
                // An unseeded query keeps its one random seed while it draws in order.
                (None, Some(p)) if p.seed.is_none() && p.next_index <= index => p.effective_seed,
                (None, _) => random_seed(),
            };
            *position =
                Some(Position { seed, effective_seed, next_index: 0, generator: XorShiftRandom::new(effective_seed) });
        }
        let p = position.as_mut().expect("set above");
        while p.next_index < index {
            p.generator.draw(self.draw);
            p.next_index += 1;
        }
        p.next_index += 1;
        p.generator.draw(self.draw)
    }
}

impl ScalarUDFImpl for SeededRandom {
    fn name(&self) -> &str {
        self.name
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Float64)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let arrays = ColumnarValue::values_to_arrays(&args.args)?;
        let (seeds, indexes) = (arrays[0].as_primitive::<Int64Type>(), arrays[1].as_primitive::<Int64Type>());
        let mut position = self.position.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let values: Float64Array = (0..indexes.len())
            .map(|row| {
                let seed = seeds.is_valid(row).then(|| seeds.value(row));
                indexes.is_valid(row).then(|| self.value(&mut position, seed, indexes.value(row)))
            })
            .collect();
        Ok(ColumnarValue::Array(Arc::new(values)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[allow(clippy::float_cmp)] // Spark's exact bits
    fn draws_spark_sequences() {
        let mut uniform = XorShiftRandom::new(42);
        let mut gaussian = XorShiftRandom::new(42);
        let first: Vec<f64> = (0..2).map(|_| uniform.next_double()).collect();
        let normal: Vec<f64> = (0..2).map(|_| gaussian.next_gaussian()).collect();
        // PySpark 3.5.9 and 4.3.0: spark.range(0, 2, 1, 1).select(rand(42), randn(42), randn(-7))
        assert_eq!(first, vec![0.619_189_370_225_301, 0.509_601_884_244_648_1]);
        assert_eq!(normal, vec![2.384_479_054_241_165, 0.192_093_404_129_352_4]);
        let mut negative = XorShiftRandom::new(-7);
        assert_eq!(negative.next_gaussian(), 0.461_972_651_679_827_3);
        let mut zero = XorShiftRandom::new(0);
        assert_eq!(zero.next_double(), 0.760_495_375_828_591_5);
    }
}
