//! A plan over a table an earlier job wrote, run in memory: its filters over the table's
//! batches (a semi-join against the other table's keys only), DISTINCT, a projection, and the
//! output replaced.

use rayon::prelude::*;

use super::super::output;
use super::super::plan::{JobPlan, Source, Step};
use super::super::report::JobReport;
use super::super::tables::{read_key_set, read_table};
use super::super::Lake;
use super::filters::{FilterChain, RowFilter};
use super::{filtered, unsupported};
use crate::core::kernels::{distinct, select, select_schema, semi_join, JoinInput};
use crate::core::pool;
use crate::error::Result;

pub(super) fn run(plan: &JobPlan, lake: &Lake) -> Result<JobReport> {
    let Source::Table { of, columns } = &plan.source else { unreachable!("run for table sources only") };
    let source = read_table(lake, of.table, of.zone, of.producer, columns)?;
    let mut schema = source.schema.clone();
    let mut rows = source.batches.clone();
    let mut counts = Vec::new();
    for step in &plan.steps {
        match step {
            Step::SemiJoin { of, keys, of_keys, .. } => {
                // Only the keys of the (large) other table are read, distinct where the Parquet
                // dictionaries give them; the kernel builds its set from whichever side is smaller.
                let other = read_key_set(lake, of.table, of.zone, of.producer, of_keys)?;
                let out = pool::install(|| {
                    semi_join(
                        JoinInput { schema: &schema, batches: &rows, keys },
                        JoinInput { schema: &other.schema, batches: &other.batches, keys: of_keys },
                    )
                })?;
                rows = out.batches;
                counts.extend([out.null_keys, out.unmatched]);
            }
            Step::Consent { .. } | Step::ConsentDated { .. } => {
                let chain = FilterChain::new(vec![RowFilter::prepare(plan, step, lake)?]);
                rows = pool::install(|| rows.par_iter().map(|b| chain.apply(b)).collect::<Result<_>>())?;
                counts.extend(chain.counts());
            }
            Step::Distinct { .. } => {
                let (kept, duplicates) = pool::install(|| distinct(&schema, &rows))?;
                rows = kept;
                counts.push(duplicates);
            }
            Step::Select { columns } => {
                schema = select_schema(&schema, columns)?;
                rows = rows.iter().map(|b| select(b, columns)).collect::<Result<_>>()?;
            }
            Step::Join { .. } => return Err(unsupported(plan, step)),
        }
    }
    if let Some(column) = plan.forbidden_in(schema.fields().iter().map(|f| f.name().as_str())) {
        return Err(super::super::forbidden_column(plan, column));
    }
    let out = output::replace_table(&lake.output(plan.output.table, plan.output.zone), &schema, &rows)?;
    Ok(JobReport {
        job: plan.job.into(),
        read: source.rows(),
        filtered: filtered(plan, false, &counts)?,
        written: out.rows,
        outputs: vec![out],
        ..JobReport::default()
    })
}
