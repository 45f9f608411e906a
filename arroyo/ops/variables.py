"""`tf.Variable`: mutable state that ops read (ReadVariableOp) and write (AssignVariableOp).

A Variable holds a NumPy array and replaces it on every assignment (copy-on-write), so a
tensor read earlier keeps its value. Reading a Variable on an active GradientTape records
a ReadVariableOp whose gradient flows to the Variable itself.
"""

from __future__ import annotations

import enum
import itertools
import re

import numpy as np

from arroyo.framework import dtypes
from arroyo.framework.context import CPU_DEVICE, state
from arroyo.framework.errors import InvalidArgumentError, OutOfRangeError
from arroyo.framework.op_registry import defop, execute
from arroyo.framework.tensor import (
    EagerTensor,
    Reference,
    Tensor,
    _numpy_text,
    _wrap,
    convert_to_tensor,
    register_tensor_conversion_function,
)
from arroyo.framework.tensor_shape import TensorShape, as_shape

__all__ = ["Variable", "ResourceVariable", "VariableSynchronization", "VariableAggregation"]


class VariableSynchronization(enum.Enum):
    """When a distributed Variable is aggregated (`tf.VariableSynchronization`)."""

    AUTO = 0
    NONE = 1
    ON_WRITE = 2
    ON_READ = 3


class VariableAggregationV2(enum.Enum):
    """How a distributed Variable's updates combine (`tf.VariableAggregation`)."""

    NONE = 0
    SUM = 1
    MEAN = 2
    ONLY_FIRST_REPLICA = 3


VariableAggregation = VariableAggregationV2
# What a Variable's `.aggregation` holds (TF stores its v1 enum, named VariableAggregation).
_AggregationV1 = enum.Enum("VariableAggregation", [("NONE", 0), ("SUM", 1), ("MEAN", 2),
                                                   ("ONLY_FIRST_REPLICA", 3)])  # fmt: skip


def _read_grad(op, g):
    return (g,)


# The input of ReadVariableOp is the Variable itself (TF: its resource handle).
READ_VARIABLE = defop("ReadVariableOp", ("resource",), lambda v, dtype=None: v, attrs={"dtype": None},
                      infer=lambda inputs, attrs: [(inputs[0].dtype, inputs[0].shape)],
                      grad=_read_grad, stateful=True)  # fmt: skip
ASSIGN_VARIABLE = defop("AssignVariableOp", ("resource", "value"), None, attrs={"dtype": None},
                        stateful=True, differentiable=False)  # fmt: skip
ASSIGN_ADD_VARIABLE = defop("AssignAddVariableOp", ("resource", "value"), None,
                            attrs={"dtype": None}, stateful=True, differentiable=False)  # fmt: skip
ASSIGN_SUB_VARIABLE = defop("AssignSubVariableOp", ("resource", "value"), None,
                            attrs={"dtype": None}, stateful=True, differentiable=False)  # fmt: skip
VAR_HANDLE = defop("VarHandleOp", (), None, attrs={"dtype": None, "shape": None, "container": "",
                                                   "shared_name": ""}, stateful=True)  # fmt: skip

_uid = itertools.count()
_distribute_hook = None  # set by arroyo.distribute (values.install) once it is imported


class Variable:
    """A tensor-like value that persists across calls and changes via `assign*`.

    `tf.Variable(...)` makes a ResourceVariable, as in TF. `assign*` return an
    "UnreadVariable" view of the same state (printed as `<tf.Variable 'UnreadVariable' ...>`).

    >>> v = tf.Variable([1.0, 2.0])
    >>> v.assign_add([1.0, 1.0]).numpy()
    array([2., 3.], dtype=float32)
    """

    _is_arroyo_variable = True
    __array_priority__ = 100

    def __new__(cls, *args, **kwargs):
        if cls is Variable:
            cls = ResourceVariable
        if _distribute_hook is not None and cls is not _UnreadVariable:
            # Under a tf.distribute strategy scope: a MirroredVariable/SyncOnReadVariable.
            obj = _distribute_hook(cls, kwargs)
            if obj is not None:
                return obj
        return object.__new__(cls)

    def __init__(self, initial_value=None, trainable=None, validate_shape=True, caching_device=None,
                 name=None, variable_def=None, dtype=None, import_scope=None, constraint=None,
                 synchronization=VariableSynchronization.AUTO,
                 aggregation=VariableAggregation.NONE, shape=None,
                 experimental_enable_variable_lifting=True):  # fmt: skip
        if initial_value is None:
            raise ValueError(
                "The `initial_value` arg to `tf.Variable` must be specified except when you "
                "are not providing a `variable_def`. You provided neither."
            )
        if constraint is not None and not callable(constraint):
            raise ValueError(
                f"Argument `constraint` must be None or a callable. a callable. Got a "
                f"{type(constraint)}:  {constraint}"
            )
        if name is not None and not isinstance(name, str):
            raise ValueError("name for name_scope must be a string.")
        if state.graph is not None:
            # Created while building a graph (tf.function trace or a TF1 graph): compute the
            # initial value eagerly, as TF's init_scope does, and let the graph know.
            from arroyo.graph import variable_lifting

            initial_value = variable_lifting.lift_initial_value(initial_value)
            variable_lifting.note_created(self, trainable)
        if callable(initial_value) and not isinstance(initial_value, (Tensor, Variable)):
            initial_value = initial_value()
        from arroyo.autodiff.tape import pause_tapes

        with pause_tapes():
            if isinstance(initial_value, (Tensor, Variable)):
                try:
                    value = convert_to_tensor(initial_value, dtype=dtype)
                except ValueError as e:
                    raise ValueError(f"initial_value: {e}") from None
            else:
                value = convert_to_tensor(initial_value, dtype=dtype)
        if synchronization == VariableSynchronization.ON_READ and trainable is None:
            trainable = False
        self._trainable = True if trainable is None else bool(trainable)
        self._dtype = value.dtype
        self._constraint = constraint
        self._synchronization = VariableSynchronization(_enum_value(synchronization))
        self._aggregation = _AggregationV1(_enum_value(aggregation))
        value_shape = value.shape
        if shape is not None:
            if not as_shape(shape).is_compatible_with(value_shape):
                raise ValueError(
                    f"In this `tf.Variable` creation, the initial value's shape ({value_shape}) "
                    f"is not compatible with the explicitly supplied `shape` argument ({shape})."
                )
            self._shape = as_shape(shape)
        else:
            self._shape = value_shape
        base = "Variable" if name is None else name
        scope = "/".join(s for s in state.name_scope if s)
        self._handle_name = scope + "/" + base if scope else base
        self._name = self._handle_name + ":0"
        self._unique_id = next(_uid)
        self._graph_capture = None
        self._value = self._eager_value(value)
        self._initial_array = self._value

    @staticmethod
    def _eager_value(value):
        if isinstance(value, EagerTensor):
            return value._value
        fn = getattr(value, "_eager_value_for_variable", None)
        if fn is not None:
            return fn()
        raise ValueError("Variable initial values must be concrete when created eagerly.")

    # -- attributes --------------------------------------------------------------------
    @property
    def name(self) -> str:
        return self._name

    @property
    def dtype(self) -> dtypes.DType:
        return self._dtype

    @property
    def shape(self) -> TensorShape:
        return self._shape

    @property
    def ndim(self):
        return self._shape.rank

    def get_shape(self) -> TensorShape:
        return self._shape

    @property
    def trainable(self) -> bool:
        return self._trainable

    @property
    def constraint(self):
        return self._constraint

    @property
    def synchronization(self):
        return self._synchronization

    @property
    def aggregation(self):
        return self._aggregation

    @property
    def device(self) -> str:
        return CPU_DEVICE

    @property
    def handle(self):
        return self

    @property
    def initial_value(self):
        if state.graph is None:
            raise RuntimeError("This property is not supported when eager execution is enabled.")
        return _wrap(self._initial_array)

    @property
    def graph(self):
        if state.graph is None:
            raise AttributeError("Tensor.graph is undefined when eager execution is enabled.")
        return state.graph

    @property
    def op(self):
        if state.graph is None:
            raise AttributeError("Tensor.op is undefined when eager execution is enabled.")
        return None

    def ref(self):
        return Reference(self)

    def experimental_ref(self):
        return Reference(self)

    def __hash__(self):
        raise TypeError(
            f"Variable is unhashable. Instead, use variable.ref() as the key. (Variable: {self!r})"
        )

    # -- reading ----------------------------------------------------------------------
    def value(self) -> Tensor:
        """The current value as a tensor (recorded on active tapes)."""
        if state.graph is not None:
            return state.graph.read_variable(self)
        t = _wrap(self._value)
        if state.tapes:
            from arroyo.autodiff.tape import record_operation

            for tape in state.tapes:
                tape._variable_accessed(self)
            record_operation(READ_VARIABLE, (self,), (t,), {"dtype": self._dtype})
        return t

    def read_value(self) -> Tensor:
        """The current value as a tensor (a snapshot: later assignments do not change it)."""
        return self.value()

    def read_value_no_copy(self):
        return self.value()

    def numpy(self):
        v = self._value
        if type(v) is np.ndarray:
            return v.copy() if v.ndim else v[()]
        return v

    def __array__(self, dtype=None, copy=None):
        v = np.asarray(self._value)
        if dtype is not None and v.dtype != dtype:
            return v.astype(dtype)
        return v.copy() if copy else v

    def _as_tensor(self, dtype=None, name=None):
        if dtype is not None and dtypes.as_dtype(dtype) is not self._dtype:
            raise ValueError(
                f"Incompatible type conversion requested to type {dtypes.as_dtype(dtype).name} "
                f"for `tf.Variable of type {self._dtype.name}. (Variable: {self!r})"
            )
        return self.value()

    def sparse_read(self, indices, name=None):
        """Rows `indices` of the value (`tf.gather`); the gradient is IndexedSlices."""
        from arroyo.ops import gather_ops

        if self._shape.rank == 0:
            raise InvalidArgumentError(
                None, None, "params must be at least 1 dimensional [Op:ResourceGather]"
            )
        return gather_ops.gather(self.value(), indices)

    def gather_nd(self, indices, name=None):
        from arroyo.ops import gather_ops

        return gather_ops.gather_nd(self.value(), indices)

    def is_initialized(self, name=None):
        return _wrap(np.bool_(True))

    # -- writing ----------------------------------------------------------------------
    def _convert_update(self, value):
        return convert_to_tensor(value, dtype=self._dtype)

    def _unread(self, read_value):
        return _UnreadVariable(self) if read_value else None

    def assign(self, value, use_locking=None, name=None, read_value=True):
        """Sets a new value; returns the variable (or None, with read_value=False)."""
        t = self._convert_update(value)
        if not self._shape.is_compatible_with(t.shape):
            raise ValueError(
                f"Cannot assign value to variable ' {self._name}': Shape mismatch.The variable "
                f"shape {self._shape}, and the assigned value shape {t.shape} are incompatible."
            )
        if state.graph is not None:
            op = state.graph.assign_variable(self, t, ASSIGN_VARIABLE)
            return self.value() if read_value else op
        v = t._value
        self._value = v.copy() if type(v) is np.ndarray and v.base is not None else v
        return self._unread(read_value)

    def _check_update_shape(self, t, op_name):
        if type(t) is EagerTensor:  # the common case: compare the arrays' shapes directly
            if np.shape(t._value) == np.shape(self._value):
                return
        elif not t.shape.is_fully_defined() or tuple(t.shape.as_list()) == np.shape(self._value):
            return
        raise InvalidArgumentError(
            None,
            None,
            f"Cannot update variable with shape {_brackets(np.shape(self._value))} using a "
            f"Tensor with shape {_brackets(t.shape.as_list())}, shapes must be equal. "
            f"[Op:{op_name}]",
        )

    def assign_add(self, delta, use_locking=None, name=None, read_value=True):
        """Adds `delta` (of exactly the variable's shape) to the value."""
        t = self._convert_update(delta)
        if state.graph is not None:
            op = state.graph.assign_variable(self, t, ASSIGN_ADD_VARIABLE)
            return self.value() if read_value else op
        self._check_update_shape(t, "AssignAddVariableOp")
        self._value = _same_kind(self._value + t._value, self._value)
        return self._unread(read_value)

    def assign_sub(self, delta, use_locking=None, name=None, read_value=True):
        """Subtracts `delta` (of exactly the variable's shape) from the value."""
        t = self._convert_update(delta)
        if state.graph is not None:
            op = state.graph.assign_variable(self, t, ASSIGN_SUB_VARIABLE)
            return self.value() if read_value else op
        self._check_update_shape(t, "AssignSubVariableOp")
        self._value = _same_kind(self._value - t._value, self._value)
        return self._unread(read_value)

    def _sparse_update(self, fn, sparse_delta, op_name):
        from arroyo.ops.indexed_slices import IndexedSlices

        if not isinstance(sparse_delta, IndexedSlices):
            raise TypeError(
                f"Argument `sparse_delta` must be a `tf.IndexedSlices`. Received arg: {sparse_delta}"
            )
        idx = np.asarray(convert_to_tensor(sparse_delta.indices)._value)
        vals = np.asarray(self._convert_update(sparse_delta.values)._value)
        n = np.shape(self._value)[0] if np.ndim(self._value) else 0
        bad = (idx < 0) | (idx >= n)
        if bad.any():
            i = int(np.argmax(bad.reshape(-1)))
            raise InvalidArgumentError(
                None,
                None,
                f"indices[{i}] = {int(idx.reshape(-1)[i])} is not in [0, {n}) [Op:{op_name}]",
            )
        new = np.array(self._value, copy=True)
        with np.errstate(all="ignore"):
            fn(new, idx, np.broadcast_to(vals, idx.shape + new.shape[1:]))
        self._value = new
        return _UnreadVariable(self)

    def scatter_update(self, sparse_delta, use_locking=False, name=None):
        """Assigns `sparse_delta.values` at rows `sparse_delta.indices`."""
        return self._sparse_update(_set_rows, sparse_delta, "ResourceScatterUpdate")

    def scatter_add(self, sparse_delta, use_locking=False, name=None):
        return self._sparse_update(np.add.at, sparse_delta, "ResourceScatterAdd")

    def scatter_sub(self, sparse_delta, use_locking=False, name=None):
        return self._sparse_update(np.subtract.at, sparse_delta, "ResourceScatterSub")

    def scatter_mul(self, sparse_delta, use_locking=False, name=None):
        return self._sparse_update(np.multiply.at, sparse_delta, "ResourceScatterMul")

    def scatter_div(self, sparse_delta, use_locking=False, name=None):
        return self._sparse_update(_div_at, sparse_delta, "ResourceScatterDiv")

    def scatter_max(self, sparse_delta, use_locking=False, name=None):
        return self._sparse_update(np.maximum.at, sparse_delta, "ResourceScatterMax")

    def scatter_min(self, sparse_delta, use_locking=False, name=None):
        return self._sparse_update(np.minimum.at, sparse_delta, "ResourceScatterMin")

    def batch_scatter_update(self, sparse_delta, use_locking=False, name=None):
        """Per batch row b: value[b, indices[b]] = values[b] (indices of rank >= 1)."""
        from arroyo.ops.indexed_slices import IndexedSlices

        if not isinstance(sparse_delta, IndexedSlices):
            raise TypeError(
                f"Argument `sparse_delta` must be a `tf.IndexedSlices`. Received arg: {sparse_delta}"
            )
        idx = np.asarray(convert_to_tensor(sparse_delta.indices)._value)
        vals = np.asarray(self._convert_update(sparse_delta.values)._value)
        new = np.array(self._value, copy=True)
        batch = idx.shape[:-1]
        grids = np.meshgrid(*[np.arange(d) for d in batch], indexing="ij") if batch else []
        index = tuple(g[..., None] for g in grids) + (idx,)
        new[index] = vals
        self._value = new
        return _UnreadVariable(self)

    def _scatter_nd(self, fn_name, indices, updates, op_name):
        from arroyo.ops import scatter_ops

        try:
            t = getattr(scatter_ops, fn_name)(self.value(), indices, updates)
        except InvalidArgumentError as e:
            msg = re.sub(r"\[Op:\w+\]", f"[Op:{op_name}]", str(e))
            raise InvalidArgumentError(None, None, msg) from None
        self._value = t._value
        return _UnreadVariable(self)

    def scatter_nd_update(self, indices, updates, name=None):
        """Sets slices at N-d `indices` (as `tf.tensor_scatter_nd_update`, in place)."""
        return self._scatter_nd(
            "tensor_scatter_nd_update", indices, updates, "ResourceScatterNdUpdate"
        )

    def scatter_nd_add(self, indices, updates, name=None):
        return self._scatter_nd("tensor_scatter_nd_add", indices, updates, "ResourceScatterNdAdd")

    def scatter_nd_sub(self, indices, updates, name=None):
        return self._scatter_nd("tensor_scatter_nd_sub", indices, updates, "ResourceScatterNdSub")

    def scatter_nd_max(self, indices, updates, name=None):
        return self._scatter_nd("tensor_scatter_nd_max", indices, updates, "ResourceScatterNdMax")

    def scatter_nd_min(self, indices, updates, name=None):
        return self._scatter_nd("tensor_scatter_nd_min", indices, updates, "ResourceScatterNdMin")

    def _slice_assign(self, slice_spec, value, use_locking=None, name=None, read_value=True):
        """`v[spec].assign(value)`: writes `value` into that slice of the variable."""
        idx = _numpy_index(slice_spec)
        t = self._convert_update(value)
        new = np.array(self._value, copy=True)
        target_shape = new[idx].shape
        try:
            val = np.broadcast_to(t._value, target_shape)
        except ValueError:
            raise InvalidArgumentError(
                None, None,
                f"Cannot broadcast input shape {_brackets(np.shape(t._value))} into final shape "
                f"{_brackets(target_shape)} [Op:ResourceStridedSliceAssign]",
            ) from None  # fmt: skip
        new[idx] = val
        self._value = new
        return self._unread(read_value)

    def count_up_to(self, limit):
        """Increments an int32/int64 scalar variable until `limit`; returns the old value."""
        if self._dtype not in (dtypes.int32, dtypes.int64):
            raise InvalidArgumentError(
                None, None,
                f"Value for attr 'T' of {dtypes.cpp_name(self._dtype)} is not in the list of "
                f"allowed values: int32, int64 [Op:ResourceCountUpTo]",
            )  # fmt: skip
        if np.ndim(self._value):
            raise InvalidArgumentError(
                None,
                None,
                f"input is not a scalar: {_brackets(np.shape(self._value))} [Op:ResourceCountUpTo]",
            )
        old = self._value
        if old >= limit:
            raise OutOfRangeError(None, None, f"Reached limit of {limit} [Op:ResourceCountUpTo]")
        self._value = old.dtype.type(old + 1)
        return _wrap(old)

    def set_shape(self, shape):
        self._shape = self._shape.merge_with(shape)

    # -- printing -----------------------------------------------------------------------
    def __repr__(self):
        if state.graph is not None:
            return f"<tf.Variable '{self._name}' shape={self._shape} dtype={self._dtype.name}>"
        return (
            f"<tf.Variable '{self._name}' shape={self._shape} dtype={self._dtype.name}, "
            f"numpy={_numpy_text(self._value, True)}>"
        )

    __str__ = __repr__

    def __bool__(self):
        return bool(self._value)

    def __int__(self):
        return int(self._value)

    def __float__(self):
        return float(self._value)

    def __complex__(self):
        return complex(self._value)

    def __iter__(self):
        return iter(self.value())

    def __getitem__(self, slice_spec):
        t = self.value()[slice_spec]
        if type(t) is EagerTensor:
            t._slice_of = (self, slice_spec)  # enables `v[...].assign(x)`, as in TF
        return t

    def __copy__(self):
        return self

    def __deepcopy__(self, memo):
        v = Variable(np.array(self._value, copy=True), trainable=self._trainable,
                     name=self._handle_name, dtype=self._dtype,
                     constraint=self._constraint)  # fmt: skip
        memo[id(self)] = v
        return v

    def __reduce__(self):
        return _rebuild_variable, (
            self.numpy(),
            self._trainable,
            self._handle_name,
            self._dtype.name,
        )

    def __eq__(self, o):
        if o is self:
            return True if state.graph is not None else self.value().__eq__(o)
        return self.value().__eq__(o)

    def __ne__(self, o):
        return self.value().__ne__(o)


def _delegate(op_name):
    def method(self, *args):
        return getattr(self.value(), op_name)(*args)

    method.__name__ = op_name
    return method


# Python operators act on the current value (a recorded read).
for _op in (
    "__add__", "__radd__", "__sub__", "__rsub__", "__mul__", "__rmul__", "__truediv__",
    "__rtruediv__", "__floordiv__", "__rfloordiv__", "__mod__", "__rmod__", "__pow__", "__rpow__",
    "__matmul__", "__rmatmul__", "__neg__", "__abs__", "__invert__", "__and__", "__rand__",
    "__or__", "__ror__", "__xor__", "__rxor__", "__lt__", "__le__", "__gt__", "__ge__",
):  # fmt: skip
    setattr(Variable, _op, _delegate(_op))
del _op


class ResourceVariable(Variable):
    """The class of every `tf.Variable(...)` (TF's name for it)."""


class _UnreadVariable(ResourceVariable):
    """What `assign*` and `scatter*` return: a view of the variable, read when used."""

    def __init__(self, parent):  # noqa: D107 - shares the parent's state
        d = self.__dict__
        d["_parent"] = parent
        d["_name"] = "UnreadVariable"

    def __getattr__(self, name):
        return getattr(self.__dict__["_parent"], name)

    @property
    def _value(self):
        return self._parent._value

    @_value.setter
    def _value(self, v):
        self._parent._value = v

    @property
    def _shape(self):
        return self._parent._shape

    @_shape.setter
    def _shape(self, s):
        self._parent._shape = s

    def value(self):
        return self._parent.value()

    def _unread(self, read_value):
        return _UnreadVariable(self._parent) if read_value else None


def _enum_value(x):
    return x.value if isinstance(x, enum.Enum) else x


def _brackets(shape):
    return "[" + ",".join(str(d) for d in shape) + "]"


def _set_rows(a, i, v):
    a[i] = v


def _div_at(a, i, v):
    np.divide.at(a, i, v) if a.dtype.kind in "fc" else np.floor_divide.at(a, i, v)


def _numpy_index(spec):
    """A Python slice spec (ints, slices, None, Ellipsis, scalar tensors) for NumPy."""
    if not isinstance(spec, tuple):
        spec = (spec,)
    out = []
    for s in spec:
        if isinstance(s, slice):
            out.append(slice(_index_int(s.start), _index_int(s.stop), _index_int(s.step)))
        elif s is None or s is Ellipsis:
            out.append(s)
        else:
            out.append(_index_int(s))
    return tuple(out)


def _index_int(x):
    if x is None or isinstance(x, int):
        return x
    if isinstance(x, (Tensor, Variable)):
        return int(np.asarray(x))
    return int(x)


def _same_kind(result, like):
    if isinstance(result, np.ndarray) or isinstance(like, np.ndarray):
        return np.asarray(result, dtype=like.dtype)
    return like.dtype.type(result)


def _rebuild_variable(value, trainable, name, dtype):
    return Variable(value, trainable=trainable, name=name, dtype=dtype)


def _variable_to_tensor(var, dtype=None, name=None):
    return var._as_tensor(dtype, name)


register_tensor_conversion_function(Variable, _variable_to_tensor)
_ = execute
