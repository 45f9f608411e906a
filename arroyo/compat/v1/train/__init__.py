"""`tf.compat.v1.train`: TF1 optimizers whose `minimize` builds update ops."""

from __future__ import annotations

from arroyo.framework.context import state


class Optimizer:
    def __init__(self, learning_rate, use_locking=False, name="Optimizer"):
        self._lr = learning_rate
        self._name = name

    def compute_gradients(self, loss, var_list=None, **kwargs):
        from arroyo.compat.v1.variable_scope import trainable_variables
        from arroyo.graph.gradients import gradients

        if var_list is None:
            var_list = trainable_variables()
        if state.graph is None:
            raise RuntimeError(
                "tf.compat.v1 optimizers' minimize() needs graph mode; use tf.keras.optimizers eagerly."
            )
        grads = gradients(loss, var_list)
        return list(zip(grads, var_list))

    def apply_gradients(self, grads_and_vars, global_step=None, name=None):
        from arroyo.graph.graph import NO_OP, Operation

        graph = state.graph
        ops = []
        for g, v in grads_and_vars:
            if g is None:
                continue
            ops.append(self._apply_one(graph, g, v))
        if global_step is not None:
            from arroyo.ops.variables import ASSIGN_ADD_VARIABLE

            ops.append(graph.assign_variable(global_step, graph.capture_constant(
                global_step.dtype.as_numpy_dtype(1)), ASSIGN_ADD_VARIABLE))  # fmt: skip
        op = Operation(
            graph, NO_OP, graph.unique_name(name or self._name), (), {}, control_inputs=ops
        )
        graph._ops.append(op)
        return op

    def minimize(self, loss, global_step=None, var_list=None, name=None, **kwargs):
        return self.apply_gradients(self.compute_gradients(loss, var_list), global_step, name)


class GradientDescentOptimizer(Optimizer):
    """v <- v - learning_rate * grad, as graph ops (TF1)."""

    def __init__(self, learning_rate, use_locking=False, name="GradientDescent"):
        super().__init__(learning_rate, use_locking, name)

    def _apply_one(self, graph, g, v):
        from arroyo.ops import math_ops
        from arroyo.ops.variables import ASSIGN_SUB_VARIABLE

        step = math_ops.multiply(math_ops.cast(self._lr, v.dtype), g)
        return graph.assign_variable(v, step, ASSIGN_SUB_VARIABLE)


def get_or_create_global_step(graph=None):
    from arroyo.compat.v1.variable_scope import get_variable
    from arroyo.framework import dtypes

    return get_variable(
        "global_step", shape=[], dtype=dtypes.int64, initializer=lambda s, d: 0, trainable=False
    )


def summary_iterator(path):
    """Yields the Event protos of a TensorBoard event file; a corrupt record raises
    DataLossError naming the file.

    >>> for event in tf.compat.v1.train.summary_iterator(path):
    ...     print(event.step)
    """
    from arroyo.summary._events import summary_iterator as _iterate

    return _iterate(path)
