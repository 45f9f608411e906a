"""fingerprint.pb: written with every SavedModel, read like TF's read_fingerprint."""

import json
import os
import shutil

import pytest

import arroyo as tf

pytest.importorskip("google.protobuf")
DATA = os.path.join(os.path.dirname(__file__), "..", "data", "saved_models", "fingerprint")


class M(tf.Module):
    def __init__(self, value=1.0):
        self.v = tf.Variable(value)

    @tf.function(input_signature=[tf.TensorSpec([], tf.float32)])
    def f(self, x):
        return x * self.v


def test_reads_a_tf_written_fingerprint(tmp_path):
    with open(os.path.join(DATA, "expected.json")) as fh:
        expected = json.load(fh)
    shutil.copy(os.path.join(DATA, "fingerprint.pb"), tmp_path / "fingerprint.pb")
    fp = tf.saved_model.experimental.read_fingerprint(str(tmp_path))
    for field in ("saved_model_checksum", "graph_def_program_hash", "signature_def_hash",
                  "saved_object_graph_hash", "checkpoint_hash"):  # fmt: skip
        assert getattr(fp, field) == expected[field]
    assert fp.singleprint() == expected["singleprint"]
    assert repr(fp) == expected["repr"] and str(fp) == expected["str"]
    assert fp.version.producer == 4


def test_saved_models_carry_a_stable_fingerprint(tmp_path):
    path = str(tmp_path / "m")
    tf.saved_model.save(M(), path)
    first = tf.saved_model.experimental.read_fingerprint(path)
    assert all(v > 0 for v in first._fields())
    tf.saved_model.save(M(), path)  # same model again (new function names inside)
    again = tf.saved_model.experimental.read_fingerprint(path)
    assert again.singleprint() == first.singleprint()
    tf.saved_model.save(M(2.0), path)  # other variable values: another checkpoint hash
    other = tf.saved_model.experimental.read_fingerprint(path)
    assert other.checkpoint_hash != first.checkpoint_hash
    assert other.graph_def_program_hash == first.graph_def_program_hash


def test_missing_or_corrupt_fingerprint(tmp_path):
    with pytest.raises(FileNotFoundError, match="Could not find fingerprint in directory"):
        tf.saved_model.experimental.read_fingerprint(str(tmp_path))
    (tmp_path / "fingerprint.pb").write_bytes(b"\xff\xff\xff")
    with pytest.raises(tf.errors.DataLossError, match="fingerprint"):
        tf.saved_model.experimental.read_fingerprint(str(tmp_path))
