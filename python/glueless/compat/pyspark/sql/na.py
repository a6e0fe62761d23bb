"""``df.na`` / ``fillna`` / ``dropna`` / ``replace``: Spark's missing-value functions, as
projections and filters over the frame's columns (Spark's rules: a fill value applies only to the
columns of a matching type; NaN counts as missing in ``dropna``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional, Union

from glueless.compat._unsupported import Surface
from glueless.compat.pyspark.sql.column import literal_sql, quote
from glueless.compat.pyspark.sql.types import BOOLEAN_NAME, FRACTIONAL_NAMES, STRING_NAME, is_numeric

if TYPE_CHECKING:
    from glueless.compat.pyspark.sql.dataframe import DataFrame


def _fits(value: Any, spark_type: str) -> bool:
    """Spark fills a column only with a value of its kind: numbers into numeric columns, strings
    into string columns, booleans into boolean columns."""
    if isinstance(value, bool):
        return spark_type == BOOLEAN_NAME
    if isinstance(value, (int, float)):
        return is_numeric(spark_type)
    if isinstance(value, str):
        return spark_type == STRING_NAME
    return False


def _subset(subset: Union[None, str, list[str], tuple[str, ...]]) -> Optional[list[str]]:
    if subset is None:
        return None
    return [subset] if isinstance(subset, str) else list(subset)


def fillna(df: Any, value: Any, subset: Any = None) -> DataFrame:
    """``df.fillna(value[, subset])`` or ``df.fillna({column: value})``."""
    if isinstance(value, dict):
        fills = dict(value)
    else:
        if not isinstance(value, (bool, int, float, str)):
            raise TypeError(f"value should be a float, int, string, bool or dict, got {type(value).__name__}")
        names = _subset(subset) or df.columns
        fills = {n: value for n in names}
    types = dict(df.dtypes)
    exprs = []
    for name in df.columns:
        fill = fills.get(name)
        if fill is None or not _fits(fill, types[name]) and not isinstance(value, dict):
            exprs.append(quote(name))
        else:
            # The column keeps its type (an int column filled with 2.5 gets 2, as Spark casts).
            exprs.append(f"CAST(coalesce({quote(name)}, {literal_sql(fill)}) AS {types[name]}) AS {quote(name)}")
    return df.selectExpr(*exprs)


def dropna(df: Any, how: str = "any", thresh: Optional[int] = None, subset: Any = None) -> DataFrame:
    """Rows with missing values dropped: ``any`` / ``all`` of ``subset``, or fewer than ``thresh``
    present."""
    if how not in ("any", "all"):
        raise ValueError(f"how ('{how}') should be 'any' or 'all'")
    names = _subset(subset) or df.columns
    types = dict(df.dtypes)

    def present(name: str) -> str:
        column = quote(name)
        if types.get(name) in FRACTIONAL_NAMES:
            return f"({column} IS NOT NULL AND NOT isnan({column}))"
        return f"({column} IS NOT NULL)"

    needed = thresh if thresh is not None else (len(names) if how == "any" else 1)
    counted = " + ".join(f"CASE WHEN {present(n)} THEN 1 ELSE 0 END" for n in names) or "0"
    return df.filter(f"({counted}) >= {int(needed)}")


def replace(df: Any, to_replace: Any, value: Any = None, subset: Any = None) -> DataFrame:
    """Values replaced column by column: ``replace(old, new)``, lists of both, or a dict."""
    if isinstance(to_replace, dict):
        pairs = list(to_replace.items())
    elif isinstance(to_replace, (list, tuple)):
        values = value if isinstance(value, (list, tuple)) else [value] * len(to_replace)
        if len(values) != len(to_replace):
            raise ValueError("to_replace and value lists should be of the same length")
        pairs = list(zip(to_replace, values))
    else:
        pairs = [(to_replace, value)]
    names = _subset(subset) or df.columns
    types = dict(df.dtypes)
    exprs = []
    for name in df.columns:
        usable = [(old, new) for old, new in pairs if _fits(old, types[name])]
        if name not in names or not usable:
            exprs.append(quote(name))
            continue
        whens = " ".join(f"WHEN {quote(name)} = {literal_sql(old)} THEN {literal_sql(new)}" for old, new in usable)
        exprs.append(f"CAST(CASE {whens} ELSE {quote(name)} END AS {types[name]}) AS {quote(name)}")
    return df.selectExpr(*exprs)


class DataFrameNaFunctions(Surface):
    """``df.na``."""

    __module__ = "glueless.compat.pyspark.sql.dataframe"

    _api_name = "DataFrameNaFunctions"

    def __init__(self, df: Any) -> None:
        self._df = df

    def fill(self, value: Any, subset: Any = None) -> DataFrame:
        return fillna(self._df, value, subset)

    def drop(self, how: str = "any", thresh: Optional[int] = None, subset: Any = None) -> DataFrame:
        return dropna(self._df, how, thresh, subset)

    def replace(self, to_replace: Any, value: Any = None, subset: Any = None) -> DataFrame:
        return replace(self._df, to_replace, value, subset)
