"""String ops (`tf.strings.*`, `tf.as_string`): raw ops named as TF's, kernels on bytes.

A string tensor holds a NumPy object array of `bytes`. Kernels loop over `.ravel()` in
list comprehensions over Python's own bytes methods (a string op cannot beat Python per
element), with vectorized NumPy fast paths where the work allows it (lengths, UTF-8
decoding of valid input). Every primitive is declared with `defop` and called through
`execute`, so the ops run eagerly and inside `tf.function`. Elementwise ops applied to a
RaggedTensor (or SparseTensor) act on its values, as TF's dispatch does.

    >>> tf.strings.upper(tf.constant(["ab", "c"])).numpy().tolist()
    [b'AB', b'C']

Regular expressions use Python's `re` in place of RE2. The common syntax is the same; the
pattern is translated where RE2 differs (`$` and `\\z` are end of text, `[[:alpha:]]`
classes, `\\d`/`\\w`/`\\s`/`\\b` are ASCII). Not supported: `\\pN`/`\\p{Greek}` Unicode
classes, `\\C`; `(?i)` folds ASCII only; an empty match right after a non-empty one
(`b*|c` on "bc") can differ; error messages follow RE2's wording for common mistakes only.
Unicode decoding uses Python's codecs (ICU in TF): UTF-8, UTF-16-BE and UTF-32-BE decode
alike, malformed input is replaced per maximal invalid subsequence as ICU does; other
encoding names go through Python's codec registry.
"""

from __future__ import annotations

import codecs
import functools
import math
import re

import numpy as np

from arroyo.framework import dtypes
from arroyo.framework.composite_tensor import CompositeTensor, elementwise_unary
from arroyo.framework.errors import InvalidArgumentError, OutOfRangeError
from arroyo.framework.op_registry import defop, dtype_name, execute
from arroyo.framework.tensor import EagerTensor, convert_to_tensor
from arroyo.framework.tensor_shape import TensorShape
from arroyo.ops import _infer
from arroyo.ops._helpers import int_tensor, is_tensorlike, static_value

__all__ = [
    "length", "substr", "upper", "lower", "strip", "join", "reduce_join", "split",
    "bytes_split", "regex_full_match", "regex_replace", "to_number", "as_string", "format",
    "unicode_decode", "unicode_decode_with_offsets", "unicode_encode", "unicode_split",
    "unicode_split_with_offsets", "unicode_transcode", "unsorted_segment_join", "ngrams",
]  # fmt: skip

_S = dtypes.string
_I64 = np.int64
_NO_ATTRS: dict = {}


# -- helpers ----------------------------------------------------------------------------------


def _err(msg, op):
    return InvalidArgumentError(None, None, f"{msg} [Op:{op}]")


def _objects(items, shape):
    """A NumPy object array of `shape` holding `items` (a list, in row-major order)."""
    out = np.empty(len(items), dtype=object)
    out[:] = items
    return out.reshape(shape)


def _map(fn, arr):
    """`fn` applied to every element of object array `arr`; an object array of its shape."""
    return _objects([fn(v) for v in arr.ravel().tolist()], arr.shape)


def _as_string_tensor(x, op_name, index=0):
    """`x` as a string tensor; a non-string tensor is TF's dtype error for input `index`."""
    if type(x) is EagerTensor and x._value.dtype == object:
        return x
    if is_tensorlike(x):
        t = convert_to_tensor(x)
        if t.dtype is not _S:
            raise _err(
                f"cannot compute {op_name} as input #{index}(zero-based) was expected to be a "
                f"string tensor but is a {dtype_name(t.dtype)} tensor",
                op_name,
            )
        return t
    return convert_to_tensor(x, dtype=_S)


def _composite(fn, x):
    """Applies one-tensor `fn` to the values of a RaggedTensor / SparseTensor `x`."""
    if not hasattr(type(x), "_dispatch_unary"):
        from arroyo._api import _build

        _build.load_all()  # the module that installs the dispatch handler
    return elementwise_unary(fn, x)


def _check_choice(op, attr, value, allowed):
    if value not in allowed:
        choices = ", ".join(f'"{a}"' for a in allowed)
        raise InvalidArgumentError(
            None, None,
            f"Value for attr '{attr}' of \"{value}\" is not in the list of allowed values: "
            f"{choices}\n\t; NodeDef: {{{{node {op}}}}}; Op<name={op}> [Op:{op}]",
        )  # fmt: skip


def _same_shape(inputs, attrs):
    return [(_S, inputs[0].shape)]


def _is_trail(b):
    return (b & 0xC0) == 0x80


# -- StringLength ------------------------------------------------------------------------------


def _byte_lengths(flat):
    return np.fromiter(map(len, flat), dtype=_I64, count=len(flat))


def _utf8_lengths(flat):
    """Characters per string: bytes that are not UTF-8 continuation bytes (as TF counts)."""
    lens = _byte_lengths(flat)
    buf = np.frombuffer(b"".join(flat), dtype=np.uint8)
    trail = np.concatenate([[0], np.cumsum((buf & 0xC0) == 0x80)])
    ends = np.cumsum(lens)
    return lens - (trail[ends] - trail[ends - lens])


def _length_kernel(x, unit="BYTE"):
    flat = x.ravel().tolist()
    lens = _byte_lengths(flat) if unit == "BYTE" else _utf8_lengths(flat)
    return lens.astype(np.int32).reshape(x.shape)


STRING_LENGTH = defop("StringLength", ("input",), _length_kernel, attrs={"unit": "BYTE"},
                      infer=_infer.make_unary(dtypes.int32), differentiable=False)  # fmt: skip


def length(input, unit="BYTE", name=None):  # noqa: A002 - TF's argument name
    """Length of each string, in bytes or (unit="UTF8_CHAR") UTF-8 characters.

    >>> tf.strings.length(["Hello", "🙂"], unit="UTF8_CHAR").numpy().tolist()
    [5, 1]
    """
    if isinstance(input, CompositeTensor):
        return _composite(lambda v: length(v, unit, name), input)
    _check_choice("StringLength", "unit", unit, ("BYTE", "UTF8_CHAR"))
    x = _as_string_tensor(input, "StringLength")
    return execute(STRING_LENGTH, (x,), {"unit": unit}, name)


# -- Substr ------------------------------------------------------------------------------------


def _bytes_repr(s):
    # TF formats the string into a C string: the message ends at the first NUL.
    text = f"b'{s.decode('utf-8', 'replace')}'"
    return text


def _substr_one(s, p, n, unit, index):
    if unit == "BYTE":
        size = len(s)
        if p > size or p < -size:
            msg = f"pos {p} out of range for string {_bytes_repr(s)} at index {index}"
            raise InvalidArgumentError(None, None, msg.split("\x00")[0] + " [Op:Substr]")
        if p < 0:
            p += size
        return s[p:] if n < 0 else s[p : p + n]
    if s.isascii():
        starts = None
        count = len(s)
    else:
        starts = [0] + [i for i in range(1, len(s)) if not _is_trail(s[i])] if s else []
        count = len(starts)
    if p > count or p < -count:
        raise _err(f"pos {p} out of range for string at index {index}", "Substr")
    if p < 0:
        p += count
    if n < 0:
        return b""
    end = min(p + n, count)
    if starts is None:
        return s[p:end]
    a = starts[p] if p < count else len(s)
    b = starts[end] if end < count else len(s)
    return s[a:b]


def _substr_kernel(x, pos, length, unit="BYTE", T=None):
    pos, length = np.asarray(pos), np.asarray(length)
    if pos.shape != length.shape:
        raise _err(
            f"pos and len should have the same shape, got: {_dims(pos.shape)} vs. "
            f"{_dims(length.shape)}",
            "Substr",
        )
    if pos.ndim == 0:
        p, n = int(pos), int(length)
        flat = x.ravel().tolist()
        if unit == "BYTE":
            lens = _byte_lengths(flat)
            bad = np.nonzero((lens < p) | (lens < -p))[0]
            if bad.size == 0:
                if p >= 0:
                    out = [s[p:] for s in flat] if n < 0 else [s[p : p + n] for s in flat]
                    return _objects(out, x.shape)
        out = [_substr_one(s, p, n, unit, i) for i, s in enumerate(flat)]
        return _objects(out, x.shape)
    try:
        shape = np.broadcast_shapes(x.shape, pos.shape)
    except ValueError:
        raise _err(
            f"Incompatible shapes: {_dims(x.shape)} vs. {_dims(pos.shape)}", "Substr"
        ) from None
    xs = np.broadcast_to(x, shape).ravel().tolist()
    ps = np.broadcast_to(pos, shape).ravel().tolist()
    ns = np.broadcast_to(length, shape).ravel().tolist()
    out = [_substr_one(s, p, n, unit, i) for i, (s, p, n) in enumerate(zip(xs, ps, ns))]
    return _objects(out, shape)


def _dims(shape):
    return "[" + ",".join(str(d) for d in shape) + "]"


def _substr_infer(inputs, attrs):
    x, pos, n = inputs
    if pos.shape.rank == 0:
        return [(_S, x.shape)]
    return [(_S, _infer.broadcast_shapes(x.shape, pos.shape, "Substr"))]


SUBSTR = defop("Substr", ("input", "pos", "len"), _substr_kernel, attrs={"unit": "BYTE"},
               infer=_substr_infer, differentiable=False)  # fmt: skip


def _index_tensor(v, dtype=None):
    if is_tensorlike(v):
        return convert_to_tensor(v)
    return convert_to_tensor(v, dtype=dtype) if dtype is not None else convert_to_tensor(v)


def substr(input, pos, len, unit="BYTE", name=None):  # noqa: A002 - TF's argument names
    """Substrings from `pos` of `len` bytes (or UTF-8 characters); pos/len broadcast.

    >>> tf.strings.substr(["hello", "world"], 1, 3).numpy().tolist()
    [b'ell', b'orl']
    """
    if isinstance(input, CompositeTensor):
        return _composite(lambda v: substr(v, pos, len, unit, name), input)
    _check_choice("Substr", "unit", unit, ("BYTE", "UTF8_CHAR"))
    x = _as_string_tensor(input, "Substr")
    if type(pos) is int and type(len) is int and -(2**31) <= min(pos, len) <= max(pos, len) < 2**31:
        p, n = int_tensor(pos), int_tensor(len)  # cached scalars: the common call is cheap
    else:
        p = _index_tensor(pos)
        n = _index_tensor(len, p.dtype if p.dtype in (dtypes.int32, dtypes.int64) else None)
    for t in (p, n):
        if t.dtype not in (dtypes.int32, dtypes.int64):
            raise InvalidArgumentError(
                None, None,
                f"Value for attr 'T' of {dtype_name(t.dtype)} is not in the list of allowed "
                f"values: int32, int64\n\t; NodeDef: {{{{node Substr}}}}; Op<name=Substr> "
                f"[Op:Substr]",
            )  # fmt: skip
    if n.dtype is not p.dtype:
        raise _err(
            f"cannot compute Substr as input #2(zero-based) was expected to be a "
            f"{p.dtype.name} tensor but is a {n.dtype.name} tensor",
            "Substr",
        )
    return execute(SUBSTR, (x, p, n), {"unit": unit}, name)


# -- StringUpper / StringLower / StringStrip ---------------------------------------------------


def _case_kernel(method):
    def kernel(x, encoding=""):
        if encoding not in ("", "utf-8"):
            op = "StringUpper" if method == "upper" else "StringLower"
            raise _err(f"only utf-8 or '' (no encoding) is supported, received {encoding}", op)
        if encoding == "":  # ASCII letters only, as bytes methods do
            f = getattr(bytes, method)
            return _map(f, x)
        g = getattr(str, method)
        return _map(
            lambda s: g(s.decode("utf-8", "surrogateescape")).encode("utf-8", "surrogateescape"),
            x,
        )

    return kernel


STRING_UPPER = defop("StringUpper", ("input",), _case_kernel("upper"), attrs={"encoding": ""},
                     infer=_same_shape, differentiable=False)  # fmt: skip
STRING_LOWER = defop("StringLower", ("input",), _case_kernel("lower"), attrs={"encoding": ""},
                     infer=_same_shape, differentiable=False)  # fmt: skip


def _strip_kernel(x):
    return _map(bytes.strip, x)  # ASCII whitespace, as C's isspace


STRING_STRIP = defop("StringStrip", ("input",), _strip_kernel, infer=_same_shape,
                     differentiable=False)  # fmt: skip


def _unary_string_op(op, attrs_fn=None):
    def fn(input, *args, name=None, **kwargs):  # noqa: A002
        if isinstance(input, CompositeTensor):
            return _composite(lambda v: fn(v, *args, name=name, **kwargs), input)
        x = _as_string_tensor(input, op.name)
        attrs = attrs_fn(*args, **kwargs) if attrs_fn else _NO_ATTRS
        return execute(op, (x,), attrs, name)

    return fn


def upper(input, encoding="", name=None):  # noqa: A002
    """Uppercases each string (ASCII letters; encoding="utf-8" for all of Unicode).

    >>> tf.strings.upper("abc é", encoding="utf-8").numpy().decode()
    'ABC É'
    """
    return _upper(input, encoding, name=name)


def lower(input, encoding="", name=None):  # noqa: A002
    """Lowercases each string (ASCII letters; encoding="utf-8" for all of Unicode).

    >>> tf.strings.lower("ABC").numpy()
    b'abc'
    """
    return _lower(input, encoding, name=name)


def strip(input, name=None):  # noqa: A002
    """Strips leading and trailing ASCII whitespace.

    >>> tf.strings.strip(" a b \\n").numpy()
    b'a b'
    """
    return _strip(input, name=name)


_upper = _unary_string_op(STRING_UPPER, lambda enc: {"encoding": enc})
_lower = _unary_string_op(STRING_LOWER, lambda enc: {"encoding": enc})
_strip = _unary_string_op(STRING_STRIP)


# -- StringJoin --------------------------------------------------------------------------------


def _join_kernel(*inputs, N=None, separator=""):
    sep = separator.encode() if isinstance(separator, str) else separator
    shape = None
    for a in inputs:
        if a.ndim:
            if shape is None:
                shape = a.shape
            elif a.shape != shape:
                raise _err(
                    f"Input shapes do not match: {_dims(shape)} vs. {_dims(a.shape)}",
                    "StringJoin",
                )
    if shape is None:
        return np.array(sep.join(a[()] for a in inputs), dtype=object)
    cols = [a.ravel().tolist() if a.ndim else [a[()]] * int(np.prod(shape)) for a in inputs]
    return _objects([sep.join(parts) for parts in zip(*cols)], shape)


def _join_infer(inputs, attrs):
    shape = TensorShape([])
    for t in inputs:
        if t.shape.rank != 0:
            shape = t.shape if shape.rank == 0 else shape.merge_with(t.shape)
    return [(_S, shape)]


STRING_JOIN = defop("StringJoin", ("*inputs",), _join_kernel, attrs={"N": 0, "separator": ""},
                    list_attr="N", infer=_join_infer, differentiable=False)  # fmt: skip


def join(inputs, separator="", name=None):
    """Joins the strings of a list of tensors elementwise (scalars broadcast).

    >>> tf.strings.join([["a", "b"], "c"], separator="-").numpy().tolist()
    [b'a-c', b'b-c']
    """
    if not isinstance(inputs, (list, tuple)):
        raise TypeError(f"Expected list for 'inputs' argument to 'string_join' Op, not {inputs!r}.")
    if any(isinstance(v, CompositeTensor) for v in inputs):
        return _ragged_join(inputs, separator, name)
    ts = [_as_string_tensor(v, "StringJoin", i) for i, v in enumerate(inputs)]
    return execute(STRING_JOIN, tuple(ts), {"N": len(ts), "separator": separator}, name)


def _ragged_join(inputs, separator, name):
    """Ragged operands share one row partition: join their flat values."""
    from arroyo.ragged.ragged_tensor import RaggedTensor

    first = next(v for v in inputs if isinstance(v, RaggedTensor))
    flat = []
    for v in inputs:
        if isinstance(v, RaggedTensor):
            flat.append(v.flat_values)
        else:
            t = _as_string_tensor(v, "StringJoin")
            if t.shape.rank:
                raise ValueError("Dense operands of a ragged string join must be scalars")
            flat.append(t)
    return first.with_flat_values(join(flat, separator, name))


# -- ReduceJoin --------------------------------------------------------------------------------


def _reduce_axes(axes, rank, op="ReduceJoin"):
    out = []
    for a in np.asarray(axes).reshape(-1).tolist():
        if a < -rank or a >= rank:
            raise OutOfRangeError(
                None, None,
                f"Invalid reduction dimension {a} for input with {rank} dimension(s) [Op:{op}]",
            )  # fmt: skip
        a %= rank
        if a in out:
            raise _err(f"Duplicate reduction dimension {a}", op)
        out.append(a)
    return out


def _reduce_join_kernel(x, axes, keep_dims=False, separator=""):
    sep = separator.encode() if isinstance(separator, str) else separator
    red = _reduce_axes(axes, x.ndim)
    if not red:
        return x.copy()
    kept = [i for i in range(x.ndim) if i not in red]
    # TF joins with the first listed axis varying fastest.
    order = kept + red[::-1]
    t = np.transpose(x, order)
    out_shape = [x.shape[i] for i in kept]
    rows = t.reshape(int(np.prod(out_shape)), -1) if x.size else None
    if rows is None:
        out = _objects([b""] * int(np.prod(out_shape)), out_shape)
    else:
        out = _objects([sep.join(r) for r in rows.tolist()], out_shape)
    if keep_dims:
        out = out.reshape([1 if i in red else d for i, d in enumerate(x.shape)])
    return out


def _reduce_join_infer(inputs, attrs):
    x, axes = inputs
    keep = attrs.get("keep_dims", False)
    ax = static_value(axes)
    rank = x.shape.rank
    if ax is None or rank is None:
        return [(_S, TensorShape([None] * rank if keep and rank is not None else None))]
    red = _reduce_axes(ax, rank)
    dims = x.shape.as_list()
    if keep:
        return [(_S, TensorShape([1 if i in red else d for i, d in enumerate(dims)]))]
    return [(_S, TensorShape([d for i, d in enumerate(dims) if i not in red]))]


REDUCE_JOIN = defop("ReduceJoin", ("inputs", "reduction_indices"), _reduce_join_kernel,
                    attrs={"keep_dims": False, "separator": ""}, infer=_reduce_join_infer,
                    differentiable=False)  # fmt: skip


def reduce_join(inputs, axis=None, keepdims=False, separator="", name=None):
    """Joins strings across dimensions (all of them when `axis` is None).

    >>> tf.strings.reduce_join([["a", "b"], ["c", "d"]], axis=1).numpy().tolist()
    [b'ab', b'cd']
    """
    from arroyo.ragged.ragged_tensor import RaggedTensor

    if isinstance(inputs, RaggedTensor):
        return _ragged_reduce_join(inputs, axis, keepdims, separator, name)
    x = _as_string_tensor(inputs, "ReduceJoin")
    if axis is None:
        if x.shape.rank is None:
            raise ValueError("reduce_join needs a known rank when axis is None")
        axis = list(range(x.shape.rank - 1, -1, -1))
    ax = convert_to_tensor(axis, dtype=dtypes.int32) if not is_tensorlike(axis) else axis
    attrs = {"keep_dims": bool(keepdims), "separator": separator}
    return execute(REDUCE_JOIN, (x, ax), attrs, name)


def _ragged_reduce_join(rt, axis, keepdims, separator, name):
    """Innermost-axis join of a ragged tensor's rows (axis=-1 or its last dimension)."""
    from arroyo.ragged.ragged_tensor import RaggedTensor

    rank = rt.shape.rank
    if axis is not None and not isinstance(axis, int):
        raise NotImplementedError("reduce_join of a RaggedTensor supports one integer axis")
    if axis is None or axis % rank != rank - 1 or rt.flat_values.shape.rank != 1 or keepdims:
        raise NotImplementedError(
            "reduce_join of a RaggedTensor supports only its innermost ragged axis"
        )
    inner = rt
    while isinstance(inner.values, RaggedTensor):
        inner = inner.values
    from arroyo.ops.math_ops import cast

    ids = inner.value_rowids()
    joined = unsorted_segment_join(inner.values, ids, cast(inner.nrows(), dtypes.int32),
                                   separator=separator, name=name)  # fmt: skip
    if inner is rt:
        return joined
    return _replace_innermost(rt, joined)


def _replace_innermost(rt, new_values):
    from arroyo.ragged.ragged_tensor import RaggedTensor

    if isinstance(rt.values.values, RaggedTensor):
        return rt.with_values(_replace_innermost(rt.values, new_values))
    return rt.with_values(new_values)


# -- UnsortedSegmentJoin -----------------------------------------------------------------------


def _segment_join_kernel(x, ids, num, separator="", Tindices=None, Tnumsegments=None):
    sep = separator.encode() if isinstance(separator, str) else separator
    num = int(num)
    ids = np.asarray(ids)
    if x.shape[: ids.ndim] != ids.shape:
        raise _err("segment_ids must be a prefix of data's shape", "UnsortedSegmentJoin")
    flat_ids = ids.reshape(-1)
    if flat_ids.size and (flat_ids.min() < 0 or flat_ids.max() >= num):
        raise _err(
            "segment_ids are not allowed to exceed num_segments or to have negative values.",
            "UnsortedSegmentJoin",
        )
    inner = x.shape[ids.ndim :]
    rows = x.reshape(flat_ids.size, -1).tolist() if x.size else [[]] * flat_ids.size
    width = int(np.prod(inner))
    buckets = [[[] for _ in range(width)] for _ in range(num)]
    for seg, row in zip(flat_ids.tolist(), rows):
        b = buckets[seg]
        for j, v in enumerate(row):
            b[j].append(v)
    out = [sep.join(parts) for b in buckets for parts in b]
    return _objects(out, (num, *inner))


def _segment_join_infer(inputs, attrs):
    x, ids, num = inputs
    n = static_value(num)
    inner = x.shape.as_list()[ids.shape.rank :] if x.shape.rank is not None else None
    if inner is None or ids.shape.rank is None:
        return [(_S, TensorShape(None))]
    return [(_S, TensorShape([None if n is None else int(n), *inner]))]


UNSORTED_SEGMENT_JOIN = defop(
    "UnsortedSegmentJoin", ("inputs", "segment_ids", "num_segments"), _segment_join_kernel,
    attrs={"separator": ""}, infer=_segment_join_infer, differentiable=False,
)  # fmt: skip


def unsorted_segment_join(inputs, segment_ids, num_segments, separator="", name=None):
    """Joins the strings of each segment (empty segments give b"").

    >>> tf.strings.unsorted_segment_join(["a", "b", "c"], [1, 0, 1], 2).numpy().tolist()
    [b'b', b'ac']
    """
    x = _as_string_tensor(inputs, "UnsortedSegmentJoin")
    ids = _index_tensor(segment_ids)
    num = _index_tensor(num_segments)
    return execute(UNSORTED_SEGMENT_JOIN, (x, ids, num), {"separator": separator}, name)


# -- StringSplitV2 / StringSplit ---------------------------------------------------------------


def _sparse_parts(pieces):
    """(indices, values, shape) of a list of token lists, as TF's split ops return them."""
    counts = np.fromiter(map(len, pieces), dtype=_I64, count=len(pieces))
    total = int(counts.sum())
    rows = np.repeat(np.arange(len(pieces), dtype=_I64), counts)
    starts = np.cumsum(counts) - counts
    cols = np.arange(total, dtype=_I64) - np.repeat(starts, counts)
    values = _objects([t for p in pieces for t in p], (total,))
    shape = np.array([len(pieces), int(counts.max()) if len(pieces) else 0], _I64)
    return np.stack([rows, cols], axis=1), values, shape


def _split_v2_kernel(x, sep, maxsplit=-1):
    if np.ndim(sep) != 0:
        raise _err(f"sep must be a scalar, got shape: {_dims(np.shape(sep))}", "StringSplitV2")
    sep = np.asarray(sep)[()]
    if x.ndim != 1:
        raise _err(f"input must be a vector, got shape: {_dims(x.shape)}", "StringSplitV2")
    limit = maxsplit if maxsplit >= 0 else -1
    flat = x.tolist()
    if limit == 0:  # TF returns each string whole, whitespace included
        pieces = [[s] for s in flat]
    elif sep == b"":
        pieces = [s.split(None, limit) for s in flat]
    else:
        pieces = [s.split(sep, limit) for s in flat]
    return _sparse_parts(pieces)


def _split_infer(inputs, attrs):
    return [(dtypes.int64, TensorShape([None, 2])), (_S, TensorShape([None])),
            (dtypes.int64, TensorShape([2]))]  # fmt: skip


STRING_SPLIT_V2 = defop("StringSplitV2", ("input", "sep"), _split_v2_kernel,
                        attrs={"maxsplit": -1}, infer=_split_infer, num_outputs=3,
                        differentiable=False)  # fmt: skip


def _split_v1_kernel(x, delimiter, skip_empty=True):
    if np.ndim(delimiter) != 0:
        raise _err(f"delimiter must be a scalar, got shape: {_dims(np.shape(delimiter))}",
                   "StringSplit")  # fmt: skip
    if x.ndim != 1:
        raise _err(f"input must be a vector, got shape: {_dims(x.shape)}", "StringSplit")
    delim = np.asarray(delimiter)[()]
    flat = x.tolist()
    if delim == b"":
        pieces = [[s[i : i + 1] for i in range(len(s))] for s in flat]
    else:  # every byte of the delimiter separates
        rx = re.compile(b"[" + re.escape(delim) + b"]")
        pieces = [rx.split(s) for s in flat]
    if skip_empty:
        pieces = [[t for t in p if t] for p in pieces]
    return _sparse_parts(pieces)


STRING_SPLIT = defop("StringSplit", ("input", "delimiter"), _split_v1_kernel,
                     attrs={"skip_empty": True}, infer=_split_infer, num_outputs=3,
                     differentiable=False)  # fmt: skip


def _ragged_from_sparse_rows(indices, values, shape):
    from arroyo.ops.array_ops import gather as _gather
    from arroyo.ragged.ragged_tensor import RaggedTensor

    rowids = _gather(indices, 0, axis=1)
    nrows = _gather(shape, 0)
    return RaggedTensor.from_value_rowids(values, rowids, nrows, validate=False)


def _split_rows(x, fn):
    """Applies a rank-1 -> ragged `fn` to a string tensor of any rank, as TF's split ops do."""
    from arroyo.ragged.ragged_tensor import RaggedTensor

    if isinstance(x, RaggedTensor):
        return x.with_flat_values(_split_rows(x.flat_values, fn))
    rank = x.shape.rank
    if rank == 0:
        from arroyo.ops.array_ops import reshape

        return fn(reshape(x, [1])).values
    if rank == 1 or rank is None:
        return fn(x)
    return _split_rows(RaggedTensor.from_tensor(x), fn)


def _ragged_or_string(input, op):  # noqa: A002
    from arroyo.ragged.ragged_tensor import RaggedTensor

    if isinstance(input, RaggedTensor):
        return input
    return _as_string_tensor(input, op)


def split(input, sep=None, maxsplit=-1, name=None):  # noqa: A002
    """Splits each string on `sep` (runs of whitespace when None) into a RaggedTensor.

    >>> tf.strings.split(["a b", "c"]).to_list()
    [[b'a', b'b'], [b'c']]
    """
    x = _ragged_or_string(input, "StringSplitV2")
    s = convert_to_tensor("" if sep is None else sep, dtype=_S)

    def one(v):
        idx, vals, shape = execute(STRING_SPLIT_V2, (v, s), {"maxsplit": int(maxsplit)}, name)
        return _ragged_from_sparse_rows(idx, vals, shape)

    return _split_rows(x, one)


def bytes_split(input, name=None):  # noqa: A002
    """Splits each string into its bytes (a RaggedTensor; a vector for a scalar).

    >>> tf.strings.bytes_split("abc").numpy().tolist()
    [b'a', b'b', b'c']
    """
    x = _ragged_or_string(input, "StringSplit")
    d = convert_to_tensor("", dtype=_S)

    def one(v):
        idx, vals, shape = execute(STRING_SPLIT, (v, d), {"skip_empty": False}, name)
        return _ragged_from_sparse_rows(idx, vals, shape)

    return _split_rows(x, one)


# -- regular expressions -----------------------------------------------------------------------

_POSIX = {
    "alnum": "0-9A-Za-z", "alpha": "A-Za-z", "ascii": "\\x00-\\x7f", "blank": "\\t ",
    "cntrl": "\\x00-\\x1f\\x7f", "digit": "0-9", "graph": "!-~", "lower": "a-z",
    "print": " -~", "punct": "!-/:-@\\[-`{-~", "space": "\\t\\n\\v\\f\\r ", "upper": "A-Z",
    "word": "0-9A-Za-z_", "xdigit": "0-9A-Fa-f",
}  # fmt: skip


@functools.lru_cache(maxsize=512)
def _compile(pattern: bytes, op: str):
    """RE2 pattern -> compiled Python regex (str, ASCII classes), or TF's error."""
    text = pattern.decode("utf-8", "surrogateescape")
    multiline = bool(re.match(r"\(\?[a-zA-Z]*m", text))
    out = []
    i, n, in_class = 0, len(text), False
    while i < n:
        c = text[i]
        if c == "\\" and i + 1 < n:
            nxt = text[i + 1]
            out.append("\\Z" if nxt == "z" and not in_class else c + nxt)
            i += 2
            continue
        if in_class:
            if text.startswith("[:", i):
                end = text.find(":]", i + 2)
                name = text[i + 2 : end] if end > 0 else ""
                if name in _POSIX:
                    out.append(_POSIX[name])
                    i = end + 2
                    continue
            if c == "]" and not (out and out[-1] in ("[", "[^")):
                in_class = False
        elif c == "[":
            in_class = True
            if text.startswith("[^", i):
                out.append("[^")
                i += 2
                continue
        elif c == "$" and not multiline:
            out.append("\\Z")  # RE2: end of text only (Python's $ also matches before \n)
            i += 1
            continue
        out.append(c)
        i += 1
    try:
        return re.compile("".join(out), re.ASCII)
    except re.error as e:
        msg = _re2_message(e, text)
        raise _err(f"Invalid pattern: {text}, error: {msg}", op) from None


def _re2_message(e, text):
    m = str(e.msg)
    if m.startswith("missing )"):
        return f"missing ): {text}"
    if m.startswith("unbalanced parenthesis"):
        return f"unexpected ): {text}"
    if m.startswith("unterminated character set"):
        return f"missing ]: {text[e.pos :] if e.pos is not None else text}"
    if m.startswith("nothing to repeat") or m.startswith("multiple repeat"):
        return f"bad repetition operator: {text[e.pos : e.pos + 2] if e.pos is not None else ''}"
    return m


@functools.lru_cache(maxsize=512)
def _compile_bytes(rx):
    """The bytes twin of a compiled pattern (ASCII patterns: same matches on ASCII input)."""
    if not rx.pattern.isascii():
        return None
    return re.compile(rx.pattern.encode(), rx.flags & ~re.UNICODE)


_MAY_MATCH_EMPTY = re.compile(r"[*?{|^$]|\\[bBAZ]|\(\?[=!<]")


@functools.lru_cache(maxsize=512)
def _sub_template(rx, parts):
    """A re.sub template equal to the RE2 rewrite, or None when RE2's handling of empty
    matches might differ from Python's (the pattern might match the empty string)."""
    if _MAY_MATCH_EMPTY.search(rx.pattern) or rx.search("") is not None:
        return None
    out = []
    for p in parts:
        out.append(p.replace("\\", "\\\\") if isinstance(p, str) else f"\\g<{p}>")
    return "".join(out)


def _decode(s):
    return s.decode("utf-8", "surrogateescape")


def _encode(s):
    return s.encode("utf-8", "surrogateescape")


def _full_match_kernel(x, pattern):
    rx = _compile(np.asarray(pattern)[()], "RegexFullMatch")
    return _full_match(rx, x)


def _full_match(rx, x):
    flat = x.ravel().tolist()
    brx = _compile_bytes(rx)
    if brx is not None and b"".join(flat).isascii():
        fm = brx.fullmatch
        return np.fromiter((fm(s) is not None for s in flat), bool, len(flat)).reshape(x.shape)
    fm = rx.fullmatch
    return np.fromiter((fm(_decode(s)) is not None for s in flat), bool, len(flat)).reshape(x.shape)


def _static_full_match_kernel(x, pattern):
    rx = _compile(pattern.encode() if isinstance(pattern, str) else pattern,
                  "StaticRegexFullMatch")  # fmt: skip
    return _full_match(rx, x)


REGEX_FULL_MATCH = defop("RegexFullMatch", ("input", "pattern"), _full_match_kernel,
                         infer=_infer.make_unary(dtypes.bool), differentiable=False)  # fmt: skip
STATIC_REGEX_FULL_MATCH = defop("StaticRegexFullMatch", ("input",), _static_full_match_kernel,
                                attrs={"pattern": None}, infer=_infer.make_unary(dtypes.bool),
                                differentiable=False)  # fmt: skip


def regex_full_match(input, pattern, name=None):  # noqa: A002
    """True where the whole string matches the RE2 `pattern`.

    >>> tf.strings.regex_full_match(["ab1", "x"], r"[a-z]+\\d").numpy().tolist()
    [True, False]
    """
    if isinstance(input, CompositeTensor):
        return _composite(lambda v: regex_full_match(v, pattern, name), input)
    x = _as_string_tensor(input, "RegexFullMatch")
    if isinstance(pattern, (str, bytes)):
        p = pattern.decode() if isinstance(pattern, bytes) else pattern
        return execute(STATIC_REGEX_FULL_MATCH, (x,), {"pattern": p}, name)
    p = _as_string_tensor(pattern, "RegexFullMatch", 1)
    return execute(REGEX_FULL_MATCH, (x, p), _NO_ATTRS, name)


@functools.lru_cache(maxsize=512)
def _rewrite_parts(rewrite: bytes):
    """RE2 rewrite string -> list of str literals and int group numbers (None if invalid)."""
    text = rewrite.decode("utf-8", "surrogateescape")
    parts, lit, i = [], [], 0
    while i < len(text):
        c = text[i]
        if c == "\\":
            nxt = text[i + 1] if i + 1 < len(text) else ""
            if nxt.isdigit() and nxt.isascii():
                if lit:
                    parts.append("".join(lit))
                    lit = []
                parts.append(int(nxt))
            elif nxt == "\\":
                lit.append("\\")
            else:
                return None  # RE2 rejects the rewrite: the input is returned unchanged
            i += 2
            continue
        lit.append(c)
        i += 1
    if lit:
        parts.append("".join(lit))
    return parts


def _replace_strings(flat, rx, parts, replace_global):
    if parts is None or any(isinstance(p, int) and p > rx.groups for p in parts):
        return list(flat)
    if all(isinstance(p, str) for p in parts):
        lit = "".join(parts)

        def sub(m):
            return lit
    else:

        def sub(m):
            return "".join(p if isinstance(p, str) else (m.group(p) or "") for p in parts)

    template = _sub_template(rx, tuple(parts)) if replace_global else None
    if template is not None:
        brx = _compile_bytes(rx)
        if brx is not None and b"".join(flat).isascii():
            bt = template.encode()
            return [brx.sub(bt, s) for s in flat]
        return [_encode(rx.sub(template, _decode(s))) for s in flat]
    out = []
    for s in flat:
        text = _decode(s)
        if not replace_global:
            m = rx.search(text)
            out.append(s if m is None else _encode(text[: m.start()] + sub(m) + text[m.end() :]))
            continue
        pieces, last, last_end = [], 0, -1
        for m in rx.finditer(text):
            a, b = m.span()
            if a == b and a == last_end:
                continue  # RE2 skips an empty match where the previous match ended
            pieces.append(text[last:a])
            pieces.append(sub(m))
            last = last_end = b
        if not pieces:
            out.append(s)
            continue
        pieces.append(text[last:])
        out.append(_encode("".join(pieces)))
    return out


def _regex_replace_kernel(x, pattern, rewrite, replace_global=True):
    rx = _compile(np.asarray(pattern)[()], "RegexReplace")
    parts = _rewrite_parts(np.asarray(rewrite)[()])
    return _objects(_replace_strings(x.ravel().tolist(), rx, parts, replace_global), x.shape)


def _static_regex_replace_kernel(x, pattern, rewrite, replace_global=True):
    rx = _compile(pattern.encode() if isinstance(pattern, str) else pattern,
                  "StaticRegexReplace")  # fmt: skip
    parts = _rewrite_parts(rewrite.encode() if isinstance(rewrite, str) else rewrite)
    return _objects(_replace_strings(x.ravel().tolist(), rx, parts, replace_global), x.shape)


REGEX_REPLACE = defop("RegexReplace", ("input", "pattern", "rewrite"), _regex_replace_kernel,
                      attrs={"replace_global": True}, infer=_same_shape,
                      differentiable=False)  # fmt: skip
STATIC_REGEX_REPLACE = defop("StaticRegexReplace", ("input",), _static_regex_replace_kernel,
                             attrs={"pattern": None, "rewrite": None, "replace_global": True},
                             infer=_same_shape, differentiable=False)  # fmt: skip


def regex_replace(input, pattern, rewrite, replace_global=True, name=None):  # noqa: A002
    """Replaces RE2 `pattern` matches with `rewrite` (`\\1` refers to a group).

    >>> tf.strings.regex_replace("a1b22", r"\\d+", "#").numpy()
    b'a#b#'
    """
    if isinstance(input, CompositeTensor):
        return _composite(lambda v: regex_replace(v, pattern, rewrite, replace_global, name), input)
    x = _as_string_tensor(input, "RegexReplace")
    if isinstance(pattern, (str, bytes)) and isinstance(rewrite, (str, bytes)):
        attrs = {
            "pattern": pattern.decode() if isinstance(pattern, bytes) else pattern,
            "rewrite": rewrite.decode() if isinstance(rewrite, bytes) else rewrite,
            "replace_global": bool(replace_global),
        }
        return execute(STATIC_REGEX_REPLACE, (x,), attrs, name)
    p = _as_string_tensor(pattern, "RegexReplace", 1)
    r = _as_string_tensor(rewrite, "RegexReplace", 2)
    return execute(REGEX_REPLACE, (x, p, r), {"replace_global": bool(replace_global)}, name)


# -- StringToNumber ----------------------------------------------------------------------------

_NUMBER_TYPES = (dtypes.float32, dtypes.float64, dtypes.int32, dtypes.int64, dtypes.uint32,
                 dtypes.uint64)  # fmt: skip
_INT_RX = re.compile(rb"[ \t\n\v\f\r]*[+-]?[0-9]+[ \t\n\v\f\r]*")
_FLOAT_RX = re.compile(
    rb"[+-]?(?:(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|inf(?:inity)?|nan)", re.I
)


_INT_CHARS = b"0123456789+- \t\n\v\f\r"
_FLOAT_CHARS = _INT_CHARS + b".eE"


def _parse_float(s):
    t = s.strip()
    if _FLOAT_RX.fullmatch(t):
        return float(t)
    try:  # C's strtod also reads hexadecimal floats
        if t[:1] in (b"+", b"-"):
            body = t[1:]
        else:
            body = t
        if body[:2] in (b"0x", b"0X") and b"_" not in t and t.isascii():
            return float.fromhex(t.decode())
    except ValueError:
        pass
    return None


def _to_number_kernel(x, out_type=dtypes.float32):
    out_type = dtypes.as_dtype(out_type)
    flat = x.ravel().tolist()
    np_t = out_type.as_numpy_dtype
    # Fast path: only digits, signs, dots, exponents and ASCII spaces, where Python's
    # float()/int() accept exactly what strtod/strtol do; anything else is parsed carefully.
    chars = _FLOAT_CHARS if out_type.is_floating else _INT_CHARS
    if not b"".join(flat).translate(None, chars):
        try:
            if out_type.is_floating:
                with np.errstate(over="ignore"):
                    vals = np.array([float(s) for s in flat], np.float64).astype(np_t)
            else:
                vals = np.array([int(s) for s in flat], np_t)
            return vals.reshape(x.shape)
        except (ValueError, OverflowError):
            pass  # the careful loop below names the bad string
    if out_type.is_floating:
        vals = []
        for s in flat:
            v = _parse_float(s)
            if v is None:
                raise _err(
                    f"StringToNumberOp could not correctly convert string: {_decode(s)}",
                    "StringToNumber",
                )
            vals.append(v)
        with np.errstate(over="ignore"):
            return np.array(vals, np.float64).astype(np_t).reshape(x.shape)
    info = np.iinfo(np_t)
    vals = []
    for s in flat:
        if _INT_RX.fullmatch(s):
            v = int(s)
            if info.min <= v <= info.max:
                vals.append(v)
                continue
        raise _err(
            f"StringToNumberOp could not correctly convert string: {_decode(s)}",
            "StringToNumber",
        )
    return np.array(vals, np_t).reshape(x.shape)


def _to_number_infer(inputs, attrs):
    return [(dtypes.as_dtype(attrs.get("out_type", dtypes.float32)), inputs[0].shape)]


STRING_TO_NUMBER = defop("StringToNumber", ("string_tensor",), _to_number_kernel,
                         attrs={"out_type": dtypes.float32}, infer=_to_number_infer,
                         differentiable=False)  # fmt: skip


def to_number(input, out_type=dtypes.float32, name=None):  # noqa: A002
    """Parses each string as a number of `out_type` (float32 by default).

    >>> tf.strings.to_number(["1.5", "-2"]).numpy().tolist()
    [1.5, -2.0]
    """
    if isinstance(input, CompositeTensor):
        return _composite(lambda v: to_number(v, out_type, name), input)
    out_type = dtypes.as_dtype(out_type)
    if out_type not in _NUMBER_TYPES:
        raise InvalidArgumentError(
            None, None,
            f"Value for attr 'out_type' of {dtype_name(out_type)} is not in the list of allowed "
            "values: float, double, int32, int64, uint32, uint64\n\t; NodeDef: "
            "{{node StringToNumber}}; Op<name=StringToNumber> [Op:StringToNumber]",
        )  # fmt: skip
    x = _as_string_tensor(input, "StringToNumber")
    return execute(STRING_TO_NUMBER, (x,), {"out_type": out_type}, name)


# -- AsString ----------------------------------------------------------------------------------


def _as_string_kernel(x, precision=-1, scientific=False, shortest=False, width=-1, fill="",
                      T=None):  # fmt: skip
    kind = x.dtype.kind
    if scientific and shortest:
        raise _err("Cannot select both scientific and shortest notation", "AsString")
    tname = _np_dtype_name(x)
    if kind in "iub":
        if scientific or shortest:
            raise _err(
                f"scientific and shortest format not supported for datatype {tname}", "AsString"
            )
        if precision > -1:
            raise _err(f"precision not supported for datatype {tname}", "AsString")
    if len(fill) > 1:
        raise _err("Fill string must be one or fewer characters", "AsString")
    if fill and fill not in " +-0#":
        raise _err(f'Fill argument not supported: "{fill}"', "AsString")
    if kind == "b":
        return _objects([b"true" if v else b"false" for v in x.ravel().tolist()], x.shape)
    spec = "%" + fill + (str(width) if width > -1 else "")
    if kind in "iu":
        fmt = spec + "d"
        return _objects([(fmt % v).encode() for v in x.ravel().tolist()], x.shape)
    if precision > -1:
        spec += f".{precision}"
    if kind == "O":
        fmt = (spec + "s").encode()
        return _objects([fmt % v for v in x.ravel().tolist()], x.shape)
    fmt = spec + ("e" if scientific else "g" if shortest else "f")
    # C's printf pads inf/nan with spaces even under the 0 flag, and prints NaN's sign.
    plain = fmt.replace("%0", "%", 1)
    nan_sign = "+" if "+" in fill else " " if fill == " " else ""

    def one(v):
        if v - v == 0:
            return fmt % v
        if v == v:
            return plain % v
        text = ("-" if math.copysign(1.0, v) < 0 else nan_sign) + "nan"
        return text.ljust(width) if fill == "-" else text.rjust(width)

    if kind == "c":
        vals = x.ravel().tolist()
        out = [f"({one(v.real)},{one(v.imag)})".encode() for v in vals]
        return _objects(out, x.shape)
    if x.dtype.itemsize < 4 or kind == "V":
        x = x.astype(np.float64)
    vals = x.ravel().tolist()
    if fill == "0" or not np.isfinite(x).all():
        return _objects([one(v).encode() for v in vals], x.shape)
    return _objects([(fmt % v).encode() for v in vals], x.shape)


def _np_dtype_name(x):
    try:
        return dtype_name(dtypes.as_dtype(x.dtype))
    except (TypeError, ValueError):
        return str(x.dtype)


_AS_STRING_TYPES = (
    dtypes.float32, dtypes.float64, dtypes.int32, dtypes.uint8, dtypes.uint16, dtypes.int16,
    dtypes.int8, dtypes.complex64, dtypes.complex128, dtypes.int64, dtypes.bool,
    dtypes.bfloat16, dtypes.uint32, dtypes.uint64, dtypes.float16, dtypes.string,
)  # fmt: skip

AS_STRING = defop("AsString", ("input",), _as_string_kernel,
                  attrs={"precision": -1, "scientific": False, "shortest": False, "width": -1,
                         "fill": ""},
                  infer=_same_shape, differentiable=False)  # fmt: skip


def as_string(input, precision=-1, scientific=False, shortest=False, width=-1, fill="",  # noqa: A002
              name=None):  # fmt: skip
    """Formats each element as a string (printf-like: precision, width, fill flag).

    >>> tf.strings.as_string([3.14159, 2.0], precision=2).numpy().tolist()
    [b'3.14', b'2.00']
    """
    if isinstance(input, CompositeTensor):
        return _composite(
            lambda v: as_string(v, precision, scientific, shortest, width, fill, name), input
        )
    x = input if is_tensorlike(input) else convert_to_tensor(input)
    x = convert_to_tensor(x)
    if x.dtype not in _AS_STRING_TYPES:
        names = ", ".join(dtype_name(d) for d in _AS_STRING_TYPES)
        raise InvalidArgumentError(
            None, None,
            f"Value for attr 'T' of {dtype_name(x.dtype)} is not in the list of allowed "
            f"values: {names}\n\t; NodeDef: {{{{node AsString}}}}; Op<name=AsString> "
            f"[Op:AsString]",
        )  # fmt: skip
    attrs = {"precision": int(precision), "scientific": bool(scientific),
             "shortest": bool(shortest), "width": int(width), "fill": fill}  # fmt: skip
    return execute(AS_STRING, (x,), attrs, name)


# -- StringFormat ------------------------------------------------------------------------------


def _format_kernel(*inputs, T=None, template="%s", placeholder="%s", summarize=3):
    from arroyo.ops.logging_ops import format_tensor

    parts = template.split(placeholder)
    out = [parts[0]]
    for v, rest in zip(inputs, parts[1:]):
        out.append(format_tensor(v, summarize))
        out.append(rest)
    return np.array("".join(out).encode(), dtype=object)


STRING_FORMAT = defop("StringFormat", ("*inputs",), _format_kernel,
                      attrs={"T": None, "template": "%s", "placeholder": "%s", "summarize": 3},
                      list_attr="T", infer=_infer.fixed(_S, []), differentiable=False)  # fmt: skip


def format(template, inputs, placeholder="{}", summarize=3, name=None):  # noqa: A001
    """Fills `template`'s placeholders with tensors formatted as `tf.print` shows them.

    >>> tf.strings.format("x={}", [tf.constant([1, 2])]).numpy()
    b'x=[1 2]'
    """
    if not isinstance(inputs, (list, tuple)):
        inputs = [inputs]
    ts = [convert_to_tensor(v) for v in inputs]
    n = template.count(placeholder)
    if n != len(ts):
        raise ValueError(
            f"The template expects {n} tensors, but the inputs only has {len(ts)}. Please "
            "ensure the number of placeholders in template matches inputs length."
        )
    attrs = {"T": [t.dtype for t in ts], "template": template, "placeholder": placeholder,
             "summarize": int(summarize)}  # fmt: skip
    return execute(STRING_FORMAT, tuple(ts), attrs, name)


# -- Unicode -----------------------------------------------------------------------------------

_SENTINEL = "\ud800"  # a lone surrogate: no decoder outputs it, so it marks replacements


def _sentinel_errors(exc):
    return (_SENTINEL, exc.end)


codecs.register_error("arroyo.tf_replace", _sentinel_errors)

_CODEC_NAMES = {
    "UTF8": "utf-8", "UTF-8": "utf-8", "UTF16": "utf-16-be", "UTF-16": "utf-16-be",
    "UTF-16-BE": "utf-16-be", "UTF-16BE": "utf-16-be", "UTF16BE": "utf-16-be",
    "UTF-16-LE": "utf-16-le", "UTF-16LE": "utf-16-le", "UTF32": "utf-32-be",
    "UTF-32": "utf-32-be", "UTF-32-BE": "utf-32-be", "UTF-32BE": "utf-32-be",
    "UTF-32-LE": "utf-32-le", "UTF-32LE": "utf-32-le",
}  # fmt: skip
_OUT_ENCODINGS = ("UTF-8", "UTF-16-BE", "UTF-32-BE")


def _input_codec(name, op):
    codec = _CODEC_NAMES.get(name.upper())
    if codec is None:
        try:
            codec = codecs.lookup(name).name
        except LookupError:
            raise _err(f"Could not create converter for input encoding: {name}", op) from None
    return codec


def _check_replacement(ch, op):
    if ch < 0 or ch > 0x10FFFF:
        raise _err("replacement_char out of unicode codepoint range", op)


def _decode_str(b, codec, errors, op):
    if errors == "strict":
        try:
            return b.decode(codec)
        except UnicodeDecodeError:
            raise _err("Invalid formatting on input string", op) from None
    return b.decode(codec, "ignore" if errors == "ignore" else "arroyo.tf_replace")


def _code_points(text):
    return np.frombuffer(text.encode("utf-32-be", "surrogatepass"), ">u4").astype(np.int32)


def _decode_flat(flat, codec, errors, repl, ctrl, op, offsets=False):
    """Code points (int32), row splits (int64) and optionally byte offsets of each char."""
    lens = _byte_lengths(flat)
    joined = b"".join(flat)
    cps = None
    if codec == "utf-8":
        try:
            text = joined.decode("utf-8")
        except UnicodeDecodeError:
            text = None
        if text is not None:  # valid UTF-8: characters never span two strings
            buf = np.frombuffer(joined, np.uint8)
            starts_mask = (buf & 0xC0) != 0x80
            counts = _utf8_lengths(flat)
            cps = _code_points(text)
            if offsets:
                pos = np.nonzero(starts_mask)[0].astype(_I64)
                base = np.repeat(np.cumsum(lens) - lens, counts)
                offs = pos - base
    if cps is None:
        rows, offs_rows = [], []
        for b in flat:
            text = _decode_str(b, codec, errors, op)
            rows.append(_code_points(text))
            if offsets:
                offs_rows.append(_char_offsets(b, text, codec, errors))
        counts = np.fromiter(map(len, rows), _I64, len(rows))
        cps = np.concatenate(rows) if rows else np.zeros(0, np.int32)
        cps[cps == 0xD800] = repl
        if offsets:
            offs = np.concatenate(offs_rows) if offs_rows else np.zeros(0, _I64)
    if ctrl:
        cps = np.where(cps < 0x20, np.int32(repl), cps)
    splits = np.concatenate([[0], np.cumsum(counts)]).astype(_I64)
    if offsets:
        return splits, cps.astype(np.int32, copy=False), offs.astype(_I64, copy=False)
    return splits, cps.astype(np.int32, copy=False)


def _char_offsets(b, text, codec, errors):
    """Byte offset of each decoded character (replacements start where the bad bytes do)."""
    spans = []

    def record(exc):
        spans.append((exc.start, exc.end))
        return ("" if errors == "ignore" else _SENTINEL, exc.end)

    name = f"arroyo.tf_offsets.{id(spans)}"
    codecs.register_error(name, record)
    b.decode(codec, name)
    out, pos, k = [], 0, 0
    for ch in text:
        while k < len(spans) and pos == spans[k][0] and errors == "ignore":
            pos = spans[k][1]
            k += 1
        if ch == _SENTINEL and k < len(spans) and pos == spans[k][0]:
            out.append(pos)
            pos = spans[k][1]
            k += 1
            continue
        out.append(pos)
        pos += len(ch.encode(codec, "surrogatepass"))
    return np.array(out, _I64)


def _decode_kernel(x, input_encoding, errors="replace", replacement_char=0xFFFD,
                   replace_control_characters=False, Tsplits=dtypes.int64):  # fmt: skip
    codec = _input_codec(input_encoding, "UnicodeDecode")
    _check_replacement(replacement_char, "UnicodeDecode")
    splits, cps = _decode_flat(x.ravel().tolist(), codec, errors, replacement_char,
                               replace_control_characters, "UnicodeDecode")  # fmt: skip
    return splits.astype(dtypes.as_dtype(Tsplits).as_numpy_dtype), cps


def _decode_offsets_kernel(x, input_encoding, errors="replace", replacement_char=0xFFFD,
                           replace_control_characters=False, Tsplits=dtypes.int64):  # fmt: skip
    codec = _input_codec(input_encoding, "UnicodeDecodeWithOffsets")
    _check_replacement(replacement_char, "UnicodeDecodeWithOffsets")
    splits, cps, offs = _decode_flat(x.ravel().tolist(), codec, errors, replacement_char,
                                     replace_control_characters, "UnicodeDecodeWithOffsets",
                                     offsets=True)  # fmt: skip
    return splits.astype(dtypes.as_dtype(Tsplits).as_numpy_dtype), cps, offs


def _decode_infer(inputs, attrs):
    n = inputs[0].shape.num_elements()
    splits = TensorShape([None if n is None else n + 1])
    return [(dtypes.as_dtype(attrs.get("Tsplits", dtypes.int64)), splits),
            (dtypes.int32, TensorShape([None]))]  # fmt: skip


def _decode_offsets_infer(inputs, attrs):
    return [*_decode_infer(inputs, attrs), (dtypes.int64, TensorShape([None]))]


_DECODE_ATTRS = {"input_encoding": None, "errors": "replace", "replacement_char": 0xFFFD,
                 "replace_control_characters": False, "Tsplits": dtypes.int64}  # fmt: skip
UNICODE_DECODE = defop("UnicodeDecode", ("input",), _decode_kernel, attrs=_DECODE_ATTRS,
                       infer=_decode_infer, num_outputs=2, differentiable=False)  # fmt: skip
UNICODE_DECODE_WITH_OFFSETS = defop(
    "UnicodeDecodeWithOffsets", ("input",), _decode_offsets_kernel, attrs=dict(_DECODE_ATTRS),
    infer=_decode_offsets_infer, num_outputs=3, differentiable=False,
)  # fmt: skip


def _encode_codepoints(cps, splits, codec, errors, repl, op):
    cps = np.asarray(cps, np.int64)
    bad = (cps < 0) | (cps > 0x10FFFF) | ((cps >= 0xD800) & (cps <= 0xDFFF))
    if bad.any():
        if errors == "strict":
            raise _err("Code point is out of range for Unicode, or is a surrogate.", op)
        if errors == "ignore":
            keep = ~bad
            counts = np.diff(splits)
            rows = np.repeat(np.arange(counts.size), counts)
            new_counts = np.bincount(rows[keep], minlength=counts.size)
            splits = np.concatenate([[0], np.cumsum(new_counts)])
            cps = cps[keep]
        else:
            cps = np.where(bad, repl, cps)
    text = cps.astype(">u4").tobytes().decode("utf-32-be")
    sp = np.asarray(splits).tolist()
    return [text[a:b].encode(codec) for a, b in zip(sp[:-1], sp[1:])]


def _encode_kernel(input_values, input_splits, errors="replace", output_encoding=None,
                   replacement_char=0xFFFD, Tsplits=None):  # fmt: skip
    _check_replacement(replacement_char, "UnicodeEncode")
    splits = np.asarray(input_splits, _I64)
    if splits.size and splits[-1] != input_values.size:
        raise _err("Last value in input_splits must be equal to length of input_tensor.",
                   "UnicodeEncode")  # fmt: skip
    codec = _CODEC_NAMES[output_encoding]
    out = _encode_codepoints(input_values, splits, codec, errors, replacement_char,
                             "UnicodeEncode")  # fmt: skip
    return _objects(out, (max(splits.size - 1, 0),))


def _encode_infer(inputs, attrs):
    n = inputs[1].shape.num_elements()
    return [(_S, TensorShape([None if n is None else max(n - 1, 0)]))]


UNICODE_ENCODE = defop("UnicodeEncode", ("input_values", "input_splits"), _encode_kernel,
                       attrs={"errors": "replace", "output_encoding": None,
                              "replacement_char": 0xFFFD},
                       infer=_encode_infer, differentiable=False)  # fmt: skip


def _transcode_kernel(x, input_encoding, output_encoding, errors="replace",
                      replacement_char=0xFFFD, replace_control_characters=False):  # fmt: skip
    codec = _input_codec(input_encoding, "UnicodeTranscode")
    out_codec = _CODEC_NAMES[output_encoding]
    _check_replacement(replacement_char, "UnicodeTranscode")
    rep = chr(replacement_char) if not 0xD800 <= replacement_char <= 0xDFFF else "\ufffd"
    table = {c: rep for c in range(0x20)} if replace_control_characters else None

    def one(b):
        if codec == out_codec and table is None and errors != "strict" and b.isascii():
            return b
        text = _decode_str(b, codec, errors, "UnicodeTranscode").replace(_SENTINEL, rep)
        if table is not None:
            text = text.translate(table)
        return text.encode(out_codec, "surrogatepass")

    return _map(one, x)


UNICODE_TRANSCODE = defop("UnicodeTranscode", ("input",), _transcode_kernel,
                          attrs={"input_encoding": None, "output_encoding": None,
                                 "errors": "replace", "replacement_char": 0xFFFD,
                                 "replace_control_characters": False},
                          infer=_same_shape, differentiable=False)  # fmt: skip


def _check_errors(op, errors):
    _check_choice(op, "errors", errors, ("strict", "replace", "ignore"))


def _decode_attrs(op, input_encoding, errors, replacement_char, ctrl):
    _check_errors(op, errors)
    return {"input_encoding": input_encoding, "errors": errors,
            "replacement_char": int(replacement_char), "replace_control_characters": bool(ctrl),
            "Tsplits": dtypes.int64}  # fmt: skip


def _unicode_decode(input, input_encoding, errors, replacement_char, ctrl, with_offsets,  # noqa: A002
                    name=None):  # fmt: skip
    from arroyo.ops.array_ops import reshape
    from arroyo.ragged.ragged_tensor import RaggedTensor

    x = _ragged_or_string(input, "UnicodeDecode")
    ndims = x.shape.rank
    if ndims is None:
        raise ValueError("Rank of `input` must be statically known.")
    if ndims > 1:
        if not isinstance(x, RaggedTensor):
            x = RaggedTensor.from_tensor(x, ragged_rank=ndims - 1)
        elif x.ragged_rank < ndims - 1:
            x = x.with_flat_values(RaggedTensor.from_tensor(
                x.flat_values, ragged_rank=ndims - x.ragged_rank - 1))  # fmt: skip
    flat = reshape(x.flat_values if isinstance(x, RaggedTensor) else x, [-1])
    op = UNICODE_DECODE_WITH_OFFSETS if with_offsets else UNICODE_DECODE
    attrs = _decode_attrs(op.name, input_encoding, errors, replacement_char, ctrl)
    res = execute(op, (flat,), attrs, name)
    splits, cps = res[0], res[1]
    if ndims == 0:
        return (cps, res[2]) if with_offsets else cps
    out = [RaggedTensor.from_row_splits(cps, splits, validate=False)]
    if with_offsets:
        out.append(RaggedTensor.from_row_splits(res[2], splits, validate=False))
    if ndims > 1:
        out = [x.with_flat_values(o) for o in out]
    return tuple(out) if with_offsets else out[0]


def unicode_decode(input, input_encoding, errors="replace", replacement_char=0xFFFD,  # noqa: A002
                   replace_control_characters=False, name=None):  # fmt: skip
    """Decodes each string into its code points (a RaggedTensor of int32).

    >>> tf.strings.unicode_decode(["hé", "x"], "UTF-8").to_list()
    [[104, 233], [120]]
    """
    return _unicode_decode(input, input_encoding, errors, replacement_char,
                           replace_control_characters, False, name)  # fmt: skip


def unicode_decode_with_offsets(input, input_encoding, errors="replace",  # noqa: A002
                                replacement_char=0xFFFD, replace_control_characters=False,
                                name=None):  # fmt: skip
    """Code points and the byte offset where each starts.

    >>> cps, offs = tf.strings.unicode_decode_with_offsets(["hé"], "UTF-8")
    >>> offs.to_list()
    [[0, 1]]
    """
    return _unicode_decode(input, input_encoding, errors, replacement_char,
                           replace_control_characters, True, name)  # fmt: skip


def unicode_encode(input, output_encoding, errors="replace", replacement_char=0xFFFD,  # noqa: A002
                   name=None):  # fmt: skip
    """Encodes code points (the innermost dimension) into strings.

    >>> tf.strings.unicode_encode([104, 233], "UTF-8").numpy()
    b'h\\xc3\\xa9'
    """
    from arroyo.ops.array_ops import reshape
    from arroyo.ragged.ragged_tensor import RaggedTensor

    _check_choice("UnicodeEncode", "output_encoding", output_encoding, _OUT_ENCODINGS)
    _check_errors("UnicodeEncode", errors)
    attrs = {"errors": errors, "output_encoding": output_encoding,
             "replacement_char": int(replacement_char)}  # fmt: skip
    if isinstance(input, RaggedTensor):
        if input.flat_values.shape.rank > 1:
            return input.with_flat_values(
                unicode_encode(input.flat_values, output_encoding, errors, replacement_char)
            )
        if isinstance(input.values, RaggedTensor):
            return input.with_values(
                unicode_encode(input.values, output_encoding, errors, replacement_char)
            )
        vals = convert_to_tensor(input.values, dtype=dtypes.int32)
        return execute(UNICODE_ENCODE, (vals, input.row_splits), attrs, name)
    x = convert_to_tensor(input, dtype=dtypes.int32)
    shape = x.shape.as_list()
    if not shape:
        raise ValueError("Rank of input_tensor must be statically known and at least 1.")
    n = int(np.prod(shape[:-1]))
    width = shape[-1]
    splits = convert_to_tensor(np.arange(0, n * width + 1, width or 1, dtype=_I64)[: n + 1])
    out = execute(UNICODE_ENCODE, (reshape(x, [-1]), splits), attrs, name)
    return reshape(out, shape[:-1])


def unicode_split(input, input_encoding, errors="replace", replacement_char=0xFFFD,  # noqa: A002
                  name=None):  # fmt: skip
    """Splits each string into its characters (as encoded strings).

    >>> tf.strings.unicode_split("hé", "UTF-8").numpy().tolist()
    [b'h', b'\\xc3\\xa9']
    """
    cps = _unicode_decode(input, input_encoding, errors, replacement_char, False, False, name)
    return _encode_each(cps, input_encoding, errors, replacement_char)


def unicode_split_with_offsets(input, input_encoding, errors="replace",  # noqa: A002
                               replacement_char=0xFFFD, name=None):  # fmt: skip
    """The characters of each string and the byte offset where each starts."""
    cps, offs = _unicode_decode(input, input_encoding, errors, replacement_char, False, True,
                                name)  # fmt: skip
    return _encode_each(cps, input_encoding, errors, replacement_char), offs


def _encode_each(cps, encoding, errors, replacement_char):
    from arroyo.ragged.ragged_tensor import RaggedTensor

    out_enc = {"utf-8": "UTF-8", "utf-16-be": "UTF-16-BE", "utf-32-be": "UTF-32-BE"}.get(
        _input_codec(encoding, "UnicodeEncode"), encoding
    )
    flat = cps.flat_values if isinstance(cps, RaggedTensor) else cps
    n = flat.shape.num_elements()
    if n is not None:
        splits = convert_to_tensor(np.arange(n + 1, dtype=_I64))
    else:  # traced with an unknown length
        from arroyo.ops.array_ops import size
        from arroyo.ops.creation_ops import range as _range

        splits = _range(size(flat, out_type=dtypes.int64) + 1, dtype=dtypes.int64)
    _check_choice("UnicodeEncode", "output_encoding", out_enc, _OUT_ENCODINGS)
    attrs = {"errors": errors, "output_encoding": out_enc,
             "replacement_char": int(replacement_char)}  # fmt: skip
    chars = execute(UNICODE_ENCODE, (flat, splits), attrs)
    return cps.with_flat_values(chars) if isinstance(cps, RaggedTensor) else chars


def unicode_transcode(input, input_encoding, output_encoding, errors="replace",  # noqa: A002
                      replacement_char=0xFFFD, replace_control_characters=False, name=None):  # fmt: skip
    """Re-encodes each string from `input_encoding` to `output_encoding`.

    >>> tf.strings.unicode_transcode("é", "UTF-8", "UTF-16-BE").numpy()
    b'\\x00\\xe9'
    """
    if isinstance(input, CompositeTensor):
        return _composite(lambda v: unicode_transcode(
            v, input_encoding, output_encoding, errors, replacement_char,
            replace_control_characters, name), input)  # fmt: skip
    _check_choice("UnicodeTranscode", "output_encoding", output_encoding, _OUT_ENCODINGS)
    _check_errors("UnicodeTranscode", errors)
    x = _as_string_tensor(input, "UnicodeTranscode")
    attrs = {"input_encoding": input_encoding, "output_encoding": output_encoding,
             "errors": errors, "replacement_char": int(replacement_char),
             "replace_control_characters": bool(replace_control_characters)}  # fmt: skip
    return execute(UNICODE_TRANSCODE, (x,), attrs, name)


# -- StringNGrams ------------------------------------------------------------------------------


def _ngrams_kernel(data, data_splits, separator, ngram_widths, left_pad, right_pad, pad_width,
                   preserve_short_sequences, Tsplits=None):  # fmt: skip
    sep = separator.encode() if isinstance(separator, str) else separator
    lp = left_pad.encode() if isinstance(left_pad, str) else left_pad
    rp = right_pad.encode() if isinstance(right_pad, str) else right_pad
    flat = data.tolist()
    sp = np.asarray(data_splits).tolist()
    out, counts = [], []
    for a, b in zip(sp[:-1], sp[1:]):
        row = flat[a:b]
        n0 = len(out)
        for w in ngram_widths:
            pad = w - 1 if pad_width < 0 else min(pad_width, w - 1)
            padded = [lp] * pad + row + [rp] * pad
            for i in range(len(padded) - w + 1):
                out.append(sep.join(padded[i : i + w]))
        if preserve_short_sequences and len(out) == n0 and row:
            out.append(sep.join([lp] * max(pad_width, 0) + row + [rp] * max(pad_width, 0)))
        counts.append(len(out) - n0)
    splits = np.concatenate([[0], np.cumsum(counts, dtype=_I64)]).astype(data_splits.dtype)
    return _objects(out, (len(out),)), splits


def _ngrams_infer(inputs, attrs):
    return [(_S, TensorShape([None])), (inputs[1].dtype, inputs[1].shape)]


STRING_NGRAMS = defop(
    "StringNGrams", ("data", "data_splits"), _ngrams_kernel,
    attrs={"separator": None, "ngram_widths": None, "left_pad": None, "right_pad": None,
           "pad_width": None, "preserve_short_sequences": None},
    infer=_ngrams_infer, num_outputs=2, differentiable=False,
)  # fmt: skip


def ngrams(data, ngram_width, separator=" ", pad_values=None, padding_width=None,
           preserve_short_sequences=False, name=None):  # fmt: skip
    """The n-grams of the innermost dimension of `data` (joined with `separator`).

    >>> tf.strings.ngrams(["a", "b", "c"], 2).numpy().tolist()
    [b'a b', b'b c']
    """
    from arroyo.ragged.ragged_tensor import RaggedTensor

    widths = [ngram_width] if isinstance(ngram_width, int) else list(ngram_width)
    if pad_values is None:
        left = right = ""
    elif isinstance(pad_values, (tuple, list)):
        left, right = pad_values
    else:
        left = right = pad_values
    if padding_width is not None and padding_width < 1:
        raise ValueError("padding_width must be greater than 0.")
    if padding_width is not None and pad_values is None:
        raise ValueError("pad_values must be provided if padding_width is set.")
    if pad_values is None:
        pad = 0
    elif padding_width is None:
        pad = -1
    else:
        pad = padding_width
    attrs = {"separator": separator, "ngram_widths": widths, "left_pad": left,
             "right_pad": right, "pad_width": pad,
             "preserve_short_sequences": bool(preserve_short_sequences)}  # fmt: skip
    if isinstance(data, RaggedTensor):
        if isinstance(data.values, RaggedTensor):
            return data.with_values(ngrams(data.values, ngram_width, separator, pad_values,
                                           padding_width, preserve_short_sequences))  # fmt: skip
        vals, splits = execute(STRING_NGRAMS, (data.values, data.row_splits), attrs, name)
        return RaggedTensor.from_row_splits(vals, splits, validate=False)
    x = _as_string_tensor(data, "StringNGrams")
    rank = x.shape.rank
    if rank == 1:
        n = x.shape[0]
        if n is not None:
            splits = convert_to_tensor(np.array([0, n], _I64))
        else:  # traced with an unknown length
            from arroyo.ops.array_ops import concat, size

            zero = convert_to_tensor(np.zeros(1, _I64))
            splits = concat([zero, size(x, out_type=dtypes.int64)[None]], 0)
        vals, _ = execute(STRING_NGRAMS, (x, splits), attrs, name)
        return vals
    if rank == 0:
        raise ValueError("Data must have rank>0")
    rt = RaggedTensor.from_tensor(x, ragged_rank=rank - 1)
    return ngrams(rt, ngram_width, separator, pad_values, padding_width,
                  preserve_short_sequences).to_tensor()  # fmt: skip


TF_API = {
    "tf.strings": [
        "length", "substr", "upper", "lower", "strip", "join", "reduce_join", "split",
        "bytes_split", "regex_full_match", "regex_replace", "to_number", "as_string",
        "format", "unicode_decode", "unicode_decode_with_offsets", "unicode_encode",
        "unicode_split", "unicode_split_with_offsets", "unicode_transcode",
        "unsorted_segment_join", "ngrams",
    ],
}  # fmt: skip
