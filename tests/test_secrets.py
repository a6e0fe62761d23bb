"""The AWS secret key and session token never appear in anything glueless prints or writes: every
driver and command, on success and on each kind of failure, with its summary JSON and HTML report."""

from __future__ import annotations

from pathlib import Path

import pytest

import glueless
import s3server
from conftest import RELIABILITY, run_cli, run_script
from test_s3 import DRIVERS, bucket, s3  # noqa: F401 - fixtures


def test_secrets_never_appear_in_any_output(s3: s3server.S3Server, bucket: str, demo_lake: Path,  # noqa: F811
                                            tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    s3server.upload_folder(s3.client(), demo_lake, bucket, "stedi")
    temporary = s3.temporary_credentials()
    secrets = [temporary["AWS_SECRET_ACCESS_KEY"], temporary["AWS_SESSION_TOKEN"], s3.secret_key]
    env = s3.env(**temporary)
    url = f"s3://{bucket}/stedi"
    seen: list[str] = []

    def record(done) -> None:
        seen.extend([done.stdout, done.stderr])

    for driver in DRIVERS:
        record(run_script(driver, "--lake", url, "--summary-json", str(tmp_path / f"{driver}.json"), env=env))
    report, summary = tmp_path / "report.html", tmp_path / "run.json"
    record(run_cli("stedi", "run", "--lake", url, "--report", str(report), "--summary-json", str(summary), env=env))
    silver = tmp_path / "silver"
    glueless.stream.generate_silver(str(silver), files=3, rows_per_file=100)
    for f in sorted(silver.iterdir()):
        s3.client().upload_file(str(f), bucket, f"silver/{f.name}")
    record(run_script("build_gold_layer.py", "--silver", f"s3://{bucket}/silver", "--gold", f"s3://{bucket}/gold",
                      "--checkpoint", f"s3://{bucket}/cp", env=env))
    # Failures: a wrong secret, a wrong token, a missing bucket, an unreachable endpoint.
    failures = [
        {**env, "AWS_SECRET_ACCESS_KEY": temporary["AWS_SECRET_ACCESS_KEY"][::-1]},
        {**env, "AWS_SESSION_TOKEN": temporary["AWS_SESSION_TOKEN"][:-8] + "AAAAAAAA"},
        {**env, "AWS_ENDPOINT_URL": f"http://127.0.0.1:{s3server._free_port()}", "GLUELESS_S3_MAX_RETRIES": "0"},
    ]
    for failing in failures:
        done = run_script(DRIVERS[0], "--lake", url, env=failing)
        assert done.returncode == 1
        record(done)
        secrets.extend([failing["AWS_SECRET_ACCESS_KEY"], failing["AWS_SESSION_TOKEN"]])
    record(run_script(DRIVERS[0], "--lake", "s3://no-such-bucket-secrets/x", env=env))
    # The Python API's exceptions and reprs.
    for key, value in failures[0].items():
        monkeypatch.setenv(key, value)
    with pytest.raises(glueless.GluelessError) as caught:
        glueless.read_parquet(f"{url}/customer/trusted")
    seen.extend([str(caught.value), repr(caught.value)])

    written = [p.read_text(errors="replace") for p in tmp_path.glob("*.json")] + [report.read_text()]
    everything = "\n".join(seen + written)
    assert "customer_landing_to_trusted" in everything and len(everything) > 2000
    for secret in secrets:
        assert secret not in everything
    RELIABILITY["outputs searched for secrets (stdout, stderr, JSON, HTML, exceptions)"] += len(seen) + len(written)
