"""Shared fixtures: the real STEDI data (when ../shared exists), generated lakes, driver runs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Iterator

import pytest

REPO = Path(__file__).resolve().parent.parent
SCRIPTS = REPO / "scripts"
SHARED_LANDING = REPO.parent / "shared" / "data" / "stedi" / "landing"


@pytest.fixture(scope="session")
def real_landing() -> Path:
    """The real STEDI landing data; tests that need it skip where ../shared is not checked out."""
    if not SHARED_LANDING.is_dir():
        pytest.skip(f"real STEDI data not found at {SHARED_LANDING} (../shared is not checked out)")
    return SHARED_LANDING


@pytest.fixture()
def real_lake(tmp_path: Path, real_landing: Path) -> Path:
    """A lake whose landing zones link to the real data (never copied into the project)."""
    lake = tmp_path / "lake"
    for table in ("customer", "accelerometer", "step_trainer"):
        (lake / table).mkdir(parents=True)
        (lake / table / "landing").symlink_to(real_landing / table)
    return lake


@pytest.fixture()
def demo_lake(tmp_path: Path) -> Path:
    """A small generated lake (deterministic)."""
    import glueless

    lake = tmp_path / "lake"
    glueless.generate_stedi(str(lake), customers=400, seed=7)
    return lake


@pytest.fixture(scope="session")
def spark(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    """One PySpark session for the suite (local, 4 partitions; Java 17 must be installed)."""
    from pyspark.sql import SparkSession

    # Workers run this interpreter (with glueless), whatever python3 is first on PATH.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    session = (
        SparkSession.builder.master("local[4]")
        .appName("glueless-tests")
        .config("spark.sql.session.timeZone", "UTC")
        # Databases a test creates go to a temporary folder, not ./spark-warehouse.
        .config("spark.sql.warehouse.dir", str(tmp_path_factory.mktemp("spark-warehouse")))
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.default.parallelism", "4")
        .config("spark.ui.enabled", "false")

        .config("spark.sql.streaming.forceDeleteTempCheckpointLocation", "true")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def run_script(name: str, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run a driver from scripts/ as a user would, capturing its output."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, str(SCRIPTS / name), *args],
        capture_output=True,
        text=True,
        env=full_env,
        timeout=300,
    )


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run the ``glueless`` command (as ``python -m glueless.cli``)."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "glueless.cli", *args], capture_output=True, text=True, env=full_env, timeout=300
    )


def _failpoints_built() -> bool:
    from glueless import _glueless

    return bool(getattr(_glueless, "_failpoints", False))


#: Tests that abort or pause a run with GLUELESS_FAILPOINT need a build with the `failpoints`
#: feature (.ci/run builds one); the build users install ignores the variable.
needs_failpoints = pytest.mark.skipif(
    not _failpoints_built(),
    reason="glueless was built without the failpoints feature "
    "(MATURIN_PEP517_ARGS='--features python,failpoints' pip install '.[test]')",
)


#: Counts of what the reliability tests tried (kills survived, faults injected, inputs checked);
#: written to $GLUELESS_RELIABILITY_LOG at the end of the session (scripts/reliability.py).
RELIABILITY: Counter[str] = Counter()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    path = os.environ.get("GLUELESS_RELIABILITY_LOG")
    if path:
        Path(path).write_text(json.dumps(dict(RELIABILITY), indent=2))
