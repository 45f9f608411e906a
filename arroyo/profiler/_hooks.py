"""Observing tf.function calls while a graph trace or the profiler is on.

`add(fn)` calls `fn(concrete_function, start_ns, end_ns)` after every top-level eager call
of a ConcreteFunction. The hook is installed only while someone listens: the first listener
swaps ConcreteFunction's two call entry points (`_call_fast`, `_call_flat`) for timed
wrappers on the class, the last one to leave puts the originals back, so a program that
neither traces nor profiles pays nothing. Calls made while building another graph (inlining)
are not executions and are not reported; a call nested in another reports once.
"""

from __future__ import annotations

import threading
import time

from arroyo.framework.context import state

_listeners: list = []
_lock = threading.Lock()
_saved = None
_depth = threading.local()


def _wrap(orig):
    def call(self, args):
        if state.graph is not None or getattr(_depth, "n", 0):
            return orig(self, args)
        _depth.n = 1
        t0 = time.perf_counter_ns()
        try:
            return orig(self, args)
        finally:
            t1 = time.perf_counter_ns()
            _depth.n = 0
            for fn in list(_listeners):
                fn(self, t0, t1)

    call.__wrapped__ = orig
    return call


def add(fn):
    """Starts reporting calls to `fn`; returns a function that stops it."""
    global _saved
    from arroyo.graph.function import ConcreteFunction

    with _lock:
        if not _listeners:
            _saved = (ConcreteFunction._call_fast, ConcreteFunction._call_flat)
            ConcreteFunction._call_fast = _wrap(_saved[0])
            ConcreteFunction._call_flat = _wrap(_saved[1])
        _listeners.append(fn)

    def remove():
        global _saved
        with _lock:
            if fn in _listeners:
                _listeners.remove(fn)
            if not _listeners and _saved is not None:
                ConcreteFunction._call_fast, ConcreteFunction._call_flat = _saved
                _saved = None

    return remove


def active() -> bool:
    return bool(_listeners)
