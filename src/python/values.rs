//! Python values as Arrow columns of a given type, as PySpark's `createDataFrame` converts them
//! (the reverse of `rows.rs`): `int`, `float`, `str`, `bool`, `Decimal`, `date`, `datetime` (naive
//! as this process's local time for `timestamp`, as wall-clock time for `timestamp_ntz`), `bytes`
//! / `bytearray`, lists for arrays, dicts for maps, and tuples, `Row`s or dicts for structs.
//! A value of the wrong kind is Spark's `FIELD_DATA_TYPE_UNACCEPTABLE`.

use std::sync::Arc;

use arrow_array::builder::{
    BinaryBuilder, BooleanBuilder, Date32Builder, Decimal128Builder, Float32Builder, Float64Builder, Int16Builder,
    Int32Builder, Int64Builder, Int8Builder, StringBuilder, TimestampMicrosecondBuilder,
};
use arrow_array::{new_null_array, ArrayRef, ListArray, MapArray, StructArray};
use arrow_buffer::{NullBuffer, OffsetBuffer};
use arrow_schema::{DataType, Field, TimeUnit};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyByteArray, PyBytes, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};

use crate::core::types::{display_name, Dialect};

/// One column of `values` (`None` for a null) as an Arrow array of `data_type`; `field` names the
/// column in errors.
pub(super) fn column(
    py: Python<'_>,
    field: &str,
    values: &[Bound<'_, PyAny>],
    data_type: &DataType,
) -> PyResult<ArrayRef> {
    let datetime = py.import("datetime")?;
    let ctx = Context { field, datetime: &datetime };
    build(&ctx, values, data_type)
}

struct Context<'a, 'py> {
    field: &'a str,
    datetime: &'a Bound<'py, PyModule>,
}

fn refuse(ctx: &Context<'_, '_>, data_type: &DataType, value: &Bound<'_, PyAny>) -> PyErr {
    let shown = value.repr().map(|r| r.to_string()).unwrap_or_default();
    let class = value.get_type().repr().map(|r| r.to_string()).unwrap_or_default();
    PyTypeError::new_err(format!(
        "[FIELD_DATA_TYPE_UNACCEPTABLE] field `{}`: {} can not accept object {shown} in type {class}.",
        ctx.field,
        display_name(data_type, Dialect::Spark)
    ))
}

macro_rules! integers {
    ($ctx:expr, $values:expr, $dt:expr, $builder:ty, $t:ty) => {{
        let mut b = <$builder>::with_capacity($values.len());
        for v in $values {
            if v.is_none() {
                b.append_null();
            } else if v.is_instance_of::<PyInt>() && !v.is_instance_of::<PyBool>() {
                let n: i64 = v.extract().map_err(|_| refuse($ctx, $dt, v))?;
                let n = <$t>::try_from(n).map_err(|_| refuse($ctx, $dt, v))?;
                b.append_value(n);
            } else {
                return Err(refuse($ctx, $dt, v));
            }
        }
        Arc::new(b.finish()) as ArrayRef
    }};
}

fn build(ctx: &Context<'_, '_>, values: &[Bound<'_, PyAny>], data_type: &DataType) -> PyResult<ArrayRef> {
    Ok(match data_type {
        DataType::Null => {
            if let Some(v) = values.iter().find(|v| !v.is_none()) {
                return Err(refuse(ctx, data_type, v));
            }
            new_null_array(data_type, values.len())
        }
        DataType::Boolean => {
            let mut b = BooleanBuilder::with_capacity(values.len());
            for v in values {
                if v.is_none() {
                    b.append_null();
                } else if v.is_instance_of::<PyBool>() {
                    b.append_value(v.extract()?);
                } else {
                    return Err(refuse(ctx, data_type, v));
                }
            }
            Arc::new(b.finish())
        }
        DataType::Int8 => integers!(ctx, values, data_type, Int8Builder, i8),
        DataType::Int16 => integers!(ctx, values, data_type, Int16Builder, i16),
        DataType::Int32 => integers!(ctx, values, data_type, Int32Builder, i32),
        DataType::Int64 => integers!(ctx, values, data_type, Int64Builder, i64),
        DataType::Float32 | DataType::Float64 => {
            let mut doubles = Vec::with_capacity(values.len());
            for v in values {
                if v.is_none() {
                    doubles.push(None);
                } else if v.is_instance_of::<PyFloat>() {
                    doubles.push(Some(v.extract::<f64>()?));
                } else {
                    return Err(refuse(ctx, data_type, v));
                }
            }
            if data_type == &DataType::Float32 {
                let mut b = Float32Builder::with_capacity(values.len());
                #[allow(clippy::cast_possible_truncation)] // Spark's float is a 32-bit float
                for d in &doubles {
                    b.append_option(d.map(|d| d as f32));
                }
                Arc::new(b.finish())
            } else {
                let mut b = Float64Builder::with_capacity(values.len());
                for d in &doubles {
                    b.append_option(*d);
                }
                Arc::new(b.finish())
            }
        }
        DataType::Utf8 => {
            let mut b = StringBuilder::with_capacity(values.len(), values.len() * 8);
            for v in values {
                if v.is_none() {
                    b.append_null();
                } else if let Ok(s) = v.cast::<PyString>() {
                    b.append_value(s.to_cow()?);
                } else {
                    return Err(refuse(ctx, data_type, v));
                }
            }
            Arc::new(b.finish())
        }
        DataType::Binary => {
            let mut b = BinaryBuilder::with_capacity(values.len(), values.len() * 8);
            for v in values {
                if v.is_none() {
                    b.append_null();
                } else if let Ok(bytes) = v.cast::<PyBytes>() {
                    b.append_value(bytes.as_bytes());
                } else if let Ok(bytes) = v.cast::<PyByteArray>() {
                    b.append_value(bytes.to_vec());
                } else {
                    return Err(refuse(ctx, data_type, v));
                }
            }
            Arc::new(b.finish())
        }
        DataType::Date32 | DataType::Timestamp(TimeUnit::Microsecond, _) => temporal(ctx, values, data_type)?,
        DataType::List(element) => list(ctx, values, data_type, element)?,
        DataType::Map(entries, sorted) => map(ctx, values, data_type, entries, *sorted)?,
        DataType::Struct(fields) => structure(ctx, values, data_type, fields)?,
        DataType::Decimal128(precision, scale) => decimal(ctx, values, data_type, *precision, *scale)?,
        other => {
            return Err(PyTypeError::new_err(format!(
                "createDataFrame of a {} column is not supported by glueless",
                display_name(other, Dialect::Spark)
            )))
        }
    })
}

fn temporal(ctx: &Context<'_, '_>, values: &[Bound<'_, PyAny>], data_type: &DataType) -> PyResult<ArrayRef> {
    Ok(match data_type {
        DataType::Date32 => {
            let (date, datetime) = (ctx.datetime.getattr("date")?, ctx.datetime.getattr("datetime")?);
            let mut b = Date32Builder::with_capacity(values.len());
            for v in values {
                if v.is_none() {
                    b.append_null();
                } else if v.is_instance(&date)? {
                    // A datetime is a date too: Spark takes its date part.
                    let day = if v.is_instance(&datetime)? { v.call_method0("date")? } else { v.clone() };
                    let ordinal: i64 = day.call_method0("toordinal")?.extract()?;
                    b.append_value(i32::try_from(ordinal - 719_163).map_err(|_| refuse(ctx, data_type, v))?);
                } else {
                    return Err(refuse(ctx, data_type, v));
                }
            }
            Arc::new(b.finish())
        }
        DataType::Timestamp(TimeUnit::Microsecond, zone) => {
            let datetime = ctx.datetime.getattr("datetime")?;
            let mut b = TimestampMicrosecondBuilder::with_capacity(values.len());
            for v in values {
                if v.is_none() {
                    b.append_null();
                } else if v.is_instance(&datetime)? {
                    b.append_value(micros(ctx, v, zone.is_some())?);
                } else {
                    return Err(refuse(ctx, data_type, v));
                }
            }
            Arc::new(b.finish().with_timezone_opt(zone.clone()))
        }
        other => return Err(PyTypeError::new_err(format!("{other} is not a date or timestamp type"))),
    })
}

fn list(
    ctx: &Context<'_, '_>,
    values: &[Bound<'_, PyAny>],
    data_type: &DataType,
    element: &Arc<Field>,
) -> PyResult<ArrayRef> {
    let (mut offsets, mut children, mut valid) = (vec![0i32], Vec::new(), Vec::with_capacity(values.len()));
    for v in values {
        if v.is_none() {
            valid.push(false);
        } else if v.is_instance_of::<PyList>() || v.is_instance_of::<PyTuple>() {
            children.extend(v.try_iter()?.collect::<PyResult<Vec<_>>>()?);
            valid.push(true);
        } else {
            return Err(refuse(ctx, data_type, v));
        }
        offsets.push(i32::try_from(children.len()).map_err(|_| refuse(ctx, data_type, v))?);
    }
    let child = build(ctx, &children, element.data_type())?;
    let element = Arc::new(Field::new(element.name(), element.data_type().clone(), true));
    Ok(Arc::new(ListArray::new(element, OffsetBuffer::new(offsets.into()), child, Some(NullBuffer::from(valid)))))
}

fn map(
    ctx: &Context<'_, '_>,
    values: &[Bound<'_, PyAny>],
    data_type: &DataType,
    entries: &Arc<Field>,
    sorted: bool,
) -> PyResult<ArrayRef> {
    let DataType::Struct(kv) = entries.data_type() else {
        return Err(PyTypeError::new_err(format!("map entries of {data_type}")));
    };
    let (mut offsets, mut keys, mut items, mut valid) = (vec![0i32], Vec::new(), Vec::new(), Vec::new());
    for v in values {
        if v.is_none() {
            valid.push(false);
        } else if let Ok(dict) = v.cast::<PyDict>() {
            for (k, item) in dict.iter() {
                keys.push(k);
                items.push(item);
            }
            valid.push(true);
        } else {
            return Err(refuse(ctx, data_type, v));
        }
        offsets.push(i32::try_from(keys.len()).map_err(|_| refuse(ctx, data_type, v))?);
    }
    let key_array = build(ctx, &keys, kv[0].data_type())?;
    let item_array = build(ctx, &items, kv[1].data_type())?;
    let entry_array =
        StructArray::try_new(kv.clone(), vec![key_array, item_array], None).map_err(crate::Error::from)?;
    Ok(Arc::new(
        MapArray::try_new(
            entries.clone(),
            OffsetBuffer::new(offsets.into()),
            entry_array,
            Some(NullBuffer::from(valid)),
            sorted,
        )
        .map_err(crate::Error::from)?,
    ))
}

fn structure(
    ctx: &Context<'_, '_>,
    values: &[Bound<'_, PyAny>],
    data_type: &DataType,
    fields: &arrow_schema::Fields,
) -> PyResult<ArrayRef> {
    let py = ctx.datetime.py();
    let none = py.None().into_bound(py);
    let mut per_field: Vec<Vec<Bound<'_, PyAny>>> = vec![Vec::with_capacity(values.len()); fields.len()];
    let mut valid = Vec::with_capacity(values.len());
    for v in values {
        if v.is_none() {
            for f in &mut per_field {
                f.push(none.clone());
            }
            valid.push(false);
            continue;
        }
        valid.push(true);
        if let Ok(dict) = v.cast::<PyDict>() {
            for (f, field) in per_field.iter_mut().zip(fields.iter()) {
                f.push(dict.get_item(field.name())?.unwrap_or_else(|| none.clone()));
            }
        } else if v.is_instance_of::<PyTuple>() || v.is_instance_of::<PyList>() {
            let items: Vec<_> = v.try_iter()?.collect::<PyResult<_>>()?;
            if items.len() != fields.len() {
                return Err(PyTypeError::new_err(format!(
                    "[LENGTH_SHOULD_BE_THE_SAME] field `{}`: {} values for the {} fields of {}.",
                    ctx.field,
                    items.len(),
                    fields.len(),
                    display_name(data_type, Dialect::Spark)
                )));
            }
            per_field.iter_mut().zip(items).for_each(|(f, item)| f.push(item));
        } else {
            return Err(refuse(ctx, data_type, v));
        }
    }
    let mut columns = Vec::with_capacity(fields.len());
    for (f, field) in per_field.iter().zip(fields.iter()) {
        let inner = Context { field: field.name(), datetime: ctx.datetime };
        columns.push(build(&inner, f, field.data_type())?);
    }
    let nullable: Vec<Arc<Field>> =
        fields.iter().map(|f| Arc::new(Field::new(f.name(), f.data_type().clone(), true))).collect();
    Ok(Arc::new(
        StructArray::try_new(nullable.into(), columns, Some(NullBuffer::from(valid))).map_err(crate::Error::from)?,
    ))
}

fn decimal(
    ctx: &Context<'_, '_>,
    values: &[Bound<'_, PyAny>],
    data_type: &DataType,
    precision: u8,
    scale: i8,
) -> PyResult<ArrayRef> {
    let decimal = ctx.datetime.py().import("decimal")?.getattr("Decimal")?;
    let mut b = Decimal128Builder::with_capacity(values.len());
    for v in values {
        if v.is_none() {
            b.append_null();
        } else if v.is_instance(&decimal)? {
            b.append_value(unscaled(ctx, data_type, v, precision, scale)?);
        } else {
            return Err(refuse(ctx, data_type, v));
        }
    }
    Ok(Arc::new(b.finish().with_precision_and_scale(precision, scale).map_err(crate::Error::from)?))
}

/// A `Decimal` as the unscaled integer of `decimal(precision, scale)`, rounded half up as Spark.
fn unscaled(
    ctx: &Context<'_, '_>,
    data_type: &DataType,
    v: &Bound<'_, PyAny>,
    precision: u8,
    scale: i8,
) -> PyResult<i128> {
    let py = v.py();
    let decimal = py.import("decimal")?;
    let quantum = decimal.getattr("Decimal")?.call1((format!("1e{}", -i32::from(scale)),))?;
    let kwargs = PyDict::new(py);
    kwargs.set_item("rounding", decimal.getattr("ROUND_HALF_UP")?)?;
    let rounded = v.call_method("quantize", (quantum,), Some(&kwargs)).map_err(|_| refuse(ctx, data_type, v))?;
    let (sign, digits, _exp): (i32, Vec<u32>, Bound<'_, PyAny>) = rounded.call_method0("as_tuple")?.extract()?;
    if digits.len() > usize::from(precision)
        && digits.iter().take(digits.len() - usize::from(precision)).any(|d| *d != 0)
    {
        return Err(refuse(ctx, data_type, v));
    }
    let mut n: i128 = 0;
    for d in digits {
        n = n.checked_mul(10).and_then(|n| n.checked_add(i128::from(d))).ok_or_else(|| refuse(ctx, data_type, v))?;
    }
    Ok(if sign == 1 { -n } else { n })
}

/// Microseconds since the epoch of a `datetime`: an instant (`zoned`) from a naive value in this
/// process's zone as PySpark's `time.mktime`, or from an aware one's offset; a `timestamp_ntz` from
/// its wall-clock fields.
fn micros(ctx: &Context<'_, '_>, v: &Bound<'_, PyAny>, zoned: bool) -> PyResult<i64> {
    let fraction: i64 = v.getattr("microsecond")?.extract()?;
    let kwargs = PyDict::new(v.py());
    kwargs.set_item("microsecond", 0)?;
    if !zoned && v.getattr("tzinfo")?.is_none() {
        kwargs.set_item("tzinfo", ctx.datetime.getattr("timezone")?.getattr("utc")?)?;
    }
    // Whole seconds are exact in a double.
    let seconds: f64 = v.call_method("replace", (), Some(&kwargs))?.call_method0("timestamp")?.extract()?;
    #[allow(clippy::cast_possible_truncation)]
    Ok(seconds as i64 * 1_000_000 + fraction)
}
