"""The type stubs match the compiled module (mypy.stubtest, as pydantic-core does)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def test_stubs_match_the_binary() -> None:
    allowlist = Path(__file__).with_name("stubtest_allowlist.txt")
    done = subprocess.run(
        [sys.executable, "-m", "mypy.stubtest", "glueless._glueless", "--allowlist", str(allowlist)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_python_package_type_checks_against_the_stubs() -> None:
    package = Path(__file__).resolve().parent.parent / "python" / "glueless"
    done = subprocess.run(
        [sys.executable, "-m", "mypy", str(package), "--ignore-missing-imports", "--no-incremental"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
