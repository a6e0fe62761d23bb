"""Schema evolution, as Glue's "update the table schema": a landing file with a new key keeps it
(typed by inference), the trusted and curated tables gain the column (older rows null), the catalog
records a new schema version and the stored DDL is regenerated; a type conflict follows the
documented rule (declared columns: lossless coercion or quarantine; evolved columns widen), and
no value is ever dropped silently."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import sqlglot

import glueless
from conftest import run_cli

DECLARED_CUSTOMER = ["customerName", "email", "phone", "birthDay", "serialNumber", "registrationDate",
                     "lastUpdateDate", "shareWithResearchAsOfDate", "shareWithPublicAsOfDate",
                     "shareWithFriendsAsOfDate"]


def customer(i: int, **extra: object) -> str:
    record = {"customerName": f"New Customer{i}", "email": f"new{i}@example.org", "phone": "8015551212",
              "birthDay": "1990-01-01", "serialNumber": f"serial-new-{i}", "registrationDate": 1655564376361,
              "lastUpdateDate": 1655564376361, "shareWithResearchAsOfDate": 1655564376361, **extra}
    return json.dumps(record)


def readings(i: int, n: int = 3, **extra: object) -> list[str]:
    return [json.dumps({"user": f"new{i}@example.org", "timestamp": 1655564376361 + k, "x": 1.0, "y": 0.0,
                        "z": -1.0, **extra}) for k in range(n)]


def write(lake: Path, key: str, lines: list[str]) -> None:
    (lake / key).write_text("\n".join(lines) + "\n")


def table(lake: Path, zone: str) -> pa.Table:
    return pa.table(glueless.read_parquet(lake / zone))


def ddl_columns(sql: str) -> list[tuple[str, str]]:
    statement = sqlglot.parse_one(sql, read="hive")
    return [(c.name, c.args["kind"].sql(dialect="hive")) for c in statement.find_all(sqlglot.exp.ColumnDef)]


def test_a_new_field_becomes_a_column_with_a_new_schema_version(demo_lake: Path) -> None:
    assert run_cli("stedi", "run", "--lake", str(demo_lake), "--quiet").returncode == 0
    before = table(demo_lake, "customer/trusted")
    write(demo_lake, "customer/landing/new-fields.json",
          [customer(1, loyaltyTier="gold", heightCm=180), customer(2, LOYALTYTIER="silver"), customer(3)])
    write(demo_lake, "accelerometer/landing/new-fields.json", readings(1) + readings(2))

    run = glueless.run_stedi(str(demo_lake))
    assert run["balanced"]
    job = run["jobs"][0]
    assert job["schema_version"] == 2
    assert "added loyaltyTier string, added heightCm bigint" in job["schema_change"], job["schema_change"]
    assert "new-fields.json" in job["schema_change"]

    trusted = table(demo_lake, "customer/trusted")
    assert trusted.column_names == [*DECLARED_CUSTOMER, "loyaltyTier", "heightCm"]
    assert trusted.schema.field("heightCm").type == pa.int64()
    assert trusted.num_rows == before.num_rows + 3
    new = {r["email"]: r for r in trusted.to_pylist() if r["email"].startswith("new")}
    assert (new["new1@example.org"]["loyaltyTier"], new["new1@example.org"]["heightCm"]) == ("gold", 180)
    assert new["new2@example.org"]["loyaltyTier"] == "silver"  # keys match ignoring case
    old = [r for r in trusted.to_pylist() if not r["email"].startswith("new")]
    assert len(old) == before.num_rows and all(r["loyaltyTier"] is None and r["heightCm"] is None for r in old)
    # The curated customers carry the column; machine_learning_curated never gains one.
    assert "loyaltyTier" in table(demo_lake, "customer/curated").column_names
    assert table(demo_lake, "step_trainer/curated").column_names == [
        "sensorReadingTime", "serialNumber", "distanceFromObject", "x", "y", "z"]

    history = json.loads((demo_lake / "_glueless" / "catalog" / "customer.json").read_text())
    assert [v["version"] for v in history["versions"]] == [1, 2]
    assert history["versions"][1]["columns"][-1] == {"name": "heightCm", "type": "bigint", "declared": False}

    # The stored DDL was regenerated and matches the data.
    ddl = demo_lake / "_glueless" / "catalog" / "ddl"
    landing_sql = (ddl / "customer_landing_table.sql").read_text()
    assert ddl_columns(landing_sql)[-2:] == [("loyaltyTier", "STRING"), ("heightCm", "BIGINT")]
    assert "'glueless.schema_version' = '2'" in landing_sql
    for name, zone in [("customer_trusted", "customer/trusted"), ("customer_curated", "customer/curated")]:
        columns = [c for c, _ in ddl_columns((ddl / f"{name}_table.sql").read_text())]
        assert columns == pq.read_schema(next((demo_lake / zone).glob("*.parquet"))).names, name
    printed = run_cli("catalog", "ddl", "--lake", str(demo_lake))
    assert printed.returncode == 0 and "`loyaltyTier` string" in printed.stdout


def test_type_conflicts_follow_the_documented_rule(demo_lake: Path) -> None:
    write(demo_lake, "customer/landing/a-height.json", [customer(1, heightCm=180)])
    assert run_cli("stedi", "run", "--lake", str(demo_lake), "--quiet").returncode == 0
    # An evolved column that meets a value it cannot hold widens (bigint -> string here);
    # a declared column keeps its type: the record is quarantined with the reason.
    write(demo_lake, "customer/landing/b-height.json", [customer(2, heightCm="tall"), customer(3, heightCm=1.5)])
    write(demo_lake, "accelerometer/landing/c-bad-time.json", readings(1, timestamp="soon"))
    run = glueless.run_stedi(str(demo_lake))
    job = run["jobs"][0]
    assert job["schema_version"] == 3 and "heightCm bigint → string" in job["schema_change"], job
    trusted = table(demo_lake, "customer/trusted")
    heights = {r["email"]: r["heightCm"] for r in trusted.to_pylist() if r["email"].startswith("new")}
    assert heights == {"new1@example.org": "180", "new2@example.org": "tall", "new3@example.org": "1.5"}
    rejected = table(demo_lake, "accelerometer/rejected").to_pylist()
    bad = [r for r in rejected if r["source_file"].endswith("c-bad-time.json")]
    assert len(bad) == 3 and bad[0]["reason"].startswith('field timestamp: a string "soon" cannot be stored as int64')
    assert job["quarantined"] == table(demo_lake, "customer/rejected").num_rows


def test_incremental_runs_rewrite_old_rows_when_the_schema_evolves(demo_lake: Path, tmp_path: Path) -> None:
    assert run_cli("stedi", "run", "--lake", str(demo_lake), "--incremental", "--quiet").returncode == 0
    full = tmp_path / "full"
    shutil.copytree(demo_lake, full)
    for lake in (demo_lake, full):
        write(lake, "customer/landing/new-fields.json", [customer(1, loyaltyTier="gold")])
        write(lake, "accelerometer/landing/new-fields.json", readings(1, battery=97))
    run = glueless.run_stedi(str(demo_lake), incremental=True)
    assert all(j["balanced"] for j in run["jobs"])
    assert [j["incremental"] for j in run["jobs"][:2]] == [True, True]
    assert table(demo_lake, "accelerometer/trusted").column_names == ["user", "timestamp", "x", "y", "z", "battery"]
    assert run_cli("stedi", "run", "--lake", str(full), "--quiet").returncode == 0
    for zone in ("customer/trusted", "accelerometer/trusted", "customer/curated", "step_trainer/curated"):
        a, b = table(demo_lake, zone), table(full, zone)
        assert a.schema == b.schema, zone
        assert sorted(map(str, a.to_pylist())) == sorted(map(str, b.to_pylist())), zone
