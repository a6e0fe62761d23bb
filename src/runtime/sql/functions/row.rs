//! A scalar function written one row at a time: the shape of glueless's own Spark functions
//! whose work per row dwarfs the per-row overhead (regular expressions, rounding of decimals).
//!
//! Arguments are coerced to the function's declared input types (Spark's implicit casts), and a
//! NULL argument gives NULL unless the function says otherwise.

use std::sync::Arc;

use arrow_schema::DataType;
use datafusion::common::ScalarValue;
use datafusion::error::{DataFusionError, Result};
use datafusion::logical_expr::{ColumnarValue, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility};

use crate::core::text::datetime::SessionZone;

/// What a row function may need of the session: its time zone.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RowContext {
    pub(crate) zone: SessionZone,
}

/// The body of a row function: one row's arguments (none NULL) to its value.
pub(crate) type RowBody = fn(&[ScalarValue], RowContext) -> Result<ScalarValue>;

/// An input type that keeps the argument's own type (the body reads any of them).
pub(crate) const ANY: DataType = DataType::Null;

/// A Spark function evaluated row by row.
#[derive(Debug)]
pub(crate) struct RowFunction {
    name: &'static str,
    signature: Signature,
    /// The type each argument is cast to; the trailing ones are optional down to `required`.
    inputs: Vec<DataType>,
    required: usize,
    output: DataType,
    body: RowBody,
    /// Spark's `ExpectsInputTypes`: an argument of another type is an error, not cast.
    strict: bool,
}

same_by_name!(RowFunction);

impl RowFunction {
    /// `name(inputs…) -> output`, the last `inputs.len() - required` arguments optional.
    pub(crate) fn udf(
        name: &'static str,
        inputs: Vec<DataType>,
        required: usize,
        output: DataType,
        body: RowBody,
    ) -> Arc<ScalarUDF> {
        Self::build(name, inputs, required, output, body, false)
    }

    /// [`RowFunction::udf`] whose arguments must already be of the declared types (a NULL, or
    /// another layout of the same kind of value, is taken): Spark's `ExpectsInputTypes`.
    pub(crate) fn strict(
        name: &'static str,
        inputs: Vec<DataType>,
        required: usize,
        output: DataType,
        body: RowBody,
    ) -> Arc<ScalarUDF> {
        Self::build(name, inputs, required, output, body, true)
    }

    fn build(
        name: &'static str,
        inputs: Vec<DataType>,
        required: usize,
        output: DataType,
        body: RowBody,
        strict: bool,
    ) -> Arc<ScalarUDF> {
        let signature = Signature::user_defined(Volatility::Immutable);
        Arc::new(ScalarUDF::new_from_impl(Self { name, signature, inputs, required, output, body, strict }))
    }
}

impl ScalarUDFImpl for RowFunction {
    fn name(&self) -> &str {
        self.name
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(self.output.clone())
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        if arg_types.len() < self.required || arg_types.len() > self.inputs.len() {
            let arity = if self.required == self.inputs.len() {
                self.required.to_string()
            } else {
                format!("{} to {}", self.required, self.inputs.len())
            };
            return Err(DataFusionError::Plan(format!(
                "[WRONG_NUM_ARGS] The `{}` requires {arity} parameters but the actual number is {}.",
                self.name,
                arg_types.len()
            )));
        }
        if self.strict {
            for (position, (declared, given)) in self.inputs.iter().zip(arg_types).enumerate() {
                if !same_kind(declared, given) {
                    return Err(unexpected_input_type(self.name, position, declared, given));
                }
            }
        }
        Ok(self.inputs[..arg_types.len()]
            .iter()
            .zip(arg_types)
            .map(|(declared, given)| if *declared == ANY { given.clone() } else { declared.clone() })
            .collect())
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let null = ScalarValue::try_from(&self.output)?;
        let zone = args.config_options.execution.time_zone.as_deref().and_then(SessionZone::parse);
        let context = RowContext { zone: zone.unwrap_or_else(SessionZone::utc) };
        each_row(
            &args,
            |row| if row.iter().any(ScalarValue::is_null) { Ok(null.clone()) } else { (self.body)(row, context) },
        )
    }
}

/// Whether an argument of type `given` is one of type `declared` (in any of Arrow's layouts).
fn same_kind(declared: &DataType, given: &DataType) -> bool {
    let binary = |t: &DataType| matches!(t, DataType::Binary | DataType::LargeBinary | DataType::BinaryView);
    let text = |t: &DataType| matches!(t, DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View);
    *given == DataType::Null
        || *declared == ANY
        || declared == given
        || (binary(declared) && binary(given))
        || (text(declared) && text(given))
}

/// Spark's `DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE` for the argument at `position` (0-based).
pub(crate) fn unexpected_input_type(
    function: &str,
    position: usize,
    required: &DataType,
    given: &DataType,
) -> DataFusionError {
    let ordinal = ["first", "second", "third", "fourth", "fifth"].get(position).copied().unwrap_or("next");
    let name = |t: &DataType| crate::core::types::spark_sql_name(t).unwrap_or_else(|_| t.to_string());
    DataFusionError::Plan(format!(
        "[DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE] Cannot resolve \"{function}\" due to data type mismatch: \
         The {ordinal} parameter requires the \"{}\" type, however it has the type \"{}\".",
        name(required),
        name(given)
    ))
}

/// `f` on each row's arguments (as scalars); a scalar answer when every argument is one.
///
/// # Errors
/// What `f` returns, or Arrow's errors reading the arguments.
pub(crate) fn each_row(
    args: &ScalarFunctionArgs,
    mut f: impl FnMut(&[ScalarValue]) -> Result<ScalarValue>,
) -> Result<ColumnarValue> {
    let scalar = args.args.iter().all(|a| matches!(a, ColumnarValue::Scalar(_)));
    let arrays = ColumnarValue::values_to_arrays(&args.args)?;
    let rows = if scalar { 1 } else { args.number_rows };
    let mut values = Vec::with_capacity(rows);
    let mut row_args = Vec::with_capacity(arrays.len());
    for row in 0..rows {
        row_args.clear();
        for array in &arrays {
            row_args.push(ScalarValue::try_from_array(array, row)?);
        }
        values.push(f(&row_args)?);
    }
    if scalar {
        return Ok(ColumnarValue::Scalar(values.pop().unwrap_or(ScalarValue::Null)));
    }
    Ok(ColumnarValue::Array(ScalarValue::iter_to_array(values)?))
}

/// The bytes of a binary argument, or of a text one's UTF-8.
pub(crate) fn bytes(value: &ScalarValue) -> Vec<u8> {
    match value {
        ScalarValue::Binary(Some(b)) | ScalarValue::LargeBinary(Some(b)) | ScalarValue::BinaryView(Some(b)) => {
            b.clone()
        }
        other => text(other).as_bytes().to_vec(),
    }
}

/// The text of a string argument.
pub(crate) fn text(value: &ScalarValue) -> &str {
    match value {
        ScalarValue::Utf8(Some(s)) | ScalarValue::LargeUtf8(Some(s)) | ScalarValue::Utf8View(Some(s)) => s,
        _ => "",
    }
}

/// The value of an integer argument.
pub(crate) fn integer(value: &ScalarValue) -> i64 {
    match value {
        ScalarValue::Int64(Some(n)) => *n,
        ScalarValue::Int32(Some(n)) => i64::from(*n),
        _ => 0,
    }
}
