//! Spark's string functions missing from DataFusion and datafusion-spark, and Spark's implicit
//! cast of a number to text in front of those they have ([`coerced`]).
//!
//! `startswith(str, prefix)` and `endswith(str, suffix)` (Spark 3.3+): true when `str` begins
//! (ends) with the other string, the empty string included; NULL when either is NULL. DataFusion's
//! `starts_with` / `ends_with` have exactly these semantics, so Spark's names are their aliases.

use std::sync::Arc;

use datafusion::execution::FunctionRegistry;
use datafusion::functions::string::{ends_with, starts_with};
use datafusion::logical_expr::ScalarUDF;

use super::coerced::{Coerced, StringAs};

/// The family's functions.
pub(crate) fn functions() -> Vec<Arc<ScalarUDF>> {
    vec![
        Arc::new(starts_with().as_ref().clone().with_aliases(["startswith"])),
        Arc::new(ends_with().as_ref().clone().with_aliases(["endswith"])),
        // Spark's `substr` is its `substring` (a negative start counts from the end).
        datafusion_spark::function::string::substring(),
    ]
}

/// String functions already registered, wrapped with Spark's implicit cast of a number (or
/// boolean, or date) to its text: `upper(42)` is `'42'`.
pub(crate) fn coerced(registry: &dyn FunctionRegistry) -> Vec<Arc<ScalarUDF>> {
    use StringAs::{Keep, Text};
    let rules: [(&str, &[StringAs]); 13] = [
        ("upper", &[Text]),
        ("lower", &[Text]),
        ("initcap", &[Text]),
        ("trim", &[Text]),
        ("ltrim", &[Text]),
        ("rtrim", &[Text]),
        ("btrim", &[Text]),
        ("ascii", &[Text]),
        ("instr", &[Text]),
        ("translate", &[Text]),
        ("lpad", &[Text, Keep, Text]),
        ("rpad", &[Text, Keep, Text]),
        ("repeat", &[Text, Keep]),
    ];
    rules
        .iter()
        .filter_map(|(name, strings)| registry.udf(name).ok().map(|udf| Coerced::udf(udf, strings.to_vec())))
        .collect()
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use crate::runtime::frames::Frame;
    use crate::runtime::sql::SqlSession;

    #[test]
    fn startswith_and_endswith_as_spark() {
        let session = Arc::new(SqlSession::new());
        let df = session
            .sql(
                "SELECT startswith('Spark SQL', 'Spark') AS a, endswith('Spark SQL', 'SQL') AS b, \
                 startswith('Spark', '') AS c, endswith('Spark', NULL) AS d",
            )
            .unwrap();
        let (_, batches) = Frame::new(session, df).collect().unwrap();
        let text = arrow_cast::pretty::pretty_format_batches(&batches).unwrap().to_string();
        assert!(text.contains("| true | true | true |   |"), "{text}");
    }
}
