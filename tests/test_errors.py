"""The tf.errors hierarchy against TensorFlow 2.21 (goldens, group "errors") and checks."""

from __future__ import annotations

import importlib.util
import os
import pickle

import pytest

import arroyo as tf

_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_spec = importlib.util.spec_from_file_location(
    "make_core_goldens", os.path.join(_ROOT, "tools", "make_core_goldens.py")
)
goldens = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(goldens)

CODES = {
    "CancelledError": 1, "UnknownError": 2, "InvalidArgumentError": 3, "DeadlineExceededError": 4,
    "NotFoundError": 5, "AlreadyExistsError": 6, "PermissionDeniedError": 7,
    "ResourceExhaustedError": 8, "FailedPreconditionError": 9, "AbortedError": 10,
    "OutOfRangeError": 11, "UnimplementedError": 12, "InternalError": 13, "UnavailableError": 14,
    "DataLossError": 15, "UnauthenticatedError": 16,
}  # fmt: skip


@pytest.mark.parametrize("code", goldens.case_ids("errors"))
def test_tf_golden(code):
    goldens.pytest_check(tf, "errors", code)


@pytest.mark.parametrize("name", sorted(CODES))
def test_every_class(name):
    cls = getattr(tf.errors, name)
    e = cls(None, None, "boom")
    assert isinstance(e, tf.errors.OpError) and e.error_code == CODES[name]
    assert str(e) == e.message == "boom" and e.op is None and e.node_def is None
    assert e.args == () and repr(e) == f"{name}()"
    f = pickle.loads(pickle.dumps(e))
    assert type(f) is cls and f.message == "boom" and f.error_code == CODES[name]
    with pytest.raises(tf.errors.OpError):
        raise e


def test_op_errors_are_catchable_by_class():
    with pytest.raises(tf.errors.InvalidArgumentError) as info:
        tf.reshape(tf.zeros([2]), [3])
    assert info.value.error_code == tf.errors.INVALID_ARGUMENT
    assert info.value.message.endswith("[Op:Reshape]")


def test_constructor_signatures():
    with pytest.raises(TypeError):
        tf.errors.InvalidArgumentError(None, None)
    with pytest.raises(TypeError):
        tf.errors.OpError(None, None, "m")
    assert tf.errors.OpError(None, None, "m", tf.errors.ABORTED).error_code == 10


def test_dir_lists_tf_names_only():
    names = dir(tf.errors)
    assert "InvalidArgumentError" in names and "INVALID_ARGUMENT" in names
    assert "annotations" not in names and "op_error" not in names
