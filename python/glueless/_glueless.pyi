"""Type stubs of the Rust core (checked against the binary with mypy.stubtest)."""

from collections.abc import Mapping, Sequence
from os import PathLike
from typing import Any, Callable, Literal, Optional, Protocol, TypedDict, Union, final

__all__ = [
    "__version__",
    "_debug_build",
    "_threads",
    "_failpoints",
    "TypeNames",
    "TYPE_NAMES",
    "type_name",
    "FILE_FORMATS",
    "FILE_FORMAT_NAMES",
    "TABLE_FORMATS",
    "OPEN_TABLE_FORMATS",
    "UNREAD_FORMATS",
    "file_format",
    "STREAM_SINK_FORMATS",
    "spark_source_name",
    "ArrowTable",
    "LandingResult",
    "SqlSession",
    "AthenaSession",
    "AthenaResult",
    "AthenaWrite",
    "Frame",
    "parse_catalog_ddl",
    "sql_statements",
    "consent_filter",
    "consent_dated_filter",
    "semi_join",
    "inner_join",
    "distinct",
    "duration_micros",
    "drop_pii",
    "generate_stedi",
    "progress",
    "read_landing",
    "catalog_ddl",
    "stream_aggregate",
    "stream_rows",
    "stream_source_rows",
    "generate_silver",
    "gold_defaults",
    "read_parquet",
    "write_parquet",
    "replicate_stedi",
    "run_job",
    "install_credential_chain",
    "install_table_formats",
    "parquet_rows",
    "landing_columns",
    "list_data_files",
    "decode_landing_file",
    "read_landing_file",
    "commit_staged_folder",
    "commit_staged_table",
    "write_parquet_file",
    "BroadcastSemiJoin",
    "BroadcastInnerJoin",
    "BroadcastConsentDates",
    "JobLock",
    "LandingJobRun",
    "STEDI_JOBS",
    "REJECTED_COLUMNS",
    "job_plan",
    "job_report",
    "landing_arrow_schema",
]

__version__: str
_debug_build: bool
_threads: int
#: Built with the `failpoints` feature: GLUELESS_FAILPOINT can abort the process (test builds only).
_failpoints: bool

@final
class TypeNames:
    """One simple type's names in every dialect (the core's type vocabulary)."""

    @property
    def spark_class(self) -> str: ...
    @property
    def spark(self) -> str: ...
    @property
    def spark_ddl(self) -> str: ...
    @property
    def spark_tree(self) -> str: ...
    @property
    def glue(self) -> str: ...
    @property
    def hive(self) -> str: ...
    @property
    def trino(self) -> str: ...
    @property
    def aliases(self) -> list[str]: ...
    @property
    def numeric(self) -> bool: ...
    @property
    def json_native(self) -> bool:
        """A JSON scalar reads back as this type (string, bigint, double, boolean)."""

#: Every simple type's names, in ``pyspark.sql.types``' order.
TYPE_NAMES: list[TypeNames]

def type_name(data_type: Any, dialect: Literal["spark", "spark_ddl", "spark_tree", "glue", "hive", "trino"]) -> str:
    """The name of ``data_type`` (any type name, or an Arrow type) in ``dialect``."""

#: The file formats (``json``, ``csv``, ``parquet``), and every name they are read by (``glueparquet``).
FILE_FORMATS: list[str]
FILE_FORMAT_NAMES: list[str]
#: The table formats (``parquet`` first, the default), and the open ones (``iceberg``, ``delta``).
TABLE_FORMATS: list[str]
OPEN_TABLE_FORMATS: list[str]
#: Formats a catalog may name that glueless does not read (``orc``, ``avro``, ``hudi``).
UNREAD_FORMATS: list[str]

def file_format(name: str) -> Optional[str]:
    """The file format ``name`` names (any case; ``glueparquet`` is ``parquet``), or None."""

#: The file formats a stream's file sink writes (``parquet``, ``json``).
STREAM_SINK_FORMATS: list[str]

def spark_source_name(name: str) -> Optional[str]:
    """Spark's name of a file format's data source in messages (``JSON``, ``CSV``, ``Parquet``)."""

class ArrowStreamExportable(Protocol):
    def __arrow_c_stream__(self, requested_schema: object | None = None) -> object: ...

@final
class ArrowTable:
    """An immutable Arrow table; pass it to ``pyarrow.table()``, ``polars.DataFrame()`` or duckdb."""

    def __arrow_c_stream__(self, requested_schema: object | None = None) -> object: ...
    def __arrow_c_schema__(self) -> object: ...
    @property
    def num_rows(self) -> int: ...
    @property
    def column_names(self) -> list[str]: ...
    def __len__(self) -> int: ...

class LandingStats(TypedDict):
    files: int
    empty_files: int
    bytes: int
    stored_bytes: int
    compressed_files: int
    records: int
    accepted: int
    quarantined: int

@final
class LandingResult:
    """Accepted records, quarantined records and counts of one landing read."""

    @property
    def table(self) -> ArrowTable: ...
    @property
    def rejected(self) -> ArrowTable: ...
    @property
    def stats(self) -> LandingStats: ...

class OutputSummary(TypedDict):
    role: Literal["output", "quarantine"]
    table: str
    location: str
    rows: int
    table_rows: int
    files: int
    bytes: int

class JobSummary(TypedDict):
    job: str
    engine: Literal["local", "spark"]
    read: int
    quarantined: int
    filtered: dict[str, int]
    matched: Optional[int]
    written: int
    bytes_read: int
    stored_bytes_read: int
    compressed_files: int
    empty_files: int
    outputs: list[OutputSummary]
    seconds: float
    incremental: bool
    files_skipped: int
    schema_version: int
    schema_change: Optional[str]
    balanced: bool

class GeneratedStedi(TypedDict):
    customers: int
    consenting_customers: int
    accelerometer: int
    step_trainer: int
    files: int
    bytes: int

Location = Union[str, PathLike[str]]

def read_landing(
    path: Location,
    table: Optional[str] = None,
    *,
    chunk_bytes: Optional[int] = None,
    max_record_bytes: Optional[int] = None,
) -> LandingResult:
    """Read landing NDJSON from a folder or file, local or on S3 (``s3://`` or ``s3a://``).

    ``table`` names a STEDI table (customer, accelerometer, step_trainer) for its declared schema;
    any other name, or None, infers the schema. Bad records are quarantined, not raised. Files
    named ``.gz``, ``.bz2``, ``.zst``, ``.deflate``, ``.snappy`` or ``.lz4`` (Hadoop's framing or
    the tools' own) are decompressed first; one that cannot be is a single quarantined record.
    ``max_record_bytes`` is at most 1 GiB.
    """

class WrittenParquet(TypedDict):
    location: str
    rows: int
    files: int
    bytes: int

def read_parquet(location: Location, columns: Optional[Sequence[str]] = None) -> ArrowTable:
    """Read the committed Parquet files of a folder (local, ``file://``, ``s3://``, ``s3a://``)."""

def write_parquet(location: Location, table: ArrowStreamExportable) -> WrittenParquet:
    """Replace a folder's content with ``table`` as Parquet (zstd), atomically."""

def consent_filter(table: ArrowStreamExportable, column: Optional[str] = None) -> ArrowTable:
    """Keep the rows of any Arrow table whose ``column`` (default: STEDI's consent column,
    ``shareWithResearchAsOfDate``) is present and non-zero."""

def consent_dated_filter(
    readings: ArrowStreamExportable,
    customers: ArrowStreamExportable,
    *,
    user: str = "user",
    time: str = "timestamp",
    email: str = "email",
    consent: Optional[str] = None,
) -> ArrowTable:
    """Keep readings taken by a consenting customer at or after the (latest) consent time."""

Keys = Union[str, Sequence[str]]

def semi_join(
    table: ArrowStreamExportable, other: ArrowStreamExportable, on: Keys, other_on: Optional[Keys] = None
) -> ArrowTable:
    """Rows of ``table`` whose key appears in ``other``; null keys never match."""

def inner_join(
    left: ArrowStreamExportable, right: ArrowStreamExportable, on: Keys, right_on: Optional[Keys] = None
) -> ArrowTable:
    """Every pair of rows with equal keys: left columns, then right ones (``_right`` on name clashes)."""

def distinct(table: ArrowStreamExportable) -> ArrowTable:
    """The distinct rows of ``table``, first occurrences in order."""

def drop_pii(table: ArrowStreamExportable) -> ArrowTable:
    """``table`` without customerName, email, phone, birthDay and user columns."""

def progress() -> tuple[int, int]:
    """Landing bytes and records decoded so far in this process."""

def run_job(
    job: str,
    lake: str,
    *,
    strict: bool = False,
    max_record_bytes: Optional[int] = None,
    incremental: bool = False,
    format: Optional[str] = None,
) -> JobSummary:
    """Run one STEDI job on the lake rooted at ``lake`` and return its run summary.

    ``incremental``: a landing → trusted job takes only the landing files its table's bookmark does
    not name and appends to the table (Glue's job bookmarks); the curated jobs always rebuild.
    ``format``: ``"parquet"``, ``"iceberg"`` or ``"delta"`` for the tables written (each one
    snapshot); ``None`` keeps each table's own format (Parquet for a new table). A table of another
    format already at an output is an :class:`InvalidArgumentError`.
    """

STEDI_JOBS: list[str]

def job_plan(job: str, *, strict: bool = False) -> str:
    """The description of STEDI job ``job`` as JSON: its source (landing table or earlier table),
    steps (each filter with the reasons its rows count under), output and forbidden columns —
    what the Spark engine runs. :class:`ValueError` for an unknown job."""

def job_report(
    job: str,
    lake: str,
    *,
    engine: str,
    strict: bool,
    read: int,
    quarantined: int,
    left_out: Sequence[int],
    outputs: Sequence[Mapping[str, Any]],
    matched: Optional[int] = None,
    landing: Optional[Mapping[str, int]] = None,
    run: Optional[LandingJobRun] = None,
    seconds: float = 0.0,
) -> JobSummary:
    """The run summary of job ``job`` from another engine's counts (``left_out``: one count per
    reason of the plan, in order), as :func:`run_job` returns it; regenerates the catalog DDL of
    what the job wrote."""

@final
class LandingJobRun:
    """A landing → trusted run whose files another engine's tasks decode: the core picks the
    files, keeps the schema history and commits the tasks' output with the job bookmark."""

    def __new__(
        cls,
        lake: str,
        job: str,
        *,
        strict: bool = False,
        incremental: bool = False,
        max_record_bytes: Optional[int] = None,
        format: Optional[str] = None,
    ) -> LandingJobRun: ...
    def files(self) -> list[tuple[str, int]]: ...
    def columns(self) -> list[_ColumnSpec]: ...
    def evolve(self, locations: list[str]) -> None: ...
    def commit(self, trusted: str, rejected: str, distinct: bool) -> tuple[OutputSummary, OutputSummary, int]: ...
    def append(
        self, trusted: str, rejected: str, distinct_rows: Optional[int] = None
    ) -> tuple[OutputSummary, OutputSummary, int]: ...
    def discard(self, trusted: str, rejected: str) -> None: ...
    @property
    def appending(self) -> bool: ...

@final
class JobLock:
    """The lock of one STEDI job on a local lake (none on S3), held until :meth:`release` or the
    end of a ``with`` block: a second run of the job raises ConflictError at once."""

    def __new__(cls, lake: str, job: str) -> JobLock: ...
    def release(self) -> None: ...
    def __enter__(self) -> JobLock: ...
    def __exit__(self, *exc: object) -> None: ...

class TableFormatCommitter(Protocol):
    def commit(
        self,
        format: str,
        table: str,
        name: str,
        schema: Any,
        files: list[tuple[str, int, int]],
        mode: str,
        properties: Optional[str],
    ) -> None: ...
    def snapshot(self, format: str, table: str) -> tuple[list[tuple[str, int, int]], Optional[str]]: ...

def install_table_formats(formats: TableFormatCommitter) -> None:
    """Commit and read Iceberg and Delta tables through ``formats`` (``glueless.formats.TableFormats``,
    installed at import): the core writes the Parquet files, ``commit`` makes them one snapshot,
    ``snapshot`` names the current snapshot's files (URL, bytes, modification ms) and properties."""

class CredentialSource(Protocol):
    def open(self) -> Optional[str]: ...
    def credentials(self) -> tuple[str, str, Optional[str]]: ...

def install_credential_chain(chain: CredentialSource) -> None:
    """Sign S3 requests with ``chain`` wherever the environment holds no ``AWS_ACCESS_KEY_ID``.

    ``chain.open()`` is asked when a store is built: None leaves object_store's own chain, a
    string is the region of the chain's configuration ("" for none). ``chain.credentials()`` is
    asked for keys once a minute, from the core's I/O threads.
    """

def generate_stedi(lake: str, *, customers: int = 1000, seed: int = 0, overwrite: bool = False) -> GeneratedStedi:
    """Write deterministic STEDI landing data with the real data's quirks under ``lake``."""

class Replicated(TypedDict):
    files: int
    bytes: int

def replicate_stedi(source: str, lake: str, replicas: int) -> Replicated:
    """Write ``replicas`` renamed, day-shifted copies of STEDI landing data (counts scale exactly)."""

class BatchReport(TypedDict):
    """One micro-batch: ``rows == dropped_malformed + filtered + aggregated + passed +
    duplicates + late + null_time``."""

    batch: int
    files: list[str]
    rows: int
    malformed: int
    dropped_malformed: int
    filtered: int
    aggregated: int
    passed: int
    duplicates: int
    late: int
    null_time: int
    emitted: int
    open_groups: int
    watermark_us: int
    next_watermark_us: int
    output: Optional[str]
    outputs: list[str]
    replayed: bool
    seconds: float
    aggregate_seconds: float

class _StreamSource(TypedDict, total=False):
    folder: str
    format: str
    options: Mapping[str, str]
    schema: Optional[str]
    max_files_per_trigger: Optional[int]
    max_bytes_per_trigger: Optional[int]

class _StreamSink(TypedDict, total=False):
    folder: Optional[str]
    format: str
    partition_by: Sequence[str]
    checkpoint: str

class _StreamRunRequired(TypedDict):
    trigger: str

class _StreamRun(_StreamRunRequired, total=False):
    timeout: Optional[float]
    on_batch: Optional[Callable[[BatchReport], object]]
    on_emit: Optional[Callable[[int, ArrowTable], Optional[ArrowStreamExportable]]]
    should_stop: Optional[Callable[[], bool]]
    before_watermark: Optional[Callable[[ArrowTable], ArrowStreamExportable]]
    after_watermark: Optional[Callable[[ArrowTable], ArrowStreamExportable]]

def stream_aggregate(
    source: _StreamSource,
    sink: _StreamSink,
    *,
    event_time: str,
    watermark: str,
    window: Optional[str] = None,
    slide: Optional[str] = None,
    group_by: Sequence[str] = ...,
    aggregates: Sequence[str] = ...,
    output_mode: str = "append",
    run: Optional[_StreamRun] = None,
) -> list[BatchReport]:
    """Run a streaming aggregation with Spark's semantics; see ``glueless.stream``.

    ``source`` (``folder`` required): its ``format`` is ``parquet`` (the default), ``json`` (JSON
    lines) or ``csv``; text formats need ``schema`` and take Spark's reader options in ``options``
    (``header``, ``sep``, ``quote``, ``escape``, ``mode``, ``columnNameOfCorruptRecord``, and
    ``timeZone``, the session's). ``sink`` (``checkpoint`` required): its ``format`` is
    ``parquet`` or ``json`` (or ``iceberg`` / ``delta``), with Hive-style ``partition_by``
    folders. In ``run``, ``before_watermark`` / ``after_watermark`` are the program's stateless
    operations on each batch's table, before and after the point where it observes the event time.

    The sink's ``folder`` may be ``None`` when ``on_emit`` takes the rows. ``on_emit(batch_id, rows)`` gets
    every batch's emitted rows before the batch commits (a replayed batch calls it again with the
    same id and rows) and returns the rows to append to ``sink``, or ``None`` when it consumed
    them. ``should_stop()`` is asked between batches and while a processing-time trigger waits.
    ``output_mode`` is Spark's: ``append`` (a group once, when the watermark closes it),
    ``update`` (the groups a batch changed) or ``complete`` (every group, every batch).
    """

def stream_rows(
    source: _StreamSource,
    sink: _StreamSink,
    *,
    event_time: Optional[str] = None,
    watermark: Optional[str] = None,
    deduplicate: Optional[Sequence[str]] = None,
    within_watermark: bool = False,
    output_mode: str = "append",
    run: Optional[_StreamRun] = None,
) -> list[BatchReport]:
    """Run a stream without aggregation: every row passes, or the first row of each
    ``deduplicate`` key (Spark's ``dropDuplicates``; ``within_watermark``:
    ``dropDuplicatesWithinWatermark``, which needs ``event_time`` and ``watermark``). The other
    arguments are those of :func:`stream_aggregate`; ``output_mode`` is append or update.
    """

def stream_source_rows(schema: str) -> ArrowTable:
    """No rows of a declared stream schema (Spark DDL, or ``"silver"``), every column nullable:
    the columns and types a streaming DataFrame starts with."""

def generate_silver(
    silver: str,
    *,
    files: int = 20,
    rows_per_file: int = 4500,
    seed: int = 0,
    seconds_per_file: int = 20,
    late_per_file: int = 5,
) -> int:
    """Write a generated silver review layer (Parquet) into the new folder ``silver``."""

class GoldDefaults(TypedDict):
    event_time: str
    watermark: str
    window: Optional[str]
    group_by: list[str]
    aggregates: list[str]

def gold_defaults() -> GoldDefaults:
    """The default gold query of build_gold_layer.py."""

class WrittenTable(TypedDict):
    files: int
    rows: int
    bytes: int

class TableDdl(TypedDict):
    name: str
    location: str
    sql: str
    #: "json" (landing), "parquet", "iceberg" or "delta".
    format: str
    #: Column names and Athena types.
    columns: list[tuple[str, str]]

def catalog_ddl(
    lake: str, *, database: str = "stedi", landing_only: bool = False, declared: bool = False
) -> list[TableDdl]:
    """Athena DDL for every table of the lake: landing (JsonSerDe, current schema version) and each
    Parquet zone that exists. ``landing_only``: the landing tables; ``declared``: the landing tables
    with their declared schemas, without touching storage."""

# Kernels for tasks of a distributed engine (glueless.spark): landing files decoded in one call,
# joins and filters built once from a broadcast table and applied batch by batch.

_ColumnSpec = tuple[str, str, bool]

def landing_columns(lake: str, table: str) -> list[_ColumnSpec]:
    """The current landing columns of ``table`` (name, Athena type, declared) from its schema history."""

def landing_arrow_schema(columns: list[_ColumnSpec], *, quarantine: bool = False) -> ArrowTable:
    """An empty table with the Arrow schema of rows decoded with ``columns`` (then the
    quarantine's columns when ``quarantine``)."""

REJECTED_COLUMNS: list[str]

def parquet_rows(location: Location) -> int:
    """The number of rows of the committed Parquet files of a folder, from their footers."""

def list_data_files(folder: str) -> list[tuple[str, int]]:
    """The data files of ``folder`` (local or S3) as (location, size)."""

def decode_landing_file(
    content: bytes, source: str, columns: Sequence[_ColumnSpec], *, max_record_bytes: Optional[int] = None
) -> tuple[ArrowTable, ArrowTable, list[str]]:
    """Decode one landing file's bytes as stored: (accepted rows, quarantined records, keys no column
    holds); decompressed first when ``source`` names a compressed file (``.gz``, ``.bz2``, ``.zst``, …)."""

def read_landing_file(
    location: str, columns: Sequence[_ColumnSpec], *, max_record_bytes: Optional[int] = None
) -> tuple[ArrowTable, ArrowTable, list[str], tuple[int, int, bool]]:
    """Read the landing file at ``location`` and decode it as :func:`decode_landing_file` does; the
    last item is its sizes: (text bytes decoded, bytes as stored, whether it was compressed)."""

def commit_staged_folder(staging: str, target: str) -> None:
    """Make the folder ``staging`` (beside ``target``) the content of ``target`` in one atomic step."""

def commit_staged_table(
    staging: str, target: str, *, format: Optional[str] = None, table: Optional[str] = None
) -> None:
    """Make the Parquet files of the folder ``staging`` (beside ``target``) the new content of the
    table at ``target`` in one atomic step: in ``format`` (``None``: the table's own, Parquet for a
    new one), an Iceberg or Delta table as one snapshot, registered under the catalog name of the
    lake table ``table`` (``"customer/trusted"``; default: from its folder)."""

def write_parquet_file(location: str, table: ArrowStreamExportable) -> int:
    """Write ``table`` as the one Parquet file ``location`` (zstd), atomically; returns its rows."""

@final
class BroadcastSemiJoin:
    """A semi-join's key set, built once from a broadcast table."""

    def __new__(
        cls, build: ArrowStreamExportable, keys: Sequence[str], probe_keys: Optional[Sequence[str]] = None
    ) -> BroadcastSemiJoin: ...
    def filter(self, batch: ArrowStreamExportable) -> tuple[ArrowTable, int, int]:
        """The rows whose key is in the set, and the numbers left out with a null key and without a partner."""

@final
class BroadcastInnerJoin:
    """An inner join's hash table, built once from a broadcast table."""

    def __new__(
        cls, build: ArrowStreamExportable, keys: Sequence[str], probe_keys: Sequence[str]
    ) -> BroadcastInnerJoin: ...
    def probe(self, batch: ArrowStreamExportable) -> tuple[ArrowTable, int, int]:
        """Every pair of a batch row and a build row with equal keys; rows matched; rows with a null key."""
    def build_hits(self) -> bytes:
        """Which build rows found a partner so far (little-endian bitmap, bit i for row i)."""

@final
class BroadcastConsentDates:
    """Customers' consent times, built once from a broadcast customer table (strict mode)."""

    def __new__(
        cls, customers: ArrowStreamExportable, email: str = "email", consent: Optional[str] = None
    ) -> BroadcastConsentDates: ...
    def filter(
        self, batch: ArrowStreamExportable, user: str = "user", time: str = "timestamp"
    ) -> tuple[ArrowTable, tuple[int, int, int]]:
        """Readings at or after their user's consent time; counts left out (null, no customer, before consent)."""

# Users' scripts (`glueless submit`): a Spark SQL session and the lazy frames of its DataFrames and
# DynamicFrames. The awsglue / pyspark surfaces in glueless.compat are built on these.

class ReadSummary(TypedDict):
    files: int
    bytes: int
    records: int
    rows: int
    quarantined: int
    rejected: ArrowTable

class WrittenFiles(TypedDict):
    files: int
    rows: int
    bytes: int
    partitions: list[str]

_FileInfo = tuple[str, int, int]

@final
class SqlSession:
    """A Spark SQL session (DataFusion with Spark's identifier rules): temporary views and ``sql()``."""

    def __new__(cls) -> SqlSession: ...
    def frame(self, table: ArrowStreamExportable) -> Frame:
        """A frame over an Arrow table."""
    def frame_of_rows(self, rows: Sequence[Sequence[Any]], fields: Sequence[tuple[str, str, bool]]) -> Frame:
        """A frame of Python rows (``createDataFrame``), each converted to the Spark type of its field."""
    def register_python_udf(
        self, name: str, function: Callable[..., Any], row: Callable[[list[str], list[Any]], Any], return_type: str
    ) -> None:
        """Register a Python function as the SQL function ``name`` returning ``return_type``."""
    def sql_over(self, query: str, frames: Sequence[tuple[str, Frame]]) -> Frame:
        """``query`` with each frame readable under its name while it plans."""
    def empty(self) -> Frame:
        """A frame with no columns and no rows."""
    def read_json_lines(self, text: str) -> Frame:
        """A frame of JSON lines built in memory, structs and arrays inferred from every record."""
    def register_view(self, name: str, frame: Frame) -> None:
        """``createOrReplaceTempView(name)``."""
    def drop_view(self, name: str) -> bool:
        """Drop a temporary view; True when there was one."""
    def view_names(self) -> list[str]:
        """The temporary views' names (lower case)."""
    def table_names(self) -> list[str]:
        """The tables ``CREATE TABLE`` made in this session (lower case, sorted)."""
    def set_conf(self, key: str, value: str) -> None:
        """``spark.conf.set`` / ``SET key=value`` (the session time zone takes effect)."""
    def conf(self, key: str) -> Optional[str]:
        """A setting's value, if set."""
    def sql(self, query: str) -> Frame:
        """``spark.sql(query)``: a lazy frame whose columns are named as Spark names them."""
    def register_current_database_table(self, table: str, location: str) -> bool:
        """After ``USE database``: the catalog table also readable by its bare name, unless a
        temporary view has it; true when registered."""
    def forget_current_database_table(self, name: str) -> None:
        """A bare name registered for the previous current database, forgotten."""
    def register_catalog_table(self, table: str, location: str) -> None:
        """Make a catalog table (its Glue ``GetTable`` record as JSON) readable as
        ``database.table`` in ``sql()``; its files are at ``location``."""
    @staticmethod
    def list_files(paths: Sequence[str], recurse: bool = False) -> list[_FileInfo]:
        """The data files at ``paths`` as (location, size, modified epoch ms); an empty or missing
        folder has none."""
    @staticmethod
    def table_files(location: str) -> list[_FileInfo]:
        """The data files of the current snapshot of the table at ``location``: a Parquet
        folder's committed files, an Iceberg or Delta table's snapshot."""
    @staticmethod
    def purge(location: str) -> int:
        """Delete every object under ``location``; returns how many there were."""
    def read_files(
        self,
        files: Sequence[_FileInfo],
        format: str,
        *,
        header: bool = False,
        separator: str = ",",
        quote: Optional[str] = ...,
        escape: Optional[str] = None,
    ) -> tuple[Frame, ReadSummary]:
        """Read files (json through the landing decoder, csv, parquet) into a frame."""

@final
class Frame:
    """A lazy frame: each method adds a plan node; ``collect``, ``count`` and ``write`` run it."""

    @property
    def columns(self) -> list[str]: ...
    def fields(self) -> list[tuple[str, str, str, bool]]:
        """Each column as (name, Spark type, Glue type, nullable)."""
    def resolve(self, name: str) -> str:
        """The column named ``name`` (exactly, else ignoring case)."""
    def in_shuffle_order(self, keys: int) -> Frame:
        """The rows in Spark's shuffle order of their first ``keys`` columns."""
    def metadata(self) -> list[str]:
        """Each column's Spark metadata as JSON text (``{}`` for none)."""
    def with_metadata(self, name: str, metadata: str) -> Frame:
        """The column ``name`` with the Spark metadata ``metadata`` (JSON text)."""
    def select(self, exprs: Sequence[str]) -> Frame: ...
    def filter(self, condition: str) -> Frame: ...
    def with_column(self, name: str, expr: str) -> Frame: ...
    def rename(self, old: str, new: str) -> Frame: ...
    def drop(self, names: Sequence[str]) -> Frame: ...
    def distinct(self) -> Frame: ...
    def drop_duplicates(self, subset: Sequence[str]) -> Frame: ...
    def join_using(self, other: Frame, keys: Sequence[str], how: str) -> Frame: ...
    def join_on(
        self,
        other: Frame,
        condition: Optional[str],
        how: str,
        left_view: str,
        right_view: str,
        select: Optional[Sequence[str]] = None,
    ) -> Frame: ...
    def aggregate(self, keys: Sequence[str], aggregates: Sequence[str]) -> Frame: ...
    def order_by(self, exprs: Sequence[str]) -> Frame: ...
    def limit(self, n: int) -> Frame: ...
    def union(self, other: Frame, by_name: bool = False) -> Frame: ...
    def glue_join(self, other: Frame, keys1: Sequence[str], keys2: Sequence[str]) -> Frame:
        """``Join.apply``: both frames' fields; a colliding right field gets a leading ``.``."""
    def drop_fields(self, paths: Sequence[str]) -> Frame: ...
    def select_fields(self, paths: Sequence[str]) -> Frame: ...
    def rename_field(self, old: str, new: str) -> Frame: ...
    def apply_mapping(self, mappings: Sequence[tuple[str, str, str, str]], case_sensitive: bool = False) -> Frame: ...
    def drop_null_fields(self) -> Frame: ...
    def cast_column(self, name: str, type_name: str) -> Frame: ...
    def case_near_misses(self, paths: Sequence[str]) -> list[tuple[str, str]]:
        """Paths naming no field but one in another case: (the path's field name, the field)."""
    def select_positions(self, positions: Sequence[int]) -> Frame:
        """The columns at ``positions``, in that order."""
    def first_of_each_name(self) -> Frame: ...
    def explain(self, mode: str) -> str:
        """What ``DataFrame.explain(mode)`` prints: Spark's headings over DataFusion's plans."""
    def materialize(self) -> Frame: ...
    def take_mask(self, mask: Sequence[bool]) -> Frame: ...
    def collect(self) -> ArrowTable: ...
    def json_records(self, limit: Optional[int] = None) -> str:
        """Every row as one JSON object per line, without its null fields."""
    def count(self) -> int: ...
    def rows(self, row: Callable[[list[str], list[Any]], Any], limit: Optional[int] = None) -> list[Any]:
        """The rows as PySpark's ``collect()`` gives them, each (and each struct) made by ``row(names, values)``."""
    def show_table(self, n: int = 20, truncate: int = 20, vertical: bool = False) -> str: ...
    def hive_result(self, zone: str) -> tuple[str, list[str]]:
        """Spark's HiveResult text: the schema's catalog string and one tab-separated line per row."""
    def show_records(self, n: int = 20) -> str: ...
    def schema_tree(self, glue: bool = False) -> str: ...
    def write(
        self,
        location: str,
        format: str,
        compression: Optional[str] = None,
        partition_keys: Sequence[str] = ...,
        header: bool = True,
    ) -> WrittenFiles:
        """Write the frame as new files under ``location`` (Glue's append). ``compression``: for
        JSON and CSV any of Spark's text codecs (gzip, bzip2, deflate, snappy, lz4, zstd), as
        Hadoop writes them; ``header``: whether CSV files begin with a header line."""
    def write_table(self, location: str, format: str, mode: str, name: Optional[str] = None) -> WrittenTable:
        """Write the frame as one snapshot of the Iceberg or Delta table at ``location``:
        ``mode="append"`` adds to it (creating it when there is none), ``"overwrite"`` replaces its
        rows. ``name``: its catalog name (``db.table``), by default the folder's parent and name."""

def duration_micros(text: str) -> int:
    """A duration as Spark writes it (``"5 seconds"``) in microseconds."""

def parse_catalog_ddl(sql: str, database: str = "default") -> str:
    """Athena / Hive DDL as JSON catalog actions (tables in Glue's GetTable shape)."""

def sql_statements(sql: str) -> list[str]:
    """The statements of a SQL file, split on ``;`` outside quotes and comments."""

@final
class AthenaResult:
    """A query's result as Athena shows it."""

    @property
    def columns(self) -> list[str]:
        """Column names (``_col0`` … for unnamed expressions)."""
    @property
    def types(self) -> list[str]:
        """Athena's type names (``varchar``, ``bigint``, ``timestamp(3)``)."""
    @property
    def kinds(self) -> list[str]:
        """What each column's values are for output formats: integer, float, decimal, boolean or text."""
    @property
    def rows(self) -> list[list[Optional[str]]]:
        """Each row's values as Trino's text; ``None`` for NULL."""

@final
class AthenaSession:
    """Athena's SQL (Trino's dialect and semantics) over catalog tables registered by their
    Glue ``GetTable`` records; tables are read when a query first names them."""

    def __new__(cls, database: str = "default") -> AthenaSession: ...
    def register_table(self, table: str, location: str) -> None:
        """Register a table (its record as JSON) whose files are at ``location``."""
    def use_database(self, database: str) -> None:
        """``USE database``."""
    def query(self, sql: str) -> AthenaResult:
        """Run one query and return its rows."""
    def create_table_as(
        self,
        name: str,
        query: str,
        location: str,
        format: str = "parquet",
        compression: Optional[str] = None,
        partition_keys: list[str] = ...,
    ) -> AthenaWrite:
        """CTAS: the query's rows written under ``location`` (which must hold no files)."""
    def insert_into(self, query: str, table: str, location: str) -> AthenaWrite:
        """``INSERT INTO``: the query's rows appended to the table (its record as JSON)."""

@final
class AthenaWrite:
    """What a CTAS or ``INSERT INTO`` wrote."""

    @property
    def rows(self) -> int: ...
    @property
    def files(self) -> int: ...
    @property
    def columns(self) -> list[tuple[str, str]]:
        """Name and Hive type of each column written (partition keys last)."""
