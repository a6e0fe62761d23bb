"""``glueless submit``: run a user's Glue or PySpark script unchanged on glueless.

    glueless submit [--map S3PREFIX=LOCATION]… [--catalog LOCATION] [--summary-json FILE]
                    SCRIPT.py [SCRIPT ARGS…]

Options before the script are glueless's; everything after it is the script's ``sys.argv[1:]``
(spark-submit's convention). Inside the run, ``awsglue``, ``awsgluedq`` and ``pyspark`` resolve to
glueless (an import hook active only for the run: on a Glue cluster the real modules win).
"""

from __future__ import annotations

import builtins
import importlib
import importlib.abc
import importlib.util
import json
import os
import sys
import traceback
import types
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Optional

import glueless
from glueless.aws import use_profile
from glueless.compat import _run
from glueless.compat._unsupported import NotSupportedByGlueless
from glueless.exceptions import GluelessError
from glueless.formats import use_catalog

#: Top-level modules resolved to ``glueless.compat.<name>`` during a run.
SURFACES = ("awsglue", "awsgluedq", "pyspark")
_PACKAGE_DIR = os.path.dirname(os.path.abspath(glueless.__file__))


class _AliasLoader(importlib.abc.Loader):
    def __init__(self, module: types.ModuleType) -> None:
        self.module = module

    def create_module(self, spec: Any) -> types.ModuleType:
        return self.module

    def exec_module(self, module: types.ModuleType) -> None:
        pass


class _SurfaceFinder(importlib.abc.MetaPathFinder):
    """Resolves ``awsglue.x`` to the module ``glueless.compat.awsglue.x`` (the same object)."""

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> Any:
        if fullname.split(".", 1)[0] not in SURFACES:
            return None
        compat_name = f"glueless.compat.{fullname}"
        try:
            module = importlib.import_module(compat_name)
        except ModuleNotFoundError as e:
            if e.name and (e.name == compat_name or compat_name.startswith(e.name + ".")):
                raise NotSupportedByGlueless(f"import {fullname}") from None
            raise
        return importlib.util.spec_from_loader(fullname, _AliasLoader(module), is_package=hasattr(module, "__path__"))


@contextmanager
def surfaces() -> Iterator[None]:
    """Resolve awsglue / awsgluedq / pyspark to glueless while the block runs; modules of the real
    packages already imported (a test process with PySpark) are set aside and restored after."""
    saved = {name: mod for name, mod in sys.modules.items() if name.split(".", 1)[0] in SURFACES}
    for name in saved:
        del sys.modules[name]
    finder = _SurfaceFinder()
    sys.meta_path.insert(0, finder)
    try:
        yield
    finally:
        sys.meta_path.remove(finder)
        for name in [n for n in sys.modules if n.split(".", 1)[0] in SURFACES]:
            del sys.modules[name]
        sys.modules.update(saved)


@dataclass
class SubmitOptions:
    script: str
    script_args: list[str] = field(default_factory=list)
    maps: list[str] = field(default_factory=list)
    catalog: Optional[str] = None
    bookmarks: Optional[str] = None
    summary_json: Optional[str] = None
    quiet: bool = False
    profile: Optional[str] = None


USAGE = (
    "usage: glueless submit [--map S3PREFIX=LOCATION]... [--catalog LOCATION] [--bookmarks DIR] "
    "[--summary-json FILE] [--profile NAME] [--quiet] SCRIPT.py [SCRIPT ARGS...]"
)


def parse_args(argv: Sequence[str]) -> SubmitOptions:
    """spark-submit's convention: glueless's options, the script, then the script's arguments."""
    maps: list[str] = []
    values: dict[str, Any] = {}
    i = 0
    argv = list(argv)
    while i < len(argv):
        arg = argv[i]
        if arg in ("-h", "--help"):
            print(USAGE)
            print(__doc__)
            raise SystemExit(0)
        if not arg.startswith("--"):
            return SubmitOptions(
                arg,
                argv[i + 1 :],
                maps,
                values.get("catalog"),
                values.get("bookmarks"),
                values.get("summary_json"),
                bool(values.get("quiet")),
                values.get("profile"),
            )
        name, eq, inline = arg[2:].partition("=")
        if name == "quiet":
            values["quiet"] = True
            i += 1
            continue
        if name not in ("map", "catalog", "bookmarks", "summary-json", "profile"):
            raise SystemExit(f"glueless submit: unknown option {arg} (options go before the script)\n{USAGE}")
        if eq:
            value = inline
            i += 1
        else:
            if i + 1 >= len(argv):
                raise SystemExit(f"glueless submit: {arg} needs a value\n{USAGE}")
            value = argv[i + 1]
            i += 2
        if name == "map":
            maps.append(value)
        else:
            values[name.replace("-", "_")] = value
    raise SystemExit(f"glueless submit: no script given\n{USAGE}")


def _library_dirs() -> tuple[str, ...]:
    """Folders of code that is not the user's: glueless, the standard library, installed packages."""
    import sysconfig

    paths = {_PACKAGE_DIR}
    for key in ("stdlib", "platstdlib", "purelib", "platlib"):
        path = sysconfig.get_paths().get(key)
        if path:
            paths.add(os.path.abspath(path))
    return tuple(p + os.sep for p in paths)


def _script_line(tb: Any) -> str:
    """``file:line`` of the innermost frame of the user's code (the call that failed)."""
    libraries = _library_dirs()
    where = ""
    for frame, line in traceback.walk_tb(tb):
        filename = frame.f_code.co_filename
        if filename.startswith("<") or os.path.abspath(filename).startswith(libraries):
            continue
        relative = os.path.relpath(filename)
        where = f"{filename if relative.startswith('..') else relative}:{line}"
    return where


def _user_traceback(error: BaseException) -> str:
    """The traceback without glueless's own frames (the error is in the user's code)."""
    te = traceback.TracebackException.from_exception(error)
    te.stack = traceback.StackSummary.from_list(
        [f for f in te.stack if not os.path.abspath(f.filename).startswith(_PACKAGE_DIR + os.sep)]
    )
    return "".join(te.format())


def run_script(options: SubmitOptions) -> int:
    """Run the script; the process's exit status (0, 1 for an error, 2 for an unsupported call)."""
    script = os.path.abspath(options.script)
    if not os.path.isfile(script):
        print(f"glueless submit: script not found: {options.script}", file=sys.stderr)
        return 2
    try:
        maps = [_run.LocationMap.parse(m) for m in options.maps]
    except ValueError as e:
        print(f"glueless submit: {e}", file=sys.stderr)
        return 2
    with open(script, encoding="utf-8") as f:
        source = f.read()
    use_profile(options.profile)
    # Iceberg tables the script writes are committed to the same catalog it reads.
    use_catalog(options.catalog)
    try:
        run = _run.start(_run.Run(maps, options.catalog, script, options.quiet, options.bookmarks))
    except GluelessError as e:  # the environment's settings (GLUELESS_MEMORY_LIMIT)
        print(f"glueless submit: {e}", file=sys.stderr)
        return 1
    saved_argv, saved_path = sys.argv, list(sys.path)
    sys.argv = [script, *options.script_args]
    sys.path.insert(0, os.path.dirname(script))
    namespace: dict[str, Any] = {"__name__": "__main__", "__file__": script, "__builtins__": builtins}
    status = 0
    try:
        with surfaces():
            code = compile(source, script, "exec")
            exec(code, namespace)
    except NotSupportedByGlueless as e:
        where = _script_line(e.__traceback__) or os.path.relpath(script)
        print(f"{where}: {e}", file=sys.stderr)
        status = 2
    except SystemExit as e:
        status = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
        if e.code is not None and not isinstance(e.code, int):
            print(e.code, file=sys.stderr)
    except _reported_errors() as e:
        where = _script_line(e.__traceback__) or os.path.relpath(script)
        print(f"{where}: {type(e).__name__}: {e}", file=sys.stderr)
        status = 1
    except BaseException as e:  # noqa: BLE001 - the user's own error: their traceback, non-zero exit
        print(_user_traceback(e), end="", file=sys.stderr)
        status = 1
    finally:
        sys.argv, sys.path[:] = saved_argv, saved_path
        _run.finish()
    seconds = run.seconds()
    if not options.quiet:
        state = "done" if status == 0 else "failed"
        print(f"glueless: {state} in {seconds:.2f} s", file=sys.stderr)
    if options.summary_json:
        _write_summary(options.summary_json, run, status, seconds)
    return status


def _reported_errors() -> tuple[type[BaseException], ...]:
    """Errors that are one clear line (glueless's own, and Glue's argument and threshold errors)."""
    from glueless.compat.awsglue.dynamicframe import GlueJobError
    from glueless.compat.awsglue.utils import GlueArgumentError

    return (GluelessError, GlueArgumentError, GlueJobError)


def _write_summary(path: str, run: _run.Run, status: int, seconds: float) -> None:
    summary = {
        "script": run.script,
        "job": run.job_name,
        "status": "succeeded" if status == 0 else "failed",
        "exit_code": status,
        "seconds": round(seconds, 3),
        "sources": [
            {"what": e.what, "location": e.location, "rows": e.rows, **{k: v for k, v in e.detail.items()}}
            for e in run.events
            if e.kind == "source"
        ],
        "sinks": [
            {"what": e.what, "location": e.location, "rows": e.rows, **{k: v for k, v in e.detail.items()}}
            for e in run.events
            if e.kind == "sink"
        ],
    }
    with open(path, "w", encoding="utf-8") as out:
        json.dump(summary, out, indent=2)
