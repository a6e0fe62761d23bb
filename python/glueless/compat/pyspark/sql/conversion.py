"""``spark.createDataFrame``: Python rows, pandas DataFrames and Arrow tables as a DataFrame, with
PySpark's schema inference (the field names and types of ``_infer_schema``, merged over every row)
and its conversion rules (the core converts each value to its field's type, or refuses it with
Spark's ``FIELD_DATA_TYPE_UNACCEPTABLE``)."""

from __future__ import annotations

import datetime as _dt
import decimal as _decimal
from typing import Any, Optional

from glueless.compat._unsupported import unsupported
from glueless.compat.pyspark.sql.types import (
    ArrayType,
    BinaryType,
    BooleanType,
    DataType,
    DateType,
    DecimalType,
    DoubleType,
    LongType,
    MapType,
    NullType,
    Row,
    StringType,
    StructField,
    StructType,
    TimestampType,
    _parse_schema,
)


def _error(error_class: str, text: str) -> Exception:
    from glueless.exceptions import SqlError

    return SqlError(f"[{error_class}] {text}")


def infer_type(value: Any) -> DataType:
    """The Spark type PySpark infers for one Python value."""
    if value is None:
        return NullType()
    if isinstance(value, bool):
        return BooleanType()
    if isinstance(value, int):
        return LongType()
    if isinstance(value, float):
        return DoubleType()
    if isinstance(value, str):
        return StringType()
    if isinstance(value, _decimal.Decimal):
        return DecimalType(38, 18)
    if isinstance(value, (bytes, bytearray)):
        return BinaryType()
    if isinstance(value, _dt.datetime):
        return TimestampType()
    if isinstance(value, _dt.date):
        return DateType()
    if isinstance(value, dict):
        key: DataType = NullType()
        item: DataType = NullType()
        for k, v in value.items():
            key, item = merge(key, infer_type(k)), merge(item, infer_type(v))
        return MapType(key, item)
    # A tuple (a Row, a namedtuple) is a struct; a list is an array.
    if isinstance(value, tuple):
        return infer_struct(value)
    if isinstance(value, list):
        element: DataType = NullType()
        for v in value:
            element = merge(element, infer_type(v))
        return ArrayType(element)
    raise _error("CANNOT_INFER_TYPE_FOR_FIELD", f"Unable to infer the type of the field: {type(value).__name__}.")


def _is_namedtuple(value: Any) -> bool:
    return isinstance(value, tuple) and hasattr(value, "_fields")


def _names_and_values(row: Any) -> tuple[list[str], list[Any]]:
    """A row's field names (``_1``, ``_2`` … for a plain tuple) and values; a dict's in key order."""
    if isinstance(row, dict):
        items = sorted(row.items())
        return [str(k) for k, _ in items], [v for _, v in items]
    if isinstance(row, Row) and row.__fields__:
        return list(row.__fields__), list(row)
    if _is_namedtuple(row):
        return list(row._fields), list(row)
    if isinstance(row, (tuple, list)):
        return [f"_{i + 1}" for i in range(len(row))], list(row)
    if hasattr(row, "__dict__"):
        items = sorted(vars(row).items())
        return [k for k, _ in items], [v for _, v in items]
    raise _error("CANNOT_INFER_SCHEMA_FOR_TYPE", f"Can not infer schema for type: `{type(row).__name__}`.")


def infer_struct(row: Any) -> StructType:
    names, values = _names_and_values(row)
    return StructType([StructField(n, infer_type(v), True) for n, v in zip(names, values)])


def merge(a: DataType, b: DataType) -> DataType:
    """Two inferred types as one (``_merge_type``): a NULL takes the other's type."""
    if isinstance(a, NullType):
        return b
    if isinstance(b, NullType):
        return a
    if isinstance(a, StructType) and isinstance(b, StructType):
        by_name = {f.name: f for f in b.fields}
        fields = [
            StructField(f.name, merge(f.dataType, by_name[f.name].dataType) if f.name in by_name else f.dataType)
            for f in a.fields
        ]
        known = {f.name for f in a.fields}
        fields += [f for f in b.fields if f.name not in known]
        return StructType(fields)
    if isinstance(a, ArrayType) and isinstance(b, ArrayType):
        return ArrayType(merge(a.elementType, b.elementType))
    if isinstance(a, MapType) and isinstance(b, MapType):
        return MapType(merge(a.keyType, b.keyType), merge(a.valueType, b.valueType))
    if a == b:
        return a
    raise _error("CANNOT_MERGE_TYPE", f"Can not merge type `{type(a).__name__}` and `{type(b).__name__}`.")


def _has_null_type(t: DataType) -> bool:
    if isinstance(t, NullType):
        return True
    if isinstance(t, ArrayType):
        return _has_null_type(t.elementType)
    if isinstance(t, MapType):
        return _has_null_type(t.keyType) or _has_null_type(t.valueType)
    if isinstance(t, StructType):
        return any(_has_null_type(f.dataType) for f in t.fields)
    return False


def _values_in_order(row: Any, schema: StructType) -> list[Any]:
    """A row's values in the schema's field order: a dict or a keyword ``Row`` by name, a tuple
    by position."""
    names = schema.names
    if isinstance(row, dict):
        return [row.get(n) for n in names]
    if isinstance(row, Row) and row.__fields__ and set(row.__fields__) >= set(names) and len(names) == len(row):
        return [row[n] for n in names]
    if isinstance(row, (tuple, list)):
        if len(row) != len(names):
            raise _error(
                "AXIS_LENGTH_MISMATCH",
                f"Length mismatch: Expected axis has {len(names)} elements, new values have {len(row)} elements.",
            )
        return list(row)
    if hasattr(row, "__dict__"):
        return [vars(row).get(n) for n in names]
    return [row]


def create_dataframe(spark: Any, data: Any, schema: Any = None, verify: bool = True) -> Any:
    """``spark.createDataFrame(data, schema)``."""
    from glueless.compat.pyspark.sql.dataframe import DataFrame

    session = spark._session
    if type(data).__name__ == "DataFrame" and hasattr(data, "to_records") or hasattr(data, "__arrow_c_stream__"):
        return _from_arrow(spark, data, schema)
    if isinstance(data, DataFrame):
        unsupported("SparkSession.createDataFrame", "from a DataFrame")
    if not isinstance(data, (list, tuple)):
        if hasattr(data, "__iter__") and not isinstance(data, (str, bytes, dict)):
            data = list(data)
        else:
            unsupported("SparkSession.createDataFrame", f"from a {type(data).__name__} (an RDD or other non-list data)")

    names: Optional[list[str]] = None
    if isinstance(schema, str):
        schema = _parse_schema(schema)
    if isinstance(schema, (list, tuple)):
        names, schema = [str(n) for n in schema], None
    if isinstance(schema, DataType) and not isinstance(schema, StructType):
        # One type: each item is a value of the column `value`.
        struct = StructType([StructField("value", schema, True)])
        rows = [[item] for item in data]
        return DataFrame(session.frame_of_rows(rows, _fields(struct)), spark)
    if schema is None:
        inferred: DataType = NullType()
        for row in data:
            inferred = merge(inferred, infer_struct(row))
        if not isinstance(inferred, StructType):
            raise _error("CANNOT_INFER_EMPTY_SCHEMA", "Can not infer schema from an empty dataset.")
        if names:
            renamed = [StructField(n, f.dataType, True) for n, f in zip(names, inferred.fields)]
            inferred = StructType(renamed + inferred.fields[len(names) :])
        for f in inferred.fields:
            if _has_null_type(f.dataType):
                raise _error("CANNOT_DETERMINE_TYPE", "Some of types cannot be determined after inferring.")
        struct = inferred
        rows = [_values_of_inferred(row) for row in data]
    else:
        struct = schema
        rows = [_values_in_order(row, struct) for row in data]
    return DataFrame(session.frame_of_rows(rows, _fields(struct)), spark)


def _values_of_inferred(row: Any) -> list[Any]:
    return _names_and_values(row)[1]


def _fields(struct: StructType) -> list[tuple[str, str, bool]]:
    return [(f.name, f.dataType.simpleString(), f.nullable) for f in struct.fields]


def _from_arrow(spark: Any, data: Any, schema: Any) -> Any:
    """A pandas DataFrame or Arrow table (anything with ``__arrow_c_stream__``)."""
    from glueless.compat.pyspark.sql.dataframe import DataFrame

    if not hasattr(data, "__arrow_c_stream__"):
        try:
            import pyarrow as pa
        except ImportError:
            unsupported("SparkSession.createDataFrame", 'from pandas without pyarrow (pip install "glueless[spark]")')
        data = pa.Table.from_pandas(data, preserve_index=False)
    df = DataFrame(spark._session.frame(data), spark)
    if schema is None:
        return df
    if isinstance(schema, str):
        schema = _parse_schema(schema)
    if isinstance(schema, (list, tuple)):
        return df.toDF(*schema)
    if isinstance(schema, StructType):
        return df.toDF(*schema.names).selectExpr(
            *[f"CAST(`{f.name}` AS {f.dataType.simpleString()}) AS `{f.name}`" for f in schema.fields]
        )
    return df
