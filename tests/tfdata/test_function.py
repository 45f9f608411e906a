"""Datasets inside tf.function: `for x in dataset` iterates at call time (run-time iterator
ops in a While loop), never baking elements in at trace time."""

from __future__ import annotations

import sys

import numpy as np
import pytest

import arroyo as tf

D = tf.data.Dataset


def test_for_loop_sums_at_call_time():
    data = [1, 2, 3]
    ds = D.from_generator(lambda: iter(list(data)), output_signature=tf.TensorSpec([], tf.int32))

    @tf.function
    def total():
        s = tf.constant(0)
        for x in ds:
            s += x
        return s

    assert int(total()) == 6
    data.append(10)  # the generator runs when the function runs, not when it was traced
    assert int(total()) == 16
    ops = {op.type for op in total.get_concrete_function().graph.get_operations()}
    assert {"AnonymousIteratorV3", "MakeIterator", "IteratorGetNextAsOptional"} <= ops


def test_tf_print_runs_per_element_and_reshuffles(capsys):
    ds = D.range(4).shuffle(4)

    @tf.function
    def show():
        for x in ds:
            tf.print(x, output_stream=sys.stdout)

    show()
    a = [int(v) for v in capsys.readouterr().out.split()]
    orders = {tuple(a)}
    for _ in range(6):
        show()
        orders.add(tuple(int(v) for v in capsys.readouterr().out.split()))
    assert sorted(a) == [0, 1, 2, 3] and len(orders) > 1


def test_batches_tuples_and_dataset_argument():
    x = np.arange(10, dtype=np.float32)
    ds = D.from_tensor_slices((x, x.astype(np.int64))).batch(4)

    @tf.function
    def stats(dataset):
        tot = tf.constant(0.0)
        n = tf.constant(0)
        for xb, yb in dataset:
            tot += tf.reduce_sum(xb)
            n += tf.shape(yb)[0]
        return tot, n

    tot, n = stats(ds)
    assert float(tot) == 45.0 and int(n) == 10
    tot, n = stats(D.from_tensor_slices((x[:3], x[:3].astype(np.int64))).batch(2))
    assert float(tot) == 3.0 and int(n) == 3


def test_break_variables_and_reduce():
    ds = D.range(10)

    @tf.function
    def until():
        s = tf.constant(0, tf.int64)
        for x in ds:
            if x > 3:
                break
            s += x
        return s

    assert int(until()) == 6
    v = tf.Variable(0, dtype=tf.int64)

    @tf.function
    def accumulate():
        for x in ds.take(4):
            v.assign_add(x)

    accumulate()
    accumulate()
    assert int(v.numpy()) == 12

    @tf.function
    def red():
        return ds.reduce(tf.constant(0, tf.int64), lambda s, x: s + x)

    assert int(red()) == 45


def test_iterators_in_functions():
    it = iter(D.range(10))

    @tf.function
    def take_one(iterator):
        return next(iterator)

    assert [int(take_one(it)) for _ in range(3)] == [0, 1, 2]
    assert int(next(it)) == 3  # the same Python iterator, advanced by the function

    @tf.function
    def two_from_fresh():
        i = iter(D.range(5, 10))
        return i.get_next() + i.get_next()

    assert int(two_from_fresh()) == 11 and int(two_from_fresh()) == 11


def test_map_pipeline_inside_loop():
    ds = D.range(6).map(lambda x: x * x).filter(lambda x: x % 2 == 0)

    @tf.function
    def collect():
        ta = tf.TensorArray(tf.int64, size=0, dynamic_size=True)
        i = 0
        for x in ds:
            ta = ta.write(i, x)
            i += 1
        return ta.stack()

    assert collect().numpy().tolist() == [0, 4, 16]


def test_datasets_from_symbolic_tensors_say_what_to_do():
    @tf.function
    def inside(x):
        return D.from_tensor_slices(x).reduce(tf.constant(0.0), lambda s, v: s + v)

    with pytest.raises(NotImplementedError, match="Create the dataset outside the tf.function"):
        inside(tf.constant([1.0, 2.0]))

    @tf.function
    def from_python():
        return D.range(4).reduce(tf.constant(0, tf.int64), lambda s, v: s + v)

    assert int(from_python()) == 6


def test_python_for_without_autograph_is_refused_like_tf():
    ds = D.range(3)

    @tf.function(autograph=False)
    def f():
        s = tf.constant(0, tf.int64)
        for x in ds:
            s += x
        return s

    with pytest.raises(ValueError, match="unusually high number of `tf.data.Iterator.get_next"):
        f()


def test_for_loop_over_an_eager_iterator_continues_it():
    it = iter(D.range(6))
    next(it)

    @tf.function
    def rest(iterator):
        s = tf.constant(0, tf.int64)
        for x in iterator:
            s += x
        return s

    assert int(rest(it)) == 15  # 1 + 2 + 3 + 4 + 5
    assert next(it, None) is None
