//! `__list_field(xs, name)`: the values of the field `name` of each struct of the list `xs`, as a
//! list of the same shape (what `inline`'s columns unnest, functions' internal form); and
//! `__named_zip`, Spark's field names of `arrays_zip`.

use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::{Array, ListArray};
use arrow_schema::{DataType, Field, FieldRef};
use datafusion::common::ScalarValue;
use datafusion::error::{DataFusionError, Result};
use datafusion::logical_expr::{
    ColumnarValue, ReturnFieldArgs, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility,
};

/// The family's functions.
pub(crate) fn functions() -> Vec<Arc<ScalarUDF>> {
    vec![
        Arc::new(ScalarUDF::new_from_impl(ListField { signature: Signature::any(2, Volatility::Immutable) })),
        Arc::new(ScalarUDF::new_from_impl(NamedZip { signature: Signature::variadic_any(Volatility::Immutable) })),
    ]
}

#[derive(Debug, PartialEq, Eq, Hash)]
struct ListField {
    signature: Signature,
}

/// The struct field `name` of a list of structs' elements, and its position.
fn field_of(list: &DataType, name: &str) -> Result<(usize, FieldRef)> {
    let DataType::List(element) = list else {
        return Err(DataFusionError::Plan(format!("inline takes an array of structs, not {list}")));
    };
    let DataType::Struct(fields) = element.data_type() else {
        return Err(DataFusionError::Plan(format!("inline takes an array of structs, not {list}")));
    };
    let (i, field) = fields
        .find(name)
        .ok_or_else(|| DataFusionError::Plan(format!("the structs of inline have no field {name}")))?;
    Ok((i, Arc::clone(field)))
}

impl ScalarUDFImpl for ListField {
    fn name(&self) -> &'static str {
        "__list_field"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Err(DataFusionError::Internal("return_field_from_args decides".to_string()))
    }

    fn return_field_from_args(&self, args: ReturnFieldArgs) -> Result<FieldRef> {
        let Some(Some(ScalarValue::Utf8(Some(name)))) = args.scalar_arguments.get(1) else {
            return Err(DataFusionError::Plan("__list_field takes a field name".to_string()));
        };
        let (_, field) = field_of(args.arg_fields[0].data_type(), name)?;
        // A NULL struct's field is NULL.
        let element = Arc::new(Field::new("item", field.data_type().clone(), true));
        Ok(Arc::new(Field::new(self.name(), DataType::List(element), true)))
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let ColumnarValue::Scalar(ScalarValue::Utf8(Some(name))) = &args.args[1] else {
            return Err(DataFusionError::Plan("__list_field takes a field name".to_string()));
        };
        let lists = args.args[0].clone().into_array(args.number_rows)?;
        let (i, _) = field_of(lists.data_type(), name)?;
        let DataType::List(element) = args.return_field.data_type() else {
            return Err(DataFusionError::Internal("__list_field is a list".to_string()));
        };
        let lists = lists.as_list::<i32>();
        let structs = lists.values().as_struct();
        let mut values = Arc::clone(structs.column(i));
        if let Some(nulls) = structs.nulls() {
            // A NULL struct's field is NULL.
            let absent: arrow_array::BooleanArray = nulls.iter().map(|valid| Some(!valid)).collect();
            values = arrow_select::nullif::nullif(values.as_ref(), &absent)?;
        }
        let list = ListArray::try_new(Arc::clone(element), lists.offsets().clone(), values, lists.nulls().cloned())?;
        Ok(ColumnarValue::Array(Arc::new(list)))
    }
}

/// `__named_zip(arrays_zip(xs, ys, …), 'xs', 'ys', …)`: Spark's `arrays_zip` names each field of
/// its structs after its array (the column's name, else its position), and its structs are
/// never NULL.
#[derive(Debug, PartialEq, Eq, Hash)]
pub(crate) struct NamedZip {
    pub(crate) signature: Signature,
}

/// The zipped list's element field renamed to `names`, not nullable.
fn named_element(zipped: &DataType, names: &[String]) -> Result<FieldRef> {
    let DataType::List(element) = zipped else {
        return Err(DataFusionError::Internal("arrays_zip gives a list".to_string()));
    };
    let DataType::Struct(fields) = element.data_type() else {
        return Err(DataFusionError::Internal("arrays_zip gives a list of structs".to_string()));
    };
    let renamed: Vec<Field> = fields
        .iter()
        .enumerate()
        .map(|(i, f)| f.as_ref().clone().with_name(names.get(i).cloned().unwrap_or_else(|| i.to_string())))
        .collect();
    Ok(Arc::new(Field::new(element.name(), DataType::Struct(renamed.into()), false)))
}

impl ScalarUDFImpl for NamedZip {
    fn name(&self) -> &'static str {
        "__named_zip"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Err(DataFusionError::Internal("return_field_from_args decides".to_string()))
    }

    fn return_field_from_args(&self, args: ReturnFieldArgs) -> Result<FieldRef> {
        let names: Vec<String> = args
            .scalar_arguments
            .iter()
            .skip(1)
            .map(|s| match s {
                Some(ScalarValue::Utf8(Some(n))) => n.clone(),
                _ => String::new(),
            })
            .collect();
        let element = named_element(args.arg_fields[0].data_type(), &names)?;
        Ok(Arc::new(Field::new(self.name(), DataType::List(element), args.arg_fields[0].is_nullable())))
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let zipped = args.args[0].clone().into_array(args.number_rows)?;
        let DataType::List(element) = args.return_field.data_type() else {
            return Err(DataFusionError::Internal("__named_zip is a list".to_string()));
        };
        let DataType::Struct(fields) = element.data_type() else {
            return Err(DataFusionError::Internal("__named_zip is a list of structs".to_string()));
        };
        let lists = zipped.as_list::<i32>();
        let structs = lists.values().as_struct();
        let renamed = arrow_array::StructArray::try_new(fields.clone(), structs.columns().to_vec(), None)?;
        let list = ListArray::try_new(
            Arc::clone(element),
            lists.offsets().clone(),
            Arc::new(renamed),
            lists.nulls().cloned(),
        )?;
        Ok(ColumnarValue::Array(Arc::new(list)))
    }
}
