"""`tf.distribute.ReduceOp`: how values from several replicas combine."""

from __future__ import annotations

import enum


class ReduceOp(enum.Enum):
    """SUM or MEAN over replicas (`strategy.reduce`, `ReplicaContext.all_reduce`).

    >>> tf.distribute.ReduceOp("SUM")
    <ReduceOp.SUM: 'SUM'>
    """

    SUM = "SUM"
    MEAN = "MEAN"

    @staticmethod
    def from_variable_aggregation(aggregation):
        name = getattr(aggregation, "name", None)
        if name in ("SUM", "MEAN"):
            return ReduceOp[name]
        raise ValueError(
            f"Could not convert from `tf.VariableAggregation` {aggregation} to"
            "`tf.distribute.ReduceOp` type"
        )


def as_reduce_op(op):
    return op if isinstance(op, ReduceOp) else ReduceOp(op)
