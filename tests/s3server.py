"""A real S3 protocol server on 127.0.0.1 for the tests: moto's server in a child process, with
SigV4 authentication switched on (INITIAL_NO_AUTH_ACTION_COUNT) so wrong credentials fail for real.

The first few requests, made without authentication, create an IAM user with full access and its
access key, and a role it may assume (for temporary credentials with a session token); every later
request must be signed by a known key. The server's log (one line per request, with its status) is
kept so tests can see how objects were read (206 = a ranged GET).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# Requests allowed before authentication starts: create_user, put_user_policy, create_access_key,
# create_role, put_role_policy.
_SETUP_REQUESTS = 5
_ALLOW_ALL = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})
_TRUST_ANYONE = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}],
    }
)
REGION = "us-east-1"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class S3Server:
    endpoint: str
    access_key: str
    secret_key: str
    role_arn: str
    log_path: Path
    process: subprocess.Popen[bytes]

    def env(self, **overrides: str) -> dict[str, str]:
        """Environment for a glueless process talking to this server with the user's key."""
        env = {
            "AWS_ENDPOINT_URL": self.endpoint,
            "AWS_ACCESS_KEY_ID": self.access_key,
            "AWS_SECRET_ACCESS_KEY": self.secret_key,
            "AWS_REGION": REGION,
            # A failing request is retried quickly in tests.
            "GLUELESS_S3_MAX_RETRIES": "2",
        }
        env.update(overrides)
        return env

    def client(self, service: str = "s3", **credentials: str) -> Any:
        import boto3

        return boto3.client(
            service,
            endpoint_url=self.endpoint,
            region_name=REGION,
            aws_access_key_id=credentials.get("access_key", self.access_key),
            aws_secret_access_key=credentials.get("secret_key", self.secret_key),
            aws_session_token=credentials.get("session_token"),
        )

    def temporary_credentials(self) -> dict[str, str]:
        """AWS_* variables of an assumed role: access key, secret and session token."""
        creds = self.client("sts").assume_role(RoleArn=self.role_arn, RoleSessionName="glueless-test")["Credentials"]
        return {
            "AWS_ACCESS_KEY_ID": creds["AccessKeyId"],
            "AWS_SECRET_ACCESS_KEY": creds["SecretAccessKey"],
            "AWS_SESSION_TOKEN": creds["SessionToken"],
        }

    def log_lines(self) -> list[str]:
        return self.log_path.read_text(errors="replace").splitlines()

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


def start(workdir: Path) -> S3Server:
    """Start the server and create the test user and role in it."""
    import boto3

    port = _free_port()
    log_path = workdir / "moto.log"
    env = {**os.environ, "INITIAL_NO_AUTH_ACTION_COUNT": str(_SETUP_REQUESTS)}
    log = open(log_path, "wb")  # noqa: SIM115 - the child process owns it
    process = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
        env=env,
    )
    endpoint = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            # The moto dashboard route answers without counting as an AWS action.
            urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=2).close()
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise RuntimeError(f"moto server did not start: {log_path.read_text(errors='replace')[-2000:]}")
            time.sleep(0.2)

    anonymous = {"endpoint_url": endpoint, "region_name": REGION, "aws_access_key_id": "setup", "aws_secret_access_key": "setup"}
    iam = boto3.client("iam", **anonymous)
    iam.create_user(UserName="glueless")
    iam.put_user_policy(UserName="glueless", PolicyName="all", PolicyDocument=_ALLOW_ALL)
    key = iam.create_access_key(UserName="glueless")["AccessKey"]
    role = iam.create_role(RoleName="glueless-jobs", AssumeRolePolicyDocument=_TRUST_ANYONE)["Role"]
    iam.put_role_policy(RoleName="glueless-jobs", PolicyName="all", PolicyDocument=_ALLOW_ALL)
    return S3Server(
        endpoint=endpoint,
        access_key=key["AccessKeyId"],
        secret_key=key["SecretAccessKey"],
        role_arn=role["Arn"],
        log_path=log_path,
        process=process,
    )


def upload_folder(client: Any, local: Path, bucket: str, prefix: str) -> int:
    """Upload every file below ``local`` (following links) to ``s3://bucket/prefix/…``."""
    count = 0
    for folder, _, files in os.walk(local, followlinks=True):
        for name in sorted(files):
            path = Path(folder) / name
            client.upload_file(str(path), bucket, f"{prefix}/{path.relative_to(local).as_posix()}")
            count += 1
    return count
