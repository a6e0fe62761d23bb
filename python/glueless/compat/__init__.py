"""The awsglue, awsgluedq and pyspark surfaces that users' scripts import, on glueless's core.

Nothing here is importable under those top-level names by default: on a Glue cluster the real
modules must win. ``glueless submit`` (and :func:`glueless.glue.activate` for tests) installs an
import hook that resolves ``awsglue.*``, ``awsgluedq.*`` and ``pyspark.*`` to these modules.
"""
