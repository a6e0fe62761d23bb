"""``SelectFields.apply``: a DynamicFrame of the named fields only."""

from __future__ import annotations

from typing import Any

from glueless.compat.awsglue.dynamicframe import DynamicFrame
from glueless.compat.awsglue.transforms._base import GlueTransform


class SelectFields(GlueTransform):
    """``SelectFields.apply(frame, paths)``: the fields at ``paths`` only (matched exactly, as in Glue)."""

    def __call__(self, frame: DynamicFrame, paths: Any, transformation_ctx: str = "", **kwargs: Any) -> DynamicFrame:
        return frame.select_fields(paths, transformation_ctx)
