//! What the kernel join operators share: which of DataFusion's hash joins they can run, their
//! key columns, the join's own projection, and a build side made once for every partition.

use std::sync::Arc;

use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::DataType;
use datafusion::common::NullEquality;
use datafusion::error::{DataFusionError, Result as DfResult};
use datafusion::physical_expr::expressions::Column;
use datafusion::physical_expr::{PhysicalExpr, PhysicalExprRef};
use datafusion::physical_plan::joins::HashJoinExec;
use datafusion::physical_plan::projection::ProjectionExec;
use datafusion::physical_plan::ExecutionPlan;
use tokio::sync::OnceCell;

use super::keyed_alike;

/// A join's build side, made by the first partition that needs it; the others wait for it and
/// share it (or its error).
pub(super) type SharedBuild<T> = Arc<OnceCell<Result<Arc<T>, Arc<DataFusionError>>>>;

/// The left and right key expressions of `join` when the kernel compares its keys as DataFusion
/// does: equal keys only (no other condition, NULL never equal to NULL, not NOT IN's null rule),
/// each pair of one type the kernel and DataFusion's join call equal alike.
pub(super) fn kernel_keys(join: &HashJoinExec) -> DfResult<Option<(Vec<PhysicalExprRef>, Vec<PhysicalExprRef>)>> {
    if join.filter().is_some() || join.null_equality() != NullEquality::NullEqualsNothing || join.null_aware {
        return Ok(None);
    }
    let (left_keys, right_keys): (Vec<PhysicalExprRef>, Vec<PhysicalExprRef>) = join.on().iter().cloned().unzip();
    let (left_schema, right_schema) = (join.left().schema(), join.right().schema());
    for (left, right) in left_keys.iter().zip(&right_keys) {
        let (left, right) = (left.data_type(&left_schema)?, right.data_type(&right_schema)?);
        if left != right || !compared_alike(&left) {
            return Ok(None);
        }
    }
    Ok(Some((left_keys, right_keys)))
}

/// Key types the kernel and DataFusion's join call equal alike (floats, whose `-0.0` and NaNs
/// the two compare differently, left to DataFusion).
fn compared_alike(data_type: &DataType) -> bool {
    keyed_alike(data_type) && !data_type.is_floating()
}

/// `plan` with the columns `projection` keeps, as a join's own projection gives them.
pub(super) fn projected(
    plan: Arc<dyn ExecutionPlan>,
    projection: Option<&[usize]>,
) -> DfResult<Arc<dyn ExecutionPlan>> {
    let Some(columns) = projection else { return Ok(plan) };
    let schema = plan.schema();
    let exprs = columns.iter().map(|&i| {
        let name = schema.field(i).name();
        (Arc::new(Column::new(name, i)) as Arc<dyn PhysicalExpr>, name.clone())
    });
    Ok(Arc::new(ProjectionExec::try_new(exprs, plan)?))
}

/// The values of the key expressions `keys` for the rows of `batch`.
pub(super) fn key_columns(keys: &[PhysicalExprRef], batch: &RecordBatch) -> DfResult<Vec<ArrayRef>> {
    keys.iter().map(|key| key.evaluate(batch)?.into_array(batch.num_rows())).collect()
}

/// A kernel error as DataFusion's.
pub(super) fn external(error: crate::error::Error) -> DataFusionError {
    DataFusionError::External(Box::new(error))
}
