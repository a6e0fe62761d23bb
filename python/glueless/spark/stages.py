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
from typing import TYPE_CHECKING, Any, Iterator, Optional, Sequence

if TYPE_CHECKING:
    import pyarrow as pa
    from pyspark.sql import DataFrame, SparkSession
    from pyspark.sql.types import StructType

#: The quarantine's columns (as glueless writes them beside landing data).
REJECTED_COLUMNS = (("source_file", "string"), ("line_number", "bigint"), ("reason", "string"), ("raw_line", "string"))


def _spark_type(hive: str) -> Any:
    from pyspark.sql import types as T

    return {"string": T.StringType(), "bigint": T.LongType(), "double": T.DoubleType(),
            "boolean": T.BooleanType()}[hive]


def _struct(columns: Sequence[tuple[str, str]]) -> "StructType":
    from pyspark.sql import types as T

    return T.StructType([T.StructField(name, _spark_type(hive), True) for name, hive in columns])


def _arrow(df: "DataFrame") -> "pa.Table":
    """A (small) DataFrame collected on the driver as one Arrow table."""
    import pyarrow as pa

    to_arrow = getattr(df, "toArrow", None)  # Spark >= 4.0
    if to_arrow is not None:
        return to_arrow()
    batches = getattr(df, "_collect_as_arrow")()  # Spark 3.x
    return pa.Table.from_batches(batches) if batches else pa.table({f.name: [] for f in df.schema.fields})


def _broadcast_ipc(spark: "SparkSession", table: "pa.Table") -> Any:
    import pyarrow as pa

    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return spark.sparkContext.broadcast(sink.getvalue().to_pybytes())


def _from_ipc(payload: bytes) -> "pa.Table":
    import pyarrow as pa

    return pa.ipc.open_stream(payload).read_all()


def _batches(result: object) -> Iterator["pa.RecordBatch"]:
    import pyarrow as pa

    yield from pa.table(result).to_batches()


def read_landing(
    spark: "SparkSession",
    path: str,
    columns: Sequence[tuple[str, str, bool]],
    *,
    partitions: Optional[int] = None,
    max_record_bytes: Optional[int] = None,
) -> "DataFrame":
    """Decode the landing files under ``path`` (local or S3) with ``columns`` (from
    :func:`glueless._glueless.landing_columns`). The driver lists the files and deals them out,
    largest first, over ``partitions`` partitions (default: twice the default parallelism); each
    task reads its files itself (glueless' parallel ranged reads, no size limit) and decodes them.

    Returns one DataFrame holding both outcomes: decoded rows (``reason`` null) and quarantined
    records (``source_file``, ``line_number``, ``reason``, ``raw_line``; the typed columns null).
    Split it with :func:`accepted` and :func:`rejected`. A file whose records bring keys no column
    holds fails the task: the schema must evolve first (run the job once with the local engine).
    """
    from pyspark.sql import types as T

    from glueless import _glueless

    typed = [(name, hive) for name, hive, _ in columns]
    out_schema = _struct([*typed, *REJECTED_COLUMNS])
    spec = [(str(name), str(hive), bool(declared)) for name, hive, declared in columns]
    files = sorted(_glueless.list_data_files(path), key=lambda f: -f[1])
    n = max(1, min(partitions or 2 * spark.sparkContext.defaultParallelism, len(files) or 1))
    # Largest first, round-robin: every partition gets files, and sizes even out.
    buckets: list[list[str]] = [[] for _ in range(n)]
    for i, (location, _) in enumerate(files):
        buckets[i % n].append(location)

    def decode(batches: Iterator["pa.RecordBatch"]) -> Iterator["pa.RecordBatch"]:
        import pyarrow as pa

        arrow_schema = pa.schema([pa.field(name, _pa_type(hive)) for name, hive in [*typed, *REJECTED_COLUMNS]])
        for batch in batches:
            for location in batch.column("path").to_pylist():
                good, bad, unseen = _glueless.read_landing_file(location, spec, max_record_bytes=max_record_bytes)
                if unseen:
                    raise ValueError(
                        f"landing file {location} has fields the table's schema lacks ({', '.join(unseen)}); "
                        "run the job once with the local engine to evolve the schema"
                    )
                for part in (pa.table(good), pa.table(bad)):
                    for b in part.to_batches():
                        yield _widen(b, arrow_schema)

    names = spark.sparkContext.parallelize(buckets, n).flatMap(lambda bucket: [(p,) for p in bucket])
    listing = spark.createDataFrame(names, T.StructType([T.StructField("path", T.StringType(), False)]))
    return listing.mapInArrow(decode, out_schema)


def _pa_type(simple: str) -> "pa.DataType":
    import pyarrow as pa

    return {"string": pa.string(), "bigint": pa.int64(), "double": pa.float64(), "boolean": pa.bool_()}[simple]


def _widen(batch: "pa.RecordBatch", schema: "pa.Schema") -> "pa.RecordBatch":
    """``batch`` with every column of ``schema``: its own, the rest null."""
    import pyarrow as pa

    arrays = []
    for field in schema:
        index = batch.schema.get_field_index(field.name)
        arrays.append(batch.column(index).cast(field.type) if index >= 0 else pa.nulls(batch.num_rows, field.type))
    return pa.RecordBatch.from_arrays(arrays, schema=schema)


def accepted(decoded: "DataFrame", columns: Sequence[tuple[str, str, bool]]) -> "DataFrame":
    """The decoded rows of :func:`read_landing`'s output."""
    return decoded.where(decoded["reason"].isNull()).select(*[name for name, _, _ in columns])


def rejected(decoded: "DataFrame") -> "DataFrame":
    """The quarantined records of :func:`read_landing`'s output."""
    return decoded.where(decoded["reason"].isNotNull()).select(*[name for name, _ in REJECTED_COLUMNS])


def consent_filter(df: "DataFrame", column: str = "shareWithResearchAsOfDate") -> "DataFrame":
    """The rows whose ``column`` is present and non-zero (customer_landing_to_trusted's rule)."""
    from glueless import _glueless

    def run(batches: Iterator["pa.RecordBatch"]) -> Iterator["pa.RecordBatch"]:
        for batch in batches:
            yield from _batches(_glueless.consent_filter(batch, column))

    return df.mapInArrow(run, df.schema)


def semi_join(
    spark: "SparkSession", large: "DataFrame", small: "DataFrame", on: Sequence[str], small_on: Sequence[str]
) -> "DataFrame":
    """The rows of ``large`` whose key ``on`` appears in ``small`` (key ``small_on``): ``small`` is
    broadcast, each task builds its key set once and streams its partition through it. Null keys
    never match."""
    from glueless import _glueless

    shipped = _broadcast_ipc(spark, _arrow(small.select(*small_on)))
    keys, probe = list(small_on), list(on)

    def run(batches: Iterator["pa.RecordBatch"]) -> Iterator["pa.RecordBatch"]:
        build = _glueless.BroadcastSemiJoin(_from_ipc(shipped.value), keys, probe)
        for batch in batches:
            kept, _, _ = build.filter(batch)
            yield from _batches(kept)

    return large.mapInArrow(run, large.schema)


def consent_dated_filter(spark: "SparkSession", readings: "DataFrame", customers: "DataFrame") -> "DataFrame":
    """Strict mode: the readings taken at or after their user's consent time; ``customers``
    (email, shareWithResearchAsOfDate) is broadcast."""
    from glueless import _glueless

    shipped = _broadcast_ipc(spark, _arrow(customers.select("email", "shareWithResearchAsOfDate")))

    def run(batches: Iterator["pa.RecordBatch"]) -> Iterator["pa.RecordBatch"]:
        dates = _glueless.BroadcastConsentDates(_from_ipc(shipped.value))
        for batch in batches:
            kept, _ = dates.filter(batch)
            yield from _batches(kept)

    return readings.mapInArrow(run, readings.schema)


def inner_join(
    spark: "SparkSession", large: "DataFrame", small: "DataFrame", on: Sequence[str], small_on: Sequence[str]
) -> "DataFrame":
    """Every pair of a ``large`` row and a ``small`` row with equal keys: ``large``'s columns, then
    ``small``'s (``_right`` added to a clashing name). ``small`` is broadcast and hashed once per
    task; ``large`` streams through the Rust hash join."""
    from pyspark.sql import types as T

    from glueless import _glueless

    shipped = _broadcast_ipc(spark, _arrow(small))
    keys, probe = list(small_on), list(on)
    names = {f.name for f in large.schema.fields}
    fields = list(large.schema.fields) + [
        T.StructField(f"{f.name}_right" if f.name in names else f.name, f.dataType, True) for f in small.schema.fields
    ]

    def run(batches: Iterator["pa.RecordBatch"]) -> Iterator["pa.RecordBatch"]:
        build = _glueless.BroadcastInnerJoin(_from_ipc(shipped.value), keys, probe)
        for batch in batches:
            joined, _, _ = build.probe(batch)
            yield from _batches(joined)

    return large.mapInArrow(run, T.StructType(fields))


def write_table(df: "DataFrame", target: str) -> None:
    """Write ``df`` as the Parquet table at ``target`` (zstd) and commit it the way glueless
    commits its own output: Spark writes a hidden folder beside the target, which then replaces
    the target in one atomic step (a rename exchange locally, the manifest on S3)."""
    import uuid

    from glueless import _glueless

    parent, name = target.rstrip("/").rsplit("/", 1)
    staging = f"{parent}/.{name}.staging-{os.getpid()}-spark{uuid.uuid4().hex[:12]}"
    df.write.mode("errorifexists").option("compression", "zstd").parquet(_spark_path(staging))
    _glueless.commit_staged_folder(staging, target)


def _spark_path(location: str) -> str:
    """A glueless location as Spark names it (s3:// → s3a://; local paths absolute)."""
    if location.startswith("s3://"):
        return "s3a://" + location[len("s3://"):]
    if "://" in location:
        return location
    return "file://" + os.path.abspath(location)


__all__ = [
    "REJECTED_COLUMNS",
    "accepted",
    "consent_dated_filter",
    "consent_filter",
    "inner_join",
    "read_landing",
    "rejected",
    "semi_join",
    "write_table",
]
