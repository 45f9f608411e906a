"""Ragged tensors: the tensor class and spec (ragged_tensor.py) and their ops (ragged_ops.py).

Importing a submodule makes this package the `arroyo.ragged` attribute, which is also where
`tf.ragged` is looked up, so the package forwards the public names of the `tf.ragged`
namespace (arroyo/_api/ragged.py).
"""


def __getattr__(name):
    import importlib

    if name.startswith("__"):
        raise AttributeError(name)
    if name in ("ragged_tensor", "ragged_ops"):  # `from arroyo.ragged import ragged_ops` mid-import
        return importlib.import_module(f"arroyo.ragged.{name}")
    api = importlib.import_module("arroyo._api.ragged")
    try:
        return getattr(api, name)
    except AttributeError:
        raise AttributeError(f"module 'arroyo.ragged' has no attribute {name!r}") from None


def __dir__():
    import importlib

    return sorted(importlib.import_module("arroyo._api.ragged").__all__)
