//! Spark's vector functions (4.2): `vector_cosine_similarity`, `vector_inner_product`,
//! `vector_l2_distance`, `vector_norm(v[, degree])`, `vector_normalize(v[, degree])` over
//! `ARRAY<FLOAT>`, and the aggregates `vector_sum` / `vector_avg`.
//!
//! As Spark computes them: the scalar functions sum in doubles, eight terms at a time (the order
//! of Spark's unrolled loop, which decides the last bit), and round to float at the end; the
//! aggregates add in floats, `vector_avg` as a running mean. A NULL argument gives NULL; a NULL
//! element gives NULL (the aggregates skip its row); vectors of other lengths are Spark's
//! `VECTOR_DIMENSION_MISMATCH`.

use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{Float32Type, Int64Type};
use arrow_array::{Array, ArrayRef, Float32Array};
use arrow_schema::{DataType, Field, FieldRef};
use datafusion::common::ScalarValue;
use datafusion::error::{DataFusionError, Result};
use datafusion::logical_expr::function::{AccumulatorArgs, StateFieldsArgs};
use datafusion::logical_expr::{
    Accumulator, AggregateUDF, AggregateUDFImpl, ColumnarValue, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl,
    Signature, Volatility,
};

use super::row::{each_row, unexpected_input_type};
use crate::core::text::java::java_float_text;

/// What a scalar vector function computes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Op {
    Cosine,
    Inner,
    Distance,
    Norm,
    Normalize,
}

#[derive(Debug)]
struct VectorFunction {
    name: &'static str,
    op: Op,
    signature: Signature,
}

same_by_name!(VectorFunction);

/// The family's scalar functions.
pub(crate) fn functions() -> Vec<Arc<ScalarUDF>> {
    [
        ("vector_cosine_similarity", Op::Cosine),
        ("vector_inner_product", Op::Inner),
        ("vector_l2_distance", Op::Distance),
        ("vector_norm", Op::Norm),
        ("vector_normalize", Op::Normalize),
    ]
    .into_iter()
    .map(|(name, op)| {
        let signature = Signature::user_defined(Volatility::Immutable);
        Arc::new(ScalarUDF::new_from_impl(VectorFunction { name, op, signature }))
    })
    .collect()
}

/// The family's aggregates.
pub(crate) fn aggregates() -> Vec<Arc<AggregateUDF>> {
    [("vector_sum", false), ("vector_avg", true)]
        .into_iter()
        .map(|(name, mean)| {
            let signature = Signature::user_defined(Volatility::Immutable);
            Arc::new(AggregateUDF::new_from_impl(VectorAggregate { name, mean, signature }))
        })
        .collect()
}

fn float_vector() -> DataType {
    DataType::new_list(DataType::Float32, true)
}

/// Whether `given` is an `ARRAY<FLOAT>` (Spark casts nothing to it).
fn is_float_vector(given: &DataType) -> bool {
    matches!(given, DataType::List(f) | DataType::LargeList(f) | DataType::FixedSizeList(f, _) if *f.data_type() == DataType::Float32)
}

fn vector_arguments(function: &str, types: &[DataType], vectors: usize) -> Result<Vec<DataType>> {
    let mut coerced = Vec::with_capacity(types.len());
    for (position, given) in types.iter().enumerate() {
        if position < vectors {
            if !is_float_vector(given) {
                return Err(unexpected_input_type(function, position, &float_vector(), given));
            }
            coerced.push(float_vector());
        } else {
            if !matches!(given, DataType::Float32 | DataType::Null) {
                return Err(unexpected_input_type(function, position, &DataType::Float32, given));
            }
            coerced.push(DataType::Float32);
        }
    }
    Ok(coerced)
}

impl ScalarUDFImpl for VectorFunction {
    fn name(&self) -> &str {
        self.name
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        let (fewest, most, vectors) = match self.op {
            Op::Norm | Op::Normalize => (1, 2, 1),
            _ => (2, 2, 2),
        };
        if arg_types.len() < fewest || arg_types.len() > most {
            let expected = if fewest == most { fewest.to_string() } else { format!("[{fewest}, {most}]") };
            return Err(DataFusionError::Plan(format!(
                "[WRONG_NUM_ARGS.WITHOUT_SUGGESTION] The `{}` requires {expected} parameters but the actual number is {}.",
                self.name,
                arg_types.len()
            )));
        }
        vector_arguments(self.name, arg_types, vectors)
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(if self.op == Op::Normalize { float_vector() } else { DataType::Float32 })
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let null = ScalarValue::try_from(self.return_type(&[])?)?;
        each_row(&args, |row| {
            if row.iter().any(ScalarValue::is_null) {
                return Ok(null.clone());
            }
            let first = elements(&row[0]);
            let answer = match self.op {
                Op::Norm | Op::Normalize => {
                    let degree = match row.get(1) {
                        Some(ScalarValue::Float32(Some(d))) => *d,
                        _ => 2.0,
                    };
                    norm_or_normalized(self.name, self.op, &first, degree)?
                }
                _ => pairwise(self.name, self.op, &first, &elements(&row[1]))?,
            };
            Ok(answer.unwrap_or_else(|| null.clone()))
        })
    }
}

/// A vector argument's elements.
fn elements(value: &ScalarValue) -> Vec<Option<f32>> {
    match value {
        ScalarValue::List(list) if !list.is_empty() => list.value(0).as_primitive::<Float32Type>().iter().collect(),
        _ => Vec::new(),
    }
}

/// Spark's sum of terms: eight at a time left to right, each block added to the total, then
/// the rest one by one.
fn blocked_sum(terms: &[f64]) -> f64 {
    let mut blocks = terms.chunks_exact(8);
    let mut total = 0.0;
    for block in &mut blocks {
        total += block.iter().skip(1).fold(block[0], |acc, t| acc + t);
    }
    blocks.remainder().iter().fold(total, |acc, t| acc + t)
}

/// Every element, or None if one is NULL.
fn present(vector: &[Option<f32>]) -> Option<Vec<f64>> {
    vector.iter().map(|x| x.map(f64::from)).collect()
}

#[allow(clippy::cast_possible_truncation)] // Spark's `(float)` of its double result
fn pairwise(function: &str, op: Op, a: &[Option<f32>], b: &[Option<f32>]) -> Result<Option<ScalarValue>> {
    if a.len() != b.len() {
        return Err(DataFusionError::Execution(format!(
            "[VECTOR_DIMENSION_MISMATCH] Vectors passed to `{function}` must have the same dimension, but got {} and {}.",
            a.len(),
            b.len()
        )));
    }
    if a.is_empty() {
        return Ok((op != Op::Cosine).then_some(ScalarValue::Float32(Some(0.0))));
    }
    let (Some(a), Some(b)) = (present(a), present(b)) else { return Ok(None) };
    let products: Vec<f64> = a.iter().zip(&b).map(|(x, y)| x * y).collect();
    let value = match op {
        Op::Inner => blocked_sum(&products),
        Op::Distance => {
            let squares: Vec<f64> = a.iter().zip(&b).map(|(x, y)| (x - y) * (x - y)).collect();
            blocked_sum(&squares).sqrt()
        }
        _ => {
            let left: Vec<f64> = a.iter().map(|x| x * x).collect();
            let right: Vec<f64> = b.iter().map(|y| y * y).collect();
            let magnitude = (blocked_sum(&left) * blocked_sum(&right)).sqrt();
            if magnitude == 0.0 {
                return Ok(None);
            }
            blocked_sum(&products) / magnitude
        }
    };
    Ok(Some(ScalarValue::Float32(Some(value as f32))))
}

#[allow(clippy::cast_possible_truncation, clippy::float_cmp)] // Spark's `(float)` and exact degrees
fn norm_or_normalized(function: &str, op: Op, v: &[Option<f32>], degree: f32) -> Result<Option<ScalarValue>> {
    if degree != 1.0 && degree != 2.0 && degree != f32::INFINITY {
        return Err(DataFusionError::Execution(format!(
            "[INVALID_VECTOR_NORM_DEGREE] For the `{function}` function, degree must be 1.0, 2.0, or float('inf'), but got {}.",
            java_float_text(degree)
        )));
    }
    let Some(values) = present(v) else { return Ok(None) };
    let norm = if degree == 1.0 {
        blocked_sum(&values.iter().map(|x| x.abs()).collect::<Vec<_>>())
    } else if degree == 2.0 {
        blocked_sum(&values.iter().map(|x| x * x).collect::<Vec<_>>()).sqrt()
    } else {
        // Java's Math.max: a NaN wins.
        values.iter().fold(0.0f64, |m, x| if m.is_nan() || x.is_nan() { f64::NAN } else { m.max(x.abs()) })
    };
    if op == Op::Norm {
        return Ok(Some(ScalarValue::Float32(Some(norm as f32))));
    }
    if norm == 0.0 && !values.is_empty() {
        return Ok(None);
    }
    let normalized: Vec<f32> = values.iter().map(|x| (x / norm) as f32).collect();
    Ok(Some(ScalarValue::List(Arc::new(arrow_array::ListArray::new(
        Arc::new(Field::new_list_field(DataType::Float32, true)),
        arrow_buffer::OffsetBuffer::from_lengths([normalized.len()]),
        Arc::new(Float32Array::from(normalized)),
        None,
    )))))
}

/// `vector_sum` / `vector_avg`.
#[derive(Debug)]
struct VectorAggregate {
    name: &'static str,
    mean: bool,
    signature: Signature,
}

same_by_name!(VectorAggregate, AggregateUDFImpl);

impl AggregateUDFImpl for VectorAggregate {
    fn name(&self) -> &str {
        self.name
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        if arg_types.len() != 1 {
            return Err(DataFusionError::Plan(format!(
                "[WRONG_NUM_ARGS.WITHOUT_SUGGESTION] The `{}` requires 1 parameters but the actual number is {}.",
                self.name,
                arg_types.len()
            )));
        }
        vector_arguments(self.name, arg_types, 1)
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(float_vector())
    }

    fn accumulator(&self, _args: AccumulatorArgs) -> Result<Box<dyn Accumulator>> {
        Ok(Box::new(VectorAccumulator { name: self.name, mean: self.mean, values: Vec::new(), count: 0 }))
    }

    fn state_fields(&self, args: StateFieldsArgs) -> Result<Vec<FieldRef>> {
        Ok(vec![
            Arc::new(Field::new(format!("{}[values]", args.name), float_vector(), true)),
            Arc::new(Field::new(format!("{}[count]", args.name), DataType::Int64, true)),
        ])
    }
}

/// Spark's buffer: the running floats and how many vectors they hold.
#[derive(Debug)]
struct VectorAccumulator {
    name: &'static str,
    mean: bool,
    values: Vec<f32>,
    count: i64,
}

impl VectorAccumulator {
    fn mismatch(&self, dimension: usize, other: usize) -> DataFusionError {
        DataFusionError::Execution(format!(
            "[VECTOR_DIMENSION_MISMATCH] Vectors passed to `{}` must have the same dimension, but got {dimension} and {other}.",
            self.name
        ))
    }

    #[allow(clippy::cast_precision_loss)]
    fn add(&mut self, vector: &[f32]) -> Result<()> {
        if self.count == 0 {
            self.values = vector.to_vec();
            self.count = 1;
            return Ok(());
        }
        if self.values.len() != vector.len() {
            return Err(self.mismatch(self.values.len(), vector.len()));
        }
        self.count += 1;
        let inverse = 1.0f32 / self.count as f32;
        for (acc, x) in self.values.iter_mut().zip(vector) {
            *acc = if self.mean { *acc + (x - *acc) * inverse } else { *acc + x };
        }
        Ok(())
    }

    #[allow(clippy::cast_precision_loss)]
    fn combine(&mut self, values: &[f32], count: i64) -> Result<()> {
        if count == 0 {
            return Ok(());
        }
        if self.count == 0 {
            self.values = values.to_vec();
            self.count = count;
            return Ok(());
        }
        if self.values.len() != values.len() {
            return Err(self.mismatch(self.values.len(), values.len()));
        }
        let total = self.count + count;
        let (left, right) = (self.count as f32 / total as f32, count as f32 / total as f32);
        for (acc, x) in self.values.iter_mut().zip(values) {
            *acc = if self.mean { *acc * left + x * right } else { *acc + x };
        }
        self.count = total;
        Ok(())
    }
}

impl Accumulator for VectorAccumulator {
    fn update_batch(&mut self, values: &[ArrayRef]) -> Result<()> {
        let vectors = values[0].as_list::<i32>();
        for vector in vectors.iter().flatten() {
            let vector = vector.as_primitive::<Float32Type>();
            // A vector with a NULL element is skipped, not counted.
            if vector.null_count() == 0 {
                self.add(vector.values())?;
            }
        }
        Ok(())
    }

    fn merge_batch(&mut self, states: &[ArrayRef]) -> Result<()> {
        let (vectors, counts) = (states[0].as_list::<i32>(), states[1].as_primitive::<Int64Type>());
        for row in 0..vectors.len() {
            if vectors.is_valid(row) && counts.is_valid(row) {
                let vector = vectors.value(row);
                self.combine(vector.as_primitive::<Float32Type>().values(), counts.value(row))?;
            }
        }
        Ok(())
    }

    fn state(&mut self) -> Result<Vec<ScalarValue>> {
        Ok(vec![self.evaluate_list(true), ScalarValue::Int64(Some(self.count))])
    }

    fn evaluate(&mut self) -> Result<ScalarValue> {
        Ok(self.evaluate_list(false))
    }

    fn size(&self) -> usize {
        std::mem::size_of_val(self) + self.values.capacity() * 4
    }
}

impl VectorAccumulator {
    /// The floats as a list; NULL for the answer of a group without vectors.
    fn evaluate_list(&self, state: bool) -> ScalarValue {
        if self.count == 0 && !state {
            return ScalarValue::try_from(float_vector()).unwrap_or(ScalarValue::Null);
        }
        let items: Vec<ScalarValue> = self.values.iter().map(|x| ScalarValue::Float32(Some(*x))).collect();
        ScalarValue::List(ScalarValue::new_list_nullable(&items, &DataType::Float32))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Spark 4.3: 1 ×7, 2^60, −2^60, 1 ×8 against ones is 1.0 in Spark's blocked order (8.0 in
    /// a plain left-to-right sum).
    #[test]
    #[allow(clippy::float_cmp)] // exact sums
    fn sums_eight_terms_at_a_time() {
        let big = 2f64.powi(60);
        let mut terms = vec![1.0; 7];
        terms.extend([big, -big]);
        terms.extend([1.0; 8]);
        assert_eq!(blocked_sum(&terms), 1.0);
        assert_eq!(terms.iter().sum::<f64>(), 8.0);
    }
}
