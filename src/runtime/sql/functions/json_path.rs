//! Spark's `get_json_object(json, path)`: the value at a JSON path (`$`, `.name`, `['name']`,
//! `[index]`) of JSON text; a string is returned as its text, any other value as compact JSON
//! (whitespace outside strings removed, fractions as Java's doubles, the rest as written). NULL when the text is not JSON, the
//! path does not parse or nothing is there (Spark's answers); a `*` wildcard is not supported by
//! glueless (one error line, never a different answer).

use std::sync::Arc;

use arrow_schema::DataType;
use datafusion::common::ScalarValue;
use datafusion::error::{DataFusionError, Result};
use datafusion::logical_expr::ScalarUDF;
use serde_json::value::RawValue;

use super::row::{text, RowContext, RowFunction};

/// The family's functions.
pub(crate) fn functions() -> Vec<Arc<ScalarUDF>> {
    vec![RowFunction::udf("get_json_object", vec![DataType::Utf8, DataType::Utf8], 2, DataType::Utf8, get_json_object)]
}

/// One step of a path.
#[derive(Debug, PartialEq)]
enum Step {
    Field(String),
    Index(usize),
}

/// The steps of `path`; None when it is not one of Spark's paths.
fn steps(path: &str) -> Result<Option<Vec<Step>>> {
    let Some(mut rest) = path.strip_prefix('$') else { return Ok(None) };
    let mut steps = Vec::new();
    while !rest.is_empty() {
        if rest.starts_with(".*") || rest.starts_with("[*]") {
            return Err(DataFusionError::Execution(
                "get_json_object with a `*` wildcard is not supported by glueless".to_string(),
            ));
        }
        if let Some(after) = rest.strip_prefix("['") {
            let Some(end) = after.find("']") else { return Ok(None) };
            steps.push(Step::Field(after[..end].to_string()));
            rest = &after[end + 2..];
        } else if let Some(after) = rest.strip_prefix('[') {
            let Some(end) = after.find(']') else { return Ok(None) };
            let Ok(index) = after[..end].trim().parse() else { return Ok(None) };
            steps.push(Step::Index(index));
            rest = &after[end + 1..];
        } else if let Some(after) = rest.strip_prefix('.') {
            let end = after.find(['.', '[']).unwrap_or(after.len());
            if end == 0 {
                return Ok(None);
            }
            steps.push(Step::Field(after[..end].to_string()));
            rest = &after[end..];
        } else {
            return Ok(None);
        }
    }
    Ok(Some(steps))
}

#[allow(clippy::unnecessary_wraps)] // a row function's body
fn get_json_object(args: &[ScalarValue], _: RowContext) -> Result<ScalarValue> {
    let Some(steps) = steps(text(&args[1]))? else { return Ok(ScalarValue::Utf8(None)) };
    let Ok(mut value) = serde_json::from_str::<&RawValue>(text(&args[0])) else { return Ok(ScalarValue::Utf8(None)) };
    for step in &steps {
        let next = match step {
            Step::Field(name) => serde_json::from_str::<std::collections::HashMap<String, &RawValue>>(value.get())
                .ok()
                .and_then(|fields| fields.get(name).copied()),
            Step::Index(index) => {
                serde_json::from_str::<Vec<&RawValue>>(value.get()).ok().and_then(|items| items.get(*index).copied())
            }
        };
        let Some(next) = next else { return Ok(ScalarValue::Utf8(None)) };
        value = next;
    }
    let raw = value.get();
    Ok(ScalarValue::Utf8(match serde_json::from_str::<serde_json::Value>(raw) {
        Ok(serde_json::Value::String(s)) => Some(s),
        Ok(serde_json::Value::Null) | Err(_) => None,
        Ok(_) => Some(compact(raw)),
    }))
}

/// JSON text as Spark's JSON generator writes it again: no whitespace outside strings, and a
/// number with a fraction or an exponent as Java's double text (`2.50` is `2.5`, `1E2` is `100.0`,
/// past a double's range `"Infinity"`); integers as written.
fn compact(raw: &str) -> String {
    let (mut out, mut in_string, mut escaped) = (String::with_capacity(raw.len()), false, false);
    let mut number = String::new();
    for c in raw.chars() {
        if in_string {
            out.push(c);
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_string = false,
                _ => {}
            }
            continue;
        }
        // A number starts with a digit or a minus and runs on through its fraction and exponent.
        let starts = number.is_empty() && (c.is_ascii_digit() || c == '-');
        if starts || (!number.is_empty() && (c.is_ascii_digit() || matches!(c, '-' | '+' | '.' | 'e' | 'E'))) {
            number.push(c);
            continue;
        }
        push_number(&mut out, &mut number);
        if c == '"' {
            in_string = true;
            out.push(c);
        } else if !c.is_whitespace() {
            out.push(c);
        }
    }
    push_number(&mut out, &mut number);
    out
}

/// Write a number token as Spark's generator does (see [`compact`]).
fn push_number(out: &mut String, number: &mut String) {
    if number.contains(['.', 'e', 'E']) {
        match number.parse::<f64>() {
            Ok(value) if value.is_infinite() => {
                out.push('"');
                out.push_str(&crate::core::text::java::java_double_text(value));
                out.push('"');
            }
            Ok(value) => out.push_str(&crate::core::text::java::java_double_text(value)),
            Err(_) => out.push_str(number),
        }
    } else {
        out.push_str(number);
    }
    number.clear();
}
