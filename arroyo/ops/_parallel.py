"""Two-thread elementwise kernels for large eager tensors.

NumPy ufuncs release the GIL, so cutting a large array in chunks that the calling thread
and a helper thread claim one at a time uses both cores (TF's Eigen kernels are multi-threaded as well). It pays
for compute-bound functions (exp, log, tanh, sin, cos, sigmoid: ~1.5x on 1M floats) and
costs for memory-bound ones (add, multiply: the hand-off outweighs the gain). Only
same-shape, same-dtype, C-contiguous operands (or size-1 ones) are split, and only for
ufuncs whose result has the operands' dtype, so results are bit-identical to one call.
"""

from __future__ import annotations

import os
import threading

import numpy as np

MIN_ELEMENTS = 1 << 18
_pool = None  # (pid, ThreadPoolExecutor): recreated in a forked child, which lacks the threads
_POOL_LOCK = threading.Lock()
_CORES = None


def cores() -> int:
    """CPUs this process may run on."""
    global _CORES
    if _CORES is None:
        try:
            _CORES = max(1, len(os.sched_getaffinity(0)))
        except AttributeError:
            _CORES = max(1, os.cpu_count() or 1)
    return _CORES


def executor():
    """The helper threads (one fewer than the cores: the calling thread works too)."""
    global _pool
    pool = _pool
    if pool is None or pool[0] != os.getpid():
        from concurrent.futures import ThreadPoolExecutor

        with _POOL_LOCK:
            if _pool is None or _pool[0] != os.getpid():
                workers = max(1, cores() - 1)
                _pool = (os.getpid(), ThreadPoolExecutor(workers, thread_name_prefix="arroyo"))
            pool = _pool
    return pool[1]


def _reinit_lock():
    global _POOL_LOCK
    _POOL_LOCK = threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_reinit_lock)

CHUNKS = 4  # pieces a large kernel is cut into; each thread claims one at a time


class _Claim:
    """The chunks of one call, claimed one at a time by the calling thread and the helpers.

    The caller waits only for chunks a helper has actually started: a helper that does not
    get a core in time (other processes busy) finds nothing left and costs nothing, where a
    fixed split would make the caller wait for it (measured ~3 ms per call under load)."""

    __slots__ = ("n", "next", "lock", "idle", "active", "results", "error")

    def __init__(self, n):
        self.n = n
        self.next = 0
        self.lock = threading.Lock()
        self.idle = threading.Condition(self.lock)
        self.active = 0  # helpers inside a chunk
        self.results = [None] * n
        self.error = None

    def take(self, work, slot):
        busy = False
        try:
            while True:
                with self.lock:
                    if busy:
                        self.active -= 1
                        busy = False
                        self.idle.notify_all()
                    i = self.next
                    if i >= self.n or self.error is not None:
                        return
                    self.next = i + 1
                    if slot:
                        self.active += 1
                        busy = True
                self.results[i] = work(i, slot)
        except BaseException as e:  # noqa: BLE001 - re-raised on the calling thread
            with self.lock:
                self.error = e
                if busy:
                    self.active -= 1
                self.idle.notify_all()


def run_claimed(work, n=CHUNKS, threads=2):
    """[work(i, slot) for i in range(n)] on up to `threads` threads: slot 0 is the calling
    thread, 1.. the helpers (for per-thread scratch). Results come in chunk order, so
    combining them does not depend on which thread ran what."""
    job = _Claim(n)
    pool = executor()
    for slot in range(1, min(threads, cores(), n)):
        pool.submit(job.take, work, slot)
    job.take(work, 0)
    with job.lock:
        while job.active:
            job.idle.wait()
    if job.error is not None:
        raise job.error
    return job.results


def bounds(size, n=CHUNKS):
    """(lo, hi) of `n` nearly equal chunks of `size` elements."""
    return [(size * i // n, size * (i + 1) // n) for i in range(n)]


def splittable(args):
    a = args[0]
    if (
        type(a) is not np.ndarray
        or a.size < MIN_ELEMENTS
        or not a.flags.c_contiguous
        or cores() < 2
    ):
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
        parts = bounds(a.size)

        def work(i, _helper):
            lo, hi = parts[i]
            ufunc(*[x[lo:hi] if x.ndim else x for x in flat], out=o[lo:hi])

        run_claimed(work)
        return out

    kernel.__name__ = getattr(ufunc, "__name__", "kernel")
    kernel.ufunc = ufunc
    return kernel
