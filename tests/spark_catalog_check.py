"""Run by tests/test_catalog.py in its own process (Hive support is fixed when a JVM starts): create
the given Parquet tables in a Hive metastore from their generated DDL with Spark SQL, and print, as
JSON, each table's row count and non-null count per column as Spark SQL reads them.

    python spark_catalog_check.py WORKDIR DDL.json
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def main(workdir: str, ddl_file: str) -> None:
    from pyspark.sql import SparkSession

    work = Path(workdir)
    spark = (
        SparkSession.builder.master("local[2]")
        .appName("glueless-catalog-check")
        .config("spark.sql.warehouse.dir", str(work / "warehouse"))
        .config("spark.hadoop.javax.jdo.option.ConnectionURL", f"jdbc:derby:;databaseName={work / 'metastore'};create=true")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .enableHiveSupport()
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    spark.sql("CREATE DATABASE IF NOT EXISTS stedi")
    out = {}
    for table in json.loads(Path(ddl_file).read_text()):
        spark.sql(table["sql"])
        columns = [f.name for f in spark.table(f"stedi.{table['name']}").schema.fields]
        counts = ", ".join(f"count(`{c}`) AS `{c}`" for c in columns)
        row = spark.sql(f"SELECT count(*) AS rows, {counts} FROM stedi.`{table['name']}`").collect()[0].asDict()
        out[table["name"]] = row
    spark.stop()
    print(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
