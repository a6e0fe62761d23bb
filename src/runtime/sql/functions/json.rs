//! Spark's JSON functions missing from DataFusion and datafusion-spark: `to_json`, `from_json`,
//! `json_array_length`, `json_object_keys`.
//!
//! `to_json(struct | array | map)` writes Spark's JSON: null fields left out (Spark's
//! `ignoreNullFields`), a NULL value gives NULL. `from_json(str, schema)` reads each string as a
//! value of the schema (a DDL list `a INT, b STRING` or a type `array<int>`); a string that is not
//! such a value gives NULL (Spark's PERMISSIVE mode). The schema must be a literal, as in Spark.

use std::borrow::Cow;
use std::sync::Arc;

use arrow_array::{Array, ArrayRef, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, FieldRef, Schema};
use datafusion::common::ScalarValue;
use datafusion::error::{DataFusionError, Result};
use datafusion::logical_expr::{
    ColumnarValue, ReturnFieldArgs, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility,
};

use super::row::{text, RowContext, RowFunction};
use crate::core::types::parse_type;

/// The family's functions.
pub(crate) fn functions() -> Vec<Arc<ScalarUDF>> {
    vec![
        RowFunction::udf("json_array_length", vec![DataType::Utf8], 1, DataType::Int32, json_array_length),
        RowFunction::udf(
            "json_object_keys",
            vec![DataType::Utf8],
            1,
            DataType::new_list(DataType::Utf8, true),
            json_object_keys,
        ),
        Arc::new(ScalarUDF::new_from_impl(Json::new("to_json"))),
        Arc::new(ScalarUDF::new_from_impl(Json::new("from_json"))),
    ]
}

#[allow(clippy::unnecessary_wraps)] // the shape of every row function
fn json_array_length(args: &[ScalarValue], _: RowContext) -> Result<ScalarValue> {
    let value: Option<serde_json::Value> = serde_json::from_str(text(&args[0])).ok();
    Ok(ScalarValue::Int32(match value {
        Some(serde_json::Value::Array(items)) => i32::try_from(items.len()).ok(),
        _ => None,
    }))
}

#[allow(clippy::unnecessary_wraps)] // the shape of every row function
fn json_object_keys(args: &[ScalarValue], _: RowContext) -> Result<ScalarValue> {
    // serde_json's map keeps the keys in the text's order (its `preserve_order` is not on): read
    // the keys as they come instead.
    let Ok(serde_json::Value::Object(_)) = serde_json::from_str::<serde_json::Value>(text(&args[0])) else {
        return Ok(ScalarValue::new_null_list(DataType::Utf8, true, 1));
    };
    let keys: ObjectKeys =
        serde_json::from_str(text(&args[0])).map_err(|e| DataFusionError::Execution(e.to_string()))?;
    let keys: Vec<ScalarValue> = keys.0.into_iter().map(|k| ScalarValue::Utf8(Some(k))).collect();
    Ok(ScalarValue::List(ScalarValue::new_list_nullable(&keys, &DataType::Utf8)))
}

/// The keys of a JSON object, in order.
struct ObjectKeys(Vec<String>);

impl<'de> serde::Deserialize<'de> for ObjectKeys {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        struct Keys;
        impl<'de> serde::de::Visitor<'de> for Keys {
            type Value = ObjectKeys;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<M: serde::de::MapAccess<'de>>(self, mut map: M) -> std::result::Result<ObjectKeys, M::Error> {
                let mut keys = Vec::new();
                while let Some((key, _)) = map.next_entry::<String, serde::de::IgnoredAny>()? {
                    keys.push(key);
                }
                Ok(ObjectKeys(keys))
            }
        }
        deserializer.deserialize_map(Keys)
    }
}

/// `to_json` and `from_json`.
#[derive(Debug)]
struct Json {
    name: &'static str,
    signature: Signature,
}

same_by_name!(Json);

impl Json {
    fn new(name: &'static str) -> Self {
        Self { name, signature: Signature::variadic_any(Volatility::Immutable) }
    }
}

/// The type a `from_json` schema names: `a INT, b STRING` is a struct.
pub(crate) fn schema_type(schema: &str) -> Result<DataType> {
    let schema = schema.trim();
    if let Ok(data_type) = parse_type(schema) {
        return Ok(data_type);
    }
    let mut depth = 0i32;
    let mut fields = Vec::new();
    let mut current = String::new();
    for ch in schema.chars().chain([',']) {
        match ch {
            '<' | '(' => depth += 1,
            '>' | ')' => depth -= 1,
            ',' if depth == 0 => {
                let (name, type_name) = current
                    .trim()
                    .split_once(char::is_whitespace)
                    .ok_or_else(|| DataFusionError::Plan(format!("[PARSE_SYNTAX_ERROR] the schema {schema:?}")))?;
                let data_type = parse_type(type_name.trim())
                    .map_err(|_| DataFusionError::Plan(format!("[UNSUPPORTED_DATATYPE] the type {type_name:?}")))?;
                fields.push(Field::new(name.trim_matches('`'), data_type, true));
                current.clear();
                continue;
            }
            _ => {}
        }
        current.push(ch);
    }
    Ok(DataType::Struct(fields.into()))
}

fn literal_schema(args: &ReturnFieldArgs) -> Result<DataType> {
    match args.scalar_arguments.get(1) {
        Some(Some(ScalarValue::Utf8(Some(s)) | ScalarValue::Utf8View(Some(s)) | ScalarValue::LargeUtf8(Some(s)))) => {
            schema_type(s)
        }
        _ => Err(DataFusionError::Plan(
            "[INVALID_SCHEMA] from_json's schema must be a string literal (a DDL list or a type)".into(),
        )),
    }
}

impl ScalarUDFImpl for Json {
    fn name(&self) -> &str {
        self.name
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Utf8)
    }

    fn return_field_from_args(&self, args: ReturnFieldArgs) -> Result<FieldRef> {
        let data_type = if self.name == "to_json" {
            match args.arg_fields.first().map(|f| f.data_type()) {
                Some(DataType::Struct(_) | DataType::List(_) | DataType::LargeList(_) | DataType::Map(..)) => {
                    DataType::Utf8
                }
                _ => {
                    return Err(DataFusionError::Plan(
                        "[DATATYPE_MISMATCH.INVALID_JSON_SCHEMA] to_json takes a struct, an array or a map".into(),
                    ))
                }
            }
        } else {
            literal_schema(&args)?
        };
        Ok(Arc::new(Field::new(self.name, data_type, true)))
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let scalar = args.args.iter().all(|a| matches!(a, ColumnarValue::Scalar(_)));
        let rows = if scalar { 1 } else { args.number_rows };
        let input = args.args[0].to_array(rows)?;
        let output =
            if self.name == "to_json" { to_json(&input)? } else { from_json(&input, args.return_field.data_type()) };
        if scalar {
            return Ok(ColumnarValue::Scalar(ScalarValue::try_from_array(&output, 0)?));
        }
        Ok(ColumnarValue::Array(output))
    }
}

/// Each value as one JSON text: written as the field `v` of a record, then unwrapped.
fn to_json(values: &ArrayRef) -> Result<ArrayRef> {
    let schema = Arc::new(Schema::new(vec![Field::new("v", values.data_type().clone(), true)]));
    let batch = RecordBatch::try_new(schema, vec![Arc::clone(values)])?;
    let mut out = Vec::new();
    {
        let mut writer = arrow_json::LineDelimitedWriter::new(&mut out);
        writer.write(&batch)?;
        writer.finish()?;
    }
    let text = String::from_utf8_lossy(&out);
    let texts: Vec<Option<String>> = text
        .lines()
        .zip(0..values.len())
        .map(|(line, row)| {
            if values.is_null(row) {
                return None;
            }
            line.strip_prefix("{\"v\":").and_then(|l| l.strip_suffix('}')).map(str::to_string)
        })
        .collect();
    Ok(Arc::new(StringArray::from(texts)))
}

/// Each string read as a value of `data_type` (NULL where it is not one).
fn from_json(texts: &ArrayRef, data_type: &DataType) -> ArrayRef {
    let values = crate::core::formats::json::values_of_type(texts, data_type, one_object_as_array);
    // PERMISSIVE: text that is not such an object is a struct of NULLs (NULL only for NULL or
    // empty text).
    let (DataType::Struct(_), Some(texts)) = (data_type, texts.as_any().downcast_ref::<StringArray>()) else {
        return values;
    };
    let structs = values.as_any().downcast_ref::<arrow_array::StructArray>().cloned();
    let Some(structs) = structs else { return values };
    let present: arrow_buffer::NullBuffer =
        (0..texts.len()).map(|i| texts.is_valid(i) && !texts.value(i).trim().is_empty()).collect();
    let (fields, columns, _) = structs.into_parts();
    match arrow_array::StructArray::try_new(fields, columns, Some(present)) {
        Ok(filled) => Arc::new(filled),
        Err(_) => values,
    }
}

/// Spark reads one object as a one-element array of structs.
fn one_object_as_array<'t>(text: &'t str, data_type: &DataType) -> Cow<'t, str> {
    match data_type {
        DataType::List(item)
            if matches!(item.data_type(), DataType::Struct(_)) && text.trim_start().starts_with('{') =>
        {
            Cow::Owned(format!("[{text}]"))
        }
        _ => Cow::Borrowed(text),
    }
}
