//! `catalog_ddl`: Athena DDL for the tables of a lake.

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

use crate::stedi::{table_ddl, Lake};

/// DDL for every table of the lake rooted at `lake`: a list of {name, location, sql, format,
/// columns}.
/// `landing_only`: the landing tables; `declared`: those with their declared schemas, without
/// touching storage.
#[pyfunction]
#[pyo3(signature = (lake, *, database="stedi", landing_only=false, declared=false))]
pub fn catalog_ddl<'py>(
    py: Python<'py>,
    lake: &str,
    database: &str,
    landing_only: bool,
    declared: bool,
) -> PyResult<Bound<'py, PyList>> {
    let scope = match (declared, landing_only) {
        (true, _) => table_ddl::DdlScope::Declared,
        (false, true) => table_ddl::DdlScope::Landing,
        (false, false) => table_ddl::DdlScope::All,
    };
    let tables = py.detach(|| table_ddl::lake_ddl(&Lake::open(lake)?, database, scope))?;
    let list = PyList::empty(py);
    for table in tables {
        let dict = PyDict::new(py);
        dict.set_item("name", table.name)?;
        dict.set_item("location", table.location)?;
        dict.set_item("sql", table.sql)?;
        dict.set_item("format", table.format.map_or("json", |f| f.as_str()))?;
        dict.set_item("columns", table.columns)?;
        list.append(dict)?;
    }
    Ok(list)
}

/// Parse Athena / Hive DDL into catalog actions, as JSON: a list of objects with an `Action`
/// (CreateDatabase, CreateTable, DropTable, DropDatabase); tables in Glue's GetTable shape.
#[pyfunction]
#[pyo3(signature = (sql, database="default"))]
pub fn parse_catalog_ddl(sql: &str, database: &str) -> PyResult<String> {
    let statements = crate::runtime::catalog::ddl::parse(sql, database)?;
    serde_json::to_string(&statements).map_err(|e| pyo3::exceptions::PyRuntimeError::new_err(e.to_string()))
}
