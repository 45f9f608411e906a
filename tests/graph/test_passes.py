"""Every op family: eager == traced with all passes on == traced with all passes off."""

import importlib
import pkgutil

import numpy as np
import pytest

import arroyo as tf
import tests.ops as ops_pkg
from arroyo.graph import passes
from tests.harness import _to_np, assert_close

CASES = []
for info in pkgutil.iter_modules(ops_pkg.__path__):
    if info.name.startswith("cases_"):
        mod = importlib.import_module(f"tests.ops.{info.name}")
        CASES.extend((info.name, c) for c in mod.CASES)

ALL_OFF = {
    k: False
    for k in (
        "constant_folding",
        "common_subgraph_elimination",
        "arithmetic_optimization",
        "remapping",
        "buffer_reuse",
    )
}


def _run(case, traced):
    xs = [tf.constant(x) if isinstance(x, (np.ndarray, np.generic)) else x for x in case.inputs]
    if not traced:
        return _to_np(case.fn(tf, *xs))
    tensor_pos = [i for i, x in enumerate(xs) if isinstance(x, tf.Tensor)]

    def body(*ts):
        args = list(xs)
        for i, t in zip(tensor_pos, ts):
            args[i] = t
        return case.fn(tf, *args)

    return _to_np(tf.function(body)(*[xs[i] for i in tensor_pos]))


@pytest.mark.parametrize("module,case", CASES, ids=[f"{m}:{c.name}" for m, c in CASES])
def test_eager_equals_traced_with_and_without_passes(module, case):
    try:
        eager = _run(case, traced=False)
    except Exception as e:  # noqa: BLE001
        pytest.skip(f"eager raises {type(e).__name__}")
    traced_on = _run(case, traced=True)
    assert_close(traced_on, eager, case.rtol, case.atol, f"{case.name}: passes on")
    passes.set_experimental_options(ALL_OFF)
    try:
        traced_off = _run(case, traced=True)
    finally:
        passes.set_experimental_options({k: True for k in ALL_OFF})
    assert_close(traced_off, eager, case.rtol, case.atol, f"{case.name}: passes off")


def _optimized(fn, *args):
    cf = tf.function(fn).get_concrete_function(*args)
    cf._compile()
    return cf


def test_constant_folding_and_cse_and_simplification():
    def f(a):
        b = tf.transpose(tf.transpose(a)) * 1.0 + 0.0
        c = tf.constant(2.0) * tf.constant(3.0)
        return b * c + b * c

    cf = _optimized(f, tf.constant([[1.0, 2.0]]))
    types = [op.type for op in cf._optimized_graph.get_operations()]
    assert "Transpose" not in types  # transpose of transpose removed
    assert types.count("Mul") <= 1  # folded 2*3, CSE'd b*c
    np.testing.assert_allclose(cf(tf.constant([[1.0, 2.0]])).numpy(), [[12.0, 24.0]])


def test_passes_can_be_switched_off():
    passes.set_experimental_options(
        {
            "constant_folding": False,
            "arithmetic_optimization": False,
            "common_subgraph_elimination": False,
            "remapping": False,
        }
    )
    try:
        cf = _optimized(
            lambda a: a * tf.constant(1.0) + tf.constant(2.0) * tf.constant(3.0), tf.constant([1.0])
        )
        types = [op.type for op in cf._optimized_graph.get_operations()]
        assert types.count("Mul") == 2
        assert tf.config.optimizer.get_experimental_options()["constant_folding"] is False
    finally:
        passes.set_experimental_options(
            {
                "constant_folding": True,
                "arithmetic_optimization": True,
                "common_subgraph_elimination": True,
                "remapping": True,
            }
        )


def test_elementwise_fusion_with_reduction():
    x = tf.constant(np.random.default_rng(0).normal(size=4096).astype(np.float32))

    def chain(x):
        return tf.reduce_sum(tf.nn.relu(x * 2.0 + 1.0) * tf.sigmoid(x))

    cf = _optimized(chain, x)
    types = [op.type for op in cf._optimized_graph.get_operations()]
    assert "_FusedElementwise" in types and "Sigmoid" not in types and "Sum" not in types
    np.testing.assert_allclose(cf(x).numpy(), chain(x).numpy(), rtol=1e-5)
    # buffers are reused across calls without corrupting results
    np.testing.assert_allclose(cf(x * 2.0).numpy(), chain(x * 2.0).numpy(), rtol=1e-5)


def _np_chain(x, n, base, left=True):
    r = base
    for _ in range(n):
        r = x @ r if left else r @ x
    return r


@pytest.mark.parametrize("dtype", [np.int32, np.int64, np.uint8])
@pytest.mark.parametrize("n", [1, 2, 3, 4, 5, 7, 8, 31, 64, 100])
def test_integer_matmul_chain_is_regrouped_bit_exactly(dtype, n):
    rng = np.random.default_rng(n)
    x = rng.integers(-3 if dtype != np.uint8 else 0, 4, (6, 6)).astype(dtype)
    eye = np.eye(6, dtype=dtype)

    def power(x):
        r = tf.eye(6, dtype=x.dtype)
        for _ in range(n):
            r = tf.matmul(x, r)
        return r

    cf = _optimized(power, tf.constant(x))
    got = cf(tf.constant(x)).numpy()
    np.testing.assert_array_equal(got, _np_chain(x, n, eye))  # wraps like NumPy (and TF)
    matmuls = [op.type for op in cf._optimized_graph.get_operations()].count("MatMul")
    if n >= 4:
        assert matmuls <= 2 * int(np.log2(n)), (n, matmuls)
    else:
        assert matmuls <= n


def test_matmul_chain_right_side_with_base_and_shared_links():
    rng = np.random.default_rng(0)
    x = rng.integers(-5, 5, (4, 4)).astype(np.int32)
    b = rng.integers(-5, 5, (3, 4)).astype(np.int32)

    def f(x, b):
        r = b
        for _ in range(9):
            r = tf.matmul(r, x)  # base @ x**9
        mid = b
        for i in range(6):
            mid = tf.matmul(mid, x)
            if i == 2:
                kept = mid  # an inner link used twice: the chain is split there
        return r, mid + kept

    cf = _optimized(f, tf.constant(x), tf.constant(b))
    r, m = (t.numpy() for t in cf(tf.constant(x), tf.constant(b)))
    np.testing.assert_array_equal(r, _np_chain(x, 9, b, left=False))
    np.testing.assert_array_equal(
        m, _np_chain(x, 6, b, left=False) + _np_chain(x, 3, b, left=False)
    )


def test_float_and_transposed_matmul_chains_are_not_regrouped():
    x = tf.constant(np.random.default_rng(1).normal(size=(5, 5)).astype(np.float32))

    def f(x):
        r = x
        for _ in range(8):
            r = tf.matmul(x, r)
        return r

    cf = _optimized(f, x)
    assert [op.type for op in cf._optimized_graph.get_operations()].count("MatMul") == 8
    xi = tf.constant(np.arange(16, dtype=np.int32).reshape(4, 4) % 3)

    def g(x):
        r = x
        for _ in range(8):
            r = tf.matmul(x, r, transpose_a=True)
        return r

    cf = _optimized(g, xi)
    assert [op.type for op in cf._optimized_graph.get_operations()].count("MatMul") == 8
    np.testing.assert_array_equal(cf(xi).numpy(), g(xi).numpy())


def test_matmul_chain_regrouping_switches_off_with_arithmetic_optimization():
    x = tf.constant(np.eye(3, dtype=np.int32) * 2)

    def f(x):
        r = x
        for _ in range(10):
            r = tf.matmul(x, r)
        return r

    passes.set_experimental_options({"arithmetic_optimization": False})
    try:
        cf = _optimized(f, x)
        assert [op.type for op in cf._optimized_graph.get_operations()].count("MatMul") == 10
        np.testing.assert_array_equal(cf(x).numpy(), np.eye(3, dtype=np.int32) * 2**11)
    finally:
        passes.set_experimental_options({"arithmetic_optimization": True})


def test_matmul_chain_with_unknown_dims_in_signature():
    @tf.function(input_signature=[tf.TensorSpec([None, None], tf.int64)])
    def f(x):
        r = x
        for _ in range(12):
            r = tf.matmul(x, r)
        return r

    for k in (2, 5):
        x = np.random.default_rng(k).integers(-9, 9, (k, k))
        np.testing.assert_array_equal(f(tf.constant(x)).numpy(), np.linalg.matrix_power(x, 13))


def test_shape_only_ops_fold_when_the_shape_is_known():
    def f(x):
        return (
            tf.ones_like(x) * 2.0 + tf.zeros_like(x),
            tf.shape(x),
            tf.size(x),
            tf.rank(x),
        )

    x = tf.constant(np.arange(6, dtype=np.float32).reshape(2, 3))
    cf = _optimized(f, x)
    types = {op.type for op in cf._optimized_graph.get_operations()}
    assert not types & {"OnesLike", "ZerosLike", "Shape", "Size", "Rank"}, types
    ones, shape, size, rank = (t.numpy() for t in cf(x))
    np.testing.assert_array_equal(ones, np.full((2, 3), 2.0, np.float32))
    assert shape.tolist() == [2, 3] and shape.dtype == np.int32
    assert size == 6 and rank == 2

    @tf.function(input_signature=[tf.TensorSpec([None, 3], tf.float32)])
    def g(x):
        return tf.ones_like(x), tf.shape(x)

    cf = g.get_concrete_function()
    cf._compile()
    types = [op.type for op in cf._optimized_graph.get_operations()]
    assert "OnesLike" in types and "Shape" in types  # unknown dimension: computed at run time
    ones, shape = g(tf.zeros([4, 3]))
    assert ones.shape == (4, 3) and shape.numpy().tolist() == [4, 3]


def test_strided_slice_specialized_in_graphs_still_checks_bounds():
    x = tf.constant(np.arange(24, dtype=np.int32).reshape(2, 3, 4))

    @tf.function
    def f(x):
        return x[:, tf.newaxis, 1, ::-2], x[..., 3], x[1, 2, 3]

    a, b, c = (t.numpy() for t in f(x))
    xn = x.numpy()
    np.testing.assert_array_equal(a, xn[:, None, 1, ::-2])
    np.testing.assert_array_equal(b, xn[..., 3])
    assert c == xn[1, 2, 3]

    @tf.function
    def bad(x):
        return tf.strided_slice(x, [0, 5], [1, 6], [1, 1], shrink_axis_mask=2)

    with pytest.raises((tf.errors.InvalidArgumentError, ValueError)):
        bad(x)
