//! Spark's call forms of what DataFusion spells as SQL clauses: the `ignoreNulls` argument of
//! `first_value` / `last_value` / `nth_value` (and the window forms of `first` / `last` /
//! `any_value`) is DataFusion's `IGNORE NULLS`; `LIKE p ESCAPE 'c'` is the same pattern escaped
//! by a backslash (`spark_like_pattern`), the only escape DataFusion's LIKE knows; `assert_true(c)`
//! is given Spark's message; `arrays_zip` its field names (`__named_zip`).

use datafusion::sql::sqlparser::ast::{Expr, FunctionArguments, NullTreatment, Value, ValueWithSpan};

/// The functions whose last argument may be Spark's `ignoreNulls`, with their arity without it.
const IGNORE_NULLS: &[(&str, usize)] =
    &[("first_value", 1), ("last_value", 1), ("nth_value", 2), ("first", 1), ("last", 1), ("any_value", 1)];

/// Rewrite a Spark call form; true when `expr` was one.
pub(super) fn rewrite(expr: &mut Expr) -> bool {
    if let Expr::Like { pattern, escape_char, .. } | Expr::ILike { pattern, escape_char, .. } = expr {
        let Some(escape) = escape_char.take() else { return false };
        if matches!(&escape.value, Value::SingleQuotedString(c) if c == "\\") {
            return true;
        }
        let written = std::mem::replace(pattern.as_mut(), Expr::value(Value::Null));
        **pattern = Expr::Function(super::rules::call("spark_like_pattern", vec![written, Expr::Value(escape)]));
        return true;
    }
    let Expr::Function(function) = expr else { return false };
    let name = function.name.to_string().to_lowercase();
    let args = super::rules::plain_args(function);
    if name == "arrays_zip" && !args.is_empty() && function.over.is_none() {
        // Spark names the zipped fields after the arrays' columns, else their positions.
        let names = args.iter().enumerate().map(|(i, a)| {
            let named = match a {
                Expr::Identifier(id) => id.value.clone(),
                Expr::CompoundIdentifier(parts) => parts.last().map(|p| p.value.clone()).unwrap_or_default(),
                _ => i.to_string(),
            };
            Expr::value(Value::SingleQuotedString(named))
        });
        let zipped = Expr::Function(super::rules::call("arrays_zip", args.clone()));
        *function = super::rules::call("__named_zip", std::iter::once(zipped).chain(names).collect());
        return true;
    }
    if name == "assert_true" && args.len() == 1 && function.over.is_none() {
        // Spark's message names the condition.
        let message = format!("'{}' is not true!", args[0]);
        *function =
            super::rules::call("assert_true", vec![args[0].clone(), Expr::value(Value::SingleQuotedString(message))]);
        return true;
    }
    if let Some((_, arity)) = IGNORE_NULLS.iter().find(|(n, a)| *n == name && args.len() == a + 1) {
        // Templates rewrite the aggregate forms of `first` / `last` / `any_value`; the window
        // forms (and every form of the `*_value` functions) come here.
        if function.over.is_none() && !name.ends_with("_value") {
            return false;
        }
        let Some(ignore) = boolean(&args[*arity]) else { return false };
        if let FunctionArguments::List(list) = &mut function.args {
            list.args.truncate(*arity);
        }
        if ignore {
            function.null_treatment = Some(NullTreatment::IgnoreNulls);
        }
        if name == "first" || name == "last" || name == "any_value" {
            let spelled = if name == "last" { "last_value" } else { "first_value" };
            function.name =
                datafusion::sql::sqlparser::ast::ObjectName::from(vec![datafusion::sql::sqlparser::ast::Ident::new(
                    spelled,
                )]);
        }
        return true;
    }
    false
}

fn boolean(expr: &Expr) -> Option<bool> {
    match expr {
        Expr::Value(ValueWithSpan { value: Value::Boolean(b), .. }) => Some(*b),
        Expr::Nested(inner) => boolean(inner),
        _ => None,
    }
}
