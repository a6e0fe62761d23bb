#!/usr/bin/env python3
"""Benchmark: the five STEDI jobs written as Glue Studio writes them (tests/glue_jobs: SQL Query
nodes, from_catalog, getSink), run by `glueless submit`, side by side in one run with the built-in
drivers (`glueless stedi run`) and the same jobs as PySpark DataFrame/SQL code on local Spark
(peers/pyspark_stedi.py), on r-fold replicas of the real STEDI data.

Every figure is whole-process wall time (start-up included), as a user sees it: the Glue scripts'
time is the sum of `glueless catalog apply` and five `glueless submit` processes, each script's
peak memory its process's peak RSS (beside the drivers' one process). Output row counts are
compared across the three, so a fast wrong answer cannot pass.

    python scripts/bench/glue_submit.py --scale 100 --repeat 3 [--no-spark]

glueless must be a release build (`pip install .`); pyspark comes with the test extras.
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
REPO = HERE.parents[1]
JOBS = [
    "customer_landing_to_trusted",
    "accelerometer_landing_to_trusted",
    "customer_trusted_to_curated",
    "step_trainer_trusted",
    "machine_learning_curated",
]
ZONES = [
    "customer/trusted",
    "accelerometer/trusted",
    "customer/curated",
    "step_trainer/trusted",
    "step_trainer/curated",
]
GLUELESS = [sys.executable, "-m", "glueless.cli"]


def timed(cmd: list[str], cwd: Path) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of one process."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        err = proc.stderr.read().decode() if proc.stderr else ""
        raise SystemExit(f"{' '.join(cmd)} failed:\n{err}")
    return seconds, usage.ru_maxrss / 1024


def fresh_lake(source: Path, work: Path, name: str) -> Path:
    """A lake whose landing zones are the replicated data (links; outputs start empty)."""
    lake = work / name
    if lake.exists():
        shutil.rmtree(lake)
    for table in ("customer", "accelerometer", "step_trainer"):
        (lake / table).mkdir(parents=True)
        (lake / table / "landing").symlink_to(source / table / "landing")
    return lake


def rows(folder: Path) -> int:
    files = [p for p in folder.rglob("*.parquet") if not p.name.startswith((".", "_"))]
    return sum(pq.ParquetFile(f).metadata.num_rows for f in files)


def run_drivers(source: Path, work: Path) -> tuple[dict[str, tuple[float, float]], list[int]]:
    lake = fresh_lake(source, work, "drivers")
    measured = timed([*GLUELESS, "stedi", "run", "--lake", str(lake), "--quiet"], work)
    return {"drivers": measured}, [rows(lake / z) for z in ZONES]


def run_glue_scripts(source: Path, work: Path) -> tuple[dict[str, tuple[float, float]], list[int]]:
    lake = fresh_lake(source, work, "glue")
    catalog = work / "catalog"
    shutil.rmtree(catalog, ignore_errors=True)
    ddl = sorted(str(p) for p in (REPO / "scripts" / "sql").glob("*_landing_table.sql"))
    measured = {"catalog apply": timed([*GLUELESS, "catalog", "apply", "--catalog", str(catalog), *ddl], work)}
    for job in JOBS:
        measured[job] = timed(
            [
                *GLUELESS,
                "submit",
                "--quiet",
                "--map",
                f"s3://stedi-jivd={lake}",
                "--catalog",
                str(catalog),
                str(REPO / "tests" / "glue_jobs" / f"{job}.py"),
                "--JOB_NAME",
                job,
            ],
            work,
        )
    return measured, [rows(lake / z) for z in ZONES]


def run_pyspark(source: Path, work: Path) -> tuple[dict[str, tuple[float, float]], list[int]]:
    out = work / "spark_out"
    shutil.rmtree(out, ignore_errors=True)
    measured = {
        "pyspark": timed([sys.executable, str(HERE / "peers" / "pyspark_stedi.py"), str(source), str(out)], work)
    }
    names = [
        "customer_trusted",
        "accelerometer_trusted",
        "customer_curated",
        "step_trainer_trusted",
        "machine_learning_curated",
    ]
    return measured, [rows(out / f"{n}.parquet") for n in names]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=100, help="replicas of the real data")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-spark", action="store_true", help="skip the PySpark peer")
    args = parser.parse_args()
    if not ready_to_measure():
        return
    with tempfile.TemporaryDirectory(prefix="glue-bench-") as tmp:
        work = Path(tmp)
        source = work / "source"
        timed(
            [
                *GLUELESS,
                "generate",
                "stedi",
                "--lake",
                str(source),
                "--replicate-from",
                str(REAL),
                "--replicas",
                str(args.scale),
            ],
            work,
        )
        engines = {"drivers": run_drivers, "glue scripts": run_glue_scripts}
        if not args.no_spark:
            engines["pyspark"] = run_pyspark
        runs: dict[str, list[dict[str, tuple[float, float]]]] = {name: [] for name in engines}
        counts: dict[str, list[int]] = {}
        for _ in range(args.repeat):
            for name, fn in engines.items():
                measured, found = fn(source, work)
                runs[name].append(measured)
                counts[name] = found
        expected = counts["drivers"]
        for name, found in counts.items():
            if found != expected:
                raise SystemExit(f"{name} wrote {found} rows per table, the drivers {expected}")
        report(runs, args.scale, args.repeat, sum(expected))


def report(runs: dict[str, list[dict[str, tuple[float, float]]]], scale: int, repeat: int, output_rows: int) -> None:
    """Each engine's whole time (median, runs), the processes' medians and peaks."""
    print(f"STEDI pipeline at {scale}x ({output_rows:,} output rows), median of {repeat}, whole process:")
    median: dict[str, float] = {}
    for name, measured in runs.items():
        totals = [sum(seconds for seconds, _ in run.values()) for run in measured]
        median[name] = statistics.median(totals)
        peak = max(mib for run in measured for _, mib in run.values())
        print(f"  {name:<13} {median[name]:7.2f} s  peak {peak:6.0f} MiB  ({', '.join(f'{t:.2f}' for t in totals)})")
    print("  processes (median s, peak MiB):")
    for measured in runs.values():
        for step in measured[0]:
            seconds = statistics.median(run[step][0] for run in measured)
            peak = max(run[step][1] for run in measured)
            print(f"    {step:<34} {seconds:6.2f} s {peak:7.0f} MiB")
    drivers_peak = max(run["drivers"][1] for run in runs["drivers"])
    script_peak = max(mib for run in runs["glue scripts"] for _, mib in run.values())
    print(
        f"glue scripts / drivers: {median['glue scripts'] / median['drivers']:.2f}x time (target <= 1.2x); "
        f"largest script peak / drivers' peak: {script_peak / drivers_peak:.2f}x (target <= 1x)"
    )
    if "pyspark" in median:
        print(f"pyspark / glue scripts: {median['pyspark'] / median['glue scripts']:.1f}x")


if __name__ == "__main__":
    main()
