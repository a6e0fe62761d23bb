"""One clear line for what glueless cannot run: the call, and "not supported by glueless"."""

from __future__ import annotations

from typing import Any, NoReturn


class NotSupportedByGlueless(Exception):
    """A script called an API glueless does not implement; ``glueless submit`` prints one line
    naming the call and the script's line, and exits 2."""

    def __init__(self, api: str, detail: str = "") -> None:
        self.api = api
        self.detail = detail
        text = f"{api} is not supported by glueless"
        super().__init__(f"{text} ({detail})" if detail else text)


def unsupported(api: str, detail: str = "") -> NoReturn:
    raise NotSupportedByGlueless(api, detail)


class Surface:
    """Base of the shim classes: a public attribute the class lacks is an unsupported call."""

    _api_name: str = ""

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        unsupported(f"{self._api_name or type(self).__name__}.{name}")


def module_getattr(module: str):
    """A module ``__getattr__`` that names ``module.name`` as unsupported (``from m import x``)."""

    def __getattr__(name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(f"module {module!r} has no attribute {name!r}")
        unsupported(f"{module}.{name}")

    return __getattr__
