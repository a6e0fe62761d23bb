"""GLUELESS_MEMORY_LIMIT: a query's DISTINCT, grouping and sort spill to disk under the limit and
give the same answer; a join whose build side outgrows it fails with one line and exit status 1, never the
OOM killer; a setting that is not a size is one line too. Each run is its own process (the limit
is read once per process)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = """\
import sys
from pyspark.sql import SparkSession
spark = SparkSession.builder.getOrCreate()
spark.range(int(sys.argv[1])).createOrReplaceTempView("t")
print(spark.sql("SELECT count(*) AS n, sum(k) AS s FROM "
                "(SELECT DISTINCT id % 10000003 AS k, CAST(id AS STRING) AS s FROM t)").collect())
print(spark.sql("SELECT s FROM (SELECT CAST(id AS STRING) AS s FROM t) ORDER BY s DESC LIMIT 3").collect())
print(spark.sql("SELECT k, count(*) AS n FROM (SELECT id % 7 AS k FROM t) GROUP BY k ORDER BY k").collect())
if len(sys.argv) > 2:
    print(spark.sql("SELECT count(*) FROM t a JOIN (SELECT id AS k, repeat('x', 50) AS pad FROM t) b "
                    "ON a.id = b.k").collect())
"""

ROWS = "6000000"


def _submit(tmp_path: Path, limit: str, *args: str) -> subprocess.CompletedProcess[str]:
    script = tmp_path / "grouping.py"
    script.write_text(SCRIPT)
    env = {**os.environ, "GLUELESS_MEMORY_LIMIT": limit}
    return subprocess.run(
        [sys.executable, "-m", "glueless.cli", "submit", "--quiet", str(script), ROWS, *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        cwd=tmp_path,
        check=False,
    )


@pytest.fixture(scope="module")
def unlimited(tmp_path_factory: pytest.TempPathFactory) -> str:
    done = _submit(tmp_path_factory.mktemp("unlimited"), "off")
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_grouping_and_sort_spill_under_the_limit_with_the_same_answer(tmp_path: Path, unlimited: str) -> None:
    # The DISTINCT's 6 M keys and strings take some 300 MiB in memory: under 64 MiB it spills.
    done = _submit(tmp_path, "64M")
    assert done.returncode == 0, done.stderr
    assert done.stdout == unlimited
    assert "Row(n=6000000" in unlimited


def test_a_join_build_side_past_the_limit_is_one_line_and_exit_1(tmp_path: Path) -> None:
    done = _submit(tmp_path, "64M", "join")
    assert done.returncode == 1
    lines = [line for line in done.stderr.splitlines() if line.strip() and not line.startswith("glueless: ")]
    assert len(lines) == 1, done.stderr
    assert (
        "MemoryLimitError: the query needs more memory than GLUELESS_MEMORY_LIMIT (64M) allows (a join's build side"
        in lines[0]
    )
    assert "grouping.py:" in lines[0]
    assert "Traceback" not in done.stderr


def test_a_limit_that_is_not_a_size_or_too_small_is_one_line(tmp_path: Path) -> None:
    done = _submit(tmp_path, "twelve")
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        'glueless submit: GLUELESS_MEMORY_LIMIT="twelve" is not a size: write bytes or a number with K, M, G or T '
        "(8G, 512M), or off"
    ]
    done = _submit(tmp_path, "8M")
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        'glueless submit: GLUELESS_MEMORY_LIMIT="8M" is below glueless\'s minimum of 64M'
    ]
