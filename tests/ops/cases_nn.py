"""Table rows for tf.nn beyond activations: conv, pooling, losses, clipping, math extras."""

import numpy as np

from tests.harness import Case

R = np.random.default_rng(7)


def _n(*shape, scale=1.0):
    return (R.standard_normal(shape) * scale).astype(np.float32)


def _perm(*shape):
    """Distinct values (no ties: max-pool gradients are well defined for finite differences)."""
    n = int(np.prod(shape))
    return (R.permutation(n).astype(np.float32) / n - 0.5).reshape(shape)


# -- NumPy references -------------------------------------------------------------------


def ref_conv2d(x, f, stride=1, pad=((0, 0), (0, 0)), dil=1):
    x = np.pad(x.astype(np.float64), ((0, 0), pad[0], pad[1], (0, 0)))
    kh, kw, c, k = f.shape
    eh, ew = (kh - 1) * dil + 1, (kw - 1) * dil + 1
    ho = (x.shape[1] - eh) // stride + 1
    wo = (x.shape[2] - ew) // stride + 1
    out = np.zeros((x.shape[0], ho, wo, k))
    for i in range(ho):
        for j in range(wo):
            win = x[:, i * stride : i * stride + eh : dil, j * stride : j * stride + ew : dil, :]
            out[:, i, j, :] = np.tensordot(win, f, axes=([1, 2, 3], [0, 1, 2]))
    return out


def ref_pool(x, k, s, op, pad=((0, 0), (0, 0))):
    fill = -np.inf if op is np.max else np.nan
    x = np.pad(x.astype(np.float64), ((0, 0), pad[0], pad[1], (0, 0)), constant_values=fill)
    ho = (x.shape[1] - k) // s + 1
    wo = (x.shape[2] - k) // s + 1
    out = np.zeros((x.shape[0], ho, wo, x.shape[3]))
    for i in range(ho):
        for j in range(wo):
            win = x[:, i * s : i * s + k, j * s : j * s + k, :]
            out[:, i, j, :] = (
                np.max(win, axis=(1, 2)) if op is np.max else np.nanmean(win, axis=(1, 2))
            )
    return out


def _as(tf, x, g):
    """x in g's dtype (the gradient check runs g in float64)."""
    return tf.cast(x, g.dtype)


def _log_softmax(x, axis=-1):
    m = x.max(axis=axis, keepdims=True)
    return x - m - np.log(np.exp(x - m).sum(axis=axis, keepdims=True))


X = _n(2, 5, 5, 3)
F = _n(3, 3, 3, 4)
XS = _n(1, 6, 7, 2)
FS = _n(2, 3, 2, 3)
XG = _n(1, 4, 4, 4)
FG = _n(3, 3, 2, 4)
X1 = _n(2, 7, 3)
F1 = _n(3, 3, 2)
DY = _n(1, 3, 3, 4)
FT = _n(3, 3, 2, 4)
FDW = _n(3, 3, 3, 2)
FPW = _n(1, 1, 6, 4)
B3 = _n(3)
P = _perm(2, 5, 5, 2)
P3 = _perm(1, 4, 4, 4, 2)
P1 = _perm(2, 7, 3)
LOG = _n(4, 5)
LAB = np.abs(_n(4, 5))
LAB = (LAB / LAB.sum(-1, keepdims=True)).astype(np.float32)
SLAB = np.array([0, 3, 4, 1], np.int32)
LOG3 = _n(2, 3, 4)
SLAB3 = np.array([[0, 3, 2], [1, 1, 0]], np.int64)
BL = R.uniform(0.1, 0.9, size=(3, 4)).astype(np.float32)
POS = R.uniform(0.5, 2.0, size=(2, 3)).astype(np.float32)
A = _n(2, 3)
B = _n(2, 3)
C = _n(2, 3)
BN = lambda *s: R.uniform(0.3, 2.0, size=s).astype(np.float32)  # noqa: E731

_SAME2 = "SAME"

CASES = [
    # -- Conv2D and its backprops ---------------------------------------------------------
    Case(
        "conv2d_same",
        lambda tf, x, f: tf.nn.conv2d(x, f, 1, "SAME"),
        [X, F],
        ops=("Conv2D",),
        ref=lambda x, f: ref_conv2d(x, f, 1, ((1, 1), (1, 1))),
        grad=True,
        grad2=True,
        rtol=1e-4,
        atol=1e-5,
    ),
    Case(
        "conv2d_valid_stride",
        lambda tf, x, f: tf.nn.conv2d(x, f, 2, "VALID"),
        [XS, FS],
        ops=("Conv2D",),
        ref=lambda x, f: ref_conv2d(x, f, 2),
        grad=True,
        rtol=1e-4,
        atol=1e-5,
    ),
    Case(
        "conv2d_same_stride_hw",
        lambda tf, x, f: tf.nn.conv2d(x, f, [2, 3], "SAME"),
        [XS, FS],
        ops=("Conv2D",),
        grad=True,
        rtol=1e-4,
        atol=1e-5,
    ),
    Case(
        "conv2d_dilated",
        lambda tf, x, f: tf.nn.conv2d(x, f, 1, "SAME", dilations=2),
        [XS, FS],
        ops=("Conv2D",),
        grad=True,
        rtol=1e-4,
        atol=1e-5,
    ),
    Case(
        "conv2d_explicit",
        lambda tf, x, f: tf.nn.conv2d(x, f, [1, 2], [[0, 0], [1, 2], [0, 1], [0, 0]]),
        [XS, FS],
        ops=("Conv2D",),
        ref=lambda x, f: ref_conv2d(
            np.pad(x, ((0, 0), (0, 0), (0, 0), (0, 0))), f, 1, ((1, 2), (0, 1))
        )[:, :, ::2],
        grad=True,
        rtol=1e-4,
        atol=1e-5,
    ),
    Case(
        "conv2d_nchw",
        lambda tf, x, f: tf.nn.conv2d(x, f, 2, "SAME", data_format="NCHW"),
        [np.ascontiguousarray(X.transpose(0, 3, 1, 2)), F],
        ops=("Conv2D",),
        grad=True,
        rtol=1e-4,
        atol=1e-5,
    ),
    Case(
        "conv2d_grouped",
        lambda tf, x, f: tf.nn.conv2d(x, f, 1, "SAME"),
        [XG, FG],
        ops=("Conv2D",),
        grad=True,
        rtol=1e-4,
        atol=1e-5,
    ),
    Case(
        "conv2d_1x1",
        lambda tf, x, f: tf.nn.conv2d(x, f, 1, "VALID"),
        [X, _n(1, 1, 3, 2)],
        ops=("Conv2D",),
        ref=lambda x, f: ref_conv2d(x, f),
        grad=True,
        grad2=True,
        rtol=1e-4,
        atol=1e-5,
    ),
    Case(
        "conv2d_f64",
        lambda tf, x, f: tf.nn.conv2d(x, f, 1, "SAME"),
        [X.astype(np.float64), F.astype(np.float64)],
        ops=("Conv2D",),
        ref=lambda x, f: ref_conv2d(x, f, 1, ((1, 1), (1, 1))),
    ),
    Case(
        "conv2d_int32",
        lambda tf, x, f: tf.nn.conv2d(x, f, 1, "VALID"),
        [
            np.arange(32, dtype=np.int32).reshape(1, 4, 4, 2) % 5,
            np.arange(8, dtype=np.int32).reshape(2, 2, 2, 1) - 3,
        ],
        ops=("Conv2D",),
        ref=lambda x, f: ref_conv2d(x, f).astype(np.int32),
    ),
    Case(
        "conv2d_f16",
        lambda tf, x, f: tf.nn.conv2d(x, f, 1, "SAME"),
        [X.astype(np.float16), F.astype(np.float16)],
        ops=("Conv2D",),
        rtol=1e-2,
        atol=1e-2,
    ),
    Case(
        "conv2d_batch_dims",
        lambda tf, x, f: tf.nn.conv2d(x, f, 1, "VALID"),
        [_n(2, 2, 4, 4, 3), F],
        ops=("Conv2D",),
    ),
    Case(
        "conv1d",
        lambda tf, x, f: tf.nn.conv1d(x, f, 2, "SAME"),
        [X1, F1],
        ops=("Conv2D",),
        grad=True,
        rtol=1e-4,
        atol=1e-5,
    ),
    Case(
        "conv1d_ncw",
        lambda tf, x, f: tf.nn.conv1d(x, f, 1, "VALID", data_format="NCW"),
        [np.ascontiguousarray(X1.transpose(0, 2, 1)), F1],
        ops=("Conv2D",),
        grad=True,
        rtol=1e-4,
        atol=1e-5,
    ),
    Case(
        "conv1d_dilated",
        lambda tf, x, f: tf.nn.conv1d(x, f, 1, "SAME", dilations=2),
        [X1, F1],
        ops=("Conv2D",),
        grad=True,
        rtol=1e-4,
        atol=1e-5,
    ),
    Case(
        "conv2d_transpose_same",
        lambda tf, y, f: tf.nn.conv2d_transpose(y, f, [1, 6, 6, 2], 2, "SAME"),
        [DY, FT],
        ops=("Conv2DBackpropInput",),
        grad=True,
        grad2=True,
        rtol=1e-4,
        atol=1e-5,
    ),
    Case(
        "conv2d_transpose_valid",
        lambda tf, y, f: tf.nn.conv2d_transpose(y, f, [1, 8, 8, 2], 2, "VALID"),
        [DY, FT],
        ops=("Conv2DBackpropInput",),
        grad=True,
        rtol=1e-4,
        atol=1e-5,
    ),
    Case(
        "conv2d_transpose_valid_rem",
        lambda tf, y, f: tf.nn.conv2d_transpose(y, f, [1, 7, 7, 2], 2, "VALID"),
        [DY, FT],
        ops=("Conv2DBackpropInput",),
        grad=True,
        rtol=1e-4,
        atol=1e-5,
    ),
    Case(
        "raw_conv2d_backprop_input",
        lambda tf, f, dy: tf.raw_ops.Conv2DBackpropInput(
            input_sizes=[2, 5, 5, 3],
            filter=f,
            out_backprop=dy,
            strides=[1, 2, 2, 1],
            padding="SAME",
        ),
        [F, _n(2, 3, 3, 4)],
        ops=("Conv2DBackpropInput",),
        grad=True,
        grad2=True,
        rtol=1e-4,
        atol=1e-5,
    ),
    Case(
        "raw_conv2d_backprop_filter",
        lambda tf, x, dy: tf.raw_ops.Conv2DBackpropFilter(
            input=x,
            filter_sizes=[3, 3, 3, 4],
            out_backprop=dy,
            strides=[1, 2, 2, 1],
            padding="SAME",
        ),
        [X, _n(2, 3, 3, 4)],
        ops=("Conv2DBackpropFilter",),
        grad=True,
        grad2=True,
        rtol=1e-4,
        atol=1e-5,
    ),
    Case(
        "raw_conv2d_backprop_filter_explicit",
        lambda tf, x, dy: tf.raw_ops.Conv2DBackpropFilter(
            input=x,
            filter_sizes=[2, 3, 2, 3],
            out_backprop=dy,
            strides=[1, 1, 1, 1],
            padding="EXPLICIT",
            explicit_paddings=[0, 0, 1, 0, 0, 2, 0, 0],
        ),
        [XS, _n(1, 6, 7, 3)],
        ops=("Conv2DBackpropFilter",),
        grad=True,
        rtol=1e-4,
        atol=1e-5,
    ),
    Case(
        "conv1d_transpose",
        lambda tf, y, f: tf.nn.conv1d_transpose(y, f, [2, 8, 2], 2, "SAME"),
        [_n(2, 4, 3), F1[:, :, :2].transpose(0, 2, 1).copy()],
        ops=("Conv2DBackpropInput",),
        grad=True,
        rtol=1e-4,
        atol=1e-5,
    ),
    Case(
        "convolution",
        lambda tf, x, f, x1, f1: [
            tf.nn.convolution(x, f, padding="SAME", dilations=2),
            tf.nn.convolution(x1, f1, strides=2),
        ],
        [X, F, X1, F1],
        ops=("Conv2D",),
        grad=True,
        rtol=1e-4,
        atol=1e-5,
    ),
    Case(
        "conv_transpose",
        lambda tf, y, f: tf.nn.conv_transpose(y, f, [1, 6, 6, 2], 2),
        [DY, FT],
        ops=("Conv2DBackpropInput",),
        rtol=1e-4,
        atol=1e-5,
    ),
    Case(
        "atrous_conv2d",
        lambda tf, x, f: tf.nn.atrous_conv2d(x, f, 2, "SAME"),
        [X, F],
        ops=("Conv2D",),
        rtol=1e-4,
        atol=1e-5,
    ),
    Case(
        "atrous_conv2d_transpose",
        lambda tf, y, f: tf.nn.atrous_conv2d_transpose(y, f, [2, 5, 5, 3], 2, "SAME"),
        [_n(2, 5, 5, 4), F],
        ops=("Conv2DBackpropInput",),
        grad=True,
        rtol=1e-4,
        atol=1e-5,
    ),
    # -- depthwise / separable -------------------------------------------------------------
    Case(
        "depthwise_same",
        lambda tf, x, f: tf.nn.depthwise_conv2d(x, f, [1, 1, 1, 1], "SAME"),
        [X, FDW],
        ops=("DepthwiseConv2dNative",),
        grad=True,
        grad2=True,
        rtol=1e-4,
        atol=1e-5,
    ),
    Case(
        "depthwise_stride_valid",
        lambda tf, x, f: tf.nn.depthwise_conv2d(x, f, [1, 2, 2, 1], "VALID"),
        [X, FDW],
        ops=("DepthwiseConv2dNative",),
        grad=True,
        rtol=1e-4,
        atol=1e-5,
    ),
    Case(
        "depthwise_dilated",
        lambda tf, x, f: tf.nn.depthwise_conv2d(x, f, [1, 1, 1, 1], "SAME", dilations=[2, 2]),
        [X, FDW],
        ops=("DepthwiseConv2dNative",),
        grad=True,
        rtol=1e-4,
        atol=1e-5,
    ),
    Case(
        "depthwise_mult1",
        lambda tf, x, f: tf.nn.depthwise_conv2d(x, f, [1, 1, 1, 1], "VALID"),
        [X, _n(2, 2, 3, 1)],
        ops=("DepthwiseConv2dNative",),
        grad=True,
        rtol=1e-4,
        atol=1e-5,
    ),
    Case(
        "raw_depthwise_backprop_input",
        lambda tf, f, dy: tf.raw_ops.DepthwiseConv2dNativeBackpropInput(
            input_sizes=[2, 5, 5, 3],
            filter=f,
            out_backprop=dy,
            strides=[1, 1, 1, 1],
            padding="SAME",
        ),
        [FDW, _n(2, 5, 5, 6)],
        ops=("DepthwiseConv2dNativeBackpropInput",),
        grad=True,
        grad2=True,
        rtol=1e-4,
        atol=1e-5,
    ),
    Case(
        "raw_depthwise_backprop_filter",
        lambda tf, x, dy: tf.raw_ops.DepthwiseConv2dNativeBackpropFilter(
            input=x,
            filter_sizes=[3, 3, 3, 2],
            out_backprop=dy,
            strides=[1, 1, 1, 1],
            padding="SAME",
        ),
        [X, _n(2, 5, 5, 6)],
        ops=("DepthwiseConv2dNativeBackpropFilter",),
        grad=True,
        grad2=True,
        rtol=1e-4,
        atol=1e-5,
    ),
    Case(
        "depthwise_backprop_public",
        lambda tf, x, f, dy: [
            tf.nn.depthwise_conv2d_backprop_input([2, 5, 5, 3], f, dy, [1, 1, 1, 1], "SAME"),
            tf.nn.depthwise_conv2d_backprop_filter(x, [3, 3, 3, 2], dy, [1, 1, 1, 1], "SAME"),
        ],
        [X, FDW, _n(2, 5, 5, 6)],
        ops=("DepthwiseConv2dNativeBackpropInput", "DepthwiseConv2dNativeBackpropFilter"),
        rtol=1e-4,
        atol=1e-5,
    ),
    Case(
        "separable_conv2d",
        lambda tf, x, d, p: tf.nn.separable_conv2d(x, d, p, [1, 1, 1, 1], "SAME"),
        [X, FDW, FPW],
        ops=("DepthwiseConv2dNative", "Conv2D"),
        grad=True,
        rtol=1e-4,
        atol=1e-5,
    ),
    Case(
        "conv2d_nchw_explicit",
        lambda tf, x, f: tf.nn.conv2d(
            x, f, 1, [[0, 0], [0, 0], [2, 0], [1, 1]], data_format="NCHW"
        ),
        [np.ascontiguousarray(X.transpose(0, 3, 1, 2)), F],
        ops=("Conv2D",),
        grad=True,
        rtol=1e-4,
        atol=1e-5,
    ),
    Case(
        "conv2d_transpose_nchw",
        lambda tf, y, f: tf.nn.conv2d_transpose(y, f, [1, 2, 6, 6], 2, "SAME", data_format="NCHW"),
        [np.ascontiguousarray(DY.transpose(0, 3, 1, 2)), FT],
        ops=("Conv2DBackpropInput",),
        grad=True,
        rtol=1e-4,
        atol=1e-5,
    ),
    Case(
        "depthwise_nchw",
        lambda tf, x, f: tf.nn.depthwise_conv2d(x, f, [1, 1, 2, 2], "SAME", data_format="NCHW"),
        [np.ascontiguousarray(X.transpose(0, 3, 1, 2)), FDW],
        ops=("DepthwiseConv2dNative",),
        grad=True,
        rtol=1e-4,
        atol=1e-5,
    ),
    Case(
        "space_to_depth",
        lambda tf, x: tf.nn.space_to_depth(x, 2),
        [_n(2, 4, 6, 3)],
        ops=("SpaceToDepth",),
        ref=lambda x: x.reshape(2, 2, 2, 3, 2, 3).transpose(0, 1, 3, 2, 4, 5).reshape(2, 2, 3, 12),
        grad=True,
    ),
    Case(
        "depth_to_space",
        lambda tf, x: tf.nn.depth_to_space(x, 2),
        [_n(2, 2, 3, 8)],
        ops=("DepthToSpace",),
        ref=lambda x: x.reshape(2, 2, 3, 2, 2, 2).transpose(0, 1, 3, 2, 4, 5).reshape(2, 4, 6, 2),
        grad=True,
    ),
    Case(
        "space_to_depth_nchw",
        lambda tf, x: tf.nn.depth_to_space(
            tf.nn.space_to_depth(x, 3, data_format="NCHW"), 3, data_format="NCHW"
        ),
        [_n(1, 2, 6, 3)],
        ops=("SpaceToDepth", "DepthToSpace"),
        ref=lambda x: x,
        grad=True,
    ),
    Case(
        "conv3d_same",
        lambda tf, x, f: tf.nn.conv3d(x, f, [1, 1, 1, 1, 1], "SAME"),
        [_n(2, 3, 4, 4, 2), _n(2, 3, 2, 2, 3)],
        ops=("Conv3D",),
        grad=True,
        grad2=True,
        rtol=1e-4,
        atol=1e-5,
    ),
    Case(
        "conv3d_valid_stride",
        lambda tf, x, f: tf.nn.conv3d(x, f, [1, 2, 1, 2, 1], "VALID"),
        [_n(1, 5, 4, 5, 2), _n(2, 2, 3, 2, 2)],
        ops=("Conv3D",),
        grad=True,
        rtol=1e-4,
        atol=1e-5,
    ),
    Case(
        "conv3d_dilated_ncdhw",
        lambda tf, x, f: tf.nn.conv3d(
            x, f, [1, 1, 1, 1, 1], "SAME", data_format="NCDHW", dilations=[1, 1, 2, 2, 1]
        ),
        [_n(1, 2, 3, 5, 5), _n(2, 2, 2, 2, 3)],
        ops=("Conv3D",),
        grad=True,
        rtol=1e-4,
        atol=1e-5,
    ),
    Case(
        "conv3d_transpose",
        lambda tf, y, f: tf.nn.conv3d_transpose(y, f, [1, 4, 6, 6, 2], [1, 2, 2, 2, 1], "SAME"),
        [_n(1, 2, 3, 3, 3), _n(2, 2, 2, 2, 3)],
        ops=("Conv3DBackpropInputV2",),
        grad=True,
        grad2=True,
        rtol=1e-4,
        atol=1e-5,
    ),
    Case(
        "raw_conv3d_backprop_filter",
        lambda tf, x, dy: tf.raw_ops.Conv3DBackpropFilterV2(
            input=x,
            filter_sizes=[2, 2, 2, 2, 3],
            out_backprop=dy,
            strides=[1, 1, 2, 1, 1],
            padding="SAME",
        ),
        [_n(1, 3, 4, 3, 2), _n(1, 3, 2, 3, 3)],
        ops=("Conv3DBackpropFilterV2",),
        grad=True,
        grad2=True,
        rtol=1e-4,
        atol=1e-5,
    ),
    Case(
        "convolution_3d",
        lambda tf, x, f: tf.nn.convolution(x, f, strides=[1, 2, 1], padding="SAME"),
        [_n(1, 3, 4, 4, 2), _n(2, 2, 2, 2, 2)],
        ops=("Conv3D",),
        rtol=1e-4,
        atol=1e-5,
    ),
    # -- bias_add --------------------------------------------------------------------------
    Case(
        "bias_add",
        lambda tf, x, b: tf.nn.bias_add(x, b),
        [X, B3],
        ops=("BiasAdd",),
        ref=np.add,
        grad=True,
        grad2=True,
    ),
    Case(
        "bias_add_nchw",
        lambda tf, x, b: tf.nn.bias_add(x, b, data_format="NCHW"),
        [np.ascontiguousarray(X.transpose(0, 3, 1, 2)), B3],
        ops=("BiasAdd",),
        ref=lambda x, b: x + b[:, None, None],
        grad=True,
    ),
    Case(
        "bias_add_ncw",
        lambda tf, x, b: tf.nn.bias_add(x, b, data_format="NCW"),
        [_n(2, 3, 4), B3],
        ops=("BiasAdd",),
        ref=lambda x, b: x + b[:, None],
        grad=True,
    ),
    Case(
        "bias_add_2d",
        lambda tf, x, b: tf.nn.bias_add(x, b),
        [A, B3],
        ops=("BiasAdd",),
        ref=np.add,
        grad=True,
    ),
    Case(
        "raw_bias_add_grad",
        lambda tf, g: tf.raw_ops.BiasAddGrad(out_backprop=g),
        [X],
        ops=("BiasAddGrad",),
        ref=lambda g: g.sum(axis=(0, 1, 2)),
        grad=True,
        grad2=True,
        rtol=1e-5,
        atol=1e-5,
    ),
    Case(
        "raw_bias_add_grad_nchw",
        lambda tf, g: tf.raw_ops.BiasAddGrad(out_backprop=g, data_format="NCHW"),
        [X],
        ops=("BiasAddGrad",),
        ref=lambda g: g.sum(axis=(0, 2, 3)),
        grad=True,
        rtol=1e-5,
        atol=1e-5,
    ),
    # -- max pooling -----------------------------------------------------------------------
    Case(
        "max_pool2d_same",
        lambda tf, x: tf.nn.max_pool2d(x, 3, 2, "SAME"),
        [P],
        ops=("MaxPool",),
        ref=lambda x: ref_pool(x, 3, 2, np.max, ((1, 1), (1, 1))),
        grad=True,
    ),
    Case(
        "max_pool2d_valid",
        lambda tf, x: tf.nn.max_pool2d(x, 2, 2, "VALID"),
        [P],
        ops=("MaxPool",),
        ref=lambda x: ref_pool(x, 2, 2, np.max),
        grad=True,
    ),
    Case(
        "max_pool2d_overlap",
        lambda tf, x: tf.nn.max_pool2d(x, [3, 2], [1, 2], "VALID"),
        [P],
        ops=("MaxPool",),
        grad=True,
    ),
    Case(
        "max_pool2d_explicit",
        lambda tf, x: tf.nn.max_pool2d(x, 2, 2, [[0, 0], [1, 0], [0, 1], [0, 0]]),
        [P],
        ops=("MaxPool",),
        grad=True,
    ),
    Case(
        "max_pool2d_nchw",
        lambda tf, x: tf.nn.max_pool2d(x, 2, 2, "SAME", data_format="NCHW"),
        [np.ascontiguousarray(P.transpose(0, 3, 1, 2))],
        ops=("MaxPool",),
        grad=True,
    ),
    Case(
        "max_pool2d_int",
        lambda tf, x: tf.nn.max_pool2d(x, 2, 1, "SAME"),
        [np.arange(18, dtype=np.int32).reshape(1, 3, 3, 2) * 7 % 11],
        ops=("MaxPool",),
    ),
    Case(
        "max_pool1d",
        lambda tf, x: tf.nn.max_pool1d(x, 3, 2, "SAME"),
        [P1],
        ops=("MaxPool",),
        grad=True,
    ),
    Case(
        "max_pool1d_ncw",
        lambda tf, x: tf.nn.max_pool1d(x, 2, 1, "VALID", data_format="NCW"),
        [P1],
        ops=("MaxPool",),
        grad=True,
    ),
    Case(
        "max_pool3d",
        lambda tf, x: tf.nn.max_pool3d(x, 2, 2, "SAME"),
        [P3],
        ops=("MaxPool3D",),
        grad=True,
    ),
    Case(
        "max_pool3d_valid",
        lambda tf, x: tf.nn.max_pool3d(x, [2, 3, 2], [1, 1, 2], "VALID"),
        [P3],
        ops=("MaxPool3D",),
        grad=True,
    ),
    Case(
        "max_pool_generic",
        lambda tf, x, y, z: [
            tf.nn.max_pool(x, 2, 2, "SAME"),
            tf.nn.max_pool(y, [2, 2], 1, "VALID"),
            tf.nn.max_pool(z, 3, [2], "SAME"),
        ],
        [P3, P, P1],
        ops=("MaxPool", "MaxPool3D"),
        grad=True,
    ),
    Case(
        "raw_max_pool_grad",
        lambda tf, x, g: tf.raw_ops.MaxPoolGrad(
            orig_input=_as(tf, x, g),
            orig_output=tf.nn.max_pool2d(_as(tf, x, g), 3, 2, "SAME"),
            grad=g,
            ksize=[1, 3, 3, 1],
            strides=[1, 2, 2, 1],
            padding="SAME",
        ),
        [P, _n(2, 3, 3, 2)],
        ops=("MaxPool", "MaxPoolGrad"),
        grad=True,
        grad_inputs=(1,),
        grad2=True,
    ),
    Case(
        "raw_max_pool_grad_grad",
        lambda tf, x, g: tf.raw_ops.MaxPoolGradGrad(
            orig_input=_as(tf, x, g),
            orig_output=tf.nn.max_pool2d(_as(tf, x, g), 2, 1, "VALID"),
            grad=g,
            ksize=[1, 2, 2, 1],
            strides=[1, 1, 1, 1],
            padding="VALID",
        ),
        [P, _n(2, 5, 5, 2)],
        ops=("MaxPool", "MaxPoolGradGrad"),
        grad=True,
        grad_inputs=(1,),
        grad2=True,
    ),
    Case(
        "raw_max_pool3d_grad",
        lambda tf, x, g: tf.raw_ops.MaxPool3DGrad(
            orig_input=_as(tf, x, g),
            orig_output=tf.nn.max_pool3d(_as(tf, x, g), 2, 2, "SAME"),
            grad=g,
            ksize=[1, 2, 2, 2, 1],
            strides=[1, 2, 2, 2, 1],
            padding="SAME",
        ),
        [P3, _n(1, 2, 2, 2, 2)],
        ops=("MaxPool3D", "MaxPool3DGrad"),
        grad=True,
        grad_inputs=(1,),
    ),
    Case(
        "raw_max_pool3d_grad_grad",
        lambda tf, x, g: tf.raw_ops.MaxPool3DGradGrad(
            orig_input=_as(tf, x, g),
            orig_output=tf.nn.max_pool3d(_as(tf, x, g), 2, 2, "SAME"),
            grad=g,
            ksize=[1, 2, 2, 2, 1],
            strides=[1, 2, 2, 2, 1],
            padding="SAME",
        ),
        [P3, _n(1, 4, 4, 4, 2)],
        ops=("MaxPool3D", "MaxPool3DGradGrad"),
        grad=True,
        grad_inputs=(1,),
    ),
    Case(
        "pool_max_avg",
        lambda tf, x, y: [
            tf.nn.pool(x, [2, 2], "MAX", strides=[2, 2], padding="SAME"),
            tf.nn.pool(y, [3], "AVG"),
        ],
        [P, P1],
        ops=("MaxPool", "AvgPool"),
        grad=True,
    ),
    Case(
        "max_pool_with_argmax",
        lambda tf, x: list(tf.nn.max_pool_with_argmax(x, 3, 2, "SAME")),
        [P],
        ops=("MaxPoolWithArgmax",),
        grad=True,
    ),
    Case(
        "max_pool_with_argmax_batch",
        lambda tf, x: list(
            tf.nn.max_pool_with_argmax(
                x, [2, 3], [2, 1], "VALID", output_dtype=tf.int32, include_batch_in_index=True
            )
        ),
        [P],
        ops=("MaxPoolWithArgmax",),
        grad=True,
    ),
    Case(
        "raw_max_pool_grad_with_argmax",
        lambda tf, x, g: tf.raw_ops.MaxPoolGradWithArgmax(
            input=_as(tf, x, g),
            grad=g,
            argmax=tf.nn.max_pool_with_argmax(x, 3, 2, "SAME").argmax,
            ksize=[1, 3, 3, 1],
            strides=[1, 2, 2, 1],
            padding="SAME",
        ),
        [P, _n(2, 3, 3, 2)],
        ops=("MaxPoolWithArgmax", "MaxPoolGradWithArgmax"),
        grad=True,
        grad_inputs=(1,),
        grad2=True,
    ),
    Case(
        "raw_max_pool_grad_grad_with_argmax",
        lambda tf, x, g: tf.raw_ops.MaxPoolGradGradWithArgmax(
            input=_as(tf, x, g),
            grad=g,
            argmax=tf.nn.max_pool_with_argmax(x, 2, 2, "VALID").argmax,
            ksize=[1, 2, 2, 1],
            strides=[1, 2, 2, 1],
            padding="VALID",
        ),
        [P, _n(2, 5, 5, 2)],
        ops=("MaxPoolWithArgmax", "MaxPoolGradGradWithArgmax"),
        grad=True,
        grad_inputs=(1,),
    ),
    # -- average pooling -------------------------------------------------------------------
    Case(
        "avg_pool2d_same",
        lambda tf, x: tf.nn.avg_pool2d(x, 3, 2, "SAME"),
        [P],
        ops=("AvgPool",),
        ref=lambda x: ref_pool(x, 3, 2, np.mean, ((1, 1), (1, 1))),
        grad=True,
    ),
    Case(
        "avg_pool2d_valid",
        lambda tf, x: tf.nn.avg_pool2d(x, [2, 3], [2, 1], "VALID"),
        [P],
        ops=("AvgPool",),
        grad=True,
    ),
    Case(
        "avg_pool2d_nchw",
        lambda tf, x: tf.nn.avg_pool2d(x, 2, 2, "SAME", data_format="NCHW"),
        [np.ascontiguousarray(P.transpose(0, 3, 1, 2))],
        ops=("AvgPool",),
        grad=True,
    ),
    Case(
        "avg_pool2d_f64",
        lambda tf, x: tf.nn.avg_pool2d(x, 2, 1, "SAME"),
        [P.astype(np.float64)],
        ops=("AvgPool",),
    ),
    Case(
        "avg_pool1d",
        lambda tf, x: tf.nn.avg_pool1d(x, 3, 2, "SAME"),
        [P1],
        ops=("AvgPool",),
        grad=True,
    ),
    Case(
        "avg_pool3d",
        lambda tf, x: tf.nn.avg_pool3d(x, 3, 2, "SAME"),
        [P3],
        ops=("AvgPool3D",),
        grad=True,
    ),
    Case(
        "avg_pool_generic",
        lambda tf, x, y: [tf.nn.avg_pool(x, 2, 2, "SAME"), tf.nn.avg_pool(y, 2, 1, "VALID")],
        [P3, P1],
        ops=("AvgPool", "AvgPool3D"),
        grad=True,
    ),
    Case(
        "raw_avg_pool_grad",
        lambda tf, g: tf.raw_ops.AvgPoolGrad(
            orig_input_shape=[2, 5, 5, 2],
            grad=g,
            ksize=[1, 3, 3, 1],
            strides=[1, 2, 2, 1],
            padding="SAME",
        ),
        [_n(2, 3, 3, 2)],
        ops=("AvgPoolGrad",),
        grad=True,
        grad2=True,
    ),
    Case(
        "raw_avg_pool3d_grad",
        lambda tf, g: tf.raw_ops.AvgPool3DGrad(
            orig_input_shape=[1, 4, 4, 4, 2],
            grad=g,
            ksize=[1, 2, 2, 2, 1],
            strides=[1, 2, 2, 2, 1],
            padding="VALID",
        ),
        [_n(1, 2, 2, 2, 2)],
        ops=("AvgPool3DGrad",),
        grad=True,
    ),
    # -- losses ----------------------------------------------------------------------------
    Case(
        "softmax_xent",
        lambda tf, y, x: tf.nn.softmax_cross_entropy_with_logits(y, x),
        [LAB, LOG],
        ops=("SoftmaxCrossEntropyWithLogits",),
        ref=lambda y, x: -(y * _log_softmax(x)).sum(-1),
        grad=True,
        grad2=True,
    ),
    Case(
        "softmax_xent_axis0",
        lambda tf, y, x: tf.nn.softmax_cross_entropy_with_logits(y, x, axis=0),
        [np.ascontiguousarray(LAB / LAB.sum(0, keepdims=True)), LOG],
        ops=("SoftmaxCrossEntropyWithLogits",),
        ref=lambda y, x: -(y * _log_softmax(x, 0)).sum(0),
        grad=True,
    ),
    Case(
        "softmax_xent_3d",
        lambda tf, y, x: tf.nn.softmax_cross_entropy_with_logits(y, x),
        [np.abs(LOG3) / np.abs(LOG3).sum(-1, keepdims=True), LOG3],
        ops=("SoftmaxCrossEntropyWithLogits",),
        ref=lambda y, x: -(y * _log_softmax(x)).sum(-1),
        grad=True,
    ),
    Case(
        "softmax_xent_1d",
        lambda tf, y, x: tf.nn.softmax_cross_entropy_with_logits(y, x),
        [LAB[0], LOG[0]],
        ops=("SoftmaxCrossEntropyWithLogits",),
        ref=lambda y, x: -(y * _log_softmax(x)).sum(-1),
        grad=True,
    ),
    Case(
        "raw_softmax_xent",
        lambda tf, x, y: list(tf.raw_ops.SoftmaxCrossEntropyWithLogits(features=x, labels=y)),
        [LOG, LAB],
        ops=("SoftmaxCrossEntropyWithLogits",),
        grad=True,
        grad2=True,
    ),
    Case(
        "raw_softmax_xent_broadcast",
        lambda tf, x, y: list(tf.raw_ops.SoftmaxCrossEntropyWithLogits(features=x, labels=y)),
        [LOG, LAB[:1]],
        ops=("SoftmaxCrossEntropyWithLogits",),
    ),
    Case(
        "sparse_xent",
        lambda tf, y, x: tf.nn.sparse_softmax_cross_entropy_with_logits(y, x),
        [SLAB, LOG],
        ops=("SparseSoftmaxCrossEntropyWithLogits",),
        ref=lambda y, x: -_log_softmax(x)[np.arange(4), y],
        grad=True,
        grad2=True,
    ),
    Case(
        "sparse_xent_3d",
        lambda tf, y, x: tf.nn.sparse_softmax_cross_entropy_with_logits(y, x),
        [SLAB3, LOG3],
        ops=("SparseSoftmaxCrossEntropyWithLogits",),
        grad=True,
    ),
    Case(
        "raw_sparse_xent",
        lambda tf, x, y: list(tf.raw_ops.SparseSoftmaxCrossEntropyWithLogits(features=x, labels=y)),
        [LOG, SLAB],
        ops=("SparseSoftmaxCrossEntropyWithLogits",),
        grad=True,
        grad2=True,
    ),
    Case(
        "sigmoid_xent",
        lambda tf, y, x: tf.nn.sigmoid_cross_entropy_with_logits(labels=y, logits=x),
        [BL, _n(3, 4) * 3],
        ref=lambda y, x: np.maximum(x, 0) - x * y + np.log1p(np.exp(-np.abs(x))),
        grad=True,
        grad2=True,
    ),
    Case(
        "weighted_xent",
        lambda tf, y, x: tf.nn.weighted_cross_entropy_with_logits(y, x, 2.5),
        [BL, _n(3, 4) * 3],
        ref=lambda y, x: (
            (1 - y) * x + (1 + 1.5 * y) * (np.log1p(np.exp(-np.abs(x))) + np.maximum(-x, 0))
        ),
        grad=True,
        grad2=True,
    ),
    Case(
        "l2_loss",
        lambda tf, x: tf.nn.l2_loss(x),
        [A],
        ops=("L2Loss",),
        ref=lambda x: (x.astype(np.float64) ** 2).sum() / 2,
        grad=True,
        grad2=True,
    ),
    Case(
        "l2_loss_f64",
        lambda tf, x: tf.nn.l2_loss(x),
        [A.astype(np.float64)],
        ops=("L2Loss",),
        ref=lambda x: (x**2).sum() / 2,
    ),
    Case(
        "l2_normalize",
        lambda tf, x: tf.math.l2_normalize(x, axis=1),
        [A],
        ref=lambda x: x / np.sqrt((x**2).sum(1, keepdims=True)),
        grad=True,
        grad2=True,
    ),
    Case(
        "l2_normalize_all",
        lambda tf, x: tf.nn.l2_normalize(x),
        [A],
        ref=lambda x: x / np.sqrt((x**2).sum()),
        grad=True,
    ),
    Case(
        "moments",
        lambda tf, x: list(tf.nn.moments(x, axes=[0, 1])),
        [X[0]],
        ref=lambda x: [x.mean((0, 1)), x.var((0, 1))],
        grad=True,
    ),
    Case(
        "moments_keepdims",
        lambda tf, x: list(tf.nn.moments(x, axes=[1], keepdims=True)),
        [A],
        ref=lambda x: [x.mean(1, keepdims=True), x.var(1, keepdims=True)],
        grad=True,
    ),
    Case(
        "batch_normalization",
        lambda tf, x, m, v, o, s: tf.nn.batch_normalization(x, m, v, o, s, 1e-3),
        [A, B[0], BN(3), C[0], BN(3)],
        ref=lambda x, m, v, o, s: (x - m) / np.sqrt(v + 1e-3) * s + o,
        grad=True,
        grad2=True,
        rtol=1e-5,
        atol=1e-5,
    ),
    Case(
        "batch_normalization_none",
        lambda tf, x, m, v: tf.nn.batch_normalization(x, m, v, None, None, 1e-3),
        [A, B[0], BN(3)],
        ref=lambda x, m, v: (x - m) / np.sqrt(v + 1e-3),
        grad=True,
        rtol=1e-5,
        atol=1e-5,
    ),
    Case("gelu", lambda tf, x: tf.nn.gelu(x), [A * 2], grad=True, grad2=True),
    Case(
        "gelu_approx",
        lambda tf, x: tf.nn.gelu(x, approximate=True),
        [A * 2],
        ref=lambda x: 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x**3))),
        grad=True,
        grad2=True,
    ),
    Case(
        "silu",
        lambda tf, x: tf.nn.silu(x),
        [A * 2],
        ref=lambda x: x / (1 + np.exp(-x)),
        grad=True,
        grad2=True,
    ),
    Case(
        "swish_beta",
        lambda tf, x: tf.nn.swish(x, beta=1.7),
        [A * 2],
        ref=lambda x: x / (1 + np.exp(-1.7 * x)),
        grad=True,
        grad2=True,
    ),
    Case(
        "log_sigmoid",
        lambda tf, x: tf.math.log_sigmoid(x),
        [A * 5],
        ref=lambda x: -np.logaddexp(0, -x),
        grad=True,
        grad2=True,
    ),
    Case("dropout_rate0", lambda tf, x: tf.nn.dropout(x, 0.0), [A], ref=lambda x: x),
    Case(
        "sufficient_statistics",
        lambda tf, x: list(tf.nn.sufficient_statistics(x, [0], shift=0.5)[:3]),
        [A],
        ref=lambda x: [np.float32(2), (x - 0.5).sum(0), ((x - 0.5) ** 2).sum(0)],
        grad=True,
    ),
    Case(
        "normalize_moments",
        lambda tf, m, v: list(tf.nn.normalize_moments(4.0, m, v, None)),
        [A, POS],
        ref=lambda m, v: [m / 4, v / 4 - (m / 4) ** 2],
        grad=True,
    ),
    Case(
        "weighted_moments",
        lambda tf, x, w: list(tf.nn.weighted_moments(x, [1], w)),
        [A, POS],
        grad=True,
        grad2=True,
    ),
    Case(
        "log_poisson_loss",
        lambda tf, t, x: tf.nn.log_poisson_loss(t, x),
        [POS, A],
        grad=True,
        grad2=True,
        ref=lambda t, x: np.exp(x) - x * t,
    ),
    Case(
        "log_poisson_loss_full",
        lambda tf, t, x: tf.nn.log_poisson_loss(t, x, compute_full_loss=True),
        [np.array([[0.5, 2.0, 3.0], [1.5, 0.25, 4.0]], np.float32), A],
        grad=True,
    ),
    Case(
        "compute_average_loss",
        lambda tf, x, w: tf.nn.compute_average_loss(x, sample_weight=w),
        [A[0], POS[0]],
        ref=lambda x, w: (x * w).sum() / 3,
        grad=True,
    ),
    Case(
        "crelu",
        lambda tf, x: tf.nn.crelu(x),
        [A],
        ops=("Relu",),
        ref=lambda x: np.maximum(np.concatenate([x, -x], -1), 0),
        grad=True,
    ),
    # LRN is float32-only (as TF): the gradient rows differentiate through casts, with a wider step.
    Case(
        "lrn",
        lambda tf, x: tf.cast(
            tf.nn.local_response_normalization(
                tf.cast(x, tf.float32), depth_radius=2, bias=0.5, alpha=0.3, beta=0.75
            ),
            x.dtype,
        ),
        [_n(2, 2, 3, 7)],
        ops=("LRN",),
        grad=True,
        rtol=1e-5,
        atol=1e-5,
        eps=1e-3,
        grad_rtol=2e-3,
        grad_atol=2e-3,
    ),
    Case(
        "lrn_default",
        lambda tf, x: tf.cast(tf.nn.lrn(tf.cast(x, tf.float32)), x.dtype),
        [_n(1, 2, 2, 12)],
        ops=("LRN",),
        grad=True,
        rtol=1e-5,
        atol=1e-5,
        eps=1e-3,
        grad_rtol=2e-3,
        grad_atol=2e-3,
    ),
    Case(
        "raw_lrn_grad",
        lambda tf, g, x: tf.raw_ops.LRNGrad(
            input_grads=g, input_image=x, output_image=tf.nn.lrn(x, 1), depth_radius=1
        ),
        [_n(1, 2, 2, 5), _n(1, 2, 2, 5)],
        ops=("LRNGrad",),
        rtol=1e-5,
        atol=1e-5,
    ),
    Case(
        "scale_regularization_loss",
        lambda tf, x: tf.nn.scale_regularization_loss(x),
        [A],
        ref=lambda x: x.sum(),
        grad=True,
    ),
    # -- clipping --------------------------------------------------------------------------
    Case(
        "clip_by_value",
        lambda tf, x: tf.clip_by_value(x, -0.5, 0.7),
        [A],
        ops=("Minimum", "Maximum"),
        ref=lambda x: np.clip(x, -0.5, 0.7),
        grad=True,
    ),
    Case(
        "clip_by_value_tensors",
        lambda tf, x, lo, hi: tf.clip_by_value(x, lo, hi),
        [A, B[0] - 1, C[0] + 1],
        ref=lambda x, lo, hi: np.maximum(np.minimum(x, hi), lo),
        grad=True,
    ),
    Case(
        "clip_by_value_int",
        lambda tf, x: tf.clip_by_value(x, 0, 3),
        [np.array([-2, 1, 5], np.int32)],
        ref=lambda x: np.clip(x, 0, 3),
    ),
    Case(
        "clip_by_norm",
        lambda tf, x: tf.clip_by_norm(x, 1.0),
        [A],
        ref=lambda x: x / max(1.0, np.sqrt((x**2).sum())),
        grad=True,
        grad2=True,
    ),
    Case(
        "clip_by_norm_axes",
        lambda tf, x: tf.clip_by_norm(x, 0.8, axes=[1]),
        [A],
        ref=lambda x: x * 0.8 / np.maximum(np.sqrt((x**2).sum(1, keepdims=True)), 0.8),
        grad=True,
    ),
    Case(
        "clip_by_global_norm",
        lambda tf, x, y: (lambda r: [r[0][0], r[0][2], r[1], tf.constant(r[0][1] is None)])(
            tf.clip_by_global_norm([x, None, y], 1.5)
        ),
        [A, B[0]],
        ops=("L2Loss",),
        grad=True,
        grad2=True,
    ),
    # -- math extras -----------------------------------------------------------------------
    Case(
        "add_n",
        lambda tf, a, b, c: tf.add_n([a, b, c]),
        [A, B, C],
        ops=("AddN",),
        ref=lambda a, b, c: a + b + c,
        grad=True,
        grad2=True,
    ),
    Case(
        "add_n_int",
        lambda tf, a, b: tf.math.add_n([a, b]),
        [np.arange(3, dtype=np.int32), np.ones(3, np.int32)],
        ops=("AddN",),
        ref=np.add,
    ),
    Case(
        "divide_no_nan",
        lambda tf, x, y: tf.math.divide_no_nan(x, y),
        [np.array([1.0, 2.0, 0.0, -3.0], np.float32), np.array([0.0, 4.0, 0.0, 2.0], np.float32)],
        ops=("DivNoNan",),
        ref=lambda x, y: np.where(y == 0, 0, x / np.where(y == 0, 1, y)),
    ),
    Case(
        "divide_no_nan_grad",
        lambda tf, x, y: tf.math.divide_no_nan(x, y),
        [A, POS],
        ops=("DivNoNan",),
        ref=np.divide,
        grad=True,
        grad2=True,
    ),
    Case(
        "divide_no_nan_int",
        lambda tf, x, y: tf.math.divide_no_nan(x, y),
        [np.array([1, 2], np.int32), np.array([0, 4], np.int32)],
        ops=("DivNoNan",),
    ),
    Case(
        "multiply_no_nan",
        lambda tf, x, y: tf.math.multiply_no_nan(x, y),
        [np.array([np.inf, np.nan, 2.0], np.float32), np.array([0.0, 0.0, 4.0], np.float32)],
        ops=("MulNoNan",),
        ref=lambda x, y: np.array([0.0, 0.0, 8.0]),
    ),
    Case(
        "multiply_no_nan_grad",
        lambda tf, x, y: tf.math.multiply_no_nan(x, y),
        [A, B],
        ops=("MulNoNan",),
        ref=np.multiply,
        grad=True,
        grad2=True,
    ),
    Case(
        "xlogy",
        lambda tf, x, y: tf.math.xlogy(x, y),
        [np.array([0.0, 2.0, 1.0], np.float32), np.array([0.0, 4.0, 3.0], np.float32)],
        ops=("Xlogy",),
        ref=lambda x, y: np.array([0.0, 2 * np.log(4), np.log(3)]),
    ),
    Case(
        "xlogy_grad",
        lambda tf, x, y: tf.math.xlogy(x, y),
        [A, POS],
        ops=("Xlogy",),
        ref=lambda x, y: x * np.log(y),
        grad=True,
        grad2=True,
    ),
    Case(
        "xlog1py_grad",
        lambda tf, x, y: tf.math.xlog1py(x, y),
        [A, POS],
        ops=("Xlog1py",),
        ref=lambda x, y: x * np.log1p(y),
        grad=True,
        grad2=True,
    ),
    Case(
        "xdivy_grad",
        lambda tf, x, y: tf.math.xdivy(x, y),
        [A, POS],
        ops=("Xdivy",),
        ref=lambda x, y: x / y,
        grad=True,
        grad2=True,
    ),
    Case(
        "atan2",
        lambda tf, y, x: tf.math.atan2(y, x),
        [A, B],
        ops=("Atan2",),
        ref=np.arctan2,
        grad=True,
        grad2=True,
    ),
    Case(
        "saturate_cast_uint8",
        lambda tf, x: tf.saturate_cast(x, tf.uint8),
        [np.array([300.0, -5.0, 1.7, 255.5], np.float32)],
        ref=lambda x: np.array([255, 0, 1, 255], np.uint8),
    ),
    Case(
        "saturate_cast_int32",
        lambda tf, x: tf.saturate_cast(x, tf.int32),
        [np.array([3e10, -3e10, 7.9], np.float32)],
    ),
    Case(
        "saturate_cast_int8",
        lambda tf, x: tf.saturate_cast(x, tf.int8),
        [np.array([300, -500, 5], np.int32)],
        ref=lambda x: np.array([127, -128, 5], np.int8),
    ),
    Case(
        "saturate_cast_f64_f32",
        lambda tf, x: tf.saturate_cast(x, tf.float32),
        [np.array([1e40, -1e300, 1.5])],
    ),
    Case(
        "bitcast_same",
        lambda tf, x: tf.bitcast(x, tf.int32),
        [np.array([1.0, 2.0], np.float32)],
        ops=("Bitcast",),
        ref=lambda x: x.view(np.int32),
    ),
    Case(
        "bitcast_smaller",
        lambda tf, x: tf.bitcast(x, tf.uint8),
        [np.array([1.0, 2.0], np.float32)],
        ops=("Bitcast",),
        ref=lambda x: x.view(np.uint8).reshape(2, 4),
    ),
    Case(
        "bitcast_larger",
        lambda tf, x: tf.bitcast(x, tf.int32),
        [np.arange(8, dtype=np.uint8).reshape(2, 4)],
        ops=("Bitcast",),
        ref=lambda x: x.view(np.int32).reshape(2),
    ),
]
