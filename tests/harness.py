"""Table-driven op tests: one `Case` row checks an op family member five ways.

A Case is written against the TensorFlow API with the module passed in (`fn(tf, *xs)`),
so the same row runs on arroyo in the tests and on real TensorFlow in
`tools/make_goldens.py`, which stores TF's outputs (and gradients) under tests/data/goldens.

Checks, in `check_case`:
  1. kernel vs the NumPy reference `ref` (when given);
  2. inference vs actual output, for every op the row executes (the conftest observer);
  3. the ops the row declares in `ops` really ran (so the coverage table cannot lie);
  4. gradient vs central finite differences in float64 (`grad=True`), and second order
     (`grad2=True`) for smooth ops;
  5. value, dtype and shape vs TF's golden output (when a golden exists).
"""

from __future__ import annotations

import dataclasses
import os

import numpy as np

import arroyo as tf

GOLDEN_DIR = os.path.join(os.path.dirname(__file__), "data", "goldens")


@dataclasses.dataclass
class Case:
    name: str
    fn: object  # fn(tf, *inputs) -> tensor or list of tensors
    inputs: list  # NumPy arrays / Python values, passed as tensors (see `as_tensors`)
    ops: tuple = ()  # raw op names this row covers
    ref: object = None  # ref(*numpy_inputs) -> expected NumPy value(s)
    grad: bool = False  # check first-order gradients against finite differences
    grad2: bool = False  # also check second order (smooth ops)
    grad_inputs: tuple | None = None  # which inputs to differentiate (default: all float)
    rtol: float = 1e-5
    atol: float = 1e-6
    grad_rtol: float = 1e-4
    grad_atol: float = 1e-5
    golden: bool = True  # compare against TF's output when the golden exists
    as_tensors: bool = True  # wrap inputs with tf.constant (False: pass Python values)
    eps: float = 1e-6

    def __repr__(self):
        return self.name


def _to_np(out):
    if isinstance(out, (list, tuple)):
        return [_to_np(o) for o in out]
    if hasattr(out, "to_dense"):
        out = out.to_dense()
    return np.asarray(out.numpy() if hasattr(out, "numpy") else out)


def run(case, tf_mod=tf, inputs=None):
    xs = case.inputs if inputs is None else inputs
    if case.as_tensors:
        xs = [tf_mod.constant(x) if isinstance(x, (np.ndarray, np.generic)) else x for x in xs]
    return case.fn(tf_mod, *xs)


def assert_close(actual, expected, rtol, atol, what=""):
    if isinstance(expected, (list, tuple)):
        assert isinstance(actual, (list, tuple)) and len(actual) == len(expected), what
        for a, e in zip(actual, expected):
            assert_close(a, e, rtol, atol, what)
        return
    actual = np.asarray(actual)
    expected = np.asarray(expected)
    assert actual.shape == expected.shape, f"{what}: shape {actual.shape} != {expected.shape}"
    if expected.dtype.kind in "OSU":
        assert actual.tolist() == expected.tolist(), what
    elif expected.dtype.kind == "b":
        np.testing.assert_array_equal(actual, expected, err_msg=what)
    else:
        np.testing.assert_allclose(actual.astype(np.complex128 if actual.dtype.kind == "c" else np.float64),
                                   expected, rtol=rtol, atol=atol, err_msg=what, equal_nan=True)  # fmt: skip


def _float_indices(case, xs):
    if case.grad_inputs is not None:
        return list(case.grad_inputs)
    return [i for i, x in enumerate(xs) if isinstance(x, np.ndarray) and x.dtype.kind == "f"]


def _as64(xs, idx):
    return [x.astype(np.float64) if i in idx else x for i, x in enumerate(xs)]


def _scalarize(out, weights):
    """sum(out * w) over every float output: a scalar whose gradient checks all outputs."""
    outs = out if isinstance(out, (list, tuple)) else [out]
    total = None
    for o, w in zip(outs, weights):
        if w is None:
            continue
        term = (
            tf.reduce_sum(tf.cast(o, tf.float64) * w)
            if o.dtype != tf.float64
            else tf.reduce_sum(o * w)
        )
        total = term if total is None else total + term
    return total


def _weights(case, xs, rng):
    out = run(case, tf, xs)
    outs = out if isinstance(out, (list, tuple)) else [out]
    ws = []
    for o in outs:
        o = o.to_dense() if hasattr(o, "to_dense") else o
        if o.dtype.is_floating:
            ws.append(tf.constant(rng.uniform(0.5, 1.5, size=o.shape.as_list())))
        else:
            ws.append(None)
    return ws


def _numeric_grad(f, xs, i, eps):
    x = xs[i]
    g = np.zeros_like(x, dtype=np.float64)
    flat = g.reshape(-1)
    for k in range(x.size):
        xp = [v.copy() if isinstance(v, np.ndarray) else v for v in xs]
        xm = [v.copy() if isinstance(v, np.ndarray) else v for v in xs]
        xp[i].reshape(-1)[k] += eps
        xm[i].reshape(-1)[k] -= eps
        flat[k] = (f(xp) - f(xm)) / (2 * eps)
    return g


def check_gradient(case, rng):
    idx = _float_indices(case, case.inputs)
    xs = _as64(case.inputs, idx)
    weights = _weights(case, xs, rng)

    def f(values):
        return float(_scalarize(run(case, tf, values), weights).numpy())

    tensors = [tf.constant(x) if isinstance(x, (np.ndarray, np.generic)) else x for x in xs]
    with tf.GradientTape() as tape:
        for i in idx:
            tape.watch(tensors[i])
        y = _scalarize(case.fn(tf, *tensors), weights)
    grads = tape.gradient(y, [tensors[i] for i in idx])
    for i, g in zip(idx, grads):
        num = _numeric_grad(f, xs, i, case.eps)
        got = np.zeros_like(num) if g is None else _to_np(g)
        assert_close(got, num, case.grad_rtol, case.grad_atol, f"{case.name}: d/dinput{i}")
    return idx, xs, weights


def check_second_order(case, rng, idx, xs, weights):
    """Checks d/dx of (sum of first-order gradients * v) against finite differences."""
    vs = [rng.uniform(0.5, 1.5, size=np.shape(xs[i])) for i in idx]

    def first(values):
        ts = [tf.constant(x) if isinstance(x, (np.ndarray, np.generic)) else x for x in values]
        with tf.GradientTape() as t:
            for i in idx:
                t.watch(ts[i])
            y = _scalarize(case.fn(tf, *ts), weights)
        gs = t.gradient(y, [ts[i] for i in idx])
        return float(sum(np.sum(_to_np(g) * v) for g, v in zip(gs, vs) if g is not None))

    ts = [tf.constant(x) if isinstance(x, (np.ndarray, np.generic)) else x for x in xs]
    with tf.GradientTape() as outer:
        for i in idx:
            outer.watch(ts[i])
        with tf.GradientTape() as inner:
            for i in idx:
                inner.watch(ts[i])
            y = _scalarize(case.fn(tf, *ts), weights)
        gs = inner.gradient(y, [ts[i] for i in idx])
        z = None
        for g, v in zip(gs, vs):
            if g is None:
                continue
            term = tf.reduce_sum(tf.convert_to_tensor(g) * v)
            z = term if z is None else z + term
    second = outer.gradient(z, [ts[i] for i in idx]) if z is not None else [None] * len(idx)
    for i, g in zip(idx, second):
        num = _numeric_grad(first, xs, i, 1e-5)
        got = np.zeros_like(num) if g is None else _to_np(g)
        assert_close(got, num, 1e-3, 1e-4, f"{case.name}: second order d/dinput{i}")


def load_golden(module_name):
    path = os.path.join(GOLDEN_DIR, module_name + ".npz")
    if not os.path.exists(path):
        return {}
    with np.load(path, allow_pickle=True) as z:
        return {k: z[k] for k in z.files}


def golden_outputs(goldens, case):
    """TF's outputs for a case: a list (multi-output) or one array, or None."""
    if case.name + "/0" not in goldens:
        return None
    outs = []
    k = 0
    while f"{case.name}/{k}" in goldens:
        outs.append(goldens[f"{case.name}/{k}"])
        k += 1
    return outs


def check_case(case, ran_ops, goldens):
    rng = np.random.default_rng(0)
    ran_ops.clear()
    out = run(case)
    got = _to_np(out)
    for op in case.ops:
        assert op in ran_ops, f"{case.name}: declared op {op} did not run (ran: {sorted(ran_ops)})"
    if case.ref is not None:
        np_inputs = [
            np.asarray(x) if isinstance(x, (np.ndarray, np.generic)) else x for x in case.inputs
        ]
        assert_close(
            got, case.ref(*np_inputs), case.rtol, case.atol, f"{case.name}: vs NumPy reference"
        )
    gold = golden_outputs(goldens, case) if case.golden else None
    if gold is not None:
        outs = out if isinstance(out, (list, tuple)) else [out]
        gots = got if isinstance(got, list) else [got]
        assert len(gold) == len(gots), f"{case.name}: {len(gots)} outputs, TF has {len(gold)}"
        for _o, g, want in zip(outs, gots, gold):
            if want.dtype.kind == "U" and want.shape == () and str(want).startswith("dtype:"):
                continue
            assert_close(g, want, case.rtol, case.atol, f"{case.name}: vs TensorFlow golden")
        dkey = f"{case.name}/dtypes"
        if dkey in goldens:
            want_dtypes = [str(d) for d in goldens[dkey]]
            have = [o.dtype.name for o in outs if hasattr(o, "dtype")]
            assert have == want_dtypes, f"{case.name}: dtypes {have} != TF {want_dtypes}"
    if case.grad:
        idx, xs, weights = check_gradient(case, rng)
        if case.grad2:
            check_second_order(case, rng, idx, xs, weights)
