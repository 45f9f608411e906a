"""`tf.autograph`: convert Python control flow to TF ops (see arroyo/graph/autograph.py)."""

from __future__ import annotations

import enum
import types

from arroyo.graph.autograph import do_not_convert, set_loop_options, to_code, to_graph

__all__ = ["to_code", "to_graph", "experimental", "set_verbosity", "trace"]

_verbosity = 0


def set_verbosity(level, alsologtostdout=False):
    """Sets AutoGraph's logging verbosity (kept for API compatibility)."""
    global _verbosity
    _verbosity = int(level)


def trace(*args):
    """Prints its arguments when the converted code runs (at trace time in graphs)."""
    print(*args)


class Feature(enum.Enum):
    """Optional AutoGraph features (accepted, not all are distinct here)."""

    ALL = "ALL"
    ASSERT_STATEMENTS = "ASSERTS"
    AUTO_CONTROL_DEPS = "AUTO_CONTROL_DEPS"
    BUILTIN_FUNCTIONS = "BUILTIN_FUNCTIONS"
    EQUALITY_OPERATORS = "EQUALITY_OPERATORS"
    LISTS = "LISTS"
    NAME_SCOPES = "NAME_SCOPES"


experimental = types.SimpleNamespace(
    do_not_convert=do_not_convert,
    set_loop_options=set_loop_options,
    Feature=Feature,
)
