"""arroyo FuncGraphs -> TensorFlow FunctionDefs (the functions of a SavedModel).

Each traced graph becomes one FunctionDef: its placeholders are the input args, each
captured Variable one more `DT_RESOURCE` arg (read with ReadVariableOp, written with
AssignVariableOp), every other op a NodeDef with TF's attrs (`T`, `N`, ... derived from the
inputs as TF's op registry defines them, see op_defs.py). Outputs are returned through
`Identity` nodes that run after every stateful op, and stateful ops are listed as control
outputs, so TensorFlow runs the function's side effects in the traced order.
"""

from __future__ import annotations

import inspect
import itertools
import re

import numpy as np

from arroyo.framework import dtypes
from arroyo.framework.tensor import TensorSpec
from arroyo.saved_model import op_defs
from arroyo.saved_model import structure as st
from arroyo.saved_model import tensor_proto as tp

__all__ = ["Library", "function_spec_proto", "fullargspec"]

_uid = itertools.count(1)
_ARG_INVALID = re.compile(r"[^a-z0-9_]")
_CONTROL_FLOW = ("If", "StatelessIf", "Case", "StatelessCase")
_NODE_NAME = re.compile(r"^[A-Za-z0-9.][A-Za-z0-9_.\-/>]*$")


def _is_variable(x):
    return getattr(x, "_is_arroyo_variable", False)


def arg_name(name: str) -> str:
    """TF's rule for function argument names: lowercase letters, digits and underscores."""
    s = _ARG_INVALID.sub("_", str(name).lower())
    if not s or not s[0].isalpha():
        s = "arg_" + s
    return s


class Library:
    """Collects the FunctionDefs of one SavedModel and the op types they use."""

    def __init__(self):
        self.functions = {}  # name -> FunctionDef, in creation order
        self.op_types = set()
        self._nested = {}  # (id(graph), var ids) -> name of an exported branch graph

    def new_name(self, base: str) -> str:
        base = re.sub(r"[^A-Za-z0-9_]", "_", base)
        return f"__inference_{base}_{next(_uid)}"

    def add(self, graph, inputs, outputs, name, arg_names=None, resource_vars=None):
        """Exports `graph` as FunctionDef `name`; returns the Variables bound to its resource args
        (in arg order)."""
        fdef, variables = _function_def(
            self, graph, inputs, outputs, name, arg_names, resource_vars
        )
        self.functions[name] = fdef
        return variables

    def nested(self, graph, resource_vars):
        """The name of the FunctionDef for a control-flow branch graph (exported once)."""
        key = (id(graph), tuple(id(v) for v in resource_vars))
        name = self._nested.get(key)
        if name is None:
            name = self.new_name(getattr(graph, "name", "branch"))
            self._nested[key] = name
            self.add(
                graph,
                list(graph.inputs),
                list(graph.outputs),
                name,
                resource_vars=list(resource_vars),
            )
        return name


class _Names:
    """Unique names in one function's namespace (args and nodes share it)."""

    def __init__(self):
        self.used = set()

    def take(self, name):
        cand, i = name, 0
        while cand in self.used:
            i += 1
            cand = f"{name}_{i}"
        self.used.add(cand)
        return cand


def _dtype_of(t):
    return dtypes.resource if _is_variable(t) else t.dtype


def _tf_def(op):
    d = op_defs.lookup(op.type)
    if d is None:
        if op.type in op_defs.known_ops()[1]:
            why = f"TensorFlow has no op named {op.type}"
        else:
            why = (
                "arroyo has no TensorFlow signature for it (regenerate arroyo/saved_model/op_defs.json "
                "with tools/make_saved_model_op_defs.py)"
            )
        raise ValueError(f"Cannot save op '{op.name}' of type {op.type} in a SavedModel: {why}.")
    return d


def _node_attrs(op, tf_def):
    """The node's attrs as Python values, TF's names: the op's own plus derived type attrs."""
    own = {
        k: v
        for k, v in op.attrs.items()
        if v is not None and not k.startswith("_") and not callable(v)
    }
    derived = {}
    in_args = tf_def.get("input_arg", [])
    sizes = op_defs.arg_sizes(in_args, own, total=len(op.inputs))
    pos = 0
    for a, n in zip(in_args, sizes):
        ts = op.inputs[pos : pos + n]
        pos += n
        _derive(a, ts, derived)
    out_args = tf_def.get("output_arg", [])
    sizes = op_defs.arg_sizes(out_args, {**own, **derived}, total=len(op.outputs))
    pos = 0
    for a, n in zip(out_args, sizes):
        ts = op.outputs[pos : pos + n]
        pos += n
        _derive(a, ts, derived)
    return own, derived


def _derive(arg, ts, derived):
    if arg.get("type_attr") and ts:
        derived.setdefault(arg["type_attr"], _dtype_of(ts[0]))
    if arg.get("number_attr"):
        derived.setdefault(arg["number_attr"], len(ts))
    if arg.get("type_list_attr"):
        derived.setdefault(arg["type_list_attr"], [_dtype_of(t) for t in ts])


def _output_layout(op, tf_def, values):
    """Flat output index -> (output arg name, index within it)."""
    out_args = tf_def.get("output_arg", [])
    sizes = op_defs.arg_sizes(out_args, values, total=len(op.outputs))
    layout = []
    for a, n in zip(out_args, sizes):
        layout.extend((a["name"], j) for j in range(n))
    return layout


def _listify(v):
    if isinstance(v, (list, tuple)):
        return list(v)
    if hasattr(v, "tolist") and not isinstance(v, (str, bytes)):
        v = v.tolist()
        return v if isinstance(v, list) else [v]
    return [v]


def _fill_attrs(node, op, tf_def, own, derived, lib):
    """Writes every attr TF's OpDef declares (defaults may be left out: stripped_default_attrs)."""
    values = {}
    for ad in tf_def.get("attr", []):
        name, typ = ad["name"], ad["type"]
        if (
            name in derived
            and typ in ("type", "list(type)", "int")
            and name not in _EXPLICIT.get(op.type, ())
        ):
            val = derived[name]
        elif name in own:
            val = own[name]
        elif name in derived:
            val = derived[name]
        elif "default_value" in ad:
            continue
        else:
            raise ValueError(
                f"Cannot save op '{op.name}' of type {op.type}: TensorFlow requires attr '{name}' "
                "which arroyo did not record."
            )
        if typ.startswith("list("):
            val = _listify(val)
        values[name] = val
        tp.python_to_attr(val, typ, node.attr[name], functions=lambda g: lib.nested(g, []))
    return values


# Ops whose int attr named like a list length is a user setting, not derived from the inputs.
_EXPLICIT = {"Split": ("num_split",), "SplitV": ("num_split",), "Unpack": ("num",)}


class _Exporter:
    def __init__(self, lib, graph, fdef):
        self.lib = lib
        self.graph = graph
        self.fdef = fdef
        self.names = _Names()
        self.ref = {}  # id(tensor or Variable) -> input string
        self.node_name = {}  # id(Operation) -> its NodeDef name


def _function_def(lib, graph, inputs, outputs, name, arg_names, resource_vars):
    from arroyo.graph import executor

    g = tp.pb()
    fdef = g.FunctionDef()
    sig = fdef.signature
    sig.name = name
    ex = _Exporter(lib, graph, fdef)
    ops = executor.live_ops(graph, outputs)
    for op in ops:
        if op.type != "Placeholder" and _NODE_NAME.match(op.name):
            ex.names.used.add(op.name)
            ex.node_name[id(op)] = op.name
    for op in ops:  # names TF would reject get a valid spelling
        if op.type != "Placeholder" and id(op) not in ex.node_name:
            fixed = re.sub(r"[^A-Za-z0-9_.\-/>]", "_", op.name)
            ex.node_name[id(op)] = ex.names.take(fixed if _NODE_NAME.match(fixed) else "n" + fixed)

    # -- input args: placeholders, then one resource per captured Variable ----------------
    for i, p in enumerate(inputs):
        an = ex.names.take(arg_name(arg_names[i] if arg_names else p.op.name))
        sig.input_arg.add(name=an, type=p.dtype.as_datatype_enum)
        ex.ref[id(p)] = an
        attrs = fdef.arg_attr[i].attr
        attrs["_user_specified_name"].s = an.encode()
        tp.shape_proto(p.shape, attrs["_output_shapes"].list.shape.add())
    used = {}
    for op in ops:
        for t in op.inputs:
            if _is_variable(t) and id(t) not in used:
                used[id(t)] = (t, op)
    if resource_vars is None:
        order = [v for v in graph._variables if id(v) in used]
        order += [v for v, _ in used.values() if all(v is not w for w in order)]
    else:
        order = list(resource_vars)
    for v in order:
        consumer = used.get(id(v), (v, None))[1]
        base = f"{consumer.name}_resource" if consumer is not None else "unused_resource"
        an = ex.names.take(arg_name(base))
        arg = sig.input_arg.add(name=an, type=dtypes.resource.as_datatype_enum)
        hd = arg.handle_data.add(dtype=v.dtype.as_datatype_enum)
        tp.shape_proto(v.shape, hd.shape)
        ex.ref[id(v)] = an

    # -- nodes ----------------------------------------------------------------------------
    exported = set()
    stateful = []
    for op in ops:
        if op.type == "Placeholder":
            if id(op._outputs[0]) not in ex.ref:
                raise ValueError(
                    f"Cannot save function {name}: it uses placeholder {op.name} that is not one "
                    "of its inputs."
                )
            continue
        if op.type == "NoOp" and not op.control_inputs:
            continue
        lib.op_types.add(op.type)
        nname = ex.node_name[id(op)]
        node = fdef.node_def.add(name=nname, op=op.type)
        exported.add(id(op))
        if op.type in _CONTROL_FLOW:
            values = _control_flow_node(ex, node, op)
        elif op.type in ("While", "StatelessWhile"):
            values = _while_node(ex, node, op)
        else:
            tf_def = _tf_def(op)
            own, derived = _node_attrs(op, tf_def)
            if op.type == "Const":
                tp.make_tensor_proto(
                    op.attrs["value"], op.attrs["dtype"], node.attr["value"].tensor
                )
                node.attr["dtype"].type = op.attrs["dtype"].as_datatype_enum
                values = {"dtype": op.attrs["dtype"]}
            else:
                values = _fill_attrs(node, op, tf_def, own, derived, lib)
            lib.op_types.add(op.type)
            node.input.extend(_input_ref(ex, t) for t in op.inputs)
            layout = _output_layout(op, tf_def, {**own, **derived, **values})
            for t, (argn, j) in zip(op._outputs, layout):
                ex.ref[id(t)] = f"{nname}:{argn}:{j}"
            if tf_def.get("is_stateful"):
                stateful.append(op)
        if op.op_def.stateful and op.type != "Const" and (not stateful or stateful[-1] is not op):
            stateful.append(op)
        node.input.extend("^" + ex.node_name[id(c)] for c in op.control_inputs if id(c) in exported)

    # -- outputs: Identity nodes that run after the side effects -----------------------------
    noop = None
    if stateful:
        noop = ex.names.take("NoOp")
        n = fdef.node_def.add(name=noop, op="NoOp")
        n.input.extend("^" + ex.node_name[id(s)] for s in stateful)
        lib.op_types.add("NoOp")
        for s in stateful:
            fdef.control_ret[ex.node_name[id(s)]] = ex.node_name[id(s)]
            sig.control_output.append(ex.node_name[id(s)])
        sig.is_stateful = True
    for o in outputs:
        ident = ex.names.take("Identity")
        n = fdef.node_def.add(name=ident, op="Identity")
        n.input.append(_input_ref(ex, o))
        if noop:
            n.input.append("^" + noop)
        dtype = _dtype_of(o).as_datatype_enum  # a Variable passed through (loop bodies)
        n.attr["T"].type = dtype
        lib.op_types.add("Identity")
        oname = ex.names.take("identity")
        sig.output_arg.add(name=oname, type=dtype)
        fdef.ret[oname] = f"{ident}:output:0"
    return fdef, order


def _input_ref(ex, t):
    r = ex.ref.get(id(t))
    if r is None:
        if _is_variable(t):
            raise ValueError(f"Variable {t.name} is not an input of the function being saved")
        raise ValueError(
            f"Cannot save: tensor {getattr(t, 'name', t)} is not computed by the saved function"
        )
    return r


def _control_flow_node(ex, node, op):
    """If/Case: the branch graphs become library functions taking the same resource args."""
    attrs = op.attrs
    nv = attrs.get("_num_vars", 0)
    ins = list(op.inputs)
    variables = ins[len(ins) - nv :] if nv else []
    node.input.extend(_input_ref(ex, t) for t in ins)
    tin = [_dtype_of(t) for t in ins[1:]]
    values = {"Tin": tin, "Tout": list(attrs["Tout"])}
    tp.python_to_attr(tin, "list(type)", node.attr["Tin"])
    tp.python_to_attr(list(attrs["Tout"]), "list(type)", node.attr["Tout"])
    if attrs.get("output_shapes") is not None:
        tp.python_to_attr(list(attrs["output_shapes"]), "list(shape)", node.attr["output_shapes"])
    if op.type in ("If", "StatelessIf"):
        tp.python_to_attr(ins[0].dtype, "type", node.attr["Tcond"])
        node.attr["then_branch"].func.name = ex.lib.nested(attrs["then_branch"], variables)
        node.attr["else_branch"].func.name = ex.lib.nested(attrs["else_branch"], variables)
        argn = "output"
    else:
        fl = node.attr["branches"].list
        for b in attrs["branches"]:
            fl.func.add(name=ex.lib.nested(b, variables))
        argn = "output"
    for j, t in enumerate(op._outputs):
        ex.ref[id(t)] = f"{ex.node_name[id(op)]}:{argn}:{j}"
    return values


def _while_node(ex, node, op):
    """While: TF's loop variables are all of the op's inputs (a counter and the maximum first
    when there is `maximum_iterations`), so the cond/body functions are wrappers that take and
    return all of them, built as arroyo graphs around the original sub-graphs."""
    from arroyo.framework.context import state
    from arroyo.graph.function import _replay_graph
    from arroyo.graph.graph import FuncGraph
    from arroyo.ops import math_ops

    attrs = op.attrs
    if attrs.get("_accumulate"):
        raise ValueError(
            f"Cannot save op '{op.name}': a tf.while_loop differentiated inside the saved function "
            "is not supported by arroyo's SavedModel writer."
        )
    nv = attrs.get("_num_vars", 0)
    k = attrs["_num_loop_vars"]
    has_max = bool(attrs.get("_has_max"))
    ins = list(op.inputs)
    variables = ins[len(ins) - nv :] if nv else []
    tensors = ins[: len(ins) - nv] if nv else ins
    maximum = tensors[0] if has_max else None
    rest = tensors[1:] if has_max else tensors  # loop variables, then captured tensors
    shapes = list(attrs["output_shapes"]) + [t.shape for t in rest[k:]]
    cg, bg = attrs["cond"], attrs["body"]

    def wrapper(kind):
        g = FuncGraph(f"{op.name}_{kind}")
        saved = state.graph, state.tapes
        state.graph, state.tapes = g, []
        try:
            pre = []
            if has_max:
                pre = [
                    g.placeholder(dtypes.int32, [], "loop_counter"),
                    g.placeholder(dtypes.int32, [], "max_iterations"),
                ]
            vals = [g.placeholder(t.dtype, s, "loop_var") for t, s in zip(rest, shapes)]
            if kind == "cond":
                (r,) = _replay_graph(cg, cg.inputs, vals, cg.outputs)
                if has_max:
                    r = math_ops.logical_and(math_ops.less(pre[0], pre[1]), r)
                outs = [r]
            else:
                outs = list(_replay_graph(bg, bg.inputs, vals, bg.outputs))
                head = [math_ops.add(pre[0], 1), pre[1]] if has_max else []
                outs = head + outs + vals[k:] + list(variables)
        finally:
            state.graph, state.tapes = saved
        g.inputs = pre + vals
        g.outputs = outs
        return g

    refs = []
    if has_max:
        counter = ex.names.take(f"{ex.node_name[id(op)]}/loop_counter")
        c = ex.fdef.node_def.add(name=counter, op="Const")
        tp.make_tensor_proto(np.int32(0), dtypes.int32, c.attr["value"].tensor)
        c.attr["dtype"].type = dtypes.int32.as_datatype_enum
        refs = [f"{counter}:output:0", _input_ref(ex, maximum)]
    node.input.extend(refs + [_input_ref(ex, t) for t in rest + variables])
    tin = ([dtypes.int32] * 2 if has_max else []) + [t.dtype for t in rest] + [dtypes.resource] * nv
    tp.python_to_attr(tin, "list(type)", node.attr["T"])
    out_shapes = ([[], []] if has_max else []) + shapes + [[]] * nv
    tp.python_to_attr(out_shapes, "list(shape)", node.attr["output_shapes"])
    node.attr["parallel_iterations"].i = int(attrs.get("parallel_iterations") or 10)
    node.attr["cond"].func.name = ex.lib.nested(wrapper("cond"), variables)
    node.attr["body"].func.name = ex.lib.nested(wrapper("body"), variables)
    off = 2 if has_max else 0
    for j, t in enumerate(op._outputs):
        ex.ref[id(t)] = f"{ex.node_name[id(op)]}:output:{off + j}"
    return {"T": tin}


# -- FunctionSpec ---------------------------------------------------------------------------


def fullargspec(python_function):
    """TF's FullArgSpec of a function (bound methods without `self`)."""
    from arroyo.saved_model.structure import _namedtuple

    cls = _namedtuple("FullArgSpec", ["args", "varargs", "varkw", "defaults", "kwonlyargs",
                                      "kwonlydefaults", "annotations"])  # fmt: skip
    try:
        sig = inspect.signature(python_function)
    except (TypeError, ValueError):
        return cls([], "args", "kwargs", None, [], None, {})
    args, defaults, kwonly, kwdefaults = [], [], [], {}
    varargs = varkw = None
    for p in sig.parameters.values():
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD):
            args.append(p.name)
            if p.default is not p.empty:
                defaults.append(p.default)
        elif p.kind == p.VAR_POSITIONAL:
            varargs = p.name
        elif p.kind == p.VAR_KEYWORD:
            varkw = p.name
        else:
            kwonly.append(p.name)
            if p.default is not p.empty:
                kwdefaults[p.name] = p.default
    return cls(args, varargs, varkw, tuple(defaults) if defaults else None, kwonly,
               kwdefaults or None, {})  # fmt: skip


def function_spec_proto(python_function, input_signature, out, is_method=False, jit_compile=None):
    """Fills a FunctionSpec (argument names, defaults and input_signature)."""
    spec = fullargspec(python_function)
    try:
        st.encode(spec, out.fullargspec)
    except ValueError:
        # Defaults that are not plain values (objects) are left out, as TF does.
        st.encode(spec._replace(defaults=None, kwonlydefaults=None), out.fullargspec)
    out.is_method = bool(is_method)
    if input_signature is None:
        out.input_signature.none_value.SetInParent()
    else:
        st.encode(tuple(input_signature), out.input_signature)
    if jit_compile is not None:
        out.jit_compile = 1 if jit_compile else 2
    return out


def signature_specs(args, names):
    """Replaces tensors in `args` by TensorSpecs named after the function's placeholders."""
    from arroyo.framework.tensor import Tensor
    from arroyo.util import nest

    it = iter(names)

    def spec(x):
        if isinstance(x, TensorSpec):
            return TensorSpec(x.shape, x.dtype, next(it, x.name))
        if isinstance(x, Tensor):
            return TensorSpec(x.shape, x.dtype, next(it, None))
        return x

    return nest.map_structure(spec, args)
