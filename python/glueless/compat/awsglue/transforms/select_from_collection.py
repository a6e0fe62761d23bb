"""``SelectFromCollection.apply``: one DynamicFrame of a collection."""

from __future__ import annotations

from glueless.compat.awsglue.dynamicframe import DynamicFrame, DynamicFrameCollection
from glueless.compat.awsglue.transforms._base import GlueTransform


class SelectFromCollection(GlueTransform):
    """``SelectFromCollection.apply(dfc, key)``: the frame named ``key`` (an empty frame when the
    collection has none of that name)."""

    def __call__(self, dfc: DynamicFrameCollection, key: str, transformation_ctx: str = "") -> DynamicFrame:
        return dfc.select(key, transformation_ctx)
