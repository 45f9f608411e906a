"""Checkpoint save/restore throughput: arroyo vs TensorFlow vs a plain file write.

    python benchmarks/checkpoint_bench.py [--params 100000000] [--tf-python /path/to/tfvenv/bin/python]

The workload is a set of float32 Variables totalling --params parameters (10 variables),
saved with tf.train.Checkpoint.write and restored with .restore. The floor is writing and
reading the same bytes with plain Python file I/O (fsync'd), in the same directory.
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

WORKER = r"""
import json, os, sys, time
import numpy as np
impl, params, directory, repeat = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
tf = __import__(impl)
n = params // 10
rng = np.random.default_rng(0)
vars_ = [tf.Variable(rng.standard_normal(n, dtype=np.float32)) for _ in range(10)]
ckpt = tf.train.Checkpoint(vars=vars_)
saves, restores = [], []
for r in range(repeat):
    prefix = os.path.join(directory, f"{impl}-{r}")
    t0 = time.perf_counter(); ckpt.write(prefix); saves.append(time.perf_counter() - t0)
    t0 = time.perf_counter(); ckpt.restore(prefix).expect_partial(); restores.append(time.perf_counter() - t0)
    for f in os.listdir(directory):
        if f.startswith(f"{impl}-{r}"):
            os.remove(os.path.join(directory, f))
print(json.dumps({"save": saves, "restore": restores}))
"""


def plain_io(params, directory, repeat):
    import numpy as np

    data = np.random.default_rng(0).standard_normal(params, dtype=np.float32).tobytes()
    writes, reads = [], []
    path = os.path.join(directory, "plain.bin")
    for _ in range(repeat):
        t0 = time.perf_counter()
        with open(path, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        writes.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        with open(path, "rb") as fh:
            np.frombuffer(fh.read(), dtype=np.float32).copy()
        reads.append(time.perf_counter() - t0)
        os.remove(path)
    return {"save": writes, "restore": reads}


def run_impl(python, impl, params, directory, repeat):
    env = dict(
        os.environ,
        TF_CPP_MIN_LOG_LEVEL="3",
        PYTHONPATH=os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
    )
    out = subprocess.run([python, "-c", WORKER, impl, str(params), directory, str(repeat)],
                         capture_output=True, text=True, env=env, check=True)  # fmt: skip
    return json.loads(out.stdout.strip().splitlines()[-1])


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--params", type=int, default=100_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--tf-python", default=None)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(dir=os.environ.get("BENCH_DIR")) as d:
        rows = {"plain file I/O": plain_io(args.params, d, args.repeat),
                "arroyo": run_impl(sys.executable, "arroyo", args.params, d, args.repeat)}  # fmt: skip
        if args.tf_python:
            rows["tensorflow"] = run_impl(args.tf_python, "tensorflow", args.params, d, args.repeat)
    mb = args.params * 4 / 1e6
    print(f"{'implementation':16} {'save s':>8} {'MB/s':>8} {'restore s':>10} {'MB/s':>8}")
    for name, r in rows.items():
        s, t = statistics.median(r["save"]), statistics.median(r["restore"])
        print(f"{name:16} {s:8.3f} {mb / s:8.0f} {t:10.3f} {mb / t:8.0f}")
    if "tensorflow" in rows:
        a, t = rows["arroyo"], rows["tensorflow"]
        print(f"arroyo speed vs TF: save {statistics.median(t['save']) / statistics.median(a['save']):.2f}x, "
              f"restore {statistics.median(t['restore']) / statistics.median(a['restore']):.2f}x")  # fmt: skip


if __name__ == "__main__":
    main()
