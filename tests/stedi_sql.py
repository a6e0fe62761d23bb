"""The STEDI jobs as SQL, run by DuckDB over the same landing files: the independent engine the
differential tests compare glueless with."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa

#: (column, DuckDB type) of each landing table, as DESIGN.md declares them.
SCHEMAS = {
    "customer": [
        ("customerName", "VARCHAR"),
        ("email", "VARCHAR"),
        ("phone", "VARCHAR"),
        ("birthDay", "VARCHAR"),
        ("serialNumber", "VARCHAR"),
        ("registrationDate", "BIGINT"),
        ("lastUpdateDate", "BIGINT"),
        ("shareWithResearchAsOfDate", "BIGINT"),
        ("shareWithPublicAsOfDate", "BIGINT"),
        ("shareWithFriendsAsOfDate", "BIGINT"),
    ],
    "accelerometer": [("user", "VARCHAR"), ("timestamp", "BIGINT"), ("x", "DOUBLE"), ("y", "DOUBLE"), ("z", "DOUBLE")],
    "step_trainer": [("sensorReadingTime", "BIGINT"), ("serialNumber", "VARCHAR"), ("distanceFromObject", "BIGINT")],
}

# DuckDB matches JSON keys case-sensitively; Glue and Athena do not (older files spell `timeStamp`).
# This macro finds a key ignoring case, so DuckDB reads the landing files by Glue's rules.
FIELD_MACRO = """CREATE MACRO field(j, name) AS json_extract_string(
    j, '$."' || list_filter(json_keys(j), lambda k: lower(k) = lower(name))[1] || '"')"""


def _landing_select(lake: Path, table: str) -> str:
    def column(name: str, sql_type: str) -> str:
        value = f"field(json, '{name}')"
        if sql_type == "BIGINT":  # epoch ms may be written as a float (1655564376361.0)
            value = f"CAST(CAST({value} AS DOUBLE) AS BIGINT)"
        elif sql_type == "DOUBLE":
            value = f"CAST({value} AS DOUBLE)"
        return f'{value} AS "{name}"'

    columns = ", ".join(column(n, t) for n, t in SCHEMAS[table])
    source = f"read_json_objects('{lake}/{table}/landing/*.json', format='newline_delimited')"
    return f"SELECT {columns} FROM {source}"


def _arrow(relation) -> pa.Table:
    result = relation.arrow()
    return result.read_all() if hasattr(result, "read_all") else result


def stedi_tables(lake: Path, strict: bool) -> dict[str, pa.Table]:
    """The five output tables, keyed by zone, computed by DuckDB from ``lake/<table>/landing/``."""
    con = duckdb.connect()

    con.execute(FIELD_MACRO)
    con.execute(f"CREATE TABLE customer_landing AS {_landing_select(lake, 'customer')}")
    con.execute(f"CREATE TABLE accel_landing AS {_landing_select(lake, 'accelerometer')}")
    con.execute(f"CREATE TABLE step_landing AS {_landing_select(lake, 'step_trainer')}")
    con.execute(
        "CREATE TABLE customer_trusted AS SELECT * FROM customer_landing "
        "WHERE shareWithResearchAsOfDate IS NOT NULL AND shareWithResearchAsOfDate <> 0"
    )
    dated = "AND a.timestamp >= c.shareWithResearchAsOfDate" if strict else ""
    con.execute(
        "CREATE TABLE accelerometer_trusted AS SELECT DISTINCT a.* FROM accel_landing a "
        f"WHERE EXISTS (SELECT 1 FROM customer_trusted c WHERE c.email = a.user {dated})"
    )
    con.execute(
        "CREATE TABLE customer_curated AS SELECT DISTINCT c.* FROM customer_trusted c "
        "WHERE c.email IN (SELECT user FROM accelerometer_trusted)"
    )
    con.execute(
        "CREATE TABLE step_trainer_trusted AS SELECT DISTINCT s.* FROM step_landing s "
        "WHERE s.serialNumber IN (SELECT serialNumber FROM customer_curated)"
    )
    owner = (
        "JOIN customer_curated c ON c.email = a.user AND c.serialNumber = s.serialNumber" if strict else ""
    )
    con.execute(
        "CREATE TABLE machine_learning_curated AS SELECT s.sensorReadingTime, s.serialNumber, "
        "s.distanceFromObject, a.x, a.y, a.z FROM step_trainer_trusted s "
        f"JOIN accelerometer_trusted a ON s.sensorReadingTime = a.timestamp {owner}"
    )
    names = {
        "customer/trusted": "customer_trusted",
        "accelerometer/trusted": "accelerometer_trusted",
        "customer/curated": "customer_curated",
        "step_trainer/trusted": "step_trainer_trusted",
        "step_trainer/curated": "machine_learning_curated",
    }
    return {zone: _arrow(con.table(table)) for zone, table in names.items()}


def row_multiset(table: pa.Table) -> list[tuple]:
    """Rows as sorted tuples (a multiset: duplicates count), for order-free comparison."""
    columns = table.column_names
    rows = [tuple(row[c] for c in columns) for row in table.to_pylist()]
    # Nulls sort first without ever being compared with a value.
    return sorted(rows, key=lambda r: tuple((v is not None, v if v is not None else 0) for v in r))
