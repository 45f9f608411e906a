"""Table rows for debugging_ops: CheckNumerics (V1/V2) and Assert."""

import numpy as np

from tests.harness import Case

R = np.random.default_rng(7)
A = R.normal(size=(2, 3)).astype(np.float32)


def _assert_then_identity(tf, x):
    tf.debugging.Assert(tf.reduce_all(tf.math.is_finite(x)), ["x", x])  # eager: checked at once
    tf.raw_ops.Assert(condition=tf.constant(True), data=[x])
    return x * 1.0


CASES = [
    Case(
        "check_numerics",
        lambda tf, x: tf.debugging.check_numerics(x * x, "m"),
        [A],
        ops=("CheckNumerics",),
        ref=lambda x: x * x,
        grad=True,
        grad2=True,
    ),
    Case(
        "check_numerics_f64",
        lambda tf, x: tf.debugging.check_numerics(x, "m"),
        [A.astype(np.float64)],
        ops=("CheckNumerics",),
        ref=lambda x: x,
        grad=True,
    ),
    Case(
        "check_numerics_v2",
        lambda tf, x: tf.raw_ops.CheckNumericsV2(tensor=x, message="m"),
        [A],
        ops=("CheckNumericsV2",),
        ref=lambda x: x,
        grad=True,
    ),
    Case(
        "assert_all_finite",
        lambda tf, x: tf.debugging.assert_all_finite(x, "m"),
        [A],
        ops=("CheckNumerics",),
        ref=lambda x: x,
    ),
    Case("assert_op", _assert_then_identity, [A], ops=("Assert",), ref=lambda x: x, golden=False),
]
