"""Shared lookup and (de)serialization for the Keras leaf modules.

Keras 3 serializes a leaf object as
`{"module": "keras.<kind>", "class_name": ..., "config": ..., "registered_name": None}`
and resolves identifiers given as an instance, a class, a dict (Keras 3 or Keras 2
form) or a string (class name or snake_case alias).
"""

from __future__ import annotations

import re

_CAMEL1 = re.compile(r"(.)([A-Z][a-z]+)")
_CAMEL2 = re.compile(r"([a-z0-9])([A-Z])")


def to_snake_case(name: str) -> str:
    s = _CAMEL1.sub(r"\1_\2", name)
    return _CAMEL2.sub(r"\1_\2", s).lower()


def serialize_object(obj, module: str) -> dict:
    """Keras 3's serialized form of an object that has `get_config`."""
    return {
        "module": module,
        "class_name": type(obj).__name__,
        "config": obj.get_config(),
        "registered_name": None,
    }


def deserialize_object(config, table: dict, kind: str, custom_objects=None):
    """Builds an object from a serialized dict or a name looked up in `table`."""
    table = dict(table)
    if custom_objects:
        table.update(custom_objects)
    if isinstance(config, str):
        cls = table.get(config)
        if cls is None:
            raise ValueError(f"Could not interpret {kind} identifier: {config}")
        return cls() if isinstance(cls, type) else cls
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(f"Could not interpret {kind} identifier: {config}")
    name = config["class_name"]
    cls = table.get(name) or table.get(config.get("registered_name") or "")
    if cls is None:
        raise TypeError(
            f"Could not locate class '{name}'. Make sure custom classes are decorated with "
            "`@keras.saving.register_keras_serializable()`."
        )
    inner = config.get("config") or {}
    if isinstance(cls, type):
        return cls.from_config(dict(inner)) if hasattr(cls, "from_config") else cls(**inner)
    return cls


NOT_ACCEPTED = object()


def get_object(identifier, deserialize, kind, base_class=None, if_none=None):
    """The `get()` of a Keras leaf module: None gives `if_none` (or TF's error when None is
    not accepted), names and dicts go through `deserialize`, a `base_class` subclass is
    instantiated, any other callable is returned as it is."""
    if identifier is None and if_none is not NOT_ACCEPTED:
        return if_none
    if isinstance(identifier, (str, dict)):
        return deserialize(identifier)
    if (
        base_class is not None
        and isinstance(identifier, type)
        and issubclass(identifier, base_class)
    ):
        return identifier()
    if callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret {kind} identifier: {identifier}")
