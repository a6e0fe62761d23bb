//! `catalog_ddl`: Athena DDL for the tables of a lake.

use pyo3::prelude::*;

use crate::core::formats::{FileFormat, TableFormat};
use crate::stedi::table_ddl::TableDdl;
use crate::stedi::{table_ddl, Lake};

/// DDL for every table of the lake rooted at `lake`: a list of {name, location, sql, format,
/// columns}.
/// `landing_only`: the landing tables; `declared`: those with their declared schemas, without
/// touching storage.
#[pyfunction]
#[pyo3(signature = (lake, *, database="stedi", landing_only=false, declared=false))]
pub(crate) fn catalog_ddl(
    py: Python<'_>,
    lake: &str,
    database: &str,
    landing_only: bool,
    declared: bool,
) -> PyResult<Vec<TableDdlSummary>> {
    let scope = match (declared, landing_only) {
        (true, _) => table_ddl::DdlScope::Declared,
        (false, true) => table_ddl::DdlScope::Landing,
        (false, false) => table_ddl::DdlScope::All,
    };
    let tables = py.detach(|| table_ddl::lake_ddl(&Lake::open(lake)?, database, scope))?;
    Ok(tables.into_iter().map(TableDdlSummary::from).collect())
}

/// One table's DDL as Python sees it (a dict): a landing table's format is its files' (`json`).
#[derive(IntoPyObject)]
pub(crate) struct TableDdlSummary {
    name: String,
    location: String,
    sql: String,
    format: &'static str,
    columns: Vec<(String, String)>,
}

impl From<TableDdl> for TableDdlSummary {
    fn from(t: TableDdl) -> Self {
        let format = t.format.map_or(FileFormat::Json.name(), TableFormat::as_str);
        Self { name: t.name, location: t.location, sql: t.sql, format, columns: t.columns }
    }
}

/// Parse Athena / Hive DDL into catalog actions, as JSON: a list of objects with an `Action`
/// (CreateDatabase, CreateTable, DropTable, DropDatabase); tables in Glue's GetTable shape.
#[pyfunction]
#[pyo3(signature = (sql, database="default"))]
pub(crate) fn parse_catalog_ddl(sql: &str, database: &str) -> PyResult<String> {
    let statements = crate::runtime::catalog::ddl::parse(sql, database)?;
    serde_json::to_string(&statements).map_err(|e| pyo3::exceptions::PyRuntimeError::new_err(e.to_string()))
}

/// The statements of a SQL file, split on `;` outside quotes and comments; each keeps the
/// newlines before it, so a parser's line numbers are the file's.
#[pyfunction]
pub(crate) fn sql_statements(sql: &str) -> Vec<String> {
    crate::runtime::catalog::ddl::split_statements(sql)
}
