"""The five STEDI jobs on a Spark cluster (``--engine spark``), built from :mod:`glueless.spark.stages`.

Same lake layout, same rules and the same tables as the local engine; each job returns a run
summary shaped like :func:`glueless.run_job`'s (``engine`` is ``"spark"``). Each job runs one Spark
job per table it writes; its counts come from accumulators the tasks fill (records decoded,
quarantined, left out by each filter) and from the written tables' Parquet footers.
"""

from __future__ import annotations

import os
import sys
import time
from typing import TYPE_CHECKING, Any, Callable, Optional

from glueless.spark import stages

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

#: machine_learning_curated's columns: no email, name, phone or birthday.
ML_COLUMNS = ("sensorReadingTime", "serialNumber", "distanceFromObject", "x", "y", "z")


def _zone(lake: str, table: str, zone: str) -> str:
    return f"{lake.rstrip('/')}/{table}/{zone}"


def _read(spark: "SparkSession", lake: str, table: str, zone: str, producer: str) -> "DataFrame":
    from glueless.exceptions import MissingInputError

    location = _zone(lake, table, zone)
    try:
        return spark.read.parquet(stages._spark_path(location))
    except Exception as err:  # AnalysisException [PATH_NOT_FOUND]; pyspark's types vary by version
        if "PATH_NOT_FOUND" in str(err) or "Path does not exist" in str(err):
            raise MissingInputError(f"{table}/{zone} is missing at {location}: run {producer} first") from None
        raise


def _output(name: str, location: str) -> dict[str, Any]:
    """What a job wrote: the committed table's rows, from the Parquet footers (no Spark job)."""
    from glueless import _glueless

    rows = _glueless.parquet_rows(location)
    return {"table": name, "location": location, "rows": rows, "table_rows": rows}


def _summary(job: str, started: float, read: int, quarantined: int, filtered: dict[str, int],
             outputs: list[dict[str, Any]], matched: Optional[int] = None,
             sizes: tuple[int, int, int] = (0, 0, 0)) -> dict[str, Any]:
    """A run summary shaped like the local engine's; ``sizes`` are the landing text decoded, the
    landing bytes as stored and the compressed files."""
    written = outputs[0]["rows"]
    kept = matched if matched is not None else written
    return {
        "job": job, "engine": "spark", "read": read, "quarantined": quarantined, "filtered": filtered,
        "matched": matched, "written": written, "bytes_read": sizes[0], "stored_bytes_read": sizes[1],
        "compressed_files": sizes[2], "empty_files": 0, "outputs": outputs,
        "seconds": time.perf_counter() - started, "incremental": False, "files_skipped": 0,
        "schema_version": 0, "schema_change": None,
        "balanced": read == quarantined + sum(filtered.values()) + kept,
    }


def _landing(spark: "SparkSession", lake: str, table: str, max_record_bytes: Optional[int],
             keep: stages.TaskFilter) -> tuple:
    """The decoded landing rows that ``keep`` keeps, the quarantine's staging folder (the tasks
    write it), and accumulators of the records decoded and quarantined, the landing text, the
    bytes as stored and the compressed files (final once the job's action has run)."""
    from glueless import _glueless

    columns = _glueless.landing_columns(lake, table)
    counts = stages.counters(spark, 5)
    staging = stages.staging_folder(_zone(lake, table, "rejected"))
    kept = stages.read_landing(spark, _zone(lake, table, "landing"), columns, max_record_bytes=max_record_bytes,
                               keep=keep, counts=counts, rejected_to=staging)
    return kept, staging, counts


def _commit_rejected(lake: str, table: str, staging: str, rows: int) -> dict[str, Any]:
    location = _zone(lake, table, "rejected")
    stages.commit_folder(staging, location, stages._struct(stages.REJECTED_COLUMNS))
    return {"table": f"{table}/rejected", "location": location, "rows": rows, "table_rows": rows}


def _landing_to_trusted(spark: "SparkSession", lake: str, table: str, max_record_bytes: Optional[int],
                        keep: stages.TaskFilter, *, distinct: bool
                        ) -> tuple[dict[str, Any], dict[str, Any], int, int, tuple[int, int, int]]:
    """What the three landing jobs share: decode ``table``'s landing data through ``keep``, write
    ``table/trusted`` (DISTINCT by Spark's shuffle, or straight from the tasks), commit the
    quarantine. Returns the trusted and quarantine outputs, the records decoded and quarantined,
    and the landing sizes (text, as stored, compressed files)."""
    kept, staging, (n_good, n_bad, *sizes) = _landing(spark, lake, table, max_record_bytes, keep)
    location = _zone(lake, table, "trusted")
    if distinct:
        stages.write_table(kept.distinct(), location)
        trusted = _output(f"{table}/trusted", location)
    else:  # no DISTINCT, no shuffle: the one Spark job writes from the tasks
        written = stages.write_partitions(kept, location)
        trusted = {"table": f"{table}/trusted", "location": location, "rows": written, "table_rows": written}
    rejected = _commit_rejected(lake, table, staging, n_bad.value)
    text, stored, compressed = (counter.value for counter in sizes)
    return trusted, rejected, n_good.value, n_bad.value, (text, stored, compressed)


def customer_landing_to_trusted(spark: "SparkSession", lake: str, *, strict: bool = False,
                                max_record_bytes: Optional[int] = None) -> dict[str, Any]:
    started = time.perf_counter()
    trusted, rejected, n_good, n_bad, sizes = _landing_to_trusted(
        spark, lake, "customer", max_record_bytes, stages.consent_task_filter(), distinct=False)
    filtered = {"no research consent": n_good - trusted["rows"]}
    return _summary("customer_landing_to_trusted", started, n_good + n_bad, n_bad, filtered, [trusted, rejected],
                    sizes=sizes)


def accelerometer_landing_to_trusted(spark: "SparkSession", lake: str, *, strict: bool = False,
                                     max_record_bytes: Optional[int] = None) -> dict[str, Any]:
    started = time.perf_counter()
    customers = _read(spark, lake, "customer", "trusted", "customer_landing_to_trusted")
    left_out = stages.counters(spark, 3 if strict else 2)
    if strict:
        keep = stages.consent_dates_filter(spark, customers, left_out)
    else:
        keep = stages.semi_join_filter(spark, customers, ["email"], ["user"], left_out)
    trusted, rejected, n_good, n_bad, sizes = _landing_to_trusted(
        spark, lake, "accelerometer", max_record_bytes, keep, distinct=True)
    counts = [c.value for c in left_out]
    filtered = {"null user or timestamp" if strict else "null user": counts[0], "no consenting customer": counts[1]}
    if strict:
        filtered["before consent"] = counts[2]
    filtered["duplicate row"] = n_good - sum(counts) - trusted["rows"]
    return _summary("accelerometer_landing_to_trusted", started, n_good + n_bad, n_bad, filtered, [trusted, rejected],
                    sizes=sizes)


def customer_trusted_to_curated(spark: "SparkSession", lake: str, *, strict: bool = False,
                                max_record_bytes: Optional[int] = None) -> dict[str, Any]:
    from glueless import _glueless

    started = time.perf_counter()
    customers = _read(spark, lake, "customer", "trusted", "customer_landing_to_trusted")
    readings = _read(spark, lake, "accelerometer", "trusted", "accelerometer_landing_to_trusted")
    users = readings.select("user").where(readings["user"].isNotNull()).distinct()  # Spark's shuffle
    counts = stages.counters(spark, 2)
    kept = stages.semi_join(spark, customers, users, ["email"], ["user"], counts)
    stages.write_table(kept.distinct(), _zone(lake, "customer", "curated"))
    curated = _output("customer/curated", _zone(lake, "customer", "curated"))
    n_read = _glueless.parquet_rows(_zone(lake, "customer", "trusted"))
    nulls, misses = (c.value for c in counts)
    filtered = {"null email": nulls, "no accelerometer readings": misses,
                "duplicate row": n_read - nulls - misses - curated["rows"]}
    return _summary("customer_trusted_to_curated", started, n_read, 0, filtered, [curated])


def step_trainer_trusted(spark: "SparkSession", lake: str, *, strict: bool = False,
                         max_record_bytes: Optional[int] = None) -> dict[str, Any]:
    started = time.perf_counter()
    curated = _read(spark, lake, "customer", "curated", "customer_trusted_to_curated")
    left_out = stages.counters(spark, 2)
    keep = stages.semi_join_filter(spark, curated, ["serialNumber"], ["serialNumber"], left_out)
    trusted, rejected, n_good, n_bad, sizes = _landing_to_trusted(
        spark, lake, "step_trainer", max_record_bytes, keep, distinct=True)
    nulls, misses = (c.value for c in left_out)
    filtered = {"null serialNumber": nulls, "no curated customer": misses,
                "duplicate row": n_good - nulls - misses - trusted["rows"]}
    return _summary("step_trainer_trusted", started, n_good + n_bad, n_bad, filtered, [trusted, rejected],
                    sizes=sizes)


def machine_learning_curated(spark: "SparkSession", lake: str, *, strict: bool = False,
                             max_record_bytes: Optional[int] = None) -> dict[str, Any]:
    import pyarrow.compute as pc

    started = time.perf_counter()
    steps = _read(spark, lake, "step_trainer", "trusted", "step_trainer_trusted")
    readings = _read(spark, lake, "accelerometer", "trusted", "accelerometer_landing_to_trusted")
    # Only the columns the join needs leave the JVM (Spark prunes the Parquet read to them).
    readings = readings.select(*(["user"] if strict else []), "timestamp", "x", "y", "z")
    if strict:
        owners = _read(spark, lake, "customer", "curated", "customer_trusted_to_curated")
        owned, _, _ = stages.inner_join(spark, readings, owners.select("email", "serialNumber"), ["user"], ["email"],
                                        columns=["timestamp", "x", "y", "z", "serialNumber"])
        keep, schema, hits, build = stages.inner_join_filter(
            spark, owned.schema, steps, ["timestamp", "serialNumber"], ["sensorReadingTime", "serialNumber"],
            columns=ML_COLUMNS, with_hits=True)
        probe = owned
        null_key = pc.or_(pc.is_null(build["sensorReadingTime"]), pc.is_null(build["serialNumber"]))
    else:
        keep, schema, hits, build = stages.inner_join_filter(
            spark, readings.schema, steps, ["timestamp"], ["sensorReadingTime"], columns=ML_COLUMNS, with_hits=True)
        probe = readings
        null_key = pc.is_null(build["sensorReadingTime"])
    location = _zone(lake, "step_trainer", "curated")
    # The join streams into the writer: each task joins its partition and writes the result itself.
    written = stages.write_partitions(probe, location, keep, schema)
    curated = {"table": "step_trainer/curated", "location": location, "rows": written, "table_rows": written}
    matched = stages.matched_rows(hits.value)
    nulls = int(pc.sum(null_key).as_py() or 0)
    unmatched = "no reading of its owner at that time" if strict else "no accelerometer reading at that time"
    filtered = {"null time or serialNumber": nulls, unmatched: build.num_rows - matched - nulls}
    return _summary("machine_learning_curated", started, build.num_rows, 0, filtered, [curated], matched=matched)


JOBS: dict[str, Callable[..., dict[str, Any]]] = {
    "customer_landing_to_trusted": customer_landing_to_trusted,
    "accelerometer_landing_to_trusted": accelerometer_landing_to_trusted,
    "customer_trusted_to_curated": customer_trusted_to_curated,
    "step_trainer_trusted": step_trainer_trusted,
    "machine_learning_curated": machine_learning_curated,
}


def session() -> "SparkSession":
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


def run_job(job: str, lake: str, *, strict: bool = False, max_record_bytes: Optional[int] = None,
            spark: Optional["SparkSession"] = None) -> dict[str, Any]:
    """Run one STEDI job on Spark and return its run summary (as :func:`glueless.run_job`)."""
    if job not in JOBS:
        raise ValueError(f"unknown job {job}; known jobs: {', '.join(JOBS)}")
    return _translated(lambda: JOBS[job](spark or session(), lake, strict=strict, max_record_bytes=max_record_bytes))


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
