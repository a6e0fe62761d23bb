//! Python UDFs (`pyspark.sql.functions.udf`, `spark.udf.register`): a Python function called once
//! per row from the query's threads (the GIL taken only for the calls), its arguments as PySpark
//! passes them (`rows.rs`) and its results converted to the declared type (`values.rs`); a result
//! of another kind is NULL, as Spark's pickled UDFs give.

use std::sync::Arc;

use arrow_array::{new_null_array, Array, ArrayRef};
use arrow_schema::DataType;
use datafusion::common::{DataFusionError, Result as DfResult};
use datafusion::logical_expr::{ColumnarValue, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility};
use pyo3::prelude::*;

/// One Python function as a DataFusion scalar function.
#[derive(Debug)]
pub(super) struct PythonUdf {
    name: String,
    function: Py<PyAny>,
    row: Py<PyAny>,
    return_type: DataType,
    signature: Signature,
}

impl PartialEq for PythonUdf {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}

impl Eq for PythonUdf {}

impl std::hash::Hash for PythonUdf {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.name.hash(state);
    }
}

impl PythonUdf {
    pub(super) fn udf(name: &str, function: Py<PyAny>, row: Py<PyAny>, return_type: DataType) -> ScalarUDF {
        ScalarUDF::new_from_impl(Self {
            name: name.to_string(),
            function,
            row,
            return_type,
            // A Python function may do anything: never folded at planning time.
            signature: Signature::variadic_any(Volatility::Volatile),
        })
    }

    fn call(&self, py: Python<'_>, inputs: &[ArrayRef], rows: usize) -> PyResult<ArrayRef> {
        let columns = inputs
            .iter()
            .map(|a| super::rows::column_values(py, a.as_ref(), self.row.bind(py).clone()))
            .collect::<PyResult<Vec<_>>>()?;
        let function = self.function.bind(py);
        let mut results = Vec::with_capacity(rows);
        for i in 0..rows {
            let args: Vec<Bound<'_, PyAny>> = columns.iter().map(|c| c[i].clone()).collect();
            results.push(function.call1(pyo3::types::PyTuple::new(py, args)?)?);
        }
        if let Ok(array) = super::values::column(py, &self.name, &results, &self.return_type) {
            return Ok(array);
        }
        // Some result is not of the declared type: that one is NULL.
        let none = py.None().into_bound(py);
        let checked: Vec<Bound<'_, PyAny>> = results
            .iter()
            .map(|r| {
                let fits = super::values::column(py, &self.name, std::slice::from_ref(r), &self.return_type).is_ok();
                if fits {
                    r.clone()
                } else {
                    none.clone()
                }
            })
            .collect();
        super::values::column(py, &self.name, &checked, &self.return_type)
    }
}

impl ScalarUDFImpl for PythonUdf {
    fn name(&self) -> &str {
        &self.name
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> DfResult<DataType> {
        Ok(self.return_type.clone())
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> DfResult<ColumnarValue> {
        let rows = args.number_rows;
        let inputs = args.args.iter().map(|a| a.to_array(rows)).collect::<DfResult<Vec<_>>>()?;
        if rows == 0 {
            return Ok(ColumnarValue::Array(new_null_array(&self.return_type, 0)));
        }
        let array = Python::attach(|py| {
            self.call(py, &inputs, rows)
                .map_err(|e| DataFusionError::Execution(format!("[PYTHON_UDF] {}: {}", self.name, e.value(py))))
        })?;
        debug_assert_eq!(array.len(), rows);
        Ok(ColumnarValue::Array(array))
    }
}

/// Register `function` (returning `return_type`, a Spark type name) as `name` in the session.
pub(super) fn register(
    session: &crate::runtime::sql::SqlSession,
    name: &str,
    function: Py<PyAny>,
    row: Py<PyAny>,
    return_type: &str,
) -> crate::error::Result<()> {
    let data_type = crate::core::types::parse_type(return_type)?;
    session.register_udf(Arc::new(PythonUdf::udf(name, function, row, data_type)));
    Ok(())
}
