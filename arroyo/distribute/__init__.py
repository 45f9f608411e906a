"""`tf.distribute`: strategies that run a computation on several replicas in sync.

    strategy = tf.distribute.MirroredStrategy()
    with strategy.scope():
        model = make_model()          # its Variables are MirroredVariables
    per_replica = strategy.run(step, args=(batch,))
    loss = strategy.reduce("SUM", per_replica, axis=None)

This package is the single-process layer: the replicas are the logical devices of this
process (one CPU by default, N after `tf.config.set_logical_device_configuration`), run in
order (`mirrored_strategy.py`), and code written with strategies runs unchanged.

The seam for a multi-process backend (MPI, one process per worker):
- `cluster_resolver.py` says how many workers there are and which one this process is
  (TF_CONFIG today; an MPI resolver would read the communicator's size and rank);
- `cross_device_ops.CrossDeviceOps._reduce_values` / `Strategy.gather` are the only places
  values cross replicas: an MPI CrossDeviceOps reduces the local replicas, then
  allreduces (or allgathers) across processes;
- `MultiWorkerMirroredStrategy` builds its extended object from the two above; input is
  sharded per worker through `InputContext(num_input_pipelines, input_pipeline_id)`
  (`input_lib.py`), which is already what `distribute_datasets_from_function` passes.
Variables stay replicated per process (`values.py`), so nothing else needs to change.
"""

from __future__ import annotations

from types import SimpleNamespace as _Namespace

from arroyo.distribute import cluster_resolver  # noqa: F401
from arroyo.distribute import values as _values
from arroyo.distribute.cross_device_ops import (
    CrossDeviceOps,
    HierarchicalCopyAllReduce,
    NcclAllReduce,
    ReductionToOneDevice,
)
from arroyo.distribute.distribute_lib import (
    ReplicaContext,
    Strategy,
    StrategyExtended,
    experimental_set_strategy,
    get_replica_context,
    get_strategy,
    has_strategy,
    in_cross_replica_context,
)
from arroyo.distribute.input_lib import (
    DistributedDataset,
    DistributedIterator,
    InputContext,
    InputOptions,
    InputReplicationMode,
    ValueContext,
)
from arroyo.distribute.mirrored_strategy import (
    CommunicationImplementation,
    CommunicationOptions,
    MirroredStrategy,
    MultiWorkerMirroredStrategy,
    OneDeviceStrategy,
)
from arroyo.distribute.reduce_util import ReduceOp
from arroyo.distribute.values import DistributedValues

RunOptions = _Namespace  # accepted by strategy.run(options=...) and ignored

experimental = _Namespace(
    MultiWorkerMirroredStrategy=MultiWorkerMirroredStrategy,
    CommunicationImplementation=CommunicationImplementation,
    CollectiveCommunication=CommunicationImplementation,
    CommunicationOptions=CommunicationOptions,
    ValueContext=ValueContext,
)

_values.install()

__all__ = [
    "CrossDeviceOps", "DistributedDataset", "DistributedIterator", "DistributedValues",
    "HierarchicalCopyAllReduce", "InputContext", "InputOptions", "InputReplicationMode",
    "MirroredStrategy", "MultiWorkerMirroredStrategy", "NcclAllReduce", "OneDeviceStrategy",
    "ReduceOp", "ReductionToOneDevice", "ReplicaContext", "RunOptions", "Strategy",
    "StrategyExtended", "cluster_resolver", "experimental", "experimental_set_strategy",
    "get_replica_context", "get_strategy", "has_strategy", "in_cross_replica_context",
]  # fmt: skip
