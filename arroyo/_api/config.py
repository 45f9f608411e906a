"""`tf.config`: devices, threading, soft placement, run_functions_eagerly."""

from types import SimpleNamespace

from arroyo.framework import device as _d
from arroyo.framework.context import state as _state
from arroyo.framework.device import (  # noqa: F401
    LogicalDevice,
    PhysicalDevice,
    get_soft_device_placement,
    get_visible_devices,
    list_logical_devices,
    list_physical_devices,
    set_soft_device_placement,
    set_visible_devices,
)


def run_functions_eagerly(run_eagerly: bool):
    """Makes every tf.function run its Python body eagerly (for debugging)."""
    _state.run_functions_eagerly = bool(run_eagerly)


def functions_run_eagerly() -> bool:
    return _state.run_functions_eagerly


experimental = SimpleNamespace(
    set_memory_growth=_d.set_memory_growth,
    get_memory_growth=_d.get_memory_growth,
    list_physical_devices=_d.list_physical_devices,
    list_logical_devices=_d.list_logical_devices,
    get_visible_devices=_d.get_visible_devices,
    set_visible_devices=_d.set_visible_devices,
    get_device_details=lambda device: {},
)
threading = SimpleNamespace(
    set_intra_op_parallelism_threads=_d.set_intra_op_parallelism_threads,
    get_intra_op_parallelism_threads=_d.get_intra_op_parallelism_threads,
    set_inter_op_parallelism_threads=_d.set_inter_op_parallelism_threads,
    get_inter_op_parallelism_threads=_d.get_inter_op_parallelism_threads,
)


def _optimizer_namespace():
    from arroyo.graph import passes

    return SimpleNamespace(
        set_experimental_options=passes.set_experimental_options,
        get_experimental_options=passes.get_experimental_options,
        set_jit=lambda enabled: None,
        get_jit=lambda: False,
    )


def __getattr__(name):
    if name == "optimizer":
        ns = _optimizer_namespace()
        globals()["optimizer"] = ns
        return ns
    raise AttributeError(f"module 'tf.config' has no attribute {name!r}")
