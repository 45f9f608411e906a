"""Per-thread execution state: the one place every op call asks "where am I?".

`state.graph` is None when executing eagerly, or the graph being built. `state.tapes` are
the active GradientTapes (innermost last). `state.device_stack` holds `tf.device` scopes.
"""

from __future__ import annotations

import threading

CPU_DEVICE = "/job:localhost/replica:0/task:0/device:CPU:0"


class _State(threading.local):
    def __init__(self):
        self.graph = None  # the graph under construction, or None (eager)
        self.tapes = []  # active GradientTapes that are recording
        self.device_stack = []
        self.name_scope = []
        self.run_functions_eagerly = False
        self.eager_disabled = False  # tf.compat.v1.disable_eager_execution


state = _State()


def executing_eagerly() -> bool:
    """True when ops run immediately (outside tf.function tracing and v1 graphs).

    >>> tf.executing_eagerly()
    True
    """
    return state.graph is None
