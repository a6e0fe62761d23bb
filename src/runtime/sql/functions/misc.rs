//! Spark's `typeof(x)`: the simple string of `x`'s type (`int`, `array<string>`, `decimal(2,1)`);
//! `raise_error(message)`, an error with that message for the first row it is evaluated on;
//! `assert_true(condition, message)`, NULL where the condition holds, else that error (the rules
//! give the one-argument form Spark's message, `'<condition>' is not true!`). `__text_only(x)`:
//! `x` itself where it is text, else a planning error: `listagg`'s template guards its input with
//! it, as DataFusion's `string_agg` would read binary values as text.

use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::Array;
use arrow_schema::DataType;
use datafusion::common::ScalarValue;
use datafusion::error::{DataFusionError, Result};
use datafusion::logical_expr::{ColumnarValue, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility};

use crate::core::types::{display_name, Dialect};

/// The family's functions.
pub(crate) fn functions() -> Vec<Arc<ScalarUDF>> {
    vec![
        Arc::new(ScalarUDF::new_from_impl(TypeOf { signature: Signature::any(1, Volatility::Immutable) })),
        Arc::new(ScalarUDF::new_from_impl(TextOnly { signature: Signature::any(1, Volatility::Immutable) })),
        // Volatile: never evaluated while a plan is simplified, only on rows.
        Arc::new(ScalarUDF::new_from_impl(Raise {
            name: "raise_error",
            signature: Signature::user_defined(Volatility::Volatile),
        })),
        Arc::new(ScalarUDF::new_from_impl(Raise {
            name: "assert_true",
            signature: Signature::user_defined(Volatility::Volatile),
        })),
    ]
}

/// `raise_error` and `assert_true`: NULL, or the error of the first row that raises it.
#[derive(Debug, PartialEq, Eq, Hash)]
struct Raise {
    name: &'static str,
    signature: Signature,
}

impl ScalarUDFImpl for Raise {
    fn name(&self) -> &'static str {
        self.name
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        let condition = usize::from(self.name == "assert_true");
        if arg_types.len() != condition + 1 {
            return Err(DataFusionError::Plan(format!(
                "[WRONG_NUM_ARGS] The `{}` requires {} parameters but the actual number is {}.",
                self.name,
                condition + 1,
                arg_types.len()
            )));
        }
        // The condition is a boolean, the message text (a number's text too).
        Ok(arg_types
            .iter()
            .enumerate()
            .map(|(i, _)| if i < condition { DataType::Boolean } else { DataType::Utf8 })
            .collect())
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Null)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let rows = args.number_rows;
        let arrays = ColumnarValue::values_to_arrays(&args.args)?;
        let messages = arrays.last().map(|a| a.as_string::<i32>().clone());
        let at = |array: &dyn Array, row: usize| if array.len() == 1 { 0 } else { row };
        for row in 0..rows {
            let raised = if self.name == "assert_true" {
                let holds = arrays[0].as_boolean();
                let r = at(holds, row);
                !(holds.is_valid(r) && holds.value(r))
            } else {
                true
            };
            if raised {
                let message = messages.as_ref().and_then(|m| {
                    let r = at(m, row);
                    m.is_valid(r).then(|| m.value(r).to_string())
                });
                return Err(DataFusionError::Execution(message.unwrap_or_else(|| "null".to_string())));
            }
        }
        Ok(ColumnarValue::Scalar(ScalarValue::Null))
    }
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

/// The name of the guard (`__text_only(x)`).
pub(crate) const TEXT_ONLY: &str = "__text_only";

#[derive(Debug, PartialEq, Eq, Hash)]
struct TextOnly {
    signature: Signature,
}

impl ScalarUDFImpl for TextOnly {
    fn name(&self) -> &'static str {
        TEXT_ONLY
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        match arg_types.first() {
            Some(t @ (DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View)) => Ok(t.clone()),
            Some(DataType::Null) => Ok(DataType::Utf8),
            other => Err(DataFusionError::Plan(format!(
                "listagg of {} values is not supported by glueless (text values are)",
                other.map_or_else(String::new, |t| display_name(t, Dialect::Spark))
            ))),
        }
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        Ok(args.args.into_iter().next().unwrap_or(ColumnarValue::Scalar(ScalarValue::Utf8(None))))
    }
}
