"""``DropFields.apply``: a DynamicFrame without the named fields."""

from __future__ import annotations

from typing import Any

from glueless.compat.awsglue.dynamicframe import DynamicFrame
from glueless.compat.awsglue.transforms._base import GlueTransform


class DropFields(GlueTransform):
    """``DropFields.apply(frame, paths)``: the frame without the fields at ``paths`` (matched
    exactly, as in Glue; backticks quote a name with dots)."""

    def __call__(self, frame: DynamicFrame, paths: Any, transformation_ctx: str = "", **kwargs: Any) -> DynamicFrame:
        return frame.drop_fields(paths, transformation_ctx)
