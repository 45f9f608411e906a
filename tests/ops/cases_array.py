"""Table rows for array ops: creation, shape, joining, selection, slicing and manipulation
(array_ops, creation_ops, manip_ops)."""

import numpy as np

from tests.harness import Case

R = np.random.default_rng(7)
V6 = R.normal(size=(6,)).astype(np.float32)
A = R.normal(size=(2, 3)).astype(np.float32)
B = R.normal(size=(2, 3)).astype(np.float32)
C = R.normal(size=(2, 4)).astype(np.float32)
A3 = R.normal(size=(2, 3, 4)).astype(np.float32)
A4 = R.normal(size=(2, 3, 2, 3)).astype(np.float32)
ROW = R.normal(size=(3,)).astype(np.float32)
SCALAR = np.float32(1.5)
I6 = np.arange(6, dtype=np.int32).reshape(2, 3)
MASK = np.array([[True, False, True], [False, True, True]])
STRS = np.array([b"a", b"bc"], object)


def _grad_of(tf, f, x):
    """d/dx sum(f(x) * w) with fixed weights w: runs the gradient ops inside the row."""
    with tf.GradientTape() as t:
        t.watch(x)
        y = f(x)
        w = tf.cast(tf.reshape(tf.range(1, tf.size(y) + 1), tf.shape(y)), x.dtype)
        s = tf.reduce_sum(y * w)
    return t.gradient(s, x)


def _mirror_pad_ref(mode):
    return lambda x: np.pad(x, [[1, 1], [2, 0]], mode=mode.lower())


def _revseq_ref(x, lens, seq, batch):
    out = x.copy()
    for b, n in enumerate(lens):
        src = np.take(x, b, axis=batch)
        dst_axis = seq - (1 if seq > batch else 0)
        idx = [slice(None)] * src.ndim
        idx[dst_axis] = slice(0, n)
        rev = np.flip(src[tuple(idx)], dst_axis)
        full = [slice(None)] * x.ndim
        full[batch] = b
        full[seq] = slice(0, n)
        out[tuple(full)] = rev
    return out


CASES = [
    # -- creation -------------------------------------------------------------------------
    Case(
        "fill",
        lambda tf, v: tf.fill([2, 3], v),
        [SCALAR],
        ops=("Fill",),
        ref=lambda v: np.full((2, 3), v, np.float32),
        grad=True,
        grad2=True,
    ),
    Case(
        "fill_int",
        lambda tf: tf.fill([3], 7),
        [],
        ops=("Fill",),
        ref=lambda: np.full(3, 7, np.int32),
    ),
    Case(
        "zeros_ones_dtypes",
        lambda tf: [
            tf.zeros([2, 1]),
            tf.zeros([2], tf.int64),
            tf.ones([1, 2], tf.float64),
            tf.ones([3], tf.bool),
            tf.zeros([], tf.int32),
        ],
        [],
        ref=lambda: [
            np.zeros((2, 1), np.float32),
            np.zeros(2, np.int64),
            np.ones((1, 2)),
            np.ones(3, bool),
            np.int32(0),
        ],
    ),
    Case("zeros_like", lambda tf, x: tf.zeros_like(x), [A], ops=("ZerosLike",), ref=np.zeros_like),
    Case("ones_like", lambda tf, x: tf.ones_like(x), [I6], ops=("OnesLike",), ref=np.ones_like),
    Case(
        "ones_like_dtype",
        lambda tf, x: tf.ones_like(x, dtype=tf.float64),
        [I6],
        ref=lambda x: np.ones(x.shape),
    ),
    Case(
        "identity",
        lambda tf, x: tf.identity(x),
        [A],
        ops=("Identity",),
        ref=lambda x: x,
        grad=True,
        grad2=True,
    ),
    Case(
        "stop_gradient",
        lambda tf, x: tf.stop_gradient(x) * x,
        [A],
        ops=("StopGradient",),
        ref=lambda x: x * x,
    ),
    Case(
        "range",
        lambda tf: [
            tf.range(5),
            tf.range(1, 10, 3),
            tf.range(5, 0, -2),
            tf.range(0.5, 2.0, 0.5),
            tf.range(3, dtype=tf.int64),
            tf.range(2, dtype=tf.float64),
        ],
        [],
        ops=("Range",),
        ref=lambda: [
            np.arange(5, dtype=np.int32),
            np.arange(1, 10, 3, dtype=np.int32),
            np.arange(5, 0, -2, dtype=np.int32),
            np.arange(0.5, 2.0, 0.5, dtype=np.float32),
            np.arange(3),
            np.arange(2.0),
        ],
    ),
    Case(
        "range_empty",
        lambda tf: tf.range(3, 3),
        [],
        ops=("Range",),
        ref=lambda: np.zeros(0, np.int32),
    ),
    Case(
        "linspace",
        lambda tf: [
            tf.linspace(0.0, 1.0, 5),
            tf.linspace(tf.constant(-2.0, tf.float64), 2.0, 4),
            tf.linspace(3.0, 1.0, 1),
        ],
        [],
        ops=("LinSpace",),
        ref=lambda: [
            np.linspace(0, 1, 5, dtype=np.float32),
            np.linspace(-2, 2, 4),
            np.array([3.0], np.float32),
        ],
    ),
    Case(
        "eye",
        lambda tf: [
            tf.eye(3),
            tf.eye(2, 3, dtype=tf.int32),
            tf.eye(2, batch_shape=[2], dtype=tf.float64),
        ],
        [],
        ref=lambda: [
            np.eye(3, dtype=np.float32),
            np.eye(2, 3, dtype=np.int32),
            np.broadcast_to(np.eye(2), (2, 2, 2)),
        ],
    ),
    # -- shape ----------------------------------------------------------------------------
    Case(
        "shape",
        lambda tf, x: [tf.shape(x), tf.shape(x, out_type=tf.int64)],
        [A3],
        ops=("Shape",),
        ref=lambda x: [np.array([2, 3, 4], np.int32), np.array([2, 3, 4], np.int64)],
    ),
    Case(
        "size_rank",
        lambda tf, x: [tf.size(x), tf.size(x, out_type=tf.int64), tf.rank(x)],
        [A3],
        ops=("Size", "Rank"),
        ref=lambda x: [np.int32(24), np.int64(24), np.int32(3)],
    ),
    Case(
        "shape_n",
        lambda tf, x, y: tf.shape_n([x, y, tf.constant(1.0)]),
        [A3, ROW],
        ops=("ShapeN",),
        ref=lambda x, y: [
            np.array([2, 3, 4], np.int32),
            np.array([3], np.int32),
            np.zeros(0, np.int32),
        ],
    ),
    Case(
        "shape_n_int64",
        lambda tf, x: tf.shape_n([x], out_type=tf.int64),
        [A],
        ops=("ShapeN",),
        ref=lambda x: [np.array([2, 3], np.int64)],
    ),
    Case(
        "reshape",
        lambda tf, x: tf.reshape(x, [4, -1]),
        [A3],
        ops=("Reshape",),
        ref=lambda x: x.reshape(4, -1),
        grad=True,
        grad2=True,
    ),
    Case(
        "reshape_scalar",
        lambda tf, x: tf.reshape(x, []),
        [np.array([2.5], np.float32)],
        ops=("Reshape",),
        ref=lambda x: x.reshape(()),
        grad=True,
    ),
    Case(
        "expand_dims",
        lambda tf, x: [tf.expand_dims(x, 0), tf.expand_dims(x, -1), tf.expand_dims(x, 1)],
        [A],
        ops=("ExpandDims",),
        ref=lambda x: [x[None], x[..., None], x[:, None]],
        grad=True,
    ),
    Case(
        "squeeze",
        lambda tf, x: [tf.squeeze(x), tf.squeeze(x, [0]), tf.squeeze(x, axis=-1)],
        [A.reshape(1, 2, 3, 1)],
        ops=("Squeeze",),
        ref=lambda x: [x.reshape(2, 3), x.reshape(2, 3, 1), x.reshape(1, 2, 3)],
        grad=True,
    ),
    Case(
        "transpose",
        lambda tf, x: tf.transpose(x, [2, 0, 1]),
        [A3],
        ops=("Transpose",),
        ref=lambda x: x.transpose(2, 0, 1),
        grad=True,
        grad2=True,
    ),
    Case(
        "transpose_default",
        lambda tf, x: tf.transpose(x),
        [A3],
        ops=("Transpose",),
        ref=np.transpose,
        grad=True,
    ),
    Case(
        "invert_permutation",
        lambda tf, p: tf.math.invert_permutation(p),
        [np.array([2, 0, 3, 1], np.int32)],
        ops=("InvertPermutation",),
        ref=np.argsort,
    ),
    Case(
        "broadcast_to",
        lambda tf, x: tf.broadcast_to(x, [2, 2, 3]),
        [ROW],
        ops=("BroadcastTo",),
        ref=lambda x: np.broadcast_to(x, (2, 2, 3)),
        grad=True,
    ),
    Case(
        "broadcast_to_keepdim",
        lambda tf, x: tf.broadcast_to(x, [3, 2, 3]),
        [A[:1]],
        ops=("BroadcastTo",),
        ref=lambda x: np.broadcast_to(x, (3, 2, 3)),
        grad=True,
    ),
    Case(
        "broadcast_dynamic_shape",
        lambda tf, a, b: tf.broadcast_dynamic_shape(a, b),
        [np.array([2, 1, 3], np.int32), np.array([4, 1], np.int32)],
        ops=("BroadcastArgs",),
        ref=lambda a, b: np.array([2, 4, 3], np.int32),
    ),
    Case(
        "broadcast_dynamic_shape_int64",
        lambda tf, a: tf.broadcast_dynamic_shape(a, tf.constant([5, 1, 1], tf.int64)),
        [np.array([1, 7], np.int64)],
        ops=("BroadcastArgs",),
        ref=lambda a: np.array([5, 1, 7], np.int64),
    ),
    Case(
        "broadcast_gradient_args",
        lambda tf, a, b: tf.raw_ops.BroadcastGradientArgs(s0=a, s1=b),
        [np.array([2, 1, 3], np.int32), np.array([4, 1], np.int32)],
        ops=("BroadcastGradientArgs",),
        ref=lambda a, b: [np.array([1], np.int32), np.array([0, 2], np.int32)],
    ),
    Case(
        "broadcast_gradient_args_ones",
        lambda tf, a, b: tf.raw_ops.BroadcastGradientArgs(s0=a, s1=b),
        [np.array([1, 1], np.int32), np.array([1], np.int32)],
        ops=("BroadcastGradientArgs",),
        ref=lambda a, b: [np.array([0, 1], np.int32), np.array([0, 1], np.int32)],
    ),
    Case(
        "broadcast_gradient_args_same",
        lambda tf, a: tf.raw_ops.BroadcastGradientArgs(s0=a, s1=a),
        [np.array([2, 1], np.int64)],
        ops=("BroadcastGradientArgs",),
        ref=lambda a: [np.zeros(0, np.int64), np.zeros(0, np.int64)],
    ),
    Case(
        "ensure_shape",
        lambda tf, x: tf.ensure_shape(x, [None, 3]),
        [A],
        ops=("EnsureShape",),
        ref=lambda x: x,
        grad=True,
    ),
    # -- join / split ---------------------------------------------------------------------
    Case(
        "concat",
        lambda tf, x, y: tf.concat([x, y], axis=1),
        [A, C],
        ops=("ConcatV2",),
        ref=lambda x, y: np.concatenate([x, y], 1),
        grad=True,
        grad2=True,
    ),
    Case(
        "concat_three_neg_axis",
        lambda tf, x, y: tf.concat([x, y, x], -2),
        [A, B],
        ops=("ConcatV2",),
        ref=lambda x, y: np.concatenate([x, y, x], 0),
        grad=True,
    ),
    Case(
        "concat_int",
        lambda tf, x: tf.concat([x, x], 0),
        [I6],
        ops=("ConcatV2",),
        ref=lambda x: np.concatenate([x, x]),
    ),
    Case(
        "stack",
        lambda tf, x, y: [tf.stack([x, y]), tf.stack([x, y], axis=-1)],
        [A, B],
        ops=("Pack",),
        ref=lambda x, y: [np.stack([x, y]), np.stack([x, y], -1)],
        grad=True,
    ),
    Case(
        "unstack",
        lambda tf, x: tf.unstack(x, axis=1),
        [A],
        ops=("Unpack",),
        ref=lambda x: [x[:, 0], x[:, 1], x[:, 2]],
        grad=True,
    ),
    Case(
        "unstack_partial_use",
        lambda tf, x: tf.unstack(x)[1] * 2.0,
        [A],
        ops=("Unpack",),
        ref=lambda x: x[1] * 2,
        grad=True,
    ),
    Case(
        "split_even",
        lambda tf, x: tf.split(x, 2, axis=2),
        [A3],
        ops=("Split",),
        ref=lambda x: np.split(x, 2, axis=2),
        grad=True,
        grad2=True,
    ),
    Case(
        "split_one", lambda tf, x: tf.split(x, 1), [A], ops=("Split",), ref=lambda x: [x], grad=True
    ),
    Case(
        "split_partial_use",
        lambda tf, x: tf.split(x, 3)[1],
        [V6],
        ops=("Split",),
        ref=lambda x: x[2:4],
        grad=True,
    ),
    Case(
        "split_sizes",
        lambda tf, x: tf.split(x, [1, -1, 2], axis=-1),
        [A3],
        ops=("SplitV",),
        ref=lambda x: [x[..., :1], x[..., 1:2], x[..., 2:]],
        grad=True,
        grad2=True,
    ),
    Case(
        "split_sizes_zero",
        lambda tf, x: tf.split(x, [0, 2, 1], axis=1),
        [A],
        ops=("SplitV",),
        ref=lambda x: [x[:, :0], x[:, :2], x[:, 2:]],
        grad=True,
    ),
    Case(
        "split_sizes_int",
        lambda tf, x: tf.split(x, tf.constant([4, 2], tf.int64), num=2),
        [np.arange(6)],
        ops=("SplitV",),
        ref=lambda x: [x[:4], x[4:]],
    ),
    # -- selection ------------------------------------------------------------------------
    Case(
        "where_select",
        lambda tf, c, x, y: tf.where(c, x, y),
        [MASK, A, B],
        ops=("SelectV2",),
        ref=np.where,
        grad=True,
        grad2=True,
    ),
    Case(
        "where_select_broadcast",
        lambda tf, c, x, y: tf.where(c, x, y),
        [MASK[0], A, ROW],
        ops=("SelectV2",),
        ref=np.where,
        grad=True,
    ),
    Case(
        "where_select_scalar",
        lambda tf, c: tf.where(c, 1, 2),
        [MASK],
        ops=("SelectV2",),
        ref=lambda c: np.where(c, 1, 2).astype(np.int32),
    ),
    Case(
        "where_coords",
        lambda tf, c: tf.where(c),
        [MASK],
        ops=("Where",),
        ref=lambda c: np.argwhere(c).astype(np.int64),
    ),
    Case(
        "where_coords_numeric",
        lambda tf, x: tf.where(x),
        [np.array([0, 3, 0, -1], np.int32)],
        ops=("Where",),
        ref=lambda x: np.array([[1], [3]], np.int64),
    ),
    Case(
        "one_hot",
        lambda tf, i: [tf.one_hot(i, 4), tf.one_hot(i, 3, on_value=5, off_value=-1, axis=0)],
        [np.array([0, 3, 1], np.int32)],
        ops=("OneHot",),
        ref=lambda i: [
            np.eye(4, dtype=np.float32)[i],
            np.where(np.arange(3)[:, None] == i[None, :], 5, -1).astype(np.int32),
        ],
    ),
    Case(
        "one_hot_2d_dtype",
        lambda tf, i: tf.one_hot(i, 2, dtype=tf.float64, axis=1),
        [np.array([[0, 1], [1, -1]], np.int64)],
        ops=("OneHot",),
        ref=lambda i: np.moveaxis(np.stack([(i == 0), (i == 1)], -1).astype(np.float64), -1, 1),
    ),
    # -- strided slicing (Python indexing) --------------------------------------------------
    Case(
        "index_1d",
        lambda tf, x: [
            x[2],
            x[-1],
            x[1:4],
            x[::-1],
            x[-2::-2],
            x[4:1:-1],
            x[10:],
            x[tf.newaxis, 1:],
        ],
        [V6],
        ops=("StridedSlice",),
        ref=lambda x: [x[2], x[-1], x[1:4], x[::-1], x[-2::-2], x[4:1:-1], x[10:], x[None, 1:]],
        grad=True,
    ),
    Case(
        "index_2d",
        lambda tf, x: [x[1], x[:, 1], x[-1, ::-2], x[..., 0], x[:, None, 1:], x[1, tf.newaxis]],
        [A],
        ops=("StridedSlice",),
        ref=lambda x: [x[1], x[:, 1], x[-1, ::-2], x[..., 0], x[:, None, 1:], x[1, None]],
        grad=True,
    ),
    Case(
        "index_3d",
        lambda tf, x: [x[..., ::2], x[1, ..., -1], x[:, -2:, None, 1], x[::-1, 1:, ::-3]],
        [A3],
        ops=("StridedSlice",),
        ref=lambda x: [x[..., ::2], x[1, ..., -1], x[:, -2:, None, 1], x[::-1, 1:, ::-3]],
        grad=True,
    ),
    Case(
        "index_4d",
        lambda tf, x: [x[1, ..., 2], x[:, 1:, tf.newaxis, ..., ::-1], x[0, 2, 1, 0], x[..., 1, :]],
        [A4],
        ops=("StridedSlice",),
        ref=lambda x: [x[1, ..., 2], x[:, 1:, None, ..., ::-1], x[0, 2, 1, 0], x[..., 1, :]],
        grad=True,
    ),
    Case(
        "index_tensor_int",
        lambda tf, x: [x[tf.constant(1), tf.constant(-1)], x[tf.constant(0, tf.int64), 1:]],
        [A],
        ops=("StridedSlice",),
        ref=lambda x: [x[1, -1], x[0, 1:]],
    ),
    Case(
        "strided_slice_fn",
        lambda tf, x: tf.strided_slice(x, [0, 2], [2, 0], [1, -1]),
        [A],
        ops=("StridedSlice",),
        ref=lambda x: x[0:2, 2:0:-1],
        grad=True,
    ),
    Case(
        "strided_slice_grad",
        lambda tf, x: _grad_of(tf, lambda v: v[1:, ::-2] * v[1:, ::-2], x),
        [A3],
        ops=("StridedSliceGrad",),
        grad=True,
        grad2=True,
    ),
    # -- manipulation (manip_ops) -------------------------------------------------------------
    Case(
        "tile",
        lambda tf, x: tf.tile(x, [2, 1, 3]),
        [A3],
        ops=("Tile",),
        ref=lambda x: np.tile(x, (2, 1, 3)),
        grad=True,
        grad2=True,
    ),
    Case(
        "tile_zero_int64",
        lambda tf, x: tf.tile(x, tf.constant([0, 2], tf.int64)),
        [A],
        ops=("Tile",),
        ref=lambda x: np.tile(x, (0, 2)),
        grad=True,
    ),
    Case(
        "tile_int",
        lambda tf, x: tf.tile(x, [1, 2]),
        [I6],
        ops=("Tile",),
        ref=lambda x: np.tile(x, (1, 2)),
    ),
    Case(
        "pad_constant",
        lambda tf, x: tf.pad(x, [[1, 0], [2, 1]]),
        [A],
        ops=("Pad",),
        ref=lambda x: np.pad(x, [[1, 0], [2, 1]]),
        grad=True,
        grad2=True,
    ),
    Case(
        "pad_constant_values",
        lambda tf, x: tf.pad(x, [[0, 1], [1, 1], [0, 2]], constant_values=-2.5),
        [A3],
        ops=("PadV2",),
        ref=lambda x: np.pad(x, [[0, 1], [1, 1], [0, 2]], constant_values=-2.5),
        grad=True,
        grad2=True,
    ),
    Case(
        "pad_int_values",
        lambda tf, x: tf.pad(x, [[1, 1], [0, 0]], constant_values=9),
        [I6],
        ops=("PadV2",),
        ref=lambda x: np.pad(x, [[1, 1], [0, 0]], constant_values=9),
    ),
    Case(
        "pad_string",
        lambda tf, s: tf.pad(s, [[1, 0]]),
        [STRS],
        ops=("Pad",),
        ref=lambda s: np.array([b"", b"a", b"bc"], object),
    ),
    Case(
        "pad_reflect",
        lambda tf, x: tf.pad(x, [[1, 1], [2, 0]], mode="REFLECT"),
        [A],
        ops=("MirrorPad",),
        ref=_mirror_pad_ref("REFLECT"),
        grad=True,
        grad2=True,
    ),
    Case(
        "pad_symmetric",
        lambda tf, x: tf.pad(x, [[1, 1], [2, 0]], mode="symmetric"),
        [A],
        ops=("MirrorPad",),
        ref=_mirror_pad_ref("SYMMETRIC"),
        grad=True,
        grad2=True,
    ),
    Case(
        "pad_reflect_3d",
        lambda tf, x: tf.pad(x, [[0, 1], [2, 2], [3, 1]], mode="REFLECT"),
        [A3],
        ops=("MirrorPad",),
        ref=lambda x: np.pad(x, [[0, 1], [2, 2], [3, 1]], mode="reflect"),
        grad=True,
    ),
    Case(
        "mirror_pad_grad_reflect",
        lambda tf, x: _grad_of(
            tf, lambda v: tf.pad(v, [[1, 1], [2, 2], [0, 3]], mode="REFLECT"), x
        ),
        [A3],
        ops=("MirrorPadGrad",),
        grad=True,
        grad2=True,
    ),
    Case(
        "mirror_pad_grad_symmetric",
        lambda tf, x: _grad_of(tf, lambda v: tf.pad(v, [[2, 1], [3, 0]], mode="SYMMETRIC"), x),
        [A],
        ops=("MirrorPadGrad",),
        grad=True,
    ),
    Case(
        "reverse",
        lambda tf, x: [tf.reverse(x, [1]), tf.reverse(x, [0, -1]), tf.reverse(x, [])],
        [A3],
        ops=("ReverseV2",),
        ref=lambda x: [x[:, ::-1], x[::-1, :, ::-1], x],
        grad=True,
        grad2=True,
    ),
    Case(
        "reverse_bool",
        lambda tf, m: tf.reverse(m, [0]),
        [MASK],
        ops=("ReverseV2",),
        ref=lambda m: m[::-1],
    ),
    Case(
        "reverse_sequence",
        lambda tf, x: tf.reverse_sequence(x, [2, 0, 4], seq_axis=2, batch_axis=1),
        [A3],
        ops=("ReverseSequence",),
        ref=lambda x: _revseq_ref(x, [2, 0, 4], 2, 1),
        grad=True,
        grad2=True,
    ),
    Case(
        "reverse_sequence_batch_last",
        lambda tf, x: tf.reverse_sequence(
            x, tf.constant([3, 1], tf.int64), seq_axis=0, batch_axis=1
        ),
        [A.T.copy()],
        ops=("ReverseSequence",),
        ref=lambda x: _revseq_ref(x, [3, 1], 0, 1),
        grad=True,
    ),
    Case(
        "slice",
        lambda tf, x: [tf.slice(x, [1, 0, 1], [1, 2, -1]), tf.slice(x, [0, 3, 0], [2, 0, 4])],
        [A3],
        ops=("Slice",),
        ref=lambda x: [x[1:2, 0:2, 1:], x[:, 3:3, :]],
        grad=True,
        grad2=True,
    ),
    Case(
        "slice_int64",
        lambda tf, x: tf.slice(x, tf.constant([1, 1], tf.int64), tf.constant([-1, 2], tf.int64)),
        [I6],
        ops=("Slice",),
        ref=lambda x: x[1:, 1:3],
    ),
    Case(
        "roll",
        lambda tf, x: [tf.roll(x, 2, 0), tf.roll(x, [1, -2], [1, 2]), tf.roll(x, [1, 1], [-1, -1])],
        [A3],
        ops=("Roll",),
        ref=lambda x: [np.roll(x, 2, 0), np.roll(x, (1, -2), (1, 2)), np.roll(x, 2, -1)],
        grad=True,
        grad2=True,
    ),
    Case(
        "unravel_index",
        lambda tf, i, d: tf.unravel_index(i, d),
        [np.array([0, 5, 7, 23], np.int32), np.array([2, 3, 4], np.int32)],
        ops=("UnravelIndex",),
        ref=lambda i, d: np.stack(np.unravel_index(i, d)).astype(np.int32),
    ),
    Case(
        "unravel_index_scalar_int64",
        lambda tf, i, d: tf.unravel_index(i, d),
        [np.int64(4), np.array([2, 3], np.int64)],
        ops=("UnravelIndex",),
        ref=lambda i, d: np.array([1, 1]),
    ),
    Case(
        "repeat_scalar",
        lambda tf, x: tf.repeat(x, 2, axis=1),
        [A],
        ops=("Tile",),
        ref=lambda x: np.repeat(x, 2, axis=1),
        grad=True,
    ),
    Case(
        "repeat_flat",
        lambda tf, x: tf.repeat(x, [3]),
        [A],
        ref=lambda x: np.repeat(x, 3),
        grad=True,
    ),
    Case(
        "repeat_vector",
        lambda tf, x: tf.repeat(x, [1, 0, 2], axis=-1),
        [A],
        ref=lambda x: np.repeat(x, [1, 0, 2], axis=-1),
        grad=True,
    ),
    Case(
        "repeat_int_neg_counts",
        lambda tf, x: tf.repeat(x, [2, -1], axis=0),
        [I6],
        ref=lambda x: np.repeat(x, [2, 0], axis=0),
    ),
    Case(
        "sequence_mask",
        lambda tf, n: [tf.sequence_mask(n), tf.sequence_mask(n, 4, dtype=tf.float32)],
        [np.array([1, 3, 0], np.int32)],
        ops=("Range", "Less"),
        ref=lambda n: [np.arange(3) < n[:, None], (np.arange(4) < n[:, None]).astype(np.float32)],
    ),
    Case(
        "sequence_mask_2d",
        lambda tf, n: tf.sequence_mask(n, tf.constant(3, tf.int64)),
        [np.array([[1, 2], [0, 3]], np.int32)],
        ref=lambda n: np.arange(3) < n[..., None],
    ),
    Case(
        "meshgrid_xy",
        lambda tf, x, y: tf.meshgrid(x, y),
        [ROW, V6[:2]],
        ops=("BroadcastTo",),
        ref=lambda x, y: list(np.meshgrid(x, y)),
        grad=True,
    ),
    Case(
        "meshgrid_ij",
        lambda tf, x, y, z: tf.meshgrid(x, y, z, indexing="ij"),
        [ROW, V6[:2], V6[:4]],
        ref=lambda x, y, z: list(np.meshgrid(x, y, z, indexing="ij")),
        grad=True,
    ),
    Case(
        "meshgrid_xy_3d",
        lambda tf, x, y, z: tf.meshgrid(x, y, z),
        [ROW, V6[:2], np.arange(2, dtype=np.float32)],
        ref=lambda x, y, z: list(np.meshgrid(x, y, z)),
    ),
]
