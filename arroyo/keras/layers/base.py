"""`tf.keras.layers.Layer`: the base class of every layer and model.

A Layer is a `tf.Module`: its weights (made with `add_weight`, or plain `tf.Variable`s set
as attributes, as the Keras 2 guides do) are tracked, and so are the layers it holds in
attributes, lists and dicts. `build(input_shape)` runs once, on the first call; inside a
`tf.function`, `call` runs through AutoGraph.
"""

from __future__ import annotations

import inspect
import weakref

import numpy as np

from arroyo.framework.context import state
from arroyo.keras import backend
from arroyo.module.module import Module

__all__ = ["Layer", "InputSpec"]

_AG_CACHE: dict = {}
_SIG_CACHE: dict = {}

# Attributes of the base class that are bookkeeping, never tracked children.
_INTERNAL = frozenset(
    {
        "_name", "_scope_name", "_own_weights", "_losses", "_built", "_build_shapes",
        "_dtype_name", "_trainable", "_input_spec", "_inbound_nodes", "_call_spec",
        "_build_input_shape", "_init_config", "_compile_state", "_tracked_extra",
        "_arroyo_deferred", "_autocast", "_supports_masking", "_activity_regularizer",
        "_outbound_nodes", "_layers_override", "_functional", "_keras_history_outputs",
    }
)  # fmt: skip


def _is_variable(x):
    return getattr(x, "_is_arroyo_variable", False)


class InputSpec:
    """The rank, dtype and axis sizes a layer accepts (checked on every call).

    >>> tf.keras.layers.InputSpec(min_ndim=2, axes={-1: 3}).axes
    {-1: 3}
    """

    def __init__(self, dtype=None, shape=None, ndim=None, max_ndim=None, min_ndim=None,
                 axes=None, allow_last_axis_squeeze=False, name=None, optional=False):  # fmt: skip
        self.dtype = dtype
        self.shape = None if shape is None else tuple(shape)
        self.ndim = len(shape) if shape is not None else ndim
        self.max_ndim = max_ndim
        self.min_ndim = min_ndim
        self.name = name
        self.optional = optional
        self.allow_last_axis_squeeze = allow_last_axis_squeeze
        self.axes = {int(k): v for k, v in (axes or {}).items()}

    def __repr__(self):
        spec = [
            f"dtype={self.dtype}" if self.dtype else "",
            f"shape={self.shape}" if self.shape else "",
            f"ndim={self.ndim}" if self.ndim else "",
            f"max_ndim={self.max_ndim}" if self.max_ndim else "",
            f"min_ndim={self.min_ndim}" if self.min_ndim else "",
            f"axes={self.axes}" if self.axes else "",
        ]
        return f"InputSpec({', '.join(x for x in spec if x)})"

    def get_config(self):
        return {"dtype": self.dtype, "shape": self.shape, "ndim": self.ndim,
                "max_ndim": self.max_ndim, "min_ndim": self.min_ndim, "axes": self.axes}  # fmt: skip


def _check_input_spec(layer, specs, inputs):
    if not isinstance(specs, (list, tuple)):
        specs = [specs]
        flat = [inputs] if not isinstance(inputs, (list, tuple)) else list(inputs)[:1]
    else:
        flat = list(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
    for i, (spec, x) in enumerate(zip(specs, flat)):
        if spec is None:
            continue
        shape = getattr(x, "shape", None)
        if shape is None:
            continue
        shape = tuple(shape)
        rank = len(shape)
        pre = f"Input {i} of layer '{layer.name}' is incompatible with the layer: "
        if spec.ndim is not None and not spec.allow_last_axis_squeeze and rank != spec.ndim:
            raise ValueError(
                f"{pre}expected ndim={spec.ndim}, found ndim={rank}. Full shape received: {shape}"
            )
        if spec.max_ndim is not None and rank > spec.max_ndim:
            raise ValueError(f"{pre}expected max_ndim={spec.max_ndim}, found ndim={rank}")
        if spec.min_ndim is not None and rank < spec.min_ndim:
            raise ValueError(
                f"{pre}expected min_ndim={spec.min_ndim}, found ndim={rank}. "
                f"Full shape received: {shape}"
            )
        for axis, value in spec.axes.items():
            if value is None:
                continue
            if -rank <= axis < rank and shape[axis] not in (value, None):
                raise ValueError(
                    f"Input {i} with name '{spec.name}' of layer '{layer.name}' is incompatible "
                    f"with the layer: expected axis {axis} of input shape to have value "
                    f"{value}, but received input with shape {shape}"
                )


def _call_spec(cls):
    spec = _SIG_CACHE.get(cls)
    if spec is None:
        try:
            params = inspect.signature(cls.call).parameters
        except (TypeError, ValueError):
            params = {}
        names = list(params)
        kw = any(p.kind == p.VAR_KEYWORD for p in params.values())
        spec = (
            "training" in params or kw,
            "mask" in params,
            names[1] if len(names) > 1 else "inputs",
            "training" in params,
        )
        _SIG_CACHE[cls] = spec
    return spec


def _autograph_call(layer):
    fn = type(layer).call
    conv = _AG_CACHE.get(fn)
    if conv is None:
        from arroyo.graph import autograph

        try:
            conv = autograph.convert(fn)
        except NotImplementedError:
            conv = fn
        _AG_CACHE[fn] = conv
    return conv


def _to_tensor_input(x, dtype):
    """Keras converts NumPy arrays (and, as Keras 2 did, Python lists) to tensors; floats take
    the layer's dtype."""
    from arroyo.framework import dtypes
    from arroyo.framework.tensor import convert_to_tensor

    if isinstance(x, np.ndarray):
        if x.dtype.kind == "f" and dtype is not None:
            return convert_to_tensor(x.astype(dtypes.as_dtype(dtype).as_numpy_dtype, copy=False))
        return convert_to_tensor(x)
    if isinstance(x, (list, tuple)) and x and not _contains_tensor(x):
        arr = np.asarray(x)
        if arr.dtype.kind in "fiub":
            return _to_tensor_input(arr if arr.dtype.kind == "f" else arr, dtype)
    if isinstance(x, (float, int)) and not isinstance(x, bool):
        return convert_to_tensor(x, dtype=dtype if isinstance(x, float) else None)
    return x


def _contains_tensor(x):
    from arroyo.framework.tensor import Tensor

    for v in x:
        if isinstance(v, (Tensor, np.ndarray)) or _is_variable(v) or backend.is_keras_tensor(v):
            return True
        if isinstance(v, (list, tuple)) and _contains_tensor(v):
            return True
    return False


def _shape_of(x):
    s = getattr(x, "shape", None)
    if s is None:
        return None
    if isinstance(s, tuple):
        return s
    try:
        dims = s.as_list()
    except (ValueError, AttributeError):
        return None
    return tuple(dims)


def _structure_shapes(x):
    if isinstance(x, (list, tuple)):
        return [_structure_shapes(v) for v in x]
    if isinstance(x, dict):
        return {k: _structure_shapes(v) for k, v in x.items()}
    return _shape_of(x)


class Layer(Module):
    """The base class of Keras layers: weights, `build`, `call`, and configuration.

    >>> class Double(tf.keras.layers.Layer):
    ...     def call(self, x):
    ...         return 2 * x
    >>> Double()(tf.constant([1.0])).numpy()
    array([2.], dtype=float32)
    """

    def __init__(self, *, activity_regularizer=None, trainable=True, dtype=None, autocast=True,
                 name=None, **kwargs):  # fmt: skip
        input_dim = kwargs.pop("input_dim", None)
        input_shape = kwargs.pop("input_shape", None)
        batch_input_shape = kwargs.pop("batch_input_shape", None)
        batch_size = kwargs.pop("batch_size", None)
        kwargs.pop("dynamic", None)
        kwargs.pop("weights", None)
        if kwargs:
            raise ValueError(
                f"Unrecognized keyword arguments passed to {type(self).__name__}: {kwargs}"
            )
        if name is None:
            name = backend.unique_name(backend.to_snake_case(type(self).__name__))
        elif not isinstance(name, str) or "/" in name:
            raise ValueError(
                "Argument `name` must be a string and cannot contain character `/`. "
                f"Received: name={name} (of type {type(name)})"
            )
        d = self.__dict__
        d["_name"] = name
        d["_scope_name"] = name + "/"
        d["_own_weights"] = []
        d["_losses"] = []
        d["_built"] = False
        d["_build_shapes"] = None
        d["_trainable"] = bool(trainable)
        d["_input_spec"] = None
        d["_inbound_nodes"] = []
        d["_autocast"] = autocast
        d["_supports_masking"] = False
        d["_tracked_extra"] = []
        if isinstance(dtype, dict):  # a serialized DTypePolicy
            dtype = dtype.get("config", {}).get("name", None)
        d["_dtype_name"] = backend.standardize_dtype(getattr(dtype, "name", dtype))
        from arroyo.keras import regularizers_or_none

        d["_activity_regularizer"] = regularizers_or_none(activity_regularizer)
        if input_dim is not None and input_shape is None:
            input_shape = (input_dim,)
        if batch_input_shape is not None:
            d["_build_input_shape"] = tuple(batch_input_shape)
        elif input_shape is not None:
            d["_build_input_shape"] = (batch_size,) + tuple(input_shape)
        else:
            d["_build_input_shape"] = None

    # -- attribute tracking -------------------------------------------------------------
    def __setattr__(self, name, value):
        if name in ("name",):
            raise AttributeError("can't set attribute 'name'")
        object.__setattr__(self, name, value)
        if "_arroyo_deferred" in self.__dict__:
            from arroyo.train.checkpoint import apply_deferred

            apply_deferred(self, name, value)

    def __delattr__(self, name):
        object.__delattr__(self, name)

    def _tracked_items(self):
        """(attribute, value) pairs that hold layers or variables, in assignment order."""
        for k, v in self.__dict__.items():
            if k in _INTERNAL or k.startswith("_arroyo_") or k.startswith("__"):
                continue
            if isinstance(v, (Layer, list, tuple, dict)) or _is_variable(v):
                yield k, v

    def _flat_layers(self):
        out = []
        seen = {id(self)}

        def visit(v):
            if isinstance(v, Layer):
                if id(v) not in seen:
                    seen.add(id(v))
                    out.append(v)
            elif isinstance(v, (list, tuple)):
                for x in v:
                    visit(x)
            elif isinstance(v, dict):
                for x in v.values():
                    visit(x)

        for _, v in self._tracked_items():
            visit(v)
        return out

    def _own_variables(self):
        """This layer's own variables: `add_weight`s first, then raw tf.Variables set as
        attributes (Keras 2 tracked those; Keras 3 does not)."""
        own = list(self._own_weights)
        ids = {id(v) for v in own}

        def visit(v):
            if _is_variable(v):
                if id(v) not in ids:
                    ids.add(id(v))
                    own.append(v)
            elif isinstance(v, (list, tuple)):
                for x in v:
                    visit(x)
            elif isinstance(v, dict):
                for x in v.values():
                    visit(x)

        for _, v in self._tracked_items():
            visit(v)
        for v in self._tracked_extra:
            visit(v)
        return own

    @property
    def _layers(self):
        return self._flat_layers()

    # -- properties ---------------------------------------------------------------------
    @property
    def name(self):
        return self._name

    @property
    def path(self):
        return self._name

    @property
    def dtype(self):
        """The layer's variable dtype, as a string ('float32')."""
        return self._dtype_name

    @property
    def compute_dtype(self):
        return self._dtype_name

    @property
    def variable_dtype(self):
        return self._dtype_name

    @property
    def dtype_policy(self):
        from arroyo.keras.saving.serialization import DTypePolicy

        return DTypePolicy(self._dtype_name)

    @property
    def built(self):
        return self._built

    @built.setter
    def built(self, value):
        self.__dict__["_built"] = bool(value)

    @property
    def trainable(self):
        return self._trainable

    @trainable.setter
    def trainable(self, value):
        value = bool(value)
        self.__dict__["_trainable"] = value
        for layer in self._flat_layers():
            layer.trainable = value

    @property
    def input_spec(self):
        return self._input_spec

    @input_spec.setter
    def input_spec(self, value):
        self.__dict__["_input_spec"] = value

    @property
    def supports_masking(self):
        return self._supports_masking

    @supports_masking.setter
    def supports_masking(self, value):
        self.__dict__["_supports_masking"] = bool(value)

    @property
    def activity_regularizer(self):
        return self._activity_regularizer

    @activity_regularizer.setter
    def activity_regularizer(self, value):
        from arroyo.keras import regularizers_or_none

        self.__dict__["_activity_regularizer"] = regularizers_or_none(value)

    @property
    def weights(self):
        """Own weights (trainable first), then those of sub-layers, without duplicates."""
        out, seen = [], set()
        own = self._own_variables()
        for v in [v for v in own if v.trainable] + [v for v in own if not v.trainable]:
            if id(v) not in seen:
                seen.add(id(v))
                out.append(v)
        for layer in self._flat_layers():
            for v in layer.weights:
                if id(v) not in seen:
                    seen.add(id(v))
                    out.append(v)
        return out

    @property
    def trainable_weights(self):
        if not self._trainable:
            return []
        return [v for v in self._collect(True) if v.trainable]

    def _collect(self, trainable_only):
        out, seen = [], set()
        for v in self._own_variables():
            if id(v) not in seen:
                seen.add(id(v))
                out.append(v)
        for layer in self._flat_layers():
            if trainable_only and not layer._trainable:
                continue
            for v in layer._collect(trainable_only):
                if id(v) not in seen:
                    seen.add(id(v))
                    out.append(v)
        return out

    @property
    def non_trainable_weights(self):
        if not self._trainable:
            return self.weights
        trainable = {id(v) for v in self.trainable_weights}
        return [v for v in self.weights if id(v) not in trainable]

    @property
    def variables(self):
        return self.weights

    @property
    def trainable_variables(self):
        return self.trainable_weights

    @property
    def non_trainable_variables(self):
        return self.non_trainable_weights

    @property
    def submodules(self):
        out, seen = [], set()
        stack = list(self._flat_layers())
        while stack:
            layer = stack.pop(0)
            if id(layer) in seen:
                continue
            seen.add(id(layer))
            out.append(layer)
            stack.extend(layer._flat_layers())
        return tuple(out)

    @property
    def losses(self):
        """Losses added by `add_loss` (and activity regularizers) during the last call, and
        the weight regularization losses of this layer and its sub-layers."""
        out = list(self._losses)
        for v in self._own_variables():
            reg = getattr(v, "_keras_regularizer", None)
            if reg is not None:
                out.append(reg(v))
        for layer in self._flat_layers():
            out.extend(layer.losses)
        return out

    def add_loss(self, loss):
        """Adds a scalar loss (or a list of them) to `self.losses`."""
        from arroyo.framework.tensor import convert_to_tensor

        losses = loss if isinstance(loss, (list, tuple)) else [loss]
        for x in losses:
            if callable(x):
                x = x()
            if x is None:
                continue
            self._losses.append(convert_to_tensor(x))

    def _clear_losses(self):
        self._losses.clear()
        for layer in self._flat_layers():
            layer._clear_losses()

    # -- weights ------------------------------------------------------------------------
    def add_weight(self, name=None, shape=None, initializer=None, dtype=None, trainable=True,
                   autocast=True, regularizer=None, constraint=None, aggregation="none",
                   overwrite_with_gradient=False, synchronization="auto", **kwargs):  # fmt: skip
        """Creates a weight of this layer (a Keras Variable, tracked and saved).

        >>> layer = tf.keras.layers.Layer()
        >>> w = layer.add_weight(name="w", shape=(2,), initializer="ones")
        >>> w.numpy()
        array([1., 1.], dtype=float32)
        """
        from arroyo.keras import initializers

        if shape is None:
            shape = ()
        shape = tuple(int(s) if s is not None else s for s in shape)
        if any(s is None for s in shape):
            raise ValueError(
                f"Cannot create a weight with an undefined dimension. Received shape={shape}"
            )
        dtype = backend.standardize_dtype(dtype or self._dtype_name)
        if initializer is None:
            from arroyo.framework import dtypes

            dt = dtypes.as_dtype(dtype)
            initializer = "glorot_uniform" if dt.is_floating else "zeros"
        init = initializers.get(initializer)
        if not callable(init):
            raise ValueError(f"Could not interpret initializer: {initializer}")
        scope = backend.call_state.scope
        pushed = not scope or scope[-1] != self._name
        if pushed:
            scope.append(self._name)
        try:
            var = backend.Variable(
                _initializer_fn(init), shape=shape, dtype=dtype, trainable=trainable,
                name=name or "variable", constraint=_get_constraint(constraint),
            )  # fmt: skip
        finally:
            if pushed:
                scope.pop()
        if regularizer is not None:
            from arroyo.keras import regularizers

            var._keras_regularizer = regularizers.get(regularizer)
        self._own_weights.append(var)
        return var

    def add_variable(self, *args, **kwargs):
        return self.add_weight(*args, **kwargs)

    def get_weights(self):
        """The weights' values as NumPy arrays, in `weights` order."""
        return [np.array(v.numpy()) for v in self.weights]

    def set_weights(self, weights):
        """Sets the weights from NumPy arrays (same order and shapes as `get_weights()`)."""
        params = self.weights
        if len(params) != len(weights):
            raise ValueError(
                f"You called `set_weights(weights)` on layer '{self.name}' with a weight list "
                f"of length {len(weights)}, but the layer was expecting {len(params)} weights."
            )
        for v, w in zip(params, weights):
            w = np.asarray(w)
            if tuple(v.shape) != w.shape:
                raise ValueError(
                    f"Layer {self.name} weight shape {tuple(v.shape)} is not compatible with "
                    f"provided weight shape {w.shape}."
                )
            v.assign(w.astype(v.dtype.as_numpy_dtype, copy=False))

    def count_params(self):
        """The number of scalars in the layer's weights (the layer must be built)."""
        if not self._built:
            raise ValueError(
                f"You tried to call `count_params` on layer '{self.name}', but the layer isn't "
                "built. You can build it manually via: `layer.build(input_shape)`."
            )
        return int(sum(int(np.prod(v.shape.as_list())) for v in self.weights))

    # -- building -----------------------------------------------------------------------
    def build(self, input_shape):
        """Creates the layer's weights; called once with the first input's shape."""
        self.__dict__["_build_shapes"] = input_shape
        self.__dict__["_built"] = True

    def build_from_config(self, config):
        shape = config.get("input_shape") if config else None
        if shape is not None and not self._built:
            self._maybe_build(_from_json_shape(shape))

    def get_build_config(self):
        if self._build_shapes is not None:
            return {"input_shape": _to_json_shape(self._build_shapes)}
        return None

    def _maybe_build(self, shapes):
        if self._built:
            return
        from arroyo.graph import variable_lifting

        backend.call_state.scope.append(self._name)
        try:
            with variable_lifting.init_scope():
                build = type(self).build
                if build is not Layer.build:
                    self.build(shapes)
                self.__dict__["_built"] = True
                if self._build_shapes is None:
                    self.__dict__["_build_shapes"] = shapes
        finally:
            backend.call_state.scope.pop()

    # -- calling ------------------------------------------------------------------------
    def call(self, inputs, *args, **kwargs):
        return inputs

    def __call__(self, *args, **kwargs):
        if not args:
            # the first input may be passed by keyword (inputs=... or the call's own name)
            first = _call_spec(type(self))[2]
            if first in kwargs:
                args = (kwargs.pop(first),)
            elif "inputs" in kwargs:
                args = (kwargs.pop("inputs"),)
        if args and _any_keras_tensor(args[0]):
            from arroyo.keras.models.functional import symbolic_call

            return symbolic_call(self, args, kwargs)
        inputs = args[0] if args else None
        dtype = self._dtype_name if self._autocast else None
        inputs = _convert_inputs(inputs, dtype)
        if self._input_spec is not None:
            _check_input_spec(self, self._input_spec, inputs)
        if not self._built:
            self._maybe_build(_structure_shapes(inputs))
        has_training, has_mask, _, _ = _call_spec(type(self))
        cs = backend.call_state
        if has_training:
            training = kwargs.get("training")
            if training is None and cs.training:
                training = cs.training[-1]
            if training is not None or "training" in kwargs:
                kwargs["training"] = training
        else:
            training = kwargs.pop("training", None)
            if training is None and cs.training:
                training = cs.training[-1]
        if not has_mask:
            kwargs.pop("mask", None)
        # Keras masks: the input's mask fills `mask`; compute_mask's result tags the output.
        previous_mask = kwargs.get("mask") if has_mask else None
        if previous_mask is None and _masking.MASKS:
            previous_mask = _masking.mask_of(inputs)
            if has_mask and previous_mask is not None:
                kwargs["mask"] = previous_mask
        outer = not cs.training and not cs.scope
        if outer:
            self._clear_losses()
        else:
            self._losses.clear()
        cs.training.append(training)
        cs.scope.append(self._name)
        try:
            graph = state.graph
            if graph is not None and getattr(graph, "building_function", False):
                out = _autograph_call(self)(self, inputs, *args[1:], **kwargs)
            else:
                out = self.call(inputs, *args[1:], **kwargs)
        finally:
            cs.scope.pop()
            cs.training.pop()
        if self._supports_masking and (
            previous_mask is not None or type(self).compute_mask is not Layer.compute_mask
        ):
            _masking.set_output_masks(self, inputs, out, previous_mask)
        if self._activity_regularizer is not None:
            from arroyo.util import nest

            for o in nest.flatten(out):
                self.add_loss(self._activity_regularizer(o))
        return out

    def compute_output_shape(self, input_shape):
        """The output shape for an input shape (by tracing `call` on a symbolic input)."""
        from arroyo.keras.models.functional import KerasTensor, symbolic_call

        def spec(s):
            if isinstance(s, (list, tuple)) and s and isinstance(s[0], (list, tuple)):
                return [spec(x) for x in s]
            return KerasTensor(tuple(s), dtype=self._dtype_name)

        out = symbolic_call(self, (spec(input_shape),), {}, record=False)
        from arroyo.util import nest

        shapes = [o.shape for o in nest.flatten(out)]
        return shapes[0] if len(shapes) == 1 else shapes

    def compute_output_spec(self, *args, **kwargs):
        from arroyo.keras.models.functional import symbolic_call

        return symbolic_call(self, args, kwargs, record=False)

    def compute_mask(self, inputs, previous_mask=None):
        return previous_mask

    # -- shapes of the first call (Keras 3 keeps these for layers used in a model) --------
    def _first_node(self, what):
        if not self._inbound_nodes:
            raise AttributeError(
                f"The layer {self.name} has never been called and thus has no defined {what}."
            )
        return self._inbound_nodes[0]

    @property
    def input(self):
        node = self._first_node("input")
        return node.inputs[0] if len(node.inputs) == 1 else list(node.inputs)

    @property
    def output(self):
        node = self._first_node("output")
        return node.outputs[0] if len(node.outputs) == 1 else list(node.outputs)

    @property
    def input_shape(self):
        x = self.input
        return [t.shape for t in x] if isinstance(x, list) else x.shape

    @property
    def output_shape(self):
        x = self.output
        return [t.shape for t in x] if isinstance(x, list) else x.shape

    # -- configuration ------------------------------------------------------------------
    def get_config(self):
        """The layer's constructor arguments, as a JSON-friendly dict."""
        from arroyo.keras.saving.serialization import dtype_policy_config

        config = {
            "name": self.name,
            "trainable": self.trainable,
            "dtype": dtype_policy_config(self._dtype_name),
        }
        if self._activity_regularizer is not None:
            from arroyo.keras.saving.serialization import serialize_keras_object

            config["activity_regularizer"] = serialize_keras_object(self._activity_regularizer)
        return _auto_config(self, config)

    @classmethod
    def from_config(cls, config):
        """Creates a layer from `get_config()`'s output."""
        config = dict(config)
        if "dtype" in config and isinstance(config["dtype"], dict):
            config["dtype"] = config["dtype"].get("config", {}).get("name")
        try:
            return cls(**config)
        except Exception as e:
            raise TypeError(
                f"Error when deserializing class '{cls.__name__}' using config={config}.\n\n"
                f"Exception encountered: {e}"
            ) from e

    # -- checkpoints --------------------------------------------------------------------
    def _checkpoint_children(self):
        out = []
        seen = set()
        for k, v in self._tracked_items():
            out.append((k, v))
            seen.add(id(v))
        for i, v in enumerate(self._own_weights):
            if id(v) not in seen and not any(v is x for _, x in out):
                out.append((v.name if v.name not in dict(out) else f"{v.name}_{i}", v))
        return out

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name}, built={self.built}>"

    def __reduce__(self):
        raise TypeError(f"cannot pickle '{type(self).__name__}' object")


def _auto_config(layer, config):
    """Keras 3 fills the config of a subclass that takes only plain arguments automatically;
    a subclass without `get_config` keeps the base config."""
    return config


def _initializer_fn(init):
    def fn(shape, dtype=None):
        return init(shape, dtype=dtype)

    return fn


def _get_constraint(c):
    if c is None:
        return None
    from arroyo.keras import constraints

    return constraints.get(c)


def _to_json_shape(s):
    if isinstance(s, list):
        return [_to_json_shape(x) for x in s]
    if isinstance(s, dict):
        return {k: _to_json_shape(v) for k, v in s.items()}
    if s is None:
        return None
    return list(s)


def _from_json_shape(s):
    if isinstance(s, dict):
        return {k: _from_json_shape(v) for k, v in s.items()}
    if isinstance(s, list) and s and isinstance(s[0], list):
        return [_from_json_shape(x) for x in s]
    if isinstance(s, list) and s and s[0] is None and len(s) > 1 and isinstance(s[1], list):
        return [_from_json_shape(x) for x in s]
    return tuple(s) if s is not None else None


def _any_keras_tensor(x):
    from arroyo.keras.models.functional import KerasTensor

    if isinstance(x, KerasTensor):
        return True
    if isinstance(x, (list, tuple)):
        return any(_any_keras_tensor(v) for v in x)
    if isinstance(x, dict):
        return any(_any_keras_tensor(v) for v in x.values())
    return False


def _convert_inputs(x, dtype):
    from arroyo.framework.tensor import EagerTensor, Tensor

    if isinstance(x, Tensor):
        if dtype is not None and x.dtype.is_floating and x.dtype.name != dtype:
            from arroyo.ops.math_ops import cast

            return cast(x, dtype)
        return x
    if _is_variable(x):
        return x
    if isinstance(x, dict):
        return {k: _convert_inputs(v, dtype) for k, v in x.items()}
    if isinstance(x, (list, tuple)) and x and _contains_tensor(x):
        return type(x)(_convert_inputs(v, dtype) for v in x) if type(x) in (list, tuple) else x
    del EagerTensor
    return _to_tensor_input(x, dtype)


_weak_layers = weakref.WeakValueDictionary()

# after Layer: masking.py subclasses it
from arroyo.keras.layers import masking as _masking  # noqa: E402
