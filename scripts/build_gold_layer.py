#!/usr/bin/env python3
"""build_gold_layer — the reviews gold layer, as the original Spark Structured Streaming program.

Reads the silver review Parquet folder as a stream, watermarks it on review_timestamp, aggregates
with groupBy, and appends the groups the watermark closes to gold/fact_review (one Parquet file
per micro-batch), checkpointing its progress so that a restart continues exactly once.

    python scripts/build_gold_layer.py --silver ./lake/silver/reviews --gold ./lake/gold/fact_review
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Optional

try:
    from glueless.aws import add_profile_option
    from glueless.driver import guarded
except ImportError as err:  # glueless not installed: one line, not a traceback
    sys.exit(f"build_gold_layer: error: glueless is not installed ({err}); run `pip install .`")

if TYPE_CHECKING:
    from glueless._glueless import BatchReport


def default_location(zone: str, fallback: str) -> str:
    """``s3a://hwe-$CLASS/$HANDLE/<zone>`` as in the original program, else a local folder."""
    klass, handle = os.environ.get("CLASS"), os.environ.get("HANDLE")
    if klass and handle:
        return f"s3a://hwe-{klass}/{handle}/{zone}"
    return fallback


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="build_gold_layer.py", description=__doc__.strip().splitlines()[0])
    p.add_argument("--silver", default=default_location("silver/reviews", "./lake/silver/reviews"))
    p.add_argument("--gold", default=default_location("gold/fact_review", "./lake/gold/fact_review"))
    p.add_argument("--checkpoint", default="/tmp/gold-checkpoint")
    p.add_argument(
        "--schema",
        default=None,
        help="the silver schema as Spark's readStream.schema() takes it (\"marketplace STRING, ..., "
        'review_timestamp TIMESTAMP, ..."), or "silver" for the declared one; default: the first file\'s',
    )
    p.add_argument("--event-time", default=None, help="event-time column (default review_timestamp)")
    p.add_argument("--watermark", default=None, help='watermark delay (default "10 seconds")')
    p.add_argument("--window", default=None, help='window size, e.g. "10 seconds"; omit to group on columns only')
    p.add_argument("--slide", default=None, help="slide of a sliding window")
    p.add_argument("--group-by", default=None, help="comma-separated columns")
    p.add_argument("--agg", action="append", default=None, help='NAME=FUNC(COL), repeatable, e.g. "reviews=count(*)"')
    p.add_argument("--max-files-per-trigger", type=int, default=None)
    p.add_argument("--trigger", default="available-now", help='available-now, once or "processing-time=5 seconds"')
    p.add_argument("--timeout", type=float, default=None, help="stop a processing-time trigger after SECONDS")
    p.add_argument("--quiet", action="store_true", help="print nothing but errors")
    p.add_argument(
        "--format",
        choices=["parquet", "iceberg", "delta"],
        default="parquet",
        help="gold table format: a Parquet folder (default), or each batch one Iceberg / Delta append snapshot",
    )
    p.add_argument(
        "--catalog",
        help="where an Iceberg gold table is registered: a local catalog folder (default $GLUELESS_CATALOG, "
        "else ./.glueless/catalog) or 'glue'",
    )
    add_profile_option(p)
    return p


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = parser().parse_args(argv)

    def run() -> None:
        from glueless import stream
        from glueless.aws import use_profile

        use_profile(args.profile)
        from glueless.formats import use_catalog

        use_catalog(args.catalog)

        defaults = stream.gold_defaults()
        custom = args.group_by is not None or args.agg is not None or args.window is not None
        event_time = args.event_time or defaults["event_time"]
        window = args.window if custom else defaults["window"]
        group_by = (
            [c.strip() for c in (args.group_by or "").split(",") if c.strip()] if custom else defaults["group_by"]
        )
        aggregates = args.agg if args.agg else (defaults["aggregates"] if not custom else ["count=count(*)"])
        keys: list = [stream.window(event_time, window, args.slide)] if window else []
        query = (
            stream.read_parquet(args.silver, schema=args.schema)
            .with_watermark(event_time, args.watermark or defaults["watermark"])
            .group_by(*keys, *group_by)
            .agg(*aggregates)
        )

        def report(batch: BatchReport) -> None:
            if not args.quiet:
                files = len(batch["files"])
                print(
                    f"batch {batch['batch']:>4}: {files} file{'s' if files != 1 else ''}, {batch['rows']:,} rows,"
                    f" {batch['late']:,} late, {batch['emitted']:,} groups written, {batch['open_groups']:,} open,"
                    f" {batch['seconds'] * 1000:.1f} ms" + (" (replayed)" if batch["replayed"] else ""),
                    flush=True,
                )

        reports = query.write_table(
            args.gold,
            format=args.format,
            checkpoint=args.checkpoint,
            trigger=args.trigger,
            max_files_per_trigger=args.max_files_per_trigger,
            timeout=args.timeout,
            on_batch=report,
        )
        if args.catalog == "glue" and any(r["emitted"] for r in reports):
            from glueless.catalog import open_catalog
            from glueless.catalog_sync import register_table

            # The gold table's database is its parent folder, as for Iceberg (`gold.fact_review`).
            parent, _, name = args.gold.rstrip("/").rpartition("/")
            line = register_table(open_catalog("glue"), args.gold, args.format, parent.rpartition("/")[2], name)
            if not args.quiet:
                print(line)
        if not args.quiet:
            rows = sum(r["rows"] for r in reports)
            written = sum(r["emitted"] for r in reports)
            print(
                f"build_gold_layer: {len(reports)} batches, {rows:,} silver rows, {written:,} gold rows -> {args.gold}"
            )

    return guarded("build_gold_layer", run)


if __name__ == "__main__":
    sys.exit(main())
