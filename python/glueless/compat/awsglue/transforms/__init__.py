"""``awsglue.transforms``: the transforms Glue scripts use, with Glue's semantics.

One module per transform (``join.py``, ``filter.py``, …) on :class:`GlueTransform` (``_base.py``);
a name this package lacks is one "not supported by glueless" line. ``__all__`` is what
``from awsglue.transforms import *`` gives a script: the transforms' classes, never the modules
(``filter`` and ``map`` stay Python's builtins).
"""

from glueless.compat._unsupported import module_getattr
from glueless.compat.awsglue.transforms._base import GlueTransform
from glueless.compat.awsglue.transforms.apply_mapping import ApplyMapping
from glueless.compat.awsglue.transforms.drop_fields import DropFields
from glueless.compat.awsglue.transforms.drop_null_fields import DropNullFields
from glueless.compat.awsglue.transforms.filter import Filter
from glueless.compat.awsglue.transforms.join import Join
from glueless.compat.awsglue.transforms.map import Map
from glueless.compat.awsglue.transforms.rename_field import RenameField
from glueless.compat.awsglue.transforms.resolve_choice import ResolveChoice
from glueless.compat.awsglue.transforms.select_fields import SelectFields
from glueless.compat.awsglue.transforms.select_from_collection import SelectFromCollection
from glueless.compat.awsglue.transforms.split_fields import SplitFields

__getattr__ = module_getattr("awsglue.transforms")

__all__ = [
    "ApplyMapping",
    "DropFields",
    "DropNullFields",
    "Filter",
    "GlueTransform",
    "Join",
    "Map",
    "RenameField",
    "ResolveChoice",
    "SelectFields",
    "SelectFromCollection",
    "SplitFields",
]
