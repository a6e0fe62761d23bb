"""``awsgluedq.transforms.EvaluateDataQuality``: DQDL rules evaluated on the core's SQL engine.

Supported rules: ``ColumnCount``, ``RowCount``, ``IsComplete``, ``Completeness``, ``ColumnExists``,
``ColumnValues``, ``IsUnique``, ``Uniqueness``, ``CustomSql``, with the conditions ``= != > >= < <=``,
``[not] between a and b``, ``[not] in [...]`` and (for ``ColumnValues``) ``matches "regex"``. A
failing rule is reported (and in the rule outcomes), never changes the data.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Optional

from glueless.compat import _run
from glueless.compat._unsupported import Surface, module_getattr, unsupported
from glueless.compat.awsglue.dynamicframe import DynamicFrame, DynamicFrameCollection
from glueless.compat.pyspark.sql.column import literal_sql, quote

__getattr__ = module_getattr("awsgluedq.transforms")

_TOKEN = re.compile(
    r'\s*(?:(?P<str>"(?:[^"\\]|\\.)*")|(?P<num>-?\d+(?:\.\d+)?)|(?P<op>>=|<=|!=|=|>|<|\[|\]|,|\(|\))|(?P<word>[A-Za-z_][A-Za-z_0-9.]*))'
)


class DqdlError(ValueError):
    """A ruleset that is not DQDL glueless understands."""


@dataclass
class Condition:
    op: str  # = != > >= < <= between notbetween in notin matches
    values: list[Any]

    def holds(self, x: Any) -> bool:
        v = self.values
        if x is None:
            return False
        if self.op == "=":
            return bool(x == v[0])
        if self.op == "!=":
            return bool(x != v[0])
        if self.op == ">":
            return bool(x > v[0])
        if self.op == ">=":
            return bool(x >= v[0])
        if self.op == "<":
            return bool(x < v[0])
        if self.op == "<=":
            return bool(x <= v[0])
        if self.op == "between":
            return bool(v[0] < x < v[1])
        if self.op == "notbetween":
            return not (v[0] < x < v[1])
        if self.op == "in":
            return x in v
        if self.op == "notin":
            return x not in v
        raise DqdlError(f"condition {self.op} cannot apply to a metric")

    def sql(self, column: str) -> str:
        v = [literal_sql(x) for x in self.values]
        if self.op in ("=", "!=", ">", ">=", "<", "<="):
            return f"({column} {self.op} {v[0]})"
        if self.op == "between":
            return f"({column} > {v[0]} AND {column} < {v[1]})"
        if self.op == "notbetween":
            return f"NOT ({column} > {v[0]} AND {column} < {v[1]})"
        if self.op == "in":
            return f"({column} IN ({', '.join(v)}))"
        if self.op == "notin":
            return f"({column} NOT IN ({', '.join(v)}))"
        if self.op == "matches":
            return f"regexp_like({column}, {v[0]})"
        raise DqdlError(self.op)

    def text(self) -> str:
        def show(x: Any) -> str:
            return f'"{x}"' if isinstance(x, str) else str(x)

        names = {"notbetween": "not between", "notin": "not in"}
        if self.op in ("between", "notbetween"):
            return f"{names.get(self.op, self.op)} {show(self.values[0])} and {show(self.values[1])}"
        if self.op in ("in", "notin"):
            return f"{names.get(self.op, self.op)} [{', '.join(show(x) for x in self.values)}]"
        return f"{self.op} {show(self.values[0])}"


@dataclass
class Rule:
    kind: str
    text: str
    column: Optional[str] = None
    sql: Optional[str] = None
    condition: Optional[Condition] = None
    metrics: dict[str, float] = field(default_factory=dict)
    passed: bool = False
    reason: Optional[str] = None


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens: list[tuple[str, str]] = []
        pos = 0
        text = text.strip()
        while pos < len(text):
            m = _TOKEN.match(text, pos)
            if not m or m.end() == pos:
                if text[pos:].strip() == "":
                    break
                raise DqdlError(f"cannot read the ruleset at: {text[pos : pos + 30]!r}")
            kind = m.lastgroup or ""
            self.tokens.append((kind, m.group(kind)))
            pos = m.end()
        self.i = 0

    def peek(self) -> Optional[tuple[str, str]]:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self, kind: Optional[str] = None, value: Optional[str] = None) -> str:
        token = self.peek()
        if token is None or (kind and token[0] != kind) or (value and token[1].lower() != value.lower()):
            want = value or kind or "more"
            raise DqdlError(f"expected {want}, found {token[1] if token else 'the end'}")
        self.i += 1
        return token[1]

    def value(self) -> Any:
        kind, text = self.peek() or ("", "")
        if kind == "num":
            self.i += 1
            return float(text) if "." in text else int(text)
        if kind == "str":
            self.i += 1
            return bytes(text[1:-1], "utf-8").decode("unicode_escape")
        raise DqdlError(f"expected a value, found {text or 'the end'}")

    def condition(self) -> Condition:
        token = self.peek()
        if token is None:
            raise DqdlError("a rule needs a condition")
        if token[0] == "op" and token[1] in ("=", "!=", ">", ">=", "<", "<="):
            self.i += 1
            return Condition(token[1], [self.value()])
        negate = False
        if token[0] == "word" and token[1].lower() == "not":
            self.i += 1
            negate = True
            token = self.peek() or ("", "")
        word = token[1].lower()
        if word == "between":
            self.i += 1
            low = self.value()
            self.take("word", "and")
            return Condition("notbetween" if negate else "between", [low, self.value()])
        if word == "in":
            self.i += 1
            self.take("op", "[")
            values = [self.value()]
            while (self.peek() or ("", ""))[1] == ",":
                self.i += 1
                values.append(self.value())
            self.take("op", "]")
            return Condition("notin" if negate else "in", values)
        if word == "matches" and not negate:
            self.i += 1
            return Condition("matches", [self.value()])
        raise DqdlError(f"unsupported condition at {token[1]!r}")

    def rules(self) -> list[Rule]:
        self.take("word", "Rules")
        self.take("op", "=")
        self.take("op", "[")
        rules = []
        while True:
            start = self.i
            rules.append(self.rule())
            rules[-1].text = " ".join(t[1] for t in self.tokens[start : self.i])
            token = self.peek()
            if token and token[1] == ",":
                self.i += 1
                continue
            self.take("op", "]")
            break
        if self.peek() is not None:
            raise DqdlError(f"unexpected {self.peek()[1]!r} after the rules")  # type: ignore[index]
        return rules

    def rule(self) -> Rule:
        kind = self.take("word")
        if kind in ("ColumnCount", "RowCount"):
            return Rule(kind, "", condition=self.condition())
        if kind in ("IsComplete", "ColumnExists", "IsUnique"):
            return Rule(kind, "", column=self.value())
        if kind in ("Completeness", "Uniqueness", "ColumnValues"):
            column = self.value()
            return Rule(kind, "", column=column, condition=self.condition())
        if kind == "CustomSql":
            sql = self.value()
            return Rule(kind, "", sql=sql, condition=self.condition())
        unsupported(
            f"DQDL rule {kind}",
            "ColumnCount, RowCount, IsComplete, Completeness, ColumnExists, ColumnValues, IsUnique, Uniqueness "
            "and CustomSql are",
        )


def parse_ruleset(ruleset: str) -> list[Rule]:
    return _Parser(ruleset).rules()


def _evaluate(frame: DynamicFrame, rules: list[Rule]) -> None:
    run = _run.current()
    session = run.session
    columns = list(frame._frame.columns)
    view = "__glueless_dq_primary"
    session.register_view(view, frame._frame)
    try:
        row_count: Optional[int] = None

        def count() -> int:
            nonlocal row_count
            if row_count is None:
                row_count = frame._frame.count()
            return row_count

        def scalar(query: str) -> Any:
            df = session.sql(query)
            import json as _json

            records = [line for line in df.json_records(1).split("\n") if line]
            if not records:
                return None
            record = _json.loads(records[0])
            return next(iter(record.values()), None)

        for rule in rules:
            name = rule.column
            if name is not None and rule.kind != "ColumnExists" and name not in columns:
                rule.passed, rule.reason = False, f"Column {name} does not exist"
                continue
            if rule.kind == "ColumnCount":
                rule.metrics["Dataset.*.ColumnCount"] = float(len(columns))
                rule.passed = rule.condition.holds(len(columns))  # type: ignore[union-attr]
            elif rule.kind == "RowCount":
                rule.metrics["Dataset.*.RowCount"] = float(count())
                rule.passed = rule.condition.holds(count())  # type: ignore[union-attr]
            elif rule.kind == "ColumnExists":
                rule.passed = name in columns
            elif rule.kind in ("IsComplete", "Completeness"):
                total = count()
                nonnull = scalar(f"SELECT count({quote(name)}) FROM {view}") or 0  # type: ignore[arg-type]
                ratio = 1.0 if total == 0 else nonnull / total
                rule.metrics[f"Column.{name}.Completeness"] = ratio
                rule.passed = ratio == 1.0 if rule.kind == "IsComplete" else rule.condition.holds(ratio)  # type: ignore[union-attr]
            elif rule.kind in ("IsUnique", "Uniqueness"):
                total = count()
                unique = (
                    scalar(
                        f"SELECT count(*) FROM (SELECT {quote(name)} FROM {view} "  # type: ignore[arg-type]
                        f"GROUP BY {quote(name)} HAVING count(*) = 1) u"  # type: ignore[arg-type]
                    )
                    or 0
                )
                ratio = 1.0 if total == 0 else unique / total
                rule.metrics[f"Column.{name}.Uniqueness"] = ratio
                rule.passed = ratio == 1.0 if rule.kind == "IsUnique" else rule.condition.holds(ratio)  # type: ignore[union-attr]
            elif rule.kind == "ColumnValues":
                failing = scalar(
                    f"SELECT count(*) FROM {view} WHERE NOT COALESCE({rule.condition.sql(quote(name))}, FALSE)"  # type: ignore[arg-type, union-attr]
                )
                total = count()
                ratio = 1.0 if total == 0 else (total - (failing or 0)) / total
                rule.metrics[f"Column.{name}.Compliance"] = ratio
                rule.passed = (failing or 0) == 0
            elif rule.kind == "CustomSql":
                query = re.sub(r"\bprimary\b", view, rule.sql or "", flags=re.IGNORECASE)
                value = scalar(query)
                rule.metrics["Dataset.*.CustomSQL"] = float(value) if isinstance(value, (int, float)) else float("nan")
                rule.passed = rule.condition.holds(value)  # type: ignore[union-attr]
            if not rule.passed and rule.reason is None:
                shown = ", ".join(f"{k} = {v:g}" for k, v in rule.metrics.items())
                rule.reason = f"Value: {shown} does not meet the constraint requirement" if shown else "Rule failed"
    finally:
        session.drop_view(view)


def _outcomes_frame(rules: list[Rule]) -> Any:
    session = _run.current().session
    rows = []
    for ordinal, rule in enumerate(rules):
        keys = ", ".join(literal_sql(k) for k in rule.metrics)
        values = ", ".join(literal_sql(float(v)) for v in rule.metrics.values())
        metrics = (
            f"map(make_array({keys}), make_array({values}))"
            if rule.metrics
            else "map(make_array('none'), make_array(0.0))"
        )
        rows.append(
            f"SELECT {ordinal} AS `__ordinal`, {literal_sql(rule.text)} AS `Rule`, "
            f"{literal_sql('Passed' if rule.passed else 'Failed')} AS `Outcome`, "
            f"CAST({literal_sql(rule.reason)} AS STRING) AS `FailureReason`, {metrics} AS `EvaluatedMetrics`"
        )
    # In the ruleset's order, as Glue lists the outcomes.
    union = " UNION ALL ".join(rows)
    return session.sql(
        f"SELECT `Rule`, `Outcome`, `FailureReason`, `EvaluatedMetrics` FROM ({union}) ORDER BY `__ordinal`"
    )


class EvaluateDataQuality(Surface):
    """Glue Data Quality: evaluate a DQDL ruleset; report the outcome; never change the data."""

    _api_name = "EvaluateDataQuality"

    def process_rows(
        self,
        frame: DynamicFrame,
        ruleset: str,
        publishing_options: Optional[dict[str, Any]] = None,
        additional_options: Optional[dict[str, Any]] = None,
    ) -> DynamicFrameCollection:
        rules = parse_ruleset(ruleset)
        _evaluate(frame, rules)
        _report(rules, (publishing_options or {}).get("dataQualityEvaluationContext", "default_context"))
        outcomes = DynamicFrame(_outcomes_frame(rules), frame.glue_ctx, "ruleOutcomes")
        row_level = DynamicFrame(_row_level(frame, rules), frame.glue_ctx, "rowLevelOutcomes")
        return DynamicFrameCollection(
            {"ruleOutcomes": outcomes, "rowLevelOutcomes": row_level, "originalData": frame}, frame.glue_ctx
        )

    @classmethod
    def apply(
        cls, frame: DynamicFrame, ruleset: str, publishing_options: Optional[dict[str, Any]] = None
    ) -> DynamicFrame:
        rules = parse_ruleset(ruleset)
        _evaluate(frame, rules)
        _report(rules, (publishing_options or {}).get("dataQualityEvaluationContext", "default_context"))
        return DynamicFrame(_outcomes_frame(rules), frame.glue_ctx, "ruleOutcomes")


def _report(rules: list[Rule], context: str) -> None:
    run = _run.current()
    passed = sum(r.passed for r in rules)
    run.note(f"data quality {context}: {passed} of {len(rules)} rules passed")
    for rule in rules:
        if not rule.passed:
            run.note(f"  failed: {rule.text} ({rule.reason})")


def _row_level(frame: DynamicFrame, rules: list[Rule]) -> Any:
    """The frame with each row's passed / failed rules: row-level rules judged per row, the others
    by their dataset outcome."""
    columns = list(frame._frame.columns)
    passes, fails = [], []
    for rule in rules:
        text = literal_sql(rule.text)
        if rule.kind in ("IsComplete", "Completeness") and rule.column in columns:
            check = f"{quote(rule.column)} IS NOT NULL"  # type: ignore[arg-type]
        elif rule.kind == "ColumnValues" and rule.column in columns:
            check = f"COALESCE({rule.condition.sql(quote(rule.column))}, FALSE)"  # type: ignore[arg-type, union-attr]
        else:
            check = "TRUE" if rule.passed else "FALSE"
        passes.append(f"CASE WHEN {check} THEN {text} END")
        fails.append(f"CASE WHEN NOT ({check}) THEN {text} END")
    passed = f"array_remove(make_array({', '.join(passes)}), NULL)" if passes else "make_array()"
    failed = f"array_remove(make_array({', '.join(fails)}), NULL)" if fails else "make_array()"
    return frame._frame.select(
        [
            "*",
            f"{passed} AS `DataQualityRulesPass`",
            f"{failed} AS `DataQualityRulesFail`",
            "array_remove(make_array(CAST(NULL AS STRING)), NULL) AS `DataQualityRulesSkip`",
            f"CASE WHEN cardinality({failed}) = 0 THEN 'Passed' ELSE 'Failed' END AS `DataQualityEvaluationResult`",
        ]
    )


__all__ = ["EvaluateDataQuality"]
