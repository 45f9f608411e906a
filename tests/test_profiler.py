"""tf.profiler: the host profiler records eager ops, tf.function calls and Trace regions, and
writes a Chrome trace under <logdir>/plugins/profile/<run>/."""

from __future__ import annotations

import glob
import gzip
import json
import os
import time

import pytest

import arroyo as tf
from arroyo.framework import errors, op_registry
from arroyo.graph.function import ConcreteFunction

prof = tf.profiler.experimental


def _trace(logdir):
    files = glob.glob(os.path.join(str(logdir), "plugins", "profile", "*", "*.trace.json.gz"))
    assert len(files) == 1, files
    with gzip.open(files[0]) as f:
        return json.load(f)


def _slices(doc, cat=None):
    return [e for e in doc["traceEvents"] if e["ph"] == "X" and (cat is None or e["cat"] == cat)]


def test_records_eager_ops_functions_and_regions(tmp_path):
    @tf.function
    def step_fn(x):
        return tf.reduce_sum(x * 2.0)

    x = tf.ones([4, 4])
    step_fn(x)  # traced before profiling: the profile shows the call, not the tracing
    n_observers = len(op_registry._observers)
    prof.start(str(tmp_path))
    assert len(op_registry._observers) == n_observers + 1
    for i in range(2):
        with prof.Trace("train", step_num=i, _r=1):
            y = tf.matmul(x, x)
            tf.nn.relu(y)
            step_fn(x)
    prof.stop()
    assert len(op_registry._observers) == n_observers  # nothing left installed

    doc = _trace(tmp_path)
    ops = _slices(doc, "op")
    names = [e["name"] for e in ops]
    assert names.count("MatMul") == 2 and names.count("Relu") == 2
    mm = next(e for e in ops if e["name"] == "MatMul")
    assert mm["args"] == {"input0": "float32[4, 4]", "input1": "float32[4, 4]"}
    funcs = _slices(doc, "tf.function")
    assert [e["name"] for e in funcs] == ["step_fn", "step_fn"]
    regions = _slices(doc, "trace")
    assert [(e["name"], e["args"]["step_num"]) for e in regions] == [("train", 0), ("train", 1)]
    # slices nest: each region contains its ops and its function call, in time order
    for r in regions:
        inside = [
            e
            for e in ops + funcs
            if r["ts"] <= e["ts"] and e["ts"] + e["dur"] <= r["ts"] + r["dur"] + 1e-3
        ]
        assert sorted(e["name"] for e in inside) == ["MatMul", "Relu", "step_fn"]
    assert all(e["dur"] >= 0 for e in _slices(doc))
    meta = [e for e in doc["traceEvents"] if e["ph"] == "M"]
    assert {e["name"] for e in meta} == {"process_name", "thread_name"}


def test_function_slice_measures_the_call(tmp_path):
    @tf.function
    def slow(x):
        return x + 1.0

    slow(tf.constant(1.0))
    with prof.Profile(str(tmp_path)):
        t0 = time.perf_counter()
        slow(tf.constant(1.0))
        wall = (time.perf_counter() - t0) * 1e6
    (call,) = _slices(_trace(tmp_path), "tf.function")
    assert 0 < call["dur"] <= wall


def test_start_stop_errors(tmp_path):
    prof.start(str(tmp_path))
    with pytest.raises(errors.AlreadyExistsError, match="Another profiler is running."):
        prof.start(str(tmp_path))
    prof.stop(save=False)
    assert not os.path.exists(tmp_path / "plugins")  # save=False writes nothing
    with pytest.raises(errors.UnavailableError, match="No profiler is running"):
        prof.stop()


def test_nothing_installed_when_not_profiling():
    fast, flat = ConcreteFunction._call_fast, ConcreteFunction._call_flat
    n = len(op_registry._observers)
    with prof.Trace("idle", step_num=1):  # no session: a no-op
        tf.constant(1.0) + 1.0
    assert len(op_registry._observers) == n
    assert (ConcreteFunction._call_fast, ConcreteFunction._call_flat) == (fast, flat)


def test_options_and_trace_wrapper(tmp_path):
    opts = prof.ProfilerOptions(host_tracer_level=3)
    assert opts.python_tracer_level == 0 and opts.delay_ms is None

    @prof.trace_wrapper("wrapped", step_num=7)
    def work():
        return tf.constant(2.0) * 3.0

    prof.start(str(tmp_path), options=opts)
    assert float(work()) == 6.0
    prof.stop()
    regions = _slices(_trace(tmp_path), "trace")
    assert [(e["name"], e["args"]) for e in regions] == [("wrapped", {"step_num": 7})]


def test_trace_on_with_profiler(tmp_path):
    @tf.function
    def f(x):
        return x * x

    w = tf.summary.create_file_writer(str(tmp_path))
    tf.summary.trace_on(graph=True, profiler=True, profiler_outdir=str(tmp_path))
    f(tf.constant(3.0))
    with w.as_default():
        tf.summary.trace_export("prof_trace", step=1)
    w.flush()
    assert [e["name"] for e in _slices(_trace(tmp_path), "tf.function")] == ["f"]
    ev = [e for e in tf.compat.v1.train.summary_iterator(glob.glob(str(tmp_path / "events*"))[0])
          if e.HasField("summary")]  # fmt: skip
    assert ev[0].summary.value[0].metadata.plugin_data.plugin_name == "graph_run_metadata"
