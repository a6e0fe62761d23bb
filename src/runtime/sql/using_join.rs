//! The key columns of a `RIGHT` or `FULL OUTER JOIN … USING (k)` as Spark gives them: an
//! unqualified `k` is the right side's key (RIGHT) or the first non-null of the two (FULL), and
//! `*` lists the keys so, then the left side's other columns, then the right side's. DataFusion
//! takes the left side's key, which is NULL on the rows only the right side has.

use datafusion::sql::sqlparser::ast::{
    visit_expressions_mut, Expr, FunctionArg, FunctionArgExpr, FunctionArgumentList, FunctionArguments, Ident,
    JoinConstraint, JoinOperator, ObjectName, ObjectNamePart, Select, SelectItem, SelectItemQualifiedWildcardKind,
    TableFactor, WildcardAdditionalOptions,
};

/// Rewrite `select` when its FROM starts with such a join.
pub(super) fn spark_using_keys(select: &mut Select) {
    let [from] = select.from.as_slice() else { return };
    let Some(join) = from.joins.first() else { return };
    let (full, keys) = match &join.join_operator {
        JoinOperator::RightOuter(JoinConstraint::Using(keys)) | JoinOperator::Right(JoinConstraint::Using(keys)) => {
            (false, keys)
        }
        JoinOperator::FullOuter(JoinConstraint::Using(keys)) => (true, keys),
        _ => return,
    };
    let (Some(left), Some(right)) = (relation_name(&from.relation), relation_name(&join.relation)) else { return };
    let keys: Vec<String> =
        keys.iter().filter_map(|k| k.0.last().and_then(ObjectNamePart::as_ident)).map(|i| i.value.clone()).collect();
    let key_of = |name: &str| -> Option<Expr> {
        let key = keys.iter().find(|k| k.eq_ignore_ascii_case(name))?;
        let side = |relation: &Ident| Expr::CompoundIdentifier(vec![relation.clone(), Ident::new(key.clone())]);
        Some(if full { coalesce(side(&left), side(&right)) } else { side(&right) })
    };
    let mut projection = Vec::with_capacity(select.projection.len());
    for item in std::mem::take(&mut select.projection) {
        match item {
            SelectItem::Wildcard(options) if is_plain(&options) => {
                for key in &keys {
                    if let Some(expr) = key_of(key) {
                        projection.push(SelectItem::ExprWithAlias { expr, alias: Ident::new(key.clone()) });
                    }
                }
                let except: Vec<Ident> = keys.iter().map(|k| Ident::new(k.clone())).collect();
                for side in [&left, &right] {
                    projection.push(SelectItem::QualifiedWildcard(
                        SelectItemQualifiedWildcardKind::ObjectName(ObjectName::from(vec![side.clone()])),
                        WildcardAdditionalOptions {
                            opt_except: Some(datafusion::sql::sqlparser::ast::ExceptSelectItem {
                                first_element: except[0].clone(),
                                additional_elements: except[1..].to_vec(),
                            }),
                            ..Default::default()
                        },
                    ));
                }
            }
            SelectItem::UnnamedExpr(Expr::Identifier(ident)) if key_of(&ident.value).is_some() => {
                let expr = key_of(&ident.value).unwrap_or(Expr::Identifier(ident.clone()));
                projection.push(SelectItem::ExprWithAlias { expr, alias: ident });
            }
            other => projection.push(other),
        }
    }
    select.projection = projection;
    let _ = visit_expressions_mut(&mut select.projection, |e| replace_key(e, &key_of));
    if let Some(selection) = &mut select.selection {
        let _ = visit_expressions_mut(selection, |e| replace_key(e, &key_of));
    }
}

fn replace_key(expr: &mut Expr, key_of: &dyn Fn(&str) -> Option<Expr>) -> std::ops::ControlFlow<()> {
    if let Expr::Identifier(ident) = expr {
        if let Some(key) = key_of(&ident.value) {
            *expr = key;
        }
    }
    std::ops::ControlFlow::Continue(())
}

fn is_plain(options: &WildcardAdditionalOptions) -> bool {
    options.opt_except.is_none() && options.opt_exclude.is_none() && options.opt_rename.is_none()
}

fn relation_name(relation: &TableFactor) -> Option<Ident> {
    match relation {
        TableFactor::Table { alias: Some(alias), .. } | TableFactor::Derived { alias: Some(alias), .. } => {
            Some(alias.name.clone())
        }
        TableFactor::Table { name, alias: None, .. } => name.0.last().and_then(ObjectNamePart::as_ident).cloned(),
        _ => None,
    }
}

fn coalesce(left: Expr, right: Expr) -> Expr {
    Expr::Function(datafusion::sql::sqlparser::ast::Function {
        name: ObjectName::from(vec![Ident::new("coalesce")]),
        uses_odbc_syntax: false,
        parameters: FunctionArguments::None,
        args: FunctionArguments::List(FunctionArgumentList {
            duplicate_treatment: None,
            args: vec![
                FunctionArg::Unnamed(FunctionArgExpr::Expr(left)),
                FunctionArg::Unnamed(FunctionArgExpr::Expr(right)),
            ],
            clauses: vec![],
        }),
        filter: None,
        null_treatment: None,
        over: None,
        within_group: vec![],
    })
}
