"""tf.keras.activations against Keras 3 (TF 2.21) goldens."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest

import arroyo as tf

A = tf.keras.activations
DATA = os.path.join(os.path.dirname(__file__), "..", "data", "keras")
G = np.load(os.path.join(DATA, "activations.npz"))
with open(os.path.join(DATA, "activations.json")) as f:
    NAMES = json.load(f)
X8 = np.array([-3.0, -1.0, -0.5, 0.0, 0.5, 1.0, 2.0, 7.0], np.float32)
X23 = np.array([[-1.5, 0.25, 2.0], [3.0, -0.75, 0.1]], np.float32)
PLAIN = sorted({k.split("/")[0] for k in G.files} - {"threshold"})


@pytest.mark.parametrize("name", [n for n in PLAIN if hasattr(A, n)])
def test_values_match_keras3(name):
    fn = getattr(A, name)
    for key, x in (("x8", X8), ("x23", X23)):
        if f"{name}/{key}" not in G.files:
            continue
        got = fn(tf.constant(x))
        assert got.dtype == tf.float32 and tuple(got.shape) == G[f"{name}/{key}"].shape
        np.testing.assert_allclose(got.numpy(), G[f"{name}/{key}"], rtol=2e-6, atol=2e-6)


def test_arguments_match_keras3():
    cases = {
        "relu_args/x8": A.relu(X8, negative_slope=0.1, max_value=5.0, threshold=0.5),
        "relu_max/x8": A.relu(X8, max_value=1.5),
        "relu_thr/x8": A.relu(X8, threshold=0.75),
        "relu_slope/x8": A.relu(X8, negative_slope=0.3),
        "elu_alpha/x8": A.elu(X8, alpha=0.5),
        "leaky_relu_01/x8": A.leaky_relu(X8, negative_slope=0.1),
        "gelu_approx/x8": A.gelu(X8, approximate=True),
        "softmax_axis0/x23": A.softmax(tf.constant(X23), axis=0),
        "softmax_tuple/x23": A.softmax(tf.constant(X23), axis=(0, 1)),
        "log_softmax_axis0/x23": A.log_softmax(tf.constant(X23), axis=0),
        "sparsemax_axis0/x23": A.sparsemax(tf.constant(X23), axis=0),
        "threshold/x8": A.threshold(X8, 0.5, -2.0),
    }
    for key, got in cases.items():
        np.testing.assert_allclose(got.numpy(), G[key], rtol=2e-6, atol=2e-6, err_msg=key)


def test_keras2_alpha_for_relu():
    np.testing.assert_allclose(A.relu(X8, alpha=0.3).numpy(), G["relu_slope/x8"], rtol=1e-6)


def test_serialize_and_get():
    for name, ser in NAMES.items():
        fn = getattr(A, name)
        assert A.serialize(fn) == ser
        assert A.get(ser) is fn or A.get(ser).__name__ == ser
    assert A.get("swish") is A.silu and A.serialize(A.swish) == "silu"
    assert A.get(None) is A.linear
    assert A.get({"class_name": "function", "config": "relu", "module": "keras.activations",
                  "registered_name": None}) is A.relu  # fmt: skip

    def myact(z):
        return z

    assert A.get(myact) is myact
    assert A.serialize(myact) == {"module": "builtins", "class_name": "function",
                                  "config": "myact", "registered_name": "function"}  # fmt: skip
    with pytest.raises(ValueError, match="Could not interpret activation function identifier: foo"):
        A.get("foo")
    with pytest.raises(ValueError, match="identifier: 3"):
        A.get(3)


def test_integer_relu_and_linear():
    r = A.relu(tf.constant([-1, 2]))
    assert r.dtype == tf.int32 and r.numpy().tolist() == [0, 2]
    assert A.linear(tf.constant([1, 2])).numpy().tolist() == [1, 2]


def test_softmax_rank0_errors():
    with pytest.raises(ValueError):
        A.softmax(tf.constant(1.0))


def test_gradients_flow():
    x = tf.Variable(X8)
    for name in ["relu", "gelu", "silu", "mish", "elu", "softplus", "hard_sigmoid", "selu"]:
        with tf.GradientTape() as tape:
            y = tf.reduce_sum(getattr(A, name)(x))
        g = tape.gradient(y, x)
        assert g is not None and g.shape == (8,), name
    with tf.GradientTape() as tape:
        y = tf.reduce_sum(A.relu(x, negative_slope=0.1, max_value=5.0) * X8)
    g = tape.gradient(y, x).numpy()
    np.testing.assert_allclose(g, np.where(X8 > 0, np.where(X8 < 5, X8, 0), 0.1 * X8))
