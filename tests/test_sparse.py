"""tf.SparseTensor and tf.sparse: construction, reprs, errors and the composed ops.

Expected values, reprs and messages are TF 2.21's (recorded with /root/tfvenv).
"""

import numpy as np
import pytest

import arroyo as tf


def _st():
    return tf.SparseTensor(indices=[[0, 0], [1, 2]], values=[1, 2], dense_shape=[3, 4])


def test_components_dtypes_and_shape():
    st = _st()
    assert st.indices.dtype == tf.int64 and st.dense_shape.dtype == tf.int64
    assert st.values.dtype == tf.int32 and st.dtype == tf.int32
    assert st.shape == (3, 4) and st.shape.as_list() == [3, 4]
    assert tf.sparse.SparseTensor is tf.SparseTensor


def test_repr_matches_tf():
    assert repr(_st()) == (
        "SparseTensor(indices=tf.Tensor(\n[[0 0]\n [1 2]], shape=(2, 2), dtype=int64), "
        "values=tf.Tensor([1 2], shape=(2,), dtype=int32), "
        "dense_shape=tf.Tensor([3 4], shape=(2,), dtype=int64))"
    )
    assert str(_st()) == repr(_st())
    assert repr(_st()._type_spec) == "SparseTensorSpec(TensorShape([3, 4]), tf.int32)"
    assert repr(tf.SparseTensorSpec([None, 3], tf.float32)) == (
        "SparseTensorSpec(TensorShape([None, 3]), tf.float32)"
    )


def test_constructor_shape_errors():
    with pytest.raises(ValueError, match="Dimensions 1 and 2 are not compatible"):
        tf.SparseTensor([[0, 0]], [1, 2], [2, 2])
    with pytest.raises(ValueError, match=r"Shape \(2,\) must have rank 2"):
        tf.SparseTensor([0, 0], [1], [2, 2])


def test_to_dense_validation_errors():
    with pytest.raises(
        tf.errors.InvalidArgumentError,
        match=r"indices\[0\] = \[5,0\] is out of bounds: need 0 <= index < \[2,2\]",
    ):
        tf.sparse.to_dense(tf.SparseTensor([[5, 0]], [1], [2, 2]))
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"indices\[1\] = \[0,0\] is out of "
                       r"order. Many sparse ops require sorted indices."):  # fmt: skip
        tf.sparse.to_dense(tf.SparseTensor([[1, 0], [0, 0]], [1, 2], [2, 2]))
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"indices\[1\] = \[1,0\] is repeated"):
        tf.sparse.to_dense(tf.SparseTensor([[1, 0], [1, 0]], [1, 2], [2, 2]))
    # unvalidated: any order is accepted
    out = tf.sparse.to_dense(tf.SparseTensor([[1, 0], [0, 0]], [1, 2], [2, 2]),
                             validate_indices=False)  # fmt: skip
    assert out.numpy().tolist() == [[2, 0], [1, 0]]


def test_operators_with_dense():
    st = tf.SparseTensor([[0, 1], [1, 0]], [1.5, 2.0], [2, 2])
    assert (st * 2.0).values.numpy().tolist() == [3.0, 4.0]
    assert (st * tf.constant([[1.0, 2.0], [3.0, 4.0]])).values.numpy().tolist() == [3.0, 6.0]
    assert (st / tf.constant([2.0, 4.0])).values.numpy().tolist() == [0.375, 1.0]
    with pytest.raises(TypeError):
        _ = 2.0 * st
    with pytest.raises(TypeError):
        _ = st + st
    with pytest.raises(tf.errors.InvalidArgumentError, match="broadcasts dense to sparse only"):
        _ = st * tf.ones([2, 2, 2])
    assert tf.abs(tf.math.negative(st)).values.numpy().tolist() == [1.5, 2.0]
    assert st.with_values(st.values * 10).values.numpy().tolist() == [15.0, 20.0]


def test_add_threshold_applies_to_summed_entries_only():
    a = tf.SparseTensor([[0, 0], [1, 1]], [1.0, 0.5], [2, 2])
    b = tf.SparseTensor([[0, 0], [1, 0]], [-0.9, 2.0], [2, 2])
    s = tf.sparse.add(a, b, threshold=0.5)
    assert s.indices.numpy().tolist() == [[1, 0], [1, 1]]
    assert s.values.numpy().tolist() == [2.0, 0.5]
    s0 = tf.sparse.add(a, b)
    assert s0.indices.numpy().tolist() == [[0, 0], [1, 0], [1, 1]]


def test_reduce_max_ignores_implicit_zeros():
    x = tf.SparseTensor([[0, 0], [0, 2], [2, 1]], [-1.0, -3.0, 2.0], [3, 3])
    assert tf.sparse.reduce_max(x, 1).numpy().tolist() == [-1.0, 0.0, 2.0]
    assert float(tf.sparse.reduce_max(x)) == 2.0
    assert tf.sparse.reduce_sum(x, 1, keepdims=True).numpy().tolist() == [[-4.0], [0.0], [2.0]]
    sp = tf.sparse.reduce_max(x, 1, output_is_sparse=True)
    assert sp.indices.numpy().tolist() == [[0], [2]] and sp.values.numpy().tolist() == [-1.0, 2.0]


def test_composed_ops():
    st = tf.SparseTensor([[0, 1], [1, 0], [2, 2]], [1, 2, 3], [3, 3])
    assert tf.sparse.retain(st, [True, False, True]).values.numpy().tolist() == [1, 3]
    t = tf.sparse.transpose(st)
    assert t.indices.numpy().tolist() == [[0, 1], [1, 0], [2, 2]]
    assert (
        tf.sparse.to_dense(t).numpy().tolist()
        == tf.transpose(tf.sparse.to_dense(st)).numpy().tolist()
    )
    e = tf.sparse.expand_dims(st, -1)
    assert e.shape == (3, 3, 1) and e.indices.numpy().tolist() == [[0, 1, 0], [1, 0, 0], [2, 2, 0]]
    ind = tf.sparse.to_indicator(tf.SparseTensor([[0, 0], [0, 1], [1, 0]], [0, 3, 1], [2, 2]), 4)
    assert ind.dtype == tf.bool
    assert ind.numpy().tolist() == [[True, False, False, True], [False, True, False, False]]
    assert tf.sparse.to_dense(tf.sparse.eye(2, 3)).numpy().tolist() == [[1, 0, 0], [0, 1, 0]]
    assert tf.sparse.map_values(tf.multiply, st, 5).values.numpy().tolist() == [5, 10, 15]
    assert tf.sparse.reset_shape(st).dense_shape.numpy().tolist() == [3, 3]
    fd = tf.sparse.from_dense([[0, 3], [4, 0]])
    assert fd.indices.numpy().tolist() == [[0, 1], [1, 0]] and fd.values.dtype == tf.int32
    out, empty = tf.sparse.fill_empty_rows(tf.SparseTensor([[1, 0]], [5], [3, 2]), -1)
    assert out.indices.numpy().tolist() == [[0, 0], [1, 0], [2, 0]]
    assert out.values.numpy().tolist() == [-1, 5, -1]
    assert empty.numpy().tolist() == [True, False, True]
    parts = tf.sparse.split(sp_input=st, num_split=2, axis=1)
    assert [p.dense_shape.numpy().tolist() for p in parts] == [[3, 2], [3, 1]]


def test_sparse_dense_matmul_dense_times_sparse():
    st = tf.SparseTensor([[0, 1], [1, 0]], [2.0, 3.0], [2, 2])
    a = tf.constant([[1.0, 2.0], [3.0, 4.0]])
    want = a.numpy() @ tf.sparse.to_dense(st).numpy()
    np.testing.assert_allclose(tf.sparse.sparse_dense_matmul(a, st).numpy(), want)


def test_sparse_ops_trace_inside_tf_function():
    @tf.function
    def f(st, d):
        return tf.sparse.sparse_dense_matmul(st, d), tf.sparse.reduce_sum(st, axis=1)

    st = tf.SparseTensor([[0, 1], [1, 0]], [2.0, 3.0], [2, 2])
    mm, rs = f(st, tf.ones([2, 3]))
    assert mm.numpy().tolist() == [[2.0] * 3, [3.0] * 3]
    assert rs.numpy().tolist() == [2.0, 3.0]
    st2 = tf.SparseTensor([[0, 0], [0, 1], [1, 1]], [1.0, 1.0, 5.0], [2, 2])
    mm2, rs2 = f(st2, tf.ones([2, 3]))  # same spec, other nnz: the same trace
    assert rs2.numpy().tolist() == [2.0, 5.0]
    assert f.experimental_get_tracing_count() == 1


def test_gradients_of_sparse_dense_matmul():
    vals = tf.constant([2.0, 3.0])
    b = tf.constant([[1.0, 2.0], [3.0, 4.0]])
    with tf.GradientTape() as tape:
        tape.watch([vals, b])
        st = tf.SparseTensor([[0, 1], [1, 0]], vals, [2, 2])
        y = tf.reduce_sum(tf.sparse.sparse_dense_matmul(st, b))
    gv, gb = tape.gradient(y, [vals, b])
    assert gv.numpy().tolist() == [7.0, 3.0]  # row sums of b at each entry's column
    assert gb.numpy().tolist() == [[3.0, 3.0], [2.0, 2.0]]
