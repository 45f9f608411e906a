"""TF1 graph mode: `Session`, `placeholder`, default graphs and eager switching."""

from __future__ import annotations

import numpy as np

from arroyo.framework import dtypes
from arroyo.framework.context import state
from arroyo.framework.errors import InvalidArgumentError
from arroyo.framework.tensor import EagerTensor, Tensor
from arroyo.framework.tensor_shape import as_shape
from arroyo.graph.graph import Graph, Operation, SymbolicTensor
from arroyo.util import nest

_default_session = []


def disable_eager_execution():
    """Switches this thread to TF1 graph mode: ops build into the default graph."""
    state.eager_disabled = True
    if state.graph is None:
        state.graph = Graph()


def enable_eager_execution(config=None, device_policy=None, execution_mode=None):
    state.eager_disabled = False
    state.graph = None


def disable_v2_behavior():
    disable_eager_execution()


def enable_v2_behavior():
    enable_eager_execution()


def get_default_graph():
    if state.graph is None:
        if not state.eager_disabled:
            # TF returns a global graph even in eager mode; ops do not go into it.
            global _global_graph
            if _global_graph is None:
                _global_graph = Graph()
            return _global_graph
        state.graph = Graph()
    return state.graph


_global_graph = None


def reset_default_graph():
    if state.eager_disabled:
        state.graph = Graph()


def placeholder(dtype, shape=None, name=None):
    """A value to feed at `Session.run` time (TF1 only)."""
    graph = state.graph
    if graph is None:
        raise RuntimeError("tf.placeholder() is not compatible with eager execution.")
    from arroyo.graph.graph import PLACEHOLDER

    dtype = dtypes.as_dtype(dtype)
    shp = as_shape(shape)
    op = Operation(
        graph,
        PLACEHOLDER,
        graph.unique_name(name or "Placeholder"),
        (),
        {"dtype": dtype, "shape": shp},
    )
    op._outputs = [SymbolicTensor(op, 0, dtype, shp)]
    graph._ops.append(op)
    return op._outputs[0]


def placeholder_with_default(input, shape, name=None):  # noqa: A002
    from arroyo.ops.array_ops import identity

    return identity(input, name=name)


class Session:
    """Runs fetches of a TF1 graph, feeding placeholders from `feed_dict`.

    >>> sess = tf.compat.v1.Session()          # after disable_eager_execution()
    >>> sess.run(c)                            # doctest: +SKIP
    """

    def __init__(self, target="", graph=None, config=None):
        self.graph = graph if graph is not None else get_default_graph()
        self._plans = {}
        self._closed = False

    def __enter__(self):
        _default_session.append(self)
        self._saved_graph = state.graph
        state.graph = self.graph
        return self

    def __exit__(self, *exc):
        _default_session.pop()
        state.graph = self._saved_graph
        self.close()

    def as_default(self):
        return _SessionDefault(self)

    def close(self):
        self._closed = True

    def run(self, fetches, feed_dict=None, options=None, run_metadata=None):
        """Evaluates `fetches` (a tensor, op, Variable or nested structure of them)."""
        if self._closed:
            raise RuntimeError("Attempted to use a closed Session.")
        flat = nest.flatten(fetches)
        targets = []
        for f in flat:
            if isinstance(f, str):
                f = (
                    self.graph.get_tensor_by_name(f)
                    if ":" in f
                    else self.graph.get_operation_by_name(f)
                )
            if getattr(f, "_is_arroyo_variable", False):
                with self.graph.as_default():
                    f = f.value()
            if isinstance(f, EagerTensor):
                with self.graph.as_default():
                    f = self.graph.capture_constant(f._value)
            if not isinstance(f, (SymbolicTensor, Operation)):
                raise TypeError(
                    f"Fetch argument {f!r} has invalid type {type(f)}, must be a string or Tensor."
                )
            targets.append(f)
        feeds = []
        values = []
        for k, v in (feed_dict or {}).items():
            if isinstance(k, str):
                k = self.graph.get_tensor_by_name(k)
            if isinstance(v, Tensor):
                v = v.numpy()
            if k.dtype is dtypes.string:
                from arroyo.framework.tensor import _to_array

                arr = _to_array(v, dtypes.string)
            else:
                arr = np.asarray(v, dtype=k.dtype.as_numpy_dtype)
            if not k.shape.is_compatible_with(np.shape(arr)):
                raise ValueError(
                    f"Cannot feed value of shape {np.shape(arr)} for Tensor {k.name}, which has shape {k.shape}"
                )
            feeds.append(k)
            values.append(arr)
        key = (tuple(id(t) for t in targets), tuple(id(t) for t in feeds), self.graph.version)
        plan = self._plans.get(key)
        if plan is None:
            from arroyo.graph import executor

            plan = executor.compile_plan(
                self.graph, feeds, targets, name="session_run", include_stateful=False
            )
            self._plans[key] = plan
        outs = plan(*values)
        outs = [None if isinstance(t, Operation) else _host(o) for t, o in zip(targets, outs)]
        return nest.pack_sequence_as(fetches, outs)

    def partial_run_setup(self, *a, **k):
        raise NotImplementedError("partial_run is not supported by arroyo")


def _host(v):
    if isinstance(v, np.ndarray) and v.ndim == 0:
        return v[()]
    return v


class _SessionDefault:
    def __init__(self, sess):
        self.sess = sess

    def __enter__(self):
        _default_session.append(self.sess)
        self._saved = state.graph
        state.graph = self.sess.graph
        return self.sess

    def __exit__(self, *exc):
        _default_session.pop()
        state.graph = self._saved


class InteractiveSession(Session):
    def __init__(self, target="", graph=None, config=None):
        super().__init__(target, graph, config)
        _default_session.append(self)


def get_default_session():
    return _default_session[-1] if _default_session else None


_ = InvalidArgumentError
