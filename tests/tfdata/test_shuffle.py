"""Dataset.shuffle: TF's streaming-buffer semantics, seeds, reshuffling, and the vectorized
index-plan path agreeing with the element-by-element path."""

from __future__ import annotations

import numpy as np
import pytest

import arroyo as tf
from arroyo.data.dataset import _buffer_shuffle
from arroyo.framework.errors import InvalidArgumentError

D = tf.data.Dataset


def order(ds):
    return [int(x) for x in ds.as_numpy_iterator()]


def test_each_element_once_and_reshuffled_each_epoch():
    tf.random.set_seed(3)
    ds = D.range(100).shuffle(100)
    a, b = order(ds), order(ds)
    assert sorted(a) == list(range(100)) and sorted(b) == list(range(100))
    assert a != b and a != list(range(100))


def test_same_global_seed_same_orders():
    tf.random.set_seed(42)
    ds = D.from_tensor_slices(np.arange(50)).shuffle(50)
    first = [order(ds), order(ds)]
    tf.random.set_seed(42)
    ds2 = D.from_tensor_slices(np.arange(50)).shuffle(50)
    assert [order(ds2), order(ds2)] == first
    tf.random.set_seed(43)
    assert order(D.from_tensor_slices(np.arange(50)).shuffle(50)) != first[0]


def test_op_seed_and_no_reshuffle():
    a = order(D.range(30).shuffle(30, seed=7))
    assert a == order(D.range(30).shuffle(30, seed=7))  # same op seed, no global seed
    fixed = D.range(30).shuffle(30, seed=1, reshuffle_each_iteration=False)
    assert order(fixed) == order(fixed)
    re = D.range(30).shuffle(30, seed=1)
    assert order(re) != order(re)


def test_buffer_of_one_keeps_order_and_errors():
    assert order(D.range(10).shuffle(1)) == list(range(10))
    with pytest.raises(InvalidArgumentError, match="buffer_size must be greater than zero"):
        D.range(3).shuffle(0)
    ds = D.range(7).shuffle(3)
    assert ds.element_spec == tf.TensorSpec([], tf.int64) and len(ds) == 7
    assert repr(ds).startswith("<_ShuffleDataset")


@pytest.mark.parametrize("generic", [False, True])
def test_small_buffer_only_mixes_locally(generic):
    n, b = 200, 5
    ds = D.range(n)
    if generic:  # map forces the element-by-element path
        ds = ds.map(lambda x: x)
    ds = ds.shuffle(b, seed=3)
    for _ in range(5):
        out = order(ds)
        assert sorted(out) == list(range(n))
        # the k-th output must already have entered the buffer: it is < k + b
        assert all(v < k + b for k, v in enumerate(out))
        assert max(k - v for k, v in enumerate(out)) > 3  # but it does mix


@pytest.mark.parametrize("generic", [False, True])
def test_full_buffer_is_uniform(generic):
    n, epochs = 6, 3000
    ds = D.range(n)
    if generic:
        ds = ds.map(lambda x: x)
    ds = ds.shuffle(n, seed=11)
    counts = np.zeros((n, n))
    for _ in range(epochs):
        for pos, v in enumerate(order(ds)):
            counts[v, pos] += 1
    expected = epochs / n
    assert np.all(np.abs(counts - expected) < 5 * np.sqrt(expected))


def test_first_output_uniform_over_first_buffer():
    b, trials = 4, 4000
    firsts = np.zeros(20)
    ds = D.range(20).shuffle(b, seed=5)
    for _ in range(trials):
        firsts[next(ds.as_numpy_iterator())] += 1
    assert firsts[b:].sum() == 0
    assert np.all(np.abs(firsts[:b] - trials / b) < 5 * np.sqrt(trials / b))


def _reference_buffer(idx, b, rng):
    """TF's algorithm step by step, drawing the same random numbers as _buffer_shuffle."""
    n = len(idx)
    picks = rng.integers(0, b, size=n - b)
    buf = list(idx[:b])
    out = []
    for k, p in enumerate(picks):
        out.append(buf[p])
        buf[p] = idx[b + k]
    tail = rng.permutation(b)
    out.extend(buf[i] for i in tail)
    return out


@pytest.mark.parametrize("n,b", [(10, 3), (100, 7), (57, 56), (40, 1)])
def test_vectorized_buffer_equals_step_by_step(n, b):
    idx = np.arange(100, 100 + n, dtype=np.int64)
    got = _buffer_shuffle(idx, b, np.random.Generator(np.random.PCG64(9)))
    want = _reference_buffer(idx, b, np.random.Generator(np.random.PCG64(9)))
    assert got.tolist() == [int(v) for v in want]


def test_shuffle_batch_keeps_pairs_and_uses_whole_batches():
    x = np.arange(1000, dtype=np.float32)
    y = x * 3
    ds = D.from_tensor_slices((x, y)).shuffle(100, seed=1).batch(32)
    seen = []
    for xb, yb in ds:
        assert xb.dtype == tf.float32 and xb.shape == yb.shape
        np.testing.assert_array_equal(yb.numpy(), xb.numpy() * 3)
        seen.append(xb.numpy())
    assert [len(s) for s in seen] == [32] * 31 + [8]
    assert sorted(np.concatenate(seen).tolist()) == x.tolist()


def test_shuffle_after_repeat_and_take_over_plans():
    ds = D.range(10).repeat(3).shuffle(30, seed=2)
    out = order(ds)
    assert sorted(out) == sorted(list(range(10)) * 3)
    t = D.range(100).shuffle(100, seed=4).take(10)
    assert len(order(t)) == 10 and len(set(order(t))) == 10
    inf = D.range(5).repeat().shuffle(5, seed=1).take(12)  # infinite input: streaming path
    assert len(order(inf)) == 12
