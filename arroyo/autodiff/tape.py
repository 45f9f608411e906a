"""`tf.GradientTape`: records op calls on watched tensors and walks them back.

The walk reads like micrograd's: ops were recorded in execution order (a topological
order), so going through the records in reverse, every tensor's gradient is complete
before its producer is visited. Gradient rules come from the op registry and are written
with public ops, so an outer tape records the backward pass (higher-order derivatives).
Broadcasting is undone here, in one place (`_unbroadcast`), never inside an op's rule.
"""

from __future__ import annotations

import contextlib
import enum
import gc
import logging
import threading

import numpy as np

from arroyo.framework import dtypes, op_registry
from arroyo.framework.context import state
from arroyo.framework.op_registry import OpRecord
from arroyo.framework.tensor import EagerTensor, Tensor, _wrap

__all__ = ["GradientTape", "UnconnectedGradients", "record_operation", "custom_gradient"]

_log = logging.getLogger("arroyo")


class UnconnectedGradients(enum.Enum):
    """What `gradient` returns for sources the target does not depend on."""

    NONE = "none"
    ZERO = "zero"


def record_on(tapes, op_def, inputs, outputs, attrs):
    """Records an executed (differentiable) op on each tape that watches one of its inputs."""
    for tape in tapes:
        watched = tape._watched
        for t in inputs:
            if id(t) in watched:
                break
        else:
            continue
        # A plain tuple: cheaper than an object on this hot path; backprop wraps it.
        tape._records.append((op_def, inputs, outputs, attrs))
        for o in outputs:
            watched[id(o)] = o


def record_operation(op_def, inputs, outputs, attrs):
    """Records an executed op on every active tape that watches one of its inputs."""
    if op_def.differentiable and state.tapes:
        record_on(state.tapes, op_def, inputs, outputs, attrs)


op_registry.set_recorder(record_on)


# A recording tape keeps every op's tensors and records alive, so Python's cyclic GC sees a
# stream of surviving containers and runs a young-generation pass every 700 of them: that
# alone cost about as much as the op itself. While any tape records, the young-generation
# threshold is raised (as for any bulk allocation), and restored when the last tape stops.
_GC_THRESHOLD0 = 10000
_active_tapes = [0, None]
_gc_lock = threading.Lock()


def _gc_pressure(delta):
    with _gc_lock:
        before = _active_tapes[0]
        _active_tapes[0] = before + delta
        if before == 0 and delta > 0:
            saved = gc.get_threshold()
            _active_tapes[1] = saved
            if saved[0] and saved[0] < _GC_THRESHOLD0:
                gc.set_threshold(_GC_THRESHOLD0, *saved[1:])
        elif _active_tapes[0] == 0 and _active_tapes[1] is not None:
            if gc.get_threshold()[0] == _GC_THRESHOLD0:  # untouched by the user meanwhile
                gc.set_threshold(*_active_tapes[1])
            _active_tapes[1] = None


def _is_variable(x):
    return getattr(x, "_is_arroyo_variable", False)


def _trainable_dtype(dtype) -> bool:
    # variant: TensorArray/TensorList flows carry gradients too (as in TF).
    return dtype.is_floating or dtype.is_complex or dtype is dtypes.variant


class GradientTape:
    """Records operations for automatic differentiation.

    >>> x = tf.constant(3.0)
    >>> with tf.GradientTape() as g:
    ...     g.watch(x)
    ...     y = x * x
    >>> float(g.gradient(y, x))
    6.0
    """

    def __init__(self, persistent: bool = False, watch_accessed_variables: bool = True):
        self._persistent = persistent
        self._watch_accessed_variables = watch_accessed_variables
        self._records: list[OpRecord] = []
        self._watched: dict[int, object] = {}
        self._watched_variables: dict[int, object] = {}
        self._recording = False
        self._used = False

    # -- context ----------------------------------------------------------------------
    def __enter__(self):
        self._push()
        return self

    def __exit__(self, *exc):
        if self._recording:
            self._pop()

    def _push(self):
        if self._recording:
            raise ValueError(
                "Tape is still recording, This can happen if you try to re-enter an already-active tape."
            )
        state.tapes.append(self)
        self._recording = True
        _gc_pressure(+1)

    def _pop(self):
        state.tapes.remove(self)
        self._recording = False
        _gc_pressure(-1)

    @contextlib.contextmanager
    def stop_recording(self):
        """Temporarily stops recording operations on this tape."""
        if not self._recording:
            raise RuntimeError("Trying to stop recording a tape which is not recording.")
        self._pop()
        try:
            yield
        finally:
            self._push()

    def reset(self):
        """Clears everything recorded so far (and the watched set)."""
        self._records = []
        self._watched = {}
        self._watched_variables = {}

    # -- watching ---------------------------------------------------------------------
    def watch(self, tensor):
        """Ensures `tensor` (or a nested structure of tensors/Variables) is traced."""
        from arroyo.util import nest

        for t in nest.flatten(tensor):
            if _is_variable(t):
                self._watch_variable(t)
            elif isinstance(t, Tensor):
                if not _trainable_dtype(t.dtype):
                    _log.warning(
                        "The dtype of the watched tensor must be floating (e.g. tf.float32), got %r",
                        t.dtype,
                    )
                self._watched[id(t)] = t
            else:
                raise ValueError(
                    f"Passed in object {t!r} of type {type(t).__name__!r}, not tf.Tensor or "
                    "tf.Variable or ExtensionType."
                )

    def _watch_variable(self, var):
        self._watched[id(var)] = var
        self._watched_variables[id(var)] = var

    def _variable_accessed(self, var):
        if self._watch_accessed_variables and var.trainable:
            self._watch_variable(var)

    def _check_not_used(self):
        if self._used and not self._persistent:
            raise RuntimeError(
                "A non-persistent GradientTape can only be used to compute one set of "
                "gradients (or jacobians)"
            )

    def watched_variables(self):
        """The Variables this tape watched, in the order they were first watched."""
        return tuple(self._watched_variables.values())

    # -- gradients --------------------------------------------------------------------
    def gradient(self, target, sources, output_gradients=None,
                 unconnected_gradients=UnconnectedGradients.NONE):  # fmt: skip
        """d(target)/d(sources), for nested `target` and `sources` (lists, dicts, ...).

        Returns a structure like `sources`; a source the target does not depend on gets
        None (or zeros, with `unconnected_gradients=tf.UnconnectedGradients.ZERO`).
        """
        from arroyo.util import nest

        self._check_not_used()
        if self._recording:
            if not self._persistent:
                self._pop()
            else:
                _log.warning(
                    "Calling GradientTape.gradient on a persistent tape inside its context is "
                    "significantly less efficient than calling it outside the context."
                )
        unconnected_gradients = _unconnected(unconnected_gradients)
        if target is None:
            raise TypeError(
                "Argument `target` should be a list or nested structure of Tensors, Variables or "
                "CompositeTensors to be differentiated, but received None."
            )
        flat_sources = nest.flatten(sources)
        _check_differentiable(flat_sources)
        flat_targets = nest.flatten(target)
        _check_differentiable(flat_targets)
        flat_out_grads = None
        if output_gradients is not None:
            flat_out_grads = nest.flatten(output_gradients)
        grads = backprop(self._records, flat_targets, flat_sources, flat_out_grads,
                         unconnected_gradients)  # fmt: skip
        if not self._persistent:
            self._used = True
            self._records = []
            self._watched = {}
        return nest.pack_sequence_as(sources, grads)

    def jacobian(self, target, sources, unconnected_gradients=UnconnectedGradients.NONE,
                 parallel_iterations=None, experimental_use_pfor=True):  # fmt: skip
        """The full Jacobian: shape target.shape + source.shape for each source."""
        from arroyo.ops import array_ops
        from arroyo.util import nest

        self._check_not_used()
        if not experimental_use_pfor and not self._persistent:
            raise RuntimeError(
                "GradientTape must be created with persistent=True to compute the jacobian with "
                "eager execution enabled and with  experimental_use_pfor set to False."
            )
        if self._recording and not self._persistent:
            self._pop()
        unconnected_gradients = _unconnected(unconnected_gradients)
        flat_sources = nest.flatten(sources)
        _check_differentiable(flat_sources)
        target = _as_tensor(target)
        n = target.shape.num_elements()
        rows = [[] for _ in flat_sources]
        for i in range(n):
            onehot = array_ops.reshape(
                array_ops.one_hot(i, n, dtype=target.dtype), array_ops.shape(target)
            )
            gs = backprop(self._records, [target], flat_sources, [onehot], unconnected_gradients)
            for k, g in enumerate(gs):
                rows[k].append(g)
        out = []
        for k, src in enumerate(flat_sources):
            src_shape = list(_as_tensor(src).shape)
            if any(g is None for g in rows[k]):
                out.append(None)
                continue
            stacked = (
                array_ops.stack([_dense(g) for g in rows[k]])
                if n
                else array_ops.zeros([0] + src_shape, dtype=_as_tensor(src).dtype)
            )
            out.append(array_ops.reshape(stacked, list(target.shape) + src_shape))
        if not self._persistent:
            self._used = True
        return nest.pack_sequence_as(sources, out)

    def batch_jacobian(self, target, source, unconnected_gradients=UnconnectedGradients.NONE,
                       parallel_iterations=None, experimental_use_pfor=True):  # fmt: skip
        """Jacobian of each batch row: [batch] + target.shape[1:] + source.shape[1:]."""
        from arroyo.ops import array_ops

        self._check_not_used()
        if not experimental_use_pfor and not self._persistent:
            raise RuntimeError(
                "GradientTape must be created with persistent=True to compute the batch_jacobian "
                "with eager execution enabled and with experimental_use_pfor set to False."
            )
        if self._recording and not self._persistent:
            self._pop()
        unconnected_gradients = _unconnected(unconnected_gradients)
        target = _as_tensor(target)
        src_t = _as_tensor(source)
        target.shape.with_rank_at_least(2)
        src_t.shape.with_rank_at_least(2)
        tshape = list(target.shape)
        if tshape[0] != list(src_t.shape)[0]:
            raise ValueError(
                f"Need first dimension of target shape ({target.shape}) and source shape "
                f"({src_t.shape}) to match."
            )
        batch = tshape[0]
        inner = 1
        for d in tshape[1:]:
            inner *= d
        cols = []
        for j in range(inner):
            onehot = array_ops.one_hot(array_ops.fill([batch], j), inner, dtype=target.dtype)
            og = array_ops.reshape(onehot, tshape)
            (g,) = backprop(self._records, [target], [source], [og], unconnected_gradients)
            if g is None:
                # TF returns zeros here whatever `unconnected_gradients` says.
                if not self._persistent:
                    self._used = True
                return array_ops.zeros(tshape + list(src_t.shape)[1:], dtype=target.dtype)
            cols.append(_dense(g))
        stacked = array_ops.stack(cols, axis=1)  # [batch, inner, *source[1:]]
        if not self._persistent:
            self._used = True
        return array_ops.reshape(stacked, tshape + list(src_t.shape)[1:])


def _unconnected(value) -> UnconnectedGradients:
    try:
        return UnconnectedGradients(value)
    except ValueError:
        raise ValueError(f"Unknown value for unconnected_gradients: {value!r}") from None


def _check_differentiable(flat):
    """TF's errors for targets/sources that are not tensors or Variables."""
    for x in flat:
        if isinstance(x, Tensor) or _is_variable(x):
            continue
        if x is None:
            raise TypeError("Cannot convert the argument `type_value`: None to a TensorFlow DType.")
        if not hasattr(x, "dtype"):
            raise AttributeError(f"'{type(x).__name__}' object has no attribute 'dtype'")


def _as_tensor(x):
    if _is_variable(x):
        return x.value()
    return x


def _dense(g):
    from arroyo.ops.indexed_slices import IndexedSlices

    if isinstance(g, IndexedSlices):
        return g.to_dense()
    return g


# Ops whose gradient passes IndexedSlices through unchanged (sparse variable updates).
_SPARSE_PASSTHROUGH = frozenset({"ReadVariableOp", "Identity"})


def backprop(records, targets, sources, output_grads, unconnected):
    """Reverse-mode walk over `records`; returns one gradient (or None) per source."""
    from arroyo.ops import array_ops
    from arroyo.ops.indexed_slices import IndexedSlices, add_gradients

    grads: dict[int, object] = {}
    for i, t in enumerate(targets):
        t = t if isinstance(t, Tensor) else _as_tensor(t)
        if output_grads is not None and output_grads[i] is not None:
            g = output_grads[i]
            if not isinstance(g, Tensor):
                g = array_ops.constant(g, dtype=t.dtype)
        else:
            g = array_ops.ones_like(t)
        key = id(targets[i])
        grads[key] = add_gradients(grads[key], g) if key in grads else g

    source_ids = {id(s) for s in sources}
    # Forward pruning: only ops reachable from a source can carry its gradient.
    reachable = set(source_ids)
    needed = []
    for rec in records:
        for t in rec[1]:
            if id(t) in reachable:
                needed.append(rec)
                for o in rec[2]:
                    reachable.add(id(o))
                break

    for raw in reversed(needed):
        op_def, inputs, outs, _ = raw
        if len(outs) == 1:  # the common case, without building lists
            g0 = grads.get(id(outs[0]))
            if g0 is None:
                continue
            out_grads = [g0]
        else:
            out_grads = [grads.get(id(o)) for o in outs]
            if all(g is None for g in out_grads):
                continue
        skip = tuple(i for i, t in enumerate(inputs) if id(t) not in reachable)
        rec = OpRecord(*raw, skip)
        if len(outs) > 1:
            out_grads = [
                g
                if g is not None
                else (
                    array_ops.zeros_like(o)
                    if _trainable_dtype(o.dtype) and o.dtype is not dtypes.variant
                    else None
                )
                for g, o in zip(out_grads, outs)
            ]
        if op_def.name not in _SPARSE_PASSTHROUGH:
            out_grads = [g if type(g) is not IndexedSlices else g.to_dense() for g in out_grads]
        in_grads = op_def.grad(rec, *out_grads)
        if not isinstance(in_grads, (tuple, list)):
            in_grads = (in_grads,)
        for inp, g in zip(inputs, in_grads):
            if g is None:
                continue
            key = id(inp)
            if key not in reachable:
                continue
            if type(inp) is EagerTensor:
                dt = getattr(inp._value, "dtype", None)
                if (dt is None or dt.kind not in "fc") and not _trainable_dtype(inp.dtype):
                    continue
                if type(g) is EagerTensor:
                    if g._value.shape != inp._value.shape:
                        g = _unbroadcast(g, inp)
                elif not isinstance(g, IndexedSlices):
                    g = _unbroadcast(g, inp)
            elif not _is_variable(inp):
                if not _trainable_dtype(inp.dtype):
                    continue
                if not isinstance(g, IndexedSlices):
                    g = _unbroadcast(g, inp)
            grads[key] = add_gradients(grads[key], g) if key in grads else g

    result = []
    for s in sources:
        dtype = s.dtype
        g = grads.get(id(s))
        if not _trainable_dtype(dtype):
            _log.warning(
                "The dtype of the source tensor must be floating (e.g. tf.float32) when calling "
                "GradientTape.gradient, got %r",
                dtype,
            )
            g = None
        if g is None and unconnected is UnconnectedGradients.ZERO:
            g = array_ops.zeros_like(_as_tensor(s))
        if isinstance(g, Tensor) and g.dtype is not dtype and _trainable_dtype(dtype):
            from arroyo.ops import math_ops

            g = math_ops.cast(g, dtype)
        result.append(g)
    return result


def _unbroadcast(grad, inp):
    """Sums `grad` down to `inp`'s shape: the single place broadcasting is undone."""
    if isinstance(grad, EagerTensor) and isinstance(inp, EagerTensor):
        gshape = grad._value.shape
        ishape = inp._value.shape
        if gshape == ishape:
            return grad
    else:
        gs, is_ = grad.shape, inp.shape
        if gs.is_fully_defined() and is_.is_fully_defined():
            gshape, ishape = tuple(gs.as_list()), tuple(is_.as_list())
            if gshape == ishape:
                return grad
        else:
            from arroyo.ops import array_ops

            return array_ops.unbroadcast_dynamic(grad, inp)
    from arroyo.ops import array_ops, math_ops

    lead = len(gshape) - len(ishape)
    axes = list(range(lead))
    for i, d in enumerate(ishape):
        if d == 1 and gshape[lead + i] != 1:
            axes.append(lead + i)
    if not state.tapes and isinstance(grad, EagerTensor):
        # First-order eager gradients (nothing records the reduction): straight to NumPy,
        # through the Sum kernel so the result is the op's own.
        from arroyo.ops.reduction_ops import _sum

        value = grad._value
        if axes:
            value = _sum(value, tuple(axes), False)
        out = np.asarray(value).reshape(ishape)
        return _wrap(out if ishape else out[()])
    if axes:
        grad = math_ops.reduce_sum(grad, axis=axes)
    if tuple(grad.shape.as_list()) != ishape:
        grad = array_ops.reshape(grad, list(ishape))
    return grad


@contextlib.contextmanager
def pause_tapes():
    """No tape records inside this block (used by custom_gradient and tf.stop_gradient)."""
    saved = state.tapes
    state.tapes = []
    try:
        yield
    finally:
        state.tapes = saved


def custom_gradient(f=None):
    """Decorator for a function that returns `(y, grad_fn)`: grad_fn(dy) gives d/dinputs.

    >>> @tf.custom_gradient
    ... def clip_grad(x):
    ...     return tf.identity(x), lambda dy: tf.clip_by_value(dy, -1., 1.)
    """
    if f is None:
        return custom_gradient
    from arroyo.autodiff.custom import make_custom_gradient

    return make_custom_gradient(f)
