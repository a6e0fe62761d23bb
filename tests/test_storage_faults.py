"""An S3 endpoint that fails some requests (5xx, throttling, connection resets, slow answers) is
retried to the same result; one that stays down fails with one clear line and nothing half written."""

from __future__ import annotations

import json
from pathlib import Path

import glueless
import s3server
from conftest import RELIABILITY, run_cli, run_script
from faulty_proxy import FaultyProxy
from test_s3 import bucket, rows, s3, s3_env  # noqa: F401 - fixtures

ZONES = ["customer/trusted", "accelerometer/trusted", "customer/curated", "step_trainer/trusted",
         "step_trainer/curated", "accelerometer/rejected"]


def test_the_pipeline_through_a_faulty_endpoint_gives_the_same_tables(
    s3: s3server.S3Server, bucket: str, s3_env: dict[str, str], demo_lake: Path, tmp_path: Path  # noqa: F811
) -> None:
    s3server.upload_folder(s3.client(), demo_lake, bucket, "stedi")
    proxy = FaultyProxy(s3.endpoint, every=4)
    try:
        env = {**s3_env, "AWS_ENDPOINT_URL": proxy.endpoint, "GLUELESS_S3_MAX_RETRIES": "10"}
        summary = tmp_path / "run.json"
        done = run_cli("stedi", "run", "--lake", f"s3://{bucket}/stedi", "--summary-json", str(summary), env=env)
        assert done.returncode == 0, done.stderr
    finally:
        proxy.stop()
    assert sum(proxy.injected.values()) >= 20, proxy.injected
    assert set(proxy.injected) >= {"500", "503", "429", "slow", "reset"}, proxy.injected
    assert json.loads(summary.read_text())["balanced"]
    for kind, n in proxy.injected.items():
        RELIABILITY[f"S3 faults injected and retried: {kind}"] += n
    assert run_cli("stedi", "run", "--lake", str(demo_lake)).returncode == 0
    for zone in ZONES:
        assert rows(glueless.read_parquet(f"s3://{bucket}/stedi/{zone}")) == rows(
            glueless.read_parquet(demo_lake / zone)
        ), zone


def test_an_endpoint_that_stays_down_fails_cleanly_and_writes_nothing(
    s3: s3server.S3Server, bucket: str, s3_env: dict[str, str], demo_lake: Path  # noqa: F811
) -> None:
    s3server.upload_folder(s3.client(), demo_lake, bucket, "stedi")
    url = f"s3://{bucket}/stedi"
    assert run_script("customer_landing_to_trusted.py", "--lake", url, env=s3_env).returncode == 0
    before = sorted(o["Key"] for o in s3.client().list_objects_v2(Bucket=bucket)["Contents"])
    proxy = FaultyProxy(s3.endpoint, down=True)
    try:
        env = {**s3_env, "AWS_ENDPOINT_URL": proxy.endpoint, "GLUELESS_S3_MAX_RETRIES": "3"}
        done = run_script("customer_landing_to_trusted.py", "--lake", url, env=env)
    finally:
        proxy.stop()
    assert done.returncode == 1 and len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert url in done.stderr and "SlowDown" in done.stderr, done.stderr
    after = sorted(o["Key"] for o in s3.client().list_objects_v2(Bucket=bucket)["Contents"])
    assert after == before, "nothing was written"
    RELIABILITY["S3 endpoint down: clean failure, nothing written"] += 1
