"""tf.TensorShape, Dimension and tf.TensorSpec against TensorFlow 2.21 (goldens) and checks."""

from __future__ import annotations

import importlib.util
import os

import pytest

import arroyo as tf
from arroyo.framework.tensor_shape import Dimension

_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_spec = importlib.util.spec_from_file_location(
    "make_core_goldens", os.path.join(_ROOT, "tools", "make_core_goldens.py")
)
goldens = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(goldens)

S = tf.TensorShape


@pytest.mark.parametrize("code", goldens.case_ids("shape"))
def test_tf_golden(code):
    goldens.pytest_check(tf, "shape", code)


def test_unknown_dims_and_rank():
    s = S([None, 3])
    assert s.rank == 2 and not s.is_fully_defined() and s.num_elements() is None
    assert s.as_list() == [None, 3] and s[0] is None and s[1] == 3
    with pytest.raises(ValueError):
        S(None).as_list()
    assert S(None).rank is None and S([]).num_elements() == 1


def test_merge_compatible_concatenate():
    assert S([None, 3]).merge_with([2, None]) == [2, 3]
    assert S([None, 3]).is_compatible_with(S([7, 3]))
    assert not S([None, 3]).is_compatible_with([7, 4])
    assert S([1]).concatenate([2, None]).as_list() == [1, 2, None]
    assert S([1]).concatenate(None).rank is None
    with pytest.raises(ValueError, match="are not compatible"):
        S([1, 2]).merge_with([1, 3])


def test_slicing_and_equality():
    s = S([1, 2, 3])
    assert s[1:] == S([2, 3]) and isinstance(s[1:], S)
    assert s == [1, 2, 3] and s == (1, 2, 3) and s != [1, 2]
    assert S([None]) == S([None])
    assert hash(S([1, 2])) == hash(S((1, 2)))


def test_dimension_arithmetic():
    assert Dimension(3) + 1 == 4 and (Dimension(None) + 1).value is None
    assert Dimension(3) == 3 and (Dimension(None) == 3) is None
    assert Dimension(7) // 2 == 3 and Dimension(7) % 2 == 1
    with pytest.raises(ValueError, match="must be >= 0"):
        Dimension(-1)
    with pytest.raises(TypeError):
        hash(Dimension(3))


def test_tensor_spec():
    spec = tf.TensorSpec([None, 3], tf.float32, name="x")
    assert spec.is_compatible_with(tf.zeros([5, 3]))
    assert not spec.is_compatible_with(tf.zeros([5, 3], tf.int32))
    assert tf.TensorSpec.from_tensor(tf.zeros([2])) == tf.TensorSpec([2])
    assert repr(spec) == "TensorSpec(shape=(None, 3), dtype=tf.float32, name='x')"
