"""``awsglue.transforms``: the transforms Glue scripts use, with Glue's semantics."""

from __future__ import annotations

from typing import Any

from glueless.compat._unsupported import module_getattr
from glueless.compat.awsglue.dynamicframe import DynamicFrame, DynamicFrameCollection

__getattr__ = module_getattr("awsglue.transforms")


class GlueTransform:
    """A transform: ``Name.apply(...)`` is ``Name()(...)``."""

    @classmethod
    def apply(cls, *args: Any, **kwargs: Any) -> Any:
        return cls()(*args, **kwargs)

    @classmethod
    def name(cls) -> str:
        return cls.__name__

    def __call__(self, *args: Any, **kwargs: Any) -> Any:  # pragma: no cover - overridden
        raise NotImplementedError


def _glue_kwargs(kwargs: dict[str, Any]) -> dict[str, Any]:
    return {k: kwargs[k] for k in ("transformation_ctx", "info", "stageThreshold", "totalThreshold") if k in kwargs}


class Join(GlueTransform):
    def __call__(
        self,
        frame1: DynamicFrame,
        frame2: DynamicFrame,
        keys1: Any,
        keys2: Any,
        transformation_ctx: str = "",
        **kwargs: Any,
    ) -> DynamicFrame:
        return frame1.join(keys1, keys2, frame2, transformation_ctx)


class Filter(GlueTransform):
    def __call__(
        self,
        frame: DynamicFrame,
        f: Any,
        transformation_ctx: str = "",
        info: str = "",
        stageThreshold: int = 0,
        totalThreshold: int = 0,
    ) -> DynamicFrame:
        return frame.filter(f, transformation_ctx, info, stageThreshold, totalThreshold)


class DropFields(GlueTransform):
    def __call__(self, frame: DynamicFrame, paths: Any, transformation_ctx: str = "", **kwargs: Any) -> DynamicFrame:
        return frame.drop_fields(paths, transformation_ctx)


class SelectFields(GlueTransform):
    def __call__(self, frame: DynamicFrame, paths: Any, transformation_ctx: str = "", **kwargs: Any) -> DynamicFrame:
        return frame.select_fields(paths, transformation_ctx)


class RenameField(GlueTransform):
    def __call__(
        self, frame: DynamicFrame, old_name: str, new_name: str, transformation_ctx: str = "", **kwargs: Any
    ) -> DynamicFrame:
        return frame.rename_field(old_name, new_name, transformation_ctx)


class SplitFields(GlueTransform):
    def __call__(
        self,
        frame: DynamicFrame,
        paths: Any,
        name1: Any = None,
        name2: Any = None,
        transformation_ctx: str = "",
        **kwargs: Any,
    ) -> DynamicFrameCollection:
        # Glue names the parts after the frame (``frame1`` / ``frame2`` for an unnamed one).
        base = frame.name or "frame"
        return frame.split_fields(
            paths,
            name1 if name1 is not None else base + "1",
            name2 if name2 is not None else base + "2",
            transformation_ctx,
        )


class ApplyMapping(GlueTransform):
    def __call__(
        self,
        frame: DynamicFrame,
        mappings: list[Any],
        case_sensitive: bool = False,
        transformation_ctx: str = "",
        **kwargs: Any,
    ) -> DynamicFrame:
        return frame.apply_mapping(mappings, case_sensitive, transformation_ctx)


class DropNullFields(GlueTransform):
    def __call__(self, frame: DynamicFrame, transformation_ctx: str = "", **kwargs: Any) -> DynamicFrame:
        return frame.drop_null_fields()


class ResolveChoice(GlueTransform):
    def __call__(
        self,
        frame: DynamicFrame,
        specs: Any = None,
        choice: str = "",
        database: Any = None,
        table_name: Any = None,
        transformation_ctx: str = "",
        **kwargs: Any,
    ) -> DynamicFrame:
        return frame.resolveChoice(specs, choice, database, table_name, transformation_ctx)


class SelectFromCollection(GlueTransform):
    def __call__(self, dfc: DynamicFrameCollection, key: str, transformation_ctx: str = "") -> DynamicFrame:
        return dfc.select(key, transformation_ctx)


__all__ = [
    "ApplyMapping",
    "DropFields",
    "DropNullFields",
    "Filter",
    "GlueTransform",
    "Join",
    "RenameField",
    "ResolveChoice",
    "SelectFields",
    "SelectFromCollection",
    "SplitFields",
]
