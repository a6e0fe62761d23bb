//! Spark's forms of grouping analytics, as DataFusion reads them: `GROUP BY a, b WITH ROLLUP`
//! (and `WITH CUBE`) is `GROUP BY ROLLUP(a, b)`; `GROUP BY a, b GROUPING SETS ((a), (b))` groups
//! by the sets alone (the list before them only names the columns, NULL where a set leaves one
//! out); an ordinal inside `ROLLUP`, `CUBE` or `GROUPING SETS` is the select item it counts to, as
//! at the top of `GROUP BY`. Analytics mixed with columns or nested in each other (`GROUP BY a,
//! GROUPING SETS(ROLLUP(a, b), CUBE(a, b))`, a tuple inside `ROLLUP`) are spelled out as the
//! one list of grouping sets Spark expands them to; `grouping__id` is `grouping_id()`.

use datafusion::sql::sqlparser::ast::{
    visit_expressions, visit_expressions_mut, BinaryOperator, Expr, GroupByExpr, GroupByWithModifier, Ident, Query,
    Select, SelectItem, SetExpr, Value, Visit,
};
use datafusion::sql::sqlparser::tokenizer::{Token, TokenWithSpan};

/// The function a `GROUPING SETS` nested in another is read as (sqlparser reads only one level).
const NESTED_SETS: &str = "__grouping_sets";

/// The empty set `()` inside a [`NESTED_SETS`] call, read as a call of no arguments.
const EMPTY_SET: &str = "__empty_grouping_set";

/// Spark's hidden column of the grouping sets' id.
pub(super) const GROUPING_ID_COLUMN: &str = "grouping__id";

/// Rewrite among `tokens` a `GROUPING SETS (…)` inside another's parentheses as a call of
/// [`NESTED_SETS`], which [`spark_grouping`] expands.
pub(super) fn nested_sets_as_calls(tokens: &mut Vec<TokenWithSpan>) {
    let is = |t: &Token, word: &str| matches!(t, Token::Word(w) if w.quote_style.is_none() && w.value.eq_ignore_ascii_case(word));
    // The depth at which each open GROUPING SETS list's parenthesis was opened.
    let mut open: Vec<usize> = Vec::new();
    // The same, for those rewritten as calls.
    let mut nested: Vec<usize> = Vec::new();
    let mut depth = 0usize;
    let mut i = 0;
    while i < tokens.len() {
        match &tokens[i].token {
            Token::LParen => {
                // `()` in a nested list: the empty set, which sqlparser reads only at the top.
                let next = tokens[i + 1..].iter().find(|t| !matches!(t.token, Token::Whitespace(_)));
                if nested.last().is_some_and(|&d| depth > d) && next.is_some_and(|t| t.token == Token::RParen) {
                    let span = tokens[i].span;
                    tokens.insert(i, TokenWithSpan::new(Token::make_word(EMPTY_SET, None), span));
                    i += 1;
                }
                depth += 1;
            }
            Token::RParen => {
                depth = depth.saturating_sub(1);
                if open.last() == Some(&depth) {
                    open.pop();
                }
                if nested.last() == Some(&depth) {
                    nested.pop();
                }
            }
            t if is(t, "GROUPING") => {
                let next =
                    tokens[i + 1..].iter().position(|t| !matches!(t.token, Token::Whitespace(_))).map(|p| p + i + 1);
                if let Some(sets) = next.filter(|&n| is(&tokens[n].token, "SETS")) {
                    if !open.is_empty() {
                        tokens[i].token = Token::make_word(NESTED_SETS, None);
                        tokens.drain(i + 1..=sets);
                        nested.push(depth);
                    }
                    open.push(depth);
                }
            }
            _ => {}
        }
        i += 1;
    }
}

/// Rewrite `select`'s GROUP BY from Spark's forms; an error when it calls `grouping()` without
/// grouping analytics, as Spark's analyzer refuses it.
pub(super) fn spark_grouping(select: &mut Select) -> Result<Vec<Expr>, String> {
    let items: Vec<Option<Expr>> = select
        .projection
        .iter()
        .map(|item| match item {
            SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. } => Some(e.clone()),
            _ => None,
        })
        .collect();
    let calls_grouping = calls_grouping(&select.projection) || calls_grouping(&select.having);
    let GroupByExpr::Expressions(keys, modifiers) = &mut select.group_by else { return Ok(Vec::new()) };
    let listed = keys.clone();
    let mut sets = None;
    let mut rollup = false;
    let mut cube = false;
    for modifier in modifiers.drain(..) {
        match modifier {
            GroupByWithModifier::Rollup => rollup = true,
            GroupByWithModifier::Cube => cube = true,
            GroupByWithModifier::GroupingSets(expr) => sets = Some(expr),
            GroupByWithModifier::Totals => {}
        }
    }
    if keys.iter().any(|k| matches!(k, Expr::Rollup(lists) | Expr::Cube(lists) if lists.iter().any(Vec::is_empty))) {
        return Err("[UNSUPPORTED_FEATURE] Empty set in ROLLUP/CUBE grouping sets is not supported.".into());
    }
    let had_sets = sets.is_some();
    // Listed columns that no set groups by: grouped by in one more set whose rows are dropped
    // (`HAVING grouping(…) <> 0`), so that they are NULL in every row as in Spark.
    let mut hidden_set = None;
    if let Some(sets) = sets {
        let in_sets: Vec<Expr> = expand(&sets).into_iter().flatten().collect();
        *keys = vec![sets];
        let absent = listed.iter().any(|column| !in_sets.contains(column) && ordinal(column).is_none());
        if absent {
            hidden_set = Some(listed.clone());
        }
    } else if rollup || cube {
        let each: Vec<Vec<Expr>> = keys.drain(..).map(|k| vec![k]).collect();
        keys.push(if cube { Expr::Cube(each) } else { Expr::Rollup(each) });
    }
    spell_out(keys, hidden_set.as_ref());
    let analytics = keys.iter().any(|k| matches!(k, Expr::Rollup(_) | Expr::Cube(_) | Expr::GroupingSets(_)));
    if calls_grouping && !analytics {
        return Err("[UNSUPPORTED_GROUPING_EXPRESSION] grouping()/grouping_id() can only be used with GroupingSets/Cube/Rollup.".into());
    }
    for key in keys.iter_mut() {
        if let Expr::Rollup(sets) | Expr::Cube(sets) | Expr::GroupingSets(sets) = key {
            for expr in sets.iter_mut().flatten() {
                if let Some(item) = ordinal(expr).and_then(|n| items.get(n.checked_sub(1)?).cloned().flatten()) {
                    *expr = item;
                }
            }
        }
    }
    // `grouping_id()` is over every grouping column: those listed, else those of the analytics.
    let mut columns: Vec<Expr> = Vec::new();
    for key in if had_sets && !listed.is_empty() { &listed } else { &*keys } {
        let each: Vec<&Expr> = match key {
            Expr::Rollup(sets) | Expr::Cube(sets) | Expr::GroupingSets(sets) => sets.iter().flatten().collect(),
            other => vec![other],
        };
        for expr in each {
            if !columns.contains(expr) {
                columns.push(expr.clone());
            }
        }
    }
    if let Some(hidden) = hidden_set {
        let kept = Expr::BinaryOp {
            left: Box::new(Expr::Function(super::rules::call("grouping_id", hidden))),
            op: BinaryOperator::NotEq,
            right: Box::new(Expr::value(Value::Number("0".into(), false))),
        };
        select.having = Some(match select.having.take() {
            Some(having) => Expr::BinaryOp {
                left: Box::new(Expr::Nested(Box::new(having))),
                op: BinaryOperator::And,
                right: Box::new(kept),
            },
            None => kept,
        });
    }
    // `grouping__id`, unaliased, keeps its name.
    for item in &mut select.projection {
        if let SelectItem::UnnamedExpr(expr @ Expr::Identifier(_)) = item {
            if is_grouping_id_column(expr) {
                let expr = std::mem::replace(expr, Expr::value(Value::Null));
                *item = SelectItem::ExprWithAlias { expr, alias: Ident::with_quote('`', GROUPING_ID_COLUMN) };
            }
        }
    }
    let _ = visit_expressions_mut(&mut select.projection, |e| fill_grouping_id(e, &columns));
    let _ = visit_expressions_mut(&mut select.having, |e| fill_grouping_id(e, &columns));
    Ok(columns)
}

/// Columns beside analytics, analytics nested in analytics, tuples inside ROLLUP / CUBE: the
/// sets they stand for, as one `GROUPING SETS` (with `hidden`, a set whose rows are dropped).
fn spell_out(keys: &mut Vec<Expr>, hidden: Option<&Vec<Expr>>) {
    let spelled_out = keys.len() > 1 && keys.iter().any(is_analytics)
        || keys.iter().any(|k| is_analytics(k) && nests(k))
        || hidden.is_some();
    if !spelled_out {
        return;
    }
    let mut all: Vec<Vec<Expr>> = vec![Vec::new()];
    for key in keys.iter() {
        let sets = expand(key);
        all =
            all.iter().flat_map(|before| sets.iter().map(move |set| [before.clone(), set.clone()].concat())).collect();
    }
    all.extend(hidden.cloned());
    *keys = vec![Expr::GroupingSets(all)];
}

/// `grouping__id` as a column.
pub(super) fn is_grouping_id_column(expr: &Expr) -> bool {
    matches!(expr, Expr::Identifier(ident) if ident.quote_style.is_none() && ident.value.eq_ignore_ascii_case(GROUPING_ID_COLUMN))
}

fn is_analytics(key: &Expr) -> bool {
    matches!(key, Expr::Rollup(_) | Expr::Cube(_) | Expr::GroupingSets(_)) || analytics_call(key).is_some()
}

/// `rollup(…)`, `cube(…)`, [`NESTED_SETS`]`(…)`: analytics read as a call inside a set.
fn analytics_call(expr: &Expr) -> Option<(String, Vec<Expr>)> {
    let Expr::Function(function) = expr else { return None };
    let name = function.name.to_string().to_lowercase();
    ["rollup", "cube", NESTED_SETS].contains(&name.as_str()).then(|| (name, super::rules::plain_args(function)))
}

/// Whether `key` holds a tuple or further analytics.
fn nests(key: &Expr) -> bool {
    match key {
        Expr::Rollup(lists) | Expr::Cube(lists) => lists.iter().any(|l| l.len() > 1 || l.iter().any(is_analytics)),
        Expr::GroupingSets(sets) => sets.iter().flatten().any(is_analytics),
        _ => false,
    }
}

/// The grouping sets `key` stands for, in Spark's order.
fn expand(key: &Expr) -> Vec<Vec<Expr>> {
    let of_lists = |lists: &[Vec<Expr>], cube: bool| -> Vec<Vec<Expr>> {
        if cube {
            // Spark's cube: each subset with the first element, then each without it.
            lists.iter().rev().fold(vec![Vec::new()], |after, first| {
                let with: Vec<Vec<Expr>> = after.iter().map(|rest| [first.clone(), rest.clone()].concat()).collect();
                with.into_iter().chain(after).collect()
            })
        } else {
            (0..=lists.len()).rev().map(|n| lists[..n].concat()).collect()
        }
    };
    let tuple = |e: &Expr| match e {
        Expr::Tuple(items) => items.clone(),
        Expr::Function(f) if f.name.to_string().eq_ignore_ascii_case(EMPTY_SET) => Vec::new(),
        Expr::Nested(inner) => vec![(**inner).clone()],
        other => vec![other.clone()],
    };
    match key {
        Expr::Rollup(lists) => of_lists(lists, false),
        Expr::Cube(lists) => of_lists(lists, true),
        Expr::GroupingSets(sets) => sets.iter().flat_map(|set| cross(set)).collect(),
        other => match analytics_call(other) {
            Some((name, args)) if name == NESTED_SETS => args.iter().flat_map(|a| cross(&tuple(a))).collect(),
            Some((name, args)) => of_lists(&args.iter().map(tuple).collect::<Vec<_>>(), name == "cube"),
            None => vec![vec![other.clone()]],
        },
    }
}

/// The sets of one set's elements (each possibly analytics), concatenated in every combination.
fn cross(elements: &[Expr]) -> Vec<Vec<Expr>> {
    elements.iter().fold(vec![Vec::new()], |before, element| {
        let sets = expand(element);
        before.iter().flat_map(|b| sets.iter().map(move |s| [b.clone(), s.clone()].concat())).collect()
    })
}

fn fill_grouping_id(expr: &mut Expr, columns: &[Expr]) -> std::ops::ControlFlow<()> {
    if let Expr::Function(f) = expr {
        if f.name.to_string().eq_ignore_ascii_case("grouping_id") && super::rules::plain_args(f).is_empty() {
            *f = super::rules::call("grouping_id", columns.to_vec());
        }
    }
    std::ops::ControlFlow::Continue(())
}

/// `ORDER BY grouping(c)` over a query without grouping analytics: Spark's analyzer refuses it.
pub(super) fn check_order_by(query: &Query) -> Result<(), String> {
    let Some(order_by) = &query.order_by else { return Ok(()) };
    let SetExpr::Select(select) = query.body.as_ref() else { return Ok(()) };
    let analytics = match &select.group_by {
        GroupByExpr::Expressions(keys, modifiers) => {
            !modifiers.is_empty()
                || keys.iter().any(|k| matches!(k, Expr::Rollup(_) | Expr::Cube(_) | Expr::GroupingSets(_)))
        }
        GroupByExpr::All(_) => false,
    };
    if !analytics && calls_grouping(order_by) {
        return Err("[UNSUPPORTED_GROUPING_EXPRESSION] grouping()/grouping_id() can only be used with GroupingSets/Cube/Rollup.".into());
    }
    Ok(())
}

/// Whether `node` calls `grouping()` or `grouping_id()`.
fn calls_grouping<V: Visit>(node: &V) -> bool {
    let mut found = false;
    let _ = visit_expressions(node, |e: &Expr| {
        if let Expr::Function(f) = e {
            found |= ["grouping", "grouping_id"].contains(&f.name.to_string().to_lowercase().as_str());
        }
        std::ops::ControlFlow::<()>::Continue(())
    });
    found
}

fn ordinal(expr: &Expr) -> Option<usize> {
    match expr {
        Expr::Value(v) => match &v.value {
            Value::Number(n, _) => n.parse().ok(),
            _ => None,
        },
        _ => None,
    }
}
