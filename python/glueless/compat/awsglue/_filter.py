"""``Filter.apply`` with Glue's semantics: the function sees a record holding only the fields it
has; ``KeyError``, ``ValueError`` and ``TypeError`` drop the record, any other exception makes it
an error record (counted against ``stageThreshold`` / ``totalThreshold``).

Common lambda shapes (``row["f"] == v``, ``!=``, ``<``…, ``not``, ``and``/``or``, ``is None``,
``in (…)``) become one vectorised SQL predicate that keeps exactly the records the function
would keep; anything else runs per record in Python.
"""

from __future__ import annotations

import ast
import inspect
import json
import linecache
from dataclasses import dataclass
from typing import Any, Callable, Optional

from glueless._glueless import TYPE_NAMES
from glueless.compat.pyspark.sql.column import literal_sql, quote

#: Spark's names of the number types (Glue's Filter compares them as numbers).
_NUMERIC = tuple(t.spark for t in TYPE_NAMES if t.numeric)


class DynamicRecord(dict):  # type: ignore[type-arg]
    """A record as Glue's filter and map functions see it: a dict of its own fields; attributes
    too (``rec.f`` reads the field, ``rec.f = v`` sets it, as in awsglue)."""

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise KeyError(name) from None

    def __setattr__(self, name: str, value: Any) -> None:
        self[name] = value


@dataclass
class Translated:
    value: str
    raises: str
    kind: str  # "bool", "num", "str", "none"


class _Untranslatable(Exception):
    pass


def _kind_of(spark_type: str) -> str:
    if spark_type in _NUMERIC or spark_type.startswith("decimal"):
        return "num"
    if spark_type == "string":
        return "str"
    if spark_type == "boolean":
        return "boolbare"
    raise _Untranslatable(spark_type)


class _Translator:
    def __init__(self, param: str, fields: dict[str, str]) -> None:
        self.param = param
        self.fields = fields

    def field(self, name: Any) -> Translated:
        if not isinstance(name, str):
            raise _Untranslatable("field name")
        if name not in self.fields:
            # Every record lacks it: reading it raises KeyError, so the record is dropped.
            return Translated("NULL", "TRUE", "none")
        q = quote(name)
        return Translated(q, f"({q} IS NULL)", _kind_of(self.fields[name]))

    def expr(self, node: ast.AST) -> Translated:
        if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name) and node.value.id == self.param:
            key = node.slice
            if isinstance(key, ast.Constant):
                return self.field(key.value)
            raise _Untranslatable("subscript")
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == self.param:
            return self.field(node.attr)
        if isinstance(node, ast.Constant):
            v = node.value
            if v is None:
                return Translated("NULL", "FALSE", "none")
            if isinstance(v, bool):
                return Translated(literal_sql(v), "FALSE", "boolconst")
            if isinstance(v, (int, float)):
                return Translated(literal_sql(v), "FALSE", "num")
            if isinstance(v, str):
                return Translated(literal_sql(v), "FALSE", "str")
            raise _Untranslatable("constant")
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            inner = self.boolean(node.operand)
            return Translated(f"(NOT {inner.value})", inner.raises, "bool")
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) and isinstance(node.operand, ast.Constant):
            v = node.operand.value
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                return Translated(literal_sql(-v), "FALSE", "num")
        if isinstance(node, ast.BoolOp):
            parts = [self.boolean(v) for v in node.values]
            return self._bool_op(isinstance(node.op, ast.And), parts)
        if isinstance(node, ast.Compare) and len(node.ops) == 1:
            return self.compare(node.left, node.ops[0], node.comparators[0])
        raise _Untranslatable(type(node).__name__)

    def boolean(self, node: ast.AST) -> Translated:
        t = self.expr(node)
        if t.kind == "bool":
            return t
        if t.kind == "boolbare":
            return Translated(t.value, t.raises, "bool")
        raise _Untranslatable("truthiness of a non-boolean")

    @staticmethod
    def _bool_op(is_and: bool, parts: list[Translated]) -> Translated:
        # Python short-circuits: a later operand is only evaluated (and can only raise) when the
        # earlier ones did not decide the result.
        value, raises = parts[0].value, parts[0].raises
        for part in parts[1:]:
            if is_and:
                raises = f"({raises} OR (COALESCE({value}, FALSE) AND {part.raises}))"
                value = f"({value} AND {part.value})"
            else:
                raises = f"({raises} OR (NOT COALESCE({value}, FALSE) AND {part.raises}))"
                value = f"({value} OR {part.value})"
        return Translated(value, raises, "bool")

    def compare(self, left_node: ast.AST, op: ast.cmpop, right_node: ast.AST) -> Translated:
        left = self.expr(left_node)
        if isinstance(op, (ast.Is, ast.IsNot)):
            if not (isinstance(right_node, ast.Constant) and right_node.value is None):
                raise _Untranslatable("is")
            # A record holds only fields with values: a field it has is never None.
            present = isinstance(op, ast.IsNot)
            return Translated("TRUE" if present else "FALSE", left.raises, "bool")
        if isinstance(op, (ast.In, ast.NotIn)):
            if not isinstance(right_node, (ast.Tuple, ast.List, ast.Set)):
                raise _Untranslatable("in")
            items = [self.expr(e) for e in right_node.elts]
            if left.kind not in ("num", "str") or any(i.kind != left.kind for i in items):
                raise _Untranslatable("in types")
            negate = "NOT " if isinstance(op, ast.NotIn) else ""
            return Translated(f"({left.value} {negate}IN ({', '.join(i.value for i in items)}))", left.raises, "bool")
        right = self.expr(right_node)
        symbols = {ast.Eq: "=", ast.NotEq: "!=", ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">="}
        symbol = symbols.get(type(op))
        if symbol is None:
            raise _Untranslatable("operator")
        if "none" in (left.kind, right.kind):
            if left.raises == "TRUE" or right.raises == "TRUE":
                return Translated("FALSE", "TRUE", "bool")
            raise _Untranslatable("comparison with None")
        kinds = {left.kind, right.kind}
        comparable = kinds in ({"num"}, {"str"}, {"boolbare"}, {"boolbare", "boolconst"})
        if not comparable:
            raise _Untranslatable("mixed types")
        raises = f"({left.raises} OR {right.raises})"
        return Translated(f"({left.value} {symbol} {right.value})", raises, "bool")


def _lambda_node(f: Callable[..., Any]) -> Optional[ast.Lambda | ast.FunctionDef]:
    """The AST of ``f``'s body expression: a lambda, or a def whose body is one ``return``."""
    code = getattr(f, "__code__", None)
    if code is None:
        return None
    filename = code.co_filename
    try:
        source = "".join(linecache.getlines(filename)) or inspect.getsource(f)
        tree = ast.parse(source)
    except (OSError, SyntaxError, TypeError):
        return None
    candidates: list[ast.Lambda | ast.FunctionDef] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Lambda) and node.lineno == code.co_firstlineno:
            candidates.append(node)
        elif isinstance(node, ast.FunctionDef) and node.name == code.co_name:
            first = node.decorator_list[0].lineno if node.decorator_list else node.lineno
            if code.co_firstlineno in (node.lineno, first):
                candidates.append(node)
    if len(candidates) != 1:
        return None
    return candidates[0]


def fields_read(f: Callable[..., Any]) -> list[str]:
    """The field names ``f`` reads from its record (``row["f"]``, ``row.f``), where its source
    can be read; for the note on a name that differs from a field only in case."""
    node = _lambda_node(f)
    if node is None or len(node.args.args) != 1:
        return []
    param = node.args.args[0].arg
    names: list[str] = []
    for inner in ast.walk(node):
        if isinstance(inner, ast.Subscript) and isinstance(inner.value, ast.Name) and inner.value.id == param:
            if isinstance(inner.slice, ast.Constant) and isinstance(inner.slice.value, str):
                names.append(inner.slice.value)
        elif isinstance(inner, ast.Attribute) and isinstance(inner.value, ast.Name) and inner.value.id == param:
            names.append(inner.attr)
    return list(dict.fromkeys(names))


def vectorised_predicate(f: Callable[..., Any], fields: dict[str, str]) -> Optional[str]:
    """A SQL predicate that keeps exactly the records ``f`` keeps, or None when ``f`` is not of a
    shape that can be translated."""
    node = _lambda_node(f)
    if node is None:
        return None
    args = node.args
    if len(args.args) != 1 or args.vararg or args.kwarg or args.kwonlyargs:
        return None
    param = args.args[0].arg
    body: ast.expr
    if isinstance(node, ast.Lambda):
        body = node.body
    else:
        statements = [s for s in node.body if not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))]
        if len(statements) != 1 or not isinstance(statements[0], ast.Return) or statements[0].value is None:
            return None
        body = statements[0].value
    try:
        t = _Translator(param, fields).boolean(body)
    except _Untranslatable:
        return None
    return f"(NOT COALESCE({t.raises}, FALSE)) AND COALESCE({t.value}, FALSE)"


@dataclass
class PythonFilterResult:
    mask: list[bool]
    dropped_by_exception: int
    errors: int
    first_error: Optional[str]


def run_per_record(f: Callable[..., Any], records_text: str) -> PythonFilterResult:
    """Call ``f`` on each record as Glue does."""
    mask: list[bool] = []
    dropped = errors = 0
    first_error: Optional[str] = None
    # One record a line: JSON escapes every newline in a value, but not U+2028 or U+0085, which
    # str.splitlines() would split on.
    for line in records_text.split("\n"):
        if not line:
            continue
        record = DynamicRecord(json.loads(line))
        try:
            mask.append(bool(f(record)))
        except (KeyError, ValueError, TypeError):
            mask.append(False)
            dropped += 1
        except Exception as e:  # noqa: BLE001 - Glue turns any other exception into an error record
            mask.append(False)
            errors += 1
            if first_error is None:
                first_error = f"{type(e).__name__}: {e}"
    return PythonFilterResult(mask, dropped, errors, first_error)
