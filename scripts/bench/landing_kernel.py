#!/usr/bin/env python3
"""Benchmark: the NDJSON landing kernel alone, per core and on all cores, side by side with DuckDB's
and Polars' NDJSON readers on the same files (r-fold replicas of the real accelerometer data, the
largest landing table), each in its own process with its thread count pinned, files warm in the
page cache. Also NDJSON → Parquet (zstd) with glueless. Rows are checked equal across engines.

    python scripts/bench/landing_kernel.py --scale 10 --repeat 3

Prints MB/s of landing text (input bytes / wall seconds of the read alone, not process start-up).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from benchlib import REAL, ready_to_measure

HERE = Path(__file__).resolve().parent

# Each snippet reads FOLDER with THREADS threads and prints {"seconds": …, "rows": …}.
SNIPPETS = {
    "glueless": """
import time, glueless, pyarrow as pa
t = time.perf_counter()
r = glueless.read_landing(FOLDER, "accelerometer")
s = time.perf_counter() - t
print(json.dumps({"seconds": s, "rows": pa.table(r.table).num_rows}))
""",
    "glueless→parquet": """
import time, glueless
t = time.perf_counter()
r = glueless.read_landing(FOLDER, "accelerometer")
info = glueless.write_parquet(OUT, r.table)
s = time.perf_counter() - t
print(json.dumps({"seconds": s, "rows": info["rows"]}))
""",
    "duckdb": """
import time, duckdb
con = duckdb.connect()
con.execute(f"SET threads={THREADS}")
columns = "{'user': 'VARCHAR', 'timestamp': 'BIGINT', 'x': 'DOUBLE', 'y': 'DOUBLE', 'z': 'DOUBLE'}"
t = time.perf_counter()
con.execute(f"CREATE TABLE t AS SELECT * FROM read_ndjson('{FOLDER}/*.json', columns={columns})")
s = time.perf_counter() - t
print(json.dumps({"seconds": s, "rows": con.execute("SELECT count(*) FROM t").fetchall()[0][0]}))
""",
    "polars": """
import time, glob, polars as pl

schema = {"user": pl.String, "timestamp": pl.Int64, "x": pl.Float64, "y": pl.Float64, "z": pl.Float64}
t = time.perf_counter()
df = pl.concat([pl.read_ndjson(f, schema=schema) for f in sorted(glob.glob(FOLDER + "/*.json"))])
s = time.perf_counter() - t
print(json.dumps({"seconds": s, "rows": df.height}))
""",
}


def run(engine: str, folder: Path, out: Path, threads: int) -> tuple[float, int]:
    env = {
        **os.environ,
        "GLUELESS_THREADS": str(threads),
        "POLARS_MAX_THREADS": str(threads),
        "RAYON_NUM_THREADS": str(threads),
    }
    code = f"import json\nFOLDER = {str(folder)!r}\nOUT = {str(out)!r}\nTHREADS = {threads}\n" + SNIPPETS[engine]
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=1800)
    if done.returncode != 0:
        raise SystemExit(f"{engine} failed: {done.stderr.strip()[-2000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    shutil.rmtree(out, ignore_errors=True)
    return result["seconds"], result["rows"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--engines", default="glueless,glueless→parquet,duckdb,polars")
    args = parser.parse_args()
    if not ready_to_measure():
        return 0
    import glueless

    work = Path(tempfile.mkdtemp(prefix="glueless-landing-bench-"))
    try:
        glueless.replicate_stedi(str(REAL), str(work / "lake"), args.scale)
        folder = work / "lake" / "accelerometer" / "landing"
        size = sum(f.stat().st_size for f in folder.iterdir())
        for f in folder.iterdir():  # warm the page cache
            f.read_bytes()
        cores = os.cpu_count() or 1
        print(
            f"NDJSON landing kernel, accelerometer {args.scale}x real data ({size / 1e6:.0f} MB), "
            f"median of {args.repeat}, {cores} cores\n"
        )
        print(f"{'engine':<18} {'threads':>7} {'seconds':>9} {'MB/s':>8} {'MB/s/core':>10} {'rows':>12}")
        rows_seen: set[int] = set()
        for engine in args.engines.split(","):
            for threads in sorted({1, cores}):
                runs = [run(engine, folder, work / "out", threads) for _ in range(args.repeat)]
                seconds = statistics.median(r[0] for r in runs)
                rows_seen.update(r[1] for r in runs)
                rate = size / 1e6 / seconds
                print(
                    f"{engine:<18} {threads:>7} {seconds:>9.3f} {rate:>8.0f} {rate / threads:>10.0f} {runs[0][1]:>12,}"
                )
        if len(rows_seen) != 1:
            print(f"WARNING: engines read different row counts: {sorted(rows_seen)}")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
