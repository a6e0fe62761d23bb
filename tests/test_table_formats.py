"""Iceberg and Delta Lake zones: the STEDI pipeline written as each format gives, read by the
format's own reader (pyiceberg, delta-rs, Polars), the same rows as the Parquet run; every run is
one snapshot; time travel returns the previous run's rows; incremental runs append with their
bookmark in the snapshot; a kill at any step leaves the last snapshot; the wrong format or a
missing package is one line."""

from __future__ import annotations

import json
import shutil
import uuid
from pathlib import Path
from typing import Any, Callable

import pytest

import glueless
from conftest import RELIABILITY, needs_failpoints, run_cli, run_script
from test_crash_matrix import ZONES, add_extra, crash_and_check, make_lakes, snapshot
from test_s3 import assert_one_line_error, bucket, rows, s3, s3_env  # noqa: F401 - fixtures

pytest.importorskip("deltalake")
pytest.importorskip("pyiceberg")

FORMATS = ["iceberg", "delta"]

#: The catalog names of the zones (database ``stedi``).
CATALOG_NAMES = {
    "customer/trusted": "customer_trusted",
    "customer/curated": "customer_curated",
    "accelerometer/trusted": "accelerometer_trusted",
    "step_trainer/trusted": "step_trainer_trusted",
    "step_trainer/curated": "machine_learning_curated",
    "customer/rejected": "customer_rejected",
    "accelerometer/rejected": "accelerometer_rejected",
    "step_trainer/rejected": "step_trainer_rejected",
}


@pytest.fixture()
def catalog(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A local catalog folder of its own (subprocesses inherit the variable)."""
    folder = tmp_path / "catalog"
    monkeypatch.setenv("GLUELESS_CATALOG", str(folder))
    return folder


def iceberg_catalog(folder: Path) -> Any:
    from pyiceberg.catalog.sql import SqlCatalog

    return SqlCatalog("glueless", uri=f"sqlite:///{folder / 'iceberg.db'}")


def reader(fmt: str, lake: Path, catalog: Path) -> Callable[[str], Any]:
    """The format's own reader of a zone's current snapshot (an Arrow table)."""
    if fmt == "delta":
        from deltalake import DeltaTable

        return lambda zone: DeltaTable(str(lake / zone)).to_pyarrow_table()
    cat = iceberg_catalog(catalog)
    return lambda zone: cat.load_table(f"stedi.{CATALOG_NAMES[zone]}").scan().to_arrow()


def run_pipeline(lake: Path, *args: str) -> dict[str, Any]:
    summary = lake.parent / f"{lake.name}-summary.json"
    done = run_cli("stedi", "run", "--lake", str(lake), "--quiet", "--summary-json", str(summary), *args)
    assert done.returncode == 0, done.stderr
    return json.loads(summary.read_text())


@pytest.fixture()
def two_lakes(tmp_path: Path) -> tuple[Path, Path]:
    """A lake with the Parquet run's zones, and a copy of its landing data only."""
    parquet = tmp_path / "parquet"
    glueless.generate_stedi(str(parquet), customers=300, seed=1)
    run_pipeline(parquet)
    fresh = tmp_path / "fresh"
    for table in ("customer", "accelerometer", "step_trainer"):
        shutil.copytree(parquet / table / "landing", fresh / table / "landing")
    return parquet, fresh


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_zone_as_the_format_gives_the_parquet_runs_rows(
    fmt: str, two_lakes, catalog: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Polars plans Iceberg scans with pyiceberg (its own planner is another package).
    monkeypatch.setenv("POLARS_ICEBERG_PLANNER", "pyiceberg")
    parquet, lake = two_lakes
    summary = run_pipeline(lake, "--format", fmt)
    assert summary["balanced"] and summary["format"] == fmt
    read = reader(fmt, lake, catalog)
    for zone in ZONES:
        expected = rows(glueless.read_parquet(parquet / zone))
        assert rows(read(zone)) == expected, zone
        # glueless reads its own tables by their snapshot too (the next job's input).
        assert rows(glueless.read_parquet(lake / zone)) == expected, zone
    # An independent reader: Polars through the format's own library.
    import polars as pl

    curated = lake / "step_trainer" / "curated"
    if fmt == "delta":
        frame = pl.read_delta(str(curated))
    else:
        frame = pl.scan_iceberg(iceberg_catalog(catalog).load_table("stedi.machine_learning_curated")).collect()
    assert sorted(frame.rows()) == rows(glueless.read_parquet(parquet / "step_trainer" / "curated"))
    if fmt == "delta":
        assert (curated / "_delta_log" / "00000000000000000000.json").is_file()
    else:
        assert list((curated / "metadata").glob("*.metadata.json")) and list((curated / "data").glob("*.parquet"))


@pytest.mark.parametrize("fmt", FORMATS)
def test_each_run_is_one_snapshot_and_time_travel_gives_the_previous_run(fmt: str, tmp_path: Path, catalog: Path) -> None:
    lake = tmp_path / "lake"
    glueless.generate_stedi(str(lake), customers=200, seed=1)
    run_pipeline(lake, "--format", fmt)
    first = {zone: rows(glueless.read_parquet(lake / zone)) for zone in ZONES}
    extra = tmp_path / "extra"
    glueless.generate_stedi(str(extra), customers=80, seed=2)
    add_extra(extra, lambda f, key: shutil.copy(f, lake / key))
    run_pipeline(lake)  # no --format: the tables keep theirs
    second = {zone: rows(glueless.read_parquet(lake / zone)) for zone in ZONES}
    assert second["customer/trusted"] != first["customer/trusted"]
    for zone in ZONES:
        folder = lake / zone
        if fmt == "delta":
            from deltalake import DeltaTable

            table = DeltaTable(str(folder))
            assert table.version() == 1, zone
            assert rows(DeltaTable(str(folder), version=0).to_pyarrow_table()) == first[zone], zone
            operations = [h["operation"] for h in table.history()]
            assert operations[0] in ("WRITE", "CREATE OR REPLACE TABLE", "CREATE TABLE"), operations
        else:
            table = iceberg_catalog(catalog).load_table(f"stedi.{CATALOG_NAMES[zone]}")
            snapshots = table.snapshots()
            assert len(snapshots) == 2, zone
            assert snapshots[1].summary.operation.value == "overwrite"
            assert rows(table.scan(snapshot_id=snapshots[0].snapshot_id).to_arrow()) == first[zone], zone
            assert rows(table.scan().to_arrow()) == second[zone], zone


@pytest.mark.parametrize("fmt", FORMATS)
def test_incremental_runs_append_with_the_bookmark_in_the_snapshot(fmt: str, tmp_path: Path, catalog: Path) -> None:
    # The same incremental runs on a Parquet lake and on a lake in the format.
    extra = tmp_path / "extra"
    glueless.generate_stedi(str(extra), customers=50, seed=2)
    lakes = {"parquet": tmp_path / "parquet", fmt: tmp_path / fmt}
    for kind, lake in lakes.items():
        glueless.generate_stedi(str(lake), customers=150, seed=1)
        run_pipeline(lake, "--format", kind, "--incremental")
        add_extra(extra, lambda f, key: shutil.copy(f, lake / key))
        summary = run_pipeline(lake, "--incremental")
        first = {j["job"]: j for j in summary["jobs"]}["customer_landing_to_trusted"]
        assert first["incremental"] is True and first["files_skipped"] == 1
    lake = lakes[fmt]
    for zone in ZONES:
        assert rows(glueless.read_parquet(lake / zone)) == rows(glueless.read_parquet(lakes["parquet"] / zone)), zone
    if fmt == "delta":
        from deltalake import DeltaTable

        history = DeltaTable(str(lake / "customer" / "trusted")).history()
        assert history[0]["operationParameters"]["mode"] == "Append"
        assert "glueless.properties" in history[0]
    else:
        table = iceberg_catalog(catalog).load_table("stedi.customer_trusted")
        assert table.current_snapshot().summary.operation.value == "append"
        assert "glueless.properties" in table.current_snapshot().summary.additional_properties
    before = {zone: rows(glueless.read_parquet(lake / zone)) for zone in ZONES}
    # Nothing new: nothing is taken twice.
    again = run_pipeline(lake, "--incremental")
    assert {j["job"]: j for j in again["jobs"]}["customer_landing_to_trusted"]["read"] == 0
    assert {zone: rows(glueless.read_parquet(lake / zone)) for zone in ZONES} == before


@needs_failpoints
@pytest.mark.parametrize("fmt", FORMATS)
def test_kills_at_every_step_leave_the_last_snapshot(fmt: str, tmp_path: Path, catalog: Path) -> None:
    lake, extra, expected = make_lakes(tmp_path, 150)
    for zone in ZONES:
        shutil.rmtree(lake / zone)
    run_pipeline(lake, "--format", fmt)
    read = reader(fmt, lake, catalog)
    old = snapshot(read)
    add_extra(extra, lambda f, key: shutil.copy(f, lake / key))
    new = snapshot(lambda zone: glueless.read_parquet(expected / zone))
    # For a table, nothing is kept between the files written and the format's commit
    # (commit.before_swap is the same state as output.written, input.read precedes any write).
    points = ["output.written", "commit.after_swap"]
    assert crash_and_check(str(lake), {}, read, old, new, points) == 10
    RELIABILITY[f"batch jobs killed at a failpoint, {fmt} lake (then checked and re-run)"] += 10


def test_a_table_of_another_format_is_one_line(tmp_path: Path, catalog: Path) -> None:
    lake = tmp_path / "lake"
    glueless.generate_stedi(str(lake), customers=50, seed=1)
    run_pipeline(lake, "--format", "delta")
    done = run_script("customer_landing_to_trusted.py", "--lake", str(lake), "--format", "iceberg")
    assert_one_line_error(done, "holds a delta table", "--format delta")
    done = run_script("customer_landing_to_trusted.py", "--lake", str(lake), "--format", "parquet")
    assert_one_line_error(done, "holds a delta table")
    assert rows(glueless.read_parquet(lake / "customer" / "trusted"))  # untouched


@pytest.mark.parametrize(("fmt", "package"), [("iceberg", "pyiceberg"), ("delta", "deltalake")])
def test_a_missing_package_is_one_line(fmt: str, package: str, tmp_path: Path, catalog: Path) -> None:
    lake = tmp_path / "lake"
    glueless.generate_stedi(str(lake), customers=50, seed=1)
    hidden = tmp_path / "hidden"
    (hidden / package).mkdir(parents=True)
    (hidden / package / "__init__.py").write_text(f"raise ImportError('no {package} here')\n")
    done = run_script(
        "customer_landing_to_trusted.py", "--lake", str(lake), "--format", fmt, env={"PYTHONPATH": str(hidden)}
    )
    assert_one_line_error(done, f'pip install "glueless[{fmt}]"')
    assert not (lake / "customer" / "trusted").exists() or not any((lake / "customer" / "trusted").rglob("*.parquet"))


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_s3_lake_in_the_format_is_registered_in_glue_as_athena_reads_it(
    fmt: str, tmp_path: Path, s3, bucket: str, s3_env: dict[str, str], monkeypatch: pytest.MonkeyPatch  # noqa: F811
) -> None:
    monkeypatch.setenv("GLUELESS_CATALOG", "glue")
    glue = s3.client("glue")
    # moto's Glue outlives a test: start from an empty database.
    try:
        for table in glue.get_tables(DatabaseName="stedi")["TableList"]:
            glue.delete_table(DatabaseName="stedi", Name=table["Name"])
    except glue.exceptions.EntityNotFoundException:
        pass
    local = tmp_path / "local"
    glueless.generate_stedi(str(local), customers=150, seed=1)
    run_pipeline(local)
    client = s3.client()
    for table in ("customer", "accelerometer", "step_trainer"):
        for f in (local / table / "landing").iterdir():
            client.upload_file(str(f), bucket, f"stedi/{table}/landing/{f.name}")
    url = f"s3://{bucket}/stedi"
    done = run_cli("stedi", "run", "--lake", url, "--format", fmt, "--catalog", "glue", env=s3_env)
    assert done.returncode == 0, done.stderr
    assert "stedi.machine_learning_curated" in done.stdout

    for zone, name in CATALOG_NAMES.items():
        expected = rows(glueless.read_parquet(local / zone))
        entry = glue.get_table(DatabaseName="stedi", Name=name)["Table"]
        storage = entry["StorageDescriptor"]
        # What Athena needs: the location, the format, the columns.
        assert storage["Location"].rstrip("/") == f"{url}/{zone}", name
        assert entry["Parameters"]["table_type"] == fmt.upper(), name
        assert entry["TableType"] == "EXTERNAL_TABLE", name
        parquet_columns = [f.name for f in pa_schema(glueless.read_parquet(local / zone))]
        assert [c["Name"] for c in storage["Columns"]] == parquet_columns, name
        if fmt == "iceberg":
            metadata = entry["Parameters"]["metadata_location"]
            assert metadata.startswith(f"{url}/{zone}/metadata/") and metadata.endswith(".metadata.json")
            client.head_object(Bucket=bucket, Key=metadata[len(f"s3://{bucket}/") :])
            from pyiceberg.catalog.glue import GlueCatalog

            table = GlueCatalog("glue", **{"glue.region": s3_env["AWS_REGION"], "s3.endpoint": s3.endpoint,
                                           "s3.access-key-id": s3.access_key, "s3.secret-access-key": s3.secret_key,
                                           "s3.region": s3_env["AWS_REGION"]}).load_table(f"stedi.{name}")
            assert rows(table.scan().to_arrow()) == expected, name
        else:
            from deltalake import DeltaTable

            options = {"AWS_ENDPOINT_URL": s3.endpoint, "AWS_ALLOW_HTTP": "true", "AWS_REGION": s3_env["AWS_REGION"],
                       "AWS_ACCESS_KEY_ID": s3.access_key, "AWS_SECRET_ACCESS_KEY": s3.secret_key}
            assert rows(DeltaTable(f"{url}/{zone}", storage_options=options).to_pyarrow_table()) == expected, name
        assert rows(glueless.read_parquet(f"{url}/{zone}")) == expected, name


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_folder_another_engine_staged_on_s3_becomes_one_snapshot(
    fmt: str, s3, bucket: str, s3_env: dict[str, str], monkeypatch: pytest.MonkeyPatch  # noqa: F811
) -> None:
    """What ``--engine spark --format`` does with its tasks' files, on S3: Parquet files in a
    hidden prefix beside the table move into the table and become one snapshot of the format;
    the prefix is gone. A later commit without a format keeps the table's."""
    import pyarrow as pa

    from glueless import _glueless

    monkeypatch.setenv("GLUELESS_CATALOG", "glue")
    database = f"staged{uuid.uuid4().hex[:8]}"
    target = f"s3://{bucket}/{database}/orders"

    def stage(*parts: pa.Table) -> str:
        staging = f"s3://{bucket}/{database}/.orders.staging-1-spark{uuid.uuid4().hex[:12]}"
        for i, part in enumerate(parts):
            _glueless.write_parquet_file(f"{staging}/part-{i:05d}.parquet", part)
        return staging

    first = [pa.table({"id": [1, 2], "item": ["tea", "jam"]}), pa.table({"id": [3], "item": ["oat"]})]
    _glueless.commit_staged_table(stage(*first), target, format=fmt)
    second = pa.table({"id": [4], "item": ["rye"]})
    _glueless.commit_staged_table(stage(second), target)
    client = s3.client()
    listed = [o["Key"] for o in client.list_objects_v2(Bucket=bucket, Prefix=database).get("Contents", [])]
    assert not [k for k in listed if "/.orders.staging" in k]
    assert rows(glueless.read_parquet(target)) == [(4, "rye")]
    if fmt == "delta":
        from deltalake import DeltaTable

        options = {"AWS_ENDPOINT_URL": s3.endpoint, "AWS_ALLOW_HTTP": "true", "AWS_REGION": s3_env["AWS_REGION"],
                   "AWS_ACCESS_KEY_ID": s3.access_key, "AWS_SECRET_ACCESS_KEY": s3.secret_key}
        table = DeltaTable(target, storage_options=options)
        assert table.version() == 1
        assert rows(table.to_pyarrow_table()) == [(4, "rye")]
        assert rows(DeltaTable(target, version=0, storage_options=options).to_pyarrow_table()) == [
            (1, "tea"), (2, "jam"), (3, "oat")]
    else:
        entry = s3.client("glue").get_table(DatabaseName=database, Name="orders")["Table"]
        assert entry["Parameters"]["table_type"] == "ICEBERG"
        assert [k for k in listed if k.startswith(f"{database}/orders/data/")]


def pa_schema(table: Any) -> Any:
    import pyarrow as pa

    return pa.table(table).schema


def test_glue_scripts_write_and_read_delta_and_iceberg_tables(tmp_path: Path) -> None:
    from test_glue_submit import submit, write_json

    write_json(tmp_path / "lake" / "in", "r.json", [
        {"user": "a@x", "day": "2024-01-01", "x": 1.5},
        {"user": "b@x", "day": "2024-01-02", "x": 2.5},
        {"user": "c@x", "day": "2024-01-02"},
    ])
    body = """
        r = glueContext.create_dynamic_frame.from_options("s3", {"paths": ["s3://bucket/in/"]}, "json")
        glueContext.write_dynamic_frame.from_options(frame=r, connection_type="s3", format="delta",
            connection_options={"path": "s3://bucket/delta/"})
        sink = glueContext.getSink(path="s3://bucket/ice/", connection_type="s3", enableUpdateCatalog=True,
            updateBehavior="UPDATE_IN_DATABASE", partitionKeys=[])
        sink.setCatalogInfo(catalogDatabase="Lake", catalogTableName="Events")
        sink.setFormat("iceberg")
        sink.writeFrame(r)
        r.toDF().write.format("delta").mode("overwrite").save("s3://bucket/delta_df/")
        back = spark.read.format("delta").load("s3://bucket/delta/")
        events = glueContext.create_dynamic_frame.from_catalog(database="lake", table_name="events")
        print("delta", back.count(), "iceberg", events.count())
    """
    first = submit(tmp_path, body)
    assert first.returncode == 0, first.stderr
    assert "delta 3 iceberg 3" in first.stdout
    again = submit(tmp_path, body)
    assert again.returncode == 0, again.stderr
    # Glue's sinks append; the DataFrame writer's overwrite replaces (one snapshot each run).
    assert "delta 6 iceberg 6" in again.stdout
    from deltalake import DeltaTable

    lake = tmp_path / "lake"
    assert DeltaTable(str(lake / "delta")).version() == 1
    replaced = DeltaTable(str(lake / "delta_df"))
    assert replaced.version() == 1 and replaced.to_pyarrow_table().num_rows == 3
    assert DeltaTable(str(lake / "delta_df"), version=0).to_pyarrow_table().num_rows == 3
    entry = json.loads((tmp_path / "catalog" / "lake" / "events.json").read_text())
    assert entry["Parameters"]["table_type"] == "ICEBERG"
    assert entry["StorageDescriptor"]["Location"] == "s3://bucket/ice/"
    assert [c["Name"] for c in entry["StorageDescriptor"]["Columns"]] == ["user", "day", "x"]
    table = iceberg_catalog(tmp_path / "catalog").load_table("lake.events")
    assert entry["Parameters"]["metadata_location"] == table.metadata_location
    assert [s.summary.operation.value for s in table.snapshots()] == ["append", "append"]
    assert sorted(table.scan().to_arrow().column("user").to_pylist()) == ["a@x", "a@x", "b@x", "b@x", "c@x", "c@x"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_catalog_sync_registers_every_zone_in_the_local_catalog(fmt: str, tmp_path: Path, catalog: Path) -> None:
    lake = tmp_path / "lake"
    glueless.generate_stedi(str(lake), customers=60, seed=1)
    run_pipeline(lake, "--format", fmt)
    done = run_cli("catalog", "sync", "--lake", str(lake))
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) == 11 and all(line.startswith("created table stedi.") for line in lines), lines
    assert f"created table stedi.machine_learning_curated ({fmt}, 6 columns) at file://{lake}/step_trainer/curated/" in lines
    entry = json.loads((catalog / "stedi" / "machine_learning_curated.json").read_text())
    assert entry["Parameters"]["table_type"] == fmt.upper()
    if fmt == "iceberg":
        table = iceberg_catalog(catalog).load_table("stedi.machine_learning_curated")
        assert entry["Parameters"]["metadata_location"] == table.metadata_location
    landing = json.loads((catalog / "stedi" / "customer_landing.json").read_text())
    assert landing["Parameters"]["classification"] == "json"
    # A second sync updates in place; `catalog list` names the formats.
    again = run_cli("catalog", "sync", "--lake", str(lake))
    assert all(line.startswith("updated table") for line in again.stdout.splitlines()), again.stdout
    listing = run_cli("catalog", "list").stdout
    assert f"machine_learning_curated  {fmt}  file://{lake}/step_trainer/curated/" in listing


def test_each_local_lake_keeps_its_own_catalog(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without --catalog or $GLUELESS_CATALOG, a local lake's tables are registered in the lake
    (LAKE/_glueless/data_catalog): two lakes run from one directory do not clash (before, the
    second failed: its tables were registered at the first lake's locations), and `glueless
    athena --lake` reads each one's Iceberg zones."""
    monkeypatch.delenv("GLUELESS_CATALOG", raising=False)
    for name, seed in (("lake1", 3), ("lake2", 4)):
        lake = tmp_path / name
        glueless.generate_stedi(str(lake), customers=40, seed=seed)
        summary = run_pipeline(lake, "--format", "iceberg")
        assert (lake / "_glueless" / "data_catalog" / "iceberg.db").is_file()
        written = {o["table"]: o["rows"] for job in summary["jobs"] for o in job["outputs"]}
        done = run_cli("athena", "--lake", str(lake), "--output", "csv", "SELECT count(*) AS n FROM customer_trusted")
        assert done.returncode == 0, done.stderr
        assert done.stdout == f'"n"\n"{written["customer/trusted"]}"\n'


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_missing_extra_is_one_line_naming_it(fmt: str, tmp_path: Path) -> None:
    """Without the format's extra (here: pyarrow shadowed by a package that cannot be imported),
    the run stops with the one line naming `pip install "glueless[<format>]"`."""
    shadow = tmp_path / "shadow" / "pyarrow"
    shadow.mkdir(parents=True)
    (shadow / "__init__.py").write_text("raise ImportError(\"No module named 'pyarrow'\")\n")
    lake = tmp_path / "lake"
    glueless.generate_stedi(str(lake), customers=20, seed=1)
    env = {"PYTHONPATH": str(tmp_path / "shadow"), "GLUELESS_CATALOG": str(tmp_path / "catalog")}
    done = run_cli("stedi", "run", "--lake", str(lake), "--quiet", "--format", fmt, env=env)
    assert done.returncode == 1
    assert done.stderr.count("\n") == 1, done.stderr
    assert f'tables need: pip install "glueless[{fmt}]"' in done.stderr
