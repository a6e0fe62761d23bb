"""``pyspark.context.SparkContext``: accepted and mostly inert (glueless needs no cluster)."""

from __future__ import annotations

from typing import Any, Optional

from glueless.compat._unsupported import Surface, module_getattr

__getattr__ = module_getattr("pyspark.context")


class SparkContext(Surface):
    """The one SparkContext of the process."""

    _api_name = "SparkContext"
    _active: Optional[SparkContext] = None

    def __init__(
        self, master: Optional[str] = None, appName: Optional[str] = None, conf: Any = None, **kwargs: Any
    ) -> None:
        self.master = master or "local[*]"
        self.appName = appName or "glueless"
        SparkContext._active = self

    @classmethod
    def getOrCreate(cls, conf: Any = None) -> SparkContext:
        return cls._active or cls()

    def setLogLevel(self, logLevel: str) -> None:
        pass

    def setCheckpointDir(self, dirName: str) -> None:
        """Where Spark writes checkpoints; glueless keeps a checkpoint's rows in memory, so only
        recorded (``DataFrame.checkpoint`` requires it, as Spark does)."""
        self._checkpoint_dir: Optional[str] = dirName

    def getCheckpointDir(self) -> Optional[str]:
        return getattr(self, "_checkpoint_dir", None)

    @property
    def defaultParallelism(self) -> int:
        from glueless._glueless import _threads

        return _threads

    def stop(self) -> None:
        SparkContext._active = None


class SparkConf(Surface):
    _api_name = "SparkConf"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._values: dict[str, str] = {}

    def set(self, key: str, value: Any) -> SparkConf:
        self._values[key] = str(value)
        return self

    def setAppName(self, name: str) -> SparkConf:
        return self.set("spark.app.name", name)

    def setMaster(self, master: str) -> SparkConf:
        return self.set("spark.master", master)

    def setAll(self, pairs: Any) -> SparkConf:
        for k, v in pairs:
            self.set(k, v)
        return self

    def get(self, key: str, defaultValue: Optional[str] = None) -> Optional[str]:
        return self._values.get(key, defaultValue)
