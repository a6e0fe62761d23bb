"""Spark's own SQL golden tests (branch-3.5 `sql-tests`) through `scripts/spark_sql_golden.py`:
every query glueless passed when `tests/spark_sql_golden_passing.txt` was written must still pass.

Spark's files are not part of this project (they are Spark's); the test runs where they are at
hand: `GLUELESS_SPARK_SQL_TESTS`, or `../spark-sql-tests/sql-tests` beside the checkout."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TESTS = Path(os.environ.get("GLUELESS_SPARK_SQL_TESTS", ROOT.parent / "spark-sql-tests" / "sql-tests"))


@pytest.mark.skipif(
    not (TESTS / "results").is_dir(),
    reason=f"Spark's SQL golden files are not at {TESTS} (set GLUELESS_SPARK_SQL_TESTS to a branch-3.5 sql-tests folder)",
)
def test_known_golden_passes_still_pass() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "spark_sql_golden.py"), "--tests", str(TESTS), "--check"],
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]


def test_known_passes_name_queries_of_the_chosen_files() -> None:
    sys.path.insert(0, str(ROOT / "scripts"))
    import spark_sql_golden

    known = spark_sql_golden.read_known(spark_sql_golden.KNOWN_PASSING)
    assert known, "the list of known passes is empty"
    files = {ident.rsplit(":", 2)[0] for ident in known}
    assert files <= set(spark_sql_golden.FILES)
