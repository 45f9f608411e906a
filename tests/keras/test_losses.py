"""tf.keras.losses against Keras 3 (TF 2.21) goldens."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest

import arroyo as tf

L = tf.keras.losses
DATA = os.path.join(os.path.dirname(__file__), "..", "data", "keras")
G = np.load(os.path.join(DATA, "losses.npz"))
with open(os.path.join(DATA, "losses.json")) as f:
    META = json.load(f)
D = {k[3:]: G[k] for k in G.files if k.startswith("in/")}

CASES = {
    "mse": ("MeanSquaredError", {}, "y", "p"),
    "mae": ("MeanAbsoluteError", {}, "y", "p"),
    "mape": ("MeanAbsolutePercentageError", {}, "y", "p"),
    "msle": ("MeanSquaredLogarithmicError", {}, "ypos", "ppos"),
    "huber": ("Huber", {}, "y", "p"),
    "huber_d2": ("Huber", {"delta": 0.5}, "y", "p"),
    "logcosh": ("LogCosh", {}, "y", "p"),
    "kld": ("KLDivergence", {}, "pb", "pb2"),
    "poisson": ("Poisson", {}, "ypos", "ppos"),
    "cosine": ("CosineSimilarity", {}, "y", "p"),
    "cosine_axis0": ("CosineSimilarity", {"axis": 0}, "y", "p"),
    "hinge": ("Hinge", {}, "yb", "logits"),
    "squared_hinge": ("SquaredHinge", {}, "yb", "logits"),
    "categorical_hinge": ("CategoricalHinge", {}, "yc", "lc"),
    "bce": ("BinaryCrossentropy", {}, "yb", "pb"),
    "bce_logits": ("BinaryCrossentropy", {"from_logits": True}, "yb", "logits"),
    "bce_smooth": ("BinaryCrossentropy", {"label_smoothing": 0.2}, "yb", "pb"),
    "bfce": ("BinaryFocalCrossentropy", {}, "yb", "pb"),
    "bfce_bal_logits": ("BinaryFocalCrossentropy", {"apply_class_balancing": True,
                                                    "from_logits": True}, "yb", "logits"),
    "cce": ("CategoricalCrossentropy", {}, "yc", "pc"),
    "cce_logits": ("CategoricalCrossentropy", {"from_logits": True}, "yc", "lc"),
    "cce_smooth": ("CategoricalCrossentropy", {"label_smoothing": 0.1, "from_logits": True},
                   "yc", "lc"),
    "cfce": ("CategoricalFocalCrossentropy", {}, "yc", "pc"),
    "scce": ("SparseCategoricalCrossentropy", {}, "ys", "pc"),
    "scce_logits": ("SparseCategoricalCrossentropy", {"from_logits": True}, "ys", "lc"),
    "scce_ignore": ("SparseCategoricalCrossentropy", {"from_logits": True, "ignore_class": 3},
                    "ys", "lc"),
    "scce_col": ("SparseCategoricalCrossentropy", {"from_logits": True}, "ys_col", "lc"),
}  # fmt: skip
REDUCTIONS = ["sum_over_batch_size", "sum", "none", "mean_with_sample_weight"]
TOL = dict(rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("case", sorted(CASES))
def test_values_match_keras3(case, reduction):
    cls, kw, yk, pk = CASES[case]
    obj = getattr(L, cls)(reduction=reduction, **kw)
    got = obj(D[yk], D[pk])
    assert got.dtype == tf.float32
    np.testing.assert_allclose(got.numpy(), G[f"{case}/{reduction}"], **TOL)
    if f"{case}/{reduction}/sw" in G.files:
        got = obj(tf.constant(D[yk]), tf.constant(D[pk]), sample_weight=D["sw"])
        np.testing.assert_allclose(got.numpy(), G[f"{case}/{reduction}/sw"], **TOL)


@pytest.mark.parametrize("case", sorted(CASES))
def test_config_and_serialize_match_keras3(case):
    cls, kw, _, _ = CASES[case]
    obj = getattr(L, cls)(**kw)
    assert obj.get_config() == META["config"][case]
    assert L.serialize(obj) == META["serialize"][case]
    back = L.deserialize(L.serialize(obj))
    assert type(back) is type(obj) and back.get_config() == obj.get_config()


@pytest.mark.parametrize("case", ["mse", "huber", "bce", "bce_logits", "cce", "cce_logits",
                                  "scce_logits", "logcosh", "cosine"])  # fmt: skip
def test_gradients_match_keras3(case):
    cls, kw, yk, pk = CASES[case]
    p = tf.Variable(D[pk])
    with tf.GradientTape() as tape:
        v = getattr(L, cls)(**kw)(D[yk], p)
    np.testing.assert_allclose(tape.gradient(v, p).numpy(), G[f"{case}/grad"], **TOL)


def test_function_forms():
    for alias, name in META["function_names"].items():
        assert getattr(L, alias).__name__ == name
    per_sample = L.mse(D["y"], D["p"])
    assert per_sample.shape == (4,)
    np.testing.assert_allclose(per_sample.numpy(), G["mse/none"], **TOL)
    np.testing.assert_allclose(
        L.sparse_categorical_crossentropy(D["ys"], D["lc"], from_logits=True).numpy(),
        G["scce_logits/none"], **TOL)  # fmt: skip
    assert L.mean_squared_error is L.MSE is L.mse  # Keras 2's long name kept


def test_get_and_reductions():
    assert L.get("mse") is L.mean_squared_error
    assert L.get("mean_squared_error") is L.mean_squared_error
    assert type(L.get("MeanSquaredError")) is L.MeanSquaredError
    assert L.get(None) is None
    obj = L.Huber()
    assert L.get(obj) is obj
    with pytest.raises(ValueError, match="Could not interpret loss identifier: foo"):
        L.get("foo")
    with pytest.raises(ValueError, match="Invalid value for argument `reduction`"):
        L.MeanSquaredError(reduction="foo")
    # Keras 2's names are accepted.
    assert L.Reduction.SUM == "sum" and L.Reduction.AUTO == "auto"
    r = L.MeanSquaredError(reduction=L.Reduction.AUTO)(D["y"], D["p"])
    np.testing.assert_allclose(r.numpy(), G["mse/sum_over_batch_size"], **TOL)
    r = L.MeanSquaredError(reduction=L.Reduction.NONE)(D["y"], D["p"])
    assert r.shape == (4,)
    assert L.MeanSquaredError().name == "mean_squared_error"
    assert L.SparseCategoricalCrossentropy().reduction == "sum_over_batch_size"


def test_integer_targets_and_2d_weights():
    r = L.MeanSquaredError()(tf.constant([1, 2]), tf.constant([1.0, 3.0]))
    assert r.dtype == tf.float32 and abs(float(r.numpy()) - 0.5) < 1e-7
    y = tf.constant([[0.0, 1.0], [1.0, 0.0]])
    p = tf.constant([[0.3, 0.6], [0.8, 0.1]])
    r = L.MeanSquaredError()(y, p, sample_weight=[[1.0, 0.0], [0.0, 1.0]])
    np.testing.assert_allclose(float(r.numpy()), 0.0375, rtol=1e-5)


def test_loss_in_function_and_subclass():
    class Abs(L.Loss):
        def call(self, y_true, y_pred):
            return tf.reduce_mean(tf.abs(y_true - y_pred), axis=-1)

    f = tf.function(lambda y, p: Abs()(y, p))
    np.testing.assert_allclose(f(tf.constant(D["y"]), tf.constant(D["p"])).numpy(),
                               G["mae/sum_over_batch_size"], **TOL)  # fmt: skip
    assert Abs().name == "abs"
