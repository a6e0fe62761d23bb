"""The gold stream into an Iceberg or Delta table: each micro-batch is one append snapshot with
its batch id, the rows are the Parquet sink's, and a kill at any step of any batch — the table's
commit included — resumes to the same rows, none twice (the batch id in the table makes a replayed
batch a no-op)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import glueless
from conftest import RELIABILITY, needs_failpoints, run_script
from glueless import stream
from test_gold_stream import SCRIPT, args, gold_rows
from test_s3 import bucket, rows, s3, s3_env  # noqa: F401 - fixtures

pytest.importorskip("deltalake")
pytest.importorskip("pyiceberg")

FORMATS = ["iceberg", "delta"]

#: A short window and watermark, so most micro-batches emit rows (and commit a snapshot).
QUERY = ("--window", "5 seconds", "--watermark", "1 second")


@pytest.fixture()
def silver(tmp_path: Path) -> Path:
    folder = tmp_path / "silver"
    stream.generate_silver(str(folder), files=4, rows_per_file=300, seed=3)
    return folder


@pytest.fixture(autouse=True)
def catalog(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "catalog"
    monkeypatch.setenv("GLUELESS_CATALOG", str(folder))
    return folder


def gold_folder(tmp_path: Path, run: str) -> Path:
    """``<run>/gold/fact_review``: the table ``gold.fact_review``, as in the lake's layout."""
    return tmp_path / run / "gold" / "fact_review"


def iceberg_table(catalog: Path) -> Any:
    from pyiceberg.catalog.sql import SqlCatalog

    return SqlCatalog("glueless", uri=f"sqlite:///{catalog / 'iceberg.db'}").load_table("gold.fact_review")


def table_rows(fmt: str, gold: Path, catalog: Path) -> list[tuple]:
    """The gold table's rows as the format's own reader sees its current snapshot."""
    if fmt == "delta":
        from deltalake import DeltaTable

        return rows(DeltaTable(str(gold)).to_pyarrow_table())
    return rows(iceberg_table(catalog).scan().to_arrow())


def snapshots(fmt: str, gold: Path, catalog: Path) -> list[dict[str, Any]]:
    """Each commit's glueless properties, oldest first."""
    import json

    if fmt == "delta":
        from deltalake import DeltaTable

        history = reversed(DeltaTable(str(gold)).history())
        return [json.loads(h["glueless.properties"]) for h in history]
    return [json.loads(s.summary["glueless.properties"]) for s in iceberg_table(catalog).snapshots()]


@pytest.fixture()
def expected(silver: Path, tmp_path: Path) -> tuple[list[tuple], list[int]]:
    """The Parquet sink's gold rows for the same silver files, and the batches that wrote them."""
    gold = tmp_path / "parquet-gold"
    done = run_script(SCRIPT, *args(silver, gold, tmp_path / "parquet-cp", *QUERY))
    assert done.returncode == 0, done.stderr
    found = gold_rows(gold)
    assert found
    return found, sorted(int(f.stem.split("-")[1]) for f in gold.glob("batch-*.parquet"))


@pytest.mark.parametrize("fmt", FORMATS)
def test_each_batch_is_one_append_snapshot_with_the_parquet_sinks_rows(
    fmt: str, silver: Path, tmp_path: Path, catalog: Path, expected: tuple[list[tuple], list[int]]
) -> None:
    gold = gold_folder(tmp_path, "run")
    done = run_script(SCRIPT, *args(silver, gold, tmp_path / "cp", *QUERY), "--format", fmt)
    assert done.returncode == 0, done.stderr
    assert table_rows(fmt, gold, catalog) == expected[0]
    batches = [s["stream_batch"] for s in snapshots(fmt, gold, catalog)]
    assert batches == expected[1], "one snapshot per batch that emitted rows, as the Parquet sink's files"
    again = run_script(SCRIPT, *args(silver, gold, tmp_path / "cp", *QUERY), "--format", fmt)
    assert again.returncode == 0 and "0 batches" in again.stdout, again.stdout
    assert [s["stream_batch"] for s in snapshots(fmt, gold, catalog)] == batches


@needs_failpoints
@pytest.mark.parametrize("fmt", FORMATS)
# The points where a table sink differs from the Parquet one: its file written but not committed,
# the table committed but not the checkpoint (the replay case), both committed. The earlier
# points precede the sink and are the Parquet matrix's (test_gold_stream.py).
@pytest.mark.parametrize("point", ["stream.after_output", "commit.after_swap", "stream.after_commit"])
def test_killed_at_every_step_the_table_gets_every_batch_once(
    fmt: str, point: str, silver: Path, tmp_path: Path, catalog: Path, expected: tuple[list[tuple], list[int]]
) -> None:
    gold, cp = gold_folder(tmp_path, "run"), tmp_path / "cp"
    kills = 0
    for _ in range(10):
        crashed = run_script(SCRIPT, *args(silver, gold, cp, *QUERY), "--format", fmt, env={"GLUELESS_FAILPOINT": point})
        if crashed.returncode == 0:
            break
        assert crashed.returncode < 0, crashed.stderr
        kills += 1
    assert kills >= 3, f"the process was killed at {point} in {kills} batches"
    finished = run_script(SCRIPT, *args(silver, gold, cp, *QUERY), "--format", fmt)
    assert finished.returncode == 0, finished.stderr
    assert table_rows(fmt, gold, catalog) == expected[0], "no group lost, none appended twice"
    assert [s["stream_batch"] for s in snapshots(fmt, gold, catalog)] == expected[1], "each batch committed once"
    assert len(expected[1]) >= 3
    RELIABILITY[f"gold stream into {fmt} killed inside a micro-batch (then resumed to the same rows)"] += kills


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_gold_table_on_s3_is_registered_in_glue(
    fmt: str, silver: Path, tmp_path: Path, expected: tuple[list[tuple], list[int]],
    s3, bucket: str, s3_env: dict[str, str], monkeypatch: pytest.MonkeyPatch,  # noqa: F811
) -> None:
    monkeypatch.setenv("GLUELESS_CATALOG", "glue")
    glue = s3.client("glue")
    try:
        glue.delete_table(DatabaseName="gold", Name="fact_review")
    except glue.exceptions.EntityNotFoundException:
        pass
    client = s3.client()
    # In name order: the stream takes files by (modified time, name), and S3's times are coarse,
    # so only this order gives the local run's batches whatever second each upload lands in.
    for f in sorted(silver.iterdir()):
        client.upload_file(str(f), bucket, f"silver/reviews/{f.name}")
    gold = f"s3://{bucket}/gold/fact_review"
    done = run_script(
        SCRIPT, "--silver", f"s3://{bucket}/silver/reviews", "--gold", gold, "--checkpoint", str(tmp_path / "cp"),
        "--max-files-per-trigger", "1", *QUERY, "--format", fmt, "--catalog", "glue", env=s3_env,
    )
    assert done.returncode == 0, done.stderr
    entry = glue.get_table(DatabaseName="gold", Name="fact_review")["Table"]
    assert entry["StorageDescriptor"]["Location"].rstrip("/") == gold
    assert entry["Parameters"]["table_type"] == fmt.upper()
    import pyarrow.parquet as pq

    parquet_columns = pq.read_schema(next((tmp_path / "parquet-gold").glob("batch-*.parquet"))).names
    assert [c["Name"] for c in entry["StorageDescriptor"]["Columns"]] == parquet_columns
    assert rows(glueless.read_parquet(gold)) == expected[0]


def test_a_table_sink_over_the_parquet_sinks_folder_is_one_line(silver: Path, tmp_path: Path) -> None:
    gold = gold_folder(tmp_path, "run")
    assert run_script(SCRIPT, *args(silver, gold, tmp_path / "cp", *QUERY)).returncode == 0
    done = run_script(SCRIPT, *args(silver, gold, tmp_path / "cp2", *QUERY), "--format", "delta")
    assert done.returncode == 1 and "holds a parquet table" in done.stderr, done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and not (gold / "_delta_log").exists()
