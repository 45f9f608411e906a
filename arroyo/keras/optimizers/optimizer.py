"""Keras 3's `Optimizer` base: variables, clipping, weight decay, EMA, and the update loop.

Every algorithm writes its update once, as arithmetic on "arrays" plus a few functions
from an `xp` adapter. Eagerly the update runs on the NumPy arrays behind the Variables
(one Python function per variable, no op dispatch: a step over a small model costs
microseconds); inside `tf.function` the same code runs on symbolic tensors and becomes
graph ops that assign the Variables. Both follow Keras 3's operation order, so values
agree with Keras 3's to float rounding.

Optimizer state is tracked the way Keras 3 (TF 2.21) writes it to checkpoints: plain
children `_variables`, `_trainable_variables`, `_iterations`, `_learning_rate` and one
list per kind of slot (`_momentums`, `_velocities`, ...), not TF1-style slot variables.
"""

from __future__ import annotations

import re
import sys as _sys
import warnings

import numpy as np

import arroyo as _tf
from arroyo.framework.context import state as _state
from arroyo.framework.tensor import EagerTensor as _EagerTensor
from arroyo.keras.optimizers import schedules as _schedules

_NAME_COUNTS: dict[str, int] = {}


def _snake(name):
    s = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", s).lower()


def _auto_name(cls_name):
    base = _snake(cls_name)
    n = _NAME_COUNTS.get(base, 0)
    _NAME_COUNTS[base] = n + 1
    return base if n == 0 else f"{base}_{n}"


class _NumpyXP:
    """Array functions for the eager path (NumPy arrays in, NumPy arrays out)."""

    sqrt = staticmethod(np.sqrt)
    square = staticmethod(np.square)
    maximum = staticmethod(np.maximum)
    abs = staticmethod(np.abs)

    @staticmethod
    def const(x, like):
        return np.asarray(x, dtype=like.dtype)[()]

    @staticmethod
    def power(a, b):
        return np.power(a, b)


class _TensorXP:
    """The same functions on (possibly symbolic) arroyo tensors."""

    sqrt = staticmethod(lambda x: _tf.sqrt(x))
    square = staticmethod(lambda x: _tf.square(x))
    maximum = staticmethod(lambda a, b: _tf.maximum(a, b))
    abs = staticmethod(lambda x: _tf.abs(x))

    @staticmethod
    def const(x, like):
        return _tf.cast(x, like.dtype)

    @staticmethod
    def power(a, b):
        return _tf.pow(a, b)


NP, TF = _NumpyXP, _TensorXP


def _var_label(var):
    path = getattr(var, "path", None)
    if not isinstance(path, str):
        path = var.name
    return path.replace("/", "_").replace(":", "_")


class Optimizer:
    """Base class of Keras optimizers.

    >>> opt = tf.keras.optimizers.SGD(learning_rate=0.1)
    >>> w = tf.Variable(1.0)
    >>> opt.apply_gradients([(tf.constant(2.0), w)])    # w: 0.8
    >>> int(opt.iterations.numpy())
    1

    Subclasses declare `_SLOTS` (groups of `(attribute, name suffix, initial value)`) and
    implement `_update(xp, var, grad, slots, lr, step, cache)` returning the new value of
    the variable and of each slot.
    """

    _SLOTS: tuple = ()

    def __init__(self, learning_rate, weight_decay=None, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **kwargs):  # fmt: skip
        if kwargs.pop("decay", None) is not None:
            warnings.warn(
                "Argument `decay` is no longer supported and will be ignored.", stacklevel=2
            )
        if "lr" in kwargs:  # Keras 2's name
            learning_rate = kwargs.pop("lr")
        if kwargs:
            raise ValueError(f"Argument(s) not recognized: {kwargs}")
        self.name = name if name is not None else _auto_name(type(self).__name__)
        self.weight_decay = weight_decay
        self.clipnorm = clipnorm
        self.global_clipnorm = global_clipnorm
        self.clipvalue = clipvalue
        self.use_ema = use_ema
        self.loss_scale_factor = loss_scale_factor
        self.gradient_accumulation_steps = gradient_accumulation_steps
        if gradient_accumulation_steps:
            if not gradient_accumulation_steps >= 2:
                raise ValueError(
                    "`gradient_accumulation_steps` must be an integer >= 2. Received: "
                    f"gradient_accumulation_steps={gradient_accumulation_steps}"
                )
        if use_ema:
            if ema_momentum > 1 or ema_momentum < 0:
                raise ValueError(
                    f"`ema_momentum` must be in the range [0, 1]. Received: "
                    f"ema_momentum={ema_momentum}"
                )
            if ema_overwrite_frequency and (
                not isinstance(ema_overwrite_frequency, int) or ema_overwrite_frequency < 1
            ):
                raise ValueError(
                    "`ema_overwrite_frequency` must be an integer >= 1 or None. Received: "
                    f"ema_overwrite_frequency={ema_overwrite_frequency}"
                )
        self.ema_momentum = ema_momentum
        self.ema_overwrite_frequency = ema_overwrite_frequency
        if sum(a is not None for a in (clipnorm, clipvalue, global_clipnorm)) > 1:
            raise ValueError(
                "Only one of `clipnorm`, `clipvalue` and `global_clipnorm` can be set. "
                f"Received: clipnorm={clipnorm}, clipvalue={clipvalue}, "
                f"global_clipnorm={global_clipnorm}"
            )
        self.built = False
        self._variables = []
        self._trainable_variables = []
        self._trainable_variables_indices = {}
        self._slot_lists = {}
        self._exclude_ids = set()
        self._exclude_pattern = None
        self._iterations = self._make_variable(np.int64(0), "iteration")
        self._variables.append(self._iterations)
        if isinstance(learning_rate, _schedules.LearningRateSchedule) or callable(learning_rate):
            self._learning_rate = learning_rate
        else:
            if isinstance(learning_rate, (int, np.integer)) and not isinstance(learning_rate, bool):
                learning_rate = float(learning_rate)  # Keras 2 accepted integers
            if hasattr(learning_rate, "numpy"):
                learning_rate = float(learning_rate.numpy())
            if not isinstance(learning_rate, (float, np.floating)):
                raise ValueError(
                    "Argument `learning_rate` should be float, or an instance of "
                    "LearningRateSchedule, or a callable (that takes in the current iteration "
                    "value and returns the corresponding learning rate value). Received "
                    f"instead: learning_rate={learning_rate}"
                )
            self._learning_rate = self._make_variable(np.float32(learning_rate), "learning_rate")
            self._variables.append(self._learning_rate)

    # -- variables -----------------------------------------------------------------------
    def _make_variable(self, initial, name):
        from arroyo.graph.variable_lifting import init_scope

        with init_scope():
            return _tf.Variable(initial, trainable=False, name=f"{self.name}/{name}")

    def add_variable_from_reference(self, reference_variable, name=None, initializer="zeros"):
        """A new optimizer variable shaped like `reference_variable` (a slot)."""
        from arroyo.graph.variable_lifting import init_scope

        dtype = reference_variable.dtype
        shape = tuple(reference_variable.shape.as_list())
        label = f"{self.name}/{_var_label(reference_variable)}_{name}"
        with init_scope():
            if isinstance(initializer, (int, float)):
                init = np.full(shape, initializer, dtype=dtype.as_numpy_dtype)
            elif initializer == "zeros":
                init = np.zeros(shape, dtype=dtype.as_numpy_dtype)
            else:
                from arroyo.keras import initializers

                init = initializers.get(initializer)(shape, dtype=dtype)
            v = _tf.Variable(init, trainable=False, name=label)
        self._variables.append(v)
        return v

    def add_variable(self, shape, initializer="zeros", dtype=None, name=None):
        """A new optimizer variable of the given shape."""
        from arroyo.graph.variable_lifting import init_scope
        from arroyo.keras import initializers

        with init_scope():
            value = initializers.get(initializer)(shape, dtype=dtype or "float32")
            v = _tf.Variable(value, trainable=False, name=f"{self.name}/{name or 'variable'}")
        self._variables.append(v)
        return v

    def build(self, var_list):
        """Creates the optimizer variables (slots) for `var_list`."""
        var_list = list(var_list)
        if self.use_ema:
            self._model_variables_moving_average = [
                self.add_variable_from_reference(v, "average") for v in var_list
            ]
        for i, v in enumerate(var_list):
            self._trainable_variables_indices[id(v)] = i
        if self.gradient_accumulation_steps:
            self._accumulated_gradients = [
                self.add_variable_from_reference(v, "gradient_accumulator") for v in var_list
            ]
        self._trainable_variables = var_list[:]
        for group in self._active_slots():
            lists = {attr: [] for attr, _, _ in group}
            for v in var_list:
                for attr, suffix, init in group:
                    lists[attr].append(self.add_variable_from_reference(v, suffix, init))
            for attr, lst in lists.items():
                self._slot_lists[attr] = lst
        self._build_extra(var_list)
        self.built = True
        # Setting the attributes last lets a checkpoint restored earlier fill them.
        for attr in self._slot_attr_names():
            self.__setattr__(attr, self._slot_lists.get(attr, []))
        self.__setattr__("_variables", self._variables)
        self.__setattr__("_trainable_variables", self._trainable_variables)

    def _active_slots(self):
        return self._SLOTS

    def _slot_attr_names(self):
        return [attr for group in self._SLOTS for attr, _, _ in group]

    def _build_extra(self, var_list):
        pass

    @property
    def variables(self):
        """The optimizer's Variables: iteration, learning rate, then the slots."""
        return self._variables[:]

    @property
    def iterations(self):
        if self.gradient_accumulation_steps:
            return self._iterations // self.gradient_accumulation_steps
        return self._iterations

    @iterations.setter
    def iterations(self, value):
        self._iterations.assign(value)

    @property
    def learning_rate(self):
        lr = self._learning_rate
        if isinstance(lr, _schedules.LearningRateSchedule):
            return lr(self._iterations)
        if getattr(lr, "_is_arroyo_variable", False):
            return lr
        if callable(lr):
            return lr()
        return lr

    @learning_rate.setter
    def learning_rate(self, value):
        if isinstance(value, _schedules.LearningRateSchedule) or (
            callable(value) and not getattr(value, "_is_arroyo_variable", False)
        ):
            old = self._learning_rate
            self._learning_rate = value
            if getattr(old, "_is_arroyo_variable", False) and old in self._variables:
                self._variables = [v for v in self._variables if v is not old]
            return
        if not getattr(self._learning_rate, "_is_arroyo_variable", False):
            raise TypeError(
                "This optimizer was created with a `LearningRateSchedule` object as its "
                "`learning_rate` constructor argument, hence its learning rate is not "
                "settable. If you need the learning rate to be settable, you should "
                "instantiate the optimizer with a float `learning_rate` argument."
            )
        self._learning_rate.assign(value)

    lr = learning_rate  # Keras 2's alias

    def _var_index(self, var):
        return self._trainable_variables_indices[id(var)]

    # -- checkpoint tracking (what TF 2.21's Keras 3 writes) ------------------------------
    def _checkpoint_children(self):
        out = [("_variables", self._variables),
               ("_trainable_variables", self._trainable_variables),
               ("_iterations", self._iterations)]  # fmt: skip
        lr = self._learning_rate
        if getattr(lr, "_is_arroyo_variable", False) or hasattr(lr, "_checkpoint_children"):
            out.append(("_learning_rate", lr))
        for attr in self._slot_attr_names():
            if attr in self._slot_lists:
                out.append((attr, self._slot_lists[attr]))
        out.extend(self._extra_checkpoint_children())
        return out

    def _extra_checkpoint_children(self):
        return []

    def __setattr__(self, name, value):
        object.__setattr__(self, name, value)
        d = self.__dict__
        if "_arroyo_deferred" in d and name in d["_arroyo_deferred"]:
            from arroyo.train.checkpoint import apply_deferred

            apply_deferred(self, name, value)

    # -- applying gradients --------------------------------------------------------------
    def apply_gradients(self, grads_and_vars, name=None, skip_gradients_aggregation=False,
                        **kwargs):  # fmt: skip
        """Applies `(gradient, variable)` pairs; returns the iterations Variable."""
        pairs = list(grads_and_vars)
        if not pairs:
            return self._iterations
        grads, variables = zip(*pairs)
        self.apply(list(grads), list(variables))
        return self._iterations

    def apply(self, grads, trainable_variables=None):
        """Updates `trainable_variables` (or the variables built with) by `grads`."""
        grads = list(grads)
        if len(grads) == 0:
            return
        dist = _sys.modules.get("arroyo.distribute._context")
        if dist is not None and dist.multi_replica_context() is not None:
            # In a replica function of several replicas: sum the gradients over replicas,
            # apply once in cross-replica context (what TF's Keras optimizers do).
            variables = trainable_variables or self._trainable_variables
            return dist.apply_in_cross_replica(self.apply, grads, list(variables))
        if trainable_variables is None:
            if not self.built:
                raise ValueError(
                    "When passing `grads` without `variables`, the optimizer must already be "
                    "built on a list of variables. Call `optimizer.build(trainable_variables)` "
                    "first. "
                )
            if len(grads) != len(self._trainable_variables_indices):
                raise ValueError(
                    "When passing `grads` as a list of gradient tensors, the gradients must "
                    "match `optimizer.variables` one-to-on. Received a list of "
                    f"{len(grads)} gradients, but the optimizer is tracking "
                    f"{len(self._trainable_variables)} trainable variables."
                )
            trainable_variables = self._trainable_variables
        else:
            trainable_variables = list(trainable_variables)
            if not self.built:
                self.build(trainable_variables)
            for v in trainable_variables:
                if id(v) not in self._trainable_variables_indices:
                    raise ValueError(
                        f"Unknown variable: {v}. This optimizer can only be called for the "
                        "variables it was originally built with. When working with a new set "
                        "of variables, you should recreate a new optimizer instance."
                    )
        grads, trainable_variables = self._filter_empty(grads, trainable_variables)
        if self.loss_scale_factor is not None:
            grads = [g / self.loss_scale_factor for g in grads]
        if _state.graph is None and self._eager_ok(grads, trainable_variables):
            self._apply_eager(grads, trainable_variables)
        else:
            self._apply_graph(grads, trainable_variables)

    def _filter_empty(self, grads, variables):
        kept_g, kept_v, missing = [], [], []
        for g, v in zip(grads, variables):
            if g is None:
                missing.append(getattr(v, "path", None) or v.name)
            else:
                kept_g.append(g)
                kept_v.append(v)
        if not kept_g:
            raise ValueError("No gradients provided for any variable.")
        if missing:
            warnings.warn(
                f"Gradients do not exist for variables {missing} when minimizing the loss. "
                "If using `model.compile()`, did you forget to provide a `loss` argument?",
                stacklevel=3,
            )
        return kept_g, kept_v

    def _eager_ok(self, grads, variables):
        if self.gradient_accumulation_steps:
            return False
        for v in variables:
            if not getattr(v, "_is_arroyo_variable", False) or not hasattr(v, "_value"):
                return False
        return True

    def _lr_value(self):
        lr = self.learning_rate
        if getattr(lr, "_is_arroyo_variable", False):
            return lr._value
        if isinstance(lr, _EagerTensor):
            return lr._value
        if isinstance(lr, _tf.Tensor):
            return lr
        return np.float32(lr)

    def _apply_eager(self, grads, variables):
        arrays = []
        for g, v in zip(grads, variables):
            if not isinstance(g, _EagerTensor):
                g = _tf.convert_to_tensor(g)  # IndexedSlices and Python values: dense
            a = g._value
            if a.dtype != v._value.dtype:
                a = np.asarray(a, dtype=v._value.dtype)
            arrays.append(a)
        arrays = self._clip(NP, arrays)
        lr = self._lr_value()
        self._weight_decay_step(NP, variables, lr, eager=True)
        step = self._iterations._value + 1
        self._pre_update(NP, step, eager=True)
        cache = {}
        for g, v in zip(arrays, variables):
            i = self._var_index(v)
            slots = [self._slot_lists[a][i] for a in self._slot_order()]
            new_v, new_slots = self._update(
                NP, v._value, g, [s._value for s in slots], lr, step, cache
            )
            for s, val in zip(slots, new_slots):
                s._value = np.asarray(val, dtype=s._value.dtype)
            v._value = np.asarray(new_v, dtype=v._value.dtype)
            if getattr(v, "constraint", None) is not None:
                v.assign(v.constraint(v))
        if self.use_ema:
            self._ema_step(eager=True)
        self._iterations._value = np.int64(step)

    def _apply_graph(self, grads, variables):
        grads = [g.to_dense() if hasattr(g, "to_dense") else _tf.convert_to_tensor(g)
                 for g in grads]  # fmt: skip
        grads = [
            _tf.cast(g, v.dtype) if g.dtype != v.dtype else g for g, v in zip(grads, variables)
        ]
        if self.gradient_accumulation_steps:
            self._accumulate_graph(grads, variables)
            return
        self._graph_update(grads, variables)
        self._iterations.assign_add(1)

    def _graph_update(self, grads, variables):
        grads = self._clip(TF, grads)
        lr = self.learning_rate
        lr = _tf.convert_to_tensor(lr.value() if hasattr(lr, "value") else lr)
        self._weight_decay_step(TF, variables, lr, eager=False)
        step = self.iterations + 1
        self._pre_update(TF, step, eager=False)
        cache = {}
        for g, v in zip(grads, variables):
            i = self._var_index(v)
            slots = [self._slot_lists[a][i] for a in self._slot_order()]
            new_v, new_slots = self._update(TF, v.value(), g, [s.value() for s in slots],
                                            lr, step, cache)  # fmt: skip
            for s, val in zip(slots, new_slots):
                s.assign(val)
            v.assign(new_v)
            if getattr(v, "constraint", None) is not None:
                v.assign(v.constraint(v))
        if self.use_ema:
            self._ema_step(eager=False)

    def _accumulate_graph(self, grads, variables):
        # Keras 3's gradient accumulation: every n-th call applies the mean of the last n.
        steps = self.gradient_accumulation_steps
        accs = [self._accumulated_gradients[self._var_index(v)] for v in variables]
        is_update = _tf.equal((self._iterations + 1) % steps, 0)

        def update():
            self._graph_update([(g + a) / steps for g, a in zip(grads, accs)], variables)
            for a in accs:
                a.assign(_tf.zeros_like(a))
            return _tf.constant(0)

        def accumulate():
            for g, a in zip(grads, accs):
                a.assign_add(g)
            return _tf.constant(0)

        if _state.graph is None:
            update() if bool(is_update.numpy()) else accumulate()
        else:
            _tf.cond(is_update, update, accumulate)
        self._iterations.assign_add(1)

    def _slot_order(self):
        return [attr for group in self._active_slots() for attr, _, _ in group]

    def _pre_update(self, xp, step, eager):
        pass

    # -- clipping, weight decay, EMA ------------------------------------------------------
    def _clip(self, xp, grads):
        if self.clipnorm and self.clipnorm > 0:
            return [self._clip_by_norm(xp, g) for g in grads]
        if self.global_clipnorm and self.global_clipnorm > 0:
            if xp is NP:
                sq = np.float32(0) + sum(np.sum(np.square(g)) for g in grads)
                norm = np.sqrt(sq)
                c = np.asarray(self.global_clipnorm, dtype=norm.dtype)
                with np.errstate(divide="ignore", invalid="ignore"):
                    scale = c * np.minimum(1.0 / norm, 1.0 / c) + (norm - norm)
                return [g * scale.astype(g.dtype) for g in grads]
            sq = _tf.add_n([_tf.reduce_sum(_tf.square(g)) for g in grads])
            norm = _tf.sqrt(sq)
            c = self.global_clipnorm
            scale = c * _tf.minimum(1.0 / norm, 1.0 / c) + (norm - norm)
            return [g * _tf.cast(scale, g.dtype) for g in grads]
        if self.clipvalue and self.clipvalue > 0:
            c = self.clipvalue
            if xp is NP:
                return [np.clip(g, -c, c).astype(g.dtype) for g in grads]
            return [_tf.clip_by_value(g, -c, c) for g in grads]
        return grads

    def _clip_by_norm(self, xp, g):
        c = self.clipnorm
        if xp is NP:
            l2sum = np.sum(np.square(g))
            if l2sum > 0:
                norm = np.sqrt(l2sum)
                return (
                    (g * np.asarray(c, g.dtype)) / np.maximum(norm, np.asarray(c, g.dtype))
                ).astype(g.dtype)
            return g
        l2sum = _tf.reduce_sum(_tf.square(g))
        pred = l2sum > 0
        safe = _tf.where(pred, l2sum, _tf.ones_like(l2sum))
        norm = _tf.where(pred, _tf.sqrt(safe), l2sum)
        return (g * c) / _tf.maximum(norm, _tf.cast(c, g.dtype))

    def exclude_from_weight_decay(self, var_list=None, var_names=None):
        """Variables (or names containing any of `var_names`) that weight decay skips."""
        if self.built:
            raise ValueError(
                "`exclude_from_weight_decay()` can only be configured before the optimizer "
                "is built."
            )
        self._exclude_ids = {id(v) for v in (var_list or [])}
        self._exclude_pattern = re.compile("|".join(set(var_names))) if var_names else None

    def _use_weight_decay(self, v):
        if id(v) in self._exclude_ids:
            return False
        if self._exclude_pattern is not None and self._exclude_pattern.search(v.name):
            return False
        return True

    def _weight_decay_step(self, xp, variables, lr, eager):
        if self.weight_decay is None:
            return
        for v in variables:
            if not self._use_weight_decay(v):
                continue
            if eager:
                a = v._value
                wd = np.asarray(self.weight_decay, a.dtype)
                v._value = (a - a * wd * np.asarray(lr, a.dtype)).astype(a.dtype)
            else:
                val = v.value()
                v.assign(val - val * _tf.cast(self.weight_decay, v.dtype) * _tf.cast(lr, v.dtype))

    def _ema_step(self, eager):
        avgs = self._model_variables_moving_average
        it = self.iterations
        if eager:
            first = int(np.asarray(it._value if hasattr(it, "_value") else it.numpy())) == 0
            for var, avg in zip(self._trainable_variables, avgs):
                m = np.asarray(0.0 if first else self.ema_momentum, var._value.dtype)
                avg._value = (m * avg._value + (1 - m) * var._value).astype(var._value.dtype)
            freq = self.ema_overwrite_frequency
            if freq and (int(self._iterations._value) + 1) % freq == 0:
                for var, avg in zip(self._trainable_variables, avgs):
                    var._value = avg._value
            return
        for var, avg in zip(self._trainable_variables, avgs):
            m = _tf.cast(_tf.not_equal(it, 0), var.dtype) * self.ema_momentum
            avg.assign(m * avg + (1 - m) * var)
        freq = self.ema_overwrite_frequency
        if freq:

            def overwrite():
                for var, avg in zip(self._trainable_variables, avgs):
                    var.assign(avg)
                return _tf.constant(0)

            _tf.cond(_tf.equal((it + 1) % freq, 0), overwrite, lambda: _tf.constant(0))

    def finalize_variable_values(self, var_list):
        """With `use_ema`, sets the model variables to their moving averages."""
        if self.use_ema:
            for var, avg in zip(var_list, self._model_variables_moving_average):
                var.assign(avg)

    # -- Keras 2 conveniences -----------------------------------------------------------
    def minimize(self, loss, var_list, tape=None):
        """Keras 2's `minimize`: computes gradients of `loss` and applies them.

        `loss` is a tensor computed under `tape`, or a zero-argument callable.
        """
        if callable(var_list) and not isinstance(var_list, (list, tuple)):
            var_list = var_list()
        var_list = list(var_list)
        if tape is None:
            if not callable(loss):
                raise ValueError("`tape` is required when a `Tensor` loss is passed.")
            with _tf.GradientTape() as tape:
                tape.watch(var_list)
                loss_value = loss()
        else:
            loss_value = loss() if callable(loss) else loss
        grads = tape.gradient(loss_value, var_list)
        return self.apply_gradients(zip(grads, var_list))

    def scale_loss(self, loss):
        if self.loss_scale_factor is not None:
            return loss * self.loss_scale_factor
        return loss

    def set_weights(self, weights):
        if not self.built:
            raise ValueError(
                "You are calling `set_weights()` on an optimizer that has not yet been built. "
                "Please call `optimizer.build(trainable_variables)` to create the optimizer "
                "weights before calling `set_weights()`."
            )
        for v, w in zip(self._variables, weights):
            v.assign(w)

    def get_weights(self):
        return [v.numpy() for v in self._variables]

    # -- configuration -------------------------------------------------------------------
    def get_config(self):
        lr = self._learning_rate
        if isinstance(lr, _schedules.LearningRateSchedule):
            lr = _schedules.serialize(lr)
        elif getattr(lr, "_is_arroyo_variable", False):
            lr = float(lr.numpy())
        elif callable(lr):
            lr = {"module": "builtins", "class_name": "function",
                  "config": getattr(lr, "__name__", "lambda"), "registered_name": "function"}  # fmt: skip
        return {
            "name": self.name,
            "learning_rate": lr,
            "weight_decay": self.weight_decay,
            "clipnorm": self.clipnorm,
            "global_clipnorm": self.global_clipnorm,
            "clipvalue": self.clipvalue,
            "use_ema": self.use_ema,
            "ema_momentum": self.ema_momentum,
            "ema_overwrite_frequency": self.ema_overwrite_frequency,
            "loss_scale_factor": self.loss_scale_factor,
            "gradient_accumulation_steps": self.gradient_accumulation_steps,
        }

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        if isinstance(config.get("learning_rate"), dict):
            config["learning_rate"] = _schedules.deserialize(
                config["learning_rate"], custom_objects=custom_objects
            )
        return cls(**config)

    def _update(self, xp, var, grad, slots, lr, step, cache):
        raise NotImplementedError

    def __repr__(self):
        return f"<{type(self).__module__}.{type(self).__name__} object at 0x{id(self):x}>"
