"""Table rows for random_ops (one per raw op; the exhaustive goldens are in test_random.py).

Stateful rows start with `tf.random.set_seed`, which also resets the op kernels'
generators, so each row gives the same numbers however the table is ordered.
"""

import numpy as np

from tests.harness import Case

LOGITS = np.array([[0.0, 1.0, 2.0], [1.5, -1.0, 0.5]], np.float32)
VALUES = np.arange(12, dtype=np.float32).reshape(6, 2)
SEED = np.array([3, 4], np.int64)


def _seeded(fn):
    def run(tf, *xs):
        tf.random.set_seed(11)
        return fn(tf, *xs)

    return run


def _gen(fn):
    def run(tf, *xs):
        return fn(tf, tf.random.Generator.from_seed(5), *xs)

    return run


CASES = [
    Case("uniform", _seeded(lambda tf: tf.random.uniform([2, 3], seed=1)), [], ops=("RandomUniform",)),
    Case("uniform_minmax", _seeded(lambda tf: tf.random.uniform([5], -2.0, 3.0, dtype=tf.float64, seed=7)), [],
         ops=("RandomUniform", "Mul", "AddV2", "Sub")),
    Case("uniform_int", _seeded(lambda tf: tf.random.uniform([7], 3, 40, dtype=tf.int64, seed=2)), [],
         ops=("RandomUniformInt",)),
    Case("normal", _seeded(lambda tf: tf.random.normal([3, 3], 1.0, 2.0, seed=3)), [],
         ops=("RandomStandardNormal", "Mul", "AddV2")),
    Case("truncated_normal", _seeded(lambda tf: tf.random.truncated_normal([9], dtype=tf.float16, seed=4)), [],
         ops=("TruncatedNormal",)),
    Case("shuffle", _seeded(lambda tf, v: tf.random.shuffle(v, seed=5)), [VALUES], ops=("RandomShuffle",)),
    Case("categorical", _seeded(lambda tf, lg: tf.random.categorical(lg, 6, seed=6)), [LOGITS],
         ops=("Multinomial",)),
    Case("stateless_uniform", lambda tf, s: tf.random.stateless_uniform([4], seed=s), [SEED],
         ops=("StatelessRandomGetKeyCounter", "StatelessRandomUniformV2")),
    Case("stateless_normal", lambda tf, s: tf.random.stateless_normal([2, 2], seed=s, dtype=tf.float64), [SEED],
         ops=("StatelessRandomNormalV2",)),
    Case("stateless_truncated", lambda tf, s: tf.random.stateless_truncated_normal([5], seed=s), [SEED],
         ops=("StatelessTruncatedNormalV2",)),
    Case("stateless_int", lambda tf, s: tf.random.stateless_uniform([6], s, minval=-4, maxval=9, dtype=tf.int32),
         [SEED], ops=("StatelessRandomUniformIntV2",)),
    Case("stateless_full_int", lambda tf, s: tf.random.split(s, 3), [SEED], ops=("StatelessRandomUniformFullIntV2",)),
    Case("stateless_categorical", lambda tf, lg, s: tf.random.stateless_categorical(lg, 5, seed=s), [LOGITS, SEED],
         ops=("StatelessMultinomial",)),
    Case("stateless_shuffle", lambda tf, v, s: tf.random.experimental.stateless_shuffle(v, seed=s), [VALUES, SEED],
         ops=("StatelessShuffle",)),
    Case("key_counter_alg", lambda tf, s: tf.raw_ops.StatelessRandomGetKeyCounterAlg(seed=s), [SEED],
         ops=("StatelessRandomGetKeyCounterAlg",)),
    Case("v1_uniform", lambda tf, s: tf.raw_ops.StatelessRandomUniform(shape=[3], seed=s), [SEED],
         ops=("StatelessRandomUniform",)),
    Case("v1_normal", lambda tf, s: tf.raw_ops.StatelessRandomNormal(shape=[3], seed=s, dtype=tf.float64), [SEED],
         ops=("StatelessRandomNormal",)),
    Case("v1_truncated", lambda tf, s: tf.raw_ops.StatelessTruncatedNormal(shape=[3], seed=s), [SEED],
         ops=("StatelessTruncatedNormal",)),
    Case("v1_int", lambda tf, s: tf.raw_ops.StatelessRandomUniformInt(shape=[4], seed=s, minval=np.int32(1),
                                                                       maxval=np.int32(6)), [SEED],
         ops=("StatelessRandomUniformInt",)),
    Case("v1_full_int", lambda tf, s: tf.raw_ops.StatelessRandomUniformFullInt(shape=[3], seed=s, dtype=tf.int64),
         [SEED], ops=("StatelessRandomUniformFullInt",)),
    Case("generator_normal", _gen(lambda tf, g: [g.normal([4]), g.state.read_value()]), [],
         ops=("RngReadAndSkip", "StatelessRandomNormalV2")),
    Case("generator_raw_skip", _gen(lambda tf, g: tf.raw_ops.RngReadAndSkip(resource=g.state.handle, alg=1,
                                                                             delta=np.uint64(3))), [],
         ops=("RngReadAndSkip",)),
    Case("nondeterministic_ints", lambda tf: tf.shape(tf.raw_ops.NonDeterministicInts(shape=[3])), [],
         ops=("NonDeterministicInts",)),
]  # fmt: skip
