"""``spark.read`` and ``df.write``: files under local folders or S3 prefixes (after ``--map``)."""

from __future__ import annotations

import os
import re
import uuid
from pathlib import Path
from typing import Any, Optional, Union
from urllib.parse import unquote

from glueless._glueless import FILE_FORMATS, commit_staged_folder, spark_source_name
from glueless.compat import _run
from glueless.compat._unsupported import Surface, unsupported
from glueless.compat.pyspark.sql.column import quote
from glueless.compat.pyspark.sql.dataframe import DataFrame
from glueless.formats import OPEN_FORMATS, listing


class DataFrameReader(Surface):
    """``spark.read``: json, parquet and csv files."""

    _api_name = "DataFrameReader"

    def __init__(self, session: Any) -> None:
        self._session = session
        self._format = "parquet"
        self._options: dict[str, Any] = {}

    def format(self, source: str) -> DataFrameReader:
        self._format = source.lower()
        return self

    def option(self, key: str, value: Any) -> DataFrameReader:
        self._options[key.lower()] = value
        return self

    def options(self, **options: Any) -> DataFrameReader:
        for k, v in options.items():
            self.option(k, v)
        return self

    def schema(self, schema: Any) -> DataFrameReader:
        unsupported("DataFrameReader.schema", "batch reads infer the schema from the files")

    def load(self, path: Union[str, list[str], None] = None, format: Optional[str] = None, **options: Any) -> DataFrame:  # noqa: A002
        if format:
            self._format = format.lower()
        self.options(**options)
        if path is None:
            path = self._options.get("path")
        if path is None:
            raise ValueError("load() needs a path")
        paths = [path] if isinstance(path, str) else list(path)
        return _read(self._session, paths, self._format, self._options)

    def json(self, path: Union[str, list[str]], **options: Any) -> DataFrame:
        return self.format("json").load(path, **options)

    def parquet(self, *paths: str, **options: Any) -> DataFrame:
        return self.format("parquet").load(list(paths), **options)

    def csv(self, path: Union[str, list[str]], **options: Any) -> DataFrame:
        return self.format("csv").load(path, **options)


def _read(session: Any, paths: list[str], fmt: str, options: dict[str, Any]) -> DataFrame:
    if fmt in TABLE_FORMATS:
        return _read_table(session, paths, fmt)
    if fmt not in FILE_FORMATS:
        unsupported(f"spark.read.format({fmt!r})", f"{listing([*FILE_FORMATS, *TABLE_FORMATS])} are")
    run = _run.current()
    mapped = [run.map_location(p) for p in paths]
    recursive = _run.option_flag(options.get("recursivefilelookup", False))
    files = _existing_files(run, paths, mapped, fmt)
    # Spark lists Hive-style partition folders (`k=v/`) under a path and adds their columns; other
    # subfolders' JSON and CSV files only with recursiveFileLookup (which turns partition
    # discovery off); Parquet files in them are read too, as glueless always has.
    partitioned: dict[tuple[tuple[str, str], ...], list[Any]] = {}
    for file in files:
        folders = _relative_folders(mapped, file[0])
        if recursive or not folders:
            partitioned.setdefault((), []).append(file)
        elif all("=" in f for f in folders):
            key = tuple((f.split("=", 1)[0], unquote(f.split("=", 1)[1])) for f in folders)
            partitioned.setdefault(key, []).append(file)
        elif fmt == "parquet":
            partitioned.setdefault((), []).append(file)  # as ever: every Parquet file under the path
    keys = {tuple(k for k, _ in values) for values in partitioned if values}
    if len(keys) > 1:
        raise ValueError(f"Conflicting partition column names detected under {', '.join(paths)}: {sorted(keys)}")
    names = next(iter(keys), ())
    types = {name: _partition_type([dict(values).get(name) for values in partitioned]) for name in names}
    frames = []
    header = _run.option_flag(options.get("header", False))
    separator = str(options.get("sep", options.get("delimiter", ",")))
    quote_char = str(options.get("quote", '"')) or None
    summaries = []
    for values, group in sorted(partitioned.items()) or [((), [])]:
        frame, summary = run.session.read_files(
            group, fmt, header=header, separator=separator, quote=quote_char, escape=options.get("escape")
        )
        summaries.append(summary)
        df = DataFrame(frame, session)
        if fmt == "json" and df.columns:
            # Spark's JSON reader orders the inferred columns by name.
            df = df.select(*[f"`{c}`" for c in sorted(df.columns)])
        if names:
            literals = [_partition_literal(dict(values).get(n), types[n], n) for n in names]
            df = df.selectExpr(*[quote(c) for c in df.columns], *literals)
        frames.append(df)
    # Folders whose files lack a column another folder's have: null there, as Spark's one schema.
    columns = list(dict.fromkeys(c for df in frames for c in df.columns))
    result = None
    for df in frames:
        if df.columns != columns:
            df = df.selectExpr(*[quote(c) if c in df.columns else f"NULL AS {quote(c)}" for c in columns])
        result = df if result is None else result.union(df)
    assert result is not None
    run.report_source(f"spark.read.{fmt}", mapped, _combined(summaries))
    result._inputs = tuple(_file_uri(file[0]) for file in files)
    return result


def _file_uri(path: str) -> str:
    """A file's address as Spark's ``inputFiles`` gives it: a URI (``file:///…`` for a local file)."""
    return path if "://" in path else Path(os.path.abspath(path)).as_uri()


def _existing_files(run: Any, paths: list[str], mapped: list[str], fmt: str) -> list[Any]:
    """The files under ``mapped``, with Spark's analysis errors: a path that does not exist is
    PATH_NOT_FOUND (Glue's ``from_options`` reads an empty prefix as no rows; ``spark.read`` does
    not), and paths that hold no file leave no schema to infer."""
    from glueless.exceptions import SqlError

    files = []
    for path, location in zip(paths, mapped):
        found = run.session.list_files([location], True)
        local = "://" not in location or location.startswith("file://")
        if not found and not (local and os.path.exists(location.removeprefix("file://"))):
            shown = f"file:{os.path.abspath(path)}" if "://" not in path else path
            raise SqlError(f"[PATH_NOT_FOUND] Path does not exist: {shown}.")
        files += found
    if not files:
        name = spark_source_name(fmt)
        raise SqlError(f"[UNABLE_TO_INFER_SCHEMA] Unable to infer schema for {name}. It must be specified manually.")
    return sorted(set(files))


#: Open table formats: read as their current snapshot, written as one new snapshot.
TABLE_FORMATS = OPEN_FORMATS


def _read_table(session: Any, paths: list[str], fmt: str) -> DataFrame:
    """``spark.read.format("delta").load(path)``: the rows of the table's current snapshot."""
    run = _run.current()
    if len(paths) != 1:
        unsupported(f"spark.read.format({fmt!r}).load() of several paths", "one table path is")
    target = run.map_location(paths[0])
    files = run.session.table_files(target)
    frame, summary = run.session.read_files(files, "parquet")
    run.report_source(f"spark.read.{fmt}", [target], summary)
    df = DataFrame(frame, session)
    df._inputs = tuple(_file_uri(file[0]) for file in files)
    return df


def _combined(summaries: list[Any]) -> Any:
    """One source summary for the reads of several partition folders."""
    if len(summaries) == 1:
        return summaries[0]
    import pyarrow as pa

    total = {k: sum(s[k] for s in summaries) for k in ("files", "bytes", "records", "quarantined", "rows")}
    total["rejected"] = pa.concat_tables([pa.table(s["rejected"]) for s in summaries])
    return total


def _relative_folders(roots: list[str], location: str) -> list[str]:
    """The folders between the root among ``roots`` that holds ``location`` and the file."""
    for root in roots:
        # Local paths come back absolute.
        base = root if "://" in root else os.path.abspath(root)
        prefix = base.rstrip("/") + "/"
        if location.startswith(prefix):
            return location[len(prefix) :].split("/")[:-1]
    return []


_NULL_PARTITION = "__HIVE_DEFAULT_PARTITION__"


def _partition_type(values: list[Optional[str]]) -> str:
    """Spark's inference of a partition column's type from its folder values."""
    present = [v for v in values if v is not None and v != _NULL_PARTITION]

    def all_parse(kind: Any) -> bool:
        try:
            return all(kind(v) is not None for v in present)
        except ValueError:
            return False

    if present and all(re.fullmatch(r"[+-]?\d+", v) for v in present):
        return "INT" if all(-(2**31) <= int(v) < 2**31 for v in present) else "BIGINT"
    if (
        present
        and all_parse(float)
        and not any(v.lower() in ("nan", "inf", "infinity", "-inf", "-infinity") for v in present)
    ):
        return "DOUBLE"
    if present and all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", v) for v in present):
        return "DATE"
    return "STRING"


def _partition_literal(value: Optional[str], sql_type: str, name: str) -> str:
    if value is None or value == _NULL_PARTITION:
        return f"CAST(NULL AS {sql_type}) AS {quote(name)}"
    text = "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"
    return f"CAST({text} AS {sql_type}) AS {quote(name)}"


def _table_name(name: str) -> tuple[str, str]:
    """``db.t`` (or ``t`` in ``default``) as the catalog names it, backticks removed."""
    parts = [p.strip("`").lower() for p in name.split(".")]
    return (parts[-2], parts[-1]) if len(parts) > 1 else ("default", parts[-1])


class DataFrameWriter(Surface):
    """``df.write``: mode, format, partitionBy, and json/parquet/csv files."""

    _api_name = "DataFrameWriter"

    def __init__(self, df: DataFrame) -> None:
        self._df = df
        self._mode = "errorifexists"
        self._format = "parquet"
        self._options: dict[str, Any] = {}
        self._partition_by: list[str] = []

    def mode(self, saveMode: Optional[str]) -> DataFrameWriter:
        mode = (saveMode or "errorifexists").lower()
        if mode not in ("append", "overwrite", "error", "errorifexists", "ignore"):
            raise ValueError(
                f"Unknown save mode: {saveMode}. Accepted save modes are "
                "'overwrite', 'append', 'ignore', 'error', 'errorifexists', 'default'."
            )
        self._mode = "errorifexists" if mode == "error" else mode
        return self

    def format(self, source: str) -> DataFrameWriter:
        self._format = source.lower()
        return self

    def option(self, key: str, value: Any) -> DataFrameWriter:
        self._options[key.lower()] = value
        return self

    def options(self, **options: Any) -> DataFrameWriter:
        for k, v in options.items():
            self.option(k, v)
        return self

    def partitionBy(self, *cols: str) -> DataFrameWriter:
        if len(cols) == 1 and isinstance(cols[0], (list, tuple)):
            cols = tuple(cols[0])
        self._partition_by = list(cols)
        return self

    def save(
        self, path: Optional[str] = None, format: Optional[str] = None, mode: Optional[str] = None, **options: Any
    ) -> None:  # noqa: A002
        if format:
            self._format = format.lower()
        if mode:
            self.mode(mode)
        self.options(**options)
        path = path or self._options.get("path")
        if not path:
            raise ValueError("save() needs a path")
        if self._format not in (*FILE_FORMATS, *TABLE_FORMATS):
            unsupported(f"DataFrameWriter.format({self._format!r})", f"{listing([*FILE_FORMATS, *TABLE_FORMATS])} are")
        if self._format != "csv":
            _refuse_duplicate_columns(self._df.columns)
        run = _run.current()
        target = run.map_location(path)
        if self._format in TABLE_FORMATS:
            self._save_table(target)
            return
        existing = run.session.list_files([target], True)
        compression = self._options.get("compression")
        if self._mode == "errorifexists" and existing:
            from glueless.exceptions import ConflictError

            raise ConflictError(
                f"[PATH_ALREADY_EXISTS] Path {path} already exists. "
                'Set mode as "overwrite" to overwrite the existing path.'
            )
        if self._mode == "ignore" and existing:
            return
        frame = self._df._frame
        # Spark's CSV writer writes no header line unless asked (Glue's writes one).
        header = _run.option_flag(self._options.get("header", False))
        if self._mode == "overwrite" and existing:
            if "://" not in target:
                target = os.path.abspath(target)  # the staged folder goes beside it, also for `out`
            staging = _staging_beside(target)
            written = frame.write(staging, self._format, compression, self._partition_by, header)
            commit_staged_folder(staging, target)
        else:
            written = frame.write(target, self._format, compression, self._partition_by, header)
        detail = {"files": written["files"], "mode": self._mode}
        run.report(_run.Event("sink", f"df.write.{self._format} ({self._mode})", target, written["rows"], detail))

    def _save_table(self, target: str) -> None:
        """Delta / Iceberg: append or overwrite as one snapshot; ``error`` / ``ignore`` look at
        whether a table is there, as Spark's Delta and Iceberg writers do."""
        if self._partition_by:
            unsupported(f"DataFrameWriter.partitionBy() with format {self._format!r}", "unpartitioned tables are")
        run = _run.current()
        exists = bool(run.session.table_files(target)) if run.session.list_files([target], True) else False
        if self._mode == "errorifexists" and exists:
            from glueless.exceptions import ConflictError

            raise ConflictError(
                f"[DELTA_PATH_EXISTS] Cannot write to already existent path {target} "
                "without setting mode = 'overwrite'."
            )
        if self._mode == "ignore" and exists:
            return
        mode = "append" if self._mode == "append" else "overwrite"
        written = self._df._frame.write_table(target, self._format, mode)
        detail = {"files": written["files"], "mode": mode}
        run.report(_run.Event("sink", f"df.write.{self._format} ({self._mode})", target, written["rows"], detail))

    def saveAsTable(
        self,
        name: str,
        format: Optional[str] = None,  # noqa: A002
        mode: Optional[str] = None,
        partitionBy: Any = None,
        **options: Any,
    ) -> None:
        """``saveAsTable("db.t")`` into the run's Data Catalog (Glue's metastore): the files under
        the table's location — the existing table's, else the database's ``LOCATION`` + the
        table's name — and the table's entry created or updated (Parquet, Delta or Iceberg)."""
        if format:
            self._format = format.lower()
        if mode:
            self.mode(mode)
        if partitionBy:
            self.partitionBy(partitionBy)
        self.options(**options)
        database, table_name = _table_name(name)
        catalog = _run.current().catalog
        existing = catalog.get_table(database, table_name)
        if existing is not None:
            if self._mode == "errorifexists":
                from glueless.exceptions import ConflictError

                raise ConflictError(f"[TABLE_OR_VIEW_ALREADY_EXISTS] Table `{database}`.`{table_name}` already exists.")
            if self._mode == "ignore":
                return
            location = existing["StorageDescriptor"]["Location"]
        else:
            base = (catalog.get_database(database) or {}).get("LocationUri")
            if not base:
                unsupported("saveAsTable", f"a database without a LOCATION ({database!r}: give it one in its DDL)")
            location = f"{str(base).rstrip('/')}/{table_name}/"
        if self._format not in ("parquet", *TABLE_FORMATS):
            unsupported(f"saveAsTable with format {self._format!r}", "parquet, delta and iceberg are")
        self.save(location)
        self._register(database, table_name, location)

    def insertInto(self, tableName: str, overwrite: Optional[bool] = None) -> None:
        """``insertInto("db.t")``: the rows, by position as the table's columns (as Spark's
        insertInto), appended to the catalog table's files (replacing them with ``overwrite``)."""
        database, table_name = _table_name(tableName)
        table = _run.current().catalog.get_table(database, table_name)
        if table is None:
            from glueless.exceptions import SqlError

            raise SqlError(f"[TABLE_OR_VIEW_NOT_FOUND] The table or view `{database}`.`{table_name}` cannot be found.")
        declared = [c["Name"] for c in table["StorageDescriptor"]["Columns"] + (table.get("PartitionKeys") or [])]
        if len(declared) != len(self._df.columns):
            from glueless.exceptions import SqlError

            raise SqlError(
                f"[INSERT_COLUMN_ARITY_MISMATCH] Cannot write to `{database}`.`{table_name}`: the table has "
                f"{len(declared)} columns, the data {len(self._df.columns)}."
            )
        parameters = table.get("Parameters") or {}
        self._format = str(parameters.get("table_type") or parameters.get("classification") or "parquet").lower()
        self._mode = "overwrite" if overwrite else "append"
        self._partition_by = [k["Name"] for k in table.get("PartitionKeys") or []]
        renamed = self._df.toDF(*declared)
        writer = DataFrameWriter(renamed)
        writer._format, writer._mode, writer._partition_by = self._format, self._mode, self._partition_by
        writer.save(table["StorageDescriptor"]["Location"])

    def _register(self, database: str, table_name: str, location: str) -> None:
        from glueless.catalog_sync import put_table

        fields = {name: spark_type for name, spark_type, _glue, _nullable in self._df._frame.fields()}
        columns = [(n, t) for n, t in fields.items() if n not in self._partition_by]
        keys = [(k, fields[k]) for k in self._partition_by]
        run = _run.current()
        put_table(
            run.catalog, database, table_name, location, self._format, columns,
            read_at=run.map_location(location), partition_keys=keys,
        )  # fmt: skip

    def json(self, path: str, mode: Optional[str] = None, compression: Optional[str] = None, **options: Any) -> None:
        if compression:
            self.option("compression", compression)
        self.format("json").save(path, mode=mode, **options)

    def parquet(
        self, path: str, mode: Optional[str] = None, partitionBy: Any = None, compression: Optional[str] = None
    ) -> None:
        if partitionBy:
            self.partitionBy(partitionBy)
        if compression:
            self.option("compression", compression)
        self.format("parquet").save(path, mode=mode)

    def csv(
        self,
        path: str,
        mode: Optional[str] = None,
        compression: Optional[str] = None,
        header: Any = None,
        **options: Any,
    ) -> None:
        if compression:
            self.option("compression", compression)
        if header is not None:
            self.option("header", header)
        self.format("csv").save(path, mode=mode, **options)


def _refuse_duplicate_columns(columns: list[str]) -> None:
    """Spark's JSON, Parquet and table writers refuse two columns of one name (ignoring case, as
    ``spark.sql.caseSensitive`` is false); its CSV writer writes both."""
    from glueless.exceptions import SqlError

    seen: set[str] = set()
    for name in columns:
        if name.lower() in seen:
            raise SqlError(
                f"[COLUMN_ALREADY_EXISTS] The column `{name.lower()}` already exists. "
                "Choose another name or rename the existing column."
            )
        seen.add(name.lower())


def _staging_beside(target: str) -> str:
    """A hidden folder beside ``target``, committed in place of it in one step."""
    parent, _, name = target.rstrip("/").rpartition("/")
    staging = f"{parent}/.{name}.staging-{os.getpid()}-write{uuid.uuid4().hex[:12]}"
    if "://" not in staging:
        os.makedirs(staging, exist_ok=True)
    return staging
