//! Spark's `mode(x[, deterministic])`: the most frequent non-NULL value of a group (NULL without
//! one). Where values tie, Spark without `deterministic` returns any of them and with it the
//! lowest; glueless always returns the lowest, one of the answers Spark allows.

use std::collections::HashMap;
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::Int64Type;
use arrow_array::{Array, ArrayRef};
use arrow_schema::{DataType, FieldRef};
use datafusion::common::ScalarValue;
use datafusion::error::{DataFusionError, Result};
use datafusion::logical_expr::function::{AccumulatorArgs, StateFieldsArgs};
use datafusion::logical_expr::{Accumulator, AggregateUDF, AggregateUDFImpl, Signature, Volatility};

use super::percentile::list_state_field;

/// The family's aggregates.
pub(crate) fn aggregates() -> Vec<Arc<AggregateUDF>> {
    vec![Arc::new(AggregateUDF::new_from_impl(Mode { signature: Signature::user_defined(Volatility::Immutable) }))]
}

#[derive(Debug, PartialEq, Eq, Hash)]
struct Mode {
    signature: Signature,
}

impl AggregateUDFImpl for Mode {
    fn name(&self) -> &'static str {
        "mode"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        match arg_types {
            [value] => Ok(vec![value.clone()]),
            [value, _] => Ok(vec![value.clone(), DataType::Boolean]),
            _ => Err(DataFusionError::Plan("mode takes a column and, optionally, deterministic".into())),
        }
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        Ok(arg_types[0].clone())
    }

    fn accumulator(&self, args: AccumulatorArgs) -> Result<Box<dyn Accumulator>> {
        Ok(Box::new(Counts { output: args.return_field.data_type().clone(), counts: HashMap::new() }))
    }

    fn state_fields(&self, args: StateFieldsArgs) -> Result<Vec<FieldRef>> {
        let value = args.input_fields[0].data_type().clone();
        Ok(vec![list_state_field(args.name, "values", value), list_state_field(args.name, "counts", DataType::Int64)])
    }
}

/// How many times each value was seen.
#[derive(Debug)]
struct Counts {
    output: DataType,
    counts: HashMap<ScalarValue, i64>,
}

impl Accumulator for Counts {
    fn update_batch(&mut self, values: &[ArrayRef]) -> Result<()> {
        let column = &values[0];
        for row in 0..column.len() {
            if column.is_valid(row) {
                *self.counts.entry(ScalarValue::try_from_array(column, row)?).or_default() += 1;
            }
        }
        Ok(())
    }

    fn merge_batch(&mut self, states: &[ArrayRef]) -> Result<()> {
        let (values, counts) = (states[0].as_list::<i32>(), states[1].as_list::<i32>());
        for row in 0..values.len() {
            if values.is_null(row) {
                continue;
            }
            let (value, count) = (values.value(row), counts.value(row));
            for (i, n) in count.as_primitive::<Int64Type>().values().iter().enumerate() {
                *self.counts.entry(ScalarValue::try_from_array(&value, i)?).or_default() += n;
            }
        }
        Ok(())
    }

    fn state(&mut self) -> Result<Vec<ScalarValue>> {
        let (values, counts): (Vec<ScalarValue>, Vec<ScalarValue>) =
            self.counts.iter().map(|(v, n)| (v.clone(), ScalarValue::Int64(Some(*n)))).unzip();
        Ok(vec![
            ScalarValue::List(ScalarValue::new_list_nullable(&values, &self.output)),
            ScalarValue::List(ScalarValue::new_list_nullable(&counts, &DataType::Int64)),
        ])
    }

    fn evaluate(&mut self) -> Result<ScalarValue> {
        let best = self.counts.iter().max_by(|(a, m), (b, n)| {
            // More often first; between equals the lower value.
            m.cmp(n).then_with(|| b.partial_cmp(a).unwrap_or(std::cmp::Ordering::Equal))
        });
        match best {
            Some((value, _)) => Ok(value.clone()),
            None => ScalarValue::try_from(&self.output),
        }
    }

    fn size(&self) -> usize {
        std::mem::size_of_val(self) + self.counts.keys().map(|v| v.size() + 8).sum::<usize>()
    }
}
