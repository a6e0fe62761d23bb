//! The names Spark gives unaliased expressions (its "pretty SQL"): `count(1)`, `(a + 1)`,
//! `CASE WHEN (c = b) THEN 1 END`, `-1`, `row_number() OVER (… ROWS BETWEEN …)`. After `fromDF`
//! they are a Glue script's field names, so they are data.

use std::fmt::Write as _;
use std::ops::ControlFlow;

use chrono::NaiveDate;
use datafusion::sql::sqlparser::ast::{
    AccessExpr, BinaryOperator, CaseWhen, CastKind, CeilFloorKind, DateTimeField, Expr, Function, FunctionArg,
    FunctionArgExpr, FunctionArguments, Query, Subscript, TableFactor, TypedString, UnaryOperator, Value, Visit,
    Visitor, WindowSpec, WindowType,
};

use super::literals;
use super::rules::{cast_function_type, sole_argument, spark_type_names, unit_form};
use super::spark::Rewriter;
use crate::core::text::datetime::{parse_date, parse_timestamp, SessionZone};

/// The name Spark gives an unaliased expression (its "pretty SQL"): functions in lower case with
/// their arguments, `count(*)` as `count(1)`, strings without quotes, operators in parentheses.
pub(super) fn spark_name(expr: &Expr, rewriter: &Rewriter) -> String {
    match expr {
        Expr::Identifier(ident) => rewriter.written(ident),
        Expr::CompoundIdentifier(parts) => parts.last().map(|p| rewriter.written(p)).unwrap_or_default(),
        Expr::Value(value) => match &value.value {
            Value::SingleQuotedString(s) | Value::DoubleQuotedString(s) => s.clone(),
            Value::Null => "NULL".to_string(),
            Value::Boolean(b) => b.to_string(),
            // Spark prints an integer literal's value (`07` is `7`).
            Value::Number(n, _) if n.parse::<i64>().is_ok() => n.parse::<i64>().unwrap_or_default().to_string(),
            // A decimal as Spark prints it: `.5` is `0.5`, `-0.0` is `0.0`.
            Value::Number(n, _) if n.bytes().all(|b| b.is_ascii_digit() || b == b'.' || b == b'-') => decimal_text(n),
            Value::HexStringLiteral(hex) => format!("X'{}'", hex.to_ascii_uppercase()),
            other => other.to_string(),
        },
        Expr::Nested(inner) => spark_name(inner, rewriter),
        // Spark names a lambda `lambdafunction(body, params…)`.
        Expr::Lambda(lambda) => {
            let params: Vec<String> = lambda.params.iter().map(|p| p.name.value.clone()).collect();
            format!("lambdafunction({}, {})", spark_name(&lambda.body, rewriter), params.join(", "))
        }
        Expr::Ceil { expr: inner, field } | Expr::Floor { expr: inner, field }
            if matches!(field, CeilFloorKind::DateTimeField(DateTimeField::NoDateTime) | CeilFloorKind::Scale(_)) =>
        {
            ceil_floor_name(matches!(expr, Expr::Ceil { .. }), &spark_name(inner, rewriter), field)
        }
        Expr::BinaryOp { left, op, right } => {
            let (left, right) = (spark_name(left, rewriter), spark_name(right, rewriter));
            match op {
                BinaryOperator::Eq => format!("({left} = {right})"),
                BinaryOperator::NotEq => format!("(NOT ({left} = {right}))"),
                BinaryOperator::StringConcat => format!("concat({left}, {right})"),
                other => format!("({left} {other} {right})"),
            }
        }
        // Spark folds a negated number into the literal: `-1`, `-1.0E10`.
        Expr::UnaryOp { op: UnaryOperator::Minus, expr: inner } if literal_text(inner, rewriter).is_some() => {
            let text = literal_text(inner, rewriter).unwrap_or_default();
            format!("-{text}")
        }
        Expr::UnaryOp { op, expr } => format!("({op} {})", spark_name(expr, rewriter)),
        Expr::Case { operand, conditions, else_result, .. } => {
            case_name(operand.as_deref(), conditions, else_result.as_deref(), rewriter)
        }
        Expr::RLike { negated, expr, pattern, .. } => {
            let call = format!("RLIKE({}, {})", spark_name(expr, rewriter), spark_name(pattern, rewriter));
            if *negated {
                format!("(NOT {call})")
            } else {
                call
            }
        }
        Expr::Substring { expr, substring_from, substring_for, shorthand, special } => {
            let mut args = vec![spark_name(expr, rewriter)];
            args.extend(substring_from.iter().map(|e| spark_name(e, rewriter)));
            match substring_for {
                Some(length) => args.push(spark_name(length, rewriter)),
                // Spark names the default length.
                None => args.push(i32::MAX.to_string()),
            }
            // `substr(s FROM p)` is named as `substring`, as Spark parses that form.
            format!("{}({})", if *shorthand && *special { "substr" } else { "substring" }, args.join(", "))
        }
        Expr::Trim { trim_where, trim_what, expr, .. } => {
            let side = trim_where.as_ref().map_or_else(|| "BOTH".to_string(), ToString::to_string);
            match trim_what {
                Some(what) => {
                    format!("TRIM({side} {} FROM {})", spark_name(what, rewriter), spark_name(expr, rewriter))
                }
                None => format!("trim({})", spark_name(expr, rewriter)),
            }
        }
        Expr::IsNull(inner) => format!("({} IS NULL)", spark_name(inner, rewriter)),
        Expr::IsNotNull(inner) => format!("({} IS NOT NULL)", spark_name(inner, rewriter)),
        // `'NaN'::DOUBLE` (how a Python NaN or infinity is written) is named by its value.
        Expr::Cast { kind: CastKind::DoubleColon, expr: inner, .. } if matches!(inner.as_ref(), Expr::Value(v) if matches!(&v.value, Value::SingleQuotedString(t) if ["NaN", "Infinity", "-Infinity"].contains(&t.as_str()))) => {
            spark_name(inner, rewriter)
        }
        // `-0.1::DOUBLE` (a negative typed literal) is named `-0.1`.
        Expr::Cast { kind: CastKind::DoubleColon, expr: inner, data_type, .. } if matches!(inner.as_ref(), Expr::UnaryOp { op: UnaryOperator::Minus, expr } if number(expr).is_some()) =>
        {
            let Expr::UnaryOp { expr: number_expr, .. } = inner.as_ref() else { return String::new() };
            format!("-{}", literals::literal_name(number(number_expr).unwrap_or_default(), &data_type.to_string()))
        }
        // A typed literal (`1Y`, `1.5D`, see [`literals`]) is named by its value.
        Expr::Cast { kind: CastKind::DoubleColon, expr: literal, data_type, .. } if number(literal).is_some() => {
            literals::literal_name(number(literal).unwrap_or_default(), &data_type.to_string())
        }
        Expr::Cast { expr, data_type, .. } => {
            let mut data_type = data_type.clone();
            spark_type_names(&mut data_type);
            format!("CAST({} AS {})", spark_name(expr, rewriter), data_type.to_string().to_uppercase())
        }
        // A cast by function name is named by its argument (Spark does not mark it user-written).
        Expr::Function(function)
            if function.over.is_none()
                && cast_function_type(&function.name.to_string().to_lowercase()).is_some()
                && sole_argument(function).is_some() =>
        {
            sole_argument(function).map(|e| spark_name(e, rewriter)).unwrap_or_default()
        }
        Expr::Function(function) => function_name(function, rewriter),
        Expr::Struct { values, .. } => {
            format!("struct({})", values.iter().map(|v| spark_name(v, rewriter)).collect::<Vec<_>>().join(", "))
        }
        // `l[0]`, `m[key]`, `a[0].f`.
        Expr::CompoundFieldAccess { root, access_chain } => access_name(root, access_chain, rewriter),
        other => literal_or_subquery_name(other, rewriter),
    }
}

/// Typed literals by their value; subqueries by the outer columns they use (`scalarsubquery(c1)`,
/// `(x IN (listquery()))`); anything else as sqlparser writes it.
fn literal_or_subquery_name(expr: &Expr, rewriter: &Rewriter) -> String {
    match expr {
        Expr::TypedString(typed) => typed_literal_name(typed, rewriter).unwrap_or_else(|| expr.to_string()),
        Expr::Subquery(query) => format!("scalarsubquery({})", outer_references(query).join(", ")),
        Expr::InSubquery { expr: value, subquery, negated } => {
            let test =
                format!("({} IN (listquery({})))", spark_name(value, rewriter), outer_references(subquery).join(", "));
            if *negated {
                format!("(NOT {test})")
            } else {
                test
            }
        }
        other => other.to_string(),
    }
}

/// A decimal literal's text as Spark prints its value: a digit before the point, no sign on zero.
fn decimal_text(text: &str) -> String {
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let digits = if digits.starts_with('.') { format!("0{digits}") } else { digits.to_string() };
    let zero = digits.bytes().all(|b| b == b'0' || b == b'.');
    if negative && !zero {
        format!("-{digits}")
    } else {
        digits
    }
}

/// `TIMESTAMP '2020-12-01 14:30:08Z'` is named by its value as Spark prints it: the time in the
/// session's zone, the fraction without trailing zeros (`TIMESTAMP '2020-12-01 06:30:08'`); a
/// `DATE` or `TIMESTAMP_NTZ` by its value too.
fn typed_literal_name(typed: &TypedString, rewriter: &Rewriter) -> Option<String> {
    let text = match &typed.value.value {
        Value::SingleQuotedString(s) | Value::DoubleQuotedString(s) => s.as_str(),
        _ => return None,
    };
    let kind = typed.data_type.to_string().to_ascii_uppercase();
    let (keyword, zone) = match kind.as_str() {
        "DATE" => {
            let days = parse_date(text)?;
            let date = NaiveDate::from_ymd_opt(1970, 1, 1)?.checked_add_signed(chrono::Duration::days(days.into()))?;
            return Some(format!("DATE '{}'", date.format("%Y-%m-%d")));
        }
        "TIMESTAMP" => ("TIMESTAMP", rewriter.zone),
        "TIMESTAMP_NTZ" => ("TIMESTAMP_NTZ", SessionZone::utc()),
        _ => return None,
    };
    let local = zone.local(parse_timestamp(text, zone)?)?;
    let written = local.format("%Y-%m-%d %H:%M:%S%.6f").to_string();
    Some(format!("{keyword} '{}'", written.trim_end_matches('0').trim_end_matches('.')))
}

/// The columns a subquery takes from outside it, as far as its text tells: those qualified by a
/// relation it does not name itself (`t1.c1` in `(SELECT max(c2) FROM t2 WHERE c1 = t1.c1)`).
fn outer_references(query: &Query) -> Vec<String> {
    #[derive(Default)]
    struct References {
        inner: Vec<String>,
        qualified: Vec<(String, String)>,
    }
    impl Visitor for References {
        type Break = ();
        fn pre_visit_query(&mut self, query: &Query) -> ControlFlow<()> {
            if let Some(with) = &query.with {
                self.inner.extend(with.cte_tables.iter().map(|cte| cte.alias.name.value.to_lowercase()));
            }
            ControlFlow::Continue(())
        }
        fn pre_visit_table_factor(&mut self, factor: &TableFactor) -> ControlFlow<()> {
            match factor {
                TableFactor::Table { alias: Some(alias), .. } | TableFactor::Derived { alias: Some(alias), .. } => {
                    self.inner.push(alias.name.value.to_lowercase());
                }
                TableFactor::Table { name, .. } => {
                    if let Some(last) = name.0.last().and_then(|p| p.as_ident()) {
                        self.inner.push(last.value.to_lowercase());
                    }
                }
                _ => {}
            }
            ControlFlow::Continue(())
        }
        fn pre_visit_expr(&mut self, expr: &Expr) -> ControlFlow<()> {
            if let Expr::CompoundIdentifier(parts) = expr {
                if let [relation, column] = parts.as_slice() {
                    self.qualified.push((relation.value.to_lowercase(), column.value.clone()));
                }
            }
            ControlFlow::Continue(())
        }
    }
    let mut references = References::default();
    let _ = query.visit(&mut references);
    let mut outer: Vec<String> = Vec::new();
    for (relation, column) in references.qualified {
        if !references.inner.contains(&relation) && !outer.contains(&column) {
            outer.push(column);
        }
    }
    outer
}

/// sqlparser reads CEIL / FLOOR as their own forms: `CEIL(x)`; with a scale they are Spark's
/// RoundCeil / RoundFloor, named in lower case (`ceil(x, 1)`).
fn ceil_floor_name(ceiling: bool, inner: &str, kind: &CeilFloorKind) -> String {
    let name = if ceiling { "ceil" } else { "floor" };
    match kind {
        CeilFloorKind::Scale(scale) => format!("{name}({inner}, {scale})"),
        CeilFloorKind::DateTimeField(_) => format!("{}({inner})", name.to_uppercase()),
    }
}

/// `l[0]`, `m[key]`, `a[0].f`: the container's name and each access.
fn access_name(root: &Expr, access_chain: &[AccessExpr], rewriter: &Rewriter) -> String {
    let mut name = spark_name(root, rewriter);
    for access in access_chain {
        match access {
            AccessExpr::Subscript(Subscript::Index { index }) => {
                let _ = write!(name, "[{}]", spark_name(index, rewriter));
            }
            AccessExpr::Dot(field) => {
                let _ = write!(name, ".{}", spark_name(field, rewriter));
            }
            AccessExpr::Subscript(other) => {
                let _ = write!(name, "[{other}]");
            }
        }
    }
    name
}

/// `name(args)` as Spark names a call, with its window if it has one.
fn function_name(function: &Function, rewriter: &Rewriter) -> String {
    let name = match unit_form(function) {
        Some((canonical, _)) => canonical.to_string(),
        None => function.name.to_string().to_lowercase(),
    };
    let distinct = matches!(
        &function.args,
        FunctionArguments::List(list) if list.duplicate_treatment.is_some_and(|d| d.to_string() == "DISTINCT")
    );
    let mut args: Vec<String> = match &function.args {
        FunctionArguments::List(list) => list
            .args
            .iter()
            .map(|arg| match arg {
                FunctionArg::Unnamed(FunctionArgExpr::Expr(e)) => spark_name(e, rewriter),
                // count(*) is count(1) in Spark.
                FunctionArg::Unnamed(FunctionArgExpr::Wildcard) if name == "count" => "1".to_string(),
                other => other.to_string(),
            })
            .collect(),
        FunctionArguments::None => Vec::new(),
        FunctionArguments::Subquery(q) => vec![q.to_string()],
    };
    // Spark names from_json / from_csv by their input alone (the schema and options are in the
    // type), schema_of_json / schema_of_csv without their options.
    if ["from_json", "from_csv", "schema_of_json", "schema_of_csv"].contains(&name.as_str()) {
        args.truncate(1);
    }
    // Spark's make_*interval constructors fill the parts left out with zeros, and name them:
    // seconds (the last part of those with days) are `decimal(18,6)`, so `0.000000`.
    if let Some((_, parts)) = ZERO_FILLED.iter().find(|(f, _)| *f == name) {
        let given = args.len();
        args.resize(given.max(*parts), "0".to_string());
        if given < *parts && name != "make_ym_interval" {
            args[*parts - 1] = "0.000000".to_string();
        }
    }
    if name == "str_to_map" {
        let defaults = [",", ":"];
        let given = args.len().saturating_sub(1).min(2);
        args.extend(defaults[given..].iter().map(ToString::to_string));
    }
    // The pad lpad/rpad name by default: a space, or a zero byte for bytes.
    if (name == "lpad" || name == "rpad") && args.len() == 2 {
        let bytes = args[0].starts_with("unhex(") || args[0].starts_with("X'");
        args.push(if bytes { "X'00'" } else { " " }.to_string());
    }
    // Spark names an omitted argument by its default.
    if let Some((_, _, default)) = DEFAULTS.iter().find(|(f, n, _)| *f == name && *n == args.len()) {
        args.push((*default).to_string());
    }
    if let Some((_, required, defaults)) = TRAILING_DEFAULTS.iter().find(|(f, ..)| name.starts_with(f)) {
        let given = args.len().saturating_sub(*required).min(defaults.len());
        args.extend(defaults[given..].iter().map(ToString::to_string));
    }
    // Spark names these by the expression they are (`create_map` is `map`, `positive` is `+`).
    match (name.as_str(), args.as_slice()) {
        ("positive", [x]) => return format!("(+ {x})"),
        ("bitwise_not", [x]) => return format!("~{x}"),
        ("sum_distinct", [x]) => return format!("sum(DISTINCT {x})"),
        // Spark 3.5 names these by the expression they are replaced with.
        ("map_contains_key", [m, k]) => return format!("array_contains(map_keys({m}), {k})"),
        // The flag of first / last / any_value is not in Spark's name.
        ("first" | "last" | "any_value" | "first_value" | "last_value", [x, _]) => return format!("{name}({x})"),
        ("nth_value", [x, n, _]) => return format!("{name}({x}, {n})"),
        // Spark 4 names mode's deterministic form as the ordered-set aggregate it is.
        ("mode", [x, flag]) if flag == "false" => return format!("mode({x})"),
        ("mode", [x, flag]) if flag == "true" => return format!("mode() WITHIN GROUP (ORDER BY {x} DESC)"),
        // Spark 4: listagg names its default delimiter, and
        // try_make_timestamp leaves its zone out.
        ("listagg", [x]) => return format!("listagg({x}, NULL)"),
        // assert_true's default message names the condition.
        ("assert_true", [condition]) => {
            return format!("assert_true({condition}, '{condition}' is not true!)");
        }
        ("try_make_timestamp", [parts @ .., _zone]) if parts.len() == 6 => {
            return format!("{name}({})", parts.join(", "));
        }
        _ => {}
    }
    let name = match name.as_str() {
        "create_map" => "map".to_string(),
        super::lambdas::EXISTS_FUNCTION => "exists".to_string(),
        "current_database" => "current_schema".to_string(),
        "regexp_like" | "spark_partition_id" => name.to_uppercase(),
        _ => name,
    };
    let prefix = if distinct { "DISTINCT " } else { "" };
    // Spark names these two by their operator spelling.
    let name = match name.as_str() {
        "rlike" | "regexp" => name.to_uppercase(),
        "ceil" | "floor" if args.len() == 1 => name.to_uppercase(),
        n if UPPER_CASE_NAMES.contains(&n) => name.to_uppercase(),
        // A generator's output column.
        "explode" | "explode_outer" => return "col".to_string(),
        _ => name,
    };
    let over = match &function.over {
        Some(WindowType::WindowSpec(spec)) => format!(" OVER ({})", window_name(&name, spec, rewriter)),
        _ => String::new(),
    };
    format!("{name}({prefix}{}){over}", args.join(", "))
}

/// Spark's math functions that name their result in upper case (`ACOS(x)`) when called by this
/// name; by an alias (`pow`, `sign`, `ln`) they keep the alias as written.
const UPPER_CASE_NAMES: [&str; 31] = [
    "acos", "asin", "atan", "atan2", "cbrt", "cos", "cosh", "acosh", "asinh", "atanh", "cot", "csc", "sec", "degrees",
    "radians", "exp", "expm1", "log", "log10", "log1p", "log2", "power", "hypot", "signum", "sin", "sinh", "sqrt",
    "tan", "tanh", "e", "pi",
];

/// Interval constructors and their number of parts (those left out are zero in Spark's name).
const ZERO_FILLED: [(&str, usize); 4] =
    [("make_interval", 7), ("try_make_interval", 7), ("make_dt_interval", 4), ("make_ym_interval", 2)];

/// Functions whose omitted last argument Spark names: (function, arguments given, default).
const DEFAULTS: [(&str, usize, &str); 20] = [
    ("vector_norm", 1, "2.0"),
    ("vector_normalize", 1, "2.0"),
    ("hll_sketch_agg", 1, "12"),
    ("hll_union_agg", 1, "false"),
    ("hll_union", 2, "false"),
    ("theta_sketch_agg", 1, "12"),
    ("theta_union_agg", 1, "12"),
    ("theta_union", 2, "12"),
    ("hmac", 2, "SHA-256"),
    ("position", 2, "1"),
    ("regexp_replace", 3, "1"),
    ("from_unixtime", 1, "yyyy-MM-dd HH:mm:ss"),
    ("unix_timestamp", 1, "yyyy-MM-dd HH:mm:ss"),
    ("to_unix_timestamp", 1, "yyyy-MM-dd HH:mm:ss"),
    ("split", 2, "-1"),
    ("bround", 1, "0"),
    ("round", 1, "0"),
    ("regexp_extract", 2, "1"),
    ("regexp_extract_all", 2, "1"),
    ("regexp_instr", 2, "0"),
];

/// Function families whose omitted trailing arguments Spark names, by name prefix: (prefix,
/// arguments always given, the defaults of the rest in order).
const TRAILING_DEFAULTS: [(&str, usize, &[&str]); 8] = [
    ("tuple_sketch_agg_", 2, &["12", "sum"]),
    ("tuple_union_agg_", 1, &["12", "sum"]),
    ("tuple_intersection_agg_", 1, &["sum"]),
    ("tuple_sketch_summary_", 1, &["sum"]),
    ("tuple_union_theta_", 2, &["12", "sum"]),
    ("tuple_intersection_theta_", 2, &["sum"]),
    // After the longer prefixes above, which these two also begin.
    ("tuple_union_", 2, &["12", "sum"]),
    ("tuple_intersection_", 2, &["sum"]),
];

/// `CASE WHEN (c = b) THEN 1 ELSE 0 END`: a simple CASE is named as the searched one it means.
fn case_name(operand: Option<&Expr>, conditions: &[CaseWhen], otherwise: Option<&Expr>, rewriter: &Rewriter) -> String {
    let mut text = String::from("CASE");
    for when in conditions {
        let condition = match operand {
            Some(operand) => format!("({} = {})", spark_name(operand, rewriter), spark_name(&when.condition, rewriter)),
            None => spark_name(&when.condition, rewriter),
        };
        let _ = write!(text, " WHEN {condition} THEN {}", spark_name(&when.result, rewriter));
    }
    if let Some(otherwise) = otherwise {
        let _ = write!(text, " ELSE {}", spark_name(otherwise, rewriter));
    }
    text + " END"
}

/// A window as Spark names it: `PARTITION BY k ORDER BY v ASC NULLS FIRST` and the frame, the
/// default one spelled out.
fn window_name(function: &str, spec: &WindowSpec, rewriter: &Rewriter) -> String {
    let mut parts = Vec::new();
    if !spec.partition_by.is_empty() {
        let keys: Vec<String> = spec.partition_by.iter().map(|e| spark_name(e, rewriter)).collect();
        parts.push(format!("PARTITION BY {}", keys.join(", ")));
    }
    if !spec.order_by.is_empty() {
        let keys: Vec<String> = spec
            .order_by
            .iter()
            .map(|o| {
                let ascending = o.options.asc.unwrap_or(true);
                let nulls_first = o.options.nulls_first.unwrap_or(ascending);
                format!(
                    "{} {} NULLS {}",
                    spark_name(&o.expr, rewriter),
                    if ascending { "ASC" } else { "DESC" },
                    if nulls_first { "FIRST" } else { "LAST" }
                )
            })
            .collect();
        parts.push(format!("ORDER BY {}", keys.join(", ")));
    }
    let ranking = ["row_number", "rank", "dense_rank", "percent_rank", "cume_dist", "ntile"].contains(&function);
    parts.push(match &spec.window_frame {
        Some(frame) => {
            let end = frame.end_bound.as_ref().map_or_else(|| "CURRENT ROW".to_string(), ToString::to_string);
            format!("{} BETWEEN {} AND {end}", frame.units, frame.start_bound).to_uppercase()
        }
        None if ranking => "ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW".to_string(),
        None if spec.order_by.is_empty() => "ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING".to_string(),
        None => "RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW".to_string(),
    });
    parts.join(" ")
}

/// The name of a literal number (typed or not) as Spark prints it.
fn literal_text(expr: &Expr, rewriter: &Rewriter) -> Option<String> {
    match expr {
        Expr::Value(_) if number(expr).is_some() => Some(spark_name(expr, rewriter)),
        Expr::Cast { kind: CastKind::DoubleColon, expr: inner, .. } if number(inner).is_some() => {
            Some(spark_name(expr, rewriter))
        }
        _ => None,
    }
}

/// The text of a number literal.
fn number(expr: &Expr) -> Option<&str> {
    match expr {
        Expr::Value(v) => match &v.value {
            Value::Number(n, _) => Some(n),
            _ => None,
        },
        _ => None,
    }
}
