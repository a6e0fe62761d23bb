"""Spark's DataSketches functions (HLL, Theta, KLL, Tuple) on glueless against PySpark 4.x: the same
column names and the same answers — sketch images byte for byte where Spark's are deterministic —
and each reads the other's sketches.

Both sides aggregate one partition (Spark's `coalesce(1)`): a sketch's image depends on how its
input is split (partial sketches are merged by a union), in Spark as in glueless."""

from __future__ import annotations

import math

import pyarrow as pa
import pytest
from glueless import SqlSession

SMALL = [
    (1, 5.0, 5, "a", b"\x01"),
    (1, 1.0, 1, "b", b"\x02"),
    (2, 2.0, 2, "", b""),
    (2, 3.0, 3, "héllo", b"\x03\x04"),
    (3, 2.25, 7, None, None),
    (None, 4.0, 4, "a", b"\x01"),
    (-7, -0.0, -2, "z", b"\x05"),
]
SMALL_SCHEMA = [
    ("k", pa.int32(), "int"),
    ("v", pa.float64(), "double"),
    ("i", pa.int32(), "int"),
    ("s", pa.string(), "string"),
    ("b", pa.binary(), "binary"),
]
# Past every sketch's exact mode at the sizes below: QuickSelect rebuilds, HLL registers, KLL compaction.
BIG = [(n * 7919 % 6007, float(n % 97), n % 13) for n in range(6000)]
BIG_SCHEMA = [("id", pa.int64(), "bigint"), ("x", pa.float64(), "double"), ("g", pa.int32(), "int")]

QUERIES = [
    # HLL: Java's updatable images (list mode), unions, estimates.
    "select hex(hll_sketch_agg(k)), hex(hll_sketch_agg(s)), hex(hll_sketch_agg(b, 5)) from small",
    "select hll_sketch_estimate(hll_sketch_agg(k)) e, hll_sketch_estimate(hll_union(hll_sketch_agg(k), "
    "hll_sketch_agg(i))) u from small",
    "select hll_sketch_estimate(hll_sketch_agg(id)), "
    "hll_sketch_estimate(hll_sketch_agg(cast(id as string), 10)) from big",
    "select hex(hll_sketch_agg(id, 5)) from big",
    # Theta: Java's compressed compact images byte for byte, set operations, estimates.
    "select hex(theta_sketch_agg(k)), hex(theta_sketch_agg(v)), hex(theta_sketch_agg(s)), "
    "hex(theta_sketch_agg(b)) from small",
    "select hex(theta_union(theta_sketch_agg(k), theta_sketch_agg(i))), hex(theta_intersection(theta_sketch_agg(k), "
    "theta_sketch_agg(i))), hex(theta_difference(theta_sketch_agg(k), theta_sketch_agg(i))) from small",
    "select hex(theta_sketch_agg(id, 6)), theta_sketch_estimate(theta_sketch_agg(id, 8)), "
    "theta_sketch_estimate(theta_sketch_agg(x)) from big",
    "select hex(theta_union(theta_sketch_agg(id, 6), theta_sketch_agg(g, 6), 5)) from big",
    # KLL: images in Java's item order, quantiles with Java's rank rounding, ranks, counts, summaries.
    "select hex(kll_sketch_agg_bigint(k)), hex(kll_sketch_agg_double(v)), "
    "hex(kll_sketch_agg_float(cast(v as float), 8)) from small",
    "select kll_sketch_get_quantile_bigint(kll_sketch_agg_bigint(k), 0.5) q, "
    "kll_sketch_get_quantile_double(kll_sketch_agg_double(v), "
    "array(0.0, 0.3, 0.99, 1.0)) qs, kll_sketch_get_rank_double(kll_sketch_agg_double(v), 2.0) r, "
    "kll_sketch_get_n_bigint(kll_sketch_agg_bigint(i)) n from small",
    "select hex(kll_sketch_merge_bigint(kll_sketch_agg_bigint(k), kll_sketch_agg_bigint(i))), "
    "kll_sketch_to_string_double(kll_sketch_agg_double(v)) from small",
    "select kll_sketch_get_n_bigint(kll_sketch_agg_bigint(id)), "
    "kll_sketch_get_rank_bigint(kll_sketch_agg_bigint(id, 8), 6006) from big",
    # Tuple: Java's compact images (slot order, summary modes), set operations, summaries.
    "select hex(tuple_sketch_agg_double(k, v)), hex(tuple_sketch_agg_integer(s, i, 12, 'max')), "
    "hex(tuple_sketch_agg_double(b, v, 5, 'min')) from small",
    "select hex(tuple_union_double(tuple_sketch_agg_double(k, v), tuple_sketch_agg_double(i, v), 12, 'max')), "
    "hex(tuple_intersection_double(tuple_sketch_agg_double(k, v), tuple_sketch_agg_double(i, v))), "
    "hex(tuple_difference_double(tuple_sketch_agg_double(k, v), tuple_sketch_agg_double(i, v))) from small",
    "select hex(tuple_union_theta_integer(tuple_sketch_agg_integer(k, i), theta_sketch_agg(i))), "
    "hex(tuple_intersection_theta_integer(tuple_sketch_agg_integer(k, i), theta_sketch_agg(i), "
    "'alwaysone')) from small",
    "select tuple_sketch_summary_double(tuple_sketch_agg_double(k, v), 'min') mn, tuple_sketch_summary_integer("
    "tuple_sketch_agg_integer(k, i)) total, tuple_sketch_estimate_double(tuple_sketch_agg_double(k, v)) e from small",
    "select hex(tuple_sketch_agg_double(id, x, 6)), tuple_sketch_estimate_integer(tuple_sketch_agg_integer(id, g, 8)), "
    "tuple_sketch_theta_integer(tuple_sketch_agg_integer(id, g, 8)) from big",
    # Empty input: every aggregate's empty sketch, never NULL.
    "select hex(hll_sketch_agg(k)), hex(theta_sketch_agg(k)), hex(kll_sketch_agg_bigint(k)), "
    "hex(tuple_sketch_agg_double(k, v)) "
    "from small where k > 100",
]


def _normal(value: object) -> object:
    if isinstance(value, float):
        return "nan" if math.isnan(value) else value
    if isinstance(value, (list, tuple)):
        return tuple(_normal(v) for v in value)
    return value


@pytest.fixture(scope="module")
def both(spark):  # type: ignore[no-untyped-def]
    session = SqlSession()
    for name, rows, schema in (("small", SMALL, SMALL_SCHEMA), ("big", BIG, BIG_SCHEMA)):
        arrow = pa.table({n: pa.array([r[i] for r in rows], t) for i, (n, t, _) in enumerate(schema)})
        session.register_view(name, session.frame(arrow))
        ddl = ", ".join(f"`{n}` {s}" for n, _, s in schema)
        spark.createDataFrame(rows, ddl).coalesce(1).createOrReplaceTempView(name)
    return session, spark


def _rows(frame) -> list[tuple]:  # type: ignore[no-untyped-def]
    arrow = pa.table(frame.collect())
    return [tuple(_normal(v) for v in row) for row in zip(*(c.to_pylist() for c in arrow.columns))]


@pytest.mark.parametrize("query", QUERIES)
def test_sketches_give_sparks_names_and_answers(both, query: str) -> None:  # type: ignore[no-untyped-def]
    session, spark = both
    theirs = spark.sql(query)
    ours = session.sql(query)
    assert ours.columns == theirs.columns
    assert _rows(ours) == [tuple(_normal(v) for v in row) for row in theirs.collect()]


@pytest.mark.parametrize(
    ("build", "read"),
    [
        ("hll_sketch_agg(id)", "hll_sketch_estimate({})"),
        ("hll_sketch_agg(g, 8)", "hll_sketch_estimate({})"),
        ("theta_sketch_agg(id, 7)", "theta_sketch_estimate({})"),
        ("kll_sketch_agg_double(x, 16)", "kll_sketch_get_quantile_double({}, 0.5)"),
        ("kll_sketch_agg_bigint(g)", "kll_sketch_get_rank_bigint({}, 6)"),
        ("tuple_sketch_agg_double(id, x, 7)", "tuple_sketch_summary_double({}, 'max')"),
        ("tuple_sketch_agg_integer(g, g)", "tuple_sketch_summary_integer({})"),
    ],
)
def test_each_reads_the_others_sketches(both, build: str, read: str) -> None:  # type: ignore[no-untyped-def]
    """A sketch Spark wrote, read by glueless, answers as in Spark, and the reverse."""
    session, spark = both
    query = f"select {build} s from big"
    spark_image = bytes(spark.sql(query).collect()[0][0])
    our_image = pa.table(session.sql(query).collect()).column(0)[0].as_py()
    for image in (spark_image, our_image):
        literal = read.format(f"X'{image.hex()}'")
        ours = _rows(session.sql(f"select {literal}"))
        theirs = [tuple(_normal(v) for v in row) for row in spark.sql(f"select {literal}").collect()]
        assert ours == theirs


def test_errors_are_sparks(both) -> None:  # type: ignore[no-untyped-def]
    from glueless.exceptions import SqlError

    session, _ = both
    for query, message in [
        ("select hll_sketch_agg(k, 3) from small", "HLL_INVALID_LG_K"),
        ("select hll_sketch_estimate(X'00')", "HLL_INVALID_INPUT_SKETCH_BUFFER"),
        ("select theta_sketch_estimate(hll_sketch_agg(k)) from small", "THETA_INVALID_INPUT_SKETCH_BUFFER_FAMILY"),
        (
            "select kll_sketch_get_quantile_bigint(kll_sketch_agg_bigint(k), 1.5) from small",
            "KLL_SKETCH_INVALID_QUANTILE_RANGE",
        ),
        ("select tuple_sketch_agg_double(k, v, 12, 'avg') from small", "TUPLE_INVALID_SKETCH_MODE"),
        ("select hll_sketch_agg(v) from small", "UNEXPECTED_INPUT_TYPE"),
    ]:
        with pytest.raises(SqlError, match=message):
            session.sql(query).collect()
