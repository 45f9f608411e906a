"""Writes TensorBoard event files with real TensorFlow 2.21 into tests/data/summary/.

Each case is its own log directory holding one event file; `inputs.npz` keeps the data
the summaries were made from, so tests can compute arroyo's version of each value and
compare it with what TensorFlow wrote. Needs TensorFlow and TensorBoard (tf.summary's
scalar/histogram/image/text live in TensorBoard). Run from the repository root:

    /root/tfvenv/bin/python tools/make_summary_fixtures.py
"""

from __future__ import annotations

import glob
import os
import shutil
import sys

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import tensorflow as tf  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "tests", "data", "summary")


def inputs():
    rng = np.random.default_rng(7)
    return {
        "scalars": np.array([0.5, -1.25, 3.0e-4], np.float32),
        "hist_normal": rng.normal(size=200).astype(np.float32),
        "hist_ints": np.array([[1, 2, 2], [3, 3, 3], [7, 7, 9]], np.int32),
        "image_uint8": rng.integers(0, 256, size=(2, 4, 5, 3)).astype(np.uint8),
        "image_float": rng.uniform(-0.1, 1.1, size=(3, 3, 2, 1)).astype(np.float32),
        "image_rgba": rng.integers(0, 256, size=(1, 2, 3, 4)).astype(np.uint8),
        "audio": np.sin(np.linspace(0, 20, 64, dtype=np.float32)).reshape(1, 64, 1) * 0.5,
        "write_tensor": np.arange(6, dtype=np.float64).reshape(2, 3),
    }


def writer(name):
    path = os.path.join(OUT, name)
    shutil.rmtree(path, ignore_errors=True)
    return tf.summary.create_file_writer(path)


def main():
    os.makedirs(OUT, exist_ok=True)
    data = inputs()
    np.savez(os.path.join(OUT, "inputs.npz"), **data)

    with writer("scalars").as_default():
        for i, v in enumerate(data["scalars"]):
            assert bool(tf.summary.scalar("loss", v, step=i))
        tf.summary.scalar("int_value", 7, step=10)
        tf.summary.scalar("double_value", np.float64(2.5), step=11)
        with tf.name_scope("outer"):
            tf.summary.scalar("inner", 1.0, step=12)

    # Summaries inside a tf.function: the step Variable is read on each call.
    step = tf.Variable(0, dtype=tf.int64)
    w = writer("function")

    @tf.function
    def train(x):
        with w.as_default(step=step):
            tf.summary.scalar("x", x)
            tf.summary.scalar("x2", x * x)
            step.assign_add(1)

    for v in (1.0, 2.0, 3.0):
        train(tf.constant(v))
    w.flush()

    with writer("histogram").as_default():
        tf.summary.histogram("normal", data["hist_normal"], step=0)
        tf.summary.histogram("normal5", data["hist_normal"], step=1, buckets=5)
        tf.summary.histogram("ints", data["hist_ints"], step=2, buckets=4)
        tf.summary.histogram("single", [2.0, 2.0, 2.0], step=3, buckets=3)
        tf.summary.histogram("empty", np.zeros([0], np.float32), step=4, buckets=3)

    with writer("image").as_default():
        tf.summary.image("uint8", data["image_uint8"], step=0)
        tf.summary.image("float", data["image_float"], step=1, max_outputs=2)
        tf.summary.image("rgba", data["image_rgba"], step=2)

    with writer("text").as_default():
        tf.summary.text("greeting", "hello world!", step=0)
        tf.summary.text("table", [["a", "b"], ["ç", "d"]], step=1)

    with writer("audio").as_default():
        tf.summary.audio("tone", data["audio"], 8000, step=0)

    with writer("write").as_default():
        tf.summary.write("raw", data["write_tensor"], step=5)
        tf.summary.write("raw_meta", tf.constant([1, 2], tf.int64), step=6, metadata=b"")

    # Graph trace of one tf.function call.
    @tf.function
    def f(x, y):
        return tf.nn.relu(tf.matmul(x, y) + 1.0)

    w = writer("trace")
    tf.summary.trace_on(graph=True, profiler=False)
    f(tf.ones([2, 2]), tf.ones([2, 2]))
    with w.as_default():
        tf.summary.trace_export("my_trace", step=0)
    w.flush()

    # Short, stable names: the host name and pid of the machine that made them mean nothing.
    for case in sorted(os.listdir(OUT)):
        d = os.path.join(OUT, case)
        if not os.path.isdir(d):
            continue
        files = glob.glob(os.path.join(d, "events.out.tfevents.*"))
        assert len(files) == 1, files
        os.replace(files[0], os.path.join(d, "events.out.tfevents.tf221.v2"))
        print(case, os.path.getsize(os.path.join(d, "events.out.tfevents.tf221.v2")), "bytes")


if __name__ == "__main__":
    sys.exit(main())
