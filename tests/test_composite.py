"""Composite tensors: TypeSpecs, tf.nest(expand_composites=True), tf.function and tapes."""

import pytest

import arroyo as tf


def _st():
    return tf.SparseTensor(indices=[[0, 0], [1, 2]], values=[1.0, 2.0], dense_shape=[3, 4])


def test_nest_expand_composites():
    st, rt = _st(), tf.ragged.constant([[[1, 2], [3]], [[4]]])
    flat = tf.nest.flatten([st, {"a": rt}], expand_composites=True)
    assert [t.dtype.name for t in flat] == ["int64", "float32", "int64", "int32", "int64", "int64"]
    assert flat[3].numpy().tolist() == [1, 2, 3, 4]  # ragged: flat_values first, then splits
    assert flat[4].numpy().tolist() == [0, 2, 3] and flat[5].numpy().tolist() == [0, 2, 3, 4]
    assert tf.nest.flatten([st, 1]) == [st, 1]
    back = tf.nest.pack_sequence_as([st, {"a": rt}], flat, expand_composites=True)
    assert isinstance(back[0], tf.SparseTensor) and back[1]["a"].to_list() == rt.to_list()
    doubled = tf.nest.map_structure(lambda x: x * 2 if x.dtype == tf.int32 else x, rt,
                                    expand_composites=True)  # fmt: skip
    assert doubled.to_list() == [[[2, 4], [6]], [[8]]]
    specs = tf.nest.flatten(tf.RaggedTensorSpec([2, None], tf.int32), expand_composites=True)
    assert [repr(s) for s in specs] == [
        "TensorSpec(shape=(None,), dtype=tf.int32, name=None)",
        "TensorSpec(shape=(3,), dtype=tf.int64, name=None)",
    ]
    sspecs = tf.nest.flatten(tf.SparseTensorSpec([2, None], tf.int32), expand_composites=True)
    assert [s.shape.as_list() for s in sspecs] == [[None, 2], [None], [2]]


def test_type_specs():
    rt = tf.ragged.constant([[[1, 2], [3]], [[4]]])
    assert tf.RaggedTensorSpec([2, None], tf.int32).is_compatible_with(rt) is False
    assert tf.RaggedTensorSpec(None, tf.int32, ragged_rank=2).is_compatible_with(rt) is True
    assert tf.SparseTensorSpec([None, 4], tf.float32).is_compatible_with(_st())
    assert not tf.SparseTensorSpec([None, 5], tf.float32).is_compatible_with(_st())
    a = tf.SparseTensorSpec([None, 4], tf.float32)
    assert a == tf.SparseTensorSpec([None, 4], tf.float32)
    assert hash(a) == hash(tf.SparseTensorSpec([None, 4], tf.float32))
    assert a.most_specific_common_supertype([tf.SparseTensorSpec([3, 4], tf.float32)]) == a
    assert repr(tf.RaggedTensorSpec([None, None])) == (
        "RaggedTensorSpec(TensorShape([None, None]), tf.float32, 1, tf.int64)"
    )
    assert repr(tf.RaggedTensorSpec(dtype=tf.int32, ragged_rank=1)) == (
        "RaggedTensorSpec(TensorShape(None), tf.int32, 1, tf.int64)"
    )
    assert tf.RaggedTensorSpec([3, None, 4]).ragged_rank == 2
    with pytest.raises(ValueError, match="Must specify ragged_rank or a shape with a known rank"):
        tf.RaggedTensorSpec()


def test_function_retraces_by_spec():
    traces = []

    @tf.function
    def f(rt):
        traces.append(1)
        return rt * 2 + 1

    out = f(tf.ragged.constant([[1, 2], [3]]))
    assert isinstance(out, tf.RaggedTensor) and out.to_list() == [[3, 5], [7]]
    assert f(tf.ragged.constant([[4, 5, 6], [7]])).to_list() == [[9, 11, 13], [15]]  # same spec
    assert len(traces) == 1
    assert f(tf.ragged.constant([[1, 2, 5], [3], []])).to_list() == [[3, 5, 11], [7], []]
    assert f(tf.ragged.constant([[1], [3]], dtype=tf.int64)).dtype == tf.int64
    assert len(traces) == 3


def test_function_input_signature():
    @tf.function(input_signature=[tf.RaggedTensorSpec([None, None], tf.float32)])
    def g(rt):
        return tf.reduce_sum(rt, axis=1), rt.flat_values

    s, flat = g(tf.ragged.constant([[1.0, 2.0], [3.0]]))
    assert s.numpy().tolist() == [3.0, 3.0] and flat.numpy().tolist() == [1.0, 2.0, 3.0]
    assert g(tf.ragged.constant([[1.0], [2.0], []]))[0].numpy().tolist() == [1.0, 2.0, 0.0]
    with pytest.raises(TypeError, match=r"Can not cast TensorSpec\(shape=\(3,\), dtype=tf.int32, "
                       r"name=None\) to TensorSpec\(shape=\(None,\), dtype=tf.float32"):  # fmt: skip
        g(tf.ragged.constant([[1, 2], [3]]))
    cf = g.get_concrete_function()
    assert [t.shape.as_list() for t in cf.structured_outputs] == [[None], [None]]


def test_function_sparse_in_and_out():
    @tf.function
    def h(st, d):
        return tf.sparse.sparse_dense_matmul(st, d), tf.sparse.reorder(st)

    st = tf.SparseTensor([[0, 1], [1, 0]], [2.0, 3.0], [2, 2])
    mm, re = h(st, tf.ones([2, 2]))
    assert mm.numpy().tolist() == [[2.0, 2.0], [3.0, 3.0]]
    assert isinstance(re, tf.SparseTensor) and re.shape == (2, 2)
    assert re.values.numpy().tolist() == [2.0, 3.0]

    @tf.function(input_signature=[tf.SparseTensorSpec([None, 2], tf.float32)])
    def total(st):
        return tf.sparse.reduce_sum(st)

    assert float(total(st)) == 5.0


def test_gradient_through_function_with_ragged_argument():
    @tf.function
    def f(rt):
        return rt * 2.0 + 1.0

    v = tf.constant([1.0, 2.0, 3.0])
    with tf.GradientTape() as tape:
        tape.watch(v)
        y = tf.reduce_sum(f(tf.RaggedTensor.from_row_lengths(v, [2, 1])).flat_values)
    assert tape.gradient(y, v).numpy().tolist() == [2.0, 2.0, 2.0]


def test_is_tensor_accepts_composites():
    assert tf.is_tensor(tf.SparseTensor([[0, 0]], [1.0], [2, 2]))
    assert tf.is_tensor(tf.ragged.constant([[1], [2, 3]]))
    assert not tf.is_tensor([1]) and not tf.is_tensor(None)
