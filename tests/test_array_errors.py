"""Error paths of the array ops: exception types and messages, checked against TF 2.21.

The expected texts are TensorFlow's own (eager) messages, with the
`{{function_node ...}}` prefix and ` name: ...` suffix TF adds left out; for messages that
continue with a NodeDef dump, the first line.
Also here: the graph-mode paths these ops take when shapes are unknown (tf.function with
`None` dimensions), compared against eager results.
"""

import numpy as np
import pytest

import arroyo as tf
from arroyo.framework.errors import InvalidArgumentError
from arroyo.ops import manip_ops

# (id, expression with `tf`, TF's exception type, TF's message)
ERRORS = [
    (
        "index_past_end",
        "tf.range(8)[5:6][3]",
        InvalidArgumentError,
        "slice index 3 of dimension 0 out of bounds. [Op:StridedSlice]",
    ),
    (
        "index_8",
        "tf.range(8)[8]",
        InvalidArgumentError,
        "slice index 8 of dimension 0 out of bounds. [Op:StridedSlice]",
    ),
    (
        "index_negative",
        "tf.range(8)[-9]",
        InvalidArgumentError,
        "slice index -1 of dimension 0 out of bounds. [Op:StridedSlice]",
    ),
    (
        "index_dim1",
        "tf.zeros([2, 3])[1, 3]",
        InvalidArgumentError,
        "slice index 3 of dimension 1 out of bounds. [Op:StridedSlice]",
    ),
    (
        "index_too_many",
        "tf.range(8)[1, 2]",
        InvalidArgumentError,
        "Index out of range using input dim 1; input has only 1 dims [Op:StridedSlice]",
    ),
    (
        "index_step_zero",
        "tf.zeros([2, 3])[:, ::0]",
        InvalidArgumentError,
        "strides[1] must be non-zero [Op:StridedSlice]",
    ),
    (
        "index_float",
        "tf.range(8)[1.5]",
        TypeError,
        "Only integers, slices (`:`), ellipsis (`...`), tf.newaxis (`None`) and scalar tf.int32/tf.int64 tensors are valid indices, got 1.5",
    ),
    (
        "index_str",
        "tf.range(8)['a']",
        TypeError,
        "Only integers, slices (`:`), ellipsis (`...`), tf.newaxis (`None`) and scalar tf.int32/tf.int64 tensors are valid indices, got 'a'",
    ),
    (
        "index_float_tensor",
        "tf.range(8)[tf.constant(1.0)]",
        TypeError,
        "Only integers, slices (`:`), ellipsis (`...`), tf.newaxis (`None`) and scalar tf.int32/tf.int64 tensors are valid indices, got <tf.Tensor: shape=(), dtype=float32, numpy=1.0>",
    ),
    (
        "reshape_size",
        "tf.reshape(tf.range(8), [3, 3])",
        InvalidArgumentError,
        "Input to reshape is a tensor with 8 values, but the requested shape has 9 [Op:Reshape]",
    ),
    (
        "reshape_multiple",
        "tf.reshape(tf.range(8), [3, -1])",
        InvalidArgumentError,
        "Input to reshape is a tensor with 8 values, but the requested shape requires a multiple of 3 [Op:Reshape]",
    ),
    (
        "reshape_negative",
        "tf.reshape(tf.range(8), [2, -3])",
        InvalidArgumentError,
        "Size 1 must be non-negative, not -3 [Op:Reshape]",
    ),
    (
        "reshape_two_unknown",
        "tf.reshape(tf.range(8), [-1, 2, -1])",
        InvalidArgumentError,
        "Only one input size may be -1, not both 0 and 2 [Op:Reshape]",
    ),
    (
        "concat_dims",
        "tf.concat([tf.zeros([2, 3]), tf.zeros([2, 4])], 0)",
        InvalidArgumentError,
        "ConcatOp : Dimension 1 in both shapes must be equal: shape[0] = [2,3] vs. shape[1] = [2,4] [Op:ConcatV2]",
    ),
    (
        "concat_axis",
        "tf.concat([tf.zeros([2, 3]), tf.zeros([2, 4])], 2)",
        InvalidArgumentError,
        "ConcatOp : Expected concatenating dimensions in the range [-2, 2), but got 2 [Op:ConcatV2]",
    ),
    (
        "concat_rank",
        "tf.concat([tf.zeros([2, 3]), tf.zeros([2])], 0)",
        InvalidArgumentError,
        "ConcatOp : Ranks of all input tensors should match: shape[0] = [2,3] vs. shape[1] = [2] [Op:ConcatV2]",
    ),
    (
        "concat_dtype",
        "tf.concat([tf.zeros([2, 3]), tf.zeros([2, 3], tf.int32)], 0)",
        InvalidArgumentError,
        "cannot compute ConcatV2 as input #1(zero-based) was expected to be a float tensor but is a int32 tensor [Op:ConcatV2]",
    ),
    (
        "stack_shapes",
        "tf.stack([tf.zeros([2, 3]), tf.zeros([3, 2])])",
        InvalidArgumentError,
        "Shapes of all inputs must match: values[0].shape = [2,3] != values[1].shape = [3,2] [Op:Pack]",
    ),
    (
        "stack_axis",
        "tf.stack([tf.zeros([2]), tf.zeros([2])], axis=3)",
        ValueError,
        "Argument `axis` = 3 not in range [-2, 2)",
    ),
    (
        "unstack_axis",
        "tf.unstack(tf.zeros([2, 3]), axis=-3)",
        ValueError,
        "Argument `axis` = -3 not in range [-2, 2)",
    ),
    (
        "expand_dims_axis",
        "tf.expand_dims(tf.range(8), 3)",
        InvalidArgumentError,
        "Tried to expand dim index 3 for tensor with 1 dimensions. [Op:ExpandDims]",
    ),
    (
        "squeeze_not_one",
        "tf.squeeze(tf.zeros([2, 1]), 0)",
        InvalidArgumentError,
        "Can not squeeze dim[0], expected a dimension of 1, got 2 [Op:Squeeze]",
    ),
    (
        "squeeze_axis",
        "tf.squeeze(tf.zeros([2, 1]), 2)",
        InvalidArgumentError,
        "Tried to squeeze dim index 2 for tensor with 2 dimensions. [Op:Squeeze]",
    ),
    (
        "transpose_range",
        "tf.transpose(tf.zeros([2, 1]), [0, 2])",
        InvalidArgumentError,
        "2 is out of range [0 .. 2) [Op:Transpose]",
    ),
    (
        "transpose_missing",
        "tf.transpose(tf.zeros([2, 3, 4]), [0, 1, 1])",
        InvalidArgumentError,
        "2 is missing from {0,1,1}. [Op:Transpose]",
    ),
    (
        "transpose_size",
        "tf.transpose(tf.zeros([2, 1]), [0])",
        InvalidArgumentError,
        "transpose expects a vector of size 2. But input(1) is a vector of size 1 [Op:Transpose]",
    ),
    (
        "split_sizes_sum",
        "tf.split(tf.zeros([6]), [2, 3], 0)",
        InvalidArgumentError,
        "Determined shape must either match input shape along split_dim exactly if fully specified, or be less than the size of the input along split_dim if not fully specified.  Got: 5 [Op:SplitV]",
    ),
    (
        "split_sizes_over",
        "tf.split(tf.zeros([6]), [7, -1], 0)",
        InvalidArgumentError,
        "Determined shape must either match input shape along split_dim exactly if fully specified, or be less than the size of the input along split_dim if not fully specified.  Got: 7 [Op:SplitV]",
    ),
    (
        "split_two_unknown",
        "tf.split(tf.zeros([6]), [2, -1, -1], 0)",
        InvalidArgumentError,
        "There can only be one -1 in the input. [Op:SplitV]",
    ),
    (
        "split_negative_size",
        "tf.split(tf.range(6), [-2, 8])",
        InvalidArgumentError,
        "Split size at index 0 must be >= 0. Got: -2 [Op:SplitV]",
    ),
    (
        "split_uneven",
        "tf.split(tf.zeros([6]), 4, 0)",
        InvalidArgumentError,
        "Number of ways to split should evenly divide the split dimension, but got split_dim 0 (size = 6) and num_split 4 [Op:Split]",
    ),
    (
        "split_axis",
        "tf.split(tf.zeros([6]), 2, 1)",
        InvalidArgumentError,
        "-input rank(-1) <= split_dim < input rank (1), but got 1 [Op:Split]",
    ),
    (
        "splitv_axis",
        "tf.split(tf.zeros([6]), [3, 3], 1)",
        InvalidArgumentError,
        "-input rank(-1) <= split_dim < input rank (1), but got 1 [Op:SplitV]",
    ),
    (
        "split_zero_ways",
        "tf.split(tf.zeros([6]), 0)",
        InvalidArgumentError,
        "Value for attr 'num_split' of 0 must be at least minimum 1",
    ),
    (
        "split_num_mismatch",
        "tf.split(tf.range(6), [2, 4], num=3)",
        InvalidArgumentError,
        "size of the split_tensor must be 1-D and have the same elements as outputs got 1 -D and 2 elements [Op:SplitV]",
    ),
    (
        "split_float_sizes",
        "tf.split(tf.range(6), [2.0, 4.0])",
        InvalidArgumentError,
        "Value for attr 'Tlen' of float is not in the list of allowed values: int8, int32, int64",
    ),
    (
        "split_rank0_tensor",
        "tf.split(tf.range(6), tf.constant(3))",
        ValueError,
        "Rank-0 tensors are not supported as the num_or_size_splits argument to split. Argument provided: tf.Tensor(3, shape=(), dtype=int32)",
    ),
    (
        "tile_length",
        "tf.tile(tf.zeros([2, 3]), [2])",
        InvalidArgumentError,
        "Expected multiples argument to be a vector of length 2 but got length 1 [Op:Tile]",
    ),
    (
        "tile_negative",
        "tf.tile(tf.zeros([2, 3]), [2, -1])",
        InvalidArgumentError,
        "Expected multiples[1] >= 0, but got -1 [Op:Tile]",
    ),
    (
        "tile_2d_multiples",
        "tf.tile(tf.constant([3]), [[2]])",
        InvalidArgumentError,
        "Expected multiples to be 1-D, but got shape [1,1] [Op:Tile]",
    ),
    (
        "tile_float_multiples",
        "tf.tile(tf.constant([3]), [2.0])",
        InvalidArgumentError,
        "Value for attr 'Tmultiples' of float is not in the list of allowed values: int32, int64",
    ),
    (
        "pad_rows",
        "tf.pad(tf.zeros([2, 3]), [[1, 1]])",
        InvalidArgumentError,
        "The first dimension of paddings must be the rank of inputs[1,2] [2,3] [Op:Pad]",
    ),
    (
        "pad_columns",
        "tf.pad(tf.constant([1.0, 2.0]), [1, 1])",
        InvalidArgumentError,
        "paddings must be a matrix with 2 columns: [2] [Op:Pad]",
    ),
    (
        "pad_negative",
        "tf.pad(tf.zeros([2, 3]), [[1, 1], [-1, 0]])",
        InvalidArgumentError,
        "Paddings must be non-negative: -1 0 [Op:Pad]",
    ),
    (
        "pad_reflect_too_big",
        "tf.pad(tf.zeros([2, 3]), [[2, 0], [0, 0]], mode='REFLECT')",
        InvalidArgumentError,
        "paddings must be less than the dimension size: 2, 0 not less than 2 [Op:MirrorPad]",
    ),
    (
        "pad_symmetric_too_big",
        "tf.pad(tf.zeros([2, 3]), [[3, 0], [0, 0]], mode='SYMMETRIC')",
        InvalidArgumentError,
        "paddings must be no greater than the dimension size: 3, 0 greater than 2 [Op:MirrorPad]",
    ),
    (
        "pad_mirror_negative",
        "tf.pad(tf.constant([[1.0, 2.0]]), [[0, 0], [-1, 1]], mode='REFLECT')",
        InvalidArgumentError,
        "paddings must be non-negative: -1 1 [Op:MirrorPad]",
    ),
    (
        "pad_mode",
        "tf.pad(tf.zeros([2, 3]), [[1, 0], [0, 0]], mode='FOO')",
        ValueError,
        'Value of argument `mode` expected to be one of "CONSTANT", "REFLECT", or "SYMMETRIC". Received `mode` = FOO',
    ),
    (
        "pad_value_not_scalar",
        "tf.pad(tf.constant([1.0, 2.0]), [[1, 1]], constant_values=[1.0, 2.0])",
        InvalidArgumentError,
        "constant_values must be a scalar. Found: [2] [Op:PadV2]",
    ),
    (
        "pad_value_dtype",
        "tf.pad(tf.constant([1.0, 2.0]), [[1, 1]], constant_values=tf.constant(1))",
        InvalidArgumentError,
        "cannot compute PadV2 as input #2(zero-based) was expected to be a float tensor but is a int32 tensor [Op:PadV2]",
    ),
    (
        "pad_value_float_for_int",
        "tf.pad(tf.constant([1, 2]), [[1, 1]], constant_values=7.5)",
        TypeError,
        "Cannot convert 7.5 to EagerTensor of dtype int32",
    ),
    (
        "reverse_axis",
        "tf.reverse(tf.zeros([2, 3]), [2])",
        InvalidArgumentError,
        "'axis'[0] = 2 is out of valid range [0, 1 [Op:ReverseV2]",
    ),
    (
        "reverse_duplicate",
        "tf.reverse(tf.zeros([2, 3]), [1, -1])",
        InvalidArgumentError,
        "axis 1 specified more than once. [Op:ReverseV2]",
    ),
    (
        "reverse_scalar_axis",
        "tf.reverse(tf.zeros([2, 3]), 1)",
        InvalidArgumentError,
        "'dims' must be 1-dimension, not 0 [Op:ReverseV2]",
    ),
    (
        "revseq_too_long",
        "tf.reverse_sequence(tf.zeros([2, 3]), [4, 1], seq_axis=1, batch_axis=0)",
        InvalidArgumentError,
        "seq_lens(0) > input.dims(1) [Op:ReverseSequence]",
    ),
    (
        "revseq_negative",
        "tf.reverse_sequence(tf.zeros([2, 3]), [-1, 1], seq_axis=1, batch_axis=0)",
        InvalidArgumentError,
        "seq_lens(0) < 0 [Op:ReverseSequence]",
    ),
    (
        "revseq_batch",
        "tf.reverse_sequence(tf.zeros([2, 3]), [1], seq_axis=1, batch_axis=0)",
        InvalidArgumentError,
        "Length of seq_lengths != input.dims(0), (1 vs. 2) [Op:ReverseSequence]",
    ),
    (
        "revseq_same_axes",
        "tf.reverse_sequence(tf.zeros([2, 3]), [1, 1], seq_axis=0, batch_axis=0)",
        InvalidArgumentError,
        "batch_dim == seq_dim == 0 [Op:ReverseSequence]",
    ),
    (
        "revseq_seq_axis",
        "tf.reverse_sequence(tf.zeros([2, 3]), [1, 1], seq_axis=2, batch_axis=0)",
        InvalidArgumentError,
        "seq_dim must be < input rank ( 2 vs. 2) [Op:ReverseSequence]",
    ),
    (
        "revseq_batch_axis",
        "tf.reverse_sequence(tf.zeros([2, 3]), [1, 1], seq_axis=1, batch_axis=3)",
        InvalidArgumentError,
        "batch_dim must be < input rank ( 3 vs. 2) [Op:ReverseSequence]",
    ),
    (
        "revseq_no_seq_axis",
        "tf.reverse_sequence(tf.zeros([2, 3]), [1, 1])",
        TypeError,
        "Expected int for argument 'seq_dim' not None.",
    ),
    (
        "slice_size",
        "tf.slice(tf.zeros([2, 3]), [0, 1], [1, 3])",
        InvalidArgumentError,
        "Expected size[1] in [0, 2], but got 3 [Op:Slice]",
    ),
    (
        "slice_begin_negative",
        "tf.slice(tf.zeros([2, 3]), [-1, 0], [1, 3])",
        InvalidArgumentError,
        "Expected begin[0] in [0, 2], but got -1 [Op:Slice]",
    ),
    (
        "slice_begin_past_end",
        "tf.slice(tf.zeros([2, 3]), [3, 0], [0, 1])",
        InvalidArgumentError,
        "Expected begin[0] in [0, 2], but got 3 [Op:Slice]",
    ),
    (
        "slice_size_negative",
        "tf.slice(tf.zeros([2, 3]), [1, 0], [-2, -1])",
        InvalidArgumentError,
        "Expected size[0] in [0, 1], but got -2 [Op:Slice]",
    ),
    (
        "slice_lengths",
        "tf.slice(tf.zeros([2, 3]), [0], [1])",
        InvalidArgumentError,
        "Expected begin and size arguments to be 1-D tensors of size 2, but got shapes [1] and [1] instead. [Op:Slice]",
    ),
    (
        "roll_axis",
        "tf.roll(tf.zeros([2, 3]), 1, 2)",
        InvalidArgumentError,
        "axis 2 is out of range [Op:Roll]",
    ),
    (
        "roll_sizes",
        "tf.roll(tf.zeros([2, 3]), [1, 2], [0])",
        InvalidArgumentError,
        "shift and axis must have the same size [Op:Roll]",
    ),
    (
        "roll_2d_shift",
        "tf.roll(tf.zeros([2, 3]), [[1]], [1])",
        InvalidArgumentError,
        "shift must be a scalar or a 1-D vector. Found: [1,1] [Op:Roll]",
    ),
    (
        "roll_scalar",
        "tf.roll(tf.constant(3), 1, 0)",
        InvalidArgumentError,
        "input must be 1-D or higher [Op:Roll]",
    ),
    (
        "roll_float_shift",
        "tf.roll(tf.zeros([2, 3]), 1.0, 1)",
        InvalidArgumentError,
        "Value for attr 'Tshift' of float is not in the list of allowed values: int32, int64",
    ),
    (
        "ensure_shape",
        "tf.ensure_shape(tf.zeros([2, 3]), [2, 4])",
        InvalidArgumentError,
        "Shape of tensor input [2,3] is not compatible with expected shape [2,4]. [Op:EnsureShape]",
    ),
    (
        "ensure_rank",
        "tf.ensure_shape(tf.zeros([2, 3]), [2])",
        InvalidArgumentError,
        "Shape of tensor input [2,3] is not compatible with expected shape [2]. [Op:EnsureShape]",
    ),
    (
        "unravel_bound",
        "tf.unravel_index([7], [2, 3])",
        InvalidArgumentError,
        "index is out of bound as with dims [Op:UnravelIndex]",
    ),
    (
        "unravel_zero_dim",
        "tf.unravel_index(0, [2, 0])",
        InvalidArgumentError,
        "Input dims cannot contain a dim of zero, but dims contains zero at index 1 [Op:UnravelIndex]",
    ),
    (
        "unravel_negative_dim",
        "tf.unravel_index(0, [2, -3])",
        InvalidArgumentError,
        "Input dims cannot be negative. Got dim = -3 at index 1 [Op:UnravelIndex]",
    ),
    (
        "unravel_float",
        "tf.unravel_index([1.0], [2, 3])",
        InvalidArgumentError,
        "Value for attr 'Tidx' of float is not in the list of allowed values: int32, int64",
    ),
    (
        "broadcast_dynamic",
        "tf.broadcast_dynamic_shape([2, 3], [4, 3])",
        InvalidArgumentError,
        "Incompatible shapes: [2,3] vs. [4,3] [Op:BroadcastArgs]",
    ),
    (
        "broadcast_dynamic_dtypes",
        "tf.broadcast_dynamic_shape(tf.constant([2, 1], tf.int64), tf.constant([3, 1, 4]))",
        InvalidArgumentError,
        "cannot compute BroadcastArgs as input #1(zero-based) was expected to be a int64 tensor but is a int32 tensor [Op:BroadcastArgs]",
    ),
    (
        "broadcast_gradient_args",
        "tf.raw_ops.BroadcastGradientArgs(s0=[2, 3], s1=[4, 3])",
        InvalidArgumentError,
        "Incompatible shapes: [2,3] vs. [4,3] [Op:BroadcastGradientArgs]",
    ),
    (
        "broadcast_static",
        "tf.broadcast_static_shape(tf.TensorShape([None, 2]), tf.TensorShape([3]))",
        ValueError,
        "Incompatible shapes for broadcasting. Two shapes are compatible if for each dimension pair they are either equal or one of them is 1. Received: (None, 2) and (3,).",
    ),
    (
        "broadcast_to",
        "tf.broadcast_to(tf.zeros([2, 3]), [4, 3])",
        InvalidArgumentError,
        "Incompatible shapes: [2,3] vs. [4,3] [Op:BroadcastTo]",
    ),
    (
        "repeat_sizes",
        "tf.repeat(tf.zeros([2, 3]), [1, 2, 3], axis=0)",
        ValueError,
        "Dimensions 2 and 3 are not compatible",
    ),
    (
        "repeat_axis",
        "tf.repeat(tf.zeros([2, 3]), 2, axis=2)",
        ValueError,
        "axis=2 out of bounds: expected -2<=axis<2",
    ),
    (
        "repeat_float",
        "tf.repeat([1, 2], 2.0)",
        TypeError,
        "Argument `tensor` (name: repeats) must be of type integer. Received `tensor` = 2.0 of dtype: <dtype: 'float32'>",
    ),
    (
        "sequence_mask_maxlen",
        "tf.sequence_mask([1, 2], -1)",
        InvalidArgumentError,
        "Requires start <= limit when delta > 0: 0/-1 [Op:Range]",
    ),
    (
        "sequence_mask_vector_maxlen",
        "tf.sequence_mask([1, 3], [4])",
        ValueError,
        "Argument `maxlen` must be scalar for sequence_mask, received `maxlen` = [4] with shape '(1,)' instead",
    ),
    (
        "meshgrid_indexing",
        "tf.meshgrid([1], [2], indexing='foo')",
        ValueError,
        "Argument `indexing` parameter must be either 'xy' or 'ij', got 'foo'",
    ),
    (
        "meshgrid_kwarg",
        "tf.meshgrid([1], foo=2)",
        TypeError,
        "'foo' is an invalid keyword argument for this function",
    ),
    (
        "meshgrid_dtypes",
        "tf.meshgrid([1, 2], [3.0])",
        InvalidArgumentError,
        "cannot compute Mul as input #1(zero-based) was expected to be a float tensor but is a int32 tensor [Op:Mul]",
    ),
    (
        "fill_negative",
        "tf.fill([-1], 1)",
        InvalidArgumentError,
        "Dimension -1 must be >= 0 [Op:Fill]",
    ),
    (
        "one_hot_depth",
        "tf.one_hot([1], -2)",
        InvalidArgumentError,
        "depth must be non-negative, got: -2 [Op:OneHot]",
    ),
    (
        "select_shapes",
        "tf.where([True, False], [1, 2, 3], [1, 2, 3])",
        InvalidArgumentError,
        "condition [2], then [3], and else [3] must be broadcastable [Op:SelectV2]",
    ),
    (
        "where_one_of_two",
        "tf.where([True, False], [1, 2])",
        ValueError,
        "x and y must both be non-None or both be None.",
    ),
    ("range_delta", "tf.range(0, 5, 0)", InvalidArgumentError, "Requires delta != 0: 0 [Op:Range]"),
    (
        "range_direction",
        "tf.range(5, 0, 1)",
        InvalidArgumentError,
        "Requires start <= limit when delta > 0: 5/0 [Op:Range]",
    ),
]


@pytest.mark.parametrize("src,etype,message", [e[1:] for e in ERRORS], ids=[e[0] for e in ERRORS])
def test_error_matches_tf(src, etype, message):
    with pytest.raises(etype) as info:
        eval(src, {"tf": tf, "np": np})
    assert message in str(info.value), f"\n got: {info.value}\nwant: {message}"
    if etype is InvalidArgumentError:
        assert str(info.value).rstrip().endswith("]"), "op errors end with [Op:Name]"


def test_index_past_end_of_short_tensor():
    with pytest.raises(InvalidArgumentError, match=r"slice index 5 of dimension 0 out of bounds\."):
        tf.range(5)[5]


# -- static errors while tracing: TF raises ValueError from shape inference ---------------------

TRACE_ERRORS = [
    ("index", lambda v: v[5], "slice index 5 of dimension 0 out of bounds."),
    (
        "index_rank",
        lambda v: v[1, 2],
        "Index out of range using input dim 1; input has only 1 dims",
    ),
    (
        "split_sizes",
        lambda v: tf.split(v, [2, 2]),
        "can't split axis of size 5 into pieces of size [2,2]",
    ),
    (
        "split_uneven",
        lambda v: tf.split(v, 3),
        "Dimension size must be evenly divisible by 3 but is 5",
    ),
    ("tile", lambda v: tf.tile(v, [1, 2]), "Shape must be rank 1 but is rank 2"),
    ("pad", lambda v: tf.pad(v, [[1, 1], [1, 1]]), "Shape must be rank 2 but is rank 1"),
    ("reverse", lambda v: tf.reverse(v, [1]), "'axis'[0] = 1 is out of valid range [0, 0"),
    (
        "ensure",
        lambda v: tf.ensure_shape(v, [4]),
        "Dimension 0 in both shapes must be equal, but are 4 and 5. Shapes are [4] and [5].",
    ),
    ("ensure_rank", lambda v: tf.ensure_shape(v, [5, 1]), "Shape must be rank 2 but is rank 1"),
    (
        "reshape",
        lambda v: tf.reshape(v, [2, 2]),
        "Cannot reshape a tensor with 5 elements to shape [2,2] (4 elements)",
    ),
    ("concat_rank", lambda v: tf.concat([v, v[None]], 0), "Shape must be rank 1 but is rank 2"),
    (
        "concat_dims",
        lambda v: tf.concat([v[None], v[None, :2]], 0),
        "Dimension 0 in both shapes must be equal, but are 5 and 2.",
    ),
    ("transpose_rank", lambda v: tf.transpose(v, [0, 1]), "Dimension must be 1 but is 2"),
    (
        "transpose_range",
        lambda v: tf.transpose(v[None], [0, 2]),
        "perm dim 2 is out of range of input rank 2",
    ),
]


@pytest.mark.parametrize(
    "fn,message", [e[1:] for e in TRACE_ERRORS], ids=[e[0] for e in TRACE_ERRORS]
)
def test_trace_time_error_matches_tf(fn, message):
    with pytest.raises(ValueError) as info:
        tf.function(fn).get_concrete_function(tf.TensorSpec([5], tf.float32))
    assert message in str(info.value)


# -- values and shapes outside the op table ------------------------------------------------------


def test_stop_gradient_blocks_the_gradient():
    x = tf.constant([1.0, 2.0])
    with tf.GradientTape() as t:
        t.watch(x)
        y = tf.reduce_sum(tf.stop_gradient(x) * x)
    np.testing.assert_allclose(t.gradient(y, x).numpy(), [1.0, 2.0])


def test_broadcast_static_shape():
    # Values from TF 2.21.
    assert tf.broadcast_static_shape(
        tf.TensorShape([None, 1, 3]), tf.TensorShape([4, 3])
    ).as_list() == [None, 4, 3]
    assert tf.broadcast_static_shape(
        tf.TensorShape([2, 1]), tf.TensorShape([1, None])
    ).as_list() == [2, None]
    assert tf.broadcast_static_shape(tf.TensorShape([]), tf.TensorShape([5])).as_list() == [5]
    assert tf.broadcast_static_shape(tf.TensorShape(None), tf.TensorShape([3])).rank is None


def test_raw_op_signatures():
    x = tf.reshape(tf.range(6.0), [2, 3])
    a, b, c = tf.raw_ops.Split(split_dim=1, value=x, num_split=3)
    assert a.shape == [2, 1] and c.numpy().tolist() == [[2.0], [5.0]]
    parts = tf.raw_ops.SplitV(value=x, size_splits=[1, 2], split_dim=1, num_split=2)
    assert [p.shape.as_list() for p in parts] == [[2, 1], [2, 2]]
    y = tf.raw_ops.MirrorPad(input=x, paddings=[[1, 0], [0, 2]], mode="SYMMETRIC")
    assert y.shape == [3, 5]
    g = tf.raw_ops.MirrorPadGrad(input=tf.ones_like(y), paddings=[[1, 0], [0, 2]], mode="SYMMETRIC")
    np.testing.assert_array_equal(g.numpy(), [[2, 4, 4], [1, 2, 2]])  # rows 2,1 x cols 1,2,2
    r = tf.raw_ops.ReverseSequence(input=x, seq_lengths=[2, 3], seq_dim=1, batch_dim=0)
    np.testing.assert_array_equal(r.numpy(), [[1, 0, 2], [5, 4, 3]])
    np.testing.assert_array_equal(
        tf.raw_ops.PadV2(input=x, paddings=[[0, 0], [1, 0]], constant_values=9.0).numpy()[:, 0],
        [9, 9],
    )
    assert tf.raw_ops.EnsureShape(input=x, shape=[2, None]).shape == [2, 3]
    assert [s.numpy().tolist() for s in tf.raw_ops.ShapeN(input=[x, x[0]])] == [[2, 3], [3]]
    np.testing.assert_array_equal(
        tf.raw_ops.Roll(input=x, shift=1, axis=1).numpy(), [[2, 0, 1], [5, 3, 4]]
    )


def test_unbroadcast_dynamic_and_reduced_shape():
    g = tf.ones([2, 3, 4])
    out = manip_ops.unbroadcast_dynamic(g, tf.ones([3, 1]))
    assert out.shape == [3, 1]
    np.testing.assert_array_equal(out.numpy(), np.full((3, 1), 8.0))
    assert manip_ops.reduced_shape([2, 3, 4], [0, -1]).numpy().tolist() == [1, 3, 1]
    assert manip_ops.reduced_shape(tf.constant([2, 3], tf.int64), 1).dtype == tf.int64


# -- graph mode with unknown dimensions: the dynamic paths must agree with eager -----------------

X = np.arange(12, dtype=np.float32).reshape(3, 4)

DYNAMIC = {
    "tile": lambda v: tf.tile(v, [2, 3]),
    "tile_dynamic": lambda v: tf.tile(v, tf.shape(v)[::-1] - 1),
    "pad": lambda v: tf.pad(v, [[1, 2], [0, 1]]),
    "pad_dynamic": lambda v: tf.pad(v, tf.stack([tf.shape(v) - 2, tf.shape(v) - 3], axis=1)),
    "pad_v2": lambda v: tf.pad(v, [[1, 2], [0, 1]], constant_values=3.0),
    "mirror_pad": lambda v: tf.pad(v, [[1, 2], [0, 1]], mode="REFLECT"),
    "slice": lambda v: tf.slice(v, [1, 1], [-1, 2]),
    "slice_dynamic": lambda v: tf.slice(v, tf.shape(v) - 2, [-1, 1]),
    "split": lambda v: tf.split(v, 2, axis=1),
    "split_sizes": lambda v: tf.split(v, [1, -1], axis=0),
    "split_dynamic_sizes": lambda v: tf.split(v, tf.stack([1, tf.shape(v)[0] - 1]), num=2, axis=0),
    "reverse": lambda v: tf.reverse(v, [0]),
    "reverse_sequence": lambda v: tf.reverse_sequence(v, [2, 3, 1], seq_axis=1),
    "roll": lambda v: tf.roll(v, [1, -1], [0, 1]),
    "repeat": lambda v: tf.repeat(v, 2, axis=0),
    "broadcast_grad": lambda v: tf.reduce_sum(v[:, :1] * v, axis=0),
    "meshgrid": lambda v: tf.meshgrid(v[0], v[1, :2]),
    "reduce_mean": lambda v: tf.reduce_mean(v, axis=1),
    "ensure_shape": lambda v: tf.ensure_shape(v, [None, 4]),
}
NO_GRAD = {
    "sequence_mask": lambda v: tf.sequence_mask(tf.cast(v[:, 0], tf.int32) // 3),
    "shape_n": lambda v: tf.shape_n([v, v[0]]),
    "unravel_index": lambda v: tf.unravel_index(tf.cast(v[0], tf.int32), tf.shape(v)),
    "reduced_shape": lambda v: manip_ops.reduced_shape(tf.shape(v), tf.constant([-1])),
    "repeat_vector": lambda v: tf.repeat(v, [1, 0, 2], axis=0),
}


def _with_grad(fn):
    def f(v):
        with tf.GradientTape() as t:
            t.watch(v)
            out = fn(v)
            s = sum(tf.reduce_sum(o * o) for o in tf.nest.flatten(out))
        return out, t.gradient(s, v)

    return f


def _compare(f):
    spec = tf.TensorSpec([None, None], tf.float32)
    eager = tf.nest.flatten(f(tf.constant(X)))
    graph = tf.nest.flatten(tf.function(f, input_signature=[spec])(tf.constant(X)))
    assert len(eager) == len(graph)
    for a, b in zip(eager, graph):
        assert a.dtype == b.dtype
        np.testing.assert_allclose(b.numpy(), a.numpy())


@pytest.mark.parametrize("name", sorted(DYNAMIC))
def test_unknown_dims_value_and_gradient(name):
    _compare(_with_grad(DYNAMIC[name]))


@pytest.mark.parametrize("name", sorted(NO_GRAD))
def test_unknown_dims_value(name):
    _compare(NO_GRAD[name])


STATIC_SHAPES = [  # output static shapes for an input of shape [None, 3], as TF 2.21 infers them
    ("tile", lambda v: tf.tile(v, [2, 3]), [[None, 9]]),
    ("pad", lambda v: tf.pad(v, [[1, 2], [0, 1]]), [[None, 4]]),
    ("mirror_pad", lambda v: tf.pad(v, [[1, 2], [0, 1]], mode="REFLECT"), [[None, 4]]),
    ("slice", lambda v: tf.slice(v, [1, 1], [-1, 2]), [[None, 2]]),
    ("split", lambda v: tf.split(v, 3, axis=1), [[None, 1]] * 3),
    ("split_sizes", lambda v: tf.split(v, [1, -1], axis=1), [[None, 1], [None, 2]]),
    ("split_sizes_rows", lambda v: tf.split(v, [1, -1], axis=0), [[1, 3], [None, 3]]),
    ("reverse", lambda v: tf.reverse(v, [0]), [[None, 3]]),
    ("roll", lambda v: tf.roll(v, 1, 0), [[None, 3]]),
    ("ensure_shape", lambda v: tf.ensure_shape(v, [5, None]), [[5, 3]]),
    ("repeat", lambda v: tf.repeat(v, 2, axis=1), [[None, 6]]),
    ("repeat_rows", lambda v: tf.repeat(v, 2, axis=0), [[None, 3]]),
    ("repeat_vector", lambda v: tf.repeat(v, [1, 2, 0], axis=1), [[None, 3]]),
    ("sequence_mask", lambda v: tf.sequence_mask(tf.cast(v[:, 0], tf.int32), 4), [[None, 4]]),
    ("meshgrid", lambda v: tf.meshgrid(v[0], v[:, 0]), [[None, 3], [None, 3]]),
    ("unravel_index", lambda v: tf.unravel_index(tf.cast(v[:, 0], tf.int32), [2, 3]), [[2, None]]),
    (
        "broadcast_dynamic_shape",
        lambda v: tf.broadcast_dynamic_shape(tf.shape(v), [4, 1, 1]),
        [[3]],
    ),
    (
        "reverse_sequence",
        lambda v: tf.reverse_sequence(v, tf.cast(v[:, 0], tf.int32), seq_axis=1),
        [[None, 3]],
    ),
    (
        "index",
        lambda v: [v[1:, ::-2], v[..., 0], v[:, None, 2], v[0]],
        [[None, 2], [None], [None, 1], [3]],
    ),
]


@pytest.mark.parametrize(
    "fn,want", [e[1:] for e in STATIC_SHAPES], ids=[e[0] for e in STATIC_SHAPES]
)
def test_static_shapes_in_graphs(fn, want):
    cf = tf.function(fn).get_concrete_function(tf.TensorSpec([None, 3], tf.float32))
    outs = tf.nest.flatten(cf.structured_outputs)
    assert [o.shape.as_list() for o in outs] == want
