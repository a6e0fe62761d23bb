"""The whole STEDI pipeline: the five jobs in order, with zone counts like the original project's
Athena checks."""

from __future__ import annotations

import time
from typing import Any, Callable, Optional

from glueless import _glueless

#: The STEDI jobs in the order they must run; each reads what the previous ones wrote.
STEDI_JOBS = tuple(_glueless.STEDI_JOBS)

#: Zone rows in the order of the data's journey, and which job's summary gives each count.
ZONES = (
    ("customer/landing", "customer_landing_to_trusted", "read"),
    ("customer/trusted", "customer_landing_to_trusted", "written"),
    ("accelerometer/landing", "accelerometer_landing_to_trusted", "read"),
    ("accelerometer/trusted", "accelerometer_landing_to_trusted", "written"),
    ("customer/curated", "customer_trusted_to_curated", "written"),
    ("step_trainer/landing", "step_trainer_trusted", "read"),
    ("step_trainer/trusted", "step_trainer_trusted", "written"),
    ("step_trainer/curated", "machine_learning_curated", "written"),
)


def _zone_rows(summary: dict[str, Any], zone: str, field: str) -> int:
    """A zone's row count: the landing records read, or the rows of the table after the run."""
    if field == "written":
        return int(next(o["table_rows"] for o in summary["outputs"] if o["role"] == "output"))
    return int(summary[field])


def run_job_on(
    engine: str,
    job: str,
    lake: str,
    *,
    strict: bool = False,
    max_record_bytes: Optional[int] = None,
    incremental: bool = False,
    format: Optional[str] = None,
) -> dict[str, Any]:
    """Run one STEDI job on ``engine`` (``"local"`` or ``"spark"``) and return its run summary."""
    if engine == "spark":
        from glueless.spark import run_job as run_on_spark

        return run_on_spark(
            job, lake, strict=strict, max_record_bytes=max_record_bytes, incremental=incremental, format=format
        )
    return dict(
        _glueless.run_job(
            job, lake, strict=strict, max_record_bytes=max_record_bytes, incremental=incremental, format=format
        )
    )


def run_stedi(
    lake: str,
    *,
    strict: bool = False,
    max_record_bytes: Optional[int] = None,
    incremental: bool = False,
    format: Optional[str] = None,
    engine: str = "local",
    on_job_start: Optional[Callable[[str], None]] = None,
    on_job_done: Optional[Callable[[dict[str, Any]], None]] = None,
) -> dict[str, Any]:
    """Run the five STEDI jobs on ``lake`` in order and return the run summary.

    The summary holds each job's own summary (``jobs``), the row count of every zone (``zones``),
    the total time and whether every job's counts add up (``balanced``). Landing records longer
    than ``max_record_bytes`` (default 32 MiB) are quarantined unparsed. ``incremental``: the
    landing → trusted jobs take only new landing files and append (job bookmarks); the curated jobs
    rebuild from the trusted tables. Zone counts are then the rows of each table after the run.
    ``format`` (``"parquet"``, ``"iceberg"``, ``"delta"``) is the table format of the zones
    written; ``None`` keeps each table's own (Parquet for new ones).
    ``engine="spark"`` runs each job on the active Spark session (see :mod:`glueless.spark`).
    """
    if engine not in ("local", "spark"):
        raise ValueError(f"unknown engine {engine!r}; use 'local' or 'spark'")
    started = time.perf_counter()
    jobs = []
    for job in STEDI_JOBS:
        if on_job_start:
            on_job_start(job)
        summary = run_job_on(
            engine, job, lake, strict=strict, max_record_bytes=max_record_bytes, incremental=incremental, format=format
        )
        jobs.append(summary)
        if on_job_done:
            on_job_done(summary)
    by_job = {j["job"]: j for j in jobs}
    zones = {zone: _zone_rows(by_job[job], zone, field) for zone, job, field in ZONES}
    quarantined = {j["job"]: j["quarantined"] for j in jobs if j["quarantined"]}
    return {
        "lake": lake,
        "strict": strict,
        "incremental": incremental,
        "format": format,
        "engine": engine,
        "jobs": jobs,
        "zones": zones,
        "quarantined": quarantined,
        "seconds": time.perf_counter() - started,
        "balanced": all(j["balanced"] for j in jobs),
    }
