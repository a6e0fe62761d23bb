//! Spark's `typeof(x)`: the simple string of `x`'s type (`int`, `array<string>`, `decimal(2,1)`).

use std::sync::Arc;

use arrow_schema::DataType;
use datafusion::common::ScalarValue;
use datafusion::error::Result;
use datafusion::logical_expr::{ColumnarValue, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility};

use crate::core::types::{display_name, Dialect};

/// The family's functions.
pub(crate) fn functions() -> Vec<Arc<ScalarUDF>> {
    vec![Arc::new(ScalarUDF::new_from_impl(TypeOf { signature: Signature::any(1, Volatility::Immutable) }))]
}

#[derive(Debug, PartialEq, Eq, Hash)]
struct TypeOf {
    signature: Signature,
}

impl ScalarUDFImpl for TypeOf {
    fn name(&self) -> &'static str {
        "typeof"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Utf8)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let name = display_name(args.arg_fields[0].data_type(), Dialect::Spark);
        Ok(ColumnarValue::Scalar(ScalarValue::Utf8(Some(name))))
    }
}
