//! Spark's `x[key]`: an array's element by a 0-based index (NULL outside the array, ANSI off), a
//! map's value by key, a struct's field by name. DataFusion's subscript counts array elements
//! from 1, so the Spark session's rewrite calls this function instead; it picks the access by the
//! container's type when the query is planned.

use std::sync::Arc;

use arrow_array::{Array, ArrayRef, Int64Array};
use arrow_schema::{DataType, Field, FieldRef};
use datafusion::common::{DataFusionError, Result};
use datafusion::logical_expr::{
    ColumnarValue, ReturnFieldArgs, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility,
};

/// The name the rewrite calls.
pub(crate) const SUBSCRIPT: &str = "__spark_subscript";
/// Spark's `element_at`: an array's element by a 1-based index (negative from the end, NULL
/// outside), a map's value by key.
const ELEMENT_AT: &str = "element_at";

#[derive(Debug)]
struct Subscript {
    name: &'static str,
    /// `element_at`'s 1-based index (else `x[i]`'s 0-based one).
    one_based: bool,
    signature: Signature,
}

same_by_name!(Subscript);

fn element(container: &DataType) -> Option<&FieldRef> {
    match container {
        DataType::List(f) | DataType::LargeList(f) | DataType::FixedSizeList(f, _) => Some(f),
        _ => None,
    }
}

impl ScalarUDFImpl for Subscript {
    fn name(&self) -> &str {
        self.name
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        arg_types
            .first()
            .and_then(element)
            .map(|f| f.data_type().clone())
            .ok_or_else(|| DataFusionError::Internal(format!("{SUBSCRIPT}: typed by its arguments")))
    }

    fn return_field_from_args(&self, args: ReturnFieldArgs) -> Result<FieldRef> {
        let container = args.arg_fields.first().map_or(DataType::Null, |f| f.data_type().clone());
        match element(&container) {
            Some(f) => Ok(Arc::new(Field::new(SUBSCRIPT, f.data_type().clone(), true))),
            None => datafusion::functions::core::get_field().inner().return_field_from_args(args),
        }
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let container = args.arg_fields.first().map_or(DataType::Null, |f| f.data_type().clone());
        if element(&container).is_none() {
            return datafusion::functions::core::get_field().inner().invoke_with_args(args);
        }
        // Spark's index 0 is DataFusion's 1 and a negative one is NULL; element_at's counts from 1
        // and from the end when negative, as DataFusion's does.
        let rows = args.number_rows;
        let index = arrow_cast::cast(&args.args[1].to_array(rows)?, &DataType::Int64)?;
        let index =
            index.as_any().downcast_ref::<Int64Array>().cloned().unwrap_or_else(|| Int64Array::from(vec![None; rows]));
        let one_based = self.one_based;
        let shifted: Int64Array = index
            .iter()
            .map(|i| {
                i.and_then(|i| match (one_based, i) {
                    (true, 0) | (false, ..0) => None,
                    (true, _) => Some(i),
                    (false, _) => i.checked_add(1),
                })
            })
            .collect();
        let mut inner = args;
        inner.args[1] = ColumnarValue::Array(Arc::new(shifted) as ArrayRef);
        if let Some(f) = inner.arg_fields.get_mut(1) {
            *f = Arc::new(Field::new(f.name(), DataType::Int64, true));
        }
        datafusion::functions_nested::extract::array_element_udf().inner().invoke_with_args(inner)
    }
}

/// The functions, for the session's registry.
pub(crate) fn functions() -> Vec<Arc<ScalarUDF>> {
    [(SUBSCRIPT, false), (ELEMENT_AT, true)]
        .into_iter()
        .map(|(name, one_based)| {
            Arc::new(ScalarUDF::new_from_impl(Subscript {
                name,
                one_based,
                signature: Signature::any(2, Volatility::Immutable),
            }))
        })
        .collect()
}
