"""The state of one script run: location maps, the catalog, the SQL session, and the report.

``glueless submit`` creates it from its options; :func:`glueless.glue.activate` creates one for
tests. Scripts never see it: the awsglue / pyspark shims consult :func:`current`.
"""

from __future__ import annotations

import json
import os
import sys
import time
from dataclasses import dataclass, field
from typing import Any, Optional

from glueless._glueless import SqlSession
from glueless.catalog import Catalog, open_catalog, table_records
from glueless.exceptions import GluelessError, SqlError


def _normalise_prefix(prefix: str) -> str:
    if prefix.startswith("s3a://"):
        prefix = "s3://" + prefix[len("s3a://") :]
    return prefix.rstrip("/")


@dataclass
class LocationMap:
    """``--map S3PREFIX=LOCATION``: every location under the prefix moves under the target."""

    prefix: str
    target: str

    @classmethod
    def parse(cls, text: str) -> LocationMap:
        prefix, sep, target = text.partition("=")
        if not sep or not prefix or not target:
            raise ValueError(f"--map takes S3PREFIX=LOCATION, got {text!r}")
        if not (prefix.startswith("s3://") or prefix.startswith("s3a://")):
            raise ValueError(f"--map: the prefix must be an s3:// or s3a:// URL, got {prefix!r}")
        # A local target stays as written (relative to the working directory, which a run
        # never changes), so the run's lines show the folder the user named.
        return cls(_normalise_prefix(prefix), target.rstrip("/") or "/")


def mapped_location(maps: list[LocationMap], location: str) -> str:
    """Where ``location`` is after ``--map S3PREFIX=LOCATION`` (``s3a://`` is ``s3://``); itself
    when no prefix covers it."""
    normal = _normalise_prefix(location) + ("/" if location.endswith("/") else "")
    for m in maps:
        if normal == m.prefix or normal.startswith(m.prefix + "/"):
            rest = normal[len(m.prefix) :].lstrip("/")
            if "://" in m.target:
                return f"{m.target}/{rest}" if rest else m.target
            return os.path.join(m.target, rest) if rest else m.target
    return location


@dataclass
class Event:
    """One source or sink of the run, for the report and ``--summary-json``."""

    kind: str
    what: str
    location: str
    rows: int
    detail: dict[str, Any] = field(default_factory=dict)


class Run:
    """One run of a user's script."""

    def __init__(
        self,
        maps: Optional[list[LocationMap]] = None,
        catalog: Optional[str] = None,
        script: Optional[str] = None,
        quiet: bool = False,
        bookmarks: Optional[str] = None,
    ) -> None:
        self.maps = sorted(maps or [], key=lambda m: len(m.prefix), reverse=True)
        self._catalog_location = catalog
        self._catalog: Optional[Catalog] = None
        self.script = script
        self.quiet = quiet
        self.started = time.perf_counter()
        self.events: list[Event] = []
        self.session = SqlSession()
        self.job_name: Optional[str] = None
        self.arguments: dict[str, Any] = {}
        self._bookmark_dir = bookmarks or os.environ.get("GLUELESS_BOOKMARKS") or "./.glueless/bookmarks"
        self._bookmark_option = "job-bookmark-disable"
        self._bookmarks: dict[str, dict[str, int]] = {}
        self._pending: dict[str, dict[str, int]] = {}
        self._registered: dict[tuple[str, str], str] = {}
        #: `USE`'s database, and the bare names its tables are registered under.
        self.current_database = "default"
        self._bare: set[str] = set()

    # --- job bookmarks (Glue's, for S3 sources with a transformation_ctx) --------------------
    def _bookmark_file(self) -> str:
        return os.path.join(self._bookmark_dir, f"{self.job_name}.json")

    def bookmarks_begin(self, job_name: str, option: str) -> None:
        """``job.init``: load the job's bookmark unless bookmarks are disabled."""
        self.job_name = job_name
        self._bookmark_option = option
        self._bookmarks = {}
        self._pending = {}
        if option != "job-bookmark-disable" and os.path.exists(self._bookmark_file()):
            with open(self._bookmark_file(), encoding="utf-8") as f:
                self._bookmarks = json.load(f).get("sources", {})

    def bookmark_filter(
        self, ctx: Optional[str], files: list[tuple[str, int, int]]
    ) -> tuple[list[tuple[str, int, int]], int]:
        """The files a source reads: with bookmarks on and a ``transformation_ctx``, those not
        processed (at this modification time) by an earlier committed run."""
        if not ctx or self._bookmark_option == "job-bookmark-disable":
            return files, 0
        seen = self._bookmarks.get(ctx, {})
        new = [f for f in files if seen.get(f[0]) != f[2]]
        self._pending.setdefault(ctx, {}).update({f[0]: f[2] for f in new})
        return new, len(files) - len(new)

    def bookmarks_commit(self) -> None:
        """``job.commit``: save what this run read (not when bookmarks are paused or disabled)."""
        if self._bookmark_option != "job-bookmark-enable" or not self.job_name:
            return
        merged = {ctx: dict(files) for ctx, files in self._bookmarks.items()}
        for ctx, files in self._pending.items():
            merged.setdefault(ctx, {}).update(files)
        os.makedirs(self._bookmark_dir, exist_ok=True)
        path = self._bookmark_file()
        tmp = f"{path}.tmp{os.getpid()}"
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump({"job": self.job_name, "sources": merged}, f, indent=1, sort_keys=True)
        os.replace(tmp, path)
        self._bookmarks, self._pending = merged, {}

    @property
    def catalog(self) -> Catalog:
        if self._catalog is None:
            self._catalog = open_catalog(self._catalog_location)
        return self._catalog

    def register_catalog_tables(self) -> None:
        """The catalog as Spark's metastore (Glue's ``--enable-glue-datacatalog``): every table
        readable as ``database.table`` in ``spark.sql``; a table whose entry changed is registered
        again. A table glueless cannot read (an unknown column type) is left out: a query naming
        it says the table is not found."""
        for table, record in table_records(self.catalog):
            key = (table["DatabaseName"].lower(), table["Name"].lower())
            location = self.map_location(table["StorageDescriptor"]["Location"])
            try:
                if key[0] == self.current_database:
                    # Bare names after `USE`: a temporary view made since takes the name back.
                    if self.session.register_current_database_table(record, location):
                        self._bare.add(key[1])
                if self._registered.get(key) != record:
                    self.session.register_catalog_table(record, location)
                    self._registered[key] = record
            except GluelessError:
                continue

    def use_database(self, name: str) -> None:
        """``USE name`` / ``spark.catalog.setCurrentDatabase``: bare table names are that
        catalog database's (after the session's temporary views)."""
        lower = name.strip("`").lower()
        if lower != "default" and self.catalog.get_database(lower) is None:
            raise SqlError(f"[SCHEMA_NOT_FOUND] The schema `{lower}` cannot be found.")
        for bare in self._bare:
            self.session.forget_current_database_table(bare)
        self._bare.clear()
        self.current_database = lower

    def map_location(self, location: str) -> str:
        """The location a script's path names after ``--map`` (``s3a://`` is ``s3://``)."""
        return mapped_location(self.maps, location)

    def report(self, event: Event) -> None:
        """Record a source or sink and print its line (on stderr: stdout is the script's)."""
        self.events.append(event)
        if not self.quiet:
            print(f"glueless: {event.kind:<6} {event.what}  {event.location}  {_describe(event)}", file=sys.stderr)

    def report_source(self, what: str, locations: list[str], summary: Any, skipped_files: int = 0) -> None:
        """A source's line; its quarantined records, if any, are written to ``rejected/`` beside
        the first location first (as the STEDI jobs' landing quarantine): kept, never dropped."""
        detail: dict[str, Any] = {k: summary[k] for k in ("files", "bytes", "records", "quarantined")}
        if skipped_files:
            detail["skipped_files"] = skipped_files
        if summary["quarantined"]:
            base = locations[0].rstrip("/")
            folder = f"{base.rsplit('/', 1)[0] if '/' in base else '.'}/rejected"
            self.session.frame(summary["rejected"]).write(folder, "parquet", None, [])
            detail["rejected_at"] = folder
        self.report(Event("source", what, ", ".join(locations), summary["rows"], detail))

    def note(self, text: str, *, always: bool = False) -> None:
        """A line about the run that is not a source or sink (dropped records, catalog updates).
        ``always`` lines are printed under ``--quiet`` too: they warn of data the script may not
        mean to keep (a field a transform did not find in the case it was named)."""
        if always or not self.quiet:
            print(f"glueless: {text}", file=sys.stderr)

    def seconds(self) -> float:
        return time.perf_counter() - self.started


def option_flag(value: Any) -> bool:
    """A Glue / Spark boolean option: ``True``, or ``"true"``, ``"1"``, ``"yes"`` in any case."""
    return value is True or str(value).strip().lower() in ("true", "1", "yes")


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def _describe(event: Event) -> str:
    d = event.detail
    if event.kind == "source":
        text = f"{_plural(event.rows, 'row')} from {_plural(d.get('files', 0), 'file')}"
        if d.get("quarantined"):
            text += f", {_plural(d['quarantined'], 'record')} quarantined in {d.get('rejected_at', '?')}"
        if d.get("skipped_files"):
            text += f", {_plural(d['skipped_files'], 'file')} skipped by the job bookmark"
        # A stream's accounting: where the rows that were not passed on went.
        counted = [
            f"{d[k]:,} {k}"
            for k in ("malformed", "dropped malformed", "filtered", "duplicates", "late", "without event time")
            if d.get(k)
        ]
        if counted:
            text += " (" + ", ".join(counted) + ")"
        return text
    if "batches" in d:  # a stream: its rows went out over micro-batches, to files or a function
        batches = d["batches"]
        text = f"{_plural(event.rows, 'row')} emitted in {batches:,} micro-batch{'' if batches == 1 else 'es'}"
        return text + (f", {_plural(d['files'], 'file')} written" if d.get("files") else "")
    if d.get("mode") == "overwrite":
        text = f"{_plural(event.rows, 'row')} written in {_plural(d.get('files', 0), 'file')}, replacing what was there"
    else:
        text = f"{_plural(event.rows, 'row')} appended in {_plural(d.get('files', 0), 'file')}"
    if d.get("catalog"):
        text += f"; {d['catalog']}"
    return text


_CURRENT: Optional[Run] = None


def current() -> Run:
    """The active run (a default one when a script runs without ``glueless submit``)."""
    global _CURRENT
    if _CURRENT is None:
        _CURRENT = Run()
    return _CURRENT


def start(run: Run) -> Run:
    global _CURRENT
    _CURRENT = run
    return run


def finish() -> None:
    global _CURRENT
    _CURRENT = None
