"""``Join.apply``: an equi-join of two DynamicFrames that keeps every field of both."""

from __future__ import annotations

from typing import Any

from glueless.compat.awsglue.dynamicframe import DynamicFrame
from glueless.compat.awsglue.transforms._base import GlueTransform


class Join(GlueTransform):
    """``Join.apply(frame1, frame2, keys1, keys2)``: the records whose keys are equal, with every
    field of both frames; a right field whose name collides gets a leading ``.``; a key a frame
    lacks matches nothing (Glue's semantics)."""

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
