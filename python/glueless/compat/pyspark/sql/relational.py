"""DataFrame operations Spark SQL already has, run as a query over temporary views of the frames:
set operations (``exceptAll``, ``intersect``, …), ``offset``, ``cube`` / ``rollup`` /
``groupingSets`` aggregations, and ``describe``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional

from glueless.compat.pyspark.sql.column import Column, quote
from glueless.compat.pyspark.sql.types import DOUBLE_NAME, INTEGRAL_NAMES, STRING_NAME, is_numeric

if TYPE_CHECKING:
    from glueless.compat.pyspark.sql.dataframe import DataFrame


#: The frames the query being written reads, by view name (see :func:`query`), and their files.
_reading: dict[str, Any] = {}
_reading_inputs: dict[str, None] = {}


def view_of(df: Any) -> str:
    """The view name ``df`` has in the next :func:`query`, which registers it for that query only."""
    name = f"__glueless_v{df._id}"
    _reading[name] = df._frame
    _reading_inputs.update(dict.fromkeys(df._inputs))
    return quote(name)


def query(df: Any, sql: str) -> DataFrame:
    """``sql`` over the frames its ``view_of`` names stand for (registered while it plans, so no
    view is left behind in the session's catalog)."""
    from glueless.compat.pyspark.sql.dataframe import DataFrame as Frame

    frames, inputs = list(_reading.items()), tuple(_reading_inputs)
    _reading.clear()
    _reading_inputs.clear()
    result = Frame(df.sparkSession._session.sql_over(sql, frames), df.sparkSession)
    result._inputs = inputs
    return result


def set_operation(left: Any, right: Any, operation: str) -> DataFrame:
    """``left OPERATION right`` by column position, as Spark's set operations are, in the order
    Spark's give (its aggregation's: the shuffle partitions of the rows). ``ALL`` keeps multiset
    counts (1, 1, 2 EXCEPT ALL 1 is 1, 2): each row is numbered within its duplicates and the
    numbered rows are compared distinct."""
    result = _set_operation(left, right, operation)
    return result._new(result._frame.in_shuffle_order(len(result.columns)))


def _set_operation(left: Any, right: Any, operation: str) -> DataFrame:
    if not operation.endswith(" ALL"):
        return query(left, f"SELECT * FROM {view_of(left)} {operation} SELECT * FROM {view_of(right)}")
    names = [f"__c{i}" for i in range(len(left.columns))]
    columns = ", ".join(quote(n) for n in names)

    def numbered(df: Any) -> str:
        renamed = ", ".join(f"{quote(c)} AS {quote(n)}" for c, n in zip(df.columns, names))
        return (
            f"SELECT {columns}, row_number() OVER (PARTITION BY {columns} ORDER BY 1) AS __copy "
            f"FROM (SELECT {renamed} FROM {view_of(df)})"
        )

    distinct = operation[: -len(" ALL")]
    outputs = ", ".join(f"{quote(n)} AS {quote(c)}" for n, c in zip(names, left.columns))
    return query(left, f"SELECT {outputs} FROM ({numbered(left)} {distinct} {numbered(right)})")


def offset(df: Any, n: int) -> DataFrame:
    return query(df, f"SELECT * FROM {view_of(df)} OFFSET {int(n)}")


def grouped_aggregate(df: Any, keys: list[Column], grouping: str, aggregates: list[Column]) -> DataFrame:
    """``SELECT keys, aggregates … GROUP BY grouping`` (``CUBE(…)``, ``ROLLUP(…)``, ``GROUPING SETS (…)``)."""
    items = [k.selected() for k in keys] + [a.selected() for a in aggregates]
    return query(df, f"SELECT {', '.join(items)} FROM {view_of(df)} GROUP BY {grouping}")


def describe(df: Any, cols: tuple[Any, ...]) -> DataFrame:
    """Spark's ``describe``: count, mean, stddev, min and max of each column, as strings (mean and
    stddev of a string column from its numeric values)."""
    if len(cols) == 1 and isinstance(cols[0], (list, tuple)):
        cols = tuple(cols[0])
    types = dict(df.dtypes)
    names = list(cols) or [n for n, t in df.dtypes if is_numeric(t) or t == STRING_NAME]
    view = view_of(df)

    def stats(n: str) -> dict[str, str]:
        c = quote(n)
        number = c if types[n] != STRING_NAME else f"CAST({c} AS {DOUBLE_NAME})"
        return {
            "count": f"CAST(count({c}) AS STRING)",
            "mean": f"CAST(avg({number}) AS STRING)",
            "stddev": f"CAST(stddev_samp({number}) AS STRING)",
            "min": f"CAST(min({c}) AS STRING)",
            "max": f"CAST(max({c}) AS STRING)",
        }

    per_column = {n: stats(n) for n in names}
    selects = []
    for i, statistic in enumerate(("count", "mean", "stddev", "min", "max")):
        values = ", ".join(f"{per_column[n][statistic]} AS {quote(n)}" for n in names)
        selects.append(
            f"SELECT {i} AS __position, '{statistic}' AS summary{', ' if values else ''}{values} FROM {view}"
        )
    shown = ", ".join(["summary"] + [quote(n) for n in names])
    return query(df, f"SELECT {shown} FROM ({' UNION ALL '.join(selects)}) ORDER BY __position")


def union_by_name_filling(left: Any, right: Any) -> DataFrame:
    """``unionByName(other, allowMissingColumns=True)``: a column one side lacks is NULL there;
    the other side's extra columns come after this side's."""
    left_types, right_types = dict(left.dtypes), dict(right.dtypes)
    names = list(left.columns) + [c for c in right.columns if c not in left_types]

    def side(types: dict[str, str]) -> str:
        items = [
            quote(n) if n in types else f"CAST(NULL AS {left_types.get(n) or right_types[n]}) AS {quote(n)}"
            for n in names
        ]
        return ", ".join(items)

    # This side's rows, then the other's, each in its order (as Spark's union keeps them).
    def ordered(types: dict[str, str], df: Any, position: int) -> str:
        return f"SELECT {side(types)}, {position} AS __side, monotonically_increasing_id() AS __row FROM {view_of(df)}"

    shown = ", ".join(quote(n) for n in names)
    return query(
        left,
        f"SELECT {shown} FROM ({ordered(left_types, left, 0)} UNION ALL {ordered(right_types, right, 1)}) "
        "ORDER BY __side, __row",
    )


def union_in_order(left: Any, right: Any, by_name: bool) -> Optional[DataFrame]:
    """``union`` / ``unionByName``: this side's rows, then the other's, each in its order (Spark
    concatenates the two sides' partitions); None where the columns cannot be named one by one."""
    names = list(left.columns)
    if len(set(n.lower() for n in names)) != len(names) or len(right.columns) != len(names):
        return None
    shown = ", ".join(quote(n) for n in names)
    theirs = shown if by_name else ", ".join(f"{quote(r)} AS {quote(n)}" for n, r in zip(names, right.columns))

    def ordered(columns: str, df: Any, position: int) -> str:
        return f"SELECT {columns}, {position} AS __side, monotonically_increasing_id() AS __row FROM {view_of(df)}"

    return query(
        left,
        f"SELECT {shown} FROM ({ordered(shown, left, 0)} UNION ALL {ordered(theirs, right, 1)}) ORDER BY __side, __row",
    )


def unpivot(df: Any, ids: Any, values: Any, variable: str, value: str) -> DataFrame:
    """Spark's ``unpivot`` / ``melt``: one row per input row and value column, in that order, the
    values cast to their common type."""
    ids = [ids] if isinstance(ids, (str, Column)) else list(ids or [])
    id_names = [c if isinstance(c, str) else c._name for c in ids]
    if values is None:
        values = [c for c in df.columns if c not in id_names]
    values = [values] if isinstance(values, (str, Column)) else list(values)
    value_names = [c if isinstance(c, str) else c._name for c in values]
    view = view_of(df)
    numbered = f"(SELECT *, monotonically_increasing_id() AS __row FROM {view})"
    kept = "".join(f"{quote(n)}, " for n in id_names)
    common = _common_type([dict(df.dtypes)[n] for n in value_names])
    selects = [
        f"SELECT {kept}'{n}' AS {quote(variable)}, CAST({quote(n)} AS {common}) AS {quote(value)}, __row, {i} AS __k "
        f"FROM {numbered}"
        for i, n in enumerate(value_names)
    ]
    shown = ", ".join([quote(n) for n in id_names] + [quote(variable), quote(value)])
    return query(df, f"SELECT {shown} FROM ({' UNION ALL '.join(selects)}) ORDER BY __row, __k")


def conform(df: Any, schema: Any) -> DataFrame:
    """``df.to(schema)``: the schema's columns, by name, in its order and types."""
    missing = [f.name for f in schema.fields if f.name not in df.columns]
    if missing:
        from glueless.exceptions import SqlError

        raise SqlError(f"[UNRESOLVED_COLUMN.WITH_SUGGESTION] A column with name `{missing[0]}` cannot be resolved.")
    return df.selectExpr(
        *[f"CAST({quote(f.name)} AS {f.dataType.simpleString()}) AS {quote(f.name)}" for f in schema.fields]
    )


def statistic(df: Any, function: str, col1: str, col2: str) -> Optional[float]:
    """``corr`` / ``cov`` of two numeric columns, as one number."""
    row = query(
        df, f"SELECT {function}(CAST({quote(col1)} AS DOUBLE), CAST({quote(col2)} AS DOUBLE)) FROM {view_of(df)}"
    ).first()
    return None if row is None else row[0]


def _common_type(types: list[str]) -> str:
    """The type Spark widens unpivoted values to: the one type, a number's widest, else string."""
    if len(set(types)) == 1:
        return types[0]
    if all(t in INTEGRAL_NAMES for t in types):
        return max(types, key=INTEGRAL_NAMES.index)
    if all(is_numeric(t) for t in types):
        return DOUBLE_NAME
    return STRING_NAME


def pivoted_aggregates(df: Any, pivot: Column, values: Any, aggregates: list[Column]) -> list[str]:
    """``groupBy(…).pivot(col, values).agg(…)`` as plain aggregates: each aggregate once per pivot
    value, over the rows of that value only (a group without such rows gets NULL, as in Spark),
    named by the value (and the aggregate, when there are several)."""
    from glueless.compat.pyspark.sql.column import literal_sql

    if values is None:
        # Spark's: the column's distinct values, sorted.
        rows = query(df, f"SELECT DISTINCT {pivot.sql()} FROM {view_of(df)} ORDER BY 1").collect()
        values = [r[0] for r in rows]
    items = []
    for value in values:
        condition = f"({pivot.sql()} <=> {literal_sql(value)})"
        shown = "null" if value is None else str(value)
        for aggregate in aggregates:
            # Every column the aggregate reads, only on this value's rows.
            text = aggregate._render(_only_where(condition))
            if text == "count(1)":
                text = f"count(CASE WHEN {condition} THEN 1 END)"
            guarded = f"CASE WHEN count(CASE WHEN {condition} THEN 1 END) = 0 THEN NULL ELSE {text} END"
            if len(aggregates) == 1:
                name = shown
            else:
                aggregate_name = aggregate._alias or aggregate._render(lambda frame, parts: ".".join(parts))
                name = f"{shown}_{aggregate_name}"
            items.append(f"{guarded} AS {quote(name)}")
    return items


def _only_where(condition: str) -> Any:
    """A reference renderer: each column as its value where ``condition`` holds, else NULL."""

    def reference(frame: Any, parts: tuple[str, ...]) -> str:
        return f"(CASE WHEN {condition} THEN {render(parts)} END)"

    return reference


def render(parts: tuple[str, ...]) -> str:
    from glueless.compat.pyspark.sql.column import render_parts

    return render_parts(parts)


#: The hidden column holding a row's draw while a sample is taken.
_DRAW = "__glueless_sample_draw"


def sampled(df: Any, bounds: tuple[float, float], seed: int, ordered: bool) -> DataFrame:
    """The rows whose draw falls in ``[lower, upper)``: Spark's ``BernoulliCellSampler``, one
    ``XORShiftRandom(seed + partition)`` draw per row in the partition's order (``rand(seed)``'s
    sequence), so the rows are Spark's where Spark's input is one partition. ``ordered`` sorts
    the rows by every orderable column first, as ``randomSplit`` does to make its splits disjoint."""
    columns = ", ".join(quote(c) for c in df.columns)
    if ordered:
        keys = ", ".join(f"{quote(n)} ASC NULLS FIRST" for n, t in df.dtypes if not t.startswith("map<"))
        position = f"row_number() OVER (ORDER BY {keys})" if keys else "row_number() OVER ()"
        draw = f"spark_rand(CAST({seed} AS BIGINT), CAST({position} AS BIGINT) - 1)"
    else:
        draw = f"rand({seed})"
    lower, upper = bounds
    return query(
        df,
        f"SELECT {columns} FROM (SELECT *, {draw} AS {_DRAW} FROM {view_of(df)}) "
        f"WHERE {_DRAW} >= {float(lower)!r} AND {_DRAW} < {float(upper)!r}",
    )
