"""``pyspark.sql`` inside ``glueless submit``: SparkSession, DataFrame, Column, Row, functions, types."""

from glueless.compat._unsupported import module_getattr
from glueless.compat.pyspark.sql import functions, types, window
from glueless.compat.pyspark.sql.column import Column
from glueless.compat.pyspark.sql.dataframe import DataFrame, GroupedData
from glueless.compat.pyspark.sql.readwriter import DataFrameReader, DataFrameWriter
from glueless.compat.pyspark.sql.session import SparkSession
from glueless.compat.pyspark.sql.types import Row
from glueless.compat.pyspark.sql.window import Window, WindowSpec

SQLContext = SparkSession

__all__ = [
    "Column",
    "DataFrame",
    "DataFrameReader",
    "DataFrameWriter",
    "GroupedData",
    "Row",
    "SQLContext",
    "SparkSession",
    "Window",
    "WindowSpec",
    "functions",
    "types",
    "window",
]

__getattr__ = module_getattr("pyspark.sql")
