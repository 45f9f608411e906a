"""Table rows for the indexing families: gather, scatter, segment, sort/search and scan ops."""

import numpy as np

from tests.harness import Case

R = np.random.default_rng(7)
P43 = R.normal(size=(4, 3)).astype(np.float32)
P234 = R.normal(size=(2, 3, 4)).astype(np.float32)
D52 = R.normal(size=(5, 2)).astype(np.float32)
X25 = np.array([[0.3, -1.2, 2.5, 0.9, -0.4], [1.7, 0.1, -2.2, 3.1, 0.6]], np.float32)
POS = R.uniform(0.5, 2.0, size=(2, 4)).astype(np.float32)
BIG = R.permutation(200).astype(np.float32).reshape(2, 100) / 7.0


def i32(*v):
    return np.array(v, np.int32)


def _take(p, i, axis=0):
    return np.take(p, i, axis=axis)


def _gather_bd1_axis2(p, i):
    return np.stack([np.take(p[b], i[b], axis=1) for b in range(p.shape[0])])


def _scatter_nd(idx, upd, shape):
    out = np.zeros(shape, upd.dtype)
    for k in range(idx.shape[0]):
        out[tuple(idx[k])] += upd[k]
    return out


def _useg(fn, init):
    def ref(data, ids, num):
        out = np.full((num,) + data.shape[ids.ndim :], init, data.dtype)
        flat, rows = ids.reshape(-1), data.reshape((ids.size,) + data.shape[ids.ndim :])
        for i, s in enumerate(flat):
            if s >= 0:
                out[s] = fn(out[s], rows[i])
        return out

    return ref


def _seg(fn, empty):
    def ref(data, ids):
        out = np.full((ids[-1] + 1,) + data.shape[1:], empty, data.dtype)
        for s in np.unique(ids):
            out[s] = fn(data[ids == s], axis=0)
        return out

    return ref


def _cumsum_ref(x, axis, exclusive, reverse):
    if reverse:
        x = np.flip(x, axis)
    out = np.cumsum(x, axis=axis, dtype=x.dtype)
    if exclusive:
        out = np.concatenate(
            [np.zeros_like(np.take(out, [0], axis)), np.delete(out, -1, axis)], axis
        )
    return np.flip(out, axis) if reverse else out


def _unique_ref(x):
    seen, y, idx, counts = {}, [], [], []
    for v in x.tolist():
        if v not in seen:
            seen[v] = len(y)
            y.append(v)
            counts.append(0)
        idx.append(seen[v])
        counts[seen[v]] += 1
    return [np.array(y, x.dtype), np.array(idx, np.int32), np.array(counts, np.int32)]


SEG_IDS = i32(0, 0, 2, 2, 3)
USEG_IDS = i32(0, 2, 0, -1, 1)

CASES = [
    # -- gather ---------------------------------------------------------------------------------
    Case(
        "gather_axis0",
        lambda tf, p, i: tf.gather(p, i),
        [P43, i32(0, 2, 3, 0).reshape(2, 2)],
        ops=("GatherV2",),
        ref=_take,
        grad=True,
        grad2=True,
        grad_inputs=(0,),
    ),
    Case(
        "gather_axis1",
        lambda tf, p, i: tf.gather(p, i, axis=1),
        [P43, i32(2, 0, 2)],
        ops=("GatherV2",),
        ref=lambda p, i: _take(p, i, 1),
        grad=True,
        grad_inputs=(0,),
    ),
    Case(
        "gather_axis_neg_int64",
        lambda tf, p, i: tf.gather(p, i, axis=-1),
        [P234, np.array([3, 1], np.int64)],
        ops=("GatherV2",),
        ref=lambda p, i: _take(p, i, 2),
        grad=True,
        grad_inputs=(0,),
    ),
    Case(
        "gather_batch_dims",
        lambda tf, p, i: tf.gather(p, i, axis=2, batch_dims=1),
        [P234, i32(0, 3, 1, 1).reshape(2, 2)],
        ops=("GatherV2",),
        ref=_gather_bd1_axis2,
        grad=True,
        grad_inputs=(0,),
    ),
    Case(
        "gather_batch_dims_neg",
        lambda tf, p, i: tf.gather(p, i, batch_dims=-1),
        [P234, np.tile(i32(3, 0), (2, 3, 1))],
        ops=("GatherV2",),
        ref=lambda p, i: np.take_along_axis(p, i, 2),
        grad=True,
        grad_inputs=(0,),
    ),
    Case(
        "gather_batch_dims_middle",
        lambda tf, p, i: tf.gather(p, i, axis=1, batch_dims=1),
        [P234, i32(2, 0, 1, 1, 0, 2).reshape(2, 3)],
        ops=("GatherV2",),
        ref=lambda p, i: np.stack([p[b][i[b]] for b in range(2)]),
        grad=True,
        grad_inputs=(0,),
    ),
    Case(
        "gather_scalar_index",
        lambda tf, p, i: tf.gather(p, i, axis=1),
        [P43, np.int32(1)],
        ops=("GatherV2",),
        ref=lambda p, i: p[:, 1],
        grad=True,
        grad_inputs=(0,),
    ),
    Case(
        "gather_string",
        lambda tf, p, i: tf.gather(p, i),
        [np.array([b"a", b"b", b"c"], object), i32(2, 2, 0)],
        ops=("GatherV2",),
        ref=lambda p, i: p[i],
    ),
    Case(
        "gather_nd",
        lambda tf, p, i: tf.gather_nd(p, i),
        [P234, i32(0, 1, 1, 2, 0, 1).reshape(3, 2)],
        ops=("GatherNd",),
        ref=lambda p, i: p[i[:, 0], i[:, 1]],
        grad=True,
        grad_inputs=(0,),
    ),
    Case(
        "gather_nd_rows",
        lambda tf, p, i: tf.gather_nd(p, i),
        [P43, i32(3, 0, 3).reshape(3, 1)],
        ops=("GatherNd",),
        ref=lambda p, i: p[i[:, 0]],
        grad=True,
        grad2=True,
        grad_inputs=(0,),
    ),
    Case(
        "gather_nd_full",
        lambda tf, p, i: tf.gather_nd(p, i),
        [P234, i32(1, 2, 3, 0, 0, 0).reshape(1, 2, 3)],
        ops=("GatherNd",),
        ref=lambda p, i: p[i[..., 0], i[..., 1], i[..., 2]],
        grad=True,
        grad_inputs=(0,),
    ),
    Case(
        "gather_nd_batch_dims",
        lambda tf, p, i: tf.gather_nd(p, i, batch_dims=1),
        [P234, i32(0, 1, 2, 3).reshape(2, 1, 2)],
        ops=("GatherNd",),
        ref=lambda p, i: np.stack([p[b][i[b, :, 0], i[b, :, 1]] for b in range(2)]),
        grad=True,
        grad_inputs=(0,),
    ),
    Case(
        "boolean_mask",
        lambda tf, p, m: tf.boolean_mask(p, m),
        [P43, np.array([True, False, True, True])],
        ops=("Where", "GatherV2"),
        ref=lambda p, m: p[m],
        grad=True,
        grad_inputs=(0,),
    ),
    Case(
        "boolean_mask_axis1_2d",
        lambda tf, p, m: tf.boolean_mask(p, m, axis=1),
        [
            P234,
            np.array(
                [[True, False, True, False], [False, False, True, True], [True, True, True, False]]
            ),
        ],
        ops=("Where", "GatherV2"),
        ref=lambda p, m: p[:, m],
        grad=True,
        grad_inputs=(0,),
    ),
    Case(
        "embedding_lookup",
        lambda tf, p, i: tf.nn.embedding_lookup(p, i),
        [P43, i32(1, 3, 3, 0).reshape(2, 2)],
        ops=("GatherV2",),
        ref=_take,
        grad=True,
        grad_inputs=(0,),
    ),
    Case(
        "embedding_lookup_max_norm",
        lambda tf, p, i: tf.nn.embedding_lookup(p, i, max_norm=0.8),
        [P43 * 2, i32(1, 2, 0)],
        ops=("GatherV2",),
        ref=lambda p, i: p[i] * 0.8 / np.maximum(np.linalg.norm(p[i], axis=1, keepdims=True), 0.8),
        grad=True,
        grad_inputs=(0,),
    ),
    Case(
        "embedding_lookup_shards",
        lambda tf, a, b, i: tf.nn.embedding_lookup([a, b], i),
        [P43[:2].copy(), P43[2:].copy(), i32(3, 0, 2)],
        ops=("GatherV2",),
        ref=lambda a, b, i: np.concatenate([a, b])[i],
        grad=True,
        grad_inputs=(0, 1),
    ),
    # -- scatter --------------------------------------------------------------------------------
    Case(
        "scatter_nd",
        lambda tf, i, u: tf.scatter_nd(i, u, [5, 2]),
        [i32(1, 3, 1).reshape(3, 1), D52[:3].copy()],
        ops=("ScatterNd",),
        ref=lambda i, u: _scatter_nd(i, u, (5, 2)),
        grad=True,
        grad_inputs=(1,),
    ),
    Case(
        "scatter_nd_elements",
        lambda tf, i, u: tf.scatter_nd(i, u, tf.constant([3, 4])),
        [i32(0, 1, 2, 3, 0, 1).reshape(3, 2), np.array([1.5, -2.0, 3.0], np.float32)],
        ops=("ScatterNd",),
        ref=lambda i, u: _scatter_nd(i, u, (3, 4)),
        grad=True,
        grad_inputs=(1,),
    ),
    Case(
        "scatter_nd_int64",
        lambda tf, i, u: tf.scatter_nd(i, u, tf.constant([4], tf.int64)),
        [np.array([[1], [1], [3]], np.int64), i32(5, 6, 7)],
        ops=("ScatterNd",),
        ref=lambda i, u: _scatter_nd(i, u, (4,)),
    ),
    Case(
        "tensor_scatter_nd_update",
        lambda tf, t, i, u: tf.tensor_scatter_nd_update(t, i, u),
        [P43, i32(1, 3).reshape(2, 1), D52[:2, :1].repeat(3, 1)],
        ops=("TensorScatterUpdate",),
        ref=lambda t, i, u: np.concatenate([t[:1], u[:1], t[2:3], u[1:]]),
        grad=True,
        grad_inputs=(0, 2),
    ),
    Case(
        "tensor_scatter_nd_add",
        lambda tf, t, i, u: tf.tensor_scatter_nd_add(t, i, u),
        [P43, i32(1, 2, 1, 0, 1, 2).reshape(3, 2), np.array([1.0, 2.0, 3.0], np.float32)],
        ops=("TensorScatterAdd",),
        ref=lambda t, i, u: t + _scatter_nd(i, u, t.shape),
        grad=True,
        grad_inputs=(0, 2),
    ),
    Case(
        "tensor_scatter_nd_sub",
        lambda tf, t, i, u: tf.tensor_scatter_nd_sub(t, i, u),
        [P43, i32(2, 2).reshape(2, 1), D52[:2, :1].repeat(3, 1)],
        ops=("TensorScatterSub",),
        ref=lambda t, i, u: t - _scatter_nd(i, u, t.shape),
        grad=True,
        grad_inputs=(0, 2),
    ),
    Case(
        "tensor_scatter_nd_max",
        lambda tf, t, i, u: tf.tensor_scatter_nd_max(t, i, u),
        [
            P43,
            i32(0, 2).reshape(2, 1),
            np.array([[0.5, -0.5, 0.25], [-0.75, 1.5, 0.05]], np.float32),
        ],
        ops=("TensorScatterMax",),
        ref=lambda t, i, u: np.concatenate(
            [np.maximum(t[:1], u[:1]), t[1:2], np.maximum(t[2:3], u[1:]), t[3:]]
        ),
        grad=True,
        grad_inputs=(0, 2),
    ),
    Case(
        "tensor_scatter_nd_min",
        lambda tf, t, i, u: tf.tensor_scatter_nd_min(t, i, u),
        [
            P43,
            i32(0, 2).reshape(2, 1),
            np.array([[0.5, -0.5, 0.25], [-0.75, 1.5, 0.05]], np.float32),
        ],
        ops=("TensorScatterMin",),
        ref=lambda t, i, u: np.concatenate(
            [np.minimum(t[:1], u[:1]), t[1:2], np.minimum(t[2:3], u[1:]), t[3:]]
        ),
        grad=True,
        grad_inputs=(0, 2),
    ),
    Case(
        "tensor_scatter_nd_update_int",
        lambda tf, t, i, u: tf.tensor_scatter_nd_update(t, i, u),
        [i32(1, 2, 3, 4), i32(3, 0).reshape(2, 1), i32(-1, -2)],
        ops=("TensorScatterUpdate",),
        ref=lambda t, i, u: i32(-2, 2, 3, -1),
    ),
    Case(
        "dynamic_partition",
        lambda tf, d, p: tf.dynamic_partition(d, p, 3),
        [D52, i32(1, 0, 1, 1, 0)],
        ops=("DynamicPartition",),
        ref=lambda d, p: [d[p == 0], d[p == 1], d[p == 2]],
        grad=True,
        grad_inputs=(0,),
    ),
    Case(
        "dynamic_partition_2d_many",
        lambda tf, d, p: tf.dynamic_partition(d, p, 10),
        [P234, i32(9, 0, 3, 3, 9, 1).reshape(2, 3)],
        ops=("DynamicPartition",),
        ref=lambda d, p: [d[p == i] for i in range(10)],
        grad=True,
        grad_inputs=(0,),
    ),
    Case(
        "dynamic_stitch",
        lambda tf, i0, i1, a, b: tf.dynamic_stitch([i0, i1], [a, b]),
        [i32(0, 5), i32(1, 3, 4).reshape(3, 1), D52[:2].copy(), D52[2:].reshape(3, 1, 2).copy()],
        ops=("DynamicStitch",),
        ref=lambda i0, i1, a, b: np.stack(
            [a[0], b[0, 0], np.zeros(2, np.float32), b[1, 0], b[2, 0], a[1]]
        ),
        grad=True,
        grad_inputs=(2, 3),
    ),
    Case(
        "dynamic_stitch_duplicates",
        lambda tf, i0, i1, a, b: tf.dynamic_stitch([i0, i1], [a, b]),
        [i32(0, 1), i32(1, 2), np.array([1.0, 2.0], np.float32), np.array([3.0, 4.0], np.float32)],
        ops=("DynamicStitch",),
        ref=lambda i0, i1, a, b: np.array([1.0, 3.0, 4.0], np.float32),
    ),
    # -- segments -------------------------------------------------------------------------------
    Case(
        "unsorted_segment_sum",
        lambda tf, d, s: tf.math.unsorted_segment_sum(d, s, 4),
        [D52, USEG_IDS],
        ops=("UnsortedSegmentSum",),
        ref=lambda d, s: _useg(np.add, 0)(d, s, 4),
        grad=True,
        grad2=True,
        grad_inputs=(0,),
    ),
    Case(
        "unsorted_segment_sum_1d",
        lambda tf, d, s: tf.math.unsorted_segment_sum(d, s, 3),
        [D52[:, 0].copy(), USEG_IDS],
        ops=("UnsortedSegmentSum",),
        ref=lambda d, s: _useg(np.add, 0)(d, s, 3),
        grad=True,
        grad_inputs=(0,),
    ),
    Case(
        "unsorted_segment_sum_2d_ids",
        lambda tf, d, s: tf.math.unsorted_segment_sum(d, s, tf.constant(3, tf.int64)),
        [P234, i32(0, 2, 2, 1, 0, 0).reshape(2, 3)],
        ops=("UnsortedSegmentSum",),
        ref=lambda d, s: _useg(np.add, 0)(d, s, 3),
        grad=True,
        grad_inputs=(0,),
    ),
    Case(
        "unsorted_segment_sum_int",
        lambda tf, d, s: tf.math.unsorted_segment_sum(d, s, 2),
        [i32(1, 2, 3), i32(1, 0, 1)],
        ops=("UnsortedSegmentSum",),
        ref=lambda d, s: i32(2, 4),
    ),
    Case(
        "unsorted_segment_max",
        lambda tf, d, s: tf.math.unsorted_segment_max(d, s, 3),
        [D52, USEG_IDS],
        ops=("UnsortedSegmentMax",),
        ref=lambda d, s: _useg(np.maximum, np.finfo(np.float32).min)(d, s, 3),
        grad=True,
        grad_inputs=(0,),
    ),
    Case(
        "unsorted_segment_max_empty",
        lambda tf, d, s: tf.math.unsorted_segment_max(d, s, 5),
        [D52, USEG_IDS],
        ops=("UnsortedSegmentMax",),
        ref=lambda d, s: _useg(np.maximum, np.finfo(np.float32).min)(d, s, 5),
    ),
    Case(
        "unsorted_segment_min",
        lambda tf, d, s: tf.math.unsorted_segment_min(d, s, 3),
        [D52, USEG_IDS],
        ops=("UnsortedSegmentMin",),
        ref=lambda d, s: _useg(np.minimum, np.finfo(np.float32).max)(d, s, 3),
        grad=True,
        grad_inputs=(0,),
    ),
    Case(
        "unsorted_segment_min_int",
        lambda tf, d, s: tf.math.unsorted_segment_min(d, s, 3),
        [i32(4, -1, 7), i32(0, 0, 2)],
        ops=("UnsortedSegmentMin",),
        ref=lambda d, s: i32(-1, 2**31 - 1, 7),
    ),
    Case(
        "unsorted_segment_prod",
        lambda tf, d, s: tf.math.unsorted_segment_prod(d, s, 4),
        [D52, USEG_IDS],
        ops=("UnsortedSegmentProd",),
        ref=lambda d, s: _useg(np.multiply, 1)(d, s, 4),
        grad=True,
        grad_inputs=(0,),
    ),
    Case(
        "unsorted_segment_prod_zero",
        lambda tf, d, s: tf.math.unsorted_segment_prod(d, s, 2),
        [np.array([0.0, 2.0, 3.0, 0.0, 0.0, 5.0], np.float32), i32(0, 0, 0, 1, 1, 1)],
        ops=("UnsortedSegmentProd",),
        ref=lambda d, s: np.array([0.0, 0.0], np.float32),
        grad=True,
        grad_inputs=(0,),
    ),
    Case(
        "unsorted_segment_mean",
        lambda tf, d, s: tf.math.unsorted_segment_mean(d, s, 4),
        [D52, USEG_IDS],
        ops=("UnsortedSegmentSum",),
        ref=lambda d, s: (
            _useg(np.add, 0)(d, s, 4) / np.maximum(np.bincount(s[s >= 0], minlength=4), 1)[:, None]
        ),
        grad=True,
        grad_inputs=(0,),
    ),
    Case(
        "unsorted_segment_mean_int",
        lambda tf, d, s: tf.math.unsorted_segment_mean(d, s, 3),
        [i32(1, 2, 4), i32(0, 0, 2)],
        ops=("UnsortedSegmentSum",),
        ref=lambda d, s: np.array([1.5, 0, 4]),
    ),
    Case(
        "unsorted_segment_sqrt_n",
        lambda tf, d, s: tf.math.unsorted_segment_sqrt_n(d, s, 4),
        [D52, USEG_IDS],
        ops=("UnsortedSegmentSum",),
        ref=lambda d, s: (
            _useg(np.add, 0)(d, s, 4)
            / np.sqrt(np.maximum(np.bincount(s[s >= 0], minlength=4), 1))[:, None]
        ),
        grad=True,
        grad_inputs=(0,),
    ),
    Case(
        "segment_sum",
        lambda tf, d, s: tf.math.segment_sum(d, s),
        [D52, SEG_IDS],
        ops=("SegmentSum",),
        ref=_seg(np.sum, 0),
        grad=True,
        grad2=True,
        grad_inputs=(0,),
    ),
    Case(
        "segment_mean",
        lambda tf, d, s: tf.math.segment_mean(d, s),
        [D52, SEG_IDS],
        ops=("SegmentMean",),
        ref=_seg(np.mean, 0),
        grad=True,
        grad_inputs=(0,),
    ),
    Case(
        "segment_mean_int",
        lambda tf, d, s: tf.math.segment_mean(d, s),
        [i32(-3, 0, 4, 7), i32(0, 0, 1, 3)],
        ops=("SegmentMean",),
        ref=lambda d, s: i32(-1, 4, 0, 7),
    ),
    Case(
        "segment_max",
        lambda tf, d, s: tf.math.segment_max(d, s),
        [D52, SEG_IDS],
        ops=("SegmentMax",),
        ref=_seg(np.max, 0),
        grad=True,
        grad_inputs=(0,),
    ),
    Case(
        "segment_min",
        lambda tf, d, s: tf.math.segment_min(d, s),
        [D52, SEG_IDS],
        ops=("SegmentMin",),
        ref=_seg(np.min, 0),
        grad=True,
        grad_inputs=(0,),
    ),
    Case(
        "segment_prod",
        lambda tf, d, s: tf.math.segment_prod(d, s),
        [D52, SEG_IDS],
        ops=("SegmentProd",),
        ref=_seg(np.prod, 1),
        grad=True,
        grad_inputs=(0,),
    ),
    Case(
        "segment_prod_int64_ids",
        lambda tf, d, s: tf.math.segment_prod(d, s),
        [np.array([2.0, 0.0, 3.0, 0.0, 0.0], np.float32), np.array([0, 0, 1, 1, 1], np.int64)],
        ops=("SegmentProd",),
        ref=lambda d, s: np.array([0.0, 0.0], np.float32),
        grad=True,
        grad_inputs=(0,),
    ),
    # -- top_k / sort ---------------------------------------------------------------------------
    Case(
        "top_k",
        lambda tf, x: tf.math.top_k(x, k=3),
        [X25],
        ops=("TopKV2",),
        ref=lambda x: [np.sort(x, -1)[:, ::-1][:, :3], np.argsort(-x, -1)[:, :3].astype(np.int32)],
        grad=True,
    ),
    Case(
        "top_k_large",
        lambda tf, x: tf.nn.top_k(x, 4),
        [BIG],
        ops=("TopKV2",),
        ref=lambda x: [np.sort(x, -1)[:, ::-1][:, :4], np.argsort(-x, -1)[:, :4].astype(np.int32)],
    ),
    Case(
        "top_k_ties_int64_index",
        lambda tf, x: tf.math.top_k(x, 4, index_type=tf.int64),
        [np.array([1, 3, 2, 3, 1, 3, 0, 0, 1, 3] * 10, np.int32)],
        ops=("TopKV2",),
        ref=lambda x: [i32(3, 3, 3, 3), np.array([1, 3, 5, 9], np.int64)],
    ),
    Case(
        "top_k_argmax_path",
        lambda tf, x: tf.math.top_k(x, 3),
        [R.normal(size=(4, 100)).astype(np.float32)],
        ops=("TopKV2",),
        ref=lambda x: [
            -np.sort(-x, -1)[:, :3],
            np.argsort(-x, -1, kind="stable")[:, :3].astype(np.int32),
        ],
        grad=True,
    ),
    Case(
        "top_k_argmax_path_ties",
        lambda tf, x: tf.math.top_k(x, 5),
        [R.integers(-3, 4, size=(3, 100)).astype(np.int16)],
        ops=("TopKV2",),
        ref=lambda x: [
            -np.sort(-x, -1)[:, :5],
            np.argsort(-x, -1, kind="stable")[:, :5].astype(np.int32),
        ],
    ),
    Case(
        "top_k_partition_ties",
        lambda tf, x: tf.math.top_k(x, 12),
        [R.integers(-3, 4, size=(3, 100)).astype(np.int64)],
        ops=("TopKV2",),
        ref=lambda x: [
            -np.sort(-x, -1)[:, :12],
            np.argsort(-x, -1, kind="stable")[:, :12].astype(np.int32),
        ],
    ),
    Case(
        "top_k_neg_inf",
        lambda tf, x: tf.math.top_k(x, 2),
        [
            np.concatenate([np.full((2, 200), -np.inf), R.normal(size=(2, 100))], 1).astype(
                np.float32
            )
        ],
        ops=("TopKV2",),
        ref=lambda x: [
            -np.sort(-x, -1)[:, :2],
            np.argsort(-x, -1, kind="stable")[:, :2].astype(np.int32),
        ],
    ),
    Case(
        "top_k_uint8",
        lambda tf, x: tf.math.top_k(x, 2),
        [np.array([200, 3, 255, 0], np.uint8)],
        ops=("TopKV2",),
        ref=lambda x: [np.array([255, 200], np.uint8), i32(2, 0)],
    ),
    Case(
        "in_top_k",
        lambda tf, t, p: [
            tf.math.in_top_k(t, p, 1),
            tf.nn.in_top_k(t, p, 2),
            tf.math.in_top_k(t, p, 0),
        ],
        [
            i32(3, 1, 5),
            np.array(
                [[0.1, 0.8, 0.1, 0.8], [0.3, 0.3, 0.4, np.nan], [1.0, 2.0, 3.0, 4.0]], np.float32
            ),
        ],
        ops=("InTopKV2",),
        ref=lambda t, p: [
            np.array([True, False, False]),
            np.array([True, False, False]),
            np.array([False, False, False]),
        ],
    ),
    Case(
        "sort",
        lambda tf, x: tf.sort(x),
        [X25],
        ops=("Neg", "TopKV2"),
        ref=lambda x: np.sort(x, -1),
        grad=True,
    ),
    Case(
        "sort_axis0_descending",
        lambda tf, x: tf.sort(x, axis=0, direction="DESCENDING"),
        [P234],
        ops=("TopKV2", "Transpose"),
        ref=lambda x: -np.sort(-x, 0),
        grad=True,
    ),
    Case(
        "sort_int",
        lambda tf, x: tf.sort(x),
        [np.array([5, -2147483648, 0, 2147483647, -1], np.int32)],
        ops=("TopKV2",),
        ref=np.sort,
    ),
    Case(
        "sort_uint8",
        lambda tf, x: tf.sort(x),
        [np.array([3, 255, 0, 7], np.uint8)],
        ops=("TopKV2",),
        ref=np.sort,
    ),
    Case(
        "argsort_stable",
        lambda tf, x: tf.argsort(x, stable=True),
        [np.array([3.0, 1.0, 2.0, 1.0, 3.0], np.float32)],
        ops=("TopKV2",),
        ref=lambda x: np.argsort(x, kind="stable").astype(np.int32),
    ),
    Case(
        "argsort_descending_axis0",
        lambda tf, x: tf.argsort(x, axis=0, direction="DESCENDING"),
        [np.array([[3, 1, 2], [1, 1, 0], [3, 5, 2]], np.int32)],
        ops=("TopKV2",),
        ref=lambda x: np.argsort(-x, axis=0, kind="stable").astype(np.int32),
    ),
    # -- unique / bincount / searchsorted -------------------------------------------------------
    Case(
        "unique",
        lambda tf, x: tf.unique(x),
        [i32(3, 1, 3, 2, 1, 7)],
        ops=("Unique",),
        ref=lambda x: _unique_ref(x)[:2],
    ),
    Case(
        "unique_int64_out_idx",
        lambda tf, x: tf.unique(x, out_idx=tf.int64),
        [np.array([2.5, -1.0, 2.5], np.float32)],
        ops=("Unique",),
        ref=lambda x: [np.array([2.5, -1.0], np.float32), np.array([0, 1, 0], np.int64)],
    ),
    Case(
        "unique_nan",
        lambda tf, x: tf.unique_with_counts(x),
        [np.array([1.0, np.nan, np.nan, 1.0, -0.5], np.float32)],
        ops=("UniqueWithCounts",),
        ref=lambda x: [
            np.array([1.0, np.nan, np.nan, -0.5], np.float32),
            i32(0, 1, 2, 0, 3),
            i32(2, 1, 1, 1),
        ],
    ),
    Case(
        "unique_string",
        lambda tf, x: tf.unique(x),
        [np.array([b"b", b"a", b"b"], object)],
        ops=("Unique",),
        ref=lambda x: [np.array([b"b", b"a"], object), i32(0, 1, 0)],
    ),
    Case(
        "unique_with_counts",
        lambda tf, x: tf.unique_with_counts(x),
        [i32(3, 1, 3, 2, 1, 3)],
        ops=("UniqueWithCounts",),
        ref=_unique_ref,
    ),
    Case(
        "bincount",
        lambda tf, x: tf.math.bincount(x),
        [i32(1, 1, 2, 3, 2, 4, 4, 5)],
        ops=("DenseBincount",),
        ref=lambda x: np.bincount(x).astype(np.int32),
    ),
    Case(
        "bincount_weights_minlength",
        lambda tf, x, w: tf.math.bincount(x, weights=w, minlength=8),
        [i32(1, 1, 3), np.array([0.5, 0.25, 2.0], np.float32)],
        ops=("DenseBincount",),
        ref=lambda x, w: np.bincount(x, w, minlength=8).astype(np.float32),
    ),
    Case(
        "bincount_maxlength_dtype",
        lambda tf, x: tf.math.bincount(x, maxlength=3, dtype=tf.float64),
        [np.array([[1, 5], [2, 2]], np.int64)],
        ops=("DenseBincount",),
        ref=lambda x: np.array([0.0, 1.0, 2.0]),
    ),
    Case(
        "bincount_axis_last_binary",
        lambda tf, x: tf.math.bincount(x, axis=-1, binary_output=True),
        [i32(1, 2, 3, 0, 0, 0, 1, 2).reshape(2, 4)],
        ops=("DenseBincount",),
        ref=lambda x: i32(1, 1, 1, 1, 1, 1, 1, 0).reshape(2, 4),
    ),
    Case(
        "bincount_axis_last_weights",
        lambda tf, x, w: tf.math.bincount(x, weights=w, axis=-1),
        [i32(0, 1, 1, 1).reshape(2, 2), np.array([[1.0, 2.0], [3.0, 4.0]], np.float32)],
        ops=("DenseBincount",),
        ref=lambda x, w: np.array([[1.0, 2.0], [0.0, 7.0]], np.float32),
    ),
    Case(
        "bincount_empty",
        lambda tf, x: tf.math.bincount(x),
        [np.zeros(0, np.int32)],
        ops=("DenseBincount",),
        ref=lambda x: np.zeros(0, np.int32),
    ),
    Case(
        "raw_bincount",
        lambda tf, x, w: tf.raw_ops.Bincount(arr=x, size=5, weights=w),
        [i32(1, 1, 3), np.array([1.0, 2.0, 3.0], np.float32)],
        ops=("Bincount",),
        ref=lambda x, w: np.array([0, 3, 0, 3, 0], np.float32),
    ),
    Case(
        "searchsorted",
        lambda tf, s, v: tf.searchsorted(s, v),
        [np.array([1.0, 2.0, 2.0, 3.0], np.float32), np.array([2.0, 2.5, 0.0, 9.0], np.float32)],
        ops=("LowerBound",),
        ref=lambda s, v: np.searchsorted(s, v).astype(np.int32),
    ),
    Case(
        "searchsorted_right_int64",
        lambda tf, s, v: tf.searchsorted(s, v, side="right", out_type=tf.int64),
        [
            np.array([[1.0, 2.0, 2.0, 3.0], [0.0, 0.5, 1.0, 1.5]], np.float32),
            np.array([[2.0, 2.5], [0.0, 3.0]], np.float32),
        ],
        ops=("UpperBound",),
        ref=lambda s, v: np.array([[3, 3], [1, 4]]),
    ),
    Case(
        "searchsorted_batched",
        lambda tf, s, v: [tf.searchsorted(s, v), tf.searchsorted(s, v, side="right")],
        [
            i32(0, 1, 2, 3, 4, 5, 6, 6, 8, 9, 10, 11).reshape(2, 2, 3),
            i32(4, 0, 6, 12).reshape(2, 2, 1),
        ],
        ops=("LowerBound", "UpperBound"),
        ref=lambda s, v: [
            np.array(
                [np.searchsorted(r, w) for r, w in zip(s.reshape(4, 3), v.reshape(4, 1))], np.int32
            ).reshape(2, 2, 1),
            np.array(
                [np.searchsorted(r, w, "right") for r, w in zip(s.reshape(4, 3), v.reshape(4, 1))],
                np.int32,
            ).reshape(2, 2, 1),
        ],
    ),
    Case(
        "searchsorted_nan",
        lambda tf, s, v: tf.searchsorted(s, v, side="right"),
        [np.array([1.0, 2.0, np.nan], np.float32), np.array([np.nan, 3.0, 1.5], np.float32)],
        ops=("UpperBound",),
        ref=lambda s, v: i32(3, 3, 1),
    ),
    # -- scans ----------------------------------------------------------------------------------
    Case(
        "cumsum",
        lambda tf, x: tf.cumsum(x),
        [P43],
        ops=("Cumsum",),
        ref=lambda x: np.cumsum(x, 0),
        grad=True,
        grad2=True,
    ),
    Case(
        "cumsum_flags",
        lambda tf, x: [
            tf.math.cumsum(x, axis=1, exclusive=e, reverse=r)
            for e in (False, True)
            for r in (False, True)
        ],
        [P43],
        ops=("Cumsum",),
        ref=lambda x: [_cumsum_ref(x, 1, e, r) for e in (False, True) for r in (False, True)],
        grad=True,
    ),
    Case(
        "cumsum_uint8_wraps",
        lambda tf, x: tf.cumsum(x),
        [np.array([200, 100, 7], np.uint8)],
        ops=("Cumsum",),
        ref=lambda x: np.array([200, 44, 51], np.uint8),
    ),
    Case(
        "cumsum_axis_tensor_int64",
        lambda tf, x: tf.cumsum(x, axis=tf.constant(-1, tf.int64), reverse=True),
        [i32(1, 2, 3, 4).reshape(2, 2)],
        ops=("Cumsum",),
        ref=lambda x: i32(3, 2, 7, 4).reshape(2, 2),
    ),
    Case(
        "cumprod",
        lambda tf, x: tf.math.cumprod(x, axis=1),
        [POS],
        ops=("Cumprod",),
        ref=lambda x: np.cumprod(x, 1),
        grad=True,
        grad2=True,
        grad_rtol=1e-3,
    ),
    Case(
        "cumprod_exclusive_reverse",
        lambda tf, x: tf.math.cumprod(x, axis=1, exclusive=True, reverse=True),
        [POS],
        ops=("Cumprod",),
        ref=lambda x: np.flip(
            np.concatenate([np.ones((2, 1), np.float32), np.cumprod(np.flip(x, 1), 1)[:, :-1]], 1),
            1,
        ),
        grad=True,
    ),
    Case(
        "cumulative_logsumexp",
        lambda tf, x: [
            tf.math.cumulative_logsumexp(x, axis=1),
            tf.math.cumulative_logsumexp(x, reverse=True),
        ],
        [P43],
        ops=("CumulativeLogsumexp",),
        ref=lambda x: [
            np.logaddexp.accumulate(x, axis=1),
            np.flip(np.logaddexp.accumulate(np.flip(x, 0), 0), 0),
        ],
        grad=True,
        grad2=True,
        grad_rtol=1e-3,
    ),
    Case(
        "cumulative_logsumexp_exclusive",
        lambda tf, x: tf.math.cumulative_logsumexp(x, axis=1, exclusive=True),
        [np.array([[1.0, 2.0, 3.0], [-1.0, 0.0, np.inf]], np.float64)],
        ops=("CumulativeLogsumexp",),
        ref=lambda x: np.concatenate(
            [np.full((2, 1), -np.inf), np.logaddexp.accumulate(x, 1)[:, :-1]], 1
        ),
    ),
    Case(
        "cumprod_complex",
        lambda tf, x: tf.math.cumprod(x),
        [np.array([1j, 2.0, 1 - 1j], np.complex128)],
        ops=("Cumprod",),
        ref=np.cumprod,
    ),
]
