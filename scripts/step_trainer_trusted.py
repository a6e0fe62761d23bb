#!/usr/bin/env python3
"""step_trainer_trusted — the Glue job of the same name, without Glue.

Reads ROOT/step_trainer/landing/ (NDJSON) and ROOT/customer/curated/, quarantines unreadable
records to ROOT/step_trainer/rejected/, and writes ROOT/step_trainer/trusted/: the DISTINCT readings
whose serialNumber belongs to a curated customer.

    python scripts/step_trainer_trusted.py --lake ./lake [--strict]
"""

import sys

try:
    from glueless.driver import main
except ImportError as err:  # glueless not installed: one line, not a traceback
    sys.exit(f"step_trainer_trusted: error: glueless is not installed ({err}); run `pip install .`")

if __name__ == "__main__":
    sys.exit(main("step_trainer_trusted", __doc__.strip().splitlines()[0]))
