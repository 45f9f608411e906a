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


OPT_CASES = {
    "sgd": ("SGD", {"learning_rate": 0.1}),
    "sgd_momentum": ("SGD", {"learning_rate": 0.1, "momentum": 0.9}),
    "sgd_nesterov": ("SGD", {"learning_rate": 0.1, "momentum": 0.9, "nesterov": True}),
    "sgd_clipvalue": ("SGD", {"learning_rate": 0.1, "clipvalue": 0.5}),
    "sgd_global_clipnorm": ("SGD", {"learning_rate": 0.1, "global_clipnorm": 1.0}),
    "sgd_weight_decay": ("SGD", {"learning_rate": 0.1, "weight_decay": 0.05}),
    "sgd_ema": ("SGD", {"learning_rate": 0.1, "use_ema": True, "ema_momentum": 0.9}),
    "adam": ("Adam", {"learning_rate": 0.01}),
    "adam_amsgrad": ("Adam", {"learning_rate": 0.01, "amsgrad": True}),
    "adam_clipnorm": ("Adam", {"learning_rate": 0.01, "clipnorm": 0.5}),
    "adam_accum": ("Adam", {"learning_rate": 0.01, "gradient_accumulation_steps": 2}),
    "adamw": ("AdamW", {"learning_rate": 0.01, "weight_decay": 0.1}),
    "rmsprop": ("RMSprop", {"learning_rate": 0.01}),
    "rmsprop_centered_momentum": (
        "RMSprop",
        {"learning_rate": 0.01, "momentum": 0.5, "centered": True},
    ),
    "adagrad": ("Adagrad", {"learning_rate": 0.1}),
    "adadelta": ("Adadelta", {"learning_rate": 1.0}),
    "adamax": ("Adamax", {"learning_rate": 0.01}),
    "nadam": ("Nadam", {"learning_rate": 0.01}),
}
OPT_STEPS = 5


def opt_inputs():
    rng = np.random.RandomState(0)
    init = [rng.randn(3, 2).astype(np.float32), rng.randn(2).astype(np.float32)]
    grads = [
        [rng.randn(3, 2).astype(np.float32) * (k + 1), rng.randn(2).astype(np.float32)]
        for k in range(OPT_STEPS)
    ]
    return init, grads


def optimizers():
    out = {}
    meta = {"config": {}, "variables": {}}
    init, grads = opt_inputs()
    out["init/0"], out["init/1"] = init
    for k, g in enumerate(grads):
        out[f"grad/{k}/0"], out[f"grad/{k}/1"] = g
    for case, (cls, kw) in OPT_CASES.items():
        opt = getattr(K.optimizers, cls)(**kw)
        vs = [tf.Variable(x, name=f"v{i}") for i, x in enumerate(init)]
        for k, g in enumerate(grads):
            opt.apply_gradients(zip([tf.constant(x) for x in g], vs))
            for i, v in enumerate(vs):
                out[f"{case}/step{k}/{i}"] = v.numpy()
        for j, v in enumerate(opt.variables):
            out[f"{case}/opt_var/{j}"] = v.numpy()
        meta["variables"][case] = [v.name for v in opt.variables]
        meta["config"][case] = {k2: v2 for k2, v2 in opt.get_config().items() if k2 != "name"}
    # Schedules: values at steps 0..30.
    S = K.optimizers.schedules
    scheds = {
        "exp": S.ExponentialDecay(0.1, 10, 0.5),
        "exp_stair": S.ExponentialDecay(0.1, 10, 0.5, staircase=True),
        "piecewise": S.PiecewiseConstantDecay([5, 12], [1.0, 0.5, 0.1]),
        "poly": S.PolynomialDecay(0.1, 20, end_learning_rate=0.01, power=2.0),
        "poly_cycle": S.PolynomialDecay(0.1, 7, cycle=True),
        "inverse": S.InverseTimeDecay(0.1, 5, 0.5),
        "inverse_stair": S.InverseTimeDecay(0.1, 5, 0.5, staircase=True),
        "cosine": S.CosineDecay(0.1, 20, alpha=0.1),
        "cosine_warmup": S.CosineDecay(0.0, 20, warmup_target=0.1, warmup_steps=5),
        "cosine_restarts": S.CosineDecayRestarts(0.1, 4, t_mul=2.0, m_mul=0.5, alpha=0.05),
        "cosine_restarts1": S.CosineDecayRestarts(0.1, 4, t_mul=1.0),
    }
    meta["schedules"] = {}
    for n, s in scheds.items():
        out[f"schedule/{n}"] = np.array([float(s(step)) for step in range(31)], np.float32)
        meta["schedules"][n] = S.serialize(s)
    # An Adam-with-schedule run.
    opt = K.optimizers.Adam(S.ExponentialDecay(0.05, 2, 0.5))
    vs = [tf.Variable(x) for x in init]
    for g in grads:
        opt.apply_gradients(zip([tf.constant(x) for x in g], vs))
    out["adam_schedule/final/0"], out["adam_schedule/final/1"] = vs[0].numpy(), vs[1].numpy()
    # A TF-written checkpoint of a built Adam (2 steps), restored by arroyo's tests.
    opt = K.optimizers.Adam(0.01)
    vs = [tf.Variable(x) for x in init]
    for g in grads[:2]:
        opt.apply_gradients(zip([tf.constant(x) for x in g], vs))
    ckdir = os.path.join(OUT, "adam_ckpt")
    if os.path.isdir(ckdir):
        import shutil

        shutil.rmtree(ckdir)
    tf.train.Checkpoint(optimizer=opt, v0=vs[0], v1=vs[1]).write(os.path.join(ckdir, "ckpt"))
    meta["checkpoint_keys"] = sorted(
        n for n, _ in tf.train.list_variables(os.path.join(ckdir, "ckpt"))
    )
    for j, v in enumerate(opt.variables):
        out[f"adam_ckpt/opt_var/{j}"] = v.numpy()
    _save("optimizers", out, meta)


def loss_inputs():
    rng = np.random.RandomState(1)
    d = {
        "y": rng.randn(4, 3).astype(np.float32),
        "p": rng.randn(4, 3).astype(np.float32),
        "ypos": rng.rand(4, 3).astype(np.float32) * 3,
        "ppos": rng.rand(4, 3).astype(np.float32) * 3 + 0.01,
        "yb": (rng.rand(4, 3) > 0.5).astype(np.float32),
        "pb": rng.rand(4, 3).astype(np.float32) * 0.98 + 0.01,
        "logits": rng.randn(4, 3).astype(np.float32) * 2,
        "yc": np.eye(5, dtype=np.float32)[[0, 3, 1, 4]],
        "pc": rng.rand(4, 5).astype(np.float32) + 0.05,
        "lc": rng.randn(4, 5).astype(np.float32) * 2,
        "ys": np.array([0, 3, 1, 4], np.int32),
        "sw": np.array([1.0, 0.5, 0.0, 2.0], np.float32),
    }
    return d


# name -> (class, kwargs, y_true key, y_pred key)
LOSS_CASES = {
    "mse": ("MeanSquaredError", {}, "y", "p"),
    "mae": ("MeanAbsoluteError", {}, "y", "p"),
    "mape": ("MeanAbsolutePercentageError", {}, "y", "p"),
    "msle": ("MeanSquaredLogarithmicError", {}, "ypos", "ppos"),
    "huber": ("Huber", {}, "y", "p"),
    "huber_d2": ("Huber", {"delta": 0.5}, "y", "p"),
    "logcosh": ("LogCosh", {}, "y", "p"),
    "kld": ("KLDivergence", {}, "pb", "pb2"),
    "poisson": ("Poisson", {}, "ypos", "ppos"),
    "cosine": ("CosineSimilarity", {}, "y", "p"),
    "cosine_axis0": ("CosineSimilarity", {"axis": 0}, "y", "p"),
    "hinge": ("Hinge", {}, "yb", "logits"),
    "squared_hinge": ("SquaredHinge", {}, "yb", "logits"),
    "categorical_hinge": ("CategoricalHinge", {}, "yc", "lc"),
    "bce": ("BinaryCrossentropy", {}, "yb", "pb"),
    "bce_logits": ("BinaryCrossentropy", {"from_logits": True}, "yb", "logits"),
    "bce_smooth": ("BinaryCrossentropy", {"label_smoothing": 0.2}, "yb", "pb"),
    "bfce": ("BinaryFocalCrossentropy", {}, "yb", "pb"),
    "bfce_bal_logits": (
        "BinaryFocalCrossentropy",
        {"apply_class_balancing": True, "from_logits": True},
        "yb",
        "logits",
    ),
    "cce": ("CategoricalCrossentropy", {}, "yc", "pc"),
    "cce_logits": ("CategoricalCrossentropy", {"from_logits": True}, "yc", "lc"),
    "cce_smooth": (
        "CategoricalCrossentropy",
        {"label_smoothing": 0.1, "from_logits": True},
        "yc",
        "lc",
    ),
    "cfce": ("CategoricalFocalCrossentropy", {}, "yc", "pc"),
    "scce": ("SparseCategoricalCrossentropy", {}, "ys", "pc"),
    "scce_logits": ("SparseCategoricalCrossentropy", {"from_logits": True}, "ys", "lc"),
    "scce_ignore": (
        "SparseCategoricalCrossentropy",
        {"from_logits": True, "ignore_class": 3},
        "ys",
        "lc",
    ),
    "scce_col": ("SparseCategoricalCrossentropy", {"from_logits": True}, "ys_col", "lc"),
}


def losses():
    d = loss_inputs()
    d["pb2"] = d["pb"][::-1].copy()
    d["ys_col"] = d["ys"][:, None]
    out = {f"in/{k}": v for k, v in d.items()}
    meta = {"config": {}, "serialize": {}}
    for case, (cls, kw, yk, pk) in LOSS_CASES.items():
        y, p = d[yk], d[pk]
        for red in ["sum_over_batch_size", "sum", "none", "mean_with_sample_weight"]:
            obj = getattr(K.losses, cls)(reduction=red, **kw)
            out[f"{case}/{red}"] = obj(y, p).numpy()
            if case != "cosine_axis0":
                out[f"{case}/{red}/sw"] = obj(y, p, sample_weight=d["sw"]).numpy()
        meta["config"][case] = getattr(K.losses, cls)(**kw).get_config()
        meta["serialize"][case] = K.losses.serialize(getattr(K.losses, cls)(**kw))
    # Gradients of the mean loss with respect to y_pred.
    for case in [
        "mse",
        "huber",
        "bce",
        "bce_logits",
        "cce",
        "cce_logits",
        "scce_logits",
        "logcosh",
        "cosine",
    ]:
        cls, kw, yk, pk = LOSS_CASES[case]
        p = tf.Variable(d[pk])
        with tf.GradientTape() as tape:
            v = getattr(K.losses, cls)(**kw)(d[yk], p)
        out[f"{case}/grad"] = tape.gradient(v, p).numpy()
    meta["function_names"] = {
        n: getattr(K.losses, n).__name__
        for n in [
            "mse",
            "mae",
            "mape",
            "msle",
            "kld",
            "MSE",
            "logcosh",
            "huber",
            "hinge",
            "poisson",
        ]
    }
    _save("losses", out, meta)


METRIC_CASES = {
    # name -> (class, kwargs, y_true key, y_pred key)
    "mean_values": ("Mean", {}, None, "y"),
    "sum_values": ("Sum", {}, None, "y"),
    "accuracy": ("Accuracy", {}, "yb", "yb2"),
    "binary_accuracy": ("BinaryAccuracy", {}, "yb", "pb"),
    "binary_accuracy_t": ("BinaryAccuracy", {"threshold": 0.7}, "yb", "pb"),
    "categorical_accuracy": ("CategoricalAccuracy", {}, "yc", "pc"),
    "sparse_categorical_accuracy": ("SparseCategoricalAccuracy", {}, "ys", "pc"),
    "sparse_categorical_accuracy_col": ("SparseCategoricalAccuracy", {}, "ys_col", "pc"),
    "top_k": ("TopKCategoricalAccuracy", {"k": 2}, "yc", "pc"),
    "sparse_top_k": ("SparseTopKCategoricalAccuracy", {"k": 2}, "ys", "pc"),
    "mse": ("MeanSquaredError", {}, "y", "p"),
    "mae": ("MeanAbsoluteError", {}, "y", "p"),
    "rmse": ("RootMeanSquaredError", {}, "y", "p"),
    "bce": ("BinaryCrossentropy", {}, "yb", "pb"),
    "cce": ("CategoricalCrossentropy", {"from_logits": True}, "yc", "lc"),
    "scce": ("SparseCategoricalCrossentropy", {"from_logits": True}, "ys", "lc"),
    "cosine": ("CosineSimilarity", {}, "y", "p"),
    "tp": ("TruePositives", {}, "yb", "pb"),
    "fp": ("FalsePositives", {"thresholds": [0.3, 0.6]}, "yb", "pb"),
    "tn": ("TrueNegatives", {}, "yb", "pb"),
    "fn": ("FalseNegatives", {}, "yb", "pb"),
    "precision": ("Precision", {}, "yb", "pb"),
    "precision_multi": ("Precision", {"thresholds": [0.2, 0.5, 0.8]}, "yb", "pb"),
    "precision_topk": ("Precision", {"top_k": 2}, "yb", "pb"),
    "recall": ("Recall", {}, "yb", "pb"),
    "recall_class": ("Recall", {"class_id": 1}, "yb", "pb"),
    "auc": ("AUC", {}, "yb", "pb"),
    "auc_10": ("AUC", {"num_thresholds": 10}, "yb", "pb"),
    "auc_pr": ("AUC", {"curve": "PR"}, "yb", "pb"),
    "auc_minoring": ("AUC", {"summation_method": "minoring"}, "yb", "pb"),
}


def metrics():
    d = loss_inputs()
    d["yb2"] = np.round(d["pb"]).astype(np.float32)
    d["ys_col"] = d["ys"][:, None]
    out = {f"in/{k}": v for k, v in d.items()}
    meta = {"config": {}}
    for case, (cls, kw, yk, pk) in METRIC_CASES.items():
        m = getattr(K.metrics, cls)(**kw)
        args = (d[pk],) if yk is None else (d[yk], d[pk])
        m.update_state(*[a[:2] for a in args])
        out[f"{case}/half"] = np.asarray(m.result())
        m.update_state(*[a[2:] for a in args])
        out[f"{case}/full"] = np.asarray(m.result())
        m.reset_state()
        m.update_state(*args, sample_weight=d["sw"])
        out[f"{case}/sw"] = np.asarray(m.result())
        cfg = m.get_config()
        cfg.pop("name", None)
        meta["config"][case] = cfg
    names = ["Mean", "Sum", "Accuracy", "BinaryAccuracy", "CategoricalAccuracy",
             "SparseCategoricalAccuracy", "TopKCategoricalAccuracy", "MeanSquaredError",
             "RootMeanSquaredError", "AUC", "Precision", "Recall", "TruePositives"]  # fmt: skip
    meta["names"] = {c: getattr(K.metrics, c)().name for c in names}
    _save("metrics", out, meta)


def regularizers_constraints():
    R, C = K.regularizers, K.constraints
    w = tf.constant(np.array([[1.0, -2.0, 0.5], [3.0, 0.25, -1.0]], np.float32))
    out = {
        "w": w.numpy().tolist(),
        "l1": float(R.L1(0.1)(w)),
        "l2": float(R.L2(0.2)(w)),
        "l1l2": float(R.L1L2(0.1, 0.2)(w)),
        "orth_rows": float(R.OrthogonalRegularizer(0.5)(w)),
        "orth_cols": float(R.OrthogonalRegularizer(0.5, "columns")(w)),
        "maxnorm": C.MaxNorm(2.0)(w).numpy().tolist(),
        "maxnorm1": C.MaxNorm(1.5, axis=1)(w).numpy().tolist(),
        "nonneg": C.NonNeg()(w).numpy().tolist(),
        "unit": C.UnitNorm()(w).numpy().tolist(),
        "minmax": C.MinMaxNorm(0.5, 1.5, 0.7)(w).numpy().tolist(),
    }
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, "regularizers_constraints.json"), "w") as f:
        json.dump(out, f, indent=1, sort_keys=True)
    print("wrote regularizers_constraints")


SECTIONS = {
    "activations": activations,
    "initializers": initializers,
    "optimizers": optimizers,
    "losses": losses,
    "metrics": metrics,
    "regularizers_constraints": regularizers_constraints,
}


def main(argv):
    names = argv or list(SECTIONS)
    for n in names:
        SECTIONS[n]()


if __name__ == "__main__":
    main(sys.argv[1:])
