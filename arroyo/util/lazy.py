"""Lazily imported attributes of a package (`tf.keras`, `tf.data`, ... load on first use).

A package keeps a table `{public name: "module" or "module:attribute"}` and defines

    def __getattr__(name):
        return lazy.resolve(__name__, _LAZY, globals(), name)

A part that is not installed or not written reads as a missing attribute, so `hasattr`
and `getattr(..., default)` behave; an import error inside an existing module propagates.
"""

from __future__ import annotations

import importlib


def resolve(package: str, table: dict, namespace: dict, name: str):
    target = table.get(name)
    if target is None:
        raise AttributeError(f"module {package!r} has no attribute {name!r}")
    module_name, _, attr = target.partition(":")
    try:
        mod = importlib.import_module(module_name)
    except ModuleNotFoundError as e:
        if e.name is not None and (module_name == e.name or module_name.startswith(e.name + ".")):
            raise AttributeError(f"module {package!r} has no attribute {name!r}") from None
        raise
    value = getattr(mod, attr) if attr else mod
    namespace[name] = value  # later lookups are plain attribute reads
    return value


def forwarding(package: str, submodules: tuple, api_module: str):
    """`(__getattr__, __dir__)` for a package that doubles as a public namespace: importing
    `arroyo.sparse.sparse_ops` makes the package the `arroyo.sparse` attribute, which is also
    where `tf.sparse` is looked up, so the package forwards the namespace's public names."""

    def __getattr__(name):
        if name.startswith("__"):
            raise AttributeError(name)
        if name in submodules:  # `from arroyo.sparse import sparse_ops` while importing
            return importlib.import_module(f"{package}.{name}")
        try:
            return getattr(importlib.import_module(api_module), name)
        except AttributeError:
            raise AttributeError(f"module {package!r} has no attribute {name!r}") from None

    def __dir__():
        return sorted(importlib.import_module(api_module).__all__)

    return __getattr__, __dir__
