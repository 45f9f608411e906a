"""tf.GradientTape, tf.custom_gradient, tf.stop_gradient against TensorFlow 2.21.

Goldens (groups "tape" and "tape_gather", values compared numerically) cover watching,
persistence, nested structures, output_gradients, unconnected gradients, jacobians,
higher-order derivatives and custom gradients; the tests below cover what TF only logs.
"""

from __future__ import annotations

import importlib.util
import logging
import os

import pytest

import arroyo as tf

_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_spec = importlib.util.spec_from_file_location(
    "make_core_goldens", os.path.join(_ROOT, "tools", "make_core_goldens.py")
)
goldens = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(goldens)


@pytest.mark.parametrize("code", goldens.case_ids("tape"))
def test_tf_golden(code):
    goldens.pytest_check(tf, "tape", code)


@pytest.mark.parametrize("code", goldens.case_ids("tape_gather"))
def test_gather_golden(code):
    pytest.importorskip("arroyo.ops.gather_ops")
    goldens.pytest_check(tf, "tape_gather", code)


@pytest.mark.parametrize("code", goldens.case_ids("nest"))
def test_nest_golden(code):
    goldens.pytest_check(tf, "nest", code)


def test_integer_source_warns_and_gives_none(caplog):
    x = tf.constant(2)
    with caplog.at_level(logging.WARNING, logger="arroyo"):
        with tf.GradientTape() as g:
            g.watch(x)
            y = x * x
        assert g.gradient(y, x) is None
    text = caplog.text
    assert (
        "The dtype of the watched tensor must be floating (e.g. tf.float32), got tf.int32" in text
    )
    assert ("The dtype of the source tensor must be floating (e.g. tf.float32) when calling "
            "GradientTape.gradient, got tf.int32") in text  # fmt: skip


def test_persistent_gradient_inside_context_warns(caplog):
    x = tf.constant(1.0)
    with caplog.at_level(logging.WARNING, logger="arroyo"):
        with tf.GradientTape(persistent=True) as g:
            g.watch(x)
            y = x * 3.0
            assert float(g.gradient(y, x)) == 3.0
    assert "significantly less efficient" in caplog.text


def test_non_persistent_second_call():
    x = tf.constant(1.0)
    with tf.GradientTape() as g:
        g.watch(x)
        y = x * x
    g.gradient(y, x)
    with pytest.raises(
        RuntimeError,
        match="A non-persistent GradientTape can only be used to compute one set of gradients",
    ):
        g.gradient(y, x)


def test_third_derivative():
    x = tf.constant(1.5)
    with tf.GradientTape() as g3:
        g3.watch(x)
        with tf.GradientTape() as g2:
            g2.watch(x)
            with tf.GradientTape() as g1:
                g1.watch(x)
                y = tf.sin(x)
            d1 = g1.gradient(y, x)
        d2 = g2.gradient(d1, x)
    d3 = g3.gradient(d2, x)
    assert abs(float(d3) - (-float(tf.cos(x)))) < 1e-6


def test_watched_variables_order_and_reset():
    a, b = tf.Variable(1.0), tf.Variable(2.0)
    with tf.GradientTape() as g:
        _ = b * a
        assert [v is w for v, w in zip(g.watched_variables(), (b, a))] == [True, True]
        g.reset()
        assert g.watched_variables() == ()
        _ = a * 2.0
    assert g.watched_variables()[0] is a


def test_stop_recording_blocks_ops():
    x = tf.constant(2.0)
    with tf.GradientTape() as g:
        g.watch(x)
        with g.stop_recording():
            y = x * x
        z = x * 3.0
    assert g.gradient(y, x) is None
    with tf.GradientTape() as g:
        g.watch(x)
        z = x * 3.0
    assert float(g.gradient(z, x)) == 3.0


def test_custom_gradient_variables_must_be_accepted():
    v = tf.Variable(2.0)

    @tf.custom_gradient
    def f(x):
        return x * v, lambda dy: dy

    with pytest.raises(TypeError, match="grad_fn must accept keyword argument 'variables'"):
        f(tf.constant(1.0))


def test_custom_gradient_wrong_number_of_gradients():
    @tf.custom_gradient
    def f(x):
        return x * 2.0, lambda dy: (dy, dy)

    x = tf.constant(1.0)
    with tf.GradientTape() as g:
        g.watch(x)
        y = f(x)
    with pytest.raises(ValueError, match="expected to return 1 gradients, but returned 2"):
        g.gradient(y, x)


def test_unconnected_gradients_enum():
    assert tf.UnconnectedGradients("zero") is tf.UnconnectedGradients.ZERO
    assert tf.UnconnectedGradients.NONE.value == "none"
