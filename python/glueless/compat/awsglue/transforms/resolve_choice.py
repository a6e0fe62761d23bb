"""``ResolveChoice.apply``: casts of fields by spec (glueless infers one type per field)."""

from __future__ import annotations

from typing import Any

from glueless.compat.awsglue.dynamicframe import DynamicFrame
from glueless.compat.awsglue.transforms._base import GlueTransform


class ResolveChoice(GlueTransform):
    """``ResolveChoice.apply(frame, specs, choice)``: ``cast:<type>`` specs (or ``choice``) cast
    fields; ``project``, ``make_cols`` and ``make_struct`` leave them, as glueless has no choice
    types to resolve (see ``DynamicFrame.resolveChoice``)."""

    def __call__(
        self,
        frame: DynamicFrame,
        specs: Any = None,
        choice: str = "",
        database: Any = None,
        table_name: Any = None,
        transformation_ctx: str = "",
        **kwargs: Any,
    ) -> DynamicFrame:
        return frame.resolveChoice(specs, choice, database, table_name, transformation_ctx)
