"""tf.data.Dataset sources and transformations: values, order, element_spec, cardinality and
errors, as TensorFlow 2.21 gives them (checked against TF when these tests were written)."""

from __future__ import annotations

import collections

import numpy as np
import pytest

import arroyo as tf
from arroyo.framework.errors import DataLossError, InvalidArgumentError

D = tf.data.Dataset


def vals(ds):
    return [np.asarray(x).tolist() for x in ds.as_numpy_iterator()]


def spec(shape, dtype):
    return tf.TensorSpec(shape, dtype)


# -- sources ------------------------------------------------------------------------------


def test_from_tensor_slices_tuple_numpy():
    ds = D.from_tensor_slices((np.arange(5), np.arange(5.0)))
    assert ds.element_spec == (spec([], tf.int64), spec([], tf.float64))
    assert repr(ds) == (
        "<_TensorSliceDataset element_spec=(TensorSpec(shape=(), dtype=tf.int64, name=None), "
        "TensorSpec(shape=(), dtype=tf.float64, name=None))>"
    )
    out = list(ds)
    assert len(out) == 5 and isinstance(out[0], tuple)
    a, b = out[3]
    assert a.dtype == tf.int64 and b.dtype == tf.float64 and int(a) == 3 and float(b) == 3.0


def test_from_tensor_slices_python_lists_are_tensors():
    ds = D.from_tensor_slices([[1, 2], [3, 4], [5, 6]])
    assert ds.element_spec == spec([2], tf.int32)
    assert vals(ds) == [[1, 2], [3, 4], [5, 6]]


def test_from_tensor_slices_dict_and_namedtuple():
    ds = D.from_tensor_slices({"b": [1.0, 2.0], "a": ["x", "y"]})
    assert ds.element_spec == {"a": spec([], tf.string), "b": spec([], tf.float32)}
    got = list(ds.as_numpy_iterator())
    assert got[1]["a"] == b"y" and got[1]["b"] == np.float32(2.0)
    Point = collections.namedtuple("Point", ["x", "y"])
    ds = D.from_tensor_slices(Point(np.arange(3), np.ones(3, np.float32)))
    e = next(iter(ds))
    assert isinstance(e, Point) and int(e.x) == 0 and float(e.y) == 1.0


def test_from_tensor_slices_tensor_input_and_copy():
    arr = np.arange(4)
    ds = D.from_tensor_slices(tf.constant(arr))
    arr[0] = 100
    assert vals(ds) == [0, 1, 2, 3]
    arr2 = np.arange(3)
    ds2 = D.from_tensor_slices(arr2)
    arr2[:] = 7  # TF copies at creation; so does arroyo (via convert_to_tensor)
    assert vals(ds2) == [0, 1, 2]


def test_from_tensor_slices_errors():
    with pytest.raises(ValueError, match="Dimensions 3 and 4 are not compatible"):
        D.from_tensor_slices((np.arange(3), np.arange(4)))
    with pytest.raises(ValueError, match="Unbatching a tensor is only supported for rank >= 1"):
        D.from_tensor_slices(1)
    with pytest.raises(ValueError, match="non-rectangular"):
        D.from_tensor_slices([[1], [2, 3]])


def test_from_tensors():
    ds = D.from_tensors([1, 2])
    assert repr(ds) == (
        "<_TensorDataset element_spec=TensorSpec(shape=(2,), dtype=tf.int32, name=None)>"
    )
    assert vals(ds) == [[1, 2]] and len(ds) == 1
    assert D.from_tensors({"a": 1}).element_spec == {"a": spec([], tf.int32)}


def test_range():
    assert vals(D.range(5)) == [0, 1, 2, 3, 4]
    assert vals(D.range(0, 10, 3)) == [0, 3, 6, 9]
    assert vals(D.range(5, 0, -2)) == [5, 3, 1]
    assert D.range(3).element_spec == spec([], tf.int64)
    assert D.range(5, output_type=tf.int32).element_spec == spec([], tf.int32)
    assert type(next(D.range(3).as_numpy_iterator())) is np.int64
    assert repr(D.range(3)) == (
        "<_RangeDataset element_spec=TensorSpec(shape=(), dtype=tf.int64, name=None)>"
    )


def test_from_generator():
    def gen():
        yield from ([1, 2], [3, 4, 5])

    ds = D.from_generator(gen, output_signature=tf.TensorSpec([None], tf.int64))
    assert repr(ds) == (
        "<_FlatMapDataset element_spec=TensorSpec(shape=(None,), dtype=tf.int64, name=None)>"
    )
    assert vals(ds) == [[1, 2], [3, 4, 5]]
    assert vals(ds) == [[1, 2], [3, 4, 5]]  # the generator is called again per iteration

    def pairs():
        for i in range(3):
            yield i, {"s": str(i)}

    sig = (tf.TensorSpec([], tf.int32), {"s": tf.TensorSpec([], tf.string)})
    got = list(D.from_generator(pairs, output_signature=sig).as_numpy_iterator())
    assert got[2] == (2, {"s": b"2"})
    ds = D.from_generator(lambda n: iter(range(n)), output_types=tf.int64, args=(3,))
    assert ds.element_spec == spec(None, tf.int64) and vals(ds) == [0, 1, 2]


def test_from_generator_errors():
    def gen():
        yield [1, 2]
        yield [1, 2, 3]

    ds = D.from_generator(gen, output_signature=tf.TensorSpec([2], tf.int32))
    it = iter(ds)
    assert next(it).numpy().tolist() == [1, 2]
    with pytest.raises(InvalidArgumentError, match=r"yielded an element of shape \(3,\) where an "
                       r"element of shape \(2,\) was expected"):  # fmt: skip
        next(it)
    with pytest.raises(TypeError, match="output_signature"):
        D.from_generator(gen)
    with pytest.raises(TypeError, match="must be a Python callable"):
        D.from_generator([1, 2], output_types=tf.int32)


# -- batching -----------------------------------------------------------------------------


def test_batch_values_and_spec():
    ds = D.from_tensor_slices((np.arange(5), np.arange(5.0)))
    b = ds.batch(2)
    assert b.element_spec == (spec([None], tf.int64), spec([None], tf.float64))
    assert ds.batch(2, drop_remainder=True).element_spec == (spec([2], tf.int64),
                                                             spec([2], tf.float64))  # fmt: skip
    assert [(x.tolist(), y.tolist()) for x, y in b.as_numpy_iterator()] == [
        ([0, 1], [0.0, 1.0]), ([2, 3], [2.0, 3.0]), ([4], [4.0])]  # fmt: skip
    assert int(b.cardinality()) == 3 and len(ds.batch(2, drop_remainder=True)) == 2
    assert repr(D.range(3).batch(2, num_parallel_calls=2)).startswith("<_ParallelBatchDataset")


def test_batch_generic_path_matches_plan_path():
    base = D.range(10).map(lambda x: (x, tf.cast(x, tf.float32) * 2))
    got = [(a.tolist(), b.tolist()) for a, b in base.batch(4).as_numpy_iterator()]
    assert got == [([0, 1, 2, 3], [0, 2, 4, 6]), ([4, 5, 6, 7], [8, 10, 12, 14]),
                   ([8, 9], [16, 18])]  # fmt: skip
    plan = [
        (a.tolist(), b.tolist())
        for a, b in D.from_tensor_slices((np.arange(10), np.arange(10, dtype=np.float32) * 2))
        .batch(4)
        .as_numpy_iterator()
    ]
    assert plan == got


def test_batch_over_take_skip_repeat_spans_chunks():
    ds = D.range(10).skip(3).take(4).repeat(2).batch(3)
    assert vals(ds) == [[3, 4, 5], [6, 3, 4], [5, 6]]
    assert int(ds.cardinality()) == 3


def test_batch_errors():
    with pytest.raises(InvalidArgumentError, match="Batch size must be greater than zero."):
        D.range(3).batch(0)
    ds = D.range(1, 4).map(lambda x: tf.fill([x], x)).batch(3)
    with pytest.raises(InvalidArgumentError, match="Cannot add tensor to the batch"):
        list(ds)


def test_padded_batch():
    ds = D.range(1, 4).map(lambda x: tf.fill([x], x))
    assert ds.padded_batch(2).element_spec == spec([None, None], tf.int64)
    assert vals(ds.padded_batch(2)) == [[[1, 0], [2, 2]], [[3, 3, 3]]]
    got = vals(ds.padded_batch(2, padded_shapes=[4], padding_values=tf.constant(-1, tf.int64)))
    assert got == [[[1, -1, -1, -1], [2, 2, -1, -1]], [[3, 3, 3, -1]]]
    with pytest.raises(DataLossError, match="Attempted to pad to a smaller size"):
        list(ds.padded_batch(2, padded_shapes=[1]))
    d = D.from_tensor_slices({"a": [1, 2], "b": ["x", "yy"]}).padded_batch(2)
    (e,) = list(d.as_numpy_iterator())
    assert e["a"].tolist() == [1, 2] and e["b"].tolist() == [b"x", b"yy"]


def test_unbatch_and_rebatch():
    ds = D.range(8).batch(3)
    u = ds.unbatch()
    assert u.element_spec == spec([], tf.int64) and vals(u) == list(range(8))
    assert int(u.cardinality()) == -2
    assert int(D.from_tensor_slices([[1, 2], [3, 4]]).unbatch().cardinality()) == 4
    assert vals(ds.rebatch(2)) == [[0, 1], [2, 3], [4, 5], [6, 7]]
    assert int(ds.rebatch(2).cardinality()) == -2
    assert repr(ds.rebatch(2)).startswith("<_RebatchDataset element_spec=TensorSpec(shape=(None,)")
    with pytest.raises(ValueError, match="rank >= 1"):
        D.range(3).unbatch()


# -- ordering transformations -------------------------------------------------------------


def test_take_skip_repeat_values_and_cardinality():
    assert vals(D.range(10).take(3)) == [0, 1, 2]
    assert vals(D.range(10).skip(7)) == [7, 8, 9]
    assert vals(D.range(3).repeat(2)) == [0, 1, 2, 0, 1, 2]
    assert vals(D.range(3).repeat().take(7)) == [0, 1, 2, 0, 1, 2, 0]
    cards = [D.range(10).take(3), D.range(10).skip(3), D.range(10).take(-1), D.range(10).skip(20),
             D.range(3).take(5), D.range(4).skip(-1), D.range(10).repeat(2), D.range(3).repeat(0),
             D.range(3).repeat(), D.range(3).repeat().take(5)]  # fmt: skip
    assert [int(d.cardinality()) for d in cards] == [3, 7, 10, 0, 3, 0, 20, 0, -1, 5]
    assert vals(D.range(4).skip(-1)) == [] and vals(D.range(4).take(-1)) == [0, 1, 2, 3]
    assert vals(D.range(5).filter(lambda x: x > 1).repeat(2)) == [2, 3, 4, 2, 3, 4]


def test_cardinality_constants_and_len():
    assert tf.data.INFINITE_CARDINALITY == -1 and tf.data.UNKNOWN_CARDINALITY == -2
    assert tf.data.AUTOTUNE == -1 and tf.data.experimental.AUTOTUNE == -1
    assert tf.data.experimental.INFINITE_CARDINALITY == -1
    c = D.range(3).cardinality()
    assert c.dtype == tf.int64 and c.shape == () and int(c) == 3
    assert int(tf.data.experimental.cardinality(D.range(3).filter(lambda x: x > 1))) == -2
    assert len(D.range(10).batch(3)) == 4
    with pytest.raises(TypeError, match="The dataset is infinite."):
        len(D.range(3).repeat())
    with pytest.raises(TypeError, match="The dataset length is unknown."):
        len(D.range(3).filter(lambda x: x > 1))


def test_zip_concatenate_enumerate():
    z = D.zip(D.range(3), D.range(2, 5))
    assert vals(z) == [[0, 2], [1, 3], [2, 4]]
    assert int(D.zip(D.range(3), D.range(4)).cardinality()) == 3
    assert int(D.zip(D.range(3).repeat(), D.range(4).repeat()).cardinality()) == -1
    zd = D.zip({"a": D.range(2), "b": D.range(3)})
    assert list(zd.as_numpy_iterator()) == [{"a": 0, "b": 0}, {"a": 1, "b": 1}]
    assert D.zip((D.range(3), D.range(4))).element_spec == (spec([], tf.int64),) * 2
    with pytest.raises(TypeError):
        D.zip([D.range(1), D.range(2)])
    c = D.range(3).concatenate(D.range(2))
    assert vals(c) == [0, 1, 2, 0, 1] and len(c) == 5
    mixed = D.range(2).concatenate(D.range(2).map(lambda x: tf.fill([x], x)))
    assert mixed.element_spec == spec(None, tf.int64)
    with pytest.raises(TypeError, match="Incompatible dataset elements"):
        D.range(3).concatenate(D.from_tensor_slices([[1, 2]]))
    e = D.range(3).enumerate(5)
    assert e.element_spec == (spec([], tf.int64), spec([], tf.int64))
    assert vals(e) == [[5, 0], [6, 1], [7, 2]] and len(e) == 3
    assert (
        repr(e).startswith("<_ZipDataset")
        and int(D.range(2).repeat().enumerate().cardinality()) == -1
    )


def test_flat_map_interleave_window():
    assert vals(D.range(3).flat_map(lambda x: D.range(x))) == [0, 0, 1]
    il = D.range(1, 4).interleave(lambda x: D.from_tensors(x).repeat(x), cycle_length=2,
                                  block_length=1)  # fmt: skip
    assert vals(il) == [1, 2, 2, 3, 3, 3]
    il2 = D.range(1, 4).interleave(lambda x: D.from_tensors(x).repeat(4), cycle_length=3,
                                   block_length=2)  # fmt: skip
    assert vals(il2) == [1, 1, 2, 2, 3, 3, 1, 1, 2, 2, 3, 3]
    w = D.range(7).window(3)
    assert isinstance(w.element_spec, tf.data.DatasetSpec)
    assert vals(w.flat_map(lambda x: x.batch(3))) == [[0, 1, 2], [3, 4, 5], [6]]
    w2 = D.range(6).window(2, shift=3, drop_remainder=True).flat_map(lambda x: x.batch(2))
    assert vals(w2) == [[0, 1], [3, 4]]
    assert [int(D.range(7).window(3).cardinality()),
            int(D.range(7).window(3, drop_remainder=True).cardinality())] == [3, 2]  # fmt: skip
    inf = D.range(3).repeat().window(2).take(2).flat_map(lambda x: x.batch(2))  # streams
    assert vals(inf) == [[0, 1], [2, 0]]
    strided = D.range(10).window(3, shift=4, stride=2).flat_map(lambda x: x.batch(3))
    assert vals(strided) == [[0, 2, 4], [4, 6, 8], [8]]
    assert repr(D.range(3).window(2)) == (
        "<_WindowDataset element_spec=DatasetSpec(TensorSpec(shape=(), dtype=tf.int64, "
        "name=None), TensorShape([]))>"
    )


def test_scan_reduce_filter():
    s = D.range(5).scan(tf.constant(0, tf.int64), lambda st, x: (st + x, st * 10))
    assert vals(s) == [0, 0, 10, 30, 60]
    r = D.range(5).reduce(tf.constant(0, tf.int64), lambda st, x: st + x)
    assert r.dtype == tf.int64 and int(r) == 10
    r2 = D.from_tensor_slices(([1, 2], [3, 4])).reduce(0, lambda st, a, b: st + a * b)
    assert int(r2) == 11
    # a growing state relaxes its shape, as TF retraces with a relaxed spec
    r3 = D.range(3).reduce(tf.zeros([0], tf.int64), lambda st, x: tf.concat([st, [x]], 0))
    assert r3.numpy().tolist() == [0, 1, 2]
    with pytest.raises((TypeError, InvalidArgumentError)):  # TF: TypeError while tracing
        D.range(3).reduce(0, lambda st, x: st + x)  # int32 state, int64 elements
    assert vals(D.range(10).filter(lambda x: x % 3 == 0)) == [0, 3, 6, 9]
    with pytest.raises(ValueError, match=r"must return a `tf.bool` scalar tensor, but its return "
                       r"type is TensorSpec\(shape=\(\), dtype=tf.int64"):  # fmt: skip
        D.range(3).filter(lambda x: x)
    with pytest.raises(ValueError, match="shape=\\(1,\\), dtype=tf.bool"):
        D.range(3).filter(lambda x: tf.constant([True]))


def test_cache_prefetch_apply_options_shard():
    calls = []

    def gen():
        calls.append(1)
        yield from range(3)

    ds = D.from_generator(gen, output_types=tf.int64).cache()
    assert vals(ds) == [0, 1, 2] and vals(ds) == [0, 1, 2] and len(calls) == 1
    sh = D.range(10).shuffle(10).cache()
    assert vals(sh) == vals(sh)  # the first pass's order is cached
    assert vals(D.range(3).prefetch(tf.data.AUTOTUNE)) == [0, 1, 2]
    assert repr(D.range(3).prefetch(1)).startswith("<_PrefetchDataset")
    assert vals(D.range(5).apply(lambda d: d.skip(3))) == [3, 4]
    with pytest.raises(TypeError, match="must return a `tf.data.Dataset`"):
        D.range(3).apply(lambda d: 1)
    opts = tf.data.Options()
    opts.deterministic = False
    ds = D.range(3).with_options(opts)
    assert ds.options().deterministic is False and vals(ds) == [0, 1, 2]
    assert vals(D.range(10).shard(3, 1)) == [1, 4, 7] and len(D.range(10).shard(3, 1)) == 3


def test_map_repr_and_parallel():
    assert repr(D.range(3).map(lambda x: x)).startswith("<_MapDataset")
    m = D.range(3).map(lambda x: x * 2, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
    assert repr(m).startswith("<_ParallelMapDataset") and vals(m) == [0, 2, 4]
    assert int(m.cardinality()) == 3


# -- iteration ----------------------------------------------------------------------------


def test_iter_next_and_iterator_api():
    it = iter(D.range(2))
    assert isinstance(it, tf.data.Iterator)
    assert int(next(it)) == 0 and int(it.get_next()) == 1
    with pytest.raises(StopIteration):
        next(it)
    with pytest.raises(tf.errors.OutOfRangeError):
        it.get_next()
    it2 = iter(D.range(1))
    opt = it2.get_next_as_optional()
    assert bool(opt.has_value()) and int(opt.get_value()) == 0
    empty = it2.get_next_as_optional()
    assert not bool(empty.has_value())
    with pytest.raises(InvalidArgumentError):
        empty.get_value()
    assert it2.element_spec == spec([], tf.int64)


def test_as_numpy_iterator_types():
    got = list(D.from_tensor_slices((["a", "b"], [[1.0], [2.0]])).as_numpy_iterator())
    assert got[0][0] == b"a" and got[0][1].dtype == np.float32 and got[0][1].tolist() == [1.0]
    assert repr(D.range(3).as_numpy_iterator()).startswith("NumpyIterator(")


def test_list_files_and_text_lines(tmp_path):
    for n in ("b.txt", "a.txt", "c.csv"):
        (tmp_path / n).write_text(f"{n}\nline2\n")
    files = D.list_files(str(tmp_path / "*.txt"), shuffle=False)
    assert [f.decode() for f in files.as_numpy_iterator()] == [str(tmp_path / "a.txt"),
                                                              str(tmp_path / "b.txt")]  # fmt: skip
    lines = tf.data.TextLineDataset([str(tmp_path / "a.txt"), str(tmp_path / "b.txt")])
    assert list(lines.as_numpy_iterator()) == [b"a.txt", b"line2", b"b.txt", b"line2"]
    assert lines.element_spec == spec([], tf.string)
    with pytest.raises(InvalidArgumentError):
        D.list_files(str(tmp_path / "*.none"))


def test_get_single_element_and_sampling():
    assert int(D.from_tensors(5).get_single_element()) == 5
    with pytest.raises(InvalidArgumentError):
        D.range(2).get_single_element()
    s = D.sample_from_datasets([D.range(3), D.range(10, 13)], seed=1)
    assert sorted(vals(s)) == [0, 1, 2, 10, 11, 12]
    c = D.choose_from_datasets([D.range(3), D.range(10, 13)], D.from_tensor_slices(
        tf.constant([0, 1, 1, 0], tf.int64)))  # fmt: skip
    assert vals(c) == [0, 10, 11, 1]


def test_from_generator_output_types_and_shapes():
    def gen():
        yield 1, [b"a", b"b"]
        yield 2, [b"c"]

    ds = D.from_generator(gen, output_types=(tf.int32, tf.string), output_shapes=((), (None,)))
    assert ds.element_spec == (spec([], tf.int32), spec([None], tf.string))
    got = list(ds.as_numpy_iterator())
    assert got[0][0] == 1 and got[0][1].tolist() == [b"a", b"b"] and got[1][1].tolist() == [b"c"]
    assert D.from_generator(gen, output_types=(tf.int32, tf.string)).element_spec == (
        spec(None, tf.int32), spec(None, tf.string))  # fmt: skip
    d = D.from_generator(lambda: iter([{"a": 1}]), output_types={"a": tf.int64},
                         output_shapes={"a": []})  # fmt: skip
    assert d.element_spec == {"a": spec([], tf.int64)} and list(d.as_numpy_iterator()) == [{"a": 1}]


def test_fixed_length_records_and_compressed_lines(tmp_path):
    import gzip

    p = tmp_path / "fx.bin"
    p.write_bytes(b"HH" + bytes(range(12)) + b"F")
    ds = tf.data.FixedLengthRecordDataset(str(p), 4, header_bytes=2, footer_bytes=1)
    assert list(ds.as_numpy_iterator()) == [bytes(range(4)), bytes(range(4, 8)),
                                            bytes(range(8, 12))]  # fmt: skip
    g = tmp_path / "l.txt.gz"
    g.write_bytes(gzip.compress(b"x\ny\n"))
    lines = tf.data.TextLineDataset(str(g), compression_type="GZIP")
    assert list(lines.as_numpy_iterator()) == [b"x", b"y"]
