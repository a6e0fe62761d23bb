//! `ArrowTable`: the table type glueless returns. It exports itself through the Arrow PyCapsule
//! interface (`__arrow_c_stream__`), so pyarrow, polars and duckdb take it without a copy and
//! without glueless depending on any of them.

use arrow_array::RecordBatch;
use arrow_schema::SchemaRef;
use pyo3::prelude::*;
use pyo3::types::PyCapsule;
use pyo3_arrow::PyTable;

/// An immutable Arrow table (a schema and record batches).
#[pyclass(module = "glueless", name = "ArrowTable", frozen)]
pub(crate) struct ArrowTable {
    schema: SchemaRef,
    batches: Vec<RecordBatch>,
}

impl ArrowTable {
    pub(crate) fn new(schema: SchemaRef, batches: Vec<RecordBatch>) -> Self {
        Self { schema, batches }
    }
}

#[pymethods]
impl ArrowTable {
    /// Export as an Arrow C stream (the PyCapsule interface).
    #[pyo3(signature = (requested_schema=None))]
    fn __arrow_c_stream__<'py>(
        &self,
        py: Python<'py>,
        requested_schema: Option<Bound<'py, PyCapsule>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let table = Bound::new(py, PyTable::try_new(self.batches.clone(), self.schema.clone())?)?;
        table.call_method1("__arrow_c_stream__", (requested_schema,))
    }

    /// Export the schema (the PyCapsule interface).
    fn __arrow_c_schema__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let table = Bound::new(py, PyTable::try_new(Vec::new(), self.schema.clone())?)?;
        table.call_method0("__arrow_c_schema__")
    }

    /// Number of rows.
    #[getter]
    fn num_rows(&self) -> usize {
        self.batches.iter().map(RecordBatch::num_rows).sum()
    }

    /// Column names, in order.
    #[getter]
    fn column_names(&self) -> Vec<String> {
        self.schema.fields().iter().map(|f| f.name().clone()).collect()
    }

    fn __len__(&self) -> usize {
        self.num_rows()
    }

    fn __repr__(&self) -> String {
        let columns: Vec<String> =
            self.schema.fields().iter().map(|f| format!("{}: {}", f.name(), f.data_type())).collect();
        format!("ArrowTable(rows={}, columns=[{}])", self.num_rows(), columns.join(", "))
    }
}
