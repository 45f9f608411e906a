"""`tf.Tensor`, the eager tensor, `tf.TensorSpec` and `tf.convert_to_tensor`.

An EagerTensor is a thin, immutable wrapper around a NumPy array (or NumPy scalar): the
kernels never write into their inputs, and Variables replace their array on assignment, so
sharing arrays between tensors is safe. Python operators are defined once on `Tensor` and
go through the public ops, so they work the same on eager and symbolic tensors.
"""

from __future__ import annotations

import numbers

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
            raise ValueError(f"Tensor's shape {self.shape} is not compatible with supplied shape {as_shape(shape)}.")

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

    def __pos__(self):
        return self

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

    def __lshift__(self, other):
        return _m.left_shift_(self, other)

    def __rshift__(self, other):
        return _m.right_shift_(self, other)

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


class EagerTensor(Tensor):
    """A tensor with a concrete value, computed as soon as its op ran."""

    __slots__ = ("_value", "__weakref__")

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
        return bool(self._value)

    def __int__(self):
        return int(self._value)

    def __float__(self):
        return float(self._value)

    def __complex__(self):
        return complex(self._value)

    def __index__(self):
        if self.dtype.is_integer and self._value.ndim == 0:
            return int(self._value)
        raise TypeError(f"Only integer scalar tensors can be converted to an index, got {self.dtype.name} tensor of shape {self.shape}")

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

    def cpu(self):
        return self

    def gpu(self):
        return self


def _numpy_text(value, is_repr: bool) -> str:
    """TF's rendering of a tensor's value: NumPy's repr/str, Python repr for scalars."""
    if is_repr:
        if np.ndim(value) == 0:
            item = value[()] if isinstance(value, np.ndarray) else value
            text = repr(item) if isinstance(item, bytes) else repr(item.item())
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

_INT32_MIN, _INT32_MAX = -(2**31), 2**31 - 1
_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1

# Objects (Variables, ...) register a function that turns them into a tensor.
_conversion_registry: list[tuple[type, object]] = []


def register_tensor_conversion_function(base_type, conversion_func, priority=100):
    """Lets instances of `base_type` be passed wherever a tensor is expected."""
    _conversion_registry.append((base_type, conversion_func))
    _conversion_cache.clear()


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


def _infer_python_dtype(value):
    """TF's dtype for a (nested) Python value: int32 unless too large, float32, bool..."""
    kinds = set()
    big = [False]

    def visit(v, depth):
        if isinstance(v, (list, tuple)):
            for x in v:
                visit(x, depth + 1)
            return
        t = type(v)
        if t is bool or t is np.bool_:
            kinds.add("b")
        elif isinstance(v, numbers.Integral) and not isinstance(v, np.generic):
            kinds.add("i")
            if v < _INT32_MIN or v > _INT32_MAX:
                if v < _INT64_MIN or v > _INT64_MAX:
                    raise ValueError("Can't convert Python sequence with out-of-range integer to Tensor.")
                big[0] = True
        elif isinstance(v, np.generic):
            kinds.add(("np", v.dtype))
        elif isinstance(v, float):
            kinds.add("f")
        elif isinstance(v, complex):
            kinds.add("c")
        elif isinstance(v, (str, bytes)):
            kinds.add("s")
        elif isinstance(v, np.ndarray):
            kinds.add(("np", v.dtype))
        elif isinstance(v, EagerTensor):
            kinds.add(("np", v._value.dtype))
        elif v is None:
            raise ValueError("Attempt to convert a value (None) with an unsupported type (<class 'NoneType'>) to a Tensor.")
        else:
            fn = _find_conversion(type(v))
            if fn is None:
                raise ValueError(f"Attempt to convert a value ({v!r}) with an unsupported type ({type(v)}) to a Tensor.")
            kinds.add(("np", fn(v)._value.dtype))

    visit(value, 0)
    if not kinds:
        return dtypes.float32
    if "s" in kinds:
        if len(kinds) > 1:
            raise ValueError("Can't convert Python sequence with mixed types to Tensor.")
        return dtypes.string
    nps = [k[1] for k in kinds if isinstance(k, tuple)]
    if nps:
        return _BY_NP[np.result_type(*nps)]
    if "b" in kinds and len(kinds) > 1:
        raise ValueError("Can't convert Python sequence with mixed types to Tensor.")
    if "c" in kinds:
        return dtypes.complex128
    if "f" in kinds:
        return dtypes.float32
    if "i" in kinds:
        return dtypes.int64 if big[0] else dtypes.int32
    return dtypes.bool


def _check_rectangular(value):
    """Raises TF's ValueError for ragged nested sequences."""
    if not isinstance(value, (list, tuple)):
        return ()
    if not value:
        return (0,)
    shapes = [_check_rectangular(v) for v in value]
    first = shapes[0]
    for s in shapes[1:]:
        if s != first:
            raise ValueError("Can't convert non-rectangular Python sequence to Tensor.")
    return (len(value), *first)


def _to_array(value, dtype=None):
    """Converts a Python/NumPy value into a fresh ndarray of TF's dtype (copying)."""
    if dtype is not None:
        dtype = dtypes.as_dtype(dtype)
    if isinstance(value, (np.ndarray, np.generic)) and value.dtype.kind in "SU":
        value = np.vectorize(lambda s: s.encode() if isinstance(s, str) else bytes(s), otypes=[object])(value)
        if dtype is not None and dtype is not dtypes.string:
            raise TypeError(f"Cannot convert {value!r} to EagerTensor of dtype {dtype.name}")
        return value
    if isinstance(value, np.ndarray):
        target = dtype if dtype is not None else _BY_NP.get(value.dtype)
        if target is None:
            raise TypeError(f"Unsupported NumPy dtype {value.dtype} for a Tensor.")
        return _cast_array(np.array(value, copy=True), target, value)
    if isinstance(value, np.generic):
        target = dtype if dtype is not None else _BY_NP.get(value.dtype)
        if target is None:
            raise TypeError(f"Unsupported NumPy dtype {value.dtype} for a Tensor.")
        return _cast_array(np.asarray(value), target, value)[()]
    if isinstance(value, (list, tuple)):
        _check_rectangular(value)
    inferred = _infer_python_dtype(value)
    target = dtype if dtype is not None else inferred
    if target is dtypes.string:
        if inferred is not dtypes.string:
            raise TypeError(f"Failed to convert elements of {value!r} to Tensor. Consider casting elements to a supported type.")
        arr = np.empty(np.shape(value) if isinstance(value, (list, tuple)) else (), dtype=object)
        _fill_strings(arr, value)
        return arr
    if inferred is dtypes.string:
        raise TypeError(f"Failed to convert elements of {value!r} to Tensor of dtype {target.name}.")
    if isinstance(value, (list, tuple)) and _contains_tensor(value):
        value = _unwrap_nested(value)
    np_dtype = inferred._np
    if target is not inferred and (target.is_floating or target.is_complex) and target._np is not None \
            and inferred._kind in "fiu":  # fmt: skip
        np_dtype = target._np  # convert Python numbers straight to the target precision
    arr = np.asarray(value, dtype=np_dtype)
    arr = _cast_array(arr, target, value)
    if arr.ndim == 0:
        return arr[()]
    return arr


def _contains_tensor(value):
    for v in value:
        if isinstance(v, (list, tuple)):
            if _contains_tensor(v):
                return True
        elif not isinstance(v, (int, float, complex, bool, str, bytes, np.generic)):
            return True
    return False


def _unwrap_nested(value):
    out = []
    for v in value:
        if isinstance(v, (list, tuple)):
            out.append(_unwrap_nested(v))
        elif isinstance(v, EagerTensor):
            out.append(v._value)
        elif isinstance(v, (int, float, complex, bool, str, bytes, np.generic, np.ndarray)):
            out.append(v)
        else:
            fn = _find_conversion(type(v))
            out.append(fn(v)._value)
    return out


def _fill_strings(arr, value):
    if arr.ndim == 0:
        arr[()] = value.encode() if isinstance(value, str) else bytes(value)
        return
    flat = arr.reshape(-1)
    for i, v in enumerate(_flatten(value)):
        flat[i] = v.encode() if isinstance(v, str) else bytes(v)


def _flatten(value):
    if isinstance(value, (list, tuple)):
        for v in value:
            yield from _flatten(v)
    else:
        yield value


def _cast_array(arr, target: dtypes.DType, original):
    """Casts `arr` to `target` the way TF's conversion does: refusing lossy Python values."""
    np_target = target._np if target._np is not None else dtypes.bfloat16_numpy_dtype()
    if arr.dtype == np_target:
        return arr
    if target is dtypes.string:
        raise TypeError(f"Cannot convert {original!r} to EagerTensor of dtype string")
    src_kind = arr.dtype.kind
    if isinstance(original, (np.ndarray, np.generic)):
        # NumPy inputs with an explicit dtype: TF casts only where no value is lost.
        if src_kind in "fc" and target.is_integer and not np.all(np.mod(arr, 1) == 0):
            raise TypeError(f"Cannot convert {original!r} to EagerTensor of dtype {target.name}")
        return arr.astype(np_target)
    if src_kind == "f" and (target.is_integer or target.is_bool):
        if not np.all(np.isfinite(arr)) or not np.all(np.mod(arr, 1) == 0):
            raise TypeError(f"Cannot convert {_short(original)} to EagerTensor of dtype {target.name}")
    if src_kind == "c" and not target.is_complex:
        raise TypeError(f"Cannot convert {_short(original)} to EagerTensor of dtype {target.name}")
    if src_kind in "iu" and target.is_integer:
        info = np.iinfo(np_target)
        if arr.size and (arr.min() < info.min or arr.max() > info.max):
            raise TypeError(f"Cannot convert {_short(original)} to EagerTensor of dtype {target.name}")
    if src_kind == "b" and not target.is_bool:
        raise TypeError(f"Cannot convert {_short(original)} to EagerTensor of dtype {target.name}")
    if src_kind != "b" and target.is_bool:
        raise TypeError(f"Cannot convert {_short(original)} to EagerTensor of dtype bool")
    return arr.astype(np_target)


def _short(v):
    return repr(v) if not isinstance(v, (list, tuple)) else repr(v)[:200]


def convert_to_tensor(value, dtype=None, name=None, dtype_hint=None, preferred_dtype=None) -> Tensor:
    """Converts Python values, NumPy arrays, Variables and tensors to a `tf.Tensor`.

    Python ints become int32 (int64 when too large), floats float32, NumPy keeps its dtype.

    >>> tf.convert_to_tensor([1, 2, 3]).dtype
    tf.int32
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
        t = fn(value, dtype=dtype, name=name)
        return t
    hint = dtype_hint if dtype_hint is not None else preferred_dtype
    if dtype is None and hint is not None:
        try:
            return _constant(value, hint)
        except (TypeError, ValueError):
            pass
    return _constant(value, dtype)


def _constant(value, dtype):
    arr = _to_array(value, dtype)
    from arroyo.framework.context import state

    if state.graph is not None:
        return state.graph.capture_constant(arr)
    return _wrap(arr)


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
    """True for `tf.Tensor`s and Variables (TF's `tf.is_tensor`)."""
    from arroyo.ops.variables import Variable

    return isinstance(x, (Tensor, Variable))


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
        return self._dtype.is_compatible_with(spec_or_tensor.dtype) and self._shape.is_compatible_with(spec_or_tensor.shape)

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
