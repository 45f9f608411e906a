"""tf.raw_ops: TF's keyword names, dtype rules and results (goldens, group "raw_ops").

`tests/data/core_goldens.json` also holds TF's raw-op signatures (key "_raw_ops", written
by tools/make_core_goldens.py): every registered op must take exactly TF's keywords.
"""

from __future__ import annotations

import importlib.util
import inspect
import json
import os

import pytest

import arroyo as tf
from arroyo.framework.op_registry import registered_ops

_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_spec = importlib.util.spec_from_file_location(
    "make_core_goldens", os.path.join(_ROOT, "tools", "make_core_goldens.py")
)
goldens = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(goldens)

with open(goldens.GOLDEN_PATH) as _fh:
    SIGNATURES = json.load(_fh)["_raw_ops"]
_CALLABLE = {"AssignVariableOp", "AssignAddVariableOp", "AssignSubVariableOp", "PrintV2"}
OPS = sorted(
    n
    for n in SIGNATURES
    if n in registered_ops() and (registered_ops()[n].kernel is not None or n in _CALLABLE)
)


@pytest.mark.parametrize("code", goldens.case_ids("raw_ops"))
def test_tf_golden(code):
    goldens.pytest_check(tf, "raw_ops", code)


@pytest.mark.parametrize("op", OPS)
def test_signature_matches_tf(op):
    fn = getattr(tf.raw_ops, op)
    sig = inspect.signature(fn)
    params = [p for p in sig.parameters if p != "name"]
    required = sorted(p for p, v in sig.parameters.items() if v.default is inspect.Parameter.empty)
    assert params == SIGNATURES[op]["params"]
    assert required == sorted(SIGNATURES[op]["required"])
    assert fn.__name__ == SIGNATURES[op]["pyname"]
    assert all(v.kind is inspect.Parameter.KEYWORD_ONLY for v in sig.parameters.values())


def test_keyword_only_and_argument_errors():
    with pytest.raises(
        TypeError, match=r"add_v2 only takes keyword args \(possible keys: \['x', 'y', 'name'\]\)"
    ):
        tf.raw_ops.AddV2(tf.constant(1.0), tf.constant(2.0))
    with pytest.raises(TypeError, match=r"add_v2\(\) missing 1 required positional argument: 'y'"):
        tf.raw_ops.AddV2(x=1.0)
    with pytest.raises(TypeError, match=r"_sum\(\) got an unexpected keyword argument 'keepdims'"):
        tf.raw_ops.Sum(input=[1.0], axis=0, keepdims=True)


def test_documented_examples():
    assert tf.raw_ops.AddV2(x=tf.constant([1.0]), y=tf.constant([2.0])).numpy().tolist() == [3.0]
    assert tf.raw_ops.MatMul(a=[[1.0, 2.0]], b=[[3.0], [4.0]]).numpy().tolist() == [[11.0]]
    assert tf.raw_ops.ConcatV2(values=[[1, 2], [3]], axis=0).numpy().tolist() == [1, 2, 3]
    assert tf.raw_ops.Cast(x=[1.7, -1.7], DstT=tf.int32).numpy().tolist() == [1, -1]
    s = tf.raw_ops.Sum(input=[[1, 2], [3, 4]], axis=[0, 1], keep_dims=True)
    assert s.shape == [1, 1] and int(s[0, 0]) == 10


def test_no_implicit_promotion():
    with pytest.raises(TypeError, match="Cannot convert 2.5 to EagerTensor of dtype int32"):
        tf.raw_ops.AddV2(x=1, y=2.5)
    with pytest.raises(
        tf.errors.InvalidArgumentError, match=r"cannot compute Pack as input #1\(zero-based\)"
    ):
        tf.raw_ops.Pack(values=[tf.constant(1), tf.constant(2.0)], axis=0)


def test_every_registered_op_is_listed():
    names = dir(tf.raw_ops)
    for op in OPS:
        assert op in names


def test_inputs_with_a_fixed_dtype_are_not_grouped_with_t(tmp_path):
    # WriteScalarSummary(writer: resource, step: int64, tag: string, value: T): Python
    # values convert to each input's own dtype, as in TF.
    w = tf.summary.create_file_writer(str(tmp_path))
    tf.raw_ops.WriteScalarSummary(writer=w._handle, step=3, tag="loss", value=0.5)
    w.flush()
    events = [
        e
        for f in sorted(tmp_path.iterdir())
        for e in tf.compat.v1.train.summary_iterator(str(f))
        if e.summary.value
    ]
    assert [(e.step, e.summary.value[0].tag) for e in events] == [(3, "loss")]
    assert tf.raw_ops.AddV2(x=1.0, y=tf.constant(2.0)).numpy() == 3.0  # T inputs still grouped
