#!/usr/bin/env python3
"""Benchmark: the five STEDI jobs as plain PySpark (what the Glue jobs run) and as glueless inside
Spark (`glueless.spark`, the Rust kernels through mapInArrow), in one Spark session, on r-fold
replicas of the real data, job by job.

Both engines run in the same session (same JVM, same configuration), alternating, `--repeat`
times; the median per job is shown with the ratio plain / glueless. Every table's row count is
compared between the two, so a fast wrong answer cannot pass unnoticed.

    python scripts/bench/spark_stedi.py --scale 10 --repeat 3 [--master local[2]]

Needs pyspark, pandas and pyarrow (the test extras), Java 17, and ../shared/data/stedi/landing.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from benchlib import REAL

HERE = Path(__file__).resolve().parent
JOBS = [
    "customer_landing_to_trusted",
    "accelerometer_landing_to_trusted",
    "customer_trusted_to_curated",
    "step_trainer_trusted",
    "machine_learning_curated",
]
TABLES = {
    "customer_landing_to_trusted": "customer/trusted",
    "accelerometer_landing_to_trusted": "accelerometer/trusted",
    "customer_trusted_to_curated": "customer/curated",
    "step_trainer_trusted": "step_trainer/trusted",
    "machine_learning_curated": "step_trainer/curated",
}

CUSTOMER = (
    "customerName string, email string, phone string, birthDay string, serialNumber string, "
    "registrationDate bigint, lastUpdateDate bigint, shareWithResearchAsOfDate bigint, "
    "shareWithPublicAsOfDate bigint, shareWithFriendsAsOfDate bigint"
)
ACCELEROMETER = "user string, timestamp bigint, x double, y double, z double"
STEP_TRAINER = "sensorReadingTime bigint, serialNumber string, distanceFromObject bigint"


def plain_job(spark, job: str, lake: str) -> None:  # type: ignore[no-untyped-def]
    """The job as a Glue script would write it in PySpark (declared schemas, Spark's own joins)."""
    from pyspark.sql import functions as F

    def landing(table: str, schema: str):  # type: ignore[no-untyped-def]
        return spark.read.schema(schema).json(f"{lake}/{table}/landing")

    def table(zone: str):  # type: ignore[no-untyped-def]
        return spark.read.parquet(f"{lake}/{zone}")

    def write(df, zone: str) -> None:  # type: ignore[no-untyped-def]
        df.write.mode("overwrite").option("compression", "zstd").parquet(f"{lake}/{zone}")

    if job == "customer_landing_to_trusted":
        customers = landing("customer", CUSTOMER)
        consent = F.col("shareWithResearchAsOfDate")
        write(customers.where(consent.isNotNull() & (consent != 0)), "customer/trusted")
    elif job == "accelerometer_landing_to_trusted":
        emails = table("customer/trusted").select("email")
        readings = landing("accelerometer", ACCELEROMETER)
        kept = readings.join(F.broadcast(emails), readings["user"] == emails["email"], "left_semi")
        write(kept.distinct(), "accelerometer/trusted")
    elif job == "customer_trusted_to_curated":
        customers = table("customer/trusted")
        users = table("accelerometer/trusted").select("user").distinct()
        write(customers.join(users, customers["email"] == users["user"], "left_semi").distinct(), "customer/curated")
    elif job == "step_trainer_trusted":
        serials = table("customer/curated").select("serialNumber")
        steps = landing("step_trainer", STEP_TRAINER)
        write(steps.join(F.broadcast(serials), "serialNumber", "left_semi").distinct(), "step_trainer/trusted")
    else:
        steps = table("step_trainer/trusted")
        readings = table("accelerometer/trusted")
        joined = readings.join(steps, readings["timestamp"] == steps["sensorReadingTime"])
        write(
            joined.select("sensorReadingTime", "serialNumber", "distanceFromObject", "x", "y", "z"),
            "step_trainer/curated",
        )


def make_lake(root: Path, scale: int) -> Path:
    import glueless

    lake = root / "lake"
    glueless.replicate_stedi(str(REAL), str(lake), scale)
    return lake


def fresh(lake: Path, target: Path) -> str:
    """A copy of the lake's landing zones only (every run starts from landing data)."""
    if target.exists():
        shutil.rmtree(target)
    for table in ("customer", "accelerometer", "step_trainer"):
        (target / table).mkdir(parents=True)
        (target / table / "landing").symlink_to((lake / table / "landing").resolve())
    return str(target)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=int, default=10, help="replicas of the real data")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--master", default="local[2]")
    args = parser.parse_args()
    if not REAL.is_dir():
        raise SystemExit(f"the real STEDI data is not at {REAL}")

    from glueless.spark import run_job
    from pyspark.sql import SparkSession

    spark = (
        SparkSession.builder.master(args.master)
        .appName("glueless-spark-bench")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.ui.enabled", "false")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    root = Path(tempfile.mkdtemp(prefix="glueless-spark-bench-"))
    try:
        lake = make_lake(root, args.scale)
        size = sum(f.stat().st_size for f in lake.rglob("*.json"))
        times: dict[str, dict[str, list[float]]] = {e: {j: [] for j in JOBS} for e in ("plain", "glueless")}
        counts: dict[str, dict[str, int]] = {}
        for _ in range(args.repeat):
            for engine in ("plain", "glueless"):
                target = fresh(lake, root / engine)
                for job in JOBS:
                    started = time.perf_counter()
                    if engine == "plain":
                        plain_job(spark, job, target)
                    else:
                        run_job(job, target, spark=spark)
                    times[engine][job].append(time.perf_counter() - started)
                counts[engine] = {t: spark.read.parquet(f"{target}/{t}").count() for t in TABLES.values()}
        if counts["plain"] != counts["glueless"]:
            raise SystemExit(f"row counts differ: {counts}")

        print(
            f"STEDI on Spark ({args.master}, {os.cpu_count()} cores), {args.scale}x real data "
            f"({size / 1e6:.0f} MB landing), median of {args.repeat}, one session\n"
        )
        print(f"{'job':<34} {'plain PySpark s':>16} {'glueless-in-Spark s':>20} {'ratio':>7}")
        totals = {"plain": 0.0, "glueless": 0.0}
        for job in JOBS:
            plain, ours = (statistics.median(times[e][job]) for e in ("plain", "glueless"))
            totals["plain"] += plain
            totals["glueless"] += ours
            print(f"{job:<34} {plain:>16.2f} {ours:>20.2f} {plain / ours:>6.2f}x")
        print(
            f"{'all five':<34} {totals['plain']:>16.2f} {totals['glueless']:>20.2f} "
            f"{totals['plain'] / totals['glueless']:>6.2f}x"
        )
        print("\nrows:", ", ".join(f"{t} {n:,}" for t, n in counts["plain"].items()))
        print("(glueless-in-Spark job times include the counts for its run summary)")
    finally:
        spark.stop()
        shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
