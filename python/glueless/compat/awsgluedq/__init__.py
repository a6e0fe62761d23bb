"""``awsgluedq`` inside ``glueless submit``: Glue Data Quality (a DQDL subset)."""
