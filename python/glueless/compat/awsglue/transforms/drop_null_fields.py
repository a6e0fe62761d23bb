"""``DropNullFields.apply``: a DynamicFrame without the fields that are null in every record."""

from __future__ import annotations

from typing import Any

from glueless.compat.awsglue.dynamicframe import DynamicFrame
from glueless.compat.awsglue.transforms._base import GlueTransform


class DropNullFields(GlueTransform):
    """``DropNullFields.apply(frame)``: the frame without its fields that hold no value."""

    def __call__(self, frame: DynamicFrame, transformation_ctx: str = "", **kwargs: Any) -> DynamicFrame:
        return frame.drop_null_fields()
