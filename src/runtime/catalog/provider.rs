//! A catalog table as a DataFusion table: its files are read when a query scans it, only the
//! columns the query uses (a `count(*)` decodes no column of a Parquet file).

use std::sync::Arc;

use arrow_schema::SchemaRef;
use async_trait::async_trait;
use datafusion::catalog::{Session, TableProvider};
use datafusion::datasource::memory::MemorySourceConfig;
use datafusion::datasource::TableType;
use datafusion::error::{DataFusionError, Result};
use datafusion::logical_expr::Expr;
use datafusion::physical_plan::ExecutionPlan;

use super::read::{self, Engine};
use super::table::CatalogTable;
use crate::core::storage::Location;

/// A catalog table whose files are at `location`.
#[derive(Debug)]
pub(crate) struct CatalogTableProvider {
    table: CatalogTable,
    location: Location,
    schema: SchemaRef,
}

impl CatalogTableProvider {
    /// The table as `engine` shows it (declared columns, then partition keys).
    ///
    /// # Errors
    /// [`crate::Error::InvalidArgument`] for a declared type glueless does not know.
    pub(crate) fn new(table: CatalogTable, location: Location, engine: Engine) -> crate::error::Result<Self> {
        let schema = read::schema(&table, engine)?;
        Ok(Self { table, location, schema })
    }
}

#[async_trait]
impl TableProvider for CatalogTableProvider {
    fn schema(&self) -> SchemaRef {
        Arc::clone(&self.schema)
    }

    fn table_type(&self) -> TableType {
        TableType::Base
    }

    async fn scan(
        &self,
        _state: &dyn Session,
        projection: Option<&Vec<usize>>,
        _filters: &[Expr],
        _limit: Option<usize>,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        // The read blocks (files, the rayon pool): on a thread of its own, outside the SQL runtime.
        let read = std::thread::scope(|scope| {
            scope.spawn(|| read::read(&self.table, &self.location, &self.schema, projection.map(Vec::as_slice))).join()
        });
        let (schema, batches) = read
            .map_err(|_| DataFusionError::Execution(format!("reading table {} failed", self.table.name)))?
            .map_err(|e| DataFusionError::External(Box::new(e)))?;
        let exec: Arc<dyn ExecutionPlan> = MemorySourceConfig::try_new_exec(&[batches], schema, None)?;
        Ok(exec)
    }
}
