"""`tf.raw_ops`: every registered primitive, called with keyword arguments as in TF.

    tf.raw_ops.AddV2(x=a, y=b)
    tf.raw_ops.ConcatV2(values=[a, b], axis=0)

Inputs are converted to tensors (list inputs such as `values` take a list); attrs are
keyword arguments with the op's defaults; the output is one tensor or a list.
"""

from __future__ import annotations

from arroyo._api import _build
from arroyo.framework.op_registry import execute, registered_ops
from arroyo.framework.tensor import convert_to_tensor

list(_build._modules())  # registers every op


def _make(op):
    input_names = [n.lstrip("*") for n in op.inputs]

    def raw(name=None, **kwargs):
        inputs = []
        attrs = {}
        first_dtype = None
        for spec in op.inputs:
            key = spec.lstrip("*")
            if key not in kwargs:
                raise TypeError(f"{op.name}() missing required argument '{key}'")
            v = kwargs.pop(key)
            if spec.startswith("*"):
                vs = [convert_to_tensor(x) for x in v]
                attrs[op.list_attr] = len(vs)
                inputs.extend(vs)
            else:
                if getattr(v, "_is_arroyo_variable", False) and key == "resource":
                    inputs.append(v)
                    continue
                t = convert_to_tensor(v, dtype_hint=first_dtype)
                first_dtype = first_dtype or t.dtype
                inputs.append(t)
        for k, v in kwargs.items():
            if k not in op.attrs:
                raise TypeError(f"{op.name}() got an unexpected keyword argument '{k}'")
            attrs[k] = v
        for k, default in op.attrs.items():
            if k not in attrs and default is not None and k not in ("T", "Tidx", "Tshape", "Index", "Tperm"):
                attrs[k] = default
        from arroyo.framework import dtypes as _dt

        for k, v in list(attrs.items()):
            if k in ("DstT", "SrcT", "out_type", "output_type", "dtype", "Tout") and v is not None:
                attrs[k] = _dt.as_dtype(v)
        _fill_derived_attrs(op, inputs, attrs)
        return execute(op, tuple(inputs), attrs, name)

    raw.__name__ = op.name
    raw.__doc__ = f"Raw op `{op.name}`: inputs {', '.join(input_names) or '(none)'}; attrs {dict(op.attrs)}."
    return raw


def _fill_derived_attrs(op, inputs, attrs):
    if op.name == "Cast" and attrs.get("SrcT") is None:
        attrs["SrcT"] = inputs[0].dtype


def __getattr__(name):
    ops = registered_ops()
    if name in ops and ops[name].kernel is not None:
        fn = _make(ops[name])
        globals()[name] = fn
        return fn
    raise AttributeError(f"module 'tf.raw_ops' has no attribute {name!r}")


def __dir__():
    return sorted(n for n, o in registered_ops().items() if o.kernel is not None)
