"""tf.saved_model.save then tf.saved_model.load within arroyo."""

from __future__ import annotations

import os

import numpy as np
import pytest

pytest.importorskip("google.protobuf")

import arroyo as tf  # noqa: E402
from arroyo.framework.errors import InvalidArgumentError  # noqa: E402


class Dense(tf.Module):
    def __init__(self, n_in, n_out, seed, name=None):
        super().__init__(name=name)
        rng = np.random.default_rng(seed)
        self.w = tf.Variable(rng.normal(size=(n_in, n_out)).astype(np.float32), name="w")
        self.b = tf.Variable(np.zeros(n_out, np.float32), name="b")

    def __call__(self, x):
        return tf.nn.relu(tf.matmul(x, self.w) + self.b)


class MLP(tf.Module):
    def __init__(self):
        super().__init__()
        self.l1 = Dense(3, 4, 1)
        self.l2 = Dense(4, 2, 2)

    @tf.function(input_signature=[tf.TensorSpec([None, 3], tf.float32)])
    def __call__(self, x):
        return self.l2(self.l1(x))


X = np.arange(6, dtype=np.float32).reshape(2, 3) / 5.0


def _save_load(obj, path, signatures=None):
    tf.saved_model.save(obj, str(path), signatures=signatures)
    return tf.saved_model.load(str(path))


def test_files_written(tmp_path):
    tf.saved_model.save(MLP(), str(tmp_path / "m"))
    # as TF 2.21 writes them
    assert sorted(os.listdir(tmp_path / "m")) == [
        "assets",
        "fingerprint.pb",
        "saved_model.pb",
        "variables",
    ]
    assert sorted(os.listdir(tmp_path / "m" / "variables")) == [
        "variables.data-00000-of-00001",
        "variables.index",
    ]
    # Nothing else (no temporary directory) is left next to the model.
    assert os.listdir(tmp_path) == ["m"]


def test_variables_and_nested_modules(tmp_path):
    m = MLP()
    loaded = _save_load(m, tmp_path / "m")
    assert not isinstance(loaded, MLP)
    assert not isinstance(loaded, tf.Module)
    np.testing.assert_array_equal(loaded.l1.w.numpy(), m.l1.w.numpy())
    np.testing.assert_array_equal(loaded.l2.b.numpy(), m.l2.b.numpy())
    assert loaded.l1.w.name == "w:0" and loaded.l1.w.trainable
    assert loaded.l1.w.dtype == tf.float32 and loaded.l1.w.shape == (3, 4)
    np.testing.assert_allclose(loaded(tf.constant(X)).numpy(), m(tf.constant(X)).numpy(), rtol=1e-6)


def test_default_signature_from_input_signature(tmp_path):
    m = MLP()
    loaded = _save_load(m, tmp_path / "m")
    assert list(loaded.signatures) == ["serving_default"]
    sig = loaded.signatures["serving_default"]
    out = sig(x=tf.constant(X))
    assert list(out) == ["output_0"]
    np.testing.assert_allclose(out["output_0"].numpy(), m(tf.constant(X)).numpy(), rtol=1e-6)
    # One input: it may also be passed positionally.
    np.testing.assert_allclose(sig(tf.constant(X))["output_0"].numpy(), out["output_0"].numpy())


def test_variable_kinds(tmp_path):
    class M(tf.Module):
        def __init__(self):
            super().__init__()
            self.i = tf.Variable(7, dtype=tf.int64, name="count")
            self.f = tf.Variable([1.5, -2.0], dtype=tf.float64, trainable=False)
            self.s = tf.Variable(["a", "bc"], name="words")
            self.items = {"x": tf.Variable(1.0), "y": [tf.Variable(2.0), tf.Variable(3.0)]}

    m = M()
    m.i.assign(9)
    loaded = _save_load(m, tmp_path / "m")
    assert int(loaded.i.numpy()) == 9 and loaded.i.dtype == tf.int64
    assert loaded.f.numpy().tolist() == [1.5, -2.0] and not loaded.f.trainable
    assert loaded.s.numpy().tolist() == [b"a", b"bc"]
    assert float(loaded.items["x"].numpy()) == 1.0
    assert [float(v.numpy()) for v in loaded.items["y"]] == [2.0, 3.0]


class Multi(tf.Module):
    def __init__(self):
        super().__init__()
        self.scale = tf.Variable(2.0)

    @tf.function
    def f(self, x, power=1):
        return {"y": x**power * self.scale, "n": tf.size(x)}


def test_multiple_concrete_functions_and_python_args(tmp_path):
    m = Multi()
    m.f(tf.constant([1.0, 2.0]))
    m.f(tf.constant([[1.0], [2.0]]))
    m.f(tf.constant([1.0, 3.0]), power=2)
    loaded = _save_load(m, tmp_path / "m")
    r = loaded.f(tf.constant([3.0, 4.0]))
    assert sorted(r) == ["n", "y"]
    assert r["y"].numpy().tolist() == [6.0, 8.0] and int(r["n"]) == 2
    assert loaded.f(tf.constant([[5.0], [6.0]]))["y"].numpy().tolist() == [[10.0], [12.0]]
    assert loaded.f(tf.constant([1.0, 3.0]), power=2)["y"].numpy().tolist() == [2.0, 18.0]
    assert loaded.f(x=tf.constant([2.0, 3.0]), power=2)["y"].numpy().tolist() == [8.0, 18.0]
    # Python lists convert to the traced signature's dtype.
    assert loaded.f([1.0, 2.0])["y"].numpy().tolist() == [2.0, 4.0]
    assert len(loaded.f.concrete_functions) == 3


def test_untraced_signature_is_a_value_error(tmp_path):
    m = Multi()
    m.f(tf.constant([1.0, 2.0]))
    loaded = _save_load(m, tmp_path / "m")
    with pytest.raises(
        ValueError,
        match="Could not find matching concrete function to call loaded from the SavedModel",
    ):
        loaded.f(tf.constant([1.0, 2.0, 3.0]))
    with pytest.raises(ValueError, match="Could not find matching"):
        loaded.f(tf.constant([1.0, 2.0]), power=3)  # Python values must match too
    with pytest.raises(ValueError, match="Could not find matching"):
        loaded.f(tf.constant([1, 2]))  # dtype


def test_input_signature_mismatch_is_a_type_error(tmp_path):
    loaded = _save_load(MLP(), tmp_path / "m")
    with pytest.raises(
        TypeError, match="Binding inputs to tf.function failed due to `Can not cast"
    ):
        loaded(tf.ones([2, 4]))
    with pytest.raises(TypeError, match="unexpected keyword argument 'y'"):
        loaded(x=tf.ones([2, 3]), y=1)


def test_explicit_signatures_dict_outputs_and_positional_rules(tmp_path):
    class M(tf.Module):
        def __init__(self):
            super().__init__()
            self.v = tf.Variable([1.0, 2.0])

        @tf.function(
            input_signature=[
                tf.TensorSpec([2], tf.float32, name="a"),
                tf.TensorSpec([], tf.float32, name="b"),
            ]
        )
        def pair(self, a, b):
            return a * self.v + b, tf.reduce_sum(a)

        @tf.function(input_signature=[tf.TensorSpec([None], tf.float32)])
        def named(self, x):
            return {"doubled": x * 2.0, "sum": tf.reduce_sum(x)}

    m = M()
    cf = m.named.get_concrete_function()
    loaded = _save_load(m, tmp_path / "m", signatures={"pair": m.pair, "named": cf})
    assert sorted(loaded.signatures) == ["named", "pair"]
    out = loaded.signatures["pair"](b=tf.constant(1.0), a=tf.constant([3.0, 4.0]))
    assert sorted(out) == ["output_0", "output_1"]
    assert out["output_0"].numpy().tolist() == [4.0, 9.0] and float(out["output_1"]) == 7.0
    with pytest.raises(TypeError):  # several inputs: keyword arguments only (as TF)
        loaded.signatures["pair"](tf.constant([3.0, 4.0]), tf.constant(1.0))
    out = loaded.signatures["named"](x=tf.constant([1.0, 2.0, 3.0]))
    assert out["doubled"].numpy().tolist() == [2.0, 4.0, 6.0] and float(out["sum"]) == 6.0


def test_stateful_function_updates_loaded_variables(tmp_path):
    class Counter(tf.Module):
        def __init__(self):
            super().__init__()
            self.n = tf.Variable(0, dtype=tf.int64)

        @tf.function(input_signature=[tf.TensorSpec([], tf.int64)])
        def add(self, k):
            self.n.assign_add(k)
            self.n.assign(self.n * 2)
            return self.n.read_value()

    c = Counter()
    loaded = _save_load(c, tmp_path / "m")
    assert int(loaded.add(tf.constant(3, tf.int64))) == 6
    assert int(loaded.add(tf.constant(1, tf.int64))) == 14
    assert int(loaded.n.numpy()) == 14
    assert int(c.n.numpy()) == 0  # the original is untouched


def test_control_flow_round_trip(tmp_path):
    class CF(tf.Module):
        def __init__(self):
            super().__init__()
            self.k = tf.Variable(3.0)

        @tf.function(input_signature=[tf.TensorSpec([], tf.float32)])
        def branch(self, x):
            return tf.cond(x > 0, lambda: x * self.k, lambda: -x)

        @tf.function(input_signature=[tf.TensorSpec([], tf.int32)])
        def loop(self, n):
            return tf.while_loop(
                lambda i, a: i < n, lambda i, a: (i + 1, a + self.k), [0, 0.0], maximum_iterations=5
            )

        @tf.function(input_signature=[tf.TensorSpec([], tf.int32)])
        def choose(self, i):
            return tf.switch_case(i, [lambda: tf.constant(10.0), lambda: self.k * 2.0])

    loaded = _save_load(CF(), tmp_path / "m")
    assert float(loaded.branch(tf.constant(2.0))) == 6.0
    assert float(loaded.branch(tf.constant(-2.0))) == 2.0
    i, a = loaded.loop(tf.constant(3))
    assert int(i) == 3 and float(a) == 9.0
    i, a = loaded.loop(tf.constant(100))  # maximum_iterations
    assert int(i) == 5 and float(a) == 15.0
    assert float(loaded.choose(tf.constant(0))) == 10.0
    assert float(loaded.choose(tf.constant(1))) == 6.0


def test_gradients_through_loaded_function(tmp_path):
    loaded = _save_load(MLP(), tmp_path / "m")
    x = tf.constant(X)
    with tf.GradientTape() as tape:
        y = tf.reduce_sum(loaded(x))
    gw, gb = tape.gradient(y, [loaded.l2.w, loaded.l2.b])
    assert gw.shape == (4, 2) and gb.shape == (2,)
    # Same as differentiating the eager computation with the loaded variables.
    with tf.GradientTape() as tape:
        h = tf.nn.relu(tf.matmul(x, loaded.l1.w) + loaded.l1.b)
        y2 = tf.reduce_sum(tf.nn.relu(tf.matmul(h, loaded.l2.w) + loaded.l2.b))
    ew, eb = tape.gradient(y2, [loaded.l2.w, loaded.l2.b])
    np.testing.assert_allclose(gw.numpy(), ew.numpy(), rtol=1e-6)
    np.testing.assert_allclose(gb.numpy(), eb.numpy(), rtol=1e-6)


def test_loaded_function_inside_tf_function(tmp_path):
    loaded = _save_load(MLP(), tmp_path / "m")

    @tf.function
    def twice(x):
        return loaded(x) * 2.0

    np.testing.assert_allclose(
        twice(tf.constant(X)).numpy(), 2.0 * loaded(tf.constant(X)).numpy(), rtol=1e-6
    )


def test_resave_loaded_model(tmp_path):
    m = Multi()
    m.f(tf.constant([1.0, 2.0]))
    loaded = _save_load(MLP(), tmp_path / "a")
    again = _save_load(loaded, tmp_path / "b")
    np.testing.assert_allclose(
        again(tf.constant(X)).numpy(), loaded(tf.constant(X)).numpy(), rtol=1e-6
    )
    assert list(again.signatures) == ["serving_default"]
    np.testing.assert_allclose(
        again.signatures["serving_default"](x=tf.constant(X))["output_0"].numpy(),
        loaded(tf.constant(X)).numpy(),
        rtol=1e-6,
    )


def test_overwrite_existing_directory(tmp_path):
    path = tmp_path / "m"
    tf.saved_model.save(MLP(), str(path))
    m = Multi()
    m.f(tf.constant([1.0]))
    tf.saved_model.save(m, str(path))
    loaded = tf.saved_model.load(str(path))
    assert float(loaded.f(tf.constant([2.0]))["y"][0]) == 4.0
    assert not hasattr(loaded, "l1")


def test_failed_save_leaves_nothing(tmp_path, monkeypatch):
    from arroyo.train import tensor_bundle

    def boom(self):
        raise OSError("disk full")

    monkeypatch.setattr(tensor_bundle.BundleWriter, "write", boom)
    with pytest.raises(OSError, match="disk full"):
        tf.saved_model.save(MLP(), str(tmp_path / "m"))
    assert os.listdir(tmp_path) == []


def test_untracked_variable_is_an_error(tmp_path):
    outside = tf.Variable(1.0)

    class M(tf.Module):
        @tf.function(input_signature=[tf.TensorSpec([], tf.float32)])
        def f(self, x):
            return x + outside

    with pytest.raises(AssertionError, match="untracked"):
        tf.saved_model.save(M(), str(tmp_path / "m"))


def test_bad_signatures(tmp_path):
    class M(tf.Module):
        @tf.function
        def f(self, x):
            return x

        @tf.function(input_signature=[tf.TensorSpec([], tf.float32)])
        def g(self, x):
            return {"a": x, "b": None}

    m = M()
    with pytest.raises(
        ValueError, match="Only `tf.functions` with an input signature or concrete functions"
    ):
        tf.saved_model.save(m, str(tmp_path / "a"), signatures=m.f)
    with pytest.raises(ValueError, match="Got a non-Tensor value None for key 'b'"):
        tf.saved_model.save(m, str(tmp_path / "b"), signatures=m.g)


def test_missing_directory_is_an_os_error(tmp_path):
    with pytest.raises(
        OSError, match=r"SavedModel file does not exist at: .*\{saved_model.pbtxt\|saved_model.pb\}"
    ):
        tf.saved_model.load(str(tmp_path / "nothing"))


def _data_file(path):
    return os.path.join(path, "variables", "variables.data-00000-of-00001")


def test_bit_flipped_variables_are_data_loss(tmp_path):
    path = str(tmp_path / "m")
    tf.saved_model.save(MLP(), path)
    with open(_data_file(path), "r+b") as fh:
        fh.seek(5)
        b = fh.read(1)
        fh.seek(5)
        fh.write(bytes([b[0] ^ 0x40]))
    with pytest.raises(tf.errors.DataLossError):
        tf.saved_model.load(path)


def test_truncated_variables_are_data_loss(tmp_path):
    path = str(tmp_path / "m")
    tf.saved_model.save(MLP(), path)
    size = os.path.getsize(_data_file(path))
    with open(_data_file(path), "r+b") as fh:
        fh.truncate(size - 7)
    with pytest.raises(tf.errors.DataLossError):
        tf.saved_model.load(path)


def test_proto_layout(tmp_path):
    """The file follows TF's layout: tags, function names, object kinds, checkpoint keys."""
    from arroyo.proto import load
    from arroyo.train import checkpoint

    class M(tf.Module):
        def __init__(self):
            super().__init__()
            self.weight = tf.Variable(3)

        @tf.function
        def multiply(self, x):
            return x * self.weight

    m = M()
    m.multiply(tf.constant([1, 2, 3]))
    path = str(tmp_path / "m")
    tf.saved_model.save(m, path)
    sm = load("saved_model_pb2").SavedModel.FromString(
        open(os.path.join(path, "saved_model.pb"), "rb").read()
    )
    assert sm.saved_model_schema_version == 1
    mg = sm.meta_graphs[0]
    assert list(mg.meta_info_def.tags) == ["serve"] and mg.meta_info_def.stripped_default_attrs
    assert mg.meta_info_def.tensorflow_version == "2.21.0"
    og = mg.object_graph_def
    kinds = [n.WhichOneof("kind") for n in og.nodes]
    assert kinds == ["user_object", "variable", "function", "user_object", "bare_concrete_function"]
    assert [(c.local_name, c.node_id) for c in og.nodes[0].children] == [
        ("weight", 1),
        ("multiply", 2),
        ("signatures", 3),
    ]
    (name,) = og.nodes[2].function.concrete_functions
    assert name.startswith("__inference_multiply_")
    assert list(og.concrete_functions[name].bound_inputs) == [1]
    fdef = {f.signature.name: f for f in mg.graph_def.library.function}[name]
    assert [a.type for a in fdef.signature.input_arg] == [3, 20]  # DT_INT32, DT_RESOURCE
    assert {n.op for n in fdef.node_def} == {"ReadVariableOp", "Mul", "NoOp", "Identity"}
    mul = [n for n in fdef.node_def if n.op == "Mul"][0]
    assert mul.attr["T"].type == 3 and mul.input[0] == "x" and mul.input[1].endswith(":value:0")
    # TF1-style restore for TF's C++/v1 loaders: saver_def names a restore function call.
    assert mg.saver_def.filename_tensor_name == "saver_filename:0" and mg.saver_def.version == 2
    calls = {n.name: n for n in mg.graph_def.node}
    restore = calls[mg.saver_def.restore_op_name]
    assert list(restore.input) == ["saver_filename", "Variable"]
    rfdef = {f.signature.name: f for f in mg.graph_def.library.function}[
        restore.attr["f"].func.name
    ]
    assert {n.op for n in rfdef.node_def} >= {"RestoreV2", "AssignVariableOp"}
    reader = tf.train.load_checkpoint(os.path.join(path, "variables", "variables"))
    assert "weight/.ATTRIBUTES/VARIABLE_VALUE" in reader.get_variable_to_shape_map()
    assert checkpoint.OBJECT_GRAPH_KEY in reader.get_variable_to_shape_map()


def test_concrete_function_attribute_and_loaded_signature_inputs(tmp_path):
    class M(tf.Module):
        def __init__(self):
            super().__init__()
            self.v = tf.Variable(2.0)

        @tf.function
        def f(self, x):
            return x * self.v

    m = M()
    m.cf = m.f.get_concrete_function(tf.TensorSpec([2], tf.float32))
    loaded = _save_load(m, tmp_path / "m")
    assert loaded.cf(tf.constant([1.0, 2.0])).numpy().tolist() == [2.0, 4.0]
    assert loaded.cf.structured_input_signature[0][0].shape == (2,)
    with pytest.raises(InvalidArgumentError):
        loaded.cf(tf.constant([1.0, 2.0, 3.0]))


def test_pbtxt_is_read(tmp_path):
    from google.protobuf import text_format

    from arroyo.proto import load

    path = str(tmp_path / "m")
    tf.saved_model.save(MLP(), path)
    pb = os.path.join(path, "saved_model.pb")
    sm = load("saved_model_pb2").SavedModel.FromString(open(pb, "rb").read())
    with open(os.path.join(path, "saved_model.pbtxt"), "w") as fh:
        fh.write(text_format.MessageToString(sm))
    os.remove(pb)
    assert tf.saved_model.load(path)(tf.constant(X)).shape == (2, 2)


def test_signature_call_errors(tmp_path):
    sig = _save_load(MLP(), tmp_path / "m").signatures["serving_default"]
    with pytest.raises(
        TypeError,
        match="Binding inputs to tf.function failed due to `missing a required argument: 'x'`",
    ):
        sig()
    with pytest.raises(TypeError, match="unexpected keyword argument 'y'"):
        sig(y=tf.constant(X))
    with pytest.raises(TypeError, match="too many positional arguments"):
        sig(tf.constant(X), tf.constant(X))
    with pytest.raises(
        InvalidArgumentError,
        match=r"as input #0\(zero-based\) was expected to be a float tensor but is a double tensor",
    ):
        sig(x=tf.constant(X, tf.float64))
    with pytest.raises(InvalidArgumentError):
        sig(x=tf.ones([2, 5]))
    out = sig(x=[[1.0, 2.0, 3.0]])  # Python values convert to the input's dtype
    assert out["output_0"].shape == (1, 2)
