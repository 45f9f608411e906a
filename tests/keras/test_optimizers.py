"""tf.keras.optimizers against Keras 3 (TF 2.21): updates, configs, schedules, checkpoints."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest

import arroyo as tf

OPT = tf.keras.optimizers
DATA = os.path.join(os.path.dirname(__file__), "..", "data", "keras")
G = np.load(os.path.join(DATA, "optimizers.npz"))
with open(os.path.join(DATA, "optimizers.json")) as f:
    META = json.load(f)

CASES = {
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
    "rmsprop_centered_momentum": ("RMSprop", {"learning_rate": 0.01, "momentum": 0.5,
                                              "centered": True}),
    "adagrad": ("Adagrad", {"learning_rate": 0.1}),
    "adadelta": ("Adadelta", {"learning_rate": 1.0}),
    "adamax": ("Adamax", {"learning_rate": 0.01}),
    "nadam": ("Nadam", {"learning_rate": 0.01}),
}  # fmt: skip
STEPS = 5
INIT = [G["init/0"], G["init/1"]]
GRADS = [[G[f"grad/{k}/0"], G[f"grad/{k}/1"]] for k in range(STEPS)]
TOL = dict(rtol=2e-5, atol=2e-6)


def _run(case, mode):
    cls, kw = CASES[case]
    opt = getattr(OPT, cls)(**kw)
    vs = [tf.Variable(x, name=f"v{i}") for i, x in enumerate(INIT)]

    def step(g0, g1):
        opt.apply_gradients(zip([g0, g1], vs))

    fn = tf.function(step) if mode == "function" else step
    for k, g in enumerate(GRADS):
        fn(tf.constant(g[0]), tf.constant(g[1]))
        for i, v in enumerate(vs):
            np.testing.assert_allclose(v.numpy(), G[f"{case}/step{k}/{i}"], **TOL,
                                       err_msg=f"{case} step {k} var {i}")  # fmt: skip
    return opt


@pytest.mark.parametrize("mode", ["eager", "function"])
@pytest.mark.parametrize("case", sorted(CASES))
def test_updates_match_keras3(case, mode):
    opt = _run(case, mode)
    got = opt.variables
    assert len(got) == len(META["variables"][case])
    for j, v in enumerate(got):
        np.testing.assert_allclose(v.numpy(), G[f"{case}/opt_var/{j}"], **TOL)
        assert v.name == f"{opt.name}/{META['variables'][case][j]}:0"
    assert opt._iterations.dtype == tf.int64 and int(opt._iterations.numpy()) == STEPS


@pytest.mark.parametrize("case", sorted(CASES))
def test_config_matches_keras3(case):
    cls, kw = CASES[case]
    cfg = getattr(OPT, cls)(**kw).get_config()
    cfg.pop("name")
    assert cfg == META["config"][case]
    back = getattr(OPT, cls).from_config(getattr(OPT, cls)(**kw).get_config())
    assert {k: v for k, v in back.get_config().items() if k != "name"} == cfg


def test_slot_names_follow_keras3():
    opt = OPT.Adam(0.1)
    w = tf.Variable([1.0, 2.0], name="w")
    opt.apply_gradients([(tf.constant([0.1, 0.2]), w)])
    names = [v.name for v in opt.variables]
    n = opt.name
    assert names == [f"{n}/iteration:0", f"{n}/learning_rate:0", f"{n}/w_0_momentum:0",
                     f"{n}/w_0_velocity:0"]  # fmt: skip
    np.testing.assert_allclose(w.numpy(), [0.9000038, 1.9000022], rtol=1e-6)


def test_variables_created_only_on_first_trace():
    opt = OPT.Adam(0.1)
    w = tf.Variable([1.0, 2.0])

    @tf.function
    def step(g):
        opt.apply_gradients([(g, w)])

    step(tf.constant([1.0, 1.0]))
    n = len(opt.variables)
    step(tf.constant([1.0, 1.0]))
    assert len(opt.variables) == n == 4
    step(tf.constant([1.0, 1.0], tf.float32) * 2)
    assert int(opt.iterations.numpy()) == 3


def test_schedules_match_keras3():
    S = OPT.schedules
    for name, ser in META["schedules"].items():
        s = S.deserialize(ser)
        assert S.serialize(s) == ser
        got = np.array([float(s(step)) for step in range(31)], np.float32)
        np.testing.assert_allclose(got, G[f"schedule/{name}"], rtol=1e-5, atol=1e-7, err_msg=name)


def test_schedule_in_function_and_optimizer():
    s = OPT.schedules.ExponentialDecay(0.05, 2, 0.5)
    for mode in ("eager", "function"):
        opt = OPT.Adam(s)
        vs = [tf.Variable(x) for x in INIT]

        def step(g0, g1, opt=opt, vs=vs):
            opt.apply_gradients(zip([g0, g1], vs))

        fn = tf.function(step) if mode == "function" else step
        for g in GRADS:
            fn(tf.constant(g[0]), tf.constant(g[1]))
        for i in range(2):
            np.testing.assert_allclose(vs[i].numpy(), G[f"adam_schedule/final/{i}"], **TOL)
        assert opt.get_config()["learning_rate"]["class_name"] == "ExponentialDecay"
    with pytest.raises(TypeError, match="not settable"):
        opt.learning_rate = 0.1


def test_learning_rate_property_and_setter():
    opt = OPT.SGD(0.1)
    assert opt.learning_rate.dtype == tf.float32
    opt.learning_rate = 0.5
    assert float(opt.learning_rate.numpy()) == 0.5
    w = tf.Variable(1.0)
    opt.apply_gradients([(tf.constant(1.0), w)])
    assert float(w.numpy()) == 0.5
    assert float(OPT.Adam(learning_rate=1).learning_rate.numpy()) == 1.0  # Keras 2 allowed ints
    opt = OPT.SGD(lambda: 0.25)
    w = tf.Variable(1.0)
    opt.apply_gradients([(tf.constant(1.0), w)])
    assert float(w.numpy()) == 0.75


def test_errors_match_keras3():
    with pytest.raises(
        ValueError, match="Only one of `clipnorm`, `clipvalue` and `global_clipnorm`"
    ):
        OPT.Adam(clipnorm=1.0, clipvalue=1.0)
    with pytest.raises(ValueError, match=r"Argument\(s\) not recognized: \{'foo': 1\}"):
        OPT.Adam(foo=1)
    with pytest.raises(ValueError, match="Argument `learning_rate` should be float"):
        OPT.Adam(learning_rate="x")
    with pytest.raises(ValueError, match="Could not interpret optimizer identifier: foo"):
        OPT.get("foo")
    opt = OPT.Adam(0.1)
    w = tf.Variable([1.0])
    opt.apply_gradients([(tf.constant([1.0]), w)])
    with pytest.raises(ValueError, match="Unknown variable"):
        opt.apply_gradients([(tf.constant([1.0]), tf.Variable([2.0]))])
    with pytest.raises(ValueError, match="No gradients provided for any variable."):
        opt.apply_gradients([(None, w)])
    with pytest.raises(ValueError, match="must already be built"):
        OPT.SGD().apply([tf.constant(1.0)])
    with pytest.raises(ValueError, match="weight_decay=None"):
        OPT.AdamW(weight_decay=None)
    with pytest.raises(ValueError, match="decay_steps` must be > 0"):
        OPT.schedules.ExponentialDecay(0.1, 0, 0.5)
    with pytest.raises(ValueError, match="1 less than the length of values"):
        OPT.schedules.PiecewiseConstantDecay([1, 2], [1.0])


def test_get_serialize_deserialize():
    assert type(OPT.get("adam")) is OPT.Adam and type(OPT.get("Adam")) is OPT.Adam
    assert type(OPT.get("sgd")) is OPT.SGD and type(OPT.get("rmsprop")) is OPT.RMSprop
    opt = OPT.SGD(0.1, momentum=0.5)
    assert OPT.get(opt) is opt
    ser = OPT.serialize(opt)
    assert ser["module"] == "keras.optimizers" and ser["class_name"] == "SGD"
    back = OPT.deserialize(ser)
    assert type(back) is OPT.SGD and back.momentum == 0.5
    assert abs(float(back.learning_rate.numpy()) - 0.1) < 1e-7
    assert type(OPT.get({"class_name": "adam", "config": {"learning_rate": 0.1}})) is OPT.Adam
    assert OPT.legacy.Adam is OPT.Adam


def test_default_names_count_up():
    a, b = OPT.Adagrad(), OPT.Adagrad()
    assert a.name == b.name == "adagrad"
    x, y = OPT.RMSprop(), OPT.RMSprop()
    assert x.name.startswith("rm_sprop") and x.name != y.name


def test_apply_without_variables_and_indexed_slices():
    opt = OPT.SGD(0.5)
    emb = tf.Variable(np.ones((4, 2), np.float32))
    opt.build([emb])
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(tf.gather(emb, [0, 2, 2]))
    g = tape.gradient(loss, emb)
    opt.apply([g])
    np.testing.assert_allclose(emb.numpy()[:, 0], [0.5, 1.0, 0.0, 1.0])


def test_minimize_keras2_style():
    w = tf.Variable(3.0)
    opt = OPT.SGD(0.1)
    opt.minimize(lambda: w * w, [w])
    assert abs(float(w.numpy()) - 2.4) < 1e-6
    with tf.GradientTape() as tape:
        loss = w * w
    opt.minimize(loss, [w], tape=tape)
    assert abs(float(w.numpy()) - 1.92) < 1e-6


def test_constraint_applied_after_update():
    w = tf.Variable([1.0, -1.0], constraint=lambda x: tf.maximum(x, 0.0))
    OPT.SGD(1.0).apply_gradients([(tf.constant([2.0, 2.0]), w)])
    np.testing.assert_array_equal(w.numpy(), [0.0, 0.0])


def test_float64_variables():
    w = tf.Variable(np.array([1.0, 2.0]))
    opt = OPT.Adam(0.1)
    opt.apply_gradients([(tf.constant([0.5, -0.5], tf.float64), w)])
    assert w.dtype == tf.float64 and opt.variables[2].dtype == tf.float64
    np.testing.assert_allclose(w.numpy(), [0.9, 2.1], rtol=1e-6)


def test_exclude_from_weight_decay():
    a, b = tf.Variable(1.0, name="kernel"), tf.Variable(1.0, name="bias")
    opt = OPT.SGD(0.1, weight_decay=0.5)
    opt.exclude_from_weight_decay(var_names=["bias"])
    opt.apply_gradients([(tf.constant(0.0), a), (tf.constant(0.0), b)])
    assert abs(float(a.numpy()) - 0.95) < 1e-7 and float(b.numpy()) == 1.0
    with pytest.raises(ValueError, match="before the optimizer is built"):
        opt.exclude_from_weight_decay(var_names=["x"])


def test_checkpoint_round_trip_and_deferred_restore(tmp_path):
    vs = [tf.Variable(x) for x in INIT]
    opt = OPT.Adam(0.01)
    for g in GRADS[:2]:
        opt.apply_gradients(zip([tf.constant(x) for x in g], vs))
    path = tf.train.Checkpoint(optimizer=opt, v0=vs[0], v1=vs[1]).write(str(tmp_path / "ck"))
    keys = sorted(n for n, _ in tf.train.list_variables(path))
    assert keys == META["checkpoint_keys"]
    # Restore into a fresh, unbuilt optimizer: the slots arrive when it is built.
    vs2 = [tf.Variable(np.zeros_like(x)) for x in INIT]
    opt2 = OPT.Adam(0.5)
    tf.train.Checkpoint(optimizer=opt2, v0=vs2[0], v1=vs2[1]).read(path)
    assert (
        int(opt2.iterations.numpy()) == 2 and abs(float(opt2.learning_rate.numpy()) - 0.01) < 1e-9
    )
    opt2.build(vs2)
    for a, b in zip(opt.variables, opt2.variables):
        np.testing.assert_array_equal(a.numpy(), b.numpy())


def test_restores_tf_written_checkpoint():
    path = os.path.join(DATA, "adam_ckpt", "ckpt")
    vs = [tf.Variable(np.zeros_like(x)) for x in INIT]
    opt = OPT.Adam(0.01)
    opt.build(vs)
    status = tf.train.Checkpoint(optimizer=opt, v0=vs[0], v1=vs[1]).read(path)
    status.assert_existing_objects_matched()
    for j, v in enumerate(opt.variables):
        np.testing.assert_allclose(v.numpy(), G[f"adam_ckpt/opt_var/{j}"], rtol=0)
    # Continuing from the TF state reproduces Keras 3's steps 3..5.
    for k in range(2, STEPS):
        opt.apply_gradients(zip([tf.constant(x) for x in GRADS[k]], vs))
    for i in range(2):
        np.testing.assert_allclose(vs[i].numpy(), G[f"adam/step{STEPS - 1}/{i}"], **TOL)
