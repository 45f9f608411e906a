"""Shape and dtype inference rules shared by many ops.

An inference rule takes the op's input tensors (eager or symbolic: only `.dtype`, `.shape`
and, where available, constant values are read) and its attrs, and returns a list of
`(dtype, TensorShape)` per output. Graph building uses them without touching data.
"""

from __future__ import annotations

from arroyo.framework import dtypes
from arroyo.framework.errors import InvalidArgumentError
from arroyo.framework.tensor_shape import TensorShape
from arroyo.ops._helpers import static_value


def broadcast_shapes(a: TensorShape, b: TensorShape, op_name="BroadcastTo") -> TensorShape:
    if a.rank is None or b.rank is None:
        return TensorShape(None)
    da, db = a.as_list(), b.as_list()
    n = max(len(da), len(db))
    da = [1] * (n - len(da)) + da
    db = [1] * (n - len(db)) + db
    out = []
    for x, y in zip(da, db):
        if x == 1:
            out.append(y)
        elif y == 1:
            out.append(x)
        elif x is None or y is None:
            out.append(x if y is None else y)
        elif x == y:
            out.append(x)
        else:
            raise InvalidArgumentError(
                None,
                None,
                f"Incompatible shapes: [{','.join(map(_d, a.as_list()))}] vs. "
                f"[{','.join(map(_d, b.as_list()))}] [Op:{op_name}]",
            )
    return TensorShape(out)


def _d(x):
    return "?" if x is None else str(x)


def same(inputs, attrs):
    return [(inputs[0].dtype, inputs[0].shape)]


def make_broadcast(op_name, out_dtype=None):
    def infer(inputs, attrs):
        shape = inputs[0].shape
        for t in inputs[1:]:
            shape = broadcast_shapes(shape, t.shape, op_name)
        return [(out_dtype or inputs[0].dtype, shape)]

    return infer


def make_unary(out_dtype=None):
    def infer(inputs, attrs):
        x = inputs[0]
        return [(out_dtype if out_dtype is not None else x.dtype, x.shape)]

    return infer


def real_of_input(inputs, attrs):
    return [(inputs[0].dtype.real_dtype, inputs[0].shape)]


def reduction(out_dtype=None):
    """Inference for reductions with an `axis` input and `keep_dims` attr."""

    def infer(inputs, attrs):
        x, axis = inputs[0], inputs[1]
        dtype = out_dtype if out_dtype is not None else x.dtype
        keep = attrs.get("keep_dims", False)
        ax = static_value(axis)
        rank = x.shape.rank
        if ax is None or rank is None:
            if keep and rank is not None:
                return [(dtype, TensorShape([None] * rank))]
            return [(dtype, TensorShape(None))]
        dims = x.shape.as_list()
        axes = set()
        for a in ax.reshape(-1).tolist() if hasattr(ax, "reshape") else [int(ax)]:
            if a < -rank or a >= rank:
                raise InvalidArgumentError(
                    None,
                    None,
                    f"Invalid reduction dimension ({a} for input with {rank} dimension(s)",
                )
            axes.add(a % rank)
        if keep:
            return [(dtype, TensorShape([1 if i in axes else d for i, d in enumerate(dims)]))]
        return [(dtype, TensorShape([d for i, d in enumerate(dims) if i not in axes]))]

    return infer


def fixed(dtype, shape):
    return lambda inputs, attrs: [(dtype, TensorShape(shape))]


def from_attr_dtype(attr, shape_fn):
    def infer(inputs, attrs):
        return [(dtypes.as_dtype(attrs[attr]), shape_fn(inputs, attrs))]

    return infer
