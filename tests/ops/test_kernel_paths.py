"""Kernels with shape-dependent fast paths agree with the plain computation, eagerly and
in graphs (where the executor specializes them on static shapes)."""

import numpy as np
import pytest

import arroyo as tf

RNG = np.random.default_rng(3)


@pytest.mark.parametrize("ta", [False, True])
@pytest.mark.parametrize("tb", [False, True])
@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int32, np.complex64])
def test_matmul_with_inner_dimension_one(ta, tb, dtype):
    a = RNG.normal(size=(7, 1)).astype(dtype)
    b = RNG.normal(size=(1, 5)).astype(dtype)
    a_in, b_in = (a.T if ta else a), (b.T if tb else b)
    expected = a * b  # one product per entry: exact
    eager = tf.matmul(a_in, b_in, transpose_a=ta, transpose_b=tb).numpy()
    traced = tf.function(lambda x, y: tf.matmul(x, y, transpose_a=ta, transpose_b=tb))(
        tf.constant(a_in), tf.constant(b_in)
    ).numpy()
    for got in (eager, traced):
        assert got.dtype == dtype and got.shape == (7, 5)
        np.testing.assert_array_equal(got, expected)


def test_matmul_inner_dimension_one_gradients():
    a = tf.constant(RNG.normal(size=(6, 1)))
    b = tf.constant(RNG.normal(size=(1, 4)))
    with tf.GradientTape() as tape:
        tape.watch([a, b])
        y = tf.reduce_sum(tf.matmul(a, b) ** 2)
    ga, gb = tape.gradient(y, [a, b])
    an, bn = a.numpy(), b.numpy()
    np.testing.assert_allclose(ga.numpy(), 2 * (an @ bn) @ bn.T, rtol=1e-12)
    np.testing.assert_allclose(gb.numpy(), an.T @ (2 * (an @ bn)), rtol=1e-12)


def test_relu_grad_multiplies_like_tf():
    # TF 2.21: ReluGrad(gradients=[nan, inf, 1, nan], features=[-1, -1, nan, 2])
    # gives [nan, nan, 0, nan]: it is gradients * (features > 0), not a select.
    g = tf.constant([np.nan, np.inf, 1.0, np.nan, 3.0, -2.0])
    f = tf.constant([-1.0, -1.0, np.nan, 2.0, 0.0, 5.0])
    got = tf.raw_ops.ReluGrad(gradients=g, features=f).numpy()
    np.testing.assert_array_equal(got, [np.nan, np.nan, 0.0, np.nan, 0.0, -2.0])
    gi = tf.raw_ops.ReluGrad(gradients=tf.constant([3, 4]), features=tf.constant([1, -1]))
    assert gi.dtype == tf.int32 and gi.numpy().tolist() == [3, 0]


@pytest.mark.parametrize(
    "shape, axis, keepdims",
    [
        ((201, 64), [0], False),
        ((201, 64), [0], True),
        ((4, 5, 6), [0, 1], False),
        ((4, 5, 6), [0, 1], True),
        ((4, 5, 6), [0], False),
        ((4, 5, 6), [1, 2], False),  # trailing axes: the general path
        ((3, 1), [0], False),
        ((1, 8), [0], False),
    ],
)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_sum_over_leading_axes(shape, axis, keepdims, dtype):
    x = RNG.normal(size=shape).astype(dtype)
    expected = np.sum(x.astype(np.float64), axis=tuple(axis), keepdims=keepdims)
    eager = tf.reduce_sum(x, axis=axis, keepdims=keepdims).numpy()
    traced = tf.function(lambda t: tf.reduce_sum(t, axis=axis, keepdims=keepdims))(
        tf.constant(x)
    ).numpy()
    tol = 1e-5 if dtype == np.float32 else 1e-12
    for got in (eager, traced):
        assert got.dtype == dtype and got.shape == expected.shape
        np.testing.assert_allclose(got, expected, rtol=tol, atol=tol)


def test_sum_over_leading_axes_edge_values():
    x = np.array([[-0.0, 1.0], [-0.0, np.inf], [-0.0, -np.inf]], np.float32)
    got = tf.reduce_sum(x, axis=0).numpy()
    assert got[0] == 0 and not np.signbit(got[0])  # TF starts sums from +0
    assert np.isnan(got[1])
    strided = tf.constant(RNG.normal(size=(6, 4)))[::2]  # not contiguous: general path
    np.testing.assert_allclose(
        tf.reduce_sum(strided, axis=0).numpy(), strided.numpy().sum(0), rtol=1e-12
    )
