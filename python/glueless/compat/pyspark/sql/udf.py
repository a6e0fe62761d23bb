"""Python UDFs: ``pyspark.sql.functions.udf`` and ``spark.udf.register``. The function runs once
per row inside the query (the core takes the GIL for the calls only), with PySpark's argument types
(``Row`` for structs, ``dict`` for maps, ``datetime``, ``Decimal``) and its result converted to
the declared type; a result of another kind is NULL, as Spark's pickled UDFs give."""

from __future__ import annotations

import inspect
import itertools
import re
import sys
import typing
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


class PandasUDFType:
    """``pyspark.sql.functions.PandasUDFType``: the evaluation types of pandas UDFs
    (``pyspark.util.PythonEvalType``'s numbers)."""

    SCALAR = 200
    SCALAR_ITER = 204
    GROUPED_MAP = 201
    GROUPED_AGG = 202
    GROUPED_AGG_ITER = 217


class ArrowUDFType:
    """``pyspark.sql.functions.ArrowUDFType``: the evaluation types of Arrow UDFs."""

    SCALAR = 250
    SCALAR_ITER = 251
    GROUPED_AGG = 252
    GROUPED_AGG_ITER = 254


#: ``PythonEvalType.SQL_BATCHED_UDF``: a function of values (not of pandas Series or Arrow arrays).
_BATCHED_UDF = 100


def _vectorized_type(func: Callable[..., Any]) -> Optional[int]:
    """PySpark 4.1's ``udf`` of a function whose type hints are pandas Series or Arrow arrays
    (``def f(a: pd.Series) -> pd.Series``) is vectorized: refused (None for a function of values)."""
    try:
        spec = inspect.getfullargspec(func)
    except TypeError:
        return None
    if not spec.args or not spec.annotations:
        return None
    try:
        hints = typing.get_type_hints(func)
    except Exception:  # noqa: BLE001 - PySpark reads the hints it can, as written otherwise
        hints = {}
    signature = inspect.signature(func)
    params = [hints.get(p.name, p.annotation) for p in signature.parameters.values()]
    returned = hints.get("return", signature.return_annotation)
    # Annotations of pandas or Arrow types mean those modules are imported already.
    pd, pa = sys.modules.get("pandas"), sys.modules.get("pyarrow")
    vectors = [
        t for t in (getattr(pd, "Series", None), getattr(pd, "DataFrame", None), getattr(pa, "Array", None)) if t
    ]

    def vectorized(annotation: Any) -> bool:
        return any(annotation == t for t in vectors) or any(vectorized(a) for a in typing.get_args(annotation))

    if not any(vectorized(a) for a in [*params, returned]):
        return None
    if any(a is inspect.Parameter.empty for a in params) or returned is inspect.Signature.empty:
        return None  # PySpark warns that it cannot infer the type, and calls the function per row
    # Spark hands such a function batches of rows, and what it returns may depend on the batch
    # (`s - s.mean()`): glueless calls Python UDFs a row at a time, so it refuses them.
    unsupported(
        "pyspark.sql.functions.udf",
        f"a vectorized function (type hints {signature}); glueless calls Python UDFs one row at a time",
    )


class UserDefinedFunction:
    """A Python function callable on Columns (``my_udf(df.x)``, ``my_udf(b=df.y, a=df.x)``)."""

    def __init__(
        self,
        func: Callable[..., Any],
        returnType: Any = None,
        name: Optional[str] = None,
        evalType: Optional[int] = None,
    ) -> None:
        self.func = func
        self.returnType = _parse_type(_type_name(returnType))
        self._name: str = name or str(getattr(func, "__name__", "udf"))
        self.evalType = _BATCHED_UDF if evalType is None else evalType
        self.deterministic = True
        safe = re.sub(r"\W", "_", self._name)
        self._sql_name = f"__glueless_udf{next(_IDS)}_{safe}".lower()
        #: The SQL function of each keyword form of a call (the keywords' names; () for none).
        self._forms: dict[tuple[str, ...], str] = {}
        #: The session each form is registered in.
        self._registered_in: dict[tuple[str, ...], object] = {}
        self.__name__ = self._name
        self.__doc__ = getattr(func, "__doc__", None)

    def _python(self, keywords: tuple[str, ...] = ()) -> Callable[..., Any]:
        """The Python function the SQL function calls: its arguments the call's, those named
        ``keywords`` last."""
        row = self.func
        if not keywords:
            return row

        def by_keyword(*values: Any) -> Any:
            given = len(values) - len(keywords)
            return row(*values[:given], **dict(zip(keywords, values[given:])))

        return by_keyword

    def _register(self, sql_name: Optional[str] = None, keywords: tuple[str, ...] = ()) -> str:
        session = _run.current().session
        if sql_name is not None:
            session.register_python_udf(sql_name, self._python(), Row._make, self.returnType.simpleString())
            return sql_name
        name = self._forms.get(keywords) or (
            self._sql_name if not keywords else f"{self._sql_name}_kw{len(self._forms)}"
        )
        self._forms[keywords] = name
        if self._registered_in.get(keywords) is not session:
            session.register_python_udf(name, self._python(keywords), Row._make, self.returnType.simpleString())
            self._registered_in[keywords] = session
        return name

    def __call__(self, *cols: Any, **kwargs: Any) -> Column:
        keywords = tuple(kwargs)
        name = self._register(keywords=keywords)
        args = [Column.of(c) for c in cols] + [Column.of(c) for c in kwargs.values()]
        frames: frozenset[int] = frozenset()
        for a in args:
            frames |= a._frames
        column = Column(lambda r: f"{name}({', '.join(a.sql(r) for a in args)})", None, frames)
        prefixes = [""] * len(cols) + [f"{k} => " for k in keywords]

        # Spark names the column after the function and its arguments' names (``f(b => (id * 10))``).
        def spark_name(names: Callable[[list[Column]], list[str]]) -> str:
            return f"{self._name}({', '.join(p + n for p, n in zip(prefixes, names(args)))})"

        if all(a._name is not None for a in args):
            column._alias = spark_name(lambda cs: [str(c._name) for c in cs])
        else:
            column._spark_name = spark_name
        return column

    def asNondeterministic(self) -> UserDefinedFunction:
        self.deterministic = False
        return self


def udf(f: Any = None, returnType: Any = None, *, useArrow: Optional[bool] = None) -> Any:
    """``udf(f, returnType)``, ``@udf``, ``@udf(returnType=…)`` or ``@udf("int")``; a function with
    pandas or Arrow type hints is vectorized (PySpark 4.1), as PySpark infers it when ``useArrow``
    is not given."""
    if useArrow:
        unsupported("pyspark.sql.functions.udf", "useArrow=True")

    def make(func: Callable[..., Any], return_type: Any) -> UserDefinedFunction:
        eval_type = _vectorized_type(func) if useArrow is None else None
        return UserDefinedFunction(func, return_type, evalType=eval_type)

    if f is None or isinstance(f, (str, DataType)):
        return_type = f if f is not None else returnType
        return lambda func: make(func, return_type)
    return make(f, returnType)


class UDFRegistration(Surface):
    """``spark.udf``: Python functions registered for SQL by name."""

    _api_name = "UDFRegistration"

    def register(self, name: str, f: Any, returnType: Any = None) -> UserDefinedFunction:
        if isinstance(f, UserDefinedFunction):
            if returnType is not None:
                raise TypeError("Invalid return type: data type can not be specified when f is a user-defined function")
            function = UserDefinedFunction(f.func, f.returnType, name, f.evalType)
        else:
            function = UserDefinedFunction(f, returnType, name)
        function._register(name.lower())
        return function
