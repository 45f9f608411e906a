"""TensorFlow's basics guide, end to end, on arroyo.

    python examples/basics.py                 # 1000 training steps, results in out/
    python examples/basics.py --steps 200 --out /tmp/basics

Walks through https://www.tensorflow.org/guide/basics as far as arroyo reaches today:
tensors, Variables, automatic differentiation, then fits the guide's noisy quadratic
`y = x**2 + 2x - 5` with a 64-unit ReLU network trained by GradientTape and a
hand-written SGD update. Writes `log.txt`, `metrics.json`, the loss as TensorBoard
scalars in `logs/` (`tensorboard --logdir out/logs`) and (with matplotlib) `loss.png` and
`fit.png` into the output folder.

The code is plain TensorFlow 2: swap the import for `import tensorflow as tf` and it runs
the same, printing the same losses (the random numbers follow TF's seeds). The model uses
raw `tf.Variable`s rather than Keras layers, so it needs only the core of the API.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

import numpy as np

import arroyo as tf

SEED = 42


class Log:
    """Prints a line and keeps it for log.txt."""

    def __init__(self):
        self.lines: list[str] = []

    def __call__(self, *parts) -> None:
        line = " ".join(str(p) for p in parts)
        print(line, flush=True)
        self.lines.append(line)


# --------------------------------------------------------------------------- the guide
def tensors(log: Log) -> None:
    log("== Tensors")
    x = tf.constant([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    log(x)
    log(x.shape, x.dtype)
    log("x + x =", (x + x).numpy().tolist())
    log("5 * x =", (5 * x).numpy().tolist())
    log("x @ transpose(x) =", (x @ tf.transpose(x)).numpy().tolist())
    log("concat:", tf.concat([x, x, x], axis=0).shape)
    log("softmax:", tf.nn.softmax(x, axis=-1).numpy().round(6).tolist())
    log("reduce_sum:", tf.reduce_sum(x).numpy())
    if tf.config.list_physical_devices("GPU"):
        log("TensorFlow **IS** using the GPU")
    else:
        log("TensorFlow **IS NOT** using the GPU")


def variables(log: Log) -> None:
    log("== Variables")
    var = tf.Variable([0.0, 0.0, 0.0])
    var.assign([1, 2, 3])
    log("assign:", var.numpy().tolist())
    var.assign_add([1, 1, 1])
    log("assign_add:", var.numpy().tolist())


def f(x):
    """The guide's quadratic."""
    return x**2 + 2 * x - 5


def autodiff(log: Log) -> None:
    log("== Automatic differentiation")
    x = tf.Variable(1.0)
    log("f(1.0) =", f(x).numpy())
    with tf.GradientTape() as tape:
        y = f(x)
    g_x = tape.gradient(y, x)  # dy/dx = 2x + 2
    log("f'(1.0) =", g_x.numpy())
    assert float(g_x.numpy()) == 4.0


class MLP:
    """dense(64, relu) -> dense(1), written with plain Variables.

    Initialised like the guide's Keras model: the hidden kernel and bias from a standard
    normal, the output kernel Glorot-uniform and its bias zero.
    """

    def __init__(self, units: int = 64):
        limit = float(np.sqrt(6.0 / (units + 1)))
        self.w1 = tf.Variable(tf.random.normal([1, units]), name="dense1/kernel")
        self.b1 = tf.Variable(tf.random.normal([units]), name="dense1/bias")
        self.w2 = tf.Variable(tf.random.uniform([units, 1], -limit, limit), name="dense2/kernel")
        self.b2 = tf.Variable(tf.zeros([1]), name="dense2/bias")
        self.variables = [self.w1, self.b1, self.w2, self.b2]

    def __call__(self, x):
        h = tf.nn.relu(x[:, tf.newaxis] @ self.w1 + self.b1)
        return tf.squeeze(h @ self.w2 + self.b2, axis=1)


def train(log: Log, steps: int, learning_rate: float = 0.01, logdir=None):
    log("== Training loop")
    tf.random.set_seed(SEED)
    x = tf.linspace(-2, 2, 201)
    x = tf.cast(x, tf.float32)
    y = f(x) + tf.random.normal(shape=[201])
    model = MLP(64)
    untrained = model(x).numpy()

    losses = []
    writer = tf.summary.create_file_writer(logdir) if logdir else tf.summary.create_noop_writer()
    t0 = time.perf_counter()
    with writer.as_default():
        for step in range(steps):
            with tf.GradientTape() as tape:
                prediction = model(x)
                mean_error = tf.reduce_mean((y - prediction) ** 2)
            gradients = tape.gradient(mean_error, model.variables)
            for v, g in zip(model.variables, gradients):
                v.assign_sub(learning_rate * g)
            tf.summary.scalar("loss", mean_error, step=step)  # for TensorBoard
            losses.append(float(mean_error.numpy()))
            if step % 100 == 0:
                log(f"step {step:4d}: mean squared error {losses[-1]:0.3f}")
    seconds = time.perf_counter() - t0
    writer.close()
    if logdir:
        log(f"wrote TensorBoard scalars 'loss' ({steps} steps) to {logdir}")
    final = float(tf.reduce_mean((y - model(x)) ** 2).numpy())
    noise = float(tf.reduce_mean((y - f(x)) ** 2).numpy())
    log(
        f"after {steps} steps: mean squared error {final:0.3f} (noise floor {noise:0.3f}), "
        f"{seconds:.2f} s"
    )
    data = {
        "x": x.numpy(),
        "y": y.numpy(),
        "truth": f(x).numpy(),
        "untrained": untrained,
        "trained": model(x).numpy(),
    }
    metrics = {
        "steps": steps,
        "learning_rate": learning_rate,
        "initial_loss": losses[0] if losses else None,
        "final_loss": final,
        "noise_mse": noise,
        "train_seconds": seconds,
        "impl": tf.__name__,
        "impl_version": getattr(tf, "__version__", "?"),
    }
    return losses, data, metrics


def plot(out: str, losses, data, log: Log) -> None:
    try:
        import matplotlib

        matplotlib.use("Agg")  # files only, never a window
        from matplotlib import pyplot as plt
    except ImportError:
        log(
            "matplotlib is not installed: skipping loss.png and fit.png "
            "(pip install matplotlib, or pip install -e '.[all]')"
        )
        return
    fig, ax = plt.subplots(figsize=(9, 6))
    ax.plot(losses)
    ax.set_xlabel("Step")
    ax.set_ylabel("Loss [Mean Squared Error]")
    ax.set_yscale("log")
    ax.set_title("Training progress")
    fig.savefig(os.path.join(out, "loss.png"), dpi=80)
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(9, 6))
    ax.plot(data["x"], data["y"], ".", label="Data")
    ax.plot(data["x"], data["truth"], label="Ground truth")
    ax.plot(data["x"], data["untrained"], label="Untrained predictions")
    ax.plot(data["x"], data["trained"], label="Trained predictions")
    ax.set_title("Before and after training")
    ax.legend()
    fig.savefig(os.path.join(out, "fit.png"), dpi=80)
    plt.close(fig)
    log(f"wrote {os.path.join(out, 'loss.png')} and {os.path.join(out, 'fit.png')}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--out", default="out", help="output folder (default: out)")
    parser.add_argument("--steps", type=int, default=1000, help="training steps (default: 1000)")
    args = parser.parse_args(argv)
    os.makedirs(args.out, exist_ok=True)

    log = Log()
    log(
        f"{tf.__name__} {getattr(tf, '__version__', '?')}, NumPy {np.__version__}, "
        f"Python {sys.version.split()[0]}"
    )
    tensors(log)
    variables(log)
    autodiff(log)
    losses, data, metrics = train(log, args.steps, logdir=os.path.join(args.out, "logs"))
    plot(args.out, losses, data, log)

    with open(os.path.join(args.out, "metrics.json"), "w") as fh:
        json.dump(metrics, fh, indent=2)
    with open(os.path.join(args.out, "log.txt"), "w") as fh:
        fh.write("\n".join(log.lines) + "\n")
    print(f"wrote {os.path.join(args.out, 'log.txt')} and {os.path.join(args.out, 'metrics.json')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
