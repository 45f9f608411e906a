"""Segment reductions: tf.math.segment_sum/mean/max/min/prod (sorted ids: Segment*) and
tf.math.unsorted_segment_sum/max/min/prod (UnsortedSegment*), with the composed
unsorted_segment_mean and unsorted_segment_sqrt_n.

Sorted kernels reduce each run of equal ids with `ufunc.reduceat`; unsorted ones
accumulate with `ufunc.at` into a tensor pre-filled with the reduction's identity.
"""

from __future__ import annotations

import numpy as np

from arroyo.framework import dtypes
from arroyo.framework.op_registry import NUMERIC, REAL, defop, execute
from arroyo.framework.tensor_shape import TensorShape
from arroyo.ops import array_ops, math_ops
from arroyo.ops._helpers import NO_ATTRS, to_tensor
from arroyo.ops.gather_ops import INT32_64, check_type, err, gather, index_input
from arroyo.ops.scatter_ops import (
    check_unsorted_segments,
    expand_trailing,
    gather_drop_negatives,
    reduce_segments,
    segment_args,
    unsorted_segment_infer,
    unsorted_segment_sum,
)

__all__ = ["segment_sum", "segment_mean", "segment_max", "segment_min", "segment_prod",
           "unsorted_segment_sum", "unsorted_segment_mean", "unsorted_segment_max",
           "unsorted_segment_min", "unsorted_segment_prod", "unsorted_segment_sqrt_n"]  # fmt: skip


def _limits(dtype):
    """(lowest, highest) finite values of a NumPy dtype (TF's max/min identities)."""
    if dtype.kind in "iu":
        info = np.iinfo(dtype)
    else:
        try:
            info = np.finfo(dtype)
        except ValueError:  # bfloat16 (ml_dtypes)
            import ml_dtypes

            info = ml_dtypes.finfo(dtype)
    return info.min, info.max


# -- sorted: Segment* ------------------------------------------------------------------------------


def _segment_runs(op_name, data, ids):
    """Validates sorted segment ids; returns (run starts, run ids, number of output rows)."""
    if data.ndim < 1:
        raise err(op_name, "input must be at least rank 1")
    if ids.ndim != 1:
        raise err(op_name, "segment_ids should be a vector.")
    n = ids.shape[0]
    if n != data.shape[0]:
        raise err(op_name, "segment_ids should be the same size as dimension 0 of input.")
    if n == 0:
        return None, None, 0
    ids = ids.astype(np.int64, copy=False)
    rows = int(ids[-1]) + 1
    if rows <= 0:
        raise err(op_name, "segment ids must be >= 0")
    starts = np.flatnonzero(ids[1:] != ids[:-1]) + 1
    starts = np.concatenate(([0], starts))
    run_ids = ids[starts]
    # TF walks the runs: first "is the next id larger?", then "is this id in range?".
    order_bad = np.zeros(run_ids.shape, dtype=bool)
    order_bad[:-1] = run_ids[:-1] > run_ids[1:]
    bad = order_bad | (run_ids < 0) | (run_ids >= rows)
    if bad.any():
        k = int(np.argmax(bad))
        if order_bad[k]:
            raise err(op_name, "segment ids are not increasing")
        raise err(op_name, f"Segment id {run_ids[k]} out of range [0, {rows}), possibly because "
                           "'segment_ids' input is not sorted.")  # fmt: skip
    return starts, run_ids, rows


def _segment_kernel(op_name, ufunc, empty):
    def kernel(data, segment_ids, **_):
        starts, _, rows = _segment_runs(op_name, data, segment_ids)
        return reduce_segments(
            ufunc, data, segment_ids, rows, empty, ids_sorted=True, starts=starts
        )

    return kernel


def _segment_mean_kernel(data, segment_ids, **_):
    starts, _, rows = _segment_runs("SegmentMean", data, segment_ids)
    sums = reduce_segments(np.add, data, segment_ids, rows, 0, ids_sorted=True, starts=starts)
    if rows:
        counts = np.bincount(segment_ids, minlength=rows).reshape((-1,) + (1,) * (data.ndim - 1))
        counts = np.maximum(counts, 1)
        if data.dtype.kind in "iu":  # C++ integer division truncates toward zero
            sums = (np.sign(sums) * (np.abs(sums) // counts)).astype(data.dtype)
        else:
            sums = (sums / counts).astype(data.dtype, copy=False)
    return sums


def _segment_infer(inputs, attrs):
    data = inputs[0]
    if data.shape.rank is None:
        return [(data.dtype, TensorShape(None))]
    return [(data.dtype, TensorShape([None] + data.shape.as_list()[1:]))]


def _ones_for_ids(ids, data, dtype):
    """ones of shape ids.shape + [1] * (rank(data) - rank(ids)), for segment counts."""
    return expand_trailing(array_ops.ones_like(ids, dtype=dtype), data, 1)


def _grad_segment_sum(op, g):
    return gather(g, op.inputs[1]), None


def _grad_segment_mean(op, g):
    data, ids = op.inputs
    counts = segment_sum(_ones_for_ids(ids, data, g.dtype), ids)
    return gather(math_ops.truediv(g, counts), ids), None


def _grad_segment_minmax(op, g):
    data, ids = op.inputs
    is_selected = math_ops.equal(data, gather(op.outputs[0], ids))
    num_selected = segment_sum(math_ops.cast(is_selected, g.dtype), ids)
    weighted = gather(math_ops.truediv(g, num_selected), ids)
    return array_ops.where(is_selected, weighted, array_ops.zeros_like(data)), None


def _prod_partials(data, out_gathered, nonzero_prod_gathered):
    """d prod / d x_i: prod / x_i, or the product of the others at a (single) zero."""
    is_zero = math_ops.equal(data, 0)
    safe = array_ops.where(is_zero, array_ops.ones_like(data), data)
    return array_ops.where(is_zero, nonzero_prod_gathered, math_ops.truediv(out_gathered, safe))


def _grad_segment_prod(op, g):
    data, ids = op.inputs
    is_zero = math_ops.equal(data, 0)
    num_zeros = segment_sum(math_ops.cast(is_zero, dtypes.int32), ids)
    g = array_ops.where(math_ops.greater(num_zeros, 1), array_ops.zeros_like(g), g)
    non_zero = array_ops.where(is_zero, array_ops.ones_like(data), data)
    non_zero_prod = segment_prod(non_zero, ids)
    partial = _prod_partials(data, gather(op.outputs[0], ids), gather(non_zero_prod, ids))
    return math_ops.multiply(gather(g, ids), partial), None


_SEG_ATTRS = {"T": None, "Tindices": None}
_SEGMENT = {
    "SegmentSum": (defop("SegmentSum", ("data", "segment_ids"), _segment_kernel("SegmentSum", np.add, 0),
                         attrs=_SEG_ATTRS, infer=_segment_infer, grad=_grad_segment_sum), NUMERIC),
    "SegmentMean": (defop("SegmentMean", ("data", "segment_ids"), _segment_mean_kernel,
                          attrs=_SEG_ATTRS, infer=_segment_infer, grad=_grad_segment_mean), NUMERIC),
    "SegmentMax": (defop("SegmentMax", ("data", "segment_ids"), _segment_kernel("SegmentMax", np.maximum, 0),
                         attrs=_SEG_ATTRS, infer=_segment_infer, grad=_grad_segment_minmax), REAL),
    "SegmentMin": (defop("SegmentMin", ("data", "segment_ids"), _segment_kernel("SegmentMin", np.minimum, 0),
                         attrs=_SEG_ATTRS, infer=_segment_infer, grad=_grad_segment_minmax), REAL),
    "SegmentProd": (defop("SegmentProd", ("data", "segment_ids"), _segment_kernel("SegmentProd", np.multiply, 1),
                          attrs=_SEG_ATTRS, infer=_segment_infer, grad=_grad_segment_prod), NUMERIC),
}  # fmt: skip


def _segment(op_name, data, segment_ids, name):
    op, allowed = _SEGMENT[op_name]
    data = to_tensor(data)
    check_type(op_name, "T", data, allowed)
    ids = index_input(segment_ids, op_name, allowed=INT32_64)
    return execute(op, (data, ids), NO_ATTRS, name)


def segment_sum(data, segment_ids, name=None):
    """Sums the rows of `data` in each segment (ids sorted; empty segments give 0).

    >>> tf.math.segment_sum([1, 2, 3], [0, 0, 1]).numpy().tolist()
    [3, 3]
    """
    return _segment("SegmentSum", data, segment_ids, name)


def segment_mean(data, segment_ids, name=None):
    """Mean of each segment's rows (integer data: truncated mean; empty segments give 0)."""
    return _segment("SegmentMean", data, segment_ids, name)


def segment_max(data, segment_ids, name=None):
    """Max of each segment's rows (empty segments give 0)."""
    return _segment("SegmentMax", data, segment_ids, name)


def segment_min(data, segment_ids, name=None):
    """Min of each segment's rows (empty segments give 0)."""
    return _segment("SegmentMin", data, segment_ids, name)


def segment_prod(data, segment_ids, name=None):
    """Product of each segment's rows (empty segments give 1)."""
    return _segment("SegmentProd", data, segment_ids, name)


# -- unsorted: UnsortedSegmentMax / Min / Prod ------------------------------------------------------


def _unsorted_kernel(op_name, ufunc, which):
    def kernel(data, segment_ids, num_segments, **_):
        rows, ids, inner, num = check_unsorted_segments(op_name, data, segment_ids, num_segments)
        if which == "prod":
            init = 1
        else:
            lo, hi = _limits(data.dtype)
            init = lo if which == "max" else hi
        return reduce_segments(ufunc, rows, ids, num, init)

    return kernel


def _grad_unsorted_minmax(op, g):
    data, ids, num = op.inputs
    gathered_out = gather_drop_negatives(op.outputs[0], ids)
    is_selected = math_ops.equal(data, gathered_out)
    is_selected = math_ops.logical_and(is_selected, _positive_mask(ids, data))
    num_selected = unsorted_segment_sum(math_ops.cast(is_selected, g.dtype), ids, num)
    weighted = gather_drop_negatives(math_ops.truediv(g, num_selected), ids)
    return array_ops.where(is_selected, weighted, array_ops.zeros_like(weighted)), None, None


def _positive_mask(ids, data):
    """ids >= 0, broadcast to data's shape."""
    keep = expand_trailing(math_ops.greater_equal(ids, 0), data, ids.shape.rank)
    return math_ops.logical_and(keep, array_ops.ones_like(data, dtype=dtypes.bool))


def _grad_unsorted_prod(op, g):
    data, ids, num = op.inputs
    is_zero = math_ops.equal(data, 0)
    num_zeros = unsorted_segment_sum(math_ops.cast(is_zero, dtypes.int32), ids, num)
    g = array_ops.where(math_ops.greater(num_zeros, 1), array_ops.zeros_like(g), g)
    non_zero = array_ops.where(is_zero, array_ops.ones_like(data), data)
    non_zero_prod = unsorted_segment_prod(non_zero, ids, num)
    clipped = math_ops.maximum(ids, array_ops.zeros_like(ids))
    partial = _prod_partials(data, gather(op.outputs[0], clipped), gather(non_zero_prod, clipped))
    return math_ops.multiply(gather_drop_negatives(g, ids), partial), None, None


_USEG_ATTRS = {"T": None, "Tindices": None, "Tnumsegments": None}
_UNSORTED = {}
for _name, _ufunc, _which, _grad, _allowed in (
    ("UnsortedSegmentMax", np.maximum, "max", _grad_unsorted_minmax, REAL),
    ("UnsortedSegmentMin", np.minimum, "min", _grad_unsorted_minmax, REAL),
    ("UnsortedSegmentProd", np.multiply, "prod", _grad_unsorted_prod, NUMERIC),
):
    _UNSORTED[_name] = (defop(_name, ("data", "segment_ids", "num_segments"),
                              _unsorted_kernel(_name, _ufunc, _which), attrs=_USEG_ATTRS,
                              infer=unsorted_segment_infer, grad=_grad), _allowed)  # fmt: skip
del _name, _ufunc, _which, _grad, _allowed


def _unsorted(op_name, data, segment_ids, num_segments, name):
    op, allowed = _UNSORTED[op_name]
    args = segment_args(op_name, data, segment_ids, num_segments, allowed)
    return execute(op, args, NO_ATTRS, name)


def unsorted_segment_max(data, segment_ids, num_segments, name=None):
    """Max of the rows sharing each segment id (empty segments: the dtype's lowest value).

    >>> tf.math.unsorted_segment_max([1, 5, 3], [1, 0, 1], 2).numpy().tolist()
    [5, 3]
    """
    return _unsorted("UnsortedSegmentMax", data, segment_ids, num_segments, name)


def unsorted_segment_min(data, segment_ids, num_segments, name=None):
    """Min of the rows sharing each segment id (empty segments: the dtype's highest value)."""
    return _unsorted("UnsortedSegmentMin", data, segment_ids, num_segments, name)


def unsorted_segment_prod(data, segment_ids, num_segments, name=None):
    """Product of the rows sharing each segment id (empty segments give 1)."""
    return _unsorted("UnsortedSegmentProd", data, segment_ids, num_segments, name)


def _segment_counts(data, ids, num):
    """Rows per segment (at least 1), shaped to broadcast against the segment sums."""
    n = unsorted_segment_sum(array_ops.ones_like(ids, dtype=data.dtype), ids, num)
    return math_ops.maximum(expand_trailing(n, data, ids.shape.rank), 1)


def unsorted_segment_mean(data, segment_ids, num_segments, name=None):
    """Mean of the rows sharing each segment id (empty segments give 0).

    >>> tf.math.unsorted_segment_mean([1., 2., 4.], [0, 0, 1], 2).numpy().tolist()
    [1.5, 4.0]
    """
    data, ids, num = segment_args("UnsortedSegmentSum", data, segment_ids, num_segments)
    summed = unsorted_segment_sum(data, ids, num)
    return math_ops.truediv(summed, _segment_counts(data, ids, num))


def unsorted_segment_sqrt_n(data, segment_ids, num_segments, name=None):
    """Sum of each segment's rows divided by sqrt(rows in the segment)."""
    from arroyo.ops import unary_ops

    data, ids, num = segment_args("UnsortedSegmentSum", data, segment_ids, num_segments)
    summed = unsorted_segment_sum(data, ids, num)
    return math_ops.truediv(summed, unary_ops.sqrt(_segment_counts(data, ids, num)))


TF_API = {
    "tf.math": [
        "segment_sum",
        "segment_mean",
        "segment_max",
        "segment_min",
        "segment_prod",
        "unsorted_segment_sum",
        "unsorted_segment_mean",
        "unsorted_segment_max",
        "unsorted_segment_min",
        "unsorted_segment_prod",
        "unsorted_segment_sqrt_n",
    ],
}
