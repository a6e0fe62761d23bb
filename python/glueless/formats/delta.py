"""Delta Lake commits through delta-rs (the ``deltalake`` package): glueless's Parquet files
become one version of the table's ``_delta_log`` (an ``overwrite`` or an ``append``), on S3 by
conditional put, without a DynamoDB lock."""

from __future__ import annotations

import json
import time
from typing import Any, Optional

from glueless.exceptions import ConflictError, StorageError, UnsupportedError
from glueless.formats import SnapshotFile, commit_metadata, committed_properties
from glueless.formats._paths import delta_storage_options, local_path, table_uri


def _deltalake() -> Any:
    try:
        import deltalake
        import deltalake.transaction
    except ImportError:
        raise UnsupportedError('Delta tables need the deltalake package: pip install "glueless[delta]"') from None
    return deltalake


def _relative(table: str, file: str) -> str:
    file = table_uri(file)
    prefix = table.rstrip("/") + "/"
    if not file.startswith(prefix):
        raise StorageError(f"{file} is not inside the Delta table {table}")
    return file[len(prefix) :]


def commit(
    location: str, name: str, schema: Any, files: list[tuple[str, int, int]], mode: str, properties: Optional[str]
) -> None:
    """Commit ``files`` as the next version of the table at ``location``."""
    deltalake = _deltalake()
    from deltalake.exceptions import CommitFailedError
    from deltalake.transaction import AddAction, CommitProperties, create_table_with_add_actions

    uri = table_uri(location)
    options = delta_storage_options(uri)
    now_ms = int(time.time() * 1000)
    actions = [
        AddAction(_relative(uri, path), size, {}, now_ms, True, json.dumps({"numRecords": rows}))
        for path, size, rows in files
    ]
    commit_properties = CommitProperties(custom_metadata=commit_metadata(properties))
    try:
        if deltalake.DeltaTable.is_deltatable(uri, storage_options=options):
            table = deltalake.DeltaTable(uri, storage_options=options)
            # An overwrite may change the schema (a landing schema evolved); an append keeps it.
            table.create_write_transaction(actions, mode=mode, schema=schema, commit_properties=commit_properties)
        else:
            create_table_with_add_actions(
                uri,
                deltalake.Schema.from_arrow(schema),
                actions,
                mode="error",
                name=name.rsplit(".", 1)[-1],
                storage_options=options,
                commit_properties=commit_properties,
            )
    except CommitFailedError as e:
        raise ConflictError(f"{location}: another writer committed to the Delta table first ({e})") from None


def snapshot(location: str) -> tuple[list[SnapshotFile], Optional[str]]:
    """The files of the table's current version, and the newest glueless commit properties."""
    deltalake = _deltalake()
    uri = table_uri(location)
    table = deltalake.DeltaTable(uri, storage_options=delta_storage_options(uri))
    import pyarrow

    actions = pyarrow.table(table.get_add_actions(flatten=True)).to_pydict()
    base = uri.rstrip("/") + "/"
    files = [
        (local_path(path if "://" in path or path.startswith("/") else base + path), int(size), int(modified))
        for path, size, modified in zip(actions["path"], actions["size_bytes"], actions["modification_time"])
    ]
    return files, committed_properties(table.history())
