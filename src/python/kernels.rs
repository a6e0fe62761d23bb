//! Kernels on any Arrow table that comes in through the PyCapsule interface (pyarrow, polars,
//! duckdb, glueless); each returns an `ArrowTable` and runs with the GIL released.

use arrow_array::RecordBatch;
use arrow_schema::SchemaRef;
use pyo3::prelude::*;
use pyo3::types::{PyString, PyStringMethods};
use pyo3_arrow::PyTable;
use rayon::prelude::*;

use super::table::ArrowTable;
use crate::core::kernels::{self, JoinInput};
use crate::core::pool;
use crate::error::Result;
use crate::stedi::jobs::{CONSENT_COLUMN, PII_COLUMNS};

/// Key column names: one name or a list of names.
fn key_names(keys: &Bound<'_, PyAny>) -> PyResult<Vec<String>> {
    if let Ok(name) = keys.cast::<PyString>() {
        return Ok(vec![name.to_cow()?.into_owned()]);
    }
    keys.extract::<Vec<String>>()
}

fn refs(names: &[String]) -> Vec<&str> {
    names.iter().map(String::as_str).collect()
}

/// Keep the rows whose `column` (default: STEDI's consent column) is present and non-zero.
#[pyfunction]
#[pyo3(signature = (table, column=None))]
pub(crate) fn consent_filter(py: Python<'_>, table: PyTable, column: Option<&str>) -> PyResult<ArrowTable> {
    let column = column.unwrap_or(CONSENT_COLUMN);
    let (batches, schema) = table.into_inner();
    let kept = py.detach(|| {
        pool::install(|| {
            batches.par_iter().map(|b| crate::stedi::consent::consent_filter(b, column)).collect::<Result<Vec<_>>>()
        })
    })?;
    Ok(ArrowTable::new(schema, kept))
}

/// Keep the readings taken by a consenting customer at or after the consent time (strict mode).
#[pyfunction]
#[pyo3(signature = (readings, customers, *, user="user", time="timestamp", email="email", consent=None))]
pub(crate) fn consent_dated_filter(
    py: Python<'_>,
    readings: PyTable,
    customers: PyTable,
    user: &str,
    time: &str,
    email: &str,
    consent: Option<&str>,
) -> PyResult<ArrowTable> {
    let consent = consent.unwrap_or(CONSENT_COLUMN);
    let (batches, schema) = readings.into_inner();
    let (customer_batches, _) = customers.into_inner();
    let out = py.detach(|| {
        pool::install(|| {
            crate::stedi::consent::consent_dated_filter(&batches, user, time, &customer_batches, email, consent)
        })
    })?;
    Ok(ArrowTable::new(schema, out.batches))
}

/// The rows of `table` whose key (`on`, one column or several) appears in `other` (`other_on`,
/// default the same names). Null keys never match.
#[pyfunction]
#[pyo3(signature = (table, other, on, other_on=None))]
pub(crate) fn semi_join(
    py: Python<'_>,
    table: PyTable,
    other: PyTable,
    on: &Bound<'_, PyAny>,
    other_on: Option<&Bound<'_, PyAny>>,
) -> PyResult<ArrowTable> {
    let on = key_names(on)?;
    let other_on = other_on.map(key_names).transpose()?.unwrap_or_else(|| on.clone());
    let (batches, schema) = table.into_inner();
    let (other_batches, other_schema) = other.into_inner();
    let out = py.detach(|| {
        pool::install(|| {
            kernels::semi_join(
                JoinInput { schema: &schema, batches: &batches, keys: &refs(&on) },
                JoinInput { schema: &other_schema, batches: &other_batches, keys: &refs(&other_on) },
            )
        })
    })?;
    Ok(ArrowTable::new(schema, out.batches))
}

/// Every pair of rows of `left` and `right` with equal keys: left columns, then right columns
/// (suffixed `_right` where a name repeats).
#[pyfunction]
#[pyo3(signature = (left, right, on, right_on=None))]
pub(crate) fn inner_join(
    py: Python<'_>,
    left: PyTable,
    right: PyTable,
    on: &Bound<'_, PyAny>,
    right_on: Option<&Bound<'_, PyAny>>,
) -> PyResult<ArrowTable> {
    let on = key_names(on)?;
    let right_on = right_on.map(key_names).transpose()?.unwrap_or_else(|| on.clone());
    let (left_batches, left_schema) = left.into_inner();
    let (right_batches, right_schema) = right.into_inner();
    let out = py.detach(|| {
        pool::install(|| {
            kernels::inner_join(
                JoinInput { schema: &left_schema, batches: &left_batches, keys: &refs(&on) },
                JoinInput { schema: &right_schema, batches: &right_batches, keys: &refs(&right_on) },
            )
        })
    })?;
    Ok(ArrowTable::new(out.schema, out.batches))
}

/// The distinct rows of `table` (first occurrences, in order).
#[pyfunction]
pub(crate) fn distinct(py: Python<'_>, table: PyTable) -> PyResult<ArrowTable> {
    let (batches, schema) = table.into_inner();
    let (kept, _) = py.detach(|| pool::install(|| kernels::distinct(&schema, &batches)))?;
    Ok(ArrowTable::new(schema, kept))
}

/// `table` without personal-data columns (customerName, email, phone, birthDay, user).
#[pyfunction]
pub(crate) fn drop_pii(py: Python<'_>, table: PyTable) -> PyResult<ArrowTable> {
    let (batches, schema) = table.into_inner();
    let out_schema: SchemaRef = std::sync::Arc::new(kernels::drop_columns_schema(&schema, &PII_COLUMNS));
    let kept: Vec<RecordBatch> =
        py.detach(|| batches.iter().map(|b| kernels::drop_columns(b, &PII_COLUMNS)).collect::<Result<_>>())?;
    Ok(ArrowTable::new(out_schema, kept))
}
