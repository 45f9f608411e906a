"""Training for Keras models: compile, fit, evaluate, predict and the *_on_batch calls.

`fit` runs `train_step(data)` as one `tf.function` per input structure (unless
`run_eagerly`); arrays are sliced into batches with NumPy and fed as eager tensors, and the
metric values are read back only at the end of each epoch (and when a callback asks).
"""

from __future__ import annotations

import math
import sys

import numpy as np

import arroyo as tf
from arroyo.framework.tensor import Tensor, _wrap
from arroyo.util import nest

__all__ = ["Trainer", "unpack_x_y_sample_weight", "pack_x_y_sample_weight"]


def unpack_x_y_sample_weight(data):
    """(x, y, sample_weight) from a batch given as x, (x,), (x, y) or (x, y, sw)."""
    if isinstance(data, list):
        data = tuple(data)
    if not isinstance(data, tuple):
        return data, None, None
    if len(data) == 1:
        return data[0], None, None
    if len(data) == 2:
        return data[0], data[1], None
    if len(data) == 3:
        return data[0], data[1], data[2]
    raise ValueError(
        "Data is expected to be in format `x`, `(x,)`, `(x, y)`, or `(x, y, sample_weight)`, "
        f"found: {data}"
    )


def pack_x_y_sample_weight(x, y=None, sample_weight=None):
    if y is None:
        return x if isinstance(x, (tuple, list)) else (x,)
    if sample_weight is None:
        return (x, y)
    return (x, y, sample_weight)


# -- losses ------------------------------------------------------------------------------


def _align_ranks(y_true, y_pred):
    """Keras squeezes a trailing 1-axis so (n,) labels meet (n, 1) predictions."""
    rt, rp = y_true.shape.rank, y_pred.shape.rank
    if rt is None or rp is None:
        return y_true, y_pred
    if rt == rp + 1 and y_true.shape[-1] == 1:
        y_true = tf.squeeze(y_true, axis=-1)
    elif rp == rt + 1 and y_pred.shape[-1] == 1:
        y_pred = tf.squeeze(y_pred, axis=-1)
    return y_true, y_pred


def _reduce_weighted(values, sample_weight):
    values = tf.convert_to_tensor(values)
    if sample_weight is not None:
        sw = tf.cast(sample_weight, values.dtype)
        if sw.shape.rank is not None and values.shape.rank is not None:
            while sw.shape.rank > values.shape.rank and sw.shape[-1] == 1:
                sw = tf.squeeze(sw, -1)
            while sw.shape.rank < values.shape.rank:
                sw = tf.expand_dims(sw, -1)
        values = values * sw
        n = tf.cast(tf.size(values), values.dtype)
        return tf.reduce_sum(values) / n
    if values.shape.rank == 0:
        return values
    return tf.reduce_mean(values)


class _LossFn:
    """One output's loss: a Loss object (which reduces itself) or a function of
    (y_true, y_pred) reduced with Keras' "sum over batch size"."""

    def __init__(self, identifier):
        from arroyo.keras import losses

        obj = losses.get(identifier) if isinstance(identifier, (str, dict)) else identifier
        self.obj = obj
        self.is_loss_object = hasattr(obj, "reduction") and hasattr(obj, "call")
        name = getattr(obj, "__name__", "") or getattr(obj, "name", "")
        self.sparse = "sparse" in str(name).lower() or "sparse" in type(obj).__name__.lower()

    def __call__(self, y_true, y_pred, sample_weight=None):
        y_pred = tf.convert_to_tensor(y_pred)
        y_true = tf.convert_to_tensor(y_true)
        if self.is_loss_object:
            return self.obj(y_true, y_pred, sample_weight=sample_weight)
        if y_true.dtype != y_pred.dtype and y_pred.dtype.is_floating:
            if y_true.dtype.is_floating or not self.sparse:
                y_true = tf.cast(y_true, y_pred.dtype)
        y_true, y_pred = _align_ranks(y_true, y_pred)
        return _reduce_weighted(self.obj(y_true, y_pred), sample_weight)


class CompileLoss:
    """The compiled loss: per-output losses, weighted and summed, plus regularization losses.

    Callable as Keras 2's `model.compiled_loss(y, y_pred, sample_weight,
    regularization_losses)`."""

    def __init__(self, loss, loss_weights=None, output_names=None):
        self.loss = loss
        self.loss_weights = loss_weights
        self.output_names = output_names
        self._fns = None

    def _build(self, y_pred):
        flat_pred = nest.flatten(y_pred)
        loss = self.loss
        if isinstance(loss, dict):
            names = self.output_names or []
            fns = [_LossFn(loss[n]) if n in loss and loss[n] is not None else None for n in names]
        elif isinstance(loss, (list, tuple)):
            fns = [_LossFn(x) if x is not None else None for x in loss]
        else:
            fns = [_LossFn(loss)] * len(flat_pred)
        weights = self.loss_weights
        if isinstance(weights, dict):
            weights = [weights.get(n, 1.0) for n in (self.output_names or [])]
        elif weights is None:
            weights = [1.0] * len(fns)
        elif not isinstance(weights, (list, tuple)):
            weights = [weights] * len(fns)
        self._fns = list(zip(fns, weights))

    def __call__(self, y_true, y_pred, sample_weight=None, regularization_losses=None):
        if self._fns is None:
            self._build(y_pred)
        flat_pred = nest.flatten(y_pred)
        if isinstance(y_true, dict) and self.output_names:
            flat_true = [y_true.get(n) for n in self.output_names]
        else:
            flat_true = nest.flatten(y_true) if len(flat_pred) > 1 else [y_true]
        total = None
        for (fn, w), yt, yp in zip(self._fns, flat_true, flat_pred):
            if fn is None or yt is None:
                continue
            value = fn(yt, yp, sample_weight)
            if w != 1.0:
                value = value * w
            total = value if total is None else total + value
        if total is None:
            total = tf.constant(0.0)
        if regularization_losses:
            total = total + tf.add_n([tf.cast(r, total.dtype) for r in regularization_losses])
        return total


# -- metrics ------------------------------------------------------------------------------


def _metrics_module():
    try:
        from arroyo.keras import metrics
    except ImportError:
        return _FallbackMetrics
    return metrics


class _FallbackMean:
    """A weighted running mean (used only while `tf.keras.metrics` is not available)."""

    def __init__(self, name="mean"):
        self.name = name
        self.total = tf.Variable(0.0, trainable=False, name="total")
        self.count = tf.Variable(0.0, trainable=False, name="count")

    @property
    def variables(self):
        return [self.total, self.count]

    def update_state(self, values, sample_weight=None):
        values = tf.cast(values, "float32")
        w = 1.0 if sample_weight is None else tf.cast(sample_weight, "float32")
        self.total.assign_add(tf.reduce_sum(values * w))
        self.count.assign_add(tf.cast(tf.size(values), "float32") * w)

    def result(self):
        return self.total / tf.maximum(self.count, 1e-12)

    def reset_state(self):
        self.total.assign(0.0)
        self.count.assign(0.0)


class _FallbackMetrics:
    Mean = _FallbackMean


def _resolve_metric(identifier, y_true, y_pred, loss):
    m = _metrics_module()
    if isinstance(identifier, str) and identifier in ("accuracy", "acc"):
        pred_last = y_pred.shape[-1] if y_pred.shape.rank else None
        true_rank, pred_rank = y_true.shape.rank, y_pred.shape.rank
        lname = str(getattr(loss, "__name__", "") or type(loss).__name__ if loss else "").lower()
        if isinstance(loss, str):
            lname = loss.lower()
        if pred_last == 1 or "binary" in lname:
            return m.BinaryAccuracy(name=identifier)
        if (
            true_rank is not None
            and pred_rank is not None
            and (true_rank < pred_rank or (true_rank == pred_rank and y_true.shape[-1] == 1))
            or "sparse" in lname
        ):
            return m.SparseCategoricalAccuracy(name=identifier)
        return m.CategoricalAccuracy(name=identifier)
    if isinstance(identifier, str) and identifier in ("crossentropy", "ce"):
        pred_last = y_pred.shape[-1] if y_pred.shape.rank else None
        if pred_last == 1:
            return m.BinaryCrossentropy(name=identifier)
        return m.CategoricalCrossentropy(name=identifier)
    obj = m.get(identifier)
    if isinstance(obj, type):
        obj = obj()
    if hasattr(obj, "update_state"):
        return obj
    name = identifier if isinstance(identifier, str) else getattr(obj, "__name__", "metric")
    return m.MeanMetricWrapper(obj, name=name)


class CompileMetrics:
    """The compiled metrics: one `Metric` per requested name, updated together; `result()` is
    a dict of their values (Keras 3's `compile_metrics`)."""

    def __init__(self, metrics=None, weighted_metrics=None, loss=None, output_names=None):
        self.name = "compile_metrics"
        self._user_metrics = metrics
        self._user_weighted = weighted_metrics
        self._loss = loss
        self.output_names = output_names
        self._metrics = None
        self._weighted = None
        self.built = False

    def build(self, y_true, y_pred):
        def resolve(spec):
            if spec is None:
                return []
            if isinstance(spec, dict):
                spec = [x for v in spec.values() for x in (v if isinstance(v, list) else [v])]
            elif not isinstance(spec, (list, tuple)):
                spec = [spec]
            yt = nest.flatten(y_true)[0] if not isinstance(y_true, Tensor) else y_true
            yp = nest.flatten(y_pred)[0] if not isinstance(y_pred, Tensor) else y_pred
            yt = tf.convert_to_tensor(yt) if not isinstance(yt, Tensor) else yt
            return [_resolve_metric(s, yt, yp, self._loss) for s in spec if s is not None]

        self._metrics = resolve(self._user_metrics)
        self._weighted = resolve(self._user_weighted)
        self.built = True

    @property
    def metrics(self):
        return list(self._metrics or []) + list(self._weighted or [])

    @property
    def variables(self):
        return [v for m in self.metrics for v in getattr(m, "variables", [])]

    def update_state(self, y_true, y_pred, sample_weight=None):
        if not self.built:
            self.build(y_true, y_pred)
        yt = y_true if isinstance(y_true, Tensor) else nest.flatten(y_true)[0]
        yp = y_pred if isinstance(y_pred, Tensor) else nest.flatten(y_pred)[0]
        for m in self._metrics:
            m.update_state(yt, yp)
        for m in self._weighted:
            m.update_state(yt, yp, sample_weight=sample_weight)

    def result(self):
        out = {}
        for m in self.metrics:
            r = m.result()
            if isinstance(r, dict):
                out.update(r)
            else:
                out[m.name] = r
        return out

    def reset_state(self):
        for m in self.metrics:
            m.reset_state()


# -- data ----------------------------------------------------------------------------------


def _to_numpy(x):
    if x is None:
        return None
    if isinstance(x, np.ndarray):
        return x
    if isinstance(x, Tensor) or getattr(x, "_is_arroyo_variable", False):
        return np.asarray(x.numpy())
    if hasattr(x, "__array__") and not isinstance(x, (list, tuple, dict)):
        return np.asarray(x)
    if isinstance(x, (list, tuple)) and x and all(isinstance(v, (int, float)) for v in x):
        return np.asarray(x)
    return x


def _standardize_array(a):
    a = np.asarray(a)
    if a.dtype.kind == "f" and a.dtype != np.float32:
        from arroyo.keras import backend

        a = a.astype(backend.floatx())
    return a


def _is_dataset(x):
    return hasattr(x, "element_spec") or (
        hasattr(x, "__iter__") and hasattr(x, "take") and hasattr(x, "batch")
    )


class _ArrayData:
    """NumPy arrays (x, y, sample_weight; nested structures allowed) cut into batches."""

    def __init__(self, x, y=None, sample_weight=None, batch_size=None, shuffle=False):
        x = nest.map_structure(_to_numpy, x) if nest.is_nested(x) else _to_numpy(x)
        y = nest.map_structure(_to_numpy, y) if nest.is_nested(y) else _to_numpy(y)
        sample_weight = _to_numpy(sample_weight)
        self.structure = (
            (x, y, sample_weight)
            if sample_weight is not None
            else ((x, y) if y is not None else (x,))
        )
        self.flat = [_standardize_array(a) for a in nest.flatten(self.structure)]
        sizes = {a.shape[0] if a.ndim else None for a in self.flat}
        if len(sizes) != 1 or None in sizes:
            raise ValueError(
                "Data cardinality is ambiguous. Make sure all arrays contain the same number "
                "of samples. "
                + " ".join(f"'x' sizes: {a.shape[0] if a.ndim else a.shape}" for a in self.flat)
            )
        self.n = sizes.pop()
        self.batch_size = batch_size or 32
        self.shuffle = shuffle
        self.steps = max(1, math.ceil(self.n / self.batch_size)) if self.n else 0

    def batches(self):
        flat = self.flat
        if self.shuffle:
            perm = np.random.permutation(self.n)
            flat = [a[perm] for a in flat]
        bs = self.batch_size
        structure = self.structure
        one = len(flat) == 1
        for i in range(self.steps):
            lo = i * bs
            hi = min(lo + bs, self.n)
            parts = [_wrap(np.ascontiguousarray(a[lo:hi])) for a in flat]
            if one:
                yield (parts[0],)
            else:
                yield nest.pack_sequence_as(structure, parts)


class _DatasetData:
    def __init__(self, dataset, steps=None):
        self.dataset = dataset
        self.steps = steps
        try:
            n = int(dataset.cardinality())
            self.steps = steps or (n if n >= 0 else None)
        except Exception:  # noqa: BLE001 - unknown cardinality
            pass

    def batches(self):
        for i, batch in enumerate(self.dataset):
            if self.steps is not None and i >= self.steps:
                break
            if not isinstance(batch, tuple):
                batch = (batch,)
            yield batch


class _GeneratorData:
    def __init__(self, gen, steps=None):
        self.gen = gen
        self.steps = steps

    def batches(self):
        for i, batch in enumerate(self.gen):
            if self.steps is not None and i >= self.steps:
                break
            if not isinstance(batch, tuple):
                batch = (batch,)
            yield tuple(_standardize_batch(b) for b in batch)


def _standardize_batch(b):
    if isinstance(b, np.ndarray):
        return _wrap(_standardize_array(b))
    return b


def _make_data(x, y=None, sample_weight=None, batch_size=None, shuffle=False, steps=None,
               class_weight=None):  # fmt: skip
    if _is_dataset(x):
        if y is not None:
            raise ValueError(
                "When providing `x` as a tf.data.Dataset, `y` should not be passed. Instead, "
                "the targets should be included as part of the tf.data.Dataset."
            )
        return _DatasetData(x, steps)
    if hasattr(x, "__next__") or (hasattr(x, "__iter__") and hasattr(x, "__len__") and
                                  hasattr(x, "__getitem__") and type(x).__name__ == "PyDataset"):  # fmt: skip
        return _GeneratorData(x, steps)
    if class_weight is not None and y is not None:
        yy = _to_numpy(y)
        labels = yy.argmax(axis=-1) if yy.ndim > 1 and yy.shape[-1] > 1 else yy.reshape(len(yy))
        cw = np.asarray([class_weight.get(int(c), 1.0) for c in labels.astype(int)], np.float32)
        sample_weight = cw if sample_weight is None else np.asarray(sample_weight) * cw
    return _ArrayData(x, y, sample_weight, batch_size, shuffle)


def _split(x, y, sw, validation_split):
    def cut(a, lo, hi):
        if a is None:
            return None
        return (
            nest.map_structure(lambda v: _to_numpy(v)[lo:hi], a)
            if nest.is_nested(a)
            else (_to_numpy(a)[lo:hi])
        )

    first = nest.flatten(x)[0]
    n = int(np.shape(_to_numpy(first))[0])
    at = int(math.floor(n * (1.0 - validation_split)))
    return (cut(x, 0, at), cut(y, 0, at), cut(sw, 0, at)), (cut(x, at, n), cut(y, at, n),
                                                             cut(sw, at, n))  # fmt: skip


def _pythonify(logs):
    out = {}
    for k, v in logs.items():
        if isinstance(v, dict):
            out.update(_pythonify(v))
        elif isinstance(v, (Tensor, np.ndarray, np.generic)) or getattr(v, "_is_arroyo_variable",
                                                                        False):  # fmt: skip
            a = np.asarray(v)
            out[k] = float(a) if a.ndim == 0 else a
        else:
            out[k] = v
    return out


def _flat_logs(logs):
    out = {}
    for k, v in logs.items():
        if isinstance(v, dict):
            out.update(_flat_logs(v))
        else:
            out[k] = v
    return out


# -- the fallback History (when the callbacks module is not there) ---------------------------


class _FallbackHistory:
    def __init__(self):
        self.history = {}
        self.epoch = []
        self.params = {}
        self.model = None

    def set_model(self, model):
        self.model = model

    def set_params(self, params):
        self.params = params

    def on_train_begin(self, logs=None):
        self.epoch = []

    def on_epoch_end(self, epoch, logs=None):
        self.epoch.append(epoch)
        for k, v in (logs or {}).items():
            self.history.setdefault(k, []).append(v)


def _make_callbacks(model, callbacks, verbose, epochs, steps, add_history=True):
    try:
        from arroyo.keras import callbacks as cbm
    except ImportError:
        cbm = None
    if cbm is not None and hasattr(cbm, "CallbackList"):
        if isinstance(callbacks, cbm.CallbackList):
            return callbacks
        return cbm.CallbackList(callbacks, add_history=add_history, add_progbar=verbose != 0,
                                model=model, verbose=verbose, epochs=epochs, steps=steps)  # fmt: skip
    return _SimpleCallbackList(callbacks, model, verbose, epochs, steps, add_history)


class _SimpleCallbackList:
    """Dispatches to user callbacks; prints Keras 3's one-line-per-epoch progress."""

    def __init__(self, callbacks, model, verbose, epochs, steps, add_history):
        self.callbacks = list(callbacks or [])
        self.verbose = verbose
        self.steps = steps
        self.epochs = epochs
        self.history = None
        if add_history:
            try:  # the callbacks leaf's History, when it exists without a CallbackList
                from arroyo.keras.callbacks import History

                self.history = History()
            except ImportError:
                self.history = _FallbackHistory()
            self.callbacks.append(self.history)
        for cb in self.callbacks:
            if hasattr(cb, "set_model"):
                cb.set_model(model)
            if hasattr(cb, "set_params"):
                cb.set_params({"verbose": verbose, "epochs": epochs, "steps": steps})

    def _call(self, name, *args):
        for cb in self.callbacks:
            fn = getattr(cb, name, None)
            if fn is not None:
                fn(*args)

    def __getattr__(self, name):
        if name.startswith("on_"):
            return lambda *args: self._call(name, *args)
        raise AttributeError(name)


def format_progress_line(step, steps, seconds, logs, final=True):
    """Keras 3's progress-bar text for one finished epoch (verbose=1, non-interactive)."""
    steps = steps or step
    bar = "━" * 20
    per = seconds / max(step, 1)
    unit = f"{per * 1e3:.0f}ms/step" if per < 1 else f"{per:.0f}s/step"
    parts = [f"{step}/{steps} {bar} {seconds:.0f}s {unit}"]
    for k, v in logs.items():
        v = float(v)
        parts.append(f"{k}: {v:.4f}" if abs(v) >= 1e-3 or v == 0 else f"{k}: {v:.4e}")
    return " - ".join(parts)


# -- the mixin -------------------------------------------------------------------------------


class Trainer:
    """compile / fit / evaluate / predict for Model."""

    def __init__(self):
        d = self.__dict__
        d["_arroyo_compiled"] = False
        d["optimizer"] = None
        d["loss"] = None
        d["_arroyo_compile_loss"] = None
        d["_arroyo_compile_metrics"] = None
        d["_arroyo_loss_tracker"] = None
        d["_arroyo_train_fns"] = {}
        d["_arroyo_test_fns"] = {}
        d["_arroyo_predict_fns"] = {}
        d["_arroyo_compile_config"] = None
        d["run_eagerly"] = False
        d["jit_compile"] = False
        d["steps_per_execution"] = 1
        d["stop_training"] = False
        d["history"] = None
        d["train_function"] = None
        d["test_function"] = None
        d["predict_function"] = None

    @property
    def compiled(self):
        return self._arroyo_compiled

    def compile(self, optimizer="rmsprop", loss=None, loss_weights=None, metrics=None,
                weighted_metrics=None, run_eagerly=False, steps_per_execution=1,
                jit_compile="auto", auto_scale_loss=True, **kwargs):  # fmt: skip
        """Configures the model for training: the optimizer, loss and metrics."""
        from arroyo.keras import optimizers

        d = self.__dict__
        d["optimizer"] = optimizers.get(optimizer) if optimizer is not None else None
        d["loss"] = loss
        output_names = self.output_names if hasattr(self, "output_names") else None
        d["_arroyo_compile_loss"] = (
            CompileLoss(loss, loss_weights, output_names) if (loss is not None) else None
        )
        if metrics is not None or weighted_metrics is not None:
            d["_arroyo_compile_metrics"] = CompileMetrics(metrics, weighted_metrics, loss,
                                                          output_names)  # fmt: skip
        else:
            d["_arroyo_compile_metrics"] = None
        d["_arroyo_loss_tracker"] = _metrics_module().Mean(name="loss")
        d["run_eagerly"] = bool(run_eagerly)
        d["jit_compile"] = jit_compile if jit_compile != "auto" else False
        d["steps_per_execution"] = steps_per_execution
        d["_arroyo_train_fns"] = {}
        d["_arroyo_test_fns"] = {}
        d["_arroyo_predict_fns"] = {}
        d["_arroyo_compiled"] = True
        dist = sys.modules.get("arroyo.distribute")  # compiled under a strategy scope: fit splits
        d["_arroyo_strategy"] = dist.get_strategy() if dist and dist.has_strategy() else None
        from arroyo.keras.saving.serialization import serialize_keras_object

        def ser(x):
            if x is None or isinstance(x, str):
                return x
            try:
                return serialize_keras_object(x)
            except TypeError:
                return None

        d["_arroyo_compile_config"] = {
            "optimizer": ser(d["optimizer"]),
            "loss": nest.map_structure(ser, loss) if isinstance(loss, (list, dict)) else ser(loss),
            "loss_weights": loss_weights,
            "metrics": nest.map_structure(ser, metrics) if metrics is not None else None,
            "weighted_metrics": weighted_metrics,
            "run_eagerly": bool(run_eagerly),
            "steps_per_execution": steps_per_execution,
            "jit_compile": d["jit_compile"],
        }

    def get_compile_config(self):
        if self._arroyo_compiled and self._arroyo_compile_config is not None:
            return self._arroyo_compile_config
        return None

    def compile_from_config(self, config):
        from arroyo.keras.saving.serialization import deserialize_keras_object

        config = dict(config)
        opt = config.get("optimizer")
        if isinstance(opt, dict):
            from arroyo.keras import optimizers

            opt = optimizers.deserialize(opt)
        loss = config.get("loss")
        if isinstance(loss, dict) and "class_name" in loss:
            loss = deserialize_keras_object(loss)
        metrics = config.get("metrics")
        if isinstance(metrics, list):
            metrics = [deserialize_keras_object(m) if isinstance(m, dict) else m for m in metrics]
        self.compile(optimizer=opt, loss=loss, loss_weights=config.get("loss_weights"),
                     metrics=metrics, weighted_metrics=config.get("weighted_metrics"),
                     run_eagerly=config.get("run_eagerly", False),
                     steps_per_execution=config.get("steps_per_execution", 1),
                     jit_compile=config.get("jit_compile", False))  # fmt: skip
        if self.built and self.optimizer is not None and hasattr(self.optimizer, "build"):
            self.optimizer.build(self.trainable_variables)

    # -- Keras 2 names --------------------------------------------------------------------
    @property
    def compiled_loss(self):
        return self._arroyo_compile_loss

    @property
    def compiled_metrics(self):
        cm = self._arroyo_compile_metrics
        if cm is None:
            cm = CompileMetrics(None, None, self.loss)
            cm._metrics, cm._weighted, cm.built = [], [], True
            self.__dict__["_arroyo_compile_metrics"] = cm
        return cm

    @property
    def metrics(self):
        """The loss tracker, the compiled metrics, and metrics set as attributes."""
        out = []
        if self._arroyo_compiled:
            if self._arroyo_loss_tracker is not None:
                out.append(self._arroyo_loss_tracker)
            if self._arroyo_compile_metrics is not None:
                out.append(self._arroyo_compile_metrics)
        for k, v in self.__dict__.items():
            if k.startswith("_arroyo_") or k in ("optimizer", "history"):
                continue
            if hasattr(v, "update_state") and hasattr(v, "result") and hasattr(v, "reset_state"):
                if all(v is not m for m in out):
                    out.append(v)
        return out

    @property
    def metrics_names(self):
        return [m.name for m in self.metrics]

    def reset_metrics(self):
        for m in self.metrics:
            m.reset_state()

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        """The compiled loss of (y, y_pred) plus the model's `losses`."""
        losses = []
        if self._arroyo_compile_loss is not None:
            losses.append(self._arroyo_compile_loss(y, y_pred, sample_weight))
        for extra in self.losses:
            losses.append(tf.cast(extra, "float32"))
        if not losses:
            raise ValueError("No loss to compute. Provide a `loss` argument in `compile()`.")
        total = losses[0]
        for other in losses[1:]:
            total = total + tf.cast(other, total.dtype)
        return total

    def compute_metrics(self, x, y, y_pred, sample_weight=None):
        if self._arroyo_compile_metrics is not None:
            self._arroyo_compile_metrics.update_state(y, y_pred, sample_weight)
        return self.get_metrics_result()

    def get_metrics_result(self):
        out = {}
        for m in self.metrics:
            r = m.result()
            if isinstance(r, dict):
                out.update(r)
            else:
                out[m.name] = r
        return out

    def _batch_size_of(self, x):
        first = nest.flatten(x)[0]
        n = first.shape[0] if hasattr(first, "shape") else None
        if n is None:
            return tf.cast(tf.shape(first)[0], "float32")
        return n

    def train_step(self, data):
        """One optimization step on a batch; returns the metric values."""
        x, y, sample_weight = unpack_x_y_sample_weight(data)
        with tf.GradientTape() as tape:
            y_pred = self(x, training=True)
            loss = self.compute_loss(x=x, y=y, y_pred=y_pred, sample_weight=sample_weight)
        self._arroyo_loss_tracker.update_state(loss, sample_weight=self._batch_size_of(x))
        variables = self.trainable_variables
        if variables:
            grads = tape.gradient(loss, variables)
            self.optimizer.apply_gradients(zip(grads, variables))
        return self.compute_metrics(x, y, y_pred, sample_weight)

    def _arroyo_replicated_train_step(self, data):
        """train_step under a strategy of several replicas (compiled in its scope): each
        replica takes its rows of the batch and applies its gradients (summed over replicas
        by the optimizer); its loss is weighted by its share of the rows, so the step equals
        the single-device one. Metrics update once, on the gathered predictions."""
        from arroyo.distribute.input_lib import _split_rows
        from arroyo.distribute.values import PerReplica

        strategy = self._arroyo_strategy
        n = strategy.num_replicas_in_sync
        x, y, sample_weight = unpack_x_y_sample_weight(data)
        flat = nest.flatten(data)
        per_replica = nest.pack_sequence_as(data, [PerReplica(_split_rows(t, n)) for t in flat])
        global_rows = tf.shape(flat[0])[0]
        variables = self.trainable_variables

        def replica_step(batch):
            rx, ry, rsw = unpack_x_y_sample_weight(batch)
            with tf.GradientTape() as tape:
                y_pred = self(rx, training=True)
                loss = self.compute_loss(x=rx, y=ry, y_pred=y_pred, sample_weight=rsw)
                rows = tf.shape(nest.flatten(rx)[0])[0]
                scaled = loss * tf.cast(rows, loss.dtype) / tf.cast(global_rows, loss.dtype)
            if variables:
                grads = tape.gradient(scaled, variables)
                self.optimizer.apply_gradients(zip(grads, variables))
            return y_pred, scaled

        y_pred, scaled = strategy.run(replica_step, args=(per_replica,))
        y_pred = nest.map_structure(lambda v: strategy.gather(v, axis=0), y_pred)
        loss = strategy.reduce("SUM", scaled, axis=None)
        self._arroyo_loss_tracker.update_state(loss, sample_weight=self._batch_size_of(x))
        return self.compute_metrics(x, y, y_pred, sample_weight)

    def test_step(self, data):
        x, y, sample_weight = unpack_x_y_sample_weight(data)
        y_pred = self(x, training=False)
        loss = self.compute_loss(x=x, y=y, y_pred=y_pred, sample_weight=sample_weight,
                                 training=False)  # fmt: skip
        self._arroyo_loss_tracker.update_state(loss, sample_weight=self._batch_size_of(x))
        return self.compute_metrics(x, y, y_pred, sample_weight)

    def predict_step(self, data):
        x, _, _ = unpack_x_y_sample_weight(data)
        return self(x, training=False)

    # -- functions ------------------------------------------------------------------------
    def _function(self, kind, batch):
        step = {"train": self.train_step, "test": self.test_step,
                "predict": self.predict_step}[kind]  # fmt: skip
        strategy = self.__dict__.get("_arroyo_strategy")
        if (
            kind == "train"
            and strategy is not None
            and strategy.num_replicas_in_sync > 1
            and getattr(type(self).train_step, "__func__", type(self).train_step)
            is Trainer.train_step
        ):
            step = self._arroyo_replicated_train_step
        if self.run_eagerly:
            return lambda b: step(b)
        cache = self.__dict__[f"_arroyo_{kind}_fns"]
        flat = nest.flatten(batch)
        key = _structure_key(batch)
        fn = cache.get(key)
        if fn is None:
            structure = batch

            def run(*flat_args):
                return step(nest.pack_sequence_as(structure, list(flat_args)))

            # reduce_retracing as Keras 3: a smaller last batch does not trace again
            compiled = tf.function(
                run, jit_compile=bool(self.jit_compile) or None, reduce_retracing=True
            )
            fn = _FlatCaller(compiled)
            cache[key] = fn
        del flat
        return fn

    def _symbolic_build(self, batch):
        """Builds the model, the optimizer's slots and the metrics before tracing (variables
        are made once, eagerly)."""
        x, y, _ = unpack_x_y_sample_weight(batch)
        if not self.built:
            from arroyo.keras.models import functional as fn_api

            def kt(t):
                if isinstance(t, Tensor):
                    return fn_api.KerasTensor(t.shape.as_list(), dtype=t.dtype.name)
                return t

            try:
                fn_api.symbolic_call(self, (nest.map_structure(kt, x),), {}, record=False)
                self.__dict__["_built"] = True
            except Exception:  # noqa: BLE001 - fall back to one eager call
                self(x)
        cm = self._arroyo_compile_metrics
        if cm is not None and not cm.built:
            y_pred = self._spec_output(x)
            cm.build(y, y_pred)
        opt = self.optimizer
        if opt is not None and hasattr(opt, "build") and not getattr(opt, "built", True):
            opt.build(self.trainable_variables)

    def _spec_output(self, x):
        from arroyo.keras.models import functional as fn_api

        def kt(t):
            if isinstance(t, Tensor):
                return fn_api.KerasTensor(t.shape.as_list(), dtype=t.dtype.name)
            return t

        try:
            out = fn_api.symbolic_call(self, (nest.map_structure(kt, x),), {}, record=False)
        except Exception:  # noqa: BLE001
            return self(x)

        def back(k):
            if isinstance(k, fn_api.KerasTensor):
                return tf.zeros([1 if d is None else d for d in k.shape], dtype=k.dtype)
            return k

        return nest.map_structure(back, out)

    def _assert_compiled(self):
        if not self._arroyo_compiled:
            raise ValueError("You must call `compile()` before using the model.")

    # -- fit ------------------------------------------------------------------------------
    def fit(self, x=None, y=None, batch_size=None, epochs=1, verbose="auto", callbacks=None,
            validation_split=0.0, validation_data=None, shuffle=True, class_weight=None,
            sample_weight=None, initial_epoch=0, steps_per_epoch=None, validation_steps=None,
            validation_batch_size=None, validation_freq=1):  # fmt: skip
        """Trains for `epochs` passes over the data; returns the `History` callback."""
        import time

        self._assert_compiled()
        if validation_split and validation_data is None:
            if _is_dataset(x):
                raise ValueError(
                    "`validation_split` is only supported for Tensors or NumPy arrays."
                )
            (x, y, sample_weight), validation_data = _split(x, y, sample_weight,
                                                            validation_split)  # fmt: skip
        data = _make_data(x, y, sample_weight, batch_size, shuffle, steps_per_epoch, class_weight)
        val = None
        if validation_data is not None:
            if _is_dataset(validation_data):
                val = validation_data
            else:
                vx, vy, vsw = unpack_x_y_sample_weight(validation_data)
                val = (vx, vy, vsw)
        if verbose == "auto":
            verbose = 1
        steps = data.steps
        cbs = _make_callbacks(self, callbacks, verbose, epochs, steps)
        self.__dict__["stop_training"] = False
        cbs.on_train_begin()
        logs = {}
        epoch_logs = {}
        for epoch in range(initial_epoch, epochs):
            self.reset_metrics()
            cbs.on_epoch_begin(epoch)
            t0 = time.perf_counter()
            step = 0
            for batch in data.batches():
                if step == 0 and epoch == initial_epoch:
                    self._symbolic_build(batch)
                fn = self._function("train", batch)
                cbs.on_train_batch_begin(step)
                logs = fn(batch)
                cbs.on_train_batch_end(step, logs)
                step += 1
                if self.stop_training:
                    break
            if step == 0:
                raise ValueError(
                    "Unexpected result of `train_function` (Empty logs). This could be due to "
                    "issues in input pipeline that resulted in an empty dataset."
                )
            epoch_logs = _pythonify(self._logs_from(logs))
            if val is not None and (epoch + 1) % validation_freq == 0:
                if _is_dataset(val):
                    vlogs = self.evaluate(val, steps=validation_steps, verbose=0,
                                          return_dict=True, _internal=True)  # fmt: skip
                else:
                    vlogs = self.evaluate(val[0], val[1], sample_weight=val[2],
                                          batch_size=validation_batch_size or batch_size,
                                          steps=validation_steps, verbose=0, return_dict=True,
                                          _internal=True)  # fmt: skip
                epoch_logs.update({"val_" + k: v for k, v in vlogs.items()})
            if verbose and isinstance(cbs, _SimpleCallbackList):
                print(f"Epoch {epoch + 1}/{epochs}")
                print(format_progress_line(step, steps, time.perf_counter() - t0, epoch_logs))
            cbs.on_epoch_end(epoch, epoch_logs)
            if self.stop_training:
                break
        cbs.on_train_end(epoch_logs)
        history = cbs.history if isinstance(cbs, _SimpleCallbackList) else _find_history(cbs)
        self.__dict__["history"] = history
        return history

    def _logs_from(self, logs):
        if isinstance(logs, dict):
            return logs
        return self.get_metrics_result()

    # -- evaluate -------------------------------------------------------------------------
    def evaluate(self, x=None, y=None, batch_size=None, verbose="auto", sample_weight=None,
                 steps=None, callbacks=None, return_dict=False, **kwargs):  # fmt: skip
        """The loss and metrics on the data (a scalar, a list, or a dict)."""
        self._assert_compiled()
        internal = kwargs.pop("_internal", False)
        data = _make_data(x, y, sample_weight, batch_size, False, steps)
        if verbose == "auto":
            verbose = 1
        cbs = None if internal else _make_callbacks(self, callbacks, verbose, 1, data.steps,
                                                    add_history=False)  # fmt: skip
        self.reset_metrics()
        if cbs is not None:
            cbs.on_test_begin()
        logs = {}
        n = 0
        for i, batch in enumerate(data.batches()):
            if i == 0:
                self._symbolic_build(batch)
            fn = self._function("test", batch)
            if cbs is not None:
                cbs.on_test_batch_begin(i)
            logs = fn(batch)
            if cbs is not None:
                cbs.on_test_batch_end(i, logs)
            n += 1
        logs = _pythonify(self._logs_from(logs)) if n else {k: 0.0 for k in self.metrics_names}
        if cbs is not None:
            cbs.on_test_end(logs)
        if return_dict:
            return dict(sorted(logs.items()))  # Keras 3 returns the logs sorted by name
        values = list(logs.values())
        return values[0] if len(values) == 1 else values

    # -- predict --------------------------------------------------------------------------
    def predict(self, x, batch_size=None, verbose="auto", steps=None, callbacks=None):
        """The model's outputs on the data, batch by batch, as NumPy arrays."""
        data = _make_data(x, None, None, batch_size, False, steps)
        if verbose == "auto":
            verbose = 1
        cbs = _make_callbacks(self, callbacks, verbose, 1, data.steps, add_history=False)
        cbs.on_predict_begin()
        outs = []
        for i, batch in enumerate(data.batches()):
            if not self.built:
                self._symbolic_build(batch)
            fn = self._function("predict", batch)
            cbs.on_predict_batch_begin(i)
            out = fn(batch)
            outs.append(nest.map_structure(lambda t: np.asarray(t), out))
            cbs.on_predict_batch_end(i, {"outputs": outs[-1]})
        cbs.on_predict_end()
        if not outs:
            raise ValueError(
                "Unexpected result of `predict_function` (Empty batch_outputs). Please use "
                "`Model.compile(..., run_eagerly=True)`, or `tf.config.run_functions_eagerly"
                "(True)` for more information of where went wrong, or file a issue/bug to "
                "`keras`."
            )
        return nest.map_structure(lambda *parts: np.concatenate(parts, axis=0), *outs)

    # -- on_batch -------------------------------------------------------------------------
    def _one_batch(self, x, y=None, sample_weight=None):
        data = _ArrayData(x, y, sample_weight, batch_size=None, shuffle=False)
        data.batch_size = data.n
        data.steps = 1
        return next(iter(data.batches()))

    def train_on_batch(self, x, y=None, sample_weight=None, class_weight=None,
                       return_dict=False):  # fmt: skip
        """One training step on one batch; returns the loss and metrics."""
        self._assert_compiled()
        if class_weight is not None and y is not None:
            yy = _to_numpy(y)
            labels = yy.argmax(-1) if yy.ndim > 1 and yy.shape[-1] > 1 else yy.reshape(len(yy))
            sample_weight = np.asarray([class_weight.get(int(c), 1.0) for c in labels],
                                       np.float32)  # fmt: skip
        batch = self._one_batch(x, y, sample_weight)
        self._symbolic_build(batch)
        self.reset_metrics()  # as Keras 3: each call reports this batch alone
        logs = _pythonify(self._logs_from(self._function("train", batch)(batch)))
        if return_dict:
            return dict(sorted(logs.items()))
        values = list(logs.values())
        return values[0] if len(values) == 1 else values

    def test_on_batch(self, x, y=None, sample_weight=None, return_dict=False):
        self._assert_compiled()
        batch = self._one_batch(x, y, sample_weight)
        self._symbolic_build(batch)
        self.reset_metrics()
        logs = _pythonify(self._logs_from(self._function("test", batch)(batch)))
        if return_dict:
            return dict(sorted(logs.items()))
        values = list(logs.values())
        return values[0] if len(values) == 1 else values

    def predict_on_batch(self, x):
        batch = self._one_batch(x)
        if not self.built:
            self._symbolic_build(batch)
        out = self._function("predict", batch)(batch)
        return nest.map_structure(lambda t: np.asarray(t), out)


class _FlatCaller:
    """Calls a tf.function with the batch's flat tensors (the function's fast path)."""

    __slots__ = ("fn",)

    def __init__(self, fn):
        self.fn = fn

    def __call__(self, batch):
        return self.fn(*nest.flatten(batch))


def _structure_key(batch):
    flat = nest.flatten(batch)
    shape_key = tuple((x.dtype, x.shape.rank) if isinstance(x, Tensor) else type(x) for x in flat)
    try:
        struct = repr(nest.map_structure(lambda _: 0, batch))
    except Exception:  # noqa: BLE001
        struct = str(len(flat))
    return struct, shape_key


def _find_history(cbs):
    for cb in getattr(cbs, "callbacks", []):
        if type(cb).__name__ == "History":
            return cb
    return getattr(cbs, "history", None)
