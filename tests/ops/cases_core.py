"""Table rows for the activations of nn_ops and their gradient helper (ReluGrad)."""

import numpy as np

from tests.harness import Case

R = np.random.default_rng(5)
G = R.normal(size=(3, 4))
F = np.array([[-1.0, 0.5, 2.0, -0.1], [0.3, -2.0, 1.0, 4.0], [-0.7, 0.2, -3.0, 0.9]])

A = R.normal(size=(2, 5)) * 3
A32 = A.astype(np.float32)
LOGITS = R.normal(size=(3, 4))


def _softmax(x, axis=-1):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


_ALPHA, _SCALE = 1.6732632423543772, 1.0507009873554805

CASES = [
    Case(
        "relu",
        lambda tf, x: tf.nn.relu(x),
        [A32],
        ops=("Relu",),
        ref=lambda x: np.maximum(x, 0),
        grad=True,
    ),
    Case(
        "relu6",
        lambda tf, x: tf.nn.relu6(x * 3),
        [A],
        ops=("Relu6",),
        ref=lambda x: np.clip(x * 3, 0, 6),
        grad=True,
    ),
    Case(
        "elu",
        lambda tf, x: tf.nn.elu(x),
        [A],
        ops=("Elu",),
        ref=lambda x: np.where(x > 0, x, np.expm1(x)),
        grad=True,
    ),
    Case(
        "selu",
        lambda tf, x: tf.nn.selu(x),
        [A32],
        ops=("Selu",),
        ref=lambda x: _SCALE * np.where(x > 0, x, _ALPHA * np.expm1(x)),
        grad=True,
    ),
    Case(
        "softplus",
        lambda tf, x: tf.nn.softplus(x),
        [A],
        ops=("Softplus",),
        ref=lambda x: np.logaddexp(0, x),
        grad=True,
        grad2=True,
    ),
    Case(
        "softsign",
        lambda tf, x: tf.nn.softsign(x),
        [A],
        ops=("Softsign",),
        ref=lambda x: x / (1 + np.abs(x)),
        grad=True,
    ),
    Case(
        "leaky_relu",
        lambda tf, x: tf.nn.leaky_relu(x, alpha=0.1),
        [A32],
        ops=("LeakyRelu",),
        ref=lambda x: np.where(x > 0, x, 0.1 * x),
        grad=True,
    ),
    Case(
        "softmax",
        lambda tf, x: tf.nn.softmax(x),
        [LOGITS],
        ops=("Softmax",),
        ref=_softmax,
        grad=True,
        grad2=True,
    ),
    Case(
        "softmax_axis0",
        lambda tf, x: tf.nn.softmax(x, axis=0),
        [LOGITS],
        ops=("Softmax",),
        ref=lambda x: _softmax(x, 0),
        grad=True,
    ),
    Case(
        "log_softmax",
        lambda tf, x: tf.nn.log_softmax(x),
        [LOGITS],
        ops=("LogSoftmax",),
        ref=lambda x: np.log(_softmax(x)),
        grad=True,
        grad2=True,
    ),
    Case(
        "relu_grad_raw",
        lambda tf, g, f: tf.raw_ops.ReluGrad(gradients=g, features=f),
        [G, F],
        ops=("ReluGrad",),
        ref=lambda g, f: np.where(f > 0, g, 0.0),
        grad=True,
        grad_inputs=(0,),
    ),
    Case(
        "relu_second_order",
        lambda tf, x: _relu_grad_of(tf, x),
        [F],
        ops=("ReluGrad",),
        ref=lambda x: (x > 0).astype(np.float64),
        grad=True,
    ),
]


def _relu_grad_of(tf, x):
    with tf.GradientTape() as t:
        t.watch(x)
        y = tf.reduce_sum(tf.nn.relu(x))
    return t.gradient(y, x)
