"""``pyspark.sql.types``: the schema classes scripts build and read (``simpleString`` as Spark)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, Optional

from glueless._glueless import TYPE_NAMES, type_name
from glueless.compat._unsupported import module_getattr

__getattr__ = module_getattr("pyspark.sql.types")


class DataType:
    _name = ""

    def simpleString(self) -> str:
        return self._name

    def typeName(self) -> str:
        return self._name

    def __eq__(self, other: object) -> bool:
        return isinstance(other, DataType) and self.simpleString() == other.simpleString()

    def __hash__(self) -> int:
        return hash(self.simpleString())

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


#: The core's names of each simple type, by PySpark's class name (the core spells them once).
_NAMES = {t.spark_class: t for t in TYPE_NAMES}


def _simple(class_name: str) -> type:
    return type(class_name, (DataType,), {"_name": _NAMES[class_name].spark})


#: Spark's names (as ``dtypes`` gives them) of the integral, the fractional, the text and the
#: boolean types, from the core's vocabulary: the shim's rules of kind use these, never spellings.
INTEGRAL_NAMES: tuple[str, ...] = tuple(_NAMES[c].spark for c in ("ByteType", "ShortType", "IntegerType", "LongType"))
FRACTIONAL_NAMES: tuple[str, ...] = tuple(_NAMES[c].spark for c in ("FloatType", "DoubleType"))
STRING_NAME: str = _NAMES["StringType"].spark
BOOLEAN_NAME: str = _NAMES["BooleanType"].spark
DOUBLE_NAME: str = _NAMES["DoubleType"].spark


def is_numeric(type_name: str) -> bool:
    """An integral, fractional or decimal type's name (``bigint``, ``double``, ``decimal(10,2)``)."""
    return type_name in INTEGRAL_NAMES or type_name in FRACTIONAL_NAMES or type_name.startswith("decimal")


StringType = _simple("StringType")
LongType = _simple("LongType")
IntegerType = _simple("IntegerType")
ShortType = _simple("ShortType")
ByteType = _simple("ByteType")
DoubleType = _simple("DoubleType")
FloatType = _simple("FloatType")
BooleanType = _simple("BooleanType")
TimestampType = _simple("TimestampType")
TimestampNTZType = _simple("TimestampNTZType")
DateType = _simple("DateType")
BinaryType = _simple("BinaryType")
NullType = _simple("NullType")


class DecimalType(DataType):
    def __init__(self, precision: int = 10, scale: int = 0) -> None:
        self.precision = precision
        self.scale = scale

    def simpleString(self) -> str:
        return f"decimal({self.precision},{self.scale})"

    def __repr__(self) -> str:
        return f"DecimalType({self.precision},{self.scale})"


class ArrayType(DataType):
    def __init__(self, elementType: DataType, containsNull: bool = True) -> None:
        self.elementType = elementType
        self.containsNull = containsNull

    def simpleString(self) -> str:
        return f"array<{self.elementType.simpleString()}>"

    def __repr__(self) -> str:
        return f"ArrayType({self.elementType!r}, {self.containsNull})"


class MapType(DataType):
    def __init__(self, keyType: DataType, valueType: DataType, valueContainsNull: bool = True) -> None:
        self.keyType = keyType
        self.valueType = valueType
        self.valueContainsNull = valueContainsNull

    def simpleString(self) -> str:
        return f"map<{self.keyType.simpleString()},{self.valueType.simpleString()}>"

    def __repr__(self) -> str:
        return f"MapType({self.keyType!r}, {self.valueType!r}, {self.valueContainsNull})"


class StructField:
    def __init__(
        self, name: str, dataType: DataType, nullable: bool = True, metadata: Optional[dict[str, Any]] = None
    ) -> None:
        self.name = name
        self.dataType = dataType
        self.nullable = nullable
        self.metadata = metadata or {}

    def simpleString(self) -> str:
        return f"{self.name}:{self.dataType.simpleString()}"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, StructField) and (self.name, self.dataType, self.nullable) == (
            other.name,
            other.dataType,
            other.nullable,
        )

    def __repr__(self) -> str:
        return f"StructField('{self.name}', {self.dataType!r}, {self.nullable})"


class StructType(DataType):
    def __init__(self, fields: Optional[list[StructField]] = None) -> None:
        self.fields = list(fields or [])

    def add(self, field: Any, data_type: Any = None, nullable: bool = True) -> StructType:
        if isinstance(field, StructField):
            self.fields.append(field)
        else:
            dt = _parse_type(data_type) if isinstance(data_type, str) else data_type
            self.fields.append(StructField(field, dt, nullable))
        return self

    @property
    def names(self) -> list[str]:
        return [f.name for f in self.fields]

    def fieldNames(self) -> list[str]:
        return self.names

    def simpleString(self) -> str:
        return f"struct<{','.join(f.simpleString() for f in self.fields)}>"

    def ddl(self) -> str:
        """The schema as a Spark DDL string (`name type, …`)."""
        return ", ".join(f"`{f.name}` {type_name(f.dataType.simpleString(), 'spark_ddl')}" for f in self.fields)

    def __iter__(self) -> Iterator[StructField]:
        return iter(self.fields)

    def __len__(self) -> int:
        return len(self.fields)

    def __getitem__(self, key: Any) -> StructField:
        if isinstance(key, str):
            for f in self.fields:
                if f.name == key:
                    return f
            raise KeyError(f"No StructField named {key}")
        return self.fields[key]

    def __repr__(self) -> str:
        return f"StructType([{', '.join(repr(f) for f in self.fields)}])"


#: Each simple type by every name Spark reads it by (`bigint`, `long`, …).
_SIMPLE: dict[str, type] = {
    name: globals()[t.spark_class] for t in TYPE_NAMES for name in (t.spark, t.spark_tree, *t.aliases)
}


def _split_top_level(text: str) -> list[str]:
    """``text`` cut at the commas outside ``<…>``, ``(…)`` and backticks."""
    parts, depth, start, quoted = [], 0, 0, False
    for i, c in enumerate(text):
        if c == "`":
            quoted = not quoted
        elif quoted:
            continue
        elif c in "<(":
            depth += 1
        elif c in ">)":
            depth -= 1
        elif c == "," and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return [p.strip() for p in parts if p.strip()]


def _field_name_and_type(text: str) -> tuple[str, str]:
    """``name: type``, ``name type`` or ``` `na me` type ``` (a DDL column or struct field)."""
    text = text.strip()
    if text.startswith("`"):
        end = text.index("`", 1)
        name, rest = text[1:end], text[end + 1 :]
    else:
        cut = min((i for i in (text.find(":"), text.find(" ")) if i > 0), default=-1)
        if cut < 0:
            raise ValueError(f"cannot parse the field {text!r}")
        name, rest = text[:cut], text[cut:]
    rest = rest.strip()
    rest = rest[1:].strip() if rest.startswith(":") else rest
    # `NOT NULL` and `COMMENT '…'` change no value.
    rest = re.sub(r"\s+(not\s+null|comment\s+'.*')\s*$", "", rest, flags=re.IGNORECASE)
    return name, rest


def _parse_type(text: str) -> DataType:
    """A DataType from Spark's simple string or DDL type (``bigint``, ``array<int>``,
    ``map<string,int>``, ``struct<a:int,b:string>``, ``decimal(10,2)``)."""
    t = text.strip()
    lower = t.lower()
    if lower in _SIMPLE:
        return _SIMPLE[lower]()
    if lower == "decimal":
        return DecimalType(10, 0)
    if lower.startswith(("decimal(", "dec(", "numeric(")) and lower.endswith(")"):
        p, _, s = lower[lower.index("(") + 1 : -1].partition(",")
        return DecimalType(int(p), int(s or 0))
    if lower.startswith(("varchar(", "char(")):
        return StringType()
    if lower.startswith("array<") and lower.endswith(">"):
        return ArrayType(_parse_type(t[6:-1]))
    if lower.startswith("map<") and lower.endswith(">"):
        key, value = _split_top_level(t[4:-1])
        return MapType(_parse_type(key), _parse_type(value))
    if lower.startswith("struct<") and lower.endswith(">"):
        return StructType(
            [StructField(n, _parse_type(ft)) for n, ft in map(_field_name_and_type, _split_top_level(t[7:-1]))]
        )
    from glueless.exceptions import SqlError

    raise SqlError(f'[UNSUPPORTED_DATATYPE] Unsupported data type "{text.strip().upper()}".')


def _parse_schema(text: str) -> DataType:
    """A schema as ``createDataFrame`` and ``from_json`` read one: a DDL column list
    (``a INT, b STRING`` or ``a: int, b: string``), ``struct<…>``, or one type."""
    try:
        return _parse_type(text)
    except Exception:  # noqa: BLE001 - not one type: a column list
        pass
    return StructType([StructField(n, _parse_type(ft)) for n, ft in map(_field_name_and_type, _split_top_level(text))])


class Row(tuple):
    """``pyspark.sql.Row``: a tuple whose fields are also attributes (``row.email``)."""

    __fields__: tuple[str, ...]

    def __new__(cls, *args: Any, **kwargs: Any) -> Row:
        if args and kwargs:
            raise ValueError("Can not use both args and kwargs to create Row")
        if kwargs:
            row = tuple.__new__(cls, tuple(kwargs.values()))
            row.__fields__ = tuple(kwargs)
            return row
        row = tuple.__new__(cls, args)
        row.__fields__ = ()
        return row

    def __call__(self, *values: Any) -> Row:
        """``Person = Row("name", "age"); Person("Alice", 11)``: a row of these fields."""
        if len(values) > len(self):
            raise ValueError(f"Can not create Row with fields {self}, expected {len(self)} values but got {values}")
        return Row._make(list(self), list(values))

    @classmethod
    def _make(cls, names: list[str], values: list[Any]) -> Row:
        row = tuple.__new__(cls, values)
        row.__fields__ = tuple(names)
        return row

    def asDict(self, recursive: bool = False) -> dict[str, Any]:
        """The row as a dict; with ``recursive``, nested Rows (in lists and dicts too) as dicts."""
        if not recursive:
            return dict(zip(self.__fields__, self))

        def plain(value: Any) -> Any:
            if isinstance(value, Row):
                return value.asDict(True)
            if isinstance(value, list):
                return [plain(v) for v in value]
            if isinstance(value, dict):
                return {k: plain(v) for k, v in value.items()}
            return value

        return {name: plain(value) for name, value in zip(self.__fields__, self)}

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        try:
            return self[self.__fields__.index(name)]
        except ValueError:
            raise AttributeError(name) from None

    def __getitem__(self, key: Any) -> Any:  # type: ignore[override]
        if isinstance(key, str):
            try:
                return tuple.__getitem__(self, self.__fields__.index(key))
            except ValueError:
                raise ValueError(key) from None
        return tuple.__getitem__(self, key)

    def __repr__(self) -> str:
        if self.__fields__:
            return "Row(" + ", ".join(f"{k}={v!r}" for k, v in zip(self.__fields__, self)) + ")"
        return "<Row(" + ", ".join(repr(v) for v in self) + ")>"
