"""glueless: the jobs of an AWS Glue lakehouse, without Glue.

A Rust core does the work; this package re-exports it. Tables come back as :class:`ArrowTable`,
which any Arrow-aware library (pyarrow, polars, duckdb) reads through the PyCapsule interface.
"""

from __future__ import annotations

import warnings

from glueless._glueless import (
    ArrowTable,
    LandingResult,
    SqlSession,
    __version__,
    _debug_build,
    catalog_ddl,
    consent_dated_filter,
    consent_filter,
    distinct,
    drop_pii,
    generate_stedi,
    inner_join,
    install_credential_chain,
    install_table_formats,
    read_landing,
    read_parquet,
    replicate_stedi,
    run_job,
    semi_join,
    write_parquet,
)

# S3 stores without AWS_* keys in the environment sign with botocore's chain (profiles, SSO…);
# botocore itself is imported only when such a store is first opened.
from glueless.aws import CredentialChain as _CredentialChain
from glueless.exceptions import (
    AccessDeniedError,
    AnalysisException,
    CheckpointError,
    ConflictError,
    DataError,
    GluelessError,
    InvalidArgumentError,
    MissingInputError,
    NotFoundError,
    SqlError,
    StorageError,
    UnsupportedError,
)
from glueless.pipeline import STEDI_JOBS, run_stedi

install_credential_chain(_CredentialChain())

# Iceberg and Delta tables: the core writes the Parquet files, pyiceberg / delta-rs commit them
# (imported only when such a table is first written or read).
from glueless.formats import TableFormats as _TableFormats  # noqa: E402  (after the credential chain is installed)

install_table_formats(_TableFormats())

if _debug_build:
    warnings.warn(
        "glueless was built without optimisations (debug build); it is much slower. "
        "Install with `pip install .` or `maturin develop --release`.",
        RuntimeWarning,
        stacklevel=2,
    )

__all__ = [
    "AccessDeniedError",
    "AnalysisException",
    "CheckpointError",
    "ConflictError",
    "ArrowTable",
    "DataError",
    "GluelessError",
    "InvalidArgumentError",
    "LandingResult",
    "MissingInputError",
    "NotFoundError",
    "SqlError",
    "SqlSession",
    "StorageError",
    "UnsupportedError",
    "STEDI_JOBS",
    "__version__",
    "catalog_ddl",
    "consent_dated_filter",
    "consent_filter",
    "distinct",
    "drop_pii",
    "generate_stedi",
    "inner_join",
    "read_landing",
    "read_parquet",
    "replicate_stedi",
    "run_job",
    "run_stedi",
    "semi_join",
    "stream",
    "write_parquet",
]


def __getattr__(name: str) -> object:
    # `glueless.stream` is imported on first use: it costs ~35 ms (dataclasses) that batch jobs,
    # which must start fast, do not need.
    if name == "stream":
        import importlib

        return importlib.import_module("glueless.stream")
    raise AttributeError(f"module 'glueless' has no attribute {name!r}")
