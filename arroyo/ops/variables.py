"""`tf.Variable`: mutable state that ops read (ReadVariableOp) and write (AssignVariableOp).

A Variable holds a NumPy array and replaces it on every assignment (copy-on-write), so a
tensor read earlier keeps its value. Reading a Variable on an active GradientTape records
a ReadVariableOp whose gradient flows to the Variable itself.
"""

from __future__ import annotations

import itertools

import numpy as np

from arroyo.framework import dtypes
from arroyo.framework.context import CPU_DEVICE, state
from arroyo.framework.errors import InvalidArgumentError
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

__all__ = ["Variable", "VariableSynchronization", "VariableAggregation"]


class VariableSynchronization:
    AUTO = 0
    NONE = 1
    ON_WRITE = 2
    ON_READ = 3


class VariableAggregation:
    NONE = 0
    SUM = 1
    MEAN = 2
    ONLY_FIRST_REPLICA = 3
    ONLY_FIRST_TOWER = 3


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
_name_counts: dict[str, int] = {}


def _unique_name(base: str) -> str:
    """TF's eager naming: every Variable named 'Variable' unless given a name."""
    return base


class Variable:
    """A tensor-like value that persists across calls and changes via `assign*`.

    >>> v = tf.Variable([1.0, 2.0])
    >>> v.assign_add([1.0, 1.0]).numpy()
    array([2., 3.], dtype=float32)
    """

    _is_arroyo_variable = True
    __array_priority__ = 100

    def __init__(self, initial_value=None, trainable=None, validate_shape=True, caching_device=None,
                 name=None, variable_def=None, dtype=None, import_scope=None, constraint=None,
                 synchronization=VariableSynchronization.AUTO,
                 aggregation=VariableAggregation.NONE, shape=None,
                 experimental_enable_variable_lifting=True):  # fmt: skip
        if initial_value is None:
            raise ValueError("The `initial_value` arg (None) must be specified.")
        if constraint is not None and not callable(constraint):
            raise ValueError(f"Argument `constraint` must be None or a callable. Received: {constraint}")
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
            if isinstance(initial_value, Variable):
                initial_value = initial_value.read_value()
            value = convert_to_tensor(initial_value, dtype=dtype) if not isinstance(initial_value, Tensor) else initial_value
            if dtype is not None and value.dtype != dtypes.as_dtype(dtype):
                from arroyo.ops.math_ops import cast

                value = cast(value, dtype)
        if synchronization == VariableSynchronization.ON_READ:
            if trainable:
                raise ValueError("Synchronization value can be set to VariableSynchronization.ON_READ only for non-trainable variables.")
            trainable = False
        self._trainable = True if trainable is None else bool(trainable)
        self._dtype = value.dtype
        self._constraint = constraint
        self._synchronization = synchronization
        self._aggregation = aggregation
        value_shape = value.shape
        if shape is not None:
            shape = as_shape(shape)
            if not shape.is_compatible_with(value_shape):
                raise ValueError(f"The initial value's shape ({value_shape}) is not compatible with the explicitly supplied `shape` argument ({shape}).")
            self._shape = shape
        elif validate_shape:
            self._shape = value_shape
        else:
            self._shape = TensorShape(None)
        base = "Variable" if name is None else str(name)
        if base.endswith(":0"):
            base = base[:-2]
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
        return _wrap(self._value)

    @property
    def graph(self):
        return state.graph

    @property
    def op(self):
        return None

    def ref(self):
        return Reference(self)

    def experimental_ref(self):
        return Reference(self)

    def __hash__(self):
        raise TypeError("Variable is unhashable. Instead, use variable.ref() as the key.")

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

    read_value = value

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
        t = self.value()
        if dtype is not None and dtypes.as_dtype(dtype) is not self._dtype:
            raise ValueError(
                f"Tensor conversion requested dtype {dtypes.as_dtype(dtype).name} for "
                f"Tensor with dtype {self._dtype.name}: {t!r}"
            )
        return t

    # -- writing ----------------------------------------------------------------------
    def _check_assign(self, value, op_name):
        t = convert_to_tensor(value, dtype=self._dtype) if not isinstance(value, (Tensor, Variable)) else convert_to_tensor(value)
        if t.dtype is not self._dtype:
            raise InvalidArgumentError(
                None, None,
                f"Cannot assign to variable {self._handle_name} due to variable dtype "
                f"{self._dtype.name} and value dtype {t.dtype.name} [Op:{op_name}]",
            )  # fmt: skip
        if not self._shape.is_compatible_with(t.shape):
            raise ValueError(
                f"Cannot assign value to variable ' {self._name} ': Shape mismatch."
                f"The variable shape {self._shape}, and the assigned value shape {t.shape} are incompatible."
            )
        return t

    def assign(self, value, use_locking=None, name=None, read_value=True):
        """Sets a new value; returns the variable (or nothing, with read_value=False)."""
        t = self._check_assign(value, "AssignVariableOp")
        if state.graph is not None:
            op = state.graph.assign_variable(self, t, ASSIGN_VARIABLE)
            return self.value() if read_value else op
        v = t._value
        self._value = v.copy() if type(v) is np.ndarray and v.base is not None else v
        return self if read_value else None

    def assign_add(self, delta, use_locking=None, name=None, read_value=True):
        """Adds `delta` in place (the variable's dtype and shape are kept)."""
        t = self._check_assign(delta, "AssignAddVariableOp")
        if state.graph is not None:
            op = state.graph.assign_variable(self, t, ASSIGN_ADD_VARIABLE)
            return self.value() if read_value else op
        self._value = _same_kind(self._value + t._value, self._value)
        return self if read_value else None

    def assign_sub(self, delta, use_locking=None, name=None, read_value=True):
        """Subtracts `delta` in place."""
        t = self._check_assign(delta, "AssignSubVariableOp")
        if state.graph is not None:
            op = state.graph.assign_variable(self, t, ASSIGN_SUB_VARIABLE)
            return self.value() if read_value else op
        self._value = _same_kind(self._value - t._value, self._value)
        return self if read_value else None

    def _sparse_update(self, fn, sparse_delta):
        from arroyo.ops.indexed_slices import IndexedSlices

        if not isinstance(sparse_delta, IndexedSlices):
            raise TypeError(f"sparse_delta is not IndexedSlices: {sparse_delta}")
        idx = np.asarray(convert_to_tensor(sparse_delta.indices)._value)
        vals = np.asarray(convert_to_tensor(sparse_delta.values, dtype=self._dtype)._value)
        new = np.array(self._value, copy=True)
        fn(new, idx, vals)
        self._value = new
        return self

    def scatter_update(self, sparse_delta, use_locking=False, name=None):
        """Assigns `sparse_delta.values` at rows `sparse_delta.indices`."""
        return self._sparse_update(lambda a, i, v: a.__setitem__(i, v), sparse_delta)

    def scatter_add(self, sparse_delta, use_locking=False, name=None):
        return self._sparse_update(lambda a, i, v: np.add.at(a, i, v), sparse_delta)

    def scatter_sub(self, sparse_delta, use_locking=False, name=None):
        return self._sparse_update(lambda a, i, v: np.subtract.at(a, i, v), sparse_delta)

    def scatter_mul(self, sparse_delta, use_locking=False, name=None):
        return self._sparse_update(lambda a, i, v: np.multiply.at(a, i, v), sparse_delta)

    def scatter_div(self, sparse_delta, use_locking=False, name=None):
        return self._sparse_update(lambda a, i, v: np.divide.at(a, i, v), sparse_delta)

    def scatter_max(self, sparse_delta, use_locking=False, name=None):
        return self._sparse_update(lambda a, i, v: np.maximum.at(a, i, v), sparse_delta)

    def scatter_min(self, sparse_delta, use_locking=False, name=None):
        return self._sparse_update(lambda a, i, v: np.minimum.at(a, i, v), sparse_delta)

    def scatter_nd_update(self, indices, updates, name=None):
        """Sets slices at N-d `indices` (like `tf.tensor_scatter_nd_update`, in place)."""
        from arroyo.ops import scatter_ops

        return self.assign(scatter_ops.tensor_scatter_nd_update(self.value(), indices, updates))

    def scatter_nd_add(self, indices, updates, name=None):
        from arroyo.ops import scatter_ops

        return self.assign(scatter_ops.tensor_scatter_nd_add(self.value(), indices, updates))

    def scatter_nd_sub(self, indices, updates, name=None):
        from arroyo.ops import scatter_ops

        return self.assign(scatter_ops.tensor_scatter_nd_sub(self.value(), indices, updates))

    def batch_scatter_update(self, sparse_delta, use_locking=False, name=None):
        return self.scatter_update(sparse_delta)

    def count_up_to(self, limit):
        raise NotImplementedError("count_up_to is deprecated in TF 2 and not provided by arroyo")

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

    def __format__(self, spec):
        return format(self.value(), spec)

    def __bool__(self):
        return bool(self._value)

    def __int__(self):
        return int(self._value)

    def __float__(self):
        return float(self._value)

    def __index__(self):
        return self.value().__index__()

    def __len__(self):
        return len(self.value())

    def __iter__(self):
        return iter(self.value())

    def __getitem__(self, slice_spec):
        return self.value()[slice_spec]

    def __copy__(self):
        return self

    def __deepcopy__(self, memo):
        v = Variable(np.array(self._value, copy=True), trainable=self._trainable,
                     name=self._handle_name, dtype=self._dtype,
                     constraint=self._constraint)  # fmt: skip
        memo[id(self)] = v
        return v

    def __reduce__(self):
        return _rebuild_variable, (self.numpy(), self._trainable, self._handle_name, self._dtype.name)

    # Operators act on the current value.
    def __add__(self, o):
        return self.value().__add__(o)

    def __radd__(self, o):
        return self.value().__radd__(o)

    def __sub__(self, o):
        return self.value().__sub__(o)

    def __rsub__(self, o):
        return self.value().__rsub__(o)

    def __mul__(self, o):
        return self.value().__mul__(o)

    def __rmul__(self, o):
        return self.value().__rmul__(o)

    def __truediv__(self, o):
        return self.value().__truediv__(o)

    def __rtruediv__(self, o):
        return self.value().__rtruediv__(o)

    def __floordiv__(self, o):
        return self.value().__floordiv__(o)

    def __rfloordiv__(self, o):
        return self.value().__rfloordiv__(o)

    def __mod__(self, o):
        return self.value().__mod__(o)

    def __rmod__(self, o):
        return self.value().__rmod__(o)

    def __pow__(self, o):
        return self.value().__pow__(o)

    def __rpow__(self, o):
        return self.value().__rpow__(o)

    def __matmul__(self, o):
        return self.value().__matmul__(o)

    def __rmatmul__(self, o):
        return self.value().__rmatmul__(o)

    def __neg__(self):
        return self.value().__neg__()

    def __abs__(self):
        return self.value().__abs__()

    def __invert__(self):
        return self.value().__invert__()

    def __and__(self, o):
        return self.value().__and__(o)

    def __rand__(self, o):
        return self.value().__rand__(o)

    def __or__(self, o):
        return self.value().__or__(o)

    def __ror__(self, o):
        return self.value().__ror__(o)

    def __xor__(self, o):
        return self.value().__xor__(o)

    def __rxor__(self, o):
        return self.value().__rxor__(o)

    def __lt__(self, o):
        return self.value().__lt__(o)

    def __le__(self, o):
        return self.value().__le__(o)

    def __gt__(self, o):
        return self.value().__gt__(o)

    def __ge__(self, o):
        return self.value().__ge__(o)

    def __eq__(self, o):
        if o is self:
            return True if state.graph is not None else self.value().__eq__(o)
        return self.value().__eq__(o)

    def __ne__(self, o):
        return self.value().__ne__(o)


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
