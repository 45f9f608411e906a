"""Keras masks: the boolean `(batch, time)` tensors that ride along with a layer's output.

Keras 3 stores a mask on the tensor itself (`x._keras_mask`); arroyo's tensors have fixed
slots, so the masks live in a side table keyed by the tensor's id and dropped (by a weak
reference callback) when the tensor goes away. `Layer.__call__` fills a layer's `mask`
argument from its input and attaches `compute_mask`'s result to the output.

    >>> emb = tf.keras.layers.Embedding(10, 2, mask_zero=True)
    >>> y = emb(tf.constant([[1, 0]]))
    >>> tf.keras.layers.masking.get_keras_mask(y).numpy()
    array([[ True, False]])
"""

from __future__ import annotations

import weakref

import arroyo as tf
from arroyo.keras.layers.base import Layer

__all__ = ["Masking", "get_keras_mask", "set_keras_mask"]

# id(tensor) -> (weak reference to the tensor, mask). Empty unless some layer made a mask,
# so `Layer.__call__` pays one dict truth test when nobody masks.
MASKS: dict = {}


def set_keras_mask(x, mask):
    """Attaches `mask` to the tensor `x` (no-op for None or objects without weak refs)."""
    if mask is None:
        return
    key = id(x)

    def gone(_ref, key=key):
        MASKS.pop(key, None)

    try:
        ref = weakref.ref(x, gone)
    except TypeError:
        return
    MASKS[key] = (ref, mask)


def get_keras_mask(x):
    """The mask attached to `x`, or None."""
    if not MASKS:
        return None
    entry = MASKS.get(id(x))
    if entry is not None and entry[0]() is x:
        return entry[1]
    return None


def mask_of(inputs):
    """The mask of the first input (a list of masks for a list input), or None."""
    if isinstance(inputs, (list, tuple)):
        masks = [get_keras_mask(x) for x in inputs]
        return masks if any(m is not None for m in masks) else None
    return get_keras_mask(inputs)


def set_output_masks(layer, inputs, outputs, previous_mask):
    """Keras 3's `_set_mask_metadata`: `compute_mask`'s result onto outputs without one."""
    flat = list(outputs) if isinstance(outputs, (list, tuple)) else [outputs]
    if all(get_keras_mask(o) is not None for o in flat):
        return
    masks = layer.compute_mask(inputs, previous_mask)
    if masks is None:
        return
    masks = list(masks) if isinstance(masks, (list, tuple)) else [masks]
    for o, m in zip(flat, masks):
        if m is not None and get_keras_mask(o) is None:
            set_keras_mask(o, m)


class Masking(Layer):
    """Masks timesteps whose features all equal `mask_value` (they are zeroed and skipped
    by the recurrent layers that follow).

    >>> x = tf.constant([[[1.0], [0.0]]])
    >>> tf.keras.layers.Masking()(x).numpy().ravel()
    array([1., 0.], dtype=float32)
    """

    def __init__(self, mask_value=0.0, **kwargs):
        super().__init__(**kwargs)
        self.mask_value = mask_value
        self.supports_masking = True

    def compute_mask(self, inputs, mask=None):
        return tf.reduce_any(tf.not_equal(inputs, self.mask_value), axis=-1)

    def call(self, inputs):
        keep = tf.reduce_any(tf.not_equal(inputs, self.mask_value), axis=-1, keepdims=True)
        out = inputs * tf.cast(keep, inputs.dtype)
        set_keras_mask(out, tf.squeeze(keep, axis=-1))
        return out

    def get_config(self):
        config = super().get_config()
        config["mask_value"] = self.mask_value
        return config
