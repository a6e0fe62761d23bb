"""Streams of rows, run unchanged by real PySpark (`python prog.py`) and by `glueless submit
prog.py`: the same printed rows, console batches and files' rows, on a first run and on a restart
from the checkpoints after more files arrive.

The program reads JSON lines and CSV (with a header) through a declared schema, one file per
micro-batch, from data with Spark's edge cases: a field of the wrong JSON type, a malformed line,
timestamps spelled `2026-01-01 00:00:05` and `2026-01-01T00:00:07Z`, an empty CSV field and a
non-numeric value in an INT column. Its queries:

- `json`: the JSON source as parsed, through `foreachBatch` (each batch written to
  `fb/<batch id>` and its sorted rows printed);
- `csv`: the CSV source as parsed, through `foreachBatch` (rows printed);
- `parquet`: `select`, `where`, `withColumn` (`v * 2`, `upper`), `withColumnRenamed`, `drop`,
  appended to a Parquet sink;
- `jsonsink`: the CSV source through `filter`, `withColumn`, `withColumnRenamed`, `drop`,
  appended to a JSON sink (Spark leaves null fields out; its own timestamp and double text);
- the console sink of a stream without aggregation;
- `within`: `withWatermark(...).dropDuplicatesWithinWatermark(["id"])` and `dedup`:
  `withWatermark(...).dropDuplicates(["id", "ts"])`, each batch's rows printed by
  `foreachBatch` (duplicates within and beyond the delay, late rows, a row at the watermark;
  batches without data that Spark runs when the watermark moves are printed too);
- `agg`: `withWatermark`, `filter` and `withColumn` before a windowed `groupBy(...).agg(...)`,
  appended to Parquet;
- `part`: a stream without aggregation appended to Parquet with `partitionBy("k")` (a null, a
  space and a slash among the values: `k=__HIVE_DEFAULT_PARTITION__`, `k=c d`, `k=x%2Fy`);
- `complete` and `update`: an aggregation without a watermark (no group ever closes) through
  `foreachBatch`;
- both file sinks read back with `spark.read` (the partition column discovered from the folders)."""

from __future__ import annotations

import datetime
import json
import os
import shutil
import sys
import textwrap
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from test_pyspark_streaming import _parse, _run

pytest.importorskip("pyspark", reason="pyspark is a test dependency (pip install '.[test]')")
if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
    pytest.skip("Spark needs Java 17 (java is not on PATH)", allow_module_level=True)

PROGRAM = textwrap.dedent(
    """\
    import datetime
    import os
    import sys
    import time

    os.environ["TZ"] = "UTC"  # collected timestamps are naive datetimes in this process's zone
    time.tzset()

    from pyspark.sql import SparkSession
    from pyspark.sql import functions as F
    from pyspark.sql.types import DoubleType, IntegerType, StringType, StructField, StructType, TimestampType

    events, table, out = sys.argv[1], sys.argv[2], sys.argv[3]
    spark = (SparkSession.builder.master("local[2]").appName("rows")
             .config("spark.sql.session.timeZone", "UTC").config("spark.ui.enabled", "false")
             .config("spark.sql.shuffle.partitions", "2").getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")
    schema = StructType([
        StructField("id", IntegerType()),
        StructField("k", StringType()),
        StructField("v", DoubleType()),
        StructField("ts", TimestampType()),
        StructField("name", StringType()),
    ])


    def json_events():
        return spark.readStream.schema(schema).option("maxFilesPerTrigger", 1).json(events)


    def csv_table():
        return spark.readStream.schema(schema).option("header", True).option("maxFilesPerTrigger", 1).csv(table)


    def cell(value):
        return str(value) if isinstance(value, datetime.datetime) else value


    def rows(batch_df):
        return sorted((tuple(cell(v) for v in r) for r in batch_df.collect()), key=repr)


    def run(name, writer, path=None, count=False):
        q = writer.trigger(availableNow=True).start(*([path] if path else []))
        q.awaitTermination()
        # Only where Spark's count is plain: it leaves out rows that a filter pushed into the JSON
        # or CSV reader skipped, and counts a batch again for each action of foreachBatch.
        counted = ["input rows", sum(p["numInputRows"] for p in q.recentProgress)] if count else []
        print(name, "batches", [p["batchId"] for p in q.recentProgress], *counted)


    def save_json(batch_df, batch_id):
        batch_df.write.mode("overwrite").parquet(f"{out}/fb/{batch_id}")
        print("json", batch_id, rows(batch_df))


    run("json", json_events().writeStream.foreachBatch(save_json).option("checkpointLocation", f"{out}/cp/json"))


    def show_csv(batch_df, batch_id):
        print("csv", batch_id, rows(batch_df))


    run("csv", csv_table().writeStream.foreachBatch(show_csv).option("checkpointLocation", f"{out}/cp/csv"), count=True)

    stateless = (
        json_events()
        .select("id", "k", "v", "ts", "name")
        .where(F.col("id").isNotNull())
        .withColumn("v2", F.col("v") * 2)
        .withColumn("name", F.upper(F.col("name")))
        .withColumnRenamed("k", "key")
        .drop("v")
    )
    json_events().printSchema()
    print("stateless columns", stateless.columns, stateless.dtypes)
    run("parquet", stateless.writeStream.format("parquet").option("checkpointLocation", f"{out}/cp/parquet"),
        f"{out}/parquet")

    to_json = (
        csv_table()
        .filter(F.col("id").isNull() | (F.col("id") > 1))
        .withColumn("v10", F.col("v") * 10)
        .withColumn("k", F.upper("k"))
        .withColumnRenamed("name", "who")
        .drop("v")
    )
    run("jsonsink", to_json.writeStream.format("json").option("checkpointLocation", f"{out}/cp/jsonsink"),
        f"{out}/jsonsink")

    run("console", csv_table().select("id", "k", "ts", F.col("v").alias("value")).where(F.col("k").isNotNull())
        .writeStream.format("console").option("truncate", "false"))


    def deduplicated(name):
        def show(batch_df, batch_id):
            print(name, batch_id, rows(batch_df))
        return show


    def watermarked():
        return json_events().where(F.col("id").isNotNull() & F.col("ts").isNotNull()).withWatermark("ts", "10 seconds")


    run("within", watermarked().dropDuplicatesWithinWatermark(["id"]).select("id", "ts", "v")
        .writeStream.foreachBatch(deduplicated("within")).option("checkpointLocation", f"{out}/cp/within"))
    run("dedup", watermarked().dropDuplicates(["id", "ts"]).select("id", "ts", "v")
        .writeStream.foreachBatch(deduplicated("dedup")).option("checkpointLocation", f"{out}/cp/dedup"))

    windowed = (
        json_events()
        .withWatermark("ts", "10 seconds")
        .filter(F.col("v").isNotNull())
        .withColumn("v", F.col("v") * 2)
        .groupBy(F.window("ts", "10 seconds"), "k")
        .agg(F.count("*").alias("n"), F.sum("v").alias("v"))
    )
    run("agg", windowed.writeStream.format("parquet").outputMode("append")
        .option("checkpointLocation", f"{out}/cp/agg"), f"{out}/agg")

    run("part", json_events().select("id", "k", "ts").where(F.col("id").isNotNull())
        .writeStream.format("parquet").partitionBy("k").option("checkpointLocation", f"{out}/cp/part"), f"{out}/part")
    for mode in ("complete", "update"):
        run(mode, csv_table().groupBy("k").agg(F.count("*").alias("n"), F.sum("v").alias("v")).writeStream
            .outputMode(mode).foreachBatch(deduplicated(mode)).option("checkpointLocation", f"{out}/cp/{mode}"))

    back = spark.read.parquet(f"{out}/part")
    print("part read back", back.columns, back.count(), rows(back.select("id", "k", "ts")))
    back = spark.read.json(f"{out}/jsonsink")
    print("jsonsink read back", back.columns, rows(back))
    print("done")
    """
)


def _ts(second: int) -> str:
    return f"2026-01-01T00:{second // 60:02d}:{second % 60:02d}Z"


def _event(id: object, k: object, v: object, second: int | str | None, name: object = "n") -> str:
    record: dict[str, object] = {"id": id, "k": k, "v": v}
    if second is not None:
        record["ts"] = _ts(second) if isinstance(second, int) else second
    record["name"] = name
    return json.dumps(record)


# JSON lines, one file a micro-batch. Spark's watermark (10 s behind the largest `ts` of the
# batches before, from 2026-01-01 00:00:00) is -1 s in batch 1, 10 s in batch 2, 26 s in the batch
# without data that ends the first run (3) and in the restart's first batch (4), 40 s in batch 5
# and 60 s in the batch without data after it (6). A stateful operator drops as late the rows at
# or behind the watermark of the batch before (the deduplications: `ts`; the aggregation: the
# window's end) and evicts state by the batch's own watermark once the batch's rows are done.
EVENTS = [
    [
        _event(1, "a", 1.5, 1, "ann"),
        _event(2, "b", 2.0, 2, "bob"),
        _event(2, "b", 2.5, 4, "bob"),  # the same id again in the batch, another ts
        _event("3", "a", 3.0, 3, "cat"),  # a string where the schema says INT
        '{"id": 4, "k": "b", "v": 4.0, "ts": ',  # malformed
        _event(5, "a", 0.1, "2026-01-01 00:00:05", "dan"),
        _event(6, "c d", 7, "2026-01-01T00:00:07Z", None),  # an integer for a DOUBLE
        _event(7, "a", None, 8, "eve").replace('"v": null, ', ""),  # no `v` at all
        _event(8, None, -1.25, 9, "fay"),
        _event(9, "b", "4.5", 6, "gus"),  # a string where the schema says DOUBLE
        _event(10, "a", 1.0, "not a time", "hal"),
        _event(11, "x/y", 12345678.5, 9, "ivy")[:-1] + ', "extra": true}',
    ],
    [
        _event(1, "a", 1.0, 12),  # id 1 again, within the delay
        _event(2, "b", 2.0, 2, "bob"),  # the very same row again
        _event(6, "c d", 7.0, 7),  # (6, 7) again
        *(_event(i, "ab"[i % 2], i / 4, i - 2) for i in range(12, 19)),
        _event(19, "a", 0.5, 20),
    ],
    [
        _event(28, "a", 1.0, 5),  # behind this batch's watermark (10 s), not the batch before's
        _event(29, "b", 1.0, 10),  # at the watermark
        _event(19, "b", 1.0, 11),  # id 19 again, another ts
        _event(1, "a", 1.0, 31),  # id 1 again (first seen at 1 s: kept until the watermark passes 11 s)
        _event(5, "b", 1.0, 33),  # id 5 again (first seen at 5 s)
        *(_event(i, "ab"[i % 2], i / 8, i + 10) for i in range(20, 27)),
        _event(27, "c d", None, None),  # no ts
    ],
    [
        _event(1, "a", 1.0, 46),  # id 1 again, long after its delay
        _event(20, "a", 1.0, 47),  # id 20 again, within its delay (first seen at 30 s)
        _event(14, "a", 1.0, 48),  # id 14 again, after its delay (first seen at 12 s)
        _event(18, "a", 1.0, 49),  # id 18 again: its delay (from 16 s) ended at the watermark
        _event(32, "b", 1.0, 11),  # late
        _event(30, "b", 1.0, 25),  # late
        _event(31, "b", 1.0, 26),  # at the watermark (26 s)
        *(_event(i, "ab"[i % 2], i / 2, i + 5) for i in range(40, 46)),
    ],
    [
        _event(13, "b", 1.0, 62),  # id 13 again, after its delay (first seen at 11 s)
        _event(21, "b", 1.0, 63),  # id 21 again (first seen at 31 s: kept past this watermark)
        _event(19, "b", 1.0, 64),  # id 19 again: its delay (from 20 s) ended, but not yet evicted
        _event(40, "a", 9.0, 45),  # (40, 45) again
        _event(57, "a", 1.0, 25),  # late
        _event(58, "a", 1.0, 26),  # at the batch before's watermark
        _event(59, "b", 1.0, 33),  # behind this batch's watermark (40 s), not the batch before's
        _event(60, "a", 1.0, 40),  # at the watermark
        *(_event(i, "ab"[i % 2], i * 1.5, i + 10) for i in range(50, 56)),
        _event(56, "x/y", 0.25, 70),
    ],
]

CSV_HEADER = "id,k,v,ts,name"
TABLE = [
    [
        "1,a,1.5,2026-01-01 00:00:01,ann",
        "2,b,,2026-01-01T00:00:02Z,bob",  # empty DOUBLE
        "x,a,3.0,2026-01-01 00:00:03,cat",  # not a number in the INT column
        "4,,4.0,2026-01-01 00:00:04,",  # empty STRING fields
        '5,a,2.5,2026-01-01T00:00:05.500Z,"dan, jr"',
        "6,b,1.5e7,2026-01-01 00:00:06,eve",
        "7,a,0.1,not a time,fay",
        "8,b,abc,2026-01-01 00:00:08,gus",  # not a number in the DOUBLE column
        "9,a,-2,2026-01-01 00:00:09.250,hal",
        ",b,9.5,2026-01-01 00:00:09,ivy",  # empty INT
    ],
    [f"{i},{'ab'[i % 2]},{i / 4},2026-01-01 00:00:{i:02d},n{i}" for i in range(10, 20)],
    [f"{i},{'ab'[i % 2]},{i / 8},2026-01-01 00:00:{i:02d},n{i}" for i in range(20, 30)],
]

# The first file's modification time: an hour ago, well within Spark's `maxFileAge` (7 days).
ARRIVALS = int(time.time()) - 3600


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


def _data_files(folder: Path, suffix: str) -> list[tuple[str, Path]]:
    """A sink's data files, each with the folders between the sink and it (`k=a`, a batch id):
    not Spark's `_spark_metadata`, glueless's `_glueless_stream`, nor hidden or underscore files."""
    found = []
    for f in folder.rglob(f"*{suffix}"):
        parts = f.relative_to(folder).parts
        if f.is_file() and not any(part.startswith(("_", ".")) for part in parts):
            found.append(("/".join(parts[:-1]), f))
    return found


def _parquet_rows(folder: Path) -> list[tuple]:
    rows = []
    for where, f in _data_files(folder, ".parquet"):
        for r in pq.read_table(f, partitioning=None).to_pylist():
            rows.append((where, *((k, _norm(v)) for k, v in r.items())))
    return sorted(rows, key=repr)


def _json_rows(folder: Path) -> list[tuple]:
    rows = []
    for where, f in _data_files(folder, ".json"):
        for line in f.read_text().splitlines():
            if line.strip():
                rows.append((where, *json.loads(line).items()))
    return sorted(rows, key=repr)


def _arrive(folder: Path, files: list[list[str]], first: int, header: str | None, suffix: str) -> None:
    """Writes the files numbered from `first`, each modified 10 s after the one before, so that
    both engines take them in this order (one a micro-batch)."""
    folder.mkdir(exist_ok=True)
    for n, lines in enumerate(files, start=first):
        path = folder / f"part-{n:02d}{suffix}"
        path.write_text("\n".join(([header] if header else []) + lines) + "\n")
        os.utime(path, (ARRIVALS + 10 * n, ARRIVALS + 10 * n))


def test_streams_of_rows_give_sparks_results_on_a_first_run_and_a_restart(tmp_path: Path) -> None:
    program = tmp_path / "rows_program.py"
    program.write_text(PROGRAM)
    events, table = tmp_path / "events", tmp_path / "table"

    def both() -> None:
        args = [str(program), str(events), str(table)]
        theirs = _run([sys.executable, *args, str(tmp_path / "spark")], tmp_path)
        submit = [sys.executable, "-m", "glueless.cli", "submit", "--quiet"]
        ours = _run([*submit, *args, str(tmp_path / "glueless")], tmp_path)
        (printed_theirs, console_theirs), (printed_ours, console_ours) = _parse(theirs), _parse(ours)
        assert printed_ours == printed_theirs
        assert console_ours == console_theirs
        assert any(table for _, table in console_theirs), "the console printed rows"
        for sink in ("fb", "parquet", "agg", "part"):
            expected = _parquet_rows(tmp_path / "spark" / sink)
            assert expected, f"Spark wrote {sink} rows"
            assert _parquet_rows(tmp_path / "glueless" / sink) == expected, sink
        expected = _json_rows(tmp_path / "spark" / "jsonsink")
        assert expected, "Spark wrote JSON rows"
        assert _json_rows(tmp_path / "glueless" / "jsonsink") == expected, "jsonsink"

    _arrive(events, EVENTS[:3], 0, None, ".json")
    _arrive(table, TABLE[:2], 0, CSV_HEADER, ".csv")
    both()
    _arrive(events, EVENTS[3:], 3, None, ".json")
    _arrive(table, TABLE[2:], 2, CSV_HEADER, ".csv")
    both()
