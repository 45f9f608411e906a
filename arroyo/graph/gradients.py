"""`tf.gradients`: symbolic differentiation of a graph (TF1 style, and inside tf.function).

The graph's own operations are the "tape": they are handed to the same reverse-mode walk
GradientTape uses (`arroyo.autodiff.tape.backprop`), whose gradient rules add the backward
ops to the graph being built.
"""

from __future__ import annotations

from arroyo.autodiff.tape import UnconnectedGradients, backprop
from arroyo.framework.context import state
from arroyo.util import nest


def gradients(ys, xs, grad_ys=None, name="gradients", gate_gradients=False,
              aggregation_method=None, stop_gradients=None,
              unconnected_gradients=UnconnectedGradients.NONE):  # fmt: skip
    """Symbolic d(sum(ys))/d(xs) in the current graph; one gradient (or None) per x.

    Only valid while building a graph (tf.function or a compat.v1 Graph), as in TF 2.
    """
    graph = state.graph
    if graph is None:
        raise RuntimeError(
            "tf.gradients is not supported when eager execution is enabled. Use tf.GradientTape instead."
        )
    ys = nest.flatten(ys)
    xs_flat = nest.flatten(xs)
    stops = {id(t) for t in nest.flatten(stop_gradients or [])}
    records = [
        (op.op_def, op.inputs, tuple(op._outputs), op.attrs)
        for op in graph._ops
        if op.op_def.differentiable and not any(id(o) in stops for o in op._outputs)
    ]
    grad_ys = nest.flatten(grad_ys) if grad_ys is not None else None
    saved = state.tapes
    state.tapes = []
    try:
        grads = backprop(records, ys, xs_flat, grad_ys, UnconnectedGradients(unconnected_gradients))
    finally:
        state.tapes = saved
    return grads
