#!/usr/bin/env python3
"""accelerometer_landing_to_trusted — the Glue job of the same name, without Glue.

Reads ROOT/accelerometer/landing/ (NDJSON) and ROOT/customer/trusted/, quarantines unreadable
records to ROOT/accelerometer/rejected/, and writes ROOT/accelerometer/trusted/: the DISTINCT readings
whose user is a trusted (consenting) customer's email; with --strict, only readings taken at or
after that customer's consent time.

    python scripts/accelerometer_landing_to_trusted.py --lake ./lake [--strict]
"""

import sys

try:
    from glueless.driver import main
except ImportError as err:  # glueless not installed: one line, not a traceback
    sys.exit(f"accelerometer_landing_to_trusted: error: glueless is not installed ({err}); run `pip install .`")

if __name__ == "__main__":
    sys.exit(main("accelerometer_landing_to_trusted", __doc__.strip().splitlines()[0]))
