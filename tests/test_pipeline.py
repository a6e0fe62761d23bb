"""The whole STEDI pipeline: exact counts on the real data, the same rows as DuckDB running the
same SQL, each driver alone, and the run summary."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest

import glueless
from conftest import run_cli, run_script
from stedi_sql import row_multiset, stedi_tables

EXPECTED_REAL = {
    False: {
        "customer/trusted": 482,
        "accelerometer/trusted": 40_981,
        "customer/curated": 482,
        "step_trainer/trusted": 14_460,
        "step_trainer/curated": 43_681,
    },
    True: {
        "customer/trusted": 482,
        "accelerometer/trusted": 32_025,
        "customer/curated": 464,
        "step_trainer/trusted": 13_920,
        "step_trainer/curated": 32_025,
    },
}


def read_zone(lake: Path, zone: str):
    return pq.read_table(lake / zone)


def assert_same_as_duckdb(lake: Path, strict: bool) -> None:
    expected = stedi_tables(lake, strict)
    for zone, theirs in expected.items():
        ours = read_zone(lake, zone)
        assert ours.column_names == theirs.column_names, zone
        assert row_multiset(ours) == row_multiset(theirs), zone


@pytest.mark.parametrize("strict", [False, True], ids=["default", "strict"])
def test_real_data_exact_counts_and_duckdb_rows(real_lake: Path, strict: bool, tmp_path: Path) -> None:
    summary_file = tmp_path / "run.json"
    args = ["stedi", "run", "--lake", str(real_lake), "--summary-json", str(summary_file)]
    done = run_cli(*args, *(["--strict"] if strict else []))
    assert done.returncode == 0, done.stderr
    run = json.loads(summary_file.read_text())
    assert run["balanced"]
    for zone, rows in EXPECTED_REAL[strict].items():
        assert run["zones"][zone] == rows, zone
        assert read_zone(real_lake, zone).num_rows == rows, zone
    assert run["zones"]["customer/landing"] == 956
    assert f"step_trainer/curated   {EXPECTED_REAL[strict]['step_trainer/curated']:,}" in done.stdout
    assert_same_as_duckdb(real_lake, strict)


@pytest.mark.parametrize("strict", [False, True], ids=["default", "strict"])
def test_generated_lake_same_rows_as_duckdb(demo_lake: Path, strict: bool) -> None:
    run = glueless.run_stedi(str(demo_lake), strict=strict)
    assert run["balanced"]
    assert_same_as_duckdb(demo_lake, strict)
    # The generator reuses serial numbers and repeats readings: the tables must still agree.
    assert run["zones"]["step_trainer/curated"] > 0


def test_each_driver_runs_alone_in_order(demo_lake: Path) -> None:
    for job in glueless.STEDI_JOBS:
        done = run_script(f"{job}.py", "--lake", str(demo_lake), "--JOB_NAME", job)
        assert done.returncode == 0, (job, done.stderr)
        assert done.stdout.startswith(f"{job}: ")
    ml = read_zone(demo_lake, "step_trainer/curated")
    assert ml.column_names == ["sensorReadingTime", "serialNumber", "distanceFromObject", "x", "y", "z"]


def test_a_missing_input_table_names_the_job_to_run_first(demo_lake: Path) -> None:
    done = run_script("customer_trusted_to_curated.py", "--lake", str(demo_lake))
    assert done.returncode == 1
    assert "customer/trusted" in done.stderr and "run customer_landing_to_trusted first" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    with pytest.raises(glueless.MissingInputError):
        glueless.run_job("machine_learning_curated", str(demo_lake))


def test_empty_inputs_give_empty_typed_outputs(tmp_path: Path) -> None:
    lake = tmp_path / "lake"
    for table in ("customer", "accelerometer", "step_trainer"):
        (lake / table / "landing").mkdir(parents=True)
    run = glueless.run_stedi(str(lake), strict=True)
    assert all(count == 0 for count in run["zones"].values())
    assert read_zone(lake, "accelerometer/trusted").schema.names == ["user", "timestamp", "x", "y", "z"]
    assert read_zone(lake, "step_trainer/curated").schema.field("x").type == "double"


def test_null_keys_are_filtered_counted_and_never_joined(tmp_path: Path) -> None:
    lake = tmp_path / "lake"
    files = {
        "customer": [
            {"email": "a@x", "serialNumber": "s1", "shareWithResearchAsOfDate": 10},
            {"email": None, "serialNumber": None, "shareWithResearchAsOfDate": 10},
        ],
        "accelerometer": [
            {"user": "a@x", "timestamp": 100, "x": 1, "y": 0, "z": 0},
            {"user": None, "timestamp": 100, "x": 0, "y": 0, "z": 0},
            {"user": "a@x", "timestamp": None, "x": 0, "y": 1, "z": 0},
        ],
        "step_trainer": [
            {"sensorReadingTime": 100, "serialNumber": "s1", "distanceFromObject": 5},
            {"sensorReadingTime": 100, "serialNumber": None, "distanceFromObject": 6},
            {"sensorReadingTime": None, "serialNumber": "s1", "distanceFromObject": 7},
        ],
    }
    for table, rows in files.items():
        (lake / table / "landing").mkdir(parents=True)
        (lake / table / "landing" / "data.json").write_text("\n".join(json.dumps(r) for r in rows))
    run = glueless.run_stedi(str(lake))
    jobs = {j["job"]: j for j in run["jobs"]}
    assert jobs["accelerometer_landing_to_trusted"]["filtered"]["null user"] == 1
    assert jobs["customer_trusted_to_curated"]["filtered"]["null email"] == 1
    assert jobs["step_trainer_trusted"]["filtered"]["null serialNumber"] == 1
    assert jobs["machine_learning_curated"]["filtered"]["null time or serialNumber"] == 1
    ml = read_zone(lake, "step_trainer/curated").to_pylist()
    # The null-time step reading joins nothing; the null-user reading never reached trusted.
    assert [r["distanceFromObject"] for r in ml] == [5]
    assert run["balanced"]


def test_summary_json_and_html_report(demo_lake: Path, tmp_path: Path) -> None:
    report = tmp_path / "run.html"
    done = run_cli("stedi", "run", "--lake", str(demo_lake), "--report", str(report), "--quiet")
    assert done.returncode == 0 and done.stdout == "", done.stderr
    page = report.read_text()
    assert "<svg" in page and "step_trainer/curated" in page
    assert "http" not in page.replace('xmlns="http://www.w3.org/2000/svg"', ""), "self-contained: no network"


def test_demo_generates_a_missing_lake_once_then_runs_on_it(tmp_path: Path) -> None:
    lake = tmp_path / "lake"
    first = run_cli("stedi", "run", "--demo", "--lake", str(lake))
    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith(f"--demo: no landing data under {lake}, so generated a demo lake there: 1,000 customers")
    assert "customer/landing        1,000" in first.stdout and "step_trainer/curated" in first.stdout
    again = run_cli("stedi", "run", "--demo", "--lake", str(lake))
    assert again.returncode == 0, again.stderr
    assert again.stdout.startswith(f"--demo: {lake} already holds landing data; running on it as it is")
    assert first.stdout.rsplit("\n\n", 1)[1] == again.stdout.rsplit("\n\n", 1)[1], "the same zone counts"
