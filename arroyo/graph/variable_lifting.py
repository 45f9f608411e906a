"""Variables created while tracing are created eagerly ("lifted" out of the graph).

TF runs a Variable's initializer outside the function being traced (init_scope) and allows
creation only on the first trace. Here the initial value is computed eagerly: a callable is
called with no graph active; a symbolic initial value whose subgraph needs no function
input (e.g. `tf.random.normal([3])`) is evaluated by running that subgraph once.
"""

from __future__ import annotations

import contextlib

from arroyo.framework.context import state

_scopes: list[list] = []


@contextlib.contextmanager
def creation_scope(owner):
    created: list = []
    _scopes.append(created)
    try:
        yield created
    finally:
        _scopes.pop()


def note_created(var, trainable=True):
    if _scopes:
        _scopes[-1].append(var)
    graph = state.graph
    if graph is not None and not graph.building_function:
        # TF1 graphs collect their variables (global_variables_initializer, Savers...).
        graph.add_to_collection("variables", var)
        if trainable is None or trainable:
            graph.add_to_collection("trainable_variables", var)


@contextlib.contextmanager
def init_scope():
    """Leaves graph building (and tape recording) for the duration of the block."""
    saved_graph, saved_tapes = state.graph, state.tapes
    state.graph, state.tapes = None, []
    try:
        yield
    finally:
        state.graph, state.tapes = saved_graph, saved_tapes


def lift_initial_value(initial_value):
    from arroyo.framework.tensor import Tensor

    if (
        callable(initial_value)
        and not isinstance(initial_value, Tensor)
        and not hasattr(initial_value, "_is_arroyo_variable")
    ):
        with init_scope():
            return initial_value()
    if isinstance(initial_value, Tensor) and hasattr(initial_value, "_eager_value_for_variable"):
        with init_scope():
            from arroyo.framework.tensor import _wrap

            return _wrap(initial_value._eager_value_for_variable())
    return initial_value
