"""TensorFlow's dtypes: `tf.float32`, `tf.as_dtype`, and their NumPy counterparts.

Each DType carries TF's enum value (the `DataType` proto number used in checkpoints and
GraphDefs), its name, and the NumPy dtype arroyo stores it as. Strings are NumPy object
arrays of `bytes`; bfloat16 comes from the optional `ml_dtypes` package, loaded the first
time bfloat16 data is needed (naming the missing package when it is not installed).
"""

from __future__ import annotations

import builtins

import numpy as np

__all__ = [
    "DType", "as_dtype", "QUANTIZED_DTYPES", "bfloat16", "bool", "complex64", "complex128",
    "double", "float16", "float32", "float64", "half", "int8", "int16", "int32", "int64",
    "qint8", "qint16", "qint32", "quint8", "quint16", "resource", "string", "uint8", "uint16",
    "uint32", "uint64", "variant",
]  # fmt: skip

# TF's C++ spellings, used in its error messages ("... dtype float").
_CPP_NAMES = {"float32": "float", "float64": "double", "float16": "half"}


class DType:
    """A TensorFlow element type, e.g. `tf.float32`.

    >>> tf.float32.name, tf.float32.size, tf.float32.is_floating
    ('float32', 4, True)
    """

    __slots__ = ("_name", "_enum", "_np", "_kind", "_ref")

    def __new__(cls, *args):
        if len(args) == 1:  # TF's `tf.DType(type_enum)`: the interned dtype
            return as_dtype(_enum_arg(args[0]))
        return super().__new__(cls)

    def __init__(self, name, enum=None, np_dtype=None, kind=None):
        if enum is None:  # DType(type_enum): __new__ returned the interned instance
            return
        self._name = name
        self._enum = enum
        self._np = np_dtype  # a numpy.dtype, or None (bfloat16 until loaded, quantized, resource)
        # 'f' float, 'i' signed, 'u' unsigned, 'c' complex, 'b' bool, 's' string,
        # 'q' quantized, 'r' resource/variant
        self._kind = kind

    # -- identity ---------------------------------------------------------------------
    @property
    def name(self) -> str:
        return self._name

    @property
    def as_datatype_enum(self) -> int:
        return self._enum

    @property
    def as_numpy_dtype(self):
        """The NumPy scalar type (`np.float32`; `object` for strings)."""
        if self._kind == "s":
            return object
        if self._kind == "q":
            return _QUANTIZED_NP[self._name]
        if self._kind == "r":
            raise KeyError(self._enum)  # as TF: resource/variant have no NumPy type
        if self._np is None:
            _load_bfloat16()
        return self._np.type

    @property
    def base_dtype(self) -> DType:
        return self

    @property
    def real_dtype(self) -> DType:
        if self is complex64:
            return float32
        if self is complex128:
            return float64
        return self

    # -- classification ---------------------------------------------------------------
    @property
    def is_floating(self) -> builtins.bool:
        return self._kind == "f"

    @property
    def is_integer(self) -> builtins.bool:
        return self._kind == "i" or self._kind == "u"

    @property
    def is_unsigned(self) -> builtins.bool:
        return self._kind == "u"

    @property
    def is_complex(self) -> builtins.bool:
        return self._kind == "c"

    @property
    def is_bool(self) -> builtins.bool:
        return self._kind == "b"

    @property
    def is_numeric(self) -> builtins.bool:
        return self._kind in ("f", "i", "u", "c", "q")

    @property
    def is_numpy_compatible(self) -> builtins.bool:
        return self._kind != "r"

    @property
    def is_quantized(self) -> builtins.bool:
        return self._kind == "q"

    @property
    def size(self) -> int:
        """Bytes per element (0 for string, resource and variant, as in TF)."""
        if self._kind in ("s", "r"):
            return 0
        if self._kind == "q":
            return _QUANTIZED_NP[self._name].itemsize
        if self._np is None:
            return 2  # bfloat16
        return self._np.itemsize

    @property
    def limits(self):
        """TF's image-intensity limits: `(0, max)` for ints and bool, `(0, 1)` for floats.

        Only float32/float64, bool and the integer types have them.
        """
        if self._kind == "r":
            raise KeyError(self._enum)
        hi = _LIMITS.get(self._name)
        if hi is None:
            raise ValueError(f"{self} does not have defined limits.")
        return 0, hi

    @property
    def min(self):
        """The smallest value (a Python int for integers, a NumPy scalar for floats)."""
        return self._extreme("min", "minimum")

    @property
    def max(self):
        return self._extreme("max", "maximum")

    def _extreme(self, which, word):
        if self._kind == "q" or self._kind in ("b", "s", "c"):
            what = "quantized type" if self._kind == "q" else "type"
            raise TypeError(f"Cannot find {word} value of {self} with {what} {self}.")
        if self._kind == "f":
            return getattr(_finfo(self), which)
        if self._kind in ("i", "u"):
            return int(getattr(np.iinfo(self._np), which))
        raise TypeError(f"Cannot find {word} value of {self}.")

    def is_compatible_with(self, other) -> builtins.bool:
        """True if `other` (anything `as_dtype` accepts) is this dtype."""
        return as_dtype(other) is self

    def is_subtype_of(self, other) -> builtins.bool:
        return self == other

    def most_specific_common_supertype(self, others):
        return self if all(self == o for o in others) else None

    # -- comparison -------------------------------------------------------------------
    def __eq__(self, other):
        if other is self:
            return True
        if other is None:
            return False
        if type(other) is not DType:
            try:
                other = as_dtype(other)
            except TypeError:
                return False
        return other._enum == self._enum

    def __ne__(self, other):
        return not self.__eq__(other)

    def __hash__(self):
        return self._enum

    def __repr__(self):
        return f"tf.{self._name}"

    def __str__(self):
        return f"<dtype: '{self._name}'>"

    def __reduce__(self):
        return as_dtype, (self._name,)

    def __copy__(self):
        return self

    def __deepcopy__(self, memo):
        return self


def _enum_arg(value):
    if isinstance(value, DType):
        return value._enum
    return value


def _finfo(dtype):
    np_dtype = dtype._np if dtype._np is not None else bfloat16_numpy_dtype()
    try:
        return np.finfo(np_dtype)
    except ValueError:  # ml_dtypes types
        import ml_dtypes

        return ml_dtypes.finfo(np_dtype)


float16 = DType("float16", 19, np.dtype(np.float16), "f")
float32 = DType("float32", 1, np.dtype(np.float32), "f")
float64 = DType("float64", 2, np.dtype(np.float64), "f")
bfloat16 = DType("bfloat16", 14, None, "f")  # numpy dtype attached lazily (ml_dtypes)
int8 = DType("int8", 6, np.dtype(np.int8), "i")
int16 = DType("int16", 5, np.dtype(np.int16), "i")
int32 = DType("int32", 3, np.dtype(np.int32), "i")
int64 = DType("int64", 9, np.dtype(np.int64), "i")
uint8 = DType("uint8", 4, np.dtype(np.uint8), "u")
uint16 = DType("uint16", 17, np.dtype(np.uint16), "u")
uint32 = DType("uint32", 22, np.dtype(np.uint32), "u")
uint64 = DType("uint64", 23, np.dtype(np.uint64), "u")
complex64 = DType("complex64", 8, np.dtype(np.complex64), "c")
complex128 = DType("complex128", 18, np.dtype(np.complex128), "c")
bool = DType("bool", 10, np.dtype(np.bool_), "b")  # noqa: A001 - TF's public name
string = DType("string", 7, np.dtype(object), "s")
resource = DType("resource", 20, None, "r")
variant = DType("variant", 21, None, "r")
qint8 = DType("qint8", 11, None, "q")
quint8 = DType("quint8", 12, None, "q")
qint32 = DType("qint32", 13, None, "q")
qint16 = DType("qint16", 15, None, "q")
quint16 = DType("quint16", 16, None, "q")
half = float16
double = float64

_QUANTIZED_NP = {
    "qint8": np.dtype([("qint8", np.int8)]),
    "quint8": np.dtype([("quint8", np.uint8)]),
    "qint16": np.dtype([("qint16", np.int16)]),
    "quint16": np.dtype([("quint16", np.uint16)]),
    "qint32": np.dtype([("qint32", np.int32)]),
}
_LIMITS = {
    "bool": True, "uint8": 255, "uint16": 65535, "int8": 127, "int16": 32767,
    "int32": 2**31 - 1, "int64": 2**63 - 1, "uint32": 2**32 - 1, "uint64": 2**64 - 1,
    "float32": 1, "float64": 1,
}  # fmt: skip

_ALL = [
    float16, float32, float64, bfloat16, int8, int16, int32, int64, uint8, uint16, uint32,
    uint64, complex64, complex128, bool, string, resource, variant, qint8, quint8, qint16,
    quint16, qint32,
]  # fmt: skip
QUANTIZED_DTYPES = frozenset([qint8, quint8, qint16, quint16, qint32])

_BY_NAME = {d.name: d for d in _ALL}
_BY_NAME.update({"half": float16, "float": float32, "double": float64})
_BY_ENUM = {d.as_datatype_enum: d for d in _ALL}
# numpy dtype -> DType (the hot lookup behind `Tensor.dtype`); object arrays hold bytes.
_BY_NP = {d._np: d for d in _ALL if d._np is not None}
_BY_NP[np.dtype(np.str_)] = string
_BY_NP[np.dtype(np.bytes_)] = string
# Everything else `as_dtype` accepts, as one lookup table (TF's rules: Python `float` is
# float32 and `bool` is bool, but Python `int`, `complex` and `str` are rejected).
_ANY: dict = dict(_BY_NAME)
_ANY.update(_BY_ENUM)
_ANY.update({d._np.type: d for d in _ALL if d._np is not None})
_ANY.update({
    float: float32, builtins.bool: bool, object: string, np.str_: string, np.bytes_: string,
})  # fmt: skip


def _load_bfloat16() -> DType:
    try:
        import ml_dtypes
    except ImportError:
        raise TypeError(
            "bfloat16 needs the optional 'ml_dtypes' package: pip install 'arroyo[all]' "
            "(or pip install ml_dtypes)"
        ) from None
    np_bf16 = np.dtype(ml_dtypes.bfloat16)
    bfloat16._np = np_bf16
    _BY_NP[np_bf16] = bfloat16
    _ANY[ml_dtypes.bfloat16] = bfloat16
    return bfloat16


def bfloat16_numpy_dtype():
    """NumPy's bfloat16 (from ml_dtypes); TypeError naming the package when missing."""
    if bfloat16._np is None:
        _load_bfloat16()
    return bfloat16._np


def np_dtype(dtype: DType):
    """The NumPy dtype arroyo stores `dtype` as (loading bfloat16 support on demand)."""
    npd = dtype._np
    if npd is None:
        if dtype is bfloat16:
            return bfloat16_numpy_dtype()
        raise TypeError(f"{dtype} has no NumPy representation in arroyo")
    return npd


def as_dtype(type_value) -> DType:
    """Converts a DType, NumPy dtype/type, name or enum to a `tf.DType`.

    >>> tf.as_dtype("float32") is tf.float32
    True
    >>> tf.as_dtype(np.int64)
    tf.int64
    """
    if type(type_value) is DType:
        return type_value
    if isinstance(type_value, np.dtype):
        d = _BY_NP.get(type_value) or _ANY.get(type_value.type)
        if d is not None:
            return d
        if type_value.name == "bfloat16":
            return _load_bfloat16()
    else:
        try:
            d = _ANY.get(type_value)
        except TypeError:  # unhashable
            d = None
        if d is not None:
            return d
        if isinstance(type_value, type) and issubclass(type_value, np.generic):
            try:
                return as_dtype(np.dtype(type_value))
            except TypeError:
                pass
        elif getattr(type_value, "__name__", None) == "bfloat16" and isinstance(type_value, type):
            return _load_bfloat16()
        if hasattr(type_value, "dtype") and not isinstance(type_value.dtype, DType):
            try:
                return as_dtype(np.dtype(type_value.dtype))
            except TypeError:
                pass
    raise TypeError(
        f"Cannot convert the argument `type_value`: {type_value!r} to a TensorFlow DType."
    )


def cpp_name(dtype: DType) -> str:
    """TF's C++ spelling of a dtype in messages ('float' for float32)."""
    return _CPP_NAMES.get(dtype._name, dtype._name)
