"""Apache Iceberg commits through pyiceberg: glueless's Parquet files (under the table's
``data/``) become one snapshot (an OVERWRITE replacing the current files, or an APPEND), committed
through a catalog, so readers see whole snapshots only and earlier ones stay readable by time travel.

The catalog is the one ``--catalog`` names (``$GLUELESS_CATALOG``): by default a SQLite catalog
``iceberg.db`` inside the local catalog folder (``./.glueless/catalog``), or with ``glue`` the AWS
Glue Data Catalog (``table_type=ICEBERG`` tables Athena reads and writes).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Optional

from glueless.exceptions import ConflictError, InvalidArgumentError, UnsupportedError
from glueless.formats import SnapshotFile, commit_metadata, committed_properties
from glueless.formats._paths import file_uri, iceberg_io_properties, is_s3, local_path

#: The namespace of a table name without one.
DEFAULT_NAMESPACE = "default"

#: The SQLite file of the local Iceberg catalog, inside the local catalog folder.
SQLITE_CATALOG = "iceberg.db"


def _import_pyiceberg() -> None:
    try:
        import pyiceberg.catalog  # noqa: F401
        import pyiceberg.io.pyarrow  # noqa: F401
    except ImportError:
        raise UnsupportedError('Iceberg tables need pyiceberg: pip install "glueless[iceberg]"') from None


def catalog_setting() -> str:
    """Where Iceberg tables are registered: ``glue`` or the local catalog folder."""
    from glueless.catalog import CATALOG_ENV, DEFAULT_CATALOG

    return os.environ.get(CATALOG_ENV) or DEFAULT_CATALOG


def open_catalog(s3: bool) -> Any:
    """The pyiceberg catalog ``--catalog`` names, with S3 settings when tables live on S3."""
    _import_pyiceberg()
    properties = iceberg_io_properties() if s3 else {}
    setting = catalog_setting()
    if setting == "glue":
        from pyiceberg.catalog.glue import GlueCatalog

        region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
        if region:
            properties["glue.region"] = region
        return GlueCatalog("glue", **properties)
    from pyiceberg.catalog.sql import SqlCatalog

    folder = Path(setting).absolute()
    folder.mkdir(parents=True, exist_ok=True)
    return SqlCatalog("glueless", uri=f"sqlite:///{folder / SQLITE_CATALOG}", **properties)


def identifier(name: str) -> tuple[str, str]:
    namespace, _, table = name.rpartition(".")
    return (namespace or DEFAULT_NAMESPACE).lower(), table.lower()


def _data_files(table: Any) -> list[Any]:
    """The live data files of the current snapshot, empty ones included (a scan plans only files
    with rows, but an empty table's one file gives readers its schema and must be replaced too)."""
    from pyiceberg.manifest import DataFileContent, ManifestContent

    current = table.current_snapshot()
    if current is None:
        return []
    files = []
    for manifest in current.manifests(table.io):
        if manifest.content != ManifestContent.DATA:
            continue
        for entry in manifest.fetch_manifest_entry(table.io, discard_deleted=True):
            if entry.data_file.content == DataFileContent.DATA:
                files.append(entry.data_file)
    return files


def _ancestry(table: Any, snapshot: Any) -> Iterator[dict[str, str]]:
    """The snapshot properties of ``snapshot`` and its ancestors, newest first, read as far as
    the caller goes (the newest glueless commit is usually the first)."""
    while snapshot is not None:
        yield snapshot.summary.additional_properties if snapshot.summary else {}
        parent = snapshot.parent_snapshot_id
        snapshot = table.snapshot_by_id(parent) if parent is not None else None


class IcebergTables:
    """Commits and snapshots of the Iceberg tables of one catalog."""

    def __init__(self) -> None:
        #: By the catalog setting (``--catalog`` may change it between calls), S3 or not, and
        #: the AWS settings it was opened with (endpoint, profile, keys), as the core keys its stores.
        self._catalogs: dict[tuple[str, bool, tuple[tuple[str, str], ...]], Any] = {}
        #: Table location → identifier, for reads that know only the folder.
        self._names: dict[str, tuple[str, str]] = {}

    def _catalog(self, location: str) -> Any:
        aws = tuple(sorted((k, v) for k, v in os.environ.items() if k.startswith("AWS_")))
        key = (catalog_setting(), is_s3(location), aws)
        if key not in self._catalogs:
            self._catalogs[key] = open_catalog(key[1])
        return self._catalogs[key]

    def commit(
        self,
        location: str,
        name: str,
        schema: Any,
        files: list[tuple[str, int, int]],
        mode: str,
        properties: Optional[str],
    ) -> None:
        """Commit ``files`` as one OVERWRITE (``mode="overwrite"``) or APPEND snapshot."""
        _import_pyiceberg()
        import pyarrow
        from pyiceberg.exceptions import CommitFailedException, NoSuchIcebergTableError, NoSuchTableError
        from pyiceberg.io.pyarrow import parquet_file_to_data_file

        catalog = self._catalog(location)
        ident = identifier(name)
        uri = file_uri(location)
        arrow_schema = pyarrow.schema(schema)
        catalog.create_namespace_if_not_exists(ident[0])
        try:
            table = catalog.load_table(ident)
        except NoSuchIcebergTableError:
            raise InvalidArgumentError(
                f"{'.'.join(ident)} in the {catalog.name} catalog is not an Iceberg table: "
                "drop it or use another database"
            ) from None
        except NoSuchTableError:
            table = self._create(catalog, ident, uri, arrow_schema)
        if table.location().rstrip("/") != uri:
            raise InvalidArgumentError(
                f"Iceberg table {'.'.join(ident)} in the {catalog.name} catalog is at {table.location()}, "
                f"not {location}"
            )
        try:
            with table.transaction() as tx:
                if table.schema().as_arrow() != arrow_schema:
                    with tx.update_schema() as update:
                        update.union_by_name(arrow_schema)
                snapshot = tx.update_snapshot(snapshot_properties=commit_metadata(properties))
                with snapshot.overwrite() if mode == "overwrite" else snapshot.fast_append() as change:
                    if mode == "overwrite":
                        for data_file in _data_files(table):
                            change.delete_data_file(data_file)
                    for path, _size, _rows in files:
                        change.append_data_file(parquet_file_to_data_file(table.io, tx.table_metadata, file_uri(path)))
        except CommitFailedException as e:
            raise ConflictError(f"{location}: another writer committed to the Iceberg table first ({e})") from None
        self._names[uri] = ident

    def _create(self, catalog: Any, ident: tuple[str, str], uri: str, schema: Any) -> Any:
        from pyiceberg.table.name_mapping import create_mapping_from_schema

        table = catalog.create_table(ident, schema=schema, location=uri, properties={"format-version": "2"})
        # The Parquet files carry no Iceberg field ids: readers map their columns by name.
        mapping = create_mapping_from_schema(table.schema())
        with table.transaction() as tx:
            tx.set_properties({"schema.name-mapping.default": mapping.model_dump_json()})
        return catalog.load_table(ident)

    def table(self, location: str) -> Any:
        """The pyiceberg table at ``location``, found in the catalog."""
        _import_pyiceberg()
        return self._find(location)

    def _find(self, location: str) -> Any:
        from pyiceberg.exceptions import NoSuchTableError

        catalog = self._catalog(location)
        uri = file_uri(location)
        known = self._names.get(uri)
        if known is not None:
            try:
                table = catalog.load_table(known)
                if table.location().rstrip("/") == uri:
                    return table
            except NoSuchTableError:
                pass
        for namespace in catalog.list_namespaces():
            for ident in catalog.list_tables(namespace):
                try:
                    table = catalog.load_table(ident)
                except Exception:  # a Glue table that is not Iceberg
                    continue
                if table.location().rstrip("/") == uri:
                    self._names[uri] = tuple(ident)
                    return table
        raise InvalidArgumentError(
            f"{location} holds Iceberg metadata but no table of the {catalog.name} catalog "
            f"({catalog_setting()}) is there: give the --catalog it was written with"
        )

    def snapshot(self, location: str) -> tuple[list[SnapshotFile], Optional[str]]:
        """The current snapshot's data files and the newest glueless commit properties."""
        _import_pyiceberg()
        table = self._find(location)
        current = table.current_snapshot()
        if current is None:
            return [], None
        files = [
            (local_path(data_file.file_path), int(data_file.file_size_in_bytes), int(current.timestamp_ms))
            for data_file in _data_files(table)
        ]
        return files, committed_properties(_ancestry(table, current))
