"""`tf.IndexedSlices`: a sparse gradient (rows `indices` of a dense tensor of `dense_shape`).

Gradients of gather/embedding lookups are IndexedSlices; the tape sums them with dense
gradients through `add_gradients`, and `convert_to_tensor` densifies them.
"""

from __future__ import annotations

from arroyo.framework.tensor import Tensor, register_tensor_conversion_function

__all__ = ["IndexedSlices", "add_gradients"]


class IndexedSlices:
    """Rows `values[i]` placed at `indices[i]` of a tensor of shape `dense_shape`.

    >>> s = tf.IndexedSlices(tf.ones([1, 2]), tf.constant([1]), tf.constant([3, 2]))
    >>> tf.convert_to_tensor(s).numpy().tolist()
    [[0.0, 0.0], [1.0, 1.0], [0.0, 0.0]]
    """

    def __init__(self, values, indices, dense_shape=None):
        self._values = values
        self._indices = indices
        self._dense_shape = dense_shape

    @property
    def values(self):
        return self._values

    @property
    def indices(self):
        return self._indices

    @property
    def dense_shape(self):
        return self._dense_shape

    @property
    def dtype(self):
        return self._values.dtype

    @property
    def shape(self):
        from arroyo.framework.tensor_shape import TensorShape
        from arroyo.ops._helpers import static_value

        if self._dense_shape is None:
            return TensorShape(None)
        v = static_value(self._dense_shape)
        if v is None:
            return TensorShape(None)
        return TensorShape([int(d) for d in v])

    @property
    def device(self):
        return self._values.device

    def to_dense(self) -> Tensor:
        from arroyo.ops import scatter_ops

        return scatter_ops.unsorted_segment_sum(self._values, self._indices, self._dense_shape[0]) \
            if self._dense_shape is not None else None  # fmt: skip

    def numpy(self):
        return self.to_dense().numpy()

    @property
    def graph(self):
        return self._values.graph

    def __str__(self):
        shape = "" if self._dense_shape is None else f", dense_shape={str(self._dense_shape)}"
        return f"IndexedSlices(indices={str(self._indices)}, values={str(self._values)}{shape})"

    def __neg__(self):
        from arroyo.ops.math_ops import negative

        return IndexedSlices(negative(self._values), self._indices, self._dense_shape)


def _to_tensor(value, dtype=None, name=None):
    if dtype is not None and value.dtype != dtype:
        raise ValueError(
            f"Incompatible tensor conversion requested to `dtype` {dtype.name} for IndexedSlices "
            f"({str(value)}) with dtype {value.dtype.name}"
        )
    if value.dense_shape is None:
        raise ValueError(
            "Tensor conversion requested for IndexedSlices for argument `value` without "
            f"dense_shape: {str(value)}"
        )
    return value.to_dense()


register_tensor_conversion_function(IndexedSlices, _to_tensor)


def add_gradients(a, b):
    """Sums two gradient contributions; IndexedSlices concatenate, mixed become dense."""
    from arroyo.ops import array_ops
    from arroyo.ops.math_ops import add

    if isinstance(a, IndexedSlices) and isinstance(b, IndexedSlices):
        return IndexedSlices(
            array_ops.concat([a.values, b.values], 0),
            array_ops.concat([a.indices, b.indices], 0),
            a.dense_shape,
        )
    if isinstance(a, IndexedSlices):
        a = a.to_dense()
    if isinstance(b, IndexedSlices):
        b = b.to_dense()
    if a.dtype.name == "variant":  # TensorList gradients (TensorArrays in graphs)
        from arroyo.graph.tensor_array import add_lists

        return add_lists(a, b)
    return add(a, b)
