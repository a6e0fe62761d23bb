"""The glueless exception hierarchy.

Every error glueless raises is a :class:`GluelessError`; each also subclasses the builtin a Python
user would catch for that kind of problem (a missing path is a ``FileNotFoundError``, a bad
argument a ``ValueError``).
"""

from __future__ import annotations


class GluelessError(Exception):
    """Base class of every glueless error."""


class NotFoundError(GluelessError, FileNotFoundError):
    """A lake, folder or file that should exist does not."""


class MissingInputError(NotFoundError):
    """A job's input table is missing: the job that writes it must run first."""


class InvalidArgumentError(GluelessError, ValueError):
    """An argument cannot be used: a bad location, an unknown job or table, a bad option."""


class AnalysisException(GluelessError, ValueError):
    """A query Spark's analyzer refuses: PySpark's ``AnalysisException`` (``pyspark.errors`` and
    ``pyspark.sql.utils`` name this class), so a script's ``except AnalysisException`` catches
    every :class:`SqlError` too."""


class SqlError(AnalysisException):
    """A Spark SQL query or DataFrame expression that does not parse or resolve."""


class StorageError(GluelessError, OSError):
    """Reading or writing the lake failed."""


class AccessDeniedError(StorageError, PermissionError):
    """The store rejected the credentials or denied the operation (S3 403/401)."""


class UnsupportedError(GluelessError, NotImplementedError):
    """The operation is valid but this build of glueless cannot do it."""


class MemoryLimitError(GluelessError, MemoryError):
    """A query needs more memory than ``GLUELESS_MEMORY_LIMIT`` allows where it cannot spill to disk."""


class CheckpointError(GluelessError):
    """A streaming checkpoint is corrupt or belongs to a different query; it is never reset silently."""


class ConflictError(GluelessError):
    """Another run of the same job or query changed the output first (or holds its lock)."""


class DataError(GluelessError):
    """Arrow or Parquet data could not be processed."""


__all__ = [
    "AccessDeniedError",
    "AnalysisException",
    "CheckpointError",
    "ConflictError",
    "DataError",
    "GluelessError",
    "InvalidArgumentError",
    "MissingInputError",
    "NotFoundError",
    "SqlError",
    "StorageError",
    "UnsupportedError",
]
