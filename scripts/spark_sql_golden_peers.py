"""Peer engines for `scripts/spark_sql_golden.py`: the same golden tests scored on other engines.

    pyspark   real Spark 3.5 (classic, local[1]) through PySpark 3.5; its JVM's own `HiveResult`
              gives the rows, so this engine checks the harness itself (it should pass nearly all).
    connect   any Spark Connect server (Sail, Spark's own) through a PySpark Connect client; the
              rows come back as Arrow and are written here as `HiveResult` text. (Checked against
              Spark 3.5's own `HiveResult` on the golden answers Arrow can carry: all alike. Known
              gap: JDK 17's `Double.toString` sometimes writes more digits than the shortest,
              e.g. 1.9999999999999998E23 where this writes 2.0E23.)

Each engine answers `answer(query) -> (schema, rows)`: the schema as Spark's `catalogString`
(`struct<a:int,count(b):bigint>`) and the rows as the `.sql.out` files hold them (one string a
row, values tab-separated). A failing query raises. PySpark is imported lazily: each engine runs
in a venv of its own (PySpark 3.5 for `pyspark`, a 4.x client for `connect`).
"""

from __future__ import annotations

import atexit
import datetime as dt
import math
import re
import shutil
import struct
import tempfile
from decimal import Decimal
from typing import Any, Optional

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
_EPOCH_DATE = dt.date(1970, 1, 1)
_MICROS_PER_UNIT = {"s": 1_000_000, "ms": 1_000, "us": 1, "ns": None}
_MICROS_PER_MINUTE = 60_000_000
_MICROS_PER_HOUR = 60 * _MICROS_PER_MINUTE
_MICROS_PER_DAY = 24 * _MICROS_PER_HOUR


def open_engine(engine: str, remote: Optional[str], zone: str) -> object:
    """The peer engine named `engine` (`pyspark` or `connect`), its session in time zone `zone`."""
    if engine == "pyspark":
        return PySparkEngine(zone)
    if engine == "connect":
        if not remote:
            raise ValueError("--engine connect needs --remote sc://HOST:PORT")
        return ConnectEngine(remote, zone)
    raise ValueError(f"unknown engine {engine!r}: glueless, pyspark or connect")


class PySparkEngine:
    """Real Spark 3.5 in a local JVM: the schema and `HiveResult` text straight from Spark."""

    def __init__(self, zone: str) -> None:
        from pyspark.sql import SparkSession  # type: ignore[import-not-found,unused-ignore]

        # Tables the golden files create go to a scratch warehouse, never the working directory.
        warehouse = tempfile.mkdtemp(prefix="spark-golden-warehouse-")
        atexit.register(shutil.rmtree, warehouse, True)
        java_options = f"-Duser.timezone={zone} -Duser.language=en -Duser.country=US"
        self.spark = (
            SparkSession.builder.master("local[1]")
            .appName("spark_sql_golden")
            .config("spark.ui.enabled", "false")
            .config("spark.sql.warehouse.dir", warehouse)
            .config("spark.driver.extraJavaOptions", java_options)
            .config("spark.sql.shuffle.partitions", "4")  # as Spark's SQLQueryTestSuite
            .config("spark.sql.session.timeZone", zone)
            .config("spark.sql.ansi.enabled", "false")
            .getOrCreate()
        )
        self.spark.sparkContext.setLogLevel("ERROR")
        jvm: Any = self.spark._jvm
        self._hive_result = jvm.org.apache.spark.sql.execution.HiveResult
        self._as_java = jvm.scala.collection.JavaConverters

    def set(self, key: str, value: str) -> None:
        """Set a Spark conf in the session."""
        self.spark.conf.set(key, value)

    def answer(self, query: str) -> tuple[str, list[str]]:
        """The query's `catalogString` schema and its rows as `HiveResult` text."""
        frame = self.spark.sql(query)._jdf
        schema = str(frame.schema().catalogString())
        rows = self._hive_result.hiveResultString(frame.queryExecution().executedPlan())
        return schema, [str(row) for row in self._as_java.seqAsJavaList(rows)]


class ConnectEngine:
    """A Spark Connect server: Arrow batches written as `HiveResult` text here (no JVM)."""

    def __init__(self, remote: str, zone: str) -> None:
        from pyspark.sql import SparkSession  # type: ignore[import-not-found,unused-ignore]

        self.spark = SparkSession.builder.remote(remote).getOrCreate()
        self.zone = zone
        self.spark.conf.set("spark.sql.session.timeZone", zone)
        self.spark.conf.set("spark.sql.ansi.enabled", "false")

    def set(self, key: str, value: str) -> None:
        """Set a Spark conf in the session."""
        self.spark.conf.set(key, value)
        if key == "spark.sql.session.timeZone":
            self.zone = value

    def answer(self, query: str) -> tuple[str, list[str]]:
        """The query's `catalogString` schema and its rows as `HiveResult` text."""
        frame: Any = self.spark.sql(query)
        # The client's Arrow result: `collect()` cannot carry year-month intervals.
        table, schema = frame._to_table()
        if schema is None:
            schema = frame.schema
        if re.search(r"time\s*zone", query, re.I):  # SET TIME ZONE changes the rows' zone
            self.zone = self.spark.conf.get("spark.sql.session.timeZone") or self.zone
        return catalog_string(schema), hive_rows(table, schema, self.zone)


def hive_rows(table: Any, schema: Any, zone: str) -> list[str]:
    """An Arrow table's rows as `HiveResult` text (`schema`: its PySpark `StructType`)."""
    fields = schema.fields if len(schema.fields) == table.num_columns else [None] * table.num_columns
    columns = [
        _texts(column.combine_chunks(), False, zone, field and field.dataType)
        for column, field in zip(_readable(table).columns, fields)
    ]
    return ["\t".join(values) for values in zip(*columns)] if columns else []


def catalog_string(data_type: Any) -> str:
    """Spark's `DataType.catalogString` of a PySpark type (`struct<a:int,b:array<string>>`)."""
    from pyspark.sql import types as T  # type: ignore[import-not-found,unused-ignore]

    if isinstance(data_type, T.StructType):
        return "struct<" + ",".join(f"{f.name}:{catalog_string(f.dataType)}" for f in data_type.fields) + ">"
    if isinstance(data_type, T.ArrayType):
        return f"array<{catalog_string(data_type.elementType)}>"
    if isinstance(data_type, T.MapType):
        return f"map<{catalog_string(data_type.keyType)},{catalog_string(data_type.valueType)}>"
    if isinstance(data_type, T.StringType):
        return "string"
    return str(data_type.simpleString())


def _texts(array: Any, nested: bool, zone: str, spark_type: Any = None) -> list[str]:
    """An Arrow array's values as `HiveResult.toHiveString` writes them (NULL, or null when nested).

    The Arrow type decides how a value reads; the Spark type, when known, adds what Arrow does not
    carry: an interval's end field (`INTERVAL HOUR TO MINUTE` is written without its seconds).
    """
    import pyarrow as pa  # type: ignore[import-not-found,unused-ignore]

    kind = array.type
    null = "null" if nested else "NULL"
    valid = array.is_valid().to_pylist()
    if pa.types.is_dictionary(kind):
        return _texts(array.dictionary_decode(), nested, zone, spark_type)
    if pa.types.is_struct(kind):
        names = [kind.field(i).name for i in range(kind.num_fields)]
        spark_fields = getattr(spark_type, "fields", None) or []
        types = [f.dataType for f in spark_fields] if len(spark_fields) == kind.num_fields else [None] * len(names)
        fields = [_texts(child, True, zone, t) for child, t in zip(array.flatten(), types)]
        return [
            "{" + ",".join(f'"{name}":{values[i]}' for name, values in zip(names, fields)) + "}" if ok else null
            for i, ok in enumerate(valid)
        ]
    if pa.types.is_map(kind):
        # `keys`, `items` and `offsets` are the whole children and absolute offsets (slices included).
        keys = _texts(array.keys, True, zone, getattr(spark_type, "keyType", None))
        items = _texts(array.items, True, zone, getattr(spark_type, "valueType", None))
        pairs = [f"{k}:{v}" for k, v in zip(keys, items)]
        groups = _groups(array.offsets.to_pylist(), pairs)
        return ["{" + ",".join(sorted(group)) + "}" if ok else null for ok, group in zip(valid, groups)]
    if pa.types.is_list(kind) or pa.types.is_large_list(kind):
        element = getattr(spark_type, "elementType", None)
        groups = _groups(array.offsets.to_pylist(), _texts(array.values, True, zone, element))
        return ["[" + ",".join(group) + "]" if ok else null for ok, group in zip(valid, groups)]
    if pa.types.is_fixed_size_list(kind):
        size = kind.list_size
        items = _texts(array.values, True, zone, getattr(spark_type, "elementType", None))
        offsets = [(array.offset + i) * size for i in range(len(array) + 1)]
        return ["[" + ",".join(group) + "]" if ok else null for ok, group in zip(valid, _groups(offsets, items))]
    end = _interval_end(spark_type)
    return [_leaf(value, kind, nested, zone, end) if ok else null for value, ok in zip(_raw(array), valid)]


def _groups(offsets: list[int], items: list[str]) -> list[list[str]]:
    """A list array's child values cut back into each row's list by its offsets."""
    return [items[start:stop] for start, stop in zip(offsets, offsets[1:])]


def _readable(table: Any) -> Any:
    """The table with year-month intervals as `time32[s]` (same layout): pyarrow cannot hold an
    array of Arrow's `month_interval` (it has no array class for it), so the record batches are
    read back from IPC under that stand-in type, which `_leaf` writes as a year-month interval."""
    import pyarrow as pa  # type: ignore[import-not-found,unused-ignore]

    schema = table.schema
    readable = pa.schema([field.with_type(_stand_in(field.type)) for field in schema], metadata=schema.metadata)
    if readable.equals(schema):
        return table
    batches = [pa.ipc.read_record_batch(batch.serialize(), readable) for batch in table.to_batches()]
    return pa.Table.from_batches(batches, readable)


def _stand_in(kind: Any) -> Any:
    """`kind` with each `month_interval` inside it replaced by `time32[s]`."""
    import pyarrow as pa  # type: ignore[import-not-found,unused-ignore]

    if str(kind) == "month_interval":
        return pa.time32("s")
    if pa.types.is_list(kind):
        return pa.list_(kind.value_field.with_type(_stand_in(kind.value_type)))
    if pa.types.is_large_list(kind):
        return pa.large_list(kind.value_field.with_type(_stand_in(kind.value_type)))
    if pa.types.is_map(kind):
        key, item = kind.key_field, kind.item_field
        return pa.map_(key.with_type(_stand_in(key.type)), item.with_type(_stand_in(item.type)), kind.keys_sorted)
    if pa.types.is_struct(kind):
        return pa.struct([kind.field(i).with_type(_stand_in(kind.field(i).type)) for i in range(kind.num_fields)])
    return kind


def _raw(array: Any) -> list[Any]:
    """An Arrow leaf array's values as Python objects; temporal values as plain integers."""
    import pyarrow as pa  # type: ignore[import-not-found,unused-ignore]

    kind = array.type
    if pa.types.is_timestamp(kind) or pa.types.is_duration(kind) or pa.types.is_date64(kind):
        return list(array.view(pa.int64()).to_pylist())
    if pa.types.is_date32(kind) or pa.types.is_time32(kind):
        return list(array.view(pa.int32()).to_pylist())
    return list(array.to_pylist())


def _interval_end(spark_type: Any) -> Optional[int]:
    """A Spark interval type's end field (DAY 0 .. SECOND 3, YEAR 0 / MONTH 1); None otherwise."""
    if type(spark_type).__name__ in ("DayTimeIntervalType", "YearMonthIntervalType"):
        return int(spark_type.endField)
    return None


def _leaf(value: Any, kind: Any, nested: bool, zone: str, end: Optional[int] = None) -> str:
    """One non-null scalar as `HiveResult` text, by its Arrow type (`end`: its interval's end field)."""
    import pyarrow as pa  # type: ignore[import-not-found,unused-ignore]

    if pa.types.is_boolean(kind):
        return "true" if value else "false"
    if pa.types.is_integer(kind):
        return str(value)
    if pa.types.is_float32(kind) or pa.types.is_float16(kind):
        return java_float(value)
    if pa.types.is_floating(kind):
        return java_double(value)
    if pa.types.is_decimal(kind):
        return format(Decimal(value), "f")
    if pa.types.is_string(kind) or pa.types.is_large_string(kind) or pa.types.is_string_view(kind):
        return f'"{value}"' if nested else str(value)
    if pa.types.is_binary(kind) or pa.types.is_large_binary(kind) or pa.types.is_binary_view(kind):
        return bytes(value).decode("utf-8", errors="replace")
    if pa.types.is_date32(kind):
        return _date_text(_EPOCH_DATE + dt.timedelta(days=value))
    if pa.types.is_date64(kind):
        return _date_text(_EPOCH_DATE + dt.timedelta(milliseconds=value))
    if pa.types.is_timestamp(kind):
        return timestamp_text(_micros(value, kind.unit), kind.tz is not None, zone)
    if pa.types.is_duration(kind):
        micros = _micros(value, kind.unit)
        if end is not None and end < 3:  # HiveResult drops what lies below the end field
            micros -= _rem(micros, (_MICROS_PER_DAY, _MICROS_PER_HOUR, _MICROS_PER_MINUTE)[end])
        return day_time_interval_text(micros)
    if pa.types.is_time32(kind):  # the stand-in for `month_interval` (`_readable`)
        return year_month_interval_text(value - _rem(value, 12) if end == 0 else value)
    if kind == pa.month_day_nano_interval():
        return calendar_interval_text(value.months, value.days, value.nanoseconds // 1000)
    if pa.types.is_null(kind):
        return "null" if nested else "NULL"
    raise TypeError(f"no HiveResult text for Arrow type {kind}")


def _micros(value: int, unit: str) -> int:
    """An Arrow temporal value in microseconds (nanoseconds truncate toward negative infinity)."""
    factor = _MICROS_PER_UNIT[unit]
    return value // 1000 if factor is None else value * factor


def _date_text(date: dt.date) -> str:
    return f"{date.year:04d}-{date.month:02d}-{date.day:02d}"


def timestamp_text(micros: int, instant: bool, zone: str) -> str:
    """`yyyy-MM-dd HH:mm:ss[.fraction]` (trailing zeros dropped); an instant is shown in `zone`."""
    from zoneinfo import ZoneInfo

    moment = _EPOCH + dt.timedelta(microseconds=micros)
    if instant:
        moment = moment.astimezone(ZoneInfo(zone))
    text = f"{_date_text(moment)} {moment.hour:02d}:{moment.minute:02d}:{moment.second:02d}"
    fraction = f"{moment.microsecond:06d}".rstrip("0")
    return f"{text}.{fraction}" if fraction else text


def year_month_interval_text(months: int) -> str:
    """Spark's Hive-style year-month interval: `-1-2`."""
    sign = "-" if months < 0 else ""
    return f"{sign}{abs(months) // 12}-{abs(months) % 12}"


def day_time_interval_text(micros: int) -> str:
    """Spark's Hive-style day-time interval: `-1 02:03:04.500000000`."""
    if micros == -(2**63):
        return "-106751991 04:00:54.775808000"
    sign = "-" if micros < 0 else ""
    rest = abs(micros)
    days, rest = divmod(rest, _MICROS_PER_DAY)
    hours, rest = divmod(rest, _MICROS_PER_HOUR)
    minutes, rest = divmod(rest, _MICROS_PER_MINUTE)
    seconds, fraction = divmod(rest, 1_000_000)
    return f"{sign}{days} {hours:02d}:{minutes:02d}:{seconds:02d}.{fraction * 1000:09d}"


def calendar_interval_text(months: int, days: int, micros: int) -> str:
    """`CalendarInterval.toString`: `1 years 2 months 3 days 4 hours 5.5 seconds`."""
    if months == 0 and days == 0 and micros == 0:
        return "0 seconds"
    parts: list[str] = []

    def unit(value: int, name: str) -> None:
        if value != 0:
            parts.append(f"{value} {name}")

    unit(_quot(months, 12), "years")
    unit(_rem(months, 12), "months")
    unit(days, "days")
    if micros != 0:
        unit(_quot(micros, _MICROS_PER_HOUR), "hours")
        rest = _rem(micros, _MICROS_PER_HOUR)
        unit(_quot(rest, _MICROS_PER_MINUTE), "minutes")
        rest = _rem(rest, _MICROS_PER_MINUTE)
        if rest != 0:
            parts.append(f"{_plain(Decimal(rest).scaleb(-6))} seconds")
    return " ".join(parts)


def _quot(a: int, b: int) -> int:
    """Java's integer `a / b` (toward zero)."""
    return a // b if (a >= 0) == (b > 0) else -(-a // b)


def _rem(a: int, b: int) -> int:
    """Java's `a % b` (the sign of `a`)."""
    return a - b * _quot(a, b)


def _plain(number: Decimal) -> str:
    """`BigDecimal.stripTrailingZeros().toPlainString()`."""
    text = format(number, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def java_double(value: float) -> str:
    """Java's `Double.toString`: `1.0`, `1.0E10`, `1.0E-4`, `NaN`, `-Infinity`."""
    special = _special(value)
    if special is not None:
        return special
    if abs(value) == 5e-324:  # Double.MIN_VALUE: JDK 17 writes 4.9E-324, not the shortest 5.0E-324
        return "-4.9E-324" if value < 0 else "4.9E-324"
    return _java_decimal(repr(value), abs(value))


def java_float(value: float) -> str:
    """Java's `Float.toString` of a float32 value (its shortest round-tripping digits)."""
    single = struct.unpack("f", struct.pack("f", value))[0]
    special = _special(single)
    if special is not None:
        return special
    if abs(single) == 2.0**-149:  # Float.MIN_VALUE: as Java writes it
        return "-1.4E-45" if single < 0 else "1.4E-45"
    for precision in range(1, 10):
        digits = f"{single:.{precision}g}"
        if struct.unpack("f", struct.pack("f", float(digits)))[0] == single:
            break
    return _java_decimal(digits, abs(single))


def _special(value: float) -> Optional[str]:
    """Java's text for NaN, the infinities and the zeros; None for any other value."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if value == 0:
        return "-0.0" if math.copysign(1.0, value) < 0 else "0.0"
    return None


def _java_decimal(digits_text: str, magnitude: float) -> str:
    """Shortest digits in Java's layout: plain in [1e-3, 1e7), else `d.dddE±n`."""
    sign, digit_tuple, exponent = Decimal(digits_text).normalize().as_tuple()
    assert isinstance(exponent, int)
    digits = "".join(map(str, digit_tuple))
    minus = "-" if sign else ""
    scientific = len(digits) - 1 + exponent
    if 1e-3 <= magnitude < 1e7:
        if exponent >= 0:
            return f"{minus}{digits}{'0' * exponent}.0"
        point = len(digits) + exponent
        if point > 0:
            return f"{minus}{digits[:point]}.{digits[point:]}"
        return f"{minus}0.{'0' * -point}{digits}"
    return f"{minus}{digits[0]}.{digits[1:] or '0'}E{scientific}"
