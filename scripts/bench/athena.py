"""Athena's queries on the STEDI lake: `glueless athena --lake` side by side with DuckDB over the
same files, whole process (start-up, reading, the query), after the drivers wrote every zone.

    python scripts/bench/athena.py --scale 100 --repeat 3

Two queries: the project's validation query (one count per zone in a UNION ALL: three NDJSON
landing tables and five Parquet zones) and a group-by over accelerometer_trusted. Both engines'
answers are checked equal before the times are shown.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchlib import REAL, ready_to_measure

HERE = Path(__file__).resolve().parent
ZONES = [
    "customer_landing",
    "accelerometer_landing",
    "step_trainer_landing",
    "customer_trusted",
    "accelerometer_trusted",
    "step_trainer_trusted",
    "customer_curated",
    "machine_learning_curated",
]
QUERIES = {
    "validation (8 counts)": " UNION ALL ".join(f"SELECT '{z}' AS zone, count(*) AS n FROM {z}" for z in ZONES)
    + " ORDER BY zone",
    "group-by accelerometer_trusted": "SELECT user, count(*) AS readings, round(avg(x), 6) AS mean_x "
    "FROM accelerometer_trusted GROUP BY user ORDER BY readings DESC, user LIMIT 10",
}


def measured(cmd: list[str]) -> tuple[float, float, str]:
    """Wall seconds, peak RSS (MiB) and stdout of one process."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out = proc.stdout.read() if proc.stdout else ""
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(cmd)} failed: {proc.stderr.read() if proc.stderr else ''}")
    return wall, usage.ru_maxrss / 1024, out


def answer(csv_text: str) -> list[list[str]]:
    """Rows of either engine's CSV (quotes removed; numbers compared as numbers)."""
    rows = []
    for line in csv_text.strip().splitlines()[1:]:
        cells = [c.strip('"') for c in line.split(",")]
        rows.append([str(float(c)) if c.replace(".", "", 1).lstrip("-").isdigit() else c for c in cells])
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=100, help="replicas of the real data")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    if not ready_to_measure():
        return
    py = sys.executable
    with tempfile.TemporaryDirectory(prefix="athena-bench-") as tmp:
        lake = Path(tmp) / "lake"
        subprocess.run(
            [py, "-m", "glueless.cli", "generate", "stedi", "--lake", str(lake), "--replicate-from", str(REAL),
             "--replicas", str(args.scale)],
            check=True, capture_output=True,
        )  # fmt: skip
        subprocess.run([py, "-m", "glueless.cli", "stedi", "run", "--lake", str(lake), "--quiet"], check=True)
        print(f"Athena queries on the STEDI lake at {args.scale}x, whole process, median of {args.repeat}:")
        for name, sql in QUERIES.items():
            commands = {
                "glueless": [py, "-m", "glueless.cli", "athena", "--lake", str(lake), "--output", "csv", sql],
                "duckdb": [py, str(HERE / "peers" / "duckdb_athena.py"), str(lake), sql],
            }
            runs: dict[str, list[tuple[float, float]]] = {engine: [] for engine in commands}
            answers = {}
            for _ in range(args.repeat):
                for engine, cmd in commands.items():
                    wall, peak, out = measured(cmd)
                    runs[engine].append((wall, peak))
                    answers[engine] = answer(out)
            if answers["glueless"] != answers["duckdb"]:
                raise SystemExit(f"{name}: the engines disagree:\n{answers}")
            times = {e: statistics.median(w for w, _ in r) for e, r in runs.items()}
            peaks = {e: statistics.median(p for _, p in r) for e, r in runs.items()}
            print(f"  {name}:")
            for engine in commands:
                spread = ", ".join(f"{w:.2f}" for w, _ in runs[engine])
                print(f"    {engine:<9} {times[engine]:6.2f} s ({spread})  {peaks[engine]:7.0f} MiB")
            print(f"    glueless / duckdb: {times['glueless'] / times['duckdb']:.2f}x time (target <= 1.5x)")


if __name__ == "__main__":
    main()
