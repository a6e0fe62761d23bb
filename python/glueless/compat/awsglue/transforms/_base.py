"""What every Glue transform shares: :class:`GlueTransform`, whose ``Name.apply(...)`` is
``Name()(...)`` as in awsglue. Each transform is a module of this package; its work is a
``DynamicFrame`` method (``compat/awsglue/dynamicframe.py``) on the Rust core's frames."""

from __future__ import annotations

from typing import Any


class GlueTransform:
    """A Glue transform: ``Name.apply(...)`` is ``Name()(...)``."""

    @classmethod
    def apply(cls, *args: Any, **kwargs: Any) -> Any:
        """Run the transform: ``Name()(*args, **kwargs)``."""
        return cls()(*args, **kwargs)

    @classmethod
    def name(cls) -> str:
        """The transform's name (its class name, as in awsglue)."""
        return cls.__name__

    def __call__(self, *args: Any, **kwargs: Any) -> Any:  # pragma: no cover - overridden
        raise NotImplementedError
