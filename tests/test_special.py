"""special.py's pure-NumPy fallbacks (no SciPy) agree with SciPy and with TF's conventions."""

import numpy as np
import pytest

import arroyo as tf
from arroyo.ops import special

sp = pytest.importorskip("scipy.special")

R = np.random.default_rng(3)
WIDE = np.concatenate(
    [R.uniform(-6, 6, 200), R.uniform(0.01, 40, 100), [0.5, 1.0, 2.0, 1e-4, 25.5]]
)
NEG_NONINT = np.array([-0.5, -1.3, -2.7, -5.01, -10.5])
POLES = np.array([0.0, -1.0, -2.0, -7.0])


@pytest.fixture
def no_scipy(monkeypatch):
    monkeypatch.setattr(special, "_scipy_special", lambda: None)


def test_fallback_is_used(no_scipy):
    assert special._scipy_special() is None


@pytest.mark.parametrize("name,ref", [("erf", sp.erf), ("erfc", sp.erfc)])
def test_erf_family(no_scipy, name, ref):
    x = np.concatenate([WIDE, [-30.0, 30.0, 0.0]])
    np.testing.assert_allclose(getattr(special, name)(x), ref(x), rtol=1e-12, atol=1e-300)


def test_lgamma(no_scipy):
    x = np.concatenate([WIDE[np.abs(WIDE - np.round(WIDE)) > 1e-6], NEG_NONINT, [170.5, 1e5]])
    np.testing.assert_allclose(special.lgamma(x), sp.gammaln(x), rtol=1e-10, atol=1e-12)


def test_digamma(no_scipy):
    x = np.concatenate([WIDE[np.abs(WIDE - np.round(WIDE)) > 1e-3], NEG_NONINT, [1e6]])
    np.testing.assert_allclose(special.digamma(x), sp.digamma(x), rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("n", [1, 2, 3, 4, 6])
def test_polygamma(no_scipy, n):
    x = np.concatenate([R.uniform(0.05, 30, 60), NEG_NONINT])
    got = special.polygamma(np.full_like(x, n), x)
    np.testing.assert_allclose(got, sp.polygamma(n, x), rtol=1e-9)


def test_polygamma_zero_is_digamma(no_scipy):
    x = R.uniform(0.1, 10, 20)
    np.testing.assert_allclose(special.polygamma(np.zeros_like(x), x), sp.digamma(x), rtol=1e-10)


@pytest.mark.parametrize("use_scipy", [True, False])
def test_tf_conventions_at_poles_and_invalid_orders(monkeypatch, use_scipy):
    if not use_scipy:
        monkeypatch.setattr(special, "_scipy_special", lambda: None)
    assert np.all(np.isnan(special.digamma(POLES)))
    assert np.all(np.isinf(special.lgamma(POLES)))
    assert (
        np.isinf(special.lgamma(np.array([-np.inf]))[0])
        and special.lgamma(np.array([-np.inf]))[0] > 0
    )
    assert np.isnan(special.lgamma(np.array([np.nan]))[0])
    assert np.isnan(special.digamma(np.array([-np.inf]))[0])
    pg = special.polygamma(np.array([1.0, 2.0, 3.0, 0.0]), np.array([-1.0, -1.0, 0.0, -2.0]))
    np.testing.assert_array_equal(pg, [np.inf, np.nan, np.inf, np.nan])
    invalid = special.polygamma(np.array([1.5, -1.0, -0.5]), np.array([1.0, 1.0, 2.0]))
    assert np.all(np.isnan(invalid))


@pytest.mark.parametrize("use_scipy", [True, False])
def test_dtype_and_scalars_preserved(monkeypatch, use_scipy):
    if not use_scipy:
        monkeypatch.setattr(special, "_scipy_special", lambda: None)
    x32 = np.array([0.5, 1.5], np.float32)
    for fn in (special.erf, special.erfc, special.lgamma, special.digamma):
        assert fn(x32).dtype == np.float32
        assert np.ndim(fn(np.float64(0.5))) == 0
    assert special.polygamma(np.float32(1.0), x32).dtype == np.float32


def test_ops_through_fallback(no_scipy):
    x = tf.constant([0.5, 1.5, 3.0], tf.float64)
    np.testing.assert_allclose(tf.math.lgamma(x).numpy(), sp.gammaln(x.numpy()), rtol=1e-10)
    np.testing.assert_allclose(tf.math.digamma(x).numpy(), sp.digamma(x.numpy()), rtol=1e-10)
    np.testing.assert_allclose(tf.math.erf(x).numpy(), sp.erf(x.numpy()), rtol=1e-12)
    with tf.GradientTape() as t:
        t.watch(x)
        y = tf.reduce_sum(tf.math.digamma(x))
    np.testing.assert_allclose(t.gradient(y, x).numpy(), sp.polygamma(1, x.numpy()), rtol=1e-9)
