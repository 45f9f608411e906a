"""`tf.keras.Model`: subclassed models, functional models (`Model(inputs, outputs)`) and the
summary table. Training (compile/fit/evaluate/predict) comes from `arroyo.keras.trainer`."""

from __future__ import annotations

import numpy as np

from arroyo.keras import backend
from arroyo.keras.layers.base import Layer, _from_json_shape
from arroyo.keras.models import functional as fn_api
from arroyo.keras.trainer import Trainer
from arroyo.util import nest

__all__ = ["Model", "Functional"]


class _Operations:
    """A checkpoint node holding a graph model's layers under `_operations` (Keras 3's key)."""

    def __init__(self, layers):
        self._arroyo_layers = layers

    def _checkpoint_children(self):
        return [("_operations", list(self._arroyo_layers))]


def _is_functional_call(args, kwargs):
    if "inputs" in kwargs and "outputs" in kwargs:
        return True
    if len(args) >= 2 and fn_api._flat_kt(args[0]) and fn_api._flat_kt(args[1]):
        return True
    if len(args) == 1 and "outputs" in kwargs:
        return True
    return False


class Model(Trainer, Layer):
    """A layer with training: `compile`, `fit`, `evaluate`, `predict`, `save`.

    Subclass it and write `call`, or connect layers: `tf.keras.Model(inputs, outputs)`.

    >>> inputs = tf.keras.Input(shape=(3,))
    >>> model = tf.keras.Model(inputs, tf.keras.layers.Dense(2)(inputs))
    >>> model(tf.ones([4, 3])).shape
    TensorShape([4, 2])
    """

    def __new__(cls, *args, **kwargs):
        if cls is Model and _is_functional_call(args, kwargs):
            return object.__new__(Functional)
        return object.__new__(cls)

    def __init__(self, *args, **kwargs):
        inputs = kwargs.pop("inputs", None)
        outputs = kwargs.pop("outputs", None)
        if args and inputs is None:
            inputs, args = args[0], args[1:]
        if args and outputs is None:
            outputs, args = args[0], args[1:]
        name = kwargs.pop("name", None)
        trainable = kwargs.pop("trainable", True)
        dtype = kwargs.pop("dtype", None)
        kwargs.pop("autocast", None)
        for k in ("input_shape", "batch_input_shape", "input_dim", "batch_size"):
            kwargs.pop(k, None)
        if kwargs:
            raise TypeError(
                "Keyword argument not understood: " + ", ".join(repr(k) for k in kwargs)
            )
        Layer.__init__(self, name=name, trainable=trainable, dtype=dtype)
        self.__dict__["_built"] = False
        self.__dict__["_arroyo_graph"] = None
        Trainer.__init__(self)
        if inputs is not None:
            self._init_graph(inputs, outputs)

    # -- functional graphs --------------------------------------------------------------
    def _init_graph(self, inputs, outputs):
        if isinstance(inputs, dict):
            flat_in = [inputs[k] for k in inputs]
        else:
            flat_in = fn_api._flat_kt(inputs)
        for t in flat_in:
            if t._keras_history is None or t._keras_history[0]._inbound_nodes[0].inputs:
                raise ValueError(
                    "All `inputs` values must be KerasTensors. Received: inputs="
                    f"{inputs} including invalid value {t} of type {type(t)}"
                )
        if isinstance(outputs, tuple):
            outputs = list(outputs)
        nodes = fn_api.collect_nodes(outputs)
        known = {id(t) for t in flat_in}
        for node in nodes:
            if not node.inputs and id(node.outputs[0]) not in known:
                raise ValueError(
                    "Functional model inputs must come from `keras.Input` (thus holding past "
                    f"layer metadata). Input {node.outputs[0].name} is missing from `inputs`."
                )
        layers, seen = [], set()
        for t in flat_in:  # inputs first, in the order given
            layer = t._keras_history[0]
            if id(layer) not in seen:
                seen.add(id(layer))
                layers.append(layer)
        for node in nodes:
            if id(node.layer) not in seen:
                seen.add(id(node.layer))
                layers.append(node.layer)
        d = self.__dict__
        d["_arroyo_graph"] = True
        d["_arroyo_inputs"] = inputs
        d["_arroyo_flat_inputs"] = flat_in
        d["_arroyo_outputs"] = outputs
        d["_arroyo_nodes"] = nodes
        d["_arroyo_graph_layers"] = layers
        d["_built"] = True
        shapes = [t.shape for t in flat_in]
        d["_build_shapes"] = shapes[0] if len(shapes) == 1 else shapes

    @property
    def inputs(self):
        if not self._arroyo_graph:
            return None
        return list(self._arroyo_flat_inputs)

    @property
    def outputs(self):
        if not self._arroyo_graph:
            return None
        return fn_api._flat_kt(self._arroyo_outputs)

    @property
    def input(self):
        if self._arroyo_graph:
            return self._arroyo_inputs
        return Layer.input.fget(self)

    @property
    def output(self):
        if self._arroyo_graph:
            return self._arroyo_outputs
        return Layer.output.fget(self)

    @property
    def input_shape(self):
        if self._arroyo_graph:
            s = [t.shape for t in self._arroyo_flat_inputs]
            return s[0] if len(s) == 1 else s
        return Layer.input_shape.fget(self)

    @property
    def output_shape(self):
        if self._arroyo_graph:
            s = [t.shape for t in fn_api._flat_kt(self._arroyo_outputs)]
            return s[0] if len(s) == 1 else s
        return Layer.output_shape.fget(self)

    @property
    def output_names(self):
        if self._arroyo_graph:
            return [t._keras_history[0].name for t in fn_api._flat_kt(self._arroyo_outputs)]
        return ["output_0"]

    def _flat_layers(self):
        if self._arroyo_graph:
            out = list(self._arroyo_graph_layers)
            ids = {id(x) for x in out}
            out.extend(x for x in Layer._flat_layers(self) if id(x) not in ids)
            return out
        return Layer._flat_layers(self)

    @property
    def layers(self):
        """The model's layers (a functional model's InputLayers first)."""
        return self._flat_layers()

    @layers.setter
    def layers(self, value):
        raise AttributeError(
            "`Model.layers` attribute is reserved and should not be used. Please use another name."
        )

    def get_layer(self, name=None, index=None):
        """A layer by name or by index in `model.layers`."""
        if index is not None and name is not None:
            raise ValueError(
                f"Provide only a layer name or a layer index. Received: index={index}, name={name}."
            )
        if index is not None:
            if len(self.layers) <= index:
                raise ValueError(
                    f"Was asked to retrieve layer at index {index} but model only has "
                    f"{len(self.layers)} layers."
                )
            return self.layers[index]
        if name is not None:
            for layer in self.layers:
                if layer.name == name:
                    return layer
            raise ValueError(
                f"No such layer: {name}. Existing layers are: "
                f"{list(layer.name for layer in self.layers)}."
            )
        raise ValueError("Provide either a layer name or layer index at `get_layer`.")

    def _standardize_inputs(self, inputs):
        from arroyo.framework.tensor import Tensor
        from arroyo.keras.layers.base import _convert_inputs

        flat_kt = self._arroyo_flat_inputs
        structure = self._arroyo_inputs
        if isinstance(inputs, dict):
            if isinstance(structure, dict):
                flat = [inputs[k] for k in structure]
            else:
                flat = [inputs[t._keras_history[0].name] for t in flat_kt]
        elif len(flat_kt) == 1 and not (
            isinstance(inputs, (list, tuple)) and len(inputs) == 1 and not _numeric_list(inputs)
        ):
            flat = [inputs]
        else:
            flat = list(inputs) if isinstance(inputs, (list, tuple)) else nest.flatten(inputs)
        if len(flat) != len(flat_kt):
            raise ValueError(
                f'Layer "{self.name}" expects {len(flat_kt)} input(s), but it received '
                f"{len(flat)} input tensors. Inputs received: {inputs}"
            )
        out = []
        for x, kt in zip(flat, flat_kt):
            if not isinstance(x, Tensor) and not getattr(x, "_is_arroyo_variable", False):
                x = _convert_inputs(x, kt.dtype if "float" in kt.dtype else None)
                if isinstance(x, Tensor) and x.dtype.name != kt.dtype:
                    from arroyo.ops.math_ops import cast

                    x = cast(x, kt.dtype)
            elif x.dtype.name != kt.dtype and x.dtype.is_floating and "float" in kt.dtype:
                from arroyo.ops.math_ops import cast

                x = cast(x, kt.dtype)
            out.append(fn_api.adjust_rank(x, kt.shape))
        return out

    def call(self, inputs, training=None, mask=None):
        if self._arroyo_graph:
            if isinstance(inputs, _FlatInputs):
                flat = inputs
            else:
                flat = self._standardize_inputs(inputs)
            return fn_api.run_graph(self._arroyo_nodes, flat, self._arroyo_flat_inputs,
                                    self._arroyo_outputs, training)  # fmt: skip
        raise NotImplementedError(
            f"Model {type(self).__name__} does not have a `call()` method implemented."
        )

    def __call__(self, *args, **kwargs):
        if self._arroyo_graph and args and not fn_api._flat_kt(args[0]):
            # a functional model converts its own inputs (dtype, rank, dict keys)
            flat = self._standardize_inputs(args[0])
            x = flat[0] if len(flat) == 1 else _FlatInputs(flat)
            return Layer.__call__(self, x, *args[1:], **kwargs)
        return Layer.__call__(self, *args, **kwargs)

    # -- building -----------------------------------------------------------------------
    def _maybe_build(self, shapes):
        if self._built:
            return
        self.__dict__["_built"] = True
        if self._build_shapes is None:
            self.__dict__["_build_shapes"] = shapes

    def build(self, input_shape=None):
        """Builds a subclassed model by calling it on a symbolic input of `input_shape`."""
        if self._built:
            return
        if input_shape is None:
            raise ValueError("You must provide an `input_shape` argument.")
        shape = (
            _from_json_shape(list(input_shape)) if isinstance(input_shape, list) else (input_shape)
        )
        if hasattr(shape, "as_list"):
            shape = tuple(shape.as_list())

        def kt(s):
            if isinstance(s, list) and s and isinstance(s[0], (list, tuple)):
                return [kt(x) for x in s]
            return fn_api.KerasTensor(tuple(s), dtype=self._dtype_name)

        try:
            fn_api.symbolic_call(self, (kt(shape),), {}, record=False)
        except Exception as e:
            raise ValueError(
                "You cannot build your model by calling `build()` if your layers do not "
                "support float type inputs. Instead, in order to instantiate and build your "
                "model, call your model on real tensor data (of the correct dtype).\n\nThe "
                f"actual error from `call` is: {e}."
            ) from e
        self.__dict__["_built"] = True
        self.__dict__["_build_shapes"] = shape

    def build_from_config(self, config):
        if not config or self._built:
            return
        shape = config.get("input_shape")
        if shape is not None:
            self.build(_from_json_shape(shape))

    # -- checkpoints --------------------------------------------------------------------
    def _checkpoint_children(self):
        out = Layer._checkpoint_children(self)
        if self._arroyo_graph:
            out.append(("_operations", list(self._arroyo_graph_layers)))
        return out

    # -- configuration ------------------------------------------------------------------
    def get_config(self):
        if self._arroyo_graph:
            return _functional_config(self)
        config = {"name": self.name, "trainable": self.trainable}
        if type(self).get_config is Model.get_config:
            return _subclass_config(self, config)
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        if "layers" in config and "input_layers" in config:
            return _functional_from_config(cls, config, custom_objects)
        config = dict(config)
        if "dtype" in config and isinstance(config["dtype"], dict):
            config["dtype"] = config["dtype"].get("config", {}).get("name")
        try:
            return cls(**config)
        except TypeError as e:
            raise TypeError(
                f"Unable to revive model from config. When overriding the `get_config()` "
                f"method, make sure that the returned config contains all items used as "
                f"arguments in the  constructor to {cls}, which is the default behavior. You "
                f"can override this default behavior by defining a `from_config(cls, config)` "
                f"class method to specify how to create an instance of {cls.__name__} from its "
                f"config.\n\nReceived config={config}\n\nError encountered during "
                f"deserialization: {e}"
            ) from e

    # -- summary ------------------------------------------------------------------------
    def summary(self, line_length=None, positions=None, print_fn=None, expand_nested=False,
                show_trainable=False, layer_range=None):  # fmt: skip
        """Prints Keras 3's table of layers, output shapes and parameter counts."""
        from arroyo.keras.models.summary import print_summary

        print_summary(self, line_length=line_length, positions=positions, print_fn=print_fn,
                      expand_nested=expand_nested, show_trainable=show_trainable)  # fmt: skip

    def to_json(self, **kwargs):
        import json

        from arroyo.keras.saving.serialization import serialize_keras_object

        return json.dumps(serialize_keras_object(self), **kwargs)

    # -- saving (arroyo.keras.saving) ----------------------------------------------------
    def save(self, filepath, overwrite=True, zipped=None, **kwargs):
        """Saves to a `.keras` zip (Keras 3), a `.h5` file, or, without an extension, a
        SavedModel directory (as Keras 2 did)."""
        from arroyo.keras.saving import saving_api

        saving_api.save_model(self, filepath, overwrite=overwrite, **kwargs)

    def save_weights(self, filepath, overwrite=True, **kwargs):
        from arroyo.keras.saving import saving_api

        saving_api.save_weights(self, filepath, overwrite=overwrite, **kwargs)

    def load_weights(self, filepath, skip_mismatch=False, **kwargs):
        from arroyo.keras.saving import saving_api

        return saving_api.load_weights(self, filepath, skip_mismatch=skip_mismatch, **kwargs)

    def export(self, filepath, format="tf_saved_model", verbose=True, input_signature=None,  # noqa: A002
               **kwargs):  # fmt: skip
        """Writes a SavedModel directory with a `serve` endpoint (Keras 3's `export`)."""
        from arroyo.keras.saving import export

        export.export_saved_model(self, filepath, input_signature=input_signature,
                                  verbose=verbose)  # fmt: skip


class Functional(Model):
    """The class of `tf.keras.Model(inputs, outputs)`."""


class _FlatInputs(list):
    """A functional model's inputs, already converted and in its input order."""


def _numeric_list(x):
    return all(isinstance(v, (int, float)) for v in nest.flatten(x))


def _subclass_config(model, config):
    return config


def _node_key(layer, node_index):
    return layer.name, node_index


def _functional_config(model):
    from arroyo.keras.saving.serialization import serialize_keras_object

    layers_cfg = []
    node_index_map = {}
    for layer in model._arroyo_graph_layers:
        kept = 0
        for i, node in enumerate(layer._inbound_nodes):
            if node in model._arroyo_nodes or not node.inputs:
                node_index_map[(id(layer), i)] = kept
                kept += 1
    for layer in model._arroyo_graph_layers:
        cfg = serialize_keras_object(layer)
        cfg["name"] = layer.name
        inbound = []
        for node in layer._inbound_nodes:
            if node not in model._arroyo_nodes or not node.inputs:
                continue

            def ser(x):
                if isinstance(x, fn_api.KerasTensor):
                    lyr, ni, ti = x._keras_history
                    return {"class_name": "__keras_tensor__", "config": {
                        "shape": list(x.shape), "dtype": x.dtype,
                        "keras_history": [lyr.name, node_index_map.get((id(lyr), ni), ni), ti],
                    }}  # fmt: skip
                return x

            args = [nest.map_structure(ser, a) for a in node.call_args]
            kwargs = {k: nest.map_structure(ser, v) for k, v in node.call_kwargs.items()}
            inbound.append({"args": args, "kwargs": kwargs})
        cfg["inbound_nodes"] = inbound
        cfg.pop("build_config", None) if isinstance(layer, Layer) and not inbound else None
        layers_cfg.append(cfg)

    def io(ts):
        return [[t._keras_history[0].name, node_index_map.get(
            (id(t._keras_history[0]), t._keras_history[1]), 0), t._keras_history[2]]
            for t in ts]  # fmt: skip

    inputs = model._arroyo_inputs
    outputs = model._arroyo_outputs
    config = {"name": model.name, "trainable": model.trainable, "layers": layers_cfg}
    if isinstance(inputs, dict):
        config["input_layers"] = {k: io([v])[0] for k, v in inputs.items()}
    elif isinstance(inputs, fn_api.KerasTensor):
        config["input_layers"] = io([inputs])[0]
    else:
        config["input_layers"] = io(fn_api._flat_kt(inputs))
    if isinstance(outputs, dict):
        config["output_layers"] = {k: io([v])[0] for k, v in outputs.items()}
    elif isinstance(outputs, fn_api.KerasTensor):
        config["output_layers"] = io([outputs])[0]
    else:
        config["output_layers"] = io(fn_api._flat_kt(outputs))
    return config


def _functional_from_config(cls, config, custom_objects=None):
    from arroyo.keras.saving.serialization import deserialize_keras_object

    created = {}
    pending = []
    for layer_cfg in config["layers"]:
        cfg = dict(layer_cfg)
        inbound = cfg.pop("inbound_nodes", [])
        cfg.pop("build_config", None)
        layer = deserialize_keras_object(cfg, custom_objects=custom_objects)
        created[layer_cfg["name"]] = layer
        pending.append((layer, inbound))
    # Replay the calls in order; a node waits until the tensors it needs exist.
    outputs_of = {}
    for layer in created.values():
        if type(layer).__name__ == "InputLayer":
            outputs_of[(layer.name, 0)] = [layer.output]
    progress = True
    queue = [(layer, list(inbound)) for layer, inbound in pending]
    counters = {}
    while progress:
        progress = False
        for layer, inbound in queue:
            while inbound:
                node = inbound[0]
                ok = True

                def de(x):
                    nonlocal ok
                    if isinstance(x, dict) and x.get("class_name") == "__keras_tensor__":
                        name, ni, ti = x["config"]["keras_history"]
                        outs = outputs_of.get((name, ni))
                        if outs is None:
                            ok = False
                            return None
                        return outs[ti]
                    if (
                        isinstance(x, list)
                        and len(x) in (3, 4)
                        and isinstance(x[0], str)
                        and (x[0] in created)
                    ):
                        outs = outputs_of.get((x[0], x[1]))
                        if outs is None:
                            ok = False
                            return None
                        return outs[x[2]]
                    return x

                if isinstance(node, dict):
                    args = [_map_leaves(de, a) for a in node.get("args", [])]
                    kwargs = {k: _map_leaves(de, v) for k, v in node.get("kwargs", {}).items()}
                else:  # Keras 2: [[name, node_index, tensor_index, kwargs], ...]
                    ins = [de(x[:3]) for x in node]
                    kwargs = node[0][3] if node and len(node[0]) > 3 else {}
                    args = [ins[0] if len(ins) == 1 else ins]
                if not ok:
                    break
                out = layer(*args, **kwargs)
                i = counters.get(layer.name, 0)
                counters[layer.name] = i + 1
                outputs_of[(layer.name, i)] = fn_api._flat_kt(out)
                inbound.pop(0)
                progress = True

    def get(ref):
        name, ni, ti = ref[:3]
        return outputs_of[(name, ni)][ti]

    def io(spec):
        if isinstance(spec, dict):
            return {k: get(v) for k, v in spec.items()}
        if spec and isinstance(spec[0], str):
            return get(spec)
        return [get(s) for s in spec]

    inputs = io(config["input_layers"])
    outputs = io(config["output_layers"])
    kwargs = {"name": config.get("name"), "trainable": config.get("trainable", True)}
    if cls is Model or cls is Functional:
        return Functional(inputs, outputs, **kwargs)
    return cls(inputs=inputs, outputs=outputs, **kwargs)


def _map_leaves(fn, x):
    if isinstance(x, dict) and x.get("class_name") == "__keras_tensor__":
        return fn(x)
    if isinstance(x, list):
        return [_map_leaves(fn, v) for v in x]
    if isinstance(x, dict):
        return {k: _map_leaves(fn, v) for k, v in x.items()}
    return x


def _np(x):
    return np.asarray(x)


del backend
