#!/usr/bin/env python3
"""machine_learning_curated — the Glue job of the same name, without Glue.

Reads ROOT/step_trainer/trusted/ and ROOT/accelerometer/trusted/ (and ROOT/customer/curated/ with
--strict) and writes ROOT/step_trainer/curated/: step-trainer readings joined with the accelerometer
readings taken at the same time (with --strict: by the trainer's owner), with the columns
sensorReadingTime, serialNumber, distanceFromObject, x, y, z and no personal data.

    python scripts/machine_learning_curated.py --lake ./lake [--strict]
"""

import sys

try:
    from glueless.driver import main
except ImportError as err:  # glueless not installed: one line, not a traceback
    sys.exit(f"machine_learning_curated: error: glueless is not installed ({err}); run `pip install .`")

if __name__ == "__main__":
    sys.exit(main("machine_learning_curated", __doc__.strip().splitlines()[0]))
