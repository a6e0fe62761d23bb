#!/usr/bin/env python3
"""Benchmark: start-up — a whole process that imports the engine and runs the smallest STEDI job
(customer_landing_to_trusted: read the customer landing JSON, keep consenting customers, write
Parquet), glueless side by side with DuckDB and Polars doing the same, on the real STEDI data
(../shared/data/stedi/landing, never copied into the project). Also the bare interpreter and
`import glueless` alone. Median of --repeat runs, engines alternating; the output row counts are
checked equal.

    python scripts/bench/startup.py --repeat 7
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pyarrow.parquet as pq
from benchlib import REAL, ready_to_measure

DUCKDB = """
import duckdb, sys
lake, out = sys.argv[1], sys.argv[2]
duckdb.execute(
    f"COPY (SELECT * FROM read_json('{lake}/customer/landing/*.json', format='newline_delimited', "
    "columns={customerName: 'VARCHAR', email: 'VARCHAR', phone: 'VARCHAR', birthDay: 'VARCHAR', "
    "serialNumber: 'VARCHAR', registrationDate: 'BIGINT', lastUpdateDate: 'BIGINT', "
    "shareWithResearchAsOfDate: 'BIGINT', shareWithPublicAsOfDate: 'BIGINT', shareWithFriendsAsOfDate: 'BIGINT'}) "
    "WHERE shareWithResearchAsOfDate IS NOT NULL AND shareWithResearchAsOfDate <> 0) "
    f"TO '{out}/duckdb.parquet' (FORMAT parquet, COMPRESSION zstd)"
)
"""

POLARS = """
import glob, sys
import polars as pl

lake, out = sys.argv[1], sys.argv[2]
schema = {"customerName": pl.String, "email": pl.String, "phone": pl.String, "birthDay": pl.String,
          "serialNumber": pl.String, "registrationDate": pl.Int64, "lastUpdateDate": pl.Int64,
          "shareWithResearchAsOfDate": pl.Int64, "shareWithPublicAsOfDate": pl.Int64,
          "shareWithFriendsAsOfDate": pl.Int64}
files = sorted(glob.glob(f"{lake}/customer/landing/*.json"))
frame = pl.concat([pl.read_ndjson(f, schema=schema) for f in files])
frame = frame.filter(pl.col("shareWithResearchAsOfDate").is_not_null() & (pl.col("shareWithResearchAsOfDate") != 0))
frame.write_parquet(f"{out}/polars.parquet", compression="zstd")
"""


def seconds(cmd: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    if not ready_to_measure():
        return 0
    import glueless

    py = sys.executable
    with tempfile.TemporaryDirectory(prefix="glueless-startup-") as tmp:
        lake, out = Path(tmp) / "lake", Path(tmp) / "out"
        out.mkdir()
        glueless.replicate_stedi(str(REAL), str(lake), 1)
        commands = {
            "python (nothing)": [py, "-c", "pass"],
            "import glueless": [py, "-c", "import glueless"],
            "glueless job": [py, "-m", "glueless.cli", "run", "customer_landing_to_trusted", "--lake", str(lake)],
            "duckdb job": [py, "-c", DUCKDB, str(lake), str(out)],
            "polars job": [py, "-c", POLARS, str(lake), str(out)],
        }
        runs: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(args.repeat):
            for name, cmd in commands.items():
                runs[name].append(seconds(cmd))
        rows = {
            "glueless": sum(pq.read_metadata(f).num_rows for f in (lake / "customer" / "trusted").glob("*.parquet")),
            "duckdb": pq.read_metadata(out / "duckdb.parquet").num_rows,
            "polars": pq.read_metadata(out / "polars.parquet").num_rows,
        }
    print(f"Start-up: whole process, median of {args.repeat}, the real customer landing data\n")
    glueless_job = statistics.median(runs["glueless job"])
    for name, times in runs.items():
        median = statistics.median(times)
        ratio = f"  {median / glueless_job:5.1f}x glueless" if name.endswith("job") and name != "glueless job" else ""
        print(f"{name:<18} {median * 1000:7.0f} ms{ratio}")
    print(f"\nrows written: {rows}")
    if len(set(rows.values())) != 1:
        print("WARNING: the engines wrote different row counts")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
