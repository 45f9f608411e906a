"""`tf.keras.utils`: seeding, one-hot labels, serialization helpers."""

from __future__ import annotations

import random as _random

import numpy as np

from arroyo.keras.saving.serialization import (
    CustomObjectScope,
    custom_object_scope,
    deserialize_keras_object,
    get_custom_objects,
    get_registered_name,
    get_registered_object,
    register_keras_serializable,
    serialize_keras_object,
)
from arroyo.keras.trainer import pack_x_y_sample_weight, unpack_x_y_sample_weight
from arroyo.keras.utils.progbar import Progbar

__all__ = [
    "set_random_seed", "to_categorical", "normalize", "get_file", "register_keras_serializable",
    "get_registered_name", "get_registered_object", "serialize_keras_object",
    "deserialize_keras_object", "custom_object_scope", "CustomObjectScope", "get_custom_objects",
    "pack_x_y_sample_weight", "unpack_x_y_sample_weight", "plot_model", "Progbar",
]  # fmt: skip


def set_random_seed(seed):
    """Seeds Python's `random`, NumPy and TensorFlow's global generator at once.

    >>> tf.keras.utils.set_random_seed(1)
    """
    if not isinstance(seed, int):
        raise ValueError(
            f"Expected `seed` argument to be an integer. Received: seed={seed} (of type "
            f"{type(seed)})"
        )
    _random.seed(seed)
    np.random.seed(seed)
    import arroyo

    arroyo.random.set_seed(seed)


def to_categorical(x, num_classes=None):
    """One-hot float32 rows for integer class labels.

    >>> tf.keras.utils.to_categorical([0, 2], num_classes=3)
    array([[1., 0., 0.],
           [0., 0., 1.]])
    """
    x = np.array(x, dtype="int64")
    shape = x.shape
    if shape and shape[-1] == 1 and len(shape) > 1:
        shape = shape[:-1]
    x = x.reshape(-1)
    if not num_classes:
        num_classes = int(np.max(x)) + 1
    n = x.shape[0]
    out = np.zeros((n, num_classes))
    out[np.arange(n), x] = 1
    return out.reshape(shape + (num_classes,))


def normalize(x, axis=-1, order=2):
    """Scales `x` to unit `order`-norm along `axis`."""
    x = np.asarray(x)
    norm = np.atleast_1d(np.linalg.norm(x, order, axis))
    norm[norm == 0] = 1
    return x / np.expand_dims(norm, axis)


def get_file(fname=None, origin=None, untar=False, md5_hash=None, file_hash=None,
             cache_subdir="datasets", hash_algorithm="auto", extract=False,
             archive_format="auto", cache_dir=None, force_download=False):  # fmt: skip
    """Returns the cached path of `fname` under ~/.keras/<cache_subdir>; downloading is not
    supported (arroyo never reaches the network), so a missing file raises."""
    import os

    cache_dir = cache_dir or os.path.join(os.path.expanduser("~"), ".keras")
    if fname is None and origin:
        fname = os.path.basename(origin)
    path = os.path.join(cache_dir, cache_subdir, fname)
    if os.path.exists(path) and not force_download:
        return path
    raise OSError(
        f"get_file: {path} is not in the cache and arroyo does not download files "
        f"(origin: {origin})."
    )


def plot_model(*args, **kwargs):
    raise ImportError("You must install pydot (`pip install pydot`) for `plot_model` to work.")
