"""glueless inside Spark (PySpark local[4], 4+ partitions): each stage built on the Rust kernels
through mapInArrow gives what the local engine gives, the five jobs on Spark write the same tables
as the local engine on the real data (both modes), and the plan runs the kernels in every
partition."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pytest

import glueless
from glueless import _glueless
from conftest import run_script
from glueless.spark import run_job, stages

ZONES = ["customer/trusted", "customer/rejected", "accelerometer/trusted", "accelerometer/rejected",
         "customer/curated", "step_trainer/trusted", "step_trainer/rejected", "step_trainer/curated"]


def rows(table: object) -> list[tuple]:
    return sorted(tuple(r.values()) for r in pa.table(table).to_pylist())


def spark_rows(df) -> list[tuple]:  # type: ignore[no-untyped-def]
    return sorted(tuple(r) for r in df.collect())


@pytest.fixture()
def quirky_lake(demo_lake: Path) -> Path:
    """The generated lake plus records for the quarantine and both key spellings."""
    (demo_lake / "accelerometer" / "landing" / "quirks.json").write_text(
        '{"user": "x@y", "timeStamp": 5, "x": 1, "y": 2, "z": 3}\n{broken\n'
        '{"user": "x@y", "timestamp": "soon"}\n\n{"user": "a", "timestamp": 1, "x": "8"}\n'
    )
    return demo_lake


def test_each_stage_equals_the_local_kernel(spark, quirky_lake: Path) -> None:  # type: ignore[no-untyped-def]
    lake = str(quirky_lake)
    columns = glueless._glueless.landing_columns(lake, "accelerometer")
    decoded = stages.read_landing(spark, f"{lake}/accelerometer/landing", columns, partitions=4)
    local = glueless.read_landing(quirky_lake / "accelerometer" / "landing", "accelerometer")
    assert spark_rows(stages.accepted(decoded, columns)) == rows(local.table)
    assert spark_rows(stages.rejected(decoded)) == rows(local.rejected)

    customer_columns = glueless._glueless.landing_columns(lake, "customer")
    landed = stages.accepted(stages.read_landing(spark, f"{lake}/customer/landing", customer_columns), customer_columns)
    local_customers = glueless.read_landing(quirky_lake / "customer" / "landing", "customer").table
    assert spark_rows(stages.consent_filter(landed)) == rows(glueless.consent_filter(local_customers))

    glueless.run_job("customer_landing_to_trusted", lake)
    customers = spark.read.parquet(f"{lake}/customer/trusted")
    trusted_local = glueless.read_parquet(quirky_lake / "customer" / "trusted")
    readings = stages.accepted(decoded, columns)
    kept = stages.semi_join(spark, readings, customers, ["user"], ["email"])
    assert spark_rows(kept) == rows(glueless.semi_join(local.table, trusted_local, "user", "email"))
    dated = stages.consent_dated_filter(spark, readings, customers)
    assert spark_rows(dated) == rows(glueless.consent_dated_filter(local.table, trusted_local))
    joined, hits, _ = stages.inner_join(spark, readings, customers.select("email", "serialNumber"), ["user"], ["email"],
                                     with_hits=True)
    expected = glueless.inner_join(local.table, pa.table(trusted_local).select(["email", "serialNumber"]),
                                   "user", "email")
    assert joined.columns == pa.table(expected).column_names == ["user", "timestamp", "x", "y", "z", "email",
                                                                 "serialNumber"]
    assert spark_rows(joined) == rows(expected)
    matched = glueless.semi_join(trusted_local, local.table, "email", "user")
    assert stages.matched_rows(hits.value) == pa.table(matched).num_rows


def test_the_plan_runs_the_kernels_in_every_partition(spark, demo_lake: Path) -> None:  # type: ignore[no-untyped-def]
    from pyspark.sql.functions import spark_partition_id

    lake = str(demo_lake)
    glueless.run_job("customer_landing_to_trusted", lake)
    columns = glueless._glueless.landing_columns(lake, "accelerometer")
    decoded = stages.read_landing(spark, f"{lake}/accelerometer/landing", columns, partitions=4)
    customers = spark.read.parquet(f"{lake}/customer/trusted")
    kept = stages.semi_join(spark, stages.accepted(decoded, columns), customers, ["user"], ["email"])
    plan = kept._jdf.queryExecution().executedPlan().toString()
    assert plan.count("MapInArrow") >= 2, plan  # decoding and the broadcast semi-join
    assert kept.rdd.getNumPartitions() == 4
    per_partition = {r[0]: r[1] for r in decoded.groupBy(spark_partition_id()).count().collect()}
    files = len(list((demo_lake / "accelerometer" / "landing").iterdir()))
    assert len(per_partition) == min(files, 4), per_partition  # the files are spread over partitions


@pytest.mark.parametrize("strict", [False, True])
def test_the_five_jobs_on_spark_write_the_local_engines_tables(
    spark, real_landing: Path, tmp_path: Path, strict: bool  # type: ignore[no-untyped-def]
) -> None:
    lakes = {}
    for engine in ("local", "spark"):
        lake = tmp_path / engine
        for table in ("customer", "accelerometer", "step_trainer"):
            (lake / table).mkdir(parents=True)
            (lake / table / "landing").symlink_to(real_landing / table)
        lakes[engine] = lake
    local = glueless.run_stedi(str(lakes["local"]), strict=strict)
    if strict:
        on_spark = [run_job(job, str(lakes["spark"]), strict=True, spark=spark) for job in glueless.STEDI_JOBS]
    else:  # the pipeline entry point; it finds the active session
        pipeline = glueless.run_stedi(str(lakes["spark"]), engine="spark")
        assert pipeline["zones"] == local["zones"] and pipeline["engine"] == "spark"
        on_spark = pipeline["jobs"]
    for a, b in zip(local["jobs"], on_spark):
        assert b["balanced"], b
        assert (a["read"], a["quarantined"], a["written"], a["matched"]) == (
            b["read"], b["quarantined"], b["written"], b["matched"]), a["job"]
        assert sum(a["filtered"].values()) == sum(b["filtered"].values()), a["job"]
    for zone in ZONES:
        expected = rows(glueless.read_parquet(lakes["local"] / zone))
        assert rows(glueless.read_parquet(lakes["spark"] / zone)) == expected, zone
    assert local["zones"]["step_trainer/curated"] == (32_025 if strict else 43_681)
    # Spark's output was committed the glueless way: no staging folder or partial table is left.
    assert not list(lakes["spark"].rglob(".*staging*"))


def test_every_spark_job_holds_its_lock_as_the_local_engine_does(spark, demo_lake: Path) -> None:  # type: ignore[no-untyped-def]
    """A curated job on Spark takes the job's lock too: while another run holds it the job fails
    at once, before Spark does any work, and the table stays as it was."""
    from glueless.exceptions import ConflictError

    glueless.run_stedi(str(demo_lake))
    curated = demo_lake / "customer" / "curated"
    before = rows(glueless.read_parquet(curated))
    for job in ("customer_trusted_to_curated", "machine_learning_curated", "accelerometer_landing_to_trusted"):
        with _glueless.JobLock(str(demo_lake), job):
            with pytest.raises(ConflictError, match=f"another run of {job}"):
                run_job(job, str(demo_lake), spark=spark)
    assert rows(glueless.read_parquet(curated)) == before
    # Released at the end of the block and after every run: the jobs run again.
    for job in ("customer_trusted_to_curated", "machine_learning_curated"):
        assert run_job(job, str(demo_lake), spark=spark)["balanced"]
    assert rows(glueless.read_parquet(curated)) == before
    with pytest.raises(ValueError, match="unknown job"):
        _glueless.JobLock(str(demo_lake), "no_such_job")


def test_the_drivers_take_engine_spark_and_evolve_the_schema_on_new_fields(demo_lake: Path) -> None:
    """A driver with --engine spark --format delta, then a new landing field on the Delta table."""
    pytest.importorskip("deltalake")
    env = {"PYSPARK_SUBMIT_ARGS": "--master local[2] --conf spark.ui.enabled=false pyspark-shell"}
    done = run_script("customer_landing_to_trusted.py", "--lake", str(demo_lake), "--engine", "spark",
                      "--format", "delta", "--summary-json", str(demo_lake / "summary.json"), env=env)
    assert done.returncode == 0, done.stderr[-2000:]
    summary = json.loads((demo_lake / "summary.json").read_text())
    assert summary["engine"] == "spark" and summary["balanced"]
    assert summary["written"] == glueless.read_parquet(demo_lake / "customer" / "trusted").num_rows
    assert (demo_lake / "customer" / "trusted" / "_delta_log").is_dir()

    # A new field: the core stores a schema version from the file that brought it, and the tasks
    # decode again (as the local engine does), instead of failing.
    (demo_lake / "customer" / "landing" / "new.json").write_text(
        '{"email": "a@b", "shareWithResearchAsOfDate": 5, "loyaltyTier": "gold"}\n')
    again = run_script("customer_landing_to_trusted.py", "--lake", str(demo_lake), "--engine", "spark",
                       "--summary-json", str(demo_lake / "summary.json"), env=env)
    assert again.returncode == 0, again.stderr[-3000:]
    summary = json.loads((demo_lake / "summary.json").read_text())
    assert summary["schema_version"] == 2 and "loyaltyTier" in summary["schema_change"], summary
    trusted = pa.table(glueless.read_parquet(demo_lake / "customer" / "trusted"))
    assert trusted.column("loyaltyTier").drop_null().to_pylist() == ["gold"]
    # Without --format the table kept its format: the new schema is the Delta table's next commit.
    assert len(list((demo_lake / "customer" / "trusted" / "_delta_log").glob("*.json"))) == 2
    # The regenerated DDL of the landing table has the new column.
    ddl = (demo_lake / "_glueless" / "catalog" / "ddl" / "customer_landing_table.sql").read_text()
    assert "loyaltytier" in ddl.lower(), ddl


def test_the_console_script_runs_spark_from_a_venv_that_is_not_on_path(demo_lake: Path) -> None:
    """`/path/to/venv/bin/glueless stedi run --engine spark` with the venv not activated: Spark's
    Python workers must run glueless's interpreter, not the python3 found on PATH."""
    import os
    import subprocess
    import sys

    script = Path(sys.executable).parent / "glueless"
    if not script.exists():
        pytest.skip(f"no glueless console script beside {sys.executable}")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYSPARK_", "VIRTUAL_ENV"))}
    env["PATH"] = "/usr/bin:/bin"  # java is there; this interpreter's folder is not
    done = subprocess.run(
        [str(script), "stedi", "run", "--engine", "spark", "--lake", str(demo_lake), "--quiet",
         "--summary-json", str(demo_lake / "run.json")],
        capture_output=True, text=True, env=env, timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    run = json.loads((demo_lake / "run.json").read_text())
    assert run["balanced"] and run["zones"]["step_trainer/curated"] > 0


@pytest.mark.parametrize("codec", ["gzip", "bzip2", "deflate", "snappy", "lz4"])
def test_landing_files_spark_wrote_compressed_decode_like_the_plain_ones(
    spark, demo_lake: Path, tmp_path: Path, codec: str  # type: ignore[no-untyped-def]
) -> None:
    landing = demo_lake / "customer" / "landing"
    out = tmp_path / codec
    spark.read.json(str(landing)).write.option("compression", codec).json(str(out))
    extension = {"gzip": ".gz", "bzip2": ".bz2", "deflate": ".deflate", "snappy": ".snappy", "lz4": ".lz4"}[codec]
    assert all(f.name.endswith(extension) for f in out.glob("part-*")), list(out.iterdir())
    ours = glueless.read_landing(out, "customer")
    assert ours.stats["quarantined"] == 0 and ours.stats["compressed_files"] > 0
    assert rows(ours.table) == rows(glueless.read_landing(landing, "customer").table)


def test_the_spark_engine_reads_compressed_landing_files(spark, demo_lake: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import gzip
    import shutil

    packed = tmp_path / "packed"
    shutil.copytree(demo_lake, packed)
    for f in packed.glob("*/landing/*"):
        f.with_name(f.name + ".gz").write_bytes(gzip.compress(f.read_bytes()))
        f.unlink()
    for job, table in (("customer_landing_to_trusted", "customer"), ("accelerometer_landing_to_trusted", "accelerometer")):
        local = glueless.run_job(job, str(demo_lake))
        on_spark = run_job(job, str(packed), spark=spark)
        assert (on_spark["read"], on_spark["written"]) == (local["read"], local["written"]), job
        # The summary's sizes: the text as decoded, and the compressed files as stored.
        files = list((packed / table / "landing").iterdir())
        assert on_spark["bytes_read"] == local["bytes_read"], job
        assert on_spark["stored_bytes_read"] == sum(f.stat().st_size for f in files), job
        assert on_spark["compressed_files"] == len(files), job
    for zone in ("customer/trusted", "accelerometer/trusted"):
        assert rows(glueless.read_parquet(packed / zone)) == rows(glueless.read_parquet(demo_lake / zone)), zone


def test_an_append_that_does_not_fit_the_table_is_refused_and_changes_nothing(demo_lake: Path) -> None:
    """The core's side of an incremental Spark append, without Spark: staged rows whose columns
    are not the table's, or more staged rows than the run says it had, are one ValueError; the
    table, its bookmark and the quarantine stay as they were. Rows that fit are appended."""
    glueless.run_job("customer_landing_to_trusted", str(demo_lake))
    trusted = demo_lake / "customer" / "trusted"
    before = rows(glueless.read_parquet(trusted))
    (demo_lake / "customer" / "landing" / "later.json").write_text(
        '{"email": "new@x", "shareWithResearchAsOfDate": 5}\n')
    first = pa.table(glueless.read_parquet(trusted)).slice(0, 1)
    email = first.column_names.index("email")
    new_row = first.set_column(email, first.schema.field(email), pa.array(["new@x"], pa.string()))
    cases = [
        (pa.table({"email": ["new@x"]}), None, "columns are not those"),
        (new_row, 0, "more than the run's 0 distinct rows"),
    ]
    for staged_rows, distinct_rows, message in cases:
        run = _glueless.LandingJobRun(str(demo_lake), "customer_landing_to_trusted", incremental=True)
        staged = stages.staging_folder(str(trusted))
        quarantine = stages.staging_folder(str(demo_lake / "customer" / "rejected"))
        _glueless.write_parquet_file(f"{staged}/part-00000.parquet", staged_rows)
        with pytest.raises(ValueError, match=message):
            run.append(staged, quarantine, distinct_rows)
        run.discard(staged, quarantine)
        del run  # releases the job's lock
        assert rows(glueless.read_parquet(trusted)) == before
    run = _glueless.LandingJobRun(str(demo_lake), "customer_landing_to_trusted", incremental=True)
    staged = stages.staging_folder(str(trusted))
    quarantine = stages.staging_folder(str(demo_lake / "customer" / "rejected"))
    _glueless.write_parquet_file(f"{staged}/part-00000.parquet", new_row)
    out, _, already = run.append(staged, quarantine, 1)
    assert (out["rows"], out["table_rows"], already) == (1, len(before) + 1, 0)
    assert rows(glueless.read_parquet(trusted)) == sorted(before + rows(new_row))
    assert not list(demo_lake.rglob(".*staging*"))
