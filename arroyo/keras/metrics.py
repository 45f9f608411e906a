"""tf.keras.metrics: Keras 3's stateful metrics (state in non-trainable Variables).

    m = tf.keras.metrics.SparseCategoricalAccuracy()
    m.update_state([1, 0], [[0.1, 0.9], [0.2, 0.8]])
    m.result()                # 0.5
    m.reset_state()

`get_for_loss(identifier, loss, y_true_shape, y_pred_shape)` resolves "accuracy"/"acc"
(and "crossentropy"/"ce") the way `Model.compile` does: from the loss when it says which
(binary / categorical / sparse), otherwise from the shapes.
"""

from __future__ import annotations

import numpy as np

import arroyo as _tf
from arroyo.keras import _leaf_utils
from arroyo.keras import losses as _losses


def _t(x, dtype=None):
    t = _tf.convert_to_tensor(x)
    if dtype is not None and t.dtype != dtype:
        t = _tf.cast(t, dtype)
    return t


class Metric:
    """Base class: `update_state(...)`, `result()`, `reset_state()`; calling does both.

    >>> class Count(tf.keras.metrics.Metric):
    ...     def __init__(self):
    ...         super().__init__(name="count")
    ...         self.n = self.add_variable((), initializer="zeros", name="n")
    ...     def update_state(self, x):
    ...         self.n.assign_add(tf.cast(tf.size(x), "float32"))
    ...     def result(self):
    ...         return self.n.value()
    """

    def __init__(self, dtype=None, name=None):
        if not name:  # Keras 3 numbers auto names: auc, auc_1, ... (reset by clear_session)
            from arroyo.keras.backend import unique_name

            name = unique_name(_leaf_utils.to_snake_case(type(self).__name__))
        self.name = name
        self._dtype = dtype
        self._variables = []

    @property
    def dtype(self):
        return self._dtype or "float32"

    @property
    def variables(self):
        return list(self._variables)

    def add_variable(self, shape, initializer="zeros", dtype=None, aggregation="sum", name=None):
        """A non-trainable state Variable, created outside any graph being traced."""
        from arroyo.graph.variable_lifting import init_scope
        from arroyo.keras import initializers

        with init_scope():
            value = initializers.get(initializer)(tuple(shape), dtype=dtype or self.dtype)
            v = _tf.Variable(value, trainable=False, name=f"{self.name}/{name or 'variable'}")
        v._metric_initializer = initializer
        self._variables.append(v)
        return v

    add_weight = add_variable

    def reset_state(self):
        for v in self._variables:
            v.assign(np.zeros(v.shape.as_list(), v.dtype.as_numpy_dtype))

    reset_states = reset_state  # Keras 2's name

    def update_state(self, *args, **kwargs):
        raise NotImplementedError

    def result(self):
        raise NotImplementedError

    def __call__(self, *args, **kwargs):
        self.update_state(*args, **kwargs)
        return self.result()

    def _checkpoint_children(self):
        return [(v.name.split("/")[-1][:-2], v) for v in self._variables]

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name}>"


def _samplewise(values, sample_weight, reduce_fn):
    """Keras 3's reduce_to_samplewise_values: per-sample values and their weights."""
    if sample_weight is not None:
        sw = _t(sample_weight, values.dtype)
        values, sw = _losses._same_rank(values, sw)
        w_nd, v_nd = sw.shape.rank, values.shape.rank
        if v_nd > w_nd:
            values = reduce_fn(values, axis=list(range(w_nd, v_nd)))
        sw = _tf.broadcast_to(sw, _tf.shape(values))
        values = values * sw
        if w_nd > 1:
            sw = reduce_fn(sw, axis=list(range(1, w_nd)))
    else:
        sw = None
    if values.shape.rank > 1:
        values = reduce_fn(values, axis=list(range(1, values.shape.rank)))
    return values, sw


class Sum(Metric):
    """The (weighted) sum of the values seen."""

    def __init__(self, name="sum", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.total = self.add_variable((), name="total")

    def update_state(self, values, sample_weight=None):
        values = _t(values, _tf.as_dtype(self.dtype))
        values, _ = _samplewise(values, sample_weight, _tf.reduce_sum)
        self.total.assign_add(_tf.reduce_sum(values))

    def result(self):
        return _tf.identity(self.total)


class Mean(Metric):
    """The (weighted) mean of the values seen.

    >>> m = tf.keras.metrics.Mean(); m.update_state([1.0, 3.0]); float(m.result())
    2.0
    """

    def __init__(self, name="mean", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.total = self.add_variable((), name="total")
        self.count = self.add_variable((), name="count")

    def update_state(self, values, sample_weight=None):
        values = _t(values, _tf.as_dtype(self.dtype))
        values, sw = _samplewise(values, sample_weight, _tf.reduce_mean)
        self.total.assign_add(_tf.reduce_sum(values))
        if sw is not None:
            n = _tf.reduce_sum(sw)
        elif values.shape.rank >= 1:
            n = _tf.cast(_tf.shape(values)[0], values.dtype)
        else:
            n = _tf.constant(1.0, values.dtype)
        self.count.assign_add(n)

    def result(self):
        return _tf.math.divide_no_nan(self.total, self.count)


class MeanMetricWrapper(Mean):
    """The mean of `fn(y_true, y_pred, **kwargs)` over everything seen."""

    def __init__(self, fn, name=None, dtype=None, **kwargs):
        super().__init__(name=name, dtype=dtype)
        self._fn = fn
        self._fn_kwargs = kwargs

    def update_state(self, y_true, y_pred, sample_weight=None):
        dt = _tf.as_dtype(self.dtype)
        y_pred = _t(y_pred)
        y_true = _t(y_true)
        values = self._fn(y_true, y_pred, **self._fn_kwargs)
        super().update_state(_t(values, dt), sample_weight=sample_weight)

    def get_config(self):
        cfg = {"name": self.name, "dtype": self.dtype}
        cfg.update(self._config_kwargs())
        return cfg

    def _config_kwargs(self):
        return {}


# -- accuracy functions (one value per sample) --------------------------------------------


def accuracy(y_true, y_pred):
    """1.0 where y_true == y_pred."""
    y_pred = _t(y_pred)
    y_true = _t(y_true, y_pred.dtype)
    y_true, y_pred = _losses._same_rank(y_true, y_pred)
    return _tf.cast(_tf.equal(y_true, y_pred), _tf.float32)


def binary_accuracy(y_true, y_pred, threshold=0.5):
    """mean(y_true == (y_pred > threshold), axis=-1)."""
    y_pred = _t(y_pred)
    y_true = _t(y_true, y_pred.dtype)
    y_true, y_pred = _losses._same_rank(y_true, y_pred)
    pred = _tf.cast(y_pred > _tf.cast(threshold, y_pred.dtype), y_pred.dtype)
    return _tf.reduce_mean(_tf.cast(_tf.equal(y_true, pred), _tf.float32), axis=-1)


def categorical_accuracy(y_true, y_pred):
    """1.0 where argmax(y_true) == argmax(y_pred)."""
    y_pred = _t(y_pred)
    y_true = _t(y_true)
    return _tf.cast(_tf.equal(_tf.argmax(y_true, -1), _tf.argmax(y_pred, -1)), _tf.float32)


def _sparse_labels(y_true, y_pred):
    y_true = _t(y_true)
    if (
        y_true.shape.rank is not None
        and y_pred.shape.rank is not None
        and y_true.shape.rank == y_pred.shape.rank
        and y_true.shape[-1] == 1
    ):
        y_true = _tf.squeeze(y_true, -1)
    return y_true


def sparse_categorical_accuracy(y_true, y_pred):
    """1.0 where the integer label equals argmax(y_pred)."""
    y_pred = _t(y_pred)
    y_true = _sparse_labels(y_true, y_pred)
    pred = _tf.cast(_tf.argmax(y_pred, -1), y_true.dtype if y_true.dtype.is_integer else _tf.int64)
    labels = y_true if y_true.dtype.is_integer else _tf.cast(y_true, _tf.int64)
    return _tf.cast(_tf.equal(labels, pred), _tf.float32)


def top_k_categorical_accuracy(y_true, y_pred, k=5):
    """1.0 where argmax(y_true) is among the k largest predictions."""
    y_pred = _t(y_pred, _tf.float32)
    labels = _tf.cast(_tf.argmax(_t(y_true), -1), _tf.int32)
    return _tf.cast(_tf.nn.in_top_k(labels, y_pred, k), _tf.float32)


def sparse_top_k_categorical_accuracy(y_true, y_pred, k=5):
    """1.0 where the integer label is among the k largest predictions."""
    y_pred = _t(y_pred, _tf.float32)
    labels = _tf.cast(_sparse_labels(y_true, y_pred), _tf.int32)
    return _tf.cast(_tf.nn.in_top_k(labels, y_pred, k), _tf.float32)


def _wrapper(cls_name, fn, default_name, doc, extra=()):
    def __init__(self, name=default_name, dtype=None, **kwargs):
        for key, default in extra:
            kwargs.setdefault(key, default)
        MeanMetricWrapper.__init__(self, fn, name=name, dtype=dtype, **kwargs)

    def _config_kwargs(self):
        return {key: self._fn_kwargs[key] for key, _ in extra}

    cls = type(cls_name, (MeanMetricWrapper,), {"__init__": __init__, "__doc__": doc,
                                                "_config_kwargs": _config_kwargs})  # fmt: skip
    cls.__module__ = __name__
    return cls


Accuracy = _wrapper("Accuracy", accuracy, "accuracy", "How often y_pred equals y_true.")
BinaryAccuracy = _wrapper("BinaryAccuracy", binary_accuracy, "binary_accuracy",
                          "Accuracy of thresholded predictions.", (("threshold", 0.5),))  # fmt: skip
CategoricalAccuracy = _wrapper("CategoricalAccuracy", categorical_accuracy,
                               "categorical_accuracy", "Accuracy of one-hot labels.")  # fmt: skip
SparseCategoricalAccuracy = _wrapper("SparseCategoricalAccuracy", sparse_categorical_accuracy,
                                     "sparse_categorical_accuracy",
                                     "Accuracy of integer labels.")  # fmt: skip
TopKCategoricalAccuracy = _wrapper("TopKCategoricalAccuracy", top_k_categorical_accuracy,
                                   "top_k_categorical_accuracy",
                                   "Top-k accuracy of one-hot labels.", (("k", 5),))  # fmt: skip
SparseTopKCategoricalAccuracy = _wrapper(
    "SparseTopKCategoricalAccuracy", sparse_top_k_categorical_accuracy,
    "sparse_top_k_categorical_accuracy", "Top-k accuracy of integer labels.", (("k", 5),))  # fmt: skip
MeanSquaredError = _wrapper("MeanSquaredError", _losses.mean_squared_error,
                            "mean_squared_error", "Mean squared error.")  # fmt: skip
MeanAbsoluteError = _wrapper("MeanAbsoluteError", _losses.mean_absolute_error,
                             "mean_absolute_error", "Mean absolute error.")  # fmt: skip
MeanAbsolutePercentageError = _wrapper(
    "MeanAbsolutePercentageError", _losses.mean_absolute_percentage_error,
    "mean_absolute_percentage_error", "Mean absolute percentage error.")  # fmt: skip
MeanSquaredLogarithmicError = _wrapper(
    "MeanSquaredLogarithmicError", _losses.mean_squared_logarithmic_error,
    "mean_squared_logarithmic_error", "Mean squared logarithmic error.")  # fmt: skip
BinaryCrossentropy = _wrapper("BinaryCrossentropy", _losses.binary_crossentropy,
                              "binary_crossentropy", "Mean binary cross-entropy.",
                              (("from_logits", False), ("label_smoothing", 0.0)))  # fmt: skip
CategoricalCrossentropy = _wrapper(
    "CategoricalCrossentropy", _losses.categorical_crossentropy, "categorical_crossentropy",
    "Mean categorical cross-entropy.",
    (("from_logits", False), ("label_smoothing", 0.0), ("axis", -1)))  # fmt: skip
SparseCategoricalCrossentropy = _wrapper(
    "SparseCategoricalCrossentropy", _losses.sparse_categorical_crossentropy,
    "sparse_categorical_crossentropy", "Mean sparse categorical cross-entropy.",
    (("from_logits", False), ("ignore_class", None), ("axis", -1)))  # fmt: skip
KLDivergence = _wrapper("KLDivergence", _losses.kl_divergence, "kl_divergence", "KL divergence.")
Poisson = _wrapper("Poisson", _losses.poisson, "poisson", "Poisson.")
Hinge = _wrapper("Hinge", _losses.hinge, "hinge", "Hinge.")
SquaredHinge = _wrapper("SquaredHinge", _losses.squared_hinge, "squared_hinge", "Squared hinge.")
CategoricalHinge = _wrapper("CategoricalHinge", _losses.categorical_hinge,
                            "categorical_hinge", "Categorical hinge.")  # fmt: skip
LogCoshError = _wrapper("LogCoshError", _losses.log_cosh, "logcosh", "Log-cosh error.")


class CosineSimilarity(MeanMetricWrapper):
    """Mean cosine similarity (positive, unlike the loss)."""

    def __init__(self, name="cosine_similarity", dtype=None, axis=-1):
        super().__init__(lambda a, b, axis=-1: -_losses.cosine_similarity(a, b, axis=axis),
                         name=name, dtype=dtype, axis=axis)  # fmt: skip


class RootMeanSquaredError(Mean):
    """sqrt of the mean squared error."""

    def __init__(self, name="root_mean_squared_error", dtype=None):
        super().__init__(name=name, dtype=dtype)

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_pred = _t(y_pred, _tf.as_dtype(self.dtype))
        y_true = _t(y_true, y_pred.dtype)
        y_true, y_pred = _losses._same_rank(y_true, y_pred)
        super().update_state(_tf.square(y_pred - y_true), sample_weight=sample_weight)

    def result(self):
        return _tf.sqrt(_tf.math.divide_no_nan(self.total, self.count))


# -- confusion-matrix metrics -----------------------------------------------------------


def _thresholds_list(thresholds, default):
    if thresholds is None:
        return [default], False
    if isinstance(thresholds, (list, tuple)):
        return [float(t) for t in thresholds], True
    return [float(thresholds)], False


def _confusion_update(variables, y_true, y_pred, thresholds, sample_weight, top_k=None,
                      class_id=None):  # fmt: skip
    """Adds weighted tp/fp/tn/fn counts per threshold to `variables` (a dict)."""
    y_pred = _t(y_pred, _tf.float32)
    y_true = _t(y_true, _tf.float32)
    y_true, y_pred = _losses._same_rank(y_true, y_pred)
    if top_k is not None:
        kth = _tf.math.top_k(y_pred, k=top_k).values[..., -1:]
        y_pred = _tf.where(y_pred >= kth, y_pred, _tf.fill(_tf.shape(y_pred), -1e9))
    if sample_weight is None:
        w = _tf.ones_like(y_pred)
    else:
        w = _t(sample_weight, _tf.float32)
        while w.shape.rank < y_pred.shape.rank:
            w = _tf.expand_dims(w, -1)
        w = _tf.broadcast_to(w, _tf.shape(y_pred))
    if class_id is not None:
        y_true, y_pred, w = y_true[..., class_id], y_pred[..., class_id], w[..., class_id]
    y_true = _tf.reshape(y_true, [-1])
    y_pred = _tf.reshape(y_pred, [-1])
    w = _tf.reshape(w, [-1])
    th = _tf.constant(np.asarray(thresholds, np.float32))
    pred_pos = _tf.cast(y_pred[None, :] > th[:, None], _tf.float32)
    is_pos = _tf.cast(y_true > 0.5, _tf.float32)[None, :]
    wt = w[None, :]
    updates = {
        "true_positives": pred_pos * is_pos,
        "false_positives": pred_pos * (1.0 - is_pos),
        "true_negatives": (1.0 - pred_pos) * (1.0 - is_pos),
        "false_negatives": (1.0 - pred_pos) * is_pos,
    }
    for key, var in variables.items():
        var.assign_add(_tf.reduce_sum(updates[key] * wt, axis=1))


class _ConfusionMatrixConditionCount(Metric):
    _KEY = ""

    def __init__(self, thresholds=None, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.init_thresholds = thresholds
        self.thresholds, self._multi = _thresholds_list(thresholds, 0.5)
        self.accumulator = self.add_variable((len(self.thresholds),), name="accumulator")

    def update_state(self, y_true, y_pred, sample_weight=None):
        _confusion_update({self._KEY: self.accumulator}, y_true, y_pred, self.thresholds,
                          sample_weight)  # fmt: skip

    def result(self):
        return _tf.identity(self.accumulator if self._multi else self.accumulator[0])

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype, "thresholds": self.init_thresholds}


def _count(cls_name, key):
    def __init__(self, thresholds=None, name=None, dtype=None):
        _ConfusionMatrixConditionCount.__init__(self, thresholds, name, dtype)

    cls = type(cls_name, (_ConfusionMatrixConditionCount,), {"_KEY": key, "__init__": __init__,
               "__doc__": f"Weighted count of {key.replace('_', ' ')}."})  # fmt: skip
    cls.__module__ = __name__
    return cls


TruePositives = _count("TruePositives", "true_positives")
FalsePositives = _count("FalsePositives", "false_positives")
TrueNegatives = _count("TrueNegatives", "true_negatives")
FalseNegatives = _count("FalseNegatives", "false_negatives")


class Precision(Metric):
    """true_positives / (true_positives + false_positives) at `thresholds` (default 0.5)."""

    _OTHER = "false_positives"

    def __init__(self, thresholds=None, top_k=None, class_id=None, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.init_thresholds = thresholds
        self.top_k = top_k
        self.class_id = class_id
        default = -1e-7 if top_k is not None and thresholds is None else 0.5
        self.thresholds, self._multi = _thresholds_list(thresholds, default)
        n = len(self.thresholds)
        self.true_positives = self.add_variable((n,), name="true_positives")
        setattr(self, self._OTHER, self.add_variable((n,), name=self._OTHER))

    def update_state(self, y_true, y_pred, sample_weight=None):
        _confusion_update({"true_positives": self.true_positives,
                           self._OTHER: getattr(self, self._OTHER)}, y_true, y_pred,
                          self.thresholds, sample_weight, self.top_k, self.class_id)  # fmt: skip

    def result(self):
        tp = self.true_positives
        r = _tf.math.divide_no_nan(tp, tp + getattr(self, self._OTHER))
        return r if self._multi else r[0]

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype, "thresholds": self.init_thresholds,
                "top_k": self.top_k, "class_id": self.class_id}  # fmt: skip


class Recall(Precision):
    """true_positives / (true_positives + false_negatives)."""

    _OTHER = "false_negatives"


class AUC(Metric):
    """Area under the ROC or PR curve, from counts at `num_thresholds` thresholds.

    >>> m = tf.keras.metrics.AUC(num_thresholds=200)
    >>> m.update_state([0, 0, 1, 1], [0.0, 0.5, 0.3, 0.9]); float(m.result())
    0.75
    """

    def __init__(self, num_thresholds=200, curve="ROC", summation_method="interpolation",
                 name=None, dtype=None, thresholds=None, multi_label=False, num_labels=None,
                 label_weights=None, from_logits=False):  # fmt: skip
        super().__init__(name=name, dtype=dtype)
        curve = curve.upper() if isinstance(curve, str) else curve
        if curve not in ("ROC", "PR"):
            raise ValueError(f'Invalid `curve` argument value "{curve}". Expected one of: ROC, PR')
        if summation_method not in ("interpolation", "minoring", "majoring"):
            raise ValueError(
                f'Invalid `summation_method` argument value "{summation_method}". Expected '
                "one of: interpolation, minoring, majoring"
            )
        if thresholds is not None:
            self.num_thresholds = len(thresholds) + 2
            inner = sorted(float(t) for t in thresholds)
            self._init_from_thresholds = True
        else:
            if num_thresholds <= 1:
                raise ValueError(
                    "Argument `num_thresholds` must be an integer > 1. Received: "
                    f"num_thresholds={num_thresholds}"
                )
            self.num_thresholds = num_thresholds
            inner = [(i + 1) * 1.0 / (num_thresholds - 1) for i in range(num_thresholds - 2)]
            self._init_from_thresholds = False
        self._thresholds = [0.0 - 1e-7] + inner + [1.0 + 1e-7]
        self.curve = curve
        self.summation_method = summation_method
        self.multi_label = multi_label
        self.num_labels = num_labels
        self.label_weights = label_weights
        self._from_logits = from_logits
        n = self.num_thresholds
        self.true_positives = self.add_variable((n,), name="true_positives")
        self.false_positives = self.add_variable((n,), name="false_positives")
        self.true_negatives = self.add_variable((n,), name="true_negatives")
        self.false_negatives = self.add_variable((n,), name="false_negatives")

    @property
    def thresholds(self):
        return list(self._thresholds)

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_pred = _t(y_pred, _tf.float32)
        if self._from_logits:
            y_pred = _tf.sigmoid(y_pred)
        _confusion_update({"true_positives": self.true_positives,
                           "false_positives": self.false_positives,
                           "true_negatives": self.true_negatives,
                           "false_negatives": self.false_negatives}, y_true, y_pred,
                          self._thresholds, sample_weight)  # fmt: skip

    def _interpolate_pr_auc(self):
        tp, fp, fn = self.true_positives, self.false_positives, self.false_negatives
        tp = _tf.identity(tp)
        dtp = tp[:-1] - tp[1:]
        p = tp + fp
        dp = p[:-1] - p[1:]
        slope = _tf.math.divide_no_nan(dtp, _tf.maximum(dp, 0.0))
        intercept = tp[1:] - slope * p[1:]
        safe_ratio = _tf.where(
            _tf.logical_and(p[:-1] > 0, p[1:] > 0),
            _tf.math.divide_no_nan(p[:-1], _tf.maximum(p[1:], 0.0)),
            _tf.ones_like(p[1:]),
        )
        inc = _tf.math.divide_no_nan(slope * (dtp + intercept * _tf.math.log(safe_ratio)),
                                     _tf.maximum(tp[1:] + fn[1:], 0.0))  # fmt: skip
        return _tf.reduce_sum(inc)

    def result(self):
        if self.curve == "PR" and self.summation_method == "interpolation":
            return self._interpolate_pr_auc()
        tp, fp = _tf.identity(self.true_positives), _tf.identity(self.false_positives)
        tn, fn = _tf.identity(self.true_negatives), _tf.identity(self.false_negatives)
        recall = _tf.math.divide_no_nan(tp, tp + fn)
        if self.curve == "ROC":
            x = _tf.math.divide_no_nan(fp, fp + tn)
            y = recall
        else:
            x = recall
            y = _tf.math.divide_no_nan(tp, tp + fp)
        if self.summation_method == "interpolation":
            heights = (y[: self.num_thresholds - 1] + y[1:]) / 2.0
        elif self.summation_method == "minoring":
            heights = _tf.minimum(y[: self.num_thresholds - 1], y[1:])
        else:
            heights = _tf.maximum(y[: self.num_thresholds - 1], y[1:])
        return _tf.reduce_sum((x[: self.num_thresholds - 1] - x[1:]) * heights)

    def get_config(self):
        return {"num_thresholds": self.num_thresholds, "curve": self.curve,
                "summation_method": self.summation_method, "multi_label": self.multi_label,
                "num_labels": self.num_labels, "label_weights": self.label_weights,
                "name": self.name, "dtype": self.dtype, "from_logits": self._from_logits,
                **({"thresholds": self._thresholds[1:-1]} if self._init_from_thresholds else {})}  # fmt: skip


# -- lookup ------------------------------------------------------------------------------

_CLASSES = [Mean, Sum, Accuracy, BinaryAccuracy, CategoricalAccuracy,
            SparseCategoricalAccuracy, TopKCategoricalAccuracy, SparseTopKCategoricalAccuracy,
            MeanSquaredError, MeanAbsoluteError, MeanAbsolutePercentageError,
            MeanSquaredLogarithmicError, RootMeanSquaredError, BinaryCrossentropy,
            CategoricalCrossentropy, SparseCategoricalCrossentropy, KLDivergence, Poisson,
            Hinge, SquaredHinge, CategoricalHinge, LogCoshError, CosineSimilarity,
            TruePositives, FalsePositives, TrueNegatives, FalseNegatives, Precision, Recall,
            AUC]  # fmt: skip
_CLASS_TABLE = {c.__name__: c for c in _CLASSES}
_FUNCTIONS = {
    "accuracy": accuracy, "binary_accuracy": binary_accuracy,
    "categorical_accuracy": categorical_accuracy,
    "sparse_categorical_accuracy": sparse_categorical_accuracy,
    "top_k_categorical_accuracy": top_k_categorical_accuracy,
    "sparse_top_k_categorical_accuracy": sparse_top_k_categorical_accuracy,
    "mse": _losses.mean_squared_error, "mean_squared_error": _losses.mean_squared_error,
    "mae": _losses.mean_absolute_error, "mean_absolute_error": _losses.mean_absolute_error,
    "mape": _losses.mean_absolute_percentage_error,
    "mean_absolute_percentage_error": _losses.mean_absolute_percentage_error,
    "msle": _losses.mean_squared_logarithmic_error,
    "mean_squared_logarithmic_error": _losses.mean_squared_logarithmic_error,
    "binary_crossentropy": _losses.binary_crossentropy,
    "categorical_crossentropy": _losses.categorical_crossentropy,
    "sparse_categorical_crossentropy": _losses.sparse_categorical_crossentropy,
    "kl_divergence": _losses.kl_divergence, "kld": _losses.kl_divergence,
    "poisson": _losses.poisson, "hinge": _losses.hinge, "squared_hinge": _losses.squared_hinge,
    "categorical_hinge": _losses.categorical_hinge, "logcosh": _losses.log_cosh,
}  # fmt: skip
mse = MSE = _losses.mean_squared_error
mae = MAE = _losses.mean_absolute_error
mape = MAPE = _losses.mean_absolute_percentage_error
msle = MSLE = _losses.mean_squared_logarithmic_error
binary_crossentropy = _losses.binary_crossentropy
categorical_crossentropy = _losses.categorical_crossentropy
sparse_categorical_crossentropy = _losses.sparse_categorical_crossentropy
kld = KLD = kl_divergence = _losses.kl_divergence
poisson = _losses.poisson
hinge = _losses.hinge
squared_hinge = _losses.squared_hinge


def serialize(metric):
    """Keras 3's dict for a metric."""
    return _leaf_utils.serialize_object(metric, "keras.metrics")


def deserialize(config, custom_objects=None):
    """The metric a `serialize()` dict (or a name) describes."""
    if isinstance(config, str):
        if custom_objects and config in custom_objects:
            return custom_objects[config]
        if config in _FUNCTIONS:
            return _FUNCTIONS[config]
        if config in _CLASS_TABLE:
            return _CLASS_TABLE[config]()
        raise ValueError(f"Could not interpret metric identifier: {config}")
    return _leaf_utils.deserialize_object(config, _CLASS_TABLE, "metric", custom_objects)


def get(identifier):
    """A metric (function or object) from a name, a dict, or a callable.

    >>> tf.keras.metrics.get("mse") is tf.keras.losses.mean_squared_error
    True
    """
    return _leaf_utils.get_object(
        identifier, deserialize, "metric", base_class=Metric, if_none=_leaf_utils.NOT_ACCEPTED
    )


_BINARY_LOSSES = ("binary_crossentropy", "binary_focal_crossentropy", "hinge", "squared_hinge")
_SPARSE_LOSSES = ("sparse_categorical_crossentropy",)
_CATEGORICAL_LOSSES = ("categorical_crossentropy", "categorical_focal_crossentropy",
                       "categorical_hinge", "kl_divergence")  # fmt: skip


def _loss_kind(loss):
    if loss is None:
        return None
    if isinstance(loss, str):
        name = loss
        try:
            resolved = _losses.get(loss)
            name = getattr(resolved, "__name__", None) or getattr(resolved, "name", loss)
        except ValueError:
            pass
    elif isinstance(loss, _losses.LossFunctionWrapper):
        name = getattr(loss.fn, "__name__", "")
    else:
        name = getattr(loss, "__name__", "") or getattr(loss, "name", "")
    if name in _BINARY_LOSSES:
        return "binary"
    if name in _SPARSE_LOSSES:
        return "sparse"
    if name in _CATEGORICAL_LOSSES:
        return "categorical"
    return None


def get_for_loss(identifier, loss=None, y_true_shape=None, y_pred_shape=None):
    """The metric object `Model.compile(metrics=[identifier], loss=loss)` uses.

    "accuracy"/"acc" and "crossentropy"/"ce" become the binary, categorical or sparse
    variant, named as given: the loss decides when it is a cross-entropy or hinge loss
    (Keras 2's rule), otherwise the shapes do (Keras 3's: last prediction dim 1 is binary;
    labels of lower rank, or a trailing 1 against several classes, are sparse). Other
    identifiers go through `get`; functions are wrapped in a `MeanMetricWrapper`.

    >>> m = tf.keras.metrics.get_for_loss("accuracy", "sparse_categorical_crossentropy")
    >>> type(m).__name__, m.name
    ('MeanMetricWrapper', 'accuracy')
    """
    if isinstance(identifier, Metric):
        return identifier
    if isinstance(identifier, str) and identifier.lower() in ("accuracy", "acc", "crossentropy",
                                                              "ce"):  # fmt: skip
        kind = _loss_kind(loss)
        if kind is None and y_pred_shape is not None:
            yp = list(y_pred_shape)
            yt = list(y_true_shape) if y_true_shape is not None else None
            if yp and yp[-1] == 1:
                kind = "binary"
            elif yt is not None and (len(yt) < len(yp) or (len(yt) == len(yp) and yt[-1] == 1)):
                kind = "sparse"
            else:
                kind = "categorical"
        kind = kind or "categorical"
        is_acc = identifier.lower() in ("accuracy", "acc")
        fn = {
            ("binary", True): binary_accuracy,
            ("sparse", True): sparse_categorical_accuracy,
            ("categorical", True): categorical_accuracy,
            ("binary", False): _losses.binary_crossentropy,
            ("sparse", False): _losses.sparse_categorical_crossentropy,
            ("categorical", False): _losses.categorical_crossentropy,
        }[(kind, is_acc)]
        return MeanMetricWrapper(fn, name=identifier)
    obj = get(identifier)
    if isinstance(obj, Metric):
        return obj
    if isinstance(obj, type):
        return obj()
    name = identifier if isinstance(identifier, str) else getattr(obj, "__name__", None)
    return MeanMetricWrapper(obj, name=name)
