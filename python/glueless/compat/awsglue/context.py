"""``awsglue.context.GlueContext``: sources, sinks and the Data Catalog, on glueless."""

from __future__ import annotations

from typing import Any, Optional

from glueless._glueless import FILE_FORMAT_NAMES, UNREAD_FORMATS, file_format, type_name
from glueless.catalog import MissingTableError
from glueless.compat import _run
from glueless.compat._unsupported import Surface, module_getattr, unsupported
from glueless.compat.awsglue.dynamicframe import DynamicFrame, DynamicFrameReader, DynamicFrameWriter
from glueless.compat.pyspark.sql.column import quote
from glueless.formats import OPEN_FORMATS, listing

__getattr__ = module_getattr("awsglue.context")

#: Open table formats: read as their current snapshot, written as one append snapshot.
_TABLE_FORMATS = OPEN_FORMATS


def _format_name(fmt: Optional[str]) -> str:
    name = (fmt or "").lower()
    if name in (*FILE_FORMAT_NAMES, *_TABLE_FORMATS):
        return name
    unsupported(f"format={fmt!r}", f"{listing([*FILE_FORMAT_NAMES, *_TABLE_FORMATS])} are")


def _classification(table: dict[str, Any]) -> str:
    """How a catalog table is stored: an open table format's ``table_type`` comes first (Glue's
    Iceberg entries carry no classification), else ``classification`` (JSON when absent)."""
    parameters = table.get("Parameters") or {}
    table_type = str(parameters.get("table_type", "")).lower()
    if table_type in (*_TABLE_FORMATS, *UNREAD_FORMATS):
        return table_type
    return parameters.get("classification", "json")


def _s3_only(connection_type: str, api: str) -> None:
    if (connection_type or "s3").lower() != "s3":
        unsupported(f"{api}(connection_type={connection_type!r})", "only s3 connections are")


def _write_header(format_options: dict[str, Any]) -> bool:
    """Glue's CSV writer begins each file with a header line unless ``writeHeader`` is false."""
    return _run.option_flag(format_options.get("writeHeader", True))


def _hive_type(spark_type: str) -> str:
    """Athena's (Hive's) name of a Spark type name, from the core's vocabulary."""
    return type_name(spark_type, "hive")


class DataSink(Surface):
    """``glueContext.getSink(...)``: a path, a format, and optionally a catalog table to update."""

    _api_name = "DataSink"

    def __init__(self, context: GlueContext, path: str, options: dict[str, Any], transformation_ctx: str) -> None:
        self._context = context
        self._path = path
        self._options = options
        self._format: Optional[str] = None
        self._format_options: dict[str, Any] = {}
        self._catalog: Optional[tuple[str, str]] = None
        self._ctx = transformation_ctx

    def setFormat(self, format: str, **options: Any) -> None:  # noqa: A002
        self._format = _format_name(format)
        self._format_options = options

    def setCatalogInfo(self, catalogDatabase: str, catalogTableName: str, catalogId: Optional[str] = None) -> None:
        self._catalog = (catalogDatabase.lower(), catalogTableName.lower())

    def writeFrame(self, dynamic_frame: DynamicFrame, info: str = "") -> DynamicFrame:
        fmt = self._format or _format_name(self._options.get("format") or "json")
        compression = self._format_options.get("compression") or self._options.get("compression")
        update = _run.option_flag(self._options.get("enableUpdateCatalog", False))
        behavior = str(self._options.get("updateBehavior") or "UPDATE_IN_DATABASE").upper()
        if behavior not in ("UPDATE_IN_DATABASE", "LOG"):
            raise ValueError(f"updateBehavior must be UPDATE_IN_DATABASE or LOG, not {behavior}")
        if update and self._catalog is None:
            unsupported(
                "getSink(enableUpdateCatalog=True)", "without setCatalogInfo(catalogDatabase=, catalogTableName=)"
            )
        self._context._write(
            dynamic_frame,
            self._path,
            fmt,
            compression,
            list(self._options.get("partitionKeys") or []),
            f"getSink {fmt}",
            catalog=self._catalog if update else None,
            behavior=behavior,
            header=_write_header({**self._options, **self._format_options}),
        )
        return dynamic_frame

    def write(self, dynamic_frame: DynamicFrame) -> DynamicFrame:
        return self.writeFrame(dynamic_frame)


class GlueContext(Surface):
    """A Glue context: ``create_dynamic_frame``, ``write_dynamic_frame``, ``getSink``, ``spark_session``."""

    _api_name = "GlueContext"

    def __init__(self, sparkContext: Any = None, **options: Any) -> None:
        from glueless.compat.pyspark.sql.session import SparkSession

        self._sc = sparkContext
        self.spark_session = SparkSession._active()
        self.create_dynamic_frame = DynamicFrameReader(self)
        self.write_dynamic_frame = DynamicFrameWriter(self)

    # --- sources ------------------------------------------------------------------------------
    def create_dynamic_frame_from_options(
        self,
        connection_type: str = "s3",
        connection_options: Optional[dict[str, Any]] = None,
        format: Optional[str] = None,
        format_options: Optional[dict[str, Any]] = None,
        transformation_ctx: str = "",
        push_down_predicate: str = "",
        **kwargs: Any,
    ) -> DynamicFrame:  # noqa: A002
        _s3_only(connection_type, "create_dynamic_frame.from_options")
        options = dict(connection_options or {})
        paths = options.get("paths") or ([options["path"]] if "path" in options else [])
        if isinstance(paths, str):
            paths = [paths]
        if not paths:
            raise ValueError("create_dynamic_frame.from_options: connection_options needs 'paths'")
        if push_down_predicate:
            unsupported("create_dynamic_frame.from_options(push_down_predicate=…)")
        for key in ("exclusions", "jsonPath"):
            if options.get(key) or (format_options or {}).get(key):
                unsupported(f"create_dynamic_frame.from_options({key}=…)")
        return self._read(
            f"from_options {format or ''}".strip(),
            list(paths),
            _format_name(format),
            dict(format_options or {}),
            _run.option_flag(options.get("recurse", False)),
            transformation_ctx,
        )

    def create_dynamic_frame_from_catalog(
        self,
        database: Optional[str] = None,
        table_name: Optional[str] = None,
        redshift_tmp_dir: str = "",
        transformation_ctx: str = "",
        push_down_predicate: str = "",
        additional_options: Optional[dict[str, Any]] = None,
        catalog_id: Optional[str] = None,
        **kwargs: Any,
    ) -> DynamicFrame:
        if not database or not table_name:
            raise ValueError("create_dynamic_frame.from_catalog needs database= and table_name=")
        if push_down_predicate:
            unsupported("create_dynamic_frame.from_catalog(push_down_predicate=…)")
        table = self._table(database, table_name)
        storage = table["StorageDescriptor"]
        classification = _classification(table)
        fmt = _format_name(classification)
        format_options: dict[str, Any] = {}
        if fmt == "csv":
            serde = (storage.get("SerdeInfo") or {}).get("Parameters") or {}
            format_options["separator"] = serde.get("field.delim") or serde.get("separatorChar") or ","
            format_options["withHeader"] = (
                str((table.get("Parameters") or {}).get("skip.header.line.count", "0")) != "0"
            )
        frame = self._read(
            f"from_catalog {table['DatabaseName']}.{table['Name']}",
            [storage["Location"]],
            fmt,
            format_options,
            True,
            transformation_ctx,
        )
        if fmt == "csv":
            # A CSV file's columns have no names of their own (a header line is skipped): Glue
            # names them after the table's columns, in order. JSON and Parquet records name their
            # fields themselves, and a DynamicFrame keeps those names (docs/glue-catalog-names.md).
            names = [c["Name"] for c in storage.get("Columns") or []]
            columns = frame._frame.columns
            renamed = [
                f"{quote(c)} AS {quote(names[i])}" if i < len(names) else quote(c) for i, c in enumerate(columns)
            ]
            frame = frame._new(frame._frame.select(renamed))
        return frame

    def _table(self, database: str, table_name: str) -> dict[str, Any]:
        run = _run.current()
        table = run.catalog.get_table(database.lower(), table_name.lower())
        if table is None:
            raise MissingTableError(
                f"table {database.lower()}.{table_name.lower()} is not in the {run.catalog.description}: "
                f"register it with `glueless catalog apply <its CREATE EXTERNAL TABLE .sql>`"
            )
        return table

    def _read(
        self, what: str, paths: list[str], fmt: str, format_options: dict[str, Any], recurse: bool, ctx: str
    ) -> DynamicFrame:
        run = _run.current()
        mapped = [run.map_location(p) for p in paths]
        if fmt in _TABLE_FORMATS:
            # The table's current snapshot (job bookmarks do not apply to these tables in Glue either).
            files, skipped = [f for p in mapped for f in run.session.table_files(p)], 0
            fmt = "parquet"
        else:
            files = run.session.list_files(mapped, recurse)
            files, skipped = run.bookmark_filter(ctx, files)
        frame, summary = run.session.read_files(
            files,
            file_format(fmt) or fmt,
            header=_run.option_flag(format_options.get("withHeader", False)),
            separator=str(format_options.get("separator", ",")),
            quote=None
            if str(format_options.get("quoteChar", '"')) == "-1"
            else str(format_options.get("quoteChar", '"')),
            escape=format_options.get("escaper") or None,
        )
        run.report_source(what, mapped, summary, skipped)
        return DynamicFrame(frame, self, ctx)

    # --- sinks --------------------------------------------------------------------------------
    def getSink(
        self, connection_type: str = "s3", format: Optional[str] = None, transformation_ctx: str = "", **options: Any
    ) -> DataSink:  # noqa: A002
        _s3_only(connection_type, "getSink")
        path = options.get("path")
        if not path:
            raise ValueError("getSink needs path=")
        sink = DataSink(self, path, options, transformation_ctx)
        if format:
            sink.setFormat(format)
        return sink

    def write_dynamic_frame_from_options(
        self,
        frame: DynamicFrame,
        connection_type: str = "s3",
        connection_options: Optional[dict[str, Any]] = None,
        format: Optional[str] = None,
        format_options: Optional[dict[str, Any]] = None,
        transformation_ctx: str = "",
        **kwargs: Any,
    ) -> DynamicFrame:  # noqa: A002
        _s3_only(connection_type, "write_dynamic_frame.from_options")
        options = dict(connection_options or {})
        if not options.get("path"):
            raise ValueError("write_dynamic_frame.from_options: connection_options needs 'path'")
        fmt = _format_name(format or "json")
        compression = (format_options or {}).get("compression") or options.get("compression")
        keys = list(options.get("partitionKeys") or [])
        self._write(
            frame,
            options["path"],
            fmt,
            compression,
            keys,
            f"from_options {fmt}",
            header=_write_header(format_options or {}),
        )
        return frame

    def write_dynamic_frame_from_catalog(
        self,
        frame: DynamicFrame,
        database: Optional[str] = None,
        table_name: Optional[str] = None,
        redshift_tmp_dir: str = "",
        transformation_ctx: str = "",
        additional_options: Optional[dict[str, Any]] = None,
        catalog_id: Optional[str] = None,
        **kwargs: Any,
    ) -> DynamicFrame:
        if not database or not table_name:
            raise ValueError("write_dynamic_frame.from_catalog needs database= and table_name=")
        table = self._table(database, table_name)
        classification = _classification(table)
        options = dict(additional_options or {})
        keys = list(options.get("partitionKeys") or [k["Name"] for k in table.get("PartitionKeys") or []])
        self._write(
            frame,
            table["StorageDescriptor"]["Location"],
            _format_name(classification),
            options.get("compression"),
            keys,
            f"from_catalog {table['DatabaseName']}.{table['Name']}",
        )
        return frame

    def _write(
        self,
        frame: DynamicFrame,
        path: str,
        fmt: str,
        compression: Optional[str],
        partition_keys: list[str],
        what: str,
        catalog: Optional[tuple[str, str]] = None,
        behavior: str = "UPDATE_IN_DATABASE",
        header: bool = True,
    ) -> None:
        run = _run.current()
        target = run.map_location(path)
        if fmt in _TABLE_FORMATS:
            if partition_keys:
                unsupported(f"partitionKeys with format={fmt!r}", "unpartitioned tables are")
            name = f"{catalog[0]}.{catalog[1]}" if catalog is not None else None
            written = frame._frame.write_table(target, fmt, "append", name)
        else:
            written = frame._frame.write(target, fmt, compression, partition_keys, header)
        detail: dict[str, Any] = {"files": written["files"], "bytes": written["bytes"]}
        if catalog is not None:
            detail["catalog"] = self._update_catalog(frame, path, fmt, partition_keys, catalog, behavior)
        run.report(_run.Event("sink", what, target, written["rows"], detail))

    def _update_catalog(
        self,
        frame: DynamicFrame,
        path: str,
        fmt: str,
        partition_keys: list[str],
        catalog: tuple[str, str],
        behavior: str,
    ) -> str:
        """Glue's ``enableUpdateCatalog``: create the table, or update its schema and location
        (``UPDATE_IN_DATABASE``) or only log a schema change (``LOG``)."""
        if fmt in _TABLE_FORMATS:
            return self._register_table(frame, path, fmt, catalog)
        run = _run.current()
        database, name = catalog
        fields = frame._frame.fields()
        keys = {k.lower() for k in partition_keys}
        columns = [
            {"Name": n.lower(), "Type": _hive_type(t)} for n, t, _g, _nullable in fields if n.lower() not in keys
        ]
        partitions = [{"Name": n.lower(), "Type": _hive_type(t)} for n, t, _g, _nullable in fields if n.lower() in keys]
        classification = file_format(fmt) or fmt
        existing = run.catalog.get_table(database, name)
        if existing is not None and behavior == "LOG":
            if existing["StorageDescriptor"]["Columns"] != columns:
                return f"catalog {database}.{name}: schema differs, logged only (updateBehavior=LOG)"
            return f"catalog {database}.{name} unchanged"
        table = _table_record(database, name, path, classification, columns, partitions)
        if existing is not None:
            table["Parameters"] = {**existing.get("Parameters", {}), **table["Parameters"]}
        run.catalog.put_table(table)
        return f"catalog {database}.{name} {'updated' if existing else 'created'}"

    def _register_table(self, frame: DynamicFrame, path: str, fmt: str, catalog: tuple[str, str]) -> str:
        """The catalog entry of a Delta or Iceberg table a sink wrote (as ``glueless catalog sync``
        writes it); an Iceberg table committed through the same Glue catalog already has its own."""
        from glueless.catalog_sync import put_table

        run = _run.current()
        database, name = catalog
        columns = [(n, _hive_type(t)) for n, t, _g, _nullable in frame._frame.fields()]
        verb = put_table(run.catalog, database, name, path, fmt, columns, read_at=run.map_location(path))
        return f"catalog {database}.{name} {verb}" if verb else f"catalog {database}.{name} committed by Iceberg"

    # --- the rest -----------------------------------------------------------------------------
    def purge_s3_path(
        self, s3_path: str, options: Optional[dict[str, Any]] = None, transformation_ctx: str = ""
    ) -> None:
        options = options or {}
        if int(options.get("retentionPeriod", 168)) != 0 or options.get("excludeStorageClasses"):
            unsupported("purge_s3_path", "only with retentionPeriod=0")
        run = _run.current()
        target = run.map_location(s3_path)
        count = run.session.purge(target)
        run.note(f"purged {count:,} objects under {target}")

    def get_logger(self) -> Any:
        import logging

        return logging.getLogger("glueless.script")


_SERDE = {
    "json": (
        "org.openx.data.jsonserde.JsonSerDe",
        "org.apache.hadoop.mapred.TextInputFormat",
        "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat",
    ),
    "csv": (
        "org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe",
        "org.apache.hadoop.mapred.TextInputFormat",
        "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat",
    ),
    "parquet": (
        "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe",
        "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
        "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
    ),
}


def _table_record(
    database: str,
    name: str,
    location: str,
    classification: str,
    columns: list[dict[str, str]],
    partitions: list[dict[str, str]],
) -> dict[str, Any]:
    serde, input_format, output_format = _SERDE[classification]
    serde_parameters = {"field.delim": ","} if classification == "csv" else {}
    return {
        "Name": name,
        "DatabaseName": database,
        "TableType": "EXTERNAL_TABLE",
        "Parameters": {"classification": classification},
        "PartitionKeys": partitions,
        "StorageDescriptor": {
            "Columns": columns,
            "Location": location,
            "InputFormat": input_format,
            "OutputFormat": output_format,
            "SerdeInfo": {"SerializationLibrary": serde, "Parameters": serde_parameters},
        },
    }
