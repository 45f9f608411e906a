"""Distributed input: global batches split into per-replica batches.

`strategy.experimental_distribute_dataset(ds)` splits each global batch of `ds` along its
first dimension: every replica takes ceil(batch / replicas) rows in turn (the last ones
may get fewer, or none), as TF's rebatching does. `distribute_datasets_from_function`
calls the function once per input pipeline (one here) with an `InputContext`, and gives
consecutive elements of that dataset to consecutive replicas.
"""

from __future__ import annotations

import enum

from arroyo.distribute.values import PerReplica, PerReplicaSpec, regroup
from arroyo.util import nest

__all__ = ["DistributedDataset", "DistributedIterator", "DistributedDatasetsFromFunction",
           "InputContext", "InputOptions", "InputReplicationMode", "ValueContext"]  # fmt: skip


class InputReplicationMode(enum.Enum):
    PER_WORKER = "PER_WORKER"
    PER_REPLICA = "PER_REPLICA"


class InputOptions:
    """Options of distributed input (`tf.distribute.InputOptions`); kept for the API."""

    def __init__(self, experimental_fetch_to_device=None, experimental_replication_mode=(
            InputReplicationMode.PER_WORKER), experimental_place_dataset_on_device=False,
                 experimental_per_replica_buffer_size=1):  # fmt: skip
        self.experimental_fetch_to_device = experimental_fetch_to_device
        self.experimental_replication_mode = experimental_replication_mode
        self.experimental_place_dataset_on_device = experimental_place_dataset_on_device
        self.experimental_per_replica_buffer_size = experimental_per_replica_buffer_size


class InputContext:
    """What an input function needs to know to shard and batch its data.

    >>> ctx = tf.distribute.InputContext(num_replicas_in_sync=2)
    >>> ctx.get_per_replica_batch_size(8)
    4
    """

    def __init__(self, num_input_pipelines=1, input_pipeline_id=0, num_replicas_in_sync=1):
        self._num_input_pipelines = num_input_pipelines
        self._input_pipeline_id = input_pipeline_id
        self._num_replicas_in_sync = num_replicas_in_sync

    @property
    def num_replicas_in_sync(self):
        return self._num_replicas_in_sync

    @property
    def input_pipeline_id(self):
        return self._input_pipeline_id

    @property
    def num_input_pipelines(self):
        return self._num_input_pipelines

    def get_per_replica_batch_size(self, global_batch_size):
        if global_batch_size % self._num_replicas_in_sync != 0:
            raise ValueError(
                f"The `global_batch_size` {global_batch_size} is not divisible by "
                f"`num_replicas_in_sync` {self._num_replicas_in_sync} "
            )
        return global_batch_size // self._num_replicas_in_sync

    def __str__(self):
        return (
            f"tf.distribute.InputContext(input pipeline id {self._input_pipeline_id}, "
            f"total: {self._num_input_pipelines})"
        )


class ValueContext:
    """What `experimental_distribute_values_from_function`'s function is told."""

    def __init__(self, replica_id_in_sync_group=0, num_replicas_in_sync=1):
        self._replica_id_in_sync_group = replica_id_in_sync_group
        self._num_replicas_in_sync = num_replicas_in_sync

    @property
    def replica_id_in_sync_group(self):
        return self._replica_id_in_sync_group

    @property
    def num_replicas_in_sync(self):
        return self._num_replicas_in_sync

    def __str__(self):
        return (
            f"tf.distribute.ValueContext(replica id {self._replica_id_in_sync_group}, "
            f" total replicas in sync: {self._num_replicas_in_sync})"
        )


def _split_rows(t, n):
    """A batch tensor split into n per-replica batches of ceil(rows / n) rows (TF's rule)."""
    rows = t.shape[0]
    if rows is None:  # unknown while tracing: the same split with tensor bounds
        import arroyo as tf

        rows = tf.shape(t)[0]
        per = (rows + (n - 1)) // n
        return [t[tf.minimum(i * per, rows) : tf.minimum((i + 1) * per, rows)] for i in range(n)]
    per = -(-rows // n)
    return [t[min(i * per, rows) : min((i + 1) * per, rows)] for i in range(n)]


def _relaxed_spec(spec):
    from arroyo.framework.tensor import TensorSpec
    from arroyo.framework.tensor_shape import TensorShape

    if isinstance(spec, TensorSpec) and spec.shape.rank:
        return TensorSpec(TensorShape([None] + spec.shape.as_list()[1:]), spec.dtype)
    return spec


class DistributedIterator:
    """An iterator over a distributed dataset: `next()` gives PerReplica batches."""

    def __init__(self, parent, source):
        self._parent = parent
        self._source = source

    def __iter__(self):
        return self

    def __next__(self):
        return self._parent._next(self._source)

    def get_next(self):
        return next(self)

    def get_next_as_optional(self):
        from arroyo.data import experimental

        try:
            return experimental.Optional.from_value(next(self))
        except StopIteration:
            return experimental.Optional.empty(None)

    @property
    def element_spec(self):
        return self._parent.element_spec


class DistributedDataset:
    """A dataset of PerReplica batches (`strategy.experimental_distribute_dataset`)."""

    def __init__(self, strategy, dataset, options=None):
        self._strategy = strategy
        self._dataset = dataset
        self._options = options
        self._n = strategy.num_replicas_in_sync

    def _next(self, source):
        element = next(source)
        if self._n == 1:
            return element
        flat = nest.flatten(element)
        parts = [_split_rows(t, self._n) for t in flat]
        per_replica = [nest.pack_sequence_as(element, [p[i] for p in parts])
                       for i in range(self._n)]  # fmt: skip
        return _regroup_all(per_replica)

    def __iter__(self):
        return DistributedIterator(self, iter(self._dataset))

    def _split(self, element):
        return self._next(iter((element,)))

    def _source_dataset(self):
        return self._dataset

    def _autograph_for_stmt(self, extra_test, body, get_state, set_state, symbol_names, opts):
        # `for x in dist_dataset:` inside tf.function: the dataset's own staged loop, each
        # element split into per-replica values before the body sees it.
        ds = self._source_dataset()
        hook = type(ds)._autograph_for_stmt
        return hook(ds, extra_test, lambda element: body(self._split(element)), get_state,
                    set_state, symbol_names, opts)  # fmt: skip

    @property
    def element_spec(self):
        spec = self._dataset.element_spec
        relaxed = nest.map_structure(_relaxed_spec, spec)
        if self._n == 1:
            return relaxed
        return nest.map_structure(lambda s: PerReplicaSpec(*([s] * self._n)), relaxed)

    def reduce(self, initial_state, reduce_func):
        state = initial_state
        for x in self:
            state = reduce_func(state, x)
        return state


class DistributedDatasetsFromFunction(DistributedDataset):
    """`strategy.distribute_datasets_from_function(fn)`: fn(InputContext) -> dataset."""

    def __init__(self, strategy, dataset_fn, options=None):
        n = strategy.num_replicas_in_sync
        ctx = InputContext(num_input_pipelines=1, input_pipeline_id=0, num_replicas_in_sync=n)
        super().__init__(strategy, dataset_fn(ctx), options)

    def _next(self, source):
        if self._n == 1:
            return next(source)
        elements = [next(source) for _ in range(self._n)]
        return _regroup_all(elements)

    def _source_dataset(self):
        # n consecutive elements per step (one per replica), as one stacked element
        return self._dataset if self._n == 1 else self._dataset.batch(self._n, drop_remainder=True)

    def _split(self, element):
        if self._n == 1:
            return element
        flat = nest.flatten(element)
        per = [nest.pack_sequence_as(element, [t[i] for t in flat]) for i in range(self._n)]
        return _regroup_all(per)


def _regroup_all(per_replica):
    """Like regroup, but every tensor leaf becomes PerReplica (even identical ones)."""
    flats = [nest.flatten(s) for s in per_replica]
    leaves = [PerReplica(column) for column in zip(*flats)]
    return nest.pack_sequence_as(per_replica[0], leaves)


_ = regroup
