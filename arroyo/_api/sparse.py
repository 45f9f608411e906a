"""`tf.sparse`: SparseTensor and the sparse ops (arroyo/sparse/sparse_ops.py)."""

from arroyo._api._build import populate
from arroyo.sparse.sparse_tensor import SparseTensor  # noqa: F401 - tf.sparse.SparseTensor

populate(globals(), "tf.sparse")
__all__ = sorted(set(__all__) | {"SparseTensor"})  # noqa: F821 - set by populate
