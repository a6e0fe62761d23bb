"""Table locations and S3 settings as pyiceberg and delta-rs take them, from the same
environment the core's S3 stores read (``AWS_*``; keys from botocore's chain where it holds none)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Optional


def is_s3(location: str) -> bool:
    return location.startswith(("s3://", "s3a://"))


def table_uri(location: str) -> str:
    """``s3://bucket/key`` for S3 (``s3a://`` read as ``s3://``), an absolute path otherwise."""
    if location.startswith("s3a://"):
        return "s3://" + location[len("s3a://") :].rstrip("/")
    if is_s3(location):
        return location.rstrip("/")
    if location.startswith("file://"):
        location = location[len("file://") :]
    return str(Path(location).absolute())


def file_uri(location: str) -> str:
    """A URL pyiceberg's file IO reads: ``file:///abs/path`` or ``s3://…``."""
    uri = table_uri(location)
    return uri if is_s3(uri) else Path(uri).as_uri()


def local_path(url: str) -> str:
    """A snapshot's file URL as the core takes it (``file://`` URLs become paths)."""
    if url.startswith("file://"):
        from urllib.parse import unquote, urlparse

        return unquote(urlparse(url).path)
    if url.startswith("s3a://"):
        return "s3://" + url[len("s3a://") :]
    return url


def _credentials() -> Optional[tuple[str, str, Optional[str]]]:
    """Keys from the environment, else from the installed botocore chain (profiles, SSO …)."""
    key = os.environ.get("AWS_ACCESS_KEY_ID")
    if key:
        return key, os.environ.get("AWS_SECRET_ACCESS_KEY", ""), os.environ.get("AWS_SESSION_TOKEN")
    from glueless.aws import CredentialChain

    chain = CredentialChain()
    if chain.open() is None:
        return None
    return chain.credentials()


def _region() -> Optional[str]:
    return os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")


def delta_storage_options(location: str) -> Optional[dict[str, str]]:
    """delta-rs ``storage_options`` for a table on S3 (commits by conditional put, no DynamoDB)."""
    if not is_s3(location):
        return None
    options = {"conditional_put": "etag"}
    endpoint = os.environ.get("AWS_ENDPOINT_URL") or os.environ.get("AWS_ENDPOINT")
    if endpoint:
        options["AWS_ENDPOINT_URL"] = endpoint
        if endpoint.startswith("http://"):
            options["AWS_ALLOW_HTTP"] = "true"
    region = _region()
    if region:
        options["AWS_REGION"] = region
    keys = _credentials()
    if keys is not None:
        options["AWS_ACCESS_KEY_ID"], options["AWS_SECRET_ACCESS_KEY"] = keys[0], keys[1]
        if keys[2]:
            options["AWS_SESSION_TOKEN"] = keys[2]
    return options


def iceberg_io_properties() -> dict[str, str]:
    """pyiceberg file IO properties for tables on S3."""
    properties: dict[str, str] = {}
    endpoint = os.environ.get("AWS_ENDPOINT_URL") or os.environ.get("AWS_ENDPOINT")
    if endpoint:
        properties["s3.endpoint"] = endpoint
    region = _region()
    if region:
        properties["s3.region"] = region
    keys = _credentials()
    if keys is not None:
        properties["s3.access-key-id"], properties["s3.secret-access-key"] = keys[0], keys[1]
        if keys[2]:
            properties["s3.session-token"] = keys[2]
    return properties
