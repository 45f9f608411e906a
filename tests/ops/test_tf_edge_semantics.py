"""Edge semantics checked against TensorFlow 2.21 (values in comments came from TF)."""

import numpy as np
import pytest

import arroyo as tf

NAN, INF = np.nan, np.inf


@pytest.mark.parametrize(
    "values, argmax, argmin",
    [  # TF 2.21 on the CPU: a NaN never wins; an all-NaN row gives 0
        ([NAN, 1, 2], 2, 1),
        ([NAN, NAN], 0, 0),
        ([3, NAN, 1], 0, 2),
        ([-INF, NAN], 0, 0),
        ([NAN, -INF, -INF], 0, 1),
        ([1, 5, 5, 2], 1, 0),  # ties: the first index
    ],
)
@pytest.mark.parametrize("dtype", [tf.float16, tf.float32, tf.float64])
def test_argmax_argmin_with_nan(values, argmax, argmin, dtype):
    x = tf.constant(values, dtype)
    assert int(tf.argmax(x)) == argmax
    assert int(tf.argmin(x)) == argmin
    traced = tf.function(lambda t: (tf.argmax(t), tf.argmin(t)))(x)
    assert [int(v) for v in traced] == [argmax, argmin]


def test_argmax_with_nan_along_an_axis():
    x = tf.constant([[1, NAN], [NAN, 2]], tf.float32)
    assert tf.argmax(x, axis=1).numpy().tolist() == [0, 1]
    assert tf.argmin(x, axis=0).numpy().tolist() == [0, 1]


def test_equality_raises_like_tf_for_values_of_another_dtype():
    x = tf.constant([1, 2])
    assert (x == None) is False and (x != None) is True  # noqa: E711
    assert (x == [1, 2]).numpy().tolist() == [True, True]
    assert (x == tf.constant([1, 2, 3])).numpy() == np.False_  # shapes do not broadcast
    with pytest.raises(TypeError, match="Cannot convert 1.5 to EagerTensor of dtype int32"):
        _ = x == 1.5
    with pytest.raises(TypeError, match="Cannot convert 'a' to EagerTensor of dtype int32"):
        _ = x != "a"
    with pytest.raises(TypeError, match="of dtype string"):
        _ = tf.constant(["a"]) == 1
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"\[Op:Equal\]"):
        _ = x == tf.constant([1.0, 2.0])
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"\[Op:NotEqual\]"):
        _ = x != tf.constant([1.0, 2.0])
    with pytest.raises(ValueError, match="unsupported type"):
        _ = x == object()
    with pytest.raises(TypeError):
        _ = tf.Variable([1, 2]) == 1.5


@pytest.mark.parametrize("dtype", [tf.int8, tf.int32, tf.int64, tf.uint8])
def test_integer_reciprocal_has_no_cpu_kernel(dtype):
    with pytest.raises(tf.errors.NotFoundError, match="Could not find device for node"):
        tf.math.reciprocal(tf.constant([1, 2], dtype))
    np.testing.assert_array_equal(tf.math.reciprocal(tf.constant([2.0, 4.0])).numpy(), [0.5, 0.25])
