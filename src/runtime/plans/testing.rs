//! Sessions and answers for testing the kernel operators against DataFusion's own.

use std::sync::Arc;

use arrow_array::{Int64Array, RecordBatch, StringArray};
use arrow_cast::display::{ArrayFormatter, FormatOptions};
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use datafusion::datasource::MemTable;
use datafusion::execution::runtime_env::RuntimeEnvBuilder;
use datafusion::execution::session_state::SessionStateBuilder;
use datafusion::physical_optimizer::PhysicalOptimizerRule;
use datafusion::prelude::{SessionConfig, SessionContext};

use crate::runtime::sql::session::run;

/// A session of two partitions with `rules` after DataFusion's own, and a memory limit if given.
pub(super) fn context(
    rules: Vec<Arc<dyn PhysicalOptimizerRule + Send + Sync>>,
    memory_limit: Option<usize>,
) -> SessionContext {
    let mut runtime = RuntimeEnvBuilder::new();
    if let Some(limit) = memory_limit {
        runtime = runtime.with_memory_limit(limit, 1.0);
    }
    let mut state = SessionStateBuilder::new()
        .with_config(SessionConfig::new().with_target_partitions(2))
        .with_runtime_env(runtime.build_arc().unwrap())
        .with_default_features();
    for rule in rules {
        state = state.with_physical_optimizer_rule(rule);
    }
    SessionContext::new_with_state(state.build())
}

/// The rows of `query`, each as text, sorted; and its plan.
pub(super) fn answer(ctx: &SessionContext, query: &str) -> (Vec<String>, String) {
    run(async {
        let df = ctx.sql(query).await.unwrap();
        let plan = df.clone().create_physical_plan().await.unwrap();
        let shown = datafusion::physical_plan::displayable(plan.as_ref()).indent(true).to_string();
        let batches = df.collect().await.unwrap();
        let options = FormatOptions::default().with_null("NULL");
        let mut rows = Vec::new();
        for batch in &batches {
            let formatters: Vec<_> =
                batch.columns().iter().map(|c| ArrayFormatter::try_new(c.as_ref(), &options).unwrap()).collect();
            for row in 0..batch.num_rows() {
                rows.push(formatters.iter().map(|f| f.value(row).to_string()).collect::<Vec<_>>().join("|"));
            }
        }
        rows.sort();
        (rows, shown)
    })
}

/// `rows` rows of (s, i, n) in two partitions of several batches: strings and integers with
/// repeats and NULLs, `n` the row's number.
pub(super) fn keyed_table(rows: usize, seed: u64, spread: u64) -> MemTable {
    let schema: SchemaRef = Arc::new(Schema::new(vec![
        Field::new("s", DataType::Utf8, true),
        Field::new("i", DataType::Int64, true),
        Field::new("n", DataType::Int64, false),
    ]));
    let mut state = seed;
    let mut next = |n: u64| {
        state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        (state >> 33) % n
    };
    let mut row = 0i64;
    let mut batch = |n: usize| {
        let s: StringArray = (0..n).map(|_| (next(9) > 0).then(|| format!("user{}", next(spread)))).collect();
        let i: Int64Array = (0..n).map(|_| (next(9) > 0).then(|| i64::try_from(next(spread)).unwrap())).collect();
        let numbers: Int64Array = (0..n)
            .map(|_| {
                row += 1;
                row
            })
            .collect();
        RecordBatch::try_new(Arc::clone(&schema), vec![Arc::new(s), Arc::new(i), Arc::new(numbers)]).unwrap()
    };
    let part = |batch: &mut dyn FnMut(usize) -> RecordBatch| (0..4).map(|_| batch(rows / 8)).collect::<Vec<_>>();
    let partitions = vec![part(&mut batch), part(&mut batch)];
    MemTable::try_new(schema, partitions).unwrap()
}

/// Tables `t` (4 000 rows) and `u` (400) of [`keyed_table`] in a session with `rules` and in one
/// without: every query of `taken` gives the same rows in both and its plan shows `operator`;
/// every query of `left` gives the same rows and its plan does not.
pub(super) fn assert_same_rows_as_datafusion(
    rules: Vec<Arc<dyn PhysicalOptimizerRule + Send + Sync>>,
    operator: &str,
    taken: &[&str],
    left: &[&str],
) {
    let (kernel, datafusion) = (context(rules, None), context(vec![], None));
    for ctx in [&kernel, &datafusion] {
        ctx.register_table("t", Arc::new(keyed_table(4000, 42, 60))).unwrap();
        ctx.register_table("u", Arc::new(keyed_table(400, 7, 30))).unwrap();
    }
    for (query, takes) in taken.iter().map(|q| (q, true)).chain(left.iter().map(|q| (q, false))) {
        let (got, plan) = answer(&kernel, query);
        let (expected, _) = answer(&datafusion, query);
        assert_eq!(plan.contains(operator), takes, "{query}:\n{plan}");
        assert!(!expected.is_empty(), "{query}");
        assert_eq!(got, expected, "{query}");
    }
}

/// `query` over `t` (`t_rows` rows) and `u` (200 000 rows of many keys) under a 1 MiB memory pool
/// fails with DataFusion's one line.
pub(super) fn assert_fails_past_the_memory_limit(
    rules: Vec<Arc<dyn PhysicalOptimizerRule + Send + Sync>>,
    query: &str,
    t_rows: usize,
) {
    let limited = context(rules, Some(1 << 20));
    limited.register_table("t", Arc::new(keyed_table(t_rows, 42, 60))).unwrap();
    limited.register_table("u", Arc::new(keyed_table(200_000, 7, 100_000))).unwrap();
    let error = run(async { limited.sql(query).await.unwrap().collect().await.unwrap_err() });
    assert!(error.to_string().contains("Resources exhausted"), "{error}");
}
