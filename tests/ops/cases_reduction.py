"""Table rows for reduction_ops: Sum/Mean/Prod/Max/Min/All/Any, ArgMax/ArgMin and the composed
reduce_logsumexp, reduce_std, reduce_variance, reduce_euclidean_norm, count_nonzero."""

import numpy as np

from tests.harness import Case

R = np.random.default_rng(11)
X = R.normal(size=(2, 3, 4)).astype(np.float32)
M = R.normal(size=(3, 4)).astype(np.float32)
# Distinct values (no ties) so max/min gradients are smooth at the test point.
D = (R.permutation(24).reshape(2, 3, 4) * 0.37 - 4).astype(np.float32)
P = R.uniform(0.5, 1.5, size=(2, 3, 4)).astype(np.float32)
PZ = np.array([[1.5, 0.0, -2.0], [0.5, 3.0, 0.0], [2.0, -1.0, 0.7]], np.float32)  # zeros for prod
IM = np.array([[1, 2, 4, -7], [5, -6, 3, 3], [9, 0, -1, 2]], np.int32)
B = np.array([[True, False, True], [True, True, True]])
TIES = np.array([[1.0, 3.0, 3.0], [2.0, 2.0, 0.0]], np.float32)


CASES = [
    # -- Sum ------------------------------------------------------------------------------
    Case("sum_all", lambda tf, x: tf.reduce_sum(x), [X], ops=("Sum",), ref=np.sum, grad=True, grad2=True),
    Case("sum_axis0", lambda tf, x: tf.reduce_sum(x, axis=0), [X], ops=("Sum",),
         ref=lambda x: np.sum(x, axis=0), grad=True, grad2=True),
    Case("sum_axis_list_keep", lambda tf, x: tf.reduce_sum(x, axis=[0, 2], keepdims=True), [X], ops=("Sum",),
         ref=lambda x: np.sum(x, axis=(0, 2), keepdims=True), grad=True, grad2=True),
    Case("sum_axis_negative", lambda tf, x: tf.reduce_sum(x, axis=-1), [X], ops=("Sum",),
         ref=lambda x: np.sum(x, axis=-1), grad=True),
    Case("sum_axis_empty_list", lambda tf, x: tf.reduce_sum(x, axis=[]), [M], ops=("Sum",), ref=lambda x: x,
         grad=True),
    Case("sum_int", lambda tf, x: tf.reduce_sum(x, axis=1), [IM], ops=("Sum",), ref=lambda x: np.sum(x, axis=1)),
    Case("sum_scalar", lambda tf, x: tf.reduce_sum(x), [np.float32(2.5)], ops=("Sum",), ref=lambda x: x,
         grad=True),
    Case("sum_complex", lambda tf, x: tf.reduce_sum(x, axis=0),
         [np.array([[1 + 2j, 3 - 1j], [0.5j, 2]], np.complex64)], ops=("Sum",), ref=lambda x: np.sum(x, axis=0)),
    Case("sum_empty", lambda tf, x: tf.reduce_sum(x, axis=0), [np.zeros((0, 3), np.float32)], ops=("Sum",),
         ref=lambda x: np.zeros(3)),
    Case("sum_axis_tensor", lambda tf, x: tf.reduce_sum(x, axis=tf.constant([1, 2], tf.int64)), [X],
         ops=("Sum",), ref=lambda x: np.sum(x, axis=(1, 2)), grad=True),
    # -- Mean -----------------------------------------------------------------------------
    Case("mean_all", lambda tf, x: tf.reduce_mean(x), [X], ops=("Mean",), ref=np.mean, grad=True, grad2=True),
    Case("mean_axis1_keep", lambda tf, x: tf.reduce_mean(x, axis=1, keepdims=True), [X], ops=("Mean",),
         ref=lambda x: np.mean(x, axis=1, keepdims=True), grad=True, grad2=True),
    Case("mean_axis_neg_list", lambda tf, x: tf.reduce_mean(x, axis=[-1, 0]), [X], ops=("Mean",),
         ref=lambda x: np.mean(x, axis=(0, 2)), grad=True, grad2=True),
    Case("mean_int_truncates", lambda tf, x: [tf.reduce_mean(x), tf.reduce_mean(x, axis=1)], [IM], ops=("Mean",),
         ref=lambda x: [np.int32(np.trunc(np.sum(x) / x.size)),
                        np.trunc(np.sum(x, axis=1) / x.shape[1]).astype(np.int32)]),
    Case("mean_uint8_no_overflow", lambda tf, x: tf.reduce_mean(x), [np.array([250, 250, 251], np.uint8)],
         ops=("Mean",), ref=lambda x: np.uint8(250)),
    Case("mean_float16", lambda tf, x: tf.reduce_mean(x, axis=0), [X.astype(np.float16)], ops=("Mean",),
         ref=lambda x: np.mean(x.astype(np.float32), axis=0), rtol=2e-3, atol=2e-3),
    # -- Prod -----------------------------------------------------------------------------
    Case("prod_all", lambda tf, x: tf.reduce_prod(x), [P], ops=("Prod",), ref=np.prod, grad=True, grad2=True),
    Case("prod_axis_keep", lambda tf, x: tf.reduce_prod(x, axis=[1], keepdims=True), [P], ops=("Prod",),
         ref=lambda x: np.prod(x, axis=1, keepdims=True), grad=True, grad2=True),
    # First order is exact at zeros; second order goes through cumprod's gradient, which
    # divides by x (as TF's does), so it is only checked away from zeros.
    Case("prod_with_zeros", lambda tf, x: tf.reduce_prod(x, axis=1), [PZ], ops=("Prod",),
         ref=lambda x: np.prod(x, axis=1), grad=True),
    Case("prod_negative_axis", lambda tf, x: tf.reduce_prod(x, axis=-2), [P], ops=("Prod",),
         ref=lambda x: np.prod(x, axis=-2), grad=True),
    Case("prod_int", lambda tf, x: tf.reduce_prod(x, axis=0), [IM], ops=("Prod",), ref=lambda x: np.prod(x, axis=0)),
    # -- Max / Min ------------------------------------------------------------------------
    Case("max_all", lambda tf, x: tf.reduce_max(x), [D], ops=("Max",), ref=np.max, grad=True),
    Case("max_axis", lambda tf, x: tf.reduce_max(x, axis=2), [D], ops=("Max",), ref=lambda x: np.max(x, axis=2),
         grad=True),
    Case("max_axes_keep", lambda tf, x: tf.reduce_max(x, axis=[0, -1], keepdims=True), [D], ops=("Max",),
         ref=lambda x: np.max(x, axis=(0, 2), keepdims=True), grad=True),
    Case("max_ties_split_gradient", lambda tf, x: tf.reduce_max(x, axis=1), [TIES], ops=("Max",),
         ref=lambda x: np.max(x, axis=1)),
    Case("max_int", lambda tf, x: tf.reduce_max(x, axis=1), [IM], ops=("Max",), ref=lambda x: np.max(x, axis=1)),
    Case("max_empty", lambda tf, x: tf.reduce_max(x, axis=0), [np.zeros((0, 3), np.float32)], ops=("Max",),
         ref=lambda x: np.full(3, -np.inf)),
    Case("max_nan", lambda tf, x: tf.reduce_max(x), [np.array([1.0, np.nan, 3.0], np.float32)], ops=("Max",),
         ref=lambda x: np.float32(np.nan)),
    Case("min_all", lambda tf, x: tf.reduce_min(x), [D], ops=("Min",), ref=np.min, grad=True),
    Case("min_axis_neg", lambda tf, x: tf.reduce_min(x, axis=-2), [D], ops=("Min",),
         ref=lambda x: np.min(x, axis=-2), grad=True),
    Case("min_int_keep", lambda tf, x: tf.reduce_min(x, axis=0, keepdims=True), [IM], ops=("Min",),
         ref=lambda x: np.min(x, axis=0, keepdims=True)),
    Case("min_empty_int", lambda tf, x: tf.reduce_min(x, axis=1), [np.zeros((2, 0), np.int32)], ops=("Min",),
         ref=lambda x: np.full(2, np.iinfo(np.int32).max, np.int32)),
    # -- All / Any ------------------------------------------------------------------------
    Case("all", lambda tf, x: [tf.reduce_all(x), tf.reduce_all(x, axis=1), tf.reduce_all(x, axis=0, keepdims=True)],
         [B], ops=("All",), ref=lambda x: [np.all(x), np.all(x, axis=1), np.all(x, axis=0, keepdims=True)]),
    Case("any", lambda tf, x: [tf.reduce_any(x), tf.reduce_any(x, axis=-1), tf.reduce_any(~x, axis=[0, 1])],
         [B], ops=("Any",), ref=lambda x: [np.any(x), np.any(x, axis=-1), np.any(~x)]),
    Case("all_any_empty", lambda tf, x: [tf.reduce_all(x), tf.reduce_any(x)], [np.zeros((0,), bool)],
         ops=("All", "Any"), ref=lambda x: [np.True_, np.False_]),
    # -- ArgMax / ArgMin ------------------------------------------------------------------
    Case("argmax_default_axis", lambda tf, x: tf.argmax(x), [M], ops=("ArgMax",),
         ref=lambda x: np.argmax(x, axis=0)),
    Case("argmax_axis_neg", lambda tf, x: tf.math.argmax(x, axis=-1), [X], ops=("ArgMax",),
         ref=lambda x: np.argmax(x, axis=-1)),
    Case("argmax_int32_out", lambda tf, x: tf.argmax(x, axis=1, output_type=tf.int32), [IM], ops=("ArgMax",),
         ref=lambda x: np.argmax(x, axis=1).astype(np.int32)),
    Case("argmax_ties_first", lambda tf, x: tf.argmax(x, axis=1), [TIES], ops=("ArgMax",),
         ref=lambda x: np.argmax(x, axis=1)),
    Case("argmax_1d_bool", lambda tf, x: tf.argmax(x), [np.array([False, True, True])], ops=("ArgMax",),
         ref=lambda x: np.int64(1)),
    Case("argmin", lambda tf, x: [tf.argmin(x), tf.argmin(x, axis=2)], [X], ops=("ArgMin",),
         ref=lambda x: [np.argmin(x, axis=0), np.argmin(x, axis=2)]),
    Case("argmin_int32_out", lambda tf, x: tf.math.argmin(x, axis=0, output_type=tf.int32), [IM], ops=("ArgMin",),
         ref=lambda x: np.argmin(x, axis=0).astype(np.int32)),
    # -- composed ---------------------------------------------------------------------------
    Case("logsumexp_all", lambda tf, x: tf.reduce_logsumexp(x), [X], ops=("Max", "Exp", "Log", "Sum"),
         ref=lambda x: np.log(np.sum(np.exp(x))), grad=True, grad2=True),
    Case("logsumexp_axis_keep", lambda tf, x: tf.math.reduce_logsumexp(x, axis=[1], keepdims=True), [X],
         ref=lambda x: np.log(np.sum(np.exp(x), axis=1, keepdims=True)), grad=True, grad2=True),
    Case("logsumexp_large", lambda tf, x: tf.reduce_logsumexp(x, axis=-1), [M * 300],
         ref=lambda x: np.max(x, -1) + np.log(np.sum(np.exp(x - np.max(x, -1, keepdims=True)), -1)), grad=True),
    Case("logsumexp_neg_inf", lambda tf, x: tf.reduce_logsumexp(x, axis=1),
         [np.array([[1.0, 2.0], [3.0, -np.inf], [-np.inf, -np.inf]], np.float32)],
         ref=lambda x: np.array([np.log(np.exp(1) + np.exp(2)), 3.0, -np.inf])),
    Case("variance", lambda tf, x: [tf.math.reduce_variance(x), tf.math.reduce_variance(x, axis=1)], [X],
         ref=lambda x: [np.var(x), np.var(x, axis=1)], grad=True, grad2=True),
    Case("variance_keep_neg", lambda tf, x: tf.math.reduce_variance(x, axis=[-1, 0], keepdims=True), [X],
         ref=lambda x: np.var(x, axis=(0, 2), keepdims=True), grad=True),
    Case("variance_complex", lambda tf, x: tf.math.reduce_variance(x),
         [np.array([1 + 1j, 2 - 1j, -0.5j], np.complex64)], ref=lambda x: np.var(x)),
    Case("std", lambda tf, x: [tf.math.reduce_std(x), tf.math.reduce_std(x, axis=-1, keepdims=True)], [X],
         ops=("Sqrt", "Mean"), ref=lambda x: [np.std(x), np.std(x, axis=-1, keepdims=True)],
         grad=True, grad2=True),
    Case("euclidean_norm", lambda tf, x: [tf.math.reduce_euclidean_norm(x),
                                          tf.math.reduce_euclidean_norm(x, axis=0, keepdims=True)], [X],
         ref=lambda x: [np.sqrt(np.sum(x * x)), np.sqrt(np.sum(x * x, axis=0, keepdims=True))], grad=True),
    Case("euclidean_norm_int", lambda tf, x: tf.math.reduce_euclidean_norm(x, axis=1),
         [np.array([[3, 4], [1, 1], [-5, 12]], np.int32)], ref=lambda x: np.array([5, 1, 13], np.int32)),
    Case("count_nonzero", lambda tf, x: [tf.math.count_nonzero(x), tf.math.count_nonzero(x, axis=1),
                                         tf.math.count_nonzero(x, axis=0, keepdims=True, dtype=tf.int32)],
         [PZ], ref=lambda x: [np.int64(np.count_nonzero(x)), np.count_nonzero(x, axis=1).astype(np.int64),
                              np.count_nonzero(x, axis=0, keepdims=True).astype(np.int32)]),
    Case("count_nonzero_int_bool", lambda tf, x, b: [tf.math.count_nonzero(x, axis=-1), tf.math.count_nonzero(b)],
         [IM, B], ref=lambda x, b: [np.count_nonzero(x, axis=-1).astype(np.int64), np.int64(np.count_nonzero(b))]),
]
