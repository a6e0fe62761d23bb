"""The ``glueless`` command: generate demo data and run jobs.

    glueless generate stedi --lake ./lake --customers 1000 --seed 1
    glueless run customer_landing_to_trusted --lake ./lake
"""

from __future__ import annotations

import argparse
import sys
from typing import Optional, Sequence

from glueless.driver import default_lake
from glueless.summary import format_job


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="glueless", description="Glue lakehouse jobs without Glue.")
    commands = parser.add_subparsers(dest="command", required=True)

    generate = commands.add_parser("generate", help="write deterministic demo landing data")
    generate.add_argument("dataset", choices=["stedi"])
    generate.add_argument("--lake", default=default_lake())
    generate.add_argument("--customers", type=int, default=1000)
    generate.add_argument("--seed", type=int, default=0)
    generate.add_argument("--overwrite", action="store_true", help="replace landing files already there")

    run = commands.add_parser("run", help="run one STEDI job")
    run.add_argument("job")
    run.add_argument("--lake", default=default_lake())
    run.add_argument("--strict", action="store_true")
    return parser


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Entry point of the ``glueless`` console script."""
    args = _parser().parse_args(argv)
    try:
        import glueless

        if args.command == "generate":
            if args.customers < 0 or args.seed < 0:
                raise ValueError("--customers and --seed must not be negative")
            made = glueless.generate_stedi(args.lake, customers=args.customers, seed=args.seed, overwrite=args.overwrite)
            print(
                f"generated {made['customers']:,} customers ({made['consenting_customers']:,} consenting), "
                f"{made['accelerometer']:,} accelerometer and {made['step_trainer']:,} step-trainer records "
                f"in {made['files']} files ({made['bytes']:,} bytes) under {args.lake}"
            )
        elif args.command == "run":
            print(format_job(glueless.run_job(args.job, args.lake, strict=args.strict)))
    except KeyboardInterrupt:
        print("glueless: interrupted", file=sys.stderr)
        return 130
    except (OSError, ValueError, RuntimeError, ImportError) as err:
        print(f"glueless: error: {err}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
