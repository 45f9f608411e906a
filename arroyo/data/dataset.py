"""`tf.data.Dataset`: input pipelines as lazy chains of Python iterators over NumPy values.

Every dataset yields *flat* elements: lists of NumPy values, one per component in
`tf.nest` order (`structure.Packer` turns them into the user's structure of EagerTensors
only at the end). Datasets that are a reordering of rows of in-memory arrays
(`from_tensor_slices` followed by `shuffle`, `take`, `skip`, `repeat`, `cache`,
`prefetch`) also describe themselves as an index *plan*: the arrays plus a stream of index
chunks per epoch. `batch` over a plan gathers whole batches with one NumPy fancy-indexing
call per component instead of stacking elements one at a time, and `shuffle` over a plan
draws its whole epoch order at once (TF's streaming-buffer semantics, vectorized).

Functions given to `map`, `filter`, `scan` and `reduce` are traced once into graphs
(arroyo's tf.function, AutoGraph included) and run per element as compiled plans, so a
Python `print` inside runs once and `tf.print` once per element, as in TF. Functions that
return datasets (`flat_map`, `interleave`) run in Python per element.
"""

from __future__ import annotations

import collections
import itertools
import os

import numpy as np

from arroyo.data import structure as st
from arroyo.framework import dtypes
from arroyo.framework.context import state
from arroyo.framework.errors import InvalidArgumentError, OutOfRangeError
from arroyo.framework.tensor import EagerTensor, Tensor, TensorSpec, _wrap, convert_to_tensor
from arroyo.framework.tensor_shape import TensorShape
from arroyo.util import nest

__all__ = ["Dataset", "AUTOTUNE", "INFINITE_CARDINALITY", "UNKNOWN_CARDINALITY", "Options"]

AUTOTUNE = -1
INFINITE_CARDINALITY = -1
UNKNOWN_CARDINALITY = -2
_INF, _UNK = INFINITE_CARDINALITY, UNKNOWN_CARDINALITY


def _int_arg(x, name="count"):
    """A Python int from an int, NumPy scalar or eager tensor argument."""
    if isinstance(x, EagerTensor):
        return int(x._value)
    if getattr(x, "_is_arroyo_variable", False):
        return int(x.numpy())
    if isinstance(x, Tensor):
        raise NotImplementedError(
            f"arroyo's tf.data needs a concrete `{name}`; got a symbolic tensor {x!r}"
        )
    return int(x)


class Options:
    """`tf.data.Options`: accepted and kept; arroyo's pipelines are sequential.

    >>> opts = tf.data.Options(); opts.deterministic = True
    >>> tf.data.Dataset.range(3).with_options(opts).options().deterministic
    True
    """

    def __init__(self):
        object.__setattr__(self, "_values", {})

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        values = object.__getattribute__(self, "_values")
        if name not in values:
            values[name] = _OptionGroup() if name.startswith("experimental_") or name in (
                "threading", "autotune") else None  # fmt: skip
        return values[name]

    def __setattr__(self, name, value):
        self._values[name] = value

    def merge(self, other):
        out = Options()
        out._values.update(self._values)
        out._values.update({k: v for k, v in other._values.items() if v is not None})
        return out

    def __eq__(self, other):
        return isinstance(other, Options) and self._values == other._values


class _OptionGroup(Options):
    pass


# =====================================================================================
# Index plans: a dataset that is a reordering of rows of in-memory arrays
# =====================================================================================


class _Plan:
    """`arrays` (flat components, first dimension = rows) and `orders()`, a fresh iterator of
    index chunks (a `slice` or an int64 array) per pass; `card` rows in all (-1 infinite)."""

    __slots__ = ("arrays", "orders", "card")

    def __init__(self, arrays, orders, card):
        self.arrays = arrays
        self.orders = orders
        self.card = card


def _chunk_len(c):
    return c.stop - c.start if isinstance(c, slice) else len(c)


def _as_index(c):
    return np.arange(c.start, c.stop, dtype=np.int64) if isinstance(c, slice) else c


def _trim_chunks(chunks, skip, take):
    """Chunks after dropping `skip` rows and keeping at most `take` (-1: all)."""
    for c in chunks:
        n = _chunk_len(c)
        if skip:
            if skip >= n:
                skip -= n
                continue
            c = slice(c.start + skip, c.stop) if isinstance(c, slice) else c[skip:]
            n -= skip
            skip = 0
        if take == 0:
            return
        if 0 < take < n:
            c = slice(c.start, c.start + take) if isinstance(c, slice) else c[:take]
            n = take
        yield c
        if take > 0:
            take -= n


def _rechunk(chunks, size, drop_remainder):
    """Chunks regrouped into pieces of exactly `size` rows (the last may be shorter)."""
    pend, pend_n = [], 0
    for c in chunks:
        n = _chunk_len(c)
        pos = 0
        while pos < n:
            k = min(size - pend_n, n - pos)
            if isinstance(c, slice):
                piece = slice(c.start + pos, c.start + pos + k)
            else:
                piece = c[pos : pos + k]
            pos += k
            if pend_n == 0 and k == size:
                yield piece
                continue
            pend.append(piece)
            pend_n += k
            if pend_n == size:
                yield np.concatenate([_as_index(p) for p in pend])
                pend, pend_n = [], 0
    if pend_n and not drop_remainder:
        yield np.concatenate([_as_index(p) for p in pend])


def _plan_rows(plan):
    """Per-element iteration of a plan."""
    arrays = plan.arrays
    for c in plan.orders():
        if len(arrays) == 1:
            a = arrays[0]
            for v in a[c]:
                yield [v]
        else:
            cols = [a[c] for a in arrays]
            yield from (list(r) for r in zip(*cols))


def _buffer_shuffle(idx, buffer_size, rng):
    """TF's shuffle buffer over an index array, vectorized.

    The buffer holds `buffer_size` elements; each step outputs a uniformly chosen one and
    puts the next input element in its slot; when the input ends the rest come out in a
    uniformly random order. With a buffer as large as the data this is a uniform
    permutation; a smaller buffer only mixes locally, as in TF.
    """
    n = len(idx)
    if buffer_size >= n:
        return idx[rng.permutation(n)]
    b = buffer_size
    m = n - b
    picks = rng.integers(0, b, size=m)
    order = np.argsort(picks, kind="stable")
    sp = picks[order]
    same = np.empty(m, dtype=bool)
    same[0] = False
    np.equal(sp[1:], sp[:-1], out=same[1:])
    prev = np.empty(m, dtype=np.int64)
    prev[0] = -1
    prev[1:] = order[:-1]
    # what slot picks[k] holds at step k: the element put there at the slot's previous
    # step (input position b + j), or its initial fill
    src = np.where(same, b + prev, sp)
    steady = np.empty(m, dtype=idx.dtype)
    steady[order] = idx[src]
    final = idx[:b].copy()
    last = np.empty(m, dtype=bool)
    last[-1] = True
    np.not_equal(sp[1:], sp[:-1], out=last[:-1])
    final[sp[last]] = idx[b + order[last]]
    return np.concatenate([steady, final[rng.permutation(b)]])


# =====================================================================================
# Traced functions
# =====================================================================================


def _converted(func):
    """The AutoGraph version of a user function (TF converts tf.data functions too)."""
    from arroyo.graph import autograph

    try:
        return autograph.convert(func)
    except (NotImplementedError, OSError, SyntaxError, TypeError):
        return func


def _should_unpack(element):
    return type(element) is tuple


class _TracedFunction:
    """A user function over dataset elements, traced once with the element spec.

    `call(flat)` maps flat NumPy components to flat NumPy outputs through the compiled
    graph; `output_structure` is the structure of TensorSpecs it returns.
    """

    def __init__(self, func, input_structure, what="map", unpack=True, extra=None):
        from arroyo.graph.function import function

        self._func = func
        func = _converted(func)
        in_flat = st.component_specs(input_structure)
        if any(isinstance(s, st.DatasetSpec) for s in in_flat):
            raise NotImplementedError(f"arroyo's tf.data cannot trace `{what}` over datasets")
        holder = {}

        def wrapper(*flat):
            elem = st.pack_components(input_structure, list(flat))
            if unpack and _should_unpack(elem):
                out = func(*elem)
            else:
                out = func(elem)
            if isinstance(out, list):
                out = tuple(out)  # TF: a returned list is a tuple of components
            out = _inner_lists_as_tensors(out)
            if out is None:
                raise ValueError(
                    f"The `{what}` function returned None; it must return tensors (or a "
                    "structure of tensors)."
                )
            out = nest.map_structure(_to_graph_tensor, out)
            holder["structure"] = nest.map_structure(st.spec_of, out)
            return st.value_components(out)

        wrapper.__name__ = getattr(func, "__name__", what)
        specs = [TensorSpec(s.shape, s.dtype, f"args_{i}") for i, s in enumerate(in_flat)]
        tf_fn = function(wrapper, input_signature=specs, autograph=True)
        cf = tf_fn.get_concrete_function()
        self.output_structure = holder["structure"]
        self._cf = cf
        self._plan = cf._compile()
        self._n_out = len(st.component_specs(self.output_structure))

    def call(self, flat):
        return self._plan(*flat)


def _inner_lists_as_tensors(x):
    """Below the top level, lists are tensors in tf.data (tuples and dicts are structure)."""
    if isinstance(x, dict):
        return type(x)((k, _inner_lists_as_tensors(v)) for k, v in x.items())
    if isinstance(x, tuple):
        items = [_inner_lists_as_tensors(v) for v in x]
        return type(x)(*items) if hasattr(x, "_fields") else tuple(items)
    if isinstance(x, list):
        return convert_to_tensor(x)
    return x


def _to_graph_tensor(x):
    if getattr(x, "_is_arroyo_variable", False):
        return x.value()
    if isinstance(x, Tensor) or st._is_composite(x):
        return x
    return convert_to_tensor(x)


# =====================================================================================
# Dataset
# =====================================================================================


class Dataset:
    """A lazy sequence of elements (tensors, or tuples/dicts of tensors).

    >>> ds = tf.data.Dataset.from_tensor_slices(([1, 2, 3], [4., 5., 6.]))
    >>> [int(a) for a, b in ds.shuffle(3, seed=1).batch(2).unbatch()]  # doctest: +SKIP
    [3, 1, 2]
    """

    _tf_name = "DatasetV2"

    def __init__(self, structure, options=None):
        self._structure = structure
        self._packer = st.Packer(structure)
        self._options = options

    # -- what subclasses provide ------------------------------------------------------
    def _iter(self):
        """A fresh Python iterator of flat elements (lists of NumPy values)."""
        plan = self._plan()
        if plan is not None:
            return _plan_rows(plan)
        raise NotImplementedError

    def _plan(self):
        return None

    def _cardinality(self) -> int:
        return _UNK

    def _inputs(self):
        return []

    # -- structure ----------------------------------------------------------------------
    @property
    def element_spec(self):
        """The structure of TensorSpecs of one element."""
        return self._structure

    def __repr__(self):
        return f"<{type(self).__name__} element_spec={self._structure!r}>"

    def __bool__(self):
        return True

    def __nonzero__(self):
        return True

    # -- iteration ------------------------------------------------------------------------
    def __iter__(self):
        if state.graph is not None:
            from arroyo.data.iterator_ops import GraphIterator

            return GraphIterator(self)
        return OwnedIterator(self)

    def as_numpy_iterator(self):
        """Iterates over elements as NumPy values (strings as bytes).

        >>> list(tf.data.Dataset.range(3).as_numpy_iterator())
        [np.int64(0), np.int64(1), np.int64(2)]
        """
        for s in nest.flatten(self._structure):
            if isinstance(s, st.DatasetSpec):
                raise TypeError(
                    "Dataset.as_numpy_iterator() is not supported for datasets that produce "
                    "values of type DatasetSpec"
                )
        return NumpyIterator(self)

    def as_numpy(self):
        return self.as_numpy_iterator()

    def _autograph_for_stmt(self, extra_test, body, get_state, set_state, symbol_names, opts):
        from arroyo.data import iterator_ops

        iterator_ops.dataset_for_stmt(self, extra_test, body, get_state, set_state,
                                      symbol_names, opts)  # fmt: skip

    @property
    def _variant_tensor(self):
        """This dataset as a scalar `tf.variant` tensor (what the iterator ops take)."""
        from arroyo.data.iterator_ops import variant_tensor

        return variant_tensor(self)

    def cardinality(self):
        """The number of elements: an int64 scalar, or INFINITE (-1) / UNKNOWN (-2).

        >>> tf.data.Dataset.range(10).batch(3).cardinality().numpy()
        np.int64(4)
        """
        return _wrap(np.int64(self._cardinality()))

    def __len__(self):
        if state.graph is not None:
            raise TypeError(
                "`tf.data.Dataset` only supports `len` in eager mode. Use "
                "`tf.data.Dataset.cardinality()` instead."
            )
        n = self._cardinality()
        if n == _INF:
            raise TypeError("The dataset is infinite.")
        if n == _UNK:
            raise TypeError("The dataset length is unknown.")
        return n

    def options(self):
        """The merged `tf.data.Options` of this pipeline."""
        opts = Options()
        for d in self._inputs():
            opts = opts.merge(d.options())
        if self._options is not None:
            opts = opts.merge(self._options)
        return opts

    # -- sources ------------------------------------------------------------------------
    @staticmethod
    def from_tensor_slices(tensors, name=None):
        """One element per row of `tensors` (a tensor, or a tuple/dict of them).

        >>> [x.numpy() for x in tf.data.Dataset.from_tensor_slices([1, 2])]
        [np.int32(1), np.int32(2)]
        """
        return _TensorSliceDataset(tensors)

    @staticmethod
    def from_tensors(tensors, name=None):
        """A dataset of exactly one element.

        >>> tf.data.Dataset.from_tensors([1, 2]).element_spec
        TensorSpec(shape=(2,), dtype=tf.int32, name=None)
        """
        return _TensorDataset(tensors)

    @staticmethod
    def range(*args, **kwargs):
        """Like Python's `range`, as int64 scalars (`output_type=` to change).

        >>> list(tf.data.Dataset.range(1, 6, 2).as_numpy_iterator())
        [np.int64(1), np.int64(3), np.int64(5)]
        """
        output_type = kwargs.pop("output_type", dtypes.int64)
        kwargs.pop("name", None)
        if kwargs:
            raise TypeError(f"range() got unexpected keyword arguments {sorted(kwargs)}")
        return _RangeDataset(*[_int_arg(a, "range") for a in args], output_type=output_type)

    @staticmethod
    def from_generator(generator, output_types=None, output_shapes=None, args=None,
                       output_signature=None, name=None):  # fmt: skip
        """Elements produced by calling `generator(*args)` (once per iteration).

        >>> def gen():
        ...     yield from range(3)
        >>> ds = tf.data.Dataset.from_generator(
        ...     gen, output_signature=tf.TensorSpec([], tf.int32))
        >>> list(ds.as_numpy_iterator())
        [np.int32(0), np.int32(1), np.int32(2)]
        """
        if not callable(generator):
            raise TypeError("`generator` must be a Python callable.")
        if output_signature is not None:
            if output_types is not None:
                raise TypeError(
                    "The `output_types` argument can not be used together with the "
                    "`output_signature` argument."
                )
            if output_shapes is not None:
                raise TypeError(
                    "The `output_shapes` argument can not be used together with the "
                    "`output_signature` argument."
                )
            for s in nest.flatten(output_signature):
                if not isinstance(s, TensorSpec):
                    raise TypeError(
                        "`output_signature` must contain objects that are subclass of "
                        f"`tf.TypeSpec` but found {type(s)} which is not."
                    )
            structure = output_signature
        else:
            if output_types is None:
                raise TypeError(
                    "To specify the output signature you need to provide either the "
                    "`output_signature` argument or the `output_types` argument."
                )
            if output_shapes is None:
                output_shapes = nest.map_structure(lambda _: None, output_types)
            structure = nest.map_structure(
                lambda t, s: TensorSpec(TensorShape(s), dtypes.as_dtype(t)),
                output_types, nest.flatten_up_to(output_types, output_shapes)
                if nest.is_nested(output_types) else output_shapes,
            ) if not nest.is_nested(output_types) else nest.pack_sequence_as(
                output_types,
                [TensorSpec(TensorShape(s), dtypes.as_dtype(t)) for t, s in zip(
                    nest.flatten(output_types), _flat_shapes(output_types, output_shapes))],
            )  # fmt: skip
        return _GeneratorDataset(generator, structure, args)

    @staticmethod
    def zip(*args, datasets=None, name=None):
        """Elements of several datasets side by side (a tuple or the given structure).

        >>> a, b = tf.data.Dataset.range(3), tf.data.Dataset.range(3, 6)
        >>> list(tf.data.Dataset.zip(a, b).as_numpy_iterator())[0]
        (np.int64(0), np.int64(3))
        """
        if datasets is not None and args:
            raise TypeError("Both `*args` and `datasets` cannot be set.")
        if datasets is None:
            if not args:
                raise TypeError("Must pass at least one dataset to `zip`.")
            datasets = args[0] if len(args) == 1 else tuple(args)
        return _ZipDataset(datasets)

    @staticmethod
    def list_files(file_pattern, shuffle=None, seed=None, name=None):
        """The file names matching a glob pattern (or list of patterns), shuffled by default."""
        from arroyo._api.io import gfile

        pats = _strings(file_pattern)
        files = sorted({f for p in pats for f in gfile.glob(p)})
        if not files:
            raise InvalidArgumentError(
                None, None, f"Expected 'tf.Tensor({pats!r})' to be a pattern matching files."
            )
        ds = Dataset.from_tensor_slices(files)
        if shuffle is None or shuffle:
            ds = ds.shuffle(len(files), seed=seed)
        return ds

    @staticmethod
    def sample_from_datasets(datasets, weights=None, seed=None, stop_on_empty_dataset=False):
        """Elements drawn at random from `datasets` with probabilities `weights`."""
        return _SampleDataset(list(datasets), weights, seed, stop_on_empty_dataset)

    @staticmethod
    def choose_from_datasets(datasets, choice_dataset, stop_on_empty_dataset=True):
        """Elements from `datasets[c]` for each `c` of `choice_dataset`."""
        return _ChooseDataset(list(datasets), choice_dataset, stop_on_empty_dataset)

    # -- transformations ---------------------------------------------------------------
    def apply(self, transformation_func):
        """`transformation_func(self)`, which must return a dataset."""
        out = transformation_func(self)
        if not isinstance(out, Dataset):
            raise TypeError(
                f"`transformation_func` must return a `tf.data.Dataset` object. Got {type(out)}."
            )
        return out

    def batch(self, batch_size, drop_remainder=False, num_parallel_calls=None,
              deterministic=None, name=None):  # fmt: skip
        """Stacks `batch_size` consecutive elements (the last batch may be smaller).

        >>> [b.numpy().tolist() for b in tf.data.Dataset.range(5).batch(2)]
        [[0, 1], [2, 3], [4]]
        """
        return _BatchDataset(self, _int_arg(batch_size, "batch_size"), bool(drop_remainder),
                             parallel=num_parallel_calls is not None)  # fmt: skip

    def padded_batch(self, batch_size, padded_shapes=None, padding_values=None,
                     drop_remainder=False, name=None):  # fmt: skip
        """Batches elements of different shapes, padding each component to a common shape.

        >>> ds = tf.data.Dataset.range(1, 3).map(lambda x: tf.fill([x], x))
        >>> [b.numpy().tolist() for b in ds.padded_batch(2)]
        [[[1, 0], [2, 2]]]
        """
        return _PaddedBatchDataset(self, _int_arg(batch_size, "batch_size"), padded_shapes,
                                   padding_values, bool(drop_remainder))  # fmt: skip

    def unbatch(self, name=None):
        """Splits each element along its first dimension (the inverse of `batch`)."""
        return _UnbatchDataset(self)

    def rebatch(self, batch_size, drop_remainder=False, name=None):
        """Regroups the rows of batched elements into batches of `batch_size`."""
        return _RebatchDataset(self, batch_size, drop_remainder)

    def shuffle(self, buffer_size, seed=None, reshuffle_each_iteration=True, name=None):
        """Shuffles with a buffer of `buffer_size` elements (TF's streaming semantics).

        >>> sorted(tf.data.Dataset.range(4).shuffle(4).as_numpy_iterator())
        [np.int64(0), np.int64(1), np.int64(2), np.int64(3)]
        """
        return _ShuffleDataset(self, _int_arg(buffer_size, "buffer_size"), seed,
                               reshuffle_each_iteration)  # fmt: skip

    def repeat(self, count=None, name=None):
        """Repeats the dataset `count` times (forever when None or -1)."""
        return _RepeatDataset(self, -1 if count is None else _int_arg(count))

    def take(self, count, name=None):
        """The first `count` elements (-1: all)."""
        return _TakeDataset(self, _int_arg(count))

    def skip(self, count, name=None):
        """All but the first `count` elements (-1: skips everything)."""
        return _SkipDataset(self, _int_arg(count))

    def map(self, map_func, num_parallel_calls=None, deterministic=None, name=None,
            synchronous=None, use_unbounded_threadpool=False):  # fmt: skip
        """Applies `map_func` to each element (traced once; tuples unpack as arguments).

        >>> list(tf.data.Dataset.range(3).map(lambda x: x * 2).as_numpy_iterator())
        [np.int64(0), np.int64(2), np.int64(4)]
        """
        return _MapDataset(self, map_func, parallel=num_parallel_calls is not None)

    def filter(self, predicate, name=None):
        """The elements for which `predicate` returns True (a scalar tf.bool)."""
        return _FilterDataset(self, predicate)

    def flat_map(self, map_func, name=None):
        """Maps each element to a dataset and flattens them in order."""
        return _FlatMapDataset(self, map_func)

    def interleave(self, map_func, cycle_length=None, block_length=None,
                   num_parallel_calls=None, deterministic=None, name=None):  # fmt: skip
        """Maps elements to datasets and interleaves `cycle_length` of them at a time,
        `block_length` consecutive elements from each (TF's order)."""
        return _InterleaveDataset(self, map_func, cycle_length, block_length,
                                  parallel=num_parallel_calls is not None)  # fmt: skip

    def prefetch(self, buffer_size, name=None):
        """Accepted for compatibility; arroyo produces elements on demand."""
        return _PassThrough(self, "_PrefetchDataset")

    def cache(self, filename="", name=None):
        """Keeps the elements of the first complete pass in memory and replays them."""
        return _CacheDataset(self)

    def enumerate(self, start=0, name=None):
        """`(index, element)` pairs, indices int64 from `start`."""
        return _ZipDataset((_CounterDataset(_int_arg(start)), self))

    def concatenate(self, dataset, name=None):
        """This dataset's elements followed by those of `dataset`."""
        return _ConcatenateDataset(self, dataset)

    def zip_with(self, *others):
        return Dataset.zip((self,) + others)

    def reduce(self, initial_state, reduce_func, name=None):
        """Folds the elements into a state with `reduce_func(state, element)`.

        >>> tf.data.Dataset.range(5).reduce(np.int64(0), lambda s, x: s + x).numpy()
        np.int64(10)
        """
        if state.graph is not None:
            from arroyo.data.iterator_ops import graph_reduce

            return graph_reduce(self, initial_state, reduce_func)
        init = st.normalize(initial_state)
        init_specs = nest.map_structure(st.spec_of, init)
        fn = _TracedFunction(_unpack_state_fn(reduce_func), (init_specs, self._structure),
                             "reduce", unpack=False)  # fmt: skip
        _check_state(fn.output_structure, init_specs, "reduce")
        if _needs_relax(fn.output_structure, init_specs):
            init_specs = _relax_specs(init_specs, fn.output_structure)
            fn = _TracedFunction(_unpack_state_fn(reduce_func), (init_specs, self._structure),
                                 "reduce", unpack=False)  # fmt: skip
        flat_state = [st.to_numpy(t) for t in st.value_components(init)]
        n = len(flat_state)
        for elem in self._iter():
            flat_state = list(fn.call(flat_state + list(elem)))[:n]
        return st.Packer(fn.output_structure).pack(flat_state)

    def scan(self, initial_state, scan_func, name=None):
        """Like `reduce`, but yields `scan_func(state, element)[1]` for every element."""
        return _ScanDataset(self, initial_state, scan_func)

    def window(self, size, shift=None, stride=1, drop_remainder=False, name=None):
        """Datasets of `size` consecutive elements, starting every `shift` elements."""
        return _WindowDataset(self, size, shift, stride, drop_remainder)

    def with_options(self, options, name=None):
        """This dataset with `options` merged into its options."""
        return _PassThrough(self, "_OptionsDataset", options=options)

    def get_single_element(self, name=None):
        """The only element of a one-element dataset."""
        it = self._iter()
        first = next(it, None)
        if first is None:
            raise InvalidArgumentError(None, None, "Dataset was empty.")
        if next(it, None) is not None:
            raise InvalidArgumentError(None, None, "Dataset had more than one element.")
        return self._packer.pack(first)

    def ignore_errors(self, log_warning=False, name=None):
        return _IgnoreErrorsDataset(self)

    def take_while(self, predicate, name=None):
        return _TakeWhileDataset(self, predicate)

    def unique(self, name=None):
        return _UniqueDataset(self)

    def shard(self, num_shards, index, name=None):
        """Every `num_shards`-th element, starting at `index`."""
        num_shards, index = _int_arg(num_shards), _int_arg(index)
        if num_shards <= 0:
            raise InvalidArgumentError(None, None, "Number of shards must be greater than zero "
                                       f"(currently num_shards = {num_shards}).")  # fmt: skip
        if not 0 <= index < num_shards:
            raise InvalidArgumentError(None, None, "Index must be between 0 and "
                                       f"{num_shards - 1} (currently index = {index}).")  # fmt: skip
        return _ShardDataset(self, num_shards, index)


def _flat_shapes(types, shapes):
    flat_t = nest.flatten(types)
    if shapes is None:
        return [None] * len(flat_t)
    try:
        return nest.flatten_up_to(types, shapes)
    except (TypeError, ValueError):
        return [shapes] * len(flat_t)


def _strings(x):
    if isinstance(x, EagerTensor):
        v = x._value
        return [s.decode() if isinstance(s, bytes) else str(s) for s in np.ravel(v)]
    if isinstance(x, (str, bytes, os.PathLike)):
        return [os.fsdecode(x)]
    return [os.fsdecode(s) if not isinstance(s, EagerTensor) else _strings(s)[0] for s in x]


def _unpack_state_fn(fn):
    def call(pair):
        s, elem = pair
        if _should_unpack(elem):
            return fn(s, *elem)
        return fn(s, elem)

    call.__name__ = getattr(fn, "__name__", "reduce_func")
    return call


def _check_state(out, init, what):
    try:
        nest.assert_same_structure(init, out, check_types=False)
    except (TypeError, ValueError) as e:
        raise TypeError(
            f"The element types for the new state must match the initial state. Expected "
            f"{init}; got {out}. ({e})"
        ) from None
    for a, b in zip(nest.flatten(init), nest.flatten(out)):
        if a.dtype != b.dtype:
            raise TypeError(
                f"The element types for the new state must match the initial state. Expected "
                f"{nest.map_structure(lambda s: s.dtype, init)}; got "
                f"{nest.map_structure(lambda s: s.dtype, out)}."
            )


def _needs_relax(out, init):
    return any(
        not b.shape.is_subtype_of(a.shape) for a, b in zip(nest.flatten(init), nest.flatten(out))
    )


def _relax_specs(init, out):
    return nest.map_structure(
        lambda a, b: TensorSpec(a.shape.most_specific_compatible_shape(b.shape), a.dtype), init, out
    )


# =====================================================================================
# Iterators
# =====================================================================================


class OwnedIterator:
    """`tf.data.Iterator` for eager iteration (`iter(dataset)`).

    >>> it = iter(tf.data.Dataset.range(2))
    >>> next(it).numpy(), it.get_next().numpy()
    (np.int64(0), np.int64(1))
    """

    def __init__(self, dataset):
        self._dataset = dataset
        self._it = dataset._iter()
        self._packer = dataset._packer
        self._resource = None

    @property
    def element_spec(self):
        return self._dataset.element_spec

    def __iter__(self):
        return self

    def __next__(self):
        if state.graph is not None:
            return self.get_next()
        return self._packer.pack(next(self._it))

    def next(self):
        return self.__next__()

    def get_next(self, name=None):
        """The next element; `tf.errors.OutOfRangeError` at the end."""
        if state.graph is not None:
            from arroyo.data.iterator_ops import iterator_get_next

            return iterator_get_next(self)
        try:
            return self._packer.pack(next(self._it))
        except StopIteration:
            raise OutOfRangeError(None, None, "End of sequence") from None

    def get_next_as_optional(self):
        """An `Optional`: `has_value()` and `get_value()`."""
        from arroyo.data.iterator_ops import Optional

        if state.graph is not None:
            from arroyo.data.iterator_ops import iterator_get_next_as_optional

            return iterator_get_next_as_optional(self)
        flat = next(self._it, None)
        return Optional(self.element_spec, None if flat is None else self._packer.pack(flat))

    def _autograph_for_stmt(self, extra_test, body, get_state, set_state, symbol_names, opts):
        from arroyo.data import iterator_ops

        iterator_ops.dataset_for_stmt(self, extra_test, body, get_state, set_state,
                                      symbol_names, opts)  # fmt: skip

    def __repr__(self):
        return f"<OwnedIterator element_spec={self.element_spec!r}>"


Iterator = OwnedIterator


class NumpyIterator:
    """What `as_numpy_iterator()` returns."""

    def __init__(self, dataset):
        self._dataset = dataset
        self._it = dataset._iter()
        self._packer = dataset._packer

    def __iter__(self):
        return self

    def __next__(self):
        return self._packer.pack_numpy(next(self._it))

    def next(self):
        return self.__next__()

    def __repr__(self):
        return f"NumpyIterator(iterator=<OwnedIterator of {self._dataset!r}>)"


# =====================================================================================
# Sources
# =====================================================================================


def _concrete(tensors, what):
    for t in nest.flatten(tensors):
        if isinstance(t, Tensor) and not isinstance(t, EagerTensor):
            raise NotImplementedError(
                f"arroyo's tf.data builds `{what}` datasets from concrete values; got the symbolic "
                f"tensor {t!r}. Create the dataset outside the tf.function (iterating it inside "
                "is supported)."
            )


def _leading(structure, tensors):
    _concrete(tensors, "from_tensor_slices")
    n = None
    for t in nest.flatten(tensors):
        shape = t.shape
        if shape.rank == 0:
            raise ValueError("Unbatching a tensor is only supported for rank >= 1")
        d = shape[0]
        if n is not None and d != n:
            raise ValueError(f"Dimensions {n} and {d} are not compatible")
        n = d
    return n


class _TensorSliceDataset(Dataset):
    def __init__(self, tensors):
        tensors = st.normalize(tensors)
        n = _leading(None, tensors)
        flat = nest.flatten(tensors)
        structure = nest.pack_sequence_as(tensors, [TensorSpec(t.shape[1:], t.dtype) for t in flat])
        super().__init__(structure)
        self._arrays = [np.asarray(st.to_numpy(t)) for t in flat]
        self._n = 0 if n is None else n

    def _plan(self):
        n = self._n
        return _Plan(self._arrays, lambda: iter((slice(0, n),)), n)

    def _iter(self):
        arrays = self._arrays
        if len(arrays) == 1:
            return ([v] for v in arrays[0])
        return (list(r) for r in zip(*arrays))

    def _cardinality(self):
        return self._n


class _TensorDataset(Dataset):
    def __init__(self, tensors):
        tensors = st.normalize(tensors)
        _concrete(tensors, "from_tensors")
        super().__init__(nest.map_structure(st.spec_of, tensors))
        self._flat = [st.to_numpy(t) for t in st.value_components(tensors)]

    def _iter(self):
        return iter((list(self._flat),))

    def _plan(self):
        if any(isinstance(v, Dataset) for v in self._flat):
            return None
        arrays = [np.asarray(v)[np.newaxis] for v in self._flat]
        return _Plan(arrays, lambda: iter((slice(0, 1),)), 1)

    def _cardinality(self):
        return 1


class _RangeDataset(Dataset):
    def __init__(self, *args, output_type=dtypes.int64):
        self._range = range(*args)
        self._dtype = dtypes.as_dtype(output_type)
        super().__init__(TensorSpec([], self._dtype))

    def _iter(self):
        t = np.dtype(self._dtype._np).type
        return ([t(v)] for v in self._range)

    def _plan(self):
        r = self._range
        if len(r) > 10_000_000:
            return None
        arr = np.arange(r.start, r.stop, r.step, dtype=self._dtype._np)
        return _Plan([arr], lambda: iter((slice(0, len(arr)),)), len(arr))

    def _cardinality(self):
        return len(self._range)


class _CounterDataset(Dataset):
    """int64 counters from `start`, forever (what `enumerate` zips with)."""

    def __init__(self, start):
        super().__init__(TensorSpec([], dtypes.int64))
        self._start = start

    def _iter(self):
        return ([np.int64(v)] for v in itertools.count(self._start))

    def _cardinality(self):
        return _INF


class _GeneratorDataset(Dataset):
    _tf_name = "_FlatMapDataset"

    def __init__(self, generator, structure, args):
        super().__init__(structure)
        self._generator = generator
        self._args = args

    def _iter(self):
        args = () if self._args is None else tuple(
            a.numpy() if isinstance(a, EagerTensor) else a for a in self._args
        )  # fmt: skip
        specs = self._packer.flat_specs
        structure = self._structure
        for value in self._generator(*args):
            try:
                flat = nest.flatten_up_to(structure, value) if nest.is_nested(structure) else [
                    value]  # fmt: skip
            except (TypeError, ValueError):
                raise InvalidArgumentError(
                    None, None,
                    f"TypeError: `generator` yielded an element that did not match the expected "
                    f"structure. The expected structure was {structure}, but the yielded element "
                    f"was {value}.",
                ) from None  # fmt: skip
            out = []
            for v, spec in zip(flat, specs):
                out.append(_generator_value(v, spec))
            yield out

    def __repr__(self):
        return f"<_FlatMapDataset element_spec={self._structure!r}>"


def _generator_value(v, spec):
    if isinstance(v, EagerTensor):
        v = v._value
    try:
        if spec.dtype is dtypes.string:
            arr = np.asarray(v, dtype=object)
            arr = np.vectorize(lambda s: s.encode() if isinstance(s, str) else s, otypes=[object])(
                arr) if arr.size else arr  # fmt: skip
        else:
            arr = convert_to_tensor(v, dtype=spec.dtype)._value
    except (TypeError, ValueError) as e:
        raise InvalidArgumentError(
            None, None,
            f"TypeError: `generator` yielded an element that could not be converted to the "
            f"expected type. The expected type was {spec.dtype.name}, but the yielded element "
            f"was {v!r}. ({e})",
        ) from None  # fmt: skip
    if not spec.shape.is_compatible_with(TensorShape(np.shape(arr))):
        raise InvalidArgumentError(
            None, None,
            f"TypeError: `generator` yielded an element of shape {tuple(np.shape(arr))} where an "
            f"element of shape {_shape_str(spec.shape)} was expected.",
        )  # fmt: skip
    return arr


def _shape_str(shape):
    if shape.rank is None:
        return "<unknown>"
    return str(tuple(shape.as_list()))


# =====================================================================================
# Transformations
# =====================================================================================


class _Unary(Dataset):
    def __init__(self, input_dataset, structure=None, options=None):
        self._input = input_dataset
        super().__init__(input_dataset._structure if structure is None else structure, options)

    def _inputs(self):
        return [self._input]


class _PassThrough(_Unary):
    def __init__(self, input_dataset, tf_name, options=None):
        super().__init__(input_dataset, options=options)
        self._name = tf_name

    def _iter(self):
        return self._input._iter()

    def _plan(self):
        return self._input._plan()

    def _cardinality(self):
        return self._input._cardinality()

    def __repr__(self):
        return f"<{self._name} element_spec={self._structure!r}>"


class _BatchDataset(_Unary):
    def __init__(self, input_dataset, batch_size, drop_remainder, parallel=False):
        if batch_size <= 0:
            raise InvalidArgumentError(None, None, "Batch size must be greater than zero.")
        n = batch_size if drop_remainder else None
        super().__init__(
            input_dataset,
            nest.map_structure(
                lambda s: st.relax_batch(s, n), input_dataset._structure
            ),  # fmt: skip
        )
        self._bs = batch_size
        self._drop = drop_remainder
        self._parallel = parallel

    def __repr__(self):
        name = "_ParallelBatchDataset" if self._parallel else "_BatchDataset"
        return f"<{name} element_spec={self._structure!r}>"

    def _cardinality(self):
        n = self._input._cardinality()
        if n < 0:
            return n
        return n // self._bs if self._drop else -(-n // self._bs)

    def _iter(self):
        plan = self._input._plan()
        if plan is not None:
            return self._iter_plan(plan)
        return self._iter_generic()

    def _iter_plan(self, plan):
        arrays = plan.arrays
        for idx in _rechunk(plan.orders(), self._bs, self._drop):
            yield [a[idx] for a in arrays]

    def _iter_generic(self):
        bs, drop = self._bs, self._drop
        it = self._input._iter()
        specs = self._input._packer.flat_specs
        sparse = st.sparse_leaves(self._input._structure)
        while True:
            rows = list(itertools.islice(it, bs))
            if not rows or (drop and len(rows) < bs):
                return
            if sparse:
                yield _stack_with_sparse(rows, specs, sparse)
            else:
                yield _stack(rows, specs)


def _stack_with_sparse(rows, specs, sparse):
    out, i = [], 0
    starts = dict(sparse)
    while i < len(specs):
        if i in starts:
            out.extend(st.batch_sparse(rows, i))
            i += 3
        else:
            out.extend(_stack([[r[i]] for r in rows], [specs[i]]))
            i += 1
    return out


def _stack(rows, specs):
    out = []
    for i, spec in enumerate(specs):
        col = [r[i] for r in rows]
        if isinstance(spec, st.DatasetSpec):
            raise NotImplementedError("arroyo's tf.data cannot batch dataset elements")
        first = np.shape(col[0])
        for v in col:
            if np.shape(v) != first:
                raise InvalidArgumentError(
                    None, None,
                    "Cannot add tensor to the batch: number of elements does not match. Shapes "
                    f"are: [tensor]: {list(np.shape(v))}, [batch]: {list(first)}",
                )  # fmt: skip
        out.append(np.array(col, dtype=st.np_dtype(spec)) if not first else np.stack(col))
    return out


class _PaddedBatchDataset(_Unary):
    def __init__(self, input_dataset, batch_size, padded_shapes, padding_values, drop_remainder):
        if batch_size <= 0:
            raise InvalidArgumentError(None, None, "Batch size must be greater than zero.")
        specs = input_dataset._structure
        flat_specs = nest.flatten(specs)
        if padded_shapes is None:
            shapes = [s.shape for s in flat_specs]
            for s in shapes:
                if s.rank is None:
                    raise ValueError(
                        "You must provide `padded_shapes` argument because component 0 has "
                        "unknown rank."
                    )
        else:
            shapes = [TensorShape(_shape_arg(p)) for p in _flat_like(specs, padded_shapes)]
        for s, p in zip(flat_specs, shapes):
            if not p.is_compatible_with(s.shape) and not (
                s.shape.rank == p.rank and p.rank is not None
            ):  # fmt: skip
                raise ValueError(
                    f"The padded shape {p} is not compatible with the shape {s.shape} of the "
                    "corresponding input component."
                )
        if padding_values is None:
            pads = [b"" if s.dtype is dtypes.string else 0 for s in flat_specs]
        else:
            pads = [st.to_numpy(st.normalize(v)) for v in _flat_like(specs, padding_values)]
        n = batch_size if drop_remainder else None
        out = [TensorSpec(TensorShape([n]).concatenate(p), s.dtype)
               for p, s in zip(shapes, flat_specs)]  # fmt: skip
        super().__init__(input_dataset, nest.pack_sequence_as(specs, out))
        self._bs, self._drop = batch_size, drop_remainder
        self._shapes, self._pads = shapes, pads

    def _cardinality(self):
        n = self._input._cardinality()
        if n < 0:
            return n
        return n // self._bs if self._drop else -(-n // self._bs)

    def __repr__(self):
        return f"<_PaddedBatchDataset element_spec={self._structure!r}>"

    def _iter(self):
        it = self._input._iter()
        specs = self._input._packer.flat_specs
        while True:
            rows = list(itertools.islice(it, self._bs))
            if not rows or (self._drop and len(rows) < self._bs):
                return
            out = []
            for i, spec in enumerate(specs):
                col = [np.asarray(r[i]) for r in rows]
                target = []
                for d, want in enumerate(self._shapes[i].as_list()):
                    longest = max(c.shape[d] for c in col)
                    if want is not None and longest > want:
                        from arroyo.framework.errors import DataLossError

                        raise DataLossError(
                            None, None,
                            "Attempted to pad to a smaller size than the input element.",
                        )  # fmt: skip
                    target.append(longest if want is None else want)
                buf = np.full([len(col)] + target, self._pads[i], dtype=st.np_dtype(spec))
                for j, c in enumerate(col):
                    buf[(j,) + tuple(slice(0, k) for k in c.shape)] = c
                out.append(buf)
            yield out


def _shape_arg(p):
    if isinstance(p, EagerTensor):
        return [None if d < 0 else int(d) for d in np.ravel(p._value)]
    if isinstance(p, TensorShape):
        return p
    if isinstance(p, (list, tuple)):
        return [None if d is None or int(d) < 0 else int(d) for d in p]
    return p


def _flat_like(specs, values):
    if not nest.is_nested(specs):
        return [values]
    return nest.flatten_up_to(specs, values)


class _UnbatchDataset(_Unary):
    def __init__(self, input_dataset):
        flat = nest.flatten(input_dataset._structure)
        for s in flat:
            if s.shape.rank == 0:
                raise ValueError("Unbatching a dataset is only supported for rank >= 1")
        super().__init__(
            input_dataset,
            nest.map_structure(lambda s: TensorSpec(s.shape[1:], s.dtype)
                               if s.shape.rank is not None else s, input_dataset._structure),
        )  # fmt: skip

    def _cardinality(self):
        n = self._input._cardinality()
        if n == _INF:
            return _INF
        dims = {s.shape[0] for s in self._input._packer.flat_specs if s.shape.rank}
        if n >= 0 and len(dims) == 1 and None not in dims:
            return n * dims.pop()  # a known batch dimension (TF's rule)
        return _UNK

    def _iter(self):
        for elem in self._input._iter():
            n = len(elem[0])
            for v in elem[1:]:
                if len(v) != n:
                    raise InvalidArgumentError(
                        None, None, "Input element must have the same batch size in each "
                        f"component. Component 0 had size {n} but component 1 had size {len(v)}."
                    )  # fmt: skip
            if len(elem) == 1:
                for v in elem[0]:
                    yield [v]
            else:
                yield from (list(r) for r in zip(*elem))


class _RebatchDataset(_Unary):
    def __init__(self, input_dataset, batch_size, drop_remainder):
        inner = _UnbatchDataset(input_dataset)
        self._batched = _BatchDataset(inner, _int_arg(batch_size), bool(drop_remainder))
        super().__init__(input_dataset, self._batched._structure)

    def _iter(self):
        return self._batched._iter()

    def __repr__(self):
        return f"<_RebatchDataset element_spec={self._structure!r}>"


class _ShuffleDataset(_Unary):
    def __init__(self, input_dataset, buffer_size, seed, reshuffle_each_iteration):
        if buffer_size <= 0 and buffer_size != _UNK:
            raise InvalidArgumentError(
                None, None, "buffer_size must be greater than zero or UNKNOWN_CARDINALITY"
            )
        super().__init__(input_dataset)
        from arroyo.framework import random_seed

        if isinstance(seed, EagerTensor):
            seed = int(seed._value)
        s1, s2 = random_seed.get_seed(seed)
        if s1 is None:
            self._seeds = np.random.default_rng()
        else:
            self._seeds = np.random.default_rng([s1, s2])
        self._fixed = None if reshuffle_each_iteration else int(self._seeds.integers(2**62))
        self._buffer = buffer_size

    def _epoch_rng(self):
        s = self._fixed if self._fixed is not None else int(self._seeds.integers(2**62))
        return np.random.Generator(np.random.PCG64(s))

    def _cardinality(self):
        return self._input._cardinality()

    def _plan(self):
        plan = self._input._plan()
        if plan is None or plan.card < 0:
            return None
        buf = self._buffer if self._buffer > 0 else plan.card

        def orders():
            rng = self._epoch_rng()
            chunks = [_as_index(c) for c in plan.orders()]
            idx = np.concatenate(chunks) if chunks else np.zeros(0, np.int64)
            yield _buffer_shuffle(idx, buf, rng)

        return _Plan(plan.arrays, orders, plan.card)

    def _iter(self):
        plan = self._plan()
        if plan is not None:
            return _plan_rows(plan)
        return self._iter_generic()

    def _iter_generic(self):
        rng = self._epoch_rng()
        size = self._buffer if self._buffer > 0 else 1 << 62
        buf = []
        picks = iter(())
        for elem in self._input._iter():
            if len(buf) < size:
                buf.append(elem)
                continue
            k = next(picks, None)
            if k is None:
                picks = iter(rng.integers(0, size, size=1024).tolist())
                k = next(picks)
            yield buf[k]
            buf[k] = elem
        for k in rng.permutation(len(buf)).tolist():
            yield buf[k]


class _RepeatDataset(_Unary):
    def __init__(self, input_dataset, count):
        super().__init__(input_dataset)
        self._count = count

    def _cardinality(self):
        n = self._input._cardinality()
        if self._count == 0:
            return 0
        if self._count < 0:
            return 0 if n == 0 else _INF
        if n < 0:
            return n
        return n * self._count

    def _passes(self):
        return itertools.count() if self._count < 0 else range(self._count)

    def _plan(self):
        plan = self._input._plan()
        if plan is None:
            return None

        def orders():
            for _ in self._passes():
                empty = True
                for c in plan.orders():
                    empty = False
                    yield c
                if empty:
                    return

        return _Plan(plan.arrays, orders, self._cardinality())

    def _iter(self):
        plan = self._plan()
        if plan is not None:
            return _plan_rows(plan)
        return self._iter_generic()

    def _iter_generic(self):
        for _ in self._passes():
            empty = True
            for e in self._input._iter():
                empty = False
                yield e
            if empty:
                return


class _TakeDataset(_Unary):
    def __init__(self, input_dataset, count):
        super().__init__(input_dataset)
        self._count = count

    def _cardinality(self):
        n = self._input._cardinality()
        if self._count < 0:
            return n
        if n == _UNK:
            return _UNK
        return self._count if n == _INF else min(n, self._count)

    def _plan(self):
        plan = self._input._plan()
        if plan is None:
            return None
        return _Plan(plan.arrays, lambda: _trim_chunks(plan.orders(), 0, self._count),
                     self._cardinality())  # fmt: skip

    def _iter(self):
        plan = self._plan()
        if plan is not None:
            return _plan_rows(plan)
        if self._count < 0:
            return self._input._iter()
        return itertools.islice(self._input._iter(), self._count)


class _SkipDataset(_Unary):
    def __init__(self, input_dataset, count):
        super().__init__(input_dataset)
        self._count = count

    def _cardinality(self):
        n = self._input._cardinality()
        if self._count < 0:
            return _INF if n == _INF else 0
        if n < 0:
            return n
        return max(0, n - self._count)

    def _plan(self):
        plan = self._input._plan()
        if plan is None or self._count < 0:
            return None
        return _Plan(plan.arrays, lambda: _trim_chunks(plan.orders(), self._count, -1),
                     self._cardinality())  # fmt: skip

    def _iter(self):
        plan = self._plan()
        if plan is not None:
            return _plan_rows(plan)
        if self._count < 0:
            return self._drain()
        return itertools.islice(self._input._iter(), self._count, None)

    def _drain(self):
        for _ in self._input._iter():
            pass
        return
        yield


class _MapDataset(_Unary):
    def __init__(self, input_dataset, map_func, parallel=False):
        fn = _TracedFunction(map_func, input_dataset._structure, "map")
        super().__init__(input_dataset, fn.output_structure)
        self._fn = fn
        self._parallel = parallel

    def __repr__(self):
        name = "_ParallelMapDataset" if self._parallel else "_MapDataset"
        return f"<{name} element_spec={self._structure!r}>"

    def _cardinality(self):
        return self._input._cardinality()

    def _iter(self):
        call = self._fn._plan
        return (call(*e) for e in self._input._iter())


class _FilterDataset(_Unary):
    def __init__(self, input_dataset, predicate):
        fn = _TracedFunction(predicate, input_dataset._structure, "filter")
        out = fn.output_structure
        if not (isinstance(out, TensorSpec) and out.dtype is dtypes.bool and out.shape.rank == 0):
            raise ValueError(
                "Invalid `predicate`. `predicate` must return a `tf.bool` scalar tensor, but its "
                f"return type is {out}."
            )
        super().__init__(input_dataset)
        self._fn = fn

    def _cardinality(self):
        n = self._input._cardinality()
        return _INF if n == _INF else _UNK

    def _iter(self):
        call = self._fn._plan
        for e in self._input._iter():
            if call(*e)[0]:
                yield e


class _TakeWhileDataset(_FilterDataset):
    def _iter(self):
        call = self._fn._plan
        for e in self._input._iter():
            if not call(*e)[0]:
                return
            yield e


def _dataset_fn(func, structure, what):
    packer = st.Packer(structure)

    def call(flat):
        elem = packer.pack(flat)
        out = func(*elem) if _should_unpack(elem) else func(elem)
        if not isinstance(out, Dataset):
            raise TypeError(
                f"The `map_func` argument must return a `Dataset` object. Got {type(out)}."
            )
        return out

    return call


def _first_structure(func, input_dataset):
    """The element spec of the datasets `func` returns (probed on a throwaway element)."""
    specs = st.component_specs(input_dataset._structure)
    probe = []
    for s in specs:
        if isinstance(s, st.DatasetSpec):
            probe.append(Dataset.range(0) if s.element_spec == TensorSpec([], dtypes.int64)
                         else _EmptyDataset(s.element_spec))  # fmt: skip
        else:
            shape = [0 if d is None else d for d in (s.shape.as_list() or [])]
            probe.append(np.zeros(shape, dtype=st.np_dtype(s)) if s.shape.rank else
                         np.zeros((), dtype=st.np_dtype(s))[()] if s.dtype is not dtypes.string
                         else np.array(b"", dtype=object))  # fmt: skip
    return _dataset_fn(func, input_dataset._structure, "flat_map")(probe)._structure


class _EmptyDataset(Dataset):
    def _iter(self):
        return iter(())

    def _cardinality(self):
        return 0


class _FlatMapDataset(_Unary):
    def __init__(self, input_dataset, map_func):
        self._fn = _dataset_fn(map_func, input_dataset._structure, "flat_map")
        super().__init__(input_dataset, _first_structure(map_func, input_dataset))

    def _iter(self):
        for e in self._input._iter():
            yield from self._fn(e)._iter()

    def _cardinality(self):
        return _UNK if self._input._cardinality() != 0 else 0


class _InterleaveDataset(_Unary):
    def __init__(self, input_dataset, map_func, cycle_length, block_length, parallel=False):
        self._fn = _dataset_fn(map_func, input_dataset._structure, "interleave")
        super().__init__(input_dataset, _first_structure(map_func, input_dataset))
        c = AUTOTUNE if cycle_length is None else _int_arg(cycle_length)
        self._cycle = (os.cpu_count() or 1) if c == AUTOTUNE else c
        self._block = 1 if block_length is None else _int_arg(block_length)
        self._parallel = parallel
        if self._cycle <= 0:
            raise InvalidArgumentError(None, None, "cycle_length must be greater than zero.")
        if self._block <= 0:
            raise InvalidArgumentError(None, None, "block_length must be greater than zero.")

    def __repr__(self):
        name = "_ParallelInterleaveDataset" if self._parallel else "_InterleaveDataset"
        return f"<{name} element_spec={self._structure!r}>"

    def _cardinality(self):
        return _UNK if self._input._cardinality() != 0 else 0

    def _iter(self):
        inputs = self._input._iter()
        slots = [None] * self._cycle
        i = block = 0
        end = False
        while True:
            cur = slots[i]
            if cur is not None:
                e = next(cur, None)
                if e is not None:
                    block += 1
                    if block == self._block:
                        i, block = (i + 1) % self._cycle, 0
                    yield e
                    continue
                slots[i] = None
                i, block = (i + 1) % self._cycle, 0
            elif not end:
                e = next(inputs, None)
                if e is None:
                    end = True
                else:
                    slots[i] = self._fn(e)._iter()
            else:
                if all(s is None for s in slots):
                    return
                i, block = (i + 1) % self._cycle, 0


class _CacheDataset(_Unary):
    def __init__(self, input_dataset):
        super().__init__(input_dataset)
        self._cached = None
        self._order = None

    def __repr__(self):
        return f"<CacheDataset element_spec={self._structure!r}>"

    def _cardinality(self):
        return self._input._cardinality()

    def _plan(self):
        plan = self._input._plan()
        if plan is None or plan.card < 0:
            return None

        def orders():
            if self._order is None:
                chunks = [_as_index(c) for c in plan.orders()]
                self._order = np.concatenate(chunks) if chunks else np.zeros(0, np.int64)
            yield self._order

        return _Plan(plan.arrays, orders, plan.card)

    def _iter(self):
        plan = self._plan()
        if plan is not None:
            return _plan_rows(plan)
        if self._cached is not None:
            return iter(self._cached)
        return self._fill()

    def _fill(self):
        seen = []
        for e in self._input._iter():
            seen.append(e)
            yield e
        self._cached = seen


class _ZipDataset(Dataset):
    def __init__(self, datasets, tf_name="_ZipDataset"):
        if isinstance(datasets, list):
            raise TypeError(
                "Invalid input to `zip`. Inputs are expected to be (nested) structures of "
                "`tf.data.Dataset` objects. Python `list` is not supported and you should use "
                "`tuple` instead."
            )
        flat = nest.flatten(datasets) if not isinstance(datasets, Dataset) else [datasets]
        for d in flat:
            if not isinstance(d, Dataset):
                raise TypeError(
                    "Invalid `datasets`. `datasets` is expected to be a (nested) structure of "
                    f"`tf.data.Dataset` objects. Encountered object with type {type(d)}."
                )
        self._datasets = flat
        self._layout = datasets
        structure = (
            nest.map_structure(lambda d: d._structure, datasets)
            if not isinstance(datasets, Dataset)
            else datasets._structure
        )
        super().__init__(structure)
        self._name = tf_name

    def __repr__(self):
        return f"<{self._name} element_spec={self._structure!r}>"

    def _inputs(self):
        return self._datasets

    def _cardinality(self):
        cards = [d._cardinality() for d in self._datasets]
        finite = [c for c in cards if c >= 0]
        if finite:
            return min(finite)
        return _UNK if _UNK in cards else _INF

    def _plan(self):
        plans = [d._plan() for d in self._datasets]
        if any(p is None for p in plans) or len(plans) != 1:
            return None
        return plans[0]

    def _iter(self):
        its = [d._iter() for d in self._datasets]
        while True:
            out = []
            for it in its:
                e = next(it, None)
                if e is None:
                    return
                out.extend(e)
            yield out


class _ConcatenateDataset(Dataset):
    def __init__(self, first, second):
        a, b = first._structure, second._structure
        try:
            nest.assert_same_structure(a, b, check_types=False)
            ok = all(x.dtype == y.dtype for x, y in zip(nest.flatten(a), nest.flatten(b)))
        except (TypeError, ValueError):
            ok = False
        if not ok:
            raise TypeError(f"Incompatible dataset elements:\n  {a} vs.   {b}")
        structure = nest.map_structure(
            lambda x, y: TensorSpec(x.shape.most_specific_compatible_shape(y.shape), x.dtype)
            if isinstance(x, TensorSpec) else x, a, b)  # fmt: skip
        super().__init__(structure)
        self._first, self._second = first, second

    def __repr__(self):
        return f"<_ConcatenateDataset element_spec={self._structure!r}>"

    def _inputs(self):
        return [self._first, self._second]

    def _cardinality(self):
        x, y = self._first._cardinality(), self._second._cardinality()
        if x == _INF or y == _INF:
            return _INF
        if x == _UNK or y == _UNK:
            return _UNK
        return x + y

    def _iter(self):
        yield from self._first._iter()
        yield from self._second._iter()


class _ScanDataset(_Unary):
    def __init__(self, input_dataset, initial_state, scan_func):
        init = st.normalize(initial_state)
        specs = nest.map_structure(st.spec_of, init)
        fn = self._trace(scan_func, specs, input_dataset)
        if _needs_relax(fn.output_structure[0], specs):
            specs = _relax_specs(specs, fn.output_structure[0])
            fn = self._trace(scan_func, specs, input_dataset)
        super().__init__(input_dataset, fn.output_structure[1])
        self._fn = fn
        self._init = [st.to_numpy(t) for t in st.value_components(init)]

    @staticmethod
    def _trace(scan_func, specs, input_dataset):
        fn = _TracedFunction(_unpack_state_fn(scan_func), (specs, input_dataset._structure),
                             "scan", unpack=False)  # fmt: skip
        out = fn.output_structure
        if not isinstance(out, tuple) or len(out) != 2:
            raise TypeError(
                "The scan function must return a pair comprising the new state and the output "
                f"value. Got {out}."
            )
        _check_state(out[0], specs, "scan")
        return fn

    def _cardinality(self):
        return self._input._cardinality()

    def _iter(self):
        s = list(self._init)
        n = len(s)
        call = self._fn._plan
        for e in self._input._iter():
            out = call(*(s + list(e)))
            s = list(out[:n])
            yield list(out[n:])


class _WindowDataset(_Unary):
    def __init__(self, input_dataset, size, shift, stride, drop_remainder):
        size = _int_arg(size)
        shift = size if shift is None else _int_arg(shift)
        stride = _int_arg(stride)
        for nm, v in (("size", size), ("shift", shift), ("stride", stride)):
            if v <= 0:
                raise InvalidArgumentError(None, None, f"Window {nm} must be greater than zero, "
                                           f"but got {v}.")  # fmt: skip
        structure = nest.map_structure(lambda s: st.DatasetSpec(s), input_dataset._structure)
        super().__init__(input_dataset, structure)
        self._size, self._shift, self._stride, self._drop = size, shift, stride, drop_remainder

    def _cardinality(self):
        n = self._input._cardinality()
        if n < 0:
            return n
        if self._drop:
            span = (self._size - 1) * self._stride + 1
            return 0 if n < span else (n - span) // self._shift + 1
        return -(-n // self._shift)

    def _iter(self):
        span = (self._size - 1) * self._stride + 1
        in_specs = self._input._packer.flat_specs
        it = self._input._iter()
        buf = collections.deque()
        base = start = 0  # stream index of buf[0]; of the next window's first element
        done = False
        while True:
            while base < start:  # skip to the window's start (shift may exceed its span)
                if buf:
                    buf.popleft()
                elif done or next(it, None) is None:
                    return
                base += 1
            while not done and base + len(buf) < start + span:
                e = next(it, None)
                if e is None:
                    done = True
                else:
                    buf.append(e)
            rows = list(itertools.islice(buf, 0, span, self._stride))
            if not rows or (self._drop and len(rows) < self._size):
                return
            yield [_ListDataset([r[i] for r in rows], spec) for i, spec in enumerate(in_specs)]
            start += self._shift


class _ListDataset(Dataset):
    """A dataset over a list of values of one component (a window)."""

    def __init__(self, values, spec):
        super().__init__(spec)
        self._values = values

    def _iter(self):
        return ([v] for v in self._values)

    def _cardinality(self):
        return len(self._values)


class _ShardDataset(_Unary):
    def __init__(self, input_dataset, num_shards, index):
        super().__init__(input_dataset)
        self._n, self._i = num_shards, index

    def _cardinality(self):
        n = self._input._cardinality()
        if n < 0:
            return n
        return n // self._n + (1 if n % self._n > self._i else 0)

    def _iter(self):
        return itertools.islice(self._input._iter(), self._i, None, self._n)


class _IgnoreErrorsDataset(_Unary):
    def _iter(self):
        it = self._input._iter()
        while True:
            try:
                e = next(it)
            except StopIteration:
                return
            except InvalidArgumentError:
                continue
            yield e


class _UniqueDataset(_Unary):
    def _iter(self):
        seen = set()
        for e in self._input._iter():
            v = e[0]
            key = v.item() if isinstance(v, (np.generic, np.ndarray)) and np.ndim(v) == 0 else v
            if isinstance(key, np.ndarray):
                key = key.tobytes()
            if key not in seen:
                seen.add(key)
                yield e


class _SampleDataset(Dataset):
    def __init__(self, datasets, weights, seed, stop_on_empty):
        super().__init__(datasets[0]._structure)
        self._datasets = datasets
        w = (
            np.ones(len(datasets))
            if weights is None
            else np.asarray(
                weights.numpy() if isinstance(weights, EagerTensor) else weights, dtype=np.float64
            )
        )
        self._w = w / w.sum()
        from arroyo.framework import random_seed

        s1, s2 = random_seed.get_seed(seed)
        self._rng = np.random.default_rng(None if s1 is None else [s1, s2])
        self._stop = stop_on_empty

    def _inputs(self):
        return self._datasets

    def _iter(self):
        its = [d._iter() for d in self._datasets]
        w = self._w.copy()
        while w.sum() > 0:
            k = int(self._rng.choice(len(its), p=w / w.sum()))
            e = next(its[k], None)
            if e is None:
                if self._stop:
                    return
                w[k] = 0
                continue
            yield e


class _ChooseDataset(Dataset):
    def __init__(self, datasets, choice_dataset, stop_on_empty):
        super().__init__(datasets[0]._structure)
        self._datasets, self._choice, self._stop = datasets, choice_dataset, stop_on_empty

    def _inputs(self):
        return self._datasets + [self._choice]

    def _iter(self):
        its = [d._iter() for d in self._datasets]
        for (c,) in self._choice._iter():
            e = next(its[int(c)], None)
            if e is None:
                if self._stop:
                    return
                continue
            yield e


DatasetV2 = Dataset
