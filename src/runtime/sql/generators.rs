//! Spark's generators of several columns in a select list, as DataFusion's `unnest` of each
//! column (DataFusion unnests the lists of one select side by side, padding the shorter with
//! NULL): `posexplode(xs)` gives `pos` and `col`, `stack(n, a, b, …)` gives `col0`, `col1`, … over
//! `n` rows; the `_outer` forms keep a row of NULLs for an empty or NULL array. A map's entries
//! (`key`, `value`) come from the DataFrame API's `__explode_map` / `__posexplode_map` forms,
//! which it writes where it knows the column is a map; an array of structs' fields (`inline`)
//! from its `__inline(xs, 'a', 'b', …)` form, which names the fields (one column each, the
//! field's values unnested side by side). `__generator_as(g, 'a', 'b')` is the generator `g` with
//! its columns named `a`, `b` (the DataFrame API's `alias("a", "b")`). `json_tuple(j, 'k', …)`
//! is one column per key (`c0`, …), each as `get_json_object` reads it.

use std::ops::ControlFlow;

use datafusion::sql::sqlparser::ast::{Expr, Ident, Select, SelectItem, Value, VisitMut, VisitorMut};

/// The generators of a select list (Spark runs several as nested lateral views, a product of
/// their rows; DataFusion would zip them, so glueless takes one per select).
const GENERATORS: &[&str] = &[
    "explode",
    "explode_outer",
    "posexplode",
    "posexplode_outer",
    "stack",
    "inline",
    "inline_outer",
    "__explode_map",
    "__explode_map_outer",
    "__posexplode_map",
    "__posexplode_map_outer",
    "__inline",
    "__inline_outer",
    "__generator_as",
    "json_tuple",
];

/// Expand every generator of several columns in `statement`'s select lists.
///
/// # Errors
/// The refusal of a select with more than one generator.
pub(super) fn expand(statement: &mut datafusion::sql::sqlparser::ast::Statement) -> Result<(), String> {
    let mut generators = Generators { refusal: None };
    let _ = statement.visit(&mut generators);
    generators.refusal.map_or(Ok(()), Err)
}

struct Generators {
    refusal: Option<String>,
}

impl VisitorMut for Generators {
    type Break = ();

    fn pre_visit_select(&mut self, select: &mut Select) -> ControlFlow<()> {
        let generators = select
            .projection
            .iter()
            .filter(|item| {
                let (SelectItem::UnnamedExpr(Expr::Function(f))
                | SelectItem::ExprWithAlias { expr: Expr::Function(f), .. }) = item
                else {
                    return false;
                };
                GENERATORS.contains(&f.name.to_string().to_lowercase().as_str())
            })
            .count();
        if generators > 1 {
            self.refusal = Some(format!(
                "a select list with {generators} generators (explode, posexplode, stack, …) is not supported by glueless: \
                 Spark runs them as a product of their rows; use one generator per select"
            ));
            return ControlFlow::Break(());
        }
        let items = std::mem::take(&mut select.projection);
        for item in items {
            match &item {
                SelectItem::UnnamedExpr(Expr::Function(function)) => match columns(function) {
                    Some(columns) => select.projection.extend(columns),
                    None => select.projection.push(item),
                },
                _ => select.projection.push(item),
            }
        }
        ControlFlow::Continue(())
    }
}

/// A list's elements, or a row of one NULL when it is empty or NULL (the `_outer` forms).
const OUTER: &str = "CASE WHEN cardinality($1) > 0 THEN $1 ELSE make_array(NULL) END";
const POSITIONS: &str = "generate_series(0, CAST(cardinality($1) AS BIGINT) - 1)";

/// The values of one field of each struct of a list (functions/struct_lists.rs).
const LIST_FIELD: &str = "__list_field";

/// The output columns of a generator call, or None when `function` is not one.
fn columns(function: &datafusion::sql::sqlparser::ast::Function) -> Option<Vec<SelectItem>> {
    let name = function.name.to_string().to_lowercase();
    let args = super::rules::plain_args(function);
    let outer = name.ends_with("_outer");
    let over = |list: &str| if outer { OUTER.replace("$1", list) } else { list.to_string() };
    let column = |name: &str, sql: String| {
        let expr = super::templates::instantiate(&sql, &args)?;
        Some(SelectItem::ExprWithAlias { expr, alias: Ident::with_quote('`', name) })
    };
    let position = || column("pos", format!("CAST(unnest({}) AS INT)", over(POSITIONS)));
    if name == "__generator_as" {
        let Some(Expr::Function(generator)) = args.first() else { return None };
        let single = SelectItem::ExprWithAlias { expr: Expr::Function(generator.clone()), alias: Ident::new("col") };
        let mut generated = columns(generator).unwrap_or_else(|| vec![single]);
        let names: Vec<String> = args[1..]
            .iter()
            .filter_map(|a| match a {
                Expr::Value(v) => match &v.value {
                    Value::SingleQuotedString(n) => Some(n.clone()),
                    _ => None,
                },
                _ => None,
            })
            .collect();
        if names.len() != generated.len() {
            return None;
        }
        for (item, name) in generated.iter_mut().zip(names) {
            if let SelectItem::ExprWithAlias { alias, .. } = item {
                *alias = Ident::with_quote('`', name);
            }
        }
        return Some(generated);
    }
    match (name.trim_end_matches("_outer"), args.len()) {
        ("posexplode", 1) => Some(vec![position()?, column("col", format!("unnest({})", over("$1")))?]),
        ("__explode_map", 1) => Some(vec![
            column("key", format!("unnest({})", over("map_keys($1)")))?,
            column("value", format!("unnest({})", over("map_values($1)")))?,
        ]),
        ("__posexplode_map", 1) => Some(vec![
            column("pos", format!("CAST(unnest({}) AS INT)", over(&POSITIONS.replace("$1", "map_keys($1)"))))?,
            column("key", format!("unnest({})", over("map_keys($1)")))?,
            column("value", format!("unnest({})", over("map_values($1)")))?,
        ]),
        ("stack", n) if n >= 2 => stack(&args),
        // One row per row: each key's value (as get_json_object reads `$['key']`), `c0`, `c1`, ….
        ("json_tuple", n) if n >= 2 => args[1..]
            .iter()
            .enumerate()
            .map(|(i, key)| {
                let Expr::Value(v) = key else { return None };
                let Value::SingleQuotedString(key) = &v.value else { return None };
                column(&format!("c{i}"), format!("get_json_object($1, '$[''{}'']')", key.replace('\'', "''")))
            })
            .collect(),
        ("__inline", n) if n >= 2 => args[1..]
            .iter()
            .map(|field| {
                let Expr::Value(v) = field else { return None };
                let Value::SingleQuotedString(field) = &v.value else { return None };
                let values = format!("{LIST_FIELD}($1, '{}')", field.replace('\'', "''"));
                column(field, format!("unnest({})", over(&values)))
            })
            .collect(),
        _ => None,
    }
}

/// `stack(n, v…)`: `n` rows of `ceil(len(v) / n)` columns, filled row by row, NULL at the end.
fn stack(args: &[Expr]) -> Option<Vec<SelectItem>> {
    let Expr::Value(value) = &args[0] else { return None };
    let Value::Number(rows, _) = &value.value else { return None };
    let rows: usize = rows.parse().ok().filter(|r| *r > 0)?;
    let values = &args[1..];
    let width = values.len().div_ceil(rows);
    Some(
        (0..width)
            .map(|j| {
                let cells: Vec<Expr> = (0..rows)
                    .map(|i| values.get(i * width + j).cloned().unwrap_or_else(|| Expr::value(Value::Null)))
                    .collect();
                let list = Expr::Function(super::rules::call("make_array", cells));
                SelectItem::ExprWithAlias {
                    expr: Expr::Function(super::rules::call("unnest", vec![list])),
                    alias: Ident::with_quote('`', format!("col{j}")),
                }
            })
            .collect(),
    )
}
