"""`tf.compat`: `v1` (TF1-style graphs and sessions) and `v2` (this API)."""

import importlib as _importlib


def __getattr__(name):
    if name == "v1":
        return _importlib.import_module("arroyo.compat.v1")
    if name == "v2":
        return _importlib.import_module("arroyo")
    if name in ("as_bytes", "as_text", "as_str", "path_to_str"):
        from arroyo.compat import _strings

        return getattr(_strings, name)
    raise AttributeError(f"module 'arroyo.compat' has no attribute {name!r}")


def forward_compatible(year, month, day):
    return True
