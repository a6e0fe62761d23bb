//! Spark's forms of grouping analytics, as DataFusion reads them: `GROUP BY a, b WITH ROLLUP`
//! (and `WITH CUBE`) is `GROUP BY ROLLUP(a, b)`; `GROUP BY a, b GROUPING SETS ((a), (b))` groups
//! by the sets alone (the list before them only names the columns); an ordinal inside `ROLLUP`,
//! `CUBE` or `GROUPING SETS` is the select item it counts to, as at the top of `GROUP BY`.

use datafusion::sql::sqlparser::ast::{
    visit_expressions, visit_expressions_mut, Expr, GroupByExpr, GroupByWithModifier, Query, Select, SelectItem,
    SetExpr, Value, Visit,
};

/// Rewrite `select`'s GROUP BY from Spark's forms; an error when it calls `grouping()` without
/// grouping analytics, as Spark's analyzer refuses it.
pub(super) fn spark_grouping(select: &mut Select) -> Result<(), String> {
    let items: Vec<Option<Expr>> = select
        .projection
        .iter()
        .map(|item| match item {
            SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. } => Some(e.clone()),
            _ => None,
        })
        .collect();
    let calls_grouping = calls_grouping(&select.projection) || calls_grouping(&select.having);
    let GroupByExpr::Expressions(keys, modifiers) = &mut select.group_by else { return Ok(()) };
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
    let had_sets = sets.is_some();
    if let Some(sets) = sets {
        *keys = vec![sets];
    } else if rollup || cube {
        let each: Vec<Vec<Expr>> = keys.drain(..).map(|k| vec![k]).collect();
        keys.push(if cube { Expr::Cube(each) } else { Expr::Rollup(each) });
    }
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
    let _ = visit_expressions_mut(&mut select.projection, |e| fill_grouping_id(e, &columns));
    let _ = visit_expressions_mut(&mut select.having, |e| fill_grouping_id(e, &columns));
    Ok(())
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
