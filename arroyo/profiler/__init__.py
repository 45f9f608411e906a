"""`tf.profiler`: a host profiler of eager ops, tf.function calls and `Trace` regions.

    tf.profiler.experimental.start("logs")
    ...                                   # eager ops, tf.function calls
    tf.profiler.experimental.stop()       # writes logs/plugins/profile/<run>/<host>.trace.json.gz

The trace is Chrome's trace-event format, which chrome://tracing, Perfetto and TensorBoard's
profile plugin read. See `experimental.py` for what is recorded.
"""

from __future__ import annotations

from arroyo.profiler import experimental  # noqa: F401

__all__ = ["experimental"]
