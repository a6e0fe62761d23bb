//! Spark's analyzer rules as rewrites of one expression, for DataFusion to plan it as Spark would:
//! types of literals and casts, Spark's functions behind its operators and special forms, the
//! types of ranking and grouping functions, and the refusals Spark's analyzer makes.

use datafusion::sql::sqlparser::ast::helpers::attached_token::AttachedToken;
use datafusion::sql::sqlparser::ast::{
    AccessExpr, BinaryOperator, CaseWhen, CastKind, CeilFloorKind, DataType as SqlType, DateTimeField, ExactNumberInfo,
    Expr, FunctionArg, FunctionArgExpr, FunctionArguments, Ident, Subscript, TimezoneInfo, UnaryOperator, Value,
    WindowType,
};

/// Rewrite `expr` (its parts are rewritten already); `bare` marks a number that must stay a
/// bare literal. An error is Spark's refusal of the expression.
pub(super) fn rewrite(expr: &mut Expr, bare: bool) -> Result<(), String> {
    if !super::lambdas::rewrite(expr)
        && !rewrite_seconds(expr)
        && !super::call_forms::rewrite(expr)
        && !super::schema_of::rewrite(expr)?
        && !super::templates::rewrite(expr)
        && !rewrite_ceil_floor_scale(expr)
        && !rewrite_special_call(expr)?
        && !rewrite_call(expr)?
    {
        rewrite_value(expr, bare);
    }
    Ok(())
}

/// `ceil(x, scale)` / `floor(x, scale)`: Spark's RoundCeil / RoundFloor (functions/round_scale.rs).
/// The function forms (`ceiling(x, 1)`, `floor(x, 2)` as PySpark writes them) too: the scale
/// stays a bare literal, which the function's type is planned from.
fn rewrite_ceil_floor_scale(expr: &mut Expr) -> bool {
    use super::functions::round_scale::{CEIL_SCALE, FLOOR_SCALE};
    let (name, args) = match &*expr {
        Expr::Ceil { expr: value, field: CeilFloorKind::Scale(scale) } => {
            (CEIL_SCALE, vec![value.as_ref().clone(), Expr::value(scale.clone())])
        }
        Expr::Floor { expr: value, field: CeilFloorKind::Scale(scale) } => {
            (FLOOR_SCALE, vec![value.as_ref().clone(), Expr::value(scale.clone())])
        }
        Expr::Function(function) => {
            let name = match function.name.to_string().to_lowercase().as_str() {
                "ceil" | "ceiling" => CEIL_SCALE,
                "floor" => FLOOR_SCALE,
                _ => return false,
            };
            let Ok([value, scale]) = <[Expr; 2]>::try_from(plain_args(function)) else { return false };
            let Some(scale) = integer_literal(&scale) else { return false };
            (name, vec![value, scale])
        }
        _ => return false,
    };
    *expr = Expr::Function(call(name, args));
    true
}

/// `2`, `-2`, `2::INT` (an int literal as [`rewrite_value`] types it), parenthesized: the bare number.
fn integer_literal(expr: &Expr) -> Option<Expr> {
    match expr {
        Expr::Value(v) if matches!(v.value, Value::Number(..)) => Some(expr.clone()),
        Expr::Nested(inner) | Expr::Cast { kind: CastKind::DoubleColon, expr: inner, .. } => integer_literal(inner),
        Expr::UnaryOp { op: UnaryOperator::Minus, expr: inner } => match integer_literal(inner)? {
            Expr::Value(v) => match v.value {
                Value::Number(n, long) => Some(Expr::value(Value::Number(format!("-{n}"), long))),
                _ => None,
            },
            _ => None,
        },
        _ => None,
    }
}

/// The aggregate a three-argument `max_by` / `min_by` call is.
fn top_k_form(function: &datafusion::sql::sqlparser::ast::Function) -> Option<&'static str> {
    let three = matches!(&function.args, FunctionArguments::List(list) if list.args.len() == 3);
    match function.name.to_string().to_lowercase().as_str() {
        "max_by" if three && function.over.is_none() => Some(super::functions::max_min_by_k::MAX_BY_K),
        "min_by" if three && function.over.is_none() => Some(super::functions::max_min_by_k::MIN_BY_K),
        _ => None,
    }
}

fn counts_distinct_rows(function: &datafusion::sql::sqlparser::ast::Function) -> bool {
    function.name.to_string().eq_ignore_ascii_case("count")
        && function.over.is_none()
        && matches!(&function.args, FunctionArguments::List(list)
            if list.args.len() > 1 && list.duplicate_treatment.is_some_and(|d| d.to_string() == "DISTINCT"))
}

/// `count(DISTINCT a, b)` as `count(DISTINCT CASE WHEN a IS NOT NULL AND … THEN (a, b) END)`.
fn count_distinct_rows(function: &mut datafusion::sql::sqlparser::ast::Function) -> Result<(), String> {
    let args = plain_args(function);
    let present = (1..=args.len()).map(|i| format!("${i} IS NOT NULL")).collect::<Vec<_>>().join(" AND ");
    let fields = (1..=args.len()).map(|i| format!("'c{i}', ${i}")).collect::<Vec<_>>().join(", ");
    let row = super::templates::instantiate(&format!("CASE WHEN {present} THEN named_struct({fields}) END"), &args)
        .ok_or_else(|| "count(DISTINCT …): cannot combine the columns".to_string())?;
    if let FunctionArguments::List(list) = &mut function.args {
        list.args = vec![FunctionArg::Unnamed(FunctionArgExpr::Expr(row))];
    }
    Ok(())
}

/// Spark's functions of other shapes than DataFusion's (and its refusals); true when `expr` was
/// one of them.
fn rewrite_special_call(expr: &mut Expr) -> Result<bool, String> {
    match expr {
        // `x[i]`, `x[i].f`: Spark's 0-based array index (see functions/subscript.rs).
        Expr::CompoundFieldAccess { access_chain, .. }
            if access_chain.iter().any(|a| matches!(a, AccessExpr::Subscript(Subscript::Index { .. }))) =>
        {
            let Expr::CompoundFieldAccess { root, access_chain } = std::mem::replace(expr, Expr::value(Value::Null))
            else {
                return Ok(false);
            };
            let mut accessed = *root;
            for access in access_chain {
                accessed = match access {
                    AccessExpr::Subscript(Subscript::Index { index }) => {
                        Expr::Function(call(super::functions::subscript::SUBSCRIPT, vec![accessed, index]))
                    }
                    AccessExpr::Dot(Expr::Identifier(field)) => Expr::Function(call(
                        "get_field",
                        vec![accessed, Expr::value(Value::SingleQuotedString(field.value))],
                    )),
                    other => Expr::CompoundFieldAccess { root: Box::new(accessed), access_chain: vec![other] },
                };
            }
            *expr = accessed;
            return Ok(true);
        }
        // `count(DISTINCT a, b)`: Spark counts the distinct rows of the columns, none NULL.
        // Spark 4's `max_by(x, y, k)` / `min_by(x, y, k)` (functions/max_min_by_k.rs).
        Expr::Function(function) if top_k_form(function).is_some() => {
            function.name = call(top_k_form(function).unwrap_or_default(), Vec::new()).name;
            return Ok(true);
        }
        Expr::Function(function) if counts_distinct_rows(function) => {
            count_distinct_rows(function)?;
            return Ok(true);
        }
        // Spark's HyperLogLog++ estimates are not reproduced: refused, never a different estimate.
        Expr::Function(function) if function.name.to_string().eq_ignore_ascii_case("approx_count_distinct") => {
            return Err("approx_count_distinct (Spark's HyperLogLog++ estimates) is not supported by glueless: \
                 use count(DISTINCT …) for the exact count"
                .to_string());
        }
        // The unit is a keyword, not a string: Spark's parser refuses `timestampadd('MONTH', …)`.
        Expr::Function(function)
            if matches!(
                function.name.to_string().to_lowercase().as_str(),
                "timestampadd" | "dateadd" | "timestampdiff" | "datediff" | "date_diff"
            ) && matches!(&function.args, FunctionArguments::List(list) if list.args.len() == 3
                && matches!(&list.args[0], FunctionArg::Unnamed(FunctionArgExpr::Expr(Expr::Value(v))) if matches!(v.value, Value::SingleQuotedString(_)))) =>
        {
            return Err(format!(
                "[PARSE_SYNTAX_ERROR] {}: the unit is a keyword (MONTH, DAY, …), not a string",
                function.name.to_string().to_lowercase()
            ));
        }
        // `decode(x, s1, r1, …[, default])`: Spark's CASE with NULL-safe matching.
        Expr::Function(function)
            if function.name.to_string().eq_ignore_ascii_case("decode") && plain_args(function).len() >= 3 =>
        {
            *expr = decode_case(&plain_args(function));
        }
        // `struct(a, t.b, x + 1)`: Spark names a field after its column, else `col<n>`.
        Expr::Function(function)
            if function.over.is_none()
                && function.name.to_string().eq_ignore_ascii_case("struct")
                && !plain_args(function).is_empty() =>
        {
            *expr = named_struct(plain_args(function));
        }
        // The dialect reads `struct(…)` as a struct literal; `struct(x AS n)` names a field.
        Expr::Struct { values, fields } if fields.is_empty() && !values.is_empty() => {
            *expr = named_struct(std::mem::take(values));
        }
        // `left(s, n)` / `right(s, n)`: Spark's are substrings, empty for n <= 0 (DataFusion's count
        // a negative n from the other end).
        Expr::Function(function)
            if ["left", "right"].contains(&function.name.to_string().to_lowercase().as_str())
                && plain_args(function).len() == 2 =>
        {
            *expr = left_or_right(function);
        }
        // `encode(s, 'utf-8')` / `decode(b, 'utf-8')`: text as bytes and back (Spark's charsets).
        Expr::Function(function)
            if ["encode", "decode"].contains(&function.name.to_string().to_lowercase().as_str())
                && plain_args(function).len() == 2
                && matches!(&plain_args(function)[1], Expr::Value(v) if matches!(&v.value, Value::SingleQuotedString(c) if ["utf-8", "utf8", "us-ascii", "iso-8859-1"].contains(&c.to_lowercase().as_str()))) =>
        {
            let to = if function.name.to_string().eq_ignore_ascii_case("encode") {
                SqlType::Bytea
            } else {
                SqlType::String(None)
            };
            let input = plain_args(function)[0].clone();
            *expr = Expr::Cast {
                kind: CastKind::TryCast,
                expr: Box::new(input),
                data_type: to,
                array: false,
                format: None,
            };
        }
        // `dateadd(DAY, 1, t)`, `datediff(HOUR, a, b)`, …: Spark's unit-keyword forms.
        Expr::Function(function) if unit_form(function).is_some() => {
            let (name, unit) = unit_form(function).unwrap_or_default();
            let FunctionArguments::List(list) = &mut function.args else { return Ok(false) };
            if let Some(FunctionArg::Unnamed(FunctionArgExpr::Expr(first))) = list.args.first_mut() {
                *first = Expr::value(Value::SingleQuotedString(unit));
            }
            function.name = datafusion::sql::sqlparser::ast::ObjectName::from(vec![Ident::new(name)]);
        }
        _ => return Ok(false),
    }
    Ok(true)
}

/// Calls and special forms; true when `expr` was one of them.
fn rewrite_call(expr: &mut Expr) -> Result<bool, String> {
    match expr {
        // `a RLIKE p` / `a REGEXP p`: DataFusion plans the function, not the operator.
        Expr::RLike { negated, expr: input, pattern, .. } => {
            let input = std::mem::replace(input.as_mut(), Expr::value(Value::Null));
            let pattern = std::mem::replace(pattern.as_mut(), Expr::value(Value::Null));
            let call = Expr::Function(call("regexp_like", vec![input, pattern]));
            *expr = if *negated { Expr::UnaryOp { op: UnaryOperator::Not, expr: Box::new(call) } } else { call };
        }
        // SUBSTR / SUBSTRING in any form: Spark's substring (a negative start counts from the end).
        Expr::Substring { expr: input, substring_from, substring_for, .. } => {
            let mut args = vec![std::mem::replace(input.as_mut(), Expr::value(Value::Null))];
            args.extend(substring_from.take().map(|e| *e));
            args.extend(substring_for.take().map(|e| *e));
            *expr = Expr::Function(call("substring", args));
        }
        // Spark's grouping(c) is a tinyint; grouping_id(c, …) a bigint bit mask.
        Expr::Function(function)
            if function.over.is_none()
                && ["grouping", "grouping_id"].contains(&function.name.to_string().to_lowercase().as_str()) =>
        {
            let wide = function.name.to_string().eq_ignore_ascii_case("grouping_id");
            function.name = datafusion::sql::sqlparser::ast::ObjectName::from(vec![Ident::new("grouping")]);
            let grouping = std::mem::replace(expr, Expr::value(Value::Null));
            *expr = Expr::Cast {
                kind: CastKind::Cast,
                expr: Box::new(grouping),
                data_type: if wide { SqlType::BigInt(None) } else { SqlType::TinyInt(None) },
                array: false,
                format: None,
            };
        }
        // Spark's ranking functions need an ordered window.
        Expr::Function(function)
            if matches!(&function.over, Some(WindowType::WindowSpec(spec)) if spec.order_by.is_empty())
                && RANKING.contains(&function.name.to_string().to_lowercase().as_str()) =>
        {
            return Err(format!(
                        "[WINDOW_FUNCTION_WITHOUT_ORDER] Window function {}() requires window to be ordered, please add ORDER BY clause.",
                        function.name.to_string().to_lowercase()
                    ));
        }
        // Spark's ranking functions are ints (DataFusion's: unsigned longs), and so are these
        // counts and positions (DataFusion's: longs).
        Expr::Function(function)
            if (function.over.is_some() && RANKING.contains(&function.name.to_string().to_lowercase().as_str()))
                || (function.over.is_none()
                    && INT_RESULTS.contains(&function.name.to_string().to_lowercase().as_str())) =>
        {
            let ranked = std::mem::replace(expr, Expr::value(Value::Null));
            *expr = Expr::Cast {
                kind: CastKind::Cast,
                expr: Box::new(ranked),
                data_type: SqlType::Int(None),
                array: false,
                format: None,
            };
        }
        // `double(x)`, `date(x)`, …: Spark's casts by function name.
        Expr::Function(function)
            if function.over.is_none()
                && cast_function_type(&function.name.to_string().to_lowercase()).is_some()
                && sole_argument(function).is_some() =>
        {
            let data_type = cast_function_type(&function.name.to_string().to_lowercase());
            let argument = sole_argument(function).cloned();
            if let (Some(SqlType::String(_)), Some(argument)) = (&data_type, &argument) {
                *expr = Expr::Function(call(super::functions::string_cast::STRING_CAST, vec![argument.clone()]));
            } else if let (Some(data_type), Some(argument)) = (data_type, argument) {
                *expr = Expr::Cast {
                    kind: CastKind::TryCast,
                    expr: Box::new(argument),
                    data_type,
                    array: false,
                    format: None,
                };
            }
        }
        _ => return Ok(false),
    }
    Ok(true)
}

/// Literals, casts and operators.
fn rewrite_value(expr: &mut Expr, bare: bool) {
    match expr {
        // Spark types an integer literal that fits as `int` (DataFusion: bigint).
        Expr::Value(value) if matches!(&value.value, Value::Number(n, false) if n.parse::<i32>().is_ok()) && !bare => {
            let literal = std::mem::replace(expr, Expr::value(Value::Null));
            *expr = Expr::Cast {
                kind: CastKind::DoubleColon,
                expr: Box::new(literal),
                data_type: SqlType::Int(None),
                array: false,
                format: None,
            };
        }
        // Spark's non-ANSI cast to an integral type (`CAST('1.23' AS INT)` is 1).
        Expr::Cast { kind: CastKind::Cast, data_type, .. } if integral_name(data_type).is_some() => {
            let name = integral_name(data_type).unwrap_or_default();
            let Expr::Cast { expr: input, .. } = std::mem::replace(expr, Expr::value(Value::Null)) else {
                return;
            };
            let type_name = Expr::value(Value::SingleQuotedString(name));
            *expr = Expr::Function(call(super::functions::cast::INTEGRAL_CAST, vec![*input, type_name]));
        }
        // Spark's bytes of an integer (big-endian) or of text (`CAST(x AS BINARY)`).
        Expr::Cast {
            kind: CastKind::Cast | CastKind::TryCast,
            data_type: SqlType::Binary(_) | SqlType::Varbinary(_) | SqlType::Bytea,
            ..
        } => {
            let Expr::Cast { expr: input, .. } = std::mem::replace(expr, Expr::value(Value::Null)) else {
                return;
            };
            *expr = Expr::Function(call(super::functions::binary::BINARY_CAST, vec![*input]));
        }
        // Spark's text of a timestamp or a float (`CAST(x AS STRING)`).
        Expr::Cast {
            kind: CastKind::Cast | CastKind::TryCast | CastKind::DoubleColon,
            data_type: SqlType::String(_) | SqlType::Text | SqlType::Varchar(_),
            ..
        } => {
            let Expr::Cast { expr: input, .. } = std::mem::replace(expr, Expr::value(Value::Null)) else {
                return;
            };
            *expr = Expr::Function(call(super::functions::string_cast::STRING_CAST, vec![*input]));
        }
        Expr::Cast { kind, data_type, .. } => {
            // spark.sql.ansi.enabled=false: a value that does not convert is null, not an error.
            if *kind == CastKind::Cast {
                *kind = CastKind::TryCast;
            }
            spark_semantic_type(data_type);
        }
        Expr::TypedString(typed) => spark_semantic_type(&mut typed.data_type),
        // Spark's `%` by zero is null (ANSI off), not an error.
        Expr::BinaryOp { op: BinaryOperator::Modulo, right, .. } => {
            let divisor = std::mem::replace(right.as_mut(), Expr::value(Value::Null));
            **right = Expr::Function(null_if_zero(divisor));
        }
        // Spark's `/` is fractional division whatever the operands; by zero it is null.
        Expr::BinaryOp { op: BinaryOperator::Divide, left, right } => {
            let left = std::mem::replace(left.as_mut(), Expr::value(Value::Null));
            let right = std::mem::replace(right.as_mut(), Expr::value(Value::Null));
            *expr = Expr::BinaryOp {
                left: Box::new(as_double(left)),
                op: BinaryOperator::Divide,
                right: Box::new(Expr::Function(null_if_zero(as_double(right)))),
            };
        }
        _ => {}
    }
}

/// `timestampadd` / `timestampdiff` (and their other names) called with a unit keyword first:
/// the function's name and the unit.
pub(super) fn unit_form(function: &datafusion::sql::sqlparser::ast::Function) -> Option<(&'static str, String)> {
    let name = function.name.to_string().to_lowercase();
    let target = match name.as_str() {
        "timestampadd" | "dateadd" | "date_add" => "timestampadd",
        "timestampdiff" | "datediff" | "date_diff" => "timestampdiff",
        _ => return None,
    };
    let FunctionArguments::List(list) = &function.args else { return None };
    match list.args.as_slice() {
        [FunctionArg::Unnamed(FunctionArgExpr::Expr(Expr::Identifier(unit))), _, _] if unit.quote_style.is_none() => {
            Some((target, unit.value.to_uppercase()))
        }
        _ => None,
    }
}

/// Spark's `left(s, n)` as `substring(s, 1, n)`; `right(s, n)` as '' for n <= 0, else
/// `substring(s, -n)`.
fn left_or_right(function: &datafusion::sql::sqlparser::ast::Function) -> Expr {
    let args = plain_args(function);
    let (input, n) = (args[0].clone(), args[1].clone());
    // As text (a NULL literal too, which substring does not take untyped).
    let input = Expr::Cast {
        kind: CastKind::TryCast,
        expr: Box::new(input),
        data_type: SqlType::String(None),
        array: false,
        format: None,
    };
    if function.name.to_string().eq_ignore_ascii_case("left") {
        Expr::Function(call("substring", vec![input, Expr::value(Value::Number("1".into(), false)), n]))
    } else {
        let negated = Expr::UnaryOp { op: UnaryOperator::Minus, expr: Box::new(n.clone()) };
        Expr::Case {
            case_token: AttachedToken::empty(),
            end_token: AttachedToken::empty(),
            operand: None,
            conditions: vec![CaseWhen {
                condition: Expr::BinaryOp {
                    left: Box::new(n),
                    op: BinaryOperator::LtEq,
                    right: Box::new(Expr::value(Value::Number("0".into(), false))),
                },
                // The empty string of substring's own type.
                result: Expr::Function(call(
                    "substring",
                    vec![
                        input.clone(),
                        Expr::value(Value::Number("1".into(), false)),
                        Expr::value(Value::Number("0".into(), false)),
                    ],
                )),
            }],
            else_result: Some(Box::new(Expr::Function(call("substring", vec![input, negated])))),
        }
    }
}

/// A call's plain (unnamed) arguments.
/// `EXTRACT(SECOND FROM t)`, `date_part('S', t)`, …: Spark's seconds are a decimal(8,6) with the
/// fraction. True when `expr` was one.
fn rewrite_seconds(expr: &mut Expr) -> bool {
    let time = match expr {
        Expr::Extract { field: DateTimeField::Second, expr: inner, .. } => {
            std::mem::replace(inner.as_mut(), Expr::value(Value::Null))
        }
        Expr::Function(function)
            if ["date_part", "datepart", "extract"].contains(&function.name.to_string().to_lowercase().as_str())
                && plain_args(function).len() == 2
                && matches!(&plain_args(function)[0], Expr::Value(v) if matches!(&v.value, Value::SingleQuotedString(unit) if SECOND_UNITS.contains(&unit.to_uppercase().as_str()))) =>
        {
            plain_args(function)[1].clone()
        }
        _ => return false,
    };
    *expr = Expr::Function(call("spark_seconds", vec![time]));
    true
}

/// The units Spark's date_part reads as the seconds with their fraction.
const SECOND_UNITS: &[&str] = &["S", "SEC", "SECS", "SECOND", "SECONDS"];

/// Spark's `decode(x, s1, r1, …[, default])` as a CASE matching NULL-safely.
fn decode_case(args: &[Expr]) -> Expr {
    let (subject, rest) = (args[0].clone(), &args[1..]);
    let conditions = rest
        .chunks(2)
        .filter(|pair| pair.len() == 2)
        .map(|pair| CaseWhen {
            condition: Expr::IsNotDistinctFrom(Box::new(subject.clone()), Box::new(pair[0].clone())),
            result: pair[1].clone(),
        })
        .collect();
    let otherwise = (rest.len() % 2 == 1).then(|| Box::new(rest[rest.len() - 1].clone()));
    Expr::Case {
        case_token: AttachedToken::empty(),
        end_token: AttachedToken::empty(),
        operand: None,
        conditions,
        else_result: otherwise,
    }
}

/// Spark's `struct(…)` as `named_struct`: a field is named after its column, else `col<n>`.
fn named_struct(args: Vec<Expr>) -> Expr {
    let fields = args
        .into_iter()
        .enumerate()
        .flat_map(|(i, arg)| {
            let (name, arg) = match arg {
                Expr::Named { expr, name } => (name.value, *expr),
                Expr::Identifier(ident) => (ident.value.clone(), Expr::Identifier(ident)),
                Expr::CompoundIdentifier(parts) => {
                    (parts.last().map(|p| p.value.clone()).unwrap_or_default(), Expr::CompoundIdentifier(parts))
                }
                other => (format!("col{}", i + 1), other),
            };
            [Expr::value(Value::SingleQuotedString(name)), arg]
        })
        .collect();
    Expr::Function(call("named_struct", fields))
}

pub(super) fn plain_args(function: &datafusion::sql::sqlparser::ast::Function) -> Vec<Expr> {
    match &function.args {
        FunctionArguments::List(list) => list
            .args
            .iter()
            .filter_map(|a| match a {
                FunctionArg::Unnamed(FunctionArgExpr::Expr(e)) => Some(e.clone()),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// Functions whose result Spark types as int where DataFusion's is a long.
const INT_RESULTS: [&str; 2] = ["regexp_count", "regexp_instr"];

/// Spark's ranking window functions (ints, over an ordered window).
const RANKING: [&str; 4] = ["row_number", "rank", "dense_rank", "ntile"];

pub(super) fn address(expr: &Expr) -> usize {
    std::ptr::from_ref(expr) as usize
}

/// Spark's own names of integer types (`CAST(x AS long)`, `.cast("long")`) as the SQL types
/// they are.
pub(super) fn spark_type_names(data_type: &mut SqlType) {
    // Spark's DECIMAL (DEC, NUMERIC) without a precision is DECIMAL(10,0).
    if let SqlType::Decimal(info) | SqlType::Dec(info) | SqlType::Numeric(info) = data_type {
        let info = match info {
            ExactNumberInfo::None => ExactNumberInfo::PrecisionAndScale(10, 0),
            ExactNumberInfo::Precision(precision) => ExactNumberInfo::PrecisionAndScale(*precision, 0),
            other @ ExactNumberInfo::PrecisionAndScale(..) => *other,
        };
        *data_type = SqlType::Decimal(info);
        return;
    }
    let SqlType::Custom(name, modifiers) = data_type else { return };
    if !modifiers.is_empty() {
        return;
    }
    // The parser leaves only the names SQL lacks as custom types: the vocabulary knows them.
    *data_type = match crate::core::types::simple_named(&name.to_string()).map(crate::core::types::SimpleType::arrow) {
        Some(arrow_schema::DataType::Int64) => SqlType::BigInt(None),
        Some(arrow_schema::DataType::Int16) => SqlType::SmallInt(None),
        Some(arrow_schema::DataType::Int8) => SqlType::TinyInt(None),
        _ => return,
    };
}

/// Spark's meaning of a SQL type where DataFusion's differs: `TIMESTAMP` is an instant (shown in
/// the session's zone), `TIMESTAMP_NTZ` a wall-clock time, `BINARY` bytes.
fn spark_semantic_type(data_type: &mut SqlType) {
    spark_type_names(data_type);
    let replacement = match data_type {
        SqlType::Timestamp(precision, TimezoneInfo::None) => SqlType::Timestamp(*precision, TimezoneInfo::WithTimeZone),
        SqlType::Binary(_) | SqlType::Varbinary(_) => SqlType::Bytea,
        SqlType::TimestampNtz(precision) => SqlType::Timestamp(*precision, TimezoneInfo::None),
        SqlType::Custom(name, modifiers) if modifiers.is_empty() => match name.to_string().to_lowercase().as_str() {
            "timestamp_ntz" => SqlType::Timestamp(None, TimezoneInfo::None),
            "timestamp_ltz" => SqlType::Timestamp(None, TimezoneInfo::WithTimeZone),
            _ => return,
        },
        _ => return,
    };
    *data_type = replacement;
}

/// Spark's name of an integral SQL type (Spark's own spellings included), from the vocabulary.
fn integral_name(data_type: &SqlType) -> Option<String> {
    let mut data_type = data_type.clone();
    spark_type_names(&mut data_type);
    let arrow = match data_type {
        SqlType::TinyInt(_) => arrow_schema::DataType::Int8,
        SqlType::SmallInt(_) => arrow_schema::DataType::Int16,
        SqlType::Int(_) | SqlType::Integer(_) => arrow_schema::DataType::Int32,
        SqlType::BigInt(_) => arrow_schema::DataType::Int64,
        _ => return None,
    };
    crate::core::types::type_name(&arrow, crate::core::types::Dialect::Spark).ok()
}

/// The type a function-style cast names (`int(x)`, `double(x)`, `decimal(x)`, `date(x)`, …): a
/// type's Spark name, or a number type's other name (`long`, `short`, `real`), by the vocabulary.
pub(super) fn cast_function_type(name: &str) -> Option<SqlType> {
    use arrow_schema::DataType;
    use datafusion::sql::sqlparser::ast::ExactNumberInfo;
    if name == crate::core::types::DECIMAL_NAMES[0] {
        return Some(SqlType::Decimal(ExactNumberInfo::PrecisionAndScale(10, 0)));
    }
    let simple = crate::core::types::simple_named(name)?;
    if !(simple.spark == name || (simple.numeric && simple.aliases.contains(&name))) {
        return None;
    }
    Some(match simple.arrow() {
        DataType::Int32 => SqlType::Int(None),
        DataType::Int64 => SqlType::BigInt(None),
        DataType::Int16 => SqlType::SmallInt(None),
        DataType::Int8 => SqlType::TinyInt(None),
        DataType::Float32 => SqlType::Float(ExactNumberInfo::None),
        DataType::Float64 => SqlType::Double(ExactNumberInfo::None),
        DataType::Utf8 => SqlType::String(None),
        DataType::Boolean => SqlType::Boolean,
        DataType::Date32 => SqlType::Date,
        DataType::Timestamp(_, Some(_)) => SqlType::Timestamp(None, TimezoneInfo::WithTimeZone),
        DataType::Binary => SqlType::Bytea,
        _ => return None,
    })
}

/// The one argument of a call, if it has exactly one plain argument.
pub(super) fn sole_argument(function: &datafusion::sql::sqlparser::ast::Function) -> Option<&Expr> {
    match &function.args {
        FunctionArguments::List(list) if list.args.len() == 1 && list.duplicate_treatment.is_none() => {
            match &list.args[0] {
                FunctionArg::Unnamed(FunctionArgExpr::Expr(e)) => Some(e),
                _ => None,
            }
        }
        _ => None,
    }
}

fn as_double(expr: Expr) -> Expr {
    Expr::Cast {
        kind: CastKind::TryCast,
        expr: Box::new(Expr::Nested(Box::new(expr))),
        data_type: SqlType::Double(datafusion::sql::sqlparser::ast::ExactNumberInfo::None),
        array: false,
        format: None,
    }
}

fn null_if_zero(expr: Expr) -> datafusion::sql::sqlparser::ast::Function {
    call("nullif", vec![expr, Expr::value(Value::Number("0".into(), false))])
}

/// A call of the function `name` on `args`.
pub(super) fn call(name: &str, args: Vec<Expr>) -> datafusion::sql::sqlparser::ast::Function {
    use datafusion::sql::sqlparser::ast::{Function, FunctionArgumentList, ObjectName};
    Function {
        name: ObjectName::from(vec![Ident::new(name)]),
        uses_odbc_syntax: false,
        parameters: FunctionArguments::None,
        args: FunctionArguments::List(FunctionArgumentList {
            duplicate_treatment: None,
            args: args.into_iter().map(|a| FunctionArg::Unnamed(FunctionArgExpr::Expr(a))).collect(),
            clauses: vec![],
        }),
        filter: None,
        null_treatment: None,
        over: None,
        within_group: vec![],
    }
}
