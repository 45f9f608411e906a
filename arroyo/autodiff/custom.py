"""`tf.custom_gradient`: one recorded op whose gradient is the user's function.

As in TF: `f(*args)` returns `(result, grad_fn)`; `grad_fn(*upstream)` receives one
gradient per (flattened) output and returns one gradient per (flattened) argument. When
`f` reads trainable Variables that are not its arguments, `grad_fn` must accept a
`variables` keyword and return `(input_grads, variable_grads)`.
"""

from __future__ import annotations

import functools
import inspect

from arroyo.framework.context import state
from arroyo.framework.op_registry import OpDef
from arroyo.framework.tensor import Tensor, convert_to_tensor
from arroyo.util import nest


def _custom_grad(op, *grads):
    return op.attrs["grad_fn"](*grads)


def _accepts_variables(grad_fn) -> bool:
    try:
        spec = inspect.getfullargspec(grad_fn)
    except TypeError:
        return False
    return "variables" in spec.args or "variables" in spec.kwonlyargs or spec.varkw is not None


def _is_variable(x) -> bool:
    return getattr(x, "_is_arroyo_variable", False)


def make_custom_gradient(f):
    @functools.wraps(f)
    def decorated(*args, **kwargs):
        from arroyo.autodiff.tape import GradientTape
        from arroyo.ops import array_ops

        if state.graph is not None and hasattr(state.graph, "custom_gradient_call"):
            return state.graph.custom_gradient_call(f, args, kwargs)
        outer = state.tapes
        # Run f unrecorded by the outer tapes, but learn which Variables it reads.
        watcher = GradientTape(watch_accessed_variables=True)
        state.tapes = []
        try:
            with watcher:
                result, grad_fn = f(*args, **kwargs)
        finally:
            state.tapes = outer
        flat_args = nest.flatten(args)
        all_inputs = flat_args + nest.flatten(list(kwargs.values()))
        variables = [v for v in watcher.watched_variables() if all(v is not a for a in all_inputs)]
        accepts_vars = _accepts_variables(grad_fn)
        if variables and not accepts_vars:
            raise TypeError(
                "@tf.custom_gradient grad_fn must accept keyword argument 'variables', since "
                f"function uses variables: {variables}"
            )
        flat_out = nest.flatten(result)
        # Fresh output tensors, so the record's outputs are not shared with f's internals.
        with_ids = [array_ops.identity(o) if isinstance(o, Tensor) else o for o in flat_out]
        if state.tapes:
            arg_count = len(flat_args)

            def grad_wrapper(*dys):
                if variables:
                    in_grads, var_grads = grad_fn(*dys, variables=variables)
                    if len(var_grads) != len(variables):
                        raise ValueError(
                            "Must return gradient for each variable from @custom_gradient grad_fn."
                        )
                else:
                    in_grads, var_grads = grad_fn(*dys), []
                flat = nest.flatten(in_grads)
                if len(flat) != arg_count:
                    raise ValueError(
                        f"custom_gradient function expected to return {arg_count} gradients, but "
                        f"returned {len(flat)} instead."
                    )
                return list(flat) + list(var_grads)

            # Arguments as recorded inputs: tensors as they are (the tapes watch them),
            # Variables through a read (recorded), other values as constants.
            inputs = tuple(
                a
                if isinstance(a, Tensor)
                else a.value()
                if _is_variable(a)
                else convert_to_tensor(a)
                for a in flat_args
            ) + tuple(variables)
            outputs = tuple(o for o in with_ids if isinstance(o, Tensor))
            for tape in state.tapes:
                watched = tape._watched
                if any(id(t) in watched for t in inputs):
                    tape._records.append((_CUSTOM, inputs, outputs, {"grad_fn": grad_wrapper}))
                    for o in outputs:
                        watched[id(o)] = o
        return nest.pack_sequence_as(result, with_ids)

    return decorated


_CUSTOM = OpDef(
    "CustomGradient", ("*inputs",), None, None, None, _custom_grad, 1, False, None, True, False
)
