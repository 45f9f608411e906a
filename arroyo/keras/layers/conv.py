"""Convolution and pooling layers (channels_last): Conv1D, Conv2D, Conv2DTranspose,
DepthwiseConv2D, Max/AveragePooling1D/2D, GlobalAverage/MaxPooling1D/2D."""

from __future__ import annotations

import arroyo as tf
from arroyo.keras import backend
from arroyo.keras.layers.base import InputSpec, Layer
from arroyo.keras.layers.core import _act_name, _activation, _ser

__all__ = [
    "Conv1D", "Conv2D", "Conv2DTranspose", "DepthwiseConv2D", "MaxPooling1D", "MaxPooling2D",
    "AveragePooling1D", "AveragePooling2D", "GlobalAveragePooling1D", "GlobalAveragePooling2D",
    "GlobalMaxPooling1D", "GlobalMaxPooling2D",
]  # fmt: skip


def _tuple(value, n, name):
    if isinstance(value, int):
        return (value,) * n
    value = tuple(int(v) for v in value)
    if len(value) != n:
        raise ValueError(
            f"The `{name}` argument must be a tuple of {n} integers. Received {name}={value}"
        )
    return value


def _padding(p):
    p = p.lower()
    if p not in ("valid", "same", "causal"):
        raise ValueError(
            'The `padding` argument must be a list/tuple or one of "valid", "same" '
            f'(or "causal", only for `Conv1D). Received: padding={p}'
        )
    return p


class _Conv(Layer):
    rank = 2

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, groups=1, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):  # fmt: skip
        from arroyo.keras import initializers

        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        n = self.rank
        self.filters = int(filters)
        self.groups = groups
        self.kernel_size = _tuple(kernel_size, n, "kernel_size")
        self.strides = _tuple(strides, n, "strides")
        self.padding = _padding(padding)
        self.data_format = data_format or backend.image_data_format()
        self.dilation_rate = _tuple(dilation_rate, n, "dilation_rate")
        self.activation = _activation(activation)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = kernel_regularizer
        self.bias_regularizer = bias_regularizer
        self.kernel_constraint = kernel_constraint
        self.bias_constraint = bias_constraint
        self.input_spec = InputSpec(min_ndim=n + 2)
        if self.filters <= 0:
            raise ValueError(
                "Invalid value for argument `filters`. Expected a strictly positive value. "
                f"Received filters={filters}."
            )

    def _channel_axis(self):
        return -1 if self.data_format == "channels_last" else 1

    def _kernel_shape(self, in_ch):
        return self.kernel_size + (in_ch // self.groups, self.filters)

    def build(self, input_shape):
        in_ch = input_shape[self._channel_axis()]
        if in_ch is None:
            raise ValueError(
                "The channel dimension of the inputs should be defined. "
                f"Found input_shape={input_shape}"
            )
        self._kernel = self.add_weight(
            name="kernel", shape=self._kernel_shape(in_ch), initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer, constraint=self.kernel_constraint,
        )  # fmt: skip
        if self.use_bias:
            self.bias = self.add_weight(
                name="bias", shape=(self.filters,), initializer=self.bias_initializer,
                regularizer=self.bias_regularizer, constraint=self.bias_constraint,
            )  # fmt: skip
        else:
            self.bias = None
        self.input_spec = InputSpec(min_ndim=self.rank + 2, axes={self._channel_axis(): in_ch})
        self.built = True

    @property
    def kernel(self):
        return self._kernel

    def _fmt(self):
        if self.rank == 1:
            return "NWC" if self.data_format == "channels_last" else "NCW"
        return "NHWC" if self.data_format == "channels_last" else "NCHW"

    def _conv(self, x):
        pad = self.padding.upper()
        if self.rank == 1:
            if self.padding == "causal":
                left = self.dilation_rate[0] * (self.kernel_size[0] - 1)
                x = tf.pad(x, [[0, 0], [left, 0], [0, 0]])
                pad = "VALID"
            return tf.nn.conv1d(x, self._kernel, stride=self.strides[0], padding=pad,
                                data_format=self._fmt(), dilations=self.dilation_rate[0])  # fmt: skip
        return tf.nn.conv2d(x, self._kernel, strides=self.strides, padding=pad,
                            data_format=self._fmt(), dilations=self.dilation_rate)  # fmt: skip

    def call(self, inputs):
        y = self._conv(inputs)
        if self.bias is not None:
            y = tf.nn.bias_add(y, self.bias, data_format=self._fmt())
        if self.activation is not None:
            y = self.activation(y)
        return y

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "filters": self.filters,
                "kernel_size": self.kernel_size,
                "strides": self.strides,
                "padding": self.padding,
                "data_format": self.data_format,
                "dilation_rate": self.dilation_rate,
                "groups": self.groups,
                "activation": _act_name(self.activation),
                "use_bias": self.use_bias,
                "kernel_initializer": _ser(self.kernel_initializer),
                "bias_initializer": _ser(self.bias_initializer),
                "kernel_regularizer": _ser(self.kernel_regularizer),
                "bias_regularizer": _ser(self.bias_regularizer),
                "activity_regularizer": _ser(self.activity_regularizer),
                "kernel_constraint": _ser(self.kernel_constraint),
                "bias_constraint": _ser(self.bias_constraint),
            }
        )
        return config


class Conv1D(_Conv):
    """1D convolution over (batch, steps, channels)."""

    rank = 1


class Conv2D(_Conv):
    """2D convolution over (batch, height, width, channels).

    >>> tf.keras.layers.Conv2D(4, 3)(tf.zeros([1, 5, 5, 2])).shape
    TensorShape([1, 3, 3, 4])
    """

    rank = 2


def _deconv_length(size, stride, kernel, padding, dilation, output_padding=None):
    if size is None:
        return None
    kernel = kernel + (kernel - 1) * (dilation - 1)
    if output_padding is None:
        if padding == "valid":
            return size * stride + max(kernel - stride, 0)
        return size * stride
    pad = kernel // 2 if padding == "same" else 0
    return (size - 1) * stride + kernel - 2 * pad + output_padding


class Conv2DTranspose(_Conv):
    """The transpose of Conv2D (a "deconvolution"); kernel (kh, kw, filters, in_channels)."""

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid", output_padding=None,
                 data_format=None, dilation_rate=(1, 1), **kwargs):  # fmt: skip
        super().__init__(filters, kernel_size, strides=strides, padding=padding,
                         data_format=data_format, dilation_rate=dilation_rate, **kwargs)  # fmt: skip
        self.output_padding = (
            None if output_padding is None else _tuple(output_padding, 2, "output_padding")
        )

    def _kernel_shape(self, in_ch):
        return self.kernel_size + (self.filters, in_ch)

    def _conv(self, x):
        shape = tf.shape(x)
        static = x.shape.as_list()
        h_axis, w_axis = (1, 2) if self.data_format == "channels_last" else (2, 3)
        op = self.output_padding or (None, None)
        dims = []
        for i, axis in enumerate((h_axis, w_axis)):
            size = static[axis]
            n = _deconv_length(size, self.strides[i], self.kernel_size[i], self.padding,
                               self.dilation_rate[i], op[i])  # fmt: skip
            if n is None:
                k = self.kernel_size[i] + (self.kernel_size[i] - 1) * (self.dilation_rate[i] - 1)
                s = shape[axis]
                n = s * self.strides[i] + (max(k - self.strides[i], 0) if self.padding == "valid"
                                           else 0)  # fmt: skip
            dims.append(n)
        batch = static[0] if static[0] is not None else shape[0]
        if self.data_format == "channels_last":
            out_shape = tf.stack([batch, dims[0], dims[1], self.filters])
        else:
            out_shape = tf.stack([batch, self.filters, dims[0], dims[1]])
        return tf.nn.conv2d_transpose(x, self._kernel, out_shape, strides=self.strides,
                                      padding=self.padding.upper(), data_format=self._fmt(),
                                      dilations=self.dilation_rate)  # fmt: skip

    def get_config(self):
        config = super().get_config()
        config.pop("groups", None)
        config["output_padding"] = self.output_padding
        return config


class DepthwiseConv2D(_Conv):
    """A separate 2D convolution per input channel (kernel (kh, kw, in, depth_multiplier))."""

    def __init__(self, kernel_size, strides=(1, 1), padding="valid", depth_multiplier=1,
                 data_format=None, dilation_rate=(1, 1), activation=None, use_bias=True,
                 depthwise_initializer="glorot_uniform", bias_initializer="zeros",
                 depthwise_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 depthwise_constraint=None, bias_constraint=None, **kwargs):  # fmt: skip
        super().__init__(1, kernel_size, strides=strides, padding=padding,
                         data_format=data_format, dilation_rate=dilation_rate,
                         activation=activation, use_bias=use_bias,
                         kernel_initializer=depthwise_initializer,
                         bias_initializer=bias_initializer, kernel_regularizer=depthwise_regularizer,
                         bias_regularizer=bias_regularizer,
                         activity_regularizer=activity_regularizer,
                         kernel_constraint=depthwise_constraint, bias_constraint=bias_constraint,
                         **kwargs)  # fmt: skip
        self.depth_multiplier = depth_multiplier

    def build(self, input_shape):
        in_ch = input_shape[self._channel_axis()]
        self._kernel = self.add_weight(
            name="kernel", shape=self.kernel_size + (in_ch, self.depth_multiplier),
            initializer=self.kernel_initializer, regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint,
        )  # fmt: skip
        if self.use_bias:
            self.bias = self.add_weight(
                name="bias", shape=(in_ch * self.depth_multiplier,),
                initializer=self.bias_initializer, regularizer=self.bias_regularizer,
                constraint=self.bias_constraint,
            )  # fmt: skip
        else:
            self.bias = None
        self.input_spec = InputSpec(min_ndim=4, axes={self._channel_axis(): in_ch})
        self.built = True

    def _conv(self, x):
        return tf.nn.depthwise_conv2d(x, self._kernel, strides=(1,) + self.strides + (1,),
                                      padding=self.padding.upper(), data_format=self._fmt(),
                                      dilations=self.dilation_rate)  # fmt: skip

    def get_config(self):
        config = super().get_config()
        for k in ("filters", "groups"):
            config.pop(k, None)
        config["depth_multiplier"] = self.depth_multiplier
        config["depthwise_initializer"] = config.pop("kernel_initializer")
        config["depthwise_regularizer"] = config.pop("kernel_regularizer")
        config["depthwise_constraint"] = config.pop("kernel_constraint")
        return config


class _Pool(Layer):
    rank = 2
    kind = "max"

    def __init__(self, pool_size=2, strides=None, padding="valid", data_format=None, name=None,
                 **kwargs):  # fmt: skip
        super().__init__(name=name, **kwargs)
        n = self.rank
        self.pool_size = _tuple(pool_size, n, "pool_size")
        self.strides = self.pool_size if strides is None else _tuple(strides, n, "strides")
        self.padding = _padding(padding)
        self.data_format = data_format or backend.image_data_format()
        self.input_spec = InputSpec(ndim=n + 2)

    def call(self, inputs):
        fmt = (
            ("NWC" if self.rank == 1 else "NHWC")
            if self.data_format == "channels_last"
            else ("NCW" if self.rank == 1 else "NCHW")
        )
        if self.rank == 1:
            fn = tf.nn.max_pool1d if self.kind == "max" else tf.nn.avg_pool1d
            return fn(inputs, self.pool_size[0], self.strides[0], self.padding.upper(), fmt)
        fn = tf.nn.max_pool2d if self.kind == "max" else tf.nn.avg_pool2d
        return fn(inputs, self.pool_size, self.strides, self.padding.upper(), fmt)

    def get_config(self):
        config = super().get_config()
        config.update({"pool_size": self.pool_size, "padding": self.padding,
                       "strides": self.strides, "data_format": self.data_format})  # fmt: skip
        return config


class MaxPooling2D(_Pool):
    """Max over pool_size windows (default 2x2, strides = pool_size)."""


class AveragePooling2D(_Pool):
    kind = "avg"


class MaxPooling1D(_Pool):
    rank = 1


class AveragePooling1D(_Pool):
    rank = 1
    kind = "avg"


class _GlobalPool(Layer):
    rank = 2
    kind = "avg"

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(**kwargs)
        self.data_format = data_format or backend.image_data_format()
        self.keepdims = keepdims
        self.input_spec = InputSpec(ndim=self.rank + 2)

    def call(self, inputs):
        if self.data_format == "channels_last":
            axes = list(range(1, self.rank + 1))
        else:
            axes = list(range(2, self.rank + 2))
        fn = tf.reduce_mean if self.kind == "avg" else tf.reduce_max
        return fn(inputs, axis=axes, keepdims=self.keepdims)

    def get_config(self):
        config = super().get_config()
        config.update({"data_format": self.data_format, "keepdims": self.keepdims})
        return config


class GlobalAveragePooling2D(_GlobalPool):
    """The mean over the spatial axes."""


class GlobalMaxPooling2D(_GlobalPool):
    kind = "max"


class GlobalAveragePooling1D(_GlobalPool):
    rank = 1


class GlobalMaxPooling1D(_GlobalPool):
    rank = 1
    kind = "max"
