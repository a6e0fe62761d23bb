//! Spark SQL's syntax and non-ANSI rules, translated to a statement DataFusion plans the same way.
//!
//! Spark resolves identifiers case-insensitively and keeps their case; DataFusion folds unquoted
//! identifiers to lower case and matches quoted ones exactly. The session therefore registers
//! every view with lower-case column names, this module folds *every* identifier (backticks
//! included) to lower case, and [`Spellings`] restores the names Spark would give the output:
//! an alias as written, a column as the view spells it.
//!
//! Other Spark rules applied here: `"text"` is a string literal, not an identifier; `CAST` yields
//! null for a value it cannot convert (`TRY_CAST`), as with `spark.sql.ansi.enabled=false` (Glue
//! 4/5); `/` divides as doubles; an expression without an alias is named as Spark names it.

use std::collections::{HashMap, HashSet};
use std::ops::ControlFlow;

use datafusion::sql::sqlparser::ast::{
    Expr, GroupByExpr, Ident, LimitClause, ObjectNamePart, OrderByKind, Query, Select, SelectItem, SetExpr, Statement,
    TableFactor, Value, VisitMut, VisitorMut, WindowFrameBound, WindowType,
};
use datafusion::sql::sqlparser::keywords::Keyword;
use datafusion::sql::sqlparser::parser::Parser;
use datafusion::sql::sqlparser::tokenizer::{Location as TokenLocation, Token, TokenWithSpan, Tokenizer};

use super::dialect::SparkDialect;
use super::names::spark_name;
use super::rules;
use super::{inline_table, literals};
use crate::core::text::datetime::SessionZone;
use crate::error::{Error, Result};

/// How Spark would spell each output name, keyed by its lower-case form.
#[derive(Debug, Default, Clone)]
pub(crate) struct Spellings {
    /// Names of the outermost select list (aliases and selected columns as written, Spark's names
    /// of unaliased expressions), then aliases of inner queries.
    aliases: HashMap<String, String>,
}

impl Spellings {
    /// The alias spelling of `lower`, if the query wrote one.
    #[must_use]
    pub(crate) fn alias(&self, lower: &str) -> Option<&str> {
        self.aliases.get(lower).map(String::as_str)
    }

    fn record(&mut self, spelled: &str) -> String {
        let lower = spelled.to_lowercase();
        // The first spelling wins, as the outermost query is visited first.
        self.aliases.entry(lower.clone()).or_insert_with(|| spelled.to_string());
        lower
    }
}

/// One Spark SQL statement, rewritten for DataFusion.
#[derive(Debug)]
pub(crate) struct SparkStatement {
    pub(crate) statement: Statement,
    pub(crate) spellings: Spellings,
    /// The name Spark gives each item of the outermost select list, as spelled (`None` for a
    /// wildcard, whose columns keep their own names).
    pub(crate) output_names: Vec<Option<String>>,
}

/// Parse one Spark SQL statement (a trailing `;` is allowed) and rewrite it for DataFusion.
///
/// # Errors
/// [`Error::Sql`] with the parser's message and position, or for more than one statement.
pub(crate) fn parse(sql: &str, zone: SessionZone) -> Result<SparkStatement> {
    let dialect = SparkDialect;
    // Strings as written, unescaped by Spark's rules below.
    let mut tokens = Tokenizer::new(&dialect, sql)
        .with_unescape(false)
        .tokenize_with_location()
        .map_err(|e| Error::Sql(format!("cannot parse the query: {e}")))?;
    for token in &mut tokens {
        match &mut token.token {
            Token::SingleQuotedString(text) => *text = literals::spark_unescape(text, '\''),
            Token::DoubleQuotedString(text) => *text = literals::spark_unescape(text, '"'),
            Token::Word(word) if word.quote_style == Some('"') => {
                word.value = literals::spark_unescape(&word.value, '"');
            }
            // In backticks only a doubled backtick is an escape.
            Token::Word(word) if word.quote_style == Some('`') => word.value = word.value.replace("``", "`"),
            _ => {}
        }
    }
    literals::type_numbers(&mut tokens);
    inline_table::rewrite(&mut tokens);
    super::grouping::nested_sets_as_calls(&mut tokens);
    super::lambdas::exists_as_function(&mut tokens);
    // Backticked spellings by position, for aliases written in backticks.
    let mut quoted: HashMap<(u64, u64), String> = HashMap::new();
    // `user` is a column name in Spark (STEDI's readings have one); sqlparser reads a bare USER as
    // the SQL function. Quote it unless it is called (`user()`).
    let called: Vec<bool> = (0..tokens.len())
        .map(|i| {
            tokens[i + 1..]
                .iter()
                .find(|t| !matches!(t.token, Token::Whitespace(_)))
                .is_some_and(|t| t.token == Token::LParen)
        })
        .collect();
    let string_follows: Vec<bool> = (0..tokens.len())
        .map(|i| {
            tokens[i + 1..].iter().find(|t| !matches!(t.token, Token::Whitespace(_))).is_some_and(|t| {
                matches!(t.token, Token::SingleQuotedString(_) | Token::DoubleQuotedString(_))
                    || matches!(&t.token, Token::Word(w) if w.quote_style == Some('"'))
            })
        })
        .collect();
    for (i, token) in tokens.iter_mut().enumerate() {
        if let Token::Word(word) = &mut token.token {
            if word.quote_style.is_none() && word.value.eq_ignore_ascii_case("user") && !called[i] {
                quoted.insert(position(token.span.start), word.value.clone());
                word.quote_style = Some('`');
                word.keyword = Keyword::NoKeyword;
            }
        }
        let replacement = match &mut token.token {
            // `timestamp_ltz'…'` is Spark's `TIMESTAMP '…'` (sqlparser knows only the latter).
            Token::Word(word)
                if word.quote_style.is_none()
                    && word.value.eq_ignore_ascii_case("timestamp_ltz")
                    && string_follows[i] =>
            {
                Some(Token::make_keyword("TIMESTAMP"))
            }
            // Spark: "text" is a string literal.
            Token::Word(word) if word.quote_style == Some('"') => Some(Token::SingleQuotedString(word.value.clone())),
            Token::DoubleQuotedString(text) => Some(Token::SingleQuotedString(text.clone())),
            Token::Word(word) if word.quote_style.is_some() => {
                quoted.insert(position(token.span.start), word.value.clone());
                word.value = word.value.to_lowercase();
                None
            }
            _ => None,
        };
        if let Some(replacement) = replacement {
            token.token = replacement;
        }
    }
    adjacent_strings_joined(&mut tokens);
    cross_join_on_as_inner(&mut tokens);
    let mut statements = Parser::new(&dialect)
        .with_tokens_with_locations(tokens)
        .parse_statements()
        .map_err(|e| Error::Sql(format!("cannot parse the query: {e}")))?;
    if statements.len() != 1 {
        return Err(Error::Sql(format!("spark.sql takes one statement; the query has {}", statements.len())));
    }
    let mut statement = statements.remove(0);
    let mut rewriter = Rewriter {
        spellings: Spellings::default(),
        quoted,
        literal_positions: HashSet::new(),
        refusal: None,
        zone,
        grouping_columns: Vec::new(),
    };
    super::generators::expand(&mut statement).map_err(Error::Sql)?;
    let output_names = match &mut statement {
        Statement::Query(query) => name_unaliased(query, &mut rewriter),
        _ => Vec::new(),
    };
    if statement.visit(&mut rewriter).is_break() {
        return Err(Error::Sql(rewriter.refusal.unwrap_or_default()));
    }
    Ok(SparkStatement { statement, spellings: rewriter.spellings, output_names })
}

/// Spark reads string literals written one after another as one (`'hello' ' ' 'world'`).
fn adjacent_strings_joined(tokens: &mut Vec<TokenWithSpan>) {
    let mut i = 0;
    while i < tokens.len() {
        if let Token::SingleQuotedString(_) = tokens[i].token {
            let next = tokens[i + 1..].iter().position(|t| !matches!(t.token, Token::Whitespace(_))).map(|p| p + i + 1);
            if let Some(n) = next {
                if let Token::SingleQuotedString(more) = tokens[n].token.clone() {
                    if let Token::SingleQuotedString(text) = &mut tokens[i].token {
                        text.push_str(&more);
                    }
                    tokens.drain(i + 1..=n);
                    continue;
                }
            }
        }
        i += 1;
    }
}

/// The words after which a `CROSS JOIN`'s table has ended.
const CLAUSE_ENDS: [&str; 12] =
    ["JOIN", "WHERE", "GROUP", "ORDER", "HAVING", "LIMIT", "UNION", "EXCEPT", "INTERSECT", "MINUS", "WINDOW", "CROSS"];

/// Spark reads `a CROSS JOIN b ON c` (or `USING`) as an inner join; sqlparser refuses the condition.
fn cross_join_on_as_inner(tokens: &mut [TokenWithSpan]) {
    let word =
        |t: &Token, k: &str| matches!(t, Token::Word(w) if w.quote_style.is_none() && w.value.eq_ignore_ascii_case(k));
    for i in 0..tokens.len() {
        if !word(&tokens[i].token, "CROSS") {
            continue;
        }
        let mut rest = tokens[i + 1..].iter().filter(|t| !matches!(t.token, Token::Whitespace(_)));
        if !rest.next().is_some_and(|t| word(&t.token, "JOIN")) {
            continue;
        }
        let mut depth = 0i32;
        let mut has_condition = false;
        for token in rest.map(|t| &t.token) {
            match token {
                Token::LParen => depth += 1,
                Token::RParen => depth -= 1,
                _ => {}
            }
            let ends = depth == 0
                && (matches!(token, Token::Comma | Token::SemiColon) || CLAUSE_ENDS.iter().any(|k| word(token, k)));
            if depth < 0 || ends {
                break;
            }
            if depth == 0 && (word(token, "ON") || word(token, "USING")) {
                has_condition = true;
                break;
            }
        }
        if has_condition {
            tokens[i].token = Token::make_keyword("INNER");
        }
    }
}

fn position(location: TokenLocation) -> (u64, u64) {
    (location.line, location.column)
}

pub(super) struct Rewriter {
    spellings: Spellings,
    quoted: HashMap<(u64, u64), String>,
    /// Numbers that must stay bare literals: ordinals (`GROUP BY 1`, `ORDER BY 2`), `LIMIT`,
    /// window frame bounds and interval values (by address; the tree is edited in place).
    literal_positions: HashSet<usize>,
    /// Why Spark's analyzer refuses the statement, when a rule finds out while rewriting.
    refusal: Option<String>,
    /// The session's time zone: a `TIMESTAMP '…'` literal is named by its time there.
    pub(super) zone: SessionZone,
    /// The grouping columns of the last select with grouping analytics (`grouping__id` is
    /// `grouping_id()` over them).
    grouping_columns: Vec<Expr>,
}

impl Rewriter {
    /// The alias as written: backticked aliases were folded by the tokenizer pass.
    pub(super) fn written(&self, alias: &Ident) -> String {
        if alias.quote_style.is_some() {
            if let Some(spelled) = self.quoted.get(&position(alias.span.start)) {
                return spelled.clone();
            }
        }
        alias.value.clone()
    }

    /// Fold `alias` to lower case; returns its spelling.
    fn fold_alias(&mut self, alias: &mut Ident) -> String {
        let spelled = self.written(alias);
        let lower = self.spellings.record(&spelled);
        *alias = Ident::with_quote('`', lower);
        spelled
    }
}

impl VisitorMut for Rewriter {
    type Break = ();

    fn pre_visit_query(&mut self, query: &mut Query) -> ControlFlow<()> {
        minus_as_except(&mut query.body);
        // A CTE's or subquery's columns are named as Spark names them too (`SELECT * FROM
        // (SELECT 1)` has a column `1`); the outermost query's were named first.
        if let Some(select) = outermost_select(query) {
            name_items(select, self);
        }
        if let Err(refusal) = super::grouping::check_order_by(query) {
            self.refusal = Some(refusal);
            return ControlFlow::Break(());
        }
        if let Some(order_by) = &query.order_by {
            if let OrderByKind::Expressions(items) = &order_by.kind {
                self.literal_positions.extend(items.iter().map(|item| rules::address(&item.expr)));
            }
        }
        match &query.limit_clause {
            Some(LimitClause::LimitOffset { limit, offset, .. }) => {
                self.literal_positions.extend(limit.iter().map(rules::address));
                self.literal_positions.extend(offset.iter().map(|o| rules::address(&o.value)));
            }
            Some(LimitClause::OffsetCommaLimit { offset, limit }) => {
                self.literal_positions.extend([rules::address(offset), rules::address(limit)]);
            }
            None => {}
        }
        ControlFlow::Continue(())
    }

    fn pre_visit_table_factor(&mut self, factor: &mut TableFactor) -> ControlFlow<()> {
        // A table-valued function's name is case-insensitive in Spark (`FROM RANGE(10)`).
        if let TableFactor::Table { name, args: Some(_), .. } = factor {
            if let Some(ObjectNamePart::Identifier(ident)) = name.0.last_mut() {
                ident.value = ident.value.to_lowercase();
            }
        }
        ControlFlow::Continue(())
    }

    fn pre_visit_select(&mut self, select: &mut Select) -> ControlFlow<()> {
        super::using_join::spark_using_keys(select);
        super::subqueries::in_subquery_in_select_list(select);
        match super::grouping::spark_grouping(select) {
            Ok(columns) if !columns.is_empty() => self.grouping_columns = columns,
            Ok(_) => {}
            Err(refusal) => {
                self.refusal = Some(refusal);
                return ControlFlow::Break(());
            }
        }
        for item in &mut select.projection {
            if let SelectItem::ExprWithAlias { alias, .. } = item {
                let _ = self.fold_alias(alias);
            }
        }
        if let GroupByExpr::Expressions(keys, _) = &select.group_by {
            self.literal_positions.extend(keys.iter().map(rules::address));
        }
        ControlFlow::Continue(())
    }

    fn pre_visit_expr(&mut self, expr: &mut Expr) -> ControlFlow<()> {
        match expr {
            Expr::Interval(interval) => {
                self.literal_positions.insert(rules::address(&interval.value));
            }
            column if super::grouping::is_grouping_id_column(column) && !self.grouping_columns.is_empty() => {
                *column = Expr::Function(rules::call("grouping_id", self.grouping_columns.clone()));
            }
            Expr::Function(function) => {
                if let Some(WindowType::WindowSpec(spec)) = &function.over {
                    if let Some(frame) = &spec.window_frame {
                        for bound in [Some(&frame.start_bound), frame.end_bound.as_ref()].into_iter().flatten() {
                            if let WindowFrameBound::Preceding(Some(value)) | WindowFrameBound::Following(Some(value)) =
                                bound
                            {
                                self.literal_positions.insert(rules::address(value));
                            }
                        }
                    }
                }
            }
            _ => {}
        }
        ControlFlow::Continue(())
    }

    fn post_visit_expr(&mut self, expr: &mut Expr) -> ControlFlow<()> {
        // A number written where Spark types it: an int, unless it is an ordinal, a LIMIT, a
        // frame bound or an interval's value.
        let bare = self.literal_positions.contains(&rules::address(expr));
        if let Err(refusal) = rules::rewrite(expr, bare) {
            self.refusal = Some(refusal);
            return ControlFlow::Break(());
        }
        ControlFlow::Continue(())
    }
}

/// Spark's `MINUS` is `EXCEPT`.
fn minus_as_except(body: &mut SetExpr) {
    if let SetExpr::SetOperation { op, left, right, .. } = body {
        if *op == datafusion::sql::sqlparser::ast::SetOperator::Minus {
            *op = datafusion::sql::sqlparser::ast::SetOperator::Except;
        }
        minus_as_except(left);
        minus_as_except(right);
    }
}

/// Give each unaliased expression of the outermost select list the name Spark gives it
/// (`count(1)`, `upper(email)`, `(a + 1)`), so the output columns are named as in Spark; returns
/// each item's output name as spelled (`None` for a wildcard).
fn name_unaliased(query: &mut Query, rewriter: &mut Rewriter) -> Vec<Option<String>> {
    match outermost_select(query) {
        Some(select) => name_items(select, rewriter),
        None => Vec::new(),
    }
}

/// Alias each unaliased expression of `select` by Spark's name for it; the names of its items.
fn name_items(select: &mut Select, rewriter: &mut Rewriter) -> Vec<Option<String>> {
    let relations = relation_names(select);
    let mut names = Vec::new();
    for item in &mut select.projection {
        // `a.b` of a struct column `a` (not of a relation `a`): DataFusion names it `a[b]`, Spark `b`.
        let field_access = matches!(item, SelectItem::UnnamedExpr(Expr::CompoundIdentifier(parts))
            if parts.len() >= 2 + usize::from(relations.contains(&parts[0].value.to_lowercase())));
        names.push(match item {
            // The outermost aliases are recorded first: their spelling wins over a CTE's or
            // subquery's alias of the same name.
            SelectItem::ExprWithAlias { alias, .. } => Some(rewriter.fold_alias(alias)),
            // Spark names a selected column as the query spells it (`CUSTOMERNAME`).
            SelectItem::UnnamedExpr(column @ (Expr::Identifier(_) | Expr::CompoundIdentifier(_))) if !field_access => {
                let spelled = spark_name(column, rewriter);
                rewriter.spellings.record(&spelled);
                Some(spelled)
            }
            SelectItem::UnnamedExpr(expr) => {
                let spelled = spark_name(expr, rewriter);
                let lower = rewriter.spellings.record(&spelled);
                let expr = std::mem::replace(expr, Expr::value(Value::Null));
                *item = SelectItem::ExprWithAlias { expr, alias: Ident::with_quote('`', lower) };
                Some(spelled)
            }
            _ => None,
        });
    }
    names
}

/// The names (lower case) a select's relations go by: their aliases, else their tables' names.
fn relation_names(select: &Select) -> Vec<String> {
    let mut names = Vec::new();
    let factors =
        select.from.iter().flat_map(|t| std::iter::once(&t.relation).chain(t.joins.iter().map(|j| &j.relation)));
    for factor in factors {
        match factor {
            TableFactor::Table { alias: Some(alias), .. } | TableFactor::Derived { alias: Some(alias), .. } => {
                names.push(alias.name.value.to_lowercase());
            }
            TableFactor::Table { name, .. } => {
                if let Some(last) = name.0.last().and_then(|p| p.as_ident()) {
                    names.push(last.value.to_lowercase());
                }
            }
            _ => {}
        }
    }
    names
}

/// The select whose items name a query's output: Spark names a set operation's columns after
/// its first query.
fn outermost_select(query: &mut Query) -> Option<&mut Select> {
    let mut body = query.body.as_mut();
    loop {
        match body {
            SetExpr::Select(select) => return Some(select),
            SetExpr::SetOperation { left, .. } => body = left.as_mut(),
            SetExpr::Query(inner) => body = inner.body.as_mut(),
            _ => return None,
        }
    }
}

/// The prefix of the stand-in names [`distinct_output_names`] gives the outermost select items.
pub(crate) const OUTPUT_MARKER: &str = "__glueless_out";

/// Spark allows two output columns of one name (`SELECT DISTINCT c.email, c.* …`); DataFusion's
/// planner does not. Give each named item of the outermost select list a stand-in alias
/// (`__glueless_out<i>`) so the query plans; returns (stand-in, Spark's output name) for each,
/// to be renamed back after planning. Wildcards keep their columns' names.
pub(crate) fn distinct_output_names(
    statement: &mut Statement,
    output_names: &[Option<String>],
) -> Vec<(String, String)> {
    let Statement::Query(query) = statement else { return Vec::new() };
    let Some(select) = outermost_select(query) else { return Vec::new() };
    let mut renamed = Vec::new();
    for (i, (item, name)) in select.projection.iter_mut().zip(output_names).enumerate() {
        let Some(name) = name else { continue };
        let marker = format!("{OUTPUT_MARKER}{i}");
        let stand_in = Ident::with_quote('`', marker.clone());
        match item {
            SelectItem::ExprWithAlias { alias, .. } => *alias = stand_in,
            SelectItem::UnnamedExpr(expr) => {
                let expr = std::mem::replace(expr, Expr::value(Value::Null));
                *item = SelectItem::ExprWithAlias { expr, alias: stand_in };
            }
            _ => continue,
        }
        renamed.push((marker, name.clone()));
    }
    renamed
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(sql: &str) -> Result<SparkStatement> {
        super::parse(sql, SessionZone::utc())
    }

    fn rewritten(sql: &str) -> String {
        parse(sql).unwrap().statement.to_string()
    }

    #[test]
    fn folds_backticks_and_keeps_alias_spelling() {
        let parsed = parse("SELECT `serialNumber` AS `SerialNo`, email AS Email FROM `Step_Trainer`;").unwrap();
        assert_eq!(
            parsed.statement.to_string(),
            "SELECT `serialnumber` AS `serialno`, email AS `email` FROM `step_trainer`"
        );
        assert_eq!(parsed.spellings.alias("serialno"), Some("SerialNo"));
        assert_eq!(parsed.spellings.alias("email"), Some("Email"));
    }

    #[test]
    fn double_quotes_are_strings_and_double_equals_is_equality() {
        assert_eq!(rewritten(r#"SELECT * FROM t WHERE email == "a@b.c""#), "SELECT * FROM t WHERE email = 'a@b.c'");
    }

    #[test]
    fn sparks_integer_type_names() {
        assert_eq!(rewritten("select cast(a as long), cast(b as Short), cast(c as byte)"), "SELECT __glueless_integral_cast(a, 'bigint') AS `cast(a as bigint)`, __glueless_integral_cast(b, 'smallint') AS `cast(b as smallint)`, __glueless_integral_cast(c, 'tinyint') AS `cast(c as tinyint)`");
    }

    #[test]
    fn casts_are_lenient_and_division_fractional() {
        assert_eq!(
            rewritten("SELECT CAST(x AS INT) AS i, a / b AS r FROM t"),
            "SELECT __glueless_integral_cast(x, 'int') AS `i`, TRY_CAST((a) AS DOUBLE) / nullif(TRY_CAST((b) AS DOUBLE), 0) AS `r` FROM t"
        );
    }

    #[test]
    fn unaliased_expressions_get_spark_names() {
        let parsed = parse("SELECT COUNT(*), upper(customerName), a + 1, email FROM t").unwrap();
        assert_eq!(parsed.spellings.alias("count(1)"), Some("count(1)"));
        assert_eq!(parsed.spellings.alias("upper(customername)"), Some("upper(customerName)"));
        assert_eq!(parsed.spellings.alias("(a + 1)"), Some("(a + 1)"));
        assert_eq!(parsed.spellings.alias("email"), Some("email"));
    }

    #[test]
    fn user_is_a_column_unless_called() {
        assert_eq!(
            rewritten("SELECT a.user, USER FROM t a WHERE user = 'x'"),
            "SELECT a.`user`, `user` FROM t a WHERE `user` = 'x'"
        );
    }

    #[test]
    fn comments_and_errors() {
        assert!(parse("-- pick\nSELECT /* all */ * FROM t;").is_ok());
        let err = parse("SELECT * FRM t").unwrap_err().to_string();
        assert!(err.starts_with("cannot parse the query:"), "{err}");
        assert!(err.contains("Line: 1"), "{err}");
        assert!(parse("SELECT 1; SELECT 2").is_err());
    }
}
