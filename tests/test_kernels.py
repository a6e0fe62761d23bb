"""The kernels on arbitrary Arrow tables, checked against DuckDB running the same SQL."""

from __future__ import annotations

import duckdb
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import glueless
from stedi_sql import row_multiset

keys = st.one_of(st.none(), st.sampled_from(["a", "b", "c"]))
nums = st.one_of(st.none(), st.integers(0, 3))
rows = st.lists(st.tuples(keys, nums, st.integers(0, 5)), max_size=25)


def table(data: list[tuple]) -> pa.Table:
    k, n, v = zip(*data) if data else ((), (), ())
    return pa.table({"k": pa.array(k, pa.string()), "n": pa.array(n, pa.int64()), "v": pa.array(v, pa.int64())})


def sql(query: str, **tables: pa.Table) -> pa.Table:
    con = duckdb.connect()
    for name, t in tables.items():
        con.register(name, t)
    result = con.sql(query).arrow()
    return result.read_all() if hasattr(result, "read_all") else result


@settings(max_examples=80, deadline=None)
@given(left=rows, right=rows)
def test_joins_and_distinct_equal_duckdb(left: list[tuple], right: list[tuple]) -> None:
    lt, rt = table(left), table(right)
    semi = pa.table(glueless.semi_join(lt, rt, ["k", "n"]))
    expected = sql("SELECT * FROM lt WHERE EXISTS (SELECT 1 FROM rt WHERE rt.k = lt.k AND rt.n = lt.n)", lt=lt, rt=rt)
    assert row_multiset(semi) == row_multiset(expected)

    inner = pa.table(glueless.inner_join(lt, rt, "k"))
    assert inner.column_names == ["k", "n", "v", "k_right", "n_right", "v_right"]
    expected = sql(
        "SELECT lt.*, rt.k AS k_right, rt.n AS n_right, rt.v AS v_right FROM lt JOIN rt ON lt.k = rt.k", lt=lt, rt=rt
    )
    assert row_multiset(inner) == row_multiset(expected)

    distinct = pa.table(glueless.distinct(lt))
    assert row_multiset(distinct) == row_multiset(sql("SELECT DISTINCT * FROM lt", lt=lt))


def test_join_keys_may_be_named_differently_and_must_exist() -> None:
    customers = pa.table({"email": ["a", "b"], "serialNumber": ["s1", "s2"]})
    readings = pa.table({"user": ["a", "a", "z"], "t": [1, 2, 3]})
    kept = pa.table(glueless.semi_join(readings, customers, "user", "email"))
    assert kept.column("t").to_pylist() == [1, 2]
    with pytest.raises(ValueError, match="not in the table"):
        glueless.semi_join(readings, customers, "nope", "email")
    with pytest.raises(ValueError, match="same number of key columns"):
        glueless.inner_join(readings, customers, ["user", "t"], ["email"])


def test_drop_pii_and_consent_dated_filter() -> None:
    people = pa.table({"customerName": ["A"], "EMAIL": ["a"], "phone": ["1"], "birthDay": ["x"], "serialNumber": ["s"]})
    assert pa.table(glueless.drop_pii(people)).column_names == ["serialNumber"]
    customers = pa.table({"email": ["a", "b"], "shareWithResearchAsOfDate": [10, None]})
    readings = pa.table({"user": ["a", "a", "b"], "timestamp": [9, 10, 50]})
    kept = pa.table(glueless.consent_dated_filter(readings, customers))
    assert kept.column("timestamp").to_pylist() == [10]
