"""Neural-network activations and softmax (tf.nn). Losses, conv and pooling live in
`nn_losses`, `conv_ops` and `pool_ops`."""

from __future__ import annotations

import numpy as np

from arroyo.framework import dtypes
from arroyo.framework.errors import InvalidArgumentError
from arroyo.framework.op_registry import FLOATS, INTS, defop, execute
from arroyo.ops import _infer, array_ops, math_ops
from arroyo.ops._helpers import NO_ATTRS, np_allowed, to_tensor, unary
from arroyo.ops._parallel import split_ufunc

_REAL = FLOATS + INTS


_split_maximum = split_ufunc(np.maximum)


def _relu_kernel(x):
    # max(x, 0) with a zero of x's dtype; large inputs use both cores (np.maximum is
    # compute-bound here, ~0.4 ms per 1M floats on one core).
    return _split_maximum(x, np.zeros((), x.dtype))


def _relu_grad(op, g):
    return execute(_RELU_GRAD, (g, op.outputs[0]), NO_ATTRS)


def _relu_grad_kernel(gradients, features):
    # TF's ReluGrad is gradients * (features > 0): a NaN or inf gradient stays NaN where
    # the feature is <= 0 (a select would give 0). 3x faster than np.where as well.
    return np.multiply(gradients, features > 0, dtype=gradients.dtype)


# TF's ReluGrad(gradients, features): one kernel instead of Greater + ZerosLike + Select.
# Its own gradient w.r.t. `gradients` is ReluGrad again (second order of relu is zero).
_RELU_GRAD = defop("ReluGrad", ("gradients", "features"), _relu_grad_kernel,
                   infer=lambda inputs, attrs: [(inputs[0].dtype, inputs[0].shape)],
                   grad=lambda op, g: (execute(_RELU_GRAD, (g, op.inputs[1]), NO_ATTRS), None),
                   fusible=True)  # fmt: skip


def _relu6_grad(op, g):
    x = op.inputs[0]
    inside = math_ops.logical_and(math_ops.greater(x, 0), math_ops.less(x, 6))
    return array_ops.where(inside, g, array_ops.zeros_like(g))


def _elu_kernel(x):
    return np.where(x > 0, x, np.expm1(np.minimum(x, 0))).astype(x.dtype)


def _elu_grad(op, g):
    y = op.outputs[0]
    return array_ops.where(math_ops.greater(y, 0), g, math_ops.multiply(g, math_ops.add(y, 1)))


_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def _selu_kernel(x):
    return (_SELU_SCALE * np.where(x > 0, x, _SELU_ALPHA * np.expm1(np.minimum(x, 0)))).astype(
        x.dtype
    )


def _selu_grad(op, g):
    y = op.outputs[0]
    return array_ops.where(
        math_ops.greater(y, 0),
        math_ops.multiply(g, _SELU_SCALE),
        math_ops.multiply(g, math_ops.add(y, _SELU_SCALE * _SELU_ALPHA)),
    )


def _softplus_kernel(x):
    return (np.logaddexp(0, x)).astype(x.dtype)


def _softsign_kernel(x):
    return (x / (1 + np.abs(x))).astype(x.dtype)


def _leaky_kernel(features, alpha=0.2):
    return np.where(features > 0, features, features * np.asarray(alpha, features.dtype)).astype(
        features.dtype
    )


def _leaky_grad(op, g):
    x = op.inputs[0]
    return array_ops.where(math_ops.greater(x, 0), g, math_ops.multiply(g, op.get_attr("alpha")))


def _sq(x):
    return math_ops.multiply(x, x)


def _sigmoid(x):
    from arroyo.ops import unary_ops

    return unary_ops.sigmoid(x)


_ACT = {
    "Relu": (_relu_kernel, _REAL, _relu_grad),
    "Relu6": (lambda x: np.clip(x, 0, 6).astype(x.dtype), _REAL, _relu6_grad),
    "Elu": (_elu_kernel, FLOATS, _elu_grad),
    "Selu": (_selu_kernel, FLOATS, _selu_grad),
    "Softplus": (_softplus_kernel, FLOATS, lambda op, g: math_ops.multiply(g, _sigmoid(op.inputs[0]))),
    "Softsign": (_softsign_kernel, FLOATS, lambda op, g: math_ops.truediv(
        g, _sq(math_ops.add(1, math_ops.abs(op.inputs[0]))))),
}  # fmt: skip
_OPS = {}
for _name, (_kernel, _allowed, _grad) in _ACT.items():
    _OPS[_name] = (
        defop(_name, ("features",), _kernel, infer=_infer.same, grad=_grad, fusible=True),
        np_allowed(_allowed),
        _allowed,
    )


def relu(features, name=None):
    """max(features, 0).

    >>> tf.nn.relu([-1.0, 2.0]).numpy()
    array([0., 2.], dtype=float32)
    """
    return unary(*_OPS["Relu"], features, name)


def relu6(features, name=None):
    """min(max(features, 0), 6)."""
    return unary(*_OPS["Relu6"], features, name)


def elu(features, name=None):
    return unary(*_OPS["Elu"], features, name)


def selu(features, name=None):
    return unary(*_OPS["Selu"], features, name)


def softplus(features, name=None):
    """log(exp(x) + 1), computed stably."""
    return unary(*_OPS["Softplus"], features, name)


def softsign(features, name=None):
    """x / (abs(x) + 1)."""
    return unary(*_OPS["Softsign"], features, name)


_LEAKY = defop("LeakyRelu", ("features",), _leaky_kernel, attrs={"alpha": 0.2}, infer=_infer.same,
               grad=_leaky_grad, fusible=True)  # fmt: skip


def leaky_relu(features, alpha=0.2, name=None):
    """x if x > 0 else alpha * x."""
    x = to_tensor(features)
    if x.dtype.is_integer:
        x = math_ops.cast(x, dtypes.float32)
    return execute(_LEAKY, (x,), {"alpha": float(alpha)}, name)


# -- softmax ---------------------------------------------------------------------------


def _softmax_kernel(logits):
    if np.ndim(logits) < 1:
        raise InvalidArgumentError(
            None, None, "logits must have >= 1 dimension, got [] [Op:Softmax]"
        )
    m = np.max(logits, axis=-1, keepdims=True)
    e = np.exp(logits - m)
    return e / np.sum(e, axis=-1, keepdims=True)


def _log_softmax_kernel(logits):
    if np.ndim(logits) < 1:
        raise InvalidArgumentError(
            None, None, "logits must have >= 1 dimension, got [] [Op:LogSoftmax]"
        )
    shifted = logits - np.max(logits, axis=-1, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=-1, keepdims=True))


def _softmax_grad(op, g):
    y = op.outputs[0]
    from arroyo.ops.reduction_ops import reduce_sum

    s = reduce_sum(math_ops.multiply(g, y), axis=-1, keepdims=True)
    return math_ops.multiply(math_ops.subtract(g, s), y)


def _log_softmax_grad(op, g):
    from arroyo.ops import unary_ops
    from arroyo.ops.reduction_ops import reduce_sum

    sm = unary_ops.exp(op.outputs[0])
    return math_ops.subtract(g, math_ops.multiply(reduce_sum(g, axis=-1, keepdims=True), sm))


_SOFTMAX = defop("Softmax", ("logits",), _softmax_kernel, infer=_infer.same, grad=_softmax_grad)
_LOG_SOFTMAX = defop("LogSoftmax", ("logits",), _log_softmax_kernel, infer=_infer.same,
                     grad=_log_softmax_grad)  # fmt: skip
_SOFTMAX_NP = np_allowed(FLOATS)


def _along_axis(op, logits, axis, name):
    x = to_tensor(logits)
    if x.dtype not in FLOATS:
        from arroyo.ops._helpers import check_allowed

        check_allowed(op, x, FLOATS)
    r = x.shape.rank
    if axis is None or axis == -1 or (r is not None and axis == r - 1):
        return execute(op, (x,), NO_ATTRS, name)
    if r is None:
        raise ValueError("softmax along a non-last axis needs a known rank")
    if not -r <= axis < r:
        raise InvalidArgumentError(
            None,
            None,
            f"`axis` must be in the range [{-r}, {r}) where {r} is the number of dimensions in the input. Received: axis={axis} [Op:{op.name}]",
        )
    a = axis % r
    perm = list(range(r))
    perm[a], perm[-1] = perm[-1], perm[a]
    y = execute(op, (array_ops.transpose(x, perm),), NO_ATTRS, name)
    return array_ops.transpose(y, perm)


def softmax(logits, axis=None, name=None):
    """exp(logits) / sum(exp(logits), axis), computed stably (last axis by default).

    >>> tf.nn.softmax([1.0, 1.0]).numpy()
    array([0.5, 0.5], dtype=float32)
    """
    return _along_axis(_SOFTMAX, logits, axis, name)


def log_softmax(logits, axis=None, name=None):
    """logits - log(sum(exp(logits), axis)), computed stably."""
    return _along_axis(_LOG_SOFTMAX, logits, axis, name)


del _name, _kernel, _allowed, _grad

TF_API = {
    "tf.nn": [
        "relu",
        "relu6",
        "elu",
        "selu",
        "softplus",
        "softsign",
        "leaky_relu",
        "softmax",
        "log_softmax",
    ],
    "tf.math": ["softplus", "softmax=softmax", "log_softmax"],
}
