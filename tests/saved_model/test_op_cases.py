"""Every op-table row (tests/ops/cases_*.py), traced with an input_signature, survives
tf.saved_model.save + load in arroyo with the same outputs.

(tools/check_arroyo_saved_model_in_tf.py loads the same SavedModels in real TensorFlow.)"""

from __future__ import annotations

import importlib

import numpy as np
import pytest

pytest.importorskip("google.protobuf")

import arroyo as tf  # noqa: E402
from arroyo.saved_model import op_defs  # noqa: E402

MODULES = [
    "cases_math",
    "cases_unary",
    "cases_array",
    "cases_reduction",
    "cases_indexing",
    "cases_linalg",
    "cases_nn",
    "cases_control_flow",
    "cases_random",
    "cases_debugging",
]


def _rows(mname):
    try:
        mod = importlib.import_module(f"tests.ops.{mname}")
    except ImportError:
        return []
    return [c for c in mod.CASES if c.as_tensors]


def _function(case):
    xs = list(case.inputs)
    idx = [i for i, x in enumerate(xs) if isinstance(x, (np.ndarray, np.generic))]
    specs = []
    for i in idx:
        a = np.asarray(xs[i])
        specs.append(
            tf.TensorSpec(a.shape, tf.string if a.dtype.kind in "OSU" else tf.as_dtype(a.dtype))
        )

    def body(*ts):
        full = list(xs)
        for i, t in zip(idx, ts):
            full[i] = t
        return case.fn(tf, *full)

    return tf.function(body, input_signature=specs), [xs[i] for i in idx]


def _same(a, b):
    a, b = np.asarray(a), np.asarray(b)
    assert a.shape == b.shape and a.dtype == b.dtype
    if a.dtype.kind in "fc":
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-6, equal_nan=True)
    else:
        assert a.tolist() == b.tolist()


@pytest.mark.parametrize("mname", MODULES)
def test_rows_round_trip(mname, tmp_path):
    done = 0
    for n, case in enumerate(_rows(mname)):
        fn, ins = _function(case)
        module = tf.Module()
        module.f = fn
        try:
            want = fn(*[tf.constant(x) for x in ins])
        except Exception:  # noqa: BLE001 - rows that cannot be traced are not this test's business
            continue
        ops = {op.type for op in fn.get_concrete_function().graph.get_operations()}
        if any(op_defs.lookup(t) is None for t in ops - {"Placeholder"}):
            continue  # an op TensorFlow lacks (or one added after op_defs.json was generated)
        if any(v.name.startswith("StateVar") for v in fn.get_concrete_function().graph.variables):
            continue  # a tf.random.Generator made inside the function: untracked state, as in TF
        path = str(tmp_path / f"r{n}")
        tf.saved_model.save(module, path, signatures={})
        got = tf.saved_model.load(path).f(*[tf.constant(x) for x in ins])
        flat_w, flat_g = tf.nest.flatten(want), tf.nest.flatten(got)
        assert len(flat_w) == len(flat_g), case.name
        for w, g in zip(flat_w, flat_g):
            if "random" in mname:
                assert np.shape(w) == np.shape(g) and np.asarray(w).dtype == np.asarray(g).dtype, (
                    case.name
                )
            else:
                try:
                    _same(g, w)
                except AssertionError as e:
                    raise AssertionError(f"{mname}:{case.name}: {e}") from None
        done += 1
    if _rows(mname):
        assert done > 0


def test_op_signature_table_covers_registered_ops():
    """Every op arroyo registers has TF's signature in op_defs.json (or is known not to be a TF
    op); when this fails after adding ops, run tools/make_saved_model_op_defs.py with TF."""
    import pkgutil

    import arroyo.ops
    from arroyo.framework.op_registry import registered_ops

    for m in pkgutil.iter_modules(arroyo.ops.__path__):
        importlib.import_module(f"arroyo.ops.{m.name}")
    for name in ("arroyo.graph.control_flow", "arroyo.graph.tensor_array"):
        importlib.import_module(name)
    have, not_tf = op_defs.known_ops()
    missing = sorted(set(registered_ops()) - have - not_tf)
    assert not missing, f"run tools/make_saved_model_op_defs.py: no TF signature for {missing}"
