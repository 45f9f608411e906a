"""SavedModels written by real TensorFlow 2.21 (tools/make_saved_model_fixtures.py) load in
arroyo and give TF's recorded outputs."""

from __future__ import annotations

import os

import numpy as np
import pytest

pytest.importorskip("google.protobuf")

import arroyo as tf  # noqa: E402

DATA = os.path.join(os.path.dirname(os.path.dirname(__file__)), "data", "saved_models")


def _expected(name):
    return np.load(os.path.join(DATA, name, "expected.npz"))


def _inputs(exp, key):
    args = [exp[f"{key}/in/{i}"] for i in range(10) if f"{key}/in/{i}" in exp.files]
    kwargs = {k.split("/")[-1]: exp[k] for k in exp.files if k.startswith(f"{key}/kw/")}
    return args, kwargs


def _check(exp, key, out):
    want = {k.split("/")[-1]: exp[k] for k in exp.files if k.startswith(f"{key}/out/")}
    if isinstance(out, dict):
        got = {k: v.numpy() for k, v in out.items()}
    else:
        got = {str(i): v.numpy() for i, v in enumerate(tf.nest.flatten(out))}
    assert sorted(got) == sorted(want)
    for k in want:
        assert got[k].dtype == want[k].dtype, (key, k)
        assert got[k].shape == want[k].shape, (key, k)
        np.testing.assert_allclose(got[k], want[k], rtol=1e-6, atol=1e-7, err_msg=f"{key}/{k}")


def test_mlp_module_and_serving_signature():
    exp = _expected("mlp")
    m = tf.saved_model.load(os.path.join(DATA, "mlp"))
    assert list(m.signatures) == ["serving_default"]
    (x,), _ = _inputs(exp, "call")
    _check(exp, "call", m(tf.constant(x)))
    _, kw = _inputs(exp, "serving_default")
    _check(
        exp,
        "serving_default",
        m.signatures["serving_default"](features=tf.constant(kw["features"])),
    )
    assert m.hidden.w.shape == (4, 8) and m.out.b.shape == (3,)
    assert m.tensorflow_version == "2.21.0"


def test_mlp_rejects_other_shapes():
    m = tf.saved_model.load(os.path.join(DATA, "mlp"))
    with pytest.raises(TypeError, match="Can not cast"):
        m(tf.ones([2, 5]))


def test_multiply_seed_module():
    exp = _expected("multiply")
    m = tf.saved_model.load(os.path.join(DATA, "multiply"))
    (x,), _ = _inputs(exp, "multiply")
    _check(exp, "multiply", m.multiply(tf.constant(x)))
    assert int(m.weight.numpy()) == 3
    with pytest.raises(ValueError, match="Could not find matching concrete function"):
        m.multiply(tf.constant([1, 2]))


# Arguments the fixture passed as Python values (recorded as arrays in expected.npz).
_PYTHON_ARGS = {("apply_mat_once", "times"), ("apply_three", 1)}


@pytest.mark.parametrize(
    "key, fn",
    [
        ("apply_vec", "apply"),
        ("apply_mat_once", "apply"),
        ("apply_three", "apply"),
        ("branch_pos", "branch"),
        ("branch_neg", "branch"),
        ("loop", "loop"),
        ("lookup", "lookup"),
    ],
)
def test_features(key, fn):
    exp = _expected("features")
    m = tf.saved_model.load(os.path.join(DATA, "features"))
    args, kwargs = _inputs(exp, key)
    args = [a.item() if (key, i) in _PYTHON_ARGS else tf.constant(a) for i, a in enumerate(args)]
    kwargs = {
        k: v.item() if (key, k) in _PYTHON_ARGS else tf.constant(v) for k, v in kwargs.items()
    }
    _check(exp, key, getattr(m, fn)(*args, **kwargs))


def test_features_stateful_and_signatures():
    exp = _expected("features")
    m = tf.saved_model.load(os.path.join(DATA, "features"))
    _check(exp, "bump1", m.bump())
    _check(exp, "bump2", m.bump())
    assert int(m.counter.numpy()) == 2
    assert sorted(m.signatures) == ["branch", "lookup"]
    _, kw = _inputs(exp, "sig_lookup")
    _check(exp, "sig_lookup", m.signatures["lookup"](**{k: tf.constant(v) for k, v in kw.items()}))
    (x,), _ = _inputs(exp, "sig_branch")
    _check(exp, "sig_branch", m.signatures["branch"](tf.constant(x)))
    assert isinstance(m.blocks, list) and float(m.blocks[1].scale.numpy()) == 3.0


def test_tf_model_resaved_by_arroyo(tmp_path):
    exp = _expected("mlp")
    m = tf.saved_model.load(os.path.join(DATA, "mlp"))
    tf.saved_model.save(m, str(tmp_path / "again"))
    again = tf.saved_model.load(str(tmp_path / "again"))
    (x,), _ = _inputs(exp, "call")
    _check(exp, "call", again(tf.constant(x)))
    _, kw = _inputs(exp, "serving_default")
    _check(
        exp,
        "serving_default",
        again.signatures["serving_default"](features=tf.constant(kw["features"])),
    )


@pytest.mark.parametrize(
    "key, fn", [("call", "call"), ("cumulative", "cumulative"), ("stats", "stats")]
)
def test_captures_nested_calls_and_tensor_arrays(key, fn):
    """Captured eager tensors (constant nodes), a tf.function calling another, TensorArrays in
    a loop, map_fn."""
    exp = _expected("captures")
    m = tf.saved_model.load(os.path.join(DATA, "captures"))
    (x,), _ = _inputs(exp, key)
    _check(exp, key, getattr(m, fn)(tf.constant(x)))


def test_captures_stateful_branch():
    exp = _expected("captures")
    m = tf.saved_model.load(os.path.join(DATA, "captures"))
    _check(exp, "count_pos", m.count_positive(tf.constant(2.0)))
    _check(exp, "count_neg", m.count_positive(tf.constant(-2.0)))
    assert int(m.hits.numpy()) == 1


def test_gradients_through_tf_made_function():
    m = tf.saved_model.load(os.path.join(DATA, "mlp"))
    x = tf.constant(_expected("mlp")["call/in/0"])
    with tf.GradientTape() as tape:
        y = tf.reduce_sum(m(x) * tf.constant([1.0, -2.0, 0.5]))
    grads = tape.gradient(y, [m.hidden.w, m.out.w, m.out.b])
    with tf.GradientTape() as tape:
        h = tf.nn.relu(tf.matmul(x, m.hidden.w) + m.hidden.b)
        p = tf.nn.softmax(tf.nn.relu(tf.matmul(h, m.out.w) + m.out.b))
        y2 = tf.reduce_sum(p * tf.constant([1.0, -2.0, 0.5]))
    want = tape.gradient(y2, [m.hidden.w, m.out.w, m.out.b])
    for g, w in zip(grads, want):
        np.testing.assert_allclose(g.numpy(), w.numpy(), rtol=1e-5, atol=1e-6)


def test_keras_export():
    """A Keras 3 CNN exported by TF with `model.export()` (Conv2D, BatchNorm, MaxPool, Dense)."""
    exp = _expected("keras_export")
    m = tf.saved_model.load(os.path.join(DATA, "keras_export"))
    assert sorted(m.signatures) == ["serve", "serving_default"]
    (x,), _ = _inputs(exp, "serve")
    _check(exp, "serve", m.serve(tf.constant(x)))
    _check(exp, "serving_default", m.signatures["serving_default"](tf.constant(x)))
    assert len(m.variables) == 9 and len(m.trainable_variables) == 6
