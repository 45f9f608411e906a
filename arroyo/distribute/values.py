"""Distributed values: one value per replica (`PerReplica`, `Mirrored`) and the
distributed Variables a strategy scope creates (`MirroredVariable`, `SyncOnReadVariable`).

All replicas live in this process and run in order, so a `MirroredVariable` keeps one
array that every replica reads (assignments replace arrays, they never write into them:
mirroring is a shared reference). A replica that assigns a different value to a mirrored
variable whose aggregation is NONE makes its copy diverge from the others, as in TF; the
cross-replica value is the first replica's. A `SyncOnReadVariable` (metrics) keeps one
component Variable per replica and aggregates them when read in cross-replica context.
"""

from __future__ import annotations

import numpy as np

from arroyo.distribute import _context
from arroyo.framework.composite_tensor import CompositeTensor, TypeSpec
from arroyo.framework.context import state
from arroyo.framework.tensor import Tensor, TensorSpec
from arroyo.framework.tensor_shape import TensorShape
from arroyo.ops import variables as _vars
from arroyo.ops.variables import (
    ResourceVariable,
    Variable,
    VariableAggregation,
    VariableSynchronization,
)
from arroyo.util import nest

__all__ = ["DistributedValues", "PerReplica", "Mirrored", "MirroredVariable",
           "SyncOnReadVariable", "regroup", "select_replica"]  # fmt: skip


def _value_repr(v, fn):
    return fn(v)


class DistributedValues:
    """One value per replica (`tf.distribute.DistributedValues`)."""

    def __init__(self, values):
        self._values = tuple(values)

    @property
    def values(self):
        return self._values

    def _text(self, fn):
        body = ",\n".join(f"  {i}: {fn(v)}" for i, v in enumerate(self._values))
        return f"{type(self).__name__}:{{\n{body}\n}}"

    def __repr__(self):
        return self._text(repr)

    def __str__(self):
        return self._text(str)


class PerReplicaSpec(TypeSpec):
    """The TypeSpec of a PerReplica of tensors (its values' specs, in replica order)."""

    __slots__ = ("_value_specs",)

    def __init__(self, *value_specs):
        self._value_specs = tuple(value_specs)

    value_type = property(lambda self: PerReplica)

    def _serialize(self):
        return self._value_specs

    @property
    def _component_specs(self):
        out = []
        for s in self._value_specs:
            out.extend(s._component_specs if isinstance(s, TypeSpec) else [s])
        return out

    def _from_components(self, components):
        components = list(components)
        values = []
        for s in self._value_specs:
            if isinstance(s, TypeSpec):
                n = len(s._component_specs)
                values.append(s._from_components(components[:n]))
                del components[:n]
            else:
                values.append(components.pop(0))
        return PerReplica(values)

    def _with_shape(self, shape):
        def relax(s):
            rank = s.shape.rank
            return TensorSpec(TensorShape(None if rank is None else [None] * rank), s.dtype)

        return PerReplicaSpec(
            *[relax(s) if isinstance(s, TensorSpec) else s for s in self._value_specs]
        )

    def _same_except_shape(self, other):
        return len(self._value_specs) == len(other._value_specs)

    def __repr__(self):
        return f"PerReplicaSpec({', '.join(repr(s) for s in self._value_specs)})"


class PerReplica(DistributedValues, CompositeTensor):
    """Values that differ per replica: what `strategy.run` returns, distributed batches.

    >>> strategy.run(lambda: tf.constant(1.0))   # one replica: a plain tensor
    """

    @property
    def _type_spec(self):
        specs = []
        for v in self._values:
            if isinstance(v, CompositeTensor):
                specs.append(v._type_spec)
            elif isinstance(v, Tensor):
                specs.append(TensorSpec(v.shape, v.dtype))
            else:
                raise TypeError(f"PerReplica holds a non-tensor value: {v!r}")
        return PerReplicaSpec(*specs)

    def _to_components(self):
        out = []
        for v in self._values:
            out.extend(v._to_components() if isinstance(v, CompositeTensor) else [v])
        return out

    @property
    def shape(self):
        first = self._values[0]
        return first.shape if hasattr(first, "shape") else TensorShape(None)

    @property
    def dtype(self):
        return self._values[0].dtype


class Mirrored(DistributedValues):
    """Values that are the same on every replica."""


# -- regroup / select ------------------------------------------------------------------------


def _is_distributed(x):
    return isinstance(x, DistributedValues) or getattr(x, "_dv_kind", None) is not None


def regroup(per_replica_structures, wrap_class=PerReplica):
    """N structures (one per replica) -> one structure of PerReplica leaves.

    Leaves that are the same object on every replica (a Python constant, a distributed
    variable) stay as they are; with one replica the structure is returned unchanged.
    """
    if len(per_replica_structures) == 1:
        return per_replica_structures[0]
    first = per_replica_structures[0]
    flats = [nest.flatten(s) for s in per_replica_structures]
    for other in per_replica_structures[1:]:
        nest.assert_same_structure(first, other)
    leaves = []
    for column in zip(*flats):
        c0 = column[0]
        if all(c is c0 for c in column[1:]) or (
            isinstance(c0, (bool, int, float, str)) and all(c == c0 for c in column)
        ):
            leaves.append(c0)
        else:
            leaves.append(wrap_class(column))
    return nest.pack_sequence_as(first, leaves)


def select_replica(replica_id, structure):
    """The part of `structure` that replica `replica_id` sees (PerReplica -> its value)."""

    def pick(x):
        if isinstance(x, DistributedValues):
            return x._values[replica_id]
        return x

    return nest.map_structure(pick, structure)


def local_results(value):
    """`experimental_local_results` of one leaf: a tuple of per-replica values."""
    if isinstance(value, DistributedValues):
        return value._values
    if getattr(value, "_dv_kind", None) is not None:
        return value._dv_local_views()
    return (value,)


# -- distributed variables -------------------------------------------------------------------

_AGG = _vars._AggregationV1
_STRINGS = {"none": 0, "sum": 1, "mean": 2, "only_first_replica": 3}
_SYNC_STRINGS = {"auto": 0, "none": 1, "on_write": 2, "on_read": 3}


def _agg_value(x):
    if isinstance(x, str):
        return _STRINGS.get(x.lower(), 0)
    return getattr(x, "value", x) or 0


def _sync_value(x):
    if isinstance(x, str):
        return _SYNC_STRINGS.get(x.lower(), 0)
    return getattr(x, "value", x) or 0


class _ReplicaView(ResourceVariable):
    """One replica's copy of a distributed variable (`experimental_local_results`)."""

    _dv_internal = True  # never made distributed itself

    def __init__(self, parent, replica_id):  # noqa: D107 - shares the parent's state
        d = self.__dict__
        d["_parent"] = parent
        d["_rid"] = replica_id
        base = parent._handle_name
        d["_name"] = parent._name if replica_id == 0 else f"{base}/replica_{replica_id}:0"

    def __getattr__(self, name):
        return getattr(self.__dict__["_parent"], name)

    @property
    def _value(self):
        return self._parent._dv_get(self._rid)

    @_value.setter
    def _value(self, v):
        self._parent._dv_set(self._rid, v)

    @property
    def _shape(self):
        return self._parent._shape

    def value(self):
        if state.graph is not None:
            return super().value()
        from arroyo.framework.tensor import _wrap

        return _wrap(self._value)

    def __repr__(self):
        return ResourceVariable.__repr__(self)


class _DistributedVariableMixin:
    """What MirroredVariable and SyncOnReadVariable share: strategy, per-replica views."""

    _dv_kind = "distributed"

    @property
    def _distribute_strategy(self):
        return self.__dict__["_dv_strategy"]

    @property
    def distribute_strategy(self):
        return self.__dict__["_dv_strategy"]

    @property
    def values(self):
        return self._dv_local_views()

    def _dv_local_views(self):
        return tuple(_ReplicaView(self, i) for i in range(self.__dict__["_dv_n"]))

    @property
    def _primary(self):
        return _ReplicaView(self, 0)

    def _dv_text(self, fn):
        views = self._dv_local_views()
        body = ",\n".join(f"  {i}: {fn(v)}" for i, v in enumerate(views))
        return f"{self._dv_class_name}:{{\n{body}\n}}"

    def __repr__(self):
        if state.graph is not None:
            return ResourceVariable.__repr__(self)
        return self._dv_text(repr)

    def __str__(self):
        if state.graph is not None:
            return ResourceVariable.__str__(self)
        return self._dv_text(str)


class _MirroredMixin(_DistributedVariableMixin):
    _dv_kind = "mirrored"
    _dv_class_name = "MirroredVariable"

    def __init__(self, *args, **kwargs):
        if self.__dict__.get("_dv_inited"):
            return  # the variable another replica created (see _creator_hook)
        super().__init__(*args, **kwargs)
        self.__dict__["_dv_inited"] = True
        if self._synchronization == VariableSynchronization.AUTO:
            self._synchronization = VariableSynchronization.ON_WRITE

    # Every replica reads the primary array unless its own copy diverged (see the module doc).
    @property
    def _value(self):
        d = self.__dict__
        if d["_dv_diverged"] is not None:
            rid = _context.current_replica_id()
            if rid:
                own = d["_dv_diverged"][rid]
                if own is not None:
                    return own
        return d["_dv_primary"]

    @_value.setter
    def _value(self, v):
        d = self.__dict__
        rid = _context.current_replica_id()
        if rid is None or d["_dv_n"] == 1 or not d.get("_dv_inited"):
            d["_dv_primary"] = v
            d["_dv_diverged"] = None
        else:
            self._dv_set(rid, v)

    def _dv_get(self, rid):
        d = self.__dict__
        div = d["_dv_diverged"]
        if rid and div is not None and div[rid] is not None:
            return div[rid]
        return d["_dv_primary"]

    def _dv_set(self, rid, v):
        d = self.__dict__
        n = d["_dv_n"]
        div = d["_dv_diverged"]
        if div is None:
            div = d["_dv_diverged"] = [None] * n
        if rid == 0:
            # The others keep the value they had (a copy is a reference: arrays are immutable).
            old = d["_dv_primary"]
            for i in range(1, n):
                if div[i] is None:
                    div[i] = old
            d["_dv_primary"] = v
        else:
            div[rid] = v

    def _dv_update(self, method, value, read_value):
        """assign/assign_add/assign_sub in a replica context of several replicas."""
        ctx = _context.multi_replica_context()
        agg = _agg_value(self._aggregation)
        if ctx is None or agg == 0:
            return getattr(super(), method)(value, read_value=read_value)
        var = self

        def merge(strategy, per_replica):
            from arroyo.distribute.reduce_util import ReduceOp

            if agg == 3:  # ONLY_FIRST_REPLICA
                v = per_replica._values[0] if isinstance(per_replica, PerReplica) else per_replica
            else:
                op = ReduceOp.SUM if agg == 1 else ReduceOp.MEAN
                v = strategy.extended.reduce_to(op, per_replica, var)
            getattr(super(_MirroredMixin, var), method)(v, read_value=False)

        from arroyo.framework.tensor import convert_to_tensor

        ctx.merge_call(merge, args=(convert_to_tensor(value, dtype=self.dtype),))
        return self.read_value() if read_value else None

    def _unread(self, read_value):
        if not read_value:
            return None
        rid = _context.current_replica_id()
        if rid is not None and self.__dict__["_dv_n"] > 1:
            return _vars._UnreadVariable(_ReplicaView(self, rid))
        if rid is None and self.__dict__["_dv_n"] > 1 and state.graph is None:
            # TF: a cross-replica update returns the new value of every mirror.
            return Mirrored([v.value() for v in self._dv_local_views()])
        return _vars._UnreadVariable(self)

    def assign(self, value, use_locking=None, name=None, read_value=True):
        return self._dv_update("assign", value, read_value)

    def assign_add(self, delta, use_locking=None, name=None, read_value=True):
        return self._dv_update("assign_add", delta, read_value)

    def assign_sub(self, delta, use_locking=None, name=None, read_value=True):
        return self._dv_update("assign_sub", delta, read_value)


class _SyncOnReadMixin(_DistributedVariableMixin):
    _dv_kind = "sync_on_read"
    _dv_class_name = "SyncOnReadVariable"

    def __init__(self, *args, **kwargs):
        if self.__dict__.get("_dv_inited"):
            return  # the variable another replica created (see _creator_hook)
        super().__init__(*args, **kwargs)
        self.__dict__["_dv_inited"] = True
        self._trainable = False

    def _dv_components(self):
        return self.__dict__["_dv_values"]

    def _aggregate(self, arrays):
        agg = _agg_value(self._aggregation)
        if agg in (0, 3):
            return arrays[0]
        first = np.asarray(arrays[0])
        total = first.copy()
        for a in arrays[1:]:
            total = total + a
        if agg == 2:
            total = total / len(arrays)
        out = np.asarray(total, dtype=first.dtype)
        return out if isinstance(arrays[0], np.ndarray) else out[()]

    @property
    def _value(self):
        d = self.__dict__
        vals = d["_dv_values"]
        rid = _context.current_replica_id()
        if rid is not None:
            return vals[rid]
        return self._aggregate(vals)

    @_value.setter
    def _value(self, v):
        d = self.__dict__
        n = d["_dv_n"]
        if not d.get("_dv_inited"):
            d["_dv_values"] = [v] * n
            return
        rid = _context.current_replica_id()
        if rid is not None:
            d["_dv_values"][rid] = v
            return
        if _agg_value(self._aggregation) == 1 and n > 1:
            # TF: a cross-replica assignment of a SUM variable puts value / n on each replica.
            a = np.asarray(v)
            v = np.asarray(a / n, dtype=a.dtype) if a.dtype.kind in "fc" else a // n
        d["_dv_values"] = [v] * n

    def _dv_get(self, rid):
        return self.__dict__["_dv_values"][rid]

    def _dv_set(self, rid, v):
        self.__dict__["_dv_values"][rid] = v

    def value(self):
        rid = _context.current_replica_id()
        if state.graph is not None and rid is not None:
            # A graph traced for one replica reads that replica's copy.
            return _ReplicaComponent.of(self, rid).value()
        return super().value()

    def _graph_update(self, method, value, read_value):
        rid = _context.current_replica_id()
        if state.graph is not None and rid is not None:
            return getattr(_ReplicaComponent.of(self, rid), method)(value, read_value=read_value)
        return getattr(super(), method)(value, read_value=read_value)

    def assign(self, value, use_locking=None, name=None, read_value=True):
        return self._graph_update("assign", value, read_value)

    def assign_add(self, delta, use_locking=None, name=None, read_value=True):
        return self._graph_update("assign_add", delta, read_value)

    def assign_sub(self, delta, use_locking=None, name=None, read_value=True):
        return self._graph_update("assign_sub", delta, read_value)


class _ReplicaComponent(_ReplicaView):
    """A replica's copy as a Variable object that graphs capture (one per replica, kept)."""

    @staticmethod
    def of(parent, rid):
        d = parent.__dict__
        comps = d.setdefault("_dv_component_objects", {})
        c = comps.get(rid)
        if c is None:
            c = comps[rid] = _ReplicaComponent(parent, rid)
        return c


class MirroredVariable(_MirroredMixin, ResourceVariable):
    """A Variable mirrored on every replica of a strategy, updated in sync.

    >>> with tf.distribute.MirroredStrategy().scope():
    ...     v = tf.Variable(1.0)
    >>> type(v).__name__
    'MirroredVariable'
    """


class SyncOnReadVariable(_SyncOnReadMixin, ResourceVariable):
    """A Variable with one copy per replica, aggregated when read across replicas."""


_CLASSES: dict = {}


def _distributed_class(mixin, base, public):
    if base is ResourceVariable:
        return public
    key = (mixin, base)
    cls = _CLASSES.get(key)
    if cls is None:
        # A Keras variable (or another Variable subclass) keeps its own class, repr and API.
        cls = type(public.__name__, (mixin, base), {"__repr__": base.__repr__,
                                                    "__str__": base.__str__})  # fmt: skip
        _CLASSES[key] = cls
    return cls


def _creator_hook(cls, kwargs):
    """Variable.__new__ asks this under a strategy scope: which object to create."""
    st = _context.dstate
    if not st.stack or st.no_hook or getattr(cls, "_dv_internal", False):
        return None
    strategy = st.stack[-1][0]
    n = strategy.extended._variable_replicas()
    if n is None:
        return None
    ctx = st.stack[-1][1]
    shared = getattr(ctx, "_created_vars", None) if ctx is not None else None
    if shared is not None and ctx._replica_id > 0:
        # Created in a replica function of several replicas: every replica gets the
        # variable the first replica created at the same point (its __init__ is skipped).
        k = ctx._n_created
        ctx._n_created = k + 1
        if k < len(shared):
            return shared[k]
    obj = _new_distributed(cls, kwargs, strategy, n)
    if shared is not None and ctx._replica_id == 0:
        shared.append(obj)
    return obj


def _new_distributed(cls, kwargs, strategy, n):
    sync = _sync_value(kwargs.get("synchronization", 0))
    if sync == 3:
        new_cls = _distributed_class(_SyncOnReadMixin, cls, SyncOnReadVariable)
    else:
        new_cls = _distributed_class(_MirroredMixin, cls, MirroredVariable)
    obj = object.__new__(new_cls)
    d = obj.__dict__
    d["_dv_strategy"] = strategy
    d["_dv_n"] = n
    d["_dv_diverged"] = None
    d["_dv_primary"] = None
    return obj


def install():
    _vars._distribute_hook = _creator_hook


_ = (Variable, VariableAggregation, _AGG)
