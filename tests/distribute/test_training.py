"""Training with strategies equals the single-device computation: the custom training loop of
TF's "Custom training with tf.distribute.Strategy" tutorial (eager and in tf.function),
checkpoints of mirrored variables, and Keras `model.fit` under `strategy.scope()`."""

import os

import numpy as np
import pytest

import arroyo as tf

RNG = np.random.RandomState(0)
X = RNG.randn(32, 5).astype("float32")
Y = RNG.randint(0, 3, 32).astype("int64")
GLOBAL_BATCH = 8


@pytest.fixture
def logical_cpus():
    cpu = tf.config.list_physical_devices("CPU")[0]

    def make(n):
        tf.config.set_logical_device_configuration(
            cpu, [tf.config.LogicalDeviceConfiguration()] * n
        )

    yield make
    tf.config.set_logical_device_configuration(cpu, None)


def _model():
    tf.keras.utils.set_random_seed(1)
    return tf.keras.Sequential(
        [
            tf.keras.Input((5,)),
            tf.keras.layers.Dense(4, activation="relu"),
            tf.keras.layers.Dense(3),
        ]
    )


def _custom_loop(strategy, use_function, epochs=2):
    with strategy.scope():
        model = _model()
        loss_object = tf.keras.losses.SparseCategoricalCrossentropy(
            from_logits=True, reduction="none"
        )
        optimizer = tf.keras.optimizers.Adam(0.01)
        checkpoint = tf.train.Checkpoint(model=model, optimizer=optimizer)
    ds = tf.data.Dataset.from_tensor_slices((X, Y)).batch(GLOBAL_BATCH)
    dist_ds = strategy.experimental_distribute_dataset(ds)

    def train_step(inputs):
        x, y = inputs
        with tf.GradientTape() as tape:
            predictions = model(x, training=True)
            per_example = loss_object(y, predictions)
            loss = tf.nn.compute_average_loss(per_example, global_batch_size=GLOBAL_BATCH)
        gradients = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(gradients, model.trainable_variables))
        return loss

    def distributed_train_step(inputs):
        per_replica_losses = strategy.run(train_step, args=(inputs,))
        return strategy.reduce(tf.distribute.ReduceOp.SUM, per_replica_losses, axis=None)

    if use_function:
        distributed_train_step = tf.function(distributed_train_step)
    losses = []
    for _ in range(epochs):
        total, batches = 0.0, 0
        for batch in dist_ds:
            total += float(distributed_train_step(batch))
            batches += 1
        losses.append(total / batches)
    return losses, model, optimizer, checkpoint


@pytest.mark.parametrize("use_function", [False, True])
@pytest.mark.parametrize("replicas", [1, 2])
def test_custom_training_loop_equals_single_device(logical_cpus, replicas, use_function):
    single_losses, single, single_opt, _ = _custom_loop(tf.distribute.get_strategy(), False)
    logical_cpus(replicas)
    strategy = tf.distribute.MirroredStrategy()
    assert strategy.num_replicas_in_sync == replicas
    losses, model, opt, _ = _custom_loop(strategy, use_function)
    assert all(type(v).__name__ == "MirroredVariable" for v in model.trainable_variables)
    np.testing.assert_allclose(losses, single_losses, rtol=1e-6)
    for v, w in zip(model.trainable_variables, single.trainable_variables):
        np.testing.assert_allclose(v.numpy(), w.numpy(), rtol=1e-5, atol=1e-7)
        # the mirrors stay identical
        parts = strategy.experimental_local_results(v)
        assert len(parts) == replicas
        for p in parts[1:]:
            np.testing.assert_array_equal(p.numpy(), parts[0].numpy())
    # the optimizer stepped once per global batch, not once per replica
    assert int(opt.iterations.numpy()) == int(single_opt.iterations.numpy()) == 8


def test_mirrored_checkpoint_saves_one_copy_and_restores_everywhere(logical_cpus, tmp_path):
    logical_cpus(2)
    strategy = tf.distribute.MirroredStrategy()
    _, model, _, checkpoint = _custom_loop(strategy, True, epochs=1)
    path = checkpoint.save(os.path.join(tmp_path, "mirrored", "ckpt"))
    # a single-device run of the same objects writes the same variable keys and values
    _, single, _, single_ckpt = _custom_loop(tf.distribute.get_strategy(), False, epochs=1)
    single_path = single_ckpt.save(os.path.join(tmp_path, "single", "ckpt"))
    mirrored_vars = dict(tf.train.list_variables(path))
    single_vars = dict(tf.train.list_variables(single_path))
    assert mirrored_vars == single_vars
    assert not any("replica_1" in k for k in mirrored_vars)
    for key in mirrored_vars:
        if key.startswith("model/"):
            np.testing.assert_allclose(
                tf.train.load_variable(path, key),
                tf.train.load_variable(single_path, key),
                rtol=1e-5,
                atol=1e-7,
            )
    # restore into a fresh mirrored model: every mirror gets the saved value
    with strategy.scope():
        fresh = _model()
        for v in fresh.trainable_variables:
            v.assign(tf.zeros_like(v))
    tf.train.Checkpoint(model=fresh).restore(path).expect_partial()
    for v, w in zip(fresh.trainable_variables, model.trainable_variables):
        for part in strategy.experimental_local_results(v):
            np.testing.assert_array_equal(part.numpy(), w.numpy())
    # and into a plain single-device model
    plain = _model()
    tf.train.Checkpoint(model=plain).restore(path).expect_partial()
    for v, w in zip(plain.trainable_variables, model.trainable_variables):
        assert type(v).__name__ != "MirroredVariable"
        np.testing.assert_array_equal(v.numpy(), w.numpy())


def _fit(strategy, epochs=3):
    with strategy.scope():
        model = _model()
        model.compile(
            optimizer=tf.keras.optimizers.SGD(0.1),
            loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True),
            metrics=["accuracy"],
        )
    history = model.fit(X, Y, batch_size=GLOBAL_BATCH, epochs=epochs, shuffle=False, verbose=0)
    return history.history, model


def test_keras_fit_under_scope_equals_single_device():
    single_hist, single = _fit(tf.distribute.get_strategy())
    strategy = tf.distribute.MirroredStrategy()
    hist, model = _fit(strategy)
    assert type(model.trainable_variables[0]).__name__ == "MirroredVariable"
    assert hist.keys() == single_hist.keys()
    for k in hist:
        np.testing.assert_allclose(hist[k], single_hist[k], rtol=1e-6)
    for v, w in zip(model.trainable_variables, single.trainable_variables):
        np.testing.assert_allclose(v.numpy(), w.numpy(), rtol=1e-6)
    np.testing.assert_allclose(model.predict(X, verbose=0), single.predict(X, verbose=0),
                               rtol=1e-6)  # fmt: skip


@pytest.mark.parametrize("replicas", [2, 3])
def test_keras_fit_replicated_equals_single_device(logical_cpus, replicas):
    single_hist, single = _fit(tf.distribute.get_strategy())
    logical_cpus(replicas)  # 3 replicas: batches of 8 split 3/3/2
    strategy = tf.distribute.MirroredStrategy()
    hist, model = _fit(strategy)
    assert hist.keys() == single_hist.keys()
    for k in hist:
        np.testing.assert_allclose(hist[k], single_hist[k], rtol=1e-5)
    for v, w in zip(model.trainable_variables, single.trainable_variables):
        np.testing.assert_allclose(v.numpy(), w.numpy(), rtol=1e-5, atol=1e-7)
        parts = strategy.experimental_local_results(v)
        np.testing.assert_array_equal(parts[-1].numpy(), parts[0].numpy())
    assert int(model.optimizer.iterations.numpy()) == 12
    ev = model.evaluate(X, Y, batch_size=GLOBAL_BATCH, verbose=0, return_dict=True)
    ev1 = single.evaluate(X, Y, batch_size=GLOBAL_BATCH, verbose=0, return_dict=True)
    for k in ev:
        np.testing.assert_allclose(ev[k], ev1[k], rtol=1e-5)
