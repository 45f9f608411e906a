"""`tf.sparse`: SparseTensor and the sparse ops (arroyo/sparse/sparse_ops.py)."""

from arroyo._api._build import populate

populate(globals(), "tf.sparse")
__all__ = sorted(set(__all__) | {"SparseTensor"})  # noqa: F821 - set by populate
