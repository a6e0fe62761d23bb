"""``awsglue`` inside ``glueless submit``: the Glue job API on glueless's Rust core."""

from glueless.compat._unsupported import module_getattr
from glueless.compat.awsglue.dynamicframe import DynamicFrame, DynamicFrameCollection

__all__ = ["DynamicFrame", "DynamicFrameCollection"]

__getattr__ = module_getattr("awsglue")
