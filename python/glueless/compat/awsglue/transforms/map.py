"""``Map.apply``: a DynamicFrame of the records a function makes of each record."""

from __future__ import annotations

from typing import Any, Callable

from glueless.compat.awsglue.dynamicframe import DynamicFrame
from glueless.compat.awsglue.transforms._base import GlueTransform


class Map(GlueTransform):
    """``Map.apply(frame, f)``: ``f`` gets each record as a DynamicRecord and returns the new one;
    a record whose ``f`` raises (or returns nothing) is an error record. The new frame's schema
    comes from the returned records (see ``DynamicFrame.map``). The arguments are awsglue's, with
    ``preservesPartitioning`` third as in its source."""

    def __call__(
        self,
        frame: DynamicFrame,
        f: Callable[[Any], Any],
        preservesPartitioning: bool = False,
        transformation_ctx: str = "",
        info: str = "",
        stageThreshold: int = 0,
        totalThreshold: int = 0,
    ) -> DynamicFrame:
        return frame.map(f, preservesPartitioning, transformation_ctx, info, stageThreshold, totalThreshold)
