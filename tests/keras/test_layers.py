"""Keras layers: building, weights, names, values against NumPy, errors (TF 2.21's texts)."""

import numpy as np
import pytest

import arroyo as tf
from arroyo.keras import backend

layers = tf.keras.layers


@pytest.fixture(autouse=True)
def _fresh_names():
    backend.clear_session()
    yield
    backend.clear_session()


def test_dense_builds_on_first_call_and_matches_numpy():
    layer = layers.Dense(2, activation="relu")
    assert not layer.built and layer.weights == []
    x = np.array([[1.0, -2.0, 3.0]], np.float32)
    y = layer(x)
    assert layer.built
    k, b = layer.get_weights()
    assert k.shape == (3, 2) and b.shape == (2,)
    np.testing.assert_allclose(y.numpy(), np.maximum(x @ k + b, 0), rtol=1e-6)
    assert [v.name for v in layer.weights] == ["kernel", "bias"]
    assert [v.path for v in layer.weights] == ["dense/kernel", "dense/bias"]
    assert layer.count_params() == 8


def test_auto_names_are_unique_per_class():
    assert [layers.Dense(1).name for _ in range(3)] == ["dense", "dense_1", "dense_2"]
    assert layers.Conv2D(1, 1).name == "conv2d"
    assert layers.GlobalAveragePooling2D().name == "global_average_pooling2d"
    assert layers.BatchNormalization().name == "batch_normalization"
    backend.clear_session()
    assert layers.Dense(1).name == "dense"


def test_dense_rejects_changed_last_dim_with_tf_message():
    layer = layers.Dense(2)
    layer(tf.zeros([1, 3]))
    with pytest.raises(ValueError) as e:
        layer(tf.zeros([1, 4]))
    assert str(e.value) == (
        "Input 0 with name 'None' of layer 'dense' is incompatible with the layer: expected "
        "axis -1 of input shape to have value 3, but received input with shape (1, 4)"
    )


def test_invalid_name_and_kwargs():
    with pytest.raises(ValueError, match="cannot contain character `/`"):
        layers.Dense(1, name="a/b")
    with pytest.raises(ValueError, match="Unrecognized keyword arguments"):
        layers.Dense(1, foo=1)


def test_custom_layer_add_weight_and_raw_variables_are_tracked():
    class Mixed(layers.Layer):
        def build(self, input_shape):
            self.w = self.add_weight(shape=(input_shape[-1], 2), initializer="ones", name="w")
            self.raw = tf.Variable(3.0, name="raw")

        def call(self, x):
            return tf.matmul(x, self.w) * self.raw

    layer = Mixed()
    assert not layer.built and list(layer.variables) == []
    out = layer(tf.ones([1, 4]))
    np.testing.assert_allclose(out.numpy(), [[12.0, 12.0]])
    assert [v.name for v in layer.variables][0] == "w"
    assert len(layer.trainable_weights) == 2
    layer.trainable = False
    assert layer.trainable_weights == [] and len(layer.non_trainable_weights) == 2


def test_python_list_input_is_converted():
    class Double(layers.Layer):
        def call(self, x):
            return x * 2

    out = Double()([[1.0, 2.0]])
    assert out.dtype == tf.float32
    np.testing.assert_allclose(out.numpy(), [[2.0, 4.0]])


def test_float64_numpy_input_is_cast_to_layer_dtype():
    layer = layers.Dense(1)
    out = layer(np.ones((2, 3)))
    assert out.dtype == tf.float32


def test_sublayers_in_lists_and_dicts_are_tracked_in_order():
    class Block(layers.Layer):
        def __init__(self):
            super().__init__()
            self.stack = [layers.Dense(2), layers.Dense(3)]
            self.extra = {"head": layers.Dense(1)}

        def call(self, x):
            for layer in self.stack:
                x = layer(x)
            return self.extra["head"](x)

    block = Block()
    block(tf.ones([1, 4]))
    assert [x.name for x in block._flat_layers()] == ["dense", "dense_1", "dense_2"]
    assert len(block.weights) == 6
    assert block.weights[0].path == "block/dense/kernel"


def test_layer_is_a_module_and_checkpointable(tmp_path):
    layer = layers.Dense(2)
    layer(tf.ones([1, 3]))
    assert isinstance(layer, tf.Module)
    path = tf.train.Checkpoint(layer=layer).write(str(tmp_path / "ckpt"))
    keys = sorted(k for k, _ in tf.train.list_variables(path))
    assert "layer/_kernel/.ATTRIBUTES/VARIABLE_VALUE" in keys
    assert "layer/bias/.ATTRIBUTES/VARIABLE_VALUE" in keys
    k0 = layer.kernel.numpy().copy()
    layer.kernel.assign(np.zeros((3, 2), np.float32))
    tf.train.Checkpoint(layer=layer).read(path)
    np.testing.assert_array_equal(layer.kernel.numpy(), k0)


def test_set_weights_errors():
    layer = layers.Dense(2)
    layer(tf.ones([1, 3]))
    with pytest.raises(ValueError, match="expecting 2 weights"):
        layer.set_weights([np.zeros((3, 2))])
    with pytest.raises(ValueError, match="not compatible"):
        layer.set_weights([np.zeros((2, 2)), np.zeros(2)])


def test_count_params_unbuilt_raises():
    with pytest.raises(ValueError, match="isn't built"):
        layers.Dense(2).count_params()


def test_add_loss_and_regularizer_losses():
    class L(layers.Layer):
        def call(self, x):
            self.add_loss(tf.reduce_sum(x))
            return x

    layer = L()
    layer(tf.ones([2, 2]))
    assert len(layer.losses) == 1 and float(layer.losses[0]) == 4.0
    layer(tf.ones([1, 2]))
    assert len(layer.losses) == 1 and float(layer.losses[0]) == 2.0


def test_training_flag_propagates_to_dropout():
    class M(tf.keras.Model):
        def __init__(self):
            super().__init__()
            self.drop = layers.Dropout(0.5)

        def call(self, x):
            return self.drop(x)

    m = M()
    x = tf.ones([100, 10])
    np.testing.assert_array_equal(m(x).numpy(), x.numpy())
    y = m(x, training=True).numpy()
    assert set(np.unique(y)) <= {0.0, 2.0} and (y == 0).any()


def test_call_inside_tf_function_uses_autograph():
    class Branch(layers.Layer):
        def call(self, x):
            if tf.reduce_sum(x) > 0:
                return x * 2
            return x * -1

    layer = Branch()
    f = tf.function(lambda x: layer(x))
    np.testing.assert_allclose(f(tf.constant([1.0])).numpy(), [2.0])
    np.testing.assert_allclose(f(tf.constant([-1.0])).numpy(), [1.0])


def test_conv_pool_shapes_and_values():
    x = np.random.RandomState(0).rand(2, 6, 6, 3).astype(np.float32)
    conv = layers.Conv2D(4, 3, padding="same", activation="relu")
    y = conv(x)
    assert y.shape == (2, 6, 6, 4)
    k, b = conv.get_weights()
    ref = np.maximum(tf.nn.conv2d(x, k, 1, "SAME").numpy() + b, 0)
    np.testing.assert_allclose(y.numpy(), ref, rtol=1e-5)
    assert layers.MaxPooling2D()(x).shape == (2, 3, 3, 3)
    np.testing.assert_allclose(
        layers.GlobalAveragePooling2D()(x).numpy(), x.mean(axis=(1, 2)), rtol=1e-6
    )
    np.testing.assert_allclose(
        layers.GlobalMaxPooling2D()(x).numpy(), x.max(axis=(1, 2)), rtol=1e-6
    )
    assert layers.AveragePooling2D(2)(x).shape == (2, 3, 3, 3)
    assert layers.Conv1D(5, 2)(np.ones((1, 7, 3), np.float32)).shape == (1, 6, 5)
    assert layers.Conv2DTranspose(2, 3, strides=2)(x).shape == (2, 13, 13, 2)
    assert layers.Conv2DTranspose(2, 3, strides=2, padding="same")(x).shape == (2, 12, 12, 2)
    assert layers.DepthwiseConv2D(3)(x).shape == (2, 4, 4, 3)


def test_batch_normalization_training_and_inference():
    bn = layers.BatchNormalization(momentum=0.5)
    x = np.random.RandomState(1).randn(8, 3).astype(np.float32) * 3 + 1
    y = bn(x, training=True).numpy()
    ref = (x - x.mean(0)) / np.sqrt(x.var(0) + 1e-3)
    np.testing.assert_allclose(y, ref, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(bn.moving_mean.numpy(), 0.5 * x.mean(0), rtol=1e-5)
    np.testing.assert_allclose(bn.moving_variance.numpy(), 0.5 + 0.5 * x.var(0), rtol=1e-5)
    assert [w.name for w in bn.weights] == ["gamma", "beta", "moving_mean", "moving_variance"]
    assert len(bn.trainable_weights) == 2 and len(bn.non_trainable_weights) == 2
    y_inf = bn(x).numpy()
    ref_inf = (x - bn.moving_mean.numpy()) / np.sqrt(bn.moving_variance.numpy() + 1e-3)
    np.testing.assert_allclose(y_inf, ref_inf, rtol=1e-4, atol=1e-5)


def test_layer_normalization_matches_numpy():
    ln = layers.LayerNormalization()
    x = np.random.RandomState(2).randn(4, 5).astype(np.float32)
    ref = (x - x.mean(-1, keepdims=True)) / np.sqrt(x.var(-1, keepdims=True) + 1e-3)
    np.testing.assert_allclose(ln(x).numpy(), ref, rtol=1e-4, atol=1e-5)


def test_normalization_adapt():
    data = np.array([[0.0, 10.0], [2.0, 20.0], [4.0, 30.0]], np.float32)
    norm = layers.Normalization()
    norm.adapt(data)
    out = norm(data).numpy()
    np.testing.assert_allclose(out.mean(0), [0, 0], atol=1e-6)
    np.testing.assert_allclose(out.std(0), [1, 1], rtol=1e-5)


def test_small_layers():
    x = tf.constant([[-1.0, 2.0]])
    np.testing.assert_allclose(layers.ReLU()(x).numpy(), [[0, 2]])
    np.testing.assert_allclose(layers.LeakyReLU(0.1)(x).numpy(), [[-0.1, 2]], rtol=1e-6)
    np.testing.assert_allclose(layers.Softmax()(x).numpy(), tf.nn.softmax(x).numpy(), rtol=1e-6)
    np.testing.assert_allclose(layers.Activation("relu")(x).numpy(), [[0, 2]])
    assert layers.Flatten()(tf.ones([2, 3, 4])).shape == (2, 12)
    assert layers.Reshape((2, 3))(tf.ones([4, 6])).shape == (4, 2, 3)
    np.testing.assert_allclose(layers.Rescaling(1 / 255)(tf.constant([255.0])).numpy(), [1.0])
    emb = layers.Embedding(10, 3)
    out = emb(tf.constant([[1, 2]]))
    assert out.shape == (1, 2, 3)
    np.testing.assert_allclose(out.numpy()[0, 0], emb.embeddings.numpy()[1])
    a, b = tf.ones([2, 3]), tf.ones([2, 2])
    assert layers.Concatenate()([a, b]).shape == (2, 5)
    np.testing.assert_allclose(layers.Add()([a, a]).numpy(), 2 * np.ones((2, 3)))
    np.testing.assert_allclose(layers.Multiply()([a * 3, a * 2]).numpy(), 6 * np.ones((2, 3)))
    np.testing.assert_allclose(layers.Lambda(lambda t: t + 1)(a).numpy(), 2 * np.ones((2, 3)))


def test_get_config_from_config_round_trip():
    layer = layers.Dense(3, activation="relu", name="d")
    cfg = layer.get_config()
    assert cfg["units"] == 3 and cfg["activation"] == "relu" and cfg["name"] == "d"
    assert cfg["kernel_initializer"]["class_name"] == "GlorotUniform"
    assert cfg["dtype"]["class_name"] == "DTypePolicy"
    clone = layers.Dense.from_config(cfg)
    assert clone.units == 3 and clone.name == "d"
    conv = layers.Conv2D.from_config(layers.Conv2D(2, 3, strides=2).get_config())
    assert conv.kernel_size == (3, 3) and conv.strides == (2, 2)


def test_compute_output_shape():
    assert layers.Dense(4).compute_output_shape((None, 3)) == (None, 4)
    assert layers.Conv2D(2, 3).compute_output_shape((None, 8, 8, 1)) == (None, 6, 6, 2)


def test_keras_variable_repr():
    layer = layers.Dense(1, kernel_initializer="ones")
    layer(tf.ones([1, 1]))
    assert repr(layer.bias) == "<Variable path=dense/bias, shape=(1,), dtype=float32, value=[0.]>"
