"""Reads event files written by arroyo with real TensorFlow (and TensorBoard, if installed).

    /root/tfvenv/bin/python tools/check_arroyo_events_in_tf.py [--arroyo-python python3]

writes a log directory with arroyo (in a subprocess run by the arroyo Python: scalars,
a histogram, an image, text, summaries from a tf.function, a graph trace), then reads every
event back with `tf.compat.v1.train.summary_iterator` and TensorBoard's EventAccumulator,
and compares the values. Exits non-zero, saying why, on any difference.
"""

from __future__ import annotations

import argparse
import glob
import os
import subprocess
import sys
import tempfile

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

SCALARS = [0.5, -1.25, 3.0e-4]


def write_with_arroyo(logdir):
    sys.path.insert(0, ROOT)
    import arroyo as tf

    w = tf.summary.create_file_writer(logdir)
    with w.as_default():
        for i, v in enumerate(SCALARS):
            tf.summary.scalar("loss", v, step=i)
        tf.summary.histogram("hist", np.arange(100, dtype=np.float32), step=3, buckets=10)
        img = (np.arange(2 * 4 * 5 * 3) % 256).astype(np.uint8).reshape(2, 4, 5, 3)
        tf.summary.image("img", img, step=4)
        tf.summary.text("txt", [["a", "b"], ["c", "d"]], step=5)
    step = tf.Variable(10, dtype=tf.int64)

    @tf.function
    def train(x):
        with w.as_default(step=step):
            tf.summary.scalar("fn", x * 2.0)
        step.assign_add(1)
        return tf.nn.relu(x)

    tf.summary.trace_on(graph=True)
    for v in (1.0, 2.0):
        train(tf.constant(v))
    with w.as_default():
        tf.summary.trace_export("train_trace", step=0)
    w.close()


def check(logdir):
    import tensorflow as tf

    (path,) = glob.glob(os.path.join(logdir, "events.out.tfevents.*"))
    events = list(tf.compat.v1.train.summary_iterator(path))
    assert events[0].file_version == "brain.Event:2", events[0]
    by_tag = {}
    for e in events[1:]:
        for v in e.summary.value:
            by_tag.setdefault(v.tag, []).append((e.step, v))
    got = [(s, float(tf.make_ndarray(v.tensor))) for s, v in by_tag["loss"]]
    assert got == [(i, float(np.float32(x))) for i, x in enumerate(SCALARS)], got
    assert all(v.metadata.plugin_data.plugin_name == "scalars" for _, v in by_tag["loss"])
    ((s, h),) = by_tag["hist"]
    hist = tf.make_ndarray(h.tensor)
    assert (
        hist.shape == (10, 3) and hist[:, 2].sum() == 100 and hist[0, 0] == 0 and hist[-1, 1] == 99
    )
    ((s, im),) = by_tag["img"]
    vals = tf.make_ndarray(im.tensor)
    assert vals[0] == b"5" and vals[1] == b"4" and len(vals) == 4
    img = (np.arange(2 * 4 * 5 * 3) % 256).astype(np.uint8).reshape(2, 4, 5, 3)
    for i in range(2):
        np.testing.assert_array_equal(tf.io.decode_png(vals[2 + i]).numpy(), img[i])
    ((s, t),) = by_tag["txt"]
    assert tf.make_ndarray(t.tensor).tolist() == [[b"a", b"b"], [b"c", b"d"]]
    fn = [(s, float(tf.make_ndarray(v.tensor))) for s, v in by_tag["fn"]]
    assert fn == [(10, 2.0), (11, 4.0)], fn
    ((s, tr),) = by_tag["train_trace"]
    from tensorflow.core.protobuf import config_pb2

    rm = config_pb2.RunMetadata.FromString(tr.tensor.string_val[0])
    ops = {n.op for fg in rm.function_graphs for n in fg.pre_optimization_graph.node}
    assert {"_Arg", "Mul", "WriteSummary", "Relu", "_Retval"} <= ops, ops
    print(f"OK: TensorFlow {tf.__version__} summary_iterator read {len(events)} arroyo events "
          f"({sorted(by_tag)}); values, PNG pixels and the traced graph match")  # fmt: skip

    try:
        from tensorboard.backend.event_processing import event_accumulator as ea
    except ImportError:
        print("tensorboard not installed: EventAccumulator check skipped")
        return
    acc = ea.EventAccumulator(logdir, size_guidance={ea.TENSORS: 0})
    acc.Reload()
    tags = acc.Tags()
    loss = [(t.step, float(tf.make_ndarray(t.tensor_proto))) for t in acc.Tensors("loss")]
    assert loss == got, loss
    assert set(tags["tensors"]) >= {"loss", "hist", "img", "txt", "fn", "train_trace"}, tags
    graph = acc.Graph() if tags.get("graph") else None
    print(f"OK: TensorBoard EventAccumulator tags {sorted(tags['tensors'])}; "
          f"graph={'yes' if graph is not None else 'run metadata only'}")  # fmt: skip


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--write", help="(internal) write the log directory with arroyo")
    p.add_argument("--arroyo-python", default="python3")
    a = p.parse_args()
    if a.write:
        write_with_arroyo(a.write)
        return
    logdir = tempfile.mkdtemp(prefix="arroyo_events_")
    subprocess.run([a.arroyo_python, os.path.abspath(__file__), "--write", logdir], check=True,
                   cwd=ROOT)  # fmt: skip
    check(logdir)


if __name__ == "__main__":
    main()
