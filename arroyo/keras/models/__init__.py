"""`tf.keras.models`: Model, Sequential, and loading/cloning models."""

from __future__ import annotations

from arroyo.keras.models.model import Functional, Model
from arroyo.keras.models.sequential import Sequential


def load_model(filepath, custom_objects=None, compile=True, safe_mode=True):  # noqa: A002 - Keras' name
    """Loads a `.keras` file, a `.h5` file, or (as Keras 2 did) a SavedModel directory."""
    from arroyo.keras.saving import saving_api

    return saving_api.load_model(filepath, custom_objects=custom_objects, compile=compile,
                                 safe_mode=safe_mode)  # fmt: skip


def save_model(model, filepath, overwrite=True, **kwargs):
    from arroyo.keras.saving import saving_api

    return saving_api.save_model(model, filepath, overwrite=overwrite, **kwargs)


def model_from_json(json_string, custom_objects=None):
    import json

    from arroyo.keras.saving.serialization import deserialize_keras_object

    return deserialize_keras_object(json.loads(json_string), custom_objects=custom_objects)


def clone_model(model, input_tensors=None, clone_function=None):
    """A new model with the same configuration and freshly initialized weights."""
    from arroyo.keras.saving.serialization import deserialize_keras_object, serialize_keras_object

    cfg = serialize_keras_object(model)
    cfg.pop("compile_config", None)
    return deserialize_keras_object(cfg)


__all__ = ["Model", "Sequential", "Functional", "load_model", "save_model", "model_from_json",
           "clone_model"]  # fmt: skip
