"""Checks that real TensorFlow reads TFRecord files and serialized tensors written by arroyo.

From the repository root:

    python tools/check_arroyo_tfrecord_in_tf.py --tf-python /root/tfvenv/bin/python

Step 1 (this interpreter, arroyo): writes Examples with tf.io.TFRecordWriter uncompressed,
GZIP and ZLIB, plus tf.io.serialize_tensor bytes, to a temporary directory.
Step 2 (the TF interpreter, `--read DIR`): reads them with tf.data.TFRecordDataset,
parses them with tf.io.parse_single_example / tf.io.parse_tensor and compares values.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
COMPRESSIONS = {"plain": None, "gzip": "GZIP", "zlib": "ZLIB"}


def expected(i):
    return {"id": i, "vec": [i * 0.5, -float(i)], "name": f"rec{i}", "tags": list(range(i % 3))}


def write(out_dir):
    sys.path.insert(0, ROOT)
    import arroyo as tf

    for key, comp in COMPRESSIONS.items():
        with tf.io.TFRecordWriter(os.path.join(out_dir, f"{key}.tfrecord"), options=comp) as w:
            for i in range(5):
                e = expected(i)
                ex = tf.train.Example(features=tf.train.Features(feature={
                    "id": tf.train.Feature(int64_list=tf.train.Int64List(value=[e["id"]])),
                    "vec": tf.train.Feature(float_list=tf.train.FloatList(value=e["vec"])),
                    "name": tf.train.Feature(bytes_list=tf.train.BytesList(
                        value=[e["name"].encode()])),
                    "tags": tf.train.Feature(int64_list=tf.train.Int64List(value=e["tags"])),
                }))  # fmt: skip
                w.write(ex.SerializeToString())
    tensors = {
        "f32": tf.constant([[1.5, -2.0]]), "i64": tf.constant(7, tf.int64),
        "str": tf.constant(["a", "bc"]),
    }  # fmt: skip
    with open(os.path.join(out_dir, "tensors.json"), "w") as fh:
        json.dump({k: tf.io.serialize_tensor(v).numpy().hex() for k, v in tensors.items()}, fh)


def read(out_dir):
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import tensorflow as tf

    feats = {
        "id": tf.io.FixedLenFeature([], tf.int64), "vec": tf.io.FixedLenFeature([2], tf.float32),
        "name": tf.io.FixedLenFeature([], tf.string), "tags": tf.io.VarLenFeature(tf.int64),
    }  # fmt: skip
    ok = True
    for key, comp in COMPRESSIONS.items():
        ds = tf.data.TFRecordDataset(os.path.join(out_dir, f"{key}.tfrecord"),
                                     compression_type=comp)  # fmt: skip
        got = []
        for rec in ds:
            p = tf.io.parse_single_example(rec, feats)
            got.append({"id": int(p["id"]), "vec": p["vec"].numpy().tolist(),
                        "name": p["name"].numpy().decode(),
                        "tags": p["tags"].values.numpy().tolist()})  # fmt: skip
        want = [expected(i) for i in range(5)]
        same = got == want
        ok &= same
        print(f"TF read {key:5s} TFRecord written by arroyo: {len(got)} records, "
              f"{'values match' if same else 'MISMATCH'}")  # fmt: skip
    ser = json.load(open(os.path.join(out_dir, "tensors.json")))
    checks = {"f32": (tf.float32, [[1.5, -2.0]]), "i64": (tf.int64, 7),
              "str": (tf.string, [b"a", b"bc"])}  # fmt: skip
    for k, (dt, want) in checks.items():
        t = tf.io.parse_tensor(bytes.fromhex(ser[k]), dt)
        same = t.numpy().tolist() == want
        same &= tf.io.serialize_tensor(t).numpy().hex() == ser[k]
        ok &= same
        print(f"TF parse_tensor of arroyo's serialize_tensor {k}: "
              f"{'match (bytes identical)' if same else 'MISMATCH'}")  # fmt: skip
    print("OK" if ok else "FAILED")
    return 0 if ok else 1


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tf-python", default="/root/tfvenv/bin/python")
    ap.add_argument("--read", metavar="DIR", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.read:
        return read(args.read)
    with tempfile.TemporaryDirectory() as d:
        write(d)
        return subprocess.call([args.tf_python, os.path.abspath(__file__), "--read", d],
                               cwd=tempfile.gettempdir())  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())
