"""tf.distribute: contexts, strategies, per-replica values, distributed variables and input.

Expected values, reprs and messages were checked against TF 2.21 (two or three logical CPUs
made with tf.config.set_logical_device_configuration).
"""

import numpy as np
import pytest

import arroyo as tf


@pytest.fixture
def cpus():
    """Splits the CPU into `n` logical devices for the test, then restores one."""
    cpu = tf.config.list_physical_devices("CPU")[0]

    def make(n):
        tf.config.set_logical_device_configuration(
            cpu, [tf.config.LogicalDeviceConfiguration()] * n
        )
        return tf.distribute.MirroredStrategy()

    yield make
    tf.config.set_logical_device_configuration(cpu, None)


def _rid():
    return tf.cast(tf.distribute.get_replica_context().replica_id_in_sync_group, tf.float32)


# -- contexts ----------------------------------------------------------------------------------


def test_default_strategy_and_contexts():
    s = tf.distribute.get_strategy()
    assert type(s).__name__ == "_DefaultDistributionStrategy"
    assert s.num_replicas_in_sync == 1
    assert not tf.distribute.has_strategy()
    assert not tf.distribute.in_cross_replica_context()
    rc = tf.distribute.get_replica_context()
    assert type(rc).__name__ == "_DefaultReplicaContext"
    assert rc.replica_id_in_sync_group == 0 and rc.num_replicas_in_sync == 1
    assert rc.strategy is s
    assert s.experimental_local_results(tf.constant(1.0))[0].numpy() == 1.0
    assert float(s.run(lambda x: x * 2, args=(tf.constant(3.0),))) == 6.0
    np.testing.assert_array_equal(s.reduce("SUM", tf.constant([1.0, 2.0]), axis=None), [1, 2])
    assert float(s.reduce(tf.distribute.ReduceOp.MEAN, tf.constant([1.0, 2.0]), axis=0)) == 1.5
    assert float(rc.all_reduce("SUM", tf.constant(3.0))) == 3.0
    assert float(rc.merge_call(lambda st, x: x + 1, args=(tf.constant(1.0),))) == 2.0


def test_scope_contexts_and_mixing():
    m = tf.distribute.MirroredStrategy()
    with m.scope():
        assert tf.distribute.has_strategy()
        assert tf.distribute.in_cross_replica_context()
        assert tf.distribute.get_replica_context() is None
        assert tf.distribute.get_strategy() is m
        with m.scope():
            pass
        m2 = tf.distribute.MirroredStrategy()
        with pytest.raises(
            RuntimeError, match=r"Mixing different tf.distribute.Strategy objects: "
        ):
            with m2.scope():
                pass
    assert not tf.distribute.has_strategy()

    def fn():
        assert not tf.distribute.in_cross_replica_context()
        assert tf.distribute.get_strategy() is m
        return tf.distribute.get_replica_context().replica_id_in_sync_group

    r = m.run(fn)
    assert r.dtype == tf.int32 and int(r) == 0


def test_reduce_op():
    assert str(tf.distribute.ReduceOp.SUM) == "ReduceOp.SUM"
    assert repr(tf.distribute.ReduceOp.MEAN) == "<ReduceOp.MEAN: 'MEAN'>"
    assert tf.distribute.ReduceOp.from_variable_aggregation(tf.VariableAggregation.MEAN) is (
        tf.distribute.ReduceOp.MEAN
    )
    with pytest.raises(ValueError, match="'MAX' is not a valid ReduceOp"):
        tf.distribute.get_strategy().reduce("MAX", tf.constant(1.0), axis=None)
    with pytest.raises(TypeError, match="missing 1 required positional argument: 'axis'"):
        tf.distribute.get_strategy().reduce("SUM", tf.constant(1.0))


def test_one_device_and_single_mirrored():
    o = tf.distribute.OneDeviceStrategy("/cpu:0")
    assert o.num_replicas_in_sync == 1
    assert o.extended.worker_devices == ("/job:localhost/replica:0/task:0/device:CPU:0",)
    with o.scope():
        v = tf.Variable(2.0)
    assert type(v).__name__ == "ResourceVariable"
    assert repr(v) == "<tf.Variable 'Variable:0' shape=() dtype=float32, numpy=2.0>"
    assert int(o.run(lambda: tf.distribute.get_replica_context().replica_id_in_sync_group)) == 0

    m = tf.distribute.MirroredStrategy(["/cpu:0"])
    with m.scope():
        mv = tf.Variable(2.0)
    assert type(mv).__name__ == "MirroredVariable"
    assert isinstance(mv, tf.Variable)
    assert repr(mv) == (
        "MirroredVariable:{\n  0: <tf.Variable 'Variable:0' shape=() dtype=float32, numpy=2.0>\n}"
    )
    assert float(m.run(lambda: tf.constant(1.0))) == 1.0
    assert float(m.reduce("SUM", tf.constant(2.0), axis=None)) == 2.0


# -- several replicas ---------------------------------------------------------------------------


def test_mirrored_two_replicas_per_replica_values(cpus):
    m = cpus(2)
    assert m.num_replicas_in_sync == 2
    assert m.extended.worker_devices == (
        "/job:localhost/replica:0/task:0/device:CPU:0",
        "/job:localhost/replica:0/task:0/device:CPU:1",
    )
    r = m.run(lambda x: x + _rid(), args=(tf.constant(1.0),))
    assert type(r).__name__ == "PerReplica"
    assert repr(r) == (
        "PerReplica:{\n  0: <tf.Tensor: shape=(), dtype=float32, numpy=1.0>,\n"
        "  1: <tf.Tensor: shape=(), dtype=float32, numpy=2.0>\n}"
    )
    assert str(r) == (
        "PerReplica:{\n  0: tf.Tensor(1.0, shape=(), dtype=float32),\n"
        "  1: tf.Tensor(2.0, shape=(), dtype=float32)\n}"
    )
    assert float(m.reduce("SUM", r, axis=None)) == 3.0
    assert float(m.reduce("MEAN", r, axis=None)) == 1.5
    assert [float(t) for t in m.experimental_local_results(r)] == [1.0, 2.0]
    # PerReplica arguments give each replica its own value
    r2 = m.run(lambda x: x * 2, args=(r,))
    assert [float(t) for t in m.experimental_local_results(r2)] == [2.0, 4.0]
    # identical Python values stay as they are; tensors become PerReplica
    out = m.run(lambda: (1, {"a": tf.constant(2.0)}))
    assert out[0] == 1 and type(out[1]["a"]).__name__ == "PerReplica"
    assert m.run(lambda: None) is None
    with pytest.raises(ValueError, match=r"A non-DistributedValues value tf.Tensor\(2.0, shape"):
        m.reduce("SUM", tf.constant(2.0), axis=None)


def test_reduce_with_axis_and_gather(cpus):
    m = cpus(2)
    pr = m.run(lambda: tf.fill([2, 3], _rid()))
    np.testing.assert_array_equal(m.reduce("SUM", pr, axis=0), [2.0, 2.0, 2.0])
    np.testing.assert_array_equal(m.reduce("MEAN", pr, axis=1), [0.5, 0.5])
    np.testing.assert_array_equal(m.reduce("MEAN", pr, axis=None), np.full([2, 3], 0.5))
    np.testing.assert_array_equal(m.gather(pr, axis=0), [[0] * 3] * 2 + [[1] * 3] * 2)
    np.testing.assert_array_equal(m.gather(pr, axis=1), [[0, 0, 0, 1, 1, 1]] * 2)


def test_merge_call_all_reduce_all_gather(cpus):
    m = cpus(2)
    seen = []

    def merge(strategy, x):
        seen.append((type(x).__name__, tf.distribute.in_cross_replica_context()))
        return strategy.reduce("SUM", x, axis=None)

    def f():
        ctx = tf.distribute.get_replica_context()
        return ctx.merge_call(merge, args=(_rid(),))

    assert float(m.run(f)) == 1.0
    assert seen == [("PerReplica", True)]

    def ar():
        i = _rid()
        return tf.distribute.get_replica_context().all_reduce(
            "MEAN", {"a": i, "b": [i * 2, tf.fill([2], i)]}
        )

    out = m.run(ar)
    assert [float(t) for t in m.experimental_local_results(out["a"])] == [0.5, 0.5]
    assert [float(t) for t in m.experimental_local_results(out["b"][0])] == [1.0, 1.0]
    np.testing.assert_array_equal(m.experimental_local_results(out["b"][1])[1], [0.5, 0.5])

    def ag():
        return tf.distribute.get_replica_context().all_gather(tf.fill([1, 2], _rid()), axis=0)

    g = m.run(ag)
    for t in m.experimental_local_results(g):
        np.testing.assert_array_equal(t, [[0, 0], [1, 1]])


def test_replica_error_propagates_and_threads_finish(cpus):
    m = cpus(3)

    def f():
        if int(tf.distribute.get_replica_context().replica_id_in_sync_group) == 1:
            raise KeyError("boom")
        return tf.distribute.get_replica_context().all_reduce("SUM", 1.0)

    with pytest.raises(KeyError, match="boom"):
        m.run(f)
    # the strategy still works afterwards
    assert float(m.reduce("SUM", m.run(lambda: tf.constant(1.0)), axis=None)) == 3.0


def test_mirrored_variable_aggregation(cpus):
    m = cpus(2)
    with m.scope():
        v = tf.Variable(1.0)
        w = tf.Variable([1.0, 2.0], aggregation=tf.VariableAggregation.MEAN)
        u = tf.Variable(1.0, aggregation=tf.VariableAggregation.SUM)
        o = tf.Variable(0.0, aggregation=tf.VariableAggregation.ONLY_FIRST_REPLICA)
    assert repr(v) == (
        "MirroredVariable:{\n  0: <tf.Variable 'Variable:0' shape=() dtype=float32, numpy=1.0>,\n"
        "  1: <tf.Variable 'Variable/replica_1:0' shape=() dtype=float32, numpy=1.0>\n}"
    )
    assert v.synchronization == tf.VariableSynchronization.ON_WRITE
    assert v.device == "/job:localhost/replica:0/task:0/device:CPU:0"
    assert [x.name for x in m.experimental_local_results(v)] == [
        "Variable:0",
        "Variable/replica_1:0",
    ]
    m.run(lambda: w.assign(tf.constant([5.0, 6.0]) + _rid()))  # MEAN of [5,6] and [6,7]
    np.testing.assert_array_equal(w.numpy(), [5.5, 6.5])
    r = m.run(lambda: u.assign(_rid() + 1.0))  # SUM of 1 and 2
    assert float(u) == 3.0 and [float(t) for t in m.experimental_local_results(r)] == [3.0, 3.0]
    m.run(lambda: u.assign_add(_rid() + 1.0))  # 3 + (1 + 2)
    assert float(u) == 6.0
    m.run(lambda: o.assign(_rid() + 4.0))
    assert float(o) == 4.0
    for var in (u, o, w):
        a, b = m.experimental_local_results(var)
        np.testing.assert_array_equal(a.numpy(), b.numpy())


def test_mirrored_variable_none_aggregation_diverges_as_tf(cpus):
    m = cpus(2)
    with m.scope():
        v = tf.Variable(1.0)
    r = m.run(lambda: v.assign(_rid() + 5.0))
    assert repr(r) == (
        "PerReplica:{\n  0: <tf.Variable 'UnreadVariable' shape=() dtype=float32, numpy=5.0>,\n"
        "  1: <tf.Variable 'UnreadVariable' shape=() dtype=float32, numpy=6.0>\n}"
    )
    assert [float(x) for x in m.experimental_local_results(v)] == [5.0, 6.0]
    assert float(v) == 5.0  # cross-replica reads see the first replica
    m.run(lambda: v.assign_add(1.0))
    assert [float(x) for x in m.experimental_local_results(v)] == [6.0, 7.0]
    out = v.assign(7.0)  # cross-replica: every mirror
    assert type(out).__name__ == "Mirrored"
    assert [float(x) for x in m.experimental_local_results(v)] == [7.0, 7.0]
    assert float(v + 1) == 8.0


def test_sync_on_read_variable(cpus):
    m = cpus(2)
    with m.scope():
        s = tf.Variable(
            0.0,
            synchronization=tf.VariableSynchronization.ON_READ,
            aggregation=tf.VariableAggregation.SUM,
        )
    assert type(s).__name__ == "SyncOnReadVariable" and not s.trainable

    def g():
        s.assign_add(_rid() + 1.0)
        return s.read_value()

    r = m.run(g)
    assert [float(t) for t in m.experimental_local_results(r)] == [1.0, 2.0]
    assert float(s.read_value()) == 3.0
    assert repr(s) == (
        "SyncOnReadVariable:{\n"
        "  0: <tf.Variable 'Variable:0' shape=() dtype=float32, numpy=1.0>,\n"
        "  1: <tf.Variable 'Variable/replica_1:0' shape=() dtype=float32, numpy=2.0>\n}"
    )
    s.assign(10.0)  # SUM: each replica gets 10 / 2
    assert [float(x) for x in m.experimental_local_results(s)] == [5.0, 5.0]
    assert float(s) == 10.0

    @tf.function
    def h():
        return m.run(g)

    r = h()
    assert [float(t) for t in m.experimental_local_results(r)] == [6.0, 7.0]
    assert float(s.read_value()) == 13.0


# -- input ----------------------------------------------------------------------------------


def test_distribute_dataset_splits_batches(cpus):
    m = cpus(3)
    got = {}
    for n in (7, 5, 2, 1):
        ds = tf.data.Dataset.range(n).batch(n)
        for x in m.experimental_distribute_dataset(ds):
            got[n] = [t.numpy().tolist() for t in m.experimental_local_results(x)]
    assert got == {7: [[0, 1, 2], [3, 4, 5], [6]], 5: [[0, 1], [2, 3], [4]], 2: [[0], [1], []],
                   1: [[0], [], []]}  # fmt: skip
    ds = tf.data.Dataset.from_tensor_slices(({"a": tf.range(6)}, tf.range(6.0))).batch(6)
    ((feat, label),) = list(m.experimental_distribute_dataset(ds))
    assert type(feat["a"]).__name__ == "PerReplica"
    np.testing.assert_array_equal(m.experimental_local_results(label)[2], [4.0, 5.0])
    dd = m.experimental_distribute_dataset(tf.data.Dataset.range(4).batch(4))
    assert type(dd).__name__ == "DistributedDataset"
    assert repr(dd.element_spec) == (
        "PerReplicaSpec(TensorSpec(shape=(None,), dtype=tf.int64, name=None), "
        "TensorSpec(shape=(None,), dtype=tf.int64, name=None), "
        "TensorSpec(shape=(None,), dtype=tf.int64, name=None))"
    )
    it = iter(dd)
    assert type(it).__name__ == "DistributedIterator"
    assert [t.numpy().tolist() for t in m.experimental_local_results(next(it))] == [
        [0, 1],
        [2, 3],
        [],
    ]


def test_distribute_dataset_one_replica_unchanged():
    m = tf.distribute.MirroredStrategy(["/cpu:0"])
    dd = m.experimental_distribute_dataset(tf.data.Dataset.range(4).batch(2))
    assert repr(dd.element_spec) == "TensorSpec(shape=(None,), dtype=tf.int64, name=None)"
    assert [x.numpy().tolist() for x in dd] == [[0, 1], [2, 3]]


def test_datasets_from_function_and_input_context(cpus):
    m = cpus(2)
    seen = []

    def dfn(ctx):
        seen.append((str(ctx), ctx.num_input_pipelines, ctx.input_pipeline_id,
                     ctx.num_replicas_in_sync, ctx.get_per_replica_batch_size(8)))  # fmt: skip
        return tf.data.Dataset.range(8).batch(ctx.get_per_replica_batch_size(8))

    d2 = m.distribute_datasets_from_function(dfn)
    assert seen == [("tf.distribute.InputContext(input pipeline id 0, total: 1)", 1, 0, 2, 4)]
    (x,) = list(d2)
    assert [t.numpy().tolist() for t in m.experimental_local_results(x)] == [[0, 1, 2, 3],
                                                                           [4, 5, 6, 7]]  # fmt: skip
    ic = tf.distribute.InputContext()
    assert (ic.num_input_pipelines, ic.input_pipeline_id, ic.num_replicas_in_sync) == (1, 0, 1)
    with pytest.raises(ValueError, match=r"^The `global_batch_size` 8 is not divisible by "
                                         r"`num_replicas_in_sync` 3 $"):  # fmt: skip
        tf.distribute.InputContext(num_replicas_in_sync=3).get_per_replica_batch_size(8)
    vals = m.experimental_distribute_values_from_function(
        lambda c: tf.constant(c.replica_id_in_sync_group)
    )
    assert [int(t) for t in m.experimental_local_results(vals)] == [0, 1]


# -- losses -------------------------------------------------------------------------------------


def test_compute_average_loss_and_regularization(cpus):
    assert float(tf.nn.compute_average_loss([1.0, 2.0, 3.0, 4.0], global_batch_size=8)) == 1.25
    assert float(tf.nn.compute_average_loss([[1.0, 2.0], [3.0, 4.0]])) == 5.0
    assert float(tf.nn.compute_average_loss([1.0, 2.0, 3.0, 4.0],
                                            sample_weight=[1.0, 0.0, 1.0, 0.0])) == 1.0  # fmt: skip
    assert float(tf.nn.scale_regularization_loss(4.0)) == 4.0
    with pytest.raises(TypeError, match="global_batch_size must be an integer"):
        tf.nn.compute_average_loss([1.0, 2.0], global_batch_size=2.5)
    m = cpus(2)
    r = m.run(lambda: tf.nn.compute_average_loss([1.0, 2.0, 3.0, 4.0]))
    assert [float(t) for t in m.experimental_local_results(r)] == [1.25, 1.25]
    r = m.run(lambda: tf.nn.scale_regularization_loss(4.0))
    assert [float(t) for t in m.experimental_local_results(r)] == [2.0, 2.0]


# -- misc API -------------------------------------------------------------------------------


def test_cross_device_ops_names_and_multi_worker(monkeypatch):
    for cls in (tf.distribute.ReductionToOneDevice, tf.distribute.NcclAllReduce,
                tf.distribute.HierarchicalCopyAllReduce):  # fmt: skip
        assert isinstance(cls(), tf.distribute.CrossDeviceOps)
    m = tf.distribute.MirroredStrategy(cross_device_ops=tf.distribute.HierarchicalCopyAllReduce())
    assert m.num_replicas_in_sync == 1
    monkeypatch.delenv("TF_CONFIG", raising=False)
    mw = tf.distribute.MultiWorkerMirroredStrategy()
    assert mw.num_replicas_in_sync == 1
    r = mw.cluster_resolver
    assert type(r).__name__ == "TFConfigClusterResolver"
    assert (repr(r.cluster_spec()), r.cluster_spec().as_dict(), r.task_type, r.task_id,
            r.master()) == ("ClusterSpec({})", {}, None, None, "")  # fmt: skip
    monkeypatch.setenv("TF_CONFIG", '{"cluster": {"worker": ["localhost:12345"]}, '
                                    '"task": {"type": "worker", "index": 0}}')  # fmt: skip
    r = tf.distribute.cluster_resolver.TFConfigClusterResolver()
    assert (r.task_type, r.task_id, r.master()) == ("worker", 0, "localhost:12345")
    assert r.cluster_spec().as_dict() == {"worker": ["localhost:12345"]}
    assert tf.distribute.MultiWorkerMirroredStrategy().num_replicas_in_sync == 1
    monkeypatch.setenv("TF_CONFIG", '{"cluster": {"worker": ["a:1", "b:2"]}, '
                                    '"task": {"type": "worker", "index": 0}}')  # fmt: skip
    with pytest.raises(NotImplementedError, match="multi-process backend"):
        tf.distribute.MultiWorkerMirroredStrategy()


@pytest.mark.parametrize("replicas", [1, 2])
def test_distributed_dataset_inside_tf_function(cpus, replicas):
    m = cpus(replicas)
    ds = tf.data.Dataset.range(8).map(lambda x: tf.cast(x, tf.float32)).batch(4)
    dd = m.experimental_distribute_dataset(ds)

    @tf.function
    def over_all(dist_ds):
        total = tf.constant(0.0)
        for x in dist_ds:
            per = m.run(
                lambda v: tf.reduce_sum(v) * 10.0 + tf.cast(tf.size(v), tf.float32), args=(x,)
            )
            total += m.reduce("SUM", per, axis=None)
        return total

    assert float(over_all(dd)) == 288.0  # 10 * 28 + 8 rows
    it = iter(dd)

    @tf.function
    def step(iterator):
        x = next(iterator)
        return m.reduce("SUM", m.run(tf.reduce_sum, args=(x,)), axis=None)

    assert [float(step(it)), float(step(it))] == [6.0, 22.0]
    df = m.distribute_datasets_from_function(
        lambda ctx: tf.data.Dataset.range(8).map(lambda x: tf.cast(x, tf.float32)).batch(2)
    )
    assert float(over_all(df)) == 288.0


def test_variables_created_in_replica_functions_are_shared(cpus):
    m = cpus(2)
    made = []

    def fn():
        v = tf.Variable(tf.distribute.get_replica_context().replica_id_in_sync_group + 10)
        made.append(v)
        return v.read_value()

    out = m.run(fn)
    assert made[0] is made[1] and type(made[0]).__name__ == "MirroredVariable"
    assert [int(t) for t in m.experimental_local_results(out)] == [10, 10]

    class Lazy(tf.Module):
        def __call__(self, x):
            if not hasattr(self, "w"):
                self.w = tf.Variable(tf.ones([3, 1]))
            return tf.matmul(x, self.w)

    with m.scope():
        model = Lazy()
    r = m.run(model, args=(m.experimental_distribute_values_from_function(
        lambda c: tf.fill([1, 3], float(c.replica_id_in_sync_group + 1))),))  # fmt: skip
    assert [float(t[0, 0]) for t in m.experimental_local_results(r)] == [3.0, 6.0]
    assert len(model.trainable_variables) == 1
    assert type(model.w).__name__ == "MirroredVariable"
