"""``awsglue.job.Job``: init and commit; commit saves the run's job bookmarks."""

from __future__ import annotations

from typing import Any, Optional

from glueless.compat import _run
from glueless.compat._unsupported import Surface, module_getattr

__getattr__ = module_getattr("awsglue.job")


class Job(Surface):
    """A Glue job run."""

    _api_name = "Job"

    def __init__(self, glue_context: Any) -> None:
        self._context = glue_context
        self._name: Optional[str] = None

    @classmethod
    def continuation_options(cls) -> list[str]:
        return ["--continuation-option", "continuation-enabled", "continuation-readonly", "continuation-ignore"]

    @classmethod
    def job_bookmark_options(cls) -> list[str]:
        return ["--job-bookmark-option", "job-bookmark-enable", "job-bookmark-pause", "job-bookmark-disable"]

    def init(self, job_name: str, args: Optional[dict[str, Any]] = None) -> None:
        run = _run.current()
        self._name = job_name
        run.job_name = job_name
        run.arguments = dict(args or {})
        run.bookmarks_begin(job_name, (args or {}).get("job_bookmark_option") or "job-bookmark-disable")

    def isInitialized(self) -> bool:
        return self._name is not None

    def commit(self) -> None:
        _run.current().bookmarks_commit()
