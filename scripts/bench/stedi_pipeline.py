#!/usr/bin/env python3
"""Benchmark: the whole STEDI pipeline (5 jobs, NDJSON landing → Parquet) with glueless, DuckDB and
Polars side by side, in one run, on r-fold replicas of the real STEDI data.

Each engine runs as its own process (whole-process wall time, as a user would see it, including
start-up); its CPU time (user + system) and peak memory are read from the kernel (wait4's rusage).
The output row counts of every engine are compared, so a fast wrong answer cannot pass unnoticed.

    python scripts/bench/stedi_pipeline.py --scales 1,10,100 --repeat 3

glueless must be installed in release mode (`pip install .`); duckdb, polars and pyspark come with
the test extras. For pyspark (`--engines glueless,pyspark --scales 1`) the CPU time and memory are
the Python driver's only (the JVM is its child, not counted); its wall time is the whole run.
Needs ../shared/data/stedi/landing (the real data, never copied into the project).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pyarrow.parquet as pq
from benchlib import REAL, ready_to_measure

HERE = Path(__file__).resolve().parent
OUTPUTS = {
    "customer/trusted": "customer_trusted",
    "accelerometer/trusted": "accelerometer_trusted",
    "customer/curated": "customer_curated",
    "step_trainer/trusted": "step_trainer_trusted",
    "step_trainer/curated": "machine_learning_curated",
}


def run_measured(cmd: list[str]) -> tuple[float, float, float]:
    """Wall seconds, peak RSS (MiB) and CPU seconds (user + system) of one process."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        err = proc.stderr.read().decode() if proc.stderr else ""
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}): {err.strip()}")
    return wall, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime


def engines(lake: Path, out: Path) -> dict[str, list[str]]:
    py = sys.executable
    return {
        "glueless": [py, "-m", "glueless.cli", "stedi", "run", "--lake", str(lake), "--quiet"],
        "duckdb": [py, str(HERE / "peers" / "duckdb_stedi.py"), str(lake), str(out / "duckdb")],
        "polars": [py, str(HERE / "peers" / "polars_stedi.py"), str(lake), str(out / "polars")],
        "pyspark": [py, str(HERE / "peers" / "pyspark_stedi.py"), str(lake), str(out / "pyspark")],
    }


def counts(engine: str, lake: Path, out: Path) -> dict[str, int]:
    if engine == "glueless":
        return {zone: sum(pq.read_metadata(f).num_rows for f in (lake / zone).glob("*.parquet")) for zone in OUTPUTS}
    return {zone: parquet_rows(out / engine / f"{name}.parquet") for zone, name in OUTPUTS.items()}


def parquet_rows(path: Path) -> int:
    """Rows of a Parquet file, or of the part files of a Parquet folder (Spark writes folders)."""
    files = sorted(path.glob("*.parquet")) if path.is_dir() else [path]
    return sum(pq.read_metadata(f).num_rows for f in files)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", default="1,10,100", help="comma-separated replica counts of the real data")
    parser.add_argument("--repeat", type=int, default=3, help="runs per engine and scale (the median is shown)")
    parser.add_argument("--engines", default="glueless,duckdb,polars", help="any of glueless,duckdb,polars,pyspark")
    parser.add_argument("--workdir", default=None, help="where to put the generated lakes (default: a temp dir)")
    args = parser.parse_args()
    if not ready_to_measure():
        return 0
    import glueless

    chosen = args.engines.split(",")
    work = Path(args.workdir or tempfile.mkdtemp(prefix="glueless-bench-"))
    print(f"STEDI pipeline benchmark, {os.cpu_count()} cores, median of {args.repeat}, whole process\n")
    header = f"{'scale':>6} {'input':>9}  " + "  ".join(
        f"{e + ' s':>12} {e + ' cpu s':>14} {e + ' MiB':>13}" for e in chosen
    )
    ratio_header = "  ".join(f"{e + '/glueless':>16}" for e in chosen if e != "glueless")
    print(header + "   " + ratio_header)
    try:
        for scale in (int(s) for s in args.scales.split(",")):
            lake = work / f"lake-{scale}x"
            out = work / f"out-{scale}x"
            shutil.rmtree(lake, ignore_errors=True)
            made = glueless.replicate_stedi(str(REAL), str(lake), scale)
            results: dict[str, tuple[float, float, float]] = {}
            seen: dict[str, dict[str, int]] = {}
            for engine in chosen:
                (out / engine).mkdir(parents=True, exist_ok=True)
            # Engines take turns, so a slow spell of this noisy machine hits them alike.
            runs: dict[str, list[tuple[float, float, float]]] = {engine: [] for engine in chosen}
            for _ in range(args.repeat):
                for engine in chosen:
                    runs[engine].append(run_measured(engines(lake, out)[engine]))
            for engine in chosen:
                results[engine] = tuple(statistics.median(r[i] for r in runs[engine]) for i in range(3))  # type: ignore[assignment]
                seen[engine] = counts(engine, lake, out)
            cells = "  ".join(f"{results[e][0]:>12.3f} {results[e][2]:>14.2f} {results[e][1]:>13.0f}" for e in chosen)
            ratios = "  ".join(
                f"{results[e][0] / results['glueless'][0]:>7.1f}x {results[e][1] / results['glueless'][1]:>6.1f}xM"
                for e in chosen
                if e != "glueless" and "glueless" in results
            )
            print(f"{scale:>5}x {made['bytes'] / 1e6:>7.0f}MB  {cells}   {ratios}")
            reference = next(iter(seen.values()))
            for engine, got in seen.items():
                if got != reference:
                    print(f"  WARNING: {engine} wrote other row counts: {got} vs {reference}")
            shutil.rmtree(lake, ignore_errors=True)
            shutil.rmtree(out, ignore_errors=True)
    finally:
        if not args.workdir:
            shutil.rmtree(work, ignore_errors=True)
    print("\nratios: peer time / glueless time (x) and peer peak memory / glueless peak memory (xM)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
