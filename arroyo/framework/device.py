"""Devices: `tf.device` scopes and `tf.config` device queries.

arroyo computes on the CPU. As TF does with soft placement, a scope naming a device that
does not exist ('GPU:0' on a machine without one) runs its ops on the CPU.
"""

from __future__ import annotations

import contextlib
import os

from arroyo.framework.context import state

class PhysicalDevice:
    """TF's `tf.config.PhysicalDevice(name, device_type)`."""

    __slots__ = ("name", "device_type")

    def __init__(self, name, device_type):
        self.name = name
        self.device_type = device_type

    def __eq__(self, other):
        return isinstance(other, PhysicalDevice) and (self.name, self.device_type) == (other.name, other.device_type)

    def __hash__(self):
        return hash((self.name, self.device_type))

    def __repr__(self):
        return f"PhysicalDevice(name='{self.name}', device_type='{self.device_type}')"


class LogicalDevice(PhysicalDevice):
    __slots__ = ()

    def __repr__(self):
        return f"LogicalDevice(name='{self.name}', device_type='{self.device_type}')"


_CPU = PhysicalDevice("/physical_device:CPU:0", "CPU")
_LOGICAL_CPU = LogicalDevice("/device:CPU:0", "CPU")


def list_physical_devices(device_type=None):
    """Physical devices visible to arroyo: one CPU (accelerators come with the XLA backend)."""
    if device_type is None or device_type.upper() == "CPU":
        return [_CPU]
    return []


def list_logical_devices(device_type=None):
    if device_type is None or device_type.upper() == "CPU":
        return [_LOGICAL_CPU]
    return []


_DEVICE_TYPES = {"CPU", "GPU", "TPU", "XLA_CPU", "XLA_GPU", "TPU_SYSTEM", "DEFAULT"}


def _validate(name):
    """Parses a device spec the way TF does and rejects unknown attributes."""
    if name is None or name == "" or hasattr(name, "to_string"):
        return
    spec = str(name)
    parts = [p for p in spec.split("/") if p]
    for part in parts:
        fields = part.split(":")
        key = fields[0]
        if key in ("job", "replica", "task", "device") and len(fields) >= 2:
            if key == "device" and len(fields) >= 2 and fields[1].upper() not in _DEVICE_TYPES:
                raise ValueError(f"Unknown attribute '{fields[1]}' is encountered while parsing the device spec: '{spec}'.")
            continue
        if key.upper() in _DEVICE_TYPES and len(fields) <= 2:
            continue
        raise ValueError(f"Unknown attribute '{key}' is encountered while parsing the device spec: '{spec}'.")


@contextlib.contextmanager
def device(device_name):
    """Places ops created in the block on `device_name` (soft placement: CPU fallback).

    >>> with tf.device('GPU:0'):
    ...     k = tf.constant(1.0) * 2
    >>> k.device
    '/job:localhost/replica:0/task:0/device:CPU:0'
    """
    if callable(device_name) and not isinstance(device_name, str):
        raise RuntimeError("tf.device does not support functions when eager execution is enabled.")
    _validate(device_name)
    state.device_stack.append(device_name)
    try:
        yield
    finally:
        state.device_stack.pop()


# -- tf.config ------------------------------------------------------------------------------

_memory_growth: dict = {}
_visible = None
_soft_placement = [True]
_threads = {"intra": 0, "inter": 0}


def get_visible_devices(device_type=None):
    return list_physical_devices(device_type) if _visible is None else [
        d for d in _visible if device_type is None or d.device_type == device_type.upper()]  # fmt: skip


def set_visible_devices(devices, device_type=None):
    global _visible
    if isinstance(devices, PhysicalDevice):
        devices = [devices]
    for d in devices:
        if d not in list_physical_devices():
            raise ValueError(f"Unrecognized device: {d!r}")
    _visible = list(devices)


def set_memory_growth(device, enable):
    """Accepted for any listed physical device (a no-op on the CPU backend, as in TF)."""
    if device not in list_physical_devices():
        raise ValueError(f"Unrecognized device: {device!r}")
    if device.device_type == "CPU":
        raise ValueError("Cannot set memory growth on non-GPU and non-Pluggable devices")
    _memory_growth[device] = bool(enable)


def get_memory_growth(device):
    if device not in list_physical_devices():
        raise ValueError(f"Unrecognized device: {device!r}")
    return _memory_growth.get(device)


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
