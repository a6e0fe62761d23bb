"""``pyspark.sql.utils``: where PySpark 3 scripts import ``AnalysisException`` from."""

from __future__ import annotations

from glueless.compat.pyspark.errors import AnalysisException, IllegalArgumentException, ParseException

__all__ = ["AnalysisException", "IllegalArgumentException", "ParseException"]
