//! Trino's functions that DataFusion lacks or defines otherwise, as Athena (engine v3) runs them:
//! a file per family. Aggregates that are other functions under Trino's name (`count_if`,
//! `arbitrary`, `approx_distinct`) are rewritten in the query instead (`session.rs`).

use std::sync::Arc;

use datafusion::logical_expr::ScalarUDF;

mod collection;
mod datetime;
mod text;

/// Every Trino function glueless adds or replaces in an Athena session.
pub(crate) fn functions() -> Vec<Arc<ScalarUDF>> {
    let mut all = datetime::functions();
    all.extend(text::functions());
    all.extend(collection::functions());
    all
}
