//! Spark's `histogram_numeric(x, nb)`: an approximate histogram of `nb` bins as an array of
//! `struct<x, y>` (bin centre, of the input's type, and height), by Spark's `NumericHistogram`
//! (Ben-Haim and Tom-Tov's streaming algorithm: each value is a bin, then the two closest bins
//! merge into their weighted mean until `nb` are left). Ties between equally close pairs are
//! broken by `java.util.Random(31183)`, as Spark does, so the bins equal Spark's for the same
//! input order; NULL without a value.

use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::Float64Type;
use arrow_array::{Array, ArrayRef, Float64Array, Int64Array, ListArray, StructArray};
use arrow_buffer::OffsetBuffer;
use arrow_schema::{DataType, Field, FieldRef, Fields};
use datafusion::common::ScalarValue;
use datafusion::error::{DataFusionError, Result};
use datafusion::logical_expr::function::{AccumulatorArgs, StateFieldsArgs};
use datafusion::logical_expr::{Accumulator, AggregateUDF, AggregateUDFImpl, Signature, Volatility};

use super::percentile::{constant, doubles, list_state_field};

/// The family's aggregates.
pub(crate) fn aggregates() -> Vec<Arc<AggregateUDF>> {
    vec![Arc::new(AggregateUDF::new_from_impl(HistogramNumeric {
        signature: Signature::user_defined(Volatility::Immutable),
    }))]
}

#[derive(Debug, PartialEq, Eq, Hash)]
struct HistogramNumeric {
    signature: Signature,
}

/// The bins' fields: centre (the input's type) and height.
fn bin_fields(x: &DataType) -> Fields {
    Fields::from(vec![Field::new("x", x.clone(), true), Field::new("y", DataType::Float64, true)])
}

impl AggregateUDFImpl for HistogramNumeric {
    fn name(&self) -> &'static str {
        "histogram_numeric"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        let [value, bins] = arg_types else {
            return Err(DataFusionError::Plan("histogram_numeric takes a column and a number of bins".into()));
        };
        let value = match value {
            // A NULL column is a double one; decimals are read as doubles.
            DataType::Null | DataType::Decimal128(..) | DataType::Decimal256(..) => DataType::Float64,
            t if t.is_numeric() || t.is_temporal() => t.clone(),
            other => {
                return Err(DataFusionError::Plan(format!(
                    "[DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE] histogram_numeric takes a number, date or timestamp, not {other}"
                )))
            }
        };
        if !bins.is_integer() {
            return Err(DataFusionError::Plan("histogram_numeric: the number of bins must be an integer".into()));
        }
        Ok(vec![value, DataType::Int64])
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::new_list(DataType::Struct(bin_fields(&arg_types[0])), true))
    }

    fn accumulator(&self, args: AccumulatorArgs) -> Result<Box<dyn Accumulator>> {
        let bins = match args.exprs.get(1).map(|e| constant(e, args.schema)).transpose()? {
            Some(ScalarValue::Int64(Some(n))) if n >= 2 => n,
            Some(ScalarValue::Int64(Some(n))) => {
                return Err(DataFusionError::Plan(format!(
                    "[DATATYPE_MISMATCH.VALUE_OUT_OF_RANGE] histogram_numeric: the number of bins must be at least 2, not {n}"
                )))
            }
            _ => return Err(DataFusionError::Plan("histogram_numeric: the number of bins must be a constant".into())),
        };
        let x = args.exprs[0].data_type(args.schema)?;
        Ok(Box::new(Histogram::new(usize::try_from(bins).unwrap_or(usize::MAX), x)))
    }

    fn state_fields(&self, args: StateFieldsArgs) -> Result<Vec<FieldRef>> {
        Ok(vec![
            list_state_field(args.name, "x", DataType::Float64),
            list_state_field(args.name, "y", DataType::Float64),
        ])
    }
}

/// `java.util.Random`: Spark breaks ties between bins with its doubles.
#[derive(Debug)]
struct JavaRandom(u64);

impl JavaRandom {
    const MULTIPLIER: u64 = 0x5_DEEC_E66D;
    const MASK: u64 = (1 << 48) - 1;

    fn new(seed: i64) -> Self {
        Self((seed.cast_unsigned() ^ Self::MULTIPLIER) & Self::MASK)
    }

    fn next(&mut self, bits: u32) -> u64 {
        self.0 = (self.0.wrapping_mul(Self::MULTIPLIER).wrapping_add(0xB)) & Self::MASK;
        self.0 >> (48 - bits)
    }

    #[allow(clippy::cast_precision_loss)] // 53 bits: exact
    fn next_double(&mut self) -> f64 {
        let high = self.next(26) << 27;
        ((high + self.next(27)) as f64) * (1.0 / (1u64 << 53) as f64)
    }
}

/// Spark's `NumericHistogram`: bins sorted by centre.
#[derive(Debug)]
struct Histogram {
    capacity: usize,
    x_type: DataType,
    bins: Vec<(f64, f64)>,
    random: JavaRandom,
}

impl Histogram {
    fn new(capacity: usize, x_type: DataType) -> Self {
        Self { capacity, x_type, bins: Vec::new(), random: JavaRandom::new(31183) }
    }

    fn add(&mut self, v: f64) {
        // Spark's binary search (it stops at an equal centre).
        let (mut low, mut high, mut bin) = (0, self.bins.len(), 0);
        while low < high {
            bin = usize::midpoint(low, high);
            let centre = self.bins[bin].0;
            if centre > v {
                high = bin;
            } else if centre < v {
                bin += 1;
                low = bin;
            } else {
                break;
            }
        }
        #[allow(clippy::float_cmp)]
        if bin < self.bins.len() && self.bins[bin].0 == v {
            self.bins[bin].1 += 1.0;
        } else {
            self.bins.insert(bin, (v, 1.0));
            if self.bins.len() > self.capacity {
                self.trim();
            }
        }
    }

    /// Merge the closest pairs of bins until `capacity` are left.
    fn trim(&mut self) {
        while self.bins.len() > self.capacity {
            let mut smallest = self.bins[1].0 - self.bins[0].0;
            let (mut at, mut ties) = (0, 1u32);
            for i in 1..self.bins.len() - 1 {
                let diff = self.bins[i + 1].0 - self.bins[i].0;
                if diff < smallest {
                    smallest = diff;
                    at = i;
                    ties = 1;
                } else {
                    #[allow(clippy::float_cmp)]
                    let tie = diff == smallest;
                    if tie && {
                        ties += 1;
                        self.random.next_double() <= 1.0 / f64::from(ties)
                    } {
                        at = i;
                    }
                }
            }
            let ((x1, y1), (x2, y2)) = (self.bins[at], self.bins[at + 1]);
            let height = y1 + y2;
            // Spark's order of operations, for the same rounding.
            let mut x = x1 * (y1 / height);
            x += x2 / height * y2;
            self.bins[at] = (x, height);
            self.bins.remove(at + 1);
        }
    }

    /// Spark's `merge`: into an empty histogram a copy; else both sorted together, then trimmed.
    fn merge(&mut self, other: Vec<(f64, f64)>) {
        if other.is_empty() {
            return;
        }
        if self.bins.is_empty() {
            self.bins = other;
            return;
        }
        self.bins.extend(other);
        // Java's stable sort by centre.
        self.bins.sort_by(|a, b| a.0.total_cmp(&b.0));
        self.trim();
    }

    /// The centres as the input's type (Spark truncates toward zero for integers).
    #[allow(clippy::cast_possible_truncation)]
    fn centres(&self) -> Result<ArrayRef> {
        let xs = self.bins.iter().map(|b| b.0);
        let doubles: ArrayRef = Arc::new(Float64Array::from_iter_values(xs.clone()));
        let as_type = |from: ArrayRef| arrow_cast::cast(&from, &self.x_type).map_err(DataFusionError::from);
        match &self.x_type {
            DataType::Float64 => Ok(doubles),
            DataType::Float32 | DataType::Float16 => as_type(doubles),
            _ => as_type(Arc::new(Int64Array::from_iter_values(xs.map(|x| x as i64)))),
        }
    }
}

impl Accumulator for Histogram {
    fn update_batch(&mut self, values: &[ArrayRef]) -> Result<()> {
        let column = match values[0].data_type() {
            DataType::Timestamp(..) | DataType::Date32 | DataType::Date64 => {
                let integers = arrow_cast::cast(&values[0], &DataType::Int64)?;
                arrow_cast::cast(&integers, &DataType::Float64)?
            }
            _ => arrow_cast::cast(&values[0], &DataType::Float64)?,
        };
        for value in column.as_primitive::<Float64Type>().iter().flatten() {
            self.add(value);
        }
        Ok(())
    }

    fn merge_batch(&mut self, states: &[ArrayRef]) -> Result<()> {
        let (xs, ys) = (states[0].as_list::<i32>(), states[1].as_list::<i32>());
        for row in 0..xs.len() {
            if xs.is_null(row) {
                continue;
            }
            let (x, y) = (xs.value(row), ys.value(row));
            let bins = x.as_primitive::<Float64Type>().values().iter().copied();
            self.merge(bins.zip(y.as_primitive::<Float64Type>().values().iter().copied()).collect());
        }
        Ok(())
    }

    fn state(&mut self) -> Result<Vec<ScalarValue>> {
        Ok(vec![doubles(self.bins.iter().map(|b| b.0)), doubles(self.bins.iter().map(|b| b.1))])
    }

    fn evaluate(&mut self) -> Result<ScalarValue> {
        let fields = bin_fields(&self.x_type);
        let item = Arc::new(Field::new_list_field(DataType::Struct(fields.clone()), true));
        if self.bins.is_empty() {
            return Ok(ScalarValue::List(Arc::new(ListArray::new_null(item, 1))));
        }
        let heights: ArrayRef = Arc::new(Float64Array::from_iter_values(self.bins.iter().map(|b| b.1)));
        let structs = StructArray::try_new(fields, vec![self.centres()?, heights], None)?;
        let offsets = OffsetBuffer::from_lengths([structs.len()]);
        Ok(ScalarValue::List(Arc::new(ListArray::try_new(item, offsets, Arc::new(structs), None)?)))
    }

    fn size(&self) -> usize {
        std::mem::size_of_val(self) + 16 * self.bins.capacity()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn java_random_matches_java() {
        // `new java.util.Random(seed).nextDouble()` in Java 17.
        assert!((JavaRandom::new(42).next_double() - 0.727_563_680_032_868_1).abs() < 1e-16);
        assert!((JavaRandom::new(31183).next_double() - 0.107_485_272_024_865_46).abs() < 1e-16);
    }

    #[test]
    fn bins_are_sparks() {
        // Spark 3.5's golden answer (group-by.sql) for 5 bins of 1..50 with 36 written as 3.
        let mut histogram = Histogram::new(5, DataType::Int32);
        for v in 1..=50 {
            histogram.add(f64::from(if v == 36 { 3 } else { v }));
        }
        #[allow(clippy::cast_possible_truncation)]
        let bins: Vec<(i64, f64)> = histogram.bins.iter().map(|(x, y)| (*x as i64, *y)).collect();
        assert_eq!(bins, vec![(5, 11.0), (14, 8.0), (22, 7.0), (30, 10.0), (43, 14.0)]);
    }

    #[test]
    fn bins_merge_as_spark_merges() {
        let mut histogram = Histogram::new(3, DataType::Float64);
        for v in [1.0, 2.0, 3.0, 10.0] {
            histogram.add(v);
        }
        assert_eq!(histogram.bins.len(), 3);
        assert_eq!(histogram.bins.last(), Some(&(10.0, 1.0)));
        assert!((histogram.bins.iter().map(|b| b.1).sum::<f64>() - 4.0).abs() < f64::EPSILON);
    }
}
