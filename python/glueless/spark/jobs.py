"""The five STEDI jobs on a Spark cluster (``--engine spark``), built from :mod:`glueless.spark.stages`.

Same lake layout, same rules and the same tables as the local engine; each job returns a run
summary shaped like :func:`glueless.run_job`'s (``engine`` is ``"spark"``). Counts come from Spark
actions on the decoded data, which is persisted for the job's duration.
"""

from __future__ import annotations

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


def _output(spark: "SparkSession", name: str, location: str) -> dict[str, Any]:
    rows = spark.read.parquet(stages._spark_path(location)).count()
    return {"table": name, "location": location, "rows": rows, "table_rows": rows}


def _summary(job: str, started: float, read: int, quarantined: int, filtered: dict[str, int],
             outputs: list[dict[str, Any]], matched: Optional[int] = None) -> dict[str, Any]:
    written = outputs[0]["rows"]
    kept = matched if matched is not None else written
    return {
        "job": job, "engine": "spark", "read": read, "quarantined": quarantined, "filtered": filtered,
        "matched": matched, "written": written, "bytes_read": 0, "empty_files": 0, "outputs": outputs,
        "seconds": time.perf_counter() - started, "incremental": False, "files_skipped": 0,
        "schema_version": 0, "schema_change": None,
        "balanced": read == quarantined + sum(filtered.values()) + kept,
    }


def _landing(spark: "SparkSession", lake: str, table: str, max_record_bytes: Optional[int]) -> tuple:
    from glueless import _glueless

    columns = _glueless.landing_columns(lake, table)
    decoded = stages.read_landing(spark, _zone(lake, table, "landing"), columns,
                                  max_record_bytes=max_record_bytes).persist()
    good, bad = stages.accepted(decoded, columns), stages.rejected(decoded)
    return decoded, good, bad, good.count(), bad.count()


def customer_landing_to_trusted(spark: "SparkSession", lake: str, *, strict: bool = False,
                                max_record_bytes: Optional[int] = None) -> dict[str, Any]:
    started = time.perf_counter()
    decoded, good, bad, n_good, n_bad = _landing(spark, lake, "customer", max_record_bytes)
    try:
        stages.write_table(bad, _zone(lake, "customer", "rejected"))
        stages.write_table(stages.consent_filter(good), _zone(lake, "customer", "trusted"))
    finally:
        decoded.unpersist()
    trusted = _output(spark, "customer/trusted", _zone(lake, "customer", "trusted"))
    rejected = _output(spark, "customer/rejected", _zone(lake, "customer", "rejected"))
    filtered = {"no research consent": n_good - trusted["rows"]}
    return _summary("customer_landing_to_trusted", started, n_good + n_bad, n_bad, filtered, [trusted, rejected])


def accelerometer_landing_to_trusted(spark: "SparkSession", lake: str, *, strict: bool = False,
                                     max_record_bytes: Optional[int] = None) -> dict[str, Any]:
    started = time.perf_counter()
    customers = _read(spark, lake, "customer", "trusted", "customer_landing_to_trusted")
    decoded, good, bad, n_good, n_bad = _landing(spark, lake, "accelerometer", max_record_bytes)
    try:
        if strict:
            nulls = good.where(good["user"].isNull() | good["timestamp"].isNull()).count()
            kept = stages.consent_dated_filter(spark, good, customers)
        else:
            nulls = good.where(good["user"].isNull()).count()
            kept = stages.semi_join(spark, good, customers, ["user"], ["email"])
        kept = kept.persist()
        n_kept = kept.count()
        stages.write_table(bad, _zone(lake, "accelerometer", "rejected"))
        stages.write_table(kept.distinct(), _zone(lake, "accelerometer", "trusted"))
        kept.unpersist()
    finally:
        decoded.unpersist()
    trusted = _output(spark, "accelerometer/trusted", _zone(lake, "accelerometer", "trusted"))
    rejected = _output(spark, "accelerometer/rejected", _zone(lake, "accelerometer", "rejected"))
    filtered = {
        "null user or timestamp" if strict else "null user": nulls,
        "no consent at that time" if strict else "no consenting customer": n_good - nulls - n_kept,
        "duplicate row": n_kept - trusted["rows"],
    }
    return _summary("accelerometer_landing_to_trusted", started, n_good + n_bad, n_bad, filtered,
                    [trusted, rejected])


def customer_trusted_to_curated(spark: "SparkSession", lake: str, *, strict: bool = False,
                                max_record_bytes: Optional[int] = None) -> dict[str, Any]:
    started = time.perf_counter()
    customers = _read(spark, lake, "customer", "trusted", "customer_landing_to_trusted")
    readings = _read(spark, lake, "accelerometer", "trusted", "accelerometer_landing_to_trusted")
    users = readings.select("user").where(readings["user"].isNotNull()).distinct()  # Spark's shuffle
    kept = stages.semi_join(spark, customers, users, ["email"], ["user"]).persist()
    n_read, n_kept = customers.count(), kept.count()
    nulls = customers.where(customers["email"].isNull()).count()
    stages.write_table(kept.distinct(), _zone(lake, "customer", "curated"))
    kept.unpersist()
    curated = _output(spark, "customer/curated", _zone(lake, "customer", "curated"))
    filtered = {"null email": nulls, "no accelerometer readings": n_read - nulls - n_kept,
                "duplicate row": n_kept - curated["rows"]}
    return _summary("customer_trusted_to_curated", started, n_read, 0, filtered, [curated])


def step_trainer_trusted(spark: "SparkSession", lake: str, *, strict: bool = False,
                         max_record_bytes: Optional[int] = None) -> dict[str, Any]:
    started = time.perf_counter()
    curated = _read(spark, lake, "customer", "curated", "customer_trusted_to_curated")
    decoded, good, bad, n_good, n_bad = _landing(spark, lake, "step_trainer", max_record_bytes)
    try:
        nulls = good.where(good["serialNumber"].isNull()).count()
        kept = stages.semi_join(spark, good, curated, ["serialNumber"], ["serialNumber"]).persist()
        n_kept = kept.count()
        stages.write_table(bad, _zone(lake, "step_trainer", "rejected"))
        stages.write_table(kept.distinct(), _zone(lake, "step_trainer", "trusted"))
        kept.unpersist()
    finally:
        decoded.unpersist()
    trusted = _output(spark, "step_trainer/trusted", _zone(lake, "step_trainer", "trusted"))
    rejected = _output(spark, "step_trainer/rejected", _zone(lake, "step_trainer", "rejected"))
    filtered = {"null serialNumber": nulls, "no curated customer": n_good - nulls - n_kept,
                "duplicate row": n_kept - trusted["rows"]}
    return _summary("step_trainer_trusted", started, n_good + n_bad, n_bad, filtered, [trusted, rejected])


def machine_learning_curated(spark: "SparkSession", lake: str, *, strict: bool = False,
                             max_record_bytes: Optional[int] = None) -> dict[str, Any]:
    started = time.perf_counter()
    steps = _read(spark, lake, "step_trainer", "trusted", "step_trainer_trusted")
    readings = _read(spark, lake, "accelerometer", "trusted", "accelerometer_landing_to_trusted")
    if strict:
        owners = _read(spark, lake, "customer", "curated", "customer_trusted_to_curated")
        owned = stages.inner_join(spark, readings, owners.select("email", "serialNumber"), ["user"], ["email"])
        owned = owned.select("timestamp", "x", "y", "z", "serialNumber")
        joined = stages.inner_join(spark, owned, steps, ["timestamp", "serialNumber"],
                                   ["sensorReadingTime", "serialNumber"])
        keys = owned.select(owned["timestamp"].alias("t"), owned["serialNumber"].alias("s")).distinct()
        condition = (steps["sensorReadingTime"] == keys["t"]) & (steps["serialNumber"] == keys["s"])
        nulls = steps.where(steps["sensorReadingTime"].isNull() | steps["serialNumber"].isNull()).count()
    else:
        joined = stages.inner_join(spark, readings, steps, ["timestamp"], ["sensorReadingTime"])
        keys = readings.select(readings["timestamp"].alias("t")).distinct()
        condition = steps["sensorReadingTime"] == keys["t"]
        nulls = steps.where(steps["sensorReadingTime"].isNull()).count()
    matched = steps.join(keys, condition, "left_semi").count()
    stages.write_table(joined.select(*ML_COLUMNS), _zone(lake, "step_trainer", "curated"))
    curated = _output(spark, "step_trainer/curated", _zone(lake, "step_trainer", "curated"))
    n_read = steps.count()
    unmatched = "no reading of its owner at that time" if strict else "no accelerometer reading at that time"
    filtered = {"null time or serialNumber": nulls, unmatched: n_read - matched - nulls}
    return _summary("machine_learning_curated", started, n_read, 0, filtered, [curated], matched=matched)


JOBS: dict[str, Callable[..., dict[str, Any]]] = {
    "customer_landing_to_trusted": customer_landing_to_trusted,
    "accelerometer_landing_to_trusted": accelerometer_landing_to_trusted,
    "customer_trusted_to_curated": customer_trusted_to_curated,
    "step_trainer_trusted": step_trainer_trusted,
    "machine_learning_curated": machine_learning_curated,
}


def session() -> "SparkSession":
    """The active Spark session (Glue's, EMR's, spark-submit's), or a new local one."""
    from pyspark.sql import SparkSession

    return SparkSession.builder.appName("glueless").getOrCreate()


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
