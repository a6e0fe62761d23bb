"""A PySpark DataFrame program, run by real PySpark (`python prog.py`) and by `glueless submit
prog.py`: the same printed results and the same files' rows."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pyarrow.parquet as pq

PROGRAM = textwrap.dedent(
    """\
    import sys
    from pyspark.sql import SparkSession
    from pyspark.sql import functions as F

    spark = (SparkSession.builder.master("local[2]").appName("surface")
             .config("spark.sql.ansi.enabled", "false").config("spark.ui.enabled", "false").getOrCreate())
    src, out = sys.argv[1], sys.argv[2]
    c = spark.read.json(f"{src}/customers")
    r = spark.read.json(f"{src}/readings")
    print(c.columns, r.columns)
    consenting = c.filter(F.col("shareWithResearchAsOfDate").isNotNull() & (c.shareWithResearchAsOfDate != 0))
    joined = r.join(consenting, r.user == consenting.email, "inner").select(r.user, r.x, consenting.serialNumber)
    agg = (joined.groupBy("user")
           .agg(F.count("*").alias("n"), F.sum("x").alias("sx"), F.max("x").alias("mx"))
           .withColumn("big", F.when(F.col("sx") > 2, "yes").otherwise("no"))
           .orderBy("user"))
    agg.write.mode("overwrite").parquet(f"{out}/agg")
    agg.write.mode("overwrite").parquet(f"{out}/agg")
    semi = r.join(consenting, r.user == consenting.email, "leftsemi").dropDuplicates(["user", "timestamp"])
    semi.write.mode("overwrite").json(f"{out}/semi")
    print(agg.count(), semi.count())
    for row in agg.collect():
        print(row.user, row.n, round(row.sx, 3), row["big"])
    c.createOrReplaceTempView("customers")
    print(spark.sql("select email, upper(customerName) as name from customers where sharewithresearchasofdate > 0 order by email").collect())
    """
)


def _write(folder: Path, name: str, rows: list[dict]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text("".join(json.dumps(r) + "\n" for r in rows))


def _parquet_rows(folder: Path) -> list[tuple]:
    files = [p for p in folder.rglob("*.parquet") if not p.name.startswith((".", "_"))]
    rows = []
    for f in files:
        rows += [tuple(sorted(r.items())) for r in pq.read_table(f).to_pylist()]
    return sorted(rows)


def _json_rows(folder: Path) -> list[tuple]:
    rows = []
    for f in folder.rglob("*"):
        if f.is_file() and not f.name.startswith((".", "_")) and not f.name.endswith(".crc"):
            rows += [tuple(sorted(json.loads(line).items())) for line in f.read_text().splitlines() if line]
    return sorted(rows)


def test_a_pyspark_program_gives_sparks_results(tmp_path: Path) -> None:
    src = tmp_path / "src"
    _write(src / "customers", "c.json", [
        {"customerName": "Ann", "email": "ann@x", "serialNumber": "S1", "shareWithResearchAsOfDate": 5},
        {"customerName": "Bob", "email": "bob@x", "serialNumber": "S2", "shareWithResearchAsOfDate": 0},
        {"customerName": "Cy", "email": "cy@x", "serialNumber": "S3"},
        {"customerName": "Dee", "email": "dee@x", "serialNumber": "S4", "shareWithResearchAsOfDate": 9},
    ])
    _write(src / "readings", "r.json", [
        {"user": "ann@x", "timestamp": 1, "x": 1.5},
        {"user": "ann@x", "timestamp": 1, "x": 1.5},
        {"user": "ann@x", "timestamp": 2, "x": 1.0},
        {"user": "bob@x", "timestamp": 1, "x": 9.0},
        {"user": "dee@x", "timestamp": 3, "x": 0.5},
    ])
    program = tmp_path / "prog.py"
    program.write_text(PROGRAM)
    env = {**os.environ, "PYSPARK_PYTHON": sys.executable}
    spark_run = subprocess.run([sys.executable, str(program), str(src), str(tmp_path / "spark")],
                               capture_output=True, text=True, env=env, timeout=600)
    assert spark_run.returncode == 0, spark_run.stderr[-3000:]
    ours = subprocess.run([sys.executable, "-m", "glueless.cli", "submit", str(program), str(src), str(tmp_path / "ours")],
                          capture_output=True, text=True, timeout=300)
    assert ours.returncode == 0, ours.stderr
    assert ours.stdout == spark_run.stdout
    assert _parquet_rows(tmp_path / "ours" / "agg") == _parquet_rows(tmp_path / "spark" / "agg")
    assert _json_rows(tmp_path / "ours" / "semi") == _json_rows(tmp_path / "spark" / "semi")


def test_malformed_json_lines_are_quarantined_beside_the_source(tmp_path: Path) -> None:
    src = tmp_path / "lake" / "t" / "landing"
    src.mkdir(parents=True)
    (src / "a.json").write_text('{"a": 1}\nnot json\n[1, 2]\n{"a": 2}\n')
    program = tmp_path / "job.py"
    program.write_text(textwrap.dedent("""\
        from awsglue.context import GlueContext
        from pyspark.context import SparkContext
        glue = GlueContext(SparkContext())
        frame = glue.create_dynamic_frame.from_options("s3", {"paths": ["s3://b/t/landing/"]}, "json")
        print(frame.count())
    """))
    done = subprocess.run([sys.executable, "-m", "glueless.cli", "submit", "--map", f"s3://b={tmp_path / 'lake'}", str(program)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "2"
    assert "2 records quarantined in" in done.stderr
    rejected = pq.read_table(next((tmp_path / "lake" / "t" / "rejected").glob("*.parquet"))).to_pylist()
    assert sorted(r["raw_line"] for r in rejected) == ["[1, 2]", "not json"]
