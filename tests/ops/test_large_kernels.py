"""Kernels that take another path on large arrays (two threads, division for 1/x) give
exactly the result of the plain single NumPy call, and fused kernels match eager ops."""

import numpy as np
import pytest

import arroyo as tf
from arroyo.ops import _parallel

N = _parallel.MIN_ELEMENTS + 3  # above the two-thread threshold, odd so halves differ


def _data(dtype, positive=False, n=N):
    x = np.random.default_rng(7).normal(size=n).astype(dtype)
    x[:4] = [0.0, -0.0, 30.0, -30.0]  # signed zeros, exp overflow / underflow
    return np.abs(x) + dtype(0.1) if positive else x


def _sigmoid_reference(x):
    out = np.empty_like(x)
    for lo in range(0, x.size, 1000):  # small pieces take the single-call path
        out[lo : lo + 1000] = tf.sigmoid(tf.constant(x[lo : lo + 1000])).numpy()
    return out


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
@pytest.mark.parametrize(
    "op, ref, positive",
    [
        (tf.exp, np.exp, False),
        (tf.math.log, np.log, True),
        (tf.sin, np.sin, False),
        (tf.cos, np.cos, False),
        (tf.tanh, np.tanh, False),
        (tf.nn.relu, lambda x: np.maximum(x, 0), False),
        (tf.math.reciprocal, np.reciprocal, True),
        (tf.math.rsqrt, lambda x: 1 / np.sqrt(x), True),
        (tf.sigmoid, _sigmoid_reference, False),
    ],
    ids=lambda v: getattr(v, "__name__", None),
)
def test_large_elementwise_kernels_are_bit_identical(op, ref, positive, dtype):
    x = _data(dtype, positive)
    got = op(tf.constant(x)).numpy()
    assert got.dtype == dtype and got.shape == x.shape
    np.testing.assert_array_equal(got, ref(x))


def test_large_reciprocal_nan_and_integers():
    xi = np.arange(1, N + 1, dtype=np.int32)
    with pytest.raises(tf.errors.NotFoundError, match=r"Reciprocal\[T=DT_INT32\]"):
        tf.math.reciprocal(tf.constant(xi))  # TF has no CPU kernel for integer Reciprocal
    xf = _data(np.float32)
    xf[5:9] = [np.nan, np.inf, -np.inf, 1e-40]  # NaN, infinities, a subnormal
    np.testing.assert_array_equal(tf.math.reciprocal(tf.constant(xf)).numpy(), np.reciprocal(xf))


def test_large_fused_chains_match_eager():
    x = tf.constant(_data(np.float32, n=1 << 20))

    def chain(x):
        return tf.reduce_sum(tf.nn.relu(x * 2.0 + 1.0) * tf.sigmoid(x))

    def elementwise(x):
        return tf.math.reciprocal(tf.abs(x) + 1.0) * tf.math.rsqrt(tf.abs(x) + 2.0)

    f, g = tf.function(chain), tf.function(elementwise)
    for _ in range(2):  # the second call reuses the kernels' scratch buffers
        np.testing.assert_allclose(f(x).numpy(), chain(x).numpy(), rtol=1e-5)
        np.testing.assert_allclose(g(x).numpy(), elementwise(x).numpy(), rtol=1e-6)
