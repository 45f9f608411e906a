"""Table rows for the sparse ops (arroyo/sparse/sparse_ops.py).

SparseTensors are built inside each row from constant components; rows that return a
SparseTensor are compared densified (the harness calls `to_dense`). Gradients are taken
with respect to the float inputs (the values, and dense operands).
"""

import numpy as np

from tests.harness import Case

R = np.random.default_rng(7)
# a 3x4 sparse matrix in canonical order, and one out of order
IDX = np.array([[0, 1], [1, 0], [1, 3], [2, 2]], np.int64)
VAL = np.array([1.5, -2.0, 3.0, 0.5], np.float32)
IDX_UNORDERED = np.array([[2, 2], [0, 1], [1, 3], [1, 0]], np.int64)
IDX_B = np.array([[0, 1], [1, 1], [2, 0]], np.int64)
VAL_B = np.array([0.25, 4.0, -1.0], np.float32)
DENSE34 = R.normal(size=(3, 4)).astype(np.float32)
DENSE42 = R.normal(size=(4, 2)).astype(np.float32)
DENSE32 = R.normal(size=(3, 2)).astype(np.float32)
ROW4 = R.uniform(0.5, 2.0, size=(4,)).astype(np.float32)
POS34 = R.uniform(0.5, 2.0, size=(3, 4)).astype(np.float32)
IDX3 = np.array([[0, 0, 1], [0, 2, 0], [1, 1, 1], [1, 2, 1]], np.int64)
VAL3 = np.array([1.0, 2.0, 3.0, 4.0], np.float32)


def _dense(idx, val, shape, default=0):
    out = np.full(shape, default, val.dtype)
    out[tuple(idx.T)] = val
    return out


def _d(tf, out):
    """Densifies the SparseTensors among a row's outputs (TF's SparseTensor has no numpy)."""
    outs = out if isinstance(out, (list, tuple)) else [out]
    dense = [tf.sparse.to_dense(o) if isinstance(o, tf.SparseTensor) else o for o in outs]
    return dense if isinstance(out, (list, tuple)) else dense[0]


def _st(tf, i, v, shape=(3, 4)):
    return tf.SparseTensor(i, v, list(shape))


def _spmm_ref(adj_a, adj_b):
    def ref(i, v, b):
        a = _dense(i, v, (3, 4) if not adj_a else (4, 3))
        a = a.T if adj_a else a
        return a @ (b.T if adj_b else b)

    return ref


def _reduce_ref(np_fn, axis, keepdims=False, empty=0.0):
    def ref(i, v):
        dense = _dense(i, v, (3, 4))
        present = _dense(i, np.ones_like(v, bool), (3, 4))
        if np_fn is np.sum:
            return np.sum(dense, axis=axis, keepdims=keepdims)
        masked = np.where(present, dense, -np.inf)
        out = np.max(masked, axis=axis, keepdims=keepdims)
        return np.where(np.isinf(out), empty, out).astype(v.dtype)

    return ref


def _softmax_ref(i, v):
    out = np.zeros_like(v)
    for r in np.unique(i[:, 0]):
        m = i[:, 0] == r
        e = np.exp(v[m] - v[m].max())
        out[m] = e / e.sum()
    return out


CASES = [
    Case(
        "sparse_to_dense",
        lambda tf, i, v: tf.sparse.to_dense(_st(tf, i, v)),
        [IDX, VAL],
        ops=("SparseToDense",),
        ref=lambda i, v: _dense(i, v, (3, 4)),
        grad=True,
    ),
    Case(
        "sparse_to_dense_default",
        lambda tf, i, v: tf.sparse.to_dense(_st(tf, i, v), default_value=7.0),
        [IDX, VAL],
        ops=("SparseToDense",),
        ref=lambda i, v: _dense(i, v, (3, 4), 7.0),
        grad=True,
    ),
    Case(
        "sparse_to_dense_unvalidated",
        lambda tf, i, v: tf.sparse.to_dense(_st(tf, i, v), validate_indices=False),
        [IDX_UNORDERED, VAL],
        ops=("SparseToDense",),
        ref=lambda i, v: _dense(i, v, (3, 4)),
    ),
    Case(
        "sparse_reorder",
        lambda tf, i, v: [
            tf.sparse.reorder(_st(tf, i, v)).indices,
            tf.sparse.reorder(_st(tf, i, v)).values,
        ],  # fmt: skip
        [IDX_UNORDERED, VAL],
        ops=("SparseReorder",),
        ref=lambda i, v: [i[np.lexsort(i.T[::-1])], v[np.lexsort(i.T[::-1])]],
        grad=True,
    ),
    Case(
        "sparse_reshape",
        lambda tf, i, v: _d(tf, tf.sparse.reshape(_st(tf, i, v), [2, -1, 2])),
        [IDX, VAL],
        ops=("SparseReshape",),
        ref=lambda i, v: _dense(i, v, (3, 4)).reshape(2, 3, 2),
    ),
    Case(
        "sparse_add",
        lambda tf, i, v, j, w: _d(tf, tf.sparse.add(_st(tf, i, v), _st(tf, j, w))),
        [IDX, VAL, IDX_B, VAL_B],
        ops=("SparseAdd",),
        ref=lambda i, v, j, w: _dense(i, v, (3, 4)) + _dense(j, w, (3, 4)),
        grad=True,
    ),
    Case(
        "sparse_add_threshold",
        lambda tf, i, v, j, w: _d(tf, tf.sparse.add(_st(tf, i, v), _st(tf, j, w), threshold=1.0)),
        [IDX, VAL, IDX_B, VAL_B],
        ops=("SparseAdd",),
    ),
    Case(
        "sparse_add_grad_raw",
        lambda tf, g, a, b, s: tf.raw_ops.SparseAddGrad(
            backprop_val_grad=g, a_indices=a, b_indices=b, sum_indices=s
        ),
        [
            np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0], np.float32),
            IDX,
            IDX_B,
            np.array([[0, 1], [1, 0], [1, 1], [1, 3], [2, 0], [2, 2]], np.int64),
        ],  # fmt: skip
        ops=("SparseAddGrad",),
        ref=lambda g, a, b, s: [
            np.array([1.0, 2.0, 4.0, 6.0], np.float32),
            np.array([1.0, 3.0, 5.0], np.float32),
        ],  # fmt: skip
    ),
    Case(
        "sparse_tensor_dense_add",
        lambda tf, i, v, d: tf.sparse.add(_st(tf, i, v), d),
        [IDX, VAL, DENSE34],
        ops=("SparseTensorDenseAdd",),
        ref=lambda i, v, d: _dense(i, v, (3, 4)) + d,
        grad=True,
    ),
    Case(
        "sparse_dense_matmul",
        lambda tf, i, v, b: tf.sparse.sparse_dense_matmul(_st(tf, i, v), b),
        [IDX, VAL, DENSE42],
        ops=("SparseTensorDenseMatMul",),
        ref=_spmm_ref(False, False),
        grad=True,
    ),
    Case(
        "sparse_dense_matmul_adjoint_a",
        lambda tf, i, v, b: tf.sparse.sparse_dense_matmul(
            _st(tf, i, v, (4, 3)), b, adjoint_a=True
        ),  # fmt: skip
        [IDX[:, ::-1].copy(), VAL, DENSE42],
        ops=("SparseTensorDenseMatMul",),
        ref=_spmm_ref(True, False),
        grad=True,
    ),
    Case(
        "sparse_dense_matmul_adjoint_b",
        lambda tf, i, v, b: tf.sparse.sparse_dense_matmul(_st(tf, i, v), b, adjoint_b=True),
        [IDX, VAL, DENSE42.T.copy()],
        ops=("SparseTensorDenseMatMul",),
        ref=_spmm_ref(False, True),
        grad=True,
    ),
    Case(
        "sparse_dense_matmul_both",
        lambda tf, i, v, b: tf.sparse.sparse_dense_matmul(
            _st(tf, i, v, (4, 3)), b, adjoint_a=True, adjoint_b=True
        ),  # fmt: skip
        [IDX[:, ::-1].copy(), VAL, DENSE42.T.copy()],
        ops=("SparseTensorDenseMatMul",),
        ref=_spmm_ref(True, True),
        grad=True,
    ),
    Case(
        "sparse_reduce_sum_axis1",
        lambda tf, i, v: tf.sparse.reduce_sum(_st(tf, i, v), axis=1),
        [IDX, VAL],
        ops=("SparseReduceSum",),
        ref=_reduce_ref(np.sum, 1),
        grad=True,
    ),
    Case(
        "sparse_reduce_sum_keepdims",
        lambda tf, i, v: tf.sparse.reduce_sum(_st(tf, i, v), axis=0, keepdims=True),
        [IDX, VAL],
        ops=("SparseReduceSum",),
        ref=_reduce_ref(np.sum, 0, True),
        grad=True,
    ),
    Case(
        "sparse_reduce_sum_all",
        lambda tf, i, v: tf.sparse.reduce_sum(_st(tf, i, v)),
        [IDX, VAL],
        ops=("SparseReduceSum",),
        ref=lambda i, v: np.sum(v),
        grad=True,
    ),
    Case(
        "sparse_reduce_sum_3d",
        lambda tf, i, v: tf.sparse.reduce_sum(_st(tf, i, v, (2, 3, 2)), axis=[0, 2]),
        [IDX3, VAL3],
        ops=("SparseReduceSum",),
        ref=lambda i, v: _dense(i, v, (2, 3, 2)).sum(axis=(0, 2)),
        grad=True,
    ),
    Case(
        "sparse_reduce_sum_sparse",
        lambda tf, i, v: _d(tf, tf.sparse.reduce_sum(_st(tf, i, v), axis=1, output_is_sparse=True)),
        [IDX, VAL],
        ops=("SparseReduceSumSparse",),
        ref=_reduce_ref(np.sum, 1),
    ),
    Case(
        "sparse_reduce_max",
        lambda tf, i, v: tf.sparse.reduce_max(_st(tf, i, v), axis=1),
        [IDX, VAL],
        ops=("SparseReduceMax",),
        ref=_reduce_ref(np.max, 1),
    ),
    Case(
        "sparse_reduce_max_empty_column",
        lambda tf, i, v: tf.sparse.reduce_max(_st(tf, i, -v), axis=0, keepdims=True),
        [IDX, VAL],
        ops=("SparseReduceMax",),
    ),
    Case(
        "sparse_reduce_max_sparse",
        lambda tf, i, v: _d(tf, tf.sparse.reduce_max(_st(tf, i, v), axis=0, output_is_sparse=True)),
        [IDX, VAL],
        ops=("SparseReduceMaxSparse",),
        ref=_reduce_ref(np.max, 0),
    ),
    Case(
        "sparse_concat_axis1",
        lambda tf, i, v, j, w: _d(tf, tf.sparse.concat(1, [_st(tf, i, v), _st(tf, j, w, (3, 2))])),
        [IDX, VAL, np.array([[0, 0], [2, 1]], np.int64), np.array([9.0, 8.0], np.float32)],
        ops=("SparseConcat",),
        ref=lambda i, v, j, w: np.concatenate([_dense(i, v, (3, 4)), _dense(j, w, (3, 2))], 1),
    ),
    Case(
        "sparse_concat_axis0_order",
        lambda tf, i, v, j, w: [
            c.indices for c in [tf.sparse.concat(0, [_st(tf, i, v), _st(tf, j, w)])]
        ],  # fmt: skip
        [IDX, VAL, IDX_B, VAL_B],
        ops=("SparseConcat",),
    ),
    Case(
        "sparse_concat_expand",
        lambda tf, i, v, j, w: _d(
            tf,
            tf.sparse.concat(0, [_st(tf, i, v), _st(tf, j, w, (1, 6))], expand_nonconcat_dims=True),
        ),  # fmt: skip
        [IDX, VAL, np.array([[0, 5]], np.int64), np.array([9.0], np.float32)],
        ops=("SparseConcat",),
    ),
    Case(
        "sparse_slice",
        lambda tf, i, v: _d(tf, tf.sparse.slice(_st(tf, i, v), [1, 1], [5, 2])),
        [IDX, VAL],
        ops=("SparseSlice",),
        ref=lambda i, v: _dense(i, v, (3, 4))[1:, 1:3],
        grad=True,
    ),
    Case(
        "sparse_slice_grad_raw",
        lambda tf, g, ii, s, oi: tf.raw_ops.SparseSliceGrad(
            backprop_val_grad=g, input_indices=ii, input_start=s, output_indices=oi
        ),
        [
            np.array([5.0, 6.0], np.float32),
            IDX,
            np.array([1, 0], np.int64),
            np.array([[0, 3], [1, 2]], np.int64),
        ],  # fmt: skip
        ops=("SparseSliceGrad",),
        ref=lambda g, ii, s, oi: np.array([0.0, 0.0, 5.0, 6.0], np.float32),
    ),
    Case(
        "sparse_softmax",
        lambda tf, i, v: tf.sparse.softmax(_st(tf, i, v)).values,
        [IDX, VAL],
        ops=("SparseSoftmax",),
        ref=_softmax_ref,
        grad=True,
    ),
    Case(
        "sparse_fill_empty_rows",
        lambda tf, i, v: _d(tf, list(tf.sparse.fill_empty_rows(_st(tf, i, v, (5, 4)), -1.0))),
        [IDX, VAL],
        ops=("SparseFillEmptyRows",),
        grad=True,
    ),
    Case(
        "sparse_fill_empty_rows_grad_raw",
        lambda tf, r, g: tf.raw_ops.SparseFillEmptyRowsGrad(reverse_index_map=r, grad_values=g),
        [np.array([0, 2, 3], np.int64), np.array([1.0, 2.0, 3.0, 4.0, 5.0], np.float32)],
        ops=("SparseFillEmptyRowsGrad",),
        ref=lambda r, g: [g[r], np.float32(7.0)],
    ),
    Case(
        "sparse_split",
        lambda tf, i, v: _d(tf, tf.sparse.split(sp_input=_st(tf, i, v), num_split=3, axis=1)),
        [IDX, VAL],
        ops=("SparseSplit",),
        ref=lambda i, v: (
            np.split(np.pad(_dense(i, v, (3, 4)), ((0, 0), (0, 2))), 3, axis=1)
            if False
            else [
                _dense(i, v, (3, 4))[:, :2],
                _dense(i, v, (3, 4))[:, 2:3],
                _dense(i, v, (3, 4))[:, 3:],
            ]
        ),  # fmt: skip
    ),
    Case(
        "sparse_maximum",
        lambda tf, i, v, j, w: _d(tf, tf.sparse.maximum(_st(tf, i, v), _st(tf, j, w))),
        [IDX, VAL, IDX_B, VAL_B],
        ops=("SparseSparseMaximum",),
        ref=lambda i, v, j, w: np.maximum(_dense(i, v, (3, 4)), _dense(j, w, (3, 4))),
    ),
    Case(
        "sparse_minimum",
        lambda tf, i, v, j, w: _d(tf, tf.sparse.minimum(_st(tf, i, v), _st(tf, j, w))),
        [IDX, VAL, IDX_B, VAL_B],
        ops=("SparseSparseMinimum",),
        ref=lambda i, v, j, w: np.minimum(_dense(i, v, (3, 4)), _dense(j, w, (3, 4))),
    ),
    Case(
        "sparse_dense_cwise_mul",
        lambda tf, i, v, d: (_st(tf, i, v) * d).values,
        [IDX, VAL, ROW4],
        ops=("SparseDenseCwiseMul",),
        ref=lambda i, v, d: v * d[i[:, 1]],
        grad=True,
    ),
    Case(
        "sparse_dense_cwise_mul_full",
        lambda tf, i, v, d: (_st(tf, i, v) * d).values,
        [IDX, VAL, DENSE34],
        ops=("SparseDenseCwiseMul",),
        ref=lambda i, v, d: v * d[tuple(i.T)],
        grad=True,
    ),
    Case(
        "sparse_dense_cwise_div",
        lambda tf, i, v, d: (_st(tf, i, v) / d).values,
        [IDX, VAL, POS34],
        ops=("SparseDenseCwiseDiv",),
        ref=lambda i, v, d: v / d[tuple(i.T)],
        grad=True,
    ),
    Case(
        "sparse_dense_cwise_add_raw",
        lambda tf, i, v, d: tf.raw_ops.SparseDenseCwiseAdd(
            sp_indices=i, sp_values=v, sp_shape=np.array([3, 4], np.int64), dense=d
        ),
        [IDX, VAL, ROW4],
        ops=("SparseDenseCwiseAdd",),
        ref=lambda i, v, d: v + d[i[:, 1]],
    ),
    Case(
        "sparse_unary_dispatch",
        lambda tf, i, v: _d(tf, tf.abs(tf.math.negative(_st(tf, i, v)))),
        [IDX, VAL],
        ops=("Abs", "Neg", "SparseToDense"),
        ref=lambda i, v: np.abs(_dense(i, v, (3, 4))),
        grad=True,
    ),
]
