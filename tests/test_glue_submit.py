"""`glueless submit`: users' Glue scripts run unchanged, with Glue's semantics."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from conftest import REPO

GLUE_JOBS = REPO / "tests" / "glue_jobs"
DDL = sorted((REPO / "scripts" / "sql").glob("*_landing_table.sql"))
STEDI_ORDER = [
    "customer_landing_to_trusted",
    "accelerometer_landing_to_trusted",
    "customer_trusted_to_curated",
    "step_trainer_trusted",
    "machine_learning_curated",
]
PREAMBLE = textwrap.dedent(
    """\
    import sys
    from awsglue.transforms import *
    from awsglue.utils import getResolvedOptions
    from pyspark.context import SparkContext
    from awsglue.context import GlueContext
    from awsglue.job import Job
    from awsglue.dynamicframe import DynamicFrame

    args = getResolvedOptions(sys.argv, ["JOB_NAME"])
    glueContext = GlueContext(SparkContext())
    spark = glueContext.spark_session
    job = Job(glueContext)
    job.init(args["JOB_NAME"], args)
    """
)


def glueless(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "glueless.cli", *args], cwd=cwd, capture_output=True, text=True, timeout=300
    )


def submit(tmp_path: Path, body: str, *extra: str, job: str = "test_job") -> subprocess.CompletedProcess[str]:
    script = tmp_path / f"{job}.py"
    script.write_text(PREAMBLE + textwrap.dedent(body) + "\njob.commit()\n", encoding="utf-8")
    return glueless(
        "submit", "--map", f"s3://bucket={tmp_path / 'lake'}", "--catalog", str(tmp_path / "catalog"),
        str(script), "--JOB_NAME", job, *extra, cwd=tmp_path,
    )


def apply_ddl(tmp_path: Path, name: str, sql: str) -> subprocess.CompletedProcess[str]:
    """Write `sql` as `tmp_path/name` and apply it to the test's catalog (`tmp_path/catalog`)."""
    ddl = tmp_path / name
    ddl.write_text(sql, encoding="utf-8")
    return glueless("catalog", "apply", "--catalog", str(tmp_path / "catalog"), str(ddl), cwd=tmp_path)


def write_json(folder: Path, name: str, records: list[dict]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")


def read_table(folder: Path) -> pa.Table:
    files = sorted(p for p in folder.rglob("*") if p.is_file() and not p.name.startswith((".", "_")))
    return pa.concat_tables([pq.read_table(f) for f in files]) if files else pa.table({})


def read_json_rows(folder: Path) -> list[dict]:
    rows = []
    for f in sorted(p for p in folder.rglob("run-*") if p.is_file()):
        rows += [json.loads(line) for line in f.read_text().splitlines()]
    return rows


# --- the five STEDI jobs as Glue Studio writes them -----------------------------------------------


def run_stedi_glue_jobs(lake: Path, work: Path) -> list[subprocess.CompletedProcess[str]]:
    catalog = work / "catalog"
    applied = glueless("catalog", "apply", "--catalog", str(catalog), *map(str, DDL), cwd=work)
    assert applied.returncode == 0, applied.stderr
    runs = []
    for job in STEDI_ORDER:
        done = glueless(
            "submit", "--map", f"s3://stedi-jivd={lake}", "--catalog", str(catalog),
            "--summary-json", str(work / f"{job}.json"),
            str(GLUE_JOBS / f"{job}.py"), "--JOB_NAME", job, cwd=work,
        )
        assert done.returncode == 0, f"{job}: {done.stderr}"
        runs.append(done)
    return runs


def test_stedi_glue_studio_jobs_give_the_real_figures(real_lake: Path, tmp_path: Path) -> None:
    runs = run_stedi_glue_jobs(real_lake, tmp_path)
    counts = {
        "customer/trusted": 482,
        "accelerometer/trusted": 40_981,
        "customer/curated": 482,
        "step_trainer/trusted": 14_460,
        "step_trainer/curated": 43_681,
    }
    for zone, rows in counts.items():
        assert read_table(real_lake / zone).num_rows == rows, zone
    ml = read_table(real_lake / "step_trainer" / "curated")
    assert not {"email", "user", "customerName", "phone", "birthDay"} & set(ml.column_names)
    # One line per source and sink, and the time.
    assert "glueless: source from_catalog stedi.customer_landing" in runs[0].stderr
    assert "482 rows appended in 1 file; catalog stedi.customer_trusted created" in runs[0].stderr
    assert "glueless: done in" in runs[-1].stderr
    summary = json.loads((tmp_path / "machine_learning_curated.json").read_text())
    assert summary["status"] == "succeeded" and summary["sinks"][0]["rows"] == 43_681
    listed = glueless("catalog", "list", "--catalog", str(tmp_path / "catalog"), cwd=tmp_path)
    assert "machine_learning_curated  parquet  s3://stedi-jivd/step_trainer/curated/" in listed.stdout


def test_stedi_glue_jobs_match_the_drivers(real_lake: Path, tmp_path: Path) -> None:
    """The Glue scripts' trusted tables hold the same rows as the built-in drivers' (read back
    through DuckDB, an independent reader)."""
    import duckdb

    import glueless as gl

    driver_lake = tmp_path / "driver_lake"
    for table in ("customer", "accelerometer", "step_trainer"):
        (driver_lake / table).mkdir(parents=True)
        (driver_lake / table / "landing").symlink_to((real_lake / table / "landing").resolve())
    gl.run_stedi(str(driver_lake))
    run_stedi_glue_jobs(real_lake, tmp_path)
    for zone in ("customer/trusted", "accelerometer/trusted", "step_trainer/trusted"):
        glue_rows = duckdb.sql(f"SELECT * FROM read_parquet('{real_lake / zone}/*.parquet')")
        columns = ", ".join(f'"{c}"' for c in glue_rows.columns)
        ours = duckdb.sql(f"SELECT {columns} FROM read_parquet('{real_lake / zone}/*.parquet') EXCEPT ALL SELECT {columns} FROM read_parquet('{driver_lake / zone}/*.parquet')").fetchall()
        theirs = duckdb.sql(f"SELECT {columns} FROM read_parquet('{driver_lake / zone}/*.parquet') EXCEPT ALL SELECT {columns} FROM read_parquet('{real_lake / zone}/*.parquet')").fetchall()
        assert ours == [] and theirs == [], zone


# --- the awsglue API --------------------------------------------------------------------------------


def test_join_apply_renames_colliding_right_fields_and_drop_fields_takes_backticks(tmp_path: Path) -> None:
    write_json(tmp_path / "lake" / "customers", "c.json", [
        {"email": "a@x", "serialNumber": "S1"},
        {"email": "b@x", "serialNumber": "S2"},
        {"email": "c@x"},
    ])
    write_json(tmp_path / "lake" / "steps", "s.json", [
        {"serialNumber": "S1", "distance": 10},
        {"serialNumber": "S1", "distance": 11},
        {"serialNumber": "S3", "distance": 12},
    ])
    done = submit(tmp_path, """
        c = glueContext.create_dynamic_frame.from_options("s3", {"paths": ["s3://bucket/customers/"]}, "json")
        s = glueContext.create_dynamic_frame.from_options("s3", {"paths": ["s3://bucket/steps/"]}, "json")
        joined = Join.apply(frame1=c, frame2=s, keys1=["serialNumber"], keys2=["serialNumber"])
        print(sorted(joined.toDF().columns))
        print(joined.count())
        dropped = DropFields.apply(frame=joined, paths=["`.serialNumber`", "email", "not_there"])
        print(sorted(dropped.toDF().columns))
        missing = Join.apply(c, s, ["nope"], ["serialNumber"])
        print(missing.count(), sorted(missing.toDF().columns))
    """)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "['.serialNumber', 'distance', 'email', 'serialNumber']"
    assert lines[1] == "2"
    assert lines[2] == "['distance', 'serialNumber']"
    assert lines[3] == "0 ['.serialNumber', 'distance', 'email', 'serialNumber']"


def test_filter_apply_follows_glue_for_vectorised_and_python_functions(tmp_path: Path) -> None:
    write_json(tmp_path / "lake" / "customers", "c.json", [
        {"email": "a@x", "share": 0},
        {"email": "b@x", "share": 1655564376361},
        {"email": "c@x"},
        {"email": "d@x", "share": 5, "tag": "vip"},
    ])
    done = submit(tmp_path, """
        c = glueContext.create_dynamic_frame.from_options("s3", {"paths": ["s3://bucket/customers/"]}, "json")
        kept = Filter.apply(frame=c, f=lambda row: (not (row["share"] == 0)))
        print(sorted(r.email for r in kept.toDF().collect()))

        def vip(record):
            return record["tag"].upper() == "VIP"

        print(sorted(r.email for r in Filter.apply(c, vip).toDF().collect()))
        shape = Filter.apply(c, lambda r: r["share"] is not None or r.email == "c@x")
        print(sorted(r.email for r in shape.toDF().collect()))
        print(sorted(r.email for r in Filter.apply(c, lambda r: len(r) > 2).toDF().collect()))
    """)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    # A record without `share` raises KeyError: Glue drops it.
    assert lines[0] == "['b@x', 'd@x']"
    assert lines[1] == "['d@x']"
    assert lines[2] == "['a@x', 'b@x', 'd@x']"
    # A per-record function sees only the fields the record has.
    assert lines[3] == "['d@x']"
    assert "records dropped because the function raised KeyError" in done.stderr


def test_apply_mapping_rename_select_and_drop_null_fields(tmp_path: Path) -> None:
    write_json(tmp_path / "lake" / "t", "t.json", [
        {"customerName": "Ann", "Phone": "555", "when": "12", "empty": None},
        {"customerName": "Bob", "Phone": 556, "when": "x"},
    ])
    done = submit(tmp_path, """
        t = glueContext.create_dynamic_frame.from_options("s3", {"paths": ["s3://bucket/t/"]}, "json")
        m = ApplyMapping.apply(frame=t, mappings=[("customername", "string", "name", "string"), ("when", "string", "when", "long"), ("missing", "string", "m", "string")])
        print(m.toDF().dtypes)
        print(sorted((r.name, r.when) for r in m.toDF().collect()))
        r = RenameField.apply(t, "Phone", "phone")
        print(SelectFields.apply(r, ["phone", "customerName"]).toDF().columns)
        print(DropNullFields.apply(t).toDF().columns)
        m.printSchema()
    """)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "[('name', 'string'), ('when', 'bigint')]"
    assert lines[1] == "[('Ann', 12), ('Bob', None)]"
    assert lines[2] == "['customerName', 'phone']"
    assert lines[3] == "['customerName', 'Phone', 'when']"
    assert lines[4:] == ["root", "|-- name: string", "|-- when: long"]


def test_writes_append_in_glue_formats_with_partitions_and_compression(tmp_path: Path) -> None:
    write_json(tmp_path / "lake" / "in", "r.json", [
        {"user": "a@x", "day": "2024-01-01", "x": 1.5},
        {"user": "b@x", "day": "2024-01-02", "x": 2.5},
        {"user": "c@x", "day": "2024-01-02"},
    ])
    body = """
        r = glueContext.create_dynamic_frame.from_options("s3", {"paths": ["s3://bucket/in/"]}, "json")
        glueContext.write_dynamic_frame.from_options(frame=r, connection_type="s3", format="json",
            connection_options={"path": "s3://bucket/out/", "partitionKeys": ["day"]}, format_options={"compression": "gzip"})
        sink = glueContext.getSink(path="s3a://bucket/pq/", connection_type="s3", updateBehavior="LOG",
            partitionKeys=[], enableUpdateCatalog=True, transformation_ctx="sink")
        sink.setCatalogInfo(catalogDatabase="Stedi", catalogTableName="Readings")
        sink.setFormat("glueparquet", compression="snappy")
        sink.writeFrame(r)
    """
    assert submit(tmp_path, body).returncode == 0
    again = submit(tmp_path, body)
    assert again.returncode == 0, again.stderr
    out = tmp_path / "lake" / "out"
    assert sorted(p.name for p in out.iterdir()) == ["day=2024-01-01", "day=2024-01-02"]
    gz = sorted((out / "day=2024-01-02").iterdir())
    assert len(gz) == 2 and all(p.name.startswith("run-") and p.name.endswith(".gz") for p in gz)
    import gzip

    rows = [json.loads(line) for line in gzip.decompress(gz[0].read_bytes()).decode().splitlines()]
    # Key columns leave the files; a field a record lacks is not written.
    assert rows == [{"user": "b@x", "x": 2.5}, {"user": "c@x"}]
    # Glue appends: a second run adds files.
    table = read_table(tmp_path / "lake" / "pq")
    assert table.num_rows == 6
    assert all(p.name.endswith("-snappy.parquet") for p in (tmp_path / "lake" / "pq").iterdir())
    catalog = json.loads((tmp_path / "catalog" / "stedi" / "readings.json").read_text())
    assert catalog["StorageDescriptor"]["Location"] == "s3a://bucket/pq/"
    assert catalog["StorageDescriptor"]["Columns"] == [
        {"Name": "user", "Type": "string"}, {"Name": "day", "Type": "string"}, {"Name": "x", "Type": "double"}
    ]
    assert catalog["Parameters"]["classification"] == "parquet"


def test_from_catalog_reads_a_registered_table_and_a_missing_one_is_one_line(tmp_path: Path) -> None:
    write_json(tmp_path / "lake" / "customer" / "landing", "c.json", [{"email": "a@x", "shareWithResearchAsOfDate": 1}])
    applied = apply_ddl(tmp_path, "customer.sql",
        "CREATE EXTERNAL TABLE IF NOT EXISTS `stedi`.`customer_landing` (`email` string, `shareWithResearchAsOfDate` bigint)\n"
        "ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe' LOCATION 's3://bucket/customer/landing/'\n"
        "TBLPROPERTIES ('classification' = 'json');\n",
    )
    assert applied.returncode == 0, applied.stderr
    assert "created table stedi.customer_landing (2 columns, json) at s3://bucket/customer/landing/" in applied.stdout
    done = submit(tmp_path, """
        c = glueContext.create_dynamic_frame.from_catalog(database="STEDI", table_name="Customer_Landing")
        print(c.toDF().columns, c.count())
        glueContext.create_dynamic_frame.from_catalog(database="stedi", table_name="customer_trusted")
    """)
    assert done.returncode == 1
    assert done.stdout.splitlines()[0] == "['email', 'shareWithResearchAsOfDate'] 1"
    error = [line for line in done.stderr.splitlines() if "customer_trusted" in line]
    assert len(error) == 1 and "test_job.py:" in error[0]
    assert "table stedi.customer_trusted is not in the local catalog" in error[0]
    assert "glueless catalog apply" in error[0]
    assert "Traceback" not in done.stderr


def test_unsupported_calls_name_the_call_and_line_and_exit_2(tmp_path: Path) -> None:
    write_json(tmp_path / "lake" / "t", "t.json", [{"a": 1}])
    done = submit(tmp_path, """
        t = glueContext.create_dynamic_frame.from_options("s3", {"paths": ["s3://bucket/t/"]}, "json")
        t.relationalize("root", "s3://bucket/tmp/")
    """)
    assert done.returncode == 2
    lines = [line for line in done.stderr.splitlines() if not line.startswith("glueless:")]
    assert lines == [f"test_job.py:{PREAMBLE.count(chr(10)) + 3}: DynamicFrame.relationalize is not supported by glueless"]
    imported = submit(tmp_path, "from awsglue.transforms import Relationalize\n")
    assert imported.returncode == 2
    assert "awsglue.transforms.Relationalize is not supported by glueless" in imported.stderr
    other = submit(tmp_path, "glueContext.create_dynamic_frame.from_options('dynamodb', {}, 'json')\n")
    assert other.returncode == 2
    assert "create_dynamic_frame.from_options(connection_type='dynamodb') is not supported by glueless" in other.stderr


def test_user_errors_show_their_traceback_and_missing_arguments_glues_error(tmp_path: Path) -> None:
    done = submit(tmp_path, """
        def transform(x):
            return x / 0

        transform(1)
    """)
    assert done.returncode == 1
    assert "ZeroDivisionError: division by zero" in done.stderr
    assert "in transform" in done.stderr and "glueless/" not in done.stderr
    script = tmp_path / "needs_arg.py"
    script.write_text("import sys\nfrom awsglue.utils import getResolvedOptions\ngetResolvedOptions(sys.argv, ['JOB_NAME', 'LAKE'])\n")
    missing = glueless("submit", str(script), "--JOB_NAME", "x", cwd=tmp_path)
    assert missing.returncode == 1
    assert "needs_arg.py:3: GlueArgumentError: the following arguments are required: --LAKE" in missing.stderr


def test_sql_nodes_resolve_names_like_spark(tmp_path: Path) -> None:
    write_json(tmp_path / "lake" / "c", "c.json", [
        {"email": "a@x", "shareWithResearchAsOfDate": 10, "serialNumber": "S1"},
        {"email": "b@x", "shareWithResearchAsOfDate": 0, "serialNumber": "S2"},
    ])
    done = submit(tmp_path, """
        c = glueContext.create_dynamic_frame.from_options("s3", {"paths": ["s3://bucket/c/"]}, "json")
        c.toDF().createOrReplaceTempView("Customer_Landing")
        df = spark.sql('''
            -- consenting customers
            select c.*, c.sharewithresearchasofdate as ShareDate, upper(c.EMAIL)
            from customer_landing c where c.`SHAREWITHRESEARCHASOFDATE` == 10 and email = "a@x";
        ''')
        print(df.columns)
        print([tuple(r) for r in df.collect()])
    """)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "['email', 'shareWithResearchAsOfDate', 'serialNumber', 'ShareDate', 'upper(EMAIL)']"
    assert lines[1] == "[('a@x', 10, 'S1', 10, 'A@X')]"


def test_data_quality_rules_are_reported_and_never_change_the_data(tmp_path: Path) -> None:
    write_json(tmp_path / "lake" / "t", "t.json", [{"id": 1, "v": "a"}, {"id": 2, "v": "b"}, {"id": 2}])
    done = submit(tmp_path, """
        from awsgluedq.transforms import EvaluateDataQuality
        t = glueContext.create_dynamic_frame.from_options("s3", {"paths": ["s3://bucket/t/"]}, "json")
        rules = '''Rules = [ ColumnCount > 0, RowCount between 1 and 10, IsComplete "v", IsUnique "id",
                             ColumnValues "id" in [1, 2], Completeness "v" >= 0.5, CustomSql "select count(*) from primary" = 3 ]'''
        out = EvaluateDataQuality().process_rows(frame=t, ruleset=rules,
            publishing_options={"dataQualityEvaluationContext": "dq1", "enableDataQualityResultsPublishing": True})
        outcomes = out["ruleOutcomes"].toDF().collect()
        print([(r.Rule, r.Outcome) for r in outcomes])
        rows = out["rowLevelOutcomes"].toDF().orderBy("id").collect()
        print([r.DataQualityEvaluationResult for r in rows])
        print(t.count())
    """)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert eval(lines[0]) == [
        ("ColumnCount > 0", "Passed"),
        ("RowCount between 1 and 10", "Passed"),
        ('IsComplete "v"', "Failed"),
        ('IsUnique "id"', "Failed"),
        ('ColumnValues "id" in [ 1 , 2 ]', "Passed"),
        ('Completeness "v" >= 0.5', "Passed"),
        ('CustomSql "select count(*) from primary" = 3', "Passed"),
    ]
    assert lines[2] == "3"
    assert "data quality dq1: 5 of 7 rules passed" in done.stderr


def test_job_bookmarks_skip_files_a_committed_run_read(tmp_path: Path) -> None:
    write_json(tmp_path / "lake" / "in", "1.json", [{"a": 1}])
    body = """
        r = glueContext.create_dynamic_frame.from_options("s3", {"paths": ["s3://bucket/in/"]}, "json", transformation_ctx="src")
        print(r.count())
    """
    flags = ("--job-bookmark-option", "job-bookmark-enable")
    assert submit(tmp_path, body, *flags).stdout.strip() == "1"
    write_json(tmp_path / "lake" / "in", "2.json", [{"a": 2}, {"a": 3}])
    second = submit(tmp_path, body, *flags)
    assert second.stdout.strip() == "2"
    assert "1 file skipped by the job bookmark" in second.stderr
    assert submit(tmp_path, body).stdout.strip() == "3"


def test_catalog_ddl_round_trip_and_bad_ddl(tmp_path: Path) -> None:
    catalog = tmp_path / "catalog"
    good = tmp_path / "good.sql"
    good.write_text(
        "CREATE DATABASE IF NOT EXISTS stedi;\n"
        "CREATE EXTERNAL TABLE stedi.step_trainer_landing (sensorReadingTime BIGINT, serialNumber STRING)\n"
        "PARTITIONED BY (day STRING)\n"
        "ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe'\n"
        "STORED AS INPUTFORMAT 'org.apache.hadoop.mapred.TextInputFormat' "
        "OUTPUTFORMAT 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat'\n"
        "LOCATION 's3://b/step_trainer/landing/';\n"
        "DROP TABLE IF EXISTS stedi.nothing;\n"
    )
    done = glueless("catalog", "apply", "--catalog", str(catalog), str(good), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    table = json.loads((catalog / "stedi" / "step_trainer_landing.json").read_text())
    assert table["StorageDescriptor"]["Columns"] == [
        {"Name": "sensorreadingtime", "Type": "bigint"}, {"Name": "serialnumber", "Type": "string"}
    ]
    assert table["PartitionKeys"] == [{"Name": "day", "Type": "string"}]
    assert table["Parameters"]["classification"] == "json"
    again = glueless("catalog", "apply", "--catalog", str(catalog), str(good), cwd=tmp_path)
    assert again.returncode == 1 and "table stedi.step_trainer_landing already exists" in again.stderr
    bad = tmp_path / "bad.sql"
    bad.write_text("CREATE DATABASE x;\n\nCREATE EXTERNAL TABLE t (a BIGINT LOCATION 's3://b/t/';\n")
    failed = glueless("catalog", "apply", "--catalog", str(catalog), str(bad), cwd=tmp_path)
    assert failed.returncode == 1
    assert len(failed.stderr.strip().splitlines()) == 1
    assert "bad.sql: statement 2 does not parse" in failed.stderr and "Line: 3" in failed.stderr
    listed = glueless("catalog", "list", "--catalog", str(catalog), cwd=tmp_path)
    assert "step_trainer_landing  json  s3://b/step_trainer/landing/" in listed.stdout


def test_activate_gives_tests_the_surfaces_and_restores_the_real_ones(tmp_path: Path) -> None:
    from glueless.glue import activate

    write_json(tmp_path / "lake" / "t", "t.json", [{"a": 1}, {"a": 2}])
    with activate(maps=[f"s3://bucket={tmp_path / 'lake'}"], catalog=str(tmp_path / "catalog")) as run:
        from awsglue.context import GlueContext
        from pyspark.context import SparkContext
        from pyspark.sql import functions as F

        glue = GlueContext(SparkContext.getOrCreate())
        frame = glue.create_dynamic_frame.from_options("s3", {"paths": ["s3://bucket/t/"]}, "json")
        total = frame.toDF().agg(F.sum("a").alias("total")).collect()[0].total
        assert total == 3
        assert run.events[0].rows == 2
    assert "awsglue" not in sys.modules


# --- the AWS Glue Data Catalog (moto's Glue server on 127.0.0.1) ------------------------------------


@pytest.fixture()
def glue_server():  # type: ignore[no-untyped-def]
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    env = {
        "AWS_ENDPOINT_URL_GLUE": f"http://{host}:{port}",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }
    yield env
    server.stop()


def test_catalog_glue_registers_what_athena_needs(tmp_path: Path, glue_server: dict[str, str]) -> None:
    import os

    import boto3

    env = {**os.environ, **glue_server}
    write_json(tmp_path / "lake" / "customer" / "landing", "c.json", [
        {"email": "a@x", "shareWithResearchAsOfDate": 7}, {"email": "b@x", "shareWithResearchAsOfDate": 0},
    ])
    ddl = tmp_path / "customer.sql"
    ddl.write_text(
        "CREATE EXTERNAL TABLE IF NOT EXISTS `stedi`.`customer_landing` (`email` string, `shareWithResearchAsOfDate` bigint)\n"
        "ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe' LOCATION 's3://bucket/customer/landing/'\n"
        "TBLPROPERTIES ('classification' = 'json');\n"
    )
    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "glueless.cli", *args], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)

    applied = cli("catalog", "apply", "--catalog", "glue", str(ddl))
    assert applied.returncode == 0, applied.stderr
    script = tmp_path / "job.py"
    script.write_text(PREAMBLE + textwrap.dedent("""
        src = glueContext.create_dynamic_frame.from_catalog(database="stedi", table_name="customer_landing")
        kept = Filter.apply(frame=src, f=lambda row: row["shareWithResearchAsOfDate"] != 0)
        sink = glueContext.getSink(path="s3://bucket/customer/trusted/", connection_type="s3",
            updateBehavior="UPDATE_IN_DATABASE", partitionKeys=[], enableUpdateCatalog=True)
        sink.setCatalogInfo(catalogDatabase="stedi", catalogTableName="customer_trusted")
        sink.setFormat("glueparquet")
        sink.writeFrame(kept)
        job.commit()
    """))
    done = cli("submit", "--catalog", "glue", "--map", f"s3://bucket={tmp_path / 'lake'}", str(script), "--JOB_NAME", "j")
    assert done.returncode == 0, done.stderr
    glue = boto3.client("glue", endpoint_url=glue_server["AWS_ENDPOINT_URL_GLUE"], region_name="us-east-1",
                        aws_access_key_id="testing", aws_secret_access_key="testing")
    table = glue.get_table(DatabaseName="stedi", Name="customer_trusted")["Table"]
    storage = table["StorageDescriptor"]
    assert storage["Location"] == "s3://bucket/customer/trusted/"
    assert storage["Columns"] == [{"Name": "email", "Type": "string"}, {"Name": "sharewithresearchasofdate", "Type": "bigint"}]
    assert storage["SerdeInfo"]["SerializationLibrary"] == "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"
    assert storage["InputFormat"] == "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat"
    assert table["Parameters"]["classification"] == "parquet" and table["TableType"] == "EXTERNAL_TABLE"
    assert read_table(tmp_path / "lake" / "customer" / "trusted").num_rows == 1
    listed = cli("catalog", "list", "--catalog", "glue")
    assert "customer_trusted  parquet  s3://bucket/customer/trusted/" in listed.stdout


def test_csv_sources_and_writing_to_a_catalog_table(tmp_path: Path) -> None:
    folder = tmp_path / "lake" / "csv"
    folder.mkdir(parents=True)
    (folder / "a.csv").write_text("id;name\n1;Ann\n2;Bob\n")
    (folder / "b.csv").write_text("3;Cy\n")
    assert apply_ddl(tmp_path, "out.sql",
        "CREATE EXTERNAL TABLE db.people (id bigint, name string) STORED AS PARQUET LOCATION 's3://bucket/people/';\n"
    ).returncode == 0
    done = submit(tmp_path, """
        h = glueContext.create_dynamic_frame.from_options("s3", {"paths": ["s3://bucket/csv/a.csv"]}, "csv",
            format_options={"withHeader": True, "separator": ";"})
        print(h.toDF().dtypes, h.count())
        raw = glueContext.create_dynamic_frame.from_options("s3", {"paths": ["s3://bucket/csv/b.csv"]}, "csv",
            format_options={"separator": ";"})
        print(raw.toDF().columns)
        glueContext.write_dynamic_frame.from_catalog(frame=h, database="db", table_name="people")
    """)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "[('id', 'bigint'), ('name', 'string')] 2"
    assert lines[1] == "['col0', 'col1']"
    people = read_table(tmp_path / "lake" / "people")
    assert sorted(people.to_pylist(), key=lambda r: r["id"]) == [{"id": 1, "name": "Ann"}, {"id": 2, "name": "Bob"}]
    assert "from_catalog db.people" in done.stderr


def test_a_collection_without_the_key_gives_an_empty_frame(tmp_path: Path) -> None:
    done = submit(tmp_path, """
        from awsglue.dynamicframe import DynamicFrameCollection
        empty = SelectFromCollection.apply(dfc=DynamicFrameCollection({}, glueContext), key="nothing")
        print(empty.count(), empty.toDF().columns)
        empty.printSchema()
    """)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["0 []", "root"]
