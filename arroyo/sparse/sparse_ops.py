"""Sparse ops (`tf.sparse.*`): raw ops named as TF's, NumPy kernels, gradients.

Every primitive is declared with `defop` and called through `execute`, so the sparse ops
run eagerly, record on tapes and trace into `tf.function` graphs like any other op. A
SparseTensor is passed to a raw op as its three components (indices, values, dense_shape).
Kernels work on coordinates (no dense intermediate) except where the output is dense.

    >>> st = tf.sparse.from_dense([[0, 5], [7, 0]])
    >>> tf.sparse.reduce_sum(st, axis=1).numpy().tolist()
    [5, 7]
"""

from __future__ import annotations

import numpy as np

from arroyo.framework import dtypes
from arroyo.framework.errors import InvalidArgumentError
from arroyo.framework.op_registry import defop, execute
from arroyo.framework.tensor import convert_to_tensor
from arroyo.framework.tensor_shape import TensorShape
from arroyo.ops._helpers import is_tensorlike, static_value, to_tensor
from arroyo.sparse.sparse_tensor import SparseTensor

__all__ = [
    "to_dense", "from_dense", "reorder", "reshape", "add", "sparse_dense_matmul", "reduce_sum",
    "reduce_max", "concat", "slice", "retain", "fill_empty_rows", "transpose", "expand_dims",
    "split", "maximum", "minimum", "softmax", "to_indicator", "eye", "map_values", "reset_shape",
]  # fmt: skip

_i64 = dtypes.int64
_I64 = np.int64


def _err(msg, op):
    return InvalidArgumentError(None, None, f"{msg} [Op:{op}]")


def _idx_str(row):
    return "[" + ",".join(str(int(v)) for v in row) + "]"


def _strides(shape):
    """Row-major strides of `shape` (int64), for linearizing coordinates."""
    shape = np.asarray(shape, _I64)
    if shape.size == 0:
        return shape
    s = np.ones_like(shape)
    s[:-1] = np.cumprod(shape[::-1])[::-1][1:]
    return s


def _linear(indices, shape):
    if indices.shape[1] == 0:
        return np.zeros(indices.shape[0], _I64)
    return indices.astype(_I64, copy=False) @ _strides(shape)


def _check_bounds(indices, shape, op, ordered=False, unique=False):
    """TF's index validation: in bounds, and (optionally) ordered and not repeated."""
    if indices.shape[0] == 0:
        return
    shape = np.asarray(shape, _I64)
    bad = np.nonzero(((indices < 0) | (indices >= shape)).any(axis=1))[0]
    if bad.size:
        i = int(bad[0])
        raise _err(
            f"indices[{i}] = {_idx_str(indices[i])} is out of bounds: need 0 <= index < "
            f"{_idx_str(shape)}",
            op,
        )
    if ordered or unique:
        lin = _linear(indices, shape)
        d = np.diff(lin)
        bad = np.nonzero(d <= 0)[0]
        if bad.size:
            i = int(bad[0]) + 1
            if d[i - 1] == 0:
                raise _err(f"indices[{i}] = {_idx_str(indices[i])} is repeated", op)
            raise _err(
                f"indices[{i}] = {_idx_str(indices[i])} is out of order. Many sparse ops require "
                "sorted indices.\n    Use `tf.sparse.reorder` to create a correctly ordered copy."
                "\n\n",
                op,
            )


def _shape_of(t):
    v = static_value(t)
    if v is None:
        n = t.shape[0] if t.shape.rank == 1 else None
        return TensorShape(None if n is None else [None] * n)
    return TensorShape([int(d) for d in np.ravel(v)])


def _sparse_outputs(values_dtype, rank, nnz=None, shape_len=None):
    """Inference triple (indices, values, dense_shape) of a sparse result."""
    return [
        (_i64, TensorShape([nnz, rank])),
        (values_dtype, TensorShape([nnz])),
        (_i64, TensorShape([rank if shape_len is None else shape_len])),
    ]


def _rank_of(indices, shape):
    r = indices.shape[1] if indices.shape.rank == 2 else None
    if r is None and shape.shape.rank == 1:
        r = shape.shape[0]
    return r


# -- SparseToDense ----------------------------------------------------------------------


def _sparse_to_dense_kernel(sparse_indices, output_shape, sparse_values, default_value,
                            validate_indices=True):  # fmt: skip
    shape = np.asarray(output_shape, _I64).reshape(-1)
    idx = np.asarray(sparse_indices, _I64)
    if idx.ndim < 2:
        idx = idx.reshape(-1, 1) if shape.size == 1 else idx.reshape(1, -1)
    if idx.shape[1] != shape.size:
        raise _err(
            f"sparse_indices should be a scalar, vector, or matrix, got shape "
            f"{list(idx.shape)} for output shape {shape.tolist()}",
            "SparseToDense",
        )
    n = idx.shape[0]
    vals = np.asarray(sparse_values)
    if vals.ndim and vals.shape[0] != n:
        raise _err(
            f"sparse_values has incorrect shape [{vals.shape[0]}], should be [] or [{n}]",
            "SparseToDense",
        )
    if np.ndim(default_value):
        raise _err(
            f"default_value should be a scalar, got shape [{','.join(map(str, np.shape(default_value)))}]",
            "SparseToDense",
        )  # fmt: skip
    if validate_indices:
        _check_bounds(idx, shape, "SparseToDense", ordered=True)
    else:
        _check_bounds(idx, shape, "SparseToDense")
    out = np.full(tuple(shape.tolist()), default_value, dtype=np.asarray(default_value).dtype)
    if n:
        out[tuple(idx.T)] = vals
    return out


def _sparse_to_dense_infer(inputs, attrs):
    return [(inputs[2].dtype, _shape_of(inputs[1]))]


def _sparse_to_dense_grad(op, g):
    from arroyo.ops.gather_ops import gather_nd
    from arroyo.ops.math_ops import subtract
    from arroyo.ops.reduction_ops import reduce_sum

    indices = op.inputs[0]
    gv = gather_nd(g, indices)
    gd = subtract(reduce_sum(g), reduce_sum(gv))
    return None, None, gv, gd


_SPARSE_TO_DENSE = defop(
    "SparseToDense", ("sparse_indices", "output_shape", "sparse_values", "default_value"),
    _sparse_to_dense_kernel, attrs={"validate_indices": True, "T": None, "Tindices": None},
    infer=_sparse_to_dense_infer, grad=_sparse_to_dense_grad,
)  # fmt: skip


def _as_sparse(x, what="sp_input"):
    if not isinstance(x, SparseTensor):
        if hasattr(x, "indices") and hasattr(x, "dense_shape") and hasattr(x, "values"):
            return SparseTensor.from_value(x)
        raise TypeError("Input must be a SparseTensor.")
    return x


def to_dense(sp_input, default_value=None, validate_indices=True, name=None):
    """The dense tensor of a SparseTensor; missing entries are `default_value` (0).

    >>> st = tf.SparseTensor([[0, 0], [1, 2]], [1, 2], [2, 3])
    >>> tf.sparse.to_dense(st).numpy().tolist()
    [[1, 0, 0], [0, 0, 2]]
    """
    sp = _as_sparse(sp_input)
    if default_value is None:
        default_value = np.zeros((), sp.dtype.as_numpy_dtype) if sp.dtype is not dtypes.string \
            else b""  # fmt: skip
    default_value = convert_to_tensor(default_value, dtype=sp.dtype)
    out = execute(
        _SPARSE_TO_DENSE,
        (sp.indices, sp.dense_shape, sp.values, default_value),
        {"validate_indices": bool(validate_indices)},
        name,
    )
    if out.shape.rank is None or not out.shape.is_fully_defined():
        known = sp.shape
        if known.rank is not None and hasattr(out, "set_shape"):
            try:
                out.set_shape(known)
            except (ValueError, AttributeError):
                pass
    return out


def from_dense(tensor, name=None):
    """The SparseTensor of a dense tensor's non-zero (non-empty for strings) entries.

    >>> tf.sparse.from_dense([0, 3, 0]).indices.numpy().tolist()
    [[1]]
    """
    from arroyo.ops.array_ops import shape as _shape
    from arroyo.ops.array_ops import where
    from arroyo.ops.gather_ops import gather_nd
    from arroyo.ops.math_ops import not_equal

    t = to_tensor(tensor)
    zero = b"" if t.dtype is dtypes.string else np.zeros((), t.dtype.as_numpy_dtype)
    indices = where(not_equal(t, convert_to_tensor(zero, dtype=t.dtype)))
    values = gather_nd(t, indices)
    return SparseTensor._from_parts(indices, values, _shape(t, out_type=_i64),
                                    t.shape if t.shape.is_fully_defined() else None)  # fmt: skip


# -- SparseReorder ----------------------------------------------------------------------


def _reorder_kernel(input_indices, input_values, input_shape):
    idx = np.asarray(input_indices, _I64)
    _check_bounds(idx, input_shape, "SparseReorder")
    order = np.argsort(_linear(idx, input_shape), kind="stable")
    return [idx[order], np.asarray(input_values)[order]]


def _reorder_infer(inputs, attrs):
    i, v = inputs[0], inputs[1]
    return [(_i64, i.shape), (v.dtype, v.shape)]


def _reorder_grad(op, gi, gv):
    from arroyo.ops.array_ops import shape as _shape
    from arroyo.ops.creation_ops import range as _range
    from arroyo.ops.scatter_ops import scatter_nd

    indices, _, dense_shape = op.inputs
    n = _shape(indices, out_type=_i64)[0:1]
    _, perm = reorder_raw(indices, _range(n[0], dtype=_i64), dense_shape)
    from arroyo.ops.array_ops import expand_dims as _ed

    return None, scatter_nd(_ed(perm, 1), gv, n), None


_REORDER = defop("SparseReorder", ("input_indices", "input_values", "input_shape"),
                 _reorder_kernel, attrs={"T": None}, infer=_reorder_infer, grad=_reorder_grad,
                 num_outputs=2)  # fmt: skip


def reorder_raw(indices, values, shape):
    return execute(_REORDER, (indices, values, shape), {})


def reorder(sp_input, name=None):
    """The same SparseTensor with its indices in row-major (canonical) order.

    >>> st = tf.SparseTensor([[1, 0], [0, 1]], [1, 2], [2, 2])
    >>> tf.sparse.reorder(st).values.numpy().tolist()
    [2, 1]
    """
    sp = _as_sparse(sp_input)
    i, v = execute(_REORDER, (sp.indices, sp.values, sp.dense_shape), {}, name)
    return SparseTensor._from_parts(i, v, sp.dense_shape, sp._shape)


# -- SparseReshape ----------------------------------------------------------------------


def _reshape_kernel(input_indices, input_shape, new_shape):
    old = np.asarray(input_shape, _I64)
    new = np.asarray(new_shape, _I64).copy()
    total = int(np.prod(old)) if old.size else 1
    unknown = np.nonzero(new == -1)[0]
    if unknown.size > 1:
        raise _err(f"only one output dimension may be -1, not both {unknown[0]} and {unknown[1]}",
                   "SparseReshape")  # fmt: skip
    bad = np.nonzero(new < -1)[0]
    if bad.size:
        raise _err(f"size {bad[0]} must be non-negative, not {new[bad[0]]}", "SparseReshape")
    known = int(np.prod(new[new != -1])) if new.size else 1
    if unknown.size:
        if known == 0 or total % known:
            raise _err(
                f"Input to reshape is a SparseTensor with {total} dense values, but the requested "
                f"shape requires a multiple of {known}. inputShape={_idx_str(old)[1:-1]} "
                f"outputShape={_idx_str(new)[1:-1]}",
                "SparseReshape",
            )
        new[unknown[0]] = total // known
    elif known != total:
        raise _err(
            f"Input to reshape is a tensor with {total} dense values, but the requested shape has "
            f"{known}. inputShape={_idx_str(old)[1:-1]} outputShape={_idx_str(new)[1:-1]}",
            "SparseReshape",
        )
    idx = np.asarray(input_indices, _I64)
    lin = _linear(idx, old)
    if new.size == 0:
        out = np.zeros((idx.shape[0], 0), _I64)
    else:
        out = np.stack(np.unravel_index(lin, tuple(new.tolist())), axis=1).astype(_I64) \
            if idx.shape[0] else np.zeros((0, new.size), _I64)  # fmt: skip
    return [out, new]


def _reshape_infer(inputs, attrs):
    idx, _, new = inputs
    n = new.shape[0] if new.shape.rank == 1 else None
    return [(_i64, TensorShape([idx.shape[0] if idx.shape.rank == 2 else None, n])),
            (_i64, TensorShape([n]))]  # fmt: skip


_RESHAPE = defop("SparseReshape", ("input_indices", "input_shape", "new_shape"), _reshape_kernel,
                 infer=_reshape_infer, num_outputs=2, differentiable=False)  # fmt: skip


def reshape(sp_input, shape, name=None):
    """Reshapes a SparseTensor (one dimension may be -1).

    >>> st = tf.sparse.from_dense([[0, 1], [2, 0]])
    >>> tf.sparse.reshape(st, [4]).indices.numpy().tolist()
    [[1], [2]]
    """
    sp = _as_sparse(sp_input)
    if isinstance(shape, TensorShape):
        shape = shape.as_list()
    shape = to_tensor(shape) if is_tensorlike(shape) else convert_to_tensor(shape, dtype=_i64)
    if shape.dtype is not _i64:
        from arroyo.ops.math_ops import cast

        shape = cast(shape, _i64)
    sv = static_value(shape)
    known = sp.shape
    if sv is not None and known.is_fully_defined():
        total = int(np.prod(known.as_list()))
        new = np.asarray(sv).reshape(-1)
        if (new == -1).sum() == 0 and int(np.prod(new)) != total:
            raise ValueError(
                f"Cannot reshape a tensor with {total} elements to shape "
                f"{[int(d) for d in new]} ({int(np.prod(new))} elements)."
            )
    i, s = execute(_RESHAPE, (sp.indices, sp.dense_shape, shape), {}, name)
    return SparseTensor._from_parts(i, sp.values, s)


# -- SparseAdd / SparseTensorDenseAdd ----------------------------------------------------


def _sparse_add_kernel(a_indices, a_values, a_shape, b_indices, b_values, b_shape, thresh):
    if not np.array_equal(a_shape, b_shape):
        raise _err(
            f"Operands do not have the same ranks; got shapes: {_idx_str(a_shape)} and "
            f"{_idx_str(b_shape)}" if len(a_shape) != len(b_shape) else
            f"Operands' shapes do not match: got {_idx_str(a_shape)} and {_idx_str(b_shape)}",
            "SparseAdd",
        )  # fmt: skip
    ai, bi = np.asarray(a_indices, _I64), np.asarray(b_indices, _I64)
    lin = np.concatenate([_linear(ai, a_shape), _linear(bi, a_shape)])
    vals = np.concatenate([np.asarray(a_values), np.asarray(b_values)])
    idx = np.concatenate([ai, bi])
    uniq, first, inv, counts = np.unique(lin, return_index=True, return_inverse=True,
                                         return_counts=True)  # fmt: skip
    sums = np.zeros(uniq.shape, vals.dtype)
    np.add.at(sums, inv, vals)
    out_idx = idx[first]
    t = np.asarray(thresh)
    if t != 0:
        # as TF: only entries present in both operands (summed) are thresholded
        keep = (counts == 1) | (np.abs(sums) >= t)
        out_idx, sums = out_idx[keep], sums[keep]
    return [out_idx.reshape(-1, ai.shape[1]), sums, np.asarray(a_shape, _I64)]


def _sparse_add_infer(inputs, attrs):
    a_i, a_v, a_s = inputs[:3]
    return _sparse_outputs(a_v.dtype, _rank_of(a_i, a_s))


def _sparse_add_grad(op, gi, gv, gs):
    a_i, _, _, b_i = op.inputs[:4]
    ga, gb = execute(_SPARSE_ADD_GRAD, (gv, a_i, b_i, op.outputs[0]), {})
    return None, ga, None, None, gb, None, None


_SPARSE_ADD = defop(
    "SparseAdd", ("a_indices", "a_values", "a_shape", "b_indices", "b_values", "b_shape", "thresh"),
    _sparse_add_kernel, attrs={"T": None, "Treal": None}, infer=_sparse_add_infer,
    grad=_sparse_add_grad, num_outputs=3,
)  # fmt: skip


def _sparse_add_grad_kernel(backprop_val_grad, a_indices, b_indices, sum_indices):
    s = np.asarray(sum_indices, _I64)
    g = np.asarray(backprop_val_grad)
    out = []
    for ind in (a_indices, b_indices):
        ind = np.asarray(ind, _I64)
        if s.shape[0] == 0 or ind.shape[0] == 0:
            out.append(np.zeros(ind.shape[0], g.dtype))
            continue
        shape = np.maximum(s.max(axis=0), ind.max(axis=0)) + 1
        ls, li = _linear(s, shape), _linear(ind, shape)
        pos = np.searchsorted(ls, li)
        pos = np.minimum(pos, ls.size - 1)
        hit = ls[pos] == li
        out.append(np.where(hit, g[pos], np.zeros((), g.dtype)))
    return out


def _sparse_add_grad_infer(inputs, attrs):
    g, a, b = inputs[:3]
    return [(g.dtype, TensorShape([a.shape[0] if a.shape.rank else None])),
            (g.dtype, TensorShape([b.shape[0] if b.shape.rank else None]))]  # fmt: skip


_SPARSE_ADD_GRAD = defop(
    "SparseAddGrad", ("backprop_val_grad", "a_indices", "b_indices", "sum_indices"),
    _sparse_add_grad_kernel, attrs={"T": None}, infer=_sparse_add_grad_infer, num_outputs=2,
    differentiable=False,
)  # fmt: skip


def _dense_add_kernel(a_indices, a_values, a_shape, b):
    b = np.asarray(b)
    shape = np.asarray(a_shape, _I64)
    if tuple(shape.tolist()) != b.shape:
        raise _err(
            f"Dimension 0 does not equal (no broadcasting is supported): sparse side "
            f"{shape[0] if shape.size else ''} vs dense side {b.shape[0] if b.ndim else ''}"
            if shape.size == b.ndim else
            f"Input a_shape must be a 1-D tensor, and its size must match b.dims(): "
            f"{shape.size} vs {b.ndim}",
            "SparseTensorDenseAdd",
        )  # fmt: skip
    idx = np.asarray(a_indices, _I64)
    _check_bounds(idx, shape, "SparseTensorDenseAdd")
    out = b.copy()
    if idx.shape[0]:
        np.add.at(out, tuple(idx.T), np.asarray(a_values))
    return out


def _dense_add_grad(op, g):
    from arroyo.ops.gather_ops import gather_nd

    return None, gather_nd(g, op.inputs[0]), None, g


_DENSE_ADD = defop(
    "SparseTensorDenseAdd", ("a_indices", "a_values", "a_shape", "b"), _dense_add_kernel,
    attrs={"T": None, "Tindices": None}, infer=lambda inputs, attrs: [(inputs[3].dtype,
                                                                        inputs[3].shape)],
    grad=_dense_add_grad,
)  # fmt: skip


def add(a, b, threshold=0):
    """Sums two SparseTensors (a SparseTensor), or a SparseTensor and a dense one (dense).

    Entries of a sparse sum whose magnitude is below `threshold` are dropped.

    >>> a = tf.SparseTensor([[0, 0]], [1.0], [1, 2])
    >>> tf.sparse.to_dense(tf.sparse.add(a, a)).numpy().tolist()
    [[2.0, 0.0]]
    """
    a_sp, b_sp = isinstance(a, SparseTensor), isinstance(b, SparseTensor)
    if not (a_sp or b_sp):
        raise TypeError("At least one input should be SparseTensor; do you mean to use tf.add?")
    if a_sp and b_sp:
        if a.dtype is not b.dtype:
            raise TypeError(f"Input dtypes must match: {a.dtype.name} vs {b.dtype.name}")
        thresh = convert_to_tensor(threshold, dtype=a.dtype.real_dtype)
        i, v, s = execute(_SPARSE_ADD, (a.indices, a.values, a.dense_shape, b.indices, b.values,
                                        b.dense_shape, thresh), {})  # fmt: skip
        known = a.shape.merge_with(b.shape) if a.shape.rank == b.shape.rank else None
        return SparseTensor._from_parts(i, v, s, known if known and known.is_fully_defined()
                                        else None)  # fmt: skip
    sp, dense = (a, b) if a_sp else (b, a)
    dense = convert_to_tensor(dense, dtype=sp.dtype) if not is_tensorlike(dense) else \
        to_tensor(dense)  # fmt: skip
    return execute(_DENSE_ADD, (sp.indices, sp.values, sp.dense_shape, dense), {})


# -- SparseTensorDenseMatMul --------------------------------------------------------------


def _spmm_kernel(a_indices, a_values, a_shape, b, adjoint_a=False, adjoint_b=False):
    idx = np.asarray(a_indices, _I64)
    vals = np.asarray(a_values)
    shape = np.asarray(a_shape, _I64)
    b = np.asarray(b)
    if b.ndim != 2:
        raise _err("Tensor 'b' is not a matrix", "SparseTensorDenseMatMul")
    if shape.size != 2:
        raise _err(f"Tensor 'a_shape' is not a vector of size 2, got {shape.size}",
                   "SparseTensorDenseMatMul")  # fmt: skip
    rows, cols = (idx[:, 1], idx[:, 0]) if adjoint_a else (idx[:, 0], idx[:, 1])
    m, k = (shape[1], shape[0]) if adjoint_a else (shape[0], shape[1])
    if adjoint_a and vals.dtype.kind == "c":
        vals = vals.conj()
    bm = b.conj().T if adjoint_b else b
    if bm.shape[0] != k:
        raise _err(
            f"Cannot multiply A and B because inner dimension does not match: {k} vs. "
            f"{bm.shape[0]}.  Did you forget a transpose?  Dimensions of A: [{m}, {k}).  "
            f"Dimensions of B: {list(b.shape)}",
            "SparseTensorDenseMatMul",
        )
    bad = np.nonzero((rows < 0) | (rows >= m) | (cols < 0) | (cols >= k))[0]
    if bad.size:
        i = int(bad[0])
        raise _err(f"k ({k}) from index[{i},{1 if not adjoint_a else 0}] out of bounds (>={k})"
                   if (0 <= rows[i] < m) is not False else
                   f"m ({m}) from index[{i},{0 if not adjoint_a else 1}] out of bounds (>={m})",
                   "SparseTensorDenseMatMul")  # fmt: skip
    out = np.zeros((int(m), bm.shape[1]), np.result_type(vals.dtype, bm.dtype))
    if idx.shape[0]:
        np.add.at(out, rows, vals[:, None] * bm[cols])
    return out


def _spmm_infer(inputs, attrs):
    a_i, a_v, a_s, b = inputs
    sv = static_value(a_s)
    m = None
    if sv is not None:
        m = int(sv[1] if attrs.get("adjoint_a") else sv[0])
    n = None
    if b.shape.rank == 2:
        n = b.shape[0] if attrs.get("adjoint_b") else b.shape[1]
    return [(b.dtype, TensorShape([m, n]))]


def _spmm_grad(op, g):
    from arroyo.ops.array_ops import gather, transpose
    from arroyo.ops.math_ops import conj, multiply
    from arroyo.ops.reduction_ops import reduce_sum

    a_i, a_v, a_s, b = op.inputs
    adj_a, adj_b = op.attrs.get("adjoint_a", False), op.attrs.get("adjoint_b", False)
    skip = op.skip_input_indices
    bm = transpose(conj(b)) if adj_b else b
    rows, cols = a_i[:, 0], a_i[:, 1]
    ga = gb = None
    if 1 not in skip:
        if adj_a:  # C = A^H B: dA[r, c] = conj(sum_j g[c, j] conj(B[r, j]))
            ga = conj(reduce_sum(multiply(gather(g, cols), conj(gather(bm, rows))), axis=1))
        else:  # C = A B: dA[r, c] = sum_j g[r, j] conj(B[c, j])
            ga = reduce_sum(multiply(gather(g, rows), conj(gather(bm, cols))), axis=1)
    if 3 not in skip:
        gbm = execute(_SPMM, (a_i, a_v, a_s, g), {"adjoint_a": not adj_a, "adjoint_b": False})
        gb = transpose(conj(gbm)) if adj_b else gbm
    return None, ga, None, gb


_SPMM = defop(
    "SparseTensorDenseMatMul", ("a_indices", "a_values", "a_shape", "b"), _spmm_kernel,
    attrs={"T": None, "Tindices": dtypes.int64, "adjoint_a": False, "adjoint_b": False},
    infer=_spmm_infer, grad=_spmm_grad,
)  # fmt: skip


def sparse_dense_matmul(sp_a, b, adjoint_a=False, adjoint_b=False, name=None):
    """Multiplies a SparseTensor matrix by a dense matrix (either side may be the sparse one).

    >>> a = tf.SparseTensor([[0, 1]], [2.0], [1, 2])
    >>> tf.sparse.sparse_dense_matmul(a, [[1.0], [3.0]]).numpy().tolist()
    [[6.0]]
    """
    if isinstance(b, SparseTensor) and not isinstance(sp_a, SparseTensor):
        # dense @ sparse = (sparse^T @ dense^T)^T
        from arroyo.ops.array_ops import transpose

        a = to_tensor(sp_a) if is_tensorlike(sp_a) else convert_to_tensor(sp_a, dtype=b.dtype)
        out = sparse_dense_matmul(b, transpose(a), adjoint_a=not adjoint_b,
                                  adjoint_b=False, name=name)  # fmt: skip
        if adjoint_a:
            from arroyo.ops.math_ops import conj

            a_adj = conj(a)
            out = sparse_dense_matmul(b, a_adj, adjoint_a=not adjoint_b, adjoint_b=True)
        return transpose(out)
    sp = _as_sparse(sp_a)
    b = to_tensor(b) if is_tensorlike(b) else convert_to_tensor(b, dtype=sp.dtype)
    if b.dtype is not sp.dtype:
        raise InvalidArgumentError(
            None, None,
            f"cannot compute SparseTensorDenseMatMul as input #3(zero-based) was expected to be a "
            f"{sp.dtype.name} tensor but is a {b.dtype.name} tensor [Op:SparseTensorDenseMatMul]",
        )  # fmt: skip
    return execute(_SPMM, (sp.indices, sp.values, sp.dense_shape, b),
                   {"adjoint_a": bool(adjoint_a), "adjoint_b": bool(adjoint_b)}, name)  # fmt: skip


# -- SparseReduceSum / Max (dense and sparse outputs) -------------------------------------


def _reduce_axes(axes, rank, op):
    ax = np.asarray(axes, np.int64).reshape(-1)
    bad = ax[(ax < -rank) | (ax >= rank)]
    if bad.size:
        raise _err(f"Invalid reduction dimension {int(bad[0])}, for input with {rank} dimensions.",
                   op)  # fmt: skip
    return sorted(set((ax % rank).tolist())) if rank else []


def _reduce_core(indices, values, shape, axes, keep_dims, op, ufunc):
    idx = np.asarray(indices, _I64)
    shape = np.asarray(shape, _I64)
    rank = shape.size
    red = _reduce_axes(axes, rank, op)
    kept = [d for d in range(rank) if d not in red]
    out_shape = shape[kept]
    lin = _linear(idx[:, kept], out_shape) if kept else np.zeros(idx.shape[0], _I64)
    vals = np.asarray(values)
    uniq, inv = np.unique(lin, return_inverse=True)
    if ufunc is np.add:
        acc = np.zeros(uniq.shape, vals.dtype)
        np.add.at(acc, inv, vals)
    else:
        acc = np.full(uniq.shape, _lowest(vals.dtype), vals.dtype)
        np.maximum.at(acc, inv, vals)
    full_shape = np.where(np.isin(np.arange(rank), red), 1, shape) if keep_dims else out_shape
    return uniq, acc, out_shape, full_shape, red, rank


def _lowest(dt):
    if dt.kind == "f":
        return -np.inf
    if dt.kind in "iu":
        return np.iinfo(dt).min
    return False


def _reduce_dense_kernel(ufunc, op):
    def kernel(input_indices, input_values, input_shape, reduction_axes, keep_dims=False):
        uniq, acc, out_shape, full_shape, _, _ = _reduce_core(
            input_indices, input_values, input_shape, reduction_axes, keep_dims, op, ufunc
        )
        vals = np.asarray(input_values)
        out = np.zeros(int(np.prod(out_shape)) if out_shape.size else 1, vals.dtype)
        out[uniq] = acc
        return out.reshape(tuple(full_shape.tolist()))

    return kernel


def _reduce_sparse_kernel(ufunc, op):
    def kernel(input_indices, input_values, input_shape, reduction_axes, keep_dims=False):
        uniq, acc, out_shape, full_shape, red, rank = _reduce_core(
            input_indices, input_values, input_shape, reduction_axes, keep_dims, op, ufunc
        )
        if out_shape.size:
            coords = np.stack(np.unravel_index(uniq, tuple(out_shape.tolist())), axis=1) \
                if uniq.size else np.zeros((0, out_shape.size), _I64)  # fmt: skip
        else:
            coords = np.zeros((uniq.size, 0), _I64)
        if keep_dims:
            full = np.zeros((coords.shape[0], rank), _I64)
            kept = [d for d in range(rank) if d not in red]
            full[:, kept] = coords
            coords = full
        return [coords.astype(_I64), acc, full_shape.astype(_I64)]

    return kernel


def _reduce_out_shape(inputs, attrs):
    _, _, shape, axes = inputs
    sv, av = static_value(shape), static_value(axes)
    keep = attrs.get("keep_dims", False)
    if sv is None or av is None:
        return None, TensorShape(None)
    sv = np.asarray(sv).reshape(-1)
    red = _reduce_axes(av, sv.size, "SparseReduceSum")
    if keep:
        dims = [1 if d in red else int(sv[d]) for d in range(sv.size)]
    else:
        dims = [int(sv[d]) for d in range(sv.size) if d not in red]
    return len(dims), TensorShape(dims)


def _reduce_dense_infer(inputs, attrs):
    return [(inputs[1].dtype, _reduce_out_shape(inputs, attrs)[1])]


def _reduce_sparse_infer(inputs, attrs):
    n, _ = _reduce_out_shape(inputs, attrs)
    return _sparse_outputs(inputs[1].dtype, n)


def _reduce_sum_grad(op, g):
    from arroyo.ops.array_ops import reshape as _reshape
    from arroyo.ops.gather_ops import gather_nd
    from arroyo.ops.math_ops import cast, multiply

    indices, _, shape, axes = op.inputs
    # g reshaped to keep_dims form, read at each entry's coordinates with reduced axes = 0
    rank = _shape_of(shape).rank
    av = static_value(axes)
    if av is None or rank is None:
        raise NotImplementedError("SparseReduceSum gradient needs static reduction axes")
    red = _reduce_axes(av, rank, "SparseReduceSum")
    mask = np.array([0 if d in red else 1 for d in range(rank)], _I64)
    keep_shape = multiply(shape, mask) + (1 - mask)
    gk = _reshape(g, keep_shape)
    return None, gather_nd(gk, multiply(indices, cast(mask, _i64))), None, None


_SUM = defop("SparseReduceSum", ("input_indices", "input_values", "input_shape", "reduction_axes"),
             _reduce_dense_kernel(np.add, "SparseReduceSum"), attrs={"keep_dims": False, "T": None},
             infer=_reduce_dense_infer, grad=_reduce_sum_grad)  # fmt: skip
_SUM_SPARSE = defop(
    "SparseReduceSumSparse", ("input_indices", "input_values", "input_shape", "reduction_axes"),
    _reduce_sparse_kernel(np.add, "SparseReduceSumSparse"), attrs={"keep_dims": False, "T": None},
    infer=_reduce_sparse_infer, num_outputs=3, differentiable=False,
)  # fmt: skip
_MAX = defop("SparseReduceMax", ("input_indices", "input_values", "input_shape", "reduction_axes"),
             _reduce_dense_kernel(np.maximum, "SparseReduceMax"),
             attrs={"keep_dims": False, "T": None}, infer=_reduce_dense_infer,
             differentiable=False)  # fmt: skip
_MAX_SPARSE = defop(
    "SparseReduceMaxSparse", ("input_indices", "input_values", "input_shape", "reduction_axes"),
    _reduce_sparse_kernel(np.maximum, "SparseReduceMaxSparse"),
    attrs={"keep_dims": False, "T": None}, infer=_reduce_sparse_infer, num_outputs=3,
    differentiable=False,
)  # fmt: skip


def _reduce(dense_op, sparse_op, sp_input, axis, keepdims, output_is_sparse, name):
    sp = _as_sparse(sp_input)
    if axis is None:
        r = sp.shape.rank
        if r is None:
            from arroyo.ops.array_ops import shape as _shape
            from arroyo.ops.creation_ops import range as _range

            axis = _range(_shape(sp.dense_shape)[0])
        else:
            axis = list(range(r))
    axes = to_tensor(axis) if is_tensorlike(axis) else convert_to_tensor(axis, dtype=dtypes.int32)
    attrs = {"keep_dims": bool(keepdims)}
    comps = (sp.indices, sp.values, sp.dense_shape, axes)
    if output_is_sparse:
        i, v, s = execute(sparse_op, comps, attrs, name)
        return SparseTensor._from_parts(i, v, s)
    return execute(dense_op, comps, attrs, name)


def reduce_sum(sp_input, axis=None, keepdims=None, output_is_sparse=False, name=None):
    """Sums a SparseTensor's entries over `axis` (all axes by default).

    >>> st = tf.SparseTensor([[0, 0], [0, 2], [1, 1]], [1, 2, 3], [2, 3])
    >>> tf.sparse.reduce_sum(st, axis=1).numpy().tolist()
    [3, 3]
    """
    return _reduce(_SUM, _SUM_SPARSE, sp_input, axis, keepdims, output_is_sparse, name)


def reduce_max(sp_input, axis=None, keepdims=None, output_is_sparse=False, name=None):
    """The maximum of a SparseTensor's stored entries over `axis` (0 where none is stored).

    >>> st = tf.SparseTensor([[0, 0], [0, 2]], [-1, -3], [2, 3])
    >>> tf.sparse.reduce_max(st, axis=1).numpy().tolist()
    [-1, 0]
    """
    return _reduce(_MAX, _MAX_SPARSE, sp_input, axis, keepdims, output_is_sparse, name)


# -- SparseConcat -------------------------------------------------------------------------


def _concat_kernel(*args, concat_dim=0, N=None):
    n = len(args) // 3
    inds, vals, shapes = args[:n], args[n : 2 * n], args[2 * n :]
    shapes = [np.asarray(s, _I64) for s in shapes]
    rank = shapes[0].size
    if not -rank <= concat_dim < rank:
        raise _err(f"Concat dimension must be in range [{-rank}, {rank}), got {concat_dim}",
                   "SparseConcat")  # fmt: skip
    d = concat_dim % rank
    for i, s in enumerate(shapes[1:], 1):
        if s.size != rank:
            raise _err(f"Ranks of all input tensors must match: expected {rank} but got "
                       f"{s.size} at position {i}", "SparseConcat")  # fmt: skip
        for j in range(rank):
            if j != d and s[j] != shapes[0][j]:
                raise _err(
                    f"Input shapes must match: expected {shapes[0][j]} for dimension {j} but got "
                    f"{s[j]} at position {i}",
                    "SparseConcat",
                )
    offsets = np.concatenate([[0], np.cumsum([s[d] for s in shapes])])
    parts = []
    for k, ind in enumerate(inds):
        ind = np.asarray(ind, _I64).copy()
        ind[:, d] += offsets[k]
        parts.append(ind)
    idx = np.concatenate(parts) if parts else np.zeros((0, rank), _I64)
    v = np.concatenate([np.asarray(x) for x in vals])
    out_shape = shapes[0].copy()
    out_shape[d] = offsets[-1]
    # row-major order (TF's output is in standard order when its inputs are)
    keys = tuple(idx[:, j] for j in reversed(range(rank)))
    order = np.lexsort(keys) if idx.shape[0] else np.zeros(0, np.intp)
    return [idx[order], v[order], out_shape]


def _concat_infer(inputs, attrs):
    n = attrs["N"]
    return _sparse_outputs(inputs[n].dtype, _rank_of(inputs[0], inputs[2 * n]))


_CONCAT = defop("SparseConcat", ("*indices", "*values", "*shapes"), _concat_kernel,
                attrs={"concat_dim": None, "N": None, "T": None}, infer=_concat_infer,
                num_outputs=3, list_attr="N", differentiable=False)  # fmt: skip


def concat(axis, sp_inputs, expand_nonconcat_dims=False, name=None):
    """Concatenates SparseTensors along `axis`.

    With `expand_nonconcat_dims`, the other dimensions grow to the largest input's.

    >>> a = tf.SparseTensor([[0, 0]], [1], [1, 2])
    >>> tf.sparse.concat(1, [a, a]).dense_shape.numpy().tolist()
    [1, 4]
    """
    if isinstance(axis, (list, tuple)) and not isinstance(sp_inputs, (list, tuple)):
        axis, sp_inputs = sp_inputs, axis
    sps = [_as_sparse(s) for s in sp_inputs]
    if not sps:
        raise ValueError("sp_inputs must not be empty")
    axis = int(static_value(axis)) if is_tensorlike(axis) else int(axis)
    shapes = [s.dense_shape for s in sps]
    if expand_nonconcat_dims:
        from arroyo.ops.array_ops import stack
        from arroyo.ops.reduction_ops import reduce_max as _rmax

        rank = sps[0].shape.rank
        d = axis % rank
        mx = _rmax(stack(shapes), axis=0)
        mask = np.array([1 if j == d else 0 for j in range(rank)], _I64)
        shapes = [s * mask + mx * (1 - mask) for s in shapes]
    inputs = [s.indices for s in sps] + [s.values for s in sps] + shapes
    i, v, s = execute(_CONCAT, tuple(inputs), {"concat_dim": axis, "N": len(sps)}, name)
    return SparseTensor._from_parts(i, v, s)


# -- SparseSlice --------------------------------------------------------------------------


def _slice_kernel(indices, values, shape, start, size):
    idx = np.asarray(indices, _I64)
    shape = np.asarray(shape, _I64)
    start = np.asarray(start, _I64)
    size = np.asarray(size, _I64)
    if start.size != shape.size or size.size != shape.size:
        raise _err(f"Expected start to be a vector of length {shape.size} but got length "
                   f"{start.size}", "SparseSlice")  # fmt: skip
    end = np.minimum(start + size, shape)
    keep = ((idx >= start) & (idx < end)).all(axis=1)
    out_shape = np.maximum(np.minimum(start + size, shape) - start, 0)
    return [idx[keep] - start, np.asarray(values)[keep], out_shape]


def _slice_infer(inputs, attrs):
    return _sparse_outputs(inputs[1].dtype, _rank_of(inputs[0], inputs[2]))


def _slice_grad(op, gi, gv, gs):
    vg = execute(_SLICE_GRAD, (gv, op.inputs[0], op.inputs[3], op.outputs[0]), {})
    return None, vg, None, None, None


_SLICE = defop("SparseSlice", ("indices", "values", "shape", "start", "size"), _slice_kernel,
               attrs={"T": None}, infer=_slice_infer, grad=_slice_grad, num_outputs=3)  # fmt: skip


def _slice_grad_kernel(backprop_val_grad, input_indices, input_start, output_indices):
    ii = np.asarray(input_indices, _I64)
    oi = np.asarray(output_indices, _I64) + np.asarray(input_start, _I64)
    g = np.asarray(backprop_val_grad)
    out = np.zeros(ii.shape[0], g.dtype)
    if oi.shape[0] and ii.shape[0]:
        shape = np.maximum(ii.max(axis=0), oi.max(axis=0)) + 1
        li, lo = _linear(ii, shape), _linear(oi, shape)
        order = np.argsort(li, kind="stable")
        pos = order[np.searchsorted(li[order], lo)]
        out[pos] = g
    return out


_SLICE_GRAD = defop(
    "SparseSliceGrad", ("backprop_val_grad", "input_indices", "input_start", "output_indices"),
    _slice_grad_kernel, attrs={"T": None},
    infer=lambda inputs, attrs: [(inputs[0].dtype, TensorShape([inputs[1].shape[0]
                                                                 if inputs[1].shape.rank else None]))],
    differentiable=False,
)  # fmt: skip


def slice(sp_input, start, size, name=None):  # noqa: A001 - TF's public name
    """The entries of a SparseTensor inside the box `[start, start + size)`, re-based.

    >>> st = tf.sparse.from_dense([[1, 0, 2], [0, 3, 0]])
    >>> tf.sparse.to_dense(tf.sparse.slice(st, [0, 1], [2, 2])).numpy().tolist()
    [[0, 2], [3, 0]]
    """
    sp = _as_sparse(sp_input)
    start = convert_to_tensor(start, dtype=_i64) if not is_tensorlike(start) else start
    size = convert_to_tensor(size, dtype=_i64) if not is_tensorlike(size) else size
    i, v, s = execute(_SLICE, (sp.indices, sp.values, sp.dense_shape, start, size), {}, name)
    return SparseTensor._from_parts(i, v, s)


# -- SparseSoftmax ------------------------------------------------------------------------


def _softmax_kernel(sp_indices, sp_values, sp_shape):
    idx = np.asarray(sp_indices, _I64)
    vals = np.asarray(sp_values)
    shape = np.asarray(sp_shape, _I64)
    if shape.size < 2:
        raise _err(f"Input should have rank >= 2, but received shape: {_idx_str(shape)}",
                   "SparseSoftmax")  # fmt: skip
    if vals.size == 0:
        return vals.copy()
    lead = _linear(idx[:, :-1], shape[:-1])
    uniq, inv = np.unique(lead, return_inverse=True)
    mx = np.full(uniq.shape, -np.inf, vals.dtype)
    np.maximum.at(mx, inv, vals)
    e = np.exp(vals - mx[inv])
    s = np.zeros(uniq.shape, vals.dtype)
    np.add.at(s, inv, e)
    return (e / s[inv]).astype(vals.dtype)


def _softmax_grad(op, g):
    from arroyo.ops.gather_ops import gather_nd
    from arroyo.ops.math_ops import multiply, subtract

    indices, _, shape = op.inputs
    y = op.outputs[0]
    rank = _shape_of(shape).rank
    gy = multiply(g, y)
    # per-row sums of g*y, read back at every entry of the row
    row_sums = execute(_SUM, (indices, gy, shape, convert_to_tensor([rank - 1], dtypes.int32)),
                       {"keep_dims": False})  # fmt: skip
    back = gather_nd(row_sums, indices[:, :-1])
    return None, multiply(subtract(g, back), y), None


_SOFTMAX = defop("SparseSoftmax", ("sp_indices", "sp_values", "sp_shape"), _softmax_kernel,
                 attrs={"T": None}, infer=lambda inputs, attrs: [(inputs[1].dtype,
                                                                   inputs[1].shape)],
                 grad=_softmax_grad)  # fmt: skip


def softmax(sp_input, name=None):
    """Softmax over the last dimension, among each row's stored entries only.

    >>> st = tf.SparseTensor([[0, 0], [0, 2]], [1.0, 1.0], [1, 3])
    >>> tf.sparse.softmax(st).values.numpy().tolist()
    [0.5, 0.5]
    """
    sp = _as_sparse(sp_input)
    v = execute(_SOFTMAX, (sp.indices, sp.values, sp.dense_shape), {}, name)
    return SparseTensor._from_parts(sp.indices, v, sp.dense_shape, sp._shape)


# -- SparseFillEmptyRows ------------------------------------------------------------------


def _fill_kernel(indices, values, dense_shape, default_value):
    idx = np.asarray(indices, _I64)
    vals = np.asarray(values)
    shape = np.asarray(dense_shape, _I64)
    if np.ndim(default_value):
        raise _err("default_value must be a scalar", "SparseFillEmptyRows")
    n_rows = int(shape[0]) if shape.size else 0
    if idx.shape[0]:
        bad = np.nonzero((idx[:, 0] < 0) | (idx[:, 0] >= n_rows))[0]
        if bad.size:
            i = int(bad[0])
            raise _err(f"indices({i}, 0) is invalid: {idx[i, 0]} >= {n_rows}"
                       if idx[i, 0] >= 0 else f"indices({i}, 0) is invalid: {idx[i, 0]} < 0",
                       "SparseFillEmptyRows")  # fmt: skip
    counts = np.bincount(idx[:, 0], minlength=n_rows) if idx.shape[0] else np.zeros(n_rows, int)
    empty = counts == 0
    empty_rows = np.nonzero(empty)[0]
    fill_idx = np.zeros((empty_rows.size, shape.size), _I64)
    fill_idx[:, 0] = empty_rows
    all_idx = np.concatenate([idx, fill_idx])
    all_vals = np.concatenate([vals, np.full(empty_rows.size, default_value, vals.dtype)])
    # rows in order, each row's entries kept in their input order (TF's stable layout)
    order = np.argsort(all_idx[:, 0], kind="stable")
    out_idx, out_vals = all_idx[order], all_vals[order]
    reverse = np.empty(idx.shape[0], _I64)
    pos = np.empty(order.size, _I64)
    pos[order] = np.arange(order.size)
    reverse[:] = pos[: idx.shape[0]]
    return [out_idx, out_vals, empty, reverse]


def _fill_infer(inputs, attrs):
    idx, v, s = inputs[:3]
    sv = static_value(s)
    rows = int(np.ravel(sv)[0]) if sv is not None and np.size(sv) else None
    r = _rank_of(idx, s)
    return [(_i64, TensorShape([None, r])), (v.dtype, TensorShape([None])),
            (dtypes.bool, TensorShape([rows])), (_i64, TensorShape([idx.shape[0]
                                                                     if idx.shape.rank else None]))]  # fmt: skip


def _fill_grad(op, gi, gv, ge, gr):
    dv, dd = execute(_FILL_GRAD, (op.outputs[3], gv), {})
    return None, dv, None, dd


_FILL = defop("SparseFillEmptyRows", ("indices", "values", "dense_shape", "default_value"),
              _fill_kernel, attrs={"T": None}, infer=_fill_infer, grad=_fill_grad,
              num_outputs=4)  # fmt: skip


def _fill_grad_kernel(reverse_index_map, grad_values):
    r = np.asarray(reverse_index_map, _I64)
    g = np.asarray(grad_values)
    d_values = g[r]
    mask = np.ones(g.shape[0], bool)
    mask[r] = False
    return [d_values, g[mask].sum(dtype=g.dtype)]


_FILL_GRAD = defop(
    "SparseFillEmptyRowsGrad", ("reverse_index_map", "grad_values"), _fill_grad_kernel,
    attrs={"T": None},
    infer=lambda inputs, attrs: [(inputs[1].dtype, inputs[0].shape),
                                 (inputs[1].dtype, TensorShape([]))],
    num_outputs=2, differentiable=False,
)  # fmt: skip


def fill_empty_rows(sp_input, default_value, name=None):
    """Adds `default_value` at column 0 of every row that has no entry.

    Returns `(sp_output, empty_row_indicator)`.

    >>> st = tf.SparseTensor([[1, 0]], [5], [2, 2])
    >>> out, empty = tf.sparse.fill_empty_rows(st, -1)
    >>> out.values.numpy().tolist(), empty.numpy().tolist()
    ([-1, 5], [True, False])
    """
    sp = _as_sparse(sp_input)
    d = convert_to_tensor(default_value, dtype=sp.dtype) if not is_tensorlike(default_value) \
        else default_value  # fmt: skip
    i, v, e, _ = execute(_FILL, (sp.indices, sp.values, sp.dense_shape, d), {}, name)
    return SparseTensor._from_parts(i, v, sp.dense_shape, sp._shape), e


# -- SparseSplit --------------------------------------------------------------------------


def _split_kernel(split_dim, indices, values, shape, num_split=1):
    idx = np.asarray(indices, _I64)
    vals = np.asarray(values)
    shape = np.asarray(shape, _I64)
    rank = shape.size
    d = int(split_dim)
    if not -rank <= d < rank:
        raise _err(f"Input split_dim should be between {-rank} and {rank}, got {d}",
                   "SparseSplit")  # fmt: skip
    d %= rank
    n = shape[d]
    if num_split > n:
        raise _err(f"Input num_split should be between 1 and {n}, got {num_split}", "SparseSplit")
    base, extra = divmod(int(n), num_split)
    sizes = [base + 1 if k < extra else base for k in range(num_split)]
    starts = np.concatenate([[0], np.cumsum(sizes)])
    out_i, out_v, out_s = [], [], []
    for k in range(num_split):
        keep = (idx[:, d] >= starts[k]) & (idx[:, d] < starts[k + 1])
        ii = idx[keep].copy()
        ii[:, d] -= starts[k]
        s = shape.copy()
        s[d] = sizes[k]
        out_i.append(ii)
        out_v.append(vals[keep])
        out_s.append(s)
    return out_i + out_v + out_s


def _split_infer(inputs, attrs):
    n = attrs["num_split"]
    _, idx, v, s = inputs
    r = _rank_of(idx, s)
    return ([(_i64, TensorShape([None, r]))] * n + [(v.dtype, TensorShape([None]))] * n
            + [(_i64, TensorShape([r]))] * n)  # fmt: skip


_SPLIT = defop("SparseSplit", ("split_dim", "indices", "values", "shape"), _split_kernel,
               attrs={"num_split": None, "T": None}, infer=_split_infer,
               num_outputs=lambda attrs: 3 * attrs["num_split"], differentiable=False)  # fmt: skip


def split(sp_input=None, num_split=None, axis=None, name=None):
    """Splits a SparseTensor into `num_split` along `axis` (the first parts one larger).

    >>> st = tf.sparse.from_dense([[1, 0, 2, 3]])
    >>> [tf.sparse.to_dense(p).numpy().tolist() for p in tf.sparse.split(st, 2, axis=1)]
    [[[1, 0]], [[2, 3]]]
    """
    if sp_input is None:
        raise ValueError("sp_input is required")
    if num_split is None:
        raise ValueError("num_split is required")
    if axis is None:
        raise ValueError("axis is required")
    sp = _as_sparse(sp_input)
    axis_t = convert_to_tensor(axis, dtype=_i64) if not is_tensorlike(axis) else axis
    n = int(num_split)
    outs = execute(_SPLIT, (axis_t, sp.indices, sp.values, sp.dense_shape), {"num_split": n}, name)
    return [SparseTensor._from_parts(outs[k], outs[n + k], outs[2 * n + k]) for k in range(n)]


# -- SparseSparseMaximum / Minimum ---------------------------------------------------------


def _sparse_sparse_kernel(np_fn, op):
    def kernel(a_indices, a_values, a_shape, b_indices, b_values, b_shape):
        if not np.array_equal(a_shape, b_shape):
            raise _err(f"Operands' shapes do not match: got {_idx_str(a_shape)} and "
                       f"{_idx_str(b_shape)} for elementwise op", op)  # fmt: skip
        ai, bi = np.asarray(a_indices, _I64), np.asarray(b_indices, _I64)
        av, bv = np.asarray(a_values), np.asarray(b_values)
        la, lb = _linear(ai, a_shape), _linear(bi, a_shape)
        union, first = np.unique(np.concatenate([la, lb]), return_index=True)
        idx = np.concatenate([ai, bi])[first]
        full_a = np.zeros(union.size, av.dtype)
        full_b = np.zeros(union.size, av.dtype)
        full_a[np.searchsorted(union, la)] = av
        full_b[np.searchsorted(union, lb)] = bv
        return [idx.reshape(-1, ai.shape[1]), np_fn(full_a, full_b)]

    return kernel


def _sparse_sparse_infer(inputs, attrs):
    return _sparse_outputs(inputs[1].dtype, _rank_of(inputs[0], inputs[2]))[:2]


_SMAX = defop(
    "SparseSparseMaximum", ("a_indices", "a_values", "a_shape", "b_indices", "b_values", "b_shape"),
    _sparse_sparse_kernel(np.maximum, "SparseSparseMaximum"), attrs={"T": None},
    infer=_sparse_sparse_infer, num_outputs=2, differentiable=False,
)  # fmt: skip
_SMIN = defop(
    "SparseSparseMinimum", ("a_indices", "a_values", "a_shape", "b_indices", "b_values", "b_shape"),
    _sparse_sparse_kernel(np.minimum, "SparseSparseMinimum"), attrs={"T": None},
    infer=_sparse_sparse_infer, num_outputs=2, differentiable=False,
)  # fmt: skip


def _sparse_sparse(op, a, b, name):
    a, b = _as_sparse(a), _as_sparse(b)
    i, v = execute(op, (a.indices, a.values, a.dense_shape, b.indices, b.values, b.dense_shape),
                   {}, name)  # fmt: skip
    return SparseTensor._from_parts(i, v, a.dense_shape, a._shape)


def maximum(sp_a, sp_b, name=None):
    """Elementwise maximum of two SparseTensors (missing entries count as 0).

    >>> a = tf.SparseTensor([[0]], [-1], [2]); b = tf.SparseTensor([[1]], [3], [2])
    >>> tf.sparse.to_dense(tf.sparse.maximum(a, b)).numpy().tolist()
    [0, 3]
    """
    return _sparse_sparse(_SMAX, sp_a, sp_b, name)


def minimum(sp_a, sp_b, name=None):
    """Elementwise minimum of two SparseTensors (missing entries count as 0)."""
    return _sparse_sparse(_SMIN, sp_a, sp_b, name)


# -- SparseDenseCwise{Mul,Div,Add} ---------------------------------------------------------


def _cwise_kernel(np_fn, op):
    def kernel(sp_indices, sp_values, sp_shape, dense):
        shape = np.asarray(sp_shape, _I64)
        dense = np.asarray(dense)
        try:
            if dense.ndim > shape.size:
                raise ValueError
            full = np.broadcast_to(dense, tuple(shape.tolist()))
        except ValueError:
            raise _err(
                f"SparseDenseBinaryOpShared broadcasts dense to sparse only; got incompatible "
                f"shapes: {_idx_str(shape)} vs. {_idx_str(dense.shape)}",
                op,
            ) from None
        idx = np.asarray(sp_indices, _I64)
        return np_fn(np.asarray(sp_values), full[tuple(idx.T)] if idx.shape[0] else
                     np.zeros(0, dense.dtype))  # fmt: skip

    return kernel


def _cwise_dense_grad(op, contrib):
    """Gradient of the dense operand: contributions scattered and summed to its shape."""
    from arroyo.ops.array_ops import reshape as _reshape
    from arroyo.ops.array_ops import shape as _shape
    from arroyo.ops.reduction_ops import reduce_sum as _rsum
    from arroyo.ops.scatter_ops import scatter_nd

    indices, _, sp_shape, dense = op.inputs
    full = scatter_nd(indices, contrib, sp_shape)
    rank = _shape_of(sp_shape).rank
    dr = dense.shape.rank
    if rank is None or dr is None or not dense.shape.is_fully_defined():
        raise NotImplementedError("gradient of a sparse-dense op needs static shapes")
    dims = [1] * (rank - dr) + dense.shape.as_list()
    axes = [j for j in range(rank) if dims[j] == 1]
    s = _rsum(full, axis=axes, keepdims=True) if axes else full
    from arroyo.ops.math_ops import cast

    return _reshape(cast(s, dense.dtype) if s.dtype is not dense.dtype else s, _shape(dense))


def _cwise_mul_grad(op, g):
    from arroyo.ops.math_ops import multiply

    indices, values, _, dense = op.inputs
    d_at = _dense_at(dense, op.inputs[2], indices)
    return None, multiply(g, d_at), None, _cwise_dense_grad(op, multiply(g, values))


def _dense_at(dense, sp_shape, indices):
    from arroyo.ops.array_ops import broadcast_to
    from arroyo.ops.gather_ops import gather_nd

    return gather_nd(broadcast_to(dense, sp_shape), indices)


def _cwise_div_grad(op, g):
    from arroyo.ops.math_ops import divide, multiply, negative

    indices, values, _, dense = op.inputs
    d_at = _dense_at(dense, op.inputs[2], indices)
    gd = negative(divide(multiply(g, values), multiply(d_at, d_at)))
    return None, divide(g, d_at), None, _cwise_dense_grad(op, gd)


def _cwise_infer(inputs, attrs):
    return [(inputs[1].dtype, inputs[1].shape)]


_CWISE_MUL = defop("SparseDenseCwiseMul", ("sp_indices", "sp_values", "sp_shape", "dense"),
                   _cwise_kernel(np.multiply, "SparseDenseCwiseMul"), attrs={"T": None},
                   infer=_cwise_infer, grad=_cwise_mul_grad)  # fmt: skip
_CWISE_DIV = defop("SparseDenseCwiseDiv", ("sp_indices", "sp_values", "sp_shape", "dense"),
                   _cwise_kernel(lambda a, b: a / b if a.dtype.kind in "fc" else
                                 np.floor_divide(a, b), "SparseDenseCwiseDiv"), attrs={"T": None},
                   infer=_cwise_infer, grad=_cwise_div_grad)  # fmt: skip


_CWISE_ADD = defop("SparseDenseCwiseAdd", ("sp_indices", "sp_values", "sp_shape", "dense"),
                   _cwise_kernel(np.add, "SparseDenseCwiseAdd"), attrs={"T": None},
                   infer=_cwise_infer, differentiable=False)  # fmt: skip


def _cwise(op, sp, dense, name=None):
    dense = to_tensor(dense) if is_tensorlike(dense) else convert_to_tensor(dense, dtype=sp.dtype)
    if dense.dtype is not sp.dtype:
        raise InvalidArgumentError(
            None, None,
            f"cannot compute {op.name} as input #3(zero-based) was expected to be a "
            f"{sp.dtype.name} tensor but is a {dense.dtype.name} tensor [Op:{op.name}]",
        )  # fmt: skip
    return execute(op, (sp.indices, sp.values, sp.dense_shape, dense), {}, name)


def sparse_dense_cwise_mul(sp, dense, name=None):
    """`sp * dense`: a SparseTensor (the dense side broadcasts to the sparse shape)."""
    v = _cwise(_CWISE_MUL, sp, dense, name)
    return SparseTensor._from_parts(sp.indices, v, sp.dense_shape, sp._shape)


def sparse_dense_cwise_div(sp, dense, name=None):
    """`sp / dense`: a SparseTensor (the dense side broadcasts to the sparse shape)."""
    v = _cwise(_CWISE_DIV, sp, dense, name)
    return SparseTensor._from_parts(sp.indices, v, sp.dense_shape, sp._shape)


def sparse_dense_cwise_add(sp, dense, name=None):
    """The SparseTensor of `sp`'s entries plus `dense` (broadcast) at their positions."""
    v = _cwise(_CWISE_ADD, sp, dense, name)
    return SparseTensor._from_parts(sp.indices, v, sp.dense_shape, sp._shape)


# -- composed ops (public ops only) ------------------------------------------------------


def retain(sp_input, to_retain):
    """Keeps the entries where the boolean vector `to_retain` is True.

    >>> st = tf.SparseTensor([[0, 0], [1, 1]], [1, 2], [2, 2])
    >>> tf.sparse.retain(st, [False, True]).values.numpy().tolist()
    [2]
    """
    from arroyo.ops.array_ops import gather, where
    from arroyo.ops.array_ops import reshape as _reshape

    sp = _as_sparse(sp_input)
    keep = convert_to_tensor(to_retain, dtype=dtypes.bool) if not is_tensorlike(to_retain) \
        else to_retain  # fmt: skip
    keep.shape.with_rank(1)
    n = sp.values.shape[0]
    if n is not None and keep.shape[0] is not None and n != keep.shape[0]:
        raise ValueError(f"Shapes ({n},) and ({keep.shape[0]},) are incompatible")
    where_true = _reshape(where(keep), [-1])
    return SparseTensor._from_parts(gather(sp.indices, where_true), gather(sp.values, where_true),
                                    sp.dense_shape, sp._shape)  # fmt: skip


def transpose(sp_input, perm=None, name=None):
    """Transposes a SparseTensor (reverses the dimensions by default), reordered.

    >>> st = tf.SparseTensor([[0, 1]], [5], [2, 3])
    >>> tf.sparse.transpose(st).indices.numpy().tolist()
    [[1, 0]]
    """
    from arroyo.ops.array_ops import gather

    sp = _as_sparse(sp_input)
    rank = sp.shape.rank
    if perm is None:
        if rank is None:
            raise ValueError("tf.sparse.transpose needs a known rank")
        perm = list(range(rank - 1, -1, -1))
    perm_t = convert_to_tensor(perm, dtype=dtypes.int32) if not is_tensorlike(perm) else perm
    indices = gather(sp.indices, perm_t, axis=1)
    shape = gather(sp.dense_shape, perm_t)
    known = None
    pv = static_value(perm_t)
    if pv is not None and sp.shape.is_fully_defined():
        known = TensorShape([sp.shape.as_list()[int(p)] for p in np.ravel(pv)])
    i, v = execute(_REORDER, (indices, sp.values, shape), {}, name)
    return SparseTensor._from_parts(i, v, shape, known)


def expand_dims(sp_input, axis=None, name=None):
    """Inserts a dimension of size 1 at `axis` (negative counts from the end).

    >>> st = tf.SparseTensor([[1]], [5], [3])
    >>> tf.sparse.expand_dims(st, 0).dense_shape.numpy().tolist()
    [1, 3]
    """
    from arroyo.ops.array_ops import concat as _concat
    from arroyo.ops.array_ops import zeros

    sp = _as_sparse(sp_input)
    rank = sp.shape.rank
    axis = 0 if axis is None else int(static_value(axis) if is_tensorlike(axis) else axis)
    if rank is None:
        raise ValueError("tf.sparse.expand_dims needs a known rank")
    if not -rank - 1 <= axis <= rank:
        raise ValueError(f"axis {axis} is out of range for a rank-{rank} SparseTensor")
    a = axis % (rank + 1)
    n = sp.indices.shape[0]
    from arroyo.ops.array_ops import shape as _shape

    col = zeros([n, 1], _i64) if n is not None else zeros(
        _concat([_shape(sp.indices)[0:1], [1]], 0), _i64)  # fmt: skip
    indices = _concat([sp.indices[:, :a], col, sp.indices[:, a:]], axis=1)
    one = convert_to_tensor([1], dtype=_i64)
    shape = _concat([sp.dense_shape[:a], one, sp.dense_shape[a:]], axis=0)
    known = None
    if sp.shape.is_fully_defined():
        d = sp.shape.as_list()
        known = TensorShape(d[:a] + [1] + d[a:])
    return SparseTensor._from_parts(indices, sp.values, shape, known)


def to_indicator(sp_input, vocab_size, name=None):
    """A dense bool tensor [..., vocab_size]: True at each row's stored (integer) values.

    >>> st = tf.SparseTensor([[0, 0], [0, 1], [1, 0]], [0, 3, 1], [2, 2])
    >>> tf.sparse.to_indicator(st, 4).numpy().astype(int).tolist()
    [[1, 0, 0, 1], [0, 1, 0, 0]]
    """
    from arroyo.ops.array_ops import concat as _concat
    from arroyo.ops.array_ops import expand_dims as _ed
    from arroyo.ops.math_ops import cast

    sp = _as_sparse(sp_input)
    if not sp.dtype.is_integer:
        raise TypeError(f"sp_input.values must be an integer tensor, got {sp.dtype.name}")
    vals = cast(sp.values, _i64) if sp.dtype is not _i64 else sp.values
    indices = _concat([sp.indices[:, :-1], _ed(vals, 1)], axis=1)
    vs = convert_to_tensor(vocab_size, dtype=_i64) if not is_tensorlike(vocab_size) else \
        cast(vocab_size, _i64)  # fmt: skip
    shape = _concat([sp.dense_shape[:-1], _ed(vs, 0)], axis=0)
    from arroyo.ops.array_ops import ones_like

    ones = ones_like(vals, dtype=dtypes.bool)
    i, v = execute(_REORDER, (indices, ones, shape), {})
    return execute(_SPARSE_TO_DENSE, (i, shape, v, convert_to_tensor(False)),
                   {"validate_indices": False}, name)  # fmt: skip


def eye(num_rows, num_columns=None, dtype=dtypes.float32, name=None):
    """A sparse identity matrix [num_rows, num_columns].

    >>> tf.sparse.to_dense(tf.sparse.eye(2, 3)).numpy().tolist()
    [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]
    """
    from arroyo.ops.array_ops import ones, stack
    from arroyo.ops.creation_ops import range as _range
    from arroyo.ops.math_ops import cast
    from arroyo.ops.math_ops import minimum as _min

    dtype = dtypes.as_dtype(dtype)
    rows = cast(to_tensor(num_rows), _i64) if is_tensorlike(num_rows) else \
        convert_to_tensor(num_rows, dtype=_i64)  # fmt: skip
    if num_columns is None:
        cols = rows
    else:
        cols = cast(to_tensor(num_columns), _i64) if is_tensorlike(num_columns) else \
            convert_to_tensor(num_columns, dtype=_i64)  # fmt: skip
    diag = _range(_min(rows, cols), dtype=_i64)
    indices = stack([diag, diag], axis=1)
    values = ones(stack([_min(rows, cols)]), dtype=dtype)
    return SparseTensor._from_parts(indices, values, stack([rows, cols]))


def map_values(op, *args, **kwargs):
    """Applies `op` to the `.values` of the SparseTensor arguments (same indices required).

    >>> st = tf.SparseTensor([[0]], [2], [3])
    >>> tf.sparse.map_values(tf.multiply, st, 5).values.numpy().tolist()
    [10]
    """
    found = []

    def swap(x):
        if isinstance(x, SparseTensor):
            found.append(x)
            return x.values
        return x

    new_args = [swap(a) for a in args]
    new_kwargs = {k: swap(v) for k, v in kwargs.items()}
    if not found:
        raise ValueError("No SparseTensor in argument list of map_values")
    first = found[0]
    for other in found[1:]:
        a, b = static_value(first.indices), static_value(other.indices)
        if a is not None and b is not None and not np.array_equal(a, b):
            raise InvalidArgumentError(None, None, "Inputs must have identical indices.")
    return SparseTensor._from_parts(first.indices, op(*new_args, **new_kwargs),
                                    first.dense_shape, first._shape)  # fmt: skip


def reset_shape(sp_input, new_shape=None):
    """The same entries with a new (not smaller) dense shape, or the tightest one.

    >>> st = tf.SparseTensor([[0, 1]], [1], [5, 5])
    >>> tf.sparse.reset_shape(st).dense_shape.numpy().tolist()
    [1, 2]
    """
    from arroyo.ops.math_ops import add as _add
    from arroyo.ops.reduction_ops import reduce_max as _rmax

    sp = _as_sparse(sp_input)
    if new_shape is None:
        shape = _add(_rmax(sp.indices, axis=0), 1)
    else:
        shape = convert_to_tensor(new_shape, dtype=_i64) if not is_tensorlike(new_shape) else \
            new_shape  # fmt: skip
        nv, ov = static_value(shape), static_value(sp.dense_shape)
        if nv is not None and ov is not None and np.any(np.asarray(nv) < np.asarray(ov)):
            raise ValueError("Requested new_shape should have dimension sizes >= sp_input.shape")
    return SparseTensor._from_parts(sp.indices, sp.values, shape)


# -- elementwise dispatch (tf.abs(st), tf.math.negative(st), ...) --------------------------


def dispatch_unary(fn, x):
    """`fn` applied to the values of SparseTensor `x` (TF's unary elementwise dispatch)."""
    return SparseTensor._from_parts(x.indices, fn(x.values), x.dense_shape, x._shape)


SparseTensor._dispatch_unary = staticmethod(dispatch_unary)

TF_API = {
    "tf.sparse": [
        "to_dense", "from_dense", "reorder", "reshape", "add", "sparse_dense_matmul",
        "reduce_sum", "reduce_max", "concat", "slice", "retain", "fill_empty_rows", "transpose",
        "expand_dims", "split", "maximum", "minimum", "softmax", "to_indicator", "eye",
        "map_values", "reset_shape",
    ],
}  # fmt: skip
