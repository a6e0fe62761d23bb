//! Spark 4's `max_by(x, y, k)` / `min_by(x, y, k)`: the values of the k rows with the largest
//! (smallest) `y`, as an array sorted by `y` (descending / ascending). Rows with a NULL `y` are
//! skipped; a group without one is NULL. The SQL rules rename the three-argument calls to
//! `max_by_k` / `min_by_k` (the two-argument `max_by` stays DataFusion's).
//!
//! Spark's buffer, so that ties come out as Spark's: k slots and a binary heap of slot indexes
//! (a min-heap on `y` for `max_by`); a partial buffer is merged by inserting its entries in heap
//! order; the answer is the slots in slot order, stably sorted by `y`.

use std::cmp::Ordering;
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::{Array, ArrayRef};
use arrow_schema::{DataType, Field, FieldRef};
use datafusion::common::ScalarValue;
use datafusion::error::{DataFusionError, Result};
use datafusion::logical_expr::function::{AccumulatorArgs, StateFieldsArgs};
use datafusion::logical_expr::{Accumulator, AggregateUDF, AggregateUDFImpl, Signature, Volatility};

use super::percentile::constant;

/// The names the SQL rules give the three-argument calls.
pub(crate) const MAX_BY_K: &str = "max_by_k";
pub(crate) const MIN_BY_K: &str = "min_by_k";

const K_RANGE: std::ops::RangeInclusive<i64> = 1..=100_000;

/// The family's aggregates.
pub(crate) fn aggregates() -> Vec<Arc<AggregateUDF>> {
    [(MAX_BY_K, "max_by", false), (MIN_BY_K, "min_by", true)]
        .into_iter()
        .map(|(name, spark_name, smallest)| {
            let signature = Signature::user_defined(Volatility::Immutable);
            Arc::new(AggregateUDF::new_from_impl(MaxMinByK { name, spark_name, smallest, signature }))
        })
        .collect()
}

#[derive(Debug, PartialEq, Eq, Hash)]
struct MaxMinByK {
    name: &'static str,
    spark_name: &'static str,
    smallest: bool,
    signature: Signature,
}

impl AggregateUDFImpl for MaxMinByK {
    fn name(&self) -> &str {
        self.name
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        match arg_types {
            [value, order, _] => Ok(vec![value.clone(), order.clone(), DataType::Int32]),
            _ => Err(DataFusionError::Plan(format!(
                "[WRONG_NUM_ARGS.WITHOUT_SUGGESTION] The `{}` requires [2, 3] parameters but the actual number is {}.",
                self.spark_name,
                arg_types.len()
            ))),
        }
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::new_list(arg_types[0].clone(), true))
    }

    fn accumulator(&self, args: AccumulatorArgs) -> Result<Box<dyn Accumulator>> {
        let k = match constant(&args.exprs[2], args.schema)? {
            ScalarValue::Int32(Some(k)) => i64::from(k),
            _ => 0,
        };
        if !K_RANGE.contains(&k) {
            return Err(DataFusionError::Plan(format!(
                "[DATATYPE_MISMATCH.VALUE_OUT_OF_RANGE] The `k` must be between [1, 100000] (current value = {k})."
            )));
        }
        let value = args.exprs[0].data_type(args.schema)?;
        let order = args.exprs[1].data_type(args.schema)?;
        Ok(Box::new(TopK {
            k: usize::try_from(k).unwrap_or(1),
            smallest: self.smallest,
            value,
            order,
            slots: Vec::new(),
            heap: Vec::new(),
            merged: false,
        }))
    }

    fn state_fields(&self, args: StateFieldsArgs) -> Result<Vec<FieldRef>> {
        let list = |part: &str, t: &DataType| {
            Arc::new(Field::new(format!("{}[{part}]", args.name), DataType::new_list(t.clone(), true), true))
        };
        Ok(vec![list("values", args.input_fields[0].data_type()), list("orders", args.input_fields[1].data_type())])
    }
}

/// Spark's `MaxMinByKHeap` buffer.
#[derive(Debug)]
struct TopK {
    k: usize,
    smallest: bool,
    value: DataType,
    order: DataType,
    /// (value, order) by slot.
    slots: Vec<(ScalarValue, ScalarValue)>,
    /// Slot indexes as a binary heap whose root is the entry to drop first.
    heap: Vec<usize>,
    /// Whether partial buffers were merged in (Spark always has a final step that does).
    merged: bool,
}

impl TopK {
    /// Spark's heap comparison: by `y` for `max_by` (the root is the smallest), reversed for `min_by`.
    fn compare(&self, a: &ScalarValue, b: &ScalarValue) -> Ordering {
        let ordering = spark_order(a, b);
        if self.smallest {
            ordering.reverse()
        } else {
            ordering
        }
    }

    fn insert(&mut self, value: ScalarValue, order: ScalarValue) {
        if self.heap.len() < self.k {
            self.slots.push((value, order));
            self.heap.push(self.slots.len() - 1);
            let mut at = self.heap.len() - 1;
            while at > 0 {
                let parent = (at - 1) / 2;
                if self.compare(&self.slots[self.heap[at]].1, &self.slots[self.heap[parent]].1) == Ordering::Less {
                    self.heap.swap(at, parent);
                    at = parent;
                } else {
                    break;
                }
            }
            return;
        }
        if self.compare(&order, &self.slots[self.heap[0]].1) != Ordering::Greater {
            return;
        }
        let root = self.heap[0];
        self.slots[root] = (value, order);
        let mut at = 0;
        loop {
            let (left, right) = (2 * at + 1, 2 * at + 2);
            if left >= self.heap.len() {
                break;
            }
            let preferred = if right < self.heap.len()
                && self.compare(&self.slots[self.heap[right]].1, &self.slots[self.heap[left]].1) == Ordering::Less
            {
                right
            } else {
                left
            };
            if self.compare(&self.slots[self.heap[at]].1, &self.slots[self.heap[preferred]].1) != Ordering::Greater {
                break;
            }
            self.heap.swap(at, preferred);
            at = preferred;
        }
    }

    /// The entries in heap order (how Spark's merge reads a partial buffer).
    fn in_heap_order(&self) -> impl Iterator<Item = &(ScalarValue, ScalarValue)> {
        self.heap.iter().map(|slot| &self.slots[*slot])
    }
}

/// Spark's ordering of `y`: NaN above every number, -0.0 equal to 0.0.
fn spark_order(a: &ScalarValue, b: &ScalarValue) -> Ordering {
    match (a, b) {
        (ScalarValue::Float64(Some(x)), ScalarValue::Float64(Some(y))) => float_order(*x, *y),
        (ScalarValue::Float32(Some(x)), ScalarValue::Float32(Some(y))) => float_order(f64::from(*x), f64::from(*y)),
        _ => a.partial_cmp(b).unwrap_or(Ordering::Equal),
    }
}

fn float_order(x: f64, y: f64) -> Ordering {
    match (x.is_nan(), y.is_nan()) {
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Greater,
        (false, true) => Ordering::Less,
        _ => x.partial_cmp(&y).unwrap_or(Ordering::Equal),
    }
}

impl Accumulator for TopK {
    fn update_batch(&mut self, values: &[ArrayRef]) -> Result<()> {
        let (value, order) = (&values[0], &values[1]);
        for row in 0..value.len() {
            if order.is_valid(row) {
                self.insert(ScalarValue::try_from_array(value, row)?, ScalarValue::try_from_array(order, row)?);
            }
        }
        Ok(())
    }

    fn merge_batch(&mut self, states: &[ArrayRef]) -> Result<()> {
        self.merged = true;
        let (values, orders) = (states[0].as_list::<i32>(), states[1].as_list::<i32>());
        for row in 0..values.len() {
            if values.is_null(row) || orders.is_null(row) {
                continue;
            }
            let (value, order) = (values.value(row), orders.value(row));
            for i in 0..value.len() {
                self.insert(ScalarValue::try_from_array(&value, i)?, ScalarValue::try_from_array(&order, i)?);
            }
        }
        Ok(())
    }

    fn state(&mut self) -> Result<Vec<ScalarValue>> {
        let (values, orders): (Vec<ScalarValue>, Vec<ScalarValue>) = self.in_heap_order().cloned().unzip();
        Ok(vec![
            ScalarValue::List(ScalarValue::new_list_nullable(&values, &self.value)),
            ScalarValue::List(ScalarValue::new_list_nullable(&orders, &self.order)),
        ])
    }

    fn evaluate(&mut self) -> Result<ScalarValue> {
        if !self.merged {
            // Spark's final step: the buffer inserted, in heap order, into a new one.
            let entries: Vec<_> = self.in_heap_order().cloned().collect();
            (self.slots, self.heap, self.merged) = (Vec::new(), Vec::new(), true);
            for (value, order) in entries {
                self.insert(value, order);
            }
        }
        if self.slots.is_empty() {
            return ScalarValue::try_from(DataType::new_list(self.value.clone(), true));
        }
        let mut entries: Vec<&(ScalarValue, ScalarValue)> = self.slots.iter().collect();
        // A stable sort of the slots, best first.
        entries.sort_by(|a, b| {
            let ordering = spark_order(&a.1, &b.1);
            if self.smallest {
                ordering
            } else {
                ordering.reverse()
            }
        });
        let values: Vec<ScalarValue> = entries.into_iter().map(|(v, _)| v.clone()).collect();
        Ok(ScalarValue::List(ScalarValue::new_list_nullable(&values, &self.value)))
    }

    fn size(&self) -> usize {
        std::mem::size_of_val(self) + self.slots.iter().map(|(v, o)| v.size() + o.size()).sum::<usize>()
    }
}
