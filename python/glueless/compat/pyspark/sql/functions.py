"""``pyspark.sql.functions``: the functions scripts use, rendered as Spark SQL calls (the core
plans them with Spark's function semantics, from datafusion-spark where they differ)."""

from __future__ import annotations

import inspect
import itertools
import re
from typing import Any

from glueless.compat._unsupported import module_getattr, unsupported
from glueless.compat.pyspark.sql.column import CaseWhen, Column

_unsupported_name = module_getattr("pyspark.sql.functions")

#: PySpark's names whose Spark SQL function is spelled otherwise.
_SQL_NAMES = {
    "approxCountDistinct": "approx_count_distinct",
    "bitwiseNOT": "bitwise_not",
    "shiftLeft": "shiftleft",
    "shiftRight": "shiftright",
    "shiftRightUnsigned": "shiftrightunsigned",
    "toDegrees": "degrees",
    "toRadians": "radians",
    # Spark names these by the function they are another name of.
    "dateadd": "date_add",
    "pow": "power",
    # PySpark 3.5 (Glue 5) builds VarianceSamp for `variance`.
    "variance": "var_samp",
    # PySpark 4 builds Spark SQL's TimestampAdd / TimestampDiff (SQL has no `timestamp_add`).
    "timestamp_add": "timestampadd",
    "timestamp_diff": "timestampdiff",
}


#: Interval constructors whose parts left out PySpark passes as zeros (PySpark 3.5 and 4.x).
_ZERO_FILLED = frozenset({"make_interval", "try_make_interval", "make_dt_interval", "make_ym_interval"})


def __getattr__(name: str) -> Any:
    """Every other function of PySpark's list, as a call of the Spark SQL function of that name
    with its arguments passed as PySpark passes them (``function_signatures``), made when first
    used (a script's start-up does not pay for 500 functions it does not call)."""
    from glueless.compat.pyspark.sql.function_signatures import SIGNATURES

    if name == "__all__":
        # `from pyspark.sql.functions import *`: every function, made as it is imported.
        written = [
            n for n, v in globals().items() if not n.startswith("_") and callable(v) and v.__module__ == __name__
        ]
        return sorted(set(written) | set(SIGNATURES))
    if name in ("PandasUDFType", "ArrowUDFType"):
        # The evaluation types of vectorized UDFs (``udf`` infers them from type hints).
        from glueless.compat.pyspark.sql import udf

        return getattr(udf, name)
    if name.startswith("_") or name not in SIGNATURES:
        return _unsupported_name(name)
    function = _generic(name, SIGNATURES[name])
    globals()[name] = function
    return function


def _argument(kind: str, value: Any, function: str) -> Column:
    if isinstance(value, Column):
        return value
    if kind == "column_or_name":
        # `hash("*")`: Spark expands the star to the selecting frame's columns.
        return Column.star_argument() if isinstance(value, str) and value == "*" else Column.of(value)
    if kind == "options":
        pairs = [Column.lit(str(p)) for kv in dict(value).items() for p in kv]
        return _call("map", *pairs)
    if kind == "data_type":
        text = value if isinstance(value, str) else value.simpleString()
        return Column.lit(text)
    if kind == "lambda":
        return _lambda(value, function)
    return Column.lit(value)


_lambda_count = itertools.count()


def _lambda(f: Any, function: str) -> Column:
    """A Python function of Columns as Spark SQL's lambda: its body built over fresh variables."""
    if not callable(f):
        unsupported(f"pyspark.sql.functions.{function}", f"a {type(f).__name__} where a function goes")
    positional = [
        p
        for p in inspect.signature(f).parameters.values()
        if p.kind in (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    ]
    if not 1 <= len(positional) <= 3:
        unsupported(f"pyspark.sql.functions.{function}", "a function of other than one to three arguments")
    number = next(_lambda_count)
    names = [f"{n}_{number}" for n in ("x", "y", "z")[: len(positional)]]
    body = Column.of(f(*(Column.raw(n) for n in names)))
    return Column(lambda r: f"({', '.join(names)}) -> {body.sql(r)}", None, body._frames)


#: The units timestampadd / timestampdiff take, written as keywords in Spark SQL.
_UNITS = (
    "YEAR",
    "QUARTER",
    "MONTH",
    "WEEK",
    "DAY",
    "DAYOFYEAR",
    "HOUR",
    "MINUTE",
    "SECOND",
    "MILLISECOND",
    "MICROSECOND",
)


def _unit_keyword(unit: Any, function: str) -> Column:
    """A datetime unit as Spark SQL's keyword (``timestamp_add('year', …)`` is
    ``timestampadd(year, …)``), refused as Spark refuses it."""
    if not isinstance(unit, str) or unit.upper() not in _UNITS:
        raise ValueError(
            f"[INVALID_PARAMETER_VALUE.DATETIME_UNIT] The value of parameter(s) `unit` in `{function}` is invalid: "
            f"expects one of the units without quotes {', '.join(_UNITS)}, but got {unit!r}."
        )
    return Column.raw(unit)


def _generic(name: str, params: tuple[tuple[str, str, Any], ...]) -> Any:
    sql_name = _SQL_NAMES.get(name, name)

    def function(*args: Any, **kwargs: Any) -> Column:
        rendered: list[Column] = []
        position = 0
        for pname, kind, default in params:
            if pname.startswith("*"):
                rest = list(args[position:])
                position = len(args)
                if len(rest) == 1 and isinstance(rest[0], (list, tuple)):
                    rest = list(rest[0])
                rendered += [_argument(kind, v, name) for v in rest]
                continue
            if position < len(args):
                value = args[position]
                position += 1
            elif pname in kwargs:
                value = kwargs.pop(pname)
            elif default == "<required>":
                raise TypeError(f"{name}() missing required argument: '{pname}'")
            else:
                value = default
            if value is None and sql_name in _ZERO_FILLED:
                value = Column.lit(0)  # PySpark passes lit(0) for an interval part left out
            if value is None and default != "<required>":
                continue  # PySpark leaves an unset optional argument out of the call
            if pname == "unit" and sql_name in ("timestampadd", "timestampdiff"):
                rendered.append(_unit_keyword(value, name))
                continue
            rendered.append(_argument(kind, value, name))
        if kwargs:
            raise TypeError(f"{name}() got an unexpected keyword argument '{next(iter(kwargs))}'")
        return _call(sql_name, *rendered)

    function.__name__ = name
    function.__doc__ = f"``{sql_name}(…)`` of Spark SQL, called as PySpark calls it."
    return function


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
    """An event-time window: in a streaming ``groupBy`` the core's windows; in a batch one the
    struct ``window`` (``start``, ``end``) of the tumbling window a row falls in (Spark's rule:
    windows start at multiples of the duration from the epoch, shifted by ``startTime``)."""
    column = timeColumn if isinstance(timeColumn, str) else getattr(timeColumn, "_ref", None)
    time = Column.of(timeColumn)
    size = _micros(windowDuration)
    slide = size if slideDuration is None else _micros(slideDuration)
    offset = 0 if startTime is None else _micros(startTime)

    def render(r: Any) -> str:
        if slide != size:
            unsupported("pyspark.sql.functions.window", "a sliding window outside a streaming groupBy")
        m = f"unix_micros(CAST({time.sql(r)} AS TIMESTAMP))"
        start = f"({m} - ((({m} - {offset}) % {size}) + {size}) % {size})"
        return (
            f"named_struct('start', CAST(timestamp_micros({start}) AS TIMESTAMP), "
            f"'end', CAST(timestamp_micros({start} + {size}) AS TIMESTAMP))"
        )

    result = Column(render, "window", time._frames)
    result._alias = "window"
    if column is not None and startTime is None:
        result._window = (column, windowDuration, slideDuration)
    return result


def _micros(duration: str) -> int:
    """``"5 seconds"``, ``"1 hour 30 minutes"`` in microseconds (the streams' own parser)."""
    from glueless._glueless import duration_micros

    return duration_micros(duration)


def window_time(windowColumn: Any) -> Column:
    """The event time of a window: its end minus one microsecond."""
    w = Column.of(windowColumn)
    return Column(lambda r: f"CAST(timestamp_micros(unix_micros({w.sql(r)}.`end`) - 1) AS TIMESTAMP)", None, w._frames)


def first(c: Any, ignorenulls: bool = False) -> Column:
    return _call("first", c, Column.lit(True)) if ignorenulls else _call("first", c)


def last(c: Any, ignorenulls: bool = False) -> Column:
    return _call("last", c, Column.lit(True)) if ignorenulls else _call("last", c)


def _generator(name: str, c: Any) -> Column:
    """A generator call; the DataFrame it is selected from writes a map's form (see ``_sql``)."""
    arg = Column.of(c)
    column = _call(name, arg)
    column._generator = (name, arg)
    return column


def explode(col: Any) -> Column:
    return _generator("explode", col)


def explode_outer(col: Any) -> Column:
    return _generator("explode_outer", col)


def posexplode(col: Any) -> Column:
    return _generator("posexplode", col)


def posexplode_outer(col: Any) -> Column:
    return _generator("posexplode_outer", col)


def inline(col: Any) -> Column:
    return _generator("inline", col)


def inline_outer(col: Any) -> Column:
    return _generator("inline_outer", col)


def struct(*cols: Any) -> Column:
    """Spark's ``struct``: a field named by its column's alias, else after its column."""
    fields = [Column.of(c) for c in (cols[0] if len(cols) == 1 and isinstance(cols[0], (list, tuple)) else cols)]
    frames: frozenset[int] = frozenset().union(*(f._frames for f in fields))
    return Column(lambda r: f"struct({', '.join(f.selected(r) for f in fields)})", None, frames)


def upper(c: Any) -> Column:
    return _call("upper", c)


def lower(c: Any) -> Column:
    return _call("lower", c)


def trim(col: Any, trim: Any = None) -> Column:
    """Spaces (or the characters of ``trim``, a column or a column's name) off both ends."""
    return _trim("BOTH", "trim", col, trim)


def ltrim(col: Any, trim: Any = None) -> Column:
    return _trim("LEADING", "ltrim", col, trim)


def rtrim(col: Any, trim: Any = None) -> Column:
    return _trim("TRAILING", "rtrim", col, trim)


def _trim(side: str, function: str, col: Any, trim: Any) -> Column:
    """``function(col)``, or with characters to trim Spark's ``TRIM(side trim FROM col)`` (as Spark
    names the column)."""
    if trim is None:
        return _call(function, col)
    string, characters = Column.of(col), Column.of(trim)
    return Column(
        lambda r: f"TRIM({side} {characters.sql(r)} FROM {string.sql(r)})", None, string._frames | characters._frames
    )


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


def like(str: Any, pattern: Any, escapeChar: Any = None) -> Column:  # noqa: A002
    """``str LIKE pattern [ESCAPE escapeChar]``."""
    return _like("LIKE", str, pattern, escapeChar)


def ilike(str: Any, pattern: Any, escapeChar: Any = None) -> Column:  # noqa: A002
    """``str ILIKE pattern [ESCAPE escapeChar]``."""
    return _like("ILIKE", str, pattern, escapeChar)


def _like(operator: str, string: Any, pattern: Any, escape: Any) -> Column:
    s, p = Column.of(string), Column.of(pattern)
    e = None if escape is None else escape if isinstance(escape, Column) else Column.lit(escape)
    frames = s._frames | p._frames

    def render(r: Any) -> str:
        escaped = "" if e is None else f" ESCAPE {e.sql(r)}"
        return f"({s.sql(r)} {operator} {p.sql(r)}{escaped})"

    return Column(render, None, frames)


def broadcast(df: Any) -> Any:
    """A join hint: glueless's joins choose their build side themselves, so the same DataFrame."""
    return df


def log(arg1: Any, arg2: Any = None) -> Column:
    """``log(col)`` is the natural logarithm (``ln``); ``log(base, col)`` in that base."""
    if arg2 is None:
        return _call("ln", arg1)
    base = arg1 if isinstance(arg1, Column) else Column.lit(arg1)
    return _call("log", base, arg2)


def udf(f: Any = None, returnType: Any = None, *, useArrow: Any = None) -> Any:
    """A Python function callable on Columns, run per row (see ``glueless.compat.pyspark.sql.udf``)."""
    from glueless.compat.pyspark.sql.udf import udf as make_udf

    return make_udf(f, returnType, useArrow=useArrow)


def call_udf(udfName: str, *cols: Any) -> Column:
    """A function registered by name (``spark.udf.register``), named as called (``intX2(id)``)."""
    called = _call(udfName.lower(), *cols)
    names = [Column.of(c)._name for c in cols]
    if all(n is not None for n in names):
        called._alias = f"{udfName}({', '.join(str(n) for n in names)})"
    return called


call_function = call_udf


def asc(c: Any) -> Column:
    return Column.of(c).asc()


def desc(c: Any) -> Column:
    return Column.of(c).desc()


def asc_nulls_first(c: Any) -> Column:
    return Column.of(c).asc_nulls_first()


def asc_nulls_last(c: Any) -> Column:
    return Column.of(c).asc_nulls_last()


def desc_nulls_first(c: Any) -> Column:
    return Column.of(c).desc_nulls_first()


def desc_nulls_last(c: Any) -> Column:
    return Column.of(c).desc_nulls_last()
