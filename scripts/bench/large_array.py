#!/usr/bin/env python3
"""Benchmark: a landing file over 2 GiB that is one JSON array, against the same records as NDJSON.

Writes --records customer records of about --record-kb KiB each (a long customerName: the string
column whose 32-bit offsets once overflowed in one decode unit) as one JSON array and as NDJSON,
then reads each with `glueless.read_landing` in its own process, taking turns: wall time, peak RSS
(from the kernel) and the rows decoded, median of --repeat runs. Both must give every record.

    python scripts/bench/large_array.py --records 2200 --record-kb 1024 --repeat 3
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

READ = """
import resource, sys, glueless, pyarrow as pa
result = glueless.read_landing(sys.argv[1], "customer")
batches = pa.table(result.table).to_batches()
peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(result.stats["records"], result.stats["accepted"], len(batches), max(b.num_rows for b in batches), peak_mib)
"""


def write_files(folder: Path, records: int, record_kb: int) -> tuple[Path, Path]:
    array, lines = folder / "customers-array.json", folder / "customers-lines.json"
    filler = "x" * (record_kb * 1024)
    with array.open("w") as a, lines.open("w") as n:
        a.write("[\n")
        for i in range(records):
            record = json.dumps(
                {
                    "customerName": f"{i} {filler}",
                    "email": f"c{i}@example.org",
                    "serialNumber": f"s-{i}",
                    "shareWithResearchAsOfDate": 1655564376361 + i,
                }
            )
            a.write(("," if i else "") + record + "\n")
            n.write(record + "\n")
        a.write("]\n")
    return array, lines


def read(path: Path) -> tuple[float, list[float]]:
    """Read `path` in a fresh process: wall time, and what it printed (counts, batches, peak RSS)."""
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", READ, str(path)], capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{path.name}: {(done.stderr.strip().splitlines() or ['failed'])[-1]}")
    return seconds, [float(v) for v in done.stdout.split()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=2200)
    parser.add_argument("--record-kb", type=int, default=1024)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--dir", default=None, help="where to write the two files (default: a temp folder)")
    args = parser.parse_args()
    import glueless

    if glueless._glueless._debug_build:
        raise SystemExit("glueless is a debug build: install it with `pip install .` to benchmark")
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        array, lines = write_files(Path(tmp), args.records, args.record_kb)
        print(
            f"{args.records:,} records of ~{args.record_kb} KiB: array {array.stat().st_size:,} bytes, "
            f"NDJSON {lines.stat().st_size:,} bytes"
        )
        times: dict[str, list[float]] = {"JSON array": [], "NDJSON": []}
        seen: dict[str, list[float]] = {}
        for _ in range(args.repeat):
            for name, path in (("JSON array", array), ("NDJSON", lines)):
                seconds, (records, accepted, batches, largest, peak) = read(path)
                if records != accepted or accepted != args.records:
                    raise SystemExit(
                        f"{name}: {accepted:.0f} of {records:.0f} records decoded, expected {args.records}"
                    )
                times[name].append(seconds)
                seen[name] = [batches, largest, max(peak, seen.get(name, [0, 0, 0])[2])]
        print("| file | time (median, whole process) | peak RSS | batches | largest batch |")
        print("|---|---|---|---|---|")
        for name, (batches, largest, peak) in seen.items():
            print(
                f"| {name} | {statistics.median(times[name]):.2f} s | {peak:,.0f} MiB | {batches:.0f} |"
                f" {largest:.0f} rows |"
            )


if __name__ == "__main__":
    main()
