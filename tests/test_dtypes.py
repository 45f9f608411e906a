"""tf.DType and tf.as_dtype against TensorFlow 2.21 (goldens) plus behaviour checks."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys

import numpy as np
import pytest

import arroyo as tf

_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_spec = importlib.util.spec_from_file_location(
    "make_core_goldens", os.path.join(_ROOT, "tools", "make_core_goldens.py")
)
goldens = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(goldens)


@pytest.mark.parametrize("code", goldens.case_ids("dtypes"))
def test_tf_golden(code):
    goldens.pytest_check(tf, "dtypes", code)


ALL = [tf.float16, tf.bfloat16, tf.float32, tf.float64, tf.int8, tf.int16, tf.int32, tf.int64,
       tf.uint8, tf.uint16, tf.uint32, tf.uint64, tf.complex64, tf.complex128, tf.bool, tf.string]  # fmt: skip


@pytest.mark.parametrize("d", ALL, ids=lambda d: d.name)
def test_roundtrips(d):
    assert tf.as_dtype(d.name) is d
    assert tf.as_dtype(d.as_datatype_enum) is d
    assert tf.as_dtype(d) is d
    if d is not tf.string:
        assert tf.as_dtype(d.as_numpy_dtype) is d
        assert tf.as_dtype(np.dtype(d.as_numpy_dtype)) is d
    assert d == d.name and d != "nonsense" and d is not None
    assert hash(d) == d.as_datatype_enum


@pytest.mark.parametrize("d", ALL, ids=lambda d: d.name)
def test_tensor_of_every_dtype(d):
    t = tf.zeros([2], d)
    assert t.dtype is d
    assert t.numpy().dtype == (np.dtype(object) if d is tf.string else np.dtype(d.as_numpy_dtype))


def test_classification_is_exclusive():
    for d in ALL:
        kinds = [d.is_floating, d.is_integer, d.is_complex, d.is_bool, d is tf.string]
        assert sum(kinds) == 1, d
    assert tf.uint8.is_unsigned and not tf.int8.is_unsigned and not tf.bool.is_unsigned
    assert tf.complex64.real_dtype is tf.float32 and tf.complex128.real_dtype is tf.float64
    assert tf.float32.real_dtype is tf.float32


def test_min_max_types():
    assert type(tf.int8.min) is int and tf.int8.min == -128
    assert tf.uint64.max == 2**64 - 1
    assert type(tf.float32.max) is np.float32
    assert tf.float16.max == np.finfo(np.float16).max
    assert float(tf.bfloat16.max) > 3e38


def test_bfloat16_without_ml_dtypes_names_the_package():
    code = (
        "import sys; sys.modules['ml_dtypes'] = None\n"
        "import arroyo as tf\n"
        "assert tf.bfloat16.name == 'bfloat16' and tf.as_dtype('bfloat16') is tf.bfloat16\n"
        "print(tf.constant(1.0).dtype)\n"
        "try:\n"
        "    tf.constant(1.0, tf.bfloat16)\n"
        "except TypeError as e:\n"
        "    print('TypeError:', e)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=_ROOT, timeout=120
    )
    assert out.returncode == 0, out.stderr
    assert "TypeError:" in out.stdout and "ml_dtypes" in out.stdout


def test_pickle_and_copy_keep_identity():
    import copy
    import pickle

    for d in ALL:
        assert pickle.loads(pickle.dumps(d)) is d
        assert copy.deepcopy(d) is d


def test_dtype_constructor_from_enum():
    assert tf.DType(1) == tf.float32
    assert tf.DType(tf.int64.as_datatype_enum) == tf.int64
