"""`tf.distribute.cluster_resolver`: who the workers are (TF_CONFIG), for multi-worker runs."""

from __future__ import annotations

import collections
import json
import os

__all__ = ["ClusterResolver", "SimpleClusterResolver", "TFConfigClusterResolver"]


class ClusterSpec:
    """Jobs and their task addresses (`tf.train.ClusterSpec`).

    >>> ClusterSpec({"worker": ["a:1", "b:2"]}).num_tasks("worker")
    2
    """

    def __init__(self, cluster):
        if isinstance(cluster, ClusterSpec):
            cluster = cluster.as_dict()
        self._cluster = {}
        for job, tasks in (cluster or {}).items():
            if isinstance(tasks, dict):
                self._cluster[job] = dict(tasks)
            else:
                self._cluster[job] = dict(enumerate(tasks))

    def as_dict(self):
        out = {}
        for job, tasks in self._cluster.items():
            ids = sorted(tasks)
            if ids == list(range(len(ids))):
                out[job] = [tasks[i] for i in ids]
            else:
                out[job] = dict(tasks)
        return out

    @property
    def jobs(self):
        return list(self._cluster)

    def num_tasks(self, job_name):
        return len(self._cluster[job_name])

    def task_indices(self, job_name):
        return sorted(self._cluster[job_name])

    def task_address(self, job_name, task_index):
        return self._cluster[job_name][task_index]

    def job_tasks(self, job_name):
        tasks = self._cluster[job_name]
        return [tasks.get(i) for i in range(max(tasks) + 1)] if tasks else []

    def __bool__(self):
        return bool(self._cluster)

    def __eq__(self, other):
        return isinstance(other, ClusterSpec) and self.as_dict() == other.as_dict()

    def __repr__(self):
        return f"ClusterSpec({self.as_dict()!r})"


class ClusterResolver:
    """Base class: a cluster spec, this task's type and id, its master address."""

    task_type = None
    task_id = None
    rpc_layer = None

    def cluster_spec(self):
        raise NotImplementedError

    def master(self, task_type=None, task_id=None, rpc_layer=None):
        return ""

    def num_accelerators(self, task_type=None, task_id=None, config_proto=None):
        return collections.defaultdict(int)

    @property
    def environment(self):
        return ""


class SimpleClusterResolver(ClusterResolver):
    def __init__(self, cluster_spec, master="", task_type=None, task_id=None,
                 environment="", num_accelerators=None, rpc_layer=None):  # fmt: skip
        self._cluster_spec = ClusterSpec(cluster_spec)
        self._master = master
        self.task_type = task_type
        self.task_id = task_id
        self.rpc_layer = rpc_layer
        self._environment = environment
        self._num_accelerators = num_accelerators or {}

    def cluster_spec(self):
        return self._cluster_spec

    def master(self, task_type=None, task_id=None, rpc_layer=None):
        return self._master

    def num_accelerators(self, task_type=None, task_id=None, config_proto=None):
        out = collections.defaultdict(int)
        out.update(self._num_accelerators)
        return out

    @property
    def environment(self):
        return self._environment


class TFConfigClusterResolver(ClusterResolver):
    """Reads the cluster from the TF_CONFIG environment variable (JSON), as TF does.

    >>> os.environ["TF_CONFIG"] = '{"cluster": {"worker": ["localhost:1"]},'
    ...                           ' "task": {"type": "worker", "index": 0}}'
    >>> TFConfigClusterResolver().task_id
    0
    """

    def __init__(self, task_type=None, task_id=None, rpc_layer=None, environment=None):
        self._task_type = task_type
        self._task_id = task_id
        self._rpc_layer = rpc_layer
        self._environment = environment

    def _config(self):
        text = os.environ.get("TF_CONFIG")
        return json.loads(text) if text else {}

    @property
    def task_type(self):
        if self._task_type is not None:
            return self._task_type
        t = self._config().get("task", {}).get("type")
        return str(t) if t is not None else None

    @task_type.setter
    def task_type(self, value):
        self._task_type = value

    @property
    def task_id(self):
        if self._task_id is not None:
            return self._task_id
        i = self._config().get("task", {}).get("index")
        return int(i) if i is not None else None

    @task_id.setter
    def task_id(self, value):
        self._task_id = value

    @property
    def rpc_layer(self):
        return self._rpc_layer or self._config().get("rpc_layer")

    @property
    def environment(self):
        return self._environment or self._config().get("environment", "")

    def cluster_spec(self):
        return ClusterSpec(self._config().get("cluster", {}))

    def master(self, task_type=None, task_id=None, rpc_layer=None):
        task_type = task_type if task_type is not None else self.task_type
        task_id = task_id if task_id is not None else self.task_id
        spec = self.cluster_spec()
        if task_type is None or task_id is None or task_type not in spec.jobs:
            return ""
        addr = spec.task_address(task_type, task_id)
        layer = rpc_layer or self.rpc_layer
        return f"{layer}://{addr}" if layer else addr
