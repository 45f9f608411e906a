"""tf.data input-pipeline timing: arroyo and TensorFlow side by side.

One epoch of `from_tensor_slices((images, labels)).shuffle(buffer).batch(32)` over 60,000
28x28 float32 images and int64 labels (MNIST-sized), iterated in Python as a training loop
does. Run the same script under each implementation:

    python benchmarks/data_bench.py                               # arroyo
    /root/tfvenv/bin/python benchmarks/data_bench.py --impl tf    # TensorFlow

Prints one line per workload: the median and best epoch time of `--epochs` epochs (the
first epoch, which includes pipeline start-up, is timed too).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

import numpy as np


def load(impl):
    if impl == "tf":
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
        import tensorflow as tf
    else:
        sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
        import arroyo as tf
    return tf


def epoch_time(ds):
    t0 = time.perf_counter()
    n = 0
    for _x, _y in ds:
        n += 1
    return time.perf_counter() - t0, n


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--impl", choices=("arroyo", "tf"), default="arroyo")
    ap.add_argument("--epochs", type=int, default=5)
    args = ap.parse_args()
    tf = load(args.impl)
    rng = np.random.RandomState(0)
    images = rng.rand(60000, 28, 28).astype(np.float32)
    labels = rng.randint(0, 10, size=60000).astype(np.int64)
    base = tf.data.Dataset.from_tensor_slices((images, labels))
    workloads = {
        "shuffle(1000).batch(32)": base.shuffle(1000).batch(32),
        "shuffle(60000).batch(32)": base.shuffle(60000).batch(32),
        "batch(32) (no shuffle)": base.batch(32),
        "map(x/2).batch(32)": base.map(lambda x, y: (x / 2, y)).batch(32),
    }
    for name, ds in workloads.items():
        times = []
        for _ in range(args.epochs if "map" not in name else max(2, args.epochs // 2)):
            t, n = epoch_time(ds)
            times.append(t)
        assert n == 1875, n
        print(f"{args.impl:7s} {name:28s} median {statistics.median(times) * 1e3:8.1f} ms  "
              f"best {min(times) * 1e3:8.1f} ms  ({n} batches/epoch)")  # fmt: skip


if __name__ == "__main__":
    main()
