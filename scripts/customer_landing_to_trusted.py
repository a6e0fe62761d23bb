#!/usr/bin/env python3
"""customer_landing_to_trusted — the Glue job of the same name, without Glue.

Reads ROOT/customer/landing/ (NDJSON), quarantines records that cannot be read to
ROOT/customer/rejected/, keeps the customers whose shareWithResearchAsOfDate is present and
non-zero, and replaces ROOT/customer/trusted/ (Parquet, zstd) atomically.

    python scripts/customer_landing_to_trusted.py --lake ./lake
"""

import sys

try:
    from glueless.driver import main
except ImportError as err:  # glueless not installed: one line, not a traceback
    sys.exit(f"customer_landing_to_trusted: error: glueless is not installed ({err}); run `pip install .`")

if __name__ == "__main__":
    sys.exit(main("customer_landing_to_trusted", __doc__.strip().splitlines()[0]))
