"""PySpark's own docstring examples as the yardstick of glueless's DataFrame API.

The examples of `pyspark.sql.functions`, `DataFrame` and `Column` are read from an installed
PySpark's source files (never imported from it, never copied into this project) and run as
PySpark's own `_test()` runs them: one doctest per docstring, the module's names and `spark` as
globals, doctest's comparison with `ELLIPSIS | NORMALIZE_WHITESPACE`, in America/Los_Angeles.
A docstring passes when every example in it gives PySpark's printed answer.

Only docstrings that pass on PySpark itself and compare an output count: `--engine pyspark`
runs them on the real PySpark (Java) and writes that list (`tests/pyspark_doctests_reference_<v>.txt`).

    python scripts/pyspark_doctests.py                       # share of the reference that passes
    python scripts/pyspark_doctests.py --engine pyspark --update-reference
    python scripts/pyspark_doctests.py --check               # fail if a known pass fails
    python scripts/pyspark_doctests.py --show fail --only functions.abs
    python scripts/pyspark_doctests.py --engine connect --remote sc://localhost:50051   # e.g. Sail

PySpark's source is the one `import pyspark` finds, or `--pyspark DIR` (a `pyspark` package
folder, e.g. of a 3.5 virtual environment).
"""

from __future__ import annotations

import argparse
import ast
import doctest
import importlib.util
import io
import json
import os
import re
import signal
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import redirect_stderr
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

ROOT = Path(__file__).resolve().parent.parent
TESTS = ROOT / "tests"
# The zone PySpark's test runner uses; examples show instants there.
SUITE_ZONE = "America/Los_Angeles"
DOCTEST_TIMEOUT_S = 60
FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE

# area -> (module file in PySpark 4.x, in 3.5, module whose names are the globals, classes read)
AREAS: dict[str, tuple[str, str, str, tuple[str, ...]]] = {
    "functions": ("sql/functions/builtin.py", "sql/functions.py", "pyspark.sql.functions", ()),
    "DataFrame": ("sql/dataframe.py", "sql/dataframe.py", "pyspark.sql.dataframe", ("DataFrame",)),
    "Column": ("sql/column.py", "sql/column.py", "pyspark.sql.column", ("Column",)),
}


@dataclass
class Example:
    """One docstring's doctest: ``area.name`` (``functions.abs``, ``DataFrame.select``)."""

    name: str
    area: str
    test: doctest.DocTest


def pyspark_dir(given: Optional[str]) -> Path:
    if given:
        return Path(given)
    spec = importlib.util.find_spec("pyspark")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("PySpark is not installed here: pip install pyspark, or pass --pyspark DIR")
    return Path(next(iter(spec.submodule_search_locations)))


def pyspark_version(root: Path) -> str:
    text = (root / "version.py").read_text(encoding="utf-8")
    found = re.search(r"__version__[^=]*=\s*['\"]([^'\"]+)", text)
    return found.group(1) if found else "unknown"


def _docstrings(tree: ast.Module, classes: tuple[str, ...]) -> Iterator[tuple[str, str, int]]:
    """(name, docstring, line) of the module's functions, or of the named classes' methods."""
    if not classes:
        for node in tree.body:
            if isinstance(node, ast.FunctionDef) and not node.name.startswith("_"):
                doc = ast.get_docstring(node, clean=False)
                if doc:
                    yield node.name, doc, node.lineno
        return
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and node.name in classes:
            seen: set[str] = set()
            for item in node.body:
                if isinstance(item, ast.FunctionDef) and not item.name.startswith("_") and item.name not in seen:
                    doc = ast.get_docstring(item, clean=False)
                    if doc:
                        seen.add(item.name)
                        yield f"{node.name}.{item.name}", doc, item.lineno


def collect(root: Path) -> list[Example]:
    """Every docstring of the areas with at least one example that compares an output."""
    major = int(pyspark_version(root).split(".")[0])
    parser = doctest.DocTestParser()
    found: list[Example] = []
    for area, (path4, path3, _module, classes) in AREAS.items():
        source = root / (path4 if major >= 4 else path3)
        tree = ast.parse(source.read_text(encoding="utf-8"))
        for name, doc, line in _docstrings(tree, classes):
            full = name if classes else f"functions.{name}"
            test = parser.get_doctest(doc, {}, full, str(source), line)
            if any(e.want.strip() for e in test.examples):
                found.append(Example(full, area, test))
    return found


class _Timeout(Exception):
    pass


def _alarm(signum: int, frame: Any) -> None:
    raise _Timeout(f"over {DOCTEST_TIMEOUT_S} s")


def run_examples(examples: list[Example], spark: Any, modules: dict[str, Any]) -> dict[str, str]:
    """name -> "pass" or the first failure's text."""
    results: dict[str, str] = {}
    signal.signal(signal.SIGALRM, _alarm)
    for ex in examples:
        out = io.StringIO()
        runner = doctest.DocTestRunner(optionflags=FLAGS, verbose=False)
        test = ex.test
        test.globs = {**vars(modules[ex.area]), "spark": spark, "sc": _spark_context(spark)}
        signal.alarm(DOCTEST_TIMEOUT_S)
        try:
            with redirect_stderr(io.StringIO()):
                runner.run(test, out=out.write, clear_globs=True)
            failed = runner.failures
        except _Timeout as e:
            out.write(f"timeout: {e}\n")
            failed = 1
        finally:
            signal.alarm(0)
        results[ex.name] = "pass" if failed == 0 else out.getvalue()
    return results


def _glueless_session(ansi: bool) -> tuple[Any, dict[str, Any], Any]:
    from glueless.glue import activate

    context = activate()
    context.__enter__()
    import pyspark.sql.column
    import pyspark.sql.dataframe
    import pyspark.sql.functions
    from pyspark.sql import SparkSession

    # PySpark's module holds every function: make glueless's (made when first used) for the globals.
    for name in pyspark.sql.functions.__all__:
        getattr(pyspark.sql.functions, name)
    spark = SparkSession.builder.getOrCreate()
    if ansi:
        # PySpark 4's default; glueless runs Spark SQL with ANSI off (Glue 4/5's), so the examples
        # that show an ANSI error are among the failures.
        try:
            spark.conf.set("spark.sql.ansi.enabled", "true")
        except Exception:  # noqa: BLE001 - the one setting glueless refuses
            pass
    spark.conf.set("spark.sql.session.timeZone", SUITE_ZONE)
    modules = {
        "functions": pyspark.sql.functions,
        "DataFrame": pyspark.sql.dataframe,
        "Column": pyspark.sql.column,
    }
    return spark, modules, context


def _spark_context(spark: Any) -> Any:
    """The session's SparkContext; None for a Spark Connect session (which has none)."""
    try:
        return spark.sparkContext
    except Exception:  # noqa: BLE001 - Spark Connect raises its NOT_IMPLEMENTED error
        return None


def _pyspark_session(remote: Optional[str] = None) -> tuple[Any, dict[str, Any]]:
    import importlib

    from pyspark.sql import SparkSession

    if remote:
        # A Spark Connect server (Sail, or Spark's own): the same examples through its client.
        spark = SparkSession.builder.remote(remote).getOrCreate()
        spark.conf.set("spark.sql.session.timeZone", SUITE_ZONE)
    else:
        spark = (
            SparkSession.builder.master("local[2]")
            .appName("doctests")
            .config("spark.ui.enabled", "false")
            .config("spark.sql.session.timeZone", SUITE_ZONE)
            .getOrCreate()
        )
        spark.sparkContext.setLogLevel("OFF")
    modules = {area: importlib.import_module(spec[2]) for area, spec in AREAS.items()}
    # PySpark 4 keeps the functions (and their doctests' globals) in `functions.builtin`.
    try:
        modules["functions"] = importlib.import_module("pyspark.sql.functions.builtin")
    except ImportError:
        pass  # PySpark 3.5: the functions module itself
    return spark, modules


def read_list(path: Path) -> set[str]:
    if not path.exists():
        return set()
    return {
        line.strip()
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    }


def write_list(path: Path, names: set[str], header: str) -> None:
    path.write_text(f"# {header}\n" + "".join(f"{n}\n" for n in sorted(names)), encoding="utf-8")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pyspark", help="the pyspark package folder whose examples are read")
    ap.add_argument("--engine", choices=("glueless", "pyspark", "connect"), default="glueless")
    ap.add_argument("--remote", help="(--engine connect) the Spark Connect server, sc://host:port")
    ap.add_argument("--only", action="append", default=[], help="docstring name or prefix (repeatable)")
    ap.add_argument("--show", choices=("fail", "pass"), help="print each failing (or passing) docstring")
    ap.add_argument("--check", action="store_true", help="exit 1 when a known pass fails")
    ap.add_argument("--update", action="store_true", help="rewrite the known passes")
    ap.add_argument("--update-reference", action="store_true", help="(--engine pyspark) rewrite the reference")
    ap.add_argument("--json", help="write every result to this file")
    args = ap.parse_args()

    os.environ["TZ"] = SUITE_ZONE
    time.tzset()
    root = pyspark_dir(args.pyspark)
    version = pyspark_version(root)
    major_minor = ".".join(version.split(".")[:2])
    reference_file = TESTS / f"pyspark_doctests_reference_{major_minor}.txt"
    known_file = TESTS / f"pyspark_doctests_passing_{major_minor}.txt"
    examples = collect(root)
    reference = read_list(reference_file)
    if args.engine in ("glueless", "connect") and reference:
        examples = [e for e in examples if e.name in reference]
    if args.only:
        examples = [
            e
            for e in examples
            if any(e.name == o or e.name.startswith(o + ".") or e.name.startswith(o) for o in args.only)
        ]

    started = time.perf_counter()
    # Examples write tables (`spark-warehouse/`) and files where they run.
    os.chdir(tempfile.mkdtemp(prefix="pyspark-doctests-"))
    if args.engine in ("pyspark", "connect"):
        spark, modules = _pyspark_session(args.remote if args.engine == "connect" else None)
        results = run_examples(examples, spark, modules)
    else:
        spark, modules, context = _glueless_session(ansi=int(version.split(".")[0]) >= 4)
        try:
            results = run_examples(examples, spark, modules)
            if args.update:
                # Only passes that hold run after run become known: a grouping's row order, for
                # one, is not fixed. Each run in a new session, as `--check` runs (a docstring
                # that creates a view fails where the view is left from the run before).
                for _ in range(2):
                    context.__exit__(None, None, None)
                    spark, modules, context = _glueless_session(ansi=int(version.split(".")[0]) >= 4)
                    again = run_examples(examples, spark, modules)
                    results = {n: r if again[n] == "pass" else again[n] for n, r in results.items()}
        finally:
            context.__exit__(None, None, None)
    elapsed = time.perf_counter() - started

    passed = {n for n, r in results.items() if r == "pass"}
    for ex in examples:
        if args.show == "fail" and ex.name not in passed:
            print(f"--- {ex.name}\n{results[ex.name]}")
        elif args.show == "pass" and ex.name in passed:
            print(ex.name)

    by_area: Counter[str] = Counter(e.area for e in examples)
    passed_by_area: Counter[str] = Counter(e.area for e in examples if e.name in passed)
    for area in AREAS:
        if by_area[area]:
            share = 100 * passed_by_area[area] / by_area[area]
            print(f"{area:10} {passed_by_area[area]:4}/{by_area[area]:4}  {share:5.1f} %")
    total = len(examples)
    print(
        f"{'total':10} {len(passed):4}/{total:4}  {100 * len(passed) / max(total, 1):5.1f} %  "
        f"(PySpark {version} docstrings, {args.engine}, {elapsed:.0f} s)"
    )

    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1, sort_keys=True), encoding="utf-8")
    if args.engine == "connect":
        return 0
    if args.engine == "pyspark":
        if args.update_reference:
            write_list(reference_file, passed, f"docstrings of PySpark {version} that pass on PySpark {version} itself")
        return 0
    if args.update:
        write_list(known_file, passed, f"docstrings of PySpark {version} that pass on glueless")
    if args.check:
        lost = sorted(n for n in read_list(known_file) - passed if n in results)
        if lost and args.engine == "glueless":
            # A result whose row order is not fixed (no orderBy) may come out otherwise: such a
            # known pass fails only if it fails twice more.
            retry = [e for e in examples if e.name in lost]
            spark, modules, context = _glueless_session(ansi=int(version.split(".")[0]) >= 4)
            try:
                for _ in range(2):
                    again = run_examples(retry, spark, modules)
                    retry = [e for e in retry if again[e.name] != "pass"]
            finally:
                context.__exit__(None, None, None)
            lost = [e.name for e in retry]
        if lost:
            print(f"{len(lost)} known passes fail now: " + ", ".join(lost))
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
