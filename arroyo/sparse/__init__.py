"""Sparse tensors: the tensor class and spec (sparse_tensor.py) and their ops (sparse_ops.py).

Importing a submodule makes this package the `arroyo.sparse` attribute, which is also where
`tf.sparse` is looked up, so the package forwards the public names of the `tf.sparse`
namespace (arroyo/_api/sparse.py).
"""


def __getattr__(name):
    import importlib

    if name.startswith("__"):
        raise AttributeError(name)
    if name in ("sparse_tensor", "sparse_ops"):  # `from arroyo.sparse import sparse_ops` mid-import
        return importlib.import_module(f"arroyo.sparse.{name}")
    api = importlib.import_module("arroyo._api.sparse")
    try:
        return getattr(api, name)
    except AttributeError:
        raise AttributeError(f"module 'arroyo.sparse' has no attribute {name!r}") from None


def __dir__():
    import importlib

    return sorted(importlib.import_module("arroyo._api.sparse").__all__)
