"""Devices: `tf.device` scopes, `tf.DeviceSpec` and the `tf.config` device queries.

arroyo computes on the CPU. As TF does with soft placement, a scope naming a device that
does not exist ('GPU:0' on a machine without one) runs its ops on the CPU; device strings
are still parsed and rejected the way TF rejects them.
"""

from __future__ import annotations

import collections
import contextlib
import os

from arroyo.framework.context import state

__all__ = [
    "DeviceSpec", "PhysicalDevice", "LogicalDevice", "LogicalDeviceConfiguration", "device",
    "list_physical_devices", "list_logical_devices", "get_visible_devices", "set_visible_devices",
]  # fmt: skip

PhysicalDevice = collections.namedtuple("PhysicalDevice", ["name", "device_type"])
PhysicalDevice.__doc__ = "TF's `tf.config.PhysicalDevice(name, device_type)`."
LogicalDevice = collections.namedtuple("LogicalDevice", ["name", "device_type"])
LogicalDevice.__doc__ = "TF's `tf.config.LogicalDevice(name, device_type)`."
LogicalDeviceConfiguration = collections.namedtuple(
    "LogicalDeviceConfiguration",
    ["memory_limit", "experimental_priority", "experimental_device_ordinal"],
    defaults=(None, None, None),
)

_CPU = PhysicalDevice("/physical_device:CPU:0", "CPU")
_VALID_DEVICE_TYPES = frozenset(
    {"CPU", "GPU", "TPU", "TPU_SYSTEM", "XLA_CPU", "XLA_GPU", "DEFAULT"}
)


def _int_or_none(v):
    return None if v is None else int(v)


class DeviceSpec:
    """A (possibly partial) device name: job, replica, task, device type and index.

    >>> tf.DeviceSpec.from_string("/job:w/GPU:1").to_string()
    '/job:w/device:GPU:1'
    """

    __slots__ = ("_job", "_replica", "_task", "_device_type", "_device_index")

    def __init__(self, job=None, replica=None, task=None, device_type=None, device_index=None):
        self._job = None if job is None else str(job)
        self._replica = _int_or_none(replica)
        self._task = _int_or_none(task)
        if device_type is not None and str(device_type).upper() in ("CPU", "GPU"):
            device_type = str(device_type).upper()
        self._device_type = device_type
        self._device_index = _int_or_none(device_index)

    @classmethod
    def from_string(cls, spec):
        return cls(*_parse(spec))

    def parse_from_string(self, spec):
        return DeviceSpec.from_string(spec)

    def make_merged_spec(self, dev):
        """This spec with the fields `dev` sets overriding it."""
        out = self._components()
        for i, v in enumerate(dev._components()):
            if v is not None:
                out[i] = v
        return DeviceSpec(*out)

    def replace(self, **kwargs):
        fields = dict(
            zip(("job", "replica", "task", "device_type", "device_index"), self._components())
        )
        fields.update(kwargs)
        return DeviceSpec(**fields)

    def _components(self):
        return [self._job, self._replica, self._task, self._device_type, self._device_index]

    @property
    def job(self):
        return self._job

    @property
    def replica(self):
        return self._replica

    @property
    def task(self):
        return self._task

    @property
    def device_type(self):
        return self._device_type

    @property
    def device_index(self):
        return self._device_index

    def to_string(self) -> str:
        out = ""
        if self._job is not None:
            out += f"/job:{self._job}"
        if self._replica is not None:
            out += f"/replica:{self._replica}"
        if self._task is not None:
            out += f"/task:{self._task}"
        if self._device_type is not None:
            index = "*" if self._device_index is None else str(self._device_index)
            out += f"/device:{self._device_type}:{index}"
        return out

    def __eq__(self, other):
        return isinstance(other, DeviceSpec) and self._components() == other._components()

    def __hash__(self):
        return hash(tuple(self._components()))

    def __repr__(self):
        return (
            f"<DeviceSpec(job={self._job}, replica={self._replica}, task={self._task}, "
            f"device_type={self._device_type}, device_index={self._device_index})>"
        )


def _parse(spec):
    """TF's device-string grammar: /job:x/replica:n/task:n/device:TYPE:n, or TYPE:n."""
    job = replica = task = device_type = device_index = None
    text = spec or ""
    for part in (p.split(":") for p in text.split("/")):
        n = len(part)
        if n == 2 and part[0] == "job":
            job = part[1]
        elif n == 2 and part[0] == "replica":
            replica = int(part[1])
        elif n == 2 and part[0] == "task":
            task = int(part[1])
        elif n in (1, 2) and part[0].upper() in _VALID_DEVICE_TYPES:
            if device_type is not None:
                raise ValueError(
                    f"Multiple device types are not allowed while parsing the device spec: {text}."
                )
            device_type = part[0].upper()
            if n == 2 and part[1] != "*":
                device_index = int(part[1])
        elif n == 3 and part[0] == "device":
            if device_type is not None:
                raise ValueError(
                    f"Multiple device types are not allowed while parsing the device spec: {text}."
                )
            device_type = part[1]
            if part[2] != "*":
                device_index = int(part[2])
        elif n and part[0] != "":
            raise ValueError(
                f"Unknown attribute '{part[0]}' is encountered while parsing the device spec: '{text}'."
            )
    return job, replica, task, device_type, device_index


@contextlib.contextmanager
def device(device_name):
    """Places ops created in the block on `device_name` (soft placement: CPU fallback).

    >>> with tf.device('GPU:0'):
    ...     k = tf.constant(1.0) * 2
    >>> k.device
    '/job:localhost/replica:0/task:0/device:CPU:0'
    """
    if callable(device_name) and not isinstance(device_name, (str, DeviceSpec)):
        raise RuntimeError("tf.device does not support functions.")
    if isinstance(device_name, DeviceSpec):
        spec = device_name
    elif device_name is None or isinstance(device_name, str):
        spec = DeviceSpec.from_string(device_name)
    else:
        raise ValueError(f"Expecting a string device name. Got {type(device_name)}({device_name})")
    state.device_stack.append(spec)
    try:
        yield
    finally:
        state.device_stack.pop()


# -- tf.config ------------------------------------------------------------------------------

_memory_growth: dict = {}
_visible: list | None = None
_soft_placement = [True]
_threads = {"intra": 0, "inter": 0}
_logical_config: dict = {}
_flags = {"op_determinism": False, "tf32": True, "device_policy": "silent", "synchronous": True,
          "mlir_bridge": False}  # fmt: skip


def list_physical_devices(device_type=None):
    """Physical devices visible to arroyo: one CPU.

    >>> tf.config.list_physical_devices('GPU')
    []
    """
    if device_type is None or device_type == "CPU":
        return [_CPU]
    return []


def list_logical_devices(device_type=None):
    """Logical devices: one CPU, or as many as `set_logical_device_configuration` made."""
    if device_type is not None and device_type != "CPU":
        return []
    if _visible is not None and _CPU not in _visible:
        return []
    n = len(_logical_config.get(_CPU) or ()) or 1
    return [LogicalDevice(f"/device:CPU:{i}", "CPU") for i in range(n)]


def _check_known(device):
    if device not in list_physical_devices():
        raise ValueError(f"Unrecognized device: {device!r}")


def get_visible_devices(device_type=None):
    devices = list_physical_devices(device_type)
    if _visible is None:
        return devices
    return [d for d in devices if d in _visible]


def set_visible_devices(devices, device_type=None):
    """Restricts the visible devices (of `device_type`, or of every type)."""
    global _visible
    if isinstance(devices, PhysicalDevice):
        devices = [devices]
    devices = list(devices)
    for d in devices:
        _check_known(d)
    keep = (
        []
        if device_type is None
        else [d for d in get_visible_devices() if d.device_type != device_type]
    )
    _visible = keep + devices


def set_memory_growth(device, enable):
    """TF's rule: only GPUs (and pluggable devices) have a memory-growth setting."""
    _check_known(device)
    if device.device_type == "CPU":
        raise ValueError("Cannot set memory growth on non-GPU and non-Pluggable devices")
    _memory_growth[device] = bool(enable)


def get_memory_growth(device):
    _check_known(device)
    if device not in _memory_growth:
        raise KeyError(device)
    return _memory_growth[device]


def get_device_details(device):
    if device not in list_physical_devices():
        raise ValueError(
            "The PhysicalDevice must be one obtained from calling "
            f"`tf.config.list_physical_devices`, but got: {device!r}"
        )
    return {}


def _check_device_name(name):
    try:
        spec = DeviceSpec.from_string(name)
    except ValueError:
        spec = DeviceSpec()
    if spec.device_type is None or spec.device_index is None:
        raise ValueError(
            f"Failed parsing device name: '{name}'. Note a valid device string should at least "
            'contain a device type and a device index, like "GPU:0".'
        )
    if spec.device_type != "CPU" or spec.device_index != 0:
        raise ValueError(f"No matching devices found for '{name}'")


def get_memory_info(device):
    """{'current': bytes, 'peak': bytes}; arroyo does not track host allocations: zeros."""
    _check_device_name(device)
    return {"current": 0, "peak": 0}


def get_memory_usage(device):
    _check_device_name(device)
    return 0


def reset_memory_stats(device):
    _check_device_name(device)


def get_logical_device_configuration(device):
    _check_known(device)
    return _logical_config.get(device)


def set_logical_device_configuration(device, logical_devices):
    """Splits the CPU into several logical devices (listed by list_logical_devices)."""
    _check_known(device)
    _logical_config[device] = None if logical_devices is None else list(logical_devices)


def set_soft_device_placement(enabled):
    _soft_placement[0] = bool(enabled)


def get_soft_device_placement():
    return _soft_placement[0]


def set_intra_op_parallelism_threads(num_threads):
    """Sets the BLAS thread count for arroyo's kernels (0 = the library default)."""
    _threads["intra"] = int(num_threads)
    if num_threads:
        try:
            from threadpoolctl import threadpool_limits

            threadpool_limits(int(num_threads))
        except ImportError:
            os.environ.setdefault("OMP_NUM_THREADS", str(num_threads))


def get_intra_op_parallelism_threads():
    return _threads["intra"]


def set_inter_op_parallelism_threads(num_threads):
    _threads["inter"] = int(num_threads)


def get_inter_op_parallelism_threads():
    return _threads["inter"]


def enable_op_determinism():
    """arroyo's NumPy kernels are deterministic already; recorded for the query."""
    _flags["op_determinism"] = True


def enable_tensor_float_32_execution(enabled):
    _flags["tf32"] = bool(enabled)


def tensor_float_32_execution_enabled():
    return _flags["tf32"]


def get_device_policy():
    return _flags["device_policy"]


def set_device_policy(device_policy):
    if device_policy not in (None, "silent", "silent_for_int32", "warn", "explicit"):
        raise ValueError(f"Not a valid device policy: {device_policy!r}")
    _flags["device_policy"] = "silent" if device_policy is None else device_policy


def get_synchronous_execution():
    return _flags["synchronous"]


def set_synchronous_execution(enable):
    _flags["synchronous"] = bool(enable)


def enable_mlir_bridge():
    _flags["mlir_bridge"] = True


def disable_mlir_bridge():
    _flags["mlir_bridge"] = False
