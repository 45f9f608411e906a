"""Table rows for the TensorList ops behind graph TensorArrays (called as tf.raw_ops).

If/StatelessIf, Case/StatelessCase, While/StatelessWhile hold sub-graphs in their attrs and
run inside compiled plans; they are tested in tests/graph/test_control_flow.py.
"""

import numpy as np

from tests.harness import Case

R = np.random.default_rng(7)
X = R.normal(size=(3, 2)).astype(np.float32)
V = R.normal(size=(2,)).astype(np.float32)
X2 = R.normal(size=(2, 2)).astype(np.float32)
S = R.normal(size=(5,)).astype(np.float32)


def _from(tf, x):
    return tf.raw_ops.TensorListFromTensor(tensor=x, element_shape=tf.constant([2]))


def _stack(tf, lst, dtype, n=-1):
    return tf.raw_ops.TensorListStack(input_handle=lst, element_shape=tf.constant([2]), element_dtype=dtype,
                                      num_elements=n)  # fmt: skip


def _reserve(tf, n, dtype):
    return tf.raw_ops.TensorListReserve(element_shape=tf.constant([2]), num_elements=tf.constant(n),
                                        element_dtype=dtype)  # fmt: skip


def _set_get(tf, v):
    lst = tf.raw_ops.TensorListSetItem(
        input_handle=_reserve(tf, 3, v.dtype), index=tf.constant(1), item=v
    )
    item = tf.raw_ops.TensorListGetItem(input_handle=lst, index=tf.constant(1), element_shape=tf.constant([2]),
                                        element_dtype=v.dtype)  # fmt: skip
    return [item, _stack(tf, lst, v.dtype)]


def _scatter(tf, x):
    lst = tf.raw_ops.TensorListScatterIntoExistingList(input_handle=_reserve(tf, 3, x.dtype), tensor=x,
                                                       indices=tf.constant([2, 0]))  # fmt: skip
    return _stack(tf, lst, x.dtype)


def _split_concat(tf, s):
    lst = tf.raw_ops.TensorListSplit(
        tensor=s, element_shape=tf.constant([-1]), lengths=tf.constant([2, 3], tf.int64)
    )
    out = tf.raw_ops.TensorListConcatV2(input_handle=lst, element_shape=tf.constant([-1]),
                                        leading_dims=tf.constant([], tf.int64), element_dtype=s.dtype)  # fmt: skip
    return [out[0] * 2.0, out[1]]


def _empty_push(tf, v):
    lst = tf.raw_ops.EmptyTensorList(element_shape=tf.constant([2]), max_num_elements=tf.constant(-1),
                                     element_dtype=v.dtype)  # fmt: skip
    lst = tf.raw_ops.TensorListSetItem(input_handle=lst, index=tf.constant(1), item=v,
                                       resize_if_index_out_of_bounds=True)  # fmt: skip
    return _stack(tf, lst, v.dtype)


def _internal(tf, x):
    a = _from(tf, x)
    b = tf.raw_ops.TensorListFromItems(items=[x[0], x[1], x[2]], element_dtype=x.dtype)
    total = tf.raw_ops.TensorListAddLists(a=a, b=b)
    zeros = tf.raw_ops.TensorListZerosLike(input_handle=a)
    return [_stack(tf, total, x.dtype), _stack(tf, zeros, x.dtype)]


CASES = [
    Case(
        "tensorlist_from_tensor_stack",
        lambda tf, x: _stack(tf, _from(tf, x), x.dtype) * 3.0,
        [X],
        ops=("TensorListFromTensor", "TensorListStack"),
        ref=lambda x: x * 3,
        grad=True,
    ),
    Case(
        "tensorlist_reserve_set_get",
        _set_get,
        [V],
        ops=("TensorListReserve", "TensorListSetItem", "TensorListGetItem"),
        ref=lambda v: [v, np.stack([0 * v, v, 0 * v])],
        grad=True,
    ),  # fmt: skip
    Case(
        "tensorlist_length",
        lambda tf, x: tf.raw_ops.TensorListLength(input_handle=_from(tf, x)),
        [X],
        ops=("TensorListLength",),
        ref=lambda x: np.int32(3),
    ),
    Case(
        "tensorlist_gather",
        lambda tf, x: tf.raw_ops.TensorListGather(
            input_handle=_from(tf, x),
            indices=tf.constant([2, 0, 2]),
            element_shape=tf.constant([2]),
            element_dtype=x.dtype,
        ),
        [X],
        ops=("TensorListGather",),
        ref=lambda x: x[[2, 0, 2]],
        grad=True,
    ),
    Case(
        "tensorlist_scatter",
        _scatter,
        [X2],
        ops=("TensorListScatterIntoExistingList",),
        ref=lambda x: np.stack([x[1], 0 * x[0], x[0]]),
        grad=True,
    ),
    Case(
        "tensorlist_split_concat",
        _split_concat,
        [S],
        ops=("TensorListSplit", "TensorListConcatV2"),
        ref=lambda s: [s * 2, np.array([2, 3], np.int64)],
        grad=True,
    ),
    Case(
        "tensorlist_empty_resize",
        _empty_push,
        [V],
        ops=("EmptyTensorList",),
        ref=lambda v: np.stack([0 * v, v]),
        grad=True,
    ),
    # Internal list ops (TF uses AddN/ZerosLike on variants): no TF golden.
    Case(
        "tensorlist_internal_add_zeros_items",
        _internal,
        [X],
        golden=False,
        ops=("TensorListAddLists", "TensorListZerosLike", "TensorListFromItems"),
        ref=lambda x: [2 * x, 0 * x],
        grad=True,
    ),
]
