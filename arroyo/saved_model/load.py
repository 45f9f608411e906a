"""`tf.saved_model.load`: rebuilds a SavedModel's objects (written by arroyo or TensorFlow).

The objects come back as generic trackable objects (not the original Python classes, as in
TF): sub-objects and Variables are attributes, tf.functions are RestoredFunctions callable
only with the input signatures traced before saving, and `.signatures` maps signature keys
to concrete functions taking keyword arguments and returning a dict of tensors. Variable
values come from the object-graph checkpoint in `variables/`, matched by names from the root.
"""

from __future__ import annotations

import inspect
import logging
import os

import numpy as np

from arroyo.framework import dtypes
from arroyo.framework.errors import InvalidArgumentError
from arroyo.framework.op_registry import dtype_name
from arroyo.framework.tensor import EagerTensor, Tensor, TensorSpec, convert_to_tensor
from arroyo.graph.function import ConcreteFunction
from arroyo.saved_model import structure as st
from arroyo.saved_model import tensor_proto as tp
from arroyo.saved_model.graph_import import FunctionImporter
from arroyo.saved_model.op_defs import OpDefs
from arroyo.util import nest

__all__ = ["load", "LoadOptions"]

_log = logging.getLogger("arroyo")


class LoadOptions:
    """Options for `tf.saved_model.load` (accepted for compatibility)."""

    def __init__(self, allow_partial_checkpoint=False, experimental_io_device=None,
                 experimental_skip_checkpoint=False, experimental_variable_policy=None,
                 experimental_load_function_aliases=False):  # fmt: skip
        self.allow_partial_checkpoint = allow_partial_checkpoint
        self.experimental_skip_checkpoint = experimental_skip_checkpoint
        self.experimental_load_function_aliases = experimental_load_function_aliases


def _is_variable(x):
    return getattr(x, "_is_arroyo_variable", False)


# -- restored objects ---------------------------------------------------------------------------


class AutoTrackable:
    """A restored object: its saved children are attributes (TF's `_UserObject`)."""

    def _checkpoint_children(self):
        # Checkpoints (and a new SavedModel) see the attributes, as for a tf.Module.
        return [(k, v) for k, v in vars(self).items() if not k.startswith("_arroyo_")]

    def __repr__(self):
        return f"<arroyo.saved_model.load.AutoTrackable object at 0x{id(self):x}>"


def _call_attribute(self, *args, **kwargs):
    return self.__dict__["__call__"](*args, **kwargs)


class _SignatureMap(dict):
    """`loaded.signatures`: signature key -> concrete function (read-only mapping)."""

    def __repr__(self):
        return f"_SignatureMap({dict.__repr__(self)})"

    def __setitem__(self, key, value):
        raise TypeError("'_SignatureMap' object does not support item assignment")

    def _add(self, key, value):
        dict.__setitem__(self, key, value)


class _Asset:
    """A restored asset file: `asset_path` is its path inside the SavedModel's assets/."""

    def __init__(self, path):
        self.asset_path = convert_to_tensor(path)


class RestoredConcreteFunction(ConcreteFunction):
    """A concrete function loaded from a SavedModel (callable with its traced signature)."""

    def __init__(
        self, graph, inputs, outputs, structured_outputs, out_template, args, kwargs, name
    ):
        super().__init__(graph, inputs, outputs, structured_outputs, out_template, args, name)
        self._saved_args = args
        self._saved_kwargs = kwargs
        self._arg_keywords = [p.op.name for p in inputs]
        self._num_positional_args = len(inputs)

    @property
    def structured_input_signature(self):
        return (self._saved_args, dict(self._saved_kwargs))

    def __call__(self, *args, **kwargs):
        """Positional tensors (up to the allowed count) and keyword arguments by input name."""
        values = list(args)
        rest = self._arg_keywords[len(args) :]
        problem = None
        if len(args) > self._num_positional_args:
            problem = "too many positional arguments"
        elif set(kwargs) - set(rest):
            problem = f"got an unexpected keyword argument '{sorted(set(kwargs) - set(rest))[0]}'"
        else:
            missing = [kw for kw in rest if kw not in kwargs]
            if missing:
                problem = f"missing a required argument: '{missing[0]}'"
        if problem is not None:
            params = ", ".join(f"{kw}: {TensorSpec(p.shape, p.dtype, kw)!r}"
                               for kw, p in zip(self._arg_keywords, self._inputs))  # fmt: skip
            raise TypeError(
                f"Binding inputs to tf.function failed due to `{problem}`. Received args: {args} and "
                f"kwargs: {kwargs} for signature: (*, {params})."
            )
        values += [kwargs[kw] for kw in rest]
        tensors = []
        for i, (v, p) in enumerate(zip(values, self._inputs)):
            t = v.value() if _is_variable(v) else v
            if not isinstance(t, Tensor):
                t = convert_to_tensor(t, dtype=p.dtype)
            if t.dtype != p.dtype:
                raise InvalidArgumentError(
                    None, None,
                    f"cannot compute {self._name} as input #{i}(zero-based) was expected to be a "
                    f"{dtype_name(p.dtype)} tensor but is a {dtype_name(t.dtype)} tensor [Op:{self._name}]",
                )  # fmt: skip
            if not p.shape.is_compatible_with(t.shape):
                raise InvalidArgumentError(
                    None, None,
                    f"Input #{i} ({self._arg_keywords[i]}) of {self._name} must have shape {p.shape} "
                    f"but has shape {t.shape} [Op:{self._name}]",
                )  # fmt: skip
            tensors.append(t)
        return self._call_flat(tensors)


class _BrokenFunction:
    """Stands for a concrete function that could not be imported; raises when called."""

    def __init__(self, name, error, args, kwargs):
        self._name = name
        self._error = error
        self._saved_args = args
        self._saved_kwargs = kwargs

    @property
    def name(self):
        return self._name

    @property
    def structured_input_signature(self):
        return (self._saved_args, dict(self._saved_kwargs))

    def _call_flat(self, tensors):
        raise self._error

    __call__ = _call_flat


class RestoredFunction:
    """A tf.function loaded from a SavedModel: dispatches to the matching traced function."""

    _arroyo_restored_function = True

    def __init__(
        self, name, spec, input_signature, concrete_functions, jit_compile=0, is_method=False
    ):
        self._name = name
        self._fullargspec = spec
        self._input_signature = input_signature
        self._concrete_functions = list(concrete_functions)
        self._jit_compile = jit_compile
        self._is_method = is_method
        self._signature = _python_signature(spec)
        self._fast = {}

    @property
    def name(self):
        return self._name

    @property
    def input_signature(self):
        return self._input_signature

    @property
    def concrete_functions(self):
        return list(self._concrete_functions)

    def _list_all_concrete_functions_for_serialization(self):
        return list(self._concrete_functions)

    def _list_all_concrete_functions(self):
        return list(self._concrete_functions)

    @property
    def python_function(self):
        return self

    def __repr__(self):
        return f"<arroyo RestoredFunction {self._name}>"

    def _function_spec_proto(self, out):
        st.encode(self._fullargspec, out.fullargspec)
        out.is_method = self._is_method
        if self._input_signature is None:
            out.input_signature.none_value.SetInParent()
        else:
            st.encode(tuple(self._input_signature), out.input_signature)
        out.jit_compile = self._jit_compile

    def _bind(self, args, kwargs):
        if self._signature is None:
            return tuple(args), dict(kwargs)
        try:
            bound = self._signature.bind(*args, **kwargs)
        except TypeError as e:
            raise TypeError(
                f"Binding inputs to tf.function failed due to `{e}`. Received args: {args} and "
                f"kwargs: {kwargs} for signature: {self._signature}."
            ) from None
        bound.apply_defaults()
        spec = self._fullargspec
        positional = [bound.arguments[a] for a in spec.args]
        if spec.varargs:
            positional.extend(bound.arguments.get(spec.varargs, ()))
        kw = {k: bound.arguments[k] for k in spec.kwonlyargs}
        if spec.varkw:
            kw.update(bound.arguments.get(spec.varkw, {}))
        return tuple(positional), kw

    def _check_input_signature(self, args, kwargs, positional):
        sig = self._input_signature
        for a, s in zip(nest.flatten(list(positional[: len(sig)])), nest.flatten(list(sig))):
            if not isinstance(s, TensorSpec):
                continue
            t = a.value() if _is_variable(a) else a
            if not isinstance(t, Tensor):
                try:
                    t = convert_to_tensor(t, dtype=s.dtype)
                except (TypeError, ValueError):
                    continue
            if t.dtype != s.dtype or not s.shape.is_compatible_with(t.shape):
                params = ", ".join(f"{n}: {TensorSpec(x.shape, x.dtype)!r}" if isinstance(x, TensorSpec) else n
                                   for n, x in zip(self._fullargspec.args, sig))  # fmt: skip
                raise TypeError(
                    f"Binding inputs to tf.function failed due to `Can not cast "
                    f"{TensorSpec(t.shape, t.dtype)!r} to {TensorSpec(s.shape, s.dtype)!r}`. Received "
                    f"args: {args} and kwargs: {kwargs} for signature: ({params})."
                )

    def __call__(self, *args, **kwargs):
        if not kwargs:
            key = _fast_key(args)
            cf = self._fast.get(key) if key is not None else None
            if cf is not None:
                return cf._call_flat(list(args))
        positional, kw = self._bind(args, kwargs)
        if self._input_signature is not None:
            self._check_input_signature(args, kwargs, positional)
        for allow_conversion in (False, True):
            for cf in self._concrete_functions:
                flat = _match(
                    (positional, kw), (cf._saved_args, cf._saved_kwargs), allow_conversion
                )
                if flat is not None:
                    if (
                        not kwargs
                        and not allow_conversion
                        and len(positional) == len(args)
                        and not kw
                    ):
                        key = _fast_key(args)
                        if key is not None and all(
                            isinstance(s, TensorSpec) for s in cf._saved_args
                        ):
                            self._fast[key] = cf  # eager tensors of these dtypes/shapes: this one
                    return cf._call_flat(flat)
        raise ValueError(self._no_match_message(positional, kw))

    def get_concrete_function(self, *args, **kwargs):
        """The loaded concrete function matching these arguments (TensorSpecs allowed)."""
        positional, kw = self._bind(args, kwargs) if (args or kwargs) else ((), {})
        if not args and not kwargs and len(self._concrete_functions) == 1:
            return self._concrete_functions[0]
        for cf in self._concrete_functions:
            if (
                _match((positional, kw), (cf._saved_args, cf._saved_kwargs), True, specs_ok=True)
                is not None
            ):
                return cf
        raise ValueError(self._no_match_message(positional, kw))

    def _no_match_message(self, args, kwargs):
        def fmt_args(items):
            lines = [f"  Positional arguments ({len(items)} total):"]
            lines += [f"    * {_describe(a)}" for a in items]
            return lines

        lines = [
            "Could not find matching concrete function to call loaded from the SavedModel. Got:"
        ]
        lines += fmt_args(args)
        lines.append(f"  Keyword arguments: {kwargs}")
        lines.append("")
        n = len(self._concrete_functions)
        lines.append(f" Expected these arguments to match one of the following {n} option(s):")
        for i, cf in enumerate(self._concrete_functions, 1):
            lines.append("")
            lines.append(f"Option {i}:")
            lines += fmt_args(list(cf._saved_args))
            lines.append(f"  Keyword arguments: {cf._saved_kwargs}")
        return "\n".join(lines)


def _fast_key(args):
    """Dtypes and shapes of an all-eager-tensor call (None otherwise)."""
    key = []
    for a in args:
        if type(a) is not EagerTensor:
            return None
        key.append((a.dtype, np.shape(a._value)))
    return tuple(key)


def _describe(x):
    if isinstance(x, Tensor):
        return f"<tf.Tensor shape={x.shape} dtype={x.dtype.name}>"
    if _is_variable(x):
        return f"<tf.Variable shape={x.shape} dtype={x.dtype.name}>"
    return repr(x)


def _python_signature(spec):
    if spec is None:
        return None
    params = []
    defaults = list(spec.defaults or ())
    first_default = len(spec.args) - len(defaults)
    for i, a in enumerate(spec.args):
        d = defaults[i - first_default] if i >= first_default else inspect.Parameter.empty
        params.append(inspect.Parameter(a, inspect.Parameter.POSITIONAL_OR_KEYWORD, default=d))
    if spec.varargs:
        params.append(inspect.Parameter(spec.varargs, inspect.Parameter.VAR_POSITIONAL))
    kwd = spec.kwonlydefaults or {}
    for a in spec.kwonlyargs:
        params.append(
            inspect.Parameter(
                a, inspect.Parameter.KEYWORD_ONLY, default=kwd.get(a, inspect.Parameter.empty)
            )
        )
    if spec.varkw:
        params.append(inspect.Parameter(spec.varkw, inspect.Parameter.VAR_KEYWORD))
    try:
        return inspect.Signature(params)
    except ValueError:
        return None


class _NoMatch(Exception):
    pass


def _match(value, spec, allow_conversion, specs_ok=False):
    """Flat tensors of `value` if it fits `spec` (TensorSpecs and Python values), else None."""
    out = []
    try:
        _match_into(value, spec, allow_conversion, specs_ok, out)
    except _NoMatch:
        return None
    return out


def _match_into(value, spec, conv, specs_ok, out):
    if isinstance(spec, TensorSpec):
        if specs_ok and isinstance(value, TensorSpec):
            if value.dtype != spec.dtype or not spec.shape.is_compatible_with(value.shape):
                raise _NoMatch
            out.append(value)
            return
        t = value.value() if _is_variable(value) else value
        if not isinstance(t, Tensor):
            if not conv or isinstance(value, (TensorSpec, type(None))):
                raise _NoMatch
            try:
                t = convert_to_tensor(t, dtype=spec.dtype)
            except (TypeError, ValueError, InvalidArgumentError):
                raise _NoMatch from None
        if t.dtype != spec.dtype or not spec.shape.is_compatible_with(t.shape):
            raise _NoMatch
        out.append(t)
        return
    if isinstance(spec, dict):
        if not isinstance(value, dict) or set(value) != set(spec):
            raise _NoMatch
        for k in sorted(spec):
            _match_into(value[k], spec[k], conv, specs_ok, out)
        return
    if isinstance(spec, (list, tuple)):
        if not isinstance(value, (list, tuple)) or len(value) != len(spec):
            raise _NoMatch
        if hasattr(type(spec), "_fields") != hasattr(type(value), "_fields"):
            raise _NoMatch
        for v, s in zip(value, spec):
            _match_into(v, s, conv, specs_ok, out)
        return
    if isinstance(value, Tensor) or _is_variable(value) or isinstance(value, TensorSpec):
        raise _NoMatch
    try:
        same = value == spec
        if isinstance(same, np.ndarray):
            same = same.all()
        same = bool(same)
    except Exception:  # noqa: BLE001 - incomparable values do not match
        same = False
    if same and isinstance(value, bool) != isinstance(spec, bool):
        same = False
    if not same:
        raise _NoMatch


# -- the loader ---------------------------------------------------------------------------------


def _read_saved_model(export_dir):
    sm = tp.pb("saved_model_pb2")
    pb_path = os.path.join(export_dir, "saved_model.pb")
    txt_path = os.path.join(export_dir, "saved_model.pbtxt")
    model = sm.SavedModel()
    if os.path.isfile(pb_path):
        with open(pb_path, "rb") as fh:
            data = fh.read()
        try:
            model.ParseFromString(data)
        except Exception as e:  # noqa: BLE001 - protobuf's DecodeError
            raise OSError(f"Cannot parse file {pb_path}: {e}.") from None
        return model
    if os.path.isfile(txt_path):
        from google.protobuf import text_format

        with open(txt_path) as fh:
            try:
                text_format.Parse(fh.read(), model)
            except text_format.ParseError as e:
                raise OSError(f"Cannot parse file {txt_path}: {e}.") from None
        return model
    raise OSError(
        f"SavedModel file does not exist at: {export_dir}{os.sep}{{saved_model.pbtxt|saved_model.pb}}"
    )


def _meta_graph(model, export_dir, tags):
    if not model.meta_graphs:
        raise ValueError(f"The SavedModel at {export_dir} has no MetaGraphs.")
    if tags is None:
        if len(model.meta_graphs) > 1:
            have = [list(m.meta_info_def.tags) for m in model.meta_graphs]
            raise ValueError(
                f"Importing a SavedModel with `tf.saved_model.load` requires a `tags=` argument if "
                f"there is more than one MetaGraph. Got `tags=None`, but there are "
                f"{len(model.meta_graphs)} MetaGraphs in the SavedModel with tag sets: {have}."
            )
        return model.meta_graphs[0]
    if isinstance(tags, str):
        tags = [tags]
    for m in model.meta_graphs:
        if set(m.meta_info_def.tags) == set(tags):
            return m
    have = [list(m.meta_info_def.tags) for m in model.meta_graphs]
    raise RuntimeError(
        f"MetaGraphDef associated with tags {tags} could not be found in SavedModel, with "
        f"available tags '{have}'."
    )


class _Loader:
    def __init__(self, mg, export_dir, options):
        self.mg = mg
        self.export_dir = export_dir
        self.options = options or LoadOptions()
        self.proto = mg.object_graph_def
        self.importer = FunctionImporter(
            mg.graph_def.library, OpDefs(mg.meta_info_def.stripped_op_list)
        )
        self.nodes = [None] * len(self.proto.nodes)
        self.concrete = {}
        self._create_objects()
        self._restore_variables()
        self._connect()

    # -- objects --------------------------------------------------------------------------
    def _create_objects(self):
        from arroyo.graph.variable_lifting import init_scope

        nodes = self.proto.nodes
        with init_scope():
            for i, node in enumerate(nodes):
                kind = node.WhichOneof("kind")
                if kind == "variable":
                    self.nodes[i] = self._variable(node.variable)
                elif kind == "constant":
                    self.nodes[i] = self._constant(node.constant.operation)
                elif kind == "asset":
                    fd = self.mg.asset_file_def[node.asset.asset_file_def_index]
                    self.nodes[i] = _Asset(os.path.join(self.export_dir, "assets", fd.filename))
        # Functions capture variables and constants created above.
        for i, node in enumerate(nodes):
            kind = node.WhichOneof("kind")
            if kind == "function":
                self.nodes[i] = self._function(node.function)
            elif kind == "bare_concrete_function":
                self.nodes[i] = self._bare(node.bare_concrete_function)
            elif kind == "user_object":
                ident = node.user_object.identifier
                if ident == "trackable_list_wrapper":
                    self.nodes[i] = []
                elif ident == "trackable_dict_wrapper":
                    self.nodes[i] = {}
                elif ident == "trackable_tuple_wrapper":
                    self.nodes[i] = None  # built from its children below
                elif ident == "signature_map":
                    self.nodes[i] = _SignatureMap()
                else:
                    self.nodes[i] = AutoTrackable()
            elif kind in ("resource", "captured_tensor") or kind is None:
                self.nodes[i] = AutoTrackable()

    def _variable(self, proto):
        from arroyo.ops.variables import Variable

        dtype = tp.dtype_from_enum(proto.dtype)
        shape = tp.shape_from_proto(proto.shape)
        concrete = (
            [0 if d is None else d for d in shape.as_list()] if shape.rank is not None else []
        )
        np_dtype = object if dtype is dtypes.string else dtypes.np_dtype(dtype)
        init = (
            np.zeros(concrete, dtype=np_dtype)
            if np_dtype is not object
            else np.full(concrete, b"", dtype=object)
        )
        name = proto.name or None
        var = Variable(init, trainable=proto.trainable, name=name, dtype=dtype,
                       shape=shape if not shape.is_fully_defined() else None,
                       synchronization=int(proto.synchronization), aggregation=int(proto.aggregation))  # fmt: skip
        if name is not None:
            var._handle_name = name
            var._name = name + ":0"
        return var

    def _constant(self, operation):
        for n in self.mg.graph_def.node:
            if n.name == operation:
                return convert_to_tensor(tp.tensor_from_proto(n.attr["value"].tensor),
                                         dtype=tp.dtype_from_enum(n.attr["dtype"].type))  # fmt: skip
        raise ValueError(f"The SavedModel's graph has no constant named {operation}")

    def _concrete_function(self, name):
        cf = self.concrete.get(name)
        if cf is not None:
            return cf
        scf = self.proto.concrete_functions.get(name)
        if scf is not None:
            captures = [self.nodes[i] for i in scf.bound_inputs]
            sig = (
                st.decode(scf.canonicalized_input_signature)
                if scf.HasField("canonicalized_input_signature")
                else None
            )
            out_sig = (
                st.decode(scf.output_signature)
                if scf.HasField("output_signature")
                else _NO_SIGNATURE
            )
        else:
            captures, sig, out_sig = [], None, _NO_SIGNATURE
        args, kwargs = sig if isinstance(sig, (list, tuple)) and len(sig) == 2 else ((), {})
        args = tuple(args)
        kwargs = dict(kwargs or {})
        specs = [x for x in nest.flatten((args, kwargs)) if isinstance(x, TensorSpec)]
        try:
            graph, inputs, outputs = self.importer.import_function(name, captures, specs)
        except (NotImplementedError, ValueError, KeyError) as e:
            _log.warning("SavedModel function %s could not be loaded: %s", name, e)
            cf = _BrokenFunction(name, e, args, kwargs)
            self.concrete[name] = cf
            return cf
        if out_sig is _NO_SIGNATURE:
            out_sig = TensorSpec(outputs[0].shape, outputs[0].dtype) if len(outputs) == 1 else \
                [TensorSpec(o.shape, o.dtype) for o in outputs]  # fmt: skip
        structured, template = _structure_outputs(out_sig, outputs, name)
        graph.structured_outputs = structured
        graph.structured_input_signature = (args, kwargs)
        cf = RestoredConcreteFunction(graph, inputs, [o for o in outputs if not _is_variable(o)], structured,
                                      template, args, kwargs, name)  # fmt: skip
        self.concrete[name] = cf
        return cf

    def _function(self, proto):
        spec = proto.function_spec
        fullargspec = st.decode(spec.fullargspec) if spec.HasField("fullargspec") else None
        input_signature = (
            st.decode(spec.input_signature) if spec.HasField("input_signature") else None
        )
        cfs = [self._concrete_function(n) for n in proto.concrete_functions]
        if fullargspec is not None and not hasattr(fullargspec, "args"):
            fullargspec = None
        name = _clean_name(proto.concrete_functions[0]) if proto.concrete_functions else "function"
        return RestoredFunction(
            name, fullargspec, input_signature, cfs, int(spec.jit_compile), spec.is_method
        )

    def _bare(self, proto):
        cf = self._concrete_function(proto.concrete_function_name)
        if isinstance(cf, RestoredConcreteFunction):
            if proto.argument_keywords:
                cf._arg_keywords = list(proto.argument_keywords)
            cf._num_positional_args = int(proto.allowed_positional_arguments)
        return cf

    # -- edges ------------------------------------------------------------------------------
    def _connect(self):
        nodes = self.proto.nodes
        # Tuples are immutable: build them after their children (deepest first).
        for i in sorted((i for i, n in enumerate(nodes) if n.WhichOneof("kind") == "user_object"
                         and n.user_object.identifier == "trackable_tuple_wrapper"), reverse=True):  # fmt: skip
            self.nodes[i] = tuple(self.nodes[r.node_id] for r in nodes[i].children)
        for i, node in enumerate(nodes):
            obj = self.nodes[i]
            kind = node.WhichOneof("kind")
            if kind in ("function", "bare_concrete_function") or isinstance(obj, tuple):
                continue
            for ref in node.children:
                child = self.nodes[ref.node_id]
                if isinstance(obj, list):
                    obj.append(child)
                elif isinstance(obj, _SignatureMap):
                    obj._add(ref.local_name, child)
                elif isinstance(obj, dict):
                    obj[ref.local_name] = child
                elif isinstance(obj, AutoTrackable) or hasattr(obj, "__dict__"):
                    try:
                        setattr(obj, ref.local_name, child)
                    except (AttributeError, TypeError):
                        continue
                    if ref.local_name == "__call__" and isinstance(obj, AutoTrackable):
                        # Python looks `__call__` up on the type: give this object its own class.
                        obj.__class__ = type(
                            "_UserObject", (type(obj),), {"__call__": _call_attribute}
                        )
        root = self.nodes[0]
        if isinstance(root, AutoTrackable):
            if not hasattr(root, "signatures"):
                root.signatures = _SignatureMap()
            root.tensorflow_version = self.mg.meta_info_def.tensorflow_version
            root.tensorflow_git_version = self.mg.meta_info_def.tensorflow_git_version

    # -- variable values -----------------------------------------------------------------------
    def _restore_variables(self):
        ck, tb = tp.training()
        BundleReader = tb.BundleReader

        if self.options.experimental_skip_checkpoint:
            return
        variables = [i for i, o in enumerate(self.nodes) if _is_variable(o)]
        prefix = os.path.join(self.export_dir, "variables", "variables")
        if not os.path.exists(prefix + ".index"):
            if variables:
                from arroyo.framework.errors import NotFoundError

                raise NotFoundError(None, None, f"Failed to find any matching files for {prefix}")
            return
        reader = BundleReader(prefix)
        if not reader.has_tensor(ck.OBJECT_GRAPH_KEY):
            raise ValueError(
                f"The checkpoint in {prefix} has no object graph; cannot restore variables."
            )
        graph = tp.pb("tensor_bundle_pb2").TrackableObjectGraph.FromString(
            reader.get(ck.OBJECT_GRAPH_KEY)[()]
        )
        children = [{r.local_name: r.node_id for r in n.children} for n in self.proto.nodes]
        restored = set()
        stack, seen = [(0, 0)], set()
        while stack:
            ck_id, sm_id = stack.pop()
            if (ck_id, sm_id) in seen:
                continue
            seen.add((ck_id, sm_id))
            obj = self.nodes[sm_id]
            cnode = graph.nodes[ck_id]
            if _is_variable(obj):
                for attr in cnode.attributes:
                    if attr.name == ck.VARIABLE_VALUE:
                        self._assign(obj, reader, attr.checkpoint_key)
                        restored.add(sm_id)
            for ref in cnode.children:
                child = children[sm_id].get(ref.local_name)
                if child is not None:
                    stack.append((ref.node_id, child))
        missing = [i for i in variables if i not in restored]
        if missing and not self.options.allow_partial_checkpoint:
            names = ", ".join(self.nodes[i].name for i in missing[:10])
            raise AssertionError(
                f"Some Python objects were not bound to checkpointed values, likely due to changes "
                f"in the Python program: {names}"
            )

    @staticmethod
    def _assign(var, reader, key):
        value = reader.get(key)
        ck_dtype = reader.dtype(key)
        if ck_dtype != var.dtype:
            raise ValueError(
                f"Received tensor of dtype {ck_dtype.name} when attempting to restore variable "
                f"{var.name} of dtype {var.dtype.name} (key {key})."
            )
        if var.shape.rank is not None and not var.shape.is_compatible_with(value.shape):
            raise ValueError(
                f"Received incompatible tensor with shape {tuple(value.shape)} when attempting to "
                f"restore variable with shape {var.shape} and name {key}."
            )
        var.assign(value if value.ndim else value[()])


_NO_SIGNATURE = object()


def _structure_outputs(out_sig, outputs, name):
    """Packs the flat outputs into the saved output structure (TensorSpec leaves, in order)."""
    leaves = nest.flatten(out_sig)
    n_specs = sum(isinstance(x, TensorSpec) for x in leaves)
    tensors = [o for o in outputs if not _is_variable(o)]
    if n_specs != len(tensors):
        raise ValueError(
            f"Function {name} returns {len(tensors)} tensors but its saved output signature has {n_specs}"
        )
    it = iter(range(len(tensors)))
    template, packed = [], []
    for x in leaves:
        if isinstance(x, TensorSpec):
            k = next(it)
            template.append(k)
            packed.append(tensors[k])
        else:
            template.append(("py", x))
            packed.append(x)
    return nest.pack_sequence_as(out_sig, packed), template


def _clean_name(name):
    """`__inference_multiply_19` -> `multiply` (TF's display name of a function)."""
    import re

    m = re.match(r"^__inference_(.*)_\d+$", name)
    return m.group(1) if m else name


def load(export_dir, tags=None, options=None):
    """Loads a SavedModel written by `tf.saved_model.save` (arroyo's or TensorFlow's).

    >>> loaded = tf.saved_model.load("/tmp/adder")             # doctest: +SKIP
    >>> loaded.signatures["serving_default"](x=tf.constant(1.0))  # doctest: +SKIP
    {'output_0': <tf.Tensor: shape=(), dtype=float32, numpy=2.0>}
    """
    export_dir = os.fspath(export_dir)
    model = _read_saved_model(export_dir)
    mg = _meta_graph(model, export_dir, tags)
    if not mg.HasField("object_graph_def") or not mg.object_graph_def.nodes:
        raise NotImplementedError(
            f"The SavedModel at {export_dir} was written by TensorFlow 1 (no object graph); arroyo "
            "loads TF2 SavedModels (tf.saved_model.save)."
        )
    return _Loader(mg, export_dir, options).nodes[0]
