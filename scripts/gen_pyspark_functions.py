"""Writes `python/glueless/compat/pyspark/sql/function_signatures.py`: the parameters of every
`pyspark.sql.functions` function, read from an installed PySpark's source (its annotations, never
its code), so the shim passes each argument as PySpark does: a `ColumnOrName` string is a column
name, a `str` / `int` parameter a literal, a `Mapping` an options map, a data type its DDL.

    python scripts/gen_pyspark_functions.py [--pyspark DIR ...]

Several PySpark versions may be read (3.5 and 4.x): a function is taken from the newest that has it.
"""

from __future__ import annotations

import argparse
import ast
import importlib.util
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "python" / "glueless" / "compat" / "pyspark" / "sql" / "function_signatures.py"


def kind_of(annotation: str) -> str:
    """How an argument of this annotation becomes SQL (see the generated module's docstring)."""
    if "Callable" in annotation:
        return "lambda"
    if "ColumnOrName" in annotation:
        return "column_or_name"
    if "Mapping" in annotation or "Dict" in annotation:
        return "options"
    if "DataTypeOrString" in annotation or "StructType" in annotation or "ArrayType" in annotation:
        return "data_type"
    if "Column" in annotation:
        return "column_or_literal"
    return "literal"


def default_of(node: ast.expr | None) -> Any:
    if node is None:
        return "<required>"
    try:
        return ast.literal_eval(node)
    except ValueError:
        return "<required>"


def signatures(source: Path) -> dict[str, tuple[tuple[str, str, Any], ...]]:
    tree = ast.parse(source.read_text(encoding="utf-8"))
    found: dict[str, tuple[tuple[str, str, Any], ...]] = {}
    for node in tree.body:
        if not isinstance(node, ast.FunctionDef) or node.name.startswith("_"):
            continue
        args = node.args
        positional = args.posonlyargs + args.args
        defaults: list[ast.expr | None] = [None] * (len(positional) - len(args.defaults)) + list(args.defaults)
        params: list[tuple[str, str, Any]] = []
        for a, d in zip(positional, defaults):
            text = ast.unparse(a.annotation) if a.annotation else "Any"
            params.append((a.arg, kind_of(text), default_of(d)))
        if args.vararg is not None:
            text = ast.unparse(args.vararg.annotation) if args.vararg.annotation else "Any"
            params.append(("*" + args.vararg.arg, kind_of(text), ()))
        for a, d in zip(args.kwonlyargs, args.kw_defaults):
            text = ast.unparse(a.annotation) if a.annotation else "Any"
            params.append((a.arg, kind_of(text), default_of(d)))
        found[node.name] = tuple(params)
    return found


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--pyspark", action="append", default=[], help="a pyspark package folder (repeatable)")
    args = ap.parse_args()
    roots = [Path(p) for p in args.pyspark]
    if not roots:
        spec = importlib.util.find_spec("pyspark")
        assert spec is not None and spec.submodule_search_locations, "PySpark is not installed"
        roots = [Path(next(iter(spec.submodule_search_locations)))]
    merged: dict[str, tuple[tuple[str, str, Any], ...]] = {}
    versions = []
    for root in sorted(roots, key=lambda r: _version(r)):
        versions.append(_version(root))
        source = root / "sql" / "functions" / "builtin.py"
        if not source.exists():
            source = root / "sql" / "functions.py"
        merged.update(signatures(source))
    lines = [
        f'"""The parameters of each ``pyspark.sql.functions`` function (PySpark {", ".join(versions)}),',
        "written by ``scripts/gen_pyspark_functions.py``: (name, kind, default) per parameter, a",
        "``*name`` for varargs. Kinds: ``column_or_name`` (a string names a column), ``column_or_literal``",
        "(a Column, else a literal), ``literal``, ``options`` (a dict, as ``map(…)``), ``data_type`` (a",
        '``DataType`` or DDL string, as a string literal), ``lambda``; ``"<required>"`` marks no default."""',
        "",
        "from typing import Any",
        "",
        "SIGNATURES: dict[str, tuple[tuple[str, str, Any], ...]] = {",
    ]
    for name in sorted(merged):
        lines.append(f"    {name!r}: {merged[name]!r},")
    lines.append("}")
    OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    # The project's formatter's layout, so `ruff format --check` passes on a regenerated file.
    subprocess.run([sys.executable, "-m", "ruff", "format", str(OUT)], check=False, capture_output=True)
    print(f"{len(merged)} functions -> {OUT.relative_to(ROOT)}")


def _version(root: Path) -> str:
    found = re.search(r"__version__[^=]*=\s*['\"]([^'\"]+)", (root / "version.py").read_text(encoding="utf-8"))
    return found.group(1) if found else "0"


if __name__ == "__main__":
    main()
