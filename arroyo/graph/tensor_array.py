"""`tf.TensorArray` and the TensorList ops it is built on in graphs.

Eagerly a TensorArray is a Python list of tensors (as in TF): `read` returns the stored
tensor, so a GradientTape sees straight through it. In a graph it is a *flow*: a scalar
`variant` tensor whose runtime value is an immutable `TensorList` (a Python list of NumPy
arrays). Every write is an op returning a new list (copy-on-write of the pointer list),
so lists can be loop variables of `While` ops and gradients flow through them like any
other value: the gradient of a list is a list (unset items read as zeros).

A TensorList runtime value reports `dtype` `tf.variant` when wrapped as an eager tensor
(this happens when a traced graph is replayed eagerly under a GradientTape).
"""

from __future__ import annotations

import numpy as np

from arroyo.framework import dtypes
from arroyo.framework.context import state
from arroyo.framework.errors import InvalidArgumentError, OutOfRangeError
from arroyo.framework.op_registry import defop, execute
from arroyo.framework.tensor import EagerTensor, Tensor, convert_to_tensor
from arroyo.framework.tensor_shape import TensorShape, as_shape
from arroyo.ops._helpers import static_value

__all__ = ["TensorArray", "TensorList", "add_lists", "zeros_like_list"]


class _VariantKey:
    """Stands for NumPy's dtype in `dtypes._BY_NP`, so a TensorList's EagerTensor is variant."""

    kind = "V"
    name = "variant"

    def __repr__(self):
        return "variant"


VARIANT_KEY = _VariantKey()
dtypes._BY_NP[VARIANT_KEY] = dtypes.variant


class TensorList:
    """Runtime value of a variant list tensor; never mutated once an op returned it."""

    __slots__ = ("items", "element_dtype", "element_shape")
    dtype = VARIANT_KEY
    shape = ()
    ndim = 0
    size = 1

    def __init__(self, items, element_dtype, element_shape):
        self.items = items  # list of np arrays / scalars, None where unset
        self.element_dtype = element_dtype  # DType
        self.element_shape = element_shape  # tuple (None = unknown dim) or None (unknown rank)

    def __len__(self):
        return len(self.items)

    def __repr__(self):
        return f"<TensorList of {len(self.items)} {self.element_dtype.name}>"


def _shape_tuple(es):
    """An element_shape input value (-1 = unknown) as a tuple, or None for unknown rank."""
    es = np.asarray(es)
    if es.ndim == 0:
        return None if int(es) == -1 else ()
    return tuple(None if int(d) < 0 else int(d) for d in es)


def _merge(a, b):
    if a is None:
        return b
    if b is None:
        return a
    if len(a) != len(b):
        return None
    return tuple(x if x is not None else y for x, y in zip(a, b))


def _compatible(a, b):
    if a is None or b is None:
        return True
    return len(a) == len(b) and all(x is None or y is None or x == y for x, y in zip(a, b))


def _fmt(shape):
    return str(TensorShape(shape)) if shape is not None else "<unknown>"


def _zeros(lst: TensorList, es_input=None, what="read"):
    shape = _merge(lst.element_shape, es_input)
    if shape is None or any(d is None for d in shape):
        raise InvalidArgumentError(
            None, None,
            f"Trying to {what} an uninitialized tensor but element_shape {_fmt(shape)} is not "
            "fully defined.",
        )  # fmt: skip
    z = np.zeros(shape, dtype=lst.element_dtype._np)
    return z if z.ndim else z[()]


def _item(lst, i, es=None):
    v = lst.items[i]
    return _zeros(lst, es) if v is None else v


def _check_index(lst, i, op):
    n = len(lst.items)
    if not 0 <= i < n:
        raise InvalidArgumentError(
            None, None, f"Trying to access element {i} in a list with {n} elements. [Op:{op}]"
        )


def _as_int(x):
    return int(np.asarray(x))


# -- kernels ------------------------------------------------------------------------------


def _reserve_kernel(element_shape, num_elements, element_dtype=None, shape_type=None):
    n = _as_int(num_elements)
    return TensorList([None] * max(n, 0), element_dtype, _shape_tuple(element_shape))


def _empty_kernel(element_shape, max_num_elements, element_dtype=None, shape_type=None):
    return TensorList([], element_dtype, _shape_tuple(element_shape))


def _check_item(lst, item, op):
    arr = np.asarray(item)
    want = lst.element_dtype._np
    if arr.dtype != want and not (arr.dtype.kind in "OSU" and want.kind in "OSU"):
        raise InvalidArgumentError(
            None, None,
            f"Invalid data types; op elements {dtypes._BY_NP[arr.dtype].name} but list elements "
            f"{lst.element_dtype.name} [Op:{op}]",
        )  # fmt: skip
    if not _compatible(lst.element_shape, arr.shape):
        raise InvalidArgumentError(
            None, None,
            f"Incompatible shape for value ({tuple(arr.shape)}), expected "
            f"({_fmt(lst.element_shape)}) [Op:{op}]",
        )  # fmt: skip


def _set_item_kernel(lst, index, item, element_dtype=None, resize_if_index_out_of_bounds=False):
    i = int(index)
    items = lst.items
    # Fast path (every write in a loop): in range, exact dtype and known shape.
    if 0 <= i < len(items) and getattr(item, "dtype", None) == lst.element_dtype._np and \
            lst.element_shape == np.shape(item):  # fmt: skip
        new = items.copy()
        new[i] = item
        return TensorList(new, lst.element_dtype, lst.element_shape)
    _check_item(lst, item, "TensorListSetItem")
    items = list(lst.items)
    if i >= len(items) and resize_if_index_out_of_bounds:
        items.extend([None] * (i + 1 - len(items)))
    if not 0 <= i < len(items):
        raise InvalidArgumentError(
            None, None,
            f"Trying to modify element {i} in a list with {len(items)} elements. "
            "[Op:TensorListSetItem]",
        )  # fmt: skip
    items[i] = item
    return TensorList(items, lst.element_dtype, _merge(lst.element_shape, np.shape(item)))


def _get_item_kernel(lst, index, element_shape, element_dtype=None):
    i = int(index)
    items = lst.items
    if 0 <= i < len(items):
        v = items[i]
        if v is not None:
            return v
    _check_index(lst, i, "TensorListGetItem")
    return _item(lst, i, _shape_tuple(element_shape))


def _stack_kernel(lst, element_shape, element_dtype=None, num_elements=-1):
    es = _shape_tuple(element_shape)
    if not lst.items:
        shape = _merge(lst.element_shape, es)
        if shape is None or any(d is None for d in shape):
            shape = ()
        return np.zeros((0,) + tuple(shape), dtype=lst.element_dtype._np)
    vals = [_item(lst, i, es) for i in range(len(lst.items))]
    return _stack_arrays(vals, "TensorListStack")


def _stack_arrays(vals, op):
    try:
        return np.stack([np.asarray(v) for v in vals])
    except ValueError:
        shapes = sorted({tuple(np.shape(v)) for v in vals})
        raise InvalidArgumentError(
            None, None,
            f"Incompatible ranks/shapes during stack: elements have shapes "
            f"{', '.join(str(list(s)) for s in shapes)} [Op:{op}]",
        ) from None  # fmt: skip


def _from_tensor_kernel(tensor, element_shape, element_dtype=None, shape_type=None):
    arr = np.asarray(tensor)
    if arr.ndim == 0:
        raise InvalidArgumentError(
            None,
            None,
            "Tensor must be at least a vector, but saw shape: [] [Op:TensorListFromTensor]",
        )
    items = [arr[i] for i in range(arr.shape[0])]
    items = [v if v.ndim else v[()] for v in items]
    return TensorList(items, dtypes._BY_NP[arr.dtype], tuple(arr.shape[1:]))


def _gather_kernel(lst, indices, element_shape, element_dtype=None):
    es = _shape_tuple(element_shape)
    idx = np.asarray(indices).reshape(-1)
    vals = []
    for i in idx:
        _check_index(lst, int(i), "TensorListGather")
        vals.append(_item(lst, int(i), es))
    if not vals:
        shape = _merge(lst.element_shape, es)
        shape = () if shape is None or any(d is None for d in shape) else shape
        return np.zeros((0,) + tuple(shape), dtype=lst.element_dtype._np)
    out = _stack_arrays(vals, "TensorListGather")
    return out.reshape(np.shape(indices) + out.shape[1:])


def _scatter_kernel(lst, tensor, indices, element_dtype=None, Tindices=None):
    arr = np.asarray(tensor)
    idx = np.asarray(indices).reshape(-1)
    if arr.ndim == 0 or arr.shape[0] != idx.shape[0]:
        raise InvalidArgumentError(
            None, None,
            f"Invalid number of rows in input tensor. Expected: {idx.shape[0]} Actual: "
            f"{arr.shape[0] if arr.ndim else 0} [Op:TensorListScatterIntoExistingList]",
        )  # fmt: skip
    items = list(lst.items)
    es = lst.element_shape
    for row, i in zip(arr, idx):
        i = int(i)
        if i < 0:
            raise InvalidArgumentError(
                None, None, f"Trying to write to index {i} [Op:TensorListScatterIntoExistingList]"
            )
        if i >= len(items):
            items.extend([None] * (i + 1 - len(items)))
        items[i] = row if row.ndim else row[()]
        es = _merge(es, row.shape)
    return TensorList(items, lst.element_dtype, es)


def _concat_kernel(lst, element_shape, leading_dims, element_dtype=None, shape_type=None):
    es = _shape_tuple(element_shape)
    lead = np.asarray(leading_dims).reshape(-1)
    vals = []
    for i, v in enumerate(lst.items):
        if v is None:
            if i >= lead.shape[0] or es is None or any(d is None for d in es[1:] if es):
                raise InvalidArgumentError(
                    None, None,
                    "Trying to concat list with uninitialized tensors but element_shape "
                    f"{_fmt(es)} is not fully defined. [Op:TensorListConcatV2]",
                )  # fmt: skip
            v = np.zeros((int(lead[i]),) + tuple(es[1:]), dtype=lst.element_dtype._np)
        elif np.ndim(v) == 0:
            raise InvalidArgumentError(
                None, None, "Concat saw a scalar shape at index 0 but requires at least vectors. "
                "[Op:TensorListConcatV2]",
            )  # fmt: skip
        vals.append(np.asarray(v))
    lengths = np.asarray([v.shape[0] for v in vals], dtype=np.int64)
    if not vals:
        tail = () if es is None or any(d is None for d in es[1:]) else tuple(es[1:])
        return [np.zeros((0,) + tail, dtype=lst.element_dtype._np), lengths]
    try:
        return [np.concatenate(vals, 0), lengths]
    except ValueError:
        raise InvalidArgumentError(
            None, None, "Incompatible shapes in concat [Op:TensorListConcatV2]"
        ) from None


def _split_kernel(tensor, element_shape, lengths, element_dtype=None, shape_type=None):
    arr = np.asarray(tensor)
    lens = np.asarray(lengths).reshape(-1)
    if arr.ndim == 0:
        raise InvalidArgumentError(
            None, None, "Tensor must be at least a vector, but saw shape: [] [Op:TensorListSplit]"
        )
    if int(lens.sum()) != arr.shape[0]:
        raise InvalidArgumentError(
            None, None,
            f"Unused values in tensor. Length of tensor: {arr.shape[0]} Values used: "
            f"{int(lens.sum())} [Op:TensorListSplit]",
        )  # fmt: skip
    bounds = np.cumsum(lens)[:-1]
    items = list(np.split(arr, bounds)) if lens.size else []
    return TensorList(items, dtypes._BY_NP[arr.dtype], (None,) + tuple(arr.shape[1:]))


def _length_kernel(lst):
    return np.int32(len(lst.items))


def _add_kernel(a, b):
    n = max(len(a.items), len(b.items))
    items = []
    for i in range(n):
        x = a.items[i] if i < len(a.items) else None
        y = b.items[i] if i < len(b.items) else None
        items.append(y if x is None else x if y is None else x + y)
    return TensorList(items, a.element_dtype, _merge(a.element_shape, b.element_shape))


def _zeros_like_kernel(lst):
    return TensorList([None] * len(lst.items), lst.element_dtype, lst.element_shape)


def _from_items_kernel(*items, N=0, element_dtype=None):
    shape = None
    for v in items:
        shape = _merge(shape, np.shape(v)) if shape is not None else tuple(np.shape(v))
    return TensorList(list(items), element_dtype, shape)


# -- inference ------------------------------------------------------------------------------

_LIST = (dtypes.variant, TensorShape([]))


def _list_infer(inputs, attrs):
    return [_LIST]


def _static_shape(t) -> TensorShape:
    """An element_shape input as a TensorShape (unknown where not constant)."""
    v = static_value(t)
    if v is None:
        return TensorShape(None)
    s = _shape_tuple(v)
    return TensorShape(None if s is None else list(s))


def _get_item_infer(inputs, attrs):
    return [(attrs["element_dtype"], _static_shape(inputs[2]))]


def _stack_infer(inputs, attrs):
    n = attrs.get("num_elements", -1)
    es = _static_shape(inputs[1])
    return [
        (attrs["element_dtype"], TensorShape([None if n is None or n < 0 else n]).concatenate(es))
    ]


def _from_tensor_infer(inputs, attrs):
    return [_LIST]


def _gather_infer(inputs, attrs):
    idx = inputs[1].shape
    return [(attrs["element_dtype"], idx.concatenate(_static_shape(inputs[2])))]


def _concat_infer(inputs, attrs):
    es = _static_shape(inputs[1])
    tail = (
        TensorShape(None) if es.rank is None else TensorShape(es.as_list()[1:] if es.rank else [])
    )
    return [(attrs["element_dtype"], TensorShape([None]).concatenate(tail)),
            (dtypes.int64, TensorShape([None]))]  # fmt: skip


# -- gradients (public ops only, so they work eagerly and in graphs) -------------------------


def _set_item_grad(op, dlist):
    item = op.inputs[2]
    index = op.inputs[1]
    d_item = get_item(dlist, index, _dyn_shape(item), item.dtype)
    d_list = set_item(dlist, index, _zeros_like(item), resize=False)
    return d_list, None, d_item


def _get_item_grad(op, dy):
    lst, index = op.inputs[0], op.inputs[1]
    dl = zeros_like_list(lst)
    return set_item(dl, index, dy, resize=False), None, None


def _stack_grad(op, dy):
    return from_tensor(dy), None


def _from_tensor_grad(op, dlist):
    t = op.inputs[0]
    from arroyo.ops import array_ops

    es = array_ops.shape(t)[1:]
    return stack(dlist, es, t.dtype, num_elements=-1), None


def _gather_grad(op, dy):
    from arroyo.ops.scatter_ops import unsorted_segment_sum

    lst, indices = op.inputs[0], op.inputs[1]
    # Repeated indices add up: a dense [length, ...] gradient, as a list.
    dense = unsorted_segment_sum(dy, indices, length(lst))
    return from_tensor(dense), None, None


def _scatter_grad(op, dlist):
    tensor, indices = op.inputs[1], op.inputs[2]
    from arroyo.ops import array_ops

    d_tensor = gather(dlist, indices, array_ops.shape(tensor)[1:], tensor.dtype)
    d_list = scatter(dlist, _zeros_like(tensor), indices)
    return d_list, d_tensor, None


def _concat_grad(op, dy, dlengths=None):
    lengths = op.outputs[1]
    return split(dy, op.inputs[1], lengths), None, None


def _split_grad(op, dlist):
    tensor, lengths = op.inputs[0], op.inputs[2]
    from arroyo.ops import array_ops

    es = array_ops.concat([[-1], array_ops.shape(tensor)[1:]], 0)
    out, _ = concat(dlist, es, lengths, tensor.dtype)
    return out, None, None


def _add_grad(op, g):
    return g, g


def _from_items_grad(op, dlist):
    return tuple(get_item(dlist, i, _dyn_shape(t), t.dtype) for i, t in enumerate(op.inputs))


def _dyn_shape(t):
    from arroyo.ops import array_ops

    if t.shape.is_fully_defined():
        return convert_to_tensor(np.asarray(t.shape.as_list(), dtype=np.int32))
    return array_ops.shape(t)


def _zeros_like(t):
    from arroyo.ops import array_ops

    return array_ops.zeros_like(t)


# -- op registrations ---------------------------------------------------------------------------

_RESERVE = defop("TensorListReserve", ("element_shape", "num_elements"), _reserve_kernel,
                 attrs={"element_dtype": None, "shape_type": dtypes.int32}, infer=_list_infer,
                 differentiable=False)  # fmt: skip
_EMPTY = defop("EmptyTensorList", ("element_shape", "max_num_elements"), _empty_kernel,
               attrs={"element_dtype": None, "shape_type": dtypes.int32}, infer=_list_infer,
               differentiable=False)  # fmt: skip
_SET_ITEM = defop("TensorListSetItem", ("input_handle", "index", "item"), _set_item_kernel,
                  attrs={"element_dtype": None, "resize_if_index_out_of_bounds": False},
                  infer=_list_infer, grad=_set_item_grad)  # fmt: skip
_GET_ITEM = defop("TensorListGetItem", ("input_handle", "index", "element_shape"), _get_item_kernel,
                  attrs={"element_dtype": None}, infer=_get_item_infer, grad=_get_item_grad)  # fmt: skip
_STACK = defop("TensorListStack", ("input_handle", "element_shape"), _stack_kernel,
               attrs={"element_dtype": None, "num_elements": -1}, infer=_stack_infer,
               grad=_stack_grad)  # fmt: skip
_FROM_TENSOR = defop("TensorListFromTensor", ("tensor", "element_shape"), _from_tensor_kernel,
                     attrs={"element_dtype": None, "shape_type": dtypes.int32},
                     infer=_from_tensor_infer, grad=_from_tensor_grad)  # fmt: skip
_GATHER = defop("TensorListGather", ("input_handle", "indices", "element_shape"), _gather_kernel,
                attrs={"element_dtype": None}, infer=_gather_infer, grad=_gather_grad)  # fmt: skip
_SCATTER = defop("TensorListScatterIntoExistingList", ("input_handle", "tensor", "indices"),
                 _scatter_kernel, attrs={"element_dtype": None, "Tindices": dtypes.int32},
                 infer=_list_infer, grad=_scatter_grad)  # fmt: skip
_CONCAT = defop("TensorListConcatV2", ("input_handle", "element_shape", "leading_dims"),
                _concat_kernel, attrs={"element_dtype": None, "shape_type": dtypes.int32},
                infer=_concat_infer, grad=_concat_grad, num_outputs=2)  # fmt: skip
_SPLIT = defop("TensorListSplit", ("tensor", "element_shape", "lengths"), _split_kernel,
               attrs={"element_dtype": None, "shape_type": dtypes.int32}, infer=_list_infer,
               grad=_split_grad)  # fmt: skip
_LENGTH = defop(
    "TensorListLength",
    ("input_handle",),
    _length_kernel,
    infer=lambda inputs, attrs: [(dtypes.int32, TensorShape([]))],
    differentiable=False,
)
# Internal (TF uses AddN / ZerosLike on variants for these).
_ADD = defop("TensorListAddLists", ("a", "b"), _add_kernel, infer=_list_infer, grad=_add_grad)
_ZEROS_LIKE = defop("TensorListZerosLike", ("input_handle",), _zeros_like_kernel, infer=_list_infer,
                    differentiable=False)  # fmt: skip
_FROM_ITEMS = defop("TensorListFromItems", ("*items",), _from_items_kernel,
                    attrs={"N": 0, "element_dtype": None}, infer=_list_infer, list_attr="N",
                    grad=_from_items_grad)  # fmt: skip


# -- op wrappers ---------------------------------------------------------------------------


def _shape_input(shape):
    """An element shape (TensorShape / list / tensor) as the int32 input TF's list ops take."""
    if isinstance(shape, Tensor):
        return shape
    shape = as_shape(shape)
    if shape.rank is None:
        return convert_to_tensor(np.int32(-1))
    return convert_to_tensor(
        np.asarray([-1 if d is None else d for d in shape.as_list()], dtype=np.int32)
    )


def _int(x):
    return x if isinstance(x, Tensor) else convert_to_tensor(np.int32(x))


def reserve(element_shape, num_elements, element_dtype):
    return execute(_RESERVE, (_shape_input(element_shape), _int(num_elements)),
                   {"element_dtype": element_dtype, "shape_type": dtypes.int32})  # fmt: skip


def set_item(lst, index, item, resize=False):
    return execute(_SET_ITEM, (lst, _int(index), item),
                   {"element_dtype": item.dtype, "resize_if_index_out_of_bounds": bool(resize)})  # fmt: skip


def get_item(lst, index, element_shape, element_dtype):
    return execute(_GET_ITEM, (lst, _int(index), _shape_input(element_shape)),
                   {"element_dtype": element_dtype})  # fmt: skip


def stack(lst, element_shape, element_dtype, num_elements=-1):
    return execute(_STACK, (lst, _shape_input(element_shape)),
                   {"element_dtype": element_dtype, "num_elements": int(num_elements)})  # fmt: skip


def from_tensor(tensor, element_shape=None):
    if element_shape is None:
        element_shape = tensor.shape[1:] if tensor.shape.rank else TensorShape(None)
    return execute(_FROM_TENSOR, (tensor, _shape_input(element_shape)),
                   {"element_dtype": tensor.dtype, "shape_type": dtypes.int32})  # fmt: skip


def gather(lst, indices, element_shape, element_dtype):
    return execute(_GATHER, (lst, _int(indices), _shape_input(element_shape)),
                   {"element_dtype": element_dtype})  # fmt: skip


def scatter(lst, tensor, indices):
    return execute(_SCATTER, (lst, tensor, _int(indices)),
                   {"element_dtype": tensor.dtype, "Tindices": dtypes.int32})  # fmt: skip


def concat(lst, element_shape, leading_dims, element_dtype):
    if not isinstance(leading_dims, Tensor):
        leading_dims = convert_to_tensor(np.asarray(leading_dims, dtype=np.int64).reshape(-1))
    return execute(_CONCAT, (lst, _shape_input(element_shape), leading_dims),
                   {"element_dtype": element_dtype, "shape_type": dtypes.int32})  # fmt: skip


def split(tensor, element_shape, lengths):
    return execute(_SPLIT, (tensor, _shape_input(element_shape), lengths),
                   {"element_dtype": tensor.dtype, "shape_type": dtypes.int32})  # fmt: skip


def length(lst):
    return execute(_LENGTH, (lst,), {})


def add_lists(a, b):
    """The sum of two gradient lists (used where gradients of a variant are accumulated)."""
    return execute(_ADD, (a, b), {})


def zeros_like_list(lst):
    """A list of the same length whose items are all unset (read as zeros)."""
    return execute(_ZEROS_LIKE, (lst,), {})


def from_items(items, element_dtype):
    return execute(_FROM_ITEMS, tuple(items), {"N": len(items), "element_dtype": element_dtype})


# -- tf.TensorArray --------------------------------------------------------------------------


def _check_dtype(value, dtype):
    if value.dtype != dtype:
        raise InvalidArgumentError(
            None, None,
            f"TensorArray dtype is {dtype.name} but Op is trying to write dtype {value.dtype.name} ",
        )  # fmt: skip


def _to_value(value, dtype):
    if getattr(value, "_is_arroyo_variable", False):
        value = value.value()
    if isinstance(value, Tensor):
        _check_dtype(value, dtype)
        return value
    return convert_to_tensor(value, dtype=dtype)


class TensorArray:
    """A list of tensors that loops can write to one index at a time.

    Eagerly it behaves like a Python list; in `tf.function` (and inside `tf.while_loop`) it
    is a value: `write` returns a new TensorArray, so always use the returned object.

    >>> ta = tf.TensorArray(tf.float32, size=2)
    >>> ta = ta.write(0, 1.0).write(1, 2.0)
    >>> ta.stack().numpy()
    array([1., 2.], dtype=float32)
    """

    def __init__(self, dtype, size=None, dynamic_size=None, clear_after_read=None,
                 tensor_array_name=None, handle=None, flow=None, infer_shape=True,
                 element_shape=None, colocate_with_first_write_call=True, name=None):  # fmt: skip
        self._dtype = dtypes.as_dtype(dtype)
        self._dynamic_size = bool(dynamic_size)
        self._infer_shape = infer_shape
        self._element_shape = (
            TensorShape(None) if element_shape is None else as_shape(element_shape)
        )
        self._name = name
        self._eager = state.graph is None
        if self._eager:
            if size is None:
                raise ValueError(
                    "Size must be declared for TensorArrays when eager execution is enabled."
                )
            n = _as_int(size.numpy() if isinstance(size, EagerTensor) else size)
            self._items = [None] * n
            self._clear_after_read = True if clear_after_read is None else bool(clear_after_read)
            self._previously_read = set()
            self._flow = None
        else:
            self._clear_after_read = False if clear_after_read is None else bool(clear_after_read)
            if flow is not None:
                self._flow = flow
            else:
                if size is None:
                    size = 0 if self._dynamic_size else None
                if size is None:
                    raise ValueError("Size must be provided if handle is not provided")
                self._flow = reserve(self._element_shape, size, self._dtype)

    @classmethod
    def _with_flow(cls, like, flow, element_shape=None):
        """A graph TensorArray like `like` whose list is the tensor `flow`."""
        ta = cls.__new__(cls)
        ta._dtype = like._dtype
        ta._dynamic_size = like._dynamic_size
        ta._infer_shape = like._infer_shape
        ta._element_shape = like._element_shape if element_shape is None else element_shape
        ta._name = like._name
        ta._eager = False
        ta._clear_after_read = like._clear_after_read
        ta._flow = flow
        return ta

    # -- properties ---------------------------------------------------------------------
    @property
    def dtype(self):
        return self._dtype

    @property
    def dynamic_size(self):
        return self._dynamic_size

    @property
    def element_shape(self):
        return self._element_shape

    @property
    def flow(self):
        if self._eager:
            return convert_to_tensor(np.float32(0.0))
        return self._flow

    @property
    def handle(self):
        return None

    def __repr__(self):
        return f"<TensorArray dtype={self._dtype.name} element_shape={self._element_shape}>"

    def _merge_shape(self, shape):
        if not self._element_shape.is_compatible_with(shape):
            raise ValueError(
                f"Incompatible shape for value ({_pshape(shape)}), expected ({_pshape(self._element_shape)})"
            )
        if self._infer_shape:
            self._element_shape = self._element_shape.merge_with(shape)

    # -- eager helpers --------------------------------------------------------------------
    def _eager_index(self, index):
        return _as_int(index.numpy() if isinstance(index, EagerTensor) else index)

    def _maybe_zero(self, i):
        v = self._items[i]
        if v is None:
            from arroyo.ops import array_ops

            if not self._element_shape.is_fully_defined():
                raise ValueError(
                    f"Cannot convert a partially known TensorShape {self._element_shape} to a Tensor."
                )
            v = self._items[i] = array_ops.zeros(self._element_shape.as_list(), dtype=self._dtype)
        return v

    def _eager_write(self, i, value):
        if i < 0:
            raise OutOfRangeError(
                None, None, f"Writing to negative indices (index {i}) is not allowed."
            )
        n = len(self._items)
        if i >= n:
            if not self._dynamic_size:
                raise OutOfRangeError(
                    None, None,
                    f"Tried to write to index {i} but array is not resizeable and size is: {n} ",
                )  # fmt: skip
            self._items.extend([None] * (i + 1 - n))
        value = _to_value(value, self._dtype)
        self._merge_shape(value.shape)
        self._items[i] = value

    # -- the TensorArray API ------------------------------------------------------------------
    def read(self, index, name=None):
        """The tensor at `index` (zeros if never written and the element shape is known)."""
        if self._eager:
            i = self._eager_index(index)
            n = len(self._items)
            if not 0 <= i < n:
                raise OutOfRangeError(
                    None, None, f"Tried to read from index {i} but array size is: {n} "
                )
            v = self._items[i]
            if v is None:
                if i in self._previously_read:
                    raise InvalidArgumentError(
                        None, None,
                        f"Could not read index {i} twice because it was cleared after a previous "
                        "read (perhaps try setting clear_after_read = false?)",
                    )  # fmt: skip
                v = self._maybe_zero(i)
            if self._clear_after_read:
                self._items[i] = None
                self._previously_read.add(i)
            return v
        out = get_item(self._flow, index, self._element_shape, self._dtype)
        return out

    def write(self, index, value, name=None):
        """Writes `value` at `index`; returns the TensorArray to use from now on."""
        if self._eager:
            self._eager_write(self._eager_index(index), value)
            return self
        value = _to_value(value, self._dtype)
        self._merge_shape(value.shape)
        flow = set_item(self._flow, index, value, resize=self._dynamic_size)
        return TensorArray._with_flow(self, flow)

    def stack(self, name=None):
        """All elements packed into one tensor along a new first axis."""
        from arroyo.ops import array_ops

        if self._eager:
            if not self._items:
                if self._element_shape.is_fully_defined():
                    return array_ops.zeros([0] + self._element_shape.as_list(), dtype=self._dtype)
                return array_ops.zeros([0], dtype=self._dtype)
            return array_ops.stack([self._maybe_zero(i) for i in range(len(self._items))])
        return stack(self._flow, self._element_shape, self._dtype)

    def gather(self, indices, name=None):
        """The elements at `indices`, packed along a new first axis."""
        from arroyo.ops import array_ops

        if self._eager:
            idx = np.asarray(
                indices.numpy() if isinstance(indices, EagerTensor) else indices
            ).reshape(-1)
            vals = []
            n = len(self._items)
            for i in idx:
                if not 0 <= int(i) < n:
                    raise OutOfRangeError(
                        None, None, f"Tried to read from index {int(i)} but array size is: {n} "
                    )
                vals.append(self._maybe_zero(int(i)))
            if not vals:
                shape = (
                    self._element_shape.as_list() if self._element_shape.is_fully_defined() else []
                )
                return array_ops.zeros([0] + shape, dtype=self._dtype)
            return array_ops.stack(vals)
        return gather(self._flow, indices, self._element_shape, self._dtype)

    def concat(self, name=None):
        """All elements concatenated along their first axis."""
        from arroyo.ops import array_ops

        if self._eager:
            vals = [self._maybe_zero(i) for i in range(len(self._items))]
            if not vals:
                return array_ops.zeros([0], dtype=self._dtype)
            return array_ops.concat(vals, 0)
        es = self._element_shape
        out, _ = concat(self._flow, es if es.rank is not None else TensorShape(None),
                        np.zeros([0], np.int64), self._dtype)  # fmt: skip
        return out

    def unstack(self, value, name=None):
        """Writes the rows of `value` at indices 0..n-1."""
        from arroyo.ops import array_ops

        value = _to_value(value, self._dtype)
        if self._eager:
            rows = array_ops.unstack(value)
            if len(rows) > len(self._items) and not self._dynamic_size:
                raise ValueError(
                    f"Cannot unstack {len(rows)} tensors into a TensorArray of static size {len(self._items)} "
                )
            self._items = list(rows)
            return self
        if value.shape.rank is not None and value.shape.rank > 0:
            self._merge_shape(value.shape[1:])
        flow = from_tensor(value, self._element_shape)
        return TensorArray._with_flow(self, flow)

    def scatter(self, indices, value, name=None):
        """Writes the rows of `value` at `indices`."""
        from arroyo.ops import array_ops

        value = _to_value(value, self._dtype)
        if self._eager:
            idx = np.asarray(
                indices.numpy() if isinstance(indices, EagerTensor) else indices
            ).reshape(-1)
            for i, r in zip(idx, array_ops.unstack(value)):
                self._eager_write(int(i), r)
            return self
        if value.shape.rank is not None and value.shape.rank > 0:
            self._merge_shape(value.shape[1:])
        flow = scatter(self._flow, value, indices)
        return TensorArray._with_flow(self, flow)

    def split(self, value, lengths, name=None):
        """Splits `value` along its first axis into pieces of `lengths` and writes them."""
        from arroyo.ops import array_ops

        value = _to_value(value, self._dtype)
        lengths = (
            convert_to_tensor(lengths, dtype=dtypes.int64)
            if not isinstance(lengths, Tensor)
            else lengths
        )
        if lengths.shape.rank is not None and lengths.shape.rank != 1:
            raise ValueError(f"Shape must be rank 1 but is rank {lengths.shape.rank}")
        if self._eager:
            lens = np.asarray(lengths.numpy()).reshape(-1)
            if value.shape.rank == 0:
                raise InvalidArgumentError(
                    None, None, "Expected value to be at least a vector, but received shape: [] "
                )
            if int(lens.sum()) != value.shape[0]:
                raise InvalidArgumentError(
                    None, None,
                    f"Expected sum of lengths to be equal to values.shape[0], but sum of lengths is "
                    f"{int(lens.sum())} and value's shape is: {value.shape.as_list()} ",
                )  # fmt: skip
            if not self._dynamic_size and len(lens) != len(self._items):
                raise InvalidArgumentError(
                    None, None,
                    f"TensorArray's size is not equal to the size of lengths ({len(self._items)} vs. "
                    f"{len(lens)}), and the TensorArray is not marked as dynamically resizeable.",
                )  # fmt: skip
            bounds = np.cumsum(lens)
            self._items = [value[int(b - n) : int(b)] for b, n in zip(bounds, lens)]
            return self
        if value.shape.rank is not None and value.shape.rank > 0:
            self._merge_shape(TensorShape([None]).concatenate(value.shape[1:]))
        flow = split(value, self._element_shape, lengths)
        del array_ops
        return TensorArray._with_flow(self, flow)

    def size(self, name=None):
        """The number of elements, as an int32 scalar tensor."""
        if self._eager:
            return convert_to_tensor(np.int32(len(self._items)))
        return length(self._flow)

    def close(self, name=None):
        return None

    def identity(self):
        return self

    def grad(self, source, flow=None, name=None):
        raise NotImplementedError("TensorArray.grad is a TF1 API; use tf.GradientTape.")

    def mark_used(self):
        pass


def _pshape(shape):
    shape = as_shape(shape)
    if shape.rank is None:
        return "<unknown>"
    return str(tuple(shape.as_list()))


def is_tensor_array(x) -> bool:
    return isinstance(x, TensorArray)
