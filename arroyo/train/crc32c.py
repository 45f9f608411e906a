"""CRC-32C (Castagnoli) with TF's masking, as used by checkpoints, TFRecords and events.

Uses the `google-crc32c` extension when installed (`pip install 'arroyo[all]'`); the pure
Python fallback is correct but slow (a few MB/s), fine for small files.
"""

from __future__ import annotations

_MASK_DELTA = 0xA282EAD8
_CHUNK = 1 << 22

try:  # optional accelerated implementation
    import google_crc32c as _g
except ImportError:  # pragma: no cover - exercised by tests via the fallback functions
    _g = None


def _make_table():
    table = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
        table.append(c)
    return table


_TABLE = None


def py_extend(crc: int, data) -> int:
    global _TABLE
    if _TABLE is None:
        _TABLE = _make_table()
    t = _TABLE
    c = crc ^ 0xFFFFFFFF
    for b in bytes(data):
        c = t[(c ^ b) & 0xFF] ^ (c >> 8)
    return c ^ 0xFFFFFFFF


def extend(crc: int, data) -> int:
    if _g is not None:
        if isinstance(data, bytes):
            return _g.extend(crc, data)
        if hasattr(data, "setflags"):  # NumPy: a read-only view is accepted without a copy
            view = data.reshape(-1).view("u1")
            view.setflags(write=False)
            return _g.extend(crc, view)
        # The extension wants bytes: copy large buffers in cache-friendly chunks.
        mv = memoryview(data).cast("B")
        for i in range(0, len(mv), _CHUNK):
            crc = _g.extend(crc, bytes(mv[i : i + _CHUNK]))
        return crc
    return py_extend(crc, data)


def value(data) -> int:
    return extend(0, data)


def mask(crc: int) -> int:
    return (((crc >> 15) | (crc << 17)) + _MASK_DELTA) & 0xFFFFFFFF


def unmask(masked: int) -> int:
    rot = (masked - _MASK_DELTA) & 0xFFFFFFFF
    return ((rot >> 17) | (rot << 15)) & 0xFFFFFFFF
