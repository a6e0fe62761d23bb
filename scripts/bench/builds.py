#!/usr/bin/env python3
"""Benchmark: two or more builds of glueless (each installed in its own Python environment) on the
same STEDI pipeline, taking turns: to tell whether a build setting (a Cargo profile, a feature)
changes the speed. Whole process, wall and CPU time and peak RSS from the kernel, median of
--repeat runs; the zone row counts of every build are checked equal.

    python scripts/bench/builds.py --python /tmp/venvA/bin/python --python /tmp/venvB/bin/python \\
        --scale 100 --repeat 5

Needs ../shared/data/stedi/landing (the real data, replicated --scale times; never copied into the
project).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchlib import REAL, ready_to_measure


def run_once(python: str, lake: Path, summary: Path) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds and peak RSS (MiB) of one pipeline run with `python`'s glueless."""
    started = time.perf_counter()
    proc = subprocess.Popen(
        [python, "-m", "glueless.cli", "stedi", "run", "--lake", str(lake), "--quiet", "--summary-json", str(summary)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{python}: the pipeline failed: {proc.stderr.read().decode().strip() if proc.stderr else ''}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--python", action="append", required=True, help="an interpreter with a glueless build")
    parser.add_argument("--scale", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    if not ready_to_measure():
        return 0
    import glueless

    with tempfile.TemporaryDirectory(prefix="glueless-builds-") as tmp:
        lake = Path(tmp) / "lake"
        made = glueless.replicate_stedi(str(REAL), str(lake), args.scale)
        runs: dict[str, list[tuple[float, float, float]]] = {p: [] for p in args.python}
        zones: dict[str, dict[str, int]] = {}
        for _ in range(args.repeat):
            for python in args.python:  # builds take turns: a slow spell of the machine hits all alike
                summary = Path(tmp) / "summary.json"
                runs[python].append(run_once(python, lake, summary))
                zones[python] = json.loads(summary.read_text())["zones"]
        print(f"STEDI pipeline at {args.scale}x ({made['bytes'] / 1e6:,.0f} MB), median of {args.repeat}\n")
        print("| build | wall | CPU | peak RSS |")
        print("|---|---|---|---|")
        for python, measured in runs.items():
            wall, cpu, rss = (statistics.median(m[i] for m in measured) for i in range(3))
            print(f"| {python} | {wall:.2f} s | {cpu:.2f} s | {rss:,.0f} MiB |")
        if len({json.dumps(z, sort_keys=True) for z in zones.values()}) != 1:
            print("WARNING: the builds wrote different row counts", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
