"""Python UDFs: ``pyspark.sql.functions.udf`` and ``spark.udf.register``. The function runs once
per row inside the query (the core takes the GIL for the calls only), with PySpark's argument types
(``Row`` for structs, ``dict`` for maps, ``datetime``, ``Decimal``) and its result converted to
the declared type; a result of another kind is NULL, as Spark's pickled UDFs give."""

from __future__ import annotations

import itertools
import re
from typing import Any, Callable, Optional

from glueless.compat import _run
from glueless.compat._unsupported import Surface, unsupported
from glueless.compat.pyspark.sql.column import Column
from glueless.compat.pyspark.sql.types import DataType, Row, StringType, _parse_type

_IDS = itertools.count(1)


def _type_name(return_type: Any) -> str:
    if return_type is None:
        return StringType().simpleString()
    if isinstance(return_type, str):
        return _parse_type(return_type).simpleString()
    if isinstance(return_type, DataType):
        return return_type.simpleString()
    raise TypeError(f"returnType should be a DataType or a DDL string, got {type(return_type).__name__}")


class UserDefinedFunction:
    """A Python function callable on Columns (``my_udf(df.x)``)."""

    def __init__(self, func: Callable[..., Any], returnType: Any = None, name: Optional[str] = None) -> None:
        self.func = func
        self.returnType = _parse_type(_type_name(returnType))
        self._name: str = name or str(getattr(func, "__name__", "udf"))
        self.deterministic = True
        safe = re.sub(r"\W", "_", self._name)
        self._sql_name = f"__glueless_udf{next(_IDS)}_{safe}".lower()
        self._registered_in: Optional[object] = None
        self.__name__ = self._name
        self.__doc__ = getattr(func, "__doc__", None)

    def _register(self, sql_name: Optional[str] = None) -> str:
        session = _run.current().session
        name = sql_name or self._sql_name
        if sql_name is not None or self._registered_in is not session:
            session.register_python_udf(name, self.func, Row._make, self.returnType.simpleString())
            if sql_name is None:
                self._registered_in = session
        return name

    def __call__(self, *cols: Any) -> Column:
        name = self._register()
        args = [Column.of(c) for c in cols]
        frames: frozenset[int] = frozenset()
        for a in args:
            frames |= a._frames
        column = Column(lambda r: f"{name}({', '.join(a.sql(r) for a in args)})", None, frames)
        # Spark names the column after the function and its arguments' names.
        if all(a._name is not None for a in args):
            column._alias = f"{self._name}({', '.join(str(a._name) for a in args)})"
        return column

    def asNondeterministic(self) -> UserDefinedFunction:
        self.deterministic = False
        return self


def udf(f: Any = None, returnType: Any = None, *, useArrow: Optional[bool] = None) -> Any:
    """``udf(f, returnType)``, ``@udf``, ``@udf(returnType=…)`` or ``@udf("int")``."""
    if useArrow:
        unsupported("pyspark.sql.functions.udf", "useArrow=True")
    if f is None or isinstance(f, (str, DataType)):
        return_type = f if f is not None else returnType
        return lambda func: UserDefinedFunction(func, return_type)
    return UserDefinedFunction(f, returnType)


class UDFRegistration(Surface):
    """``spark.udf``: Python functions registered for SQL by name."""

    _api_name = "UDFRegistration"

    def register(self, name: str, f: Any, returnType: Any = None) -> UserDefinedFunction:
        if isinstance(f, UserDefinedFunction):
            if returnType is not None:
                raise TypeError("Invalid return type: data type can not be specified when f is a user-defined function")
            function = UserDefinedFunction(f.func, f.returnType, name)
        else:
            function = UserDefinedFunction(f, returnType, name)
        function._register(name.lower())
        return function
