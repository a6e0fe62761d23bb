"""The Data Catalog as Spark's metastore in `glueless submit` (Glue's `--enable-glue-datacatalog`):
`spark.sql` and `spark.table` read `database.table`, `spark.catalog` lists the catalog. Checked
against PySpark reading the same Parquet files through its own catalog."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from test_glue_fidelity import _catalog, _landing
from test_glue_submit import apply_ddl, submit


def test_a_glue_scripts_spark_sql_reads_catalog_tables(tmp_path: Path) -> None:
    """The catalog's JSON tables through their SerDe: the declared columns, in lower case (the
    metastore's names), keys matched ignoring case; the catalog's databases in `spark.catalog`."""
    _landing(tmp_path)
    _catalog(tmp_path)
    done = submit(tmp_path, """
        trusted = spark.sql("SELECT customername, email FROM stedi.customer_landing "
                            "WHERE sharewithresearchasofdate IS NOT NULL AND sharewithresearchasofdate <> 0")
        print(trusted.columns, [tuple(r) for r in trusted.collect()])
        print(spark.table("stedi.accelerometer_landing").columns, spark.table("stedi.accelerometer_landing").count())
        joined = spark.sql("SELECT a.user, count(*) AS n FROM stedi.accelerometer_landing a "
                           "JOIN stedi.customer_landing c ON a.user = c.email GROUP BY a.user ORDER BY a.user")
        print([tuple(r) for r in joined.collect()])
        print([d.name for d in spark.catalog.listDatabases()])
        print([t.name for t in spark.catalog.listTables("stedi")])
        print(spark.catalog.tableExists("stedi.customer_landing"), spark.catalog.tableExists("nope", "stedi"),
              spark.catalog.databaseExists("stedi"), spark.catalog.databaseExists("nope"))
    """)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "['customername', 'email'] [('Ann Lee', 'ann@x.com')]"
    # The DDL declares two of the readings' five fields: a metastore table has its declared columns.
    assert lines[1] == "['user', 'timestamp'] 3"
    assert lines[2] == "[('ann@x.com', 2), ('bob@x.com', 1)]"
    assert lines[3] == "['default', 'stedi']"
    assert lines[4] == "['accelerometer_landing', 'customer_landing', 'step_trainer_csv']"
    assert lines[5] == "True False True False"


def test_catalog_parquet_tables_read_as_pyspark_reads_them(tmp_path: Path, spark: object) -> None:
    """A Parquet table whose files spell the columns in camelCase: PySpark's catalog and
    glueless's give the same columns and rows for the same DDL and query."""
    folder = tmp_path / "lake" / "readings"
    folder.mkdir(parents=True)
    pq.write_table(
        pa.table({"User": ["a", "b", "a"], "sensorReadingTime": [3, 1, 2], "x": [0.5, None, 1.5]}),
        folder / "part-0.parquet",
    )
    ddl = "(user string, sensorreadingtime bigint, x double, missing string)"
    query = "SELECT user, sensorreadingtime, x, missing FROM shop.readings WHERE x IS NOT NULL ORDER BY sensorreadingtime"
    # The database's folder in the test's directory (Spark's default is ./spark-warehouse).
    spark.sql(f"CREATE DATABASE IF NOT EXISTS shop LOCATION '{tmp_path / 'shop.db'}'")  # type: ignore[attr-defined]
    spark.sql(f"CREATE TABLE shop.readings {ddl} USING parquet LOCATION '{folder}'")  # type: ignore[attr-defined]
    try:
        expected = spark.sql(query)  # type: ignore[attr-defined]
        expected_rows = [tuple(r) for r in expected.collect()]
        expected_columns = expected.columns
    finally:
        spark.sql("DROP TABLE shop.readings")  # type: ignore[attr-defined]
    done = apply_ddl(
        tmp_path, "readings.sql", f"CREATE EXTERNAL TABLE shop.readings {ddl} STORED AS PARQUET LOCATION 's3://bucket/readings/';"
    )
    assert done.returncode == 0, done.stderr
    done = submit(tmp_path, f"""
        found = spark.sql("{query}")
        print(found.columns)
        print([tuple(r) for r in found.collect()])
    """)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [str(expected_columns), str(expected_rows)]


def test_save_as_table_and_insert_into_the_catalog(tmp_path: Path) -> None:
    """`saveAsTable` writes under the database's LOCATION and registers the table; `insertInto`
    appends by position; both read back through `spark.table` and are in the catalog."""
    _landing(tmp_path)
    _catalog(tmp_path)
    assert apply_ddl(tmp_path, "db.sql", "CREATE DATABASE curated LOCATION 's3://bucket/curated/';").returncode == 0
    done = submit(tmp_path, """
        readings = spark.sql("SELECT user, count(*) AS n FROM stedi.accelerometer_landing GROUP BY user")
        readings.write.mode("overwrite").saveAsTable("curated.readings_per_user")
        spark.sql("SELECT 'zed@x.com' AS who, 7 AS many").write.insertInto("curated.readings_per_user")
        back = spark.table("curated.readings_per_user")
        print(back.columns, sorted(tuple(r) for r in back.collect()))
        print([t.name for t in spark.catalog.listTables("curated")])
        try:
            readings.write.saveAsTable("curated.readings_per_user")
        except Exception as err:
            print(type(err).__name__, str(err).split(".")[0])
    """)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "['user', 'n'] [('ann@x.com', 2), ('bob@x.com', 1), ('zed@x.com', 7)]"
    assert lines[1] == "['readings_per_user']"
    assert lines[2].startswith("ConflictError [TABLE_OR_VIEW_ALREADY_EXISTS] Table `curated`")
    written = sorted(p.name for p in (tmp_path / "lake" / "curated" / "readings_per_user").iterdir())
    assert all(name.endswith(".parquet") for name in written) and len(written) == 2


def test_use_makes_a_catalog_databases_tables_bare_names(tmp_path: Path) -> None:
    """After `USE stedi` (or `setCurrentDatabase`), `customer_landing` is the catalog's table;
    a temporary view of the same name comes first, as in Spark; an unknown database is Spark's
    SCHEMA_NOT_FOUND."""
    _landing(tmp_path)
    _catalog(tmp_path)
    done = submit(tmp_path, """
        spark.sql("USE stedi")
        print(spark.catalog.currentDatabase(), spark.sql("SELECT count(*) AS n FROM customer_landing").collect()[0].n)
        print(sorted(t.name for t in spark.catalog.listTables()))
        spark.sql("SELECT 1 AS one").createOrReplaceTempView("customer_landing")
        print(spark.table("customer_landing").columns, spark.table("stedi.customer_landing").count())
        spark.catalog.setCurrentDatabase("default")
        try:
            spark.sql("USE nope")
        except Exception as err:
            print(str(err).split(" The")[0])
    """)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "stedi 3",
        "['accelerometer_landing', 'customer_landing', 'step_trainer_csv']",
        "['one'] 3",
        "[SCHEMA_NOT_FOUND]",
    ]
