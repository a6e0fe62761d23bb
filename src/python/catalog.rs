//! `catalog_ddl`: Athena DDL for the tables of a lake.

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

use super::errors::IntoPyResult;
use crate::jobs::{catalog, Lake};

/// DDL for every table of the lake rooted at `lake`: a list of {name, location, sql}.
#[pyfunction]
#[pyo3(signature = (lake, *, database="stedi", landing_only=false))]
pub fn catalog_ddl<'py>(
    py: Python<'py>,
    lake: &str,
    database: &str,
    landing_only: bool,
) -> PyResult<Bound<'py, PyList>> {
    let tables = py.detach(|| catalog::lake_ddl(&Lake::open(lake)?, database, landing_only)).into_py_result()?;
    let list = PyList::empty(py);
    for table in tables {
        let dict = PyDict::new(py);
        dict.set_item("name", table.name)?;
        dict.set_item("location", table.location)?;
        dict.set_item("sql", table.sql)?;
        list.append(dict)?;
    }
    Ok(list)
}
