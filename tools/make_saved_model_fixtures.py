"""Writes tests/data/saved_models/: SavedModels made by real TensorFlow, with TF's outputs.

Run with TensorFlow 2.21 (from the repository root):

    /root/tfvenv/bin/python tools/make_saved_model_fixtures.py

Each fixture is a directory holding a SavedModel and `expected.npz` with the inputs given to
its functions and TF's outputs (keys `<call>/in/<i>`, `<call>/out/<key>`), which
tests/saved_model/test_tf_fixtures.py replays through arroyo's loader.
"""

from __future__ import annotations

import os
import shutil
import sys

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "tests", "data", "saved_models")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def _flat_outputs(result):
    import tensorflow as tf

    if isinstance(result, dict):
        return {k: np.asarray(v) for k, v in result.items()}
    if isinstance(result, (list, tuple)):
        return {str(i): np.asarray(v) for i, v in enumerate(tf.nest.flatten(result))}
    return {"0": np.asarray(result)}


class Recorder:
    def __init__(self):
        self.arrays = {}

    def call(self, key, fn, *args, **kwargs):
        for i, a in enumerate(args):
            self.arrays[f"{key}/in/{i}"] = np.asarray(a)
        for k, a in kwargs.items():
            self.arrays[f"{key}/kw/{k}"] = np.asarray(a)
        out = fn(*args, **kwargs)
        for k, v in _flat_outputs(out).items():
            self.arrays[f"{key}/out/{k}"] = v
        return out


def _save(name, obj, calls, signatures=None):
    import tensorflow as tf

    path = os.path.join(OUT, name)
    if os.path.exists(path):
        shutil.rmtree(path)
    tf.saved_model.save(obj, path, signatures=signatures)
    # Outputs are recorded from the reloaded model (what a TF user gets back).
    loaded = tf.saved_model.load(path)
    rec = Recorder()
    calls(loaded, rec)
    np.savez(os.path.join(path, "expected.npz"), **rec.arrays)
    # fingerprint.pb holds a random UUID: drop it to keep the fixtures reproducible.
    fp = os.path.join(path, "fingerprint.pb")
    if os.path.exists(fp):
        os.remove(fp)
    print("wrote", os.path.relpath(path, ROOT))


def mlp():
    """Keras-free MLP: tf.Module layers, __call__ with an input_signature, serving_default."""
    import tensorflow as tf

    class Dense(tf.Module):
        def __init__(self, n_in, n_out, seed, name=None):
            super().__init__(name=name)
            rng = np.random.default_rng(seed)
            self.w = tf.Variable(rng.normal(size=(n_in, n_out)).astype(np.float32), name="w")
            self.b = tf.Variable(rng.normal(size=(n_out,)).astype(np.float32) * 0.1, name="b")

        def __call__(self, x):
            return tf.nn.relu(tf.matmul(x, self.w) + self.b)

    class MLP(tf.Module):
        def __init__(self):
            super().__init__()
            self.hidden = Dense(4, 8, seed=1)
            self.out = Dense(8, 3, seed=2)

        @tf.function(input_signature=[tf.TensorSpec([None, 4], tf.float32, name="features")])
        def __call__(self, x):
            return tf.nn.softmax(self.out(self.hidden(x)))

    m = MLP()
    x = np.random.default_rng(0).normal(size=(5, 4)).astype(np.float32)

    def calls(loaded, rec):
        rec.call("call", loaded, tf.constant(x))
        rec.call("serving_default", loaded.signatures["serving_default"], features=tf.constant(x))

    _save("mlp", m, calls, signatures=m.__call__)


def multiply():
    """The basics tutorial's module: a tf.function traced once, no signature."""
    import tensorflow as tf

    class MyModule(tf.Module):
        def __init__(self, value):
            self.weight = tf.Variable(value)

        @tf.function
        def multiply(self, x):
            return x * self.weight

    m = MyModule(3)
    m.multiply(tf.constant([1, 2, 3]))

    def calls(loaded, rec):
        rec.call("multiply", loaded.multiply, tf.constant([1, 2, 3]))

    _save("multiply", m, calls)


def features():
    """Several traced signatures, nested modules in a list, dict outputs, control flow,
    a Python default argument, a stateful counter and two named signatures."""
    import tensorflow as tf

    class Block(tf.Module):
        def __init__(self, k):
            super().__init__()
            self.scale = tf.Variable(float(k), name="scale")

        def __call__(self, x):
            return x * self.scale

    class Model(tf.Module):
        def __init__(self):
            super().__init__()
            self.blocks = [Block(2), Block(3)]
            self.counter = tf.Variable(0, dtype=tf.int64, name="counter")
            self.table = tf.Variable([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], name="table")

        @tf.function
        def apply(self, x, times=2):
            for _ in range(times):
                for b in self.blocks:
                    x = b(x)
            return {"y": x, "total": tf.reduce_sum(x), "mean": tf.reduce_mean(x, axis=-1)}

        @tf.function(input_signature=[tf.TensorSpec([], tf.float32)])
        def branch(self, x):
            if x > 0:
                y = tf.sqrt(x) + 1.0
            else:
                y = tf.square(x) - 1.0
            return y

        @tf.function(input_signature=[tf.TensorSpec([], tf.int32)])
        def loop(self, n):
            i = tf.constant(0)
            acc = tf.constant(0.0)
            while i < n:
                acc += tf.cast(i, tf.float32) * self.blocks[0].scale
                i += 1
            return acc

        @tf.function(input_signature=[])
        def bump(self):
            self.counter.assign_add(1)
            return self.counter.read_value()

        @tf.function(
            input_signature=[tf.TensorSpec([None], tf.int32), tf.TensorSpec([], tf.float32)]
        )
        def lookup(self, ids, bias):
            rows = tf.gather(self.table, ids)
            return tf.concat([rows, tf.fill([tf.shape(ids)[0], 1], bias)], axis=1), tf.shape(rows)

    m = Model()
    m.apply(tf.constant([1.0, 2.0]))
    m.apply(tf.constant([[1.0, 2.0], [3.0, 4.0]]), times=1)
    m.apply(tf.constant([1.0, -1.0]), 3)

    def calls(loaded, rec):
        rec.call("apply_vec", loaded.apply, tf.constant([0.5, 1.5]))
        rec.call("apply_mat_once", loaded.apply, tf.constant([[1.0, 0.0], [2.0, 5.0]]), times=1)
        rec.call("apply_three", loaded.apply, tf.constant([2.0, 4.0]), 3)
        rec.call("branch_pos", loaded.branch, tf.constant(4.0))
        rec.call("branch_neg", loaded.branch, tf.constant(-3.0))
        rec.call("loop", loaded.loop, tf.constant(5))
        rec.call("bump1", loaded.bump)
        rec.call("bump2", loaded.bump)
        rec.call("lookup", loaded.lookup, tf.constant([2, 0]), tf.constant(7.0))
        rec.call(
            "sig_lookup",
            loaded.signatures["lookup"],
            ids=tf.constant([1, 1, 2]),
            bias=tf.constant(-1.0),
        )
        rec.call("sig_branch", loaded.signatures["branch"], tf.constant(9.0))

    _save("features", m, calls, signatures={"lookup": m.lookup, "branch": m.branch})


def captures():
    """Captured eager tensors (saved as constants), a tf.function calling another one,
    TensorArrays in a loop, a stateful branch, and integer/bool outputs."""
    import tensorflow as tf

    offset = tf.constant([1.0, 2.0, 3.0])

    @tf.function
    def inner(x):
        return tf.nn.tanh(x) * 2.0

    class Model(tf.Module):
        def __init__(self):
            super().__init__()
            self.v = tf.Variable([0.5, -1.0, 2.0], name="v")
            self.hits = tf.Variable(0, name="hits")

        @tf.function(input_signature=[tf.TensorSpec([3], tf.float32)])
        def call(self, x):
            return inner(x * self.v) + offset

        @tf.function(input_signature=[tf.TensorSpec([None], tf.float32)])
        def cumulative(self, x):
            n = tf.shape(x)[0]
            ta = tf.TensorArray(tf.float32, size=n)
            acc = tf.constant(0.0)
            for i in tf.range(n):
                acc += x[i]
                ta = ta.write(i, acc)
            return ta.stack()

        @tf.function(input_signature=[tf.TensorSpec([], tf.float32)])
        def count_positive(self, x):
            if x > 0:
                self.hits.assign_add(1)
            return self.hits.read_value(), x > 0

        @tf.function(input_signature=[tf.TensorSpec([None, 3], tf.float32)])
        def stats(self, x):
            return {
                "argmax": tf.argmax(x, axis=1),
                "any_neg": tf.reduce_any(x < 0),
                "norm": tf.norm(x - offset, axis=1),
                "mapped": tf.map_fn(lambda r: r * self.v, x),
            }

    m = Model()
    x = np.array([[0.1, -0.2, 0.3], [1.0, 2.0, -3.0]], np.float32)

    def calls(loaded, rec):
        rec.call("call", loaded.call, tf.constant([0.3, 0.6, -0.9]))
        rec.call("cumulative", loaded.cumulative, tf.constant([1.0, 2.0, 3.5, -1.0]))
        rec.call("count_pos", loaded.count_positive, tf.constant(2.0))
        rec.call("count_neg", loaded.count_positive, tf.constant(-2.0))
        rec.call("stats", loaded.stats, tf.constant(x))

    _save("captures", m, calls)


def keras_export():
    """A small Keras 3 CNN exported with `model.export()` (the `serve` endpoint and signature)."""
    import keras
    import tensorflow as tf

    keras.utils.set_random_seed(5)
    inp = keras.Input((8, 8, 3))
    x = keras.layers.Conv2D(4, 3, activation="relu")(inp)
    x = keras.layers.BatchNormalization()(x)
    x = keras.layers.MaxPooling2D()(x)
    x = keras.layers.Flatten()(x)
    x = keras.layers.Dropout(0.2)(x)
    out = keras.layers.Dense(5, activation="softmax")(x)
    model = keras.Model(inp, out)
    path = os.path.join(OUT, "keras_export")
    if os.path.exists(path):
        shutil.rmtree(path)
    model.export(path, verbose=False)
    loaded = tf.saved_model.load(path)
    xs = np.random.default_rng(0).normal(size=(2, 8, 8, 3)).astype(np.float32)
    rec = Recorder()
    rec.call("serve", loaded.serve, tf.constant(xs))
    rec.call("serving_default", loaded.signatures["serving_default"], tf.constant(xs))
    np.savez(os.path.join(path, "expected.npz"), **rec.arrays)
    fp = os.path.join(path, "fingerprint.pb")
    if os.path.exists(fp):
        os.remove(fp)
    print("wrote", os.path.relpath(path, ROOT))


def fingerprint():
    """A TF-written fingerprint.pb (kept apart from the models, which drop theirs) and the
    values TF reads from it, for arroyo's reader."""
    import json
    import tempfile

    import tensorflow as tf

    class M(tf.Module):
        def __init__(self):
            self.v = tf.Variable(1.0)

        @tf.function(input_signature=[tf.TensorSpec([], tf.float32)])
        def f(self, x):
            return x * self.v

    tmp = tempfile.mkdtemp()
    tf.saved_model.save(M(), tmp)
    fp = tf.saved_model.experimental.read_fingerprint(tmp)
    dest = os.path.join(OUT, "fingerprint")
    os.makedirs(dest, exist_ok=True)
    shutil.copy(os.path.join(tmp, "fingerprint.pb"), os.path.join(dest, "fingerprint.pb"))
    fields = ("saved_model_checksum", "graph_def_program_hash", "signature_def_hash",
              "saved_object_graph_hash", "checkpoint_hash")  # fmt: skip
    expected = {k: int(getattr(fp, k)) for k in fields}
    expected["singleprint"] = fp.singleprint()
    expected["repr"] = repr(fp)
    expected["str"] = str(fp)
    with open(os.path.join(dest, "expected.json"), "w") as fh:
        json.dump(expected, fh, indent=1)
    shutil.rmtree(tmp)
    print("wrote", os.path.relpath(dest, ROOT))


def main(argv):
    os.makedirs(OUT, exist_ok=True)
    makers = {
        "mlp": mlp,
        "multiply": multiply,
        "features": features,
        "captures": captures,
        "keras_export": keras_export,
        "fingerprint": fingerprint,
    }
    for name in argv or list(makers):
        makers[name]()


if __name__ == "__main__":
    main(sys.argv[1:])
