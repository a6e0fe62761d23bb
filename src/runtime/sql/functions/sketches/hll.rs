//! Spark's HyperLogLog sketches (3.5): `hll_sketch_agg(x[, lgConfigK])` counts distinct values
//! of an int, bigint, string or binary column into an HLL_8 sketch (lgConfigK 4–21, default 12);
//! `hll_union_agg(sketch[, allowDifferentLgConfigK])` and `hll_union(a, b[, allow…])` merge
//! sketches; `hll_sketch_estimate(sketch)` is the rounded estimate.
//!
//! Values are hashed as Java's `HllSketch.update` hashes them (ints widened to long, text as its
//! UTF-8 bytes, empty text and bytes skipped), so glueless's and Spark's sketches of the same
//! values are the same sketch. Images are written in the compact form (Spark writes the
//! updatable one; each reads both).

use std::sync::Arc;

use arrow_array::ArrayRef;
use arrow_schema::DataType;
use datafusion::common::ScalarValue;
use datafusion::error::{DataFusionError, Result};
use datafusion::logical_expr::{AggregateUDF, ScalarUDF};
use datasketches::hash::value::raw_bytes;
use datasketches::hll::{HllSketch, HllType, HllUnion};

use super::super::row::{RowContext, RowFunction};
use super::{
    aggregate, arity, bool_argument, each_image, each_key, int_argument, is_binary, unexpected_type, AggregateKind,
    Key, Sketch,
};

/// Spark's default and bounds of lgConfigK (DataSketches' `HllUtil`).
const DEFAULT_LG_K: i64 = 12;
const LG_K_RANGE: std::ops::RangeInclusive<i64> = 4..=21;

/// The register width Spark's sketches and unions are written with.
const TARGET: HllType = HllType::Hll8;

/// The family's aggregates.
pub(super) fn aggregates() -> Vec<Arc<AggregateUDF>> {
    vec![
        aggregate(AggregateKind {
            name: "hll_sketch_agg",
            coerce: coerce_values,
            start: start_sketch,
            nullable: false,
            constant: ("HLL_K_MUST_BE_CONSTANT", "K"),
            columns: 1,
        }),
        aggregate(AggregateKind {
            name: "hll_union_agg",
            coerce: coerce_images,
            start: start_union,
            nullable: false,
            constant: ("HLL_K_MUST_BE_CONSTANT", "allowDifferentLgConfigK"),
            columns: 1,
        }),
    ]
}

/// The family's scalar functions.
pub(super) fn functions() -> Vec<Arc<ScalarUDF>> {
    vec![
        RowFunction::strict(
            "hll_sketch_estimate",
            vec![DataType::Binary],
            1,
            DataType::Int64,
            |args, _: RowContext| {
                let sketch = read("hll_sketch_estimate", &super::super::row::bytes(&args[0]))?;
                Ok(ScalarValue::Int64(Some(super::java_round(sketch.estimate()))))
            },
        ),
        RowFunction::strict(
            "hll_union",
            vec![DataType::Binary, DataType::Binary, DataType::Boolean],
            2,
            DataType::Binary,
            |args, _: RowContext| {
                let first = read("hll_union", &super::super::row::bytes(&args[0]))?;
                let second = read("hll_union", &super::super::row::bytes(&args[1]))?;
                let allow = matches!(args.get(2), Some(ScalarValue::Boolean(Some(true))));
                let (k1, k2) = (first.lg_config_k(), second.lg_config_k());
                // An empty sketch's lgConfigK neither clashes nor bounds the union's.
                let lg_max_k = match (first.is_empty(), second.is_empty()) {
                    (true, false) => k2,
                    (false, true) => k1,
                    (false, false) if !allow => {
                        same_lg_k("hll_union", k1, k2)?;
                        k1
                    }
                    _ => k1.min(k2),
                };
                let mut union = new_union(lg_max_k)?;
                union.update(&first);
                union.update(&second);
                Ok(ScalarValue::Binary(Some(image(&union.to_sketch(TARGET)))))
            },
        ),
    ]
}

/// `hll_sketch_agg`'s arguments: Spark's implicit casts to int, bigint, string or binary.
fn coerce_values(types: &[DataType]) -> Result<Vec<DataType>> {
    arity("hll_sketch_agg", types.len(), 1, 2)?;
    let value = match &types[0] {
        // Spark's `ExpectsInputTypes`: no implicit casts (a smallint or a decimal is refused).
        t @ (DataType::Int32 | DataType::Int64 | DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View) => {
            t.clone()
        }
        t if is_binary(t) && *t != DataType::Null => t.clone(),
        other => {
            return Err(unexpected_type(
                "hll_sketch_agg",
                1,
                "(\"INT\" or \"BIGINT\" or \"STRING\" or \"BINARY\")",
                other,
            ))
        }
    };
    let mut coerced = vec![value];
    if let Some(lg_k) = types.get(1) {
        if *lg_k != DataType::Int32 && *lg_k != DataType::Null {
            return Err(unexpected_type("hll_sketch_agg", 2, "\"INT\"", lg_k));
        }
        coerced.push(DataType::Int32);
    }
    Ok(coerced)
}

/// `hll_union_agg`'s arguments: sketches and the flag.
fn coerce_images(types: &[DataType]) -> Result<Vec<DataType>> {
    arity("hll_union_agg", types.len(), 1, 2)?;
    if !is_binary(&types[0]) {
        return Err(unexpected_type("hll_union_agg", 1, "\"BINARY\"", &types[0]));
    }
    if let Some(flag) = types.get(1).filter(|t| !matches!(t, DataType::Boolean | DataType::Null)) {
        return Err(unexpected_type("hll_union_agg", 2, "\"BOOLEAN\"", flag));
    }
    Ok(std::iter::once(DataType::Binary).chain(types.get(1).map(|_| DataType::Boolean)).collect())
}

fn start_sketch(constants: &[Option<ScalarValue>], _input: &DataType) -> Result<Box<dyn Sketch>> {
    // A NULL lgConfigK is Java's unboxed 0.
    let lg_k = match constants.first() {
        Some(None) => 0,
        other => int_argument(other, DEFAULT_LG_K)?,
    };
    if !LG_K_RANGE.contains(&lg_k) {
        return Err(DataFusionError::Execution(format!(
            "[HLL_INVALID_LG_K] Invalid call to `hll_sketch_agg`; the `lgConfigK` value must be between {} and {}, inclusive: {lg_k}.",
            LG_K_RANGE.start(),
            LG_K_RANGE.end()
        )));
    }
    let sketch = HllSketch::new(u8::try_from(lg_k).unwrap_or(12), TARGET).map_err(sketch_error)?;
    Ok(Box::new(ValueSketch(sketch)))
}

fn start_union(constants: &[Option<ScalarValue>], _input: &DataType) -> Result<Box<dyn Sketch>> {
    let allow_different = bool_argument(constants.first(), false)?;
    Ok(Box::new(UnionSketch { union: None, allow_different }))
}

/// `hll_sketch_agg`'s sketch.
#[derive(Debug)]
struct ValueSketch(HllSketch);

impl Sketch for ValueSketch {
    fn update(&mut self, input: &[ArrayRef]) -> Result<()> {
        let sketch = &mut self.0;
        each_key(&input[0], |key| match key {
            Key::Long(v) => sketch.update(v),
            Key::Bytes(b) => sketch.update(raw_bytes::from_slice(b)),
        })
    }

    fn merge(&mut self, image: &[u8]) -> Result<()> {
        let other = read("hll_sketch_agg", image)?;
        // A group's only partial is its sketch, as Spark's union of one sketch copies it.
        if self.0.is_empty() {
            self.0 = other;
            return Ok(());
        }
        let mut union = new_union(self.0.lg_config_k())?;
        union.update(&self.0);
        union.update(&other);
        self.0 = union.to_sketch(TARGET);
        Ok(())
    }

    fn image(&mut self) -> Result<Vec<u8>> {
        Ok(image(&self.0))
    }

    fn evaluate(&mut self) -> Result<ScalarValue> {
        Ok(ScalarValue::Binary(Some(image(&self.0))))
    }

    fn size(&self) -> usize {
        self.0.estimated_size()
    }
}

/// `hll_union_agg`'s union: started by the first sketch's lgConfigK, as Spark's.
#[derive(Debug)]
struct UnionSketch {
    union: Option<HllUnion>,
    allow_different: bool,
}

impl UnionSketch {
    fn add(&mut self, image: &[u8]) -> Result<()> {
        let sketch = read("hll_union_agg", image)?;
        let union = match &mut self.union {
            // Started again by the first non-empty sketch, at its lgConfigK.
            Some(union) if !union.is_empty() || sketch.is_empty() => union,
            _ => self.union.insert(new_union(sketch.lg_config_k())?),
        };
        if !self.allow_different && !union.is_empty() && !sketch.is_empty() {
            same_lg_k("hll_union_agg", union.lg_config_k(), sketch.lg_config_k())?;
        }
        union.update(&sketch);
        Ok(())
    }

    fn result(&self) -> Result<Vec<u8>> {
        match &self.union {
            Some(union) => Ok(image(&union.to_sketch(TARGET))),
            // No sketch at all: Spark's `new Union()`, lgMaxK 12, empty.
            None => Ok(image(&new_union(12)?.to_sketch(TARGET))),
        }
    }
}

impl Sketch for UnionSketch {
    fn update(&mut self, input: &[ArrayRef]) -> Result<()> {
        let input = &input[0];
        each_image(input, |image| self.add(image))
    }

    fn merge(&mut self, image: &[u8]) -> Result<()> {
        self.add(image)
    }

    fn image(&mut self) -> Result<Vec<u8>> {
        self.result()
    }

    fn evaluate(&mut self) -> Result<ScalarValue> {
        Ok(ScalarValue::Binary(Some(self.result()?)))
    }

    fn size(&self) -> usize {
        self.union.as_ref().map_or(0, HllUnion::estimated_size)
    }
}

/// Java's `toUpdatableByteArray`, which Spark writes: a list sketch's eight coupon slots, and a
/// merged (out-of-order) HLL sketch's minimum register and how many registers hold it, which
/// Java keeps and the crate writes as 0 and the count of zeros. A sketch in set mode keeps the
/// crate's compact image (Java's updatable one is its hash table, slot by slot); Spark reads both.
fn image(sketch: &HllSketch) -> Vec<u8> {
    const COMPACT: u8 = 0x08;
    const OUT_OF_ORDER: u8 = 0x10;
    const LIST_BYTES: usize = 8 + 4 * 8;
    const REGISTERS: usize = 40;
    let mut bytes = sketch.serialize();
    if bytes.len() < 8 {
        return bytes;
    }
    match bytes[7] & 3 {
        0 => {
            bytes[5] &= !COMPACT;
            bytes.resize(LIST_BYTES.max(bytes.len()), 0);
        }
        2 if bytes[5] & OUT_OF_ORDER != 0 && bytes.len() > REGISTERS => {
            let registers = &bytes[REGISTERS..];
            let minimum = registers.iter().copied().min().unwrap_or(0);
            let count = registers.iter().fold(0u32, |n, r| n + u32::from(*r == minimum));
            bytes[6] = minimum;
            bytes[32..36].copy_from_slice(&count.to_le_bytes());
        }
        _ => {}
    }
    bytes
}

fn new_union(lg_k: u8) -> Result<HllUnion> {
    HllUnion::new(lg_k).map_err(sketch_error)
}

/// The sketch of an image, or Spark's error naming `function`.
fn read(function: &str, image: &[u8]) -> Result<HllSketch> {
    HllSketch::deserialize(image).map_err(|_| {
        DataFusionError::Execution(format!(
            "[HLL_INVALID_INPUT_SKETCH_BUFFER] Invalid call to `{function}`; only valid HLL sketch buffers are supported \
             as inputs (such as those produced by the `hll_sketch_agg` function)."
        ))
    })
}

fn same_lg_k(function: &str, left: u8, right: u8) -> Result<()> {
    if left == right {
        return Ok(());
    }
    Err(DataFusionError::Execution(format!(
        "[HLL_UNION_DIFFERENT_LG_K] Sketches have different `lgConfigK` values: {left} and {right}. Set the \
         `allowDifferentLgConfigK` parameter to true to call `{function}` with different `lgConfigK` values."
    )))
}

fn sketch_error(e: datasketches::error::Error) -> DataFusionError {
    DataFusionError::Execution(format!("HLL sketch: {}", e.message()))
}
