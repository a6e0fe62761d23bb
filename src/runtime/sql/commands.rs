//! The statements `spark.sql` runs besides queries, as Spark's grammar spells them: temporary
//! views, session settings, tables kept in the session, `INSERT`, `DROP`, `CACHE`, `SHOW TABLES`.
//!
//! A command is recognised by its leading words among sqlparser's tokens; the query it carries
//! (`AS SELECT …`, `INSERT INTO t VALUES …`) is left as text for [`super::SqlSession::sql`].

use datafusion::sql::sqlparser::tokenizer::{Location, Token, TokenWithSpan, Tokenizer};

use super::dialect::SparkDialect;
use crate::error::{Error, Result};

/// One of Spark's commands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Command {
    /// `CREATE [OR REPLACE] [GLOBAL] TEMP[ORARY] VIEW [IF NOT EXISTS] name [(c, …)] AS query`.
    CreateView { name: String, columns: Vec<String>, replace: bool, if_not_exists: bool, query: String },
    /// `DROP VIEW|TABLE [IF EXISTS] name`.
    Drop { name: String, if_exists: bool },
    /// `SET`, `SET key`, `SET key = value`.
    Set { key: Option<String>, value: Option<String> },
    /// `RESET [key]`.
    Reset { key: Option<String> },
    /// `CREATE TABLE [IF NOT EXISTS] name [(c type, …)] [USING format] [LOCATION …] [AS query]`.
    CreateTable {
        name: String,
        columns: Vec<(String, String)>,
        if_not_exists: bool,
        location: Option<String>,
        query: Option<String>,
    },
    /// `INSERT INTO|OVERWRITE [TABLE] name [(c, …)] query`.
    Insert { table: String, overwrite: bool, query: String },
    /// `CACHE [LAZY] TABLE name [AS query]`, `UNCACHE TABLE [IF EXISTS] name`, `CLEAR CACHE`:
    /// results are the same without a cache; a `CACHE TABLE … AS query` defines a view.
    Cache { name: Option<String>, query: Option<String> },
    /// `SHOW TABLES [FROM|IN database] [[LIKE] 'pattern']`.
    ShowTables { database: Option<String>, pattern: Option<String> },
}

/// The significant tokens of a statement, each with its byte offset in the text.
struct Words<'a> {
    sql: &'a str,
    tokens: Vec<(Token, usize)>,
    at: usize,
}

impl<'a> Words<'a> {
    fn new(sql: &'a str) -> Option<Self> {
        let tokens = Tokenizer::new(&SparkDialect, sql).tokenize_with_location().ok()?;
        let lines: Vec<usize> = std::iter::once(0).chain(sql.match_indices('\n').map(|(i, _)| i + 1)).collect();
        let offset = |location: Location| -> usize {
            let index = |n: u64| usize::try_from(n.saturating_sub(1)).unwrap_or(usize::MAX);
            let start = lines.get(index(location.line)).copied().unwrap_or(0);
            let column = index(location.column);
            start + sql[start..].char_indices().nth(column).map_or(sql.len() - start, |(i, _)| i)
        };
        let tokens = tokens
            .into_iter()
            .filter(|t: &TokenWithSpan| !matches!(t.token, Token::Whitespace(_)))
            .map(|t| (t.token, offset(t.span.start)))
            .collect();
        Some(Self { sql, tokens, at: 0 })
    }

    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at).map(|(t, _)| t)
    }

    /// Take the next token if it is the word `word` (any case).
    fn word(&mut self, word: &str) -> bool {
        let found = matches!(self.peek(), Some(Token::Word(w)) if w.quote_style.is_none() && w.value.eq_ignore_ascii_case(word));
        if found {
            self.at += 1;
        }
        found
    }

    fn words(&mut self, words: &[&str]) -> bool {
        let start = self.at;
        if words.iter().all(|w| self.word(w)) {
            return true;
        }
        self.at = start;
        false
    }

    fn token(&mut self, token: &Token) -> bool {
        let found = self.peek() == Some(token);
        if found {
            self.at += 1;
        }
        found
    }

    /// A (possibly qualified, possibly backticked) name, as written.
    fn name(&mut self) -> Option<String> {
        let mut parts = Vec::new();
        loop {
            match self.peek() {
                Some(Token::Word(w)) => parts.push(w.value.clone()),
                _ => return None,
            }
            self.at += 1;
            if !self.token(&Token::Period) {
                return Some(parts.join("."));
            }
        }
    }

    /// The text from the current token to the end, without a trailing `;`.
    fn rest(&self) -> String {
        let start = self.tokens.get(self.at).map_or(self.sql.len(), |(_, offset)| *offset);
        self.sql[start..].trim().trim_end_matches(';').trim().to_string()
    }

    /// The text of the tokens from `from` up to the current one.
    fn text_since(&self, from: usize) -> String {
        let start = self.tokens.get(from).map_or(self.sql.len(), |(_, o)| *o);
        let end = self.tokens.get(self.at).map_or(self.sql.len(), |(_, o)| *o);
        self.sql[start..end].trim().to_string()
    }

    fn done(&self) -> bool {
        matches!(self.peek(), None | Some(Token::SemiColon | Token::EOF))
    }

    /// A parenthesised, comma-separated list; each item's text.
    fn list(&mut self) -> Option<Vec<String>> {
        if !self.token(&Token::LParen) {
            return None;
        }
        let mut items = Vec::new();
        let mut depth = 0usize;
        let mut from = self.at;
        loop {
            match self.peek()? {
                Token::LParen => depth += 1,
                Token::RParen if depth == 0 => {
                    items.push(self.text_since(from));
                    self.at += 1;
                    return Some(items);
                }
                Token::RParen => depth -= 1,
                Token::Comma if depth == 0 => {
                    items.push(self.text_since(from));
                    self.at += 1;
                    from = self.at;
                    continue;
                }
                Token::EOF => return None,
                _ => {}
            }
            self.at += 1;
        }
    }
}

/// The command `sql` spells, or `None` for a query (or anything else sqlparser reads).
///
/// # Errors
/// [`Error::Sql`] for a command whose form is not Spark's.
pub(crate) fn parse(sql: &str) -> Result<Option<Command>> {
    let Some(mut words) = Words::new(sql) else { return Ok(None) };
    let bad = |what: &str| Error::Sql(format!("cannot parse the {what} statement: {}", sql.trim()));
    if words.word("CREATE") {
        return parse_create(&mut words, sql);
    }
    if words.word("DROP") {
        if words.word("VIEW") || words.word("TABLE") {
            let if_exists = words.words(&["IF", "EXISTS"]);
            let name = words.name().ok_or_else(|| bad("DROP"))?;
            return Ok(Some(Command::Drop { name, if_exists }));
        }
        return Ok(None);
    }
    if words.word("SET") {
        let text = words.rest();
        if text.is_empty() {
            return Ok(Some(Command::Set { key: None, value: None }));
        }
        return Ok(Some(match text.split_once('=') {
            Some((key, value)) => {
                Command::Set { key: Some(key.trim().to_string()), value: Some(value.trim().to_string()) }
            }
            None => Command::Set { key: Some(text), value: None },
        }));
    }
    if words.word("RESET") {
        let text = words.rest();
        return Ok(Some(Command::Reset { key: (!text.is_empty()).then_some(text) }));
    }
    if words.word("INSERT") {
        let overwrite = if words.word("OVERWRITE") {
            true
        } else if words.word("INTO") {
            false
        } else {
            return Err(bad("INSERT"));
        };
        let _ = words.word("TABLE");
        let table = words.name().ok_or_else(|| bad("INSERT"))?;
        if matches!(words.peek(), Some(Token::LParen))
            && !matches!(words.tokens.get(words.at + 1), Some((Token::Word(w), _)) if w.value.eq_ignore_ascii_case("SELECT"))
        {
            return Err(Error::Unsupported(
                "INSERT with a column list; not supported by glueless: insert every column in order".into(),
            ));
        }
        return Ok(Some(Command::Insert { table, overwrite, query: words.rest() }));
    }
    if words.word("CACHE") {
        let _ = words.word("LAZY");
        if !words.word("TABLE") {
            return Err(bad("CACHE"));
        }
        let name = words.name().ok_or_else(|| bad("CACHE"))?;
        let query = if words.word("AS") { Some(words.rest()) } else { None };
        return Ok(Some(Command::Cache { name: Some(name), query }));
    }
    if words.words(&["SHOW", "TABLES"]) {
        let database = if words.word("FROM") || words.word("IN") {
            Some(words.name().ok_or_else(|| bad("SHOW TABLES"))?)
        } else {
            None
        };
        let _ = words.word("LIKE");
        let pattern = match words.peek() {
            Some(Token::SingleQuotedString(p)) => Some(p.clone()),
            None => None,
            Some(_) => return Err(bad("SHOW TABLES")),
        };
        return Ok(Some(Command::ShowTables { database, pattern }));
    }
    if words.word("UNCACHE") || words.words(&["CLEAR", "CACHE"]) {
        return Ok(Some(Command::Cache { name: None, query: None }));
    }
    Ok(None)
}

/// `CREATE …`: a temporary view or a session table.
fn parse_create(words: &mut Words<'_>, sql: &str) -> Result<Option<Command>> {
    let bad = |what: &str| Error::Sql(format!("cannot parse the {what} statement: {}", sql.trim()));
    let replace = words.words(&["OR", "REPLACE"]);
    let _ = words.word("GLOBAL");
    let temporary = words.word("TEMPORARY") || words.word("TEMP");
    if words.word("VIEW") {
        let if_not_exists = words.words(&["IF", "NOT", "EXISTS"]);
        let name = words.name().ok_or_else(|| bad("CREATE VIEW"))?;
        let columns = match words.list() {
            // `(a COMMENT 'x', b)`: the column's name is its first word.
            Some(items) => items
                .iter()
                .map(|item| item.split_whitespace().next().unwrap_or_default().trim_matches('`').to_string())
                .collect(),
            None => Vec::new(),
        };
        if !words.word("AS") {
            return Err(bad("CREATE VIEW"));
        }
        if !temporary {
            return Err(Error::Unsupported(
                "CREATE VIEW without TEMPORARY (a view kept in a metastore); not supported by glueless: use CREATE TEMPORARY VIEW".into(),
            ));
        }
        return Ok(Some(Command::CreateView { name, columns, replace, if_not_exists, query: words.rest() }));
    }
    if words.word("TABLE") {
        let if_not_exists = words.words(&["IF", "NOT", "EXISTS"]);
        let name = words.name().ok_or_else(|| bad("CREATE TABLE"))?;
        let mut columns = Vec::new();
        if let Some(items) = words.list() {
            for item in items {
                let (column, type_name) = item.split_once(char::is_whitespace).ok_or_else(|| bad("CREATE TABLE"))?;
                let type_name = type_name.split(" COMMENT ").next().unwrap_or(type_name).trim();
                columns.push((column.trim_matches('`').to_string(), type_name.to_string()));
            }
        }
        let mut location = None;
        let mut query = None;
        while !words.done() {
            if words.word("USING") {
                let _ = words.name();
            } else if words.word("LOCATION") {
                location = Some(words.rest());
                break;
            } else if words.word("AS") {
                query = Some(words.rest());
                break;
            } else if words.word("OPTIONS") || words.word("TBLPROPERTIES") {
                let _ = words.list();
            } else {
                return Err(bad("CREATE TABLE"));
            }
        }
        return Ok(Some(Command::CreateTable { name, columns, if_not_exists, location, query }));
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn views_tables_and_settings() {
        assert_eq!(
            parse("CREATE OR REPLACE TEMPORARY VIEW testData(a, b) AS SELECT * FROM VALUES (1, 2) AS t(x, y);")
                .unwrap(),
            Some(Command::CreateView {
                name: "testData".into(),
                columns: vec!["a".into(), "b".into()],
                replace: true,
                if_not_exists: false,
                query: "SELECT * FROM VALUES (1, 2) AS t(x, y)".into()
            })
        );
        assert_eq!(
            parse("create table t1(a int, b decimal(10, 2)) using parquet").unwrap(),
            Some(Command::CreateTable {
                name: "t1".into(),
                columns: vec![("a".into(), "int".into()), ("b".into(), "decimal(10, 2)".into())],
                if_not_exists: false,
                location: None,
                query: None
            })
        );
        assert_eq!(
            parse("SET spark.sql.ansi.enabled = true").unwrap(),
            Some(Command::Set { key: Some("spark.sql.ansi.enabled".into()), value: Some("true".into()) })
        );
        assert_eq!(
            parse("insert into t1 values(1,0,0)").unwrap(),
            Some(Command::Insert { table: "t1".into(), overwrite: false, query: "values(1,0,0)".into() })
        );
        assert_eq!(parse("DROP VIEW IF EXISTS v").unwrap(), Some(Command::Drop { name: "v".into(), if_exists: true }));
        assert_eq!(parse("SELECT 1").unwrap(), None);
        assert!(parse("CREATE VIEW v AS SELECT 1").is_err());
    }
}
