"""``pyspark.errors``: the exception classes scripts catch. ``AnalysisException`` is glueless's
own (every SQL error glueless raises is one); the rest name PySpark's for the same errors."""

from __future__ import annotations

from glueless.exceptions import AnalysisException, GluelessError, SqlError

#: PySpark's base class of its errors.
PySparkException = GluelessError


class ParseException(SqlError):
    """A statement that does not parse (PySpark's ``ParseException``)."""


class IllegalArgumentException(GluelessError, ValueError):
    """An argument Spark refuses (PySpark's ``IllegalArgumentException``)."""


class PySparkValueError(GluelessError, ValueError):
    """PySpark's ``PySparkValueError``."""


class PySparkTypeError(GluelessError, TypeError):
    """PySpark's ``PySparkTypeError``."""


class PySparkIndexError(GluelessError, IndexError):
    """PySpark's ``PySparkIndexError``."""


__all__ = [
    "AnalysisException",
    "IllegalArgumentException",
    "ParseException",
    "PySparkException",
    "PySparkIndexError",
    "PySparkTypeError",
    "PySparkValueError",
]
