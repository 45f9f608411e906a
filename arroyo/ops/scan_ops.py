"""Scans: tf.math.cumsum and tf.math.cumprod (raw ops Cumsum / Cumprod), with TF's
`exclusive` and `reverse` flags.
"""

from __future__ import annotations

import numpy as np

from arroyo.framework import dtypes
from arroyo.framework.context import state
from arroyo.framework.op_registry import NUMERIC, defop, execute
from arroyo.framework.tensor import EagerTensor, _wrap
from arroyo.ops import _infer, array_ops, math_ops
from arroyo.ops._helpers import np_allowed, to_tensor
from arroyo.ops.gather_ops import INT32_64, check_type, err, index_input, shape_str

__all__ = ["cumsum", "cumprod", "cumulative_logsumexp"]

# TF's order in its error message.
_SCAN_T = (dtypes.float32, dtypes.float64, dtypes.int32, dtypes.uint8, dtypes.int16, dtypes.int8,
           dtypes.complex64, dtypes.int64, dtypes.bfloat16, dtypes.uint16, dtypes.complex128,
           dtypes.float16, dtypes.uint32, dtypes.uint64)  # fmt: skip
_SCAN_NP = np_allowed(NUMERIC)


def _scan_kernel(op_name, ufunc, identity):
    def kernel(x, axis, exclusive=False, reverse=False, **_):
        if np.ndim(axis) != 0:
            raise err(op_name, f"ScanOp: axis must be a scalar, not {shape_str(np.shape(axis))}")
        a, r = int(axis), x.ndim
        if not -r <= a < r:
            raise err(
                op_name,
                f"ScanOp: Expected scan axis in the range [{-r}, {r}), but got {a + r if a < 0 else a}",
            )
        a %= r
        if reverse:
            x = np.flip(x, a)
        if exclusive:
            out = np.empty_like(x)
            head = (slice(None),) * a
            out[head + (slice(0, 1),)] = identity
            if x.shape[a] > 1:
                ufunc.accumulate(
                    x[head + (slice(0, -1),)],
                    axis=a,
                    dtype=x.dtype,
                    out=out[head + (slice(1, None),)],
                )
        else:
            out = ufunc.accumulate(x, axis=a, dtype=x.dtype)
        return np.flip(out, a) if reverse else out

    return kernel


def _grad_cumsum(op, g):
    axis = op.inputs[1]
    return cumsum(
        g, axis, exclusive=op.get_attr("exclusive"), reverse=not op.get_attr("reverse")
    ), None


def _grad_cumprod(op, g):
    x, axis = op.inputs
    exclusive, reverse = op.get_attr("exclusive"), op.get_attr("reverse")
    out = cumsum(
        math_ops.multiply(op.outputs[0], g), axis, exclusive=exclusive, reverse=not reverse
    )
    # TF's div_no_nan(out, x): 0 where x == 0.
    is_zero = math_ops.equal(x, array_ops.zeros_like(x))
    safe = array_ops.where(is_zero, array_ops.ones_like(x), x)
    return array_ops.where(is_zero, array_ops.zeros_like(out), math_ops.truediv(out, safe)), None


_SCAN_ATTRS = {"exclusive": False, "reverse": False, "T": None, "Tidx": None}
_CUMSUM = defop("Cumsum", ("x", "axis"), _scan_kernel("Cumsum", np.add, 0), attrs=_SCAN_ATTRS,
                infer=_infer.same, grad=_grad_cumsum)  # fmt: skip
_CUMPROD = defop("Cumprod", ("x", "axis"), _scan_kernel("Cumprod", np.multiply, 1), attrs=_SCAN_ATTRS,
                 infer=_infer.same, grad=_grad_cumprod)  # fmt: skip

_AXES = {a: _wrap(np.int32(a)) for a in range(-4, 8)}
_FLAGS = {(e, r): {"exclusive": e, "reverse": r} for e in (False, True) for r in (False, True)}


def _scan(op, x, axis, exclusive, reverse, name):
    flags = _FLAGS[bool(exclusive), bool(reverse)]
    if type(x) is EagerTensor and x._value.dtype in _SCAN_NP and state.graph is None \
            and type(axis) is int and axis in _AXES:  # fmt: skip
        return execute(op, (x, _AXES[axis]), flags, name)
    x = to_tensor(x)
    check_type(op.name, "T", x, _SCAN_T)
    axis = index_input(axis, op.name, "Tidx", INT32_64)
    return execute(op, (x, axis), flags, name)


def cumsum(x, axis=0, exclusive=False, reverse=False, name=None):
    """Cumulative sum along `axis`; `exclusive` starts from 0, `reverse` sums from the end.

    >>> tf.math.cumsum([1, 2, 3], exclusive=True).numpy().tolist()
    [0, 1, 3]
    """
    return _scan(_CUMSUM, x, axis, exclusive, reverse, name)


def cumprod(x, axis=0, exclusive=False, reverse=False, name=None):
    """Cumulative product along `axis`; `exclusive` starts from 1, `reverse` from the end.

    >>> tf.math.cumprod([1, 2, 3], reverse=True).numpy().tolist()
    [6, 6, 3]
    """
    return _scan(_CUMPROD, x, axis, exclusive, reverse, name)


# -- CumulativeLogsumexp ---------------------------------------------------------------------------

_LSE_T = (dtypes.bfloat16, dtypes.float16, dtypes.float32, dtypes.float64)
_LSE_SCAN = _scan_kernel("CumulativeLogsumexp", np.logaddexp, -np.inf)


def _logsumexp_kernel(x, axis, exclusive=False, reverse=False, **_):
    if x.dtype.itemsize < 4:  # half precision: accumulate in float32, as TF's kernel does
        return _LSE_SCAN(x.astype(np.float32), axis, exclusive, reverse).astype(x.dtype)
    return _LSE_SCAN(x, axis, exclusive, reverse)


def _grad_logsumexp(op, g):
    from arroyo.ops import unary_ops

    x, axis = op.inputs
    out = op.outputs[0]
    exclusive, reverse = op.get_attr("exclusive"), op.get_attr("reverse")
    lowest = to_tensor(g.dtype.min, g.dtype)
    # Split the incoming gradient by sign so that its log exists (stable, as TF).
    log_pos = array_ops.where(math_ops.greater(g, 0), unary_ops.log(g), lowest)
    log_neg = array_ops.where(math_ops.less(g, 0), unary_ops.log(math_ops.negative(g)), lowest)

    def part(log_g):
        scanned = cumulative_logsumexp(math_ops.subtract(log_g, out), axis, exclusive=exclusive,
                                       reverse=not reverse)  # fmt: skip
        return unary_ops.exp(math_ops.add(scanned, x))

    return math_ops.subtract(part(log_pos), part(log_neg)), None


_CUMULATIVE_LOGSUMEXP = defop("CumulativeLogsumexp", ("x", "axis"), _logsumexp_kernel,
                              attrs=_SCAN_ATTRS, infer=_infer.same, grad=_grad_logsumexp)  # fmt: skip


def cumulative_logsumexp(x, axis=0, exclusive=False, reverse=False, name=None):
    """log(cumsum(exp(x))) along `axis`, computed stably (`exclusive` starts from -inf).

    >>> tf.math.cumulative_logsumexp(tf.constant([0., 0.], tf.float64)).numpy().round(4).tolist()
    [0.0, 0.6931]
    """
    x = to_tensor(x)
    check_type("CumulativeLogsumexp", "T", x, _LSE_T)
    axis = index_input(axis, "CumulativeLogsumexp", "Tidx", INT32_64)
    return execute(_CUMULATIVE_LOGSUMEXP, (x, axis), _FLAGS[bool(exclusive), bool(reverse)], name)


TF_API = {
    "tf": ["cumsum"],
    "tf.math": ["cumsum", "cumprod", "cumulative_logsumexp"],
}
