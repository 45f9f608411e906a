"""Where a thread stands in tf.distribute: which strategy, and which replica if any.

Kept apart from the strategies so that code outside arroyo.distribute (tf.nn losses,
optimizers, Variable creation) can ask cheaply, without importing the strategies.

Each thread has a stack of entries `(strategy, replica_context)`:
- empty: the default strategy, its default replica context (TF's "default" context);
- `strategy.scope()` pushes `(strategy, None)`: cross-replica context;
- a replica function run by `strategy.run` pushes `(strategy, ReplicaContext)`;
- `ReplicaContext.merge_call` pushes `(strategy, None)` again (cross-replica).
"""

from __future__ import annotations

import sys
import threading


class _DistState(threading.local):
    def __init__(self):
        self.stack = []  # [(strategy, replica_context or None)], innermost last
        self.no_hook = 0  # >0 while distributed variables create their components


dstate = _DistState()


def top():
    s = dstate.stack
    return s[-1] if s else None


def current_replica_id():
    """The replica id of the running replica function, or None (cross-replica/default)."""
    s = dstate.stack
    if s:
        ctx = s[-1][1]
        if ctx is not None:
            return ctx._replica_id
    return None


def num_replicas_in_replica_context():
    """How many replicas run in sync with this one (1 outside a replica function)."""
    s = dstate.stack
    if s:
        ctx = s[-1][1]
        if ctx is not None:
            return ctx._num_replicas
    return 1


def multi_replica_context():
    """The ReplicaContext of the running replica function when there are several, else None."""
    s = dstate.stack
    if s:
        ctx = s[-1][1]
        if ctx is not None and ctx._num_replicas > 1:
            return ctx
    return None


def apply_in_cross_replica(apply_fn, grads, variables):
    """What an optimizer does inside a replica function of a multi-replica strategy.

    Sums the gradients over the replicas, then applies them once, in cross-replica context,
    so every mirror of each variable gets the same update (TF's Keras optimizers do this
    with `merge_call`). Returns whatever `apply_fn(grads, variables)` returns.
    """
    ctx = multi_replica_context()

    def merge(strategy, per_replica_grads):
        from arroyo.distribute.reduce_util import ReduceOp

        reduced = strategy.extended.batch_reduce_to(ReduceOp.SUM, per_replica_grads)
        return apply_fn(list(reduced), variables)

    return ctx.merge_call(merge, args=(list(grads),))


# -- thread-local state carried into replica threads ----------------------------------------

_THREAD_LOCALS = (
    ("arroyo.framework.context", "state"),
    ("arroyo.keras.backend", "call_state"),
    ("arroyo.summary", "_state"),
    ("arroyo.graph.autograph", "_calls"),
    ("arroyo.profiler._hooks", "_depth"),
    (__name__, "dstate"),
)


def snapshot_thread_state():
    """The calling thread's per-thread settings (graph, tapes, scopes, ...), to install in
    a replica thread so the replica function runs as if called here."""
    out = []
    for mod_name, attr in _THREAD_LOCALS:
        mod = sys.modules.get(mod_name)
        obj = getattr(mod, attr, None) if mod is not None else None
        if obj is None:
            continue
        snap = {k: (list(v) if type(v) is list else v) for k, v in obj.__dict__.items()}
        out.append((obj, snap))
    return out


def install_thread_state(snapshot):
    for obj, snap in snapshot:
        obj.__dict__.update({k: (list(v) if type(v) is list else v) for k, v in snap.items()})
