"""`tf.random`: the same numbers as TensorFlow 2.21 on the CPU, for the same seeds.

Three families, as in TF:

* Stateful ops (`tf.random.normal`, `uniform`, `truncated_normal`, `shuffle`,
  `categorical`): raw ops RandomStandardNormal, RandomUniform, RandomUniformInt,
  TruncatedNormal, RandomShuffle, Multinomial with `seed`/`seed2` attrs from
  `random_seed.get_seed`. Each distinct attr set owns a Philox generator (TF's eager
  kernel cache); a call reserves 256 blocks per output element from it.
* Stateless ops (`tf.random.stateless_*`, `split`, `fold_in`): the seed pair is
  scrambled into a Philox key and counter (StatelessRandomGetKeyCounter) and the V2
  kernels draw from there; the same seed always gives the same numbers.
* `tf.random.Generator`: an int64 Variable [counter_lo, counter_hi, key]; each draw
  reads the state and skips it by 256 blocks per output (RngReadAndSkip), then calls
  the stateless V2 kernels with that key and counter.

The bit-level generation (Philox blocks, float/int transforms, Box-Muller with glibc's
logf/sincosf, truncated-normal rejection per 256-block region) is in `arroyo.ops.philox`.
"""

from __future__ import annotations

import enum
import math
import os
import types

import numpy as np

from arroyo.framework import dtypes, random_seed
from arroyo.framework.context import state
from arroyo.framework.errors import InvalidArgumentError, NotFoundError, UnimplementedError
from arroyo.framework.op_registry import defop, execute
from arroyo.framework.random_seed import get_seed, set_seed
from arroyo.framework.tensor import EagerTensor, _wrap, convert_to_tensor
from arroyo.framework.tensor_shape import TensorShape
from arroyo.ops import philox
from arroyo.ops._helpers import is_tensorlike, static_value

__all__ = [
    "normal", "uniform", "truncated_normal", "shuffle", "categorical", "stateless_normal",
    "stateless_uniform", "stateless_truncated_normal", "stateless_categorical", "split",
    "fold_in", "stateless_shuffle", "Generator", "get_global_generator",
    "set_global_generator", "create_rng_state", "Algorithm", "set_seed", "get_seed",
]  # fmt: skip

_FLOATS = (dtypes.float16, dtypes.bfloat16, dtypes.float32, dtypes.float64)
_INTS = (dtypes.int32, dtypes.int64)
_FULL_INTS = (dtypes.int32, dtypes.int64, dtypes.uint32, dtypes.uint64)
_MULTINOMIAL_T = (dtypes.float16, dtypes.bfloat16, dtypes.float32, dtypes.float64)
_CPP = {"float16": "half", "float32": "float", "float64": "double"}
_MASK64 = philox.MASK64
_MASK128 = philox.MASK128


def _cpp(dtype) -> str:
    return _CPP.get(dtype.name, dtype.name)


def _err(op, msg):
    return InvalidArgumentError(None, None, f"{msg} [Op:{op}]")


def _shape_str(shape) -> str:
    return "[" + ",".join(str(d) for d in shape) + "]"


def _attr_error(op, attr, dtype, allowed):
    names = ", ".join(_cpp(d) for d in allowed)
    return _err(op, f"Value for attr '{attr}' of {_cpp(dtype)} is not in the list of allowed "
                    f"values: {names}\n\t; NodeDef: {{{{node {op}}}}}")  # fmt: skip


def _np(dtype):
    return dtypes.np_dtype(dtype)


def _dims(shape, op) -> tuple:
    """Output dims named by a shape input, with TF's checks (a vector of ints >= 0)."""
    a = np.asarray(shape)
    if a.ndim != 1:
        raise _err(
            op, f"shape must be a vector of {{int32,int64}}, got shape {_shape_str(a.shape)}"
        )
    if a.dtype.kind not in "iu":
        raise _err(op, "shape must be a vector of {int32,int64}.")
    dims = tuple(int(d) for d in a.tolist())
    for d in dims:
        if d < 0:
            raise _err(op, f"Dimension {d} must be >= 0")
    return dims


def _scalar(x, op, what):
    a = np.asarray(x)
    if a.ndim != 0:
        raise _err(op, f"{what} must be 0-D, got shape {_shape_str(a.shape)}")
    return a[()]


# -- inference ----------------------------------------------------------------------------


def _shape_of(shape_t) -> TensorShape:
    """Output shape from a shape input: known values, else its length, else unknown."""
    v = static_value(shape_t)
    if v is not None:
        a = np.asarray(v)
        if a.ndim == 1:
            return TensorShape([int(d) for d in a.tolist()])
        return TensorShape(None)
    s = shape_t.shape
    if s.rank == 1 and s.as_list()[0] is not None:
        return TensorShape([None] * s.as_list()[0])
    return TensorShape(None)


def _infer_from_attr(attr, default=dtypes.float32):
    def infer(inputs, attrs):
        dt = attrs.get(attr) or default
        return [(dtypes.as_dtype(dt), _shape_of(inputs[0]))]

    return infer


def _infer_same(inputs, attrs):
    return [(inputs[0].dtype, inputs[0].shape)]


def _infer_multinomial(inputs, attrs):
    ls = inputs[0].shape
    ns = static_value(inputs[1])
    batch = ls.as_list()[0] if ls.rank == 2 else None
    samples = None if ns is None else int(np.asarray(ns))
    return [
        (dtypes.as_dtype(attrs.get("output_dtype") or dtypes.int64), TensorShape([batch, samples]))
    ]


# -- stateful kernels: one Philox generator per attr set (TF's eager kernel cache) ---------


def _reserve(op, key_attrs, seed, seed2, node, blocks):
    cell = random_seed.kernel_generator((op,) + key_attrs, seed, seed2, node)
    return random_seed.reserve(cell, blocks)


def _stateful_float(op, sampler):
    def kernel(shape, seed=0, seed2=0, dtype=None, T=None, _node=None):
        dtype = dtypes.as_dtype(dtype or dtypes.float32)
        if dtype not in _FLOATS:
            raise _attr_error(op, "dtype", dtype, _FLOATS)
        dims = _dims(shape, op)
        size = math.prod(dims)
        key, counter = _reserve(op, (seed, seed2, dtype, np.asarray(shape).dtype.char), seed, seed2,
                                _node, size * 256)  # fmt: skip
        return sampler(counter, key, size, _np(dtype)).reshape(dims)

    return kernel


_RANDOM_UNIFORM = defop(
    "RandomUniform", ("shape",), _stateful_float("RandomUniform", philox.uniform_float),
    attrs={"seed": 0, "seed2": 0, "dtype": None, "T": None}, infer=_infer_from_attr("dtype"),
    stateful=True, differentiable=False,
)  # fmt: skip
_RANDOM_NORMAL = defop(
    "RandomStandardNormal", ("shape",), _stateful_float("RandomStandardNormal", philox.normal),
    attrs={"seed": 0, "seed2": 0, "dtype": None, "T": None}, infer=_infer_from_attr("dtype"),
    stateful=True, differentiable=False,
)  # fmt: skip
_TRUNCATED_NORMAL = defop(
    "TruncatedNormal", ("shape",), _stateful_float("TruncatedNormal", philox.truncated_normal),
    attrs={"seed": 0, "seed2": 0, "dtype": None, "T": None}, infer=_infer_from_attr("dtype"),
    stateful=True, differentiable=False,
)  # fmt: skip


def _int_bounds(minval, maxval, op, attr="Tout"):
    dt = np.asarray(minval).dtype
    if dt not in (np.int32, np.int64):
        raise _attr_error(op, attr, dtypes.as_dtype(dt), _INTS)
    lo = _scalar(minval, op, "minval")
    hi = _scalar(maxval, op, "maxval")
    return lo, hi


def _check_lo_hi(lo, hi, op):
    if not lo < hi:
        raise _err(op, f"Need minval < maxval, got {lo} >= {hi}")


def _random_uniform_int_kernel(
    shape, minval, maxval, seed=0, seed2=0, Tout=None, T=None, _node=None
):
    op = "RandomUniformInt"
    lo, hi = _int_bounds(minval, maxval, op)
    dims = _dims(shape, op)
    size = math.prod(dims)
    out_dt = np.asarray(minval).dtype
    if size == 0:  # TF checks minval < maxval only for non-empty outputs
        return np.zeros(dims, dtype=out_dt)
    _check_lo_hi(lo, hi, op)
    key, counter = _reserve(op, (seed, seed2, out_dt.char, np.asarray(shape).dtype.char), seed, seed2,
                            _node, size * 256)  # fmt: skip
    return philox.uniform_int(counter, key, size, int(lo), int(hi), out_dt).reshape(dims)


_RANDOM_UNIFORM_INT = defop(
    "RandomUniformInt", ("shape", "minval", "maxval"), _random_uniform_int_kernel,
    attrs={"seed": 0, "seed2": 0, "Tout": None, "T": None},
    infer=lambda inputs, attrs: [(inputs[1].dtype, _shape_of(inputs[0]))],
    stateful=True, differentiable=False,
)  # fmt: skip


# -- shuffle ------------------------------------------------------------------------------


def _permutation(words: np.ndarray, n: int) -> np.ndarray:
    """TF's ShuffleRange on 0..n-1: swap i with j_i = i + word_i % (n - i), i = 0..n-2."""
    i = np.arange(n - 1, dtype=np.int64)
    span = (n - i).astype(np.uint32)  # the kernel takes `n - i` as uint32
    j = i + (words[: n - 1] % span).astype(np.int64)
    if n <= 4096:
        p = list(range(n))
        for a, b in enumerate(j.tolist()):  # each swap depends on the previous ones
            p[a], p[b] = p[b], p[a]
        return np.asarray(p, dtype=np.intp)
    return _swap_sequence_result(j, n)


def _stable_order(j: np.ndarray) -> np.ndarray:
    """Stable argsort of non-negative ints < 2**32: two 16-bit radix passes (NumPy sorts
    16-bit keys by radix), several times faster than a comparison sort."""
    first = np.argsort((j & 0xFFFF).astype(np.uint16), kind="stable")
    return first[np.argsort((j[first] >> 16).astype(np.uint16), kind="stable")]


def _swap_sequence_result(j: np.ndarray, n: int) -> np.ndarray:
    """The permutation the swaps (i, j_i), j_i >= i, produce, without a Python loop.

    Position i is final after step i and receives what position j_i holds then: the
    value the latest earlier step targeting j_i moved there, or j_i itself. The value a
    step k moves away is, in turn, what position k held, so values follow chains of
    "latest earlier step targeting me", resolved by pointer jumping.
    """
    order = _stable_order(j)  # steps grouped by target, in step order
    sj = j[order]
    same = np.zeros(n - 1, dtype=bool)
    np.equal(sj[1:], sj[:-1], out=same[1:])
    prev_sorted = np.where(same, np.roll(order, 1), -1)
    prev = np.empty(n - 1, dtype=np.int64)
    prev[order] = prev_sorted  # the latest earlier step with the same target
    counts = np.bincount(j, minlength=n)
    ends = np.maximum(np.cumsum(counts) - 1, 0)
    idx = np.arange(n, dtype=np.int64)
    last = np.where(counts > 0, order[ends], -1)  # the latest step targeting position x
    # Steps before x that target x: the group's last, unless that is step x itself.
    parent = np.where(last == idx, prev_sorted[ends], last)
    root = np.where(parent < 0, idx, parent)
    while True:
        nxt = root[root]
        if np.array_equal(nxt, root):
            break
        root = nxt
    out = np.empty(n, dtype=np.intp)
    out[:-1] = np.where(prev >= 0, root[np.maximum(prev, 0)], j)
    out[-1] = root[-1]
    return out


def _shuffle(value, counter, key):
    n = value.shape[0]
    perm = _permutation(philox.words(counter, key, n - 1), n)
    return value[perm]


def _random_shuffle_kernel(value, seed=0, seed2=0, T=None, _node=None):
    op = "RandomShuffle"
    value = np.asarray(value)
    if value.ndim == 0 or value.size <= 1 or value.shape[0] <= 1:
        return value
    n = value.shape[0]
    key, counter = _reserve(
        op, (seed, seed2, value.dtype.str), seed, seed2, _node, (n - 1 + 3) // 4
    )
    return _shuffle(value, counter, key)


_RANDOM_SHUFFLE = defop(
    "RandomShuffle", ("value",), _random_shuffle_kernel, attrs={"seed": 0, "seed2": 0, "T": None},
    infer=_infer_same, stateful=True, differentiable=False,
)  # fmt: skip


# -- multinomial ----------------------------------------------------------------------------


def _intra_op_threads() -> int:
    from arroyo.framework import device

    n = device.get_intra_op_parallelism_threads()
    if n:
        return int(n)
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - non-Linux
        return os.cpu_count() or 1


def _shard_blocks(total: int, cost: int, threads: int):
    """The [start, limit) row ranges TF's Shard (Eigen's parallelFor) hands to workers.

    Multinomial restarts its stream at each range, so its samples depend on this split:
    small problems run in one range; bigger ones are cut by Eigen's cost model.
    """
    if total <= 1 or threads <= 1:
        return [(0, total)]
    # Eigen's CostModel::numThreads: one thread unless the work pays for more.
    nthreads = int(min((total * cost - 100000) / 100000 + 0.9, threads))
    if nthreads <= 1:
        return [(0, total)]
    # Eigen's CalculateParallelForBlock.
    block_size_f = 1.0 / (cost / 40000)
    block_size = min(total, max(-(-total // (4 * threads)), int(block_size_f)))
    max_block_size = min(total, 2 * block_size)
    block_count = -(-total // block_size)
    max_eff = block_count / (-(-block_count // threads) * threads)
    prev = block_count
    while max_eff < 1.0 and prev > 1:
        coarser = -(-total // (prev - 1))
        if coarser > max_block_size:
            break
        coarser_count = -(-total // coarser)
        prev = coarser_count
        eff = coarser_count / (-(-coarser_count // threads) * threads)
        if eff + 0.01 >= max_eff:
            block_size, block_count = coarser, coarser_count
            max_eff = max(max_eff, eff)
    return [(s, min(s + block_size, total)) for s in range(0, total, block_size)]


def _multinomial(logits, num_samples, counter, key, out_dtype):
    """TF's CPU MultinomialFunctor: per row, an unnormalized double CDF of exp(logit - max)
    over finite logits, searched with uniform doubles (two words each)."""
    batch, classes = logits.shape
    out = np.empty((batch, num_samples), dtype=out_dtype)
    lg = logits.astype(np.float64)
    finite = np.isfinite(lg)
    mx = np.where(finite, lg, -np.inf).max(axis=1)
    mx[~np.isfinite(mx)] = 0.0  # no finite logit: every CDF entry is 0 whatever the shift
    with np.errstate(over="ignore", invalid="ignore"):
        cdf = np.where(finite, np.exp(lg - mx[:, None]), 0.0).cumsum(axis=1)
    total = cdf[:, -1]
    cost = int(50 * (num_samples * math.log(classes) / math.log(2) + classes))
    for start, limit in _shard_blocks(batch, cost, _intra_op_threads()):
        # Each range restarts at block start * (num_samples + 3) // 4, then reads on.
        c = (counter + start * (num_samples + 3) // 4) & _MASK128
        w = philox.words(c, key, (limit - start) * num_samples * 2).reshape(-1, 2)
        u = philox._double01(w[:, 0], w[:, 1]).reshape(limit - start, num_samples)
        to_find = u * total[start:limit, None]
        for r in range(limit - start):
            out[start + r] = np.searchsorted(cdf[start + r], to_find[r], side="right")
    return out


def _check_multinomial(logits, num_samples, op, T):
    if T is not None and dtypes.as_dtype(T) not in _MULTINOMIAL_T:
        raise NotFoundError(None, None, f"Could not find device for node: {{{{node {op}}}}} = "
                                        f"{op}[T=DT_{dtypes.as_dtype(T).name.upper()}] [Op:{op}]")  # fmt: skip
    logits = np.asarray(logits)
    if logits.ndim != 2:
        raise _err(op, f"logits should be a matrix, got shape {_shape_str(logits.shape)}")
    ns = np.asarray(num_samples)
    if ns.ndim != 0:
        raise _err(op, f"num_samples should be a scalar, got shape {_shape_str(ns.shape)}")
    ns = int(ns)
    if ns < 0:
        raise _err(op, f"num_samples should be non-negative, got {ns}")
    if logits.shape[1] <= 0:
        raise _err(op, f"num_classes should be positive, got {logits.shape[1]}")
    return logits, ns


def _multinomial_kernel(
    logits, num_samples, seed=0, seed2=0, T=None, output_dtype=None, _node=None
):
    op = "Multinomial"
    logits, ns = _check_multinomial(logits, num_samples, op, T)
    out_dt = _np(dtypes.as_dtype(output_dtype or dtypes.int64))
    batch = logits.shape[0]
    if batch * ns == 0:
        return np.zeros((batch, ns), dtype=out_dt)
    ceil4 = (ns + 3) // 4 * 4 * 2  # the CPU kernel draws doubles: two words per sample
    key, counter = _reserve(op, (seed, seed2, logits.dtype.str, out_dt.char), seed, seed2, _node,
                            batch * ceil4 * 256)  # fmt: skip
    return _multinomial(logits, ns, counter, key, out_dt)


_MULTINOMIAL = defop(
    "Multinomial", ("logits", "num_samples"), _multinomial_kernel,
    attrs={"seed": 0, "seed2": 0, "T": None, "output_dtype": dtypes.int64},
    infer=_infer_multinomial, stateful=True, differentiable=False,
)  # fmt: skip


# -- stateless ops ----------------------------------------------------------------------------


def _seed_pair(seed, op):
    s = np.asarray(seed)
    if s.ndim != 1 or s.shape[0] != 2:
        raise _err(op, f"seed must have shape [2], not {_shape_str(s.shape)}")
    if s.dtype.kind not in "iu":
        raise _attr_error(op, "Tseed", dtypes.as_dtype(s.dtype), _INTS)
    return int(s[0]), int(s[1])


def _get_key_counter_kernel(seed, Tseed=None):
    key, counter = philox.scramble_seed(*_seed_pair(seed, "StatelessRandomGetKeyCounter"))
    return [np.array([key], dtype=np.uint64),
            np.array([counter & _MASK64, counter >> 64], dtype=np.uint64)]  # fmt: skip


_GET_KEY_COUNTER = defop(
    "StatelessRandomGetKeyCounter", ("seed",), _get_key_counter_kernel, attrs={"Tseed": dtypes.int64},
    infer=lambda inputs, attrs: [(dtypes.uint64, TensorShape([1])), (dtypes.uint64, TensorShape([2]))],
    num_outputs=2, differentiable=False,
)  # fmt: skip


def _get_key_counter_alg_kernel(seed, Tseed=None):
    key, counter = _get_key_counter_kernel(seed)
    return [key, counter, np.int32(1)]


_GET_KEY_COUNTER_ALG = defop(
    "StatelessRandomGetKeyCounterAlg", ("seed",), _get_key_counter_alg_kernel,
    attrs={"Tseed": dtypes.int64},
    infer=lambda inputs, attrs: [(dtypes.uint64, TensorShape([1])), (dtypes.uint64, TensorShape([2])),
                                 (dtypes.int32, TensorShape([]))],
    num_outputs=3, differentiable=False,
)  # fmt: skip


def _key_counter(key, counter, alg, op):
    """Python (key, counter) ints from V2 op inputs, with TF's checks."""
    a = np.asarray(alg)
    if a.ndim != 0:
        raise _err(op, f"input 3 (0-based) must have shape [], not {_shape_str(a.shape)}")
    alg = int(a)
    if alg == 3:  # AUTO_SELECT is Philox on the CPU
        alg = 1
    k = np.asarray(key)
    c = np.asarray(counter)
    if k.ndim != 1 or k.shape[0] != 1:
        raise _err(op, f"key must have shape [1], not {_shape_str(k.shape)}. "
                       "(Note that batched keys are not supported yet.)")  # fmt: skip
    # TF passes the algorithm id as the minimum counter length (so Philox accepts 1).
    if c.ndim != 1 or c.shape[0] < alg:
        raise _err(op, f"counter must be a vector with length at least {alg}; got shape: "
                       f"{_shape_str(c.shape)}. (Note that batched counters are not supported yet.)")  # fmt: skip
    k64 = k.astype(np.int64).view(np.uint64) if k.dtype.kind == "i" else k.astype(np.uint64)
    c64 = c.astype(np.int64).view(np.uint64) if c.dtype.kind == "i" else c.astype(np.uint64)
    cnt = int(c64[0]) | ((int(c64[1]) << 64) if c64.shape[0] > 1 else 0)
    return alg, int(k64[0]), cnt


def _check_alg(alg, op):
    if alg != 1:
        raise _err(op, f"Unsupported algorithm id: {alg}")


def _stateless_v2(op, sampler, allowed):
    def kernel(shape, key, counter, alg, dtype=None, Tshape=None):
        dtype = dtypes.as_dtype(dtype or dtypes.float32)
        if dtype not in allowed:
            raise _attr_error(op, "dtype", dtype, allowed)
        alg_id, k, c = _key_counter(key, counter, alg, op)
        dims = _dims(shape, op)
        size = math.prod(dims)
        if size == 0:
            return np.zeros(dims, dtype=_np(dtype))
        _check_alg(alg_id, op)
        return sampler(c, k, size, _np(dtype)).reshape(dims)

    return kernel


def _v2_attrs(default):
    return {"dtype": default, "Tshape": dtypes.int32}


_SL_UNIFORM_V2 = defop(
    "StatelessRandomUniformV2", ("shape", "key", "counter", "alg"),
    _stateless_v2("StatelessRandomUniformV2", philox.uniform_float, _FLOATS),
    attrs=_v2_attrs(dtypes.float32), infer=_infer_from_attr("dtype"), differentiable=False,
)  # fmt: skip
_SL_NORMAL_V2 = defop(
    "StatelessRandomNormalV2", ("shape", "key", "counter", "alg"),
    _stateless_v2("StatelessRandomNormalV2", philox.normal, _FLOATS),
    attrs=_v2_attrs(dtypes.float32), infer=_infer_from_attr("dtype"), differentiable=False,
)  # fmt: skip
_SL_TRUNCATED_V2 = defop(
    "StatelessTruncatedNormalV2", ("shape", "key", "counter", "alg"),
    _stateless_v2("StatelessTruncatedNormalV2", philox.truncated_normal, _FLOATS),
    attrs=_v2_attrs(dtypes.float32), infer=_infer_from_attr("dtype"), differentiable=False,
)  # fmt: skip
_SL_FULL_INT_V2 = defop(
    "StatelessRandomUniformFullIntV2", ("shape", "key", "counter", "alg"),
    _stateless_v2("StatelessRandomUniformFullIntV2", philox.full_int, _FULL_INTS),
    attrs=_v2_attrs(dtypes.uint64), infer=_infer_from_attr("dtype", dtypes.uint64),
    differentiable=False,
)  # fmt: skip


def _sl_uniform_int_v2_kernel(shape, key, counter, alg, minval, maxval, dtype=None, Tshape=None):
    op = "StatelessRandomUniformIntV2"
    alg_id, k, c = _key_counter(key, counter, alg, op)
    dims = _dims(shape, op)
    size = math.prod(dims)
    out_dt = np.asarray(minval).dtype
    if size == 0:
        return np.zeros(dims, dtype=out_dt)
    _check_alg(alg_id, op)
    lo, hi = _int_bounds(minval, maxval, op, "dtype")
    _check_lo_hi(lo, hi, op)
    return philox.uniform_int(c, k, size, int(lo), int(hi), out_dt).reshape(dims)


_SL_UNIFORM_INT_V2 = defop(
    "StatelessRandomUniformIntV2", ("shape", "key", "counter", "alg", "minval", "maxval"),
    _sl_uniform_int_v2_kernel, attrs={"dtype": None, "Tshape": dtypes.int32},
    infer=lambda inputs, attrs: [(inputs[4].dtype, _shape_of(inputs[0]))], differentiable=False,
)  # fmt: skip


# V1 stateless ops: the seed input is scrambled inside the kernel.


def _stateless_v1(op, sampler, allowed, default):
    def kernel(shape, seed, dtype=None, T=None, Tseed=None):
        dtype = dtypes.as_dtype(dtype or default)
        if dtype not in allowed:
            raise _attr_error(op, "dtype", dtype, allowed)
        dims = _dims(shape, op)
        s0, s1 = _seed_pair(seed, op)
        size = math.prod(dims)
        if size == 0:
            return np.zeros(dims, dtype=_np(dtype))
        k, c = philox.scramble_seed(s0, s1)
        return sampler(c, k, size, _np(dtype)).reshape(dims)

    return kernel


def _v1_attrs(default):
    return {"dtype": default, "T": dtypes.int32, "Tseed": dtypes.int64}


_SL_UNIFORM = defop(
    "StatelessRandomUniform", ("shape", "seed"),
    _stateless_v1("StatelessRandomUniform", philox.uniform_float, _FLOATS, dtypes.float32),
    attrs=_v1_attrs(dtypes.float32), infer=_infer_from_attr("dtype"), differentiable=False,
)  # fmt: skip
_SL_NORMAL = defop(
    "StatelessRandomNormal", ("shape", "seed"),
    _stateless_v1("StatelessRandomNormal", philox.normal, _FLOATS, dtypes.float32),
    attrs=_v1_attrs(dtypes.float32), infer=_infer_from_attr("dtype"), differentiable=False,
)  # fmt: skip
_SL_TRUNCATED = defop(
    "StatelessTruncatedNormal", ("shape", "seed"),
    _stateless_v1("StatelessTruncatedNormal", philox.truncated_normal, _FLOATS, dtypes.float32),
    attrs=_v1_attrs(dtypes.float32), infer=_infer_from_attr("dtype"), differentiable=False,
)  # fmt: skip
_SL_FULL_INT = defop(
    "StatelessRandomUniformFullInt", ("shape", "seed"),
    _stateless_v1("StatelessRandomUniformFullInt", philox.full_int, _FULL_INTS, dtypes.uint64),
    attrs=_v1_attrs(dtypes.uint64), infer=_infer_from_attr("dtype", dtypes.uint64),
    differentiable=False,
)  # fmt: skip


def _sl_uniform_int_kernel(shape, seed, minval, maxval, dtype=None, T=None, Tseed=None):
    op = "StatelessRandomUniformInt"
    dims = _dims(shape, op)
    s0, s1 = _seed_pair(seed, op)
    lo, hi = _int_bounds(minval, maxval, op, "dtype")
    size = math.prod(dims)
    out_dt = np.asarray(minval).dtype
    if size == 0:
        return np.zeros(dims, dtype=out_dt)
    _check_lo_hi(lo, hi, op)
    k, c = philox.scramble_seed(s0, s1)
    return philox.uniform_int(c, k, size, int(lo), int(hi), out_dt).reshape(dims)


_SL_UNIFORM_INT = defop(
    "StatelessRandomUniformInt", ("shape", "seed", "minval", "maxval"), _sl_uniform_int_kernel,
    attrs={"dtype": None, "T": None, "Tseed": dtypes.int64},
    infer=lambda inputs, attrs: [(inputs[2].dtype, _shape_of(inputs[0]))], differentiable=False,
)  # fmt: skip


def _sl_multinomial_kernel(logits, num_samples, seed, T=None, Tseed=None, output_dtype=None):
    op = "StatelessMultinomial"
    logits, ns = _check_multinomial(logits, num_samples, op, T)
    s0, s1 = _seed_pair(seed, op)
    out_dt = _np(dtypes.as_dtype(output_dtype or dtypes.int64))
    if logits.shape[0] * ns == 0:
        return np.zeros((logits.shape[0], ns), dtype=out_dt)
    k, c = philox.scramble_seed(s0, s1)
    return _multinomial(logits, ns, c, k, out_dt)


_SL_MULTINOMIAL = defop(
    "StatelessMultinomial", ("logits", "num_samples", "seed"), _sl_multinomial_kernel,
    attrs={"T": None, "Tseed": dtypes.int64, "output_dtype": dtypes.int64},
    infer=_infer_multinomial, differentiable=False,
)  # fmt: skip


def _sl_shuffle_kernel(value, key, counter, alg, T=None):
    op = "StatelessShuffle"
    alg_id, k, c = _key_counter(key, counter, alg, op)
    value = np.asarray(value)
    if value.ndim == 0 or value.size <= 1 or value.shape[0] <= 1:
        return value
    _check_alg(alg_id, op)
    return _shuffle(value, c, k)


_SL_SHUFFLE = defop(
    "StatelessShuffle", ("value", "key", "counter", "alg"), _sl_shuffle_kernel, attrs={"T": None},
    infer=_infer_same, differentiable=False,
)  # fmt: skip


# -- Generator state ops ----------------------------------------------------------------------


def _skipped_state(old: np.ndarray, delta: int) -> np.ndarray:
    """State with its 128-bit counter advanced by `delta * 256` blocks (key unchanged)."""
    u = old.view(np.uint64)
    counter = (int(u[0]) | (int(u[1]) << 64)) + delta * 256
    new = old.copy()
    nu = new.view(np.uint64)
    nu[0] = counter & _MASK64
    nu[1] = (counter >> 64) & _MASK64
    return new


def _check_rng_alg(alg, op):
    a = np.asarray(alg)
    if a.ndim != 0:
        raise _err(op, f"input 1 (0-based) must have shape [], not {_shape_str(a.shape)}")
    alg = int(a)
    if alg == 2:
        raise UnimplementedError(
            None, None, f"Non-XLA devices don't support the ThreeFry algorithm. [Op:{op}]"
        )
    if alg not in (1, 3):
        raise _err(op, f"Unsupported algorithm id: {alg}")


def _rng_read_and_skip_kernel(resource, alg, delta):
    """Returns the state and advances it by 256 blocks per output of `delta` outputs.

    In a graph plan `resource` is the Variable (replaced copy-on-write); eagerly it is
    the Variable's array, which the Generator makes private before the call, so the
    update is in place.
    """
    op = "RngReadAndSkip"
    _check_rng_alg(alg, op)
    d = int(_scalar(delta, op, "delta"))
    var = resource if getattr(resource, "_is_arroyo_variable", False) else None
    arr = np.asarray(var._value if var is not None else resource)
    if arr.dtype != np.int64 or arr.ndim != 1:
        raise _err(op, "RNG state must be a 1-D int64 tensor")
    if arr.shape[0] < 3:
        raise _err(
            op,
            f"For the Philox algorithm, the size of state must be at least 3; got {arr.shape[0]}",
        )
    old = arr.copy()
    new = _skipped_state(old, d)
    if var is not None:
        var._value = new
    else:
        arr[...] = new
    return old[:3]


_RNG_READ_AND_SKIP = defop(
    "RngReadAndSkip", ("resource", "alg", "delta"), _rng_read_and_skip_kernel,
    infer=lambda inputs, attrs: [(dtypes.int64, TensorShape([3]))],
    stateful=True, differentiable=False,
)  # fmt: skip


def _non_deterministic_ints_kernel(shape, dtype=None, shape_dtype=None):
    dims = _dims(shape, "NonDeterministicInts")
    dt = _np(dtypes.as_dtype(dtype or dtypes.int64))
    size = math.prod(dims)
    raw = np.frombuffer(os.urandom(8 * size), dtype=np.uint64)
    return raw.astype(dt).reshape(dims) if dt.itemsize < 8 else raw.view(dt).reshape(dims)


_NON_DETERMINISTIC_INTS = defop(
    "NonDeterministicInts", ("shape",), _non_deterministic_ints_kernel,
    attrs={"dtype": dtypes.int64, "shape_dtype": dtypes.int64},
    infer=_infer_from_attr("dtype", dtypes.int64), stateful=True, differentiable=False,
)  # fmt: skip


# -- argument handling ----------------------------------------------------------------------


def _shape_tensor(shape, op="RandomStandardNormal"):
    """TF's shape_util.shape_tensor: an int32 (int64 when needed) vector."""
    if isinstance(shape, TensorShape):
        if not shape.is_fully_defined():
            raise ValueError(f"Cannot convert a partially known TensorShape {shape} to a Tensor.")
        shape = shape.as_list()
    if isinstance(shape, (list, tuple)):
        if not shape:
            return _const(np.zeros(0, dtype=np.int32))
        if all(type(d) is int for d in shape):
            try:
                return _const(np.array(shape, dtype=np.int32))
            except OverflowError:  # a dimension beyond int32: TF converts to int64
                return _const(np.array(shape, dtype=np.int64))
        shape = [getattr(d, "value", d) for d in shape]
    t = convert_to_tensor(shape)
    if t.dtype not in _INTS:
        raise InvalidArgumentError(
            None, None,
            f"Value for attr 'T' of {_cpp(t.dtype)} is not in the list of allowed values: "
            f"int32, int64\n\t; NodeDef: {{{{node {op}}}}} [Op:{op}]",
        )  # fmt: skip
    return t


def _const(arr):
    if state.graph is not None:
        return state.graph.capture_constant(arr)
    return _wrap(arr)


def _seed_attrs(seed, **attrs):
    s1, s2 = get_seed(seed)
    attrs["seed"] = 0 if s1 is None else s1
    attrs["seed2"] = 0 if s2 is None else s2
    if state.graph is not None:
        attrs["_node"] = random_seed.node_key()  # each graph node owns its generator
    return attrs


def _as_dtype_tensor(value, dtype, what):
    if is_tensorlike(value):
        t = convert_to_tensor(value)
        if t.dtype is not dtype:
            raise ValueError(f"{what}: Tensor conversion requested dtype {dtype.name} for Tensor with "
                             f"dtype {t.dtype.name}: {t!r}")  # fmt: skip
        return t
    return convert_to_tensor(value, dtype=dtype)


def _math():
    from arroyo.ops import math_ops

    return math_ops


def _scale_shift(rnd, scale, shift):
    m = _math()
    return m.add(m.multiply(rnd, scale), shift)


# -- stateful public functions -----------------------------------------------------------------


def normal(shape, mean=0.0, stddev=1.0, dtype=dtypes.float32, seed=None, name=None):
    """Samples from a normal distribution (TF's RandomStandardNormal, then `* stddev + mean`).

    >>> tf.random.set_seed(1)
    >>> tf.random.normal([2], seed=1).shape
    TensorShape([2])
    """
    dtype = dtypes.as_dtype(dtype)
    shape_t = _shape_tensor(shape)
    mean_t = _as_dtype_tensor(mean, dtype, "mean")
    stddev_t = _as_dtype_tensor(stddev, dtype, "stddev")
    attrs = _seed_attrs(seed, dtype=dtype, T=shape_t.dtype)
    rnd = execute(_RANDOM_NORMAL, (shape_t,), attrs)
    return _scale_shift(rnd, stddev_t, mean_t)


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=dtypes.float32, seed=None, name=None):
    """Normal samples redrawn until they lie within two standard deviations of the mean.

    >>> float(tf.reduce_max(tf.abs(tf.random.truncated_normal([100], seed=1)))) < 2
    True
    """
    dtype = dtypes.as_dtype(dtype)
    shape_t = _shape_tensor(shape, "TruncatedNormal")
    mean_t = _as_dtype_tensor(mean, dtype, "mean")
    stddev_t = _as_dtype_tensor(stddev, dtype, "stddev")
    attrs = _seed_attrs(seed, dtype=dtype, T=shape_t.dtype)
    rnd = execute(_TRUNCATED_NORMAL, (shape_t,), attrs)
    return _scale_shift(rnd, stddev_t, mean_t)


_UNIFORM_DTYPES = (dtypes.float16, dtypes.bfloat16, dtypes.float32, dtypes.float64, dtypes.int32,
                   dtypes.int64)  # fmt: skip


def uniform(shape, minval=0, maxval=None, dtype=dtypes.float32, seed=None, name=None):
    """Uniform samples in [minval, maxval) (floats: [0, 1) by default; ints need maxval).

    >>> x = tf.random.uniform([3], maxval=10, dtype=tf.int32, seed=3)
    >>> bool(tf.reduce_all((x >= 0) & (x < 10)))
    True
    """
    dtype = dtypes.as_dtype(dtype)
    if dtype not in _UNIFORM_DTYPES:
        raise ValueError(f"Argument `dtype` got invalid value {dtype}. Accepted dtypes are "
                         f"{_UNIFORM_DTYPES}.")  # fmt: skip
    if maxval is None:
        if dtype.is_integer:
            raise ValueError(f"Must specify maxval for integer dtype {dtype!r}")
        maxval = 1
    shape_t = _shape_tensor(shape)
    minval_is_zero = isinstance(minval, int) and minval == 0
    maxval_is_one = isinstance(maxval, int) and maxval == 1
    if not minval_is_zero or not maxval_is_one or dtype.is_integer:
        minval = _as_dtype_tensor(minval, dtype, "min")
        maxval = _as_dtype_tensor(maxval, dtype, "max")
    if dtype.is_integer:
        attrs = _seed_attrs(seed, Tout=dtype, T=shape_t.dtype)
        return execute(_RANDOM_UNIFORM_INT, (shape_t, minval, maxval), attrs)
    attrs = _seed_attrs(seed, dtype=dtype, T=shape_t.dtype)
    result = execute(_RANDOM_UNIFORM, (shape_t,), attrs)
    if minval_is_zero:
        if not maxval_is_one:
            result = _math().multiply(result, maxval)
        return result
    m = _math()
    return m.add(m.multiply(result, m.subtract(maxval, minval)), minval)


def shuffle(value, seed=None, name=None):
    """Randomly permutes `value` along its first dimension.

    >>> sorted(tf.random.shuffle([1, 2, 3], seed=4).numpy().tolist())
    [1, 2, 3]
    """
    value = convert_to_tensor(value)
    attrs = _seed_attrs(seed, T=value.dtype)
    return execute(_RANDOM_SHUFFLE, (value,), attrs, name)


def _categorical_dtype(dtype):
    dtype = dtypes.as_dtype(dtype) if dtype else dtypes.int64
    if dtype not in _INTS:
        raise ValueError(f"Argument `dtype` got invalid value {dtype}. Accepted dtypes are "
                         f"{_INTS}.")  # fmt: skip
    return dtype


def categorical(logits, num_samples, dtype=None, seed=None, name=None):
    """Draws `num_samples` class indices per row of unnormalized log-probabilities.

    >>> tf.random.categorical([[0.0, 0.0]], 4, seed=1).shape
    TensorShape([1, 4])
    """
    logits = convert_to_tensor(logits)
    dtype = _categorical_dtype(dtype)
    ns = convert_to_tensor(num_samples, dtype=dtypes.int32)
    attrs = _seed_attrs(seed, T=logits.dtype, output_dtype=dtype)
    return execute(_MULTINOMIAL, (logits, ns), attrs, name)


# -- stateless public functions ---------------------------------------------------------------


class Algorithm(enum.Enum):
    """RNG algorithms (TF's `tf.random.Algorithm`); the CPU runs Philox."""

    PHILOX = 1
    THREEFRY = 2
    AUTO_SELECT = 3


def _unsupported_alg(alg):
    if isinstance(alg, int):
        names = (1, 2, 3)
    elif isinstance(alg, str):
        names = ("philox", "threefry", "auto_select")
    else:
        names = (Algorithm.PHILOX, Algorithm.THREEFRY, Algorithm.AUTO_SELECT)
    return (f"Argument `alg` got unsupported value {alg}. Supported values are {names[0]} for the "
            f"Philox algorithm, {names[1]} for the ThreeFry algorithm, and {names[2]} for "
            "auto-selection.")  # fmt: skip


def _alg_to_int(alg):
    if isinstance(alg, int):
        return alg
    if isinstance(alg, Algorithm):
        return alg.value
    if is_tensorlike(alg):
        return int(static_value(convert_to_tensor(alg)))
    if isinstance(alg, str):
        canon = alg.strip().lower().replace("-", "").replace("_", "")
        table = {"philox": 1, "threefry": 2, "autoselect": 3}
        if canon in table:
            return table[canon]
        raise ValueError(_unsupported_alg(alg))
    raise TypeError(f"Can't convert argument `alg` (of value {alg} and type {type(alg)}) to int.")


def _key_counter_alg(seed, alg):
    """TF's random_ops_util.get_key_counter_alg: (key, counter, alg) tensors for V2 ops."""
    alg = 3 if alg is None else _alg_to_int(alg)
    if alg in (1, 3):
        seed_t = convert_to_tensor(seed)
        if alg == 1 and seed_t.dtype not in _INTS:  # the Philox path casts the seed
            seed_t = _math().cast(seed_t, dtypes.int64)
        key, counter = execute(_GET_KEY_COUNTER, (seed_t,), {"Tseed": seed_t.dtype})
    elif alg == 2:
        # ThreeFry keys are the two seed words; the CPU kernels reject its counter.
        s = np.asarray(static_value(convert_to_tensor(seed))).astype(np.int64).astype(np.uint32)
        key = _const(np.array([int(s[0]) | (int(s[1]) << 32)], dtype=np.uint64))
        counter = _const(np.zeros(1, dtype=np.uint64))
    else:
        raise ValueError(_unsupported_alg(alg))
    return key, counter, _const(np.int32(alg))


def stateless_uniform(shape, seed, minval=0, maxval=None, dtype=dtypes.float32, name=None,
                      alg="auto_select"):  # fmt: skip
    """Deterministic uniform samples: the same `seed` (shape [2]) gives the same numbers.

    >>> a = tf.random.stateless_uniform([2], seed=[1, 2])
    >>> bool(tf.reduce_all(a == tf.random.stateless_uniform([2], seed=[1, 2])))
    True
    """
    dtype = dtypes.as_dtype(dtype)
    accepted = (dtypes.float16, dtypes.bfloat16, dtypes.float32, dtypes.float64, dtypes.int32,
                dtypes.int64, dtypes.uint32, dtypes.uint64)  # fmt: skip
    if dtype not in accepted:
        raise ValueError(
            f"Argument `dtype` got invalid value {dtype}. Accepted dtypes are {accepted}."
        )
    if dtype.is_integer:
        if (minval is None) != (maxval is None):
            raise ValueError(
                f"For integer `dtype` argument {dtype}, argument `minval` and `maxval` must be both "
                f"None or not None. Got `minval`={minval} and `maxval`={maxval}."
            )
        if minval is not None and dtype in (dtypes.uint32, dtypes.uint64):
            raise ValueError(
                f"Argument `dtype` got invalid value {dtype} when argument `minval` is not None. "
                "Please don't use unsigned integers in this case."
            )
    elif maxval is None:
        maxval = 1
    shape_t = _shape_tensor(shape)
    if dtype.is_integer and minval is None:
        key, counter, alg_t = _key_counter_alg(seed, alg)
        return execute(_SL_FULL_INT_V2, (shape_t, key, counter, alg_t),
                       {"dtype": dtype, "Tshape": shape_t.dtype}, name)  # fmt: skip
    minval = _as_dtype_tensor(minval, dtype, "min")
    maxval = _as_dtype_tensor(maxval, dtype, "max")
    key, counter, alg_t = _key_counter_alg(seed, alg)
    if dtype.is_integer:
        return execute(_SL_UNIFORM_INT_V2, (shape_t, key, counter, alg_t, minval, maxval),
                       {"dtype": dtype, "Tshape": shape_t.dtype}, name)  # fmt: skip
    rnd = execute(
        _SL_UNIFORM_V2, (shape_t, key, counter, alg_t), {"dtype": dtype, "Tshape": shape_t.dtype}
    )
    m = _math()
    return m.add(m.multiply(rnd, m.subtract(maxval, minval)), minval)


def _stateless_normal_like(op, shape, seed, mean, stddev, dtype, alg):
    """stddev * op(shape, key, counter) + mean for the stateless normal-family ops."""
    dtype = dtypes.as_dtype(dtype)
    shape_t = _shape_tensor(shape)
    mean_t = _as_dtype_tensor(mean, dtype, "mean")
    stddev_t = _as_dtype_tensor(stddev, dtype, "stddev")
    key, counter, alg_t = _key_counter_alg(seed, alg)
    rnd = execute(op, (shape_t, key, counter, alg_t), {"dtype": dtype, "Tshape": shape_t.dtype})
    return _scale_shift(rnd, stddev_t, mean_t)


def stateless_normal(shape, seed, mean=0.0, stddev=1.0, dtype=dtypes.float32, name=None,
                     alg="auto_select"):  # fmt: skip
    """Deterministic normal samples from a shape-[2] integer seed.

    >>> tf.random.stateless_normal([2, 3], seed=[1, 2]).shape
    TensorShape([2, 3])
    """
    return _stateless_normal_like(_SL_NORMAL_V2, shape, seed, mean, stddev, dtype, alg)


def stateless_truncated_normal(shape, seed, mean=0.0, stddev=1.0, dtype=dtypes.float32, name=None,
                               alg="auto_select"):  # fmt: skip
    """Deterministic truncated normal samples (|x - mean| < 2 stddev).

    >>> tf.random.stateless_truncated_normal([3], seed=[4, 5]).shape
    TensorShape([3])
    """
    return _stateless_normal_like(_SL_TRUNCATED_V2, shape, seed, mean, stddev, dtype, alg)


def stateless_categorical(logits, num_samples, seed, dtype=dtypes.int64, name=None):
    """Deterministic categorical samples from a shape-[2] seed.

    >>> tf.random.stateless_categorical([[0.0, 1.0]], 3, seed=[1, 2]).shape
    TensorShape([1, 3])
    """
    logits = convert_to_tensor(logits)
    dtype = _categorical_dtype(dtype)
    ns = convert_to_tensor(num_samples, dtype=dtypes.int32)
    seed_t = convert_to_tensor(seed)
    attrs = {"T": logits.dtype, "Tseed": seed_t.dtype, "output_dtype": dtype}
    return execute(_SL_MULTINOMIAL, (logits, ns, seed_t), attrs, name)


def split(seed, num=2, alg="auto_select"):
    """Splits a stateless seed into `num` new seeds (shape [num, 2]).

    >>> tf.random.split([1, 2], 3).shape
    TensorShape([3, 2])
    """
    seed = convert_to_tensor(seed)
    return stateless_uniform(
        [num, 2], seed=seed, dtype=seed.dtype, minval=None, maxval=None, alg=alg
    )


def fold_in(seed, data, alg="auto_select"):
    """Folds `data` into a stateless seed, giving a new seed [f(seed), data].

    >>> tf.random.fold_in([1, 2], 3).shape
    TensorShape([2])
    """
    from arroyo.ops import array_ops

    data = convert_to_tensor(data)
    seed1 = stateless_uniform([], seed=seed, dtype=data.dtype, minval=None, maxval=None, alg=alg)
    return array_ops.stack([seed1, data])


def stateless_shuffle(value, seed, alg="auto_select", name=None):
    """Deterministically permutes `value` along its first dimension.

    >>> sorted(tf.random.experimental.stateless_shuffle([1, 2, 3], seed=[1, 2]).numpy().tolist())
    [1, 2, 3]
    """
    value = convert_to_tensor(value)
    key, counter, alg_t = _key_counter_alg(seed, alg)
    return execute(_SL_SHUFFLE, (value, key, counter, alg_t), {"T": value.dtype}, name)


# -- tf.random.Generator -----------------------------------------------------------------------

_STATE_SIZE = 3  # Philox: two counter words and one key word, int64 each


def _uint_to_int(n):
    if isinstance(n, int) and n > 2**63 - 1:
        n -= 2**64
    return n


def _state_array(value) -> np.ndarray:
    """TF's _convert_to_state_tensor: an int64 array (big Python ints wrap to int64)."""
    from arroyo.util import nest

    if is_tensorlike(value):
        v = static_value(convert_to_tensor(value))
        if v is None:
            raise ValueError(
                "A tf.random.Generator state must be known when the Generator is created."
            )
        return np.asarray(v).astype(np.int64)
    value = nest.map_structure(_uint_to_int, value)
    flat = nest.flatten(value)
    if any(is_tensorlike(x) for x in flat):
        flat = [
            np.asarray(static_value(convert_to_tensor(x))) if is_tensorlike(x) else x for x in flat
        ]
        return np.asarray([np.asarray(x).astype(np.int64) for x in flat]).reshape(np.shape(value))
    return np.asarray(value).astype(np.int64)


def _make_1d_state(size, seed) -> np.ndarray:
    """TF's _make_1d_state: a Python int is cut into 64-bit words (least significant
    first); other seeds are flattened, truncated to `size` and zero-padded on the left."""
    if isinstance(seed, int):
        words = []
        for _ in range(size):
            words.append(seed & _MASK64)
            seed >>= 64
        seed = words
    arr = _state_array(seed).reshape(-1)[:size]
    if arr.shape[0] < size:
        arr = np.concatenate([np.zeros(size - arr.shape[0], dtype=np.int64), arr])
    return arr


def _state_size(alg):
    if alg in (1, 2, 3):
        return _STATE_SIZE if alg != 2 else 2
    raise ValueError(_unsupported_alg(alg))


def create_rng_state(seed, alg):
    """The initial state of a Generator for `seed` (TF's `tf.random.create_rng_state`).

    >>> tf.random.create_rng_state(7, "philox").numpy().tolist()
    [7, 0, 0]
    """
    alg = _alg_to_int(alg)
    return _wrap(_make_1d_state(_state_size(alg), seed))


def _check_state_shape(shape, alg):
    expected = TensorShape([_state_size(alg)])
    shape = TensorShape(shape)
    if not shape.is_compatible_with(expected):
        raise ValueError(f"Shapes {shape} and {expected} are incompatible")


class Generator:
    """A random number generator whose state lives in a tf.Variable (TF's tf.random.Generator).

    >>> g = tf.random.Generator.from_seed(1)
    >>> g.normal([2]).shape
    TensorShape([2])
    >>> g.state.numpy().tolist()
    [513, 0, 0]
    """

    @classmethod
    def from_state(cls, state, alg):
        """A Generator with the given state (a shape-[3] int64 vector) and algorithm."""
        return cls(alg=alg, state=state)

    @classmethod
    def from_seed(cls, seed, alg=None):
        """A Generator whose state is derived from `seed` (an int or a vector of ints)."""
        alg = _alg_to_int(Algorithm.PHILOX if alg is None else alg)
        return cls(state=_make_1d_state(_state_size(alg), seed), alg=alg)

    @classmethod
    def from_non_deterministic_state(cls, alg=None):
        """A Generator seeded from the operating system's entropy."""
        alg = _alg_to_int(Algorithm.PHILOX if alg is None else alg)
        shape = _wrap(np.array([_state_size(alg)], dtype=np.int64))
        st = execute(
            _NON_DETERMINISTIC_INTS, (shape,), {"dtype": dtypes.int64, "shape_dtype": dtypes.int64}
        )
        return cls(state=st, alg=alg)

    @classmethod
    def from_key_counter(cls, key, counter, alg):
        """A Generator from a key (scalar) and a counter (shape [2])."""
        alg = _alg_to_int(alg)
        return cls(state=_key_counter_state(key, counter, alg), alg=alg)

    def __init__(self, copy_from=None, state=None, alg=None):
        from arroyo.ops.variables import Variable

        if copy_from is not None:
            if alg is not None or state is not None:
                raise ValueError("copy_from cannot be combined with state or alg")
            self._state_var = self._create_variable(
                np.array(copy_from.state.numpy(), dtype=np.int64)
            )
            self._alg = copy_from.algorithm
            return
        if alg is None or state is None:
            raise ValueError("Generator needs both `state` and `alg` (or `copy_from`)")
        alg = _alg_to_int(alg)
        if isinstance(state, Variable):
            _check_state_shape(state.shape, alg)
            self._state_var = state
        else:
            arr = _state_array(state)
            _check_state_shape(arr.shape, alg)
            self._state_var = self._create_variable(arr)
        self._alg = alg

    def _checkpoint_children(self):
        # Trackable as in TF: checkpoints hold the state as `<name>/_state_var`.
        return [("_state_var", self._state_var)]

    @staticmethod
    def _create_variable(value):
        from arroyo.ops.variables import Variable

        return Variable(value, dtype=dtypes.int64, trainable=False, name="StateVar")

    # -- state ------------------------------------------------------------------------------
    def reset(self, state):
        """Replaces the state."""
        arr = _state_array(state)
        _check_state_shape(arr.shape, self._alg)
        self._state_var.assign(arr)

    def reset_from_seed(self, seed):
        """Resets the state to the one `from_seed(seed)` would start with."""
        self._state_var.assign(_make_1d_state(_state_size(self._alg), seed))

    def reset_from_key_counter(self, key, counter):
        """Resets the state from a key and a counter."""
        self._state_var.assign(_key_counter_state(key, counter, self._alg))

    @property
    def state(self):
        """The state Variable: [counter_lo, counter_hi, key] (int64)."""
        return self._state_var

    @property
    def algorithm(self):
        """The RNG algorithm id (1 for Philox)."""
        return self._alg

    @property
    def key(self):
        """The key word of the state."""
        return self._state_var[-1]

    def skip(self, delta):
        """Advances the counter as if `delta` outputs had been drawn; returns the old state."""
        var = self._state_var
        alg_t = _const(np.int32(self._alg))
        if is_tensorlike(delta):
            delta_t = _math().cast(delta, dtypes.uint64)
        else:
            delta_t = _const(np.uint64(int(delta) & _MASK64))
        if state.graph is not None:
            return execute(_RNG_READ_AND_SKIP, (var, alg_t, delta_t), {})
        # Eagerly the kernel updates the array in place: give the Variable a private one,
        # so tensors read from it earlier keep their values.
        var._value = np.array(var._value, dtype=np.int64, copy=True)
        return execute(_RNG_READ_AND_SKIP, (var, alg_t, delta_t), {})

    def _prepare_key_counter(self, shape_t):
        sv = static_value(shape_t)
        if sv is not None:
            delta = int(np.prod(np.asarray(sv), dtype=np.int64))
        else:
            from arroyo.ops import reduction_ops

            delta = reduction_ops.reduce_prod(shape_t)
        old = self.skip(delta)
        if type(old) is EagerTensor:
            v = old._value
            return _wrap(v[2:3].view(np.uint64)), _wrap(v[:2].view(np.uint64))
        # In graphs the kernels read the int64 words as uint64 bit patterns.
        return old[2:3], old[:2]

    def _v2(self, op_def, shape_t, dtype, extra=()):
        key, counter = self._prepare_key_counter(shape_t)
        alg_t = _const(np.int32(self._alg))
        return execute(op_def, (shape_t, key, counter, alg_t) + tuple(extra),
                       {"dtype": dtype, "Tshape": shape_t.dtype})  # fmt: skip

    # -- sampling ---------------------------------------------------------------------------
    def normal(self, shape, mean=0.0, stddev=1.0, dtype=dtypes.float32, name=None):
        """Normal samples; advances the state by 256 blocks per output."""
        dtype = dtypes.as_dtype(dtype)
        shape_t = _gen_shape_tensor(shape)
        mean_t = _as_dtype_tensor(mean, dtype, "mean")
        stddev_t = _as_dtype_tensor(stddev, dtype, "stddev")
        rnd = self._v2(_SL_NORMAL_V2, shape_t, dtype)
        return _scale_shift(rnd, stddev_t, mean_t)

    def truncated_normal(self, shape, mean=0.0, stddev=1.0, dtype=dtypes.float32, name=None):
        """Truncated normal samples (within two standard deviations)."""
        dtype = dtypes.as_dtype(dtype)
        shape_t = _gen_shape_tensor(shape)
        mean_t = _as_dtype_tensor(mean, dtype, "mean")
        stddev_t = _as_dtype_tensor(stddev, dtype, "stddev")
        rnd = self._v2(_SL_TRUNCATED_V2, shape_t, dtype)
        return _scale_shift(rnd, stddev_t, mean_t)

    def uniform(self, shape, minval=0, maxval=None, dtype=dtypes.float32, name=None):
        """Uniform samples in [minval, maxval); for ints both bounds None means full range."""
        dtype = dtypes.as_dtype(dtype)
        if dtype.is_integer:
            if (minval is None) != (maxval is None):
                raise ValueError(f"For integer dtype {dtype}, minval and maxval must be both `None` or "
                                 f"both non-`None`; got minval={minval} and maxval={maxval}")  # fmt: skip
        elif maxval is None:
            maxval = 1
        shape_t = _gen_shape_tensor(shape)
        if dtype.is_integer and minval is None:
            return self._v2(_SL_FULL_INT_V2, shape_t, dtype)
        minval = _as_dtype_tensor(minval, dtype, "min")
        maxval = _as_dtype_tensor(maxval, dtype, "max")
        if dtype.is_integer:
            return self._v2(_SL_UNIFORM_INT_V2, shape_t, dtype, (minval, maxval))
        rnd = self._v2(_SL_UNIFORM_V2, shape_t, dtype)
        m = _math()
        return m.add(m.multiply(rnd, m.subtract(maxval, minval)), minval)

    def uniform_full_int(self, shape, dtype=dtypes.uint64, name=None):
        """Integers uniform over the whole range of `dtype`."""
        dtype = dtypes.as_dtype(dtype)
        return self._v2(_SL_FULL_INT_V2, _gen_shape_tensor(shape), dtype)

    def binomial(self, shape, counts, probs, dtype=dtypes.int32, name=None):
        raise NotImplementedError("Generator.binomial is not implemented in arroyo")

    def _make_int64_keys(self, shape=()):
        return self.uniform_full_int(shape=shape, dtype=dtypes.int64)

    def make_seeds(self, count=1):
        """`count` seeds for stateless ops, shape [2, count] (the second row is zero)."""
        from arroyo.ops import array_ops

        keys = self._make_int64_keys(shape=[count])
        return array_ops.stack([keys, array_ops.zeros_like(keys)])

    def split(self, count=1):
        """`count` new independent Generators (state [0, 0, new key]); advances this one."""
        keys = self._make_int64_keys(shape=[count])
        vals = np.asarray(keys.numpy()).reshape(-1).tolist()
        return [
            Generator(state=[0] * (_state_size(self._alg) - 1) + [k], alg=self._alg) for k in vals
        ]


def _gen_shape_tensor(shape):
    """Generator's shape conversion: an empty list is int64, otherwise as TF converts."""
    if isinstance(shape, (tuple, list)) and not shape:
        return _const(np.zeros(0, dtype=np.int64))
    if isinstance(shape, TensorShape):
        shape = shape.as_list()
    if isinstance(shape, (list, tuple)) and all(type(d) is int for d in shape):
        return _shape_tensor(shape)
    return convert_to_tensor(shape)


def _key_counter_state(key, counter, alg):
    counter = _state_array(counter).reshape(-1)
    key = _state_array(key)
    if counter.shape[0] != _state_size(alg) - 1:
        raise ValueError(f"Shapes {TensorShape(counter.shape)} and "
                         f"{TensorShape([_state_size(alg) - 1])} are incompatible")  # fmt: skip
    if key.ndim != 0:
        raise ValueError(f"Shapes {TensorShape(key.shape)} and () are incompatible")
    return np.concatenate([counter, key.reshape(1)])


_global_generator = None


def get_global_generator():
    """The global Generator (created from nondeterministic state on first use).

    >>> isinstance(tf.random.get_global_generator(), tf.random.Generator)
    True
    """
    global _global_generator
    if _global_generator is None:
        _global_generator = Generator.from_non_deterministic_state()
    return _global_generator


def set_global_generator(generator):
    """Replaces the global Generator (existing references to the old one stay valid)."""
    global _global_generator
    _global_generator = generator


experimental = types.SimpleNamespace(
    Algorithm=Algorithm,
    Generator=Generator,
    create_rng_state=create_rng_state,
    get_global_generator=get_global_generator,
    set_global_generator=set_global_generator,
    stateless_fold_in=fold_in,
    stateless_split=split,
    stateless_shuffle=stateless_shuffle,
)

TF_API = {
    "tf.random": [
        "normal", "uniform", "truncated_normal", "shuffle", "categorical", "stateless_normal",
        "stateless_uniform", "stateless_truncated_normal", "stateless_categorical", "split",
        "fold_in", "Generator", "get_global_generator", "set_global_generator",
        "create_rng_state", "Algorithm", "set_seed", "experimental",
    ],
    "tf": [],
}  # fmt: skip
