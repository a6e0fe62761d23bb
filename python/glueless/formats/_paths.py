"""Table locations and S3 settings as pyiceberg and delta-rs take them, from the same
environment the core's S3 stores read (``AWS_*``; keys from botocore's chain where it holds none)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Optional


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


_chain: Optional[Any] = None


def _credentials_and_region() -> tuple[Optional[tuple[str, str, Optional[str]]], Optional[str]]:
    """Keys and region from the environment, else from botocore's chain (profiles, SSO …): one
    chain per process, so temporary credentials are reused until botocore refreshes them."""
    region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
    key = os.environ.get("AWS_ACCESS_KEY_ID")
    if key:
        return (key, os.environ.get("AWS_SECRET_ACCESS_KEY", ""), os.environ.get("AWS_SESSION_TOKEN")), region
    global _chain
    if _chain is None:
        from glueless.aws import CredentialChain

        _chain = CredentialChain()
    profile_region = _chain.open()
    if profile_region is None:
        return None, region
    return _chain.credentials(), region or profile_region or None


def _s3_settings(names: tuple[str, str, str, str, str]) -> dict[str, str]:
    """Endpoint, region and keys of the environment (or the credential chain) under the library's
    own ``names`` for them."""
    settings: dict[str, str] = {}
    endpoint = os.environ.get("AWS_ENDPOINT_URL") or os.environ.get("AWS_ENDPOINT")
    keys, region = _credentials_and_region()
    values = (endpoint, region, *(keys or (None, None, None)))
    for name, value in zip(names, values):
        if value:
            settings[name] = value
    return settings


def delta_storage_options(location: str) -> Optional[dict[str, str]]:
    """delta-rs ``storage_options`` for a table on S3 (commits by conditional put, no DynamoDB)."""
    if not is_s3(location):
        return None
    options = {"conditional_put": "etag"}
    options.update(
        _s3_settings(
            ("AWS_ENDPOINT_URL", "AWS_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN")
        )
    )
    if options.get("AWS_ENDPOINT_URL", "").startswith("http://"):
        options["AWS_ALLOW_HTTP"] = "true"
    return options


def iceberg_io_properties() -> dict[str, str]:
    """pyiceberg file IO properties for tables on S3."""
    return _s3_settings(("s3.endpoint", "s3.region", "s3.access-key-id", "s3.secret-access-key", "s3.session-token"))
