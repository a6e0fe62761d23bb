"""The gold stream against Spark Structured Streaming itself (PySpark, local): the same silver
files, one file per trigger, the same query; the gold rows must be equal. Covers tumbling and
sliding windows, plain event-time grouping, late rows, and a second run that continues from the
checkpoint after new files arrive."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Optional

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from glueless import stream

pyspark = pytest.importorskip("pyspark", reason="pyspark is a test dependency (pip install '.[test]')")
if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
    pytest.skip("Spark needs Java 17 (java is not on PATH)", allow_module_level=True)

SILVER_COLUMNS = {
    "product_category": "string",
    "star_rating": "int",
    "helpful_votes": "int",
    "total_votes": "int",
    "review_timestamp": "timestamp",
}


def spark_gold(
    spark, silver: Path, out: Path, checkpoint: Path, *, window: Optional[tuple[str, Optional[str]]],
    group_by: list[str], aggs: dict[str, str], watermark: str = "10 seconds",
) -> None:
    """Run the query in Spark Structured Streaming (trigger availableNow, one file per batch)."""
    from pyspark.sql import functions as F
    from pyspark.sql.types import StructType

    schema = StructType.fromDDL(", ".join(f"{k} {v}" for k, v in SILVER_COLUMNS.items()))
    frame = (
        spark.readStream.schema(schema).option("maxFilesPerTrigger", 1).parquet(str(silver))
        .withWatermark("review_timestamp", watermark)
    )
    keys = []
    if window:
        size, slide = window
        keys.append(F.window("review_timestamp", size, slide) if slide else F.window("review_timestamp", size))
    keys += [F.col(c) for c in group_by]
    functions = {"count": F.count, "sum": F.sum, "avg": F.avg, "min": F.min, "max": F.max}
    columns = []
    for name, call in aggs.items():
        func, arg = call.rstrip(")").split("(")
        columns.append(functions[func](F.lit(1) if arg == "*" else F.col(arg)).alias(name))
    result = frame.groupBy(*keys).agg(*columns)
    if window:
        result = result.select("window.start", "window.end", *group_by, *aggs).withColumnRenamed(
            "start", "window_start"
        ).withColumnRenamed("end", "window_end")
    query = (
        result.writeStream.outputMode("append").format("parquet").option("path", str(out))
        .option("checkpointLocation", str(checkpoint)).trigger(availableNow=True).start()
    )
    query.awaitTermination()


def rows_of(table: pa.Table) -> list[tuple]:
    def norm(v):
        if isinstance(v, float):
            return round(v, 9)
        if hasattr(v, "timestamp"):
            return round(v.timestamp() * 1_000_000)
        return v

    return sorted((tuple(norm(v) for v in r.values()) for r in table.to_pylist()), key=repr)


def spark_rows(spark, out: Path) -> list[tuple]:
    # Spark's reader honours the sink's _spark_metadata log: only committed files.
    frame = spark.read.parquet(str(out))
    return rows_of(pa.Table.from_pylist([r.asDict() for r in frame.collect()])) if frame.count() else []


def glueless_gold(silver: Path, gold: Path, checkpoint: Path, *, window, group_by, aggs, watermark="10 seconds"):
    keys = [stream.window("review_timestamp", window[0], window[1])] if window else []
    return (
        stream.read_parquet(str(silver), schema="silver")
        .with_watermark("review_timestamp", watermark)
        .group_by(*keys, *group_by)
        .agg(**aggs)
        .write_parquet(str(gold), checkpoint=str(checkpoint), max_files_per_trigger=1)
    )


def glueless_rows(gold: Path) -> list[tuple]:
    files = sorted(gold.glob("batch-*.parquet"))
    return rows_of(pa.concat_tables([pq.read_table(f) for f in files])) if files else []


CASES = {
    "tumbling": dict(
        window=("1 minute", None),
        group_by=["product_category", "star_rating"],
        aggs={"reviews": "count(*)", "avg_star_rating": "avg(star_rating)", "helpful_votes": "sum(helpful_votes)"},
    ),
    "sliding": dict(
        window=("30 seconds", "10 seconds"),
        group_by=["product_category"],
        aggs={"reviews": "count(*)", "min_total": "min(total_votes)", "max_time": "max(review_timestamp)",
              "rated": "count(star_rating)"},
    ),
    "event-time-key": dict(
        window=None,
        group_by=["review_timestamp", "star_rating"],
        aggs={"reviews": "count(*)", "votes": "sum(total_votes)", "avg_helpful": "avg(helpful_votes)"},
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_same_gold_rows_as_spark(spark, tmp_path: Path, case: str) -> None:
    silver = tmp_path / "silver"
    stream.generate_silver(str(silver), files=6, rows_per_file=400, seed=11, late_per_file=6)
    params = CASES[case]
    reports = glueless_gold(silver, tmp_path / "gold", tmp_path / "cp", **params)
    assert sum(r["late"] for r in reports) > 0, "the data has late rows"
    spark_gold(spark, silver, tmp_path / "spark-out", tmp_path / "spark-cp", **params)
    ours, theirs = glueless_rows(tmp_path / "gold"), spark_rows(spark, tmp_path / "spark-out")
    assert theirs, "Spark wrote gold rows"
    assert ours == theirs


def test_a_second_run_continues_from_the_checkpoint_like_spark(spark, tmp_path: Path) -> None:
    generated = tmp_path / "generated"
    stream.generate_silver(str(generated), files=7, rows_per_file=300, seed=5)
    files = sorted(generated.iterdir())
    silver = tmp_path / "silver"
    silver.mkdir()

    def arrive(names: list[Path]) -> None:
        for f in names:
            shutil.copy2(f, silver / f.name)  # keeps the modification time: the same order for both

    params = CASES["tumbling"]
    arrive(files[:4])
    first = glueless_gold(silver, tmp_path / "gold", tmp_path / "cp", **params)
    spark_gold(spark, silver, tmp_path / "spark-out", tmp_path / "spark-cp", **params)
    arrive(files[4:])
    second = glueless_gold(silver, tmp_path / "gold", tmp_path / "cp", **params)
    spark_gold(spark, silver, tmp_path / "spark-out", tmp_path / "spark-cp", **params)
    assert [r["batch"] for r in second][0] == first[-1]["batch"] + 1
    assert all(not r["files"] or r["files"][0] in {f.name for f in files[4:]} for r in second)
    assert glueless_rows(tmp_path / "gold") == spark_rows(spark, tmp_path / "spark-out")


def test_the_driver_runs_on_a_spark_written_silver_with_string_dates(spark, tmp_path: Path) -> None:
    """A silver layer as a Spark job writes it (INT96 timestamps, the dates as strings): the driver,
    without a declared schema, gives Spark's gold rows."""
    import subprocess
    import sys

    from pyspark.sql import functions as F

    generated, silver = tmp_path / "generated", tmp_path / "silver"
    stream.generate_silver(str(generated), files=4, rows_per_file=300, seed=21, late_per_file=5)
    silver.mkdir()
    for i, f in enumerate(sorted(generated.iterdir())):
        frame = spark.read.parquet(str(f))
        for name in ("purchase_date", "date_of_birth"):
            frame = frame.withColumn(name, F.col(name).cast("string"))
        written = tmp_path / "spark-written" / f.stem
        frame.coalesce(1).write.parquet(str(written))
        target = silver / f"{f.stem}.parquet"
        shutil.copy(next(written.glob("part-*.parquet")), target)
        os.utime(target, (1_700_000_000 + i, 1_700_000_000 + i))  # one arrival order for both engines
    schema = pq.read_schema(next(silver.iterdir()))
    assert schema.field("purchase_date").type == pa.string()

    gold = tmp_path / "gold"
    script = Path(__file__).resolve().parent.parent / "scripts" / "build_gold_layer.py"
    done = subprocess.run(
        [sys.executable, str(script), "--silver", str(silver), "--gold", str(gold), "--checkpoint",
         str(tmp_path / "cp"), "--max-files-per-trigger", "1", "--quiet"],
        capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stderr
    spark_gold(spark, silver, tmp_path / "spark-out", tmp_path / "spark-cp", **CASES["tumbling"])
    theirs = spark_rows(spark, tmp_path / "spark-out")
    assert theirs and glueless_rows(gold) == theirs
