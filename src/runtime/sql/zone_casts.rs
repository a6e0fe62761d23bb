//! Spark reads text compared with (or put beside) a timestamp as a time in the session's zone:
//! `ts <= '2023-02-01 12:00:00'` means noon where the session is. DataFusion's type coercion
//! casts the text to the timestamp's type, whose zone is UTC for glueless's instants, so noon UTC.
//! This analyzer rule, run after DataFusion's, reads such text in the session's zone first (the
//! instant is then relabelled to the column's zone, not moved). Text with its own offset
//! (`…+01:00`, `…Z`) keeps it.

use std::sync::Arc;

use arrow_schema::DataType;
use datafusion::common::config::ConfigOptions;
use datafusion::common::tree_node::{Transformed, TreeNode};
use datafusion::common::ScalarValue;
use datafusion::error::Result;
use datafusion::logical_expr::expr::{Cast, TryCast};
use datafusion::logical_expr::{Expr, LogicalPlan};
use datafusion::optimizer::AnalyzerRule;

/// The rule (see the module's documentation).
#[derive(Debug)]
pub(crate) struct TextInSessionZone;

impl AnalyzerRule for TextInSessionZone {
    fn analyze(&self, plan: LogicalPlan, config: &ConfigOptions) -> Result<LogicalPlan> {
        let Some(zone) = config.execution.time_zone.clone() else {
            return Ok(plan);
        };
        let zone: Arc<str> = zone.into();
        Ok(plan
            .transform_up_with_subqueries(|node| {
                node.map_expressions(|expr| expr.transform_up(|e| Ok(in_zone(e, &zone))))
            })?
            .data)
    }

    fn name(&self) -> &'static str {
        "text_in_session_zone"
    }
}

/// `CAST('text' AS TIMESTAMP(unit, other zone))` as the text read in `zone`, then relabelled.
fn in_zone(expr: Expr, zone: &Arc<str>) -> Transformed<Expr> {
    let (inner, field, try_cast) = match &expr {
        Expr::Cast(Cast { expr: inner, field }) => (inner, field, false),
        Expr::TryCast(TryCast { expr: inner, field }) => (inner, field, true),
        _ => return Transformed::no(expr),
    };
    let DataType::Timestamp(unit, Some(label)) = field.data_type() else { return Transformed::no(expr) };
    let is_text = matches!(
        inner.as_ref(),
        Expr::Literal(ScalarValue::Utf8(Some(_)) | ScalarValue::LargeUtf8(Some(_)) | ScalarValue::Utf8View(Some(_)), _)
    );
    if !is_text || label.as_ref() == zone.as_ref() {
        return Transformed::no(expr);
    }
    let read = DataType::Timestamp(*unit, Some(Arc::clone(zone)));
    let (inner, field) = (inner.as_ref().clone(), Arc::clone(field));
    Transformed::yes(if try_cast {
        Expr::TryCast(TryCast::new_from_field(Box::new(Expr::TryCast(TryCast::new(Box::new(inner), read))), field))
    } else {
        Expr::Cast(Cast::new_from_field(Box::new(Expr::Cast(Cast::new(Box::new(inner), read))), field))
    })
}
