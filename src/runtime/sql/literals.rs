//! Spark's numeric literals, typed as Spark types them: `1L` bigint, `1S` smallint, `1Y` tinyint,
//! `1.5D` and `1E10` double, `1.5F` float, `1.5BD` decimal (a plain `1.5` is a decimal too, by the
//! session's `parse_float_as_decimal`; a plain `1` an int, by the rewriter in [`super::spark`]).
//!
//! The suffixes are rewritten among the tokens, before sqlparser reads `1Y` as `1 AS Y`: the
//! literal becomes `1::TINYINT`. `::` is no Spark 3.5 syntax, so a `::` cast of a number names its
//! column by the literal alone (`1`), as Spark names a typed literal.

use datafusion::sql::sqlparser::tokenizer::{Token, TokenWithSpan};

use crate::core::text::java::{java_double_text, java_float_text};

/// The SQL type a literal suffix (or an exponent) gives a number.
fn suffix_type(number: &str, suffix: &str) -> Option<String> {
    let exponent = number.contains(['e', 'E']);
    Some(match suffix.to_ascii_uppercase().as_str() {
        "L" if !number.contains('.') && !exponent => "BIGINT".to_string(),
        "S" if !number.contains('.') && !exponent => "SMALLINT".to_string(),
        "Y" if !number.contains('.') && !exponent => "TINYINT".to_string(),
        "D" => "DOUBLE".to_string(),
        "F" => "FLOAT".to_string(),
        "BD" if !exponent => {
            let digits: String = number.chars().filter(char::is_ascii_digit).collect();
            let scale = number.split_once('.').map_or(0, |(_, fraction)| fraction.len());
            let significant = digits.trim_start_matches('0').len().max(1);
            format!("DECIMAL({},{scale})", significant.max(scale))
        }
        "" if exponent => "DOUBLE".to_string(),
        _ => return None,
    })
}

/// Fold a unary minus into the number after it (`-128Y` is the tinyint -128, not -(128Y), which
/// does not fit): a minus after nothing, `(`, `,`, an operator or a keyword.
fn fold_negative_numbers(tokens: &mut Vec<TokenWithSpan>) {
    let mut i = 0;
    while i + 1 < tokens.len() {
        let unary = tokens[i].token == Token::Minus && {
            let before = tokens[..i].iter().rev().map(|t| &t.token).find(|t| !matches!(t, Token::Whitespace(_)));
            match before {
                None
                | Some(
                    Token::LParen
                    | Token::Comma
                    | Token::Eq
                    | Token::Lt
                    | Token::Gt
                    | Token::LtEq
                    | Token::GtEq
                    | Token::Neq,
                ) => true,
                // Only words after which no column can end (`year - 1` subtracts; `GROUP BY -1`
                // groups by a constant, not an ordinal).
                Some(Token::Word(w)) => {
                    w.quote_style.is_none()
                        && [
                            "SELECT", "WHERE", "WHEN", "THEN", "ELSE", "AND", "OR", "NOT", "IN", "BETWEEN", "HAVING",
                            "VALUES",
                        ]
                        .iter()
                        .any(|k| w.value.eq_ignore_ascii_case(k))
                }
                _ => false,
            }
        };
        if let (true, Token::Number(number, long)) = (unary, &tokens[i + 1].token) {
            if tokens[i].span.end == tokens[i + 1].span.start {
                tokens[i + 1].token = Token::Number(format!("-{number}"), *long);
                tokens.remove(i);
                continue;
            }
        }
        i += 1;
    }
}

/// Rewrite Spark's typed numeric literals among `tokens` as `::` casts.
pub(crate) fn type_numbers(tokens: &mut Vec<TokenWithSpan>) {
    fold_negative_numbers(tokens);
    let mut i = 0;
    while i < tokens.len() {
        let Token::Number(number, long) = &tokens[i].token else {
            i += 1;
            continue;
        };
        // The tokenizer reads `3L` itself: a number marked long.
        if *long {
            let span = tokens[i].span;
            tokens[i].token = Token::Number(number.clone(), false);
            tokens.splice(
                (i + 1)..=i,
                [
                    TokenWithSpan::new(Token::DoubleColon, span),
                    TokenWithSpan::new(Token::make_word("BIGINT", None), span),
                ],
            );
            i += 3;
            continue;
        }
        let number = number.clone();
        let span = tokens[i].span;
        let suffix = match tokens.get(i + 1) {
            Some(TokenWithSpan { token: Token::Word(word), span: next })
                if word.quote_style.is_none() && next.start == span.end =>
            {
                Some(word.value.clone())
            }
            _ => None,
        };
        let Some(type_name) = suffix_type(&number, suffix.as_deref().unwrap_or("")) else {
            i += 1;
            continue;
        };
        let cast = [
            TokenWithSpan::new(Token::DoubleColon, span),
            TokenWithSpan::new(Token::make_word(&type_name, None), span),
        ];
        if suffix.is_some() {
            tokens.splice(i + 1..i + 2, cast);
        } else {
            tokens.splice((i + 1)..=i, cast);
        }
        i += 3;
    }
}

/// A string literal's text as Spark's parser reads it (`unescapeSQLString`), from the text between
/// its quotes as written: `\n`, `\t`, `\0`, `\uXXXX`, `\UXXXXXXXX`, octal `\110`; `\%` and
/// `\_` keep their backslash (as MySQL does); any other escaped character is itself. A doubled
/// quote ends one literal and starts the next, which Spark joins: nothing.
#[must_use]
pub(crate) fn spark_unescape(raw: &str, quote: char) -> String {
    let chars: Vec<char> = raw.chars().collect();
    let mut out = String::with_capacity(raw.len());
    let hex = |from: usize, len: usize| -> Option<u32> {
        let digits: String = chars.get(from..from + len)?.iter().collect();
        digits.chars().all(|c| c.is_ascii_hexdigit()).then(|| u32::from_str_radix(&digits, 16).ok()).flatten()
    };
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == quote && chars.get(i + 1) == Some(&quote) {
            i += 2;
            continue;
        }
        if c != '\\' || i + 1 == chars.len() {
            out.push(c);
            i += 1;
            continue;
        }
        let next = chars[i + 1];
        if let Some(code) = (next == 'u').then(|| hex(i + 2, 4)).flatten() {
            out.push(char::from_u32(code).unwrap_or(char::REPLACEMENT_CHARACTER));
            i += 6;
        } else if let Some(code) = (next == 'U').then(|| hex(i + 2, 8)).flatten() {
            out.push(char::from_u32(code).unwrap_or(char::REPLACEMENT_CHARACTER));
            i += 10;
        } else if matches!(next, '0' | '1')
            && chars.get(i + 2).is_some_and(|d| ('0'..='7').contains(d))
            && chars.get(i + 3).is_some_and(|d| ('0'..='7').contains(d))
        {
            let octal: String = chars[i + 1..i + 4].iter().collect();
            out.push(char::from_u32(u32::from_str_radix(&octal, 8).unwrap_or(0)).unwrap_or('\0'));
            i += 4;
        } else {
            match next {
                '0' => out.push('\0'),
                'b' => out.push('\u{8}'),
                'n' => out.push('\n'),
                'r' => out.push('\r'),
                't' => out.push('\t'),
                'Z' => out.push('\u{1A}'),
                '%' | '_' => {
                    out.push('\\');
                    out.push(next);
                }
                other => out.push(other),
            }
            i += 2;
        }
    }
    out
}

/// The column name Spark gives a typed literal: its value as Spark prints it.
#[must_use]
pub(crate) fn literal_name(number: &str, type_name: &str) -> String {
    let upper = type_name.to_ascii_uppercase();
    if upper.starts_with("DOUBLE") {
        return number.parse::<f64>().map_or_else(|_| number.to_string(), java_double_text);
    }
    if upper.starts_with("FLOAT") || upper.starts_with("REAL") {
        return number.parse::<f32>().map_or_else(|_| number.to_string(), java_float_text);
    }
    number.to_string()
}

#[cfg(test)]
mod tests {
    use datafusion::sql::sqlparser::tokenizer::Tokenizer;

    use super::*;
    use crate::runtime::sql::dialect::SparkDialect;

    fn rewritten(sql: &str) -> String {
        let mut tokens = Tokenizer::new(&SparkDialect, sql).tokenize_with_location().unwrap();
        type_numbers(&mut tokens);
        tokens.iter().map(|t| t.token.to_string()).collect()
    }

    #[test]
    fn suffixes_become_casts() {
        assert_eq!(
            rewritten("select 1Y, 2S, 3L, 1.5D, 2F, 1.50BD, 1E3, 7"),
            "select 1::TINYINT, 2::SMALLINT, 3::BIGINT, 1.5::DOUBLE, 2::FLOAT, 1.50::DECIMAL(3,2), 1E3::DOUBLE, 7"
        );
        // A suffix is a suffix only when it touches the number.
        assert_eq!(rewritten("select 1 L"), "select 1 L");
        // A negative literal is one literal; a subtraction stays one.
        assert_eq!(rewritten("select -128Y, year -1, (-1)"), "select -128::TINYINT, year -1, (-1)");
    }

    #[test]
    fn strings_unescape_as_spark_reads_them() {
        assert_eq!(spark_unescape(r"\110\145\154\154\157\041", '\''), "Hello!");
        assert_eq!(spark_unescape(r"\u0057\u006F\u0072\u006C\u0064", '\''), "World");
        assert_eq!(spark_unescape(r"no-pattern\%, a\tb, it\'s, \\", '\''), "no-pattern\\%, a\tb, it's, \\");
        assert_eq!(spark_unescape("it''s", '\''), "its");
    }

    #[test]
    fn names_as_spark_prints_values() {
        assert_eq!(literal_name("1E10", "DOUBLE"), "1.0E10");
        assert_eq!(literal_name("1.5", "DOUBLE"), "1.5");
        assert_eq!(literal_name("1", "TINYINT"), "1");
    }
}
