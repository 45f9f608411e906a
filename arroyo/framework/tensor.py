"""`tf.Tensor`, the eager tensor, `tf.TensorSpec` and `tf.convert_to_tensor`.

An EagerTensor is a thin, immutable wrapper around a NumPy array (or NumPy scalar): the
kernels never write into their inputs, and Variables replace their array on assignment, so
sharing arrays between tensors is safe. Python operators are defined once on `Tensor` and
go through the public ops, so they work the same on eager and symbolic tensors.
"""

from __future__ import annotations

import collections.abc
import functools
import numbers
import warnings

import numpy as np

from arroyo.framework import dtypes
from arroyo.framework.context import CPU_DEVICE
from arroyo.framework.errors import InvalidArgumentError
from arroyo.framework.tensor_shape import TensorShape, as_shape

__all__ = ["Tensor", "EagerTensor", "TensorSpec", "convert_to_tensor", "constant_value"]

_BY_NP = dtypes._BY_NP


class Tensor:
    """A multidimensional array with a dtype and a (possibly partial) shape.

    >>> x = tf.constant([[1., 2.], [3., 4.]])
    >>> (x @ x).shape
    TensorShape([2, 2])
    """

    __slots__ = ()
    # NumPy binary operators defer to ours, so `ndarray + tensor` is a tensor.
    __array_priority__ = 100
    OVERLOADABLE_OPERATORS = frozenset()

    # Subclasses provide: dtype, shape, device, numpy() (eager only), op, name, graph.

    @property
    def ndim(self) -> int:
        return self.shape.rank

    def get_shape(self) -> TensorShape:
        return self.shape

    def set_shape(self, shape):
        if not self.shape.is_compatible_with(shape):
            raise ValueError(
                f"Tensor's shape {self.shape} is not compatible with supplied shape {as_shape(shape)}."
            )

    def ref(self):
        """A hashable reference to this tensor (tensors themselves are unhashable)."""
        return Reference(self)

    def experimental_ref(self):
        return Reference(self)

    def __hash__(self):
        raise TypeError("Tensor is unhashable. Instead, use tensor.ref() as the key.")

    # -- Python operators (all through the public ops) -------------------------------
    def __add__(self, other):
        return _m.add(self, other)

    def __radd__(self, other):
        return _m.add(other, self)

    def __sub__(self, other):
        return _m.subtract(self, other)

    def __rsub__(self, other):
        return _m.subtract(other, self)

    def __mul__(self, other):
        return _m.multiply(self, other)

    def __rmul__(self, other):
        return _m.multiply(other, self)

    def __truediv__(self, other):
        return _m.truediv(self, other)

    def __rtruediv__(self, other):
        return _m.truediv(other, self)

    def __floordiv__(self, other):
        return _m.floordiv(self, other)

    def __rfloordiv__(self, other):
        return _m.floordiv(other, self)

    def __mod__(self, other):
        return _m.floormod(self, other)

    def __rmod__(self, other):
        return _m.floormod(other, self)

    def __pow__(self, other):
        return _m.pow(self, other)

    def __rpow__(self, other):
        return _m.pow(other, self)

    def __matmul__(self, other):
        return _m.matmul(self, other)

    def __rmatmul__(self, other):
        return _m.matmul(other, self)

    def __neg__(self):
        return _m.negative(self)

    def __abs__(self):
        return _m.abs(self)

    def __invert__(self):
        return _m.invert_(self)

    def __and__(self, other):
        return _m.and_(self, other)

    def __rand__(self, other):
        return _m.and_(other, self)

    def __or__(self, other):
        return _m.or_(self, other)

    def __ror__(self, other):
        return _m.or_(other, self)

    def __xor__(self, other):
        return _m.xor_(self, other)

    def __rxor__(self, other):
        return _m.xor_(other, self)

    def __lt__(self, other):
        return _m.less(self, other)

    def __le__(self, other):
        return _m.less_equal(self, other)

    def __gt__(self, other):
        return _m.greater(self, other)

    def __ge__(self, other):
        return _m.greater_equal(self, other)

    def __eq__(self, other):
        return _m.tensor_equals(self, other)

    def __ne__(self, other):
        return _m.tensor_not_equals(self, other)

    def __getitem__(self, slice_spec):
        return _a.slice_helper(self, slice_spec)

    def __iter__(self):
        shape = self.shape
        if shape.rank == 0:
            raise TypeError("Cannot iterate over a scalar tensor.")
        if shape.rank is None or shape[0] is None:
            raise TypeError("Cannot iterate over a tensor with unknown first dimension.")
        for i in range(shape[0]):
            yield self[i]

    def __len__(self):
        rank = self.shape.rank
        if rank == 0:
            raise TypeError("Scalar tensor has no `len()`")
        n = self.shape[0]
        if n is None:
            raise TypeError(f"len is not well defined for a symbolic Tensor ({self.name}).")
        return n

    def __copy__(self):
        return self

    def __deepcopy__(self, memo):
        return self

    def __reduce__(self):
        return convert_to_tensor, (self.numpy(),)


def _numpy_method_hint(name):
    """A property for NumPy-only attributes: TF's AttributeError pointing to numpy behavior.

    (A class-level `__getattr__` would slow every attribute access of every tensor.)
    """

    def fget(self):
        raise AttributeError(
            f"{type(self).__name__} object has no attribute '{name}'. \n"
            "        If you are looking for numpy-related methods, please run the following:\n"
            "        tf.experimental.numpy.experimental_enable_numpy_behavior()\n      "
        )

    return property(fget)


for _name in sorted(set(dir(np.ndarray)) - set(dir(Tensor))):
    if not _name.startswith("_") and _name not in ("dtype", "shape", "ndim", "device"):
        setattr(Tensor, _name, _numpy_method_hint(_name))
del _name


class EagerTensor(Tensor):
    """A tensor with a concrete value, computed as soon as its op ran."""

    # `_slice_of` is set only on `variable[...]` results, for TF's `v[0].assign(x)`.
    __slots__ = ("_value", "__weakref__", "_slice_of")

    # Not __init__: ops build results with _wrap, skipping argument handling.
    def __init__(self, value, device=None, dtype=None):
        self._value = _to_array(value, dtype)

    @property
    def dtype(self) -> dtypes.DType:
        return _BY_NP[self._value.dtype]

    @property
    def shape(self) -> TensorShape:
        return TensorShape(self._value.shape)

    @property
    def ndim(self) -> int:
        return self._value.ndim

    @property
    def device(self) -> str:
        return CPU_DEVICE

    @property
    def backing_device(self) -> str:
        return CPU_DEVICE

    @property
    def name(self):
        raise AttributeError("Tensor.name is undefined when eager execution is enabled.")

    @property
    def op(self):
        raise AttributeError("Tensor.op is undefined when eager execution is enabled.")

    @property
    def graph(self):
        raise AttributeError("Tensor.graph is undefined when eager execution is enabled.")

    def numpy(self):
        """The value as a NumPy array (a copy) or NumPy scalar.

        >>> tf.constant([1, 2]).numpy()
        array([1, 2], dtype=int32)
        """
        v = self._value
        if type(v) is np.ndarray:
            return v.copy() if v.ndim else v[()]
        return v

    def _numpy(self):
        return self._value

    def __array__(self, dtype=None, copy=None):
        v = np.asarray(self._value)
        if dtype is not None and v.dtype != dtype:
            return v.astype(dtype)
        return v.copy() if copy else v

    def __bool__(self):
        v = self._value
        if v.size == 0:  # TF: an empty tensor is False
            return False
        return bool(v)

    def __int__(self):
        return int(self._value)

    def __float__(self):
        return float(self._value)

    def __complex__(self):
        return complex(self._value)

    def __index__(self):
        # As TF: NumPy's own rules (integer scalars only; floats have no __index__).
        return self._value.__index__()

    def __len__(self):
        if self._value.ndim == 0:
            raise TypeError("Scalar tensor has no `len()`")
        return len(self._value)

    def __format__(self, format_spec):
        v = self._value
        if v.ndim == 0:
            return format(v.item() if v.dtype.kind != "O" else v, format_spec)
        return format(v, format_spec) if format_spec else str(v)

    def __str__(self):
        return f"tf.Tensor({_numpy_text(self._value, False)}, shape={self.shape}, dtype={self.dtype.name})"

    def __repr__(self):
        return f"<tf.Tensor: shape={self.shape}, dtype={self.dtype.name}, numpy={_numpy_text(self._value, True)}>"

    def __iter__(self):
        v = self._value
        if v.ndim == 0:
            raise TypeError("Cannot iterate over a scalar tensor.")
        if _tape_active():
            return Tensor.__iter__(self)
        return (_wrap(row) for row in v)

    def _shape_tuple(self):
        return self._value.shape

    def _rank(self):
        return self._value.ndim

    def _copy(self):
        return _wrap(np.array(self._value))

    @property
    def assign(self):
        """Only on `variable[...]` results: writes into that slice of the variable (TF)."""
        try:
            var, spec = EagerTensor._slice_of.__get__(self, EagerTensor)
        except AttributeError:
            raise AttributeError(
                f"'{type(self).__name__}' object has no attribute 'assign'"
            ) from None
        return functools.partial(var._slice_assign, spec)

    def cpu(self):
        return self

    def gpu(self, gpu_index=0):
        raise RuntimeError(f"GPU:{gpu_index} unknown device.")

    @property
    def _id(self):
        return id(self)

    @property
    def is_packed(self):
        return False

    @property
    def value_index(self):
        raise AttributeError("Tensor.value_index is undefined when eager execution is enabled.")

    def consumers(self):
        raise NotImplementedError("Tensor.consumers is undefined when eager execution is enabled.")

    def eval(self, feed_dict=None, session=None):
        raise NotImplementedError(
            "eval is not supported when eager execution is enabled, is .numpy() what you're "
            "looking for?"
        )


def _numpy_text(value, is_repr: bool) -> str:
    """TF's rendering of a tensor's value: NumPy's repr/str, Python repr for scalars."""
    if is_repr:
        if np.ndim(value) == 0:
            item = value[()] if isinstance(value, np.ndarray) else value
            text = repr(item.item() if isinstance(item, np.generic) else item)
        else:
            text = repr(value)
    else:
        text = str(value)
    if "\n" in text:
        text = "\n" + text
    return text


def _wrap(value) -> EagerTensor:
    """Wraps a kernel's NumPy result (no copy, no checks): the hot path of every op."""
    t = EagerTensor.__new__(EagerTensor)
    t._value = value
    return t


class Reference:
    """Hashable wrapper returned by `Tensor.ref()` / `Variable.ref()`."""

    __slots__ = ("_wrapped",)

    def __init__(self, wrapped):
        self._wrapped = wrapped

    def deref(self):
        return self._wrapped

    def __eq__(self, other):
        return isinstance(other, Reference) and self._wrapped is other._wrapped

    def __hash__(self):
        return id(self._wrapped)

    def __repr__(self):
        return f"<Reference wrapping {self._wrapped!r}>"


# -- conversion ---------------------------------------------------------------------
#
# TF's rules for Python values (its C++ sequence converter), reproduced here:
#   * the first leaf (depth-first) picks the kind: bool, int, float, complex or string;
#     Python ints become int32 (int64 when one does not fit, an error past int64), Python
#     floats float32 (an error when a finite value overflows it), complex complex128;
#     NumPy float scalars keep their precision (np.float64 -> float64) but NumPy integer
#     scalars count as Python ints;
#   * an int sequence holding a float becomes float32; bools may appear in int and float
#     sequences but not the other way round; anything else mixed is a ValueError;
#   * with a requested dtype, Python ints wrap into narrower integer types, floats never
#     become integers (TypeError "Cannot convert 2.5 to EagerTensor of dtype int32");
#   * NumPy arrays keep their dtype, and are cast (NumPy/TF cast rules) to a requested one;
#   * lists holding tensors are packed (tf.stack) with the first tensor's dtype.

_INT32_MIN, _INT32_MAX = -(2**31), 2**31 - 1
_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1
_MIXED = "Can't convert Python sequence with mixed types to Tensor."
_RAGGED = "Can't convert non-rectangular Python sequence to Tensor."
_INT_RANGE = "Can't convert Python sequence with out-of-range integer to Tensor."
_FLOAT_RANGE = (
    "Can't convert Python sequence with a value out of range for a double-precision float."
)
_NP_STRING_KINDS = ("U", "S")

# Objects (Variables, ...) register a function that turns them into a tensor.
_conversion_registry: list[tuple[type, object]] = []


def register_tensor_conversion_function(base_type, conversion_func, priority=100):
    """Lets instances of `base_type` be passed wherever a tensor is expected.

    `conversion_func(value, dtype=None, name=None)` returns a tensor.
    """
    _conversion_registry.append((base_type, conversion_func))
    _conversion_cache.clear()
    _CATEGORY.clear()
    _CATEGORY.update(_BASE_CATEGORY)


_conversion_cache: dict[type, object] = {}


def _find_conversion(cls):
    fn = _conversion_cache.get(cls, False)
    if fn is False:
        fn = None
        for base, f in _conversion_registry:
            if issubclass(cls, base):
                fn = f
                break
        _conversion_cache[cls] = fn
    return fn


class _HasTensor(Exception):
    """Raised by the sequence scan when a leaf is a tensor: the list must be packed."""


# Leaf categories: b bool, i int, f float, c complex, s string, t tensor-like, x unsupported,
# q a sequence (list, tuple and other Python sequences), a a NumPy array.
_BASE_CATEGORY = {
    bool: "b", np.bool_: "b", int: "i", float: "f", complex: "c", str: "s", bytes: "s",
    np.str_: "s", np.bytes_: "s", list: "q", tuple: "q", np.ndarray: "a",
}  # fmt: skip
_CATEGORY = dict(_BASE_CATEGORY)
_NP_KIND_CATEGORY = {"b": "b", "i": "i", "u": "i", "f": "f", "c": "c", "U": "s", "S": "s"}


def _category(tp) -> str:
    c = _CATEGORY.get(tp)
    if c is None:
        if issubclass(tp, np.generic):
            c = _NP_KIND_CATEGORY.get(np.dtype(tp).kind, "x")
        elif issubclass(tp, Tensor) or _find_conversion(tp) is not None:
            c = "t"
        elif issubclass(tp, np.ndarray):
            c = "a"
        elif issubclass(tp, bool):
            c = "b"
        elif issubclass(tp, numbers.Integral):
            c = "i"
        elif issubclass(tp, numbers.Real):
            c = "f"
        elif issubclass(tp, numbers.Complex):
            c = "c"
        elif issubclass(tp, (str, bytes)):
            c = "s"
        elif issubclass(tp, collections.abc.Sequence) or issubclass(tp, (memoryview, bytearray)):
            c = "q"
        else:
            c = "x"
        _CATEGORY[tp] = c
    return c


def _as_list(x):
    """Lists and tuples as they are; other Python sequences (range, ...) as lists."""
    t = type(x)
    return x if t is list or t is tuple else list(x)


def _scan(value):
    """Shape, leaf types and first leaf of a nested sequence, with TF's ragged/mixed errors.

    Raises `_HasTensor` when a tensor-like leaf is found (the caller packs instead).
    """
    shape = []
    x = value
    while True:
        c = _category(type(x))
        if c == "q":
            x = _as_list(x)
            shape.append(len(x))
            if not x:
                x = None
                break
            x = x[0]
        elif c == "a":
            shape.extend(x.shape)
            x = x.reshape(-1)[0] if x.size else None
            break
        else:
            break
    types: set = set()
    _walk(_as_list(value), 0, shape, types)
    return shape, types, x


def _walk(seq, depth, shape, types):
    if len(seq) != shape[depth]:
        raise ValueError(_RAGGED)
    ts = set(map(type, seq))
    cats = {_category(t) for t in ts}
    if "t" in cats:
        raise _HasTensor
    if depth + 1 == len(shape):  # leaves expected
        if "q" in cats:
            raise ValueError(_MIXED)
        if "a" in cats:
            for v in seq:
                if type(v) is np.ndarray or isinstance(v, np.ndarray):
                    if v.ndim:
                        raise ValueError(_MIXED)
                    types.add(v.dtype.type)
            ts = {t for t in ts if _category(t) != "a"}
        types.update(ts)
        return
    if cats - {"q", "a"}:
        raise ValueError(_RAGGED)
    sub = shape[depth + 1 :]
    for v in seq:
        if _category(type(v)) == "a":
            if list(v.shape) != sub:
                raise ValueError(_RAGGED)
            if v.size:
                types.add(v.dtype.type)
        else:
            _walk(_as_list(v), depth + 1, shape, types)


def _cannot(value, dtype):
    return TypeError(f"Cannot convert {value!r} to EagerTensor of dtype {dtypes.cpp_name(dtype)}")


def _unsupported(value):
    return ValueError(
        f"Attempt to convert a value ({value!r}) with an unsupported type ({type(value)}) to a Tensor."
    )


def _encode(x):
    return x.encode() if isinstance(x, str) else bytes(x)


def _string_array(value, shape):
    arr = np.empty(shape, dtype=object)
    if not shape:
        arr[()] = _encode(value)
        return arr
    flat = arr.reshape(-1)
    flat[:] = [_encode(v) for v in _flatten(value)]
    return arr


def _flatten(value):
    if _category(type(value)) in ("q", "a"):
        for v in value:
            yield from _flatten(v)
    else:
        yield value


def _np_target(dtype):
    return dtype._np if dtype._np is not None else dtypes.np_dtype(dtype)


def _float_array(value, shape, target):
    """Python floats/ints as `target` (float32/16), erroring where TF's float conversion overflows."""
    try:
        arr = np.asarray(value, dtype=np.float64)
    except OverflowError:
        raise ValueError(_FLOAT_RANGE) from None
    with np.errstate(over="ignore"):
        out = arr.astype(np.float32)
    if np.isinf(out).any() and (np.isinf(out) & np.isfinite(arr)).any():
        raise ValueError(_FLOAT_RANGE)
    return out if target == np.float32 else out.astype(target)


def _int_array(value):
    try:
        arr = np.asarray(value, dtype=np.int64)
    except OverflowError:
        raise ValueError(_INT_RANGE) from None
    return arr


def _from_python(value, dtype):
    """A Python value (scalar or nested sequence, no tensors) as a NumPy array or scalar.

    Returns None when the sequence holds tensors (the caller packs it).
    """
    tp = type(value)
    c = _category(tp)
    if (tp is list or tp is tuple) and value:
        ts = set(map(type, value))
        if len(ts) == 1:  # fast path: a flat list of one Python scalar type
            et = ts.pop()
            if et is float or et is int or et is bool:
                cat = _BASE_CATEGORY[et]
                arr = (_infer(value, [len(value)], {cat}, value[0], cat) if dtype is None
                       else _with_dtype(value, [len(value)], {cat}, cat, dtype))  # fmt: skip
                return arr
    if c == "q":
        try:
            shape, types, first = _scan(value)
        except _HasTensor:
            return None
        cats = {_category(t) for t in types}
        first_cat = _category(type(first)) if first is not None or types else None
        if first is None and not types:
            first_cat = None
    else:
        if c == "x" or c == "t":
            raise _unsupported(value)
        shape, types, first, cats, first_cat = [], (tp,), value, {c}, c
    if "x" in cats:
        if first_cat == "x":
            raise _unsupported(first)
        raise ValueError(_MIXED)
    if dtype is None:
        arr = _infer(value, shape, cats, first, first_cat)
    else:
        arr = _with_dtype(value, shape, cats, first_cat, dtype)
    if arr.ndim == 0 and arr.dtype.kind != "O":
        return arr[()]
    return arr


def _infer(value, shape, cats, first, first_cat):
    if first_cat is None:  # no leaves: an empty float32 tensor
        return np.zeros(shape, dtype=np.float32)
    if first_cat == "b":
        if cats != {"b"}:
            raise ValueError(_MIXED)
        return np.asarray(value, dtype=np.bool_)
    if first_cat == "i":
        if not cats <= {"i", "b", "f"}:
            raise ValueError(_MIXED)
        if "f" in cats:
            return _float_array(value, shape, np.float32)
        arr = _int_array(value)
        if arr.size and (arr.min() < _INT32_MIN or arr.max() > _INT32_MAX):
            return arr
        return arr.astype(np.int32)
    if first_cat == "f":
        if not cats <= {"i", "b", "f"}:
            raise ValueError(_MIXED)
        ft = type(first)
        if ft is np.float64:
            return np.asarray(value, dtype=np.float64)
        return _float_array(value, shape, np.float16 if ft is np.float16 else np.float32)
    if first_cat == "c":
        if "s" in cats:
            raise ValueError(_MIXED)
        return np.asarray(value, dtype=np.complex128)
    # strings
    if cats != {"s"}:
        raise ValueError(_MIXED)
    return _string_array(value, shape)


def _with_dtype(value, shape, cats, first_cat, dtype):
    """Python value -> NumPy, for a requested dtype (TF's per-dtype converters)."""
    kind = dtype._kind
    if "s" in cats:
        if cats != {"s"}:
            raise ValueError(_MIXED)
        if kind != "s":
            raise _cannot(value, dtype)
        return _string_array(value, shape)
    if kind == "s" and cats:
        raise _cannot(value, dtype)
    if not cats:
        return np.empty(shape, dtype=object) if kind == "s" else np.zeros(shape, _np_target(dtype))
    if kind == "b":
        if cats != {"b"}:
            if first_cat == "b" and shape:
                raise ValueError(_MIXED)
            raise _cannot(value, dtype)
        return np.asarray(value, dtype=np.bool_)
    if kind in ("i", "u"):
        if "f" in cats or "c" in cats:
            raise _cannot(value, dtype)
        if "b" in cats and dtype not in (dtypes.int32, dtypes.int64, dtypes.uint64):
            raise _cannot(value, dtype)
        if dtype is dtypes.uint64:
            try:
                return np.asarray(value, dtype=np.uint64)
            except OverflowError:
                raise _cannot(value, dtype) from None
        arr = _int_array(value)
        return arr if dtype is dtypes.int64 else arr.astype(dtype._np)
    if kind == "f":
        if "c" in cats or ("b" in cats and dtype is dtypes.bfloat16):
            raise _cannot(value, dtype)
        try:
            arr = np.asarray(value, dtype=np.float64)
        except OverflowError:
            raise ValueError(_FLOAT_RANGE) from None
        with np.errstate(over="ignore"):
            return arr.astype(_np_target(dtype))
    if kind == "c":
        if "b" in cats and dtype is not dtypes.complex128:
            raise _cannot(value, dtype)
        return np.asarray(value, dtype=np.complex128).astype(dtype._np)
    raise _cannot(value, dtype)


_NPY_TYPE_NAMES = {"M": "NPY_DATETIME", "m": "NPY_TIMEDELTA", "V": "NPY_VOID"}
_PY_TYPE_OF_KIND = {"b": "bool", "i": "int", "u": "int", "f": "float", "c": "complex"}


def _from_numpy(value, dtype):
    """A NumPy array or scalar as a fresh array (a scalar for rank 0) of TF's dtype."""
    arr = np.asarray(value)
    kind = arr.dtype.kind
    if kind in _NP_STRING_KINDS:
        if dtype is not None and dtype._kind != "s":
            out = arr.astype(_np_target(dtype))
            return out if out.ndim else out[()]
        out = np.empty(arr.shape, dtype=object)
        out.reshape(-1)[:] = [_encode(v) for v in arr.reshape(-1).tolist()]
        return out
    if kind == "O":
        flat = arr.reshape(-1).tolist()
        for v in flat:
            if not isinstance(v, (bytes, str)):
                raise ValueError(
                    f"Failed to convert a NumPy array to a Tensor (Unsupported object type {type(v).__name__})."
                )
        out = np.empty(arr.shape, dtype=object)
        out.reshape(-1)[:] = [_encode(v) for v in flat]
        return out
    src = _BY_NP.get(arr.dtype)
    if src is None:
        if arr.dtype.name == "bfloat16":
            src = dtypes.as_dtype(arr.dtype)
        else:
            name = _NPY_TYPE_NAMES.get(kind, "NPY_" + arr.dtype.name.upper())
            raise ValueError(
                f"Failed to convert a NumPy array to a Tensor (Unsupported numpy type: {name})."
            )
    if dtype is None or dtype is src:
        out = np.array(arr, copy=True)
    elif dtype._kind == "s":
        raise ValueError(
            f"Failed to convert a NumPy array to a Tensor (Unsupported object type {_PY_TYPE_OF_KIND.get(kind, kind)})."
        )
    elif dtype._kind in ("r", "q"):
        raise ValueError(
            "Failed to convert a NumPy array to a Tensor (Unexpected numpy data type)."
        )
    else:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")  # ComplexWarning, invalid casts: TF casts silently
            if kind == "c" and dtype._kind != "c":
                arr = arr.real
            out = arr.astype(_np_target(dtype))
    return out if out.ndim else out[()]


def _to_array(value, dtype=None):
    """Converts a Python/NumPy value (no tensors) into a fresh NumPy value of TF's dtype.

    Rank-0 numeric results are NumPy scalars; strings are object arrays of bytes.
    """
    if dtype is not None:
        dtype = dtypes.as_dtype(dtype)
    if isinstance(value, (np.ndarray, np.generic)):
        return _from_numpy(value, dtype)
    out = _from_python(value, dtype)
    if out is None:
        raise TypeError(f"Cannot convert {value!r} to EagerTensor: it holds tensors (use tf.stack)")
    return out


def _scalar_fast(value, dtype):
    """Common cases of `_to_array` (Python float/int/bool scalars), or None."""
    tp = type(value)
    if dtype is None:
        if tp is float:
            v = np.float32(value)
            if v - v != 0 and value - value == 0:  # finite value overflowed float32
                raise ValueError(_FLOAT_RANGE)
            return v
        if tp is int:
            if _INT32_MIN <= value <= _INT32_MAX:
                return np.int32(value)
            if _INT64_MIN <= value <= _INT64_MAX:
                return np.int64(value)
            raise ValueError(_INT_RANGE)
        if tp is bool:
            return np.bool_(value)
        return None
    if (tp is float or tp is int) and dtype._kind == "f" and dtype._np is not None:
        with np.errstate(over="ignore"):
            return dtype._np.type(value)
    if tp is int and (dtype is dtypes.int32 or dtype is dtypes.int64):
        if _INT32_MIN <= value <= _INT32_MAX:
            return dtype._np.type(value)
    return None


def _autopack(value, dtype):
    """A (nested) list holding tensors, as TF packs it: tf.stack with one dtype."""
    cast = dtype is not None
    if dtype is None:
        dtype = _first_tensor_dtype(value)
    return _pack(_as_list(value), dtype, cast)


def _first_tensor_dtype(seq):
    for v in seq:
        c = _category(type(v))
        if c == "t":
            return v.dtype
        if c == "q":
            d = _first_tensor_dtype(_as_list(v))
            if d is not None:
                return d
    return None


def _pack(seq, dtype, cast):
    from arroyo.ops import array_ops, math_ops

    elems = []
    must_pack = False
    for v in seq:
        c = _category(type(v))
        if c == "t":
            t = convert_to_tensor(v)
            if cast and t.dtype is not dtype:
                t = math_ops.cast(t, dtype)
            elems.append(t)
            must_pack = True
        elif c == "q":
            sub = _pack(_as_list(v), dtype, cast)
            must_pack = must_pack or isinstance(sub, Tensor)
            elems.append(sub)
        else:
            elems.append(v)
    if not must_pack:
        return elems
    tensors = [e if isinstance(e, Tensor) else convert_to_tensor(e, dtype=dtype) for e in elems]
    return array_ops.stack(tensors)


def convert_to_tensor(value, dtype=None, dtype_hint=None, name=None) -> Tensor:
    """Converts Python values, NumPy arrays, Variables and tensors to a `tf.Tensor`.

    Python ints become int32 (int64 when too large), floats float32, NumPy keeps its dtype;
    `dtype_hint` is tried first and dropped when the value does not fit it.

    >>> tf.convert_to_tensor([1, 2, 3]).dtype
    tf.int32
    >>> tf.convert_to_tensor(1, dtype_hint=tf.float32).dtype
    tf.float32
    """
    if isinstance(value, Tensor):
        if dtype is not None:
            dtype = dtypes.as_dtype(dtype)
            if value.dtype is not dtype:
                raise ValueError(
                    f"Tensor conversion requested dtype {dtype.name} for Tensor with dtype "
                    f"{value.dtype.name}: {value!r}"
                )
        return value
    fn = _find_conversion(type(value))
    if fn is not None:
        return fn(value, dtype=None if dtype is None else dtypes.as_dtype(dtype), name=name)
    if dtype is None:
        if dtype_hint is not None:
            try:
                return _constant(value, dtypes.as_dtype(dtype_hint))
            except (TypeError, ValueError):
                pass
    else:
        dtype = dtypes.as_dtype(dtype)
    return _constant(value, dtype)


def _constant(value, dtype):
    v = _scalar_fast(value, dtype)
    if v is None:
        if isinstance(value, (np.ndarray, np.generic)):
            v = _from_numpy(value, dtype)
        else:
            v = _from_python(value, dtype)
            if v is None:
                return _autopack(value, dtype)
    from arroyo.framework.context import state

    if state.graph is not None:
        return state.graph.capture_constant(v)
    return _wrap(v)


def _shape_to_tensor(shape, dtype=None, name=None):
    if not shape.is_fully_defined():
        raise ValueError(f"Cannot convert a partially known TensorShape {shape} to a Tensor.")
    dims = shape.as_list()
    if dtype is None:
        dtype = dtypes.int64 if any(d > _INT32_MAX for d in dims) else dtypes.int32
    return _constant(np.asarray(dims, dtype=_np_target(dtype)), None)


register_tensor_conversion_function(TensorShape, _shape_to_tensor)


def constant_value(tensor):
    """The NumPy value of a tensor when known (always, for eager tensors)."""
    if isinstance(tensor, EagerTensor):
        return tensor.numpy()
    if hasattr(tensor, "_constant_value"):
        return tensor._constant_value()
    return None


def _tape_active():
    from arroyo.framework.context import state

    return bool(state.tapes)


def is_tensor(x) -> bool:
    """True for tensors, Variables and composite tensors such as IndexedSlices (`tf.is_tensor`).

    >>> tf.is_tensor(tf.constant(1)), tf.is_tensor([1])
    (True, False)
    """
    if isinstance(x, Tensor) or getattr(x, "_is_arroyo_variable", False):
        return True
    from arroyo.framework.composite_tensor import CompositeTensor
    from arroyo.ops.indexed_slices import IndexedSlices

    return isinstance(x, (IndexedSlices, CompositeTensor))


class TensorSpec:
    """Describes a tensor: shape, dtype and optional name, e.g. for `input_signature`.

    >>> tf.TensorSpec([None, 3], tf.float32).is_compatible_with(tf.zeros([2, 3]))
    True
    """

    __slots__ = ("_shape", "_dtype", "_name")

    def __init__(self, shape, dtype=dtypes.float32, name=None):
        self._shape = as_shape(shape)
        self._dtype = dtypes.as_dtype(dtype)
        self._name = name

    @classmethod
    def from_tensor(cls, tensor, name=None):
        if name is None:
            try:
                name = tensor.name.split(":")[0] if not isinstance(tensor, EagerTensor) else None
            except AttributeError:
                name = None
        return cls(tensor.shape, tensor.dtype, name)

    @classmethod
    def from_spec(cls, spec, name=None):
        return cls(spec.shape, spec.dtype, name if name is not None else spec.name)

    @property
    def shape(self):
        return self._shape

    @property
    def dtype(self):
        return self._dtype

    @property
    def name(self):
        return self._name

    def is_compatible_with(self, spec_or_tensor) -> bool:
        return self._dtype.is_compatible_with(
            spec_or_tensor.dtype
        ) and self._shape.is_compatible_with(spec_or_tensor.shape)

    def most_specific_compatible_type(self, other):
        return TensorSpec(self._shape.most_specific_compatible_shape(other.shape), self._dtype)

    def __eq__(self, other):
        return (
            type(other) is type(self)
            and self._shape == other._shape
            and self._dtype == other._dtype
            and self._name == other._name
        )

    def __hash__(self):
        return hash((self._shape, self._dtype, self._name))

    def __repr__(self):
        return f"TensorSpec(shape={self._shape}, dtype={self._dtype!r}, name={self._name!r})"


def _raise_dtype_mismatch(op_name, index, expected, got):
    raise InvalidArgumentError(
        None,
        None,
        f"cannot compute {op_name} as input #{index}(zero-based) was expected to be a "
        f"{expected.name} tensor but is a {got.name} tensor [Op:{op_name}]",
    )


# The operator methods above call these modules; they import this one, so bind late.
from arroyo.ops import array_ops as _a  # noqa: E402
from arroyo.ops import math_ops as _m  # noqa: E402
