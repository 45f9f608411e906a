"""Progress output of fit/evaluate/predict against what TF 2.21's Keras 3 printed for the
same fits (tests/data/keras/progbar_*.txt, tools/make_keras_rnn_fixtures.py). Only timing
numbers are normalized; the redraw interval is 0 in both, so every update is printed."""

from __future__ import annotations

import io
import os
import re
import sys

import numpy as np
import pytest

import arroyo as tf
from arroyo.keras.utils import progbar as pb
from tests.keras.progbar_cases import progbar_cases

DATA = os.path.join(os.path.dirname(__file__), "..", "data", "keras")
CASES = sorted(progbar_cases(tf, np))


def normalize(text):
    """Timings become T; backspace runs become <BS>; trailing padding goes."""
    text = re.sub(r"\x1b\[1m\d+(:\d\d){0,2}s\x1b\[0m", "\x1b[1mT\x1b[0m", text)
    text = re.sub(r"\d+(us|ms|s)/step", "T/step", text)
    text = re.sub(r" - \d+s - ", " - T - ", text)
    text = re.sub(r"\x08+", "<BS>", text)
    return re.sub(r" +(?=<BS>|\n|$)", "", text)


@pytest.fixture
def no_interval(monkeypatch):
    init = pb.Progbar.__init__

    def patched(self, *args, **kwargs):
        kwargs["interval"] = 0.0
        init(self, *args, **kwargs)

    monkeypatch.setattr(pb.Progbar, "__init__", patched)


@pytest.mark.parametrize("name", CASES)
def test_progress_output_matches_tf(name, no_interval, monkeypatch):
    with open(os.path.join(DATA, f"progbar_{name}.txt"), encoding="utf-8", newline="") as f:
        want = f.read()
    tf.keras.backend.clear_session()
    out = io.StringIO()  # not capsys: it reads "\r" back as "\n"
    monkeypatch.setattr(sys, "stdout", out)
    progbar_cases(tf, np)[name]()
    got = out.getvalue()
    assert "\r" in want or "\r" not in got
    assert normalize(got) == normalize(want)


def test_normalize_keeps_everything_but_timings():
    a = "\r\x1b[1m1/5\x1b[0m \x1b[1m2s\x1b[0m 510ms/step - loss: 0.1718\x08\x08\r"
    b = "\r\x1b[1m1/5\x1b[0m \x1b[1m0s\x1b[0m 7us/step - loss: 0.1718   \x08\r"
    assert normalize(a) == normalize(b)
    assert normalize(a) != normalize(a.replace("0.1718", "0.1719"))
    assert normalize("5/5 - 1s - 169ms/step - loss: 1\n") == "5/5 - T - T/step - loss: 1\n"


def _bar(verbose, target, updates, interval=0.0, **kw):
    out = io.StringIO()
    bar = pb.Progbar(target, verbose=verbose, interval=interval, **kw)
    bar._stream = out
    for args in updates:
        bar.update(*args)
    return out.getvalue()


def test_bar_characters_widths_and_colors():
    text = _bar(1, 7, [(3, [("loss", 0.5)], False), (7, [("loss", 0.25)], True)])
    first, second = text.split("\r")[1:]
    # 3/7 of 20 characters done: 8 green, 12 grey; ETA while running
    assert first.startswith("\x1b[1m3/7\x1b[0m \x1b[32m" + "━" * 8 + "\x1b[0m\x1b[37m" + "━" * 12)
    assert re.search(r"\x1b\[0m \x1b\[1m\d+s\x1b\[0m \d+(us|ms|s)/step - loss: 0.5000\x08+$",
                     first)  # fmt: skip
    # the final line: all green, empty grey part, elapsed time, newline
    assert second.startswith("\x1b[1m7/7\x1b[0m \x1b[32m" + "━" * 20 + "\x1b[0m\x1b[37m\x1b[0m")
    assert second.endswith("- loss: 0.2500\n")
    # backspaces cover exactly the previous visible width
    visible = re.sub(r"\x1b\[\d+m", "", first.rstrip("\x08"))
    assert first.count("\x08") == len(visible)


def test_small_values_and_averaging():
    line = _bar(2, 2, [(1, [("a", 1e-5), ("b", -0.5)]), (2, [("a", 1e-5), ("b", -0.5)])])
    # verbose=2 compares the signed value with 1e-3 (so negatives print in e-notation)
    assert line.endswith(" - a: 1.0000e-05 - b: -5.0000e-01\n")
    line = _bar(1, 2, [(2, [("b", -0.5)], True)])
    assert line.endswith(" - b: -0.5000\n")
    # stateless metrics are averaged over steps until the final update
    text = _bar(1, 4, [(1, [("m", 1.0)], False), (3, [("m", 4.0)], False)],
                stateless_metrics={"m"})  # fmt: skip
    assert text.split("\r")[-1].split(" - m: ")[1].startswith("3.0000")


def test_interval_throttles_redraws_and_unknown_target():
    text = _bar(1, 100, [(i, [], False) for i in range(1, 50)] + [(100, [], True)],
                interval=3600)  # fmt: skip
    assert text.count("\r") == 2  # the first update and the final one
    text = _bar(1, None, [(1, []), (12, [])])
    assert "      1/Unknown" in text and "     12/Unknown" in text
    assert _bar(2, None, [(5, [])]) == ""
    assert _bar(0, 3, [(3, [])]) == ""


def test_eta_format():
    assert pb._format_eta(59.9) == "59s"
    assert pb._format_eta(61) == "1:01"
    assert pb._format_eta(3725) == "1:02:05"
    assert pb._format_time(0, "step") == " 0s/step"
    assert pb._format_time(2.4, "step") == " 2s/step"
    assert pb._format_time(0.0123, "step") == " 12ms/step"
    assert pb._format_time(4.2e-5, "step") == " 42us/step"


def test_not_a_tty_without_posix_prints_new_lines(monkeypatch):
    # Keras redraws in place for a TTY, IPython, PyCharm or any POSIX system; elsewhere
    # (Windows with redirected output) every update starts a new line
    class NotTTY(io.StringIO):
        def isatty(self):
            return False

    monkeypatch.setattr(sys, "stdout", NotTTY())
    assert pb.dynamic_display() == ("posix" in sys.modules)
    monkeypatch.delitem(sys.modules, "posix", raising=False)
    monkeypatch.delenv("PYCHARM_HOSTED", raising=False)
    monkeypatch.delitem(sys.modules, "ipykernel", raising=False)
    assert not pb.dynamic_display()
    text = _bar(1, 2, [(1, [], False), (2, [], True)])
    assert text.startswith("\n\x1b[1m1/2") and "\x08" not in text and "\r" not in text

    class TTY(NotTTY):
        def isatty(self):
            return True

    monkeypatch.setattr(sys, "stdout", TTY())
    assert pb.dynamic_display()


def test_bar_falls_back_to_ascii_when_the_stream_cannot_encode():
    class Latin1(io.BytesIO):
        encoding = "latin-1"

        def write(self, s):
            return super().write(s.encode(self.encoding))

    out = Latin1()
    pb.print_msg("1/1 ━━ done", stream=out)
    assert out.getvalue() == b"1/1 == done\n"


def test_callbacks_see_sorted_python_floats():
    seen = []

    class Rec(tf.keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            seen.append(logs)

    x = np.ones((4, 2), np.float32)
    m = tf.keras.Sequential([tf.keras.Input((2,)), tf.keras.layers.Dense(1)])
    m.compile("sgd", "mse", metrics=["mae", "accuracy"])
    m.fit(x, x[:, :1], epochs=1, verbose=0, callbacks=[Rec()])
    assert list(seen[0]) == ["accuracy", "loss", "mae"]
    assert all(type(v) is float for v in seen[0].values())
