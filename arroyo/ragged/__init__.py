"""Ragged tensors: the tensor class and spec (ragged_tensor.py) and their ops (ragged_ops.py).

The package is also the `tf.ragged` namespace's stand-in (see arroyo.util.lazy.forwarding).
"""

from arroyo.util import lazy as _lazy

__getattr__, __dir__ = _lazy.forwarding(
    "arroyo.ragged", ("ragged_tensor", "ragged_ops"), "arroyo._api.ragged"
)
