//! `DataFrame.explain`: the frame's plans as DataFusion makes them, under Spark's headings.

use datafusion::common::stats::Precision;
use datafusion::physical_plan::displayable;
use datafusion::physical_plan::statistics::{StatisticsArgs, StatisticsContext};

use super::Frame;
use crate::error::Result;
use crate::runtime::sql::session::{run, sql_error};

/// Spark's `explain` modes.
const MODES: [&str; 5] = ["simple", "extended", "codegen", "cost", "formatted"];

impl Frame {
    /// The text `explain(mode)` prints: `simple` the physical plan, `extended` the logical plan
    /// (as written and as analyzed), the optimized one and the physical one, `cost` the optimized
    /// plan with the physical plan's statistics, `formatted` / `codegen` the physical plan.
    ///
    /// # Errors
    /// [`crate::Error::InvalidArgument`] for another mode; [`crate::Error::Sql`] when planning fails.
    pub(crate) fn explain(&self, mode: &str) -> Result<String> {
        let mode = mode.to_lowercase();
        if !MODES.contains(&mode.as_str()) {
            return Err(crate::Error::InvalidArgument(format!(
                "Unknown explain mode: {mode}. Accepted explain modes are 'simple', 'extended', 'codegen', 'cost', 'formatted'."
            )));
        }
        let logical = self.df.logical_plan().display_indent().to_string();
        let optimized_plan = self.df.clone().into_optimized_plan().map_err(sql_error)?;
        let optimized = optimized_plan.display_indent().to_string();
        let physical_plan = run(self.df.clone().create_physical_plan()).map_err(sql_error)?;
        let physical = displayable(physical_plan.as_ref()).indent(true).to_string();
        let physical = physical.trim_end();
        Ok(match mode.as_str() {
            "extended" => {
                let schema: Vec<String> = self
                    .df
                    .schema()
                    .fields()
                    .iter()
                    .map(|f| {
                        let name = crate::core::types::display_name(f.data_type(), crate::core::types::Dialect::Spark);
                        format!("{}: {name}", f.name())
                    })
                    .collect();
                format!(
                    "== Parsed Logical Plan ==\n{logical}\n\n== Analyzed Logical Plan ==\n{}\n{logical}\n\n\
                     == Optimized Logical Plan ==\n{optimized}\n\n== Physical Plan ==\n{physical}\n",
                    schema.join(", ")
                )
            }
            "cost" => {
                let statistics = StatisticsContext::new()
                    .compute(physical_plan.as_ref(), &StatisticsArgs::new())
                    .map_err(sql_error)?;
                let known =
                    |p: Precision<usize>| p.get_value().map_or_else(|| "unknown".to_string(), ToString::to_string);
                format!(
                    "== Optimized Logical Plan ==\n{optimized}\nStatistics(sizeInBytes={}, rowCount={})\n\n\
                     == Physical Plan ==\n{physical}\n",
                    known(statistics.total_byte_size),
                    known(statistics.num_rows)
                )
            }
            _ => format!("== Physical Plan ==\n{physical}\n"),
        })
    }
}
