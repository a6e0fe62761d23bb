"""``pyspark.sql.DataFrame`` on a glueless plan: each call adds a node, actions run in Rust."""

from __future__ import annotations

import itertools
import json
import random
import re
from typing import Any, Optional, Union

from glueless._glueless import Frame
from glueless.compat._unsupported import Surface, unsupported
from glueless.compat.pyspark.errors import PySparkIndexError, PySparkTypeError, PySparkValueError
from glueless.compat.pyspark.sql import na, relational
from glueless.compat.pyspark.sql.column import (
    STAR_ARGUMENT,
    Column,
    attribute_parts,
    literal_sql,
    quote,
    render_parts,
)
from glueless.compat.pyspark.sql.types import Row, StructField, StructType, _parse_type, is_numeric
from glueless.compat.pyspark.storagelevel import StorageLevel

_IDS = itertools.count(1)


def _seed(seed: Optional[int]) -> int:
    """A sampling seed: the given one as Spark's long, else a random one (Spark's default)."""
    if seed is None:
        return random.randrange(-(2**63), 2**63)
    return (int(seed) + 2**63) % 2**64 - 2**63


def _view(frame_id: int) -> str:
    return f"__glueless_f{frame_id}"


class DataFrame(Surface):
    """A lazy Spark DataFrame."""

    _api_name = "DataFrame"
    isStreaming = False

    def __init__(self, frame: Frame, session: Any) -> None:
        self._frame = frame
        self.sparkSession = session
        self._id = next(_IDS)
        #: For a join's result: where each joined frame's columns are (frame id -> positions).
        self._sides: dict[int, range] = {}
        #: For a join's result: its two sides, condition (SQL over their relations) and type.
        self._join: Optional[tuple[DataFrame, DataFrame, Optional[str], str]] = None
        #: For a sorted join's result: its sort keys (SQL over the join's relations, and ``ASC``,
        #: ``DESC NULLS LAST``, … or nothing), the first first.
        self._join_order: list[tuple[str, str]] = []
        #: The name ``alias(...)`` gave the rows (a join qualifies their columns by it).
        self._alias: Optional[str] = None
        #: For a select over a join: where a side's column it kept is (relation, name -> position).
        self._qualified: dict[tuple[str, str], int] = {}
        #: The files the rows are read from (``inputFiles``).
        self._inputs: tuple[str, ...] = ()

    # --- columns ------------------------------------------------------------------------------
    @property
    def columns(self) -> list[str]:
        return list(self._frame.columns)

    @property
    def dtypes(self) -> list[tuple[str, str]]:
        return [(name, spark) for name, spark, _glue, _null in self._frame.fields()]

    @property
    def schema(self) -> StructType:
        return StructType(
            [
                StructField(n, _parse_type(t), nullable, json.loads(metadata))
                for (n, t, _g, nullable), metadata in zip(self._frame.fields(), self._frame.metadata())
            ]
        )

    def colRegex(self, colName: str) -> Column:
        """The columns whose names match the regular expression (in backticks, as Spark takes it)."""
        pattern = re.compile(colName[1:-1] if colName.startswith("`") and colName.endswith("`") else colName)
        matched = [c for c in self.columns if pattern.fullmatch(c)]
        return Column.raw(", ".join(quote(c) for c in matched), "*")

    def __getitem__(self, item: Any) -> Any:
        if isinstance(item, str) and item == "*":
            # This frame's columns: by position in a join of it (``joined.select(left["*"])``),
            # else by name (a name both sides of a join have is an ambiguous reference then).
            star = Column.raw(", ".join(quote(c) for c in self.columns), "*")
            star._star_of = self._id
            return star
        if isinstance(item, str):
            parts = attribute_parts(item)
            if len(parts) == 1:
                return Column.ref(self._frame.resolve(parts[0]), self._id)
            # A qualified name or a struct field: resolved where it is used.
            return Column.ref(item)
        if isinstance(item, Column):
            return self.filter(item)
        if isinstance(item, (list, tuple)):
            return self.select(*item)
        if isinstance(item, int):
            # PySpark 4: the column at that (0-based) position.
            return self[self.columns[item]]
        unsupported("DataFrame.__getitem__", f"an index of type {type(item).__name__}")

    def __getattr__(self, name: str) -> Any:
        if not name.startswith("_") and name in self._frame.columns:
            return Column.ref(name, self._id)
        return super().__getattr__(name)

    def _new(self, frame: Frame, *others: DataFrame) -> DataFrame:
        """A frame derived from this one (and ``others``): it keeps their alias and input files."""
        derived = DataFrame(frame, self.sparkSession)
        derived._alias = self._alias if not others else None
        derived._inputs = tuple(dict.fromkeys(f for df in (self, *others) for f in df._inputs))
        return derived

    def _relation(self) -> str:
        """The name this frame's rows have as one side of a join."""
        return self._alias or _view(self._id)

    def _star_refs(self, frame: Optional[int], parts: tuple[str, ...]) -> str:
        """References as this frame writes them: a call's ``*`` argument is its columns."""
        if frame == STAR_ARGUMENT:
            return ", ".join(quote(c) for c in self.columns)
        return render_parts(parts)

    def _sql(self, c: Any) -> str:
        """A column of this frame as SQL (its own references unqualified)."""
        generator = getattr(c, "_generator", None)
        if generator is None:
            column = Column.of(c)
            if column._alias is None and column._spark_name is not None:
                column = column.alias(column._spark_name(self._names_of))
            return column.selected(self._star_refs)
        name, arg = generator
        arg_type = self._type_of(arg)
        # The generator's call is written around its argument: head, argument, tail.
        head, tail = f"{name}(", ")"
        if arg_type.startswith("map<") and "explode" in name:
            # A map's entries are two columns (key, value): the SQL names the map form.
            head = "__" + name.replace("explode", "explode_map") + "("
        elif name.startswith("inline"):
            # A struct's fields are the columns: the SQL names them.
            element = _parse_type(arg_type)
            fields = [f.name for f in getattr(getattr(element, "elementType", None), "fields", [])]
            head, tail = f"__{name}(", "".join(f", {literal_sql(f)}" for f in fields) + ")"
        if c._generator_names:
            head = "__generator_as(" + head
            tail += "".join(f", {literal_sql(n)}" for n in c._generator_names) + ")"
        return Column(lambda r: f"{head}{arg.sql(r)}{tail}", None, arg._frames).selected()

    def _names_of(self, cols: list[Column]) -> list[str]:
        """The names Spark gives ``cols`` selected from this frame (planned, not run)."""
        return self._frame.select([c.selected() for c in cols]).columns if cols else []

    def _type_of(self, c: Column) -> str:
        """Spark's name of the type of a column of this frame (planned, not run)."""
        ref = getattr(c, "_ref", None)
        if ref is not None and ref in self._frame.columns:
            return dict(self.dtypes).get(ref, "")
        return self._frame.select([c.sql()]).fields()[0][1]

    # --- transformations ----------------------------------------------------------------------
    def select(self, *cols: Any) -> DataFrame:
        if len(cols) == 1 and isinstance(cols[0], (list, tuple)):
            cols = tuple(cols[0])
        # Only joined sides' stars (`joined.select(left["*"])`): taken by position.
        stars = [getattr(c, "_star_of", None) for c in cols]
        sides = [self._sides[s] for s in stars if s is not None and s in self._sides]
        if cols and len(sides) == len(cols):
            return self._new(self._frame.select_positions([i for side in sides for i in side]))
        selected = self._select_over_join(cols) or self._new(self._frame.select([self._sql(c) for c in cols]))
        for c in cols:
            if isinstance(c, Column) and c._metadata is not None and c._alias is not None:
                selected = selected.withMetadata(c._alias, c._metadata)
        return selected

    def _select_over_join(self, cols: tuple[Any, ...]) -> Optional[DataFrame]:
        """A select on a join's result naming a side's column that both sides have (``df.name``)
        or a column by a side's alias (``col("a.name")``): planned over the join itself, where each
        side's relation name qualifies its columns, as Spark resolves them by lineage."""
        if self._join is None or any(getattr(c, "_generator", None) for c in cols):
            return None
        refs = _SideReferences(self)
        items, qualified = [], {}
        for position, c in enumerate(cols):
            refs.seen.clear()
            items.append(Column.of(c).selected(refs))
            if len(refs.seen) == 1 and items[-1] == refs.seen[0][2]:
                qualified[refs.seen[0][:2]] = position
        if not refs.needed:
            return None
        selected = self._new(self._over_join(items, self._join_order), self._join[1])
        selected._qualified = qualified
        return selected

    def _over_join(self, items: list[str], order: list[tuple[str, str]]) -> Frame:
        """The select ``items`` (SQL over the join's relations) planned over this join itself,
        sorted by ``order`` (see ``_join_order``): each key a hidden column of the select."""
        assert self._join is not None
        left, other, condition, how = self._join
        hidden = [f"__glueless_order{i}" for i in range(len(order))]
        keys = [f"{e} AS {quote(h)}" for (e, _), h in zip(order, hidden)]
        frame = left._frame.join_on(other._frame, condition, how, left._relation(), other._relation(), items + keys)
        if not hidden:
            return frame
        sort = [f"{quote(h)} {o}".rstrip() for (_, o), h in zip(order, hidden)]
        return frame.order_by(sort).select_positions(list(range(len(frame.columns) - len(hidden))))

    def selectExpr(self, *exprs: str) -> DataFrame:
        if len(exprs) == 1 and isinstance(exprs[0], (list, tuple)):
            exprs = tuple(exprs[0])
        return self._new(self._frame.select(list(exprs)))

    def filter(self, condition: Union[Column, str]) -> DataFrame:
        text = condition if isinstance(condition, str) else condition.sql()
        return self._new(self._frame.filter(text))

    where = filter

    def withColumn(self, colName: str, col: Column) -> DataFrame:
        added = self._new(self._frame.with_column(colName, Column.of(col).sql()))
        metadata = getattr(col, "_metadata", None)
        return added if metadata is None else added.withMetadata(colName, metadata)

    def withMetadata(self, columnName: str, metadata: dict[str, Any]) -> DataFrame:
        """The column with Spark's ``metadata`` (a JSON-able dict, ``schema[name].metadata``)."""
        if not isinstance(metadata, dict):
            raise TypeError(f"[NOT_DICT] Argument `metadata` should be a dict, got {type(metadata).__name__}.")
        return self._new(self._frame.with_metadata(columnName, json.dumps(metadata)))

    def withColumns(self, colsMap: dict[str, Column]) -> DataFrame:
        df = self
        for name, c in colsMap.items():
            df = df.withColumn(name, c)
        return df

    def withColumnRenamed(self, existing: str, new: str) -> DataFrame:
        return self._new(self._frame.rename(existing, new))

    def drop(self, *cols: Any) -> DataFrame:
        names = []
        for c in cols:
            if isinstance(c, Column):
                if c._name is None:
                    unsupported("DataFrame.drop", "a column expression; pass a name or df.column")
                names.append(c._name)
            else:
                names.append(c)
        return self._new(self._frame.drop(names))

    def distinct(self) -> DataFrame:
        return self._new(self._frame.distinct())

    def dropDuplicates(self, subset: Optional[list[str]] = None) -> DataFrame:
        if isinstance(subset, str):
            subset = [subset]
        return self._new(self._frame.drop_duplicates(list(subset or [])))

    drop_duplicates = dropDuplicates

    def join(self, other: DataFrame, on: Any = None, how: Optional[str] = None) -> DataFrame:
        how = how or "inner"
        if on is None:
            how = "cross" if how == "inner" else how
            return self._joined(
                self._frame.join_on(other._frame, None, how, self._relation(), other._relation()), other, how
            )
        if isinstance(on, str):
            on = [on]
        if isinstance(on, (list, tuple)) and all(isinstance(k, str) for k in on):
            return self._new(self._frame.join_using(other._frame, list(on), how), other)
        conditions = list(on) if isinstance(on, (list, tuple)) else [on]
        condition = conditions[0]
        for extra in conditions[1:]:
            condition = condition & extra
        relations = {self._id: self._relation(), other._id: other._relation()}

        def refs(frame: Optional[int], parts: tuple[str, ...]) -> str:
            if frame in relations:
                return f"{quote(relations[frame])}.{render_parts(parts)}"
            return render_parts(parts)

        condition_sql = condition.sql(refs)
        return self._joined(
            self._frame.join_on(other._frame, condition_sql, how, self._relation(), other._relation()),
            other,
            how,
            condition_sql,
        )

    def _joined(self, frame: Frame, other: DataFrame, how: str, condition: Optional[str] = None) -> DataFrame:
        """A join's result, which keeps this frame's columns and then (but in a semi or anti
        join) the other's: it remembers where each side's are."""
        joined = self._new(frame, other)
        width = len(self.columns)
        joined._sides = {**self._sides, self._id: range(width)}
        if how.lower().replace("_", "") not in ("leftsemi", "semi", "leftanti", "anti"):
            joined._join = (self, other, condition, how)
            joined._sides[other._id] = range(width, width + len(other.columns))
            joined._sides.update({k: range(r.start + width, r.stop + width) for k, r in other._sides.items()})
        return joined

    def crossJoin(self, other: DataFrame) -> DataFrame:
        return self._joined(
            self._frame.join_on(other._frame, None, "cross", self._relation(), other._relation()), other, "cross"
        )

    def groupBy(self, *cols: Any) -> GroupedData:
        return GroupedData(self, [self._sql(c) for c in self._ordinal_columns(cols)])

    groupby = groupBy

    def agg(self, *exprs: Any) -> DataFrame:
        return self.groupBy().agg(*exprs)

    def _ordinal_columns(self, cols: tuple[Any, ...]) -> list[Any]:
        """Grouping columns as PySpark 4 takes them: one list is the columns; an int is the column
        at that 1-based position."""
        if len(cols) == 1 and isinstance(cols[0], (list, tuple)):
            cols = tuple(cols[0])
        columns: list[Any] = []
        for c in cols:
            if isinstance(c, int) and not isinstance(c, bool):
                if c < 1:
                    raise PySparkIndexError(f"[INDEX_NOT_POSITIVE] Index must be positive, got '{c}'.")
                c = self[c - 1]
            columns.append(c)
        return columns

    def orderBy(self, *cols: Any, **kwargs: Any) -> DataFrame:
        keys = self._sort_columns(cols, kwargs)
        if self._join is not None:
            return self._sorted_join(keys)
        return self._new(self._frame.order_by([self._sort_key(k) for k in keys]))

    sort = orderBy

    def _sort_columns(self, cols: tuple[Any, ...], kwargs: dict[str, Any]) -> list[Column]:
        """PySpark's sort keys: columns, names, or 1-based column positions (negative: descending),
        each descending where ``ascending`` (one flag or one per key) says so."""
        if not cols:
            raise PySparkValueError("[CANNOT_BE_EMPTY] At least one cols must be specified.")
        if len(cols) == 1 and isinstance(cols[0], (list, tuple)):
            cols = tuple(cols[0])

        def key(c: Any) -> Column:
            if isinstance(c, int) and not isinstance(c, bool):
                if c > 0:
                    return Column.of(self[c - 1])
                if c < 0:
                    return Column.of(self[-c - 1]).desc()
                raise PySparkIndexError("[ZERO_INDEX] Index must be non-zero.")
            if isinstance(c, (Column, str)):
                return Column.of(c)
            raise PySparkTypeError(
                f"[NOT_EXPECTED_TYPE] Argument `col` should be Column, int or str, got {type(c).__name__}."
            )

        keys = [key(c) for c in cols]
        ascending = kwargs.get("ascending", True)
        if isinstance(ascending, (bool, int)):
            return keys if ascending else [k.desc() for k in keys]
        if isinstance(ascending, list):
            return [k if a else k.desc() for a, k in zip(ascending, keys)]
        raise PySparkTypeError(
            f"[NOT_EXPECTED_TYPE] Argument `ascending` should be Column, int or str, got {type(ascending).__name__}."
        )

    def _sorted_join(self, keys: list[Column]) -> DataFrame:
        """A join's result sorted: where a key names a column both sides have (``desc(df.name)``) or
        a side's column by its alias (``desc("a.name")``), planned over the join itself (each
        side's columns qualified by its relation, as Spark resolves them by lineage). The result
        remembers the join and its keys, so a select of a side's column keeps the order."""
        refs = _SideReferences(self)
        order = [(k.sql(refs), "") if k._sorted is None else (k._sorted[0].sql(refs), k._sorted[1]) for k in keys]
        order += self._join_order
        if refs.needed:
            assert self._join is not None
            sides = (self._join[0]._relation(), self._join[1]._relation())
            frame = self._over_join([f"{quote(side)}.*" for side in sides], order)
        else:
            frame = self._frame.order_by([self._sort_key(k) for k in keys])
        sorted_join = self._new(frame)
        sorted_join._sides, sorted_join._join, sorted_join._join_order = dict(self._sides), self._join, order
        return sorted_join

    def _sort_key(self, c: Any) -> str:
        """A sort key as SQL; a join side's column this select kept (``sort(desc("a.name"))``
        after ``select("a.name", "b.name")``) by its position, as Spark resolves it by lineage."""
        positions: list[int] = []

        def refs(frame: Optional[int], parts: tuple[str, ...]) -> str:
            key = (parts[0].lower(), parts[1].lower()) if len(parts) == 2 else None
            if frame is None and key in self._qualified:
                positions.append(self._qualified[key])
                return str(self._qualified[key] + 1)
            return render_parts(parts)

        text = Column.of(c).sql(refs)
        if positions and not re.fullmatch(r"\d+( ASC| DESC)?( NULLS (FIRST|LAST))?", text):
            unsupported("DataFrame.orderBy", "an expression of a join side's column by its alias; sort by the column")
        return text

    def sample(self, withReplacement: Any = None, fraction: Any = None, seed: Optional[int] = None) -> DataFrame:
        """Spark's Bernoulli sample of the rows (``sample(0.5)``, ``sample(False, 0.5, 3)``,
        ``sample(fraction=0.5, seed=3)``): the rows Spark keeps where its input is one partition;
        with more partitions Spark restarts the draws in each, so its rows differ."""
        given = isinstance(withReplacement, bool) and isinstance(fraction, float)
        by_keyword = withReplacement is None and isinstance(fraction, float)
        positional = isinstance(withReplacement, float)
        if not (given or by_keyword or positional):
            raise TypeError(
                "withReplacement (optional), fraction (required) and seed (optional) should be a bool, float and "
                f"number; however, got [{type(withReplacement).__name__}, {type(fraction).__name__}, "
                f"{type(seed).__name__}]."
            )
        if positional:
            seed = fraction if fraction is not None else seed
            withReplacement, fraction = None, withReplacement
        assert isinstance(fraction, float)
        if withReplacement:
            unsupported("DataFrame.sample(withReplacement=True)", "Spark's Poisson sampler is not reproduced")
        if not 0.0 <= fraction <= 1.0:
            raise ValueError(
                f"requirement failed: Sampling fraction ({fraction}) must be on interval [0, 1] without replacement"
            )
        return relational.sampled(self, (0.0, fraction), _seed(None if seed is None else int(seed)), ordered=False)

    def randomSplit(self, weights: list[float], seed: Optional[int] = None) -> list[DataFrame]:
        """Spark's ``randomSplit``: the rows sorted by every orderable column, then split by one draw
        each into ranges of the normalised weights (disjoint, together every row); the splits are
        Spark's where its input is one partition."""
        for w in weights:
            if w < 0.0:
                raise ValueError(f"Weights must be positive. Found weight value: {w}")
        total = float(sum(weights))
        if total <= 0:
            raise ValueError("requirement failed: Sum of weights must be positive, but got " + repr(list(weights)))
        bounds = list(itertools.accumulate((w / total for w in weights), initial=0.0))
        chosen = _seed(seed)
        return [relational.sampled(self, (lo, hi), chosen, ordered=True) for lo, hi in zip(bounds, bounds[1:])]

    def limit(self, num: int) -> DataFrame:
        return self._new(self._frame.limit(num))

    def union(self, other: DataFrame) -> DataFrame:
        return relational.union_in_order(self, other, False) or self._new(self._frame.union(other._frame, False), other)

    unionAll = union

    def unionByName(self, other: DataFrame, allowMissingColumns: bool = False) -> DataFrame:
        if allowMissingColumns:
            return relational.union_by_name_filling(self, other)
        return relational.union_in_order(self, other, True) or self._new(self._frame.union(other._frame, True), other)

    def unpivot(self, ids: Any, values: Any, variableColumnName: str, valueColumnName: str) -> DataFrame:
        return relational.unpivot(self, ids, values, variableColumnName, valueColumnName)

    melt = unpivot

    def to(self, schema: StructType) -> DataFrame:
        return relational.conform(self, schema)

    @property
    def stat(self) -> DataFrameStatFunctions:
        return DataFrameStatFunctions(self)

    def corr(self, col1: str, col2: str, method: Optional[str] = None) -> Optional[float]:
        return self.stat.corr(col1, col2, method)

    def cov(self, col1: str, col2: str) -> Optional[float]:
        return self.stat.cov(col1, col2)

    def crosstab(self, col1: str, col2: str) -> DataFrame:
        return self.stat.crosstab(col1, col2)  # type: ignore[no-any-return]

    def approxQuantile(self, col: Any, probabilities: Any, relativeError: float) -> Any:
        return self.stat.approxQuantile(col, probabilities, relativeError)

    def transform(self, func: Any, *args: Any, **kwargs: Any) -> DataFrame:
        result: DataFrame = func(self, *args, **kwargs)
        return result

    def withColumnsRenamed(self, colsMap: dict[str, str]) -> DataFrame:
        df = self
        for old, new in colsMap.items():
            df = df.withColumnRenamed(old, new)
        return df

    def sortWithinPartitions(self, *cols: Any, **kwargs: Any) -> DataFrame:
        # glueless runs a query as one partition: sorting within it is sorting.
        return self.orderBy(*cols, **kwargs)

    def tail(self, num: int) -> list[Row]:
        rows = self.collect()
        return rows[-num:] if num > 0 else []

    def toLocalIterator(self, prefetchPartitions: bool = False) -> Any:
        return iter(self.collect())

    def exceptAll(self, other: DataFrame) -> DataFrame:
        return relational.set_operation(self, other, "EXCEPT ALL")

    def subtract(self, other: DataFrame) -> DataFrame:
        return relational.set_operation(self, other, "EXCEPT")

    def intersect(self, other: DataFrame) -> DataFrame:
        return relational.set_operation(self, other, "INTERSECT")

    def intersectAll(self, other: DataFrame) -> DataFrame:
        return relational.set_operation(self, other, "INTERSECT ALL")

    def offset(self, num: int) -> DataFrame:
        return relational.offset(self, num)

    def describe(self, *cols: Any) -> DataFrame:
        return relational.describe(self, cols)

    def cube(self, *cols: Any) -> GroupedData:
        keys = [Column.of(c) for c in self._ordinal_columns(cols)]
        return GroupedData(self, [], (keys, f"CUBE({', '.join(k.sql() for k in keys)})"))

    def rollup(self, *cols: Any) -> GroupedData:
        keys = [Column.of(c) for c in self._ordinal_columns(cols)]
        return GroupedData(self, [], (keys, f"ROLLUP({', '.join(k.sql() for k in keys)})"))

    def groupingSets(self, groupingSets: Any, *cols: Any) -> GroupedData:
        keys = [Column.of(c) for c in self._ordinal_columns(cols)]
        sets = ", ".join(
            "(" + ", ".join(Column.of(c).sql() for c in self._ordinal_columns(tuple(s))) + ")" for s in groupingSets
        )
        return GroupedData(self, [], (keys, f"GROUPING SETS ({sets})"))

    def hint(self, name: str, *parameters: Any) -> DataFrame:
        # A hint changes how Spark plans, never the rows.
        return self

    def alias(self, alias: str) -> DataFrame:
        """The rows under the name ``alias``: a join qualifies their columns by it
        (``col("a.name")``)."""
        aliased = self._new(self._frame)
        aliased._alias = alias
        return aliased

    def inputFiles(self) -> list[str]:
        """The files the rows are read from (``file://`` URIs for local files)."""
        return list(self._inputs)

    def cache(self) -> DataFrame:
        return self.persist(StorageLevel.MEMORY_AND_DISK_DESER)

    def persist(self, storageLevel: Optional[StorageLevel] = None) -> DataFrame:
        """Spark would keep the rows at ``storageLevel``; glueless's answers are the same without
        it, so it is only recorded (``storageLevel``)."""
        self._storage_level: Optional[StorageLevel] = storageLevel or StorageLevel.MEMORY_AND_DISK_DESER
        return self

    def isLocal(self) -> bool:
        """Whether ``collect`` runs without executors: glueless always runs in this process."""
        return True

    def checkpoint(self, eager: bool = True) -> DataFrame:
        """The rows computed once (Spark writes them under the checkpoint directory; glueless
        keeps them in memory): later actions, and nondeterministic columns, reuse them."""
        if self.sparkSession.sparkContext.getCheckpointDir() is None:
            from glueless.exceptions import InvalidArgumentError

            raise InvalidArgumentError("Checkpoint directory has not been set in the SparkContext")
        return self.localCheckpoint(eager)

    def localCheckpoint(self, eager: bool = True, storageLevel: Optional[StorageLevel] = None) -> DataFrame:
        """The rows computed once; later actions reuse them."""
        return self._new(self._frame.materialize())

    def explain(self, extended: Any = None, mode: Optional[str] = None) -> None:
        """Print the plans: ``simple`` (the physical plan), ``extended`` (``True``), ``cost``,
        ``formatted`` or ``codegen``, under Spark's headings (the plans are DataFusion's)."""
        if isinstance(extended, str):
            extended, mode = None, extended
        print(self._frame.explain(mode or ("extended" if extended else "simple")))

    def unpersist(self, blocking: bool = False) -> DataFrame:
        self._storage_level = None
        return self

    @property
    def storageLevel(self) -> StorageLevel:
        return getattr(self, "_storage_level", None) or StorageLevel.NONE

    @property
    def is_cached(self) -> bool:
        return getattr(self, "_storage_level", None) is not None

    def repartition(self, *args: Any, **kwargs: Any) -> DataFrame:
        return self

    def coalesce(self, numPartitions: int) -> DataFrame:
        return self

    # --- missing values -----------------------------------------------------------------------
    @property
    def na(self) -> Any:
        return na.DataFrameNaFunctions(self)

    def fillna(self, value: Any, subset: Any = None) -> DataFrame:
        return na.fillna(self, value, subset)

    def dropna(self, how: str = "any", thresh: Optional[int] = None, subset: Any = None) -> DataFrame:
        return na.dropna(self, how, thresh, subset)

    def replace(self, to_replace: Any, value: Any = None, subset: Any = None) -> DataFrame:
        return na.replace(self, to_replace, value, subset)

    def createOrReplaceTempView(self, name: str) -> None:
        self.sparkSession._session.register_view(name, self._frame)

    def createTempView(self, name: str) -> None:
        if name.lower() in self.sparkSession._session.view_names():
            from glueless.exceptions import AnalysisException

            raise AnalysisException(
                f"[TEMP_TABLE_OR_VIEW_ALREADY_EXISTS] Cannot create the temporary view `{name}` "
                "because it already exists."
            )
        self.createOrReplaceTempView(name)

    def createOrReplaceGlobalTempView(self, name: str) -> None:
        self.createOrReplaceTempView(f"global_temp.{name}")

    def createGlobalTempView(self, name: str) -> None:
        self.createTempView(f"global_temp.{name}")

    registerTempTable = createOrReplaceTempView

    # --- actions ------------------------------------------------------------------------------
    def count(self) -> int:
        return self._frame.count()

    def collect(self) -> list[Row]:
        return self._rows(None)

    def take(self, num: int) -> list[Row]:
        return self._rows(num)

    def head(self, n: Optional[int] = None) -> Any:
        if n is None:
            rows = self._rows(1)
            return rows[0] if rows else None
        return self._rows(n)

    def first(self) -> Optional[Row]:
        return self.head()

    def isEmpty(self) -> bool:
        return not self._rows(1)

    def _rows(self, limit: Optional[int]) -> list[Row]:
        # Straight from Arrow, as PySpark's types (Decimal, date, datetime, bytearray, dict, Row).
        rows: list[Row] = self._frame.rows(Row._make, limit)
        return rows

    def toArrow(self) -> Any:
        """The rows as a ``pyarrow.Table``."""
        import pyarrow as pa

        return pa.table(self._frame.collect())

    def toPandas(self) -> Any:
        """The rows as a pandas DataFrame (through Arrow)."""
        try:
            table = self.toArrow()
        except ImportError:
            unsupported("DataFrame.toPandas", 'without pyarrow and pandas (pip install "glueless[spark]")')
        return table.to_pandas()

    def show(self, n: int = 20, truncate: Union[bool, int] = True, vertical: bool = False) -> None:
        width = 20 if truncate is True else (0 if truncate is False else int(truncate))
        # Spark prints the table and then a line break of its own: a blank line follows.
        print(self._frame.show_table(n, width, vertical))

    def printSchema(self, level: Optional[int] = None) -> None:
        tree = self._frame.schema_tree(False)
        if level is not None:
            # Only the fields `level` deep (a line's depth is its count of " |").
            tree = "\n".join(line for line in tree.split("\n") if line.count(" |") <= level)
        print(tree)

    def toDF(self, *names: str) -> DataFrame:
        if len(names) != len(self.columns):
            raise ValueError(f"toDF: {len(names)} names for {len(self.columns)} columns")
        return self.select(*[Column.ref(c).alias(n) for c, n in zip(self.columns, names)])

    @property
    def write(self) -> DataFrameWriter:
        from glueless.compat.pyspark.sql.readwriter import DataFrameWriter

        return DataFrameWriter(self)

    def __repr__(self) -> str:
        return "DataFrame[" + ", ".join(f"{n}: {t}" for n, t in self.dtypes) + "]"


def _aggregate_of(function: str, column: str) -> Column:
    """``function(column)`` (``count(1)`` for ``*``), its column a reference a pivot can wrap."""
    if column == "*":
        return Column.raw(f"{function}(1)")
    return Column(lambda r: f"{function}({r(None, (column,))})")


class _SideReferences:
    """Renders references over a join's two relations (see ``DataFrame._select_over_join``): a
    side's column qualified by its relation's name. ``needed`` once one names a column both sides
    have or a side's column by its alias; ``seen`` lists each such reference (relation, column, SQL)."""

    def __init__(self, joined: DataFrame) -> None:
        assert joined._join is not None
        left, other, _, _ = joined._join
        self.relations = {left._id: left._relation(), other._id: other._relation()}
        self.aliases = {r.lower() for r in self.relations.values()}
        self.lowered = [c.lower() for c in joined.columns]
        self.needed = False
        self.seen: list[tuple[str, str, str]] = []

    def __call__(self, frame: Optional[int], parts: tuple[str, ...]) -> str:
        if frame in self.relations:
            self.needed = self.needed or self.lowered.count(parts[0].lower()) > 1
            text = f"{quote(self.relations[frame])}.{render_parts(parts)}"
            self.seen.append((self.relations[frame].lower(), parts[0].lower(), text))
            return text
        text = render_parts(parts)
        if len(parts) == 2 and parts[0].lower() in self.aliases and parts[0].lower() not in self.lowered:
            self.needed = True
            self.seen.append((parts[0].lower(), parts[1].lower(), text))
        return text


class GroupedData(Surface):
    """``df.groupBy(...)``: aggregations by the grouping columns."""

    _api_name = "GroupedData"

    def __init__(self, df: DataFrame, keys: list[str], grouping: Optional[tuple[list[Column], str]] = None) -> None:
        self._df = df
        self._keys = keys
        #: For cube / rollup / groupingSets: the key columns and the GROUP BY clause.
        self._grouping = grouping
        #: For pivot: the pivot column and its values (None: every value, sorted).
        self._pivot: Optional[tuple[Column, Any]] = None

    def pivot(self, pivot_col: Any, values: Optional[list[Any]] = None) -> GroupedData:
        """One column per value of ``pivot_col`` (or per given value) for each aggregate."""
        if self._grouping is not None:
            unsupported("GroupedData.pivot", "after cube, rollup or groupingSets")
        pivoted = GroupedData(self._df, self._keys)
        pivoted._pivot = (Column.of(pivot_col), values)
        return pivoted

    def agg(self, *exprs: Any) -> DataFrame:
        if len(exprs) == 1 and isinstance(exprs[0], dict):
            exprs = tuple(_aggregate_of(fn, c) for c, fn in exprs[0].items())
        if self._pivot is not None:
            pivot, values = self._pivot
            items = relational.pivoted_aggregates(self._df, pivot, values, [Column.of(e) for e in exprs])
            return self._df._new(self._df._frame.aggregate(self._keys, items))
        if self._grouping is not None:
            keys, clause = self._grouping
            return relational.grouped_aggregate(self._df, keys, clause, [Column.of(e) for e in exprs])
        return self._df._new(self._df._frame.aggregate(self._keys, [Column.of(e).selected() for e in exprs]))

    def count(self) -> DataFrame:
        if self._pivot is not None:
            return self.agg(Column.raw("count(1)"))
        return self.agg(Column.raw("count(1) AS `count`"))

    def _each(self, fn: str, cols: tuple[str, ...]) -> DataFrame:
        if not cols:
            # Every numeric column but the grouping keys, as Spark does.
            keys = {k.strip("`") for k in self._keys}
            cols = tuple(n for n, t in self._df.dtypes if is_numeric(t) and n not in keys)
        return self.agg(*[_aggregate_of(fn, c) for c in cols])

    def sum(self, *cols: str) -> DataFrame:
        return self._each("sum", cols)

    def avg(self, *cols: str) -> DataFrame:
        return self._each("avg", cols)

    mean = avg

    def min(self, *cols: str) -> DataFrame:
        return self._each("min", cols)

    def max(self, *cols: str) -> DataFrame:
        return self._each("max", cols)


def __getattr__(name: str) -> Any:
    # `pyspark.sql.dataframe.DataFrameNaFunctions`, where PySpark keeps it.
    if name == "DataFrameNaFunctions":
        return na.DataFrameNaFunctions
    raise AttributeError(name)


if False:  # pragma: no cover - for type checkers only
    from glueless.compat.pyspark.sql.readwriter import DataFrameWriter  # noqa: F401


class DataFrameStatFunctions(Surface):
    """The statistics of one DataFrame (``df.stat``)."""

    _api_name = "DataFrameStatFunctions"

    def __init__(self, df: Any) -> None:
        self.df = df

    def corr(self, col1: str, col2: str, method: Optional[str] = None) -> Optional[float]:
        """Pearson's correlation of two numeric columns."""
        if method not in (None, "pearson"):
            unsupported("DataFrame.corr", "only the Pearson correlation")
        return relational.statistic(self.df, "corr", col1, col2)

    def cov(self, col1: str, col2: str) -> Optional[float]:
        """The sample covariance of two numeric columns."""
        return relational.statistic(self.df, "covar_samp", col1, col2)

    def crosstab(self, col1: str, col2: str) -> Any:
        """Spark's contingency table: a row per value of ``col1`` (as text, ``null`` for NULL) in
        column ``col1_col2``, a column per value of ``col2`` with the pairs' counts (0 where none).
        Spark orders the columns as its hash aggregate meets the values; glueless by their text."""
        pairs = self.df.selectExpr(
            *(f"coalesce(CAST({quote(c)} AS STRING), 'null') AS {quote(n)}" for c, n in ((col1, "_1"), (col2, "_2")))
        )
        values = sorted(r[0] for r in pairs.select("_2").distinct().collect())
        table = pairs.groupBy("_1").pivot("_2", values).count().fillna(0)
        return table.withColumnRenamed("_1", f"{col1}_{col2}")

    def approxQuantile(
        self, col: Union[str, list[str], tuple[str, ...]], probabilities: Any, relativeError: float
    ) -> Any:
        """Quantiles by Spark's rank rule (``percentile_approx`` with accuracy ``1 / relativeError``;
        exact where ``relativeError`` is 0): a list of floats, or one per column for a list."""
        if relativeError < 0:
            raise ValueError("relativeError should be a non-negative float")
        accuracy = 2**31 - 1 if relativeError == 0 else max(1, int(1 / relativeError))
        columns = [col] if isinstance(col, str) else list(col)
        ps = ", ".join(str(float(p)) for p in probabilities)
        items = ", ".join(f"percentile_approx(CAST({quote(c)} AS DOUBLE), array({ps}), {accuracy})" for c in columns)
        row = relational.query(self.df, f"SELECT {items} FROM {relational.view_of(self.df)}").first()
        answers = [list(v or []) for v in (row or [None] * len(columns))]
        return answers[0] if isinstance(col, str) else answers

    def freqItems(self, cols: Any, support: Optional[float] = None) -> Any:
        unsupported("DataFrame.freqItems", "Spark's frequent-items sketch")

    def sampleBy(self, col: str, fractions: dict[Any, float], seed: Optional[int] = None) -> Any:
        unsupported("DataFrame.sampleBy", "Spark's per-partition sampling")
