"""``glueless catalog sync``: register every table of a lake in a catalog — the local one or, with
``--catalog glue``, the AWS Glue Data Catalog — as Athena needs it to read the table.

* landing tables: JSON (OpenX JsonSerDe) over the landing folder, with their current columns;
* Parquet zones: ``classification=parquet`` with the columns of the committed files;
* Delta zones: ``table_type=DELTA`` (Athena reads the schema and files from the log; the columns
  are there for Glue's console and for Spark);
* Iceberg zones: ``table_type=ICEBERG`` and the current ``metadata_location`` (Athena reads and
  writes the table through it). With ``--catalog glue`` an Iceberg table is already in Glue: its
  commits go through the Glue catalog itself, so sync leaves its entry to it.

Existing entries are updated in place (columns, location, parameters), so running sync after each
job keeps the catalog in step with the lake; the drivers do that with ``--catalog glue``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any, Optional

from glueless._glueless import catalog_ddl, parse_catalog_ddl, type_name
from glueless.catalog import Catalog, Table
from glueless.exceptions import InvalidArgumentError, UnsupportedError

#: Column names and Athena types.
Columns = Sequence[tuple[str, str]]

_PARQUET_SERDE = {
    "SerializationLibrary": "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe",
    "Parameters": {"serialization.format": "1"},
}
_PARQUET_INPUT = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat"
_PARQUET_OUTPUT = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat"


def _storage(location: str, columns: Columns) -> dict[str, Any]:
    return {
        "Columns": [{"Name": name, "Type": hive} for name, hive in columns],
        "Location": location,
        "InputFormat": _PARQUET_INPUT,
        "OutputFormat": _PARQUET_OUTPUT,
        "SerdeInfo": dict(_PARQUET_SERDE),
    }


def _entry(database: str, name: str, parameters: dict[str, str], storage: dict[str, Any]) -> Table:
    return {
        "DatabaseName": database,
        "Name": name,
        "TableType": "EXTERNAL_TABLE",
        "Parameters": {"EXTERNAL": "TRUE", **parameters},
        "StorageDescriptor": storage,
        "PartitionKeys": [],
    }


def delta_table(database: str, name: str, location: str, columns: Columns) -> Table:
    """The Glue entry of a Delta table, as Athena's ``CREATE EXTERNAL TABLE … TBLPROPERTIES
    ('table_type'='DELTA')`` and Glue crawlers write it."""
    storage = _storage(location, columns)
    storage["SerdeInfo"]["Parameters"] = {"serialization.format": "1", "path": location}
    parameters = {"table_type": "DELTA", "classification": "delta", "spark.sql.sources.provider": "delta"}
    return _entry(database, name, parameters, storage)


def iceberg_table(database: str, name: str, location: str, columns: Columns, metadata_location: str) -> Table:
    """The Glue entry of an Iceberg table, as Glue's Iceberg catalog writes it."""
    parameters = {"table_type": "ICEBERG", "metadata_location": metadata_location}
    return _entry(database, name, parameters, _storage(location, columns))


def put_table(
    catalog: Catalog,
    database: str,
    name: str,
    location: str,
    fmt: str,
    columns: Columns,
    *,
    ddl: Optional[str] = None,
    read_at: Optional[str] = None,
    partition_keys: Columns = (),
) -> Optional[str]:
    r"""Create or update the entry of the ``fmt`` table ``database.name`` at ``location``: from its
    ``ddl`` (landing and Parquet zones), else as a Delta, Iceberg or Parquet entry. ``read_at``:
    where this process reads the table (a ``--map``\ ped location); ``partition_keys``: the
    ``key=value`` folders' columns of a partitioned Parquet table. Returns ``created`` or
    ``updated``, or ``None`` for an Iceberg table committed through this same Glue catalog, which
    its commits keep registered."""
    if registered_by_commits(catalog, fmt):
        return None
    if ddl is not None:
        table = _ddl_table(database, ddl)
    elif fmt == "delta":
        table = delta_table(database, name, location, columns)
    elif fmt == "iceberg":
        table = iceberg_table(database, name, location, columns, _iceberg_metadata_location(read_at or location))
    else:
        table = _entry(database, name, {"classification": "parquet"}, _storage(location, columns))
    if partition_keys:
        table["PartitionKeys"] = [{"Name": key, "Type": hive} for key, hive in partition_keys]
    verb = "updated" if catalog.get_table(database, name) is not None else "created"
    catalog.put_table(table)
    return verb


def _ddl_table(database: str, sql: str) -> Table:
    actions = json.loads(parse_catalog_ddl(sql, database))
    (table,) = [a["table"] for a in actions if a["Action"] == "CreateTable"]
    return dict(table)


def _iceberg_metadata_location(location: str) -> str:
    from glueless.formats.iceberg import IcebergTables

    return str(IcebergTables().table(location).metadata_location)


def _line(verb: Optional[str], database: str, name: str, fmt: str, columns: Columns, location: str) -> str:
    if verb is None:
        return f"table {database}.{name} ({fmt}) is registered by its own commits"
    return f"{verb} table {database}.{name} ({fmt}, {len(columns)} columns) at {location}"


def sync_lake(
    catalog: Catalog,
    lake: str,
    database: str = "stedi",
    locations: Optional[Iterable[str]] = None,
) -> list[str]:
    """Create or update the entry of every table of ``lake`` (or of those at ``locations``) in
    ``catalog``; one line per table saying what was done."""
    wanted = None if locations is None else {_folder(loc) for loc in locations}
    done = []
    for table in catalog_ddl(lake, database=database):
        if wanted is not None and _folder(table["location"]) not in wanted:
            continue
        fmt, name, location, columns = table["format"], table["name"], table["location"], table["columns"]
        # Landing and Parquet zones are registered as their DDL says.
        sql = table["sql"] if fmt in ("json", "parquet") else None
        verb = put_table(catalog, database, name, location, fmt, columns, ddl=sql)
        done.append(_line(verb, database, name, fmt, columns, location))
    return done


def register_outputs(catalog: Optional[str], lake: str, jobs: Iterable[Any]) -> list[str]:
    """After jobs ran with ``--catalog glue``: sync the tables they wrote into the Glue Data
    Catalog (nothing for other catalogs: the local one is synced by ``glueless catalog sync``)."""
    if catalog != "glue":
        return []
    from glueless.catalog import open_catalog

    locations = [output["location"] for job in jobs for output in job.get("outputs", [])]
    return sync_lake(open_catalog("glue"), lake, locations=locations) if locations else []


def _hive_type(arrow_type: Any) -> str:
    """Athena's name of an Arrow type, from the core's vocabulary."""
    try:
        return type_name(arrow_type, "hive")
    except UnsupportedError:
        raise InvalidArgumentError(f"type {arrow_type} has no Athena equivalent") from None


def register_table(catalog: Catalog, location: str, fmt: str, database: str, name: str) -> str:
    """Create or update the entry of the one table at ``location`` (the gold table); one line."""
    import pyarrow as pa

    from glueless import read_parquet

    folder = location.rstrip("/") + "/"
    columns: Columns = []
    if not registered_by_commits(catalog, fmt):
        columns = [(f.name, _hive_type(f.type)) for f in pa.table(read_parquet(location)).schema]
    verb = put_table(catalog, database, name, folder, fmt, columns, read_at=location)
    return _line(verb, database, name, fmt, columns, folder)


def registered_by_commits(catalog: Catalog, fmt: str) -> bool:
    """An Iceberg table committed through this same Glue catalog: its commits keep its entry."""
    from glueless.formats.iceberg import catalog_setting

    return fmt == "iceberg" and catalog.description.startswith("Glue") and catalog_setting() == "glue"


def _folder(location: str) -> str:
    """A location compared as a folder: ``file://`` and a trailing ``/`` do not matter."""
    from glueless.formats._paths import table_uri

    return table_uri(location.rstrip("/"))
