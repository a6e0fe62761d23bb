"""``glueless athena``: Athena's SQL (engine v3: Trino's dialect and semantics) over the Data
Catalog's tables, local or on S3, statement by statement as Athena's query editor runs them.

Queries run on the Rust core (``AthenaSession``: the tables as Athena's SerDes read them, Trino's
functions and rules); catalog DDL goes to the catalog (``glueless catalog apply``'s code);
``SHOW`` and ``DESCRIBE`` read the catalog. With ``--lake DIR`` the lake's own tables are the
catalog (as ``glueless catalog sync`` would register them), nothing written anywhere.
"""

from __future__ import annotations

import csv
import io
import json
import re
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any, Optional, TextIO, Union

from glueless._glueless import AthenaSession, sql_statements
from glueless.catalog import Catalog, Table, apply_ddl, record_json, table_records
from glueless.compat._run import LocationMap, mapped_location
from glueless.exceptions import GluelessError, InvalidArgumentError, NotFoundError, UnsupportedError

#: Output formats of ``--output``.
OUTPUTS = ("table", "csv", "json")

_QUERY_WORDS = {"SELECT", "WITH", "VALUES", "TABLE"}
#: The value kinds (``AthenaResult.kinds``) shown right-aligned.
_NUMBERS = ("integer", "float", "decimal")


@dataclass
class Result:
    """A statement's rows as Athena shows them: column names, Athena's type names, each value as
    Trino's text (``None`` for NULL), and what each column's values are for output formats
    (``integer``, ``float``, ``decimal``, ``boolean``, ``text``)."""

    columns: list[str]
    types: list[str]
    rows: list[list[Optional[str]]]
    kinds: list[str]

    @classmethod
    def text(cls, columns: list[str], rows: list[list[Optional[str]]]) -> Result:
        """Rows of text columns (what ``SHOW`` and ``DESCRIBE`` give)."""
        return cls(columns, ["varchar"] * len(columns), rows, ["text"] * len(columns))


#: What a statement gives: rows, or a line saying what it did (DDL).
Outcome = Union[Result, str]


class MemoryCatalog:
    """A catalog held in memory (``--lake``: the lake's tables, registered for this run only)."""

    def __init__(self) -> None:
        self.description = "lake's tables"
        self._databases: dict[str, dict[str, Any]] = {}
        self._tables: dict[tuple[str, str], Table] = {}

    def get_database(self, name: str) -> Optional[dict[str, Any]]:
        return self._databases.get(name.lower())

    def create_database(self, name: str, location: Optional[str] = None) -> None:
        self._databases[name.lower()] = {"Name": name.lower(), **({"LocationUri": location} if location else {})}

    def delete_database(self, name: str) -> None:
        self._databases.pop(name.lower(), None)

    def get_table(self, database: str, name: str) -> Optional[Table]:
        return self._tables.get((database.lower(), name.lower()))

    def put_table(self, table: Table) -> None:
        database = table["DatabaseName"].lower()
        if database not in self._databases:
            self.create_database(database)
        self._tables[(database, table["Name"].lower())] = table

    def delete_table(self, database: str, name: str) -> bool:
        return self._tables.pop((database.lower(), name.lower()), None) is not None

    def databases(self) -> list[str]:
        return sorted(self._databases)

    def tables(self, database: str) -> list[Table]:
        return [t for (d, _), t in sorted(self._tables.items()) if d == database.lower()]


_CTAS = re.compile(
    r"CREATE\s+TABLE\s+(?P<if_not_exists>IF\s+NOT\s+EXISTS\s+)?(?P<name>[`\"\w.]+)\s*"
    r"(?:WITH\s*\((?P<properties>.*?)\)\s*)?AS\s+(?P<query>.*?)"
    r"(?:\s+WITH\s+(?P<no_data>NO\s+)?DATA)?\s*;?\s*$",
    re.IGNORECASE | re.DOTALL,
)


def _properties(text: str) -> dict[str, Any]:
    """CTAS's ``WITH (key = 'value', key = ARRAY['a', 'b'])`` as a dict (keys in lower case)."""
    found: dict[str, Any] = {}
    for key, value in re.findall(r"(\w+)\s*=\s*(ARRAY\s*\[[^\]]*\]|'[^']*'|[\w.]+)", text, re.IGNORECASE):
        if value.upper().startswith("ARRAY"):
            found[key.lower()] = re.findall(r"'([^']*)'", value)
        else:
            found[key.lower()] = value.strip("'")
    return found


def _code(statement: str) -> str:
    """A statement without its leading comments and blank lines."""
    text = statement
    while True:
        text = text.lstrip()
        if text.startswith("--"):
            text = text.partition("\n")[2]
        elif text.startswith("/*"):
            text = text.partition("*/")[2]
        else:
            return text


def _words(statement: str, count: int) -> list[str]:
    return [w.upper() for w in re.findall(r"[A-Za-z_]+", statement)[:count]]


def _name(text: str) -> str:
    """An identifier as the catalog holds it: unquoted, lower-case."""
    return text.strip().strip('`"').lower()


def _qualified(text: str, database: str) -> tuple[str, str]:
    parts = [_name(p) for p in text.split(".")]
    if len(parts) == 3 and parts[0] == "awsdatacatalog":
        parts = parts[1:]
    return (parts[0], parts[1]) if len(parts) == 2 else (database, parts[0])


def _pattern(text: Optional[str]) -> Optional[str]:
    """Athena's SHOW pattern (``*`` any characters, ``|`` alternatives) as glob patterns."""
    return None if text is None else text.strip("'").lower()


def _matches(name: str, pattern: Optional[str]) -> bool:
    return pattern is None or any(fnmatchcase(name, p.strip()) for p in pattern.split("|"))


class Athena:
    """One ``glueless athena`` run: the catalog, where its locations are, the current database."""

    def __init__(self, catalog: Catalog, database: str = "default", maps: Sequence[LocationMap] = ()) -> None:
        self.catalog = catalog
        self.database = database.lower()
        self.maps = sorted(maps, key=lambda m: len(m.prefix), reverse=True)
        self.session = AthenaSession(self.database)
        self._registered: dict[tuple[str, str], str] = {}

    def run(self, sql: str) -> Iterator[tuple[int, str, Outcome]]:
        """Each statement of ``sql`` in order: its number, its first line, and what it gave."""
        number = 0
        for statement in sql_statements(sql):
            code = _code(statement)
            if not code:
                continue
            number += 1
            try:
                outcome = self.execute(code)
            except GluelessError as err:
                first = code.splitlines()[0].strip()
                raise type(err)(f"statement {number} ({first[:60]}): {err}") from None
            yield number, code.splitlines()[0].strip(), outcome

    def execute(self, code: str) -> Outcome:
        """Run one statement (comments stripped)."""
        words = _words(code, 4)
        first = words[0] if words else ""
        if first in _QUERY_WORDS or code.startswith("("):
            return self.query(code)
        if first in ("CREATE", "DROP"):
            if first == "CREATE" and _CTAS.match(code):
                return self.create_table_as(code)
            if words[1:2] == ["VIEW"] or words[1:3] in (["OR", "REPLACE"],):
                raise UnsupportedError("CREATE VIEW is not supported by glueless athena yet")
            return "\n".join(apply_ddl(self.catalog, code, self.database))
        if first == "USE":
            named = code.split(None, 1)[1:]
            if not named:
                raise InvalidArgumentError("USE names no database")
            self.database = _name(named[0].rstrip(";"))
            self.session.use_database(self.database)
            return f"using database {self.database}"
        if first == "SHOW":
            return self.show(code)
        if first in ("DESCRIBE", "DESC"):
            return self.describe(code)
        if first == "INSERT" and words[1:2] == ["INTO"]:
            return self.insert_into(code)
        if first == "MSCK":
            return "partitions are read from the table's key=value folders at every query: nothing to repair"
        raise UnsupportedError(f"{' '.join(words[:2])} … is not supported by glueless athena")

    def create_table_as(self, code: str) -> str:
        """``CREATE TABLE [IF NOT EXISTS] name [WITH (format, external_location, partitioned_by,
        write_compression)] AS query [WITH [NO] DATA]``: the rows written as Athena's CTAS writes
        them, and the table registered in the catalog."""
        found = _CTAS.match(code)
        assert found is not None
        database, name = _qualified(found.group("name"), self.database)
        if self.catalog.get_table(database, name) is not None:
            if found.group("if_not_exists"):
                return f"table {database}.{name} exists"
            raise InvalidArgumentError(f"Table '{database}.{name}' already exists")
        properties = _properties(found.group("properties") or "")
        fmt = str(properties.pop("format", "parquet")).lower()
        formats = {"parquet": "parquet", "json": "json"}
        if fmt not in formats:
            raise UnsupportedError(f"CREATE TABLE AS SELECT with format '{fmt}' is not supported by glueless")
        location = properties.pop("external_location", None)
        if location is None:
            base = (self.catalog.get_database(database) or {}).get("LocationUri")
            if not base:
                raise InvalidArgumentError(
                    f"CREATE TABLE {database}.{name} AS SELECT needs WITH (external_location = '…'): "
                    f"database {database} has no LOCATION"
                )
            location = f"{str(base).rstrip('/')}/{name}/"
        keys = [str(k).lower() for k in properties.pop("partitioned_by", [])]
        compression = properties.pop("write_compression", None)
        if properties:
            raise UnsupportedError(f"CTAS properties {', '.join(sorted(properties))} are not supported by glueless")
        self._register_tables()
        query = found.group("query")
        if found.group("no_data"):
            query = f"SELECT * FROM ({query}) LIMIT 0"
        written = self.session.create_table_as(
            f"{database}.{name}",
            query,
            mapped_location(self.maps, str(location)),
            fmt,
            None if compression is None else str(compression),
            keys,
        )
        columns = ",\n".join(f"  `{n}` {t}" for n, t in written.columns if n not in keys)
        partitioned = ", ".join(f"`{n}` {t}" for n, t in written.columns if n in keys)
        storage = "STORED AS PARQUET" if fmt == "parquet" else "ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe'"
        ddl = (
            f"CREATE EXTERNAL TABLE `{database}`.`{name}` (\n{columns}\n)"
            + (f"\nPARTITIONED BY ({partitioned})" if partitioned else "")
            + f"\n{storage}\nLOCATION '{location}'"
        )
        apply_ddl(self.catalog, ddl, database)
        return f"created table {database}.{name} ({written.rows:,} rows in {written.files} files) at {location}"

    def insert_into(self, code: str) -> str:
        """``INSERT INTO table [(columns)] query``: the rows appended as new files of the table."""
        found = re.match(r"INSERT\s+INTO\s+([`\"\w.]+)\s*(\([^)]*\))?\s*(.*)$", code, re.IGNORECASE | re.DOTALL)
        if found is None:
            raise InvalidArgumentError("INSERT INTO needs a table and a query")
        if found.group(2):
            raise UnsupportedError("INSERT INTO with a column list is not supported by glueless athena")
        table = self._table(found.group(1))
        self._register_tables()
        record = record_json(table)
        location = mapped_location(self.maps, table["StorageDescriptor"]["Location"])
        written = self.session.insert_into(found.group(3), record, location)
        return f"inserted {written.rows:,} rows into {table['DatabaseName']}.{table['Name']} ({written.files} files)"

    def query(self, code: str) -> Result:
        """A query's rows (tables registered from the catalog as they are now)."""
        self._register_tables()
        result = self.session.query(code)
        return Result(list(result.columns), list(result.types), [list(r) for r in result.rows], list(result.kinds))

    def _register_tables(self) -> None:
        for table, record in table_records(self.catalog):
            key = (table["DatabaseName"].lower(), table["Name"].lower())
            if self._registered.get(key) == record:
                continue
            location = mapped_location(self.maps, table["StorageDescriptor"]["Location"])
            self.session.register_table(record, location)
            self._registered[key] = record

    def _table(self, text: str) -> Table:
        database, name = _qualified(text, self.database)
        table = self.catalog.get_table(database, name)
        if table is None:
            raise NotFoundError(f"Table '{database}.{name}' does not exist in the {self.catalog.description}")
        return table

    def show(self, code: str) -> Result:
        """``SHOW DATABASES|SCHEMAS|TABLES|COLUMNS|CREATE TABLE``."""
        words = _words(code, 3)
        quoted = re.search(r"'([^']*)'", code)
        if words[1] in ("DATABASES", "SCHEMAS"):
            names = [d for d in self.catalog.databases() if _matches(d, _pattern(quoted and quoted.group(1)))]
            return Result.text(["database_name"], [[d] for d in names])
        if words[1] == "TABLES":
            found = re.search(r"\b(?:IN|FROM)\s+([`\"\w.]+)", code, re.IGNORECASE)
            database = _name(found.group(1)) if found else self.database
            pattern = _pattern(quoted and quoted.group(1))
            names = [t["Name"] for t in self.catalog.tables(database) if _matches(t["Name"], pattern)]
            return Result.text(["tab_name"], [[n] for n in sorted(names)])
        if words[1] == "COLUMNS":
            places = re.findall(r"\b(?:IN|FROM)\s+([`\"\w.]+)", code, re.IGNORECASE)
            if not places:
                raise InvalidArgumentError("SHOW COLUMNS needs IN table")
            name = places[0] if len(places) == 1 else f"{places[1]}.{places[0]}"
            table = self._table(name)
            columns = table["StorageDescriptor"]["Columns"] + (table.get("PartitionKeys") or [])
            return Result.text(["field"], [[c["Name"]] for c in columns])
        if words[1] == "PARTITIONS":
            table = self._table(code.split(None, 2)[2].strip().rstrip(";"))
            keys = [k["Name"].lower() for k in table.get("PartitionKeys") or []]
            if not keys:
                raise InvalidArgumentError(f"Table '{table['DatabaseName']}.{table['Name']}' is not partitioned")
            return Result.text(["partition"], [[p] for p in self._partitions(table, keys)])
        if words[1:3] == ["CREATE", "TABLE"]:
            name = code.split(None, 3)[3].strip().rstrip(";")
            return Result.text(["createtab_stmt"], [[line] for line in _create_table(self._table(name))])
        raise UnsupportedError(f"SHOW {words[1]} is not supported by glueless athena")

    def _partitions(self, table: Table, keys: list[str]) -> list[str]:
        """The table's ``key=value/…`` folders that hold files, sorted."""
        from glueless._glueless import SqlSession

        root = mapped_location(self.maps, table["StorageDescriptor"]["Location"]).rstrip("/") + "/"
        found = set()
        for url, _size, _modified in SqlSession.list_files([root], True):
            folders = url[len(root) :].split("/")[:-1] if url.startswith(root) else []
            pairs = [f for f in folders if "=" in f and f.split("=", 1)[0].lower() in keys]
            if len(pairs) == len(keys):
                found.add("/".join(pairs))
        return sorted(found)

    def describe(self, code: str) -> Result:
        """``DESCRIBE [EXTENDED|FORMATTED] table``: each column with its type and comment, then
        the partition keys under Athena's ``# Partition Information`` heading."""
        parts = code.rstrip(";").split()
        name = parts[-1]
        table = self._table(name)
        rows: list[list[Optional[str]]] = [
            [c["Name"], c["Type"], c.get("Comment") or ""] for c in table["StorageDescriptor"]["Columns"]
        ]
        keys = table.get("PartitionKeys") or []
        if keys:
            rows += [["", None, None], ["# Partition Information", None, None], ["# col_name", "data_type", "comment"]]
            rows += [[k["Name"], k["Type"], k.get("Comment") or ""] for k in keys]
        return Result.text(["col_name", "data_type", "comment"], rows)


def _create_table(table: Table) -> list[str]:
    """``SHOW CREATE TABLE``: the table's DDL from its catalog record, as Athena prints it."""
    storage = table["StorageDescriptor"]
    serde = storage.get("SerdeInfo") or {}
    lines = [f"CREATE EXTERNAL TABLE `{table['DatabaseName']}`.`{table['Name']}`("]
    columns = storage["Columns"]
    for i, c in enumerate(columns):
        comment = f" COMMENT '{c['Comment']}'" if c.get("Comment") else ""
        lines.append(f"  `{c['Name']}` {c['Type']}{comment}{',' if i + 1 < len(columns) else ')'}")
    keys = table.get("PartitionKeys") or []
    if keys:
        lines.append("PARTITIONED BY ( ")
        lines += [f"  `{k['Name']}` {k['Type']}{',' if i + 1 < len(keys) else ')'}" for i, k in enumerate(keys)]
    if serde.get("SerializationLibrary"):
        lines += ["ROW FORMAT SERDE ", f"  '{serde['SerializationLibrary']}' "]
    parameters = serde.get("Parameters") or {}
    if parameters:
        lines.append("WITH SERDEPROPERTIES ( ")
        items = sorted(parameters.items())
        lines += [f"  '{k}'='{v}'{',' if i + 1 < len(items) else ')'}" for i, (k, v) in enumerate(items)]
    if storage.get("InputFormat"):
        lines += ["STORED AS INPUTFORMAT ", f"  '{storage['InputFormat']}' "]
    if storage.get("OutputFormat"):
        lines += ["OUTPUTFORMAT ", f"  '{storage['OutputFormat']}'"]
    lines += ["LOCATION", f"  '{storage['Location']}'"]
    properties = sorted((table.get("Parameters") or {}).items())
    if properties:
        lines.append("TBLPROPERTIES (")
        lines += [f"  '{k}'='{v}'{',' if i + 1 < len(properties) else ')'}" for i, (k, v) in enumerate(properties)]
    return lines


def write_table(result: Result, out: TextIO) -> None:
    """Trino's CLI aligned output: names centred over `|`-separated columns, numbers right-aligned,
    NULL spelled out, and a row count."""
    cells = [["NULL" if v is None else v for v in row] for row in result.rows]
    widths = [max([len(name)] + [len(row[i]) for row in cells]) for i, name in enumerate(result.columns)]
    numeric = [kind in _NUMBERS for kind in result.kinds]
    out.write("|".join(f" {name.center(w)} " for name, w in zip(result.columns, widths)).rstrip() + "\n")
    out.write("+".join("-" * (w + 2) for w in widths) + "\n")
    for row in cells:
        line = "|".join(f" {v.rjust(w) if num else v.ljust(w)} " for v, w, num in zip(row, widths, numeric)).rstrip()
        out.write(line + "\n")
    count = len(result.rows)
    out.write(f"({count} row{'s' if count != 1 else ''})\n\n")


def write_csv(result: Result, out: TextIO) -> None:
    """Athena's result CSV: a header, every value in double quotes, NULL as nothing."""
    text = io.StringIO()
    writer = csv.writer(text, quoting=csv.QUOTE_ALL, lineterminator="\n")
    writer.writerow(result.columns)
    for row in result.rows:
        writer.writerow(row)
    # csv quotes None as "" under QUOTE_ALL; Athena leaves a NULL field empty.
    lines = text.getvalue().splitlines()
    out.write(lines[0] + "\n")
    for row, line in zip(result.rows, lines[1:]):
        if None in row:
            line = ",".join("" if v is None else '"' + v.replace('"', '""') + '"' for v in row)
        out.write(line + "\n")


def write_json(result: Result, out: TextIO) -> None:
    """One JSON object per row: numbers and booleans as JSON's, everything else as text."""
    for row in result.rows:
        record: dict[str, Any] = {}
        for name, kind, value in zip(result.columns, result.kinds, row):
            if value is None or kind in ("text", "decimal"):
                record[name] = value
            elif kind == "boolean":
                record[name] = value == "true"
            else:
                record[name] = int(value) if kind == "integer" else float(value)
        out.write(json.dumps(record) + "\n")


WRITERS = {"table": write_table, "csv": write_csv, "json": write_json}


def _keep_result(result: Result, folder: str) -> str:
    """``<query id>.csv`` under ``folder``, as Athena's query result location holds a result."""
    import os
    import uuid

    if folder.startswith(("s3://", "s3a://")):
        raise UnsupportedError("--result-location on S3 is not supported by glueless yet (a local folder is)")
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, f"{uuid.uuid4()}.csv")
    with open(path, "w", encoding="utf-8", newline="") as out:
        write_csv(result, out)
    return path


def run_files(
    athena: Athena,
    sources: Sequence[tuple[str, str]],
    output: str,
    quiet: bool = False,
    result_location: Optional[str] = None,
) -> None:
    """Run each ``(name, sql)`` source's statements in order: rows to stdout in ``output``, what
    DDL did to stderr. The first statement that fails stops the run with its error. With
    ``result_location`` (a local folder), each result is also kept there as Athena keeps it: a
    ``<query id>.csv`` in Athena's result CSV, its path on stderr."""
    write = WRITERS[output]
    for name, sql in sources:
        for _number, _first, outcome in athena.run(sql):
            if isinstance(outcome, Result):
                write(outcome, sys.stdout)
                if result_location:
                    kept = _keep_result(outcome, result_location)
                    if not quiet:
                        print(f"glueless athena: {name}: result {kept}", file=sys.stderr)
            elif not quiet:
                for line in outcome.splitlines():
                    print(f"glueless athena: {name}: {line}", file=sys.stderr)
