//! Accumulators of the aggregate functions and the typed input columns they read.

use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{Float64Type, Int64Type};
use arrow_array::{Array, ArrayRef, Float64Array, Int64Array, StringArray};
use arrow_cast::cast;
use arrow_schema::{DataType, Field};

use super::spec::{AggFunc, Aggregate};
use crate::error::{Error, Result};

/// The value class an aggregate works on; min/max give back the input type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ValueKind {
    Int,
    Float,
    Text,
}

/// A prepared aggregate: its function, input column and types.
#[derive(Debug, Clone)]
pub(crate) struct AggPlan {
    pub(crate) aggregate: Aggregate,
    pub(crate) kind: ValueKind,
    /// The input column's type (min/max return it).
    pub(crate) input_type: DataType,
}

impl AggPlan {
    /// Check `aggregate` against the input column type.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] for a function the column's type does not support.
    pub(crate) fn new(aggregate: &Aggregate, input: Option<&Field>) -> Result<Self> {
        let input_type = input.map_or(DataType::Int64, |f| f.data_type().clone());
        let kind = match &input_type {
            t if t.is_integer() || matches!(t, DataType::Timestamp(..) | DataType::Date32 | DataType::Date64) => {
                ValueKind::Int
            }
            t if t.is_floating() => ValueKind::Float,
            // Strings, and types only count(col) reads.
            _ => ValueKind::Text,
        };
        let numeric = input_type.is_integer() || input_type.is_floating();
        let ok = match aggregate.func {
            AggFunc::CountAll | AggFunc::Count => true,
            AggFunc::Sum | AggFunc::Avg => numeric,
            AggFunc::Min | AggFunc::Max => {
                numeric
                    || matches!(
                        input_type,
                        DataType::Timestamp(..)
                            | DataType::Date32
                            | DataType::Date64
                            | DataType::Utf8
                            | DataType::LargeUtf8
                            | DataType::Utf8View
                    )
            }
        };
        if !ok {
            return Err(Error::InvalidArgument(format!(
                "{}: {} of a {input_type} column is not supported",
                aggregate.name,
                aggregate.func.name()
            )));
        }
        Ok(Self { aggregate: aggregate.clone(), kind, input_type })
    }

    /// The output field.
    #[must_use]
    pub(crate) fn output_field(&self) -> Field {
        let name = &self.aggregate.name;
        match (self.aggregate.func, &self.kind) {
            (AggFunc::CountAll | AggFunc::Count, _) => Field::new(name, DataType::Int64, false),
            (AggFunc::Sum, ValueKind::Int) => Field::new(name, DataType::Int64, true),
            (AggFunc::Sum | AggFunc::Avg, _) => Field::new(name, DataType::Float64, true),
            (AggFunc::Min | AggFunc::Max, _) => Field::new(name, self.input_type.clone(), true),
        }
    }

    /// A fresh accumulator.
    #[must_use]
    pub(crate) fn empty(&self) -> Acc {
        match (self.aggregate.func, &self.kind) {
            (AggFunc::CountAll | AggFunc::Count, _) => Acc::Count(0),
            (AggFunc::Sum, ValueKind::Int) => Acc::SumInt(None),
            (AggFunc::Sum, _) => Acc::SumFloat(None),
            (AggFunc::Avg, _) => Acc::Avg(0.0, 0),
            (AggFunc::Min | AggFunc::Max, ValueKind::Int) => Acc::Int(None),
            (AggFunc::Min | AggFunc::Max, ValueKind::Float) => Acc::Float(None),
            (AggFunc::Min | AggFunc::Max, ValueKind::Text) => Acc::Text(None),
        }
    }
}

/// The running value of one aggregate for one group.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Acc {
    Count(i64),
    SumInt(Option<i64>),
    SumFloat(Option<f64>),
    /// Sum and count of the non-null values.
    Avg(f64, i64),
    /// Min or max so far.
    Int(Option<i64>),
    Float(Option<f64>),
    Text(Option<String>),
}

/// An input column read as one of the value classes.
pub(crate) enum Values {
    None,
    Int(Int64Array),
    Float(Float64Array),
    Text(StringArray),
}

impl Values {
    /// Read `column` for `plan`.
    ///
    /// # Errors
    /// Arrow cast errors (not expected for the types [`AggPlan::new`] accepts).
    pub(crate) fn of(plan: &AggPlan, column: Option<&ArrayRef>) -> Result<Self> {
        let Some(column) = column else { return Ok(Values::None) };
        Ok(match plan.kind {
            ValueKind::Int => Values::Int(cast(column, &DataType::Int64)?.as_primitive::<Int64Type>().clone()),
            ValueKind::Float => Values::Float(cast(column, &DataType::Float64)?.as_primitive::<Float64Type>().clone()),
            ValueKind::Text => Values::Text(cast(column, &DataType::Utf8)?.as_string::<i32>().clone()),
        })
    }

    fn is_valid(&self, row: usize) -> bool {
        match self {
            Values::None => true,
            Values::Int(a) => a.is_valid(row),
            Values::Float(a) => a.is_valid(row),
            Values::Text(a) => a.is_valid(row),
        }
    }
}

impl Acc {
    /// Fold row `row` of `values` into the accumulator (`func` says min or max).
    pub(crate) fn update(&mut self, func: AggFunc, values: &Values, row: usize) {
        if func != AggFunc::CountAll && !values.is_valid(row) {
            return;
        }
        match (self, values) {
            (Acc::Count(n), _) => *n += 1,
            (Acc::SumInt(sum), Values::Int(v)) => *sum = Some(sum.unwrap_or(0).wrapping_add(v.value(row))),
            (Acc::SumFloat(sum), Values::Float(v)) => *sum = Some(sum.unwrap_or(0.0) + v.value(row)),
            (Acc::Avg(sum, n), Values::Int(v)) => {
                *sum += v.value(row) as f64;
                *n += 1;
            }
            (Acc::Avg(sum, n), Values::Float(v)) => {
                *sum += v.value(row);
                *n += 1;
            }
            (Acc::Int(best), Values::Int(v)) => *best = Some(pick(func, *best, v.value(row), |a, b| a < b)),
            (Acc::Float(best), Values::Float(v)) => *best = Some(pick(func, *best, v.value(row), |a, b| a < b)),
            (Acc::Text(best), Values::Text(v)) => {
                let value = v.value(row);
                let replace = match best {
                    None => true,
                    Some(current) => (func == AggFunc::Min) == (value < current.as_str()),
                };
                if replace {
                    *best = Some(value.to_string());
                }
            }
            _ => {}
        }
    }
}

fn pick<T: Copy>(func: AggFunc, best: Option<T>, value: T, less: impl Fn(T, T) -> bool) -> T {
    match best {
        None => value,
        Some(current) if (func == AggFunc::Min) == less(value, current) => value,
        Some(current) => current,
    }
}

/// The output column of `plan` from one accumulator per group.
///
/// # Errors
/// Arrow cast errors when min/max go back to the input type.
pub(crate) fn finish(plan: &AggPlan, accs: &[&Acc]) -> Result<ArrayRef> {
    let ints = |f: fn(&Acc) -> Option<i64>| Arc::new(Int64Array::from(accs.iter().map(|a| f(a)).collect::<Vec<_>>()));
    let floats =
        |f: fn(&Acc) -> Option<f64>| Arc::new(Float64Array::from(accs.iter().map(|a| f(a)).collect::<Vec<_>>()));
    let column: ArrayRef = match plan.empty() {
        Acc::Count(_) => ints(|a| match a {
            Acc::Count(n) => Some(*n),
            _ => Some(0),
        }),
        Acc::SumInt(_) | Acc::Int(_) => ints(|a| match a {
            Acc::SumInt(v) | Acc::Int(v) => *v,
            _ => None,
        }),
        Acc::SumFloat(_) | Acc::Float(_) => floats(|a| match a {
            Acc::SumFloat(v) | Acc::Float(v) => *v,
            _ => None,
        }),
        Acc::Avg(..) => floats(|a| match a {
            Acc::Avg(sum, n) if *n > 0 => Some(sum / *n as f64),
            _ => None,
        }),
        Acc::Text(_) => Arc::new(StringArray::from(
            accs.iter()
                .map(|a| match a {
                    Acc::Text(v) => v.clone(),
                    _ => None,
                })
                .collect::<Vec<_>>(),
        )),
    };
    let field = plan.output_field();
    if column.data_type() == field.data_type() {
        Ok(column)
    } else {
        Ok(cast(&column, field.data_type())?)
    }
}
