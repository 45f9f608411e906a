"""tf.Variable against TensorFlow 2.21 (goldens, group "variables") and behaviour checks."""

from __future__ import annotations

import importlib.util
import os

import numpy as np
import pytest

import arroyo as tf

_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_spec = importlib.util.spec_from_file_location(
    "make_core_goldens", os.path.join(_ROOT, "tools", "make_core_goldens.py")
)
goldens = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(goldens)


@pytest.mark.parametrize("code", goldens.case_ids("variables"))
def test_tf_golden(code):
    goldens.pytest_check(tf, "variables", code)


def test_creation():
    v = tf.Variable(lambda: tf.ones([2]), name="w", trainable=False)
    assert v.name == "w:0" and not v.trainable and v.shape == [2] and v.dtype is tf.float32
    assert isinstance(v, tf.Variable) and type(v).__name__ == "ResourceVariable"
    assert tf.Variable(1, dtype=tf.float64).dtype is tf.float64
    with tf.name_scope("outer"):
        assert tf.Variable(1.0, name="k").name == "outer/k:0"


def test_unknown_shape_variable_takes_new_shapes():
    v = tf.Variable([1.0, 2.0], shape=tf.TensorShape(None))
    v.assign([1.0, 2.0, 3.0])
    assert v.shape.rank is None and v.numpy().tolist() == [1.0, 2.0, 3.0]
    w = tf.Variable([1.0], shape=[None])
    w.assign([4.0, 5.0])
    assert w.shape.as_list() == [None]
    with pytest.raises(ValueError, match="Shape mismatch"):
        tf.Variable([1.0, 2.0]).assign([1.0])


def test_assign_family_returns_unread_views():
    v = tf.Variable(1.0)
    u = v.assign(2.0)
    assert u is not v and u.name == "UnreadVariable" and float(u) == 2.0
    v.assign(5.0)
    assert float(u) == 5.0  # a view, read when used
    assert v.assign_add(1.0, read_value=False) is None and float(v) == 6.0
    assert float(v.assign_sub(2.0)) == 4.0
    u.assign(9.0)
    assert float(v) == 9.0


def test_dtype_and_shape_errors():
    v = tf.Variable([1.0, 2.0])
    with pytest.raises(
        ValueError, match="Tensor conversion requested dtype float32 for Tensor with dtype int32"
    ):
        v.assign(tf.constant([1, 2]))
    with pytest.raises(TypeError, match="Cannot convert"):
        tf.Variable([1, 2]).assign([1.5, 2.5])
    with pytest.raises(tf.errors.InvalidArgumentError, match="shapes must be equal"):
        v.assign_add(1.0)


def test_reads_are_snapshots():
    v = tf.Variable([1.0, 2.0])
    r = v.read_value()
    v.assign([3.0, 4.0])
    assert r.numpy().tolist() == [1.0, 2.0] and v.value().numpy().tolist() == [3.0, 4.0]


def test_scatter_updates():
    v = tf.Variable([1.0, 2.0, 3.0, 4.0])
    v.scatter_update(tf.IndexedSlices(tf.constant([10.0, 20.0]), tf.constant([1, 3])))
    assert v.numpy().tolist() == [1.0, 10.0, 3.0, 20.0]
    v.scatter_add(tf.IndexedSlices(tf.constant([1.0, 1.0]), tf.constant([0, 0])))
    assert v.numpy().tolist() == [3.0, 10.0, 3.0, 20.0]
    v.scatter_nd_update([[2]], [7.0])
    assert v.numpy().tolist() == [3.0, 10.0, 7.0, 20.0]
    with pytest.raises(
        tf.errors.InvalidArgumentError, match=r"indices\[0\] = 9 is not in \[0, 4\)"
    ):
        v.scatter_update(tf.IndexedSlices(tf.constant([1.0]), tf.constant([9])))
    with pytest.raises(TypeError, match="must be a `tf.IndexedSlices`"):
        v.scatter_update([1.0])


def test_sliced_assign():
    v = tf.Variable([[1.0, 2.0], [3.0, 4.0]])
    v[:, 1].assign([7.0, 8.0])
    v[0, 0].assign(0.0)
    assert v.numpy().tolist() == [[0.0, 7.0], [3.0, 8.0]]
    with pytest.raises(tf.errors.InvalidArgumentError, match="Cannot broadcast"):
        v[0].assign([1.0, 2.0, 3.0])
    with pytest.raises(AttributeError):
        tf.constant([1.0])[0].assign(1.0)


def test_used_wherever_a_tensor_is():
    v = tf.Variable([[1.0, 2.0]])
    assert tf.matmul(v, tf.transpose(v)).numpy().tolist() == [[5.0]]
    assert (v + v).numpy().tolist() == [[2.0, 4.0]]
    assert np.asarray(v).tolist() == [[1.0, 2.0]]
    assert tf.reduce_sum(v).numpy() == 3.0
    assert tf.concat([v, v], 0).shape == [2, 2]
    assert tf.convert_to_tensor(v).dtype is tf.float32


def test_gradient_flows_to_variable():
    v = tf.Variable([1.0, 2.0])
    with tf.GradientTape() as g:
        y = tf.reduce_sum(v * v)
    assert g.gradient(y, v).numpy().tolist() == [2.0, 4.0]
    with tf.GradientTape() as g:
        y = tf.reduce_sum(v.assign([3.0, 4.0]) * 1.0)
    assert g.gradient(y, v).numpy().tolist() == [1.0, 1.0]


def test_sparse_read_gradient_is_indexed_slices():
    pytest.importorskip("arroyo.ops.gather_ops")
    v = tf.Variable([1.0, 2.0, 3.0])
    with tf.GradientTape() as g:
        y = tf.reduce_sum(v.sparse_read([0, 2]) * 2.0)
    grad = g.gradient(y, v)
    assert isinstance(grad, tf.IndexedSlices)
    assert tf.convert_to_tensor(grad).numpy().tolist() == [2.0, 0.0, 2.0]


def test_copy_and_pickle():
    import copy
    import pickle

    v = tf.Variable([1.0, 2.0], name="p")
    w = copy.deepcopy(v)
    w.assign([0.0, 0.0])
    assert v.numpy().tolist() == [1.0, 2.0]
    p = pickle.loads(pickle.dumps(v))
    assert p.numpy().tolist() == [1.0, 2.0] and p.name == "p:0"
    assert copy.copy(v) is v
