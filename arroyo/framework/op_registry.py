"""The op registry and the one dispatch path every op call takes.

An op is defined once (`defop`): its `tf.raw_ops` name, input names, attrs with defaults,
an inference rule (dtype and possibly partial shape from input specs), the NumPy kernel,
and the gradient, written with public arroyo ops so the same rule serves eager execution,
graph building and higher-order derivatives.

`execute(op, inputs, attrs)` asks the per-thread context where it is:
  1. building a graph  -> the graph adds an Operation and returns symbolic tensors;
  2. eager (default)   -> the kernel runs now and its result is wrapped;
  3. and if a GradientTape watches an input, the call is recorded on it.
"""

from __future__ import annotations

import numpy as np

from arroyo.framework import dtypes
from arroyo.framework.context import state
from arroyo.framework.errors import InvalidArgumentError, OpError
from arroyo.framework.tensor import EagerTensor, _wrap

__all__ = ["OpDef", "defop", "execute", "get_op", "registered_ops", "OpRecord"]

_REGISTRY: dict[str, OpDef] = {}


class OpDef:
    """Everything arroyo knows about one primitive op."""

    __slots__ = (
        "name", "inputs", "attrs", "kernel", "infer", "grad", "num_outputs",
        "stateful", "list_attr", "differentiable", "doc", "fusible", "specialize",
    )  # fmt: skip

    def __init__(self, name, inputs, attrs, kernel, infer, grad, num_outputs, stateful,
                 list_attr, differentiable, fusible):  # fmt: skip
        self.name = name
        self.inputs = tuple(inputs)  # input names; "*name" marks a list input of length N
        self.attrs = dict(attrs or {})  # attr name -> default (or REQUIRED)
        self.kernel = kernel
        self.infer = infer
        self.grad = grad
        self.num_outputs = num_outputs  # int, or a callable(attrs) -> int
        self.stateful = stateful
        self.list_attr = list_attr  # for list inputs: the attr holding their length ("N")
        self.differentiable = differentiable
        self.fusible = fusible  # elementwise: graph passes may fuse it
        # specialize(attrs, constant_inputs) -> kernel of the non-constant inputs, or None:
        # lets compiled graphs call e.g. np.sum(x, axis=(1,)) directly (executor.py).
        self.specialize = None

    def __repr__(self):
        return f"<OpDef {self.name}>"

    def output_count(self, attrs) -> int:
        n = self.num_outputs
        return n(attrs) if callable(n) else n


REQUIRED = object()


def defop(name, inputs, kernel, *, attrs=None, infer=None, grad=None, num_outputs=1,
          stateful=False, list_attr=None, differentiable=None, fusible=False) -> OpDef:  # fmt: skip
    """Registers a primitive op and returns its OpDef.

    `grad(op, *output_grads) -> tuple of input grads` (None where there is none);
    `differentiable=False` marks ops TF treats as not differentiable (their inputs get
    no gradient, e.g. Shape, ArgMax).
    """
    if name in _REGISTRY:
        raise ValueError(f"Op {name} is already registered")
    if differentiable is None:
        differentiable = grad is not None
    op = OpDef(name, inputs, attrs, kernel, infer, grad, num_outputs, stateful, list_attr,
               differentiable, fusible)  # fmt: skip
    _REGISTRY[name] = op
    return op


def get_op(name: str) -> OpDef:
    op = _REGISTRY.get(name)
    if op is None:
        _load_all()  # an op of a module `import arroyo` leaves unloaded (sparse, summary...)
        op = _REGISTRY.get(name)
        if op is None:
            raise KeyError(f"No op named {name} is registered in arroyo")
    return op


def registered_ops() -> dict[str, OpDef]:
    _load_all()
    return dict(_REGISTRY)


def _load_all():
    from arroyo._api import _build

    _build.load_all()


class OpRecord:
    """One recorded op call, as gradient functions see it (TF's `op` argument)."""

    __slots__ = ("op_def", "inputs", "outputs", "attrs", "skip_input_indices")

    def __init__(self, op_def, inputs, outputs, attrs, skip_input_indices=()):
        self.op_def = op_def
        self.inputs = inputs
        self.outputs = outputs
        self.attrs = attrs
        # Inputs whose gradient nobody asked for (TF's skip_input_indices): rules may skip them.
        self.skip_input_indices = skip_input_indices

    @property
    def type(self):
        return self.op_def.name

    @property
    def name(self):
        return self.op_def.name

    def get_attr(self, name):
        if name in self.attrs:
            return self.attrs[name]
        if name == "T" and self.inputs:
            return self.inputs[0].dtype
        return self.op_def.attrs.get(name)


def execute(op: OpDef, inputs, attrs, name=None):
    """Runs (or stages) one op call: the single dispatch path of arroyo.

    `inputs` are tensors (already converted); `attrs` a dict of Python values.
    Returns one tensor, or a list of tensors for multi-output ops.
    """
    st = state
    if st.graph is not None:
        return st.graph.create_op(op, inputs, attrs, name)
    try:
        if len(inputs) == 2:  # the common binary case, without building a list
            a, b = inputs
            out = op.kernel(a._value, b._value, **attrs)
        else:
            out = op.kernel(*[t._value for t in inputs], **attrs)
    except OpError:
        raise
    except (ValueError, IndexError, TypeError, ArithmeticError, np.linalg.LinAlgError) as e:
        raise _kernel_error(op, inputs, attrs, e) from None
    if op.num_outputs == 1:
        result = _wrap(out)
        tapes = st.tapes
        if tapes and op.differentiable:
            _record(tapes, op, inputs, (result,), attrs)
    else:
        result = [_wrap(o) for o in out]
        tapes = st.tapes
        if tapes and op.differentiable:
            _record(tapes, op, inputs, result, attrs)
    if _observers:
        for fn in _observers:
            fn(op, inputs, attrs, result)
    return result


# Callables run after every eager op (tests use one to check inference and coverage).
_observers: list = []


def add_observer(fn):
    """Calls `fn(op_def, inputs, attrs, result)` after every eager op; returns a remover."""
    _observers.append(fn)
    return lambda: _observers.remove(fn)


def _record(tapes, op, inputs, outputs, attrs):
    """Replaced by `arroyo.autodiff.tape.record_on` when the tape module loads."""
    from arroyo.autodiff.tape import record_on

    record_on(tapes, op, inputs, outputs, attrs)


def set_recorder(fn):
    global _record
    _record = fn


def _kernel_error(op, inputs, attrs, exc):
    """A kernel failed: prefer the inference rule's precise message, else describe inputs."""
    if op.infer is not None:
        try:
            op.infer(inputs, attrs)
        except (OpError, ValueError, TypeError) as precise:
            if isinstance(precise, OpError):
                return precise
            return InvalidArgumentError(None, None, f"{precise} [Op:{op.name}]")
        except Exception:  # noqa: BLE001 - fall through to the generic description
            pass
    desc = ", ".join(f"{t.dtype.name}{list(t.shape)}" for t in inputs if isinstance(t, EagerTensor))
    return InvalidArgumentError(
        None, None, f"{op.name} failed on inputs ({desc}): {exc} [Op:{op.name}]"
    )


# -- inference helpers shared by the op families ------------------------------------


def dtype_name(dtype) -> str:
    """TF's C++ spelling of a dtype in messages ('float' for float32)."""
    return _CPP_NAMES.get(dtype.name, dtype.name)


_CPP_NAMES = {"float32": "float", "float64": "double", "float16": "half"}


def check_same_dtype(op_name, tensors):
    """TF's rule: no implicit promotion between tensor inputs."""
    first = tensors[0].dtype
    for i, t in enumerate(tensors[1:], 1):
        if t.dtype is not first:
            raise dtype_mismatch(op_name, i, first, t.dtype)
    return first


def dtype_mismatch(op_name, i, expected, got):
    """TF's error for input `i` of another dtype than input 0: an InvalidArgumentError when
    an eager op runs, a TypeError while a graph is built (as TF's op constructor raises)."""
    if state.graph is None:
        return InvalidArgumentError(
            None,
            None,
            f"cannot compute {op_name} as input #{i}(zero-based) was expected to be a "
            f"{dtype_name(expected)} tensor but is a {dtype_name(got)} tensor [Op:{op_name}]",
        )
    op = _REGISTRY.get(op_name)
    names = [n.lstrip("*") for n in op.inputs] if op is not None else []
    name = names[i] if i < len(names) else f"input {i}"
    first = names[0] if names else "input 0"
    return TypeError(
        f"Input '{name}' of '{op_name}' Op has type {got.name} that does not match type "
        f"{expected.name} of argument '{first}'."
    )


def check_dtype_in(op_name, tensor, allowed, arg="x"):
    if tensor.dtype not in allowed:
        names = ", ".join(d.name for d in allowed)
        raise InvalidArgumentError(
            None,
            None,
            f"Value for attr 'T' of {tensor.dtype.name} is not in the list of allowed values: "
            f"{names}\n\t; NodeDef: {{{{node {op_name}}}}}; Op<name={op_name}> [Op:{op_name}]",
        )


FLOATS = (dtypes.float16, dtypes.bfloat16, dtypes.float32, dtypes.float64)
COMPLEX = (dtypes.complex64, dtypes.complex128)
INTS = (dtypes.int8, dtypes.int16, dtypes.int32, dtypes.int64,
        dtypes.uint8, dtypes.uint16, dtypes.uint32, dtypes.uint64)  # fmt: skip
NUMERIC = FLOATS + COMPLEX + INTS
REAL = FLOATS + INTS
