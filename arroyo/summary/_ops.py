"""The summary raw ops: writes to an event file as stateful ops, plus EncodePng/EncodeWav.

How a kernel reaches its writer: as in TF, the `writer` input is a handle into a resource
manager. A writer registers its EventFileWriter in `RESOURCES` under a unique shared name
(`_SummaryWriter_<n>`), and its handle is a scalar tensor holding that name. Eagerly the
kernel gets the name's array; inside a tf.function the handle is captured as a constant of
the graph, so the compiled plan passes the same name on every call and the kernel looks the
writer up then (a dict lookup). The writes are `stateful`, so tf.function keeps them, in
program order, and runs them on every call with that call's step and values. A closed
writer is removed from the manager: a function that still writes to it fails with TF's
NotFoundError.

The handle's dtype is `string` where TF's is `resource` (arroyo has no resource tensors
other than Variables); graphs exported for TensorBoard show it as a string Const.
"""

from __future__ import annotations

import struct
import time
import zlib

import numpy as np

from arroyo.framework import dtypes
from arroyo.framework.errors import InvalidArgumentError, NotFoundError
from arroyo.framework.op_registry import defop
from arroyo.framework.tensor_shape import TensorShape
from arroyo.summary import _events

RESOURCES: dict = {}  # shared name (bytes) -> EventFileWriter


def lookup(handle) -> _events.EventFileWriter:
    key = handle.item() if isinstance(handle, np.ndarray) else handle
    w = RESOURCES.get(key)
    if w is None:
        name = key.decode() if isinstance(key, bytes) else str(key)
        raise NotFoundError(
            None, None,
            f"Resource localhost/{name}/N10tensorflow22SummaryWriterInterfaceE does not exist.",
        )  # fmt: skip
    return w


def _scalar_int(step, op):
    a = np.asarray(step)
    if a.size != 1:
        raise InvalidArgumentError(
            None, None, f"step must be a scalar, got shape {list(a.shape)} [Op:{op}]"
        )
    return int(a.reshape(-1)[0])


def _bytes(x):
    v = x.item() if isinstance(x, np.ndarray) else x
    return v if isinstance(v, bytes) else str(v).encode()


_BY_NP = dtypes._BY_NP


def _no_outputs(inputs, attrs):
    return []


# -- generic tensor summaries (what tf.summary.scalar/histogram/image/text/write use) --------


def _write_summary_kernel(writer, step, tensor, tag, summary_metadata, T=None):
    w = lookup(writer)
    arr = np.asarray(tensor)
    value = _events.summary_value_bytes(
        _bytes(tag), _events.tensor_proto_bytes(arr, _BY_NP[arr.dtype]), _bytes(summary_metadata)
    )
    w.add(_events.encode_event(time.time(), _scalar_int(step, "WriteSummary"),
                               summary_values=(value,)))  # fmt: skip
    return ()


WRITE_SUMMARY = defop(
    "WriteSummary", ("writer", "step", "tensor", "tag", "summary_metadata"),
    _write_summary_kernel, attrs={"T": None}, infer=_no_outputs, num_outputs=0,
    stateful=True, differentiable=False,
)  # fmt: skip


def _write_scalar_kernel(writer, step, tag, value, T=None):
    """TF1-style scalar: `simple_value` (a float), no metadata."""
    w = lookup(writer)
    v = np.asarray(value)
    if v.ndim != 0:
        raise InvalidArgumentError(
            None, None,
            f"value must be a scalar, got shape {list(v.shape)} [Op:WriteScalarSummary]",
        )  # fmt: skip
    sv = _events.summary_value_bytes(_bytes(tag), simple_value=float(v))
    w.add(_events.encode_event(time.time(), _scalar_int(step, "WriteScalarSummary"),
                               summary_values=(sv,)))  # fmt: skip
    return ()


WRITE_SCALAR_SUMMARY = defop(
    "WriteScalarSummary", ("writer", "step", "tag", "value"), _write_scalar_kernel,
    attrs={"T": None}, infer=_no_outputs, num_outputs=0, stateful=True, differentiable=False,
)  # fmt: skip


def _write_raw_proto_kernel(writer, step, tensor):
    """Serialized `Summary` protos, merged into one event's summary."""
    w = lookup(writer)
    payload = b"".join(_bytes(s) for s in np.asarray(tensor, dtype=object).reshape(-1).tolist())
    ev = _events._key(1, 1) + _events._F64.pack(time.time())
    s = _scalar_int(step, "WriteRawProtoSummary")
    if s:
        ev += _events._key(2, 0) + _events._varint(s)
    ev += _events._len_field(5, payload)
    w.add(ev)
    return ()


WRITE_RAW_PROTO_SUMMARY = defop(
    "WriteRawProtoSummary", ("writer", "step", "tensor"), _write_raw_proto_kernel,
    infer=_no_outputs, num_outputs=0, stateful=True, differentiable=False,
)  # fmt: skip


def _write_graph_kernel(writer, step, tensor):
    """A serialized GraphDef as the event's `graph_def`."""
    w = lookup(writer)
    w.add(_events.encode_event(time.time(), _scalar_int(step, "WriteGraphSummary"),
                               graph_def=_bytes(tensor)))  # fmt: skip
    return ()


WRITE_GRAPH_SUMMARY = defop(
    "WriteGraphSummary", ("writer", "step", "tensor"), _write_graph_kernel,
    infer=_no_outputs, num_outputs=0, stateful=True, differentiable=False,
)  # fmt: skip


def _flush_kernel(writer):
    lookup(writer).flush()
    return ()


FLUSH_SUMMARY_WRITER = defop(
    "FlushSummaryWriter", ("writer",), _flush_kernel, infer=_no_outputs, num_outputs=0,
    stateful=True, differentiable=False,
)  # fmt: skip


def _close_kernel(writer):
    key = writer.item() if isinstance(writer, np.ndarray) else writer
    w = RESOURCES.pop(key, None)
    if w is not None:
        w.close()
    return ()


CLOSE_SUMMARY_WRITER = defop(
    "CloseSummaryWriter", ("writer",), _close_kernel, infer=_no_outputs, num_outputs=0,
    stateful=True, differentiable=False,
)  # fmt: skip


# -- PNG and WAV encoders -----------------------------------------------------------------------

_PNG_COLOR = {1: 0, 2: 4, 3: 2, 4: 6}  # channels -> PNG color type (gray, gray+alpha, RGB, RGBA)


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return (struct.pack(">I", len(data)) + kind + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))  # fmt: skip


def png_bytes(image: np.ndarray, compression: int = -1) -> bytes:
    """One [height, width, channels] uint8/uint16 image as a PNG (filter 0 on each row)."""
    h, w, c = image.shape
    if c not in _PNG_COLOR:
        raise InvalidArgumentError(
            None, None, f"image must have 1, 2, 3, or 4 channels, got {c} [Op:EncodePng]"
        )
    depth = 16 if image.dtype == np.uint16 else 8
    rows = np.ascontiguousarray(image, dtype=">u2" if depth == 16 else np.uint8).reshape(h, -1)
    raw = np.zeros((h, rows.shape[1] * (depth // 8) + 1), np.uint8)  # filter byte 0 per row
    raw[:, 1:] = rows.view(np.uint8).reshape(h, -1)
    ihdr = struct.pack(">IIBBBBB", w, h, depth, _PNG_COLOR[c], 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", ihdr)
        + _png_chunk(b"IDAT", zlib.compress(raw.tobytes(), compression))
        + _png_chunk(b"IEND", b"")
    )


def _encode_png_kernel(image, compression=-1):
    img = np.asarray(image)
    if img.dtype not in (np.uint8, np.uint16):
        raise InvalidArgumentError(
            None, None, f"image must be uint8 or uint16, got {img.dtype} [Op:EncodePng]"
        )
    if img.ndim < 3:
        raise InvalidArgumentError(
            None, None, f"image must be at least 3-dimensional{list(img.shape)} [Op:EncodePng]"
        )
    batch = img.shape[:-3]
    flat = img.reshape((-1,) + img.shape[-3:])
    out = np.empty(len(flat), dtype=object)
    for i, one in enumerate(flat):  # one zlib stream per image
        out[i] = png_bytes(one, compression)
    return out.reshape(batch)


ENCODE_PNG = defop(
    "EncodePng", ("image",), _encode_png_kernel, attrs={"compression": -1},
    infer=lambda inputs, attrs: [(dtypes.string, TensorShape(inputs[0].shape[:-3]))
                                 if inputs[0].shape.rank is not None
                                 else (dtypes.string, TensorShape(None))],
    differentiable=False,
)  # fmt: skip


def wav_bytes(audio: np.ndarray, sample_rate: int) -> bytes:
    """[frames, channels] float samples in [-1, 1] as 16-bit PCM WAV (TF's EncodeWav)."""
    frames, channels = audio.shape
    samples = np.clip(np.round(np.asarray(audio, np.float32) * 32768.0), -32768, 32767)
    data = samples.astype("<i2").tobytes()
    header = struct.pack(
        "<4sI4s4sIHHIIHH4sI", b"RIFF", 36 + len(data), b"WAVE", b"fmt ", 16, 1, channels,
        sample_rate, sample_rate * channels * 2, channels * 2, 16, b"data", len(data),
    )  # fmt: skip
    return header + data


def _encode_wav_kernel(audio, sample_rate):
    a = np.asarray(audio)
    if a.ndim != 2:
        raise InvalidArgumentError(
            None, None, f"audio must be 2-dimensional{list(a.shape)} [Op:EncodeWav]"
        )
    return np.array(wav_bytes(a, int(np.asarray(sample_rate))), dtype=object)


ENCODE_WAV = defop(
    "EncodeWav", ("audio", "sample_rate"), _encode_wav_kernel,
    infer=lambda inputs, attrs: [(dtypes.string, TensorShape([]))], differentiable=False,
)  # fmt: skip


TF_API: dict = {}
