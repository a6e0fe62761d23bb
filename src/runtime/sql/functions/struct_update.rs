//! Spark's `Column.withField` / `Column.dropFields` (its `UpdateFields`):
//! `__with_field(s, 'a.b', v)`, the struct `s` with the (nested) field `a.b` set to `v`, added
//! last where there is none; `__drop_fields(s, 'a', 'b.c', …)`, the struct without those fields.
//! A NULL struct stays NULL; a path through a field that is not a struct is an error, as is
//! dropping every field.

use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::{Array, ArrayRef, StructArray};
use arrow_schema::{DataType, Field, FieldRef, Fields};
use datafusion::common::ScalarValue;
use datafusion::error::{DataFusionError, Result};
use datafusion::logical_expr::{
    ColumnarValue, ReturnFieldArgs, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility,
};

/// The family's functions.
pub(crate) fn functions() -> Vec<Arc<ScalarUDF>> {
    ["__with_field", "__drop_fields"]
        .into_iter()
        .map(|name| {
            Arc::new(ScalarUDF::new_from_impl(UpdateFields {
                name,
                signature: Signature::variadic_any(Volatility::Immutable),
            }))
        })
        .collect()
}

#[derive(Debug, PartialEq, Eq, Hash)]
struct UpdateFields {
    name: &'static str,
    signature: Signature,
}

/// The field names of a path: `a.b` is `a`, then `b`.
fn path(text: &str) -> Vec<&str> {
    text.split('.').collect()
}

fn fail(message: String) -> DataFusionError {
    DataFusionError::Plan(format!("[INVALID_EXTRACT_BASE_FIELD_TYPE] {message}"))
}

/// The position of the field `name` in `fields` (Spark resolves it ignoring case).
fn position(fields: &Fields, name: &str) -> Option<usize> {
    fields
        .iter()
        .position(|f| f.name() == name)
        .or_else(|| fields.iter().position(|f| f.name().eq_ignore_ascii_case(name)))
}

/// `fields` with the field at `path` set to `value` (its type), or without it (`value` None).
fn updated_fields(fields: &Fields, path: &[&str], value: Option<&Field>) -> Result<Fields> {
    let mut out: Vec<FieldRef> = fields.iter().cloned().collect();
    let found = position(fields, path[0]);
    if path.len() == 1 {
        match (found, value) {
            (Some(i), Some(v)) => out[i] = Arc::new(v.clone().with_name(fields[i].name())),
            (None, Some(v)) => out.push(Arc::new(v.clone().with_name(path[0]))),
            (Some(i), None) => {
                out.remove(i);
            }
            (None, None) => {}
        }
        return Ok(out.into());
    }
    let Some(i) = found else {
        return if value.is_none() { Ok(out.into()) } else { Err(fail(format!("no struct field {}", path[0]))) };
    };
    let DataType::Struct(inner) = fields[i].data_type() else {
        return Err(fail(format!("the field {} is not a struct", path[0])));
    };
    let inner = updated_fields(inner, &path[1..], value)?;
    out[i] = Arc::new(Field::new(fields[i].name(), DataType::Struct(inner), fields[i].is_nullable()));
    Ok(out.into())
}

/// `array` with the field at `path` set to `value`, or without it (`value` None).
fn updated(array: &StructArray, path: &[&str], value: Option<&ArrayRef>) -> Result<StructArray> {
    let value_field = value.map(|v| Field::new("value", v.data_type().clone(), true));
    let fields = updated_fields(array.fields(), path, value_field.as_ref())?;
    let mut columns: Vec<ArrayRef> = array.columns().to_vec();
    let found = position(array.fields(), path[0]);
    if path.len() == 1 {
        match (found, value) {
            (Some(i), Some(v)) => columns[i] = Arc::clone(v),
            (None, Some(v)) => columns.push(Arc::clone(v)),
            (Some(i), None) => {
                columns.remove(i);
            }
            (None, None) => {}
        }
    } else if let Some(i) = found {
        let inner = updated(columns[i].as_struct(), &path[1..], value)?;
        columns[i] = Arc::new(inner);
    }
    if fields.is_empty() {
        return Err(DataFusionError::Plan(
            "[DATATYPE_MISMATCH.CANNOT_DROP_ALL_FIELDS] Cannot drop all fields in struct.".to_string(),
        ));
    }
    Ok(StructArray::try_new(fields, columns, array.nulls().cloned())?)
}

/// The field paths among the arguments (every argument after the struct, or only the first).
fn paths<'a>(name: &str, texts: impl Iterator<Item = Option<&'a ScalarValue>>) -> Result<Vec<String>> {
    let mut out = Vec::new();
    for (i, text) in texts.enumerate() {
        if name == "__with_field" && i > 0 {
            break;
        }
        match text {
            Some(ScalarValue::Utf8(Some(p))) => out.push(p.clone()),
            _ => return Err(DataFusionError::Plan(format!("{name} takes field names as text"))),
        }
    }
    Ok(out)
}

impl ScalarUDFImpl for UpdateFields {
    fn name(&self) -> &'static str {
        self.name
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Err(DataFusionError::Internal("return_field_from_args decides".to_string()))
    }

    fn return_field_from_args(&self, args: ReturnFieldArgs) -> Result<FieldRef> {
        let DataType::Struct(mut fields) = args.arg_fields[0].data_type().clone() else {
            return Err(fail(format!("{} takes a struct", self.name)));
        };
        let texts = args.scalar_arguments.iter().skip(1).copied();
        for p in paths(self.name, texts)? {
            let value = (self.name == "__with_field")
                .then(|| Field::new("value", args.arg_fields[2].data_type().clone(), true));
            fields = updated_fields(&fields, &path(&p), value.as_ref())?;
        }
        Ok(Arc::new(Field::new(self.name, DataType::Struct(fields), args.arg_fields[0].is_nullable())))
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let rows = args.number_rows;
        let texts: Vec<Option<ScalarValue>> = args
            .args
            .iter()
            .skip(1)
            .map(|a| match a {
                ColumnarValue::Scalar(s) => Some(s.clone()),
                ColumnarValue::Array(_) => None,
            })
            .collect();
        let paths = paths(self.name, texts.iter().map(Option::as_ref))?;
        let input = args.args[0].clone().into_array(rows)?;
        let mut array = input.as_struct().clone();
        let value = if self.name == "__with_field" { Some(args.args[2].clone().into_array(rows)?) } else { None };
        for p in &paths {
            array = updated(&array, &path(p), value.as_ref())?;
        }
        Ok(ColumnarValue::Array(Arc::new(array)))
    }
}
