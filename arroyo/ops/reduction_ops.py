"""Reductions (reduce_sum/mean/max/min/prod/all/any and friends) and arg-reductions."""

from __future__ import annotations

import numpy as np

from arroyo.framework import dtypes
from arroyo.framework.composite_tensor import CompositeTensor, dispatch
from arroyo.framework.errors import InvalidArgumentError
from arroyo.framework.op_registry import COMPLEX, FLOATS, INTS, NUMERIC, REAL, defop, execute
from arroyo.framework.tensor import EagerTensor
from arroyo.framework.tensor_shape import TensorShape
from arroyo.ops import _infer, array_ops, math_ops
from arroyo.ops._helpers import check_allowed, int_tensor, static_value, to_tensor

_AXES: dict = {}  # (rank, axis bytes, dtype) -> normalized axes, for valid specs


def _axes(x, axis, op_name):
    r = np.ndim(x)
    if type(axis) is np.ndarray:
        key = (r, axis.tobytes(), axis.dtype.char, axis.ndim)
        hit = _AXES.get(key)
        if hit is None:
            hit = _axes_slow(r, axis, op_name)
            if len(_AXES) < 4096:
                _AXES[key] = hit
        return hit
    return _axes_slow(r, axis, op_name)


def _axes_slow(r, axis, op_name):
    ax = np.ravel(axis).astype(np.int64)
    for a in ax:
        if a < -r or a >= r:
            raise InvalidArgumentError(
                None,
                None,
                f"Invalid reduction dimension ({a} for input with {r} dimension(s) [Op:{op_name}]",
            )
    return tuple(int(a) % r for a in ax) if r else ()


def _make_kernel(np_fn, op_name, empty_ok=True):
    def kernel(x, axis, keep_dims=False, Tidx=None):
        axes = _axes(x, axis, op_name)
        if not empty_ok and np.size(x) == 0:
            # TF fills empty max/min reductions with the identity (-inf / +inf, dtype limits).
            shape = [1 if i in axes else d for i, d in enumerate(np.shape(x))] if keep_dims else \
                [d for i, d in enumerate(np.shape(x)) if i not in axes]  # fmt: skip
            fill = _identity_for(op_name, x.dtype)
            return np.full(shape, fill, dtype=x.dtype)
        out = np_fn(x, axis=axes, keepdims=keep_dims)
        if not isinstance(out, np.ndarray):
            out = np.asarray(out, dtype=x.dtype)[()] if not isinstance(out, np.generic) else out
        if out.dtype != x.dtype:
            out = out.astype(x.dtype)
        return out

    return kernel


def _identity_for(op_name, dtype):
    if dtype.kind == "f":
        return -np.inf if op_name == "Max" else np.inf
    if dtype.kind == "b":
        return op_name != "Max"
    info = np.iinfo(dtype)
    return info.min if op_name == "Max" else info.max


def _mean(x, axis, keepdims):
    if x.dtype.kind in "iu":
        s = np.sum(x, axis=axis, keepdims=keepdims, dtype=np.int64)
        n = 1
        for a in axis:
            n *= x.shape[a]
        return (s // max(n, 1)) if n else s  # TF's integer mean truncates
    if x.dtype.char in "fd":
        # np.mean's own steps (pairwise sum, then one division by the count) without its
        # Python-level overhead: bit-identical results.
        n = 1
        for a in axis:
            n *= x.shape[a]
        s = np.add.reduce(x, axis=axis, keepdims=keepdims)
        return s / x.dtype.type(n)
    return np.mean(
        x, axis=axis, keepdims=keepdims, dtype=np.float64 if x.dtype == np.float16 else None
    )


def _grad_sum(op, g):
    return _broadcast_back(op, g), None


def _broadcast_back(op, g):
    """Reshape the reduced gradient to keep_dims form, then broadcast to the input shape."""
    x, axis = op.inputs
    if not op.get_attr("keep_dims"):
        g = array_ops.reshape(g, _kept_shape(x, axis))
    return array_ops.broadcast_to(g, array_ops.shape(x))


def _kept_shape(x, axis):
    ax = static_value(axis)
    if ax is not None and x.shape.is_fully_defined():
        dims = x.shape.as_list()
        r = len(dims)
        axes = {int(a) % r for a in np.ravel(ax)} if r else set()
        return [1 if i in axes else d for i, d in enumerate(dims)]
    from arroyo.ops import manip_ops

    return manip_ops.reduced_shape(array_ops.shape(x), axis)


def _grad_mean(op, g):
    x = op.inputs[0]
    gs = _broadcast_back(op, g)
    out = op.outputs[0]
    n_in = x.shape.num_elements()
    n_out = out.shape.num_elements()
    if n_in is not None and n_out is not None:
        factor = max(n_in // max(n_out, 1), 1)
        return math_ops.truediv(gs, math_ops.cast(factor, gs.dtype)), None
    factor = math_ops.cast(
        math_ops.floordiv(array_ops.size(x), math_ops.maximum(array_ops.size(out), 1)), gs.dtype
    )
    return math_ops.truediv(gs, factor), None


def _grad_prod(op, g):
    # d/dx_i prod = prod / x_i, computed without division (safe for zeros) via cumprods of
    # the input with reduced axes moved last and flattened; works with unknown dimensions.
    x, axis = op.inputs
    gs = _broadcast_back(op, g)
    r = x.shape.rank
    ax = sorted({int(a) % r for a in np.ravel(static_value(axis))}) if r else []
    other = [i for i in range(r) if i not in ax]
    perm = other + ax
    xt = array_ops.transpose(x, perm)
    tshape = array_ops.shape(xt)
    n_other = len(other)
    m = reduce_prod(array_ops.strided_slice(tshape, [0], [n_other])) if other else 1
    k = reduce_prod(array_ops.strided_slice(tshape, [n_other], [r])) if ax else 1
    flat = array_ops.reshape(
        xt, array_ops.stack([m, k]) if not (isinstance(m, int) and isinstance(k, int)) else [m, k]
    )
    from arroyo.ops import scan_ops

    left = scan_ops.cumprod(flat, axis=1, exclusive=True)
    right = scan_ops.cumprod(flat, axis=1, exclusive=True, reverse=True)
    y = array_ops.reshape(math_ops.multiply(math_ops.conj(left), math_ops.conj(right)), tshape)
    inv = array_ops.invert_permutation(perm)
    return math_ops.multiply(gs, array_ops.transpose(y, inv)), None


def _grad_minmax(op, g):
    x = op.inputs[0]
    y = op.outputs[0]
    if not op.get_attr("keep_dims"):
        shp = _kept_shape(x, op.inputs[1])
        y = array_ops.reshape(y, shp)
        g = array_ops.reshape(g, shp)
    eq = math_ops.cast(math_ops.equal(x, y), g.dtype)
    count = math_ops.reduce_sum(eq, axis=op.inputs[1], keepdims=True)
    return math_ops.multiply(math_ops.truediv(eq, count), g), None


_ONES: dict = {}


def _sum(x, axis=None, keepdims=False):
    """np.sum, with sums over the leading axes of a float array (bias gradients) done as
    one BLAS product with a ones vector: 3-4x faster than NumPy's row-by-row loop, as
    accurate, and starting from +0 as TF's reductions do."""
    k = len(axis) if axis is not None else 0
    if (
        x.dtype.char in "fd"
        and 0 < k < x.ndim
        and axis == tuple(range(k))
        and x.flags.c_contiguous
        and x.size
    ):
        lead = 1
        for d in x.shape[:k]:
            lead *= d
        if lead > 1:
            ones = _ONES.get((x.dtype.char, lead))
            if ones is None:
                ones = np.ones(lead, x.dtype)
                if lead <= 1 << 16:
                    _ONES[(x.dtype.char, lead)] = ones
            out = ones @ x.reshape(lead, -1)
            return out.reshape((1,) * k + x.shape[k:] if keepdims else x.shape[k:])
    return np.add.reduce(x, axis=axis, keepdims=keepdims)


_NUMERIC_NP = None
_REDUCTIONS = {
    # name: (numpy function, allowed dtypes, gradient)
    "Sum": (_sum, NUMERIC, _grad_sum),
    "Mean": (_mean, NUMERIC, _grad_mean),
    "Prod": (np.prod, NUMERIC, _grad_prod),
    "Max": (np.max, REAL, _grad_minmax),
    "Min": (np.min, REAL, _grad_minmax),
    "All": (np.all, (dtypes.bool,), None),
    "Any": (np.any, (dtypes.bool,), None),
}
_OPS = {}
for _name, (_fn, _allowed, _grad) in _REDUCTIONS.items():
    _OPS[_name] = (
        defop(
            _name,
            ("input", "reduction_indices"),
            _make_kernel(_fn, _name, empty_ok=_name not in ("Max", "Min")),
            attrs={"keep_dims": False, "Tidx": dtypes.int32},
            infer=_infer.reduction(),
            grad=_grad,
            differentiable=_grad is not None,
        ),  # fmt: skip
        _allowed,
    )


def _specialize_reduction(np_fn, name):
    def specialize(attrs, consts, shapes=None):
        axis = consts[1]
        if axis is None or consts[0] is not None or name in ("Mean", "Max", "Min", "Prod"):
            return None  # Mean needs TF's integer rounding; Max/Min TF's empty handling
        axes = tuple(int(a) for a in np.ravel(axis))
        keep = bool(attrs.get("keep_dims", False))

        def kernel(x):
            if (
                x.dtype.kind not in "fc"
                or x.ndim == 0
                or any(a < -x.ndim or a >= x.ndim for a in axes)
            ):
                return _OPS[name][0].kernel(x, axis, keep_dims=keep)
            out = np_fn(x, axis=axes, keepdims=keep)
            return out if out.dtype == x.dtype else out.astype(x.dtype)

        return kernel

    return specialize


for _name in ("Sum",):
    _OPS[_name][0].specialize = _specialize_reduction(_sum, _name)

_ALL_AXES_CACHE: dict[int, EagerTensor] = {}
_ALLOWED_NP: dict = {}
_KEEP = {True: {"keep_dims": True}, False: {"keep_dims": False}}


def _reduce(name, input_tensor, axis, keepdims, op_name=None):
    op, allowed = _OPS[name]
    if isinstance(input_tensor, CompositeTensor):
        return dispatch("reduce", name, input_tensor, axis, keepdims)
    x = to_tensor(input_tensor)
    eager = type(x) is EagerTensor
    if eager:
        allowed_np = _ALLOWED_NP.get(name)
        if allowed_np is None:
            from arroyo.ops._helpers import np_allowed

            allowed_np = _ALLOWED_NP[name] = np_allowed(allowed)
        if x._value.dtype not in allowed_np:
            check_allowed(op, x, allowed)
    elif x.dtype not in allowed:
        check_allowed(op, x, allowed)
    if axis is None:
        r = x._value.ndim if eager else x.shape.rank
        if r is None:
            axis_t = array_ops.range_(array_ops.rank(x))
        else:
            axis_t = _ALL_AXES_CACHE.get(r)
            if axis_t is None or not isinstance(x, EagerTensor):
                axis_t = int_tensor(list(range(r)))
                if isinstance(x, EagerTensor):
                    _ALL_AXES_CACHE[r] = axis_t
    else:
        axis_t = int_tensor(axis)
    return execute(op, (x, axis_t), _KEEP[bool(keepdims)], op_name)


def reduce_sum(input_tensor, axis=None, keepdims=False, name=None):
    """Sum over `axis` (all axes by default).

    >>> tf.reduce_sum([[1, 2], [3, 4]], axis=0)
    <tf.Tensor: shape=(2,), dtype=int32, numpy=array([4, 6], dtype=int32)>
    """
    return _reduce("Sum", input_tensor, axis, keepdims, name)


def reduce_mean(input_tensor, axis=None, keepdims=False, name=None):
    """Mean over `axis` (integer inputs give a truncated integer mean, as TF)."""
    return _reduce("Mean", input_tensor, axis, keepdims, name)


def reduce_prod(input_tensor, axis=None, keepdims=False, name=None):
    return _reduce("Prod", input_tensor, axis, keepdims, name)


def reduce_max(input_tensor, axis=None, keepdims=False, name=None):
    return _reduce("Max", input_tensor, axis, keepdims, name)


def reduce_min(input_tensor, axis=None, keepdims=False, name=None):
    return _reduce("Min", input_tensor, axis, keepdims, name)


def reduce_all(input_tensor, axis=None, keepdims=False, name=None):
    return _reduce("All", input_tensor, axis, keepdims, name)


def reduce_any(input_tensor, axis=None, keepdims=False, name=None):
    return _reduce("Any", input_tensor, axis, keepdims, name)


def reduce_logsumexp(input_tensor, axis=None, keepdims=False, name=None):
    """log(sum(exp(x))) computed stably (the max is subtracted first)."""
    from arroyo.ops import unary_ops

    x = to_tensor(input_tensor)
    raw_max = reduce_max(x, axis, keepdims=True)
    my_max = array_ops.stop_gradient(
        array_ops.where(unary_ops.is_finite(raw_max), raw_max, array_ops.zeros_like(raw_max))
    )
    out = unary_ops.log(
        reduce_sum(unary_ops.exp(math_ops.subtract(x, my_max)), axis, keepdims=True)
    )
    out = math_ops.add(out, my_max)
    if not keepdims:
        out = array_ops.reshape(out, _reduced_shape_static(x, axis))
    return out


def _reduced_shape_static(x, axis):
    dims = x.shape.as_list()
    if axis is None:
        return []
    r = len(dims)
    axes = {int(a) % r for a in np.ravel(axis)}
    return [d for i, d in enumerate(dims) if i not in axes]


def reduce_variance(input_tensor, axis=None, keepdims=False, name=None):
    """Population variance over `axis`."""
    x = to_tensor(input_tensor)
    if not (x.dtype.is_floating or x.dtype.is_complex):
        raise TypeError(f"Input must be either real or complex. Received integer type {x.dtype}.")
    mean = reduce_mean(x, axis, keepdims=True)
    diff = math_ops.subtract(x, mean)
    if x.dtype.is_complex:
        sq = math_ops.cast(math_ops.abs(diff), x.dtype.real_dtype)
        sq = math_ops.multiply(sq, sq)
    else:
        sq = math_ops.multiply(diff, diff)
    return reduce_mean(sq, axis, keepdims)


def reduce_std(input_tensor, axis=None, keepdims=False, name=None):
    """Population standard deviation over `axis`."""
    from arroyo.ops import unary_ops

    return unary_ops.sqrt(reduce_variance(input_tensor, axis, keepdims))


def reduce_euclidean_norm(input_tensor, axis=None, keepdims=False, name=None):
    """sqrt(sum(x**2)) over `axis` (integer inputs keep their dtype, as TF)."""
    from arroyo.ops import unary_ops

    x = to_tensor(input_tensor)
    if x.dtype.is_integer:
        s = reduce_sum(math_ops.multiply(x, x), axis, keepdims)
        return math_ops.cast(unary_ops.sqrt(math_ops.cast(s, dtypes.float64)), x.dtype)
    if x.dtype.is_complex:
        a = math_ops.abs(x)
        return math_ops.cast(
            unary_ops.sqrt(reduce_sum(math_ops.multiply(a, a), axis, keepdims)), x.dtype
        )
    return unary_ops.sqrt(reduce_sum(math_ops.multiply(x, x), axis, keepdims))


# -- argmax / argmin ------------------------------------------------------------------------


def _arg_kernel(np_fn, op_name):
    def kernel(input, dimension, output_type=dtypes.int64, Tidx=None):  # noqa: A002
        r = np.ndim(input)
        a = int(dimension)
        if a < -r or a >= r:
            raise InvalidArgumentError(
                None,
                None,
                f"Expected dimension in the range [{-r}, {r}), but got {a} [Op:{op_name}]",
            )
        if np.shape(input)[a] == 0:
            raise InvalidArgumentError(
                None,
                None,
                f"Reduction axis {a} is empty in shape {list(np.shape(input))} [Op:{op_name}]",
            )
        out = np_fn(input, axis=a)
        if input.dtype.kind == "f" or input.dtype.name == "bfloat16":
            # NumPy picks the first NaN; TF's kernel compares with `>`/`<`, so a NaN never
            # wins (an all-NaN row gives index 0).
            if np.isnan(input).any():
                fill = -np.inf if op_name == "ArgMax" else np.inf
                out = np_fn(np.where(np.isnan(input), input.dtype.type(fill), input), axis=a)
        return (
            np.asarray(out, dtype=output_type._np)[()]
            if np.ndim(out) == 0
            else out.astype(output_type._np)
        )

    return kernel


def _arg_infer(inputs, attrs):
    x, dim = inputs
    d = static_value(dim)
    out_t = attrs.get("output_type", dtypes.int64)
    if d is None or x.shape.rank is None:
        return [(out_t, TensorShape(None))]
    dims = x.shape.as_list()
    a = int(d) % len(dims)
    return [(out_t, TensorShape(dims[:a] + dims[a + 1 :]))]


_ARGMAX = defop("ArgMax", ("input", "dimension"), _arg_kernel(np.argmax, "ArgMax"),
                attrs={"output_type": dtypes.int64, "Tidx": dtypes.int32}, infer=_arg_infer,
                differentiable=False)  # fmt: skip
_ARGMIN = defop("ArgMin", ("input", "dimension"), _arg_kernel(np.argmin, "ArgMin"),
                attrs={"output_type": dtypes.int64, "Tidx": dtypes.int32}, infer=_arg_infer,
                differentiable=False)  # fmt: skip


def argmax(input, axis=None, output_type=dtypes.int64, name=None):  # noqa: A002
    """Index of the largest value along `axis` (default 0), as int64.

    >>> tf.argmax([[4., 5.], [10., 1.]])
    <tf.Tensor: shape=(2,), dtype=int64, numpy=array([1, 0])>
    """
    x = to_tensor(input)
    check_allowed(_ARGMAX, x, REAL + (dtypes.bool,)) if x.dtype not in REAL + (
        dtypes.bool,
    ) else None
    return execute(_ARGMAX, (x, int_tensor(0 if axis is None else axis)),
                   {"output_type": dtypes.as_dtype(output_type)}, name)  # fmt: skip


def argmin(input, axis=None, output_type=dtypes.int64, name=None):  # noqa: A002
    """Index of the smallest value along `axis` (default 0), as int64."""
    x = to_tensor(input)
    check_allowed(_ARGMIN, x, REAL + (dtypes.bool,)) if x.dtype not in REAL + (
        dtypes.bool,
    ) else None
    return execute(_ARGMIN, (x, int_tensor(0 if axis is None else axis)),
                   {"output_type": dtypes.as_dtype(output_type)}, name)  # fmt: skip


def count_nonzero(input, axis=None, keepdims=None, dtype=dtypes.int64, name=None):  # noqa: A002
    """Number of non-zero elements along `axis`."""
    x = to_tensor(input)
    zero = array_ops.zeros_like(x)
    nz = math_ops.cast(math_ops.not_equal(x, zero), dtypes.int64)
    return math_ops.cast(reduce_sum(nz, axis, bool(keepdims)), dtype)


del _name, _fn, _allowed, _grad
_ = (FLOATS, COMPLEX, INTS)

TF_API = {
    "tf": [
        "reduce_sum",
        "reduce_mean",
        "reduce_prod",
        "reduce_max",
        "reduce_min",
        "reduce_all",
        "reduce_any",
        "reduce_logsumexp",
        "argmax",
        "argmin",
    ],
    "tf.math": [
        "reduce_sum",
        "reduce_mean",
        "reduce_prod",
        "reduce_max",
        "reduce_min",
        "reduce_all",
        "reduce_any",
        "reduce_logsumexp",
        "reduce_std",
        "reduce_variance",
        "reduce_euclidean_norm",
        "argmax",
        "argmin",
        "count_nonzero",
    ],
}
