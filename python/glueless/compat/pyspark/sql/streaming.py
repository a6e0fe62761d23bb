"""``pyspark.sql.streaming``: Structured Streaming programs on glueless's stream engine.

A streaming DataFrame here is a plan: a file source (Parquet, JSON lines or CSV), the program's
stateless operations, a watermark, at most one stateful operation — ``groupBy(...).agg(...)``
or ``dropDuplicates`` / ``dropDuplicatesWithinWatermark`` — and the stateless operations after
it. The engine reads each micro-batch's files, runs the operations before the stateful one on
them (split where the program put ``withWatermark``: Spark observes the event time there), keeps
the state exactly once in the checkpoint, and hands each batch's rows (an aggregation's groups
shaped as Spark's: a ``window`` struct, the keys, the aggregates) to the operations after it and
the sink: Parquet or JSON files, ``foreachBatch``, the console or a memory table. ``start()``
runs the query in a background thread, as Spark does.
"""

from __future__ import annotations

import datetime as _dt
import shutil
import tempfile
import threading
import uuid
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Callable, Optional, Union

from glueless._glueless import FILE_FORMATS, STREAM_SINK_FORMATS, stream_aggregate, stream_rows, stream_source_rows
from glueless.compat import _run
from glueless.compat._unsupported import Surface, module_getattr, unsupported
from glueless.compat.pyspark.sql.column import Column, quote
from glueless.compat.pyspark.sql.dataframe import DataFrame
from glueless.compat.pyspark.sql.types import StructType

if TYPE_CHECKING:
    from glueless._glueless import BatchReport, _StreamRun, _StreamSink, _StreamSource

__getattr__ = module_getattr("pyspark.sql.streaming")

#: A stateless operation applied to a batch of rows.
BatchOp = Callable[[DataFrame], DataFrame]


@dataclass(frozen=True)
class _Op:
    """One stateless operation; ``columns`` when it only keeps named columns (a ``select`` that
    an aggregation, which reads only the columns it uses, can skip)."""

    run: BatchOp
    columns: bool = False


@dataclass(frozen=True)
class _Plan:
    path: str
    format: str
    options: tuple[tuple[str, str], ...]
    schema: Optional[str]
    max_files_per_trigger: Optional[int]
    max_bytes_per_trigger: Optional[int]
    #: Operations before ``withWatermark`` (all of them, without one) and after it.
    before_watermark: tuple[_Op, ...] = ()
    watermark: Optional[tuple[str, str]] = None
    after_watermark: tuple[_Op, ...] = ()
    keys: tuple[Column, ...] = ()
    aggregates: tuple[Column, ...] = ()
    aggregated: bool = False
    #: ``dropDuplicates`` keys, and whether within the watermark.
    deduplicate: Optional[tuple[tuple[str, ...], bool]] = None
    after: tuple[BatchOp, ...] = field(default=())

    @property
    def stateful(self) -> bool:
        return self.aggregated or self.deduplicate is not None


#: Options of Spark's file sources glueless reads; the text formats' parsing options.
_SOURCE_OPTIONS = {"path", "maxfilespertrigger", "maxbytespertrigger"}
_TEXT_OPTIONS = {"mode", "columnnameofcorruptrecord"}
_CSV_OPTIONS = {"header", "sep", "delimiter", "quote", "escape"}


class DataStreamReader(Surface):
    """``spark.readStream``: a folder of Parquet, JSON-lines or CSV files as a stream."""

    _api_name = "DataStreamReader"

    def __init__(self, session: Any) -> None:
        self._session = session
        self._format = "parquet"
        self._schema: Optional[str] = None
        self._options: dict[str, Any] = {}

    def format(self, source: str) -> DataStreamReader:
        self._format = source.lower()
        return self

    def option(self, key: str, value: Any) -> DataStreamReader:
        self._options[key.lower()] = value
        return self

    def options(self, **options: Any) -> DataStreamReader:
        for k, v in options.items():
            self.option(k, v)
        return self

    def schema(self, schema: Union[StructType, str]) -> DataStreamReader:
        self._schema = schema.ddl() if isinstance(schema, StructType) else str(schema)
        return self

    def load(
        self, path: Optional[str] = None, format: Optional[str] = None, schema: Any = None, **options: Any
    ) -> StreamingDataFrame:  # noqa: A002
        if format:
            self.format(format)
        if schema is not None:
            self.schema(schema)
        self.options(**{k: v for k, v in options.items() if v is not None})
        path = path or self._options.get("path")
        if not path:
            raise ValueError("readStream.load() needs a path")
        if self._format not in FILE_FORMATS:
            unsupported(f"DataStreamReader.format({self._format!r})", "streams read parquet, json and csv files")
        known = (
            _SOURCE_OPTIONS
            | (_TEXT_OPTIONS if self._format != "parquet" else set())
            | (_CSV_OPTIONS if self._format == "csv" else set())
        )
        for unknown in sorted(set(self._options) - known):
            unsupported(f"DataStreamReader.option({unknown!r}) for {self._format}")
        if self._format != "parquet" and self._schema is None:
            raise ValueError(
                "Schema must be specified when creating a streaming source DataFrame. If some files already exist "
                "in the directory, then depending on the file format you may be able to create a static DataFrame "
                "on that directory with 'spark.read.load(directory)' and infer schema from it."
            )
        files, size = self._options.get("maxfilespertrigger"), self._options.get("maxbytespertrigger")
        if files is not None and size is not None:
            raise ValueError("Options 'maxFilesPerTrigger' and 'maxBytesPerTrigger' can't be both set at the same time")
        run = _run.current()
        text_options = {k: _option_text(v) for k, v in self._options.items() if k not in _SOURCE_OPTIONS}
        zone = self._session.conf.get("spark.sql.session.timeZone")
        if self._format != "parquet" and zone:
            text_options["timeZone"] = zone
        plan = _Plan(
            run.map_location(str(path)),
            self._format,
            tuple(sorted(text_options.items())),
            self._schema,
            _positive(files, "maxFilesPerTrigger"),
            _positive(size, "maxBytesPerTrigger"),
        )
        return StreamingDataFrame(plan, self._session)

    def parquet(self, path: str, **options: Any) -> StreamingDataFrame:
        return self.load(path, "parquet", **options)

    def json(self, path: str, schema: Any = None, **options: Any) -> StreamingDataFrame:
        return self.load(path, "json", schema, **options)

    def csv(
        self, path: str, schema: Any = None, sep: Optional[str] = None, header: Any = None, **options: Any
    ) -> StreamingDataFrame:
        return self.load(path, "csv", schema, sep=sep, header=header, **options)


def _option_text(value: Any) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def _positive(value: Any, option: str) -> Optional[int]:
    if value is None:
        return None
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number <= 0:
        raise ValueError(f"Invalid value '{value}' for option '{option}', must be a positive integer")
    return number


def _column_name(c: Any) -> Optional[str]:
    return c if isinstance(c, str) else getattr(c, "_ref", None)


def _names(cols: tuple[Any, ...]) -> tuple[Any, ...]:
    return tuple(cols[0]) if len(cols) == 1 and isinstance(cols[0], (list, tuple)) else cols


class StreamingDataFrame(Surface):
    """A streaming DataFrame: source, stateless operations, a watermark, at most one stateful
    operation, and the stateless operations after it."""

    _api_name = "DataFrame (streaming)"
    isStreaming = True

    def __init__(self, plan: _Plan, session: Any) -> None:
        self._plan = plan
        self._session = session

    def _then(self, op: BatchOp, columns: bool = False) -> StreamingDataFrame:
        plan = self._plan
        if plan.stateful:
            plan = replace(plan, after=plan.after + (op,))
        elif plan.watermark is None:
            plan = replace(plan, before_watermark=plan.before_watermark + (_Op(op, columns),))
        else:
            plan = replace(plan, after_watermark=plan.after_watermark + (_Op(op, columns),))
        return StreamingDataFrame(plan, self._session)

    def withWatermark(self, eventTime: str, delayThreshold: str) -> StreamingDataFrame:
        if self._plan.stateful:
            unsupported("DataFrame.withWatermark after a stateful operation")
        if self._plan.watermark is not None:
            unsupported("a second DataFrame.withWatermark on a stream")
        return StreamingDataFrame(replace(self._plan, watermark=(eventTime, delayThreshold)), self._session)

    def groupBy(self, *cols: Any) -> StreamingGroupedData:
        if self._plan.stateful:
            unsupported(
                "a second stateful operation on a stream (an aggregation after another, or after dropDuplicates)"
            )
        keys = tuple(Column.of(c) for c in _names(cols))
        for key in keys:
            if key._window is None and key._ref is None:
                unsupported("DataFrame.groupBy on a stream", "group by columns and at most one window(...)")
        if sum(1 for k in keys if k._window is not None) > 1:
            unsupported("DataFrame.groupBy on a stream", "more than one window")
        return StreamingGroupedData(self, keys)

    groupby = groupBy

    def _deduplicate(self, api: str, subset: Any, within: bool) -> StreamingDataFrame:
        if self._plan.stateful:
            unsupported(f"DataFrame.{api} after a stateful operation")
        if subset is None:
            unsupported(f"DataFrame.{api}() without column names on a stream", "name the key columns")
        keys = tuple(str(c) for c in ([subset] if isinstance(subset, str) else subset))
        if not keys:
            unsupported(f"DataFrame.{api}([]) on a stream", "name the key columns")
        if within and self._plan.watermark is None:
            raise ValueError(
                "dropDuplicatesWithinWatermark is not supported with streaming DataFrames/DataSets without watermark"
            )
        return StreamingDataFrame(replace(self._plan, deduplicate=(keys, within)), self._session)

    def dropDuplicates(self, subset: Optional[list[str]] = None) -> StreamingDataFrame:
        return self._deduplicate("dropDuplicates", subset, False)

    drop_duplicates = dropDuplicates

    def dropDuplicatesWithinWatermark(self, subset: Optional[list[str]] = None) -> StreamingDataFrame:
        return self._deduplicate("dropDuplicatesWithinWatermark", subset, True)

    def select(self, *cols: Any) -> StreamingDataFrame:
        names = [_column_name(c) for c in _names(cols)]
        only_names = all(isinstance(c, str) and c != "*" for c in _names(cols)) and all(names)
        return self._then(lambda df: df.select(*cols), columns=only_names)

    def selectExpr(self, *exprs: str) -> StreamingDataFrame:
        return self._then(lambda df: df.selectExpr(*exprs))

    def filter(self, condition: Any) -> StreamingDataFrame:
        return self._then(lambda df: df.filter(condition))

    where = filter

    def withColumn(self, colName: str, col: Column) -> StreamingDataFrame:
        return self._then(lambda df: df.withColumn(colName, col))

    def withColumns(self, colsMap: dict[str, Column]) -> StreamingDataFrame:
        return self._then(lambda df: df.withColumns(colsMap))

    def withColumnRenamed(self, existing: str, new: str) -> StreamingDataFrame:
        return self._then(lambda df: df.withColumnRenamed(existing, new))

    def drop(self, *cols: Any) -> StreamingDataFrame:
        return self._then(lambda df: df.drop(*cols))

    @property
    def writeStream(self) -> DataStreamWriter:
        return DataStreamWriter(self)

    def _no_rows(self, api: str) -> DataFrame:
        """No rows of this stream: its columns and types, for the schema calls."""
        plan = self._plan
        if plan.aggregated:
            unsupported(f"DataFrame.{api} of a streaming aggregation")
        if plan.schema is None:
            unsupported(
                f"DataFrame.{api} of a stream without a declared schema", "declare it with readStream.schema(...)"
            )
        df = DataFrame(_run.current().session.frame(stream_source_rows(plan.schema)), self._session)
        for op in plan.before_watermark + plan.after_watermark:
            df = op.run(df)
        for after in plan.after:
            df = after(df)
        return df

    @property
    def columns(self) -> list[str]:
        return self._no_rows("columns").columns

    @property
    def schema(self) -> StructType:
        return self._no_rows("schema").schema

    @property
    def dtypes(self) -> list[tuple[str, str]]:
        return self._no_rows("dtypes").dtypes

    def printSchema(self) -> None:
        self._no_rows("printSchema").printSchema()


class StreamingGroupedData(Surface):
    """``stream.groupBy(...)``: the aggregates the engine keeps per group."""

    _api_name = "GroupedData (streaming)"
    _FUNCTIONS = ("count", "sum", "avg", "min", "max")

    def __init__(self, df: StreamingDataFrame, keys: tuple[Column, ...]) -> None:
        self._df = df
        self._keys = keys

    def agg(self, *exprs: Any) -> StreamingDataFrame:
        if len(exprs) == 1 and isinstance(exprs[0], dict):
            from glueless.compat.pyspark.sql import functions as F

            exprs = tuple(getattr(F, fn)(c) for c, fn in exprs[0].items())
        for e in exprs:
            if not isinstance(e, Column) or e._agg is None or e._agg[0] not in self._FUNCTIONS:
                shown = e.sql() if isinstance(e, Column) else repr(e)
                unsupported(f"streaming aggregate {shown}", "count, sum, avg, min or max of a column")
        plan = replace(self._df._plan, keys=self._keys, aggregates=tuple(exprs), aggregated=True)
        return StreamingDataFrame(plan, self._df._session)

    def count(self) -> StreamingDataFrame:
        from glueless.compat.pyspark.sql import functions as F

        return self.agg(F.count("*").alias("count"))

    def _each(self, fn: str, cols: tuple[str, ...]) -> StreamingDataFrame:
        from glueless.compat.pyspark.sql import functions as F

        return self.agg(*[getattr(F, fn)(c) for c in cols])

    def sum(self, *cols: str) -> StreamingDataFrame:
        return self._each("sum", cols)

    def avg(self, *cols: str) -> StreamingDataFrame:
        return self._each("avg", cols)

    mean = avg

    def min(self, *cols: str) -> StreamingDataFrame:
        return self._each("min", cols)

    def max(self, *cols: str) -> StreamingDataFrame:
        return self._each("max", cols)


def _aggregate_name(c: Column) -> str:
    assert c._agg is not None
    func, arg = c._agg
    return c._name or f"{func}({'1' if arg == '*' else arg})"


class DataStreamWriter(Surface):
    """``stream.writeStream``: Parquet or JSON files, ``foreachBatch``, the console or a memory table."""

    _api_name = "DataStreamWriter"

    def __init__(self, df: StreamingDataFrame) -> None:
        self._df = df
        self._format = "parquet"
        self._mode = "append"
        self._options: dict[str, Any] = {}
        self._trigger = "processing-time=0 seconds"
        self._name: Optional[str] = None
        self._batch_function: Optional[Callable[[DataFrame, int], Any]] = None
        self._partition_by: list[str] = []

    def format(self, source: str) -> DataStreamWriter:
        if source.lower() not in _SINKS:
            unsupported(f"DataStreamWriter.format({source!r})", "parquet, json, console, memory or foreachBatch")
        self._format = source.lower()
        return self

    def outputMode(self, outputMode: str) -> DataStreamWriter:
        mode = outputMode.lower()
        if mode not in ("append", "update", "complete"):
            raise ValueError(
                f"Unknown output mode {outputMode}. Accepted output modes are 'append', 'complete', 'update'"
            )
        self._mode = mode
        return self

    def option(self, key: str, value: Any) -> DataStreamWriter:
        self._options[key.lower()] = value
        return self

    def options(self, **options: Any) -> DataStreamWriter:
        for k, v in options.items():
            self.option(k, v)
        return self

    def partitionBy(self, *cols: str) -> DataStreamWriter:
        self._partition_by = [str(c) for c in _names(cols)]
        return self

    def queryName(self, queryName: str) -> DataStreamWriter:
        self._name = queryName
        return self

    def trigger(
        self,
        processingTime: Optional[str] = None,
        once: Optional[bool] = None,
        continuous: Optional[str] = None,
        availableNow: Optional[bool] = None,
    ) -> DataStreamWriter:
        given = [p for p in (processingTime, once, continuous, availableNow) if p is not None]
        if len(given) != 1:
            raise ValueError("Only one trigger can be set.")
        if continuous is not None:
            unsupported("DataStreamWriter.trigger(continuous=...)")
        if once:
            self._trigger = "once"
        elif availableNow:
            self._trigger = "available-now"
        elif processingTime is not None:
            self._trigger = f"processing-time={processingTime}"
        else:
            raise ValueError("a trigger must be True (once=True, availableNow=True) or an interval")
        return self

    def foreachBatch(self, func: Callable[[DataFrame, int], Any]) -> DataStreamWriter:
        self._format = "foreachBatch"
        self._batch_function = func
        return self

    def foreach(self, f: Any) -> DataStreamWriter:
        unsupported("DataStreamWriter.foreach", "use foreachBatch")

    def start(
        self,
        path: Optional[str] = None,
        format: Optional[str] = None,
        outputMode: Optional[str] = None,
        partitionBy: Any = None,
        queryName: Optional[str] = None,
        **options: Any,
    ) -> StreamingQuery:  # noqa: A002
        if format:
            self.format(format)
        if outputMode:
            self.outputMode(outputMode)
        if partitionBy:
            self.partitionBy(partitionBy)
        if queryName:
            self.queryName(queryName)
        self.options(**options)
        if path:
            self._options["path"] = path
        return StreamingQuery._start(self)

    def toTable(self, tableName: str, *args: Any, **kwargs: Any) -> StreamingQuery:
        unsupported("DataStreamWriter.toTable")


#: The event-time column of an aggregation without a watermark (see ``StreamingQuery._run``).
_NO_EVENT_TIME = "__glueless_no_event_time"


def _constant_event_time(df: DataFrame) -> DataFrame:
    from glueless.compat.pyspark.sql import functions as F

    return df.withColumn(_NO_EVENT_TIME, F.expr("TIMESTAMP '1970-01-01 00:00:00'"))


#: Sink formats: the file sinks the core writes, and the console and memory sinks of this module.
_FILE_SINKS = tuple(STREAM_SINK_FORMATS)
_SINKS = (*_FILE_SINKS, "console", "memory")


class StreamingQuery(Surface):
    """A query running in a background thread: ``awaitTermination``, ``stop``, progress."""

    _api_name = "StreamingQuery"

    def __init__(self, writer: DataStreamWriter) -> None:
        self._writer = writer
        self._plan = writer._df._plan
        self._spark = writer._df._session
        self.id = str(uuid.uuid4())
        self.runId = str(uuid.uuid4())
        self.name = writer._name
        self._progress: list[dict[str, Any]] = []
        self._error: Optional[BaseException] = None
        self._stop = threading.Event()
        self._thread: Optional[threading.Thread] = None
        self._memory: Any = None  # the memory sink's table (pyarrow), chunks appended batch by batch

    @classmethod
    def _start(cls, writer: DataStreamWriter) -> StreamingQuery:
        query = cls(writer)
        query._check()
        query._thread = threading.Thread(target=query._run, name=f"glueless-stream-{query.id[:8]}", daemon=True)
        _active.append(query)
        query._thread.start()
        return query

    def _check(self) -> None:
        """Spark's rules for which output modes and sinks a query allows."""
        plan, writer = self._plan, self._writer
        append = writer._mode == "append"
        if writer._format in _FILE_SINKS and not append:
            raise ValueError(f"Data source {writer._format} does not support {writer._mode.capitalize()} output mode")
        if writer._partition_by and writer._format not in _FILE_SINKS:
            unsupported(
                f"DataStreamWriter.partitionBy with the {writer._format} sink",
                "file sinks (parquet, json) are partitioned",
            )
        if writer._format == "memory" and not writer._name:
            raise ValueError("queryName must be specified for memory sink")
        if "checkpointlocation" not in writer._options and writer._format in (*_FILE_SINKS, "foreachBatch"):
            raise ValueError(
                'checkpointLocation must be specified either through option("checkpointLocation", ...) or '
                'SparkSession.conf.set("spark.sql.streaming.checkpointLocation", ...)'
            )
        if writer._format in _FILE_SINKS and "path" not in writer._options:
            raise ValueError("'path' is not specified")
        if not plan.aggregated:
            if writer._mode == "complete":
                raise ValueError(
                    "Complete output mode not supported when there are no streaming aggregations on streaming "
                    "DataFrames/Datasets"
                )
            return
        if plan.watermark is None and append:
            raise ValueError(
                "Append output mode not supported when there are streaming aggregations on streaming "
                "DataFrames/DataSets without watermark"
            )
        windows = [k._window for k in plan.keys if k._window is not None]
        if plan.watermark is None:
            if windows:
                unsupported("a streaming window aggregation without withWatermark(...)")
            return  # update or complete: no group ever closes, no row is late
        event_time = plan.watermark[0]
        if windows and windows[0][0] != event_time:
            unsupported("a window over a column other than the watermarked one")
        if append and not windows and not any(k._ref == event_time for k in plan.keys):
            raise ValueError(
                "Append output mode not supported when there are streaming aggregations on streaming "
                f"DataFrames/DataSets without watermark: group by a window of {event_time} or by {event_time}"
            )

    # --- the run ------------------------------------------------------------------------------
    def _checkpoint(self) -> tuple[str, bool]:
        """The checkpoint location, and whether it is a temporary one (console and memory sinks
        may go without; Spark then checkpoints to a temporary folder it deletes afterwards)."""
        given = self._writer._options.get("checkpointlocation")
        if given:
            return _run.current().map_location(str(given)), False
        return tempfile.mkdtemp(prefix="glueless-stream-checkpoint-"), True

    def _shape(self, table: Any) -> DataFrame:
        """The engine's emitted rows (an aggregation's as Spark's output), then the operations
        after the stateful one."""
        session = _run.current().session
        df = DataFrame(session.frame(table), self._spark)
        if not self._plan.aggregated:
            for op in self._plan.after:
                df = op(df)
            return df
        columns: list[Column] = []
        for key in self._plan.keys:
            if key._window is not None:
                columns.append(Column.raw("named_struct('start', `window_start`, 'end', `window_end`) AS `window`"))
            else:
                assert key._ref is not None
                columns.append(Column.raw(quote(key._ref)))
        columns += [Column.raw(quote(_aggregate_name(a))) for a in self._plan.aggregates]
        df = df.select(*columns)
        for op in self._plan.after:
            df = op(df)
        return df

    def _emit(self, batch_id: int, table: Any) -> Any:
        kind = self._writer._format
        if kind in _FILE_SINKS and len(table) == 0:
            return None  # no file for a batch without rows (most batches, in append mode)
        df = self._shape(table)
        if kind in _FILE_SINKS:
            return df._frame.collect()
        if kind == "foreachBatch":
            assert self._writer._batch_function is not None
            self._writer._batch_function(df, batch_id)
        elif kind == "console":
            rows = int(self._writer._options.get("numrows", 20))
            truncate = str(self._writer._options.get("truncate", "true")).lower() != "false"
            print("-------------------------------------------")
            print(f"Batch: {batch_id}")
            print("-------------------------------------------")
            df.show(rows, truncate)
            print()
        elif kind == "memory":
            self._append_to_memory_table(df)
        return None

    def _append_to_memory_table(self, df: DataFrame) -> None:
        import pyarrow as pa

        rows = pa.table(df._frame.collect())
        # Complete mode: the table is the whole result as of this batch; else batches append.
        if self._memory is None or self._writer._mode == "complete":
            self._memory = rows
        else:
            self._memory = pa.concat_tables([self._memory, rows])
        session = _run.current().session
        name = self._writer._name
        assert name is not None, "checked by _check"
        session.drop_view(name)
        session.register_view(name, session.frame(self._memory))

    def _transform(self, ops: tuple[_Op, ...]) -> Optional[Callable[[Any], Any]]:
        """The operations ``ops`` as a function of a batch's table (``None`` for none)."""
        if not ops:
            return None
        session = _run.current().session

        def transform(table: Any) -> Any:
            df = DataFrame(session.frame(table), self._spark)
            for op in ops:
                df = op.run(df)
            return df._frame.collect()

        return transform

    def _run(self) -> None:
        plan, writer = self._plan, self._writer
        checkpoint, temporary = self._checkpoint()
        target = _run.current().map_location(str(writer._options["path"])) if writer._format in _FILE_SINKS else None
        before, after = plan.before_watermark, plan.after_watermark
        if plan.aggregated:
            # An aggregation reads only the columns it uses: a select of names changes nothing.
            before, after = tuple(o for o in before if not o.columns), tuple(o for o in after if not o.columns)
        source: _StreamSource = {
            "folder": plan.path,
            "format": plan.format,
            "options": dict(plan.options),
            "schema": plan.schema,
            "max_files_per_trigger": plan.max_files_per_trigger,
            "max_bytes_per_trigger": plan.max_bytes_per_trigger,
        }
        sink: _StreamSink = {
            "folder": target,
            "format": writer._format if writer._format in _FILE_SINKS else _FILE_SINKS[0],
            "partition_by": writer._partition_by,
            "checkpoint": checkpoint,
        }
        run: _StreamRun = {
            "trigger": writer._trigger,
            "on_batch": self._record,
            "on_emit": self._emit,
            "should_stop": self._stop.is_set,
            "before_watermark": self._transform(before),
            "after_watermark": self._transform(after),
        }
        try:
            if plan.aggregated:
                if plan.watermark is None:
                    # Without a watermark no group closes and no row is late: to the engine, a
                    # constant event time that the grouping does not use.
                    run["before_watermark"] = self._transform(before + (_Op(_constant_event_time),))
                event_time, delay = plan.watermark or (_NO_EVENT_TIME, "1 second")
                window = next((k._window for k in plan.keys if k._window is not None), None)
                aggregates = [f"{_aggregate_name(a)}={a._agg[0]}({a._agg[1]})" for a in plan.aggregates if a._agg]
                reports = stream_aggregate(
                    source,
                    sink,
                    event_time=event_time,
                    watermark=delay,
                    window=window[1] if window else None,
                    slide=window[2] if window else None,
                    group_by=[k._ref for k in plan.keys if k._ref is not None],
                    aggregates=aggregates,
                    output_mode=writer._mode,
                    run=run,
                )
            else:
                reports = stream_rows(
                    source,
                    sink,
                    event_time=plan.watermark[0] if plan.watermark else None,
                    watermark=plan.watermark[1] if plan.watermark else None,
                    deduplicate=list(plan.deduplicate[0]) if plan.deduplicate else None,
                    within_watermark=bool(plan.deduplicate and plan.deduplicate[1]),
                    output_mode=writer._mode,
                    run=run,
                )
            self._report(reports, target)
        except BaseException as err:  # re-raised by awaitTermination in the program's thread
            self._error = err
        finally:
            if temporary:
                shutil.rmtree(checkpoint, ignore_errors=True)

    def _report(self, reports: list[BatchReport], target: Optional[str]) -> None:
        """The run's lines for the stream's source and sink (what this start() processed)."""
        run = _run.current()
        files = sum(len(r["files"]) for r in reports)
        source_detail: dict[str, Any] = {"files": files}
        for count in ("malformed", "dropped_malformed", "filtered", "duplicates", "late", "null_time"):
            total = sum(r[count] for r in reports)  # type: ignore[literal-required]
            if total:
                source_detail[{"null_time": "without event time"}.get(count, count.replace("_", " "))] = total
        run.report(
            _run.Event(
                "source",
                f"readStream {self._plan.format}",
                self._plan.path,
                sum(r["rows"] for r in reports),
                source_detail,
            )
        )
        sink = f"writeStream {self._writer._format} ({self._writer._mode})"
        detail = {"batches": len(reports), "files": sum(len(r["outputs"]) for r in reports)}
        run.report(
            _run.Event("sink", sink, target or self._writer._name or "-", sum(r["emitted"] for r in reports), detail)
        )

    def _record(self, report: BatchReport) -> None:
        seconds = report["seconds"]
        rows = report["rows"]
        watermark = _dt.datetime.fromtimestamp(report["watermark_us"] / 1e6, tz=_dt.timezone.utc)
        self._progress.append(
            {
                "id": self.id,
                "runId": self.runId,
                "name": self.name,
                "timestamp": _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z",
                "batchId": report["batch"],
                "numInputRows": rows,
                "processedRowsPerSecond": rows / seconds if seconds > 0 else 0.0,
                "durationMs": {"triggerExecution": round(seconds * 1000)},
                "eventTime": {"watermark": watermark.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"},
                "stateOperators": self._state_operators(report),
                "sources": [{"description": f"FileStreamSource[{self._plan.path}]", "numInputRows": rows}],
                "sink": {"description": self._writer._format, "numOutputRows": report["emitted"]},
            }
        )
        del self._progress[:-100]

    def _state_operators(self, report: BatchReport) -> list[dict[str, Any]]:
        plan = self._plan
        if not plan.stateful:
            return []
        name = (
            "stateStoreSave"
            if plan.aggregated
            else ("dedupeWithinWatermark" if plan.deduplicate and plan.deduplicate[1] else "dedupe")
        )
        return [
            {"operatorName": name, "numRowsTotal": report["open_groups"], "numRowsDroppedByWatermark": report["late"]}
        ]

    # --- the StreamingQuery API ---------------------------------------------------------------
    @property
    def isActive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def awaitTermination(self, timeout: Optional[float] = None) -> Optional[bool]:
        assert self._thread is not None
        self._thread.join(timeout)
        if self._error is not None:
            error, self._error = self._error, None
            raise error
        return None if timeout is None else not self._thread.is_alive()

    def processAllAvailable(self) -> None:
        unsupported("StreamingQuery.processAllAvailable", "use trigger(availableNow=True)")

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    @property
    def lastProgress(self) -> Optional[dict[str, Any]]:
        return self._progress[-1] if self._progress else None

    @property
    def recentProgress(self) -> list[dict[str, Any]]:
        return list(self._progress)

    @property
    def status(self) -> dict[str, Any]:
        active = self.isActive
        return {
            "message": "Processing new data" if active else "Stopped",
            "isDataAvailable": active,
            "isTriggerActive": active,
        }

    def exception(self) -> Optional[BaseException]:
        return self._error


_active: list[StreamingQuery] = []


class StreamingQueryManager(Surface):
    """``spark.streams``."""

    _api_name = "StreamingQueryManager"

    @property
    def active(self) -> list[StreamingQuery]:
        return [q for q in _active if q.isActive]

    def awaitAnyTermination(self, timeout: Optional[float] = None) -> Optional[bool]:
        running = [q for q in _active if q._thread is not None]
        if not running:
            return None if timeout is None else True
        import time

        deadline = None if timeout is None else time.monotonic() + timeout
        while all(q.isActive for q in running):
            if deadline is not None and time.monotonic() >= deadline:
                return False
            time.sleep(0.05)
        for q in running:
            if not q.isActive and q._error is not None:
                q.awaitTermination()
        return None if timeout is None else True
