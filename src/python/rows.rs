//! Arrow values as the Python values PySpark's `collect()` gives: `int`, `float`, `str`, `bool`,
//! `Decimal`, `datetime.date`, `datetime.datetime` (an instant as a naive local time of this
//! process, as PySpark's `fromtimestamp`; a `timestamp_ntz` as its wall-clock time),
//! `bytearray`, `list`, `dict` for maps, and a `Row` (built by the caller's factory) for structs.

use arrow_array::cast::AsArray;
use arrow_array::types::{
    Date32Type, Decimal128Type, DecimalType, DurationMicrosecondType, Float32Type, Float64Type, Int16Type, Int32Type,
    Int64Type, Int8Type, TimestampMicrosecondType, TimestampMillisecondType, TimestampNanosecondType,
    TimestampSecondType, UInt16Type, UInt32Type, UInt64Type, UInt8Type,
};
use arrow_array::{Array, RecordBatch};
use arrow_schema::{DataType, Fields, TimeUnit};
use pyo3::prelude::*;
use pyo3::types::{PyByteArray, PyDict, PyList, PyModule};

/// The Python modules and the `Row` factory values are built with.
struct Builders<'py> {
    row: Bound<'py, PyAny>,
    datetime: Bound<'py, PyModule>,
    decimal: Bound<'py, PyAny>,
}

impl<'py> Builders<'py> {
    fn new(py: Python<'py>, row: Bound<'py, PyAny>) -> PyResult<Self> {
        Ok(Self {
            row,
            datetime: PyModule::import(py, "datetime")?,
            decimal: PyModule::import(py, "decimal")?.getattr("Decimal")?,
        })
    }
}

/// Every row of `batches` as `row(names, values)`.
pub(super) fn rows<'py>(
    py: Python<'py>,
    batches: &[RecordBatch],
    row: Bound<'py, PyAny>,
) -> PyResult<Vec<Bound<'py, PyAny>>> {
    let builders = Builders::new(py, row)?;
    let mut out = Vec::new();
    for batch in batches {
        let names: Vec<String> = batch.schema().fields().iter().map(|f| f.name().clone()).collect();
        for i in 0..batch.num_rows() {
            let values =
                batch.columns().iter().map(|c| value(py, &builders, c.as_ref(), i)).collect::<PyResult<Vec<_>>>()?;
            out.push(builders.row.call1((names.clone(), values))?);
        }
    }
    Ok(out)
}

/// Every value of one column as Python values (a Python UDF's arguments).
pub(super) fn column_values<'py>(
    py: Python<'py>,
    column: &dyn Array,
    row: Bound<'py, PyAny>,
) -> PyResult<Vec<Bound<'py, PyAny>>> {
    let builders = Builders::new(py, row)?;
    (0..column.len()).map(|i| value(py, &builders, column, i)).collect()
}

fn value<'py>(py: Python<'py>, b: &Builders<'py>, column: &dyn Array, i: usize) -> PyResult<Bound<'py, PyAny>> {
    if column.is_null(i) || column.data_type() == &DataType::Null {
        return Ok(py.None().into_bound(py));
    }
    macro_rules! primitive {
        ($t:ty) => {
            column.as_primitive::<$t>().value(i).into_pyobject(py)?.into_any()
        };
    }
    Ok(match column.data_type() {
        DataType::Boolean => column.as_boolean().value(i).into_pyobject(py)?.to_owned().into_any(),
        DataType::Int8 => primitive!(Int8Type),
        DataType::Int16 => primitive!(Int16Type),
        DataType::Int32 => primitive!(Int32Type),
        DataType::Int64 => primitive!(Int64Type),
        DataType::UInt8 => primitive!(UInt8Type),
        DataType::UInt16 => primitive!(UInt16Type),
        DataType::UInt32 => primitive!(UInt32Type),
        DataType::UInt64 => primitive!(UInt64Type),
        DataType::Float32 => f64::from(column.as_primitive::<Float32Type>().value(i)).into_pyobject(py)?.into_any(),
        DataType::Float64 => primitive!(Float64Type),
        DataType::Utf8 => column.as_string::<i32>().value(i).into_pyobject(py)?.into_any(),
        DataType::LargeUtf8 => column.as_string::<i64>().value(i).into_pyobject(py)?.into_any(),
        DataType::Utf8View => column.as_string_view().value(i).into_pyobject(py)?.into_any(),
        DataType::Binary => PyByteArray::new(py, column.as_binary::<i32>().value(i)).into_any(),
        DataType::LargeBinary => PyByteArray::new(py, column.as_binary::<i64>().value(i)).into_any(),
        DataType::BinaryView => PyByteArray::new(py, column.as_binary_view().value(i)).into_any(),
        DataType::Decimal128(_, scale) => {
            let raw = column.as_primitive::<Decimal128Type>().value(i);
            b.decimal.call1((Decimal128Type::format_decimal(raw, 38, *scale),))?
        }
        DataType::Date32 => {
            let days = column.as_primitive::<Date32Type>().value(i);
            let epoch = b.datetime.getattr("date")?.call1((1970, 1, 1))?;
            epoch.call_method1("__add__", (b.datetime.getattr("timedelta")?.call1((days,))?,))?
        }
        DataType::Timestamp(unit, zone) => {
            let micros = match unit {
                TimeUnit::Second => column.as_primitive::<TimestampSecondType>().value(i).saturating_mul(1_000_000),
                TimeUnit::Millisecond => {
                    column.as_primitive::<TimestampMillisecondType>().value(i).saturating_mul(1_000)
                }
                TimeUnit::Microsecond => column.as_primitive::<TimestampMicrosecondType>().value(i),
                TimeUnit::Nanosecond => column.as_primitive::<TimestampNanosecondType>().value(i).div_euclid(1_000),
            };
            let datetime = b.datetime.getattr("datetime")?;
            let delta = b.datetime.getattr("timedelta")?.call1((
                0,
                micros.div_euclid(1_000_000),
                micros.rem_euclid(1_000_000),
            ))?;
            if zone.is_some() {
                // PySpark: `datetime.fromtimestamp(seconds)` in this process's zone, naive.
                let seconds = micros.div_euclid(1_000_000);
                let local = datetime.call_method1("fromtimestamp", (seconds,))?;
                let kwargs = PyDict::new(py);
                kwargs.set_item("microsecond", micros.rem_euclid(1_000_000))?;
                local.call_method("replace", (), Some(&kwargs))?
            } else {
                datetime.call1((1970, 1, 1))?.call_method1("__add__", (delta,))?
            }
        }
        DataType::Duration(TimeUnit::Microsecond) => {
            let micros = column.as_primitive::<DurationMicrosecondType>().value(i);
            b.datetime.getattr("timedelta")?.call1((0, 0, micros))?
        }
        DataType::List(_) => items(py, b, column.as_list::<i32>().value(i).as_ref())?,
        DataType::LargeList(_) => items(py, b, column.as_list::<i64>().value(i).as_ref())?,
        DataType::Map(..) => {
            let entries = column.as_map().value(i);
            let dict = PyDict::new(py);
            for j in 0..entries.len() {
                dict.set_item(
                    value(py, b, entries.column(0).as_ref(), j)?,
                    value(py, b, entries.column(1).as_ref(), j)?,
                )?;
            }
            dict.into_any()
        }
        DataType::Struct(fields) => structure(py, b, fields, column, i)?,
        other => {
            return Err(pyo3::exceptions::PyNotImplementedError::new_err(format!(
                "collect() of a {other} column is not supported by glueless"
            )))
        }
    })
}

fn items<'py>(py: Python<'py>, b: &Builders<'py>, values: &dyn Array) -> PyResult<Bound<'py, PyAny>> {
    let items = (0..values.len()).map(|j| value(py, b, values, j)).collect::<PyResult<Vec<_>>>()?;
    Ok(PyList::new(py, items)?.into_any())
}

fn structure<'py>(
    py: Python<'py>,
    b: &Builders<'py>,
    fields: &Fields,
    column: &dyn Array,
    i: usize,
) -> PyResult<Bound<'py, PyAny>> {
    let names: Vec<String> = fields.iter().map(|f| f.name().clone()).collect();
    let values =
        column.as_struct().columns().iter().map(|c| value(py, b, c.as_ref(), i)).collect::<PyResult<Vec<_>>>()?;
    b.row.call1((names, values))
}
