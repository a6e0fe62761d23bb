"""customer_landing_to_trusted.py end to end: results, atomic replacement, crash safety."""

from __future__ import annotations

import signal
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from conftest import needs_failpoints, run_script
from stedi_sql import row_multiset, stedi_tables
from test_landing import CUSTOMER_TYPES

SCRIPT = "customer_landing_to_trusted.py"


def read_zone(lake: Path, table: str, zone: str) -> pa.Table:
    return pq.read_table(lake / table / zone)


def duckdb_trusted(lake: Path) -> pa.Table:
    """The rubric's SQL, run by DuckDB over the same landing files (an independent engine)."""
    return stedi_tables(lake, strict=False)["customer/trusted"]


def sorted_rows(table: pa.Table) -> list[tuple]:
    return row_multiset(table)


def test_real_data_gives_482_trusted_customers_typed_as_designed(real_lake: Path) -> None:
    done = run_script(SCRIPT, "--lake", str(real_lake), "--JOB_NAME", "customer_landing_to_trusted")
    assert done.returncode == 0, done.stderr
    assert "written                        482" in done.stdout
    trusted = read_zone(real_lake, "customer", "trusted")
    assert trusted.num_rows == 482
    assert dict(zip(trusted.column_names, trusted.schema.types)) == CUSTOMER_TYPES
    assert sorted_rows(trusted) == sorted_rows(duckdb_trusted(real_lake))
    assert read_zone(real_lake, "customer", "rejected").num_rows == 0


def test_generated_lake_matches_duckdb_and_counts_add_up(demo_lake: Path, tmp_path: Path) -> None:
    summary_file = tmp_path / "summary.json"
    done = run_script(SCRIPT, "--lake", str(demo_lake), "--summary-json", str(summary_file))
    assert done.returncode == 0, done.stderr
    import json

    summary = json.loads(summary_file.read_text())
    assert summary["balanced"] and summary["read"] == 400 and summary["quarantined"] == 0
    assert summary["read"] == summary["written"] + summary["filtered"]["no research consent"]
    trusted = read_zone(demo_lake, "customer", "trusted")
    assert trusted.num_rows == summary["written"]
    assert sorted_rows(trusted) == sorted_rows(duckdb_trusted(demo_lake))
    # Consent is present and non-zero in every trusted row (explicit null, 0 and absent keys are out).
    assert all(v for v in trusted.column("shareWithResearchAsOfDate").to_pylist())


def test_broken_records_are_quarantined_and_the_counts_add_up(demo_lake: Path) -> None:
    landing = demo_lake / "customer" / "landing"
    (landing / "broken.json").write_bytes(
        b'{"email":"x@y","shareWithResearchAsOfDate":1}\n{"email":\n\xff\xfe\n{"email":"z@y","registrationDate":"soon"}\n'
    )
    done = run_script(SCRIPT, "--lake", str(demo_lake))
    assert done.returncode == 0, done.stderr
    rejected = read_zone(demo_lake, "customer", "rejected")
    assert rejected.num_rows == 3
    assert rejected.column("line_number").to_pylist() == [2, 3, 4]
    assert "quarantined                        3" in done.stdout.replace(",", "") or " 3  -> customer/rejected" in done.stdout


def test_a_rerun_replaces_the_previous_output(demo_lake: Path) -> None:
    assert run_script(SCRIPT, "--lake", str(demo_lake)).returncode == 0
    first = read_zone(demo_lake, "customer", "trusted")
    for f in (demo_lake / "customer" / "landing").iterdir():
        f.unlink()
    (demo_lake / "customer" / "landing" / "one.json").write_text('{"email":"only@x","shareWithResearchAsOfDate":5}\n')
    assert run_script(SCRIPT, "--lake", str(demo_lake)).returncode == 0
    second = read_zone(demo_lake, "customer", "trusted")
    assert first.num_rows > 1 and second.column("email").to_pylist() == ["only@x"]
    assert sorted(p.name for p in (demo_lake / "customer").iterdir()) == ["landing", "rejected", "trusted"]


@needs_failpoints
def test_a_crash_between_writing_and_committing_keeps_the_previous_output(demo_lake: Path) -> None:
    assert run_script(SCRIPT, "--lake", str(demo_lake)).returncode == 0
    before = read_zone(demo_lake, "customer", "trusted")
    (demo_lake / "customer" / "landing" / "more.json").write_text('{"email":"new@x","shareWithResearchAsOfDate":5}\n')
    for point in ("output.written", "commit.before_swap"):
        crashed = run_script(SCRIPT, "--lake", str(demo_lake), env={"GLUELESS_FAILPOINT": point})
        assert crashed.returncode == -signal.SIGABRT, (point, crashed.stderr)
        # Readers still see exactly the previous table; the staging folder is hidden from them.
        assert read_zone(demo_lake, "customer", "trusted").equals(before)
        assert duckdb.sql(f"SELECT count(*) FROM '{demo_lake}/customer/trusted/*.parquet'").fetchall()[0][0] == before.num_rows
    rerun = run_script(SCRIPT, "--lake", str(demo_lake))
    assert rerun.returncode == 0, rerun.stderr
    assert read_zone(demo_lake, "customer", "trusted").num_rows == before.num_rows + 1
    assert not [p for p in (demo_lake / "customer").iterdir() if p.name.startswith(".")], "stale staging removed"


def test_an_empty_landing_folder_gives_an_empty_typed_table(tmp_path: Path) -> None:
    lake = tmp_path / "lake"
    (lake / "customer" / "landing").mkdir(parents=True)
    (lake / "customer" / "landing" / "empty.json").write_bytes(b"")
    done = run_script(SCRIPT, "--lake", str(lake))
    assert done.returncode == 0, done.stderr
    trusted = read_zone(lake, "customer", "trusted")
    assert trusted.num_rows == 0 and dict(zip(trusted.column_names, trusted.schema.types)) == CUSTOMER_TYPES
    assert "1 empty landing file" in done.stdout
