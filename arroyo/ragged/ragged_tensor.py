"""`tf.RaggedTensor` and `tf.RaggedTensorSpec`.

A RaggedTensor is `values` (a Tensor, or another RaggedTensor for more ragged dimensions)
partitioned into rows by `row_splits` (int64 by default): row i is
`values[row_splits[i]:row_splits[i + 1]]`. Everything is computed with public arroyo ops,
so ragged tensors work eagerly, inside `tf.function`, and under `GradientTape` (gradients
reach the flat values).

    >>> rt = tf.RaggedTensor.from_row_splits([3, 1, 4, 1, 5], [0, 2, 2, 5])
    >>> rt
    <tf.RaggedTensor [[3, 1], [], [4, 1, 5]]>
    >>> rt.shape
    TensorShape([3, None])
"""

from __future__ import annotations

import numpy as np

from arroyo.framework import dtypes
from arroyo.framework.composite_tensor import CompositeTensor, TypeSpec
from arroyo.framework.errors import InvalidArgumentError
from arroyo.framework.tensor import EagerTensor, Tensor, TensorSpec, convert_to_tensor
from arroyo.framework.tensor_shape import TensorShape, as_shape

__all__ = ["RaggedTensor", "RaggedTensorSpec", "is_ragged"]

_i64 = dtypes.int64


def _known(t):
    if type(t) is EagerTensor:
        return t._value
    fn = getattr(t, "_constant_value", None)
    return fn() if fn is not None else None


def _is_tensorlike(x):
    return isinstance(x, Tensor) or getattr(x, "_is_arroyo_variable", False)


def _splits_tensor(x, dtype, what="row_splits"):
    if _is_tensorlike(x):
        t = convert_to_tensor(x)
        if t.dtype not in (dtypes.int32, dtypes.int64):
            raise ValueError(f"{what} must have dtype int32 or int64")
        if dtype is not None and t.dtype is not dtype:
            from arroyo.ops.math_ops import cast

            t = cast(t, dtype)
        return t
    arr = np.asarray(x)
    if arr.size == 0:
        arr = arr.astype(np.int64)
    if arr.dtype.kind not in "iu":
        raise ValueError(f"{what} must have dtype int32 or int64")
    return convert_to_tensor(arr.astype((dtype or _i64).as_numpy_dtype))


def _values_tensor(v):
    if isinstance(v, RaggedTensor):
        return v
    return convert_to_tensor(v)


def _invalid(msg):
    return InvalidArgumentError(None, None, msg)


def _validate_splits(splits, nvals, where="from_row_splits"):
    """Eager checks of a row_splits vector against the number of values (TF's messages)."""
    s = _known(splits)
    if s is None:
        return
    s = np.asarray(s)
    if s.ndim != 1:
        raise ValueError(f"Shape {list(s.shape)} must have rank 1")
    if s.size == 0:
        raise _invalid(f"Arguments to {where} do not form a valid RaggedTensor:zero")
    if s[0] != 0:
        raise _invalid(
            f"Arguments to {where} do not form a valid RaggedTensor:zero\nCondition x == y did "
            f"not hold.\nFirst 1 elements of x:\n[{s[0]}]\nFirst 1 elements of y:\n[0]"
        )
    d = np.diff(s)
    if np.any(d < 0):
        raise _invalid(
            f"Arguments to {where} do not form a valid RaggedTensor:monotonic.  \nCondition x >= "
            f"0 did not hold element-wise:\nx (shape={d.shape} dtype=int64) = \n"
            f"{[str(v) for v in d.tolist()]}"
        )
    if nvals is not None and s[-1] != nvals:
        raise _invalid(
            f"Arguments to _from_row_partition do not form a valid RaggedTensor\nCondition x == y "
            f"did not hold.\nFirst 1 elements of x:\n[{s[-1]}]\nFirst 1 elements of y:\n[{nvals}]"
        )


def _nrows_static(v):
    if isinstance(v, RaggedTensor):
        return v.nrows_static()
    return v.shape[0] if v.shape.rank else None


class RaggedTensor(CompositeTensor):
    """A tensor with rows of different lengths (one or more ragged dimensions).

    Build one with `tf.ragged.constant` or a factory (`from_row_splits`, `from_row_lengths`,
    `from_value_rowids`, `from_tensor`, ...); the constructor is private, as in TF.

    >>> tf.ragged.constant([[1, 2], [3]]).row_lengths().numpy().tolist()
    [2, 1]
    """

    __slots__ = ("_values", "_row_splits", "__weakref__")

    def __init__(self, values=None, row_splits=None, internal=False):
        if not internal:
            raise ValueError(
                "RaggedTensor constructor is private; please use one of the factory methods "
                "instead (e.g., RaggedTensor.from_row_lengths())"
            )
        self._values = values
        self._row_splits = row_splits

    @classmethod
    def _make(cls, values, row_splits):
        return cls(values, row_splits, internal=True)

    # -- factories ----------------------------------------------------------------------

    @classmethod
    def from_row_splits(cls, values, row_splits, name=None, validate=True):
        """Rows `values[row_splits[i]:row_splits[i + 1]]`.

        >>> tf.RaggedTensor.from_row_splits([1, 2, 3], [0, 2, 3]).to_list()
        [[1, 2], [3]]
        """
        values = _values_tensor(values)
        splits = _splits_tensor(row_splits, None)
        splits.shape.with_rank(1)
        if validate:
            _validate_splits(splits, _nrows_static(values), "from_row_splits")
        return cls._make(values, splits)

    @classmethod
    def from_row_lengths(cls, values, row_lengths, name=None, validate=True):
        """Rows of the given lengths, in order.

        >>> tf.RaggedTensor.from_row_lengths([1, 2, 3], [2, 0, 1]).to_list()
        [[1, 2], [], [3]]
        """
        from arroyo.ops.array_ops import concat, zeros
        from arroyo.ops.scan_ops import cumsum

        values = _values_tensor(values)
        lengths = _splits_tensor(row_lengths, None, "row_lengths")
        lv = _known(lengths)
        if lv is not None and np.any(np.asarray(lv) < 0):
            raise _invalid("Arguments to from_row_lengths do not form a valid RaggedTensor")
        splits = concat([zeros([1], lengths.dtype), cumsum(lengths)], axis=0)
        if validate:
            _validate_splits(splits, _nrows_static(values), "from_row_lengths")
        return cls._make(values, splits)

    @classmethod
    def from_value_rowids(cls, values, value_rowids, nrows=None, name=None, validate=True):
        """Value i goes to row `value_rowids[i]` (sorted); `nrows` adds empty trailing rows.

        >>> tf.RaggedTensor.from_value_rowids([1, 2, 3], [0, 0, 2], nrows=4).to_list()
        [[1, 2], [], [3], []]
        """
        from arroyo.ops.creation_ops import range as _range
        from arroyo.ops.math_ops import add, cast
        from arroyo.ops.reduction_ops import reduce_max
        from arroyo.ops.sort_ops import searchsorted

        values = _values_tensor(values)
        rowids = _splits_tensor(value_rowids, None, "value_rowids")
        rv = _known(rowids)
        if rv is not None and rv.size and np.any(np.diff(rv) < 0):
            raise _invalid(
                "Arguments to from_value_rowids do not form a valid RaggedTensor:monotonic"
            )
        if nrows is None:
            if rv is not None:
                nrows = int(rv[-1]) + 1 if rv.size else 0
            else:
                nrows = add(reduce_max(rowids), 1)
        nrows_t = nrows if _is_tensorlike(nrows) else convert_to_tensor(nrows, dtype=rowids.dtype)
        nrows_t = cast(nrows_t, rowids.dtype)
        splits = searchsorted(
            rowids, _range(add(nrows_t, 1), dtype=rowids.dtype), side="left",
            out_type=rowids.dtype,
        )  # fmt: skip
        return cls._make(values, splits)

    @classmethod
    def from_row_starts(cls, values, row_starts, name=None, validate=True):
        """Rows starting at `row_starts[i]` (each ends where the next starts)."""
        from arroyo.ops.array_ops import concat, reshape

        values = _values_tensor(values)
        starts = _splits_tensor(row_starts, None, "row_starts")
        n = _nrows_tensor(values, starts.dtype)
        splits = concat([starts, reshape(n, [1])], axis=0)
        if validate:
            _validate_splits(splits, _nrows_static(values), "from_row_starts")
        return cls._make(values, splits)

    @classmethod
    def from_row_limits(cls, values, row_limits, name=None, validate=True):
        """Rows ending at `row_limits[i]` (each starts where the previous ends)."""
        from arroyo.ops.array_ops import concat, zeros

        values = _values_tensor(values)
        limits = _splits_tensor(row_limits, None, "row_limits")
        splits = concat([zeros([1], limits.dtype), limits], axis=0)
        if validate:
            _validate_splits(splits, _nrows_static(values), "from_row_limits")
        return cls._make(values, splits)

    @classmethod
    def from_uniform_row_length(cls, values, uniform_row_length, nrows=None, validate=True,
                                name=None):  # fmt: skip
        from arroyo.ops.creation_ops import range as _range
        from arroyo.ops.math_ops import floordiv, multiply

        values = _values_tensor(values)
        n = _nrows_tensor(values, _i64)
        length = convert_to_tensor(uniform_row_length, dtype=_i64)
        if nrows is None:
            lv = _known(length)
            nrows = floordiv(n, length) if lv is None or lv != 0 else 0
        nrows = convert_to_tensor(nrows, dtype=_i64) if not _is_tensorlike(nrows) else nrows
        from arroyo.ops.math_ops import add

        splits = multiply(_range(add(nrows, 1), dtype=_i64), length)
        return cls._make(values, splits)

    @classmethod
    def from_nested_row_splits(cls, flat_values, nested_row_splits, name=None, validate=True):
        """Several ragged dimensions from a list of row_splits (outermost first)."""
        if isinstance(nested_row_splits, (Tensor, np.ndarray)):
            raise TypeError("nested_row_splits must be a list of Tensors")
        result = _values_tensor(flat_values)
        for splits in reversed(list(nested_row_splits)):
            result = cls.from_row_splits(result, splits, validate=validate)
        return result

    @classmethod
    def from_nested_row_lengths(cls, flat_values, nested_row_lengths, name=None, validate=True):
        result = _values_tensor(flat_values)
        for lengths in reversed(list(nested_row_lengths)):
            result = cls.from_row_lengths(result, lengths, validate=validate)
        return result

    @classmethod
    def from_nested_value_rowids(cls, flat_values, nested_value_rowids, nested_nrows=None,
                                 name=None, validate=True):  # fmt: skip
        result = _values_tensor(flat_values)
        nested_nrows = [None] * len(nested_value_rowids) if nested_nrows is None else nested_nrows
        for rowids, n in reversed(list(zip(nested_value_rowids, nested_nrows))):
            result = cls.from_value_rowids(result, rowids, n, validate=validate)
        return result

    @classmethod
    def from_tensor(cls, tensor, lengths=None, padding=None, ragged_rank=1, name=None,
                    row_splits_dtype=dtypes.int64):  # fmt: skip
        """A RaggedTensor from a dense tensor, cut to `lengths` or with trailing `padding` removed.

        >>> tf.RaggedTensor.from_tensor([[1, 0, 0], [2, 3, 0]], padding=0).to_list()
        [[1], [2, 3]]
        """
        from arroyo.ragged import ragged_ops

        return ragged_ops.from_tensor(tensor, lengths, padding, ragged_rank,
                                      dtypes.as_dtype(row_splits_dtype))  # fmt: skip

    @classmethod
    def from_sparse(cls, st_input, name=None, row_splits_dtype=dtypes.int64):
        """A 2-D SparseTensor (row-major, no gaps in each row) as a RaggedTensor."""
        from arroyo.ragged import ragged_ops

        return ragged_ops.from_sparse(st_input, dtypes.as_dtype(row_splits_dtype))

    # -- properties ---------------------------------------------------------------------

    @property
    def values(self):
        return self._values

    @property
    def row_splits(self):
        return self._row_splits

    @property
    def flat_values(self):
        v = self._values
        while isinstance(v, RaggedTensor):
            v = v._values
        return v

    @property
    def nested_row_splits(self):
        out = [self._row_splits]
        v = self._values
        while isinstance(v, RaggedTensor):
            out.append(v._row_splits)
            v = v._values
        return tuple(out)

    @property
    def ragged_rank(self) -> int:
        v = self._values
        return v.ragged_rank + 1 if isinstance(v, RaggedTensor) else 1

    @property
    def dtype(self):
        return self.flat_values.dtype

    @property
    def row_splits_dtype(self):
        return self._row_splits.dtype

    @property
    def shape(self) -> TensorShape:
        n = self._row_splits.shape[0] if self._row_splits.shape.rank == 1 else None
        nrows = None if n is None else n - 1
        inner = self.flat_values.shape
        if inner.rank is None:
            return TensorShape(None)
        return TensorShape([nrows] + [None] * self.ragged_rank + inner.as_list()[1:])

    def get_shape(self):
        return self.shape

    @property
    def ndim(self):
        return self.shape.rank

    @property
    def uniform_row_length(self):
        return None

    def nrows_static(self):
        n = self._row_splits.shape[0] if self._row_splits.shape.rank == 1 else None
        return None if n is None else n - 1

    def nrows(self, out_type=None, name=None):
        """The number of rows (a scalar tensor of the row_splits dtype)."""
        from arroyo.ops.array_ops import shape as _shape
        from arroyo.ops.math_ops import cast, subtract

        out_type = self._row_splits.dtype if out_type is None else dtypes.as_dtype(out_type)
        n = subtract(_shape(self._row_splits, out_type=out_type)[0], 1)
        return n if n.dtype is out_type else cast(n, out_type)

    def row_starts(self, name=None):
        return self._row_splits[:-1]

    def row_limits(self, name=None):
        return self._row_splits[1:]

    def row_lengths(self, axis=1, name=None):
        """Lengths of the rows of ragged dimension `axis` (1: the outermost ragged one)."""
        from arroyo.ops.math_ops import subtract

        if axis == 0:
            return self.nrows()
        if axis < 0:
            axis += self.shape.rank
        if axis == 1:
            return subtract(self._row_splits[1:], self._row_splits[:-1])
        if isinstance(self._values, RaggedTensor):
            return self.with_values(self._values.row_lengths(axis - 1))
        raise ValueError(f"axis={axis} is out of bounds: need 0 <= axis < 2 for dense values")

    def nested_row_lengths(self, name=None):
        out = [self.row_lengths()]
        v = self._values
        while isinstance(v, RaggedTensor):
            out.append(v.row_lengths())
            v = v._values
        return tuple(out)

    def value_rowids(self, name=None):
        """The row of each value: `[0, 0, 2]` for rows `[[a, b], [], [c]]`."""
        from arroyo.ops.creation_ops import range as _range
        from arroyo.ops.manip_ops import repeat

        d = self._row_splits.dtype
        return repeat(_range(self.nrows(), dtype=d), self.row_lengths())

    def nested_value_rowids(self, name=None):
        out = [self.value_rowids()]
        v = self._values
        while isinstance(v, RaggedTensor):
            out.append(v.value_rowids())
            v = v._values
        return tuple(out)

    def bounding_shape(self, axis=None, name=None, out_type=None):
        """The shape of the smallest dense tensor holding this one.

        >>> tf.ragged.constant([[1, 2, 3], [4]]).bounding_shape().numpy().tolist()
        [2, 3]
        """
        from arroyo.ragged import ragged_ops

        out = ragged_ops.bounding_shape(self, out_type)
        if axis is not None:
            return out[axis]
        return out

    # -- conversions ----------------------------------------------------------------------

    def to_tensor(self, default_value=None, name=None, shape=None):
        """A dense tensor, rows padded with `default_value` (0) to the bounding (or `shape`).

        >>> tf.ragged.constant([[1, 2], [3]]).to_tensor().numpy().tolist()
        [[1, 2], [3, 0]]
        """
        from arroyo.ragged import ragged_ops

        return ragged_ops.to_tensor(self, default_value, shape)

    def to_sparse(self, name=None):
        """The SparseTensor of this one's values, at their (row, column, ...) coordinates."""
        from arroyo.ragged import ragged_ops

        return ragged_ops.to_sparse(self)

    def to_list(self):
        """The value as nested Python lists (eager only).

        >>> tf.ragged.constant([[1, 2], [3]]).to_list()
        [[1, 2], [3]]
        """
        if not isinstance(self._row_splits, EagerTensor):
            raise ValueError("to_list can only be used in eager mode.")
        splits = self._row_splits._value.tolist()
        v = self._values
        vals = v.to_list() if isinstance(v, RaggedTensor) else v._value.tolist()
        return [vals[a:b] for a, b in zip(splits[:-1], splits[1:])]

    def numpy(self):
        """A NumPy array: rows of different lengths as a 1-D object array of row arrays."""
        if not isinstance(self._row_splits, EagerTensor):
            raise ValueError("RaggedTensor.numpy() is only supported in eager mode.")
        v = self._values
        vals = v.numpy()
        splits = self._row_splits._value
        rows = [vals[a:b] for a, b in zip(splits[:-1].tolist(), splits[1:].tolist())]
        if not rows:
            return np.zeros((0, 0) + np.shape(vals)[1:], dtype=vals.dtype)
        if any(len(r) != len(rows[0]) for r in rows):
            out = np.empty(len(rows), dtype=object)
            for i, r in enumerate(rows):
                out[i] = r
            return out
        return np.array(rows)

    def _numpy(self):
        return self.numpy()

    def with_values(self, new_values):
        """The same outermost row partition over new `values` (same number of rows)."""
        new_values = _values_tensor(new_values)
        return RaggedTensor._make(new_values, self._row_splits)

    def with_flat_values(self, new_values):
        """The same row partitions (all levels) over new flat values.

        >>> rt = tf.ragged.constant([[1, 2], [3]])
        >>> rt.with_flat_values(rt.flat_values * 10).to_list()
        [[10, 20], [30]]
        """
        if isinstance(self._values, RaggedTensor):
            return self.with_values(self._values.with_flat_values(new_values))
        return self.with_values(new_values)

    def with_row_splits_dtype(self, dtype):
        from arroyo.ops.math_ops import cast

        dtype = dtypes.as_dtype(dtype)
        if dtype not in (dtypes.int32, dtypes.int64):
            raise ValueError(f"dtype must be int32 or int64, got {dtype!r}")
        v = self._values
        if isinstance(v, RaggedTensor):
            v = v.with_row_splits_dtype(dtype)
        s = self._row_splits
        return RaggedTensor._make(v, s if s.dtype is dtype else cast(s, dtype))

    def merge_dims(self, outer_axis, inner_axis):
        """Merges dimensions `outer_axis..inner_axis` into one.

        >>> tf.ragged.constant([[[1, 2], [3]], [[4]]]).merge_dims(0, 1).to_list()
        [[1, 2], [3], [4]]
        """
        from arroyo.ragged import ragged_ops

        return ragged_ops.merge_dims(self, outer_axis, inner_axis)

    # -- Python protocol --------------------------------------------------------------------

    def __getitem__(self, key):
        from arroyo.ragged import ragged_ops

        return ragged_ops.getitem(self, key)

    def __iter__(self):
        if not isinstance(self._row_splits, EagerTensor):
            raise TypeError("Iterating over a symbolic RaggedTensor is not allowed.")
        n = int(self._row_splits._value.shape[0]) - 1
        return (self[i] for i in range(n))

    def __bool__(self):
        raise TypeError("RaggedTensor may not be used as a boolean.")

    def __repr__(self):
        if isinstance(self._row_splits, EagerTensor) and _all_eager(self):
            return f"<tf.RaggedTensor {_text(self.numpy())}>"
        return f"tf.RaggedTensor(values={self._values}, row_splits={self._row_splits})"

    __str__ = __repr__

    def __hash__(self):
        return id(self)

    @property
    def device(self):
        return self.flat_values.device

    @property
    def graph(self):
        return getattr(self.flat_values, "graph", None)

    def consumers(self):
        return []

    # -- composite protocol -------------------------------------------------------------

    @property
    def _type_spec(self):
        return RaggedTensorSpec(self.shape, self.dtype, self.ragged_rank, self.row_splits_dtype)

    def _to_components(self):
        return [self.flat_values, *self.nested_row_splits]


def _all_eager(rt):
    v = rt
    while isinstance(v, RaggedTensor):
        if not isinstance(v._row_splits, EagerTensor):
            return False
        v = v._values
    return isinstance(v, EagerTensor)


def _text(x):
    """TF's text of a ragged value: NumPy's layout with ', ' between elements."""
    if isinstance(x, np.ndarray):
        if x.size == 0:
            return repr(x.tolist())
        return np.array2string(x, separator=", ", formatter={"all": _text})
    return str(x)


def _nrows_tensor(values, dtype):
    from arroyo.ops.array_ops import shape as _shape

    if isinstance(values, RaggedTensor):
        n = values.nrows(out_type=dtype)
        return n
    return _shape(values, out_type=dtype)[0]


def _op(name):
    def method(self, *args):
        from arroyo.ops import math_ops

        return getattr(math_ops, name)(self, *args)

    return method


def _rop(name):
    def method(self, other):
        from arroyo.ops import math_ops

        return getattr(math_ops, name)(other, self)

    return method


for _n, _f in (("add", "add"), ("sub", "subtract"), ("mul", "multiply"), ("truediv", "truediv"),
               ("floordiv", "floordiv"), ("mod", "floormod"), ("pow", "pow"),
               ("and", "logical_and"), ("or", "logical_or"), ("xor", "logical_xor")):  # fmt: skip
    setattr(RaggedTensor, f"__{_n}__", _op(_f))
    setattr(RaggedTensor, f"__r{_n}__", _rop(_f))
for _n, _f in (("lt", "less"), ("le", "less_equal"), ("gt", "greater"), ("ge", "greater_equal")):
    setattr(RaggedTensor, f"__{_n}__", _op(_f))
RaggedTensor.__neg__ = _op("negative")
RaggedTensor.__abs__ = _op("abs")
RaggedTensor.__invert__ = _op("logical_not")


class RaggedTensorSpec(TypeSpec):
    """The type of a RaggedTensor: shape (None for ragged dims), dtype, ragged_rank.

    >>> tf.RaggedTensorSpec([2, None], tf.int32)
    RaggedTensorSpec(TensorShape([2, None]), tf.int32, 1, tf.int64)
    """

    __slots__ = ("_shape", "_dtype", "_ragged_rank", "_row_splits_dtype", "_flat_values_spec")

    def __init__(self, shape=None, dtype=dtypes.float32, ragged_rank=None,
                 row_splits_dtype=dtypes.int64, flat_values_spec=None):  # fmt: skip
        self._shape = as_shape(shape)
        self._dtype = dtypes.as_dtype(dtype)
        self._row_splits_dtype = dtypes.as_dtype(row_splits_dtype)
        self._flat_values_spec = flat_values_spec
        rank = self._shape.rank
        if ragged_rank is None:
            if rank is None:
                raise ValueError("Must specify ragged_rank or a shape with a known rank.")
            ragged_rank = rank - 1
        if not isinstance(ragged_rank, int):
            raise TypeError(f"ragged_rank must be an int, got {ragged_rank!r}")
        if rank is not None:
            if ragged_rank >= rank:
                raise ValueError(f"ragged_rank must be less than rank, got ragged_rank="
                                 f"{ragged_rank} and rank={rank}")  # fmt: skip
            dims = self._shape.as_list()
            self._shape = TensorShape(dims[:1] + [None] * ragged_rank + dims[ragged_rank + 1 :])
        self._ragged_rank = ragged_rank

    @classmethod
    def from_value(cls, value):
        return value._type_spec

    @property
    def value_type(self):
        return RaggedTensor

    @property
    def shape(self):
        return self._shape

    @property
    def dtype(self):
        return self._dtype

    @property
    def ragged_rank(self):
        return self._ragged_rank

    @property
    def row_splits_dtype(self):
        return self._row_splits_dtype

    @property
    def flat_values_spec(self):
        return self._flat_values_spec

    def _serialize(self):
        return (self._shape, self._dtype, self._ragged_rank, self._row_splits_dtype)

    def _with_shape(self, shape):
        return RaggedTensorSpec(shape, self._dtype, self._ragged_rank, self._row_splits_dtype)

    def _compatible(self, other):
        return (self._dtype.is_compatible_with(other._dtype)
                and self._ragged_rank == other._ragged_rank
                and self._row_splits_dtype == other._row_splits_dtype
                and self._shape.is_compatible_with(other._shape))  # fmt: skip

    def _same_except_shape(self, other):
        return (self._dtype == other._dtype and self._ragged_rank == other._ragged_rank
                and self._row_splits_dtype == other._row_splits_dtype
                and self._shape.rank == other._shape.rank)  # fmt: skip

    @property
    def _component_specs(self):
        rank = self._shape.rank
        if rank is None:
            flat = TensorShape(None)
            nrows = None
        else:
            dims = self._shape.as_list()
            flat = TensorShape([None] + dims[self._ragged_rank + 1 :])
            nrows = dims[0]
        specs = [TensorSpec(flat, self._dtype)]
        specs.append(TensorSpec([None if nrows is None else nrows + 1], self._row_splits_dtype))
        for _ in range(self._ragged_rank - 1):
            specs.append(TensorSpec([None], self._row_splits_dtype))
        return specs

    def _from_components(self, components):
        if isinstance(components, RaggedTensor):
            return components
        flat, *splits = components
        result = flat
        for s in reversed(splits):
            result = RaggedTensor._make(result, s)
        return result

    def __repr__(self):
        return (f"RaggedTensorSpec({self._shape!r}, {self._dtype!r}, {self._ragged_rank}, "
                f"{self._row_splits_dtype!r})")  # fmt: skip


def is_ragged(x) -> bool:
    return isinstance(x, RaggedTensor)


# The ops module registers the dispatch handlers (tf.add(rt, 1), tf.reduce_sum(rt), ...).
from arroyo.ragged import ragged_ops as _ragged_ops  # noqa: E402, F401
