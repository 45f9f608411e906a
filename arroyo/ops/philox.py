"""Philox-4x32-10 and TensorFlow's CPU sampling transforms, vectorized with NumPy.

This reproduces, bit for bit, the streams TensorFlow's CPU random kernels draw:

* A generator is a 128-bit counter (four 32-bit words, least significant first) and a
  64-bit key (two words). Each draw encrypts the counter with ten Philox rounds into one
  *block* of four 32-bit words, then increments the counter.
* Fixed-cost distributions (uniform, normal, full-range ints) turn one block into one
  *group* of outputs: 4 floats/halfs/int32s, or 2 doubles/int64s (two words each). Group
  `g` always reads block `counter + g`, so the result does not depend on how the CPU
  kernel shards groups over threads.
* Truncated normal rejects samples, so TF gives group `g` its own region starting at
  block `counter + g * 256 * group_size / 4` and reads words one at a time from there.

Counters and keys are Python ints here (128 and 64 bits); the kernels in `random_ops`
decide where they come from. Work is done in chunks of blocks so the temporaries of the
ten rounds and of the transforms stay in cache.
"""

from __future__ import annotations

import functools

import numpy as np

from arroyo.ops import _libm

__all__ = [
    "philox_blocks", "words", "uniform_float", "normal", "truncated_normal", "uniform_int",
    "full_int", "scramble_seed", "MASK32", "MASK64", "MASK128",
]  # fmt: skip

MASK32 = 0xFFFFFFFF
MASK64 = 0xFFFFFFFFFFFFFFFF
MASK128 = (1 << 128) - 1
_M0 = np.uint64(0xD2511F53)
_M1 = np.uint64(0xCD9E8D57)
_W0 = 0x9E3779B9
_W1 = 0xBB67AE85
_S32 = np.uint64(32)
_LO = np.uint64(MASK32)
_TWO_PI = 6.283185307179586  # 2 * M_PI in double: the C++ expression is evaluated in double
_CHUNK = 1 << 14  # blocks per chunk


def _rounds(c0, c1, c2, c3, k0, k1):
    """Ten Philox-4x32 rounds on word arrays (uint64 arrays holding 32-bit values)."""
    for r in range(10):
        ka = np.uint64((k0 + r * _W0) & MASK32)
        kb = np.uint64((k1 + r * _W1) & MASK32)
        p0 = c0 * _M0  # exact: both factors < 2**32
        p1 = c2 * _M1
        n0 = p1 >> _S32
        n0 ^= c1
        n0 ^= ka
        n2 = p0 >> _S32
        n2 ^= c3
        n2 ^= kb
        p1 &= _LO
        p0 &= _LO
        c0, c1, c2, c3 = n0, p1, n2, p0
    return c0, c1, c2, c3


def _encrypt(low, high, key, out):
    """Encrypts counters (low/high 64-bit halves as uint64 arrays) into `out` [n, 4]."""
    r = _rounds(
        low & _LO, low >> _S32, high & _LO, high >> _S32, key & MASK32, (key >> 32) & MASK32
    )
    for j in range(4):
        out[:, j] = r[j]
    return out


_PY_MAX = 12  # below this many blocks, plain Python ints beat ~100 NumPy calls


def _py_blocks(counters, key: int) -> np.ndarray:
    """Philox blocks for a few 128-bit counters, in Python integer arithmetic."""
    m = MASK32
    keys = []
    k0, k1 = key & m, (key >> 32) & m
    for _ in range(10):
        keys.append((k0, k1))
        k0, k1 = (k0 + _W0) & m, (k1 + _W1) & m
    out = []
    for c in counters:
        c0, c1, c2, c3 = c & m, (c >> 32) & m, (c >> 64) & m, c >> 96
        for ka, kb in keys:
            p0 = 0xD2511F53 * c0
            p1 = 0xCD9E8D57 * c2
            c0, c1, c2, c3 = (p1 >> 32) ^ c1 ^ ka, p1 & m, (p0 >> 32) ^ c3 ^ kb, p0 & m
        out += (c0, c1, c2, c3)
    return np.array(out, dtype=np.uint32).reshape(-1, 4)


def _chunk_blocks(counter: int, key: int, start: int, m: int) -> np.ndarray:
    """Blocks `start .. start+m-1` after `counter`: uint32 [m, 4]."""
    if m <= _PY_MAX:
        return _py_blocks([(counter + start + i) & MASK128 for i in range(m)], key)
    base = (counter + start) & MASK128
    lo, hi = base & MASK64, base >> 64
    low = np.arange(m, dtype=np.uint64)
    low += np.uint64(lo)  # wraps modulo 2**64
    if lo + m - 1 > MASK64:  # the low half wraps inside this chunk: carry into the high half
        high = (low < np.uint64(lo)).astype(np.uint64) + np.uint64(hi)
    else:
        high = np.full(m, hi, dtype=np.uint64)
    return _encrypt(low, high, key, np.empty((m, 4), dtype=np.uint32))


def philox_blocks(counter: int, key: int, n: int) -> np.ndarray:
    """The `n` blocks a generator at (`counter`, `key`) produces: uint32 array [n, 4]."""
    out = np.empty((n, 4), dtype=np.uint32)
    for start in range(0, n, _CHUNK):
        m = min(_CHUNK, n - start)
        out[start : start + m] = _chunk_blocks(counter, key, start, m)
    return out


def words(counter: int, key: int, nwords: int) -> np.ndarray:
    """The first `nwords` 32-bit words of the stream (as a SingleSampleAdapter reads)."""
    return philox_blocks(counter, key, -(-nwords // 4)).reshape(-1)[:nwords]


def _blocks_at(counter: int, key: int, rel: np.ndarray) -> np.ndarray:
    """Blocks at `counter + rel[i]` for non-negative offsets `rel` (< 2**63): uint32 [n, 4]."""
    if rel.size <= _PY_MAX:
        return _py_blocks([(counter + int(r)) & MASK128 for r in rel.tolist()], key)
    lo, hi = counter & MASK64, counter >> 64
    low = rel.astype(np.uint64) + np.uint64(lo)
    high = (low < np.uint64(lo)).astype(np.uint64)
    high += np.uint64(hi)  # wraps like the 128-bit counter when hi is all ones
    return _encrypt(low, high, key, np.empty((rel.size, 4), dtype=np.uint32))


def _fill(counter, key, size, per_block, dtype, fn):
    """Output of `size` values, `per_block` per block, computed chunk by chunk by `fn`."""
    out = np.empty(size, dtype=dtype)
    nblocks = -(-size // per_block)
    step = _CHUNK * per_block
    for start in range(0, nblocks, _CHUNK):
        m = min(_CHUNK, nblocks - start)
        vals = fn(_chunk_blocks(counter, key, start, m))
        o = start * per_block
        n = min(step, size - o)
        out[o : o + n] = vals[:n]
    return out


# -- word -> value transforms (random_distributions.h) ----------------------------------


def _float01(w: np.ndarray) -> np.ndarray:
    """23 random mantissa bits under exponent 0: a float in [1, 2), minus one."""
    return ((w & np.uint32(0x7FFFFF)) | np.uint32(0x3F800000)).view(np.float32) - np.float32(1.0)


def _double01(w0: np.ndarray, w1: np.ndarray) -> np.ndarray:
    """20 bits of the first word and all 32 of the second form the 52-bit mantissa."""
    man = ((w0.astype(np.uint64) & np.uint64(0xFFFFF)) << _S32) | w1
    return (man | np.uint64(0x3FF0000000000000)).view(np.float64) - 1.0


def _half01(w: np.ndarray) -> np.ndarray:
    """The low 16 bits of a word: 10 mantissa bits under exponent 0, minus one."""
    bits = ((w & np.uint32(0x3FF)) | np.uint32(15 << 10)).astype(np.uint16)
    return bits.view(np.float16) - np.float16(1.0)


def _bf16_01(w: np.ndarray, dtype) -> np.ndarray:
    """7 mantissa bits under exponent 0, minus one (exact in bfloat16)."""
    bits = ((w & np.uint32(0x7F)) | np.uint32(127 << 7)) << np.uint32(16)
    return (bits.view(np.float32) - np.float32(1.0)).astype(dtype)


def _box_muller_float(x0: np.ndarray, x1: np.ndarray):
    """TF's BoxMullerFloat on word pairs: (sin, cos) float32 normals, glibc's logf/sincosf."""
    u1 = _float01(x0)
    np.maximum(u1, np.float32(1.0e-7), out=u1)
    v1 = (_TWO_PI * _float01(x1).astype(np.float64)).astype(np.float32)
    u2 = np.sqrt(np.float32(-2.0) * _libm.logf(u1))
    s, c = _libm.sincosf(v1)
    s *= u2
    c *= u2
    return s, c


def _box_muller_double(x0, x1, x2, x3):
    """TF's BoxMullerDouble: two words per uniform double, glibc's log and sincos."""
    u1 = _double01(x0, x1)
    np.maximum(u1, 1.0e-7, out=u1)
    v1 = _TWO_PI * _double01(x2, x3)
    u2 = np.sqrt(-2.0 * _libm.log(u1))
    return np.sin(v1) * u2, np.cos(v1) * u2


# -- fixed-cost distributions: group g <- block g ---------------------------------------


def uniform_float(counter: int, key: int, size: int, dtype) -> np.ndarray:
    """TF's UniformDistribution for a float dtype: values in [0, 1)."""
    dtype = np.dtype(dtype)
    if dtype == np.float64:
        return _fill(
            counter, key, size, 2, dtype, lambda b: _double01(b[:, 0::2], b[:, 1::2]).reshape(-1)
        )
    if dtype == np.float32:
        return _fill(counter, key, size, 4, dtype, lambda b: _float01(b).reshape(-1))
    if dtype == np.float16:
        return _fill(counter, key, size, 4, dtype, lambda b: _half01(b).reshape(-1))
    return _fill(counter, key, size, 4, dtype, lambda b: _bf16_01(b, dtype).reshape(-1))


def _normal_float_block(b):
    s, c = _box_muller_float(b[:, 0::2], b[:, 1::2])
    return np.stack([s, c], axis=2).reshape(-1)  # pair i gives outputs 2i (sin), 2i+1 (cos)


def _normal_double_block(b):
    s, c = _box_muller_double(b[:, 0], b[:, 1], b[:, 2], b[:, 3])
    return np.stack([s, c], axis=1).reshape(-1)


def normal(counter: int, key: int, size: int, dtype) -> np.ndarray:
    """TF's NormalDistribution (Box-Muller on word pairs) for a float dtype."""
    dtype = np.dtype(dtype)
    if dtype == np.float64:
        return _fill(counter, key, size, 2, dtype, _normal_double_block)
    if dtype == np.float32:
        return _fill(counter, key, size, 4, dtype, _normal_float_block)
    # half and bfloat16 round the float results (Eigen::half(f)).
    return _fill(counter, key, size, 4, dtype, lambda b: _normal_float_block(b).astype(dtype))


def uniform_int(counter: int, key: int, size: int, lo: int, hi: int, dtype) -> np.ndarray:
    """TF's UniformDistribution for int32/int64: `lo + bits % (hi - lo)` (modulo bias kept)."""
    dtype = np.dtype(dtype)
    if dtype.itemsize == 8:
        rng = np.uint64((hi - lo) & MASK64)
        low = np.uint64(lo & MASK64)

        def fn(b):
            return (b.view(np.uint64).reshape(-1) % rng + low).view(np.int64)

        return _fill(counter, key, size, 2, np.int64, fn).astype(dtype, copy=False)
    rng32 = np.uint32((hi - lo) & MASK32)
    low32 = np.uint32(lo & MASK32)

    def fn32(b):
        return (b.reshape(-1) % rng32 + low32).view(np.int32)

    return _fill(counter, key, size, 4, np.int32, fn32).astype(dtype, copy=False)


def full_int(counter: int, key: int, size: int, dtype) -> np.ndarray:
    """TF's UniformFullIntDistribution: raw words (32-bit) or word pairs (64-bit)."""
    dtype = np.dtype(dtype)
    if dtype.itemsize == 8:
        return _fill(counter, key, size, 2, dtype, lambda b: b.view(dtype).reshape(-1))
    return _fill(counter, key, size, 4, dtype, lambda b: b.view(dtype).reshape(-1))


# -- truncated normal: rejection, each group in its own region -------------------------


def truncated_normal(counter: int, key: int, size: int, dtype) -> np.ndarray:
    """TF's TruncatedNormalDistribution: normals with |x| < 2, by rejection.

    Group g (4 floats, or 2 doubles) reads words from block `counter + g * stride` on,
    stride = 256 * group / 4, two words (four for double) per Box-Muller pair, keeping
    in order the values inside the cut-off until the group is full.
    """
    dtype = np.dtype(dtype)
    is_double = dtype == np.float64
    group = 2 if is_double else 4
    ngroups = -(-size // group)
    out = np.empty((ngroups, group), dtype=np.float64 if is_double else np.float32)
    for g0 in range(0, ngroups, _CHUNK):
        gids = np.arange(g0, min(ngroups, g0 + _CHUNK), dtype=np.int64)
        _truncated_groups(counter, key, gids, group, is_double, out)
    out = out.reshape(-1)[:size]
    return out if dtype in (np.float32, np.float64) else out.astype(dtype)


def _truncated_groups(counter, key, todo, group, is_double, out):
    stride = 256 * group // 4
    filled = np.zeros(todo.size, dtype=np.int64)
    nblk = 0  # blocks of each group's region read so far
    step = 2 if is_double else 1  # blocks per round: one round fills most groups
    while todo.size:
        rel = (todo[:, None] * stride + nblk + np.arange(step)[None, :]).reshape(-1)
        w = _blocks_at(counter, key, rel).reshape(todo.size, step * 4)
        if is_double:
            q = w.reshape(todo.size, -1, 4)
            a, b = _box_muller_double(q[..., 0], q[..., 1], q[..., 2], q[..., 3])
        else:
            q = w.reshape(todo.size, -1, 2)
            a, b = _box_muller_float(
                np.ascontiguousarray(q[..., 0]), np.ascontiguousarray(q[..., 1])
            )
        cand = np.stack([a, b], axis=-1).reshape(todo.size, -1)
        ok = np.abs(cand) < 2.0
        if nblk == 0:
            # Most groups accept their first `group` candidates: copy those rows whole.
            easy = ok[:, :group].all(axis=1)
            out[todo[easy]] = cand[easy, :group]
            hard = ~easy
            todo, filled, cand, ok = todo[hard], filled[hard], cand[hard], ok[hard]
        slot = np.cumsum(ok, axis=1) - 1 + filled[:, None]  # where each accepted value goes
        take = ok & (slot < group)
        rows, cols = np.nonzero(take)
        out[todo[rows], slot[rows, cols]] = cand[rows, cols]
        filled = np.minimum(filled + ok.sum(axis=1), group)
        keep = filled < group
        todo, filled = todo[keep], filled[keep]
        nblk += step
        step = 1


@functools.lru_cache(maxsize=1024)
def scramble_seed(seed0: int, seed1: int):
    """TF's GenerateKey: a stateless seed pair -> (key, counter) of a Philox generator.

    The seeds (as 64-bit patterns) form a counter that is encrypted once under a fixed
    key; the block's first two words become the key and its last two the upper half of
    the counter.
    """
    s0, s1 = seed0 & MASK64, seed1 & MASK64
    blk = philox_blocks(s0 | (s1 << 64), 0x02461E29_3EC8F720, 1)[0]
    key = int(blk[0]) | (int(blk[1]) << 32)
    counter = (int(blk[2]) | (int(blk[3]) << 32)) << 64
    return key, counter
