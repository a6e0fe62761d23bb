"""AWS credentials and region as the AWS tools find them: botocore's provider chain.

The core reads ``AWS_ACCESS_KEY_ID`` / ``AWS_SECRET_ACCESS_KEY`` (/ ``AWS_SESSION_TOKEN``) from the
environment itself. Without them it asks :class:`CredentialChain`, which botocore answers from
``AWS_PROFILE`` (or ``--profile``), ``~/.aws/credentials`` and ``~/.aws/config`` (``role_arn`` with
``source_profile``, ``credential_process``, SSO with a cached token), web identity, and container
and instance roles — refreshing temporary credentials before they expire. botocore comes with
``pip install "glueless[aws]"`` (or boto3); without it, only the environment, web identity and the
metadata services are used.
"""

from __future__ import annotations

import argparse
import os
import threading
from typing import Any, Optional

from glueless.exceptions import AccessDeniedError, InvalidArgumentError, StorageError

#: Variables that decide which configuration botocore reads: a change makes a new session.
_CONFIG_VARS = ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE", "HOME")


PROFILE_HELP = "AWS profile for S3 (and the Glue catalog); wins over AWS_* keys in the environment"


def add_profile_option(parser: argparse.ArgumentParser, **kwargs: Any) -> None:
    """The ``--profile NAME`` option of every command and driver; :func:`use_profile` applies it."""
    parser.add_argument("--profile", help=PROFILE_HELP, **kwargs)


def use_profile(name: Optional[str]) -> None:
    """``--profile NAME``: that profile signs every S3 request, even where ``AWS_*`` keys are set
    (as with the AWS CLI, a profile named on the command line wins over the environment)."""
    if not name:
        return
    os.environ["AWS_PROFILE"] = name
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        os.environ.pop(key, None)


def _profile() -> Optional[str]:
    return os.environ.get("AWS_PROFILE") or os.environ.get("AWS_DEFAULT_PROFILE") or None


def _one_line(err: Exception) -> str:
    return " ".join(str(err).split())


class CredentialChain:
    """botocore's credential chain, called by the core (from its I/O threads) for S3 stores that
    have no keys in the environment. One botocore session per configuration, so its refreshable
    credentials are shared by every store."""

    def __init__(self) -> None:
        self._sessions: dict[tuple[Optional[str], ...], Any] = {}
        self._lock = threading.Lock()

    def _where(self) -> str:
        profile = _profile()
        return f"profile {profile!r}" if profile else "the default profile and the environment"

    def _session(self) -> Any:
        import botocore.session

        key = tuple(os.environ.get(name) for name in _CONFIG_VARS)
        with self._lock:
            session = self._sessions.get(key)
            if session is None:
                session = self._sessions[key] = botocore.session.Session()
            return session

    def open(self) -> Optional[str]:
        """The region the configuration names ("" for none), or None where botocore is not
        installed (the core then uses object_store's own chain). A profile that does not exist is
        an :class:`InvalidArgumentError`."""
        try:
            import botocore.exceptions
        except ImportError:
            profile = _profile()
            if profile:
                raise InvalidArgumentError(
                    f'AWS_PROFILE={profile} needs botocore to read the AWS configuration: pip install "glueless[aws]"'
                ) from None
            return None
        session = self._session()
        try:
            return str(session.get_config_variable("region") or "")
        except botocore.exceptions.ProfileNotFound:
            config = session.get_config_variable("config_file")
            shared = session.get_config_variable("credentials_file")
            raise InvalidArgumentError(f"AWS profile {_profile()!r} is not in {config} or {shared}") from None
        except botocore.exceptions.BotoCoreError as e:
            raise InvalidArgumentError(f"AWS configuration ({self._where()}): {_one_line(e)}") from None

    def credentials(self) -> tuple[str, str, Optional[str]]:
        """Access key, secret key and session token, fresh for at least ten more minutes (botocore
        refreshes temporary credentials fifteen minutes before they expire)."""
        session = self._session()
        try:
            found = session.get_credentials()
            frozen = found.get_frozen_credentials() if found is not None else None
        except Exception as e:  # botocore's and the providers' errors (SSO, STS, a process): one line
            raise StorageError(f"AWS credentials ({self._where()}): {_one_line(e)}") from None
        if frozen is None or not frozen.access_key:
            raise AccessDeniedError(
                f"no AWS credentials found ({self._where()}): set AWS_PROFILE or --profile, or AWS_ACCESS_KEY_ID "
                "and AWS_SECRET_ACCESS_KEY, or run where a role is attached"
            )
        return frozen.access_key, frozen.secret_key, frozen.token
