"""``Map.apply`` / ``DynamicFrame.map`` with Glue's semantics (awsglue's ``DynamicFrame.map``):
the function gets each record as a DynamicRecord (a dict of the fields the record has; a nested
object a DynamicRecord too) and returns the new record. A record whose function raises any
``Exception``, or returns ``None`` or an empty record, becomes an error record, counted against
``stageThreshold`` / ``totalThreshold``.

The new frame's schema comes from the returned records (Glue computes it from them too): fields
in the order first seen, a field a record lacks is null there, a field's values of two kinds widen
(int and float → double, other mixes → string), nested objects are structs and lists arrays. The
records go to the core as JSON lines (``SqlSession.read_json_lines``), so:

* a field the function left as it was keeps the input's type (``int``, ``date``, ``timestamp``,
  ``decimal``…, which JSON would have widened or turned into text);
* a field whose values are all ``datetime``, ``date`` or ``Decimal`` is a timestamp, date or
  decimal(38,18).
"""

from __future__ import annotations

import datetime as _dt
import decimal as _decimal
import io
import json
from dataclasses import dataclass, field
from typing import Any, Callable, Optional

from glueless._glueless import TYPE_NAMES, Frame, SqlSession
from glueless.compat._unsupported import unsupported
from glueless.compat.awsglue._filter import DynamicRecord

#: Spark types of input fields the JSON reader does not give back as they were, but a cast of
#: an unchanged value restores (binary and nested types cannot be restored from JSON text).
_RESTORABLE = tuple(t.spark for t in TYPE_NAMES if not t.json_native and t.spark_class != "BinaryType")

#: Glue's message for a function that returns no record.
NO_RECORD = "User-specified function returned None instead of DynamicRecord"

#: The type of a field whose every value is one of these Python types.
_VALUE_TYPES = {"datetime": "timestamp", "date": "date", "Decimal": "decimal(38,18)"}


def restorable(fields: list[tuple[str, str, str, bool]]) -> dict[str, str]:
    """The input fields (``Frame.fields()``) whose Spark type the new frame restores when the
    function leaves their values as they were: name → Spark type."""
    return {
        name: spark for name, spark, _glue, _nullable in fields if spark in _RESTORABLE or spark.startswith("decimal(")
    }


@dataclass
class MapResult:
    """What ``f`` made of the records: how many, the error records, and what the schema needs."""

    records: int = 0
    errors: int = 0
    first_error: Optional[str] = None
    #: Restorable input fields whose value the function changed in some record.
    changed: set[str] = field(default_factory=set)
    #: Per field, the kinds of its non-null values ("datetime", "date", "Decimal", "nested", "other").
    kinds: dict[str, set[str]] = field(default_factory=dict)

    def error(self, message: str) -> None:
        self.errors += 1
        if self.first_error is None:
            self.first_error = message

    def value_types(self) -> dict[str, str]:
        """Fields whose every value is a ``datetime``, a ``date`` or a ``Decimal``: name → Spark type."""
        out = {}
        for name, kinds in self.kinds.items():
            if len(kinds) == 1:
                (kind,) = kinds
                if kind in _VALUE_TYPES:
                    out[name] = _VALUE_TYPES[kind]
        return out


def dynamic_record(values: dict[str, Any]) -> DynamicRecord:
    """A record as Glue's map functions get it (awsglue's ``_create_dynamic_record``): a nested
    object is a DynamicRecord too."""
    return DynamicRecord({k: DynamicRecord(v) if type(v) is dict else v for k, v in values.items()})


class _Unrepresentable(TypeError):
    pass


def _json_value(value: Any) -> Any:
    if isinstance(value, (_dt.datetime, _dt.date)):
        return value.isoformat()
    if isinstance(value, _decimal.Decimal):
        return str(value)
    raise _Unrepresentable(type(value).__name__)


def _kind(value: Any) -> str:
    if isinstance(value, _dt.datetime):
        return "datetime"
    if isinstance(value, _dt.date):
        return "date"
    if isinstance(value, _decimal.Decimal):
        return "Decimal"
    if isinstance(value, (dict, list, tuple)):
        return "nested"
    return "other"


def run_per_record(f: Callable[[Any], Any], records_text: str, watched: dict[str, str], out: Any) -> MapResult:
    """Call ``f`` on each record of ``records_text`` (JSON lines) as Glue does and write the
    records it returns to ``out`` as JSON lines; ``watched`` are the restorable input fields."""
    result = MapResult()
    # One record a line: JSON escapes every newline in a value, but not U+2028 or U+0085, which
    # str.splitlines() would split on.
    for line in records_text.split("\n"):
        if not line:
            continue
        values = json.loads(line)
        # Values of restorable fields are JSON scalars: f cannot change them in place.
        before = {name: values.get(name) for name in watched}
        try:
            new = f(dynamic_record(values))
        except Exception as e:  # noqa: BLE001 - Glue makes any exception an error record
            result.error(f"{type(e).__name__}: {e}")
            continue
        if not new:
            result.error(NO_RECORD)
            continue
        if not isinstance(new, dict):
            result.error(f"User-specified function returned {type(new).__name__} instead of DynamicRecord")
            continue
        for name in watched:
            if new.get(name) != before[name]:
                result.changed.add(name)
        names: dict[str, str] = {}
        for key, value in new.items():
            if not isinstance(key, str):
                unsupported("Map", f"a record with a field name of type {type(key).__name__}")
            seen = names.setdefault(key.lower(), key)
            if seen != key:
                unsupported("Map", f"a record with the fields {seen!r} and {key!r} (names that differ only in case)")
            if value is not None:
                result.kinds.setdefault(key, set()).add(_kind(value))
        try:
            text = json.dumps(new, default=_json_value, allow_nan=False, separators=(",", ":"))
        except _Unrepresentable as e:
            unsupported("Map", f"a record value of type {e}")
        except ValueError:
            unsupported("Map", "a record value that is a NaN or infinite float")
        out.write(text)
        out.write("\n")
        result.records += 1
    return result


def map_frame(session: SqlSession, source: Frame, f: Callable[[Any], Any]) -> tuple[Frame, MapResult]:
    """``f`` applied to every record of ``source`` (a materialized frame): the new frame, and the
    counts."""
    watched = restorable(source.fields())
    out = io.StringIO()
    result = run_per_record(f, source.json_records(None), watched, out)
    if not result.records:
        return session.empty(), result
    frame = session.read_json_lines(out.getvalue())
    present = set(frame.columns)
    casts = {name: spark for name, spark in watched.items() if name not in result.changed}
    casts.update(result.value_types())
    for name, spark in casts.items():
        if name in present:
            frame = frame.cast_column("`" + name.replace("`", "``") + "`", spark)
    return frame, result
