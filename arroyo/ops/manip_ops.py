"""Array manipulation ops: split, tile, pad, reverse, slice, roll, broadcasting helpers.

Primitives are declared once with `defop` (names and attrs as in `tf.raw_ops`); composed
functions (`repeat`, `meshgrid`, `sequence_mask`) are built from public arroyo ops so they
differentiate and trace like anything else.
"""

from __future__ import annotations

import builtins

import numpy as np

from arroyo.framework import dtypes
from arroyo.framework.composite_tensor import CompositeTensor, dispatch
from arroyo.framework.errors import InvalidArgumentError
from arroyo.framework.op_registry import defop, dtype_name, execute
from arroyo.framework.tensor import convert_to_tensor
from arroyo.framework.tensor_shape import TensorShape, as_shape
from arroyo.ops import array_ops
from arroyo.ops._helpers import (
    NO_ATTRS,
    int_tensor,
    is_tensorlike,
    same_dtype_operands,
    static_value,
    to_tensor,
)

_pyslice = builtins.slice
_INDEX_DTYPES = (dtypes.int32, dtypes.int64)


def _err(msg, op_name):
    return InvalidArgumentError(None, None, f"{msg} [Op:{op_name}]")


def _fmt(dims):
    """TF's C++ spelling of a shape in messages: [2,3] (unknown dims as ?)."""
    return "[" + ",".join("?" if d is None else str(int(d)) for d in dims) + "]"


def _ints(t):
    """The static value of an integer tensor as a list of ints, or None."""
    v = static_value(t)
    return None if v is None else [int(d) for d in np.ravel(v)]


def _index_arg(value, op_name, attr, dtype=None, allowed="int32, int64"):
    """Converts an index-like argument; non-integer tensors fail like TF's attr check."""
    if not is_tensorlike(value):
        arr = np.asarray(value)
        if arr.dtype.kind in "iu" or (arr.dtype == object and arr.size):
            return int_tensor(value, dtype or dtypes.int32)
        value = convert_to_tensor(value, dtype=None if arr.size else (dtype or dtypes.int32))
    t = to_tensor(value)
    if t.dtype not in _INDEX_DTYPES and not (t.dtype is dtypes.int8 and "int8" in allowed):
        raise InvalidArgumentError(
            None, None,
            f"Value for attr '{attr}' of {dtype_name(t.dtype)} is not in the list of allowed values: "
            f"{allowed}\n\t; NodeDef: {{{{node {op_name}}}}}; Op<name={op_name}> [Op:{op_name}]",
        )  # fmt: skip
    return t


def _shape_vec(x, dtype=dtypes.int32):
    """`x`'s shape as an int tensor: a constant when static, else a Shape op."""
    if x.shape.is_fully_defined():
        return int_tensor(x.shape.as_list(), dtype)
    return array_ops.shape(x, out_type=dtype)


def _cast(t, dtype):
    if t.dtype is dtype:
        return t
    from arroyo.ops.math_ops import cast

    return cast(t, dtype)


# -- split -------------------------------------------------------------------------------------


def _split_axis(value, d, op_name):
    r = np.ndim(value)
    if not -r <= d < r:
        raise _err(f"-input rank(-{r}) <= split_dim < input rank ({r}), but got {d}", op_name)
    return d % r


def _split_kernel(split_dim, value, num_split):
    d = _split_axis(value, int(split_dim), "Split")
    n = value.shape[d]
    if n % num_split:
        raise _err(
            "Number of ways to split should evenly divide the split dimension, but got split_dim "
            f"{d} (size = {n}) and num_split {num_split}", "Split",
        )  # fmt: skip
    if num_split == 1:
        return [value]
    step = n // num_split
    lead = (_pyslice(None),) * d
    return [value[lead + (_pyslice(i * step, (i + 1) * step),)] for i in range(num_split)]


def _graph_err(msg, op_name):
    """A static error found while building a graph: TF raises ValueError at trace time."""
    return ValueError(f"{msg} for '{{{{node {op_name}}}}}'")


def _resolve_sizes(sizes, dim, op_name="SplitV"):
    """Validates SplitV's size_splits against the split dimension; fills in the -1."""
    if sizes.count(-1) > 1:
        raise _err("There can only be one -1 in the input.", op_name)
    known = 0
    for i, s in enumerate(sizes):
        if s < -1:
            raise _err(f"Split size at index {i} must be >= 0. Got: {s}", op_name)
        if s != -1:
            known += s
    if dim is None:
        return [None if s == -1 else s for s in sizes]
    if (-1 in sizes and known > dim) or (-1 not in sizes and known != dim):
        raise _err(
            "Determined shape must either match input shape along split_dim exactly if fully "
            "specified, or be less than the size of the input along split_dim if not fully "
            f"specified.  Got: {known}", op_name,
        )  # fmt: skip
    return [dim - known if s == -1 else s for s in sizes]


def _split_v_kernel(value, size_splits, split_dim, num_split, **_):
    d = _split_axis(value, int(split_dim), "SplitV")
    if np.ndim(size_splits) != 1 or np.size(size_splits) != num_split:
        raise _err(
            "size of the split_tensor must be 1-D and have the same elements as outputs got "
            f"{np.ndim(size_splits)} -D and {np.size(size_splits)} elements", "SplitV",
        )  # fmt: skip
    sizes = _resolve_sizes([int(s) for s in size_splits], value.shape[d])
    lead = (_pyslice(None),) * d
    out, start = [], 0
    for s in sizes:
        out.append(value[lead + (_pyslice(start, start + s),)])
        start += s
    return out


def _split_infer(inputs, attrs):
    axis, x = inputs
    n = attrs["num_split"]
    a = static_value(axis)
    if x.shape.rank is None or a is None:
        return [(x.dtype, TensorShape(None if x.shape.rank is None else [None] * x.shape.rank))] * n
    dims = x.shape.as_list()
    a = int(a) % len(dims)
    if dims[a] is not None and dims[a] % n:
        raise ValueError(f"Dimension size must be evenly divisible by {n} but is {dims[a]}")
    dims[a] = None if dims[a] is None else dims[a] // n
    return [(x.dtype, TensorShape(dims))] * n


def _split_v_infer(inputs, attrs):
    x, sizes, axis = inputs
    n = attrs["num_split"]
    a, s = static_value(axis), _ints(sizes)
    if x.shape.rank is None or a is None:
        return [(x.dtype, TensorShape(None if x.shape.rank is None else [None] * x.shape.rank))] * n
    dims = x.shape.as_list()
    a = int(a) % len(dims)
    if s is not None and dims[a] is not None and s.count(-1) <= 1:
        known = sum(v for v in s if v != -1)
        if (-1 in s and known > dims[a]) or (-1 not in s and known != dims[a]):
            raise _graph_err(
                f"can't split axis of size {dims[a]} into pieces of size {_fmt(s)}", "SplitV"
            )
    s = [None] * n if s is None else _resolve_sizes(s, dims[a])
    return [(x.dtype, TensorShape(dims[:a] + [k] + dims[a + 1 :])) for k in s]


def _fill_none(grads, outputs):
    return [array_ops.zeros_like(o) if g is None else g for g, o in zip(grads, outputs)]


def _split_grad(op, *grads):
    return None, array_ops.concat(_fill_none(grads, op.outputs), op.inputs[0])


def _split_v_grad(op, *grads):
    return array_ops.concat(_fill_none(grads, op.outputs), op.inputs[2]), None, None


_SPLIT = defop("Split", ("split_dim", "value"), _split_kernel, attrs={"num_split": None},
               infer=_split_infer, grad=_split_grad, num_outputs=lambda attrs: attrs["num_split"])  # fmt: skip
_SPLIT_V = defop("SplitV", ("value", "size_splits", "split_dim"), _split_v_kernel,
                 attrs={"num_split": None, "Tlen": dtypes.int64}, infer=_split_v_infer,
                 grad=_split_v_grad, num_outputs=lambda attrs: attrs["num_split"])  # fmt: skip


def _bad_num_split(n, op_name="Split"):
    return _err(f"Value for attr 'num_split' of {n} must be at least minimum 1\n\t; NodeDef: "
                f"{{{{node {op_name}}}}}; Op<name={op_name}>", op_name)  # fmt: skip


def split(value, num_or_size_splits, axis=0, num=None, name="split"):
    """Splits a tensor along `axis` into `num_or_size_splits` equal parts, or parts of the
    given sizes (one size may be -1: the remainder).

    >>> [t.shape.as_list() for t in tf.split(tf.zeros([6, 2]), [1, -1, 2])]
    [[1, 2], [3, 2], [2, 2]]
    """
    x = to_tensor(value)
    axis_t = int_tensor(axis)
    if isinstance(num_or_size_splits, (int, np.integer)) and not isinstance(
        num_or_size_splits, bool
    ):
        n = int(num_or_size_splits)
        if n < 1:
            raise _bad_num_split(n)
        return execute(_SPLIT, (axis_t, x), {"num_split": n}, name)
    if not is_tensorlike(num_or_size_splits) and np.size(num_or_size_splits) == 0:
        raise _bad_num_split(0, "SplitV")
    sizes = _index_arg(num_or_size_splits, "SplitV", "Tlen", allowed="int8, int32, int64")
    if sizes.shape.rank == 0:
        raise ValueError(
            "Rank-0 tensors are not supported as the num_or_size_splits argument to split. "
            f"Argument provided: {sizes!s}"
        )
    if num is None:
        rank = sizes.shape.rank
        num = sizes.shape[0] if rank == 1 else (sizes.shape.num_elements() if rank else None)
        if num is None:
            raise ValueError(f"Cannot infer argument `num` from shape {sizes.shape}")
    if num < 1:
        raise _bad_num_split(num, "SplitV")
    return execute(_SPLIT_V, (x, sizes, axis_t), {"num_split": int(num)}, name)


# -- tile --------------------------------------------------------------------------------------


def _tile_kernel(input, multiples, **_):  # noqa: A002 - TF's input name
    if np.ndim(multiples) != 1:
        raise _err(
            f"Expected multiples to be 1-D, but got shape {_fmt(np.shape(multiples))}", "Tile"
        )
    r = np.ndim(input)
    if len(multiples) != r:
        raise _err(f"Expected multiples argument to be a vector of length {r} but got length "
                   f"{len(multiples)}", "Tile")  # fmt: skip
    for i, m in enumerate(multiples):
        if m < 0:
            raise _err(f"Expected multiples[{i}] >= 0, but got {m}", "Tile")
    return np.tile(input, tuple(int(m) for m in multiples))


def _tile_infer(inputs, attrs):
    x, m = inputs
    mv = _ints(m)
    if x.shape.rank is None:
        n = m.shape[0] if m.shape.rank == 1 else None
        return [(x.dtype, TensorShape(None if n is None else [None] * n))]
    dims = x.shape.as_list()
    if m.shape.rank == 1 and m.shape[0] is not None and m.shape[0] != len(dims):
        raise _graph_err(f"Shape must be rank {len(dims)} but is rank {m.shape[0]}", "Tile")
    if mv is None:
        return [(x.dtype, TensorShape([None] * len(dims)))]
    return [(x.dtype, TensorShape([None if d is None else d * k for d, k in zip(dims, mv)]))]


def _tile_grad(op, g):
    from arroyo.ops.reduction_ops import reduce_sum

    x, multiples = op.inputs
    mv = _ints(multiples)
    if mv is not None and x.shape.is_fully_defined():
        split_shape = [v for pair in zip(mv, x.shape.as_list()) for v in pair]
    else:
        m = _cast(multiples, dtypes.int32)
        split_shape = array_ops.reshape(array_ops.stack([m, array_ops.shape(x)], axis=1), [-1])
    axes = list(range(0, 2 * len(mv), 2)) if mv is not None else \
        array_ops.range_(0, array_ops.size(split_shape), 2)  # fmt: skip
    return reduce_sum(array_ops.reshape(g, split_shape), axes), None


_TILE = defop("Tile", ("input", "multiples"), _tile_kernel, attrs={"Tmultiples": dtypes.int32},
              infer=_tile_infer, grad=_tile_grad)  # fmt: skip


def tile(input, multiples, name=None):  # noqa: A002
    """Repeats the whole tensor `multiples[i]` times along dimension i.

    >>> tf.tile([[1, 2]], [2, 2]).numpy().tolist()
    [[1, 2, 1, 2], [1, 2, 1, 2]]
    """
    if isinstance(input, CompositeTensor):
        return dispatch("tile", input, multiples, name=name)
    return execute(
        _TILE, (to_tensor(input), _index_arg(multiples, "Tile", "Tmultiples")), NO_ATTRS, name
    )


# -- pad ---------------------------------------------------------------------------------------


def _check_paddings(x, paddings, op_name):
    p = np.asarray(paddings)
    if p.ndim != 2 or p.shape[1] != 2:
        raise _err(f"paddings must be a matrix with 2 columns: {_fmt(p.shape)}", op_name)
    if p.shape[0] != np.ndim(x):
        raise _err(f"The first dimension of paddings must be the rank of inputs{_fmt(p.shape)} "
                   f"{_fmt(np.shape(x))}", op_name)  # fmt: skip
    if p.size and p.min() < 0:
        row = p[np.nonzero((p < 0).any(axis=1))[0][0]]
        raise _err(f"{'Paddings' if op_name != 'MirrorPad' else 'paddings'} must be non-negative: "
                   f"{row[0]} {row[1]}", op_name)  # fmt: skip
    return [(int(a), int(b)) for a, b in p]


def _pad_into(x, pads, value):
    x = np.asarray(x)
    out = np.full(tuple(d + a + b for d, (a, b) in zip(x.shape, pads)), value, dtype=x.dtype)
    out[tuple(_pyslice(a, a + d) for d, (a, _) in zip(x.shape, pads))] = x
    return out if out.ndim else out[()]


def _pad_kernel(input, paddings, **_):  # noqa: A002
    pads = _check_paddings(input, paddings, "Pad")
    return _pad_into(input, pads, b"" if np.asarray(input).dtype == object else 0)


def _pad_v2_kernel(input, paddings, constant_values, **_):  # noqa: A002
    pads = _check_paddings(input, paddings, "PadV2")
    if np.ndim(constant_values) != 0:
        raise _err(
            f"constant_values must be a scalar. Found: {_fmt(np.shape(constant_values))}", "PadV2"
        )
    return _pad_into(input, pads, constant_values)


def _pad_infer(inputs, attrs):
    x, p = inputs[0], inputs[1]
    pv = static_value(p)
    if x.shape.rank is None:
        n = p.shape[0] if p.shape.rank == 2 else None
        return [(x.dtype, TensorShape(None if n is None else [None] * n))]
    dims = x.shape.as_list()
    if p.shape.rank == 2 and p.shape[0] is not None and p.shape[0] != len(dims):
        raise _graph_err(f"Shape must be rank {p.shape[0]} but is rank {len(dims)}", "Pad")
    if pv is None:
        return [(x.dtype, TensorShape([None] * len(dims)))]
    pv = np.asarray(pv).reshape(-1, 2)
    return [
        (
            x.dtype,
            TensorShape(
                [None if d is None else d + int(a) + int(b) for d, (a, b) in zip(dims, pv)]
            ),
        )
    ]


def _pad_begin(paddings):
    pv = static_value(paddings)
    if pv is not None:
        return int_tensor(np.asarray(pv).reshape(-1, 2)[:, 0].tolist())
    return _cast(array_ops.reshape(slice(paddings, [0, 0], [-1, 1]), [-1]), dtypes.int32)


def _pad_grad(op, g):
    x, paddings = op.inputs[0], op.inputs[1]
    return slice(g, _pad_begin(paddings), _shape_vec(x)), None


def _pad_v2_grad(op, g):
    return _pad_grad(op, g) + (None,)


_PAD = defop("Pad", ("input", "paddings"), _pad_kernel, attrs={"Tpaddings": dtypes.int32},
             infer=_pad_infer, grad=_pad_grad)  # fmt: skip
_PAD_V2 = defop("PadV2", ("input", "paddings", "constant_values"), _pad_v2_kernel,
                attrs={"Tpaddings": dtypes.int32}, infer=_pad_infer, grad=_pad_v2_grad)  # fmt: skip


def _mode(mode):
    return mode.decode() if isinstance(mode, bytes) else mode


def _mirror_pad_kernel(input, paddings, mode, **_):  # noqa: A002
    pads = _check_paddings(input, paddings, "MirrorPad")
    reflect = _mode(mode) == "REFLECT"
    for d, (a, b) in zip(np.shape(input), pads):
        if reflect and (a >= d or b >= d):
            raise _err(
                f"paddings must be less than the dimension size: {a}, {b} not less than {d}",
                "MirrorPad",
            )
        if not reflect and (a > d or b > d):
            raise _err(f"paddings must be no greater than the dimension size: {a}, {b} greater than {d}",
                       "MirrorPad")  # fmt: skip
    if not any(a or b for a, b in pads):
        return input
    return np.pad(input, pads, mode="reflect" if reflect else "symmetric")


def _mirror_pad_grad_kernel(input, paddings, mode, **_):  # noqa: A002
    # The adjoint of MirrorPad: fold each padded edge back onto the elements it copied.
    g = np.asarray(input)
    off = 1 if _mode(mode) == "REFLECT" else 0
    for axis, (a, b) in enumerate(np.asarray(paddings).reshape(-1, 2)):
        a, b = int(a), int(b)
        if not (a or b):
            continue
        lead = (_pyslice(None),) * axis
        n = g.shape[axis] - a - b
        out = g[lead + (_pyslice(a, a + n),)].copy()
        if a:
            out[lead + (_pyslice(off, off + a),)] += np.flip(g[lead + (_pyslice(0, a),)], axis)
        if b:
            out[lead + (_pyslice(n - off - b, n - off),)] += np.flip(
                g[lead + (_pyslice(a + n, a + n + b),)], axis
            )
        g = out
    return g


def _mirror_pad_grad_infer(inputs, attrs):
    x, p = inputs
    pv = static_value(p)
    if x.shape.rank is None or pv is None:
        return [(x.dtype, TensorShape(None if x.shape.rank is None else [None] * x.shape.rank))]
    pv = np.asarray(pv).reshape(-1, 2)
    dims = x.shape.as_list()
    return [
        (
            x.dtype,
            TensorShape(
                [None if d is None else d - int(a) - int(b) for d, (a, b) in zip(dims, pv)]
            ),
        )
    ]


def _mirror_pad_grad(op, g):
    return execute(_MIRROR_PAD_GRAD, (g, op.inputs[1]), {"mode": op.attrs["mode"]}), None


def _mirror_pad_grad_grad(op, g):
    return execute(_MIRROR_PAD, (g, op.inputs[1]), {"mode": op.attrs["mode"]}), None


_MIRROR_PAD = defop("MirrorPad", ("input", "paddings"), _mirror_pad_kernel,
                    attrs={"mode": None, "Tpaddings": dtypes.int32}, infer=_pad_infer,
                    grad=_mirror_pad_grad)  # fmt: skip
_MIRROR_PAD_GRAD = defop("MirrorPadGrad", ("input", "paddings"), _mirror_pad_grad_kernel,
                         attrs={"mode": None, "Tpaddings": dtypes.int32}, infer=_mirror_pad_grad_infer,
                         grad=_mirror_pad_grad_grad)  # fmt: skip


def pad(tensor, paddings, mode="CONSTANT", constant_values=0, name=None):
    """Pads a tensor: `paddings[i] = [before, after]` for dimension i.

    Modes: "CONSTANT" (with `constant_values`), "REFLECT" (edge not repeated) and
    "SYMMETRIC" (edge repeated); case-insensitive.

    >>> tf.pad([1, 2, 3], [[2, 1]], mode="REFLECT").numpy().tolist()
    [3, 2, 1, 2, 3, 2]
    """
    m = mode.upper() if isinstance(mode, str) else mode
    x = to_tensor(tensor)
    p = _index_arg(paddings, "Pad", "Tpaddings")
    if m == "CONSTANT":
        if (
            not is_tensorlike(constant_values)
            and np.ndim(constant_values) == 0
            and constant_values == 0
        ):
            return execute(_PAD, (x, p), NO_ATTRS, name)
        if is_tensorlike(constant_values):
            c = to_tensor(constant_values)
            if c.dtype is not x.dtype:
                raise _err(f"cannot compute PadV2 as input #2(zero-based) was expected to be a "
                           f"{dtype_name(x.dtype)} tensor but is a {dtype_name(c.dtype)} tensor", "PadV2")  # fmt: skip
        else:
            c = convert_to_tensor(constant_values, dtype=x.dtype)
        return execute(_PAD_V2, (x, p, c), NO_ATTRS, name)
    if m in ("REFLECT", "SYMMETRIC"):
        return execute(_MIRROR_PAD, (x, p), {"mode": m}, name)
    raise ValueError('Value of argument `mode` expected to be one of "CONSTANT", "REFLECT", or '
                     f'"SYMMETRIC". Received `mode` = {mode}')  # fmt: skip


# -- reverse -----------------------------------------------------------------------------------


def _reverse_kernel(tensor, axis, **_):
    if np.ndim(axis) != 1:
        raise _err(f"'dims' must be 1-dimension, not {np.ndim(axis)}", "ReverseV2")
    r = np.ndim(tensor)
    seen = set()
    for i, a in enumerate(axis):
        a = int(a)
        if not -r <= a < r:
            raise _err(f"'axis'[{i}] = {a} is out of valid range [0, {r - 1}", "ReverseV2")
        a %= r
        if a in seen:
            raise _err(f"axis {a} specified more than once.", "ReverseV2")
        seen.add(a)
    if not seen:
        return tensor
    return tensor[
        tuple(_pyslice(None, None, -1) if i in seen else _pyslice(None) for i in range(r))
    ]


def _reverse_grad(op, g):
    return reverse(g, op.inputs[1]), None


def _reverse_infer(inputs, attrs):
    x, axis = inputs
    r, av = x.shape.rank, _ints(axis)
    if r is not None and av is not None:
        for i, a in enumerate(av):
            if not -r <= a < r:
                raise _graph_err(
                    f"'axis'[{i}] = {a} is out of valid range [0, {r - 1}", "ReverseV2"
                )
    return [(x.dtype, x.shape)]


_REVERSE = defop("ReverseV2", ("tensor", "axis"), _reverse_kernel, attrs={"Tidx": dtypes.int32},
                 infer=_reverse_infer, grad=_reverse_grad)  # fmt: skip


def reverse(tensor, axis, name=None):
    """Reverses the order of elements along each dimension in `axis` (a list).

    >>> tf.reverse([[1, 2], [3, 4]], [1]).numpy().tolist()
    [[2, 1], [4, 3]]
    """
    return execute(
        _REVERSE, (to_tensor(tensor), _index_arg(axis, "ReverseV2", "Tidx")), NO_ATTRS, name
    )


def _reverse_sequence_kernel(input, seq_lengths, seq_dim, batch_dim=0, **_):  # noqa: A002
    x = np.asarray(input)
    r = x.ndim
    if batch_dim == seq_dim:
        raise _err(f"batch_dim == seq_dim == {seq_dim}", "ReverseSequence")
    if seq_dim >= r:
        raise _err(f"seq_dim must be < input rank ( {seq_dim} vs. {r})", "ReverseSequence")
    if batch_dim >= r:
        raise _err(f"batch_dim must be < input rank ( {batch_dim} vs. {r})", "ReverseSequence")
    lens = np.asarray(seq_lengths).astype(np.int64)
    if lens.ndim != 1:
        raise _err(f"seq_lengths must be 1-dim, not {lens.ndim}", "ReverseSequence")
    if lens.shape[0] != x.shape[batch_dim]:
        raise _err(f"Length of seq_lengths != input.dims({batch_dim}), ({lens.shape[0]} vs. "
                   f"{x.shape[batch_dim]})", "ReverseSequence")  # fmt: skip
    n = x.shape[seq_dim]
    bad = np.nonzero((lens < 0) | (lens > n))[0]
    if bad.size:
        b = int(bad[0])
        rel = "<" if lens[b] < 0 else ">"
        raise _err(
            f"seq_lens({b}) {rel} {0 if rel == '<' else f'input.dims({seq_dim})'}",
            "ReverseSequence",
        )
    # Position i of batch row b reads position lens[b]-1-i when i < lens[b], else itself.
    pos = np.arange(n)
    idx = np.where(pos < lens[:, None], lens[:, None] - 1 - pos, pos)  # [batch, seq]
    shape = [1] * r
    shape[batch_dim], shape[seq_dim] = lens.shape[0], n
    if batch_dim > seq_dim:
        idx = idx.T
    idx = np.broadcast_to(idx.reshape(shape), x.shape)
    return np.take_along_axis(x, idx, axis=seq_dim)


def _reverse_sequence_grad(op, g):
    a = op.attrs
    return reverse_sequence(g, op.inputs[1], a["seq_dim"], a.get("batch_dim", 0)), None


_REVERSE_SEQUENCE = defop(
    "ReverseSequence", ("input", "seq_lengths"), _reverse_sequence_kernel,
    attrs={"seq_dim": None, "batch_dim": 0, "Tlen": dtypes.int64},
    infer=lambda inputs, attrs: [(inputs[0].dtype, inputs[0].shape)], grad=_reverse_sequence_grad,
)  # fmt: skip


def reverse_sequence(input, seq_lengths, seq_axis=None, batch_axis=None, name=None):  # noqa: A002
    """Reverses the first `seq_lengths[b]` elements along `seq_axis` of each batch row b.

    >>> tf.reverse_sequence([[1, 2, 3], [4, 5, 6]], [2, 3], seq_axis=1).numpy().tolist()
    [[2, 1, 3], [6, 5, 4]]
    """
    if seq_axis is None:
        raise TypeError("Expected int for argument 'seq_dim' not None.")
    x = to_tensor(input)
    lens = _index_arg(seq_lengths, "ReverseSequence", "Tlen")
    attrs = {"seq_dim": int(seq_axis), "batch_dim": 0 if batch_axis is None else int(batch_axis)}
    return execute(_REVERSE_SEQUENCE, (x, lens), attrs, name)


# -- slice -------------------------------------------------------------------------------------


def _slice_kernel(input, begin, size, **_):  # noqa: A002
    shape = np.shape(input)
    r = len(shape)
    if np.ndim(begin) != 1 or np.ndim(size) != 1 or len(begin) != r or len(size) != r:
        raise _err(f"Expected begin and size arguments to be 1-D tensors of size {r}, but got shapes "
                   f"{_fmt(np.shape(begin))} and {_fmt(np.shape(size))} instead.", "Slice")  # fmt: skip
    idx = []
    for i, (d, b, s) in enumerate(zip(shape, begin, size)):
        b, s = int(b), int(s)
        if s == -1:
            s = d - b
        if not 0 <= b <= d:
            raise _err(f"Expected begin[{i}] in [0, {d}], but got {b}", "Slice")
        if not 0 <= s <= d - b:
            raise _err(f"Expected size[{i}] in [0, {d - b}], but got {s}", "Slice")
        idx.append(_pyslice(b, b + s))
    return input[tuple(idx)] if r else input


def _slice_infer(inputs, attrs):
    x, begin, size = inputs
    bv, sv = _ints(begin), _ints(size)
    r = x.shape.rank
    if r is None:
        n = size.shape[0] if size.shape.rank == 1 else None
        if n is None or sv is None:
            return [(x.dtype, TensorShape(None if n is None else [None] * n))]
        return [(x.dtype, TensorShape([None if s == -1 else s for s in sv]))]
    if sv is None:
        return [(x.dtype, TensorShape([None] * r))]
    dims = x.shape.as_list()
    out = []
    for i, s in enumerate(sv):
        if s != -1:
            out.append(s)
        elif bv is not None and dims[i] is not None:
            out.append(dims[i] - bv[i])
        else:
            out.append(None)
    return [(x.dtype, TensorShape(out))]


def _slice_grad(op, g):
    x, begin, _ = op.inputs
    bv = _ints(begin)
    if bv is not None and x.shape.is_fully_defined() and g.shape.is_fully_defined():
        pads = [[b, d - b - s] for b, d, s in zip(bv, x.shape.as_list(), g.shape.as_list())]
        return pad(g, pads), None, None
    b = _cast(begin, dtypes.int32)
    after = array_ops.shape(x) - array_ops.shape(g) - b
    return pad(g, array_ops.stack([b, after], axis=1)), None, None


_SLICE = defop("Slice", ("input", "begin", "size"), _slice_kernel, attrs={"Index": dtypes.int32},
               infer=_slice_infer, grad=_slice_grad)  # fmt: skip


def slice(input_, begin, size, name=None):  # noqa: A001 - TF's public name
    """Extracts `size[i]` elements from `begin[i]` along each dimension (-1: to the end).

    >>> tf.slice([[1, 2, 3], [4, 5, 6]], [0, 1], [2, -1]).numpy().tolist()
    [[2, 3], [5, 6]]
    """
    x = to_tensor(input_)
    if is_tensorlike(begin) or is_tensorlike(size):
        b, s = (_index_arg(v, "Slice", "Index") for v in (begin, size))
        if b.dtype is not s.dtype:
            b, s = same_dtype_operands("Slice", (begin, size))
    else:
        b, s = int_tensor(begin), int_tensor(size)
    return execute(_SLICE, (x, b, s), NO_ATTRS, name)


# -- shapes and broadcasting ------------------------------------------------------------------


def _shape_n_kernel(*inputs, N, out_type=dtypes.int32):
    return [np.asarray(np.shape(x), dtype=out_type._np) for x in inputs]


def _shape_n_infer(inputs, attrs):
    dt = attrs.get("out_type", dtypes.int32)
    return [(dt, TensorShape([x.shape.rank])) for x in inputs]


_SHAPE_N = defop("ShapeN", ("*input",), _shape_n_kernel, attrs={"N": None, "out_type": dtypes.int32},
                 infer=_shape_n_infer, list_attr="N", differentiable=False,
                 num_outputs=lambda attrs: attrs["N"])  # fmt: skip


def shape_n(input, out_type=dtypes.int32, name=None):  # noqa: A002
    """The shapes of several tensors, as a list of 1-D tensors.

    >>> [s.numpy().tolist() for s in tf.shape_n([tf.zeros([2, 3]), tf.zeros([4])])]
    [[2, 3], [4]]
    """
    xs = [to_tensor(v) for v in input]
    return execute(_SHAPE_N, tuple(xs), {"N": len(xs), "out_type": dtypes.as_dtype(out_type)}, name)


def _broadcast_dims(a, b, op_name):
    """NumPy broadcasting of two concrete shapes, with TF's error."""
    n = max(len(a), len(b))
    pa, pb = [1] * (n - len(a)) + list(a), [1] * (n - len(b)) + list(b)
    out = []
    for x, y in zip(pa, pb):
        if x == y or y == 1:
            out.append(x)
        elif x == 1:
            out.append(y)
        else:
            raise _err(f"Incompatible shapes: {_fmt(a)} vs. {_fmt(b)}", op_name)
    return pa, pb, out


def _broadcast_args_kernel(s0, s1, **_):
    a, b = [int(v) for v in np.ravel(s0)], [int(v) for v in np.ravel(s1)]
    return np.asarray(_broadcast_dims(a, b, "BroadcastArgs")[2], dtype=np.asarray(s0).dtype)


def _broadcast_args_infer(inputs, attrs):
    s0, s1 = inputs
    n0 = s0.shape[0] if s0.shape.rank == 1 else None
    n1 = s1.shape[0] if s1.shape.rank == 1 else None
    return [(s0.dtype, TensorShape([None if n0 is None or n1 is None else max(n0, n1)]))]


def _broadcast_gradient_args_kernel(s0, s1, **_):
    a, b = [int(v) for v in np.ravel(s0)], [int(v) for v in np.ravel(s1)]
    dt = np.asarray(s0).dtype
    if a == b:
        return [np.zeros(0, dt), np.zeros(0, dt)]
    pa, pb, _ = _broadcast_dims(a, b, "BroadcastGradientArgs")
    # A dimension is summed for an input where that input has size 1 (or lacks it).
    r0 = [i for i, d in enumerate(pa) if d == 1]
    r1 = [i for i, d in enumerate(pb) if d == 1]
    return [np.asarray(r0, dt), np.asarray(r1, dt)]


_BROADCAST_ARGS = defop("BroadcastArgs", ("s0", "s1"), _broadcast_args_kernel,
                        infer=_broadcast_args_infer, differentiable=False)  # fmt: skip
_BROADCAST_GRADIENT_ARGS = defop(
    "BroadcastGradientArgs", ("s0", "s1"), _broadcast_gradient_args_kernel,
    infer=lambda inputs, attrs: [(inputs[0].dtype, TensorShape([None]))] * 2,
    differentiable=False, num_outputs=2,
)  # fmt: skip


def broadcast_dynamic_shape(shape_x, shape_y):
    """The broadcast of two shapes given as 1-D integer tensors.

    >>> tf.broadcast_dynamic_shape([2, 1], [3, 1, 4]).numpy().tolist()
    [3, 2, 4]
    """
    a, b = same_dtype_operands("BroadcastArgs", (shape_x, shape_y))
    return execute(_BROADCAST_ARGS, (a, b), NO_ATTRS)


def broadcast_static_shape(shape_x, shape_y):
    """The broadcast of two `TensorShape`s (unknown dimensions allowed).

    >>> tf.broadcast_static_shape(tf.TensorShape([None, 1]), tf.TensorShape([3]))
    TensorShape([None, 3])
    """
    sx, sy = as_shape(shape_x), as_shape(shape_y)
    if sx.rank is None or sy.rank is None:
        return TensorShape(None)
    a, b = sx.as_list(), sy.as_list()
    n = max(len(a), len(b))
    a, b = [1] * (n - len(a)) + a, [1] * (n - len(b)) + b
    out = []
    for x, y in zip(a, b):
        if x is None or y is None:
            # An unknown dimension takes the known one when that is > 1 (it must broadcast).
            out.append(x if x is not None and x > 1 else (y if y is not None and y > 1 else None))
        elif x == 1 or x == y:
            out.append(y)
        elif y == 1:
            out.append(x)
        else:
            raise ValueError(
                "Incompatible shapes for broadcasting. Two shapes are compatible if for each "
                "dimension pair they are either equal or one of them is 1. Received: "
                f"{sx} and {sy}."
            )
    return TensorShape(out)


def unbroadcast_dynamic(grad, inp):
    """Sums `grad` down to `inp`'s runtime shape (graph case with unknown dimensions)."""
    from arroyo.ops.reduction_ops import reduce_sum

    s_in, s_grad = array_ops.shape(inp), array_ops.shape(grad)
    axes, _ = execute(_BROADCAST_GRADIENT_ARGS, (s_in, s_grad), NO_ATTRS)
    return array_ops.reshape(reduce_sum(grad, axes), s_in)


def reduced_shape(input_shape, axes):
    """The keep-dims shape of a reduction: `input_shape` with 1 at every reduced axis.

    >>> reduced_shape([2, 3, 4], [0, 2]).numpy().tolist()
    [1, 3, 1]
    """
    from arroyo.ops import math_ops
    from arroyo.ops.reduction_ops import reduce_any

    shp, ax = static_value(to_tensor(input_shape)), static_value(to_tensor(axes))
    if shp is not None and ax is not None:
        dims = [int(d) for d in np.ravel(shp)]
        r = len(dims)
        kept = {int(a) % r for a in np.ravel(ax)} if r else set()
        return int_tensor([1 if i in kept else d for i, d in enumerate(dims)],
                          to_tensor(input_shape).dtype)  # fmt: skip
    shp = to_tensor(input_shape)
    r = array_ops.size(shp, out_type=shp.dtype)
    ax = array_ops.reshape(_cast(to_tensor(axes), shp.dtype), [-1])
    ax = math_ops.floormod(math_ops.add(ax, r), r)
    hit = math_ops.equal(array_ops.expand_dims(array_ops.range_(0, r, 1, dtype=shp.dtype), 1),
                         array_ops.expand_dims(ax, 0))  # fmt: skip
    return array_ops.where(reduce_any(hit, axis=1), array_ops.ones_like(shp), shp)


# -- roll --------------------------------------------------------------------------------------


def _roll_kernel(input, shift, axis, **_):  # noqa: A002
    r = np.ndim(input)
    if r < 1:
        raise _err("input must be 1-D or higher", "Roll")
    if np.ndim(shift) > 1:
        raise _err(
            f"shift must be a scalar or a 1-D vector. Found: {_fmt(np.shape(shift))}", "Roll"
        )
    if np.ndim(axis) > 1:
        raise _err(f"axis must be a scalar or a 1-D vector. Found: {_fmt(np.shape(axis))}", "Roll")
    shifts, axes = np.ravel(shift), np.ravel(axis)
    if shifts.size != axes.size:
        raise _err("shift and axis must have the same size", "Roll")
    for a in axes:
        if not -r <= a < r:
            raise _err(f"axis {int(a)} is out of range", "Roll")
    return np.roll(input, tuple(int(s) for s in shifts), tuple(int(a) for a in axes))


def _roll_grad(op, g):
    from arroyo.ops.math_ops import negative

    return roll(g, negative(op.inputs[1]), op.inputs[2]), None, None


_ROLL = defop("Roll", ("input", "shift", "axis"), _roll_kernel,
              infer=lambda inputs, attrs: [(inputs[0].dtype, inputs[0].shape)], grad=_roll_grad)  # fmt: skip


def roll(input, shift, axis, name=None):  # noqa: A002
    """Rolls elements along `axis` by `shift` (elements shifted past the end wrap around).

    >>> tf.roll([0, 1, 2, 3, 4], shift=2, axis=0).numpy().tolist()
    [3, 4, 0, 1, 2]
    """
    s, a = _index_arg(shift, "Roll", "Tshift"), _index_arg(axis, "Roll", "Taxis")
    return execute(_ROLL, (to_tensor(input), s, a), NO_ATTRS, name)


# -- ensure_shape, unravel_index ------------------------------------------------------------------


def _compatible(dims, want):
    if want.rank is None:
        return True
    w = want.as_list()
    return len(w) == len(dims) and all(e is None or e == d for d, e in zip(dims, w))


def _ensure_shape_kernel(input, shape, **_):  # noqa: A002
    want = as_shape(shape)
    if not _compatible(np.shape(input), want):
        raise _err(f"Shape of tensor input {_fmt(np.shape(input))} is not compatible with expected "
                   f"shape {_fmt(want.as_list())}.", "EnsureShape")  # fmt: skip
    return input


def _ensure_shape_infer(inputs, attrs):
    x = inputs[0]
    want = as_shape(attrs["shape"])
    if not x.shape.is_compatible_with(want):
        have = x.shape.as_list()
        if len(have) != len(want.as_list()):
            msg = f"Shape must be rank {len(want.as_list())} but is rank {len(have)}"
        else:
            i, (d, w) = next(
                (i, p)
                for i, p in enumerate(zip(want.as_list(), have))
                if None not in p and p[0] != p[1]
            )
            msg = (f"Dimension {i} in both shapes must be equal, but are {d} and {w}. Shapes are "
                   f"{_fmt(want.as_list())} and {_fmt(have)}.")  # fmt: skip
        raise _graph_err(msg, "EnsureShape")
    return [(x.dtype, x.shape.merge_with(want))]


_ENSURE_SHAPE = defop("EnsureShape", ("input",), _ensure_shape_kernel, attrs={"shape": None},
                      infer=_ensure_shape_infer, grad=lambda op, g: g)  # fmt: skip


def ensure_shape(x, shape, name=None):
    """Checks that `x`'s shape is compatible with `shape` (None = any size) and returns it.

    >>> tf.ensure_shape(tf.zeros([2, 3]), [None, 3]).shape
    TensorShape([2, 3])
    """
    return execute(_ENSURE_SHAPE, (to_tensor(x),), {"shape": as_shape(shape)}, name)


def _unravel_index_kernel(indices, dims, **_):
    d = np.asarray(dims).astype(np.int64)
    for i, v in enumerate(d):
        if v < 0:
            raise _err(f"Input dims cannot be negative. Got dim = {v} at index {i}", "UnravelIndex")
        if v == 0:
            raise _err(f"Input dims cannot contain a dim of zero, but dims contains zero at index {i}",
                       "UnravelIndex")  # fmt: skip
    idx = np.asarray(indices).astype(np.int64)
    if np.any(idx >= np.prod(d)):
        raise _err("index is out of bound as with dims", "UnravelIndex")
    strides = np.concatenate([np.cumprod(d[::-1])[::-1][1:], [1]]).astype(np.int64)
    # C++ truncating division and remainder: TF's result for negative indices.
    q = idx[None] if idx.ndim == 0 else idx[None, :]
    q = np.sign(q) * (np.abs(q) // strides.reshape((-1,) + (1,) * (q.ndim - 1)))
    out = np.fmod(q, d.reshape((-1,) + (1,) * (q.ndim - 1)))
    if idx.ndim == 0:
        out = out.reshape(-1)
    return out.astype(np.asarray(indices).dtype)


def _unravel_index_infer(inputs, attrs):
    idx, dims = inputs
    n = dims.shape[0] if dims.shape.rank == 1 else None
    if idx.shape.rank == 0:
        return [(idx.dtype, TensorShape([n]))]
    if idx.shape.rank is None:
        return [(idx.dtype, TensorShape(None))]
    return [(idx.dtype, TensorShape([n, idx.shape.num_elements()]))]


_UNRAVEL_INDEX = defop("UnravelIndex", ("indices", "dims"), _unravel_index_kernel,
                       attrs={"Tidx": dtypes.int32}, infer=_unravel_index_infer,
                       differentiable=False)  # fmt: skip


def unravel_index(indices, dims, name=None):
    """Converts flat indices into coordinate arrays for an array of shape `dims`.

    >>> tf.unravel_index([1, 5], [2, 3]).numpy().tolist()
    [[0, 1], [1, 2]]
    """
    i, d = same_dtype_operands("UnravelIndex", (indices, dims))
    if i.dtype not in _INDEX_DTYPES:
        _index_arg(i, "UnravelIndex", "Tidx")
    return execute(_UNRAVEL_INDEX, (i, d), NO_ATTRS, name)


# -- composed: repeat, sequence_mask, meshgrid ----------------------------------------------------


def repeat(input, repeats, axis=None, name=None):  # noqa: A002
    """Repeats each element `repeats` times along `axis` (flattened input when axis is None).

    >>> tf.repeat([[1, 2], [3, 4]], [1, 2], axis=0).numpy().tolist()
    [[1, 2], [3, 4], [3, 4]]
    """
    x = to_tensor(input)
    if axis is None:
        x = array_ops.reshape(x, [-1])
        axis = 0
    rep = to_tensor(repeats) if is_tensorlike(repeats) else convert_to_tensor(repeats)
    if not rep.dtype.is_integer:
        raise TypeError("Argument `tensor` (name: repeats) must be of type integer. Received "
                        f"`tensor` = {repeats} of dtype: <dtype: '{rep.dtype.name}'>")  # fmt: skip
    r = x.shape.rank
    if r is None:
        raise ValueError("repeat requires an input of known rank")
    axis = int(axis)
    if not -r <= axis < r:
        raise ValueError(f"axis={axis} out of bounds: expected {-r}<=axis<{r}")
    axis %= r
    if rep.shape.rank is not None and rep.shape.rank > 1:
        raise ValueError(f"`repeats` must be a scalar or a 1-D tensor, got shape {rep.shape}")
    dims = x.shape.as_list()
    rv = static_value(rep)
    if rep.shape.num_elements() == 1:
        # One count for every element: tile a new axis after `axis`, then merge the two.
        rep = array_ops.reshape(rep, [])
        k = None if rv is None else int(np.ravel(rv)[0])
        mult = [1] * (r + 1)
        mult[axis + 1] = k if k is not None else _cast(rep, dtypes.int32)
        if k is None:
            mult = array_ops.stack(
                [m if is_tensorlike(m) else to_tensor(m, dtypes.int32) for m in mult]
            )
        tiled = tile(array_ops.expand_dims(x, axis + 1), mult)
        merged = None if k is None or dims[axis] is None else dims[axis] * max(k, 0)
        out_dims = dims[:axis] + [merged] + dims[axis + 1 :]
        if out_dims.count(None) <= 1:
            out_shape = [-1 if d is None else d for d in out_dims]
        else:
            out_shape = array_ops.concat(
                [array_ops.shape(x)[:axis], [-1], array_ops.shape(x)[axis + 1 :]], 0
            )
        return array_ops.reshape(tiled, out_shape)
    n = rep.shape[0] if rep.shape.rank == 1 else None
    if n is not None and dims[axis] is not None and n != dims[axis]:
        raise ValueError(f"Dimensions {dims[axis]} and {n} are not compatible")
    if rv is not None:
        idx = int_tensor(np.repeat(np.arange(len(rv)), np.maximum(np.asarray(rv), 0)))
    else:
        from arroyo.ops.reduction_ops import reduce_max

        mask = sequence_mask(rep, reduce_max(rep))
        idx = array_ops.where(mask)[:, 0]
    return array_ops.gather(x, idx, axis=axis)


def sequence_mask(lengths, maxlen=None, dtype=dtypes.bool, name=None):
    """mask[..., j] = j < lengths[...], over `maxlen` positions (max(lengths) by default).

    >>> tf.sequence_mask([1, 3], 4).numpy().astype(int).tolist()
    [[1, 0, 0, 0], [1, 1, 1, 0]]
    """
    from arroyo.ops import creation_ops, math_ops
    from arroyo.ops.reduction_ops import reduce_max

    lengths = to_tensor(lengths)
    if maxlen is None:
        maxlen = math_ops.maximum(reduce_max(lengths), 0)
    else:
        maxlen = to_tensor(maxlen)
    if maxlen.shape.rank not in (0, None):
        raise ValueError("Argument `maxlen` must be scalar for sequence_mask, received `maxlen` = "
                         f"{maxlen} with shape '{maxlen.shape}' instead")  # fmt: skip
    row = creation_ops.range(0, maxlen, 1, dtype=maxlen.dtype)
    result = math_ops.less(row, _cast(array_ops.expand_dims(lengths, -1), maxlen.dtype))
    dtype = dtypes.as_dtype(dtype)
    return result if dtype is dtypes.bool else math_ops.cast(result, dtype)


def meshgrid(*args, **kwargs):
    """N-D coordinate grids from 1-D coordinate vectors ('xy' or 'ij' indexing).

    >>> [g.numpy().tolist() for g in tf.meshgrid([1, 2], [3, 4, 5])][1]
    [[3, 3], [4, 4], [5, 5]]
    """
    indexing = kwargs.pop("indexing", "xy")
    kwargs.pop("name", None)
    if kwargs:
        raise TypeError(f"'{next(iter(kwargs))}' is an invalid keyword argument for this function")
    if indexing not in ("xy", "ij"):
        raise ValueError(
            f"Argument `indexing` parameter must be either 'xy' or 'ij', got '{indexing}'"
        )
    n = len(args)
    if not n:
        return []
    xs = [to_tensor(a) for a in args]
    first = xs[0].dtype
    for x in xs[1:]:
        if x.dtype is not first:
            raise _err(f"cannot compute Mul as input #1(zero-based) was expected to be a "
                       f"{dtype_name(x.dtype)} tensor but is a {dtype_name(first)} tensor", "Mul")  # fmt: skip
    ones = [1] * n
    outs = [array_ops.reshape(x, ones[:i] + [-1] + ones[i + 1 :]) for i, x in enumerate(xs)]
    sizes = [x.shape.num_elements() for x in xs]
    if indexing == "xy" and n > 1:
        outs[0] = array_ops.reshape(outs[0], [1, -1] + ones[2:])
        outs[1] = array_ops.reshape(outs[1], [-1, 1] + ones[2:])
        sizes[0], sizes[1] = sizes[1], sizes[0]
        xs[0], xs[1] = xs[1], xs[0]
    if None not in sizes:
        return [array_ops.broadcast_to(o, sizes) for o in outs]
    target = array_ops.stack([array_ops.size(x) for x in xs])
    grids = [array_ops.broadcast_to(o, target) for o in outs]
    for g in grids:
        g.set_shape(sizes)  # graph mode: keep the sizes that are known
    return grids


TF_API = {
    "tf": [
        "split",
        "tile",
        "pad",
        "reverse",
        "reverse_sequence",
        "slice",
        "shape_n",
        "broadcast_static_shape",
        "broadcast_dynamic_shape",
        "repeat",
        "roll",
        "sequence_mask",
        "ensure_shape",
        "unravel_index",
        "meshgrid",
    ],
}
