"""Gathering: tf.gather (GatherV2), tf.gather_nd (GatherNd), tf.boolean_mask and
tf.nn.embedding_lookup.

The gradient of an axis-0 gather is a `tf.IndexedSlices` (rows of the params gradient), as
in TF, so embedding tables are updated sparsely; other gathers get a dense gradient built
with `unsorted_segment_sum`.

Shared index helpers used by the scatter/segment/sort families live here too.
"""

from __future__ import annotations

import functools

import numpy as np

from arroyo.framework import dtypes
from arroyo.framework.context import state
from arroyo.framework.errors import InvalidArgumentError
from arroyo.framework.op_registry import defop, dtype_name, execute
from arroyo.framework.tensor import EagerTensor, _wrap
from arroyo.framework.tensor_shape import TensorShape
from arroyo.ops import array_ops, math_ops
from arroyo.ops._helpers import NO_ATTRS, int_tensor, is_tensorlike, static_value, to_tensor
from arroyo.ops.indexed_slices import IndexedSlices

__all__ = ["gather", "gather_nd", "boolean_mask", "embedding_lookup"]

INDEX_DTYPES = (dtypes.int16, dtypes.int32, dtypes.int64)
INT32_64 = (dtypes.int32, dtypes.int64)
_INDEX_NP = frozenset(d._np for d in INDEX_DTYPES)


# -- helpers shared by the indexing families -------------------------------------------------


def type_error(op_name, attr, dtype, allowed):
    """TF's message for an input whose dtype an op's type attr does not allow."""
    names = ", ".join(dtype_name(d) for d in allowed)
    return InvalidArgumentError(
        None,
        None,
        f"Value for attr '{attr}' of {dtype_name(dtype)} is not in the list of allowed values: "
        f"{names}\n\t; NodeDef: {{{{node {op_name}}}}}; Op<name={op_name}> [Op:{op_name}]",
    )


def check_type(op_name, attr, t, allowed):
    if t.dtype not in allowed:
        raise type_error(op_name, attr, t.dtype, allowed)
    return t


def index_input(value, op_name, attr="Tindices", allowed=INDEX_DTYPES, dtype=None):
    """Converts an index-like input (Python ints become int32, or int64 when large)."""
    if type(value) is int and state.graph is None and dtype is None and -_I32 <= value < _I32:
        t = _SMALL_INTS.get(value)
        if t is None:
            t = _wrap(np.int32(value))
        if dtypes.int32 in allowed:
            return t
    if type(value) is EagerTensor:
        if value.dtype not in allowed:
            raise type_error(op_name, attr, value.dtype, allowed)
        return value
    if is_tensorlike(value) or isinstance(value, (np.ndarray, np.generic)):
        t = to_tensor(value)  # NumPy values keep their dtype, as in TF
    else:
        arr = np.asarray(value)
        if arr.dtype.kind in "iu" or (arr.size == 0 and arr.dtype.kind == "f"):
            t = int_tensor(value, dtype or dtypes.int32)
        else:
            t = to_tensor(value)
    return check_type(op_name, attr, t, allowed)


_I32 = 2**31
_SMALL_INTS = {i: _wrap(np.int32(i)) for i in range(-8, 65)}


def err(op_name, msg):
    return InvalidArgumentError(None, None, f"{msg} [Op:{op_name}]")


def shape_str(shape) -> str:
    """TF's DebugString of a shape: [3,2]."""
    return "[" + ",".join(str(int(d)) for d in shape) + "]"


def position(flat, shape) -> str:
    """'[i,j]' (or '' for a scalar) for the row-major position `flat` in `shape`."""
    if not len(shape):
        return ""
    return "[" + ",".join(str(int(i)) for i in np.unravel_index(int(flat), tuple(shape))) + "]"


def first_true(mask) -> int:
    return int(np.argmax(np.ravel(mask)))


def scalar(value):
    """NumPy kernels return NumPy scalars (not 0-d arrays) for rank-0 results."""
    return value if value.ndim else value[()]


def shape_of(x):
    """`x`'s shape as Python ints when fully known, else as an int32 shape tensor."""
    s = x.shape
    if s.is_fully_defined():
        return s.as_list()
    return array_ops.shape(x)


def dims_of(x):
    """A list with one entry per dimension: a Python int when known, else a scalar tensor."""
    s = x.shape
    if s.rank is None:
        raise ValueError(f"A gradient of this op needs the rank of {x!r} to be known")
    known = s.as_list()
    if None not in known:
        return known
    dyn = array_ops.shape(x)
    return [d if d is not None else dyn[i] for i, d in enumerate(known)]


def prod(dims):
    return functools.reduce(lambda a, b: a * b, dims, 1)


def shape_arg(dims):
    """A shape argument for reshape/fill from a list of ints and scalar tensors."""
    if all(isinstance(d, (int, np.integer)) for d in dims):
        return [int(d) for d in dims]
    return array_ops.stack([math_ops.cast(d, dtypes.int32) if is_tensorlike(d) else
                            to_tensor(int(d), dtypes.int32) for d in dims])  # fmt: skip


# -- GatherV2 ------------------------------------------------------------------------------------


def _check_gather_args(pshape, ishape, axis, batch_dims):
    """Validates GatherV2's axis and batch_dims; returns them normalized (non-negative)."""
    pr, ir = len(pshape), len(ishape)
    if batch_dims != 0:
        if not -ir <= batch_dims <= ir:
            raise err(
                "GatherV2", f"Expected batch_dims in the range [{-ir}, {ir}], but got {batch_dims}"
            )
        if batch_dims < 0:
            batch_dims += ir
    if not -pr <= axis < pr:
        need = axis + 1 if axis >= 0 else -axis
        raise err("GatherV2", f"Shape must be at least rank {need} but is rank {pr}")
    if axis < 0:
        axis += pr
    if batch_dims:
        if batch_dims >= pr:
            raise err(
                "GatherV2", f"batch_dims ({batch_dims}) must be less than rank(params) ({pr})."
            )
        if axis < batch_dims:
            raise err(
                "GatherV2",
                f"batch_dims ({batch_dims}) must be less than or equal to axis ({axis}).",
            )
        for i in range(batch_dims):
            if pshape[i] is not None and ishape[i] is not None and pshape[i] != ishape[i]:
                raise err("GatherV2", f"params.shape[{i}]: {pshape[i]} should be equal to "
                                      f"indices.shape[{i}]: {ishape[i]}")  # fmt: skip
    return axis, batch_dims


def check_bounds(indices, n, op_name, what="indices"):
    """TF's range check: every index in [0, n)."""
    if indices.size and (indices.min() < 0 or indices.max() >= n):
        bad = first_true((indices < 0) | (indices >= n))
        v = np.ravel(indices)[bad]
        raise err(op_name, f"{what}{position(bad, indices.shape)} = {v} is not in [0, {n})")


def _gather_kernel(params, indices, axis, batch_dims=0, **_):
    if np.ndim(axis) != 0:
        raise err("GatherV2", "axis must be scalar")
    axis, batch_dims = _check_gather_args(params.shape, indices.shape, int(axis), int(batch_dims))
    n = params.shape[axis]
    check_bounds(indices, n, "GatherV2")
    if not batch_dims:
        if axis == 0:
            out = params[indices]
            return out if type(out) is not np.ndarray or out.ndim else out[()]
        return np.take(params, indices, axis=axis)
    # params: B + O + [N] + I, indices: B + J -> B + O + J + I.
    bshape = params.shape[:batch_dims]
    oshape = params.shape[batch_dims:axis]
    ishape = params.shape[axis + 1 :]
    jshape = indices.shape[batch_dims:]
    b, o = int(np.prod(bshape)), int(np.prod(oshape))
    p = params.reshape((b, o, n, -1) if params.size else (b, o, n, int(np.prod(ishape))))
    idx = indices.reshape(b, -1) if indices.size else indices.reshape(b, int(np.prod(jshape)))
    out = p[np.arange(b)[:, None, None], np.arange(o)[None, :, None], idx[:, None, :]]
    return out.reshape(bshape + oshape + jshape + ishape)


def _gather_infer(inputs, attrs):
    params, indices, axis = inputs
    pshape, ishape = params.shape, indices.shape
    bd = attrs.get("batch_dims", 0)
    ax = static_value(axis)
    if pshape.rank is None or ishape.rank is None:
        return [(params.dtype, TensorShape(None))]
    if ax is None:
        if bd < 0:
            bd += ishape.rank
        return [(params.dtype, TensorShape([None] * (pshape.rank - 1 + ishape.rank - bd)))]
    p, i = pshape.as_list(), ishape.as_list()
    ax, bd = _check_gather_args(p, i, int(ax), bd)
    return [(params.dtype, TensorShape(p[:ax] + i[bd:] + p[ax + 1 :]))]


def _gather_grad(op, g):
    params, indices, axis = op.inputs
    bd = op.get_attr("batch_dims") or 0
    ax = static_value(axis)
    pshape = params.shape
    if ax is None or pshape.rank is None:
        raise ValueError("The gradient of GatherV2 needs a constant axis and params of known rank")
    ax = int(ax) % pshape.rank
    if bd < 0:
        bd += indices.shape.rank
    if ax == 0 and bd == 0:
        return _gather_axis0_grad(params, indices, g), None, None
    return _gather_dense_grad(params, indices, g, ax, bd), None, None


def _gather_axis0_grad(params, indices, g):
    """d params of an axis-0 gather: the output gradient's rows, as IndexedSlices."""
    pdims = dims_of(params)
    n = indices.shape.num_elements()
    if n is None:
        n = array_ops.size(indices)
    values = array_ops.reshape(g, shape_arg([n] + pdims[1:]))
    flat_idx = array_ops.reshape(indices, [-1])
    if params.shape.is_fully_defined():
        dense_shape = int_tensor(params.shape.as_list())
    else:
        dense_shape = array_ops.shape(params)
    return IndexedSlices(values, flat_idx, dense_shape)


def _gather_dense_grad(params, indices, g, axis, bd):
    """d params of a gather along `axis` with `bd` batch dims, via unsorted_segment_sum."""
    from arroyo.ops import creation_ops, scatter_ops

    pdims = dims_of(params)
    idims = dims_of(indices)
    bdims, odims, n, idims_inner = pdims[:bd], pdims[bd:axis], pdims[axis], pdims[axis + 1 :]
    jdims = idims[bd:]
    nb, nj, no, ni = len(bdims), len(jdims), len(odims), len(idims_inner)
    # g: B + O + J + I  ->  B + J + O + I, then rows (b, j) of width O*I.
    perm = (list(range(nb)) + list(range(nb + no, nb + no + nj)) + list(range(nb, nb + no))
            + list(range(nb + no + nj, nb + no + nj + ni)))  # fmt: skip
    gt = array_ops.transpose(g, perm) if perm != list(range(len(perm))) else g
    pb, pj = prod(bdims), prod(jdims)
    rows = array_ops.reshape(gt, shape_arg([pb * pj, prod(odims) * prod(idims_inner)]))
    idx = array_ops.reshape(indices, shape_arg([pb, pj]))
    if bd:
        offsets = math_ops.multiply(
            creation_ops.range(0, pb, dtype=indices.dtype),
            math_ops.cast(n, indices.dtype) if is_tensorlike(n) else n,
        )
        idx = math_ops.add(idx, array_ops.expand_dims(offsets, 1))
    summed = scatter_ops.unsorted_segment_sum(rows, array_ops.reshape(idx, [-1]), pb * n)
    out = array_ops.reshape(summed, shape_arg(bdims + [n] + odims + idims_inner))
    # B + [N] + O + I  ->  B + O + [N] + I
    back = (
        list(range(nb))
        + list(range(nb + 1, nb + 1 + no))
        + [nb]
        + list(range(nb + 1 + no, nb + 1 + no + ni))
    )
    return array_ops.transpose(out, back) if back != list(range(len(back))) else out


_GATHER = defop("GatherV2", ("params", "indices", "axis"), _gather_kernel,
                attrs={"batch_dims": 0, "Tparams": None, "Tindices": None, "Taxis": None},
                infer=_gather_infer, grad=_gather_grad)  # fmt: skip
_AXIS0 = _wrap(np.int32(0))
_BD0 = {"batch_dims": 0}


def gather(params, indices, validate_indices=None, axis=None, batch_dims=0, name=None):
    """Gathers slices of `params` along `axis` at `indices`.

    >>> tf.gather([[1, 2], [3, 4], [5, 6]], [2, 0]).numpy().tolist()
    [[5, 6], [1, 2]]
    """
    if (type(indices) is EagerTensor and axis is None and not batch_dims
            and indices._value.dtype in _INDEX_NP and state.graph is None):  # fmt: skip
        return execute(_GATHER, (to_tensor(params), indices, _AXIS0), _BD0, name)
    if is_tensorlike(batch_dims):
        batch_dims = static_value(batch_dims)
        if batch_dims is None:
            raise TypeError("Argument `batch_dims` must be an int")
    batch_dims = int(batch_dims)
    if axis is None:
        axis = batch_dims
    axis_t = index_input(axis, "GatherV2", "Taxis", INT32_64)
    ax = static_value(axis_t)
    if ax is not None and np.ndim(ax) == 0 and int(ax) == 0:
        batch_dims = 0  # TF drops batch_dims for axis-0 gathers (they go through sparse_read)
    params = to_tensor(params)
    indices = index_input(indices, "GatherV2")
    return execute(_GATHER, (params, indices, axis_t), {"batch_dims": batch_dims}, name)


# -- GatherNd ------------------------------------------------------------------------------------


def nd_positions(indices, shape, op_name, msg_tail):
    """Row-major slice numbers of the N-d `indices` (last axis: coordinates) into `shape`.

    Raises TF's error naming the first index outside `shape`.
    """
    k = indices.shape[-1]
    lead = shape[:k]
    flat = indices.reshape(int(np.prod(indices.shape[:-1])), k)
    if flat.size and (flat.min() < 0 or (flat.max(axis=0) >= lead).any()):
        bad = ((flat < 0) | (flat >= np.asarray(lead, dtype=np.int64))).any(axis=1)
        row = first_true(bad)
        coords = ", ".join(str(int(v)) for v in flat[row])
        raise err(op_name, f"indices{position(row, indices.shape[:-1])} = [{coords}] "
                           f"does not index into {msg_tail}")  # fmt: skip
    if k == 1:
        return flat[:, 0]
    if k == 0:
        return np.zeros(flat.shape[0], dtype=np.int64)
    strides = np.cumprod((list(lead[1:]) + [1])[::-1])[::-1].astype(np.int64)
    return flat.astype(np.int64, copy=False) @ strides


def _gather_nd_kernel(params, indices, bad_indices_policy="", **_):
    if indices.ndim < 1:
        raise err("GatherNd", "indices must be at least a vector")
    k = indices.shape[-1]
    if k > params.ndim:
        raise err("GatherNd", f"index innermost dimension length must be <= params rank; saw: "
                              f"{k} vs. {params.ndim}")  # fmt: skip
    tail = f"param shape {shape_str(params.shape)}, node name: GatherNd"
    lin = nd_positions(indices, params.shape, "GatherNd", tail)
    rows = params.reshape((-1,) + params.shape[k:]) if params.size else \
        params.reshape((int(np.prod(params.shape[:k])),) + params.shape[k:])  # fmt: skip
    return rows[lin].reshape(indices.shape[:-1] + params.shape[k:])


def _gather_nd_infer(inputs, attrs):
    params, indices = inputs
    if params.shape.rank is None or indices.shape.rank is None:
        return [(params.dtype, TensorShape(None))]
    i = indices.shape.as_list()
    k = i[-1] if i else None
    if k is None:
        return [(params.dtype, TensorShape(None))]
    return [(params.dtype, TensorShape(i[:-1] + params.shape.as_list()[k:]))]


def _gather_nd_grad(op, g):
    from arroyo.ops import scatter_ops

    params, indices = op.inputs
    pshape = array_ops.shape(params, out_type=indices.dtype) if indices.dtype in INT32_64 else \
        array_ops.shape(params)  # fmt: skip
    if indices.shape.rank == 2 and indices.shape[-1] == 1:
        return IndexedSlices(g, array_ops.squeeze(indices, axis=-1), pshape), None
    return scatter_ops.scatter_nd(indices, g, pshape), None


_GATHER_ND = defop("GatherNd", ("params", "indices"), _gather_nd_kernel,
                   attrs={"bad_indices_policy": "", "Tparams": None, "Tindices": None},
                   infer=_gather_nd_infer, grad=_gather_nd_grad)  # fmt: skip


def gather_nd(params, indices, batch_dims=0, name=None):
    """Gathers slices of `params` at N-d `indices` (the last axis of `indices` indexes).

    >>> tf.gather_nd([[1, 2], [3, 4]], [[1, 0], [0, 1]]).numpy().tolist()
    [3, 2]
    """
    if is_tensorlike(batch_dims):
        v = static_value(batch_dims)
        if v is None:
            raise ValueError("batch_dims must be a constant for tf.gather_nd")
        batch_dims = int(v)
    params = to_tensor(params)
    indices = index_input(indices, "GatherNd")
    if not batch_dims:
        return execute(_GATHER_ND, (params, indices), NO_ATTRS, name)
    return _batch_gather_nd(params, indices, int(batch_dims), name)


def _batch_gather_nd(params, indices, batch_dims, name):
    """gather_nd with leading batch dims: prepend each row's batch number to its index."""
    from arroyo.ops import creation_ops

    if batch_dims < 0:
        raise ValueError("tf.gather_nd does not allow negative batch_dims.")
    ir, pr = indices.shape.rank, params.shape.rank
    if ir is not None and batch_dims >= ir:
        raise ValueError(
            f"Argument `batch_dims` = {batch_dims} must be less than rank(`indices`) = {ir}"
        )
    if pr is not None and batch_dims >= pr:
        raise ValueError(
            f"Argument `batch_dims` = {batch_dims} must be less than rank(`params`) = {pr}"
        )
    pdims, idims = dims_of(params), dims_of(indices)
    bdims = idims[:batch_dims]
    nb = prod(bdims)
    flat_params = array_ops.reshape(params, shape_arg([nb] + pdims[batch_dims:]))
    inner = idims[batch_dims:-1]
    flat_idx = array_ops.reshape(indices, shape_arg([nb] + inner + [idims[-1]]))
    batch = creation_ops.range(0, nb, dtype=indices.dtype)
    batch = array_ops.reshape(batch, shape_arg([nb] + [1] * (len(inner) + 1)))
    batch = array_ops.broadcast_to(batch, shape_arg([nb] + inner + [1]))
    full = array_ops.concat([batch, flat_idx], axis=-1)
    out = execute(_GATHER_ND, (flat_params, full), NO_ATTRS, name)
    k = idims[-1]
    if is_tensorlike(k):
        k = static_value(k)
    tail = pdims[batch_dims + int(k) :]
    return array_ops.reshape(out, shape_arg(bdims + inner + tail))


# -- boolean_mask / embedding_lookup (composed) ----------------------------------------------------


def boolean_mask(tensor, mask, axis=None, name="boolean_mask"):
    """The entries of `tensor` where `mask` is True (mask covers dims axis..axis+rank(mask)).

    >>> tf.boolean_mask([1, 2, 3], [True, False, True]).numpy().tolist()
    [1, 3]
    """
    tensor = to_tensor(tensor)
    mask = to_tensor(mask)
    shape_mask = mask.shape
    ndims_mask = shape_mask.rank
    shape_tensor = tensor.shape
    if ndims_mask is None:
        raise ValueError("Number of mask dimensions must be specified, even if some dimensions "
                         "are None.  E.g. shape=[None] is ok, but shape=None is not.")  # fmt: skip
    if ndims_mask == 0:
        raise ValueError("mask cannot be scalar.")
    axis = 0 if axis is None else axis
    if is_tensorlike(axis):
        axis = static_value(axis)
    axis = int(axis)
    if shape_tensor.rank is not None:
        part = TensorShape(shape_tensor.as_list()[axis : axis + ndims_mask])
        if not part.is_compatible_with(shape_mask):
            raise ValueError(f"Shapes {part} and {shape_mask} are incompatible")
    dims = dims_of(tensor)
    lead = dims[axis : axis + ndims_mask]
    tensor = array_ops.reshape(
        tensor, shape_arg(dims[:axis] + [prod(lead)] + dims[axis + ndims_mask :])
    )
    flat_mask = array_ops.reshape(mask, [-1])
    idx = array_ops.squeeze(array_ops.where(flat_mask), axis=[1])
    return gather(tensor, idx, axis=axis)


def _clip_rows(x, max_norm, ids_rank):
    """tf.clip_by_norm of each embedding over its non-id axes (TF's max_norm)."""
    from arroyo.ops import reduction_ops, unary_ops

    r = x.shape.rank
    axes = list(range(ids_rank, r))
    l2sum = reduction_ops.reduce_sum(math_ops.multiply(x, x), axis=axes, keepdims=True)
    pred = math_ops.greater(l2sum, 0)
    safe = array_ops.where(pred, l2sum, array_ops.ones_like(l2sum))
    l2norm = array_ops.where(pred, unary_ops.sqrt(safe), l2sum)
    clip = to_tensor(max_norm, x.dtype) if not is_tensorlike(max_norm) else max_norm
    return math_ops.truediv(math_ops.multiply(x, clip), math_ops.maximum(l2norm, clip))


def _div_rows(ids, sizes):
    """Rows of the joined table for ids under TF's 'div' partition of `sizes` shards.

    Shard p holds ids [start_p, start_p + size_p) when the sizes follow the 'div' rule (the
    first total % n shards one row longer); an id its shard does not hold is an error, as in TF.
    """
    v = static_value(ids)
    if v is None or None in sizes:
        return ids  # joined-table rows coincide with ids for well-formed shards
    n, total = len(sizes), sum(sizes)
    per, extras = divmod(total, n)
    flat = np.asarray(v, dtype=np.int64)
    if per:
        part = np.maximum(flat // (per + 1), (flat - extras) // per)
        new = np.where(part < extras, flat % (per + 1), (flat - extras) % per)
    else:
        part, new = flat, np.zeros_like(flat)
    part = np.clip(part, 0, n - 1)
    size = np.asarray(sizes, dtype=np.int64)[part]
    bad = (flat < 0) | (new >= size)
    if bad.any():
        k = first_true(bad)
        raise err(
            "GatherV2", f"indices[{k}] = {np.ravel(new)[k]} is not in [0, {np.ravel(size)[k]})"
        )
    offsets = np.concatenate(([0], np.cumsum(sizes)[:-1])).astype(np.int64)
    return int_tensor((offsets[part] + new).astype(v.dtype), ids.dtype)


def embedding_lookup(params, ids, max_norm=None, name=None):
    """Rows of the embedding table `params` (or of a list of shards, 'div' strategy) at `ids`.

    The gradient w.r.t. a table Variable is a `tf.IndexedSlices` (sparse update).

    >>> tf.nn.embedding_lookup(tf.constant([[0., 1.], [2., 3.]]), [1, 1]).numpy().tolist()
    [[2.0, 3.0], [2.0, 3.0]]
    """
    if isinstance(params, (list, tuple)) and not params:
        raise ValueError("Length of params is currently 0. Need at least one param.")
    ids = index_input(ids, "GatherV2")
    if isinstance(params, list) and len(params) > 1:  # shards (a tuple is one tensor, as in TF)
        shards = [to_tensor(p) for p in params]
        ids = _div_rows(ids, [s.shape[0] if s.shape.rank else None for s in shards])
        params = array_ops.concat(shards, 0)
    elif isinstance(params, list):
        params = params[0]
    out = gather(params, ids)
    if max_norm is not None:
        out = _clip_rows(out, max_norm, ids.shape.rank)
    return out


TF_API = {
    "tf": ["gather", "gather_nd", "boolean_mask"],
    "tf.nn": ["embedding_lookup"],
}
