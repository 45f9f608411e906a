"""`tf.custom_gradient`: one recorded op whose gradient is the user's function."""

from __future__ import annotations

import functools
import inspect

from arroyo.framework.context import state
from arroyo.framework.op_registry import OpDef
from arroyo.framework.tensor import Tensor
from arroyo.util import nest


def _custom_grad(op, *grads):
    return op.attrs["grad_fn"](*grads)


def make_custom_gradient(f):
    @functools.wraps(f)
    def decorated(*args, **kwargs):
        from arroyo.autodiff.tape import GradientTape
        from arroyo.ops import array_ops

        if state.graph is not None and hasattr(state.graph, "custom_gradient_call"):
            return state.graph.custom_gradient_call(f, args, kwargs)
        tensor_args = [a for a in nest.flatten(args) if isinstance(a, Tensor)]
        outer = state.tapes
        # Run f unrecorded by the outer tapes, but learn which Variables it reads.
        watcher = GradientTape(watch_accessed_variables=True)
        state.tapes = []
        try:
            with watcher:
                result, grad_fn = f(*args, **kwargs)
        finally:
            state.tapes = outer
        variables = list(watcher.watched_variables())
        flat_out = nest.flatten(result)
        # Fresh output tensors, so the record's outputs are not shared with f's internals.
        with_ids = [array_ops.identity(o) if isinstance(o, Tensor) else o for o in flat_out]
        if state.tapes:
            accepts_vars = "variables" in inspect.signature(grad_fn).parameters

            def grad_wrapper(*dys):
                dys = dys[0] if len(dys) == 1 else list(dys)
                if variables:
                    if not accepts_vars:
                        raise TypeError(
                            "If using @custom_gradient with a function that uses variables, then "
                            "grad_fn must accept a keyword argument 'variables'."
                        )
                    in_grads, var_grads = grad_fn(dys, variables=variables)
                    in_grads = nest.flatten(in_grads)
                    return list(in_grads) + list(var_grads)
                in_grads = grad_fn(dys)
                return nest.flatten(in_grads) if isinstance(in_grads, (list, tuple)) else [in_grads]

            inputs = tuple(tensor_args) + tuple(variables)
            outputs = tuple(o for o in with_ids if isinstance(o, Tensor))
            for tape in state.tapes:
                watched = tape._watched
                if any(id(t) in watched for t in inputs):
                    tape._records.append((_CUSTOM, inputs, outputs, {"grad_fn": grad_wrapper}))
                    for o in outputs:
                        watched[id(o)] = o
        return nest.pack_sequence_as(result, with_ids)

    return decorated


_CUSTOM = OpDef("CustomGradient", ("*inputs",), None, None, None, _custom_grad, 1, False, None, True, False)
