"""BatchNormalization, LayerNormalization and Normalization (with `adapt`)."""

from __future__ import annotations

import numpy as np

import arroyo as tf
from arroyo.keras.layers.base import InputSpec, Layer
from arroyo.keras.layers.core import _ser

__all__ = ["BatchNormalization", "LayerNormalization", "Normalization"]


def _axes(axis, rank):
    axes = [axis] if isinstance(axis, int) else list(axis)
    return sorted(a % rank for a in axes)


class BatchNormalization(Layer):
    """Normalizes with the batch's statistics while training and with moving averages
    (updated by `momentum`) otherwise.

    >>> bn = tf.keras.layers.BatchNormalization()
    >>> bn(tf.ones([2, 3]), training=False).shape
    TensorShape([2, 3])
    """

    def __init__(self, axis=-1, momentum=0.99, epsilon=1e-3, center=True, scale=True,
                 beta_initializer="zeros", gamma_initializer="ones",
                 moving_mean_initializer="zeros", moving_variance_initializer="ones",
                 beta_regularizer=None, gamma_regularizer=None, beta_constraint=None,
                 gamma_constraint=None, synchronized=False, renorm=False, renorm_clipping=None,
                 renorm_momentum=0.99, **kwargs):  # fmt: skip
        from arroyo.keras import initializers

        super().__init__(**kwargs)
        self.axis = int(axis) if isinstance(axis, int) else list(axis)
        self.momentum = float(momentum)
        self.epsilon = float(epsilon)
        self.center = center
        self.scale = scale
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.moving_mean_initializer = initializers.get(moving_mean_initializer)
        self.moving_variance_initializer = initializers.get(moving_variance_initializer)
        self.beta_regularizer = beta_regularizer
        self.gamma_regularizer = gamma_regularizer
        self.beta_constraint = beta_constraint
        self.gamma_constraint = gamma_constraint
        self.synchronized = synchronized
        if renorm:
            raise NotImplementedError("BatchNormalization(renorm=True) is not supported.")
        self.renorm = renorm
        self.renorm_clipping = renorm_clipping
        self.renorm_momentum = renorm_momentum
        self.supports_masking = True

    def build(self, input_shape):
        rank = len(input_shape)
        axes = _axes(self.axis, rank)
        shape = tuple(input_shape[a] for a in axes)
        if self.scale:
            self.gamma = self.add_weight(name="gamma", shape=shape,
                                         initializer=self.gamma_initializer,
                                         regularizer=self.gamma_regularizer,
                                         constraint=self.gamma_constraint)  # fmt: skip
        else:
            self.gamma = None
        if self.center:
            self.beta = self.add_weight(name="beta", shape=shape,
                                        initializer=self.beta_initializer,
                                        regularizer=self.beta_regularizer,
                                        constraint=self.beta_constraint)  # fmt: skip
        else:
            self.beta = None
        self.moving_mean = self.add_weight(name="moving_mean", shape=shape,
                                           initializer=self.moving_mean_initializer,
                                           trainable=False)  # fmt: skip
        self.moving_variance = self.add_weight(name="moving_variance", shape=shape,
                                               initializer=self.moving_variance_initializer,
                                               trainable=False)  # fmt: skip
        self.input_spec = InputSpec(ndim=rank, axes={a: input_shape[a] for a in axes})
        self.__dict__["_arroyo_axes"] = axes
        self.built = True

    def _broadcast(self, v, rank):
        axes = self._arroyo_axes
        if axes == [rank - 1]:
            return v
        shape = [1] * rank
        for a in axes:
            shape[a] = -1
        return tf.reshape(v, shape)

    def call(self, inputs, training=None, mask=None):
        x = inputs
        rank = x.shape.rank
        axes = self._arroyo_axes
        reduce = [a for a in range(rank) if a not in axes]
        cast_back = None
        if x.dtype in (tf.float16, tf.bfloat16):
            cast_back = x.dtype
            x = tf.cast(x, tf.float32)
        if training and self.trainable:
            mean, var = tf.nn.moments(x, axes=reduce)
            m = self.momentum
            self.moving_mean.assign(self.moving_mean * m + mean * (1.0 - m))
            self.moving_variance.assign(self.moving_variance * m + var * (1.0 - m))
        else:
            mean, var = self.moving_mean, self.moving_variance
        inv = tf.math.rsqrt(self._broadcast(var, rank) + self.epsilon)
        if self.gamma is not None:
            inv = inv * self._broadcast(self.gamma, rank)
        y = x * inv - self._broadcast(mean, rank) * inv
        if self.beta is not None:
            y = y + self._broadcast(self.beta, rank)
        if cast_back is not None:
            y = tf.cast(y, cast_back)
        return y

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "axis": self.axis,
                "momentum": self.momentum,
                "epsilon": self.epsilon,
                "center": self.center,
                "scale": self.scale,
                "beta_initializer": _ser(self.beta_initializer),
                "gamma_initializer": _ser(self.gamma_initializer),
                "moving_mean_initializer": _ser(self.moving_mean_initializer),
                "moving_variance_initializer": _ser(self.moving_variance_initializer),
                "beta_regularizer": _ser(self.beta_regularizer),
                "gamma_regularizer": _ser(self.gamma_regularizer),
                "beta_constraint": _ser(self.beta_constraint),
                "gamma_constraint": _ser(self.gamma_constraint),
                "synchronized": self.synchronized,
                "renorm": self.renorm,
                "renorm_clipping": self.renorm_clipping,
                "renorm_momentum": self.renorm_momentum,
            }
        )
        return config


class LayerNormalization(Layer):
    """Normalizes each example over `axis` (default: the last), then scales and shifts."""

    def __init__(self, axis=-1, epsilon=1e-3, center=True, scale=True, rms_scaling=False,
                 beta_initializer="zeros", gamma_initializer="ones", beta_regularizer=None,
                 gamma_regularizer=None, beta_constraint=None, gamma_constraint=None,
                 **kwargs):  # fmt: skip
        from arroyo.keras import initializers

        super().__init__(**kwargs)
        self.axis = axis if isinstance(axis, int) else list(axis)
        self.epsilon = float(epsilon)
        self.center = center
        self.scale = scale
        self.rms_scaling = rms_scaling
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.beta_regularizer = beta_regularizer
        self.gamma_regularizer = gamma_regularizer
        self.beta_constraint = beta_constraint
        self.gamma_constraint = gamma_constraint
        self.supports_masking = True

    def build(self, input_shape):
        rank = len(input_shape)
        axes = _axes(self.axis, rank)
        shape = tuple(input_shape[a] for a in axes)
        self.gamma = self.add_weight(name="gamma", shape=shape,
                                     initializer=self.gamma_initializer,
                                     regularizer=self.gamma_regularizer,
                                     constraint=self.gamma_constraint) if self.scale else None  # fmt: skip
        self.beta = self.add_weight(name="beta", shape=shape,
                                    initializer=self.beta_initializer,
                                    regularizer=self.beta_regularizer,
                                    constraint=self.beta_constraint) if self.center else None  # fmt: skip
        self.__dict__["_arroyo_axes"] = axes
        self.built = True

    def call(self, inputs):
        x = inputs
        rank = x.shape.rank
        axes = self._arroyo_axes
        shape = [1] * rank
        for a in axes:
            shape[a] = -1

        def b(v):
            return v if axes == [rank - 1] else tf.reshape(v, shape)

        if self.rms_scaling:
            var = tf.reduce_mean(tf.square(x), axis=axes, keepdims=True)
            y = x * tf.math.rsqrt(var + self.epsilon)
            return y * b(self.gamma) if self.gamma is not None else y
        mean, var = tf.nn.moments(x, axes=axes, keepdims=True)
        inv = tf.math.rsqrt(var + self.epsilon)
        if self.gamma is not None:
            inv = inv * b(self.gamma)
        y = x * inv - mean * inv
        if self.beta is not None:
            y = y + b(self.beta)
        return y

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "axis": self.axis,
                "epsilon": self.epsilon,
                "center": self.center,
                "scale": self.scale,
                "rms_scaling": self.rms_scaling,
                "beta_initializer": _ser(self.beta_initializer),
                "gamma_initializer": _ser(self.gamma_initializer),
                "beta_regularizer": _ser(self.beta_regularizer),
                "gamma_regularizer": _ser(self.gamma_regularizer),
                "beta_constraint": _ser(self.beta_constraint),
                "gamma_constraint": _ser(self.gamma_constraint),
            }
        )
        return config


class Normalization(Layer):
    """`(x - mean) / sqrt(var)` with mean and variance given or learned by `adapt(data)`."""

    def __init__(self, axis=-1, mean=None, variance=None, invert=False, **kwargs):
        super().__init__(**kwargs)
        self.axis = (axis,) if isinstance(axis, int) else tuple(axis or ())
        self.input_mean = mean
        self.input_variance = variance
        self.invert = invert
        if (mean is None) != (variance is None):
            raise ValueError(
                "When setting values directly, both `mean` and `variance` must be set. "
                f"Received: mean={mean} and variance={variance}"
            )

    def build(self, input_shape):
        rank = len(input_shape)
        keep = [a % rank for a in self.axis]
        shape = tuple(input_shape[a] if a in keep else 1 for a in range(rank))
        shape = shape[1:] if shape and shape[0] == 1 and 0 not in keep else shape
        self.__dict__["_arroyo_shape"] = (rank, keep)
        wshape = tuple(input_shape[a] for a in keep)
        self.adapt_mean = self.add_weight(name="mean", shape=wshape, initializer="zeros",
                                          trainable=False)  # fmt: skip
        self.adapt_variance = self.add_weight(name="variance", shape=wshape,
                                              initializer="ones", trainable=False)  # fmt: skip
        if self.input_mean is not None:
            self.adapt_mean.assign(np.broadcast_to(np.asarray(self.input_mean, np.float32), wshape))
            self.adapt_variance.assign(
                np.broadcast_to(np.asarray(self.input_variance, np.float32), wshape)
            )
        self.built = True

    def adapt(self, data, batch_size=None, steps=None):
        """Computes the mean and variance of `data` (array, tensor or dataset)."""
        if hasattr(data, "as_numpy_iterator"):
            arr = np.concatenate([np.asarray(b) for b in data.as_numpy_iterator()], axis=0)
        else:
            arr = np.asarray(data)
        arr = arr.astype(np.float64)
        if arr.ndim == 1:
            arr = arr[:, None] if self.axis != () else arr
        if not self.built:
            self._maybe_build(tuple(arr.shape))
        rank, keep = self._arroyo_shape
        reduce = tuple(a for a in range(rank) if a not in keep)
        self.adapt_mean.assign(arr.mean(axis=reduce).astype(np.float32))
        self.adapt_variance.assign(arr.var(axis=reduce).astype(np.float32))

    def call(self, inputs):
        x = tf.cast(inputs, self.compute_dtype)
        rank, keep = self._arroyo_shape
        shape = [1] * x.shape.rank
        for a in keep:
            shape[a] = -1
        mean = tf.reshape(self.adapt_mean, shape)
        var = tf.reshape(self.adapt_variance, shape)
        std = tf.maximum(tf.sqrt(var), 1e-7)
        if self.invert:
            return mean + x * std
        return (x - mean) / std

    def get_config(self):
        config = super().get_config()
        config.update({"axis": list(self.axis), "invert": self.invert,
                       "mean": _np_list(self.input_mean),
                       "variance": _np_list(self.input_variance)})  # fmt: skip
        return config


def _np_list(x):
    return None if x is None else np.asarray(x).tolist()
