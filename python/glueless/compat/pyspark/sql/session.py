"""``pyspark.sql.SparkSession``: one per process, on the run's SQL session."""

from __future__ import annotations

import re
from typing import Any, Optional

from glueless.compat import _run
from glueless.compat._unsupported import Surface, unsupported
from glueless.compat.pyspark.sql.dataframe import DataFrame


class _Conf(Surface):
    """``spark.conf``: the SQL session's settings (the ones ``SET`` shows and changes)."""

    _api_name = "RuntimeConfig"

    def __init__(self, session: Any) -> None:
        self._sql = session

    def set(self, key: str, value: Any) -> None:
        if isinstance(value, bool):
            value = "true" if value else "false"
        self._sql.set_conf(key, str(value))

    def get(self, key: str, default: Optional[str] = None) -> Optional[str]:
        value: Optional[str] = self._sql.conf(key)
        return default if value is None else value

    def unset(self, key: str) -> None:
        self._sql.sql(f"RESET {key}")


class Builder(Surface):
    """``SparkSession.builder``: settings are accepted (none changes how glueless runs a query)."""

    _api_name = "SparkSession.builder"

    def __init__(self) -> None:
        self._conf: dict[str, str] = {}

    def appName(self, name: str) -> Builder:
        self._conf["spark.app.name"] = name
        return self

    def master(self, master: str) -> Builder:
        return self

    def config(self, key: Any = None, value: Any = None, conf: Any = None, map: Any = None) -> Builder:  # noqa: A002
        if isinstance(key, str):
            self._conf[key] = str(value)
        return self

    def enableHiveSupport(self) -> Builder:
        return self

    def getOrCreate(self) -> SparkSession:
        session = SparkSession._active()
        for k, v in self._conf.items():
            session.conf.set(k, v)
        return session


class SparkSession(Surface):
    """A Spark session whose queries run on glueless (DataFusion with Spark's rules)."""

    _api_name = "SparkSession"
    _instance: Optional[SparkSession] = None
    _instance_run: Optional[object] = None

    class _BuilderDescriptor:
        def __get__(self, obj: Any, owner: Any) -> Builder:
            return Builder()

    builder = _BuilderDescriptor()

    def __init__(self, sparkContext: Any = None) -> None:
        self._run = _run.current()
        self.conf = _Conf(self._run.session)
        self._sc = sparkContext

    @classmethod
    def _active(cls) -> SparkSession:
        run = _run.current()
        if cls._instance is None or cls._instance_run is not run:
            cls._instance = SparkSession()
            cls._instance_run = run
        return cls._instance

    @classmethod
    def getActiveSession(cls) -> Optional[SparkSession]:
        return cls._active()

    @property
    def _session(self) -> Any:
        return self._run.session

    @property
    def sparkContext(self) -> Any:
        from glueless.compat.pyspark.context import SparkContext

        return self._sc or SparkContext.getOrCreate()

    @property
    def catalog(self) -> Any:
        """``spark.catalog``: the session's temporary views and tables."""
        from glueless.compat.pyspark.sql.catalog import Catalog

        if getattr(self, "_catalog", None) is None:
            self._catalog = Catalog(self)
        return self._catalog

    @property
    def udf(self) -> Any:
        """``spark.udf``: register Python functions for SQL."""
        from glueless.compat.pyspark.sql.udf import UDFRegistration

        return UDFRegistration()

    @property
    def read(self) -> Any:
        from glueless.compat.pyspark.sql.readwriter import DataFrameReader

        return DataFrameReader(self)

    @property
    def readStream(self) -> Any:
        from glueless.compat.pyspark.sql.streaming import DataStreamReader

        return DataStreamReader(self)

    @property
    def streams(self) -> Any:
        from glueless.compat.pyspark.sql.streaming import StreamingQueryManager

        return StreamingQueryManager()

    @property
    def version(self) -> str:
        return "3.5.4"

    def sql(self, sqlQuery: str, args: Any = None, **kwargs: Any) -> DataFrame:
        if args or kwargs:
            unsupported("SparkSession.sql", "query parameters")
        used = re.fullmatch(r"\s*USE\s+(?:DATABASE\s+|SCHEMA\s+)?([`\w]+)\s*;?\s*", sqlQuery, re.IGNORECASE)
        if used:
            self._run.use_database(used.group(1))
            return DataFrame(self._session.empty(), self)
        # Glue jobs use the Data Catalog as Spark's metastore: `stedi.customer_landing` is a table.
        self._run.register_catalog_tables()
        return DataFrame(self._session.sql(sqlQuery), self)

    def createDataFrame(
        self, data: Any, schema: Any = None, samplingRatio: Optional[float] = None, verifySchema: bool = True
    ) -> DataFrame:
        """A DataFrame of Python rows (tuples, ``Row``s, dicts), a pandas DataFrame or an Arrow
        table; the schema inferred as PySpark infers it, or given as a ``StructType``, a DDL
        string, one type, or a list of column names."""
        from glueless.compat.pyspark.sql.conversion import create_dataframe

        return create_dataframe(self, data, schema, verifySchema)

    def range(
        self, start: int, end: Optional[int] = None, step: int = 1, numPartitions: Optional[int] = None
    ) -> DataFrame:
        """The ``bigint`` column ``id`` from ``start`` to ``end`` (exclusive) by ``step``."""
        if end is None:
            start, end = 0, start
        return DataFrame(self._session.sql(f"SELECT id FROM range({int(start)}, {int(end)}, {int(step)})"), self)

    def table(self, tableName: str) -> DataFrame:
        return self.sql(f"SELECT * FROM {tableName}")

    def stop(self) -> None:
        pass

    def newSession(self) -> SparkSession:
        return self
