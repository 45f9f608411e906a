"""`tf.keras.backend`: float type, epsilon, session state, and Keras variables.

Keras 3 keeps its global state (auto-name counters, the float type) here; `clear_session()`
resets the names, so the next Dense is `dense` again.

    >>> tf.keras.backend.floatx()
    'float32'
"""

from __future__ import annotations

import collections
import re
import threading

import numpy as np

from arroyo.ops.variables import ResourceVariable

__all__ = [
    "floatx",
    "set_floatx",
    "epsilon",
    "set_epsilon",
    "clear_session",
    "image_data_format",
    "set_image_data_format",
    "is_keras_tensor",
    "Variable",
    "backend",
]

_FLOATX = "float32"
_EPSILON = 1e-7
_IMAGE_DATA_FORMAT = "channels_last"
_name_uids: collections.defaultdict = collections.defaultdict(int)


class _CallState(threading.local):
    def __init__(self):
        self.scope = []  # names of the layers whose __call__/build is running (variable paths)
        self.training = []  # the `training` value of enclosing layer calls


call_state = _CallState()


def backend():
    """The name of the backend: 'tensorflow'."""
    return "tensorflow"


def floatx():
    """The default float type, as a string ('float32').

    >>> tf.keras.backend.floatx()
    'float32'
    """
    return _FLOATX


def set_floatx(value):
    """Sets the default float type ('float16', 'bfloat16', 'float32' or 'float64')."""
    global _FLOATX
    accepted = {"bfloat16", "float16", "float32", "float64"}
    if value not in accepted:
        raise ValueError(f"Unknown `floatx` value: {value}. Expected one of {accepted}")
    _FLOATX = str(value)


def epsilon():
    """The fuzz factor used in numeric expressions (1e-07).

    >>> tf.keras.backend.epsilon()
    1e-07
    """
    return _EPSILON


def set_epsilon(value):
    global _EPSILON
    _EPSILON = float(value)


def image_data_format():
    return _IMAGE_DATA_FORMAT


def set_image_data_format(data_format):
    global _IMAGE_DATA_FORMAT
    if data_format not in ("channels_first", "channels_last"):
        raise ValueError(
            "The `data_format` argument must be one of {'channels_first', 'channels_last'}. "
            f"Received: data_format={data_format}"
        )
    _IMAGE_DATA_FORMAT = str(data_format)


def clear_session(free_memory=True):
    """Resets Keras' global state: auto-generated layer and model names start again.

    >>> tf.keras.backend.clear_session()
    """
    _name_uids.clear()
    call_state.scope.clear()
    call_state.training.clear()


def to_snake_case(name):
    name = re.sub(r"\W+", "", name)
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    name = re.sub("([a-z])([A-Z])", r"\1_\2", name)
    return name.lower()


def unique_name(base):
    """Keras' auto names: 'dense', then 'dense_1', 'dense_2', ..."""
    n = _name_uids[base]
    _name_uids[base] = n + 1
    return base if n == 0 else f"{base}_{n}"


def is_keras_tensor(x):
    from arroyo.keras.models.functional import KerasTensor

    return isinstance(x, KerasTensor)


def standardize_dtype(dtype):
    from arroyo.framework import dtypes

    if dtype is None:
        return floatx()
    if hasattr(dtype, "name") and hasattr(dtype, "is_floating"):
        return dtype.name
    if isinstance(dtype, str):
        return dtypes.as_dtype(dtype).name
    return dtypes.as_dtype(dtype).name


class Variable(ResourceVariable):
    """A Keras variable (`keras.Variable`): a tf.Variable with Keras 3's `name` and `path`.

    `name` is the short name given to `add_weight` ('kernel'); `path` adds the names of
    the layers it belongs to ('sequential/dense/kernel').

    >>> v = tf.keras.Variable(np.zeros(2), name="w")
    >>> v.path
    'w'
    """

    def __init__(self, initializer, shape=None, dtype=None, trainable=True, autocast=True,
                 aggregation="none", synchronization="auto", name=None, constraint=None):  # fmt: skip
        from arroyo.framework import dtypes
        from arroyo.graph import variable_lifting

        name = name or "variable"
        if "/" in name:
            raise ValueError(
                f"Argument `name` must be a string and cannot contain character `/`. "
                f"Received: name={name}"
            )
        dtype = standardize_dtype(dtype)
        with variable_lifting.init_scope():
            if callable(initializer) and not hasattr(initializer, "_is_arroyo_variable"):
                if shape is None:
                    raise ValueError(
                        "When creating a Variable from an initializer, the `shape` argument "
                        f"should be specified. Received: initializer={initializer} and shape={shape}"
                    )
                value = initializer(tuple(shape), dtype=dtype)
            else:
                value = initializer
            from arroyo.framework.tensor import convert_to_tensor

            if isinstance(value, np.ndarray):
                value = value.astype(dtypes.as_dtype(dtype).as_numpy_dtype, copy=False)
            value = convert_to_tensor(value, dtype=dtype)
        scope = list(call_state.scope)
        self._keras_name = name
        self._path = "/".join(scope + [name])
        super().__init__(value, trainable=trainable, name=self._path, constraint=constraint)
        self._handle_name = self._path

    @property
    def name(self):
        return self._keras_name

    @property
    def path(self):
        return self._path

    def __repr__(self):
        from arroyo.framework.context import state

        if state.graph is not None:
            return (
                f"<Variable path={self._path}, shape={tuple(self.shape)}, dtype={self.dtype.name}>"
            )
        return (
            f"<Variable path={self._path}, shape={tuple(self.shape.as_list())}, "
            f"dtype={self.dtype.name}, value={np.asarray(self._value)}>"
        )

    __str__ = __repr__
