"""Assembles the public namespaces (tf.*, tf.math, tf.nn, ...) from the op modules.

Each op module declares what it exports, and where, in a module-level `TF_API` dict:

    TF_API = {"tf": ["add", "matmul"], "tf.math": ["add", "floormod", "mod=floormod"]}

An entry "alias=attr" exports module attribute `attr` under the public name `alias`.
So adding an op touches its own module only; no namespace file lists it by hand.
"""

from __future__ import annotations

import importlib

OP_MODULES = (
    "arroyo.ops.math_ops",
    "arroyo.ops.unary_ops",
    "arroyo.ops.reduction_ops",
    "arroyo.ops.array_ops",
    "arroyo.ops.creation_ops",
    "arroyo.ops.nn_ops",
    "arroyo.ops.manip_ops",
    "arroyo.ops.gather_ops",
    "arroyo.ops.scatter_ops",
    "arroyo.ops.linalg_ops",
    "arroyo.ops.scan_ops",
    "arroyo.ops.sort_ops",
    "arroyo.ops.segment_ops",
    "arroyo.ops.complex_ops",
    "arroyo.ops.bitwise_ops",
    "arroyo.ops.clip_ops",
    "arroyo.ops.math_extra_ops",
    "arroyo.ops.nn_losses",
    "arroyo.ops.conv_ops",
    "arroyo.ops.pool_ops",
    "arroyo.ops.random_ops",
    "arroyo.ops.debugging_ops",
    "arroyo.ops.logging_ops",
    "arroyo.graph.control_flow",
)
# Op modules that `import arroyo` does not load (they export nothing to `tf.*` itself):
# their namespaces (tf.sparse, tf.ragged, tf.summary) import them on first use, and
# `tf.raw_ops`, graph import and `registered_ops()` load them all (see `load_all`).
EXTRA_OP_MODULES = (
    "arroyo.sparse.sparse_ops",
    "arroyo.ragged.ragged_ops",
    "arroyo.summary._ops",
    "arroyo.ops.string_ops",
)


def _modules(names=OP_MODULES):
    for name in names:
        try:
            yield importlib.import_module(name)
        except ModuleNotFoundError as e:
            if e.name is None or not (name == e.name or name.startswith(e.name + ".")):
                raise  # a missing dependency inside the module, not the module itself


def load_all():
    """Imports every op module, registering every op."""
    return list(_modules(OP_MODULES + EXTRA_OP_MODULES))


def exports(namespace: str) -> dict:
    out = {}
    for mod in _modules(OP_MODULES if namespace == "tf" else OP_MODULES + EXTRA_OP_MODULES):
        for entry in getattr(mod, "TF_API", {}).get(namespace, ()):
            alias, _, attr = entry.partition("=")
            out[alias] = getattr(mod, attr or alias)
    return out


def populate(module_globals: dict, namespace: str):
    names = exports(namespace)
    module_globals.update(names)
    module_globals.setdefault("__all__", [])
    module_globals["__all__"] = sorted(set(module_globals["__all__"]) | set(names))
