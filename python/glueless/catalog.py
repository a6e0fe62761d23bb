"""The Data Catalog users' scripts read and write: a local one (databases and tables as JSON files
in the shape Glue's GetTable returns) or, with ``--catalog glue``, the AWS Glue Data Catalog.

``glueless catalog apply FILE.sql…`` runs Athena/Hive DDL into it; ``glueless catalog list`` shows
it. Names are folded to lower case, as Glue folds them; locations are kept as written.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, Optional, Protocol

from glueless._glueless import parse_catalog_ddl
from glueless.exceptions import InvalidArgumentError, NotFoundError

#: The environment variable naming the default catalog location.
CATALOG_ENV = "GLUELESS_CATALOG"
DEFAULT_CATALOG = "./.glueless/catalog"

Table = dict[str, Any]


class Catalog(Protocol):
    """What scripts need of a catalog (the local one and the Glue adapter both provide it)."""

    description: str

    def get_database(self, name: str) -> Optional[dict[str, Any]]: ...
    def create_database(self, name: str, location: Optional[str] = None) -> None: ...
    def delete_database(self, name: str) -> None: ...
    def get_table(self, database: str, name: str) -> Optional[Table]: ...
    def put_table(self, table: Table) -> None: ...
    def delete_table(self, database: str, name: str) -> bool: ...
    def databases(self) -> list[str]: ...
    def tables(self, database: str) -> list[Table]: ...


class MissingTableError(NotFoundError):
    """A script read a catalog table that is not registered."""


def _atomic_write(path: Path, payload: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp{os.getpid()}")
    tmp.write_text(json.dumps(payload, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def _safe_name(name: str, what: str) -> str:
    lower = name.strip().lower()
    if not lower or "/" in lower or "\\" in lower or lower.startswith("."):
        raise InvalidArgumentError(f"bad {what} name {name!r}")
    return lower


class LocalCatalog:
    """Databases as folders, tables as ``<database>/<table>.json`` (GetTable's ``Table`` record)."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)
        self.description = f"local catalog {self.root}"

    def _database_file(self, name: str) -> Path:
        return self.root / _safe_name(name, "database") / "_database.json"

    def get_database(self, name: str) -> Optional[dict[str, Any]]:
        path = self._database_file(name)
        return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None

    def create_database(self, name: str, location: Optional[str] = None) -> None:
        record: dict[str, Any] = {"Name": _safe_name(name, "database")}
        if location:
            record["LocationUri"] = location
        _atomic_write(self._database_file(name), record)

    def delete_database(self, name: str) -> None:
        folder = self.root / _safe_name(name, "database")
        for child in folder.glob("*.json"):
            child.unlink()
        if folder.exists():
            folder.rmdir()

    def get_table(self, database: str, name: str) -> Optional[Table]:
        path = self.root / _safe_name(database, "database") / f"{_safe_name(name, 'table')}.json"
        return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None

    def put_table(self, table: Table) -> None:
        database = _safe_name(table["DatabaseName"], "database")
        if self.get_database(database) is None:
            self.create_database(database)
        _atomic_write(self.root / database / f"{_safe_name(table['Name'], 'table')}.json", table)

    def delete_table(self, database: str, name: str) -> bool:
        path = self.root / _safe_name(database, "database") / f"{_safe_name(name, 'table')}.json"
        if path.exists():
            path.unlink()
            return True
        return False

    def databases(self) -> list[str]:
        if not self.root.is_dir():
            return []
        return sorted(p.parent.name for p in self.root.glob("*/_database.json"))

    def tables(self, database: str) -> list[Table]:
        folder = self.root / _safe_name(database, "database")
        return [
            json.loads(p.read_text(encoding="utf-8"))
            for p in sorted(folder.glob("*.json"))
            if p.name != "_database.json"
        ]


def record_json(table: Table) -> str:
    """A table's record as the core reads it (JSON; equal text means an unchanged entry)."""
    return json.dumps(table, sort_keys=True, default=str)


def table_records(catalog: Catalog) -> Iterator[tuple[Table, str]]:
    """Every table of ``catalog`` with its record as JSON (:func:`record_json`)."""
    for database in catalog.databases():
        for table in catalog.tables(database):
            yield table, record_json(table)


def open_catalog(location: Optional[str] = None) -> Catalog:
    """The catalog at ``location`` (default ``$GLUELESS_CATALOG``, else ``./.glueless/catalog``);
    ``glue`` is the AWS Glue Data Catalog of the environment's account and region."""
    location = location or os.environ.get(CATALOG_ENV) or DEFAULT_CATALOG
    if location == "glue":
        from glueless.glue_catalog import GlueCatalog

        return GlueCatalog()
    return LocalCatalog(location)


def apply_ddl(catalog: Catalog, sql: str, default_database: str = "default") -> list[str]:
    """Run Athena/Hive DDL into ``catalog``; one line per statement saying what it did. Statements
    that are not catalog DDL (the queries an author keeps beside a table's DDL) are skipped, each
    named in its line."""
    actions = json.loads(parse_catalog_ddl(sql, default_database))
    done = []
    for action in actions:
        kind = action["Action"]
        if kind == "Skipped":
            done.append(f"skipped statement {action['number']}, not catalog DDL: {action['statement']}")
        elif kind == "CreateDatabase":
            name = action["name"]
            if catalog.get_database(name) is not None:
                if not action["if_not_exists"]:
                    raise InvalidArgumentError(f"database {name} already exists (use CREATE DATABASE IF NOT EXISTS)")
                done.append(f"database {name} exists")
                continue
            catalog.create_database(name, action.get("location"))
            done.append(f"created database {name}")
        elif kind == "CreateTable":
            table = action["table"]
            qualified = f"{table['DatabaseName']}.{table['Name']}"
            if catalog.get_table(table["DatabaseName"], table["Name"]) is not None:
                if not action["if_not_exists"]:
                    raise InvalidArgumentError(
                        f"table {qualified} already exists (use CREATE EXTERNAL TABLE IF NOT EXISTS)"
                    )
                done.append(f"table {qualified} exists")
                continue
            catalog.put_table(table)
            location = table["StorageDescriptor"]["Location"]
            columns = len(table["StorageDescriptor"]["Columns"])
            done.append(
                f"created table {qualified} ({columns} columns, "
                f"{table['Parameters'].get('classification', '?')}) at {location}"
            )
        elif kind == "DropTable":
            database = action["database"] or default_database
            qualified = f"{database}.{action['name']}"
            if not catalog.delete_table(database, action["name"]):
                if not action["if_exists"]:
                    raise NotFoundError(f"table {qualified} not found (use DROP TABLE IF EXISTS)")
                done.append(f"table {qualified} did not exist")
                continue
            done.append(f"dropped table {qualified}")
        elif kind == "DropDatabase":
            name = action["name"]
            if catalog.get_database(name) is None:
                if not action["if_exists"]:
                    raise NotFoundError(f"database {name} not found (use DROP DATABASE IF EXISTS)")
                done.append(f"database {name} did not exist")
                continue
            if catalog.tables(name) and not action["cascade"]:
                raise InvalidArgumentError(f"database {name} is not empty (use DROP DATABASE … CASCADE)")
            for table in catalog.tables(name):
                catalog.delete_table(name, table["Name"])
            catalog.delete_database(name)
            done.append(f"dropped database {name}")
    return done


def describe(catalog: Catalog, databases: Optional[Iterable[str]] = None) -> list[str]:
    """``glueless catalog list``: one line per table (columns, format, location)."""
    lines = []
    for database in databases or catalog.databases():
        tables = catalog.tables(database)
        lines.append(f"{database} ({len(tables)} table{'s' if len(tables) != 1 else ''})")
        for table in tables:
            storage = table["StorageDescriptor"]
            columns = ", ".join(f"{c['Name']} {c['Type']}" for c in storage["Columns"])
            parameters = table.get("Parameters", {})
            classification = parameters.get("classification") or str(parameters.get("table_type", "?")).lower()
            lines.append(f"  {table['Name']}  {classification}  {storage['Location']}")
            lines.append(f"    {columns}")
    return lines
