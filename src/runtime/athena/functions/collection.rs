//! Trino's `element_at` on arrays and maps: the element at a 1-based index (from the end when
//! negative), or the value of a key; NULL past the end or for a missing key. DataFusion's
//! `element_at` is its map function only.

use std::sync::Arc;

use arrow_schema::{DataType, Field};
use datafusion::common::ScalarValue;
use datafusion::error::{DataFusionError, Result};
use datafusion::functions_nested::extract::array_element_udf;
use datafusion::functions_nested::map_extract::map_extract_udf;
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, TypeSignature, Volatility,
};

/// The family's functions.
pub(super) fn functions() -> Vec<Arc<ScalarUDF>> {
    vec![Arc::new(ScalarUDF::new_from_impl(ElementAt {
        signature: Signature::new(TypeSignature::UserDefined, Volatility::Immutable),
    }))]
}

#[derive(Debug, PartialEq, Eq, Hash)]
struct ElementAt {
    signature: Signature,
}

fn not_a_collection(found: &DataType) -> DataFusionError {
    DataFusionError::Plan(format!("FUNCTION_NOT_FOUND: element_at takes an array or a map, not {found}"))
}

impl ScalarUDFImpl for ElementAt {
    fn name(&self) -> &'static str {
        "element_at"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        let [collection, _] = arg_types else {
            return Err(DataFusionError::Plan("element_at takes two arguments".into()));
        };
        match collection {
            DataType::List(_) | DataType::LargeList(_) => Ok(vec![collection.clone(), DataType::Int64]),
            DataType::Map(entries, _) => match entries.data_type() {
                DataType::Struct(kv) if kv.len() == 2 => Ok(vec![collection.clone(), kv[0].data_type().clone()]),
                other => Err(not_a_collection(other)),
            },
            other => Err(not_a_collection(other)),
        }
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        match arg_types.first() {
            Some(DataType::List(item) | DataType::LargeList(item)) => Ok(item.data_type().clone()),
            Some(DataType::Map(entries, _)) => match entries.data_type() {
                DataType::Struct(kv) if kv.len() == 2 => Ok(kv[1].data_type().clone()),
                other => Err(not_a_collection(other)),
            },
            Some(other) => Err(not_a_collection(other)),
            None => Err(DataFusionError::Plan("element_at takes two arguments".into())),
        }
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let DataType::Map(_, _) = args.arg_fields[0].data_type() else {
            return array_element_udf().invoke_with_args(args);
        };
        // A map's value: map_extract's one-element list, then its first element.
        let value = Arc::clone(&args.return_field);
        let listed = Arc::new(Field::new("list", DataType::new_list(value.data_type().clone(), true), true));
        let extract = ScalarFunctionArgs { return_field: Arc::clone(&listed), ..args.clone() };
        let rows = args.number_rows;
        let values = map_extract_udf().invoke_with_args(extract)?;
        let first = ScalarFunctionArgs {
            args: vec![values, ColumnarValue::Scalar(ScalarValue::Int64(Some(1)))],
            arg_fields: vec![listed, Arc::new(Field::new("i", DataType::Int64, false))],
            number_rows: rows,
            return_field: value,
            config_options: args.config_options,
        };
        array_element_udf().invoke_with_args(first)
    }
}
