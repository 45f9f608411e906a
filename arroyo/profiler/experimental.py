"""`tf.profiler.experimental`: start/stop, `Profile`, `Trace`, `ProfilerOptions`.

What is recorded while a profiler runs:
  - every eager op, through the op registry's observer hook (`add_observer`): its raw-op
    name, input shapes and dtypes. The hook is called when an op has finished, so an op's
    slice spans from the end of the previous event on its thread (the op's dispatch, its
    kernel, and any Python in between) to its own end; back-to-back ops show exactly;
  - every tf.function call (`arroyo.profiler._hooks`), start to end, named after the
    function; the ops inside a compiled function run as one generated plan and are part of
    that slice;
  - every `Trace(name, **metadata)` region, with its metadata as arguments.
Nothing is installed while no profiler runs: the observer and the function hook are added
by `start` and removed by `stop`, so a program that does not profile pays nothing.
"""

from __future__ import annotations

import collections
import gzip
import json
import os
import socket
import threading
import time

from arroyo.framework import op_registry
from arroyo.framework.errors import AlreadyExistsError, UnavailableError
from arroyo.framework.tensor import EagerTensor
from arroyo.profiler import _hooks

__all__ = ["ProfilerOptions", "Profile", "Trace", "start", "stop", "trace_wrapper", "warmup"]


class ProfilerOptions(
    collections.namedtuple(
        "ProfilerOptions",
        ["host_tracer_level", "python_tracer_level", "device_tracer_level", "delay_ms"],
    )
):
    """Options of `start` (TF's fields and defaults; arroyo traces the host only)."""

    def __new__(cls, host_tracer_level=2, python_tracer_level=0, device_tracer_level=1,
                delay_ms=None):  # fmt: skip
        return super().__new__(cls, host_tracer_level, python_tracer_level, device_tracer_level,
                               delay_ms)  # fmt: skip


class _Session:
    """The events of one profiling session."""

    def __init__(self, logdir, options):
        self.logdir = os.fspath(logdir)
        self.options = options
        self.t0 = time.perf_counter_ns()
        self.wall0 = time.time()
        self.events = []  # (name, cat, start_ns, end_ns, tid, args)
        self._last = {}  # thread id -> end of the thread's previous event (ns)
        self._lock = threading.Lock()
        self.remove_observer = op_registry.add_observer(self.on_op)
        self.remove_hook = _hooks.add(self.on_function)

    def on_op(self, op, inputs, attrs, result):
        end = time.perf_counter_ns()
        tid = threading.get_ident()
        start = self._last.get(tid, self.t0)
        # NumPy dtype and shape now (cheap); spelled as TF's at export
        args = [(t._value.dtype, t._value.shape) if type(t) is EagerTensor else (None, None)
                for t in inputs]  # fmt: skip
        self.events.append((op.name, "op", start, end, tid, args))
        self._last[tid] = time.perf_counter_ns()  # the profiler's own cost is not the next op's

    def on_function(self, cf, t0, t1):
        tid = threading.get_ident()
        self.events.append((cf.name, "tf.function", t0, t1, tid, None))
        self._last[tid] = time.perf_counter_ns()

    def region(self, name, t0, t1, meta):
        tid = threading.get_ident()
        self.events.append((name, "trace", t0, t1, tid, meta))
        self._last[tid] = time.perf_counter_ns()

    def mark(self, t):
        self._last[threading.get_ident()] = t

    def detach(self):
        self.remove_observer()
        self.remove_hook()

    def chrome_trace(self) -> dict:
        pid = os.getpid()
        host = socket.gethostname()
        out = [
            {
                "ph": "M",
                "pid": pid,
                "name": "process_name",
                "args": {"name": f"/host:CPU ({host})"},
            },
        ]
        threads = {}
        for name, cat, start, end, tid, args in self.events:
            if tid not in threads:
                threads[tid] = len(threads)
                out.append({"ph": "M", "pid": pid, "tid": threads[tid], "name": "thread_name",
                            "args": {"name": _thread_name(tid)}})  # fmt: skip
            ev = {
                "ph": "X", "cat": cat, "name": name, "pid": pid, "tid": threads[tid],
                "ts": (start - self.t0) / 1000.0, "dur": max(end - start, 0) / 1000.0,
            }  # fmt: skip
            if cat == "op":
                ev["args"] = {
                    f"input{i}": f"{_dtype_name(d)}{list(s) if s is not None else ''}"
                    for i, (d, s) in enumerate(args)
                }
            elif args:
                ev["args"] = {k: _jsonable(v) for k, v in args.items()}
            out.append(ev)
        return {
            "displayTimeUnit": "ns",
            "metadata": {"highres-ticks": True, "start_time_unix": self.wall0},
            "traceEvents": out,
        }

    def export(self) -> str:
        """Writes `<logdir>/plugins/profile/<run>/<host>.trace.json.gz`; returns its path."""
        run = time.strftime("%Y_%m_%d_%H_%M_%S", time.localtime(self.wall0))
        d = os.path.join(self.logdir, "plugins", "profile", run)
        os.makedirs(d, exist_ok=True)
        path = os.path.join(d, f"{socket.gethostname()}.trace.json.gz")
        tmp = f"{path}.tmp{os.getpid()}"
        data = json.dumps(self.chrome_trace(), separators=(",", ":")).encode()
        with open(tmp, "wb") as f:
            f.write(gzip.compress(data, compresslevel=6))
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
        return path


def _dtype_name(np_dtype):
    if np_dtype is None:
        return "?"
    from arroyo.framework import dtypes

    d = dtypes._BY_NP.get(np_dtype)
    return d.name if d is not None else str(np_dtype)


def _thread_name(tid):
    for t in threading.enumerate():
        if t.ident == tid:
            return t.name
    return f"thread {tid}"


def _jsonable(v):
    if isinstance(v, (int, float, str, bool)) or v is None:
        return v
    try:
        return v.item()
    except (AttributeError, ValueError):
        return str(v)


_lock = threading.Lock()
_session = None


def start(logdir, options=None):
    """Starts profiling; `stop()` writes the trace under `logdir`.

    >>> tf.profiler.experimental.start("logs")
    >>> tf.reduce_sum(tf.ones([10]))
    >>> tf.profiler.experimental.stop()
    """
    global _session
    with _lock:
        if _session is not None:
            raise AlreadyExistsError(None, None, "Another profiler is running.")
        _session = _Session(logdir, options)


def stop(save=True):
    """Stops profiling and (with `save`) writes the trace; raises UnavailableError if no
    profiler runs."""
    global _session
    with _lock:
        s = _session
        if s is None:
            raise UnavailableError(
                None, None, "Cannot export profiling results. No profiler is running."
            )
        _session = None
    s.detach()
    if save:
        return s.export()
    return None


def warmup():
    start("")
    stop(save=False)


class Profile:
    """Profiles the code inside the `with` block and writes the trace to `logdir`.

    >>> with tf.profiler.experimental.Profile("logs"):
    ...     train_step()
    """

    def __init__(self, logdir, options=None):
        self._logdir = logdir
        self._options = options

    def __enter__(self):
        start(self._logdir, self._options)

    def __exit__(self, typ, value, tb):
        stop()


class Trace:
    """Marks a region (e.g. one training step) in the profile; free when not profiling.

    >>> for step in range(3):
    ...     with tf.profiler.experimental.Trace("train", step_num=step, _r=1):
    ...         train_step()
    """

    def __init__(self, name, **kwargs):
        self._name = name
        self._meta = kwargs
        self._t0 = None

    def __enter__(self):
        s = _session
        if s is not None:
            self._t0 = time.perf_counter_ns()
            s.mark(self._t0)  # the region's first op starts with the region
        return self

    def set_metadata(self, **kwargs):
        self._meta.update(kwargs)

    def __exit__(self, exc_type, exc_val, exc_tb):
        s = _session
        if s is not None and self._t0 is not None:
            s.region(self._name, self._t0, time.perf_counter_ns(), self._meta)
        return False


def trace_wrapper(trace_name, **trace_kwargs):
    """Decorator: runs the function inside `Trace(trace_name, **trace_kwargs)`."""
    import functools

    def inner(func):
        @functools.wraps(func)
        def wrapped(*args, **kwargs):
            with Trace(trace_name, **trace_kwargs):
                return func(*args, **kwargs)

        return wrapped

    return inner
