"""tf.keras.regularizers: weight penalties added to a layer's losses.

reg = tf.keras.regularizers.L2(0.01)
penalty = reg(w)                 # 0.01 * sum(w ** 2)
"""

from __future__ import annotations

import arroyo as _tf
from arroyo.keras import _leaf_utils


class Regularizer:
    """Base class: `reg(x)` returns a scalar penalty."""

    def __call__(self, x):
        return 0.0

    def get_config(self):
        raise NotImplementedError(f"{self} does not implement get_config()")

    @classmethod
    def from_config(cls, config):
        return cls(**config)


def _check(value, name):
    if not isinstance(value, (int, float)) or value < 0:
        raise ValueError(
            f"Value for argument `{name}` must be a non-negative float. Received: {name}={value}"
        )
    return float(value)


class L1L2(Regularizer):
    """l1 * sum(|x|) + l2 * sum(x^2)."""

    def __init__(self, l1=0.0, l2=0.0):
        self.l1 = _check(0.0 if l1 is None else l1, "l1")
        self.l2 = _check(0.0 if l2 is None else l2, "l2")

    def __call__(self, x):
        x = _tf.convert_to_tensor(x)
        out = _tf.constant(0.0, x.dtype)
        if self.l1:
            out = out + self.l1 * _tf.reduce_sum(_tf.abs(x))
        if self.l2:
            out = out + self.l2 * _tf.reduce_sum(_tf.square(x))
        return out

    def get_config(self):
        return {"l1": self.l1, "l2": self.l2}


class L1(Regularizer):
    """l1 * sum(|x|)."""

    def __init__(self, l1=0.01):
        self.l1 = _check(l1, "l1")

    def __call__(self, x):
        return self.l1 * _tf.reduce_sum(_tf.abs(_tf.convert_to_tensor(x)))

    def get_config(self):
        return {"l1": self.l1}


class L2(Regularizer):
    """l2 * sum(x^2)."""

    def __init__(self, l2=0.01):
        self.l2 = _check(l2, "l2")

    def __call__(self, x):
        return self.l2 * _tf.reduce_sum(_tf.square(_tf.convert_to_tensor(x)))

    def get_config(self):
        return {"l2": self.l2}


class OrthogonalRegularizer(Regularizer):
    """factor * mean(|offdiag(normalized x x^T)|) over rows (mode "rows") or columns."""

    def __init__(self, factor=0.01, mode="rows"):
        self.factor = _check(factor, "factor")
        if mode not in ("rows", "columns"):
            raise ValueError(
                "Invalid value for argument `mode`. Expected one of {'rows', 'columns'}. "
                f"Received: mode={mode}"
            )
        self.mode = mode

    def __call__(self, x):
        x = _tf.convert_to_tensor(x)
        if x.shape.rank != 2:
            raise ValueError(
                "Inputs to OrthogonalRegularizer must have rank 2. Received: "
                f"inputs.shape={tuple(x.shape.as_list())}"
            )
        if self.mode == "columns":
            x = _tf.transpose(x)
        x = x * _tf.math.rsqrt(_tf.maximum(_tf.reduce_sum(_tf.square(x), 1, keepdims=True),
                                           1e-12))  # fmt: skip
        prod = _tf.matmul(x, x, transpose_b=True)
        n = int(x.shape[0])
        off = prod - _tf.eye(n, dtype=x.dtype) * prod
        return self.factor * _tf.reduce_sum(_tf.abs(off)) / (n * (n - 1))

    def get_config(self):
        return {"factor": self.factor, "mode": self.mode}


l1, l2, l1_l2, orthogonal_regularizer = L1, L2, L1L2, OrthogonalRegularizer
_TABLE = {"L1": L1, "L2": L2, "L1L2": L1L2, "OrthogonalRegularizer": OrthogonalRegularizer,
          "l1": L1, "l2": L2, "l1_l2": L1L2, "orthogonal_regularizer": OrthogonalRegularizer}  # fmt: skip


def serialize(regularizer):
    """Keras 3's dict for a regularizer."""
    return _leaf_utils.serialize_object(regularizer, "keras.regularizers")


def deserialize(config, custom_objects=None):
    """The regularizer a `serialize()` dict (or a name) describes."""
    return _leaf_utils.deserialize_object(config, _TABLE, "regularizer", custom_objects)


def get(identifier):
    """A regularizer from None, a name ("l2"), a dict, or a callable."""
    return _leaf_utils.get_object(identifier, deserialize, "regularizer")
