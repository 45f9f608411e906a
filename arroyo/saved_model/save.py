"""`tf.saved_model.save`: writes an object graph in TensorFlow's SavedModel format.

    export_dir/saved_model.pb      SavedModel { MetaGraphDef { graph_def { library }, signature_def,
                                                               object_graph_def } }
    export_dir/variables/          the object graph checkpoint of the same objects
    export_dir/assets/

The objects reachable from `obj` (Modules, Variables, lists and dicts of them, tf.functions
found as attributes) are numbered breadth-first, as TF does; every traced concrete function
of every tf.function becomes a FunctionDef whose captured Variables are bound to their nodes
(`SavedConcreteFunction.bound_inputs`). Signatures are wrappers returning a dict of outputs.
Everything is written to a temporary directory first, so a crash never leaves a half model.
"""

from __future__ import annotations

import os
import shutil
import tempfile

import numpy as np

from arroyo.framework import dtypes
from arroyo.framework.tensor import Tensor, TensorSpec
from arroyo.saved_model import function_serialization as fs
from arroyo.saved_model import op_defs
from arroyo.saved_model import structure as st
from arroyo.saved_model import tensor_proto as tp
from arroyo.util import nest

__all__ = ["save", "SaveOptions"]

DEFAULT_SIGNATURE_KEY = "serving_default"
PREDICT_METHOD = "tensorflow/serving/predict"
INIT_OP_KEY = "__saved_model_init_op"
TF_VERSION = "2.21.0"
GRAPH_PRODUCER = 2474  # GraphDef version of TF 2.21


class SaveOptions:
    """Options for `tf.saved_model.save` (accepted for compatibility; most are no-ops here)."""

    def __init__(self, namespace_whitelist=None, save_debug_info=False, function_aliases=None,
                 experimental_debug_stripper=False, experimental_io_device=None,
                 experimental_variable_policy=None, experimental_custom_gradients=True,
                 experimental_image_format=False, experimental_skip_saver=False,
                 experimental_sharding_callback=None, extra_tags=None):  # fmt: skip
        self.namespace_whitelist = namespace_whitelist
        self.save_debug_info = save_debug_info
        self.function_aliases = dict(function_aliases or {})
        self.extra_tags = list(extra_tags or [])


def _is_variable(x):
    return getattr(x, "_is_arroyo_variable", False)


def _is_function(x):
    from arroyo.graph.function import Function

    return isinstance(x, Function) or getattr(x, "_arroyo_restored_function", False)


def _is_concrete(x):
    from arroyo.graph.function import ConcreteFunction

    return isinstance(x, ConcreteFunction)


class _SignatureMap:
    """The `signatures` child of the root while saving: key -> wrapped concrete function."""

    def __init__(self, items):
        self.items = items  # list of (key, _Signature)


class _Signature:
    def __init__(self, key, cf):
        self.key = key
        self.cf = cf


class _Trace:
    """A concrete function of a saved tf.function (a `trace_<i>` child of its node)."""

    def __init__(self, cf, args, python_function):
        self.cf = cf
        self.args = args
        self.python_function = python_function


# -- the object graph -----------------------------------------------------------------------


def _concrete_functions(fn):
    """(ConcreteFunction, canonical args) pairs of a tf.function, tracing input_signature ones."""
    if getattr(fn, "_arroyo_restored_function", False):
        return [(cf, cf._saved_args) for cf in fn._concrete_functions]
    if fn._input_signature is not None and not fn._cache:
        fn.get_concrete_function()
    out, seen = [], set()
    for cf in list(fn._cache.values()):
        if id(cf) in seen:
            continue
        seen.add(id(cf))
        out.append((cf, _canonical_args(fn._python_function, cf)))
    return out


def _canonical_args(python_function, cf):
    """The traced arguments with defaults filled in, tensors as TensorSpecs (TF's canonical form)."""
    args = (
        list(cf._structured_args)
        if isinstance(cf._structured_args, (list, tuple))
        else [cf._structured_args]
    )
    try:
        import inspect

        params = [p for p in inspect.signature(python_function).parameters.values()
                  if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]  # fmt: skip
        for p in params[len(args) :]:
            if p.default is p.empty:
                break
            args.append(p.default)
    except (TypeError, ValueError):
        pass
    names = [p.op.name for p in cf._inputs]
    return fs.signature_specs(tuple(args), names)


def _children(obj, root, sigmap):
    """(local_name, child) pairs of one node, in TF's order."""
    ck = tp.training()[0]

    if isinstance(obj, _SignatureMap):
        return list(obj.items)
    if _is_function(obj):
        return [(f"trace_{i}", _Trace(cf, args, getattr(obj, "_python_function", None)))
                for i, (cf, args) in enumerate(_concrete_functions(obj))]  # fmt: skip
    if isinstance(obj, (_Trace, _Signature)) or _is_variable(obj) or _is_concrete(obj):
        return []
    if isinstance(obj, ck._Container):
        return ck.children(obj)
    out = []
    names = set()
    for name, child in ck.children(obj):
        if name == "signatures" and obj is root:
            continue
        out.append((name, child))
        names.add(name)
    out.extend((name, value) for name, value in _function_attributes(obj) if name not in names)
    if obj is root:
        out.append(("signatures", sigmap))
    return out


def _function_attributes(obj):
    """(name, tf.function or concrete function) attributes of `obj`, sorted by name (TF
    scans dir()). Properties are not evaluated: reading one may have side effects."""
    import inspect

    out = []
    for name in dir(obj):
        if name.startswith("__") and name != "__call__":
            continue
        try:
            static = inspect.getattr_static(obj, name)
        except AttributeError:
            continue
        if isinstance(static, property) or type(static).__name__ in (
            "cached_property",
            "getset_descriptor",
        ):
            continue
        try:
            value = getattr(obj, name)
        except Exception:  # noqa: BLE001 - a broken attribute is not a function
            continue
        if _is_function(value) or _is_concrete(value):
            out.append((name, value))
    return out


def _walk(root, sigmap):
    ck = tp.training()[0]

    order = [root]
    ids = {ck._key(root): 0}
    refs = []
    i = 0
    while i < len(order):
        obj = order[i]
        i += 1
        node_refs = []
        for name, child in _children(obj, root, sigmap):
            k = ck._key(child)
            if k not in ids:
                ids[k] = len(order)
                order.append(child)
            node_refs.append((name, ids[k]))
        refs.append(node_refs)
    return order, refs, ids


# -- signatures -----------------------------------------------------------------------------


def _signature_function(fn):
    if getattr(fn, "_arroyo_restored_function", False):
        if fn._input_signature is None or len(fn._concrete_functions) != 1:
            return None
        return fn._concrete_functions[0]
    if _is_function(fn):
        if fn._input_signature is None:
            return None
        return fn.get_concrete_function()
    if _is_concrete(fn):
        return fn
    return None


def _find_function_to_export(root):
    """With signatures=None TF exports the root's only tf.function that has an input_signature."""
    ck = tp.training()[0]

    candidates = []
    names = {n for n, _ in ck.children(root)}
    for name, value in _function_attributes(root):
        if name in names:
            continue
        if name == "_default_save_signature":
            return _signature_function(value)
        cf = _signature_function(value)
        if cf is not None and cf._outputs:
            try:
                _normalize_outputs(cf.structured_outputs, cf.name, DEFAULT_SIGNATURE_KEY)
            except ValueError:
                continue
            candidates.append(cf)
    return candidates[0] if len(candidates) == 1 else None


def _canonicalize_signatures(root, signatures):
    if signatures is None:
        cf = _find_function_to_export(root)
        return [] if cf is None else [(DEFAULT_SIGNATURE_KEY, cf)]
    if not isinstance(signatures, dict):
        signatures = {DEFAULT_SIGNATURE_KEY: signatures}
    out = []
    for key, fn in signatures.items():
        cf = _signature_function(fn)
        if cf is None:
            raise ValueError(
                "Expected a TensorFlow function for which to generate a signature, but got "
                f"{fn}. Only `tf.functions` with an input signature or concrete functions can be "
                "used as a signature."
            )
        out.append((key, cf))
    return out


def _normalize_outputs(outputs, function_name, signature_key):
    """A signature returns a dict: sequences become output_0, output_1, ..."""
    if not isinstance(outputs, dict):
        if hasattr(outputs, "_asdict"):
            outputs = outputs._asdict()
        else:
            if not isinstance(outputs, (list, tuple)):
                outputs = [outputs]
            outputs = {f"output_{i}": o for i, o in enumerate(outputs)}
    for key, value in outputs.items():
        if not isinstance(key, str):
            raise ValueError(
                f"Got a dictionary with a non-string key {key!r} in the output of the function "
                f"{function_name} used to generate the SavedModel signature {signature_key!r}."
            )
        if not isinstance(value, Tensor):
            raise ValueError(
                f"Got a non-Tensor value {value!r} for key {key!r} in the output of the function "
                f"{function_name} used to generate the SavedModel signature {signature_key!r}. "
                "Outputs for functions used as signatures must be a single Tensor, a sequence of "
                "Tensors, or a dictionary from string to Tensor."
            )
    return outputs


def _output_signature(structured, flat_tensors):
    """The output structure with each returned tensor as a TensorSpec."""
    ids = {id(t) for t in flat_tensors}

    def spec(x):
        if isinstance(x, Tensor) and id(x) in ids:
            return TensorSpec(x.shape, x.dtype, "unknown")
        if x is None or isinstance(x, (bool, int, float, str)):
            return x
        return None

    return nest.map_structure(spec, structured)


# -- building the SavedModel ------------------------------------------------------------------


class _Builder:
    def __init__(self, root, signatures, options):
        self.root = root
        self.options = options or SaveOptions()
        self.sm = tp.pb("saved_model_pb2")
        self.lib = fs.Library()
        self.signatures = _canonicalize_signatures(root, signatures)
        self.sigmap = _SignatureMap([(k, _Signature(k, cf)) for k, cf in self.signatures])
        self.order, self.refs, self.node_of = _walk(root, self.sigmap)
        self.exported = {}  # id(ConcreteFunction) -> (name, bound variables)

    def node_id(self, obj):
        return self.node_of.get(id(obj))

    def build(self):
        model = self.sm.SavedModel(saved_model_schema_version=1)
        mg = model.meta_graphs.add()
        og = mg.object_graph_def
        for n, obj in enumerate(self.order):
            node = og.nodes.add()
            for name, child in self.refs[n]:
                node.children.add(node_id=child, local_name=name)
            self._fill_node(node, n, obj, og)
        self.ckpt = self.checkpoint()
        self._graph(mg)
        info = mg.meta_info_def
        info.tags.extend(["serve"] + self.options.extra_tags)
        info.tensorflow_version = TF_VERSION
        from arroyo import __version__

        info.tensorflow_git_version = f"arroyo-{__version__}"
        info.stripped_default_attrs = True
        for alias_name, fn in self.options.function_aliases.items():
            for cf, _ in _concrete_functions(fn) if _is_function(fn) else [(fn, None)]:
                if id(cf) in self.exported:
                    info.function_aliases[self.exported[id(cf)][0]] = alias_name
        self._stripped_ops(info)
        return model

    # -- nodes ------------------------------------------------------------------------------
    def _fill_node(self, node, n, obj, og):
        ck = tp.training()[0]

        if _is_variable(obj):
            v = node.variable
            v.dtype = obj.dtype.as_datatype_enum
            tp.shape_proto(obj.shape, v.shape)
            v.trainable = bool(obj.trainable)
            v.synchronization = obj.synchronization.value
            v.aggregation = obj.aggregation.value
            v.name = obj._handle_name
        elif isinstance(obj, _Trace):
            name = self._export(obj.cf, obj.args, og)
            self._bare(node.bare_concrete_function, name, obj.cf, obj.args, obj.python_function)
        elif isinstance(obj, _Signature):
            name = self._export_signature(obj, og)
            b = node.bare_concrete_function
            b.concrete_function_name = name
            kws = obj.kws
            b.argument_keywords.extend(kws)
            b.allowed_positional_arguments = 1 if len(kws) == 1 else 0
            spec = st._namedtuple("FullArgSpec", ["args", "varargs", "varkw", "defaults", "kwonlyargs",
                                                  "kwonlydefaults", "annotations"])  # fmt: skip
            st.encode(spec([], None, None, None, list(kws), None, {}), b.function_spec.fullargspec)
            b.function_spec.input_signature.none_value.SetInParent()
        elif _is_function(obj):
            f = node.function
            for _, child in self.refs[n]:
                trace = self.order[child]
                f.concrete_functions.append(self._export(trace.cf, trace.args, og))
                node.dependencies.add(
                    node_id=child, local_name=f"trace_{len(f.concrete_functions) - 1}"
                )
            if getattr(obj, "_arroyo_restored_function", False):
                obj._function_spec_proto(f.function_spec)
            else:
                fs.function_spec_proto(obj._python_function, obj._input_signature, f.function_spec,
                                       jit_compile=obj._jit_compile)  # fmt: skip
        elif _is_concrete(obj):
            args = getattr(obj, "_saved_args", None)
            if args is None:
                args = fs.signature_specs(tuple(obj._structured_args) if isinstance(obj._structured_args, (list, tuple))
                                          else (obj._structured_args,), [p.op.name for p in obj._inputs])  # fmt: skip
            name = self._export(obj, args, og)
            self._bare(node.bare_concrete_function, name, obj, args, None)
        elif isinstance(obj, _SignatureMap):
            node.user_object.identifier = "signature_map"
            node.user_object.version.producer = 1
            node.user_object.version.min_consumer = 1
        elif isinstance(obj, ck._Container):
            kind = {list: "trackable_list_wrapper", tuple: "trackable_tuple_wrapper"}.get(
                type(obj.value),
                "trackable_dict_wrapper"
                if isinstance(obj.value, dict)
                else "trackable_list_wrapper",
            )
            node.user_object.identifier = kind
            node.user_object.version.producer = 1
            node.user_object.version.min_consumer = 1
        else:
            node.user_object.identifier = "_generic_user_object"
            node.user_object.version.producer = 1
            node.user_object.version.min_consumer = 1

    def _bare(self, b, name, cf, args, python_function):
        b.concrete_function_name = name
        names = [p.op.name for p in cf._inputs]
        b.argument_keywords.extend(fs.arg_name(n) for n in names)
        b.allowed_positional_arguments = len(names)
        if python_function is not None:
            fs.function_spec_proto(python_function, None, b.function_spec)

    def _bound_inputs(self, variables, cf_name):
        ids = []
        for v in variables:
            n = self.node_id(v)
            if n is None:
                raise AssertionError(
                    f"Tried to export a function which references an 'untracked' resource: "
                    f"{v.name} (used by {cf_name}). TensorFlow objects (e.g. tf.Variable) captured "
                    "by functions must be 'tracked' by assigning them to an attribute of a tracked "
                    "object or assigned to an attribute of the main object directly."
                )
            ids.append(n)
        return ids

    def _export(self, cf, args, og):
        done = self.exported.get(id(cf))
        if done is not None:
            return done[0]
        name = self.lib.new_name(cf.name)
        variables = self.lib.add(cf.graph, list(cf._inputs), list(cf._outputs), name)
        self.exported[id(cf)] = (name, variables)
        scf = og.concrete_functions[name]
        scf.bound_inputs.extend(self._bound_inputs(variables, cf.name))
        st.encode((tuple(args), {}), scf.canonicalized_input_signature)
        st.encode(_output_signature(cf.structured_outputs, cf._outputs), scf.output_signature)
        return name

    def _export_signature(self, sig, og):
        cf = sig.cf
        outputs = _normalize_outputs(cf.structured_outputs, cf.name, sig.key)
        kws, seen = [], set()
        for p in cf._inputs:
            kw = fs.arg_name(p.op.name)
            base, i = kw, 0
            while kw in seen:
                i += 1
                kw = f"{base}_{i}"
            seen.add(kw)
            kws.append(kw)
        # Signature inputs are keyword arguments: the wrapper takes them in sorted order (TF's).
        pairs = sorted(zip(kws, cf._inputs), key=lambda kp: kp[0])
        sig.kws = [k for k, _ in pairs]
        sig.inputs = [p for _, p in pairs]
        keys = sorted(outputs)
        flat = [outputs[k] for k in keys]
        name = self.lib.new_name(f"signature_wrapper_{cf.name}")
        variables = self.lib.add(cf.graph, sig.inputs, flat, name, arg_names=sig.kws)
        scf = og.concrete_functions[name]
        scf.bound_inputs.extend(self._bound_inputs(variables, cf.name))
        st.encode(((), {kw: TensorSpec(p.shape, p.dtype, kw) for kw, p in pairs}),
                  scf.canonicalized_input_signature)  # fmt: skip
        st.encode(
            {k: TensorSpec(outputs[k].shape, outputs[k].dtype, k) for k in keys},
            scf.output_signature,
        )
        sig.fname, sig.variables, sig.keys, sig.outputs = name, variables, keys, outputs
        return name

    # -- signature_def and the top-level graph ---------------------------------------------------
    def _graph(self, mg):
        g = mg.graph_def
        g.versions.producer = GRAPH_PRODUCER
        g.versions.min_consumer = 12
        names = fs._Names()
        handles = {}
        for obj in self.order:
            if _is_variable(obj) and id(obj) not in handles:
                nm = names.take(obj._handle_name)
                handles[id(obj)] = nm
                n = g.node.add(name=nm, op="VarHandleOp")
                n.attr["dtype"].type = obj.dtype.as_datatype_enum
                tp.shape_proto(obj.shape, n.attr["shape"].shape)
                n.attr["shared_name"].s = nm.encode()
                tp.python_to_attr(
                    [TensorSpec([], dtypes.resource).shape], "list(shape)", n.attr["_output_shapes"]
                )
                self.lib.op_types.add("VarHandleOp")
        for key, sig in self.sigmap.items:
            sd = mg.signature_def[key]
            sd.method_name = PREDICT_METHOD
            ins = []
            for kw, p in zip(sig.kws, sig.inputs):
                ph = names.take(f"{key}_{kw}")
                n = g.node.add(name=ph, op="Placeholder")
                n.attr["dtype"].type = p.dtype.as_datatype_enum
                tp.shape_proto(p.shape, n.attr["shape"].shape)
                ins.append(ph)
                ti = sd.inputs[kw]
                ti.name = f"{ph}:0"
                ti.dtype = p.dtype.as_datatype_enum
                tp.shape_proto(p.shape, ti.tensor_shape)
            call = names.take("StatefulPartitionedCall")
            n = g.node.add(name=call, op="StatefulPartitionedCall")
            n.input.extend(ins + [handles[id(v)] for v in sig.variables])
            n.attr["f"].func.name = sig.fname
            tp.python_to_attr([p.dtype for p in sig.inputs] + [dtypes.resource] * len(sig.variables),
                              "list(type)", n.attr["Tin"])  # fmt: skip
            tp.python_to_attr(
                [sig.outputs[k].dtype for k in sig.keys], "list(type)", n.attr["Tout"]
            )
            for i, k in enumerate(sig.keys):
                ti = sd.outputs[k]
                ti.name = f"{call}:{i}"
                ti.dtype = sig.outputs[k].dtype.as_datatype_enum
                tp.shape_proto(sig.outputs[k].shape, ti.tensor_shape)
            self.lib.op_types.update(("Placeholder", "StatefulPartitionedCall"))
        if handles:
            self._saver(mg, names, handles)
        noop = names.take("NoOp")
        g.node.add(name=noop, op="NoOp")
        self.lib.op_types.add("NoOp")
        init = mg.signature_def[INIT_OP_KEY].outputs[INIT_OP_KEY]
        init.name = noop
        init.tensor_shape.unknown_rank = True
        mg.collection_def["saved_model_main_op"].node_list.value.append(noop)
        for fdef in self.lib.functions.values():
            g.library.function.append(fdef)

    def _saver(self, mg, names, handles):
        """TF1-style save/restore functions and saver_def, so TF's C++ and v1 loaders (TF
        Serving, saved_model_cli run) restore the variables: restore runs RestoreV2 on the
        `variables/variables` prefix fed to `saver_filename` and assigns each VarHandleOp."""
        g = mg.graph_def
        variables = [obj for obj in self.order if _is_variable(obj)]
        keys = [self.var_keys[id(v)] for v in variables]
        ckpt_graph = self.ckpt[0].SerializeToString()
        ph = names.take("saver_filename")
        n = g.node.add(name=ph, op="Placeholder")
        n.attr["dtype"].type = dtypes.string.as_datatype_enum
        tp.shape_proto([], n.attr["shape"].shape)
        calls = {}
        for kind in ("save", "restore"):
            fname = self.lib.new_name(f"_traced_{kind}")
            self.lib.functions[fname] = _saver_function(fname, kind, variables, keys, ckpt_graph)
            call = names.take("StatefulPartitionedCall")
            n = g.node.add(name=call, op="StatefulPartitionedCall")
            n.input.extend([ph] + [handles[id(v)] for v in variables])
            n.attr["f"].func.name = fname
            tp.python_to_attr(
                [dtypes.string] + [dtypes.resource] * len(variables), "list(type)", n.attr["Tin"]
            )
            tp.python_to_attr([dtypes.string], "list(type)", n.attr["Tout"])
            calls[kind] = call
        self.lib.op_types.update(("Const", "Identity", "NoOp", "ReadVariableOp", "AssignVariableOp",
                                  "SaveV2", "RestoreV2", "Placeholder", "StatefulPartitionedCall"))  # fmt: skip
        sd = mg.saver_def
        sd.filename_tensor_name = f"{ph}:0"
        sd.save_tensor_name = f"{calls['save']}:0"
        sd.restore_op_name = calls["restore"]
        sd.version = 2  # V2 checkpoints

    def _stripped_ops(self, info):
        from google.protobuf import json_format

        ol = info.stripped_op_list
        for name in sorted(self.lib.op_types):
            d = op_defs.lookup(name)
            if d is not None:
                json_format.ParseDict(d, ol.op.add())

    # -- the checkpoint in variables/ ---------------------------------------------------------
    def checkpoint(self):
        """(TrackableObjectGraph, {key: (value, dtype)}) over the same nodes as the object graph."""
        ck = tp.training()[0]

        pbb = tp.pb("tensor_bundle_pb2")
        graph = pbb.TrackableObjectGraph()
        paths = {0: ()}
        for n, refs in enumerate(self.refs):
            for name, child in refs:
                if child not in paths:
                    paths[child] = paths[n] + (name,)
        values = {}
        self.var_keys = {}
        for n, obj in enumerate(self.order):
            node = graph.nodes.add()
            for name, child in self.refs[n]:
                node.children.add(node_id=child, local_name=name)
            if _is_variable(obj):
                key = (
                    "/".join(ck.escape_local_name(p) for p in paths[n])
                    + "/.ATTRIBUTES/"
                    + ck.VARIABLE_VALUE
                )
                node.attributes.add(
                    name=ck.VARIABLE_VALUE, full_name=obj._handle_name, checkpoint_key=key
                )
                values[key] = (obj.numpy(), obj.dtype)
                self.var_keys[id(obj)] = key
        has = [False] * len(self.order)
        changed = True
        while changed:  # a node has values if it or anything below it has (cycles allowed)
            changed = False
            for n, node in enumerate(graph.nodes):
                h = bool(node.attributes) or any(has[c.node_id] for c in node.children)
                if h and not has[n]:
                    has[n] = changed = True
        for n, node in enumerate(graph.nodes):
            node.has_checkpoint_values.value = has[n]
        return graph, values


def _saver_function(name, kind, variables, keys, ckpt_graph):
    """The FunctionDef of `__inference__traced_save` / `_restore` (file_prefix + one resource
    per variable -> file_prefix)."""
    ck = tp.training()[0]
    fdef = tp.pb().FunctionDef()
    sig = fdef.signature
    sig.name = name
    sig.is_stateful = True
    sig.input_arg.add(name="file_prefix", type=dtypes.string.as_datatype_enum)
    for i, v in enumerate(variables):
        arg = sig.input_arg.add(name=f"variable_{i}", type=dtypes.resource.as_datatype_enum)
        tp.shape_proto(v.shape, arg.handle_data.add(dtype=v.dtype.as_datatype_enum).shape)
    sig.output_arg.add(name="identity", type=dtypes.string.as_datatype_enum)

    def const(node_name, value):
        n = fdef.node_def.add(name=node_name, op="Const")
        tp.make_tensor_proto(np.array(value, dtype=object), dtypes.string, n.attr["value"].tensor)
        n.attr["dtype"].type = dtypes.string.as_datatype_enum
        return f"{node_name}:output:0"

    effects = []
    if kind == "save":
        names = const("SaveV2/tensor_names", keys + [ck.OBJECT_GRAPH_KEY])
        slices = const("SaveV2/shape_and_slices", [""] * (len(keys) + 1))
        reads = []
        for i, v in enumerate(variables):
            r = fdef.node_def.add(
                name=f"ReadVariableOp_{i}", op="ReadVariableOp", input=[f"variable_{i}"]
            )
            r.attr["dtype"].type = v.dtype.as_datatype_enum
            reads.append(f"ReadVariableOp_{i}:value:0")
        graph = const("object_graph", ckpt_graph)
        n = fdef.node_def.add(
            name="SaveV2", op="SaveV2", input=["file_prefix", names, slices] + reads + [graph]
        )
        tp.python_to_attr(
            [v.dtype for v in variables] + [dtypes.string], "list(type)", n.attr["dtypes"]
        )
        effects.append("SaveV2")
    else:
        names = const("RestoreV2/tensor_names", keys)
        slices = const("RestoreV2/shape_and_slices", [""] * len(keys))
        n = fdef.node_def.add(
            name="RestoreV2", op="RestoreV2", input=["file_prefix", names, slices]
        )
        tp.python_to_attr([v.dtype for v in variables], "list(type)", n.attr["dtypes"])
        for i, v in enumerate(variables):
            a = fdef.node_def.add(name=f"AssignVariableOp_{i}", op="AssignVariableOp",
                                  input=[f"variable_{i}", f"RestoreV2:tensors:{i}"])  # fmt: skip
            a.attr["dtype"].type = v.dtype.as_datatype_enum
            effects.append(a.name)
    fdef.node_def.add(name="NoOp", op="NoOp", input=["^" + e for e in effects])
    ident = fdef.node_def.add(name="Identity", op="Identity", input=["file_prefix", "^NoOp"])
    ident.attr["T"].type = dtypes.string.as_datatype_enum
    fdef.ret["identity"] = "Identity:output:0"
    for e in effects:
        fdef.control_ret[e] = e
        sig.control_output.append(e)
    return fdef


def save(obj, export_dir, signatures=None, options=None):
    """Exports `obj` (a tf.Module or any trackable object) as a SavedModel directory.

    >>> class Adder(tf.Module):
    ...     @tf.function(input_signature=[tf.TensorSpec([], tf.float32)])
    ...     def __call__(self, x):
    ...         return x + 1.0
    >>> tf.saved_model.save(Adder(), "/tmp/adder")           # doctest: +SKIP
    >>> tf.saved_model.load("/tmp/adder")(tf.constant(1.0))  # doctest: +SKIP
    <tf.Tensor: shape=(), dtype=float32, numpy=2.0>
    """
    from arroyo.framework.context import state

    if state.graph is not None and state.graph.building_function:
        raise AssertionError(
            "tf.saved_model.save is not supported inside a traced @tf.function. Move the call to "
            "the outer eager execution context."
        )
    export_dir = os.fspath(export_dir)
    builder = _Builder(obj, signatures, options)
    model = builder.build()
    ckpt_graph, values = builder.ckpt
    _write(export_dir, model, ckpt_graph, values)


def _write(export_dir, model, ckpt_graph, values):
    ck, tb = tp.training()
    BundleWriter = tb.BundleWriter

    parent = os.path.dirname(os.path.abspath(export_dir))
    os.makedirs(parent, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix=".arroyo_saved_model_", dir=parent)
    try:
        writer = BundleWriter(os.path.join(tmp, "variables", "variables"))
        for key, (value, dtype) in values.items():
            writer.add(key, value, dtype)
        writer.add(
            ck.OBJECT_GRAPH_KEY,
            np.array(ckpt_graph.SerializeToString(), dtype=object),
            dtypes.string,
        )
        writer.write()
        os.makedirs(os.path.join(tmp, "assets"), exist_ok=True)
        data = model.SerializeToString(deterministic=True)
        with open(os.path.join(tmp, "saved_model.pb"), "wb") as fh:
            fh.write(data)
        from arroyo.saved_model import fingerprinting

        with open(os.path.join(tmp, "variables", "variables.index"), "rb") as fh:
            fingerprint = fingerprinting.make_fingerprint(data, model, fh.read())
        with open(os.path.join(tmp, fingerprinting.FINGERPRINT_FILENAME), "wb") as fh:
            fh.write(fingerprint.SerializeToString(deterministic=True))
        if not os.path.exists(export_dir):
            os.rename(tmp, export_dir)
            return
        # Replace an existing model piece by piece; saved_model.pb (what loaders look for) last.
        for entry in ("variables", "assets", "fingerprint.pb", "saved_model.pb"):
            dest = os.path.join(export_dir, entry)
            if os.path.isdir(dest) and not os.path.islink(dest):
                shutil.rmtree(dest)
            elif os.path.lexists(dest):
                os.remove(dest)
            os.replace(os.path.join(tmp, entry), dest)
    finally:
        if os.path.isdir(tmp):
            shutil.rmtree(tmp, ignore_errors=True)
