//! A plan over landing JSON: its filters run inside the decode (each decoded chunk is filtered
//! at once, so only kept rows stay in memory), then DISTINCT and the trusted table's write with
//! its bookmark.

use super::super::landing_run::LandingRun;
use super::super::plan::{JobPlan, Step};
use super::super::report::JobReport;
use super::super::{JobOptions, Lake};
use super::filters::{FilterChain, RowFilter};
use super::{filtered, unsupported};
use crate::core::kernels::{distinct, select};
use crate::core::pool;
use crate::error::Result;

pub(super) fn run(plan: &JobPlan, table: &'static str, lake: &Lake, options: &JobOptions) -> Result<JobReport> {
    let (row_steps, rest): (Vec<&Step>, Vec<&Step>) = plan
        .steps
        .iter()
        .partition(|s| matches!(s, Step::Consent { .. } | Step::SemiJoin { .. } | Step::ConsentDated { .. }));
    // The filters come first; what follows them is DISTINCT and/or a projection.
    if let Some(late) = plan.steps.iter().skip(row_steps.len()).find(|s| row_steps.contains(s)) {
        return Err(unsupported(plan, late));
    }
    let chain =
        FilterChain::new(row_steps.iter().map(|step| RowFilter::prepare(plan, step, lake)).collect::<Result<_>>()?);
    let mut run = LandingRun::start(lake, plan.job, table, options)?;
    let (mut landed, rejected) = run.read(options, &|| chain.reset(), &|batch| chain.apply(batch))?;
    let mut counts = chain.counts();
    let mut schema = landed.schema.clone();
    let mut rows = std::mem::take(&mut landed.batches);
    let mut distinct_rows = false;
    for step in rest {
        match step {
            Step::Distinct { .. } => {
                let (kept, duplicates) = pool::install(|| distinct(&schema, &rows))?;
                rows = kept;
                counts.push(duplicates);
                distinct_rows = true;
            }
            Step::Select { columns } => {
                schema = crate::core::kernels::select_schema(&schema, columns)?;
                rows = rows.iter().map(|b| select(b, columns)).collect::<Result<_>>()?;
            }
            other => return Err(unsupported(plan, other)),
        }
    }
    if let Some(column) = plan.forbidden_in(schema.fields().iter().map(|f| f.name().as_str())) {
        return Err(super::super::forbidden_column(plan, column));
    }
    let (trusted, already) = run.write_trusted(&schema, rows, distinct_rows)?;
    if run.is_incremental() && distinct_rows {
        counts.push(already);
    }
    let filtered = filtered(plan, run.is_incremental(), &counts)?;
    let mut report = JobReport::from_landing(plan.job, &landed.stats, filtered, trusted, rejected);
    run.annotate(&mut report);
    Ok(report)
}
