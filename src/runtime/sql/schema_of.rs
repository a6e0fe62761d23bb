//! `schema_of_json(text[, options])` and `schema_of_csv(text[, options])`: the schema Spark
//! infers from one JSON value or CSV line, as its SQL text (`STRUCT<a: BIGINT>`). Spark takes
//! only a literal there, so the call is answered while the query is rewritten, and a
//! `from_json` / `from_csv` given it reads a literal schema.

use std::sync::Arc;

use arrow_schema::{DataType, Field};
use datafusion::sql::sqlparser::ast::{Expr, Value};

use super::functions::csv_text;

/// Replace `schema_of_json` / `schema_of_csv` of a literal by its answer; true when it was one.
///
/// # Errors
/// Spark's refusal of a text that is not one JSON value (or of a non-literal argument).
pub(super) fn rewrite(expr: &mut Expr) -> Result<bool, String> {
    let Expr::Function(function) = expr else { return Ok(false) };
    let name = function.name.to_string().to_lowercase();
    if name != "schema_of_json" && name != "schema_of_csv" {
        return Ok(false);
    }
    let args = super::rules::plain_args(function);
    let Some(text) = args.first().and_then(literal_text) else {
        return Err(format!("[DATATYPE_MISMATCH.NON_FOLDABLE_INPUT] {name} takes a string literal"));
    };
    let options = args.get(1).map(map_pairs).unwrap_or_default();
    let unquoted = options.iter().any(|(k, v)| k == "allowunquotedfieldnames" && v.eq_ignore_ascii_case("true"));
    let text = if unquoted { quoted_names(&text) } else { text };
    let data_type = if name == "schema_of_json" { json_type(&text)? } else { csv_type(&text, &options) };
    let sql = crate::core::types::spark_sql_name(&data_type).map_err(|e| e.to_string())?;
    *expr = Expr::value(Value::SingleQuotedString(sql));
    Ok(true)
}

fn literal_text(expr: &Expr) -> Option<String> {
    match expr {
        Expr::Value(v) => match &v.value {
            Value::SingleQuotedString(s) | Value::DoubleQuotedString(s) => Some(s.clone()),
            _ => None,
        },
        Expr::Nested(inner) => literal_text(inner),
        _ => None,
    }
}

/// The pairs of a `map('k', 'v', …)` of literals, keys lower-cased.
fn map_pairs(expr: &Expr) -> Vec<(String, String)> {
    let Expr::Function(f) = expr else { return Vec::new() };
    let texts: Vec<String> = super::rules::plain_args(f).iter().filter_map(literal_text).collect();
    texts.chunks(2).filter(|p| p.len() == 2).map(|p| (p[0].to_lowercase(), p[1].clone())).collect()
}

/// JSON with its bare field names quoted (Jackson's `allowUnquotedFieldNames`): `{a: 1}`.
fn quoted_names(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    let (mut in_string, mut escaped, mut expecting_name) = (false, false, false);
    // The open containers: a name comes after `{` or after `,` inside an object.
    let mut objects: Vec<bool> = Vec::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if in_string {
            out.push(c);
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
            continue;
        }
        if expecting_name && (c.is_alphabetic() || c == '_' || c == '$') {
            let mut name = String::from(c);
            while let Some(&next) = chars.peek().filter(|n| n.is_alphanumeric() || **n == '_' || **n == '$') {
                name.push(next);
                chars.next();
            }
            out.push('"');
            out.push_str(&name);
            out.push('"');
            expecting_name = false;
            continue;
        }
        match c {
            '"' => in_string = true,
            '{' | '[' => objects.push(c == '{'),
            '}' | ']' => {
                objects.pop();
            }
            _ => {}
        }
        if !c.is_whitespace() {
            expecting_name = c == '{' || (c == ',' && objects.last() == Some(&true));
        }
        out.push(c);
    }
    out
}

/// Spark's inferred type of one JSON value: fields sorted by name, NULL as string.
fn json_type(text: &str) -> Result<DataType, String> {
    let wrapped = format!("{{\"v\": {}}}", text.trim());
    let (schema, _) = arrow_json::reader::infer_json_schema(std::io::Cursor::new(wrapped.as_bytes()), None)
        .map_err(|_| format!("[INVALID_JSON_SCHEMA] schema_of_json cannot infer a schema from {text:?}"))?;
    let inferred = schema.field(0).data_type().clone();
    Ok(spark_inferred(&inferred))
}

/// Arrow's inferred type as Spark's: Null is string, struct fields sorted by name.
fn spark_inferred(data_type: &DataType) -> DataType {
    match data_type {
        DataType::Null => DataType::Utf8,
        DataType::List(f) => DataType::new_list(spark_inferred(f.data_type()), true),
        DataType::Struct(fields) => {
            let mut fields: Vec<Field> =
                fields.iter().map(|f| Field::new(f.name(), spark_inferred(f.data_type()), true)).collect();
            fields.sort_by(|a, b| a.name().cmp(b.name()));
            DataType::Struct(fields.into_iter().map(Arc::new).collect::<Vec<_>>().into())
        }
        other => other.clone(),
    }
}

/// Spark's inferred type of one CSV line: `_c0`, `_c1`, … by [`csv_text::infer_field`].
fn csv_type(text: &str, options: &[(String, String)]) -> DataType {
    let fields = csv_text::fields(text, csv_text::separator(options));
    let fields: Vec<Field> =
        fields.iter().enumerate().map(|(i, f)| Field::new(format!("_c{i}"), csv_text::infer_field(f), true)).collect();
    DataType::Struct(fields.into())
}
