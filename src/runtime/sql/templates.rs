//! Spark functions that are other SQL over DataFusion's functions, written as templates: `$1`,
//! `$2` … are the call's arguments, `$all` all of them. Spark names the call by its own name
//! ([`super::names`] runs before this rewrite), so only the value comes from the template.

use std::collections::HashMap;
use std::ops::ControlFlow;
use std::sync::OnceLock;

use datafusion::sql::sqlparser::ast::{
    Expr, FunctionArg, FunctionArgExpr, FunctionArguments, Value, VisitMut, VisitorMut,
};
use datafusion::sql::sqlparser::dialect::GenericDialect;
use datafusion::sql::sqlparser::parser::Parser;

/// (Spark's function, its number of arguments or `None` for any, the SQL it is).
const TEMPLATES: &[(&str, Option<usize>, &str)] = &[
    ("ucase", Some(1), "upper($1)"),
    ("lcase", Some(1), "lower($1)"),
    ("year", Some(1), "CAST(date_part('year', TRY_CAST($1 AS DATE)) AS INT)"),
    ("quarter", Some(1), "CAST(date_part('quarter', TRY_CAST($1 AS DATE)) AS INT)"),
    ("month", Some(1), "CAST(date_part('month', TRY_CAST($1 AS DATE)) AS INT)"),
    ("day", Some(1), "CAST(date_part('day', TRY_CAST($1 AS DATE)) AS INT)"),
    ("dayofmonth", Some(1), "CAST(date_part('day', TRY_CAST($1 AS DATE)) AS INT)"),
    // date_part is Spark's here (datafusion-spark): its `dow` is 1 for Sunday, as dayofweek;
    // weekday is 0 for Monday.
    ("dayofweek", Some(1), "CAST(date_part('dow', TRY_CAST($1 AS DATE)) AS INT)"),
    ("weekday", Some(1), "(CAST(date_part('dow', TRY_CAST($1 AS DATE)) AS INT) + 5) % 7"),
    ("dayofyear", Some(1), "CAST(date_part('doy', TRY_CAST($1 AS DATE)) AS INT)"),
    ("weekofyear", Some(1), "CAST(date_part('week', TRY_CAST($1 AS DATE)) AS INT)"),
    ("sign", Some(1), "signum($1)"),
    ("array_agg", Some(1), "collect_list($1)"),
    ("map", Some(0), "map(make_array(), make_array())"),
    ("array_append", Some(2), "CASE WHEN $1 IS NULL THEN NULL ELSE array_append($1, $2) END"),
    // Spark's: true for a common element, else NULL when either (non-empty) array has a NULL.
    (
        "arrays_overlap",
        Some(2),
        "CASE WHEN $1 IS NULL OR $2 IS NULL THEN NULL \
         WHEN array_has_any(array_compact($1), array_compact($2)) THEN true \
         WHEN cardinality($1) > 0 AND cardinality($2) > 0 \
         AND (cardinality(array_compact($1)) < cardinality($1) OR cardinality(array_compact($2)) < cardinality($2)) \
         THEN NULL ELSE false END",
    ),
    ("positive", Some(1), "$1"),
    ("std", Some(1), "stddev_samp($1)"),
    ("variance", Some(1), "var_samp($1)"),
    ("e", Some(0), "exp(CAST(1 AS DOUBLE))"),
    ("equal_null", Some(2), "($1 IS NOT DISTINCT FROM $2)"),
    ("nullifzero", Some(1), "nullif($1, 0)"),
    ("zeroifnull", Some(1), "coalesce($1, 0)"),
    ("count_if", Some(1), "count(CASE WHEN $1 THEN 1 END)"),
    ("array_size", Some(1), "CAST(cardinality($1) AS INT)"),
    ("create_map", None, "make_map($all)"),
    ("map_contains_key", Some(2), "array_has(map_keys($1), $2)"),
    ("sort_array", Some(1), "array_sort($1, 'ASC', 'NULLS FIRST')"),
    (
        "sort_array",
        Some(2),
        "CASE WHEN $2 THEN array_sort($1, 'ASC', 'NULLS FIRST') ELSE array_sort($1, 'DESC', 'NULLS LAST') END",
    ),
    ("locate", Some(2), "CAST(strpos($2, $1) AS INT)"),
    (
        "locate",
        Some(3),
        "CASE WHEN $3 < 1 THEN 0 WHEN strpos(substr($2, $3), $1) = 0 THEN 0 \
         ELSE CAST(strpos(substr($2, $3), $1) + $3 - 1 AS INT) END",
    ),
    ("explode", Some(1), "unnest($1)"),
    ("max_by", Some(2), "first_value($1 ORDER BY $2 DESC NULLS LAST)"),
    ("min_by", Some(2), "first_value($1 ORDER BY $2 ASC NULLS LAST)"),
    ("datediff", Some(2), "CAST(TRY_CAST($1 AS DATE) AS INT) - CAST(TRY_CAST($2 AS DATE) AS INT)"),
    ("date_diff", Some(2), "CAST(TRY_CAST($1 AS DATE) AS INT) - CAST(TRY_CAST($2 AS DATE) AS INT)"),
    // Spark casts factorial's argument to int.
    ("factorial", Some(1), "factorial(TRY_CAST($1 AS INT))"),
    ("sum_distinct", Some(1), "sum(DISTINCT $1)"),
    ("try_avg", Some(1), "avg($1)"),
    ("try_to_timestamp", Some(1), "to_timestamp($1)"),
    ("try_to_timestamp", Some(2), "to_timestamp($1, $2)"),
    // Spark's get: a 0-based index, NULL outside the array.
    ("get", Some(2), "CASE WHEN $2 < 0 THEN NULL ELSE array_element($1, $2 + 1) END"),
    ("levenshtein", Some(3), "CASE WHEN levenshtein($1, $2) > $3 THEN -1 ELSE levenshtein($1, $2) END"),
    ("position", Some(2), "CAST(strpos($2, $1) AS INT)"),
    (
        "position",
        Some(3),
        "CASE WHEN $3 < 1 THEN 0 WHEN strpos(substr($2, $3), $1) = 0 THEN 0 \
         ELSE CAST(strpos(substr($2, $3), $1) + $3 - 1 AS INT) END",
    ),
    // glueless runs a query as one Spark partition: ids are 0, 1, 2, … in the rows' order.
    ("monotonically_increasing_id", Some(0), "(CAST(row_number() OVER () AS BIGINT) - 1)"),
    // Spark's seeded sequences (functions/random.rs), drawn by the row's position.
    ("rand", Some(1), "spark_rand(CAST($1 AS BIGINT), CAST(row_number() OVER () AS BIGINT) - 1)"),
    ("random", Some(1), "spark_rand(CAST($1 AS BIGINT), CAST(row_number() OVER () AS BIGINT) - 1)"),
    ("randn", Some(1), "spark_randn(CAST($1 AS BIGINT), CAST(row_number() OVER () AS BIGINT) - 1)"),
    ("randn", Some(0), "spark_randn(CAST(NULL AS BIGINT), CAST(row_number() OVER () AS BIGINT) - 1)"),
    ("spark_partition_id", Some(0), "0"),
    // Spark's logarithms are NULL at and below their asymptote (DataFusion's -Infinity / NaN);
    // its log of one argument is the natural one (DataFusion's is base 10), its log2 ln(x)/ln(2).
    ("log", Some(1), "CASE WHEN $1 <= 0 THEN NULL ELSE ln($1) END"),
    ("ln", Some(1), "CASE WHEN $1 <= 0 THEN NULL ELSE ln($1) END"),
    ("log10", Some(1), "CASE WHEN $1 <= 0 THEN NULL ELSE log10($1) END"),
    ("log2", Some(1), "CASE WHEN $1 <= 0 THEN NULL ELSE ln($1) / ln(CAST(2 AS DOUBLE)) END"),
    ("log", Some(2), "CASE WHEN $1 <= 0 OR $2 <= 0 THEN NULL ELSE ln($2) / ln($1) END"),
    // Spark's sqrt of a negative number is NaN (DataFusion's an error); degrees is Java's
    // `toDegrees`, one multiplication.
    ("sqrt", Some(1), "CASE WHEN $1 < 0 THEN CAST('NaN' AS DOUBLE) ELSE sqrt($1) END"),
    ("degrees", Some(1), "CAST($1 AS DOUBLE) * CAST(57.29577951308232 AS DOUBLE)"),
    ("log1p", Some(1), "ln(1 + $1)"),
    ("sequence", Some(2), "generate_series($1, $2)"),
    ("sequence", Some(3), "generate_series($1, $2, $3)"),
    ("first", Some(1), "first_value($1)"),
    ("last", Some(1), "last_value($1)"),
    ("first", Some(2), "CASE WHEN $2 THEN first_value($1) IGNORE NULLS ELSE first_value($1) END"),
    ("last", Some(2), "CASE WHEN $2 THEN last_value($1) IGNORE NULLS ELSE last_value($1) END"),
    ("any_value", Some(1), "first_value($1)"),
    ("any_value", Some(2), "CASE WHEN $2 THEN first_value($1) IGNORE NULLS ELSE first_value($1) END"),
    // Spark replaces every match; its regexp_instr is the position of the whole match.
    ("regexp_replace", Some(3), "regexp_replace($1, $2, $3, 'g')"),
    // From a 1-based position: the text before it is kept as it is.
    (
        "regexp_replace",
        Some(4),
        "CASE WHEN $4 < 1 THEN raise_error('[INVALID_PARAMETER_VALUE.REGEX_POSITION] regexp_replace: the position must be positive') \
         ELSE substring($1, 1, $4 - 1) || regexp_replace(substring($1, $4), $2, $3, 'g') END",
    ),
    ("regexp_instr", Some(3), "regexp_instr($1, $2)"),
    // Spark sorts NULLs last in array_sort; sort_array puts them first.
    ("array_sort", Some(1), "array_sort($1, 'ASC', 'NULLS LAST')"),
    ("array_remove", Some(2), "array_remove_all($1, $2)"),
    (
        "array_position",
        Some(2),
        "CASE WHEN $1 IS NULL OR $2 IS NULL THEN NULL ELSE coalesce(CAST(array_position($1, $2) AS BIGINT), 0) END",
    ),
    ("overlay", Some(4), "CASE WHEN $4 < 0 THEN overlay($1, $2, $3) ELSE overlay($1, $2, $3, $4) END"),
    ("try_element_at", Some(2), "element_at($1, $2)"),
    ("try_to_date", Some(1), "to_date($1)"),
    ("try_to_date", Some(2), "to_date($1, $2)"),
    ("try_mod", Some(2), "$1 % nullif($2, 0)"),
    ("to_timestamp_ltz", Some(1), "to_timestamp($1)"),
    ("to_timestamp_ltz", Some(2), "to_timestamp($1, $2)"),
    ("to_timestamp_ntz", Some(1), "TRY_CAST($1 AS TIMESTAMP)"),
    // The wall-clock time the text shows: the parsed instant shifted by the session zone's offset.
    ("to_timestamp_ntz", Some(2), "spark_wall_clock(from_utc_timestamp(to_timestamp($1, $2), current_timezone()))"),
    // Spark 4's string_agg.
    ("listagg", Some(1), "string_agg(__text_only($1), '')"),
    ("listagg", Some(2), "string_agg(__text_only($1), $2)"),
    // Spark 4's try_ forms: glueless's make_* are NULL for what does not make a value already.
    ("try_make_interval", None, "make_interval($all)"),
    ("try_make_timestamp", None, "make_timestamp($all)"),
    ("try_make_timestamp_ltz", None, "make_timestamp($all)"),
    ("try_make_timestamp_ntz", Some(6), "spark_wall_clock(make_timestamp($1, $2, $3, $4, $5, $6, 'UTC'))"),
    ("dayname", Some(1), "date_format(TRY_CAST($1 AS DATE), 'EEE')"),
    ("monthname", Some(1), "date_format(TRY_CAST($1 AS DATE), 'MMM')"),
    ("extract", Some(2), "date_part($1, $2)"),
    // Arrow's strings are valid UTF-8 by construction.
    ("validate_utf8", Some(1), "$1"),
    ("try_validate_utf8", Some(1), "$1"),
    ("make_valid_utf8", Some(1), "$1"),
    ("is_valid_utf8", Some(1), "CASE WHEN $1 IS NULL THEN NULL ELSE true END"),
    // datafusion-spark's unix_date needs a simplification glueless's planning does not run.
    ("unix_date", Some(1), "CAST(TRY_CAST($1 AS DATE) AS INT)"),
    ("replace", Some(2), "replace($1, $2, '')"),
    ("regr_sxx", Some(2), "spark_sum_of_squares(CASE WHEN $1 IS NULL THEN NULL ELSE CAST($2 AS DOUBLE) END)"),
    ("regr_syy", Some(2), "spark_sum_of_squares(CASE WHEN $2 IS NULL THEN NULL ELSE CAST($1 AS DOUBLE) END)"),
    ("regr_avgx", Some(2), "avg(CASE WHEN $1 IS NULL THEN NULL ELSE CAST($2 AS DOUBLE) END)"),
    ("regr_avgy", Some(2), "avg(CASE WHEN $2 IS NULL THEN NULL ELSE CAST($1 AS DOUBLE) END)"),
    ("map_concat", Some(2), "map(array_concat(map_keys($1), map_keys($2)), array_concat(map_values($1), map_values($2)))"),
    (
        "map_concat",
        Some(3),
        "map(array_concat(map_keys($1), map_keys($2), map_keys($3)), array_concat(map_values($1), map_values($2), map_values($3)))",
    ),
    ("make_timestamp_ltz", None, "make_timestamp($all)"),
    ("make_timestamp_ntz", Some(6), "spark_wall_clock(make_timestamp($1, $2, $3, $4, $5, $6, 'UTC'))"),
    ("convert_timezone", Some(2), "spark_convert_timezone(current_timezone(), $1, $2)"),
    ("convert_timezone", Some(3), "spark_convert_timezone($1, $2, $3)"),
    ("explode_outer", Some(1), "unnest(CASE WHEN cardinality($1) > 0 THEN $1 ELSE make_array(NULL) END)"),
    ("from_utc_timestamp", Some(2), "from_utc_timestamp($1, spark_zone_id($2))"),
    ("to_utc_timestamp", Some(2), "to_utc_timestamp($1, spark_zone_id($2))"),
    // Spark's array comes first.
    ("array_prepend", Some(2), "CASE WHEN $1 IS NULL THEN NULL ELSE array_prepend($2, $1) END"),
    ("current_database", Some(0), "'default'"),
    ("current_schema", Some(0), "'default'"),
    ("current_catalog", Some(0), "'spark_catalog'"),
];

fn parsed() -> &'static HashMap<(&'static str, Option<usize>), Expr> {
    static PARSED: OnceLock<HashMap<(&'static str, Option<usize>), Expr>> = OnceLock::new();
    PARSED.get_or_init(|| {
        TEMPLATES
            .iter()
            .filter_map(|(name, arity, sql)| {
                let expr = Parser::new(&GenericDialect {}).try_with_sql(sql).and_then(|mut p| p.parse_expr()).ok()?;
                Some(((*name, *arity), expr))
            })
            .collect()
    })
}

/// Replace a call of a templated function by its template; true when `expr` was one.
pub(super) fn rewrite(expr: &mut Expr) -> bool {
    let Expr::Function(function) = expr else { return false };
    if function.over.is_some() {
        return false;
    }
    let name = function.name.to_string().to_lowercase();
    let args: Vec<Expr> = match &function.args {
        FunctionArguments::List(list) if list.duplicate_treatment.is_none() && list.clauses.is_empty() => {
            let plain: Option<Vec<Expr>> = list
                .args
                .iter()
                .map(|a| match a {
                    FunctionArg::Unnamed(FunctionArgExpr::Expr(e)) => Some(e.clone()),
                    _ => None,
                })
                .collect();
            match plain {
                Some(args) => args,
                None => return false,
            }
        }
        FunctionArguments::None => Vec::new(),
        _ => return false,
    };
    let templates = parsed();
    let Some(template) =
        templates.get(&(name.as_str(), Some(args.len()))).or_else(|| templates.get(&(name.as_str(), None)))
    else {
        return false;
    };
    let mut filled = template.clone();
    let _ = filled.visit(&mut Fill { args: &args });
    *expr = filled;
    true
}

/// `sql` (an expression with `$1`, `$2` … and `$all`) with `args` put in; None if it does not parse.
pub(super) fn instantiate(sql: &str, args: &[Expr]) -> Option<Expr> {
    let mut expr = Parser::new(&GenericDialect {}).try_with_sql(sql).and_then(|mut p| p.parse_expr()).ok()?;
    let _ = expr.visit(&mut Fill { args });
    Some(expr)
}

/// Puts the arguments where the template has `$n` (and all of them where it has `$all`).
struct Fill<'a> {
    args: &'a [Expr],
}

impl VisitorMut for Fill<'_> {
    type Break = ();

    fn post_visit_expr(&mut self, expr: &mut Expr) -> ControlFlow<()> {
        if let Expr::Function(function) = expr {
            if let FunctionArguments::List(list) = &mut function.args {
                let all = list.args.iter().any(|a| matches!(a, FunctionArg::Unnamed(FunctionArgExpr::Expr(Expr::Value(v))) if matches!(&v.value, Value::Placeholder(p) if p == "$all")));
                if all {
                    list.args =
                        self.args.iter().cloned().map(|e| FunctionArg::Unnamed(FunctionArgExpr::Expr(e))).collect();
                }
            }
        }
        if let Expr::Value(v) = expr {
            if let Value::Placeholder(p) = &v.value {
                if let Some(i) = p.strip_prefix('$').and_then(|n| n.parse::<usize>().ok()) {
                    if let Some(arg) = i.checked_sub(1).and_then(|i| self.args.get(i)) {
                        *expr = Expr::Nested(Box::new(arg.clone()));
                    }
                }
            }
        }
        ControlFlow::Continue(())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_template_parses() {
        assert_eq!(super::parsed().len(), super::TEMPLATES.len());
    }
}
