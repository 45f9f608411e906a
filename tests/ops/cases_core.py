"""Table rows for gradient-helper ops of the core modules (ReluGrad)."""

import numpy as np

from tests.harness import Case

R = np.random.default_rng(5)
G = R.normal(size=(3, 4))
F = np.array([[-1.0, 0.5, 2.0, -0.1], [0.3, -2.0, 1.0, 4.0], [-0.7, 0.2, -3.0, 0.9]])

CASES = [
    Case("relu_grad_raw", lambda tf, g, f: tf.raw_ops.ReluGrad(gradients=g, features=f), [G, F],
         ops=("ReluGrad",), ref=lambda g, f: np.where(f > 0, g, 0.0), grad=True, grad_inputs=(0,)),
    Case("relu_second_order", lambda tf, x: _relu_grad_of(tf, x), [F], ops=("ReluGrad",),
         ref=lambda x: (x > 0).astype(np.float64), grad=True),
]


def _relu_grad_of(tf, x):
    with tf.GradientTape() as t:
        t.watch(x)
        y = tf.reduce_sum(tf.nn.relu(x))
    return t.gradient(y, x)
