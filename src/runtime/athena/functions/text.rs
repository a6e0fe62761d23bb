//! Trino's string, regular-expression and JSON functions where DataFusion's differ:
//! `split_part` (NULL past the last field), `regexp_extract` (the whole match by default, NULL
//! without one), `json_extract_scalar` and `json_extract` (a JSONPath of names and indexes).

use std::sync::Arc;

use arrow_schema::DataType;
use datafusion::common::ScalarValue;
use datafusion::error::{DataFusionError, Result};
use datafusion::logical_expr::ScalarUDF;
use serde_json::Value;

use crate::runtime::sql::functions::regexp::compiled;
use crate::runtime::sql::functions::row::{integer, text, RowContext, RowFunction};

/// The family's functions.
pub(super) fn functions() -> Vec<Arc<ScalarUDF>> {
    let utf8 = || DataType::Utf8;
    vec![
        RowFunction::udf("split_part", vec![utf8(), utf8(), DataType::Int64], 3, utf8(), split_part),
        RowFunction::udf("regexp_extract", vec![utf8(), utf8(), DataType::Int64], 2, utf8(), regexp_extract),
        RowFunction::udf("json_extract_scalar", vec![utf8(), utf8()], 2, utf8(), json_extract_scalar),
        RowFunction::udf("json_extract", vec![utf8(), utf8()], 2, utf8(), json_extract),
    ]
}

fn invalid(message: String) -> DataFusionError {
    DataFusionError::Execution(format!("INVALID_FUNCTION_ARGUMENT: {message}"))
}

fn utf8(value: Option<String>) -> ScalarValue {
    ScalarValue::Utf8(value)
}

fn split_part(args: &[ScalarValue], _: RowContext) -> Result<ScalarValue> {
    let (value, delimiter, index) = (text(&args[0]), text(&args[1]), integer(&args[2]));
    if index < 1 {
        return Err(invalid("Index must be greater than zero".to_string()));
    }
    let position = usize::try_from(index - 1).unwrap_or(usize::MAX);
    let part = if delimiter.is_empty() {
        value.chars().nth(position).map(String::from)
    } else {
        value.split(delimiter).nth(position).map(String::from)
    };
    Ok(utf8(part))
}

fn regexp_extract(args: &[ScalarValue], _: RowContext) -> Result<ScalarValue> {
    let regex = compiled(text(&args[1]))?;
    let group = args.get(2).map_or(0, integer);
    let groups = regex.captures_len() - 1;
    let Some(group) = usize::try_from(group).ok().filter(|g| *g <= groups) else {
        return Err(invalid(format!("Pattern has {groups} groups. Cannot access group {group}")));
    };
    Ok(utf8(regex.captures(text(&args[0])).and_then(|c| c.get(group)).map(|m| m.as_str().to_string())))
}

/// One step of a JSONPath: a member name or an array index.
#[derive(Debug, PartialEq, Eq)]
enum Step {
    Name(String),
    Index(usize),
}

/// `$.a.b[0]["c d"]` as steps; `None` for a path glueless does not read (wildcards, filters).
fn path_steps(path: &str) -> Option<Vec<Step>> {
    let mut rest = path.trim().strip_prefix('$')?;
    let mut steps = Vec::new();
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix('.') {
            let end = after.find(['.', '[']).unwrap_or(after.len());
            let name = &after[..end];
            if name.is_empty() || name == "*" {
                return None;
            }
            steps.push(Step::Name(name.to_string()));
            rest = &after[end..];
        } else if let Some(after) = rest.strip_prefix('[') {
            let end = after.find(']')?;
            let inside = after[..end].trim();
            if let Some(quoted) = inside.strip_prefix('"').and_then(|s| s.strip_suffix('"')) {
                steps.push(Step::Name(quoted.to_string()));
            } else {
                steps.push(Step::Index(inside.parse().ok()?));
            }
            rest = &after[end + 1..];
        } else {
            return None;
        }
    }
    Some(steps)
}

/// The value at `path` in the JSON text `json`; `Ok(None)` when the text is no JSON or the path
/// leads nowhere (Trino's NULL).
fn json_at(json: &str, path: &str) -> Result<Option<Value>> {
    let steps = path_steps(path).ok_or_else(|| invalid(format!("Invalid JSON path: '{path}'")))?;
    let Ok(mut value) = serde_json::from_str::<Value>(json) else { return Ok(None) };
    for step in steps {
        let next = match (&step, &mut value) {
            (Step::Name(name), Value::Object(members)) => members.remove(name),
            (Step::Index(i), Value::Array(items)) if *i < items.len() => Some(items.swap_remove(*i)),
            _ => None,
        };
        match next {
            Some(v) => value = v,
            None => return Ok(None),
        }
    }
    Ok(Some(value))
}

fn json_extract_scalar(args: &[ScalarValue], _: RowContext) -> Result<ScalarValue> {
    Ok(utf8(json_at(text(&args[0]), text(&args[1]))?.and_then(|v| match v {
        Value::String(s) => Some(s),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Null | Value::Array(_) | Value::Object(_) => None,
    })))
}

fn json_extract(args: &[ScalarValue], _: RowContext) -> Result<ScalarValue> {
    Ok(utf8(json_at(text(&args[0]), text(&args[1]))?.map(|v| v.to_string())))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn context() -> RowContext {
        RowContext { zone: crate::core::text::datetime::SessionZone::utc() }
    }

    fn s(text: &str) -> ScalarValue {
        ScalarValue::Utf8(Some(text.to_string()))
    }

    fn n(value: i64) -> ScalarValue {
        ScalarValue::Int64(Some(value))
    }

    /// Trino's documented examples (functions/string, regexp, json).
    #[test]
    fn trinos_documented_examples() {
        assert_eq!(split_part(&[s("a-b-c"), s("-"), n(2)], context()).unwrap(), s("b"));
        assert_eq!(split_part(&[s("a-b-c"), s("-"), n(4)], context()).unwrap(), utf8(None));
        assert!(split_part(&[s("a-b-c"), s("-"), n(0)], context()).is_err());
        assert_eq!(regexp_extract(&[s("1a 2b 14m"), s("\\d+")], context()).unwrap(), s("1"));
        assert_eq!(regexp_extract(&[s("1a 2b 14m"), s("(\\d+)([a-z]+)"), n(2)], context()).unwrap(), s("a"));
        assert_eq!(regexp_extract(&[s("abc"), s("\\d+")], context()).unwrap(), utf8(None));
        assert!(regexp_extract(&[s("abc"), s("(a)"), n(2)], context()).is_err());
        let json = r#"{"store": {"book": [{"title": "x", "price": 8.95}, {"title": "y"}], "open": true}}"#;
        let scalar = |path: &str| json_extract_scalar(&[s(json), s(path)], context()).unwrap();
        assert_eq!(scalar("$.store.book[0].title"), s("x"));
        assert_eq!(scalar("$.store.book[0].price"), s("8.95"));
        assert_eq!(scalar("$[\"store\"].open"), s("true"));
        assert_eq!(scalar("$.store.book"), utf8(None));
        assert_eq!(scalar("$.store.missing"), utf8(None));
        assert_eq!(json_extract(&[s(json), s("$.store.book[1]")], context()).unwrap(), s(r#"{"title":"y"}"#));
        assert!(json_extract(&[s(json), s("store")], context()).is_err());
    }
}
