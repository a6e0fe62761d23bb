"""One description per job, two engines: the same matrix of runs on the local engine and on
Spark (PySpark local[4]) must give equal tables, equal run summaries (every documented reason
with the same count), equal schema histories and equal catalog DDL. The matrix: the real STEDI
data in both modes, the real data replicated three times, incremental runs over batches of
landing files that bring a few unreadable records, and a later batch that brings a new field."""

from __future__ import annotations

import json
import os
import shutil
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator, Optional

import pyarrow as pa
import pytest

import glueless
from glueless.catalog import CATALOG_ENV
from glueless.spark import run_job as run_on_spark

TABLES = ("customer", "accelerometer", "step_trainer")
ZONES = ["customer/trusted", "customer/rejected", "accelerometer/trusted", "accelerometer/rejected",
         "customer/curated", "step_trainer/trusted", "step_trainer/rejected", "step_trainer/curated"]
#: What both engines must report alike (``seconds`` and file layout are each engine's own).
SAME = ("job", "read", "quarantined", "filtered", "matched", "written", "bytes_read", "stored_bytes_read",
        "compressed_files", "incremental", "files_skipped", "schema_version", "schema_change", "balanced")


def rows(table: object, lake: Path) -> list[tuple]:
    """The table's rows, sorted; quarantine records name their file relative to the lake."""
    def relative(value: object) -> object:
        return value.replace(str(lake), "LAKE") if isinstance(value, str) else value

    return sorted(tuple(relative(v) for v in r.values()) for r in pa.table(table).to_pylist())


def run_both(spark: Any, lakes: dict[str, Path], *, strict: bool = False, incremental: bool = False,
             format: Optional[str] = None, catalogs: Optional[dict[str, Path]] = None) -> None:
    """The five jobs on each engine's lake (in table ``format``, each lake's Iceberg tables in its
    own catalog of ``catalogs``); then the two lakes must agree."""
    reports = {}
    for engine, lake in lakes.items():
        reports[engine] = []
        with catalog_of(engine, catalogs):
            for job in glueless.STEDI_JOBS:
                if engine == "local":
                    report = dict(glueless.run_job(job, str(lake), strict=strict, incremental=incremental,
                                                   format=format))
                else:
                    report = run_on_spark(job, str(lake), strict=strict, incremental=incremental, format=format,
                                          spark=spark)
                assert report["engine"] == engine and report["balanced"], report
                reports[engine].append(report)
    for local, on_spark in zip(reports["local"], reports["spark"]):
        assert {k: on_spark[k] for k in SAME} == {k: local[k] for k in SAME}, local["job"]
        assert [(o["role"], o["table"], o["rows"], o["table_rows"]) for o in on_spark["outputs"]] == [
            (o["role"], o["table"], o["rows"], o["table_rows"]) for o in local["outputs"]], local["job"]
    for zone in ZONES:
        # A table is read by its committed content (an Iceberg or Delta table's current snapshot).
        with catalog_of("local", catalogs):
            expected = glueless.read_parquet(lakes["local"] / zone)
        with catalog_of("spark", catalogs):
            got = glueless.read_parquet(lakes["spark"] / zone)
        assert pa.table(got).schema == pa.table(expected).schema, zone
        assert rows(got, lakes["spark"]) == rows(expected, lakes["local"]), zone
    for table in TABLES:
        history = Path("_glueless") / "catalog" / f"{table}.json"
        assert schema_versions(lakes["spark"] / history) == schema_versions(lakes["local"] / history), table
    ddl = Path("_glueless") / "catalog" / "ddl"
    local_ddl = {f.name: f.read_text().replace(str(lakes["local"]), "LAKE") for f in (lakes["local"] / ddl).iterdir()}
    spark_ddl = {f.name: f.read_text().replace(str(lakes["spark"]), "LAKE") for f in (lakes["spark"] / ddl).iterdir()}
    assert spark_ddl == local_ddl
    # Spark's output was committed the glueless way: no staging folder or partial table is left.
    assert not list(lakes["spark"].rglob(".*staging*"))


@contextmanager
def catalog_of(engine: str, catalogs: Optional[dict[str, Path]]) -> Iterator[None]:
    """Iceberg tables committed and read in the block go to ``engine``'s catalog (both lakes
    name their tables alike, so each needs its own)."""
    if not catalogs:
        yield
        return
    saved = os.environ.get(CATALOG_ENV)
    os.environ[CATALOG_ENV] = str(catalogs[engine])
    try:
        yield
    finally:
        if saved is None:
            del os.environ[CATALOG_ENV]
        else:
            os.environ[CATALOG_ENV] = saved


def schema_versions(history: Path) -> list[Any]:
    """A landing table's schema versions without their creation times."""
    if not history.exists():
        return []
    versions = json.loads(history.read_text())["versions"]
    return [{k: v for k, v in version.items() if k != "created_ms"} for version in versions]


def twin_lakes(tmp_path: Path, landing: Path) -> dict[str, Path]:
    """One lake per engine, with copies of the landing zones under ``landing``."""
    lakes = {}
    for engine in ("local", "spark"):
        lake = tmp_path / engine
        for table in TABLES:
            shutil.copytree(landing / table / "landing", lake / table / "landing")
        lakes[engine] = lake
    return lakes


def land_batch(replicas: Path, batch: int, lake: Path) -> None:
    """Copy replica ``batch`` of every table's landing files into ``lake`` (new landing files)."""
    for table in TABLES:
        folder = lake / table / "landing"
        folder.mkdir(parents=True, exist_ok=True)
        for f in (replicas / table / "landing").glob(f"*-r{batch:04}.json"):
            shutil.copy(f, folder / f.name)


@pytest.mark.parametrize("strict", [False, True], ids=["default", "strict"])
def test_the_real_data_gives_equal_lakes(spark, real_lake: Path, tmp_path: Path, strict: bool) -> None:  # type: ignore[no-untyped-def]
    run_both(spark, twin_lakes(tmp_path, real_lake), strict=strict)


def test_the_real_data_three_times_gives_equal_lakes(spark, real_lake: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    glueless.replicate_stedi(str(real_lake), str(tmp_path / "x3"), 3)
    lakes = twin_lakes(tmp_path, tmp_path / "x3")
    run_both(spark, lakes)
    assert glueless.read_parquet(lakes["spark"] / "step_trainer" / "curated").num_rows == 3 * 43_681


def test_incremental_batches_and_a_new_field_give_equal_lakes(spark, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Three batches, each run incrementally on both engines: new customers with their own
    readings and a few unreadable records; the third batch's readings bring a new field. Then a
    run that finds no new file."""
    base = tmp_path / "base"
    glueless.generate_stedi(str(base), customers=120, seed=41)
    replicas = tmp_path / "replicas"
    glueless.replicate_stedi(str(base), str(replicas), 3)
    lakes = {engine: tmp_path / engine for engine in ("local", "spark")}
    for batch in range(3):
        for lake in lakes.values():
            land_batch(replicas, batch, lake)
            (lake / "accelerometer" / "landing" / f"broken-{batch}.json").write_text(
                '{"user": "x@y", "timestamp": "soon"}\n{not json\n')
            if batch == 2:
                (lake / "accelerometer" / "landing" / "firmware.json").write_text(
                    '{"user": "a@b", "timestamp": 7, "x": 1.0, "y": 2.0, "z": 3.0, "firmware": "2.1"}\n')
        run_both(spark, lakes, incremental=True)
        if batch == 1:
            # An append with the table's columns: Spark left out the rows the table has and its
            # files joined the table as written (Spark's names), not through the driver.
            names = [f.name for f in (lakes["spark"] / "accelerometer" / "trusted").glob("*.parquet")]
            assert sum("-c000" in name for name in names) == 2, names  # the full run's and this one's
    # A run with no new landing file takes nothing, on both engines alike.
    run_both(spark, lakes, incremental=True)
    summary = glueless.read_parquet(lakes["spark"] / "accelerometer" / "trusted")
    assert "firmware" in pa.table(summary).column_names


#: The catalog names of the zones the format test reads with the formats' own readers.
CATALOG_NAMES = {"customer/trusted": "customer_trusted", "accelerometer/trusted": "accelerometer_trusted",
                 "customer/curated": "customer_curated", "step_trainer/trusted": "step_trainer_trusted",
                 "step_trainer/curated": "machine_learning_curated"}


@pytest.mark.parametrize("fmt", ["iceberg", "delta"])
def test_iceberg_and_delta_lakes_are_equal_on_both_engines(spark, tmp_path: Path, fmt: str) -> None:  # type: ignore[no-untyped-def]
    """``--format`` on Spark: the tasks write Parquet files and the core commits them as the
    format's snapshot, so both engines give equal lakes, and the format's own reader (delta-rs,
    pyiceberg through the catalog) sees the same rows. A later incremental run without
    ``--format`` keeps each table's format and appends a snapshot."""
    pytest.importorskip("pyiceberg" if fmt == "iceberg" else "deltalake")
    base = tmp_path / "base"
    glueless.generate_stedi(str(base), customers=150, seed=43)
    replicas = tmp_path / "replicas"
    glueless.replicate_stedi(str(base), str(replicas), 2)
    lakes = {engine: tmp_path / engine for engine in ("local", "spark")}
    catalogs = {engine: tmp_path / f"catalog-{engine}" for engine in lakes}
    for batch in range(2):
        for lake in lakes.values():
            land_batch(replicas, batch, lake)
            (lake / "customer" / "landing" / f"broken-{batch}.json").write_text("{not json\n")
        if batch == 0:
            run_both(spark, lakes, format=fmt, catalogs=catalogs)
        else:
            run_both(spark, lakes, incremental=True, catalogs=catalogs)
        with catalog_of("spark", catalogs):
            for zone, name in CATALOG_NAMES.items():
                expected = rows(glueless.read_parquet(lakes["spark"] / zone), lakes["spark"])
                assert rows(own_reader(fmt, lakes["spark"] / zone, catalogs["spark"], name), lakes["spark"]) == expected
    marker = "_delta_log" if fmt == "delta" else "metadata"
    assert all((lake / zone / marker).is_dir() for lake in lakes.values() for zone in ZONES)
    curated = lakes["spark"] / "step_trainer" / "curated"
    if fmt == "delta":
        from deltalake import DeltaTable

        assert DeltaTable(str(curated)).version() == 1  # one commit per run
        assert len(DeltaTable(str(lakes["spark"] / "accelerometer" / "trusted")).history()) == 2
    else:
        assert len(list((curated / "metadata").glob("*.metadata.json"))) >= 2
        assert not list(curated.glob("*.parquet"))  # the files are in the table's data folder


def own_reader(fmt: str, table: Path, catalog: Path, name: str) -> Any:
    """A zone's current snapshot as the format's own library reads it."""
    if fmt == "delta":
        from deltalake import DeltaTable

        return DeltaTable(str(table)).to_pyarrow_table()
    from pyiceberg.catalog.sql import SqlCatalog

    iceberg = SqlCatalog("glueless", uri=f"sqlite:///{catalog / 'iceberg.db'}")
    return iceberg.load_table(f"stedi.{name}").scan().to_arrow()
