"""`tf.name_scope` (TF2): prefixes the names of Variables and graph ops made inside."""

from __future__ import annotations

from arroyo.framework.context import state


class name_scope:  # noqa: N801 - TF's public name
    """Context manager that pushes `name` onto the name scope; yields "outer/name/".

    >>> with tf.name_scope("layer"):
    ...     v = tf.Variable(1.0, name="w")
    >>> v.name
    'layer/w:0'
    """

    def __init__(self, name, default_name=None, values=None):
        if name is None:
            name = default_name
        if name and not isinstance(name, str):
            raise TypeError(f"name for name_scope must be a string, got {name!r}")
        self._name = name
        self._graph_cm = None

    @property
    def name(self):
        return self._name

    def __enter__(self):
        name = self._name or ""
        absolute = name.endswith("/")
        name = name.rstrip("/")
        self._saved = list(state.name_scope)
        if absolute:
            state.name_scope = [p for p in name.split("/") if p]
        elif name:
            state.name_scope.append(name)
        graph = state.graph
        if graph is not None:
            self._graph_saved = list(graph._name_stack)
            graph._name_stack = list(state.name_scope)
        scope = "/".join(state.name_scope)
        return scope + "/" if scope else ""

    def __exit__(self, *exc):
        state.name_scope = self._saved
        graph = state.graph
        if graph is not None and hasattr(self, "_graph_saved"):
            graph._name_stack = self._graph_saved
        return False


name_scope_v2 = name_scope
