"""Cost of `tf.summary.scalar` per call, eagerly and inside tf.function: arroyo vs TF.

    python benchmarks/summary_bench.py --tf-python /root/tfvenv/bin/python

Each implementation runs in its own process (`--impl` runs one). Reported: median of 5
rounds, in microseconds per summary written (events are queued in memory and written in
batches by both, so the numbers include encoding, framing and the amortized file write).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run(impl, n):
    if impl == "arroyo":
        sys.path.insert(0, ROOT)
        import arroyo as tf
    else:
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
        import tensorflow as tf
    logdir = tempfile.mkdtemp(prefix=f"summary_bench_{impl}_")
    w = tf.summary.create_file_writer(logdir, max_queue=1000)
    x = tf.constant(0.5)
    step = tf.Variable(0, dtype=tf.int64)

    @tf.function
    def ten(x):  # ten summaries per call, so the call overhead is shared
        with w.as_default(step=step):
            for _ in range(10):
                tf.summary.scalar("loss", x)
        step.assign_add(1)

    out = {}
    with w.as_default():
        for i in range(200):  # warm up
            tf.summary.scalar("loss", x, step=i)
        rounds = []
        for _ in range(5):
            t0 = time.perf_counter()
            for i in range(n):
                tf.summary.scalar("loss", x, step=i)
            rounds.append((time.perf_counter() - t0) / n * 1e6)
        out["eager_us"] = statistics.median(rounds)
        rounds = []
        for _ in range(5):
            t0 = time.perf_counter()
            for i in range(n):
                tf.summary.scalar("loss", 0.5, step=i)  # a Python float: converted each call
            rounds.append((time.perf_counter() - t0) / n * 1e6)
        out["eager_python_float_us"] = statistics.median(rounds)
    ten(x)
    rounds = []
    for _ in range(5):
        t0 = time.perf_counter()
        for _ in range(n // 10):
            ten(x)
        rounds.append((time.perf_counter() - t0) / (n // 10 * 10) * 1e6)
    out["function_us"] = statistics.median(rounds)
    w.close()
    return out


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--impl", choices=["arroyo", "tensorflow"])
    p.add_argument("--tf-python", default=None)
    p.add_argument("-n", type=int, default=2000)
    a = p.parse_args()
    if a.impl:
        print(json.dumps(run(a.impl, a.n)))
        return
    results = {}
    for impl, py in (("arroyo", sys.executable), ("tensorflow", a.tf_python)):
        if py is None:
            continue
        proc = subprocess.run([py, os.path.abspath(__file__), "--impl", impl, "-n", str(a.n)],
                              capture_output=True, text=True, check=True, cwd="/tmp")  # fmt: skip
        results[impl] = json.loads(proc.stdout.strip().splitlines()[-1])
    keys = ["eager_us", "eager_python_float_us", "function_us"]
    print(f"{'µs per tf.summary.scalar':32}" + "".join(f"{k:>14}" for k in results))
    for k in keys:
        print(f"{k:32}" + "".join(f"{results[i][k]:14.2f}" for i in results))


if __name__ == "__main__":
    main()
