"""Spark's own SQL golden tests as the yardstick of glueless's Spark SQL.

Spark keeps its SQL tests as `sql-tests/inputs/*.sql` with Spark's answers in
`sql-tests/results/*.sql.out` (schema and rows as `HiveResult` text, ANSI off: Glue 4/5's default).
This harness runs every query of the chosen files through `spark.sql` on glueless, in one session
per file as Spark's `SQLQueryTestSuite` does, and compares the schema (names and types) and the rows.

    python scripts/spark_sql_golden.py --tests DIR           # per-file pass counts
    python scripts/spark_sql_golden.py --tests DIR --check   # fail if a known pass fails
    python scripts/spark_sql_golden.py --tests DIR --file cast --show fail

DIR is a copy of branch-3.5's `sql/core/src/test/resources/sql-tests` (Spark's repository; a
fork's branch-3.5 snapshot holds the same files); `GLUELESS_SPARK_SQL_TESTS` names it too. The
files are Spark's: they are read from there and never copied into this project. The known passes
(`tests/spark_sql_golden_passing.txt`) name each query by file, position and a hash of its text.

Scoring, as Spark's suite compares: rows in order when the query's outermost level has ORDER BY,
as sorted lists otherwise; a query whose answer is an error passes when glueless refuses it too
(the error's wording is not compared).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import subprocess
import sys
import time
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Optional

ROOT = Path(__file__).resolve().parent.parent
KNOWN_PASSING = ROOT / "tests" / "spark_sql_golden_passing.txt"

# The areas ETL code uses: grouping, joins, set operations, CTEs, subqueries, string / regexp /
# JSON / date / timestamp / math functions, casts, literals, windows, NULL handling.
FILES = [
    "group-by",
    "group-by-ordinal",
    "grouping_set",
    "group-analytics",
    "having",
    "inner-join",
    "outer-join",
    "natural-join",
    "using-join",
    "cross-join",
    "union",
    "except",
    "except-all",
    "intersect-all",
    "cte",
    "subquery/in-subquery/in-basic",
    "subquery/exists-subquery/exists-basic",
    "subquery/scalar-subquery/scalar-subquery-select",
    "string-functions",
    "regexp-functions",
    "json-functions",
    "date",
    "timestamp",
    "math",
    "cast",
    "literals",
    "window",
    "null-handling",
    "null-propagation",
    "order-by-nulls-ordering",
    "inline-table",
]

# The zone Spark's suite runs in (its answers show instants there).
SUITE_ZONE = "America/Los_Angeles"
FILE_TIMEOUT_S = 300
_ERROR_CLASS = re.compile(r"^[a-z][\w$]*(\.[\w$]+)+$")


@dataclass
class Case:
    """One query of a golden file and Spark's answer."""

    query: str
    schema: str
    output: list[str]

    @property
    def expects_error(self) -> bool:
        return self.schema == "struct<>" and bool(self.output) and bool(_ERROR_CLASS.match(self.output[0]))

    @property
    def key(self) -> str:
        return hashlib.sha1(self.query.encode()).hexdigest()[:12]


@dataclass
class Outcome:
    """What glueless made of one case."""

    index: int
    key: str
    passed: bool
    kind: str  # pass, error-expected, parse, function, plan, runtime, names, types, values, rows, no-error
    detail: str = ""
    names_aside: bool = False  # passes when column names are not compared


def parse_answers(text: str) -> list[Case]:
    """The cases of a `.sql.out` file: `-- !query`, `-- !query schema`, `-- !query output` blocks."""
    cases: list[Case] = []
    blocks = re.split(r"^-- !query\n", text, flags=re.M)[1:]
    for block in blocks:
        query, rest = block.split("\n-- !query schema\n", 1)
        schema, output = rest.split("\n-- !query output\n", 1)
        lines = output.rstrip("\n").split("\n") if output.strip("\n") else []
        cases.append(Case(query.strip(), schema.strip(), lines))
    return cases


def file_settings(text: str) -> dict[str, str]:
    """The `--SET k=v` lines at a golden input's top (its first `--CONFIG_DIM` choice is Spark's default)."""
    settings: dict[str, str] = {}
    for line in text.splitlines():
        if line.startswith("--SET "):
            for pair in line[len("--SET ") :].split(","):
                key, _, value = pair.partition("=")
                settings[key.strip()] = value.strip()
    return settings


def top_level_order_by(query: str) -> bool:
    """The query's outermost level sorts (ORDER BY outside every parenthesis)."""
    depth = 0
    text = re.sub(r"'(?:[^'\\]|\\.)*'", "''", query.lower())
    for match in re.finditer(r"[()]|\border\s+by\b", text):
        token = match.group(0)
        if token == "(":
            depth += 1
        elif token == ")":
            depth -= 1
        elif depth == 0:
            return True
    return False


def classify_error(message: str) -> str:
    lower = message.lower()
    if "cannot parse" in lower or "parsererror" in lower or "sql parser error" in lower:
        return "parse"
    if "invalid function" in lower or "unknown function" in lower or "there is no udf" in lower:
        return "function"
    if "not supported" in lower or "unsupported" in lower:
        return "unsupported"
    if "plan" in lower or "schema" in lower or "not found" in lower or "ambiguous" in lower or "coercion" in lower:
        return "plan"
    return "runtime"


def judge(index: int, case: Case, result: Optional[tuple[str, list[str]]], error: Optional[str]) -> Outcome:
    """Compare glueless's answer (or error) with Spark's."""
    if case.expects_error:
        if error is not None:
            return Outcome(index, case.key, True, "error-expected")
        return Outcome(index, case.key, False, "no-error", "Spark refuses this query; the engine answered")
    if error is not None:
        return Outcome(index, case.key, False, classify_error(error), error.splitlines()[0][:300] if error else "")
    assert result is not None
    schema, rows = result
    expected_rows = case.output
    ordered = top_level_order_by(case.query)
    # As Spark's suite: the rows (sorted unless ordered) joined by newlines, trailing whitespace dropped.
    text = "\n".join(rows if ordered else sorted(rows)).rstrip(" \t\n\x0b\f\r")
    rows = text.split("\n") if text else []
    if not ordered:
        rows, expected_rows = sorted(rows), sorted(expected_rows)
    rows_match = rows == expected_rows
    types_match = _types(schema) == _types(case.schema)
    if schema == case.schema and rows_match:
        return Outcome(index, case.key, True, "pass")
    aside = rows_match and types_match
    if not rows_match:
        detail = f"expected {expected_rows[:5]} got {rows[:5]}"
        kind = "values" if len(rows) == len(expected_rows) else "rows"
        if not types_match:
            kind = "types"
            detail = f"expected {case.schema} got {schema}; " + detail
        return Outcome(index, case.key, False, kind, detail[:400], aside)
    if not types_match:
        return Outcome(index, case.key, False, "types", f"expected {case.schema} got {schema}", aside)
    return Outcome(index, case.key, False, "names", f"expected {case.schema} got {schema}", aside)


_ATOMIC_TYPE = re.compile(
    r"interval(?: (?:year|month|day|hour|minute|second)(?: to (?:year|month|day|hour|minute|second))?)?"
    r"|decimal\(\d+,\d+\)|(?:var)?char\(\d+\)|timestamp_ntz|timestamp|bigint|smallint|tinyint|int|double|float"
    r"|string|boolean|date|binary|void|variant"
)


def _type_end(text: str, at: int) -> Optional[int]:
    """Where the type written at `text[at:]` ends (None: no type there)."""
    for prefix in ("array<", "map<", "struct<"):
        if text.startswith(prefix, at):
            if prefix == "struct<":
                fields = _fields(text, at + len(prefix), ">")
                return None if fields is None else fields[1] + 1
            end = _type_end(text, at + len(prefix))
            if end is not None and prefix == "map<" and text.startswith(",", end):
                end = _type_end(text, end + 1)
            return end + 1 if end is not None and text.startswith(">", end) else None
    match = _ATOMIC_TYPE.match(text, at)
    return match.end() if match else None


def _fields(text: str, at: int, close: str) -> Optional[tuple[list[str], int]]:
    """The field types of `name:type,...` from `at` to the `close` (or the end): names may hold any
    character, so each `:` is tried as the separator until the rest reads as types."""
    if text.startswith(close, at) or at == len(text):
        return [], at
    colon = text.find(":", at)
    while colon != -1:
        end = _type_end(text, colon + 1)
        if end is not None:
            if end == len(text) or text.startswith(close, end):
                return [text[colon + 1 : end]], end
            if text.startswith(",", end):
                rest = _fields(text, end + 1, close)
                if rest is not None:
                    return [text[colon + 1 : end]] + rest[0], rest[1]
        colon = text.find(":", colon + 1)
    return None


def _types(schema: str) -> list[str]:
    """A schema string's top-level types without the names (names may hold `:`, `,`, `<`, `>`)."""
    inner = schema[len("struct<") : -1] if schema.startswith("struct<") else schema
    fields = _fields(inner, 0, "\x00")
    return fields[0] if fields is not None else [inner]


class GluelessEngine:
    """`spark.sql` on glueless, answers as `HiveResult` text from the core."""

    def __init__(self) -> None:
        from glueless.compat import _run
        from glueless.compat.pyspark.sql.session import SparkSession

        _run.finish()
        self.spark = SparkSession._active()

    def set(self, key: str, value: str) -> None:
        self.spark.conf.set(key, value)

    def answer(self, query: str) -> tuple[str, list[str]]:
        frame = self.spark.sql(query)
        zone = self.spark.conf.get("spark.sql.session.timeZone") or SUITE_ZONE
        result: tuple[str, list[str]] = frame._frame.hive_result(zone)
        return result


def open_engine(engine: str, remote: Optional[str]) -> Any:
    """The engine to score: glueless, or a peer (`scripts/spark_sql_golden_peers.py`)."""
    if engine == "glueless":
        return GluelessEngine()
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import spark_sql_golden_peers  # type: ignore[import-not-found]

    return spark_sql_golden_peers.open_engine(engine, remote, SUITE_ZONE)


def run_file_here(tests: Path, name: str, engine_name: str = "glueless", remote: Optional[str] = None) -> list[Outcome]:
    """Run one golden file in this process on a fresh session."""
    os.environ.setdefault("TZ", SUITE_ZONE)
    engine = open_engine(engine_name, remote)
    settings = file_settings((tests / "inputs" / f"{name}.sql").read_bytes().decode("utf-8"))
    settings.setdefault("spark.sql.session.timeZone", SUITE_ZONE)
    for key, value in settings.items():
        engine.set(key, value)
    cases = parse_answers((tests / "results" / f"{name}.sql.out").read_bytes().decode("utf-8"))
    outcomes = []
    for index, case in enumerate(cases):
        result: Optional[tuple[str, list[str]]] = None
        error: Optional[str] = None
        try:
            result = engine.answer(case.query)
        except BaseException as exc:  # noqa: BLE001 - every refusal is an answer to score
            if isinstance(exc, KeyboardInterrupt):
                raise
            error = f"{type(exc).__name__}: {exc}"
        outcomes.append(judge(index, case, result, error))
    return outcomes


def run_file(tests: Path, name: str, engine: str, remote: Optional[str]) -> tuple[list[Outcome], int]:
    """Run one golden file in a child process (a crash or a hang costs that file only)."""
    total = len(parse_answers((tests / "results" / f"{name}.sql.out").read_bytes().decode("utf-8")))
    command = [sys.executable, __file__, "--tests", str(tests), "--child", name, "--engine", engine]
    if remote:
        command += ["--remote", remote]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=FILE_TIMEOUT_S, check=False)
    except subprocess.TimeoutExpired:
        return [], total
    try:
        return [Outcome(**o) for o in json.loads(done.stdout.strip().splitlines()[-1])], total
    except (IndexError, json.JSONDecodeError):
        sys.stderr.write(f"{name}: the run ended without answers: {done.stderr.strip().splitlines()[-1:]}\n")
        return [], total


def read_known(path: Path) -> set[str]:
    if not path.exists():
        return set()
    return {line.split("#")[0].strip() for line in path.read_text().splitlines() if line.split("#")[0].strip()}


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tests", type=Path, default=os.environ.get("GLUELESS_SPARK_SQL_TESTS"))
    parser.add_argument("--file", action="append", help="only these golden files (default: all chosen)")
    parser.add_argument("--check", action="store_true", help="fail when a known pass fails")
    parser.add_argument("--update", action="store_true", help="write the known passes")
    parser.add_argument("--show", choices=["fail", "all"], help="print each query's outcome")
    parser.add_argument("--json", type=Path, help="write every outcome to this file")
    parser.add_argument("--engine", default="glueless", help="glueless (default), or a peer: pyspark, connect")
    parser.add_argument("--remote", help="the Spark Connect server for --engine connect (sc://127.0.0.1:50051)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.tests is None or not (args.tests / "results").is_dir():
        print("spark_sql_golden: give --tests DIR (Spark's sql-tests folder) or set GLUELESS_SPARK_SQL_TESTS")
        return 2
    if args.child:
        print(json.dumps([asdict(o) for o in run_file_here(args.tests, args.child, args.engine, args.remote)]))
        return 0
    names = args.file or FILES
    known = read_known(KNOWN_PASSING)
    passing: list[str] = []
    regressions: list[str] = []
    kinds: Counter[str] = Counter()
    everything: dict[str, Any] = {}
    total_all = passed_all = aside_all = 0
    started = time.perf_counter()
    print(f"{'file':<48} {'queries':>7} {'pass':>5} {'%':>6}")
    for name in names:
        outcomes, total = run_file(args.tests, name, args.engine, args.remote)
        cases = parse_answers((args.tests / "results" / f"{name}.sql.out").read_bytes().decode("utf-8"))
        passed = sum(o.passed for o in outcomes)
        aside = sum(o.passed or o.names_aside for o in outcomes)
        total_all += total
        passed_all += passed
        aside_all += aside
        if len(outcomes) < total:
            kinds["crash-or-timeout"] += total - len(outcomes)
        for o in outcomes:
            ident = f"{name}:{o.index}:{o.key}"
            kinds[o.kind if not o.passed else "pass"] += 1
            if o.passed:
                passing.append(ident)
            elif ident in known:
                regressions.append(f"{ident} {o.kind}: {o.detail}")
            if args.show == "all" or (args.show == "fail" and not o.passed):
                print(f"  [{o.index}] {o.kind}: {cases[o.index].query[:160]!r}\n      {o.detail}")
        ran = {f"{name}:{o.index}:{o.key}" for o in outcomes}
        regressions += [f"{ident} did not run" for ident in sorted(known - ran) if ident.split(":")[0] == name]
        everything[name] = [asdict(o) for o in outcomes]
        print(f"{name:<48} {total:>7} {passed:>5} {100 * passed / max(total, 1):>5.1f}%")
    share = 100 * passed_all / max(total_all, 1)
    print(f"{'all':<48} {total_all:>7} {passed_all:>5} {share:>5.1f}%")
    print(f"without comparing column names: {100 * aside_all / max(total_all, 1):.1f}%")
    print("failures by kind: " + ", ".join(f"{k} {n}" for k, n in kinds.most_common() if k != "pass"))
    print(f"({time.perf_counter() - started:.0f} s)")
    if args.json:
        args.json.write_text(json.dumps(everything, indent=1))
    if args.update and args.engine == "glueless":
        KNOWN_PASSING.write_text(
            "# Spark SQL golden queries glueless passes (scripts/spark_sql_golden.py): file:index:sha1(query)[:12]\n"
            + "\n".join(passing)
            + "\n"
        )
    if args.check and args.engine == "glueless" and regressions:
        print(f"{len(regressions)} known passes fail now:")
        for line in regressions:
            print("  " + line)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
