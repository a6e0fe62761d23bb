//! Spark's regular-expression functions missing from DataFusion: `regexp_extract`,
//! `regexp_extract_all`, `regexp_substr`, `split`; `rlike` and `regexp` are `regexp_like`.
//!
//! Spark's patterns are Java's; the `regex` crate reads the same syntax for what ETL code writes
//! (classes, groups, quantifiers, anchors); look-around and back-references are refused with the
//! pattern named, as Spark would run them.

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::Arc;

use arrow_schema::DataType;
use datafusion::common::ScalarValue;
use datafusion::error::{DataFusionError, Result};
use datafusion::logical_expr::ScalarUDF;
use regex::Regex;

use super::row::{integer, text, RowContext, RowFunction};

/// The family's functions.
pub(crate) fn functions() -> Vec<Arc<ScalarUDF>> {
    let utf8 = || DataType::Utf8;
    vec![
        RowFunction::udf("regexp_extract", vec![utf8(), utf8(), DataType::Int64], 2, utf8(), regexp_extract),
        RowFunction::udf(
            "regexp_extract_all",
            vec![utf8(), utf8(), DataType::Int64],
            2,
            DataType::new_list(utf8(), true),
            regexp_extract_all,
        ),
        RowFunction::udf("regexp_substr", vec![utf8(), utf8()], 2, utf8(), regexp_substr),
        RowFunction::udf("split", vec![utf8(), utf8(), DataType::Int64], 2, DataType::new_list(utf8(), true), split),
        Arc::new(datafusion::functions::regex::regexp_like().as_ref().clone().with_aliases(["rlike", "regexp"])),
    ]
}

thread_local! {
    static COMPILED: RefCell<HashMap<String, Regex>> = RefCell::new(HashMap::new());
}

/// `pattern` compiled once per thread.
pub(crate) fn compiled(pattern: &str) -> Result<Regex> {
    COMPILED.with(|cache| {
        let mut cache = cache.borrow_mut();
        if let Some(regex) = cache.get(pattern) {
            return Ok(regex.clone());
        }
        let regex = Regex::new(pattern).map_err(|e| {
            DataFusionError::Execution(format!(
                "[INVALID_PARAMETER_VALUE.PATTERN] the regular expression '{pattern}' is not supported: {e}"
            ))
        })?;
        if cache.len() > 64 {
            cache.clear();
        }
        cache.insert(pattern.to_string(), regex.clone());
        Ok(regex)
    })
}

/// The group index argument, checked against the pattern's groups as Spark checks it.
fn group(regex: &Regex, args: &[ScalarValue]) -> Result<usize> {
    let index = args.get(2).map_or(1, integer);
    let groups = regex.captures_len() - 1;
    if index < 0 || usize::try_from(index).map_or(true, |i| i > groups) {
        return Err(DataFusionError::Execution(format!(
            "[INVALID_PARAMETER_VALUE.REGEX_GROUP_INDEX] The value of parameter(s) `idx` in `regexp_extract` is invalid: Expects group index between 0 and {groups}, but got {index}."
        )));
    }
    Ok(usize::try_from(index).unwrap_or(0))
}

/// `regexp_extract(str, regexp[, idx])`: group `idx` (default 1) of the first match; '' when
/// nothing matches or the group took no part.
fn regexp_extract(args: &[ScalarValue], _: RowContext) -> Result<ScalarValue> {
    let regex = compiled(text(&args[1]))?;
    let index = group(&regex, args)?;
    let found = regex.captures(text(&args[0])).and_then(|c| c.get(index)).map_or("", |m| m.as_str());
    Ok(ScalarValue::Utf8(Some(found.to_string())))
}

/// `regexp_extract_all(str, regexp[, idx])`: group `idx` of every match.
fn regexp_extract_all(args: &[ScalarValue], _: RowContext) -> Result<ScalarValue> {
    let regex = compiled(text(&args[1]))?;
    let index = group(&regex, args)?;
    let found: Vec<ScalarValue> = regex
        .captures_iter(text(&args[0]))
        .map(|c| ScalarValue::Utf8(Some(c.get(index).map_or("", |m| m.as_str()).to_string())))
        .collect();
    Ok(ScalarValue::List(ScalarValue::new_list_nullable(&found, &DataType::Utf8)))
}

/// `regexp_substr(str, regexp)`: the first match, NULL when none.
fn regexp_substr(args: &[ScalarValue], _: RowContext) -> Result<ScalarValue> {
    let regex = compiled(text(&args[1]))?;
    Ok(ScalarValue::Utf8(regex.find(text(&args[0])).map(|m| m.as_str().to_string())))
}

/// `split(str, regex[, limit])`: Java's `String.split` with Spark's limit (≤ 0: every part,
/// trailing empty strings kept).
fn split(args: &[ScalarValue], _: RowContext) -> Result<ScalarValue> {
    let input = text(&args[0]);
    let limit = args.get(2).map_or(-1, integer);
    let parts: Vec<&str> = if input.is_empty() {
        // Java: "".split(anything) is [""].
        vec![""]
    } else if text(&args[1]).is_empty() {
        // An empty pattern splits between characters (Java keeps no leading empty string).
        let chars: Vec<&str> = input.split("").filter(|s| !s.is_empty()).collect();
        if limit > 0 && chars.len() > usize::try_from(limit).unwrap_or(usize::MAX) {
            let keep = usize::try_from(limit).unwrap_or(1) - 1;
            let rest = input.char_indices().nth(keep).map_or("", |(i, _)| &input[i..]);
            chars[..keep].iter().copied().chain([rest]).collect()
        } else {
            chars
        }
    } else {
        let regex = compiled(text(&args[1]))?;
        if limit > 0 {
            regex.splitn(input, usize::try_from(limit).unwrap_or(usize::MAX)).collect()
        } else {
            regex.split(input).collect()
        }
    };
    let values: Vec<ScalarValue> = parts.into_iter().map(|p| ScalarValue::Utf8(Some(p.to_string()))).collect();
    Ok(ScalarValue::List(ScalarValue::new_list_nullable(&values, &DataType::Utf8)))
}
