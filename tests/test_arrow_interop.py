"""Tables pass to and from pyarrow, polars and duckdb through the Arrow PyCapsule interface."""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl
import pyarrow as pa
import pyarrow.compute as pc
import pytest

import glueless


@pytest.fixture()
def customers(demo_lake: Path) -> glueless.ArrowTable:
    return glueless.read_landing(demo_lake / "customer" / "landing", "customer").table


def test_arrow_table_is_read_by_pyarrow_polars_and_duckdb(customers: glueless.ArrowTable) -> None:
    assert len(customers) == customers.num_rows == 400
    assert customers.column_names[:2] == ["customerName", "email"]
    via_pyarrow = pa.table(customers)
    via_polars = pl.DataFrame(customers)
    via_duckdb = duckdb.sql("SELECT count(*) AS n, count(DISTINCT email) AS e FROM customers").fetchall()[0]
    assert via_pyarrow.num_rows == via_polars.height == via_duckdb[0] == via_duckdb[1] == 400
    assert "ArrowTable(rows=400" in repr(customers)


def test_consent_filter_takes_any_arrow_table(customers: glueless.ArrowTable) -> None:
    table = pa.table(customers)
    expected = table.filter(pc.fill_null(pc.not_equal(table["shareWithResearchAsOfDate"], 0), False))
    assert pa.table(glueless.consent_filter(table)).equals(expected)
    assert pa.table(glueless.consent_filter(pl.from_arrow(table))).num_rows == expected.num_rows
    small = pa.table({"id": [1, 2, 3], "ok": [0.0, None, 2.5]})
    assert pa.table(glueless.consent_filter(small, "ok")).column("id").to_pylist() == [3]
    with pytest.raises(ValueError, match="not in the table"):
        glueless.consent_filter(small, "missing")
