"""TFRecord files, tf.train.Example parsing and serialized tensors, against files and values
written by TensorFlow 2.21 (tools/make_tfrecord_fixtures.py -> tests/data/tfrecord/)."""

from __future__ import annotations

import gzip
import json
import os
import zlib

import numpy as np
import pytest

import arroyo as tf
from arroyo.framework.errors import DataLossError, InvalidArgumentError, NotFoundError

HERE = os.path.join(os.path.dirname(os.path.dirname(__file__)), "data", "tfrecord")
EXPECTED = json.load(open(os.path.join(HERE, "expected.json")))
TENSORS = json.load(open(os.path.join(HERE, "tensors.json")))
FEATURES = {
    "id": tf.io.FixedLenFeature([], tf.int64),
    "vec": tf.io.FixedLenFeature([3], tf.float32),
    "name": tf.io.FixedLenFeature([], tf.string),
    "tags": tf.io.VarLenFeature(tf.int64),
    "opt": tf.io.FixedLenFeature([], tf.float32, default_value=-1.0),
}


def fixture(name):
    return os.path.join(HERE, name)


@pytest.mark.parametrize("name,comp", [("examples.tfrecord", None), ("examples_gzip.tfrecord",
                                       "GZIP"), ("examples_zlib.tfrecord", "ZLIB")])  # fmt: skip
def test_reads_tf_written_records(name, comp):
    ds = tf.data.TFRecordDataset(fixture(name), compression_type=comp)
    assert ds.element_spec == tf.TensorSpec([], tf.string)
    assert [r.hex() for r in ds.as_numpy_iterator()] == EXPECTED["records"]


def test_parse_single_example_matches_tf():
    recs = [bytes.fromhex(h) for h in EXPECTED["records"]]
    for rec, want in zip(recs, EXPECTED["single"]):
        p = tf.io.parse_single_example(rec, FEATURES)
        assert p["id"].dtype == tf.int64 and int(p["id"]) == want["id"]
        assert p["vec"].dtype == tf.float32 and p["vec"].numpy().tolist() == want["vec"]
        assert p["name"].numpy().decode() == want["name"]
        assert isinstance(p["tags"], tf.SparseTensor)
        assert p["tags"].values.numpy().tolist() == want["tags"]
        assert p["tags"].dense_shape.numpy().tolist() == want["tags_shape"]
        assert float(p["opt"]) == want["opt"]


def test_parse_example_batch_matches_tf():
    recs = [bytes.fromhex(h) for h in EXPECTED["records"][:4]]
    p = tf.io.parse_example(tf.constant(recs), FEATURES)
    want = EXPECTED["batch"]
    assert p["id"].numpy().tolist() == want["id"] and p["vec"].numpy().tolist() == want["vec"]
    assert p["tags"].indices.numpy().tolist() == want["tags_indices"]
    assert p["tags"].values.numpy().tolist() == want["tags_values"]
    assert p["tags"].dense_shape.numpy().tolist() == want["tags_shape"]
    assert p["opt"].numpy().tolist() == want["opt"]


def test_parse_in_a_pipeline():
    ds = tf.data.TFRecordDataset(fixture("examples_gzip.tfrecord"), compression_type="GZIP")
    ds = ds.map(lambda r: tf.io.parse_single_example(r, FEATURES))
    assert isinstance(ds.element_spec["tags"], tf.SparseTensorSpec)
    assert ds.element_spec["vec"] == tf.TensorSpec([3], tf.float32)
    got = list(ds)
    assert [int(e["id"]) for e in got] == list(range(7))
    assert got[3]["tags"].values.numpy().tolist() == [0, 1, 2]
    batched = (
        tf.data.TFRecordDataset(fixture("examples.tfrecord"))
        .batch(4)
        .map(lambda r: tf.io.parse_example(r, {"id": tf.io.FixedLenFeature([], tf.int64)}))
    )
    assert [b["id"].numpy().tolist() for b in batched] == [[0, 1, 2, 3], [4, 5, 6]]


def test_parse_errors_match_tf():
    rec = bytes.fromhex(EXPECTED["records"][1])
    with pytest.raises(InvalidArgumentError, match="Feature: opt \\(data type: float\\) is "
                       "required but could not be found."):  # fmt: skip
        tf.io.parse_single_example(rec, {"opt": tf.io.FixedLenFeature([], tf.float32)})
    with pytest.raises(InvalidArgumentError, match="Key: id.  Data types don't match. Data "
                       "type: int64 but expected type: float"):  # fmt: skip
        tf.io.parse_single_example(rec, {"id": tf.io.FixedLenFeature([], tf.float32)})
    with pytest.raises(InvalidArgumentError, match="Key: vec.  Can't parse serialized Example"):
        tf.io.parse_single_example(rec, {"vec": tf.io.FixedLenFeature([2], tf.float32)})
    with pytest.raises(InvalidArgumentError, match="Could not parse example input"):
        tf.io.parse_single_example(b"garbage\x01", FEATURES)
    assert repr(tf.io.FixedLenFeature([3], tf.int64)) == (
        "FixedLenFeature(shape=[3], dtype=tf.int64, default_value=None)"
    )
    assert repr(tf.io.VarLenFeature(tf.string)) == "VarLenFeature(dtype=tf.string)"


def test_text_lines_match_tf():
    got = [s.decode() for s in tf.data.TextLineDataset(fixture("lines.txt")).as_numpy_iterator()]
    assert got == EXPECTED["lines"]


def test_serialize_tensor_bytes_match_tf():
    values = {
        "f32_scalar": tf.constant(1.5), "i32_matrix": tf.constant([[1, 2], [3, 4]]),
        "strings": tf.constant(["a", "bc"]), "i64_scalar": tf.constant(7, tf.int64),
        "f64_vec": tf.constant([0.25, -2.0], tf.float64), "bool_vec": tf.constant([True, False]),
    }  # fmt: skip
    for key, t in values.items():
        ser = tf.io.serialize_tensor(t)
        assert ser.dtype == tf.string and ser.shape == ()
        assert ser.numpy().hex() == TENSORS[key], key
        back = tf.io.parse_tensor(bytes.fromhex(TENSORS[key]), t.dtype)
        assert back.dtype == t.dtype and back.numpy().tolist() == t.numpy().tolist()
    with pytest.raises(InvalidArgumentError, match="Type mismatch between parsed tensor "
                       "\\(float\\) and dtype \\(int32\\)"):  # fmt: skip
        tf.io.parse_tensor(bytes.fromhex(TENSORS["f32_scalar"]), tf.int32)


def _examples():
    recs = [bytes.fromhex(h) for h in EXPECTED["records"]]
    return recs


@pytest.mark.parametrize("comp", [None, "", "GZIP", "ZLIB"])
def test_writer_round_trip(tmp_path, comp):
    path = str(tmp_path / "out.tfrecord")
    opts = tf.io.TFRecordOptions(compression_type=comp) if comp == "ZLIB" else comp
    with tf.io.TFRecordWriter(path, options=opts) as w:
        for r in _examples():
            w.write(r)
        assert not os.path.exists(path)  # written under a temporary name until closed
    assert os.listdir(tmp_path) == ["out.tfrecord"]
    got = list(tf.data.TFRecordDataset(path, compression_type=comp).as_numpy_iterator())
    assert got == _examples()
    raw = open(path, "rb").read()
    if comp == "GZIP":
        raw = gzip.decompress(raw)
    elif comp == "ZLIB":
        raw = zlib.decompress(raw)
    # the framing is deterministic: the uncompressed bytes equal TF's file
    assert raw == open(fixture("examples.tfrecord"), "rb").read()


def test_corrupt_and_truncated_records_raise(tmp_path):
    good = open(fixture("examples.tfrecord"), "rb").read()
    bad = bytearray(good)
    bad[20] ^= 0xFF  # inside the first record's data
    p = tmp_path / "bad.tfrecord"
    p.write_bytes(bytes(bad))
    with pytest.raises(DataLossError, match=f"corrupted record at 0 in file {p}"):
        list(tf.data.TFRecordDataset(str(p)))
    hdr = bytearray(good)
    hdr[3] ^= 0x01  # the length
    p.write_bytes(bytes(hdr))
    with pytest.raises(DataLossError, match="corrupted record at 0"):
        list(tf.data.TFRecordDataset(str(p)))
    p.write_bytes(good[:-3])
    it = iter(tf.data.TFRecordDataset(str(p)))
    for _ in range(6):
        next(it)
    with pytest.raises(DataLossError, match="truncated record at"):
        next(it)
    with pytest.raises(NotFoundError):
        list(tf.data.TFRecordDataset(str(tmp_path / "missing.tfrecord")))


def test_multiple_files_and_string_tensor_names(tmp_path):
    paths = []
    for i in range(2):
        p = str(tmp_path / f"f{i}.tfrecord")
        with tf.io.TFRecordWriter(p) as w:
            w.write(f"a{i}".encode())
            w.write(tf.constant(f"b{i}"))
        paths.append(p)
    ds = tf.data.TFRecordDataset(tf.constant(paths))
    assert list(ds.as_numpy_iterator()) == [b"a0", b"b0", b"a1", b"b1"]
    files = tf.data.Dataset.list_files(str(tmp_path / "*.tfrecord"), shuffle=False)
    assert list(tf.data.TFRecordDataset(files).as_numpy_iterator()) == [b"a0", b"b0", b"a1",
                                                                        b"b1"]  # fmt: skip


def test_example_protos():
    ex = tf.train.Example(features=tf.train.Features(feature={
        "x": tf.train.Feature(float_list=tf.train.FloatList(value=[1.0, 2.5])),
        "b": tf.train.Feature(bytes_list=tf.train.BytesList(value=[b"q"])),
    }))  # fmt: skip
    back = tf.train.Example.FromString(ex.SerializeToString())
    assert list(back.features.feature["x"].float_list.value) == [1.0, 2.5]
    assert back.features.feature["b"].WhichOneof("kind") == "bytes_list"
    assert tf.train.Int64List(value=[3]).value[0] == 3
    assert "Example" in dir(tf.train)


def test_read_write_file_and_gfile(tmp_path):
    p = str(tmp_path / "d" / "x.bin")
    tf.io.write_file(p, b"\x00abc")
    assert os.listdir(tmp_path / "d") == ["x.bin"]
    r = tf.io.read_file(p)
    assert r.dtype == tf.string and r.numpy() == b"\x00abc"
    with pytest.raises(NotFoundError, match="No such file or directory"):
        tf.io.read_file(str(tmp_path / "nope"))
    g = tf.io.gfile
    g.makedirs(str(tmp_path / "a" / "b"))
    assert g.exists(str(tmp_path / "a" / "b")) and g.isdir(str(tmp_path / "a"))
    with g.GFile(str(tmp_path / "a" / "t.txt"), "w") as fh:
        fh.write("hi")
    with g.GFile(str(tmp_path / "a" / "t.txt"), "rb") as fh:
        assert fh.read() == b"hi"
    assert g.listdir(str(tmp_path / "a")) == ["b", "t.txt"]
    assert g.glob(str(tmp_path / "a" / "*.txt")) == [str(tmp_path / "a" / "t.txt")]
    g.remove(str(tmp_path / "a" / "t.txt"))
    assert not g.exists(str(tmp_path / "a" / "t.txt"))

    @tf.function
    def roundtrip(path):
        tf.io.write_file(path, tf.constant(b"in graph"))
        return tf.io.read_file(path)

    assert roundtrip(tf.constant(str(tmp_path / "g.txt"))).numpy() == b"in graph"
    _ = np


def test_batching_sparse_features_like_tf():
    ds = (
        tf.data.TFRecordDataset(fixture("examples.tfrecord"))
        .map(lambda r: tf.io.parse_single_example(r, FEATURES))
        .batch(3)
    )
    assert ds.element_spec["tags"] == tf.SparseTensorSpec([None, None], tf.int64)
    first = next(iter(ds))
    tags = first["tags"]
    assert isinstance(tags, tf.SparseTensor)
    # rows 0, 1, 2 have tags [], [0], [0, 1] (TF gives the same for this batch)
    assert tags.indices.numpy().tolist() == [[1, 0], [2, 0], [2, 1]]
    assert tags.values.numpy().tolist() == [0, 0, 1]
    assert tags.dense_shape.numpy().tolist() == [3, 2]
    assert first["id"].numpy().tolist() == [0, 1, 2]
