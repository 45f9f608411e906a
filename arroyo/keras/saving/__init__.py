"""`tf.keras.saving`: the `.keras` format, weights files and object serialization."""

from __future__ import annotations

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


def save_model(model, filepath, overwrite=True, **kwargs):
    from arroyo.keras.saving import saving_api

    return saving_api.save_model(model, filepath, overwrite=overwrite, **kwargs)


def load_model(filepath, custom_objects=None, compile=True, safe_mode=True):  # noqa: A002 - Keras' name
    from arroyo.keras.saving import saving_api

    return saving_api.load_model(filepath, custom_objects=custom_objects, compile=compile,
                                 safe_mode=safe_mode)  # fmt: skip


def save_weights(model, filepath, overwrite=True, **kwargs):
    from arroyo.keras.saving import saving_api

    return saving_api.save_weights(model, filepath, overwrite=overwrite, **kwargs)


def load_weights(model, filepath, skip_mismatch=False, **kwargs):
    from arroyo.keras.saving import saving_api

    return saving_api.load_weights(model, filepath, skip_mismatch=skip_mismatch, **kwargs)


__all__ = [
    "CustomObjectScope", "custom_object_scope", "deserialize_keras_object", "get_custom_objects",
    "get_registered_name", "get_registered_object", "register_keras_serializable",
    "serialize_keras_object", "save_model", "load_model", "save_weights", "load_weights",
]  # fmt: skip
