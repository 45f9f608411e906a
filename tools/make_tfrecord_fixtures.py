"""Writes TFRecord fixtures with real TensorFlow 2.21 for arroyo's tf.data tests.

Run from the repository root:

    /root/tfvenv/bin/python tools/make_tfrecord_fixtures.py

Writes tests/data/tfrecord/:
  examples.tfrecord, examples_gzip.tfrecord, examples_zlib.tfrecord  tf.train.Examples
  lines.txt                                                           a TextLineDataset input
  expected.json        what TF parses from them (dense/sparse features, records, lines)
  tensors.json         tf.io.serialize_tensor bytes (hex) of a few tensors
"""

from __future__ import annotations

import json
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "tests", "data", "tfrecord")


def example(i):
    feats = {
        "id": tf.train.Feature(int64_list=tf.train.Int64List(value=[i])),
        "vec": tf.train.Feature(float_list=tf.train.FloatList(value=[i * 0.5, -i, 1.25])),
        "name": tf.train.Feature(bytes_list=tf.train.BytesList(value=[f"item{i}".encode()])),
        "tags": tf.train.Feature(int64_list=tf.train.Int64List(value=list(range(i % 4)))),
    }
    if i % 2 == 0:
        feats["opt"] = tf.train.Feature(float_list=tf.train.FloatList(value=[float(i)]))
    return tf.train.Example(features=tf.train.Features(feature=feats))


FEATURES = {
    "id": tf.io.FixedLenFeature([], tf.int64),
    "vec": tf.io.FixedLenFeature([3], tf.float32),
    "name": tf.io.FixedLenFeature([], tf.string),
    "tags": tf.io.VarLenFeature(tf.int64),
    "opt": tf.io.FixedLenFeature([], tf.float32, default_value=-1.0),
}


def main():
    os.makedirs(OUT, exist_ok=True)
    records = [example(i).SerializeToString() for i in range(7)]
    for suffix, comp in (("", None), ("_gzip", "GZIP"), ("_zlib", "ZLIB")):
        path = os.path.join(OUT, f"examples{suffix}.tfrecord")
        with tf.io.TFRecordWriter(path, options=comp) as w:
            for r in records:
                w.write(r)
    read = [
        r.numpy().hex() for r in tf.data.TFRecordDataset(os.path.join(OUT, "examples.tfrecord"))
    ]
    single = []
    for r in records:
        p = tf.io.parse_single_example(r, FEATURES)
        single.append({
            "id": int(p["id"]), "vec": p["vec"].numpy().tolist(), "name": p["name"].numpy().decode(),
            "tags": p["tags"].values.numpy().tolist(), "tags_shape": p["tags"].dense_shape.numpy().tolist(),
            "opt": float(p["opt"]),
        })  # fmt: skip
    batch = tf.io.parse_example(tf.constant(records[:4]), FEATURES)
    batched = {
        "id": batch["id"].numpy().tolist(), "vec": batch["vec"].numpy().tolist(),
        "tags_indices": batch["tags"].indices.numpy().tolist(),
        "tags_values": batch["tags"].values.numpy().tolist(),
        "tags_shape": batch["tags"].dense_shape.numpy().tolist(), "opt": batch["opt"].numpy().tolist(),
    }  # fmt: skip
    lines_path = os.path.join(OUT, "lines.txt")
    with open(lines_path, "wb") as fh:
        fh.write(b"first line\nsecond\r\n\nlast without newline")
    lines = [x.numpy().decode() for x in tf.data.TextLineDataset(lines_path)]
    with open(os.path.join(OUT, "expected.json"), "w") as fh:
        json.dump(
            {"records": read, "single": single, "batch": batched, "lines": lines}, fh, indent=1
        )
    tensors = {
        "f32_scalar": tf.constant(1.5), "i32_matrix": tf.constant([[1, 2], [3, 4]]),
        "strings": tf.constant(["a", "bc"]), "i64_scalar": tf.constant(7, tf.int64),
        "f64_vec": tf.constant([0.25, -2.0], tf.float64), "bool_vec": tf.constant([True, False]),
    }  # fmt: skip
    ser = {k: tf.io.serialize_tensor(v).numpy().hex() for k, v in tensors.items()}
    with open(os.path.join(OUT, "tensors.json"), "w") as fh:
        json.dump(ser, fh, indent=1, sort_keys=True)
    print("wrote", sorted(os.listdir(OUT)))
    _ = np


if __name__ == "__main__":
    main()
