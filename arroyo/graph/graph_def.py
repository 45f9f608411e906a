"""Export of a graph as a GraphDef-shaped structure (NodeDef: name, op, input, attr).

Plain Python objects mirror TF's protobuf messages field for field, so the SavedModel and
TensorBoard writers can serialize them, and tests can inspect them without protobuf.
"""

from __future__ import annotations

import numpy as np

from arroyo.framework import dtypes
from arroyo.framework.tensor_shape import TensorShape


class AttrValue:
    """One attr: exactly one of type/shape/tensor/i/f/b/s/list is set (TF's AttrValue)."""

    __slots__ = ("kind", "value")

    def __init__(self, kind, value):
        self.kind = kind
        self.value = value

    def __repr__(self):
        return f"AttrValue({self.kind}={self.value!r})"

    def __eq__(self, other):
        return (
            isinstance(other, AttrValue)
            and self.kind == other.kind
            and _eq(self.value, other.value)
        )


def _eq(a, b):
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return np.array_equal(a, b)
    return a == b


def attr_value(v) -> AttrValue:
    if isinstance(v, dtypes.DType):
        return AttrValue("type", v)
    if isinstance(v, TensorShape):
        return AttrValue("shape", v)
    if isinstance(v, (np.ndarray, np.generic)):
        return AttrValue("tensor", np.asarray(v))
    if isinstance(v, bool):
        return AttrValue("b", v)
    if isinstance(v, int):
        return AttrValue("i", v)
    if isinstance(v, float):
        return AttrValue("f", v)
    if isinstance(v, (str, bytes)):
        return AttrValue("s", v.encode() if isinstance(v, str) else v)
    if isinstance(v, (list, tuple)):
        return AttrValue("list", [attr_value(x) for x in v])
    return AttrValue("func", v)


class NodeDef:
    __slots__ = ("name", "op", "input", "attr", "device")

    def __init__(self, name, op, inputs, attr, device=""):
        self.name = name
        self.op = op
        self.input = inputs
        self.attr = attr
        self.device = device

    def __repr__(self):
        return f"NodeDef(name={self.name!r}, op={self.op!r}, input={self.input!r})"


class GraphDef:
    __slots__ = ("node", "versions")

    def __init__(self, nodes):
        self.node = nodes
        self.versions = {"producer": 1994, "min_consumer": 12}

    def __repr__(self):
        return "\n".join(
            f"node {{ name: {n.name!r} op: {n.op!r} input: {n.input} }}" for n in self.node
        )


def _input_name(t):
    if getattr(t, "_is_arroyo_variable", False):
        return t._handle_name
    if t.value_index == 0:
        return t.op.name
    return f"{t.op.name}:{t.value_index}"


def node_def(op, add_shapes=False) -> NodeDef:
    attrs = {}
    for k, v in op.attrs.items():
        if v is None or callable(v):
            continue
        attrs[k] = attr_value(v)
    if (
        op.inputs
        and "T" not in attrs
        and hasattr(op.inputs[0], "dtype")
        and op.type not in ("ReadVariableOp",)
    ):
        attrs["T"] = attr_value(op.inputs[0].dtype)
    if add_shapes:
        attrs["_output_shapes"] = attr_value([t.shape for t in op.outputs])
    inputs = [_input_name(t) for t in op.inputs] + ["^" + c.name for c in op.control_inputs]
    return NodeDef(op.name, op.type, inputs, attrs, op.device)


def graph_def(graph, add_shapes=False) -> GraphDef:
    return GraphDef([node_def(op, add_shapes) for op in graph.get_operations()])
