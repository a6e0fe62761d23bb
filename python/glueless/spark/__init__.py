"""glueless inside Spark: the STEDI stages as Spark transformations on the Rust kernels
(``DataFrame.mapInArrow``), and the engine that runs the core's job descriptions with them
(``--engine spark``).

    from glueless.spark import run_job, stages
    run_job("accelerometer_landing_to_trusted", "s3://bucket/stedi", spark=spark)

pyspark (>= 3.3) and pyarrow must be installed where this runs; ``import glueless`` does not need
them.
"""

from glueless.spark import stages
from glueless.spark.jobs import run_job, session

__all__ = ["run_job", "session", "stages"]
