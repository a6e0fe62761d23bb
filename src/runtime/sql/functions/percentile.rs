//! Spark's percentiles and `product`.
//!
//! `percentile(x, p[, frequency])`: the exact percentile by Spark's rule (position
//! `(n - 1) * p` among the sorted values, counted with their frequencies; between two values,
//! linear interpolation), a double, or an array of them for an array of `p`.
//!
//! `percentile_approx(x, p[, accuracy])` / `approx_percentile`: Spark's answer is a value of the
//! column, the one at rank `ceil(p * n)` (the first for `p ≤ 1 / accuracy`, the last for
//! `p ≥ 1 - 1 / accuracy`). Spark's Greenwald-Khanna summary is exact while a group has fewer than
//! `accuracy / 2` rows (5,000 by default) and glueless computes that exact answer; beyond it Spark
//! returns an estimate within its error bound, glueless still the exact value.
//!
//! `product(x)`: the product of the values as doubles, in the rows' order, kept as it runs.

use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::Float64Type;
use arrow_array::{new_null_array, Array, ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, FieldRef};
use datafusion::common::ScalarValue;
use datafusion::error::{DataFusionError, Result};
use datafusion::logical_expr::function::{AccumulatorArgs, StateFieldsArgs};
use datafusion::logical_expr::{Accumulator, AggregateUDF, AggregateUDFImpl, Signature, Volatility};
use datafusion::physical_expr::PhysicalExpr;

/// The family's aggregates.
pub(crate) fn aggregates() -> Vec<Arc<AggregateUDF>> {
    [
        ("percentile", Kind::Exact),
        ("percentile_approx", Kind::Approx),
        ("approx_percentile", Kind::Approx),
        ("product", Kind::Product),
    ]
    .into_iter()
    .map(|(name, kind)| {
        Arc::new(AggregateUDF::new_from_impl(Percentile {
            name,
            kind,
            signature: Signature::user_defined(Volatility::Immutable),
        }))
    })
    .collect()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Kind {
    Exact,
    Approx,
    Product,
}

#[derive(Debug, PartialEq, Eq, Hash)]
struct Percentile {
    name: &'static str,
    kind: Kind,
    signature: Signature,
}

impl AggregateUDFImpl for Percentile {
    fn name(&self) -> &str {
        self.name
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        let mut types = arg_types.to_vec();
        if let Some(first) = types.first_mut() {
            if self.kind != Kind::Approx || !first.is_numeric() {
                *first = DataType::Float64;
            }
        }
        Ok(types)
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        let value = if self.kind == Kind::Approx { arg_types[0].clone() } else { DataType::Float64 };
        Ok(match arg_types.get(1) {
            // Spark's approximate percentiles are never NULL inside the array.
            Some(DataType::List(_) | DataType::LargeList(_) | DataType::FixedSizeList(..)) => {
                DataType::List(Arc::new(Field::new_list_field(value, self.kind != Kind::Approx)))
            }
            _ => value,
        })
    }

    fn accumulator(&self, args: AccumulatorArgs) -> Result<Box<dyn Accumulator>> {
        if self.kind == Kind::Product {
            return Ok(Box::new(RunningProduct(None)));
        }
        let percentages = match args.exprs.get(1) {
            Some(expr) => constant(expr, args.schema)?,
            _ => ScalarValue::Null,
        };
        let accuracy = match args.exprs.get(2) {
            Some(expr) if self.kind == Kind::Approx => match constant(expr, args.schema)? {
                ScalarValue::Int64(Some(n)) => n,
                ScalarValue::Int32(Some(n)) => i64::from(n),
                _ => 10_000,
            },
            _ => 10_000,
        };
        Ok(Box::new(Collected {
            kind: self.kind,
            percentages,
            accuracy,
            output: args.return_field.data_type().clone(),
            values: Vec::new(),
            weights: Vec::new(),
        }))
    }

    fn state_fields(&self, args: StateFieldsArgs) -> Result<Vec<FieldRef>> {
        if self.kind == Kind::Product {
            return Ok(vec![Arc::new(Field::new(format!("{}[product]", args.name), DataType::Float64, true))]);
        }
        Ok(vec![
            list_state_field(args.name, "values", DataType::Float64),
            list_state_field(args.name, "weights", DataType::Float64),
        ])
    }
}

/// Spark's `Product`: the values multiplied in the rows' order, partial products multiplied on
/// merge; NULL without a value.
#[derive(Debug)]
struct RunningProduct(Option<f64>);

impl RunningProduct {
    fn times(&mut self, value: f64) {
        self.0 = Some(self.0.map_or(value, |p| p * value));
    }
}

impl Accumulator for RunningProduct {
    fn update_batch(&mut self, values: &[ArrayRef]) -> Result<()> {
        let column = arrow_cast::cast(&values[0], &DataType::Float64)?;
        for value in column.as_primitive::<Float64Type>().iter().flatten() {
            self.times(value);
        }
        Ok(())
    }

    fn merge_batch(&mut self, states: &[ArrayRef]) -> Result<()> {
        for partial in states[0].as_primitive::<Float64Type>().iter().flatten() {
            self.times(partial);
        }
        Ok(())
    }

    fn state(&mut self) -> Result<Vec<ScalarValue>> {
        Ok(vec![ScalarValue::Float64(self.0)])
    }

    fn evaluate(&mut self) -> Result<ScalarValue> {
        Ok(ScalarValue::Float64(self.0))
    }

    fn size(&self) -> usize {
        std::mem::size_of_val(self)
    }
}

/// An aggregate's state field `name[part]`: a list of `item`.
pub(super) fn list_state_field(name: &str, part: &str, item: DataType) -> FieldRef {
    Arc::new(Field::new(format!("{name}[{part}]"), DataType::new_list(item, true), true))
}

/// Doubles as a state value: a list.
pub(super) fn doubles(values: impl Iterator<Item = f64>) -> ScalarValue {
    let items: Vec<ScalarValue> = values.map(|x| ScalarValue::Float64(Some(x))).collect();
    ScalarValue::List(ScalarValue::new_list_nullable(&items, &DataType::Float64))
}

/// A constant argument's value (a literal, or an expression of literals such as `array(…)`).
pub(super) fn constant(expr: &Arc<dyn PhysicalExpr>, schema: &arrow_schema::Schema) -> Result<ScalarValue> {
    // One row of NULLs (every field nullable) to evaluate it over.
    let fields: Vec<Field> = schema.fields().iter().map(|f| f.as_ref().clone().with_nullable(true)).collect();
    let columns: Vec<ArrayRef> = fields.iter().map(|f| new_null_array(f.data_type(), 1)).collect();
    let options = arrow_array::RecordBatchOptions::new().with_row_count(Some(1));
    let batch = RecordBatch::try_new_with_options(Arc::new(arrow_schema::Schema::new(fields)), columns, &options)?;
    let value = expr.evaluate(&batch)?.into_array(1)?;
    ScalarValue::try_from_array(&value, 0)
}

#[derive(Debug)]
struct Collected {
    kind: Kind,
    percentages: ScalarValue,
    accuracy: i64,
    output: DataType,
    values: Vec<f64>,
    weights: Vec<f64>,
}

impl Collected {
    /// The percentages asked for, and whether the answer is an array of them.
    fn percentages(&self) -> Result<(Vec<f64>, bool)> {
        let number = |v: &ScalarValue| match v.cast_to(&DataType::Float64)? {
            ScalarValue::Float64(Some(p)) if (0.0..=1.0).contains(&p) => Ok(p),
            other => Err(DataFusionError::Execution(format!(
                "[INVALID_PARAMETER_VALUE.PERCENTILE] The percentage must be between 0.0 and 1.0, but got {other}"
            ))),
        };
        match &self.percentages {
            ScalarValue::List(list) => {
                let values = list.value(0);
                let all = (0..values.len())
                    .map(|i| number(&ScalarValue::try_from_array(&values, i)?))
                    .collect::<Result<_>>()?;
                Ok((all, true))
            }
            single => Ok((vec![number(single)?], false)),
        }
    }

    /// Spark's `Percentile.getPercentile` over the sorted (value, weight) pairs.
    fn exact(sorted: &[(f64, f64)], p: f64) -> f64 {
        let mut accumulated = Vec::with_capacity(sorted.len());
        let mut total = 0.0;
        for (_, w) in sorted {
            total += w;
            accumulated.push(total);
        }
        let position = (total - 1.0) * p;
        let (lower, higher) = (position.floor(), position.ceil());
        let at = |count: f64| accumulated.partition_point(|c| *c < count + 1.0).min(sorted.len() - 1);
        let (lower_value, higher_value) = (sorted[at(lower)].0, sorted[at(higher)].0);
        #[allow(clippy::float_cmp)] // Spark compares the positions and keys exactly
        if higher == lower || higher_value == lower_value {
            return lower_value;
        }
        (higher - position) * lower_value + (position - lower) * higher_value
    }

    /// Spark's `QuantileSummaries.query` over an exact summary.
    #[allow(clippy::cast_precision_loss, clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    fn ranked(sorted: &[(f64, f64)], p: f64, accuracy: i64) -> f64 {
        let error = 1.0 / accuracy.max(1) as f64;
        if p <= error {
            return sorted[0].0;
        }
        if p >= 1.0 - error {
            return sorted[sorted.len() - 1].0;
        }
        let rank = (p * sorted.len() as f64).ceil() as usize;
        sorted[rank.clamp(1, sorted.len()) - 1].0
    }
}

impl Accumulator for Collected {
    fn update_batch(&mut self, values: &[ArrayRef]) -> Result<()> {
        let column = arrow_cast::cast(&values[0], &DataType::Float64)?;
        let weights = match values.get(2) {
            Some(w) if self.kind == Kind::Exact => Some(arrow_cast::cast(w, &DataType::Float64)?),
            _ => None,
        };
        for (row, value) in column.as_primitive::<Float64Type>().iter().enumerate() {
            let weight = weights.as_ref().map_or(Some(1.0), |w| {
                w.as_primitive::<Float64Type>().is_valid(row).then(|| w.as_primitive::<Float64Type>().value(row))
            });
            if let (Some(value), Some(weight)) = (value, weight) {
                if weight > 0.0 {
                    self.values.push(value);
                    self.weights.push(weight);
                }
            }
        }
        Ok(())
    }

    fn merge_batch(&mut self, states: &[ArrayRef]) -> Result<()> {
        for (list, target) in states.iter().zip([&mut self.values, &mut self.weights]) {
            for row in list.as_list::<i32>().iter().flatten() {
                target.extend(row.as_primitive::<Float64Type>().iter().flatten());
            }
        }
        Ok(())
    }

    fn state(&mut self) -> Result<Vec<ScalarValue>> {
        Ok(vec![doubles(self.values.iter().copied()), doubles(self.weights.iter().copied())])
    }

    fn evaluate(&mut self) -> Result<ScalarValue> {
        if self.values.is_empty() {
            return ScalarValue::try_from(&self.output);
        }
        let (percentages, array) = self.percentages()?;
        let mut sorted: Vec<(f64, f64)> = self.values.iter().copied().zip(self.weights.iter().copied()).collect();
        sorted.sort_by(|a, b| a.0.total_cmp(&b.0));
        let (value_type, nullable) = match &self.output {
            DataType::List(item) => (item.data_type().clone(), item.is_nullable()),
            other => (other.clone(), true),
        };
        let answers = percentages
            .iter()
            .map(|p| {
                let value = match self.kind {
                    Kind::Exact => Self::exact(&sorted, *p),
                    _ => Self::ranked(&sorted, *p, self.accuracy),
                };
                ScalarValue::Float64(Some(value)).cast_to(&value_type)
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(if array {
            ScalarValue::List(ScalarValue::new_list(&answers, &value_type, nullable))
        } else {
            answers.into_iter().next().unwrap_or(ScalarValue::Null)
        })
    }

    fn size(&self) -> usize {
        std::mem::size_of_val(self) + 16 * self.values.capacity()
    }
}
