"""Athena DDL for every table: it parses (sqlglot, Hive dialect), its columns and types are the
declared landing fields and the Parquet files' columns, Spark SQL reads every Parquet table through
its DDL, and the shipped landing DDL files are what the command generates."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import sqlglot

import glueless
from conftest import REPO, run_cli

HIVE = {pa.string(): "STRING", pa.int64(): "BIGINT", pa.int32(): "INT", pa.float64(): "DOUBLE",
        pa.bool_(): "BOOLEAN", pa.date32(): "DATE"}


def columns(sql: str) -> list[tuple[str, str]]:
    statement = sqlglot.parse_one(sql, read="hive")
    assert isinstance(statement, sqlglot.exp.Create)
    return [(c.name, c.args["kind"].sql(dialect="hive")) for c in statement.find_all(sqlglot.exp.ColumnDef)]


def hive_type(t: pa.DataType) -> str:
    return "TIMESTAMP" if pa.types.is_timestamp(t) else HIVE[t]


def test_landing_ddl_types_every_declared_field(demo_lake: Path) -> None:
    for table in glueless.catalog_ddl(str(demo_lake), landing_only=True):
        name = table["name"].removesuffix("_landing")
        schema = pa.table(glueless.read_landing(demo_lake / name / "landing", name).table).schema
        assert columns(table["sql"]) == [(f.name, hive_type(f.type)) for f in schema], name
        assert "org.openx.data.jsonserde.JsonSerDe" in table["sql"]
        assert table["location"] == f"file://{(demo_lake / name / 'landing').resolve()}/"
    customer = glueless.catalog_ddl(str(demo_lake), landing_only=True)[0]["sql"]
    assert "`shareWithFriendsAsOfDate` bigint" in customer, "the hand-written original forgot it"


def test_parquet_ddl_matches_the_files_of_every_zone(demo_lake: Path, tmp_path: Path) -> None:
    assert run_cli("stedi", "run", "--lake", str(demo_lake), "--quiet").returncode == 0
    tables = {t["name"]: t for t in glueless.catalog_ddl(str(demo_lake), database="stedi")}
    expected = {"customer_trusted": "customer/trusted", "customer_curated": "customer/curated",
                "accelerometer_trusted": "accelerometer/trusted", "step_trainer_trusted": "step_trainer/trusted",
                "machine_learning_curated": "step_trainer/curated", "customer_rejected": "customer/rejected"}
    for name, zone in expected.items():
        sql = tables[name]["sql"]
        assert "STORED AS PARQUET" in sql, name
        schema = pq.read_schema(next((demo_lake / zone).glob("*.parquet")))
        assert columns(sql) == [(f.name, hive_type(f.type)) for f in schema], name
    out = tmp_path / "ddl"
    done = run_cli("catalog", "ddl", "--lake", str(demo_lake), "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert (out / "customer_landing_table.sql").exists() and (out / "machine_learning_curated_table.sql").exists()


def test_the_shipped_landing_ddl_is_what_the_command_writes() -> None:
    generated = {f"{t['name']}_table.sql": t["sql"] for t in glueless.catalog_ddl("s3://stedi-jivd", declared=True)}
    shipped = {p.name: p.read_text() for p in (REPO / "scripts" / "sql").glob("*.sql")}
    assert shipped == generated


def test_spark_sql_reads_every_parquet_table_through_its_ddl(demo_lake: Path, tmp_path: Path) -> None:
    """Spark SQL (Hive metastore, pyspark local) creates each trusted, curated and quarantine table
    from the generated DDL and reads the row count and every column's non-null count that
    pyarrow reads from the files: the DDL's names and types really map onto the Parquet columns."""
    assert run_cli("stedi", "run", "--lake", str(demo_lake), "--quiet").returncode == 0
    tables = [t for t in glueless.catalog_ddl(str(demo_lake)) if not t["name"].endswith("_landing")]
    assert len(tables) == 8
    ddl = tmp_path / "ddl.json"
    ddl.write_text(json.dumps(tables))
    done = subprocess.run(
        [sys.executable, str(REPO / "tests" / "spark_catalog_check.py"), str(tmp_path / "spark"), str(ddl)],
        capture_output=True, text=True, timeout=600, cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    for table in tables:
        arrow = pq.read_table(table["location"].removeprefix("file://"))
        expected = {"rows": arrow.num_rows}
        expected.update({c.lower(): arrow.num_rows - arrow[c].null_count for c in arrow.column_names})
        got = {k.lower(): v for k, v in seen[table["name"]].items()}
        assert got == expected, table["name"]
        assert arrow.num_rows > 0 or table["name"].endswith("_rejected"), table["name"]
