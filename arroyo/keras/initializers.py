"""tf.keras.initializers: Keras 3's weight initializers.

    init = tf.keras.initializers.get("glorot_uniform")
    w = tf.Variable(init((3, 4)))              # float32, U(-sqrt(6/7), sqrt(6/7))

Random initializers follow Keras 3's seeding: an integer `seed` gives the same values on
every call; without one, a seed is drawn from Python's `random` when the initializer is
made (so `tf.keras.utils.set_random_seed` makes runs repeatable). Values come from
arroyo's stateless random ops; they are distributed like Keras 3's, not bit-identical.
"""

from __future__ import annotations

import math
import random as _py_random

import numpy as np

import arroyo as _tf
from arroyo.framework import dtypes as _dtypes
from arroyo.keras import _leaf_utils

__all__ = [
    "Initializer", "Zeros", "Ones", "Constant", "RandomNormal", "RandomUniform",
    "TruncatedNormal", "VarianceScaling", "GlorotUniform", "GlorotNormal", "HeUniform",
    "HeNormal", "LecunUniform", "LecunNormal", "Orthogonal", "OrthogonalInitializer",
    "Identity", "IdentityInitializer", "get", "serialize", "deserialize",
]  # fmt: skip


def _float_dtype(dtype, name):
    d = _dtypes.as_dtype(dtype or "float32")
    if not d.is_floating:
        raise ValueError(f"{name} only supports floating-point dtypes. Received: dtype={d.name}")
    return d


def _shape(shape):
    if isinstance(shape, _tf.TensorShape):
        shape = shape.as_list()
    return tuple(int(s) for s in shape)


class Initializer:
    """Base class: `init(shape, dtype=None)` returns a tensor of that shape.

    >>> class Twos(tf.keras.initializers.Initializer):
    ...     def __call__(self, shape, dtype=None):
    ...         return tf.fill(shape, tf.constant(2.0, dtype or "float32"))
    """

    def __call__(self, shape, dtype=None):
        raise NotImplementedError(
            f"Initializer {type(self).__name__} does not implement __call__()."
        )

    def get_config(self):
        return {}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def clone(self):
        return type(self).from_config(self.get_config())


class Zeros(Initializer):
    """All zeros: `Zeros()((2, 2))`."""

    def __call__(self, shape, dtype=None):
        return _tf.zeros(_shape(shape), dtype=_dtypes.as_dtype(dtype or "float32"))


class Ones(Initializer):
    """All ones: `Ones()((2, 2))`."""

    def __call__(self, shape, dtype=None):
        return _tf.ones(_shape(shape), dtype=_dtypes.as_dtype(dtype or "float32"))


class Constant(Initializer):
    """A constant value broadcast to the shape: `Constant(3.0)((2,))`."""

    def __init__(self, value=0.0):
        self.value = value

    def __call__(self, shape, dtype=None):
        d = _dtypes.as_dtype(dtype or "float32")
        value = np.asarray(self.value.numpy() if hasattr(self.value, "numpy") else self.value)
        return _tf.constant(np.broadcast_to(value.astype(d.as_numpy_dtype), _shape(shape)))

    def get_config(self):
        v = self.value
        if hasattr(v, "numpy"):
            v = v.numpy()
        if isinstance(v, np.ndarray):
            v = v.tolist()
        return {"value": v}


class RandomInitializer(Initializer):
    """Base of the random initializers: holds Keras 3's integer seed."""

    def __init__(self, seed=None):
        self._init_seed = seed
        if seed is None:
            seed = _py_random.randint(1, int(1e9))
        elif isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
            if not hasattr(seed, "_arroyo_seed"):
                raise ValueError(
                    "`seed` argument should be an instance of `keras.random.SeedGenerator()` "
                    f"or an integer. Received: seed={seed}"
                )
        self.seed = seed

    def _seed_pair(self):
        return [int(self.seed), 0]

    def get_config(self):
        return {"seed": self._init_seed}


class RandomNormal(RandomInitializer):
    """Normal(mean, stddev): `RandomNormal(stddev=0.05, seed=1)((3, 3))`."""

    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        self.mean = mean
        self.stddev = stddev
        super().__init__(seed=seed)

    def __call__(self, shape, dtype=None):
        d = _float_dtype(dtype, "RandomNormal")
        return _tf.random.stateless_normal(
            _shape(shape), self._seed_pair(), mean=self.mean, stddev=self.stddev, dtype=d
        )

    def get_config(self):
        return {**super().get_config(), "mean": self.mean, "stddev": self.stddev}


class RandomUniform(RandomInitializer):
    """Uniform[minval, maxval): `RandomUniform(-1.0, 1.0, seed=1)((3,))`."""

    def __init__(self, minval=-0.05, maxval=0.05, seed=None):
        self.minval = minval
        self.maxval = maxval
        super().__init__(seed=seed)

    def __call__(self, shape, dtype=None):
        d = _dtypes.as_dtype(dtype or "float32")
        if not (d.is_floating or d.is_integer):
            raise ValueError(f"RandomUniform does not support dtype={d.name}")
        return _tf.random.stateless_uniform(
            _shape(shape), self._seed_pair(), minval=self.minval, maxval=self.maxval, dtype=d
        )

    def get_config(self):
        return {**super().get_config(), "minval": self.minval, "maxval": self.maxval}


class TruncatedNormal(RandomInitializer):
    """Normal(mean, stddev) redrawn beyond two standard deviations."""

    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        self.mean = mean
        self.stddev = stddev
        super().__init__(seed=seed)

    def __call__(self, shape, dtype=None):
        d = _float_dtype(dtype, "TruncatedNormal")
        return _tf.random.stateless_truncated_normal(
            _shape(shape), self._seed_pair(), mean=self.mean, stddev=self.stddev, dtype=d
        )

    def get_config(self):
        return {**super().get_config(), "mean": self.mean, "stddev": self.stddev}


def compute_fans(shape, input_axes=None, output_axes=None):
    """(fan_in, fan_out) of a weight shape, as Keras computes them."""
    shape = _shape(shape)
    if input_axes is not None or output_axes is not None:
        ins = [shape[a] for a in (input_axes or ())]
        outs = [shape[a] for a in (output_axes or ())]
        return int(np.prod(ins)) if ins else 1, int(np.prod(outs)) if outs else 1
    if len(shape) == 0:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    if len(shape) == 2:
        return shape[0], shape[1]
    receptive = int(np.prod(shape[:-2]))
    return shape[-2] * receptive, shape[-1] * receptive


_MODES = ("fan_in", "fan_out", "fan_avg")
_DISTRIBUTIONS = ("truncated_normal", "untruncated_normal", "uniform")


class VarianceScaling(RandomInitializer):
    """Samples scaled by the weight's fan: stddev = sqrt(scale / fan).

    >>> tf.keras.initializers.VarianceScaling(2.0, "fan_in", "uniform")((64, 32))
    """

    def __init__(self, scale=1.0, mode="fan_in", distribution="truncated_normal", seed=None,
                 input_axes=None, output_axes=None):  # fmt: skip
        if scale <= 0.0:
            raise ValueError(f"Argument `scale` must be positive float. Received: scale={scale}")
        if mode not in _MODES:
            raise ValueError(f"Invalid `mode` argument: {mode}. Please use one of {set(_MODES)}")
        distribution = distribution.lower()
        if distribution == "normal":  # Keras 2's name
            distribution = "truncated_normal"
        if distribution not in _DISTRIBUTIONS:
            raise ValueError(
                f"Invalid `distribution` argument: {distribution}."
                f"Please use one of {set(_DISTRIBUTIONS)}"
            )
        self.scale = scale
        self.mode = mode
        self.distribution = distribution
        self.input_axes = input_axes
        self.output_axes = output_axes
        super().__init__(seed=seed)

    def __call__(self, shape, dtype=None):
        d = _float_dtype(dtype, type(self).__name__)
        shape = _shape(shape)
        fan_in, fan_out = compute_fans(shape, self.input_axes, self.output_axes)
        fan = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2.0}
        scale = self.scale / max(1.0, fan[self.mode])
        seed = self._seed_pair()
        if self.distribution == "truncated_normal":
            # 0.8796... is the stddev of a standard normal truncated to [-2, 2].
            stddev = math.sqrt(scale) / 0.87962566103423978
            return _tf.random.stateless_truncated_normal(shape, seed, stddev=stddev, dtype=d)
        if self.distribution == "untruncated_normal":
            return _tf.random.stateless_normal(shape, seed, stddev=math.sqrt(scale), dtype=d)
        limit = math.sqrt(3.0 * scale)
        return _tf.random.stateless_uniform(shape, seed, minval=-limit, maxval=limit, dtype=d)

    def get_config(self):
        return {
            **super().get_config(),
            "scale": self.scale,
            "mode": self.mode,
            "distribution": self.distribution,
            "input_axes": self.input_axes,
            "output_axes": self.output_axes,
        }


def _scaled(name, scale, mode, distribution, doc):
    def __init__(self, seed=None, input_axes=None, output_axes=None):
        VarianceScaling.__init__(self, scale, mode, distribution, seed, input_axes, output_axes)

    def get_config(self):
        return {"seed": self._init_seed, "input_axes": self.input_axes,
                "output_axes": self.output_axes}  # fmt: skip

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    cls = type(name, (VarianceScaling,), {"__init__": __init__, "get_config": get_config,
                                          "from_config": from_config, "__doc__": doc})  # fmt: skip
    cls.__module__ = __name__
    return cls


GlorotUniform = _scaled("GlorotUniform", 1.0, "fan_avg", "uniform",
                        "U(-l, l) with l = sqrt(6 / (fan_in + fan_out)).")  # fmt: skip
GlorotNormal = _scaled("GlorotNormal", 1.0, "fan_avg", "truncated_normal",
                       "Truncated normal, stddev = sqrt(2 / (fan_in + fan_out)).")  # fmt: skip
HeUniform = _scaled("HeUniform", 2.0, "fan_in", "uniform", "U(-l, l), l = sqrt(6 / fan_in).")
HeNormal = _scaled("HeNormal", 2.0, "fan_in", "truncated_normal",
                   "Truncated normal, stddev = sqrt(2 / fan_in).")  # fmt: skip
LecunUniform = _scaled("LecunUniform", 1.0, "fan_in", "uniform",
                       "U(-l, l), l = sqrt(3 / fan_in).")  # fmt: skip
LecunNormal = _scaled("LecunNormal", 1.0, "fan_in", "truncated_normal",
                      "Truncated normal, stddev = sqrt(1 / fan_in).")  # fmt: skip


class Orthogonal(RandomInitializer):
    """An orthogonal matrix (from the QR decomposition of a normal sample) times `gain`.

    >>> w = tf.keras.initializers.Orthogonal(seed=1)((4, 3))   # w^T w == I
    """

    def __init__(self, gain=1.0, seed=None):
        self.gain = gain
        super().__init__(seed=seed)

    def __call__(self, shape, dtype=None):
        d = _float_dtype(dtype, "Orthogonal")
        shape = _shape(shape)
        if len(shape) < 2:
            raise ValueError(
                "Orthogonal initializer requires a kernel of shape with at least two "
                f"dimensions. Received: shape={shape} of rank {len(shape)}."
            )
        rows = int(np.prod(shape[:-1]))
        cols = shape[-1]
        flat = (max(rows, cols), min(rows, cols))
        a = _tf.random.stateless_normal(flat, self._seed_pair(), dtype=_tf.float32)
        q, r = _tf.linalg.qr(a)
        q = q * _tf.sign(_tf.linalg.diag_part(r))
        if rows < cols:
            q = _tf.transpose(q)
        return _tf.cast(self.gain * _tf.reshape(q, shape), d)

    def get_config(self):
        return {**super().get_config(), "gain": self.gain}


class Identity(Initializer):
    """`gain` times the identity matrix (2-D shapes only)."""

    def __init__(self, gain=1.0):
        self.gain = gain

    def __call__(self, shape, dtype=None):
        shape = _shape(shape)
        d = _float_dtype(dtype, "Identity")
        if len(shape) != 2:
            raise ValueError(
                "Identity matrix initializer can only be used for 2D matrices. "
                f"Received: shape={shape} of rank {len(shape)}."
            )
        return _tf.constant(self.gain * np.eye(*shape, dtype=d.as_numpy_dtype))


OrthogonalInitializer = Orthogonal
IdentityInitializer = Identity

_CLASSES = [Zeros, Ones, Constant, RandomNormal, RandomUniform, TruncatedNormal,
            VarianceScaling, GlorotUniform, GlorotNormal, HeUniform, HeNormal, LecunUniform,
            LecunNormal, Orthogonal, Identity]  # fmt: skip
_TABLE: dict = {}
for _c in _CLASSES:
    _TABLE[_c.__name__] = _c
    _TABLE[_leaf_utils.to_snake_case(_c.__name__)] = _c
_TABLE.update({"OrthogonalInitializer": Orthogonal, "IdentityInitializer": Identity,
               "uniform": RandomUniform, "normal": RandomNormal, "zero": Zeros, "one": Ones,
               "RandomNormalV2": RandomNormal, "RandomUniformV2": RandomUniform})  # fmt: skip


# Function-style names (tf.keras.initializers.glorot_uniform) are the classes themselves
# in Keras 3: `glorot_uniform(seed=1)` is an initializer.
zeros, ones, constant = Zeros, Ones, Constant
random_normal, random_uniform, truncated_normal = RandomNormal, RandomUniform, TruncatedNormal
variance_scaling, orthogonal, identity = VarianceScaling, Orthogonal, Identity
glorot_uniform, glorot_normal = GlorotUniform, GlorotNormal
he_uniform, he_normal, lecun_uniform, lecun_normal = HeUniform, HeNormal, LecunUniform, LecunNormal


def serialize(initializer):
    """`{"module": "keras.initializers", "class_name": ..., "config": ...}`."""
    return _leaf_utils.serialize_object(initializer, "keras.initializers")


def deserialize(config, custom_objects=None):
    """The initializer a `serialize()` dict (or a name) describes."""
    return _leaf_utils.deserialize_object(config, _TABLE, "initializer", custom_objects)


def get(identifier):
    """An initializer from a name, a config dict, a class, an instance or a callable.

    >>> tf.keras.initializers.get("glorot_uniform")
    """
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        cls = _TABLE.get(identifier)
        if cls is None:
            raise ValueError(f"Could not interpret initializer identifier: {identifier}")
        return cls()
    if isinstance(identifier, type) and issubclass(identifier, Initializer):
        return identifier()
    if callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret initializer identifier: {identifier}")
