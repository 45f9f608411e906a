"""Scattering: tf.scatter_nd (ScatterNd), tf.tensor_scatter_nd_update/add/sub/max/min
(TensorScatter*) and tf.math.unsorted_segment_sum (UnsortedSegmentSum).

`unsorted_segment_sum(values, indices, num_rows)` is also what `IndexedSlices.to_dense()`
uses to densify sparse gradients.
"""

from __future__ import annotations

import numpy as np

from arroyo.framework import dtypes
from arroyo.framework.context import state
from arroyo.framework.errors import NotFoundError
from arroyo.framework.op_registry import NUMERIC, REAL, defop, dtype_name, execute
from arroyo.framework.tensor import EagerTensor
from arroyo.framework.tensor_shape import TensorShape
from arroyo.ops import array_ops, math_ops
from arroyo.ops._helpers import (
    NO_ATTRS,
    is_tensorlike,
    same_dtype_operands,
    static_value,
    to_tensor,
)
from arroyo.ops.gather_ops import (
    INDEX_DTYPES,
    INT32_64,
    check_type,
    err,
    first_true,
    gather,
    gather_nd,
    index_input,
    nd_positions,
    position,
    shape_str,
)

__all__ = ["scatter_nd", "tensor_scatter_nd_update", "tensor_scatter_nd_add",
           "tensor_scatter_nd_sub", "tensor_scatter_nd_max", "tensor_scatter_nd_min",
           "unsorted_segment_sum", "dynamic_partition", "dynamic_stitch"]  # fmt: skip

_SCATTER_ND_INDEX = (dtypes.int16, dtypes.int32, dtypes.int64)


def _flat_rows(arr, k):
    """`arr` viewed as [prod(shape[:k])] + shape[k:] (arr is a fresh, contiguous array)."""
    return arr.reshape((int(np.prod(arr.shape[:k])),) + arr.shape[k:])


def _apply(out, lin, upd, mode):
    """Writes/accumulates update rows `upd` at rows `lin` of `out` (in place)."""
    if mode == "update" or out.dtype.kind == "O":
        out[lin] = upd
        return
    if lin.size < 2 or not (np.diff(np.sort(lin)) == 0).any():
        # Distinct target rows: plain vectorized read-modify-write (ufunc.at is slow).
        if mode == "add":
            out[lin] += upd
        elif mode == "sub":
            out[lin] -= upd
        elif mode == "max":
            out[lin] = np.maximum(out[lin], upd)
        else:
            out[lin] = np.minimum(out[lin], upd)
        return
    if mode == "add":
        np.add.at(out, lin, upd)
    elif mode == "sub":
        np.subtract.at(out, lin, upd)
    elif mode == "max":
        np.maximum.at(out, lin, upd)
    else:
        np.minimum.at(out, lin, upd)


# -- ScatterNd -----------------------------------------------------------------------------------


def _check_scatter_nd(indices, updates, shape):
    if indices.ndim < 1:
        raise err(
            "ScatterNd",
            f"Indices shape must have rank at least one. Found:{shape_str(indices.shape)}",
        )
    if updates.ndim < 1:
        raise err(
            "ScatterNd",
            f"Updates shape must have rank at least one. Found:{shape_str(updates.shape)}",
        )
    slice_dim = indices.shape[-1]
    batch_dim = indices.ndim - 1
    ud = updates.ndim

    def prefix():
        return err(
            "ScatterNd",
            f"Dimensions [0,{batch_dim}) of indices[shape={shape_str(indices.shape)}] "
            f"must match dimensions [0,{batch_dim}) of updates[shape={shape_str(updates.shape)}]",
        )

    def suffix():
        return err(
            "ScatterNd",
            f"Dimensions [{slice_dim},{len(shape)}) of input[shape={shape_str(shape)}] "
            f"must match dimensions [{batch_dim},{ud}) of updates[shape={shape_str(updates.shape)}]",
        )

    if ud < batch_dim:
        raise prefix()
    if len(shape) < slice_dim + (ud - batch_dim) or ud != batch_dim + len(shape) - slice_dim:
        raise suffix()
    if updates.shape[:batch_dim] != indices.shape[:batch_dim]:
        raise prefix()
    if updates.shape[batch_dim:] != tuple(shape[slice_dim:]):
        raise suffix()


def _scatter_nd_kernel(indices, updates, shape, bad_indices_policy="", **_):
    dims = tuple(int(d) for d in np.ravel(shape))
    for d in dims:
        if d < 0:
            raise err("ScatterNd", f"Dimension {d} must be >= 0")
    _check_scatter_nd(indices, updates, dims)
    k = indices.shape[-1]
    n_idx = int(np.prod(indices.shape[:-1]))
    if k == 0:
        if n_idx:
            raise err("ScatterNd", "Indices and updates specified for empty output shape")
        raise err("ScatterNd", "Only indices.shape[-1] values between 1 and 5 are currently supported.  "
                               "Requested rank: 0")  # fmt: skip
    if n_idx and not int(np.prod(dims)):
        raise err("ScatterNd", f"Indices and updates specified for empty output.  indices shape: "
                               f"{shape_str(indices.shape)}")  # fmt: skip
    if updates.dtype.kind == "O":
        out = np.full(dims, b"", dtype=object)
    else:
        out = np.zeros(dims, dtype=updates.dtype)
    lin = nd_positions(indices, dims, "ScatterNd", f"shape {shape_str(dims)}")
    rows = _flat_rows(out, k)
    _apply(rows, lin, updates.reshape((-1,) + dims[k:]) if updates.size else
           updates.reshape((lin.shape[0],) + dims[k:]), "add")  # fmt: skip
    return out


def _scatter_nd_infer(inputs, attrs):
    indices, updates, shape = inputs
    v = static_value(shape)
    if v is None:
        n = shape.shape[0] if shape.shape.rank == 1 else None
        return [(updates.dtype, TensorShape(None if n is None else [None] * n))]
    return [(updates.dtype, TensorShape([int(d) for d in np.ravel(v)]))]


def _scatter_nd_grad(op, g):
    indices = op.inputs[0]
    return None, gather_nd(g, indices), None


_SCATTER_ND = defop("ScatterNd", ("indices", "updates", "shape"), _scatter_nd_kernel,
                    attrs={"bad_indices_policy": "", "T": None, "Tindices": None},
                    infer=_scatter_nd_infer, grad=_scatter_nd_grad)  # fmt: skip


def scatter_nd(indices, updates, shape, name=None):
    """A zero tensor of `shape` with `updates` added at N-d `indices` (duplicates sum).

    >>> tf.scatter_nd([[1], [3]], [10, 20], [5]).numpy().tolist()
    [0, 10, 0, 20, 0]
    """
    indices = index_input(indices, "ScatterNd", allowed=_SCATTER_ND_INDEX)
    updates = to_tensor(updates)
    if indices.dtype is dtypes.int16:
        raise no_kernel("ScatterNd", updates.dtype, indices.dtype)
    if isinstance(shape, TensorShape):
        shape = shape.as_list()
    if is_tensorlike(shape):
        shape = to_tensor(shape)
        if shape.dtype is not indices.dtype:
            raise err("ScatterNd", f"cannot compute ScatterNd as input #2(zero-based) was expected "
                                   f"to be a {dtype_name(indices.dtype)} tensor but is a "
                                   f"{dtype_name(shape.dtype)} tensor")  # fmt: skip
    else:
        shape = index_input(shape, "ScatterNd", allowed=_SCATTER_ND_INDEX, dtype=indices.dtype)
        if shape.dtype is not indices.dtype:
            shape = math_ops.cast(shape, indices.dtype)
    return execute(_SCATTER_ND, (indices, updates, shape), NO_ATTRS, name)


# -- TensorScatterUpdate / Add / Sub / Max / Min ---------------------------------------------------


def _check_tensor_scatter(op_name, tensor, indices, updates):
    if indices.ndim < 1:
        raise err(
            op_name, f"Indices shape must have rank at least one. Found:{shape_str(indices.shape)}"
        )
    if updates.ndim < 1:
        raise err(
            op_name, f"Updates shape must have rank at least one. Found:{shape_str(updates.shape)}"
        )
    outer = indices.ndim - 1
    if updates.ndim < outer or indices.shape[:outer] != updates.shape[:outer]:
        raise err(op_name, f"Outer dimensions of indices and update must match. Indices shape: "
                           f"{shape_str(indices.shape)}, updates shape:{shape_str(updates.shape)}")  # fmt: skip
    k = indices.shape[-1]
    if updates.ndim - outer != tensor.ndim - k:
        raise err(op_name, f"Inner dimensions of output shape must match inner dimensions of updates "
                           f"shape. Output: {shape_str(tensor.shape)} updates: {shape_str(updates.shape)}")  # fmt: skip
    if updates.shape[outer:] != tensor.shape[k:]:
        m = updates.ndim - outer
        raise err(op_name, f"The inner {m} dimensions of output.shape={shape_str(tensor.shape)} must "
                           f"match the inner {m} dimensions of updates.shape={shape_str(updates.shape)}")  # fmt: skip


def _tensor_scatter_kernel(op_name, mode):
    def kernel(tensor, indices, updates, bad_indices_policy="", **_):
        _check_tensor_scatter(op_name, tensor, indices, updates)
        k = indices.shape[-1]
        if (k == 0 or not tensor.size) and int(np.prod(indices.shape[:-1])):
            raise err(op_name, "Indices and updates specified for empty output shape")
        lin = nd_positions(indices, tensor.shape, op_name, f"shape {shape_str(tensor.shape)}")
        out = np.array(tensor, copy=True)
        rows = _flat_rows(out, k)
        _apply(rows, lin, updates.reshape((lin.shape[0],) + tensor.shape[k:]), mode)
        return out if out.ndim else out[()]

    return kernel


def _tensor_scatter_infer(inputs, attrs):
    return [(inputs[0].dtype, inputs[0].shape)]


def _grad_ts_update(op, g):
    indices, updates = op.inputs[1], op.inputs[2]
    tensor_grad = tensor_scatter_nd_update(g, indices, array_ops.zeros_like(updates))
    return tensor_grad, None, gather_nd(g, indices)


def _grad_ts_add(op, g):
    return g, None, gather_nd(g, op.inputs[1])


def _grad_ts_sub(op, g):
    return g, None, math_ops.negative(gather_nd(g, op.inputs[1]))


def _grad_ts_minmax(op, g):
    x, indices, y = op.inputs
    out = op.outputs[0]
    x_ind = math_ops.cast(math_ops.equal(x, out), g.dtype)
    y_ind = math_ops.cast(math_ops.equal(y, gather_nd(out, indices)), g.dtype)
    shape = (
        array_ops.shape(x, out_type=indices.dtype)
        if indices.dtype in INT32_64
        else array_ops.shape(x)
    )
    ys_ind = scatter_nd(indices, y_ind, shape)
    total = math_ops.add(x_ind, ys_ind)  # every element >= 1: ties share the gradient
    x_grad = math_ops.truediv(math_ops.multiply(g, x_ind), total)
    y_grad = math_ops.multiply(gather_nd(math_ops.truediv(g, total), indices), y_ind)
    return x_grad, None, y_grad


_TS_ATTRS = {"bad_indices_policy": "", "T": None, "Tindices": None}
_TS = {}
for _name, _mode, _grad, _allowed in (
    ("TensorScatterUpdate", "update", _grad_ts_update, None),
    ("TensorScatterAdd", "add", _grad_ts_add, NUMERIC),
    ("TensorScatterSub", "sub", _grad_ts_sub, NUMERIC),
    ("TensorScatterMax", "max", _grad_ts_minmax, REAL),
    ("TensorScatterMin", "min", _grad_ts_minmax, REAL),
):
    _TS[_name] = (defop(_name, ("tensor", "indices", "updates"), _tensor_scatter_kernel(_name, _mode),
                        attrs=_TS_ATTRS, infer=_tensor_scatter_infer, grad=_grad),
                  _allowed)  # fmt: skip
del _name, _mode, _grad, _allowed

_TS_INDEX = (dtypes.int16, dtypes.int32, dtypes.int64, dtypes.uint16)


def _tensor_scatter(op_name, tensor, indices, updates, name):
    op, allowed = _TS[op_name]
    tensor = to_tensor(tensor)
    if is_tensorlike(updates):
        updates = to_tensor(updates)
        if updates.dtype is not tensor.dtype:
            raise err(op_name, f"cannot compute {op_name} as input #2(zero-based) was expected to be a "
                               f"{dtype_name(tensor.dtype)} tensor but is a {dtype_name(updates.dtype)} tensor")  # fmt: skip
    else:
        updates = to_tensor(updates, tensor.dtype)
    indices = index_input(indices, op_name, allowed=_TS_INDEX)
    if allowed is not None and tensor.dtype not in allowed:
        raise no_kernel(op_name, tensor.dtype, indices.dtype)
    return execute(op, (tensor, indices, updates), NO_ATTRS, name)


def no_kernel(op_name, t, tindices):
    """TF's error for a dtype its op signature allows but no CPU kernel implements."""
    return NotFoundError(
        None, None,
        f"Could not find device for node: {{{{node {op_name}}}}} = {op_name}[T=DT_{dtype_name(t).upper()}, "
        f'Tindices=DT_{dtype_name(tindices).upper()}, bad_indices_policy=""] [Op:{op_name}]',
    )  # fmt: skip


def tensor_scatter_nd_update(tensor, indices, updates, name=None):
    """A copy of `tensor` with the slices at N-d `indices` replaced by `updates`.

    >>> tf.tensor_scatter_nd_update([1, 2, 3], [[0]], [9]).numpy().tolist()
    [9, 2, 3]
    """
    return _tensor_scatter("TensorScatterUpdate", tensor, indices, updates, name)


def tensor_scatter_nd_add(tensor, indices, updates, name=None):
    """A copy of `tensor` with `updates` added at N-d `indices` (duplicates accumulate)."""
    return _tensor_scatter("TensorScatterAdd", tensor, indices, updates, name)


def tensor_scatter_nd_sub(tensor, indices, updates, name=None):
    """A copy of `tensor` with `updates` subtracted at N-d `indices`."""
    return _tensor_scatter("TensorScatterSub", tensor, indices, updates, name)


def tensor_scatter_nd_max(tensor, indices, updates, name=None):
    """A copy of `tensor` with each indexed slice the elementwise max of itself and `updates`."""
    return _tensor_scatter("TensorScatterMax", tensor, indices, updates, name)


def tensor_scatter_nd_min(tensor, indices, updates, name=None):
    """A copy of `tensor` with each indexed slice the elementwise min of itself and `updates`."""
    return _tensor_scatter("TensorScatterMin", tensor, indices, updates, name)


# -- UnsortedSegmentSum (and the shared machinery of the unsorted segment family) ----------------


def check_unsorted_segments(op_name, data, ids, num):
    """Validates an UnsortedSegment* call; returns (rows of data, kept ids, their rows, num)."""
    if np.ndim(num) != 0:
        raise err(op_name, f"num_segments should be a scalar, not shape {shape_str(np.shape(num))}")
    num = int(num)
    if num < 0:
        raise err(op_name, f"Input num_segments == {num} must not be negative.")
    if data.shape[: ids.ndim] != ids.shape:
        raise err(op_name, f"data.shape = {shape_str(data.shape)} does not start with "
                           f"segment_ids.shape = {shape_str(ids.shape)}")  # fmt: skip
    if ids.size and ids.max() >= num:
        bad = first_true(ids >= num)
        raise err(op_name, f"segment_ids{position(bad, ids.shape)} = {np.ravel(ids)[bad]} is out of "
                           f"range [0, {num})")  # fmt: skip
    inner = data.shape[ids.ndim :]
    rows = data.reshape((ids.size,) + inner)
    flat = ids.reshape(-1)
    if flat.size and flat.min() < 0:  # negative ids are dropped, as in TF
        keep = flat >= 0
        flat, rows = flat[keep], rows[keep]
    return rows, flat, inner, num


def reduce_segments(ufunc, rows, ids, num, init, ids_sorted=False, starts=None):
    """out[s] = ufunc-reduction of rows[ids == s] (init where no row has id s).

    `ids` must lie in [0, num). Small inputs use `ufunc.at`; unsorted float sums of narrow
    rows use one `bincount` per column (accumulating in float64); everything else sorts
    the rows by id (unless already sorted) and reduces each run with `ufunc.reduceat`.
    """
    inner = rows.shape[1:]
    out = np.full((num,) + inner, init, dtype=rows.dtype)
    m = ids.shape[0]
    if m == 0:
        return out
    width = int(np.prod(inner))
    if m * width <= 1024 and not ids_sorted:
        ufunc.at(out, ids, rows)
        return out
    if (ufunc is np.add and not ids_sorted and rows.dtype.kind == "f" and rows.dtype.itemsize >= 4
            and width <= 32):  # fmt: skip
        flat_rows = rows.reshape(m, width)
        flat_out = out.reshape(num, width)
        for c in range(width):
            flat_out[:, c] = np.bincount(ids, weights=flat_rows[:, c], minlength=num)
        return out
    if not ids_sorted:
        order = np.argsort(ids, kind="stable")
        ids, rows = ids[order], rows[order]
    if starts is None:
        starts = np.concatenate(([0], np.flatnonzero(ids[1:] != ids[:-1]) + 1))
    out[ids[starts]] = ufunc.reduceat(rows, starts, axis=0)
    return out


def _unsorted_segment_sum_kernel(data, segment_ids, num_segments, **_):
    rows, ids, inner, num = check_unsorted_segments(
        "UnsortedSegmentSum", data, segment_ids, num_segments
    )
    return reduce_segments(np.add, rows, ids, num, 0)


def unsorted_segment_infer(inputs, attrs):
    data, ids, num = inputs
    n = static_value(num)
    n = int(n) if n is not None and np.ndim(n) == 0 else None
    if data.shape.rank is None or ids.shape.rank is None:
        return [(data.dtype, TensorShape(None))]
    return [(data.dtype, TensorShape([n] + data.shape.as_list()[ids.shape.rank :]))]


def gather_drop_negatives(params, ids):
    """gather(params, ids) with rows of negative ids zeroed (TF's _GatherDropNegatives)."""
    v = static_value(ids)
    if v is not None and (np.size(v) == 0 or np.min(v) >= 0):
        return gather(params, ids)
    clipped = math_ops.maximum(ids, array_ops.zeros_like(ids))
    gathered = gather(params, clipped)
    keep = expand_trailing(math_ops.greater_equal(ids, 0), params, 1)
    return array_ops.where(keep, gathered, array_ops.zeros_like(gathered))


def expand_trailing(t, like, skip):
    """`t` reshaped to t.shape + [1] * (rank(like) - skip), to broadcast against rows of `like`."""
    r = like.shape.rank
    if r is not None:
        extra = r - skip
        if not extra:
            return t
        ones = [1] * extra
    else:
        n = array_ops.expand_dims(math_ops.subtract(array_ops.rank(like), skip), 0)
        ones = array_ops.fill(n, to_tensor(1, dtypes.int32))
    return array_ops.reshape(t, array_ops.concat([array_ops.shape(t), ones], 0))


def _unsorted_segment_sum_grad(op, g):
    return gather_drop_negatives(g, op.inputs[1]), None, None


_UNSORTED_SEGMENT_SUM = defop(
    "UnsortedSegmentSum", ("data", "segment_ids", "num_segments"), _unsorted_segment_sum_kernel,
    attrs={"T": None, "Tindices": None, "Tnumsegments": None}, infer=unsorted_segment_infer,
    grad=_unsorted_segment_sum_grad,
)  # fmt: skip
_SEGMENT_T = NUMERIC
_IDS_NP = frozenset(d._np for d in INDEX_DTYPES)


def segment_args(op_name, data, segment_ids, num_segments, allowed=_SEGMENT_T):
    """Converts and checks the inputs of an UnsortedSegment* op."""
    data = to_tensor(data)
    check_type(op_name, "T", data, allowed)
    ids = index_input(segment_ids, op_name)
    num = index_input(num_segments, op_name, "Tnumsegments", INT32_64)
    return data, ids, num


def unsorted_segment_sum(data, segment_ids, num_segments, name=None):
    """Sums the rows of `data` that share a segment id (ids in any order; negative dropped).

    >>> tf.math.unsorted_segment_sum([1, 2, 3], [1, 0, 1], 2).numpy().tolist()
    [2, 4]
    """
    if (type(data) is EagerTensor and type(segment_ids) is EagerTensor and state.graph is None
            and segment_ids._value.dtype in _IDS_NP and data.dtype in _SEGMENT_T):  # fmt: skip
        num = num_segments if is_tensorlike(num_segments) else to_tensor(int(num_segments))
        if num.dtype in INT32_64:
            return execute(_UNSORTED_SEGMENT_SUM, (data, segment_ids, num), NO_ATTRS, name)
    args = segment_args("UnsortedSegmentSum", data, segment_ids, num_segments)
    return execute(_UNSORTED_SEGMENT_SUM, args, NO_ATTRS, name)


# -- DynamicPartition / DynamicStitch ----------------------------------------------------------------


def _dynamic_partition_kernel(data, partitions, num_partitions=1, **_):
    if data.shape[: partitions.ndim] != partitions.shape:
        raise err("DynamicPartition", f"data.shape must start with partitions.shape, got data.shape = "
                                      f"{shape_str(data.shape)}, partitions.shape = {shape_str(partitions.shape)}")  # fmt: skip
    n = num_partitions
    if partitions.size and (partitions.min() < 0 or partitions.max() >= n):
        bad = first_true((partitions < 0) | (partitions >= n))
        raise err("DynamicPartition", f"partitions{position(bad, partitions.shape)} = "
                                      f"{np.ravel(partitions)[bad]} is not in [0, {n})")  # fmt: skip
    flat = partitions.reshape(-1)
    rows = data.reshape((flat.size,) + data.shape[partitions.ndim :])
    if n <= 8:
        return [rows[flat == i] for i in range(n)]
    order = np.argsort(flat, kind="stable")
    counts = np.bincount(flat, minlength=n)
    return np.split(rows[order], np.cumsum(counts)[:-1])


def _dynamic_partition_infer(inputs, attrs):
    data, parts = inputs
    n = attrs["num_partitions"]
    if data.shape.rank is None or parts.shape.rank is None:
        return [(data.dtype, TensorShape(None))] * n
    return [(data.dtype, TensorShape([None] + data.shape.as_list()[parts.shape.rank :]))] * n


def _dynamic_partition_grad(op, *grads):
    from arroyo.ops import creation_ops, reduction_ops

    data, parts = op.inputs
    prefix = array_ops.shape(parts)
    original = array_ops.reshape(creation_ops.range(reduction_ops.reduce_prod(prefix)), prefix)
    pieces = dynamic_partition(original, parts, op.get_attr("num_partitions"))
    return array_ops.reshape(dynamic_stitch(pieces, list(grads)), array_ops.shape(data)), None


_DYNAMIC_PARTITION = defop("DynamicPartition", ("data", "partitions"), _dynamic_partition_kernel,
                           attrs={"num_partitions": None, "T": None}, infer=_dynamic_partition_infer,
                           grad=_dynamic_partition_grad,
                           num_outputs=lambda attrs: attrs["num_partitions"])  # fmt: skip


def dynamic_partition(data, partitions, num_partitions, name=None):
    """Splits `data` into `num_partitions` tensors by the partition number of each row.

    >>> [p.numpy().tolist() for p in tf.dynamic_partition([10, 20, 30], [1, 0, 1], 2)]
    [[20], [10, 30]]
    """
    data = to_tensor(data)
    parts = (
        to_tensor(partitions)
        if is_tensorlike(partitions)
        else index_input(partitions, "DynamicPartition")
    )
    if parts.dtype is not dtypes.int32:
        raise err("DynamicPartition", "cannot compute DynamicPartition as input #1(zero-based) was expected "
                                      f"to be a int32 tensor but is a {dtype_name(parts.dtype)} tensor")  # fmt: skip
    n = int(num_partitions)
    if n < 1:
        raise err(
            "DynamicPartition", f"Value for attr 'num_partitions' of {n} must be at least minimum 1"
        )
    return execute(_DYNAMIC_PARTITION, (data, parts), {"num_partitions": n}, name)


def _dynamic_stitch_kernel(*args, N, **_):
    indices, data = args[:N], args[N:]
    slice_shape = None
    top = -1
    for m in range(N):
        idx, d = indices[m], data[m]
        if d.shape[: idx.ndim] != idx.shape:
            raise err("DynamicStitch", f"data[{m}].shape = {shape_str(d.shape)} does not start with "
                                       f"indices[{m}].shape = {shape_str(idx.shape)}")  # fmt: skip
        rest = d.shape[idx.ndim :]
        if slice_shape is None:
            slice_shape = rest
        elif rest != slice_shape:
            raise err("DynamicStitch", f"Needs data[{m}].shape = {shape_str(idx.shape + slice_shape)}, got "
                                       f"{shape_str(d.shape)}")  # fmt: skip
        if idx.size:
            if idx.min() < 0:
                raise err("DynamicStitch", f"indices[{first_true(idx < 0)}] is out of range")
            top = max(top, int(idx.max()))
    out = np.zeros((top + 1,) + slice_shape, dtype=data[0].dtype) if data[0].dtype.kind != "O" else \
        np.full((top + 1,) + slice_shape, b"", dtype=object)  # fmt: skip
    for idx, d in zip(indices, data):  # later lists win on duplicate indices, as in TF
        out[idx.reshape(-1)] = d.reshape((idx.size,) + slice_shape)
    return out


def _dynamic_stitch_infer(inputs, attrs):
    n = attrs["N"]
    indices, data = inputs[:n], inputs[n:]
    rows = 0
    for t in indices:
        v = static_value(t)
        if v is None:
            rows = None
            break
        if np.size(v):
            rows = max(rows, int(np.max(v)) + 1)
    i0, d0 = indices[0], data[0]
    if d0.shape.rank is None or i0.shape.rank is None:
        return [(d0.dtype, TensorShape(None))]
    return [(d0.dtype, TensorShape([rows] + d0.shape.as_list()[i0.shape.rank :]))]


def _dynamic_stitch_grad(op, g):
    n = op.get_attr("N")
    return [None] * n + [gather(g, idx) for idx in op.inputs[:n]]


_DYNAMIC_STITCH = defop("DynamicStitch", ("*indices", "*data"), _dynamic_stitch_kernel,
                        attrs={"N": None, "T": None}, infer=_dynamic_stitch_infer,
                        grad=_dynamic_stitch_grad, list_attr="N")  # fmt: skip


def dynamic_stitch(indices, data, name=None):
    """Interleaves the rows of `data` tensors into one: merged[indices[m][i]] = data[m][i].

    >>> tf.dynamic_stitch([[0, 2], [1]], [[1., 3.], [2.]]).numpy().tolist()
    [1.0, 2.0, 3.0]
    """
    indices, data = list(indices), list(data)
    if len(data) != len(indices):
        raise ValueError(f"List argument 'data' to 'dynamic_stitch' Op with length {len(data)} must match "
                         f"length {len(indices)} of argument 'indices'.")  # fmt: skip
    idx = [to_tensor(i, dtypes.int32) for i in indices]
    vals = same_dtype_operands("DynamicStitch", data)
    return execute(_DYNAMIC_STITCH, (*idx, *vals), {"N": len(idx)}, name)


TF_API = {
    "tf": [
        "scatter_nd",
        "tensor_scatter_nd_update",
        "tensor_scatter_nd_add",
        "tensor_scatter_nd_sub",
        "tensor_scatter_nd_max",
        "tensor_scatter_nd_min",
        "dynamic_partition",
        "dynamic_stitch",
    ],
}
