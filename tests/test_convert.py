"""tf.convert_to_tensor / tf.constant dtype inference and conversion errors, as TF 2.21.

The goldens (group "convert") pin TF's results and messages; the property tests below
check the inference rules on random nested Python values.
"""

from __future__ import annotations

import importlib.util
import os

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import arroyo as tf

_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_spec = importlib.util.spec_from_file_location(
    "make_core_goldens", os.path.join(_ROOT, "tools", "make_core_goldens.py")
)
goldens = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(goldens)


@pytest.mark.parametrize("code", goldens.case_ids("convert"))
def test_tf_golden(code):
    goldens.pytest_check(tf, "convert", code)


def test_inference_basics():
    assert tf.convert_to_tensor(1).dtype is tf.int32
    assert tf.convert_to_tensor(2**40).dtype is tf.int64
    assert tf.convert_to_tensor(1.0).dtype is tf.float32
    assert tf.convert_to_tensor(True).dtype is tf.bool
    assert tf.convert_to_tensor(1j).dtype is tf.complex128
    assert tf.convert_to_tensor("a").dtype is tf.string
    assert tf.convert_to_tensor(b"a").dtype is tf.string
    assert tf.convert_to_tensor([[1, 2], [3, 4]]).shape == [2, 2]
    assert tf.convert_to_tensor(np.zeros(2, np.float16)).dtype is tf.float16
    assert tf.convert_to_tensor([tf.constant(1.0), 2.0]).dtype is tf.float32


def test_errors():
    with pytest.raises(TypeError, match="Cannot convert 2.5 to EagerTensor of dtype int32"):
        tf.convert_to_tensor(2.5, tf.int32)
    with pytest.raises(
        ValueError, match="Can't convert Python sequence with mixed types to Tensor."
    ):
        tf.convert_to_tensor([1, "a"])
    with pytest.raises(
        ValueError, match="Can't convert non-rectangular Python sequence to Tensor."
    ):
        tf.convert_to_tensor([[1], [1, 2]])
    with pytest.raises(ValueError, match="out-of-range integer"):
        tf.convert_to_tensor(2**64)


def test_list_of_tensors_is_differentiable():
    x = tf.constant(2.0)
    with tf.GradientTape() as g:
        g.watch(x)
        y = tf.reduce_sum(tf.convert_to_tensor([x, x * x, 1.0]))
    assert float(g.gradient(y, x)) == 5.0


def test_large_lists_convert_quickly():
    import time

    rows = [[float(i + j) for j in range(300)] for i in range(300)]
    t0 = time.perf_counter()
    t = tf.constant(rows)
    assert t.shape == [300, 300] and t.dtype is tf.float32
    assert time.perf_counter() - t0 < 1.0


_ints = st.integers(min_value=-(2**40), max_value=2**40)
_floats = st.floats(min_value=-1e30, max_value=1e30, allow_nan=False)


def _nested(leaf):
    return st.one_of(leaf, st.lists(leaf, min_size=1, max_size=4),
                     st.integers(1, 3).flatmap(lambda n: st.lists(st.lists(leaf, min_size=n, max_size=n), min_size=1, max_size=3)))  # fmt: skip


@settings(max_examples=60, deadline=None)
@given(_nested(_ints))
def test_int_inference_property(value):
    t = tf.convert_to_tensor(value)
    arr = np.asarray(value)
    fits32 = arr.size == 0 or (arr.min() >= -(2**31) and arr.max() < 2**31)
    assert t.dtype is (tf.int32 if fits32 else tf.int64)
    assert t.numpy().tolist() == arr.tolist()


@settings(max_examples=60, deadline=None)
@given(_nested(_floats))
def test_float_inference_property(value):
    t = tf.convert_to_tensor(value)
    assert t.dtype is tf.float32
    np.testing.assert_array_equal(t.numpy(), np.asarray(value, np.float32))


@settings(max_examples=40, deadline=None)
@given(_nested(_ints), st.sampled_from([tf.float32, tf.float64, tf.int64, tf.complex128]))
def test_int_values_with_requested_dtype(value, dtype):
    t = tf.convert_to_tensor(value, dtype)
    assert t.dtype is dtype
    np.testing.assert_array_equal(t.numpy(), np.asarray(value).astype(dtype.as_numpy_dtype))
