"""``awsglue.dynamicframe``: DynamicFrame and its collection, reader and writer, on glueless plans.

A DynamicRecord holds only the fields it has: here a field is absent exactly where its value is
null, so a JSON ``null`` and a missing key read the same (see docs/support/glue-scripts.md).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Callable, Optional

from glueless._glueless import Frame
from glueless.compat import _run
from glueless.compat._unsupported import Surface, module_getattr, unsupported
from glueless.compat.awsglue import _filter, _map

__getattr__ = module_getattr("awsglue.dynamicframe")


class GlueJobError(Exception):
    """A transform's error records exceeded its stageThreshold / totalThreshold."""


def _paths(paths: Any) -> list[str]:
    if isinstance(paths, str):
        return [paths]
    return list(paths or [])


def _note_case_mismatches(frame: Frame, paths: list[str], transform: str, effect: str) -> None:
    """Glue matches field paths exactly (only ``ApplyMapping`` ignores case), so glueless does
    too; a path that names a field only in another case may keep personal data a script meant to
    drop: say so in one line each."""
    for name, found in frame.case_near_misses(paths):
        _run.current().note(
            f"{transform}: the frame has no field {name!r}, only {found!r}; Glue's field paths are "
            f"case-sensitive, so {effect}",
            always=True,
        )


def _error_records(
    transform: str,
    transformation_ctx: str,
    new: int,
    first_error: Optional[str],
    previous: int,
    stageThreshold: int,
    totalThreshold: int,
) -> None:
    """Count a transform's ``new`` error records as Glue does: one line naming them, and
    :class:`GlueJobError` when they exceed ``stageThreshold`` or, with the ``previous`` error
    records of the frame, ``totalThreshold`` (0, the default, is no limit)."""
    if not new:
        return
    label = f"{transform} {transformation_ctx}" if transformation_ctx else transform
    _run.current().note(f"{label}: {new:,} error record{'' if new == 1 else 's'} ({first_error})")
    if stageThreshold and new > stageThreshold:
        raise GlueJobError(f"{label}: {new} error records exceed the stageThreshold {stageThreshold}: {first_error}")
    total = previous + new
    if totalThreshold and total > totalThreshold:
        raise GlueJobError(
            f"{label}: {total} error records in all exceed the totalThreshold {totalThreshold}: {first_error}"
        )


class DynamicFrame(Surface):
    """A lazy Glue DynamicFrame."""

    _api_name = "DynamicFrame"

    def __init__(self, frame: Frame, glue_ctx: Any = None, name: str = "") -> None:
        self._frame = frame
        self.glue_ctx = glue_ctx
        self.name = name
        self._errors = 0

    def _new(self, frame: Frame, name: Optional[str] = None, errors: int = 0) -> DynamicFrame:
        out = DynamicFrame(frame, self.glue_ctx, self.name if name is None else name)
        out._errors = errors
        return out

    # --- DataFrame interchange ----------------------------------------------------------------
    @classmethod
    def fromDF(cls, dataframe: Any, glue_ctx: Any, name: str = "") -> DynamicFrame:
        frame = getattr(dataframe, "_frame", None)
        if frame is None:
            unsupported("DynamicFrame.fromDF", f"a {type(dataframe).__name__} that is not a glueless DataFrame")
        return cls(frame.first_of_each_name(), glue_ctx, name)

    def toDF(self, options: Any = None) -> Any:
        if options:
            unsupported("DynamicFrame.toDF", "ResolveOption options")
        from glueless.compat.pyspark.sql.dataframe import DataFrame
        from glueless.compat.pyspark.sql.session import SparkSession

        return DataFrame(self._frame, SparkSession._active())

    # --- inspection ---------------------------------------------------------------------------
    def count(self) -> int:
        return self._frame.count()

    def show(self, num_rows: int = 20) -> None:
        print(self._frame.show_records(num_rows), end="")

    def printSchema(self) -> None:
        print(self._frame.schema_tree(True), end="")

    def schema(self) -> Any:
        return self.toDF().schema

    def errorsCount(self) -> int:
        return self._errors

    def stageErrorsCount(self) -> int:
        return self._errors

    def getNumPartitions(self) -> int:
        return 1

    def repartition(
        self,
        num_partitions: int,
        transformation_ctx: str = "",
        info: str = "",
        stageThreshold: int = 0,
        totalThreshold: int = 0,
    ) -> DynamicFrame:
        return self

    def coalesce(
        self,
        num_partitions: int,
        shuffle: bool = False,
        transformation_ctx: str = "",
        info: str = "",
        stageThreshold: int = 0,
        totalThreshold: int = 0,
    ) -> DynamicFrame:
        return self

    # --- transforms ---------------------------------------------------------------------------
    def filter(
        self,
        f: Callable[[Any], bool],
        transformation_ctx: str = "",
        info: str = "",
        stageThreshold: int = 0,
        totalThreshold: int = 0,
    ) -> DynamicFrame:
        fields = {name: spark for name, spark, _glue, _nullable in self._frame.fields()}
        _note_case_mismatches(
            self._frame, _filter.fields_read(f), "Filter", "reading it raises KeyError and drops the record"
        )
        predicate = _filter.vectorised_predicate(f, fields)
        if predicate is not None:
            return self._new(self._frame.filter(predicate))
        source = self._frame.materialize()
        result = _filter.run_per_record(f, source.json_records(None))
        if result.dropped_by_exception:
            _run.current().note(
                f"Filter {transformation_ctx or ''}: {result.dropped_by_exception:,} records dropped because the "
                "function raised KeyError/ValueError/TypeError (as in Glue)"
            )
        _error_records(
            "Filter",
            transformation_ctx,
            result.errors,
            result.first_error,
            self._errors,
            stageThreshold,
            totalThreshold,
        )
        return self._new(source.take_mask(result.mask), errors=self._errors + result.errors)

    def map(
        self,
        f: Callable[[Any], Any],
        preservesPartitioning: bool = False,
        transformation_ctx: str = "",
        info: str = "",
        stageThreshold: int = 0,
        totalThreshold: int = 0,
    ) -> DynamicFrame:
        """Glue's ``map``: ``f`` gets each record as a DynamicRecord (a dict of the fields it has)
        and returns the new record. A record whose ``f`` raises, or returns ``None`` or an empty
        record, is an error record (counted; ``stageThreshold`` / ``totalThreshold`` limit them).
        The new frame's fields are those of the returned records, in the order first seen; a
        field a record lacks is null there; a field ``f`` left as it was keeps its type; nested
        objects are structs and lists arrays. ``preservesPartitioning`` changes nothing
        (glueless's frames have one partition)."""
        source = self._frame.materialize()
        frame, result = _map.map_frame(_run.current().session, source, f)
        _error_records(
            "Map",
            transformation_ctx,
            result.errors,
            result.first_error,
            self._errors,
            stageThreshold,
            totalThreshold,
        )
        return self._new(frame, errors=self._errors + result.errors)

    def join(
        self,
        paths1: Any,
        paths2: Any,
        frame2: DynamicFrame,
        transformation_ctx: str = "",
        info: str = "",
        stageThreshold: int = 0,
        totalThreshold: int = 0,
    ) -> DynamicFrame:
        _note_case_mismatches(self._frame, _paths(paths1), "Join", "no record matches on it")
        _note_case_mismatches(frame2._frame, _paths(paths2), "Join", "no record matches on it")
        joined = self._frame.glue_join(frame2._frame, _paths(paths1), _paths(paths2))
        return self._new(joined, self.name + frame2.name)

    def drop_fields(
        self, paths: Any, transformation_ctx: str = "", info: str = "", stageThreshold: int = 0, totalThreshold: int = 0
    ) -> DynamicFrame:
        _note_case_mismatches(self._frame, _paths(paths), "DropFields", "that field is kept")
        return self._new(self._frame.drop_fields(_paths(paths)))

    def select_fields(
        self, paths: Any, transformation_ctx: str = "", info: str = "", stageThreshold: int = 0, totalThreshold: int = 0
    ) -> DynamicFrame:
        _note_case_mismatches(self._frame, _paths(paths), "SelectFields", "that field is not selected")
        return self._new(self._frame.select_fields(_paths(paths)))

    def split_fields(
        self,
        paths: Any,
        name1: str,
        name2: str,
        transformation_ctx: str = "",
        info: str = "",
        stageThreshold: int = 0,
        totalThreshold: int = 0,
    ) -> DynamicFrameCollection:
        """The named fields as frame ``name1``, the others as ``name2`` (paths matched exactly)."""
        _note_case_mismatches(self._frame, _paths(paths), "SplitFields", f"that field stays in {name2!r}")
        selected = DynamicFrame(self._frame.select_fields(_paths(paths)), self.glue_ctx, name1)
        rest = DynamicFrame(self._frame.drop_fields(_paths(paths)), self.glue_ctx, name2)
        return DynamicFrameCollection({name1: selected, name2: rest}, self.glue_ctx)

    def rename_field(
        self,
        oldName: str,
        newName: str,
        transformation_ctx: str = "",
        info: str = "",
        stageThreshold: int = 0,
        totalThreshold: int = 0,
    ) -> DynamicFrame:
        _note_case_mismatches(self._frame, [oldName], "RenameField", "nothing is renamed")
        return self._new(self._frame.rename_field(oldName, newName))

    def apply_mapping(
        self,
        mappings: list[Any],
        case_sensitive: bool = False,
        transformation_ctx: str = "",
        info: str = "",
        stageThreshold: int = 0,
        totalThreshold: int = 0,
    ) -> DynamicFrame:
        specs: list[tuple[str, str, str, str]] = []
        for m in mappings:
            if not isinstance(m, tuple):
                raise TypeError("Mapping must be specified as a tuple. Got " + str(m))
            if len(m) != 4:
                unsupported(
                    "ApplyMapping", f"a {len(m)}-element mapping; use (source, source type, target, target type)"
                )
            specs.append((str(m[0]), str(m[1]), str(m[2]), str(m[3])))
        return self._new(self._frame.apply_mapping(specs, case_sensitive))

    def drop_null_fields(self) -> DynamicFrame:
        return self._new(self._frame.drop_null_fields())

    def resolveChoice(
        self,
        specs: Any = None,
        choice: str = "",
        database: Any = None,
        table_name: Any = None,
        transformation_ctx: str = "",
        info: str = "",
        stageThreshold: int = 0,
        totalThreshold: int = 0,
        catalog_id: Any = None,
    ) -> DynamicFrame:
        # glueless infers one type per field (widening mixed values), so there is no choice to
        # resolve unless a spec asks for a cast.
        frame = self._frame
        for path, action in specs or []:
            _note_case_mismatches(frame, [path], "ResolveChoice", "its spec changes nothing")
            if action.startswith("cast:"):
                frame = frame.cast_column(path, action[5:])
            elif action not in ("project", "make_struct", "make_cols"):
                unsupported("DynamicFrame.resolveChoice", f"the action {action!r}")
        if (
            choice
            and not choice.startswith("match_catalog")
            and not choice.startswith("cast:")
            and choice not in ("project", "make_cols", "make_struct")
        ):
            unsupported("DynamicFrame.resolveChoice", f"choice={choice!r}")
        if choice.startswith("cast:"):
            for name in frame.columns:
                frame = frame.cast_column(name, choice[5:])
        return self._new(frame)

    def toJSON(self) -> Any:
        unsupported("DynamicFrame.toJSON")

    def __repr__(self) -> str:
        return f"DynamicFrame(name={self.name!r}, fields={list(self._frame.columns)})"


class DynamicFrameCollection(Surface):
    """Frames by name (what ``SplitFields``, ``Relationalize`` and Data Quality return)."""

    _api_name = "DynamicFrameCollection"

    def __init__(self, dynamic_frames: Any, glue_ctx: Any = None) -> None:
        if isinstance(dynamic_frames, dict):
            self._frames = dict(dynamic_frames)
        else:
            self._frames = {f.name: f for f in dynamic_frames}
        self._glue_ctx = glue_ctx

    def __getitem__(self, key: str) -> DynamicFrame:
        return self._frames[key]

    def __len__(self) -> int:
        return len(self._frames)

    def __iter__(self) -> Iterator[str]:
        return iter(self._frames)

    def keys(self) -> Any:
        return self._frames.keys()

    def values(self) -> Any:
        return self._frames.values()

    def select(self, key: str, transformation_ctx: str = "") -> DynamicFrame:
        if key in self._frames:
            return self._frames[key]
        return DynamicFrame(_run.current().session.empty(), self._glue_ctx, key)

    def map(self, callable: Callable[..., Any], transformation_ctx: str = "") -> DynamicFrameCollection:  # noqa: A002
        return DynamicFrameCollection(
            {k: callable(v, f"{transformation_ctx}:{k}") for k, v in self._frames.items()}, self._glue_ctx
        )


class DynamicFrameReader(Surface):
    """``glueContext.create_dynamic_frame``."""

    _api_name = "glueContext.create_dynamic_frame"

    def __init__(self, glue_context: Any) -> None:
        self._glue_context = glue_context

    def from_options(
        self,
        connection_type: str = "s3",
        connection_options: Optional[dict[str, Any]] = None,
        format: Optional[str] = None,
        format_options: Optional[dict[str, Any]] = None,
        transformation_ctx: str = "",
        push_down_predicate: str = "",
        **kwargs: Any,
    ) -> DynamicFrame:  # noqa: A002
        return self._glue_context.create_dynamic_frame_from_options(
            connection_type,
            connection_options,
            format,
            format_options,
            transformation_ctx,
            push_down_predicate,
            **kwargs,
        )

    def from_catalog(
        self,
        database: Optional[str] = None,
        table_name: Optional[str] = None,
        redshift_tmp_dir: str = "",
        transformation_ctx: str = "",
        push_down_predicate: str = "",
        additional_options: Optional[dict[str, Any]] = None,
        catalog_id: Optional[str] = None,
        **kwargs: Any,
    ) -> DynamicFrame:
        return self._glue_context.create_dynamic_frame_from_catalog(
            database,
            table_name,
            redshift_tmp_dir,
            transformation_ctx,
            push_down_predicate,
            additional_options,
            catalog_id,
            **kwargs,
        )


class DynamicFrameWriter(Surface):
    """``glueContext.write_dynamic_frame``."""

    _api_name = "glueContext.write_dynamic_frame"

    def __init__(self, glue_context: Any) -> None:
        self._glue_context = glue_context

    def from_options(
        self,
        frame: DynamicFrame,
        connection_type: str = "s3",
        connection_options: Optional[dict[str, Any]] = None,
        format: Optional[str] = None,
        format_options: Optional[dict[str, Any]] = None,
        transformation_ctx: str = "",
        **kwargs: Any,
    ) -> DynamicFrame:  # noqa: A002
        return self._glue_context.write_dynamic_frame_from_options(
            frame, connection_type, connection_options, format, format_options, transformation_ctx, **kwargs
        )

    def from_catalog(
        self,
        frame: DynamicFrame,
        database: Optional[str] = None,
        table_name: Optional[str] = None,
        redshift_tmp_dir: str = "",
        transformation_ctx: str = "",
        additional_options: Optional[dict[str, Any]] = None,
        catalog_id: Optional[str] = None,
        **kwargs: Any,
    ) -> DynamicFrame:
        return self._glue_context.write_dynamic_frame_from_catalog(
            frame, database, table_name, redshift_tmp_dir, transformation_ctx, additional_options, catalog_id, **kwargs
        )
