"""tf.keras.losses: Keras 3's loss classes and functions, built from arroyo ops.

    loss = tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    value = loss(labels, logits)                   # mean over the batch
    per_example = tf.keras.losses.mse(y, y_hat)    # the function form: one value per sample

Reductions: "sum_over_batch_size" (default), "sum", "none"/None, "mean",
"mean_with_sample_weight", and Keras 2's `Reduction.AUTO` ("auto", the default).
"""

from __future__ import annotations

import arroyo as _tf
from arroyo.keras import _leaf_utils

EPSILON = 1e-7
_REDUCTIONS = {"sum", "sum_over_batch_size", None, "none", "mean_with_sample_weight", "mean"}


class Reduction:
    """Keras 2's reduction names (`tf.keras.losses.Reduction.SUM`)."""

    AUTO = "auto"
    NONE = "none"
    SUM = "sum"
    SUM_OVER_BATCH_SIZE = "sum_over_batch_size"

    @classmethod
    def all(cls):
        return (cls.AUTO, cls.NONE, cls.SUM, cls.SUM_OVER_BATCH_SIZE)

    @classmethod
    def validate(cls, key):
        if key not in cls.all():
            raise ValueError(f'Invalid Reduction Key: {key}. Expected keys are "{cls.all()}"')


def _standardize_reduction(reduction):
    if reduction == "auto":
        return "sum_over_batch_size"
    if reduction not in _REDUCTIONS:
        raise ValueError(
            f"Invalid value for argument `reduction`. Expected one of {_REDUCTIONS}. "
            f"Received: reduction={reduction}"
        )
    return reduction


def _tensor(x, dtype=None):
    if isinstance(x, _tf.Tensor) or getattr(x, "_is_arroyo_variable", False):
        t = _tf.convert_to_tensor(x)
        return t if dtype is None or t.dtype == dtype else _tf.cast(t, dtype)
    t = _tf.convert_to_tensor(x)
    if dtype is not None and t.dtype != dtype:
        t = _tf.cast(t, dtype)
    return t


def _same_rank(x1, x2):
    """Keras' squeeze_or_expand_to_same_rank: drops a trailing 1 where ranks differ by one."""
    r1, r2 = x1.shape.rank, x2.shape.rank
    if r1 is None or r2 is None or r1 == r2:
        return x1, x2
    if r1 == r2 + 1 and x1.shape[-1] == 1:
        if r2 == 1:
            return x1, _tf.expand_dims(x2, -1)
        return _tf.squeeze(x1, -1), x2
    if r2 == r1 + 1 and x2.shape[-1] == 1:
        if r1 == 1:
            return _tf.expand_dims(x1, -1), x2
        return x1, _tf.squeeze(x2, -1)
    return x1, x2


def reduce_weighted_values(values, sample_weight=None, mask=None,
                           reduction="sum_over_batch_size"):  # fmt: skip
    """Keras 3's weighting and reduction of per-element loss values."""
    reduction = _standardize_reduction(reduction)
    if mask is not None:
        m = _tf.cast(mask, values.dtype)
        if reduction in ("mean", "sum_over_batch_size"):
            total = _tf.cast(_tf.size(m), values.dtype)
            valid = _tf.reduce_sum(m)
            m = m * _tf.math.divide_no_nan(total, valid)
        sample_weight = m if sample_weight is None else _tensor(sample_weight, values.dtype) * m
    if sample_weight is not None:
        sw = _tensor(sample_weight, values.dtype)
        values, sw = _same_rank(values, sw)
        values = values * sw
    else:
        sw = None
    if reduction is None or reduction == "none":
        return values
    loss = _tf.reduce_sum(values)
    if reduction in ("sum_over_batch_size", "mean", "mean_with_sample_weight"):
        if reduction == "mean_with_sample_weight" and sw is not None:
            divisor = _tf.reduce_sum(sw)
        else:
            divisor = _tf.cast(_tf.size(values), loss.dtype)
        loss = _tf.math.divide_no_nan(loss, divisor)
    return loss


class Loss:
    """Base class: subclasses implement `call(y_true, y_pred)` (per-sample values).

    >>> class Abs(tf.keras.losses.Loss):
    ...     def call(self, y_true, y_pred):
    ...         return tf.reduce_mean(tf.abs(y_true - y_pred), axis=-1)
    """

    def __init__(self, name=None, reduction="sum_over_batch_size", dtype=None):
        self.name = name or _leaf_utils.to_snake_case(type(self).__name__)
        self.reduction = _standardize_reduction(reduction)
        self._dtype = dtype

    @property
    def dtype(self):
        return self._dtype or "float32"

    def __call__(self, y_true, y_pred, sample_weight=None):
        dt = _tf.as_dtype(self.dtype)
        y_pred = _tensor(y_pred, dt)
        y_true = _tensor(y_true, dt)
        values = self.call(y_true, y_pred)
        mask = getattr(self, "_last_mask", None)
        self._last_mask = None
        return reduce_weighted_values(values, sample_weight, mask, self.reduction)

    def call(self, y_true, y_pred):
        raise NotImplementedError

    def get_config(self):
        return {"name": self.name, "reduction": self.reduction}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


class LossFunctionWrapper(Loss):
    """A Loss made from a per-sample function and its keyword arguments."""

    def __init__(self, fn, reduction="sum_over_batch_size", name=None, dtype=None, **kwargs):
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        self.fn = fn
        self._fn_kwargs = kwargs

    def call(self, y_true, y_pred):
        y_true, y_pred = _same_rank(y_true, y_pred)
        return self.fn(y_true, y_pred, **self._fn_kwargs)

    def get_config(self):
        cfg = super().get_config()
        cfg.update(self._config_kwargs())
        return cfg

    def _config_kwargs(self):
        return {}

    def __repr__(self):
        return f"<LossFunctionWrapper({self.fn}, kwargs={self._fn_kwargs})>"


# -- the per-sample functions ------------------------------------------------------------


def _pair(y_true, y_pred):
    y_pred = _tensor(y_pred)
    y_true = _tensor(y_true, y_pred.dtype)
    return y_true, y_pred


def mean_squared_error(y_true, y_pred):
    """mean((y_true - y_pred)^2, axis=-1)."""
    y_true, y_pred = _pair(y_true, y_pred)
    return _tf.reduce_mean(_tf.square(y_true - y_pred), axis=-1)


def mean_absolute_error(y_true, y_pred):
    """mean(|y_true - y_pred|, axis=-1)."""
    y_true, y_pred = _pair(y_true, y_pred)
    return _tf.reduce_mean(_tf.abs(y_true - y_pred), axis=-1)


def mean_absolute_percentage_error(y_true, y_pred):
    """100 * mean(|y_true - y_pred| / max(|y_true|, eps), axis=-1)."""
    y_true, y_pred = _pair(y_true, y_pred)
    diff = _tf.abs((y_true - y_pred) / _tf.maximum(_tf.abs(y_true), EPSILON))
    return 100.0 * _tf.reduce_mean(diff, axis=-1)


def mean_squared_logarithmic_error(y_true, y_pred):
    """mean((log(y_pred + 1) - log(y_true + 1))^2, axis=-1), inputs floored at eps."""
    y_true, y_pred = _pair(y_true, y_pred)
    a = _tf.math.log(_tf.maximum(y_pred, EPSILON) + 1.0)
    b = _tf.math.log(_tf.maximum(y_true, EPSILON) + 1.0)
    return _tf.reduce_mean(_tf.square(a - b), axis=-1)


def huber(y_true, y_pred, delta=1.0):
    """Quadratic for |error| <= delta, linear beyond; mean over the last axis."""
    y_true, y_pred = _pair(y_true, y_pred)
    d = _tf.cast(delta, y_pred.dtype)
    err = y_pred - y_true
    abs_err = _tf.abs(err)
    quad = 0.5 * _tf.square(err)
    lin = d * abs_err - 0.5 * _tf.square(d)
    return _tf.reduce_mean(_tf.where(abs_err <= d, quad, lin), axis=-1)


def log_cosh(y_true, y_pred):
    """mean(log(cosh(y_pred - y_true)), axis=-1), computed stably."""
    y_true, y_pred = _pair(y_true, y_pred)
    x = y_pred - y_true
    log2 = _tf.cast(0.6931471805599453, x.dtype)
    return _tf.reduce_mean(x + _tf.math.softplus(-2.0 * x) - log2, axis=-1)


def kl_divergence(y_true, y_pred):
    """sum(y_true * log(y_true / y_pred), axis=-1), both clipped to [eps, 1]."""
    y_true, y_pred = _pair(y_true, y_pred)
    y_true = _tf.clip_by_value(y_true, EPSILON, 1.0)
    y_pred = _tf.clip_by_value(y_pred, EPSILON, 1.0)
    return _tf.reduce_sum(y_true * _tf.math.log(y_true / y_pred), axis=-1)


def poisson(y_true, y_pred):
    """mean(y_pred - y_true * log(y_pred + eps), axis=-1)."""
    y_true, y_pred = _pair(y_true, y_pred)
    return _tf.reduce_mean(y_pred - y_true * _tf.math.log(y_pred + EPSILON), axis=-1)


def _l2_normalize(x, axis):
    sq = _tf.reduce_sum(_tf.square(x), axis=axis, keepdims=True)
    return x * _tf.math.rsqrt(_tf.maximum(sq, 1e-12))


def cosine_similarity(y_true, y_pred, axis=-1):
    """-sum(l2_normalize(y_true) * l2_normalize(y_pred), axis)."""
    y_true, y_pred = _pair(y_true, y_pred)
    return -_tf.reduce_sum(_l2_normalize(y_true, axis) * _l2_normalize(y_pred, axis), axis=axis)


def _hinge_labels(y_true):
    # Labels given as {0, 1} become {-1, 1}.
    is_binary = _tf.reduce_all(_tf.logical_or(_tf.equal(y_true, 0), _tf.equal(y_true, 1)))
    return _tf.where(is_binary, 2.0 * y_true - 1.0, y_true)


def hinge(y_true, y_pred):
    """mean(max(1 - y_true * y_pred, 0), axis=-1) with {0, 1} labels mapped to {-1, 1}."""
    y_true, y_pred = _pair(y_true, y_pred)
    y_true = _hinge_labels(y_true)
    return _tf.reduce_mean(_tf.maximum(1.0 - y_true * y_pred, 0.0), axis=-1)


def squared_hinge(y_true, y_pred):
    """mean(max(1 - y_true * y_pred, 0)^2, axis=-1)."""
    y_true, y_pred = _pair(y_true, y_pred)
    y_true = _hinge_labels(y_true)
    return _tf.reduce_mean(_tf.square(_tf.maximum(1.0 - y_true * y_pred, 0.0)), axis=-1)


def categorical_hinge(y_true, y_pred):
    """max(max((1 - y_true) * y_pred) - sum(y_true * y_pred) + 1, 0)."""
    y_true, y_pred = _pair(y_true, y_pred)
    pos = _tf.reduce_sum(y_true * y_pred, axis=-1)
    neg = _tf.reduce_max((1.0 - y_true) * y_pred, axis=-1)
    return _tf.maximum(neg - pos + 1.0, 0.0)


def _bce_elementwise(y_true, y_pred, from_logits):
    if from_logits:
        return _tf.nn.sigmoid_cross_entropy_with_logits(labels=y_true, logits=y_pred)
    p = _tf.clip_by_value(y_pred, EPSILON, 1.0 - EPSILON)
    return -(y_true * _tf.math.log(p) + (1.0 - y_true) * _tf.math.log(1.0 - p))


def binary_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    """Mean binary cross-entropy over `axis` (probabilities, or logits with from_logits)."""
    y_true, y_pred = _pair(y_true, y_pred)
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing
    return _tf.reduce_mean(_bce_elementwise(y_true, y_pred, from_logits), axis=axis)


def binary_focal_crossentropy(y_true, y_pred, apply_class_balancing=False, alpha=0.25,
                              gamma=2.0, from_logits=False, label_smoothing=0.0,
                              axis=-1):  # fmt: skip
    """Binary cross-entropy down-weighted by (1 - p_t)^gamma."""
    y_true, y_pred = _pair(y_true, y_pred)
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing
    bce = _bce_elementwise(y_true, y_pred, from_logits)
    if from_logits:
        y_pred = _tf.sigmoid(y_pred)
    p_t = y_true * y_pred + (1.0 - y_true) * (1.0 - y_pred)
    focal = _tf.pow(1.0 - p_t, gamma) * bce
    if apply_class_balancing:
        focal = (y_true * alpha + (1.0 - y_true) * (1.0 - alpha)) * focal
    return _tf.reduce_mean(focal, axis=axis)


def _check_class_axis(y_true, y_pred):
    if y_true.shape.rank is not None and y_true.shape.rank < 1:
        raise ValueError(
            "Arguments `target` and `output` must be at least rank 1. Received: "
            f"target.shape={tuple(y_true.shape.as_list())}, "
            f"output.shape={tuple(y_pred.shape.as_list())}"
        )
    if not y_true.shape.is_compatible_with(y_pred.shape):
        raise ValueError(
            "Arguments `target` and `output` must have the same shape. Received: "
            f"target.shape={tuple(y_true.shape.as_list())}, "
            f"output.shape={tuple(y_pred.shape.as_list())}"
        )


def categorical_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    """-sum(y_true * log(y_pred), axis) (y_pred normalized and clipped, or logits)."""
    y_true, y_pred = _pair(y_true, y_pred)
    _check_class_axis(y_true, y_pred)
    if label_smoothing:
        n = _tf.cast(_tf.shape(y_true)[axis], y_pred.dtype)
        y_true = y_true * (1.0 - label_smoothing) + label_smoothing / n
    if from_logits:
        return _tf.nn.softmax_cross_entropy_with_logits(labels=y_true, logits=y_pred, axis=axis)
    p = y_pred / _tf.reduce_sum(y_pred, axis=axis, keepdims=True)
    p = _tf.clip_by_value(p, EPSILON, 1.0 - EPSILON)
    return -_tf.reduce_sum(y_true * _tf.math.log(p), axis=axis)


def categorical_focal_crossentropy(y_true, y_pred, alpha=0.25, gamma=2.0, from_logits=False,
                                   label_smoothing=0.0, axis=-1):  # fmt: skip
    """Categorical cross-entropy weighted by alpha * (1 - p)^gamma."""
    y_true, y_pred = _pair(y_true, y_pred)
    if label_smoothing:
        n = _tf.cast(_tf.shape(y_true)[axis], y_pred.dtype)
        y_true = y_true * (1.0 - label_smoothing) + label_smoothing / n
    if from_logits:
        y_pred = _tf.nn.softmax(y_pred, axis=axis)
    p = y_pred / _tf.reduce_sum(y_pred, axis=axis, keepdims=True)
    p = _tf.clip_by_value(p, EPSILON, 1.0 - EPSILON)
    ce = -y_true * _tf.math.log(p)
    return _tf.reduce_sum(alpha * _tf.pow(1.0 - p, gamma) * ce, axis=axis)


def _sparse_ce(y_true, y_pred, from_logits, axis):
    y_pred = _tensor(y_pred)
    y_true = _tensor(y_true)
    if (
        y_true.shape.rank is not None
        and y_true.shape.rank == y_pred.shape.rank
        and y_true.shape[-1] == 1
    ):
        y_true = _tf.squeeze(y_true, -1)
    labels = _tf.cast(y_true, _tf.int64) if not y_true.dtype.is_integer else y_true
    logits = y_pred
    if axis != -1 and axis != (y_pred.shape.rank or 0) - 1:
        perm = [i for i in range(y_pred.shape.rank) if i != axis % y_pred.shape.rank]
        logits = _tf.transpose(logits, perm + [axis % y_pred.shape.rank])
    if not from_logits:
        # Keras 3 clips and takes the log without normalizing; the softmax inside the
        # cross-entropy normalizes.
        logits = _tf.math.log(_tf.clip_by_value(logits, EPSILON, 1.0 - EPSILON))
    return labels, logits


def sparse_categorical_crossentropy(y_true, y_pred, from_logits=False, ignore_class=None,
                                    axis=-1):  # fmt: skip
    """Cross-entropy of integer labels against probabilities (or logits) over `axis`."""
    values, _ = _sparse_ce_values(y_true, y_pred, from_logits, ignore_class, axis)
    return values


def _sparse_ce_values(y_true, y_pred, from_logits, ignore_class, axis):
    labels, logits = _sparse_ce(y_true, y_pred, from_logits, axis)
    valid = None
    if ignore_class is not None:
        valid = _tf.not_equal(labels, _tf.cast(ignore_class, labels.dtype))
        labels = _tf.where(valid, labels, _tf.zeros_like(labels))
    values = _tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits)
    if valid is not None:
        values = _tf.where(valid, values, _tf.zeros_like(values))
    return values, valid


# -- the classes -------------------------------------------------------------------------


def _simple(cls_name, fn, default_name, doc):
    def __init__(self, reduction="sum_over_batch_size", name=default_name, dtype=None):
        LossFunctionWrapper.__init__(self, fn, reduction=reduction, name=name, dtype=dtype)

    def from_config(cls, config):
        return cls(**config)

    cls = type(cls_name, (LossFunctionWrapper,), {"__init__": __init__, "__doc__": doc,
                                                  "from_config": classmethod(from_config)})  # fmt: skip
    cls.__module__ = __name__
    return cls


MeanSquaredError = _simple("MeanSquaredError", mean_squared_error, "mean_squared_error",
                           "Mean of squared errors.")  # fmt: skip
MeanAbsoluteError = _simple("MeanAbsoluteError", mean_absolute_error, "mean_absolute_error",
                            "Mean of absolute errors.")  # fmt: skip
MeanAbsolutePercentageError = _simple(
    "MeanAbsolutePercentageError", mean_absolute_percentage_error,
    "mean_absolute_percentage_error", "Mean absolute percentage error.")  # fmt: skip
MeanSquaredLogarithmicError = _simple(
    "MeanSquaredLogarithmicError", mean_squared_logarithmic_error,
    "mean_squared_logarithmic_error", "Mean squared logarithmic error.")  # fmt: skip
LogCosh = _simple("LogCosh", log_cosh, "log_cosh", "Logarithm of the hyperbolic cosine.")
KLDivergence = _simple("KLDivergence", kl_divergence, "kl_divergence", "KL divergence.")
Poisson = _simple("Poisson", poisson, "poisson", "Poisson loss.")
Hinge = _simple("Hinge", hinge, "hinge", "Hinge loss.")
SquaredHinge = _simple("SquaredHinge", squared_hinge, "squared_hinge", "Squared hinge loss.")
CategoricalHinge = _simple("CategoricalHinge", categorical_hinge, "categorical_hinge",
                           "Categorical hinge loss.")  # fmt: skip


class Huber(LossFunctionWrapper):
    """Huber loss: quadratic within `delta`, linear beyond."""

    def __init__(self, delta=1.0, reduction="sum_over_batch_size", name="huber_loss",
                 dtype=None):  # fmt: skip
        super().__init__(huber, reduction=reduction, name=name, dtype=dtype, delta=delta)


class CosineSimilarity(LossFunctionWrapper):
    """Negative cosine similarity along `axis`."""

    def __init__(self, axis=-1, reduction="sum_over_batch_size", name="cosine_similarity",
                 dtype=None):  # fmt: skip
        super().__init__(cosine_similarity, reduction=reduction, name=name, dtype=dtype,
                         axis=axis)  # fmt: skip


class BinaryCrossentropy(LossFunctionWrapper):
    """Binary cross-entropy (`from_logits`, `label_smoothing`, `axis`).

    >>> tf.keras.losses.BinaryCrossentropy(from_logits=True)([[0., 1.]], [[-1., 2.]])
    """

    def __init__(self, from_logits=False, label_smoothing=0.0, axis=-1,
                 reduction="sum_over_batch_size", name="binary_crossentropy",
                 dtype=None):  # fmt: skip
        super().__init__(binary_crossentropy, reduction=reduction, name=name, dtype=dtype,
                         from_logits=from_logits, label_smoothing=label_smoothing, axis=axis)  # fmt: skip
        self.from_logits = from_logits
        self.label_smoothing = label_smoothing
        self.axis = axis

    def _config_kwargs(self):
        return {"from_logits": self.from_logits, "label_smoothing": self.label_smoothing,
                "axis": self.axis}  # fmt: skip


class BinaryFocalCrossentropy(LossFunctionWrapper):
    """Binary focal cross-entropy."""

    def __init__(self, apply_class_balancing=False, alpha=0.25, gamma=2.0, from_logits=False,
                 label_smoothing=0.0, axis=-1, reduction="sum_over_batch_size",
                 name="binary_focal_crossentropy", dtype=None):  # fmt: skip
        super().__init__(binary_focal_crossentropy, reduction=reduction, name=name, dtype=dtype,
                         apply_class_balancing=apply_class_balancing, alpha=alpha, gamma=gamma,
                         from_logits=from_logits, label_smoothing=label_smoothing, axis=axis)  # fmt: skip
        self.from_logits, self.label_smoothing, self.axis = from_logits, label_smoothing, axis
        self.apply_class_balancing, self.alpha, self.gamma = apply_class_balancing, alpha, gamma

    def _config_kwargs(self):
        return {"from_logits": self.from_logits, "label_smoothing": self.label_smoothing,
                "axis": self.axis, "apply_class_balancing": self.apply_class_balancing,
                "alpha": self.alpha, "gamma": self.gamma}  # fmt: skip


class CategoricalCrossentropy(LossFunctionWrapper):
    """Cross-entropy of one-hot (or soft) labels."""

    def __init__(self, from_logits=False, label_smoothing=0.0, axis=-1,
                 reduction="sum_over_batch_size", name="categorical_crossentropy",
                 dtype=None):  # fmt: skip
        super().__init__(categorical_crossentropy, reduction=reduction, name=name, dtype=dtype,
                         from_logits=from_logits, label_smoothing=label_smoothing, axis=axis)  # fmt: skip
        self.from_logits = from_logits
        self.label_smoothing = label_smoothing
        self.axis = axis

    def _config_kwargs(self):
        return {"from_logits": self.from_logits, "label_smoothing": self.label_smoothing,
                "axis": self.axis}  # fmt: skip


class CategoricalFocalCrossentropy(LossFunctionWrapper):
    """Categorical focal cross-entropy."""

    def __init__(self, alpha=0.25, gamma=2.0, from_logits=False, label_smoothing=0.0, axis=-1,
                 reduction="sum_over_batch_size", name="categorical_focal_crossentropy",
                 dtype=None):  # fmt: skip
        super().__init__(categorical_focal_crossentropy, reduction=reduction, name=name,
                         dtype=dtype, alpha=alpha, gamma=gamma, from_logits=from_logits,
                         label_smoothing=label_smoothing, axis=axis)  # fmt: skip
        self.from_logits, self.label_smoothing, self.axis = from_logits, label_smoothing, axis
        self.alpha, self.gamma = alpha, gamma

    def _config_kwargs(self):
        return {"from_logits": self.from_logits, "label_smoothing": self.label_smoothing,
                "axis": self.axis, "alpha": self.alpha, "gamma": self.gamma}  # fmt: skip


class SparseCategoricalCrossentropy(LossFunctionWrapper):
    """Cross-entropy of integer class labels; `ignore_class` labels count as masked."""

    def __init__(self, from_logits=False, ignore_class=None, reduction="sum_over_batch_size",
                 name="sparse_categorical_crossentropy", dtype=None, axis=-1):  # fmt: skip
        super().__init__(sparse_categorical_crossentropy, reduction=reduction, name=name,
                         dtype=dtype, from_logits=from_logits, ignore_class=ignore_class)  # fmt: skip
        self.from_logits = from_logits
        self.ignore_class = ignore_class
        self.axis = axis

    def call(self, y_true, y_pred):
        y_true, y_pred = _same_rank(y_true, y_pred)
        values, valid = _sparse_ce_values(y_true, y_pred, self.from_logits, self.ignore_class,
                                          self.axis)  # fmt: skip
        self._last_mask = valid
        return values

    def _config_kwargs(self):
        return {"from_logits": self.from_logits, "ignore_class": self.ignore_class}


# Function aliases (Keras 3's short names and Keras 2's long ones).
mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error
mape = MAPE = mean_absolute_percentage_error
msle = MSLE = mean_squared_logarithmic_error
kld = KLD = kullback_leibler_divergence = kl_divergence
logcosh = log_cosh
huber_loss = huber

_CLASSES = [MeanSquaredError, MeanAbsoluteError, MeanAbsolutePercentageError,
            MeanSquaredLogarithmicError, Huber, LogCosh, BinaryCrossentropy,
            BinaryFocalCrossentropy, CategoricalCrossentropy, CategoricalFocalCrossentropy,
            SparseCategoricalCrossentropy, KLDivergence, Poisson, CosineSimilarity, Hinge,
            SquaredHinge, CategoricalHinge]  # fmt: skip
_FUNCTIONS = {f.__name__: f for f in [
    mean_squared_error, mean_absolute_error, mean_absolute_percentage_error,
    mean_squared_logarithmic_error, huber, log_cosh, binary_crossentropy,
    binary_focal_crossentropy, categorical_crossentropy, categorical_focal_crossentropy,
    sparse_categorical_crossentropy, kl_divergence, poisson, cosine_similarity, hinge,
    squared_hinge, categorical_hinge]}  # fmt: skip
_FUNCTIONS.update({"mse": mse, "mae": mae, "mape": mape, "msle": msle, "kld": kld,
                   "MSE": mse, "MAE": mae, "MAPE": mape, "MSLE": msle, "KLD": kld,
                   "logcosh": log_cosh, "kullback_leibler_divergence": kl_divergence,
                   "huber_loss": huber})  # fmt: skip
_CLASS_TABLE = {c.__name__: c for c in _CLASSES}
_CLASS_TABLE.update({"Loss": Loss, "LossFunctionWrapper": LossFunctionWrapper})
_FN_NAMES = {id(f): name for name, f in _FUNCTIONS.items() if name == f.__name__}


def serialize(loss):
    """Keras 3's dict for a loss object, or the function form's dict."""
    if isinstance(loss, Loss):
        return _leaf_utils.serialize_object(loss, "keras.losses")
    name = getattr(loss, "__name__", None)
    return {"module": "builtins", "class_name": "function", "config": name,
            "registered_name": "function"}  # fmt: skip


def deserialize(name, custom_objects=None):
    """The loss a name or serialized dict describes."""
    if isinstance(name, dict) and name.get("class_name") == "function":
        return deserialize(name.get("config"), custom_objects)
    if isinstance(name, str):
        if custom_objects and name in custom_objects:
            return custom_objects[name]
        if name in _FUNCTIONS:
            return _FUNCTIONS[name]
        if name in _CLASS_TABLE:
            return _CLASS_TABLE[name]()
        raise ValueError(f"Could not interpret loss identifier: {name}")
    return _leaf_utils.deserialize_object(name, _CLASS_TABLE, "loss", custom_objects)


def get(identifier):
    """A loss from a name ("mse", "MeanSquaredError"), a dict, or a callable.

    >>> tf.keras.losses.get("mse") is tf.keras.losses.mean_squared_error
    True
    """
    return _leaf_utils.get_object(identifier, deserialize, "loss", base_class=Loss)
