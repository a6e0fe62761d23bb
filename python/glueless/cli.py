"""The ``glueless`` command: generate demo data, run one job or the whole STEDI pipeline.

    glueless generate stedi --lake ./lake --customers 1000 --seed 1
    glueless generate reviews --silver ./lake/silver/reviews
    glueless catalog ddl --lake s3://stedi-jivd --out scripts/sql
    glueless catalog apply [--catalog DIR] [--database DB] FILE.sql...
    glueless catalog list [--catalog DIR]
    glueless catalog sync --lake LAKE [--catalog DIR|glue] [--database stedi]
    glueless submit [--map S3PREFIX=LOCATION]... [--catalog DIR] [--profile NAME] SCRIPT.py [SCRIPT ARGS...]
    glueless stedi run --lake ./lake [--demo] [--strict] [--incremental] [--engine spark]
        [--format parquet|iceberg|delta] [--catalog DIR|glue] [--summary-json FILE] [--report FILE.html]
    glueless run customer_landing_to_trusted --lake ./lake [--format …] [--catalog …]
    glueless athena [--catalog DIR|glue | --lake LAKE] [--map S3PREFIX=LOCATION]... [--database DB]
        [--output table|csv|json] [--result-location DIR] (-f FILE.sql... | "SQL")

Every command takes ``--profile NAME``: the AWS profile S3 access signs with.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Optional

from glueless.aws import add_profile_option
from glueless.driver import default_lake, guarded
from glueless.formats import add_format_options, use_catalog
from glueless.summary import format_job, format_pipeline


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="glueless", description="Glue lakehouse jobs without Glue.")
    add_profile_option(parser)
    # Also accepted after the command (`glueless stedi run --profile dev`), as the AWS CLI does.
    aws = argparse.ArgumentParser(add_help=False)
    add_profile_option(aws, default=argparse.SUPPRESS)
    commands = parser.add_subparsers(dest="command", required=True)

    generate = commands.add_parser("generate", parents=[aws], help="write deterministic demo landing data")
    generate.add_argument("dataset", choices=["stedi", "reviews"], help="stedi landing data or a reviews silver layer")
    generate.add_argument("--lake", default=default_lake())
    generate.add_argument("--customers", type=int, default=1000)
    generate.add_argument("--seed", type=int, default=0)
    generate.add_argument("--overwrite", action="store_true", help="replace landing files already there")
    generate.add_argument(
        "--replicate-from",
        metavar="DIR",
        help="instead of synthetic data, write --replicas renamed, day-shifted copies of the landing data in DIR",
    )
    generate.add_argument("--replicas", type=int, default=1)
    generate.add_argument("--silver", default="./lake/silver/reviews", help="reviews: the new silver folder")
    generate.add_argument("--files", type=int, default=20, help="reviews: Parquet files to write")
    generate.add_argument("--rows-per-file", type=int, default=4500, help="reviews: rows per file")

    athena = commands.add_parser(
        "athena", parents=[aws], help="Athena's SQL (Trino's dialect) over the catalog's or a lake's tables"
    )
    athena.add_argument("sql", nargs="?", help="statements to run (or -f FILE.sql)")
    athena.add_argument("-f", "--file", action="append", default=[], metavar="FILE.sql", help="run a SQL file")
    athena.add_argument(
        "--catalog", help="catalog location, or 'glue' (default $GLUELESS_CATALOG or ./.glueless/catalog)"
    )
    athena.add_argument("--lake", help="query this lake's own tables (as `catalog sync` registers them), no catalog")
    athena.add_argument(
        "--map", action="append", default=[], metavar="S3PREFIX=LOCATION", help="read an S3 prefix from elsewhere"
    )
    athena.add_argument("--database", help="database of unqualified names (default: stedi with --lake, else default)")
    athena.add_argument("--output", choices=["table", "csv", "json"], default="table")
    athena.add_argument(
        "--result-location", metavar="DIR", help="also keep each result as DIR/<query id>.csv, as Athena does"
    )
    athena.add_argument("--quiet", action="store_true", help="print no line for DDL statements")

    stedi = commands.add_parser("stedi", parents=[aws], help="the STEDI lakehouse")
    stedi_commands = stedi.add_subparsers(dest="stedi_command", required=True)
    pipeline = stedi_commands.add_parser("run", parents=[aws], help="run the five STEDI jobs in order")
    pipeline.add_argument("--lake", default=default_lake())
    pipeline.add_argument("--strict", action="store_true", help="consent-dated, same-customer rules")
    pipeline.add_argument(
        "--incremental", action="store_true", help="landing -> trusted jobs take only new landing files (bookmarks)"
    )
    pipeline.add_argument(
        "--engine", choices=["local", "spark"], default="local", help="spark: run on the active Spark session"
    )
    add_format_options(pipeline)
    pipeline.add_argument("--quiet", action="store_true", help="print nothing but errors")
    pipeline.add_argument(
        "--demo",
        action="store_true",
        help="when the lake has no landing data, first generate a demo lake there (1,000 customers, seed 1)",
    )
    pipeline.add_argument("--summary-json", metavar="FILE", help="write the run summary as JSON")
    pipeline.add_argument("--report", metavar="FILE.html", help="write an HTML page with the zone funnel")

    catalog = commands.add_parser("catalog", parents=[aws], help="Athena / Glue catalog DDL for the lake's tables")
    catalog_commands = catalog.add_subparsers(dest="catalog_command", required=True)
    ddl = catalog_commands.add_parser("ddl", parents=[aws], help="print CREATE EXTERNAL TABLE statements")
    ddl.add_argument("--lake", default=default_lake())
    ddl.add_argument("--database", default="stedi")
    ddl.add_argument("--out", metavar="DIR", help="write one NAME.sql file per table instead of printing")
    ddl.add_argument("--landing-only", action="store_true", help="only the landing tables")
    ddl.add_argument(
        "--declared", action="store_true", help="the landing tables' declared schemas, without storage access"
    )

    apply = catalog_commands.add_parser("apply", parents=[aws], help="run Athena/Hive DDL files into the Data Catalog")
    apply.add_argument("files", nargs="+", metavar="FILE.sql")
    apply.add_argument(
        "--catalog", help="catalog location, or 'glue' (default $GLUELESS_CATALOG or ./.glueless/catalog)"
    )
    apply.add_argument("--database", default="default", help="database of tables the DDL names without one")
    sync = catalog_commands.add_parser(
        "sync", parents=[aws], help="create or update the catalog entry of every table of the lake (Athena reads them)"
    )
    sync.add_argument("--lake", default=default_lake())
    sync.add_argument(
        "--catalog", help="catalog location, or 'glue' (default $GLUELESS_CATALOG or ./.glueless/catalog)"
    )
    sync.add_argument("--database", default="stedi")
    listing = catalog_commands.add_parser("list", parents=[aws], help="show the catalog's databases and tables")
    listing.add_argument("--catalog", help="catalog location, or 'glue'")
    listing.add_argument("databases", nargs="*", help="only these databases")

    commands.add_parser("submit", help="run a Glue or PySpark script unchanged (glueless submit --help)")

    run = commands.add_parser("run", parents=[aws], help="run one STEDI job")
    run.add_argument("job")
    run.add_argument("--lake", default=default_lake())
    run.add_argument("--strict", action="store_true")
    run.add_argument("--incremental", action="store_true")
    add_format_options(run)
    return parser


def _generate(args: argparse.Namespace) -> None:
    import glueless

    if args.dataset == "reviews":
        if args.files < 1 or args.rows_per_file < 1 or args.seed < 0:
            raise ValueError("--files and --rows-per-file must be at least 1, --seed not negative")
        from glueless import stream

        rows = stream.generate_silver(args.silver, files=args.files, rows_per_file=args.rows_per_file, seed=args.seed)
        print(f"generated {rows:,} silver review rows in {args.files} Parquet files under {args.silver}")
        return
    if args.customers < 0 or args.seed < 0 or args.replicas < 1:
        raise ValueError("--customers and --seed must not be negative, --replicas must be at least 1")
    if args.replicate_from:
        copied = glueless.replicate_stedi(args.replicate_from, args.lake, args.replicas)
        print(
            f"wrote {args.replicas} replicas of {args.replicate_from}: "
            f"{copied['files']} files ({copied['bytes']:,} bytes) under {args.lake}"
        )
        return
    made = glueless.generate_stedi(args.lake, customers=args.customers, seed=args.seed, overwrite=args.overwrite)
    print(
        f"generated {made['customers']:,} customers ({made['consenting_customers']:,} consenting), "
        f"{made['accelerometer']:,} accelerometer and {made['step_trainer']:,} step-trainer records "
        f"in {made['files']} files ({made['bytes']:,} bytes) under {args.lake}"
    )


def _catalog_ddl(args: argparse.Namespace) -> None:
    import glueless

    tables = glueless.catalog_ddl(
        args.lake, database=args.database, landing_only=args.landing_only, declared=args.declared
    )
    if not args.out:
        print("\n".join(t["sql"] for t in tables), end="")
        return
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for table in tables:
        (out / f"{table['name']}_table.sql").write_text(table["sql"], encoding="utf-8")
    print(f"wrote {len(tables)} DDL files to {out}")


def _catalog_apply(args: argparse.Namespace) -> None:
    from glueless.catalog import apply_ddl, open_catalog

    catalog = open_catalog(args.catalog)
    failed: list[str] = []
    # Each file on its own: one that cannot be applied is one line, and the others still run.
    for name in args.files:
        try:
            with open(name, encoding="utf-8") as f:
                sql = f.read()
            lines = apply_ddl(catalog, sql, args.database)
        except (ValueError, OSError) as e:
            print(f"glueless: error: {name}: {e}", file=sys.stderr)
            failed.append(name)
            continue
        for line in lines:
            print(f"{name}: {line}")
    if failed:
        # Each failed file has had its line.
        raise SystemExit(1)


def _register(args: argparse.Namespace, jobs: list[Any]) -> None:
    """With ``--catalog glue``: the tables the jobs wrote, registered in Glue after their commits."""
    from glueless.catalog_sync import register_outputs

    for line in register_outputs(args.catalog, args.lake, jobs):
        if not args.quiet:
            print(line)


def _catalog_sync(args: argparse.Namespace) -> None:
    from glueless.catalog import open_catalog
    from glueless.catalog_sync import sync_lake

    use_catalog(args.catalog, args.lake)
    for line in sync_lake(open_catalog(args.catalog), args.lake, args.database):
        print(line)


def _catalog_list(args: argparse.Namespace) -> None:
    from glueless.catalog import describe, open_catalog

    catalog = open_catalog(args.catalog)
    lines = describe(catalog, args.databases or None)
    print("\n".join(lines) if lines else f"the {catalog.description} is empty")


def _demo_lake(lake: str, quiet: bool) -> None:
    """``--demo``: generate the demo landing data when the lake has none, and say so."""
    import glueless

    if "://" in lake and not lake.startswith("file://"):
        raise ValueError("--demo generates a local lake; give --lake a local folder")
    root = Path(lake.removeprefix("file://"))
    landing = [root / table / "landing" for table in ("customer", "accelerometer", "step_trainer")]
    if any(folder.is_dir() and any(folder.iterdir()) for folder in landing):
        if not quiet:
            print(f"--demo: {lake} already holds landing data; running on it as it is")
        return
    made = glueless.generate_stedi(lake, customers=1000, seed=1)
    if not quiet:
        print(
            f"--demo: no landing data under {lake}, so generated a demo lake there: {made['customers']:,} customers"
            f" ({made['consenting_customers']:,} consenting), {made['accelerometer']:,} accelerometer and"
            f" {made['step_trainer']:,} step-trainer records in {made['files']} files"
        )


def _stedi_run(args: argparse.Namespace) -> None:
    import glueless
    from glueless.progress import ProgressBar
    from glueless.report import render_html

    use_catalog(args.catalog, args.lake)
    if args.demo:
        _demo_lake(args.lake, args.quiet)

    bar = ProgressBar(args.lake) if ProgressBar.wanted(args.quiet) else None

    def done(summary: dict[str, Any]) -> None:
        if bar:
            bar.stop()

    try:
        run = glueless.run_stedi(
            args.lake,
            strict=args.strict,
            incremental=args.incremental,
            format=args.format,
            engine=args.engine,
            on_job_start=bar.start if bar else None,
            on_job_done=done,
        )
    finally:
        if bar:
            bar.stop()
    if args.summary_json:
        with open(args.summary_json, "w", encoding="utf-8") as out:
            json.dump(run, out, indent=2)
    if args.report:
        with open(args.report, "w", encoding="utf-8") as out:
            out.write(render_html(run))
    if not args.quiet:
        print(format_pipeline(run))
    _register(args, run["jobs"])
    if not run["balanced"]:
        raise RuntimeError("the counts of some job do not add up; see the summary")


def _athena(args: argparse.Namespace) -> None:
    from pathlib import Path

    from glueless.athena import Athena, MemoryCatalog, run_files
    from glueless.catalog import open_catalog
    from glueless.catalog_sync import sync_lake
    from glueless.compat._run import LocationMap

    if bool(args.sql) == bool(args.file):
        raise ValueError("glueless athena takes a statement or -f FILE.sql (one of the two)")
    maps = [LocationMap.parse(m) for m in args.map]
    use_catalog(args.catalog, args.lake)
    if args.lake:
        database = args.database or "stedi"
        catalog: Any = MemoryCatalog()
        sync_lake(catalog, args.lake, database)
    else:
        database = args.database or "default"
        catalog = open_catalog(args.catalog)
    sources = [(f, Path(f).read_text(encoding="utf-8")) for f in args.file] or [("statement", args.sql)]
    run_files(Athena(catalog, database, maps), sources, args.output, args.quiet, args.result_location)


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Entry point of the ``glueless`` console script."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["submit"]:
        # spark-submit's convention: everything after the script is the script's own.
        from glueless.submit import parse_args, run_script

        return run_script(parse_args(argv[1:]))
    args = _parser().parse_args(argv)

    def run() -> None:
        import glueless
        from glueless.aws import use_profile

        use_profile(args.profile)

        if args.command == "generate":
            _generate(args)
        elif args.command == "stedi":
            _stedi_run(args)
        elif args.command == "athena":
            _athena(args)
        elif args.command == "catalog" and args.catalog_command == "apply":
            _catalog_apply(args)
        elif args.command == "catalog" and args.catalog_command == "sync":
            _catalog_sync(args)
        elif args.command == "catalog" and args.catalog_command == "list":
            _catalog_list(args)
        elif args.command == "catalog":
            _catalog_ddl(args)
        elif args.command == "run":
            use_catalog(args.catalog, args.lake)
            summary = glueless.run_job(
                args.job, args.lake, strict=args.strict, incremental=args.incremental, format=args.format
            )
            print(format_job(summary))
            _register(args, [summary])

    return guarded("glueless", run)


if __name__ == "__main__":
    sys.exit(main())
