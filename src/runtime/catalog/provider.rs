//! A catalog table as a DataFusion table: its files are read when a query scans it, only the
//! columns the query uses (a `count(*)` decodes no column of a Parquet file) and only the
//! partitions its filters on partition keys keep.

use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::{Array, RecordBatch};
use arrow_schema::{Schema, SchemaRef};
use async_trait::async_trait;
use datafusion::catalog::{MemorySchemaProvider, SchemaProvider, Session, TableProvider};
use datafusion::common::DFSchema;
use datafusion::datasource::memory::MemorySourceConfig;
use datafusion::datasource::TableType;
use datafusion::error::{DataFusionError, Result};
use datafusion::logical_expr::{Expr, TableProviderFilterPushDown};
use datafusion::physical_plan::ExecutionPlan;
use datafusion::prelude::SessionContext;

use super::read::{self, Engine};
use super::table::CatalogTable;
use crate::core::storage::Location;
use crate::runtime::sql::session::sql_error;

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

impl CatalogTableProvider {
    /// The partition keys' column names (the schema's last columns).
    fn partition_keys(&self) -> Vec<String> {
        self.table.partition_keys.iter().map(|k| k.name.to_lowercase()).collect()
    }
}

/// A filter that reads partition keys and nothing else.
fn on_keys(filter: &Expr, keys: &[String]) -> bool {
    let columns = filter.column_refs();
    !keys.is_empty() && !columns.is_empty() && columns.iter().all(|c| keys.contains(&c.name))
}

#[async_trait]
impl TableProvider for CatalogTableProvider {
    fn schema(&self) -> SchemaRef {
        Arc::clone(&self.schema)
    }

    fn table_type(&self) -> TableType {
        TableType::Base
    }

    /// Filters on partition keys only prune partitions (DataFusion still applies them to the rows).
    fn supports_filters_pushdown(&self, filters: &[&Expr]) -> Result<Vec<TableProviderFilterPushDown>> {
        let keys = self.partition_keys();
        Ok(filters
            .iter()
            .map(|f| {
                if on_keys(f, &keys) {
                    TableProviderFilterPushDown::Inexact
                } else {
                    TableProviderFilterPushDown::Unsupported
                }
            })
            .collect())
    }

    async fn scan(
        &self,
        state: &dyn Session,
        projection: Option<&Vec<usize>>,
        filters: &[Expr],
        _limit: Option<usize>,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        let keys = self.partition_keys();
        let key_schema =
            DFSchema::try_from(Schema::new(self.schema.fields()[self.schema.fields().len() - keys.len()..].to_vec()))?;
        let mut predicates = Vec::new();
        for filter in filters.iter().filter(|f| on_keys(f, &keys)) {
            predicates.push(state.create_physical_expr(filter.clone(), &key_schema)?);
        }
        // A partition is read unless a filter on its keys is false (or NULL) for its values.
        let wanted = |values: &RecordBatch| {
            predicates.iter().all(|p| match p.evaluate(values).and_then(|v| v.into_array(1)) {
                Ok(result) => result.as_boolean_opt().is_none_or(|b| b.is_valid(0) && b.value(0)),
                Err(_) => true,
            })
        };
        // The read blocks (files, the rayon pool): on a thread of its own, outside the SQL runtime.
        let read = std::thread::scope(|scope| {
            scope
                .spawn(|| read::read(&self.table, &self.location, &self.schema, projection.map(Vec::as_slice), &wanted))
                .join()
        });
        let (schema, batches) = read
            .map_err(|_| DataFusionError::Execution(format!("reading table {} failed", self.table.name)))?
            .map_err(|e| DataFusionError::External(Box::new(e)))?;
        let exec: Arc<dyn ExecutionPlan> = MemorySourceConfig::try_new_exec(&[batches], schema, None)?;
        Ok(exec)
    }
}

/// `database`'s schema in the catalog `catalog` of `ctx`, created when new.
///
/// # Errors
/// [`crate::Error::Sql`] when the session has no such catalog.
pub(crate) fn database_schema(
    ctx: &SessionContext,
    catalog: &str,
    database: &str,
) -> crate::error::Result<Arc<dyn SchemaProvider>> {
    let catalog =
        ctx.catalog(catalog).ok_or_else(|| crate::Error::Sql(format!("the session has no catalog {catalog}")))?;
    if let Some(schema) = catalog.schema(database) {
        return Ok(schema);
    }
    let schema: Arc<dyn SchemaProvider> = Arc::new(MemorySchemaProvider::new());
    catalog.register_schema(database, Arc::clone(&schema)).map_err(sql_error)?;
    Ok(schema)
}

/// `table` (its files at `location`) registered in `ctx` as `database.table` of the catalog
/// `catalog`, read with `engine`'s types; a table registered again replaces the earlier one.
///
/// # Errors
/// [`crate::Error::InvalidArgument`] for a declared type glueless does not know;
/// [`crate::Error::Sql`] from DataFusion's catalog.
pub(crate) fn register(
    ctx: &SessionContext,
    catalog: &str,
    table: CatalogTable,
    location: Location,
    engine: Engine,
) -> crate::error::Result<()> {
    let (database, name) = (table.database_name.to_lowercase(), table.name.to_lowercase());
    let provider = CatalogTableProvider::new(table, location, engine)?;
    let schema = database_schema(ctx, catalog, &database)?;
    schema.deregister_table(&name).map_err(sql_error)?;
    schema.register_table(name, Arc::new(provider)).map_err(sql_error)?;
    Ok(())
}
