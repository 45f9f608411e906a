"""tf.keras.callbacks with a tiny fake model exposing the attributes callbacks use."""

from __future__ import annotations

import io

import numpy as np
import pytest

import arroyo as tf

CB = tf.keras.callbacks


class FakeModel:
    def __init__(self):
        self.stop_training = False
        self.optimizer = tf.keras.optimizers.SGD(0.1)
        self.weights = [np.array([1.0])]
        self.saved = []

    def get_weights(self):
        return [w.copy() for w in self.weights]

    def set_weights(self, ws):
        self.weights = [w.copy() for w in ws]

    def save(self, path):
        self.saved.append(("model", path))

    def save_weights(self, path):
        self.saved.append(("weights", path))


def _fit(callbacks, losses, key="val_loss", model=None):
    model = model or FakeModel()
    cbs = CB.CallbackList(callbacks, add_history=True, model=model, epochs=len(losses),
                          verbose=0, steps=1)  # fmt: skip
    cbs.on_train_begin()
    for epoch, value in enumerate(losses):
        cbs.on_epoch_begin(epoch)
        cbs.on_train_batch_begin(0)
        cbs.on_train_batch_end(0, {"loss": value})
        model.weights = [np.array([float(epoch)])]
        logs = {"loss": value, key: value}
        cbs.on_epoch_end(epoch, logs)
        if model.stop_training:
            break
    cbs.on_train_end()
    return model, cbs._history


def test_history_records_epochs():
    _, h = _fit([], [3.0, 2.0, 1.0])
    assert h.history == {"loss": [3.0, 2.0, 1.0], "val_loss": [3.0, 2.0, 1.0]}
    assert h.epoch == [0, 1, 2]


def test_early_stopping_patience_and_restore():
    es = CB.EarlyStopping(patience=2, restore_best_weights=True)
    model, h = _fit([es], [1.0, 0.5, 0.6, 0.7, 0.8, 0.9])
    assert len(h.epoch) == 4 and es.stopped_epoch == 3
    assert model.weights[0][0] == 1.0  # weights of epoch 1, the best
    es = CB.EarlyStopping(monitor="val_accuracy", patience=0)
    assert es.mode == "max"
    _, h = _fit([es], [0.5, 0.4, 0.9], key="val_accuracy")
    assert len(h.epoch) == 2
    es = CB.EarlyStopping(patience=1, min_delta=0.2)
    _, h = _fit([es], [1.0, 0.9, 0.85, 0.5])
    assert len(h.epoch) == 2


def test_learning_rate_scheduler_and_reduce_on_plateau():
    model, _ = _fit([CB.LearningRateScheduler(lambda epoch, lr: lr * 0.5)], [1.0, 1.0, 1.0])
    assert abs(float(model.optimizer.learning_rate.numpy()) - 0.0125) < 1e-8
    model, _ = _fit([CB.LearningRateScheduler(lambda epoch: 0.01 * (epoch + 1))], [1.0, 1.0])
    assert abs(float(model.optimizer.learning_rate.numpy()) - 0.02) < 1e-8
    r = CB.ReduceLROnPlateau(factor=0.5, patience=1, min_lr=0.02)
    model, h = _fit([r], [1.0, 1.0, 1.0, 1.0, 1.0])
    assert abs(float(model.optimizer.learning_rate.numpy()) - 0.02) < 1e-7  # floored at min_lr
    with pytest.raises(ValueError, match="factor >= 1.0"):
        CB.ReduceLROnPlateau(factor=1.0)


def test_terminate_on_nan_and_lambda():
    seen = []
    lam = CB.LambdaCallback(on_epoch_end=lambda epoch, logs: seen.append(epoch))
    model, h = _fit([CB.TerminateOnNaN(), lam], [1.0, float("nan"), 1.0])
    assert model.stop_training and seen == [0, 1]


def test_csv_logger(tmp_path):
    path = tmp_path / "log.csv"
    _fit([CB.CSVLogger(str(path))], [1.0, 0.5])
    assert path.read_text().splitlines() == ["epoch,loss,val_loss", "0,1.0,1.0", "1,0.5,0.5"]
    _fit([CB.CSVLogger(str(path), append=True)], [0.25])
    assert path.read_text().splitlines()[-1] == "0,0.25,0.25"
    assert path.read_text().count("epoch,") == 1


def test_model_checkpoint():
    model, _ = _fit([CB.ModelCheckpoint("m-{epoch:02d}.keras")], [1.0, 2.0])
    assert model.saved == [("model", "m-01.keras"), ("model", "m-02.keras")]
    mc = CB.ModelCheckpoint("w.weights.h5", save_best_only=True, save_weights_only=True)
    model, _ = _fit([mc], [1.0, 2.0, 0.5])
    assert model.saved == [("weights", "w.weights.h5")] * 2 and mc.best == 0.5


def test_progbar_verbose2_line():
    p = CB.ProgbarLogger()
    p._stream = io.StringIO()
    p.set_params({"verbose": 2, "epochs": 2, "steps": 1})
    p.set_model(FakeModel())
    p.on_train_begin()
    p.on_epoch_begin(0)
    p.on_train_batch_end(0, {"loss": 0.5})
    p.on_epoch_end(0, {"loss": 0.5, "accuracy": 0.75})
    out = p._stream.getvalue().splitlines()
    assert out[0] == "Epoch 1/2"
    assert out[1].startswith("1/1 - ") and out[1].endswith("loss: 0.5000 - accuracy: 0.7500")
    assert "/step" in out[1]


def test_callback_list_dispatches_every_hook():
    calls = []

    class Rec(CB.Callback):
        def __getattribute__(self, name):
            if name.startswith("on_"):
                return lambda *a, **k: calls.append(name)
            return object.__getattribute__(self, name)

    cbs = CB.CallbackList([Rec()])
    for hook in ["on_train_begin", "on_test_batch_end", "on_predict_end", "on_epoch_end"]:
        getattr(cbs, hook)(0) if "batch" in hook or "epoch" in hook else getattr(cbs, hook)()
    assert calls == ["on_train_begin", "on_test_batch_end", "on_predict_end", "on_epoch_end"]
