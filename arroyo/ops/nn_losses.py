"""Losses and normalization helpers of tf.nn: cross entropies, l2_loss, moments, dropout, gelu...

The two fused softmax cross-entropy ops return (loss, backprop) like TF's raw ops; their
gradients use the stored backprop and handle a gradient arriving at backprop too, so
second derivatives of a softmax loss work. The rest is composed of public ops, exactly as
TF composes it, so values and gradients follow TF's.
"""

from __future__ import annotations

import numbers

import numpy as np

from arroyo.framework import dtypes
from arroyo.framework.errors import InvalidArgumentError
from arroyo.framework.op_registry import FLOATS, defop, execute
from arroyo.framework.tensor_shape import TensorShape
from arroyo.ops import array_ops, math_ops, nn_ops, reduction_ops, unary_ops
from arroyo.ops._helpers import NO_ATTRS, check_allowed, is_tensorlike, to_tensor

_F = FLOATS
_LABEL_T = (dtypes.int32, dtypes.int64)


def _acc(dt):
    return np.float32 if dt.kind == "f" and dt.itemsize < 4 else dt


def _shape_str(s):
    return "[" + ",".join(map(str, s)) + "]"


# -- SoftmaxCrossEntropyWithLogits ------------------------------------------------------


def _softmax_xent_kernel(features, labels):
    if np.ndim(features) > 2 or np.ndim(labels) > 2 or max(np.ndim(features), np.ndim(labels)) < 2:
        raise InvalidArgumentError(
            None, None,
            "logits and labels must be either 2-dimensional, or broadcasted to be 2-dimensional "
            "[Op:SoftmaxCrossEntropyWithLogits]",
        )  # fmt: skip
    try:
        shape = np.broadcast_shapes(np.shape(features), np.shape(labels))
    except ValueError:
        shape = None
    if shape is None or len(shape) != 2:
        raise InvalidArgumentError(
            None, None,
            f"logits and labels must be broadcastable: logits_size={_shape_str(np.shape(features))} "
            f"labels_size={_shape_str(np.shape(labels))} [Op:SoftmaxCrossEntropyWithLogits]",
        )  # fmt: skip
    dt = features.dtype
    acc = _acc(dt)
    f = np.broadcast_to(features, shape).astype(acc, copy=False)
    lab = np.broadcast_to(labels, shape).astype(acc, copy=False)
    shifted = f - np.max(f, axis=-1, keepdims=True) if shape[1] else f
    e = np.exp(shifted)
    s = np.sum(e, axis=-1, keepdims=True)
    log_sm = shifted - np.log(s)
    loss = -np.sum(lab * log_sm, axis=-1)
    backprop = e / s - lab
    return [loss.astype(dt, copy=False), backprop.astype(dt, copy=False)]


def _xent_infer(inputs, attrs):
    f, lab = inputs[0], inputs[1]
    fs, ls = f.shape, lab.shape
    if fs.rank == 2 and ls.rank == 2:
        a, b = fs.as_list(), ls.as_list()
        shape = [x if x not in (None, 1) else y for x, y in zip(a, b)]
        return [(f.dtype, TensorShape(shape[:1])), (f.dtype, TensorShape(shape))]
    return [(f.dtype, TensorShape([None])), (f.dtype, TensorShape([None, None]))]


def _grad_grad_term(logits, grad_grad):
    # d(backprop)/d(logits) applied to grad_grad: (gg - sum(gg * softmax)) * softmax.
    sm = nn_ops.softmax(logits)
    inner = reduction_ops.reduce_sum(math_ops.multiply(grad_grad, sm), axis=-1, keepdims=True)
    return math_ops.multiply(math_ops.subtract(grad_grad, inner), sm)


def _is_zero(t):
    v = getattr(t, "_value", None)
    return v is not None and not np.any(v)


def _softmax_xent_grad(op, grad_loss, grad_grad):
    logits = op.inputs[0]
    backprop = op.outputs[1]
    gl = array_ops.expand_dims(grad_loss, -1)
    grad = math_ops.multiply(gl, backprop)
    glabels = math_ops.multiply(gl, math_ops.negative(nn_ops.log_softmax(logits)))
    if grad_grad is not None and not _is_zero(grad_grad):
        grad = math_ops.add(grad, _grad_grad_term(logits, grad_grad))
        # backprop = softmax - labels also depends on labels (TF leaves this term out; the
        # second derivative with respect to labels is only right with it).
        glabels = math_ops.subtract(glabels, grad_grad)
    return grad, glabels


_SOFTMAX_XENT = defop("SoftmaxCrossEntropyWithLogits", ("features", "labels"), _softmax_xent_kernel,
                      attrs={"T": None}, infer=_xent_infer, grad=_softmax_xent_grad, num_outputs=2)  # fmt: skip


# -- SparseSoftmaxCrossEntropyWithLogits ------------------------------------------------


def _sparse_xent_kernel(features, labels, Tlabels=None):
    op = "SparseSoftmaxCrossEntropyWithLogits"
    if np.ndim(features) != 2:
        raise InvalidArgumentError(
            None,
            None,
            f"logits must be 2-D, but got shape {_shape_str(np.shape(features))} [Op:{op}]",
        )
    if np.ndim(labels) != 1:
        raise InvalidArgumentError(
            None,
            None,
            f"labels must be 1-D, but got shape {_shape_str(np.shape(labels))} [Op:{op}]",
        )
    b, c = features.shape
    if labels.shape[0] != b:
        raise InvalidArgumentError(
            None, None,
            f"logits and labels must have the same first dimension, got logits shape "
            f"{_shape_str(features.shape)} and labels shape {_shape_str(labels.shape)} [Op:{op}]",
        )  # fmt: skip
    if c == 0 and b:
        raise InvalidArgumentError(
            None, None, f"Must have at least one class, but got logits shape {_shape_str(features.shape)} [Op:{op}]"
        )  # fmt: skip
    bad = (labels < 0) | (labels >= c)
    if np.any(bad):
        first = labels[np.argmax(bad)]
        vals = " ".join(str(v) for v in labels.tolist())
        raise InvalidArgumentError(
            None, None,
            f"Received a label value of {first} which is outside the valid range of [0, {c}).  "
            f"Label values: {vals} [Op:{op}]",
        )  # fmt: skip
    dt = features.dtype
    f = features.astype(_acc(dt), copy=False)
    shifted = f - np.max(f, axis=-1, keepdims=True) if c else f
    e = np.exp(shifted)
    s = np.sum(e, axis=-1, keepdims=True)
    rows = np.arange(b)
    loss = np.log(s[:, 0]) - shifted[rows, labels]
    backprop = e / s
    backprop[rows, labels] -= 1
    return [loss.astype(dt, copy=False), backprop.astype(dt, copy=False)]


def _sparse_infer(inputs, attrs):
    f = inputs[0]
    s = f.shape
    if s.rank is None:
        return [(f.dtype, TensorShape([None])), (f.dtype, TensorShape([None, None]))]
    return [(f.dtype, TensorShape(s.as_list()[:1])), (f.dtype, s)]


def _sparse_xent_grad(op, grad_loss, grad_grad):
    logits = op.inputs[0]
    grad = math_ops.multiply(array_ops.expand_dims(grad_loss, -1), op.outputs[1])
    if grad_grad is not None and not _is_zero(grad_grad):
        grad = math_ops.add(grad, _grad_grad_term(logits, grad_grad))
    return grad, None


_SPARSE_XENT = defop("SparseSoftmaxCrossEntropyWithLogits", ("features", "labels"), _sparse_xent_kernel,
                     attrs={"T": None, "Tlabels": dtypes.int64}, infer=_sparse_infer,
                     grad=_sparse_xent_grad, num_outputs=2)  # fmt: skip


# -- L2Loss -----------------------------------------------------------------------------


def _l2loss_kernel(t):
    dt = t.dtype
    v = t.astype(_acc(dt), copy=False).reshape(-1)
    return np.asarray(np.dot(v, v) / 2, dtype=dt)


_L2LOSS = defop("L2Loss", ("t",), _l2loss_kernel, attrs={"T": None},
                infer=lambda inputs, attrs: [(inputs[0].dtype, TensorShape([]))],
                grad=lambda op, g: math_ops.multiply(op.inputs[0], g))  # fmt: skip


def l2_loss(t, name=None):
    """sum(t ** 2) / 2 (raw op L2Loss).

    >>> float(tf.nn.l2_loss([1.0, 2.0]))
    2.5
    """
    t = to_tensor(t)
    if t.dtype not in _F:
        check_allowed(_L2LOSS, t, _F)
    return execute(_L2LOSS, (t,), NO_ATTRS, name)


# -- public losses ----------------------------------------------------------------------


def _float_logits(op, logits):
    if logits.dtype not in _F:
        check_allowed(op, logits, _F)


def softmax_cross_entropy_with_logits(labels, logits, axis=-1, name=None):
    """-sum(labels * log_softmax(logits), axis): one loss per example.

    >>> tf.nn.softmax_cross_entropy_with_logits([[0.0, 1.0]], [[0.0, 0.0]]).numpy().round(4).tolist()
    [0.6931]
    """
    logits = to_tensor(logits)
    _float_logits(_SOFTMAX_XENT, logits)
    labels = to_tensor(labels)
    if labels.dtype is not logits.dtype:
        labels = math_ops.cast(labels, logits.dtype)
    rank = logits.shape.rank
    if axis is None:
        axis = -1
    if rank is not None and axis % max(rank, 1) != rank - 1:
        perm = list(range(rank))
        a = axis % rank
        perm[a], perm[-1] = perm[-1], perm[a]
        logits = array_ops.transpose(logits, perm)
        labels = array_ops.transpose(labels, perm)
    shape = logits.shape.as_list() if rank is not None else None
    if rank == 2:
        loss, _ = execute(_SOFTMAX_XENT, (logits, labels), NO_ATTRS, name)
        return loss
    n = shape[-1] if shape and shape[-1] is not None else -1
    lf = array_ops.reshape(logits, [-1, n])
    lb = array_ops.reshape(labels, [-1, n])
    loss, _ = execute(_SOFTMAX_XENT, (lf, lb), NO_ATTRS, name)
    if rank == 1:
        return array_ops.reshape(loss, [])
    return array_ops.reshape(loss, array_ops.shape(logits)[:-1])


def sparse_softmax_cross_entropy_with_logits(labels, logits, name=None):
    """-log_softmax(logits)[labels]: `labels` are class indices of shape logits.shape[:-1].

    >>> tf.nn.sparse_softmax_cross_entropy_with_logits([1], [[0.0, 0.0]]).numpy().round(4).tolist()
    [0.6931]
    """
    logits = to_tensor(logits)
    labels = to_tensor(labels)
    ls, gs = labels.shape, logits.shape
    if gs.rank == 0:
        raise ValueError(f"`logits` cannot be a scalar. Received logits={logits}")
    if ls.rank is not None and gs.rank is not None:
        if ls.rank != gs.rank - 1:
            raise ValueError(
                "`labels.shape.rank` must equal `logits.shape.rank - 1`. Received: "
                f"labels.shape={_tuple(ls)} of rank {ls.rank} and logits.shape={_tuple(gs)} of rank {gs.rank}"
            )
        if not TensorShape(gs.as_list()[:-1]).is_compatible_with(ls):
            raise ValueError(
                "`labels.shape` must equal `logits.shape` except for the last dimension. Received: "
                f"labels.shape={_tuple(ls)} and logits.shape={_tuple(gs)}"
            )
    if labels.dtype not in _LABEL_T:
        raise InvalidArgumentError(
            None, None,
            f"Value for attr 'Tlabels' of {labels.dtype.name} is not in the list of allowed values: int32, int64\n\t; "
            "NodeDef: {{node SparseSoftmaxCrossEntropyWithLogits}} [Op:SparseSoftmaxCrossEntropyWithLogits]",
        )  # fmt: skip
    _float_logits(_SPARSE_XENT, logits)
    attrs = {"Tlabels": labels.dtype}
    if gs.rank == 2:
        loss, _ = execute(_SPARSE_XENT, (logits, labels), attrs, name)
        return loss
    n = gs.as_list()[-1] if gs.rank is not None and gs.as_list()[-1] is not None else -1
    loss, _ = execute(_SPARSE_XENT, (array_ops.reshape(logits, [-1, n]), array_ops.reshape(labels, [-1])),
                      attrs, name)  # fmt: skip
    if gs.rank == 1:
        return array_ops.reshape(loss, [])
    return array_ops.reshape(loss, array_ops.shape(labels))


def _tuple(shape):
    return tuple(shape.as_list()) if shape.rank is not None else None


def _same_shape(logits, labels):
    if not labels.shape.is_compatible_with(logits.shape):
        raise ValueError(
            "`logits` and `labels` must have the same shape, received "
            f"({_tuple(logits.shape)} vs {_tuple(labels.shape)})."
        )


def _logits_labels(labels, logits):
    logits = to_tensor(logits)
    labels = to_tensor(labels) if is_tensorlike(labels) else to_tensor(labels, dtype=logits.dtype)
    _same_shape(logits, labels)
    return labels, logits


def sigmoid_cross_entropy_with_logits(labels=None, logits=None, name=None):
    """max(x, 0) - x * z + log(1 + exp(-|x|)): the stable binary cross entropy per element.

    >>> tf.nn.sigmoid_cross_entropy_with_logits([1.0], [0.0]).numpy().round(4).tolist()
    [0.6931]
    """
    if labels is None or logits is None:
        raise ValueError("Both `labels` and `logits` must be provided for sigmoid_cross_entropy_with_logits"
                         f"Received: labels={labels} and logits={logits}")  # fmt: skip
    labels, logits = _logits_labels(labels, logits)
    zeros = array_ops.zeros_like(logits)
    cond = math_ops.greater_equal(logits, zeros)
    relu_logits = array_ops.where(cond, logits, zeros)
    neg_abs_logits = array_ops.where(cond, math_ops.negative(logits), logits)
    return math_ops.add(math_ops.subtract(relu_logits, math_ops.multiply(logits, labels)),
                        unary_ops.log1p(unary_ops.exp(neg_abs_logits)), name=name)  # fmt: skip


def weighted_cross_entropy_with_logits(labels, logits, pos_weight, name=None):
    """Sigmoid cross entropy with the positive term weighted by `pos_weight`.

    >>> tf.nn.weighted_cross_entropy_with_logits([1.0], [0.0], 2.0).numpy().round(4).tolist()
    [1.3863]
    """
    labels, logits = _logits_labels(labels, logits)
    pw = (
        pos_weight - 1 if isinstance(pos_weight, (int, float)) else math_ops.subtract(pos_weight, 1)
    )
    log_weight = math_ops.add(1, math_ops.multiply(pw, labels))
    soft = math_ops.add(unary_ops.log1p(unary_ops.exp(math_ops.negative(math_ops.abs(logits)))),
                        nn_ops.relu(math_ops.negative(logits)))  # fmt: skip
    return math_ops.add(math_ops.multiply(math_ops.subtract(1, labels), logits),
                        math_ops.multiply(log_weight, soft), name=name)  # fmt: skip


def l2_normalize(x, axis=None, epsilon=1e-12, name=None, dim=None):
    """x / sqrt(max(sum(x ** 2, axis), epsilon)).

    >>> tf.math.l2_normalize([3.0, 4.0]).numpy().tolist()
    [0.6000000238418579, 0.800000011920929]
    """
    if dim is not None:
        axis = dim
    x = to_tensor(x)
    if x.dtype.is_complex:
        sq = unary_ops.square(math_ops.abs(x))
        inv = unary_ops.rsqrt(
            math_ops.maximum(reduction_ops.reduce_sum(sq, axis, keepdims=True), epsilon)
        )
        return math_ops.multiply(x, math_ops.cast(inv, x.dtype), name=name)
    if x.dtype.is_integer:
        raise TypeError(f"Cannot convert {epsilon} to EagerTensor of dtype {x.dtype.name}")
    square_sum = reduction_ops.reduce_sum(unary_ops.square(x), axis, keepdims=True)
    return math_ops.multiply(x, unary_ops.rsqrt(math_ops.maximum(square_sum, epsilon)), name=name)


def moments(x, axes, shift=None, keepdims=False, name=None):
    """(mean, variance) of `x` over `axes` (half precision accumulates in float32).

    >>> [float(t) for t in tf.nn.moments(tf.constant([1.0, 3.0]), axes=[0])]
    [2.0, 1.0]
    """
    x = to_tensor(x)
    y = math_ops.cast(x, dtypes.float32) if x.dtype is dtypes.float16 else x
    mean = reduction_ops.reduce_mean(y, axes, keepdims=True)
    variance = reduction_ops.reduce_mean(math_ops.squared_difference(y, array_ops.stop_gradient(mean)), axes,
                                         keepdims=True)  # fmt: skip
    if not keepdims:
        mean = array_ops.squeeze(mean, axes)
        variance = array_ops.squeeze(variance, axes)
    if x.dtype is dtypes.float16:
        return math_ops.cast(mean, dtypes.float16), math_ops.cast(variance, dtypes.float16)
    return mean, variance


def batch_normalization(x, mean, variance, offset, scale, variance_epsilon, name=None):
    """(x - mean) * scale / sqrt(variance + epsilon) + offset, computed as TF does.

    >>> tf.nn.batch_normalization(tf.constant([2.0]), 1.0, 4.0, 0.0, 1.0, 0.0).numpy().tolist()
    [0.5]
    """
    x = to_tensor(x)
    inv = unary_ops.rsqrt(math_ops.add(variance, variance_epsilon))
    if scale is not None:
        inv = math_ops.multiply(inv, scale)
    shift = math_ops.subtract(offset, math_ops.multiply(mean, inv)) if offset is not None else \
        math_ops.negative(math_ops.multiply(mean, inv))  # fmt: skip
    inv = to_tensor(inv)
    shift = to_tensor(shift)
    if inv.dtype is not x.dtype:
        inv = math_ops.cast(inv, x.dtype)
    if shift.dtype is not x.dtype:
        shift = math_ops.cast(shift, x.dtype)
    return math_ops.add(math_ops.multiply(x, inv), shift, name=name)


def _uniform(shape, seed, dtype):
    """Uniform [0, 1) noise: the random_ops module's (TF's Philox stream) when it exists."""
    try:
        from arroyo.ops import random_ops
    except ImportError:
        random_ops = None
    fn = getattr(random_ops, "uniform", None) or getattr(random_ops, "random_uniform", None)
    if fn is not None:
        return fn(shape, seed=seed, dtype=dtype)
    shape_v = shape.numpy() if hasattr(shape, "numpy") else shape
    rng = np.random.default_rng(seed)
    return array_ops.constant(
        rng.random(tuple(int(d) for d in np.reshape(shape_v, -1))).astype(dtype.as_numpy_dtype)
    )


def _noise_shape(x, noise_shape):
    if noise_shape is None:
        return array_ops.shape(x)
    if isinstance(noise_shape, (list, tuple)) and any(d is None for d in noise_shape):
        xs = x.shape.as_list()
        if len(xs) == len(noise_shape):
            return [xs[i] if d is None else d for i, d in enumerate(noise_shape)]
    return noise_shape


def dropout(x, rate, noise_shape=None, seed=None, name=None):
    """Zeroes elements with probability `rate` and scales the rest by 1 / (1 - rate).

    >>> y = tf.nn.dropout(tf.ones([1000]), 0.5, seed=1)
    >>> sorted(set(y.numpy().tolist()))
    [0.0, 2.0]
    """
    is_rate_number = isinstance(rate, numbers.Real) and not isinstance(rate, bool)
    if is_rate_number and (rate < 0 or rate >= 1):
        raise ValueError(
            f"`rate` must be a scalar tensor or a float in the range [0, 1). Received: rate={rate}"
        )
    x = to_tensor(x)
    if not x.dtype.is_floating:
        raise ValueError(
            f"`x.dtype` must be a floating point tensor as `x` will be scaled. Received: x_dtype={x.dtype!r}"
        )
    if is_rate_number and rate == 0:
        return x
    if not is_tensorlike(rate):
        if not is_rate_number:
            raise ValueError(f"`rate` must be a scalar or scalar tensor. Received: rate={rate}")
        ret = math_ops.multiply(x, array_ops.constant(1 / (1 - rate), dtype=x.dtype))
    else:
        rate = to_tensor(rate)
        if rate.shape.rank not in (None, 0):
            raise ValueError(f"Shape {rate.shape} must have rank 0")
        if rate.dtype is not x.dtype:
            rate = math_ops.cast(rate, x.dtype)
        ret = math_ops.divide(x, math_ops.subtract(array_ops.constant(1, dtype=x.dtype), rate))
    noise = _uniform(_noise_shape(x, noise_shape), seed, x.dtype)
    keep = math_ops.greater_equal(noise, rate)
    return array_ops.where(keep, ret, array_ops.zeros([], dtype=x.dtype))


def gelu(features, approximate=False, name=None):
    """Gaussian error linear unit: x * Phi(x) (tanh approximation with approximate=True).

    >>> tf.nn.gelu([0.0, 1.0]).numpy().round(4).tolist()
    [0.0, 0.8413]
    """
    features = to_tensor(features)
    if not features.dtype.is_floating:
        raise ValueError(
            f"`features.dtype` must be a floating point tensor.Received:features.dtype={features.dtype!r}"
        )
    half_x = math_ops.multiply(0.5, features)
    if approximate:
        cube = math_ops.multiply(math_ops.cast(0.044715, features.dtype), math_ops.pow(features, 3))
        inner = math_ops.multiply(0.7978845608028654, math_ops.add(features, cube))
        return math_ops.multiply(half_x, math_ops.add(1.0, unary_ops.tanh(inner)), name=name)
    scaled = math_ops.divide(features, math_ops.cast(1.4142135623730951, features.dtype))
    return math_ops.multiply(half_x, math_ops.add(1.0, unary_ops.erf(scaled)), name=name)


def silu(features, beta=1.0):
    """features * sigmoid(beta * features) (also tf.nn.swish).

    >>> tf.nn.silu([0.0, 1.0]).numpy().round(4).tolist()
    [0.0, 0.7311]
    """
    features = to_tensor(features)
    if isinstance(beta, (int, float)) and beta == 1.0:
        return math_ops.multiply(features, unary_ops.sigmoid(features))
    return math_ops.multiply(features, unary_ops.sigmoid(math_ops.multiply(beta, features)))


swish = silu


def log_sigmoid(x, name=None):
    """log(sigmoid(x)) = -softplus(-x), computed stably.

    >>> tf.math.log_sigmoid([0.0]).numpy().round(4).tolist()
    [-0.6931]
    """
    x = to_tensor(x)
    return math_ops.negative(nn_ops.softplus(math_ops.negative(x)), name=name)


def sufficient_statistics(x, axes, shift=None, keepdims=False, name=None):
    """(count, sum(x - shift), sum((x - shift) ** 2), shift) over `axes`, for moments."""
    x = to_tensor(x)
    dims = x.shape.as_list()
    axes_l = [int(a) for a in np.reshape(axes, -1)]
    if all(dims[a] is not None for a in axes_l):
        counts = array_ops.constant(float(np.prod([dims[a] for a in axes_l])), dtype=x.dtype)
    else:
        shape = math_ops.cast(array_ops.shape(x), x.dtype)
        counts = reduction_ops.reduce_prod(array_ops.gather(shape, axes_l))
    if shift is not None:
        shift = to_tensor(shift) if is_tensorlike(shift) else to_tensor(shift, dtype=x.dtype)
        centered = math_ops.subtract(x, shift)
    else:
        centered = x
    m_ss = reduction_ops.reduce_sum(centered, axes_l, keepdims=keepdims)
    v_ss = reduction_ops.reduce_sum(unary_ops.square(centered), axes_l, keepdims=keepdims)
    return counts, m_ss, v_ss, shift


def normalize_moments(counts, mean_ss, variance_ss, shift, name=None):
    """(mean, variance) from sufficient statistics.

    >>> [float(t) for t in tf.nn.normalize_moments(2.0, 4.0, 10.0, None)]
    [2.0, 1.0]
    """
    mean_ss = to_tensor(mean_ss)
    divisor = unary_ops.reciprocal(
        counts if is_tensorlike(counts) else to_tensor(counts, dtype=mean_ss.dtype)
    )
    shifted_mean = math_ops.multiply(mean_ss, divisor)
    mean = math_ops.add(shifted_mean, shift) if shift is not None else shifted_mean
    variance = math_ops.subtract(
        math_ops.multiply(variance_ss, divisor), unary_ops.square(shifted_mean)
    )
    return mean, variance


def weighted_moments(x, axes, frequency_weights, keepdims=False, name=None):
    """Frequency-weighted (mean, variance) of `x` over `axes`."""
    x = to_tensor(x)
    fw = to_tensor(frequency_weights)
    half = x.dtype is dtypes.float16
    if half:
        x = math_ops.cast(x, dtypes.float32)
    if fw.dtype is not x.dtype:
        fw = math_ops.cast(fw, x.dtype)
    from arroyo.ops.math_extra_ops import div_no_nan

    wsum = reduction_ops.reduce_sum(math_ops.multiply(fw, x), axes, keepdims=True)
    total = reduction_ops.reduce_sum(math_ops.add(fw, array_ops.zeros_like(x)), axes, keepdims=True)
    mean = div_no_nan(wsum, total)
    dist = reduction_ops.reduce_sum(
        math_ops.multiply(fw, math_ops.squared_difference(x, mean)), axes, keepdims=True
    )
    variance = div_no_nan(dist, total)
    if not keepdims:
        mean = array_ops.squeeze(mean, axes)
        variance = array_ops.squeeze(variance, axes)
    if half:
        mean, variance = (
            math_ops.cast(mean, dtypes.float16),
            math_ops.cast(variance, dtypes.float16),
        )
    return mean, variance


def log_poisson_loss(targets, log_input, compute_full_loss=False, name=None):
    """exp(log_input) - log_input * targets (+ Stirling's term with compute_full_loss)."""
    log_input = to_tensor(log_input)
    targets = (
        to_tensor(targets) if is_tensorlike(targets) else to_tensor(targets, dtype=log_input.dtype)
    )
    if not log_input.shape.is_compatible_with(targets.shape):
        raise ValueError("`log_input` and `targets` must have the same shape, received "
                         f"({log_input.shape} vs {targets.shape}).")  # fmt: skip
    result = math_ops.subtract(unary_ops.exp(log_input), math_ops.multiply(log_input, targets))
    if compute_full_loss:
        stirling = math_ops.add(
            math_ops.subtract(math_ops.multiply(targets, unary_ops.log(targets)), targets),
            math_ops.multiply(0.5, unary_ops.log(math_ops.multiply(2 * np.pi, targets))),
        )
        zeros = array_ops.zeros_like(targets)
        cond = math_ops.logical_and(math_ops.greater_equal(targets, zeros),
                                    math_ops.less_equal(targets, array_ops.ones_like(targets)))  # fmt: skip
        result = math_ops.add(result, array_ops.where(cond, zeros, stirling))
    return result


def compute_average_loss(per_example_loss, sample_weight=None, global_batch_size=None):
    """sum(per_example_loss * sample_weight) / global_batch_size (default: the batch size)."""
    loss = to_tensor(per_example_loss)
    dt = loss.dtype
    if loss.shape.rank == 0:
        raise ValueError(
            "Invalid value passed for `per_example_loss`. Expected a tensor with at least rank 1."
        )
    if sample_weight is not None:
        w = to_tensor(sample_weight)
        loss = math_ops.multiply(loss, w if w.dtype is dt else math_ops.cast(w, dt))
    replicas = _num_replicas()
    if global_batch_size is None:
        global_batch_size = array_ops.shape(loss)[0]
        if replicas > 1:  # in a replica function: per-replica batch * replicas (TF)
            global_batch_size = math_ops.multiply(global_batch_size, replicas)
    elif not isinstance(global_batch_size, (int, np.integer)) and not (
        getattr(global_batch_size, "dtype", None) is not None
        and getattr(global_batch_size.dtype, "is_integer", False)
    ):
        raise TypeError(
            'global_batch_size must be an integer..  Expected "x" to be integer type.  '
            f"Found: tensor of dtype {to_tensor(global_batch_size).dtype!r}"
        )
    from arroyo.ops.math_extra_ops import div_no_nan

    return div_no_nan(reduction_ops.reduce_sum(loss), math_ops.cast(global_batch_size, dt))


def crelu(features, axis=-1, name=None):
    """relu(concat([x, -x], axis)): keeps both the positive and the negative part."""
    features = to_tensor(features)
    return nn_ops.relu(array_ops.concat([features, math_ops.negative(features)], axis), name=name)


# -- LRN --------------------------------------------------------------------------------

_LRN_T = (dtypes.float16, dtypes.bfloat16, dtypes.float32)


def _window_sum(v, r):
    """Sum over channels d-r..d+r (last axis), by a running sum: O(C) per pixel."""
    c = v.shape[-1]
    cs = np.zeros(v.shape[:-1] + (c + 1,), v.dtype)
    np.cumsum(v, axis=-1, out=cs[..., 1:])
    hi = np.minimum(np.arange(c) + r + 1, c)
    lo = np.maximum(np.arange(c) - r, 0)
    return cs[..., hi] - cs[..., lo]


def _lrn_kernel(input, depth_radius=5, bias=1.0, alpha=1.0, beta=0.5):  # noqa: A002
    if np.ndim(input) != 4:
        raise InvalidArgumentError(None, None, "in must be 4-dimensional [Op:LRN]")
    x = (
        input.astype(np.float32, copy=False)
        if input.dtype.itemsize < 4
        else input.astype(np.float64)
    )
    norm = bias + alpha * _window_sum(x * x, depth_radius)
    return (x * norm**-beta).astype(input.dtype)


def _lrn_grad_kernel(
    input_grads, input_image, output_image, depth_radius=5, bias=1.0, alpha=1.0, beta=0.5
):
    g = input_grads.astype(np.float64)
    x = input_image.astype(np.float64)
    norm = bias + alpha * _window_sum(x * x, depth_radius)
    # d out_i / d x_j = [i == j] N_i^-beta - 2 alpha beta x_i x_j N_i^(-beta-1), for |i - j| <= r.
    inner = _window_sum(g * x * norm ** (-beta - 1), depth_radius)
    return (g * norm**-beta - 2 * alpha * beta * x * inner).astype(input_grads.dtype)


def _lrn_attrs(op):
    return {k: op.attrs[k] for k in ("depth_radius", "bias", "alpha", "beta")}


_LRN = defop("LRN", ("input",), _lrn_kernel, attrs={"T": dtypes.float32, "depth_radius": 5, "bias": 1.0,
                                                    "alpha": 1.0, "beta": 0.5},
             infer=lambda inputs, attrs: [(inputs[0].dtype, inputs[0].shape)],
             grad=lambda op, g: execute(_LRN_GRAD, (g, op.inputs[0], op.outputs[0]), _lrn_attrs(op)))  # fmt: skip
# TF registers no gradient for LRNGrad: it is differentiated once only.
_LRN_GRAD = defop("LRNGrad", ("input_grads", "input_image", "output_image"), _lrn_grad_kernel,
                  attrs={"T": dtypes.float32, "depth_radius": 5, "bias": 1.0, "alpha": 1.0, "beta": 0.5},
                  infer=lambda inputs, attrs: [(inputs[0].dtype, inputs[0].shape)], differentiable=False)  # fmt: skip


def local_response_normalization(input, depth_radius=5, bias=1.0, alpha=1.0, beta=0.5, name=None):  # noqa: A002
    """x / (bias + alpha * sum of x**2 over the 2r+1 nearest channels) ** beta (raw op LRN).

    >>> float(tf.nn.local_response_normalization(tf.ones([1, 1, 1, 1]), depth_radius=0)[0, 0, 0, 0])
    0.7071067690849304
    """
    x = to_tensor(input)
    if x.dtype not in _LRN_T:
        check_allowed(_LRN, x, _LRN_T)
    attrs = {
        "depth_radius": int(depth_radius),
        "bias": float(bias),
        "alpha": float(alpha),
        "beta": float(beta),
    }
    return execute(_LRN, (x,), attrs, name)


def scale_regularization_loss(regularization_loss):
    """The summed regularization loss, divided by the number of replicas in sync."""
    total = reduction_ops.reduce_sum(regularization_loss)
    replicas = _num_replicas()
    if replicas > 1:
        total = math_ops.divide(total, math_ops.cast(replicas, total.dtype))
    return total


def _num_replicas():
    """Replicas in sync with the running tf.distribute replica function (1 outside one)."""
    import sys

    ctx = sys.modules.get("arroyo.distribute._context")
    return 1 if ctx is None else ctx.num_replicas_in_replica_context()


TF_API = {
    "tf.nn": [
        "sigmoid_cross_entropy_with_logits",
        "softmax_cross_entropy_with_logits",
        "sparse_softmax_cross_entropy_with_logits",
        "weighted_cross_entropy_with_logits",
        "l2_loss",
        "l2_normalize",
        "moments",
        "batch_normalization",
        "dropout",
        "gelu",
        "silu",
        "swish",
        "sufficient_statistics",
        "normalize_moments",
        "weighted_moments",
        "log_poisson_loss",
        "compute_average_loss",
        "crelu",
        "local_response_normalization",
        "lrn=local_response_normalization",
        "scale_regularization_loss",
    ],
    "tf.math": ["l2_normalize", "log_sigmoid"],
    "tf.linalg": ["l2_normalize"],
}
