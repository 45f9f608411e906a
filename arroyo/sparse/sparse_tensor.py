"""`tf.SparseTensor` and `tf.SparseTensorSpec`.

A SparseTensor is three tensors: `indices` (int64 [N, rank]), `values` ([N]) and
`dense_shape` (int64 [rank]). It is a composite tensor (`framework/composite_tensor.py`),
so it can be passed to and returned from `tf.function`s and flattened by `tf.nest`.

    >>> st = tf.SparseTensor(indices=[[0, 0], [1, 2]], values=[1, 2], dense_shape=[3, 4])
    >>> st.shape
    TensorShape([3, 4])
"""

from __future__ import annotations

from arroyo.framework import dtypes
from arroyo.framework.composite_tensor import CompositeTensor, TypeSpec
from arroyo.framework.tensor import EagerTensor, Tensor, TensorSpec, convert_to_tensor
from arroyo.framework.tensor_shape import TensorShape, as_shape

__all__ = ["SparseTensor", "SparseTensorSpec", "is_sparse"]


def _known_value(t):
    if type(t) is EagerTensor:
        return t._value
    fn = getattr(t, "_constant_value", None)
    return fn() if fn is not None else None


class SparseTensor(CompositeTensor):
    """A tensor stored as the coordinates and values of its non-default entries.

    >>> st = tf.SparseTensor(indices=[[0, 3], [2, 4]], values=[10, 20], dense_shape=[3, 10])
    >>> tf.sparse.to_dense(st).numpy().sum()
    30
    """

    __slots__ = ("_indices", "_values", "_dense_shape", "_shape", "__weakref__")

    def __init__(self, indices, values, dense_shape):
        if isinstance(indices, Tensor):
            if indices.dtype is not dtypes.int64:
                raise TypeError(
                    f"Tensor conversion requested dtype int64 for Tensor with dtype "
                    f"{indices.dtype.name}: {indices!r}"
                )
        else:
            indices = convert_to_tensor(indices, dtype=dtypes.int64)
        values = convert_to_tensor(values)
        if isinstance(dense_shape, TensorShape):
            dense_shape = dense_shape.as_list()
        if not isinstance(dense_shape, Tensor):
            dense_shape = convert_to_tensor(dense_shape, dtype=dtypes.int64)
        ishape = indices.shape.with_rank(2)
        values.shape.with_rank(1)
        dshape = dense_shape.shape.with_rank(1)
        # indices is [N, rank], values [N], dense_shape [rank]: TF's static checks
        for a, b in ((ishape[0], values.shape[0]), (ishape[1], dshape[0])):
            if a is not None and b is not None and a != b:
                raise ValueError(f"Dimensions {a} and {b} are not compatible")
        self._indices = indices
        self._values = values
        self._dense_shape = dense_shape
        self._shape = None

    @classmethod
    def _from_parts(cls, indices, values, dense_shape, shape=None):
        """Builds one from tensors already of the right dtypes (no conversion, no checks)."""
        self = cls.__new__(cls)
        self._indices = indices
        self._values = values
        self._dense_shape = dense_shape
        self._shape = shape
        return self

    @classmethod
    def from_value(cls, sparse_tensor_value):
        if isinstance(sparse_tensor_value, SparseTensor):
            return sparse_tensor_value
        return cls(
            sparse_tensor_value.indices, sparse_tensor_value.values, sparse_tensor_value.dense_shape
        )

    @property
    def indices(self):
        return self._indices

    @property
    def values(self):
        return self._values

    @property
    def dense_shape(self):
        return self._dense_shape

    @property
    def dtype(self):
        return self._values.dtype

    @property
    def shape(self) -> TensorShape:
        if self._shape is None:
            v = _known_value(self._dense_shape)
            if v is not None:
                self._shape = TensorShape([int(d) for d in v])
            else:
                n = self._dense_shape.shape.rank
                n = self._dense_shape.shape[0] if n == 1 else None
                self._shape = TensorShape(None if n is None else [None] * n)
        return self._shape

    def get_shape(self) -> TensorShape:
        return self.shape

    def set_shape(self, shape):
        self._shape = self.shape.merge_with(as_shape(shape))

    @property
    def ndim(self):
        return self.shape.rank

    @property
    def graph(self):
        return getattr(self._values, "graph", None)

    @property
    def op(self):
        return self._values.op

    @property
    def device(self):
        return self._values.device

    def consumers(self):
        return []

    def with_values(self, new_values):
        """The same indices and shape with new `values` (any dtype, same length).

        >>> st = tf.sparse.from_dense([[0, 2]])
        >>> st.with_values(st.values * 10).values.numpy()
        array([20], dtype=int32)
        """
        new_values = convert_to_tensor(new_values)
        new_values.shape.with_rank(1)
        self._values.shape.merge_with(new_values.shape)
        return SparseTensor._from_parts(self._indices, new_values, self._dense_shape, self._shape)

    def eval(self, feed_dict=None, session=None):
        raise NotImplementedError("SparseTensor.eval: use a tf.compat.v1.Session's run")

    def __repr__(self):
        # str(), not format(): a tensor's format() is its bare NumPy text
        return (
            f"SparseTensor(indices={self._indices!s}, values={self._values!s}, "
            f"dense_shape={self._dense_shape!s})"
        )

    __str__ = __repr__

    def __mul__(self, other):
        from arroyo.sparse import sparse_ops

        return sparse_ops.sparse_dense_cwise_mul(self, other)

    def __truediv__(self, other):
        from arroyo.sparse import sparse_ops

        return sparse_ops.sparse_dense_cwise_div(self, other)

    __div__ = __truediv__

    # -- composite protocol -----------------------------------------------------------

    @property
    def _type_spec(self):
        return SparseTensorSpec(self.shape, self.dtype)

    def _to_components(self):
        return [self._indices, self._values, self._dense_shape]

    def _numpy(self):
        from arroyo.sparse.sparse_ops import to_dense

        return to_dense(self).numpy()


class SparseTensorSpec(TypeSpec):
    """The type of a SparseTensor: its dense shape (possibly partial) and dtype.

    >>> tf.SparseTensorSpec([None, 4], tf.float32)
    SparseTensorSpec(TensorShape([None, 4]), tf.float32)
    """

    __slots__ = ("_shape", "_dtype")
    value_type = SparseTensor

    def __init__(self, shape=None, dtype=dtypes.float32):
        self._shape = as_shape(shape)
        self._dtype = dtypes.as_dtype(dtype)

    @classmethod
    def from_value(cls, value):
        return value._type_spec

    @property
    def shape(self):
        return self._shape

    @property
    def dtype(self):
        return self._dtype

    def _serialize(self):
        return (self._shape, self._dtype)

    def _with_shape(self, shape):
        return SparseTensorSpec(shape, self._dtype)

    @property
    def _component_specs(self):
        rank = self._shape.rank
        return [
            TensorSpec([None, rank], dtypes.int64),
            TensorSpec([None], self._dtype),
            TensorSpec([rank], dtypes.int64),
        ]

    def _from_components(self, components):
        if isinstance(components, SparseTensor):
            return components
        indices, values, dense_shape = components
        shape = None if _known_value(dense_shape) is not None else self._shape
        return SparseTensor._from_parts(indices, values, dense_shape, shape)

    def __repr__(self):
        return f"SparseTensorSpec({self._shape!r}, {self._dtype!r})"


def is_sparse(x) -> bool:
    return isinstance(x, SparseTensor)
