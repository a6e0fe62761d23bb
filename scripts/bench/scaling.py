#!/usr/bin/env python3
"""Benchmark: how the STEDI pipeline's time and peak memory grow with its input, glueless beside
DuckDB, on r-fold replicas of the real data in two layouts: the replicas' many landing files, and
each landing zone as one NDJSON file (a large single file must be decoded in bounded windows for
memory to stay flat).

Time should grow linearly with the input (300× in 3× the 100× time) and peak memory stay flat
(300× within 1.2× of 100×). Each figure is one whole process (wall time, peak RSS from wait4);
output row counts are compared across engines and layouts.

    python scripts/bench/scaling.py --scales 100,300 [--repeat 1] [--engines glueless,duckdb]

glueless must be a release build (`pip install .`); duckdb comes with the test extras. The
lakes go to a temporary folder (300×: about 3.4 GB, twice for the two layouts).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

from benchlib import REAL, ready_to_measure
from stedi_pipeline import counts, engines, run_measured

TABLES = ("customer", "accelerometer", "step_trainer")


def single_file_lake(lake: Path, target: Path) -> Path:
    """``lake`` with each landing zone's files joined into one NDJSON file."""
    shutil.rmtree(target, ignore_errors=True)
    for table in TABLES:
        landing = target / table / "landing"
        landing.mkdir(parents=True)
        with open(landing / f"{table}-all.json", "wb") as joined:
            for part in sorted((lake / table / "landing").iterdir()):
                data = part.read_bytes()
                joined.write(data if data.endswith(b"\n") else data + b"\n")
    return target


def measure(lake: Path, out: Path, chosen: list[str], repeat: int) -> dict[str, tuple[float, float, dict[str, int]]]:
    """Median wall seconds and peak MiB of each engine on ``lake`` (engines take turns), and
    the row counts it wrote."""
    runs: dict[str, list[tuple[float, float, float]]] = {engine: [] for engine in chosen}
    for engine in chosen:
        (out / engine).mkdir(parents=True, exist_ok=True)
    for _ in range(repeat):
        for engine in chosen:
            runs[engine].append(run_measured(engines(lake, out)[engine]))
    return {
        engine: (
            statistics.median(r[0] for r in runs[engine]),
            statistics.median(r[1] for r in runs[engine]),
            counts(engine, lake, out),
        )
        for engine in chosen
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", default="100,300", help="comma-separated replica counts of the real data")
    parser.add_argument("--repeat", type=int, default=1, help="runs per engine, scale and layout (median shown)")
    parser.add_argument("--engines", default="glueless,duckdb", help="any of glueless,duckdb,polars")
    parser.add_argument("--workdir", default=None, help="where to put the generated lakes (default: a temp dir)")
    args = parser.parse_args()
    if not ready_to_measure():
        return 0
    import glueless

    chosen = args.engines.split(",")
    scales = [int(s) for s in args.scales.split(",")]
    work = Path(args.workdir or tempfile.mkdtemp(prefix="glueless-scaling-"))
    print(f"STEDI pipeline scaling, median of {args.repeat}, whole process\n")
    print(f"{'scale':>6} {'layout':>9} {'input':>8}  " + "  ".join(f"{e + ' s':>12} {e + ' MiB':>13}" for e in chosen))
    table: dict[tuple[int, str], dict[str, tuple[float, float, dict[str, int]]]] = {}
    try:
        for scale in scales:
            lake = work / f"lake-{scale}x"
            shutil.rmtree(lake, ignore_errors=True)
            made = glueless.replicate_stedi(str(REAL), str(lake), scale)
            layouts = {"files": lake, "one file": single_file_lake(lake, work / f"single-{scale}x")}
            for layout, root in layouts.items():
                out = work / "out"
                shutil.rmtree(out, ignore_errors=True)
                results = measure(root, out, chosen, args.repeat)
                table[(scale, layout)] = results
                cells = "  ".join(f"{results[e][0]:>12.2f} {results[e][1]:>13.0f}" for e in chosen)
                print(f"{scale:>5}x {layout:>9} {made['bytes'] / 1e6:>6.0f}MB  {cells}", flush=True)
                reference = table[(scale, "files")][chosen[0]][2]
                for engine, (_, _, got) in results.items():
                    if got != reference:
                        print(f"  WARNING: {engine} ({layout}) wrote other row counts: {got} vs {reference}")
            for root in layouts.values():
                shutil.rmtree(root, ignore_errors=True)
    finally:
        if not args.workdir:
            shutil.rmtree(work, ignore_errors=True)
    if len(scales) > 1:
        low, high = scales[0], scales[-1]
        print(f"\ngrowth from {low}x to {high}x (input {high / low:.1f}x): time ratio, peak-memory ratio")
        for layout in ("files", "one file"):
            cells = "  ".join(
                f"{e}: {table[(high, layout)][e][0] / table[(low, layout)][e][0]:.2f}x time, "
                f"{table[(high, layout)][e][1] / table[(low, layout)][e][1]:.2f}x memory"
                for e in chosen
            )
            print(f"  {layout:>9}  {cells}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
