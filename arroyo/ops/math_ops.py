"""Elementwise arithmetic, comparisons, casts and the Python-operator entry points.

Each primitive is declared once with `defop` (name and attrs as in `tf.raw_ops`, inference,
NumPy kernel, gradient); the public functions below convert arguments and apply TF's dtype
rules, then call `execute`.
"""

from __future__ import annotations

import operator

import numpy as np

from arroyo.framework import dtypes
from arroyo.framework.composite_tensor import CompositeTensor, elementwise_binary, elementwise_unary
from arroyo.framework.errors import InvalidArgumentError
from arroyo.framework.op_registry import (
    COMPLEX,
    FLOATS,
    INTS,
    NUMERIC,
    REAL,
    defop,
    execute,
)
from arroyo.framework.tensor import EagerTensor, convert_to_tensor
from arroyo.ops import _infer
from arroyo.ops._helpers import (
    _PY_SCALARS,
    NO_ATTRS,
    binary,
    is_tensorlike,
    np_allowed,
    same_dtype_operands,
    to_tensor,
    unary,
)

_b = dtypes.bool
BOOL = (dtypes.bool,)
ALL_NUMERIC_BOOL = NUMERIC + BOOL


# -- binary arithmetic ---------------------------------------------------------------


def _int_div_check(y, op_name):
    if y.dtype.kind in "iu" and np.any(y == 0):
        raise InvalidArgumentError(None, None, f"Integer division by zero [Op:{op_name}]")


def _floordiv_kernel(x, y):
    if x.dtype.kind in "iu":
        _int_div_check(y, "FloorDiv")
    return np.floor_divide(x, y)


def _floormod_kernel(x, y):
    if x.dtype.kind in "iu":
        _int_div_check(y, "FloorMod")
    return np.mod(x, y)


def _truncatediv_kernel(x, y):
    if x.dtype.kind in "iu":
        _int_div_check(y, "TruncateDiv")
        q = np.abs(x) // np.abs(y)
        return (np.sign(x) * np.sign(y) * q).astype(x.dtype)
    return np.trunc(x / y).astype(x.dtype)


def _realdiv_kernel(x, y):
    if x.dtype.kind in "iu":
        _int_div_check(y, "RealDiv")
        return np.floor_divide(x, y)  # TF's RealDiv on ints truncates... via Div semantics
    return np.true_divide(x, y)


def _pow_kernel(x, y):
    if x.dtype.kind in "iu" and np.any(y < 0):
        raise InvalidArgumentError(
            None, None, "Integers to negative integer powers are not allowed [Op:Pow]"
        )
    return np.power(x, y)


def _grad_add(op, g):
    return g, g


def _grad_sub(op, g):
    return g, negative(g)


def _grad_mul(op, g):
    x, y = op.inputs
    skip = op.skip_input_indices
    return (None if 0 in skip else multiply(g, conj(y)),
            None if 1 in skip else multiply(conj(x), g))  # fmt: skip


def _grad_div(op, g):
    x, y = conj(op.inputs[0]), conj(op.inputs[1])
    skip = op.skip_input_indices
    return (None if 0 in skip else divide(g, y),
            None if 1 in skip else negative(multiply(g, divide(divide(x, y), y))))  # fmt: skip


def _grad_pow(op, g):
    x, y = op.inputs
    z = op.outputs[0]
    skip = op.skip_input_indices
    gx = gy = None
    if 0 not in skip:
        gx = multiply(g, multiply(y, pow(x, subtract(y, 1))))
    if 1 not in skip:
        safe_x = where_v2(greater(x, 0), x, ones_like_(x))
        gy = multiply(g, multiply(z, where_v2(greater(x, 0), log(safe_x), zeros_like_(x))))
    return gx, gy


def _grad_max_min(select):
    def grad(op, g):
        x, y = op.inputs
        mask = select(x, y)
        zeros = zeros_like_(g)
        return where_v2(mask, g, zeros), where_v2(mask, zeros, g)

    return grad


def _grad_sqdiff(op, g):
    x, y = op.inputs
    d = multiply(multiply(g, 2.0 if not g.dtype.is_integer else 2), subtract(x, y))
    return d, negative(d)


def _grad_floor_nondiff(op, g):
    return None, None


_ARITH = FLOATS + COMPLEX + INTS
_BINARY = {
    # name: (kernel, allowed dtypes, gradient)
    "AddV2": (np.add, _ARITH, _grad_add),
    "Sub": (np.subtract, _ARITH, _grad_sub),
    "Mul": (np.multiply, _ARITH, _grad_mul),
    "RealDiv": (_realdiv_kernel, _ARITH, _grad_div),
    "FloorDiv": (_floordiv_kernel, REAL, _grad_floor_nondiff),
    "FloorMod": (_floormod_kernel, REAL, None),
    "TruncateDiv": (_truncatediv_kernel, REAL, _grad_floor_nondiff),
    "Pow": (_pow_kernel, FLOATS + COMPLEX + (dtypes.int32, dtypes.int64), _grad_pow),
    "Maximum": (np.maximum, REAL, _grad_max_min(lambda x, y: greater_equal(x, y))),
    "Minimum": (np.minimum, REAL, _grad_max_min(lambda x, y: less_equal(x, y))),
    "SquaredDifference": (
        lambda x, y: np.square(x - y),
        FLOATS + COMPLEX + (dtypes.int32, dtypes.int64),
        _grad_sqdiff,
    ),  # fmt: skip
}
_OPS = {}
for _name, (_kernel, _allowed, _grad) in _BINARY.items():
    _OPS[_name] = (
        defop(
            _name,
            ("x", "y"),
            _kernel,
            infer=_infer.make_broadcast(_name),
            grad=_grad,
            differentiable=_grad is not None,
            fusible=True,
        ),  # fmt: skip
        np_allowed(_allowed),
        _allowed,
    )


def _floormod_grad(op, g):
    x, y = op.inputs
    return g, multiply(negative(g), floordiv(x, y))


_OPS["FloorMod"][0].grad = _floormod_grad
_OPS["FloorMod"][0].differentiable = True


def _call_binary(name, x, y, op_name=None):
    op, allowed_np, allowed = _OPS[name]
    return binary(op, allowed_np, allowed, x, y, op_name)


def add(x, y, name=None):
    """x + y elementwise, with broadcasting (strings concatenate).

    >>> tf.add([1, 2], 3)
    <tf.Tensor: shape=(2,), dtype=int32, numpy=array([4, 5], dtype=int32)>
    """
    if type(x) is EagerTensor and type(y) is EagerTensor:
        dt = x._value.dtype
        if dt is y._value.dtype and dt in _ADD_NP:
            return execute(_ADD, (x, y), NO_ATTRS, name)
    elif (type(x) is EagerTensor and type(y) in _PY_SCALARS) or (
        type(y) is EagerTensor and type(x) in _PY_SCALARS
    ):
        return binary(_ADD, _ADD_NP, _ARITH, x, y, name)  # its tensor-and-scalar fast path
    if isinstance(x, CompositeTensor) or isinstance(y, CompositeTensor):
        return elementwise_binary(add, x, y)
    x, y = same_dtype_operands("AddV2", (x, y))
    if x.dtype is dtypes.string:
        return execute(_STRING_ADD, (x, y), NO_ATTRS, name)
    return binary(_ADD, _ADD_NP, _ARITH, x, y, name)


_ADD, _ADD_NP, _ = _OPS["AddV2"]
_STRING_ADD = defop(
    "Add", ("x", "y"), lambda x, y: np.char.add(x.astype(bytes), y.astype(bytes)).astype(object),
    infer=_infer.make_broadcast("Add"), differentiable=False,
)  # fmt: skip


def subtract(x, y, name=None):
    """x - y elementwise, with broadcasting."""
    return _call_binary("Sub", x, y, name)


def multiply(x, y, name=None):
    """x * y elementwise, with broadcasting."""
    return _call_binary("Mul", x, y, name)


def divide(x, y, name=None):
    """x / y elementwise (TF's `tf.math.divide`: integer inputs give floats)."""
    return truediv(x, y, name)


_TRUEDIV_INT_TO_FLOAT = {
    dtypes.int8: dtypes.float32, dtypes.uint8: dtypes.float32, dtypes.int16: dtypes.float32,
    dtypes.uint16: dtypes.float32, dtypes.int32: dtypes.float64, dtypes.int64: dtypes.float64,
    dtypes.uint32: dtypes.float64, dtypes.uint64: dtypes.float64,
}  # fmt: skip


def truediv(x, y, name=None):
    """Python 3 `/`: integers are cast to float (int32 -> float64) before dividing."""
    if type(x) is EagerTensor:
        dt = x._value.dtype
        if dt.kind in "fc":
            if type(y) is EagerTensor:
                if dt is y._value.dtype:
                    return execute(_REALDIV, (x, y), NO_ATTRS, name)
            elif type(y) in _PY_SCALARS:  # x / 2.0: the scalar fast path
                return binary(_REALDIV, _REALDIV_NP, _REALDIV_ALLOWED, x, y, name)
    elif type(y) is EagerTensor and type(x) in _PY_SCALARS and y._value.dtype.kind in "fc":
        return binary(_REALDIV, _REALDIV_NP, _REALDIV_ALLOWED, x, y, name)
    if isinstance(x, CompositeTensor) or isinstance(y, CompositeTensor):
        return elementwise_binary(truediv, x, y)
    x, y = same_dtype_operands("RealDiv", (x, y))
    target = _TRUEDIV_INT_TO_FLOAT.get(x.dtype)
    if target is not None:
        x, y = cast(x, target), cast(y, target)
    return _call_binary("RealDiv", x, y, name)


_REALDIV, _REALDIV_NP, _REALDIV_ALLOWED = _OPS["RealDiv"]


def realdiv(x, y, name=None):
    return _call_binary("RealDiv", x, y, name)


def floordiv(x, y, name=None):
    """Floor division `//` (rounds toward negative infinity)."""
    return _call_binary("FloorDiv", x, y, name)


def floormod(x, y, name=None):
    """Python-style `%`: the result has the sign of the divisor."""
    return _call_binary("FloorMod", x, y, name)


mod = floormod


def truncatediv(x, y, name=None):
    return _call_binary("TruncateDiv", x, y, name)


def pow(x, y, name=None):  # noqa: A001 - TF's public name
    """x ** y elementwise."""
    return _call_binary("Pow", x, y, name)


def maximum(x, y, name=None):
    return _call_binary("Maximum", x, y, name)


def minimum(x, y, name=None):
    return _call_binary("Minimum", x, y, name)


def squared_difference(x, y, name=None):
    return _call_binary("SquaredDifference", x, y, name)


# -- comparisons and logic -------------------------------------------------------------


def _equal_kernel(x, y, incompatible_shape_error=True):
    if not incompatible_shape_error:
        try:
            np.broadcast_shapes(np.shape(x), np.shape(y))
        except ValueError:
            return np.bool_(False)
    return np.equal(x, y)


def _not_equal_kernel(x, y, incompatible_shape_error=True):
    if not incompatible_shape_error:
        try:
            np.broadcast_shapes(np.shape(x), np.shape(y))
        except ValueError:
            return np.bool_(True)
    return np.not_equal(x, y)


def _eq_infer(name):
    base = _infer.make_broadcast(name, dtypes.bool)

    def infer(inputs, attrs):
        if not attrs.get("incompatible_shape_error", True):
            try:
                return base(inputs, attrs)
            except InvalidArgumentError:
                from arroyo.framework.tensor_shape import TensorShape

                return [(dtypes.bool, TensorShape([]))]
        return base(inputs, attrs)

    return infer


_EQUAL = defop("Equal", ("x", "y"), _equal_kernel, attrs={"incompatible_shape_error": True},
               infer=_eq_infer("Equal"), fusible=True)  # fmt: skip
_NOT_EQUAL = defop("NotEqual", ("x", "y"), _not_equal_kernel,
                   attrs={"incompatible_shape_error": True}, infer=_eq_infer("NotEqual"),
                   fusible=True)  # fmt: skip
_COMPARE = {}
for _name, _kernel in (("Less", np.less), ("LessEqual", np.less_equal),
                       ("Greater", np.greater), ("GreaterEqual", np.greater_equal)):  # fmt: skip
    _COMPARE[_name] = (
        defop(
            _name,
            ("x", "y"),
            _kernel,
            infer=_infer.make_broadcast(_name, dtypes.bool),
            fusible=True,
        ),
        np_allowed(REAL),
        REAL,
    )
_LOGICAL = {}
for _name, _kernel in (("LogicalAnd", np.logical_and), ("LogicalOr", np.logical_or)):
    _LOGICAL[_name] = defop(
        _name, ("x", "y"), _kernel, infer=_infer.make_broadcast(_name), fusible=True
    )
_LOGICAL_NOT = defop("LogicalNot", ("x",), np.logical_not, infer=_infer.same, fusible=True)


def equal(x, y, name=None):
    """Elementwise x == y (bool tensor), with broadcasting."""
    x, y = same_dtype_operands("Equal", (x, y))
    return execute(_EQUAL, (x, y), NO_ATTRS, name)


def not_equal(x, y, name=None):
    x, y = same_dtype_operands("NotEqual", (x, y))
    return execute(_NOT_EQUAL, (x, y), NO_ATTRS, name)


def less(x, y, name=None):
    return binary(*_COMPARE["Less"], x, y, name)


def less_equal(x, y, name=None):
    return binary(*_COMPARE["LessEqual"], x, y, name)


def greater(x, y, name=None):
    return binary(*_COMPARE["Greater"], x, y, name)


def greater_equal(x, y, name=None):
    return binary(*_COMPARE["GreaterEqual"], x, y, name)


_BOOL_NP = np_allowed(BOOL)


def logical_and(x, y, name=None):
    return binary(_LOGICAL["LogicalAnd"], _BOOL_NP, BOOL, x, y, name)


def logical_or(x, y, name=None):
    return binary(_LOGICAL["LogicalOr"], _BOOL_NP, BOOL, x, y, name)


def logical_not(x, name=None):
    return unary(_LOGICAL_NOT, _BOOL_NP, BOOL, x, name)


def logical_xor(x, y, name="LogicalXor"):
    return logical_and(logical_or(x, y), logical_not(logical_and(x, y)))


def tensor_equals(self, other):
    """`Tensor.__eq__`: elementwise, and False (a scalar tensor) when the shapes cannot
    broadcast. As in TF, `== None` is False and values of another dtype raise (TypeError for
    Python values that do not fit the dtype, InvalidArgumentError for tensors)."""
    if other is None:
        return False
    x, y = same_dtype_operands("Equal", (self, other))
    return execute(_EQUAL, (x, y), {"incompatible_shape_error": False})


def tensor_not_equals(self, other):
    if other is None:
        return True
    x, y = same_dtype_operands("NotEqual", (self, other))
    return execute(_NOT_EQUAL, (x, y), {"incompatible_shape_error": False})


# -- Python operators on bool/int tensors --------------------------------------------


def and_(x, y):
    t = x if is_tensorlike(x) else y
    if t.dtype.is_bool:
        return logical_and(x, y)
    from arroyo.ops import bitwise_ops

    return bitwise_ops.bitwise_and(x, y)


def or_(x, y):
    t = x if is_tensorlike(x) else y
    if t.dtype.is_bool:
        return logical_or(x, y)
    from arroyo.ops import bitwise_ops

    return bitwise_ops.bitwise_or(x, y)


def xor_(x, y):
    t = x if is_tensorlike(x) else y
    if t.dtype.is_bool:
        return logical_xor(x, y)
    from arroyo.ops import bitwise_ops

    return bitwise_ops.bitwise_xor(x, y)


def invert_(x):
    if x.dtype.is_bool:
        return logical_not(x)
    from arroyo.ops import bitwise_ops

    return bitwise_ops.invert(x)


def left_shift_(x, y):
    from arroyo.ops import bitwise_ops

    return bitwise_ops.left_shift(x, y)


def right_shift_(x, y):
    from arroyo.ops import bitwise_ops

    return bitwise_ops.right_shift(x, y)


# -- unary ------------------------------------------------------------------------------


def _grad_neg(op, g):
    return negative(g)


_NEG = defop("Neg", ("x",), np.negative, infer=_infer.same, grad=_grad_neg, fusible=True)
_NEG_NP = np_allowed(_ARITH)


def negative(x, name=None):
    """-x elementwise."""
    return unary(_NEG, _NEG_NP, _ARITH, x, name)


def _abs_kernel(x):
    return np.abs(x)


def _grad_abs(op, g):
    return multiply(g, sign(op.inputs[0]))


_ABS = defop("Abs", ("x",), _abs_kernel, infer=_infer.same, grad=_grad_abs, fusible=True)


def _complex_abs_grad(op, g):
    # d|z| = z / |z| (0 at z = 0), written without Sign so higher orders are right.
    z, r = op.inputs[0], op.outputs[0]
    zero = equal(r, zeros_like_(r))
    safe = where_v2(zero, ones_like_(r), r)
    ratio = truediv(z, complex_(safe, zeros_like_(safe)))
    return multiply(complex_(g, zeros_like_(g)), where_v2(zero, zeros_like_(z), ratio))


_COMPLEX_ABS = defop("ComplexAbs", ("x",), lambda x, Tout=None: np.abs(x), attrs={"Tout": None},
                     infer=_infer.real_of_input, grad=_complex_abs_grad, fusible=True)  # fmt: skip
_ABS_NP = np_allowed(REAL)


def abs(x, name=None):  # noqa: A001 - TF's public name
    """|x| elementwise; complex inputs give their (real) magnitude."""
    if isinstance(x, CompositeTensor):
        return elementwise_unary(abs, x)
    x = to_tensor(x)
    if x.dtype.is_complex:
        return execute(_COMPLEX_ABS, (x,), {"Tout": x.dtype.real_dtype}, name)
    return unary(_ABS, _ABS_NP, REAL, x, name)


def _sign_kernel(x):
    if x.dtype.kind == "c":
        mag = np.abs(x)
        return np.where(mag == 0, 0, x / np.where(mag == 0, 1, mag)).astype(x.dtype)
    return np.sign(x)


_SIGN = defop("Sign", ("x",), _sign_kernel, infer=_infer.same,
              grad=lambda op, g: zeros_like_(g), fusible=True)  # fmt: skip


def sign(x, name=None):
    return unary(_SIGN, _NEG_NP, _ARITH, x, name)


def _grad_conj(op, g):
    return conj(g)


_CONJ = defop("Conj", ("input",), np.conj, infer=_infer.same, grad=_grad_conj, fusible=True)


def conj(x, name=None):
    """Complex conjugate (the identity for real inputs, as in TF)."""
    x = to_tensor(x)
    if not x.dtype.is_complex:
        return x
    return execute(_CONJ, (x,), NO_ATTRS, name)


# -- cast ---------------------------------------------------------------------------------


def _cast_kernel(x, DstT, SrcT=None, Truncate=False):
    target = DstT._np if DstT._np is not None else dtypes.bfloat16_numpy_dtype()
    if x.dtype.kind == "c" and target.kind != "c":
        x = x.real
    if x.dtype.kind == "f" and target.kind in "iu":
        # TF truncates toward zero; out-of-range floats saturate on the CPU.
        info = np.iinfo(target)
        with np.errstate(invalid="ignore"):
            x = np.trunc(x)
            x = np.where(np.isnan(x), 0, np.clip(x, info.min, info.max))
    if target.kind == "b":
        return (x != 0).astype(np.bool_) if x.dtype.kind != "O" else x
    out = np.asarray(x).astype(target)
    return out if out.ndim else out[()]


def _grad_cast(op, g):
    src = op.inputs[0].dtype
    if (src.is_floating or src.is_complex) and (g.dtype.is_floating or g.dtype.is_complex):
        return cast(g, src)
    return None


_CAST = defop("Cast", ("x",), _cast_kernel, attrs={"SrcT": None, "DstT": None, "Truncate": False},
              infer=lambda inputs, attrs: [(attrs["DstT"], inputs[0].shape)], grad=_grad_cast,
              fusible=True)  # fmt: skip


def cast(x, dtype, name=None):
    """Casts to `dtype` (floats to ints truncate toward zero, as TF).

    >>> tf.cast([1.7, -1.7], tf.int32)
    <tf.Tensor: shape=(2,), dtype=int32, numpy=array([ 1, -1], dtype=int32)>
    """
    dtype = dtypes.as_dtype(dtype)
    if isinstance(x, CompositeTensor):
        return elementwise_unary(lambda v: cast(v, dtype), x)
    x = convert_to_tensor(x)
    if x.dtype is dtype:
        return x
    if x.dtype is dtypes.string or dtype is dtypes.string:
        raise InvalidArgumentError(
            None, None, f"Cast {x.dtype.name} to {dtype.name} is not supported [Op:Cast]"
        )
    return execute(_CAST, (x,), {"SrcT": x.dtype, "DstT": dtype, "Truncate": False}, name)


# -- matmul -------------------------------------------------------------------------------


def _matmul_kernel(a, b, transpose_a=False, transpose_b=False):
    # Shape errors surface from NumPy and are reworded by the inference rule (see execute).
    if transpose_a:
        a = a.T
    if transpose_b:
        b = b.T
    if a.shape[-1] == 1:
        return np.dot(a, b)  # an outer product: NumPy's matmul takes a slow non-BLAS loop
    return a @ b


def _matmul_infer(inputs, attrs):
    from arroyo.framework.tensor_shape import TensorShape

    a, b = inputs[0].shape, inputs[1].shape
    if a.rank not in (None, 2) or b.rank not in (None, 2):
        raise InvalidArgumentError(
            None, None, f"In[0] and In[1] must be matrices, got shapes {a} and {b} [Op:MatMul]"
        )
    m = k1 = k2 = n = None
    if a.rank is not None:
        m, k1 = (a[1], a[0]) if attrs.get("transpose_a") else (a[0], a[1])
    if b.rank is not None:
        k2, n = (b[1], b[0]) if attrs.get("transpose_b") else (b[0], b[1])
    if k1 is not None and k2 is not None and k1 != k2:
        raise InvalidArgumentError(
            None, None,
            f"Matrix size-incompatible: In[0]: [{a[0]},{a[1]}], In[1]: [{b[0]},{b[1]}] [Op:MatMul]",
        )  # fmt: skip
    return [(inputs[0].dtype, TensorShape([m, n]))]


def _matmul_grad(op, g):
    a, b = op.inputs
    ta, tb = op.get_attr("transpose_a"), op.get_attr("transpose_b")
    a, b = conj(a), conj(b)
    skip = op.skip_input_indices
    if skip:
        if not ta and not tb:
            return (None if 0 in skip else matmul(g, b, transpose_b=True),
                    None if 1 in skip else matmul(a, g, transpose_a=True))  # fmt: skip
        if not ta and tb:
            return (None if 0 in skip else matmul(g, b),
                    None if 1 in skip else matmul(g, a, transpose_a=True))  # fmt: skip
        if ta and not tb:
            return (None if 0 in skip else matmul(b, g, transpose_b=True),
                    None if 1 in skip else matmul(a, g))  # fmt: skip
        return (None if 0 in skip else matmul(b, g, transpose_a=True, transpose_b=True),
                None if 1 in skip else matmul(g, a, transpose_a=True, transpose_b=True))  # fmt: skip
    if not ta and not tb:
        return matmul(g, b, transpose_b=True), matmul(a, g, transpose_a=True)
    if not ta and tb:
        return matmul(g, b), matmul(g, a, transpose_a=True)
    if ta and not tb:
        return matmul(b, g, transpose_b=True), matmul(a, g)
    return matmul(b, g, transpose_a=True, transpose_b=True), matmul(
        g, a, transpose_a=True, transpose_b=True
    )


_MATMUL = defop("MatMul", ("a", "b"), _matmul_kernel,
                attrs={"transpose_a": False, "transpose_b": False}, infer=_matmul_infer,
                grad=_matmul_grad)  # fmt: skip


def _specialize_matmul(attrs, consts, shapes=None):
    if consts[0] is not None or consts[1] is not None:
        return None
    ta, tb = attrs.get("transpose_a", False), attrs.get("transpose_b", False)
    if shapes is not None and shapes[0].rank == 2 and shapes[0][0 if ta else 1] == 1:
        # k == 1, an outer product: np.dot uses BLAS where matmul loops (~6x slower)
        return lambda a, b: np.dot(a.T if ta else a, b.T if tb else b)
    if not ta and not tb:
        return operator.matmul  # the `@` slot: ~20% less call overhead than np.matmul
    if ta and not tb:
        return lambda a, b: np.matmul(a.T, b)
    if not ta and tb:
        return lambda a, b: np.matmul(a, b.T)
    return lambda a, b: np.matmul(a.T, b.T)


_MATMUL.specialize = _specialize_matmul
_MATMUL_ALLOWED = FLOATS + COMPLEX + INTS
_MATMUL_NP = np_allowed(_MATMUL_ALLOWED)
_MATMUL_FLAGS = {
    (False, False): NO_ATTRS,
    (True, False): {"transpose_a": True, "transpose_b": False},
    (False, True): {"transpose_a": False, "transpose_b": True},
    (True, True): {"transpose_a": True, "transpose_b": True},
}


def matmul(a, b, transpose_a=False, transpose_b=False, adjoint_a=False, adjoint_b=False,
           a_is_sparse=False, b_is_sparse=False, output_type=None, grad_a=False, grad_b=False,
           name=None):  # fmt: skip
    """Matrix product a @ b (batched for rank > 2, with batch broadcasting).

    >>> tf.matmul([[1., 2.]], [[3.], [4.]])
    <tf.Tensor: shape=(1, 1), dtype=float32, numpy=array([[11.]], dtype=float32)>
    """
    if type(b) is not EagerTensor and getattr(b, "_is_arroyo_variable", False):
        b = b.value()  # `x @ w` with a Variable: read it once, then the fast path
    if type(a) is not EagerTensor and getattr(a, "_is_arroyo_variable", False):
        a = a.value()
    if (
        type(a) is EagerTensor and type(b) is EagerTensor and a._value.ndim == 2
        and b._value.ndim == 2 and a._value.dtype is b._value.dtype and not adjoint_a
        and not adjoint_b and a._value.dtype in _MATMUL_NP
    ):  # fmt: skip
        return execute(_MATMUL, (a, b), _MATMUL_FLAGS[bool(transpose_a), bool(transpose_b)], name)
    from arroyo.ops import linalg_ops

    return linalg_ops.matmul_general(a, b, transpose_a, transpose_b, adjoint_a, adjoint_b, name,
                                     output_type=output_type)  # fmt: skip


# -- small helpers used by gradients --------------------------------------------------------


def zeros_like_(x):
    from arroyo.ops import array_ops

    return array_ops.zeros_like(x)


def ones_like_(x):
    from arroyo.ops import array_ops

    return array_ops.ones_like(x)


def where_v2(cond, x, y):
    from arroyo.ops import array_ops

    return array_ops.where(cond, x, y)


def complex_(real, imag):
    from arroyo.ops import complex_ops

    return complex_ops.complex(real, imag)


def log(x, name=None):
    from arroyo.ops import unary_ops

    return unary_ops.log(x, name)


def reduce_sum(input_tensor, axis=None, keepdims=False, name=None):
    from arroyo.ops import reduction_ops

    return reduction_ops.reduce_sum(input_tensor, axis, keepdims, name)


del _name, _kernel, _allowed, _grad

TF_API = {
    "tf": [
        "add",
        "subtract",
        "multiply",
        "divide",
        "truediv",
        "floordiv",
        "realdiv",
        "pow",
        "maximum",
        "minimum",
        "negative",
        "abs",
        "sign",
        "cast",
        "matmul",
        "equal",
        "not_equal",
        "less",
        "less_equal",
        "greater",
        "greater_equal",
        "logical_and",
        "logical_or",
        "logical_not",
        "logical_xor",
        "squared_difference",
        "truncatediv",
        "floormod",
        "conj",
    ],
    "tf.math": [
        "add",
        "subtract",
        "multiply",
        "divide",
        "truediv",
        "floordiv",
        "realdiv",
        "pow",
        "maximum",
        "minimum",
        "negative",
        "abs",
        "sign",
        "equal",
        "not_equal",
        "less",
        "less_equal",
        "greater",
        "greater_equal",
        "logical_and",
        "logical_or",
        "logical_not",
        "logical_xor",
        "squared_difference",
        "truncatediv",
        "floormod",
        "mod",
        "conj",
    ],
    "tf.linalg": ["matmul"],
}
