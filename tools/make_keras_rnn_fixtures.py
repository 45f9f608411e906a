"""Writes recurrent-layer and progress-bar fixtures from real TensorFlow 2.21 (Keras 3).

Run from the repository root with TensorFlow's Python:

    /root/tfvenv/bin/python tools/make_keras_rnn_fixtures.py

Writes into tests/data/keras/:
  rnn_<name>.keras / rnn_<name>.npz   models with LSTM/GRU/SimpleRNN/Bidirectional/
                                      TimeDistributed/RNN(StackedRNNCells)/masking, their
                                      inputs, predictions, and gradients of a loss
  rnn_layers.npz                      single layers with given weights: outputs and states
  progbar_<case>.txt                  stdout of fit/evaluate/predict at verbose 1 and 2,
                                      captured with the redraw interval at 0 (every update
                                      printed) so that only the timings vary
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import sys

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import tensorflow as tf  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from tests.keras.progbar_cases import progbar_cases  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "data", "keras")
L = tf.keras.layers


def _rng(seed):
    return np.random.default_rng(seed)


def _set_weights(model, seed):
    """Deterministic small weights (so arroyo sees the same model without the file too)."""
    rng = _rng(seed)
    model.set_weights([rng.uniform(-0.5, 0.5, w.shape).astype(w.dtype) for w in
                       model.get_weights()])  # fmt: skip


def _grads(model, x, y):
    with tf.GradientTape() as tape:
        pred = model(x, training=False)
        if isinstance(pred, (list, tuple)):
            loss = tf.add_n([tf.reduce_sum(tf.square(p)) for p in pred])
        else:
            loss = tf.reduce_sum(tf.square(pred - y))
    return loss, tape.gradient(loss, model.trainable_weights)


def models():
    out = {}
    # LSTM -> GRU -> Dense
    inp = tf.keras.Input((6, 3))
    h = L.LSTM(5, return_sequences=True)(inp)
    h = L.GRU(4)(h)
    out["lstm_gru"] = (tf.keras.Model(inp, L.Dense(2)(h)), _rng(1).normal(size=(4, 6, 3)))
    # Embedding(mask_zero) -> Bidirectional(LSTM) -> GRU(reset_after=False, backwards)
    inp = tf.keras.Input((7,), dtype="int32")
    h = L.Embedding(10, 3, mask_zero=True)(inp)
    h = L.Bidirectional(L.LSTM(3, return_sequences=True))(h)
    h = L.GRU(4, reset_after=False, go_backwards=True)(h)
    ids = np.array([[1, 2, 3, 0, 0, 0, 0], [4, 5, 6, 7, 8, 9, 1], [2, 0, 0, 0, 0, 0, 0],
                    [3, 3, 3, 3, 0, 0, 0]], np.int32)  # fmt: skip
    out["masked_bidir"] = (tf.keras.Model(inp, L.Dense(1)(h)), ids)
    # SimpleRNN + TimeDistributed, and RNN(StackedRNNCells) after Masking
    inp = tf.keras.Input((5, 2))
    a = L.SimpleRNN(3, return_sequences=True)(inp)
    a = L.TimeDistributed(L.Dense(2))(a)
    b = L.Masking(0.0)(inp)
    b = L.RNN(L.StackedRNNCells([L.LSTMCell(3), L.GRUCell(2)]), return_sequences=True)(b)
    b = L.Bidirectional(L.GRU(2), merge_mode="sum")(b)
    x = _rng(3).normal(size=(3, 5, 2))
    x[1, 3:] = 0.0
    x[2, 4:] = 0.0
    out["simple_stacked"] = (tf.keras.Model(inp, [a, b]), x)
    return out


def write_models():
    for name, (model, x) in models().items():
        _set_weights(model, 7)
        x = x.astype(np.int32 if x.dtype.kind == "i" else np.float32)
        pred = model.predict(x, verbose=0)
        preds = pred if isinstance(pred, list) else [pred]
        y = np.zeros_like(preds[0])
        loss, grads = _grads(model, x, y)
        arrays = {"x": x, "loss": np.float32(loss)}
        for i, p in enumerate(preds):
            arrays[f"pred_{i}"] = p
        for i, (w, g) in enumerate(zip(model.trainable_weights, grads)):
            arrays[f"grad_{i}"] = tf.convert_to_tensor(g).numpy()
            arrays[f"weight_{i}"] = w.numpy()
        names = [w.path for w in model.trainable_weights]
        model.save(os.path.join(OUT, f"rnn_{name}.keras"))
        np.savez(os.path.join(OUT, f"rnn_{name}.npz"), names=np.array(names), **arrays)
        print("wrote", name, [p.shape for p in preds])


def layer_cases():
    """(name, layer factory, input) for single-layer goldens."""
    x = _rng(11).normal(size=(2, 4, 3)).astype(np.float32)
    cases = [
        ("simple_rnn", lambda: L.SimpleRNN(3, return_sequences=True, return_state=True)),
        ("simple_rnn_relu_nobias", lambda: L.SimpleRNN(2, activation="relu", use_bias=False)),
        ("lstm", lambda: L.LSTM(3, return_sequences=True, return_state=True)),
        ("lstm_backwards", lambda: L.LSTM(2, go_backwards=True, return_state=True)),
        ("lstm_hard_sigmoid", lambda: L.LSTM(2, recurrent_activation="hard_sigmoid",
                                             unit_forget_bias=False)),
        ("gru", lambda: L.GRU(3, return_sequences=True, return_state=True)),
        ("gru_v1", lambda: L.GRU(3, reset_after=False, return_sequences=True)),
        ("gru_nobias", lambda: L.GRU(2, use_bias=False)),
        ("bidir_concat", lambda: L.Bidirectional(L.LSTM(2, return_sequences=True))),
        ("bidir_ave_state", lambda: L.Bidirectional(L.GRU(2, return_state=True),
                                                    merge_mode="ave")),
        ("bidir_none", lambda: L.Bidirectional(L.SimpleRNN(2), merge_mode=None)),
        ("stacked_state", lambda: L.RNN([L.LSTMCell(2), L.SimpleRNNCell(3)], return_state=True)),
    ]  # fmt: skip
    return x, cases


def write_layers():
    x, cases = layer_cases()
    arrays = {"x": x}
    configs = {}
    for name, make in cases:
        layer = make()
        layer(x)  # build
        rng = _rng(sum(map(ord, name)))
        weights = [rng.uniform(-0.6, 0.6, w.shape).astype(np.float32) for w in
                   layer.get_weights()]  # fmt: skip
        layer.set_weights(weights)
        out = layer(x)
        outs = out if isinstance(out, (list, tuple)) else [out]
        flat = tf.nest.flatten(outs)
        for i, w in enumerate(weights):
            arrays[f"{name}/w{i}"] = w
        for i, o in enumerate(flat):
            arrays[f"{name}/out{i}"] = o.numpy()
        configs[name] = {
            "n_weights": len(weights),
            "n_out": len(flat),
            "weight_paths": [w.path for w in layer.weights],
            "structure": str(tf.nest.map_structure(lambda t: list(t.shape), outs)),
        }
        print("layer", name, configs[name]["structure"])
    np.savez(os.path.join(OUT, "rnn_layers.npz"), **arrays)
    with open(os.path.join(OUT, "rnn_layers.json"), "w") as f:
        json.dump(configs, f, indent=1, sort_keys=True)


# -- progress bars -----------------------------------------------------------------------------


@contextlib.contextmanager
def capture_stdout():
    buf = io.StringIO()
    saved = sys.stdout
    sys.stdout = buf
    try:
        yield buf
    finally:
        sys.stdout = saved


def write_progbars():
    from keras.src.utils import progbar as kp

    init = kp.Progbar.__init__

    def no_interval(self, *args, **kwargs):
        kwargs["interval"] = 0.0
        init(self, *args, **kwargs)

    kp.Progbar.__init__ = no_interval
    try:
        for name, run in progbar_cases(tf, np).items():
            tf.keras.backend.clear_session()
            with capture_stdout() as buf:
                run()
            with open(os.path.join(OUT, f"progbar_{name}.txt"), "w", encoding="utf-8") as f:
                f.write(buf.getvalue())
            print("progbar", name, len(buf.getvalue()))
    finally:
        kp.Progbar.__init__ = init


if __name__ == "__main__":
    tf.keras.utils.set_random_seed(0)
    write_models()
    write_layers()
    write_progbars()
