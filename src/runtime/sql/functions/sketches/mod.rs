//! Spark's DataSketches functions (Spark 3.5's HLL; 4.x's Theta, Tuple and KLL): aggregates that
//! build a sketch and return its binary image, and scalar functions that read, merge and query
//! images. The sketches are Apache DataSketches' own (the `datasketches` crate, the Rust port of
//! the Java library Spark calls), so an image glueless writes is read by Spark and the reverse.
//!
//! One file per sketch family; this one holds what they share: the aggregate's shape (a sketch
//! per group, its image as the partial state) and the reading of constant arguments.

use std::fmt::Debug;
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{Int32Type, Int64Type};
use arrow_array::{Array, ArrayRef};
use arrow_schema::{DataType, Field, FieldRef};
use datafusion::common::ScalarValue;
use datafusion::error::{DataFusionError, Result};
use datafusion::logical_expr::function::{AccumulatorArgs, StateFieldsArgs};
use datafusion::logical_expr::{Accumulator, AggregateUDF, AggregateUDFImpl, ScalarUDF, Signature, Volatility};

use datafusion::physical_expr::utils::collect_columns;

use super::percentile::constant;

mod hll;
mod kll;
mod murmur;
mod theta;
mod tuple;
mod tuple_sketch;

/// The families' scalar functions.
pub(crate) fn functions() -> Vec<Arc<ScalarUDF>> {
    [hll::functions(), theta::functions(), kll::functions(), tuple::functions()].concat()
}

/// The families' aggregates.
pub(crate) fn aggregates() -> Vec<Arc<AggregateUDF>> {
    [hll::aggregates(), theta::aggregates(), kll::aggregates(), tuple::aggregates()].concat()
}

/// A sketch being built for one group.
pub(super) trait Sketch: Debug + Send + Sync {
    /// Add one batch of the aggregate's column arguments (values, or other sketches' images).
    fn update(&mut self, input: &[ArrayRef]) -> Result<()>;
    /// Add a partial result: an image [`Sketch::image`] wrote.
    fn merge(&mut self, image: &[u8]) -> Result<()>;
    /// The partial result's image.
    fn image(&mut self) -> Result<Vec<u8>>;
    /// The aggregate's answer.
    fn evaluate(&mut self) -> Result<ScalarValue>;
    /// Bytes held.
    fn size(&self) -> usize;
}

/// A new sketch for a group, given the aggregate's constant arguments after the first (`None`
/// where left out) and the first argument's type.
pub(super) type StartSketch = fn(&[Option<ScalarValue>], &DataType) -> Result<Box<dyn Sketch>>;

/// How a family types an aggregate's arguments and starts a group's sketch.
pub(super) struct AggregateKind {
    pub(super) name: &'static str,
    /// Spark's implicit casts of the arguments (or its type error).
    pub(super) coerce: fn(&[DataType]) -> Result<Vec<DataType>>,
    pub(super) start: StartSketch,
    /// Whether an empty group's answer may be NULL.
    pub(super) nullable: bool,
    /// Spark's error class and parameter name for a parameter that is not a constant.
    pub(super) constant: (&'static str, &'static str),
    /// How many leading arguments are columns (the rest are constant parameters).
    pub(super) columns: usize,
}

/// An aggregate whose state is a sketch: its binary image between the partial and final steps.
#[derive(Debug)]
struct SketchAggregate {
    name: &'static str,
    coerce: fn(&[DataType]) -> Result<Vec<DataType>>,
    start: StartSketch,
    nullable: bool,
    constant: (&'static str, &'static str),
    columns: usize,
    signature: Signature,
}

same_by_name!(SketchAggregate, AggregateUDFImpl);

/// The aggregate UDF of `kind`.
pub(super) fn aggregate(kind: AggregateKind) -> Arc<AggregateUDF> {
    let AggregateKind { name, coerce, start, nullable, constant, columns } = kind;
    let signature = Signature::user_defined(Volatility::Immutable);
    Arc::new(AggregateUDF::new_from_impl(SketchAggregate {
        name,
        coerce,
        start,
        nullable,
        constant,
        columns,
        signature,
    }))
}

impl AggregateUDFImpl for SketchAggregate {
    fn name(&self) -> &str {
        self.name
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        (self.coerce)(arg_types)
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Binary)
    }

    fn is_nullable(&self) -> bool {
        self.nullable
    }

    fn accumulator(&self, args: AccumulatorArgs) -> Result<Box<dyn Accumulator>> {
        let parameters = args.exprs.get(self.columns..).unwrap_or_default();
        if parameters.iter().any(|e| !collect_columns(e).is_empty()) {
            let (class, parameter) = self.constant;
            return Err(DataFusionError::Execution(format!(
                "[{class}] Invalid call to `{}`; the `{parameter}` value must be a constant value, but got a non-constant expression.",
                self.name
            )));
        }
        let constants = parameters
            .iter()
            .map(|e| constant(e, args.schema).map(|v| (!v.is_null()).then_some(v)))
            .collect::<Result<Vec<_>>>()?;
        let input = args.exprs[0].data_type(args.schema)?;
        Ok(Box::new(SketchAccumulator { sketch: (self.start)(&constants, &input)?, columns: self.columns }))
    }

    fn state_fields(&self, args: StateFieldsArgs) -> Result<Vec<FieldRef>> {
        Ok(vec![Arc::new(Field::new(format!("{}[sketch]", args.name), DataType::Binary, true))])
    }
}

#[derive(Debug)]
struct SketchAccumulator {
    sketch: Box<dyn Sketch>,
    columns: usize,
}

impl Accumulator for SketchAccumulator {
    fn update_batch(&mut self, values: &[ArrayRef]) -> Result<()> {
        self.sketch.update(&values[..self.columns.min(values.len())])
    }

    fn merge_batch(&mut self, states: &[ArrayRef]) -> Result<()> {
        let images = states[0].as_binary::<i32>();
        for image in images.iter().flatten() {
            self.sketch.merge(image)?;
        }
        Ok(())
    }

    fn state(&mut self) -> Result<Vec<ScalarValue>> {
        Ok(vec![ScalarValue::Binary(Some(self.sketch.image()?))])
    }

    fn evaluate(&mut self) -> Result<ScalarValue> {
        self.sketch.evaluate()
    }

    fn size(&self) -> usize {
        std::mem::size_of_val(self) + self.sketch.size()
    }
}

/// A value as DataSketches' Java `update` hashes it: an integer as a long, text and binary as
/// their bytes.
pub(super) enum Key<'a> {
    Long(i64),
    Bytes(&'a [u8]),
}

/// Each non-NULL int, bigint, text or binary value of `input` as a [`Key`]; empty text and
/// bytes are skipped, as Java's `update` skips them.
pub(super) fn each_key(input: &ArrayRef, mut f: impl FnMut(Key<'_>)) -> Result<()> {
    match input.data_type() {
        DataType::Int32 => input.as_primitive::<Int32Type>().iter().flatten().for_each(|v| f(Key::Long(i64::from(v)))),
        DataType::Int64 => input.as_primitive::<Int64Type>().iter().flatten().for_each(|v| f(Key::Long(v))),
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => {
            let text = arrow_cast::cast(input, &DataType::Utf8)?;
            text.as_string::<i32>()
                .iter()
                .flatten()
                .filter(|t| !t.is_empty())
                .for_each(|t| f(Key::Bytes(t.as_bytes())));
        }
        _ => each_image(input, |b| {
            if !b.is_empty() {
                f(Key::Bytes(b));
            }
            Ok(())
        })?,
    }
    Ok(())
}

/// Each non-NULL binary value of `input` (any of Arrow's three binary layouts).
pub(super) fn each_image(input: &ArrayRef, mut f: impl FnMut(&[u8]) -> Result<()>) -> Result<()> {
    match input.data_type() {
        DataType::Binary => input.as_binary::<i32>().iter().flatten().try_for_each(f),
        DataType::LargeBinary => input.as_binary::<i64>().iter().flatten().try_for_each(f),
        DataType::BinaryView => input.as_binary_view().iter().flatten().try_for_each(f),
        DataType::Null => Ok(()),
        other => {
            let cast = arrow_cast::cast(input, &DataType::Binary)
                .map_err(|e| DataFusionError::Execution(format!("a sketch must be binary, not {other}: {e}")))?;
            cast.as_binary::<i32>().iter().flatten().try_for_each(&mut f)
        }
    }
}

/// A constant integer argument, `default` where it was left out.
pub(super) fn int_argument(value: Option<&Option<ScalarValue>>, default: i64) -> Result<i64> {
    match value {
        None | Some(None) => Ok(default),
        Some(Some(v)) => match v.cast_to(&DataType::Int64)? {
            ScalarValue::Int64(Some(n)) => Ok(n),
            _ => Ok(default),
        },
    }
}

/// A constant boolean argument, `default` where it was left out.
pub(super) fn bool_argument(value: Option<&Option<ScalarValue>>, default: bool) -> Result<bool> {
    match value {
        None | Some(None) => Ok(default),
        Some(Some(v)) => match v.cast_to(&DataType::Boolean)? {
            ScalarValue::Boolean(Some(b)) => Ok(b),
            _ => Ok(default),
        },
    }
}

/// Spark's `DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE` for argument `position` (1-based), which
/// requires one of `required` (Spark's own list, quoted).
pub(super) fn unexpected_type(function: &str, position: usize, required: &str, given: &DataType) -> DataFusionError {
    let ordinal = ["first", "second", "third", "fourth"].get(position - 1).copied().unwrap_or("next");
    DataFusionError::Plan(format!(
        "[DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE] Cannot resolve \"{function}\" due to data type mismatch: \
         The {ordinal} parameter requires the {required} type, however it has the type \"{}\".",
        crate::core::types::spark_sql_name(given).unwrap_or_else(|_| given.to_string())
    ))
}

/// The argument count check all families share.
pub(super) fn arity(function: &str, given: usize, fewest: usize, most: usize) -> Result<()> {
    if given < fewest || given > most {
        let expected = if fewest == most { fewest.to_string() } else { format!("[{fewest}, {most}]") };
        return Err(DataFusionError::Plan(format!(
            "[WRONG_NUM_ARGS.WITHOUT_SUGGESTION] The `{function}` requires {expected} parameters but the actual number is {given}."
        )));
    }
    Ok(())
}

/// Whether `data_type` is one of Arrow's binary layouts (or NULL, which casts to any).
pub(super) fn is_binary(data_type: &DataType) -> bool {
    matches!(data_type, DataType::Binary | DataType::LargeBinary | DataType::BinaryView | DataType::Null)
}

/// Java's `Math.round` of an estimate: half up.
#[allow(clippy::cast_possible_truncation)]
pub(super) fn java_round(x: f64) -> i64 {
    // `as` saturates, as Java's conversion of a double to long does.
    (x + 0.5).floor() as i64
}
