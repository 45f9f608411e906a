"""Checkpoints: round trips, TF-made fixtures, TF-identical bytes, corruption, manager."""

import os
import shutil

import numpy as np
import pytest

import arroyo as tf
from tests.train.ckpt_models import SIZES, X, make_classes

Dense, SmallModule, MLP = make_classes(tf)
DATA = os.path.join(os.path.dirname(__file__), "..", "data", "checkpoints")


def test_restore_tf_written_module_checkpoint():
    small = SmallModule()
    small.scale.assign(0.0)
    status = tf.train.Checkpoint(model=small).restore(os.path.join(DATA, "tf_small", "ckpt"))
    status.assert_nontrivial_match()
    assert float(small.scale.numpy()) == 2.5
    assert small.words.numpy().tolist() == [b"hello", b"checkpoint"]
    assert small.flags.numpy().tolist() == [True, False, True]
    np.testing.assert_array_equal(small.table.numpy(), np.arange(6).reshape(2, 3))


def test_restore_tf_written_mlp_gives_tf_outputs():
    mlp = MLP(SIZES, seed=99)
    ckpt = tf.train.Checkpoint(model=mlp)
    path = tf.train.latest_checkpoint(os.path.join(DATA, "tf_mlp"))
    assert path.endswith("ckpt-1")
    ckpt.restore(path).assert_consumed()
    expected = np.load(os.path.join(DATA, "tf_mlp", "expected.npz"))["y"]
    np.testing.assert_allclose(mlp(tf.constant(X)).numpy(), expected, rtol=1e-6)
    assert int(ckpt.save_counter.numpy()) == 1


def test_written_files_are_byte_identical_to_tensorflows(tmp_path):
    mlp = MLP(SIZES)  # same seed and values as the TF fixture
    ckpt = tf.train.Checkpoint(model=mlp)
    path = ckpt.save(str(tmp_path / "ckpt"))
    for suffix in (".index", ".data-00000-of-00001"):
        with (
            open(path + suffix, "rb") as a,
            open(os.path.join(DATA, "tf_mlp", "ckpt-1" + suffix), "rb") as b,
        ):
            assert a.read() == b.read(), suffix


def test_list_variables_matches_tf_layout(tmp_path):
    Flex = _flexible_module()

    class Seq(tf.Module):
        def __init__(self, name=None):
            super().__init__(name=name)
            self.dense_1 = Flex(3)
            self.dense_2 = Flex(2)

        def __call__(self, x):
            return self.dense_2(self.dense_1(x))

    m = Seq(name="the_model")
    m(tf.constant([[2.0, 2.0, 2.0]]))
    written = tf.train.Checkpoint(model=m).write(str(tmp_path / "my_checkpoint"))
    assert written == str(tmp_path / "my_checkpoint")
    assert [(n, list(s)) for n, s in tf.train.list_variables(written)] == [
        ("_CHECKPOINTABLE_OBJECT_GRAPH", []),
        ("model/dense_1/b/.ATTRIBUTES/VARIABLE_VALUE", [3]),
        ("model/dense_1/w/.ATTRIBUTES/VARIABLE_VALUE", [3, 3]),
        ("model/dense_2/b/.ATTRIBUTES/VARIABLE_VALUE", [2]),
        ("model/dense_2/w/.ATTRIBUTES/VARIABLE_VALUE", [3, 2]),
    ]
    # deferred restoration: variables created after restore() get the values
    n = Seq()
    status = tf.train.Checkpoint(model=n).restore(written)
    out = n(tf.constant([[2.0, 2.0, 2.0]]))
    np.testing.assert_array_equal(out.numpy(), m(tf.constant([[2.0, 2.0, 2.0]])).numpy())
    np.testing.assert_array_equal(n.dense_1.w.numpy(), m.dense_1.w.numpy())
    status.assert_nontrivial_match()
    # As in TF: restore() creates save_counter, which a write()-made checkpoint lacks.
    with pytest.raises(AssertionError, match="save_counter"):
        status.assert_existing_objects_matched()
    reader = tf.train.load_checkpoint(written)
    assert reader.get_variable_to_shape_map()["model/dense_2/w/.ATTRIBUTES/VARIABLE_VALUE"] == [
        3,
        2,
    ]
    assert (
        reader.get_variable_to_dtype_map()["model/dense_2/w/.ATTRIBUTES/VARIABLE_VALUE"]
        == tf.float32
    )
    np.testing.assert_array_equal(
        tf.train.load_variable(written, "model/dense_1/b/.ATTRIBUTES/VARIABLE_VALUE"),
        m.dense_1.b.numpy(),
    )


def _flexible_module():
    class Flex(tf.Module):
        def __init__(self, out, name=None):
            super().__init__(name=name)
            self.is_built = False
            self.out = out

        def __call__(self, x):
            if not self.is_built:
                rng = np.random.default_rng(self.out)
                self.w = tf.Variable(
                    rng.normal(size=(x.shape[-1], self.out)).astype(np.float32), name="w"
                )
                self.b = tf.Variable(tf.zeros([self.out]), name="b")
                self.is_built = True
            return tf.nn.relu(tf.matmul(x, self.w) + self.b)

    return Flex


def test_save_restore_round_trip_with_nested_structures(tmp_path):
    class Holder(tf.Module):
        def __init__(self):
            super().__init__()
            self.items = {"a": tf.Variable([1.0, 2.0]), "b": [tf.Variable(3), (tf.Variable(True),)]}

    h = Holder()
    ckpt = tf.train.Checkpoint(h=h, extra=tf.Variable("s"))
    path = ckpt.save(str(tmp_path / "c"))
    assert path.endswith("c-1") and tf.train.latest_checkpoint(str(tmp_path)) == path
    h.items["a"].assign([0.0, 0.0])
    h.items["b"][0].assign(0)
    h.items["b"][1][0].assign(False)
    ckpt.extra.assign("t")
    ckpt.restore(path).assert_consumed()
    assert h.items["a"].numpy().tolist() == [1.0, 2.0]
    assert int(h.items["b"][0].numpy()) == 3 and bool(h.items["b"][1][0].numpy())
    assert ckpt.extra.numpy() == b"s"


def test_restore_reports_mismatched_shapes_and_unmatched_values(tmp_path):
    v = tf.Variable([1.0, 2.0])
    path = tf.train.Checkpoint(v=v, w=tf.Variable(1.0)).write(str(tmp_path / "c"))
    with pytest.raises(
        ValueError, match=r"incompatible tensor with shape \(2,\).*shape \(3,\).*v/.ATTRIBUTES"
    ):
        tf.train.Checkpoint(v=tf.Variable([0.0, 0.0, 0.0])).restore(path)
    status = tf.train.Checkpoint(v=tf.Variable([0.0, 0.0])).restore(path)
    with pytest.raises(AssertionError) as e:
        status.assert_consumed()
    assert "w/.ATTRIBUTES/VARIABLE_VALUE" in str(e.value) and str(e.value).count("\n") < 10
    status.expect_partial()


@pytest.mark.parametrize("which", ["index", "data"])
@pytest.mark.parametrize("damage", ["truncate", "flip"])
def test_corrupt_files_raise_data_loss(tmp_path, which, damage):
    path = tf.train.Checkpoint(v=tf.Variable(np.arange(100.0))).write(str(tmp_path / "c"))
    fname = path + (".index" if which == "index" else ".data-00000-of-00001")
    raw = bytearray(open(fname, "rb").read())
    if damage == "truncate":
        raw = raw[: len(raw) // 2]
    else:
        raw[len(raw) // 3] ^= 0x40
    open(fname, "wb").write(bytes(raw))
    with pytest.raises(tf.errors.DataLossError) as e:
        tf.train.Checkpoint(v=tf.Variable(np.zeros(100))).restore(path)
    assert os.path.basename(path) in str(e.value)


def test_no_half_checkpoint_after_a_crash(tmp_path, monkeypatch):
    ckpt = tf.train.Checkpoint(v=tf.Variable(1.0))
    first = ckpt.save(str(tmp_path / "c"))
    from arroyo.train import table

    def boom(items):
        raise OSError("disk full")

    monkeypatch.setattr(table, "build_table", boom)
    with pytest.raises(OSError):
        ckpt.save(str(tmp_path / "c"))
    assert tf.train.latest_checkpoint(str(tmp_path)) == first
    assert not any("tempstate" in f for f in os.listdir(tmp_path))
    assert not os.path.exists(str(tmp_path / "c-2.index"))


def test_checkpoint_manager(tmp_path):
    v = tf.Variable(0)
    ckpt = tf.train.Checkpoint(v=v)
    mgr = tf.train.CheckpointManager(ckpt, str(tmp_path), max_to_keep=2)
    assert mgr.latest_checkpoint is None
    paths = []
    for i in range(4):
        v.assign(i)
        paths.append(mgr.save())
    assert mgr.checkpoints == paths[2:]
    assert tf.train.latest_checkpoint(str(tmp_path)) == paths[-1]
    assert not os.path.exists(paths[0] + ".index")
    # a new manager picks the state up from the directory
    mgr2 = tf.train.CheckpointManager(ckpt, str(tmp_path), max_to_keep=2)
    assert mgr2.checkpoints == paths[2:]
    v.assign(-1)
    assert mgr2.restore_or_initialize() == paths[-1]
    assert int(v.numpy()) == 3
    assert mgr.save(checkpoint_number=100).endswith("ckpt-100")
    with pytest.raises(ValueError):
        tf.train.CheckpointManager(ckpt, str(tmp_path), max_to_keep=0)


def test_checkpoint_requires_trackables():
    with pytest.raises(ValueError, match="trackable"):
        tf.train.Checkpoint(x=3)


def test_crc32c_fallback_matches_extension():
    from arroyo.train import crc32c

    data = bytes(range(256)) * 17
    assert crc32c.py_extend(0, data) == crc32c.value(data)
    assert crc32c.unmask(crc32c.mask(12345)) == 12345
    shutil  # noqa: B018


def test_read_does_not_create_save_counter_but_restore_does(tmp_path):
    # TF 2.21: write() + read() is consumed; write() + restore() is not (restore creates
    # save_counter, which the file lacks); save() + read() leaves save_counter unresolved.
    v = tf.Variable(1.0)
    written = tf.train.Checkpoint(v=v).write(str(tmp_path / "w" / "ck"))
    tf.train.Checkpoint(v=tf.Variable(2.0)).read(written).assert_consumed()
    restored = tf.train.Checkpoint(v=tf.Variable(2.0))
    with pytest.raises(AssertionError, match="save_counter"):
        restored.restore(written).assert_consumed()
    saved = tf.train.Checkpoint(v=v).save(str(tmp_path / "s" / "ck"))
    c = tf.train.Checkpoint(v=tf.Variable(2.0))
    with pytest.raises(AssertionError, match="save_counter"):
        c.read(saved).assert_consumed()
    assert int(c.save_counter.numpy()) == 1  # restored when created
