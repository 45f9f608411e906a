"""MirroredStrategy, OneDeviceStrategy and MultiWorkerMirroredStrategy (one worker).

Replicas of a MirroredStrategy are the logical devices (`tf.config.list_logical_devices`:
one CPU unless `tf.config.set_logical_device_configuration` split it). With one replica the
replica function runs in the calling thread. With several, as in TF, each replica runs in
its own thread, but only one runs at a time, in replica order: a replica runs until it
finishes or calls `merge_call`; when every replica waits in `merge_call`, the merge
function runs once (in replica 0's thread, in cross-replica context) on the replicas'
arguments grouped into PerReplica values, and each replica resumes with its part of the
result. Results are deterministic and equal to running the replicas one after another.
"""

from __future__ import annotations

import threading

from arroyo.distribute import _context
from arroyo.distribute._context import dstate
from arroyo.distribute.distribute_lib import ReplicaContext, Strategy, StrategyExtended
from arroyo.distribute.values import regroup, select_replica
from arroyo.framework.device import DeviceSpec, list_logical_devices

__all__ = ["MirroredStrategy", "OneDeviceStrategy", "MultiWorkerMirroredStrategy"]

_LOCAL = "/job:localhost/replica:0/task:0"


def _canonical(device):
    spec = device if isinstance(device, DeviceSpec) else DeviceSpec.from_string(str(device))
    dtype = spec.device_type or "CPU"
    index = 0 if spec.device_index is None else spec.device_index
    job = spec.job or "localhost"
    return (f"/job:{job}/replica:{spec.replica or 0}/task:{spec.task or 0}"
            f"/device:{dtype}:{index}")  # fmt: skip


def _default_devices():
    gpus = list_logical_devices("GPU")
    devs = gpus or list_logical_devices("CPU")
    return tuple(_LOCAL + d.name for d in devs) or (_LOCAL + "/device:CPU:0",)


class _Aborted(BaseException):
    """Raised in a replica thread waiting in merge_call when another replica failed."""


class _ReplicaThread(threading.Thread):
    def __init__(self, strategy, replica_id, fn, args, kwargs, snapshot):
        super().__init__(name=f"replica_{replica_id}", daemon=True)
        self.strategy = strategy
        self.replica_id = replica_id
        self.fn, self.args, self.kwargs = fn, args, kwargs
        self.snapshot = snapshot
        self.go = threading.Event()
        self.paused = threading.Event()
        self.done = False
        self.abort = False
        self.result = None
        self.exc = None
        self.merge_request = None  # (merge_fn, args, kwargs) while waiting in merge_call
        self.merge_result = None
        self.job = None
        self.job_result = None
        self.job_exc = None

    def run(self):
        _context.install_thread_state(self.snapshot)
        ctx = ReplicaContext(self.strategy, self.replica_id)
        ctx._thread = self
        ctx._created_vars = self.created_vars
        ctx._n_created = 0
        dstate.stack.append((self.strategy, ctx))
        self.go.wait()
        self.go.clear()
        try:
            if self.abort:
                raise _Aborted()
            self.result = self.fn(*self.args, **self.kwargs)
        except _Aborted:
            pass
        except BaseException as e:  # noqa: BLE001 - handed to the calling thread
            self.exc = e
        finally:
            self.done = True
            self.paused.set()

    def merge_call(self, merge_fn, args, kwargs):
        self.merge_request = (merge_fn, args, kwargs)
        self.paused.set()
        while True:
            self.go.wait()
            self.go.clear()
            if self.abort:
                raise _Aborted()
            job = self.job
            if job is None:
                break
            self.job = None
            try:
                self.job_result = job()
            except BaseException as e:  # noqa: BLE001
                self.job_exc = e
            self.paused.set()
        self.merge_request = None
        out, self.merge_result = self.merge_result, None
        return out

    def step(self):
        """Lets this thread run until it pauses (merge_call) or finishes."""
        self.go.set()
        self.paused.wait()
        self.paused.clear()


def _run_in_threads(strategy, fn, args, kwargs):
    n = strategy.num_replicas_in_sync
    snapshot = _context.snapshot_thread_state()
    created = []  # variables created by replica 0, shared with the others
    threads = [
        _ReplicaThread(
            strategy, i, fn, select_replica(i, args), select_replica(i, kwargs), snapshot
        )  # fmt: skip
        for i in range(n)
    ]
    for t in threads:
        t.created_vars = created
        t.start()

    def abort_all():
        for t in threads:
            if not t.done:
                t.abort = True
                t.step()

    try:
        while True:
            for t in threads:
                if not t.done:
                    t.step()
                if t.exc is not None:
                    abort_all()
                    raise t.exc
            finished = [t.done for t in threads]
            if all(finished):
                break
            if any(finished):
                abort_all()
                raise RuntimeError(
                    "Some replicas made a different number of replica_context().merge_call() calls."
                )
            merge_fn, _, _ = threads[0].merge_request
            m_args = regroup([t.merge_request[1] for t in threads])
            m_kwargs = regroup([t.merge_request[2] for t in threads])
            t0 = threads[0]

            def job(merge_fn=merge_fn, m_args=m_args, m_kwargs=m_kwargs):
                dstate.stack.append((strategy, None))
                try:
                    return merge_fn(strategy, *m_args, **m_kwargs)
                finally:
                    dstate.stack.pop()

            t0.job = job
            t0.step()
            if t0.job_exc is not None:
                exc, t0.job_exc = t0.job_exc, None
                abort_all()
                raise exc
            result, t0.job_result = t0.job_result, None
            for i, t in enumerate(threads):
                t.merge_result = select_replica(i, result)
    except BaseException:
        abort_all()
        raise
    finally:
        for t in threads:
            t.join()
    return regroup([t.result for t in threads])


class MirroredExtended(StrategyExtended):
    def __init__(self, container_strategy, devices, cross_device_ops=None):
        super().__init__(container_strategy, devices)
        self._cdo = cross_device_ops

    def _variable_replicas(self):
        return len(self._devices)

    def _call_for_each_replica(self, fn, args, kwargs):
        if len(self._devices) == 1:
            return super()._call_for_each_replica(fn, args, kwargs)
        return _run_in_threads(self._container_strategy_ref, fn, args, kwargs)


class MirroredStrategy(Strategy):
    """Synchronous training on the replicas of one machine (here: its logical devices).

    >>> tf.distribute.MirroredStrategy().num_replicas_in_sync
    1
    """

    def __init__(self, devices=None, cross_device_ops=None):
        if devices is None:
            devs = _default_devices()
        else:
            if isinstance(devices, (str, DeviceSpec)):
                devices = [devices]
            devs = tuple(_canonical(d) for d in devices)
            if not devs:
                raise ValueError("Got an empty `devices` list and a `None` `cluster_resolver`.")
            if len(set(devs)) != len(devs):
                raise ValueError(f"No duplicates allowed in `devices` argument: {list(devices)}")
        super().__init__(MirroredExtended(self, devs, cross_device_ops))


class OneDeviceStrategy(Strategy):
    """Runs on one device; Variables created in its scope are plain Variables.

    >>> tf.distribute.OneDeviceStrategy("/cpu:0").num_replicas_in_sync
    1
    """

    def __init__(self, device):
        super().__init__(StrategyExtended(self, (_canonical(device),)))


class CommunicationImplementation:
    AUTO = "AUTO"
    RING = "RING"
    NCCL = "NCCL"


class CommunicationOptions:
    def __init__(self, bytes_per_pack=0, timeout_seconds=None,
                 implementation=CommunicationImplementation.AUTO):  # fmt: skip
        self.bytes_per_pack = bytes_per_pack
        self.timeout_seconds = timeout_seconds
        self.implementation = implementation


class MultiWorkerMirroredStrategy(Strategy):
    """Mirrored training across workers; this process is the only worker (TF_CONFIG with
    one task, or none). A multi-process backend plugs in through the cluster resolver
    (number of workers, this task's id) and a CrossDeviceOps that reduces across processes.
    """

    def __init__(self, communication_options=None, cluster_resolver=None):
        from arroyo.distribute.cluster_resolver import TFConfigClusterResolver

        self._cluster_resolver = cluster_resolver or TFConfigClusterResolver()
        spec = self._cluster_resolver.cluster_spec().as_dict()
        workers = sum(len(v) for k, v in spec.items() if k in ("worker", "chief"))
        if workers > 1:
            raise NotImplementedError(
                "MultiWorkerMirroredStrategy with several workers needs the multi-process "
                "backend; this process runs one worker."
            )
        self._communication_options = communication_options or CommunicationOptions()
        super().__init__(MirroredExtended(self, _default_devices()))

    @property
    def cluster_resolver(self):
        return self._cluster_resolver
