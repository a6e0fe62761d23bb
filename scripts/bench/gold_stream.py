#!/usr/bin/env python3
"""Benchmark: the reviews gold stream with glueless and with PySpark Structured Streaming, side by
side in one run, on the same generated silver files.

Two measurements:
* micro-batches: 20 one-file batches of 4,500 silver rows (trigger available-now,
  maxFilesPerTrigger 1), whole process, wall time and time per batch;
* aggregation throughput: one batch (trigger once) over many rows, rows per second (glueless only
  reports it per batch; Spark's is the whole query).

The gold rows of both engines are compared, so a fast wrong answer cannot pass unnoticed.

    python scripts/bench/gold_stream.py --files 20 --rows-per-file 4500 --big-rows 5000000

glueless must be installed in release mode; pyspark comes with the test extras (Java 17 needed).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent.parent

SPARK_JOB = textwrap.dedent(
    """
    import sys, time
    from pyspark.sql import SparkSession, functions as F
    from pyspark.sql.types import StructType
    silver, out, cp, trigger = sys.argv[1:5]
    spark = (SparkSession.builder.master("local[2]").config("spark.sql.session.timeZone", "UTC")
             .config("spark.sql.shuffle.partitions", "2").config("spark.ui.enabled", "false").getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")
    schema = StructType.fromDDL("product_category string, star_rating int, helpful_votes int, "
                                "total_votes int, review_timestamp timestamp")
    reader = spark.readStream.schema(schema)
    if trigger == "available-now":
        reader = reader.option("maxFilesPerTrigger", 1)
    frame = reader.parquet(silver).withWatermark("review_timestamp", "10 seconds")
    result = (frame.groupBy(F.window("review_timestamp", "1 minute"), "product_category", "star_rating")
              .agg(F.count(F.lit(1)).alias("reviews"), F.avg("star_rating").alias("avg_star_rating"),
                   F.sum("helpful_votes").alias("helpful_votes")))
    writer = (result.writeStream.outputMode("append").format("parquet").option("path", out)
              .option("checkpointLocation", cp))
    writer = writer.trigger(availableNow=True) if trigger == "available-now" else writer.trigger(once=True)
    started = time.perf_counter()
    query = writer.start()
    query.awaitTermination()
    batches = query.lastProgress["batchId"] + 1 if query.lastProgress else 0
    print(f"SPARK {time.perf_counter() - started:.3f} {batches} {spark.read.parquet(out).count()}")
    """
)


def timed(cmd: list[str]) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"{cmd[1]} failed:\n{done.stderr[-3000:]}")
    return elapsed, done.stdout


def glueless_run(silver: Path, work: Path, trigger: str) -> tuple[float, list[dict]]:
    gold, cp = work / "gold", work / "cp"
    code = (
        "import json, sys; from glueless import stream\n"
        "r = stream.read_parquet(sys.argv[1], schema='silver').with_watermark('review_timestamp', '10 seconds')"
        ".group_by(stream.window('review_timestamp', '1 minute'), 'product_category', 'star_rating')"
        ".agg('reviews=count(*)', 'avg_star_rating=avg(star_rating)', 'helpful_votes=sum(helpful_votes)')"
        ".write_parquet(sys.argv[2], checkpoint=sys.argv[3], trigger=sys.argv[4],"
        " max_files_per_trigger=1 if sys.argv[4] == 'available-now' else None)\n"
        "print(json.dumps(r))"
    )
    elapsed, out = timed([sys.executable, "-c", code, str(silver), str(gold), str(cp), trigger])
    return elapsed, json.loads(out)


def spark_run(silver: Path, work: Path, trigger: str) -> tuple[float, float, int, int]:
    work.mkdir(parents=True, exist_ok=True)
    job = work / "spark_job.py"
    job.write_text(SPARK_JOB)
    elapsed, out = timed([sys.executable, str(job), str(silver), str(work / "out"), str(work / "cp"), trigger])
    line = next(row for row in out.splitlines() if row.startswith("SPARK "))
    _, query_seconds, batches, rows = line.split()
    return elapsed, float(query_seconds), int(batches), int(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    parser.add_argument("--files", type=int, default=20)
    parser.add_argument("--rows-per-file", type=int, default=4500)
    parser.add_argument("--big-rows", type=int, default=5_000_000, help="rows of the throughput batch")
    parser.add_argument("--skip-spark", action="store_true")
    args = parser.parse_args()
    from glueless import stream

    # glueless' pool: GLUELESS_THREADS, else one thread per core.
    threads = int(os.environ.get("GLUELESS_THREADS") or os.cpu_count() or 1)

    with tempfile.TemporaryDirectory(prefix="gold-bench-") as tmp:
        root = Path(tmp)
        silver = root / "silver"
        stream.generate_silver(str(silver), files=args.files, rows_per_file=args.rows_per_file, seed=1)
        ours_s, reports = glueless_run(silver, root / "glueless", "available-now")
        batch_ms = sorted(r["seconds"] * 1000 for r in reports)
        gold_rows = sum(r["emitted"] for r in reports)
        print(f"micro-batches: {args.files} files x {args.rows_per_file:,} rows, {len(reports)} batches")
        print(
            f"  glueless  {ours_s:7.2f} s whole process, median batch {batch_ms[len(batch_ms) // 2]:.1f} ms,"
            f" max {batch_ms[-1]:.1f} ms, {gold_rows:,} gold rows"
        )
        if not args.skip_spark:
            spark_s, query_s, batches, spark_rows = spark_run(silver, root / "spark", "available-now")
            print(
                f"  pyspark   {spark_s:7.2f} s whole process ({query_s:.2f} s in the query,"
                f" {query_s / max(batches, 1):.2f} s per batch), {spark_rows:,} gold rows"
            )
            print(
                f"  ratio     {spark_s / ours_s:.0f}x whole process, "
                f"{query_s / max(batches, 1) * 1000 / batch_ms[len(batch_ms) // 2]:.0f}x per batch"
            )
            if spark_rows != gold_rows:
                sys.exit(f"row counts differ: glueless {gold_rows}, spark {spark_rows}")

        big = root / "big"
        files = max(1, args.big_rows // 250_000)
        stream.generate_silver(str(big), files=files, rows_per_file=args.big_rows // files, seed=2)
        ours_s, reports = glueless_run(big, root / "glueless-big", "once")
        rows = sum(r["rows"] for r in reports)
        seconds = sum(r["seconds"] for r in reports)
        folding = sum(r["aggregate_seconds"] for r in reports)
        print(f"throughput: one batch of {rows:,} rows")
        print(
            f"  glueless  {seconds:.2f} s in the batch ({rows / seconds / 1e6:.1f} M rows/s, reading included),"
            f" {ours_s:.2f} s whole process"
        )
        print(
            f"            {folding:.3f} s folding rows into groups: {rows / folding / 1e6:.1f} M rows/s on"
            f" {threads} threads, {rows / folding / threads / 1e6:.1f} M rows/s per thread"
        )
        if not args.skip_spark:
            spark_s, query_s, _, _ = spark_run(big, root / "spark-big", "once")
            print(
                f"  pyspark   {query_s:.2f} s in the query ({rows / query_s / 1e6:.1f} M rows/s),"
                f" {spark_s:.2f} s whole process; ratio {query_s / seconds:.1f}x"
            )


if __name__ == "__main__":
    main()
