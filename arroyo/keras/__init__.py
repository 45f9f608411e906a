"""tf.keras: layers, models, training, optimizers, losses and metrics on arroyo.

Submodules load on first use, like the rest of arroyo's namespaces.
"""

from __future__ import annotations

from arroyo.util import lazy as _lazy

_LAZY = {
    # the engine
    "layers": "arroyo.keras.layers",
    "models": "arroyo.keras.models",
    "utils": "arroyo.keras.utils",
    "backend": "arroyo.keras.backend",
    "saving": "arroyo.keras.saving",
    "Model": "arroyo.keras.models:Model",
    "Sequential": "arroyo.keras.models:Sequential",
    "Input": "arroyo.keras.layers:Input",
    "Layer": "arroyo.keras.layers:Layer",
    "InputSpec": "arroyo.keras.layers:InputSpec",
    "Variable": "arroyo.keras.backend:Variable",
    "KerasTensor": "arroyo.keras.models.functional:KerasTensor",
    "datasets": "arroyo.keras.datasets",
    # the leaves
    "optimizers": "arroyo.keras.optimizers",
    "losses": "arroyo.keras.losses",
    "metrics": "arroyo.keras.metrics",
    "initializers": "arroyo.keras.initializers",
    "activations": "arroyo.keras.activations",
    "regularizers": "arroyo.keras.regularizers",
    "constraints": "arroyo.keras.constraints",
    "callbacks": "arroyo.keras.callbacks",
}


def regularizers_or_none(value):
    """None, or the regularizer `value` names (the leaves' `regularizers.get`)."""
    if value is None:
        return None
    from arroyo.keras import regularizers

    return regularizers.get(value)


def __getattr__(name):
    return _lazy.resolve(__name__, _LAZY, globals(), name)


def __dir__():
    return sorted(set(globals()) | set(_LAZY))
