"""``Filter.apply``: the records for which a function returns true."""

from __future__ import annotations

from typing import Any

from glueless.compat.awsglue.dynamicframe import DynamicFrame
from glueless.compat.awsglue.transforms._base import GlueTransform


class Filter(GlueTransform):
    """``Filter.apply(frame, f)``: the records for which ``f`` (given a DynamicRecord) is true;
    ``KeyError``/``ValueError``/``TypeError`` drop a record, other exceptions make it an error
    record (Glue's semantics; see ``DynamicFrame.filter``)."""

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
