"""`tf.keras.Sequential`: a plain stack of layers."""

from __future__ import annotations

from arroyo.keras import backend
from arroyo.keras.layers.base import Layer, _from_json_shape
from arroyo.keras.models import functional as fn_api
from arroyo.keras.models.model import Model, _Operations

__all__ = ["Sequential"]


class Sequential(Model):
    """A model whose layers each take the previous layer's output.

    The input shape comes from an `Input`, an `input_shape=` on the first layer (Keras 2
    style), or the first call.

    >>> model = tf.keras.Sequential([tf.keras.layers.Dense(2, input_shape=(3,))])
    >>> model.output_shape
    (None, 2)
    """

    def __init__(self, layers=None, trainable=True, name=None):
        Model.__init__(self, trainable=trainable, name=name)
        self.__dict__["_arroyo_seq"] = []
        self.__dict__["_arroyo_input_layer"] = None
        for layer in layers or []:
            self.add(layer, rebuild=False)
        self._maybe_rebuild()

    def add(self, layer, rebuild=True):
        """Appends a layer (or an `Input`) to the stack."""
        from arroyo.keras.layers.core import InputLayer

        if isinstance(layer, fn_api.KerasTensor) and layer._keras_history is not None:
            layer = layer._keras_history[0]
        if not isinstance(layer, Layer):
            raise ValueError(
                "Only instances of `keras.Layer` can be added to a Sequential model. "
                f"Received: {layer} (of type {type(layer)})"
            )
        if isinstance(layer, InputLayer):
            if self._arroyo_input_layer is not None or self._arroyo_seq:
                raise ValueError(
                    f"Sequential model '{self.name}' has already been configured to use input "
                    f"shape {self._arroyo_input_layer.batch_shape if self._arroyo_input_layer else None}. "
                    f"You cannot add a different Input layer to it."
                )
            self.__dict__["_arroyo_input_layer"] = layer
        else:
            names = {x.name for x in self._arroyo_seq}
            if layer.name in names:
                raise ValueError(
                    "All layers added to a Sequential model should have unique names. Name "
                    f"'{layer.name}' is already the name of a layer in this model. Update the "
                    "`name` argument to pass a unique name."
                )
            self._arroyo_seq.append(layer)
        if rebuild:
            self._maybe_rebuild()
        else:
            self.__dict__["_built"] = False

    def pop(self, rebuild=True):
        """Removes and returns the last layer."""
        if not self._arroyo_seq:
            raise TypeError("There are no layers in the model.")
        layer = self._arroyo_seq.pop()
        self.__dict__["_built"] = False
        self.__dict__["_arroyo_graph"] = None
        if rebuild:
            self._maybe_rebuild()
        return layer

    def _maybe_rebuild(self):
        self.__dict__["_built"] = False
        self.__dict__["_arroyo_graph"] = None
        if self._arroyo_input_layer is not None:
            self.build(self._arroyo_input_layer.batch_shape)
        elif self._arroyo_seq and self._arroyo_seq[0]._build_input_shape is not None:
            self.build(self._arroyo_seq[0]._build_input_shape)

    def _maybe_build(self, shapes):
        if not self._built:
            self.build(shapes)

    def build(self, input_shape=None):
        """Builds every layer by passing a symbolic input of `input_shape` through them."""
        from arroyo.keras.layers.core import InputLayer

        if input_shape is None:
            if self._arroyo_input_layer is None:
                raise ValueError("You must provide an `input_shape` argument.")
            input_shape = self._arroyo_input_layer.batch_shape
        if isinstance(input_shape, list) and input_shape and isinstance(input_shape[0], list):
            input_shape = _from_json_shape(input_shape)
        if hasattr(input_shape, "as_list"):
            input_shape = tuple(input_shape.as_list())
        if isinstance(input_shape, list) and not (
            input_shape and isinstance(input_shape[0], tuple)
        ):
            input_shape = tuple(input_shape)
        if self._arroyo_input_layer is None:
            self.__dict__["_arroyo_input_layer"] = InputLayer(
                batch_shape=input_shape,
                dtype=self._arroyo_seq[0]._dtype_name if self._arroyo_seq else None,
            )  # fmt: skip
        backend.unique_name("functional")  # Keras 3 builds an inner Functional here
        x = self._arroyo_input_layer.output
        inputs = x
        backend.call_state.scope.append(self._name)
        try:
            for layer in self._arroyo_seq:
                x = layer(x)
        finally:
            backend.call_state.scope.pop()
        self._init_graph(inputs, x)
        self.__dict__["_build_shapes"] = tuple(input_shape)

    @property
    def layers(self):
        return list(self._arroyo_seq)

    def _flat_layers(self):
        out = list(self._arroyo_seq)
        ids = {id(x) for x in out}
        out.extend(x for x in Layer._flat_layers(self) if id(x) not in ids)
        return out

    def call(self, inputs, training=None, mask=None):
        x = inputs
        for layer in self._arroyo_seq:
            x = layer(x) if training is None else layer(x, training=training)
        return x

    def __call__(self, *args, **kwargs):
        return Layer.__call__(self, *args, **kwargs)

    @property
    def input_shape(self):
        if self._arroyo_input_layer is not None:
            return self._arroyo_input_layer.batch_shape
        raise AttributeError(f"Sequential model '{self.name}' has no defined input shape yet.")

    @property
    def inputs(self):
        return [self._arroyo_input_layer.output] if self._arroyo_graph else None

    def _checkpoint_children(self):
        out = Layer._checkpoint_children(self)
        ops = [self._arroyo_input_layer] if self._arroyo_input_layer is not None else []
        out.append(("_functional", _Operations(ops + list(self._arroyo_seq))))
        return out

    def get_config(self):
        from arroyo.keras.saving.serialization import dtype_policy_config, serialize_keras_object

        layers = []
        if self._arroyo_input_layer is not None:
            layers.append(serialize_keras_object(self._arroyo_input_layer))
        for layer in self._arroyo_seq:
            layers.append(serialize_keras_object(layer))
        config = {"name": self.name, "trainable": self.trainable,
                  "dtype": dtype_policy_config(self._dtype_name), "layers": layers}  # fmt: skip
        if self._built and self._build_shapes is not None:
            config["build_input_shape"] = list(self._build_shapes)
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from arroyo.keras.saving.serialization import deserialize_keras_object

        layer_configs = config["layers"] if isinstance(config, dict) else config
        model = cls(name=config.get("name") if isinstance(config, dict) else None,
                    trainable=config.get("trainable", True) if isinstance(config, dict) else True)  # fmt: skip
        for lc in layer_configs:
            lc = dict(lc)
            build_config = lc.pop("build_config", None)
            layer = deserialize_keras_object(lc, custom_objects=custom_objects)
            model.add(layer, rebuild=False)
            del build_config
        model._maybe_rebuild()
        if not model.built and isinstance(config, dict) and config.get("build_input_shape"):
            model.build(_from_json_shape(config["build_input_shape"]))
        return model

    def build_from_config(self, config):
        if not self._built and config and config.get("input_shape") is not None:
            self.build(_from_json_shape(config["input_shape"]))
