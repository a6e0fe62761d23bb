"""The DataFrame API people write (createDataFrame, range, Window, fillna / dropna, explode,
toPandas, NULL ordering), run by real PySpark (`python prog.py`) and by `glueless submit
prog.py`: the same printed output. And PySpark's own docstring examples
(`scripts/pyspark_doctests.py`): every example known to pass still passes."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

PROGRAM = textwrap.dedent(
    """\
    import datetime
    from decimal import Decimal
    from pyspark.sql import Row, SparkSession, Window
    from pyspark.sql import functions as F
    from pyspark.sql.types import LongType, StringType, StructField, StructType

    spark = (SparkSession.builder.master("local[1]").appName("api")
             .config("spark.sql.ansi.enabled", "false").config("spark.ui.enabled", "false")
             .config("spark.sql.session.timeZone", "UTC").getOrCreate())
    people = spark.createDataFrame(
        [("Ann", 34, "eng", 1.5), ("Bob", None, "eng", None), ("Cy", 28, "ops", 2.5), (None, 41, "ops", 0.5)],
        ["name", "age", "dept", "score"])
    print(people.dtypes)
    people.orderBy("name").show()
    people.orderBy(F.desc("age")).show()
    people.fillna(0).orderBy("age").show()
    people.fillna({"name": "?"}).orderBy("name").show()
    print(people.dropna().count(), people.dropna(how="all").count(), people.na.drop(subset=["age"]).count())
    w = Window.partitionBy("dept").orderBy(F.col("age").desc_nulls_last())
    people.withColumn("rank", F.row_number().over(w)).orderBy("dept", "rank").show()
    schema = StructType([StructField("id", LongType(), False), StructField("tag", StringType(), True)])
    typed = spark.createDataFrame([(1, "a"), (2, None)], schema)
    typed.printSchema()
    print(typed.collect())
    rows = spark.createDataFrame([Row(k="x", v=[1, 2], m={"a": 1}), Row(k="y", v=[3], m={"b": 2})])
    rows.select("k", F.explode("v")).orderBy("k", "col").show()
    rows.select("k", F.posexplode("v")).orderBy("k", "pos").show()
    rows.select("k", F.explode_outer("m")).orderBy("k").show()
    rows.select("k", F.explode("m").alias("key2", "value2"), F.upper(F.lit(42))).orderBy("k").show()
    pairs = spark.createDataFrame([(1, [Row(a=1, b="x"), Row(a=2, b=None)]), (2, [])], "id int, s array<struct<a:int,b:string>>")
    pairs.select("id", F.inline("s")).orderBy("id", "a").show()
    pairs.select("id", F.inline_outer("s")).orderBy("id", "a").show()
    jsons = spark.createDataFrame([("1", '{"f1": "v", "f2": [1]}'), ("2", "{}")], ["key", "j"])
    jsons.select("key", F.json_tuple("j", "f1", "f2")).orderBy("key").show()
    spark.sql("select make_dt_interval(1, 12, 30, 1.001001) dt, make_dt_interval(-2) neg, make_ym_interval(2014, 12) ym, "
              "make_interval(100, 11, 1, 1, 12, 30, 1.001001) ci").show(truncate=False)
    nested = spark.createDataFrame([Row(a=Row(b=1, c=Row(d=2, e=3)))])
    nested.withColumn("a", nested["a"].withField("c.f", F.lit(4)).dropFields("b", "c.d")).show()
    nested.select("a.b", "a.c.e").show()
    events = spark.createDataFrame([(datetime.datetime(2016, 3, 11, 9, 0, 7), 1), (datetime.datetime(2016, 3, 11, 9, 0, 9), 2),
                                    (datetime.datetime(2016, 3, 11, 9, 0, 11), 4)], ["date", "val"])
    windows = events.groupBy(F.window("date", "5 seconds")).agg(F.sum("val").alias("sum"))
    windows.select("window.start", F.window_time("window").alias("t"), "sum").orderBy("start").show(truncate=False)
    print(pairs.select(F.array_insert(F.array(F.lit(1), F.lit(2)), F.lit(-1), F.lit(9)).alias("a")).first())
    print(rows.select(F.transform("v", lambda x: x * 10).alias("t"), F.filter("v", lambda x: x > 1).alias("f")).collect())
    print(spark.createDataFrame([{"b": 1, "a": "z"}]).columns)
    print(spark.range(5).collect(), spark.range(2, 11, 4).count())
    ddl = spark.createDataFrame([(Decimal("1.50"), datetime.date(2024, 2, 29), datetime.datetime(2024, 3, 1, 12, 30))],
                                "d decimal(5,2), day date, ts timestamp")
    print(ddl.collect())
    print(ddl.select(F.year("day"), F.month("day"), F.dayofweek("day")).collect())
    initial = F.udf(lambda s: s[0] if s else None)
    bump = F.udf(lambda n: n + 1 if n is not None else None, "bigint")
    people.select(initial("name"), bump(people.age), F.upper("dept")).orderBy("<lambda>(age)").show()
    spark.udf.register("twice", lambda n: n * 2, "bigint")
    people.createOrReplaceTempView("people")
    spark.sql("SELECT name, twice(age) AS t FROM people WHERE age IS NOT NULL ORDER BY t").show()
    spark.sql("SHOW TABLES").show()
    spark.sql("SHOW TABLES LIKE 'x|peo*'").show()
    a = spark.createDataFrame([(1,), (1,), (2,), (3,)], ["k"])
    b = spark.createDataFrame([(1,), (3,)], ["k"])
    print(sorted(a.exceptAll(b).collect()), sorted(a.intersect(b).collect()), sorted(a.subtract(b).collect()))
    pairs2 = spark.createDataFrame([("a", 1), ("a", 1), ("b", 3), ("c", 4), ("a", 2), ("d", 7)], ["C1", "C2"])
    print(pairs2.exceptAll(pairs2.limit(2)).collect(), pairs2.intersectAll(pairs2).collect(), pairs2.subtract(pairs2.limit(1)).collect())
    people.cube("dept").count().orderBy("dept").show()
    people.describe("score").show()
    sales = spark.createDataFrame([("dotNET", 2012, 10000), ("Java", 2012, 20000), ("dotNET", 2012, 5000),
                                   ("dotNET", 2013, 48000), ("Java", 2013, 30000)], ["course", "year", "earnings"])
    sales.groupBy("year").pivot("course", ["dotNET", "Java"]).sum("earnings").orderBy("year").show()
    sales.groupBy("year").pivot("course").agg(F.sum("earnings"), F.min("earnings")).orderBy("year").show()
    sales.groupBy("course").pivot("year").count().orderBy("course").show()
    wide = spark.createDataFrame([(1, 11, 1.1), (2, 12, 1.2)], ["id", "int", "double"])
    wide.unpivot("id", ["int", "double"], "var", "val").show()
    print(sorted(a.unionByName(people.select("age"), allowMissingColumns=True).collect(), key=str))
    ids = spark.range(0, 100, 1, 1)
    print(ids.sample(0.3, 7).count(), ids.sample(fraction=0.5, seed=11).collect()[:6], ids.sample(1.0).count())
    splits = ids.randomSplit([0.25, 0.75], 5)
    print([s.count() for s in splits], splits[0].collect()[:6], sorted(splits[1].collect())[:3])
    left, right = people.alias("l"), people.alias("r")
    left.join(right, F.col("l.name") == F.col("r.name")).select("l.name", "r.age").sort(F.desc("l.name")).show()
    depts = spark.createDataFrame([("eng", "Berlin"), ("hr", "Paris")], ["dept", "city"])
    people.join(depts, people.dept == depts.dept, "outer").select(people.name, depts.dept, "city").orderBy("name", "city").show()
    people.write.mode("overwrite").json("people_json")
    files = spark.read.json("people_json").inputFiles()
    print(len(files), files[0].startswith("file:///"))
    meta = people.withMetadata("age", {"foo": "bar", "n": [1, 2]})
    print(meta.filter("age > 2").select("age", "name").schema["age"].metadata, meta.schema["name"].metadata,
          people.select(people.age.alias("a", metadata={"max": 99})).withColumn("b", F.lit(1)).schema["a"].metadata,
          meta.select((F.col("age") + 1).alias("p")).schema["p"].metadata)
    pdf = people.orderBy("score").toPandas()
    print(list(pdf.columns), len(pdf))
    """
)


def test_a_dataframe_api_program_gives_pysparks_output(tmp_path: Path) -> None:
    pytest.importorskip("pandas")
    program = tmp_path / "prog.py"
    program.write_text(PROGRAM)
    env = {**os.environ, "PYSPARK_PYTHON": sys.executable, "TZ": "UTC"}
    spark_run = subprocess.run([sys.executable, str(program)], capture_output=True, text=True, env=env, timeout=600,
                               cwd=tmp_path)
    assert spark_run.returncode == 0, spark_run.stderr[-3000:]
    ours = subprocess.run([sys.executable, "-m", "glueless.cli", "submit", str(program)],
                          capture_output=True, text=True, env=env, timeout=300, cwd=tmp_path)
    assert ours.returncode == 0, ours.stderr
    assert ours.stdout == spark_run.stdout


def _installed_pyspark_version() -> str:
    sys.path.insert(0, str(ROOT / "scripts"))
    import pyspark_doctests

    try:
        root = pyspark_doctests.pyspark_dir(None)
    except SystemExit:
        return ""
    return ".".join(pyspark_doctests.pyspark_version(root).split(".")[:2])


def test_known_pyspark_docstring_passes_still_pass() -> None:
    version = _installed_pyspark_version()
    if not (ROOT / "tests" / f"pyspark_doctests_passing_{version}.txt").exists():
        pytest.skip(f"no known passes for PySpark {version or '(not installed)'}")
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "pyspark_doctests.py"), "--check"],
                          capture_output=True, text=True, timeout=900, check=False)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
