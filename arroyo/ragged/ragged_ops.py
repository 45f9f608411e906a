"""Ragged ops (`tf.ragged.*`) and TF's dispatch of dense ops to ragged arguments.

Built from public arroyo ops (so they trace and differentiate), plus one raw op,
`RaggedRange`. The dispatch handlers make `tf.add(rt, 3)`, `tf.reduce_mean(rt, axis=1)`,
`tf.concat([rt, ...], axis=0)`, `tf.tile(rt, ...)` and `tf.map_fn(f, rt)` work as in TF.

    >>> tf.ragged.range([3, 0, 2]).to_list()
    [[0, 1, 2], [], [0, 1]]
"""

from __future__ import annotations

import numpy as np

from arroyo.framework import dtypes
from arroyo.framework.composite_tensor import TypeSpec, register_dispatch
from arroyo.framework.errors import InvalidArgumentError
from arroyo.framework.op_registry import defop, execute
from arroyo.framework.tensor import EagerTensor, Tensor, TensorSpec, convert_to_tensor
from arroyo.framework.tensor_shape import TensorShape
from arroyo.ops._helpers import static_value
from arroyo.ragged.ragged_tensor import RaggedTensor, RaggedTensorSpec, _is_tensorlike, _known

__all__ = [
    "constant", "range", "stack", "boolean_mask", "row_splits_to_segment_ids",
    "segment_ids_to_row_splits", "map_flat_values",
]  # fmt: skip

_i64 = dtypes.int64
_builtin_range = range


# -- RaggedRange (the one raw op) ----------------------------------------------------------


def _ragged_range_kernel(starts, limits, deltas, Tsplits=dtypes.int64):
    starts, limits, deltas = np.broadcast_arrays(starts, limits, deltas)
    if starts.ndim > 1:
        raise InvalidArgumentError(None, None, "starts must be a scalar or vector [Op:RaggedRange]")
    starts, limits, deltas = (np.atleast_1d(a) for a in (starts, limits, deltas))
    if np.any(deltas == 0):
        raise InvalidArgumentError(None, None, "Requires delta != 0 [Op:RaggedRange]")
    if starts.dtype.kind == "f":
        lengths = np.ceil((limits - starts) / deltas)
    else:
        d = limits.astype(np.int64) - starts
        lengths = -((-d) // deltas.astype(np.int64))
    lengths = np.maximum(lengths, 0).astype(np.int64)
    splits = np.concatenate([[0], np.cumsum(lengths)]).astype(
        dtypes.as_dtype(Tsplits).as_numpy_dtype
    )
    pos = np.arange(int(splits[-1]), dtype=np.int64) - np.repeat(splits[:-1].astype(np.int64),
                                                                  lengths)  # fmt: skip
    values = (np.repeat(starts, lengths) + pos * np.repeat(deltas, lengths)).astype(starts.dtype)
    return [splits, values]


def _ragged_range_infer(inputs, attrs):
    n = None
    for t in inputs:
        if t.shape.rank == 1 and t.shape[0] is not None:
            n = t.shape[0]
    if all(t.shape.rank == 0 for t in inputs):
        n = 1
    sd = dtypes.as_dtype(attrs.get("Tsplits", _i64))
    return [(sd, TensorShape([None if n is None else n + 1])),
            (inputs[0].dtype, TensorShape([None]))]  # fmt: skip


_RAGGED_RANGE = defop("RaggedRange", ("starts", "limits", "deltas"), _ragged_range_kernel,
                      attrs={"T": dtypes.int32, "Tsplits": dtypes.int64},
                      infer=_ragged_range_infer, num_outputs=2, differentiable=False)  # fmt: skip


def range(starts, limits=None, deltas=1, dtype=None, name=None, row_splits_dtype=dtypes.int64):  # noqa: A001
    """Row i is `tf.range(starts[i], limits[i], deltas[i])` (arguments broadcast).

    >>> tf.ragged.range([0, 5], [4, 8], 2).to_list()
    [[0, 2], [5, 7]]
    """
    from arroyo.ops._helpers import same_dtype_operands
    from arroyo.ops.math_ops import cast

    if limits is None:
        starts, limits = 0, starts
    args = same_dtype_operands("RaggedRange", (starts, limits, deltas))
    if dtype is not None:
        args = [cast(a, dtype) for a in args]
    rsd = dtypes.as_dtype(row_splits_dtype)
    splits, values = execute(_RAGGED_RANGE, tuple(args), {"Tsplits": rsd}, name)
    return RaggedTensor._make(values, splits)


def _ranges(starts, limits):
    """Flat positions `[s0, ..., l0-1, s1, ...]` and their splits (int64)."""
    splits, values = execute(_RAGGED_RANGE, (starts, limits, convert_to_tensor(np.int64(1))),
                             {"Tsplits": _i64})  # fmt: skip
    return values, splits


# -- construction -----------------------------------------------------------------------------


def _depth(x):
    """Nesting depth of the scalars of a nested list (None when it holds no scalar)."""
    if isinstance(x, (list, tuple)):
        depths = {d for d in (_depth(v) for v in x) if d is not None}
        if len(depths) > 1:
            raise ValueError("all scalar values must have the same nesting depth")
        return depths.pop() + 1 if depths else None
    if isinstance(x, np.ndarray):
        return x.ndim
    return 0


def _list_depth(x):
    if isinstance(x, (list, tuple)):
        return 1 + max((_list_depth(v) for v in x), default=0)
    return 0


def constant(pylist, dtype=None, ragged_rank=None, inner_shape=None, name=None,
             row_splits_dtype=dtypes.int64):  # fmt: skip
    """A RaggedTensor from a nested Python list (rows may differ in length).

    >>> tf.ragged.constant([[1, 2], [3]])
    <tf.RaggedTensor [[1, 2], [3]]>
    """
    if isinstance(pylist, RaggedTensor):
        return pylist
    rsd = dtypes.as_dtype(row_splits_dtype)
    depth = _depth(pylist)
    if depth is None:
        depth = _list_depth(pylist)
        if inner_shape is not None:
            depth += len(inner_shape)
    if ragged_rank is None:
        ragged_rank = max(depth - 1 - (len(inner_shape) if inner_shape is not None else 0), 0)
    elif ragged_rank < 0:
        raise ValueError(f"Invalid ragged_rank={ragged_rank}: must be nonnegative")
    if depth and ragged_rank >= depth:
        raise ValueError(f"Invalid pylist={pylist!r}: incompatible with ragged_rank={ragged_rank}")
    if inner_shape is not None and ragged_rank + 1 + len(inner_shape) != depth:
        raise ValueError("Invalid pylist: the inner_shape does not match the nesting depth")
    rows = pylist
    nested_lengths = []
    for _ in _builtin_range(ragged_rank):
        nested_lengths.append([len(r) for r in rows])
        rows = [v for r in rows for v in r]
    if inner_shape is not None:
        flat = np.asarray(rows, dtype=object if not rows else None)
        if not rows:
            dt = dtypes.as_dtype(dtype).as_numpy_dtype if dtype is not None else np.float32
            flat = np.zeros((0,) + tuple(inner_shape), dt)
        else:
            flat = flat.reshape((-1,) + tuple(inner_shape))
        values = convert_to_tensor(flat, dtype=dtype)
    elif not rows and ragged_rank:
        dt = dtypes.float32 if dtype is None else dtypes.as_dtype(dtype)
        values = convert_to_tensor(np.zeros((0,), dt.as_numpy_dtype) if dt is not dtypes.string
                                   else np.zeros((0,), object), dtype=dt)  # fmt: skip
    else:
        values = convert_to_tensor(rows, dtype=dtype)
    for lengths in reversed(nested_lengths):
        splits = np.concatenate([[0], np.cumsum(lengths, dtype=np.int64)]).astype(
            rsd.as_numpy_dtype
        )
        values = RaggedTensor._make(values, convert_to_tensor(splits))
    return values


def constant_value(pylist, dtype=None, ragged_rank=None, inner_shape=None,
                   row_splits_dtype="int64"):  # fmt: skip
    return constant(pylist, dtype, ragged_rank, inner_shape, row_splits_dtype=row_splits_dtype)


def from_tensor(tensor, lengths=None, padding=None, ragged_rank=1, row_splits_dtype=_i64):
    from arroyo.ops.array_ops import reshape
    from arroyo.ops.array_ops import shape as _shape
    from arroyo.ops.creation_ops import range as _range
    from arroyo.ops.gather_ops import boolean_mask as _bmask
    from arroyo.ops.math_ops import cast, less, multiply, not_equal, where_v2
    from arroyo.ops.reduction_ops import reduce_any, reduce_max

    if isinstance(tensor, RaggedTensor):
        raise TypeError("tensor is already a RaggedTensor")
    t = convert_to_tensor(tensor)
    rank = t.shape.rank
    if rank is not None and rank < 2:
        raise ValueError(f"tensor must have rank >= 2, got shape {t.shape}")
    if lengths is not None and padding is not None:
        raise ValueError("Specify lengths or padding, but not both")
    if ragged_rank > 1:
        if lengths is not None or padding is not None:
            raise NotImplementedError("from_tensor: lengths/padding with ragged_rank > 1")
        dims = t.shape.as_list()
        if None in dims[: ragged_rank + 1]:
            raise NotImplementedError("from_tensor with ragged_rank > 1 needs static outer dims")
        result = reshape(t, [-1] + dims[ragged_rank + 1 :])
        for level in _builtin_range(ragged_rank, 0, -1):
            nrows = int(np.prod(dims[:level]))
            splits = convert_to_tensor(
                (np.arange(nrows + 1) * dims[level]).astype(row_splits_dtype.as_numpy_dtype)
            )
            result = RaggedTensor._make(result, splits)
        return result
    sh = _shape(t, out_type=row_splits_dtype)
    nrows, ncols = sh[0], sh[1]
    cols = _range(ncols, dtype=row_splits_dtype)
    if lengths is not None:
        lengths = convert_to_tensor(lengths) if not _is_tensorlike(lengths) else lengths
        lengths = cast(lengths, row_splits_dtype)
    elif padding is not None:
        pad = convert_to_tensor(padding, dtype=t.dtype)
        has = not_equal(t, pad)
        if rank is not None and rank > 2:
            has = reduce_any(has, axis=list(_builtin_range(2, rank)))
        one = convert_to_tensor(np.ones((), row_splits_dtype.as_numpy_dtype))
        pos = where_v2(has, cols + one, multiply(cols, 0))
        lengths = reduce_max(pos, axis=1) if ncols is not None else None
        if static_value(ncols) is not None and int(static_value(ncols)) == 0:
            lengths = multiply(sh[0:1] * 0, 1) + multiply(_range(nrows, dtype=row_splits_dtype), 0)
    else:
        lengths = multiply(_range(nrows, dtype=row_splits_dtype), 0) + ncols
    mask = less(reshape(cols, [1, -1]), reshape(lengths, [-1, 1]))
    values = _bmask(t, mask)
    return RaggedTensor.from_row_lengths(values, lengths, validate=False)


def from_sparse(st_input, row_splits_dtype=_i64):
    from arroyo.ops.math_ops import cast
    from arroyo.sparse.sparse_tensor import SparseTensor

    if not isinstance(st_input, SparseTensor):
        raise TypeError(f"st_input must be a SparseTensor, got {type(st_input).__name__}")
    if st_input.shape.rank is not None and st_input.shape.rank != 2:
        raise ValueError("rank(st_input) must be 2.")
    rowids = cast(st_input.indices[:, 0], row_splits_dtype)
    nrows = cast(st_input.dense_shape[0], row_splits_dtype)
    return RaggedTensor.from_value_rowids(st_input.values, rowids, nrows, validate=False)


# -- structure helpers ------------------------------------------------------------------------


def _col_ids(rt):
    """Each value's position within its row (int64), with the value_rowids."""
    from arroyo.ops.array_ops import gather
    from arroyo.ops.creation_ops import range as _range
    from arroyo.ops.math_ops import cast, subtract

    splits = cast(rt.row_splits, _i64) if rt.row_splits.dtype is not _i64 else rt.row_splits
    rowids = cast(rt.value_rowids(), _i64)
    n = splits[-1]
    return subtract(_range(n, dtype=_i64), gather(splits, rowids)), rowids


def coordinates(rt):
    """int64 [n_flat, ragged_rank + 1]: each flat value's position in the dense layout."""
    from arroyo.ops.array_ops import concat, gather, stack

    col, rowids = _col_ids(rt)
    if not isinstance(rt.values, RaggedTensor):
        return stack([rowids, col], axis=1)
    inner = coordinates(rt.values)
    parent = inner[:, 0]
    outer = stack([gather(rowids, parent), gather(col, parent)], axis=1)
    return concat([outer, inner[:, 1:]], axis=1)


def _max_len(rt):
    from arroyo.ops.array_ops import concat, zeros
    from arroyo.ops.math_ops import cast
    from arroyo.ops.reduction_ops import reduce_max

    lengths = cast(rt.row_lengths(), _i64)
    return reduce_max(concat([lengths, zeros([1], _i64)], axis=0))


def bounding_shape(rt, out_type=None):
    from arroyo.ops.array_ops import concat, stack
    from arroyo.ops.array_ops import shape as _shape
    from arroyo.ops.math_ops import cast

    out_type = rt.row_splits.dtype if out_type is None else dtypes.as_dtype(out_type)
    dims = [cast(rt.nrows(), _i64)]
    v = rt
    while isinstance(v, RaggedTensor):
        dims.append(_max_len(v))
        v = v.values
    out = concat([stack(dims), _shape(v, out_type=_i64)[1:]], axis=0)
    return out if out_type is _i64 else cast(out, out_type)


def to_tensor(rt, default_value=None, shape=None):
    from arroyo.ops.array_ops import (
        concat,
        expand_dims,
        fill,
        ones_like,
        reshape,
        where,
    )  # fmt: skip
    from arroyo.ops.array_ops import (
        shape as _shape,
    )
    from arroyo.ops.gather_ops import boolean_mask as _bmask
    from arroyo.ops.math_ops import cast, greater, less, not_equal
    from arroyo.ops.reduction_ops import reduce_all
    from arroyo.ops.scatter_ops import scatter_nd

    k = rt.ragged_rank
    flat = rt.flat_values
    coords = coordinates(rt)
    bshape = bounding_shape(rt, _i64)
    if shape is not None:
        from arroyo.framework.tensor_shape import as_shape

        if isinstance(shape, (list, tuple, TensorShape)) and not any(
            _is_tensorlike(d) for d in (shape.as_list() if isinstance(shape, TensorShape)
                                        else shape)):  # fmt: skip
            dims = as_shape(shape).as_list() if not isinstance(shape, TensorShape) else \
                shape.as_list()  # fmt: skip
            req = convert_to_tensor([-1 if d is None else int(d) for d in dims], dtype=_i64)
        else:
            req = cast(convert_to_tensor(shape), _i64)
        target = where(less(req, 0), bshape, req)
        outer = target[: k + 1]
        keep = reduce_all(less(coords, reshape(outer, [1, -1])), axis=1)
        coords = _bmask(coords, keep)
        flat = _bmask(flat, keep)
    else:
        target = bshape
        outer = target[: k + 1]
    full_shape = concat([outer, cast(_shape(flat, out_type=_i64)[1:], _i64)], axis=0)
    if flat.dtype is dtypes.string or flat.dtype is dtypes.bool:
        # scatter by position: gather from the values with a sentinel slot for padding
        from arroyo.ops.array_ops import gather
        from arroyo.ops.creation_ops import range as _range

        n = cast(_shape(flat, out_type=_i64)[0], _i64)
        dv = default_value if default_value is not None else (
            b"" if flat.dtype is dtypes.string else False)  # fmt: skip
        dv = convert_to_tensor(dv, dtype=flat.dtype)
        pos = scatter_nd(coords, _range(1, n + 1, dtype=_i64), outer)
        padded = concat([reshape(fill(concat([[1], _shape(flat, out_type=_i64)[1:]], 0), dv),
                                 concat([[1], _shape(flat)[1:]], 0)), flat], axis=0)  # fmt: skip
        return gather(padded, pos)
    out = scatter_nd(coords, flat, full_shape)
    if default_value is not None:
        dv = convert_to_tensor(default_value, dtype=flat.dtype)
        if static_value(dv) is None or np.any(np.asarray(static_value(dv)) != 0):
            ones = ones_like(coords[:, 0], dtype=dtypes.int32)
            mask = greater(scatter_nd(coords, ones, outer), 0)
            fr = flat.shape.rank
            for _ in _builtin_range((fr or 1) - 1):
                mask = expand_dims(mask, -1)
            from arroyo.ops.array_ops import broadcast_to

            out = where(broadcast_to(mask, _shape(out)), out,
                        broadcast_to(cast(dv, out.dtype), _shape(out)))  # fmt: skip
    del not_equal
    return out


def to_sparse(rt):
    from arroyo.sparse.sparse_tensor import SparseTensor

    fr = rt.flat_values.shape.rank
    if fr is not None and fr > 1:
        raise NotImplementedError("to_sparse of a RaggedTensor with dense inner dimensions")
    return SparseTensor._from_parts(coordinates(rt), rt.flat_values, bounding_shape(rt, _i64))


def _gather_rows(values, idx):
    """Rows `idx` of `values` (a Tensor, or a RaggedTensor: its rows' values come along)."""
    from arroyo.ops.array_ops import gather
    from arroyo.ops.math_ops import cast, subtract

    if not isinstance(values, RaggedTensor):
        return gather(values, idx)
    splits = cast(values.row_splits, _i64)
    starts, limits = gather(splits[:-1], idx), gather(splits[1:], idx)
    inner, _ = _ranges(starts, limits)
    sub = _gather_rows(values.values, inner)
    lengths = subtract(limits, starts)
    out = RaggedTensor.from_row_lengths(sub, lengths, validate=False)
    if values.row_splits.dtype is not _i64:
        out = out.with_row_splits_dtype(values.row_splits.dtype)
    return out


def merge_dims(rt, outer_axis, inner_axis):
    from arroyo.ops.array_ops import concat, reshape
    from arroyo.ops.array_ops import shape as _shape

    rank = rt.shape.rank
    if rank is None:
        raise ValueError("merge_dims needs a known rank")
    o = outer_axis + rank if outer_axis < 0 else outer_axis
    i = inner_axis + rank if inner_axis < 0 else inner_axis
    if not 0 <= o < rank or not 0 <= i < rank:
        raise ValueError(f"axis out of range for a rank-{rank} RaggedTensor")
    if o > i:
        raise ValueError(f"Expected outer_axis ({outer_axis}) to be less than or equal to "
                         f"inner_axis ({inner_axis})")  # fmt: skip
    if o == i:
        return rt

    def dense_merge(t, a, b):
        sh = _shape(t)
        return reshape(t, concat([sh[:a], [-1], sh[b + 1 :]], axis=0))

    def merge(x, a, b):
        if a == b:
            return x
        if not isinstance(x, RaggedTensor):
            return dense_merge(x, a, b)
        if a == 0:
            return merge(x.values, 0, b - 1)
        if a == 1:
            inner = x.values
            if isinstance(inner, RaggedTensor):  # each row takes its sub-rows' values
                from arroyo.ops.array_ops import gather

                joined = RaggedTensor._make(inner.values, gather(inner.row_splits, x.row_splits))
                return merge(joined, 1, b - 1)
            dims = inner.shape.as_list()[1:b]
            if None in dims:
                raise NotImplementedError("merge_dims over unknown dense dimensions")
            k = int(np.prod(dims)) if dims else 1
            return RaggedTensor._make(dense_merge(inner, 0, b - 1), x.row_splits * k)
        return x.with_values(merge(x.values, a - 1, b - 1))

    return merge(rt, o, i)


def getitem(rt, key):
    from arroyo.ops.math_ops import cast

    if not isinstance(key, tuple):
        key = (key,)
    if not key:
        return rt
    if key[0] is Ellipsis:
        if len(key) == 1:
            return rt
        raise NotImplementedError("Ellipsis in RaggedTensor indexing")
    first, rest = key[0], key[1:]
    if _is_tensorlike(first):
        v = static_value(first)
        if v is None:
            raise TypeError("RaggedTensor indices must be static here")
        first = int(v)
    if isinstance(first, (int, np.integer)):
        n = rt.nrows_static()
        i = int(first)
        if n is not None:
            if not -n <= i < n:
                raise InvalidArgumentError(None, None, f"slice index {i} of dimension 0 out of "
                                                       f"bounds. [Op:StridedSlice]")  # fmt: skip
            i %= n
        splits = rt.row_splits
        row = _slice_values(rt.values, splits[i], splits[i + 1])
        return row[rest] if rest else row
    if isinstance(first, slice):
        out = _slice_rows(rt, first)
        if not rest:
            return out
        inner = rest[0]
        if inner is Ellipsis:
            return out
        if not isinstance(inner, slice):
            raise ValueError("Cannot index into an inner ragged dimension.")
        out = _slice_inner(out, inner)
        if len(rest) > 1:
            out = out.with_values(out.values[(slice(None),) + tuple(rest[1:])])
        return out
    if first is None:
        raise NotImplementedError("tf.newaxis in RaggedTensor indexing")
    del cast
    raise TypeError(f"Unsupported RaggedTensor index {first!r}")


def _slice_values(values, a, b):
    if isinstance(values, RaggedTensor):
        return _slice_rows(values, slice(a, b))
    return values[a:b]


def _slice_rows(rt, slc):
    from arroyo.ops.creation_ops import range as _range
    from arroyo.ops.math_ops import subtract

    n = rt.nrows_static()
    if slc.step not in (None, 1) or n is None:
        if n is None:
            raise NotImplementedError("slicing a RaggedTensor with an unknown number of rows")
        idx = convert_to_tensor(np.arange(n)[slc].astype(np.int64))
        return _gather_rows(rt, idx)
    start, stop, _ = slc.indices(n)
    stop = max(stop, start)
    splits = rt.row_splits
    a, b = splits[start], splits[stop]
    new_splits = subtract(splits[start : stop + 1], a)
    del _range
    return RaggedTensor._make(_slice_values(rt.values, a, b), new_splits)


def _slice_inner(rt, slc):
    """`rt[:, slc]`: each row sliced like a Python list."""
    from arroyo.ops.math_ops import add, cast, less, maximum, minimum, subtract, where_v2

    if slc.step not in (None, 1):
        raise NotImplementedError("strided slices of a ragged dimension")
    splits = cast(rt.row_splits, _i64)
    starts, limits = splits[:-1], splits[1:]
    lengths = subtract(limits, starts)
    zero = convert_to_tensor(np.int64(0))

    def bound(v, default):
        if v is None:
            return default
        v = convert_to_tensor(np.int64(int(v)))
        v = where_v2(less(v, zero), add(lengths, v), v + 0 * lengths)
        return minimum(maximum(v, zero), lengths)

    s = bound(slc.start, 0 * lengths)
    e = bound(slc.stop, lengths)
    e = maximum(e, s)
    inner, _ = _ranges(add(starts, s), add(starts, e))
    values = _gather_rows(rt.values, inner)
    out = RaggedTensor.from_row_lengths(values, subtract(e, s), validate=False)
    return out.with_row_splits_dtype(rt.row_splits.dtype) if rt.row_splits.dtype is not _i64 \
        else out  # fmt: skip


# -- public tf.ragged functions ------------------------------------------------------------


def row_splits_to_segment_ids(splits, name=None, out_type=None):
    """`[0, 2, 2, 5]` -> `[0, 0, 2, 2, 2]`: the row of each value.

    >>> tf.ragged.row_splits_to_segment_ids([0, 2, 2, 5]).numpy().tolist()
    [0, 0, 2, 2, 2]
    """
    from arroyo.ops.creation_ops import range as _range
    from arroyo.ops.manip_ops import repeat
    from arroyo.ops.math_ops import subtract

    s = convert_to_tensor(splits, dtype=_i64) if not _is_tensorlike(splits) else splits
    s.shape.with_rank(1)
    out_type = s.dtype if out_type is None else dtypes.as_dtype(out_type)
    n = s.shape[0]
    nrows = (n - 1) if n is not None else subtract(__import__(
        "arroyo.ops.array_ops", fromlist=["shape"]).shape(s, out_type=out_type)[0], 1)  # fmt: skip
    return repeat(_range(nrows, dtype=out_type), subtract(s[1:], s[:-1]))


def segment_ids_to_row_splits(segment_ids, num_segments=None, out_type=None, name=None):
    """`[0, 0, 2]` -> `[0, 2, 2, 3]`: row_splits of rows given each value's (sorted) row.

    >>> tf.ragged.segment_ids_to_row_splits([0, 0, 2]).numpy().tolist()
    [0, 2, 2, 3]
    """
    from arroyo.ops.array_ops import concat, ones_like, zeros
    from arroyo.ops.math_ops import add, cast
    from arroyo.ops.reduction_ops import reduce_max
    from arroyo.ops.scan_ops import cumsum

    ids = convert_to_tensor(segment_ids) if not _is_tensorlike(segment_ids) else segment_ids
    out_type = _i64 if out_type is None else dtypes.as_dtype(out_type)
    ids = cast(ids, _i64)
    if num_segments is None:
        num_segments = add(reduce_max(concat([ids, convert_to_tensor([-1], _i64)], 0)), 1)
    counts = _segment_sum(ones_like(ids, dtype=out_type), ids, num_segments)
    return concat([zeros([1], out_type), cumsum(counts)], axis=0)


def map_flat_values(op, *args, **kwargs):
    """Applies `op` to the flat values of the RaggedTensor arguments (same partitions).

    >>> rt = tf.ragged.constant([[1, 2], [3]])
    >>> tf.ragged.map_flat_values(tf.multiply, rt, 10).to_list()
    [[10, 20], [30]]
    """
    found = []

    def swap(x):
        if isinstance(x, RaggedTensor):
            found.append(x)
            return x.flat_values
        if isinstance(x, (list, tuple)) and any(isinstance(v, RaggedTensor) for v in x):
            return type(x)(swap(v) for v in x)
        return x

    new_args = [swap(a) for a in args]
    new_kwargs = {k: swap(v) for k, v in kwargs.items()}
    if not found:
        return op(*args, **kwargs)
    first = found[0]
    for other in found[1:]:
        _check_same_partitions(first, other)
    out = op(*new_args, **new_kwargs)
    n_in = first.flat_values.shape[0] if first.flat_values.shape.rank else None
    n_out = out.shape[0] if getattr(out, "shape", None) is not None and out.shape.rank else None
    if n_in is not None and n_out is not None and n_in != n_out:
        raise ValueError(
            f"tf.ragged.map_flat_values requires that the output of `op` have the same outer-"
            f"dimension size as flat_values of any ragged inputs. (output shape: {out.shape}; "
            f"expected outer dimension size: {n_in})"
        )
    return first.with_flat_values(out)


def _check_same_partitions(a, b):
    if a.ragged_rank != b.ragged_rank:
        raise ValueError(f"Inputs must have identical ragged splits. ragged_rank {a.ragged_rank} "
                         f"vs {b.ragged_rank}")  # fmt: skip
    for sa, sb in zip(a.nested_row_splits, b.nested_row_splits):
        if sa is sb:
            continue
        va, vb = _known(sa), _known(sb)
        if va is None or vb is None:
            continue
        if va.shape != vb.shape or not np.array_equal(va, vb):
            raise InvalidArgumentError(
                None, None,
                "Inputs must have identical ragged splits.\nCondition x == y did not hold.\n"
                f"First {min(3, va.size)} elements of x:\n{va[:3]}\nFirst {min(3, vb.size)} "
                f"elements of y:\n{vb[:3]}",
            )  # fmt: skip


def boolean_mask(data, mask, name=None):
    """Keeps the items of `data` where `mask` is True; masked dims become ragged.

    >>> rt = tf.ragged.constant([[1, 2, 3], [4]])
    >>> tf.ragged.boolean_mask(rt, rt > 1).to_list()
    [[2, 3], [4]]
    """
    from arroyo.ops.gather_ops import boolean_mask as _bmask
    from arroyo.ops.math_ops import cast
    from arroyo.ops.reduction_ops import reduce_sum

    if isinstance(mask, RaggedTensor):
        if not isinstance(data, RaggedTensor):
            raise ValueError("mask is ragged but data is not")
        _check_same_partitions(data, mask)
        if isinstance(data.values, RaggedTensor):
            return data.with_values(boolean_mask(data.values, mask.values))
        keep = mask.values
        vals = _bmask(data.values, keep)
        counts = _segment_sum(cast(keep, _i64), data.value_rowids(), data.nrows(out_type=_i64))
        out = RaggedTensor.from_row_lengths(vals, counts, validate=False)
        del reduce_sum
        return out
    mask = convert_to_tensor(mask, dtype=dtypes.bool) if not _is_tensorlike(mask) else mask
    if isinstance(data, RaggedTensor):
        if mask.shape.rank == 1:
            return _gather_rows(data, _where_idx(mask))
        raise NotImplementedError("dense multi-dimensional mask on a RaggedTensor")
    data = convert_to_tensor(data)
    if mask.shape.rank == 1:
        return _bmask(data, mask)
    # a dense mask of rank >= 2 makes dimension 1 ragged
    from arroyo.ops.math_ops import cast as _cast

    counts = reduce_sum(_cast(mask, _i64), axis=list(_builtin_range(1, mask.shape.rank)))
    vals = _bmask(data, mask)
    if mask.shape.rank > 2:
        raise NotImplementedError("boolean_mask with a mask of rank > 2")
    return RaggedTensor.from_row_lengths(vals, counts, validate=False)


def _where_idx(mask):
    from arroyo.ops.array_ops import reshape, where

    return reshape(where(mask), [-1])


def _segment_sum(data, ids, n):
    from arroyo.ops.segment_ops import unsorted_segment_sum

    return unsorted_segment_sum(data, ids, n)


def stack(values, axis=0, name=None):
    """Stacks (ragged or dense) tensors into a RaggedTensor along a new `axis`.

    >>> tf.ragged.stack([tf.ragged.constant([[1], [2, 3]]), [[4, 5], [6]]]).to_list()
    [[[1], [2, 3]], [[4, 5], [6]]]
    """
    rts = _as_ragged_list(values)
    rank = rts[0].shape.rank
    if axis < 0:
        axis += rank + 1
    expanded = [_expand_dims(rt, axis) for rt in rts]
    return _concat(expanded, axis)


def _expand_dims(rt, axis):
    from arroyo.ops.array_ops import expand_dims as _ed
    from arroyo.ops.creation_ops import range as _range
    from arroyo.ops.math_ops import cast

    if axis == 0:
        splits = cast(convert_to_tensor([0]), rt.row_splits.dtype)
        from arroyo.ops.array_ops import concat, reshape

        return RaggedTensor._make(rt, concat([splits, reshape(rt.nrows(), [1])], axis=0))
    if axis == 1:
        d = rt.row_splits.dtype
        return RaggedTensor._make(rt, _range(rt.nrows() + 1, dtype=d))
    if isinstance(rt.values, RaggedTensor):
        return rt.with_values(_expand_dims(rt.values, axis - 1))
    return rt.with_values(_ed(rt.values, axis - 1))


def _as_ragged_list(values, ragged_rank=None):
    values = list(values)
    if not values:
        raise ValueError("tf.ragged.stack/concat need at least one value")
    rr = ragged_rank
    if rr is None:
        rr = max((v.ragged_rank for v in values if isinstance(v, RaggedTensor)), default=1)
    out = []
    dtype = next((v.dtype for v in values if isinstance(v, RaggedTensor) or _is_tensorlike(v)),
                 None)  # fmt: skip
    for v in values:
        if isinstance(v, RaggedTensor):
            out.append(v)
        elif _is_tensorlike(v):
            t = convert_to_tensor(v)
            out.append(from_tensor(t, ragged_rank=min(rr, max(t.shape.rank - 1, 1))))
        else:
            r = constant(v, dtype=dtype)
            if not isinstance(r, RaggedTensor):
                r = from_tensor(r, ragged_rank=1)
            out.append(r)
    splits_dtype = out[0].row_splits.dtype
    out = [o if o.row_splits.dtype is splits_dtype else o.with_row_splits_dtype(splits_dtype)
           for o in out]  # fmt: skip
    d0 = out[0].dtype
    for i, o in enumerate(out[1:], 1):
        if o.dtype is not d0:
            raise InvalidArgumentError(
                None, None,
                f"cannot compute ConcatV2 as input #{i}(zero-based) was expected to be a "
                f"{d0.name} tensor but is a {o.dtype.name} tensor [Op:ConcatV2]",
            )  # fmt: skip
    return out


def _concat(rts, axis):
    from arroyo.ops.array_ops import concat as _dense_concat
    from arroyo.ops.creation_ops import range as _range
    from arroyo.ops.math_ops import add, cast, subtract

    rank = rts[0].shape.rank
    if rank is not None and axis < 0:
        axis += rank
    if axis == 0:
        if len({r.ragged_rank for r in rts}) > 1:
            raise ValueError("tf.concat of RaggedTensors with different ragged ranks")
        d = rts[0].row_splits.dtype
        splits = [rts[0].row_splits]
        offset = rts[0].row_splits[-1]
        for r in rts[1:]:
            splits.append(add(r.row_splits[1:], offset))
            offset = add(offset, r.row_splits[-1])
        vals = [r.values for r in rts]
        if isinstance(vals[0], RaggedTensor):
            values = _concat(vals, 0)
        else:
            values = _dense_concat(vals, axis=0)
        del d
        return RaggedTensor._make(values, _dense_concat(splits, axis=0))
    if axis == 1:
        # row i of the result: row i of each input in turn (a permutation of their values)
        from arroyo.ops.array_ops import gather
        from arroyo.ops.scatter_ops import scatter_nd

        lengths = [cast(r.row_lengths(), _i64) for r in rts]
        total = lengths[0]
        for ln in lengths[1:]:
            total = add(total, ln)
        new_rt_splits = _dense_concat([convert_to_tensor(np.zeros(1, np.int64)),
                                       __import__("arroyo.ops.scan_ops",
                                                  fromlist=["cumsum"]).cumsum(total)], 0)  # fmt: skip
        dests = []
        before = 0 * total
        for r, ln in zip(rts, lengths):
            col, rowids = _col_ids(r)
            dests.append(add(add(gather(new_rt_splits, rowids), gather(before, rowids)), col))
            before = add(before, ln)
        dest = _dense_concat(dests, axis=0)
        n = new_rt_splits[-1]
        perm = scatter_nd(__import__("arroyo.ops.array_ops", fromlist=["expand_dims"])
                          .expand_dims(dest, 1), _range(n, dtype=_i64), n[None])  # fmt: skip
        vals = [r.values for r in rts]
        allv = _concat(vals, 0) if isinstance(vals[0], RaggedTensor) else _dense_concat(vals, 0)
        values = _gather_rows(allv, perm)
        out = RaggedTensor.from_row_splits(values, new_rt_splits, validate=False)
        d = rts[0].row_splits.dtype
        return out if d is _i64 else out.with_row_splits_dtype(d)
    del subtract
    return RaggedTensor._make(
        _concat([r.values if isinstance(r.values, RaggedTensor) else r.values for r in rts],
                axis - 1) if isinstance(rts[0].values, RaggedTensor) else
        _dense_concat([r.values for r in rts], axis - 1), rts[0].row_splits)  # fmt: skip


# -- dispatch handlers ----------------------------------------------------------------------


def _unary(fn, x):
    return x.with_flat_values(fn(x.flat_values))


def _binary(fn, x, y):
    xr, yr = isinstance(x, RaggedTensor), isinstance(y, RaggedTensor)
    if xr and yr:
        _check_same_partitions(x, y)
        return x.with_flat_values(fn(x.flat_values, y.flat_values))
    rt, other = (x, y) if xr else (y, x)
    if not _is_tensorlike(other) and not isinstance(other, (int, float, complex, bool, bytes,
                                                              str, np.generic)):  # fmt: skip
        other = convert_to_tensor(other) if not isinstance(other, (list, tuple)) or \
            _depth_ok(other) else constant(other, dtype=rt.dtype)  # fmt: skip
        if isinstance(other, RaggedTensor):
            return _binary(fn, x if xr else other, other if xr else y)
    orank = np.ndim(other) if not _is_tensorlike(other) else other.shape.rank
    inner = rt.flat_values.shape.rank
    if orank is None or inner is None:
        return NotImplemented
    if orank <= inner - 1:
        o = other
    elif orank == rt.shape.rank and rt.ragged_rank == 1:
        from arroyo.ops.array_ops import gather, squeeze

        if other.shape[1] not in (1, None):
            return NotImplemented
        o = squeeze(other, axis=1)
        if o.shape[0] != 1:
            o = gather(o, rt.value_rowids())
    else:
        return NotImplemented
    fv = rt.flat_values
    return rt.with_flat_values(fn(fv, o) if xr else fn(o, fv))


def _depth_ok(lst):
    try:
        np.asarray(lst, dtype=float if not _has_str(lst) else object)
        return np.asarray(lst, dtype=object).dtype != object or not any(
            isinstance(v, (list, tuple)) for v in np.asarray(lst, dtype=object).ravel()
        )
    except ValueError:
        return False


def _has_str(lst):
    return any(isinstance(v, (str, bytes)) or (isinstance(v, (list, tuple)) and _has_str(v))
               for v in lst)  # fmt: skip


def _eq(self, other):
    from arroyo.ops.math_ops import equal

    return _binary(equal, self, other)


def _ne(self, other):
    from arroyo.ops.math_ops import not_equal

    return _binary(not_equal, self, other)


RaggedTensor.__eq__ = _eq  # elementwise, as TF's RaggedTensor
RaggedTensor.__ne__ = _ne
RaggedTensor._dispatch_unary = staticmethod(_unary)
RaggedTensor._dispatch_binary = staticmethod(_binary)

_SEGMENT = {"Sum": "unsorted_segment_sum", "Max": "unsorted_segment_max",
            "Min": "unsorted_segment_min", "Prod": "unsorted_segment_prod"}  # fmt: skip
_DENSE = {"Sum": "reduce_sum", "Max": "reduce_max", "Min": "reduce_min", "Prod": "reduce_prod",
          "All": "reduce_all", "Any": "reduce_any", "Mean": "reduce_mean"}  # fmt: skip


def _segment_reduce(kind, data, ids, n):
    from arroyo.ops import segment_ops
    from arroyo.ops.math_ops import cast

    if kind in ("All", "Any"):
        d = cast(data, dtypes.int32)
        r = _segment_reduce("Min" if kind == "All" else "Max", d, ids, n)
        if kind == "All":  # empty segments: True (min over nothing is the int max)
            return cast(r, dtypes.bool)
        from arroyo.ops.math_ops import greater

        return greater(r, 0)
    return getattr(segment_ops, _SEGMENT[kind])(data, ids, n)


def _reduce_one(kind, x, axis):
    from arroyo.ops import reduction_ops
    from arroyo.ops.math_ops import add, cast

    if not isinstance(x, RaggedTensor):
        return getattr(reduction_ops, _DENSE[kind])(x, axis=axis)
    if axis == 0:
        if isinstance(x.values, RaggedTensor):
            raise NotImplementedError("reducing axis 0 of a RaggedTensor with ragged_rank > 1")
        col, _ = _col_ids(x)
        return _segment_reduce(kind, x.values, col, _max_len(x))
    if axis == 1:
        if not isinstance(x.values, RaggedTensor):
            return _segment_reduce(kind, x.values, x.value_rowids(), x.nrows())
        inner = x.values
        if isinstance(inner.values, RaggedTensor):
            raise NotImplementedError("reducing axis 1 of a RaggedTensor with ragged_rank > 2")
        # row i: its sub-rows combined elementwise; length = the longest sub-row
        from arroyo.ops.array_ops import concat, gather
        from arroyo.ops.scan_ops import cumsum

        parent = cast(x.value_rowids(), _i64)
        sub_len = cast(inner.row_lengths(), _i64)
        new_len = _segment_reduce("Max", concat([sub_len], 0), parent, x.nrows(out_type=_i64))
        from arroyo.ops.math_ops import maximum

        new_len = maximum(new_len, 0)
        new_splits = concat([convert_to_tensor(np.zeros(1, np.int64)), cumsum(new_len)], 0)
        col, sub_ids = _col_ids(inner)
        seg = add(gather(new_splits, gather(parent, sub_ids)), col)
        vals = _segment_reduce(kind, inner.values, seg, new_splits[-1])
        out = RaggedTensor.from_row_splits(vals, new_splits, validate=False)
        d = x.row_splits.dtype
        return out if d is _i64 else out.with_row_splits_dtype(d)
    if axis <= x.ragged_rank:
        return x.with_values(_reduce_one(kind, x.values, axis - 1))
    return x.with_flat_values(getattr(reduction_ops, _DENSE[kind])(x.flat_values,
                                                                    axis=axis - x.ragged_rank))  # fmt: skip


def _reduce(name, rt, axis, keepdims):
    from arroyo.ops import reduction_ops
    from arroyo.ops.array_ops import expand_dims, ones_like
    from arroyo.ops.math_ops import cast, divide

    if not isinstance(rt, RaggedTensor):
        return NotImplemented
    rank = rt.shape.rank
    if axis is None:
        if name == "Mean":
            fv = rt.flat_values
            if fv.dtype.is_integer:
                fv = cast(fv, dtypes.float64)
            return reduction_ops.reduce_mean(fv)
        return getattr(reduction_ops, _DENSE[name])(rt.flat_values)
    axes = axis if isinstance(axis, (list, tuple)) else [axis]
    axes = [int(static_value(a)) if _is_tensorlike(a) else int(a) for a in axes]
    axes = sorted({a + rank if a < 0 else a for a in axes}, reverse=True)
    for a in axes:
        if not 0 <= a < rank:
            raise ValueError(f"axis={a} out of bounds: expected {-rank}<=axis<{rank}")
    if name == "Mean":
        values = rt.flat_values
        if values.dtype.is_integer:
            values = cast(values, dtypes.float64)
        total, count = rt.with_flat_values(values), rt.with_flat_values(ones_like(values))
        for a in axes:
            total, count = _reduce_one("Sum", total, a), _reduce_one("Sum", count, a)
        out = divide(total, count)
    else:
        out = rt
        for a in axes:
            out = _reduce_one(name, out, a)
    if keepdims:
        for a in sorted(axes):
            if isinstance(out, RaggedTensor):
                raise NotImplementedError("keepdims=True with a ragged result")
            out = expand_dims(out, a)
    return out


def _concat_dispatch(values, axis, name=None):
    if not any(isinstance(v, RaggedTensor) for v in values):
        return NotImplemented
    axis = int(static_value(axis)) if _is_tensorlike(axis) else int(axis)
    rts = _as_ragged_list(values)
    return _concat(rts, axis)


def _tile(rt, multiples, name=None):
    from arroyo.ops.array_ops import gather
    from arroyo.ops.creation_ops import range as _range
    from arroyo.ops.manip_ops import repeat, tile
    from arroyo.ops.math_ops import add, cast, floormod, multiply, subtract
    from arroyo.ops.scan_ops import cumsum

    if not isinstance(rt, RaggedTensor):
        return NotImplemented
    m = static_value(multiples) if _is_tensorlike(multiples) else np.asarray(multiples)
    if m is None:
        raise NotImplementedError("tf.tile of a RaggedTensor needs static multiples")
    m = [int(v) for v in np.ravel(m)]
    if len(m) != rt.shape.rank:
        raise ValueError(f"Shape must be rank {rt.shape.rank} but is rank {len(m)}")
    if rt.ragged_rank != 1:
        raise NotImplementedError("tf.tile of a RaggedTensor with ragged_rank > 1")
    out = rt
    if m[1] != 1:
        splits = cast(rt.row_splits, _i64)
        lengths = subtract(splits[1:], splits[:-1])
        new_len = multiply(lengths, m[1])
        new_splits = add(cumsum(new_len, exclusive=False) * 0, 0)
        from arroyo.ops.array_ops import concat

        new_splits = concat([convert_to_tensor(np.zeros(1, np.int64)), cumsum(new_len)], 0)
        rows = repeat(_range(rt.nrows(out_type=_i64), dtype=_i64), new_len)
        pos = subtract(_range(new_splits[-1], dtype=_i64), gather(new_splits, rows))
        idx = add(gather(splits, rows), floormod(pos, gather(lengths, rows)))
        values = gather(rt.values, idx)
        out = RaggedTensor.from_row_splits(values, new_splits, validate=False)
        if rt.row_splits.dtype is not _i64:
            out = out.with_row_splits_dtype(rt.row_splits.dtype)
    if m[2:] and any(v != 1 for v in m[2:]):
        out = out.with_values(tile(out.values, [1] + m[2:]))
    if m[0] != 1:
        idx = tile(_range(out.nrows(out_type=_i64), dtype=_i64), [m[0]])
        out = _gather_rows(out, idx)
    return out


def _map_fn(fn, elems, fn_output_signature):
    from arroyo.ops.array_ops import stack as _dense_stack

    if not isinstance(elems, RaggedTensor):
        raise NotImplementedError("tf.map_fn over nested structures holding RaggedTensors")
    n = elems.nrows_static()
    if n is None:
        raise NotImplementedError("tf.map_fn over a RaggedTensor with an unknown number of rows")
    outs = [fn(elems[i]) for i in _builtin_range(n)]
    sig = fn_output_signature
    if sig is None:
        sig = elems._type_spec
    if isinstance(sig, RaggedTensorSpec):
        if not outs:
            return RaggedTensor._make(
                convert_to_tensor(np.zeros((0,), sig.dtype.as_numpy_dtype)),
                convert_to_tensor(np.zeros(1, sig.row_splits_dtype.as_numpy_dtype)))  # fmt: skip
        out_rank = sig.ragged_rank
        outs = [o if isinstance(o, RaggedTensor) else convert_to_tensor(o) for o in outs]
        if all(not isinstance(o, RaggedTensor) and o.shape.rank == 0 for o in outs):
            return _dense_stack(outs)
        rts = []
        for o in outs:
            if isinstance(o, RaggedTensor):
                rts.append(_expand_dims(o, 0))
            else:
                from arroyo.ops.array_ops import expand_dims as _ed

                rts.append(from_tensor(_ed(o, 0), ragged_rank=max(out_rank, 1)) if out_rank > 1
                           else RaggedTensor.from_row_lengths(o, [o.shape[0]] if o.shape[0]
                                                              is not None else None))  # fmt: skip
        out = _concat(rts, 0)
        if out.dtype is not sig.dtype:
            raise TypeError(f"fn returned {out.dtype.name}, expected {sig.dtype.name}")
        return out
    if isinstance(sig, (TensorSpec, dtypes.DType)) or isinstance(sig, str):
        return _dense_stack([o.to_tensor() if isinstance(o, RaggedTensor) else o for o in outs])
    if isinstance(sig, TypeSpec):
        raise NotImplementedError(f"tf.map_fn with fn_output_signature={sig!r}")
    return _dense_stack(outs)


register_dispatch("reduce", _reduce)
register_dispatch("concat", _concat_dispatch)
register_dispatch("tile", _tile)
register_dispatch("map_fn", _map_fn)

TF_API = {
    "tf.ragged": [
        "constant", "range", "stack", "boolean_mask", "row_splits_to_segment_ids",
        "segment_ids_to_row_splits", "map_flat_values",
    ],
}  # fmt: skip

_ = (EagerTensor, Tensor)
