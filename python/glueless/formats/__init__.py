"""Iceberg and Delta Lake tables: the core writes the Parquet files, these commit them.

:class:`TableFormats` is installed into the core at import (``glueless/__init__.py``); the core
calls it to commit a job's new files as one snapshot and to read a table's current snapshot (the
next job's input, a bookmark). pyiceberg and the ``deltalake`` package are imported only then, so a
Parquet lake needs neither (``pip install "glueless[iceberg]"`` / ``"glueless[delta]"``).
"""

from __future__ import annotations

import argparse
import os
from typing import Any, Optional

from glueless._glueless import OPEN_TABLE_FORMATS, TABLE_FORMATS
from glueless.exceptions import InvalidArgumentError, UnsupportedError

#: The formats ``--format`` takes (the core's table formats).
FORMATS = tuple(TABLE_FORMATS)
#: Open table formats: read as their current snapshot, written as new snapshots.
OPEN_FORMATS = tuple(OPEN_TABLE_FORMATS)


def listing(names: Any) -> str:
    """``a, b and c``: names as a refusal lists what glueless takes."""
    names = list(names)
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


#: A file of a snapshot: its URL or path, size in bytes, and modification time (ms since the epoch).
SnapshotFile = tuple[str, int, int]

#: The snapshot property (Iceberg) / commit-info key (Delta) that carries glueless's commit
#: properties (a job bookmark) as JSON.
PROPERTIES_KEY = "glueless.properties"

#: Marks a commit glueless made (with or without properties): the newest one decides a table's
#: properties, whatever other writers (OPTIMIZE, compaction) committed after it.
COMMIT_KEY = "glueless.commit"


def commit_metadata(properties: Optional[str]) -> dict[str, str]:
    """What a glueless commit records beside its files."""
    metadata = {COMMIT_KEY: "1"}
    if properties is not None:
        metadata[PROPERTIES_KEY] = properties
    return metadata


def committed_properties(entries: Any) -> Optional[str]:
    """The properties of the newest glueless commit among ``entries`` (mappings, newest first)."""
    for entry in entries:
        if COMMIT_KEY in entry or PROPERTIES_KEY in entry:
            value = entry.get(PROPERTIES_KEY)
            return None if value is None else str(value)
    return None


def add_format_options(parser: argparse.ArgumentParser, **kwargs: Any) -> None:
    """``--format`` and ``--catalog``, as every job-running command takes them."""
    parser.add_argument(
        "--format",
        choices=FORMATS,
        help="table format of the zones written (default: each table's own, parquet for new ones); "
        'iceberg and delta need pip install "glueless[iceberg]" / "glueless[delta]"',
        **kwargs,
    )
    parser.add_argument(
        "--catalog",
        help="where Iceberg tables are registered: a local catalog folder (default $GLUELESS_CATALOG, "
        "else ./.glueless/catalog) or 'glue' for the AWS Glue Data Catalog",
        **kwargs,
    )


#: A local lake's own Data Catalog (its tables' entries and Iceberg's SQLite catalog), used when
#: no ``--catalog`` and no ``$GLUELESS_CATALOG`` is given, so each lake is self-contained.
LAKE_CATALOG = os.path.join("_glueless", "data_catalog")


def use_catalog(catalog: Optional[str], lake: Optional[str] = None) -> None:
    """Make ``catalog`` (``--catalog``) the one Iceberg tables are committed to and the catalog
    commands use in this process; without one (and without ``$GLUELESS_CATALOG``), a local
    ``lake``'s own (``LAKE/_glueless/data_catalog``)."""
    from glueless.catalog import CATALOG_ENV

    if catalog:
        os.environ[CATALOG_ENV] = catalog
    elif lake and not os.environ.get(CATALOG_ENV) and not lake.startswith(("s3://", "s3a://")):
        local = lake[len("file://") :] if lake.startswith("file://") else lake
        os.environ[CATALOG_ENV] = os.path.join(local, LAKE_CATALOG)


class TableFormats:
    """What the core calls to commit and read open-format tables."""

    def __init__(self) -> None:
        self._iceberg: Any = None

    def _format(self, name: str) -> Any:
        if name == "delta":
            from glueless.formats import delta

            return delta
        if name == "iceberg":
            if self._iceberg is None:
                from glueless.formats.iceberg import IcebergTables

                self._iceberg = IcebergTables()
            return self._iceberg
        raise InvalidArgumentError(f"unknown table format {name!r}")

    def require(self, format: str) -> None:
        """The extra ``format`` needs is installed (pyarrow with it), or one line naming it: called
        before the core hands an Arrow schema over, which needs pyarrow itself."""
        try:
            import pyarrow  # noqa: F401
        except ImportError:
            raise UnsupportedError(f'{format.capitalize()} tables need: pip install "glueless[{format}]"') from None
        if format == "iceberg":
            from glueless.formats.iceberg import _import_pyiceberg

            _import_pyiceberg()
        elif format == "delta":
            from glueless.formats.delta import _deltalake

            _deltalake()

    def commit(
        self,
        format: str,
        table: str,
        name: str,
        schema: Any,
        files: list[tuple[str, int, int]],
        mode: str,
        properties: Optional[str],
    ) -> None:
        """Commit ``files`` (URL, bytes, rows) as one snapshot of the table at ``table``."""
        self._format(format).commit(table, name, schema, files, mode, properties)

    def snapshot(self, format: str, table: str) -> tuple[list[SnapshotFile], Optional[str]]:
        """The current snapshot's files and commit properties of the table at ``table``."""
        result: tuple[list[SnapshotFile], Optional[str]] = self._format(format).snapshot(table)
        return result
