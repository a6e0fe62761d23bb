//! Spark's CSV functions: `from_csv(text, schema[, options])`, each string's fields (split at
//! `sep`, `,` by default, `"` quoting) as a struct of the schema (a DDL list or `STRUCT<…>`, a
//! literal as in Spark); a field that is not a value of its type is NULL (PERMISSIVE), options
//! `ignoreLeadingWhiteSpace` / `ignoreTrailingWhiteSpace` trim. `to_csv(struct[, options])`, a
//! struct's fields as one CSV line: values as Spark's text, NULL as nothing, a field holding
//! `sep`, a quote or a line break quoted. [`infer_field`] is Spark's type of one CSV field, for
//! `schema_of_csv`.

use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::{Array, ArrayRef, StringArray, StructArray};
use arrow_schema::{DataType, Field, FieldRef, Fields};
use datafusion::common::ScalarValue;
use datafusion::error::{DataFusionError, Result};
use datafusion::logical_expr::{
    ColumnarValue, ReturnFieldArgs, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility,
};

/// The family's functions.
pub(crate) fn functions() -> Vec<Arc<ScalarUDF>> {
    ["from_csv", "to_csv"]
        .into_iter()
        .map(|name| {
            Arc::new(ScalarUDF::new_from_impl(Csv { name, signature: Signature::variadic_any(Volatility::Immutable) }))
        })
        .collect()
}

#[derive(Debug, PartialEq, Eq, Hash)]
struct Csv {
    name: &'static str,
    signature: Signature,
}

/// The options of a call (`map('sep', '|')` as a map scalar), lower-cased keys.
fn options(value: Option<&ScalarValue>) -> Vec<(String, String)> {
    let Some(ScalarValue::Map(map)) = value else { return Vec::new() };
    let entries = map.value(0);
    let (Some(keys), Some(values)) =
        (entries.column(0).as_string_opt::<i32>(), entries.column(1).as_string_opt::<i32>())
    else {
        return Vec::new();
    };
    (0..keys.len()).map(|i| (keys.value(i).to_lowercase(), values.value(i).to_string())).collect()
}

fn option<'a>(options: &'a [(String, String)], key: &str) -> Option<&'a str> {
    options.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
}

/// The separator of `options` (`sep` or `delimiter`), `,` by default.
pub(crate) fn separator(options: &[(String, String)]) -> char {
    option(options, "sep").or_else(|| option(options, "delimiter")).and_then(|s| s.chars().next()).unwrap_or(',')
}

/// One CSV line's fields: split at `sep` outside `"` quotes, a doubled quote inside them a quote.
pub(crate) fn fields(line: &str, sep: char) -> Vec<String> {
    let (mut out, mut current, mut quoted) = (Vec::new(), String::new(), false);
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                current.push('"');
                chars.next();
            }
            '"' => quoted = !quoted,
            c if c == sep && !quoted => out.push(std::mem::take(&mut current)),
            c => current.push(c),
        }
    }
    out.push(current);
    out
}

/// Spark's type of one CSV field (`CSVInferSchema`): int, bigint, double, date, timestamp,
/// boolean, else string.
pub(crate) fn infer_field(field: &str) -> DataType {
    let zone = crate::core::text::datetime::SessionZone::utc();
    if field.parse::<i32>().is_ok() {
        DataType::Int32
    } else if field.parse::<i64>().is_ok() {
        DataType::Int64
    } else if field.parse::<f64>().is_ok() && !field.ends_with(['d', 'D', 'f', 'F']) {
        DataType::Float64
    } else if crate::core::text::datetime::parse_date(field).is_some() && field.len() <= 10 {
        DataType::Date32
    } else if crate::core::text::datetime::parse_timestamp(field, zone).is_some() {
        DataType::Timestamp(arrow_schema::TimeUnit::Microsecond, Some("UTC".into()))
    } else if field.eq_ignore_ascii_case("true") || field.eq_ignore_ascii_case("false") {
        DataType::Boolean
    } else {
        DataType::Utf8
    }
}

impl ScalarUDFImpl for Csv {
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
        if self.name == "to_csv" {
            return Ok(Arc::new(Field::new(self.name, DataType::Utf8, true)));
        }
        let Some(Some(ScalarValue::Utf8(Some(schema)))) = args.scalar_arguments.get(1) else {
            return Err(DataFusionError::Plan("[INVALID_SCHEMA] from_csv's schema must be a string literal".into()));
        };
        let data_type = super::json::schema_type(schema)?;
        if !matches!(data_type, DataType::Struct(_)) {
            return Err(DataFusionError::Plan(format!("[INVALID_SCHEMA] from_csv's schema is a struct, not {schema}")));
        }
        Ok(Arc::new(Field::new(self.name, data_type, true)))
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let rows = args.number_rows;
        let option_at = if self.name == "to_csv" { 1 } else { 2 };
        let options = options(match args.args.get(option_at) {
            Some(ColumnarValue::Scalar(s)) => Some(s),
            _ => None,
        });
        let input = args.args[0].clone().into_array(rows)?;
        let out: ArrayRef = if self.name == "to_csv" {
            to_csv(input.as_struct(), &options)?
        } else {
            let DataType::Struct(fields) = args.return_field.data_type() else {
                return Err(DataFusionError::Internal("from_csv gives a struct".into()));
            };
            from_csv(input.as_string::<i32>(), fields, &options)?
        };
        Ok(ColumnarValue::Array(out))
    }
}

fn from_csv(texts: &StringArray, fields: &Fields, options: &[(String, String)]) -> Result<ArrayRef> {
    let sep = separator(options);
    let flag = |key: &str| option(options, key).is_some_and(|v| v.eq_ignore_ascii_case("true"));
    let (leading, trailing) = (flag("ignoreleadingwhitespace"), flag("ignoretrailingwhitespace"));
    let mut columns: Vec<Vec<Option<String>>> = vec![Vec::with_capacity(texts.len()); fields.len()];
    for row in 0..texts.len() {
        let split = if texts.is_valid(row) { self::fields(texts.value(row), sep) } else { Vec::new() };
        for (i, column) in columns.iter_mut().enumerate() {
            let mut value = split.get(i).map(String::as_str);
            if leading {
                value = value.map(str::trim_start);
            }
            if trailing {
                value = value.map(str::trim_end);
            }
            column.push(value.filter(|v| !v.is_empty()).map(str::to_string));
        }
    }
    let arrays = columns
        .into_iter()
        .zip(fields.iter())
        .map(|(values, field)| {
            let text: ArrayRef = Arc::new(StringArray::from(values));
            Ok(arrow_cast::cast_with_options(&text, field.data_type(), &arrow_cast::CastOptions::default())?)
        })
        .collect::<Result<Vec<_>>>()?;
    let nulls = texts.nulls().cloned();
    Ok(Arc::new(StructArray::try_new(fields.clone(), arrays, nulls)?))
}

fn to_csv(structs: &StructArray, options: &[(String, String)]) -> Result<ArrayRef> {
    let sep = separator(options);
    let texts = structs.columns().iter().map(|c| super::string_cast::as_text(c)).collect::<Result<Vec<_>>>()?;
    let lines = (0..structs.len()).map(|row| {
        structs.is_valid(row).then(|| {
            let cells: Vec<String> = texts
                .iter()
                .map(|t| {
                    let t = t.as_string::<i32>();
                    if t.is_null(row) {
                        return String::new();
                    }
                    let v = t.value(row);
                    if v.contains([sep, '"', '\n', '\r']) {
                        format!("\"{}\"", v.replace('"', "\\\""))
                    } else {
                        v.to_string()
                    }
                })
                .collect();
            cells.join(&sep.to_string())
        })
    });
    Ok(Arc::new(lines.collect::<StringArray>()))
}
