"""A one-line terminal progress bar fed by the core's landing counters while a job runs (the
core releases the GIL, so a Python thread can draw)."""

from __future__ import annotations

import os
import sys
import threading
import time
from pathlib import Path
from typing import Optional, TextIO

from glueless import _glueless


def _landing_table(job: str) -> Optional[str]:
    """The landing table ``job`` reads, from its description (None: it reads trusted tables)."""
    import json

    try:
        source = json.loads(_glueless.job_plan(job))["source"]
    except ValueError:
        return None
    return source.get("table") if source["kind"] == "landing" else None


def _landing_bytes(lake: str, job: str) -> int:
    table = _landing_table(job)
    folder = Path(lake) / table / "landing" if table else None
    if folder is None or not folder.is_dir():
        return 0
    return sum(f.stat().st_size for f in folder.iterdir() if f.is_file())


class ProgressBar:
    """Draws ``job [#####.....] 12.3 / 40.0 MB  110,000 records`` after the first half second."""

    def __init__(self, lake: str, stream: TextIO = sys.stderr, delay: float = 0.5) -> None:
        self._lake, self._stream, self._delay = lake, stream, delay
        self._thread: Optional[threading.Thread] = None
        self._stop = threading.Event()
        self._drawn = False

    @staticmethod
    def wanted(quiet: bool, stream: TextIO = sys.stderr) -> bool:
        """A bar only on a terminal, and never with --quiet."""
        return not quiet and stream.isatty() and os.environ.get("TERM") != "dumb"

    def start(self, job: str) -> None:
        self.stop()
        self._stop.clear()
        total = _landing_bytes(self._lake, job)
        base_bytes, base_records = _glueless.progress()
        started = time.monotonic()

        def draw() -> None:
            while not self._stop.wait(0.1):
                if time.monotonic() - started < self._delay:
                    continue
                done, records = (a - b for a, b in zip(_glueless.progress(), (base_bytes, base_records)))
                elapsed = time.monotonic() - started
                if not total:  # a job on trusted tables: no landing bytes to count
                    line = f"{job}: joining and writing, {elapsed:.1f} s"
                else:
                    bar = "#" * int(min(1.0, done / total) * 30)
                    phase = "filtering and writing" if done >= total else "reading"
                    line = f"{job} [{bar:<30}] {done / 1e6:,.1f} / {total / 1e6:,.1f} MB  {records:,} records, {phase}"
                self._stream.write(f"\r{line}\033[K")
                self._stream.flush()
                self._drawn = True

        self._thread = threading.Thread(target=draw, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._thread is not None:
            self._stop.set()
            self._thread.join()
            self._thread = None
        if self._drawn:
            self._stream.write("\r\033[K")
            self._stream.flush()
            self._drawn = False
