//! `spark_higher_order(kind, lambdas, data…, captured…)`: Spark's higher-order functions over
//! arrays and maps (see [`crate::runtime::sql::lambdas`] for how a call becomes this one).
//!
//! A lambda's body is planned once per input types, as a physical expression over a batch whose
//! columns are the lambda's parameters and the captured columns; a call evaluates it over all the
//! elements of a batch's arrays at once (the row's captured values repeated per element), then
//! rebuilds the arrays. `aggregate` folds element by element, every row at once per step.

mod arrays;
mod maps;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use arrow_array::{Array, ArrayRef, BooleanArray, RecordBatch, UInt32Array};
use arrow_schema::{DataType, Field, FieldRef, Schema};
use datafusion::common::{DFSchema, ScalarValue};
use datafusion::error::{DataFusionError, Result};
use datafusion::logical_expr::{
    ColumnarValue, ReturnFieldArgs, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility,
};
use datafusion::physical_expr::PhysicalExpr;

use crate::runtime::sql::lambdas::{captured_name, HIGHER_ORDER, HIGHER_ORDER_FUNCTION};

/// The family's function.
pub(crate) fn functions() -> Vec<Arc<ScalarUDF>> {
    vec![Arc::new(ScalarUDF::new_from_impl(HigherOrder {
        signature: Signature::variadic_any(Volatility::Immutable),
        planned: Mutex::default(),
    }))]
}

/// One lambda: its parameters' names and its body as SQL.
#[derive(Debug, Clone)]
struct Lambda {
    params: Vec<String>,
    body: String,
}

/// A call's kind, its lambdas and its number of data arguments (the captured columns follow).
struct Call {
    kind: String,
    lambdas: Vec<Lambda>,
    data: usize,
}

impl Call {
    /// Where the data arguments start.
    fn first_data(&self) -> usize {
        2 + 2 * self.lambdas.len()
    }
}

/// The call described by its literal arguments.
fn call(literals: &[Option<ScalarValue>]) -> Result<Call> {
    let text = |i: usize| match literals.get(i) {
        Some(Some(ScalarValue::Utf8(Some(s)))) => Ok(s.clone()),
        _ => Err(DataFusionError::Plan(format!("{HIGHER_ORDER_FUNCTION}: a kind and lambdas as literals"))),
    };
    let kind = text(0)?;
    let data = HIGHER_ORDER
        .iter()
        .find(|(k, _)| *k == kind)
        .map(|(_, n)| *n)
        .ok_or_else(|| DataFusionError::Plan(format!("{kind} is not a higher-order function")))?;
    let count = match literals.get(1) {
        Some(Some(ScalarValue::Int64(Some(n)))) => usize::try_from(*n).unwrap_or(0),
        _ => 0,
    };
    let lambdas = (0..count)
        .map(|i| {
            Ok(Lambda { params: text(2 + 2 * i)?.split(',').map(str::to_string).collect(), body: text(3 + 2 * i)? })
        })
        .collect::<Result<_>>()?;
    Ok(Call { kind, lambdas, data })
}

/// A lambda's body planned for its parameters' and the captured columns' types.
#[derive(Debug, Clone)]
pub(super) struct Planned {
    expr: Arc<dyn PhysicalExpr>,
    /// How many parameters the lambda takes (the calls offer more: an element's position, …).
    params: usize,
    schema: Arc<Schema>,
}

impl Planned {
    /// The body's type.
    pub(super) fn data_type(&self) -> Result<DataType> {
        self.expr.data_type(&self.schema)
    }

    /// The body over `params` (one array per parameter, all of one length) and the captured
    /// columns' values of each element's row (`rows`).
    pub(super) fn evaluate(
        &self,
        params: Vec<ArrayRef>,
        captured: &[ArrayRef],
        rows: &UInt32Array,
    ) -> Result<ArrayRef> {
        let length = rows.len();
        let mut columns = params;
        columns.truncate(self.params);
        for column in captured {
            columns.push(arrow_select::take::take(column.as_ref(), rows, None)?);
        }
        let options = arrow_array::RecordBatchOptions::new().with_row_count(Some(length));
        let batch = RecordBatch::try_new_with_options(Arc::clone(&self.schema), columns, &options)?;
        self.expr.evaluate(&batch)?.into_array(length)
    }
}

#[derive(Debug)]
struct HigherOrder {
    signature: Signature,
    /// Bodies planned so far, by body and input types.
    planned: Mutex<HashMap<String, Planned>>,
}

impl PartialEq for HigherOrder {
    fn eq(&self, _other: &Self) -> bool {
        true
    }
}

impl Eq for HigherOrder {}

impl std::hash::Hash for HigherOrder {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        HIGHER_ORDER_FUNCTION.hash(state);
    }
}

impl HigherOrder {
    /// Plan `lambda` for parameters of `types` and the captured columns `captured`.
    fn plan(&self, lambda: &Lambda, types: &[DataType], captured: &[FieldRef]) -> Result<Planned> {
        if lambda.params.len() > types.len() {
            return Err(DataFusionError::Plan(format!(
                "[INVALID_LAMBDA_FUNCTION_CALL] the lambda takes {} arguments, at most {} are given",
                lambda.params.len(),
                types.len()
            )));
        }
        let mut fields: Vec<Field> =
            lambda.params.iter().zip(types).map(|(name, t)| Field::new(name, t.clone(), true)).collect();
        fields.extend(
            captured.iter().enumerate().map(|(i, f)| Field::new(captured_name(i), f.data_type().clone(), true)),
        );
        let schema = Arc::new(Schema::new(fields));
        let key = format!("{}\u{1}{schema:?}", lambda.body);
        let mut planned = self.planned.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(found) = planned.get(&key) {
            return Ok(found.clone());
        }
        let df_schema = DFSchema::try_from(Arc::clone(&schema))?;
        let state = crate::runtime::sql::session::spark_state();
        let logical = state.create_logical_expr(&lambda.body, &df_schema)?;
        // Functions that plan by simplification (datafusion-spark's date_part, …) need it here too.
        let context = datafusion::logical_expr::simplify::SimplifyContext::builder()
            .with_schema(Arc::new(df_schema.clone()))
            .with_config_options(Arc::clone(state.config_options()))
            .build();
        let simplifier = datafusion::optimizer::simplify_expressions::ExprSimplifier::new(context);
        let logical = simplifier.simplify(simplifier.coerce(logical, &df_schema)?)?;
        let found =
            Planned { expr: state.create_physical_expr(logical, &df_schema)?, params: lambda.params.len(), schema };
        planned.insert(key, found.clone());
        Ok(found)
    }

    /// Each lambda planned for the types `kind` gives its parameters.
    fn plan_all(&self, call: &Call, fields: &[FieldRef]) -> Result<Vec<Planned>> {
        let first = call.first_data();
        let data: Vec<DataType> = fields[first..first + call.data].iter().map(|f| f.data_type().clone()).collect();
        let captured = &fields[first + call.data..];
        let mut planned = Vec::new();
        for (i, lambda) in call.lambdas.iter().enumerate() {
            let types = parameter_types(&call.kind, i, &data, planned.first().map(Planned::data_type).transpose()?)?;
            planned.push(self.plan(lambda, &types, captured)?);
        }
        Ok(planned)
    }
}

/// The offsets of the rows (split at `offsets`) once the elements `keep` does not hold are gone.
#[allow(clippy::cast_sign_loss, clippy::cast_possible_truncation, clippy::cast_possible_wrap)]
pub(super) fn kept_offsets(offsets: &[i32], keep: &BooleanArray) -> Vec<i32> {
    let mut kept = vec![0];
    for row in 0..offsets.len().saturating_sub(1) {
        let count =
            (offsets[row]..offsets[row + 1]).filter(|i| keep.is_valid(*i as usize) && keep.value(*i as usize)).count();
        kept.push(kept[row] + count as i32);
    }
    kept
}

/// The types of the `index`-th lambda's parameters; `merged` is the first lambda's type (the
/// accumulator of `aggregate`'s finishing lambda).
fn parameter_types(kind: &str, index: usize, data: &[DataType], merged: Option<DataType>) -> Result<Vec<DataType>> {
    let element = |t: &DataType| match t {
        DataType::List(f) | DataType::LargeList(f) | DataType::FixedSizeList(f, _) => Ok(f.data_type().clone()),
        DataType::Null => Ok(DataType::Null),
        other => Err(DataFusionError::Plan(format!("{kind} needs an array, not {other}"))),
    };
    Ok(match kind {
        "transform" | "filter" | "exists" | "forall" => vec![element(&data[0])?, DataType::Int32],
        "aggregate" | "reduce" if index == 0 => vec![data[1].clone(), element(&data[0])?],
        "aggregate" | "reduce" => vec![merged.unwrap_or_else(|| data[1].clone())],
        "zip_with" => vec![element(&data[0])?, element(&data[1])?],
        "array_sort" => vec![element(&data[0])?, element(&data[0])?],
        _ => {
            let (key, value) = maps::entry_types(&data[0])?;
            if kind == "map_zip_with" {
                let (_, other) = maps::entry_types(&data[1])?;
                vec![key, value, other]
            } else {
                vec![key, value]
            }
        }
    })
}

impl ScalarUDFImpl for HigherOrder {
    fn name(&self) -> &'static str {
        HIGHER_ORDER_FUNCTION
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Err(DataFusionError::Internal("return_field_from_args decides".to_string()))
    }

    fn return_field_from_args(&self, args: ReturnFieldArgs) -> Result<FieldRef> {
        let literals: Vec<Option<ScalarValue>> = args.scalar_arguments.iter().map(|a| a.cloned()).collect();
        let call = call(&literals)?;
        let planned = self.plan_all(&call, args.arg_fields)?;
        let first = call.first_data();
        let input = args.arg_fields[first].data_type();
        let body = planned[0].data_type()?;
        let item = |t: DataType| DataType::List(Arc::new(Field::new_list_field(t, true)));
        let output = match call.kind.as_str() {
            "transform" | "zip_with" => item(body),
            "filter" | "array_sort" | "map_filter" => input.clone(),
            "exists" | "forall" => DataType::Boolean,
            "aggregate" | "reduce" => {
                planned.get(1).map_or_else(|| Ok(args.arg_fields[first + 1].data_type().clone()), Planned::data_type)?
            }
            kind => maps::output_type(kind, input, body)?,
        };
        Ok(Arc::new(Field::new(self.name(), output, true)))
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let literals: Vec<Option<ScalarValue>> = args
            .args
            .iter()
            .map(|a| match a {
                ColumnarValue::Scalar(s) => Some(s.clone()),
                ColumnarValue::Array(_) => None,
            })
            .collect();
        let call = call(&literals)?;
        let planned = self.plan_all(&call, &args.arg_fields)?;
        let arrays = ColumnarValue::values_to_arrays(&args.args[call.first_data()..])?;
        let (data, captured) = arrays.split_at(call.data);
        let output = args.return_field.data_type();
        let result = match call.kind.as_str() {
            "aggregate" | "reduce" => arrays::aggregate(&planned, data, captured)?,
            kind @ ("transform" | "filter" | "exists" | "forall" | "zip_with" | "array_sort") => {
                arrays::evaluate(kind, &planned[0], data, captured, output)?
            }
            kind => maps::evaluate(kind, &planned[0], data, captured, output)?,
        };
        Ok(ColumnarValue::Array(result))
    }
}
