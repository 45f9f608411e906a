"""Keras 3 operation nodes that saved functional models contain: Keras records the ops that
compute masks (`NotEqual` for `Embedding(mask_zero=True)`, `NotEqual` + `Any` for `Masking`)
as nodes of the graph and passes their outputs as `mask=`. Serialized under the module
`keras.src.ops.numpy`, as Keras does."""

from __future__ import annotations

import arroyo as tf
from arroyo.keras.layers.base import Layer

__all__ = ["NotEqual", "Any"]


class _KerasOp(Layer):
    """A Keras 3 operation node of a saved functional model (Keras records the ops that
    compute masks, `NotEqual` and `Any`, as nodes and passes their outputs as `mask=`)."""

    def __init__(self, name=None, **kwargs):
        super().__init__(name=name)

    def get_config(self):
        return {"name": self.name}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


class NotEqual(_KerasOp):
    """`keras.ops.not_equal` as a functional-model node."""

    def call(self, x1, x2):
        x2 = tf.convert_to_tensor(x2, dtype=x1.dtype)
        return tf.not_equal(x1, x2)


class Any(_KerasOp):
    """`keras.ops.any` as a functional-model node."""

    def __init__(self, axis=None, keepdims=False, name=None, **kwargs):
        super().__init__(name=name)
        self.axis = axis
        self.keepdims = keepdims

    def call(self, x):
        return tf.reduce_any(tf.cast(x, "bool"), axis=self.axis, keepdims=self.keepdims)

    def get_config(self):
        return {"name": self.name, "axis": self.axis, "keepdims": self.keepdims}
