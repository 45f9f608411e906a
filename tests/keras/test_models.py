"""Keras models: functional/Sequential/subclassed structure, summary text (TF 2.21's), and
training (compile/fit/evaluate/predict, custom train_step)."""

import contextlib
import io
import json
import os

import numpy as np
import pytest

import arroyo as tf
from arroyo.keras import backend

DATA = os.path.join(os.path.dirname(__file__), "..", "data", "keras")
layers = tf.keras.layers


@pytest.fixture(autouse=True)
def _fresh_names():
    backend.clear_session()
    tf.keras.utils.set_random_seed(0)
    yield
    backend.clear_session()


def _facts():
    with open(os.path.join(DATA, "keras_facts.json"), encoding="utf-8") as f:
        return json.load(f)


def _summary(model):
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        model.summary()
    return buf.getvalue()


def test_sequential_and_functional_match_tf_names_and_summary():
    facts = _facts()
    assert layers.Dense(2, activation="relu").get_config() == facts["dense_config"]
    seq = tf.keras.Sequential([layers.Dense(4, input_shape=(3,)), layers.Dense(1)])
    assert [w.path for w in seq.weights] == facts["sequential_weight_paths"]
    assert _summary(seq) == facts["sequential_summary"]
    inp = tf.keras.Input(shape=(3,))
    f = tf.keras.Model(inp, layers.Dense(1)(layers.Dense(4)(inp)))
    assert f.name == facts["functional_name"]
    assert [x.name for x in f.layers] == facts["functional_layer_names"]
    assert _summary(f) == facts["functional_summary"]


def test_functional_multi_input_output_and_nesting():
    a = tf.keras.Input(shape=(3,), name="a")
    b = tf.keras.Input(shape=(2,), name="b")
    h = layers.Concatenate()([a, b])
    out1 = layers.Dense(1, name="o1")(h)
    out2 = layers.Dense(2, name="o2")(h)
    model = tf.keras.Model(inputs=[a, b], outputs=[out1, out2])
    xa, xb = np.ones((4, 3), np.float32), np.ones((4, 2), np.float32)
    y1, y2 = model([xa, xb])
    assert y1.shape == (4, 1) and y2.shape == (4, 2)
    y1d, _ = model({"a": xa, "b": xb})
    np.testing.assert_allclose(y1d.numpy(), y1.numpy())
    assert model.get_layer("o2") is model.layers[-1]
    with pytest.raises(ValueError, match="No such layer: zz"):
        model.get_layer("zz")
    # a model used as a layer
    inner_in = tf.keras.Input(shape=(2,))
    inner = tf.keras.Model(inner_in, layers.Dense(3)(inner_in), name="inner")
    outer_in = tf.keras.Input(shape=(2,))
    outer = tf.keras.Model(outer_in, layers.Dense(1)(inner(outer_in)))
    assert outer(np.ones((5, 2), np.float32)).shape == (5, 1)
    assert len(outer.weights) == 4
    assert (outer_in + 1).shape == (None, 2)


def test_sequential_deferred_build_and_add():
    model = tf.keras.Sequential()
    model.add(layers.Dense(3))
    model.add(layers.Dense(1))
    assert not model.built and model.weights == []
    model(np.ones((2, 5), np.float32))
    assert model.built and [tuple(w.shape) for w in model.weights] == [(5, 3), (3,), (3, 1),
                                                                       (1,)]  # fmt: skip
    assert len(model.layers) == 2
    model2 = tf.keras.Sequential([tf.keras.Input((4,)), layers.Dense(2)])
    assert model2.built and model2.output_shape == (None, 2)
    with pytest.raises(ValueError, match="Only instances of `keras.Layer`"):
        model2.add(3)


def test_subclassed_model_tracks_layers_and_is_module():
    class M(tf.keras.Model):
        def __init__(self):
            super().__init__()
            self.d1 = layers.Dense(4)
            self.d2 = layers.Dense(1)

        def call(self, x):
            return self.d2(self.d1(x))

    m = M()
    m(np.ones((2, 3), np.float32))
    assert m.name == "m" and [x.name for x in m.layers] == ["dense", "dense_1"]
    assert [w.path for w in m.weights] == ["m/dense/kernel", "m/dense/bias", "m/dense_1/kernel",
                                           "m/dense_1/bias"]  # fmt: skip
    assert len(m.submodules) == 2 and isinstance(m, tf.Module)


def _regression_data(n=256):
    rng = np.random.RandomState(0)
    x = rng.rand(n, 3).astype(np.float32)
    y = x @ np.array([[1.0], [-2.0], [0.5]], np.float32) + 0.3
    return x, y


def test_fit_reduces_loss_and_history_keys():
    x, y = _regression_data()
    model = tf.keras.Sequential([tf.keras.Input((3,)), layers.Dense(1)])
    model.compile(optimizer=tf.keras.optimizers.SGD(0.5), loss="mse")
    history = model.fit(x, y, epochs=20, batch_size=32, verbose=0, validation_split=0.25)
    assert list(history.history) == ["loss", "val_loss"]
    losses = history.history["loss"]
    assert len(losses) == 20 and losses[-1] < losses[0] * 0.1
    result = model.evaluate(x, y, verbose=0)
    assert isinstance(result, float) and result < losses[0]
    assert model.evaluate(x, y, verbose=0, return_dict=True).keys() == {"loss"}
    pred = model.predict(x, batch_size=50, verbose=0)
    assert isinstance(pred, np.ndarray) and pred.shape == (256, 1)
    np.testing.assert_allclose(pred, model(x).numpy(), rtol=1e-5, atol=1e-6)


def test_fit_with_dataset_tensors_and_sample_weight():
    x, y = _regression_data(64)
    model = tf.keras.Sequential([tf.keras.Input((3,)), layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    h = model.fit(tf.constant(x), tf.constant(y), epochs=2, verbose=0,
                  sample_weight=np.ones(64, np.float32))  # fmt: skip
    assert len(h.history["loss"]) == 2
    ds = tf.data.Dataset.from_tensor_slices((x, y)).batch(16)
    h = model.fit(ds, epochs=2, verbose=0)
    assert len(h.history["loss"]) == 2 and np.isfinite(h.history["loss"]).all()


def test_epoch_loss_is_the_sample_weighted_mean_of_batch_losses():
    x, y = _regression_data(10)
    model = tf.keras.Sequential([tf.keras.Input((3,)), layers.Dense(1, kernel_initializer="zeros")])
    model.compile(optimizer=tf.keras.optimizers.SGD(0.0), loss="mse")
    h = model.fit(x, y, batch_size=4, epochs=1, shuffle=False, verbose=0)
    assert h.history["loss"][0] == pytest.approx(float(np.mean(y**2)), rel=1e-5)


def test_on_batch_calls_and_custom_train_step():
    x, y = _regression_data(32)

    class Custom(tf.keras.Model):
        def __init__(self):
            super().__init__()
            self.d = layers.Dense(1)
            self.steps = tf.Variable(0, trainable=False)

        def call(self, x):
            return self.d(x)

        def train_step(self, data):
            x, y = data
            with tf.GradientTape() as tape:
                y_pred = self(x, training=True)
                loss = self.compiled_loss(y, y_pred, regularization_losses=self.losses)
            grads = tape.gradient(loss, self.trainable_variables)
            self.optimizer.apply_gradients(zip(grads, self.trainable_variables))
            self.steps.assign_add(1)
            return {"custom_loss": loss}

    m = Custom()
    m.compile(optimizer="sgd", loss="mse")
    h = m.fit(x, y, batch_size=8, epochs=2, verbose=0)
    assert list(h.history) == ["custom_loss"] and int(m.steps.numpy()) == 8
    loss = m.train_on_batch(x, y)
    assert isinstance(loss, float)
    assert isinstance(m.test_on_batch(x, y), float)
    assert m.predict_on_batch(x).shape == (32, 1)


def test_compile_metrics_names_and_accuracy():
    pytest.importorskip("arroyo.keras.metrics")  # the metrics leaf
    rng = np.random.RandomState(1)
    x = rng.rand(64, 4).astype(np.float32)
    y = (x.sum(1) > 2).astype(np.int32)
    model = tf.keras.Sequential([tf.keras.Input((4,)), layers.Dense(2)])
    model.compile(optimizer="adam",
                  loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])  # fmt: skip
    h = model.fit(x, y, epochs=2, verbose=0)
    assert list(h.history) == ["accuracy", "loss"] or list(h.history) == ["loss", "accuracy"]
    assert model.metrics_names == ["loss", "compile_metrics"]
    logs = model.evaluate(x, y, return_dict=True, verbose=0)
    assert 0.0 <= logs["accuracy"] <= 1.0


def test_fit_requires_compile():
    model = tf.keras.Sequential([tf.keras.Input((3,)), layers.Dense(1)])
    with pytest.raises(ValueError, match="compile"):
        model.fit(np.ones((2, 3)), np.ones((2, 1)), verbose=0)


def test_utils():
    np.testing.assert_array_equal(tf.keras.utils.to_categorical([0, 2], 3),
                                  [[1, 0, 0], [0, 0, 1]])  # fmt: skip
    tf.keras.utils.set_random_seed(3)
    a = np.random.rand()
    tf.keras.utils.set_random_seed(3)
    assert np.random.rand() == a
    assert tf.keras.backend.floatx() == "float32" and tf.keras.backend.epsilon() == 1e-7
    with pytest.raises(ValueError):
        tf.keras.backend.set_floatx("int8")


def test_on_batch_reports_the_batch_alone_and_dicts_are_sorted():
    # Keras 3 (TF 2.21): train_on_batch/test_on_batch reset the metrics first, and the
    # dict forms are sorted by name while lists keep [loss, metrics...].
    import numpy as np

    tf.keras.utils.set_random_seed(0)
    m = tf.keras.Sequential([tf.keras.Input((3,)), tf.keras.layers.Dense(2)])
    m.compile("sgd", tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True),
              metrics=["accuracy"])  # fmt: skip
    x, y = np.ones((4, 3), np.float32), np.zeros((4,), np.int64)
    logs = m.evaluate(x, y, return_dict=True, verbose=0)
    assert list(logs) == ["accuracy", "loss"]
    before = m.test_on_batch(x, y)
    first = m.train_on_batch(x, y)
    assert abs(first[0] - before[0]) < 1e-6  # the loss before this step's update
    before = m.test_on_batch(x, y)
    second = m.train_on_batch(x, y, return_dict=True)
    assert list(second) == ["accuracy", "loss"]
    # this batch alone (a running mean would still include `first`)
    assert abs(second["loss"] - before[0]) < 1e-6 and abs(second["loss"] - first[0]) > 1e-4
