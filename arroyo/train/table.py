"""TensorFlow's sorted string table (the LevelDB table layout used for `.index` files).

Layout: data blocks of prefix-compressed entries with restart points, a metaindex block
(empty), an index block mapping a separator key per data block to its BlockHandle, and a
48-byte footer (two handles, padding, magic 0xdb4775248b80fb57). Every block is followed
by a 1-byte compression type (0: none) and the masked crc32c of block+type.
"""

from __future__ import annotations

import struct

from arroyo.framework.errors import DataLossError
from arroyo.train import crc32c

MAGIC = 0xDB4775248B80FB57
FOOTER_SIZE = 48
BLOCK_SIZE = 262144  # TF's table_options.h default
RESTART_INTERVAL = 16


def put_varint(out: bytearray, v: int):
    while v >= 0x80:
        out.append((v & 0x7F) | 0x80)
        v >>= 7
    out.append(v)


def get_varint(buf, pos: int):
    result = shift = 0
    while True:
        if pos >= len(buf):
            raise DataLossError(None, None, "truncated varint")
        b = buf[pos]
        pos += 1
        result |= (b & 0x7F) << shift
        if b < 0x80:
            return result, pos
        shift += 7
        if shift > 63:
            raise DataLossError(None, None, "corrupt varint")


class _BlockBuilder:
    def __init__(self, restart_interval):
        self.buf = bytearray()
        self.restarts = [0]
        self.counter = 0
        self.interval = restart_interval
        self.last_key = b""

    def add(self, key: bytes, value: bytes):
        shared = 0
        if self.counter < self.interval:
            n = min(len(key), len(self.last_key))
            while shared < n and key[shared] == self.last_key[shared]:
                shared += 1
        else:
            self.restarts.append(len(self.buf))
            self.counter = 0
        put_varint(self.buf, shared)
        put_varint(self.buf, len(key) - shared)
        put_varint(self.buf, len(value))
        self.buf += key[shared:]
        self.buf += value
        self.last_key = key
        self.counter += 1

    def finish(self) -> bytes:
        out = bytearray(self.buf)
        for r in self.restarts:
            out += struct.pack("<I", r)
        out += struct.pack("<I", len(self.restarts))
        return bytes(out)

    def size_estimate(self):
        return len(self.buf) + 4 * len(self.restarts) + 4

    def empty(self):
        return not self.buf


def _shortest_separator(start: bytes, limit: bytes) -> bytes:
    n = min(len(start), len(limit))
    i = 0
    while i < n and start[i] == limit[i]:
        i += 1
    if i < n:
        b = start[i]
        if b < 0xFF and b + 1 < limit[i]:
            return start[:i] + bytes([b + 1])
    return start


def _short_successor(key: bytes) -> bytes:
    for i, b in enumerate(key):
        if b != 0xFF:
            return key[:i] + bytes([b + 1])
    return key


def _block_trailer(block: bytes) -> bytes:
    return b"\x00" + struct.pack("<I", crc32c.mask(crc32c.value(block + b"\x00")))


def _handle(offset, size) -> bytes:
    out = bytearray()
    put_varint(out, offset)
    put_varint(out, size)
    return bytes(out)


def build_table(items) -> bytes:
    """Serializes sorted (key, value) byte pairs into the table format."""
    out = bytearray()
    index = _BlockBuilder(1)
    block = _BlockBuilder(RESTART_INTERVAL)
    pending = None  # (last key, handle) of a finished block awaiting its separator
    prev = None
    for key, value in items:
        if prev is not None and key <= prev:
            raise ValueError(f"table keys must be added in strictly increasing order: {key!r}")
        prev = key
        if pending is not None:
            index.add(_shortest_separator(pending[0], key), pending[1])
            pending = None
        block.add(key, value)
        if block.size_estimate() >= BLOCK_SIZE:
            data = block.finish()
            pending = (block.last_key, _handle(len(out), len(data)))
            out += data + _block_trailer(data)
            block = _BlockBuilder(RESTART_INTERVAL)
    if not block.empty():
        data = block.finish()
        pending = (block.last_key, _handle(len(out), len(data)))
        out += data + _block_trailer(data)
    if pending is not None:
        index.add(_short_successor(pending[0]), pending[1])
    meta = _BlockBuilder(RESTART_INTERVAL).finish()
    meta_handle = _handle(len(out), len(meta))
    out += meta + _block_trailer(meta)
    idx = index.finish()
    index_handle = _handle(len(out), len(idx))
    out += idx + _block_trailer(idx)
    footer = bytearray(meta_handle + index_handle)
    footer += b"\x00" * (40 - len(footer))
    footer += struct.pack("<Q", MAGIC)
    out += footer
    return bytes(out)


def _read_block(buf, offset, size, path):
    end = offset + size
    if end + 5 > len(buf):
        raise DataLossError(None, None, f"truncated block read in {path}")
    data = bytes(buf[offset:end])
    ctype = buf[end]
    (stored,) = struct.unpack_from("<I", buf, end + 1)
    if crc32c.mask(crc32c.value(data + bytes([ctype]))) != stored:
        raise DataLossError(None, None, f"block checksum mismatch in {path}")
    if ctype != 0:
        raise DataLossError(None, None, f"unsupported block compression {ctype} in {path}")
    return data


def _block_entries(data, path):
    if len(data) < 4:
        raise DataLossError(None, None, f"bad block contents in {path}")
    (n_restarts,) = struct.unpack_from("<I", data, len(data) - 4)
    limit = len(data) - 4 - 4 * n_restarts
    if limit < 0:
        raise DataLossError(None, None, f"bad block contents in {path}")
    pos = 0
    key = b""
    while pos < limit:
        shared, pos = get_varint(data, pos)
        non_shared, pos = get_varint(data, pos)
        vlen, pos = get_varint(data, pos)
        if shared > len(key) or pos + non_shared + vlen > limit:
            raise DataLossError(None, None, f"corrupt block entry in {path}")
        key = key[:shared] + data[pos : pos + non_shared]
        pos += non_shared
        yield key, data[pos : pos + vlen]
        pos += vlen


def read_table(buf, path="<table>"):
    """Parses a table; returns its (key, value) pairs in order. Corruption -> DataLossError."""
    if len(buf) < FOOTER_SIZE:
        raise DataLossError(None, None, f"file is too short to be an sstable: {path}")
    footer = buf[-FOOTER_SIZE:]
    (magic,) = struct.unpack_from("<Q", footer, 40)
    if magic != MAGIC:
        raise DataLossError(None, None, f"not an sstable (bad magic number): {path}")
    _, pos = get_varint(footer, 0)
    _, pos = get_varint(footer, pos)
    idx_off, pos = get_varint(footer, pos)
    idx_size, pos = get_varint(footer, pos)
    index = _read_block(buf, idx_off, idx_size, path)
    items = []
    for _, handle in _block_entries(index, path):
        off, p = get_varint(handle, 0)
        size, _ = get_varint(handle, p)
        items.extend(_block_entries(_read_block(buf, off, size, path), path))
    return items
