"""Nested Python structures <-> StructuredValue protos (TF's struct.proto).

Signatures and function specs are stored this way: tuples, lists, dicts and namedtuples of
TensorSpecs, shapes, dtypes and plain Python values.
"""

from __future__ import annotations

import collections

import numpy as np

from arroyo.framework import dtypes
from arroyo.framework.tensor import EagerTensor, TensorSpec
from arroyo.framework.tensor_shape import TensorShape
from arroyo.saved_model import tensor_proto as tp

__all__ = ["encode", "decode"]


def _is_namedtuple(x):
    return isinstance(x, tuple) and hasattr(type(x), "_fields")


def encode(value, out=None):
    """Fills (or makes) a StructuredValue describing `value`."""
    if out is None:
        out = tp.pb("saved_model_pb2").StructuredValue()
    if value is None:
        out.none_value.SetInParent()
    elif isinstance(value, (bool, np.bool_)):
        out.bool_value = bool(value)
    elif isinstance(value, (int, np.integer)):
        out.int64_value = int(value)
    elif isinstance(value, (float, np.floating)):
        out.float64_value = float(value)
    elif isinstance(value, str):
        out.string_value = value
    elif isinstance(value, TensorSpec):
        spec = out.tensor_spec_value
        spec.name = value.name or ""
        tp.shape_proto(value.shape, spec.shape)
        spec.dtype = value.dtype.as_datatype_enum
    elif isinstance(value, TensorShape):
        tp.shape_proto(value, out.tensor_shape_value)
    elif isinstance(value, dtypes.DType):
        out.tensor_dtype_value = value.as_datatype_enum
    elif _is_namedtuple(value):
        nt = out.named_tuple_value
        nt.name = type(value).__name__
        for k in value._fields:
            encode(getattr(value, k), nt.values.add(key=k).value)
    elif isinstance(value, tuple):
        out.tuple_value.SetInParent()
        for v in value:
            encode(v, out.tuple_value.values.add())
    elif isinstance(value, list):
        out.list_value.SetInParent()
        for v in value:
            encode(v, out.list_value.values.add())
    elif isinstance(value, dict):
        out.dict_value.SetInParent()
        for k, v in value.items():
            if not isinstance(k, str):
                raise ValueError(
                    f"Cannot save a dict with non-string key {k!r} in a function signature"
                )
            encode(v, out.dict_value.fields[k])
    elif isinstance(value, EagerTensor):
        tp.make_tensor_proto(value._value, value.dtype, out.tensor_value)
    elif isinstance(value, np.ndarray):
        tp.make_tensor_proto(value, out=out.numpy_value)
    else:
        raise ValueError(
            f"Cannot encode {value!r} of type {type(value).__name__} in a SavedModel signature: "
            "only tensors, TensorSpecs and nested lists/tuples/dicts of Python scalars are supported."
        )
    return out


_NAMEDTUPLES: dict = {}


def _namedtuple(name, fields):
    key = (name, tuple(fields))
    cls = _NAMEDTUPLES.get(key)
    if cls is None:
        cls = collections.namedtuple(name, fields)
        _NAMEDTUPLES[key] = cls
    return cls


def decode(proto):
    """The Python value of a StructuredValue."""
    kind = proto.WhichOneof("kind")
    if kind is None or kind == "none_value":
        return None
    if kind in ("bool_value", "int64_value", "float64_value", "string_value"):
        return getattr(proto, kind)
    if kind in ("tensor_spec_value", "bounded_tensor_spec_value"):
        s = getattr(proto, kind)
        return TensorSpec(tp.shape_from_proto(s.shape), tp.dtype_from_enum(s.dtype), s.name or None)
    if kind == "tensor_shape_value":
        return tp.shape_from_proto(proto.tensor_shape_value)
    if kind == "tensor_dtype_value":
        return tp.dtype_from_enum(proto.tensor_dtype_value)
    if kind == "list_value":
        return [decode(v) for v in proto.list_value.values]
    if kind == "tuple_value":
        return tuple(decode(v) for v in proto.tuple_value.values)
    if kind == "dict_value":
        fields = proto.dict_value.fields
        return {k: decode(fields[k]) for k in sorted(fields)}  # a proto map has no order
    if kind == "named_tuple_value":
        nt = proto.named_tuple_value
        cls = _namedtuple(nt.name, [p.key for p in nt.values])
        return cls(*[decode(p.value) for p in nt.values])
    if kind == "tensor_value":
        from arroyo.framework.tensor import _wrap

        return _wrap(tp.tensor_from_proto(proto.tensor_value))
    if kind == "numpy_value":
        return tp.tensor_from_proto(proto.numpy_value)
    if kind == "type_spec_value":
        raise NotImplementedError(
            f"This SavedModel uses a composite tensor ({proto.type_spec_value.type_spec_class_name or 'TypeSpec'}) "
            "in a function signature, which arroyo does not load."
        )
    raise ValueError(f"Unknown StructuredValue kind {kind}")
