"""tf.random: bit-exact agreement with TensorFlow 2.21 (CPU), statistics, errors.

The golden scenarios live in tools/make_random_goldens.py (functions of the TF module);
here each runs on arroyo and must reproduce TF's recorded numbers exactly.
"""

from __future__ import annotations

import importlib.util
import os
import time

import numpy as np
import pytest

import arroyo as tf
from arroyo.framework import device
from arroyo.ops import _libm, philox, random_ops

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GOLDEN = os.path.join(ROOT, "tests", "data", "random_goldens.npz")


def _load_tool():
    spec = importlib.util.spec_from_file_location(
        "make_random_goldens", os.path.join(ROOT, "tools", "make_random_goldens.py")
    )
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


TOOL = _load_tool()
with np.load(GOLDEN, allow_pickle=False) as _z:
    GOLD = {k: _z[k] for k in _z.files}
NAMES = sorted({k.split("/")[0] for k in GOLD if not k.startswith("meta/")})


def _np(x):
    if isinstance(x, tf.Variable):
        x = x.read_value()
    arr = np.asarray(x.numpy() if hasattr(x, "numpy") else x)
    name = x.dtype.name if hasattr(x, "dtype") and hasattr(x.dtype, "name") else arr.dtype.name
    if name == "bfloat16":
        arr = arr.view(np.uint16)
    return arr, name


@pytest.fixture
def tf_threads():
    """Multinomial's sharding depends on the intra-op thread count: use the recorder's."""
    old = device.get_intra_op_parallelism_threads()
    device.set_intra_op_parallelism_threads(int(GOLD["meta/threads"]))
    yield
    device.set_intra_op_parallelism_threads(old)


def test_every_scenario_recorded():
    assert set(NAMES) == set(TOOL.SCENARIOS), "re-run tools/make_random_goldens.py"


@pytest.mark.parametrize("name", NAMES)
def test_matches_tensorflow(name, tf_threads):
    outs = TOOL.SCENARIOS[name](tf)
    dts = [str(d) for d in GOLD[f"{name}/dtypes"]]
    assert len(outs) == len(dts), name
    for k, (o, dt) in enumerate(zip(outs, dts)):
        got, got_dt = _np(o)
        want = GOLD[f"{name}/{k}"]
        assert got_dt == dt, f"{name}[{k}]: dtype {got_dt} != {dt}"
        assert got.shape == want.shape, f"{name}[{k}]: shape {got.shape} != {want.shape}"
        if got.dtype.kind == "f":  # compare bit patterns: exact, -0.0 and NaN included
            got = got.view(f"u{got.dtype.itemsize}")
            want = want.view(f"u{want.dtype.itemsize}")
        bad = np.flatnonzero(got.reshape(-1) != want.reshape(-1))
        assert bad.size == 0, f"{name}[{k}]: {bad.size} of {got.size} differ, first at {bad[:5]}"


# -- seeding rules ----------------------------------------------------------------------------


def test_get_seed_rules():
    from arroyo.framework.random_seed import DEFAULT_GRAPH_SEED, get_seed

    tf.random.set_seed(None)
    assert get_seed(None) == (None, None)
    assert get_seed(5) == (DEFAULT_GRAPH_SEED, 5)
    tf.random.set_seed(3)
    assert get_seed(7) == (3, 7)
    assert get_seed(2**31 + 5) == (3, 6)  # op seeds are taken modulo 2**31 - 1
    import random

    rng = random.Random(3)
    rng.randint(0, 2**31 - 1)  # nothing drew yet: the sequence restarts with set_seed
    tf.random.set_seed(3)
    expect = random.Random(3).randint(0, 2**31 - 1)
    assert get_seed(None) == (3, expect)
    tf.random.set_seed(0)
    assert get_seed(0) == (0, 2**31 - 1)


def test_no_seed_is_nondeterministic():
    tf.random.set_seed(None)
    a = tf.random.uniform([8]).numpy()
    b = tf.random.uniform([8]).numpy()
    assert not np.array_equal(a, b)


def test_set_seed_replays_program():
    def program():
        return [tf.random.uniform([4]).numpy(), tf.random.normal([3], seed=2).numpy(),
                tf.random.normal([3], seed=2).numpy()]  # fmt: skip

    tf.random.set_seed(77)
    first = program()
    tf.random.set_seed(77)
    second = program()
    for a, b in zip(first, second):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(first[1], first[2])  # one kernel, one continuing stream


def test_generator_state_is_a_variable():
    g = tf.random.Generator.from_seed(1)
    assert isinstance(g.state, tf.Variable)
    assert g.state.dtype == tf.int64 and g.state.name == "StateVar:0"
    before = g.state.read_value()
    g.normal([3])
    assert before.numpy().tolist() == [1, 0, 0]  # earlier reads keep their value
    assert g.state.numpy().tolist() == [769, 0, 0]
    assert g.algorithm == 1 and int(g.key) == 0


def test_global_generator():
    g = tf.random.get_global_generator()
    assert g is tf.random.get_global_generator()
    mine = tf.random.Generator.from_seed(5)
    tf.random.set_global_generator(mine)
    try:
        assert tf.random.get_global_generator() is mine
    finally:
        tf.random.set_global_generator(g)
    assert tf.random.experimental.Generator is tf.random.Generator


# -- statistics ---------------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", [tf.float32, tf.float64])
def test_moments(dtype):
    n = 200_000
    u = tf.random.uniform([n], dtype=dtype, seed=1).numpy()
    assert u.min() >= 0 and u.max() < 1
    assert abs(u.mean() - 0.5) < 0.01 and abs(u.std() - 12**-0.5) < 0.01
    z = tf.random.normal([n], dtype=dtype, seed=2).numpy()
    assert abs(z.mean()) < 0.01 and abs(z.std() - 1) < 0.01
    t = tf.random.truncated_normal([n], dtype=dtype, seed=3).numpy()
    assert np.abs(t).max() < 2 and abs(t.mean()) < 0.01 and abs(t.std() - 0.8796) < 0.01
    s = tf.random.stateless_normal([n], seed=[1, 2], dtype=dtype).numpy()
    assert abs(s.mean()) < 0.01 and abs(s.std() - 1) < 0.01


def test_int_and_categorical_frequencies():
    x = tf.random.uniform([60_000], minval=-3, maxval=3, dtype=tf.int32, seed=4).numpy()
    assert x.min() == -3 and x.max() == 2
    counts = np.bincount(x + 3)
    assert np.all(np.abs(counts / x.size - 1 / 6) < 0.01)
    c = tf.random.categorical(tf.math.log([[0.1, 0.3, 0.6]]), 30_000, seed=5).numpy()[0]
    freq = np.bincount(c, minlength=3) / c.size
    np.testing.assert_allclose(freq, [0.1, 0.3, 0.6], atol=0.01)


def test_shuffle_is_a_permutation():
    x = tf.random.shuffle(tf.range(1000), seed=3).numpy()
    assert sorted(x.tolist()) == list(range(1000)) and x.tolist() != list(range(1000))
    rows = tf.random.shuffle(tf.reshape(tf.range(20), [10, 2]), seed=1).numpy()
    assert sorted(rows[:, 0].tolist()) == list(range(0, 20, 2))
    np.testing.assert_array_equal(rows[:, 1], rows[:, 0] + 1)


# -- the libm twins (exhaustive over the kernels' float inputs, sampled for double) ----------


def test_libm_float_twins_match_correct_rounding_closely():
    # Every float the kernels feed logf is m * 2**-23 (m < 2**23); check a large sample
    # against float64 NumPy: glibc's logf is within one ulp and usually correctly rounded.
    m = np.arange(1, 2**23, 97, dtype=np.uint32)
    u = ((m | np.uint32(0x3F800000)).view(np.float32) - np.float32(1)).astype(np.float32)
    got = _libm.logf(u).astype(np.float64)
    ref = np.log(u.astype(np.float64))
    ulp = np.spacing(np.abs(ref).astype(np.float32)).astype(np.float64)
    assert np.all(np.abs(got - ref) <= ulp)
    v = (2 * np.pi * u.astype(np.float64)).astype(np.float32)
    s, c = _libm.sincosf(v)
    x = v.astype(np.float64)
    assert np.all(np.abs(s - np.sin(x)) <= np.spacing(np.float32(1)))
    assert np.all(np.abs(c - np.cos(x)) <= np.spacing(np.float32(1)))


def test_libm_log_double_close():
    x = np.random.default_rng(0).random(100_000) + 1e-300
    got = _libm.log(x)
    ref = np.log(x)
    assert np.all(np.abs(got - ref) <= 2 * np.spacing(np.abs(ref)))


def test_philox_known_answer():
    # Random123's published known-answer vectors for Philox-4x32-10.
    blk = philox.philox_blocks(0, 0, 1)[0]
    assert blk.tolist() == [0x6627E8D5, 0xE169C58D, 0xBC57AC4C, 0x9B00DBD8]
    ones = (1 << 128) - 1
    blk = philox.philox_blocks(ones, (1 << 64) - 1, 1)[0]
    assert blk.tolist() == [0x408F276D, 0x41C83B0E, 0xA20BC7C6, 0x6D5451FD]
    ctr = 0x243F6A88 | 0x85A308D3 << 32 | 0x13198A2E << 64 | 0x03707344 << 96
    blk = philox.philox_blocks(ctr, 0xA4093822 | 0x299F31D0 << 32, 1)[0]
    assert blk.tolist() == [0xD16CFE09, 0x94FDCCEB, 0x5001E420, 0x24126EA1]


def test_speed_one_million_floats():
    random_ops.uniform([1000], seed=1)
    t = time.perf_counter()
    x = random_ops.uniform([1_000_000], seed=1)
    elapsed = time.perf_counter() - t
    assert x.shape == (1_000_000,)
    assert elapsed < 0.5  # typically well under 0.05 s


# -- errors ---------------------------------------------------------------------------------------


def test_int_uniform_needs_maxval():
    with pytest.raises(ValueError, match="Must specify maxval for integer dtype tf.int32"):
        tf.random.uniform([2], dtype=tf.int32)
    with pytest.raises(ValueError, match="Argument `dtype` got invalid value"):
        tf.random.uniform([2], dtype=tf.int8)


def test_minval_maxval_errors():
    with pytest.raises(
        tf.errors.InvalidArgumentError,
        match=r"Need minval < maxval, got 5 >= 5 \[Op:RandomUniformInt\]",
    ):
        tf.random.uniform([2], 5, 5, dtype=tf.int32)
    assert tf.random.uniform([0], 5, 5, dtype=tf.int32).shape == (0,)  # empty: no check, like TF
    with pytest.raises(tf.errors.InvalidArgumentError, match="minval must be 0-D, got shape"):
        tf.random.uniform([2], minval=[0, 1], maxval=5, dtype=tf.int32)
    with pytest.raises(tf.errors.InvalidArgumentError, match="Need minval < maxval"):
        tf.random.stateless_uniform([2], seed=[1, 2], minval=3, maxval=3, dtype=tf.int64)


def test_bad_shapes():
    with pytest.raises(
        tf.errors.InvalidArgumentError,
        match=r"Dimension -1 must be >= 0 \[Op:RandomStandardNormal\]",
    ):
        tf.random.normal([-1])
    with pytest.raises(
        tf.errors.InvalidArgumentError,
        match=r"shape must be a vector of \{int32,int64\}, got shape \[\]",
    ):
        tf.random.normal(5)
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"got shape \[1,2\]"):
        tf.random.uniform([[2, 3]])
    with pytest.raises(tf.errors.InvalidArgumentError, match="Value for attr 'T' of float"):
        tf.random.normal([2.5])
    assert tf.random.normal([]).shape == ()
    assert tf.random.normal([0, 3]).shape == (0, 3)
    assert tf.random.normal(tf.TensorShape([2, 3])).shape == (2, 3)


def test_dtype_errors():
    with pytest.raises(ValueError, match="Tensor conversion requested dtype float32"):
        tf.random.normal([2], mean=tf.constant(1, tf.int32))
    with pytest.raises(TypeError):
        tf.random.normal([2], dtype=tf.int32)
    with pytest.raises(tf.errors.InvalidArgumentError, match="Value for attr 'dtype' of int32"):
        tf.raw_ops.RandomUniform(shape=[2], dtype=tf.int32)


def test_categorical_errors():
    with pytest.raises(
        tf.errors.InvalidArgumentError, match=r"logits should be a matrix, got shape \[2\]"
    ):
        tf.random.categorical([1.0, 2.0], 3)
    with pytest.raises(
        tf.errors.InvalidArgumentError, match="num_samples should be non-negative, got -1"
    ):
        tf.random.categorical([[1.0, 2.0]], -1)
    with pytest.raises(
        tf.errors.InvalidArgumentError, match="num_classes should be positive, got 0"
    ):
        tf.random.categorical(tf.zeros([2, 0]), 2)
    with pytest.raises(ValueError, match="Accepted dtypes are"):
        tf.random.categorical([[1.0, 2.0]], 2, dtype=tf.int16)
    with pytest.raises(tf.errors.NotFoundError):
        tf.random.categorical([[1, 2]], 2)


def test_stateless_errors():
    with pytest.raises(
        tf.errors.InvalidArgumentError, match=r"seed must have shape \[2\], not \[1\]"
    ):
        tf.random.stateless_uniform([2], seed=[1])
    with pytest.raises(tf.errors.InvalidArgumentError, match="Value for attr 'Tseed' of float"):
        tf.random.stateless_uniform([2], seed=[1.0, 2.0])
    with pytest.raises(ValueError, match="must be both None or not None"):
        tf.random.stateless_uniform([2], seed=[1, 2], dtype=tf.int32)
    with pytest.raises(ValueError, match="Please don't use unsigned integers"):
        tf.random.stateless_uniform([2], seed=[1, 2], minval=0, maxval=10, dtype=tf.uint32)
    with pytest.raises(ValueError, match="Argument `alg` got unsupported value foo"):
        tf.random.stateless_uniform([2], seed=[1, 2], alg="foo")
    with pytest.raises(
        tf.errors.InvalidArgumentError, match="counter must be a vector with length at least 2"
    ):
        tf.random.stateless_uniform([2], seed=[1, 2], alg="threefry")


def test_generator_errors():
    g = tf.random.Generator.from_seed(1)
    with pytest.raises(
        ValueError, match="minval and maxval must be both `None` or both non-`None`"
    ):
        g.uniform([3], dtype=tf.int32)
    with pytest.raises(tf.errors.UnimplementedError, match="ThreeFry"):
        tf.random.Generator.from_seed(1, alg="threefry").normal([2])
    with pytest.raises(tf.errors.InvalidArgumentError, match="Need minval < maxval, got 3 >= 3"):
        g.uniform([2], 3, 3, dtype=tf.int32)
    with pytest.raises(ValueError, match="incompatible"):
        tf.random.Generator.from_state([1, 2], alg="philox")


# -- inside graphs ----------------------------------------------------------------------------------


def test_function_nodes_keep_their_streams():
    tf.random.set_seed(3)

    @tf.function
    def f():
        return tf.random.uniform([4], seed=1)

    a, b = f().numpy(), f().numpy()
    assert not np.array_equal(a, b)
    # the eager kernel with the same attrs starts its own stream at the beginning
    tf.random.set_seed(3)
    np.testing.assert_array_equal(tf.random.uniform([4], seed=1).numpy(), a)


def test_generator_in_function():
    g = tf.random.Generator.from_seed(7)
    h = tf.random.Generator.from_seed(7)

    @tf.function
    def draw():
        return g.normal([3])

    first, second = draw().numpy(), draw().numpy()
    np.testing.assert_array_equal(first, h.normal([3]).numpy())
    np.testing.assert_array_equal(second, h.normal([3]).numpy())
    assert g.state.numpy().tolist() == h.state.numpy().tolist()


def test_generator_is_trackable_in_checkpoints(tmp_path):
    g = tf.random.Generator.from_seed(1)
    g.normal([2])
    path = tf.train.Checkpoint(gen=g).write(str(tmp_path / "ck"))
    # TF 2.21 writes the same key for the same object
    names = [n for n, _ in tf.train.list_variables(path)]
    assert "gen/_state_var/.ATTRIBUTES/VARIABLE_VALUE" in names
    expected = g.normal([3]).numpy()
    other = tf.random.Generator.from_seed(99)
    tf.train.Checkpoint(gen=other).read(path).assert_consumed()
    np.testing.assert_array_equal(other.normal([3]).numpy(), expected)
