"""Golden values for arroyo's Keras leaves, recorded with real TensorFlow 2.21 (Keras 3).

Run from the repository root with TensorFlow's interpreter:

    /root/tfvenv/bin/python tools/make_keras_leaf_goldens.py [section ...]

Sections: activations initializers optimizers losses metrics. Each writes
tests/data/keras/<section>.npz (arrays) and, where useful, <section>.json (configs,
serialized forms, names).
"""

from __future__ import annotations

import json
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

K = tf.keras
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "data", "keras")

X8 = np.array([-3.0, -1.0, -0.5, 0.0, 0.5, 1.0, 2.0, 7.0], np.float32)
X23 = np.array([[-1.5, 0.25, 2.0], [3.0, -0.75, 0.1]], np.float32)


def _save(name, arrays, meta=None):
    os.makedirs(OUT, exist_ok=True)
    np.savez(os.path.join(OUT, name + ".npz"), **arrays)
    if meta is not None:
        with open(os.path.join(OUT, name + ".json"), "w") as f:
            json.dump(meta, f, indent=1, sort_keys=True)
    print("wrote", name, len(arrays), "arrays")


def activations():
    A = K.activations
    out = {}
    names = ["relu", "relu6", "leaky_relu", "elu", "selu", "celu", "gelu", "silu", "sigmoid",
             "hard_sigmoid", "hard_silu", "tanh", "hard_tanh", "softmax", "log_softmax",
             "softplus", "softsign", "exponential", "linear", "mish", "log_sigmoid",
             "sparse_plus", "sparse_sigmoid", "squareplus", "hard_shrink", "soft_shrink",
             "tanh_shrink", "sparsemax"]  # fmt: skip
    for n in names:
        out[n + "/x8"] = getattr(A, n)(tf.constant(X8)).numpy()
        out[n + "/x23"] = getattr(A, n)(tf.constant(X23)).numpy()
    out["glu/x8"] = A.glu(tf.constant(X8)).numpy()
    out["relu_args/x8"] = A.relu(X8, negative_slope=0.1, max_value=5.0, threshold=0.5).numpy()
    out["relu_max/x8"] = A.relu(X8, max_value=1.5).numpy()
    out["relu_thr/x8"] = A.relu(X8, threshold=0.75).numpy()
    out["relu_slope/x8"] = A.relu(X8, negative_slope=0.3).numpy()
    out["elu_alpha/x8"] = A.elu(X8, alpha=0.5).numpy()
    out["leaky_relu_01/x8"] = A.leaky_relu(X8, negative_slope=0.1).numpy()
    out["gelu_approx/x8"] = A.gelu(X8, approximate=True).numpy()
    out["softmax_axis0/x23"] = A.softmax(tf.constant(X23), axis=0).numpy()
    out["softmax_tuple/x23"] = A.softmax(tf.constant(X23), axis=(0, 1)).numpy()
    out["log_softmax_axis0/x23"] = A.log_softmax(tf.constant(X23), axis=0).numpy()
    out["sparsemax_axis0/x23"] = A.sparsemax(tf.constant(X23), axis=0).numpy()
    out["threshold/x8"] = A.threshold(X8, 0.5, -2.0).numpy()
    meta = {n: A.serialize(getattr(A, n)) for n in names + ["swish", "hard_swish", "glu"]}
    _save("activations", out, meta)


def initializers():
    INI = K.initializers
    out = {}
    meta = {"config": {}, "serialize": {}}
    classes = ["Zeros", "Ones", "Constant", "RandomNormal", "RandomUniform",
               "TruncatedNormal", "GlorotUniform", "GlorotNormal", "HeUniform", "HeNormal",
               "LecunUniform", "LecunNormal", "Orthogonal", "Identity",
               "VarianceScaling"]  # fmt: skip
    for c in classes:
        meta["config"][c] = getattr(INI, c)().get_config()
        meta["serialize"][c] = INI.serialize(getattr(INI, c)())
    # Keras 3's TF backend draws an int-seeded initializer from the stateless ops with
    # seed [seed, 0]; record the values for a few shapes.
    for c in classes:
        kw = {} if c in ("Zeros", "Ones", "Constant", "Identity") else {"seed": 7}
        for shape in [(3, 4), (2, 3, 5, 6)]:
            if c == "Identity" and len(shape) != 2:
                continue
            out[f"{c}/{shape}"] = getattr(INI, c)(**kw)(shape).numpy()
    out["Constant3/(2, 2)"] = INI.Constant(3.0)((2, 2)).numpy()
    out["VarianceScaling_u/(3, 4)"] = INI.VarianceScaling(2.0, "fan_out", "uniform", seed=3)(
        (3, 4)
    ).numpy()
    out["VarianceScaling_n/(3, 4)"] = INI.VarianceScaling(
        0.5, "fan_avg", "untruncated_normal", seed=3
    )((3, 4)).numpy()
    out["Orthogonal/(3, 5)"] = INI.Orthogonal(gain=2.0, seed=5)((3, 5)).numpy()
    out["RandomNormal64/(3, 4)"] = INI.RandomNormal(seed=1)((3, 4), dtype="float64").numpy()
    _save("initializers", out, meta)


SECTIONS = {"activations": activations, "initializers": initializers}


def main(argv):
    names = argv or list(SECTIONS)
    for n in names:
        SECTIONS[n]()


if __name__ == "__main__":
    main(sys.argv[1:])
