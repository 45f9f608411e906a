"""tf.keras.constraints: projections applied to a weight after each optimizer update.

w = tf.Variable(..., constraint=tf.keras.constraints.NonNeg())
"""

from __future__ import annotations

import arroyo as _tf
from arroyo.keras import _leaf_utils

_EPS = 1e-7


class Constraint:
    """Base class: `constraint(w)` returns the projected weight."""

    def __call__(self, w):
        return w

    def get_config(self):
        return {}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


def _norms(w, axis):
    return _tf.sqrt(_tf.reduce_sum(_tf.square(w), axis=axis, keepdims=True))


class MaxNorm(Constraint):
    """Rescales slices along `axis` whose L2 norm exceeds `max_value`."""

    def __init__(self, max_value=2, axis=0):
        self.max_value = max_value
        self.axis = axis

    def __call__(self, w):
        w = _tf.convert_to_tensor(w)
        norms = _norms(w, self.axis)
        desired = _tf.clip_by_value(norms, 0.0, float(self.max_value))
        return w * (desired / (_EPS + norms))

    def get_config(self):
        return {"max_value": self.max_value, "axis": self.axis}


class NonNeg(Constraint):
    """Zeroes negative weights."""

    def __call__(self, w):
        w = _tf.convert_to_tensor(w)
        return w * _tf.cast(w >= 0.0, w.dtype)


class UnitNorm(Constraint):
    """Scales slices along `axis` to unit L2 norm."""

    def __init__(self, axis=0):
        self.axis = axis

    def __call__(self, w):
        w = _tf.convert_to_tensor(w)
        return w / (_EPS + _norms(w, self.axis))

    def get_config(self):
        return {"axis": self.axis}


class MinMaxNorm(Constraint):
    """Moves slice norms into [min_value, max_value] at the given `rate`."""

    def __init__(self, min_value=0.0, max_value=1.0, rate=1.0, axis=0):
        self.min_value = min_value
        self.max_value = max_value
        self.rate = rate
        self.axis = axis

    def __call__(self, w):
        w = _tf.convert_to_tensor(w)
        norms = _norms(w, self.axis)
        clipped = _tf.clip_by_value(norms, float(self.min_value), float(self.max_value))
        desired = self.rate * clipped + (1 - self.rate) * norms
        return w * (desired / (_EPS + norms))

    def get_config(self):
        return {"min_value": self.min_value, "max_value": self.max_value, "rate": self.rate,
                "axis": self.axis}  # fmt: skip


max_norm, non_neg, unit_norm, min_max_norm = MaxNorm, NonNeg, UnitNorm, MinMaxNorm
_TABLE = {"MaxNorm": MaxNorm, "NonNeg": NonNeg, "UnitNorm": UnitNorm, "MinMaxNorm": MinMaxNorm,
          "max_norm": MaxNorm, "non_neg": NonNeg, "unit_norm": UnitNorm,
          "min_max_norm": MinMaxNorm}  # fmt: skip


def serialize(constraint):
    """Keras 3's dict for a constraint."""
    return _leaf_utils.serialize_object(constraint, "keras.constraints")


def deserialize(config, custom_objects=None):
    """The constraint a `serialize()` dict (or a name) describes."""
    return _leaf_utils.deserialize_object(config, _TABLE, "constraint", custom_objects)


def get(identifier):
    """A constraint from None, a name ("non_neg"), a dict, or a callable."""
    return _leaf_utils.get_object(identifier, deserialize, "constraint")
