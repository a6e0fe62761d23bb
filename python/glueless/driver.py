"""The command line of the job drivers in ``scripts/``: Glue job names, Glue-compatible flags."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from typing import Callable, Optional

from glueless.aws import add_profile_option
from glueless.exceptions import GluelessError
from glueless.formats import add_format_options, use_catalog
from glueless.summary import format_job

#: Arguments AWS Glue passes to every job; accepted and ignored so job definitions keep working
#: (``--job-bookmark-option job-bookmark-enable`` means ``--incremental``).
GLUE_ARGUMENTS = ("--JOB_NAME", "--JOB_ID", "--JOB_RUN_ID", "--TempDir")


def default_lake() -> str:
    """``$GLUELESS_LAKE``, else ``./lake``."""
    return os.environ.get("GLUELESS_LAKE") or "./lake"


def guarded(program: str, action: Callable[[], None]) -> int:
    """Run ``action``; turn any error it raises into one line on stderr and an exit code.

    0 on success, 1 for an error (a missing lake, a bad URL, unreadable data), 130 on Ctrl-C.
    """
    try:
        action()
    except KeyboardInterrupt:
        print(f"{program}: interrupted", file=sys.stderr)
        return 130
    except (GluelessError, OSError, ValueError, RuntimeError, ImportError) as err:
        print(f"{program}: error: {err}", file=sys.stderr)
        return 1
    return 0


def job_parser(job: str, description: str) -> argparse.ArgumentParser:
    """The argument parser of one job driver."""
    parser = argparse.ArgumentParser(prog=f"{job}.py", description=description)
    parser.add_argument("--lake", default=default_lake(), help="lakehouse root (default: $GLUELESS_LAKE, else ./lake)")
    parser.add_argument("--strict", action="store_true", help="consent-dated, same-customer rules")
    parser.add_argument("--quiet", action="store_true", help="print nothing but errors")
    add_profile_option(parser)
    add_format_options(parser)
    parser.add_argument("--summary-json", metavar="FILE", help="write the run summary as JSON to FILE")
    parser.add_argument(
        "--max-record-bytes", type=int, default=None, help="quarantine landing records longer than this"
    )
    parser.add_argument(
        "--engine",
        choices=["local", "spark"],
        default="local",
        help="local: this process (default); spark: the active Spark session's cluster (pip install glueless[spark])",
    )
    parser.add_argument(
        "--incremental",
        action="store_true",
        help="landing -> trusted jobs: take only landing files not taken before, append (job bookmarks)",
    )
    parser.add_argument(
        "--job-bookmark-option",
        choices=["job-bookmark-enable", "job-bookmark-disable", "job-bookmark-pause"],
        help=argparse.SUPPRESS,
    )
    for name in GLUE_ARGUMENTS:
        parser.add_argument(name, help=argparse.SUPPRESS)
    return parser


def main(job: str, description: str = "", argv: Optional[Sequence[str]] = None) -> int:
    """Run ``job`` with the command line ``argv``; return the process exit code.

    Errors are one line on stderr and exit code 1 (2 for a bad command line), never a traceback.
    """
    args = job_parser(job, description).parse_args(argv)

    def run() -> None:
        from glueless.aws import use_profile
        from glueless.pipeline import run_job_on

        use_profile(args.profile)
        use_catalog(args.catalog, args.lake)
        incremental = args.incremental or args.job_bookmark_option == "job-bookmark-enable"
        summary = run_job_on(
            args.engine,
            job,
            args.lake,
            strict=args.strict,
            max_record_bytes=args.max_record_bytes,
            incremental=incremental,
            format=args.format,
        )
        if args.summary_json:
            with open(args.summary_json, "w", encoding="utf-8") as out:
                json.dump(summary, out, indent=2)
        if not args.quiet:
            print(format_job(summary))
        from glueless.catalog_sync import register_outputs

        for line in register_outputs(args.catalog, args.lake, [summary]):
            if not args.quiet:
                print(line)

    return guarded(job, run)
