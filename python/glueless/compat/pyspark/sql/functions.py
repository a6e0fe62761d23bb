"""``pyspark.sql.functions``: the functions scripts use, rendered as Spark SQL calls (the core
plans them with Spark's function semantics, from datafusion-spark where they differ)."""

from __future__ import annotations

import re
from typing import Any

from glueless.compat._unsupported import module_getattr, unsupported
from glueless.compat.pyspark.sql.column import CaseWhen, Column, literal_sql

__getattr__ = module_getattr("pyspark.sql.functions")


def _call(name: str, *args: Any, distinct: bool = False, spark_name: str | None = None) -> Column:
    cols = [Column.of(a) for a in args]
    frames: frozenset[int] = frozenset()
    for c in cols:
        frames |= c._frames
    prefix = "DISTINCT " if distinct else ""
    return Column(lambda r: f"{name}({prefix}{', '.join(c.sql(r) for c in cols)})", spark_name, frames)


def col(name: str) -> Column:
    return Column.ref(name)


column = col


def lit(value: Any) -> Column:
    return Column.lit(value)


_SIMPLE_AGGREGATE = re.compile(
    r"\s*(count|sum|avg|mean|min|max)\s*\(\s*(\*|1|`[^`]+`|[A-Za-z_]\w*)\s*\)\s*(?:as\s+(`[^`]+`|[A-Za-z_]\w*))?\s*",
    re.IGNORECASE,
)


def expr(text: str) -> Column:
    column = Column.raw(text)
    # `count(*)`, `sum(x) AS y`: usable in a streaming aggregation too, named as Spark names them.
    simple = _SIMPLE_AGGREGATE.fullmatch(text)
    if simple:
        func, argument, alias = simple.groups()
        func = "avg" if func.lower() == "mean" else func.lower()
        argument = "*" if argument in ("*", "1") else argument.strip("`")
        column._agg = (func, argument)
        column._name = alias.strip("`") if alias else None
    return column


def _aggregate(name: str, c: Any, column: Column) -> Column:
    """``column`` (the call as SQL), remembering ``name(c)`` when ``c`` is a plain column."""
    argument = c if isinstance(c, str) else getattr(c, "_ref", None)
    if argument is not None:
        column._agg = (name, argument)
    return column


def count(c: Any) -> Column:
    if isinstance(c, str) and c == "*":
        return _aggregate("count", "*", Column.raw("count(1)"))
    if isinstance(c, Column) and c._ref is None and c.sql() == "1":  # count(lit(1))
        return _aggregate("count", "*", Column.raw("count(1)"))
    return _aggregate("count", c, _call("count", c))


def countDistinct(c: Any, *cols: Any) -> Column:
    return _call("count", c, *cols, distinct=True)


count_distinct = countDistinct


def sum(c: Any) -> Column:  # noqa: A001 - pyspark's name
    return _aggregate("sum", c, _call("sum", c))


def sumDistinct(c: Any) -> Column:
    return _call("sum", c, distinct=True)


def avg(c: Any) -> Column:
    return _aggregate("avg", c, _call("avg", c))


mean = avg


def min(c: Any) -> Column:  # noqa: A001
    return _aggregate("min", c, _call("min", c))


def max(c: Any) -> Column:  # noqa: A001
    return _aggregate("max", c, _call("max", c))


def window(
    timeColumn: Any, windowDuration: str, slideDuration: str | None = None, startTime: str | None = None
) -> Column:
    """A time window for a streaming ``groupBy`` (the core's event-time windows, Spark's rules)."""
    if startTime is not None:
        unsupported("pyspark.sql.functions.window", "startTime")
    column = timeColumn if isinstance(timeColumn, str) else getattr(timeColumn, "_ref", None)
    if column is None:
        unsupported("pyspark.sql.functions.window", "over an expression: window over a column")

    def render(_: Any) -> str:
        unsupported("pyspark.sql.functions.window", "outside a streaming groupBy")

    result = Column(render, "window")
    result._window = (column, windowDuration, slideDuration)
    return result


def first(c: Any, ignorenulls: bool = False) -> Column:
    return _call("first_value", c) if not ignorenulls else Column.raw(f"first_value({Column.of(c).sql()}) IGNORE NULLS")


def last(c: Any, ignorenulls: bool = False) -> Column:
    return _call("last_value", c)


def upper(c: Any) -> Column:
    return _call("upper", c)


def lower(c: Any) -> Column:
    return _call("lower", c)


def trim(c: Any) -> Column:
    return _call("trim", c)


def ltrim(c: Any) -> Column:
    return _call("ltrim", c)


def rtrim(c: Any) -> Column:
    return _call("rtrim", c)


def length(c: Any) -> Column:
    return _call("length", c)


def abs(c: Any) -> Column:  # noqa: A001
    return _call("abs", c)


def round(c: Any, scale: int = 0) -> Column:  # noqa: A001
    return _call("round", c, Column.lit(scale))


def concat(*cols: Any) -> Column:
    return _call("concat", *cols)


def concat_ws(sep: str, *cols: Any) -> Column:
    return _call("concat_ws", Column.lit(sep), *cols)


def coalesce(*cols: Any) -> Column:
    return _call("coalesce", *cols)


def isnull(c: Any) -> Column:
    return Column.of(c).isNull()


def isnotnull(c: Any) -> Column:
    return Column.of(c).isNotNull()


def when(condition: Column, value: Any) -> CaseWhen:
    return CaseWhen([(condition, Column.lit(value))])


def current_timestamp() -> Column:
    return Column.raw("current_timestamp()", "current_timestamp()")


def current_date() -> Column:
    return Column.raw("current_date()", "current_date()")


def to_timestamp(c: Any, format: str | None = None) -> Column:  # noqa: A002
    if format is None:
        return _call("to_timestamp", c)
    return _call("to_timestamp", c, Column.lit(format))


def to_date(c: Any, format: str | None = None) -> Column:  # noqa: A002
    if format is None:
        return _call("to_date", c)
    return _call("to_date", c, Column.lit(format))


def from_unixtime(c: Any, format: str = "yyyy-MM-dd HH:mm:ss") -> Column:  # noqa: A002
    return _call("from_unixtime", c, Column.lit(format))


def unix_timestamp(c: Any = None, format: str = "yyyy-MM-dd HH:mm:ss") -> Column:  # noqa: A002
    if c is None:
        return Column.raw("unix_timestamp()")
    return _call("unix_timestamp", c, Column.lit(format))


def date_format(c: Any, format: str) -> Column:  # noqa: A002
    return _call("date_format", c, Column.lit(format))


def year(c: Any) -> Column:
    return _call("year", c)


def month(c: Any) -> Column:
    return _call("month", c)


def dayofmonth(c: Any) -> Column:
    return _call("dayofmonth", c)


def hour(c: Any) -> Column:
    return _call("hour", c)


def md5(c: Any) -> Column:
    return _call("md5", c)


def sha2(c: Any, numBits: int) -> Column:
    return _call("sha2", c, Column.lit(numBits))


def regexp_replace(c: Any, pattern: str, replacement: str) -> Column:
    return Column(
        lambda r: f"regexp_replace({Column.of(c).sql(r)}, {literal_sql(pattern)}, {literal_sql(replacement)})",
        None,
        Column.of(c)._frames,
    )


def asc(c: str) -> Column:
    return Column.of(c).asc()


def desc(c: str) -> Column:
    return Column.of(c).desc()
