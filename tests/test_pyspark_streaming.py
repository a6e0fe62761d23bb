"""A PySpark Structured Streaming program, run unchanged by real PySpark (`python prog.py`) and by
`glueless submit prog.py`: the same printed results, console batches and files' rows, on a first
run and on a restart from the checkpoints after new files arrive.

The program covers, in append mode, a tumbling window written to Parquet after
`select(window.start, ...)`, a sliding window written with its `window` struct (two files per
batch by `maxBytesPerTrigger`), plain event-time
grouping through `foreachBatch`, a memory table with Spark's unaliased aggregate names and the
console sink; in update mode the console and `foreachBatch` (sliding windows); in complete mode a
memory table of a grouping without event time."""

from __future__ import annotations

import datetime
import os
import re
import shutil
import subprocess
import sys
import textwrap
from collections import Counter
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from conftest import needs_failpoints
from glueless import stream

pytest.importorskip("pyspark", reason="pyspark is a test dependency (pip install '.[test]')")
if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
    pytest.skip("Spark needs Java 17 (java is not on PATH)", allow_module_level=True)

PROGRAM = textwrap.dedent(
    """\
    import os
    import sys
    from pyspark.sql import SparkSession
    from pyspark.sql import functions as F
    from pyspark.sql.types import IntegerType, StringType, StructField, StructType, TimestampType

    silver, out = sys.argv[1], sys.argv[2]
    spark = (SparkSession.builder.master("local[2]").appName("gold")
             .config("spark.sql.session.timeZone", "UTC").config("spark.ui.enabled", "false")
             .config("spark.sql.shuffle.partitions", "2").getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")
    schema = StructType([
        StructField("product_category", StringType()),
        StructField("star_rating", IntegerType()),
        StructField("helpful_votes", IntegerType()),
        StructField("total_votes", IntegerType()),
        StructField("review_timestamp", TimestampType()),
    ])


    def reviews(limit=("maxFilesPerTrigger", 1)):
        source = spark.readStream.schema(schema).option(*limit).parquet(silver)
        return source.withWatermark("review_timestamp", "10 seconds")


    two_files = 2 * max(os.path.getsize(os.path.join(silver, f)) for f in os.listdir(silver))


    tumbling = (
        reviews()
        .groupBy(F.window("review_timestamp", "1 minute"), "product_category", "star_rating")
        .agg(F.count("*").alias("reviews"), F.avg("star_rating").alias("avg_star_rating"),
             F.sum("helpful_votes").alias("helpful_votes"))
        .select(F.col("window.start").alias("window_start"), F.col("window.end").alias("window_end"),
                "product_category", "star_rating", "reviews", "avg_star_rating", "helpful_votes")
    )
    q = (tumbling.writeStream.format("parquet").outputMode("append")
         .option("checkpointLocation", f"{out}/cp/tumbling").trigger(availableNow=True).start(f"{out}/tumbling"))
    q.awaitTermination()
    print("tumbling", q.lastProgress["batchId"], sum(p["numInputRows"] for p in q.recentProgress))

    sliding = (
        reviews(("maxBytesPerTrigger", two_files))
        .groupBy("product_category", F.window("review_timestamp", "30 seconds", "10 seconds"))
        .agg(F.count("*").alias("reviews"), F.min("total_votes").alias("min_total"),
             F.max("review_timestamp").alias("last_review"))
    )
    q = (sliding.writeStream.format("parquet").option("path", f"{out}/sliding")
         .option("checkpointLocation", f"{out}/cp/sliding").trigger(availableNow=True).start())
    q.awaitTermination()
    print("sliding", q.lastProgress["batchId"], len(q.recentProgress))


    def save(batch_df, batch_id):
        batch_df.write.mode("overwrite").parquet(f"{out}/foreach/batch={batch_id}")
        print("foreachBatch", batch_id, batch_df.count())


    q = (reviews().groupBy("review_timestamp", "star_rating")
         .agg(F.sum("total_votes").alias("votes"), F.avg("helpful_votes").alias("avg_helpful"))
         .writeStream.foreachBatch(save).option("checkpointLocation", f"{out}/cp/foreach")
         .trigger(availableNow=True).start())
    q.awaitTermination()

    q = (reviews().groupBy(F.window("review_timestamp", "1 minute")).agg(F.count("*"), F.max("star_rating"))
         .writeStream.format("memory").queryName("per_minute").outputMode("append").trigger(availableNow=True).start())
    q.awaitTermination()
    print("memory", spark.table("per_minute").columns)
    for row in spark.sql("select window.start as start, `count(1)`, `max(star_rating)` from per_minute order by start").collect():
        print("memory", row.start, row["count(1)"], row["max(star_rating)"])

    q = (reviews().groupBy(F.window("review_timestamp", "1 minute"), "star_rating").agg(F.count("*").alias("n"))
         .writeStream.format("console").option("truncate", "false").trigger(availableNow=True).start())
    q.awaitTermination()

    q = (reviews().groupBy(F.window("review_timestamp", "1 minute"), "star_rating")
         .agg(F.count("*").alias("n"), F.sum("helpful_votes").alias("votes"))
         .select(F.col("window.start").alias("start"), "star_rating", "n", "votes")
         .writeStream.outputMode("update").format("console").option("truncate", "false")
         .trigger(availableNow=True).start())
    q.awaitTermination()


    def show_updates(batch_df, batch_id):
        rows = batch_df.select(F.col("window.end").alias("end"), "product_category", "n").collect()
        print("update", batch_id, sorted((str(r.end), r.product_category, r.n) for r in rows))


    q = (reviews().groupBy(F.window("review_timestamp", "30 seconds", "10 seconds"), "product_category")
         .agg(F.count("*").alias("n")).writeStream.outputMode("update").foreachBatch(show_updates)
         .option("checkpointLocation", f"{out}/cp/update").trigger(availableNow=True).start())
    q.awaitTermination()

    q = (reviews().groupBy("product_category").agg(F.count("*").alias("n"), F.max("review_timestamp").alias("last"))
         .writeStream.outputMode("complete").format("memory").queryName("by_category")
         .trigger(availableNow=True).start())
    q.awaitTermination()
    for row in spark.sql("select * from by_category order by product_category").collect():
        print("complete", row.product_category, row.n, row["last"])
    print("done")
    """
)

CONSOLE_RULE = "-" * 43


def _run(command: list[str], cwd: Path) -> str:
    env = dict(os.environ, PYSPARK_PYTHON=sys.executable)
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=600, env=env)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def _parse(stdout: str) -> tuple[list[str], list[tuple[int, Counter]]]:
    """The program's own lines, and each console batch (its id and its table lines, unordered:
    Spark's rows within a batch come in partition order)."""
    lines = stdout.splitlines()
    printed: list[str] = []
    batches: list[tuple[int, Counter]] = []
    i = 0
    while i < len(lines):
        if lines[i] == CONSOLE_RULE and i + 2 < len(lines) and lines[i + 1].startswith("Batch: "):
            batch = int(lines[i + 1].removeprefix("Batch: "))
            i += 3
            table: Counter = Counter()
            while i < len(lines) and lines[i].startswith(("+", "|")):
                table[lines[i]] += 1
                i += 1
            batches.append((batch, table))
            continue
        if lines[i].strip():
            printed.append(lines[i])
        i += 1
    return printed, batches


def _norm(v: object) -> object:
    """A value as both engines' files can be compared: Spark writes INT96 timestamps (read back
    naive, in UTC), glueless timestamps with the UTC zone; both become epoch microseconds."""
    if isinstance(v, dict):
        return tuple(sorted((k, _norm(x)) for k, x in v.items()))
    if hasattr(v, "to_pydatetime"):
        v = v.to_pydatetime()
    if isinstance(v, datetime.datetime):
        return round((v if v.tzinfo else v.replace(tzinfo=datetime.timezone.utc)).timestamp() * 1_000_000)
    return round(v, 9) if isinstance(v, float) else v


def _rows(folder: Path) -> list[tuple]:
    rows = []
    for f in folder.rglob("*.parquet"):
        if any(part.startswith(("_", ".")) for part in f.relative_to(folder).parts):
            continue
        batch = next((p for p in f.relative_to(folder).parts if p.startswith("batch=")), "")
        for r in pq.read_table(f, partitioning=None).to_pylist():
            rows.append((batch, *sorted((k, _norm(v)) for k, v in r.items())))
    return sorted(rows, key=repr)


def test_a_streaming_program_gives_sparks_results_on_a_first_run_and_a_restart(tmp_path: Path) -> None:
    generated = tmp_path / "generated"
    stream.generate_silver(str(generated), files=7, rows_per_file=250, seed=17, late_per_file=6)
    files = sorted(generated.iterdir())
    program = tmp_path / "gold_program.py"
    program.write_text(PROGRAM)
    silver = tmp_path / "silver"
    silver.mkdir()

    def arrive(names: list[Path]) -> None:
        for f in names:
            shutil.copy2(f, silver / f.name)  # keeps the modification time: one order for both

    def both() -> None:
        theirs = _run([sys.executable, str(program), str(silver), str(tmp_path / "spark")], tmp_path)
        ours = _run([sys.executable, "-m", "glueless.cli", "submit", "--quiet", str(program), str(silver), str(tmp_path / "glueless")], tmp_path)
        (printed_theirs, console_theirs), (printed_ours, console_ours) = _parse(theirs), _parse(ours)
        assert printed_ours == printed_theirs
        assert console_ours == console_theirs
        assert any(table for _, table in console_theirs), "the console printed rows"
        for sink in ("tumbling", "sliding", "foreach"):
            expected = _rows(tmp_path / "spark" / sink)
            assert expected, f"Spark wrote {sink} rows"
            assert _rows(tmp_path / "glueless" / sink) == expected, sink

    arrive(files[:4])
    both()
    arrive(files[4:])
    both()


def test_unsupported_streaming_calls_are_one_line_naming_the_call(tmp_path: Path) -> None:
    silver = tmp_path / "silver"
    stream.generate_silver(str(silver), files=1, rows_per_file=20, seed=1)
    cases = {
        "two stateful": 'q.dropDuplicates(["count"])',
        "csv sink": 'q.writeStream.format("csv")',
        "all columns": 'spark.readStream.parquet("{silver}").dropDuplicates()',
    }
    for name, call in cases.items():
        program = tmp_path / f"{name.replace(' ', '_')}.py"
        program.write_text(textwrap.dedent(f"""\
            from pyspark.sql import SparkSession, functions as F
            spark = SparkSession.builder.getOrCreate()
            q = (spark.readStream.parquet("{silver}").withWatermark("review_timestamp", "1 minute")
                 .groupBy(F.window("review_timestamp", "1 minute")).count())
            {call.format(silver=silver)}
            """))
        done = subprocess.run([sys.executable, "-m", "glueless.cli", "submit", str(program)], capture_output=True, text=True, timeout=60)
        assert done.returncode == 2, (name, done.stderr)
        line = done.stderr.strip().splitlines()[0]
        assert re.search(rf"{re.escape(program.name)}:5: .* is not supported by glueless", line), (name, line)


KILLED_PROGRAM = textwrap.dedent(
    """\
    import sys
    from pyspark.sql import SparkSession, functions as F

    silver, out = sys.argv[1], sys.argv[2]
    spark = SparkSession.builder.getOrCreate()


    def reviews():
        schema = "product_category STRING, star_rating INT, review_timestamp TIMESTAMP"
        source = spark.readStream.schema(schema).option("maxFilesPerTrigger", 1).parquet(silver)
        return source.withWatermark("review_timestamp", "10 seconds")


    def save(batch_df, batch_id):
        # Idempotent by batch id, as Spark's guide asks of foreachBatch writers.
        batch_df.write.mode("overwrite").parquet(f"{out}/foreach/batch={batch_id}")
        with open(f"{out}/calls.log", "a") as log:
            log.write(f"{batch_id}\\n")


    q = (reviews().groupBy(F.window("review_timestamp", "1 minute"), "star_rating").agg(F.count("*").alias("n"))
         .writeStream.outputMode("update").foreachBatch(save).option("checkpointLocation", f"{out}/cp/foreach")
         .trigger(availableNow=True).start())
    q.awaitTermination()
    q = (reviews().groupBy(F.window("review_timestamp", "1 minute"), "product_category").agg(F.count("*").alias("n"))
         .writeStream.format("parquet").option("checkpointLocation", f"{out}/cp/files")
         .trigger(availableNow=True).start(f"{out}/files"))
    q.awaitTermination()
    q = (reviews().dropDuplicatesWithinWatermark(["product_category", "star_rating"])
         .writeStream.format("json").partitionBy("star_rating").option("checkpointLocation", f"{out}/cp/rows")
         .trigger(availableNow=True).start(f"{out}/rows"))
    q.awaitTermination()
    """
)

def _json_lines(folder: Path) -> list[tuple[str, str]]:
    """Every line of a JSON sink's files with its partition folder, sorted (log folders left out)."""
    lines = []
    for f in folder.rglob("*.json"):
        parts = f.relative_to(folder).parts
        if not any(p.startswith("_") for p in parts):
            lines += [("/".join(parts[:-1]), line) for line in f.read_text().splitlines()]
    assert lines, f"{folder} holds rows"
    return sorted(lines)


KILL_POINTS = ["stream.planned", "stream.before_output", "stream.after_output", "stream.before_commit",
               "stream.after_commit"]


@needs_failpoints
def test_a_program_killed_at_every_point_of_a_batch_resumes_to_the_same_outputs(tmp_path: Path) -> None:
    """foreachBatch is called again for a batch that did not commit (same id, same rows), so an
    idempotent writer ends with a clean run's rows; the Parquet sink never writes a group twice."""
    silver = tmp_path / "silver"
    stream.generate_silver(str(silver), files=6, rows_per_file=200, seed=9, late_per_file=4)
    program = tmp_path / "killed.py"
    program.write_text(KILLED_PROGRAM)

    def submit(out: Path, point: str | None = None) -> subprocess.CompletedProcess[str]:
        env = dict(os.environ, **({"GLUELESS_FAILPOINT": point} if point else {}))
        command = [sys.executable, "-m", "glueless.cli", "submit", "--quiet", str(program), str(silver), str(out)]
        return subprocess.run(command, capture_output=True, text=True, timeout=120, env=env)

    clean = tmp_path / "clean"
    assert submit(clean).returncode == 0
    clean_calls = (clean / "calls.log").read_text().split()
    total = 0
    for point in KILL_POINTS:
        out = tmp_path / point
        kills = 0
        # First at the point's first hit, then always at its second: every run commits a batch
        # (or replays the one killed) and dies inside the next one.
        while (done := submit(out, point if kills == 0 else f"{point}#2")).returncode != 0:
            assert done.returncode < 0 or "failpoint" in done.stderr, done.stderr
            kills += 1
            assert kills < 40, "a killed program makes progress on every run"
        assert kills >= 1, point
        total += kills
        assert _rows(out / "foreach") == _rows(clean / "foreach"), point
        assert _rows(out / "files") == _rows(clean / "files"), point
        assert _json_lines(out / "rows") == _json_lines(clean / "rows"), point
        calls = (out / "calls.log").read_text().split()
        assert set(calls) == set(clean_calls), "every batch id reached foreachBatch"
        assert calls == sorted(calls, key=int), "in batch order, a replay repeating its id"
    assert total >= 25


def test_a_processing_time_query_runs_in_the_background_until_stopped(tmp_path: Path) -> None:
    """start() returns at once; the query picks up files as they arrive; stop() ends it between
    batches; awaitTermination(timeout) says whether it ended."""
    import time

    from glueless.glue import activate

    generated, silver = tmp_path / "generated", tmp_path / "silver"
    stream.generate_silver(str(generated), files=4, rows_per_file=100, seed=4)
    files = sorted(generated.iterdir())
    silver.mkdir()
    shutil.copy2(files[0], silver / files[0].name)
    with activate():
        from pyspark.sql import SparkSession
        from pyspark.sql import functions as F

        spark = SparkSession.builder.getOrCreate()
        query = (
            spark.readStream.schema("star_rating INT, review_timestamp TIMESTAMP").parquet(str(silver))
            .withWatermark("review_timestamp", "10 seconds").groupBy("star_rating").agg(F.count("*").alias("n"))
            .writeStream.outputMode("complete").format("memory").queryName("ratings")
            .trigger(processingTime="100 milliseconds").start()
        )

        def rows_seen() -> int:
            return sum(p["numInputRows"] for p in query.recentProgress)

        def wait_for(rows: int) -> None:
            deadline = time.monotonic() + 30
            while rows_seen() < rows:
                assert time.monotonic() < deadline, f"saw {rows_seen()} of {rows} rows"
                time.sleep(0.05)

        assert query.isActive
        wait_for(100)
        for f in files[1:]:
            shutil.copy2(f, silver / f.name)
        everything = sum(pq.ParquetFile(f).metadata.num_rows for f in files)
        wait_for(everything)
        assert query.awaitTermination(0.2) is False, "still running"
        query.stop()
        assert not query.isActive and query.awaitTermination(0.1) is True
        total = spark.sql("select sum(n) as total from ratings").collect()[0].total
        assert total == everything, "complete mode counts every row, late ones too"
        assert query.lastProgress["sources"][0]["numInputRows"] == query.lastProgress["numInputRows"]


def test_simple_expr_aggregates_are_the_functions_they_spell(tmp_path: Path) -> None:
    """`F.expr("count(*)")` and `F.expr("avg(x) AS y")` aggregate a stream as `F.count("*")` and
    `F.avg("x").alias("y")` do, under Spark's names (`count(1)`, the alias)."""
    from glueless.glue import activate

    silver = tmp_path / "silver"
    stream.generate_silver(str(silver), files=3, rows_per_file=100, seed=8)
    with activate():
        from pyspark.sql import SparkSession
        from pyspark.sql import functions as F

        spark = SparkSession.builder.getOrCreate()

        def run(name: str, *aggregates: object) -> list[tuple]:
            query = (
                spark.readStream.schema("star_rating INT, review_timestamp TIMESTAMP").parquet(str(silver))
                .withWatermark("review_timestamp", "10 seconds").groupBy(F.window("review_timestamp", "10 seconds"))
                .agg(*aggregates).writeStream.format("memory").queryName(name).trigger(availableNow=True).start()
            )
            query.awaitTermination()
            assert spark.table(name).columns == ["window", "count(1)", "avg_rating"]
            return [tuple(r) for r in spark.sql(f"select window.start, `count(1)`, avg_rating from {name} order by 1").collect()]

        spelled = run("spelled", F.expr("count(*)"), F.expr("AVG(`star_rating`) as avg_rating"))
        called = run("called", F.count("*"), F.avg("star_rating").alias("avg_rating"))
        assert spelled == called and spelled
