"""The Athena benchmark's queries in DuckDB over the same lake: landing NDJSON with the DDL's
columns, the Parquet zones as written. Prints the result as CSV.

python duckdb_athena.py LAKE "SQL"
"""

import sys

import duckdb
from duckdb_stedi import ACCEL, CUSTOMER, STEP

ZONES = {
    "customer_trusted": "customer/trusted",
    "accelerometer_trusted": "accelerometer/trusted",
    "customer_curated": "customer/curated",
    "step_trainer_trusted": "step_trainer/trusted",
    "machine_learning_curated": "step_trainer/curated",
}


def main(lake: str, sql: str) -> None:
    con = duckdb.connect()
    for table, columns in (("customer", CUSTOMER), ("accelerometer", ACCEL), ("step_trainer", STEP)):
        con.execute(
            f"CREATE VIEW {table}_landing AS SELECT * FROM read_json('{lake}/{table}/landing/*.json', "
            f"format='newline_delimited', columns={{{columns}}})"
        )
    for name, folder in ZONES.items():
        con.execute(f"CREATE VIEW {name} AS SELECT * FROM read_parquet('{lake}/{folder}/*.parquet')")
    result = con.execute(sql)
    names = [d[0] for d in result.description]
    print(",".join(names))
    for row in result.fetchall():
        print(",".join("" if v is None else str(v) for v in row))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
