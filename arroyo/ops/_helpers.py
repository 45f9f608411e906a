"""Argument handling shared by the public op wrappers: conversion and TF's dtype rules."""

from __future__ import annotations

import warnings

import numpy as np

from arroyo.framework import dtypes
from arroyo.framework.composite_tensor import CompositeTensor, elementwise_binary, elementwise_unary
from arroyo.framework.errors import InvalidArgumentError
from arroyo.framework.op_registry import dtype_mismatch, dtype_name, execute
from arroyo.framework.tensor import EagerTensor, Tensor, _wrap, convert_to_tensor

# Kernels follow IEEE semantics (1/0 = inf, log(0) = -inf) silently, as TF does; NumPy's
# floating-point warnings are attributed to the kernel's module, so silence them there only.
warnings.filterwarnings("ignore", category=RuntimeWarning, module=r"arroyo\.")

NO_ATTRS: dict = {}


def is_tensorlike(x) -> bool:
    return isinstance(x, Tensor) or getattr(x, "_is_arroyo_variable", False)


def to_tensor(x, dtype=None) -> Tensor:
    if type(x) is EagerTensor and dtype is None:
        return x
    return convert_to_tensor(x, dtype=dtype)


def same_dtype_operands(op_name: str, values) -> list:
    """Converts op inputs that share attr T: Python values adopt the first tensor's dtype.

    Tensors of different dtypes are an error (TF never promotes implicitly).
    """
    dtype = None
    for v in values:
        if is_tensorlike(v):
            dtype = v.dtype
            break
    out = []
    for v in values:
        if dtype is None:
            t = convert_to_tensor(v)
            dtype = t.dtype
        elif is_tensorlike(v):
            t = convert_to_tensor(v)
        else:
            t = convert_to_tensor(v, dtype=dtype)
        out.append(t)
    first = out[0].dtype
    for i, t in enumerate(out[1:], 1):
        if t.dtype is not first:
            raise dtype_mismatch(op_name, i, first, t.dtype)
    return out


def check_allowed(op_def, tensor, allowed):
    """TF's error for a dtype outside an op's type constraint (C++ dtype spellings)."""
    if tensor.dtype not in allowed:
        names = ", ".join(dtype_name(d) for d in allowed)
        raise InvalidArgumentError(
            None,
            None,
            f"Value for attr 'T' of {dtype_name(tensor.dtype)} is not in the list of allowed "
            f"values: {names}\n\t; NodeDef: {{{{node {op_def.name}}}}}; Op<name={op_def.name}> "
            f"[Op:{op_def.name}]",
        )


def np_allowed(allowed) -> frozenset:
    """The NumPy dtypes of a tuple of DTypes (bfloat16 included when ml_dtypes exists)."""
    out = set()
    for d in allowed:
        if d._np is not None:
            out.add(d._np)
        elif d is dtypes.bfloat16:
            try:
                out.add(dtypes.bfloat16_numpy_dtype())
            except TypeError:
                pass
    return frozenset(out)


_SCALARS: dict = {}  # (value, NumPy dtype) -> immutable scalar EagerTensor
_INT_LIMITS: dict = {}


def scalar_operand(value, np_dtype):
    """`value` (a Python int or float) as a tensor of `np_dtype`, for the fast path of
    `tensor + 2.0`: TF's rule (the scalar adopts the tensor's dtype) without the general
    conversion. None when the slow path must decide (it raises TF's errors)."""
    key = (value, np_dtype)
    t = _SCALARS.get(key)
    if t is not None:
        return t
    kind = np_dtype.kind
    if kind == "f":
        if value == 0 or value != value:
            return None  # keep -0.0 apart from 0.0, and NaN out of the cache
        with np.errstate(over="ignore"):
            v = np_dtype.type(value)
        if v - v != 0:
            return None  # overflowed the dtype: the slow path reports it as TF does
    elif kind in "iu" and type(value) is int:
        limits = _INT_LIMITS.get(np_dtype)
        if limits is None:
            info = np.iinfo(np_dtype)
            limits = _INT_LIMITS[np_dtype] = (int(info.min), int(info.max))
        if not limits[0] <= value <= limits[1]:
            return None
        v = np_dtype.type(value)
    else:
        return None
    t = _wrap(v)
    if len(_SCALARS) < 4096:
        _SCALARS[key] = t
    return t


_PY_SCALARS = (int, float)


def binary(op_def, allowed_np, allowed, x, y, name=None):
    """Calls a two-input elementwise op with TF's conversion and dtype rules.

    The fast paths (two eager tensors of one allowed dtype; an eager tensor and a Python
    scalar) are what `x + x` and `x * 2.0` cost.
    """
    tx, ty = type(x), type(y)
    if tx is EagerTensor:
        dt = x._value.dtype
        if ty is EagerTensor:
            if dt is y._value.dtype and dt in allowed_np:
                return execute(op_def, (x, y), NO_ATTRS, name)
        elif (ty is float or ty is int) and dt in allowed_np:
            s = scalar_operand(y, dt)
            if s is not None:
                return execute(op_def, (x, s), NO_ATTRS, name)
    elif ty is EagerTensor and (tx is float or tx is int):
        dt = y._value.dtype
        if dt in allowed_np:
            s = scalar_operand(x, dt)
            if s is not None:
                return execute(op_def, (s, y), NO_ATTRS, name)
    if isinstance(x, CompositeTensor) or isinstance(y, CompositeTensor):
        return elementwise_binary(
            lambda a, b: binary(op_def, allowed_np, allowed, a, b, name), x, y
        )
    x, y = same_dtype_operands(op_def.name, (x, y))
    if x.dtype not in allowed:
        check_allowed(op_def, x, allowed)
    return execute(op_def, (x, y), NO_ATTRS, name)


def unary(op_def, allowed_np, allowed, x, name=None):
    if type(x) is EagerTensor and x._value.dtype in allowed_np:
        return execute(op_def, (x,), NO_ATTRS, name)
    if isinstance(x, CompositeTensor):
        return elementwise_unary(lambda v: unary(op_def, allowed_np, allowed, v, name), x)
    x = to_tensor(x)
    if x.dtype not in allowed:
        check_allowed(op_def, x, allowed)
    return execute(op_def, (x,), NO_ATTRS, name)


_INT_CACHE: dict = {}
_INT32_LIMITS = (np.iinfo(np.int32).min, np.iinfo(np.int32).max)


def int_tensor(value, dtype=dtypes.int32):
    """Converts an index-like argument (axis, shape, perm) into an integer tensor.

    Eagerly, small Python ints and tuples/lists of them are cached: tensors are immutable,
    so `reduce_sum(x, axis=1)` need not build its axis tensor on every call.
    """
    from arroyo.framework.context import state

    tv = type(value)
    key = None
    if state.graph is None and dtype is dtypes.int32:
        if tv is int:
            key = value
        elif (tv is tuple or tv is list) and len(value) <= 8 and all(type(v) is int for v in value):
            key = (tv is list, *value)
        if key is not None:
            t = _INT_CACHE.get(key)
            if t is not None:
                return t
    if is_tensorlike(value):
        t = convert_to_tensor(value)
        if not t.dtype.is_integer:
            raise TypeError(f"Expected an integer tensor, got {t.dtype.name}")
        return t
    if (tv is list or tv is tuple) and any(is_tensorlike(v) for v in value):
        # e.g. tf.fill([tf.shape(x)[0], 1], v): pack the parts (symbolic ones stay symbolic)
        from arroyo.ops.array_ops import stack

        return stack([v if is_tensorlike(v) else int_tensor(v, dtype) for v in value])
    arr = np.asarray(value)
    if arr.dtype.kind not in "iu":
        if arr.size == 0:
            arr = arr.astype(dtype._np)
        elif arr.dtype == object:
            arr = np.asarray([int(v) for v in np.ravel(value)]).reshape(arr.shape)
        else:
            raise TypeError(f"Expected an integer value, got {value!r}")
    if arr.dtype != dtype._np:
        info = np.iinfo(dtype._np) if dtype is not dtypes.int32 else None
        lo, hi = _INT32_LIMITS if info is None else (info.min, info.max)
        if arr.size and (arr.max() > hi or arr.min() < lo):
            arr = arr.astype(np.int64)
        else:
            arr = arr.astype(dtype._np)
    if state.graph is not None:
        return state.graph.capture_constant(arr if arr.ndim else arr[()])
    t = _wrap(arr if arr.ndim else arr[()])
    if key is not None and len(_INT_CACHE) < 4096 and -(2**31) <= min(np.ravel(arr), default=0) and \
            max(np.ravel(arr), default=0) < 2**31:  # fmt: skip
        _INT_CACHE[key] = t
    return t


def static_value(t):
    """NumPy value of an input when known without running a graph (eager or constant)."""
    if type(t) is EagerTensor:
        return t._value
    fn = getattr(t, "_constant_value", None)
    return fn() if fn is not None else None


def partial_shape_value(t):
    """A 1-D shape tensor's entries where known (None where not), or None: TF's "constant
    value partial shape", e.g. `tf.stack([tf.shape(x)[0], 3])` gives [None, 3]."""
    v = static_value(t)
    if v is not None:
        return [int(d) for d in np.ravel(v)]
    op = getattr(t, "_op", None)
    if op is not None and op.type == "Pack" and all(i.shape.rank == 0 for i in op.inputs):
        out = []
        for i in op.inputs:
            iv = static_value(i)
            out.append(None if iv is None or int(iv) < 0 else int(iv))
        return out
    return None
