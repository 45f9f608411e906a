"""Devices and tf.config against TensorFlow 2.21 (goldens, group "devices") and checks.

arroyo runs on the CPU: device scopes are parsed and validated as TF does, and ops placed
on a missing device (e.g. 'GPU:0') run on the CPU, as with TF's soft placement.
"""

from __future__ import annotations

import importlib.util
import os

import pytest

import arroyo as tf
from arroyo.framework.device import DeviceSpec

_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_spec = importlib.util.spec_from_file_location(
    "make_core_goldens", os.path.join(_ROOT, "tools", "make_core_goldens.py")
)
goldens = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(goldens)

CPU = "/job:localhost/replica:0/task:0/device:CPU:0"


@pytest.mark.parametrize("code", goldens.case_ids("devices"))
def test_tf_golden(code):
    goldens.pytest_check(tf, "devices", code)


def test_soft_placement_falls_back_to_cpu():
    for name in ("GPU:0", "/gpu:1", "/device:GPU:0", "TPU:0", "CPU:0", None, ""):
        with tf.device(name):
            x = tf.constant([1.0]) * 2.0
            v = tf.Variable(1.0)
        assert x.device == CPU and v.device == CPU


def test_invalid_specs():
    with pytest.raises(ValueError, match="Unknown attribute 'foo'"):
        with tf.device("foo"):
            pass
    with pytest.raises(ValueError, match="Multiple device types"):
        with tf.device("/CPU:0/GPU:0"):
            pass
    with pytest.raises(ValueError, match="Expecting a string device name"):
        with tf.device(3):
            pass
    with pytest.raises(RuntimeError, match="does not support functions"):
        with tf.device(lambda op: "/cpu:0"):
            pass


def test_device_spec():
    s = DeviceSpec.from_string("/job:w/replica:0/task:1/GPU:2")
    assert (s.job, s.replica, s.task, s.device_type, s.device_index) == ("w", 0, 1, "GPU", 2)
    assert s.to_string() == "/job:w/replica:0/task:1/device:GPU:2"
    assert DeviceSpec(device_type="cpu").to_string() == "/device:CPU:*"
    with tf.device(DeviceSpec(device_type="CPU", device_index=0)):
        assert tf.constant(1).device == CPU


def test_physical_and_logical_devices():
    (cpu,) = tf.config.list_physical_devices("CPU")
    assert cpu == tf.config.PhysicalDevice("/physical_device:CPU:0", "CPU")
    assert tf.config.list_physical_devices("GPU") == []
    assert [d.name for d in tf.config.list_logical_devices()] == ["/device:CPU:0"]
    with pytest.raises(ValueError, match="Cannot set memory growth on non-GPU"):
        tf.config.experimental.set_memory_growth(cpu, True)


def test_threading_setters_and_getters():
    t = tf.config.threading
    old = t.get_inter_op_parallelism_threads()
    t.set_inter_op_parallelism_threads(3)
    assert t.get_inter_op_parallelism_threads() == 3
    t.set_inter_op_parallelism_threads(old)
    assert t.get_intra_op_parallelism_threads() >= 0


def test_executing_eagerly():
    assert tf.executing_eagerly()
