"""Value and norm clipping: tf.clip_by_value, tf.clip_by_norm, tf.clip_by_global_norm.

Composed of public ops as in TF (minimum then maximum; where/sqrt for the norm), so the
gradients are TF's: clip_by_value passes the gradient where the value was not clipped
(ties included), clip_by_norm differentiates through the norm.
"""

from __future__ import annotations

from collections.abc import Sequence

from arroyo.ops import array_ops, math_ops, reduction_ops, unary_ops
from arroyo.ops._helpers import to_tensor
from arroyo.ops.indexed_slices import IndexedSlices


def _values(t):
    return to_tensor(t.values if isinstance(t, IndexedSlices) else t)


def _check_no_broadcast(values, out):
    if not values.shape.is_compatible_with(out.shape):
        raise ValueError(f"Shapes {values.shape} and {out.shape} are incompatible")


def clip_by_value(t, clip_value_min, clip_value_max, name=None):
    """min(max(t, clip_value_min), clip_value_max), elementwise; IndexedSlices clip their values.

    >>> tf.clip_by_value([-2.0, 0.5, 3.0], -1.0, 1.0).numpy().tolist()
    [-1.0, 0.5, 1.0]
    """
    values = _values(t)
    t_min = math_ops.minimum(values, clip_value_max)
    _check_no_broadcast(values, t_min)
    t_max = math_ops.maximum(t_min, clip_value_min, name=name)
    _check_no_broadcast(values, t_max)
    if isinstance(t, IndexedSlices):
        return IndexedSlices(t_max, t.indices, t.dense_shape)
    return t_max


def clip_by_norm(t, clip_norm, axes=None, name=None):
    """Rescales `t` so its L2 norm (over `axes`, default all) is at most `clip_norm`.

    >>> tf.clip_by_norm([3.0, 4.0], 1.0).numpy().round(3).tolist()
    [0.6, 0.8]
    """
    values = _values(t)
    l2sum = reduction_ops.reduce_sum(math_ops.multiply(values, values), axes, keepdims=True)
    pred = math_ops.greater(l2sum, 0)
    # Where the norm is zero, take sqrt of one instead so the gradient stays finite.
    l2sum_safe = array_ops.where(pred, l2sum, array_ops.ones_like(l2sum))
    l2norm = array_ops.where(pred, unary_ops.sqrt(l2sum_safe), l2sum)
    intermediate = math_ops.multiply(values, clip_norm)
    _check_no_broadcast(values, intermediate)
    clipped = array_ops.identity(
        math_ops.divide(intermediate, math_ops.maximum(l2norm, clip_norm)), name=name
    )
    if isinstance(t, IndexedSlices):
        return IndexedSlices(clipped, t.indices, t.dense_shape)
    return clipped


def _check_list(t_list):
    if not isinstance(t_list, Sequence) or isinstance(t_list, str):
        raise TypeError(f"`t_list` should be a sequence of tensors. Received {type(t_list)}.")
    return list(t_list)


def _global_norm(t_list, name=None):
    """sqrt(sum of squares of every entry of every tensor); None entries are skipped."""
    from arroyo.ops.nn_losses import l2_loss

    t_list = _check_list(t_list)
    halves = [l2_loss(_values(t)) for t in t_list if t is not None]
    half = reduction_ops.reduce_sum(array_ops.stack(halves))
    return unary_ops.sqrt(
        math_ops.multiply(half, array_ops.constant(2.0, dtype=half.dtype)), name=name
    )


def clip_by_global_norm(t_list, clip_norm, use_norm=None, name=None):
    """Scales every tensor by clip_norm / max(global_norm, clip_norm); returns (list, global_norm).

    >>> clipped, norm = tf.clip_by_global_norm([tf.constant([3.0]), tf.constant([4.0])], 1.0)
    >>> float(norm), [round(float(c[0]), 3) for c in clipped]
    (5.0, [0.6, 0.8])
    """
    t_list = _check_list(t_list)
    if use_norm is None:
        use_norm = _global_norm(t_list)
    use_norm = to_tensor(use_norm)
    one = array_ops.constant(1.0, dtype=use_norm.dtype)
    scale_for_finite = math_ops.multiply(
        clip_norm, math_ops.minimum(math_ops.divide(one, use_norm), math_ops.divide(one, clip_norm))
    )
    # A non-finite norm makes every scaled value NaN (use_norm - use_norm), as TF.
    scale = math_ops.add(scale_for_finite, math_ops.subtract(use_norm, use_norm))
    out = []
    for t in t_list:
        if t is None:
            out.append(None)
            continue
        v = _values(t)
        s = scale if scale.dtype is v.dtype else math_ops.cast(scale, v.dtype)
        clipped = array_ops.identity(math_ops.multiply(v, s))
        out.append(
            IndexedSlices(clipped, t.indices, t.dense_shape)
            if isinstance(t, IndexedSlices)
            else clipped
        )
    return out, use_norm


TF_API = {
    "tf": ["clip_by_value", "clip_by_norm", "clip_by_global_norm"],
}
