"""Core layers: InputLayer, Dense, Flatten, Reshape, Dropout, activations, Lambda,
Rescaling, Embedding, and the merge layers (Concatenate, Add, Multiply, ...)."""

from __future__ import annotations

import numpy as np

import arroyo as tf
from arroyo.keras import backend
from arroyo.keras.layers.base import InputSpec, Layer

__all__ = [
    "InputLayer", "Dense", "Flatten", "Reshape", "Dropout", "Activation", "ReLU", "LeakyReLU",
    "Softmax", "ELU", "Lambda", "Rescaling", "Embedding", "Identity", "Concatenate", "Add",
    "Subtract", "Multiply", "Average", "Maximum", "Minimum", "Permute", "RepeatVector",
]  # fmt: skip


def _ser(obj):
    from arroyo.keras.saving.serialization import serialize_keras_object

    return serialize_keras_object(obj)


def _activation(a):
    from arroyo.keras import activations

    return activations.get(a)


def _act_name(fn):
    from arroyo.keras import activations

    return activations.serialize(fn)


class InputLayer(Layer):
    """The layer behind `tf.keras.Input`: it has no weights and outputs its KerasTensor."""

    def __init__(self, shape=None, batch_size=None, dtype=None, sparse=None, batch_shape=None,
                 input_tensor=None, optional=False, name=None, ragged=None, **kwargs):  # fmt: skip
        from arroyo.keras.models.functional import KerasTensor, Node

        if "input_shape" in kwargs:
            shape = kwargs.pop("input_shape")
        if "batch_input_shape" in kwargs:
            batch_shape = kwargs.pop("batch_input_shape")
        given_name = name
        super().__init__(name=name or backend.unique_name("input_layer"), dtype=dtype, **kwargs)
        if shape is not None and batch_shape is not None:
            raise ValueError("You cannot pass both `shape` and `batch_shape` at the same time.")
        if batch_shape is None:
            if shape is None and input_tensor is None:
                raise ValueError("You must pass a `shape` argument.")
            if shape is not None:
                if isinstance(shape, int):
                    shape = (shape,)
                batch_shape = (batch_size,) + tuple(shape)
        if input_tensor is not None:
            kt = input_tensor
            batch_shape = kt.shape
        else:
            kt = KerasTensor(batch_shape, dtype=self._dtype_name, sparse=bool(sparse),
                             ragged=bool(ragged), name=given_name)  # fmt: skip
        self.__dict__["_batch_shape"] = tuple(batch_shape)
        self.__dict__["_sparse"] = bool(sparse)
        self.__dict__["_ragged"] = bool(ragged)
        self.__dict__["_optional"] = optional
        self.__dict__["_built"] = True
        node = Node(self, (), {}, kt)
        self._inbound_nodes.append(node)
        kt._keras_history = (self, 0, 0)
        self.__dict__["_arroyo_output"] = kt

    @property
    def batch_shape(self):
        return self._batch_shape

    @property
    def output(self):
        return self._arroyo_output

    def call(self, inputs):
        return inputs

    def get_config(self):
        return {
            "batch_shape": list(self._batch_shape),
            "dtype": self._dtype_name,
            "sparse": self._sparse,
            "ragged": self._ragged,
            "name": self.name,
            "optional": self._optional,
        }

    @classmethod
    def from_config(cls, config):
        return cls(**config)


class Dense(Layer):
    """`activation(inputs @ kernel + bias)` on the last axis.

    >>> layer = tf.keras.layers.Dense(2, kernel_initializer="ones")
    >>> layer(tf.constant([[1.0, 2.0]])).numpy()
    array([[3., 3.]], dtype=float32)
    """

    def __init__(self, units, activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None,
                 lora_rank=None, **kwargs):  # fmt: skip
        from arroyo.keras import initializers

        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self.units = int(units)
        if self.units <= 0:
            raise ValueError(
                "Received an invalid value for `units`, expected a positive integer. "
                f"Received: units={units}"
            )
        self.activation = _activation(activation)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = kernel_regularizer
        self.bias_regularizer = bias_regularizer
        self.kernel_constraint = kernel_constraint
        self.bias_constraint = bias_constraint
        self.input_spec = InputSpec(min_ndim=2)
        self.supports_masking = True

    def build(self, input_shape):
        input_dim = input_shape[-1]
        self._kernel = self.add_weight(
            name="kernel", shape=(input_dim, self.units), initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer, constraint=self.kernel_constraint,
        )  # fmt: skip
        if self.use_bias:
            self.bias = self.add_weight(
                name="bias", shape=(self.units,), initializer=self.bias_initializer,
                regularizer=self.bias_regularizer, constraint=self.bias_constraint,
            )  # fmt: skip
        else:
            self.bias = None
        self.input_spec = InputSpec(min_ndim=2, axes={-1: input_dim})
        self.built = True

    @property
    def kernel(self):
        return self._kernel

    def call(self, inputs, training=None):
        x = inputs
        if x.shape.rank == 2:
            y = tf.matmul(x, self._kernel)
        else:
            y = tf.tensordot(x, self._kernel, [[x.shape.rank - 1], [0]])
        if self.bias is not None:
            y = y + self.bias
        if self.activation is not None:
            y = self.activation(y)
        return y

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "units": self.units,
                "activation": _act_name(self.activation),
                "use_bias": self.use_bias,
                "kernel_initializer": _ser(self.kernel_initializer),
                "bias_initializer": _ser(self.bias_initializer),
                "kernel_regularizer": _ser(self.kernel_regularizer),
                "bias_regularizer": _ser(self.bias_regularizer),
                "kernel_constraint": _ser(self.kernel_constraint),
                "bias_constraint": _ser(self.bias_constraint),
                "quantization_config": None,
            }
        )
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        config.pop("quantization_config", None)
        return super().from_config(config)


class Flatten(Layer):
    """Flattens every axis but the batch axis."""

    def __init__(self, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = data_format or backend.image_data_format()
        self.input_spec = InputSpec(min_ndim=1)

    def call(self, inputs):
        shape = inputs.shape.as_list()
        rest = shape[1:]
        if self.data_format == "channels_first" and len(shape) > 2:
            inputs = tf.transpose(inputs, [0] + list(range(2, len(shape))) + [1])
        if all(d is not None for d in rest):
            n = int(np.prod(rest)) if rest else 1
            return tf.reshape(inputs, [-1 if shape[0] is None else shape[0], n])
        return tf.reshape(inputs, [tf.shape(inputs)[0], -1])

    def get_config(self):
        config = super().get_config()
        config["data_format"] = self.data_format
        return config


class Reshape(Layer):
    """Reshapes the non-batch axes to `target_shape` (one entry may be -1)."""

    def __init__(self, target_shape, **kwargs):
        super().__init__(**kwargs)
        self.target_shape = tuple(target_shape)

    def call(self, inputs):
        batch = inputs.shape[0]
        if batch is None:
            batch = tf.shape(inputs)[0]
            return tf.reshape(inputs, tf.concat([[batch], list(self.target_shape)], 0))
        return tf.reshape(inputs, (batch,) + self.target_shape)

    def get_config(self):
        config = super().get_config()
        config["target_shape"] = list(self.target_shape)
        return config


class Dropout(Layer):
    """Zeroes a `rate` fraction of the inputs while training (scaling the rest by
    1/(1-rate)); the identity otherwise."""

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        if not 0 <= rate <= 1:
            raise ValueError(
                f"Invalid value received for argument `rate`. Expected a float value between "
                f"0 and 1. Received: rate={rate}"
            )
        self.rate = rate
        self.noise_shape = noise_shape
        self.seed = seed
        self.supports_masking = True

    def call(self, inputs, training=False):
        if training and self.rate > 0:
            return tf.nn.dropout(inputs, rate=self.rate, noise_shape=self.noise_shape,
                                 seed=self.seed)  # fmt: skip
        return inputs

    def get_config(self):
        config = super().get_config()
        config.update({"rate": self.rate, "seed": self.seed, "noise_shape": self.noise_shape})
        return config


class Activation(Layer):
    """Applies an activation function."""

    def __init__(self, activation, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True
        self.activation = _activation(activation)

    def call(self, inputs):
        return self.activation(inputs)

    def get_config(self):
        config = super().get_config()
        config["activation"] = _act_name(self.activation)
        return config


class ReLU(Layer):
    """`max(x, 0)` with optional max_value, negative_slope and threshold."""

    def __init__(self, max_value=None, negative_slope=0.0, threshold=0.0, **kwargs):
        super().__init__(**kwargs)
        if max_value is not None and max_value < 0.0:
            raise ValueError(
                "max_value of a ReLU layer cannot be a negative value. "
                f"Received: max_value={max_value}"
            )
        self.max_value = max_value
        self.negative_slope = negative_slope
        self.threshold = threshold
        self.supports_masking = True

    def call(self, inputs):
        if self.max_value is None and self.negative_slope == 0 and self.threshold == 0:
            return tf.nn.relu(inputs)
        from arroyo.keras import activations

        return activations.relu(inputs, negative_slope=self.negative_slope,
                                max_value=self.max_value, threshold=self.threshold)  # fmt: skip

    def get_config(self):
        config = super().get_config()
        config.update({"max_value": self.max_value, "negative_slope": self.negative_slope,
                       "threshold": self.threshold})  # fmt: skip
        return config


class LeakyReLU(Layer):
    """`x` for x >= 0, `negative_slope * x` otherwise (default slope 0.3)."""

    def __init__(self, negative_slope=0.3, **kwargs):
        if "alpha" in kwargs:
            negative_slope = kwargs.pop("alpha")
        super().__init__(**kwargs)
        self.negative_slope = float(negative_slope)
        self.supports_masking = True

    def call(self, inputs):
        return tf.nn.leaky_relu(inputs, alpha=self.negative_slope)

    def get_config(self):
        config = super().get_config()
        config["negative_slope"] = self.negative_slope
        return config


class ELU(Layer):
    def __init__(self, alpha=1.0, **kwargs):
        super().__init__(**kwargs)
        self.alpha = alpha

    def call(self, inputs):
        y = tf.nn.elu(inputs)
        return y if self.alpha == 1.0 else tf.where(inputs > 0, y, self.alpha * y)

    def get_config(self):
        config = super().get_config()
        config["alpha"] = self.alpha
        return config


class Softmax(Layer):
    """Softmax over `axis` (masked positions get probability 0)."""

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = axis
        self.supports_masking = True

    def call(self, inputs, mask=None):
        if mask is not None:
            inputs = inputs + (1.0 - tf.cast(mask, inputs.dtype)) * -1e9
        if isinstance(self.axis, (list, tuple)):
            e = tf.exp(inputs - tf.reduce_logsumexp(inputs, axis=self.axis, keepdims=True))
            return e
        return tf.nn.softmax(inputs, axis=self.axis)

    def get_config(self):
        config = super().get_config()
        config["axis"] = self.axis
        return config


class Identity(Layer):
    def call(self, inputs):
        return inputs


class Lambda(Layer):
    """Wraps a function of the inputs as a layer.

    >>> tf.keras.layers.Lambda(lambda x: x * 2)(tf.constant([1.0])).numpy()
    array([2.], dtype=float32)
    """

    def __init__(self, function, output_shape=None, mask=None, arguments=None, **kwargs):
        super().__init__(**kwargs)
        self.function = function
        self.arguments = arguments or {}
        self._output_shape_arg = output_shape
        self._mask_arg = mask

    def call(self, inputs, mask=None, training=None):
        kwargs = dict(self.arguments)
        import inspect

        try:
            params = inspect.signature(self.function).parameters
        except (TypeError, ValueError):
            params = {}
        if "mask" in params:
            kwargs["mask"] = mask
        if "training" in params:
            kwargs["training"] = training
        return self.function(inputs, **kwargs)

    def get_config(self):
        import base64
        import marshal

        config = super().get_config()
        fn = self.function
        if getattr(fn, "__name__", "") == "<lambda>" or not hasattr(fn, "__module__"):
            code = base64.b64encode(marshal.dumps(fn.__code__)).decode("ascii")
            config["function"] = {
                "class_name": "__lambda__",
                "config": {"code": code, "defaults": fn.__defaults__, "closure": None},
            }
        else:
            config["function"] = {
                "module": fn.__module__, "class_name": "function", "config": fn.__name__,
                "registered_name": "function",
            }  # fmt: skip
        config["arguments"] = self.arguments
        config["output_shape"] = self._output_shape_arg
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None, safe_mode=None):
        from arroyo.keras.saving import serialization

        config = dict(config)
        fn = config.pop("function")
        if isinstance(fn, dict) and fn.get("class_name") == "__lambda__":
            if serialization.in_safe_mode(safe_mode):
                raise ValueError(
                    "Requested the deserialization of a `Lambda` layer with a Python "
                    "`lambda` inside it. This carries a potential risk of arbitrary code "
                    "execution and thus it is disallowed by default. If you trust the source "
                    "of the saved model, you can pass `safe_mode=False` to the loading "
                    "function in order to allow `Lambda` layer loading."
                )
            import base64
            import marshal
            import types

            code = marshal.loads(base64.b64decode(fn["config"]["code"]))
            defaults = fn["config"].get("defaults")
            fn = types.FunctionType(code, _lambda_globals(), None,
                                    tuple(defaults) if defaults else None)  # fmt: skip
        elif isinstance(fn, dict):
            fn = serialization.deserialize_keras_object(fn, custom_objects=custom_objects)
        config.pop("output_shape", None)
        if "dtype" in config and isinstance(config["dtype"], dict):
            config["dtype"] = config["dtype"].get("config", {}).get("name")
        return cls(fn, **config)


def _lambda_globals():
    import builtins

    g = {"__builtins__": builtins, "tf": tf, "np": np}
    try:
        import arroyo

        g["tensorflow"] = arroyo
        g["keras"] = arroyo.keras
    except Exception:  # noqa: BLE001
        pass
    return g


class Rescaling(Layer):
    """`inputs * scale + offset` (inputs cast to the layer's dtype)."""

    def __init__(self, scale, offset=0.0, **kwargs):
        super().__init__(**kwargs)
        self.scale = scale
        self.offset = offset

    def call(self, inputs):
        x = tf.cast(inputs, self.compute_dtype)
        return x * tf.cast(self.scale, x.dtype) + tf.cast(self.offset, x.dtype)

    def get_config(self):
        config = super().get_config()
        config.update({"scale": self.scale, "offset": self.offset})
        return config


class Embedding(Layer):
    """Looks up rows of an (input_dim, output_dim) table by integer index."""

    def __init__(self, input_dim, output_dim, embeddings_initializer="uniform",
                 embeddings_regularizer=None, embeddings_constraint=None, mask_zero=False,
                 weights=None, lora_rank=None, input_length=None, **kwargs):  # fmt: skip
        from arroyo.keras import initializers

        kwargs.pop("quantization_config", None)  # Keras 3.1x writes it in configs
        super().__init__(**kwargs)
        self.input_dim = int(input_dim)
        self.output_dim = int(output_dim)
        self.embeddings_initializer = initializers.get(embeddings_initializer)
        self.embeddings_regularizer = embeddings_regularizer
        self.embeddings_constraint = embeddings_constraint
        self.mask_zero = mask_zero
        self.supports_masking = mask_zero
        self._autocast = False
        self.__dict__["_initial_weights"] = weights

    def build(self, input_shape=None):
        self._embeddings = self.add_weight(
            name="embeddings", shape=(self.input_dim, self.output_dim),
            initializer=self.embeddings_initializer, regularizer=self.embeddings_regularizer,
            constraint=self.embeddings_constraint,
        )  # fmt: skip
        self.built = True
        if self.__dict__.get("_initial_weights") is not None:
            self.set_weights(self.__dict__["_initial_weights"])

    @property
    def embeddings(self):
        return self._embeddings

    def call(self, inputs):
        if inputs.dtype not in (tf.int32, tf.int64):
            inputs = tf.cast(inputs, tf.int32)
        return tf.gather(self._embeddings, inputs)

    def compute_mask(self, inputs, mask=None):
        if not self.mask_zero:
            return None
        return tf.not_equal(inputs, 0)

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "input_dim": self.input_dim,
                "output_dim": self.output_dim,
                "embeddings_initializer": _ser(self.embeddings_initializer),
                "embeddings_regularizer": _ser(self.embeddings_regularizer),
                "activity_regularizer": _ser(self.activity_regularizer),
                "embeddings_constraint": _ser(self.embeddings_constraint),
                "mask_zero": self.mask_zero,
            }
        )
        return config


class Permute(Layer):
    def __init__(self, dims, **kwargs):
        super().__init__(**kwargs)
        self.dims = tuple(dims)

    def call(self, inputs):
        return tf.transpose(inputs, (0,) + self.dims)

    def get_config(self):
        config = super().get_config()
        config["dims"] = list(self.dims)
        return config


class RepeatVector(Layer):
    def __init__(self, n, **kwargs):
        super().__init__(**kwargs)
        self.n = n

    def call(self, inputs):
        return tf.tile(tf.expand_dims(inputs, 1), [1, self.n, 1])

    def get_config(self):
        config = super().get_config()
        config["n"] = self.n
        return config


# -- merging ---------------------------------------------------------------------------------


class _Merge(Layer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def build(self, input_shape):
        if (
            not isinstance(input_shape, (list, tuple))
            or not input_shape
            or not isinstance(input_shape[0], (list, tuple, type(None)))
        ):
            raise ValueError(
                "A merge layer should be called on a list of inputs. "
                f"Received: input_shape={input_shape} (not a list of shapes)"
            )
        if len(input_shape) < 1:
            raise ValueError(
                "A merge layer should be called on a list of at least 1 input. "
                f"Got {len(input_shape)} inputs. Full input_shape received: {input_shape}"
            )
        self.built = True

    def call(self, inputs):
        out = inputs[0]
        for x in inputs[1:]:
            out = self._merge(out, x)
        return out


class Add(_Merge):
    """Sums a list of inputs elementwise."""

    def _merge(self, a, b):
        return a + b


class Subtract(_Merge):
    def call(self, inputs):
        if len(inputs) != 2:
            raise ValueError(
                "A `Subtract` layer should be called on exactly 2 inputs. "
                f"Received: inputs={inputs}"
            )
        return inputs[0] - inputs[1]


class Multiply(_Merge):
    """Multiplies a list of inputs elementwise."""

    def _merge(self, a, b):
        return a * b


class Maximum(_Merge):
    def _merge(self, a, b):
        return tf.maximum(a, b)


class Minimum(_Merge):
    def _merge(self, a, b):
        return tf.minimum(a, b)


class Average(_Merge):
    def call(self, inputs):
        out = inputs[0]
        for x in inputs[1:]:
            out = out + x
        return out / len(inputs)


class Concatenate(_Merge):
    """Concatenates a list of inputs along `axis` (default: the last)."""

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = axis

    def build(self, input_shape):
        super().build(input_shape)
        shapes = [s for s in input_shape if s is not None]
        if len(shapes) > 1:
            ranks = {len(s) for s in shapes}
            err = ValueError(
                "A `Concatenate` layer requires inputs with matching shapes except for the "
                f"concatenation axis. Received: input_shape={input_shape}"
            )
            if len(ranks) != 1:
                raise err
            rank = ranks.pop()
            axis = self.axis % rank
            for i in range(rank):
                if i == axis:
                    continue
                dims = {s[i] for s in shapes if s[i] is not None}
                if len(dims) > 1:
                    raise err

    def call(self, inputs):
        return tf.concat(list(inputs), axis=self.axis)

    def get_config(self):
        config = super().get_config()
        config["axis"] = self.axis
        return config
