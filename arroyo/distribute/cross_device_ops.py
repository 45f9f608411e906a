"""How per-replica values are combined: `tf.distribute.CrossDeviceOps` and its kinds.

All replicas of a single-process strategy share memory, so every kind reduces the same
way here (an add_n, divided for MEAN). The class is the seam for other transports: a
multi-process backend (MPI) subclasses CrossDeviceOps and overrides `_reduce_values`
(reduce locally, then allreduce across processes) and `_gather_values`.
"""

from __future__ import annotations

from arroyo.distribute.reduce_util import ReduceOp, as_reduce_op

__all__ = ["CrossDeviceOps", "ReductionToOneDevice", "NcclAllReduce",
           "HierarchicalCopyAllReduce", "AllReduceCrossDeviceOps"]  # fmt: skip


class CrossDeviceOps:
    """Reduces and broadcasts values across replicas."""

    def _reduce_values(self, reduce_op, tensors):
        """One tensor from `tensors` (one per local replica): their sum or mean."""
        import arroyo as tf

        tensors = list(tensors)
        if len(tensors) == 1:
            total = tensors[0]
        else:
            total = tf.add_n(tensors)
        if reduce_op is ReduceOp.MEAN and len(tensors) > 1:
            n = len(tensors)
            if total.dtype.is_floating or total.dtype.is_complex:
                total = total / tf.cast(n, total.dtype)
            else:
                total = total // tf.cast(n, total.dtype)
        return total

    def reduce(self, reduce_op, per_replica_value, destinations=None, options=None):
        """The SUM/MEAN of a per-replica value (or of a list of tensors)."""
        from arroyo.distribute.values import local_results

        if isinstance(per_replica_value, (list, tuple)):
            parts = per_replica_value
        else:
            parts = local_results(per_replica_value)
        return self._reduce_values(as_reduce_op(reduce_op), parts)

    def batch_reduce(self, reduce_op, value_destination_pairs, options=None):
        return [self.reduce(reduce_op, v, d) for v, d in value_destination_pairs]

    def broadcast(self, tensor, destinations):
        return tensor


class ReductionToOneDevice(CrossDeviceOps):
    """Reduces on one device, then broadcasts (TF's default on CPUs)."""

    def __init__(self, reduce_to_device=None, accumulation_fn=None):
        self.reduce_to_device = reduce_to_device
        self.accumulation_fn = accumulation_fn


class AllReduceCrossDeviceOps(CrossDeviceOps):
    def __init__(self, all_reduce_alg="nccl", num_packs=1):
        self._all_reduce_alg = all_reduce_alg
        self._num_packs = num_packs


class NcclAllReduce(AllReduceCrossDeviceOps):
    """NCCL all-reduce (GPUs); reduces in memory here."""

    def __init__(self, num_packs=1):
        if num_packs < 0:
            raise ValueError(
                f"NCCL all-reduce requires num_packs >= 0, but {num_packs} is specified"
            )
        super().__init__("nccl", num_packs)


class HierarchicalCopyAllReduce(AllReduceCrossDeviceOps):
    """Hierarchical copy all-reduce (GPUs); reduces in memory here."""

    def __init__(self, num_packs=1):
        if num_packs < 0:
            raise ValueError(
                f"HierarchicalCopy requires num_packs >= 0, but {num_packs} is specified"
            )
        super().__init__("hierarchical_copy", num_packs)
