//! Spark's inline tables, rewritten among the tokens into the form sqlparser and DataFusion read.
//!
//! Spark writes `VALUES (1, 'a'), (2, 'b') [AS] t(x, y)` wherever a table or a query may stand,
//! rows may be bare (`VALUES 1, 2, 3`), and unnamed columns are `col1`, `col2`, …. DataFusion
//! reads `(VALUES (1, 'a'), (2, 'b')) AS t(x, y)` as a table and names columns `column1`, …. So
//! each inline table becomes `(VALUES rows) AS alias(columns)` in a table's place, and
//! `SELECT * FROM (VALUES rows) AS alias(columns)` in a query's place, always with column names.

use datafusion::sql::sqlparser::keywords::Keyword;
use datafusion::sql::sqlparser::tokenizer::{Span, Token, TokenWithSpan};

/// Words that end an inline table's rows or stand where its alias would.
const CLAUSE_WORDS: [&str; 26] = [
    "AS",
    "WHERE",
    "GROUP",
    "ORDER",
    "LIMIT",
    "UNION",
    "EXCEPT",
    "INTERSECT",
    "MINUS",
    "JOIN",
    "INNER",
    "LEFT",
    "RIGHT",
    "FULL",
    "CROSS",
    "NATURAL",
    "ON",
    "USING",
    "HAVING",
    "WINDOW",
    "LATERAL",
    "SORT",
    "CLUSTER",
    "DISTRIBUTE",
    "OFFSET",
    "ANTI",
];

fn is_word(token: &Token, word: &str) -> bool {
    matches!(token, Token::Word(w) if w.quote_style.is_none() && w.value.eq_ignore_ascii_case(word))
}

fn clause_word(token: &Token) -> bool {
    CLAUSE_WORDS.iter().any(|w| is_word(token, w)) || is_word(token, "SEMI")
}

/// Where an inline table stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Place {
    Table,
    Query,
}

/// Rewrite every inline table among `tokens` (whitespace already dropped or kept: both work).
pub(crate) fn rewrite(tokens: &mut Vec<TokenWithSpan>) {
    let mut i = 0;
    while i < tokens.len() {
        if is_word(&tokens[i].token, "VALUES") {
            if let Some(place) = place(tokens, i) {
                if let Some((end, replacement)) = inline_table(tokens, i, place) {
                    let length = replacement.len();
                    tokens.splice(i..end, replacement);
                    i += length;
                    continue;
                }
            }
        }
        i += 1;
    }
}

fn significant_before(tokens: &[TokenWithSpan], i: usize) -> Option<&Token> {
    tokens[..i].iter().rev().map(|t| &t.token).find(|t| !matches!(t, Token::Whitespace(_)))
}

fn place(tokens: &[TokenWithSpan], i: usize) -> Option<Place> {
    match significant_before(tokens, i) {
        None | Some(Token::LParen) => Some(Place::Query),
        Some(t) if ["UNION", "EXCEPT", "INTERSECT", "MINUS", "ALL", "DISTINCT", "AS"].iter().any(|w| is_word(t, w)) => {
            Some(Place::Query)
        }
        Some(t) if is_word(t, "FROM") || is_word(t, "JOIN") => Some(Place::Table),
        Some(Token::Comma) => {
            // A table of a FROM list: the latest clause word before it is FROM.
            let latest = tokens[..i].iter().rev().map(|t| &t.token).find(|t| {
                ["FROM", "SELECT", "WHERE", "GROUP", "ORDER", "ON", "BY", "HAVING"].iter().any(|w| is_word(t, w))
            });
            latest.is_some_and(|t| is_word(t, "FROM")).then_some(Place::Table)
        }
        _ => None,
    }
}

/// The rows and alias of the inline table at `start` (its `VALUES`); the index after it and the
/// tokens that replace it.
fn inline_table(tokens: &[TokenWithSpan], start: usize, place: Place) -> Option<(usize, Vec<TokenWithSpan>)> {
    let span = tokens[start].span;
    let mut at = skip_space(tokens, start + 1);
    let mut rows: Vec<Vec<TokenWithSpan>> = Vec::new();
    let mut width = 0;
    loop {
        let (end, row, columns) = row(tokens, at)?;
        if rows.is_empty() {
            width = columns;
        }
        rows.push(row);
        at = skip_space(tokens, end);
        if tokens.get(at).map(|t| &t.token) == Some(&Token::Comma) {
            at = skip_space(tokens, at + 1);
            continue;
        }
        break;
    }
    // [AS] alias [(columns)]
    let mut alias = None;
    let mut columns: Vec<Token> = Vec::new();
    let mut after = at;
    if tokens.get(at).is_some_and(|t| is_word(&t.token, "AS")) {
        after = skip_space(tokens, at + 1);
    }
    if let Some(Token::Word(word)) = tokens.get(after).map(|t| &t.token) {
        if !clause_word(&tokens[after].token) || word.quote_style.is_some() {
            alias = Some(tokens[after].token.clone());
            at = skip_space(tokens, after + 1);
            if tokens.get(at).map(|t| &t.token) == Some(&Token::LParen) {
                let close = closing(tokens, at)?;
                columns = tokens[at + 1..close].iter().map(|t| t.token.clone()).collect();
                at = close + 1;
            }
        }
    }
    if columns.is_empty() {
        for n in 1..=width {
            if n > 1 {
                columns.push(Token::Comma);
            }
            columns.push(Token::make_word(&format!("col{n}"), None));
        }
    }
    let alias = alias.unwrap_or_else(|| Token::make_word("__values", None));
    let mut out: Vec<Token> = Vec::new();
    if place == Place::Query {
        out.extend([Token::make_keyword("SELECT"), Token::Mul, Token::make_keyword("FROM")]);
    }
    out.extend([Token::LParen, Token::make_keyword("VALUES")]);
    for (n, row) in rows.into_iter().enumerate() {
        if n > 0 {
            out.push(Token::Comma);
        }
        out.extend(row.into_iter().map(|t| t.token));
    }
    out.extend([Token::RParen, Token::make_keyword("AS"), alias, Token::LParen]);
    out.extend(columns);
    out.push(Token::RParen);
    let out = out
        .into_iter()
        .flat_map(|t| [TokenWithSpan::new(t, span), TokenWithSpan::new(Token::Whitespace(space()), span)])
        .collect();
    Some((at, out))
}

fn space() -> datafusion::sql::sqlparser::tokenizer::Whitespace {
    datafusion::sql::sqlparser::tokenizer::Whitespace::Space
}

fn skip_space(tokens: &[TokenWithSpan], mut at: usize) -> usize {
    while matches!(tokens.get(at).map(|t| &t.token), Some(Token::Whitespace(_))) {
        at += 1;
    }
    at
}

fn closing(tokens: &[TokenWithSpan], open: usize) -> Option<usize> {
    let mut depth = 0usize;
    for (i, t) in tokens.iter().enumerate().skip(open) {
        match t.token {
            Token::LParen => depth += 1,
            Token::RParen => {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
    }
    None
}

/// One row at `at`: a parenthesised tuple, or one bare value (made a tuple). Returns the index
/// after it, its tokens as a tuple, and its number of columns.
fn row(tokens: &[TokenWithSpan], at: usize) -> Option<(usize, Vec<TokenWithSpan>, usize)> {
    let first = tokens.get(at)?;
    let span = first.span;
    if first.token == Token::LParen {
        let close = closing(tokens, at)?;
        let mut depth = 0usize;
        let mut columns = 1;
        for t in &tokens[at + 1..close] {
            match t.token {
                Token::LParen => depth += 1,
                Token::RParen => depth -= 1,
                Token::Comma if depth == 0 => columns += 1,
                _ => {}
            }
        }
        // `(1, 2) AS t` is a row; `(1) + 2` would be a bare value, which Spark does not write.
        return Some((close + 1, tokens[at..=close].to_vec(), columns));
    }
    let mut end = at;
    let mut depth = 0usize;
    let mut value_ended = false;
    while let Some(t) = tokens.get(end) {
        match &t.token {
            Token::LParen => depth += 1,
            Token::RParen | Token::Comma | Token::SemiColon | Token::EOF if depth == 0 => break,
            Token::RParen => depth -= 1,
            Token::Word(w)
                if depth == 0 && (clause_word(&t.token) || (value_ended && w.keyword == Keyword::NoKeyword)) =>
            {
                break
            }
            _ => {}
        }
        if !matches!(t.token, Token::Whitespace(_)) {
            value_ended =
                matches!(t.token, Token::Number(..) | Token::SingleQuotedString(_) | Token::RParen | Token::Word(_));
        }
        end += 1;
    }
    if end == at {
        return None;
    }
    let mut tuple = vec![TokenWithSpan::new(Token::LParen, span)];
    tuple.extend(tokens[at..end].iter().cloned());
    tuple.push(TokenWithSpan::new(Token::RParen, Span::empty()));
    Some((end, tuple, 1))
}

#[cfg(test)]
mod tests {
    use datafusion::sql::sqlparser::tokenizer::Tokenizer;

    use super::*;
    use crate::runtime::sql::dialect::SparkDialect;

    fn rewritten(sql: &str) -> String {
        let mut tokens = Tokenizer::new(&SparkDialect, sql).tokenize_with_location().unwrap();
        rewrite(&mut tokens);
        let text: String = tokens.iter().map(|t| t.token.to_string()).collect();
        text.split_whitespace().collect::<Vec<_>>().join(" ")
    }

    #[test]
    fn inline_tables_in_every_place() {
        assert_eq!(
            rewritten("SELECT * FROM VALUES (1, 'a'), (2, 'b') AS t(x, y)"),
            "SELECT * FROM ( VALUES ( 1 , 'a' ) , ( 2 , 'b' ) ) AS t ( x , y )"
        );
        assert_eq!(
            rewritten("VALUES (1, 'a'), (2, 'b') tbl(c1, c2)"),
            "SELECT * FROM ( VALUES ( 1 , 'a' ) , ( 2 , 'b' ) ) AS tbl ( c1 , c2 )"
        );
        assert_eq!(
            rewritten("select * from values 0, 1, 2 as t(id)"),
            "select * from ( VALUES ( 0 ) , ( 1 ) , ( 2 ) ) AS t ( id )"
        );
        assert_eq!(
            rewritten("SELECT COUNT(NULL) FROM VALUES 1, 2, 3"),
            "SELECT COUNT(NULL) FROM ( VALUES ( 1 ) , ( 2 ) , ( 3 ) ) AS __values ( col1 )"
        );
        assert_eq!(rewritten("SELECT a FROM t WHERE a > 1"), "SELECT a FROM t WHERE a > 1");
    }
}
