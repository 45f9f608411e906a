"""`tf.summary.experimental`: the default step, summary scopes, raw Summary protos."""

from __future__ import annotations

import contextlib
import re

import numpy as np

from arroyo.framework.context import state
from arroyo.framework.op_registry import execute
from arroyo.framework.tensor import Tensor, _wrap, convert_to_tensor

__all__ = ["get_step", "set_step", "summary_scope", "write_raw_pb"]


def get_step():
    """The default summary step of the current thread, or None.

    >>> tf.summary.experimental.set_step(3)
    >>> tf.summary.experimental.get_step()
    3
    """
    from arroyo.summary import _state

    return _state.step


def set_step(step):
    """Sets the default summary step (an int, a tensor, or a Variable read at each write;
    inside a tf.function a Python int is fixed when the function is traced)."""
    from arroyo.summary import _state

    _state.step = step


_INVALID_SCOPE_CHARACTERS = re.compile(r"[^-_/.A-Za-z0-9]")


@contextlib.contextmanager
def summary_scope(name, default_name="summary", values=None):
    """Yields `(tag, scope)`: the tag is the current name scope plus `name`, unchanged; the
    scope is a name scope made from `name` (characters TF rejects removed)."""
    from arroyo.module.name_scope import name_scope

    name = name or default_name
    current = "/".join(state.name_scope)
    tag = f"{current}/{name}" if current else name
    scope_name = _INVALID_SCOPE_CHARACTERS.sub("", name) or default_name
    with name_scope(scope_name) as scope:
        yield tag, scope


def write_raw_pb(tensor, step=None, name=None):
    """Writes serialized `Summary` protos (a string tensor) to the default writer."""
    from arroyo.summary import (
        _FALSE,
        _TRUE,
        _choose_step,
        _no_step,
        _ops,
        _record_condition,
        _state,
    )

    if step is not None:
        step = _choose_step(step)
    writer = _state.writer
    if writer is None:
        return _FALSE
    if step is None:
        step = _state.step
        if step is None:
            _no_step()
    cond = _record_condition()
    if cond is False or not hasattr(writer, "_handle"):
        return _FALSE
    if not isinstance(tensor, Tensor):
        tensor = _wrap(np.array(tensor, dtype=object)) if isinstance(tensor, bytes) else \
            convert_to_tensor(tensor)  # fmt: skip

    def record():
        execute(_ops.WRITE_RAW_PROTO_SUMMARY, (writer._handle, _choose_step(step), tensor), {})
        return _TRUE

    if cond is True:
        return record()
    from arroyo.graph.control_flow import cond as tf_cond

    return tf_cond(cond, record, lambda: _FALSE)
