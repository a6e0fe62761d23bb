"""``awsglue.utils.getResolvedOptions`` with Glue's parsing and errors."""

from __future__ import annotations

import argparse
from typing import Any

from glueless.compat._unsupported import module_getattr

__getattr__ = module_getattr("awsglue.utils")

_RESERVED = [
    "job-bookmark-option",
    "continuation-option",
    "job-bookmark-from",
    "job-bookmark-to",
    "JOB_ID",
    "JOB_RUN_ID",
    "SECURITY_CONFIGURATION",
    "encryption-type",
    "enable-data-lineage",
]


class GlueArgumentError(Exception):
    """A job argument is missing or invalid (Glue raises this instead of exiting)."""


class GlueArgumentParser(argparse.ArgumentParser):
    def error(self, message: str) -> Any:  # type: ignore[override]
        raise GlueArgumentError(message)


def getResolvedOptions(args: list[str], options: list[str]) -> dict[str, Any]:
    """The values of ``--NAME value`` arguments for each name in ``options`` (all required), and
    Glue's own ones (``job_bookmark_option``, ``TempDir``, …); other arguments are ignored."""
    parser = GlueArgumentParser(prog=args[0] if args else "script", allow_abbrev=False)
    parser.add_argument(
        "--job-bookmark-option",
        choices=["job-bookmark-enable", "job-bookmark-pause", "job-bookmark-disable"],
        required=False,
    )
    parser.add_argument(
        "--continuation-option",
        choices=["continuation-enabled", "continuation-readonly", "continuation-ignore"],
        required=False,
    )
    for name in (
        "--job-bookmark-from",
        "--job-bookmark-to",
        "--JOB_ID",
        "--JOB_RUN_ID",
        "--SECURITY_CONFIGURATION",
        "--encryption-type",
        "--enable-data-lineage",
    ):
        parser.add_argument(name, required=False)
    parser.add_argument("--RedshiftTempDir", required=False)
    parser.add_argument("--TempDir", required=False)
    for option in options:
        if option in _RESERVED:
            raise RuntimeError(f"Using reserved arguments {option}")
        if option in ("TempDir", "RedshiftTempDir"):
            continue
        parser.add_argument("--" + option, required=True)
    parsed, _unknown = parser.parse_known_args(args[1:])
    values = vars(parsed)
    if values.get("continuation_option") and not values.get("job_bookmark_option"):
        translated = {
            "continuation-enabled": "job-bookmark-enable",
            "continuation-readonly": "job-bookmark-pause",
            "continuation-ignore": "job-bookmark-disable",
        }
        values["job_bookmark_option"] = translated[values["continuation_option"]]
    values.pop("continuation_option", None)
    values["job_bookmark_option"] = values.get("job_bookmark_option") or "job-bookmark-disable"
    if values["job_bookmark_option"] == "job-bookmark-pause":
        if bool(values.get("job_bookmark_from")) != bool(values.get("job_bookmark_to")):
            missing = "--job-bookmark-to" if values.get("job_bookmark_from") else "--job-bookmark-from"
            raise RuntimeError(f"Missing option or value for {missing}")
    elif values.get("job_bookmark_from") or values.get("job_bookmark_to"):
        raise RuntimeError("Invalid option(s)--job-bookmark-from --job-bookmark-to")
    values["TempDir"] = values.get("TempDir") or values.get("RedshiftTempDir")
    values["RedshiftTempDir"] = values.get("RedshiftTempDir") or values.get("TempDir")
    return values
