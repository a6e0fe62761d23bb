//! Spark's `CAST(x AS STRING)` where Arrow's text differs: a timestamp as Spark writes it
//! (`2016-03-11 09:00:05.5`, in the zone of its type), a double or float as Java writes it
//! (`1.0E10`), an interval as Spark's `CalendarInterval` (`1 years 2 months`). Other inputs cast as DataFusion's `TRY_CAST` does. The SQL front end calls it for
//! every cast to a string type, under the name [`STRING_CAST`].

use std::sync::Arc;

use arrow_array::{Array, ArrayRef, StringArray};
use arrow_schema::{DataType, IntervalUnit};
use datafusion::common::ScalarValue;
use datafusion::error::{DataFusionError, Result};
use datafusion::logical_expr::{ColumnarValue, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility};

use crate::core::text::java::{java_double_text, java_float_text};
use crate::runtime::frames::hive_result::calendar_interval;
use crate::runtime::frames::show::timestamp_text;

/// The internal name of the cast (`__glueless_string_cast(x)`).
pub(crate) const STRING_CAST: &str = "__glueless_string_cast";

/// The family's functions.
pub(crate) fn functions() -> Vec<Arc<ScalarUDF>> {
    vec![Arc::new(ScalarUDF::new_from_impl(StringCast { signature: Signature::any(1, Volatility::Immutable) }))]
}

#[derive(Debug, PartialEq, Eq, Hash)]
struct StringCast {
    signature: Signature,
}

impl ScalarUDFImpl for StringCast {
    fn name(&self) -> &str {
        STRING_CAST
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Utf8)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let scalar = matches!(args.args[0], ColumnarValue::Scalar(_));
        let mut input = args.args[0].to_array(if scalar { 1 } else { args.number_rows })?;
        // An instant is written in the session's zone, whatever zone its type is labelled with.
        if let (DataType::Timestamp(unit, Some(_)), Some(zone)) =
            (input.data_type(), args.config_options.execution.time_zone.as_deref())
        {
            input = arrow_cast::cast(&input, &DataType::Timestamp(*unit, Some(zone.into())))?;
        }
        let text = as_text(&input)?;
        if scalar {
            return Ok(ColumnarValue::Scalar(ScalarValue::try_from_array(&text, 0)?));
        }
        Ok(ColumnarValue::Array(text))
    }
}

/// The values as Spark's text.
pub(crate) fn as_text(input: &ArrayRef) -> Result<ArrayRef> {
    use arrow_array::cast::AsArray;
    use arrow_array::types::{Float32Type, Float64Type, IntervalMonthDayNanoType};
    let each = |f: &dyn Fn(usize) -> Result<String>| -> Result<ArrayRef> {
        let values = (0..input.len()).map(|row| if input.is_null(row) { Ok(None) } else { f(row).map(Some) });
        Ok(Arc::new(values.collect::<Result<StringArray>>()?))
    };
    match input.data_type() {
        DataType::Timestamp(..) => {
            each(&|row| timestamp_text(input.as_ref(), row).map_err(|e| DataFusionError::Execution(e.to_string())))
        }
        DataType::Float64 => {
            let values = input.as_primitive::<Float64Type>();
            each(&|row| Ok(java_double_text(values.value(row))))
        }
        DataType::Float32 => {
            let values = input.as_primitive::<Float32Type>();
            each(&|row| Ok(java_float_text(values.value(row))))
        }
        DataType::Interval(IntervalUnit::MonthDayNano) => {
            let values = input.as_primitive::<IntervalMonthDayNanoType>();
            each(&|row| {
                let v = values.value(row);
                Ok(calendar_interval(v.months, v.days, v.nanoseconds / 1_000))
            })
        }
        _ => Ok(arrow_cast::cast_with_options(input, &DataType::Utf8, &arrow_cast::CastOptions::default())?),
    }
}
