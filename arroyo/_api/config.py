"""`tf.config`: devices, threading, soft placement, run_functions_eagerly, optimizer."""

from types import SimpleNamespace as _Namespace

from arroyo.framework import device as _d
from arroyo.framework.context import state as _state
from arroyo.framework.device import (  # noqa: F401
    LogicalDevice,
    LogicalDeviceConfiguration,
    PhysicalDevice,
    get_logical_device_configuration,
    get_soft_device_placement,
    get_visible_devices,
    list_logical_devices,
    list_physical_devices,
    set_logical_device_configuration,
    set_soft_device_placement,
    set_visible_devices,
)


def run_functions_eagerly(run_eagerly: bool):
    """Makes every tf.function run its Python body eagerly (for debugging).

    >>> tf.config.run_functions_eagerly(False)
    """
    _state.run_functions_eagerly = bool(run_eagerly)


def functions_run_eagerly() -> bool:
    return _state.run_functions_eagerly


experimental_run_functions_eagerly = run_functions_eagerly
experimental_functions_run_eagerly = functions_run_eagerly

experimental = _Namespace(
    VirtualDeviceConfiguration=LogicalDeviceConfiguration,
    disable_mlir_bridge=_d.disable_mlir_bridge,
    enable_mlir_bridge=_d.enable_mlir_bridge,
    enable_op_determinism=_d.enable_op_determinism,
    enable_tensor_float_32_execution=_d.enable_tensor_float_32_execution,
    get_device_details=_d.get_device_details,
    get_device_policy=_d.get_device_policy,
    get_memory_growth=_d.get_memory_growth,
    get_memory_info=_d.get_memory_info,
    get_memory_usage=_d.get_memory_usage,
    get_synchronous_execution=_d.get_synchronous_execution,
    get_virtual_device_configuration=_d.get_logical_device_configuration,
    get_visible_devices=_d.get_visible_devices,
    list_logical_devices=_d.list_logical_devices,
    list_physical_devices=_d.list_physical_devices,
    reset_memory_stats=_d.reset_memory_stats,
    set_device_policy=_d.set_device_policy,
    set_memory_growth=_d.set_memory_growth,
    set_synchronous_execution=_d.set_synchronous_execution,
    set_virtual_device_configuration=_d.set_logical_device_configuration,
    set_visible_devices=_d.set_visible_devices,
    tensor_float_32_execution_enabled=_d.tensor_float_32_execution_enabled,
)
threading = _Namespace(
    set_intra_op_parallelism_threads=_d.set_intra_op_parallelism_threads,
    get_intra_op_parallelism_threads=_d.get_intra_op_parallelism_threads,
    set_inter_op_parallelism_threads=_d.set_inter_op_parallelism_threads,
    get_inter_op_parallelism_threads=_d.get_inter_op_parallelism_threads,
)

_jit = [""]


def _set_jit(enabled):
    # TF stores the XLA auto-clustering mode: True -> "autoclustering", False -> "".
    _jit[0] = "autoclustering" if enabled is True else (enabled or "")


def _optimizer_namespace():
    from arroyo.graph import passes

    return _Namespace(
        set_experimental_options=passes.set_experimental_options,
        get_experimental_options=passes.get_experimental_options,
        set_jit=_set_jit,
        get_jit=lambda: _jit[0],
    )


def __getattr__(name):
    if name == "optimizer":
        ns = _optimizer_namespace()
        globals()["optimizer"] = ns
        return ns
    raise AttributeError(f"module 'tf.config' has no attribute {name!r}")


def __dir__():
    return sorted({n for n in globals() if not n.startswith("_")} | {"optimizer"})
