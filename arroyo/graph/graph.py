"""The graph IR: `Graph`/`FuncGraph` of `Operation`s producing symbolic `Tensor`s.

Graph building reuses the op registry: `execute()` sees `state.graph` set and calls
`Graph.create_op`, which runs the op's inference rule (no data touched), names the node
the way TF does (`MatMul`, `MatMul_1`, tensor `MatMul:0`) and returns symbolic outputs.
Eager tensors used inside become `Const` nodes; Variables become captured resources
read by `ReadVariableOp`. Ops are kept in creation order, which is program order, so
stateful ops run in the order the user wrote them (TF's automatic control dependencies).
"""

from __future__ import annotations

import contextlib
import re

import numpy as np

from arroyo.framework import dtypes
from arroyo.framework.context import state
from arroyo.framework.errors import InvalidArgumentError
from arroyo.framework.op_registry import OpDef, defop
from arroyo.framework.tensor import _BY_NP, EagerTensor, Tensor
from arroyo.framework.tensor_shape import TensorShape, as_shape

__all__ = ["Graph", "FuncGraph", "Operation", "SymbolicTensor"]


def _const_kernel(value=None, dtype=None):
    return value


CONST = defop("Const", (), _const_kernel, attrs={"value": None, "dtype": None},
              infer=lambda inputs, attrs: [(attrs["dtype"], TensorShape(np.shape(attrs["value"])))],
              differentiable=False)  # fmt: skip
PLACEHOLDER = defop("Placeholder", (), None, attrs={"dtype": None, "shape": None},
                    differentiable=False)  # fmt: skip
NO_OP = defop("NoOp", (), lambda: None, num_outputs=0, differentiable=False)


class SymbolicTensor(Tensor):
    """A tensor inside a graph: the `index`-th output of an `Operation`."""

    __slots__ = ("_op", "_index", "_dtype", "_shape", "__weakref__")

    def __init__(self, op, index, dtype, shape):
        self._op = op
        self._index = index
        self._dtype = dtype
        self._shape = shape

    @property
    def op(self) -> Operation:
        return self._op

    @property
    def value_index(self) -> int:
        return self._index

    @property
    def dtype(self):
        return self._dtype

    @property
    def shape(self) -> TensorShape:
        return self._shape

    @property
    def graph(self):
        return self._op.graph

    @property
    def name(self) -> str:
        return f"{self._op.name}:{self._index}"

    @property
    def device(self) -> str:
        return self._op.device

    @property
    def consumers(self):
        return [op for op in self._op.graph._ops if any(t is self for t in op.inputs)]

    def set_shape(self, shape):
        shape = as_shape(shape)
        if not self._shape.is_compatible_with(shape):
            raise ValueError(
                f"Tensor's shape {self._shape} is not compatible with supplied shape {shape}."
            )
        self._shape = self._shape.merge_with(shape)

    def _constant_value(self):
        if self._op.type == "Const":
            return self._op.attrs["value"]
        return None

    # TF1 graph mode (eager disabled): tensors hash and compare by identity, so they can
    # key a feed_dict; inside tf.function they behave like TF2 tensors.
    def __hash__(self):
        if state.eager_disabled:
            return id(self)
        return Tensor.__hash__(self)

    def __eq__(self, other):
        if state.eager_disabled:
            return self is other
        return Tensor.__eq__(self, other)

    def __ne__(self, other):
        if state.eager_disabled:
            return self is not other
        return Tensor.__ne__(self, other)

    def _eager_value_for_variable(self):
        """Runs the subgraph producing this tensor (it must not need function inputs)."""
        from arroyo.graph import executor

        # Placeholders are fed with the values of the call being traced (TF lifts such
        # initializers out of the function and runs them with the first call's inputs).
        feeds = getattr(self.graph, "_trace_feeds", {})
        placeholders = []
        for op in executor.live_ops(self.graph, [self]):
            if op.type == "Placeholder":
                if id(op._outputs[0]) not in feeds:
                    raise ValueError(
                        f"A tf.Variable's initial value ({self.name}) depends on a function input "
                        "that has no value while tracing; create the variable outside the function."
                    )
                placeholders.append(op._outputs[0])
        plan = executor.compile_plan(
            self.graph, placeholders, [self], name="init", include_stateful=False
        )
        return plan(*[feeds[id(p)] for p in placeholders])[0]

    def numpy(self):
        raise NotImplementedError(
            f"Cannot convert a symbolic tf.Tensor ({self.name}) to a numpy array. This error may "
            "indicate that you're trying to pass a Tensor to a NumPy call, which is not supported."
        )

    def __array__(self, dtype=None, copy=None):
        self.numpy()

    def __bool__(self):
        from arroyo.framework.errors import OperatorNotAllowedInGraphError

        raise OperatorNotAllowedInGraphError(
            "Using a symbolic `tf.Tensor` as a Python `bool` is not allowed. You can attempt the "
            "following resolutions to the problem: If you are running in Graph mode, use Eager "
            "execution mode or decorate this function with @tf.function. If you are using "
            "AutoGraph, you can try decorating this function with @tf.function. If that does not "
            "work, then you may be using an unsupported feature or your source code may not be "
            f"visible to AutoGraph. ({self.name} in {_user_site()})"
        )

    def __index__(self):
        raise TypeError(
            f"Cannot use symbolic tensor {self.name} as an index; use tf.gather or slicing ops."
        )

    def __iter__(self):
        from arroyo.framework.errors import OperatorNotAllowedInGraphError

        if self._shape.rank is None or (self._shape.rank and self._shape[0] is None):
            raise OperatorNotAllowedInGraphError(
                f"Iterating over a symbolic `tf.Tensor` ({self.name}) is not allowed: its first "
                "dimension is unknown."
            )
        return Tensor.__iter__(self)

    def eval(self, feed_dict=None, session=None):
        from arroyo.compat.v1 import session as _s

        sess = session or _s.get_default_session()
        return sess.run(self, feed_dict)

    def __repr__(self):
        return f"<tf.Tensor '{self.name}' shape={self._shape} dtype={self._dtype.name}>"

    def __str__(self):
        return f'Tensor("{self.name}", shape={self._shape}, dtype={self._dtype.name})'

    def __reduce__(self):
        raise TypeError("Symbolic tensors cannot be pickled")


def _user_site() -> str:
    """file:line of the innermost stack frame outside arroyo (for error messages)."""
    import sys

    f = sys._getframe(1)
    while f is not None:
        fn = f.f_code.co_filename
        if "/arroyo/" not in fn and "<frozen" not in fn:
            return f"{fn}:{f.f_lineno}"
        f = f.f_back
    return "<unknown>"


class Operation:
    """One node of a graph: an op type with inputs, attrs and outputs (TF's `tf.Operation`)."""

    __slots__ = ("_graph", "_op_def", "_name", "_inputs", "_attrs", "_outputs", "_control_inputs",
                 "_device", "_id", "_site", "_captured", "source", "__weakref__")  # fmt: skip

    def __init__(self, graph, op_def, name, inputs, attrs, control_inputs=()):
        self._graph = graph
        self._op_def = op_def
        self._name = name
        self._inputs = tuple(inputs)
        self._attrs = attrs
        self._outputs = []
        self._control_inputs = list(control_inputs)
        self._device = ""
        self._id = len(graph._ops)
        self._site = None
        self._captured = (
            None  # a Variable (ReadVariableOp/Assign*) or Python object bound to the op
        )

    @property
    def op_def(self) -> OpDef:
        return self._op_def

    @property
    def type(self) -> str:
        return self._op_def.name

    @property
    def name(self) -> str:
        return self._name

    @property
    def graph(self):
        return self._graph

    @property
    def inputs(self):
        return self._inputs

    @property
    def outputs(self):
        return list(self._outputs)

    @property
    def attrs(self):
        return self._attrs

    @property
    def control_inputs(self):
        return list(self._control_inputs)

    @property
    def device(self) -> str:
        return self._device

    def get_attr(self, name):
        if name in self._attrs:
            return self._attrs[name]
        if name == "T" and self._inputs:
            return self._inputs[0].dtype
        if name in self._op_def.attrs:
            return self._op_def.attrs[name]
        raise ValueError(f"Operation '{self._name}' has no attr named '{name}'.")

    def _add_control_input(self, op):
        self._control_inputs.append(op)

    @property
    def node_def(self):
        from arroyo.graph.graph_def import node_def

        return node_def(self)

    def __repr__(self):
        return f"<tf.Operation '{self._name}' type={self.type}>"


class Graph:
    """A dataflow graph (TF's `tf.Graph`); `as_default()` makes ops build into it."""

    def __init__(self):
        self._ops: list[Operation] = []
        self._names: dict[str, int] = {}
        self._name_stack: list[str] = []
        self._control_deps: list[list[Operation]] = []
        self._collections: dict[str, list] = {}
        self._variables = []  # Variables captured (read or written) by this graph
        self._variable_ids = set()
        self._finalized = False
        self.seed = None
        self._last_stateful = None
        self._outer = None

    # -- naming -----------------------------------------------------------------------
    def unique_name(self, name: str, mark_as_used=True) -> str:
        if self._name_stack:
            name = "/".join(self._name_stack) + "/" + name
        key = name.lower()
        i = self._names.get(key, 0)
        if mark_as_used:
            self._names[key] = i + 1
        if i == 0:
            return name
        candidate = f"{name}_{i}"
        while candidate.lower() in self._names:
            i += 1
            candidate = f"{name}_{i}"
        if mark_as_used:
            self._names[candidate.lower()] = 1
        return candidate

    @contextlib.contextmanager
    def name_scope(self, name):
        if name is None or name == "":
            saved = self._name_stack
            self._name_stack = []
            try:
                yield ""
            finally:
                self._name_stack = saved
            return
        name = name.rstrip("/")
        unique = self.unique_name(name).split("/")[-1]
        self._name_stack.append(unique)
        try:
            yield "/".join(self._name_stack) + "/"
        finally:
            self._name_stack.pop()

    # -- building ---------------------------------------------------------------------
    def create_op(self, op_def: OpDef, inputs, attrs, name=None):
        """Adds one node; returns its symbolic output (or list of outputs)."""
        if self._finalized:
            raise RuntimeError("Graph is finalized and cannot be modified.")
        inputs = tuple(self._capture(t) for t in inputs)
        if op_def.infer is None:
            specs = self._fallback_infer(op_def, inputs, attrs)
        else:
            specs = op_def.infer(inputs, attrs)
        base = _sanitize(name) if name else op_def.name
        op = Operation(self, op_def, self.unique_name(base), inputs, dict(attrs))
        for deps in self._control_deps:
            op._control_inputs.extend(deps)
        if op_def.stateful and self.building_function:
            # Automatic control dependencies (tf.function only; TF1 graphs have none).
            if self._last_stateful is not None:
                op._control_inputs.append(self._last_stateful)
            self._last_stateful = op
        op._outputs = [SymbolicTensor(op, i, d, s if isinstance(s, TensorShape) else TensorShape(s))
                       for i, (d, s) in enumerate(specs)]  # fmt: skip
        self._ops.append(op)
        if state.tapes and op_def.differentiable:
            from arroyo.framework import op_registry

            outs = op._outputs if op_def.num_outputs != 1 else (op._outputs[0],)
            op_registry._record(state.tapes, op_def, inputs, outs, attrs)
        if op_def.num_outputs == 1:
            return op._outputs[0]
        return list(op._outputs)

    def _fallback_infer(self, op_def, inputs, attrs):
        """For ops without an inference rule: run the kernel on zeros of known shapes."""
        vals = []
        for t in inputs:
            cv = t._constant_value() if isinstance(t, SymbolicTensor) else None
            if cv is not None:
                vals.append(cv)
            elif t.shape.is_fully_defined():
                np_dtype = t.dtype._np if t.dtype._np is not None else object
                vals.append(np.zeros(t.shape.as_list(), dtype=np_dtype))
            else:
                raise NotImplementedError(
                    f"Op {op_def.name} has no shape inference for partially known shapes"
                )
        out = op_def.kernel(*vals, **attrs)
        outs = [out] if op_def.num_outputs == 1 else list(out)
        return [(_BY_NP[np.asarray(o).dtype], TensorShape(np.shape(o))) for o in outs]

    def _capture(self, t):
        if isinstance(t, SymbolicTensor):
            if t.graph is self:
                return t
            return self.capture_symbolic(t)
        if isinstance(t, EagerTensor):
            return self.capture_constant(t._value)
        if getattr(t, "_is_arroyo_variable", False):
            self._track_variable(t)
            return t
        raise TypeError(f"Expected a tensor as op input, got {type(t).__name__}")

    def capture_symbolic(self, t):
        raise InvalidArgumentError(
            None, None,
            f"Tensor {t.name} belongs to another graph and cannot be used here; pass it as an argument.",
        )  # fmt: skip

    def capture_constant(self, value):
        """A `Const` node holding `value` (eager tensors used in a graph become constants)."""
        if isinstance(value, (np.ndarray, np.generic)):
            arr = value
        else:
            arr = np.asarray(value)
        dtype = _BY_NP[arr.dtype]
        op = Operation(self, CONST, self.unique_name("Const"), (), {"value": arr, "dtype": dtype})
        for deps in self._control_deps:
            op._control_inputs.extend(deps)
        op._outputs = [SymbolicTensor(op, 0, dtype, TensorShape(np.shape(arr)))]
        self._ops.append(op)
        return op._outputs[0]

    def _track_variable(self, var):
        if id(var) not in self._variable_ids:
            self._variable_ids.add(id(var))
            self._variables.append(var)

    def read_variable(self, var):
        self._track_variable(var)
        for tape in state.tapes:
            tape._variable_accessed(var)
        from arroyo.ops.variables import READ_VARIABLE

        out = self.create_op(READ_VARIABLE, (var,), {"dtype": var.dtype})
        out._op._captured = var
        return out

    def assign_variable(self, var, value, op_def):
        self._track_variable(var)
        op = Operation(self, op_def, self.unique_name(op_def.name), (var, self._capture(value)),
                       {"dtype": var.dtype})  # fmt: skip
        op._captured = var
        for deps in self._control_deps:
            op._control_inputs.extend(deps)
        if self.building_function:
            if self._last_stateful is not None:
                op._control_inputs.append(self._last_stateful)
            self._last_stateful = op
        self._ops.append(op)
        return op

    def add_stateful(self, op_def, inputs, attrs, name=None, captured=None):
        """Adds an op run for its effect (tf.print, asserts) in program order."""
        out = self.create_op(op_def, inputs, attrs, name)
        op = out._op if isinstance(out, SymbolicTensor) else self._ops[-1]
        op._captured = captured
        return out

    @contextlib.contextmanager
    def control_dependencies(self, control_inputs):
        if control_inputs is None:
            saved = self._control_deps
            self._control_deps = []
            try:
                yield
            finally:
                self._control_deps = saved
            return
        ops = []
        for c in control_inputs:
            if isinstance(c, SymbolicTensor):
                ops.append(c.op)
            elif isinstance(c, Operation):
                ops.append(c)
            elif c is None or isinstance(c, EagerTensor):
                continue
            else:
                raise TypeError(f"Can not convert a {type(c).__name__} into a Tensor or Operation.")
        self._control_deps.append(ops)
        try:
            yield
        finally:
            self._control_deps.pop()

    # -- queries ------------------------------------------------------------------------
    def get_operations(self):
        return list(self._ops)

    def get_operation_by_name(self, name):
        for op in self._ops:
            if op.name == name:
                return op
        raise KeyError(f"The name '{name}' refers to an Operation not in the graph.")

    def get_tensor_by_name(self, name):
        op_name, _, idx = name.rpartition(":")
        return self.get_operation_by_name(op_name).outputs[int(idx)]

    def as_graph_def(self, add_shapes=False):
        from arroyo.graph.graph_def import graph_def

        return graph_def(self, add_shapes)

    def finalize(self):
        self._finalized = True

    @property
    def finalized(self):
        return self._finalized

    @contextlib.contextmanager
    def as_default(self):
        saved = state.graph
        state.graph = self
        try:
            yield self
        finally:
            state.graph = saved

    def add_to_collection(self, name, value):
        self._collections.setdefault(name, []).append(value)

    def get_collection(self, name, scope=None):
        return list(self._collections.get(name, []))

    def get_collection_ref(self, name):
        return self._collections.setdefault(name, [])

    @property
    def version(self):
        return len(self._ops)

    @property
    def building_function(self):
        return False


class FuncGraph(Graph):
    """The graph of one traced function: placeholders for inputs, captured Variables."""

    def __init__(self, name, outer=None):
        super().__init__()
        self.name = name
        self.inputs: list[SymbolicTensor] = []
        self.outputs: list = []
        self.structured_outputs = None
        self.structured_input_signature = None
        self._outer = outer
        self._symbolic_captures: list[tuple[SymbolicTensor, SymbolicTensor]] = []

    @property
    def building_function(self):
        return True

    @property
    def variables(self):
        return tuple(self._variables)

    @property
    def trainable_variables(self):
        return tuple(v for v in self._variables if v.trainable)

    def placeholder(self, dtype, shape, name="x"):
        op = Operation(
            self,
            PLACEHOLDER,
            self.unique_name(name),
            (),
            {"dtype": dtype, "shape": as_shape(shape)},
        )
        op._outputs = [SymbolicTensor(op, 0, dtype, as_shape(shape))]
        self._ops.append(op)
        return op._outputs[0]

    def capture_symbolic(self, t):
        """A tensor of an enclosing graph used here becomes an extra placeholder input."""
        for outer_t, inner in self._symbolic_captures:
            if outer_t is t:
                return inner
        inner = self.placeholder(t.dtype, t.shape, name=t.op.name.split("/")[-1])
        self._symbolic_captures.append((t, inner))
        return inner

    @property
    def captures(self):
        return list(self._symbolic_captures)


class _NameUnsafe:
    pass


_INVALID = re.compile(r"[^A-Za-z0-9_.\-/>]")


def _sanitize(name: str) -> str:
    name = _INVALID.sub("_", str(name))
    return name or "op"


_ = dtypes
