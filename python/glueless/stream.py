"""Streaming aggregation with Spark Structured Streaming's semantics, without Spark.

The names follow PySpark's (``readStream…withWatermark…groupBy(window(…))…agg(…)``) in Python's
spelling::

    from glueless import stream

    reports = (
        stream.read_parquet("lake/silver/reviews", schema="silver")
        .with_watermark("review_timestamp", "10 seconds")
        .group_by(stream.window("review_timestamp", "1 minute"), "product_category", "star_rating")
        .agg("reviews=count(*)", "avg_star_rating=avg(star_rating)", "helpful_votes=sum(helpful_votes)")
        .write_parquet("lake/gold/fact_review", checkpoint="/tmp/gold-checkpoint", trigger="available-now")
    )

Output mode is append: a group is written once, in the micro-batch whose watermark passes its
window end (or its event time), to one Parquet file per batch named by the batch id. The
checkpoint makes the output exactly once across crashes and restarts.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Callable, Optional, Union

from glueless._glueless import generate_silver, gold_defaults, stream_aggregate
from glueless.formats import FORMATS

if TYPE_CHECKING:
    from glueless._glueless import BatchReport

__all__ = ["StreamingQuery", "Window", "generate_silver", "gold_defaults", "read_parquet", "window"]


@dataclass(frozen=True)
class Window:
    """``window(column, size[, slide])``: tumbling, or sliding when ``slide`` is shorter."""

    column: str
    size: str
    slide: Optional[str] = None


def window(column: str, size: str, slide: Optional[str] = None) -> Window:
    """A time window over the event-time ``column``, aligned to the epoch, like Spark's ``window``."""
    return Window(column, size, slide)


@dataclass(frozen=True)
class StreamingQuery:
    """An aggregation over a folder of Parquet files; build it, then :meth:`write_parquet` runs it."""

    source: str
    schema: Optional[str] = None
    event_time: Optional[str] = None
    watermark: Optional[str] = None
    window: Optional[Window] = None
    group_by_columns: tuple[str, ...] = ()
    aggregates: tuple[str, ...] = field(default=())

    def with_watermark(self, event_time: str, delay: str) -> StreamingQuery:
        """Rows whose event time is ``delay`` or more behind the latest seen are late (dropped)."""
        return replace(self, event_time=event_time, watermark=delay)

    def group_by(self, *keys: Union[str, Window]) -> StreamingQuery:
        """Group by at most one :func:`window` and any number of columns."""
        windows = [k for k in keys if isinstance(k, Window)]
        if len(windows) > 1:
            raise ValueError("group by at most one window")
        columns = tuple(k for k in keys if isinstance(k, str))
        return replace(self, window=windows[0] if windows else None, group_by_columns=columns)

    def agg(self, *aggregates: str, **named: str) -> StreamingQuery:
        """Aggregates as ``"name=func(col)"`` strings or ``name="func(col)"`` keywords.

        Functions: ``count(*)``, ``count(col)``, ``sum``, ``avg``, ``min``, ``max``.
        """
        return replace(self, aggregates=self.aggregates + aggregates + tuple(f"{k}={v}" for k, v in named.items()))

    def write_parquet(
        self,
        path: str,
        *,
        checkpoint: str,
        trigger: str = "available-now",
        max_files_per_trigger: Optional[int] = None,
        timeout: Optional[float] = None,
        on_batch: Optional[Callable[[BatchReport], object]] = None,
    ) -> list[BatchReport]:
        """Run the query, appending to the Parquet folder ``path``; see :meth:`write_table`."""
        return self.write_table(
            path,
            format="parquet",
            checkpoint=checkpoint,
            trigger=trigger,
            max_files_per_trigger=max_files_per_trigger,
            timeout=timeout,
            on_batch=on_batch,
        )

    def write_table(
        self,
        path: str,
        *,
        format: str = "parquet",
        checkpoint: str,
        trigger: str = "available-now",
        max_files_per_trigger: Optional[int] = None,
        timeout: Optional[float] = None,
        on_batch: Optional[Callable[[BatchReport], object]] = None,
    ) -> list[BatchReport]:
        """Run the query, appending to the table at ``path``; return the reports of the batches it ran.

        ``format``: ``parquet`` (a folder of files, one per batch), ``iceberg`` or ``delta`` (each
        batch one append snapshot carrying its batch id, so a batch replayed after a crash is not
        appended twice). ``trigger`` is ``available-now`` (every file present now,
        ``max_files_per_trigger`` at a time, then one batch without data so the watermark can close
        groups), ``once`` (one batch of everything pending) or ``processing-time=5 seconds`` (poll
        until Ctrl-C or ``timeout``).
        """
        if self.event_time is None or self.watermark is None:
            raise ValueError("append mode needs a watermark: call with_watermark(column, delay) first")
        if self.window is not None and self.window.column != self.event_time:
            raise ValueError(f"the window must be over the watermarked column {self.event_time}")
        if format not in FORMATS:
            raise ValueError(f"unknown table format {format!r}: use {', '.join(FORMATS[:-1])} or {FORMATS[-1]}")
        return stream_aggregate(
            {"folder": self.source, "max_files_per_trigger": max_files_per_trigger, "schema": self.schema},
            {"folder": path, "format": format, "checkpoint": checkpoint},
            event_time=self.event_time,
            watermark=self.watermark,
            window=self.window.size if self.window else None,
            slide=self.window.slide if self.window else None,
            group_by=list(self.group_by_columns),
            aggregates=list(self.aggregates),
            run={"trigger": trigger, "timeout": timeout, "on_batch": on_batch},
        )


def read_parquet(path: str, *, schema: Optional[str] = None) -> StreamingQuery:
    """A stream over the Parquet files arriving in the folder ``path`` (local, ``s3://``, ``s3a://``).

    ``schema`` is what Spark's ``readStream.schema(...)`` takes, as a DDL string
    (``"review_timestamp TIMESTAMP, star_rating INT, ..."``), or ``"silver"`` for the gold layer's
    declared silver schema. Without one, the types are those of the first file the query takes.
    Either way only the columns the query uses are checked: every file must hold them with
    those types (a column a file lacks reads as null when a schema was declared); the checkpoint
    records the types, so a later run whose files change one fails with an error naming the file,
    the column, the type found and the type needed.
    """
    if schema is not None and not schema.strip():
        raise ValueError("schema is empty: give a DDL string such as 'review_timestamp TIMESTAMP, star_rating INT'")
    return StreamingQuery(source=path, schema=schema)
