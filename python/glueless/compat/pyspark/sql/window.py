"""``pyspark.sql.Window`` and ``WindowSpec``: a window's partitioning, ordering and frame,
rendered as Spark SQL's ``OVER (…)`` clause."""

from __future__ import annotations

import sys
from typing import Any, Optional

from glueless.compat._unsupported import Surface
from glueless.compat.pyspark.sql.column import Column, RefRenderer

_JAVA_LONG_MAX = sys.maxsize
_JAVA_LONG_MIN = -sys.maxsize - 1


def _columns(cols: tuple[Any, ...]) -> list[Column]:
    if len(cols) == 1 and isinstance(cols[0], (list, tuple)):
        cols = tuple(cols[0])
    return [Column.of(c) for c in cols]


def _bound(value: int) -> str:
    if value <= Window.unboundedPreceding:
        return "UNBOUNDED PRECEDING"
    if value >= Window.unboundedFollowing:
        return "UNBOUNDED FOLLOWING"
    if value == 0:
        return "CURRENT ROW"
    return f"{-value} PRECEDING" if value < 0 else f"{value} FOLLOWING"


class WindowSpec(Surface):
    """A window: ``partitionBy``, ``orderBy``, and a ``rowsBetween`` / ``rangeBetween`` frame."""

    _api_name = "WindowSpec"

    def __init__(
        self, partition: Optional[list[Column]] = None, order: Optional[list[Column]] = None, frame: str = ""
    ) -> None:
        self._partition = partition or []
        self._order = order or []
        self._frame = frame
        frames: frozenset[int] = frozenset()
        for c in self._partition + self._order:
            frames |= c._frames
        self._frames = frames

    def partitionBy(self, *cols: Any) -> WindowSpec:
        return WindowSpec(_columns(cols), self._order, self._frame)

    def orderBy(self, *cols: Any) -> WindowSpec:
        return WindowSpec(self._partition, _columns(cols), self._frame)

    def rowsBetween(self, start: int, end: int) -> WindowSpec:
        return WindowSpec(self._partition, self._order, f"ROWS BETWEEN {_bound(start)} AND {_bound(end)}")

    def rangeBetween(self, start: int, end: int) -> WindowSpec:
        return WindowSpec(self._partition, self._order, f"RANGE BETWEEN {_bound(start)} AND {_bound(end)}")

    def _sql(self, refs: Optional[RefRenderer] = None) -> str:
        parts = []
        if self._partition:
            parts.append("PARTITION BY " + ", ".join(c.sql(refs) for c in self._partition))
        if self._order:
            parts.append("ORDER BY " + ", ".join(c.sql(refs) for c in self._order))
        if self._frame:
            parts.append(self._frame)
        return " ".join(parts)


class Window:
    """Builds ``WindowSpec``s: ``Window.partitionBy("k").orderBy("t")``."""

    unboundedPreceding = _JAVA_LONG_MIN
    unboundedFollowing = _JAVA_LONG_MAX
    currentRow = 0

    @staticmethod
    def partitionBy(*cols: Any) -> WindowSpec:
        return WindowSpec().partitionBy(*cols)

    @staticmethod
    def orderBy(*cols: Any) -> WindowSpec:
        return WindowSpec().orderBy(*cols)

    @staticmethod
    def rowsBetween(start: int, end: int) -> WindowSpec:
        return WindowSpec().rowsBetween(start, end)

    @staticmethod
    def rangeBetween(start: int, end: int) -> WindowSpec:
        return WindowSpec().rangeBetween(start, end)
