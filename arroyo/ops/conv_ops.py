"""Convolutions (tf.nn.conv2d, conv1d, conv2d_transpose, depthwise/separable) and bias_add.

Conv2D runs as im2col + GEMM per chunk (see "im2col engine" below): each chunk of (images,
output rows) pads just the input rows it reads into a small reused slab, copies its windows
into a reused ~2 MiB block and multiplies it by the reshaped filter straight into the
output (`np.matmul(..., out=)`); one-channel inputs build the block tap-major instead. All
GEMMs run with OpenBLAS on one thread; calls above _PAR_FLOPS spread the chunks over a
small pool of Python threads (the caller included). Measured on the 2-core machine (NHWC
32x64x64x32 * 3x3x32x64, SAME; one thread) this beats one whole-batch im2col GEMM (1.4x:
that GEMM alone runs at ~70 GFLOP/s against ~95 on cache-sized blocks), k_h * k_w shifted
GEMMs accumulated over the flattened padded input (1.2x; ~10% faster at the small CNN
shapes, not worth a second path), one GEMM by all taps then k_h * k_w shifted adds (1.5x)
and Winograd F(2x2, 3x3) (its NumPy transforms cost more than the GEMM flops saved).

Conv2DBackpropFilter accumulates block^T @ dy over the same chunks; Conv2DBackpropInput is,
for stride 1, a forward conv of dy with the flipped filter, and otherwise a GEMM per chunk
followed by k_h * k_w strided scatter-adds (col2im). The backward ops are ops of their own
(and the depthwise pair likewise), each with a kernel and a gradient written with these
public ops, so second order works. BiasAdd/BiasAddGrad work on rows of ~2,048 elements
(channel vectors side by side) instead of NumPy's per-pixel broadcast loops.
"""

from __future__ import annotations

import os
import threading

import numpy as np
from numpy.lib.stride_tricks import as_strided

from arroyo.framework import dtypes
from arroyo.framework.errors import InvalidArgumentError, UnimplementedError
from arroyo.framework.op_registry import defop, execute
from arroyo.framework.tensor_shape import TensorShape
from arroyo.ops import array_ops
from arroyo.ops._helpers import same_dtype_operands, static_value, to_tensor
from arroyo.ops._parallel import cores, run_claimed

_CONV_T = (dtypes.float16, dtypes.bfloat16, dtypes.float32, dtypes.float64, dtypes.int32)
_DW_T = (dtypes.float16, dtypes.bfloat16, dtypes.float32, dtypes.float64)
# im2col block per GEMM (measured on 32x64x64x32 * 3x3x32x64 with 2 threads: 36 ms at
# 0.5 MiB, 30 at 1, 29 at 2 and 4; the small CNN shapes alike from 1 MiB up)
_CHUNK_BYTES = 2 << 20
_CHUNKS_OLD = 1 << 20  # the col2im / depthwise / 3-D paths, tuned with this size

# -- attribute checks and geometry ------------------------------------------------------


def _attr_error(op, attr, value, allowed):
    vals = ", ".join(f'"{a}"' for a in allowed)
    return InvalidArgumentError(
        None, None,
        f"Value for attr '{attr}' of \"{value}\" is not in the list of allowed values: {vals}\n\t; "
        f"NodeDef: {{{{node {op}}}}} [Op:{op}]",
    )  # fmt: skip


def _check_attrs(op, padding, data_format, explicit_paddings, pads_allowed=("SAME", "VALID", "EXPLICIT"),
                 formats=("NHWC", "NCHW")):  # fmt: skip
    if padding not in pads_allowed:
        raise _attr_error(op, "padding", padding, pads_allowed)
    if data_format not in formats:
        raise _attr_error(op, "data_format", data_format, formats)
    explicit_paddings = list(explicit_paddings or ())
    if padding == "EXPLICIT":
        if len(explicit_paddings) != 8:
            raise InvalidArgumentError(
                None, None,
                f"explicit_paddings attribute must contain 8 values, but got: {len(explicit_paddings)} [Op:{op}]",
            )  # fmt: skip
        if any(p < 0 for p in explicit_paddings):
            raise InvalidArgumentError(
                None, None, f"All elements of explicit_paddings must be nonnegative [Op:{op}]"
            )  # fmt: skip
    elif explicit_paddings:
        raise InvalidArgumentError(
            None, None,
            f"explicit_paddings attribute must be empty if the padding attribute is not EXPLICIT [Op:{op}]",
        )  # fmt: skip
    return explicit_paddings


def _spatial(op, values, data_format, what):
    """The (H, W) entries of a 4-long strides/dilations attr; batch and depth must be 1."""
    values = [int(v) for v in values]
    if len(values) != 4:
        raise InvalidArgumentError(
            None, None, f"Sliding window {what} field must specify 4 dimensions [Op:{op}]"
        )  # fmt: skip
    if data_format == "NCHW":
        n, c, h, w = values
    else:
        n, h, w, c = values
    if n != 1 or c != 1:
        raise UnimplementedError(
            None, None,
            f"Current implementation does not yet support {what} in the batch and depth dimensions. [Op:{op}]",
        )  # fmt: skip
    if h < 1 or w < 1:
        raise InvalidArgumentError(None, None, f"Sliding window {what} must be positive [Op:{op}]")
    return h, w


def _explicit_hw(explicit, data_format, op):
    if not explicit:
        return None
    pairs = [(explicit[2 * i], explicit[2 * i + 1]) for i in range(4)]
    if data_format == "NCHW":
        batch, depth, ph, pw = pairs
    else:
        batch, ph, pw, depth = pairs
    if any(batch) or any(depth):
        raise InvalidArgumentError(
            None, None, f"Nonzero explicit padding in the batch or depth dimensions is not supported [Op:{op}]"
        )  # fmt: skip
    return ph, pw


def _out_size(size, k, stride, dilation, padding, explicit_pair):
    """Output size and (before, after) padding of one spatial dimension, as TF computes them."""
    eff = (k - 1) * dilation + 1
    if padding == "VALID":
        return max(0, (size - eff + stride) // stride), 0, 0
    if padding == "SAME":
        out = -(-size // stride)
        total = max(0, (out - 1) * stride + eff - size)
        return out, total // 2, total - total // 2
    before, after = explicit_pair
    return max(0, (size + before + after - eff) // stride + 1), before, after


def _to_nhwc(x, data_format):
    return np.transpose(x, (0, 2, 3, 1)) if data_format == "NCHW" else x


def _from_nhwc(y, data_format):
    return np.ascontiguousarray(np.transpose(y, (0, 3, 1, 2))) if data_format == "NCHW" else y


def _compute_dtype(dt):
    """BLAS has no half precision: half and bfloat16 accumulate in float32, as TF's CPU kernels."""
    if dt.kind == "f" and dt.itemsize >= 4:
        return dt
    if dt.kind in "iu":
        return dt
    return np.dtype(np.float32)


class _Geom:
    """Everything about one conv call's spatial layout (NHWC)."""

    __slots__ = ("sh", "sw", "dh", "dw", "ho", "wo", "pt", "pb", "pl", "pr", "kh", "kw")

    def __init__(self, op, h, w, kh, kw, strides, dilations, padding, explicit, data_format):
        self.sh, self.sw = _spatial(op, strides, data_format, "strides")
        self.dh, self.dw = _spatial(op, dilations, data_format, "dilations")
        exp = _explicit_hw(explicit, data_format, op)
        self.kh, self.kw = kh, kw
        self.ho, self.pt, self.pb = _out_size(h, kh, self.sh, self.dh, padding, exp and exp[0])
        self.wo, self.pl, self.pr = _out_size(w, kw, self.sw, self.dw, padding, exp and exp[1])


def _pad(x, g, value=0):
    if not (g.pt or g.pb or g.pl or g.pr):
        return np.ascontiguousarray(x)
    n, h, w, c = x.shape
    xp = np.empty((n, h + g.pt + g.pb, w + g.pl + g.pr, c), x.dtype)
    # Fill only the border: the interior is overwritten right after.
    xp[:, : g.pt] = value
    xp[:, g.pt + h :] = value
    xp[:, g.pt : g.pt + h, : g.pl] = value
    xp[:, g.pt : g.pt + h, g.pl + w :] = value
    xp[:, g.pt : g.pt + h, g.pl : g.pl + w] = x
    return xp


def _windows(xp, g):
    """Zero-copy view (N, Ho, Wo, kh, kw, C) of the windows of a padded NHWC array."""
    s0, s1, s2, s3 = xp.strides
    n, c = xp.shape[0], xp.shape[3]
    return as_strided(xp, (n, g.ho, g.wo, g.kh, g.kw, c),
                      (s0, s1 * g.sh, s2 * g.sw, s1 * g.dh, s2 * g.dw, s3), writeable=False)  # fmt: skip


def _chunks(n, ho, row_bytes, target=None):
    """(image slice, row slice) blocks whose buffer is about `target` (_CHUNKS_OLD) bytes."""
    target = _CHUNKS_OLD if target is None else target
    per_image = max(1, ho * row_bytes)
    if per_image <= target:
        nb = max(1, target // per_image)
        for b in range(0, n, nb):
            yield slice(b, min(n, b + nb)), slice(0, ho)
    else:
        hr = max(1, target // max(1, row_bytes))
        for b in range(n):
            for h in range(0, ho, hr):
                yield slice(b, b + 1), slice(h, min(ho, h + hr))


# -- threads ----------------------------------------------------------------------------
#
# Every conv GEMM runs with OpenBLAS lowered to one thread (see `_SingleBlas`): the GEMMs
# here are small (cache-sized chunks, or whole small batches), and a multi-threaded
# OpenBLAS on small GEMMs is slow and, when other processes compete for the cores,
# pathological (its spinning workers: a 21632x9 @ 9x16 GEMM measured 7 ms with 2 threads
# under load against 0.12 ms with one). Larger convs share their chunks between the calling
# thread and a small pool of Python threads instead (NumPy releases the GIL in copies and
# GEMMs; see `_run_items`); small ones (below _PAR_FLOPS) stay on the calling thread, where
# the hand-off would cost more than the second core gives (measured on the CNN's 6 MFLOP
# first layer: 0.24 ms alone, 0.4-0.9 ms split).

_PAR_FLOPS = 24e6  # multiply-adds * 2 of one call above which the chunks are split


class _SingleBlas:
    """Context lowering the vendored OpenBLAS to one thread (re-entrant, thread-safe)."""

    __slots__ = ()
    lock = threading.Lock()
    depth = 0
    saved = None

    def __enter__(self):
        blas = _blas_threads()
        if blas:
            cls = _SingleBlas
            with cls.lock:
                if cls.depth == 0:
                    cls.saved = blas[0]()
                    if cls.saved != 1:
                        blas[1](1)
                cls.depth += 1
        return self

    def __exit__(self, *exc):
        blas = _blas_threads()
        if blas:
            cls = _SingleBlas
            with cls.lock:
                cls.depth -= 1
                if cls.depth == 0 and cls.saved != 1:
                    blas[1](cls.saved)
        return False


_SINGLE_BLAS = _SingleBlas()


def _reinit_lock():
    global _BLAS_INIT_LOCK
    _SingleBlas.lock = threading.Lock()
    _SingleBlas.depth = 0
    _BLAS_INIT_LOCK = threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_reinit_lock)
_BLAS_THREADS = None  # (get, set) of the vendored OpenBLAS, or False when unavailable


_BLAS_INIT_LOCK = threading.Lock()


def _blas_threads():
    """(get, set) of the vendored OpenBLAS's thread count, or False when unavailable.

    Looked up once, under a lock: `_SingleBlas` must see the same answer on enter and exit.
    """
    global _BLAS_THREADS
    if _BLAS_THREADS is not None:
        return _BLAS_THREADS
    with _BLAS_INIT_LOCK:
        if _BLAS_THREADS is None:
            _BLAS_THREADS = _find_blas_threads()
    return _BLAS_THREADS


def _find_blas_threads():
    try:
        import ctypes
        import glob

        libdir = os.path.join(os.path.dirname(np.__file__), os.pardir, "numpy.libs")
        for path in glob.glob(os.path.join(libdir, "*openblas*")):
            lib = ctypes.CDLL(path)
            for prefix, suffix in (
                ("scipy_openblas", "64_"),
                ("openblas", "64_"),
                ("openblas", ""),
            ):
                get = getattr(lib, f"{prefix}_get_num_threads{suffix}", None)
                put = getattr(lib, f"{prefix}_set_num_threads{suffix}", None)
                if get is not None and put is not None:
                    put.argtypes = [ctypes.c_int]
                    return (get, put)
    except OSError:
        pass
    return False


_n_workers = cores


def _run(work, items, flops=float("inf")):
    """Calls work(list of items): once with all of them on the calling thread, or, when the
    worker threads help (see `_run_items`), once per item. Returns the list of results.
    """
    if min(_n_workers(), len(items)) < 2 or flops < _PAR_FLOPS or not _blas_threads():
        # Without the OpenBLAS setter the GEMMs keep BLAS's own threads: no more here.
        with _SINGLE_BLAS:
            return [work(items)]
    return _run_items(lambda: lambda item: work([item]), items, flops)


def _run_items(make, items, flops=float("inf")):
    """[make()(item) for item in items], make() called once per participating thread, with
    OpenBLAS on one thread; results in item order, so reductions over them do not depend
    on which thread did what.

    Above _PAR_FLOPS the worker threads help: items are claimed one at a time
    (`_parallel.run_claimed`), and the calling thread waits only for helpers that are still
    inside an item. A helper that does not get a core in time (other processes busy) finds
    nothing left and costs nothing: the caller has done the work itself, as a serial run (a
    static split would wait for it, measured ~3 ms per call under load).
    """
    nw = min(_n_workers(), len(items))
    with _SINGLE_BLAS:
        if nw < 2 or flops < _PAR_FLOPS or not _BLAS_THREADS:
            fn = make()
            return [fn(item) for item in items]
        fns = [None] * nw  # one kernel (with its scratch buffers) per thread slot

        def work(i, slot):
            fn = fns[slot]
            if fn is None:
                fn = fns[slot] = make()
            return fn(items[i])

        return run_claimed(work, len(items), nw)


# -- im2col engine ----------------------------------------------------------------------
#
# One conv call is cut into chunks of (images, output rows) whose im2col block is about
# _CHUNK_BYTES (it and the GEMM's output stay in cache: on 32x64x64x32 * 3x3x32x64 one
# whole-batch im2col GEMM runs at ~70 GFLOP/s per core against ~95 on these ~1,400-row
# blocks, and the blocks' copies are not written out to memory). Each chunk pads only the
# input rows it reads into a small per-thread slab (no padded copy of the whole input),
# copies the windows into the block and runs one GEMM. With one input channel the block is
# built tap-major, (taps, rows): k_h * k_w copies of whole output rows instead of one
# 1-channel element at a time (0.24 ms against 0.44 on the CNN's first layer).


_SCRATCH = threading.local()
_SCRATCH_MAX = 16 << 20  # bytes a thread keeps per buffer between calls


def _scratch(name, shape, dtype):
    """An uninitialised work array of `shape` reused by this thread across calls.

    A fresh multi-MiB np.empty per call costs page faults on first touch (measured
    0.2 ms per conv call); the buffers never leave the kernel that asked for them.
    """
    size = 1
    for d in shape:
        size *= d
    dtype = np.dtype(dtype)
    if size * dtype.itemsize > _SCRATCH_MAX:
        return np.empty(shape, dtype)
    key = (name, dtype.char)
    cache = _SCRATCH.__dict__
    buf = cache.get(key)
    if buf is None or buf.size < size:
        buf = cache[key] = np.empty(size, dtype)
    return buf[:size].reshape(shape)


def _plan(n, ho, row_bytes, target=None):
    """Chunks (b0, b1, r0, r1) of about `target` bytes of im2col, evenly sized."""
    target = _CHUNK_BYTES if target is None else target
    per_image = max(1, ho * row_bytes)
    if per_image <= target:
        count = -(-n // max(1, target // per_image))
        nb = -(-n // count)
        return [(b, min(n, b + nb), 0, ho) for b in range(0, n, nb)]
    count = -(-ho // max(1, target // max(1, row_bytes)))
    hr = -(-ho // count)
    return [(b, b + 1, r, min(ho, r + hr)) for b in range(n) for r in range(0, ho, hr)]


def _split_for_threads(plan, flops):
    """Splits a single-chunk plan in two so a call worth threading has work for both cores."""
    if len(plan) != 1 or flops < _PAR_FLOPS or _n_workers() < 2:
        return plan
    b0, b1, r0, r1 = plan[0]
    if b1 - b0 > 1:
        m = (b0 + b1) // 2
        return [(b0, m, r0, r1), (m, b1, r0, r1)]
    if r1 - r0 > 1:
        m = (r0 + r1) // 2
        return [(b0, b1, r0, m), (b0, b1, m, r1)]
    return plan


class _Cols:
    """Per-thread builder of the im2col block of a chunk of x (NHWC, any strides)."""

    __slots__ = ("x", "g", "pad", "slab", "buf", "tap", "kdim", "wp", "direct")

    def __init__(self, x, g, plan):
        self.x, self.g = x, g
        n, h, w, c = x.shape
        self.pad = bool(g.pt or g.pb or g.pl or g.pr)
        self.kdim = g.kh * g.kw * c
        # A 1x1, stride-1 window over an unpadded row-major input is the input itself.
        self.direct = (g.kh == g.kw == g.sh == g.sw == 1 and not self.pad and g.wo == w
                       and x.flags.c_contiguous)  # fmt: skip
        if self.direct:
            return
        self.tap = c == 1 and g.kh * g.kw > 1
        eh, ew = (g.kh - 1) * g.dh, (g.kw - 1) * g.dw
        self.wp = max(w + g.pl + g.pr, (g.wo - 1) * g.sw + ew + 1 if g.wo else 0)
        nb = max(b1 - b0 for b0, b1, _, _ in plan)
        nr = max(r1 - r0 for _, _, r0, r1 in plan)
        if self.pad:
            slab = _scratch("slab", (nb, (nr - 1) * g.sh + eh + 1, self.wp, c), x.dtype)
            # Border columns are zeroed once here; block() writes only the others.
            slab[:, :, : g.pl] = 0
            slab[:, :, g.pl + w :] = 0
            self.slab = slab
        rows = nb * nr * g.wo
        self.buf = _scratch("cols", (self.kdim, rows) if self.tap else (rows * self.kdim,), x.dtype)

    def block(self, b0, b1, r0, r1):
        """The (rows, kdim) im2col matrix of output rows r0:r1 of images b0:b1."""
        g, x = self.g, self.x
        if self.direct:
            return x[b0:b1, r0:r1].reshape(-1, self.kdim)
        p0 = r0 * g.sh
        p1 = (r1 - 1) * g.sh + (g.kh - 1) * g.dh + 1
        if self.pad:
            h, w = x.shape[1], x.shape[2]
            src = self.slab[: b1 - b0, : p1 - p0]
            a = min(max(p0, g.pt), p1)
            e = max(min(p1, g.pt + h), a)
            if a > p0:
                src[:, : a - p0] = 0
            if e < p1:
                src[:, e - p0 :] = 0
            if e > a:
                src[:, a - p0 : e - p0, g.pl : g.pl + w] = x[b0:b1, a - g.pt : e - g.pt]
        else:
            src = x[b0:b1, p0:p1]
        s0, s1, s2, s3 = src.strides
        nb, ho, wo = b1 - b0, r1 - r0, g.wo
        m = nb * ho * wo
        if self.tap:
            cols = self.buf[:, :m]
            for i in range(g.kh):
                for j in range(g.kw):
                    v = as_strided(src[:, i * g.dh :, j * g.dw :, 0], (nb, ho, wo),
                                   (s0, s1 * g.sh, s2 * g.sw), writeable=False)  # fmt: skip
                    np.copyto(cols[i * g.kw + j].reshape(nb, ho, wo), v)
            return cols.T
        win = as_strided(src, (nb, ho, wo, g.kh, g.kw, x.shape[3]),
                         (s0, s1 * g.sh, s2 * g.sw, s1 * g.dh, s2 * g.dw, s3), writeable=False)  # fmt: skip
        cols = self.buf[: m * self.kdim].reshape(win.shape)
        np.copyto(cols, win)
        return cols.reshape(m, self.kdim)


def _conv_flops(n, g, kdim, k):
    return 2.0 * n * g.ho * g.wo * kdim * k


def _conv_gemm(x, w2, g):
    """out (N, Ho, Wo, K) = im2col(x) @ w2 for one group (x: NHWC, any strides)."""
    n = x.shape[0]
    kdim, k = w2.shape
    out = np.empty((n, g.ho, g.wo, k), x.dtype)
    flops = _conv_flops(n, g, kdim, k)
    plan = _split_for_threads(_plan(n, g.ho, g.wo * kdim * x.itemsize), flops)

    def make():
        block = _Cols(x, g, plan).block

        def chunk(c):
            b0, b1, r0, r1 = c
            np.matmul(block(b0, b1, r0, r1), w2, out=out[b0:b1, r0:r1].reshape(-1, k))

        return chunk

    _run_items(make, plan, flops)
    return out


def _filter_gemm(x, dy, g):
    """dW (kdim, K) = im2col(x)^T @ dy for one group (dy C-contiguous NHWC)."""
    n, k = x.shape[0], dy.shape[3]
    kdim = g.kh * g.kw * x.shape[3]
    flops = _conv_flops(n, g, kdim, k)
    plan = _split_for_threads(_plan(n, g.ho, g.wo * kdim * x.itemsize), flops)

    def make():
        block = _Cols(x, g, plan).block

        def chunk(c):
            b0, b1, r0, r1 = c
            return np.matmul(block(b0, b1, r0, r1).T, dy[b0:b1, r0:r1].reshape(-1, k))

        return chunk

    parts = _run_items(make, plan, flops)
    total = parts[0]
    for p in parts[1:]:
        total += p  # in chunk order: the same sum whichever threads ran
    return total


# -- Conv2D -----------------------------------------------------------------------------


def _conv2d_nhwc(x, f, g):
    """Forward conv on NHWC arrays of the compute dtype; groups when C is a multiple of f's depth."""
    n, h, w, c = x.shape
    kh, kw, cf, k = f.shape
    if n * g.ho * g.wo * k == 0:
        return np.empty((n, g.ho, g.wo, k), x.dtype)
    if cf == 0:
        return np.zeros((n, g.ho, g.wo, k), x.dtype)
    groups = c // cf
    if groups == 1:
        return _conv_gemm(x, f.reshape(kh * kw * cf, k), g)
    out = np.empty((n, g.ho, g.wo, k), x.dtype)
    kg = k // groups
    for gi in range(groups):
        w2 = np.ascontiguousarray(f[..., gi * kg : (gi + 1) * kg]).reshape(kh * kw * cf, kg)
        out[..., gi * kg : (gi + 1) * kg] = _conv_gemm(x[..., gi * cf : (gi + 1) * cf], w2, g)
    return out


def _conv_checks(op, x, f, data_format):
    if np.ndim(x) != 4:
        raise InvalidArgumentError(
            None, None, f"input must be 4-dimensional{list(np.shape(x))} [Op:{op}]"
        )
    if np.ndim(f) != 4:
        raise InvalidArgumentError(
            None, None, f"convolution filter must be 4-dimensional: [{','.join(map(str, np.shape(f)))}] [Op:{op}]"
        )  # fmt: skip
    c = x.shape[1] if data_format == "NCHW" else x.shape[3]
    cf = f.shape[2]
    if cf == 0 or c % cf:
        raise InvalidArgumentError(
            None, None, f"input depth must be evenly divisible by filter depth: {c} vs {cf} [Op:{op}]"
        )  # fmt: skip
    if f.shape[3] % (c // cf):
        raise InvalidArgumentError(
            None, None, f"output depth must be evenly divisible by number of groups: {f.shape[3]} vs {c // cf} [Op:{op}]"
        )  # fmt: skip


def _conv2d_kernel(input, filter, strides=None, padding=None, explicit_paddings=(),  # noqa: A002
                   data_format="NHWC", dilations=(1, 1, 1, 1), use_cudnn_on_gpu=True):  # fmt: skip
    explicit = _check_attrs("Conv2D", padding, data_format, explicit_paddings)
    _conv_checks("Conv2D", input, filter, data_format)
    x = _to_nhwc(input, data_format)
    g = _Geom("Conv2D", x.shape[1], x.shape[2], filter.shape[0], filter.shape[1], strides, dilations,
              padding, explicit, data_format)  # fmt: skip
    ct = _compute_dtype(input.dtype)
    y = _conv2d_nhwc(x.astype(ct, copy=False), filter.astype(ct, copy=False), g)
    return _from_nhwc(y.astype(input.dtype, copy=False), data_format)


def _nhwc_shape(shape, data_format):
    if shape is None:
        return None
    return [shape[0], shape[2], shape[3], shape[1]] if data_format == "NCHW" else list(shape)


def _from_nhwc_shape(shape, data_format):
    return [shape[0], shape[3], shape[1], shape[2]] if data_format == "NCHW" else list(shape)


def _infer_conv(op_name, depthwise=False):
    def infer(inputs, attrs):
        x, f = inputs[0], inputs[1]
        df = attrs.get("data_format", "NHWC")
        xs, fs = x.shape, f.shape
        if xs.rank is None or fs.rank is None:
            return [(x.dtype, TensorShape([None] * 4))]
        if xs.rank != 4 or fs.rank != 4:
            raise InvalidArgumentError(
                None, None, f"input and filter must be 4-dimensional [Op:{op_name}]"
            )
        n, h, w, c = _nhwc_shape(xs.as_list(), df)
        kh, kw, cf, k = fs.as_list()
        if depthwise and k is not None and c is not None:
            k = k * c
        out = [n, None, None, k]
        if h is not None and kh is not None:
            sh, sw = _spatial(op_name, attrs["strides"], df, "strides")
            dh, dw = _spatial(op_name, attrs.get("dilations") or (1, 1, 1, 1), df, "dilations")
            exp = _explicit_hw(list(attrs.get("explicit_paddings") or ()), df, op_name)
            out[1] = _out_size(h, kh, sh, dh, attrs["padding"], exp and exp[0])[0]
            if w is not None and kw is not None:
                out[2] = _out_size(w, kw, sw, dw, attrs["padding"], exp and exp[1])[0]
        return [(x.dtype, TensorShape(_from_nhwc_shape(out, df)))]

    return infer


def _conv_attrs(op):
    return {k: op.attrs[k] for k in ("strides", "padding", "explicit_paddings", "data_format", "dilations")
            if k in op.attrs}  # fmt: skip


def _conv2d_grad(op, grad):
    x, f = op.inputs
    a = _conv_attrs(op)
    return (
        execute(_CONV2D_BP_INPUT, (array_ops.shape(x), f, grad), a),
        execute(_CONV2D_BP_FILTER, (x, array_ops.shape(f), grad), a),
    )


_CONV_ATTRS = {"T": None, "strides": None, "use_cudnn_on_gpu": True, "padding": None,
               "explicit_paddings": [], "data_format": "NHWC", "dilations": [1, 1, 1, 1]}  # fmt: skip
_CONV2D = defop("Conv2D", ("input", "filter"), _conv2d_kernel, attrs=_CONV_ATTRS,
                infer=_infer_conv("Conv2D"), grad=_conv2d_grad)  # fmt: skip


# -- Conv2DBackpropInput ----------------------------------------------------------------


def _col2im(dcols, g, xshape_padded, dtype):
    """Scatter-adds window gradients (N, Ho, Wo, kh, kw, C) back into a padded NHWC array."""
    dxp = np.zeros(xshape_padded, dtype)
    hspan = g.sh * (g.ho - 1) + 1
    wspan = g.sw * (g.wo - 1) + 1
    for i in range(g.kh):
        for j in range(g.kw):
            r0, c0 = i * g.dh, j * g.dw
            dxp[:, r0 : r0 + hspan : g.sh, c0 : c0 + wspan : g.sw, :] += dcols[:, :, :, i, j, :]
    return dxp


def _crop(dxp, g, h, w):
    return dxp[:, g.pt : g.pt + h, g.pl : g.pl + w, :]


def _padded_shape(n, h, w, c, g):
    # The padded extent the windows can reach (VALID may leave a remainder unused).
    ph = max(h + g.pt + g.pb, (g.ho - 1) * g.sh + (g.kh - 1) * g.dh + 1 if g.ho else 0)
    pw = max(w + g.pl + g.pr, (g.wo - 1) * g.sw + (g.kw - 1) * g.dw + 1 if g.wo else 0)
    return (n, ph, pw, c)


_FLIP_MIN_C = 2  # input channels from which stride-1 Conv2DBackpropInput runs as a conv
# (one channel: 0.5 ms by GEMM + scatter-adds against 1.25 as a conv, 32x28x28x1 3x3x1x16)


def _conv2d_bp_input_nhwc(dy, f, xshape, g):
    n, h, w, c = xshape
    kh, kw, cf, k = f.shape
    groups = max(1, c // cf) if cf else 1
    kg = k // groups
    pshape = _padded_shape(n, h, w, c, g)
    if dy.size == 0 or f.size == 0:
        return np.zeros((n, h, w, c), dy.dtype)
    if (groups == 1 and kh == 1 and kw == 1 and g.sh == 1 and g.sw == 1 and g.ho == h and g.wo == w
            and not (g.pt or g.pl)):  # fmt: skip
        return np.matmul(dy.reshape(-1, k), f.reshape(c, k).T).reshape(n, h, w, c)
    eh, ew = (kh - 1) * g.dh, (kw - 1) * g.dw
    if (g.sh == 1 and g.sw == 1 and max(g.pt, g.pb) <= eh and max(g.pl, g.pr) <= ew
            and pshape[1:3] == (h + g.pt + g.pb, w + g.pl + g.pr) and cf >= _FLIP_MIN_C):  # fmt: skip
        # Stride 1: dx is a forward conv of dy with the flipped, transposed filter (one
        # im2col GEMM per chunk, measured ~25% faster than GEMM + scatter-adds; not for
        # few input channels, where that GEMM has as few columns).
        ft = (
            f[::-1, ::-1]
            .reshape(kh, kw, cf, groups, kg)
            .transpose(0, 1, 4, 3, 2)
            .reshape(kh, kw, kg, c)
        )
        gt = _Geom.__new__(_Geom)
        gt.sh = gt.sw = 1
        gt.dh, gt.dw, gt.kh, gt.kw, gt.ho, gt.wo = g.dh, g.dw, kh, kw, h, w
        gt.pt, gt.pb, gt.pl, gt.pr = eh - g.pt, eh - g.pb, ew - g.pl, ew - g.pr
        return _conv2d_nhwc(dy, np.ascontiguousarray(ft), gt)
    dxp = np.zeros(pshape, dy.dtype)
    wspan = g.sw * (g.wo - 1) + 1
    row_bytes = g.wo * kh * kw * cf * dy.itemsize
    for gi in range(groups):
        w2t = np.ascontiguousarray(f[..., gi * kg : (gi + 1) * kg].reshape(kh * kw * cf, kg).T)
        dyg = dy if groups == 1 else dy[..., gi * kg : (gi + 1) * kg]

        def work(chunks, w2t=w2t, dyg=dyg, gi=gi):
            for bs, hs in chunks:
                d = np.ascontiguousarray(dyg[bs, hs])
                dcols = np.matmul(d.reshape(-1, kg), w2t).reshape(d.shape[:3] + (kh, kw, cf))
                h0 = hs.start * g.sh
                target = dxp[bs, :, :, gi * cf : (gi + 1) * cf] if groups > 1 else dxp[bs]
                hlen = g.sh * (d.shape[1] - 1) + 1
                for i in range(kh):
                    for j in range(kw):
                        r0, c0 = h0 + i * g.dh, j * g.dw
                        target[:, r0 : r0 + hlen : g.sh, c0 : c0 + wspan : g.sw, :] += dcols[
                            :, :, :, i, j, :
                        ]

        chunks = list(_chunks(n, g.ho, row_bytes))
        # Windows of one image overlap in dx: a worker owns whole images, so no two
        # threads ever add into the same rows.
        by_image = {}
        for bs, hs in chunks:
            by_image.setdefault(bs.start, []).append((bs, hs))
        groups_of_chunks = list(by_image.values())
        _run(lambda parts, work=work: [work(p) for p in parts], groups_of_chunks)
    return _crop(dxp, g, h, w)


def _shape_list(v, op, what="input_sizes"):
    v = np.asarray(v).reshape(-1).tolist()
    if len(v) != 4:
        raise InvalidArgumentError(
            None, None, f"{op}: {what} must be 4-dimensional, got: {len(v)} [Op:{op}]"
        )  # fmt: skip
    return [int(d) for d in v]


def _bp_check_dy(op, dy, g, h, w, kh, kw, data_format):
    n2, ho, wo, _ = dy.shape
    for dim, (got, want, size, k, s, d) in enumerate(
        ((ho, g.ho, h, kh, g.sh, g.dh), (wo, g.wo, w, kw, g.sw, g.dw)), 1
    ):
        if got != want:
            raise InvalidArgumentError(
                None, None,
                f"{op}: Size of out_backprop doesn't match computed: actual = {got}, computed = {want} "
                f"spatial_dim: {dim} input: {size} filter: {k} output: {got} stride: {s} dilation: {d} "
                f"[Op:{op}]",
            )  # fmt: skip


def _conv2d_bp_input_kernel(input_sizes, filter, out_backprop, strides=None, padding=None,  # noqa: A002
                            explicit_paddings=(), data_format="NHWC", dilations=(1, 1, 1, 1),
                            use_cudnn_on_gpu=True):  # fmt: skip
    op = "Conv2DBackpropInput"
    explicit = _check_attrs(op, padding, data_format, explicit_paddings)
    sizes = _shape_list(input_sizes, op)
    n, h, w, c = _nhwc_shape(sizes, data_format)
    if np.ndim(filter) != 4 or np.ndim(out_backprop) != 4:
        raise InvalidArgumentError(
            None, None, f"{op}: filter and out_backprop must be 4-dimensional [Op:{op}]"
        )
    kh, kw, cf, k = filter.shape
    dy = _to_nhwc(out_backprop, data_format)
    if cf == 0 or c % cf:
        raise InvalidArgumentError(
            None, None, f"{op}: input depth must be evenly divisible by filter depth [Op:{op}]"
        )  # fmt: skip
    if dy.shape[3] != k:
        raise InvalidArgumentError(
            None, None, f"Conv2DCustomBackpropInput: filter and out_backprop must have the same out_depth [Op:{op}]"
        )  # fmt: skip
    g = _Geom(op, h, w, kh, kw, strides, dilations, padding, explicit, data_format)
    _bp_check_dy("Conv2DCustomBackpropInput", dy, g, h, w, kh, kw, data_format)
    if dy.shape[0] != n:
        raise InvalidArgumentError(
            None, None, f"{op}: input and out_backprop must have the same batch size [Op:{op}]"
        )  # fmt: skip
    ct = _compute_dtype(out_backprop.dtype)
    dx = _conv2d_bp_input_nhwc(
        dy.astype(ct, copy=False), filter.astype(ct, copy=False), (n, h, w, c), g
    )
    return _from_nhwc(np.ascontiguousarray(dx).astype(out_backprop.dtype, copy=False), data_format)


def _infer_from_sizes(pos_sizes, pos_dtype):
    def infer(inputs, attrs):
        v = static_value(inputs[pos_sizes])
        dt = inputs[pos_dtype].dtype
        if v is None:
            return [(dt, TensorShape([None] * 4))]
        return [(dt, TensorShape([int(d) for d in np.reshape(v, -1)]))]

    return infer


def _bp_input_grad(fwd, bp_filter):
    def grad(op, g):
        sizes, f, dy = op.inputs
        a = _conv_attrs(op)
        return (
            None,
            execute(bp_filter(), (g, array_ops.shape(f), dy), a),
            execute(fwd(), (g, f), a),
        )

    return grad


def _bp_filter_grad(fwd, bp_input):
    def grad(op, g):
        x, sizes, dy = op.inputs
        a = _conv_attrs(op)
        return (
            execute(bp_input(), (array_ops.shape(x), g, dy), a),
            None,
            execute(fwd(), (x, g), a),
        )

    return grad


_CONV2D_BP_INPUT = defop(
    "Conv2DBackpropInput", ("input_sizes", "filter", "out_backprop"), _conv2d_bp_input_kernel,
    attrs=_CONV_ATTRS, infer=_infer_from_sizes(0, 2),
    grad=_bp_input_grad(lambda: _CONV2D, lambda: _CONV2D_BP_FILTER),
)  # fmt: skip


# -- Conv2DBackpropFilter ---------------------------------------------------------------


def _conv2d_bp_filter_nhwc(x, fshape, dy, g):
    n, h, w, c = x.shape
    kh, kw, cf, k = fshape
    groups = max(1, c // cf) if cf else 1
    kg = k // groups
    if dy.size == 0 or x.size == 0:
        return np.zeros((kh, kw, cf, k), x.dtype)
    dy = np.ascontiguousarray(dy)
    if groups == 1:
        return _filter_gemm(x, dy, g).reshape(kh, kw, cf, k)
    df = np.empty((kh, kw, cf, k), x.dtype)
    for gi in range(groups):
        xg = x[..., gi * cf : (gi + 1) * cf]
        dyg = np.ascontiguousarray(dy[..., gi * kg : (gi + 1) * kg])
        df[..., gi * kg : (gi + 1) * kg] = _filter_gemm(xg, dyg, g).reshape(kh, kw, cf, kg)
    return df


def _conv2d_bp_filter_kernel(input, filter_sizes, out_backprop, strides=None, padding=None,  # noqa: A002
                             explicit_paddings=(), data_format="NHWC", dilations=(1, 1, 1, 1),
                             use_cudnn_on_gpu=True):  # fmt: skip
    op = "Conv2DBackpropFilter"
    explicit = _check_attrs(op, padding, data_format, explicit_paddings)
    fshape = _shape_list(filter_sizes, op, "filter_sizes")
    if np.ndim(input) != 4 or np.ndim(out_backprop) != 4:
        raise InvalidArgumentError(
            None, None, f"{op}: input and out_backprop must be 4-dimensional [Op:{op}]"
        )
    x = _to_nhwc(input, data_format)
    dy = _to_nhwc(out_backprop, data_format)
    kh, kw, cf, k = fshape
    n, h, w, c = x.shape
    if cf == 0 or c % cf:
        raise InvalidArgumentError(
            None, None, f"{op}: input depth must be evenly divisible by filter depth [Op:{op}]"
        )  # fmt: skip
    if dy.shape[3] != k:
        raise InvalidArgumentError(
            None, None, f"Conv2DCustomBackpropFilter: filter and out_backprop must have the same out_depth [Op:{op}]"
        )  # fmt: skip
    g = _Geom(op, h, w, kh, kw, strides, dilations, padding, explicit, data_format)
    _bp_check_dy("Conv2DCustomBackpropFilter", dy, g, h, w, kh, kw, data_format)
    ct = _compute_dtype(input.dtype)
    df = _conv2d_bp_filter_nhwc(x.astype(ct, copy=False), fshape, dy.astype(ct, copy=False), g)
    return df.astype(input.dtype, copy=False)


_CONV2D_BP_FILTER = defop(
    "Conv2DBackpropFilter", ("input", "filter_sizes", "out_backprop"), _conv2d_bp_filter_kernel,
    attrs=_CONV_ATTRS, infer=_infer_from_sizes(1, 0),
    grad=_bp_filter_grad(lambda: _CONV2D, lambda: _CONV2D_BP_INPUT),
)  # fmt: skip


# -- depthwise --------------------------------------------------------------------------


_DW_CHUNK_BYTES = 256 << 10  # output block per pass: the 2 * k_h * k_w passes stay in L2


def _dw_nhwc(x, f, g):
    """out[..., c*M + m] = sum over taps of window[..., c] * f[i, j, c, m].

    One multiply and one add per tap over an output block small enough to stay in cache,
    the blocks spread over the worker threads.
    """
    n, h, w, c = x.shape
    kh, kw, _, m = f.shape
    out = np.empty((n, g.ho, g.wo, c, m), x.dtype)
    if out.size == 0:
        return out.reshape(n, g.ho, g.wo, c * m)
    win = _windows(_pad(x, g), g)

    # The weights repeated along the output width: tap (.., Wo, C) times a (Wo, C) array
    # lets NumPy run one long inner loop per row instead of one per pixel of C channels.
    fw = np.ascontiguousarray(
        np.broadcast_to(f.transpose(0, 1, 3, 2)[:, :, :, None, :], (kh, kw, m, g.wo, c))
    )

    def work(chunks):
        tmp = None
        for bs, hs in chunks:
            for mi in range(m):
                o = out[bs, hs, :, :, mi] if m > 1 else out[bs, hs].reshape(out[bs, hs].shape[:4])
                if tmp is None or tmp.shape != o.shape:
                    tmp = np.empty(o.shape, o.dtype)
                for t in range(kh * kw):
                    i, j = divmod(t, kw)
                    tap = win[bs, hs, :, i, j, :]
                    if t == 0:
                        np.multiply(tap, fw[i, j, mi], out=o)
                    else:
                        np.multiply(tap, fw[i, j, mi], out=tmp)
                        o += tmp

    _run(work, list(_chunks(n, g.ho, g.wo * c * m * x.itemsize, _DW_CHUNK_BYTES)))
    return out.reshape(n, g.ho, g.wo, c * m)


def _dw_bp_input_nhwc(dy, f, xshape, g):
    n, h, w, c = xshape
    kh, kw, _, m = f.shape
    eh, ew = (kh - 1) * g.dh, (kw - 1) * g.dw
    pshape = _padded_shape(n, h, w, c, g)
    if dy.size == 0:
        return np.zeros((n, h, w, c), dy.dtype)
    if (m == 1 and g.sh == 1 and g.sw == 1 and max(g.pt, g.pb) <= eh and max(g.pl, g.pr) <= ew
            and pshape[1:3] == (h + g.pt + g.pb, w + g.pl + g.pr)):  # fmt: skip
        # Stride 1, multiplier 1: a depthwise conv of dy with the flipped filter.
        gt = _Geom.__new__(_Geom)
        gt.sh = gt.sw = 1
        gt.dh, gt.dw, gt.kh, gt.kw, gt.ho, gt.wo = g.dh, g.dw, kh, kw, h, w
        gt.pt, gt.pb, gt.pl, gt.pr = eh - g.pt, eh - g.pb, ew - g.pl, ew - g.pr
        return _dw_nhwc(dy, np.ascontiguousarray(f[::-1, ::-1]), gt)
    dy5 = dy.reshape(n, g.ho, g.wo, c, m)
    dxp = np.zeros(pshape, dy.dtype)
    wspan = g.sw * (g.wo - 1) + 1

    fw = np.ascontiguousarray(
        np.broadcast_to(f.transpose(0, 1, 3, 2)[:, :, :, None, :], (kh, kw, m, g.wo, c))
    )

    def work(images):
        for b in images:
            d = dy5[b]
            hlen = g.sh * (g.ho - 1) + 1
            for i in range(kh):
                for j in range(kw):
                    r0, c0 = i * g.dh, j * g.dw
                    contrib = np.multiply(d[..., 0], fw[i, j, 0])
                    for mi in range(1, m):
                        contrib += d[..., mi] * fw[i, j, mi]
                    dxp[b, r0 : r0 + hlen : g.sh, c0 : c0 + wspan : g.sw, :] += contrib

    _run(work, list(range(n)))
    return _crop(dxp, g, h, w)


def _dw_bp_filter_nhwc(x, fshape, dy, g):
    n, h, w, c = x.shape
    kh, kw, _, m = fshape
    if dy.size == 0 or x.size == 0:
        return np.zeros((kh, kw, c, m), x.dtype)
    win = _windows(_pad(x, g), g)
    dy5 = dy.reshape(n, g.ho, g.wo, c, m)

    def work(chunks):
        # Per-(output column, channel) partial sums: reducing over the leading axes of a
        # contiguous product is a fast row-wise add; the width is summed once at the end.
        acc = np.zeros((kh, kw, m, g.wo, c), x.dtype)
        tmp = None
        for bs, hs in chunks:
            d = dy5[bs, hs]
            for mi in range(m):
                dm = d[..., mi]
                if tmp is None or tmp.shape != dm.shape:
                    tmp = np.empty(dm.shape, x.dtype)
                for i in range(kh):
                    for j in range(kw):
                        np.multiply(win[bs, hs, :, i, j, :], dm, out=tmp)
                        acc[i, j, mi] += tmp.reshape(-1, g.wo, c).sum(axis=0)
        return acc

    parts = _run(work, list(_chunks(n, g.ho, g.wo * c * m * x.itemsize, _DW_CHUNK_BYTES)))
    total = parts[0]
    for p in parts[1:]:
        total += p
    return np.ascontiguousarray(total.sum(axis=3).transpose(0, 1, 3, 2))


def _dw_check(op, x, f, data_format):
    if np.ndim(x) != 4:
        raise InvalidArgumentError(
            None, None, f"input must be 4-dimensional{list(np.shape(x))} [Op:{op}]"
        )
    if np.ndim(f) != 4:
        raise InvalidArgumentError(
            None, None, f"filter must be 4-dimensional: [{','.join(map(str, np.shape(f)))}] [Op:{op}]"
        )  # fmt: skip
    c = x.shape[1] if data_format == "NCHW" else x.shape[3]
    if f.shape[2] != c:
        raise InvalidArgumentError(
            None, None, f"input and filter must have the same depth: {c} vs {f.shape[2]} [Op:{op}]"
        )  # fmt: skip


def _dw_geom(op, h, w, kh, kw, strides, dilations, padding, explicit, data_format):
    g = _Geom(op, h, w, kh, kw, strides, dilations, padding, explicit, data_format)
    if g.sh != g.sw:
        raise InvalidArgumentError(
            None, None,
            f"Current implementation only supports equal length strides in the row and column dimensions. [Op:{op}]",
        )  # fmt: skip
    return g


def _dw_kernel(input, filter, strides=None, padding=None, explicit_paddings=(),  # noqa: A002
               data_format="NHWC", dilations=(1, 1, 1, 1)):  # fmt: skip
    op = "DepthwiseConv2dNative"
    explicit = _check_attrs(op, padding, data_format, explicit_paddings)
    _dw_check(op, input, filter, data_format)
    x = _to_nhwc(input, data_format)
    g = _dw_geom(op, x.shape[1], x.shape[2], filter.shape[0], filter.shape[1], strides, dilations,
                 padding, explicit, data_format)  # fmt: skip
    ct = _compute_dtype(input.dtype)
    y = _dw_nhwc(x.astype(ct, copy=False), filter.astype(ct, copy=False), g)
    return _from_nhwc(y.astype(input.dtype, copy=False), data_format)


def _dw_bp_input_kernel(input_sizes, filter, out_backprop, strides=None, padding=None,  # noqa: A002
                        explicit_paddings=(), data_format="NHWC", dilations=(1, 1, 1, 1)):  # fmt: skip
    op = "DepthwiseConv2dNativeBackpropInput"
    explicit = _check_attrs(op, padding, data_format, explicit_paddings)
    n, h, w, c = _nhwc_shape(_shape_list(input_sizes, op), data_format)
    kh, kw, cf, m = filter.shape
    if cf != c:
        raise InvalidArgumentError(
            None, None, f"{op}: input and filter must have the same in_depth [Op:{op}]"
        )
    dy = _to_nhwc(out_backprop, data_format)
    if dy.shape[3] != c * m:
        raise InvalidArgumentError(
            None, None, f"{op}: out_backprop depth does not match filter's in_depth * depth_multiplier [Op:{op}]"
        )  # fmt: skip
    g = _dw_geom(op, h, w, kh, kw, strides, dilations, padding, explicit, data_format)
    _bp_check_dy(op, dy, g, h, w, kh, kw, data_format)
    ct = _compute_dtype(out_backprop.dtype)
    dx = _dw_bp_input_nhwc(
        np.ascontiguousarray(dy, ct), filter.astype(ct, copy=False), (n, h, w, c), g
    )
    return _from_nhwc(np.ascontiguousarray(dx).astype(out_backprop.dtype, copy=False), data_format)


def _dw_bp_filter_kernel(input, filter_sizes, out_backprop, strides=None, padding=None,  # noqa: A002
                         explicit_paddings=(), data_format="NHWC", dilations=(1, 1, 1, 1)):  # fmt: skip
    op = "DepthwiseConv2dNativeBackpropFilter"
    explicit = _check_attrs(op, padding, data_format, explicit_paddings)
    fshape = _shape_list(filter_sizes, op, "filter_sizes")
    x = _to_nhwc(input, data_format)
    dy = _to_nhwc(out_backprop, data_format)
    n, h, w, c = x.shape
    kh, kw, cf, m = fshape
    if cf != c:
        raise InvalidArgumentError(
            None, None, f"{op}: input and filter must have the same in_depth [Op:{op}]"
        )
    if dy.shape[3] != c * m:
        raise InvalidArgumentError(
            None, None, f"{op}: out_backprop depth does not match filter's in_depth * depth_multiplier [Op:{op}]"
        )  # fmt: skip
    g = _dw_geom(op, h, w, kh, kw, strides, dilations, padding, explicit, data_format)
    _bp_check_dy(op, dy, g, h, w, kh, kw, data_format)
    ct = _compute_dtype(input.dtype)
    df = _dw_bp_filter_nhwc(x.astype(ct, copy=False), fshape, np.ascontiguousarray(dy, ct), g)
    return df.astype(input.dtype, copy=False)


def _dw_grad(op, grad):
    x, f = op.inputs
    a = _conv_attrs(op)
    return (
        execute(_DW_BP_INPUT, (array_ops.shape(x), f, grad), a),
        execute(_DW_BP_FILTER, (x, array_ops.shape(f), grad), a),
    )


_DW_ATTRS = {"T": None, "strides": None, "padding": None, "explicit_paddings": [],
             "data_format": "NHWC", "dilations": [1, 1, 1, 1]}  # fmt: skip
_DW = defop("DepthwiseConv2dNative", ("input", "filter"), _dw_kernel, attrs=_DW_ATTRS,
            infer=_infer_conv("DepthwiseConv2dNative", depthwise=True), grad=_dw_grad)  # fmt: skip
_DW_BP_INPUT = defop(
    "DepthwiseConv2dNativeBackpropInput", ("input_sizes", "filter", "out_backprop"), _dw_bp_input_kernel,
    attrs=_DW_ATTRS, infer=_infer_from_sizes(0, 2), grad=_bp_input_grad(lambda: _DW, lambda: _DW_BP_FILTER),
)  # fmt: skip
_DW_BP_FILTER = defop(
    "DepthwiseConv2dNativeBackpropFilter", ("input", "filter_sizes", "out_backprop"), _dw_bp_filter_kernel,
    attrs=_DW_ATTRS, infer=_infer_from_sizes(1, 0), grad=_bp_filter_grad(lambda: _DW, lambda: _DW_BP_INPUT),
)  # fmt: skip


# -- BiasAdd ----------------------------------------------------------------------------


def _bias_axis(rank, data_format):
    return 1 if data_format == "NCHW" else rank - 1


def _bias_add_kernel(value, bias, data_format="NHWC"):
    if data_format not in ("NHWC", "NCHW"):
        raise _attr_error("BiasAdd", "data_format", data_format, ("NHWC", "NCHW"))
    r = np.ndim(value)
    if r < 2:
        raise InvalidArgumentError(
            None, None, f"Input tensor must be at least 2D: [{','.join(map(str, np.shape(value)))}] [Op:BiasAdd]"
        )  # fmt: skip
    if np.ndim(bias) != 1:
        raise InvalidArgumentError(
            None, None, f"Biases must be 1D: [{','.join(map(str, np.shape(bias)))}] [Op:BiasAdd]"
        )  # fmt: skip
    axis = _bias_axis(r, data_format)
    if value.shape[axis] != bias.shape[0]:
        which = "channel" if data_format == "NCHW" else "last"
        raise InvalidArgumentError(
            None, None,
            f"Must provide as many biases as the {which} dimension of the input tensor: "
            f"[{bias.shape[0]}] vs. [{','.join(map(str, value.shape))}] [Op:BiasAdd]",
        )  # fmt: skip
    if axis == r - 1:
        rep = _bias_rows(value)
        if rep > 1:
            # One inner loop per ~2,048 elements instead of one per row of C channels
            # (2.3x on 32x26x26x16); the same additions, so the same bits.
            c = bias.shape[0]
            tiled = np.tile(bias, rep)
            v2 = value.reshape(-1, rep * c)
            if value.size < _BIAS_SPLIT:
                return np.add(v2, tiled).reshape(value.shape)
            out = np.empty(v2.shape, value.dtype)
            _run_items(lambda: lambda p: np.add(v2[p], tiled, out=out[p]), _halves(v2.shape[0]))
            return out.reshape(value.shape)
        return np.add(value, bias)
    return np.add(value, bias.reshape((-1,) + (1,) * (r - 2)))


_BIAS_ROW = 2048  # elements per row of the reshaped channels-last operand
_BIAS_SPLIT = 1 << 21  # elements from which the rows are split over the worker threads


def _halves(n):
    """Row slices splitting n rows over the worker threads."""
    nw = max(1, min(_n_workers(), n))
    step = -(-n // nw)
    return [slice(i, min(n, i + step)) for i in range(0, n, step)]


def _bias_rows(x):
    """How many channel vectors to lay side by side per row for a channels-last bias op:
    the product of trailing non-channel dims that keeps a row within _BIAS_ROW elements
    (1 when that gains nothing: non-contiguous, small, or already long rows)."""
    shape = x.shape
    c = shape[-1]
    if c == 0 or c * 32 > _BIAS_ROW or x.size < 4 * _BIAS_ROW or not x.flags.c_contiguous:
        return 1
    rep = 1
    for d in reversed(shape[:-1]):
        if rep * d * c > _BIAS_ROW:
            break
        rep *= d
    if rep * c * 8 < _BIAS_ROW:
        # A trailing dim too short: fall back to the largest divisor of the row count.
        rows = x.size // c
        best = rep
        for cand in range(_BIAS_ROW // c, rep, -1):
            if rows % cand == 0:
                best = cand
                break
        rep = best
    return rep


def _bias_add_grad_kernel(out_backprop, data_format="NHWC"):
    r = np.ndim(out_backprop)
    if r < 2:
        raise InvalidArgumentError(None, None, "Input tensor must be at least 2D [Op:BiasAddGrad]")
    axis = _bias_axis(r, data_format)
    axes = tuple(a for a in range(r) if a != axis)
    dt = out_backprop.dtype
    acc = np.float32 if dt.kind == "f" and dt.itemsize < 4 else None
    if axis == r - 1 and out_backprop.size:
        rep = _bias_rows(out_backprop)
        c = out_backprop.shape[-1]
        if rep > 1:
            # Rows of ~2,048 elements added row by row, then the rep channel vectors of the
            # one row left: 10-15x faster than np.sum over the leading axes, and (fewer
            # sequential additions per element) more accurate.
            v2 = out_backprop.reshape(-1, rep * c)
            if out_backprop.size < _BIAS_SPLIT:
                rows = np.add.reduce(v2, axis=0, dtype=acc)
            else:
                parts = _run_items(lambda: lambda p: np.add.reduce(v2[p], axis=0, dtype=acc),
                                   _halves(v2.shape[0]))  # fmt: skip
                rows = parts[0]
                for more in parts[1:]:
                    rows = rows + more
            return np.add.reduce(rows.reshape(rep, c), axis=0).astype(dt, copy=False)
    return np.sum(out_backprop, axis=axes, dtype=acc).astype(dt, copy=False)


def _bias_add_grad(op, g):
    return g, execute(_BIAS_ADD_GRAD, (g,), {"data_format": op.attrs.get("data_format", "NHWC")})


def _bias_add_grad_grad(op, g):
    dy = op.inputs[0]
    df = op.attrs.get("data_format", "NHWC")
    r = dy.shape.rank
    axis = _bias_axis(r, df)
    shape = [1] * r
    shape[axis] = -1
    return (array_ops.broadcast_to(array_ops.reshape(g, shape), array_ops.shape(dy)),)


def _bias_infer(inputs, attrs):
    return [(inputs[0].dtype, inputs[0].shape)]


def _bias_grad_infer(inputs, attrs):
    s = inputs[0].shape
    if s.rank is None:
        return [(inputs[0].dtype, TensorShape([None]))]
    return [
        (
            inputs[0].dtype,
            TensorShape([s.as_list()[_bias_axis(s.rank, attrs.get("data_format", "NHWC"))]]),
        )
    ]


_BIAS_ADD = defop("BiasAdd", ("value", "bias"), _bias_add_kernel, attrs={"T": None, "data_format": "NHWC"},
                  infer=_bias_infer, grad=_bias_add_grad)  # fmt: skip
_BIAS_ADD_GRAD = defop("BiasAddGrad", ("out_backprop",), _bias_add_grad_kernel,
                       attrs={"T": None, "data_format": "NHWC"}, infer=_bias_grad_infer,
                       grad=_bias_add_grad_grad)  # fmt: skip


# -- Conv3D -----------------------------------------------------------------------------
#
# Same scheme in three spatial dimensions: an im2col window view, chunks of (image, output
# depth slices) copied and multiplied on the worker threads; the input gradient scatters
# each tap's columns back (col2im), one image per thread.

_C3_T = (dtypes.float16, dtypes.bfloat16, dtypes.float32, dtypes.float64)


class _Geom3:
    __slots__ = ("k", "s", "d", "out", "before", "after", "size")

    def __init__(self, op, size, k, strides, dilations, padding, data_format):
        def spatial(values, what):
            values = [int(v) for v in values]
            if len(values) != 5:
                raise InvalidArgumentError(
                    None, None, f"Length for attr '{what}' of {len(values)} must be at least minimum 5 [Op:{op}]"
                )  # fmt: skip
            bc = (values[0], values[1] if data_format == "NCDHW" else values[4])
            if bc != (1, 1):
                raise UnimplementedError(
                    None, None,
                    f"Current implementation does not yet support {what} in the batch and depth dimensions. [Op:{op}]",
                )  # fmt: skip
            return values[2:] if data_format == "NCDHW" else values[1:4]

        self.s = spatial(strides, "strides")
        self.d = spatial(dilations, "dilations")
        self.k, self.size = list(k), list(size)
        self.out, self.before, self.after = [], [], []
        for n, kk, st, dl in zip(self.size, self.k, self.s, self.d):
            o, b, a = _out_size(n, kk, st, dl, padding, None)
            self.out.append(o)
            self.before.append(b)
            self.after.append(a)

    def padded(self, n, c):
        ext = [
            max(sz + b + a, (o - 1) * st + (kk - 1) * dl + 1 if o else 0)
            for sz, b, a, o, st, kk, dl in zip(
                self.size, self.before, self.after, self.out, self.s, self.k, self.d
            )
        ]
        return (n, *ext, c)  # fmt: skip

    def pad(self, x):
        shape = self.padded(x.shape[0], x.shape[-1])
        if shape == x.shape:
            return np.ascontiguousarray(x)
        xp = np.zeros(shape, x.dtype)
        xp[self.interior()] = x
        return xp

    def interior(self):
        return (
            (slice(None),)
            + tuple(slice(b, b + sz) for b, sz in zip(self.before, self.size))
            + (slice(None),)
        )

    def windows(self, xp):
        st = xp.strides
        shape = (xp.shape[0], *self.out, *self.k, xp.shape[-1])
        strides = (st[0],) + tuple(st[i + 1] * self.s[i] for i in range(3)) + \
            tuple(st[i + 1] * self.d[i] for i in range(3)) + (st[4],)  # fmt: skip
        return as_strided(xp, shape, strides, writeable=False)


def _to_ndhwc(x, data_format):
    return np.transpose(x, (0, 2, 3, 4, 1)) if data_format == "NCDHW" else x


def _from_ndhwc(y, data_format):
    return np.ascontiguousarray(np.transpose(y, (0, 4, 1, 2, 3))) if data_format == "NCDHW" else y


def _c3_attrs_check(op, padding, data_format):
    if padding not in ("SAME", "VALID"):
        raise _attr_error(op, "padding", padding, ("SAME", "VALID"))
    if data_format not in ("NDHWC", "NCDHW"):
        raise _attr_error(op, "data_format", data_format, ("NDHWC", "NCDHW"))


def _c3_depth_check(op, c, f_shape):
    if len(f_shape) != 5:
        raise InvalidArgumentError(None, None, f"filter must be 5-dimensional [Op:{op}]")
    if f_shape[3] != c:
        raise InvalidArgumentError(
            None, None, f"input and filter must have the same depth: {c} vs {f_shape[3]} [Op:{op}]"
        )  # fmt: skip


def _conv3d_core(x, f, g):
    n = x.shape[0]
    k = f.shape[-1]
    kdim = int(np.prod(f.shape[:4]))
    out = np.empty((n, *g.out, k), x.dtype)
    if out.size == 0 or kdim == 0:
        out[...] = 0
        return out
    cols = g.windows(g.pad(x))
    w2 = f.reshape(kdim, k)
    od, oh, ow = g.out
    row_bytes = oh * ow * kdim * x.itemsize  # one output depth slice

    def work(chunks):
        buf = None
        for bs, ds in chunks:
            block = cols[bs, ds]
            if buf is None or buf.size < block.size:
                buf = np.empty(block.size, x.dtype)
            b = buf[: block.size].reshape(block.shape)
            np.copyto(b, block)
            np.matmul(b.reshape(-1, kdim), w2, out=out[bs, ds].reshape(-1, k))

    _run(work, list(_chunks(n, od, row_bytes)))
    return out


def _conv3d_kernel(input, filter, strides=None, padding=None, data_format="NDHWC",  # noqa: A002
                   dilations=(1, 1, 1, 1, 1)):  # fmt: skip
    op = "Conv3D"
    _c3_attrs_check(op, padding, data_format)
    if np.ndim(input) != 5:
        raise InvalidArgumentError(
            None, None, f"input must be 5-dimensional{list(np.shape(input))} [Op:{op}]"
        )
    x = _to_ndhwc(input, data_format)
    _c3_depth_check(op, x.shape[-1], np.shape(filter))
    g = _Geom3(op, x.shape[1:4], filter.shape[:3], strides, dilations, padding, data_format)
    ct = _compute_dtype(input.dtype)
    y = _conv3d_core(x.astype(ct, copy=False), filter.astype(ct, copy=False), g)
    return _from_ndhwc(y.astype(input.dtype, copy=False), data_format)


def _c3_bp_input_kernel(input_sizes, filter, out_backprop, strides=None, padding=None,  # noqa: A002
                        data_format="NDHWC", dilations=(1, 1, 1, 1, 1), Tshape=None):  # fmt: skip
    op = "Conv3DBackpropInputV2"
    _c3_attrs_check(op, padding, data_format)
    sizes = [int(v) for v in np.reshape(input_sizes, -1)]
    if len(sizes) != 5:
        raise InvalidArgumentError(None, None, f"input_sizes must be 5-dimensional [Op:{op}]")
    n, d, h, w, c = sizes if data_format == "NDHWC" else [sizes[0], *sizes[2:], sizes[1]]
    _c3_depth_check(op, c, np.shape(filter))
    dy = _to_ndhwc(out_backprop, data_format)
    g = _Geom3(op, (d, h, w), filter.shape[:3], strides, dilations, padding, data_format)
    if tuple(dy.shape) != (n, *g.out, filter.shape[4]):
        raise InvalidArgumentError(
            None, None,
            f"{op}: out_backprop has shape {list(dy.shape)} but the input sizes and filter give "
            f"{[n, *g.out, filter.shape[4]]} [Op:{op}]",
        )  # fmt: skip
    ct = _compute_dtype(out_backprop.dtype)
    dyc = dy.astype(ct, copy=False)
    f = filter.astype(ct, copy=False)
    kd, kh, kw, _, k = f.shape
    dxp = np.zeros(g.padded(n, c), ct)
    w2t = np.ascontiguousarray(f.reshape(-1, k).T)
    spans = [st * (o - 1) + 1 for st, o in zip(g.s, g.out)]

    def work(images):
        for b in images:
            dcols = np.matmul(np.ascontiguousarray(dyc[b]).reshape(-1, k), w2t).reshape(
                *g.out, kd, kh, kw, c
            )
            for i in range(kd):
                for j in range(kh):
                    for m in range(kw):
                        o0, o1, o2 = i * g.d[0], j * g.d[1], m * g.d[2]
                        dxp[b, o0:o0 + spans[0]:g.s[0], o1:o1 + spans[1]:g.s[1], o2:o2 + spans[2]:g.s[2]] += \
                            dcols[:, :, :, i, j, m]  # fmt: skip

    if dy.size:
        _run(work, list(range(n)))
    dx = np.ascontiguousarray(dxp[g.interior()])
    return _from_ndhwc(dx.astype(out_backprop.dtype, copy=False), data_format)


def _c3_bp_filter_kernel(input, filter_sizes, out_backprop, strides=None, padding=None,  # noqa: A002
                         data_format="NDHWC", dilations=(1, 1, 1, 1, 1)):  # fmt: skip
    op = "Conv3DBackpropFilterV2"
    _c3_attrs_check(op, padding, data_format)
    fshape = [int(v) for v in np.reshape(filter_sizes, -1)]
    x = _to_ndhwc(input, data_format)
    dy = _to_ndhwc(out_backprop, data_format)
    _c3_depth_check(op, x.shape[-1], fshape)
    g = _Geom3(op, x.shape[1:4], fshape[:3], strides, dilations, padding, data_format)
    if tuple(dy.shape) != (x.shape[0], *g.out, fshape[4]):
        raise InvalidArgumentError(
            None, None, f"{op}: out_backprop has shape {list(dy.shape)}, expected "
            f"{[x.shape[0], *g.out, fshape[4]]} [Op:{op}]",
        )  # fmt: skip
    ct = _compute_dtype(input.dtype)
    xc = x.astype(ct, copy=False)
    dyc = dy.astype(ct, copy=False)
    kdim = int(np.prod(fshape[:4]))
    k = fshape[4]
    if xc.size == 0 or dyc.size == 0 or kdim == 0:
        return np.zeros(fshape, input.dtype)
    cols = g.windows(g.pad(xc))
    od, oh, ow = g.out

    def work(chunks):
        acc = np.zeros((kdim, k), ct)
        buf = None
        for bs, ds in chunks:
            block = cols[bs, ds]
            if buf is None or buf.size < block.size:
                buf = np.empty(block.size, ct)
            b = buf[: block.size].reshape(block.shape)
            np.copyto(b, block)
            acc += np.matmul(
                b.reshape(-1, kdim).T, np.ascontiguousarray(dyc[bs, ds]).reshape(-1, k)
            )
        return acc

    parts = _run(work, list(_chunks(x.shape[0], od, oh * ow * kdim * xc.itemsize)))
    total = parts[0]
    for p in parts[1:]:
        total += p
    return total.reshape(fshape).astype(input.dtype, copy=False)


def _c3_infer(inputs, attrs):
    x, f = inputs[0], inputs[1]
    df = attrs.get("data_format", "NDHWC")
    if x.shape.rank != 5 or f.shape.rank != 5:
        return [(x.dtype, TensorShape([None] * 5))]
    dims = x.shape.as_list()
    n, sp, _ = (dims[0], dims[1:4], dims[4]) if df == "NDHWC" else (dims[0], dims[2:], dims[1])
    fs = f.shape.as_list()
    out = [n, None, None, None, fs[4]]
    if all(v is not None for v in sp + fs[:3]):
        g = _Geom3(
            "Conv3D",
            sp,
            fs[:3],
            attrs["strides"],
            attrs.get("dilations") or [1] * 5,
            attrs["padding"],
            df,
        )
        out[1:4] = g.out
    if df == "NCDHW":
        out = [out[0], out[4], *out[1:4]]
    return [(x.dtype, TensorShape(out))]


def _c3_attr_subset(op):
    return {
        k: op.attrs[k] for k in ("strides", "padding", "data_format", "dilations") if k in op.attrs
    }


def _conv3d_grad(op, grad):
    x, f = op.inputs
    a = _c3_attr_subset(op)
    return (execute(_C3_BP_INPUT, (array_ops.shape(x), f, grad), a),
            execute(_C3_BP_FILTER, (x, array_ops.shape(f), grad), a))  # fmt: skip


_C3_ATTRS = {
    "T": None,
    "strides": None,
    "padding": None,
    "data_format": "NDHWC",
    "dilations": [1, 1, 1, 1, 1],
}
_CONV3D = defop("Conv3D", ("input", "filter"), _conv3d_kernel, attrs=_C3_ATTRS, infer=_c3_infer,
                grad=_conv3d_grad)  # fmt: skip
_C3_BP_INPUT = defop(
    "Conv3DBackpropInputV2", ("input_sizes", "filter", "out_backprop"), _c3_bp_input_kernel,
    attrs={**_C3_ATTRS, "Tshape": dtypes.int32}, infer=_infer_from_sizes(0, 2),
    grad=lambda op, g: (None, execute(_C3_BP_FILTER, (g, array_ops.shape(op.inputs[1]), op.inputs[2]),
                                      _c3_attr_subset(op)),
                        execute(_CONV3D, (g, op.inputs[1]), _c3_attr_subset(op))),
)  # fmt: skip
_C3_BP_FILTER = defop(
    "Conv3DBackpropFilterV2", ("input", "filter_sizes", "out_backprop"), _c3_bp_filter_kernel,
    attrs=_C3_ATTRS, infer=_infer_from_sizes(1, 0),
    grad=lambda op, g: (execute(_C3_BP_INPUT, (array_ops.shape(op.inputs[0]), g, op.inputs[2]), _c3_attr_subset(op)),
                        None, execute(_CONV3D, (op.inputs[0], g), _c3_attr_subset(op))),
)  # fmt: skip


def _c3_operands(x, f):
    x, f = same_dtype_operands("Conv3D", (x, f))
    if x.dtype not in _C3_T:
        from arroyo.ops._helpers import check_allowed

        check_allowed(_CONV3D, x, _C3_T)
    return x, f


def _c3_list(values, what):
    values = [int(v) for v in (values if isinstance(values, (list, tuple)) else [values])]
    return values


def conv3d(input, filters, strides, padding, data_format="NDHWC", dilations=None, name=None):  # noqa: A002
    """3-D convolution of [batch, depth, height, width, in] by [kd, kh, kw, in, out] (Conv3D).

    >>> tf.nn.conv3d(tf.ones([1, 3, 3, 3, 1]), tf.ones([2, 2, 2, 1, 1]), [1, 1, 1, 1, 1], "VALID").shape
    TensorShape([1, 2, 2, 2, 1])
    """
    x, f = _c3_operands(input, filters)
    attrs = {"strides": _c3_list(strides, "strides"), "padding": padding, "data_format": data_format or "NDHWC",
             "dilations": [1] * 5 if dilations is None else _c3_list(dilations, "dilations")}  # fmt: skip
    return execute(_CONV3D, (x, f), attrs, name)


def conv3d_transpose(input, filters, output_shape, strides, padding="SAME", data_format="NDHWC",  # noqa: A002
                     dilations=None, name=None):  # fmt: skip
    """The gradient of conv3d with respect to its input (raw op Conv3DBackpropInputV2)."""
    dy, f = _c3_operands(input, filters)
    df = data_format or "NDHWC"
    ci = 1 if df.startswith("NC") else 4
    attrs = {"strides": _get_sequence(strides, 3, ci, "strides"), "padding": padding, "data_format": df,
             "dilations": _get_sequence(dilations, 3, ci, "dilations")}  # fmt: skip
    from arroyo.ops._helpers import int_tensor

    return execute(_C3_BP_INPUT, (int_tensor(output_shape), f, dy), attrs, name)


# -- SpaceToDepth / DepthToSpace -------------------------------------------------------


def _block_check(op, block_size, data_format):
    if block_size < 2:
        raise InvalidArgumentError(
            None, None,
            f"Value for attr 'block_size' of {block_size} must be at least minimum 2\n\t; NodeDef: "
            f"{{{{node {op}}}}} [Op:{op}]",
        )  # fmt: skip
    if data_format not in ("NHWC", "NCHW", "NCHW_VECT_C"):
        raise _attr_error(op, "data_format", data_format, ("NHWC", "NCHW", "NCHW_VECT_C"))


def _space_to_depth_kernel(input, block_size=None, data_format="NHWC"):  # noqa: A002
    op = "SpaceToDepth"
    _block_check(op, block_size, data_format)
    if np.ndim(input) != 4:
        raise InvalidArgumentError(
            None, None, f"Input rank should be 4 instead of {np.ndim(input)} [Op:{op}]"
        )
    x = _to_nhwc(input, data_format)
    n, h, w, c = x.shape
    b = block_size
    if h % b or w % b:
        raise InvalidArgumentError(
            None, None, f"Image width {w} and height {h} should be divisible by block_size: {b} [Op:{op}]"
        )  # fmt: skip
    y = (
        x.reshape(n, h // b, b, w // b, b, c)
        .transpose(0, 1, 3, 2, 4, 5)
        .reshape(n, h // b, w // b, b * b * c)
    )
    return _from_nhwc(np.ascontiguousarray(y), data_format)


def _depth_to_space_kernel(input, block_size=None, data_format="NHWC"):  # noqa: A002
    op = "DepthToSpace"
    _block_check(op, block_size, data_format)
    if np.ndim(input) != 4:
        raise InvalidArgumentError(
            None, None, f"Input rank should be 4 instead of {np.ndim(input)} [Op:{op}]"
        )
    x = _to_nhwc(input, data_format)
    n, h, w, c = x.shape
    b = block_size
    if c % (b * b):
        raise InvalidArgumentError(
            None, None, f"Input depth dimension {c} should be divisible by: {b * b} [Op:{op}]"
        )  # fmt: skip
    y = (
        x.reshape(n, h, w, b, b, c // (b * b))
        .transpose(0, 1, 3, 2, 4, 5)
        .reshape(n, h * b, w * b, c // (b * b))
    )
    return _from_nhwc(np.ascontiguousarray(y), data_format)


def _s2d_infer(to_depth):
    def infer(inputs, attrs):
        x = inputs[0]
        df = attrs.get("data_format", "NHWC")
        b = attrs["block_size"]
        if x.shape.rank is None:
            return [(x.dtype, TensorShape([None] * 4))]
        n, h, w, c = _nhwc_shape(x.shape.as_list(), df)
        if to_depth:
            out = [
                n,
                None if h is None else h // b,
                None if w is None else w // b,
                None if c is None else c * b * b,
            ]
        else:
            out = [
                n,
                None if h is None else h * b,
                None if w is None else w * b,
                None if c is None else c // (b * b),
            ]
        return [(x.dtype, TensorShape(_from_nhwc_shape(out, df)))]

    return infer


def _s2d_attrs(op):
    return {
        "block_size": op.attrs["block_size"],
        "data_format": op.attrs.get("data_format", "NHWC"),
    }


_SPACE_TO_DEPTH = defop("SpaceToDepth", ("input",), _space_to_depth_kernel,
                        attrs={"T": None, "block_size": None, "data_format": "NHWC"}, infer=_s2d_infer(True),
                        grad=lambda op, g: execute(_DEPTH_TO_SPACE, (g,), _s2d_attrs(op)))  # fmt: skip
_DEPTH_TO_SPACE = defop("DepthToSpace", ("input",), _depth_to_space_kernel,
                        attrs={"T": None, "block_size": None, "data_format": "NHWC"}, infer=_s2d_infer(False),
                        grad=lambda op, g: execute(_SPACE_TO_DEPTH, (g,), _s2d_attrs(op)))  # fmt: skip


def space_to_depth(input, block_size, data_format="NHWC", name=None):  # noqa: A002
    """Moves each block_size x block_size spatial block into the depth dimension.

    >>> tf.nn.space_to_depth(tf.reshape(tf.range(4), [1, 2, 2, 1]), 2).numpy().ravel().tolist()
    [0, 1, 2, 3]
    """
    return execute(_SPACE_TO_DEPTH, (to_tensor(input),),
                   {"block_size": int(block_size), "data_format": data_format}, name)  # fmt: skip


def depth_to_space(input, block_size, data_format="NHWC", name=None):  # noqa: A002
    """The inverse of space_to_depth: depth values become block_size x block_size blocks.

    >>> tf.nn.depth_to_space(tf.reshape(tf.range(4), [1, 1, 1, 4]), 2).shape
    TensorShape([1, 2, 2, 1])
    """
    return execute(_DEPTH_TO_SPACE, (to_tensor(input),),
                   {"block_size": int(block_size), "data_format": data_format}, name)  # fmt: skip


# -- public functions -------------------------------------------------------------------


def _get_sequence(value, n, channel_index, name):
    """TF's normalization of strides/dilations: int, n spatial values or n + 2 values."""
    if value is None:
        return [1] * (n + 2)
    if isinstance(value, (list, tuple)):
        value = list(value)
    elif isinstance(value, (int, np.integer)):
        value = [int(value)]
    elif hasattr(value, "__len__"):
        value = list(value)
    else:
        value = [value]
    value = [int(v) for v in value]
    if len(value) == n + 2:
        return value
    if len(value) == 1:
        value = value * n
    elif len(value) != n:
        raise ValueError(
            f"{name} should be of length 1, {n} or {n + 2}. Received: {name}={value} of length {len(value)}"
        )
    return [1, 1] + value if channel_index == 1 else [1] + value + [1]


def convert_padding(padding, expected_length=4):
    """(padding string, explicit_paddings) from a Python padding argument, as TF."""
    explicit = []
    if isinstance(padding, str) and padding == "EXPLICIT":
        raise ValueError("'EXPLICIT' is not a valid value for `padding`. To use explicit padding, "
                         "`padding` must be a list.")  # fmt: skip
    if isinstance(padding, (list, tuple)):
        for i, pair in enumerate(padding):
            if not isinstance(pair, (list, tuple)):
                raise ValueError(
                    "When `padding` is a list, each element of `padding` must be a list/tuple of size 2. "
                    f"Received: padding={padding} with element at index {i} of type {type(pair)}"
                )
            if len(pair) != 2:
                raise ValueError(
                    "When `padding` is a list, each element of `padding` must be a list/tuple of size 2. "
                    f"Received: padding={padding} with element at index {i} of size {len(pair)}"
                )
            explicit.extend(int(p) for p in pair)
        if len(padding) != expected_length:
            raise ValueError(f"When padding is a list, it must be of size {expected_length}. "
                             f"Received: padding={padding} of size {len(padding)}")  # fmt: skip
        padding = "EXPLICIT"
    elif isinstance(padding, bytes):
        padding = padding.decode()
    return padding, explicit


def _operands(op, x, f):
    x, f = same_dtype_operands(op.name, (x, f))
    allowed = _CONV_T if op is _CONV2D else _DW_T
    if x.dtype not in allowed:
        from arroyo.ops._helpers import check_allowed

        check_allowed(op, x, allowed)
    return x, f


def _squeeze_batch(x, inner_rank, fn):
    """Runs `fn` on `x` with its leading batch dims folded into one (TF's squeeze_batch_dims)."""
    shape = x.shape
    if shape.rank is None or shape.rank == inner_rank + 1 or shape.rank <= inner_rank:
        return fn(x)
    dyn = array_ops.shape(x)
    batch = dyn[: shape.rank - inner_rank]
    folded = array_ops.reshape(x, array_ops.concat([[-1], dyn[shape.rank - inner_rank :]], 0))
    y = fn(folded)
    return array_ops.reshape(y, array_ops.concat([batch, array_ops.shape(y)[1:]], 0))


def _conv2d_attrs(strides, padding, data_format, dilations):
    """Conv2D's attrs (and Conv2DBackpropInput's) from the public arguments."""
    padding, explicit = convert_padding(padding)
    if data_format is None:
        data_format = "NHWC"
    ci = 1 if data_format.startswith("NC") else 3
    return {
        "strides": _get_sequence(strides, 2, ci, "strides"),
        "padding": padding,
        "explicit_paddings": explicit,
        "data_format": data_format,
        "dilations": _get_sequence(dilations, 2, ci, "dilations"),
        "use_cudnn_on_gpu": True,
    }


def conv2d(input, filters, strides, padding, data_format="NHWC", dilations=None, name=None):  # noqa: A002
    """2-D convolution of a 4-D `input` with `filters` [kh, kw, in, out] (raw op Conv2D).

    `padding` is "SAME", "VALID" or an explicit list of 4 [before, after] pairs.

    >>> x = tf.ones([1, 3, 3, 1]); f = tf.ones([2, 2, 1, 1])
    >>> tf.nn.conv2d(x, f, 1, "VALID").numpy().ravel().tolist()
    [4.0, 4.0, 4.0, 4.0]
    """
    attrs = _conv2d_attrs(strides, padding, data_format, dilations)
    x, f = _operands(_CONV2D, input, filters)
    return _squeeze_batch(x, 3, lambda v: execute(_CONV2D, (v, f), attrs, name))


def conv1d(input, filters, stride, padding, data_format="NWC", dilations=None, name=None):  # noqa: A002
    """1-D convolution of [batch, width, in] by [k, in, out], run as a Conv2D of height 1.

    >>> tf.nn.conv1d(tf.ones([1, 4, 1]), tf.ones([2, 1, 1]), 1, "VALID").numpy().ravel().tolist()
    [2.0, 2.0, 2.0]
    """
    if data_format is None or data_format in ("NHWC", "NWC"):
        data_format, spatial, ci = "NHWC", -3, 2
    elif data_format in ("NCHW", "NCW"):
        data_format, spatial, ci = "NCHW", -2, 1
    else:
        raise ValueError(
            f"`data_format` must be 'NWC' or 'NCW'. Received: data_format={data_format}"
        )
    padding, explicit = convert_padding(padding, 3)
    if explicit:
        # [[0,0],[l,r],[0,0]] -> a zero height pair inserted at the spatial position.
        pairs = [explicit[i : i + 2] for i in range(0, 6, 2)]
        pairs.insert(len(pairs) + spatial + 1 if spatial == -3 else 2, [0, 0])
        explicit = [p for pair in pairs for p in pair]
    attrs = {
        "strides": [1] + _get_sequence(stride, 1, ci, "stride"),
        "padding": padding,
        "explicit_paddings": explicit,
        "data_format": data_format,
        "dilations": [1] + _get_sequence(dilations, 1, ci, "dilations"),
        "use_cudnn_on_gpu": True,
    }
    x, f = _operands(_CONV2D, input, filters)
    x = array_ops.expand_dims(x, spatial)
    f = array_ops.expand_dims(f, 0)
    y = _squeeze_batch(x, 3, lambda v: execute(_CONV2D, (v, f), attrs, name))
    return array_ops.squeeze(y, [spatial])


def conv2d_transpose(input, filters, output_shape, strides, padding="SAME", data_format="NHWC",  # noqa: A002
                     dilations=None, name=None):  # fmt: skip
    """The gradient of conv2d with respect to its input (raw op Conv2DBackpropInput).

    `filters` is [kh, kw, out_channels, in_channels]; `output_shape` the 4-D result shape.

    >>> tf.nn.conv2d_transpose(tf.ones([1, 2, 2, 1]), tf.ones([2, 2, 1, 1]), [1, 4, 4, 1], 2).shape
    TensorShape([1, 4, 4, 1])
    """
    attrs = _conv2d_attrs(strides, padding, data_format, dilations)
    dy, f = _operands(_CONV2D, input, filters)
    from arroyo.ops._helpers import int_tensor

    sizes = int_tensor(output_shape)
    return execute(_CONV2D_BP_INPUT, (sizes, f, dy), attrs, name)


def depthwise_conv2d(input, filter, strides, padding, data_format=None, dilations=None, name=None):  # noqa: A002
    """Depthwise 2-D convolution: each input channel convolved with its own filters [kh, kw, in, mult].

    >>> tf.nn.depthwise_conv2d(tf.ones([1, 3, 3, 2]), tf.ones([2, 2, 2, 1]), [1, 1, 1, 1], "VALID").shape
    TensorShape([1, 2, 2, 2])
    """
    padding, explicit = convert_padding(padding)
    if data_format is None:
        data_format = "NHWC"
    strides = _get_sequence(strides, 2, 1 if data_format.startswith("NC") else 3, "strides")
    ci = 1 if data_format.startswith("NC") else 3
    rate = [1, 1] if dilations is None else [int(d) for d in np.reshape(dilations, -1)]
    if len(rate) == 1:
        rate = rate * 2
    x, f = _operands(_DW, input, filter)
    if rate != [1, 1] and (strides[1:3] if ci == 3 else strides[2:4]) != [1, 1]:
        import warnings

        warnings.warn(
            "When dilation rate is greater than 1, then all values of strides must be 1. "
            f"Received: `dilation rate` {rate} and `strides` {strides}", stacklevel=2,
        )  # fmt: skip
    attrs = {
        "strides": strides,
        "padding": padding,
        "explicit_paddings": explicit,
        "data_format": data_format,
        "dilations": [1, 1] + rate if ci == 1 else [1] + rate + [1],
    }
    return execute(_DW, (x, f), attrs, name)


def separable_conv2d(input, depthwise_filter, pointwise_filter, strides, padding, data_format=None,  # noqa: A002
                     dilations=None, name=None):  # fmt: skip
    """A depthwise convolution followed by a 1x1 (pointwise) Conv2D mixing the channels.

    >>> x = tf.ones([1, 3, 3, 2])
    >>> tf.nn.separable_conv2d(x, tf.ones([2, 2, 2, 1]), tf.ones([1, 1, 2, 4]), [1, 1, 1, 1], "VALID").shape
    TensorShape([1, 2, 2, 4])
    """
    x = to_tensor(input)
    dwf = to_tensor(depthwise_filter)
    pwf = to_tensor(pointwise_filter)
    ps = pwf.shape.as_list() if pwf.shape.rank is not None else None
    if ps is not None:
        if len(ps) != 4:
            raise ValueError(f"Shape must be rank 4 but is rank {len(ps)}")
        for d in (0, 1):
            if ps[d] is not None and ps[d] != 1:
                raise ValueError(f"Dimensions {ps[d]} and 1 are not compatible")
    y = depthwise_conv2d(x, dwf, strides, padding, data_format=data_format, dilations=dilations)
    return conv2d(y, pwf, [1, 1, 1, 1], "VALID", data_format=data_format or "NHWC", name=name)


def bias_add(value, bias, data_format=None, name=None):
    """Adds a 1-D `bias` along the channel axis (last for N...C, axis 1 for NC...).

    >>> tf.nn.bias_add([[1.0, 2.0]], [10.0, 20.0]).numpy().tolist()
    [[11.0, 22.0]]
    """
    if data_format is not None:
        if data_format.startswith("NC"):
            data_format = "NCHW"
        elif data_format.startswith("N") and data_format.endswith("C"):
            data_format = "NHWC"
        else:
            raise ValueError("data_format must be of the form `N...C` or `NC...`")
    else:
        data_format = "NHWC"
    v, b = same_dtype_operands("BiasAdd", (value, bias))
    return execute(_BIAS_ADD, (v, b), {"data_format": data_format}, name)


def conv1d_transpose(input, filters, output_shape, strides, padding="SAME", data_format="NWC",  # noqa: A002
                     dilations=None, name=None):  # fmt: skip
    """The gradient of conv1d with respect to its input: filters are [k, out_channels, in_channels].

    >>> tf.nn.conv1d_transpose(tf.ones([1, 2, 1]), tf.ones([2, 1, 1]), [1, 4, 1], 2).shape
    TensorShape([1, 4, 1])
    """
    if data_format is None or data_format == "NWC":
        fmt, spatial, ci = "NHWC", 1, 2
    elif data_format == "NCW":
        fmt, spatial, ci = "NCHW", 2, 1
    else:
        raise ValueError(
            f"`data_format` must be 'NWC' or 'NCW'. Received: data_format={data_format}"
        )
    attrs = {
        "strides": [1] + _get_sequence(strides, 1, ci, "stride"),
        "padding": padding,
        "explicit_paddings": [],
        "data_format": fmt,
        "dilations": [1] + _get_sequence(dilations, 1, ci, "dilations"),
        "use_cudnn_on_gpu": True,
    }
    dy, f = _operands(_CONV2D, input, filters)
    dy = array_ops.expand_dims(dy, spatial)
    f = array_ops.expand_dims(f, 0)
    from arroyo.ops._helpers import int_tensor

    if not hasattr(output_shape, "dtype"):
        shape = [int(d) for d in output_shape]
        sizes = int_tensor(shape[:spatial] + [1] + shape[spatial:])
    else:
        sizes = array_ops.concat([output_shape[:spatial], [1], output_shape[spatial:]], 0)
    y = execute(_CONV2D_BP_INPUT, (sizes, f, dy), attrs, name)
    return array_ops.squeeze(y, [spatial])


def convolution(input, filters, strides=None, padding="VALID", data_format=None, dilations=None,  # noqa: A002
                name=None):  # fmt: skip
    """N-D convolution, N from the filters' rank (1 or 2 spatial dimensions here).

    >>> tf.nn.convolution(tf.ones([1, 4, 4, 1]), tf.ones([2, 2, 1, 1])).shape
    TensorShape([1, 3, 3, 1])
    """
    f = to_tensor(filters)
    n = f.shape.rank - 2 if f.shape.rank is not None else None
    if n == 1:
        fmt = data_format if data_format is not None else "NWC"
        return conv1d(input, f, 1 if strides is None else strides, padding, data_format=fmt,
                      dilations=dilations, name=name)  # fmt: skip
    if n == 2:
        fmt = data_format if data_format is not None else "NHWC"
        return conv2d(input, f, 1 if strides is None else strides, padding, data_format=fmt,
                      dilations=dilations, name=name)  # fmt: skip
    if n == 3:
        fmt = data_format if data_format is not None else "NDHWC"
        ci = 1 if fmt.startswith("NC") else 4
        return conv3d(input, f, _get_sequence(strides, 3, ci, "strides"), padding, data_format=fmt,
                      dilations=_get_sequence(dilations, 3, ci, "dilations"), name=name)  # fmt: skip
    raise ValueError(
        f"`filters.shape.rank - 2` must be 1, 2 or 3. Received: filters.shape={f.shape}"
    )


def conv_transpose(input, filters, output_shape, strides, padding="SAME", data_format=None,  # noqa: A002
                   dilations=None, name=None):  # fmt: skip
    """Transposed convolution in 1 or 2 spatial dimensions, from len(output_shape)."""
    n = (int(output_shape.shape[0]) if hasattr(output_shape, "shape") and hasattr(output_shape, "dtype")
         else len(output_shape)) - 2  # fmt: skip
    if n == 1:
        return conv1d_transpose(input, filters, output_shape, strides, padding=padding,
                                data_format=data_format or "NWC", dilations=dilations, name=name)  # fmt: skip
    if n == 2:
        return conv2d_transpose(input, filters, output_shape, strides, padding=padding,
                                data_format=data_format or "NHWC", dilations=dilations, name=name)  # fmt: skip
    if n == 3:
        return conv3d_transpose(input, filters, output_shape, strides, padding=padding,
                                data_format=data_format or "NDHWC", dilations=dilations, name=name)  # fmt: skip
    raise ValueError(
        f"`output_shape` must be of length 3, 4 or 5. Received: output_shape={output_shape} of length {n + 2}."
    )


def atrous_conv2d(value, filters, rate, padding, name=None):
    """conv2d with holes: the filter's taps are `rate` apart (dilations=rate)."""
    return conv2d(value, filters, 1, padding, dilations=rate, name=name)


def atrous_conv2d_transpose(value, filters, output_shape, rate, padding, name=None):
    """The transpose of atrous_conv2d."""
    if rate < 1:
        raise ValueError(f"`rate` cannot be less than one. Received: rate={rate}")
    return conv2d_transpose(
        value, filters, output_shape, 1, padding=padding, dilations=rate, name=name
    )


def _public_sizes_op(op, a, b, c, strides, padding, data_format, dilations, name, sizes_pos):
    padding, explicit = convert_padding(padding)
    attrs = {"strides": [int(v) for v in strides], "padding": padding, "explicit_paddings": explicit,
             "data_format": data_format, "dilations": [int(v) for v in dilations]}  # fmt: skip
    from arroyo.ops._helpers import int_tensor

    args = [a, b, c]
    args[sizes_pos] = int_tensor(args[sizes_pos])
    others = [i for i in range(3) if i != sizes_pos]
    t1, t2 = same_dtype_operands(op.name, [args[i] for i in others])
    args[others[0]], args[others[1]] = t1, t2
    return execute(op, tuple(args), attrs, name)


def depthwise_conv2d_backprop_input(input_sizes, filter, out_backprop, strides, padding,  # noqa: A002
                                    data_format="NHWC", dilations=(1, 1, 1, 1), name=None):  # fmt: skip
    """The gradient of depthwise_conv2d with respect to its input (raw op of the same name)."""
    return _public_sizes_op(_DW_BP_INPUT, input_sizes, filter, out_backprop, strides, padding, data_format,
                            dilations, name, 0)  # fmt: skip


def depthwise_conv2d_backprop_filter(input, filter_sizes, out_backprop, strides, padding,  # noqa: A002
                                     data_format="NHWC", dilations=(1, 1, 1, 1), name=None):  # fmt: skip
    """The gradient of depthwise_conv2d with respect to its filter (raw op of the same name)."""
    return _public_sizes_op(_DW_BP_FILTER, input, filter_sizes, out_backprop, strides, padding, data_format,
                            dilations, name, 1)  # fmt: skip


TF_API = {
    "tf.nn": [
        "conv2d",
        "conv1d",
        "conv2d_transpose",
        "depthwise_conv2d",
        "separable_conv2d",
        "bias_add",
        "conv1d_transpose",
        "convolution",
        "conv_transpose",
        "atrous_conv2d",
        "atrous_conv2d_transpose",
        "depthwise_conv2d_backprop_input",
        "depthwise_conv2d_backprop_filter",
        "space_to_depth",
        "depth_to_space",
        "conv3d",
        "conv3d_transpose",
    ],
}
