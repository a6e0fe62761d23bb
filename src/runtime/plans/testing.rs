//! Sessions and answers for testing the kernel operators against DataFusion's own.

use std::sync::Arc;

use arrow_cast::display::{ArrayFormatter, FormatOptions};
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
