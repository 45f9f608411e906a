"""Error paths of the indexing families (types and TF's messages), and the sparse
(IndexedSlices) gradients of gather / embedding_lookup."""

from __future__ import annotations

import numpy as np
import pytest

import arroyo as tf

P = [[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]
P3 = np.arange(24, dtype=np.float32).reshape(2, 3, 4)

# (label, thunk, exception type, TF's message)
ERRORS = [
    # gather
    (
        "gather_oor",
        lambda: tf.gather(P, [0, 5]),
        tf.errors.InvalidArgumentError,
        "indices[1] = 5 is not in [0, 3) [Op:GatherV2]",
    ),
    (
        "gather_negative",
        lambda: tf.gather(P, [0, -1]),
        tf.errors.InvalidArgumentError,
        "indices[1] = -1 is not in [0, 3) [Op:GatherV2]",
    ),
    (
        "gather_2d_oor",
        lambda: tf.gather(P, [[0, 1], [2, 7]]),
        tf.errors.InvalidArgumentError,
        "indices[1,1] = 7 is not in [0, 3) [Op:GatherV2]",
    ),
    (
        "gather_axis1_oor",
        lambda: tf.gather(P, [[0, 1], [2, 7]], axis=1),
        tf.errors.InvalidArgumentError,
        "indices[1,0] = 2 is not in [0, 2) [Op:GatherV2]",
    ),
    (
        "gather_scalar_oor",
        lambda: tf.gather([1, 2], 5),
        tf.errors.InvalidArgumentError,
        "indices = 5 is not in [0, 2) [Op:GatherV2]",
    ),
    (
        "gather_empty_params",
        lambda: tf.gather(tf.zeros([0, 2]), [0]),
        tf.errors.InvalidArgumentError,
        "indices[0] = 0 is not in [0, 0) [Op:GatherV2]",
    ),
    (
        "gather_batch_oor",
        lambda: tf.gather(P3, [[0, 3], [1, 9]], axis=2, batch_dims=1),
        tf.errors.InvalidArgumentError,
        "indices[1,1] = 9 is not in [0, 4) [Op:GatherV2]",
    ),
    (
        "gather_bad_axis",
        lambda: tf.gather(P, [0], axis=2),
        tf.errors.InvalidArgumentError,
        "Shape must be at least rank 3 but is rank 2 [Op:GatherV2]",
    ),
    (
        "gather_bad_axis_neg",
        lambda: tf.gather(P3, [0], axis=-4),
        tf.errors.InvalidArgumentError,
        "Shape must be at least rank 4 but is rank 3 [Op:GatherV2]",
    ),
    (
        "gather_batch_dims_range",
        lambda: tf.raw_ops.GatherV2(params=P3, indices=[[0]], axis=2, batch_dims=3),
        tf.errors.InvalidArgumentError,
        "Expected batch_dims in the range [-2, 2], but got 3 [Op:GatherV2]",
    ),
    (
        "gather_batch_dims_gt_axis",
        lambda: tf.raw_ops.GatherV2(params=P3, indices=[[0], [0]], axis=0, batch_dims=1),
        tf.errors.InvalidArgumentError,
        "batch_dims (1) must be less than or equal to axis (0). [Op:GatherV2]",
    ),
    (
        "gather_batch_dims_rank",
        lambda: tf.raw_ops.GatherV2(params=[1, 2], indices=[[0]], axis=0, batch_dims=1),
        tf.errors.InvalidArgumentError,
        "batch_dims (1) must be less than rank(params) (1). [Op:GatherV2]",
    ),
    (
        "gather_batch_shape",
        lambda: tf.gather(P3, [[0, 3], [1, 1], [0, 0]], axis=2, batch_dims=1),
        tf.errors.InvalidArgumentError,
        "params.shape[0]: 2 should be equal to indices.shape[0]: 3 [Op:GatherV2]",
    ),
    (
        "gather_axis_vector",
        lambda: tf.raw_ops.GatherV2(params=P3, indices=[0], axis=[1]),
        tf.errors.InvalidArgumentError,
        "axis must be scalar [Op:GatherV2]",
    ),
    (
        "gather_float_indices",
        lambda: tf.gather(P, [0.0]),
        tf.errors.InvalidArgumentError,
        "Value for attr 'Tindices' of float is not in the list of allowed values: int16, int32, int64",
    ),
    (
        "gather_uint8_indices",
        lambda: tf.gather(P, tf.constant([0], tf.uint8)),
        tf.errors.InvalidArgumentError,
        "Value for attr 'Tindices' of uint8 is not in the list of allowed values: int16, int32, int64",
    ),
    (
        "gather_float_axis",
        lambda: tf.gather(P, [1], axis=1.0),
        tf.errors.InvalidArgumentError,
        "Value for attr 'Taxis' of float is not in the list of allowed values: int32, int64",
    ),
    # gather_nd / boolean_mask / embedding_lookup
    (
        "gather_nd_oor",
        lambda: tf.gather_nd(P, [[0, 1], [3, 0]]),
        tf.errors.InvalidArgumentError,
        "indices[1] = [3, 0] does not index into param shape [3,2], node name: GatherNd [Op:GatherNd]",
    ),
    (
        "gather_nd_3d_oor",
        lambda: tf.gather_nd(P3, [[[0, 1]], [[2, 0]]]),
        tf.errors.InvalidArgumentError,
        "indices[1,0] = [2, 0] does not index into param shape [2,3,4], node name: GatherNd [Op:GatherNd]",
    ),
    (
        "gather_nd_too_long",
        lambda: tf.gather_nd(P, [[0, 1, 0]]),
        tf.errors.InvalidArgumentError,
        "index innermost dimension length must be <= params rank; saw: 3 vs. 2 [Op:GatherNd]",
    ),
    (
        "gather_nd_scalar_indices",
        lambda: tf.gather_nd([1, 2], 1),
        tf.errors.InvalidArgumentError,
        "indices must be at least a vector [Op:GatherNd]",
    ),
    (
        "gather_nd_batch_oor",
        lambda: tf.gather_nd(P3, [[[0, 1]], [[2, 9]]], batch_dims=1),
        tf.errors.InvalidArgumentError,
        "does not index into param shape",
    ),
    (
        "gather_nd_neg_batch_dims",
        lambda: tf.gather_nd(P3, [[0]], batch_dims=-1),
        ValueError,
        "tf.gather_nd does not allow negative batch_dims.",
    ),
    (
        "gather_nd_big_batch_dims",
        lambda: tf.gather_nd(P3, [[0]], batch_dims=2),
        ValueError,
        "Argument `batch_dims` = 2 must be less than rank(`indices`) = 2",
    ),
    (
        "boolean_mask_shape",
        lambda: tf.boolean_mask(P, [True, False]),
        ValueError,
        "Shapes (3,) and (2,) are incompatible",
    ),
    ("boolean_mask_scalar", lambda: tf.boolean_mask(P, True), ValueError, "mask cannot be scalar."),
    (
        "boolean_mask_rank",
        lambda: tf.boolean_mask([1, 2], [[True, False]]),
        ValueError,
        "Shapes (2,) and (1, 2) are incompatible",
    ),
    (
        "embedding_oor",
        lambda: tf.nn.embedding_lookup(tf.constant(P), [[0, 4]]),
        tf.errors.InvalidArgumentError,
        "indices[0,1] = 4 is not in [0, 3) [Op:GatherV2]",
    ),
    (
        "embedding_shard_oor",
        lambda: tf.nn.embedding_lookup([tf.ones([1, 1]), tf.ones([3, 1])], [0, 1]),
        tf.errors.InvalidArgumentError,
        "indices[1] = 1 is not in [0, 1) [Op:GatherV2]",
    ),
    (
        "embedding_tuple_is_one_tensor",
        lambda: tf.nn.embedding_lookup((tf.ones([2, 1]), tf.ones([2, 1])), [0, 2]),
        tf.errors.InvalidArgumentError,
        "indices[1] = 2 is not in [0, 2) [Op:GatherV2]",
    ),
    (
        "embedding_no_params",
        lambda: tf.nn.embedding_lookup([], [0]),
        ValueError,
        "Length of params is currently 0. Need at least one param.",
    ),
    # scatter
    (
        "scatter_nd_oor",
        lambda: tf.scatter_nd([[5]], [1.0], [3]),
        tf.errors.InvalidArgumentError,
        "indices[0] = [5] does not index into shape [3] [Op:ScatterNd]",
    ),
    (
        "scatter_nd_3d_oor",
        lambda: tf.scatter_nd([[[1]], [[4]]], [[1.0], [2.0]], [3]),
        tf.errors.InvalidArgumentError,
        "indices[1,0] = [4] does not index into shape [3] [Op:ScatterNd]",
    ),
    (
        "scatter_nd_negative",
        lambda: tf.scatter_nd([[-1]], [5.0], [3]),
        tf.errors.InvalidArgumentError,
        "indices[0] = [-1] does not index into shape [3] [Op:ScatterNd]",
    ),
    (
        "scatter_nd_prefix",
        lambda: tf.scatter_nd([[1]], [1.0, 2.0], [3]),
        tf.errors.InvalidArgumentError,
        "Dimensions [0,1) of indices[shape=[1,1]] must match dimensions [0,1) of updates[shape=[2]] [Op:ScatterNd]",
    ),
    (
        "scatter_nd_suffix",
        lambda: tf.scatter_nd([[1], [2]], [[1.0, 2.0], [3.0, 4.0]], [3, 3]),
        tf.errors.InvalidArgumentError,
        "Dimensions [1,2) of input[shape=[3,3]] must match dimensions [1,2) of updates[shape=[2,2]] [Op:ScatterNd]",
    ),
    (
        "scatter_nd_too_many",
        lambda: tf.scatter_nd([[1, 1, 1]], [1.0], [3, 3]),
        tf.errors.InvalidArgumentError,
        "Dimensions [3,2) of input[shape=[3,3]] must match dimensions [1,1) of updates[shape=[1]] [Op:ScatterNd]",
    ),
    (
        "scatter_nd_1d_indices",
        lambda: tf.scatter_nd([1], [5.0], [3]),
        tf.errors.InvalidArgumentError,
        "Dimensions [1,1) of input[shape=[3]] must match dimensions [0,1) of updates[shape=[1]] [Op:ScatterNd]",
    ),
    (
        "scatter_nd_neg_shape",
        lambda: tf.scatter_nd([[1]], [1.0], [-3]),
        tf.errors.InvalidArgumentError,
        "Dimension -3 must be >= 0 [Op:ScatterNd]",
    ),
    (
        "scatter_nd_scalar_indices",
        lambda: tf.scatter_nd(1, [1.0], [3]),
        tf.errors.InvalidArgumentError,
        "Indices shape must have rank at least one. Found:[] [Op:ScatterNd]",
    ),
    (
        "scatter_nd_scalar_updates",
        lambda: tf.scatter_nd([1], 1.0, [3]),
        tf.errors.InvalidArgumentError,
        "Updates shape must have rank at least one. Found:[] [Op:ScatterNd]",
    ),
    (
        "scatter_nd_shape_dtype",
        lambda: tf.scatter_nd(tf.constant([[1]], tf.int64), [5.0], tf.constant([3])),
        tf.errors.InvalidArgumentError,
        "cannot compute ScatterNd as input #2(zero-based) was expected to be a int64 tensor but is a int32 tensor",
    ),
    (
        "scatter_nd_k0",
        lambda: tf.scatter_nd(tf.zeros([2, 0], tf.int32), tf.ones([2, 3]), [3]),
        tf.errors.InvalidArgumentError,
        "Indices and updates specified for empty output shape [Op:ScatterNd]",
    ),
    (
        "scatter_nd_empty_output",
        lambda: tf.scatter_nd([[0]], [1.0], [0]),
        tf.errors.InvalidArgumentError,
        "Indices and updates specified for empty output.  indices shape: [1,1] [Op:ScatterNd]",
    ),
    (
        "tsadd_empty_tensor",
        lambda: tf.tensor_scatter_nd_add(tf.zeros([0]), [[0]], [1.0]),
        tf.errors.InvalidArgumentError,
        "Indices and updates specified for empty output shape [Op:TensorScatterAdd]",
    ),
    (
        "tsu_oor",
        lambda: tf.tensor_scatter_nd_update(tf.zeros([3]), [[5]], [1.0]),
        tf.errors.InvalidArgumentError,
        "indices[0] = [5] does not index into shape [3] [Op:TensorScatterUpdate]",
    ),
    (
        "tsu_2d_oor",
        lambda: tf.tensor_scatter_nd_update(tf.zeros([3, 2]), [[1, 0], [1, 2]], [1.0, 2.0]),
        tf.errors.InvalidArgumentError,
        "indices[1] = [1, 2] does not index into shape [3,2] [Op:TensorScatterUpdate]",
    ),
    (
        "tsu_inner",
        lambda: tf.tensor_scatter_nd_update(tf.zeros([3, 2]), [[1]], [[1.0, 2.0, 3.0]]),
        tf.errors.InvalidArgumentError,
        "The inner 1 dimensions of output.shape=[3,2] must match the inner 1 dimensions of updates.shape=[1,3] "
        "[Op:TensorScatterUpdate]",
    ),
    (
        "tsu_inner_rank",
        lambda: tf.tensor_scatter_nd_update(tf.zeros([3, 2]), [[1, 0, 0]], [1.0]),
        tf.errors.InvalidArgumentError,
        "Inner dimensions of output shape must match inner dimensions of updates "
        "shape. Output: [3,2] updates: [1] [Op:TensorScatterUpdate]",
    ),
    (
        "tsu_outer",
        lambda: tf.tensor_scatter_nd_update(tf.zeros([3]), [[1], [2]], [1.0, 2.0, 3.0]),
        tf.errors.InvalidArgumentError,
        "Outer dimensions of indices and update must match. Indices shape: [2,1], "
        "updates shape:[3] [Op:TensorScatterUpdate]",
    ),
    (
        "tsu_scalar_indices",
        lambda: tf.tensor_scatter_nd_update(tf.zeros([3, 2]), 1, [1.0]),
        tf.errors.InvalidArgumentError,
        "Indices shape must have rank at least one. Found:[] [Op:TensorScatterUpdate]",
    ),
    (
        "tsu_dtype",
        lambda: tf.tensor_scatter_nd_update(tf.zeros([3]), [[1]], tf.constant([1])),
        tf.errors.InvalidArgumentError,
        "cannot compute TensorScatterUpdate as input #2(zero-based) was expected "
        "to be a float tensor but is a int32 tensor [Op:TensorScatterUpdate]",
    ),
    (
        "tsu_float_indices",
        lambda: tf.tensor_scatter_nd_update(tf.zeros([3, 2]), [[1.0, 0.0]], [1.0]),
        tf.errors.InvalidArgumentError,
        "Value for attr 'Tindices' of float is not in the list of allowed values",
    ),
    (
        "tsmax_complex",
        lambda: tf.tensor_scatter_nd_max(tf.constant([1j]), [[0]], [2j]),
        tf.errors.NotFoundError,
        "Could not find device for node: {{node TensorScatterMax}} = TensorScatterMax[T=DT_COMPLEX128, "
        'Tindices=DT_INT32, bad_indices_policy=""]',
    ),
    (
        "tsadd_bool",
        lambda: tf.tensor_scatter_nd_add(tf.constant([True, False]), [[1]], [True]),
        tf.errors.NotFoundError,
        "Could not find device for node: {{node TensorScatterAdd}} = TensorScatterAdd[T=DT_BOOL",
    ),
    (
        "scatter_nd_int16",
        lambda: tf.scatter_nd(tf.constant([[1]], tf.int16), [5.0], tf.constant([3], tf.int16)),
        tf.errors.NotFoundError,
        "Could not find device for node: {{node ScatterNd}} = ScatterNd[T=DT_FLOAT, "
        "Tindices=DT_INT16",
    ),
    (
        "dynamic_partition_oor",
        lambda: tf.dynamic_partition(tf.ones([4, 2]), [1, 0, 5, 1], 3),
        tf.errors.InvalidArgumentError,
        "partitions[2] = 5 is not in [0, 3) [Op:DynamicPartition]",
    ),
    (
        "dynamic_partition_shape",
        lambda: tf.dynamic_partition(tf.ones([4, 2]), [1, 0, 1], 3),
        tf.errors.InvalidArgumentError,
        "data.shape must start with partitions.shape, got data.shape = [4,2], "
        "partitions.shape = [3] [Op:DynamicPartition]",
    ),
    (
        "dynamic_partition_int64",
        lambda: tf.dynamic_partition(tf.ones([2]), tf.constant([1, 0], tf.int64), 3),
        tf.errors.InvalidArgumentError,
        "cannot compute DynamicPartition as input #1(zero-based) was expected to be "
        "a int32 tensor but is a int64 tensor [Op:DynamicPartition]",
    ),
    (
        "dynamic_partition_zero",
        lambda: tf.dynamic_partition(tf.ones([2]), [0, 0], 0),
        tf.errors.InvalidArgumentError,
        "Value for attr 'num_partitions' of 0 must be at least minimum 1",
    ),
    (
        "dynamic_stitch_shape",
        lambda: tf.dynamic_stitch([[0, 2], [1]], [[1.0, 2.0, 3.0], [5.0]]),
        tf.errors.InvalidArgumentError,
        "data[0].shape = [3] does not start with indices[0].shape = [2] [Op:DynamicStitch]",
    ),
    (
        "dynamic_stitch_negative",
        lambda: tf.dynamic_stitch([[0, -1]], [[1.0, 2.0]]),
        tf.errors.InvalidArgumentError,
        "indices[1] is out of range [Op:DynamicStitch]",
    ),
    (
        "dynamic_stitch_int64",
        lambda: tf.dynamic_stitch([tf.constant([0, 1], tf.int64)], [[1.0, 2.0]]),
        ValueError,
        "Tensor conversion requested dtype int32 for Tensor with dtype int64",
    ),
    (
        "dynamic_stitch_lengths",
        lambda: tf.dynamic_stitch([[0]], [[1.0], [2.0]]),
        ValueError,
        "List argument 'data' to 'dynamic_stitch' Op with length 2 must match length 1 of argument 'indices'.",
    ),
    # segments
    (
        "useg_oor",
        lambda: tf.math.unsorted_segment_sum([1.0, 2.0], [0, 3], 2),
        tf.errors.InvalidArgumentError,
        "segment_ids[1] = 3 is out of range [0, 2) [Op:UnsortedSegmentSum]",
    ),
    (
        "useg_2d_oor",
        lambda: tf.math.unsorted_segment_sum(tf.ones([2, 2]), [[0, 1], [5, 0]], 2),
        tf.errors.InvalidArgumentError,
        "segment_ids[1,0] = 5 is out of range [0, 2) [Op:UnsortedSegmentSum]",
    ),
    (
        "useg_shape",
        lambda: tf.math.unsorted_segment_sum(tf.ones([2, 2]), [0, 1, 1], 2),
        tf.errors.InvalidArgumentError,
        "data.shape = [2,2] does not start with segment_ids.shape = [3] [Op:UnsortedSegmentSum]",
    ),
    (
        "useg_negative_num",
        lambda: tf.math.unsorted_segment_sum(tf.ones([2, 2]), [0, 1], -1),
        tf.errors.InvalidArgumentError,
        "Input num_segments == -1 must not be negative. [Op:UnsortedSegmentSum]",
    ),
    (
        "useg_vector_num",
        lambda: tf.math.unsorted_segment_sum([1.0, 2.0], [0, 1], [2]),
        tf.errors.InvalidArgumentError,
        "num_segments should be a scalar, not shape [1] [Op:UnsortedSegmentSum]",
    ),
    (
        "useg_float_num",
        lambda: tf.math.unsorted_segment_sum(tf.ones([2, 2]), [0, 1], 2.0),
        tf.errors.InvalidArgumentError,
        "Value for attr 'Tnumsegments' of float is not in the list of allowed values",
    ),
    (
        "useg_float_ids",
        lambda: tf.math.unsorted_segment_sum(tf.ones([2, 2]), [0.0, 1.0], 2),
        tf.errors.InvalidArgumentError,
        "Value for attr 'Tindices' of float is not in the list of allowed values",
    ),
    (
        "useg_bool",
        lambda: tf.math.unsorted_segment_sum(tf.constant([True]), [0], 1),
        tf.errors.InvalidArgumentError,
        "Value for attr 'T' of bool is not in the list of allowed values",
    ),
    (
        "useg_max_complex",
        lambda: tf.math.unsorted_segment_max(tf.constant([1j, 2.0]), [0, 1], 2),
        tf.errors.InvalidArgumentError,
        "Value for attr 'T' of complex128 is not in the list of allowed values",
    ),
    (
        "seg_not_sorted",
        lambda: tf.math.segment_sum([1.0, 2.0, 3.0], [1, 0, 1]),
        tf.errors.InvalidArgumentError,
        "segment ids are not increasing [Op:SegmentSum]",
    ),
    (
        "seg_not_sorted_first",
        lambda: tf.math.segment_sum([1.0, 2.0], [5, 0]),
        tf.errors.InvalidArgumentError,
        "segment ids are not increasing [Op:SegmentSum]",
    ),
    (
        "seg_negative",
        lambda: tf.math.segment_sum([1.0, 2.0, 3.0], [-1, 0, 1]),
        tf.errors.InvalidArgumentError,
        "Segment id -1 out of range [0, 2), possibly because 'segment_ids' input is not sorted. [Op:SegmentSum]",
    ),
    (
        "seg_last_negative",
        lambda: tf.math.segment_sum([1.0, 2.0], [0, -1]),
        tf.errors.InvalidArgumentError,
        "segment ids must be >= 0 [Op:SegmentSum]",
    ),
    (
        "seg_size",
        lambda: tf.math.segment_sum([1.0, 2.0, 3.0], [0, 0]),
        tf.errors.InvalidArgumentError,
        "segment_ids should be the same size as dimension 0 of input. [Op:SegmentSum]",
    ),
    (
        "seg_2d_ids",
        lambda: tf.math.segment_max(tf.ones([2, 2]), [[0, 1], [1, 1]]),
        tf.errors.InvalidArgumentError,
        "segment_ids should be a vector. [Op:SegmentMax]",
    ),
    (
        "seg_scalar_data",
        lambda: tf.math.segment_sum(1.0, [0]),
        tf.errors.InvalidArgumentError,
        "input must be at least rank 1 [Op:SegmentSum]",
    ),
    (
        "seg_int16_ids",
        lambda: tf.math.segment_sum([1.0], tf.constant([0], tf.int16)),
        tf.errors.InvalidArgumentError,
        "Value for attr 'Tindices' of int16 is not in the list of allowed values: int32, int64",
    ),
    (
        "seg_bool",
        lambda: tf.math.segment_max(tf.constant([True, False]), [0, 0]),
        tf.errors.InvalidArgumentError,
        "Value for attr 'T' of bool is not in the list of allowed values",
    ),
    # top_k / sort
    (
        "top_k_k_too_big",
        lambda: tf.math.top_k([1.0, 2.0], 3),
        tf.errors.InvalidArgumentError,
        "input must have at least k columns. Had 2, needed 3 [Op:TopKV2]",
    ),
    (
        "top_k_negative_k",
        lambda: tf.math.top_k([1.0, 2.0], -1),
        tf.errors.InvalidArgumentError,
        "Need k >= 0, got -1 [Op:TopKV2]",
    ),
    (
        "top_k_scalar",
        lambda: tf.math.top_k(1.0, 1),
        tf.errors.InvalidArgumentError,
        "input must be >= 1-D, got shape [] [Op:TopKV2]",
    ),
    (
        "top_k_vector_k",
        lambda: tf.math.top_k([1.0, 5.0, 3.0], [1]),
        tf.errors.InvalidArgumentError,
        "k must be scalar, got shape [1] [Op:TopKV2]",
    ),
    (
        "top_k_bool",
        lambda: tf.math.top_k([True, False], 1),
        tf.errors.InvalidArgumentError,
        "Value for attr 'T' of bool is not in the list of allowed values",
    ),
    (
        "top_k_float_k",
        lambda: tf.math.top_k([1, 3, 2, 5], 2.0),
        tf.errors.InvalidArgumentError,
        "Value for attr 'Tk' of float is not in the list of allowed values: int16, int32, int64",
    ),
    (
        "in_top_k_rank",
        lambda: tf.math.in_top_k([1], [0.1, 0.2], 1),
        tf.errors.InvalidArgumentError,
        "predictions must be 2-dimensional [Op:InTopKV2]",
    ),
    (
        "in_top_k_batch",
        lambda: tf.math.in_top_k([1, 2], [[0.1, 0.2]], 1),
        tf.errors.InvalidArgumentError,
        "First dimension of predictions 1 must match length of targets 2 [Op:InTopKV2]",
    ),
    (
        "in_top_k_float_targets",
        lambda: tf.math.in_top_k([1.0], [[0.1, 0.2]], 1),
        tf.errors.InvalidArgumentError,
        "Value for attr 'T' of float is not in the list of allowed values: int32, int64",
    ),
    (
        "in_top_k_float64",
        lambda: tf.math.in_top_k([1], tf.constant([[1.0, 2.0]], tf.float64), 1),
        ValueError,
        "Tensor conversion requested dtype float32 for Tensor with dtype float64",
    ),
    (
        "sort_direction",
        lambda: tf.sort([1.0, 2.0], direction="UP"),
        ValueError,
        "Argument `direction` should be one of ASCENDING, DESCENDING. Received: direction=UP",
    ),
    (
        "sort_axis",
        lambda: tf.sort([3, 1, 2], axis=1),
        tf.errors.InvalidArgumentError,
        "slice index 1 of dimension 0 out of bounds. [Op:StridedSlice]",
    ),
    (
        "sort_scalar",
        lambda: tf.sort(tf.constant(3.0)),
        tf.errors.InvalidArgumentError,
        "slice index -1 of dimension 0 out of bounds. [Op:StridedSlice]",
    ),
    (
        "sort_bool",
        lambda: tf.sort([True, False]),
        tf.errors.InvalidArgumentError,
        "Value for attr 'T' of bool is not in the list of allowed values",
    ),
    # unique / bincount / searchsorted
    (
        "unique_2d",
        lambda: tf.unique([[1, 2]]),
        tf.errors.InvalidArgumentError,
        "unique expects a 1D vector. [Op:Unique]",
    ),
    (
        "unique_out_idx",
        lambda: tf.unique([1], out_idx=tf.float32),
        tf.errors.InvalidArgumentError,
        "Value for attr 'out_idx' of float is not in the list of allowed values: int32, int64",
    ),
    (
        "bincount_negative",
        lambda: tf.math.bincount([1, -1]),
        tf.errors.InvalidArgumentError,
        "Input arr must be non-negative! [Op:DenseBincount]",
    ),
    (
        "bincount_weights_shape",
        lambda: tf.math.bincount([1, 1, 3], weights=tf.constant([1.0, 2.0])),
        tf.errors.InvalidArgumentError,
        "`weights` must be the same shape as `arr` or a length-0 `Tensor`, in which "
        "case it acts as all weights equal to 1. Received [2] [Op:DenseBincount]",
    ),
    (
        "bincount_axis",
        lambda: tf.math.bincount([1, 1, 3], axis=1),
        ValueError,
        "Unsupported value for argument axis=1. Only 0 and -1 are currently supported.",
    ),
    (
        "bincount_binary_weights",
        lambda: tf.math.bincount([1], weights=[1.0], binary_output=True),
        ValueError,
        "Arguments `binary_output` and `weights` are mutually exclusive. Please specify only one.",
    ),
    (
        "bincount_uint8",
        lambda: tf.math.bincount(tf.constant([1], tf.uint8)),
        tf.errors.InvalidArgumentError,
        "Value for attr 'Tidx' of uint8 is not in the list of allowed values: int32, int64",
    ),
    (
        "bincount_float16",
        lambda: tf.math.bincount([1], dtype=tf.float16),
        tf.errors.InvalidArgumentError,
        "Value for attr 'T' of half is not in the list of allowed values: int32, int64, float, double",
    ),
    (
        "bincount_rank3",
        lambda: tf.math.bincount([[[1, 1, 3]]], axis=-1),
        tf.errors.InvalidArgumentError,
        "Shape must be at most rank 2 but is rank 3 [Op:DenseBincount]",
    ),
    (
        "raw_bincount_negative",
        lambda: tf.raw_ops.Bincount(arr=[1, -1], size=3, weights=tf.constant([], tf.float32)),
        tf.errors.InvalidArgumentError,
        "Input arr must be non-negative! [Op:Bincount]",
    ),
    (
        "searchsorted_side",
        lambda: tf.searchsorted([1.0, 2.0], [2.0], side="x"),
        ValueError,
        "Argument `side` must be either 'right' or 'left'. Received: `side` = 'x'.",
    ),
    (
        "searchsorted_batch",
        lambda: tf.searchsorted([[1.0, 2.0, 3.0]], [[2.0], [3.0]]),
        tf.errors.InvalidArgumentError,
        "Leading dim_size of both tensors must match. [Op:LowerBound]",
    ),
    (
        "searchsorted_dtype",
        lambda: tf.searchsorted(tf.constant([1.0, 2.0], tf.float64), [1.5]),
        tf.errors.InvalidArgumentError,
        "cannot compute LowerBound as input #1(zero-based) was expected to be a "
        "double tensor but is a float tensor [Op:LowerBound]",
    ),
    (
        "searchsorted_scalar",
        lambda: tf.searchsorted([1.0, 2.0], 2.0),
        tf.errors.InvalidArgumentError,
        "slice index -1 of dimension 0 out of bounds. [Op:StridedSlice]",
    ),
    (
        "searchsorted_out_type",
        lambda: tf.searchsorted([1.0, 2.0], [1.5], out_type=tf.float32),
        tf.errors.InvalidArgumentError,
        "Value for attr 'out_type' of float is not in the list of allowed values",
    ),
    (
        "lower_bound_rank",
        lambda: tf.raw_ops.LowerBound(sorted_inputs=[1.0, 2.0], values=[1.0]),
        tf.errors.InvalidArgumentError,
        "Shape must be rank 2 but is rank 1 for `sorted_inputs` argument",
    ),
    # scans
    (
        "cumsum_axis",
        lambda: tf.cumsum([1, 2, 3], axis=1),
        tf.errors.InvalidArgumentError,
        "ScanOp: Expected scan axis in the range [-1, 1), but got 1 [Op:Cumsum]",
    ),
    (
        "cumsum_axis_neg",
        lambda: tf.cumsum([[1, 2]], axis=-3),
        tf.errors.InvalidArgumentError,
        "ScanOp: Expected scan axis in the range [-2, 2), but got -1 [Op:Cumsum]",
    ),
    (
        "cumprod_scalar",
        lambda: tf.math.cumprod(3.0),
        tf.errors.InvalidArgumentError,
        "ScanOp: Expected scan axis in the range [0, 0), but got 0 [Op:Cumprod]",
    ),
    (
        "cumsum_axis_vector",
        lambda: tf.cumsum([[1, 2], [3, 4]], axis=tf.constant([1])),
        tf.errors.InvalidArgumentError,
        "ScanOp: axis must be a scalar, not [1] [Op:Cumsum]",
    ),
    (
        "cumsum_bool",
        lambda: tf.cumsum([True]),
        tf.errors.InvalidArgumentError,
        "Value for attr 'T' of bool is not in the list of allowed values: float, double, int32, uint8",
    ),
    (
        "logsumexp_int",
        lambda: tf.math.cumulative_logsumexp(tf.constant([1, 2])),
        tf.errors.InvalidArgumentError,
        "Value for attr 'T' of int32 is not in the list of allowed values: bfloat16, half, float, double",
    ),
    (
        "logsumexp_axis",
        lambda: tf.math.cumulative_logsumexp(tf.ones([2, 3]), axis=2),
        tf.errors.InvalidArgumentError,
        "ScanOp: Expected scan axis in the range [-2, 2), but got 2 [Op:CumulativeLogsumexp]",
    ),
    (
        "cumsum_float_axis",
        lambda: tf.cumsum([1.0], axis=tf.constant(0.0)),
        tf.errors.InvalidArgumentError,
        "Value for attr 'Tidx' of float is not in the list of allowed values: int32, int64",
    ),
]


@pytest.mark.parametrize("label,thunk,exc,message", ERRORS, ids=[e[0] for e in ERRORS])
def test_error(label, thunk, exc, message):
    with pytest.raises(exc) as info:
        thunk()
    assert message in str(info.value), f"{label}: {info.value}"


# -- sparse gradients ---------------------------------------------------------------------------


def test_gather_variable_gradient_is_indexed_slices():
    v = tf.Variable(P)
    with tf.GradientTape() as tape:
        y = tf.reduce_sum(tf.gather(v, [[2, 0], [2, 2]]) * 2.0)
    g = tape.gradient(y, v)
    assert isinstance(g, tf.IndexedSlices)
    assert g.values.shape == (4, 2)
    assert g.indices.numpy().tolist() == [2, 0, 2, 2]
    assert g.dense_shape.numpy().tolist() == [3, 2]
    assert g.dense_shape.dtype == tf.int32
    dense = tf.convert_to_tensor(g)
    np.testing.assert_allclose(dense.numpy(), [[2.0, 2.0], [0.0, 0.0], [6.0, 6.0]])
    # Optimizer-style use: a sparse update of the variable.
    v.scatter_sub(tf.IndexedSlices(g.values * 0.5, g.indices))
    np.testing.assert_allclose(v.numpy(), [[0.0, 1.0], [3.0, 4.0], [2.0, 3.0]])


def test_gather_tensor_gradient_is_indexed_slices_and_sums():
    c = tf.constant(P)
    with tf.GradientTape() as tape:
        tape.watch(c)
        y = tf.reduce_sum(tf.gather(c, [2, 0])) + tf.reduce_sum(tf.gather(c, [1]) * 3.0)
    g = tape.gradient(y, c)
    assert isinstance(g, tf.IndexedSlices)
    assert g.indices.numpy().tolist() == [2, 0, 1] or sorted(g.indices.numpy().tolist()) == [
        0,
        1,
        2,
    ]
    np.testing.assert_allclose(tf.convert_to_tensor(g).numpy(), [[1, 1], [3, 3], [1, 1]])


def test_gather_gradient_mixed_with_dense_is_dense():
    c = tf.constant(P)
    with tf.GradientTape() as tape:
        tape.watch(c)
        y = tf.reduce_sum(tf.gather(c, [2, 0])) + tf.reduce_sum(c)
    g = tape.gradient(y, c)
    assert not isinstance(g, tf.IndexedSlices)
    np.testing.assert_allclose(g.numpy(), [[2, 2], [1, 1], [2, 2]])


def test_gather_other_axis_gradient_is_dense():
    c = tf.constant(P)
    with tf.GradientTape() as tape:
        tape.watch(c)
        y = tf.reduce_sum(tf.gather(c, [1, 1, 0], axis=1))
    g = tape.gradient(y, c)
    assert not isinstance(g, tf.IndexedSlices)
    np.testing.assert_allclose(g.numpy(), [[1, 2]] * 3)


def test_embedding_lookup_variable_gradient():
    v = tf.Variable(P)
    with tf.GradientTape() as tape:
        y = tf.reduce_sum(tf.nn.embedding_lookup(v, [[1, 0], [1, 1]]))
    g = tape.gradient(y, v)
    assert isinstance(g, tf.IndexedSlices)
    assert g.dense_shape.numpy().tolist() == [3, 2]
    np.testing.assert_allclose(tf.convert_to_tensor(g).numpy(), [[1, 1], [3, 3], [0, 0]])


def test_gather_nd_row_gradient_is_indexed_slices():
    c = tf.constant(P)
    with tf.GradientTape() as tape:
        tape.watch(c)
        y = tf.reduce_sum(tf.gather_nd(c, [[1], [0]]))
    g = tape.gradient(y, c)
    assert isinstance(g, tf.IndexedSlices)
    np.testing.assert_allclose(tf.convert_to_tensor(g).numpy(), [[1, 1], [1, 1], [0, 0]])


def test_boolean_mask_gradient_is_dense():
    c = tf.constant(P)
    with tf.GradientTape() as tape:
        tape.watch(c)
        y = tf.reduce_sum(tf.boolean_mask(c, [True, False, True]))
    g = tape.gradient(y, c)
    assert not isinstance(g, tf.IndexedSlices)
    np.testing.assert_allclose(g.numpy(), [[1, 1], [0, 0], [1, 1]])


def test_gather_axis0_ignores_batch_dims_like_tf():
    # TF routes axis-0 gathers through sparse_read, which has no batch_dims.
    out = tf.gather(P3, [[0, 1], [0, 1]], axis=0, batch_dims=1)
    assert out.shape == (2, 2, 3, 4)


def test_top_k_namedtuple_and_unique_namedtuples():
    r = tf.math.top_k([1, 3, 2], 2)
    assert type(r).__name__ == "TopKV2" and r.values.numpy().tolist() == [3, 2]
    u = tf.unique([3, 1, 3])
    assert type(u).__name__ == "Unique" and u.y.numpy().tolist() == [3, 1]
    uc = tf.unique_with_counts([3, 1, 3])
    assert uc.count.numpy().tolist() == [2, 1]


def test_reduce_prod_gradient_uses_cumprod():
    x = tf.constant([[1.0, 2.0, 3.0], [4.0, 0.0, 6.0]])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.reduce_prod(x, axis=1)
    g = tape.gradient(y, x)
    np.testing.assert_allclose(g.numpy(), [[6.0, 3.0, 2.0], [0.0, 24.0, 0.0]])
