"""The five STEDI jobs as the rubric's SQL in PySpark (the engine the Glue jobs run), local[2]:
read NDJSON landing, write Parquet (zstd).

    python pyspark_stedi.py LAKE OUT
"""

import sys

from pyspark.sql import SparkSession

CUSTOMER = (
    "customerName string, email string, phone string, birthDay string, serialNumber string, "
    "registrationDate bigint, lastUpdateDate bigint, shareWithResearchAsOfDate bigint, "
    "shareWithPublicAsOfDate bigint, shareWithFriendsAsOfDate bigint"
)
ACCEL = "user string, timestamp bigint, x double, y double, z double"
STEP = "sensorReadingTime bigint, serialNumber string, distanceFromObject bigint"


def main(lake: str, out: str) -> None:
    spark = (
        SparkSession.builder.master("local[2]")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.sql.parquet.compression.codec", "zstd")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    for table, schema in [("customer", CUSTOMER), ("accelerometer", ACCEL), ("step_trainer", STEP)]:
        spark.read.schema(schema).json(f"{lake}/{table}/landing").createOrReplaceTempView(f"{table}_landing")

    def write(name: str, query: str) -> None:
        spark.sql(query).write.mode("overwrite").parquet(f"{out}/{name}.parquet")
        spark.read.parquet(f"{out}/{name}.parquet").createOrReplaceTempView(name)

    write(
        "customer_trusted",
        "SELECT * FROM customer_landing WHERE shareWithResearchAsOfDate IS NOT NULL AND shareWithResearchAsOfDate <> 0",
    )
    write(
        "accelerometer_trusted",
        "SELECT DISTINCT a.* FROM accelerometer_landing a WHERE a.user IN (SELECT email FROM customer_trusted)",
    )
    write(
        "customer_curated",
        "SELECT DISTINCT c.* FROM customer_trusted c WHERE c.email IN (SELECT user FROM accelerometer_trusted)",
    )
    write(
        "step_trainer_trusted",
        "SELECT DISTINCT s.* FROM step_trainer_landing s "
        "WHERE s.serialNumber IN (SELECT serialNumber FROM customer_curated)",
    )
    write(
        "machine_learning_curated",
        "SELECT s.sensorReadingTime, s.serialNumber, s.distanceFromObject, a.x, a.y, a.z "
        "FROM step_trainer_trusted s JOIN accelerometer_trusted a ON s.sensorReadingTime = a.`timestamp`",
    )
    spark.stop()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
