#!/usr/bin/env python3
"""Benchmark: the gold layer as users write it — one PySpark Structured Streaming program — run
unchanged by `glueless submit` and by PySpark, side by side in one run with the built-in stream
(`glueless.stream`, as `scripts/build_gold_layer.py` runs it), on the same generated silver files:
20 one-file micro-batches (trigger availableNow, maxFilesPerTrigger 1), whole process.

Every run writes fresh output and the gold row counts of the three are compared, so a fast wrong
answer cannot pass.

    python scripts/bench/stream_program.py --files 20 --rows-per-file 4500 --repeat 3 [--skip-spark]

glueless must be installed in release mode; pyspark comes with the test extras (Java 17 needed).
"""

from __future__ import annotations

import argparse
import compileall
import shutil
import statistics
import sys
import tempfile
import textwrap
from pathlib import Path

from gold_stream import glueless_run, timed

PROGRAM = textwrap.dedent(
    """\
    import sys
    from pyspark.sql import SparkSession
    from pyspark.sql import functions as F
    from pyspark.sql.types import IntegerType, StringType, StructField, StructType, TimestampType

    silver, out, checkpoint = sys.argv[1:4]
    spark = (SparkSession.builder.master("local[2]").appName("gold_fact_review")
             .config("spark.sql.session.timeZone", "UTC").config("spark.sql.shuffle.partitions", "2")
             .config("spark.ui.enabled", "false").getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")
    schema = StructType([
        StructField("product_category", StringType()),
        StructField("star_rating", IntegerType()),
        StructField("helpful_votes", IntegerType()),
        StructField("total_votes", IntegerType()),
        StructField("review_timestamp", TimestampType()),
    ])
    fact = (
        spark.readStream.schema(schema).option("maxFilesPerTrigger", 1).parquet(silver)
        .withWatermark("review_timestamp", "10 seconds")
        .groupBy(F.window("review_timestamp", "1 minute"), "product_category", "star_rating")
        .agg(F.count("*").alias("reviews"), F.avg("star_rating").alias("avg_star_rating"),
             F.sum("helpful_votes").alias("helpful_votes"))
    )
    query = (fact.writeStream.format("parquet").outputMode("append").option("checkpointLocation", checkpoint)
             .trigger(availableNow=True).start(out))
    query.awaitTermination()
    print("ROWS", spark.read.parquet(out).count())
    """
)


def program_run(command: list[str], program: Path, silver: Path, work: Path) -> tuple[float, int]:
    shutil.rmtree(work, ignore_errors=True)
    seconds, out = timed([*command, str(program), str(silver), str(work / "gold"), str(work / "cp")])
    line = next(line for line in out.splitlines() if line.startswith("ROWS "))
    return seconds, int(line.split()[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    parser.add_argument("--files", type=int, default=20)
    parser.add_argument("--rows-per-file", type=int, default=4500)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--skip-spark", action="store_true")
    args = parser.parse_args()
    import glueless
    from glueless import stream

    if glueless._glueless._debug_build:
        raise SystemExit("glueless is a debug build: install it with `pip install .` to benchmark")
    # As after `pip install`: the package's bytecode compiled (an editable install under
    # PYTHONDONTWRITEBYTECODE=1 would compile the compat modules in every process).
    compileall.compile_dir(str(Path(glueless.__file__).parent), quiet=1)
    with tempfile.TemporaryDirectory(prefix="stream-program-bench-") as tmp:
        root = Path(tmp)
        silver = root / "silver"
        stream.generate_silver(str(silver), files=args.files, rows_per_file=args.rows_per_file, seed=1)
        program = root / "gold_program.py"
        program.write_text(PROGRAM)
        times: dict[str, list[float]] = {"built-in stream": [], "program (glueless submit)": []}
        if not args.skip_spark:
            times["program (PySpark)"] = []
        rows: dict[str, int] = {}
        for _ in range(args.repeat):
            shutil.rmtree(root / "driver", ignore_errors=True)
            seconds, reports = glueless_run(silver, root / "driver", "available-now")
            times["built-in stream"].append(seconds)
            rows["built-in stream"] = sum(r["emitted"] for r in reports)
            seconds, rows["program (glueless submit)"] = program_run(
                [sys.executable, "-m", "glueless.cli", "submit", "--quiet"], program, silver, root / "submit"
            )
            times["program (glueless submit)"].append(seconds)
            if not args.skip_spark:
                seconds, rows["program (PySpark)"] = program_run([sys.executable], program, silver, root / "spark")
                times["program (PySpark)"].append(seconds)
        if len(set(rows.values())) != 1:
            sys.exit(f"gold row counts differ: {rows}")
        median = {name: statistics.median(t) for name, t in times.items()}
        print(
            f"gold stream, {args.files} files x {args.rows_per_file:,} rows, one file per micro-batch, "
            f"{rows['built-in stream']:,} gold rows; median of {args.repeat}, whole process:"
        )
        for name, seconds in median.items():
            print(f"  {name:<26} {seconds:7.2f} s   ({', '.join(f'{t:.2f}' for t in times[name])})")
        ratio = median["program (glueless submit)"] / median["built-in stream"]
        print(f"program / built-in stream: {ratio:.2f}x (target <= 2x)")
        if not args.skip_spark:
            print(
                f"PySpark / glueless submit: {median['program (PySpark)'] / median['program (glueless submit)']:.0f}x"
            )


if __name__ == "__main__":
    main()
