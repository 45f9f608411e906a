"""File datasets: `TFRecordDataset`, `TextLineDataset`, `FixedLengthRecordDataset`, and
the TFRecord format they read and `tf.io.TFRecordWriter` writes.

A TFRecord file is a sequence of records, each framed as

    uint64 length (little-endian) | uint32 masked crc32c(length bytes)
    data[length]                  | uint32 masked crc32c(data)

optionally compressed as a whole with GZIP or ZLIB. A bad checksum or a record cut short
raises `tf.errors.DataLossError` naming the file; records are never silently skipped.
"""

from __future__ import annotations

import gzip
import os
import struct
import zlib

import numpy as np

from arroyo.data.dataset import Dataset, _strings
from arroyo.framework import dtypes
from arroyo.framework.errors import DataLossError, InvalidArgumentError, NotFoundError
from arroyo.framework.tensor import TensorSpec
from arroyo.train import crc32c

__all__ = [
    "TFRecordDataset", "TextLineDataset", "FixedLengthRecordDataset", "frame_record",
    "read_records", "compression_name",
]  # fmt: skip

_U64 = struct.Struct("<Q")
_U32 = struct.Struct("<I")


def compression_name(compression_type) -> str:
    """'' , 'GZIP' or 'ZLIB' from None / '' / a string / TFRecordOptions."""
    if compression_type is None:
        return ""
    c = getattr(compression_type, "compression_type", compression_type)
    if isinstance(c, bytes):
        c = c.decode()
    if hasattr(c, "numpy"):
        c = c.numpy().decode()
    c = (c or "").upper()
    if c not in ("", "GZIP", "ZLIB"):
        raise ValueError(f"Unsupported compression type: {c}")
    return c


def frame_record(data: bytes) -> bytes:
    """One TFRecord: length, its masked crc, the data, the data's masked crc."""
    header = _U64.pack(len(data))
    return b"".join((
        header, _U32.pack(crc32c.mask(crc32c.value(header))),
        data, _U32.pack(crc32c.mask(crc32c.value(data))),
    ))  # fmt: skip


def _read_all(path, compression):
    try:
        with open(path, "rb") as fh:
            raw = fh.read()
    except FileNotFoundError:
        raise NotFoundError(None, None, f"{path}; No such file or directory") from None
    except IsADirectoryError:
        raise InvalidArgumentError(None, None, f"{path}; Is a directory") from None
    if compression == "GZIP":
        try:
            return gzip.decompress(raw)
        except (OSError, EOFError, zlib.error) as e:
            raise DataLossError(None, None, f"{path}: corrupted GZIP stream ({e})") from None
    if compression == "ZLIB":
        try:
            return zlib.decompress(raw)
        except zlib.error as e:
            raise DataLossError(None, None, f"{path}: corrupted ZLIB stream ({e})") from None
    return raw


def read_records(path, compression=""):
    """Yields the data bytes of each record of one TFRecord file (checked)."""
    buf = _read_all(path, compression)
    n = len(buf)
    pos = 0
    value = crc32c.value
    mask = crc32c.mask
    while pos < n:
        if n - pos < 12:
            raise DataLossError(None, None, f"truncated record at {pos} in file {path}")
        (length,) = _U64.unpack_from(buf, pos)
        (hcrc,) = _U32.unpack_from(buf, pos + 8)
        if mask(value(buf[pos : pos + 8])) != hcrc:
            raise DataLossError(None, None, f"corrupted record at {pos} in file {path}")
        start = pos + 12
        end = start + length
        if end + 4 > n:
            raise DataLossError(None, None, f"truncated record at {pos} in file {path}")
        data = buf[start:end]
        (dcrc,) = _U32.unpack_from(buf, end)
        if mask(value(data)) != dcrc:
            raise DataLossError(None, None, f"corrupted record at {pos} in file {path}")
        yield data
        pos = end + 4


def _filenames(filenames):
    if isinstance(filenames, Dataset):
        return [v.decode() if isinstance(v, bytes) else str(v)
                for (v,) in filenames._iter()]  # fmt: skip
    names = _strings(filenames)
    if not names and not isinstance(filenames, (list, tuple)):
        raise TypeError("`filenames` must be a `tf.Tensor` of `tf.string` or a list of names.")
    return names


class _FileDataset(Dataset):
    def __init__(self, filenames):
        super().__init__(TensorSpec([], dtypes.string))
        self._files = _filenames(filenames)

    def _cardinality(self):
        return -2


class TFRecordDataset(_FileDataset):
    """The records of one or more TFRecord files, as scalar tf.string tensors.

    >>> with tf.io.TFRecordWriter("/tmp/a.tfrecord") as w:
    ...     w.write(b"hello")
    >>> [r.numpy() for r in tf.data.TFRecordDataset("/tmp/a.tfrecord")]
    [b'hello']
    """

    def __init__(self, filenames, compression_type=None, buffer_size=None,
                 num_parallel_reads=None, name=None):  # fmt: skip
        super().__init__(filenames)
        self._compression = compression_name(compression_type)

    def _iter(self):
        for f in self._files:
            for rec in read_records(f, self._compression):
                yield [rec]

    def __repr__(self):
        return f"<TFRecordDatasetV2 element_spec={self._structure!r}>"


class TextLineDataset(_FileDataset):
    """The lines of one or more text files, without their line endings.

    >>> [l.numpy() for l in tf.data.TextLineDataset("/etc/hostname")]  # doctest: +SKIP
    [b'myhost']
    """

    def __init__(self, filenames, compression_type=None, buffer_size=None,
                 num_parallel_reads=None, name=None):  # fmt: skip
        super().__init__(filenames)
        self._compression = compression_name(compression_type)

    def _iter(self):
        for f in self._files:
            data = _read_all(f, self._compression)
            lines = data.split(b"\n")
            if lines and lines[-1] == b"":
                lines.pop()
            for line in lines:
                yield [line[:-1] if line.endswith(b"\r") else line]

    def __repr__(self):
        return f"<TextLineDatasetV2 element_spec={self._structure!r}>"


class FixedLengthRecordDataset(_FileDataset):
    """Records of `record_bytes` bytes each, after `header_bytes` and before `footer_bytes`."""

    def __init__(self, filenames, record_bytes, header_bytes=None, footer_bytes=None,
                 buffer_size=None, compression_type=None, num_parallel_reads=None, name=None):  # fmt: skip
        super().__init__(filenames)
        self._rec = int(record_bytes)
        self._head = int(header_bytes or 0)
        self._foot = int(footer_bytes or 0)
        self._compression = compression_name(compression_type)

    def _iter(self):
        for f in self._files:
            data = _read_all(f, self._compression)
            body = data[self._head : len(data) - self._foot]
            if len(body) % self._rec:
                raise DataLossError(
                    None, None, f"Excluding the header ({self._head} bytes) and footer "
                    f"({self._foot} bytes), input file \"{f}\" has body length {len(body)} "
                    f"bytes, which is not an exact multiple of the record length "
                    f"({self._rec} bytes).",
                )  # fmt: skip
            for i in range(0, len(body), self._rec):
                yield [body[i : i + self._rec]]


_ = (np, os)
