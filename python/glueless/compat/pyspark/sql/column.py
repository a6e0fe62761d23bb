"""``pyspark.sql.Column``: an expression tree rendered as Spark SQL for the core to plan.

A column that came from a DataFrame (``df.email``, ``df["email"]``) remembers which frame; the
DataFrame operation that uses it renders it qualified by that frame's view when two frames meet
(a join condition), unqualified otherwise.
"""

from __future__ import annotations

import datetime as _dt
import decimal as _decimal
from typing import Any, Callable, Optional

from glueless.compat._unsupported import Surface, unsupported

#: Renders a reference to (frame id, name parts) as SQL.
RefRenderer = Callable[[Optional[int], tuple[str, ...]], str]

#: The frame a ``*`` argument of a function call (``hash("*")``) is asked of: the selecting frame
#: writes its columns there, as Spark expands the star inside the call.
STAR_ARGUMENT = -1


def quote(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"


def attribute_parts(name: str) -> tuple[str, ...]:
    """A column name as Spark reads one (``col``, ``df[…]``, ``select("…")``): dots separate a
    qualifier or struct fields, backticks quote a part (``"`(right) serialNumber`"`` is the one
    name ``(right) serialNumber``), and a doubled backtick inside them is a backtick."""
    from glueless.exceptions import SqlError

    def bad() -> SqlError:
        return SqlError(
            f"[INVALID_ATTRIBUTE_NAME_SYNTAX] Syntax error in the attribute name: {name}. Check that backticks "
            "appear in pairs, a quoted string is a complete name part and use a backtick only inside quoted name parts."
        )

    parts: list[str] = []
    current: list[str] = []
    quoted = False
    i = 0
    while i < len(name):
        c = name[i]
        if quoted:
            if c != "`":
                current.append(c)
            elif name[i + 1 : i + 2] == "`":
                current.append("`")
                i += 1
            else:
                quoted = False
                if i + 1 < len(name) and name[i + 1] != ".":
                    raise bad()
        elif c == "`":
            if current:
                raise bad()
            quoted = True
        elif c == ".":
            if i == 0 or name[i - 1] == "." or i == len(name) - 1:
                raise bad()
            parts.append("".join(current))
            current = []
        else:
            current.append(c)
        i += 1
    if quoted:
        raise bad()
    parts.append("".join(current))
    return tuple(parts)


def render_parts(parts: tuple[str, ...]) -> str:
    """Name parts as Spark SQL: each quoted, a trailing ``*`` kept as the star of a qualifier."""
    if len(parts) > 1 and parts[-1] == "*":
        return ".".join(quote(p) for p in parts[:-1]) + ".*"
    return ".".join(quote(p) for p in parts)


def literal_sql(value: Any) -> str:
    """A Python value as a Spark SQL literal."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        # Typed literals, which Spark names by their value (`NaN`).
        if value != value:
            return "'NaN'::DOUBLE"
        if value in (float("inf"), float("-inf")):
            return f"'{'-' if value < 0 else ''}Infinity'::DOUBLE"
        # A Python float is a double: Spark reads a bare `0.5` as a decimal.
        return f"{value!r}D"
    if isinstance(value, _decimal.Decimal):
        return f"CAST('{value}' AS DECIMAL(38,18))"
    if isinstance(value, str):
        return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"
    if isinstance(value, _dt.datetime):
        return f"TIMESTAMP '{value.isoformat(sep=' ')}'"
    if isinstance(value, _dt.date):
        return f"DATE '{value.isoformat()}'"
    if isinstance(value, (list, tuple)):
        return f"array({', '.join(literal_sql(v) for v in value)})"
    if isinstance(value, dict):
        return f"map({', '.join(literal_sql(p) for kv in value.items() for p in kv)})"
    if isinstance(value, (bytes, bytearray)):
        return f"X'{bytes(value).hex().upper()}'"
    unsupported("lit", f"a literal of type {type(value).__name__}")


#: PySpark's Column methods glueless does not have (``otherwise`` is only on ``when(…)``).
_UNSUPPORTED_METHODS = frozenset({"outer", "otherwise"})


class Column(Surface):
    """A Spark column expression."""

    _api_name = "Column"

    def __init__(
        self, render: Callable[[RefRenderer], str], name: Optional[str] = None, frames: frozenset[int] = frozenset()
    ) -> None:
        self._render = render
        self._name = name
        self._frames = frames
        #: The column name of a plain reference (``col("x")``), for streaming aggregations.
        self._ref: Optional[str] = None
        #: ``(function, column or "*")`` of an aggregate over a plain column (``sum(col("x"))``).
        self._agg: Optional[tuple[str, str]] = None
        #: ``(column, size, slide)`` of ``window(column, size, slide)``.
        self._window: Optional[tuple[str, str, Optional[str]]] = None
        # A generator call (explode, posexplode, …) and its argument, for a map's form.
        self._generator: Optional[tuple[str, Column]] = None
        #: ``alias(a, b, …)`` of a generator: the names of its columns.
        self._generator_names: tuple[str, ...] = ()
        #: The frame id of ``df["*"]``: that frame's columns, found by position in a join of it.
        self._star_of: Optional[int] = None
        #: ``alias(name)``'s name: the output column's name where this column is selected.
        self._alias: Optional[str] = None
        #: Spark metadata given with the alias (``alias("a", metadata={...})``).
        self._metadata: Optional[dict[str, Any]] = None
        #: For a sort order (``desc()``, …): the column it sorts and how (``DESC NULLS LAST``).
        self._sorted: Optional[tuple[Column, str]] = None
        #: For a column Spark names after its arguments' names (a Python UDF's call), where they are
        #: not plain columns: its name, given what names columns as the frame selecting it does.
        self._spark_name: Optional[Callable[[Callable[[list[Column]], list[str]]], str]] = None

    # --- construction -------------------------------------------------------------------------
    @staticmethod
    def ref(name: str, frame: Optional[int] = None) -> Column:
        """A column by name: a frame's own (resolved) column is that one name; a name a script
        wrote is read as Spark reads it (:func:`attribute_parts`)."""
        if name == "*":
            return Column(lambda r: "*", "*")
        parts = (name,) if frame is not None else attribute_parts(name)
        frames = frozenset({frame}) if frame is not None else frozenset()
        column = Column(lambda r: r(frame, parts), parts[-1], frames)
        column._ref = parts[0] if len(parts) == 1 else name
        return column

    @staticmethod
    def raw(sql: str, name: Optional[str] = None) -> Column:
        return Column(lambda r: sql, name)

    @staticmethod
    def of(value: Any) -> Column:
        """A Column as is; a string names a column; anything else is a literal."""
        if isinstance(value, Column):
            return value
        if isinstance(value, str):
            return Column.ref(value)
        return Column.raw(literal_sql(value))

    @staticmethod
    def lit(value: Any) -> Column:
        if isinstance(value, Column):
            return value
        return Column.raw(literal_sql(value))

    def sql(self, refs: Optional[RefRenderer] = None) -> str:
        """The expression as Spark SQL; references unqualified unless ``refs`` says otherwise."""
        return self._render(refs or (lambda frame, parts: "*" if frame == STAR_ARGUMENT else render_parts(parts)))

    @staticmethod
    def star_argument() -> Column:
        """``*`` as a function's argument: the selecting frame's columns."""
        return Column(lambda r: r(STAR_ARGUMENT, ("*",)), "*")

    def selected(self, refs: Optional[RefRenderer] = None) -> str:
        """The column as a select item: the expression, and its alias if it has one."""
        expr = self.sql(refs)
        return f"{expr} AS {quote(self._alias)}" if self._alias is not None else expr

    def _binary(self, op: str, other: Any, reverse: bool = False) -> Column:
        right = Column.lit(other)
        left = self
        if reverse:
            left, right = right, left
        return Column(lambda r: f"({left.sql(r)} {op} {right.sql(r)})", None, left._frames | right._frames)

    # --- operators ----------------------------------------------------------------------------
    def __eq__(self, other: Any) -> Column:  # type: ignore[override]
        return self._binary("=", other)

    def __ne__(self, other: Any) -> Column:  # type: ignore[override]
        return self._binary("!=", other)

    def __lt__(self, other: Any) -> Column:
        return self._binary("<", other)

    def __le__(self, other: Any) -> Column:
        return self._binary("<=", other)

    def __gt__(self, other: Any) -> Column:
        return self._binary(">", other)

    def __ge__(self, other: Any) -> Column:
        return self._binary(">=", other)

    def __and__(self, other: Any) -> Column:
        return self._binary("AND", other)

    def __or__(self, other: Any) -> Column:
        return self._binary("OR", other)

    def __rand__(self, other: Any) -> Column:
        return self._binary("AND", other, reverse=True)

    def __ror__(self, other: Any) -> Column:
        return self._binary("OR", other, reverse=True)

    def __invert__(self) -> Column:
        return Column(lambda r: f"(NOT {self.sql(r)})", None, self._frames)

    def __neg__(self) -> Column:
        return Column(lambda r: f"(- {self.sql(r)})", None, self._frames)

    def __add__(self, other: Any) -> Column:
        return self._binary("+", other)

    def __radd__(self, other: Any) -> Column:
        return self._binary("+", other, reverse=True)

    def __sub__(self, other: Any) -> Column:
        return self._binary("-", other)

    def __rsub__(self, other: Any) -> Column:
        return self._binary("-", other, reverse=True)

    def __mul__(self, other: Any) -> Column:
        return self._binary("*", other)

    def __rmul__(self, other: Any) -> Column:
        return self._binary("*", other, reverse=True)

    def __truediv__(self, other: Any) -> Column:
        return self._binary("/", other)

    def __rtruediv__(self, other: Any) -> Column:
        return self._binary("/", other, reverse=True)

    def __mod__(self, other: Any) -> Column:
        return self._binary("%", other)

    def __rmod__(self, other: Any) -> Column:
        return self._binary("%", other, reverse=True)

    def __pow__(self, other: Any) -> Column:
        o = Column.lit(other)
        return Column(lambda r: f"POWER({self.sql(r)}, {o.sql(r)})", None, self._frames | o._frames)

    def __rpow__(self, other: Any) -> Column:
        o = Column.lit(other)
        return Column(lambda r: f"POWER({o.sql(r)}, {self.sql(r)})", None, self._frames | o._frames)

    def __bool__(self) -> bool:
        raise ValueError(
            "Cannot convert column into bool: please use '&' for 'and', '|' for 'or', '~' for 'not' "
            "when building DataFrame boolean expressions."
        )

    __hash__ = None  # type: ignore[assignment]

    # --- methods ------------------------------------------------------------------------------
    def _postfix(self, text: str) -> Column:
        return Column(lambda r: f"({self.sql(r)} {text})", None, self._frames)

    def _sort(self, order: str) -> Column:
        # A sort order, not an expression: no parentheses, so ORDER BY and OVER take it.
        sorted_column = Column(lambda r: f"{self.sql(r)} {order}", self._name, self._frames)
        sorted_column._sorted = (self, order)
        return sorted_column

    def isNull(self) -> Column:
        return self._postfix("IS NULL")

    def isNotNull(self) -> Column:
        return self._postfix("IS NOT NULL")

    def isin(self, *values: Any) -> Column:
        if len(values) == 1 and isinstance(values[0], (list, tuple, set)):
            values = tuple(values[0])
        items = [Column.lit(v) for v in values]
        return Column(lambda r: f"({self.sql(r)} IN ({', '.join(i.sql(r) for i in items)}))", None, self._frames)

    def between(self, low: Any, high: Any) -> Column:
        # PySpark builds the two comparisons (and Spark names the column after them).
        return (self >= low) & (self <= high)

    def eqNullSafe(self, other: Any) -> Column:
        return self._binary("<=>", other)

    def bitwiseAND(self, other: Any) -> Column:
        return self._binary("&", other)

    def bitwiseOR(self, other: Any) -> Column:
        return self._binary("|", other)

    def bitwiseXOR(self, other: Any) -> Column:
        return self._binary("^", other)

    def isNaN(self) -> Column:
        return Column(lambda r: f"isnan({self.sql(r)})", None, self._frames)

    def ilike(self, pattern: str) -> Column:
        return self._postfix(f"ILIKE {literal_sql(pattern)}")

    def substr(self, startPos: Any, length: Any) -> Column:
        start, size = Column.lit(startPos), Column.lit(length)
        return Column(lambda r: f"substr({self.sql(r)}, {start.sql(r)}, {size.sql(r)})", None, self._frames)

    def try_cast(self, data_type: Any) -> Column:
        type_sql = data_type if isinstance(data_type, str) else data_type.simpleString()
        cast = Column(lambda r: f"TRY_CAST({self.sql(r)} AS {type_sql})", None, self._frames)
        if self._name is not None:
            cast._alias = self._name
        return cast

    def getItem(self, key: Any) -> Column:
        """An array's element by position or a map's value by key (``col[key]``)."""
        k = Column.lit(key)
        return Column(lambda r: f"{self.sql(r)}[{k.sql(r)}]", None, self._frames)

    def transform(self, f: Callable[[Column], Column]) -> Column:
        """``f(self)``: chains functions (``col.transform(trim).transform(upper)``)."""
        return f(self)

    def over(self, window: Any) -> Column:
        """This window function or aggregate over ``window`` (a ``WindowSpec``)."""
        return Column(lambda r: f"{self.sql(r)} OVER ({window._sql(r)})", None, self._frames | window._frames)

    def like(self, pattern: str) -> Column:
        return self._postfix(f"LIKE {literal_sql(pattern)}")

    def rlike(self, pattern: str) -> Column:
        return Column(lambda r: f"regexp_like({self.sql(r)}, {literal_sql(pattern)})", None, self._frames)

    def startswith(self, prefix: Any) -> Column:
        p = Column.lit(prefix)
        return Column(lambda r: f"startswith({self.sql(r)}, {p.sql(r)})", None, self._frames)

    def endswith(self, suffix: Any) -> Column:
        s = Column.lit(suffix)
        return Column(lambda r: f"endswith({self.sql(r)}, {s.sql(r)})", None, self._frames)

    def contains(self, other: Any) -> Column:
        o = Column.lit(other)
        return Column(lambda r: f"contains({self.sql(r)}, {o.sql(r)})", None, self._frames)

    def alias(self, *names: str, **kwargs: Any) -> Column:
        if len(names) > 1 and not kwargs and self._generator is not None:
            # A generator's columns (explode of a map: key, value) named at once.
            named = Column(self._render, None, self._frames)
            named._generator, named._generator_names = self._generator, names
            return named
        metadata = kwargs.pop("metadata", None)
        if kwargs:
            raise TypeError(f"Unexpected kwargs where passed: {kwargs}")
        if len(names) != 1:
            if metadata is not None:
                raise ValueError("metadata can only be provided for a single column")
            unsupported("Column.alias", "several names outside a generator")
        name = names[0]
        # The name applies where the column is selected; inside an expression Spark drops it.
        named = Column(self._render, name, self._frames)
        named._alias = name
        named._metadata = metadata
        named._agg, named._window = self._agg, self._window
        return named

    name = alias

    def cast(self, data_type: Any) -> Column:
        type_sql = data_type if isinstance(data_type, str) else data_type.simpleString()
        cast = Column(lambda r: f"CAST({self.sql(r)} AS {type_sql})", None, self._frames)
        # The DataFrame API's cast keeps its input's name (Spark marks only SQL's CAST as written).
        if self._name is not None:
            cast._alias = self._name
        return cast

    astype = cast

    def asc(self) -> Column:
        return self._sort("ASC")

    def desc(self) -> Column:
        return self._sort("DESC")

    def asc_nulls_first(self) -> Column:
        return self._sort("ASC NULLS FIRST")

    def asc_nulls_last(self) -> Column:
        return self._sort("ASC NULLS LAST")

    def desc_nulls_first(self) -> Column:
        return self._sort("DESC NULLS FIRST")

    def desc_nulls_last(self) -> Column:
        return self._sort("DESC NULLS LAST")

    def when(self, condition: Column, value: Any) -> Column:
        unsupported("Column.when", "start with pyspark.sql.functions.when")

    def withField(self, fieldName: str, col: Column) -> Column:
        """The struct with the (nested, ``a.b``) field set to ``col``, added where there is none."""
        if not isinstance(col, Column):
            raise TypeError("col should be a Column")
        path = literal_sql(fieldName)
        return Column(lambda r: f"__with_field({self.sql(r)}, {path}, {col.sql(r)})", None, self._frames | col._frames)

    def dropFields(self, *fieldNames: str) -> Column:
        """The struct without the (nested) fields."""
        paths = "".join(f", {literal_sql(f)}" for f in fieldNames)
        return Column(lambda r: f"__drop_fields({self.sql(r)}{paths})", None, self._frames)

    def getField(self, name: str) -> Column:
        """A struct's field (``col("window").getField("start")``); selected, it is named
        ``parent.field`` as Spark names it."""
        field = Column(lambda r: f"{self.sql(r)}[{literal_sql(name)}]", name, self._frames)
        if self._name is not None and self._alias is None:
            field._alias = f"{self._name}.{name}"
        return field

    def __getattr__(self, name: str) -> Column:
        # `df.r.b` is the struct field `b` (PySpark's Column.__getattr__); PySpark's own Column
        # methods that glueless lacks stay one "not supported" line.
        if name.startswith("_"):
            raise AttributeError(name)
        if name in _UNSUPPORTED_METHODS:
            unsupported(f"Column.{name}")
        return self.getField(name)

    def __getitem__(self, key: Any) -> Column:
        if isinstance(key, slice):
            if key.step is not None:
                unsupported("Column[start:stop:step]", "a slice with a step")
            return self.substr(key.start, key.stop)
        if isinstance(key, str):
            return self.getField(key)
        return self.getItem(key)

    def __repr__(self) -> str:
        # Names as Spark prints them: unquoted.
        text = self._render(lambda frame, parts: ".".join(parts))
        if self._alias is not None:
            text = f"{text} AS {self._alias}"
        return f"Column<'{text}'>"


class CaseWhen(Column):
    """``when(cond, value).when(…).otherwise(…)``."""

    def __init__(self, branches: list[tuple[Column, Column]], default: Optional[Column] = None) -> None:
        self._branches = branches
        self._default = default
        frames: frozenset[int] = frozenset()
        for c, v in branches:
            frames |= c._frames | v._frames

        def render(r: RefRenderer) -> str:
            parts = " ".join(f"WHEN {c.sql(r)} THEN {v.sql(r)}" for c, v in branches)
            tail = f" ELSE {default.sql(r)}" if default is not None else ""
            return f"CASE {parts}{tail} END"

        super().__init__(render, None, frames)

    def when(self, condition: Column, value: Any) -> CaseWhen:
        return CaseWhen(self._branches + [(condition, Column.lit(value))], self._default)

    def otherwise(self, value: Any) -> CaseWhen:
        return CaseWhen(self._branches, Column.lit(value))
