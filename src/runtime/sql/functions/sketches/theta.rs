//! Spark's Theta sketches (4.x): `theta_sketch_agg(x[, lgNomEntries])` over ints, bigints,
//! floats, doubles, strings, binaries and int / bigint arrays (lgNomEntries 4–26, default 12);
//! `theta_union_agg` / `theta_intersection_agg` and the scalar `theta_union`,
//! `theta_intersection`, `theta_difference` set operations; `theta_sketch_estimate`.
//!
//! Values are hashed as Java's `UpdateSketch.update` hashes them (seed 9001), and every result is
//! Java's `toByteArrayCompressed` image of an ordered compact sketch, byte for byte.

use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{Float32Type, Float64Type, Int32Type, Int64Type};
use arrow_array::{Array, ArrayRef};
use arrow_schema::DataType;
use datafusion::common::ScalarValue;
use datafusion::error::{DataFusionError, Result};
use datafusion::logical_expr::{AggregateUDF, ScalarUDF};
use datasketches::hash::value::{canonical_float, raw_bytes};
use datasketches::theta::{
    CompactThetaSketch, ThetaANotB, ThetaIntersection, ThetaSketch, ThetaSketchBuilder, ThetaUnion, ThetaUnionBuilder,
};

use super::super::row::{bytes, RowContext, RowFunction};
use super::{
    aggregate, arity, each_image, each_key, int_argument, is_binary, unexpected_type, AggregateKind, Key, Sketch,
};

const DEFAULT_LG_NOM: i64 = 12;
const LG_NOM_RANGE: std::ops::RangeInclusive<i64> = 4..=26;

/// Spark's error for an lgNomEntries that is not a constant.
const CONSTANT: (&str, &str) = ("THETA_LG_NOM_ENTRIES_MUST_BE_CONSTANT", "lgNomEntries");

/// Java's `Family.COMPACT` id, the only family Spark's functions read.
const COMPACT_FAMILY: u8 = 3;

/// The family's aggregates.
pub(super) fn aggregates() -> Vec<Arc<AggregateUDF>> {
    vec![
        aggregate(AggregateKind {
            name: "theta_sketch_agg",
            coerce: coerce_values,
            start: start_sketch,
            nullable: false,
            constant: CONSTANT,
            columns: 1,
        }),
        aggregate(AggregateKind {
            name: "theta_union_agg",
            coerce: coerce_union,
            start: start_union,
            nullable: false,
            constant: CONSTANT,
            columns: 1,
        }),
        aggregate(AggregateKind {
            name: "theta_intersection_agg",
            coerce: coerce_intersection,
            start: start_intersection,
            nullable: false,
            constant: CONSTANT,
            columns: 1,
        }),
    ]
}

/// The family's scalar functions.
pub(super) fn functions() -> Vec<Arc<ScalarUDF>> {
    let two = || vec![DataType::Binary, DataType::Binary];
    vec![
        RowFunction::strict(
            "theta_sketch_estimate",
            vec![DataType::Binary],
            1,
            DataType::Int64,
            |args, _: RowContext| {
                let sketch = read("theta_sketch_estimate", &bytes(&args[0]))?;
                Ok(ScalarValue::Int64(Some(super::java_round(sketch.estimate()))))
            },
        ),
        RowFunction::strict(
            "theta_union",
            vec![DataType::Binary, DataType::Binary, DataType::Int32],
            2,
            DataType::Binary,
            |args, _: RowContext| {
                let lg = lg_nom(
                    "theta_union",
                    int_argument(args.get(2).map(|v| Some(v.clone())).as_ref(), DEFAULT_LG_NOM)?,
                )?;
                let mut union = new_union(lg)?;
                for arg in &args[..2] {
                    union.update(&read("theta_union", &bytes(arg))?).map_err(sketch_error)?;
                }
                Ok(ScalarValue::Binary(Some(image(&union.to_sketch(true)))))
            },
        ),
        RowFunction::strict("theta_intersection", two(), 2, DataType::Binary, |args, _: RowContext| {
            let mut intersection = ThetaIntersection::default();
            for arg in args {
                intersection.update(&read("theta_intersection", &bytes(arg))?).map_err(sketch_error)?;
            }
            Ok(ScalarValue::Binary(Some(intersection.to_sketch(true).map_or_else(empty_image, |s| image(&s)))))
        }),
        RowFunction::strict("theta_difference", two(), 2, DataType::Binary, |args, _: RowContext| {
            let (a, b) = (read("theta_difference", &bytes(&args[0]))?, read("theta_difference", &bytes(&args[1]))?);
            let difference = ThetaANotB::default().compute(&a, &b, true).map_err(sketch_error)?;
            Ok(ScalarValue::Binary(Some(image(&difference))))
        }),
    ]
}

/// `theta_sketch_agg`'s arguments, as Spark's `ExpectsInputTypes` takes them (no casts).
fn coerce_values(types: &[DataType]) -> Result<Vec<DataType>> {
    arity("theta_sketch_agg", types.len(), 1, 2)?;
    let accepted = match &types[0] {
        DataType::Int32
        | DataType::Int64
        | DataType::Float32
        | DataType::Float64
        | DataType::Utf8
        | DataType::LargeUtf8
        | DataType::Utf8View => true,
        DataType::List(item) | DataType::LargeList(item) => {
            matches!(item.data_type(), DataType::Int32 | DataType::Int64)
        }
        t => is_binary(t) && *t != DataType::Null,
    };
    if !accepted {
        return Err(unexpected_type(
            "theta_sketch_agg",
            1,
            "(\"ARRAY<INT>\" or \"ARRAY<BIGINT>\" or \"BINARY\" or \"DOUBLE\" or \"FLOAT\" or \"INT\" or \"BIGINT\" or \"STRING\")",
            &types[0],
        ));
    }
    lg_nom_type("theta_sketch_agg", types)
}

fn coerce_union(types: &[DataType]) -> Result<Vec<DataType>> {
    arity("theta_union_agg", types.len(), 1, 2)?;
    sketch_type("theta_union_agg", &types[0])?;
    lg_nom_type("theta_union_agg", types)
}

fn coerce_intersection(types: &[DataType]) -> Result<Vec<DataType>> {
    arity("theta_intersection_agg", types.len(), 1, 1)?;
    sketch_type("theta_intersection_agg", &types[0])?;
    Ok(vec![DataType::Binary])
}

/// A sketch argument must be binary.
pub(super) fn sketch_type(function: &str, given: &DataType) -> Result<()> {
    if is_binary(given) {
        Ok(())
    } else {
        Err(unexpected_type(function, 1, "\"BINARY\"", given))
    }
}

/// The first argument's type and an int lgNomEntries.
fn lg_nom_type(function: &str, types: &[DataType]) -> Result<Vec<DataType>> {
    if let Some(lg) = types.get(1) {
        if *lg != DataType::Int32 && *lg != DataType::Null {
            return Err(unexpected_type(function, 2, "\"INT\"", lg));
        }
    }
    let first = if is_binary(&types[0]) { DataType::Binary } else { types[0].clone() };
    Ok(std::iter::once(first).chain(types.get(1).map(|_| DataType::Int32)).collect())
}

/// lgNomEntries checked as Spark checks it (when the query runs; NULL reads as 0).
pub(super) fn lg_nom(function: &str, lg: i64) -> Result<u8> {
    if lg == *LG_NOM_RANGE.start() {
        // DataSketches' Rust port builds sketches of 32 entries and up (Java's of 16).
        return Err(DataFusionError::NotImplemented(format!(
            "{function} with lgNomEntries 4 is not supported by glueless (5 to 26 are)"
        )));
    }
    if LG_NOM_RANGE.contains(&lg) {
        return Ok(u8::try_from(lg).unwrap_or(12));
    }
    Err(DataFusionError::Execution(format!(
        "[SKETCH_INVALID_LG_NOM_ENTRIES] Invalid call to `{function}`; the `lgNomEntries` value must be between {} and {}, inclusive: {lg}.",
        LG_NOM_RANGE.start(),
        LG_NOM_RANGE.end()
    )))
}

fn lg_nom_constant(function: &str, constants: &[Option<ScalarValue>]) -> Result<u8> {
    // A NULL lgNomEntries is Java's unboxed 0.
    let lg = match constants.first() {
        Some(None) => 0,
        other => int_argument(other, DEFAULT_LG_NOM)?,
    };
    lg_nom(function, lg)
}

fn start_sketch(constants: &[Option<ScalarValue>], _input: &DataType) -> Result<Box<dyn Sketch>> {
    let lg = lg_nom_constant("theta_sketch_agg", constants)?;
    let sketch = ThetaSketchBuilder::default().lg_k(lg).build().map_err(sketch_error)?;
    Ok(Box::new(ValueSketch { sketch, partials: None, lg }))
}

fn start_union(constants: &[Option<ScalarValue>], _input: &DataType) -> Result<Box<dyn Sketch>> {
    let lg = lg_nom_constant("theta_union_agg", constants)?;
    Ok(Box::new(UnionSketch(new_union(lg)?)))
}

#[allow(clippy::unnecessary_wraps)] // a `StartSketch`
fn start_intersection(_constants: &[Option<ScalarValue>], _input: &DataType) -> Result<Box<dyn Sketch>> {
    Ok(Box::new(IntersectionSketch(ThetaIntersection::default())))
}

/// `theta_sketch_agg`'s sketch, and the union of the partial results merged into it.
#[derive(Debug)]
struct ValueSketch {
    sketch: ThetaSketch,
    partials: Option<ThetaUnion>,
    lg: u8,
}

impl ValueSketch {
    /// Spark's final step: the union (of nominal size k) of every partial sketch.
    fn result(&mut self) -> Result<CompactThetaSketch> {
        let mut union = match self.partials.take() {
            Some(union) => union,
            None => new_union(self.lg)?,
        };
        self.sketch.trim();
        union.update(&self.sketch).map_err(sketch_error)?;
        let result = union.to_sketch(true);
        self.partials = Some(union);
        self.sketch = ThetaSketchBuilder::default().lg_k(self.lg).build().map_err(sketch_error)?;
        Ok(result)
    }
}

impl Sketch for ValueSketch {
    fn update(&mut self, input: &[ArrayRef]) -> Result<()> {
        let input = &input[0];
        let sketch = &mut self.sketch;
        match input.data_type() {
            DataType::Float32 => input
                .as_primitive::<Float32Type>()
                .iter()
                .flatten()
                .for_each(|v| sketch.update(canonical_float::from_f64(f64::from(v)))),
            DataType::Float64 => {
                input
                    .as_primitive::<Float64Type>()
                    .iter()
                    .flatten()
                    .for_each(|v| sketch.update(canonical_float::from_f64(v)));
            }
            DataType::List(_) | DataType::LargeList(_) => {
                let lists = arrow_cast::cast(input, &DataType::new_list(input_item(input), true))?;
                for list in lists.as_list::<i32>().iter().flatten().filter(|l| !l.is_empty()) {
                    sketch.update(raw_bytes::from_vec(little_endian(&list)));
                }
            }
            _ => each_key(input, |key| match key {
                Key::Long(v) => sketch.update(v),
                Key::Bytes(b) => sketch.update(raw_bytes::from_slice(b)),
            })?,
        }
        Ok(())
    }

    fn merge(&mut self, image: &[u8]) -> Result<()> {
        let partial = read("theta_sketch_agg", image)?;
        let union = match &mut self.partials {
            Some(union) => union,
            None => self.partials.insert(new_union(self.lg)?),
        };
        union.update(&partial).map_err(sketch_error)
    }

    fn image(&mut self) -> Result<Vec<u8>> {
        Ok(image(&self.result()?))
    }

    fn evaluate(&mut self) -> Result<ScalarValue> {
        Ok(ScalarValue::Binary(Some(image(&self.result()?))))
    }

    fn size(&self) -> usize {
        self.sketch.estimated_size() + self.partials.as_ref().map_or(0, ThetaUnion::estimated_size)
    }
}

/// The item type of an int or bigint array column.
fn input_item(input: &ArrayRef) -> DataType {
    match input.data_type() {
        DataType::List(f) | DataType::LargeList(f) => f.data_type().clone(),
        _ => DataType::Int64,
    }
}

/// Java's `toIntArray` / `toLongArray` bytes of an array (a NULL element is 0).
fn little_endian(list: &ArrayRef) -> Vec<u8> {
    match list.data_type() {
        DataType::Int32 => list.as_primitive::<Int32Type>().iter().flat_map(|v| v.unwrap_or(0).to_le_bytes()).collect(),
        _ => list.as_primitive::<Int64Type>().iter().flat_map(|v| v.unwrap_or(0).to_le_bytes()).collect(),
    }
}

#[derive(Debug)]
struct UnionSketch(ThetaUnion);

impl Sketch for UnionSketch {
    fn update(&mut self, input: &[ArrayRef]) -> Result<()> {
        let input = &input[0];
        each_image(input, |b| self.0.update(&read("theta_union_agg", b)?).map_err(sketch_error))
    }

    fn merge(&mut self, image: &[u8]) -> Result<()> {
        self.0.update(&read("theta_union_agg", image)?).map_err(sketch_error)
    }

    fn image(&mut self) -> Result<Vec<u8>> {
        Ok(image(&self.0.to_sketch(true)))
    }

    fn evaluate(&mut self) -> Result<ScalarValue> {
        Ok(ScalarValue::Binary(Some(image(&self.0.to_sketch(true)))))
    }

    fn size(&self) -> usize {
        self.0.estimated_size()
    }
}

#[derive(Debug)]
struct IntersectionSketch(ThetaIntersection);

impl IntersectionSketch {
    fn result(&self) -> Vec<u8> {
        self.0.to_sketch(true).map_or_else(empty_image, |s| image(&s))
    }
}

impl Sketch for IntersectionSketch {
    fn update(&mut self, input: &[ArrayRef]) -> Result<()> {
        let input = &input[0];
        each_image(input, |b| self.0.update(&read("theta_intersection_agg", b)?).map_err(sketch_error))
    }

    fn merge(&mut self, image: &[u8]) -> Result<()> {
        self.0.update(&read("theta_intersection_agg", image)?).map_err(sketch_error)
    }

    fn image(&mut self) -> Result<Vec<u8>> {
        Ok(self.result())
    }

    fn evaluate(&mut self) -> Result<ScalarValue> {
        Ok(ScalarValue::Binary(Some(self.result())))
    }

    fn size(&self) -> usize {
        self.0.estimated_size()
    }
}

fn new_union(lg: u8) -> Result<ThetaUnion> {
    ThetaUnionBuilder::default().lg_k(lg).build().map_err(sketch_error)
}

/// Java's `toByteArrayCompressed` of an ordered compact sketch: the crate's image, with Java's
/// single-item flag and the sampling probability (1.0) of an estimating sketch without entries.
pub(super) fn image(sketch: &CompactThetaSketch) -> Vec<u8> {
    let mut bytes = sketch.serialize_compressed();
    if sketch.is_empty() {
        return bytes;
    }
    if sketch.num_retained() == 1 && !sketch.is_estimation_mode() {
        bytes[5] |= 0x20;
    } else if sketch.num_retained() == 0 && bytes.len() >= 16 {
        bytes[12..16].copy_from_slice(&1.0f32.to_le_bytes());
    }
    bytes
}

fn empty_image() -> Vec<u8> {
    ThetaUnionBuilder::default().build().map(|u| image(&u.to_sketch(true))).unwrap_or_default()
}

/// The compact Theta sketch of an image, or Spark's error naming `function`.
pub(super) fn read(function: &str, image: &[u8]) -> Result<CompactThetaSketch> {
    let invalid = || {
        DataFusionError::Execution(format!(
            "[THETA_INVALID_INPUT_SKETCH_BUFFER] Invalid call to `{function}`; only valid Theta sketch buffers are \
             supported as inputs (such as those produced by the `theta_sketch_agg` function)."
        ))
    };
    let family = *image.get(2).ok_or_else(invalid)?;
    if family != COMPACT_FAMILY {
        let name = family_name(family).ok_or_else(invalid)?;
        return Err(DataFusionError::Execution(format!(
            "[THETA_INVALID_INPUT_SKETCH_BUFFER_FAMILY] Invalid call to `{function}`: expected COMPACT sketch family \
             but received {name}. Only valid Theta sketch buffers (produced by `theta_sketch_agg`) are supported as inputs."
        )));
    }
    CompactThetaSketch::deserialize(image).map_err(|_| invalid())
}

/// Java's name of a sketch family id.
pub(super) fn family_name(id: u8) -> Option<&'static str> {
    FAMILY_NAMES.get(usize::from(id).wrapping_sub(1)).copied()
}

/// Java's `Family` names by id (1-based).
const FAMILY_NAMES: [&str; 21] = [
    "Alpha",
    "QuickSelect",
    "COMPACT",
    "Union",
    "Intersection",
    "AnotB",
    "HLL",
    "QUANTILES",
    "TUPLE",
    "FREQUENCY",
    "RESERVOIR",
    "RESERVOIR_UNION",
    "VAROPT",
    "VAROPT_UNION",
    "KLL",
    "CPC",
    "REQ",
    "COUNTMIN",
    "EBPPS",
    "TDigest",
    "BLOOMFILTER",
];

pub(super) fn sketch_error(e: datasketches::error::Error) -> DataFusionError {
    DataFusionError::Execution(format!("Theta sketch: {}", e.message()))
}
