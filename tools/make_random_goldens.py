"""Records TensorFlow 2.21's random numbers into tests/data/random_goldens.npz.

Run with real TensorFlow, from the repository root:

    /root/tfvenv/bin/python tools/make_random_goldens.py

Each scenario below is a function of the TF module (`fn(tf) -> list of tensors/arrays`),
so `tests/test_random.py` runs the very same code on arroyo and compares the numbers bit
for bit. Scenarios start from a known seeding state (`tf.random.set_seed`, which also
resets the op kernels' generators), so their order does not matter.

Outputs are stored as `<scenario>/<k>` (bfloat16 as its uint16 bit pattern) with the
dtype names in `<scenario>/dtypes`; `meta/threads` records the intra-op thread count,
which decides how TF's Multinomial kernel splits large batches.
"""

from __future__ import annotations

import os
import sys

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "tests", "data", "random_goldens.npz")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

SCENARIOS: dict = {}

SHAPES = [[1], [3], [5], [7], [1000], [1001], [2, 3, 4], []]
FLOATS = ["float16", "bfloat16", "float32", "float64"]


def scenario(name):
    def deco(fn):
        SCENARIOS[name] = fn
        return fn

    return deco


def _dt(tf, name):
    return getattr(tf, name)


# -- stateful ops: every dtype and odd size, op seed only / global seed only / both -------


def _stateful(opname, dtype, shape, seeding):
    def fn(tf):
        op = getattr(tf.random, opname)
        if seeding == "op":  # only an op seed: (DEFAULT_GRAPH_SEED, seed)
            tf.random.set_seed(None)
            return [
                op(shape, dtype=_dt(tf, dtype), seed=11),
                op(shape, dtype=_dt(tf, dtype), seed=11),
            ]
        if seeding == "global":  # op seeds drawn from the global seed's sequence
            tf.random.set_seed(1234)
            return [op(shape, dtype=_dt(tf, dtype)), op(shape, dtype=_dt(tf, dtype))]
        tf.random.set_seed(7)
        return [op(shape, dtype=_dt(tf, dtype), seed=3), op(shape, dtype=_dt(tf, dtype), seed=3)]

    return fn


for _op in ("uniform", "normal", "truncated_normal"):
    for _dtype in FLOATS:
        for _shape in SHAPES:
            for _seeding in ("op", "global", "both"):
                _name = f"{_op}_{_dtype}_{'x'.join(map(str, _shape)) or 'scalar'}_{_seeding}"
                SCENARIOS[_name] = _stateful(_op, _dtype, _shape, _seeding)


def _uniform_int(dtype, lo, hi, shape, seed):
    def fn(tf):
        tf.random.set_seed(99)
        d = _dt(tf, dtype)
        return [tf.random.uniform(shape, lo, hi, dtype=d, seed=seed),
                tf.random.uniform(shape, lo, hi, dtype=d, seed=seed)]  # fmt: skip

    return fn


_INT_CASES = [
    ("int32", 0, 10), ("int32", -7, 100), ("int32", -(2**31), 2**31 - 1), ("int32", 5, 6),
    ("int64", 0, 10), ("int64", -(2**62), 2**62), ("int64", -(2**63), 2**63 - 1), ("int64", -3, 1000003),
]  # fmt: skip
for _i, (_dtype, _lo, _hi) in enumerate(_INT_CASES):
    for _shape in ([1], [5], [7], [1001], [3, 4]):
        SCENARIOS[f"uniform_int_{_i}_{_dtype}_{'x'.join(map(str, _shape))}"] = _uniform_int(
            _dtype, _lo, _hi, _shape, 5
        )


@scenario("seed_sequence")
def _seed_sequence(tf):
    tf.random.set_seed(5)
    out = [tf.random.uniform([3]), tf.random.normal([3]), tf.random.uniform([3], seed=1),
           tf.random.uniform([3], seed=1), tf.random.truncated_normal([4]),
           tf.random.uniform([4], maxval=5, dtype=tf.int32), tf.random.shuffle(tf.range(10)),
           tf.random.categorical([[0.0, 1.0, 2.0]], 6), tf.random.normal([2], seed=1),
           tf.random.uniform([3], seed=1, dtype=tf.float64), tf.random.uniform([5], seed=1)]  # fmt: skip
    tf.random.set_seed(5)  # same program, same numbers
    out += [tf.random.uniform([3]), tf.random.normal([3]), tf.random.uniform([3], seed=1)]
    return out


@scenario("seed_truncation")
def _seed_truncation(tf):
    tf.random.set_seed(2**40 + 3)
    a = tf.random.uniform([4], seed=2**35 + 1)
    b = tf.random.uniform([4])
    tf.random.set_seed(0)
    c = tf.random.uniform([4], seed=0)  # (0, 0) becomes (0, 2**31 - 1)
    d = tf.random.uniform([4], seed=2**31 - 1)  # the same attrs: continues c's stream
    tf.random.set_seed(-5)
    e = tf.random.normal([4], seed=-3)
    return [a, b, c, d, e]


@scenario("kernel_cache")
def _kernel_cache(tf):
    tf.random.set_seed(None)
    # One generator per attr set: a new shape continues the stream, a new dtype does not.
    out = [tf.random.uniform([3], seed=2), tf.random.uniform([5], seed=2),
           tf.random.uniform([3], seed=2, dtype=tf.float64), tf.random.uniform([3], seed=2),
           tf.random.uniform(tf.constant([3], tf.int64), seed=2), tf.random.normal([3], seed=2)]  # fmt: skip
    return out


@scenario("uniform_bounds")
def _uniform_bounds(tf):
    tf.random.set_seed(3)
    return [tf.random.uniform([5], 0, 4, seed=1), tf.random.uniform([5], 2.0, 4.5, seed=2),
            tf.random.uniform([5], -1.0, 1.0, dtype=tf.float64, seed=3),
            tf.random.uniform([5], tf.constant(1.0), tf.constant(3.0), seed=4),
            tf.random.uniform([2, 2], [0.0, 10.0], 20.0, seed=5),
            tf.random.uniform([6], 0.5, 2.0, dtype=tf.float16, seed=6),
            tf.random.uniform([3], maxval=7.5, seed=7)]  # fmt: skip


@scenario("normal_moments")
def _normal_moments(tf):
    tf.random.set_seed(4)
    return [tf.random.normal([6], mean=3.0, stddev=0.5, seed=1),
            tf.random.normal([2, 3], mean=[1.0, 2.0, 3.0], stddev=2.0, seed=2),
            tf.random.truncated_normal([6], mean=-1.0, stddev=3.0, dtype=tf.float64, seed=3),
            tf.random.normal([4], 1.0, 2.0, dtype=tf.float16, seed=4)]  # fmt: skip


@scenario("shuffle")
def _shuffle(tf):
    tf.random.set_seed(8)
    return [tf.random.shuffle(tf.range(10), seed=1), tf.random.shuffle(tf.range(10), seed=1),
            tf.random.shuffle(tf.range(1001), seed=2), tf.random.shuffle([7], seed=3),
            tf.random.shuffle([7, 8], seed=3), tf.random.shuffle(tf.reshape(tf.range(15), [5, 3]), seed=4),
            tf.random.shuffle(tf.constant(5.0), seed=5), tf.random.shuffle(tf.zeros([0, 2]), seed=6),
            tf.random.shuffle(tf.range(37, dtype=tf.float64), seed=7),
            tf.random.shuffle(tf.range(12)), tf.random.shuffle(tf.reshape(tf.range(24), [2, 3, 4])),
            tf.random.shuffle(tf.range(5000), seed=8), tf.random.shuffle(tf.range(40000), seed=9)]  # fmt: skip


@scenario("categorical")
def _categorical(tf):
    tf.random.set_seed(9)
    lg = [[0.0, 1.0, 2.0], [2.0, 0.0, -1.0]]
    return [tf.random.categorical(lg, 5, seed=1), tf.random.categorical(lg, 5, seed=1),
            tf.random.categorical(lg, 1, seed=2, dtype=tf.int32),
            tf.random.categorical(tf.constant(lg, tf.float64), 100, seed=3),
            tf.random.categorical(tf.constant(lg, tf.float16), 7, seed=4),
            tf.random.categorical([[float("-inf"), 0.0, float("-inf"), 1.0]], 20, seed=5),
            tf.random.categorical([[1.0, 2.0]], 0, seed=6),
            tf.random.categorical(tf.math.log([[0.1, 0.2, 0.3, 0.4]] * 4), 33, seed=7)]  # fmt: skip


@scenario("categorical_sharded")
def _categorical_sharded(tf):
    # Big enough that TF's Multinomial splits the batch over threads.
    tf.random.set_seed(10)
    lg = tf.reshape(tf.range(80, dtype=tf.float32) % 7.0, [8, 10]) / 3.0
    return [tf.random.categorical(lg, 1000, seed=1), tf.random.categorical(lg[:3], 3000, seed=2),
            tf.random.categorical(tf.zeros([64, 100]), 50, seed=3)]  # fmt: skip


@scenario("categorical_shard_shapes")
def _categorical_shard_shapes(tf):
    tf.random.set_seed(13)
    out = []
    for i, (b, s, c) in enumerate([(17, 300, 50), (100, 10, 1000), (33, 5, 100), (65, 100, 64),
                                   (7, 64, 2000), (2, 40000, 3)]):  # fmt: skip
        lg = tf.reshape(tf.sin(tf.range(b * c, dtype=tf.float32)), [b, c])
        out.append(tf.random.categorical(lg, s, seed=i))
    return out


# -- stateless ------------------------------------------------------------------------------


def _stateless(opname, dtype, shape, seed, alg="auto_select"):
    def fn(tf):
        op = getattr(tf.random, opname)
        s = tf.constant(seed[0], dtype=_dt(tf, seed[1]))
        return [op(shape, seed=s, dtype=_dt(tf, dtype), alg=alg)]

    return fn


_SEEDS = [
    ([1, 2], "int32"),
    ([0, 0], "int64"),
    ([-1, 7], "int32"),
    ([2**40 + 5, -(2**62)], "int64"),
]
for _op in ("stateless_uniform", "stateless_normal", "stateless_truncated_normal"):
    for _dtype in FLOATS:
        for _shape in ([1], [3], [7], [1001], [4, 5]):
            for _j, _seed in enumerate(_SEEDS):
                _name = f"{_op}_{_dtype}_{'x'.join(map(str, _shape))}_seed{_j}"
                SCENARIOS[_name] = _stateless(_op, _dtype, _shape, _seed)
    SCENARIOS[f"{_op}_philox_alg"] = _stateless(
        _op, "float32", [9], ([3, 4], "int64"), alg="philox"
    )


@scenario("stateless_ints")
def _stateless_ints(tf):
    out = []
    for dt in (tf.int32, tf.int64, tf.uint32, tf.uint64):
        out.append(
            tf.random.stateless_uniform([7], seed=[3, 4], minval=None, maxval=None, dtype=dt)
        )
    for dt in (tf.int32, tf.int64):
        out.append(tf.random.stateless_uniform([9], seed=[3, 4], minval=-5, maxval=50, dtype=dt))
    out.append(
        tf.random.stateless_uniform([5], seed=[3, 4], minval=-(2**62), maxval=2**62, dtype=tf.int64)
    )
    out.append(tf.random.stateless_uniform([5], seed=[5, 6], minval=1.0, maxval=3.0))
    return out


@scenario("stateless_misc")
def _stateless_misc(tf):
    return [tf.random.split([1, 2]), tf.random.split(tf.constant([1, 2], tf.int64), 4),
            tf.random.fold_in([1, 2], 3), tf.random.fold_in(tf.constant([5, 6], tf.int64), tf.constant(7, tf.int64)),
            tf.random.stateless_categorical([[0.0, 1.0, 2.0]], 10, seed=[1, 2]),
            tf.random.stateless_categorical([[0.0, 1.0], [3.0, 0.0]], 4, seed=[3, 4], dtype=tf.int32),
            tf.random.experimental.stateless_shuffle(tf.range(20), seed=[1, 2]),
            tf.random.experimental.stateless_shuffle(tf.reshape(tf.range(12), [4, 3]), seed=[5, 6]),
            tf.random.stateless_normal([3], seed=[1, 2], mean=2.0, stddev=3.0)]  # fmt: skip


@scenario("stateless_raw_v1")
def _stateless_raw_v1(tf):
    seed = tf.constant([7, 8], tf.int64)
    raw = tf.raw_ops
    return [raw.StatelessRandomUniform(shape=[5], seed=seed, dtype=tf.float32),
            raw.StatelessRandomNormal(shape=[5], seed=seed, dtype=tf.float64),
            raw.StatelessTruncatedNormal(shape=[5], seed=seed, dtype=tf.float32),
            raw.StatelessRandomUniformInt(shape=[5], seed=seed, minval=tf.constant(0), maxval=tf.constant(9)),
            raw.StatelessRandomUniformFullInt(shape=[3], seed=seed, dtype=tf.uint64),
            raw.StatelessMultinomial(logits=[[0.0, 1.0]], num_samples=6, seed=seed),
            *raw.StatelessRandomGetKeyCounter(seed=seed),
            *raw.StatelessRandomGetKeyCounterAlg(seed=tf.constant([-1, 3], tf.int32))]  # fmt: skip


@scenario("stateless_raw_v2")
def _stateless_raw_v2(tf):
    key = tf.constant([0x123456789ABCDEF], tf.uint64)
    counter = tf.constant([2**64 - 3, 2**64 - 1], tf.uint64)  # wraps around 2**128
    raw = tf.raw_ops
    return [raw.StatelessRandomUniformV2(shape=[10], key=key, counter=counter, alg=1),
            raw.StatelessRandomNormalV2(shape=[10], key=key, counter=counter, alg=1, dtype=tf.float64),
            raw.StatelessTruncatedNormalV2(shape=[10], key=key, counter=counter, alg=3),
            raw.StatelessRandomUniformIntV2(shape=[6], key=key, counter=counter, alg=1,
                                            minval=tf.constant(-3, tf.int64), maxval=tf.constant(3, tf.int64)),
            raw.StatelessRandomUniformFullIntV2(shape=[6], key=key, counter=counter, alg=1, dtype=tf.int32),
            raw.StatelessShuffle(value=tf.range(9), key=key, counter=counter, alg=1)]  # fmt: skip


# -- raw stateful ops with explicit seed attrs ------------------------------------------------


@scenario("raw_stateful")
def _raw_stateful(tf):
    tf.random.set_seed(1)
    raw = tf.raw_ops
    return [raw.RandomUniform(shape=[5], dtype=tf.float32, seed=3, seed2=4),
            raw.RandomUniform(shape=[5], dtype=tf.float32, seed=3, seed2=4),
            raw.RandomStandardNormal(shape=[3], dtype=tf.float64, seed=-1, seed2=2**40),
            raw.TruncatedNormal(shape=[9], dtype=tf.float32, seed=0, seed2=5),
            raw.RandomUniformInt(shape=[4], minval=tf.constant(2, tf.int64), maxval=tf.constant(9, tf.int64),
                                 seed=6, seed2=7),
            raw.RandomShuffle(value=tf.range(6), seed=1, seed2=1),
            raw.Multinomial(logits=[[0.0, 0.5]], num_samples=4, seed=2, seed2=3)]  # fmt: skip


# -- tf.random.Generator ------------------------------------------------------------------------


@scenario("generator_sequence")
def _generator_sequence(tf):
    g = tf.random.Generator.from_seed(1)
    out = [g.state.read_value()]
    out += [g.normal([3]), g.state.read_value(), g.uniform([5], dtype=tf.float64), g.state.read_value(),
            g.uniform([4], minval=-5, maxval=5, dtype=tf.int32), g.uniform([3], minval=None, maxval=None, dtype=tf.int64),
            g.uniform_full_int([2]), g.uniform_full_int([3], dtype=tf.uint32), g.truncated_normal([7]),
            g.truncated_normal([3], dtype=tf.float64), g.normal([2, 2], mean=1.0, stddev=2.0),
            g.uniform([3], 1.0, 2.0), g.normal([5], dtype=tf.float16), g.normal([1001]), g.state.read_value()]  # fmt: skip
    return out


@scenario("generator_split_seeds")
def _generator_split_seeds(tf):
    g = tf.random.Generator.from_seed(42)
    seeds = g.make_seeds(3)
    kids = g.split(2)
    return [seeds, g.state.read_value()] + [k.state.read_value() for k in kids] + [kids[0].normal([4]),
            kids[1].uniform([4]), g.normal([4])]  # fmt: skip


@scenario("generator_construct")
def _generator_construct(tf):
    gs = [tf.random.Generator.from_seed(2**64 + 5), tf.random.Generator.from_seed([1, 2]),
          tf.random.Generator.from_seed(-1), tf.random.Generator.from_seed(0),
          tf.random.Generator.from_key_counter(key=7, counter=[1, 2], alg="philox"),
          tf.random.Generator.from_state([3, 2**63 - 1, 9], alg=tf.random.Algorithm.PHILOX),
          tf.random.Generator.from_seed(5, alg="auto_select")]  # fmt: skip
    out = []
    for g in gs:
        out += [g.state.read_value(), g.normal([5]), g.state.read_value()]
    g = tf.random.Generator.from_seed(3)
    g.normal([2])
    g.reset_from_seed(3)
    out += [g.normal([2]), g.skip(10), g.state.read_value(), g.uniform([2])]
    out += [tf.random.create_rng_state(7, "philox"), tf.random.create_rng_state([1, 2, 3, 4], 1)]
    g2 = tf.random.Generator(copy_from=gs[0])
    out += [g2.state.read_value(), g2.normal([3])]
    return out


@scenario("generator_counter_wrap")
def _generator_counter_wrap(tf):
    g = tf.random.Generator.from_state([-1, -1, 5], alg="philox")  # counter 2**128 - 1
    return [g.uniform([6]), g.state.read_value(), g.normal([3]), g.state.read_value()]


# -- tf.function ----------------------------------------------------------------------------------


@scenario("function_seeds")
def _function_seeds(tf):
    tf.random.set_seed(12)

    @tf.function
    def f():
        return tf.random.uniform([3], seed=1), tf.random.normal([2]), tf.random.uniform([2])

    a = f()
    b = f()  # the same nodes continue their streams
    return list(a) + list(b)


def _to_numpy(x):
    import tensorflow as tf

    if isinstance(x, tf.Variable):
        x = x.read_value()
    arr = np.asarray(x.numpy() if hasattr(x, "numpy") else x)
    name = x.dtype.name if hasattr(x, "dtype") and hasattr(x.dtype, "name") else arr.dtype.name
    if name == "bfloat16":
        arr = arr.view(np.uint16)
    return arr, name


def main(argv):
    import tensorflow as tf

    names = argv or list(SCENARIOS)
    arrays = {}
    failed = []
    for name in names:
        try:
            outs = SCENARIOS[name](tf)
        except Exception as e:  # noqa: BLE001 - report and go on
            failed.append(f"{name}: {type(e).__name__}: {str(e).splitlines()[0][:160]}")
            continue
        dts = []
        for k, o in enumerate(outs):
            arr, dt = _to_numpy(o)
            arrays[f"{name}/{k}"] = arr
            dts.append(dt)
        arrays[f"{name}/dtypes"] = np.array(dts)
    try:
        threads = len(os.sched_getaffinity(0))
    except AttributeError:
        threads = os.cpu_count() or 1
    arrays["meta/threads"] = np.array(threads)
    tmp = OUT + ".tmp.npz"
    np.savez_compressed(tmp, **arrays)
    os.replace(tmp, OUT)
    print(f"{len(names) - len(failed)} scenarios -> {OUT} (threads={threads})")
    for f in failed:
        print("  failed", f)


if __name__ == "__main__":
    main(sys.argv[1:])
