//! Trino's SQL as DataFusion plans it, rewritten on the parsed statement: Trino's aggregates
//! under DataFusion's names, `TRY(…)`, `CROSS JOIN UNNEST(array) AS t(x)` over a column of the
//! rows before it, and `_colN` names for unnamed result columns.

use std::ops::ControlFlow;

use datafusion::sql::sqlparser::ast::{
    self, visit_expressions_mut, BinaryOperator, CastKind, JoinOperator, SelectItem, SetExpr, Statement, TableFactor,
    TableWithJoins, VisitMut, VisitorMut,
};
use datafusion::sql::sqlparser::dialect::GenericDialect;
use datafusion::sql::sqlparser::parser::Parser;

use crate::error::{Error, Result};

/// Marks a result column Trino names by its position (`_col<i>`).
pub(crate) const POSITION_MARK: &str = "__glueless_position_";

fn syntax(e: impl std::fmt::Display) -> Error {
    Error::Sql(format!("SYNTAX_ERROR: {e}"))
}

fn expression(text: &str) -> Result<ast::Expr> {
    Parser::new(&GenericDialect {}).try_with_sql(text).and_then(|mut p| p.parse_expr()).map_err(syntax)
}

/// Trino's aggregates that DataFusion knows under other names: `count_if(p)` counts the rows
/// where `p` is true, `arbitrary(x)` is `any_value(x)`, and `approx_distinct(x)` is answered
/// exactly (Trino's estimate has a 2.3 % standard error; for the small sets it is exact).
pub(crate) fn trino_functions(statement: &mut Statement) -> Result<()> {
    let mut failed = None;
    let _ = visit_expressions_mut(statement, |expr| {
        let ast::Expr::Function(function) = expr else { return ControlFlow::<()>::Continue(()) };
        let name = function.name.to_string().to_ascii_lowercase();
        let argument = match &function.args {
            ast::FunctionArguments::List(list) if list.args.len() == 1 => list.args[0].to_string(),
            _ => return ControlFlow::Continue(()),
        };
        let over = function.over.as_ref().map(|o| format!(" OVER {o}")).unwrap_or_default();
        let text = match name.as_str() {
            "count_if" => format!("count(CASE WHEN {argument} THEN 1 END){over}"),
            "arbitrary" => format!("any_value({argument}){over}"),
            "approx_distinct" => format!("count(DISTINCT {argument}){over}"),
            _ => return ControlFlow::Continue(()),
        };
        match expression(&text) {
            Ok(rewritten) => *expr = rewritten,
            Err(e) => failed = Some(e),
        }
        ControlFlow::Continue(())
    });
    failed.map_or(Ok(()), Err)
}

/// Give each unnamed result column that is not a column reference a marker name, renamed to
/// `_col<position>` once planned; true when there is one.
pub(crate) fn name_by_position(statement: &mut Statement) -> bool {
    let Statement::Query(query) = statement else { return false };
    let mut body = query.body.as_mut();
    loop {
        match body {
            SetExpr::SetOperation { left, .. } => body = left.as_mut(),
            SetExpr::Query(inner) => body = inner.body.as_mut(),
            _ => break,
        }
    }
    let SetExpr::Select(select) = body else { return false };
    let mut marked = false;
    for (index, item) in select.projection.iter_mut().enumerate() {
        if let SelectItem::UnnamedExpr(expr) = item {
            if matches!(expr, ast::Expr::Identifier(_) | ast::Expr::CompoundIdentifier(_)) {
                continue;
            }
            let alias = ast::Ident::new(format!("{POSITION_MARK}{index}"));
            *item = SelectItem::ExprWithAlias { expr: expr.clone(), alias };
            marked = true;
        }
    }
    marked
}

/// `TRY(e)`: `e` with the errors Trino's `TRY` turns into NULL made NULL where they arise — a
/// division or remainder by zero, a cast that fails. (A function's own error, such as
/// `date_parse` of text that does not match, still fails the query.)
pub(crate) fn try_expressions(statement: &mut Statement) -> Result<()> {
    let mut failed = None;
    let _ = visit_expressions_mut(statement, |expr| {
        let ast::Expr::Function(function) = expr else { return ControlFlow::<()>::Continue(()) };
        if !function.name.to_string().eq_ignore_ascii_case("try") {
            return ControlFlow::Continue(());
        }
        let ast::FunctionArguments::List(list) = &function.args else { return ControlFlow::Continue(()) };
        let [ast::FunctionArg::Unnamed(ast::FunctionArgExpr::Expr(inner))] = list.args.as_slice() else {
            return ControlFlow::Continue(());
        };
        let mut inner = inner.clone();
        let _ = visit_expressions_mut(&mut inner, |e| {
            match e {
                ast::Expr::BinaryOp { op: BinaryOperator::Divide | BinaryOperator::Modulo, right, .. } => {
                    match expression(&format!("NULLIF({right}, 0)")) {
                        Ok(guarded) => **right = guarded,
                        Err(err) => failed = Some(err),
                    }
                }
                ast::Expr::Cast { kind, .. } if *kind == CastKind::Cast => *kind = CastKind::TryCast,
                _ => {}
            }
            ControlFlow::<()>::Continue(())
        });
        *expr = ast::Expr::Nested(Box::new(inner));
        ControlFlow::Continue(())
    });
    failed.map_or(Ok(()), Err)
}

/// `FROM rows [AS r] CROSS JOIN UNNEST(r.items) AS t(item)` (or `, UNNEST(…)`): Trino's lateral
/// unnest as DataFusion runs it — `(SELECT *, unnest(r.items) AS item FROM rows AS r) AS r`,
/// with `t.item` read as `r.item`.
pub(crate) fn lateral_unnest(statement: &mut Statement) -> Result<()> {
    let mut rewriter = LateralUnnest { failed: None };
    let _ = statement.visit(&mut rewriter);
    rewriter.failed.map_or(Ok(()), Err)
}

struct LateralUnnest {
    failed: Option<Error>,
}

impl VisitorMut for LateralUnnest {
    type Break = ();

    fn pre_visit_query(&mut self, query: &mut ast::Query) -> ControlFlow<()> {
        let SetExpr::Select(select) = query.body.as_mut() else { return ControlFlow::Continue(()) };
        let renamed = self.rewrite(select);
        if !renamed.is_empty() {
            // The select's expressions and the query's ORDER BY read `t.x` as the base's `r.x`.
            let _ = visit_expressions_mut(query, |expr| {
                if let ast::Expr::CompoundIdentifier(parts) = expr {
                    if let [qualifier, _] = parts.as_mut_slice() {
                        if let Some((_, to)) =
                            renamed.iter().find(|(from, _)| qualifier.value.eq_ignore_ascii_case(from))
                        {
                            qualifier.value.clone_from(to);
                        }
                    }
                }
                ControlFlow::<()>::Continue(())
            });
        }
        ControlFlow::Continue(())
    }
}

impl LateralUnnest {
    /// The select's lateral unnests rewritten; the aliases renamed (unnest alias, base name).
    fn rewrite(&mut self, select: &mut ast::Select) -> Vec<(String, String)> {
        let mut renamed: Vec<(String, String)> = Vec::new();
        let mut from: Vec<TableWithJoins> = Vec::new();
        for item in std::mem::take(&mut select.from) {
            // `FROM rows, UNNEST(…) AS t(x)`: the comma form of the same join.
            if let (Some(previous), TableFactor::UNNEST { .. }) = (from.last_mut(), &item.relation) {
                if previous.joins.is_empty() {
                    let base = previous.relation.clone();
                    match unnested(base, &item.relation, &mut renamed) {
                        Ok(relation) => previous.relation = relation,
                        Err(e) => self.failed = Some(e),
                    }
                    previous.joins.extend(item.joins);
                    continue;
                }
            }
            from.push(item);
        }
        for item in &mut from {
            let mut joins = Vec::new();
            for join in std::mem::take(&mut item.joins) {
                let lateral = matches!(join.relation, TableFactor::UNNEST { .. })
                    && matches!(join.join_operator, JoinOperator::CrossJoin(_))
                    && joins.is_empty();
                if !lateral {
                    joins.push(join);
                    continue;
                }
                match unnested(item.relation.clone(), &join.relation, &mut renamed) {
                    Ok(relation) => item.relation = relation,
                    Err(e) => self.failed = Some(e),
                }
            }
            item.joins = joins;
        }
        select.from = from;
        renamed
    }
}

/// `base` with the arrays of `unnest` unnested beside its columns, under `base`'s name; the
/// unnest's alias is recorded in `renamed` as that name.
fn unnested(base: TableFactor, unnest: &TableFactor, renamed: &mut Vec<(String, String)>) -> Result<TableFactor> {
    let TableFactor::UNNEST { alias, array_exprs, with_offset, with_ordinality, .. } = unnest else {
        return Err(syntax("UNNEST expected"));
    };
    if *with_offset || *with_ordinality {
        return Err(Error::Unsupported("UNNEST … WITH ORDINALITY is not supported by glueless".into()));
    }
    let name = match &base {
        TableFactor::Table { alias: Some(a), .. } | TableFactor::Derived { alias: Some(a), .. } => a.name.value.clone(),
        TableFactor::Table { name, .. } => name.0.last().map(ToString::to_string).unwrap_or_default(),
        _ => {
            return Err(Error::Unsupported(
                "UNNEST beside a relation without a name is not supported by glueless".into(),
            ))
        }
    };
    let columns: Vec<String> =
        alias.as_ref().map(|a| a.columns.iter().map(|c| c.name.value.clone()).collect()).unwrap_or_default();
    let mut unnests = Vec::with_capacity(array_exprs.len());
    for (i, array) in array_exprs.iter().enumerate() {
        let column = columns.get(i).cloned().unwrap_or_else(|| format!("_col{i}"));
        unnests.push(format!("unnest({array}) AS \"{column}\""));
    }
    if let Some(alias) = alias {
        renamed.push((alias.name.value.clone(), name.clone()));
    }
    let sql = format!("SELECT * FROM (SELECT *, {} FROM {base}) AS \"{name}\"", unnests.join(", "));
    let mut statements = Parser::parse_sql(&GenericDialect {}, &sql).map_err(syntax)?;
    let Some(Statement::Query(query)) = statements.pop() else { return Err(syntax("UNNEST rewrite")) };
    let SetExpr::Select(select) = *query.body else { return Err(syntax("UNNEST rewrite")) };
    select.from.into_iter().next().map(|f| f.relation).ok_or_else(|| syntax("UNNEST rewrite"))
}
