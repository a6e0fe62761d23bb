"""The Spark engine (``--engine spark``): runs the core's description of each STEDI job
(:func:`glueless._glueless.job_plan`) on a Spark cluster, built from :mod:`glueless.spark.stages`.

This module states no rule of its own: which table a job reads, each filter and the reason its
rows count under, the columns written and the columns forbidden all come from the plan, and the
run summary is the core's typed report (:func:`glueless._glueless.job_report`), so both engines
report alike. What is Spark's here is *how*: landing files decoded in the tasks (their filters
applied as each file is decoded), small tables broadcast, DISTINCT by Spark's shuffle, and
counts gathered in accumulators. A landing job's files, schema evolution, bookmark and commit are
the core's too (:class:`glueless._glueless.LandingJobRun`), so ``--incremental``, new landing
fields and ``--format`` work as on the local engine: Spark writes Parquet files beside the table and
the core commits them (an atomic swap, the S3 manifest, or an Iceberg or Delta snapshot).
"""

from __future__ import annotations

import json
import os
import sys
import time
from typing import TYPE_CHECKING, Any, Callable, Optional

from glueless.spark import stages

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

#: A landing schema settles after at most this many decodes (as on the local engine).
MAX_DECODES = 4


def _zone(lake: str, ref: dict[str, str]) -> str:
    return f"{lake.rstrip('/')}/{ref['table']}/{ref['zone']}"


def _read(spark: SparkSession, lake: str, ref: dict[str, str]) -> DataFrame:
    """The table ``ref`` of the plan (table, zone, producer), or the error naming its producer.
    Spark reads the files of the table's committed content (an Iceberg or Delta table's current
    snapshot, a Parquet table's committed files), never whatever else the folder holds."""
    from glueless import _glueless
    from glueless.exceptions import MissingInputError

    location = _zone(lake, ref)
    try:
        files = _glueless.SqlSession.table_files(location)
    except FileNotFoundError:
        files = []
    if not files:
        raise MissingInputError(f"{ref['table']}/{ref['zone']} is missing at {location}: run {ref['producer']} first")
    return spark.read.parquet(*(stages._spark_path(url) for url, _size, _modified in files))


def _row_filter(spark: SparkSession, lake: str, step: dict[str, Any]) -> tuple[stages.TaskFilter, list[Any]]:
    """A filter step of the plan as a task filter, and the counters of its reasons."""
    kind = step["kind"]
    if kind == "consent":
        counts = stages.counters(spark, 1)
        return stages.consent_task_filter(step["column"], counts), counts
    if kind == "semi_join":
        counts = stages.counters(spark, 2)
        other = _read(spark, lake, step["of"])
        return stages.semi_join_filter(spark, other, step["of_keys"], step["keys"], counts), counts
    if kind == "consent_dated":
        counts = stages.counters(spark, 3)
        customers = _read(spark, lake, step["of"])
        keep = stages.consent_dates_filter(
            spark, customers, counts, user=step["user"], time=step["time"], email=step["email"], consent=step["consent"]
        )
        return keep, counts
    raise _unsupported(step)


def _unsupported(step: dict[str, Any]) -> Exception:
    from glueless.exceptions import UnsupportedError

    return UnsupportedError(f"the Spark engine cannot run a {step['kind']} step in this position")


def _chain(filters: list[stages.TaskFilter]) -> Optional[stages.TaskFilter]:
    """Task filters applied one after another."""
    if not filters:
        return None
    if len(filters) == 1:
        return filters[0]

    def make() -> Callable[[Any], object]:
        made = [f() for f in filters]

        def apply(batch: Any) -> object:
            for f in made:
                batch = f(batch)
            return batch

        return apply

    return make


def _select(columns: list[str], forbidden: list[str]) -> list[str]:
    from glueless.exceptions import InvalidArgumentError

    lowered = {f.lower() for f in forbidden}
    leak = next((c for c in columns if c.lower() in lowered), None)
    if leak is not None:
        raise InvalidArgumentError(f"the output would hold personal data ({leak})")
    return columns


def _landing_job(
    spark: SparkSession,
    lake: str,
    plan: dict[str, Any],
    strict: bool,
    incremental: bool,
    max_record_bytes: Optional[int],
    format: Optional[str],
) -> dict[str, Any]:
    """A plan over landing JSON: the core picks the files and keeps the schema; the tasks decode
    them through the plan's filters; DISTINCT is Spark's; the core commits with the bookmark."""
    from glueless import _glueless

    started = time.perf_counter()
    table = plan["source"]["table"]
    filters = [s for s in plan["steps"] if s["kind"] in ("consent", "semi_join", "consent_dated")]
    rest = plan["steps"][len(filters) :]
    if any(s["kind"] not in ("distinct", "select") for s in rest):
        raise _unsupported(next(s for s in rest if s["kind"] not in ("distinct", "select")))
    run = _glueless.LandingJobRun(
        lake, plan["job"], strict=strict, incremental=incremental, max_record_bytes=max_record_bytes, format=format
    )
    landing = f"{lake.rstrip('/')}/{table}/landing"
    trusted_location = _zone(lake, plan["output"])
    rejected_location = f"{lake.rstrip('/')}/{table}/rejected"
    for _ in range(MAX_DECODES):
        made = [_row_filter(spark, lake, step) for step in filters]
        counts = stages.counters(spark, 5)
        unseen = stages.file_list(spark)
        quarantine = stages.staging_folder(rejected_location)
        columns = run.columns()
        kept = stages.read_landing(
            spark,
            landing,
            columns,
            max_record_bytes=max_record_bytes,
            keep=_chain([keep for keep, _ in made]),
            counts=counts,
            rejected_to=quarantine,
            files=run.files(),
            unseen_to=unseen,
        )
        distinct = any(s["kind"] == "distinct" for s in rest)
        for step in rest:
            if step["kind"] == "select":
                kept = kept.select(*_select(step["columns"], plan["forbidden"]))
        _select(kept.columns, plan["forbidden"])
        existing = _appended_in_spark(spark, lake, plan, kept, appending=run.appending)
        distinct_rows = stages.counters(spark, 1)
        if distinct:
            staged = stages.staging_name(trusted_location)
            rows = kept.distinct()
            if existing is not None:  # the table's rows left out by Spark (EXCEPT DISTINCT)
                rows = stages.counted(rows, distinct_rows).subtract(existing)
            stages.write_staged(rows, staged)
        else:  # no DISTINCT, no shuffle: the one Spark job writes from the tasks
            staged = stages.staging_folder(trusted_location)
            stages.write_parts(kept, staged)
        if not unseen.value:
            break
        # Files brought keys the schema lacks: the core stores a new schema version from them,
        # this attempt's staged output is dropped, and the files are decoded again.
        run.discard(staged, quarantine)
        run.evolve(unseen.value)
    else:
        from glueless.exceptions import UnsupportedError

        raise UnsupportedError(f"{table}: the landing schema did not settle after {MAX_DECODES} decodes")
    if existing is not None:  # the core appends the staged files: no row passes through the driver
        trusted, rejected, already = run.append(staged, quarantine, distinct_rows[0].value if distinct else None)
    else:
        trusted, rejected, already = run.commit(staged, quarantine, distinct)
    decoded, quarantined, *sizes = (c.value for c in counts)
    left_out = [c.value for _, step_counts in made for c in step_counts]
    appending = run.appending
    if distinct:
        left_out.append(decoded - sum(left_out) - already - trusted["rows"])
        if appending:
            left_out.append(already)
    return dict(
        _glueless.job_report(
            plan["job"],
            lake,
            engine="spark",
            strict=strict,
            read=decoded + quarantined,
            quarantined=quarantined,
            left_out=left_out,
            outputs=[trusted, rejected],
            landing={"bytes": sizes[0], "stored_bytes": sizes[1], "compressed_files": sizes[2]},
            run=run,
            seconds=time.perf_counter() - started,
        )
    )


def _output_table(plan: dict[str, Any]) -> str:
    return f"{plan['output']['table']}/{plan['output']['zone']}"


def _appended_in_spark(
    spark: SparkSession, lake: str, plan: dict[str, Any], rows: DataFrame, appending: bool
) -> Optional[DataFrame]:
    """The trusted table, when this run appends ``rows`` to it with the table's own columns: Spark
    then leaves out the rows the table has and the core appends the files. ``None`` for a run
    that replaces the table, or one whose schema changed (the core rewrites the table then)."""
    if not appending:
        return None
    table = _read(spark, lake, plan["output"])
    same = [(f.name, f.dataType) for f in table.schema.fields] == [(f.name, f.dataType) for f in rows.schema.fields]
    return table if same else None


def _table_job(
    spark: SparkSession, lake: str, plan: dict[str, Any], strict: bool, format: Optional[str]
) -> dict[str, Any]:
    """A plan over a table an earlier job wrote: its filters as broadcast task filters (a
    semi-join against the other table's distinct keys), DISTINCT by Spark, the output replaced."""
    from glueless import _glueless

    started = time.perf_counter()
    source = plan["source"]["of"]
    df = _read(spark, lake, source)
    left_out: list[Any] = []
    distinct = False
    for step in plan["steps"]:
        kind = step["kind"]
        if kind == "semi_join":
            other = _read(spark, lake, step["of"])
            keys = other.select(*step["of_keys"]).dropna().distinct()  # Spark's shuffle
            counts = stages.counters(spark, 2)
            df = stages.semi_join(spark, df, keys, step["keys"], step["of_keys"], counts)
            left_out.extend(counts)
        elif kind in ("consent", "consent_dated"):
            keep, counts = _row_filter(spark, lake, step)
            df = stages.apply_filter(df, keep)
            left_out.extend(counts)
        elif kind == "distinct":
            df, distinct = df.distinct(), True
        elif kind == "select":
            df = df.select(*_select(step["columns"], plan["forbidden"]))
        else:
            raise _unsupported(step)
    _select(df.columns, plan["forbidden"])
    location = _zone(lake, plan["output"])
    stages.write_table(df, location, format=format, table=_output_table(plan))
    written = _glueless.parquet_rows(location)
    read = _glueless.parquet_rows(_zone(lake, source))
    counted = [c.value for c in left_out]
    if distinct:
        counted.append(read - sum(counted) - written)
    output = {"table": _output_table(plan), "location": location, "rows": written, "table_rows": written}
    return dict(
        _glueless.job_report(
            plan["job"],
            lake,
            engine="spark",
            strict=strict,
            read=read,
            quarantined=0,
            left_out=counted,
            outputs=[output],
            seconds=time.perf_counter() - started,
        )
    )


def _join_job(
    spark: SparkSession, lake: str, plan: dict[str, Any], strict: bool, format: Optional[str]
) -> dict[str, Any]:
    """A join plan: the source table is collected and broadcast as the built side; the other
    table's partitions stream through the Rust hash join in the tasks, which write the joined
    rows themselves."""
    import pyarrow.compute as pc

    from glueless import _glueless

    started = time.perf_counter()
    join, *rest = plan["steps"]
    if any(s["kind"] != "select" for s in rest):
        raise _unsupported(next(s for s in rest if s["kind"] != "select"))
    projection = rest[0]["columns"] if rest else None
    built = _read(spark, lake, plan["source"]["of"]).select(*plan["source"]["columns"])
    # Only the columns the join needs leave the JVM (Spark prunes the Parquet read to them).
    probe = _read(spark, lake, join["with"]).select(*join["with_columns"])
    lookup = join["lookup"]
    if lookup is not None:
        carried = [c for c in join["with_columns"] if c not in lookup["keys"]] + lookup["carry"]
        table = _read(spark, lake, lookup["of"]).select(*lookup["of_keys"], *lookup["carry"])
        probe, _, _ = stages.inner_join(spark, probe, table, lookup["keys"], lookup["of_keys"], columns=carried)
    keep, schema, hits, build = stages.inner_join_filter(
        spark, probe.schema, built, join["with_keys"], join["keys"], columns=projection, with_hits=True
    )
    _select([f.name for f in schema.fields], plan["forbidden"])
    location = _zone(lake, plan["output"])
    # The join streams into the writer: each task joins its partition and writes the result itself.
    written = stages.write_partitions(probe, location, keep, schema, format=format, table=_output_table(plan))
    matched = stages.matched_rows(hits.value)
    null_key = pc.is_null(build[join["keys"][0]])
    for key in join["keys"][1:]:
        null_key = pc.or_(null_key, pc.is_null(build[key]))
    nulls = int(pc.sum(null_key).as_py() or 0)
    output = {"table": _output_table(plan), "location": location, "rows": written, "table_rows": written}
    return dict(
        _glueless.job_report(
            plan["job"],
            lake,
            engine="spark",
            strict=strict,
            read=build.num_rows,
            quarantined=0,
            left_out=[nulls, build.num_rows - matched - nulls],
            outputs=[output],
            matched=matched,
            seconds=time.perf_counter() - started,
        )
    )


def session() -> SparkSession:
    """The active Spark session (Glue's, EMR's, spark-submit's), or a new local one.

    A local session's Python workers run this interpreter (``sys.executable``), not the first
    ``python3`` on PATH, which need not have glueless (a virtual environment that is not
    activated). Where Spark was set up by someone else — a session that exists, a process started
    by spark-submit, ``PYSPARK_PYTHON`` set — nothing is changed.
    """
    from pyspark.sql import SparkSession

    active = SparkSession.getActiveSession()
    if active is not None:
        return active
    _workers_use_this_python()
    return SparkSession.builder.appName("glueless").getOrCreate()


def _workers_use_this_python() -> None:
    """Point a local Spark's Python workers at this interpreter unless Spark was configured."""
    launched_by_spark_submit = "PYSPARK_GATEWAY_PORT" in os.environ
    if launched_by_spark_submit or os.environ.get("PYSPARK_PYTHON"):
        return
    os.environ["PYSPARK_PYTHON"] = sys.executable


def run_job(
    job: str,
    lake: str,
    *,
    strict: bool = False,
    max_record_bytes: Optional[int] = None,
    incremental: bool = False,
    format: Optional[str] = None,
    spark: Optional[SparkSession] = None,
) -> dict[str, Any]:
    """Run one STEDI job on Spark and return its run summary (as :func:`glueless.run_job`;
    ``engine`` is ``"spark"``). ``incremental``: a landing job takes only the files its table's
    bookmark does not name and appends. ``format`` (``"parquet"``, ``"iceberg"``, ``"delta"``):
    the table format of what the job writes (``None``: each table's own, Parquet for new ones);
    Spark writes the Parquet files and the core commits them as the format's snapshot."""
    from glueless import _glueless

    plan = json.loads(_glueless.job_plan(job, strict=strict))  # ValueError for an unknown job

    def run() -> dict[str, Any]:
        if plan["source"]["kind"] == "landing":
            # The core's landing run holds the job's lock.
            return _landing_job(spark or session(), lake, plan, strict, incremental, max_record_bytes, format)
        # Taken before Spark starts, so a second run of the job fails at once.
        with _glueless.JobLock(lake, job):
            on = spark or session()
            if plan["steps"] and plan["steps"][0]["kind"] == "join":
                return _join_job(on, lake, plan, strict, format)
            return _table_job(on, lake, plan, strict, format)

    return _translated(run)


def _translated(action: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """Run ``action``; a failed Spark task's glueless error becomes one readable exception."""
    try:
        return action()
    except Exception as err:  # Py4J and PySpark wrap task errors in their own types
        if type(err).__module__.startswith(("py4j", "pyspark")):
            from glueless.exceptions import GluelessError

            message = str(err)
            for line in message.splitlines():
                if "Error: " in line and ("landing file" in line or "glueless" in line):
                    message = line.split("Error: ", 1)[1]
                    break
            else:
                message = message.strip().splitlines()[0] if message.strip() else type(err).__name__
            raise GluelessError(f"Spark job failed: {message}") from None
        raise
