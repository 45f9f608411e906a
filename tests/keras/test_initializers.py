"""tf.keras.initializers against Keras 3 (TF 2.21) goldens and distribution statistics."""

from __future__ import annotations

import json
import math
import os
import random

import numpy as np
import pytest

import arroyo as tf

INI = tf.keras.initializers
DATA = os.path.join(os.path.dirname(__file__), "..", "data", "keras")
G = np.load(os.path.join(DATA, "initializers.npz"))
with open(os.path.join(DATA, "initializers.json")) as f:
    META = json.load(f)

SEEDED = ["RandomNormal", "RandomUniform", "TruncatedNormal", "GlorotUniform", "GlorotNormal",
          "HeUniform", "HeNormal", "LecunUniform", "LecunNormal", "Orthogonal",
          "VarianceScaling"]  # fmt: skip


@pytest.mark.parametrize("name", SEEDED)
@pytest.mark.parametrize("shape", [(3, 4), (2, 3, 5, 6)])
def test_int_seed_matches_keras3_values(name, shape):
    # Keras 3's TF backend draws seeded initializers from the stateless ops with [seed, 0].
    v = getattr(INI, name)(seed=7)(shape)
    assert v.dtype == tf.float32 and tuple(v.shape) == shape
    np.testing.assert_allclose(v.numpy(), G[f"{name}/{shape}"], rtol=1e-5, atol=1e-6)


def test_other_goldens():
    np.testing.assert_array_equal(INI.Constant(3.0)((2, 2)).numpy(), G["Constant3/(2, 2)"])
    v = INI.VarianceScaling(2.0, "fan_out", "uniform", seed=3)((3, 4))
    np.testing.assert_allclose(v.numpy(), G["VarianceScaling_u/(3, 4)"], rtol=1e-6)
    v = INI.VarianceScaling(0.5, "fan_avg", "untruncated_normal", seed=3)((3, 4))
    np.testing.assert_allclose(v.numpy(), G["VarianceScaling_n/(3, 4)"], rtol=1e-6)
    v = INI.Orthogonal(gain=2.0, seed=5)((3, 5))
    np.testing.assert_allclose(v.numpy(), G["Orthogonal/(3, 5)"], atol=1e-6)
    v = INI.RandomNormal(seed=1)((3, 4), dtype="float64")
    assert v.dtype == tf.float64
    np.testing.assert_allclose(v.numpy(), G["RandomNormal64/(3, 4)"], rtol=1e-12)


@pytest.mark.parametrize("name", sorted(META["config"]))
def test_config_and_serialize_match_keras3(name):
    obj = getattr(INI, name)()
    assert obj.get_config() == META["config"][name]
    assert INI.serialize(obj) == META["serialize"][name]
    back = INI.deserialize(INI.serialize(obj))
    assert type(back) is type(obj) and back.get_config() == obj.get_config()


def test_constant_zeros_ones_identity():
    np.testing.assert_array_equal(INI.Zeros()((2, 3)).numpy(), np.zeros((2, 3), np.float32))
    z = INI.Zeros()((2,), dtype="int32")
    assert z.dtype == tf.int32
    np.testing.assert_array_equal(INI.Ones()((2,)).numpy(), [1.0, 1.0])
    np.testing.assert_array_equal(INI.Constant([1.0, 2.0])((3, 2)).numpy(), [[1, 2]] * 3)
    np.testing.assert_array_equal(INI.Identity(gain=2.0)((2, 3)).numpy(), 2 * np.eye(2, 3))
    with pytest.raises(ValueError, match="can only be used for 2D matrices"):
        INI.Identity()((2, 3, 4))


def _stats(init, shape=(400, 600)):
    return init(shape).numpy().astype(np.float64)


@pytest.mark.parametrize(
    "name,scale,mode,dist",
    [("GlorotUniform", 1.0, "fan_avg", "uniform"), ("HeUniform", 2.0, "fan_in", "uniform"),
     ("LecunUniform", 1.0, "fan_in", "uniform"), ("GlorotNormal", 1.0, "fan_avg", "tn"),
     ("HeNormal", 2.0, "fan_in", "tn"), ("LecunNormal", 1.0, "fan_in", "tn")],
)  # fmt: skip
def test_variance_scaling_distributions(name, scale, mode, dist):
    fan_in, fan_out = 400, 600
    fan = {"fan_in": fan_in, "fan_avg": (fan_in + fan_out) / 2}[mode]
    v = _stats(getattr(INI, name)(seed=11))
    assert abs(v.mean()) < 3e-3 * math.sqrt(scale)
    target_var = scale / fan
    assert abs(v.var() / target_var - 1) < 0.02
    if dist == "uniform":
        limit = math.sqrt(3 * scale / fan)
        assert v.max() <= limit and v.min() >= -limit and v.max() > 0.99 * limit
    else:
        stddev = math.sqrt(scale / fan) / 0.87962566103423978
        assert np.abs(v).max() <= 2 * stddev * (1 + 1e-6)


def test_glorot_limit_and_conv_fans():
    shape = (3, 3, 16, 32)  # receptive 9: fan_in 144, fan_out 288
    v = INI.GlorotUniform(seed=1)(shape).numpy()
    limit = math.sqrt(6 / (144 + 288))
    assert v.max() <= limit and v.min() >= -limit and v.max() > 0.97 * limit
    assert INI.compute_fans(shape) == (144, 288)
    assert INI.compute_fans((5,)) == (5, 5) and INI.compute_fans(()) == (1, 1)


def test_random_normal_uniform_truncated_statistics():
    v = _stats(INI.RandomNormal(mean=1.0, stddev=2.0, seed=3))
    assert abs(v.mean() - 1) < 0.02 and abs(v.std() - 2) < 0.02
    v = _stats(INI.RandomUniform(-1.0, 3.0, seed=3))
    assert v.min() >= -1 and v.max() < 3 and abs(v.mean() - 1) < 0.02
    v = _stats(INI.TruncatedNormal(stddev=1.0, seed=3))
    assert np.abs(v).max() <= 2.0 and abs(v.std() - 0.87962566) < 0.01
    u = INI.RandomUniform(0, 10, seed=2)((1000,), dtype="int32")
    assert u.dtype == tf.int32 and u.numpy().min() >= 0 and u.numpy().max() <= 9


def test_orthogonal_is_orthogonal():
    w = INI.Orthogonal(seed=3)((6, 4)).numpy()
    np.testing.assert_allclose(w.T @ w, np.eye(4), atol=1e-5)
    w = INI.Orthogonal(gain=3.0, seed=3)((4, 6)).numpy()
    np.testing.assert_allclose(w @ w.T, 9 * np.eye(4), atol=1e-4)
    with pytest.raises(ValueError, match="at least two"):
        INI.Orthogonal()((3,))


def test_seeding_rules():
    a = INI.GlorotUniform(seed=3)
    np.testing.assert_array_equal(a((3, 3)).numpy(), a((3, 3)).numpy())
    b = INI.GlorotUniform()  # unseeded: a seed drawn from Python's random at construction
    np.testing.assert_array_equal(b((3, 3)).numpy(), b((3, 3)).numpy())
    random.seed(5)
    x1 = INI.HeNormal()((4, 4)).numpy()
    random.seed(5)
    x2 = INI.HeNormal()((4, 4)).numpy()
    np.testing.assert_array_equal(x1, x2)
    assert not np.array_equal(INI.HeNormal()((4, 4)).numpy(), INI.HeNormal()((4, 4)).numpy())
    assert INI.GlorotUniform().get_config()["seed"] is None
    with pytest.raises(ValueError, match="`seed` argument should be an instance"):
        INI.GlorotUniform(seed="x")


def test_errors():
    with pytest.raises(ValueError, match="Invalid `mode` argument: x"):
        INI.VarianceScaling(mode="x")
    with pytest.raises(ValueError, match="Invalid `distribution` argument: x"):
        INI.VarianceScaling(distribution="x")
    with pytest.raises(ValueError, match="must be positive float. Received: scale=0"):
        INI.VarianceScaling(scale=0)
    with pytest.raises(ValueError, match="Could not interpret initializer identifier: foo"):
        INI.get("foo")
    with pytest.raises(ValueError, match="Could not interpret initializer identifier: 3"):
        INI.get(3)
    with pytest.raises(ValueError):
        INI.RandomNormal()((2,), dtype="int32")


def test_get_lookups():
    assert INI.get(None) is None
    assert type(INI.get("glorot_uniform")) is INI.GlorotUniform
    assert type(INI.get("GlorotUniform")) is INI.GlorotUniform
    assert type(INI.get("zeros")) is INI.Zeros and type(INI.get("he_normal")) is INI.HeNormal
    assert type(INI.get(INI.Ones)) is INI.Ones
    inst = INI.Orthogonal()
    assert INI.get(inst) is inst
    fn = lambda shape, dtype=None: tf.zeros(shape)  # noqa: E731
    assert INI.get(fn) is fn
    r = INI.get({"class_name": "RandomNormal", "config": {"stddev": 2.0}})
    assert r.get_config() == {"seed": None, "mean": 0.0, "stddev": 2.0}
    assert INI.glorot_uniform is INI.GlorotUniform
    c = INI.GlorotUniform(seed=4).clone()
    assert c.seed == 4


def test_initializer_in_variable_inside_function():
    init = INI.GlorotUniform(seed=2)
    holder = []

    @tf.function
    def f():
        if not holder:
            holder.append(tf.Variable(lambda: init((2, 3))))
        return holder[0] * 1.0

    np.testing.assert_array_equal(f().numpy(), init((2, 3)).numpy())
