"""What the benchmarks share: where the real STEDI data is, and the checks before measuring."""

from __future__ import annotations

import sys
from pathlib import Path

# ../shared/data/stedi/landing beside the checkout: read in place, never copied into the project.
REAL = Path(__file__).resolve().parents[3] / "shared" / "data" / "stedi" / "landing"


def ready_to_measure() -> bool:
    """True when the real data is there (else a skip line) and glueless is a release build (else exit)."""
    if not REAL.is_dir():
        print(f"skipped: the real STEDI data is not at {REAL}", file=sys.stderr)
        return False
    import glueless

    if glueless._glueless._debug_build:
        raise SystemExit("glueless is a debug build: install it with `pip install .` to benchmark")
    return True
