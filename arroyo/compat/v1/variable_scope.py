"""TF1 variable scopes: `variable_scope`, `get_variable`, initializers of all variables."""

from __future__ import annotations

import contextlib

import numpy as np

from arroyo.framework import dtypes
from arroyo.framework.context import state

AUTO_REUSE = "AUTO_REUSE"
_scope_stack: list[tuple[str, object]] = []
_store: dict[tuple[int, str], object] = {}


@contextlib.contextmanager
def variable_scope(name_or_scope, default_name=None, values=None, initializer=None, reuse=None,
                   dtype=None, **kwargs):  # fmt: skip
    """Prefixes names of variables made by `get_variable`; `reuse` shares existing ones."""
    name = name_or_scope if isinstance(name_or_scope, str) else (default_name or "scope")
    parent_reuse = _scope_stack[-1][1] if _scope_stack else None
    _scope_stack.append((name, reuse if reuse is not None else parent_reuse))
    try:
        graph = state.graph
        if graph is not None:
            with graph.name_scope(name):
                yield _Scope(_prefix())
        else:
            yield _Scope(_prefix())
    finally:
        _scope_stack.pop()


class _Scope:
    def __init__(self, name):
        self.name = name
        self.original_name_scope = name + "/"

    def reuse_variables(self):
        if _scope_stack:
            n, _ = _scope_stack[-1]
            _scope_stack[-1] = (n, True)


def _prefix():
    return "/".join(n for n, _ in _scope_stack)


def get_variable(name, shape=None, dtype=None, initializer=None, regularizer=None, trainable=None,
                 collections=None, caching_device=None, partitioner=None, validate_shape=True,
                 use_resource=None, custom_getter=None, constraint=None, **kwargs):  # fmt: skip
    """Gets an existing variable with this scoped name or creates it (TF1 semantics)."""
    from arroyo.ops.variables import Variable

    full = f"{_prefix()}/{name}" if _scope_stack else name
    reuse = _scope_stack[-1][1] if _scope_stack else None
    key = (id(state.graph), full)
    if key in _store:
        if reuse is None or reuse is False:
            raise ValueError(
                f"Variable {full} already exists, disallowed. Did you mean to set reuse=True or "
                "reuse=tf.AUTO_REUSE in VarScope?"
            )
        return _store[key]
    if reuse is True:
        raise ValueError(
            f"Variable {full} does not exist, or was not created with tf.get_variable(). Did you "
            "mean to set reuse=tf.AUTO_REUSE in VarScope?"
        )
    dtype = dtypes.as_dtype(dtype or dtypes.float32)
    if initializer is None:
        initializer = (
            _glorot_uniform if dtype.is_floating else (lambda s, d: np.zeros(s, d.as_numpy_dtype))
        )
    if callable(initializer):
        if shape is None:
            raise ValueError(
                f"Shape of a new variable ({full}) must be fully defined, but instead was None."
            )
        init = (
            initializer(list(shape), dtype)
            if _takes_dtype(initializer)
            else initializer(list(shape))
        )
    else:
        init = initializer
    var = Variable(init, name=full, dtype=dtype, trainable=trainable, constraint=constraint)
    _store[key] = var
    return var


def _takes_dtype(fn):
    import inspect

    try:
        params = inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return True
    return len(params) >= 2 or "dtype" in params


def _glorot_uniform(shape, dtype):
    fan_in = shape[-2] if len(shape) > 1 else (shape[0] if shape else 1)
    fan_out = shape[-1] if shape else 1
    limit = float(np.sqrt(6.0 / max(fan_in + fan_out, 1)))
    rng = np.random.default_rng()
    return rng.uniform(-limit, limit, size=shape).astype(dtype.as_numpy_dtype)


def global_variables(scope=None):
    graph = state.graph
    if graph is None:
        return []
    return [
        v for v in graph.get_collection("variables") if scope is None or v.name.startswith(scope)
    ]


def trainable_variables(scope=None):
    graph = state.graph
    if graph is None:
        return []
    return [
        v
        for v in graph.get_collection("trainable_variables")
        if scope is None or v.name.startswith(scope)
    ]


def variables_initializer(var_list, name="init"):
    """An op that (re)assigns each variable its initial value."""
    from arroyo.graph.graph import NO_OP

    graph = state.graph
    ops = []
    for v in var_list:
        ops.append(graph.assign_variable(v, graph.capture_constant(v._initial_array), _assign_op()))
    with graph.control_dependencies(ops):
        return graph.create_op(NO_OP, (), {}, name) or graph._ops[-1]


def _assign_op():
    from arroyo.ops.variables import ASSIGN_VARIABLE

    return ASSIGN_VARIABLE


def global_variables_initializer():
    return _initializer_op(global_variables())


def _initializer_op(var_list):
    from arroyo.graph.graph import NO_OP, Operation

    graph = state.graph
    if graph is None:
        return None
    ops = [
        graph.assign_variable(v, graph.capture_constant(v._initial_array), _assign_op())
        for v in var_list
    ]
    op = Operation(graph, NO_OP, graph.unique_name("init"), (), {}, control_inputs=ops)
    graph._ops.append(op)
    return op


initialize_all_variables = global_variables_initializer


def local_variables_initializer():
    return _initializer_op([])
