"""`tf.summary`: TensorBoard summaries written to event files, eagerly and in tf.function.

    writer = tf.summary.create_file_writer("logs")
    with writer.as_default(step=0):
        tf.summary.scalar("loss", 0.25)

Each summary is TF 2's: a tensor value with SummaryMetadata naming the TensorBoard plugin
("scalars", "histograms", "images", "text", "audio"), written by the `WriteSummary` op
(see `_ops.py` for how the op reaches its writer). Inside a tf.function the writes are
stateful ops: they run on every call, in program order, with that call's step.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import threading
import weakref

import numpy as np

from arroyo.framework import dtypes
from arroyo.framework.context import state
from arroyo.framework.op_registry import execute
from arroyo.framework.tensor import EagerTensor, Tensor, _wrap, convert_to_tensor
from arroyo.summary import _events, _ops
from arroyo.summary._trace import trace_export, trace_off, trace_on

__all__ = [
    "SummaryWriter", "audio", "create_file_writer", "create_noop_writer", "experimental",
    "flush", "graph", "histogram", "image", "record_if", "scalar", "should_record_summaries",
    "text", "trace_export", "trace_off", "trace_on", "write",
]  # fmt: skip


class _SummaryState(threading.local):
    def __init__(self):
        self.is_recording = None
        self.writer = None
        self.step = None


_state = _SummaryState()
_TRUE = _wrap(np.array(True))
_FALSE = _wrap(np.array(False))


# -- writers ---------------------------------------------------------------------------------


class _SummaryContextManager:
    """`writer.as_default(step)`: a class, so `set_as_default` can just enter it."""

    def __init__(self, writer, step=None):
        self._writer = writer
        self._step = step
        self._old_writer = None
        self._old_step = None

    def __enter__(self):
        self._old_writer = _state.writer
        _state.writer = self._writer
        if self._step is not None:
            self._old_step = _state.step
            _state.step = self._step
        return self._writer

    def __exit__(self, *exc):
        _state.writer.flush()  # TF flushes on leaving, eagerly and in functions
        _state.writer = self._old_writer
        if self._step is not None:
            _state.step = self._old_step
        return False


class SummaryWriter:
    """Interface of a stateful summary writer (`tf.summary.SummaryWriter`)."""

    def set_as_default(self, step=None):
        """Makes this the default writer of the current thread (and sets the step if given)."""
        self.as_default(step).__enter__()

    def as_default(self, step=None):
        """A context manager in which summaries go to this writer.

        >>> with writer.as_default(step=10):
        ...     tf.summary.scalar("x", 1.0)
        """
        return _SummaryContextManager(self, step)

    def init(self):
        raise NotImplementedError()

    def flush(self):
        raise NotImplementedError()

    def close(self):
        raise NotImplementedError()


_writer_ids = itertools.count()
_live_writers: weakref.WeakSet = weakref.WeakSet()


class _ResourceSummaryWriter(SummaryWriter):
    """A writer backed by an event file (TF's resource-backed writer)."""

    def __init__(self, logdir, max_queue, flush_millis, filename_suffix):
        self._name = f"_SummaryWriter_{next(_writer_ids)}".encode()
        self._file = _events.EventFileWriter(logdir, max_queue, flush_millis, filename_suffix)
        _ops.RESOURCES[self._name] = self._file
        self._handle = _wrap(np.array(self._name, dtype=object))
        self._closed = False
        _live_writers.add(self)

    def _check_open(self):
        if self._closed and state.graph is None:
            raise RuntimeError(f"SummaryWriter {self!r} is already closed")

    def set_as_default(self, step=None):
        self._check_open()
        super().set_as_default(step)

    def as_default(self, step=None):
        self._check_open()
        return super().as_default(step)

    def init(self):
        """The writer is created open; nothing to run (TF returns its init op)."""
        self._check_open()

    def flush(self):
        """Writes the queued events to the file (an op inside tf.function)."""
        if self._closed and state.graph is None:
            return None
        if state.graph is None:
            self._file.flush()
            return None
        return execute(_ops.FLUSH_SUMMARY_WRITER, (self._handle,), {})

    def close(self):
        """Flushes and closes the event file; the writer cannot be used afterwards."""
        if self._closed and state.graph is None:
            return None
        if state.graph is not None:
            return execute(_ops.CLOSE_SUMMARY_WRITER, (self._handle,), {})
        _ops.RESOURCES.pop(self._name, None)
        self._file.close()
        self._closed = True
        return None

    def __del__(self):
        # As TF's resource deleter: the event file is flushed and closed with the writer.
        try:
            if not self._closed:
                _ops.RESOURCES.pop(self._name, None)
                self._file.close()
        except Exception:  # noqa: BLE001 - interpreter shutdown
            pass


class _NoopSummaryWriter(SummaryWriter):
    """A writer that writes nothing (`tf.summary.create_noop_writer()`)."""

    def set_as_default(self, step=None):
        pass

    @contextlib.contextmanager
    def as_default(self, step=None):
        yield

    def init(self):
        pass

    def flush(self):
        pass

    def close(self):
        pass


def create_file_writer(logdir, max_queue=None, flush_millis=None, filename_suffix=None,
                       name=None, experimental_trackable=False, experimental_mesh=None):  # fmt: skip
    """Creates a summary writer for an event file in `logdir` (made if missing).

    >>> writer = tf.summary.create_file_writer("/tmp/logs")
    >>> with writer.as_default():
    ...     tf.summary.scalar("loss", 0.5, step=1)
    """
    if logdir is None:
        raise ValueError("Argument `logdir` cannot be None")
    for arg, v in (("logdir", logdir), ("max_queue", max_queue), ("flush_millis", flush_millis),
                   ("filename_suffix", filename_suffix)):  # fmt: skip
        if isinstance(v, Tensor) and not isinstance(v, EagerTensor):
            raise ValueError(
                f"Invalid graph Tensor argument '{arg}={v}' to create_file_writer() inside an "
                "@tf.function. The create call will be lifted into the outer eager execution "
                "context, so it cannot consume graph tensors defined inside the function body."
            )
    logdir = _py(logdir)
    if isinstance(logdir, bytes):
        logdir = logdir.decode()
    elif not isinstance(logdir, (str, os.PathLike)):
        raise TypeError(f"logdir must be a string or path, got {type(logdir).__name__}: {logdir!r}")
    logdir = os.fspath(logdir)
    suffix = ".v2" if filename_suffix is None else _py(filename_suffix)
    suffix = suffix.decode() if isinstance(suffix, bytes) else str(suffix)
    return _ResourceSummaryWriter(
        logdir,
        10 if max_queue is None else int(_py(max_queue)),
        120000 if flush_millis is None else int(_py(flush_millis)),
        suffix,
    )


def create_noop_writer():
    """Returns a summary writer that does nothing."""
    return _NoopSummaryWriter()


def _py(v):
    if isinstance(v, EagerTensor):
        v = v._value
        return v.item() if isinstance(v, np.ndarray) else v
    return v


def flush(writer=None, name=None):
    """Flushes `writer` (default: the current default writer); None if there is none."""
    if writer is None:
        writer = _state.writer
        if writer is None:
            return None
    if isinstance(writer, SummaryWriter):
        return writer.flush()
    raise ValueError(f"Invalid argument to flush(): {writer!r}")


# -- recording condition and step -------------------------------------------------------------


def _record_condition():
    """False/True when decided in Python, else a symbolic bool tensor."""
    if _state.writer is None:
        return False
    cond = _state.is_recording
    if callable(cond):
        cond = cond()
    if cond is None:
        return True
    if getattr(cond, "_is_arroyo_variable", False):
        cond = cond.value()
    if isinstance(cond, EagerTensor):
        return bool(cond._value)
    if isinstance(cond, Tensor):
        cv = cond._constant_value() if hasattr(cond, "_constant_value") else None
        return bool(cv) if cv is not None else cond
    return bool(cond)


def should_record_summaries():
    """A bool tensor: True if summaries would be recorded now (a writer is set and the
    `record_if` condition holds)."""
    c = _record_condition()
    if c is True:
        return _TRUE
    if c is False:
        return _FALSE
    return c


@contextlib.contextmanager
def record_if(condition):
    """Records summaries only while `condition` (a bool, bool tensor, or callable) holds.

    >>> with tf.summary.record_if(lambda: step % 100 == 0):
    ...     tf.summary.scalar("loss", loss, step=step)
    """
    old = _state.is_recording
    try:
        _state.is_recording = condition
        yield
    finally:
        _state.is_recording = old


def _choose_step(step):
    if type(step) is EagerTensor and step._value.dtype == np.int64 and step._value.ndim == 0:
        return step  # already a scalar int64 tensor (the common case, checked once)
    if type(step) is int and not state.graph:
        return _wrap(np.array(step, dtype=np.int64))
    if getattr(step, "_is_arroyo_variable", False):
        step = step.value()
    if isinstance(step, Tensor):
        if step.dtype is not dtypes.int64:
            from arroyo.ops.math_ops import cast

            step = cast(step, dtypes.int64)
    else:
        step = convert_to_tensor(step, dtype=dtypes.int64)
    if step.shape.num_elements() != 1:
        raise ValueError(
            f"Argument `step` must be a scalar. Received step with shape {step.shape}."
        )
    return step


def _no_step():
    raise ValueError(
        "No step set. Please specify one either through the `step` argument or through "
        "tf.summary.experimental.set_step()"
    )


def _tag(name, default):
    """TF's summary_scope tag: the current name scope, then the name."""
    name = name or default
    scope = "/".join(state.name_scope)
    return f"{scope}/{name}" if scope else name


_STRINGS: dict = {}


def _string(s: bytes):
    t = _STRINGS.get(s)
    if t is None:
        if len(_STRINGS) > 4096:
            _STRINGS.clear()
        t = _STRINGS[s] = _wrap(np.array(s, dtype=object))
    return t


# -- writing -------------------------------------------------------------------------------------


def write(tag, tensor, step=None, metadata=None, name=None):
    """Writes a tensor summary to the default writer; returns a bool tensor (True if written).

    `tensor` may be a callable, called only when recording. `metadata` is a SummaryMetadata
    proto or its serialized bytes.

    >>> tf.summary.write("raw", tf.constant([1.0, 2.0]), step=3)
    """
    if step is not None:
        step = _choose_step(step)
    writer = _state.writer
    if writer is None:
        return _FALSE
    if step is None:
        step = _state.step
    if metadata is None:
        meta = b""
    elif hasattr(metadata, "SerializeToString"):
        meta = metadata.SerializeToString()
    else:
        meta = bytes(metadata)
    cond = _record_condition()
    if cond is False:
        return _FALSE

    def record():
        if step is None:
            _no_step()
        value = tensor() if callable(tensor) else tensor
        if not isinstance(value, Tensor):
            value = convert_to_tensor(value)
        execute(
            _ops.WRITE_SUMMARY,
            (writer._handle, _choose_step(step), value, _string(tag.encode()), _string(meta)),
            {"T": value.dtype},
        )
        return _TRUE

    if cond is True:
        if isinstance(writer, _NoopSummaryWriter):
            return _FALSE
        return record()
    from arroyo.graph.control_flow import cond as tf_cond

    return tf_cond(cond, record, lambda: _FALSE)


def _metadata(plugin, description=None, content=b""):
    return _events.metadata_bytes(plugin, content, description=description or "")


_SCALAR_META = _events.metadata_bytes("scalars")


def scalar(name, data, step=None, description=None):
    """Writes a scalar (as a float32 tensor, TensorBoard's "scalars" plugin).

    >>> with writer.as_default():
    ...     tf.summary.scalar("loss", 0.25, step=1)
    <tf.Tensor: shape=(), dtype=bool, numpy=True>
    """
    if _state.writer is None:
        if step is not None:
            _choose_step(step)
        return _FALSE
    if type(data) is EagerTensor and data._value.dtype == np.float32 and not data._value.ndim:
        pass  # the common case: a float32 scalar, nothing to convert or check
    elif type(data) is float and state.graph is None:
        data = _wrap(np.array(data, dtype=np.float32))
    else:
        if getattr(data, "_is_arroyo_variable", False):
            data = data.value()
        if not isinstance(data, Tensor):
            data = convert_to_tensor(data)
        if data.shape.rank is not None and data.shape.rank != 0:
            raise ValueError(f"Expected scalar shape, saw shape: {_shape_str(data.shape)}.")
    if data.dtype is not dtypes.float32:
        from arroyo.ops.math_ops import cast

        data = cast(data, dtypes.float32)
    meta = _SCALAR_META if description is None else _metadata("scalars", description)
    return write(_tag(name, "scalar_summary"), data, step, meta)


def _shape_str(shape):
    dims = ["None" if d is None else str(d) for d in shape.as_list()]
    return "(" + ", ".join(dims) + ("," if len(dims) == 1 else "") + ")"


def text(name, data, step=None, description=None):
    """Writes a string tensor (TensorBoard's "text" plugin; rank 1 and 2 show as tables)."""
    if _state.writer is None:
        return _FALSE
    if getattr(data, "_is_arroyo_variable", False):
        data = data.value()
    if not isinstance(data, Tensor):
        data = convert_to_tensor(data)
    if data.dtype is not dtypes.string:
        raise TypeError(f"tensor must be of type tf.string; got tf.{data.dtype.name}")
    return write(_tag(name, "text_summary"), data, step, _metadata("text", description))


DEFAULT_BUCKET_COUNT = 30


def histogram(name, data, step=None, buckets=None, description=None):
    """Writes a histogram of `data`'s elements as a [buckets, 3] float64 tensor of
    (left edge, right edge, count) rows (TensorBoard's "histograms" plugin).

    >>> tf.summary.histogram("weights", tf.random.normal([1000]), step=0)
    """
    if _state.writer is None:
        return _FALSE
    meta = _metadata("histograms", description)
    return write(_tag(name, "histogram_summary"), lambda: _buckets(data, buckets), step, meta)


def _buckets(data, bucket_count=None):
    """TensorBoard's bucketing: `bucket_count` equal-width buckets from min to max (the last
    edge exactly max, values at max in the last bucket); all-equal data puts every count in
    the last bucket with both edges at the value; empty data gives zero rows."""
    import arroyo as tf

    if bucket_count is None:
        bucket_count = DEFAULT_BUCKET_COUNT
    bucket_count = max(0, int(_py(bucket_count)))
    if getattr(data, "_is_arroyo_variable", False):
        data = data.value()
    data = tf.cast(tf.reshape(data, [-1]), tf.float64)
    n = data.shape[0]
    if bucket_count == 0 or n == 0:
        return tf.zeros((bucket_count, 3), dtype=tf.float64)

    def nonempty():
        lo = tf.reduce_min(data)
        hi = tf.reduce_max(data)
        span = hi - lo

        def multiple():
            width = span / tf.cast(bucket_count, tf.float64)
            idx = tf.cast(tf.floor((data - lo) / width), tf.int32)
            idx = tf.minimum(idx, bucket_count - 1)
            counts = tf.math.unsorted_segment_sum(tf.ones_like(data), idx, bucket_count)
            edges = tf.linspace(lo, hi, bucket_count + 1)
            edges = tf.concat([edges[:-1], tf.reshape(hi, [1])], 0)
            return tf.transpose(tf.stack([edges[:-1], edges[1:], counts]))

        def single():
            edges = tf.fill([bucket_count], hi)
            size = tf.cast(tf.size(data), tf.float64)
            counts = tf.concat([tf.zeros([bucket_count - 1], tf.float64), tf.reshape(size, [1])], 0)
            return tf.transpose(tf.stack([edges, edges, counts]))

        return tf.cond(tf.equal(span, 0.0), single, multiple)

    if n is not None:
        return nonempty()
    return tf.cond(tf.equal(tf.size(data), 0),
                   lambda: tf.zeros((bucket_count, 3), dtype=tf.float64), nonempty)  # fmt: skip


def _to_uint8(images):
    """TF's convert_image_dtype(images, uint8, saturate=True)."""
    import arroyo as tf

    dt = images.dtype
    if dt is dtypes.uint8:
        return images
    if dt.is_floating:
        return tf.saturate_cast(images * tf.cast(255.5, dt), tf.uint8)
    if dt is dtypes.bool:
        return tf.cast(images, tf.uint8) * 255
    if dt.is_integer:
        bits = dt.size * 8 - (0 if dt.is_unsigned else 1)
        if bits > 8:
            return tf.cast(images // (1 << (bits - 8)), tf.uint8)
        return tf.cast(images, tf.uint8) * ((1 << 8) // (1 << bits))
    raise TypeError(f"Unsupported image dtype {dt.name}")


def image(name, data, step=None, max_outputs=3, description=None):
    """Writes up to `max_outputs` images of a [k, h, w, c] tensor as PNGs (c in 1..4; floats
    in [0, 1]) for TensorBoard's "images" plugin: a string tensor [width, height, png...]."""
    if _state.writer is None:
        return _FALSE
    meta = _metadata("images", description)

    def lazy():
        import arroyo as tf

        t = data.value() if getattr(data, "_is_arroyo_variable", False) else data
        t = t if isinstance(t, Tensor) else convert_to_tensor(t)
        if t.shape.rank != 4:
            raise ValueError(
                f"Tensor  must have rank 4.  Received rank {t.shape.rank}, shape "
                f"{_shape_str(t.shape)}"
            )
        k = int(_py(max_outputs))
        if k < 0:
            raise ValueError("max_outputs must be non-negative")
        images = _to_uint8(t)
        encoded = execute(_ops.ENCODE_PNG, (images[:k],), {"compression": -1})
        h, w = t.shape[1], t.shape[2]
        if h is None or w is None:
            s = tf.shape(images)
            dims = tf.stack([_as_string(s[2]), _as_string(s[1])])
        else:
            dims = convert_to_tensor([str(w).encode(), str(h).encode()])
        return tf.concat([dims, encoded], 0)

    return write(_tag(name, "image_summary"), lazy, step, meta)


def _as_string(t):
    raise NotImplementedError("image summaries of images with unknown height/width in a graph")


_AUDIO_WAV = 11  # AudioPluginData.Encoding.WAV


def audio(name, data, sample_rate, step=None, max_outputs=3, encoding=None, description=None):
    """Writes up to `max_outputs` clips of a [k, frames, channels] float tensor (samples in
    [-1, 1]) as 16-bit WAV (TensorBoard's "audio" plugin)."""
    if encoding is None:
        encoding = "wav"
    if encoding != "wav":
        raise ValueError(f"Unknown encoding: {encoding!r}")
    if _state.writer is None:
        return _FALSE
    # AudioPluginData {version: 0, encoding: WAV}
    meta = _metadata("audio", description, content=bytes((0x10, _AUDIO_WAV)))

    def lazy():
        import arroyo as tf

        t = data if isinstance(data, Tensor) else convert_to_tensor(data)
        if t.shape.rank != 3:
            raise ValueError(
                f"Tensor  must have rank 3.  Received rank {t.shape.rank}, shape "
                f"{_shape_str(t.shape)}"
            )
        t = tf.cast(t, tf.float32)
        k = t.shape[0]
        if k is None:
            raise NotImplementedError("audio summaries need a known number of clips")
        k = min(k, int(_py(max_outputs)))
        rate = tf.cast(convert_to_tensor(sample_rate), tf.int32)
        clips = [execute(_ops.ENCODE_WAV, (t[i], rate), {}) for i in range(k)]
        if not clips:
            return _wrap(np.full((0, 2), b"", dtype=object))
        wavs = tf.stack(clips)
        labels = convert_to_tensor(np.full(k, b"", dtype=object))
        return tf.stack([wavs, labels], axis=1)

    return write(_tag(name, "audio_summary"), lazy, step, meta)


def graph(graph_data):
    """Writes a graph (a `tf.Graph`/FuncGraph, or a GraphDef proto) to the default writer
    as the event's `graph_def`; eager only."""
    if state.graph is not None:
        raise ValueError("graph() cannot be invoked inside a graph context.")
    writer = _state.writer
    if writer is None:
        return _FALSE
    if _record_condition() is not True or isinstance(writer, _NoopSummaryWriter):
        return _FALSE
    from arroyo.summary import _trace

    if hasattr(graph_data, "SerializeToString"):
        data = graph_data.SerializeToString()
    elif hasattr(graph_data, "get_operations"):
        data = _trace.graph_def_proto(graph_data).SerializeToString()
    else:
        raise ValueError(
            "Argument 'graph_data' is not tf.Graph or tf.compat.v1.GraphDef. Received "
            f"graph_data={graph_data} of type {type(graph_data).__name__}."
        )
    execute(_ops.WRITE_GRAPH_SUMMARY, (writer._handle, convert_to_tensor(0, dtypes.int64),
                                       _wrap(np.array(data, dtype=object))), {})  # fmt: skip
    return _TRUE


def _flush_all():
    for w in list(_ops.RESOURCES.values()):
        try:
            w.flush()
        except Exception:  # noqa: BLE001 - at exit, best effort
            pass


import atexit  # noqa: E402

atexit.register(_flush_all)

from arroyo.summary import experimental  # noqa: E402,F401
