"""``--catalog glue``: the AWS Glue Data Catalog itself, through boto3 (``pip install "glueless[glue]"``).

The account and region come from the environment as for any AWS tool (``AWS_PROFILE``,
``AWS_REGION`` …); ``AWS_ENDPOINT_URL_GLUE`` / ``AWS_ENDPOINT_URL`` point it elsewhere (the tests
use moto's Glue server). Tables travel in GetTable's shape, as the local catalog stores them.
"""

from __future__ import annotations

from typing import Any, Optional

from glueless.exceptions import InvalidArgumentError, StorageError

#: TableInput accepts these keys of a GetTable record (the rest are read-only).
_TABLE_INPUT_KEYS = (
    "Name",
    "Description",
    "Owner",
    "Retention",
    "StorageDescriptor",
    "PartitionKeys",
    "ViewOriginalText",
    "ViewExpandedText",
    "TableType",
    "Parameters",
)


class GlueCatalog:
    """The Glue Data Catalog of the environment's account and region."""

    def __init__(self, client: Any = None) -> None:
        if client is None:
            try:
                import boto3
            except ImportError:
                raise InvalidArgumentError(
                    '--catalog glue needs boto3: pip install "glueless[glue]" (or boto3)'
                ) from None
            import os

            # boto3 reads AWS_DEFAULT_REGION; the core and the other AWS SDKs also AWS_REGION.
            region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
            try:
                client = boto3.client("glue", region_name=region)
            except Exception as e:  # botocore's configuration errors (no region …): one line
                raise InvalidArgumentError(f"--catalog glue: {' '.join(str(e).split())}") from None
        self._glue = client
        region = getattr(getattr(client, "meta", None), "region_name", None) or "?"
        self.description = f"Glue Data Catalog ({region})"

    def _call(self, operation: str, **kwargs: Any) -> Any:
        try:
            return getattr(self._glue, operation)(**kwargs)
        except Exception as e:  # botocore's errors: one line with the operation
            code = getattr(e, "response", {}).get("Error", {}).get("Code")
            if code == "EntityNotFoundException":
                raise KeyError(operation) from None
            raise StorageError(f"Glue {operation}: {e}") from None

    def get_database(self, name: str) -> Optional[dict[str, Any]]:
        try:
            return dict(self._call("get_database", Name=name.lower())["Database"])
        except KeyError:
            return None

    def create_database(self, name: str, location: Optional[str] = None) -> None:
        database: dict[str, Any] = {"Name": name.lower()}
        if location:
            database["LocationUri"] = location
        self._call("create_database", DatabaseInput=database)

    def delete_database(self, name: str) -> None:
        try:
            self._call("delete_database", Name=name.lower())
        except KeyError:
            pass

    def get_table(self, database: str, name: str) -> Optional[dict[str, Any]]:
        try:
            table = self._call("get_table", DatabaseName=database.lower(), Name=name.lower())["Table"]
        except KeyError:
            return None
        return {k: v for k, v in table.items() if k in _TABLE_INPUT_KEYS or k == "DatabaseName"}

    def put_table(self, table: dict[str, Any]) -> None:
        database = table["DatabaseName"].lower()
        if self.get_database(database) is None:
            self.create_database(database)
        table_input = {k: v for k, v in table.items() if k in _TABLE_INPUT_KEYS}
        if self.get_table(database, table["Name"]) is None:
            self._call("create_table", DatabaseName=database, TableInput=table_input)
        else:
            self._call("update_table", DatabaseName=database, TableInput=table_input)

    def delete_table(self, database: str, name: str) -> bool:
        try:
            self._call("delete_table", DatabaseName=database.lower(), Name=name.lower())
            return True
        except KeyError:
            return False

    def databases(self) -> list[str]:
        names: list[str] = []
        for page in self._glue.get_paginator("get_databases").paginate():
            names += [d["Name"] for d in page["DatabaseList"]]
        return sorted(names)

    def tables(self, database: str) -> list[dict[str, Any]]:
        tables: list[dict[str, Any]] = []
        for page in self._glue.get_paginator("get_tables").paginate(DatabaseName=database.lower()):
            tables += page["TableList"]
        return sorted(tables, key=lambda t: t["Name"])
