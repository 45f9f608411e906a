"""Convolution, bias and pooling kernels: arroyo, the NumPy floor and (optionally) TensorFlow.

    python benchmarks/conv_bench.py                                   # arroyo + NumPy floors
    python benchmarks/conv_bench.py --tf-python /root/tfvenv/bin/python   # + TF, same table
    python benchmarks/conv_bench.py --only small --repeat 9 --json    # JSON lines

Each kernel runs eagerly through the public raw ops (Conv2D, Conv2DBackpropInput,
Conv2DBackpropFilter, BiasAdd, BiasAddGrad, MaxPool, MaxPoolGrad, AvgPool, AvgPoolGrad) at
the shapes of the MNIST-like CNN of tfapi_bench's keras_fit_mnist_cnn (batch 32, 28x28,
C_in 1 or 16, 16 filters 3x3) and at the conv2d_large shape (32x64x64x32 * 3x3x32x64 SAME).
The NumPy floor is the irreducible work in plain NumPy on one thread: for a conv, the GEMMs
of the im2col matrix (built beforehand, not timed) by the reshaped filter in ~2 MiB row
blocks, and the im2col copy itself; arroyo runs both on two threads for calls above
24 MFLOP, so its floor there is about half the sum. For bias add, `x + b`; for its
gradient and the pools, a copy of the operand (memory traffic only).

Every number is the median (and best) of `--repeat` samples in ms; a sample averages
back-to-back calls lasting about 0.1 s. The machine may be shared: alternate runs and
compare medians.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

import numpy as np

perf = time.perf_counter

# name: (x NHWC, filter HWIO or None, padding)
CONVS = {
    "conv1_valid": ((32, 28, 28, 1), (3, 3, 1, 16), "VALID", "small"),
    "conv2_valid": ((32, 26, 26, 16), (3, 3, 16, 16), "VALID", "small"),
    "conv2_same": ((32, 28, 28, 16), (3, 3, 16, 16), "SAME", "small"),
    "conv_large": ((32, 64, 64, 32), (3, 3, 32, 64), "SAME", "large"),
}
BIASES = {
    "bias_26x26x16": ((32, 26, 26, 16), "small"),
    "bias_24x24x16": ((32, 24, 24, 16), "small"),
    "bias_large": ((32, 64, 64, 64), "large"),
}
POOLS = {
    "pool2x2_24x24x16": ((32, 24, 24, 16), "small"),
    "pool2x2_large": ((32, 64, 64, 32), "large"),
}


def _time(fn, repeat, target_s=0.1):
    fn()
    t0 = perf()
    fn()
    one = max(perf() - t0, 1e-6)
    inner = max(1, min(10_000, int(target_s / one)))
    samples = []
    for _ in range(repeat):
        t0 = perf()
        for _ in range(inner):
            fn()
        samples.append((perf() - t0) / inner * 1e3)
    return statistics.median(samples), min(samples)


def _out_hw(h, w, k, padding):
    return (h, w) if padding == "SAME" else (h - k + 1, w - k + 1)


def _cases(only):
    rng = np.random.default_rng(0)
    for name, (xs, fs, pad, size) in CONVS.items():
        if only in (None, size):
            x = rng.random(xs, np.float32)
            f = rng.random(fs, np.float32) - 0.5
            ho, wo = _out_hw(xs[1], xs[2], fs[0], pad)
            dy = rng.random((xs[0], ho, wo, fs[3]), np.float32)
            yield "conv", name, (x, f, dy, pad)
    for name, (shape, size) in BIASES.items():
        if only in (None, size):
            yield "bias", name, (rng.random(shape, np.float32), rng.random(shape[-1], np.float32))
    for name, (shape, size) in POOLS.items():
        if only in (None, size):
            x = rng.random(shape, np.float32)
            g = rng.random((shape[0], shape[1] // 2, shape[2] // 2, shape[3]), np.float32)
            yield "pool", name, (x, g)


def _conv_rows(tf, name, x, f, dy, pad, repeat):
    raw = tf.raw_ops
    s1 = [1, 1, 1, 1]
    xt, ft, dyt = tf.constant(x), tf.constant(f), tf.constant(dy)
    xs, fs = tf.constant(x.shape, tf.int32), tf.constant(f.shape, tf.int32)
    flops = 2.0 * dy.size * f.shape[0] * f.shape[1] * f.shape[2]
    fns = {
        "Conv2D": lambda: raw.Conv2D(input=xt, filter=ft, strides=s1, padding=pad),
        "Conv2DBackpropInput": lambda: raw.Conv2DBackpropInput(
            input_sizes=xs, filter=ft, out_backprop=dyt, strides=s1, padding=pad
        ),
        "Conv2DBackpropFilter": lambda: raw.Conv2DBackpropFilter(
            input=xt, filter_sizes=fs, out_backprop=dyt, strides=s1, padding=pad
        ),
    }
    rows = []
    for op, fn in fns.items():
        med, best = _time(lambda fn=fn: fn().numpy(), repeat)
        rows.append((op, name, med, best, flops / (med * 1e-3) / 1e9))
    return rows


def _bias_rows(tf, name, x, b, repeat):
    raw = tf.raw_ops
    xt, bt = tf.constant(x), tf.constant(b)
    fns = {
        "BiasAdd": lambda: raw.BiasAdd(value=xt, bias=bt),
        "BiasAddGrad": lambda: raw.BiasAddGrad(out_backprop=xt),
    }
    return [(op, name, *_time(lambda fn=fn: fn().numpy(), repeat), None) for op, fn in fns.items()]


def _pool_rows(tf, name, x, g, repeat):
    raw = tf.raw_ops
    k2 = [1, 2, 2, 1]
    xt, gt = tf.constant(x), tf.constant(g)
    ymax = raw.MaxPool(input=xt, ksize=k2, strides=k2, padding="VALID")
    shape = tf.constant(x.shape, tf.int32)
    fns = {
        "MaxPool": lambda: raw.MaxPool(input=xt, ksize=k2, strides=k2, padding="VALID"),
        "MaxPoolGrad": lambda: raw.MaxPoolGrad(
            orig_input=xt, orig_output=ymax, grad=gt, ksize=k2, strides=k2, padding="VALID"
        ),
        "AvgPool": lambda: raw.AvgPool(value=xt, ksize=k2, strides=k2, padding="VALID"),
        "AvgPoolGrad": lambda: raw.AvgPoolGrad(
            orig_input_shape=shape, grad=gt, ksize=k2, strides=k2, padding="VALID"
        ),
    }
    return [(op, name, *_time(lambda fn=fn: fn().numpy(), repeat), None) for op, fn in fns.items()]


def run_impl(tf, only, repeat):
    """Rows (kernel, case, median_ms, best_ms, gflops or None) for the framework `tf`."""
    rows = []
    for kind, name, args in _cases(only):
        fn = {"conv": _conv_rows, "bias": _bias_rows, "pool": _pool_rows}[kind]
        rows += fn(tf, name, *args, repeat)
    return rows


def _numpy_conv_rows(name, x, f, dy, pad, repeat):
    kh, kw, c, k = f.shape
    p = (kh - 1) // 2 if pad == "SAME" else 0
    xp = np.pad(x, ((0, 0), (p, p), (p, p), (0, 0)))
    win = np.lib.stride_tricks.sliding_window_view(xp, (kh, kw), axis=(1, 2))
    cols = np.ascontiguousarray(win.transpose(0, 1, 2, 4, 5, 3)).reshape(-1, kh * kw * c)
    w2 = f.reshape(-1, k)
    d2 = dy.reshape(-1, k)
    out = np.empty((cols.shape[0], k), np.float32)
    flops = 2.0 * cols.shape[0] * cols.shape[1] * k
    # GEMMs on ~2 MiB row blocks of the prebuilt im2col matrix (NumPy's best: one
    # whole-matrix GEMM is slower, see "whole GEMM"), one thread.
    step = max(1, (2 << 20) // (cols.shape[1] * 4))
    blocks = [slice(i, i + step) for i in range(0, cols.shape[0], step)]

    def gemm_blocks():
        for b in blocks:
            np.matmul(cols[b], w2, out=out[b])

    def filter_blocks():
        acc = np.zeros((cols.shape[1], k), np.float32)
        for b in blocks:
            acc += cols[b].T @ d2[b]
        return acc

    rows = []
    for label, fn in (
        ("GEMM floor", gemm_blocks),
        ("whole GEMM", lambda: np.matmul(cols, w2, out=out)),
        ("cols^T @ dy floor", filter_blocks),
    ):
        med, best = _time(fn, repeat)
        rows.append((label, name, med, best, flops / (med * 1e-3) / 1e9))
    med, best = _time(
        lambda: np.copyto(np.empty_like(cols), win.transpose(0, 1, 2, 4, 5, 3).reshape(cols.shape)),
        repeat,
    )
    rows.append(("im2col copy", name, med, best, None))
    return rows


def _numpy_bias_rows(name, x, b, repeat):
    return [
        ("x + b", name, *_time(lambda: x + b, repeat), None),
        ("copy", name, *_time(lambda: x.copy(), repeat), None),
    ]


def _numpy_pool_rows(name, x, g, repeat):
    return [("copy x", name, *_time(lambda: x.copy(), repeat), None)]


def run_numpy(only, repeat):
    """The NumPy floors, on one BLAS thread (as arroyo's conv GEMMs run)."""
    from arroyo.ops import conv_ops

    rows = []
    fns = {"conv": _numpy_conv_rows, "bias": _numpy_bias_rows, "pool": _numpy_pool_rows}
    with conv_ops._SINGLE_BLAS:
        for kind, name, args in _cases(only):
            rows += fns[kind](name, *args, repeat)
    return rows


def _load(impl):
    if impl == "tensorflow":
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
        import tensorflow as tf

        return tf
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    import arroyo as tf

    return tf


def main(argv=None):
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--impl", default="arroyo", choices=("arroyo", "tensorflow"))
    p.add_argument("--tf-python", default=None, help="a Python with TensorFlow: also time TF")
    p.add_argument("--only", choices=("small", "large"), default=None)
    p.add_argument("--repeat", type=int, default=7)
    p.add_argument("--json", action="store_true", help="JSON lines instead of a table")
    p.add_argument("--no-numpy", action="store_true", help="skip the NumPy floors")
    a = p.parse_args(argv)
    results = []  # (impl, kernel, case, median, best, gflops)
    if a.tf_python:
        cmd = [a.tf_python, os.path.abspath(__file__), "--impl", "tensorflow", "--json",
               "--repeat", str(a.repeat), "--no-numpy"] + (["--only", a.only] if a.only else [])  # fmt: skip
        out = subprocess.run(cmd, cwd="/tmp", capture_output=True, text=True, check=True).stdout
        for line in out.splitlines():
            if line.startswith("{"):
                r = json.loads(line)
                results.append(
                    (r["impl"], r["kernel"], r["case"], r["median_ms"], r["best_ms"], r["gflops"])
                )
    tf = _load(a.impl)
    results += [(a.impl, *r) for r in run_impl(tf, a.only, a.repeat)]
    if not a.no_numpy and a.impl == "arroyo":
        results += [("numpy", *r) for r in run_numpy(a.only, a.repeat)]
    if a.json:
        for impl, kernel, case, med, best, gf in results:
            print(json.dumps({"impl": impl, "kernel": kernel, "case": case, "median_ms": med,
                              "best_ms": best, "gflops": gf}))  # fmt: skip
        return 0
    order = {}
    for r in results:
        order.setdefault(r[2], []).append(r)
    for case, rs in order.items():
        print(f"== {case}")
        for impl, kernel, _, med, best, gf in sorted(rs, key=lambda r: (r[1], r[0])):
            extra = f"  {gf:7.1f} GFLOP/s" if gf else ""
            print(f"  {kernel:22s} {impl:10s} {med:9.3f} ms (best {best:8.3f}){extra}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
