//! Spark's DDL schema strings, as `DataStreamReader.schema("a STRING, b INT")` takes them:
//! comma-separated `name TYPE [NOT NULL] [COMMENT '…']`, names optionally in backticks, with Spark
//! SQL's type names. Types map to the Arrow types Spark writes to Parquet (TIMESTAMP is
//! microseconds in UTC). Nested types (STRUCT, ARRAY, MAP) are accepted as columns the stream
//! cannot read: a query that uses one is refused, one that does not never looks at it.

use std::sync::Arc;

use std::collections::HashMap;

use arrow_schema::{DataType, Field, Schema, SchemaRef};

use crate::core::types::{simple_named, DECIMAL_NAMES};
use crate::error::{Error, Result};

/// Field metadata of a declared column the stream cannot read (a nested type): why.
pub(crate) const UNREADABLE: &str = "glueless.unreadable";

/// Parse a DDL schema string.
///
/// # Errors
/// [`Error::InvalidArgument`] naming the part that is not `name TYPE` or a type Spark does not have.
pub(crate) fn parse_schema(ddl: &str) -> Result<SchemaRef> {
    let mut fields: Vec<Field> = Vec::new();
    for part in split_top_level(ddl) {
        let part = part.trim();
        if part.is_empty() {
            continue;
        }
        let (name, rest) = split_name(part)?;
        if fields.iter().any(|f| f.name().eq_ignore_ascii_case(&name)) {
            return Err(Error::InvalidArgument(format!("schema {ddl:?}: column {name} appears twice")));
        }
        let (type_text, nullable) = strip_modifiers(rest);
        let type_text = type_text.trim();
        let field = match data_type(type_text) {
            Ok(data_type) => Field::new(name, data_type, nullable),
            Err(Error::Unsupported(why)) => Field::new(name, DataType::Null, true)
                .with_metadata(HashMap::from([(UNREADABLE.to_string(), format!("column {type_text}: {why}"))])),
            Err(other) => return Err(other),
        };
        fields.push(field);
    }
    if fields.is_empty() {
        return Err(Error::InvalidArgument(format!("schema {ddl:?} names no column")));
    }
    Ok(Arc::new(Schema::new(fields)))
}

/// The characters of `text` outside brackets (parentheses, angle brackets) and quotes (backticks,
/// single and double quotes, with backslash escapes inside), with their byte positions.
fn top_level(text: &str) -> impl Iterator<Item = (usize, char)> + '_ {
    let (mut depth, mut quote, mut escaped) = (0i32, None::<char>, false);
    text.char_indices().filter(move |&(_, c)| {
        if std::mem::take(&mut escaped) {
            return false;
        }
        match (quote, c) {
            (Some(_), '\\') => escaped = true,
            (Some(q), c) if c == q => quote = None,
            (None, '`' | '\'' | '"') => quote = Some(c),
            (None, '(' | '<') => depth += 1,
            (None, ')' | '>') => depth -= 1,
            (None, _) => return depth == 0,
            _ => {}
        }
        false
    })
}

/// Split on top-level commas (`DECIMAL(10, 2)` and `COMMENT 'a, b'` stay whole).
fn split_top_level(ddl: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut start = 0;
    for (i, _) in top_level(ddl).filter(|&(_, c)| c == ',') {
        parts.push(&ddl[start..i]);
        start = i + 1;
    }
    parts.push(&ddl[start..]);
    parts
}

/// The column name (backticks removed, doubled backticks unescaped) and the rest of the part.
fn split_name(part: &str) -> Result<(String, &str)> {
    let bad = || Error::InvalidArgument(format!("schema part {part:?} is not `name TYPE`"));
    if let Some(quoted) = part.strip_prefix('`') {
        let mut name = String::new();
        let mut chars = quoted.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            if c == '`' {
                if chars.peek().is_some_and(|&(_, next)| next == '`') {
                    chars.next();
                    name.push('`');
                    continue;
                }
                let rest = quoted[i + 1..].trim_start();
                let rest = rest.strip_prefix(':').unwrap_or(rest);
                return if rest.trim().is_empty() { Err(bad()) } else { Ok((name, rest)) };
            }
            name.push(c);
        }
        return Err(bad());
    }
    let end = part.find(|c: char| c.is_whitespace() || c == ':').ok_or_else(bad)?;
    let rest = part[end..].trim_start();
    let rest = rest.strip_prefix(':').unwrap_or(rest);
    if rest.trim().is_empty() {
        return Err(bad());
    }
    Ok((part[..end].to_string(), rest))
}

/// `TYPE [NOT NULL] [COMMENT '…']` → the type text and whether the column is nullable.
fn strip_modifiers(rest: &str) -> (&str, bool) {
    let text = &rest[..comment_start(rest).unwrap_or(rest.len())];
    let trimmed = text.trim_end();
    let ends_with_word = |t: &str, word: &str| {
        t.len() >= word.len()
            && t[t.len() - word.len()..].eq_ignore_ascii_case(word)
            && t[..t.len() - word.len()].ends_with(char::is_whitespace)
    };
    if ends_with_word(trimmed, "NULL") {
        let before = trimmed[..trimmed.len() - 4].trim_end();
        if ends_with_word(before, "NOT") {
            return (&before[..before.len() - 3], false);
        }
    }
    (text, true)
}

/// Where a `COMMENT` keyword starts: a whole top-level word after whitespace.
fn comment_start(rest: &str) -> Option<usize> {
    top_level(rest).map(|(i, _)| i).find(|&i| {
        let after_space = rest[..i].ends_with(char::is_whitespace);
        let word = rest[i..].get(..7).is_some_and(|w| w.eq_ignore_ascii_case("COMMENT"));
        let ends = rest[i..].chars().nth(7).is_none_or(|n| n.is_whitespace() || n == '\'' || n == '"');
        after_space && word && ends
    })
}

/// A Spark SQL type name as the Arrow type of its Parquet column.
fn data_type(text: &str) -> Result<DataType> {
    let upper = text.to_ascii_uppercase();
    let (base, args) = match upper.split_once('(') {
        Some((base, args)) => (base.trim(), Some(args.trim_end_matches(')').trim())),
        None => (upper.as_str(), None),
    };
    if DECIMAL_NAMES.iter().any(|d| d.eq_ignore_ascii_case(base)) {
        return decimal(text, args);
    }
    if ["STRUCT", "ARRAY", "MAP"].iter().any(|nested| base.starts_with(nested)) {
        return Err(Error::Unsupported(format!(
            "nested type {text} in a stream schema: glueless streams read flat columns only"
        )));
    }
    let Some(simple) = simple_named(base) else {
        return Err(Error::InvalidArgument(format!("unknown type {text} in the schema (Spark SQL type names)")));
    };
    match (args, simple.arrow()) {
        // VARCHAR(n) and CHAR(n) are strings of any length to Spark's file sources.
        (None, arrow) | (Some(_), arrow @ DataType::Utf8) => Ok(arrow),
        (Some(_), _) => Err(Error::InvalidArgument(format!("type {text} takes no arguments"))),
    }
}

fn decimal(text: &str, args: Option<&str>) -> Result<DataType> {
    let bad = || Error::InvalidArgument(format!("bad decimal type {text}: DECIMAL(precision, scale), precision 1-38"));
    let (precision, scale) = match args {
        None => (10, 0), // Spark's DECIMAL without arguments
        Some(args) => match args.split_once(',') {
            Some((p, s)) => (p.trim().parse::<u8>().map_err(|_| bad())?, s.trim().parse::<i8>().map_err(|_| bad())?),
            None => (args.parse::<u8>().map_err(|_| bad())?, 0),
        },
    };
    if !(1..=38).contains(&precision) || scale < 0 || scale.unsigned_abs() > precision {
        return Err(bad());
    }
    Ok(DataType::Decimal128(precision, scale))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::types::{display_name, Dialect};

    #[test]
    fn parses_spark_ddl_strings() {
        let schema = parse_schema(
            "marketplace STRING, star_rating INT, `total votes` bigint NOT NULL, price DECIMAL(10, 2), \
             purchase_date DATE, review_timestamp TIMESTAMP\tcomment 'arrival, in \\'UTC\\'', x: double, \
             name VARCHAR(20), tags ARRAY<STRING>",
        )
        .unwrap();
        let shown: Vec<String> =
            schema.fields().iter().map(|f| format!("{} {} {}", f.name(), f.data_type(), f.is_nullable())).collect();
        assert_eq!(
            shown,
            [
                "marketplace Utf8 true",
                "star_rating Int32 true",
                "total votes Int64 false",
                "price Decimal128(10, 2) true",
                "purchase_date Date32 true",
                "review_timestamp Timestamp(µs, \"UTC\") true",
                "x Float64 true",
                "name Utf8 true",
                "tags Null true",
            ]
        );
        assert!(schema.field(8).metadata()[UNREADABLE].contains("ARRAY<STRING>"));
        assert_eq!(display_name(schema.field(5).data_type(), Dialect::SparkDdl), "TIMESTAMP");
    }

    #[test]
    fn bad_schemas_say_what_is_wrong() {
        let message = |ddl: &str| parse_schema(ddl).unwrap_err().to_string();
        assert!(message("a STRNG").contains("unknown type STRNG"), "{}", message("a STRNG"));
        assert!(message("a").contains("is not `name TYPE`"));
        assert!(message("a INT, A STRING").contains("appears twice"));
        assert!(message("").contains("names no column"));
        assert!(message("d DECIMAL(50, 2)").contains("bad decimal"));
    }
}
