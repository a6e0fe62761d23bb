"""``SplitFields.apply``: two DynamicFrames, the named fields and the others."""

from __future__ import annotations

from typing import Any

from glueless.compat.awsglue.dynamicframe import DynamicFrame, DynamicFrameCollection
from glueless.compat.awsglue.transforms._base import GlueTransform


class SplitFields(GlueTransform):
    """``SplitFields.apply(frame, paths, name1, name2)``: a collection of two frames, the fields at
    ``paths`` as ``name1`` and the others as ``name2`` (by default the frame's name + ``1`` / ``2``,
    ``frame1`` / ``frame2`` for an unnamed frame, as in Glue)."""

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
