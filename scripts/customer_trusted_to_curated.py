#!/usr/bin/env python3
"""customer_trusted_to_curated — the Glue job of the same name, without Glue.

Reads ROOT/customer/trusted/ and ROOT/accelerometer/trusted/ and writes ROOT/customer/curated/:
the DISTINCT trusted customers who have accelerometer readings in the trusted zone.

    python scripts/customer_trusted_to_curated.py --lake ./lake [--strict]
"""

import sys

try:
    from glueless.driver import main
except ImportError as err:  # glueless not installed: one line, not a traceback
    sys.exit(f"customer_trusted_to_curated: error: glueless is not installed ({err}); run `pip install .`")

if __name__ == "__main__":
    sys.exit(main("customer_trusted_to_curated", __doc__.strip().splitlines()[0]))
