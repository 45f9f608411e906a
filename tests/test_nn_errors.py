"""Error paths of tf.nn conv/pool/losses, clipping and the math extras: TF's types and texts."""

import numpy as np
import pytest

import arroyo as tf
from arroyo.framework.errors import InvalidArgumentError, UnimplementedError

X = tf.ones([1, 5, 5, 4])
F = tf.ones([3, 3, 4, 2])


def _raises(exc, match, fn):
    with pytest.raises(exc, match=match):
        fn()


# -- conv -------------------------------------------------------------------------------


@pytest.mark.parametrize("pad", ["FOO", "same"])
def test_conv2d_bad_padding(pad):
    msg = (
        f"Value for attr 'padding' of \"{pad}\" is not in the list of allowed values: "
        + '"SAME", "VALID", "EXPLICIT"'
    )
    _raises(InvalidArgumentError, msg, lambda: tf.nn.conv2d(X, F, 1, pad))


def test_conv2d_channel_mismatch():
    _raises(
        InvalidArgumentError,
        r"input depth must be evenly divisible by filter depth: 4 vs 3 \[Op:Conv2D\]",
        lambda: tf.nn.conv2d(X, tf.ones([3, 3, 3, 2]), 1, "SAME"),
    )


def test_conv2d_grouped_ok():
    y = tf.nn.conv2d(tf.ones([1, 5, 5, 4]), tf.ones([3, 3, 2, 4]), 1, "SAME")
    assert y.shape == (1, 5, 5, 4)
    assert float(y[0, 2, 2, 0]) == 18.0


def test_conv2d_bad_data_format():
    _raises(
        InvalidArgumentError,
        "Value for attr 'data_format' of \"NCWH\"",
        lambda: tf.nn.conv2d(X, F, 1, "SAME", data_format="NCWH"),
    )


def test_conv2d_filter_rank():
    _raises(
        InvalidArgumentError,
        r"convolution filter must be 4-dimensional: \[3,4,2\]",
        lambda: tf.nn.conv2d(X, tf.ones([3, 4, 2]), 1, "SAME"),
    )


def test_conv2d_strides_length():
    _raises(
        ValueError,
        r"strides should be of length 1, 2 or 4. Received: strides=\[1, 2, 2\] of length 3",
        lambda: tf.nn.conv2d(X, F, [1, 2, 2], "SAME"),
    )


def test_conv2d_batch_strides():
    _raises(
        UnimplementedError,
        "does not yet support strides in the batch and depth dimensions",
        lambda: tf.nn.conv2d(X, F, [2, 1, 1, 1], "SAME"),
    )


def test_conv2d_explicit_padding_errors():
    _raises(
        ValueError,
        "When padding is a list, it must be of size 4",
        lambda: tf.nn.conv2d(X, F, 1, [[0, 0], [1, 2], [0, 1]]),
    )
    _raises(
        ValueError,
        "each element of `padding` must be a list/tuple of size 2",
        lambda: tf.nn.conv2d(X, F, 1, [[0, 0], [1, 2, 3], [0, 1], [0, 0]]),
    )
    _raises(
        ValueError,
        "'EXPLICIT' is not a valid value for `padding`",
        lambda: tf.nn.conv2d(X, F, 1, "EXPLICIT"),
    )
    _raises(
        InvalidArgumentError,
        "Nonzero explicit padding in the batch or depth dimensions",
        lambda: tf.nn.conv2d(X, F, 1, [[1, 0], [1, 2], [0, 1], [0, 0]]),
    )


def test_conv2d_raw_explicit_paddings_not_empty():
    _raises(
        InvalidArgumentError,
        "explicit_paddings attribute must be empty if the padding attribute is not EXPLICIT",
        lambda: tf.raw_ops.Conv2D(
            input=X, filter=F, strides=[1, 1, 1, 1], padding="SAME", explicit_paddings=[0] * 8
        ),
    )


def test_conv2d_dtype_mismatch():
    _raises(
        InvalidArgumentError,
        "cannot compute Conv2D as input #1\\(zero-based\\) was expected to be a double "
        "tensor but is a float tensor",
        lambda: tf.nn.conv2d(tf.ones([1, 5, 5, 4], tf.float64), F, 1, "SAME"),
    )


def test_conv2d_bad_dtype():
    _raises(
        InvalidArgumentError,
        "Value for attr 'T' of int64",
        lambda: tf.nn.conv2d(
            tf.ones([1, 5, 5, 4], tf.int64), tf.ones([3, 3, 4, 2], tf.int64), 1, "SAME"
        ),
    )


def test_conv2d_valid_window_larger_than_input():
    assert tf.nn.conv2d(tf.ones([1, 2, 2, 4]), F, 1, "VALID").shape == (1, 0, 0, 2)


def test_conv1d_bad_format():
    _raises(
        ValueError,
        "`data_format` must be 'NWC' or 'NCW'. Received: data_format=NDHWC",
        lambda: tf.nn.conv1d(
            tf.ones([1, 5, 4]), tf.ones([3, 4, 2]), 1, "SAME", data_format="NDHWC"
        ),
    )


def test_conv2d_transpose_errors():
    _raises(
        InvalidArgumentError,
        "Size of out_backprop doesn't match computed: actual = 5, computed = 9",
        lambda: tf.nn.conv2d_transpose(X, tf.ones([3, 3, 2, 4]), [1, 9, 9, 2], 1, "SAME"),
    )
    _raises(
        InvalidArgumentError,
        "filter and out_backprop must have the same out_depth",
        lambda: tf.nn.conv2d_transpose(X, tf.ones([3, 3, 2, 3]), [1, 5, 5, 2], 1, "SAME"),
    )
    _raises(
        InvalidArgumentError,
        "input depth must be evenly divisible by filter depth",
        lambda: tf.nn.conv2d_transpose(X, tf.ones([3, 3, 2, 4]), [1, 5, 5, 3], 1, "SAME"),
    )


def test_conv2d_transpose_dilated_matches_gradient():
    x = tf.constant(np.random.default_rng(0).standard_normal((1, 6, 6, 2)).astype(np.float32))
    f = tf.constant(np.random.default_rng(1).standard_normal((3, 3, 2, 3)).astype(np.float32))
    dy = tf.constant(np.random.default_rng(2).standard_normal((1, 6, 6, 3)).astype(np.float32))
    with tf.GradientTape() as t:
        t.watch(x)
        y = tf.nn.conv2d(x, f, 1, "SAME", dilations=2)
    want = t.gradient(y, x, output_gradients=dy)
    got = tf.nn.conv2d_transpose(dy, f, [1, 6, 6, 2], 1, "SAME", dilations=2)
    np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-5, atol=1e-5)


def test_depthwise_errors():
    _raises(
        InvalidArgumentError,
        "input and filter must have the same depth: 4 vs 3",
        lambda: tf.nn.depthwise_conv2d(X, tf.ones([3, 3, 3, 2]), [1, 1, 1, 1], "SAME"),
    )
    _raises(
        InvalidArgumentError,
        "only supports equal length strides in the row and column dimensions",
        lambda: tf.nn.depthwise_conv2d(X, tf.ones([3, 3, 4, 2]), [1, 2, 1, 1], "SAME"),
    )


def test_separable_errors():
    _raises(
        InvalidArgumentError,
        "input depth must be evenly divisible by filter depth: 8 vs 7",
        lambda: tf.nn.separable_conv2d(
            X, tf.ones([3, 3, 4, 2]), tf.ones([1, 1, 7, 5]), [1, 1, 1, 1], "SAME"
        ),
    )
    _raises(
        ValueError,
        "Dimensions 2 and 1 are not compatible",
        lambda: tf.nn.separable_conv2d(
            X, tf.ones([3, 3, 4, 2]), tf.ones([2, 1, 8, 5]), [1, 1, 1, 1], "SAME"
        ),
    )


def test_bias_add_errors():
    _raises(
        InvalidArgumentError,
        r"Must provide as many biases as the last dimension of the input tensor: "
        r"\[3\] vs. \[1,5,5,4\] \[Op:BiasAdd\]",
        lambda: tf.nn.bias_add(X, tf.ones([3])),
    )
    _raises(
        InvalidArgumentError,
        r"Input tensor must be at least 2D: \[3\]",
        lambda: tf.nn.bias_add(tf.ones([3]), tf.ones([3])),
    )
    _raises(
        InvalidArgumentError,
        r"Biases must be 1D: \[4,1\]",
        lambda: tf.nn.bias_add(X, tf.ones([4, 1])),
    )
    _raises(
        InvalidArgumentError,
        "cannot compute BiasAdd as input #1",
        lambda: tf.nn.bias_add(X, tf.ones([4], tf.float64)),
    )
    _raises(
        ValueError,
        "data_format must be of the form `N...C` or `NC...`",
        lambda: tf.nn.bias_add(X, tf.ones([4]), data_format="HWC"),
    )


# -- pooling ----------------------------------------------------------------------------


def test_pool_errors():
    x = tf.reshape(tf.range(50.0), [1, 5, 5, 2])
    _raises(
        InvalidArgumentError,
        "Value for attr 'padding' of \"FOO\"",
        lambda: tf.nn.max_pool2d(x, 2, 2, "FOO"),
    )
    _raises(
        InvalidArgumentError,
        'allowed values: "SAME", "VALID"',
        lambda: tf.nn.avg_pool2d(x, 2, 2, "FOO"),
    )
    _raises(
        TypeError,
        "Expected string for argument 'padding'",
        lambda: tf.nn.avg_pool2d(x, 2, 2, [[0, 0], [1, 1], [1, 1], [0, 0]]),
    )
    _raises(
        ValueError,
        r"ksize should be of length 1, 2 or 4. Received: ksize=\[2, 2, 2\] of length 3",
        lambda: tf.nn.max_pool2d(x, [2, 2, 2], 2, "SAME"),
    )
    _raises(
        UnimplementedError,
        "Pooling is not yet supported on the batch dimension",
        lambda: tf.nn.max_pool2d(x, [2, 2, 2, 1], 2, "SAME"),
    )
    _raises(
        InvalidArgumentError,
        "Value for attr 'data_format' of \"NCWH\"",
        lambda: tf.nn.max_pool2d(x, 2, 2, "SAME", data_format="NCWH"),
    )
    _raises(
        InvalidArgumentError,
        "Input must be 4 or 5-dimensional",
        lambda: tf.nn.max_pool2d(tf.ones([5, 5, 2]), 2, 2, "SAME"),
    )
    _raises(
        ValueError,
        r"`input.shape.rank` must be 3, 4 or 5. Received: input.shape=\(1, 2, 2, 2, 2, 1\) of rank 6.",
        lambda: tf.nn.max_pool(tf.ones([1, 2, 2, 2, 2, 1]), 2, 2, "SAME"),
    )
    _raises(
        InvalidArgumentError,
        "Value for attr 'T' of int32",
        lambda: tf.nn.avg_pool2d(tf.ones([1, 4, 4, 1], tf.int32), 2, 2, "SAME"),
    )
    _raises(
        InvalidArgumentError,
        "Sliding window ksize must be positive. The specified or inferred ksize is: 1,0,0,1",
        lambda: tf.nn.max_pool2d(x, 0, 1, "SAME"),
    )
    _raises(
        InvalidArgumentError,
        "Stride must be > 0, but got 0",
        lambda: tf.nn.max_pool2d(x, 1, 0, "SAME"),
    )


def test_max_pool_explicit_and_same_larger_window():
    x = tf.reshape(tf.range(50.0), [1, 5, 5, 2])
    assert tf.nn.max_pool2d(x, 2, 2, [[0, 0], [1, 1], [1, 1], [0, 0]]).shape == (1, 3, 3, 2)
    assert tf.nn.max_pool2d(x, 7, 1, "SAME").shape == (1, 5, 5, 2)


# -- losses -----------------------------------------------------------------------------

LOGITS = tf.constant([[1.0, 2.0, 3.0], [1.0, 0.0, -1.0]])


def test_sparse_xent_out_of_range():
    _raises(
        InvalidArgumentError,
        r"Received a label value of 5 which is outside the valid range of \[0, 3\)\.  "
        r"Label values: 0 5 \[Op:SparseSoftmaxCrossEntropyWithLogits\]",
        lambda: tf.nn.sparse_softmax_cross_entropy_with_logits(labels=[0, 5], logits=LOGITS),
    )
    _raises(
        InvalidArgumentError,
        r"Received a label value of -1 which is outside the valid range of \[0, 3\)",
        lambda: tf.nn.sparse_softmax_cross_entropy_with_logits(labels=[0, -1], logits=LOGITS),
    )


def test_sparse_xent_shape_errors():
    _raises(
        ValueError,
        r"`labels.shape.rank` must equal `logits.shape.rank - 1`. Received: labels.shape=\(1, 2\) "
        r"of rank 2 and logits.shape=\(2, 3\) of rank 2",
        lambda: tf.nn.sparse_softmax_cross_entropy_with_logits(labels=[[0, 1]], logits=LOGITS),
    )
    _raises(
        ValueError,
        r"`labels.shape` must equal `logits.shape` except for the last dimension. Received: "
        r"labels.shape=\(3,\) and logits.shape=\(2, 3\)",
        lambda: tf.nn.sparse_softmax_cross_entropy_with_logits(labels=[0, 1, 2], logits=LOGITS),
    )
    _raises(
        InvalidArgumentError,
        "Value for attr 'Tlabels' of float32",
        lambda: tf.nn.sparse_softmax_cross_entropy_with_logits(labels=[0.0, 1.0], logits=LOGITS),
    )


def test_sparse_xent_scalar_label():
    assert tf.nn.sparse_softmax_cross_entropy_with_logits(labels=0, logits=[1.0, 2.0]).shape == ()


def test_softmax_xent_errors():
    _raises(
        InvalidArgumentError,
        r"logits and labels must be broadcastable: logits_size=\[2,3\] labels_size=\[1,2\]",
        lambda: tf.nn.softmax_cross_entropy_with_logits(labels=[[0.0, 1.0]], logits=LOGITS),
    )
    _raises(
        InvalidArgumentError,
        "logits and labels must be either 2-dimensional, or broadcasted to be 2-dimensional",
        lambda: tf.raw_ops.SoftmaxCrossEntropyWithLogits(features=[1.0, 2.0], labels=[0.0, 1.0]),
    )
    # Labels of another dtype are cast to the logits' dtype, as TF.
    out = tf.nn.softmax_cross_entropy_with_logits(
        labels=tf.constant([[0.0, 1.0, 0.0], [1, 0, 0]], tf.float64), logits=LOGITS
    )
    assert out.dtype == tf.float32


def test_sigmoid_xent_errors():
    _raises(
        ValueError,
        r"`logits` and `labels` must have the same shape, received \(\(3,\) vs \(2,\)\).",
        lambda: tf.nn.sigmoid_cross_entropy_with_logits(labels=[0.0, 1.0], logits=[1.0, 2.0, 3.0]),
    )
    _raises(
        ValueError,
        "Both `labels` and `logits` must be provided",
        lambda: tf.nn.sigmoid_cross_entropy_with_logits(labels=None, logits=[1.0, 2.0]),
    )
    _raises(
        InvalidArgumentError,
        "cannot compute Mul",
        lambda: tf.nn.sigmoid_cross_entropy_with_logits(
            labels=tf.constant([0.0, 1.0], tf.float64), logits=[1.0, 2.0]
        ),
    )
    _raises(
        ValueError,
        "must have the same shape",
        lambda: tf.nn.weighted_cross_entropy_with_logits(
            labels=[0.0, 1.0], logits=[1.0, 2.0, 3.0], pos_weight=2.0
        ),
    )


def test_l2_errors():
    _raises(
        InvalidArgumentError,
        "Value for attr 'T' of int32",
        lambda: tf.nn.l2_loss(tf.constant([1, 2])),
    )
    _raises(
        TypeError,
        "Cannot convert 1e-12 to EagerTensor of dtype int32",
        lambda: tf.math.l2_normalize(tf.constant([3, 4])),
    )


def test_moments_dtypes():
    m, v = tf.nn.moments(tf.constant([1.0, 2.0], tf.float16), axes=[0])
    assert m.dtype == tf.float16 and v.dtype == tf.float16
    m, v = tf.nn.moments(tf.constant([1, 2, 4]), axes=[0])
    assert int(m) == 2 and int(v) == 1


def test_dropout():
    _raises(
        ValueError,
        r"`rate` must be a scalar tensor or a float in the range \[0, 1\). Received: rate=1.0",
        lambda: tf.nn.dropout(tf.ones([3]), 1.0),
    )
    _raises(
        ValueError,
        "`x.dtype` must be a floating point tensor as `x` will be scaled",
        lambda: tf.nn.dropout(tf.ones([3], tf.int32), 0.5),
    )
    _raises(
        ValueError,
        "`rate` must be a scalar or scalar tensor. Received: rate=a",
        lambda: tf.nn.dropout(tf.ones([3, 4]), "a"),
    )
    x = tf.ones([2000])
    assert tf.nn.dropout(x, 0.0) is x
    y = tf.nn.dropout(x, 0.25, seed=3).numpy()
    assert set(np.unique(y).tolist()) <= {0.0, np.float32(1 / 0.75)}
    assert 0.15 < float(np.mean(y == 0)) < 0.35
    y = tf.nn.dropout(tf.ones([300, 4]), 0.5, noise_shape=[300, 1], seed=1).numpy()
    assert np.all(y == y[:, :1])
    y = tf.nn.dropout(tf.ones([3, 4]), 0.5, noise_shape=[None, 1], seed=1).numpy()
    assert np.all(y == y[:, :1])
    y = tf.nn.dropout(tf.ones([3, 4]), tf.constant(0.5), seed=1).numpy()
    assert set(np.unique(y).tolist()) <= {0.0, 2.0}


def test_dropout_gradient_masks():
    x = tf.constant(np.arange(1.0, 101.0, dtype=np.float32))
    with tf.GradientTape() as t:
        t.watch(x)
        y = tf.nn.dropout(x, 0.5, seed=5)
    g = t.gradient(y, x).numpy()
    np.testing.assert_array_equal(g, np.where(y.numpy() == 0, 0.0, 2.0))


def test_activation_errors():
    _raises(
        ValueError,
        "`features.dtype` must be a floating point tensor",
        lambda: tf.nn.gelu(tf.constant([1, 2])),
    )
    _raises(
        InvalidArgumentError, "Value for attr 'T' of int32", lambda: tf.nn.silu(tf.constant([1, 2]))
    )
    _raises(
        InvalidArgumentError,
        "Value for attr 'T' of int32",
        lambda: tf.math.log_sigmoid(tf.constant([1, 2])),
    )


def test_batch_normalization_dtype_mismatch():
    _raises(
        InvalidArgumentError,
        "cannot compute",
        lambda: tf.nn.batch_normalization(
            tf.ones([2, 3]), tf.constant(0.0, tf.float64), 1.0, None, None, 1e-3
        ),
    )


# -- clipping ---------------------------------------------------------------------------


def test_clip_by_value_broadcast_error():
    _raises(
        ValueError,
        r"Shapes \(2,\) and \(2, 2\) are incompatible",
        lambda: tf.clip_by_value(tf.constant([1.0, 2.0]), tf.zeros([2, 2]), 3.0),
    )


def test_clip_by_value_gradient_ties():
    x = tf.constant([-2.0, -1.0, 0.5, 1.0, 3.0])
    with tf.GradientTape() as t:
        t.watch(x)
        y = tf.clip_by_value(x, -1.0, 1.0)
    np.testing.assert_array_equal(t.gradient(y, x).numpy(), [0.0, 1.0, 1.0, 1.0, 0.0])


def test_clip_indexed_slices():
    s = tf.IndexedSlices(tf.constant([[3.0, 4.0]]), tf.constant([1]), tf.constant([3, 2]))
    c = tf.clip_by_value(s, -1.0, 1.0)
    assert isinstance(c, tf.IndexedSlices)
    assert c.values.numpy().tolist() == [[1.0, 1.0]]
    n = tf.clip_by_norm(s, 1.0)
    np.testing.assert_allclose(n.values.numpy(), [[0.6, 0.8]], rtol=1e-6)
    out, norm = tf.clip_by_global_norm([s, None, tf.constant([0.0])], 2.5)
    assert isinstance(out[0], tf.IndexedSlices) and out[1] is None
    np.testing.assert_allclose(float(norm), 5.0)
    np.testing.assert_allclose(out[0].values.numpy(), [[1.5, 2.0]], rtol=1e-6)


def test_clip_by_global_norm_errors_and_inf():
    _raises(
        TypeError,
        "`t_list` should be a sequence of tensors. Received <class",
        lambda: tf.clip_by_global_norm(tf.ones([2]), 1.0),
    )
    out, norm = tf.clip_by_global_norm([tf.constant([np.inf, 1.0])], 1.0)
    assert np.isinf(float(norm)) and np.all(np.isnan(out[0].numpy()))


def test_clip_by_norm_zero():
    x = tf.zeros([3])
    with tf.GradientTape() as t:
        t.watch(x)
        y = tf.clip_by_norm(x, 1.0)
    assert y.numpy().tolist() == [0.0, 0.0, 0.0]
    assert np.all(np.isfinite(t.gradient(y, x).numpy()))


# -- math extras ------------------------------------------------------------------------


def test_add_n_errors():
    _raises(
        InvalidArgumentError,
        r"Inputs to operation AddN of type AddN must have the same size and shape.  "
        r"Input 0: \[2\] != input 1: \[3\]",
        lambda: tf.add_n([tf.ones([2]), tf.ones([3])]),
    )
    _raises(
        InvalidArgumentError,
        "cannot compute AddN as input #1",
        lambda: tf.add_n([tf.ones([2]), tf.ones([2], tf.float64)]),
    )
    _raises(
        ValueError,
        "Inputs must be an iterable of at least one Tensor/IndexedSlices",
        lambda: tf.add_n([]),
    )
    _raises(
        InvalidArgumentError,
        "Value for attr 'T' of bool",
        lambda: tf.add_n([tf.ones([2], tf.bool)] * 2),
    )
    x = tf.ones([2])
    assert tf.add_n([x]) is x


def test_add_n_indexed_slices():
    s = tf.IndexedSlices(tf.constant([[1.0, 2.0]]), tf.constant([1]), tf.constant([2, 2]))
    assert tf.add_n([s, tf.ones([2, 2])]).numpy().tolist() == [[1.0, 1.0], [2.0, 3.0]]


def test_math_extra_dtypes():
    r = tf.math.divide_no_nan([1, 2], [0, 4])
    assert r.dtype == tf.float64 and r.numpy().tolist() == [0.0, 0.5]
    assert tf.math.divide_no_nan(tf.constant([1.0, 2.0]), 2).dtype == tf.float32
    _raises(
        InvalidArgumentError,
        "Value for attr 'T' of int32",
        lambda: tf.math.multiply_no_nan([1, 2], [0, 4]),
    )
    _raises(
        InvalidArgumentError, "Value for attr 'T' of int32", lambda: tf.math.xlogy([0, 2], [0, 4])
    )
    _raises(
        InvalidArgumentError, "Value for attr 'T' of int32", lambda: tf.math.atan2([1, -1], [0, -1])
    )
    assert np.isnan(tf.math.xlogy([1.0], [-1.0]).numpy()[0])


def test_math_extra_zero_gradients():
    x = tf.constant([0.0, 2.0])
    y = tf.constant([0.0, 4.0])
    with tf.GradientTape(persistent=True) as t:
        t.watch([x, y])
        a = tf.math.divide_no_nan(x, y)
        b = tf.math.xlogy(x, y)
    ga = t.gradient(a, [x, y])
    gb = t.gradient(b, [x, y])
    assert ga[0].numpy().tolist() == [0.0, 0.25] and ga[1].numpy().tolist() == [0.0, -0.125]
    np.testing.assert_allclose(gb[0].numpy(), [0.0, np.log(4.0)], rtol=1e-6)
    np.testing.assert_allclose(gb[1].numpy(), [0.0, 0.5], rtol=1e-6)


def test_saturate_cast():
    assert tf.saturate_cast([300.0, -5.0, 1.7], tf.uint8).numpy().tolist() == [255, 0, 1]
    assert tf.saturate_cast([3e10, -3e10], tf.int32).numpy().tolist() == [2147483520, -2147483648]
    assert tf.saturate_cast(tf.constant([-1, 2], tf.int32), tf.uint32).numpy().tolist() == [0, 2]
    assert tf.saturate_cast(tf.constant([2**40], tf.int64), tf.float16).numpy().tolist() == [
        65504.0
    ]
    assert tf.dtypes.saturate_cast(tf.constant([1 + 2j]), tf.float32).numpy().tolist() == [1.0]
    _raises(
        TypeError,
        "Cannot find minimum value of <dtype: 'bool'>",
        lambda: tf.saturate_cast(tf.constant([True]), tf.int32),
    )


def test_bitcast():
    assert tf.bitcast(tf.constant(1.0), tf.uint16).numpy().tolist() == [0, 16256]
    assert tf.bitcast(tf.constant([1, 2], tf.uint16), tf.int32).numpy().tolist() == 131073
    assert tf.bitcast(tf.constant([1 + 1j], tf.complex64), tf.float64).shape == (1,)
    _raises(
        InvalidArgumentError,
        r"Cannot bitcast from 4 to 3 \[Op:Bitcast\]",
        lambda: tf.bitcast(tf.constant([1, 2, 3], tf.uint8), tf.int32),
    )
    _raises(
        InvalidArgumentError,
        "Value for attr 'T' of bool",
        lambda: tf.bitcast(tf.constant([True]), tf.uint8),
    )


# -- conv: chunked and threaded paths agree with one big GEMM --------------------------


@pytest.mark.parametrize("chunk", [1 << 10, 1 << 14, 64 << 20])
@pytest.mark.parametrize(
    "stride,groups,pad", [(1, 1, "SAME"), (2, 1, "SAME"), (1, 2, "VALID"), (2, 2, "SAME")]
)
def test_conv_chunked_paths(monkeypatch, chunk, stride, groups, pad):
    from arroyo.ops import conv_ops

    rng = np.random.default_rng(0)
    x = rng.standard_normal((3, 9, 8, 4))
    f = rng.standard_normal((3, 3, 4 // groups, 6))
    dy_shape = tf.nn.conv2d(x, f, stride, pad).shape
    dy = rng.standard_normal(dy_shape)
    xt, ft, dyt = tf.constant(x), tf.constant(f), tf.constant(dy)
    with tf.GradientTape(persistent=True) as t:
        t.watch([xt, ft])
        y = tf.nn.conv2d(xt, ft, stride, pad)
    want = [y.numpy()] + [g.numpy() for g in t.gradient(y, [xt, ft], output_gradients=dyt)]
    monkeypatch.setattr(conv_ops, "_CHUNK_BYTES", chunk)
    with tf.GradientTape(persistent=True) as t:
        t.watch([xt, ft])
        y = tf.nn.conv2d(xt, ft, stride, pad)
    got = [y.numpy()] + [g.numpy() for g in t.gradient(y, [xt, ft], output_gradients=dyt)]
    for a, b in zip(got, want):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-10)
    # And against a direct float64 reference for the forward value.
    xp = np.pad(x, ((0, 0), (1, 1), (1, 1), (0, 0))) if pad == "SAME" else x
    cg = 4 // groups
    kg = 6 // groups
    ref = np.zeros(dy_shape)
    for i in range(dy_shape[1]):
        for j in range(dy_shape[2]):
            win = xp[:, i * stride : i * stride + 3, j * stride : j * stride + 3, :]
            for gi in range(groups):
                ref[:, i, j, gi * kg : (gi + 1) * kg] = np.tensordot(
                    win[..., gi * cg : (gi + 1) * cg],
                    f[..., gi * kg : (gi + 1) * kg],
                    axes=([1, 2, 3], [0, 1, 2]),
                )
    if pad == "SAME" and stride == 2:
        return  # SAME with stride 2 pads 0/1 here, not 1/1: covered by the TF goldens
    np.testing.assert_allclose(got[0], ref, rtol=1e-10, atol=1e-10)


def test_max_pool_grad_ties_go_to_first_max():
    x = tf.ones([1, 4, 4, 1])
    with tf.GradientTape() as t:
        t.watch(x)
        y = tf.nn.max_pool2d(x, 2, 2, "VALID")
    want = np.zeros((4, 4))
    want[::2, ::2] = 1
    np.testing.assert_array_equal(t.gradient(y, x).numpy()[0, :, :, 0], want)
    x = tf.reshape(tf.constant([1.0, 3.0, 3.0, 2.0, 3.0]), [1, 1, 5, 1])
    with tf.GradientTape() as t:
        t.watch(x)
        y = tf.nn.max_pool2d(x, [1, 3], 1, "VALID")
    np.testing.assert_array_equal(t.gradient(y, x).numpy().ravel(), [0.0, 2.0, 1.0, 0.0, 0.0])


def test_dropout_matches_tf_stream():
    # TF 2.21: tf.random.set_seed(3); two tf.nn.dropout(tf.ones([2, 3]), 0.5, seed=1) calls.
    pytest.importorskip("arroyo.ops.random_ops")
    tf.random.set_seed(3)
    a = tf.nn.dropout(tf.ones([2, 3]), 0.5, seed=1).numpy()
    b = tf.nn.dropout(tf.ones([2, 3]), 0.5, seed=1).numpy()
    assert a.tolist() == [[2.0, 2.0, 2.0], [0.0, 0.0, 2.0]]
    assert b.tolist() == [[2.0, 0.0, 2.0], [2.0, 0.0, 2.0]]


def test_conv_backprop_input_padding_larger_than_filter():
    # Stride 1 with an explicit padding past the filter's reach: dx must still be exact.
    rng = np.random.default_rng(3)
    x = tf.constant(rng.standard_normal((1, 2, 7, 6)))
    f = tf.constant(rng.standard_normal((1, 3, 1, 6)))
    pad = [[0, 0], [0, 0], [0, 2], [2, 1]]
    with tf.GradientTape() as t:
        t.watch(x)
        y = tf.nn.conv2d(x, f, 1, pad, data_format="NCHW")
    dy = rng.standard_normal(y.shape)
    got = t.gradient(y, x, output_gradients=tf.constant(dy)).numpy()
    eps = 1e-6
    num = np.zeros(x.shape)
    xv = x.numpy()
    for idx in np.ndindex(*x.shape):
        xp, xm = xv.copy(), xv.copy()
        xp[idx] += eps
        xm[idx] -= eps
        yp = tf.nn.conv2d(xp, f, 1, pad, data_format="NCHW").numpy()
        ym = tf.nn.conv2d(xm, f, 1, pad, data_format="NCHW").numpy()
        num[idx] = np.sum((yp - ym) * dy) / (2 * eps)
    np.testing.assert_allclose(got, num, rtol=1e-6, atol=1e-6)


def test_space_depth_and_lrn_errors():
    x = tf.reshape(tf.range(50.0), [1, 5, 5, 2])
    _raises(
        InvalidArgumentError,
        "Image width 5 and height 5 should be divisible by block_size: 2",
        lambda: tf.nn.space_to_depth(x, 2),
    )
    _raises(
        InvalidArgumentError,
        "Value for attr 'block_size' of 1 must be at least minimum 2",
        lambda: tf.nn.space_to_depth(x, 1),
    )
    _raises(
        InvalidArgumentError,
        "Input rank should be 4 instead of 3",
        lambda: tf.nn.space_to_depth(tf.ones([4, 4, 1]), 2),
    )
    _raises(
        InvalidArgumentError,
        "Input depth dimension 3 should be divisible by: 4",
        lambda: tf.nn.depth_to_space(tf.ones([1, 2, 2, 3]), 2),
    )
    _raises(
        InvalidArgumentError,
        "Value for attr 'T' of double is not in the list of allowed values: half, bfloat16, float",
        lambda: tf.nn.lrn(tf.ones([1, 2, 2, 4], tf.float64)),
    )
    _raises(InvalidArgumentError, "in must be 4-dimensional", lambda: tf.nn.lrn(tf.ones([2, 4])))
    assert tf.nn.lrn(tf.ones([1, 2, 2, 4], tf.float16)).dtype == tf.float16
    x = tf.random.normal([1, 2, 2, 6]) if hasattr(tf, "random") else tf.ones([1, 2, 2, 6])
    with tf.GradientTape() as t:
        t.watch(x)
        with tf.GradientTape() as t2:
            t2.watch(x)
            y = tf.nn.lrn(x, 2)
        g = t2.gradient(y, x)
    assert g.shape == (1, 2, 2, 6)
    assert t.gradient(g, x) is None  # LRNGrad has no gradient, as in TF


def test_conv3d_errors_and_chunks(monkeypatch):
    from arroyo.ops import conv_ops

    x = tf.ones([1, 4, 5, 5, 4])
    _raises(
        InvalidArgumentError,
        "input and filter must have the same depth: 4 vs 2",
        lambda: tf.nn.conv3d(x, tf.ones([2, 2, 2, 2, 4]), [1, 1, 1, 1, 1], "SAME"),
    )
    _raises(
        InvalidArgumentError,
        'allowed values: "SAME", "VALID"',
        lambda: tf.nn.conv3d(x, tf.ones([2, 2, 2, 4, 2]), [1, 1, 1, 1, 1], "FOO"),
    )
    _raises(
        InvalidArgumentError,
        "Length for attr 'strides' of 3 must be at least minimum 5",
        lambda: tf.nn.conv3d(x, tf.ones([2, 2, 2, 4, 2]), [1, 2, 2], "SAME"),
    )
    rng = np.random.default_rng(1)
    xv = tf.constant(rng.standard_normal((2, 5, 4, 6, 3)))
    fv = tf.constant(rng.standard_normal((3, 2, 3, 3, 4)))

    def all_outputs():
        with tf.GradientTape() as t:
            t.watch([xv, fv])
            y = tf.nn.conv3d(xv, fv, [1, 2, 1, 1, 1], "SAME")
        return [y.numpy()] + [g.numpy() for g in t.gradient(y, [xv, fv])]

    want = all_outputs()
    monkeypatch.setattr(conv_ops, "_CHUNK_BYTES", 1 << 10)
    for a, b in zip(all_outputs(), want):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-10)
