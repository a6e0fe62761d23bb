"""Compressed landing files (.gz, .bz2, .zst) are read by their extension, as Glue and Spark read
them: the same tables as the uncompressed lake, on a local and an S3 lake, with the compressed and
uncompressed byte counts in the summary; a corrupt compressed file is one quarantined entry and the
run goes on."""

from __future__ import annotations

import bz2
import gzip
import json
import shutil
from pathlib import Path
from typing import Callable

import pyarrow as pa
import pytest

import glueless
import s3server
from conftest import run_cli
from test_s3 import bucket, rows, s3, s3_env  # noqa: F401 - fixtures

ZONES = ["customer/trusted", "accelerometer/trusted", "customer/curated", "step_trainer/trusted",
         "step_trainer/curated", "customer/rejected", "accelerometer/rejected", "step_trainer/rejected"]


def zstd(data: bytes) -> bytes:
    return pa.compress(data, codec="zstd", asbytes=True)


CODECS: dict[str, Callable[[bytes], bytes]] = {".gz": gzip.compress, ".bz2": bz2.compress, ".zst": zstd}


def compress_lake(lake: Path, target: Path) -> None:
    """A copy of `lake` whose landing files are compressed, codecs taking turns file by file."""
    shutil.copytree(lake, target)
    files = sorted(target.glob("*/landing/*"))
    for i, f in enumerate(files):
        extension = list(CODECS)[i % len(CODECS)]
        f.with_name(f.name + extension).write_bytes(CODECS[extension](f.read_bytes()))
        f.unlink()


def run_pipeline(lake: str, summary: Path, env: dict[str, str] | None = None) -> dict:
    done = run_cli("stedi", "run", "--lake", lake, "--summary-json", str(summary), env=env)
    assert done.returncode == 0, done.stderr
    return json.loads(summary.read_text())


def test_compressed_landing_gives_the_tables_of_the_plain_lake(demo_lake: Path, tmp_path: Path) -> None:
    (demo_lake / "accelerometer" / "landing" / "quirks.json").write_text('{"user": "x@y", "timestamp": 5}\n{broken\n')
    packed = tmp_path / "packed"
    compress_lake(demo_lake, packed)
    assert {f.suffix for f in packed.glob("*/landing/*")} == {".gz", ".bz2", ".zst"}
    plain = run_pipeline(str(demo_lake), tmp_path / "plain.json")
    compressed = run_pipeline(str(packed), tmp_path / "packed.json")
    for zone in ZONES:
        ours, theirs = glueless.read_parquet(packed / zone), glueless.read_parquet(demo_lake / zone)
        if zone.endswith("rejected"):  # the quarantine names the file it came from
            ours, theirs = pa.table(ours).drop_columns(["source_file"]), pa.table(theirs).drop_columns(["source_file"])
        assert rows(ours) == rows(theirs), zone
    for job_plain, job_packed in zip(plain["jobs"], compressed["jobs"]):
        if job_plain["bytes_read"]:
            assert job_packed["bytes_read"] == job_plain["bytes_read"], "uncompressed bytes, as decoded"
            assert 0 < job_packed["stored_bytes_read"] < job_plain["bytes_read"], "as stored: compressed"
            assert job_packed["compressed_files"] > 0 and job_plain["compressed_files"] == 0
    one = run_cli("run", "customer_landing_to_trusted", "--lake", str(packed))
    assert "as stored" in one.stdout and "compressed file" in one.stdout, one.stdout


def test_read_landing_reads_a_single_gzip_file(tmp_path: Path) -> None:
    lines = b"".join(json.dumps({"user": f"u{i}", "timestamp": i, "x": 1.0}).encode() + b"\n" for i in range(1000))
    path = tmp_path / "accelerometer-1.json.gz"
    # Two gzip members, as appending to a .gz (or Firehose's concatenation) gives.
    path.write_bytes(gzip.compress(lines[:5000]) + gzip.compress(lines[5000:]))
    result = glueless.read_landing(path, "accelerometer")
    assert result.stats["records"] == result.stats["accepted"] == 1000
    assert result.stats["bytes"] == len(lines) and result.stats["stored_bytes"] == path.stat().st_size
    assert result.stats["compressed_files"] == 1


def test_a_corrupt_compressed_file_is_one_quarantined_entry_and_the_run_goes_on(
    demo_lake: Path, tmp_path: Path
) -> None:
    landing = demo_lake / "customer" / "landing"
    good = gzip.compress(b'{"customerName":"A","email":"a@x","serialNumber":"s","shareWithResearchAsOfDate":1}\n')
    (landing / "zz-truncated.json.gz").write_bytes(good[: len(good) // 2])
    (landing / "zz-not-zstd.json.zst").write_bytes(b"this was never compressed")
    before = glueless.read_landing(demo_lake / "customer" / "landing", "customer")
    summary = run_pipeline(str(demo_lake), tmp_path / "run.json")
    job = summary["jobs"][0]
    assert job["quarantined"] == 2 and job["balanced"]
    rejected = pa.table(glueless.read_parquet(demo_lake / "customer" / "rejected")).to_pylist()
    reasons = {Path(r["source_file"]).name: r["reason"] for r in rejected}
    assert reasons["zz-truncated.json.gz"].startswith("the gzip file could not be decompressed"), reasons
    assert reasons["zz-not-zstd.json.zst"].startswith("the zstd file could not be decompressed"), reasons
    assert {r["line_number"] for r in rejected} == {0}
    assert summary["zones"]["customer/trusted"] == before.stats["accepted"] - job["filtered"]["no research consent"]


def test_compressed_landing_on_an_s3_lake(
    s3: s3server.S3Server, bucket: str, s3_env: dict[str, str], demo_lake: Path, tmp_path: Path  # noqa: F811
) -> None:
    packed = tmp_path / "packed"
    compress_lake(demo_lake, packed)
    s3server.upload_folder(s3.client(), packed, bucket, "stedi")
    run_pipeline(f"s3://{bucket}/stedi", tmp_path / "s3.json", env=s3_env)
    run_pipeline(str(demo_lake), tmp_path / "plain.json")
    for zone in ZONES[:5]:
        assert rows(glueless.read_parquet(f"s3://{bucket}/stedi/{zone}")) == rows(
            glueless.read_parquet(demo_lake / zone)
        ), zone


@pytest.mark.parametrize("limit", [1 << 30])
def test_a_record_limit_above_one_gib_is_refused(demo_lake: Path, limit: int) -> None:
    with pytest.raises(ValueError, match="over the limit"):
        glueless.read_landing(demo_lake / "customer" / "landing", "customer", max_record_bytes=limit + 1)
    assert glueless.read_landing(demo_lake / "customer" / "landing", "customer", max_record_bytes=limit).stats["files"]
