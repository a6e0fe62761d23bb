"""What cannot run gets one clear line on stderr and a non-zero exit, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

import glueless
from conftest import run_cli, run_script

SCRIPT = "customer_landing_to_trusted.py"


def assert_one_line_error(done, *fragments: str) -> None:
    assert done.returncode == 1, (done.stdout, done.stderr)
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert "Traceback" not in done.stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


def test_missing_lake(tmp_path: Path) -> None:
    assert_one_line_error(run_script(SCRIPT, "--lake", str(tmp_path / "nope")), "lake not found", "nope")


def test_default_lake_comes_from_the_environment(tmp_path: Path) -> None:
    done = run_script(SCRIPT, env={"GLUELESS_LAKE": str(tmp_path / "from-env")})
    assert_one_line_error(done, "lake not found", "from-env")


def test_lake_without_landing_folder(tmp_path: Path) -> None:
    assert_one_line_error(run_script(SCRIPT, "--lake", str(tmp_path)), "landing folder not found", "customer/landing")


def test_bad_urls(tmp_path: Path) -> None:
    assert_one_line_error(run_script(SCRIPT, "--lake", "gs://bucket/x"), "unsupported scheme gs://")
    assert_one_line_error(run_script(SCRIPT, "--lake", "s3://"), "no bucket")


def test_unreadable_landing_file(tmp_path: Path) -> None:
    landing = tmp_path / "customer" / "landing"
    landing.mkdir(parents=True)
    (landing / "gone.json").symlink_to(tmp_path / "missing-target.json")
    assert_one_line_error(run_script(SCRIPT, "--lake", str(tmp_path)), "gone.json")
    assert not (tmp_path / "customer" / "trusted").exists(), "nothing written when input cannot be read"


def test_bad_command_line_is_a_usage_error() -> None:
    done = run_script(SCRIPT, "--no-such-flag")
    assert done.returncode == 2 and "unrecognized arguments" in done.stderr


def test_python_api_raises_the_glueless_hierarchy(tmp_path: Path) -> None:
    with pytest.raises(glueless.NotFoundError) as info:
        glueless.run_job("customer_landing_to_trusted", str(tmp_path / "nope"))
    assert isinstance(info.value, FileNotFoundError)
    with pytest.raises(glueless.InvalidArgumentError) as bad:
        glueless.run_job("no_such_job", str(tmp_path))
    assert isinstance(bad.value, ValueError) and "known jobs" in str(bad.value)
    with pytest.raises(ValueError):
        glueless.run_job("customer_landing_to_trusted", "ftp://x/y")


def test_generator_refuses_to_overwrite_landing_data(tmp_path: Path) -> None:
    lake = str(tmp_path / "lake")
    assert run_cli("generate", "stedi", "--lake", lake, "--customers", "10").returncode == 0
    assert_one_line_error(run_cli("generate", "stedi", "--lake", lake, "--customers", "10"), "overwrite")
    assert run_cli("generate", "stedi", "--lake", lake, "--customers", "10", "--overwrite").returncode == 0


def test_a_corrupt_input_table_is_one_line_naming_the_file(demo_lake: Path) -> None:
    trusted = demo_lake / "customer" / "trusted"
    trusted.mkdir(parents=True)
    (trusted / "part-00000.parquet").write_bytes(b"not parquet at all")
    done = run_script("accelerometer_landing_to_trusted.py", "--lake", str(demo_lake))
    assert_one_line_error(done, "part-00000.parquet")
    assert not (demo_lake / "accelerometer" / "trusted").exists(), "nothing written"
