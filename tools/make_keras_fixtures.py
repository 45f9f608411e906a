"""Writes Keras fixtures with real TensorFlow 2.21 (Keras 3) into tests/data/keras/.

    /root/tfvenv/bin/python tools/make_keras_fixtures.py

For each model: <name>.keras (saved by TF), <name>.npz (inputs `x*`, TF's predictions `y`),
and <name>.summary.txt (TF's `model.summary()` text); plus naming/config goldens in
keras_facts.json.
"""

import contextlib
import io
import json
import os
import sys

import numpy as np
import tensorflow as tf

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "data", "keras")


def summary_text(model):
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        model.summary()
    return buf.getvalue()


def save(name, model, inputs, compile_kwargs=None):
    if compile_kwargs:
        model.compile(**compile_kwargs)
    y = model.predict(inputs if len(inputs) > 1 else inputs[0], verbose=0)
    model.save(os.path.join(OUT, name + ".keras"))
    np.savez(os.path.join(OUT, name + ".npz"), y=y, **{f"x{i}": x for i, x in enumerate(inputs)})
    with open(os.path.join(OUT, name + ".summary.txt"), "w") as f:
        f.write(summary_text(model))


def main():
    os.makedirs(OUT, exist_ok=True)
    tf.keras.utils.set_random_seed(1234)
    rng = np.random.RandomState(0)

    tf.keras.backend.clear_session()
    mlp = tf.keras.Sequential(
        [
            tf.keras.Input(shape=(4,)),
            tf.keras.layers.Dense(8, activation="relu"),
            tf.keras.layers.Dense(3, activation="softmax"),
        ]
    )
    save(
        "sequential_mlp",
        mlp,
        [rng.rand(5, 4).astype("float32")],
        dict(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"]),
    )

    tf.keras.backend.clear_session()
    a = tf.keras.Input(shape=(3,), name="a")
    b = tf.keras.Input(shape=(2,), name="b")
    h = tf.keras.layers.Concatenate()([a, b])
    h = tf.keras.layers.Dense(6, activation="tanh")(h)
    h = tf.keras.layers.LayerNormalization()(h)
    out = tf.keras.layers.Dense(1)(h)
    func = tf.keras.Model([a, b], out)
    save(
        "functional_two_inputs",
        func,
        [rng.rand(4, 3).astype("float32"), rng.rand(4, 2).astype("float32")],
        dict(optimizer=tf.keras.optimizers.SGD(0.1), loss="mse"),
    )

    tf.keras.backend.clear_session()
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
    cnn.compile(
        optimizer="adam", loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    )
    xs = rng.rand(8, 12, 12, 1).astype("float32")
    cnn.fit(xs, rng.randint(0, 5, size=8), epochs=1, verbose=0)  # moving stats and Adam slots
    save("small_cnn", cnn, [xs])

    # facts: names, configs
    tf.keras.backend.clear_session()
    facts = {}
    d = tf.keras.layers.Dense(2, activation="relu")
    facts["dense_config"] = d.get_config()
    seq = tf.keras.Sequential(
        [tf.keras.layers.Dense(4, input_shape=(3,)), tf.keras.layers.Dense(1)]
    )
    facts["sequential_weight_paths"] = [w.path for w in seq.weights]
    facts["sequential_summary"] = summary_text(seq)
    inp = tf.keras.Input(shape=(3,))
    f = tf.keras.Model(inp, tf.keras.layers.Dense(1)(tf.keras.layers.Dense(4)(inp)))
    facts["functional_name"] = f.name
    facts["functional_layer_names"] = [layer.name for layer in f.layers]
    facts["functional_summary"] = summary_text(f)
    with open(os.path.join(OUT, "keras_facts.json"), "w") as fh:
        json.dump(facts, fh, indent=1, sort_keys=True)
    print("wrote fixtures to", os.path.abspath(OUT), file=sys.stderr)


if __name__ == "__main__":
    main()
