"""tf.keras.optimizers: Keras 3's optimizers on arroyo Variables.

    opt = tf.keras.optimizers.get("adam")             # Adam(learning_rate=0.001)
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(w * w)
    opt.apply_gradients(zip(tape.gradient(loss, [w]), [w]))

Works eagerly and inside `tf.function` (optimizer variables are created on the first
call); optimizer state is checkpointed the way TF 2.21's Keras 3 writes it.
"""

from __future__ import annotations

from arroyo.keras import _leaf_utils
from arroyo.keras.optimizers import legacy, schedules
from arroyo.keras.optimizers.algorithms import (
    SGD,
    Adadelta,
    Adagrad,
    Adam,
    Adamax,
    AdamW,
    Nadam,
    RMSprop,
)
from arroyo.keras.optimizers.optimizer import Optimizer

__all__ = ["Optimizer", "SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adadelta", "Adamax",
           "Nadam", "schedules", "legacy", "get", "serialize", "deserialize"]  # fmt: skip

_CLASSES = (SGD, Adam, AdamW, RMSprop, Adagrad, Adadelta, Adamax, Nadam)
_TABLE = {c.__name__: c for c in _CLASSES}
_TABLE.update({c.__name__.lower(): c for c in _CLASSES})
_TABLE["adam_w"] = AdamW
_TABLE["rm_sprop"] = RMSprop


def serialize(optimizer):
    """`{"module": "keras.optimizers", "class_name": ..., "config": ...}`."""
    return _leaf_utils.serialize_object(optimizer, "keras.optimizers")


def deserialize(config, custom_objects=None):
    """The optimizer a `serialize()` dict (or a name) describes."""
    if isinstance(config, dict) and isinstance(config.get("class_name"), str):
        name = config["class_name"]
        if name not in _TABLE and name.lower() in _TABLE:
            config = {**config, "class_name": name.lower()}
    return _leaf_utils.deserialize_object(config, _TABLE, "optimizer", custom_objects)


def get(identifier):
    """An optimizer from a name ("adam", "SGD"), a config dict or an instance.

    >>> tf.keras.optimizers.get("sgd").get_config()["learning_rate"]
    0.009999999776482582
    """
    if isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        cls = _TABLE.get(identifier) or _TABLE.get(identifier.lower())
        if cls is not None:
            return cls()
    raise ValueError(f"Could not interpret optimizer identifier: {identifier}")
