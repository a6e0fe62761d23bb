//! Spark's implicit casts in front of a function whose signature lacks them: Spark reads a string
//! where a date is expected (`date_add('2011-11-11', 1)`, `next_day('2015-07-23', 'Mon')`) and a
//! numeric string where an integer is; datafusion-spark's functions take exact types. The wrapper
//! casts those arguments (and reads a number as text where a string function expects one), then lets the function's own signature coerce the rest.

use std::sync::Arc;

use arrow_schema::{DataType, Field, FieldRef};
use datafusion::error::Result;
use datafusion::logical_expr::type_coercion::functions::fields_with_udf;
use datafusion::logical_expr::{
    ColumnarValue, ReturnFieldArgs, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature,
};

/// What a string argument at a position becomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum StringAs {
    Date,
    Int,
    Keep,
    /// Not a string argument: an integer, decimal, boolean or date is read as its text (Spark's
    /// implicit cast to string; a float's text differs from Arrow's, so a float stays refused).
    Text,
}

/// `inner` with Spark's implicit casts of string arguments (by position; the last rule repeats).
#[derive(Debug)]
pub(crate) struct Coerced {
    inner: Arc<ScalarUDF>,
    strings: Vec<StringAs>,
    signature: Signature,
}

same_by_name!(Coerced);

impl Coerced {
    pub(crate) fn udf(inner: Arc<ScalarUDF>, strings: Vec<StringAs>) -> Arc<ScalarUDF> {
        let volatility = inner.signature().volatility;
        let signature = Signature::user_defined(volatility);
        Arc::new(ScalarUDF::new_from_impl(Self { inner, strings, signature }))
    }

    fn rule(&self, position: usize) -> StringAs {
        self.strings.get(position).or(self.strings.last()).copied().unwrap_or(StringAs::Keep)
    }
}

impl ScalarUDFImpl for Coerced {
    fn name(&self) -> &str {
        self.inner.name()
    }

    fn aliases(&self) -> &[String] {
        self.inner.aliases()
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        self.inner.return_type(arg_types)
    }

    fn return_field_from_args(&self, args: ReturnFieldArgs) -> Result<FieldRef> {
        self.inner.return_field_from_args(args)
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        let cast: Vec<FieldRef> = arg_types
            .iter()
            .enumerate()
            .map(|(i, t)| {
                let string = matches!(t, DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View);
                let target = match self.rule(i) {
                    StringAs::Date if string || t == &DataType::Null => DataType::Date32,
                    StringAs::Date if matches!(t, DataType::Timestamp(..)) => DataType::Date32,
                    StringAs::Int if string || t == &DataType::Null => DataType::Int32,
                    StringAs::Text
                        if t.is_integer() || t.is_decimal() || matches!(t, DataType::Boolean | DataType::Date32) =>
                    {
                        DataType::Utf8
                    }
                    _ => t.clone(),
                };
                Arc::new(Field::new("arg", target, true))
            })
            .collect();
        Ok(fields_with_udf(&cast, self.inner.as_ref())?.iter().map(|f| f.data_type().clone()).collect())
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        self.inner.invoke_with_args(args)
    }

    // Some of datafusion-spark's functions (add_months) are a simplification to other calls.
    fn simplify(
        &self,
        args: Vec<datafusion::logical_expr::Expr>,
        info: &datafusion::logical_expr::simplify::SimplifyContext,
    ) -> Result<datafusion::logical_expr::simplify::ExprSimplifyResult> {
        self.inner.simplify(args, info)
    }
}
