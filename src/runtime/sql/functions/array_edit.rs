//! Spark's `array_insert(xs, pos, x)` (3.4+): `x` inserted at the 1-based position `pos`, counted
//! from the end when negative (-1 appends); a position past either end pads with NULLs; NULL when
//! `xs` or `pos` is NULL; position 0 is an error. `x` takes the elements' type.

use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::Int32Type;
use arrow_array::{new_null_array, Array, ListArray};
use arrow_buffer::{NullBuffer, OffsetBuffer};
use arrow_schema::{DataType, Field, FieldRef};
use datafusion::error::{DataFusionError, Result};
use datafusion::logical_expr::{
    ColumnarValue, ReturnFieldArgs, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility,
};

/// The family's functions.
pub(crate) fn functions() -> Vec<Arc<ScalarUDF>> {
    vec![Arc::new(ScalarUDF::new_from_impl(ArrayInsert { signature: Signature::user_defined(Volatility::Immutable) }))]
}

#[derive(Debug, PartialEq, Eq, Hash)]
struct ArrayInsert {
    signature: Signature,
}

impl ScalarUDFImpl for ArrayInsert {
    fn name(&self) -> &'static str {
        "array_insert"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        match arg_types {
            [list @ DataType::List(element), _, _] => {
                Ok(vec![list.clone(), DataType::Int32, element.data_type().clone()])
            }
            _ => Err(DataFusionError::Plan(format!(
                "[DATATYPE_MISMATCH.ARRAY_FUNCTION_DIFF_TYPES] array_insert takes an array, a position and an element, not {arg_types:?}"
            ))),
        }
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        Ok(arg_types[0].clone())
    }

    fn return_field_from_args(&self, args: ReturnFieldArgs) -> Result<FieldRef> {
        let DataType::List(element) = args.arg_fields[0].data_type() else {
            return Err(DataFusionError::Plan("array_insert takes an array".to_string()));
        };
        // Padding puts NULLs among the elements.
        let element = Arc::new(element.as_ref().clone().with_nullable(true));
        Ok(Arc::new(Field::new(self.name(), DataType::List(element), true)))
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let rows = args.number_rows;
        let DataType::List(element) = args.return_field.data_type() else {
            return Err(DataFusionError::Plan("array_insert takes an array".to_string()));
        };
        let arrays = ColumnarValue::values_to_arrays(&args.args)?;
        let (Some(lists), Some(positions)) =
            (arrays[0].as_list_opt::<i32>(), arrays[1].as_primitive_opt::<Int32Type>())
        else {
            return Err(DataFusionError::Plan("array_insert takes an array and an int position".to_string()));
        };
        let items = &arrays[2];
        let padding = new_null_array(element.data_type(), 1);
        let at = |array: &dyn Array, row: usize| if array.len() == 1 { 0 } else { row };
        // (source, index) pairs: 0 the elements, 1 the items, 2 a NULL.
        let mut picks: Vec<(usize, usize)> = Vec::new();
        let mut offsets = vec![0_i32];
        let mut valid = Vec::with_capacity(rows);
        for row in 0..rows {
            let (l, p) = (at(lists, row), at(positions, row));
            let present = lists.is_valid(l) && positions.is_valid(p);
            valid.push(present);
            if present {
                let (start, end) = (lists.value_offsets()[l], lists.value_offsets()[l + 1]);
                let elements: Vec<(usize, usize)> = (start..end).map(|i| (0, i as usize)).collect();
                inserted(&mut picks, &elements, (1, at(items.as_ref(), row)), positions.value(p))?;
            }
            offsets.push(i32::try_from(picks.len()).map_err(|e| DataFusionError::External(Box::new(e)))?);
        }
        let values =
            arrow_select::interleave::interleave(&[lists.values().as_ref(), items.as_ref(), padding.as_ref()], &picks)?;
        let list = ListArray::try_new(
            Arc::clone(element),
            OffsetBuffer::new(offsets.into()),
            values,
            Some(NullBuffer::from(valid)),
        )?;
        Ok(ColumnarValue::Array(Arc::new(list)))
    }
}

/// Push `elements` with `item` inserted at Spark's `position` (NULLs as `(2, 0)` where padded).
fn inserted(
    picks: &mut Vec<(usize, usize)>,
    elements: &[(usize, usize)],
    item: (usize, usize),
    position: i32,
) -> Result<()> {
    let length = i64::try_from(elements.len()).map_err(|e| DataFusionError::External(Box::new(e)))?;
    let index = match position {
        0 => {
            return Err(DataFusionError::Execution(
                "[INVALID_INDEX_OF_ZERO] The index 0 is invalid. An index shall be either < 0 or > 0 (the first element has index 1)."
                    .to_string(),
            ))
        }
        p if p > 0 => i64::from(p) - 1,
        p => length + i64::from(p) + 1,
    };
    if index < 0 {
        // Before the start: the item, NULLs, then the elements.
        picks.push(item);
        picks.extend(std::iter::repeat_n((2, 0), usize::try_from(-index).unwrap_or(0)));
        picks.extend_from_slice(elements);
    } else {
        let index = usize::try_from(index).unwrap_or(usize::MAX);
        let split = index.min(elements.len());
        picks.extend_from_slice(&elements[..split]);
        picks.extend(std::iter::repeat_n((2, 0), index - split));
        picks.push(item);
        picks.extend_from_slice(&elements[split..]);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::inserted;

    /// PySpark 3.5.9's answers for `array_insert(array(1, 2, 3), pos, 9)`.
    #[test]
    fn inserts_as_spark() {
        let elements = [(0, 1), (0, 2), (0, 3)];
        let cases: [(i32, &[usize]); 8] = [
            (1, &[9, 1, 2, 3]),
            (4, &[1, 2, 3, 9]),
            (6, &[1, 2, 3, 0, 0, 9]),
            (-1, &[1, 2, 3, 9]),
            (-3, &[1, 9, 2, 3]),
            (-4, &[9, 1, 2, 3]),
            (-5, &[9, 0, 1, 2, 3]),
            (-6, &[9, 0, 0, 1, 2, 3]),
        ];
        for (position, expected) in cases {
            let mut picks = Vec::new();
            inserted(&mut picks, &elements, (1, 9), position).unwrap();
            let values: Vec<usize> = picks.iter().map(|(source, i)| if *source == 2 { 0 } else { *i }).collect();
            assert_eq!(values, expected, "position {position}");
        }
        assert!(inserted(&mut Vec::new(), &elements, (1, 9), 0).is_err());
    }
}
