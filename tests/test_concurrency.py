"""Two runs of the same job (or the same streaming query) at once never corrupt the lake: on a
local lake the second run fails at once on the job's lock; on S3 the later committer loses the
conditional manifest put and discards its output; a second stream on one checkpoint fails when
it tries to plan or commit a batch the other already did."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import glueless
import s3server
from conftest import RELIABILITY, SCRIPTS, needs_failpoints, run_script
from test_s3 import bucket, keys, rows, s3, s3_env  # noqa: F401 - fixtures

JOB = "accelerometer_landing_to_trusted.py"


def start(script: str, *args: str, env: dict[str, str]) -> subprocess.Popen[str]:
    import os

    return subprocess.Popen([sys.executable, str(SCRIPTS / script), *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env={**os.environ, **env})


@needs_failpoints
def test_a_second_local_run_of_a_job_fails_on_its_lock(demo_lake: Path) -> None:
    assert run_script("customer_landing_to_trusted.py", "--lake", str(demo_lake)).returncode == 0
    first = start(JOB, "--lake", str(demo_lake), env={"GLUELESS_FAILPOINT": "output.written:sleep=4"})
    time.sleep(1.0)
    second = run_script(JOB, "--lake", str(demo_lake))
    out, err = first.communicate(timeout=120)
    assert first.returncode == 0, err
    assert second.returncode == 1 and "another run of accelerometer_landing_to_trusted" in second.stderr
    expected = rows(glueless.read_parquet(demo_lake / "accelerometer" / "trusted"))
    assert run_script(JOB, "--lake", str(demo_lake)).returncode == 0, "the lock is free again"
    RELIABILITY["concurrent runs refused cleanly"] += 1
    assert rows(glueless.read_parquet(demo_lake / "accelerometer" / "trusted")) == expected


@needs_failpoints
def test_on_s3_the_later_committer_discards_its_output(
    s3: s3server.S3Server, bucket: str, s3_env: dict[str, str], demo_lake: Path  # noqa: F811
) -> None:
    s3server.upload_folder(s3.client(), demo_lake, bucket, "stedi")
    url = f"s3://{bucket}/stedi"
    assert run_script("customer_landing_to_trusted.py", "--lake", url, env=s3_env).returncode == 0
    # The first run pauses after copying its files, before its conditional manifest put.
    first = start(JOB, "--lake", url, env={**s3_env, "GLUELESS_FAILPOINT": "commit.before_swap:sleep=8"})
    time.sleep(1.5)
    second = run_script(JOB, "--lake", url, env=s3_env)
    assert second.returncode == 0, second.stderr
    _, err = first.communicate(timeout=120)
    assert first.returncode == 1 and "another run replaced it" in err, err
    for zone in ("accelerometer/trusted", "accelerometer/rejected"):
        listed = [k for k in keys(s3, bucket, f"stedi/{zone}/") if k.endswith(".parquet")]
        manifest = s3.client().get_object(Bucket=bucket, Key=f"stedi/{zone}/_glueless_manifest.json")
        named = sorted(f"stedi/{zone}/{f['name']}" for f in json.loads(manifest["Body"].read())["files"])
        assert sorted(listed) == named, f"{zone}: only the winner's files are listed"
    RELIABILITY["concurrent runs refused cleanly"] += 1
    assert run_script("customer_landing_to_trusted.py", "--lake", str(demo_lake)).returncode == 0
    local = run_script(JOB, "--lake", str(demo_lake))
    assert local.returncode == 0, local.stderr
    assert rows(glueless.read_parquet(f"{url}/accelerometer/trusted")) == rows(
        glueless.read_parquet(demo_lake / "accelerometer" / "trusted")
    )


@needs_failpoints
def test_two_streams_on_one_checkpoint_do_not_mix_states(tmp_path: Path) -> None:
    from glueless import stream

    silver = tmp_path / "silver"
    stream.generate_silver(str(silver), files=6, rows_per_file=200, seed=4)
    args = ["--silver", str(silver), "--gold", str(tmp_path / "gold"), "--checkpoint", str(tmp_path / "cp"),
            "--max-files-per-trigger", "1"]
    first = start("build_gold_layer.py", *args, env={"GLUELESS_FAILPOINT": "stream.before_commit:sleep=4"})
    time.sleep(1.0)
    second = run_script("build_gold_layer.py", *args)
    _, err = first.communicate(timeout=120)
    failed = [p for p in ((first.returncode, err), (second.returncode, second.stderr)) if p[0] != 0]
    assert failed and all("another run of this query" in e for _, e in failed), (first.returncode, err, second.stderr)
    assert run_script("build_gold_layer.py", *args).returncode == 0
    RELIABILITY["concurrent runs refused cleanly"] += 1
    clean = ["--silver", str(silver), "--gold", str(tmp_path / "clean"), "--checkpoint", str(tmp_path / "ccp"),
             "--max-files-per-trigger", "1"]
    assert run_script("build_gold_layer.py", *clean).returncode == 0

    def gold(folder: Path) -> list[tuple]:
        table = pa.concat_tables([pq.read_table(f) for f in sorted(folder.glob("batch-*.parquet"))])
        return sorted(tuple(r.values()) for r in table.to_pylist())

    assert gold(tmp_path / "gold") == gold(tmp_path / "clean")
