"""Creation ops: range, linspace, eye."""

from __future__ import annotations

import builtins

import numpy as np

from arroyo.framework import dtypes
from arroyo.framework.errors import InvalidArgumentError
from arroyo.framework.op_registry import defop, execute
from arroyo.framework.tensor import convert_to_tensor
from arroyo.framework.tensor_shape import TensorShape
from arroyo.ops._helpers import NO_ATTRS, is_tensorlike, static_value, to_tensor


def _range_kernel(start, limit, delta, Tidx=None):
    if delta == 0:
        raise InvalidArgumentError(None, None, "Requires delta != 0: 0 [Op:Range]")
    if (delta > 0 and start > limit) or (delta < 0 and start < limit):
        raise InvalidArgumentError(
            None, None,
            f"Requires start <= limit when delta > 0: {start}/{limit} [Op:Range]" if delta > 0
            else f"Requires start >= limit when delta < 0: {start}/{limit} [Op:Range]",
        )  # fmt: skip
    dt = np.asarray(start).dtype
    if dt.kind in "iu":
        n = -(-(int(limit) - int(start)) // int(delta))
        return (int(start) + int(delta) * np.arange(builtins.max(n, 0), dtype=np.int64)).astype(dt)
    n = int(np.ceil((float(limit) - float(start)) / float(delta)))
    return (start + delta * np.arange(builtins.max(n, 0), dtype=dt)).astype(dt)


def _range_infer(inputs, attrs):
    vals = [static_value(t) for t in inputs]
    if any(v is None for v in vals):
        return [(inputs[0].dtype, TensorShape([None]))]
    start, limit, delta = vals
    if np.asarray(start).dtype.kind in "iu":
        n = -(-(int(limit) - int(start)) // int(delta))
    else:
        n = int(np.ceil((float(limit) - float(start)) / float(delta)))
    return [(inputs[0].dtype, TensorShape([builtins.max(n, 0)]))]


_RANGE = defop("Range", ("start", "limit", "delta"), _range_kernel, attrs={"Tidx": dtypes.int32},
               infer=_range_infer, differentiable=False)  # fmt: skip

_RANGE_ORDER = [dtypes.int32, dtypes.int64, dtypes.float32, dtypes.float64]


def range(start, limit=None, delta=1, dtype=None, name="range"):  # noqa: A001 - TF's public name
    """Numbers from `start` up to (not including) `limit` by `delta`.

    >>> tf.range(3)
    <tf.Tensor: shape=(3,), dtype=int32, numpy=array([0, 1, 2], dtype=int32)>
    """
    if limit is None:
        start, limit = 0, start
    if dtype is None:
        inferred = [
            convert_to_tensor(v).dtype if not is_tensorlike(v) else v.dtype
            for v in (start, limit, delta)
        ]
        dtype = builtins.max(
            inferred, key=lambda d: _RANGE_ORDER.index(d) if d in _RANGE_ORDER else 0
        )
    dtype = dtypes.as_dtype(dtype)
    vals = []
    for v in (start, limit, delta):
        if is_tensorlike(v) and v.dtype is not dtype:
            from arroyo.ops.math_ops import cast

            v = cast(v, dtype)
        vals.append(to_tensor(v, dtype) if not is_tensorlike(v) else v)
    return execute(_RANGE, tuple(vals), NO_ATTRS, None)


def _linspace_kernel(start, stop, num, Tidx=None):
    n = int(num)
    if n <= 0:
        raise InvalidArgumentError(None, None, f"Requires num > 0: {n} [Op:LinSpace]")
    if n == 1:
        return np.asarray([start], dtype=np.asarray(start).dtype)
    step = (stop - start) / (n - 1)
    out = start + np.arange(n, dtype=np.asarray(start).dtype) * step
    out[-1] = stop  # TF pins the end point exactly
    return out.astype(np.asarray(start).dtype)


def _linspace_infer(inputs, attrs):
    n = static_value(inputs[2])
    return [(inputs[0].dtype, TensorShape([None if n is None else int(n)]))]


_LINSPACE = defop("LinSpace", ("start", "stop", "num"), _linspace_kernel, attrs={"Tidx": dtypes.int32},
                  infer=_linspace_infer, differentiable=False)  # fmt: skip


def linspace(start, stop, num, name=None, axis=0):
    """`num` evenly spaced values from `start` to `stop` inclusive.

    Integer endpoints give float64 (TF's behaviour for Python ints via the NumPy path is
    float32 when both are Python ints; arroyo follows TF: `tf.linspace(-2, 2, 5)` is float64).
    """
    s = to_tensor(start) if is_tensorlike(start) else convert_to_tensor(start)
    e = to_tensor(stop) if is_tensorlike(stop) else convert_to_tensor(stop)
    if not s.dtype.is_floating:
        from arroyo.ops.math_ops import cast

        s = cast(s, dtypes.float64)
    if e.dtype is not s.dtype:
        from arroyo.ops.math_ops import cast

        e = cast(e, s.dtype)
    if s.shape.rank not in (0, None) or e.shape.rank not in (0, None):
        return _batched_linspace(s, e, num, axis)
    return execute(_LINSPACE, (s, e, to_tensor(num, dtypes.int32) if not is_tensorlike(num) else num),
                   NO_ATTRS, name)  # fmt: skip


def _batched_linspace(s, e, num, axis):
    from arroyo.ops import array_ops, math_ops

    n = int(static_value(to_tensor(num)) if is_tensorlike(num) else num)
    frac = math_ops.truediv(
        math_ops.cast(array_ops.range_(n), s.dtype), math_ops.cast(builtins.max(n - 1, 1), s.dtype)
    )
    s_, e_ = array_ops.expand_dims(s, -1), array_ops.expand_dims(e, -1)
    out = math_ops.add(s_, math_ops.multiply(math_ops.subtract(e_, s_), frac))
    r = out.shape.rank
    if axis % r != r - 1:
        perm = list(builtins.range(r - 1))
        perm.insert(axis % r, r - 1)
        out = array_ops.transpose(out, perm)
    return out


def eye(num_rows, num_columns=None, batch_shape=None, dtype=dtypes.float32, name=None):
    """Identity matrix (optionally batched).

    >>> tf.eye(2, dtype=tf.int32).numpy().tolist()
    [[1, 0], [0, 1]]
    """
    from arroyo.ops import array_ops

    dtype = dtypes.as_dtype(dtype)
    n = int(static_value(to_tensor(num_rows))) if is_tensorlike(num_rows) else int(num_rows)
    m = n if num_columns is None else (
        int(static_value(to_tensor(num_columns))) if is_tensorlike(num_columns) else int(num_columns))  # fmt: skip
    arr = np.eye(n, m, dtype=dtype._np if dtype._np is not None else dtypes.bfloat16_numpy_dtype())
    if batch_shape is not None:
        bs = [
            int(b)
            for b in (
                static_value(to_tensor(batch_shape)) if is_tensorlike(batch_shape) else batch_shape
            )
        ]
        arr = np.broadcast_to(arr, tuple(bs) + (n, m)).copy()
    return array_ops.constant(arr)


TF_API = {"tf": ["range", "linspace", "eye"], "tf.linalg": ["eye"], "tf.math": []}
