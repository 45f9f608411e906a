"""`tf.compat.v1`: TF1-style graphs, sessions, placeholders and variable scopes.

Everything else resolves to the TF2 namespace (`tf.compat.v1.constant is tf.constant`).
"""

from __future__ import annotations

import importlib as _importlib

from arroyo.compat.v1 import train  # noqa: F401
from arroyo.compat.v1.session import (  # noqa: F401
    InteractiveSession,
    Session,
    disable_eager_execution,
    disable_v2_behavior,
    enable_eager_execution,
    enable_v2_behavior,
    get_default_graph,
    get_default_session,
    placeholder,
    placeholder_with_default,
    reset_default_graph,
)
from arroyo.compat.v1.variable_scope import (  # noqa: F401
    AUTO_REUSE,
    get_variable,
    global_variables,
    global_variables_initializer,
    initialize_all_variables,
    local_variables_initializer,
    trainable_variables,
    variable_scope,
    variables_initializer,
)
from arroyo.framework.context import executing_eagerly  # noqa: F401
from arroyo.graph.gradients import gradients  # noqa: F401
from arroyo.graph.graph import Graph  # noqa: F401


def __getattr__(name):
    import arroyo

    aliases = {
        "random_normal": ("random", "normal"),
        "random_uniform": ("random", "uniform"),
        "truncated_normal": ("random", "truncated_normal"),
        "set_random_seed": ("random", "set_seed"),
        "log": ("math", "log"),
        "to_float": None,
    }
    if name in aliases and aliases[name] is not None:
        ns, attr = aliases[name]
        return getattr(getattr(arroyo, ns), attr)
    if name == "to_float":
        return lambda x, name=None: arroyo.cast(x, arroyo.float32)
    try:
        return getattr(arroyo, name)
    except AttributeError:
        pass
    try:
        return _importlib.import_module(f"arroyo.compat.v1.{name}")
    except ModuleNotFoundError:
        raise AttributeError(f"module 'tf.compat.v1' has no attribute {name!r}") from None
