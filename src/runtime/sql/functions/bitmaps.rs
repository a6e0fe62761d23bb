//! Spark's bitmap aggregates (3.5): `bitmap_construct_agg(position)` sets the bit of each
//! position (from `bitmap_bit_position`, 0 ≤ position < 32,768) in a 4,096-byte bitmap, bit `i`
//! the `i % 8`-th lowest of byte `i / 8`; `bitmap_or_agg(bitmap)` is the bitwise OR of bitmaps,
//! `bitmap_and_agg(bitmap)` (4.1) their AND (all ones for a group without bitmaps).
//! NULLs are skipped; a group without rows is the empty bitmap (all zeros), as Spark's buffer
//! starts. The scalar `bitmap_bit_position`, `bitmap_bucket_number` and `bitmap_count` are
//! datafusion-spark's.

use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::Int64Type;
use arrow_array::ArrayRef;
use arrow_schema::{DataType, Field, FieldRef};
use datafusion::common::ScalarValue;
use datafusion::error::{DataFusionError, Result};
use datafusion::logical_expr::function::{AccumulatorArgs, StateFieldsArgs};
use datafusion::logical_expr::{Accumulator, AggregateUDF, AggregateUDFImpl, Signature, Volatility};

/// Spark's `BitmapExpressionUtils.NUM_BYTES`.
const BITMAP_BYTES: usize = 4096;

/// The family's aggregates.
pub(crate) fn aggregates() -> Vec<Arc<AggregateUDF>> {
    [
        ("bitmap_construct_agg", Input::Positions, DataType::Int64),
        ("bitmap_or_agg", Input::Bitmaps, DataType::Binary),
        ("bitmap_and_agg", Input::BitmapsAnd, DataType::Binary),
    ]
    .into_iter()
    .map(|(name, input, data_type)| {
        let signature = Signature::exact(vec![data_type], Volatility::Immutable);
        Arc::new(AggregateUDF::new_from_impl(BitmapAggregate { name, input, signature }))
    })
    .collect()
}

/// What the aggregate reads: bit positions or whole bitmaps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Input {
    Positions,
    Bitmaps,
    /// `bitmap_and_agg` (4.1): starts all ones; a shorter bitmap is zeros past its end.
    BitmapsAnd,
}

#[derive(Debug, PartialEq, Eq, Hash)]
struct BitmapAggregate {
    name: &'static str,
    input: Input,
    signature: Signature,
}

impl AggregateUDFImpl for BitmapAggregate {
    fn name(&self) -> &str {
        self.name
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Binary)
    }

    fn is_nullable(&self) -> bool {
        false
    }

    fn accumulator(&self, _args: AccumulatorArgs) -> Result<Box<dyn Accumulator>> {
        let start = if self.input == Input::BitmapsAnd { 0xFF } else { 0 };
        Ok(Box::new(BitmapAccumulator { input: self.input, bitmap: vec![start; BITMAP_BYTES] }))
    }

    fn state_fields(&self, args: StateFieldsArgs) -> Result<Vec<FieldRef>> {
        Ok(vec![Arc::new(Field::new(format!("{}[bitmap]", args.name), DataType::Binary, false))])
    }
}

#[derive(Debug)]
struct BitmapAccumulator {
    input: Input,
    bitmap: Vec<u8>,
}

impl BitmapAccumulator {
    fn or(&mut self, other: &[u8]) {
        for (byte, other) in self.bitmap.iter_mut().zip(other) {
            *byte |= other;
        }
    }

    fn and(&mut self, other: &[u8]) {
        for (i, byte) in self.bitmap.iter_mut().enumerate() {
            *byte &= other.get(i).copied().unwrap_or(0);
        }
    }

    /// Combine a bitmap as the aggregate does: OR, or AND.
    fn combine(&mut self, other: &[u8]) {
        if self.input == Input::BitmapsAnd {
            self.and(other);
        } else {
            self.or(other);
        }
    }
}

impl Accumulator for BitmapAccumulator {
    fn update_batch(&mut self, values: &[ArrayRef]) -> Result<()> {
        let Some(values) = values.first() else { return Ok(()) };
        match self.input {
            Input::Positions => {
                for position in values.as_primitive::<Int64Type>().iter().flatten() {
                    let bit = usize::try_from(position).ok().filter(|b| *b < BITMAP_BYTES * 8).ok_or_else(|| {
                        DataFusionError::Execution(format!(
                            "[INVALID_BITMAP_POSITION] The 0-indexed bitmap position {position} is out of bounds. \
                             The bitmap has {} bits ({BITMAP_BYTES} bytes).",
                            BITMAP_BYTES * 8
                        ))
                    })?;
                    self.bitmap[bit / 8] |= 1 << (bit % 8);
                }
            }
            Input::Bitmaps | Input::BitmapsAnd => {
                for bitmap in values.as_binary::<i32>().iter().flatten() {
                    self.combine(bitmap);
                }
            }
        }
        Ok(())
    }

    fn merge_batch(&mut self, states: &[ArrayRef]) -> Result<()> {
        if let Some(states) = states.first() {
            for bitmap in states.as_binary::<i32>().iter().flatten() {
                self.combine(bitmap);
            }
        }
        Ok(())
    }

    fn state(&mut self) -> Result<Vec<ScalarValue>> {
        Ok(vec![self.evaluate()?])
    }

    fn evaluate(&mut self) -> Result<ScalarValue> {
        Ok(ScalarValue::Binary(Some(self.bitmap.clone())))
    }

    fn size(&self) -> usize {
        std::mem::size_of_val(self) + self.bitmap.capacity()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_set_bits_and_bitmaps_combine_by_or() {
        let mut positions = BitmapAccumulator { input: Input::Positions, bitmap: vec![0; BITMAP_BYTES] };
        let values: ArrayRef = Arc::new(arrow_array::Int64Array::from(vec![Some(0), Some(1), None, Some(2), Some(9)]));
        positions.update_batch(&[values]).unwrap();
        // Spark: substring(hex(bitmap_construct_agg(bitmap_bit_position(a))), 0, 6) of 1, 2, 3 is 070000.
        assert_eq!(&positions.bitmap[..2], &[0x07, 0x02]);
        let mut bitmaps = BitmapAccumulator { input: Input::Bitmaps, bitmap: vec![0; BITMAP_BYTES] };
        let values: ArrayRef = Arc::new(arrow_array::BinaryArray::from(vec![&[0x10_u8][..], &[0x20, 0x01], &[0x40]]));
        bitmaps.update_batch(&[values]).unwrap();
        assert_eq!(&bitmaps.bitmap[..3], &[0x70, 0x01, 0x00]);
        let out_of_range: ArrayRef = Arc::new(arrow_array::Int64Array::from(vec![32_768]));
        assert!(positions.update_batch(&[out_of_range]).is_err());
    }
}
