"""The landing kernel: typed decoding, quirks of the real data, and the quarantine."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pytest

import glueless

CUSTOMER_TYPES = {
    "customerName": pa.string(),
    "email": pa.string(),
    "phone": pa.string(),
    "birthDay": pa.string(),
    "serialNumber": pa.string(),
    "registrationDate": pa.int64(),
    "lastUpdateDate": pa.int64(),
    "shareWithResearchAsOfDate": pa.int64(),
    "shareWithPublicAsOfDate": pa.int64(),
    "shareWithFriendsAsOfDate": pa.int64(),
}


def test_real_landing_decodes_completely_with_declared_types(real_landing: Path) -> None:
    for table, records in [("customer", 956), ("accelerometer", 81_273), ("step_trainer", 28_680)]:
        result = glueless.read_landing(real_landing / table, table)
        assert result.stats["records"] == records
        assert result.stats["accepted"] == records and result.stats["quarantined"] == 0
    customers = pa.table(glueless.read_landing(real_landing / "customer", "customer").table)
    assert dict(zip(customers.column_names, customers.schema.types)) == CUSTOMER_TYPES


def test_landing_equals_duckdb_reading_the_same_files(real_landing: Path) -> None:
    """Differential: DuckDB's JSON reader with the same column types gives the same rows."""
    ours = pa.table(glueless.read_landing(real_landing / "accelerometer", "accelerometer").table)
    theirs = duckdb.sql(
        f"""SELECT * FROM read_json('{real_landing}/accelerometer/*.json', format='newline_delimited',
            columns={{user: 'VARCHAR', timestamp: 'BIGINT', x: 'DOUBLE', y: 'DOUBLE', z: 'DOUBLE'}})"""
    ).arrow()
    theirs = theirs.read_all() if hasattr(theirs, "read_all") else theirs
    key = [(c, "ascending") for c in ours.column_names]
    assert ours.sort_by(key).to_pylist() == theirs.sort_by(key).to_pylist()


def write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def test_quirks_of_older_exports_are_read_as_records(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    write(
        landing / "a.json",
        b'\xef\xbb\xbf{"customerName":"A","email":"a@x","phone":8015551212,"shareWithResearchAsOfDate":1655564376361.0},\r\n'
        b'{"customerName":"B","EMAIL":"b@x","shareWithResearchAsOfDate":null,"registrationDate":"1655564376361"}\r\n',
    )
    write(landing / "b.json", json.dumps([{"email": "c@x"}, {"email": "d@x", "phone": "1"}], indent=2).encode())
    write(landing / "c.json", b"")
    result = glueless.read_landing(landing, "customer")
    assert result.stats == {"files": 3, "empty_files": 1, "bytes": result.stats["bytes"],
                            "stored_bytes": result.stats["bytes"], "compressed_files": 0, "records": 4,
                            "accepted": 4, "quarantined": 0}
    rows = pa.table(result.table).to_pylist()
    assert [r["email"] for r in rows] == ["a@x", "b@x", "c@x", "d@x"]
    assert rows[0]["phone"] == "8015551212" and rows[0]["shareWithResearchAsOfDate"] == 1655564376361
    assert rows[1]["registrationDate"] == 1655564376361 and rows[1]["shareWithResearchAsOfDate"] is None


def test_broken_records_go_to_quarantine_with_file_line_and_reason(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    lines = [
        b'{"user":"a@x","timestamp":1,"x":1.0,"y":0.0,"z":-1.0}',
        b'{"user":"a@x","timestamp":',  # truncated
        b'{"user":"\xff\xfe","timestamp":2}',  # not UTF-8
        b'{"user":"a@x","timestamp":"later"}',  # wrong type
        b'{"user":"a@x","timestamp":1.5}',  # lossy
        b"[1,2,3]",  # not an object
        b'{"user":"b@x","timestamp":3,"x":2}',
    ]
    source = write(landing / "accel.json", b"\n".join(lines) + b"\n")
    result = glueless.read_landing(landing, "accelerometer")
    assert result.stats["records"] == 7
    assert (result.stats["accepted"], result.stats["quarantined"]) == (2, 5)
    rejected = pa.table(result.rejected).to_pylist()
    assert [r["line_number"] for r in rejected] == [2, 3, 4, 5, 6]
    assert all(r["source_file"] == str(source) for r in rejected)
    reasons = [r["reason"] for r in rejected]
    assert reasons[0].startswith("invalid JSON")
    assert reasons[1] == "invalid UTF-8 at byte 9"
    assert reasons[2] == 'field timestamp: a string "later" cannot be stored as int64'
    assert reasons[3] == "field timestamp: a number 1.5 cannot be stored as int64"
    assert rejected[2]["raw_line"] == lines[3].decode()


def test_a_100_mb_line_is_one_quarantined_record(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    huge = b'{"user":"' + b"x" * (100 << 20) + b'","timestamp":1}'
    write(landing / "huge.json", b'{"user":"a@x","timestamp":1}\n' + huge + b"\n")
    result = glueless.read_landing(landing, "accelerometer")
    assert (result.stats["accepted"], result.stats["quarantined"]) == (1, 1)
    (bad,) = pa.table(result.rejected).to_pylist()
    assert bad["line_number"] == 2 and "over the limit" in bad["reason"]
    assert len(bad["raw_line"]) == 1 << 20  # cut in the quarantine; the reason says so
    assert "raw line cut" in bad["reason"]


def test_large_files_are_cut_into_chunks_without_losing_line_numbers(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    lines = [json.dumps({"user": f"u{i}", "timestamp": i}).encode() for i in range(5000)]
    lines[3333] = b"{oops"
    write(landing / "big.json", b"\n".join(lines))
    whole = glueless.read_landing(landing, "accelerometer")
    chunked = glueless.read_landing(landing, "accelerometer", chunk_bytes=1000)
    assert pa.table(whole.table).equals(pa.table(chunked.table))
    assert pa.table(chunked.rejected).column("line_number").to_pylist() == [3334]
    assert chunked.stats["accepted"] == 4999


def test_unknown_tables_get_an_inferred_schema(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    write(landing / "r.json", b'{"id":1,"score":2,"tags":["a"]}\n{"ID":2,"score":2.5,"note":"x"}\n')
    table = pa.table(glueless.read_landing(landing).table)
    assert table.schema == pa.schema([("id", pa.int64()), ("score", pa.float64()), ("tags", pa.string()), ("note", pa.string())])
    assert table.column("tags").to_pylist() == ['["a"]', None]


def test_an_inferred_schema_covers_records_far_past_the_first(tmp_path: Path) -> None:
    """The schema comes from the first records and is checked against all: a key and a wider value
    that only appear after the first 4 MiB still shape the table, as inference over every record would."""
    landing = tmp_path / "landing"
    head = b"".join(b'{"id":%d,"v":%d}\n' % (i, i) for i in range(400_000))
    assert len(head) > 4 << 20
    write(landing / "a.json", head + b'{"id":-1,"v":0.5,"late":true}\n')
    write(landing / "b.json", b'{"id":-2,"v":7}\n')
    result = glueless.read_landing(landing)
    table = pa.table(result.table)
    assert table.schema == pa.schema([("id", pa.int64()), ("v", pa.float64()), ("late", pa.bool_())])
    assert table.num_rows == result.stats["records"] == 400_002
    assert table.filter(pc.equal(table.column("id"), -1)).to_pylist() == [{"id": -1, "v": 0.5, "late": True}]
    assert table.column("late").null_count == 400_001


def test_missing_folder_is_file_not_found(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="not found"):
        glueless.read_landing(tmp_path / "nope", "customer")
    with pytest.raises(glueless.GluelessError):
        glueless.read_landing(tmp_path / "nope", "customer")
