"""``Map.apply`` / ``DynamicFrame.map`` with Glue's semantics: the AWS docs' example, error records
and their thresholds, the schema of the returned records, and a Glue script under `glueless submit`.

What Glue does, from its sources and docs: awsglue's ``DynamicFrame.map`` (awslabs/aws-glue-libs,
``awsglue/dynamicframe.py``) calls ``f`` on a DynamicRecord and makes a record an error record when
``f`` raises any exception or returns nothing ("User-specified function returned None instead of
DynamicRecord"); ``Map.__call__(frame, f, preservesPartitioning=False, transformation_ctx="", info="",
stageThreshold=0, totalThreshold=0)`` (``awsglue/transforms/dynamicframe_map.py``); the thresholds
are "the maximum number of errors that can occur in the transformation" / "overall" (the Map class
page; the Scala DynamicFrame page: totalThreshold counts "those from previous frames"); the
example and its output schema are the AWS Glue developer guide's (Map class; DynamicFrame.map).
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from test_glue_submit import PREAMBLE, read_table, submit, write_json

# --- the AWS docs' example -------------------------------------------------------------------------

#: The input's schema as the docs print it (Medicare_Hospital_Provider.csv read with withHeader).
DOCS_INPUT_SCHEMA = """\
root
|-- DRG Definition: string
|-- Provider Id: string
|-- Provider Name: string
|-- Provider Street Address: string
|-- Provider City: string
|-- Provider State: string
|-- Provider Zip Code: string
|-- Hospital Referral Region Description: string
|-- Total Discharges: string
|-- Average Covered Charges: string
|-- Average Total Payments: string
|-- Average Medicare Payments: string
"""

#: The mapped frame's schema as the docs print it (Glue lists the fields in its own order).
DOCS_MAPPED_SCHEMA = """\
root
|-- Average Total Payments: string
|-- Average Covered Charges: string
|-- DRG Definition: string
|-- Average Medicare Payments: string
|-- Hospital Referral Region Description: string
|-- Address: struct
|    |-- Zip.Code: string
|    |-- City: string
|    |-- Array: array
|    |    |-- element: string
|    |-- State: string
|    |-- Street: string
|-- Provider Id: string
|-- Total Discharges: string
|-- Provider Name: string
"""

COLUMNS = [line.split("|-- ")[1].rsplit(": ", 1)[0] for line in DOCS_INPUT_SCHEMA.splitlines()[1:]]
#: The dataset's first rows (CMS inpatient charges FY2011), every value a string as Glue reads the CSV.
MEDICARE = [
    dict(zip(COLUMNS, row))
    for row in [
        ["039 - EXTRACRANIAL PROCEDURES W/O CC/MCC", "10001", "SOUTHEAST ALABAMA MEDICAL CENTER",
         "1108 ROSS CLARK CIRCLE", "DOTHAN", "AL", "36301", "AL - Dothan", "91", "$32963.07", "$5777.24",
         "$4763.73"],
        ["039 - EXTRACRANIAL PROCEDURES W/O CC/MCC", "10005", "MARSHALL MEDICAL CENTER SOUTH",
         "2505 U S HIGHWAY 431 NORTH", "BOAZ", "AL", "35957", "AL - Birmingham", "14", "$15131.85", "$5787.57",
         "$4976.71"],
    ]
]


def MergeAddress(rec):  # type: ignore[no-untyped-def]  # the docs' function, verbatim
    rec["Address"] = {}
    rec["Address"]["Street"] = rec["Provider Street Address"]
    rec["Address"]["City"] = rec["Provider City"]
    rec["Address"]["State"] = rec["Provider State"]
    rec["Address"]["Zip.Code"] = rec["Provider Zip Code"]
    rec["Address"]["Array"] = [rec["Provider Street Address"], rec["Provider City"], rec["Provider State"], rec["Provider Zip Code"]]
    del rec["Provider Street Address"]
    del rec["Provider City"]
    del rec["Provider State"]
    del rec["Provider Zip Code"]
    return rec


def _glue():  # type: ignore[no-untyped-def]
    from awsglue.context import GlueContext
    from pyspark.context import SparkContext

    return GlueContext(SparkContext.getOrCreate())


def _activate(tmp_path: Path):  # type: ignore[no-untyped-def]
    from glueless.glue import activate

    return activate(maps=[f"s3://bucket={tmp_path / 'lake'}"], catalog=str(tmp_path / "catalog"))


def _rows(frame: Any) -> list[dict[str, Any]]:
    return [row.asDict(recursive=True) for row in frame.toDF().collect()]


def _address(value: Any) -> Any:
    """A struct's value (a dict)."""
    assert isinstance(value, dict), value
    return value


def _mapped_medicare(tmp_path: Path, capsys: pytest.CaptureFixture[str]):  # type: ignore[no-untyped-def]
    write_json(tmp_path / "lake" / "medicare", "medicare.json", MEDICARE)
    glue = _glue()
    from awsglue.transforms import Map

    dyf = glue.create_dynamic_frame.from_options("s3", {"paths": ["s3://bucket/medicare/"]}, "json")
    capsys.readouterr()
    dyf.printSchema()
    assert capsys.readouterr().out == DOCS_INPUT_SCHEMA
    mapped = Map.apply(frame=dyf, f=MergeAddress)
    # The DynamicFrame page's form of the same example.
    assert _rows(dyf.map(f=MergeAddress)) == _rows(mapped)
    mapped.printSchema()
    return mapped, capsys.readouterr().out


def test_the_docs_example_merges_the_address_fields_of_every_record(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with _activate(tmp_path):
        mapped, schema = _mapped_medicare(tmp_path, capsys)
        rows = _rows(mapped)
    # The fields the docs print, with their types; the address fields are gone.
    outside = [line for line in DOCS_MAPPED_SCHEMA.splitlines() if not line.startswith("|    ") and "Address" not in line]
    top_level = [line for line in schema.splitlines() if not line.startswith("|    ") and "Address" not in line]
    assert sorted(top_level) == sorted(outside)
    # glueless lists the fields in the order first seen (Glue prints its own order).
    names = [line[4:].rsplit(": ", 1)[0] for line in schema.splitlines()[1:] if not line.startswith("|    ")]
    assert names == [c for c in COLUMNS if not c.startswith(("Provider Street", "Provider City", "Provider State",
                                                             "Provider Zip"))] + ["Address"]
    assert len(rows) == 2
    for row, source in zip(rows, MEDICARE):
        address = _address(row.pop("Address"))
        street, city, state, zipcode = (source[f"Provider {k}"] for k in ("Street Address", "City", "State", "Zip Code"))
        assert address == {"Street": street, "City": city, "State": state, "Zip.Code": zipcode,
                           "Array": [street, city, state, zipcode]}
        assert row == {k: v for k, v in source.items() if not k.startswith(("Provider Street", "Provider City",
                                                                            "Provider State", "Provider Zip"))}


def test_the_docs_example_address_is_a_struct_as_glue_prints_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with _activate(tmp_path):
        _mapped, schema = _mapped_medicare(tmp_path, capsys)
    # Order aside (Glue prints its own), the same tree: names are unique at each level.
    assert sorted(schema.splitlines()) == sorted(DOCS_MAPPED_SCHEMA.splitlines())


# --- error records ---------------------------------------------------------------------------------

READINGS = [
    {"user": "a@x", "x": 2.0},
    {"user": "b@x", "x": 0.0},
    {"user": "c@x"},
    {"user": "d@x", "x": 4.0, "skip": True},
    {"user": "e@x", "x": 8.0},
]


def inverse(rec):  # type: ignore[no-untyped-def]
    """Raises ZeroDivisionError for b@x and KeyError for c@x; returns None for d@x."""
    if rec.get("skip"):
        return None
    rec["inverse"] = 1 / rec["x"]
    return rec


def test_a_record_whose_function_raises_or_returns_nothing_is_an_error_record(tmp_path: Path) -> None:
    write_json(tmp_path / "lake" / "r", "r.json", READINGS)
    with _activate(tmp_path):
        glue = _glue()
        from awsglue.transforms import Filter, Map

        r = glue.create_dynamic_frame.from_options("s3", {"paths": ["s3://bucket/r/"]}, "json")
        mapped = Map.apply(frame=r, f=inverse)
        # Unlike Filter (where KeyError drops a record), every exception makes an error record.
        assert mapped.count() == 2
        assert mapped.errorsCount() == 3
        assert sorted((row["user"], row["inverse"]) for row in _rows(mapped)) == [("a@x", 0.5), ("e@x", 0.125)]
        # A frame's error records include those of the transforms before it, as in Glue.
        def odd(rec):  # type: ignore[no-untyped-def]
            if rec["user"] == "e@x":
                raise RuntimeError("odd")
            return True

        filtered = Filter.apply(frame=r, f=odd)
        assert filtered.errorsCount() == 1 and filtered.count() == 4
        assert Map.apply(frame=filtered, f=inverse).errorsCount() == 4
        # Nothing comes back: a frame with no records and no fields.
        nothing = Map.apply(frame=r, f=lambda rec: None)
        assert nothing.count() == 0 and nothing.errorsCount() == 5 and nothing.toDF().columns == []


def test_error_records_past_a_threshold_fail_the_job_in_one_line(tmp_path: Path) -> None:
    write_json(tmp_path / "lake" / "r", "r.json", READINGS)
    read = 'r = glueContext.create_dynamic_frame.from_options("s3", {"paths": ["s3://bucket/r/"]}, "json")\n'
    inverse_def = "def inverse(rec):\n    if rec.get('skip'):\n        return None\n    rec['inverse'] = 1 / rec['x']\n    return rec\n"
    # Three error records: stageThreshold 3 lets them through, 2 does not.
    ok = submit(tmp_path, read + inverse_def + "print(Map.apply(frame=r, f=inverse, stageThreshold=3).count())\n")
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.splitlines() == ["2"]
    assert "glueless: Map: 3 error records (ZeroDivisionError: float division by zero)" in ok.stderr
    line = PREAMBLE.count("\n") + read.count("\n") + inverse_def.count("\n") + 1
    failed = submit(tmp_path, read + inverse_def + 'Map.apply(frame=r, f=inverse, transformation_ctx="inv", stageThreshold=2)\n')
    assert failed.returncode == 1
    assert (f"test_job.py:{line}: GlueJobError: Map inv: 3 error records exceed the stageThreshold 2: "
            "ZeroDivisionError: float division by zero") in failed.stderr.splitlines()
    assert "Traceback" not in failed.stderr
    # totalThreshold counts the error records of the frames before (here one of Filter's).
    body = (read + inverse_def
            + "def odd(rec):\n    if rec['user'] == 'e@x':\n        raise RuntimeError('odd')\n    return True\n"
            + "f = Filter.apply(frame=r, f=odd)\n"
            + "print(Map.apply(frame=f, f=inverse, stageThreshold=3, totalThreshold=4).errorsCount())\n"
            + "Map.apply(frame=f, f=inverse, stageThreshold=3, totalThreshold=3)\n")
    total = submit(tmp_path, body)
    assert total.returncode == 1
    assert total.stdout.splitlines() == ["4"]
    assert "GlueJobError: Map: 4 error records in all exceed the totalThreshold 3: " in total.stderr


# --- the schema of the returned records ------------------------------------------------------------


def test_the_schema_comes_from_the_returned_records(tmp_path: Path) -> None:
    write_json(tmp_path / "lake" / "c", "c.json", [
        {"email": "a@x", "n": 1, "drop": "x"},
        {"email": "b@x", "n": 2, "drop": "y"},
        {"email": "c@x", "n": 3},
    ])

    def reshape(rec):  # type: ignore[no-untyped-def]
        rec.pop("drop", None)
        if rec["n"] == 2:
            rec["vip"] = True  # a field only one record has
        rec["score"] = rec["n"] if rec["n"] != 3 else rec["n"] / 2  # int and float: double
        rec.domain = rec.email.split("@")[1]  # attributes set fields, as on Glue's DynamicRecord
        rec["seen"] = dt.datetime(2024, 1, rec["n"], 12, 30)
        rec["day"] = dt.date(2024, 2, rec["n"])
        rec["amount"] = decimal.Decimal("1.25") * rec["n"]
        return rec

    with _activate(tmp_path):
        glue = _glue()
        from awsglue.transforms import Map

        c = glue.create_dynamic_frame.from_options("s3", {"paths": ["s3://bucket/c/"]}, "json")
        mapped = Map.apply(frame=c, f=reshape)
        df = mapped.toDF()
        # Fields in the order first seen; a field every record lost is gone.
        assert df.dtypes == [
            ("email", "string"), ("n", "bigint"), ("score", "double"), ("domain", "string"),
            ("seen", "timestamp"), ("day", "date"), ("amount", "decimal(38,18)"), ("vip", "boolean"),
        ]
        rows = {row["email"]: row for row in _rows(mapped)}
    # A field a record lacks is null there.
    assert [rows[e]["vip"] for e in ("a@x", "b@x", "c@x")] == [None, True, None]
    assert [rows[e]["score"] for e in ("a@x", "b@x", "c@x")] == [1.0, 2.0, 1.5]
    assert rows["c@x"]["domain"] == "x"
    assert rows["b@x"]["day"] == dt.date(2024, 2, 2)
    assert rows["c@x"]["amount"] == decimal.Decimal("3.75")
    assert rows["a@x"]["seen"].replace(tzinfo=None) == dt.datetime(2024, 1, 1, 12, 30)


def test_fields_the_function_leaves_keep_their_types(tmp_path: Path) -> None:
    folder = tmp_path / "lake" / "typed"
    folder.mkdir(parents=True)
    table = pa.table({
        "id": pa.array([1, 2], pa.int32()),
        "day": pa.array([dt.date(2024, 1, 1), dt.date(2024, 1, 2)], pa.date32()),
        "at": pa.array([dt.datetime(2024, 1, 1, 8), dt.datetime(2024, 1, 2, 9)], pa.timestamp("us", tz="UTC")),
        "price": pa.array([decimal.Decimal("1.50"), decimal.Decimal("2.25")], pa.decimal128(10, 2)),
        "ratio": pa.array([0.5, 0.25], pa.float32()),
        "small": pa.array([1, 2], pa.int16()),
    })
    pq.write_table(table, folder / "part-0.parquet")

    def bump(rec):  # type: ignore[no-untyped-def]
        rec["small"] = str(rec["small"])  # changed: the type of what f returns
        return rec

    with _activate(tmp_path):
        glue = _glue()
        from awsglue.transforms import Map

        typed = glue.create_dynamic_frame.from_options("s3", {"paths": ["s3://bucket/typed/"]}, "parquet")
        before = dict(typed.toDF().dtypes)
        mapped = Map.apply(frame=typed, f=bump)
        after = dict(mapped.toDF().dtypes)
        rows = _rows(mapped)
    assert {k: after[k] for k in ("id", "day", "at", "price", "ratio")} == {
        k: before[k] for k in ("id", "day", "at", "price", "ratio")
    }
    assert after["small"] == "string"
    assert [(r["id"], r["day"], r["price"], r["small"]) for r in rows] == [
        (1, dt.date(2024, 1, 1), decimal.Decimal("1.50"), "1"),
        (2, dt.date(2024, 1, 2), decimal.Decimal("2.25"), "2"),
    ]


def test_what_json_cannot_hold_is_one_not_supported_line(tmp_path: Path) -> None:
    write_json(tmp_path / "lake" / "c", "c.json", [{"email": "A@x"}])
    with _activate(tmp_path):
        glue = _glue()
        from awsglue.transforms import Map

        from glueless.compat._unsupported import NotSupportedByGlueless

        c = glue.create_dynamic_frame.from_options("s3", {"paths": ["s3://bucket/c/"]}, "json")
        with pytest.raises(NotSupportedByGlueless, match=r"Map is not supported by glueless \(a record value of type set\)"):
            Map.apply(frame=c, f=lambda rec: {**rec, "tags": {"a"}})
        with pytest.raises(NotSupportedByGlueless, match="'email' and 'Email'"):
            Map.apply(frame=c, f=lambda rec: {**rec, "Email": rec["email"].lower()})


def test_a_star_import_gives_the_transforms_and_leaves_map_and_filter_builtin(tmp_path: Path) -> None:
    with _activate(tmp_path):
        namespace: dict[str, Any] = {}
        exec("from awsglue.transforms import *", namespace)
    names = set(namespace) - {"__builtins__"}
    assert {"Map", "Filter", "Join", "ApplyMapping", "SplitFields", "SelectFromCollection"} <= names
    assert not names & {"map", "filter", "join"}


def test_per_record_functions_take_values_with_unicode_line_separators(tmp_path: Path) -> None:
    # JSON leaves U+2028 and U+0085 unescaped in a value; they must not split a record in two.
    folder = tmp_path / "lake" / "t"
    folder.mkdir(parents=True)
    text = "line\u2028separator\x85next"
    (folder / "t.json").write_text(json.dumps({"a": text, "n": 1}, ensure_ascii=False) + "\n", encoding="utf-8")
    with _activate(tmp_path):
        glue = _glue()
        from awsglue.transforms import Filter, Map

        t = glue.create_dynamic_frame.from_options("s3", {"paths": ["s3://bucket/t/"]}, "json")
        kept = Filter.apply(frame=t, f=lambda rec: len(rec) > 1 and rec["a"].startswith("line"))
        assert [row["a"] for row in _rows(kept)] == [text]
        assert _rows(Map.apply(frame=t, f=lambda rec: {**rec, "n": rec["n"] + 1})) == [{"a": text, "n": 2}]


# --- a Glue script under `glueless submit` ---------------------------------------------------------


def test_map_apply_in_a_glue_script_writes_the_mapped_records(tmp_path: Path) -> None:
    write_json(tmp_path / "lake" / "customers", "c.json", [
        {"customerName": "Ann Lee", "email": "Ann@X.com", "shareWithResearchAsOfDate": 1_655_564_376_361},
        {"customerName": "Bob Ray", "email": "bob@x.com"},
    ])
    done = submit(tmp_path, """
        def tidy(rec):
            rec["email"] = rec["email"].lower()
            rec["first"], rec["last"] = rec["customerName"].split(" ")
            del rec["customerName"]
            rec["consented"] = "shareWithResearchAsOfDate" in rec
            return rec

        c = glueContext.create_dynamic_frame.from_options("s3", {"paths": ["s3://bucket/customers/"]}, "json")
        tidied = Map.apply(frame=c, f=tidy, transformation_ctx="tidy")
        tidied.printSchema()
        glueContext.write_dynamic_frame.from_options(frame=tidied, connection_type="s3", format="glueparquet",
            connection_options={"path": "s3://bucket/tidy/"})
    """)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "root", "|-- email: string", "|-- shareWithResearchAsOfDate: long", "|-- first: string",
        "|-- last: string", "|-- consented: boolean",
    ]
    rows = sorted(read_table(tmp_path / "lake" / "tidy").to_pylist(), key=lambda r: r["email"])
    assert rows == [
        {"email": "ann@x.com", "shareWithResearchAsOfDate": 1_655_564_376_361, "first": "Ann", "last": "Lee",
         "consented": True},
        {"email": "bob@x.com", "shareWithResearchAsOfDate": None, "first": "Bob", "last": "Ray", "consented": False},
    ]
    assert "glueless: sink" in done.stderr and "2 rows appended in 1 file" in done.stderr
