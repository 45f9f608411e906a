"""Bitwise ops on integer tensors (`tf.bitwise`): and, or, xor, invert, left/right shift.

Shift amounts are clamped to [0, bits - 1] as TF's kernels do, so out-of-range shifts are
well defined (left shifts wrap in the dtype; right shifts of signed values are arithmetic).
"""

from __future__ import annotations

import numpy as np

from arroyo.framework import dtypes
from arroyo.framework.errors import InvalidArgumentError
from arroyo.framework.op_registry import defop, dtype_name, execute
from arroyo.framework.tensor import EagerTensor
from arroyo.ops import _infer
from arroyo.ops._helpers import NO_ATTRS, np_allowed, same_dtype_operands, to_tensor

_d = dtypes
# TF's order in its messages.
_INT_T = (_d.int8, _d.int16, _d.int32, _d.int64, _d.uint8, _d.uint16, _d.uint32, _d.uint64)
_INT_NP = np_allowed(_INT_T)


def _clamped(x, y):
    bits = x.dtype.itemsize * 8
    return np.clip(y, 0, bits - 1).astype(x.dtype, copy=False)


def _left_shift_kernel(x, y):
    # Shift in the unsigned twin so the result wraps instead of overflowing.
    ux = (
        np.asarray(x).view(np.dtype(f"u{x.dtype.itemsize}"))
        if x.dtype.kind == "i"
        else np.asarray(x)
    )
    out = np.left_shift(ux, _clamped(x, y).astype(ux.dtype))
    out = np.asarray(out).astype(ux.dtype, copy=False).view(x.dtype)
    return out if out.ndim else out[()]


def _right_shift_kernel(x, y):
    return np.right_shift(x, _clamped(x, y))


_BINARY = {
    "BitwiseAnd": np.bitwise_and,
    "BitwiseOr": np.bitwise_or,
    "BitwiseXor": np.bitwise_xor,
    "LeftShift": _left_shift_kernel,
    "RightShift": _right_shift_kernel,
}
_OPS = {
    name: defop(
        name,
        ("x", "y"),
        kernel,
        infer=_infer.make_broadcast(name),
        differentiable=False,
        fusible=True,
    )  # fmt: skip
    for name, kernel in _BINARY.items()
}
_INVERT = defop("Invert", ("x",), np.invert, infer=_infer.same, differentiable=False, fusible=True)


def _check(op, t):
    if t.dtype not in _INT_T:
        names = ", ".join(d.name for d in _INT_T)
        raise InvalidArgumentError(
            None, None,
            f"Value for attr 'T' of {dtype_name(t.dtype)} is not in the list of allowed values: {names}"
            f"\n\t; NodeDef: {{{{node {op.name}}}}}; Op<name={op.name}> [Op:{op.name}]",
        )  # fmt: skip


def _make(name):
    op = _OPS[name]

    def fn(x, y, name=None):
        if type(x) is EagerTensor and type(y) is EagerTensor:
            dt = x._value.dtype
            if dt is y._value.dtype and dt in _INT_NP:
                return execute(op, (x, y), NO_ATTRS, name)
        x, y = same_dtype_operands(op.name, (x, y))
        _check(op, x)
        return execute(op, (x, y), NO_ATTRS, name)

    return fn


bitwise_and = _make("BitwiseAnd")
bitwise_and.__doc__ = """Elementwise x & y of integer tensors.

    >>> tf.bitwise.bitwise_and(tf.constant([12, 10]), 6).numpy().tolist()
    [4, 2]
    """
bitwise_or = _make("BitwiseOr")
bitwise_or.__doc__ = "Elementwise x | y of integer tensors (broadcasting)."
bitwise_xor = _make("BitwiseXor")
bitwise_xor.__doc__ = "Elementwise x ^ y of integer tensors (broadcasting)."
left_shift = _make("LeftShift")
left_shift.__doc__ = """x << y elementwise; y is clamped to [0, bits - 1] and the result wraps.

    >>> tf.bitwise.left_shift(tf.constant([1, 3], tf.int8), 2).numpy().tolist()
    [4, 12]
    """
right_shift = _make("RightShift")
right_shift.__doc__ = (
    "x >> y elementwise (arithmetic for signed types); y clamped to [0, bits - 1]."
)
for _n in ("bitwise_and", "bitwise_or", "bitwise_xor", "left_shift", "right_shift"):
    globals()[_n].__name__ = globals()[_n].__qualname__ = _n


def invert(x, name=None):
    """Flips every bit (~x) of an integer tensor.

    >>> tf.bitwise.invert(tf.constant([0, 5], tf.uint8)).numpy().tolist()
    [255, 250]
    """
    if type(x) is not EagerTensor or x._value.dtype not in _INT_NP:
        x = to_tensor(x)
        _check(_INVERT, x)
    return execute(_INVERT, (x,), NO_ATTRS, name)


del _n

TF_API = {
    "tf.bitwise": [
        "bitwise_and",
        "bitwise_or",
        "bitwise_xor",
        "invert",
        "left_shift",
        "right_shift",
    ],
}
