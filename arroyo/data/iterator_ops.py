"""Datasets inside `tf.function`: iterator ops that pull elements at run time.

`for x in dataset:` in a tf.function becomes (as in TF) an iterator created when the
function *runs* and a `While` loop that asks it for the next element on each iteration:

    handle = AnonymousIteratorV3()                  # a fresh iterator per call
    MakeIterator(<dataset>, handle)                 # starts a pass over the dataset
    opt = IteratorGetNextAsOptional(handle)
    while OptionalHasValue(opt):
        x = OptionalGetValue(opt); <body>; opt = IteratorGetNextAsOptional(handle)

Design: the ops are stateful, so automatic control dependencies keep them in program order.
Their runtime values are Python objects, not arrays: the iterator resource holds the
dataset's Python iterator (`Dataset._iter()`, which yields flat NumPy elements), the
dataset tensor is a `Const` holding the Dataset object, and an optional holds one flat
element or None. So elements are produced at call time by the same Python pipeline as
eager iteration (never baked into the graph at trace time). Such graphs cannot be
serialized (SavedModel); TF stores the dataset graph there.
"""

from __future__ import annotations

import numpy as np

from arroyo.data import structure as st
from arroyo.framework import dtypes
from arroyo.framework.context import state
from arroyo.framework.errors import InvalidArgumentError, OutOfRangeError
from arroyo.framework.op_registry import defop, execute
from arroyo.framework.tensor import EagerTensor, Tensor, TensorSpec
from arroyo.framework.tensor_shape import TensorShape
from arroyo.graph.tensor_array import VARIANT_KEY
from arroyo.util import nest

__all__ = ["Iterator", "IteratorSpec", "Optional", "dataset_for_stmt", "graph_reduce"]


class _ResourceKey:
    """Stands for NumPy's dtype in `dtypes._BY_NP`, so an iterator's EagerTensor is resource."""

    kind = "V"
    name = "resource"

    def __repr__(self):
        return "resource"


RESOURCE_KEY = _ResourceKey()
dtypes._BY_NP[RESOURCE_KEY] = dtypes.resource


class _DatasetVariant:
    """Runtime value of a dataset variant tensor: the Dataset object."""

    __slots__ = ("dataset",)
    dtype = VARIANT_KEY
    shape = ()
    ndim = 0
    size = 1

    def __init__(self, dataset):
        self.dataset = dataset

    def __repr__(self):
        return f"<dataset {self.dataset!r}>"


class _IteratorHandle:
    """Runtime value of an iterator resource: the Python iterator of flat elements."""

    __slots__ = ("_it",)
    dtype = RESOURCE_KEY
    shape = ()
    ndim = 0
    size = 1

    def __init__(self, it=None):
        self._it = it

    def __repr__(self):
        return "<iterator resource>"


class _OptionalValue:
    """Runtime value of an optional variant: a flat element, or None."""

    __slots__ = ("flat",)
    dtype = VARIANT_KEY
    shape = ()
    ndim = 0
    size = 1

    def __init__(self, flat):
        self.flat = flat


def _types_attrs(structure):
    flat = st.component_specs(structure)
    return {
        "output_types": [s.dtype for s in flat],
        "output_shapes": [s.shape for s in flat],
    }


def _component_specs(inputs, attrs):
    return [(t, TensorShape(s)) for t, s in zip(attrs["output_types"], attrs["output_shapes"])]


def _n_out(attrs):
    return len(attrs["output_types"])


def _anonymous_iterator_kernel(output_types, output_shapes):
    return _IteratorHandle()


def _make_iterator_kernel(dataset, iterator):
    iterator._it = dataset.dataset._iter()
    return []


def _handle(h):
    if h._it is None:
        from arroyo.framework.errors import FailedPreconditionError

        raise FailedPreconditionError(
            None, None, "GetNext() failed because the iterator has not been initialized."
        )
    return h


def _get_next_kernel(iterator, output_types, output_shapes):
    flat = next(_handle(iterator)._it, None)
    if flat is None:
        raise OutOfRangeError(None, None, "End of sequence")
    return list(flat)


def _get_next_optional_kernel(iterator, output_types, output_shapes):
    return _OptionalValue(next(_handle(iterator)._it, None))


def _has_value_kernel(optional):
    return np.bool_(optional.flat is not None)


def _get_value_kernel(optional, output_types, output_shapes):
    if optional.flat is None:
        raise InvalidArgumentError(None, None, "The optional does not have a value.")
    return list(optional.flat)


_ITER_ATTRS = {"output_types": None, "output_shapes": None}

ANONYMOUS_ITERATOR = defop(
    "AnonymousIteratorV3", (), _anonymous_iterator_kernel, attrs=dict(_ITER_ATTRS),
    infer=lambda inputs, attrs: [(dtypes.resource, TensorShape([]))], stateful=True,
    differentiable=False,
)  # fmt: skip
MAKE_ITERATOR = defop(
    "MakeIterator", ("dataset", "iterator"), _make_iterator_kernel,
    infer=lambda inputs, attrs: [], num_outputs=0, stateful=True, differentiable=False,
)  # fmt: skip
ITERATOR_GET_NEXT = defop(
    "IteratorGetNext", ("iterator",), _get_next_kernel, attrs=dict(_ITER_ATTRS),
    infer=_component_specs, num_outputs=_n_out, stateful=True, differentiable=False,
)  # fmt: skip
ITERATOR_GET_NEXT_AS_OPTIONAL = defop(
    "IteratorGetNextAsOptional", ("iterator",), _get_next_optional_kernel,
    attrs=dict(_ITER_ATTRS), infer=lambda inputs, attrs: [(dtypes.variant, TensorShape([]))],
    stateful=True, differentiable=False,
)  # fmt: skip
OPTIONAL_HAS_VALUE = defop(
    "OptionalHasValue", ("optional",), _has_value_kernel,
    infer=lambda inputs, attrs: [(dtypes.bool, TensorShape([]))], differentiable=False,
)  # fmt: skip
OPTIONAL_GET_VALUE = defop(
    "OptionalGetValue", ("optional",), _get_value_kernel, attrs=dict(_ITER_ATTRS),
    infer=_component_specs, num_outputs=_n_out, differentiable=False,
)  # fmt: skip


def _object_const(obj, dtype):
    """A `Const` node in the current graph whose runtime value is a Python object."""
    from arroyo.graph.graph import CONST, Operation, SymbolicTensor

    graph = state.graph
    op = Operation(graph, CONST, graph.unique_name("Const"), (), {"value": obj, "dtype": dtype})
    for deps in graph._control_deps:
        op._control_inputs.extend(deps)
    op._outputs = [SymbolicTensor(op, 0, dtype, TensorShape([]))]
    graph._ops.append(op)
    return op._outputs[0]


def variant_tensor(dataset):
    """The dataset as a scalar variant tensor (a graph constant while tracing)."""
    if state.graph is not None:
        return _object_const(_DatasetVariant(dataset), dtypes.variant)
    from arroyo.framework.tensor import _wrap

    return _wrap(_DatasetVariant(dataset))


def _graph_handle(iterable):
    """An iterator resource tensor: a new iterator over a dataset, or an eager iterator."""
    from arroyo.data.dataset import Dataset, OwnedIterator

    if isinstance(iterable, OwnedIterator):
        return _object_const(iterable, dtypes.resource)
    if isinstance(iterable, GraphIterator):
        return iterable._handle
    if not isinstance(iterable, Dataset):
        raise TypeError(f"Expected a tf.data.Dataset or Iterator, got {type(iterable).__name__}")
    attrs = _types_attrs(iterable.element_spec)
    handle = execute(ANONYMOUS_ITERATOR, (), attrs)
    execute(MAKE_ITERATOR, (variant_tensor(iterable), handle), {})
    return handle


def _pack(structure, flat):
    flat = list(flat) if isinstance(flat, (list, tuple)) else [flat]
    return st.pack_components(structure, flat)


def iterator_get_next(iterable):
    spec = iterable.element_spec
    handle = _graph_handle(iterable)
    return _pack(spec, execute(ITERATOR_GET_NEXT, (handle,), _types_attrs(spec)))


def iterator_get_next_as_optional(iterable):
    spec = iterable.element_spec
    opt = execute(ITERATOR_GET_NEXT_AS_OPTIONAL, (_graph_handle(iterable),), _types_attrs(spec))
    return Optional(spec, None, tensor=opt)


_GET_NEXT_CALL_ERROR_THRESHOLD = 32  # TF's limit on get_next() calls of one traced iterator


class GraphIterator:
    """`iter(dataset)` inside a tf.function: ops on an iterator created at run time."""

    def __init__(self, dataset):
        self._dataset = dataset
        self._handle = _graph_handle(dataset)
        self._calls = 0

    @property
    def element_spec(self):
        return self._dataset.element_spec

    def __iter__(self):
        return self

    def __next__(self):
        return self.get_next()

    def get_next(self, name=None):
        self._calls += 1
        if self._calls > _GET_NEXT_CALL_ERROR_THRESHOLD:
            # a Python `for` over a dataset while tracing without AutoGraph never ends
            raise ValueError(
                "An unusually high number of `tf.data.Iterator.get_next()` calls was detected. "
                "This suggests that the `for elem in dataset: ...` idiom is used within "
                "tf.function with AutoGraph disabled. This idiom is only supported when "
                "AutoGraph is enabled."
            )
        spec = self.element_spec
        return _pack(spec, execute(ITERATOR_GET_NEXT, (self._handle,), _types_attrs(spec)))

    def get_next_as_optional(self):
        return iterator_get_next_as_optional(self)

    def _autograph_for_stmt(self, extra_test, body, get_state, set_state, symbol_names, opts):
        dataset_for_stmt(self, extra_test, body, get_state, set_state, symbol_names, opts)


class Optional:
    """`tf.experimental.Optional`: a value that may be missing (`get_next_as_optional`)."""

    def __init__(self, element_spec, value, tensor=None):
        self._spec = element_spec
        self._value = value
        self._tensor = tensor

    @property
    def element_spec(self):
        return self._spec

    def has_value(self, name=None):
        if self._tensor is not None:
            return execute(OPTIONAL_HAS_VALUE, (self._tensor,), {})
        from arroyo.framework.tensor import _wrap

        return _wrap(np.bool_(self._value is not None))

    def get_value(self, name=None):
        if self._tensor is not None:
            out = execute(OPTIONAL_GET_VALUE, (self._tensor,), _types_attrs(self._spec))
            return _pack(self._spec, out)
        if self._value is None:
            raise InvalidArgumentError(None, None, "The optional does not have a value.")
        return self._value

    @staticmethod
    def empty(element_spec):
        return Optional(element_spec, None)

    @staticmethod
    def from_value(value):
        value = st.normalize(value)
        return Optional(nest.map_structure(st.spec_of, value), value)


class IteratorSpec:
    """The type spec of an iterator over elements of `element_spec`."""

    def __init__(self, element_spec):
        self._element_spec = element_spec

    @property
    def element_spec(self):
        return self._element_spec

    def __repr__(self):
        return f"IteratorSpec({self._element_spec!r})"


def _iterator_base():
    from arroyo.data.dataset import OwnedIterator

    return OwnedIterator


class _IteratorMeta(type):
    def __instancecheck__(cls, obj):
        return isinstance(obj, (_iterator_base(), GraphIterator))


class Iterator(metaclass=_IteratorMeta):
    """`tf.data.Iterator`: what `iter(dataset)` returns (an abstract type here)."""


# =====================================================================================
# AutoGraph: `for x in dataset` and `dataset.reduce` inside tf.function
# =====================================================================================


def dataset_for_stmt(iterable, extra_test, body, get_state, set_state, symbol_names, opts):
    """Stages `for x in iterable: body(x)` as a While loop over run-time iterator ops."""
    if state.graph is None:
        for x in iterable:
            if extra_test is not None and not extra_test():
                break
            body(x)
        return
    from arroyo.graph import autograph as ag
    from arroyo.graph.control_flow import while_loop
    from arroyo.ops import math_ops

    spec = iterable.element_spec
    attrs = _types_attrs(spec)
    handle = _graph_handle(iterable)

    def element(opt):
        return _pack(spec, execute(OPTIONAL_GET_VALUE, (opt,), attrs))

    def next_opt():
        return execute(ITERATOR_GET_NEXT_AS_OPTIONAL, (handle,), attrs)

    names = tuple(symbol_names)
    init = tuple(get_state())
    ag._check_init(names, init)
    opt0 = next_opt()

    def probe_body():
        set_state(init)
        body(element(opt0))
        return tuple(get_state())

    user_inv = ag._shape_invariants(opts, names, init)
    init, probed = ag._placeholders_for_undefined(probe_body, names, init)
    init = tuple(nest.map_structure(ag._loop_leaf, v) for v in init)
    invariants = ag._merge_invariants(user_inv, probed)

    def cond_fn(opt, *vars_):
        c = execute(OPTIONAL_HAS_VALUE, (opt,), {})
        if extra_test is None:
            return c
        set_state(vars_)
        t = extra_test()
        if not isinstance(t, Tensor):
            return c if t else ag.convert_to_tensor(False)
        return math_ops.logical_and(c, t)

    def body_fn(opt, *vars_):
        set_state(vars_)
        body(element(opt))
        new = ag._checked_iteration(names, vars_, tuple(get_state()), invariants)
        return (next_opt(),) + tuple(new)

    inv = ag._relaxed(init, invariants)
    res = while_loop(cond_fn, body_fn, (opt0,) + init,
                     shape_invariants=None if inv is None else [TensorShape([])] + inv,
                     parallel_iterations=opts.get("parallel_iterations") or 10,
                     maximum_iterations=opts.get("maximum_iterations"))  # fmt: skip
    set_state(tuple(res[1:]))


def graph_reduce(dataset, initial_state, reduce_func):
    """`dataset.reduce` while tracing: a While loop over a run-time iterator."""
    from arroyo.graph.control_flow import while_loop

    init = st.normalize(initial_state)
    spec = dataset.element_spec
    attrs = _types_attrs(spec)
    handle = _graph_handle(dataset)

    def call(s, elem):
        out = reduce_func(s, *elem) if type(elem) is tuple else reduce_func(s, elem)
        return nest.map_structure(
            lambda t: t.value() if getattr(t, "_is_arroyo_variable", False) else
            t if isinstance(t, Tensor) else st.normalize(t), out)  # fmt: skip

    flat_init = nest.flatten(init)
    n = len(flat_init)

    def cond_fn(opt, *flat_state):
        return execute(OPTIONAL_HAS_VALUE, (opt,), {})

    def body_fn(opt, *flat_state):
        elem = _pack(spec, execute(OPTIONAL_GET_VALUE, (opt,), attrs))
        new = call(nest.pack_sequence_as(init, list(flat_state)), elem)
        nest.assert_same_structure(init, new, check_types=False)
        nxt = execute(ITERATOR_GET_NEXT_AS_OPTIONAL, (handle,), attrs)
        return (nxt,) + tuple(nest.flatten(new))

    opt0 = execute(ITERATOR_GET_NEXT_AS_OPTIONAL, (handle,), attrs)
    shapes = [TensorShape([])] + [TensorShape(None) if t.shape.rank is None else t.shape
                                  for t in flat_init]  # fmt: skip
    res = while_loop(cond_fn, body_fn, (opt0,) + tuple(flat_init), shape_invariants=shapes)
    del n
    return nest.pack_sequence_as(init, list(res[1:]))


_ = (EagerTensor, TensorSpec)
