"""TensorFlow's dtypes: `tf.float32`, `tf.as_dtype`, and their NumPy counterparts.

Each DType carries TF's enum value (the `DataType` proto number used in checkpoints and
GraphDefs), its name, and the NumPy dtype arroyo stores it as. Strings are NumPy object
arrays of `bytes`; bfloat16 comes from the optional `ml_dtypes` package.
"""

from __future__ import annotations

import builtins

import numpy as np

__all__ = ["DType", "as_dtype"]


class DType:
    """A TensorFlow element type, e.g. `tf.float32`.

    >>> tf.float32.name, tf.float32.size, tf.float32.is_floating
    ('float32', 4, True)
    """

    __slots__ = ("_name", "_enum", "_np", "_kind", "_ref")

    def __init__(self, name: str, enum: int, np_dtype, kind: str):
        self._name = name
        self._enum = enum
        self._np = np_dtype  # a numpy.dtype, or None for resource/variant
        self._kind = kind  # 'f' float, 'i' signed, 'u' unsigned, 'c' complex, 'b' bool, 's', 'r'

    # -- identity ---------------------------------------------------------------------
    @property
    def name(self) -> str:
        return self._name

    @property
    def as_datatype_enum(self) -> int:
        return self._enum

    @property
    def as_numpy_dtype(self):
        if self._np is None:
            return object
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
    def is_floating(self) -> bool:
        return self._kind == "f"

    @property
    def is_integer(self) -> bool:
        return self._kind in "iu" and len(self._kind) == 1

    @property
    def is_unsigned(self) -> bool:
        return self._kind == "u" or self is bool

    @property
    def is_complex(self) -> bool:
        return self._kind == "c"

    @property
    def is_bool(self) -> bool:
        return self._kind == "b"

    @property
    def is_numpy_compatible(self) -> bool:
        return self._np is not None

    @property
    def is_quantized(self) -> bool:
        return False

    @property
    def size(self) -> int:
        if self._np is None or self._kind == "s":
            return 1 if self._kind == "r" else 0
        return self._np.itemsize

    @property
    def limits(self):
        return self.min, self.max

    @property
    def min(self):
        if self._kind == "f":
            return self._np.type(-_finfo(self._np).max)
        if self._kind in ("i", "u"):
            return self._np.type(np.iinfo(self._np).min)
        raise TypeError(f"Cannot find minimum value of {self} with type {self}.")

    @property
    def max(self):
        if self._kind == "f":
            return self._np.type(_finfo(self._np).max)
        if self._kind in ("i", "u"):
            return self._np.type(np.iinfo(self._np).max)
        raise TypeError(f"Cannot find maximum value of {self} with type {self}.")

    def is_compatible_with(self, other) -> bool:
        try:
            return self is as_dtype(other)
        except TypeError:
            return False

    # -- comparison -------------------------------------------------------------------
    def __eq__(self, other):
        if other is self:
            return True
        if other is None:
            return False
        try:
            return as_dtype(other) is self
        except TypeError:
            return False

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


def _finfo(np_dtype):
    try:
        return np.finfo(np_dtype)
    except ValueError:  # ml_dtypes types
        import ml_dtypes

        return ml_dtypes.finfo(np_dtype)


def _bfloat16_np():
    try:
        import ml_dtypes
    except ImportError:
        return None
    return np.dtype(ml_dtypes.bfloat16)


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
half = float16
double = float64

_ALL = [
    float16, float32, float64, bfloat16, int8, int16, int32, int64, uint8, uint16, uint32,
    uint64, complex64, complex128, bool, string, resource, variant, qint8, quint8, qint32,
]  # fmt: skip

_BY_NAME = {d.name: d for d in _ALL}
_BY_NAME.update({"half": float16, "float": float32, "double": float64})
_BY_ENUM = {d.as_datatype_enum: d for d in _ALL}
# numpy dtype -> DType; object arrays hold bytes, i.e. tf.string.
_BY_NP = {d._np: d for d in _ALL if d._np is not None}
_BY_NP[np.dtype(np.str_)] = string
_BY_NP[np.dtype(np.bytes_)] = string
_BY_PY = {float: float32, int: int32, complex: complex128, str: string, bytes: string}


def _load_bfloat16() -> DType:
    np_bf16 = _bfloat16_np()
    if np_bf16 is None:
        raise TypeError(
            "bfloat16 needs the optional 'ml_dtypes' package: pip install 'arroyo[all]' "
            "(or pip install ml_dtypes)"
        )
    bfloat16._np = np_bf16
    _BY_NP[np_bf16] = bfloat16
    return bfloat16


def bfloat16_numpy_dtype():
    if bfloat16._np is None:
        _load_bfloat16()
    return bfloat16._np


def as_dtype(type_value) -> DType:
    """Converts a DType, NumPy dtype/type, Python type, name or enum to a `tf.DType`.

    >>> tf.as_dtype("float32") is tf.float32
    True
    """
    if type(type_value) is DType:
        return type_value
    try:
        d = _BY_NP.get(type_value)
        if d is not None:
            return d
    except TypeError:  # unhashable
        pass
    if isinstance(type_value, str):
        d = _BY_NAME.get(type_value)
        if d is not None:
            if d is bfloat16 and d._np is None:
                _load_bfloat16()
            return d
    elif isinstance(type_value, int) and not isinstance(type_value, builtins.bool):
        d = _BY_ENUM.get(type_value)
        if d is not None:
            return d
    if isinstance(type_value, type) and type_value in _BY_PY:
        return _BY_PY[type_value]
    if type_value is builtins.bool:
        return bool
    if hasattr(type_value, "dtype") and isinstance(getattr(type_value, "dtype"), DType):
        return type_value.dtype
    try:
        npd = np.dtype(type_value)
    except (TypeError, ValueError):
        npd = None
    if npd is not None:
        d = _BY_NP.get(npd)
        if d is None and npd.name == "bfloat16":
            return _load_bfloat16()
        if d is not None:
            return d
    raise TypeError(f"Cannot convert the argument `type_value`: {type_value!r} to a TensorFlow DType.")


QUANTIZED_DTYPES = frozenset([qint8, quint8, qint32])
