"""``ApplyMapping.apply``: a DynamicFrame of mapped (renamed, cast) fields."""

from __future__ import annotations

from typing import Any

from glueless.compat.awsglue.dynamicframe import DynamicFrame
from glueless.compat.awsglue.transforms._base import GlueTransform


class ApplyMapping(GlueTransform):
    """``ApplyMapping.apply(frame, mappings)``: only the mapped fields, each ``(source, source type,
    target, target type)``; source names match ignoring case unless ``case_sensitive``; a value that
    does not convert is null (Glue's semantics)."""

    def __call__(
        self,
        frame: DynamicFrame,
        mappings: list[Any],
        case_sensitive: bool = False,
        transformation_ctx: str = "",
        **kwargs: Any,
    ) -> DynamicFrame:
        return frame.apply_mapping(mappings, case_sensitive, transformation_ctx)
