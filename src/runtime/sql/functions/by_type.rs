//! Spark functions whose meaning depends on their arguments' types, over DataFusion's own:
//! `reverse(x)` and `concat(x, …)` of arrays are `array_reverse` / `array_concat`, of anything
//! else the string functions (`concat`'s arguments read as text, as Spark casts them; of arrays,
//! NULL when one is NULL);
//! `flatten(xs)` is NULL when one of the inner arrays is NULL (Spark's rule).

use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::{Array, BooleanArray};
use arrow_schema::{DataType, FieldRef};
use datafusion::error::{DataFusionError, Result};
use datafusion::execution::FunctionRegistry;
use datafusion::logical_expr::{
    ColumnarValue, ReturnFieldArgs, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility,
};

/// The family's functions, over the registry's `array_*` and string functions.
pub(crate) fn functions(registry: &dyn FunctionRegistry) -> Vec<Arc<ScalarUDF>> {
    let pairs = [("reverse", "array_reverse"), ("concat", "array_concat"), ("flatten", "flatten")];
    pairs
        .into_iter()
        .filter_map(|(name, for_arrays)| {
            let for_arrays = registry.udf(for_arrays).ok()?;
            let for_text = if name == "flatten" { None } else { Some(registry.udf(name).ok()?) };
            Some(Arc::new(ScalarUDF::new_from_impl(ByType {
                name,
                for_arrays,
                for_text,
                signature: Signature::user_defined(Volatility::Immutable),
            })))
        })
        .collect()
}

fn is_array(t: &DataType) -> bool {
    matches!(t, DataType::List(_) | DataType::LargeList(_) | DataType::FixedSizeList(..))
}

#[derive(Debug, PartialEq, Eq, Hash)]
struct ByType {
    name: &'static str,
    for_arrays: Arc<ScalarUDF>,
    for_text: Option<Arc<ScalarUDF>>,
    signature: Signature,
}

impl ByType {
    fn chosen(&self, types: &[DataType]) -> Result<&Arc<ScalarUDF>> {
        if types.iter().any(is_array) {
            return Ok(&self.for_arrays);
        }
        self.for_text.as_ref().ok_or_else(|| DataFusionError::Plan(format!("{} needs an array argument", self.name)))
    }
}

impl ScalarUDFImpl for ByType {
    fn name(&self) -> &str {
        self.name
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        if let Some(list) = arg_types.iter().find(|t| is_array(t)) {
            // A NULL among arrays is a NULL array of the first one's type.
            let types: Vec<DataType> =
                arg_types.iter().map(|t| if *t == DataType::Null { list.clone() } else { t.clone() }).collect();
            // The array function's own coercion to one element type, where it has one.
            return Ok(self.for_arrays.coerce_types(&types).unwrap_or(types));
        }
        Ok(arg_types.iter().map(|t| if matches!(t, DataType::Null) { t.clone() } else { DataType::Utf8 }).collect())
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Err(DataFusionError::Internal("return_field_from_args decides".to_string()))
    }

    fn return_field_from_args(&self, args: ReturnFieldArgs) -> Result<FieldRef> {
        let types: Vec<DataType> = args.arg_fields.iter().map(|f| f.data_type().clone()).collect();
        self.chosen(&types)?.return_field_from_args(args)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let types: Vec<DataType> = args.arg_fields.iter().map(|f| f.data_type().clone()).collect();
        if self.name == "concat" && types.iter().any(is_array) {
            // Spark's concat of arrays is NULL when one of them is.
            let rows = args.number_rows;
            let inputs = ColumnarValue::values_to_arrays(&args.args)?;
            let joined = self.for_arrays.invoke_with_args(args)?.into_array(rows)?;
            let any_null: BooleanArray = (0..rows)
                .map(|row| Some(inputs.iter().any(|a| a.is_null(if a.len() == 1 { 0 } else { row }))))
                .collect();
            return Ok(ColumnarValue::Array(arrow_select::nullif::nullif(joined.as_ref(), &any_null)?));
        }
        if self.name != "flatten" {
            return self.chosen(&types)?.invoke_with_args(args);
        }
        let input = args.args[0].clone();
        let rows = args.number_rows;
        let flat = self.for_arrays.invoke_with_args(args)?.into_array(rows)?;
        let input = input.into_array(rows)?;
        let Some(list) = input.as_list_opt::<i32>() else { return Ok(ColumnarValue::Array(flat)) };
        // A row with a NULL inner array is NULL.
        let has_null: BooleanArray =
            (0..list.len()).map(|row| Some(list.is_valid(row) && list.value(row).null_count() > 0)).collect();
        Ok(ColumnarValue::Array(arrow_select::nullif::nullif(flat.as_ref(), &has_null)?))
    }
}
