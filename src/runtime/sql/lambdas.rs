//! Spark's higher-order functions (`transform(xs, x -> x * 2)`, `filter`, `exists`, `forall`,
//! `aggregate` / `reduce`, `zip_with`, `array_sort` with a comparator, `map_filter`,
//! `transform_keys`, `transform_values`, `map_zip_with`): DataFusion has no lambdas, so a call
//! becomes `spark_higher_order(kind, n, params₁, body₁, …, data arguments…, captured columns…)`,
//! which [`super::functions::higher_order`] evaluates: `n` lambdas, each as its parameters' names
//! and its body as SQL (already rewritten to Spark's rules, as every part of a call is before the
//! call); a
//! column the body reads from the row is passed as an argument and read as `__captured<n>`.

use std::ops::ControlFlow;

use datafusion::sql::sqlparser::ast::{
    Expr, FunctionArg, FunctionArgExpr, FunctionArguments, Ident, LambdaFunction, Value, VisitMut, VisitorMut,
};
use datafusion::sql::sqlparser::tokenizer::{Token, TokenWithSpan};

/// The higher-order functions, each with its number of data arguments before the lambdas.
pub(crate) const HIGHER_ORDER: &[(&str, usize)] = &[
    ("transform", 1),
    ("filter", 1),
    ("exists", 1),
    ("forall", 1),
    ("aggregate", 2),
    ("reduce", 2),
    ("zip_with", 2),
    ("array_sort", 1),
    ("map_filter", 1),
    ("transform_keys", 1),
    ("transform_values", 1),
    ("map_zip_with", 2),
];

/// How `exists(xs, x -> …)` is spelled once [`exists_as_function`] has told it from the
/// `EXISTS (subquery)` predicate sqlparser would read.
pub(crate) const EXISTS_FUNCTION: &str = "__exists";

/// The name the evaluating function is registered under.
pub(crate) const HIGHER_ORDER_FUNCTION: &str = "spark_higher_order";

/// The name a captured column has inside a lambda's body.
pub(crate) fn captured_name(index: usize) -> String {
    format!("__captured{index}")
}

/// Rewrite a higher-order call with lambdas; true when `expr` was one.
pub(super) fn rewrite(expr: &mut Expr) -> bool {
    let Expr::Function(function) = expr else { return false };
    let mut name = function.name.to_string().to_lowercase();
    if name == EXISTS_FUNCTION {
        name = "exists".to_string();
    }
    if function.over.is_some() || !HIGHER_ORDER.iter().any(|(n, _)| *n == name) {
        return false;
    }
    let FunctionArguments::List(list) = &function.args else { return false };
    let args: Vec<Expr> = list
        .args
        .iter()
        .filter_map(|a| match a {
            FunctionArg::Unnamed(FunctionArgExpr::Expr(e)) => Some(e.clone()),
            _ => None,
        })
        .collect();
    if !args.iter().any(|a| matches!(a, Expr::Lambda(_))) {
        return false;
    }
    let (data, lambdas): (Vec<Expr>, Vec<Expr>) = args.into_iter().partition(|a| !matches!(a, Expr::Lambda(_)));
    let mut captured = Captured::default();
    let count = lambdas.len();
    let mut spec = Vec::new();
    for lambda in lambdas {
        let Expr::Lambda(LambdaFunction { params, mut body, .. }) = lambda else { continue };
        let names: Vec<String> = params.iter().map(|p| p.name.value.to_lowercase()).collect();
        captured.params.clone_from(&names);
        let _ = body.visit(&mut captured);
        spec.push(Expr::value(Value::SingleQuotedString(names.join(","))));
        spec.push(Expr::value(Value::SingleQuotedString(body.to_string())));
    }
    let mut call_args =
        vec![Expr::value(Value::SingleQuotedString(name)), Expr::value(Value::Number(count.to_string(), false))];
    call_args.extend(spec);
    call_args.extend(data);
    call_args.extend(captured.columns);
    *expr = Expr::Function(super::rules::call(HIGHER_ORDER_FUNCTION, call_args));
    true
}

/// `EXISTS (` not followed by a query is Spark's `exists` function: renamed so that sqlparser
/// reads a call.
pub(super) fn exists_as_function(tokens: &mut [TokenWithSpan]) {
    let significant: Vec<usize> =
        (0..tokens.len()).filter(|i| !matches!(tokens[*i].token, Token::Whitespace(_))).collect();
    for pair in significant.windows(3) {
        let [word, paren, next] = [pair[0], pair[1], pair[2]];
        let is_exists = matches!(&tokens[word].token, Token::Word(w) if w.value.eq_ignore_ascii_case("exists"));
        let query = matches!(&tokens[next].token, Token::Word(w) if w.quote_style.is_none() && ["SELECT", "WITH", "VALUES", "FROM", "TABLE"].iter().any(|k| w.value.eq_ignore_ascii_case(k)))
            || tokens[next].token == Token::LParen;
        if is_exists && tokens[paren].token == Token::LParen && !query {
            tokens[word].token = Token::make_word(EXISTS_FUNCTION, None);
        }
    }
}

/// Replaces the columns a lambda's body reads from the row by `__captured<n>`, keeping them.
#[derive(Default)]
struct Captured {
    params: Vec<String>,
    columns: Vec<Expr>,
}

impl Captured {
    fn capture(&mut self, column: Expr) -> Expr {
        let index = if let Some(index) = self.columns.iter().position(|c| *c == column) {
            index
        } else {
            self.columns.push(column);
            self.columns.len() - 1
        };
        Expr::Identifier(Ident::new(captured_name(index)))
    }
}

impl VisitorMut for Captured {
    type Break = ();

    fn post_visit_expr(&mut self, expr: &mut Expr) -> ControlFlow<()> {
        match expr {
            Expr::Identifier(ident)
                if !self.params.contains(&ident.value.to_lowercase()) && !ident.value.starts_with("__captured") =>
            {
                *expr = self.capture(expr.clone());
            }
            // `x.field` of a lambda's parameter stays; `t.c` is a column of the row.
            Expr::CompoundIdentifier(parts)
                if !parts.first().is_some_and(|p| self.params.contains(&p.value.to_lowercase())) =>
            {
                *expr = self.capture(expr.clone());
            }
            _ => {}
        }
        ControlFlow::Continue(())
    }
}
