"""S3 access signed through the AWS tools' credential chain (botocore's) with no AWS_* keys in the
environment: profiles in ~/.aws/credentials, role_arn + source_profile (STS on the test server),
credential_process, SSO with a cached token, a container role, --profile over environment keys,
and one clear line for a profile that does not exist or a chain that fails.

Every profile file lives in a temporary HOME; the SSO portal and the container endpoint are small
HTTP servers on 127.0.0.1 that hand out the S3 server's real temporary credentials, so S3 checks
each signature. Instance metadata is switched off: no request leaves 127.0.0.1.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest

import s3server
from conftest import SCRIPTS
from test_s3 import assert_one_line_error, bucket, keys, s3  # noqa: F401 - fixtures

DRIVER = SCRIPTS / "customer_landing_to_trusted.py"


def _later(minutes: int) -> datetime:
    return datetime.now(timezone.utc) + timedelta(minutes=minutes)


def chain_env(s3: s3server.S3Server, home: Path, **extra: str) -> dict[str, str]:
    """This process's environment without any AWS_* variable, HOME at `home`, the S3 server as
    endpoint and instance metadata off."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(
        HOME=str(home),
        AWS_ENDPOINT_URL=s3.endpoint,
        AWS_EC2_METADATA_DISABLED="true",
        GLUELESS_S3_MAX_RETRIES="2",
    )
    env.update(extra)
    return env


def write_aws_files(home: Path, credentials: str = "", config: str = "") -> None:
    (home / ".aws").mkdir(parents=True, exist_ok=True)
    (home / ".aws" / "credentials").write_text(credentials)
    (home / ".aws" / "config").write_text(config)


def run_driver(lake: str, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(DRIVER), "--lake", lake, *args], capture_output=True, text=True, env=env, timeout=300
    )


@pytest.fixture()
def lake(s3: s3server.S3Server, bucket: str, demo_lake: Path) -> str:  # noqa: F811
    s3server.upload_folder(s3.client(), demo_lake, bucket, "stedi")
    return f"s3://{bucket}/stedi"


def assert_written(s3: s3server.S3Server, lake: str, done: subprocess.CompletedProcess[str]) -> None:  # noqa: F811
    assert done.returncode == 0, done.stderr
    bucket_name, prefix = lake.removeprefix("s3://").split("/", 1)
    assert f"{prefix}/customer/trusted/_glueless_manifest.json" in keys(s3, bucket_name, f"{prefix}/customer/trusted/")


def test_a_profile_in_the_shared_credentials_file(s3: s3server.S3Server, lake: str, tmp_path: Path) -> None:  # noqa: F811
    write_aws_files(
        tmp_path,
        credentials=f"[lake]\naws_access_key_id = {s3.access_key}\naws_secret_access_key = {s3.secret_key}\n",
        # The region comes from the profile too.
        config=f"[profile lake]\nregion = {s3server.REGION}\n",
    )
    done = run_driver(lake, chain_env(s3, tmp_path, AWS_PROFILE="lake"))
    assert_written(s3, lake, done)
    assert s3.secret_key not in done.stdout + done.stderr


def test_the_default_profile_without_aws_profile(s3: s3server.S3Server, lake: str, tmp_path: Path) -> None:  # noqa: F811
    write_aws_files(
        tmp_path,
        credentials=f"[default]\naws_access_key_id = {s3.access_key}\naws_secret_access_key = {s3.secret_key}\n",
        config=f"[default]\nregion = {s3server.REGION}\n",
    )
    assert_written(s3, lake, run_driver(lake, chain_env(s3, tmp_path)))


def test_a_role_assumed_from_a_source_profile(s3: s3server.S3Server, lake: str, tmp_path: Path) -> None:  # noqa: F811
    write_aws_files(
        tmp_path,
        credentials=f"[base]\naws_access_key_id = {s3.access_key}\naws_secret_access_key = {s3.secret_key}\n",
        config=(
            f"[profile jobs]\nrole_arn = {s3.role_arn}\nsource_profile = base\nregion = {s3server.REGION}\n"
        ),
    )
    # Profile "jobs" holds no keys: only the role's temporary ones, from STS, can sign.
    assert_written(s3, lake, run_driver(lake, chain_env(s3, tmp_path, AWS_PROFILE="jobs")))


def test_credential_process(s3: s3server.S3Server, lake: str, tmp_path: Path) -> None:  # noqa: F811
    temporary = s3.temporary_credentials()
    helper = tmp_path / "creds.py"
    helper.write_text(
        "import json\nprint(json.dumps("
        + repr(
            {
                "Version": 1,
                "AccessKeyId": temporary["AWS_ACCESS_KEY_ID"],
                "SecretAccessKey": temporary["AWS_SECRET_ACCESS_KEY"],
                "SessionToken": temporary["AWS_SESSION_TOKEN"],
                "Expiration": _later(60).strftime("%Y-%m-%dT%H:%M:%SZ"),
            }
        )
        + "))\n"
    )
    write_aws_files(
        tmp_path,
        config=f"[profile tool]\ncredential_process = {sys.executable} {helper}\nregion = {s3server.REGION}\n",
    )
    done = run_driver(lake, chain_env(s3, tmp_path, AWS_PROFILE="tool"))
    assert_written(s3, lake, done)
    assert temporary["AWS_SESSION_TOKEN"] not in done.stdout + done.stderr


class _Issuer(BaseHTTPRequestHandler):
    """The SSO portal's GetRoleCredentials and a container credentials endpoint."""

    credentials: dict[str, str] = {}
    token = "sso-access-token"
    seen: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        url = urlparse(self.path)
        self.seen.append(url.path)
        if url.path == "/federation/credentials":
            query = parse_qs(url.query)
            if self.headers.get("x-amz-sso_bearer_token") != self.token or query.get("role_name") != ["Lake"]:
                self._answer(401, {"message": "bad token or role"})
                return
            self._answer(
                200,
                {
                    "roleCredentials": {
                        "accessKeyId": self.credentials["AWS_ACCESS_KEY_ID"],
                        "secretAccessKey": self.credentials["AWS_SECRET_ACCESS_KEY"],
                        "sessionToken": self.credentials["AWS_SESSION_TOKEN"],
                        "expiration": int(_later(60).timestamp() * 1000),
                    }
                },
            )
        elif url.path == "/container-role":
            self._answer(
                200,
                {
                    "AccessKeyId": self.credentials["AWS_ACCESS_KEY_ID"],
                    "SecretAccessKey": self.credentials["AWS_SECRET_ACCESS_KEY"],
                    "Token": self.credentials["AWS_SESSION_TOKEN"],
                    "Expiration": _later(60).strftime("%Y-%m-%dT%H:%M:%SZ"),
                },
            )
        else:
            self._answer(404, {"message": "not found"})

    def _answer(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture()
def issuer(s3: s3server.S3Server) -> Iterator[str]:  # noqa: F811
    _Issuer.credentials = s3.temporary_credentials()
    _Issuer.seen = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Issuer)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_sso_with_a_cached_token(s3: s3server.S3Server, lake: str, tmp_path: Path, issuer: str) -> None:  # noqa: F811
    write_aws_files(
        tmp_path,
        config=(
            "[profile sso-dev]\nsso_session = corp\nsso_account_id = 123456789012\nsso_role_name = Lake\n"
            f"region = {s3server.REGION}\n\n"
            f"[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = {s3server.REGION}\n"
        ),
    )
    # What `aws sso login` leaves: the token cached under the SHA-1 of the session's name.
    cache = tmp_path / ".aws" / "sso" / "cache"
    cache.mkdir(parents=True)
    (cache / f"{hashlib.sha1(b'corp').hexdigest()}.json").write_text(
        json.dumps(
            {
                "startUrl": "https://corp.awsapps.com/start",
                "region": s3server.REGION,
                "accessToken": _Issuer.token,
                "expiresAt": _later(240).strftime("%Y-%m-%dT%H:%M:%SZ"),
            }
        )
    )
    done = run_driver(lake, chain_env(s3, tmp_path, AWS_PROFILE="sso-dev", AWS_ENDPOINT_URL_SSO=issuer))
    assert_written(s3, lake, done)
    assert "/federation/credentials" in _Issuer.seen


def test_a_container_role(s3: s3server.S3Server, lake: str, tmp_path: Path, issuer: str) -> None:  # noqa: F811
    env = chain_env(
        s3, tmp_path, AWS_CONTAINER_CREDENTIALS_FULL_URI=f"{issuer}/container-role", AWS_REGION=s3server.REGION
    )
    assert_written(s3, lake, run_driver(lake, env))
    assert "/container-role" in _Issuer.seen


def test_profile_option_wins_over_keys_in_the_environment(
    s3: s3server.S3Server, lake: str, tmp_path: Path  # noqa: F811
) -> None:
    write_aws_files(
        tmp_path,
        credentials=f"[lake]\naws_access_key_id = {s3.access_key}\naws_secret_access_key = {s3.secret_key}\n",
    )
    wrong = chain_env(
        s3,
        tmp_path,
        AWS_ACCESS_KEY_ID=s3.access_key,
        AWS_SECRET_ACCESS_KEY="wrongSecretKey/0123456789abcdefghijklmnopqrstuv",
        AWS_REGION=s3server.REGION,
    )
    assert_one_line_error(run_driver(lake, wrong), "access denied")
    assert_written(s3, lake, run_driver(lake, wrong, "--profile", "lake"))


def test_a_profile_that_does_not_exist_is_one_line(s3: s3server.S3Server, lake: str, tmp_path: Path) -> None:  # noqa: F811
    write_aws_files(tmp_path, config="[profile other]\nregion = us-east-1\n")
    done = run_driver(lake, chain_env(s3, tmp_path, AWS_PROFILE="nope"))
    assert_one_line_error(done, "AWS profile 'nope' is not in")


def test_a_failing_credential_process_is_one_line(s3: s3server.S3Server, lake: str, tmp_path: Path) -> None:  # noqa: F811
    helper = tmp_path / "fail.py"
    helper.write_text("import sys\nsys.exit('token expired, run login again')\n")
    write_aws_files(tmp_path, config=f"[profile tool]\ncredential_process = {sys.executable} {helper}\nregion = us-east-1\n")
    done = run_driver(lake, chain_env(s3, tmp_path, AWS_PROFILE="tool"))
    assert_one_line_error(done, "AWS credentials (profile 'tool')", lake)


def test_no_credentials_anywhere_is_one_line(s3: s3server.S3Server, lake: str, tmp_path: Path) -> None:  # noqa: F811
    write_aws_files(tmp_path)
    done = run_driver(lake, chain_env(s3, tmp_path, AWS_REGION=s3server.REGION))
    assert_one_line_error(done, "no AWS credentials found", lake)


@pytest.mark.parametrize("fmt", ["delta", "iceberg"])
def test_a_profile_only_environment_writes_and_reads_iceberg_and_delta_tables(
    s3: s3server.S3Server, lake: str, tmp_path: Path, fmt: str  # noqa: F811
) -> None:
    pytest.importorskip("deltalake")
    pytest.importorskip("pyiceberg")
    # Temporary credentials (a session token) from an assumed role: delta-rs and pyiceberg sign
    # with what botocore's chain gives, as the core does.
    write_aws_files(
        tmp_path,
        credentials=f"[base]\naws_access_key_id = {s3.access_key}\naws_secret_access_key = {s3.secret_key}\n",
        config=f"[profile lake]\nrole_arn = {s3.role_arn}\nsource_profile = base\nregion = {s3server.REGION}\n",
    )
    env = chain_env(s3, tmp_path, AWS_PROFILE="lake", GLUELESS_CATALOG=str(tmp_path / "catalog"))
    written = run_driver(lake, env, "--format", fmt)
    assert written.returncode == 0, written.stderr
    assert "Traceback" not in written.stderr and not written.stderr.strip(), written.stderr
    # The next jobs read the tables' snapshots through the same chain.
    for job in ("accelerometer_landing_to_trusted", "customer_trusted_to_curated"):
        done = subprocess.run(
            [sys.executable, str(SCRIPTS / f"{job}.py"), "--lake", lake, "--format", fmt],
            capture_output=True, text=True, env=env, timeout=300,
        )
        assert done.returncode == 0, done.stderr
    bucket_name, prefix = lake.removeprefix("s3://").split("/", 1)
    marker = "_delta_log/" if fmt == "delta" else "metadata/"
    for zone in ("customer/trusted", "customer/curated"):
        assert any(marker in k for k in keys(s3, bucket_name, f"{prefix}/{zone}/")), zone
