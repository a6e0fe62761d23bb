"""The five STEDI jobs as the rubric's SQL in DuckDB: read NDJSON landing, write Parquet (zstd).

python duckdb_stedi.py LAKE OUT
"""

import sys

import duckdb

CUSTOMER = (
    "customerName: 'VARCHAR', email: 'VARCHAR', phone: 'VARCHAR', birthDay: 'VARCHAR', serialNumber: 'VARCHAR', "
    "registrationDate: 'BIGINT', lastUpdateDate: 'BIGINT', shareWithResearchAsOfDate: 'BIGINT', "
    "shareWithPublicAsOfDate: 'BIGINT', shareWithFriendsAsOfDate: 'BIGINT'"
)
ACCEL = "user: 'VARCHAR', timestamp: 'BIGINT', x: 'DOUBLE', y: 'DOUBLE', z: 'DOUBLE'"
STEP = "sensorReadingTime: 'BIGINT', serialNumber: 'VARCHAR', distanceFromObject: 'BIGINT'"


def main(lake: str, out: str) -> None:
    con = duckdb.connect()

    def landing(table: str, columns: str) -> str:
        return f"read_json('{lake}/{table}/landing/*.json', format='newline_delimited', columns={{{columns}}})"

    def write(name: str, query: str) -> None:
        con.execute(f"CREATE TABLE {name} AS {query}")
        con.execute(f"COPY {name} TO '{out}/{name}.parquet' (FORMAT parquet, COMPRESSION zstd)")

    write(
        "customer_trusted",
        f"SELECT * FROM {landing('customer', CUSTOMER)} "
        "WHERE shareWithResearchAsOfDate IS NOT NULL AND shareWithResearchAsOfDate <> 0",
    )
    write(
        "accelerometer_trusted",
        f"SELECT DISTINCT a.* FROM {landing('accelerometer', ACCEL)} a "
        "WHERE a.user IN (SELECT email FROM customer_trusted)",
    )
    write(
        "customer_curated",
        "SELECT DISTINCT c.* FROM customer_trusted c WHERE c.email IN (SELECT user FROM accelerometer_trusted)",
    )
    write(
        "step_trainer_trusted",
        f"SELECT DISTINCT s.* FROM {landing('step_trainer', STEP)} s "
        "WHERE s.serialNumber IN (SELECT serialNumber FROM customer_curated)",
    )
    write(
        "machine_learning_curated",
        "SELECT s.sensorReadingTime, s.serialNumber, s.distanceFromObject, a.x, a.y, a.z "
        "FROM step_trainer_trusted s JOIN accelerometer_trusted a ON s.sensorReadingTime = a.timestamp",
    )


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
