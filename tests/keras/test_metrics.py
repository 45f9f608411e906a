"""tf.keras.metrics against Keras 3 (TF 2.21) goldens."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest

import arroyo as tf

M = tf.keras.metrics
DATA = os.path.join(os.path.dirname(__file__), "..", "data", "keras")
G = np.load(os.path.join(DATA, "metrics.npz"))
with open(os.path.join(DATA, "metrics.json")) as f:
    META = json.load(f)
D = {k[3:]: G[k] for k in G.files if k.startswith("in/")}

CASES = {
    "mean_values": ("Mean", {}, None, "y"),
    "sum_values": ("Sum", {}, None, "y"),
    "accuracy": ("Accuracy", {}, "yb", "yb2"),
    "binary_accuracy": ("BinaryAccuracy", {}, "yb", "pb"),
    "binary_accuracy_t": ("BinaryAccuracy", {"threshold": 0.7}, "yb", "pb"),
    "categorical_accuracy": ("CategoricalAccuracy", {}, "yc", "pc"),
    "sparse_categorical_accuracy": ("SparseCategoricalAccuracy", {}, "ys", "pc"),
    "sparse_categorical_accuracy_col": ("SparseCategoricalAccuracy", {}, "ys_col", "pc"),
    "top_k": ("TopKCategoricalAccuracy", {"k": 2}, "yc", "pc"),
    "sparse_top_k": ("SparseTopKCategoricalAccuracy", {"k": 2}, "ys", "pc"),
    "mse": ("MeanSquaredError", {}, "y", "p"),
    "mae": ("MeanAbsoluteError", {}, "y", "p"),
    "rmse": ("RootMeanSquaredError", {}, "y", "p"),
    "bce": ("BinaryCrossentropy", {}, "yb", "pb"),
    "cce": ("CategoricalCrossentropy", {"from_logits": True}, "yc", "lc"),
    "scce": ("SparseCategoricalCrossentropy", {"from_logits": True}, "ys", "lc"),
    "cosine": ("CosineSimilarity", {}, "y", "p"),
    "tp": ("TruePositives", {}, "yb", "pb"),
    "fp": ("FalsePositives", {"thresholds": [0.3, 0.6]}, "yb", "pb"),
    "tn": ("TrueNegatives", {}, "yb", "pb"),
    "fn": ("FalseNegatives", {}, "yb", "pb"),
    "precision": ("Precision", {}, "yb", "pb"),
    "precision_multi": ("Precision", {"thresholds": [0.2, 0.5, 0.8]}, "yb", "pb"),
    "precision_topk": ("Precision", {"top_k": 2}, "yb", "pb"),
    "recall": ("Recall", {}, "yb", "pb"),
    "recall_class": ("Recall", {"class_id": 1}, "yb", "pb"),
    "auc": ("AUC", {}, "yb", "pb"),
    "auc_10": ("AUC", {"num_thresholds": 10}, "yb", "pb"),
    "auc_pr": ("AUC", {"curve": "PR"}, "yb", "pb"),
    "auc_minoring": ("AUC", {"summation_method": "minoring"}, "yb", "pb"),
}
TOL = dict(rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("mode", ["eager", "function"])
@pytest.mark.parametrize("case", sorted(CASES))
def test_values_match_keras3(case, mode):
    cls, kw, yk, pk = CASES[case]
    m = getattr(M, cls)(**kw)
    args = (D[pk],) if yk is None else (D[yk], D[pk])
    update = m.update_state
    if mode == "function":
        update = tf.function(lambda *a, **k: m.update_state(*a, **k))
    update(*[tf.constant(a[:2]) for a in args])
    np.testing.assert_allclose(m.result().numpy(), G[f"{case}/half"], **TOL)
    update(*[tf.constant(a[2:]) for a in args])
    np.testing.assert_allclose(m.result().numpy(), G[f"{case}/full"], **TOL)
    m.reset_state()
    m.update_state(*args, sample_weight=D["sw"])
    np.testing.assert_allclose(m.result().numpy(), G[f"{case}/sw"], **TOL)


@pytest.mark.parametrize("case", sorted(CASES))
def test_config_matches_keras3(case):
    cls, kw, _, _ = CASES[case]
    cfg = getattr(M, cls)(**kw).get_config()
    cfg.pop("name")
    assert cfg == META["config"][case]


def test_default_names():
    for cls, name in META["names"].items():
        got = getattr(M, cls)().name
        base = name.rsplit("_", 1)[0] if name[-1].isdigit() else name
        assert got == name or got.startswith(base), (cls, got, name)


def test_call_reset_and_variables():
    m = M.Mean()
    assert float(m([1.0, 3.0]).numpy()) == 2.0
    assert float(m(5.0).numpy()) == 3.0
    assert [v.name for v in m.variables] == ["mean/total:0", "mean/count:0"]
    assert all(not v.trainable for v in m.variables)
    m.reset_state()
    assert float(m.result().numpy()) == 0.0
    m.update_state([1.0, 2.0], sample_weight=[0.0, 1.0])
    assert float(m.result().numpy()) == 2.0


def test_get_and_get_for_loss():
    assert M.get("mse") is tf.keras.losses.mean_squared_error
    assert M.get("accuracy") is M.accuracy
    assert type(M.get("AUC")) is M.AUC
    with pytest.raises(ValueError, match="Could not interpret metric identifier: foo"):
        M.get("foo")

    def kind(*args, **kw):
        m = M.get_for_loss(*args, **kw)
        return m._fn.__name__, m.name

    assert kind("accuracy", "sparse_categorical_crossentropy") == (
        "sparse_categorical_accuracy",
        "accuracy",
    )
    assert kind("acc", tf.keras.losses.BinaryCrossentropy()) == ("binary_accuracy", "acc")
    assert kind("accuracy", tf.keras.losses.CategoricalCrossentropy()) == (
        "categorical_accuracy",
        "accuracy",
    )
    assert kind("accuracy", "mse", (None,), (None, 1))[0] == "binary_accuracy"
    assert kind("accuracy", None, (None,), (None, 10))[0] == "sparse_categorical_accuracy"
    assert kind("accuracy", None, (None, 10), (None, 10))[0] == "categorical_accuracy"
    assert kind("mae")[1] == "mae"
    auc = M.AUC()
    assert M.get_for_loss(auc) is auc
    assert type(M.get_for_loss("AUC")) is M.AUC
    m = M.get_for_loss("accuracy", "sparse_categorical_crossentropy")
    m.update_state([1, 0], [[0.1, 0.9], [0.2, 0.8]])
    assert float(m.result().numpy()) == 0.5


def test_auc_errors():
    with pytest.raises(ValueError, match="Invalid `curve` argument value"):
        M.AUC(curve="X")
    with pytest.raises(ValueError, match="num_thresholds"):
        M.AUC(num_thresholds=1)
    assert len(M.AUC(num_thresholds=5).thresholds) == 5
