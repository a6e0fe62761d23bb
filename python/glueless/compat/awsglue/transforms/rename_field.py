"""``RenameField.apply``: a DynamicFrame with one field renamed."""

from __future__ import annotations

from typing import Any

from glueless.compat.awsglue.dynamicframe import DynamicFrame
from glueless.compat.awsglue.transforms._base import GlueTransform


class RenameField(GlueTransform):
    """``RenameField.apply(frame, old_name, new_name)``: the field ``old_name`` (matched exactly)
    named ``new_name``."""

    def __call__(
        self, frame: DynamicFrame, old_name: str, new_name: str, transformation_ctx: str = "", **kwargs: Any
    ) -> DynamicFrame:
        return frame.rename_field(old_name, new_name, transformation_ctx)
