"""Event files: TFRecord framing, the Event protobuf encoding, the file writer and reader.

A TensorBoard event file is a sequence of TFRecords, each one serialized `Event`:

    uint64 length | uint32 masked_crc32c(length) | data | uint32 masked_crc32c(data)

(little-endian). The first event carries `file_version: "brain.Event:2"`.

Writing does not need protobuf: the few messages a summary writes (Event, Summary.Value,
TensorProto, SummaryMetadata) are encoded here directly, field by field in field-number
order as TF's C++ serializer does, so the bytes match TF's and the hot path stays cheap.
Reading (`summary_iterator`) returns arroyo's generated `Event` messages.
"""

from __future__ import annotations

import os
import socket
import struct
import threading
import time

import numpy as np

from arroyo.framework import dtypes
from arroyo.framework.errors import DataLossError
from arroyo.train import crc32c

__all__ = ["EventFileWriter", "summary_iterator", "encode_event", "tensor_proto_bytes"]

_U64 = struct.Struct("<Q")
_U32 = struct.Struct("<I")
_F64 = struct.Struct("<d")
FILE_VERSION = "brain.Event:2"
SOURCE_WRITER = "tensorflow.core.util.events_writer"


# -- protobuf wire encoding ------------------------------------------------------------------


def _varint(n: int) -> bytes:
    if n < 0:
        n += 1 << 64
    if n < 0x80:
        return bytes((n,))
    out = bytearray()
    while n >= 0x80:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


def _key(field: int, wire: int) -> bytes:
    return _KEYS[field, wire]


_KEYS = {(f, w): _varint((f << 3) | w) for f in range(1, 16) for w in (0, 1, 2, 5)}


def _len_field(field: int, payload: bytes) -> bytes:
    n = len(payload)
    return _KEYS[field, 2] + (bytes((n,)) if n < 0x80 else _varint(n)) + payload


def _shape_bytes(shape) -> bytes:
    # TensorShapeProto: repeated Dim dim = 2 { int64 size = 1 }
    out = b""
    for d in shape:
        out += _len_field(2, (_key(1, 0) + _varint(d)) if d else b"")
    return out


_HEADERS: dict = {}  # (dtype, shape) -> the TensorProto's dtype and shape fields


def tensor_proto_bytes(arr: np.ndarray, dtype: dtypes.DType) -> bytes:
    """A TensorProto as TF's `Tensor::AsProtoTensorContent` writes it: numbers as raw
    little-endian `tensor_content`, strings as repeated `string_val`."""
    key = (dtype, arr.shape)
    out = _HEADERS.get(key)
    if out is None:
        out = _key(1, 0) + _varint(dtype.as_datatype_enum) + _len_field(2, _shape_bytes(arr.shape))
        if len(_HEADERS) < 1024:
            _HEADERS[key] = out
    if dtype is dtypes.string:
        for s in arr.reshape(-1).tolist():
            out += _len_field(8, s if isinstance(s, bytes) else str(s).encode())
    elif arr.size:
        a = arr if arr.dtype.byteorder in "=<|" else arr.astype(arr.dtype.newbyteorder("<"))
        out += _len_field(4, np.ascontiguousarray(a).tobytes())
    return out


def metadata_bytes(plugin_name: str, content: bytes = b"", display_name="", description="",
                   data_class: int = 0) -> bytes:  # fmt: skip
    """A serialized SummaryMetadata (the `summary_metadata` input of WriteSummary)."""
    plugin = b""
    if plugin_name:
        plugin += _len_field(1, plugin_name.encode())
    if content:
        plugin += _len_field(2, content)
    out = _len_field(1, plugin) if plugin_name or content else b""
    if display_name:
        out += _len_field(2, display_name.encode())
    if description:
        out += _len_field(3, description.encode())
    if data_class:
        out += _key(4, 0) + _varint(data_class)
    return out


def summary_value_bytes(tag: bytes, tensor: bytes | None = None, metadata: bytes = b"",
                        simple_value: float | None = None, histo: bytes | None = None,
                        image: bytes | None = None) -> bytes:  # fmt: skip
    """One Summary.Value, fields in number order (tag 1, simple_value 2, image 4, histo 5,
    tensor 8, metadata 9)."""
    out = _len_field(1, tag)
    if simple_value is not None:
        out += _key(2, 5) + struct.pack("<f", simple_value)
    if image is not None:
        out += _len_field(4, image)
    if histo is not None:
        out += _len_field(5, histo)
    if tensor is not None:
        out += _len_field(8, tensor)
    if metadata:
        out += _len_field(9, metadata)
    return out


def encode_event(wall_time: float, step: int = 0, *, summary_values=(), file_version=None,
                 graph_def: bytes | None = None, source_writer: str | None = None) -> bytes:  # fmt: skip
    """A serialized Event."""
    out = _key(1, 1) + _F64.pack(wall_time)
    if step:
        out += _key(2, 0) + _varint(int(step))
    if file_version is not None:
        out += _len_field(3, file_version.encode())
    if graph_def is not None:
        out += _len_field(4, graph_def)
    if summary_values:
        out += _len_field(5, b"".join(_len_field(1, v) for v in summary_values))
    if source_writer is not None:
        out += _len_field(10, _len_field(1, source_writer.encode()))
    return out


def frame(data: bytes) -> bytes:
    """One TFRecord: length, its masked crc, the data, the data's masked crc."""
    header = _U64.pack(len(data))
    return (
        header
        + _U32.pack(crc32c.mask(crc32c.value(header)))
        + data
        + _U32.pack(crc32c.mask(crc32c.value(data)))
    )


# -- the writer --------------------------------------------------------------------------------

_file_ids = iter(range(1 << 62))
_file_ids_lock = threading.Lock()


class EventFileWriter:
    """Appends framed events to `<logdir>/events.out.tfevents.<secs>.<host>.<pid>.<n><suffix>`.

    Events queue in memory and are written when more than `max_queue` are waiting, when
    `flush_millis` passed since the last flush, on `flush()` and on `close()`, as TF's
    SummaryFileWriter does. An event log grows in place (TensorBoard reads it while it is
    written), so records are appended whole to the one file rather than renamed into place;
    a reader detects a torn last record through its crc.
    """

    def __init__(self, logdir, max_queue=10, flush_millis=120000, filename_suffix=".v2"):
        self.logdir = os.fspath(logdir)
        self.max_queue = int(max_queue)
        self.flush_millis = int(flush_millis)
        os.makedirs(self.logdir, exist_ok=True)
        now = time.time()
        with _file_ids_lock:
            n = next(_file_ids)
        name = (f"events.out.tfevents.{int(now):010d}.{socket.gethostname()}.{os.getpid()}."
                f"{n}{filename_suffix}")  # fmt: skip
        self.path = os.path.join(self.logdir, name)
        self._queue: list[bytes] = []
        self._lock = threading.Lock()
        self._closed = False
        self._file = open(self.path, "ab")
        # TF stamps the version event with whole seconds.
        self._file.write(frame(encode_event(float(int(now)), file_version=FILE_VERSION,
                                            source_writer=SOURCE_WRITER)))  # fmt: skip
        self._file.flush()
        self._last_flush = time.monotonic()

    def add(self, record: bytes):
        """Queues one serialized Event."""
        with self._lock:
            if self._closed:
                return
            self._queue.append(frame(record))
            if (
                len(self._queue) > self.max_queue
                or (time.monotonic() - self._last_flush) * 1000.0 > self.flush_millis
            ):
                self._flush_locked()

    def _flush_locked(self):
        if self._queue:
            self._file.write(b"".join(self._queue))
            self._queue.clear()
        self._file.flush()
        self._last_flush = time.monotonic()

    def flush(self):
        with self._lock:
            if not self._closed:
                self._flush_locked()

    def close(self):
        with self._lock:
            if self._closed:
                return
            self._flush_locked()
            try:
                os.fsync(self._file.fileno())
            except OSError:  # pragma: no cover - filesystems without fsync
                pass
            self._file.close()
            self._closed = True

    @property
    def closed(self):
        return self._closed


# -- reading -------------------------------------------------------------------------------------


def read_records(path):
    """Yields the data of each TFRecord of `path`; a bad length or data crc, or a truncated
    record, raises DataLossError naming the file."""
    path = os.fspath(path)
    with open(path, "rb") as f:
        offset = 0
        while True:
            header = f.read(12)
            if not header:
                return
            if len(header) < 12:
                raise DataLossError(None, None, f"truncated record at {offset} in file {path}")
            (length,) = _U64.unpack_from(header)
            (crc,) = _U32.unpack_from(header, 8)
            if crc32c.mask(crc32c.value(header[:8])) != crc:
                raise DataLossError(
                    None, None, f"corrupted record at {offset} in file {path}: length crc mismatch"
                )
            data = f.read(length)
            footer = f.read(4)
            if len(data) < length or len(footer) < 4:
                raise DataLossError(None, None, f"truncated record at {offset} in file {path}")
            if crc32c.mask(crc32c.value(data)) != _U32.unpack(footer)[0]:
                raise DataLossError(
                    None, None, f"corrupted record at {offset} in file {path}: data crc mismatch"
                )
            yield data
            offset += 12 + length + 4


def summary_iterator(path):
    """Yields the `Event` protos of an event file (`tf.compat.v1.train.summary_iterator`).

    >>> for e in tf.compat.v1.train.summary_iterator(path):
    ...     print(e.step, [v.tag for v in e.summary.value])
    """
    from arroyo.proto import load

    Event = load("summary_pb2").Event
    for data in read_records(path):
        yield Event.FromString(data)
