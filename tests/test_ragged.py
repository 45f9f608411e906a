"""tf.RaggedTensor and tf.ragged: factories, reprs, indexing, dispatch, errors (TF 2.21's)."""

import numpy as np
import pytest

import arroyo as tf

DIGITS = [[3, 1, 4, 1], [], [5, 9, 2], [6], []]


def _d():
    return tf.ragged.constant(DIGITS)


def test_constant_properties_and_repr():
    rt = _d()
    assert isinstance(rt, tf.RaggedTensor) and rt.dtype == tf.int32
    assert rt.shape.as_list() == [5, None] and rt.ragged_rank == 1
    assert rt.row_splits.dtype == tf.int64
    assert rt.row_splits.numpy().tolist() == [0, 4, 4, 7, 8, 8]
    assert repr(rt) == "<tf.RaggedTensor [[3, 1, 4, 1], [], [5, 9, 2], [6], []]>" == str(rt)
    assert repr(rt._type_spec) == "RaggedTensorSpec(TensorShape([5, None]), tf.int32, 1, tf.int64)"
    r2 = tf.ragged.constant([[[1, 2], [3]], [[4]]])
    assert r2.shape.as_list() == [2, None, None] and r2.ragged_rank == 2
    assert repr(r2) == "<tf.RaggedTensor [[[1, 2], [3]], [[4]]]>"
    r3 = tf.ragged.constant([[[1, 2], [3, 4]], [[4, 5]]], ragged_rank=1)
    assert r3.shape.as_list() == [2, None, 2]
    assert repr(r3) == "<tf.RaggedTensor [[[1, 2],\n  [3, 4]], [[4, 5]]]>"
    assert (
        repr(tf.ragged.constant([["a", "b"], ["c"]])) == "<tf.RaggedTensor [[b'a', b'b'], [b'c']]>"
    )
    assert repr(tf.ragged.constant([[1.5, 2.0], [3.0]])) == "<tf.RaggedTensor [[1.5, 2.0], [3.0]]>"
    assert tf.ragged.constant([[1, 2], [3]], row_splits_dtype=tf.int32).row_splits.dtype == tf.int32
    assert tf.ragged.constant([[]]).to_list() == [[]]
    assert isinstance(tf.ragged.constant([1, 2]), tf.Tensor)


def test_constant_errors():
    with pytest.raises(ValueError, match="all scalar values must have the same nesting depth"):
        tf.ragged.constant([[1, [2]]])
    with pytest.raises(ValueError, match="RaggedTensor constructor is private"):
        tf.RaggedTensor([1], [0, 1])


def test_factories():
    v = [1, 2, 3]
    assert tf.RaggedTensor.from_row_splits(v, [0, 2, 3]).to_list() == [[1, 2], [3]]
    assert tf.RaggedTensor.from_row_lengths(v, [2, 0, 1]).to_list() == [[1, 2], [], [3]]
    assert tf.RaggedTensor.from_value_rowids(v, [0, 0, 2], nrows=4).to_list() == [
        [1, 2],
        [],
        [3],
        [],
    ]
    assert tf.RaggedTensor.from_row_starts(v, [0, 1]).to_list() == [[1], [2, 3]]
    assert tf.RaggedTensor.from_row_limits(v, [1, 3]).to_list() == [[1], [2, 3]]
    nested = tf.RaggedTensor.from_nested_row_splits([1, 2, 3, 4], [[0, 2, 3], [0, 2, 3, 4]])
    assert nested.to_list() == [[[1, 2], [3]], [[4]]]
    assert tf.RaggedTensor.from_tensor([[1, 0, 0], [2, 3, 0]], padding=0).to_list() == [[1], [2, 3]]
    assert tf.RaggedTensor.from_tensor([[1, 0, 0], [2, 3, 0]], lengths=[1, 3]).to_list() == [
        [1], [2, 3, 0]]  # fmt: skip
    st = tf.SparseTensor([[0, 0], [0, 1], [2, 0]], [1, 2, 3], [3, 2])
    assert tf.RaggedTensor.from_sparse(st).to_list() == [[1, 2], [], [3]]


def test_factory_validation_errors():
    with pytest.raises(tf.errors.InvalidArgumentError, match="do not form a valid RaggedTensor"):
        tf.RaggedTensor.from_row_splits([1, 2, 3], [0, 2])
    with pytest.raises(tf.errors.InvalidArgumentError, match="from_row_splits do not form a valid "
                       "RaggedTensor:zero"):  # fmt: skip
        tf.RaggedTensor.from_row_splits([1, 2, 3], [1, 3])
    with pytest.raises(tf.errors.InvalidArgumentError, match="RaggedTensor:monotonic"):
        tf.RaggedTensor.from_row_splits([1, 2, 3], [0, 2, 1, 3])


def test_accessors():
    rt = _d()
    assert rt.row_lengths().numpy().tolist() == [4, 0, 3, 1, 0]
    assert rt.value_rowids().numpy().tolist() == [0, 0, 0, 0, 2, 2, 2, 3]
    assert int(rt.nrows()) == 5 and rt.nrows().dtype == tf.int64
    assert rt.bounding_shape().numpy().tolist() == [5, 4]
    assert rt.values.numpy().tolist() == [3, 1, 4, 1, 5, 9, 2, 6]
    r2 = tf.ragged.constant([[[1, 2], [3]], [[4]]])
    assert r2.flat_values.numpy().tolist() == [1, 2, 3, 4]
    assert [s.numpy().tolist() for s in r2.nested_row_splits] == [[0, 2, 3], [0, 2, 3, 4]]
    assert r2.merge_dims(0, 1).to_list() == [[1, 2], [3], [4]]
    assert r2.merge_dims(1, 2).to_list() == [[1, 2, 3], [4]]
    assert r2.merge_dims(0, -1).numpy().tolist() == [1, 2, 3, 4]
    n = rt.numpy()
    assert n.dtype == object and n[2].tolist() == [5, 9, 2]
    assert tf.ragged.constant([[1, 2], [3, 4]]).numpy().tolist() == [[1, 2], [3, 4]]


def test_to_tensor_and_to_sparse():
    rt = _d()
    assert rt.to_tensor().numpy().tolist() == [[3, 1, 4, 1], [0] * 4, [5, 9, 2, 0], [6, 0, 0, 0],
                                               [0] * 4]  # fmt: skip
    assert rt.to_tensor(default_value=-1, shape=[3, 2]).numpy().tolist() == [[3, 1], [-1, -1],
                                                                              [5, 9]]  # fmt: skip
    sp = rt.to_sparse()
    assert sp.indices.numpy().tolist() == [[0, 0], [0, 1], [0, 2], [0, 3], [2, 0], [2, 1], [2, 2],
                                           [3, 0]]  # fmt: skip
    assert sp.dense_shape.numpy().tolist() == [5, 4]


def test_indexing():
    rt = _d()
    assert rt[0].numpy().tolist() == [3, 1, 4, 1]
    assert rt[-1].numpy().tolist() == []
    assert rt[1:3].to_list() == [[], [5, 9, 2]]
    assert rt[:, 1:3].to_list() == [[1, 4], [], [9, 2], [], []]
    with pytest.raises(ValueError, match="Cannot index into an inner ragged dimension."):
        rt[:, 0]


def test_elementwise_dispatch_and_operators():
    rt = _d()
    assert tf.add(rt, 3).to_list() == [[6, 4, 7, 4], [], [8, 12, 5], [9], []]
    assert (rt + rt).to_list() == [[6, 2, 8, 2], [], [10, 18, 4], [12], []]
    assert (-rt).to_list()[0] == [-3, -1, -4, -1]
    assert (rt / 2).to_list()[0] == [1.5, 0.5, 2.0, 0.5]
    assert (rt + tf.constant([[1], [2], [3], [4], [5]])).to_list() == [[4, 2, 5, 2], [], [8, 12, 5],
                                                                       [10], []]  # fmt: skip
    f = tf.ragged.constant([[3.0, 1.0], [4.0]])
    assert tf.math.square(f).to_list() == [[9.0, 1.0], [16.0]]
    assert (rt == rt).to_list()[0] == [True] * 4
    assert tf.cast(rt, tf.float32).dtype == tf.float32
    with pytest.raises(tf.errors.InvalidArgumentError):
        tf.add(tf.ragged.constant([[1], [2, 3]]), tf.ragged.constant([[1, 2], [3]]))


def test_reductions():
    rt = _d()
    f = tf.ragged.constant([[3.0, 1, 4, 1], [], [5, 9, 2], [6], []])
    assert tf.reduce_sum(rt, axis=1).numpy().tolist() == [9, 0, 16, 6, 0]
    assert tf.reduce_max(rt, axis=1).numpy().tolist() == [4, -(2**31), 9, 6, -(2**31)]
    mean = tf.reduce_mean(rt, axis=1)
    assert mean.dtype == tf.float64 and np.isnan(mean.numpy()[1])
    assert tf.reduce_mean(f, axis=1).dtype == tf.float32
    np.testing.assert_allclose(tf.reduce_mean(rt, axis=0).numpy(), [14 / 3, 5, 3, 1])
    assert tf.reduce_sum(rt, axis=0).numpy().tolist() == [14, 10, 6, 1]
    assert int(tf.reduce_sum(rt)) == 31 and float(tf.reduce_mean(rt)) == 3.875
    assert tf.reduce_prod(rt, axis=1).numpy().tolist() == [12, 1, 90, 6, 1]
    assert tf.reduce_sum(rt, axis=1, keepdims=True).shape == (5, 1)
    assert int(tf.reduce_sum(rt, axis=[0, 1])) == 31
    r2 = tf.ragged.constant([[[1, 2], [3]], [[4]]])
    assert tf.reduce_sum(r2, axis=1).to_list() == [[4, 2], [4]]
    assert tf.reduce_sum(r2, axis=2).to_list() == [[3, 3], [4]]
    r3 = tf.ragged.constant([[[1, 2], [3, 4]], [[4, 5]]], ragged_rank=1)
    assert tf.reduce_sum(r3, axis=2).to_list() == [[3, 7], [9]]


def test_concat_stack_tile_map_fn():
    rt = _d()
    assert tf.concat([rt, [[5, 3]]], axis=0).to_list() == DIGITS + [[5, 3]]
    assert tf.concat([rt, rt], axis=1).to_list()[0] == [3, 1, 4, 1, 3, 1, 4, 1]
    assert tf.ragged.stack([rt, rt]).to_list() == [DIGITS, DIGITS]
    assert tf.ragged.stack([rt, rt], axis=1).to_list()[2] == [[5, 9, 2], [5, 9, 2]]
    assert tf.tile(rt, [1, 2]).to_list() == [[3, 1, 4, 1, 3, 1, 4, 1], [], [5, 9, 2, 5, 9, 2],
                                             [6, 6], []]  # fmt: skip
    assert tf.tile(rt, [2, 1]).to_list() == DIGITS + DIGITS
    sq = tf.map_fn(tf.math.square, rt)
    assert isinstance(sq, tf.RaggedTensor) and sq.to_list() == [[9, 1, 16, 1], [], [25, 81, 4],
                                                                [36], []]  # fmt: skip
    sums = tf.map_fn(tf.reduce_sum, rt, fn_output_signature=tf.int32)
    assert sums.numpy().tolist() == [9, 0, 16, 6, 0]


def test_ragged_namespace_functions():
    assert tf.ragged.range([3, 0, 2]).to_list() == [[0, 1, 2], [], [0, 1]]
    assert tf.ragged.range([0, 5], [4, 8], 2).to_list() == [[0, 2], [5, 7]]
    with pytest.raises(tf.errors.InvalidArgumentError, match="Requires delta != 0"):
        tf.ragged.range([1], [3], 0)
    rt = _d()
    assert tf.ragged.boolean_mask(rt, rt > 2).to_list() == [[3, 4], [], [5, 9], [6], []]
    assert tf.ragged.row_splits_to_segment_ids([0, 2, 2, 5]).numpy().tolist() == [0, 0, 2, 2, 2]
    assert tf.ragged.segment_ids_to_row_splits([0, 0, 2]).numpy().tolist() == [0, 2, 2, 3]
    assert tf.ragged.map_flat_values(tf.multiply, rt, 10).to_list()[0] == [30, 10, 40, 10]
    with pytest.raises(ValueError, match="same outer-dimension size"):
        tf.ragged.map_flat_values(lambda x: x[:2], rt)


def test_gradients_reach_flat_values():
    v = tf.constant([1.0, 2.0, 3.0])
    with tf.GradientTape() as tape:
        tape.watch(v)
        rt = tf.RaggedTensor.from_row_lengths(v, [2, 1])
        y = tf.reduce_sum(tf.reduce_max(tf.ragged.map_flat_values(tf.square, rt) * 3.0, axis=1))
    assert tape.gradient(y, v).numpy().tolist() == [0.0, 12.0, 18.0]
    with tf.GradientTape() as tape:
        tape.watch(v)
        dense = tf.RaggedTensor.from_row_lengths(v, [2, 1]).to_tensor(default_value=5.0)
        y = tf.reduce_sum(dense * tf.constant([[1.0, 2.0], [3.0, 4.0]]))
    assert tape.gradient(y, v).numpy().tolist() == [1.0, 2.0, 3.0]
