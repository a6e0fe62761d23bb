"""The STEDI stages as Spark transformations on glueless' Rust kernels.

Each stage runs per partition through ``DataFrame.mapInArrow``: Spark hands the task Arrow record
batches, the kernel takes them through the Arrow PyCapsule interface without a copy and releases
the GIL while it works. Small tables (customer_trusted, customer_curated, the step-trainer rows a
join needs) are collected once on the driver and broadcast as Arrow IPC; every task builds its
hash table from them once and streams its partition through it. DISTINCT and shuffles stay Spark's.

pyspark is imported only when a stage is built, so ``import glueless`` never needs it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any, Callable, Optional

if TYPE_CHECKING:
    import pyarrow as pa
    from pyspark.sql import DataFrame, SparkSession
    from pyspark.sql.types import StructType

#: Landing bytes per decoding task below which no further task is started.
PARTITION_BYTES = 16 << 20


def _landing_struct(columns: Sequence[tuple[str, str, bool]], *, quarantine: bool) -> StructType:
    """Spark's schema of decoded landing rows: the core names each column's Arrow type (and the
    quarantine's columns after them when ``quarantine``); pyspark maps Arrow to Spark."""
    import pyarrow as pa
    from pyspark.sql import types as T

    from glueless import _glueless

    schema = pa.table(_glueless.landing_arrow_schema(list(columns), quarantine=quarantine)).schema
    return T.StructType([T.StructField(f.name, _from_arrow(f.type), True) for f in schema])


def _from_arrow(arrow_type: pa.DataType) -> Any:
    from pyspark.sql.pandas.types import from_arrow_type

    return from_arrow_type(arrow_type)


def _to_arrow_schema(schema: StructType) -> pa.Schema:
    import pyarrow as pa
    from pyspark.sql.pandas.types import to_arrow_type

    return pa.schema([pa.field(f.name, to_arrow_type(f.dataType)) for f in schema.fields])


def _arrow(df: DataFrame) -> pa.Table:
    """A (small) DataFrame collected on the driver as one Arrow table."""
    import pyarrow as pa

    to_arrow = getattr(df, "toArrow", None)  # Spark >= 4.0
    if to_arrow is not None:
        return to_arrow()
    batches = getattr(df, "_collect_as_arrow")()  # noqa: B009  (Spark 3.x; absent from the 4.x stubs)
    return pa.Table.from_batches(batches) if batches else pa.table({f.name: [] for f in df.schema.fields})


def _broadcast_ipc(spark: SparkSession, table: pa.Table) -> Any:
    import pyarrow as pa

    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return spark.sparkContext.broadcast(sink.getvalue().to_pybytes())


def _from_ipc(payload: bytes) -> pa.Table:
    import pyarrow as pa

    return pa.ipc.open_stream(payload).read_all()


def _batches(result: object) -> Iterator[pa.RecordBatch]:
    import pyarrow as pa

    yield from pa.table(result).to_batches()


def read_landing(
    spark: SparkSession,
    path: str,
    columns: Sequence[tuple[str, str, bool]],
    *,
    partitions: Optional[int] = None,
    max_record_bytes: Optional[int] = None,
    keep: Optional[TaskFilter] = None,
    counts: Optional[Sequence[Any]] = None,
    rejected_to: Optional[str] = None,
    files: Optional[Sequence[tuple[str, int]]] = None,
    unseen_to: Optional[Any] = None,
) -> DataFrame:
    """Decode the landing files under ``path`` (local or S3) with ``columns`` (from
    :func:`glueless._glueless.landing_columns`). The driver lists the files and deals them out,
    largest first, over ``partitions`` partitions (default: one per 16 MiB of landing data, at most
    twice the default parallelism); each
    task reads its files itself (glueless' parallel ranged reads, no size limit) and decodes them.

    Returns one DataFrame holding both outcomes: decoded rows (``reason`` null) and quarantined
    records (``source_file``, ``line_number``, ``reason``, ``raw_line``; the typed columns null).
    Split it with :func:`accepted` and :func:`rejected`. A file whose records bring keys no column
    holds fails the task: the schema must evolve first (run the job once with the local engine).

    ``keep`` (e.g. :func:`semi_join_filter`) filters the decoded rows in the task, as they are
    decoded, so only kept rows go back to Spark. ``counts`` (two :func:`counters`, or five)
    receive the records decoded (before ``keep``) and quarantined (and the landing text decoded,
    the bytes as stored and the number of compressed files).

    ``rejected_to`` (a folder from :func:`staging_folder`): each task writes its quarantined
    records there itself (one Parquet file per partition) and the DataFrame holds the decoded rows
    only, so the quarantine costs no second pass; commit the folder with :func:`commit_folder`.

    ``files`` ((location, size) pairs) decodes those files instead of every file under ``path``
    (an incremental run's new files). ``unseen_to`` (a :func:`file_list` accumulator): a file
    bringing keys the columns lack is named there and its rows left out instead of failing the
    task, so the caller can evolve the schema and decode again.
    """
    from pyspark.sql import types as T

    from glueless import _glueless

    out_schema = _landing_struct(columns, quarantine=not rejected_to)
    spec = [(str(name), str(hive), bool(declared)) for name, hive, declared in columns]
    files = sorted(_glueless.list_data_files(path) if files is None else files, key=lambda f: -f[1])
    if partitions is None:
        # As Spark packs small files: no task for less than PARTITION_BYTES, at most two per core.
        wanted = -(-sum(size for _, size in files) // PARTITION_BYTES)
        partitions = min(wanted, 2 * spark.sparkContext.defaultParallelism)
    n = max(1, min(partitions, len(files) or 1))
    # Largest first, round-robin: every partition gets files, and sizes even out.
    buckets: list[list[str]] = [[] for _ in range(n)]
    for i, (location, _) in enumerate(files):
        buckets[i % n].append(location)

    def decode(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        import pyarrow as pa

        arrow_schema = _to_arrow_schema(out_schema)
        task_filter = keep() if keep else None
        decoded = quarantined = text_bytes = stored_bytes = compressed_files = 0
        bad_parts = []
        for batch in batches:
            for location in batch.column("path").to_pylist():
                good, bad, unseen, (text, stored, compressed) = _glueless.read_landing_file(
                    location, spec, max_record_bytes=max_record_bytes
                )
                text_bytes, stored_bytes = text_bytes + text, stored_bytes + stored
                compressed_files += int(compressed)
                if unseen and unseen_to is not None:
                    unseen_to.add([location])
                    continue
                if unseen:
                    raise ValueError(
                        f"landing file {location} has fields the table's schema lacks ({', '.join(unseen)}); "
                        "run the job once with the local engine to evolve the schema"
                    )
                good_table, bad_table = pa.table(good), pa.table(bad)
                decoded += good_table.num_rows
                quarantined += bad_table.num_rows
                if task_filter is not None:
                    good_table = pa.table(task_filter(good_table))
                if rejected_to and bad_table.num_rows:
                    bad_parts.append(bad_table)
                for part in (good_table,) if rejected_to else (good_table, bad_table):
                    for b in part.to_batches():
                        yield _widen(b, arrow_schema)
        if task_filter is not None:
            _finish(task_filter)
        if bad_parts:
            _write_part(rejected_to, pa.concat_tables(bad_parts))
        if counts:
            for counter, value in zip(counts, (decoded, quarantined, text_bytes, stored_bytes, compressed_files)):
                counter.add(value)

    names = spark.sparkContext.parallelize(buckets, n).flatMap(lambda bucket: [(p,) for p in bucket])
    listing = spark.createDataFrame(names, T.StructType([T.StructField("path", T.StringType(), False)]))
    return listing.mapInArrow(decode, out_schema)


def _widen(batch: pa.RecordBatch, schema: pa.Schema) -> pa.RecordBatch:
    """``batch`` with every column of ``schema``: its own, the rest null."""
    import pyarrow as pa

    arrays = []
    for field in schema:
        index = batch.schema.get_field_index(field.name)
        arrays.append(batch.column(index).cast(field.type) if index >= 0 else pa.nulls(batch.num_rows, field.type))
    return pa.RecordBatch.from_arrays(arrays, schema=schema)


def accepted(decoded: DataFrame, columns: Sequence[tuple[str, str, bool]]) -> DataFrame:
    """The decoded rows of :func:`read_landing`'s output."""
    return decoded.where(decoded["reason"].isNull()).select(*[name for name, _, _ in columns])


def rejected(decoded: DataFrame) -> DataFrame:
    """The quarantined records of :func:`read_landing`'s output."""
    from glueless import _glueless

    names = _glueless.REJECTED_COLUMNS
    return decoded.where(decoded["reason"].isNotNull()).select(*names)


def consent_task_filter(
    column: str = "shareWithResearchAsOfDate", counts: Optional[Sequence[Any]] = None
) -> TaskFilter:
    """A task filter keeping the rows whose ``column`` is present and non-zero; ``counts`` (one
    :func:`counters`) receives the rows left out."""
    from glueless import _glueless

    def make() -> Callable[[Any], object]:
        def apply(batch: Any) -> object:
            import pyarrow as pa

            kept = _glueless.consent_filter(batch, column)
            if counts:
                counts[0].add(pa.table(batch).num_rows - pa.table(kept).num_rows)
            return kept

        return apply

    return make


def consent_filter(df: DataFrame, column: str = "shareWithResearchAsOfDate") -> DataFrame:
    """The rows whose ``column`` is present and non-zero, partition by partition."""
    return apply_filter(df, consent_task_filter(column))


def counters(spark: SparkSession, n: int) -> list[Any]:
    """``n`` integer accumulators for the counts a stage's tasks report (rows left out by reason).
    Spark adds a task's updates once when the task succeeds; a stage recomputed after a lost
    executor can add them again, so callers check that their counts add up."""
    return [spark.sparkContext.accumulator(0) for _ in range(n)]


#: Called once in each task, it returns the filter applied to that task's batches.
TaskFilter = Callable[[], Callable[[Any], object]]


def semi_join_filter(
    spark: SparkSession,
    small: DataFrame,
    small_on: Sequence[str],
    on: Sequence[str],
    counts: Optional[Sequence[Any]] = None,
) -> TaskFilter:
    """A task filter keeping the rows whose key ``on`` appears in ``small`` (key ``small_on``):
    ``small``'s keys are broadcast and hashed once per task. ``counts`` (two :func:`counters`)
    receive the rows left out with a null key and without a partner."""
    from glueless import _glueless

    shipped = _broadcast_ipc(spark, _arrow(small.select(*small_on)))
    keys, probe = list(small_on), list(on)

    def make() -> Callable[[Any], object]:
        build = _glueless.BroadcastSemiJoin(_from_ipc(shipped.value), keys, probe)

        def apply(batch: Any) -> object:
            kept, nulls, misses = build.filter(batch)
            if counts:
                counts[0].add(nulls)
                counts[1].add(misses)
            return kept

        return apply

    return make


def consent_dates_filter(
    spark: SparkSession,
    customers: DataFrame,
    counts: Optional[Sequence[Any]] = None,
    *,
    user: str = "user",
    time: str = "timestamp",
    email: str = "email",
    consent: str = "shareWithResearchAsOfDate",
) -> TaskFilter:
    """Strict mode: a task filter keeping the readings (``user``, ``time``) taken at or after
    their user's consent time; ``customers`` (``email``, ``consent``) is broadcast. ``counts``
    (three :func:`counters`) receive the readings left out: null user or time, no consenting
    customer, before consent."""
    from glueless import _glueless

    shipped = _broadcast_ipc(spark, _arrow(customers.select(email, consent)))

    def make() -> Callable[[Any], object]:
        dates = _glueless.BroadcastConsentDates(_from_ipc(shipped.value), email, consent)

        def apply(batch: Any) -> object:
            kept, left_out = dates.filter(batch, user, time)
            if counts:
                for counter, n in zip(counts, left_out):
                    counter.add(n)
            return kept

        return apply

    return make


def apply_filter(df: DataFrame, keep: TaskFilter, schema: Optional[StructType] = None) -> DataFrame:
    """``df`` through a task filter, partition by partition (mapInArrow); ``schema``: the
    filter's output schema when it is not ``df``'s."""

    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        task_filter = keep()
        for batch in batches:
            yield from _batches(task_filter(batch))
        _finish(task_filter)

    return df.mapInArrow(run, schema or df.schema)


def counted(df: DataFrame, counts: Sequence[Any]) -> DataFrame:
    """``df`` as it is, its rows counted into ``counts[0]`` (one :func:`counters`) as the tasks
    pass them on: a count without a second Spark job."""

    def make() -> Callable[[Any], object]:
        def apply(batch: Any) -> object:
            counts[0].add(batch.num_rows)
            return batch

        return apply

    return apply_filter(df, make)


def _finish(task_filter: object) -> None:
    """End a task filter's task (a join reports its matched build rows)."""
    finish = getattr(task_filter, "finish", None)
    if finish is not None:
        finish()


def semi_join(
    spark: SparkSession,
    large: DataFrame,
    small: DataFrame,
    on: Sequence[str],
    small_on: Sequence[str],
    counts: Optional[Sequence[Any]] = None,
) -> DataFrame:
    """The rows of ``large`` whose key ``on`` appears in ``small`` (key ``small_on``): ``small`` is
    broadcast, each task builds its key set once and streams its partition through it. Null keys
    never match. ``counts``: as :func:`semi_join_filter`."""
    return apply_filter(large, semi_join_filter(spark, small, small_on, on, counts))


def consent_dated_filter(
    spark: SparkSession, readings: DataFrame, customers: DataFrame, counts: Optional[Sequence[Any]] = None
) -> DataFrame:
    """Strict mode: the readings taken at or after their user's consent time (see
    :func:`consent_dates_filter`)."""
    return apply_filter(readings, consent_dates_filter(spark, customers, counts))


def _bitmap_param(size: int) -> Any:
    """Accumulator parameter: build-row bitmaps OR-ed together (which broadcast rows matched)."""
    from pyspark.accumulators import AccumulatorParam

    class Bitmap(AccumulatorParam[bytes]):
        def zero(self, value: bytes) -> bytes:
            return bytes(size)

        def addInPlace(self, a: bytes, b: bytes) -> bytes:  # noqa: N802 - Spark's name
            return (int.from_bytes(a, "little") | int.from_bytes(b, "little")).to_bytes(size, "little")

    return Bitmap()


def file_list(spark: SparkSession) -> Any:
    """An accumulator of file locations the tasks name (see :func:`read_landing`'s ``unseen_to``)."""
    from pyspark.accumulators import AccumulatorParam

    class Names(AccumulatorParam[list]):
        def zero(self, value: list) -> list:
            return []

        def addInPlace(self, a: list, b: list) -> list:  # noqa: N802 - Spark's name
            return sorted(set(a) | set(b))

    return spark.sparkContext.accumulator([], Names())


def matched_rows(bitmap: bytes) -> int:
    """How many build rows a :func:`inner_join`'s ``hits`` accumulator marked."""
    return int.from_bytes(bitmap, "little").bit_count()


class JoinTask:
    """The per-task side of :func:`inner_join_filter`: probes batches, remembers matched build rows."""

    def __init__(self, build: Any, columns: Optional[Sequence[str]], hits: Any) -> None:
        self.build, self.columns, self.hits = build, columns, hits

    def __call__(self, batch: Any) -> object:
        import pyarrow as pa

        joined, _, _ = self.build.probe(batch)
        return pa.table(joined).select(list(self.columns)) if self.columns else joined

    def finish(self) -> None:
        if self.hits is not None:
            self.hits.add(self.build.build_hits())


def inner_join_filter(
    spark: SparkSession,
    large_schema: StructType,
    small: DataFrame,
    on: Sequence[str],
    small_on: Sequence[str],
    *,
    columns: Optional[Sequence[str]] = None,
    with_hits: bool = False,
) -> tuple[TaskFilter, StructType, Any, pa.Table]:
    """A task filter joining each batch (of ``large_schema``) with ``small`` on ``on`` =
    ``small_on``: ``small`` is collected, broadcast and hashed once per task. Output: the batch's
    columns, then ``small``'s (``_right`` added to a clashing name), or only ``columns``.

    Returns the filter, its output schema, an accumulator of which ``small`` rows found a partner
    (with ``with_hits``; see :func:`matched_rows`) and ``small`` as collected."""
    from pyspark.sql import types as T

    from glueless import _glueless

    table = _arrow(small)
    shipped = _broadcast_ipc(spark, table)
    keys, probe = list(small_on), list(on)
    names = {f.name for f in large_schema.fields}
    fields = list(large_schema.fields) + [
        T.StructField(f"{f.name}_right" if f.name in names else f.name, f.dataType, True) for f in small.schema.fields
    ]
    if columns:
        by_name = {f.name: f for f in fields}
        fields = [by_name[c] for c in columns]
    size = (table.num_rows + 63) // 64 * 8
    hits = spark.sparkContext.accumulator(bytes(size), _bitmap_param(size)) if with_hits else None

    def make() -> Callable[[Any], object]:
        return JoinTask(_glueless.BroadcastInnerJoin(_from_ipc(shipped.value), keys, probe), columns, hits)

    return make, T.StructType(fields), hits, table


def inner_join(
    spark: SparkSession,
    large: DataFrame,
    small: DataFrame,
    on: Sequence[str],
    small_on: Sequence[str],
    *,
    columns: Optional[Sequence[str]] = None,
    with_hits: bool = False,
) -> tuple[DataFrame, Any, pa.Table]:
    """Every pair of a ``large`` row and a ``small`` row with equal keys (see
    :func:`inner_join_filter`): ``small`` is broadcast and hashed once per task, ``large`` streams
    through the Rust hash join. Returns the joined DataFrame, the matched-rows accumulator (or
    None) and ``small`` as collected."""
    keep, schema, hits, table = inner_join_filter(
        spark, large.schema, small, on, small_on, columns=columns, with_hits=with_hits
    )
    return apply_filter(large, keep, schema), hits, table


def staging_name(target: str) -> str:
    """A hidden name beside ``target``, marked with this (driver) process like glueless' own
    staging folders, so a crashed run's leftovers are recognised and removed."""
    import uuid

    parent, name = target.rstrip("/").rsplit("/", 1)
    return f"{parent}/.{name}.staging-{os.getpid()}-spark{uuid.uuid4().hex[:12]}"


def staging_folder(target: str) -> str:
    """A new hidden folder beside ``target`` for tasks to write into (see :func:`commit_folder`)."""
    staging = staging_name(target)
    if "://" not in staging:
        os.makedirs(staging)
    return staging


def _write_part(folder: Optional[str], table: pa.Table) -> int:
    """Write a task's rows as ``folder/part-NNNNN.parquet``, named by the partition so that a
    repeated attempt replaces its own file."""
    from pyspark import TaskContext

    from glueless import _glueless

    context = TaskContext.get()
    partition = context.partitionId() if context else 0
    return int(_glueless.write_parquet_file(f"{folder}/part-{partition:05d}.parquet", table))


def commit_folder(
    staging: str, target: str, schema: StructType, format: Optional[str] = None, table: Optional[str] = None
) -> None:
    """Make ``staging`` the table at ``target`` in one atomic step; an empty table still gets one
    (empty) file with ``schema``, so readers see typed columns. ``format``: the table format
    (``None``: the table's own); ``table``: the lake table it is (``"customer/curated"``), which
    names it in the catalog."""
    from glueless import _glueless

    _typed_if_empty(staging, schema)
    _glueless.commit_staged_table(staging, target, format=format, table=table)


def _data_files(folder: str) -> list[tuple[str, int]]:
    from glueless import _glueless

    try:
        return [(location.rsplit("/", 1)[-1], size) for location, size in _glueless.list_data_files(folder)]
    except FileNotFoundError:
        return []


def write_partitions(
    df: DataFrame,
    target: str,
    keep: Optional[TaskFilter] = None,
    schema: Optional[StructType] = None,
    *,
    format: Optional[str] = None,
    table: Optional[str] = None,
) -> int:
    """Write ``df`` (through the task filter ``keep``, whose output schema is ``schema``) as the
    table at ``target`` straight from the tasks: each partition's rows are encoded by glueless'
    writer without a trip back to the JVM. Commits the table atomically (in ``format``, see
    :func:`commit_folder`) and returns the rows written. For tables Spark need not shuffle
    before writing."""
    staging = staging_folder(target)
    written = write_parts(df, staging, keep, schema)
    commit_folder(staging, target, schema or df.schema, format, table)
    return written


def write_parts(
    df: DataFrame, staging: str, keep: Optional[TaskFilter] = None, schema: Optional[StructType] = None
) -> int:
    """Write ``df`` (through the task filter ``keep``) into the folder ``staging`` (from
    :func:`staging_folder`) from the tasks, one Parquet file per partition that has rows, without
    committing it; when no task had a row, one empty file with ``schema`` (default ``df``'s), so
    the table still has typed columns. Returns the rows written."""
    from pyspark.sql import types as T

    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        import pyarrow as pa

        task_filter = keep() if keep else None
        parts: list[pa.RecordBatch] = []
        for batch in batches:
            parts.extend(pa.table(task_filter(batch)).to_batches() if task_filter else [batch])
        if task_filter is not None:
            _finish(task_filter)
        rows = _write_part(staging, pa.Table.from_batches(parts)) if sum(b.num_rows for b in parts) else 0
        yield pa.record_batch({"rows": pa.array([rows], pa.int64())})

    written = sum(r["rows"] for r in df.mapInArrow(run, T.StructType([T.StructField("rows", T.LongType())])).collect())
    _typed_if_empty(staging, schema or df.schema)
    return written


def write_staged(df: DataFrame, staging: str) -> None:
    """Write ``df`` with Spark's own writer (zstd) into ``staging`` (a name from
    :func:`staging_name`), without committing it."""
    df.write.mode("errorifexists").option("compression", "zstd").parquet(_spark_path(staging))
    _typed_if_empty(staging, df.schema)


def _typed_if_empty(folder: str, schema: StructType) -> None:
    from glueless import _glueless

    if not any(name.endswith(".parquet") for name, _ in _data_files(folder)):
        empty = _to_arrow_schema(schema)
        _glueless.write_parquet_file(f"{folder}/part-00000.parquet", empty.empty_table())


def write_table(df: DataFrame, target: str, *, format: Optional[str] = None, table: Optional[str] = None) -> None:
    """Write ``df`` as the table at ``target`` (Parquet files, zstd) and commit it the way
    glueless commits its own output: Spark writes a hidden folder beside the target, which then
    replaces the target in one atomic step (a rename exchange locally, the manifest on S3; for an
    Iceberg or Delta table, ``format``, the files move into the table and become one snapshot).
    ``table``: the lake table it is (``"customer/curated"``), which names it in the catalog."""
    from glueless import _glueless

    staging = staging_name(target)
    write_staged(df, staging)
    _glueless.commit_staged_table(staging, target, format=format, table=table)


def _spark_path(location: str) -> str:
    """A glueless location as Spark names it (s3:// → s3a://; local paths absolute)."""
    if location.startswith("s3://"):
        return "s3a://" + location[len("s3://") :]
    if "://" in location:
        return location
    return "file://" + os.path.abspath(location)


__all__ = [
    "TaskFilter",
    "accepted",
    "apply_filter",
    "consent_dates_filter",
    "consent_dated_filter",
    "consent_filter",
    "consent_task_filter",
    "counted",
    "counters",
    "inner_join",
    "inner_join_filter",
    "JoinTask",
    "matched_rows",
    "read_landing",
    "rejected",
    "semi_join",
    "semi_join_filter",
    "file_list",
    "staging_folder",
    "staging_name",
    "write_parts",
    "write_staged",
    "commit_folder",
    "write_partitions",
    "write_table",
]
