"""tf.debugging against TensorFlow 2.21 (goldens, group "debugging") and checks."""

from __future__ import annotations

import importlib.util
import os

import numpy as np
import pytest

import arroyo as tf

_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_spec = importlib.util.spec_from_file_location(
    "make_core_goldens", os.path.join(_ROOT, "tools", "make_core_goldens.py")
)
goldens = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(goldens)


@pytest.mark.parametrize("code", goldens.case_ids("debugging"))
def test_tf_golden(code):
    goldens.pytest_check(tf, "debugging", code)


def test_namespaces():
    for name in ("assert_equal", "assert_greater", "assert_less", "assert_rank", "Assert"):
        assert getattr(tf, name) is getattr(tf.debugging, name)
    assert callable(tf.debugging.experimental.enable_dump_debug_info)


def test_assert_equal_message():
    with pytest.raises(tf.errors.InvalidArgumentError) as info:
        tf.debugging.assert_equal(tf.constant([1, 2]), [1, 3], message="custom")
    assert info.value.message.splitlines()[:2] == ["custom", "Condition x == y did not hold."]
    assert tf.debugging.assert_equal(tf.constant([1, 2]), [1, 2]) is None


def test_static_checks_raise_value_and_type_errors():
    with pytest.raises(ValueError, match="must have rank 3"):
        tf.debugging.assert_rank(tf.zeros([2, 3]), 3)
    with pytest.raises(ValueError, match="dimension 0 must have size 2"):
        tf.debugging.assert_shapes([(tf.zeros([2, 3]), ("N", "D")), (tf.zeros([3]), ("N",))])
    with pytest.raises(TypeError, match="tensor must be of type tf.int32; got tf.float32"):
        tf.debugging.assert_type(tf.constant(1.0), tf.int32)


def test_check_numerics_gradient_passes_through():
    x = tf.constant([1.0, 2.0])
    with tf.GradientTape() as g:
        g.watch(x)
        y = tf.debugging.check_numerics(x * x, "m")
    assert g.gradient(y, x).numpy().tolist() == [2.0, 4.0]
    with pytest.raises(tf.errors.InvalidArgumentError, match="m : Tensor had NaN values"):
        tf.debugging.check_numerics(tf.constant([np.nan]), "m")


def test_assertions_run_inside_tf_function():
    @tf.function
    def f(x):
        tf.debugging.assert_non_negative(x)
        tf.debugging.Assert(tf.reduce_all(x < 10.0), ["x", x])
        return x * 2.0

    assert f(tf.constant([1.0, 2.0])).numpy().tolist() == [2.0, 4.0]
    with pytest.raises(tf.errors.InvalidArgumentError, match="assertion failed"):
        f(tf.constant([1.0, -2.0]))
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"assertion failed: \[x\]"):
        f(tf.constant([1.0, 20.0]))


def test_settings():
    tf.debugging.set_log_device_placement(True)
    assert tf.debugging.get_log_device_placement()
    tf.debugging.set_log_device_placement(False)
    assert tf.debugging.is_traceback_filtering_enabled()
