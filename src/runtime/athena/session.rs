//! An Athena session: Trino's dialect and semantics on DataFusion over the catalog's tables.
//!
//! Trino's rules kept here: NULLs sort last in both directions, `7 / 2` is `3`, `1.5` is a
//! decimal, unquoted identifiers are case-insensitive, string comparison is case-sensitive, a result
//! column without a name is `_col0`, `_col1`, … by position. Tables are read when a query first
//! scans them (`runtime::catalog::provider`), only the columns it uses.

use std::sync::Arc;

use arrow_array::RecordBatch;
use arrow_schema::SchemaRef;
use datafusion::common::{Column, SchemaError, TableReference};
use datafusion::error::DataFusionError;
use datafusion::execution::session_state::SessionStateBuilder;
use datafusion::logical_expr::Expr;
use datafusion::prelude::{DataFrame, SessionConfig, SessionContext};
use datafusion::sql::parser::Statement as DfStatement;
use datafusion::sql::sqlparser::ast::Statement;
use datafusion::sql::sqlparser::dialect::GenericDialect;
use datafusion::sql::sqlparser::parser::Parser;

use super::rewrite;
use crate::core::storage::Location;
use crate::error::{Error, Result};
use crate::runtime::catalog::provider;
use crate::runtime::catalog::read::Engine;
use crate::runtime::catalog::table::CatalogTable;
use crate::runtime::sql::session::{run, sql_error};

/// The catalog name Athena qualifies tables with (`awsdatacatalog.stedi.customer_landing`).
pub(crate) const CATALOG: &str = "awsdatacatalog";

/// What a query gave: its columns and rows.
#[derive(Debug)]
pub(crate) struct QueryOutput {
    pub(crate) schema: SchemaRef,
    pub(crate) batches: Vec<RecordBatch>,
}

/// One Athena session (a `glueless athena` run).
pub(crate) struct AthenaSession {
    ctx: SessionContext,
}

impl std::fmt::Debug for AthenaSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AthenaSession").finish_non_exhaustive()
    }
}

impl AthenaSession {
    /// A session whose unqualified table names are in `database`.
    #[must_use]
    pub(crate) fn new(database: &str) -> Self {
        let mut config = SessionConfig::new()
            .with_target_partitions(crate::core::pool::thread_count())
            .with_information_schema(false)
            .with_default_catalog_and_schema(CATALOG, database.to_lowercase())
            .with_create_default_catalog_and_schema(true);
        let options = config.options_mut();
        options.sql_parser.default_null_ordering = "nulls_last".to_string();
        options.sql_parser.parse_float_as_decimal = true;
        options.execution.time_zone = Some("UTC".to_string());
        options.optimizer.enable_leaf_expression_pushdown = false;
        let mut state = SessionStateBuilder::new()
            .with_config(config)
            .with_runtime_env(crate::runtime::memory::runtime_env().unwrap_or_default())
            .with_default_features();
        for rule in crate::runtime::plans::rules() {
            state = state.with_physical_optimizer_rule(rule);
        }
        let state = state.build();
        let ctx = SessionContext::new_with_state(state);
        for function in super::functions::functions() {
            ctx.register_udf(function.as_ref().clone());
        }
        Self { ctx }
    }

    /// `USE database`.
    ///
    /// # Errors
    /// [`Error::Sql`] from DataFusion's catalog.
    pub(crate) fn use_database(&self, database: &str) -> Result<()> {
        let lower = database.to_lowercase();
        provider::database_schema(&self.ctx, CATALOG, &lower)?;
        self.ctx.state_ref().write().config_mut().options_mut().catalog.default_schema = lower;
        Ok(())
    }

    /// Make a catalog table known to queries; its files are at `location`, read when a query
    /// scans the table (only the columns it uses).
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] for a declared type glueless does not know; [`Error::Sql`]
    /// from DataFusion's catalog.
    pub(crate) fn register_table(&self, table: CatalogTable, location: Location) -> Result<()> {
        provider::register(&self.ctx, CATALOG, table, location, Engine::Athena)
    }

    /// Run one query (`SELECT`, `WITH`, `VALUES`, set operations) and collect its rows.
    ///
    /// # Errors
    /// [`Error::Sql`] for a query that does not parse or plan, naming a missing table as Athena
    /// does; [`Error::Unsupported`] for a statement that is not a query; storage errors.
    pub(crate) fn query(&self, sql: &str) -> Result<QueryOutput> {
        let mut statements = Parser::parse_sql(&GenericDialect {}, sql).map_err(|e| syntax_error(&e.to_string()))?;
        let (Some(mut statement), None) = (statements.pop(), statements.pop()) else {
            return Err(Error::InvalidArgument("one statement at a time".into()));
        };
        if !matches!(statement, Statement::Query(_)) {
            return Err(Error::Unsupported(format!("{} is not supported by glueless", first_words(sql))));
        }
        rewrite::trino_functions(&mut statement)?;
        rewrite::try_expressions(&mut statement)?;
        rewrite::lateral_unnest(&mut statement)?;
        let positional = rewrite::name_by_position(&mut statement);
        let statement = DfStatement::Statement(Box::new(statement));
        let state = self.ctx.state();
        for reference in state.resolve_table_references(&statement).map_err(sql_error)? {
            self.check_exists(&reference)?;
        }
        let plan = run(state.statement_to_plan(statement)).map_err(planning_error)?;
        let frame = DataFrame::new(state, plan);
        let frame = if positional { position_names(frame)? } else { frame };
        let schema = Arc::new(frame.schema().as_arrow().clone());
        let batches = run(frame.collect()).map_err(sql_error)?;
        Ok(QueryOutput { schema, batches })
    }

    /// A table a query names that is not registered: Athena's error, with how to register it.
    fn check_exists(&self, reference: &TableReference) -> Result<()> {
        let default_schema = self.ctx.state().config().options().catalog.default_schema.clone();
        let database = reference.schema().map_or(default_schema, str::to_lowercase);
        let name = reference.table().to_lowercase();
        if provider::database_schema(&self.ctx, CATALOG, &database)?.table_exist(&name) {
            return Ok(());
        }
        Err(Error::Sql(format!(
            "TABLE_NOT_FOUND: Table '{CATALOG}.{database}.{name}' does not exist (register it with \
             `glueless catalog apply` or in this file's CREATE EXTERNAL TABLE)"
        )))
    }
}

/// A parser error as Athena words it: `SYNTAX_ERROR: line 1:34: …`.
fn syntax_error(message: &str) -> Error {
    let message = message.trim_start_matches("sql parser error: ");
    let Some((what, place)) = message.rsplit_once(" at Line: ") else {
        return Error::Sql(format!("SYNTAX_ERROR: {message}"));
    };
    let (line, column) = place.split_once(", Column: ").unwrap_or((place, "1"));
    Error::Sql(format!("SYNTAX_ERROR: line {line}:{column}: {what}"))
}

/// A planning error as Athena words the common ones (`COLUMN_NOT_FOUND`, `FUNCTION_NOT_FOUND`).
fn planning_error(err: DataFusionError) -> Error {
    match err.find_root() {
        DataFusionError::SchemaError(e, _) => {
            if let SchemaError::FieldNotFound { field, .. } = e.as_ref() {
                return Error::Sql(format!("COLUMN_NOT_FOUND: Column '{}' cannot be resolved", field.flat_name()));
            }
        }
        DataFusionError::Plan(message) => {
            if let Some(name) = message.strip_prefix("Invalid function '").and_then(|m| m.split('\'').next()) {
                return Error::Sql(format!("FUNCTION_NOT_FOUND: Function '{name}' not registered"));
            }
        }
        _ => {}
    }
    sql_error(err)
}

fn first_words(sql: &str) -> String {
    sql.split_whitespace().take(2).map(str::to_uppercase).collect::<Vec<_>>().join(" ")
}

/// The marked columns named `_col<i>` by their position in the result.
fn position_names(frame: DataFrame) -> Result<DataFrame> {
    let projection: Vec<Expr> = frame
        .schema()
        .iter()
        .enumerate()
        .map(|(i, (qualifier, field))| {
            let column = Expr::Column(Column::new(qualifier.cloned(), field.name()));
            if field.name().starts_with(rewrite::POSITION_MARK) {
                column.alias(format!("_col{i}"))
            } else {
                column
            }
        })
        .collect();
    frame.select(projection).map_err(sql_error)
}
