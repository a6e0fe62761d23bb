//! Spark's Tuple sketches (4.x), each for double and for integer summaries:
//! `tuple_sketch_agg_*(key, summary[, lgNomEntries[, mode]])` (lgNomEntries 4–26, default 12;
//! mode sum, min, max or alwaysone, default sum), `tuple_union_agg_*`, `tuple_intersection_agg_*`,
//! the scalar `tuple_union_*` / `tuple_intersection_*` / `tuple_difference_*` (and their `_theta`
//! forms, whose second sketch is a Theta sketch), `tuple_sketch_estimate_*`,
//! `tuple_sketch_theta_*` and `tuple_sketch_summary_*`.
//!
//! Keys are hashed as Java's `UpdatableSketch.update` hashes them (ints as longs; small ints,
//! floats and decimals as doubles; text and binary as bytes; int and bigint arrays as their
//! little-endian bytes). The sketches are built as Java builds them (`tuple_sketch.rs`).

use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{Float64Type, Int32Type, Int64Type};
use arrow_array::{Array, ArrayRef};
use arrow_schema::DataType;
use datafusion::common::ScalarValue;
use datafusion::error::{DataFusionError, Result};
use datafusion::logical_expr::{AggregateUDF, ScalarUDF};

use super::super::row::{bytes, text, RowContext, RowFunction};
use super::murmur::key_hash;
use super::theta::{lg_nom, sketch_type};
use super::tuple_sketch::{a_not_b, read, Compact, Intersection, Mode, QuickSelect, Summary, Union, Value};
use super::{aggregate, arity, each_image, int_argument, is_binary, unexpected_type, AggregateKind, Sketch};

/// The names of one summary type's functions.
struct Names {
    agg: &'static str,
    union_agg: &'static str,
    intersection_agg: &'static str,
    estimate: &'static str,
    theta: &'static str,
    summary: &'static str,
    union: &'static str,
    intersection: &'static str,
    difference: &'static str,
    union_theta: &'static str,
    intersection_theta: &'static str,
    difference_theta: &'static str,
}

macro_rules! names {
    ($suffix:literal) => {
        Names {
            agg: concat!("tuple_sketch_agg_", $suffix),
            union_agg: concat!("tuple_union_agg_", $suffix),
            intersection_agg: concat!("tuple_intersection_agg_", $suffix),
            estimate: concat!("tuple_sketch_estimate_", $suffix),
            theta: concat!("tuple_sketch_theta_", $suffix),
            summary: concat!("tuple_sketch_summary_", $suffix),
            union: concat!("tuple_union_", $suffix),
            intersection: concat!("tuple_intersection_", $suffix),
            difference: concat!("tuple_difference_", $suffix),
            union_theta: concat!("tuple_union_theta_", $suffix),
            intersection_theta: concat!("tuple_intersection_theta_", $suffix),
            difference_theta: concat!("tuple_difference_theta_", $suffix),
        }
    };
}

/// A summary type: Java's `DoubleSummary` or `IntegerSummary`.
trait Kind: std::fmt::Debug + Send + Sync + 'static {
    const NAMES: Names;
    const INTEGER: bool;
    /// The summary column's type.
    fn value_type() -> DataType;
    /// `tuple_sketch_summary_*`'s type.
    fn summary_type() -> DataType;
}

#[derive(Debug)]
struct Doubles;
#[derive(Debug)]
struct Integers;

impl Kind for Doubles {
    const NAMES: Names = names!("double");
    const INTEGER: bool = false;
    fn value_type() -> DataType {
        DataType::Float64
    }
    fn summary_type() -> DataType {
        DataType::Float64
    }
}

impl Kind for Integers {
    const NAMES: Names = names!("integer");
    const INTEGER: bool = true;
    fn value_type() -> DataType {
        DataType::Int32
    }
    fn summary_type() -> DataType {
        DataType::Int64
    }
}

const DEFAULT_LG_NOM: i64 = 12;

/// Spark's error for a parameter that is not a constant.
const CONSTANT: (&str, &str) = ("DATATYPE_MISMATCH.NON_FOLDABLE_INPUT", "lgNomEntries");

/// The family's aggregates.
pub(super) fn aggregates() -> Vec<Arc<AggregateUDF>> {
    [typed_aggregates::<Doubles>(), typed_aggregates::<Integers>()].concat()
}

/// The family's scalar functions.
pub(super) fn functions() -> Vec<Arc<ScalarUDF>> {
    [typed_functions::<Doubles>(), typed_functions::<Integers>()].concat()
}

fn typed_aggregates<K: Kind>() -> Vec<Arc<AggregateUDF>> {
    vec![
        aggregate(AggregateKind {
            name: K::NAMES.agg,
            coerce: coerce_values::<K>,
            start: start_sketch::<K>,
            nullable: false,
            constant: CONSTANT,
            columns: 2,
        }),
        aggregate(AggregateKind {
            name: K::NAMES.union_agg,
            coerce: coerce_union::<K>,
            start: start_union::<K>,
            nullable: false,
            constant: CONSTANT,
            columns: 1,
        }),
        aggregate(AggregateKind {
            name: K::NAMES.intersection_agg,
            coerce: coerce_intersection::<K>,
            start: start_intersection::<K>,
            nullable: false,
            constant: ("DATATYPE_MISMATCH.NON_FOLDABLE_INPUT", "mode"),
            columns: 1,
        }),
    ]
}

fn typed_functions<K: Kind>() -> Vec<Arc<ScalarUDF>> {
    let binary = DataType::Binary;
    let mode = DataType::Utf8;
    vec![
        RowFunction::strict(K::NAMES.estimate, vec![binary.clone()], 1, DataType::Float64, |args, _: RowContext| {
            Ok(ScalarValue::Float64(Some(sketch::<K>(K::NAMES.estimate, &args[0])?.estimate())))
        }),
        RowFunction::strict(K::NAMES.theta, vec![binary.clone()], 1, DataType::Float64, |args, _: RowContext| {
            Ok(ScalarValue::Float64(Some(sketch::<K>(K::NAMES.theta, &args[0])?.theta_fraction())))
        }),
        RowFunction::strict(
            K::NAMES.summary,
            vec![binary.clone(), mode.clone()],
            1,
            K::summary_type(),
            |args, _: RowContext| {
                let sketch = sketch::<K>(K::NAMES.summary, &args[0])?;
                Ok(summary(&sketch, mode_argument(K::NAMES.summary, args.get(1))?, K::INTEGER))
            },
        ),
        RowFunction::strict(
            K::NAMES.union,
            vec![binary.clone(), binary.clone(), DataType::Int32, mode.clone()],
            2,
            DataType::Binary,
            |args, _: RowContext| {
                let mut union =
                    Union::new(lg_argument(K::NAMES.union, args.get(2))?, mode_argument(K::NAMES.union, args.get(3))?);
                union.add(&sketch::<K>(K::NAMES.union, &args[0])?);
                union.add(&sketch::<K>(K::NAMES.union, &args[1])?);
                Ok(ScalarValue::Binary(Some(union.result().image())))
            },
        ),
        RowFunction::strict(
            K::NAMES.union_theta,
            vec![binary.clone(), binary.clone(), DataType::Int32, mode.clone()],
            2,
            DataType::Binary,
            |args, _: RowContext| {
                let name = K::NAMES.union_theta;
                let mut union = Union::new(lg_argument(name, args.get(2))?, mode_argument(name, args.get(3))?);
                union.add(&sketch::<K>(name, &args[0])?);
                let (keys, theta, empty) = theta_keys(name, &args[1])?;
                union.add_keys(&keys, theta, empty, K::INTEGER);
                Ok(ScalarValue::Binary(Some(union.result().image())))
            },
        ),
        RowFunction::strict(
            K::NAMES.intersection,
            vec![binary.clone(), binary.clone(), mode.clone()],
            2,
            DataType::Binary,
            |args, _: RowContext| {
                let mode = mode_argument(K::NAMES.intersection, args.get(2))?;
                let mut intersection = Intersection::new();
                intersection.add(&sketch::<K>(K::NAMES.intersection, &args[0])?, mode);
                intersection.add(&sketch::<K>(K::NAMES.intersection, &args[1])?, mode);
                Ok(ScalarValue::Binary(Some(intersection.result().image())))
            },
        ),
        RowFunction::strict(
            K::NAMES.intersection_theta,
            vec![binary.clone(), binary.clone(), mode],
            2,
            DataType::Binary,
            |args, _: RowContext| {
                let name = K::NAMES.intersection_theta;
                let mode = mode_argument(name, args.get(2))?;
                let mut intersection = Intersection::new();
                intersection.add(&sketch::<K>(name, &args[0])?, mode);
                let (keys, theta, empty) = theta_keys(name, &args[1])?;
                intersection.add_keys(&keys, theta, empty, K::INTEGER, mode);
                Ok(ScalarValue::Binary(Some(intersection.result().image())))
            },
        ),
        RowFunction::strict(
            K::NAMES.difference,
            vec![binary.clone(), binary.clone()],
            2,
            DataType::Binary,
            |args, _: RowContext| {
                let a = sketch::<K>(K::NAMES.difference, &args[0])?;
                let b = sketch::<K>(K::NAMES.difference, &args[1])?;
                let keys: Vec<u64> = b.entries.iter().map(|(h, _)| *h).collect();
                Ok(ScalarValue::Binary(Some(a_not_b(&a, &keys, b.theta, b.empty).image())))
            },
        ),
        RowFunction::strict(
            K::NAMES.difference_theta,
            vec![binary.clone(), binary],
            2,
            DataType::Binary,
            |args, _: RowContext| {
                let name = K::NAMES.difference_theta;
                let a = sketch::<K>(name, &args[0])?;
                let (keys, theta, empty) = theta_keys(name, &args[1])?;
                Ok(ScalarValue::Binary(Some(a_not_b(&a, &keys, theta, empty).image())))
            },
        ),
    ]
}

fn sketch<K: Kind>(function: &str, image: &ScalarValue) -> Result<Compact> {
    read(function, &bytes(image), K::INTEGER)
}

/// A Theta sketch's hashes, theta and emptiness.
fn theta_keys(function: &str, image: &ScalarValue) -> Result<(Vec<u64>, u64, bool)> {
    let sketch = super::theta::read(function, &bytes(image))?;
    Ok((sketch.iter().map(|e| e.hash()).collect(), sketch.theta64(), sketch.is_empty()))
}

/// `tuple_sketch_summary_*`: the entries' values folded by `mode`, in stored order (0 without
/// entries; Java's `Math.min` / `Math.max`, so a NaN wins; alwaysone counts the entries).
fn summary(sketch: &Compact, mode: Mode, integer: bool) -> ScalarValue {
    let values = sketch.entries.iter().map(|(_, s)| s.value);
    let count = sketch.entries.len();
    match sketch.entries.first().map(|(_, s)| s.value) {
        Some(Value::Integer(_)) => {
            let ints: Vec<i64> = values.map(|v| if let Value::Integer(i) = v { i64::from(i) } else { 0 }).collect();
            let folded = match mode {
                Mode::Sum => ints.iter().sum(),
                Mode::Min => ints.iter().copied().min().unwrap_or(0),
                Mode::Max => ints.iter().copied().max().unwrap_or(0),
                Mode::AlwaysOne => i64::try_from(count).unwrap_or(i64::MAX),
            };
            ScalarValue::Int64(Some(folded))
        }
        Some(Value::Double(_)) => {
            let doubles: Vec<f64> = values.map(|v| if let Value::Double(d) = v { d } else { 0.0 }).collect();
            let java = |pick: fn(f64, f64) -> f64| {
                doubles.iter().copied().reduce(|a, b| if a.is_nan() || b.is_nan() { f64::NAN } else { pick(a, b) })
            };
            let folded = match mode {
                Mode::Sum => doubles.iter().fold(0.0, |a, b| a + b),
                Mode::Min => java(f64::min).unwrap_or(0.0),
                Mode::Max => java(f64::max).unwrap_or(0.0),
                Mode::AlwaysOne => count as f64,
            };
            ScalarValue::Float64(Some(folded))
        }
        None if integer => ScalarValue::Int64(Some(0)),
        None => ScalarValue::Float64(Some(0.0)),
    }
}

/// The mode parameter (default sum), or Spark's error.
fn mode_argument(function: &str, value: Option<&ScalarValue>) -> Result<Mode> {
    let Some(value) = value else { return Ok(Mode::Sum) };
    let name = text(value);
    Mode::named(name).ok_or_else(|| {
        DataFusionError::Execution(format!(
            "[TUPLE_INVALID_SKETCH_MODE] Invalid call to `{function}`: mode '{name}' is not supported. Valid modes are: sum, min, max, alwaysone."
        ))
    })
}

/// The lgNomEntries parameter (default 12), checked as Spark checks it.
fn lg_argument(function: &str, value: Option<&ScalarValue>) -> Result<u8> {
    let lg = int_argument(value.map(|v| Some(v.clone())).as_ref(), DEFAULT_LG_NOM)?;
    lg_nom_with_four(function, lg)
}

/// Java's tuple sketches take lgNomEntries 4 too (the crate's Theta sketches start at 5).
fn lg_nom_with_four(function: &str, lg: i64) -> Result<u8> {
    if lg == 4 {
        return Ok(4);
    }
    lg_nom(function, lg)
}

/// The key column: Spark's implicit casts to its key types.
fn key_type(function: &str, given: &DataType) -> Result<DataType> {
    Ok(match given {
        DataType::Int32 | DataType::Int64 | DataType::Float64 => given.clone(),
        DataType::Int8 | DataType::Int16 | DataType::Float32 | DataType::Decimal128(..) | DataType::Decimal256(..) => {
            DataType::Float64
        }
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View | DataType::Boolean | DataType::Date32 => DataType::Utf8,
        t if is_binary(t) && *t != DataType::Null => DataType::Binary,
        DataType::List(item) | DataType::LargeList(item) if item.data_type().is_numeric() => {
            let item = if *item.data_type() == DataType::Int64 { DataType::Int64 } else { DataType::Int32 };
            DataType::new_list(item, true)
        }
        other => {
            return Err(unexpected_type(
                function,
                1,
                "(\"ARRAY<INT>\" or \"ARRAY<BIGINT>\" or \"BINARY\" or \"DOUBLE\" or \"FLOAT\" or \"INT\" or \"BIGINT\" or \"STRING\")",
                other,
            ))
        }
    })
}

fn coerce_values<K: Kind>(types: &[DataType]) -> Result<Vec<DataType>> {
    arity(K::NAMES.agg, types.len(), 2, 4)?;
    let key = key_type(K::NAMES.agg, &types[0])?;
    if !types[1].is_numeric() && types[1] != DataType::Null {
        let name = if K::INTEGER { "\"INT\"" } else { "\"DOUBLE\"" };
        return Err(unexpected_type(K::NAMES.agg, 2, name, &types[1]));
    }
    let mut coerced = vec![key, K::value_type()];
    coerced.extend(parameter_types(K::NAMES.agg, &types[2..], true)?);
    Ok(coerced)
}

fn coerce_union<K: Kind>(types: &[DataType]) -> Result<Vec<DataType>> {
    arity(K::NAMES.union_agg, types.len(), 1, 3)?;
    sketch_type(K::NAMES.union_agg, &types[0])?;
    let mut coerced = vec![DataType::Binary];
    coerced.extend(parameter_types(K::NAMES.union_agg, &types[1..], true)?);
    Ok(coerced)
}

fn coerce_intersection<K: Kind>(types: &[DataType]) -> Result<Vec<DataType>> {
    arity(K::NAMES.intersection_agg, types.len(), 1, 2)?;
    sketch_type(K::NAMES.intersection_agg, &types[0])?;
    let mut coerced = vec![DataType::Binary];
    coerced.extend(parameter_types(K::NAMES.intersection_agg, &types[1..], false)?);
    Ok(coerced)
}

/// `[lgNomEntries,] mode` after the columns: an int and text.
fn parameter_types(function: &str, types: &[DataType], with_lg: bool) -> Result<Vec<DataType>> {
    let expected: &[DataType] = if with_lg { &[DataType::Int32, DataType::Utf8] } else { &[DataType::Utf8] };
    types
        .iter()
        .zip(expected)
        .map(|(given, wanted)| {
            let fits = match wanted {
                DataType::Int32 => given.is_integer() || *given == DataType::Null,
                _ => matches!(given, DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View | DataType::Null),
            };
            if fits {
                Ok(wanted.clone())
            } else {
                Err(unexpected_type(
                    function,
                    2,
                    if *wanted == DataType::Int32 { "\"INT\"" } else { "\"STRING\"" },
                    given,
                ))
            }
        })
        .collect()
}

/// `[lgNomEntries,] mode` constants; a NULL one is Spark's `UNEXPECTED_NULL`.
fn parameters(function: &str, constants: &[Option<ScalarValue>], with_lg: bool) -> Result<(u8, Mode)> {
    let null = |what: &str| {
        DataFusionError::Plan(format!(
            "[DATATYPE_MISMATCH.UNEXPECTED_NULL] Cannot resolve \"{function}\" due to data type mismatch: The {what} must not be null."
        ))
    };
    let (lg, mode) = if with_lg { (constants.first(), constants.get(1)) } else { (None, constants.first()) };
    let lg = match lg {
        None => DEFAULT_LG_NOM,
        Some(None) => return Err(null("lgNomEntries")),
        some => int_argument(some, DEFAULT_LG_NOM)?,
    };
    let mode = match mode {
        None => Mode::Sum,
        Some(None) => return Err(null("mode")),
        Some(Some(value)) => mode_argument(function, Some(value))?,
    };
    Ok((lg_nom_with_four(function, lg)?, mode))
}

fn start_sketch<K: Kind>(constants: &[Option<ScalarValue>], _input: &DataType) -> Result<Box<dyn Sketch>> {
    let (lg, mode) = parameters(K::NAMES.agg, constants, true)?;
    Ok(Box::new(ValueSketch::<K> {
        table: QuickSelect::new(lg),
        lg,
        mode,
        partials: Vec::new(),
        kind: std::marker::PhantomData,
    }))
}

fn start_union<K: Kind>(constants: &[Option<ScalarValue>], _input: &DataType) -> Result<Box<dyn Sketch>> {
    let (lg, mode) = parameters(K::NAMES.union_agg, constants, true)?;
    Ok(Box::new(UnionSketch::<K> { union: Union::new(lg, mode), kind: std::marker::PhantomData }))
}

fn start_intersection<K: Kind>(constants: &[Option<ScalarValue>], _input: &DataType) -> Result<Box<dyn Sketch>> {
    let (_, mode) = parameters(K::NAMES.intersection_agg, constants, false)?;
    Ok(Box::new(IntersectionSketch::<K> { intersection: Intersection::new(), mode, kind: std::marker::PhantomData }))
}

/// `tuple_sketch_agg_*`: Java's update sketch; partial sketches are combined by a union (Spark's
/// final step), except a lone one, which is the answer as it is (Spark's one-step plan).
#[derive(Debug)]
struct ValueSketch<K: Kind> {
    table: QuickSelect,
    lg: u8,
    mode: Mode,
    partials: Vec<Compact>,
    kind: std::marker::PhantomData<K>,
}

impl<K: Kind> ValueSketch<K> {
    fn own(&self) -> Compact {
        let entries: Vec<_> = self.table.entries().collect();
        let empty = entries.is_empty() && self.table.theta == super::tuple_sketch::MAX_THETA;
        Compact { entries, theta: self.table.theta, empty }
    }

    fn result(&self) -> Compact {
        let own = self.own();
        match self.partials.as_slice() {
            [] => own,
            [only] if own.empty => only.clone(),
            partials => {
                let mut union = Union::new(self.lg, self.mode);
                partials.iter().chain(std::iter::once(&own)).for_each(|p| union.add(p));
                union.result()
            }
        }
    }
}

impl<K: Kind> Sketch for ValueSketch<K> {
    fn update(&mut self, input: &[ArrayRef]) -> Result<()> {
        let (keys, values) = (&input[0], &input[1]);
        let new = Summary::new(K::INTEGER, self.mode);
        let values = arrow_cast::cast(values, &K::value_type())?;
        let value = |row: usize| -> Option<Value> {
            if values.is_null(row) {
                return None;
            }
            Some(if K::INTEGER {
                Value::Integer(values.as_primitive::<Int32Type>().value(row))
            } else {
                Value::Double(values.as_primitive::<Float64Type>().value(row))
            })
        };
        each_key(keys, |row, key| {
            if let Some(v) = value(row) {
                self.table.update(key_hash(key), v, new);
            }
        })
    }

    fn merge(&mut self, image: &[u8]) -> Result<()> {
        self.partials.push(read(K::NAMES.agg, image, K::INTEGER)?);
        Ok(())
    }

    fn image(&mut self) -> Result<Vec<u8>> {
        Ok(self.result().image())
    }

    fn evaluate(&mut self) -> Result<ScalarValue> {
        Ok(ScalarValue::Binary(Some(self.result().image())))
    }

    fn size(&self) -> usize {
        self.table.len() * 24 + self.partials.iter().map(|p| p.entries.len() * 24).sum::<usize>()
    }
}

/// Each row's key bytes as Java hashes them (empty text, bytes and arrays are skipped).
fn each_key(keys: &ArrayRef, mut f: impl FnMut(usize, &[u8])) -> Result<()> {
    match keys.data_type() {
        DataType::Int32 => {
            each_valid(keys, |row| f(row, &i64::from(keys.as_primitive::<Int32Type>().value(row)).to_le_bytes()));
        }
        DataType::Int64 => each_valid(keys, |row| f(row, &keys.as_primitive::<Int64Type>().value(row).to_le_bytes())),
        DataType::Float64 => each_valid(keys, |row| {
            let x = keys.as_primitive::<Float64Type>().value(row);
            // Java's update(double): -0.0 is 0.0, every NaN the canonical one.
            let bits = if x == 0.0 {
                0
            } else if x.is_nan() {
                0x7ff8_0000_0000_0000
            } else {
                x.to_bits()
            };
            f(row, &bits.to_le_bytes());
        }),
        DataType::Utf8 => {
            for (row, key) in keys.as_string::<i32>().iter().enumerate() {
                if let Some(key) = key.filter(|k| !k.is_empty()) {
                    f(row, key.as_bytes());
                }
            }
        }
        DataType::List(_) => {
            for (row, list) in keys.as_list::<i32>().iter().enumerate() {
                let Some(list) = list.filter(|l| !l.is_empty()) else { continue };
                let bytes: Vec<u8> = match list.data_type() {
                    DataType::Int64 => {
                        list.as_primitive::<Int64Type>().iter().flat_map(|v| v.unwrap_or(0).to_le_bytes()).collect()
                    }
                    _ => list.as_primitive::<Int32Type>().iter().flat_map(|v| v.unwrap_or(0).to_le_bytes()).collect(),
                };
                f(row, &bytes);
            }
        }
        _ => {
            let binary = arrow_cast::cast(keys, &DataType::Binary)?;
            for (row, key) in binary.as_binary::<i32>().iter().enumerate() {
                if let Some(key) = key.filter(|k| !k.is_empty()) {
                    f(row, key);
                }
            }
        }
    }
    Ok(())
}

fn each_valid(keys: &ArrayRef, mut f: impl FnMut(usize)) {
    (0..keys.len()).filter(|row| keys.is_valid(*row)).for_each(&mut f);
}

/// `tuple_union_agg_*`.
#[derive(Debug)]
struct UnionSketch<K: Kind> {
    union: Union,
    kind: std::marker::PhantomData<K>,
}

impl<K: Kind> Sketch for UnionSketch<K> {
    fn update(&mut self, input: &[ArrayRef]) -> Result<()> {
        each_image(&input[0], |image| {
            self.union.add(&read(K::NAMES.union_agg, image, K::INTEGER)?);
            Ok(())
        })
    }

    fn merge(&mut self, image: &[u8]) -> Result<()> {
        self.union.add(&read(K::NAMES.union_agg, image, K::INTEGER)?);
        Ok(())
    }

    fn image(&mut self) -> Result<Vec<u8>> {
        Ok(self.union.result().image())
    }

    fn evaluate(&mut self) -> Result<ScalarValue> {
        Ok(ScalarValue::Binary(Some(self.union.result().image())))
    }

    fn size(&self) -> usize {
        self.union.result().entries.len() * 24
    }
}

/// `tuple_intersection_agg_*`: a partial without sketches has no image (and changes nothing).
#[derive(Debug)]
struct IntersectionSketch<K: Kind> {
    intersection: Intersection,
    mode: Mode,
    kind: std::marker::PhantomData<K>,
}

impl<K: Kind> Sketch for IntersectionSketch<K> {
    fn update(&mut self, input: &[ArrayRef]) -> Result<()> {
        each_image(&input[0], |image| {
            self.intersection.add(&read(K::NAMES.intersection_agg, image, K::INTEGER)?, self.mode);
            Ok(())
        })
    }

    fn merge(&mut self, image: &[u8]) -> Result<()> {
        if !image.is_empty() {
            self.intersection.add(&read(K::NAMES.intersection_agg, image, K::INTEGER)?, self.mode);
        }
        Ok(())
    }

    fn image(&mut self) -> Result<Vec<u8>> {
        Ok(if self.intersection.has_result() { self.intersection.result().image() } else { Vec::new() })
    }

    fn evaluate(&mut self) -> Result<ScalarValue> {
        Ok(ScalarValue::Binary(Some(self.intersection.result().image())))
    }

    fn size(&self) -> usize {
        self.intersection.result().entries.len() * 24
    }
}
