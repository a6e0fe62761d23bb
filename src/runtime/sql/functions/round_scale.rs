//! Spark's `ceil(x, scale)` / `floor(x, scale)` (`RoundCeil` / `RoundFloor`): `x` as a decimal
//! (an integer as `decimal(p, 0)` of its width, a float as `decimal(14, 7)`, a double as
//! `decimal(30, 15)`), rounded up / down at `scale` digits after the point (before it when
//! negative). The type is `decimal(p - s + 1 + min(s, scale), min(s, scale))` for an input
//! `decimal(p, s)` (scale 0 for a negative `scale`, precision at most 38), as Spark types it.

use std::sync::Arc;

use arrow_array::{Array, ArrayRef, Decimal128Array};
use arrow_schema::{DataType, Field, FieldRef};
use datafusion::common::{exec_err, plan_err, ScalarValue};
use datafusion::error::Result;
use datafusion::logical_expr::{
    ColumnarValue, ReturnFieldArgs, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility,
};

/// The functions' names (sqlparser reads `CEIL(x, s)` / `FLOOR(x, s)` as forms of their own).
pub(crate) const CEIL_SCALE: &str = "spark_ceil_scale";
pub(crate) const FLOOR_SCALE: &str = "spark_floor_scale";

/// The family's functions.
pub(crate) fn functions() -> Vec<Arc<ScalarUDF>> {
    [true, false]
        .into_iter()
        .map(|ceiling| {
            Arc::new(ScalarUDF::new_from_impl(RoundToScale {
                ceiling,
                signature: Signature::user_defined(Volatility::Immutable),
            }))
        })
        .collect()
}

#[derive(Debug, PartialEq, Eq, Hash)]
struct RoundToScale {
    ceiling: bool,
    signature: Signature,
}

/// The decimal Spark reads a number as (`DecimalType.forType`).
fn as_decimal(data_type: &DataType) -> Option<(u8, i8)> {
    Some(match data_type {
        DataType::Int8 => (3, 0),
        DataType::Int16 => (5, 0),
        DataType::Int32 | DataType::Null => (10, 0),
        DataType::Int64 => (20, 0),
        DataType::Float16 | DataType::Float32 => (14, 7),
        DataType::Float64 => (30, 15),
        DataType::Decimal128(p, s) => (*p, *s),
        _ => return None,
    })
}

/// The result's (precision, scale) for an input `decimal(p, s)` rounded at `scale`.
fn result_type(precision: u8, input_scale: i8, scale: i32) -> (u8, i8) {
    let integral = i32::from(precision) - i32::from(input_scale) + 1;
    if scale < 0 {
        (u8::try_from(integral.max(1 - scale).min(38)).unwrap_or(38), 0)
    } else {
        let new_scale = i32::from(input_scale).min(scale);
        let precision = u8::try_from((integral + new_scale).min(38)).unwrap_or(38);
        (precision, i8::try_from(new_scale).unwrap_or(0))
    }
}

/// `value` (unscaled at `input_scale`) rounded up or down at `scale`, unscaled at the result's scale.
fn round(value: i128, input_scale: i8, scale: i32, ceiling: bool) -> Option<i128> {
    let drop = i32::from(input_scale) - scale;
    if drop <= 0 {
        return Some(value);
    }
    let factor = 10i128.checked_pow(u32::try_from(drop).ok()?)?;
    let floor = value.div_euclid(factor);
    let rounded = if ceiling && value.rem_euclid(factor) != 0 { floor + 1 } else { floor };
    // A negative scale keeps scale 0: the digits dropped before the point are zeros.
    if scale < 0 {
        rounded.checked_mul(10i128.checked_pow(scale.unsigned_abs())?)
    } else {
        Some(rounded)
    }
}

impl RoundToScale {
    fn scale(args: &[Option<&ScalarValue>]) -> Result<i32> {
        match args.get(1).copied().flatten().map(|s| s.cast_to(&DataType::Int32)) {
            Some(Ok(ScalarValue::Int32(Some(scale)))) => Ok(scale),
            _ => {
                plan_err!("[DATATYPE_MISMATCH.NON_FOLDABLE_INPUT] ceil / floor: the scale must be an integer constant")
            }
        }
    }
}

impl ScalarUDFImpl for RoundToScale {
    fn name(&self) -> &'static str {
        if self.ceiling {
            CEIL_SCALE
        } else {
            FLOOR_SCALE
        }
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _: &[DataType]) -> Result<DataType> {
        plan_err!("return_field_from_args decides")
    }

    fn return_field_from_args(&self, args: ReturnFieldArgs) -> Result<FieldRef> {
        let Some((precision, input_scale)) = as_decimal(args.arg_fields[0].data_type()) else {
            return plan_err!("ceil / floor of {} is not a number", args.arg_fields[0].data_type());
        };
        let (precision, scale) = result_type(precision, input_scale, Self::scale(args.scalar_arguments)?);
        Ok(Arc::new(Field::new(self.name(), DataType::Decimal128(precision, scale), true)))
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        let [value, scale] = arg_types else {
            return plan_err!("ceil / floor take a value and a scale, {} arguments given", arg_types.len());
        };
        let Some((precision, value_scale)) = as_decimal(value) else {
            return plan_err!("ceil / floor of {value} is not a number");
        };
        // The scale keeps an integer literal's type: a cast would hide its value from planning.
        let scale_type = if scale.is_integer() { scale.clone() } else { DataType::Int32 };
        Ok(vec![DataType::Decimal128(precision, value_scale), scale_type])
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let ColumnarValue::Scalar(scale) = &args.args[1] else {
            return exec_err!("ceil / floor: the scale must be an integer constant");
        };
        let scale = Self::scale(&[None, Some(scale)])?;
        let DataType::Decimal128(precision, scale_out) = args.return_field.data_type().clone() else {
            return exec_err!("ceil / floor: a decimal result");
        };
        let values = args.args[0].to_array(args.number_rows)?;
        let Some(values) = values.as_any().downcast_ref::<Decimal128Array>() else {
            return exec_err!("ceil / floor of {}", values.data_type());
        };
        let DataType::Decimal128(_, input_scale) = values.data_type().clone() else {
            return exec_err!("ceil / floor of {}", values.data_type());
        };
        let rounded: Decimal128Array =
            values.iter().map(|v| v.and_then(|v| round(v, input_scale, scale, self.ceiling))).collect();
        let rounded = rounded.with_precision_and_scale(precision, scale_out)?;
        Ok(ColumnarValue::Array(Arc::new(rounded) as ArrayRef))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounds_up_and_down_as_spark() {
        // ceil(-0.1, 1) of a double (decimal(30,15)) is -0.1, typed decimal(17,1).
        assert_eq!(result_type(30, 15, 1), (17, 1));
        assert_eq!(round(-100_000_000_000_000, 15, 1, true), Some(-1));
        // floor(2.1267, 2) is 2.12; ceil(2.1267, 2) is 2.13.
        assert_eq!(round(21_267, 4, 2, false), Some(212));
        assert_eq!(round(21_267, 4, 2, true), Some(213));
        // floor(-2.1267, 2) is -2.13.
        assert_eq!(round(-21_267, 4, 2, false), Some(-213));
        // ceil(1234, -2) is 1300 with scale 0; a scale past the input's keeps it.
        assert_eq!(round(1234, 0, -2, true), Some(1300));
        assert_eq!(result_type(10, 0, -2), (11, 0));
        assert_eq!(round(1234, 0, 3, true), Some(1234));
        assert_eq!(result_type(10, 0, 3), (11, 0));
    }
}
