"""More elementwise math: add_n, divide_no_nan, multiply_no_nan, xlogy/xlog1py/xdivy, atan2,
saturate_cast and bitcast."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from arroyo.framework import dtypes
from arroyo.framework.errors import InvalidArgumentError
from arroyo.framework.op_registry import COMPLEX, FLOATS, NUMERIC, defop, dtype_name, execute
from arroyo.framework.tensor_shape import TensorShape
from arroyo.ops import _infer, array_ops, math_ops
from arroyo.ops._helpers import (
    NO_ATTRS,
    binary,
    check_allowed,
    is_tensorlike,
    np_allowed,
    same_dtype_operands,
    to_tensor,
)
from arroyo.ops.indexed_slices import IndexedSlices

_FC = FLOATS + COMPLEX

# -- AddN -------------------------------------------------------------------------------


def _add_n_kernel(*xs, N=None):
    first = np.shape(xs[0])
    for i, x in enumerate(xs[1:], 1):
        if np.shape(x) != first:
            raise InvalidArgumentError(
                None, None,
                f"Inputs to operation AddN of type AddN must have the same size and shape.  Input 0: "
                f"[{','.join(map(str, first))}] != input {i}: [{','.join(map(str, np.shape(x)))}] [Op:AddN]",
            )  # fmt: skip
    if len(xs) == 1:
        return np.array(xs[0])
    out = np.add(xs[0], xs[1])
    if len(xs) > 2 and type(out) is not np.ndarray:  # scalars: NumPy returns no buffer
        out = np.array(out)
        for x in xs[2:]:
            np.add(out, x, out=out)
        return out[()]
    for x in xs[2:]:
        np.add(out, x, out=out)
    return out


def _add_n_infer(inputs, attrs):
    shape = inputs[0].shape
    for t in inputs[1:]:
        if shape.is_compatible_with(t.shape):
            shape = shape.merge_with(t.shape)
    return [(inputs[0].dtype, shape)]


_ADD_N = defop("AddN", ("*inputs",), _add_n_kernel, attrs={"N": None, "T": None}, infer=_add_n_infer,
               grad=lambda op, g: tuple(g for _ in op.inputs), list_attr="N")  # fmt: skip
_ADD_N_T = NUMERIC


def add_n(inputs, name=None):
    """Sums a list of tensors of one shape and dtype (raw op AddN).

    >>> tf.add_n([tf.constant([1, 2]), tf.constant([3, 4])]).numpy().tolist()
    [4, 6]
    """
    msg = "Inputs must be an iterable of at least one Tensor/IndexedSlices with the same dtype and shape."
    if not inputs or not isinstance(inputs, Iterable) or isinstance(inputs, (str, bytes)):
        raise ValueError(msg)
    inputs = list(inputs)
    if len(inputs) == 1:
        x = inputs[0]
        if isinstance(x, IndexedSlices):
            return x.to_dense()
        x = to_tensor(x)
        return array_ops.identity(x, name=name) if name else x
    xs = [x.to_dense() if isinstance(x, IndexedSlices) else x for x in inputs]
    xs = same_dtype_operands("AddN", xs)
    if xs[0].dtype not in _ADD_N_T:
        check_allowed(_ADD_N, xs[0], _ADD_N_T)
    return execute(_ADD_N, tuple(xs), {"N": len(xs)}, name)


# -- binary ops with a zero rule --------------------------------------------------------


def _div_no_nan_kernel(x, y):
    zero = y == 0
    safe = np.where(zero, np.ones((), y.dtype), y)
    with np.errstate(all="ignore"):
        return np.where(zero, np.zeros((), x.dtype), x / safe).astype(
            np.result_type(x, y), copy=False
        )


def _mul_no_nan_kernel(x, y):
    with np.errstate(all="ignore"):
        return np.where(y == 0, np.zeros((), x.dtype), x * y).astype(
            np.result_type(x, y), copy=False
        )


def _xlogy_kernel(x, y):
    with np.errstate(all="ignore"):
        return np.where(x == 0, np.zeros((), x.dtype), x * np.log(y)).astype(x.dtype, copy=False)


def _xlog1py_kernel(x, y):
    with np.errstate(all="ignore"):
        return np.where(x == 0, np.zeros((), x.dtype), x * np.log1p(y)).astype(x.dtype, copy=False)


def _xdivy_kernel(x, y):
    with np.errstate(all="ignore"):
        return np.where(x == 0, np.zeros((), x.dtype), x / y).astype(x.dtype, copy=False)


def _atan2_kernel(y, x):
    return np.arctan2(y, x).astype(y.dtype, copy=False)


def _div_no_nan_grad(op, g):
    x, y = op.inputs
    return (div_no_nan(g, y),
            math_ops.multiply(g, div_no_nan(div_no_nan(math_ops.negative(x), y), y)))  # fmt: skip


def _mul_no_nan_grad(op, g):
    x, y = op.inputs
    return multiply_no_nan(g, y), multiply_no_nan(x, g)


def _nonzero(x):
    return math_ops.cast(math_ops.not_equal(x, array_ops.zeros([], dtype=x.dtype)), x.dtype)


def _xlogy_grad(op, g):
    x, y = op.inputs
    return (math_ops.multiply(g, xlogy(_nonzero(x), y)), math_ops.multiply(g, xdivy(x, y)))


def _xlog1py_grad(op, g):
    x, y = op.inputs
    return (math_ops.multiply(g, xlog1py(_nonzero(x), y)),
            math_ops.multiply(g, xdivy(x, math_ops.add(y, 1))))  # fmt: skip


def _xdivy_grad(op, g):
    x, y = op.inputs
    return (math_ops.multiply(g, xdivy(_nonzero(x), y)),
            math_ops.multiply(g, math_ops.negative(xdivy(x, math_ops.multiply(y, y)))))  # fmt: skip


def _atan2_grad(op, g):
    y, x = op.inputs
    inv = math_ops.divide(g, math_ops.add(math_ops.multiply(x, x), math_ops.multiply(y, y)))
    return math_ops.multiply(x, inv), math_ops.multiply(math_ops.negative(y), inv)


_BIN = {
    "DivNoNan": (_div_no_nan_kernel, _FC, _div_no_nan_grad, ("x", "y")),
    "MulNoNan": (_mul_no_nan_kernel, _FC, _mul_no_nan_grad, ("x", "y")),
    "Xlogy": (_xlogy_kernel, _FC, _xlogy_grad, ("x", "y")),
    "Xlog1py": (_xlog1py_kernel, _FC, _xlog1py_grad, ("x", "y")),
    "Xdivy": (_xdivy_kernel, _FC, _xdivy_grad, ("x", "y")),
    "Atan2": (_atan2_kernel, FLOATS, _atan2_grad, ("y", "x")),
}
_OPS = {}
for _name, (_kernel, _allowed, _grad, _inputs) in _BIN.items():
    _OPS[_name] = (
        defop(
            _name,
            _inputs,
            _kernel,
            attrs={"T": None},
            infer=_infer.make_broadcast(_name),
            grad=_grad,
            fusible=True,
        ),  # fmt: skip
        np_allowed(_allowed),
        _allowed,
    )
del _name, _kernel, _allowed, _grad, _inputs


def _call(name, x, y, op_name=None):
    return binary(*_OPS[name], x, y, op_name)


_TRUEDIV_TABLE = {
    dtypes.uint8: dtypes.float32, dtypes.int8: dtypes.float32, dtypes.uint16: dtypes.float32,
    dtypes.int16: dtypes.float32, dtypes.uint32: dtypes.float64, dtypes.int32: dtypes.float64,
    dtypes.uint64: dtypes.float64, dtypes.int64: dtypes.float64,
}  # fmt: skip


def div_no_nan(x, y, name=None):
    """x / y, but 0 where y == 0 (integers are divided as floats, like tf.math.divide).

    >>> tf.math.divide_no_nan([1.0, 2.0], [0.0, 4.0]).numpy().tolist()
    [0.0, 0.5]
    """
    if not is_tensorlike(x) and is_tensorlike(y):
        y = to_tensor(y)
        x = to_tensor(x, dtype=y.dtype)
    else:
        x = to_tensor(x)
        y = to_tensor(y) if is_tensorlike(y) else _convert_hint(y, x.dtype)
    if x.dtype is not y.dtype:
        raise TypeError(f"`x` and `y` must have the same dtype, got {x.dtype!r} != {y.dtype!r}.")
    target = _TRUEDIV_TABLE.get(x.dtype)
    if target is None and x.dtype not in _FC:
        keys = ", ".join(repr(d) for d in list(_TRUEDIV_TABLE) + list(_FC))
        raise TypeError(
            f"Invalid dtype {x.dtype!r} in tf.math.divide_no_nan. Expected one of {{{keys}}}."
        )
    if target is not None:
        x, y = math_ops.cast(x, target), math_ops.cast(y, target)
    return _call("DivNoNan", x, y, name)


def _convert_hint(v, dtype):
    try:
        return to_tensor(v, dtype=dtype)
    except (TypeError, ValueError):
        return to_tensor(v)


def multiply_no_nan(x, y, name=None):
    """x * y, but 0 where y == 0 even if x is inf or nan.

    >>> tf.math.multiply_no_nan([float("inf"), 2.0], [0.0, 3.0]).numpy().tolist()
    [0.0, 6.0]
    """
    x = to_tensor(x)
    y = to_tensor(y) if is_tensorlike(y) else to_tensor(y, dtype=x.dtype)
    if x.dtype is not y.dtype:
        raise TypeError(f"`x` and `y` must have the same dtype, got {x.dtype!r} != {y.dtype!r}")
    return _call("MulNoNan", x, y, name)


def xlogy(x, y, name=None):
    """x * log(y), and 0 where x == 0.

    >>> tf.math.xlogy([0.0, 1.0], [0.0, 1.0]).numpy().tolist()
    [0.0, 0.0]
    """
    return _call("Xlogy", x, y, name)


def xlog1py(x, y, name=None):
    """x * log1p(y), and 0 where x == 0."""
    return _call("Xlog1py", x, y, name)


def xdivy(x, y, name=None):
    """x / y, and 0 where x == 0."""
    return _call("Xdivy", x, y, name)


def atan2(y, x, name=None):
    """The angle of the point (x, y): arctan(y / x) in the right quadrant.

    >>> round(float(tf.math.atan2(1.0, 0.0)), 4)
    1.5708
    """
    return _call("Atan2", y, x, name)


# -- saturate_cast ----------------------------------------------------------------------


def _limits(dt):
    np_dt = dt.as_numpy_dtype
    if dt.is_integer:
        info = np.iinfo(np_dt)
    else:
        info = np.finfo(np_dt if dt is not dtypes.bfloat16 else np.float32)
        if dt is dtypes.bfloat16:
            return -3.3895313892515355e38, 3.3895313892515355e38
    return info.min, info.max


def saturate_cast(value, dtype, name=None):
    """Casts to `dtype`, clamping first to its range (no wrap-around on overflow).

    >>> tf.saturate_cast([300.0, -5.0], tf.uint8).numpy().tolist()
    [255, 0]
    """
    value = to_tensor(value)
    dtype = dtypes.as_dtype(dtype)
    in_dtype = value.dtype
    if in_dtype is dtypes.bool or dtype is dtypes.bool:
        raise TypeError(
            f"Cannot find minimum value of <dtype: '{in_dtype.name}'> with type <dtype: '{in_dtype.name}'>."
        )
    if in_dtype.is_complex:
        if dtype.is_complex:
            return math_ops.cast(value, dtype, name=name)
        value = _real(value)
        in_dtype = value.dtype
    out_real = dtype.real_dtype if dtype.is_complex else dtype
    in_min, in_max = _limits(in_dtype)
    out_min, out_max = _limits(out_real)
    np_dt = in_dtype.as_numpy_dtype
    # Limits representable in the input dtype that do not exceed the output's range.
    with np.errstate(over="ignore"):
        lo = np_dt(max(in_min, out_min))
        if float(lo) < float(out_min):
            lo = np.nextafter(lo, np_dt(0), dtype=np_dt)
        hi = np_dt(min(float(in_max), float(out_max)))
        if float(hi) > float(out_max):
            hi = np.nextafter(hi, np_dt(0), dtype=np_dt)
    value = math_ops.maximum(math_ops.minimum(value, array_ops.constant(hi, dtype=in_dtype)),
                             array_ops.constant(lo, dtype=in_dtype))  # fmt: skip
    return math_ops.cast(value, dtype, name=name)


def _real(value):
    try:
        from arroyo.ops import complex_ops

        return complex_ops.real(value)
    except (ImportError, AttributeError):
        return math_ops.cast(value, value.dtype.real_dtype)


# -- Bitcast ----------------------------------------------------------------------------

_BITCAST_T = tuple(d for d in NUMERIC if d is not dtypes.bool)


def _bitcast_kernel(input, type=None):  # noqa: A002 - TF's names
    out = dtypes.as_dtype(type)
    src = input.dtype
    dst = np.dtype(out.as_numpy_dtype)
    a, b = src.itemsize, dst.itemsize
    x = np.ascontiguousarray(input).reshape(np.shape(input))
    if x.ndim == 0:
        x = x.reshape(1)
        if a >= b:
            return x.view(dst).reshape((a // b,) if a > b else ())
    if a == b:
        return x.view(dst).reshape(x.shape)
    if a > b:
        return x.view(dst).reshape(x.shape + (a // b,))
    if not x.ndim or x.shape[-1] != b // a:
        last = x.shape[-1] if x.ndim else 0
        raise InvalidArgumentError(
            None, None, f"Cannot bitcast from {b // a} to {last} [Op:Bitcast]"
        )
    return x.view(dst).reshape(x.shape[:-1])


def _bitcast_infer(inputs, attrs):
    x = inputs[0]
    out = dtypes.as_dtype(attrs["type"])
    a, b = x.dtype.size, out.size
    s = x.shape
    if s.rank is None:
        return [(out, TensorShape(None))]
    dims = s.as_list()
    if a == b:
        return [(out, s)]
    if a > b:
        return [(out, TensorShape(dims + [a // b]))]
    return [(out, TensorShape(dims[:-1]))]


_BITCAST = defop("Bitcast", ("input",), _bitcast_kernel, attrs={"T": None, "type": None},
                 infer=_bitcast_infer, differentiable=False)  # fmt: skip


def bitcast(input, type, name=None):  # noqa: A002 - TF's names
    """Reinterprets the bytes of `input` as `type` (the last dim grows or shrinks by the size ratio).

    >>> tf.bitcast(tf.constant([1.0]), tf.int32).numpy().tolist()
    [1065353216]
    """
    x = to_tensor(input)
    if x.dtype not in _BITCAST_T:
        names = ", ".join(dtype_name(d) for d in _BITCAST_T)
        raise InvalidArgumentError(
            None, None, f"Value for attr 'T' of {dtype_name(x.dtype)} is not in the list of allowed values: "
            f"{names}\n\t; NodeDef: {{{{node Bitcast}}}} [Op:Bitcast]",
        )  # fmt: skip
    return execute(_BITCAST, (x,), {"type": dtypes.as_dtype(type)}, name)


del NO_ATTRS

TF_API = {
    "tf": ["add_n", "saturate_cast", "bitcast", "atan2"],
    "tf.math": [
        "add_n",
        "divide_no_nan=div_no_nan",
        "multiply_no_nan",
        "xlogy",
        "xlog1py",
        "xdivy",
        "atan2",
    ],
}
