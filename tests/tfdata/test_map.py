"""Dataset.map / filter run traced graphs: Python side effects once, tf ops per element."""

from __future__ import annotations

import collections
import sys

import numpy as np
import pytest

import arroyo as tf

D = tf.data.Dataset


def vals(ds):
    return [np.asarray(x).tolist() for x in ds.as_numpy_iterator()]


def test_python_print_once_tf_print_per_element(capsys):
    def f(x):
        print("traced", x.shape)
        tf.print("elem", x, output_stream=sys.stdout)
        return x * 2

    ds = D.range(3).map(f)
    assert capsys.readouterr().out == "traced ()\n"  # traced when map() is called, as in TF
    assert vals(ds) == [0, 2, 4]
    assert capsys.readouterr().out == "elem 0\nelem 1\nelem 2\n"
    assert vals(ds) == [0, 2, 4]
    assert capsys.readouterr().out == "elem 0\nelem 1\nelem 2\n"  # no retracing


def test_function_sees_symbolic_tensors_with_element_spec():
    seen = []

    def f(x):
        seen.append((tf.is_tensor(x), x.shape.as_list(), x.dtype, type(x).__name__))
        return x

    D.from_tensor_slices([[1, 2], [3, 4]]).map(f)
    assert seen == [(True, [2], tf.int32, "SymbolicTensor")]


def test_tuple_unpacks_dict_and_namedtuple_do_not():
    ds = D.from_tensor_slices(([1, 2], [3, 4]))
    assert vals(ds.map(lambda a, b: a * b)) == [3, 8]
    with pytest.raises(TypeError, match="positional argument"):
        ds.map(lambda a: a)
    d = D.from_tensor_slices({"a": [1, 2], "b": [3, 4]})
    assert vals(d.map(lambda e: e["a"] + e["b"])) == [4, 6]
    P = collections.namedtuple("P", ["a", "b"])
    n = D.from_tensor_slices(P([1, 2], [3, 4]))
    assert vals(n.map(lambda p: p.a + p.b)) == [4, 6]


def test_nested_outputs_lists_and_python_values():
    ds = D.from_tensor_slices(([1, 2], [3, 4])).map(lambda a, b: [a, b])
    assert ds.element_spec == (tf.TensorSpec([], tf.int32), tf.TensorSpec([], tf.int32))
    assert vals(ds) == [[1, 3], [2, 4]]
    assert D.range(3).map(lambda x: 1).element_spec == tf.TensorSpec([], tf.int32)
    spec = D.range(3).map(lambda x: (x, [1, 2])).element_spec
    assert spec == (tf.TensorSpec([], tf.int64), tf.TensorSpec([2], tf.int32))
    out = D.range(2).map(lambda x: {"x": x, "pair": (x + 1, tf.cast(x, tf.float32))})
    got = list(out.as_numpy_iterator())
    assert got[1] == {"x": 1, "pair": (2, np.float32(1.0))}
    assert D.range(3).map(lambda x: tf.fill([x], x)).element_spec == tf.TensorSpec([None],
                                                                                  tf.int64)  # fmt: skip


def test_variables_are_read_at_run_time():
    v = tf.Variable(1, dtype=tf.int64)
    ds = D.range(3).map(lambda x: x + v)
    assert vals(ds) == [1, 2, 3]
    v.assign(10)
    assert vals(ds) == [10, 11, 12]


def test_autograph_converts_tensor_conditions():
    def f(x):
        if x > 2:
            y = x * 2
        else:
            y = -x
        return y

    assert vals(D.range(5).map(f)) == [0, -1, -2, 6, 8]
    assert vals(D.range(5).map(lambda x: x * 2 if x > 2 else -x)) == [0, -1, -2, 6, 8]

    def keep(x):
        if x % 2 == 0:
            return True
        return False

    assert vals(D.range(6).filter(keep)) == [0, 2, 4]


def test_filter_traced_once(capsys):
    def pred(x):
        print("traced")
        return x > 1

    ds = D.range(4).filter(pred)
    assert vals(ds) == [2, 3] and vals(ds) == [2, 3]
    assert capsys.readouterr().out == "traced\n"


def test_map_errors_surface_at_iteration():
    ds = D.from_tensor_slices([1.0, 0.0]).map(lambda x: tf.debugging.check_numerics(1 / x, "inf"))
    it = iter(ds)
    assert float(next(it)) == 1.0
    with pytest.raises(tf.errors.InvalidArgumentError):
        next(it)


def test_map_of_strings():
    ds = D.from_tensor_slices(["a", "bb"]).map(lambda s: (s, tf.shape(s)))
    assert ds.element_spec == (tf.TensorSpec([], tf.string), tf.TensorSpec([0], tf.int32))
    got = list(ds.as_numpy_iterator())
    assert [g[0] for g in got] == [b"a", b"bb"]
