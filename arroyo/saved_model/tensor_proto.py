"""Values <-> protobuf: TensorProto, TensorShapeProto, DataType enums and AttrValue.

TensorProto stores numbers either as raw little-endian bytes (`tensor_content`) or in the
typed repeated field of its dtype; a field shorter than the shape repeats its last value
(TF's rule for splat constants, e.g. `tf.zeros([1000])` saved as one value).
"""

from __future__ import annotations

import numpy as np

from arroyo.framework import dtypes
from arroyo.framework.tensor_shape import TensorShape

__all__ = ["pb", "dtype_enum", "dtype_from_enum", "shape_proto", "shape_from_proto",
           "make_tensor_proto", "tensor_from_proto", "attr_to_python"]  # fmt: skip


def pb(module="graph_pb2"):
    """The generated protobuf module (protobuf is an optional dependency)."""
    from arroyo.proto import load

    return load(module)


def training():
    """arroyo's checkpoint modules (`arroyo.train.checkpoint`, `.tensor_bundle`)."""
    from arroyo.train import checkpoint, tensor_bundle

    return checkpoint, tensor_bundle


def dtype_enum(dtype) -> int:
    return dtypes.as_dtype(dtype).as_datatype_enum


def dtype_from_enum(enum: int):
    if enum > 100:  # reference dtypes (TF1 variables) read as their value dtype
        enum -= 100
    return dtypes.as_dtype(int(enum))


def shape_proto(shape, out=None):
    """Fills (or makes) a TensorShapeProto: -1 for unknown dims, unknown_rank if no rank."""
    if out is None:
        out = pb("tensor_shape_pb2").TensorShapeProto()
    shape = shape if isinstance(shape, TensorShape) else TensorShape(shape)
    if shape.rank is None:
        out.unknown_rank = True
        return out
    for d in shape.as_list():
        out.dim.add(size=-1 if d is None else int(d))
    return out


def shape_from_proto(proto) -> TensorShape:
    if proto.unknown_rank:
        return TensorShape(None)
    return TensorShape([None if d.size < 0 else d.size for d in proto.dim])


# dtype -> the repeated field holding its values when tensor_content is not used.
_VAL_FIELD = {
    "float32": "float_val", "float64": "double_val", "int32": "int_val", "uint8": "int_val",
    "int16": "int_val", "int8": "int_val", "uint16": "int_val", "int64": "int64_val",
    "uint32": "uint32_val", "uint64": "uint64_val", "bool": "bool_val", "string": "string_val",
    "complex64": "scomplex_val", "complex128": "dcomplex_val", "float16": "half_val",
    "bfloat16": "half_val", "qint8": "int_val", "quint8": "int_val", "qint32": "int_val",
    "qint16": "int_val", "quint16": "int_val",
}  # fmt: skip


def _np_dtype(dtype):
    return dtypes.np_dtype(dtype)


def make_tensor_proto(value, dtype=None, out=None):
    """A TensorProto holding `value` (scalars and strings in typed fields, arrays as bytes)."""
    g = pb()
    if out is None:
        out = g.TensorProto()
    if dtype is None:
        arr = np.asarray(value)
        dtype = dtypes.string if arr.dtype.kind in "OSU" else dtypes.as_dtype(arr.dtype)
    dtype = dtypes.as_dtype(dtype)
    out.dtype = dtype.as_datatype_enum
    if dtype is dtypes.string:
        arr = np.asarray(value, dtype=object)
        shape_proto(arr.shape, out.tensor_shape)
        out.string_val.extend(
            v if isinstance(v, bytes) else str(v).encode() for v in arr.reshape(-1)
        )
        return out
    if dtype in (dtypes.resource, dtypes.variant):
        raise ValueError(f"Cannot serialize a {dtype.name} tensor as a constant")
    arr = np.asarray(value, dtype=_np_dtype(dtype))
    shape_proto(arr.shape, out.tensor_shape)
    if arr.size == 1 and dtype.name in _VAL_FIELD:
        field = _VAL_FIELD[dtype.name]
        flat = arr.reshape(-1)
        if field == "half_val":
            out.half_val.append(int(flat.view(np.uint16)[0]))
        elif field in ("scomplex_val", "dcomplex_val"):
            getattr(out, field).extend([float(flat[0].real), float(flat[0].imag)])
        else:
            getattr(out, field).append(flat[0].item())
        return out
    out.tensor_content = (
        np.ascontiguousarray(arr).astype(arr.dtype.newbyteorder("<"), copy=False).tobytes()
    )
    return out


def tensor_from_proto(proto):
    """The NumPy value of a TensorProto (string tensors as object arrays of bytes)."""
    dtype = dtype_from_enum(proto.dtype)
    shape = tuple(d.size for d in proto.tensor_shape.dim)
    n = int(np.prod(shape, dtype=np.int64)) if shape else 1
    if dtype is dtypes.string:
        vals = list(proto.string_val)
        arr = np.empty(n, dtype=object)
        if vals:
            arr[: len(vals)] = vals
            arr[len(vals) :] = vals[-1]
        else:
            arr[:] = b""
        return arr.reshape(shape)
    npd = _np_dtype(dtype)
    if proto.tensor_content:
        return (
            np.frombuffer(proto.tensor_content, dtype=npd.newbyteorder("<"))
            .astype(npd)
            .reshape(shape)
        )
    field = _VAL_FIELD.get(dtype.name)
    if field is None:
        raise ValueError(f"Cannot read a TensorProto of dtype {dtype.name}")
    raw = list(getattr(proto, field))
    if field == "half_val":
        vals = np.asarray(raw, dtype=np.uint16).view(npd)
    elif field in ("scomplex_val", "dcomplex_val"):
        pairs = np.asarray(raw, dtype=np.float64).reshape(-1, 2)
        vals = (pairs[:, 0] + 1j * pairs[:, 1]).astype(npd)
    else:
        vals = np.asarray(raw).astype(npd) if raw else np.zeros(0, npd)
    if vals.size == n:
        return vals.reshape(shape)
    out = np.zeros(n, dtype=npd)
    if vals.size:
        out[: vals.size] = vals[:n]
        out[vals.size :] = vals[-1]
    return out.reshape(shape)


def attr_to_python(av, functions=None):
    """An AttrValue as the Python value arroyo's ops take (DType, TensorShape, str, ...).

    `functions(name)` resolves function-valued attrs (control flow branches)."""
    kind = av.WhichOneof("value")
    if kind is None:
        return []  # an empty list attr
    if kind == "list":
        lv = av.list
        for field in ("type", "shape", "tensor", "func", "s", "i", "f", "b"):
            items = getattr(lv, field)
            if len(items):
                return [_scalar_attr(field, x, functions) for x in items]
        return []
    return _scalar_attr(kind, getattr(av, kind), functions)


def _scalar_attr(kind, v, functions):
    if kind == "type":
        return dtype_from_enum(v)
    if kind == "shape":
        return shape_from_proto(v)
    if kind == "tensor":
        return tensor_from_proto(v)
    if kind == "s":
        try:
            return v.decode()
        except UnicodeDecodeError:
            return v
    if kind == "i":
        return int(v)
    if kind == "f":
        return float(v)
    if kind == "b":
        return bool(v)
    if kind == "func":
        return functions(v.name) if functions is not None else v.name
    if kind == "placeholder":
        return v
    raise ValueError(f"Unsupported attr kind {kind}")


def python_to_attr(value, attr_type, out, functions=None):
    """Fills AttrValue `out` with `value` as TF attr type `attr_type` ("int", "list(type)"...).

    `functions(graph) -> name` exports function-valued attrs."""
    if attr_type.startswith("list("):
        inner = attr_type[5:-1]
        lv = out.list
        out.list.SetInParent()
        for v in list(value):
            _put_list(lv, inner, v, functions)
        return out
    if attr_type == "type":
        out.type = dtype_enum(value)
    elif attr_type == "shape":
        shape_proto(_as_shape(value), out.shape)
    elif attr_type == "tensor":
        make_tensor_proto(value, out=out.tensor)
    elif attr_type == "string":
        out.s = value if isinstance(value, bytes) else str(value).encode()
    elif attr_type == "int":
        out.i = int(_scalar(value))
    elif attr_type == "float":
        out.f = float(_scalar(value))
    elif attr_type == "bool":
        out.b = bool(_scalar(value))
    elif attr_type == "func":
        out.func.name = value if isinstance(value, str) else functions(value)
    else:
        raise ValueError(f"Unsupported attr type {attr_type}")
    return out


def _put_list(lv, inner, v, functions):
    if inner == "type":
        lv.type.append(dtype_enum(v))
    elif inner == "shape":
        shape_proto(_as_shape(v), lv.shape.add())
    elif inner == "tensor":
        make_tensor_proto(v, out=lv.tensor.add())
    elif inner == "string":
        lv.s.append(v if isinstance(v, bytes) else str(v).encode())
    elif inner == "int":
        lv.i.append(int(_scalar(v)))
    elif inner == "float":
        lv.f.append(float(_scalar(v)))
    elif inner == "bool":
        lv.b.append(bool(_scalar(v)))
    elif inner == "func":
        lv.func.add(name=v if isinstance(v, str) else functions(v))
    else:
        raise ValueError(f"Unsupported attr type list({inner})")


def _as_shape(v):
    if isinstance(v, TensorShape):
        return v
    return TensorShape(v)


def _scalar(v):
    if hasattr(v, "numpy"):
        v = v.numpy()
    if isinstance(v, np.ndarray):
        v = v.item()
    return v
