"""``spark.catalog``: the session's temporary views and the tables ``CREATE TABLE`` made in it
(database ``default``), and the run's Data Catalog as Spark's metastore (Glue's
``--enable-glue-datacatalog``): its databases and their tables, readable as ``database.table``.
Caching gives the same results without a cache, so ``cacheTable`` / ``isCached`` /
``clearCache`` keep no data.
"""

from __future__ import annotations

from typing import Any, NamedTuple, Optional

from glueless.compat._unsupported import Surface


class Database(NamedTuple):
    name: str
    catalog: Optional[str]
    description: Optional[str]
    locationUri: str


class Table(NamedTuple):
    name: str
    catalog: Optional[str]
    namespace: Optional[list[str]]
    description: Optional[str]
    tableType: str
    isTemporary: bool

    @property
    def database(self) -> Optional[str]:
        return self.namespace[0] if self.namespace else None


class Column(NamedTuple):
    name: str
    description: Optional[str]
    dataType: str
    nullable: bool
    isPartition: bool
    isBucket: bool
    isCluster: bool = False


_DEFAULT = "default"
_INTERNAL = "__glueless"


class Catalog(Surface):
    """``pyspark.sql.catalog.Catalog`` over a glueless session."""

    _api_name = "Catalog"

    def __init__(self, spark: Any) -> None:
        self._spark = spark
        self._cached: set[str] = set()

    @property
    def _sql(self) -> Any:
        return self._spark._session

    def _metastore(self) -> Any:
        """The run's Data Catalog (local or Glue)."""
        return self._spark._run.catalog

    def _database(self, dbName: Optional[str]) -> None:
        if dbName not in (None, _DEFAULT) and self._metastore().get_database(dbName.lower()) is None:
            from glueless.exceptions import SqlError

            raise SqlError(f"[SCHEMA_NOT_FOUND] The schema `{dbName}` cannot be found.")

    def currentCatalog(self) -> str:
        return "spark_catalog"

    def currentDatabase(self) -> str:
        current: str = self._spark._run.current_database
        return current

    def setCurrentDatabase(self, dbName: str) -> None:
        self._spark._run.use_database(dbName)

    def listDatabases(self, pattern: Optional[str] = None) -> list[Database]:
        found = [Database(_DEFAULT, "spark_catalog", "default database", "")]
        for name in self._metastore().databases():
            if name == _DEFAULT:
                continue
            record = self._metastore().get_database(name) or {}
            found.append(Database(name, "spark_catalog", record.get("Description"), record.get("LocationUri", "")))
        if pattern is not None:
            import fnmatch

            found = [d for d in found if fnmatch.fnmatch(d.name, pattern.replace(".*", "*").lower())]
        return found

    def databaseExists(self, dbName: str) -> bool:
        return dbName.lower() == _DEFAULT or self._metastore().get_database(dbName.lower()) is not None

    def listTables(self, dbName: Optional[str] = None, pattern: Optional[str] = None) -> list[Table]:
        self._database(dbName)
        out = []
        database = (dbName or self.currentDatabase()).lower()
        if database != _DEFAULT:
            for record in self._metastore().tables(database):
                kind = "EXTERNAL" if record.get("TableType") == "EXTERNAL_TABLE" else "MANAGED"
                out.append(Table(record["Name"], "spark_catalog", [database], None, kind, False))
        if dbName is None or database == _DEFAULT:
            tables = set(self._sql.table_names())
            for name in self._sql.view_names():
                if name.startswith(_INTERNAL):
                    continue
                if name in tables:
                    if database == _DEFAULT:
                        out.append(Table(name, "spark_catalog", [_DEFAULT], None, "MANAGED", False))
                else:
                    out.append(Table(name, None, [], None, "TEMPORARY", True))
        if pattern is not None:
            import fnmatch

            out = [t for t in out if fnmatch.fnmatch(t.name, pattern.replace(".*", "*").lower())]
        return sorted(out, key=lambda t: (t.isTemporary, t.name))

    def tableExists(self, tableName: str, dbName: Optional[str] = None) -> bool:
        parts = tableName.lower().split(".")
        database = dbName.lower() if dbName else (parts[-2] if len(parts) > 1 else None)
        if database not in (None, _DEFAULT):
            return self._metastore().get_table(database, parts[-1]) is not None
        return parts[-1] in self._sql.view_names()

    def getTable(self, tableName: str) -> Table:
        parts = tableName.lower().split(".")
        database = parts[-2] if len(parts) > 1 else None
        for table in self.listTables(database):
            if table.name == parts[-1]:
                return table
        from glueless.exceptions import SqlError

        raise SqlError(f"[TABLE_OR_VIEW_NOT_FOUND] The table or view `{tableName}` cannot be found.")

    def listColumns(self, tableName: str, dbName: Optional[str] = None) -> list[Column]:
        self._database(dbName)
        frame = self._spark.table(tableName)
        return [Column(n, None, t, nullable, False, False) for n, t, _glue, nullable in frame._frame.fields()]

    def dropTempView(self, viewName: str) -> bool:
        if viewName.lower() in self._sql.table_names():
            return False
        dropped: bool = self._sql.drop_view(viewName)
        return dropped

    def dropGlobalTempView(self, viewName: str) -> bool:
        dropped: bool = self._sql.drop_view(f"global_temp.{viewName}")
        return dropped

    def cacheTable(self, tableName: str, storageLevel: Any = None) -> None:
        self.getTable(tableName)
        self._cached.add(tableName.lower())

    def uncacheTable(self, tableName: str) -> None:
        self._cached.discard(tableName.lower())

    def isCached(self, tableName: str) -> bool:
        return tableName.lower() in self._cached

    def clearCache(self) -> None:
        self._cached.clear()

    def refreshTable(self, tableName: str) -> None:
        self.getTable(tableName)

    def refreshByPath(self, path: str) -> None:
        pass
