"""Sorting and searching: tf.math.top_k (TopKV2), tf.sort and tf.argsort (composed on top_k,
as in TF), tf.unique / tf.unique_with_counts, tf.math.bincount (DenseBincount; raw Bincount
too) and tf.searchsorted (LowerBound / UpperBound).
"""

from __future__ import annotations

import collections

import numpy as np

from arroyo.framework import dtypes
from arroyo.framework.errors import InvalidArgumentError
from arroyo.framework.op_registry import REAL, defop, dtype_name, execute
from arroyo.framework.tensor_shape import TensorShape
from arroyo.ops import array_ops, math_ops
from arroyo.ops._helpers import int_tensor, is_tensorlike, static_value, to_tensor
from arroyo.ops.gather_ops import (
    INT32_64,
    check_type,
    dims_of,
    err,
    index_input,
    prod,
    shape_arg,
    shape_str,
    type_error,
)

__all__ = [
    "top_k",
    "in_top_k",
    "sort",
    "argsort",
    "unique",
    "unique_with_counts",
    "bincount",
    "searchsorted",
]

TopKV2 = collections.namedtuple("TopKV2", ["values", "indices"])
Unique = collections.namedtuple("Unique", ["y", "idx"])
UniqueWithCounts = collections.namedtuple("UniqueWithCounts", ["y", "idx", "count"])


def _index_dtype(value, op_name, attr):
    d = dtypes.as_dtype(value)
    if d not in INT32_64 and not (attr == "index_type" and d is dtypes.int16):
        allowed = (dtypes.int16,) + INT32_64 if attr == "index_type" else INT32_64
        raise type_error(op_name, attr, d, allowed)
    return d


# -- TopKV2 ------------------------------------------------------------------------------------------


def _descending_key(x):
    """An array whose ascending order is x's descending order (no overflow for integers)."""
    if x.dtype.kind in "iu":
        return np.invert(x)
    return np.negative(x)


def _top_k_by_argmax(x, k):
    """k rounds of argmax (first maximum = lowest index among ties), or None if unsuitable.

    The fastest exact top-k for small k: each round is one vectorized pass.
    """
    n = x.shape[-1]
    rows = x.reshape(int(np.prod(x.shape[:-1])), n)
    if x.dtype.kind in "iu":
        if x.dtype.itemsize > 4:
            return None
        work = rows.astype(np.float64)  # exact; leaves -inf free as the "taken" mark
    else:
        work = rows.copy()
        if not np.isfinite(work.min()):  # NaN or -inf would collide with the mark
            return None
    flat = work.reshape(-1)
    base = np.arange(rows.shape[0]) * n
    out = np.empty((rows.shape[0], k), dtype=np.int64)
    for j in range(k):
        i = work.argmax(axis=1)
        out[:, j] = i
        flat[base + i] = -np.inf
    return out.reshape(x.shape[:-1] + (k,))


def _top_k_order(x, k):
    """Indices of the k largest entries of each row, largest first, ties by lower index."""
    n = x.shape[-1]
    if k == 0:
        return np.zeros(x.shape[:-1] + (0,), dtype=np.int64)
    if k <= 8 and n > 16 and x.size >= 256:
        order = _top_k_by_argmax(x, k)
        if order is not None:
            return order
    key = _descending_key(x)
    if 4 * k < n and n > 64 and not (x.dtype.kind not in "iu" and np.isnan(x).any()):
        part = np.argpartition(key, k - 1, axis=-1)[..., :k]
        picked = np.take_along_axis(key, part, -1)
        kth = picked.max(axis=-1, keepdims=True)
        # The selection is exact unless some entry equal to the k-th one was left out.
        if np.array_equal((key == kth).sum(-1), (picked == kth).sum(-1)):
            part.sort(axis=-1)
            order = np.argsort(np.take_along_axis(key, part, -1), axis=-1, kind="stable")
            return np.take_along_axis(part, order, -1)
    order = np.argsort(key, axis=-1, kind="stable")
    return order if k == n else order[..., :k]


def _top_k_kernel(input, k, sorted=True, index_type=dtypes.int32, **_):  # noqa: A002
    if np.ndim(k) != 0:
        raise err("TopKV2", f"k must be scalar, got shape {shape_str(np.shape(k))}")
    k = int(k)
    if k < 0:
        raise err("TopKV2", f"Need k >= 0, got {k}")
    if input.ndim < 1:
        raise err("TopKV2", f"input must be >= 1-D, got shape {shape_str(input.shape)}")
    n = input.shape[-1]
    if n < k:
        raise err("TopKV2", f"input must have at least k columns. Had {n}, needed {k}")
    idx = _top_k_order(input, k)
    if input.ndim == 1:
        values = input[idx]
    else:
        rows = input.reshape(int(np.prod(input.shape[:-1])), n)
        values = rows[np.arange(rows.shape[0])[:, None], idx.reshape(rows.shape[0], k)].reshape(
            idx.shape
        )
    return [values, idx.astype(index_type._np, copy=False)]


def _top_k_infer(inputs, attrs):
    x, k = inputs
    kv = static_value(k)
    kv = int(kv) if kv is not None and np.ndim(kv) == 0 else None
    itype = attrs.get("index_type", dtypes.int32)
    if x.shape.rank is None:
        return [(x.dtype, TensorShape(None)), (itype, TensorShape(None))]
    shape = TensorShape(x.shape.as_list()[:-1] + [kv])
    return [(x.dtype, shape), (itype, shape)]


def _top_k_grad(op, g, _g_indices):
    from arroyo.ops import creation_ops, scatter_ops

    x = op.inputs[0]
    idx = op.outputs[1]
    xd = dims_of(x)
    k = dims_of(idx)[-1]
    n, outer = xd[-1], prod(xd[:-1])
    itype = idx.dtype if idx.dtype in INT32_64 else dtypes.int32
    total = outer * n
    if isinstance(total, int) and total >= 2**31:
        itype = dtypes.int64
    if idx.dtype is not itype:
        idx = math_ops.cast(idx, itype)
    rows = array_ops.reshape(idx, shape_arg([-1, k]))
    offsets = creation_ops.range(0, total, n, dtype=itype)
    flat = array_ops.reshape(math_ops.add(rows, array_ops.expand_dims(offsets, -1)), [-1, 1])
    size = array_ops.reshape(math_ops.cast(total, itype), [1]) if is_tensorlike(total) else [total]
    dx = scatter_ops.scatter_nd(flat, array_ops.reshape(g, [-1]), size)
    return array_ops.reshape(dx, shape_arg(xd)), None


_TOP_K = defop("TopKV2", ("input", "k"), _top_k_kernel,
               attrs={"sorted": True, "index_type": dtypes.int32, "T": None, "Tk": None},
               infer=_top_k_infer, grad=_top_k_grad, num_outputs=2)  # fmt: skip
_TOPK_ATTRS = {(True, dtypes.int32): {"sorted": True, "index_type": dtypes.int32}}


def top_k(input, k=1, sorted=True, index_type=dtypes.int32, name=None):  # noqa: A002
    """The `k` largest entries of the last axis and their indices (ties: lower index first).

    >>> r = tf.math.top_k([1, 3, 2], k=2)
    >>> r.values.numpy().tolist(), r.indices.numpy().tolist()
    ([3, 2], [1, 2])
    """
    x = to_tensor(input)
    check_type("TopKV2", "T", x, REAL)
    k = index_input(k, "TopKV2", "Tk")
    index_type = _index_dtype(index_type, "TopKV2", "index_type")
    attrs = _TOPK_ATTRS.get((bool(sorted), index_type)) or {
        "sorted": bool(sorted),
        "index_type": index_type,
    }
    values, indices = execute(_TOP_K, (x, k), attrs, name)
    return TopKV2(values, indices)


# -- InTopKV2 ------------------------------------------------------------------------------------------


def _in_top_k_kernel(predictions, targets, k, **_):
    if predictions.ndim != 2:
        raise err("InTopKV2", "predictions must be 2-dimensional")
    if targets.ndim != 1:
        raise err("InTopKV2", "targets must be 1-dimensional")
    if predictions.shape[0] != targets.shape[0]:
        raise err("InTopKV2", f"First dimension of predictions {predictions.shape[0]} must match length "
                              f"of targets {targets.shape[0]}")  # fmt: skip
    if np.ndim(k) != 0:
        raise err("InTopKV2", f"k must be 0-D, got shape {shape_str(np.shape(k))}")
    n = predictions.shape[1]
    valid = (targets >= 0) & (targets < n)
    target_pred = predictions[np.arange(targets.shape[0]), np.where(valid, targets, 0)]
    # In the top k when fewer than k classes score strictly higher (ties count in); a row
    # with any non-finite score cannot say, and answers False (as TF's kernel).
    higher = np.count_nonzero(predictions > target_pred[:, None], axis=1)
    return valid & np.isfinite(predictions).all(axis=1) & (higher < int(k))


_IN_TOP_K = defop("InTopKV2", ("predictions", "targets", "k"), _in_top_k_kernel, attrs={"T": None},
                  infer=lambda inputs, attrs: [(dtypes.bool, TensorShape([inputs[1].shape[0]]
                                                if inputs[1].shape.rank == 1 else None))],
                  differentiable=False)  # fmt: skip


def in_top_k(targets, predictions, k, name=None):
    """Whether each target class is among the `k` highest predictions of its row.

    >>> tf.math.in_top_k([1, 0], [[0.1, 0.9], [0.2, 0.8]], 1).numpy().tolist()
    [True, False]
    """
    predictions = to_tensor(predictions, dtypes.float32)
    targets = index_input(targets, "InTopKV2", "T", INT32_64)
    if is_tensorlike(k):
        k = to_tensor(k)
        if k.dtype is not targets.dtype:
            k = math_ops.cast(check_type("InTopKV2", "T", k, INT32_64), targets.dtype)
    else:
        k = int_tensor(int(k), targets.dtype)
    return execute(_IN_TOP_K, (predictions, targets, k), {}, name)


# -- sort / argsort (composed, as TF) -----------------------------------------------------------------


def _descending_sort(values, axis, return_argsort):
    r = values.shape.rank
    if axis < 0:
        axis += r
    perm = None
    if axis != r - 1:
        perm = list(range(axis)) + [r - 1] + list(range(axis + 1, r - 1)) + [axis]
        values = array_ops.transpose(values, perm)
    k = values.shape[-1]
    if k is None:
        k = array_ops.shape(values)[-1]
    vals, idx = top_k(values, k)
    out = idx if return_argsort else vals
    return array_ops.transpose(out, perm) if perm is not None else out


def _ascending_sort(values, axis, return_argsort):
    dtype = values.dtype
    if dtype.is_unsigned:
        offset = to_tensor(dtype.max, dtype)
        out = _descending_sort(math_ops.subtract(offset, values), axis, return_argsort)
        return out if return_argsort else math_ops.subtract(offset, out)
    if dtype.is_integer:
        out = _descending_sort(
            math_ops.subtract(math_ops.negative(values), 1), axis, return_argsort
        )
        return out if return_argsort else math_ops.subtract(math_ops.negative(out), 1)
    out = _descending_sort(math_ops.negative(values), axis, return_argsort)
    return out if return_argsort else math_ops.negative(out)


_SORT_IMPL = {"ASCENDING": _ascending_sort, "DESCENDING": _descending_sort}


def _sort_or_argsort(values, axis, direction, return_argsort):
    if direction not in _SORT_IMPL:
        raise ValueError("Argument `direction` should be one of ASCENDING, DESCENDING. "
                         f"Received: direction={direction}")  # fmt: skip
    ax = static_value(axis) if is_tensorlike(axis) else axis
    if ax is None or np.ndim(ax) != 0:
        raise ValueError(f"Argument `axis` must be a constant scalar. Received: axis={axis}.")
    ax = int(ax)
    values = to_tensor(values)
    r = values.shape.rank
    if r is None:
        raise ValueError("tf.sort needs the rank of `values` to be known")
    if not -r <= ax < r:
        raise InvalidArgumentError(
            None, None, f"slice index {ax} of dimension 0 out of bounds. [Op:StridedSlice]"
        )
    return _SORT_IMPL[direction](values, ax, return_argsort)


def sort(values, axis=-1, direction="ASCENDING", name=None):
    """Sorts along `axis` (the last by default).

    >>> tf.sort([3, 1, 2]).numpy().tolist()
    [1, 2, 3]
    """
    return _sort_or_argsort(values, axis, direction, False)


def argsort(values, axis=-1, direction="ASCENDING", stable=False, name=None):
    """Indices (int32) that sort `values` along `axis`; equal elements keep their order.

    >>> tf.argsort([3, 1, 2]).numpy().tolist()
    [1, 2, 0]
    """
    return _sort_or_argsort(values, axis, direction, True)


# -- Unique / UniqueWithCounts ----------------------------------------------------------------------


def _unique_parts(x, op_name):
    """(unique values in first-seen order, index of each x in them, counts)."""
    if x.ndim != 1:
        raise err(op_name, "unique expects a 1D vector.")
    if x.size == 0:
        empty = np.zeros(0, dtype=np.int64)
        return x.copy(), empty, empty
    # Sort once (stably, so each group's first element is its first occurrence), split into
    # groups of equal values (NaN != NaN keeps every NaN apart, as TF), then renumber the
    # groups by first occurrence.
    order = np.argsort(x, kind="stable")
    xs = x[order]
    starts = np.concatenate(([0], np.flatnonzero(xs[1:] != xs[:-1]) + 1))
    group = np.zeros(x.size, dtype=np.int64)
    group[starts[1:]] = 1
    np.cumsum(group, out=group)
    first = order[starts]
    by_first = np.argsort(first, kind="stable")
    rank = np.empty_like(by_first)
    rank[by_first] = np.arange(by_first.size)
    idx = np.empty(x.size, dtype=np.int64)
    idx[order] = rank[group]
    counts = np.diff(np.append(starts, x.size))[by_first]
    return x[first[by_first]], idx, counts


def _unique_kernel(x, out_idx=dtypes.int32, **_):
    y, idx, _counts = _unique_parts(x, "Unique")
    return [y, idx.astype(out_idx._np)]


def _unique_with_counts_kernel(x, out_idx=dtypes.int32, **_):
    y, idx, counts = _unique_parts(x, "UniqueWithCounts")
    return [y, idx.astype(out_idx._np), counts.astype(out_idx._np)]


def _unique_infer(with_counts):
    def infer(inputs, attrs):
        x = inputs[0]
        itype = attrs.get("out_idx", dtypes.int32)
        out = [(x.dtype, TensorShape([None])), (itype, x.shape)]
        if with_counts:
            out.append((itype, TensorShape([None])))
        return out

    return infer


_UNIQUE = defop("Unique", ("x",), _unique_kernel, attrs={"out_idx": dtypes.int32, "T": None},
                infer=_unique_infer(False), num_outputs=2, differentiable=False)  # fmt: skip
_UNIQUE_WITH_COUNTS = defop("UniqueWithCounts", ("x",), _unique_with_counts_kernel,
                            attrs={"out_idx": dtypes.int32, "T": None}, infer=_unique_infer(True),
                            num_outputs=3, differentiable=False)  # fmt: skip


def unique(x, out_idx=dtypes.int32, name=None):
    """The distinct elements of a 1-D tensor in first-seen order, and each element's index.

    >>> y, idx = tf.unique([3, 1, 3])
    >>> y.numpy().tolist(), idx.numpy().tolist()
    ([3, 1], [0, 1, 0])
    """
    x = to_tensor(x)
    out_idx = _index_dtype(out_idx, "Unique", "out_idx")
    return Unique(*execute(_UNIQUE, (x,), {"out_idx": out_idx}, name))


def unique_with_counts(x, out_idx=dtypes.int32, name=None):
    """Like `tf.unique`, plus how often each distinct element occurs."""
    x = to_tensor(x)
    out_idx = _index_dtype(out_idx, "UniqueWithCounts", "out_idx")
    return UniqueWithCounts(*execute(_UNIQUE_WITH_COUNTS, (x,), {"out_idx": out_idx}, name))


# -- Bincount / DenseBincount -------------------------------------------------------------------------

_BINCOUNT_T = (dtypes.int32, dtypes.int64, dtypes.float32, dtypes.float64)


def _bincount_core(op_name, arr, size, weights, binary_output):
    """Counts (or weight sums) of each value in [0, size) per row of a 1-D or 2-D `arr`."""
    if np.ndim(size) != 0:
        raise err(op_name, f"Shape must be rank 0 but is rank {np.ndim(size)}")
    size = int(size)
    if size < 0:
        raise err(op_name, f"size ({size}) must be non-negative")
    if arr.size and arr.min() < 0:
        raise err(op_name, "Input arr must be non-negative!")
    if weights.size and weights.shape != arr.shape:
        raise err(op_name, "`weights` must be the same shape as `arr` or a length-0 `Tensor`, in "
                           f"which case it acts as all weights equal to 1. Received {shape_str(weights.shape)}")  # fmt: skip
    rows = arr.shape[0] if arr.ndim == 2 else 1
    flat = arr.reshape(-1).astype(np.int64, copy=False)
    keep = flat < size
    pos = flat[keep]
    if arr.ndim == 2:
        pos = pos + (np.arange(flat.size, dtype=np.int64) // max(arr.shape[1], 1))[keep] * size
    dtype = weights.dtype
    n = rows * size
    if binary_output:
        out = np.zeros(n, dtype=dtype)
        out[pos] = 1
    elif not weights.size:
        out = np.bincount(pos, minlength=n).astype(dtype, copy=False)
    elif dtype.kind == "f":
        out = np.bincount(pos, weights=weights.reshape(-1)[keep], minlength=n).astype(
            dtype, copy=False
        )
    else:
        out = np.zeros(n, dtype=dtype)
        np.add.at(out, pos, weights.reshape(-1)[keep])
    return out.reshape((rows, size)) if arr.ndim == 2 else out


def _dense_bincount_kernel(input, size, weights, binary_output=False, **_):  # noqa: A002
    if input.ndim > 2:
        raise err("DenseBincount", f"Shape must be at most rank 2 but is rank {input.ndim}")
    return _bincount_core("DenseBincount", input.reshape(-1) if input.ndim == 0 else input, size,
                          weights, binary_output)  # fmt: skip


def _bincount_kernel(arr, size, weights, **_):
    w = weights.reshape(-1) if weights.size and weights.shape == arr.shape else weights
    return _bincount_core("Bincount", arr.reshape(-1), size, w, False)


def _bincount_infer(inputs, attrs):
    arr, size, weights = inputs
    s = static_value(size)
    s = int(s) if s is not None and np.ndim(s) == 0 else None
    if arr.shape.rank == 2:
        return [(weights.dtype, TensorShape([arr.shape[0], s]))]
    return [(weights.dtype, TensorShape([s]))]


_DENSE_BINCOUNT = defop("DenseBincount", ("input", "size", "weights"), _dense_bincount_kernel,
                        attrs={"binary_output": False, "Tidx": None, "T": None},
                        infer=_bincount_infer, differentiable=False)  # fmt: skip


def _bincount_1d_infer(inputs, attrs):
    s = static_value(inputs[1])
    return [(inputs[2].dtype, TensorShape([int(s) if s is not None and np.ndim(s) == 0 else None]))]


_BINCOUNT = defop("Bincount", ("arr", "size", "weights"), _bincount_kernel, attrs={"T": None},
                  infer=_bincount_1d_infer, differentiable=False)  # fmt: skip


def bincount(arr, weights=None, minlength=None, maxlength=None, dtype=dtypes.int32, name=None,
             axis=None, binary_output=False):  # fmt: skip
    """Counts how often each value in [0, max(arr)] occurs (or sums `weights` per value).

    >>> tf.math.bincount([1, 1, 3]).numpy().tolist()
    [0, 2, 0, 1]
    """
    arr = to_tensor(arr)
    if weights is not None:
        weights = to_tensor(weights)
    if weights is not None and binary_output:
        raise ValueError("Arguments `binary_output` and `weights` are mutually exclusive. Please "
                         "specify only one.")  # fmt: skip
    if not arr.dtype.is_integer:
        arr = math_ops.cast(arr, dtypes.int32)
    axis = 0 if axis is None else axis
    if axis not in (0, -1):
        raise ValueError(
            f"Unsupported value for argument axis={axis}. Only 0 and -1 are currently supported."
        )
    check_type("DenseBincount", "Tidx", arr, INT32_64)
    size = _output_size(arr, minlength, maxlength)
    if axis == 0:
        if weights is not None:
            weights = array_ops.reshape(weights, [-1])
        arr = array_ops.reshape(arr, [-1])
    if weights is None:
        weights = array_ops.zeros([0], dtype=dtype)
    check_type("DenseBincount", "T", weights, _BINCOUNT_T)
    return execute(
        _DENSE_BINCOUNT, (arr, size, weights), {"binary_output": bool(binary_output)}, name
    )


def _output_size(arr, minlength, maxlength):
    """max(arr) + 1 (0 when empty), raised to minlength and capped at maxlength."""
    v = static_value(arr)
    if v is not None and not is_tensorlike(minlength) and not is_tensorlike(maxlength):
        size = int(np.max(v)) + 1 if np.size(v) else 0
        if minlength is not None:
            size = max(int(minlength), size)
        if maxlength is not None:
            size = min(int(maxlength), size)
        return int_tensor(size, arr.dtype)
    from arroyo.ops import reduction_ops

    nonempty = math_ops.cast(math_ops.greater(array_ops.size(arr), 0), arr.dtype)
    size = math_ops.multiply(nonempty, math_ops.add(reduction_ops.reduce_max(arr), 1))
    if minlength is not None:
        size = math_ops.maximum(
            to_tensor(minlength, arr.dtype) if not is_tensorlike(minlength) else minlength, size
        )
    if maxlength is not None:
        size = math_ops.minimum(
            to_tensor(maxlength, arr.dtype) if not is_tensorlike(maxlength) else maxlength, size
        )
    return size


# -- LowerBound / UpperBound / searchsorted --------------------------------------------------------------


def _bound_search(seq, vals, right):
    """Row-wise binary search with std::lower_bound/upper_bound semantics (NaN-exact)."""
    rows, n = seq.shape
    if rows == 1 and not (seq.dtype.kind == "f" and (np.isnan(seq).any() or np.isnan(vals).any())):
        return np.searchsorted(seq[0], vals[0], side="right" if right else "left")[None]
    lo = np.zeros(vals.shape, dtype=np.int64)
    hi = np.full(vals.shape, n, dtype=np.int64)
    active = lo < hi
    while active.any():
        mid = (lo + hi) // 2
        probe = np.take_along_axis(seq, np.minimum(mid, n - 1), axis=1)
        # lower_bound moves right while seq[mid] < v; upper_bound while not v < seq[mid].
        go_right = ~(vals < probe) if right else probe < vals
        lo = np.where(active & go_right, mid + 1, lo)
        hi = np.where(active & ~go_right, mid, hi)
        active = lo < hi
    return lo


def _bound_kernel(op_name, right):
    def kernel(sorted_inputs, values, out_type=dtypes.int32, **_):
        for arr, arg in ((sorted_inputs, "sorted_inputs"), (values, "values")):
            if arr.ndim != 2:
                raise err(
                    op_name, f"Shape must be rank 2 but is rank {arr.ndim} for `{arg}` argument"
                )
        if sorted_inputs.shape[0] != values.shape[0]:
            raise err(op_name, "Leading dim_size of both tensors must match.")
        if sorted_inputs.shape[1] == 0:
            return np.zeros(values.shape, dtype=out_type._np)
        return _bound_search(sorted_inputs, values, right).astype(out_type._np, copy=False)

    return kernel


def _bound_infer(inputs, attrs):
    return [(attrs.get("out_type", dtypes.int32), inputs[1].shape)]


_LOWER_BOUND = defop("LowerBound", ("sorted_inputs", "values"), _bound_kernel("LowerBound", False),
                     attrs={"out_type": dtypes.int32, "T": None}, infer=_bound_infer,
                     differentiable=False)  # fmt: skip
_UPPER_BOUND = defop("UpperBound", ("sorted_inputs", "values"), _bound_kernel("UpperBound", True),
                     attrs={"out_type": dtypes.int32, "T": None}, infer=_bound_infer,
                     differentiable=False)  # fmt: skip


def searchsorted(sorted_sequence, values, side="left", out_type=dtypes.int32, name=None):
    """Where each of `values` would go in the sorted innermost rows of `sorted_sequence`.

    >>> tf.searchsorted([1., 2., 3.], [2., 2.5]).numpy().tolist()
    [1, 2]
    """
    seq = to_tensor(sorted_sequence)
    vals = to_tensor(values)
    for t in (seq, vals):
        if t.shape.rank == 0:
            raise InvalidArgumentError(
                None, None, "slice index -1 of dimension 0 out of bounds. [Op:StridedSlice]"
            )
    if side == "right":
        op = _UPPER_BOUND
    elif side == "left":
        op = _LOWER_BOUND
    else:
        raise ValueError(
            f"Argument `side` must be either 'right' or 'left'. Received: `side` = '{side}'."
        )
    if vals.dtype is not seq.dtype:
        raise err(op.name, f"cannot compute {op.name} as input #1(zero-based) was expected to be a "
                           f"{dtype_name(seq.dtype)} tensor but is a {dtype_name(vals.dtype)} tensor")  # fmt: skip
    out_type = _index_dtype(out_type, op.name, "out_type")
    sd, vd = dims_of(seq), dims_of(vals)
    seq2 = (
        array_ops.reshape(seq, shape_arg([prod(sd[:-1]), sd[-1]])) if seq.shape.rank != 2 else seq
    )
    vals2 = (
        array_ops.reshape(vals, shape_arg([prod(vd[:-1]), vd[-1]]))
        if vals.shape.rank != 2
        else vals
    )
    out = execute(op, (seq2, vals2), {"out_type": out_type}, name)
    return array_ops.reshape(out, shape_arg(vd)) if vals.shape.rank != 2 else out


TF_API = {
    "tf": ["sort", "argsort", "unique", "unique_with_counts", "searchsorted"],
    "tf.math": ["top_k", "bincount", "in_top_k"],
    "tf.nn": ["top_k", "in_top_k"],
}
