"""Job bookmarks (`--incremental`): landing → trusted jobs take only the landing files their table's
bookmark does not name and append; three runs over growing landing data equal one full run, a kill
between writing and committing the bookmark (or just after) changes nothing, on a local and an S3
lake; a taken file that changed is refused."""

from __future__ import annotations

import shutil
import signal
from pathlib import Path
from typing import Callable

import pyarrow as pa
import pytest

import glueless
import s3server
from conftest import RELIABILITY, needs_failpoints, run_cli, run_script
from test_s3 import bucket, s3, s3_env  # noqa: F401 - fixtures

TABLES = ("customer", "accelerometer", "step_trainer")
ZONES = ["customer/trusted", "customer/rejected", "accelerometer/trusted", "accelerometer/rejected",
         "customer/curated", "step_trainer/trusted", "step_trainer/rejected", "step_trainer/curated"]
LANDING_DRIVERS = ["customer_landing_to_trusted.py", "accelerometer_landing_to_trusted.py", "step_trainer_trusted.py"]


@pytest.fixture(scope="module")
def groups(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Three batches of landing data as data grows: each brings new customers with their own
    readings (replicas of one generated lake: renamed customers and serial numbers, shifted times),
    and a few unreadable records."""
    base = tmp_path_factory.mktemp("base")
    glueless.generate_stedi(str(base), customers=150, seed=30)
    replicas = tmp_path_factory.mktemp("replicas")
    glueless.replicate_stedi(str(base), str(replicas), 3)
    out = []
    for g in range(3):
        lake = tmp_path_factory.mktemp(f"group{g}")
        for table in TABLES:
            (lake / table / "landing").mkdir(parents=True)
            for f in (replicas / table / "landing").glob(f"*-r{g:04}.json"):
                shutil.copy(f, lake / table / "landing" / f.name)
        bad = lake / "accelerometer" / "landing" / f"broken-{g}.json"
        bad.write_text('{"user": "x@y", "timestamp": "soon"}\n{not json\n')
        out.append(lake)
    return out


def add_group(group: Path, g: int, put: Callable[[Path, str], None]) -> int:
    files = 0
    for table in TABLES:
        for f in sorted((group / table / "landing").iterdir()):
            put(f, f"{table}/landing/{f.name}")
            files += 1
    return files


def local_put(lake: Path) -> Callable[[Path, str], None]:
    def put(f: Path, key: str) -> None:
        (lake / key).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(f, lake / key)
    return put


def snapshot(read: Callable[[str], object]) -> dict[str, list[tuple]]:
    """Every table's rows as a sorted list; quarantine rows name their file without its folder."""
    out = {}
    for zone in ZONES:
        rows = pa.table(read(zone)).to_pylist()
        if zone.endswith("/rejected"):
            for r in rows:
                r["source_file"] = r["source_file"].rsplit("/", 1)[-1]
        out[zone] = sorted(tuple(r.values()) for r in rows)
    return out


def full_run(tmp_path: Path, groups: list[Path], upto: int) -> dict[str, list[tuple]]:
    lake = tmp_path / f"full{upto}"
    for g in range(upto):
        add_group(groups[g], g, local_put(lake))
    assert run_cli("stedi", "run", "--lake", str(lake), "--quiet").returncode == 0
    return snapshot(lambda zone: glueless.read_parquet(lake / zone))


def test_three_incremental_runs_equal_one_full_run(tmp_path: Path, groups: list[Path]) -> None:
    lake = tmp_path / "lake"
    taken = 0
    for g in range(3):
        new_files = add_group(groups[g], g, local_put(lake))
        run = glueless.run_stedi(str(lake), incremental=True)
        assert run["balanced"]
        landing = [j for j in run["jobs"] if j["job"] in {"customer_landing_to_trusted",
                                                          "accelerometer_landing_to_trusted", "step_trainer_trusted"}]
        # The first run has no bookmark yet: a full run that writes one.
        assert [j["incremental"] for j in landing] == [g > 0] * 3
        assert sum(j["files_skipped"] for j in landing) == taken
        taken += new_files
        if g:
            accel = next(j for j in landing if j["job"] == "accelerometer_landing_to_trusted")
            assert accel["outputs"][0]["table_rows"] > accel["written"] > 0
            assert accel["quarantined"] == 2  # only this run's broken.json
    assert snapshot(lambda zone: glueless.read_parquet(lake / zone)) == full_run(tmp_path, groups, 3)

    # Nothing new: nothing read, nothing appended, the tables stay.
    before = snapshot(lambda zone: glueless.read_parquet(lake / zone))
    again = glueless.run_stedi(str(lake), incremental=True)
    assert [j["read"] for j in again["jobs"][:2]] == [0, 0]
    assert snapshot(lambda zone: glueless.read_parquet(lake / zone)) == before
    trusted = list((lake / "accelerometer" / "trusted").iterdir())
    assert "_glueless_commit.json" in {p.name for p in trusted}
    # DuckDB reads the appended table (several runs' files) as one table.
    import duckdb

    count = duckdb.sql(f"SELECT count(*) FROM '{lake}/accelerometer/trusted/*.parquet'").fetchall()
    assert count == [(len(before["accelerometer/trusted"]),)]


@needs_failpoints
@pytest.mark.parametrize("point", ["output.written#2", "commit.before_swap#2", "commit.after_swap#2"])
def test_a_kill_around_the_bookmark_commit_then_a_rerun_equals_a_full_run(
    tmp_path: Path, groups: list[Path], point: str
) -> None:
    """`#2`: each landing job commits its quarantine first, then the trusted table with its
    bookmark; the kill hits the second commit (files and bookmark staged, or just swapped in)."""
    lake = tmp_path / "lake"
    add_group(groups[0], 0, local_put(lake))
    assert run_cli("stedi", "run", "--lake", str(lake), "--incremental", "--quiet").returncode == 0
    add_group(groups[1], 1, local_put(lake))
    for driver in LANDING_DRIVERS:
        killed = run_script(driver, "--lake", str(lake), "--incremental", env={"GLUELESS_FAILPOINT": point})
        assert killed.returncode == -signal.SIGABRT, (driver, killed.stderr)
        RELIABILITY["incremental jobs killed around the bookmark commit (then re-run)"] += 1
        done = run_script(driver, "--lake", str(lake), "--incremental", "--quiet")
        assert done.returncode == 0, done.stderr
        if driver == "accelerometer_landing_to_trusted.py":
            assert run_script("customer_trusted_to_curated.py", "--lake", str(lake), "--quiet").returncode == 0
    assert run_script("machine_learning_curated.py", "--lake", str(lake), "--quiet").returncode == 0
    assert snapshot(lambda zone: glueless.read_parquet(lake / zone)) == full_run(tmp_path, groups, 2)


@needs_failpoints
def test_incremental_runs_on_s3_keep_the_bookmark_in_the_manifest(
    tmp_path: Path, groups: list[Path], s3: s3server.S3Server, bucket: str, s3_env: dict[str, str]  # noqa: F811
) -> None:
    client = s3.client()
    url = f"s3://{bucket}/bookmarks"

    def put(f: Path, key: str) -> None:
        client.upload_file(str(f), bucket, f"bookmarks/{key}")

    add_group(groups[0], 0, put)
    assert run_cli("stedi", "run", "--lake", url, "--incremental", "--quiet", env=s3_env).returncode == 0
    add_group(groups[1], 1, put)
    killed = run_script("accelerometer_landing_to_trusted.py", "--lake", url, "--incremental",
                        env={**s3_env, "GLUELESS_FAILPOINT": "commit.before_swap#2"})
    assert killed.returncode == -signal.SIGABRT, killed.stderr
    RELIABILITY["incremental jobs killed around the bookmark commit (then re-run)"] += 1
    assert run_cli("stedi", "run", "--lake", url, "--incremental", "--quiet", env=s3_env).returncode == 0
    add_group(groups[2], 2, put)
    done = run_cli("stedi", "run", "--lake", url, "--incremental", "--quiet", env=s3_env)
    assert done.returncode == 0, done.stderr
    got = snapshot(lambda zone: glueless.read_parquet(f"{url}/{zone}"))
    assert got == full_run(tmp_path, groups, 3)


def test_a_taken_landing_file_that_changed_is_refused(tmp_path: Path, groups: list[Path]) -> None:
    lake = tmp_path / "lake"
    add_group(groups[0], 0, local_put(lake))
    assert run_cli("stedi", "run", "--lake", str(lake), "--incremental", "--quiet").returncode == 0
    changed = next((lake / "customer" / "landing").iterdir())
    with changed.open("a") as f:
        f.write('{"email": "late@x.org", "shareWithResearchAsOfDate": 1}\n')
    done = run_script("customer_landing_to_trusted.py", "--lake", str(lake), "--incremental")
    assert done.returncode == 1
    line = done.stderr.strip()
    assert "\n" not in line and "changed since a run took it" in line and "without --incremental" in line, line
    # A full run takes it, and the Glue spelling of the flag works too.
    assert run_script("customer_landing_to_trusted.py", "--lake", str(lake), "--quiet").returncode == 0
    again = run_script("customer_landing_to_trusted.py", "--lake", str(lake),
                       "--job-bookmark-option", "job-bookmark-enable")
    assert again.returncode == 0, again.stderr
    assert "incremental: " in again.stdout and "skipped" in again.stdout, again.stdout
