"""The runnable examples run end to end (few steps) and write their outputs."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_basics_trains_and_writes_outputs(tmp_path):
    out = tmp_path / "out"
    proc = subprocess.run(
        [sys.executable, os.path.join(ROOT, "examples", "basics.py"), "--out", str(out),
         "--steps", "150"],
        capture_output=True, text=True, timeout=120, cwd=str(tmp_path),
        env=dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", "")),
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-4000:]
    assert "f'(1.0) = 4.0" in proc.stdout
    # TensorFlow 2.21 prints these same values for this script (same seeds, same random ops).
    assert "step    0: mean squared error 25.163" in proc.stdout
    assert "step  100: mean squared error 0.961" in proc.stdout

    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["steps"] == 150
    # From ~20 at the random start to about the noise level (~1) within 100 steps.
    assert metrics["final_loss"] < metrics["initial_loss"] / 5
    assert metrics["final_loss"] < 3 * metrics["noise_mse"]
    log = (out / "log.txt").read_text()
    assert "step    0: mean squared error" in log
    # The loss as TensorBoard scalars: one per step, the same values as the log.
    import glob

    import numpy as np

    import arroyo as tf

    (events,) = glob.glob(str(out / "logs" / "events.out.tfevents.*"))
    scalars = {e.step: np.frombuffer(v.tensor.tensor_content, np.float32)[0]
               for e in tf.compat.v1.train.summary_iterator(events) for v in e.summary.value
               if v.tag == "loss"}  # fmt: skip
    assert sorted(scalars) == list(range(150))
    assert f"{scalars[0]:0.3f}" == "25.163" and f"{scalars[100]:0.3f}" == "0.961"

    if importlib.util.find_spec("matplotlib") is not None:
        for name in ("loss.png", "fit.png"):
            assert (out / name).stat().st_size > 1000, name
    else:
        assert "skipping loss.png" in proc.stdout
