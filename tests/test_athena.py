"""`glueless athena`: Athena's SQL over catalog tables, checked against DuckDB on the same rows,
against Trino's documented rules, and on the real STEDI data (the project's Athena counts)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Optional

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from glueless.athena import Athena, MemoryCatalog, Result, write_csv, write_json, write_table
from glueless.catalog import apply_ddl
from glueless.compat._run import LocationMap
from glueless.exceptions import GluelessError
from test_glue_submit import glueless

# Rows as Athena reads them from the files below (keys in any case; "oops" is no double: NULL).
ORDERS = [
    (1, "a", 10.5, "2024-01-02 03:04:05.000"),
    (2, "b", None, "2024-01-15 00:00:00.000"),
    (3, "a", 2.25, "2024-02-01 12:00:00.000"),
    (4, "c", 7.0, None),
    (5, "b", None, "2024-02-03 08:30:00.500"),
]
CUSTOMERS = [("a", "Ann", 31), ("b", "Bob", None), ("d", "Dee", 45)]
ITEMS = [(1, "pen", 2), (1, "ink", 1), (3, "pad", 5), (9, "cap", 1)]

DDL = """
CREATE EXTERNAL TABLE shop.orders (orderid bigint, customer string, amount double, ts timestamp)
ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe' WITH SERDEPROPERTIES ('ignore.malformed.json' = 'FALSE')
LOCATION 's3://shop/orders/';
CREATE EXTERNAL TABLE shop.customers (id string, name string, age int)
ROW FORMAT DELIMITED FIELDS TERMINATED BY ',' LOCATION 's3://shop/customers/'
TBLPROPERTIES ('skip.header.line.count' = '1');
CREATE EXTERNAL TABLE shop.items (orderid bigint, item string, qty bigint) STORED AS PARQUET
LOCATION 's3://shop/items/';
CREATE EXTERNAL TABLE shop.visits (page string, n bigint) PARTITIONED BY (day string)
ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe' LOCATION 's3://shop/visits/';
CREATE EXTERNAL TABLE shop.events (id bigint, tags array<string>, device struct<os:string,version:int>)
ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe' LOCATION 's3://shop/events/';
"""


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shop's files: JSON with keys in two spellings and a value that is no number, a CSV
    with a header and a missing field, Parquet, and a partitioned JSON table."""
    root = tmp_path_factory.mktemp("shop")
    (root / "orders").mkdir()
    lines = [
        {"OrderId": 1, "customer": "a", "amount": 10.5, "ts": "2024-01-02 03:04:05"},
        {"orderid": 2, "Customer": "b", "amount": "oops", "ts": "2024-01-15 00:00:00"},
        {"orderId": 3, "customer": "a", "AMOUNT": 2.25, "ts": "2024-02-01 12:00:00"},
    ]
    (root / "orders" / "part-0.json").write_text("".join(json.dumps(r) + "\n" for r in lines), encoding="utf-8")
    more = [
        {"orderid": 4, "customer": "c", "amount": 7, "extra": [1, 2]},
        {"orderid": 5, "customer": "b", "ts": "2024-02-03 08:30:00.5"},
    ]
    (root / "orders" / "part-1.json").write_text("".join(json.dumps(r) + "\n" for r in more), encoding="utf-8")
    (root / "orders" / "_SUCCESS").write_text("", encoding="utf-8")
    (root / "customers").mkdir()
    (root / "customers" / "c.csv").write_text("id,name,age\na,Ann,31\nb,Bob\nd,Dee,45\n", encoding="utf-8")
    (root / "items").mkdir()
    columns = list(zip(*ITEMS))
    pq.write_table(
        pa.table({"orderid": pa.array(columns[0], pa.int64()), "Item": columns[1], "qty": pa.array(columns[2])}),
        root / "items" / "i.parquet",
    )
    (root / "events").mkdir()
    events = [
        {"id": 1, "tags": ["new", "sale"], "device": {"os": "ios", "version": 17}},
        {"id": 2, "tags": [], "device": {"os": "android"}},
        {"id": 3, "tags": ["sale"], "device": "not an object"},
    ]
    (root / "events" / "e.json").write_text("".join(json.dumps(r) + "\n" for r in events), encoding="utf-8")
    for day, rows in {"2024-01-01": [("home", 3), ("cart", 1)], "2024-01-02": [("home", 5)]}.items():
        folder = root / "visits" / f"day={day}"
        folder.mkdir(parents=True)
        (folder / "v.json").write_text("".join(json.dumps({"page": p, "n": n}) + "\n" for p, n in rows))
    return root


@pytest.fixture()
def athena(shop: Path) -> Athena:
    catalog = MemoryCatalog()
    apply_ddl(catalog, DDL)
    return Athena(catalog, "shop", [LocationMap.parse(f"s3://shop={shop}")])


@pytest.fixture(scope="module")
def duck() -> duckdb.DuckDBPyConnection:
    """DuckDB holding the rows Athena's SerDes give for the same files."""
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    con.execute("CREATE TABLE orders (orderid BIGINT, customer VARCHAR, amount DOUBLE, ts TIMESTAMP)")
    con.executemany("INSERT INTO orders VALUES (?, ?, ?, ?)", ORDERS)
    con.execute("CREATE TABLE customers (id VARCHAR, name VARCHAR, age INTEGER)")
    con.executemany("INSERT INTO customers VALUES (?, ?, ?)", CUSTOMERS)
    con.execute("CREATE TABLE items (orderid BIGINT, item VARCHAR, qty BIGINT)")
    con.executemany("INSERT INTO items VALUES (?, ?, ?)", ITEMS)
    return con


def values(result: Result) -> list[tuple[Any, ...]]:
    """Athena's text read back by type, to compare with DuckDB's Python values."""

    def value(text: Optional[str], kind: str) -> Any:
        if text is None:
            return None
        if kind in ("bigint", "integer", "smallint", "tinyint"):
            return int(text)
        if kind in ("double", "real"):
            return float(text)
        return text

    return [tuple(value(v, k) for v, k in zip(row, result.types)) for row in result.rows]


def duck_values(con: duckdb.DuckDBPyConnection, sql: str) -> list[tuple[Any, ...]]:
    rows = con.execute(sql).fetchall()
    shown = []
    for row in rows:
        shown.append(tuple(v.strftime("%Y-%m-%d %H:%M:%S.%f")[:-3] if hasattr(v, "strftime") else v for v in row))
    return shown


# Queries on which Trino and DuckDB agree (NULLs last in both directions, exact aggregates).
AGREED = [
    "SELECT customer, count(*) AS n, sum(amount) AS total FROM orders GROUP BY customer ORDER BY customer",
    "SELECT o.orderid, c.name, c.age FROM orders o JOIN customers c ON o.customer = c.id ORDER BY o.orderid",
    "SELECT o.orderid, c.name FROM orders o LEFT JOIN customers c ON o.customer = c.id ORDER BY c.name, o.orderid",
    "SELECT customer, amount FROM orders ORDER BY amount DESC, orderid",
    "SELECT orderid, amount FROM orders ORDER BY amount, orderid",
    "SELECT count(DISTINCT customer) AS d, count(amount) AS priced, avg(amount) AS mean FROM orders",
    "SELECT customer FROM orders UNION SELECT id FROM customers ORDER BY 1",
    "SELECT id FROM customers EXCEPT SELECT customer FROM orders",
    "SELECT orderid, row_number() OVER (PARTITION BY customer ORDER BY amount) AS r FROM orders ORDER BY orderid",
    "SELECT customer FROM orders GROUP BY customer HAVING count(*) > 1 ORDER BY 1",
    "WITH big AS (SELECT * FROM orders WHERE amount > 5) SELECT count(*) AS n FROM big",
    "SELECT o.orderid, sum(i.qty) AS qty FROM orders o JOIN items i ON o.orderid = i.orderid GROUP BY o.orderid ORDER BY 1",
    "SELECT orderid, coalesce(amount, 0) AS a, ts FROM orders ORDER BY ts, orderid",
    "SELECT upper(name) AS u, length(name) AS l, substr(name, 2, 2) AS s FROM customers ORDER BY u",
    "SELECT orderid FROM orders WHERE customer IN (SELECT id FROM customers WHERE age > 30) ORDER BY 1",
    "SELECT CASE WHEN amount IS NULL THEN 'none' WHEN amount > 5 THEN 'big' ELSE 'small' END AS k, count(*) AS n "
    "FROM orders GROUP BY 1 ORDER BY 1",
]


@pytest.mark.parametrize("sql", AGREED)
def test_queries_give_duckdbs_rows(athena: Athena, duck: duckdb.DuckDBPyConnection, sql: str) -> None:
    result = athena.query(sql)
    assert values(result) == duck_values(duck, sql)
    assert result.columns == [d[0] for d in duck.execute(sql).description]


def test_tables_as_athenas_serdes_read_them(athena: Athena) -> None:
    """JSON keys in any case (`OrderId`, `AMOUNT`), a value that does not convert is NULL, a hidden
    file is not data; CSV after its header with a missing field NULL; Parquet by name ignoring
    case; partition keys from the folders."""
    orders = athena.query("SELECT * FROM orders ORDER BY orderid")
    assert orders.columns == ["orderid", "customer", "amount", "ts"]
    assert orders.types == ["bigint", "varchar", "double", "timestamp(3)"]
    assert values(orders) == [tuple(r) for r in ORDERS]
    assert values(athena.query("SELECT * FROM customers ORDER BY id")) == CUSTOMERS
    assert values(athena.query("SELECT * FROM items ORDER BY orderid, item")) == sorted(ITEMS)
    visits = athena.query("SELECT day, sum(n) AS n FROM visits GROUP BY day ORDER BY day")
    assert visits.columns == ["day", "n"] and values(visits) == [("2024-01-01", 4), ("2024-01-02", 5)]
    assert values(athena.query("SELECT page FROM visits WHERE day = '2024-01-02'")) == [("home",)]


def test_trinos_rules(athena: Athena) -> None:
    """Trino's semantics where engines differ (Trino's documentation): integer division,
    `_colN` names, NULLS LAST, `||`, split_part past the end, count_if / arbitrary."""
    result = athena.query("SELECT 7 / 2, 7 % 3, 'a' || 'b' AS ab, split_part('a-b', '-', 3), 1.5 * 2")
    assert result.columns == ["_col0", "_col1", "ab", "_col3", "_col4"]
    assert result.rows == [["3", "1", "ab", None, "3.0"]]
    nulls = athena.query("SELECT amount FROM orders ORDER BY amount")
    assert [r[0] for r in nulls.rows] == ["2.25", "7.0", "10.5", None, None]
    counted = athena.query("SELECT count_if(amount > 5), arbitrary(customer) IS NOT NULL, approx_distinct(customer) FROM orders")
    assert counted.rows == [["2", "true", "3"]]
    case = athena.query("SELECT count(*) FROM customers WHERE name = 'ann'")
    assert case.rows == [["0"]]  # string comparison is case-sensitive
    dates = athena.query(
        "SELECT date_format(ts, '%Y/%m/%d %H:%i'), date_diff('day', ts, date_add('month', 1, ts)), "
        "to_unixtime(ts) FROM orders WHERE orderid = 1"
    )
    assert dates.rows == [["2024/01/02 03:04", "31", "1.704164645E9"]]


def test_nested_json_unnest_and_try(athena: Athena) -> None:
    """Declared arrays and structs read from JSON (a value of another shape is NULL), Trino's
    lateral `CROSS JOIN UNNEST(…) AS t(x)`, `element_at`, `TRY`."""
    events = athena.query("SELECT id, tags, device, cardinality(tags) FROM events ORDER BY id")
    assert events.types == ["bigint", "array(varchar)", "row(os varchar, version integer)", "bigint"]
    assert events.rows == [
        ["1", "[new, sale]", "{os=ios, version=17}", "2"],
        ["2", "[]", "{os=android, version=NULL}", "0"],
        ["3", "[sale]", None, "1"],
    ]
    tagged = athena.query("SELECT e.id, t.tag FROM events e CROSS JOIN UNNEST(e.tags) AS t(tag) ORDER BY e.id, t.tag")
    assert tagged.columns == ["id", "tag"]
    assert tagged.rows == [["1", "new"], ["1", "sale"], ["3", "sale"]]
    counted = athena.query("SELECT tag, count(*) AS n FROM events, UNNEST(tags) AS t(tag) GROUP BY tag ORDER BY tag")
    assert counted.rows == [["new", "1"], ["sale", "2"]]
    picked = athena.query("SELECT element_at(tags, 1), element_at(tags, -1), element_at(tags, 9) FROM events WHERE id = 1")
    assert picked.rows == [["new", "sale", None]]
    tried = athena.query("SELECT TRY(10 / (id - 1)), TRY(CAST(device.os AS integer)) FROM events WHERE id = 1")
    assert tried.rows == [[None, None]]


def test_a_filter_on_partition_keys_reads_only_those_partitions(athena: Athena, tmp_path: Path) -> None:
    """A partition the query's filter on the keys excludes is not read: here its file is not
    JSON, which fails only the queries that read it."""
    for day, text in (("2024-01-01", '{"page": "home", "n": 1}\n'), ("2024-01-02", "not json\n")):
        (tmp_path / f"day={day}").mkdir()
        (tmp_path / f"day={day}" / "v.json").write_text(text, encoding="utf-8")
    pruned = Athena(athena.catalog, "shop", [*athena.maps, LocationMap.parse(f"s3://pruned={tmp_path}")])
    list(pruned.run(
        "CREATE EXTERNAL TABLE logs (page string, n bigint) PARTITIONED BY (day string) "
        "ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe' LOCATION 's3://pruned/'"
    ))
    assert pruned.query("SELECT page, n FROM logs WHERE day = '2024-01-01'").rows == [["home", "1"]]
    assert pruned.query("SELECT count(*) FROM logs WHERE day < '2024-01-02' AND n > 0").rows == [["1"]]
    with pytest.raises(GluelessError, match="HIVE_CURSOR_ERROR"):
        pruned.query("SELECT count(*) FROM logs")


def test_catalog_statements(athena: Athena) -> None:
    outcomes = list(athena.run("SHOW TABLES; SHOW TABLES IN shop 'o*|c*'; SHOW DATABASES; DESCRIBE visits;"))
    tables, like, databases, described = (o for _, _, o in outcomes)
    assert isinstance(tables, Result)
    assert [r[0] for r in tables.rows] == ["customers", "events", "items", "orders", "visits"]
    assert isinstance(like, Result) and [r[0] for r in like.rows] == ["customers", "orders"]
    assert isinstance(databases, Result) and databases.rows == [["shop"]]
    assert isinstance(described, Result)
    assert described.rows[:2] == [["page", "string", ""], ["n", "bigint", ""]]
    assert described.rows[-1] == ["day", "string", ""]
    partitions = athena.execute("SHOW PARTITIONS visits")
    assert isinstance(partitions, Result) and partitions.rows == [["day=2024-01-01"], ["day=2024-01-02"]]
    created = athena.execute("SHOW CREATE TABLE shop.items")
    assert isinstance(created, Result) and created.rows[0] == ["CREATE EXTERNAL TABLE `shop`.`items`("]


def test_create_table_as_select_and_insert_into(athena: Athena, tmp_path: Path) -> None:
    """CTAS writes the query's rows as Athena does (Parquet by default, partitions as key=value
    folders, the table registered); INSERT INTO appends; DuckDB reads the files back."""
    out = Athena(athena.catalog, "shop", [*athena.maps, LocationMap.parse(f"s3://out={tmp_path}")])
    lines = [
        o for _, _, o in out.run(
            "CREATE TABLE priced WITH (format = 'PARQUET', external_location = 's3://out/priced/', "
            "partitioned_by = ARRAY['customer']) AS SELECT orderid, amount, customer FROM orders WHERE amount IS NOT NULL;"
            "INSERT INTO priced SELECT 9, 1.5, 'z';"
            "CREATE TABLE IF NOT EXISTS priced AS SELECT 1 AS x;"
            "CREATE TABLE shop.as_json WITH (format = 'JSON', external_location = 's3://out/as_json/') "
            "AS SELECT id, upper(name) AS name FROM customers;"
        )
    ]
    assert lines == [
        f"created table shop.priced (3 rows in 2 files) at s3://out/priced/",
        "inserted 1 rows into shop.priced (1 files)",
        "table shop.priced exists",
        f"created table shop.as_json (3 rows in 1 files) at s3://out/as_json/",
    ]
    described = out.execute("DESCRIBE priced")
    assert isinstance(described, Result)
    assert [r[:2] for r in described.rows] == [
        ["orderid", "bigint"], ["amount", "double"], ["", None], ["# Partition Information", None],
        ["# col_name", "data_type"], ["customer", "string"],
    ]
    back = out.query("SELECT customer, orderid, amount FROM priced ORDER BY orderid")
    assert values(back) == [("a", 1, 10.5), ("a", 3, 2.25), ("c", 4, 7.0), ("z", 9, 1.5)]
    assert sorted(p.name for p in (tmp_path / "priced").iterdir()) == ["customer=a", "customer=c", "customer=z"]
    files = duckdb.sql(
        f"SELECT customer, orderid, amount FROM read_parquet('{tmp_path}/priced/*/*.parquet', hive_partitioning = true) "
        "ORDER BY orderid"
    ).fetchall()
    assert files == [("a", 1, 10.5), ("a", 3, 2.25), ("c", 4, 7.0), ("z", 9, 1.5)]
    assert values(out.query("SELECT * FROM as_json ORDER BY id")) == [("a", "ANN"), ("b", "BOB"), ("d", "DEE")]
    with pytest.raises(GluelessError, match="HIVE_PATH_ALREADY_EXISTS"):
        list(out.run("CREATE TABLE again WITH (external_location = 's3://out/priced/') AS SELECT 1 AS x"))
    with pytest.raises(GluelessError, match="needs WITH \\(external_location"):
        list(out.run("CREATE TABLE nowhere AS SELECT 1 AS x"))
    with pytest.raises(GluelessError, match="Insert query has 1 columns but table shop.priced has 3"):
        list(out.run("INSERT INTO priced SELECT 1"))


def test_bad_input_is_one_clear_error(athena: Athena, shop: Path) -> None:
    with pytest.raises(GluelessError, match=r"TABLE_NOT_FOUND: Table 'awsdatacatalog\.shop\.nope' does not exist"):
        athena.query("SELECT * FROM nope")
    with pytest.raises(GluelessError, match="COLUMN_NOT_FOUND: Column 'nope' cannot be resolved"):
        athena.query("SELECT nope FROM orders")
    with pytest.raises(GluelessError, match="FUNCTION_NOT_FOUND: Function 'transform' not registered"):
        athena.query("SELECT transform(tags, x -> x) FROM events")
    with pytest.raises(GluelessError, match="SYNTAX_ERROR: line 1:24: Expected: end of statement, found: 1"):
        athena.query("SELECT 1 FROM ORDER BY 1")
    with pytest.raises(GluelessError, match="EXPLAIN SELECT … is not supported by glueless athena"):
        list(athena.run("EXPLAIN SELECT 1"))
    with pytest.raises(GluelessError, match=r"statement 1 \(USE\): USE names no database"):
        list(athena.run("USE"))
    bad = shop / "orders" / "part-2.json"
    bad.write_text('{"orderid": 6}\nnot json\n', encoding="utf-8")
    try:
        with pytest.raises(GluelessError, match=r"HIVE_CURSOR_ERROR: .*part-2\.json, line 2"):
            athena.query("SELECT count(*) FROM orders")
        lenient = Athena(athena.catalog, "shop", athena.maps)
        apply_ddl(lenient.catalog, DDL.split(";")[0].replace("'FALSE'", "'TRUE'").replace("shop.orders", "shop.lenient"))
        assert lenient.query("SELECT count(*), count(orderid) FROM lenient").rows == [["7", "6"]]
    finally:
        bad.unlink()


def test_outputs(athena: Athena, capsys: pytest.CaptureFixture[str]) -> None:
    import sys

    result = athena.query("SELECT name, age FROM customers ORDER BY id")
    write_table(result, sys.stdout)
    write_csv(result, sys.stdout)
    write_json(result, sys.stdout)
    out = capsys.readouterr().out
    assert out == (
        " name | age\n"
        "------+------\n"
        " Ann  |   31\n"
        " Bob  | NULL\n"
        " Dee  |   45\n"
        "(3 rows)\n\n"
        '"name","age"\n"Ann","31"\n"Bob",\n"Dee","45"\n'
        '{"name": "Ann", "age": 31}\n{"name": "Bob", "age": null}\n{"name": "Dee", "age": 45}\n'
    )


def test_a_file_of_ddl_and_queries_runs_whole(tmp_path: Path, shop: Path) -> None:
    """A project's .sql file: its DDL registers the table, its query runs; errors are one line."""
    sql = tmp_path / "orders_table.sql"
    sql.write_text(DDL.split(";")[0] + ";\n\n-- what the author ran in Athena's editor\nSELECT count(*) AS n FROM shop.orders;\n")
    args = ["athena", "--catalog", str(tmp_path / "catalog"), "--map", f"s3://shop={shop}", "--output", "csv"]
    done = glueless(*args, "-f", str(sql), "--result-location", str(tmp_path / "results"), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout == '"n"\n"5"\n'
    assert "created table shop.orders" in done.stderr
    (kept,) = (tmp_path / "results").glob("*.csv")
    assert kept.read_text() == done.stdout and f"result {kept}" in done.stderr
    missing = glueless(*args, "SELECT * FROM shop.nope", cwd=tmp_path)
    assert missing.returncode == 1
    assert missing.stderr.count("\n") == 1 and "TABLE_NOT_FOUND" in missing.stderr


def test_the_stedi_projects_athena_checks(real_lake: Path, tmp_path: Path) -> None:
    """The landing DDL shipped in scripts/sql and the project's checks in Athena: the published
    counts (956 / 81,273 / 28,680 landing; 482 customers who consented)."""
    repo = Path(__file__).resolve().parent.parent
    catalog = MemoryCatalog()
    for ddl in sorted((repo / "scripts" / "sql").glob("*.sql")):
        apply_ddl(catalog, ddl.read_text(encoding="utf-8"))
    athena = Athena(catalog, "stedi", [LocationMap.parse(f"s3://stedi-jivd={real_lake}")])
    counts = athena.query(
        "SELECT 'customer_landing' AS zone, count(*) AS n FROM customer_landing "
        "UNION ALL SELECT 'accelerometer_landing', count(*) FROM accelerometer_landing "
        "UNION ALL SELECT 'step_trainer_landing', count(*) FROM stedi.step_trainer_landing ORDER BY n"
    )
    assert counts.rows == [["customer_landing", "956"], ["step_trainer_landing", "28680"], ["accelerometer_landing", "81273"]]
    consented = athena.query("SELECT count(*) FROM customer_landing WHERE sharewithresearchasofdate IS NOT NULL")
    assert consented.rows == [["482"]]
    blank = athena.query("SELECT count(*) FROM customer_landing WHERE sharewithresearchasofdate IS NULL")
    assert blank.rows == [["474"]]


def test_a_lakes_tables_without_a_catalog(real_lake: Path, tmp_path: Path) -> None:
    """`--lake DIR` queries the zones the drivers wrote, without `catalog sync`: the project's
    validation query (a count per zone in one UNION ALL) gives the drivers' counts, which are the
    published ones."""
    import glueless as gl

    run = gl.run_stedi(str(real_lake))
    written = {o["table"]: o["rows"] for job in run["jobs"] for o in job["outputs"]}
    zones = {
        "customer_landing": 956, "accelerometer_landing": 81_273, "step_trainer_landing": 28_680,
        "customer_trusted": written["customer/trusted"], "accelerometer_trusted": written["accelerometer/trusted"],
        "step_trainer_trusted": written["step_trainer/trusted"], "customer_curated": written["customer/curated"],
        "machine_learning_curated": written["step_trainer/curated"],
    }
    assert [zones[z] for z in ("customer_trusted", "accelerometer_trusted", "machine_learning_curated")] == [
        482, 40_981, 43_681
    ]
    query = " UNION ALL ".join(f"SELECT '{z}' AS zone, count(*) AS n FROM {z}" for z in zones)
    done = glueless("athena", "--lake", str(real_lake), "--output", "json", query, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    counted = {r["zone"]: r["n"] for r in map(json.loads, done.stdout.splitlines())}
    assert counted == zones


def test_on_s3_with_the_glue_data_catalog(tmp_path: Path, shop: Path) -> None:
    """A real S3 and Glue server on 127.0.0.1 (moto, signed requests): DDL into Glue's catalog,
    a query over s3:// files, a CTAS written to S3 and registered in Glue."""
    import os
    import subprocess
    import sys

    import s3server

    server = s3server.start(tmp_path)
    try:
        s3 = server.client()
        s3.create_bucket(Bucket="shop")
        for path in sorted((shop / "orders").glob("part-*.json")):
            s3.upload_file(str(path), "shop", f"orders/{path.name}")
        env = {**os.environ, **server.env()}

        def cli(*args: str) -> subprocess.CompletedProcess[str]:
            command = [sys.executable, "-m", "glueless.cli", *args]
            return subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)

        ddl = tmp_path / "orders.sql"
        ddl.write_text(DDL.split(";")[0] + ";\n", encoding="utf-8")
        applied = cli("catalog", "apply", "--catalog", "glue", str(ddl))
        assert applied.returncode == 0, applied.stderr
        done = cli(
            "athena", "--catalog", "glue", "--database", "shop", "--output", "csv",
            "SELECT customer, count(*) AS n FROM orders GROUP BY customer ORDER BY customer;"
            "CREATE TABLE counts WITH (external_location = 's3://shop/counts/') AS "
            "SELECT customer, count(*) AS n FROM orders GROUP BY customer;"
            "SELECT sum(n) AS total FROM counts",
        )
        assert done.returncode == 0, done.stderr
        assert done.stdout == '"customer","n"\n"a","2"\n"b","2"\n"c","1"\n"total"\n"5"\n'
        table = server.client("glue").get_table(DatabaseName="shop", Name="counts")["Table"]
        assert table["StorageDescriptor"]["Location"] == "s3://shop/counts/"
        assert [c["Name"] for c in table["StorageDescriptor"]["Columns"]] == ["customer", "n"]
        written = s3.list_objects_v2(Bucket="shop", Prefix="counts/")["Contents"]
        assert [o["Key"].endswith(".parquet") for o in written] == [True]
    finally:
        server.stop()
