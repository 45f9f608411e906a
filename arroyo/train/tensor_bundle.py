"""TensorFlow's checkpoint files: `<prefix>.index` + `<prefix>.data-00000-of-00001`.

The index is a sorted string table (see table.py): the empty key holds a BundleHeaderProto,
every other key a BundleEntryProto telling where the tensor's bytes are in the data shard,
with a masked crc32c. Numbers are stored raw little-endian; strings as their uint32-checked
varint lengths followed by the bytes (TF's layout). Files are written under temporary
names and renamed, so a crash never leaves a half-written checkpoint behind.
"""

from __future__ import annotations

import os
import struct

import numpy as np

from arroyo.framework import dtypes
from arroyo.framework.errors import DataLossError, InvalidArgumentError, NotFoundError
from arroyo.train import crc32c, table


def _pb():
    from arroyo.proto import load

    return load("tensor_bundle_pb2")


def data_filename(prefix, shard=0, num_shards=1):
    return f"{prefix}.data-{shard:05d}-of-{num_shards:05d}"


def _np_dtype(dtype: dtypes.DType):
    if dtype is dtypes.bfloat16:
        return dtypes.bfloat16_numpy_dtype()
    if dtype._np is None:
        raise InvalidArgumentError(None, None, f"Cannot save a tensor of dtype {dtype.name}")
    return dtype._np


def _encode_strings(arr):
    flat = [
        v if isinstance(v, bytes) else str(v).encode()
        for v in np.asarray(arr, dtype=object).reshape(-1)
    ]
    lengths = bytearray()
    crc = 0
    for s in flat:
        table.put_varint(lengths, len(s))
        crc = crc32c.extend(crc, struct.pack("<I", len(s) & 0xFFFFFFFF))
    check = crc32c.mask(crc)
    check_bytes = struct.pack("<I", check)
    crc = crc32c.extend(crc, check_bytes)
    body = b"".join(flat)
    crc = crc32c.extend(crc, body)
    return bytes(lengths) + check_bytes + body, crc32c.mask(crc)


class BundleWriter:
    """Collects named tensors, then writes the data shard and the index atomically."""

    def __init__(self, prefix):
        self._prefix = os.fspath(prefix)
        self._tensors: dict[str, tuple] = {}

    def add(self, key: str, value, dtype: dtypes.DType | None = None):
        arr = value if isinstance(value, (np.ndarray, np.generic)) else np.asarray(value)
        if dtype is None:
            dtype = dtypes._BY_NP.get(np.asarray(arr).dtype) or dtypes.as_dtype(
                np.asarray(arr).dtype
            )
        if key in self._tensors:
            raise ValueError(f"Duplicate checkpoint key {key!r}")
        self._tensors[key] = (np.asarray(arr), dtype)

    def write(self):
        pb = _pb()
        directory = os.path.dirname(self._prefix)
        if directory:
            os.makedirs(directory, exist_ok=True)
        data_path = data_filename(self._prefix)
        index_path = self._prefix + ".index"
        tmp_data = data_path + ".tempstate" + str(os.getpid())
        tmp_index = index_path + ".tempstate" + str(os.getpid())
        entries = {}
        offset = 0
        try:
            with open(tmp_data, "wb") as fh:
                for key, (arr, dtype) in self._tensors.items():
                    if dtype is dtypes.string:
                        payload, crc = _encode_strings(arr)
                        fh.write(payload)
                        size = len(payload)
                    else:
                        a = np.ascontiguousarray(arr, dtype=_np_dtype(dtype))
                        if a.dtype.byteorder == ">":
                            a = a.astype(a.dtype.newbyteorder("<"))
                        crc = crc32c.mask(crc32c.value(a if a.size else b""))
                        fh.write(memoryview(a).cast("B") if a.size else b"")
                        size = a.nbytes
                    entry = pb.BundleEntryProto(
                        dtype=dtype.as_datatype_enum, offset=offset, size=size, crc32c=crc
                    )
                    entry.shape.SetInParent()  # TF writes the (possibly empty) shape
                    for d in arr.shape:
                        entry.shape.dim.add(size=int(d))
                    entries[key] = entry
                    offset += size
                fh.flush()
                os.fsync(fh.fileno())
            header = pb.BundleHeaderProto(num_shards=1)
            header.version.producer = 1
            items = [(b"", header.SerializeToString())]
            items += [
                (k.encode(), entries[k].SerializeToString())
                for k in sorted(entries, key=lambda s: s.encode())
            ]
            with open(tmp_index, "wb") as fh:
                fh.write(table.build_table(items))
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp_data, data_path)
            os.replace(tmp_index, index_path)
        finally:
            for p in (tmp_data, tmp_index):
                if os.path.exists(p):
                    os.remove(p)
        return self._prefix


class BundleReader:
    """Reads a checkpoint: tensor names, dtypes, shapes and (crc-checked) values."""

    def __init__(self, prefix):
        prefix = os.fspath(prefix)
        self._prefix = prefix
        index_path = prefix + ".index"
        if not os.path.exists(index_path):
            raise NotFoundError(
                None, None,
                f"Unsuccessful TensorSliceReader constructor: Failed to find any matching files for {prefix}",
            )  # fmt: skip
        pb = _pb()
        with open(index_path, "rb") as fh:
            buf = fh.read()
        items = table.read_table(buf, index_path)
        if not items or items[0][0] != b"":
            raise DataLossError(None, None, f"checkpoint index has no header: {index_path}")
        self._header = pb.BundleHeaderProto.FromString(items[0][1])
        self._entries = {}
        for key, value in items[1:]:
            try:
                self._entries[key.decode()] = pb.BundleEntryProto.FromString(value)
            except Exception as e:  # noqa: BLE001 - any parse failure is corruption
                raise DataLossError(
                    None, None, f"corrupt entry {key!r} in {index_path}: {e}"
                ) from None

    @property
    def prefix(self):
        return self._prefix

    def keys(self):
        return sorted(self._entries)

    def has_tensor(self, key) -> bool:
        return key in self._entries

    def dtype(self, key) -> dtypes.DType:
        return dtypes.as_dtype(self._entries[key].dtype)

    def shape(self, key):
        return [int(d.size) for d in self._entries[key].shape.dim]

    def _shard_path(self, shard_id):
        path = data_filename(self._prefix, shard_id, max(self._header.num_shards, 1))
        if not os.path.exists(path):
            raise NotFoundError(None, None, f"Checkpoint data file not found: {path}")
        return path

    def get(self, key):
        """The tensor stored under `key`, read straight into a fresh array and crc-checked."""
        if key not in self._entries:
            raise NotFoundError(None, None, f"Key {key} not found in checkpoint")
        e = self._entries[key]
        dtype = dtypes.as_dtype(e.dtype)
        shape = [int(d.size) for d in e.shape.dim]
        path = self._shard_path(e.shard_id)
        with open(path, "rb") as fh:
            if e.offset + e.size > os.fstat(fh.fileno()).st_size:
                raise DataLossError(
                    None, None, f"Checkpoint data file {path} is truncated (tensor {key})"
                )
            fh.seek(e.offset)
            if dtype is dtypes.string:
                return self._decode_strings(fh.read(e.size), shape, e, key, path)
            arr = np.empty(shape, dtype=_np_dtype(dtype))
            if arr.nbytes != e.size:
                raise DataLossError(None, None, f"Size mismatch for tensor {key} in {path}")
            if arr.nbytes:
                fh.readinto(memoryview(arr.reshape(-1).view(np.uint8)))
        if crc32c.mask(crc32c.value(arr if arr.size else b"")) != e.crc32c:
            raise DataLossError(
                None, None, f"Checksum does not match: stored {e.crc32c} vs. calculated on the restored bytes "
                f"for tensor {key} in {path}",
            )  # fmt: skip
        return arr

    def _decode_strings(self, raw, shape, e, key, path):
        n = int(np.prod(shape)) if shape else 1
        pos = 0
        lengths = []
        try:
            for _ in range(n):
                ln, pos = table.get_varint(raw, pos)
                lengths.append(ln)
            pos += 4
            out = []
            for ln in lengths:
                out.append(bytes(raw[pos : pos + ln]))
                pos += ln
        except DataLossError:
            raise DataLossError(None, None, f"Corrupt string tensor {key} in {path}") from None
        payload, crc = _encode_strings(np.array(out, dtype=object))
        if crc != e.crc32c or payload != bytes(raw):
            raise DataLossError(None, None, f"Checksum does not match for tensor {key} in {path}")
        arr = np.empty(n, dtype=object)
        arr[:] = out
        return arr.reshape(shape)
