"""`tf.raw_ops`: every registered primitive, called with TF's keyword arguments.

    tf.raw_ops.AddV2(x=a, y=b)
    tf.raw_ops.ConcatV2(values=[a, b], axis=0)
    tf.raw_ops.Sum(input=x, axis=[0], keep_dims=True)

Keywords are TF's Python names, which differ from the op-definition names in a few places
(`reduction_indices` is `axis`, `split_dim` is `axis`, Where's `input` is `condition`);
the op-definition names are accepted too (TF rejects them; no TF program uses them).
Arguments are keyword-only; attrs inferred from the inputs (T, Tidx, N, SrcT, ...) are
filled in. Inputs that share a dtype are converted as TF's eager fast path does: the first
tensor (or first value) fixes the dtype and Python values are converted to it strictly.
"""

from __future__ import annotations

import functools
import inspect
import keyword

from arroyo._api import _build
from arroyo.framework import dtypes as _dtypes
from arroyo.framework.errors import InvalidArgumentError
from arroyo.framework.op_registry import REQUIRED, execute, registered_ops
from arroyo.framework.tensor import Tensor, convert_to_tensor

_build.load_all()  # registers every op

# Op-definition input/attr names that TF's Python raw_ops API renames.
_RENAMES = {"reduction_indices": "axis", "split_dim": "axis", "squeeze_dims": "axis"}
_OP_RENAMES = {"Where": {"input": "condition"}}
# Attrs TF's raw ops accept that arroyo's kernels do not use (kept for signature parity).
_EXTRA_ATTRS = {
    "MatMul": {"grad_a": False, "grad_b": False},
    "AssignVariableOp": {"validate_shape": False},
    "VarHandleOp": {"debug_name": "", "allowed_devices": []},
}
# Attrs TF infers from the inputs: never keyword arguments.
_DERIVED = frozenset({
    "T", "N", "Tidx", "Tshape", "Tperm", "Tpaddings", "Tmultiples", "Tindices", "Tnumsegments",
    "Tlen", "Tdim", "TI", "Taxis", "Tseed", "Tshift", "Tk", "Tindex", "Tlabels", "Tin", "Index",
    "SrcT", "index_type", "shape_type", "Tcond", "Tparams", "Tsplits", "Tvalues", "Targuments",
    "Tcomplex", "Treal", "Tpositions", "Tcrops", "Tblock_shape", "Tdims", "Tsegmentids",
})  # fmt: skip
# Attrs derived only for some ops (TF makes them keywords elsewhere), and the reverse.
_OP_DERIVED = {
    "AssignVariableOp": {"dtype"},
    "AssignAddVariableOp": {"dtype"},
    "AssignSubVariableOp": {"dtype"},
    "MaxPool3DGrad": {"TInput"},
    "NonDeterministicInts": {"shape_dtype"},
    "RandomUniformInt": {"Tout"},
    "MaxPoolGradWithArgmax": {"Targmax"},
    "MaxPoolGradGradWithArgmax": {"Targmax"},
    "StatelessRandomUniformInt": {"dtype"},
    "StatelessRandomUniformIntV2": {"dtype"},
    "TensorListFromTensor": {"element_dtype"},
    "TensorListScatterIntoExistingList": {"element_dtype"},
    "TensorListSetItem": {"element_dtype"},
    "TensorListSplit": {"element_dtype"},
}
_OP_VISIBLE = {"TopKV2": {"index_type"}, "UnicodeDecode": {"Tsplits"},
               "UnicodeDecodeWithOffsets": {"Tsplits"}}  # fmt: skip
_DTYPE_ATTRS = frozenset({"DstT", "SrcT", "out_type", "output_type", "dtype", "Tout", "T", "out_idx",
                          "element_dtype", "index_type", "shape_type", "Tidx", "Tindices"})  # fmt: skip
# Inputs converted on their own (indices, axes, shapes...); the others share one dtype.
_INDEPENDENT = frozenset({
    "axis", "dimension", "dim", "reduction_indices", "split_dim", "begin", "end", "strides",
    "size", "shape", "dims", "perm", "multiples", "paddings", "indices", "segment_ids",
    "num_segments", "depth", "num", "size_splits", "seq_lengths", "shift", "k", "num_lower",
    "num_upper", "seed", "counter", "key", "alg", "condition", "labels", "filter_sizes",
    "input_sizes", "orig_input_shape", "element_shape", "max_num_elements", "num_elements",
    "leading_dims", "lengths", "partitions", "index", "num_rows", "num_cols", "num_samples",
    "l2_regularizer", "resource", "input_handle", "branch_index", "cond", "weights", "argmax",
    # sparse ops: int64 coordinates and shapes beside values of attr T
    "a_indices", "b_indices", "a_shape", "b_shape", "sum_indices", "sparse_indices",
    "output_shape", "input_indices", "input_shape", "new_shape", "reduction_axes", "shapes",
    "sp_indices", "sp_shape", "dense_shape", "thresh", "reverse_index_map",
    "input_start", "output_indices",
})  # fmt: skip
# List inputs whose elements each keep their own dtype (TF: a type-list attr).
_HETEROGENEOUS = {"Assert": {"data"}, "IdentityN": {"input"}, "StringFormat": {"inputs"}}
# A None default in the registry means "required" (TF has no default), except for these.
_OPTIONAL_NONE = {"ComplexAbs": {"Tout"}}
_ALWAYS_OPTIONAL = frozenset({"output_shapes"})


def _snake(name: str) -> str:
    """TF's Python name of an op: AddV2 -> add_v2, Conv2D -> conv2d, Sum -> _sum."""
    out = []
    for i, c in enumerate(name):
        if (
            c.isupper()
            and i > 0
            and (name[i - 1].islower() or (i + 1 < len(name) and name[i + 1].islower()))
        ):
            out.append("_")
        out.append(c.lower())
    snake = "".join(out)
    return "_" + snake if keyword.iskeyword(snake) or snake in _PY_RESERVED else snake


# Builtins TF's op generator avoids as Python names (it adds a leading underscore).
_PY_RESERVED = frozenset({"abs", "all", "any", "complex", "max", "min", "pow", "range", "slice",
                          "sum", "print", "map", "filter", "zip", "len", "list", "set", "dict",
                          "tuple", "type", "input", "iter", "next", "hash", "id", "bool", "int",
                          "float", "str", "bytes", "object"})  # fmt: skip


_FIXED: dict = {}


def _fixed_input_dtypes(op_name):
    """Inputs whose dtype TF's OpDef fixes (`step: int64`, `tag: string`): converted on
    their own, to that dtype, never grouped with the op's T inputs."""
    out = _FIXED.get(op_name)
    if out is None:
        from arroyo.saved_model import op_defs

        out = {}
        od = op_defs.lookup(op_name) or {}
        for arg in od.get("input_arg", ()):
            t = arg.get("type")
            if t and not arg.get("type_attr") and not arg.get("type_list_attr"):
                try:
                    out[arg["name"]] = _dtypes.as_dtype(t.replace("DT_", "").lower())
                except (TypeError, ValueError):
                    out[arg["name"]] = None  # resource/variant: converted as given
                if t in ("DT_RESOURCE", "DT_VARIANT"):
                    out[arg["name"]] = None
        _FIXED[op_name] = out
    return out


def _is_derived(op, attr):
    if attr in _OP_VISIBLE.get(op.name, ()):
        return False
    return (attr == op.list_attr or attr.startswith("_") or attr in _DERIVED
            or attr in _OP_DERIVED.get(op.name, ()))  # fmt: skip


def _kernel_accepts(kernel):
    try:
        params = inspect.signature(kernel).parameters
    except (TypeError, ValueError):
        return None
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values()):
        return None  # accepts anything
    return frozenset(params)


class _Spec:
    """How one op's raw function maps TF keywords onto the registry's inputs and attrs."""

    def __init__(self, op):
        renames = dict(_RENAMES)
        renames.update(_OP_RENAMES.get(op.name, {}))
        self.op = op
        self.inputs = []  # (tf keyword, registry name, is_list)
        for spec in op.inputs:
            reg = spec.lstrip("*")
            self.inputs.append((renames.get(reg, reg), reg, spec.startswith("*")))
        self.attrs = {}  # tf keyword -> (registry attr, default)
        optional = _OPTIONAL_NONE.get(op.name, ())
        required, rest = {}, {}
        for attr, default in op.attrs.items():
            if not _is_derived(op, attr):
                needed = default is REQUIRED or (
                    default is None and attr not in optional and attr not in _ALWAYS_OPTIONAL
                )
                (required if needed else rest)[renames.get(attr, attr)] = (attr, default)
        self.required_attrs = set(required)
        self.attrs.update(required)  # TF lists required attrs first
        self.attrs.update(rest)
        for attr, default in _EXTRA_ATTRS.get(op.name, {}).items():
            self.attrs[attr] = (None, default)
        # Op-definition names (reduction_indices, split_dim, ...) are accepted as well.
        self.aliases = {reg: kw for kw, reg, _ in self.inputs if kw != reg}
        self.aliases.update({reg: kw for kw, (reg, _) in self.attrs.items() if reg and kw != reg})
        self.kernel_params = _kernel_accepts(op.kernel)
        self.snake = _snake(op.name)

    def keywords(self):
        return [kw for kw, _, _ in self.inputs] + list(self.attrs)

    def signature(self):
        P = inspect.Parameter
        params = [P(kw, P.KEYWORD_ONLY) for kw, _, _ in self.inputs]
        for kw, (_, default) in self.attrs.items():
            required = kw in self.required_attrs
            params.append(P(kw, P.KEYWORD_ONLY, default=P.empty if required else default))
        params.append(P("name", P.KEYWORD_ONLY, default=None))
        return inspect.Signature(params)


def _convert_group(values, flags):
    """Inputs sharing a dtype: the first tensor (else first value) fixes it, strictly.

    `flags[i]` says whether `values[i]` is a list input (a list of values).
    """
    items = [list(v) if f else [v] for v, f in zip(values, flags)]
    dtype = None
    for x in (x for group in items for x in group):
        if _is_tensorlike(x):
            dtype = x.dtype
            break
    out = []
    for group, f in zip(items, flags):
        conv = []
        for x in group:
            t = (
                convert_to_tensor(x)
                if dtype is None or _is_tensorlike(x)
                else convert_to_tensor(x, dtype=dtype)
            )
            if dtype is None:
                dtype = t.dtype
            conv.append(t)
        out.append(conv if f else conv[0])
    return out


def _check_group_dtypes(op, spec, group, converted):
    """TF's type check for inputs sharing a type attr (no implicit promotion)."""
    first = None
    index = 0
    for _, reg, lst in spec.inputs:
        items = converted.get(reg, [None]) if lst else [converted.get(reg)]
        for t in items:
            if reg in group and t is not None:
                if first is None:
                    first = t.dtype
                elif t.dtype is not first:
                    raise InvalidArgumentError(
                        None, None,
                        f"cannot compute {op.name} as input #{index}(zero-based) was expected to "
                        f"be a {_dtypes.cpp_name(first)} tensor but is a {_dtypes.cpp_name(t.dtype)} "
                        f"tensor [Op:{op.name}]",
                    )  # fmt: skip
            index += 1


def _is_tensorlike(x):
    return isinstance(x, Tensor) or getattr(x, "_is_arroyo_variable", False)


def _call(spec, args, kwargs):
    op = spec.op
    if args:
        keys = spec.keywords() + ["name"]
        raise TypeError(
            f"{spec.snake} only takes keyword args (possible keys: {keys}). Please pass these "
            "args as kwargs instead."
        )
    name = kwargs.pop("name", None)
    for reg, kw in spec.aliases.items():
        if reg in kwargs and kw not in kwargs:
            kwargs[kw] = kwargs.pop(reg)
    unknown = [
        k for k in kwargs if k not in spec.attrs and all(k != kw for kw, _, _ in spec.inputs)
    ]
    if unknown:
        raise TypeError(f"{spec.snake}() got an unexpected keyword argument '{unknown[0]}'")
    missing = [kw for kw, _, _ in spec.inputs if kw not in kwargs]
    missing += [kw for kw in spec.required_attrs if kw not in kwargs]
    if missing:
        quoted = [f"'{m}'" for m in missing]
        text = (
            quoted[0]
            if len(quoted) == 1
            else ", ".join(quoted[:-1]) + (", and " if len(quoted) > 2 else " and ") + quoted[-1]
        )
        s = "s" if len(missing) > 1 else ""
        raise TypeError(
            f"{spec.snake}() missing {len(missing)} required positional argument{s}: {text}"
        )
    # Inputs: the resource of variable ops stays the Variable; the rest become tensors.
    raw = {reg: kwargs[kw] for kw, reg, _ in spec.inputs}
    is_list = {reg: lst for _, reg, lst in spec.inputs}
    hetero = _HETEROGENEOUS.get(op.name, ())
    fixed = _fixed_input_dtypes(op.name)
    group = [reg for _, reg, _ in spec.inputs
             if reg not in _INDEPENDENT and reg not in hetero and reg not in fixed]  # fmt: skip
    converted = {}
    if group:
        converted.update(
            zip(group, _convert_group([raw[r] for r in group], [is_list[r] for r in group]))
        )
        _check_group_dtypes(op, spec, group, converted)
    for reg, v in raw.items():
        if reg in converted:
            continue
        if reg == "resource" and getattr(v, "_is_arroyo_variable", False):
            converted[reg] = v
        elif fixed.get(reg) is not None and not is_list[reg] and not isinstance(v, Tensor):
            converted[reg] = convert_to_tensor(v, dtype=fixed[reg])
        elif is_list[reg]:
            converted[reg] = [convert_to_tensor(x) for x in v]
        else:
            converted[reg] = convert_to_tensor(v)
    inputs = []
    attrs = {}
    for _, reg, lst in spec.inputs:
        if lst:
            inputs.extend(converted[reg])
            if op.list_attr:
                attrs[op.list_attr] = len(converted[reg])
        else:
            inputs.append(converted[reg])
    for kw, (reg, default) in spec.attrs.items():
        if reg is None:
            continue  # accepted for TF compatibility, unused
        v = kwargs.get(kw, default)
        if v is None or v is REQUIRED:
            continue
        if reg in _DTYPE_ATTRS and not isinstance(v, (list, tuple)):
            v = _dtypes.as_dtype(v)
        attrs[reg] = v
    _fill_derived_attrs(op, inputs, attrs)
    if spec.kernel_params is not None:
        attrs = {k: v for k, v in attrs.items() if k in spec.kernel_params}
    out = execute(op, tuple(inputs), attrs, name)
    if op.output_count(attrs) == 0 and isinstance(out, list) and not out:
        return None
    return out


def _fill_derived_attrs(op, inputs, attrs):
    if op.name == "Cast" and attrs.get("SrcT") is None:
        attrs["SrcT"] = inputs[0].dtype


def _make(op):
    spec = _Spec(op)

    @functools.wraps(_call)
    def raw(*args, **kwargs):
        return _call(spec, args, kwargs)

    raw.__name__ = raw.__qualname__ = spec.snake
    raw.__signature__ = spec.signature()
    raw.__doc__ = (
        f"Raw op `{op.name}`: inputs {', '.join(kw for kw, _, _ in spec.inputs) or '(none)'}; "
        f"attrs {', '.join(spec.attrs) or '(none)'}."
    )
    raw.__wrapped__ = None
    del raw.__wrapped__
    return raw


def _keyword_only(fn, params):
    """Gives `fn(**kwargs)` TF's keyword-only signature and its errors."""
    P = inspect.Parameter
    sig = inspect.Signature(
        [P(k, P.KEYWORD_ONLY, default=d) for k, d in params]
        + [P("name", P.KEYWORD_ONLY, default=None)]
    )

    def raw(*args, **kwargs):
        if args:
            keys = [k for k, _ in params] + ["name"]
            raise TypeError(f"{raw.__name__} only takes keyword args (possible keys: {keys}). "
                            "Please pass these args as kwargs instead.")  # fmt: skip
        bound = sig.bind(**kwargs)
        bound.apply_defaults()
        return fn(**bound.arguments)

    raw.__signature__ = sig
    return raw


def _assign_variable(method):
    def run(resource, value, validate_shape=False, name=None):
        getattr(resource, method)(value, read_value=False)

    params = [("resource", inspect.Parameter.empty), ("value", inspect.Parameter.empty)]
    if method == "assign":
        params.append(("validate_shape", False))
    return _keyword_only(run, params)


def _print_v2(input, output_stream="stderr", end="\n", name=None):  # noqa: A002 - TF's name
    import sys

    text = convert_to_tensor(input).numpy()
    text = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    stream = {"stderr": sys.stderr, "stdout": sys.stdout}.get(output_stream)
    if stream is None:
        import logging

        logging.getLogger("arroyo").info(text)
        return None
    stream.write(text + end)
    return None


_SPECIAL = {
    "AssignVariableOp": _assign_variable("assign"),
    "AssignAddVariableOp": _assign_variable("assign_add"),
    "AssignSubVariableOp": _assign_variable("assign_sub"),
    "PrintV2": _keyword_only(
        _print_v2, [("input", inspect.Parameter.empty), ("output_stream", "stderr"), ("end", "\n")]
    ),
}


def __getattr__(name):
    ops = registered_ops()
    if name in _SPECIAL:
        fn = _SPECIAL[name]
        fn.__name__ = _snake(name)
        globals()[name] = fn
        return fn
    if name in ops and ops[name].kernel is not None:
        fn = _make(ops[name])
        globals()[name] = fn
        return fn
    raise AttributeError(f"module 'tf.raw_ops' has no attribute {name!r}")


def __dir__():
    return sorted({n for n, o in registered_ops().items() if o.kernel is not None} | set(_SPECIAL))
