"""The functional API: symbolic `KerasTensor`s, the nodes that connect layers, and running a
graph of layers.

Calling a layer on a KerasTensor builds the layer and traces its `call` once in a scratch
graph to learn the output shapes and dtypes; the call is recorded as a Node.
"""

from __future__ import annotations

import itertools

import numpy as np

from arroyo.framework.context import state
from arroyo.util import nest

__all__ = ["KerasTensor", "Node", "symbolic_call", "Input", "run_graph"]

_uid = itertools.count()


class KerasTensor:
    """A symbolic tensor: the shape and dtype of a value in a functional model.

    >>> x = tf.keras.Input(shape=(3,))
    >>> x.shape
    (None, 3)
    """

    def __init__(self, shape, dtype="float32", sparse=False, ragged=False, name=None):
        from arroyo.keras import backend

        self._shape = None if shape is None else tuple(None if s is None else int(s) for s in shape)
        self._dtype = backend.standardize_dtype(dtype)
        self.sparse = sparse
        self.ragged = ragged
        self.name = name or backend.unique_name("keras_tensor")
        self._keras_history = None

    @property
    def shape(self):
        return self._shape

    @property
    def dtype(self):
        return self._dtype

    @property
    def ndim(self):
        return None if self._shape is None else len(self._shape)

    def __repr__(self):
        return (
            f"<KerasTensor shape={self._shape}, dtype={self._dtype}, sparse={self.sparse}, "
            f"ragged={self.ragged}, name={self.name}>"
        )

    __str__ = __repr__

    def __hash__(self):
        return id(self)

    def __bool__(self):
        raise TypeError("A symbolic KerasTensor cannot be used as a boolean.")

    def __array__(self, dtype=None, copy=None):
        raise ValueError(
            "A KerasTensor is symbolic: it's a placeholder for a shape an a dtype. It doesn't "
            "have any actual numerical value. You cannot convert it to a NumPy array."
        )

    # Operators on KerasTensors become small layers in the graph (Keras 3 records them as
    # operations; Keras 2 as TFOpLambda layers).
    def _op(self, fn, name, *others):
        return _OpLayer(fn, name)(self if not others else [self, *others])

    def __add__(self, o):
        return _binary(self, o, "add", lambda a, b: a + b)

    def __radd__(self, o):
        return _binary(o, self, "add", lambda a, b: a + b)

    def __sub__(self, o):
        return _binary(self, o, "subtract", lambda a, b: a - b)

    def __rsub__(self, o):
        return _binary(o, self, "subtract", lambda a, b: a - b)

    def __mul__(self, o):
        return _binary(self, o, "multiply", lambda a, b: a * b)

    def __rmul__(self, o):
        return _binary(o, self, "multiply", lambda a, b: a * b)

    def __truediv__(self, o):
        return _binary(self, o, "divide", lambda a, b: a / b)

    def __rtruediv__(self, o):
        return _binary(o, self, "divide", lambda a, b: a / b)

    def __pow__(self, o):
        return _binary(self, o, "power", lambda a, b: a**b)

    def __matmul__(self, o):
        return _binary(self, o, "matmul", lambda a, b: a @ b)

    def __neg__(self):
        return _OpLayer(lambda a: -a, "negative")(self)

    def __abs__(self):
        return _OpLayer(abs, "absolute")(self)

    def __getitem__(self, key):
        return _OpLayer(lambda a: a[key], "get_item")(self)


def _binary(a, b, name, fn):
    if isinstance(a, KerasTensor) and isinstance(b, KerasTensor):
        return _OpLayer(lambda xs: fn(xs[0], xs[1]), name)([a, b])
    if isinstance(a, KerasTensor):
        return _OpLayer(lambda x: fn(x, b), name)(a)
    return _OpLayer(lambda x: fn(a, x), name)(b)


def _op_layer_cls():
    from arroyo.keras.layers.base import Layer

    class OpLayer(Layer):
        def __init__(self, fn, name):
            super().__init__(name=_unique_op_name(name))
            self._arroyo_fn = fn

        def call(self, inputs):
            return self._arroyo_fn(inputs)

    return OpLayer


def _unique_op_name(name):
    from arroyo.keras import backend

    return backend.unique_name(name)


_OP_LAYER = None


def _OpLayer(fn, name):  # noqa: N802 - a class factory
    global _OP_LAYER
    if _OP_LAYER is None:
        _OP_LAYER = _op_layer_cls()
    return _OP_LAYER(fn, name)


class Node:
    """One call of a layer in a functional graph: its inputs and outputs (KerasTensors)."""

    def __init__(self, layer, call_args, call_kwargs, outputs):
        self.layer = layer
        self.operation = layer
        self.call_args = call_args
        self.call_kwargs = call_kwargs
        self.outputs = [t for t in nest.flatten(outputs) if isinstance(t, KerasTensor)]
        self.output_tensors = self.outputs
        self.structured_outputs = outputs
        self.inputs = [
            t for t in nest.flatten((call_args, call_kwargs)) if isinstance(t, KerasTensor)
        ]
        self.input_tensors = self.inputs

    @property
    def parent_nodes(self):
        out = []
        for t in self.inputs:
            if t._keras_history is not None:
                layer, ni, _ = t._keras_history
                out.append(layer._inbound_nodes[ni])
        return out

    @property
    def is_input(self):
        return not self.inputs


def _flat_kt(x):
    return [t for t in nest.flatten(x) if isinstance(t, KerasTensor)]


def symbolic_call(layer, args, kwargs, record=True):
    """Calls `layer` on KerasTensors: builds it, traces `call` once in a scratch graph, and
    returns KerasTensors with the output shapes (recording a Node when `record`)."""
    from arroyo.framework.tensor_shape import TensorShape
    from arroyo.graph.graph import FuncGraph
    from arroyo.keras import backend
    from arroyo.keras.layers import base

    inputs = args[0]
    if layer._input_spec is not None:
        base._check_input_spec(layer, layer._input_spec, inputs)
    shapes = base._structure_shapes(inputs)
    if not layer._built:
        layer._maybe_build(shapes)
    graph = FuncGraph(f"scratch_{layer.name}")
    saved = state.graph, state.tapes
    state.graph, state.tapes = graph, []
    ph_of = {}

    def to_ph(x):
        if isinstance(x, KerasTensor):
            ph = ph_of.get(id(x))
            if ph is None:
                shape = TensorShape(None if x.shape is None else list(x.shape))
                ph = graph.placeholder(_as_dtype(x.dtype), shape, name="x")
                ph_of[id(x)] = ph
            return ph
        return x

    cs = backend.call_state
    try:
        t_args = nest.map_structure(to_ph, list(args))
        t_kwargs = {k: nest.map_structure(to_ph, v) for k, v in kwargs.items()}
        has_training, has_mask, _, _ = base._call_spec(type(layer))
        training = t_kwargs.get("training")
        if not has_training:
            t_kwargs.pop("training", None)
        if not has_mask:
            t_kwargs.pop("mask", None)
        cs.training.append(training)
        cs.scope.append(layer.name)
        try:
            call = base._autograph_call(layer)
            if type(layer).__call__ is not base.Layer.__call__ and not _is_model_call(layer):
                out = layer(*t_args, **t_kwargs)
            else:
                out = call(layer, *t_args, **t_kwargs)
        finally:
            cs.scope.pop()
            cs.training.pop()
    finally:
        state.graph, state.tapes = saved

    def to_kt(t):
        if hasattr(t, "shape") and hasattr(t, "dtype") and not isinstance(t, KerasTensor):
            try:
                dims = t.shape.as_list()
            except ValueError:
                dims = None
            return KerasTensor(dims, dtype=t.dtype.name)
        return t

    outputs = nest.map_structure(to_kt, out)
    if record:
        node = Node(layer, tuple(args), dict(kwargs), outputs)
        index = len(layer._inbound_nodes)
        layer._inbound_nodes.append(node)
        for i, t in enumerate(node.outputs):
            t._keras_history = (layer, index, i)
    return outputs


def _is_model_call(layer):
    return False


def _as_dtype(name):
    from arroyo.framework import dtypes

    return dtypes.as_dtype(name)


def Input(
    shape=None,
    batch_size=None,
    dtype=None,
    sparse=None,
    batch_shape=None,
    name=None,
    tensor=None,
    optional=False,
    ragged=None,
):  # noqa: N802 - Keras' name; fmt: skip
    """A symbolic input of a functional model (an InputLayer's output).

    >>> x = tf.keras.Input(shape=(3,))
    >>> x.shape
    (None, 3)
    """
    from arroyo.keras.layers.core import InputLayer

    layer = InputLayer(shape=shape, batch_size=batch_size, dtype=dtype, sparse=sparse,
                       batch_shape=batch_shape, name=name, input_tensor=tensor,
                       optional=optional, ragged=ragged)  # fmt: skip
    return layer.output


# -- graphs of layers --------------------------------------------------------------------


def collect_nodes(outputs):
    """The nodes that produce `outputs`, in topological order (inputs first)."""
    order, done = [], set()

    def visit(t):
        if t._keras_history is None:
            return
        layer, ni, _ = t._keras_history
        node = layer._inbound_nodes[ni]
        if id(node) in done:
            return
        stack = [(node, False)]
        while stack:
            n, expanded = stack.pop()
            if id(n) in done:
                continue
            if expanded:
                done.add(id(n))
                order.append(n)
                continue
            stack.append((n, True))
            for p in reversed(n.parent_nodes):
                if id(p) not in done:
                    stack.append((p, False))

    for t in _flat_kt(outputs):
        visit(t)
    return order


def run_graph(nodes, input_tensors, flat_inputs, outputs, training=None):
    """Runs `nodes` on real tensors: `flat_inputs` (KerasTensors) take `input_tensors`."""
    values = {id(k): v for k, v in zip(flat_inputs, input_tensors)}

    def get(x):
        if isinstance(x, KerasTensor):
            return values[id(x)]
        return x

    for node in nodes:
        layer = node.layer
        if not node.inputs:  # an InputLayer node
            continue
        args = nest.map_structure(get, list(node.call_args))
        kwargs = {k: nest.map_structure(get, v) for k, v in node.call_kwargs.items()}
        if training is not None and "training" not in kwargs:
            kwargs["training"] = training
        out = layer(*args, **kwargs)
        flat_out = nest.flatten(out)
        flat_kt = nest.flatten(node.structured_outputs)
        for kt, v in zip(flat_kt, flat_out):
            if isinstance(kt, KerasTensor):
                values[id(kt)] = v
    return nest.map_structure(get, outputs)


def adjust_rank(x, ref_shape):
    """Keras squeezes or expands a trailing 1-axis when an input's rank is off by one."""
    from arroyo.ops import array_ops

    shape = getattr(x, "shape", None)
    if shape is None or ref_shape is None:
        return x
    rank = shape.rank if hasattr(shape, "rank") else len(shape)
    if rank is None:
        return x
    ref = len(ref_shape)
    if rank == ref + 1 and shape[-1] == 1:
        return array_ops.squeeze(x, axis=-1)
    if rank == ref - 1 and ref_shape[-1] == 1:
        return array_ops.expand_dims(x, -1)
    return x


def numpy_of(x):
    return np.asarray(x)
