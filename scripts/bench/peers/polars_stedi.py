"""The five STEDI jobs in Polars (lazy): read NDJSON landing, write Parquet (zstd).

python polars_stedi.py LAKE OUT
"""

import sys

import polars as pl

CUSTOMER = {
    "customerName": pl.String,
    "email": pl.String,
    "phone": pl.String,
    "birthDay": pl.String,
    "serialNumber": pl.String,
    "registrationDate": pl.Int64,
    "lastUpdateDate": pl.Int64,
    "shareWithResearchAsOfDate": pl.Int64,
    "shareWithPublicAsOfDate": pl.Int64,
    "shareWithFriendsAsOfDate": pl.Int64,
}
ACCEL = {"user": pl.String, "timestamp": pl.Int64, "x": pl.Float64, "y": pl.Float64, "z": pl.Float64}
STEP = {"sensorReadingTime": pl.Int64, "serialNumber": pl.String, "distanceFromObject": pl.Int64}


def main(lake: str, out: str) -> None:
    def landing(table: str, schema: dict) -> pl.LazyFrame:
        return pl.scan_ndjson(f"{lake}/{table}/landing/*.json", schema=schema)

    def write(frame: pl.DataFrame, name: str) -> pl.DataFrame:
        frame.write_parquet(f"{out}/{name}.parquet", compression="zstd")
        return frame

    consent = pl.col("shareWithResearchAsOfDate")
    customer_trusted = write(
        landing("customer", CUSTOMER).filter(consent.is_not_null() & (consent != 0)).collect(), "customer_trusted"
    )
    accelerometer_trusted = write(
        landing("accelerometer", ACCEL)
        .join(customer_trusted.lazy().select(pl.col("email").alias("user")), on="user", how="semi")
        .unique(maintain_order=True)
        .collect(),
        "accelerometer_trusted",
    )
    customer_curated = write(
        customer_trusted.lazy()
        .join(accelerometer_trusted.lazy().select(pl.col("user").alias("email")).unique(), on="email", how="semi")
        .unique(maintain_order=True)
        .collect(),
        "customer_curated",
    )
    step_trainer_trusted = write(
        landing("step_trainer", STEP)
        .join(customer_curated.lazy().select("serialNumber"), on="serialNumber", how="semi")
        .unique(maintain_order=True)
        .collect(),
        "step_trainer_trusted",
    )
    write(
        step_trainer_trusted.lazy()
        .join(accelerometer_trusted.lazy(), left_on="sensorReadingTime", right_on="timestamp", how="inner")
        .select("sensorReadingTime", "serialNumber", "distanceFromObject", "x", "y", "z")
        .collect(),
        "machine_learning_curated",
    )


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
