"""Table rows for the ragged raw op (RaggedRange) and ragged dispatch of dense ops.

Ragged results are compared as their components (flat values and row splits), which is
what TF's goldens store too.
"""

import numpy as np

from tests.harness import Case

R = np.random.default_rng(11)
FLAT = R.normal(size=(8,)).astype(np.float32)
SPLITS = np.array([0, 4, 4, 7, 8], np.int64)


def _parts(rt):
    return [rt.flat_values, *rt.nested_row_splits]


def _rt(tf, v, s):
    return tf.RaggedTensor.from_row_splits(v, s)


def _range_ref(starts, limits, deltas):
    rows = [np.arange(a, b, d) for a, b, d in np.broadcast(starts, limits, deltas)]
    splits = np.concatenate([[0], np.cumsum([len(r) for r in rows])]).astype(np.int64)
    return [np.concatenate(rows).astype(np.asarray(starts).dtype), splits]


CASES = [
    Case(
        "ragged_range",
        lambda tf, a, b, d: _parts(tf.ragged.range(a, b, d)),
        [
            np.array([0, 5, 3], np.int32),
            np.array([4, 8, 3], np.int32),
            np.array([1, 2, 1], np.int32),
        ],
        ops=("RaggedRange",),
        ref=_range_ref,
    ),
    Case(
        "ragged_range_float_broadcast",
        lambda tf, a, b: _parts(tf.ragged.range(a, b, 0.5)),
        [np.array([0.0, 1.0], np.float32), np.float32(2.0)],
        ops=("RaggedRange",),
        ref=lambda a, b: _range_ref(a, b, np.float32(0.5)),
    ),
    Case(
        "ragged_range_negative_delta",
        lambda tf, a: _parts(tf.ragged.range(a, 0, -2)),
        [np.array([5, 0, 3], np.int64)],
        ops=("RaggedRange",),
        ref=lambda a: _range_ref(a, np.int64(0), np.int64(-2)),
    ),
    Case(
        "ragged_add_scalar",
        lambda tf, v, s: _parts(tf.add(_rt(tf, v, s), 3.0)),
        [FLAT, SPLITS],
        ops=("AddV2",),
        ref=lambda v, s: [v + 3.0, s],
        grad=True,
    ),
    Case(
        "ragged_mul_ragged",
        lambda tf, v, s: _parts(_rt(tf, v, s) * _rt(tf, v, s)),
        [FLAT, SPLITS],
        ops=("Mul",),
        ref=lambda v, s: [v * v, s],
        grad=True,
    ),
    Case(
        "ragged_square_map_flat_values",
        lambda tf, v, s: _parts(tf.ragged.map_flat_values(tf.math.square, _rt(tf, v, s))),
        [FLAT, SPLITS],
        ops=("Square",),
        ref=lambda v, s: [v * v, s],
        grad=True,
    ),
    Case(
        "ragged_reduce_sum_axis1",
        lambda tf, v, s: tf.reduce_sum(_rt(tf, v, s), axis=1),
        [FLAT, SPLITS],
        ops=("UnsortedSegmentSum",),
        ref=lambda v, s: np.add.reduceat(np.append(v, 0), s[:-1]) * (np.diff(s) > 0),
        grad=True,
    ),
    Case(
        "ragged_reduce_mean_axis0",
        lambda tf, v, s: tf.reduce_mean(_rt(tf, v, s), axis=0),
        [FLAT, SPLITS],
        ops=("UnsortedSegmentSum",),
        grad=True,
    ),
    Case(
        "ragged_reduce_max_axis1",
        lambda tf, v, s: tf.reduce_max(_rt(tf, v, s), axis=1),
        [FLAT, SPLITS],
        ops=("UnsortedSegmentMax",),
    ),
    Case(
        "ragged_to_tensor",
        lambda tf, v, s: _rt(tf, v, s).to_tensor(default_value=-1.0),
        [FLAT, SPLITS],
        ops=("ScatterNd",),
        grad=True,
    ),
]
