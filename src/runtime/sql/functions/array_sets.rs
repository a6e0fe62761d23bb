//! Spark's `array_intersect(a, b)`: the distinct elements of `a` that are in `b`, in `a`'s order
//! (NULL is an element like any other); NULL when either array is. DataFusion's keeps another
//! order. Types are coerced as DataFusion's own `array_intersect` coerces them.

use std::collections::HashSet;
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::{Array, ArrayRef, ListArray, UInt32Array};
use arrow_buffer::{NullBuffer, OffsetBuffer};
use arrow_row::{RowConverter, SortField};
use arrow_schema::{DataType, Field, FieldRef};
use datafusion::error::{DataFusionError, Result};
use datafusion::execution::FunctionRegistry;
use datafusion::logical_expr::type_coercion::functions::fields_with_udf;
use datafusion::logical_expr::{
    ColumnarValue, ReturnFieldArgs, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility,
};

/// The family's functions, over the registry's `array_intersect` (for its coercion).
pub(crate) fn functions(registry: &dyn FunctionRegistry) -> Vec<Arc<ScalarUDF>> {
    let Ok(inner) = registry.udf("array_intersect") else { return Vec::new() };
    vec![Arc::new(ScalarUDF::new_from_impl(ArrayIntersect {
        inner,
        signature: Signature::user_defined(Volatility::Immutable),
    }))]
}

#[derive(Debug)]
struct ArrayIntersect {
    inner: Arc<ScalarUDF>,
    signature: Signature,
}

same_by_name!(ArrayIntersect);

impl ScalarUDFImpl for ArrayIntersect {
    fn name(&self) -> &'static str {
        "array_intersect"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        let fields: Vec<FieldRef> = arg_types.iter().map(|t| Arc::new(Field::new("arg", t.clone(), true))).collect();
        Ok(fields_with_udf(&fields, self.inner.as_ref())?.iter().map(|f| f.data_type().clone()).collect())
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Err(DataFusionError::Internal("return_field_from_args decides".to_string()))
    }

    fn return_field_from_args(&self, args: ReturnFieldArgs) -> Result<FieldRef> {
        self.inner.return_field_from_args(args)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let rows = args.number_rows;
        let arrays = ColumnarValue::values_to_arrays(&args.args)?;
        let (Some(first), Some(second)) = (arrays[0].as_list_opt::<i32>(), arrays[1].as_list_opt::<i32>()) else {
            return Err(DataFusionError::Plan("array_intersect needs two arrays".to_string()));
        };
        let DataType::List(element) = args.return_field.data_type() else {
            return Err(DataFusionError::Plan("array_intersect is an array".to_string()));
        };
        let intersected = intersect(first, second, Arc::clone(element), rows)?;
        Ok(ColumnarValue::Array(intersected))
    }
}

/// Row by row, the distinct elements of `first` found in `second`, in `first`'s order.
fn intersect(first: &ListArray, second: &ListArray, element: FieldRef, rows: usize) -> Result<ArrayRef> {
    let converter = RowConverter::new(vec![SortField::new(first.value_type())])?;
    let first_rows = converter.convert_columns(&[Arc::clone(first.values())])?;
    let second_rows = converter.convert_columns(&[Arc::clone(second.values())])?;
    let row_of = |list: &ListArray, row: usize| if list.len() == 1 { 0 } else { row };
    let mut taken: Vec<u32> = Vec::new();
    let mut offsets = vec![0_i32];
    let mut valid = Vec::with_capacity(rows);
    for row in 0..rows {
        let (a, b) = (row_of(first, row), row_of(second, row));
        let present = first.is_valid(a) && second.is_valid(b);
        valid.push(present);
        if present {
            let in_second: HashSet<_> = (second.value_offsets()[b]..second.value_offsets()[b + 1])
                .map(|j| second_rows.row(j as usize))
                .collect();
            let mut seen = HashSet::new();
            for j in first.value_offsets()[a]..first.value_offsets()[a + 1] {
                let value = first_rows.row(j as usize);
                if in_second.contains(&value) && seen.insert(value) {
                    taken.push(u32::try_from(j).map_err(|e| DataFusionError::External(Box::new(e)))?);
                }
            }
        }
        offsets.push(i32::try_from(taken.len()).map_err(|e| DataFusionError::External(Box::new(e)))?);
    }
    let values = arrow_select::take::take(first.values().as_ref(), &UInt32Array::from(taken), None)?;
    let list = ListArray::try_new(element, OffsetBuffer::new(offsets.into()), values, Some(NullBuffer::from(valid)))?;
    Ok(Arc::new(list))
}
