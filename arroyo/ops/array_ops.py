"""Array ops: creation, shape manipulation, slicing, joining and selection."""

from __future__ import annotations

import numpy as np

from arroyo.framework import dtypes
from arroyo.framework.composite_tensor import CompositeTensor, dispatch
from arroyo.framework.context import state as _state
from arroyo.framework.errors import InvalidArgumentError
from arroyo.framework.op_registry import defop, execute
from arroyo.framework.tensor import Tensor, convert_to_tensor
from arroyo.framework.tensor_shape import TensorShape, as_shape
from arroyo.ops import _infer
from arroyo.ops._helpers import (
    NO_ATTRS,
    int_tensor,
    is_tensorlike,
    partial_shape_value,
    same_dtype_operands,
    static_value,
    to_tensor,
)

newaxis = None


def _np_of(dtype):
    dtype = dtypes.as_dtype(dtype)
    return dtype._np if dtype._np is not None else dtypes.bfloat16_numpy_dtype()


# -- constants and creation ------------------------------------------------------------------


def constant(value, dtype=None, shape=None, name="Const"):
    """A tensor from a Python or NumPy value, optionally cast and broadcast to `shape`.

    >>> tf.constant([1, 2, 3])
    <tf.Tensor: shape=(3,), dtype=int32, numpy=array([1, 2, 3], dtype=int32)>
    """
    if isinstance(value, Tensor) or is_tensorlike(value):
        t = convert_to_tensor(value)
        if dtype is not None and t.dtype != dtypes.as_dtype(dtype):
            from arroyo.ops.math_ops import cast

            t = cast(t, dtype)
    else:
        t = convert_to_tensor(value, dtype=dtype)
    if shape is not None:
        shape = list(as_shape(shape))
        n = t.shape.num_elements()
        want = int(np.prod(shape)) if shape else 1
        if n == want:
            t = reshape(t, shape)
        elif n == 1:
            t = fill(shape, reshape(t, []))
        else:
            raise TypeError(
                f"Eager execution of tf.constant with unsupported shape. Tensor {t!r} (converted from {value!r}) has {n} elements, but got `shape` {tuple(shape)} with {want} elements)."
            )
    return t


def _shp(dims):
    """TF's C++ spelling of a shape in messages: [2,3]."""
    return "[" + ",".join(str(int(d)) for d in dims) + "]"


def _fill_kernel(dims, value, index_type=None):
    return np.full(tuple(int(d) for d in np.ravel(dims)), value, dtype=value.dtype)


def _fill_infer(inputs, attrs):
    dims = static_value(inputs[0])
    if dims is not None:
        return [(inputs[1].dtype, TensorShape([int(d) for d in np.ravel(dims)]))]
    partial = partial_shape_value(inputs[0])
    if partial is not None:
        return [(inputs[1].dtype, TensorShape(partial))]
    # unknown sizes: the rank is still the length of `dims` when that is known (TF's rule)
    d = inputs[0].shape
    rank = d[0] if d.rank == 1 else None
    return [(inputs[1].dtype, TensorShape(None if rank is None else [None] * rank))]


def _fill_grad(op, g):
    return None, reduce_sum_all(g)


_FILL = defop("Fill", ("dims", "value"), _fill_kernel, attrs={"index_type": dtypes.int32},
              infer=_fill_infer, grad=_fill_grad)  # fmt: skip


def fill(dims, value, name=None):
    """A tensor of shape `dims` filled with the scalar `value`."""
    value = to_tensor(value)
    if value.shape.rank not in (0, None):
        raise InvalidArgumentError(
            None, None, f"value must be a scalar, got shape {value.shape} [Op:Fill]"
        )
    dims = int_tensor(dims)
    _check_dims(dims, "Fill")
    return execute(_FILL, (dims, value), NO_ATTRS, name)


def _check_dims(dims, op_name):
    v = static_value(dims)
    if v is not None and np.any(np.asarray(v) < 0):
        raise InvalidArgumentError(
            None, None, f"Dimension {int(np.min(v))} must be >= 0 [Op:{op_name}]"
        )


def _shape_list(shape):
    if isinstance(shape, TensorShape):
        return shape.as_list()
    if is_tensorlike(shape):
        return shape
    if isinstance(shape, (list, tuple)) and any(is_tensorlike(d) for d in shape):
        return convert_to_tensor(shape)  # [tf.shape(x)[0], 3]: packed, as TF converts it
    if isinstance(shape, (int, np.integer)):
        return [int(shape)]
    return shape


def zeros(shape, dtype=dtypes.float32, name=None, layout=None):
    """A tensor of zeros.

    >>> tf.zeros([2, 3]).shape
    TensorShape([2, 3])
    """
    dtype = dtypes.as_dtype(dtype)
    shape = _shape_list(shape)
    v = static_value(shape) if is_tensorlike(shape) else shape
    if v is not None:
        dims = tuple(int(d) for d in np.ravel(np.asarray(v, dtype=np.int64)))
        if any(d < 0 for d in dims):
            raise InvalidArgumentError(None, None, f"Dimension {min(dims)} must be >= 0 [Op:Fill]")
        from arroyo.framework.context import state

        if state.graph is None:
            from arroyo.framework.tensor import _wrap

            arr = (
                np.zeros(dims, dtype=_np_of(dtype))
                if dtype is not dtypes.string
                else np.full(dims, b"", object)
            )
            return _wrap(arr if arr.ndim else arr[()])
    zero = b"" if dtype is dtypes.string else np.zeros((), _np_of(dtype))[()]
    return fill(shape, convert_to_tensor(zero, dtype=dtype), name)


def ones(shape, dtype=dtypes.float32, name=None, layout=None):
    """A tensor of ones."""
    dtype = dtypes.as_dtype(dtype)
    shape = _shape_list(shape)
    v = static_value(shape) if is_tensorlike(shape) else shape
    if v is not None:
        dims = tuple(int(d) for d in np.ravel(np.asarray(v, dtype=np.int64)))
        if any(d < 0 for d in dims):
            raise InvalidArgumentError(None, None, f"Dimension {min(dims)} must be >= 0 [Op:Fill]")
        from arroyo.framework.context import state

        if state.graph is None:
            from arroyo.framework.tensor import _wrap

            arr = np.ones(dims, dtype=_np_of(dtype))
            return _wrap(arr if arr.ndim else arr[()])
    return fill(shape, convert_to_tensor(np.ones((), _np_of(dtype))[()]), name)


def _zeros_like_kernel(x):
    if x.dtype.kind == "O":
        return np.full(np.shape(x), b"", dtype=object)
    z = np.zeros_like(x)
    return z if isinstance(x, np.ndarray) else z[()]


def _ones_like_kernel(x):
    o = np.ones_like(x)
    return o if isinstance(x, np.ndarray) else o[()]


_ZEROS_LIKE = defop(
    "ZerosLike", ("x",), _zeros_like_kernel, infer=_infer.same, differentiable=False
)
_ONES_LIKE = defop("OnesLike", ("x",), _ones_like_kernel, infer=_infer.same, differentiable=False)


def zeros_like(input, dtype=None, name=None, layout=None):  # noqa: A002 - TF's argument name
    """Zeros with the shape (and dtype, unless given) of `input`."""
    x = to_tensor(input)
    if dtype is not None and dtypes.as_dtype(dtype) is not x.dtype:
        return zeros(shape(x), dtype=dtype)
    return execute(_ZEROS_LIKE, (x,), NO_ATTRS, name)


def ones_like(input, dtype=None, name=None, layout=None):  # noqa: A002
    """Ones with the shape (and dtype, unless given) of `input`."""
    x = to_tensor(input)
    if dtype is not None and dtypes.as_dtype(dtype) is not x.dtype:
        return ones(shape(x), dtype=dtype)
    return execute(_ONES_LIKE, (x,), NO_ATTRS, name)


def _identity_grad(op, g):
    return g


_IDENTITY = defop("Identity", ("input",), lambda x: x, infer=_infer.same, grad=_identity_grad)


def identity(input, name=None):  # noqa: A002
    """Returns a tensor with the same value (a new tensor object)."""
    if getattr(input, "_is_arroyo_variable", False):
        return input.read_value()
    return execute(_IDENTITY, (to_tensor(input),), NO_ATTRS, name)


_STOP_GRADIENT = defop(
    "StopGradient", ("input",), lambda x: x, infer=_infer.same, differentiable=False
)


def stop_gradient(input, name=None):  # noqa: A002
    """Identity whose output no tape differentiates through.

    >>> with tf.GradientTape() as t:
    ...     x = tf.constant(2.0); t.watch(x); y = x * tf.stop_gradient(x)
    >>> float(t.gradient(y, x))
    2.0
    """
    return execute(_STOP_GRADIENT, (to_tensor(input),), NO_ATTRS, name)


# -- shape ---------------------------------------------------------------------------------


def _shape_kernel(x, out_type=dtypes.int32):
    return np.asarray(np.shape(x), dtype=out_type._np)


def _shape_infer(inputs, attrs):
    rank = inputs[0].shape.rank
    return [(attrs.get("out_type", dtypes.int32), TensorShape([rank]))]


_SHAPE = defop("Shape", ("input",), _shape_kernel, attrs={"out_type": dtypes.int32},
               infer=_shape_infer, differentiable=False)  # fmt: skip


def shape(input, out_type=None, name=None):  # noqa: A002
    """The shape of a tensor, as a 1-D int32 tensor.

    >>> tf.shape(tf.zeros([2, 3]))
    <tf.Tensor: shape=(2,), dtype=int32, numpy=array([2, 3], dtype=int32)>
    """
    x = to_tensor(input)
    out_type = dtypes.int32 if out_type is None else dtypes.as_dtype(out_type)
    from arroyo.framework.context import state

    if state.graph is not None and x.shape.is_fully_defined():
        # Known statically: a constant, so shapes downstream stay static too (TF's
        # graph optimizer folds these Shape ops the same way).
        return state.graph.capture_constant(np.asarray(x.shape.as_list(), dtype=out_type._np))
    return execute(_SHAPE, (x,), {"out_type": out_type}, name)


def _size_kernel(x, out_type=dtypes.int32):
    return out_type._np.type(np.size(x))


_SIZE = defop("Size", ("input",), _size_kernel, attrs={"out_type": dtypes.int32},
              infer=lambda inputs, attrs: [(attrs.get("out_type", dtypes.int32), TensorShape([]))],
              differentiable=False)  # fmt: skip


def size(input, out_type=None, name=None):  # noqa: A002
    """The number of elements of a tensor."""
    out_type = dtypes.int32 if out_type is None else dtypes.as_dtype(out_type)
    return execute(_SIZE, (to_tensor(input),), {"out_type": out_type}, name)


_RANK = defop("Rank", ("input",), lambda x: np.int32(np.ndim(x)),
              infer=_infer.fixed(dtypes.int32, []), differentiable=False)  # fmt: skip


def rank(input, name=None):  # noqa: A002
    """The rank (number of dimensions) of a tensor, as an int32 scalar."""
    return execute(_RANK, (to_tensor(input),), NO_ATTRS, name)


# -- reshape --------------------------------------------------------------------------------


def _reshape_kernel(x, shape):
    dims = [int(d) for d in np.ravel(shape)]
    n = np.size(x)
    if dims.count(-1) > 1:
        raise InvalidArgumentError(
            None,
            None,
            f"Only one input size may be -1, not both {dims.index(-1)} and {len(dims) - 1 - dims[::-1].index(-1)} [Op:Reshape]",
        )
    known = 1
    for i, d in enumerate(dims):
        if d < -1:
            raise InvalidArgumentError(
                None, None, f"Size {i} must be non-negative, not {d} [Op:Reshape]"
            )
        if d != -1:
            known *= d
    if -1 in dims:
        if known == 0 or n % known:
            raise InvalidArgumentError(
                None,
                None,
                f"Input to reshape is a tensor with {n} values, but the requested shape requires a multiple of {known} [Op:Reshape]",
            )
    elif known != n:
        raise InvalidArgumentError(
            None,
            None,
            f"Input to reshape is a tensor with {n} values, but the requested shape has {known} [Op:Reshape]",
        )
    return np.reshape(x, dims)


def _reshape_infer(inputs, attrs):
    x, shp = inputs
    v = static_value(shp)
    if v is None:
        n = shp.shape[0] if shp.shape.rank == 1 else None
        return [(x.dtype, TensorShape(None if n is None else [None] * n))]
    dims = [int(d) for d in np.ravel(v)]
    if -1 in dims:
        total = x.shape.num_elements()
        known = 1
        for d in dims:
            if d != -1:
                known *= d
        dims = [
            (total // known if total is not None and known else None) if d == -1 else d
            for d in dims
        ]
    elif x.shape.is_fully_defined() and all(d >= 0 for d in dims):
        n, want = x.shape.num_elements(), int(np.prod(dims, dtype=np.int64))
        if n != want:  # a static error: ValueError while building a graph, as TF
            raise ValueError(
                f"Cannot reshape a tensor with {n} elements to shape {_shp(dims)} ({want} elements) for '{{{{node Reshape}}}}'"
            )
    return [(x.dtype, TensorShape(dims))]


def _reshape_grad(op, g):
    return reshape(g, shape(op.inputs[0])), None


_RESHAPE = defop("Reshape", ("tensor", "shape"), _reshape_kernel, attrs={"Tshape": dtypes.int32},
                 infer=_reshape_infer, grad=_reshape_grad)  # fmt: skip


def reshape(tensor, shape, name=None):
    """Reshapes to `shape` (one dimension may be -1).

    >>> tf.reshape(tf.range(6), [2, -1]).shape
    TensorShape([2, 3])
    """
    x = to_tensor(tensor)
    if isinstance(shape, TensorShape):
        shape = shape.as_list()
    return execute(_RESHAPE, (x, int_tensor(shape)), NO_ATTRS, name)


def _expand_dims_kernel(x, axis):
    a = int(np.ravel(axis)[0])
    r = np.ndim(x)
    if a < -r - 1 or a > r:
        raise InvalidArgumentError(
            None,
            None,
            f"Tried to expand dim index {a} for tensor with {r} dimensions. [Op:ExpandDims]",
        )
    return np.expand_dims(x, a)


def _expand_dims_infer(inputs, attrs):
    x, axis = inputs
    a = static_value(axis)
    if a is None or x.shape.rank is None:
        return [(x.dtype, TensorShape(None))]
    a = int(np.ravel(a)[0])
    dims = x.shape.as_list()
    r = len(dims)
    if a < -r - 1 or a > r:
        raise InvalidArgumentError(
            None,
            None,
            f"Tried to expand dim index {a} for tensor with {r} dimensions. [Op:ExpandDims]",
        )
    if a < 0:
        a += r + 1
    return [(x.dtype, TensorShape(dims[:a] + [1] + dims[a:]))]


_EXPAND_DIMS = defop("ExpandDims", ("input", "axis"), _expand_dims_kernel, attrs={"Tdim": dtypes.int32},
                     infer=_expand_dims_infer, grad=lambda op, g: (reshape(g, shape(op.inputs[0])), None))  # fmt: skip


def _specialize_reshape(attrs, consts, shapes=None):
    shape = consts[1]
    if shape is None or consts[0] is not None:
        return None
    dims = tuple(int(d) for d in np.ravel(shape))
    if dims.count(-1) > 1 or any(d < -1 for d in dims):
        return None

    def kernel(x):
        try:
            return x.reshape(dims)
        except ValueError:
            return _reshape_kernel(x, shape)  # TF's error message

    return kernel


_RESHAPE.specialize = _specialize_reshape


def expand_dims(input, axis, name=None):  # noqa: A002
    """Inserts a length-1 dimension at `axis`."""
    return execute(_EXPAND_DIMS, (to_tensor(input), int_tensor(axis)), NO_ATTRS, name)


def _squeeze_kernel(x, squeeze_dims=()):
    if not squeeze_dims:
        return np.squeeze(x)
    r = np.ndim(x)
    axes = []
    for a in squeeze_dims:
        if a < -r or a >= r:
            raise InvalidArgumentError(
                None,
                None,
                f"Tried to squeeze dim index {a} for tensor with {r} dimensions. [Op:Squeeze]",
            )
        a %= r
        if x.shape[a] != 1:
            raise InvalidArgumentError(
                None,
                None,
                f"Can not squeeze dim[{a}], expected a dimension of 1, got {x.shape[a]} [Op:Squeeze]",
            )
        axes.append(a)
    return np.squeeze(x, axis=tuple(axes))


def _squeeze_infer(inputs, attrs):
    x = inputs[0]
    if x.shape.rank is None:
        return [(x.dtype, TensorShape(None))]
    dims = x.shape.as_list()
    sq = attrs.get("squeeze_dims") or ()
    r = len(dims)
    if not sq:
        if None in dims:
            return [(x.dtype, TensorShape(None))]
        return [(x.dtype, TensorShape([d for d in dims if d != 1]))]
    axes = {a % r for a in sq}
    return [(x.dtype, TensorShape([d for i, d in enumerate(dims) if i not in axes]))]


_SQUEEZE = defop("Squeeze", ("input",), _squeeze_kernel, attrs={"squeeze_dims": ()},
                 infer=_squeeze_infer, grad=lambda op, g: reshape(g, shape(op.inputs[0])))  # fmt: skip


def squeeze(input, axis=None, name=None):  # noqa: A002
    """Removes dimensions of size 1 (all, or those in `axis`)."""
    if axis is None:
        axes = ()
    elif isinstance(axis, (list, tuple)):
        axes = tuple(int(a) for a in axis)
    else:
        axes = (int(axis),)
    return execute(_SQUEEZE, (to_tensor(input),), {"squeeze_dims": axes}, name)


# -- transpose --------------------------------------------------------------------------------


def _transpose_kernel(x, perm):
    p = [int(v) for v in np.ravel(perm)]
    r = np.ndim(x)
    if len(p) != r:
        raise InvalidArgumentError(
            None,
            None,
            f"transpose expects a vector of size {r}. But input(1) is a vector of size {len(p)} [Op:Transpose]",
        )
    if sorted(q % r if r else q for q in p) != list(range(r)):
        for q in p:
            if not -r <= q < r:
                raise InvalidArgumentError(
                    None, None, f"{q} is out of range [0 .. {r}) [Op:Transpose]"
                )
        missing = min(set(range(r)) - {q % r for q in p})
        raise InvalidArgumentError(
            None, None, f"{missing} is missing from {{{','.join(map(str, p))}}}. [Op:Transpose]"
        )
    return np.transpose(x, p)


def _transpose_infer(inputs, attrs):
    x, perm = inputs
    p = static_value(perm)
    if p is None or x.shape.rank is None:
        return [(x.dtype, TensorShape(None if x.shape.rank is None else [None] * x.shape.rank))]
    dims = x.shape.as_list()
    r = len(dims)
    p = [int(i) for i in np.ravel(p)]
    if len(p) != r:  # static errors: ValueError while building a graph, as TF
        raise ValueError(f"Dimension must be {r} but is {len(p)} for '{{{{node Transpose}}}}'")
    for q in p:
        if not -r <= q < r:
            raise ValueError(
                f"perm dim {q} is out of range of input rank {r} for '{{{{node Transpose}}}}'"
            )
    return [(x.dtype, TensorShape([dims[i] for i in p]))]


def _transpose_grad(op, g):
    from arroyo.ops.math_ops import cast

    perm = op.inputs[1]
    inv = invert_permutation(perm)
    return transpose(g, cast(inv, dtypes.int32)), None


_TRANSPOSE = defop("Transpose", ("x", "perm"), _transpose_kernel, attrs={"Tperm": dtypes.int32},
                   infer=_transpose_infer, grad=_transpose_grad)  # fmt: skip
_INVERT_PERMUTATION = defop(
    "InvertPermutation", ("x",), lambda x: np.argsort(x).astype(x.dtype), infer=_infer.same,
    differentiable=False,
)  # fmt: skip


def invert_permutation(x, name=None):
    return execute(_INVERT_PERMUTATION, (int_tensor(x),), NO_ATTRS, name)


def transpose(a, perm=None, conjugate=False, name="transpose"):
    """Permutes dimensions (reverses them by default).

    >>> tf.transpose(tf.zeros([2, 3])).shape
    TensorShape([3, 2])
    """
    x = to_tensor(a)
    if perm is None:
        r = x.shape.rank
        if r is None:
            from arroyo.ops.math_ops import subtract

            perm = subtract(subtract(rank(x), 1), range_(rank(x)))
        else:
            perm = list(range(r - 1, -1, -1))
    out = execute(_TRANSPOSE, (x, int_tensor(perm)), NO_ATTRS)
    if conjugate and x.dtype.is_complex:
        from arroyo.ops.math_ops import conj

        out = conj(out)
    return out


def range_(start, limit=None, delta=1, dtype=None, name="range"):
    from arroyo.ops import creation_ops

    return creation_ops.range(start, limit, delta, dtype, name)


# -- concat / stack ---------------------------------------------------------------------------


def _concat_kernel(*args, N):
    values, axis = args[:N], int(args[N])
    r = np.ndim(values[0])
    if not -r <= axis < r:
        raise InvalidArgumentError(
            None,
            None,
            f"ConcatOp : Expected concatenating dimensions in the range [{-r}, {r}), but got {axis} [Op:ConcatV2]",
        )
    a = axis % r
    ref = np.shape(values[0])
    for i, v in enumerate(values[1:], 1):
        s = np.shape(v)
        if len(s) != r:
            raise InvalidArgumentError(
                None,
                None,
                f"ConcatOp : Ranks of all input tensors should match: shape[0] = {_shp(ref)} vs. shape[{i}] = {_shp(s)} [Op:ConcatV2]",
            )
        bad = [j for j in range(r) if j != a and s[j] != ref[j]]
        if bad:
            raise InvalidArgumentError(
                None,
                None,
                f"ConcatOp : Dimension {bad[0]} in both shapes must be equal: shape[0] = {_shp(ref)} vs. shape[{i}] = {_shp(s)} [Op:ConcatV2]",
            )
    return np.concatenate(values, axis=a)


def _concat_infer(inputs, attrs):
    n = attrs["N"]
    values, axis = inputs[:n], static_value(inputs[n])
    r = values[0].shape.rank
    if axis is None or r is None:
        return [(values[0].dtype, TensorShape(None if r is None else [None] * r))]
    a = int(axis) % r
    dims = values[0].shape.as_list()
    total = 0
    for v in values:
        if v.shape.rank is not None and v.shape.rank != r:  # static errors: ValueError, as TF
            raise ValueError(
                f"Shape must be rank {r} but is rank {v.shape.rank} for '{{{{node ConcatV2}}}}'"
            )
        vd = v.shape.as_list() if v.shape.rank is not None else [None] * r
        for j in range(r):
            if j != a and vd[j] is not None:
                if dims[j] is not None and dims[j] != vd[j]:
                    k = j if j < a else j - a - 1
                    raise ValueError(
                        f"Dimension {k} in both shapes must be equal, but are {dims[j]} and {vd[j]}. for '{{{{node ConcatV2}}}}'"
                    )
                dims[j] = vd[j]
        total = None if total is None or vd[a] is None else total + vd[a]
    dims[a] = total
    return [(values[0].dtype, TensorShape(dims))]


def _concat_grad(op, g):
    n = op.get_attr("N")
    values, axis = op.inputs[:n], op.inputs[n]
    sizes = [
        v.shape[int(static_value(axis)) % v.shape.rank]
        if static_value(axis) is not None and v.shape.rank
        else None
        for v in values
    ]
    if None in sizes:
        from arroyo.ops.math_ops import cast

        sizes = stack([gather(shape(v), cast(axis % rank(v), dtypes.int32)) for v in values])
    return list(split(g, sizes, axis=axis)) + [None]


_CONCAT = defop("ConcatV2", ("*values", "axis"), _concat_kernel, attrs={"N": None, "Tidx": dtypes.int32},
                infer=_concat_infer, grad=_concat_grad, list_attr="N")  # fmt: skip


def concat(values, axis, name="concat"):
    """Joins tensors along an existing axis.

    >>> tf.concat([[1, 2], [3]], axis=0)
    <tf.Tensor: shape=(3,), dtype=int32, numpy=array([1, 2, 3], dtype=int32)>
    """
    values = list(values)
    for v in values:
        if isinstance(v, CompositeTensor):
            return dispatch("concat", values, axis, name=name)
    values = same_dtype_operands("ConcatV2", values)
    if len(values) == 1:
        return identity(values[0])
    return execute(_CONCAT, (*values, int_tensor(axis)), {"N": len(values)}, None)


def _pack_kernel(*values, N, axis=0):
    ref = np.shape(values[0])
    for i, v in enumerate(values[1:], 1):
        if np.shape(v) != ref:
            raise InvalidArgumentError(
                None,
                None,
                f"Shapes of all inputs must match: values[0].shape = {_shp(ref)} != values[{i}].shape = {_shp(np.shape(v))} [Op:Pack]",
            )
    r = len(ref) + 1
    if not -r <= axis < r:
        raise InvalidArgumentError(
            None, None, f"Expected axis to be in the range [{-r}, {r}), but got {axis} [Op:Pack]"
        )
    return np.stack(values, axis=axis)


def _pack_infer(inputs, attrs):
    s = inputs[0].shape
    for v in inputs[1:]:
        s = s.merge_with(v.shape) if s.is_compatible_with(v.shape) else s
    if s.rank is None:
        return [(inputs[0].dtype, TensorShape(None))]
    dims = s.as_list()
    a = attrs.get("axis", 0) % (len(dims) + 1)
    return [(inputs[0].dtype, TensorShape(dims[:a] + [len(inputs)] + dims[a:]))]


def _pack_grad(op, g):
    return unstack(g, num=op.get_attr("N"), axis=op.get_attr("axis"))


_PACK = defop("Pack", ("*values",), _pack_kernel, attrs={"N": None, "axis": 0}, infer=_pack_infer,
              grad=_pack_grad, list_attr="N")  # fmt: skip


def stack(values, axis=0, name="stack"):
    """Stacks rank-R tensors into one rank-(R+1) tensor.

    >>> tf.stack([[1, 2], [3, 4]], axis=1).numpy().tolist()
    [[1, 3], [2, 4]]
    """
    values = same_dtype_operands("Pack", list(values))
    r = values[0].shape.rank
    if r is not None and not -r - 1 <= axis < r + 1:
        raise ValueError(f"Argument `axis` = {axis} not in range [{-r - 1}, {r + 1})")
    return execute(_PACK, tuple(values), {"N": len(values), "axis": int(axis)}, None)


def _unpack_kernel(x, num, axis=0):
    r = np.ndim(x)
    if not -r <= axis < r:
        raise InvalidArgumentError(None, None, f"axis = {axis} not in [{-r}, {r}) [Op:Unpack]")
    if x.shape[axis] != num:
        raise InvalidArgumentError(
            None,
            None,
            f"Input shape axis {axis} must equal {num}, got shape {list(x.shape)} [Op:Unpack]",
        )
    return [np.take(x, i, axis=axis) for i in range(num)]


def _unpack_infer(inputs, attrs):
    x = inputs[0]
    num, axis = attrs["num"], attrs.get("axis", 0)
    if x.shape.rank is None:
        return [(x.dtype, TensorShape(None))] * num
    dims = x.shape.as_list()
    del dims[axis % len(dims)]
    return [(x.dtype, TensorShape(dims))] * num


def _unpack_grad(op, *grads):
    grads = [g if g is not None else zeros_like(o) for g, o in zip(grads, op.outputs)]
    return stack(grads, axis=op.get_attr("axis"))


_UNPACK = defop("Unpack", ("value",), _unpack_kernel, attrs={"num": None, "axis": 0},
                infer=_unpack_infer, grad=_unpack_grad, num_outputs=lambda attrs: attrs["num"])  # fmt: skip


def unstack(value, num=None, axis=0, name="unstack"):
    """Splits a tensor along `axis` into a list of tensors of rank R-1."""
    x = to_tensor(value)
    r = x.shape.rank
    if r is not None and not -r <= axis < r:
        raise ValueError(f"Argument `axis` = {axis} not in range [{-r}, {r})")
    if num is None:
        if x.shape.rank is None:
            raise ValueError(f"Cannot infer argument `num` from shape {x.shape}")
        num = x.shape[axis]
        if num is None:
            raise ValueError(f"Cannot infer argument `num` from shape {x.shape}")
    return execute(_UNPACK, (x,), {"num": int(num), "axis": int(axis)}, None)


# -- split / gather: provided by the array family modules -------------------------------------


def split(value, num_or_size_splits, axis=0, num=None, name="split"):
    from arroyo.ops import manip_ops

    return manip_ops.split(value, num_or_size_splits, axis, num, name)


def gather(params, indices, validate_indices=None, axis=None, batch_dims=0, name=None):
    from arroyo.ops import gather_ops

    return gather_ops.gather(params, indices, validate_indices, axis, batch_dims, name)


def reduce_sum_all(x):
    from arroyo.ops.reduction_ops import reduce_sum

    return reduce_sum(x)


# -- where / select ----------------------------------------------------------------------------


def _select_kernel(condition, t, e):
    try:
        return np.where(condition, t, e)
    except ValueError:
        raise InvalidArgumentError(
            None,
            None,
            f"condition {_shp(np.shape(condition))}, then {_shp(np.shape(t))}, and else {_shp(np.shape(e))} must be broadcastable [Op:SelectV2]",
        ) from None


def _select_grad(op, g):
    c = op.inputs[0]
    z = zeros_like(g)
    return None, where(c, g, z), where(c, z, g)


_SELECT = defop("SelectV2", ("condition", "t", "e"), _select_kernel,
                infer=lambda inputs, attrs: [(inputs[1].dtype, _infer.broadcast_shapes(
                    _infer.broadcast_shapes(inputs[0].shape, inputs[1].shape, "SelectV2"),
                    inputs[2].shape, "SelectV2"))], grad=_select_grad, fusible=True)  # fmt: skip


def _where_kernel(condition):
    return np.argwhere(condition).astype(np.int64)


_WHERE = defop("Where", ("input",), _where_kernel,
               infer=lambda inputs, attrs: [(dtypes.int64, TensorShape([None, inputs[0].shape.rank]))],
               differentiable=False)  # fmt: skip


def where(condition, x=None, y=None, name=None):
    """With one argument: coordinates of True elements ([N, rank] int64).
    With three: elementwise x where condition else y (broadcasting).

    >>> tf.where([True, False], 1, 2)
    <tf.Tensor: shape=(2,), dtype=int32, numpy=array([1, 2], dtype=int32)>
    """
    if x is None and y is None:
        c = to_tensor(condition)
        if not c.dtype.is_bool:
            from arroyo.ops.math_ops import not_equal

            c = not_equal(c, zeros_like(c))
        return execute(_WHERE, (c,), NO_ATTRS, name)
    if x is None or y is None:
        raise ValueError("x and y must both be non-None or both be None.")
    c = to_tensor(condition, dtypes.bool) if not is_tensorlike(condition) else to_tensor(condition)
    if not c.dtype.is_bool:
        raise InvalidArgumentError(
            None, None, f"condition must be a bool tensor, got {c.dtype.name} [Op:SelectV2]"
        )
    x, y = same_dtype_operands("SelectV2", (x, y))
    return execute(_SELECT, (c, x, y), NO_ATTRS, name)


# -- one_hot ------------------------------------------------------------------------------------


def _one_hot_kernel(indices, depth, on_value, off_value, axis=-1):
    d = int(depth)
    if d < 0:
        raise InvalidArgumentError(None, None, f"depth must be non-negative, got: {d} [Op:OneHot]")
    idx = np.asarray(indices).astype(np.int64)
    eye = np.arange(d)
    hot = idx[..., None] == eye
    out = np.where(hot, on_value, off_value).astype(np.asarray(on_value).dtype)
    if axis != -1 and axis != idx.ndim:
        out = np.moveaxis(out, -1, axis)
    return out


def _one_hot_infer(inputs, attrs):
    idx, depth, on = inputs[0], static_value(inputs[1]), inputs[2]
    if idx.shape.rank is None:
        return [(on.dtype, TensorShape(None))]
    dims = idx.shape.as_list()
    axis = attrs.get("axis", -1)
    d = None if depth is None else int(depth)
    if axis == -1:
        dims = dims + [d]
    else:
        dims = dims[:axis] + [d] + dims[axis:]
    return [(on.dtype, TensorShape(dims))]


_ONE_HOT = defop("OneHot", ("indices", "depth", "on_value", "off_value"), _one_hot_kernel,
                 attrs={"axis": -1}, infer=_one_hot_infer, differentiable=False)  # fmt: skip


def one_hot(indices, depth, on_value=None, off_value=None, axis=None, dtype=None, name=None):
    """One-hot encoding: a new axis of size `depth` (last by default).

    >>> tf.one_hot([0, 2], 3).numpy().tolist()
    [[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]]
    """
    idx = to_tensor(indices)
    if dtype is None:
        if on_value is not None and is_tensorlike(on_value):
            dtype = on_value.dtype
        elif off_value is not None and is_tensorlike(off_value):
            dtype = off_value.dtype
        elif on_value is not None:
            dtype = convert_to_tensor(on_value).dtype
        else:
            dtype = dtypes.float32
    dtype = dtypes.as_dtype(dtype)
    on = convert_to_tensor(1 if on_value is None else on_value, dtype=dtype)
    off = convert_to_tensor(0 if off_value is None else off_value, dtype=dtype)
    axis = -1 if axis is None else int(axis)
    rank = idx.shape.rank
    if axis < -1 or (rank is not None and axis > rank):
        raise InvalidArgumentError(
            None, None,
            f"Expected axis to be -1 or between [0, {(rank or 0) + 1}).  But received: {axis} [Op:OneHot]",
        )  # fmt: skip
    if idx.dtype not in (dtypes.uint8, dtypes.int8, dtypes.int32, dtypes.int64):
        raise InvalidArgumentError(
            None, None, f"Value for attr 'TI' of {idx.dtype.name} is not in the list of allowed values: "
            "uint8, int8, int32, int64 [Op:OneHot]",
        )  # fmt: skip
    return execute(_ONE_HOT, (idx, int_tensor(depth), on, off), {"axis": axis}, name)


# -- broadcast ----------------------------------------------------------------------------------


def _broadcast_to_kernel(x, shape):
    dims = tuple(int(d) for d in np.ravel(shape))
    try:
        return np.broadcast_to(x, dims)
    except ValueError:
        raise InvalidArgumentError(
            None,
            None,
            f"Incompatible shapes: {_shp(np.shape(x))} vs. {_shp(dims)} [Op:BroadcastTo]",
        ) from None


def _broadcast_to_infer(inputs, attrs):
    v = static_value(inputs[1])
    if v is None:
        n = inputs[1].shape[0] if inputs[1].shape.rank == 1 else None
        return [(inputs[0].dtype, TensorShape(None if n is None else [None] * n))]
    return [(inputs[0].dtype, TensorShape([int(d) for d in np.ravel(v)]))]


_BROADCAST_TO = defop("BroadcastTo", ("input", "shape"), _broadcast_to_kernel,
                      attrs={"Tidx": dtypes.int32}, infer=_broadcast_to_infer,
                      grad=lambda op, g: (g, None))  # fmt: skip


def broadcast_to(input, shape, name=None):  # noqa: A002
    """Broadcasts `input` to `shape` (NumPy rules)."""
    if isinstance(shape, TensorShape):
        shape = shape.as_list()
    return execute(_BROADCAST_TO, (to_tensor(input), int_tensor(shape)), NO_ATTRS, name)


def unbroadcast_dynamic(grad, inp):
    """Sums `grad` down to `inp`'s runtime shape (graph case with unknown dimensions)."""
    from arroyo.ops import manip_ops

    return manip_ops.unbroadcast_dynamic(grad, inp)


# -- indexing: Tensor.__getitem__ ---------------------------------------------------------------


def _spec_to_index(x_ndim, begin, end, strides, begin_mask, end_mask, ellipsis_mask,
                   new_axis_mask, shrink_axis_mask):  # fmt: skip
    """Translates StridedSlice's (begin, end, strides, masks) into a NumPy index."""
    n = len(begin)
    idx = []
    for i in range(n):
        bit = 1 << i
        if ellipsis_mask & bit:
            idx.append(Ellipsis)
        elif new_axis_mask & bit:
            idx.append(None)
        elif shrink_axis_mask & bit:
            idx.append(int(begin[i]))
        else:
            b = None if begin_mask & bit else int(begin[i])
            e = None if end_mask & bit else int(end[i])
            idx.append(slice(b, e, int(strides[i])))
    return tuple(idx)


def _dim_positions(idx, ndim):
    """For each index entry, the input dimension it addresses (None for newaxis/ellipsis)."""
    n_consuming = sum(1 for v in idx if v is not None and v is not Ellipsis)
    pos, out = 0, []
    for v in idx:
        if v is Ellipsis:
            out.append(None)
            pos += ndim - n_consuming
        elif v is None:
            out.append(None)
        else:
            out.append(pos)
            pos += 1
    return out


_SLICE_PLANS: dict = {}  # (ndim, begin, end, strides, masks) -> (index, int-index checks)


def _slice_plan(ndim, begin, end, strides, masks):
    b, e, st = (np.ravel(np.asarray(v)) for v in (begin, end, strides))
    key = (ndim, b.tobytes(), e.tobytes(), st.tobytes(), b.dtype.char, masks)
    plan = _SLICE_PLANS.get(key)
    if plan is not None:
        return plan
    if np.any(st == 0):
        zero = int(np.flatnonzero(st == 0)[0])
        raise InvalidArgumentError(
            None, None, f"strides[{zero}] must be non-zero [Op:StridedSlice]"
        )
    idx = _spec_to_index(ndim, b, e, st, *masks)
    positions = _dim_positions(idx, ndim)
    if sum(1 for p in positions if p is not None) > ndim:
        raise InvalidArgumentError(
            None,
            None,
            f"Index out of range using input dim {ndim}; input has only {ndim} dims [Op:StridedSlice]",
        )
    checks = tuple((v, p) for v, p in zip(idx, positions) if isinstance(v, int))
    if len(_SLICE_PLANS) > 4096:
        _SLICE_PLANS.clear()
    plan = _SLICE_PLANS[key] = (idx, checks)
    return plan


def _strided_slice_kernel(x, begin, end, strides, begin_mask=0, end_mask=0, ellipsis_mask=0,
                          new_axis_mask=0, shrink_axis_mask=0, Index=None):  # fmt: skip
    # The NumPy index of a (begin, end, strides, masks) spec is worked out once and reused:
    # slicing with the same spec again costs one dict lookup and the indexing itself.
    idx, checks = _slice_plan(np.ndim(x), begin, end, strides,
                              (begin_mask, end_mask, ellipsis_mask, new_axis_mask, shrink_axis_mask))  # fmt: skip
    for v, p in checks:
        d = x.shape[p]
        if v < -d or v >= d:
            raise InvalidArgumentError(
                None,
                None,
                f"slice index {v + d if v < 0 else v} of dimension {p} out of bounds. [Op:StridedSlice]",
            )
    return _index(x, idx)


def _index(x, idx):
    out = x[idx]
    if x.dtype.kind == "O" and not isinstance(out, np.ndarray):
        out = np.array(out, dtype=object)  # a string scalar stays a 0-d tensor value
    return out


def _strided_slice_infer(inputs, attrs):
    # Static errors raise ValueError, as TF does while building a graph (the kernel raises
    # InvalidArgumentError eagerly). Works dimension by dimension, so partially known input shapes (and unknown begin/end
    # values, when their length is static) still give the output rank and known sizes.
    x = inputs[0]
    r = x.shape.rank
    b, e, s = (static_value(t) for t in inputs[1:4])
    known = b is not None and e is not None and s is not None
    n = (
        len(np.ravel(b))
        if b is not None
        else (inputs[1].shape[0] if inputs[1].shape.rank == 1 else None)
    )
    if r is None or n is None:
        return [(x.dtype, TensorShape(None))]
    if not known:
        b = e = np.zeros(n, np.int64)
        s = np.ones(n, np.int64)
    masks = {k: v for k, v in attrs.items() if k != "Index"}
    idx = _spec_to_index(r, np.ravel(b), np.ravel(e), np.ravel(s), **masks)
    if Ellipsis not in idx:
        idx = idx + (Ellipsis,)
    n_consuming = sum(1 for v in idx if v is not None and v is not Ellipsis)
    if n_consuming > r:
        raise ValueError(
            f"Index out of range using input dim {r}; input has only {r} dims for '{{{{node StridedSlice}}}}'"
        )
    dims = x.shape.as_list()
    out, pos, seen_ellipsis = [], 0, False
    for v in idx:
        if v is Ellipsis:
            if seen_ellipsis:
                continue
            seen_ellipsis = True
            k = r - n_consuming
            out.extend(dims[pos : pos + k])
            pos += k
        elif v is None:
            out.append(1)
        elif isinstance(v, int):
            d = dims[pos]
            if known and d is not None and not -d <= v < d:
                raise ValueError(
                    f"slice index {v + d if v < 0 else v} of dimension {pos} out of bounds. for '{{{{node StridedSlice}}}}'"
                )
            pos += 1
        else:
            d = dims[pos]
            out.append(len(range(*v.indices(d))) if known and d is not None and v.step else None)
            pos += 1
    return [(x.dtype, TensorShape(out))]


def _strided_slice_grad_kernel(shape, begin, end, strides, dy, **masks):
    masks.pop("Index", None)
    out = np.zeros(tuple(int(d) for d in np.ravel(shape)), dtype=np.asarray(dy).dtype)
    idx = _spec_to_index(out.ndim, np.ravel(begin), np.ravel(end), np.ravel(strides), **masks)
    out[idx] = dy
    return out


_MASKS = {
    "begin_mask": 0,
    "end_mask": 0,
    "ellipsis_mask": 0,
    "new_axis_mask": 0,
    "shrink_axis_mask": 0,
}


def _strided_slice_grad(op, g):
    x, b, e, s = op.inputs
    masks = {k: op.attrs.get(k, 0) for k in _MASKS}
    dx = execute(_STRIDED_SLICE_GRAD, (shape(x), b, e, s, g), masks)
    return dx, None, None, None


def _strided_slice_grad_grad(op, g):
    masks = {k: op.attrs.get(k, 0) for k in _MASKS}
    _, b, e, s, _ = op.inputs
    return None, None, None, None, execute(_STRIDED_SLICE, (g, b, e, s), masks)


_STRIDED_SLICE = defop("StridedSlice", ("input", "begin", "end", "strides"), _strided_slice_kernel,
                       attrs={"Index": dtypes.int32, **_MASKS}, infer=_strided_slice_infer,
                       grad=_strided_slice_grad)  # fmt: skip


def _specialize_strided_slice(attrs, consts, shapes=None):
    """In a graph with constant begin/end/strides and a known input shape, the NumPy index
    is computed (and checked) once; the kernel is then one indexing operation."""
    if consts[0] is not None or any(c is None for c in consts[1:]) or shapes is None:
        return None
    if not shapes[0].is_fully_defined():
        return None
    masks = {k: attrs.get(k, 0) for k in _MASKS}
    try:  # bad specs raise at run time, from the general kernel, as TF does
        _strided_slice_kernel(np.broadcast_to(np.zeros((), np.int8), shapes[0].as_list()),
                              *consts[1:], **masks)  # fmt: skip
    except Exception:  # noqa: BLE001
        return None
    b, e, st = (np.ravel(c) for c in consts[1:])
    idx = _spec_to_index(shapes[0].rank, b, e, st, masks["begin_mask"], masks["end_mask"],
                         masks["ellipsis_mask"], masks["new_axis_mask"], masks["shrink_axis_mask"])  # fmt: skip
    return lambda x: _index(x, idx) if x.dtype.kind == "O" else x[idx]


_STRIDED_SLICE.specialize = _specialize_strided_slice
_STRIDED_SLICE_GRAD = defop(
    "StridedSliceGrad", ("shape", "begin", "end", "strides", "dy"), _strided_slice_grad_kernel,
    attrs={"Index": dtypes.int32, **_MASKS},
    infer=lambda inputs, attrs: _fill_infer([inputs[0], inputs[4]], attrs),
    grad=_strided_slice_grad_grad,
)  # fmt: skip


def strided_slice(input_, begin, end, strides=None, begin_mask=0, end_mask=0, ellipsis_mask=0,
                  new_axis_mask=0, shrink_axis_mask=0, var=None, name=None):  # fmt: skip
    """Python-style strided slicing with TF's mask attributes."""
    x = to_tensor(input_)
    begin = int_tensor(begin)
    end = int_tensor(end)
    strides = int_tensor(
        strides if strides is not None else [1] * len(np.ravel(static_value(begin)))
    )
    attrs = {"begin_mask": begin_mask, "end_mask": end_mask, "ellipsis_mask": ellipsis_mask,
             "new_axis_mask": new_axis_mask, "shrink_axis_mask": shrink_axis_mask}  # fmt: skip
    return execute(_STRIDED_SLICE, (x, begin, end, strides), attrs, name)


def _index_value(v):
    """An int from a Python/NumPy int or a scalar integer tensor (eager or constant)."""
    if isinstance(v, (int, np.integer)) and not isinstance(v, bool):
        return int(v)
    if is_tensorlike(v):
        if v.dtype not in (dtypes.int32, dtypes.int64) or v.shape.rank != 0:
            raise _bad_index(v)
        sv = static_value(v)
        if sv is not None:
            return int(sv)
        return v  # symbolic: handled by the dynamic path
    if hasattr(v, "__index__") and not isinstance(v, bool):
        return int(v.__index__())
    raise _bad_index(v)


def _bad_index(v):
    return TypeError(
        "Only integers, slices (`:`), ellipsis (`...`), tf.newaxis (`None`) and scalar "
        f"tf.int32/tf.int64 tensors are valid indices, got {v!r}"
    )


def slice_helper(tensor, slice_spec, var=None):
    """`Tensor.__getitem__`: NumPy-style basic indexing turned into one StridedSlice.

    >>> tf.constant([0, 1, 2, 3])[1:3].numpy().tolist()
    [1, 2]
    """
    if not isinstance(slice_spec, tuple):
        slice_spec = (slice_spec,)
    key = _spec_key(slice_spec) if _state.graph is None else None
    if key is not None:
        hit = _SPEC_CACHE.get(key)
        if hit is not None:
            x = tensor if isinstance(tensor, Tensor) else to_tensor(tensor)
            return execute(_STRIDED_SLICE, (x, *hit[0]), hit[1])
    begin, end, strides = [], [], []
    begin_mask = end_mask = ellipsis_mask = new_axis_mask = shrink_axis_mask = 0
    dynamic = False
    for i, s in enumerate(slice_spec):
        bit = 1 << i
        if isinstance(s, slice):
            for part, lst, mask_name in ((s.start, begin, "b"), (s.stop, end, "e")):
                if part is None:
                    lst.append(0)
                    if mask_name == "b":
                        begin_mask |= bit
                    else:
                        end_mask |= bit
                else:
                    v = _index_value(part)
                    dynamic |= not isinstance(v, int)
                    lst.append(v)
            st = 1 if s.step is None else _index_value(s.step)
            dynamic |= not isinstance(st, int)
            strides.append(st)
        elif s is Ellipsis:
            begin.append(0)
            end.append(0)
            strides.append(1)
            ellipsis_mask |= bit
        elif s is None:
            begin.append(0)
            end.append(0)
            strides.append(1)
            new_axis_mask |= bit
        else:
            v = _index_value(s)
            dynamic |= not isinstance(v, int)
            begin.append(v)
            end.append(v + 1 if isinstance(v, int) else v)
            strides.append(1)
            shrink_axis_mask |= bit
    x = tensor if isinstance(tensor, Tensor) else to_tensor(tensor)
    if dynamic:
        b = stack([to_tensor(v, dtypes.int32) if isinstance(v, int) else v for v in begin])
        e = stack([to_tensor(v, dtypes.int32) if isinstance(v, int) else v for v in end])
        if shrink_axis_mask:
            from arroyo.ops.math_ops import add

            e = add(
                b, int_tensor([1 if (shrink_axis_mask >> k) & 1 else 0 for k in range(len(begin))])
            )
        st = stack([to_tensor(v, dtypes.int32) if isinstance(v, int) else v for v in strides])
    else:
        b, e, st = int_tensor(begin), int_tensor(end), int_tensor(strides)
    attrs = {"begin_mask": begin_mask, "end_mask": end_mask, "ellipsis_mask": ellipsis_mask,
             "new_axis_mask": new_axis_mask, "shrink_axis_mask": shrink_axis_mask}  # fmt: skip
    if key is not None and not dynamic and _state.graph is None:  # eager operands only
        if len(_SPEC_CACHE) > 4096:
            _SPEC_CACHE.clear()
        _SPEC_CACHE[key] = ((b, e, st), attrs)
    return execute(_STRIDED_SLICE, (x, b, e, st), attrs)


# Python index specs made of ints, None, Ellipsis and int slices -> their StridedSlice
# operands (cached immutable int tensors) and attrs, so `x[:, tf.newaxis]` in a loop
# skips the translation.
_SPEC_CACHE: dict = {}
_SPEC_ATOMS = (int, type(None), type(Ellipsis))


def _spec_key(spec):
    key = []
    for s in spec:
        t = type(s)
        if t is slice:
            parts = (s.start, s.stop, s.step)
            if any(type(p) is not int and p is not None for p in parts):
                return None
            key.append(parts)
        elif t in _SPEC_ATOMS:
            key.append(s)
        else:
            return None
    return tuple(key)


TF_API = {
    "tf": [
        "constant",
        "fill",
        "zeros",
        "ones",
        "zeros_like",
        "ones_like",
        "identity",
        "stop_gradient",
        "shape",
        "size",
        "rank",
        "reshape",
        "expand_dims",
        "squeeze",
        "transpose",
        "concat",
        "stack",
        "unstack",
        "where",
        "one_hot",
        "broadcast_to",
        "strided_slice",
        "newaxis",
        "invert_permutation",
    ],
    "tf.math": ["invert_permutation"],
}
