"""Sparse tensors: the tensor class and spec (sparse_tensor.py) and their ops (sparse_ops.py).

The package is also the `tf.sparse` namespace's stand-in (see arroyo.util.lazy.forwarding).
"""

from arroyo.util import lazy as _lazy

__getattr__, __dir__ = _lazy.forwarding(
    "arroyo.sparse", ("sparse_tensor", "sparse_ops"), "arroyo._api.sparse"
)
