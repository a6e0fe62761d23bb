"""Real Glue projects' scripts give Glue's tables: the shapes public STEDI projects write (catalog
reads with lower-case names, case-sensitive field paths, compressed JSON sinks, Glue Studio's
backticked join keys, duplicate SQL output names, DDL files that hold queries), each with the
table Glue gives. Files Spark writes or reads are checked with PySpark itself."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pytest

from test_glue_submit import apply_ddl, glueless, read_table, submit, write_json

PII = {"customername", "email", "phone", "birthday", "serialnumber"}

CUSTOMERS = [
    {"customerName": "Ann Lee", "email": "ann@x.com", "phone": "555-1", "birthDay": "1990-01-01",
     "serialNumber": "S1", "registrationDate": 1, "lastUpdateDate": 2, "shareWithResearchAsOfDate": 1_655_564_376_361,
     "shareWithPublicAsOfDate": 3, "shareWithFriendsAsOfDate": 4},
    {"customerName": "Bob Ray", "email": "bob@x.com", "phone": "555-2", "birthDay": "1980-02-02",
     "serialNumber": "S2", "registrationDate": 1, "lastUpdateDate": 2},
    {"customerName": "Cy Dee", "email": "cy@x.com", "phone": "555-3", "birthDay": "1970-03-03",
     "serialNumber": "S3", "registrationDate": 1, "lastUpdateDate": 2, "shareWithResearchAsOfDate": 0},
]
READINGS = [
    {"user": "ann@x.com", "timestamp": 1_000, "x": 1.0, "y": 2.0, "z": 3.0},
    {"user": "ann@x.com", "timestamp": 2_000, "x": 1.5, "y": 2.5, "z": 3.5},
    {"user": "bob@x.com", "timestamp": 1_000, "x": 0.0, "y": 0.0, "z": 0.0},
]
STEPS = [
    {"sensorReadingTime": 1_000, "serialNumber": "S1", "distanceFromObject": 10},
    {"sensorReadingTime": 2_000, "serialNumber": "S2", "distanceFromObject": 11},
]


def _landing(tmp_path: Path) -> None:
    lake = tmp_path / "lake"
    write_json(lake / "customer" / "landing", "customer-1.json", CUSTOMERS)
    write_json(lake / "accelerometer" / "landing", "accelerometer-1.json", READINGS)
    write_json(lake / "step_trainer" / "landing", "step_trainer-1.json", STEPS)


def _catalog(tmp_path: Path) -> None:
    """The three landing tables, registered from Athena DDL with camelCase columns (stored lower-case)."""
    done = apply_ddl(tmp_path, "landing.sql",
        "CREATE EXTERNAL TABLE IF NOT EXISTS stedi.customer_landing (customerName string, email string, phone string,\n"
        "  birthDay string, serialNumber string, registrationDate bigint, lastUpdateDate bigint,\n"
        "  shareWithResearchAsOfDate bigint, shareWithPublicAsOfDate bigint, shareWithFriendsAsOfDate bigint)\n"
        "ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe' LOCATION 's3://bucket/customer/landing/';\n"
        # The DDL lists fewer columns than the data has: the frame still has every field.
        "CREATE EXTERNAL TABLE IF NOT EXISTS stedi.accelerometer_landing (user string, timestamp bigint)\n"
        "ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe' LOCATION 's3://bucket/accelerometer/landing/';\n"
        "CREATE EXTERNAL TABLE IF NOT EXISTS stedi.step_trainer_csv (sensorReadingTime bigint, serialNumber string,\n"
        "  distanceFromObject bigint) ROW FORMAT DELIMITED FIELDS TERMINATED BY ','\n"
        "LOCATION 's3://bucket/step_trainer/csv/' TBLPROPERTIES ('skip.header.line.count' = '1');\n",
    )
    assert done.returncode == 0, done.stderr
    folder = tmp_path / "lake" / "step_trainer" / "csv"
    folder.mkdir(parents=True)
    (folder / "steps.csv").write_text("Time,Serial,Distance\n1000,S1,10\n2000,S2,11\n", encoding="utf-8")


# --- from_catalog: the names a catalog frame has --------------------------------------------------


def test_catalog_frames_keep_the_datas_field_names_as_glue_does(tmp_path: Path) -> None:
    """A JSON or Parquet record names its own fields: a DynamicFrame read through the catalog has
    the data's spelling and every field, whatever the (lower-case) catalog columns; a CSV table's
    columns take the catalog's names. Evidence: docs/glue-catalog-names.md."""
    _landing(tmp_path)
    _catalog(tmp_path)
    done = submit(tmp_path, """
        customers = glueContext.create_dynamic_frame.from_catalog(database="stedi", table_name="customer_landing")
        readings = glueContext.create_dynamic_frame.from_catalog(database="stedi", table_name="accelerometer_landing")
        print(customers.toDF().columns)
        print(sorted(readings.toDF().columns))
        print(glueContext.create_dynamic_frame.from_catalog(database="stedi", table_name="step_trainer_csv").toDF().dtypes)
        # The shape of real projects that filtered with Glue Studio's lower-case catalog names:
        # on Glue every record raises KeyError and is dropped.
        print(Filter.apply(frame=customers, f=lambda row: (not (row["sharewithresearchasofdate"] == 0))).count())
        trusted = Filter.apply(frame=customers, f=lambda row: row["shareWithResearchAsOfDate"] != 0)
        print(trusted.count())
        joined = Join.apply(frame1=readings, frame2=trusted, keys1=["user"], keys2=["email"])
        # Lower-case paths drop nothing on Glue: each kept field is named on stderr.
        lower = DropFields.apply(frame=joined, paths=["customername", "email", "phone", "birthday", "serialnumber"])
        print(sorted(lower.toDF().columns))
        dropped = DropFields.apply(frame=joined, paths=["customerName", "email", "phone", "birthDay", "serialNumber",
            "registrationDate", "lastUpdateDate", "shareWithResearchAsOfDate", "shareWithPublicAsOfDate", "shareWithFriendsAsOfDate"])
        glueContext.write_dynamic_frame.from_options(frame=dropped, connection_type="s3", format="parquet",
            connection_options={"path": "s3://bucket/accelerometer/trusted/"})
    """)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == str(list(CUSTOMERS[0]))
    assert lines[1] == "['timestamp', 'user', 'x', 'y', 'z']"
    assert lines[2] == "[('sensorreadingtime', 'bigint'), ('serialnumber', 'string'), ('distancefromobject', 'bigint')]"
    assert lines[3:5] == ["0", "1"]
    kept = set(eval(lines[5]))
    assert {"customerName", "birthDay", "serialNumber"} <= kept and not {"email", "phone"} & kept
    for field in ("customerName", "birthDay", "serialNumber"):
        assert f"DropFields: the frame has no field {field.lower()!r}, only {field!r}; Glue's field paths are case-sensitive, so that field is kept" in done.stderr
    assert "Filter: the frame has no field 'sharewithresearchasofdate', only 'shareWithResearchAsOfDate'" in done.stderr
    # Dropped with the data's spelling: no personal data in the trusted readings.
    trusted = read_table(tmp_path / "lake" / "accelerometer" / "trusted")
    assert trusted.num_rows == 2
    assert not PII & {c.lower() for c in trusted.column_names}
    assert sorted(trusted.column_names) == ["timestamp", "user", "x", "y", "z"]


# --- case-sensitive field paths -------------------------------------------------------------------


def test_field_paths_are_case_sensitive_except_in_apply_mapping(tmp_path: Path) -> None:
    _landing(tmp_path)
    done = submit(tmp_path, """
        steps = glueContext.create_dynamic_frame.from_options("s3", {"paths": ["s3://bucket/step_trainer/landing/"]}, "json")
        customers = glueContext.create_dynamic_frame.from_options("s3", {"paths": ["s3://bucket/customer/landing/"]}, "json")
        # A real project's shape: the rename does nothing on Glue, so the join matches no record.
        renamed = RenameField.apply(frame=steps, old_name="serialnumber", new_name="right_serialnumber")
        print(sorted(renamed.toDF().columns))
        joined = Join.apply(frame1=customers, frame2=renamed, keys1=["serialNumber"], keys2=["right_serialnumber"])
        print(joined.count())
        print(Join.apply(customers, steps, ["serialnumber"], ["serialNumber"]).count())
        print(sorted(DropFields.apply(frame=steps, paths=["SERIALNUMBER", "sensorReadingTime"]).toDF().columns))
        print(SelectFields.apply(frame=steps, paths=["serialnumber", "distanceFromObject"]).toDF().columns)
        print(Filter.apply(frame=steps, f=lambda row: row["serialnumber"] == "S1").count())
        print(Filter.apply(frame=steps, f=lambda row: row["serialNumber"] == "S1").count())
        cast = ResolveChoice.apply(frame=steps, specs=[("distancefromobject", "cast:string"), ("sensorReadingTime", "cast:string")])
        print(cast.toDF().dtypes)
        parts = SplitFields.apply(frame=steps, paths=["serialNumber", "SENSORREADINGTIME"], name1="keys", name2="rest")
        print(sorted(parts.keys()), parts["keys"].toDF().columns, sorted(parts["rest"].toDF().columns))
        mapped = ApplyMapping.apply(frame=steps, mappings=[("serialnumber", "string", "serial", "string")])
        print(mapped.toDF().columns)
    """)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "['distanceFromObject', 'sensorReadingTime', 'serialNumber']"
    assert lines[1] == "0"
    assert lines[2] == "0"
    assert lines[3] == "['distanceFromObject', 'serialNumber']"
    assert lines[4] == "['distanceFromObject']"
    # row["serialnumber"] raises KeyError for every record: Glue drops them all.
    assert lines[5:7] == ["0", "1"]
    assert lines[7] == "[('sensorReadingTime', 'string'), ('serialNumber', 'string'), ('distanceFromObject', 'bigint')]"
    assert lines[8] == "['keys', 'rest'] ['serialNumber'] ['distanceFromObject', 'sensorReadingTime']"
    # ApplyMapping alone matches ignoring case (its case_sensitive is False by default).
    assert lines[9] == "['serial']"


def test_a_second_join_of_a_colliding_name_gives_it_another_dot(tmp_path: Path) -> None:
    # A real project's machine_learning_curated: the frame already holds `.serialNumber` from an
    # earlier Join.apply, and the next one brings `serialNumber` again.
    _landing(tmp_path)
    done = submit(tmp_path, """
        c = glueContext.create_dynamic_frame.from_options("s3", {"paths": ["s3://bucket/customer/landing/"]}, "json")
        s = glueContext.create_dynamic_frame.from_options("s3", {"paths": ["s3://bucket/step_trainer/landing/"]}, "json")
        once = Join.apply(frame1=s, frame2=SelectFields.apply(c, ["serialNumber", "email"]), keys1=["serialNumber"], keys2=["serialNumber"])
        twice = Join.apply(frame1=once, frame2=SelectFields.apply(c, ["serialNumber", "phone"]), keys1=["serialNumber"], keys2=["serialNumber"])
        print(twice.toDF().columns, twice.count())
    """)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "['sensorReadingTime', 'serialNumber', 'distanceFromObject', 'email', '.serialNumber', 'phone', '..serialNumber'] 2"
    ]


# --- compressed JSON and CSV sinks, read back by PySpark ------------------------------------------

TEXT_CODECS = {"gzip": "gz", "bzip2": "bz2", "deflate": "deflate", "snappy": "snappy", "lz4": "lz4", "zstd": "zst"}


def test_json_and_csv_sinks_take_sparks_codecs_and_spark_reads_them_back(tmp_path: Path, spark) -> None:  # type: ignore[no-untyped-def]
    _landing(tmp_path)
    lines = []
    for codec in TEXT_CODECS:
        lines += [
            # Glue Studio's shape: the codec on getSink, the format set after.
            f'sink = glueContext.getSink(path="s3://bucket/json_{codec}/", connection_type="s3", '
            f'updateBehavior="UPDATE_IN_DATABASE", partitionKeys=[], compression="{codec}", enableUpdateCatalog=False)',
            'sink.setFormat("json")',
            "sink.writeFrame(steps)",
            f'glueContext.write_dynamic_frame.from_options(frame=steps, connection_type="s3", format="csv", '
            f'connection_options={{"path": "s3://bucket/csv_{codec}/"}}, format_options={{"compression": "{codec}"}})',
            f'steps.toDF().write.csv("s3://bucket/spark_csv_{codec}/", compression="{codec}")',
        ]
    body = 'steps = glueContext.create_dynamic_frame.from_options("s3", {"paths": ["s3://bucket/step_trainer/landing/"]}, "json")\n'
    done = submit(tmp_path, body + "\n".join(lines) + "\n")
    assert done.returncode == 0, done.stderr
    expected = sorted((r["sensorReadingTime"], r["serialNumber"], r["distanceFromObject"]) for r in STEPS)
    lake = tmp_path / "lake"
    for codec, extension in TEXT_CODECS.items():
        for folder in (f"json_{codec}", f"csv_{codec}", f"spark_csv_{codec}"):
            files = [p for p in (lake / folder).iterdir() if not p.name.startswith((".", "_"))]
            assert files and all(p.name.endswith(f".{extension}") for p in files), (folder, files)
        if codec == "zstd":
            # pip's PySpark has no native Hadoop library, which Hadoop's ZStandardCodec needs:
            # read these with the zstandard module instead.
            import zstandard

            [file] = (lake / f"json_{codec}").iterdir()
            text = zstandard.ZstdDecompressor().decompressobj().decompress(file.read_bytes()).decode()
            rows = [json.loads(line) for line in text.splitlines()]
            assert sorted((r["sensorReadingTime"], r["serialNumber"], r["distanceFromObject"]) for r in rows) == expected
            continue
        json_rows = spark.read.json(str(lake / f"json_{codec}")).collect()
        assert sorted((r.sensorReadingTime, r.serialNumber, r.distanceFromObject) for r in json_rows) == expected, codec
        # Glue's CSV writer puts a header line first; Spark's does not unless asked.
        glue_csv = spark.read.csv(str(lake / f"csv_{codec}"), header=True, inferSchema=True).collect()
        assert sorted((r.sensorReadingTime, r.serialNumber, r.distanceFromObject) for r in glue_csv) == expected, codec
        spark_csv = spark.read.csv(str(lake / f"spark_csv_{codec}"), inferSchema=True).collect()
        assert sorted(tuple(r) for r in spark_csv) == expected, codec
    refused = submit(tmp_path, body + 'steps.toDF().write.json("s3://bucket/bad/", compression="brotli")\n')
    assert refused.returncode == 1
    assert "Codec [brotli] is not available. Known codecs are" in refused.stderr


# --- Glue Studio's backticked names and Spark SQL's duplicate output names -------------------------


def test_backticked_names_resolve_as_in_spark(tmp_path: Path) -> None:
    _landing(tmp_path)
    # Glue Studio's non-inner Join node: right keys renamed "(right) …" by an ApplyMapping node, then
    # a DataFrame join that names them in backticks.
    done = submit(tmp_path, """
        from pyspark.sql import functions as F
        customers = glueContext.create_dynamic_frame.from_options("s3", {"paths": ["s3://bucket/customer/landing/"]}, "json")
        steps = glueContext.create_dynamic_frame.from_options("s3", {"paths": ["s3://bucket/step_trainer/landing/"]}, "json")
        right = ApplyMapping.apply(frame=customers, mappings=[("serialNumber", "string", "`(right) serialNumber`", "string"),
            ("email", "string", "`(right) email`", "string")])
        leftDF, rightDF = steps.toDF(), right.toDF()
        kept = DynamicFrame.fromDF(leftDF.join(rightDF, leftDF["serialNumber"] == rightDF["`(right) serialNumber`"], "leftsemi"), glueContext, "kept")
        print(kept.count(), sorted(kept.toDF().columns))
        print(rightDF.select("`(right) email`").columns, rightDF.select(F.col("`(right) email`").alias("e")).columns)
        print(sorted(r[0] for r in rightDF.where(F.col("`(right) serialNumber`") == "S1").select(rightDF["`(right) email`"]).collect()))
        dropped = DropFields.apply(frame=kept, paths=["`(right) serialNumber`", "`(right) email`"])
        print(dropped.count())
        rightDF.select("`unclosed")
    """)
    lines = done.stdout.splitlines()
    assert lines[0] == "2 ['distanceFromObject', 'sensorReadingTime', 'serialNumber']", done.stderr
    assert lines[1] == "['(right) email'] ['e']"
    assert lines[2] == "['ann@x.com']"
    assert lines[3] == "2"
    assert done.returncode == 1
    assert "[INVALID_ATTRIBUTE_NAME_SYNTAX] Syntax error in the attribute name: `unclosed. Check" in done.stderr


def test_duplicate_sql_output_names_and_from_df_keeps_one(tmp_path: Path) -> None:
    _landing(tmp_path)
    done = submit(tmp_path, """
        def sparkSqlQuery(glueContext, query, mapping, transformation_ctx) -> DynamicFrame:
            for alias, frame in mapping.items():
                frame.toDF().createOrReplaceTempView(alias)
            result = spark.sql(query)
            return DynamicFrame.fromDF(result, glueContext, transformation_ctx)

        c = glueContext.create_dynamic_frame.from_options("s3", {"paths": ["s3://bucket/customer/landing/"]}, "json")
        a = glueContext.create_dynamic_frame.from_options("s3", {"paths": ["s3://bucket/accelerometer/landing/"]}, "json")
        q = "select distinct(c.email), c.* from customer_trusted c inner join accelerometer_landing a on c.email = a.user"
        out = sparkSqlQuery(glueContext, q, {"customer_trusted": c, "accelerometer_landing": a}, "q")
        # Glue Studio registers every SQL node's inputs again: the same aliases twice.
        again = sparkSqlQuery(glueContext, "select email from customer_trusted", {"customer_trusted": c, "accelerometer_landing": a}, "q2")
        print(spark.sql(q).columns)
        print(out.count(), out.toDF().columns)
        print(again.count())
        glueContext.write_dynamic_frame.from_options(frame=out, connection_type="s3", format="json",
            connection_options={"path": "s3://bucket/customer/curated/"})
        # Spark's CSV writer writes both columns; its Parquet writer refuses them.
        spark.sql(q).write.csv("s3://bucket/dup_csv/", header=True)
        try:
            spark.sql(q).write.parquet("s3://bucket/dup_parquet/")
        except Exception as e:
            print(type(e).__name__, e)
    """)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    names = list(CUSTOMERS[0])
    assert lines[0] == str(["email", *names])
    # One field of a name: the first column's place (the two hold the same email).
    assert lines[1] == f"2 {['email'] + [n for n in names if n != 'email']}"
    assert lines[2] == "3"
    assert lines[3] == ("SqlError [COLUMN_ALREADY_EXISTS] The column `email` already exists. "
                        "Choose another name or rename the existing column.")
    [csv] = (tmp_path / "lake" / "dup_csv").iterdir()
    assert csv.read_text().splitlines()[0] == ",".join(["email", *names])
    rows = [json.loads(line) for p in (tmp_path / "lake" / "customer" / "curated").iterdir() for line in p.read_text().splitlines()]
    assert sorted(r["email"] for r in rows) == ["ann@x.com", "bob@x.com"]


# --- DDL files that hold queries; Spark's analysis errors; the sink's line -------------------------


def test_ddl_files_with_queries_apply_their_ddl_and_name_what_they_skip(tmp_path: Path) -> None:
    ddl = tmp_path / "customer_landing.sql"
    ddl.write_text(
        "DROP TABLE IF EXISTS stedi.customer_landing;\n"
        "CREATE EXTERNAL TABLE stedi.customer_landing (customerName string, email string)\n"
        "ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe' LOCATION 's3://bucket/customer/landing/';\n"
        "SELECT * FROM stedi.customer_landing;\n"
    )
    broken = tmp_path / "broken.sql"
    broken.write_text("CREATE EXTERNAL TABLE stedi.t (a bigint LOCATION 's3://bucket/t/';\n")
    views = tmp_path / "view.sql"
    views.write_text("USE stedi;\nCREATE EXTERNAL TABLE accelerometer_landing (email string) LOCATION 's3://bucket/a/';\n"
                     "select count(*) from accelerometer_landing\n")
    done = glueless("catalog", "apply", "--catalog", str(tmp_path / "catalog"), str(ddl), str(broken), str(views), cwd=tmp_path)
    assert done.stdout.splitlines() == [
        f"{ddl}: table stedi.customer_landing did not exist",
        f"{ddl}: created table stedi.customer_landing (2 columns, json) at s3://bucket/customer/landing/",
        f"{ddl}: skipped statement 3, not catalog DDL: SELECT * FROM stedi.customer_landing",
        f"{views}: created table stedi.accelerometer_landing (1 columns, ?) at s3://bucket/a/",
        f"{views}: skipped statement 3, not catalog DDL: select count(*) from accelerometer_landing",
    ]
    # The broken file is one line, named once, and did not stop the file after it.
    [error] = done.stderr.splitlines()
    assert error.startswith(f"glueless: error: {broken}: statement 1 does not parse")
    assert error.count("CREATE EXTERNAL TABLE") == 1
    assert done.returncode == 1
    only_queries = glueless("catalog", "apply", "--catalog", str(tmp_path / "catalog"), str(ddl), cwd=tmp_path)
    assert only_queries.returncode == 0, only_queries.stderr


def test_spark_read_of_a_missing_path_fails_as_spark_does_and_views_are_replaced(tmp_path: Path) -> None:
    _landing(tmp_path)
    (tmp_path / "lake" / "empty").mkdir()
    done = submit(tmp_path, """
        c = spark.read.json("s3://bucket/customer/landing/")
        c.createOrReplaceTempView("v")
        spark.read.json("s3://bucket/accelerometer/landing/").createOrReplaceTempView("v")
        print(spark.sql("select count(*) as n from v").collect()[0].n)
        c.write.mode("overwrite").parquet("s3://bucket/out/")
        c.write.mode("overwrite").parquet("s3://bucket/out/")
        for path in ("s3://bucket/empty/", "s3://bucket/nothing/here/"):
            try:
                spark.read.json(path)
            except Exception as e:
                print(type(e).__name__, e)
        spark.read.parquet("/no/such/path")
    """)
    lines = done.stdout.splitlines()
    assert lines[0] == "3"
    assert lines[1] == "SqlError [UNABLE_TO_INFER_SCHEMA] Unable to infer schema for JSON. It must be specified manually."
    assert lines[2] == "SqlError [PATH_NOT_FOUND] Path does not exist: s3://bucket/nothing/here/."
    assert done.returncode == 1
    assert "[PATH_NOT_FOUND] Path does not exist: file:/no/such/path." in done.stderr
    assert "Traceback" not in done.stderr
    sinks = [line for line in done.stderr.splitlines() if "df.write.parquet (overwrite)" in line]
    assert "3 rows written in 1 file, replacing what was there" in sinks[1]
    assert read_table(tmp_path / "lake" / "out").num_rows == 3
    assert isinstance(read_table(tmp_path / "lake" / "out"), pa.Table)


# --- the same DataFrame program on PySpark and on glueless -----------------------------------------

SPARK_PROGRAM = '''\
import sys
from pyspark.sql import SparkSession
from pyspark.sql import functions as F

spark = SparkSession.builder.getOrCreate()
src = sys.argv[1]
c = spark.read.json(f"{src}/customer")
a = spark.read.json(f"{src}/accelerometer")
s = spark.read.json(f"{src}/step_trainer")
# Glue Studio's right-key renaming, then a join naming the key in backticks.
right = c.select(F.col("serialNumber").alias("(right) serialNumber"), F.col("email").alias("`odd` name"))
kept = s.join(right, s["serialNumber"] == right["`(right) serialNumber`"], "leftsemi")
print(sorted(kept.columns), kept.count(), right.select("```odd`` name`").columns)
# Two columns of one name after a join: kept, usable, ambiguous only where referenced.
both = c.join(a.withColumn("customerName", F.lit("x")), c.email == a.user, "inner")
print(both.columns)
print(both.select(c["*"]).distinct().count(), both.select(c["*"]).columns)
print(both.where(F.col("x") > 0).select(a["*"]).columns)
try:
    both.select("customerName")
except Exception as e:
    print(str(e).split(" SQLSTATE")[0].splitlines()[0])
q = spark.sql
c.createOrReplaceTempView("v")
a.createOrReplaceTempView("v")
print(q("select count(*) as n from v").collect()[0].n)
print(q("select user, User, x as user from v").columns)
for path in (f"{src}/nothing", "/no/such/path"):
    try:
        spark.read.json(path)
    except Exception as e:
        print(str(e).split(" SQLSTATE")[0].splitlines()[0].replace(src, "SRC"))
'''


def test_a_dataframe_program_with_backticks_and_duplicate_names_gives_sparks_output(tmp_path: Path, spark) -> None:  # type: ignore[no-untyped-def]
    import contextlib
    import io
    import sys

    flat = tmp_path / "src"
    write_json(flat / "customer", "customer-1.json", CUSTOMERS)
    write_json(flat / "accelerometer", "accelerometer-1.json", READINGS)
    write_json(flat / "step_trainer", "step_trainer-1.json", STEPS)
    program = tmp_path / "prog.py"
    program.write_text(SPARK_PROGRAM)
    spark.conf.set("spark.sql.ansi.enabled", "false")
    printed = io.StringIO()
    argv = sys.argv
    try:
        sys.argv = [str(program), str(flat)]
        with contextlib.redirect_stdout(printed):
            exec(compile(SPARK_PROGRAM, str(program), "exec"), {"__name__": "__main__"})
    finally:
        sys.argv = argv
    ours = glueless("submit", str(program), str(flat), cwd=tmp_path)
    assert ours.returncode == 0, ours.stderr
    assert ours.stdout.replace(str(flat), "SRC") == printed.getvalue()


def test_a_field_kept_by_its_case_is_named_even_under_quiet(tmp_path: Path) -> None:
    """`--quiet` silences the run's report, not the line saying a DropFields kept a field the
    script named in another case (it may be personal data the script meant to drop)."""
    _landing(tmp_path)
    script = tmp_path / "quiet_job.py"
    script.write_text(
        "import sys\n"
        "from awsglue.context import GlueContext\n"
        "from awsglue.transforms import DropFields\n"
        "from pyspark.context import SparkContext\n"
        "glueContext = GlueContext(SparkContext.getOrCreate())\n"
        "customers = glueContext.create_dynamic_frame.from_options(connection_type='s3', format='json',\n"
        "    connection_options={'paths': ['s3://bucket/customer/landing/']})\n"
        "print(sorted(DropFields.apply(frame=customers, paths=['customername']).toDF().columns)[0])\n",
        encoding="utf-8",
    )
    done = glueless("submit", "--quiet", "--map", f"s3://bucket={tmp_path / 'lake'}", str(script), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "DropFields: the frame has no field 'customername', only 'customerName'" in done.stderr
    assert "source" not in done.stderr and "sink" not in done.stderr
