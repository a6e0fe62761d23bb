"""``pyspark`` inside ``glueless submit``: SparkContext, SparkConf and ``pyspark.sql``."""

from glueless.compat._unsupported import module_getattr
from glueless.compat.pyspark.context import SparkConf, SparkContext

__version__ = "3.5.4"
__all__ = ["SparkConf", "SparkContext"]

__getattr__ = module_getattr("pyspark")
