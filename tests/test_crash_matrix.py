"""Crash safety of the batch jobs: every job is killed at every step — while reading landing data,
after writing its files, before and after the commit — and by SIGKILL at random moments, on a
local lake and on an S3 lake. After each kill every table is readable and whole (the previous
output or the new one, never a mix), and a re-run gives what an uninterrupted run gives."""

from __future__ import annotations

import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import glueless
import s3server
from conftest import RELIABILITY, SCRIPTS, needs_failpoints, run_cli, run_script
from test_s3 import DRIVERS, bucket, rows, s3, s3_env  # noqa: F401 - fixtures

POINTS = ["input.read", "output.written", "commit.before_swap", "commit.after_swap"]
ZONES = ["customer/trusted", "customer/rejected", "accelerometer/trusted", "accelerometer/rejected",
         "customer/curated", "step_trainer/trusted", "step_trainer/rejected", "step_trainer/curated"]


def make_lakes(tmp_path: Path, customers: int) -> tuple[Path, Path, Path]:
    """A lake with its outputs written (old), extra landing files, and the outputs they give (new)."""
    lake = tmp_path / "lake"
    glueless.generate_stedi(str(lake), customers=customers, seed=1)
    assert run_cli("stedi", "run", "--lake", str(lake), "--quiet").returncode == 0
    extra = tmp_path / "extra"
    glueless.generate_stedi(str(extra), customers=customers // 3, seed=2)
    expected = tmp_path / "expected"
    shutil.copytree(lake, expected)
    for root in (expected,):
        for table in ("customer", "accelerometer", "step_trainer"):
            for f in (extra / table / "landing").iterdir():
                shutil.copy(f, root / table / "landing" / f"extra-{f.name}")
    assert run_cli("stedi", "run", "--lake", str(expected), "--quiet").returncode == 0
    return lake, extra, expected


@pytest.fixture()
def lakes(tmp_path: Path) -> tuple[Path, Path, Path]:
    return make_lakes(tmp_path, 200)


def snapshot(read, zones=ZONES) -> dict[str, list[tuple]]:
    return {zone: rows(read(zone)) for zone in zones}


def add_extra(extra: Path, put) -> None:
    for table in ("customer", "accelerometer", "step_trainer"):
        for f in (extra / table / "landing").iterdir():
            put(f, f"{table}/landing/extra-{f.name}")


def crash_and_check(url: str, env: dict[str, str], read, old: dict, new: dict, points=POINTS) -> int:
    kills = 0
    for driver in DRIVERS:
        for point in points:
            crashed = run_script(driver, "--lake", url, env={**env, "GLUELESS_FAILPOINT": point})
            assert crashed.returncode == -signal.SIGABRT, (driver, point, crashed.stderr)
            kills += 1
            for zone in ZONES:
                seen = rows(read(zone))
                assert seen in (old[zone], new[zone]), f"{zone} after a kill of {driver} at {point}"
        done = run_script(driver, "--lake", url, env=env)
        assert done.returncode == 0, done.stderr
    assert snapshot(read) == new
    return kills


@needs_failpoints
def test_kills_at_every_step_of_every_job_on_a_local_lake(lakes) -> None:
    lake, extra, expected = lakes
    read = lambda zone: glueless.read_parquet(lake / zone)  # noqa: E731
    old = snapshot(read)
    add_extra(extra, lambda f, key: shutil.copy(f, lake / key))
    new = snapshot(lambda zone: glueless.read_parquet(expected / zone))
    assert crash_and_check(str(lake), {}, read, old, new) == 20
    RELIABILITY["batch jobs killed at a failpoint, local lake (then checked and re-run)"] += 20
    assert not [p for p in lake.rglob("*staging*")], "no staging folder is left"


@needs_failpoints
def test_kills_at_every_step_of_every_job_on_an_s3_lake(
    lakes, s3: s3server.S3Server, bucket: str, s3_env: dict[str, str]  # noqa: F811
) -> None:
    lake, extra, expected = lakes
    client = s3.client()
    for table in ("customer", "accelerometer", "step_trainer"):
        for f in (lake / table / "landing").iterdir():
            client.upload_file(str(f), bucket, f"stedi/{table}/landing/{f.name}")
    url = f"s3://{bucket}/stedi"
    assert run_cli("stedi", "run", "--lake", url, "--quiet", env=s3_env).returncode == 0
    read = lambda zone: glueless.read_parquet(f"{url}/{zone}")  # noqa: E731
    old = snapshot(read)
    add_extra(extra, lambda f, key: client.upload_file(str(f), bucket, f"stedi/{key}"))
    new = snapshot(lambda zone: glueless.read_parquet(expected / zone))
    assert crash_and_check(url, s3_env, read, old, new) == 20
    RELIABILITY["batch jobs killed at a failpoint, S3 lake (then checked and re-run)"] += 20


def test_sigkill_at_random_moments(tmp_path: Path) -> None:
    import os

    # Large enough that a job runs for a while after the interpreter has started.
    lake, extra, expected = make_lakes(tmp_path, 6000)
    read = lambda zone: glueless.read_parquet(lake / zone)  # noqa: E731
    old = snapshot(read)
    add_extra(extra, lambda f, key: shutil.copy(f, lake / key))
    new = snapshot(lambda zone: glueless.read_parquet(expected / zone))
    rng = random.Random(7)
    kills = 0
    for driver in DRIVERS:
        started = time.perf_counter()
        timing = subprocess.run([sys.executable, str(SCRIPTS / driver), "--lake", str(expected), "--quiet"])
        duration = time.perf_counter() - started
        assert timing.returncode == 0
        for _ in range(3):
            process = subprocess.Popen([sys.executable, str(SCRIPTS / driver), "--lake", str(lake), "--quiet"],
                                       env=dict(os.environ))
            time.sleep(rng.uniform(0.3, 0.95) * duration)
            process.send_signal(signal.SIGKILL)
            process.wait()
            kills += process.returncode == -signal.SIGKILL
            for zone in ZONES:
                assert rows(read(zone)) in (old[zone], new[zone]), zone
        assert run_script(driver, "--lake", str(lake)).returncode == 0
    assert snapshot(read) == new
    assert kills >= 5, f"only {kills} runs were still going when killed"
    RELIABILITY["batch jobs killed by SIGKILL at a random moment"] += kills
