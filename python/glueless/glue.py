"""Run or unit-test Glue and PySpark code on glueless inside a Python process.

    from glueless.glue import activate

    with activate(maps=["s3://stedi-jivd=./lake"], catalog="./catalog"):
        import my_glue_job          # its `import awsglue…` / `import pyspark…` resolve to glueless
        my_glue_job.main()

Outside the block the real ``awsglue`` / ``pyspark`` (if installed) are importable again.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Optional

from glueless.compat import _run
from glueless.submit import surfaces

__all__ = ["activate"]


@contextmanager
def activate(
    maps: Sequence[str] = (), catalog: Optional[str] = None, bookmarks: Optional[str] = None, quiet: bool = True
) -> Iterator[_run.Run]:
    """Resolve awsglue / awsgluedq / pyspark to glueless for the block; yields the run (its
    ``events`` list every source and sink)."""
    run = _run.start(_run.Run([_run.LocationMap.parse(m) for m in maps], catalog, None, quiet, bookmarks))
    try:
        with surfaces():
            yield run
    finally:
        _run.finish()
