#!/usr/bin/env python3
"""Run glueless's reliability checks and print what they tried: kills survived, faults injected,
corrupt inputs and secrets checked — the numbers in docs/reliability.md.

    python scripts/reliability.py              # the pytest checks (a few minutes)
    python scripts/reliability.py --fuzz 300   # and the landing fuzzer for 300 s (cargo fuzz)

Needs the test extras (pip install '.[test]'); the fuzzer also needs cargo (it installs cargo-fuzz).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CHECKS = [
    "tests/test_privacy_property.py",
    "tests/test_crash_matrix.py",
    "tests/test_bookmarks.py",
    "tests/test_gold_stream.py",
    "tests/test_storage_faults.py",
    "tests/test_concurrency.py",
    "tests/test_secrets.py",
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    parser.add_argument("--fuzz", type=int, default=0, metavar="SECONDS", help="also fuzz the landing decoder")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "reliability.json"
        env = {**os.environ, "GLUELESS_RELIABILITY_LOG": str(log)}
        # One process (-n 0 overrides the two workers of pyproject's addopts): the counts are kept
        # in the test process and written once at its end.
        done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-n", "0", *CHECKS], cwd=REPO, env=env)
        counts = json.loads(log.read_text()) if log.exists() else {}
    print(f"\n{'check':<78} {'count':>7}")
    for name, count in sorted(counts.items()):
        print(f"{name:<78} {count:>7,}")
    print(f"pytest: {'passed' if done.returncode == 0 else 'FAILED'}")
    if args.fuzz:
        fuzz = subprocess.run(
            ["bash", "scripts/fuzz_landing.sh", str(args.fuzz)], cwd=REPO, capture_output=True, text=True
        )
        text = (
            (REPO / "fuzz" / "last-run.log").read_text(errors="replace")
            if (REPO / "fuzz" / "last-run.log").exists()
            else ""
        )
        runs = re.findall(r"stat::number_of_executed_units:\s*(\d+)", text)
        rss = re.findall(r"stat::peak_rss_mb:\s*(\d+)", text)
        crashes = (
            len(list((REPO / "fuzz" / "artifacts" / "landing").glob("crash-*")))
            if (REPO / "fuzz" / "artifacts" / "landing").exists()
            else 0
        )
        print(
            f"fuzz: {int(runs[-1]) if runs else 0:,} inputs in {args.fuzz} s, peak RSS {rss[-1] if rss else '?'} MB,"
            f" {crashes} crashes (exit {fuzz.returncode})"
        )
        if fuzz.returncode != 0 and not runs:
            print(fuzz.stdout[-2000:] + fuzz.stderr[-2000:])
    return done.returncode


if __name__ == "__main__":
    sys.exit(main())
