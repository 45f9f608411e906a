"""tf.keras.regularizers and tf.keras.constraints against Keras 3 (TF 2.21) values."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest

import arroyo as tf

R = tf.keras.regularizers
C = tf.keras.constraints
with open(os.path.join(os.path.dirname(__file__), "..", "data", "keras",
                       "regularizers_constraints.json")) as f:  # fmt: skip
    GOLD = json.load(f)
W = tf.constant(np.array(GOLD["w"], np.float32))


def test_regularizers_match_keras3():
    cases = {"l1": R.L1(0.1), "l2": R.L2(0.2), "l1l2": R.L1L2(0.1, 0.2),
             "orth_rows": R.OrthogonalRegularizer(0.5),
             "orth_cols": R.OrthogonalRegularizer(0.5, "columns")}  # fmt: skip
    for key, reg in cases.items():
        np.testing.assert_allclose(float(reg(W).numpy()), GOLD[key], rtol=1e-5, err_msg=key)


def test_constraints_match_keras3():
    cases = {"maxnorm": C.MaxNorm(2.0), "maxnorm1": C.MaxNorm(1.5, axis=1),
             "nonneg": C.NonNeg(), "unit": C.UnitNorm(), "minmax": C.MinMaxNorm(0.5, 1.5, 0.7)}  # fmt: skip
    for key, con in cases.items():
        np.testing.assert_allclose(con(W).numpy(), GOLD[key], rtol=1e-5, atol=1e-6, err_msg=key)


def test_get_serialize():
    assert type(R.get("l2")) is R.L2 and R.get(None) is None
    assert R.serialize(R.L1L2(0.1, 0.2)) == {"module": "keras.regularizers", "class_name": "L1L2",
                                             "config": {"l1": 0.1, "l2": 0.2},
                                             "registered_name": None}  # fmt: skip
    assert R.deserialize(R.serialize(R.L2(0.3))).l2 == 0.3
    assert type(C.get("non_neg")) is C.NonNeg and type(C.get("MaxNorm")) is C.MaxNorm
    assert C.serialize(C.UnitNorm()) == {"module": "keras.constraints", "class_name": "UnitNorm",
                                         "config": {"axis": 0}, "registered_name": None}  # fmt: skip
    assert C.deserialize(C.serialize(C.MinMaxNorm(0.1, 2.0))).max_value == 2.0
    with pytest.raises(ValueError, match="non-negative"):
        R.L1(-1.0)
    with pytest.raises(ValueError, match="Could not interpret regularizer identifier: 3"):
        R.get(3)


def test_regularizer_gradient_and_constraint_in_optimizer():
    w = tf.Variable([1.0, -2.0])
    with tf.GradientTape() as tape:
        p = R.L1L2(0.1, 0.2)(w)
    np.testing.assert_allclose(tape.gradient(p, w).numpy(), [0.1 + 0.4, -0.1 - 0.8], rtol=1e-6)
    v = tf.Variable([1.0, -1.0], constraint=C.NonNeg())
    tf.keras.optimizers.SGD(0.1).apply_gradients([(tf.constant([1.0, 1.0]), v)])
    np.testing.assert_allclose(v.numpy(), [0.9, 0.0], rtol=1e-6)
