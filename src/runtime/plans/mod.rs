//! Physical plans on glueless's kernels in place of DataFusion's operators where the kernel is
//! measured faster, and the optimizer rules that put them into the plans of every session
//! (Spark SQL, users' frames, Athena), so a script's SQL runs on the kernels the built-in jobs use.
//! Each operator is a file with its rule; the recipe is in CONTRIBUTING.md ("A kernel operator").

mod distinct;

use std::sync::Arc;

use datafusion::physical_optimizer::PhysicalOptimizerRule;

/// The rules, in the order they run (after DataFusion's own).
pub(crate) fn rules() -> Vec<Arc<dyn PhysicalOptimizerRule + Send + Sync>> {
    vec![Arc::new(distinct::KernelDistinct)]
}
