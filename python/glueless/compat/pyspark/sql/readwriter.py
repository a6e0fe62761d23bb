"""``spark.read`` and ``df.write``: files under local folders or S3 prefixes (after ``--map``)."""

from __future__ import annotations

import os
import uuid
from typing import Any, Optional, Union

from glueless._glueless import commit_staged_folder
from glueless.compat import _run
from glueless.compat._unsupported import Surface, unsupported
from glueless.compat.pyspark.sql.dataframe import DataFrame

class DataFrameReader(Surface):
    """``spark.read``: json, parquet and csv files."""

    _api_name = "DataFrameReader"

    def __init__(self, session: Any) -> None:
        self._session = session
        self._format = "parquet"
        self._options: dict[str, Any] = {}

    def format(self, source: str) -> "DataFrameReader":
        self._format = source.lower()
        return self

    def option(self, key: str, value: Any) -> "DataFrameReader":
        self._options[key.lower()] = value
        return self

    def options(self, **options: Any) -> "DataFrameReader":
        for k, v in options.items():
            self.option(k, v)
        return self

    def schema(self, schema: Any) -> "DataFrameReader":
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
    if fmt not in ("json", "parquet", "csv"):
        unsupported(f"spark.read.format({fmt!r})", "json, parquet and csv are")
    run = _run.current()
    mapped = [run.map_location(p) for p in paths]
    files = run.session.list_files(mapped, _run.option_flag(options.get("recursivefilelookup", False)) or fmt == "parquet")
    frame, summary = run.session.read_files(
        files,
        fmt,
        header=_run.option_flag(options.get("header", False)),
        separator=str(options.get("sep", options.get("delimiter", ","))),
        quote=str(options.get("quote", '"')) or None,
        escape=options.get("escape"),
    )
    if fmt == "json":
        # Spark's JSON reader orders the inferred columns by name.
        frame = frame.select([f"`{c}`" for c in sorted(frame.columns)]) if frame.columns else frame
    run.report_source(f"spark.read.{fmt}", mapped, summary)
    return DataFrame(frame, session)


class DataFrameWriter(Surface):
    """``df.write``: mode, format, partitionBy, and json/parquet/csv files."""

    _api_name = "DataFrameWriter"

    def __init__(self, df: DataFrame) -> None:
        self._df = df
        self._mode = "errorifexists"
        self._format = "parquet"
        self._options: dict[str, Any] = {}
        self._partition_by: list[str] = []

    def mode(self, saveMode: Optional[str]) -> "DataFrameWriter":
        mode = (saveMode or "errorifexists").lower()
        if mode not in ("append", "overwrite", "error", "errorifexists", "ignore"):
            raise ValueError(f"Unknown save mode: {saveMode}. Accepted save modes are 'overwrite', 'append', 'ignore', 'error', 'errorifexists', 'default'.")
        self._mode = "errorifexists" if mode == "error" else mode
        return self

    def format(self, source: str) -> "DataFrameWriter":
        self._format = source.lower()
        return self

    def option(self, key: str, value: Any) -> "DataFrameWriter":
        self._options[key.lower()] = value
        return self

    def options(self, **options: Any) -> "DataFrameWriter":
        for k, v in options.items():
            self.option(k, v)
        return self

    def partitionBy(self, *cols: str) -> "DataFrameWriter":
        if len(cols) == 1 and isinstance(cols[0], (list, tuple)):
            cols = tuple(cols[0])
        self._partition_by = list(cols)
        return self

    def save(self, path: Optional[str] = None, format: Optional[str] = None, mode: Optional[str] = None, **options: Any) -> None:  # noqa: A002
        if format:
            self._format = format.lower()
        if mode:
            self.mode(mode)
        self.options(**options)
        path = path or self._options.get("path")
        if not path:
            raise ValueError("save() needs a path")
        if self._format not in ("json", "parquet", "csv"):
            unsupported(f"DataFrameWriter.format({self._format!r})", "json, parquet and csv are")
        run = _run.current()
        target = run.map_location(path)
        existing = run.session.list_files([target], True)
        compression = self._options.get("compression")
        if self._mode == "errorifexists" and existing:
            from glueless.exceptions import ConflictError

            raise ConflictError(f"[PATH_ALREADY_EXISTS] Path {path} already exists. Set mode as \"overwrite\" to overwrite the existing path.")
        if self._mode == "ignore" and existing:
            return
        frame = self._df._frame
        if self._mode == "overwrite" and existing:
            staging = _staging_beside(target)
            written = frame.write(staging, self._format, compression, self._partition_by)
            commit_staged_folder(staging, target)
        else:
            written = frame.write(target, self._format, compression, self._partition_by)
        run.report(_run.Event("sink", f"df.write.{self._format} ({self._mode})", target, written["rows"], {"files": written["files"]}))

    def json(self, path: str, mode: Optional[str] = None, compression: Optional[str] = None, **options: Any) -> None:
        if compression:
            self.option("compression", compression)
        self.format("json").save(path, mode=mode, **options)

    def parquet(self, path: str, mode: Optional[str] = None, partitionBy: Any = None, compression: Optional[str] = None) -> None:
        if partitionBy:
            self.partitionBy(partitionBy)
        if compression:
            self.option("compression", compression)
        self.format("parquet").save(path, mode=mode)

    def csv(self, path: str, mode: Optional[str] = None, compression: Optional[str] = None, header: Any = None, **options: Any) -> None:
        if compression:
            self.option("compression", compression)
        self.format("csv").save(path, mode=mode, **options)


def _staging_beside(target: str) -> str:
    """A hidden folder beside ``target``, committed in place of it in one step."""
    parent, _, name = target.rstrip("/").rpartition("/")
    staging = f"{parent}/.{name}.staging-{os.getpid()}-write{uuid.uuid4().hex[:12]}"
    if "://" not in staging:
        os.makedirs(staging, exist_ok=True)
    return staging
