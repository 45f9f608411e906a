"""Keras saving: TF 2.21's .keras files load in arroyo with the same predictions; arroyo's
round trips (.keras, .weights.h5, configs, custom objects, SavedModel export)."""

import contextlib
import io
import json
import os
import zipfile

import numpy as np
import pytest

import arroyo as tf
from arroyo.keras import backend

pytest.importorskip("h5py")

DATA = os.path.join(os.path.dirname(__file__), "..", "data", "keras")


@pytest.fixture(autouse=True)
def _fresh_names():
    backend.clear_session()
    yield
    backend.clear_session()


def _inputs(name):
    d = np.load(os.path.join(DATA, name + ".npz"))
    xs = [d[k] for k in sorted(d.files) if k.startswith("x")]
    return (xs if len(xs) > 1 else xs[0]), d["y"]


@pytest.mark.parametrize("name", ["sequential_mlp", "functional_two_inputs", "small_cnn"])
def test_tf_keras_files_load_with_identical_predictions(name):
    model = tf.keras.models.load_model(os.path.join(DATA, name + ".keras"), compile=False)
    x, y = _inputs(name)
    np.testing.assert_allclose(model.predict(x, verbose=0), y, rtol=1e-5, atol=1e-6)
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        model.summary()
    expected = open(os.path.join(DATA, name + ".summary.txt"), encoding="utf-8").read()
    # compile=False: no optimizer, so TF's "Optimizer params" line and its share of the total
    # are left out
    lines = [ln for ln in expected.splitlines() if not ln.startswith(" Optimizer params")]
    got = buf.getvalue().splitlines()
    assert [g for g in got if not g.startswith(" Total")] == [
        e for e in lines if not e.startswith(" Total")
    ]


def test_loaded_model_structure():
    model = tf.keras.models.load_model(os.path.join(DATA, "functional_two_inputs.keras"),
                                       compile=False)  # fmt: skip
    assert type(model).__name__ == "Functional"
    assert [layer.name for layer in model.layers] == [
        "a", "b", "concatenate", "dense", "layer_normalization", "dense_1"
    ]  # fmt: skip
    assert [t.shape for t in model.inputs] == [(None, 3), (None, 2)]
    cnn = tf.keras.models.load_model(os.path.join(DATA, "small_cnn.keras"), compile=False)
    bn = cnn.get_layer("batch_normalization")
    assert not np.allclose(bn.moving_mean.numpy(), 0)  # TF's trained statistics came back


def test_keras_zip_layout_matches_keras3(tmp_path):
    h5py = pytest.importorskip("h5py")
    model = tf.keras.Sequential([tf.keras.layers.Dense(4, input_shape=(3,)),
                                 tf.keras.layers.Dense(1)])  # fmt: skip
    path = str(tmp_path / "m.keras")
    model.save(path)
    with zipfile.ZipFile(path) as z:
        assert z.namelist() == ["metadata.json", "config.json", "model.weights.h5"]
        config = json.loads(z.read("config.json"))
        meta = json.loads(z.read("metadata.json"))
        weights = z.read("model.weights.h5")
    assert meta["keras_version"].startswith("3.")
    assert config["module"] == "keras" and config["class_name"] == "Sequential"
    assert config["build_config"] == {"input_shape": [None, 3]}
    layer_cfgs = config["config"]["layers"]
    assert [c["class_name"] for c in layer_cfgs] == ["InputLayer", "Dense", "Dense"]
    assert layer_cfgs[0]["config"]["batch_shape"] == [None, 3]
    with h5py.File(io.BytesIO(weights), "r") as f:
        assert f["layers/dense/vars"].attrs["name"] == "dense"
        assert f["layers/dense/vars/0"].shape == (3, 4)
        assert f["layers/dense_1/vars/1"].shape == (1,)
        assert f["vars"].attrs["name"] == "sequential"


def test_round_trip_functional_and_weights(tmp_path):
    inp = tf.keras.Input(shape=(5,))
    h = tf.keras.layers.Dense(4, activation="relu")(inp)
    h = tf.keras.layers.BatchNormalization()(h)
    out = tf.keras.layers.Dense(2)(h)
    model = tf.keras.Model(inp, out)
    x = np.random.RandomState(0).rand(3, 5).astype(np.float32)
    model(x, training=True)
    y = model.predict(x, verbose=0)
    model.save(str(tmp_path / "f.keras"))
    loaded = tf.keras.models.load_model(str(tmp_path / "f.keras"))
    np.testing.assert_allclose(loaded.predict(x, verbose=0), y, rtol=1e-6)
    for a, b in zip(model.get_weights(), loaded.get_weights()):
        np.testing.assert_array_equal(a, b)
    model.save_weights(str(tmp_path / "w.weights.h5"))
    clone = tf.keras.models.clone_model(model)
    assert not np.allclose(clone.predict(x, verbose=0), y)
    clone.load_weights(str(tmp_path / "w.weights.h5"))
    np.testing.assert_allclose(clone.predict(x, verbose=0), y, rtol=1e-6)


def test_save_weights_requires_extension_and_load_detects_corruption(tmp_path):
    model = tf.keras.Sequential([tf.keras.layers.Dense(1, input_shape=(2,))])
    with pytest.raises(ValueError, match="must end in `.weights.h5`"):
        model.save_weights(str(tmp_path / "w.bin"))
    path = tmp_path / "m.keras"
    model.save(str(path))
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(ValueError):
        tf.keras.models.load_model(str(path))
    with pytest.raises(ValueError, match="Invalid filepath extension"):
        model.save(str(tmp_path / "m.txt"))


def test_custom_objects_registration_and_custom_objects_argument(tmp_path):
    @tf.keras.utils.register_keras_serializable(package="test")
    class Scale(tf.keras.layers.Layer):
        def __init__(self, factor=2.0, **kwargs):
            super().__init__(**kwargs)
            self.factor = factor

        def build(self, input_shape):
            self.w = self.add_weight(shape=(input_shape[-1],), initializer="ones", name="w")

        def call(self, x):
            return x * self.w * self.factor

        def get_config(self):
            return {**super().get_config(), "factor": self.factor}

    assert tf.keras.utils.get_registered_name(Scale) == "test>Scale"
    model = tf.keras.Sequential([tf.keras.Input((3,)), Scale(3.0)])
    model.layers[0].w.assign([1.0, 2.0, 3.0])
    model.save(str(tmp_path / "s.keras"))
    loaded = tf.keras.models.load_model(str(tmp_path / "s.keras"))
    assert isinstance(loaded.layers[0], Scale) and loaded.layers[0].factor == 3.0
    np.testing.assert_allclose(loaded(np.ones((1, 3), np.float32)).numpy(), [[3.0, 6.0, 9.0]])

    class Unregistered(tf.keras.layers.Layer):
        def call(self, x):
            return x + 1

    m2 = tf.keras.Sequential([tf.keras.Input((2,)), Unregistered()])
    m2.save(str(tmp_path / "u.keras"))
    with pytest.raises(TypeError, match="Could not locate class 'Unregistered'"):
        tf.keras.models.load_model(str(tmp_path / "u.keras"))
    m3 = tf.keras.models.load_model(str(tmp_path / "u.keras"),
                                    custom_objects={"Unregistered": Unregistered})  # fmt: skip
    np.testing.assert_allclose(m3(np.zeros((1, 2), np.float32)).numpy(), [[1.0, 1.0]])


def test_sequential_get_config_from_config():
    model = tf.keras.Sequential([tf.keras.layers.Dense(3, input_shape=(2,), activation="tanh"),
                                 tf.keras.layers.Dropout(0.1), tf.keras.layers.Dense(1)])  # fmt: skip
    clone = tf.keras.Sequential.from_config(model.get_config())
    assert [type(x).__name__ for x in clone.layers] == ["Dense", "Dropout", "Dense"]
    assert clone.layers[0].activation is model.layers[0].activation
    assert clone.built and clone.input_shape == (None, 2)


def test_lambda_layer_needs_unsafe_mode(tmp_path):
    model = tf.keras.Sequential([tf.keras.Input((2,)), tf.keras.layers.Lambda(lambda t: t * 3)])
    model.save(str(tmp_path / "l.keras"))
    with pytest.raises(ValueError, match="safe_mode=False"):
        tf.keras.models.load_model(str(tmp_path / "l.keras"))
    loaded = tf.keras.models.load_model(str(tmp_path / "l.keras"), safe_mode=False)
    np.testing.assert_allclose(loaded(np.ones((1, 2), np.float32)).numpy(), [[3.0, 3.0]])


def test_export_and_saved_model_directory(tmp_path):
    class Sub(tf.keras.Model):
        def __init__(self):
            super().__init__()
            self.d = tf.keras.layers.Dense(2)

        def call(self, x):
            return self.d(x)

    model = Sub()
    x = np.ones((3, 4), np.float32)
    y = model(x).numpy()
    path = str(tmp_path / "exported")
    model.export(path, verbose=False)
    assert os.path.isfile(os.path.join(path, "saved_model.pb"))
    reloaded = tf.saved_model.load(path)
    np.testing.assert_allclose(reloaded.serve(x).numpy(), y, rtol=1e-6)
    # Keras 2: save() without an extension writes a SavedModel that load_model reads back
    model.save(str(tmp_path / "sm"))
    again = tf.keras.models.load_model(str(tmp_path / "sm"))
    np.testing.assert_allclose(again(x).numpy(), y, rtol=1e-6)
