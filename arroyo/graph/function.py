"""`tf.function`: trace Python into a FuncGraph once per input signature, then run a plan.

The trace cache is keyed like TF's: tensors by (dtype, shape), Python values by value,
nested structures by structure, Variables by identity. Python side effects happen only
while tracing. A ConcreteFunction compiles its graph (after the optimization passes) into
a straight-line plan (see executor.py), so calling it costs about one Python call per
kernel. When a GradientTape watches an input or a captured Variable, the call is replayed
op by op through the normal dispatch, so the tape records it like eager code.
"""

from __future__ import annotations

import functools
import inspect
import logging
import weakref

import numpy as np

from arroyo.framework import dtypes
from arroyo.framework.composite_tensor import CompositeTensor, TypeSpec
from arroyo.framework.context import state
from arroyo.framework.errors import InvalidArgumentError
from arroyo.framework.tensor import EagerTensor, Tensor, TensorSpec, _wrap, convert_to_tensor
from arroyo.framework.tensor_shape import TensorShape
from arroyo.graph.graph import FuncGraph, SymbolicTensor
from arroyo.util import nest

__all__ = ["function", "Function", "ConcreteFunction"]

_log = logging.getLogger("arroyo")

# Frequent retracing warning, as TF: 5 tracings within the last 10 calls of one Python
# function (all tf.functions of the same code share the count, so re-creating a
# tf.function in a loop is caught too); at most 2 warnings per function.
_RETRACE_WARN_THRESHOLD = 5
_RETRACE_CALL_HISTORY = 10
_RETRACE_MAX_WARNINGS = 2


class _TracingStats:
    """Calls per tracing of one Python function (TF's frequent-tracing detector).

    Calls that did not trace are only counted (`calls`); they are folded into the
    history when the next tracing happens, which is when TF looks at them too."""

    __slots__ = ("calls", "_accounted", "_per_tracing", "_window", "_warnings", "last_traced",
                 "last_owner", "__weakref__")  # fmt: skip

    def __init__(self):
        self.calls = 0  # every call, incremented on the fast path
        self._accounted = 0
        self._per_tracing: list[int] = []
        self._window = 0
        self._warnings = 0
        self.last_traced = None  # [(argument name, description)] of the latest tracing call
        self.last_owner = None  # weak reference to the tf.function that traced it

    def traced(self):
        """Records that the current call traced; returns (tracings, calls) to warn about."""
        untraced = self.calls - 1 - self._accounted
        self._accounted = self.calls
        if untraced > 0:
            if not self._per_tracing:
                self._per_tracing.append(0)
            self._per_tracing[-1] += untraced
            self._window += untraced
        self._window += 1
        self._per_tracing.append(1)
        while self._per_tracing and self._window - self._per_tracing[0] > _RETRACE_CALL_HISTORY:
            self._window -= self._per_tracing.pop(0)
        if self._warnings >= _RETRACE_MAX_WARNINGS:
            return None
        if len(self._per_tracing) >= _RETRACE_WARN_THRESHOLD:
            self._warnings += 1
            return len(self._per_tracing), self._window
        return None


_tracing_stats: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _stats_for(python_function):
    target = python_function
    while hasattr(target, "__wrapped__"):
        target = target.__wrapped__
    target = getattr(target, "__func__", target)
    key = getattr(target, "__code__", target)
    try:
        stats = _tracing_stats.get(key)
        if stats is None:
            stats = _tracing_stats[key] = _TracingStats()
    except TypeError:  # not weak-referenceable: a private count
        stats = _TracingStats()
    return stats


def _describe_leaf(x):
    if isinstance(x, Tensor):
        return repr(TensorSpec(x.shape, x.dtype))
    if _is_variable(x):
        return f"Variable {getattr(x, 'name', '')!s} (id {id(x):#x})"
    text = repr(x)
    return text if len(text) <= 60 else text[:57] + "..."


def _is_variable(x):
    return getattr(x, "_is_arroyo_variable", False)


class _Unhashable:
    __slots__ = ("obj",)

    def __init__(self, obj):
        self.obj = obj

    def __eq__(self, other):
        return isinstance(other, _Unhashable) and other.obj is self.obj

    def __hash__(self):
        return id(self.obj)


def _leaf_key(x):
    """Cache-key part of one argument leaf; tensors are also collected as inputs."""
    if isinstance(x, Tensor):
        return ("T", x.dtype, x.shape._dims)
    if _is_variable(x):
        return ("V", id(x))
    if isinstance(x, CompositeTensor):  # SparseTensor, RaggedTensor: keyed by their TypeSpec
        spec = x._type_spec
        return ("C", spec)
    if isinstance(x, (int, float, str, bytes, bool, type(None), complex)):
        return ("P", type(x), x)
    if isinstance(x, np.ndarray):
        return ("N", x.dtype.str, x.shape, x.tobytes())
    try:
        hash(x)
    except TypeError:
        return ("O", _Unhashable(x))
    return ("H", type(x), x)


def _make_key(args):
    flat = nest.flatten(args)
    struct = _structure_sig(args)
    return (struct, tuple(_leaf_key(x) for x in flat))


_SCALAR_TYPES = (int, float, bool, str, type(None))


def _fast_key(args):
    """A cache key for a flat call of eager tensors and Python scalars, else None."""
    key = []
    for a in args:
        t = type(a)
        if t is EagerTensor:
            v = a._value
            key.append((v.dtype, v.shape))
        elif t in _SCALAR_TYPES:
            key.append((t, a))
        else:
            return None
    return tuple(key)


def _structure_sig(x):
    if isinstance(x, dict):
        return ("d", tuple((k, _structure_sig(x[k])) for k in sorted(x, key=repr)))
    if isinstance(x, (list, tuple)):
        return (type(x).__name__, tuple(_structure_sig(v) for v in x))
    return None


class Function:
    """A Python callable compiled by tracing (TF's `tf.function` object).

    >>> @tf.function
    ... def f(x):
    ...     return x * 2
    >>> f(tf.constant(3)).numpy()
    6
    """

    def __init__(self, python_function, name=None, input_signature=None, autograph=True,
                 jit_compile=None, reduce_retracing=False, experimental_relax_shapes=None,
                 experimental_compile=None, experimental_implements=None,
                 experimental_autograph_options=None, experimental_attributes=None,
                 experimental_follow_type_hints=None):  # fmt: skip
        self._python_function = python_function
        self._name = name or getattr(python_function, "__name__", "function")
        self._input_signature = None if input_signature is None else tuple(input_signature)
        self._autograph = autograph
        self._jit_compile = jit_compile
        self._reduce_retracing = bool(reduce_retracing or experimental_relax_shapes)
        self._cache: dict = {}
        self._fast_cache: dict = {}  # flat (tensor/scalar) call signature -> ConcreteFunction
        self._general: dict = {}  # reduce_retracing: shape-free key -> [(shapes, function)]
        self._shape_overrides = None  # placeholder shapes of the trace in progress
        self._tracing_count = 0
        self._stats = _stats_for(python_function)
        self._created_variables = False
        self._instance_functions = weakref.WeakKeyDictionary()
        self._signature = None
        self._converted = None
        self._descriptor_owner = None
        functools.update_wrapper(self, python_function)

    # -- method support: one cache per instance ---------------------------------------
    def __get__(self, instance, owner):
        if instance is None:
            return self
        try:
            bound = self._instance_functions.get(instance)
        except TypeError:
            bound = None
        if bound is None:
            bound = Function(
                self._python_function.__get__(instance, owner), name=self._name,
                input_signature=self._input_signature, autograph=self._autograph,
                jit_compile=self._jit_compile, reduce_retracing=self._reduce_retracing,
            )  # fmt: skip
            try:
                self._instance_functions[instance] = bound
            except TypeError:
                pass
        return bound

    @property
    def python_function(self):
        return self._python_function

    @property
    def input_signature(self):
        return self._input_signature

    @property
    def function_spec(self):
        return inspect.signature(self._python_function)

    def experimental_get_tracing_count(self) -> int:
        return self._tracing_count

    # -- calling ----------------------------------------------------------------------
    def __call__(self, *args, **kwargs):
        if state.run_functions_eagerly:
            return self._python_function(*args, **kwargs)
        self._stats.calls += 1
        if not kwargs and self._input_signature is None:
            # Fast path: a flat call of eager tensors and Python scalars (the common case)
            # keyed without walking nested structures.
            fast_key = _fast_key(args)
            if fast_key is not None:
                cf = self._fast_cache.get(fast_key)
                if cf is not None:
                    return cf._call_fast(args)
                cf = self._lookup(args)
                if cf is None:
                    cf = self._trace(args)
                    self._check_retracing(args)
                self._fast_cache[fast_key] = cf
                return cf._call_with_structure(args)
        if kwargs or self._input_signature is not None:
            args = self._canonicalize(args, kwargs)
        cf = self._cache.get(None) if self._input_signature is not None else self._lookup(args)
        if cf is None:
            cf = self._trace(args)
            self._check_retracing(args)
        return cf._call_with_structure(args)

    def _lookup(self, args):
        """The traced function for `args`, or None. With reduce_retracing, as TF, a trace
        whose input shapes are more general than these arguments' serves them too."""
        key = _make_key(args)
        cf = self._cache.get(key)
        if cf is None and self._reduce_retracing:
            gkey, shapes, _ = _general_key(args)
            for traced, candidate in reversed(self._general.get(gkey, ())):
                if all(t.is_compatible_with(s) for t, s in zip(traced, shapes)):
                    self._cache[key] = cf = candidate
                    break
        return cf

    def _check_retracing(self, args):
        """TF's frequent-retracing warning, naming the argument that changed."""
        names = _leaf_names(self._python_function, args)
        now = [(n, _describe_leaf(x)) for n, x in zip(names, nest.flatten(args))]
        stats = self._stats
        before, stats.last_traced = stats.last_traced, now
        same_owner = stats.last_owner is not None and stats.last_owner() is self
        stats.last_owner = weakref.ref(self)
        found = stats.traced()
        if found is None:
            return
        changed = ""
        if before is not None and not same_owner:
            changed = (" This call traced a new tf.function object made for the same Python "
                       "function (created again, e.g. in a loop).")  # fmt: skip
        elif before is not None and len(before) == len(now):
            for (name, old), (_, new) in zip(before, now):
                if old != new:
                    changed = f" This call retraced because argument `{name}` changed from {old} to {new}."
                    break
        elif before is not None:
            changed = " This call retraced because the structure of the arguments changed."
        _log.warning(
            "%d out of the last %d calls to %s triggered tf.function retracing. Tracing is "
            "expensive and the excessive number of tracings could be due to (1) creating "
            "@tf.function repeatedly in a loop, (2) passing tensors with different shapes, "
            "(3) passing Python objects instead of tensors. For (1), please define your "
            "@tf.function outside of the loop. For (2), @tf.function has reduce_retracing=True "
            "option that can avoid unnecessary retracing. For (3), please refer to "
            "https://www.tensorflow.org/guide/function#controlling_retracing and "
            "https://www.tensorflow.org/api_docs/python/tf/function for  more details.%s",
            found[0], found[1], self._python_function, changed,
        )  # fmt: skip

    def _canonicalize(self, args, kwargs):
        """Binds keyword arguments to positions (the cache keys on positions)."""
        if self._signature is None:
            self._signature = inspect.signature(self._python_function)
        sig = self._signature
        try:
            bound = sig.bind(*args, **kwargs)
        except TypeError as e:
            raise TypeError(f"{self._name}() {e}") from None
        bound.apply_defaults()
        out = []
        keywords = _KwArgs()
        for p in sig.parameters.values():
            if p.kind == p.VAR_POSITIONAL:
                out.extend(bound.arguments.get(p.name, ()))
            elif p.kind == p.VAR_KEYWORD:
                keywords.update(bound.arguments.get(p.name, {}))
            elif p.kind == p.KEYWORD_ONLY:
                keywords[p.name] = bound.arguments[p.name]
            else:
                out.append(bound.arguments[p.name])
        if keywords:
            out.append(keywords)  # keyword-only arguments travel as one trailing dict
        if self._input_signature is not None:
            n = len(self._input_signature)
            if len(out) < n:
                raise TypeError(f"{self._name}() missing arguments for its input_signature")
            sig_args = out[:n]
            sig = list(self._input_signature)
            converted = []
            for a, spec in zip(nest.flatten_up_to(sig, sig_args), nest.flatten(sig)):
                if isinstance(spec, TypeSpec):
                    if not spec.is_compatible_with(a):
                        got, want = _first_mismatch(a, spec)
                        raise TypeError(
                            f"Binding inputs to tf.function failed due to `Can not cast {got!r} "
                            f"to {want!r}`. Received args: {args} and kwargs: {kwargs} for "
                            f"signature: {self._input_signature}."
                        )
                    converted.append(a)
                    continue
                if isinstance(spec, TensorSpec):
                    t = (
                        a
                        if isinstance(a, Tensor) or _is_variable(a)
                        else convert_to_tensor(a, dtype=spec.dtype)
                    )
                    if t.dtype != spec.dtype or not spec.shape.is_compatible_with(t.shape):
                        raise TypeError(
                            f"Binding inputs to tf.function failed due to `Can not cast "
                            f"{TensorSpec(t.shape, t.dtype)!r} to {spec!r}`. Received args: {args} and kwargs: {kwargs} "
                            f"for signature: {self._input_signature}."
                        )
                    a = t  # NumPy arrays and Python values are passed on as tensors, as TF does
                converted.append(a)
            out[:n] = nest.pack_sequence_as(sig, converted)
        return tuple(out)

    def _convert_python_args(self, args):
        return args

    def _trace(self, args):
        if self._input_signature is not None:
            cf = self._cache[None] = self._trace_concrete(args)
            return cf
        key = _make_key(args)
        if not self._reduce_retracing:
            cf = self._cache[key] = self._trace_concrete(args)
            return cf
        # reduce_retracing, as TF: the first trace keeps the call's shapes; a later one uses
        # the most specific shapes common to this call and the previous trace (dims that
        # differ become None; a different rank, an unknown shape).
        gkey, shapes, tensors = _general_key(args)
        traces = self._general.setdefault(gkey, [])
        if traces:
            shapes = [_common_shape(a, b) for a, b in zip(traces[-1][0], shapes)]
        self._shape_overrides = {id(t): sh for t, sh in zip(tensors, shapes)}
        try:
            cf = self._trace_concrete(args)
        finally:
            self._shape_overrides = None
        traces.append((shapes, cf))
        self._cache[key] = cf
        return cf

    def _trace_concrete(self, args, input_signature=None):
        signature = input_signature if input_signature is not None else self._input_signature
        self._tracing_count += 1
        fn = self._python_function
        if self._autograph:
            fn = self._autograph_converted()
        return trace(fn, args, self._name, signature, self)

    def _autograph_converted(self):
        if self._converted is None:
            try:
                from arroyo.graph import autograph

                self._converted = autograph.convert(self._python_function)
            except (ImportError, AttributeError, NotImplementedError):
                self._converted = self._python_function
        return self._converted

    def get_concrete_function(self, *args, **kwargs):
        """The ConcreteFunction for these arguments (TensorSpecs allowed), tracing if needed."""
        if not args and not kwargs and self._input_signature is not None:
            args = tuple(self._input_signature)
        elif kwargs:
            args = self._canonicalize(args, kwargs)
        if self._input_signature is not None and not args:
            args = tuple(self._input_signature)
        if any(isinstance(a, (TensorSpec, TypeSpec)) for a in nest.flatten(args)):
            key = ("spec", _spec_key(args))
            cf = self._cache.get(key)
            if cf is None:
                cf = self._trace_concrete(args, input_signature=args)
                self._cache[key] = cf
            return cf
        cf = self._cache.get(None) if self._input_signature is not None else self._lookup(args)
        if cf is None:
            cf = self._trace(args)
        return cf

    def __repr__(self):
        return f"<arroyo Function {self._name}>"


def _spec_key(args):
    return tuple(
        (s.dtype, s.shape._dims) if isinstance(s, TensorSpec) else _leaf_key(s)
        for s in nest.flatten(args)
    )


def trace(fn, args, name, input_signature=None, owner=None):
    """Traces `fn(*args)` into a new FuncGraph and returns its ConcreteFunction."""
    from arroyo.graph import variable_lifting

    graph = FuncGraph(name)
    graph._trace_feeds = {}
    saved_graph, saved_tapes = state.graph, state.tapes
    state.graph, state.tapes = graph, []
    placeholders = []
    try:

        def to_placeholder(x, spec=None):
            if isinstance(x, TensorSpec):
                spec = x
            if spec is not None and isinstance(spec, TensorSpec):
                ph = graph.placeholder(spec.dtype, spec.shape, name=spec.name or "x")
                placeholders.append(ph)
                return ph
            if isinstance(x, Tensor):
                ph = graph.placeholder(x.dtype, x.shape)
                placeholders.append(ph)
                return ph
            return x

        flat = nest.flatten(args, expand_composites=True)
        leaf_names = _leaf_names(owner._python_function if owner is not None else fn, args)
        name_iter = iter(leaf_names)
        to_placeholder_base = to_placeholder

        def to_placeholder(x, spec=None):  # noqa: F811 - names placeholders after parameters
            nm = next(name_iter, "x")
            if isinstance(x, TensorSpec) or isinstance(spec, TensorSpec):
                s = x if isinstance(x, TensorSpec) else spec
                s = TensorSpec(s.shape, s.dtype, s.name or nm)
                return to_placeholder_base(x if not isinstance(x, TensorSpec) else s, s)
            if isinstance(x, Tensor):
                overrides = getattr(owner, "_shape_overrides", None)
                shape = overrides.get(id(x), x.shape) if overrides else x.shape
                ph = to_placeholder_base(TensorSpec(shape, x.dtype, nm))
                if isinstance(x, EagerTensor):
                    graph._trace_feeds[id(ph)] = x._value
                return ph
            return x

        if input_signature is not None:
            specs = nest.flatten(list(input_signature), expand_composites=True)
            flat_in = [to_placeholder(x, s) for x, s in zip(flat, specs)] + [
                to_placeholder(x) for x in flat[len(specs) :]
            ]
        else:
            # composites get placeholders shaped by their TypeSpec's component specs (the
            # cache key), not by this call's component shapes
            comp_specs = nest.flatten(
                nest.map_structure(
                    lambda x: x._type_spec if isinstance(x, CompositeTensor) else None, args
                ),
                expand_composites=True,
            )
            if len(comp_specs) == len(flat) and any(s is not None for s in comp_specs):
                flat_in = [to_placeholder(x, s) for x, s in zip(flat, comp_specs)]
            else:
                flat_in = [to_placeholder(x) for x in flat]
        traced_args = nest.pack_sequence_as(args, flat_in, expand_composites=True)
        with variable_lifting.creation_scope(owner) as created:
            if traced_args and isinstance(traced_args[-1], _KwArgs):
                result = fn(*traced_args[:-1], **traced_args[-1])
            else:
                result = fn(*traced_args)
        result = nest.map_structure(_densify, result)
        flat_out = nest.flatten(result, expand_composites=True)
        outputs = []
        out_template = []
        for o in flat_out:
            if _is_variable(o):
                o = o.value()
            if isinstance(o, EagerTensor):
                o = graph.capture_constant(o._value)
            if isinstance(o, SymbolicTensor):
                if o.graph is not graph:
                    o = graph.capture_symbolic(o)
                outputs.append(o)
                out_template.append(len(outputs) - 1)
            elif o is not None and hasattr(o, "op") and hasattr(o, "graph"):
                out_template.append(("op", o))
            else:
                out_template.append(("py", o))
        graph.inputs = placeholders + [inner for _, inner in graph._symbolic_captures]
        graph.outputs = outputs
        graph.structured_outputs = result
        graph.structured_input_signature = args
        graph._trace_feeds = {}
    finally:
        state.graph, state.tapes = saved_graph, saved_tapes
    if created and owner is not None:
        if owner._created_variables:
            raise ValueError(
                f"tf.function only supports singleton tf.Variables created on the first call. "
                f"Make sure the tf.Variable is only created once or created outside tf.function. "
                f"See https://www.tensorflow.org/guide/function#creating_tfvariables for more "
                f"information. (function {name})"
            )
        owner._created_variables = True
    return ConcreteFunction(graph, placeholders, outputs, result, out_template, args, name)


class ConcreteFunction:
    """One traced graph of a Function, callable on tensors matching its signature."""

    def __init__(
        self, graph, inputs, outputs, structured_outputs, out_template, structured_args, name
    ):
        self.graph = graph
        self._inputs = inputs
        self._outputs = outputs
        self._structured_outputs = structured_outputs
        self._out_template = out_template
        self._structured_args = structured_args
        self._name = name
        self._plan = None
        self._arg_specs = [TensorSpec(p.shape, p.dtype) for p in inputs]
        # The function returns exactly one tensor: its result needs no repacking.
        self._single_output = out_template == [0] and isinstance(structured_outputs, Tensor)

    # -- TF's ConcreteFunction attributes ----------------------------------------------
    @property
    def name(self):
        return self._name

    @property
    def inputs(self):
        return list(self.graph.inputs) + [v for v in self.graph._variables]

    @property
    def outputs(self):
        return list(self._outputs)

    @property
    def structured_outputs(self):
        return self._structured_outputs

    @property
    def structured_input_signature(self):
        specs = nest.map_structure(
            lambda x: TensorSpec(x.shape, x.dtype) if isinstance(x, Tensor) else x,
            self._structured_args,
        )
        return (tuple(specs) if isinstance(specs, (list, tuple)) else (specs,), {})

    @property
    def variables(self):
        return tuple(self.graph._variables)

    @property
    def trainable_variables(self):
        return tuple(v for v in self.graph._variables if v.trainable)

    @property
    def captured_inputs(self):
        return list(self.graph._variables)

    @property
    def output_dtypes(self):
        return nest.map_structure(lambda t: t.dtype, self._structured_outputs)

    @property
    def output_shapes(self):
        return nest.map_structure(lambda t: t.shape, self._structured_outputs)

    def pretty_printed_signature(self, verbose=True):
        args = ", ".join(
            f"{getattr(p.op, 'name', 'x')}: TensorSpec(shape={p.shape}, dtype={p.dtype!r}, name={p.op.name!r})"
            for p in self._inputs
        )
        outs = nest.map_structure(
            lambda t: (
                f"TensorSpec(shape={t.shape}, dtype={t.dtype!r}, name=None)"
                if isinstance(t, Tensor)
                else repr(t)
            ),
            self._structured_outputs,
        )
        return f"Input Parameters:\n  {args}\nOutput Type:\n  {outs}"

    def __repr__(self):
        return f"<ConcreteFunction {self._name} at 0x{id(self):X}>"

    # -- execution --------------------------------------------------------------------
    def _compile(self):
        if self._plan is None:
            from arroyo.graph import executor, passes

            graph, inputs, outputs = passes.optimize(self.graph, self._inputs, self._outputs)
            self._optimized_graph = graph
            self._plan = executor.compile_plan(graph, inputs, outputs, name=_ident(self._name))
        return self._plan

    def _flat_tensor_args(self, args):
        return [x for x in nest.flatten(args) if isinstance(x, Tensor)]

    def _call_with_structure(self, args):
        flat = [x for x in nest.flatten(args, expand_composites=True) if isinstance(x, Tensor)]
        return self._call_flat(flat)

    def __call__(self, *args, **kwargs):
        """Calls with tensors matching the traced signature (TF's ConcreteFunction call)."""
        flat = nest.flatten((args, kwargs) if kwargs else args, expand_composites=True)
        tensors = []
        for x in flat:
            if isinstance(x, Tensor):
                tensors.append(x)
            elif _is_variable(x):
                tensors.append(x.value())
            elif isinstance(x, (np.ndarray, list, float, int)) and len(tensors) < len(self._inputs):
                tensors.append(convert_to_tensor(x, dtype=self._inputs[len(tensors)].dtype))
        if len(tensors) != len(self._inputs):
            raise TypeError(
                f"{self._name}(...) takes {len(self._inputs)} tensor argument(s) but "
                f"{len(tensors)} were given."
            )
        for i, (t, spec) in enumerate(zip(tensors, self._arg_specs)):
            if t.dtype != spec.dtype or not spec.shape.is_compatible_with(t.shape):
                raise InvalidArgumentError(
                    None, None,
                    f"Error while calling ConcreteFunction {self._name}: argument {i} expected "
                    f"{spec!r} but got a tensor with shape {t.shape} and dtype {t.dtype.name}.",
                )  # fmt: skip
        return self._call_flat(tensors)

    def _call_fast(self, args):
        """A call whose tensors are the eager tensors among `args`, in order."""
        st = state
        if st.graph is not None or st.tapes:
            return self._call_flat([a for a in args if type(a) is EagerTensor])
        plan = self._plan if self._plan is not None else self._compile()
        vals = plan(*[a._value for a in args if type(a) is EagerTensor])
        if self._single_output:
            return _wrap(vals[0])
        return self._pack([_wrap(v) for v in vals])

    def _call_flat(self, tensors):
        if state.graph is not None:
            return self._inline(tensors)
        if state.tapes and self._watched(tensors):
            return self._replay(tensors)
        plan = self._plan if self._plan is not None else self._compile()
        vals = plan(
            *[t._value if type(t) is EagerTensor else convert_to_tensor(t)._value for t in tensors]
        )
        return self._pack([_wrap(v) for v in vals])

    def _watched(self, tensors):
        for tape in state.tapes:
            w = tape._watched
            for t in tensors:
                if id(t) in w:
                    return True
            for v in self.graph._variables:
                if v.trainable and (tape._watch_accessed_variables or id(v) in w):
                    return True
        return False

    def _pack(self, flat_outputs):
        out = []
        for item in self._out_template:
            if isinstance(item, int):
                out.append(flat_outputs[item])
            else:
                out.append(item[1] if item[0] == "py" else None)
        return nest.pack_sequence_as(self._structured_outputs, out, expand_composites=True)

    def _replay(self, tensors):
        """Re-executes the graph's ops through eager dispatch, so active tapes record them."""
        values = _replay_graph(self.graph, self._inputs, tensors, self._outputs)
        return self._pack(values)

    def _inline(self, tensors):
        """Called while building another graph: copy this graph's ops into it."""
        values = _replay_graph(self.graph, self._inputs, tensors, self._outputs)
        return self._pack(values)


# Op type -> replay(op, inputs): ops that replay differently from `execute` (control flow
# runs as Python control flow eagerly, so tapes record the ops that ran; see control_flow.py).
REPLAY_HOOKS: dict = {}


def _replay_graph(graph, inputs, tensors, outputs):
    from arroyo.framework.op_registry import execute
    from arroyo.graph import executor

    env = {id(p): t for p, t in zip(inputs, tensors)}
    for op in executor.live_ops(graph, outputs):
        typ = op.type
        if typ == "Placeholder":
            continue
        if typ == "Const":
            env[id(op._outputs[0])] = convert_to_tensor(op.attrs["value"]) if state.graph is None else \
                state.graph.capture_constant(op.attrs["value"])  # fmt: skip
            continue
        if typ == "NoOp":
            continue
        if typ == "ReadVariableOp":
            env[id(op._outputs[0])] = op._captured.value()
            continue
        if typ in ("AssignVariableOp", "AssignAddVariableOp", "AssignSubVariableOp"):
            var = op._captured
            val = env[id(op.inputs[1])]
            getattr(var, {"AssignVariableOp": "assign", "AssignAddVariableOp": "assign_add",
                          "AssignSubVariableOp": "assign_sub"}[typ])(val)  # fmt: skip
            continue
        ins = [env[id(t)] if not _is_variable(t) else t for t in op.inputs]
        hook = REPLAY_HOOKS.get(typ)
        res = hook(op, tuple(ins)) if hook is not None else execute(op.op_def, tuple(ins), op.attrs)
        if op.op_def.num_outputs == 1:
            env[id(op._outputs[0])] = res
        else:
            for t, r in zip(op._outputs, res or []):
                env[id(t)] = r
    return [env[id(t)] for t in outputs]


class _KwArgs(dict):
    """Keyword-only arguments of a tf.function call, kept apart from positional ones."""


def _densify(x):
    """Outputs leave a function as tensors: IndexedSlices densified, Python numbers and
    strings converted (as TF does); None stays None."""
    from arroyo.ops.indexed_slices import IndexedSlices

    if isinstance(x, IndexedSlices):
        return x.to_dense()
    if isinstance(x, (bool, int, float, complex, str, bytes, np.generic)):
        return convert_to_tensor(x)
    return x


def _first_mismatch(value, spec):
    """The first component spec of a composite `value` that `spec` rejects (TF's message)."""
    if not isinstance(value, CompositeTensor) or type(value._type_spec) is not type(spec):
        return (value._type_spec if isinstance(value, CompositeTensor) else type(value)), spec
    for t, s in zip(value._to_components(), spec._component_specs):
        got = TensorSpec(t.shape, t.dtype)
        if t.dtype != s.dtype or not s.shape.is_compatible_with(t.shape):
            return got, s
    return value._type_spec, spec


def _general_key(args):
    """For reduce_retracing: the cache key without tensor shapes, the shapes, the tensors."""
    flat = nest.flatten(args)
    shapes, tensors, leaves = [], [], []
    for x in flat:
        if isinstance(x, Tensor):
            leaves.append(("T", x.dtype))
            shapes.append(x.shape)
            tensors.append(x)
        else:
            leaves.append(_leaf_key(x))
    return (_structure_sig(args), tuple(leaves)), shapes, tensors


def _common_shape(a, b):
    """The most specific shape compatible with both (TF's most specific common supertype)."""
    if a.rank is None or b.rank is None or a.rank != b.rank:
        return TensorShape(None)
    return TensorShape([x if x == y else None for x, y in zip(a.as_list(), b.as_list())])


def _leaf_names(fn, args):
    """TF names a function's placeholders after its parameters (nested leaves share it)."""
    try:
        params = [p.name for p in inspect.signature(fn).parameters.values()
                  if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]  # fmt: skip
    except (TypeError, ValueError):
        params = []
    names = []
    for i, a in enumerate(args):
        base = params[i] if i < len(params) else f"args_{i}"
        names.extend([base] * len(nest.flatten(a, expand_composites=True)))
    return names


def _ident(name):
    import re

    s = re.sub(r"\W", "_", name)
    return s if s and not s[0].isdigit() else "f_" + s


def function(func=None, input_signature=None, autograph=True, jit_compile=None,
             reduce_retracing=False, experimental_implements=None, experimental_autograph_options=None,
             experimental_attributes=None, experimental_relax_shapes=None, experimental_compile=None,
             experimental_follow_type_hints=None, name=None):  # fmt: skip
    """Compiles a Python function into a callable TensorFlow graph (decorator or call).

    >>> f = tf.function(lambda x: x + 1)
    >>> int(f(tf.constant(1)))
    2
    """

    def decorate(fn):
        return Function(fn, name=name, input_signature=input_signature, autograph=autograph,
                        jit_compile=jit_compile, reduce_retracing=reduce_retracing,
                        experimental_relax_shapes=experimental_relax_shapes)  # fmt: skip

    if func is not None:
        return decorate(func)
    return decorate


_ = dtypes
