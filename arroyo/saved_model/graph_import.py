"""TensorFlow FunctionDefs -> arroyo FuncGraphs (the functions of a loaded SavedModel).

Each NodeDef is built through arroyo's op registry (`execute` while the FuncGraph is the
current graph), with its attrs converted to Python values; attrs TF left out
(`stripped_default_attrs`) take TF's defaults from the op's OpDef. TF's wrapper ops map to
arroyo's own mechanisms: a StatefulPartitionedCall/PartitionedCall is inlined (its library
function's nodes are built in place), resource arguments are the loaded Variables (read
with ReadVariableOp, written with Assign*VariableOp), Identity/IdentityN/NoOp pass values
through, and If/Case/While call library functions imported as sub-graphs.

Inputs are spelled `node:output_arg:index` inside functions (`node:index` in a GraphDef),
`arg` for a function argument and `^node` for a control input. Nodes are built in
dependency order (control inputs included), so stateful ops keep TF's order.
"""

from __future__ import annotations

import numpy as np

from arroyo.framework import dtypes
from arroyo.framework.context import state
from arroyo.framework.op_registry import REQUIRED, execute, get_op
from arroyo.graph.graph import CONST, FuncGraph
from arroyo.saved_model import op_defs
from arroyo.saved_model import tensor_proto as tp

__all__ = ["FunctionImporter"]

_ASSIGN = ("AssignVariableOp", "AssignAddVariableOp", "AssignSubVariableOp")
_CALLS = ("StatefulPartitionedCall", "PartitionedCall")
_PASS_THROUGH = ("Identity", "IdentityN", "Snapshot", "DisableCopyOnRead")
_IF = ("If", "StatelessIf")
_CASE = ("Case", "StatelessCase")
_WHILE = ("While", "StatelessWhile")


def _is_variable(x):
    return getattr(x, "_is_arroyo_variable", False)


class _Building:
    """Makes `graph` the current graph (no tapes record while building)."""

    def __init__(self, graph):
        self.graph = graph

    def __enter__(self):
        self.saved = state.graph, state.tapes
        state.graph, state.tapes = self.graph, []
        return self.graph

    def __exit__(self, *exc):
        state.graph, state.tapes = self.saved


class FunctionImporter:
    """Imports the functions of one FunctionDefLibrary."""

    def __init__(self, library, opdefs=None):
        self.functions = {f.signature.name: f for f in library.function}
        self.opdefs = opdefs or op_defs.OpDefs()
        self._defaults = {}

    def import_function(self, name, captures=(), input_specs=None):
        """Builds library function `name` as a FuncGraph.

        The last `len(captures)` arguments are bound to `captures` (Variables or tensors);
        the others become placeholders. Returns (graph, placeholders, outputs)."""
        fdef = self._fdef(name)
        graph = FuncGraph(name)
        args = list(fdef.signature.input_arg)
        n_user = len(args) - len(captures)
        if n_user < 0:
            raise ValueError(f"Function {name} has {len(args)} inputs but {len(captures)} captures")
        placeholders = []
        env = {}
        with _Building(graph):
            for i, arg in enumerate(args):
                if i >= n_user:
                    cap = captures[i - n_user]
                    if not _is_variable(cap):
                        cap = graph.capture_constant(
                            cap._value if hasattr(cap, "_value") else np.asarray(cap)
                        )
                    env[arg.name] = cap
                    continue
                if arg.type == dtypes.resource.as_datatype_enum:
                    raise NotImplementedError(
                        f"Function {name} takes a resource (tf.Variable) argument '{arg.name}'; "
                        "arroyo loads functions whose Variables are captured, not passed."
                    )
                shape = _arg_shape(fdef, i)
                if shape is None and input_specs is not None and i < len(input_specs):
                    shape = input_specs[i].shape
                ph = graph.placeholder(_arg_dtype(arg, fdef, {}), shape, name=arg.name)
                placeholders.append(ph)
                env[arg.name] = ph
            outputs = self._body(fdef, env)
        graph.inputs = placeholders
        graph.outputs = [o for o in outputs if not _is_variable(o)]
        return graph, placeholders, outputs

    def _fdef(self, name):
        fdef = self.functions.get(name)
        if fdef is None:
            raise ValueError(f"The SavedModel has no function named {name}")
        return fdef

    # -- one function body ------------------------------------------------------------------
    def _body(self, fdef, env):
        """Builds the nodes of `fdef` into the current graph; returns its outputs (in order)."""
        nodes = {n.name: n for n in fdef.node_def}
        produced = {}  # node name -> (flat outputs, {output arg: offset})
        for node in _topological(fdef.node_def, nodes):
            inputs = [self._resolve(r, env, produced) for r in node.input if not r.startswith("^")]
            outs = self._node(node, inputs)
            produced[node.name] = (outs, self._layout(node, outs))
        out = []
        for arg in fdef.signature.output_arg:
            ref = fdef.ret.get(arg.name)
            if ref is None:
                raise ValueError(
                    f"Function {fdef.signature.name} does not return its output {arg.name}"
                )
            out.append(self._resolve(ref, env, produced))
        return out

    def _resolve(self, ref, env, produced):
        parts = ref.split(":")
        if len(parts) == 1:
            if ref in env:
                return env[ref]
            return produced[ref][0][0]
        node = parts[0]
        if len(parts) == 2:  # GraphDef spelling: node:index
            if node in env and parts[1] == "0":
                return env[node]
            return produced[node][0][int(parts[1])]
        outs, offsets = produced[node]
        return outs[offsets[parts[1]] + int(parts[2])]

    def _layout(self, node, outs):
        """Output arg name -> offset of its first tensor among the node's flat outputs."""
        if node.op in _CALLS or node.op in self.functions:
            callee = self._fdef(node.attr["f"].func.name if node.op in _CALLS else node.op)
            if node.op in _CALLS:
                return {"output": 0}
            offsets, pos = {}, 0
            for a in callee.signature.output_arg:
                offsets[a.name] = pos
                pos += 1
            return offsets
        od = self.opdefs.get(node.op)
        if od is None:
            return {"output": 0}
        args = od.get("output_arg", [])
        if len(args) == 1:
            return {args[0]["name"]: 0}
        needed = {a.get("number_attr") or a.get("type_list_attr") for a in args} - {None}
        attrs = {k: tp.attr_to_python(node.attr[k]) for k in needed if k in node.attr}
        sizes = op_defs.arg_sizes(args, attrs, total=len(outs))
        offsets, pos = {}, 0
        for a, n in zip(od.get("output_arg", []), sizes):
            offsets[a["name"]] = pos
            pos += n
        return offsets

    # -- one node -------------------------------------------------------------------------------
    def _node(self, node, inputs):
        op = node.op
        graph = state.graph
        if op == "Const":
            value = tp.tensor_from_proto(node.attr["value"].tensor)
            dtype = tp.dtype_from_enum(node.attr["dtype"].type)
            return [execute(CONST, (), {"value": value, "dtype": dtype}, name=node.name)]
        if op in _PASS_THROUGH:
            return list(inputs)
        if op == "NoOp":
            return []
        if op == "ReadVariableOp":
            var = _variable(inputs[0], node)
            return [graph.read_variable(var)]
        if op in _ASSIGN:
            var = _variable(inputs[0], node)
            value = inputs[1]
            if value.dtype != var.dtype:
                raise ValueError(
                    f"{op} {node.name}: value dtype {value.dtype.name} != variable dtype {var.dtype.name}"
                )
            graph.assign_variable(var, value, get_op(op))
            return []
        if op in _RESOURCE_READS:
            var = _variable(inputs[0], node)
            attrs = {k: tp.attr_to_python(v) for k, v in node.attr.items() if not k.startswith("_")}
            return [_RESOURCE_READS[op](graph.read_variable(var), inputs[1:], attrs)]
        if op in _CALLS or op in self.functions:
            fname = node.attr["f"].func.name if op in _CALLS else op
            callee = self._fdef(fname)
            env = {a.name: x for a, x in zip(callee.signature.input_arg, inputs)}
            return self._body(callee, env)
        if op in _IF or op in _CASE:
            return self._conditional(node, inputs)
        if op in _WHILE:
            return self._while(node, inputs)
        if op == "VarHandleOp":
            raise NotImplementedError(
                f"Node {node.name}: a tf.Variable created inside a saved function (VarHandleOp) is "
                "not supported by arroyo's SavedModel loader."
            )
        try:
            opdef = get_op(op)
        except KeyError:
            raise NotImplementedError(
                f"Op type not registered '{op}' in arroyo (node {node.name}): this SavedModel uses an "
                "op arroyo does not implement."
            ) from None
        attrs = self._attrs(node, opdef)
        if any(_is_variable(x) for x in inputs):
            raise NotImplementedError(
                f"Op {op} (node {node.name}) on a resource input is not supported"
            )
        res = execute(opdef, tuple(inputs), attrs, name=node.name)
        n = opdef.num_outputs
        if not callable(n) and n == 1:
            return [res]
        if res is None:
            return []
        return list(res)

    def _attrs(self, node, opdef):
        """The arroyo op's attrs from the NodeDef, TF's defaults for stripped ones."""
        attrs = {}
        accepted = _kernel_params(opdef)
        for name, default in opdef.attrs.items():
            if accepted is not None and name not in accepted:
                continue
            if name in node.attr:
                value = tp.attr_to_python(node.attr[name])
                if name == opdef.list_attr and isinstance(value, list):
                    value = len(value)  # arroyo keeps a list input's length where TF has its types
                attrs[name] = value
                continue
            tf_default = self._tf_default(node.op, name)
            if tf_default is not _MISSING:
                attrs[name] = tf_default
            elif default is not REQUIRED:
                attrs[name] = default
            else:
                raise ValueError(f"Node {node.name} ({node.op}) lacks required attr '{name}'")
        return attrs

    def _tf_default(self, op, name):
        key = (op, name)
        if key not in self._defaults:
            value = _MISSING
            od = self.opdefs.get(op)
            for ad in (od or {}).get("attr", []):
                if ad["name"] == name and "default_value" in ad:
                    from google.protobuf import json_format

                    av = json_format.ParseDict(ad["default_value"], tp.pb().AttrValue())
                    value = tp.attr_to_python(av)
                    if ad["type"].startswith("list(") and not isinstance(value, list):
                        value = [value]
            self._defaults[key] = value
        return self._defaults[key]

    # -- control flow ---------------------------------------------------------------------------
    def _branch(self, fname, args, kind="branch"):
        """Library function `fname` as a sub-graph: Variables bound, other args placeholders."""
        fdef = self._fdef(fname)
        g = FuncGraph(fname, outer=state.graph)
        env, phs = {}, []
        with _Building(g):
            for i, (a, x) in enumerate(zip(fdef.signature.input_arg, args)):
                if _is_variable(x):
                    env[a.name] = x
                    continue
                shape = _arg_shape(fdef, i)
                ph = g.placeholder(x.dtype, shape if shape is not None else x.shape, name=a.name)
                env[a.name] = ph
                phs.append(ph)
            outs = self._body(fdef, env)
        g.inputs = phs
        return g, outs

    def _conditional(self, node, inputs):
        selector, rest = inputs[0], inputs[1:]
        tensors = [x for x in rest if not _is_variable(x)]
        variables = _unique_variables(rest)
        if node.op in _IF:
            names = [node.attr["then_branch"].func.name, node.attr["else_branch"].func.name]
        else:
            names = [f.name for f in node.attr["branches"].list.func]
        graphs = []
        for fname in names:
            g, outs = self._branch(fname, rest)
            if any(_is_variable(o) for o in outs):
                raise NotImplementedError(
                    f"Node {node.name}: a branch returning a resource is not supported"
                )
            g.outputs = outs
            graphs.append(g)
        tout = [o.dtype for o in graphs[0].outputs]
        shapes = []
        for j, o in enumerate(graphs[0].outputs):
            s = o.shape
            for g in graphs[1:]:
                s = s.most_specific_compatible_shape(g.outputs[j].shape)
            shapes.append(s)
        attrs = {"Tin": [t.dtype for t in tensors], "Tout": tout, "output_shapes": shapes,
                 "_num_vars": len(variables)}  # fmt: skip
        if node.op in _IF:
            attrs.update(Tcond=selector.dtype, then_branch=graphs[0], else_branch=graphs[1])
        else:
            attrs["branches"] = graphs
        res = execute(get_op(node.op), (selector, *tensors, *variables), attrs, name=node.name)
        return list(res) if isinstance(res, (list, tuple)) else [res]

    def _while(self, node, inputs):
        cond_name = node.attr["cond"].func.name
        body_name = node.attr["body"].func.name
        is_var = [_is_variable(x) for x in inputs]
        loop = [x for x in inputs if not _is_variable(x)]
        variables = _unique_variables(inputs)
        cg, couts = self._branch(cond_name, inputs)
        cg.outputs = couts
        bg, bouts = self._branch(body_name, inputs)
        bg.outputs = [o for o, v in zip(bouts, is_var) if not v]
        shapes = []
        for x, o in zip(loop, bg.outputs):
            shapes.append(x.shape.most_specific_compatible_shape(o.shape))
        # The loop variables' placeholders must accept every iteration's shape.
        for g in (cg, bg):
            for ph, s in zip(g.inputs, shapes):
                ph._shape = s
        attrs = {"T": [x.dtype for x in loop], "cond": cg, "body": bg, "output_shapes": shapes,
                 "parallel_iterations": int(node.attr["parallel_iterations"].i or 10)
                 if "parallel_iterations" in node.attr else 10,
                 "_num_loop_vars": len(loop), "_has_max": False, "_num_vars": len(variables),
                 "_accumulate": False}  # fmt: skip
        res = execute(get_op(node.op), (*loop, *variables), attrs, name=node.name)
        res = list(res) if isinstance(res, (list, tuple)) else [res]
        it = iter(res)
        return [x if v else next(it) for x, v in zip(inputs, is_var)]


_MISSING = object()
_KERNEL_PARAMS: dict = {}


def _kernel_params(opdef):
    """The attr names the op's kernel takes (None: any). Some ops declare attrs that their
    kernels leave out (the public functions never pass them)."""
    key = opdef.name
    if key not in _KERNEL_PARAMS:
        import inspect

        names = None
        if opdef.kernel is not None:
            try:
                params = inspect.signature(opdef.kernel).parameters.values()
                if not any(p.kind == p.VAR_KEYWORD for p in params):
                    names = {p.name for p in params}
            except (TypeError, ValueError):
                names = None
        _KERNEL_PARAMS[key] = names
    return _KERNEL_PARAMS[key]


def _resource_gather(value, ins, attrs):
    from arroyo.ops import gather_ops

    return gather_ops.gather(value, ins[0], batch_dims=attrs.get("batch_dims", 0))


def _resource_gather_nd(value, ins, attrs):
    from arroyo.ops import gather_ops

    return gather_ops.gather_nd(value, ins[0])


def _variable_shape(value, ins, attrs):
    from arroyo.ops import array_ops

    return array_ops.shape(value, out_type=attrs.get("out_type", dtypes.int32))


# Ops TF applies to a Variable's handle: arroyo reads the Variable, then uses the value op.
_RESOURCE_READS = {"ResourceGather": _resource_gather, "ResourceGatherNd": _resource_gather_nd,
                   "VariableShape": _variable_shape}  # fmt: skip


def _variable(x, node):
    if not _is_variable(x):
        raise NotImplementedError(
            f"Node {node.name} ({node.op}) reads a resource that is not a loaded tf.Variable."
        )
    return x


def _unique_variables(xs):
    out, seen = [], set()
    for x in xs:
        if _is_variable(x) and id(x) not in seen:
            seen.add(id(x))
            out.append(x)
    return out


def _arg_shape(fdef, i):
    aa = fdef.arg_attr.get(i)
    if aa is not None and "_output_shapes" in aa.attr:
        shapes = aa.attr["_output_shapes"].list.shape
        if len(shapes):
            return tp.shape_from_proto(shapes[0])
    return None


def _arg_dtype(arg, fdef, attrs):
    if arg.type:
        return tp.dtype_from_enum(arg.type)
    raise NotImplementedError(
        f"Function {fdef.signature.name}: argument {arg.name} has a polymorphic type"
    )


def _topological(node_defs, nodes):
    """Nodes in an order where each comes after its (data and control) inputs."""
    order, state_ = [], {}
    for start in node_defs:
        if start.name in state_:
            continue
        stack = [(start, False)]
        while stack:
            node, done = stack.pop()
            if done:
                state_[node.name] = 2
                order.append(node)
                continue
            if state_.get(node.name):
                continue
            state_[node.name] = 1
            stack.append((node, True))
            for ref in reversed(node.input):
                dep = ref[1:] if ref.startswith("^") else ref.split(":")[0]
                child = nodes.get(dep)
                if child is not None and not state_.get(dep):
                    stack.append((child, False))
    return order
