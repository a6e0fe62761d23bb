"""Users' Parquet sources are read when a query runs (the files' footers give the schema: files with
different columns aligned by name, a column with two types one line), and Parquet sinks are
written as the rows are computed: a file per partition of the plan, a small frame one file, and a
query that fails part-way leaves no file behind."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from test_glue_submit import submit

SOURCE = """
frame = glueContext.create_dynamic_frame.from_options(
    connection_type="s3", format="parquet", connection_options={"paths": ["s3://bucket/parts/"]}
)
df = frame.toDF()
"""


def _parts(tmp_path: Path, tables: dict[str, pa.Table]) -> None:
    folder = tmp_path / "lake" / "parts"
    folder.mkdir(parents=True)
    for name, table in tables.items():
        pq.write_table(table, folder / name)


def test_parquet_files_with_different_columns_read_as_one_table(tmp_path: Path) -> None:
    _parts(
        tmp_path,
        {
            "a.parquet": pa.table({"id": [1, 2], "name": ["a", "b"]}),
            "b.parquet": pa.table({"id": [3], "extra": [0.5]}),
        },
    )
    done = submit(
        tmp_path,
        SOURCE
        + """
print(df.columns, df.count())
print([tuple(r) for r in df.orderBy("id").collect()])
print([tuple(r) for r in df.where("extra IS NOT NULL").select("extra").collect()])
""",
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "['id', 'name', 'extra'] 3",
        "[(1, 'a', None), (2, 'b', None), (3, None, 0.5)]",
        "[(0.5,)]",
    ]


def test_a_column_with_two_types_in_parquet_files_is_one_line(tmp_path: Path) -> None:
    _parts(tmp_path, {"a.parquet": pa.table({"id": [1]}), "b.parquet": pa.table({"id": ["x"]})})
    done = submit(tmp_path, SOURCE)
    assert done.returncode != 0
    assert "column id is Int64 in one file and Utf8 in another" in done.stderr
    assert "Traceback" not in done.stderr


def _two_halves(tmp_path: Path, half: int = 600_000) -> int:
    """Two files of `half` ids each (more than a written file's minimum of rows apiece)."""
    _parts(
        tmp_path,
        {
            "a.parquet": pa.table({"id": pa.array(range(half), pa.int64())}),
            "b.parquet": pa.table({"id": pa.array(range(half, 2 * half), pa.int64())}),
        },
    )
    return half


def _written(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.suffix == ".parquet")


def test_parquet_sinks_write_a_file_per_partition_and_a_small_frame_as_one(tmp_path: Path) -> None:
    half = _two_halves(tmp_path)
    done = submit(
        tmp_path,
        SOURCE
        + """
df.distinct().write.parquet("s3://bucket/large/")
df.where("id < 10").write.parquet("s3://bucket/small/")
""",
    )
    assert done.returncode == 0, done.stderr
    large, small = _written(tmp_path / "lake" / "large"), _written(tmp_path / "lake" / "small")
    assert len(large) == 2 and len(small) == 1
    ids = sorted(pq.read_table(tmp_path / "lake" / "large").column("id").to_pylist())
    assert ids == list(range(2 * half))
    assert sorted(pq.read_table(small[0]).column("id").to_pylist()) == list(range(10))
    assert not [p for p in (tmp_path / "lake" / "large").iterdir() if p.name.startswith(".")]


def test_a_query_failing_part_way_through_a_write_leaves_no_file(tmp_path: Path) -> None:
    half = _two_halves(tmp_path)
    done = submit(
        tmp_path,
        SOURCE
        + """
df.createOrReplaceTempView("t")
spark.sql("SELECT CASE WHEN id = 1100000 THEN raise_error('late row') ELSE id END AS id FROM t") \\
    .write.parquet("s3://bucket/out/")
""",
    )
    assert done.returncode != 0
    assert "late row" in done.stderr
    out = tmp_path / "lake" / "out"
    assert not out.exists() or not list(out.iterdir())
