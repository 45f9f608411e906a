"""Strategy, StrategyExtended, ReplicaContext and the default strategy.

A strategy runs a replica function once per replica (`run`), combines per-replica values
(`reduce`, `gather`, `ReplicaContext.all_reduce`), and makes the Variables created in its
`scope()` distributed. How replicas execute and how values cross between them belong to the
subclasses (`mirrored_strategy.py`) and to their `CrossDeviceOps` (`cross_device_ops.py`).
"""

from __future__ import annotations

from arroyo.distribute import _context
from arroyo.distribute._context import dstate
from arroyo.distribute.reduce_util import ReduceOp, as_reduce_op
from arroyo.distribute.values import (
    DistributedValues,
    Mirrored,
    PerReplica,
    local_results,
    regroup,
    select_replica,
)
from arroyo.framework.context import CPU_DEVICE
from arroyo.util import nest

__all__ = ["Strategy", "StrategyExtended", "ReplicaContext", "get_strategy", "has_strategy",
           "in_cross_replica_context", "get_replica_context", "experimental_set_strategy"]  # fmt: skip


def _ops():
    import arroyo as tf

    return tf


class _Scope:
    """`with strategy.scope():` (cross-replica context; variables become distributed)."""

    def __init__(self, strategy):
        self._strategy = strategy

    def __enter__(self):
        s = self._strategy
        top = _context.top()
        if top is not None:
            current, ctx = top
            if current is not s:
                raise RuntimeError(
                    f"Mixing different tf.distribute.Strategy objects: {current} is not {s}"
                )
            if ctx is not None:
                raise RuntimeError(
                    "Method requires being in cross-replica context, use "
                    "get_replica_context().merge_call()"
                )
        dstate.stack.append((s, None))
        return s

    def __exit__(self, *exc):
        dstate.stack.pop()
        return False


class Strategy:
    """A way to run computation on several replicas (`tf.distribute.Strategy`).

    >>> strategy = tf.distribute.get_strategy()
    >>> strategy.run(lambda x: x * 2, args=(tf.constant(3.0),))
    <tf.Tensor: shape=(), dtype=float32, numpy=6.0>
    """

    def __init__(self, extended):
        self._extended = extended

    @property
    def extended(self):
        return self._extended

    @property
    def num_replicas_in_sync(self):
        return self._extended._num_replicas_in_sync

    @property
    def cluster_resolver(self):
        return None

    def scope(self):
        """Cross-replica context in which Variables are created distributed."""
        return _Scope(self)

    # -- running replica functions ----------------------------------------------------------
    def run(self, fn, args=(), kwargs=None, options=None):
        """Runs `fn(*args, **kwargs)` on every replica; per-replica results are PerReplica.

        PerReplica arguments give each replica its own value.
        """
        top = _context.top()
        if top is not None and top[1] is not None and top[0] is not self:
            raise RuntimeError(
                f"Mixing different tf.distribute.Strategy objects: {top[0]} is not {self}"
            )
        fn = _maybe_autograph(fn)
        return self._extended._call_for_each_replica(fn, tuple(args), dict(kwargs or {}))

    def experimental_run(self, fn, input_iterator=None):
        inputs = next(input_iterator) if input_iterator is not None else None
        return self.run(fn, args=() if inputs is None else (inputs,))

    # -- combining values -------------------------------------------------------------------
    def reduce(self, reduce_op, value, axis):
        """Sums or averages a per-replica value (and, with `axis`, within each replica)."""
        op = as_reduce_op(reduce_op)
        return nest.map_structure(lambda v: self._extended._reduce_leaf(op, v, axis), value)

    def gather(self, value, axis):
        """Concatenates the replicas' values along `axis`."""
        tf = _ops()

        def one(v):
            parts = local_results(v)
            if len(parts) == 1:
                return tf.convert_to_tensor(parts[0])
            return tf.concat([tf.convert_to_tensor(p) for p in parts], axis=axis)

        return nest.map_structure(one, value)

    def experimental_local_results(self, value):
        """The per-replica parts of `value` (a tuple; `(value,)` for a plain value)."""
        return local_results(value)

    def unwrap(self, value):
        return local_results(value)

    def group(self, value, name=None):
        return value

    # -- input ------------------------------------------------------------------------------
    def experimental_distribute_dataset(self, dataset, options=None):
        """A dataset of global batches -> a DistributedDataset of per-replica batches."""
        from arroyo.distribute import input_lib

        return input_lib.DistributedDataset(self, dataset, options)

    def distribute_datasets_from_function(self, dataset_fn, options=None):
        """`dataset_fn(InputContext)` makes each input pipeline's per-replica dataset."""
        from arroyo.distribute import input_lib

        return input_lib.DistributedDatasetsFromFunction(self, dataset_fn, options)

    experimental_distribute_datasets_from_function = distribute_datasets_from_function

    def experimental_distribute_values_from_function(self, value_fn):
        """A PerReplica of `value_fn(ValueContext)` for each replica."""
        from arroyo.distribute.input_lib import ValueContext

        n = self.num_replicas_in_sync
        vals = [value_fn(ValueContext(i, n)) for i in range(n)]
        return regroup(vals)

    def colocate_vars_with(self, colocate_with_variable):
        return self._extended.colocate_vars_with(colocate_with_variable)

    def configure(self, session_config=None, cluster_spec=None, task_type=None, task_id=None):
        pass

    def update_config_proto(self, config_proto):
        return config_proto


class StrategyExtended:
    """The lower-level API of a strategy (`strategy.extended`)."""

    def __init__(self, container_strategy, devices=(CPU_DEVICE,)):
        self._container_strategy_ref = container_strategy
        self._devices = tuple(devices)

    def _container_strategy(self):
        return self._container_strategy_ref

    @property
    def _num_replicas_in_sync(self):
        return len(self._devices)

    @property
    def worker_devices(self):
        return self._devices

    @property
    def parameter_devices(self):
        return self._devices

    @property
    def experimental_require_static_shapes(self):
        return False

    def _variable_replicas(self):
        """How many replicas a Variable created in scope is mirrored on (None: plain)."""
        return None

    def variable_created_in_scope(self, v):
        return getattr(v, "_dv_strategy", None) is self._container_strategy_ref

    def colocate_vars_with(self, colocate_with_variable):
        import contextlib

        return contextlib.nullcontext()

    def value_container(self, value):
        return value

    # -- cross-replica communication (CrossDeviceOps is the seam for other transports) -------
    def _cross_device_ops(self):
        from arroyo.distribute.cross_device_ops import ReductionToOneDevice

        ops = getattr(self, "_cdo", None)
        if ops is None:
            ops = self._cdo = ReductionToOneDevice()
        return ops

    def _reduce_leaf(self, op, v, axis):
        tf = _ops()
        n = self._num_replicas_in_sync
        parts = local_results(v)
        if len(parts) == 1 and not isinstance(v, DistributedValues):
            if n > 1 and op is ReduceOp.SUM and getattr(v, "_dv_kind", None) is None:
                raise ValueError(
                    f"A non-DistributedValues value {str(v)} cannot be reduced with the given reduce "
                    f"op {op}."
                )
            parts = (v,)
        parts = [tf.convert_to_tensor(p) for p in parts]
        if axis is None:
            return self._cross_device_ops()._reduce_values(op, parts)
        sums = [tf.reduce_sum(p, axis=axis) for p in parts]
        total = self._cross_device_ops()._reduce_values(ReduceOp.SUM, sums)
        if op is ReduceOp.SUM:
            return total
        count = sum(int(p.shape[axis]) if p.shape[axis] is not None else 0 for p in parts)
        if any(p.shape[axis] is None for p in parts):
            count = tf.add_n([tf.shape(p)[axis] for p in parts])
        return _divide(total, count)

    def reduce_to(self, reduce_op, value, destinations, options=None):
        """Reduces a per-replica value to one tensor (on `destinations`: one place here)."""
        op = as_reduce_op(reduce_op)
        return self._reduce_leaf(op, value, None)

    def batch_reduce_to(self, reduce_op, value_destination_pairs, options=None):
        """`reduce_to` for each `(value, destinations)` pair (or each value)."""
        op = as_reduce_op(reduce_op)
        out = []
        for item in value_destination_pairs:
            v = item[0] if isinstance(item, tuple) and len(item) == 2 else item
            out.append(None if v is None else self._reduce_leaf(op, v, None))
        return out

    def update(self, var, fn, args=(), kwargs=None, group=True):
        """Runs `fn(var, *args, **kwargs)` to update `var` (in cross-replica context)."""
        dstate.stack.append((self._container_strategy_ref, None))
        try:
            return fn(var, *args, **(kwargs or {}))
        finally:
            dstate.stack.pop()

    def update_non_slot(self, colocate_with, fn, args=(), kwargs=None, group=True):
        return fn(*args, **(kwargs or {}))

    def read_var(self, v):
        return v.read_value()

    def call_for_each_replica(self, fn, args=(), kwargs=None):
        return self._call_for_each_replica(fn, tuple(args), dict(kwargs or {}))

    def _call_for_each_replica(self, fn, args, kwargs):
        """One replica, run here (subclasses with several replicas override this)."""
        strategy = self._container_strategy_ref
        ctx = ReplicaContext(strategy, 0)
        dstate.stack.append((strategy, ctx))
        try:
            return fn(*args, **kwargs)
        finally:
            dstate.stack.pop()


def _divide(total, count):
    tf = _ops()
    if total.dtype.is_floating or total.dtype.is_complex:
        return total / tf.cast(count, total.dtype)
    return total // tf.cast(count, total.dtype)


class ReplicaContext:
    """What a replica function sees (`tf.distribute.get_replica_context()`).

    >>> def step():
    ...     ctx = tf.distribute.get_replica_context()
    ...     return ctx.all_reduce("SUM", 1.0)
    """

    def __init__(self, strategy, replica_id_in_sync_group):
        self._strategy = strategy
        self._replica_id = int(replica_id_in_sync_group)
        self._num_replicas = strategy.num_replicas_in_sync
        self._thread = None  # the replica thread, when replicas run in threads

    @property
    def strategy(self):
        return self._strategy

    @property
    def num_replicas_in_sync(self):
        return self._num_replicas

    @property
    def replica_id_in_sync_group(self):
        return _ops().constant(self._replica_id, dtype="int32")

    @property
    def devices(self):
        return (self._strategy.extended.worker_devices[self._replica_id],)

    def merge_call(self, merge_fn, args=(), kwargs=None):
        """Runs `merge_fn(strategy, *args, **kwargs)` once, in cross-replica context, with
        the replicas' arguments grouped into PerReplica values; each replica gets its part
        of the result."""
        kwargs = dict(kwargs or {})
        thread = self._thread
        if thread is None:
            dstate.stack.append((self._strategy, None))
            try:
                return merge_fn(self._strategy, *args, **kwargs)
            finally:
                dstate.stack.pop()
        return thread.merge_call(merge_fn, args, kwargs)

    def all_reduce(self, reduce_op, value, options=None):
        """The SUM/MEAN of `value` (a nested structure) over the replicas, on each replica."""
        op = as_reduce_op(reduce_op)
        tf = _ops()
        if self._num_replicas == 1:
            return nest.map_structure(lambda v: tf.identity(v), value)

        def merge(strategy, per_replica):
            flat = nest.flatten(per_replica)
            reduced = strategy.extended.batch_reduce_to(op, flat)
            n = self._num_replicas
            # each replica gets its own copy (TF: one per device)
            copies = [Mirrored([r] + [tf.identity(r) for _ in range(n - 1)]) for r in reduced]
            return nest.pack_sequence_as(per_replica, copies)

        return self.merge_call(merge, args=(value,))

    def all_gather(self, value, axis, options=None):
        """The replicas' values concatenated along `axis`, on each replica."""
        tf = _ops()
        if self._num_replicas == 1:
            return nest.map_structure(lambda v: tf.identity(v), value)

        def merge(strategy, per_replica):
            def one(v):
                g = strategy.gather(v, axis)
                return Mirrored([g] + [tf.identity(g) for _ in range(self._num_replicas - 1)])

            return nest.map_structure(one, per_replica)

        return self.merge_call(merge, args=(value,))

    def __repr__(self):
        return object.__repr__(self)


class _DefaultReplicaContext(ReplicaContext):
    @property
    def replica_id_in_sync_group(self):
        return 0


class _DefaultDistributionExtended(StrategyExtended):
    pass


class _DefaultDistributionStrategy(Strategy):
    """The strategy in effect outside any `strategy.scope()`: one replica, here."""

    def __init__(self):
        super().__init__(_DefaultDistributionExtended(self))

    def scope(self):
        import contextlib

        return contextlib.nullcontext(self)


_DEFAULT = {}


def _default_strategy():
    s = _DEFAULT.get("strategy")
    if s is None:
        s = _DEFAULT["strategy"] = _DefaultDistributionStrategy()
        _DEFAULT["replica"] = _DefaultReplicaContext(s, 0)
    return s


def get_strategy():
    """The strategy of the current context (the default strategy outside any scope).

    >>> tf.distribute.get_strategy().num_replicas_in_sync
    1
    """
    top = _context.top()
    return top[0] if top is not None else _default_strategy()


def has_strategy():
    """True inside a (non-default) strategy's scope or replica function."""
    return _context.top() is not None


def in_cross_replica_context():
    """True in a strategy's scope or merge_call; False in a replica function or default."""
    top = _context.top()
    return top is not None and top[1] is None


def get_replica_context():
    """The current ReplicaContext, or None in cross-replica context."""
    top = _context.top()
    if top is None:
        _default_strategy()
        return _DEFAULT["replica"]
    return top[1]


def experimental_set_strategy(strategy):
    """Enters `strategy.scope()` for the rest of the program (None leaves it)."""
    stack = dstate.stack
    if _DEFAULT.get("set") is not None and stack and stack[0][0] is _DEFAULT["set"]:
        stack.pop(0)
    _DEFAULT["set"] = None
    if strategy is not None and not isinstance(strategy, _DefaultDistributionStrategy):
        stack.insert(0, (strategy, None))
        _DEFAULT["set"] = strategy


def _maybe_autograph(fn):
    from arroyo.framework.context import state

    if state.graph is None or getattr(fn, "_ag_converted", False):
        return fn
    try:
        from arroyo.graph import autograph

        return autograph.convert(fn)
    except Exception:  # noqa: BLE001 - functions AutoGraph cannot read run as written
        return fn


_ = (PerReplica, select_replica)
