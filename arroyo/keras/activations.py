"""tf.keras.activations: Keras 3's activation functions, built from arroyo ops.

    act = tf.keras.activations.get("relu")
    act(tf.constant([-1.0, 2.0]))           # [0., 2.]

`get` resolves a name, a callable, a serialized dict or None (linear); `serialize` gives
back the name.
"""

from __future__ import annotations

import arroyo as _tf
from arroyo.keras import _leaf_utils

__all__ = [
    "relu", "relu6", "leaky_relu", "elu", "selu", "celu", "gelu", "silu", "swish", "sigmoid",
    "hard_sigmoid", "hard_silu", "hard_swish", "tanh", "hard_tanh", "softmax", "log_softmax",
    "softplus", "softsign", "exponential", "linear", "mish", "log_sigmoid", "sparse_plus",
    "sparse_sigmoid", "squareplus", "glu", "hard_shrink", "soft_shrink", "tanh_shrink",
    "threshold", "sparsemax", "get", "serialize", "deserialize",
]  # fmt: skip


def _t(x):
    return x if isinstance(x, _tf.Tensor) else _tf.convert_to_tensor(x)


def relu(x, negative_slope=0.0, max_value=None, threshold=0.0, alpha=None):
    """max(x, 0), with an optional slope below `threshold` and a cap at `max_value`.

    >>> tf.keras.activations.relu([-2.0, 1.0, 9.0], negative_slope=0.1, max_value=5.0)
    [-0.2, 1.0, 5.0]

    `alpha` is Keras 2's name for `negative_slope`.
    """
    if alpha is not None:
        negative_slope = alpha
    x = _t(x)
    if negative_slope == 0 and max_value is None and threshold == 0:
        return _tf.nn.relu(x)
    dt = x.dtype
    if threshold != 0:
        above = _tf.greater(x, _tf.cast(threshold, dt))
        pos = _tf.where(above, x, _tf.zeros_like(x))
    else:
        above = None
        pos = _tf.nn.relu(x)
    if max_value is not None:
        pos = _tf.minimum(pos, _tf.cast(max_value, dt))
    if negative_slope != 0:
        shifted = x - _tf.cast(threshold, dt) if threshold != 0 else x
        neg = _tf.cast(negative_slope, dt) * shifted
        if above is None:
            above = _tf.greater(x, _tf.zeros_like(x))
        return _tf.where(above, pos, neg)
    return pos


def relu6(x):
    """min(max(x, 0), 6)."""
    return _tf.nn.relu6(_t(x))


def leaky_relu(x, negative_slope=0.2):
    """x if x > 0 else negative_slope * x."""
    return _tf.nn.leaky_relu(_t(x), alpha=negative_slope)


def elu(x, alpha=1.0):
    """x if x > 0 else alpha * (exp(x) - 1)."""
    x = _t(x)
    if alpha == 1.0:
        return _tf.nn.elu(x)
    return _tf.where(x > 0, x, _tf.cast(alpha, x.dtype) * (_tf.exp(x) - 1))


def selu(x):
    """Scaled ELU (scale 1.0507..., alpha 1.6732...)."""
    return _tf.nn.selu(_t(x))


def celu(x, alpha=1.0):
    """max(x, 0) + alpha * (exp(min(x, 0) / alpha) - 1)."""
    x = _t(x)
    a = _tf.cast(alpha, x.dtype)
    return _tf.nn.relu(x) + a * (_tf.exp(_tf.minimum(x, 0.0) / a) - 1)


def gelu(x, approximate=False):
    """Gaussian error linear unit (tanh approximation with `approximate=True`)."""
    return _tf.nn.gelu(_t(x), approximate=approximate)


def silu(x):
    """x * sigmoid(x) (also called swish)."""
    return _tf.nn.silu(_t(x))


swish = silu


def sigmoid(x):
    """1 / (1 + exp(-x))."""
    return _tf.sigmoid(_t(x))


def hard_sigmoid(x):
    """Keras 3's piecewise-linear sigmoid: relu6(x + 3) / 6."""
    x = _t(x)
    return _tf.nn.relu6(x + 3.0) / 6.0


def hard_silu(x):
    """x * hard_sigmoid(x)."""
    x = _t(x)
    return x * hard_sigmoid(x)


hard_swish = hard_silu


def tanh(x):
    """Hyperbolic tangent."""
    return _tf.tanh(_t(x))


def hard_tanh(x):
    """clip(x, -1, 1)."""
    return _tf.clip_by_value(_t(x), -1.0, 1.0)


def _check_rank(x, name):
    if x.shape.rank == 0:
        raise ValueError(f"{name} requires an input of rank 1 or more. Received: shape=()")


def softmax(x, axis=-1):
    """exp(x) / sum(exp(x)) along `axis` (an int or a tuple of ints).

    >>> tf.keras.activations.softmax(tf.constant([[1.0, 2.0]]))
    """
    x = _t(x)
    _check_rank(x, "softmax")
    if isinstance(axis, (tuple, list)):
        e = _tf.exp(x - _tf.stop_gradient(_tf.reduce_max(x, axis=axis, keepdims=True)))
        return e / _tf.reduce_sum(e, axis=axis, keepdims=True)
    return _tf.nn.softmax(x, axis=axis)


def log_softmax(x, axis=-1):
    """x - log(sum(exp(x))) along `axis`."""
    x = _t(x)
    _check_rank(x, "log_softmax")
    if isinstance(axis, (tuple, list)):
        return x - _tf.reduce_logsumexp(x, axis=axis, keepdims=True)
    return _tf.nn.log_softmax(x, axis=axis)


def softplus(x):
    """log(1 + exp(x))."""
    return _tf.math.softplus(_t(x))


def softsign(x):
    """x / (1 + |x|)."""
    return _tf.nn.softsign(_t(x))


def exponential(x):
    """exp(x)."""
    return _tf.exp(_t(x))


def linear(x):
    """The identity (the activation of `None`)."""
    return x


def mish(x):
    """x * tanh(softplus(x))."""
    x = _t(x)
    return x * _tf.tanh(_tf.math.softplus(x))


def log_sigmoid(x):
    """log(sigmoid(x)) = -softplus(-x)."""
    return -_tf.math.softplus(-_t(x))


def sparse_plus(x):
    """0 below -1, x above 1, (x + 1)^2 / 4 between."""
    x = _t(x)
    return _tf.where(x <= -1.0, _tf.zeros_like(x), _tf.where(x >= 1.0, x, (x + 1.0) ** 2 / 4.0))


def sparse_sigmoid(x):
    """0 below -1, 1 above 1, (x + 1) / 2 between."""
    return _tf.clip_by_value(0.5 * (_t(x) + 1.0), 0.0, 1.0)


def squareplus(x, b=4):
    """(x + sqrt(x^2 + b)) / 2."""
    x = _t(x)
    return (x + _tf.sqrt(x * x + _tf.cast(b, x.dtype))) / 2.0


def glu(x, axis=-1):
    """Gated linear unit: a * sigmoid(b) for the two halves a, b of `x` along `axis`."""
    x = _t(x)
    if x.shape[axis] is not None and x.shape[axis] % 2:
        raise ValueError(
            "axis size must be divisible by 2. "
            f"Received: x.shape={tuple(x.shape.as_list())} with axis={axis}"
        )
    a, b = _tf.split(x, 2, axis=axis)
    return a * _tf.sigmoid(b)


def hard_shrink(x, threshold=0.5):
    """x where |x| > threshold, else 0."""
    x = _t(x)
    return _tf.where(_tf.abs(x) > threshold, x, _tf.zeros_like(x))


def soft_shrink(x, threshold=0.5):
    """x - threshold above it, x + threshold below -threshold, else 0."""
    x = _t(x)
    z = _tf.zeros_like(x)
    return _tf.where(x > threshold, x - threshold, _tf.where(x < -threshold, x + threshold, z))


def tanh_shrink(x):
    """x - tanh(x)."""
    x = _t(x)
    return x - _tf.tanh(x)


def threshold(x, threshold, default_value):
    """x where x > threshold, else default_value."""
    x = _t(x)
    return _tf.where(x > threshold, x, _tf.fill(_tf.shape(x), _tf.cast(default_value, x.dtype)))


def sparsemax(x, axis=-1):
    """Euclidean projection of x onto the probability simplex along `axis`."""
    x = _t(x)
    rank = x.shape.rank
    ax = axis % rank
    if ax != rank - 1:
        perm = [i for i in range(rank) if i != ax] + [ax]
        inv = [perm.index(i) for i in range(rank)]
        return _tf.transpose(sparsemax(_tf.transpose(x, perm)), inv)
    z = _tf.sort(x, axis=-1, direction="DESCENDING")
    k = _tf.cast(_tf.range(1, _tf.shape(x)[-1] + 1), x.dtype)
    cum = _tf.cumsum(z, axis=-1)
    support = _tf.cast(1.0 + k * z > cum, x.dtype)
    k_z = _tf.reduce_sum(support, axis=-1, keepdims=True)
    tau = (_tf.reduce_sum(z * support, axis=-1, keepdims=True) - 1.0) / k_z
    return _tf.nn.relu(x - tau)


_FUNCTIONS = [relu, relu6, leaky_relu, elu, selu, celu, gelu, silu, sigmoid, hard_sigmoid,
              hard_silu, tanh, hard_tanh, softmax, log_softmax, softplus, softsign, exponential,
              linear, mish, log_sigmoid, sparse_plus, sparse_sigmoid, squareplus, glu,
              hard_shrink, soft_shrink, tanh_shrink, threshold, sparsemax]  # fmt: skip
_TABLE = {f.__name__: f for f in _FUNCTIONS}
_TABLE.update({"swish": silu, "hard_swish": hard_silu})
_NAMES = {id(f): name for name, f in _TABLE.items() if name == f.__name__}


def serialize(activation):
    """The name of a built-in activation (`"relu"`), or Keras 3's dict for other functions."""
    name = _NAMES.get(id(activation))
    if name is not None:
        return name
    if hasattr(activation, "get_config"):
        return {
            "module": type(activation).__module__,
            "class_name": type(activation).__name__,
            "config": activation.get_config(),
            "registered_name": type(activation).__name__,
        }
    fn_name = getattr(activation, "__name__", None)
    if fn_name is None:
        raise ValueError(f"Cannot serialize activation {activation!r}")
    return {"module": "builtins", "class_name": "function", "config": fn_name,
            "registered_name": "function"}  # fmt: skip


def deserialize(config, custom_objects=None):
    """The activation a name or serialized dict describes."""
    table = dict(_TABLE)
    if custom_objects:
        table.update(custom_objects)
    name = config
    if isinstance(config, dict):
        name = config.get("config")
        if isinstance(name, dict):
            name = name.get("name")
        if name is None:
            name = config.get("class_name")
    fn = table.get(name) if isinstance(name, str) else None
    if fn is None:
        raise ValueError(f"Could not interpret activation function identifier: {config}")
    return fn


def get(identifier):
    """An activation function from a name, a dict, a callable, or None (linear).

    >>> tf.keras.activations.get("swish") is tf.keras.activations.silu
    True
    """
    return _leaf_utils.get_object(identifier, deserialize, "activation function", if_none=linear)
