"""Recurrent layers against TF 2.21 fixtures (tools/make_keras_rnn_fixtures.py): .keras
files saved by TF load with the same predictions and gradients, single layers with given
weights give TF's outputs and states; finite differences; graph mode (unrolled and while
loop) agrees with eager; masking, dropout, stateful, configs and file round trips."""

from __future__ import annotations

import json
import os
import re
import zipfile

import numpy as np
import pytest

import arroyo as tf

L = tf.keras.layers
DATA = os.path.join(os.path.dirname(__file__), "..", "data", "keras")
MODELS = ["lstm_gru", "masked_bidir", "simple_stacked"]

pytest.importorskip("h5py")


def _npz(name):
    return np.load(os.path.join(DATA, name))


# -- TF's files ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", MODELS)
def test_tf_keras_file_loads_with_same_predictions(name):
    d = _npz(f"rnn_{name}.npz")
    model = tf.keras.models.load_model(os.path.join(DATA, f"rnn_{name}.keras"))
    pred = model.predict(d["x"], verbose=0)
    preds = pred if isinstance(pred, list) else [pred]
    assert len(preds) == len([k for k in d.files if k.startswith("pred_")])
    for i, p in enumerate(preds):
        np.testing.assert_allclose(p, d[f"pred_{i}"], rtol=1e-5, atol=1e-6)
    # and eagerly, through __call__
    out = model(tf.constant(d["x"]))
    outs = out if isinstance(out, list) else [out]
    np.testing.assert_allclose(outs[0].numpy(), d["pred_0"], rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", MODELS)
def test_tf_keras_file_gradients_match_tf(name):
    d = _npz(f"rnn_{name}.npz")
    model = tf.keras.models.load_model(os.path.join(DATA, f"rnn_{name}.keras"))
    x = tf.constant(d["x"])
    with tf.GradientTape() as tape:
        pred = model(x, training=False)
        if isinstance(pred, (list, tuple)):
            loss = tf.add_n([tf.reduce_sum(tf.square(p)) for p in pred])
        else:
            loss = tf.reduce_sum(tf.square(pred - np.zeros(pred.shape, np.float32)))
    weights = model.trainable_weights
    grads = tape.gradient(loss, weights)
    np.testing.assert_allclose(float(loss), float(d["loss"]), rtol=1e-5)
    n = len([k for k in d.files if k.startswith("grad_")])
    assert len(weights) == n
    # match variables by their (loaded) values: the model orders may differ
    for i in range(n):
        w_tf = d[f"weight_{i}"]
        j = [k for k, w in enumerate(weights) if w.shape == w_tf.shape
             and np.array_equal(w.numpy(), w_tf)]  # fmt: skip
        assert len(j) == 1, f"weight {i} of TF not found once"
        np.testing.assert_allclose(grads[j[0]].numpy(), d[f"grad_{i}"], rtol=2e-4, atol=1e-5)


def test_weights_file_layout_matches_tf():
    h5py = pytest.importorskip("h5py")
    import io

    src = os.path.join(DATA, "rnn_simple_stacked.keras")
    model = tf.keras.models.load_model(src)

    def names(blob):
        out = []
        with h5py.File(io.BytesIO(blob), "r") as f:
            f.visititems(lambda n, o: out.append((n, getattr(o, "shape", None))))
        return sorted(out)

    tf_names = names(zipfile.ZipFile(src).read("model.weights.h5"))
    path = os.path.join(os.environ.get("TMPDIR", "/tmp"), f"rnn_rt_{os.getpid()}.keras")
    model.save(path)
    try:
        ours = names(zipfile.ZipFile(path).read("model.weights.h5"))
        # Keras 3's walk: layers/<snake name>/cell/cells/lstm_cell/vars/0, ...
        want = [n for n in tf_names if "/vars/" in n[0]]
        assert [n for n in ours if "/vars/" in n[0]] == want
        assert ("layers/rnn/cell/cells/gru_cell/vars/2", (2, 6)) in want
        again = tf.keras.models.load_model(path)
        x = _npz("rnn_simple_stacked.npz")["x"]
        for a, b in zip(model.predict(x, verbose=0), again.predict(x, verbose=0)):
            np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    finally:
        os.unlink(path)


def test_configs_have_tf_keys():
    cfg = json.loads(zipfile.ZipFile(os.path.join(DATA, "rnn_lstm_gru.keras")).read("config.json"))
    tf_layers = {c["class_name"]: c["config"] for c in cfg["config"]["layers"]}
    ours = {"LSTM": L.LSTM(5, return_sequences=True), "GRU": L.GRU(4)}
    for cls, layer in ours.items():
        assert list(layer.get_config()) == list(tf_layers[cls]), cls
        assert layer.get_config()["recurrent_initializer"]["class_name"] == "Orthogonal"
    cfg = json.loads(
        zipfile.ZipFile(os.path.join(DATA, "rnn_simple_stacked.keras")).read("config.json")
    )
    by_name = {c["class_name"]: c["config"] for c in cfg["config"]["layers"]}
    assert list(L.SimpleRNN(3).get_config()) == list(by_name["SimpleRNN"])
    assert list(L.Bidirectional(L.GRU(2)).get_config()) == list(by_name["Bidirectional"])
    stacked = by_name["RNN"]["cell"]["config"]["cells"]
    assert list(L.LSTMCell(3).get_config()) == list(stacked[0]["config"])
    assert list(L.GRUCell(2).get_config()) == list(stacked[1]["config"])


def test_config_round_trip_rebuilds_equal_layers():
    layer = L.LSTM(3, go_backwards=True, unit_forget_bias=False, dropout=0.25, name="my_lstm")
    again = L.LSTM.from_config(layer.get_config())
    assert again.get_config() == layer.get_config()
    assert again.cell.name == "lstm_cell" and again.name == "my_lstm"
    bi = L.Bidirectional(L.GRU(2, return_sequences=True), merge_mode="mul")
    bi2 = tf.keras.layers.deserialize(tf.keras.layers.serialize(bi))
    assert bi2.merge_mode == "mul" and bi2.backward_layer.go_backwards
    assert bi2.forward_layer.name == bi.forward_layer.name


# -- single layers with given weights --------------------------------------------------------


def _layer_cases():
    return {
        "simple_rnn": lambda: L.SimpleRNN(3, return_sequences=True, return_state=True),
        "simple_rnn_relu_nobias": lambda: L.SimpleRNN(2, activation="relu", use_bias=False),
        "lstm": lambda: L.LSTM(3, return_sequences=True, return_state=True),
        "lstm_backwards": lambda: L.LSTM(2, go_backwards=True, return_state=True),
        "lstm_hard_sigmoid": lambda: L.LSTM(2, recurrent_activation="hard_sigmoid",
                                            unit_forget_bias=False),
        "gru": lambda: L.GRU(3, return_sequences=True, return_state=True),
        "gru_v1": lambda: L.GRU(3, reset_after=False, return_sequences=True),
        "gru_nobias": lambda: L.GRU(2, use_bias=False),
        "bidir_concat": lambda: L.Bidirectional(L.LSTM(2, return_sequences=True)),
        "bidir_ave_state": lambda: L.Bidirectional(L.GRU(2, return_state=True),
                                                   merge_mode="ave"),
        "bidir_none": lambda: L.Bidirectional(L.SimpleRNN(2), merge_mode=None),
        "stacked_state": lambda: L.RNN([L.LSTMCell(2), L.SimpleRNNCell(3)], return_state=True),
    }  # fmt: skip


def _flat(x):
    if isinstance(x, (list, tuple)):
        return [y for v in x for y in _flat(v)]
    return [x]


def _shapes(x):
    if isinstance(x, (list, tuple)):
        return [_shapes(v) for v in x]
    return list(x.shape)


@pytest.mark.parametrize("name", list(_layer_cases()))
@pytest.mark.parametrize("mode", ["eager", "function"])
def test_layer_outputs_match_tf(name, mode):
    d = _npz("rnn_layers.npz")
    meta = json.load(open(os.path.join(DATA, "rnn_layers.json")))[name]
    layer = _layer_cases()[name]()
    x = tf.constant(d["x"])
    layer(x)
    layer.set_weights([d[f"{name}/w{i}"] for i in range(meta["n_weights"])])

    # the same paths up to the auto-numbering of names
    def plain(path):
        return re.sub(r"_\d+(?=/|$)", "", path)

    assert [plain(v.path) for v in layer.weights] == [plain(p) for p in meta["weight_paths"]]
    out = tf.function(layer)(x) if mode == "function" else layer(x)
    got = out if isinstance(out, (list, tuple)) else [out]
    assert str(tuple(_shapes(got)) if len(got) > 1 else _shapes(got)).replace("(", "[").replace(
        ")", "]"
    ) == meta["structure"].replace("(", "[").replace(")", "]")
    flat = _flat(got)
    assert len(flat) == meta["n_out"]
    for i, o in enumerate(flat):
        np.testing.assert_allclose(o.numpy(), d[f"{name}/out{i}"], rtol=1e-5, atol=1e-6)


# -- gradients ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "make",
    [
        lambda: L.SimpleRNN(3, return_sequences=True, dtype="float64"),
        lambda: L.LSTM(3, return_sequences=True, dtype="float64"),
        lambda: L.GRU(3, dtype="float64"),
        lambda: L.GRU(2, reset_after=False, go_backwards=True, dtype="float64"),
        lambda: L.Bidirectional(L.LSTM(2, dtype="float64"), dtype="float64"),
    ],
    ids=["simple", "lstm", "gru", "gru_v1_back", "bidir"],
)
def test_gradients_by_finite_differences(make):
    rng = np.random.default_rng(0)
    x = tf.constant(rng.normal(size=(2, 4, 3)))
    layer = make()
    layer(x)
    layer.set_weights([rng.uniform(-0.7, 0.7, w.shape) for w in layer.get_weights()])
    weights = layer.trainable_weights

    def loss():
        return tf.reduce_sum(tf.sin(layer(x)))

    with tf.GradientTape() as tape:
        tape.watch(x)
        value = loss()
    grads = tape.gradient(value, weights + [x])
    eps = 1e-6
    for w, g in zip(weights, grads[:-1]):
        base = w.numpy().copy()
        num = np.zeros_like(base)
        for idx in np.ndindex(base.shape):
            for sign in (1, -1):
                b = base.copy()
                b[idx] += sign * eps
                w.assign(b)
                num[idx] += sign * float(loss()) / (2 * eps)
            w.assign(base)
        np.testing.assert_allclose(g.numpy(), num, rtol=1e-5, atol=1e-7)
    # input gradient too
    xv = x.numpy()
    num = np.zeros_like(xv)
    for idx in np.ndindex(xv.shape):
        for sign in (1, -1):
            b = xv.copy()
            b[idx] += sign * eps
            num[idx] += sign * float(tf.reduce_sum(tf.sin(layer(tf.constant(b))))) / (2 * eps)
    np.testing.assert_allclose(grads[-1].numpy(), num, rtol=1e-5, atol=1e-7)


# -- graph mode -----------------------------------------------------------------------------


@pytest.mark.parametrize("steps", [5, 100])
@pytest.mark.parametrize("cls", [L.SimpleRNN, L.LSTM, L.GRU])
def test_function_matches_eager_and_gradients(cls, steps):
    # 100 steps > MAX_TRACE_UNROLL: a while loop over TensorArrays inside the function
    rng = np.random.default_rng(1)
    x = tf.constant(rng.normal(size=(3, steps, 2)).astype(np.float32))
    layer = cls(4, return_sequences=True, return_state=True)
    layer(x)

    def run(x):
        with tf.GradientTape() as tape:
            out = layer(x)
            loss = tf.reduce_sum(out[0]) + tf.reduce_sum(out[-1] ** 2)
        return out, tape.gradient(loss, layer.trainable_weights)

    eager_out, eager_g = run(x)
    fn_out, fn_g = tf.function(run)(x)
    for a, b in zip(eager_out, fn_out):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-5, atol=1e-6)
    for a, b in zip(eager_g, fn_g):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-4, atol=1e-5)


def test_unknown_length_uses_while_loop():
    layer = L.LSTM(3, return_sequences=True)
    x = tf.constant(np.random.default_rng(2).normal(size=(2, 7, 4)).astype(np.float32))
    want = layer(x).numpy()
    fn = tf.function(layer, input_signature=[tf.TensorSpec([None, None, 4], tf.float32)])
    np.testing.assert_allclose(fn(x).numpy(), want, rtol=1e-5, atol=1e-6)
    got = fn(x[:, :3]).numpy()
    np.testing.assert_allclose(got, layer(x[:, :3]).numpy(), rtol=1e-5, atol=1e-6)


def test_unroll_needs_a_known_length():
    layer = L.SimpleRNN(2, unroll=True)
    fn = tf.function(layer, input_signature=[tf.TensorSpec([None, None, 4], tf.float32)])
    with pytest.raises(ValueError, match="Cannot unroll a RNN if the time dimension"):
        fn.get_concrete_function()


# -- masking --------------------------------------------------------------------------------


@pytest.mark.parametrize("cls", [L.SimpleRNN, L.LSTM, L.GRU])
def test_masked_steps_are_skipped(cls):
    tf.keras.utils.set_random_seed(11)  # fixed weights: the tolerances below hold for them
    ids = np.array([[3, 1, 4, 0, 0], [2, 7, 1, 8, 2]], np.int32)
    emb = L.Embedding(10, 3, mask_zero=True)
    rnn = cls(4, return_sequences=True)
    model = tf.keras.Sequential([tf.keras.Input((5,), dtype="int32"), emb, rnn])
    full = model.predict(ids, verbose=0)
    short = tf.keras.Sequential([tf.keras.Input((3,), dtype="int32"), emb, rnn])
    want = short.predict(ids[:1, :3], verbose=0)
    np.testing.assert_allclose(full[0, :3], want[0], rtol=1e-5, atol=1e-6)
    # masked steps repeat the last output (zero_output_for_mask=False)
    np.testing.assert_allclose(full[0, 3], full[0, 2])
    np.testing.assert_allclose(full[0, 4], full[0, 2])
    # the same with a Masking layer on float inputs, and in a tf.function
    x = np.random.default_rng(3).normal(size=(2, 5, 3)).astype(np.float32)
    x[0, 3:] = 0.0
    m = tf.keras.Sequential([tf.keras.Input((5, 3)), L.Masking(), cls(2)])
    got = m.predict(x, verbose=0)
    ref = tf.keras.Sequential([tf.keras.Input((3, 3)), m.layers[-1]]).predict(x[:1, :3],
                                                                              verbose=0)  # fmt: skip
    np.testing.assert_allclose(got[0], ref[0], rtol=1e-5, atol=1e-6)


def test_mask_argument_and_zero_output_for_mask():
    x = tf.constant(np.random.default_rng(4).normal(size=(1, 4, 2)).astype(np.float32))
    mask = tf.constant([[True, True, False, True]])
    layer = L.GRU(3, return_sequences=True, zero_output_for_mask=True)
    out = layer(x, mask=mask).numpy()
    assert np.all(out[0, 2] == 0)
    # the masked step leaves the state alone: step 3 continues from step 1's state
    layer2 = L.GRU(3, return_sequences=True)
    layer2(x)
    layer2.set_weights(layer.get_weights())
    skip = layer2(tf.gather(x, [0, 1, 3], axis=1)).numpy()
    np.testing.assert_allclose(out[0, 3], skip[0, 2], rtol=1e-5, atol=1e-6)
    # and in a while loop (unknown length)
    fn = tf.function(lambda x, m: layer(x, mask=m), input_signature=[
        tf.TensorSpec([None, None, 2]), tf.TensorSpec([None, None], tf.bool)])  # fmt: skip
    np.testing.assert_allclose(fn(x, mask).numpy(), out, rtol=1e-5, atol=1e-6)


def test_bidirectional_masked_matches_truncated():
    ids = np.array([[5, 6, 7, 0]], np.int32)
    emb = L.Embedding(10, 2, mask_zero=True)
    bi = L.Bidirectional(L.LSTM(2))
    full = tf.keras.Sequential([tf.keras.Input((4,), dtype="int32"), emb, bi])
    short = tf.keras.Sequential([tf.keras.Input((3,), dtype="int32"), emb, bi])
    np.testing.assert_allclose(full.predict(ids, verbose=0), short.predict(ids[:, :3],
                               verbose=0), rtol=1e-6)  # fmt: skip


# -- training-time behaviour ---------------------------------------------------------------


def test_dropout_only_in_training():
    x = tf.ones([4, 6, 5])
    layer = L.LSTM(3, dropout=0.5, recurrent_dropout=0.3, seed=1)
    a = layer(x).numpy()
    np.testing.assert_array_equal(a, layer(x, training=False).numpy())
    b = layer(x, training=True).numpy()
    assert not np.allclose(a, b) and np.all(np.isfinite(b))
    assert layer.cell.implementation == 1  # recurrent dropout: per-gate masks, as Keras
    g = L.GRU(3, dropout=0.5)
    assert not np.allclose(g(x, training=True).numpy(), g(x).numpy())
    # masks are per sequence, not cached across calls
    assert layer.cell.__dict__.get("_arroyo_dp_mask") is None


def test_stateful_carries_state_and_resets():
    x = tf.constant(np.random.default_rng(5).normal(size=(2, 3, 2)).astype(np.float32))
    layer = L.GRU(2, stateful=True)
    first = layer(x).numpy()
    second = layer(x).numpy()
    assert not np.allclose(first, second)
    assert len(layer.states) == 1 and layer.weights == layer.cell.weights
    layer.reset_states()
    np.testing.assert_allclose(layer(x).numpy(), first, rtol=1e-5, atol=1e-6)
    fresh = L.GRU(2)
    fresh(x)
    fresh.set_weights(layer.get_weights())
    both = fresh(tf.concat([x, x], axis=1)).numpy()
    layer.reset_states()
    layer(x)
    np.testing.assert_allclose(layer(x).numpy(), both, rtol=1e-5)


def test_initial_state_and_return_state():
    x = tf.ones([2, 3, 4])
    h0, c0 = tf.ones([2, 5]), tf.zeros([2, 5])
    out, h, c = L.LSTM(5, return_state=True)(x, initial_state=[h0, c0])
    np.testing.assert_array_equal(out.numpy(), h.numpy())
    layer = L.LSTM(5, return_state=True)
    a = layer(x)[0].numpy()
    b = layer(x, initial_state=[tf.zeros([2, 5]), tf.zeros([2, 5])])[0].numpy()
    np.testing.assert_allclose(a, b)
    assert not np.allclose(layer(x, initial_state=[h0, c0])[0].numpy(), a)


def test_lstm_unit_forget_bias_and_defaults():
    layer = L.LSTM(2)
    layer(tf.zeros([1, 2, 3]))
    np.testing.assert_array_equal(layer.cell.bias.numpy(), [0, 0, 1, 1, 0, 0, 0, 0])
    rk = layer.cell.recurrent_kernel.numpy()  # orthogonal: (2, 8) has orthonormal rows
    np.testing.assert_allclose(rk @ rk.T, np.eye(2), atol=1e-5)
    assert layer.units == 2 and layer.cell.activation is tf.keras.activations.tanh
    gru = L.GRU(2)
    gru(tf.zeros([1, 2, 3]))
    assert gru.cell.bias.shape == (2, 6) and gru.reset_after


def test_custom_cell_in_rnn_and_errors():
    class MinimalRNNCell(L.Layer):
        def __init__(self, units, **kwargs):
            super().__init__(**kwargs)
            self.units = units
            self.state_size = units

        def build(self, input_shape):
            self.kernel = self.add_weight(shape=(input_shape[-1], self.units),
                                          initializer="ones", name="kernel")  # fmt: skip
            self.recurrent_kernel = self.add_weight(shape=(self.units, self.units),
                                                    initializer="identity", name="rk")  # fmt: skip

        def call(self, inputs, states):
            prev = states[0]
            out = tf.matmul(inputs, self.kernel) + tf.matmul(prev, self.recurrent_kernel)
            return out, [out]

    x = tf.ones([1, 3, 2])
    layer = L.RNN(MinimalRNNCell(2), return_sequences=True)
    np.testing.assert_allclose(layer(x).numpy(), [[[2, 2], [4, 4], [6, 6]]])
    both = L.RNN([MinimalRNNCell(2), MinimalRNNCell(1)])
    np.testing.assert_allclose(both(x).numpy(), [[4 + 8 + 12]])
    with pytest.raises(ValueError, match="state_size"):
        L.RNN(L.Dense(2))
    with pytest.raises(ValueError, match="positive integer"):
        L.LSTM(0)
    with pytest.raises(ValueError, match="Invalid merge mode"):
        L.Bidirectional(L.LSTM(2), merge_mode="max")


def test_time_distributed():
    dense = L.Dense(2, kernel_initializer="ones")
    td = L.TimeDistributed(dense)
    x = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
    np.testing.assert_allclose(td(x).numpy(), x.sum(-1, keepdims=True).repeat(2, -1))
    assert dense.kernel.shape == (4, 2)
    fn = tf.function(td, input_signature=[tf.TensorSpec([None, None, 4])])
    np.testing.assert_allclose(fn(tf.constant(x)).numpy(), td(x).numpy())


def test_sequence_model_fits_and_summary(capsys):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 6, 3)).astype(np.float32)
    y = x.sum(axis=(1, 2))[:, None].astype(np.float32)
    model = tf.keras.Sequential([tf.keras.Input((6, 3)), L.LSTM(8), L.Dense(1)])
    model.compile(tf.keras.optimizers.Adam(0.02), "mse")
    hist = model.fit(x, y, batch_size=16, epochs=15, verbose=0)
    assert hist.history["loss"][-1] < 0.5 * hist.history["loss"][0]
    model.summary()
    text = capsys.readouterr().out
    row = re.search(r"│ (lstm(_\d+)? \(LSTM\)) +│ \(None, 8\) +│ +384 │", text)
    assert row and len(row.group(0)) == len(
        "│ lstm (LSTM)" + " " * 21 + "│ (None, 8)" + " " * 14 + "│" + " " * 11 + "384 │"
    )
