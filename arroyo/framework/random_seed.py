"""TensorFlow's two-level seeding: a global seed plus per-operation seeds.

    tf.random.set_seed(1234)
    tf.random.uniform([2])          # op seed drawn from the global seed's sequence
    tf.random.uniform([2], seed=5)  # (global seed, 5)

`get_seed(op_seed)` returns the `(seed, seed2)` attrs a stateful random op runs with,
following TF 2's rules exactly:

* global seed set, no op seed: in eager mode the op seed is the next draw of a Python
  `random.Random(global_seed)` (`randint(0, 2**31 - 1)`), re-created by every
  `set_seed`; inside a graph it is a per-graph counter 0, 1, 2, ...
* global seed set, op seed given: `(global_seed, op_seed)`, both taken modulo 2**31 - 1;
* only an op seed: `(DEFAULT_GRAPH_SEED, op_seed)` with DEFAULT_GRAPH_SEED = 87654321;
* neither: `(None, None)`, which the kernels treat as "seed from the OS".
* `(0, 0)` is replaced by `(0, 2**31 - 1)` so an explicit zero is not "random".

Each op kernel keeps a Philox generator per distinct set of attrs, the way TF's eager
kernel cache does: calling `tf.random.uniform([3], seed=1)` twice continues one stream
and gives two different results; `set_seed` empties that cache, so the same program
after the same `set_seed` reproduces the same numbers.
"""

from __future__ import annotations

import collections
import itertools
import os
import random
import threading
import weakref

import numpy as np

from arroyo.framework.context import state

__all__ = ["DEFAULT_GRAPH_SEED", "get_seed", "set_seed", "set_random_seed", "global_seed",
           "kernel_generator", "reserve", "node_key"]  # fmt: skip

DEFAULT_GRAPH_SEED = 87654321
_MAXINT32 = 2**31 - 1
_MASK64 = (1 << 64) - 1
_MASK128 = (1 << 128) - 1
# Every op call after set_seed draws a fresh op seed and so creates a kernel; keep the
# most recently used ones (TF keeps all; a repeat 64K kernels later is vanishingly rare).
_MAX_KERNELS = 1 << 16


class _EagerSeedState:
    """The eager context's global seed, its op-seed sequence and the kernel cache."""

    def __init__(self):
        self.seed = None
        self.rng = random.Random()
        self.lock = threading.Lock()
        # (op name, attrs...) -> [key, counter] of the Philox generator that op kernel owns.
        self.kernels: collections.OrderedDict = collections.OrderedDict()


_eager = _EagerSeedState()
_graph_counters: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
# Per-node generators of ops built into graphs (a node keeps its stream across runs).
_node_generators: dict = {}
_node_ids = itertools.count(1)


def _truncate_seed(seed):
    return int(seed) % _MAXINT32


def global_seed():
    """The eager global seed (None when unset)."""
    return _eager.seed


def set_seed(seed):
    """Sets the global random seed (TF's `tf.random.set_seed`).

    In eager mode this also resets the op-seed sequence and every op kernel's generator,
    so re-running the same code after the same `set_seed` gives the same numbers.

    >>> tf.random.set_seed(5)
    >>> a = tf.random.uniform([2])
    >>> tf.random.set_seed(5)
    >>> bool(tf.reduce_all(a == tf.random.uniform([2])))
    True
    """
    graph = state.graph
    if graph is not None:  # tracing a tf.function or building a v1 graph
        graph.seed = seed
        return
    try:
        hash(seed)
        rng = random.Random(seed)
    except TypeError:
        seed = int(np.array(seed))
        rng = random.Random(seed)
    with _eager.lock:
        _eager.seed = seed
        _eager.rng = rng
        _eager.kernels.clear()


set_random_seed = set_seed


def get_seed(op_seed):
    """The `(seed, seed2)` pair an op with operation seed `op_seed` should use.

    >>> tf.random.set_seed(1); get_seed(5)
    (1, 5)
    """
    graph = state.graph
    if graph is None:
        gseed = _eager.seed
    else:
        gseed = getattr(graph, "seed", None)
        if gseed is None and getattr(graph, "building_function", False):
            gseed = _eager.seed  # a tf.function graph starts with the eager global seed
    if gseed is not None:
        if op_seed is None:
            if graph is None:
                with _eager.lock:
                    op_seed = _eager.rng.randint(0, _MAXINT32)
            else:
                op_seed = _graph_counters.get(graph, 0)
                _graph_counters[graph] = op_seed + 1
        seeds = _truncate_seed(gseed), _truncate_seed(op_seed)
    elif op_seed is not None:
        seeds = DEFAULT_GRAPH_SEED, _truncate_seed(op_seed)
    else:
        seeds = None, None
    if seeds == (0, 0):
        return 0, _MAXINT32
    return seeds


def seed_attrs(op_seed):
    """`get_seed` as the int attrs a kernel receives (None becomes 0: nondeterministic)."""
    s1, s2 = get_seed(op_seed)
    return (0 if s1 is None else s1), (0 if s2 is None else s2)


def node_key():
    """A fresh identity for a random op built into a graph: each node owns a generator."""
    return next(_node_ids)


def kernel_generator(cache_key, seed, seed2, node=None):
    """The [key, counter] cell of the Philox generator an op kernel owns.

    Like TF's GuardedPhiloxRandom: key = seed, counter = seed2 << 64 (as 64-bit
    patterns); both zero means fresh seeds from the OS.
    """
    if node is None:
        table, key = _eager.kernels, cache_key
    else:
        table, key = _node_generators, node
    cell = table.get(key)
    if cell is None:
        s1, s2 = int(seed) & _MASK64, int(seed2) & _MASK64
        if s1 == 0 and s2 == 0:
            s1 = int.from_bytes(os.urandom(8), "little")
            s2 = int.from_bytes(os.urandom(8), "little")
        cell = [s1, s2 << 64]
        table[key] = cell
        if node is None and len(table) > _MAX_KERNELS:
            table.popitem(last=False)
    elif node is None:
        table.move_to_end(key)
    return cell


def reserve(cell, blocks: int):
    """Reserves `blocks` 128-bit Philox outputs from a kernel generator.

    Returns (key, counter) the caller generates from; the generator skips past them
    (TF's ReserveSamples128).
    """
    with _eager.lock:
        key, counter = cell
        cell[1] = (counter + blocks) & _MASK128
    return key, counter
