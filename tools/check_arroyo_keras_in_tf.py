"""Saves .keras files with arroyo, loads them in real TensorFlow 2.21, compares predictions.

    python tools/check_arroyo_keras_in_tf.py --tf-python /root/tfvenv/bin/python

Run with arroyo's Python: it writes the files and inputs to a temporary directory, then runs
the TF side in a subprocess (from /tmp) and prints one line per model.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile

import numpy as np

TF_SIDE = r"""
import json, sys
import numpy as np
import tensorflow as tf
d = sys.argv[1]
out = {}
for name in json.load(open(d + "/names.json")):
    m = tf.keras.models.load_model(f"{d}/{name}.keras", compile=False)
    data = np.load(f"{d}/{name}.npz")
    xs = [data[k] for k in sorted(data.files) if k.startswith("x")]
    y = m.predict(xs if len(xs) > 1 else xs[0], verbose=0)
    out[name] = {"max_abs_diff": float(np.abs(y - data["y"]).max()),
                 "class": type(m).__name__, "layers": [l.name for l in m.layers],
                 "n_weights": len(m.weights)}
print(json.dumps(out))
"""


def build_models(tf):
    rng = np.random.RandomState(0)
    models = {}
    tf.keras.backend.clear_session()
    mlp = tf.keras.Sequential(
        [
            tf.keras.layers.Dense(8, activation="relu", input_shape=(4,)),
            tf.keras.layers.Dense(3, activation="softmax"),
        ]
    )
    models["arroyo_sequential"] = (mlp, [rng.rand(5, 4).astype("float32")])
    a = tf.keras.Input(shape=(3,), name="a")
    b = tf.keras.Input(shape=(2,), name="b")
    h = tf.keras.layers.Concatenate()([a, b])
    h = tf.keras.layers.Dense(6, activation="tanh")(h)
    h = tf.keras.layers.LayerNormalization()(h)
    func = tf.keras.Model([a, b], tf.keras.layers.Dense(1)(h))
    models["arroyo_functional"] = (
        func,
        [rng.rand(4, 3).astype("float32"), rng.rand(4, 2).astype("float32")],
    )
    cnn = tf.keras.Sequential(
        [
            tf.keras.Input(shape=(12, 12, 1)),
            tf.keras.layers.Conv2D(4, 3, activation="relu"),
            tf.keras.layers.BatchNormalization(),
            tf.keras.layers.MaxPooling2D(),
            tf.keras.layers.Conv2D(6, 3, padding="same"),
            tf.keras.layers.Flatten(),
            tf.keras.layers.Dropout(0.2),
            tf.keras.layers.Dense(5),
        ]
    )
    x = rng.rand(8, 12, 12, 1).astype("float32")
    cnn(x, training=True)  # moves the BatchNormalization statistics
    models["arroyo_cnn"] = (cnn, [x])
    return models


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--tf-python", default="/root/tfvenv/bin/python")
    args = p.parse_args()
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    import arroyo as tf

    d = tempfile.mkdtemp(prefix="arroyo_keras_")
    models = build_models(tf)
    for name, (model, xs) in models.items():
        y = model.predict(xs if len(xs) > 1 else xs[0], verbose=0)
        model.save(f"{d}/{name}.keras")
        np.savez(f"{d}/{name}.npz", y=y, **{f"x{i}": x for i, x in enumerate(xs)})
    with open(f"{d}/names.json", "w") as f:
        json.dump(list(models), f)
    script = os.path.join(d, "tf_side.py")
    with open(script, "w") as f:
        f.write(TF_SIDE)
    r = subprocess.run([args.tf_python, script, d], capture_output=True, text=True, cwd="/tmp")
    if r.returncode:
        print(r.stderr[-3000:])
        sys.exit(1)
    res = json.loads(r.stdout.strip().splitlines()[-1])
    ok = True
    for name, info in res.items():
        good = info["max_abs_diff"] < 1e-5
        ok &= good
        print(
            f"{'OK ' if good else 'BAD'} {name}: TF loaded {info['class']} with layers "
            f"{info['layers']}, {info['n_weights']} weights; max |TF - arroyo| = "
            f"{info['max_abs_diff']:.2e}"
        )
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
