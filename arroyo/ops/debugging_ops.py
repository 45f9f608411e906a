"""`tf.debugging`: assertions and numeric checks, with TF's error types and messages.

Eagerly an assertion checks at once and raises TF's eager message (InvalidArgumentError
for value checks, ValueError/TypeError for static shape and dtype checks). Inside a
tf.function the value checks become an `Assert` op that runs on every call and fails with
TF's graph message ("assertion failed: [...]"). `check_numerics` is the CheckNumerics op:
the identity when every value is finite (its gradient passes through, checked too).
"""

from __future__ import annotations

import collections.abc

import numpy as np

from arroyo.framework import dtypes
from arroyo.framework.context import state
from arroyo.framework.errors import InvalidArgumentError
from arroyo.framework.op_registry import REQUIRED, defop, execute
from arroyo.framework.tensor import EagerTensor, Tensor, convert_to_tensor
from arroyo.ops import _infer
from arroyo.ops._helpers import is_tensorlike, static_value

_NUMERIC_CHECK_TYPES = (dtypes.bfloat16, dtypes.float16, dtypes.float32, dtypes.float64)


# -- raw ops ----------------------------------------------------------------------------------


def _bad_values(x, signed_inf):
    nan = bool(np.isnan(x).any())
    if signed_inf:
        parts = []
        if np.isneginf(x).any():
            parts.append("-Inf")
        if np.isposinf(x).any():
            parts.append("+Inf")
        if nan:
            parts.append("NaN")
        if len(parts) == 3:
            return "-Inf, +Inf, and NaN"
        return " and ".join(parts)
    inf = bool(np.isinf(x).any())
    return "Inf and NaN" if inf and nan else "Inf" if inf else "NaN" if nan else ""


def _check_numerics_kernel(op_name, signed_inf):
    def kernel(tensor, message=""):
        if tensor.dtype.kind == "f" or tensor.dtype.name == "bfloat16":
            bad = _bad_values(np.asarray(tensor, dtype=np.float64), signed_inf)
            if bad:
                raise InvalidArgumentError(
                    None, None, f"{message} : Tensor had {bad} values [Op:{op_name}]"
                )
        return tensor

    return kernel


def _check_numerics_grad(op, g):
    # TF checks the incoming gradient as well.
    return check_numerics(
        g,
        "Not a number (NaN) or infinity (Inf) values detected in gradient. "
        + op.attrs.get("message", ""),
    )


CHECK_NUMERICS = defop("CheckNumerics", ("tensor",), _check_numerics_kernel("CheckNumerics", False),
                       attrs={"message": REQUIRED}, infer=_infer.same, grad=_check_numerics_grad,
                       stateful=True)  # fmt: skip
CHECK_NUMERICS_V2 = defop("CheckNumericsV2", ("tensor",), _check_numerics_kernel("CheckNumericsV2", True),
                          attrs={"message": REQUIRED}, infer=_infer.same, grad=_check_numerics_grad,
                          stateful=True)  # fmt: skip


def _summarize_value(v, summarize):
    """TF's C++ SummarizeValue: the first `summarize` values, then '...'."""
    from arroyo.ops.logging_ops import _fmt_scalar

    a = np.asarray(v)
    if a.ndim == 0:
        item = a[()]
        return item.decode("utf-8", "replace") if isinstance(item, bytes) else _fmt_scalar(item)
    flat = a.reshape(-1)
    n = flat.size if summarize is None or summarize < 0 else min(summarize, flat.size)
    parts = [
        x.decode("utf-8", "replace") if isinstance(x, bytes) else _fmt_scalar(x) for x in flat[:n]
    ]
    return "[" + " ".join(parts) + ("..." if n < flat.size else "") + "]"


def _assert_kernel(condition, *data, T=None, summarize=3):
    if np.ndim(condition) != 0:
        dims = ",".join(str(d) for d in np.shape(condition))
        raise InvalidArgumentError(None, None, f"In[0] should be a scalar: [{dims}] [Op:Assert]")
    if not bool(condition):
        shown = " ".join(f"[{_summarize_value(d, summarize).strip('[]')}]" if np.ndim(d) == 0
                         else _summarize_value(d, summarize) for d in data)  # fmt: skip
        raise InvalidArgumentError(None, None, f"assertion failed: {shown} [Op:Assert]")
    return []  # no outputs


def _assert_infer(inputs, attrs):
    return []


ASSERT = defop("Assert", ("condition", "*data"), _assert_kernel, attrs={"T": None, "summarize": 3},
               infer=_assert_infer, num_outputs=0, stateful=True, list_attr="T",
               differentiable=False)  # fmt: skip


# -- helpers ------------------------------------------------------------------------------------


def _message_prefix(message):
    return f"{message}.  " if message else ""


def _shape_and_dtype_str(t):
    return f"shape={t.shape} dtype={t.dtype.name}"


def _pretty_print(item, summarize):
    """TF's eager rendering of an assertion's data item."""
    if isinstance(item, Tensor):
        arr = np.asarray(item.numpy())
        if arr.ndim == 0:
            return str(arr[()])
        flat = arr.reshape(-1)
        lst = [str(x) for x in flat[:summarize]]
        if len(lst) < flat.size:
            lst.append("...")
        return str(lst)
    return str(item)


def _summarize_eager(t, summarize):
    if summarize is None:
        summarize = 3
    arr = np.asarray(t.numpy())
    if arr.ndim:
        if summarize < 0:
            summarize = arr.size
        flat = arr.reshape(-1)
        lst = [str(x) for x in flat[:summarize]]
        if len(lst) < flat.size:
            lst.append("...")
    else:
        lst = [str(arr[()])] if summarize != 0 else []
    return ", ".join(lst)


def _graph_assert(condition, data, summarize):
    tensors = [d if isinstance(d, Tensor) else convert_to_tensor(d) for d in data]
    attrs = {
        "T": tuple(t.dtype for t in tensors),
        "summarize": 3 if summarize is None else summarize,
    }
    return execute(
        ASSERT, (convert_to_tensor(condition, dtype=dtypes.bool),) + tuple(tensors), attrs
    )


def _value(t):
    return t.value() if getattr(t, "_is_arroyo_variable", False) else t


# -- public functions ---------------------------------------------------------------------------


def Assert(condition, data, summarize=None, name=None):  # noqa: N802 - TF's public name
    """Raises InvalidArgumentError showing `data` when `condition` is False.

    >>> tf.debugging.Assert(True, ["never shown"])
    """
    if state.graph is not None and (
        isinstance(condition, Tensor) and not isinstance(condition, EagerTensor)
    ):
        return _graph_assert(condition, data, summarize)
    if not condition:
        xs = [_value(d) if is_tensorlike(d) else convert_to_tensor(d) for d in data]
        text = "\n".join(_summarize_eager(x, summarize) for x in xs)
        raise InvalidArgumentError(
            None, None, f"Expected '{str(condition)}' to be true. Summarized data: {text}"
        )
    return None


def _binary_assert(sym, op_func, x, y, data, summarize, message, name=None):
    x = convert_to_tensor(_value(x))
    y = convert_to_tensor(_value(y))
    test = op_func(x, y)
    if not isinstance(test, EagerTensor):
        if data is None:
            data = [
                f"Condition x {sym} y did not hold element-wise:",
                "x (x:0) = ",
                x,
                "y (y:0) = ",
                y,
            ]
        if message is not None:
            data = [message] + list(data)
        from arroyo.ops import reduction_ops

        return _graph_assert(reduction_ops.reduce_all(test), data, summarize)
    if np.all(test._value):
        return None
    if summarize is None:
        summarize = 3
    elif summarize < 0:
        summarize = 10**9
    if data is None:
        data = _assert_msg_data(sym, x, y, summarize, test._value)
    if message is not None:
        data = [message] + list(data)
    raise InvalidArgumentError(None, None, "\n".join(_pretty_print(d, summarize) for d in data))


def _assert_msg_data(sym, x, y, summarize, passed):
    data = [f"Condition x {sym} y did not hold."]
    if summarize > 0:
        xv, yv = np.asarray(x.numpy()), np.asarray(y.numpy())
        if x.shape == y.shape and x.shape.as_list():
            mask = ~np.asarray(passed)
            indices = np.argwhere(mask)
            n = min(summarize, indices.shape[0])
            data += [f"Indices of first {n} different values:", indices[:n],
                     "Corresponding x values:", xv[mask].reshape(-1)[:n],
                     "Corresponding y values:", yv[mask].reshape(-1)[:n]]  # fmt: skip
        xf, yf = xv.reshape(-1), yv.reshape(-1)
        xs, ys = min(xf.size, summarize), min(yf.size, summarize)
        data += [f"First {xs} elements of x:", xf[:xs], f"First {ys} elements of y:", yf[:ys]]
    return data


def _m():
    from arroyo.ops import math_ops

    return math_ops


def assert_equal(x, y, message=None, summarize=None, name=None):
    """Asserts x == y elementwise (with broadcasting); None when it holds.

    >>> tf.debugging.assert_equal(tf.constant([1, 2]), [1, 2])
    """
    return _binary_assert("==", _m().equal, x, y, None, summarize, message, name)


def assert_none_equal(x, y, summarize=None, message=None, name=None):
    return _binary_assert("!=", _m().not_equal, x, y, None, summarize, message, name)


def assert_less(x, y, message=None, summarize=None, name=None):
    """Asserts x < y elementwise."""
    return _binary_assert("<", _m().less, x, y, None, summarize, message, name)


def assert_less_equal(x, y, message=None, summarize=None, name=None):
    return _binary_assert("<=", _m().less_equal, x, y, None, summarize, message, name)


def assert_greater(x, y, message=None, summarize=None, name=None):
    """Asserts x > y elementwise."""
    return _binary_assert(">", _m().greater, x, y, None, summarize, message, name)


def assert_greater_equal(x, y, message=None, summarize=None, name=None):
    return _binary_assert(">=", _m().greater_equal, x, y, None, summarize, message, name)


def _unary_assert(condition_text, compare, x, message, summarize, zero_first):
    x = convert_to_tensor(_value(x))
    zero = convert_to_tensor(0, dtype=x.dtype)
    data = [_message_prefix(message), condition_text, f"x ({_shape_and_dtype_str(x)}) = ", x]
    if condition_text.endswith("= "):  # TF joins these two lines for assert_non_positive
        data = [data[0], data[1], x]
    a, b = (zero, x) if zero_first else (x, zero)
    return _binary_assert("", compare, a, b, data, summarize, None)


def assert_non_negative(x, message=None, summarize=None, name=None):
    """Asserts x >= 0 elementwise."""
    return _unary_assert(
        "Condition x >= 0 did not hold element-wise:", _m().less_equal, x, message, summarize, True
    )


def assert_positive(x, message=None, summarize=None, name=None):
    """Asserts x > 0 elementwise."""
    return _unary_assert(
        "Condition x > 0 did not hold element-wise:", _m().less, x, message, summarize, True
    )


def assert_negative(x, message=None, summarize=None, name=None):
    return _unary_assert(
        "Condition x < 0 did not hold element-wise:", _m().less, x, message, summarize, False
    )


def assert_non_positive(x, message=None, summarize=None, name=None):
    x = convert_to_tensor(_value(x))
    text = f"Condition x <= 0 did not hold element-wise:x ({_shape_and_dtype_str(x)}) = "
    return _unary_assert(text, _m().less_equal, x, message, summarize, False)


def assert_near(x, y, rtol=None, atol=None, message=None, summarize=None, name=None):
    """Asserts |x - y| <= atol + rtol * |y| elementwise (default tolerances 10 * eps).

    >>> tf.debugging.assert_near(tf.constant(1.0), 1.0 + 1e-7)
    """
    from arroyo.ops import reduction_ops

    x = convert_to_tensor(_value(x))
    y = convert_to_tensor(_value(y), dtype=x.dtype)
    eps = np.finfo(x.dtype.as_numpy_dtype).eps
    real = x.dtype.real_dtype
    rtol = convert_to_tensor(10 * eps if rtol is None else rtol, dtype=real)
    atol = convert_to_tensor(10 * eps if atol is None else atol, dtype=real)
    m = _m()
    diff = m.abs(m.subtract(x, y))
    tol = m.add(atol, m.multiply(rtol, m.abs(y)))
    condition = reduction_ops.reduce_all(m.less_equal(diff, tol))
    data = [
        _message_prefix(message),
        f"x and y not equal to tolerance rtol = {str(rtol)}, atol = {str(atol)}",
        f"x ({_shape_and_dtype_str(x)}) = ", x,
        f"y ({_shape_and_dtype_str(y)}) = ", y,
    ]  # fmt: skip
    return Assert(condition, data, summarize=summarize)


def _static_rank_arg(rank):
    v = static_value(convert_to_tensor(rank)) if is_tensorlike(rank) else np.asarray(rank)
    if v is None:
        return None
    if np.ndim(v) != 0:
        raise ValueError("Rank must be a scalar.")
    return int(v)


def _rank_error(message, what, x):
    return ValueError(
        f"{_message_prefix(message)}Tensor  must have {what}.  Received rank {x.shape.rank}, "
        f"shape {x.shape}"
    )


def assert_rank(x, rank, message=None, name=None):
    """Raises ValueError unless `x` has rank `rank`.

    >>> tf.debugging.assert_rank(tf.zeros([2, 3]), 2)
    """
    x = convert_to_tensor(_value(x))
    r = _static_rank_arg(rank)
    if x.shape.rank is not None and r is not None and x.shape.rank != r:
        raise _rank_error(message, f"rank {r}", x)
    return None


def assert_rank_at_least(x, rank, message=None, name=None):
    x = convert_to_tensor(_value(x))
    r = _static_rank_arg(rank)
    if x.shape.rank is not None and r is not None and x.shape.rank < r:
        raise _rank_error(message, f"rank at least {r}", x)
    return None


def assert_rank_in(x, ranks, message=None, name=None):
    x = convert_to_tensor(_value(x))
    rs = tuple(_static_rank_arg(r) for r in ranks)
    if x.shape.rank is not None and None not in rs and x.shape.rank not in rs:
        raise _rank_error(message, f"rank in {rs}", x)
    return None


def assert_shapes(shapes, data=None, summarize=None, message=None, name=None):
    """Checks tensors' shapes against symbolic specs, e.g. [(x, ('N', 'D')), (y, ('N',))].

    A symbol names a size that must agree across tensors; an int is an exact size; None or
    '.' is any size; a leading `...` or '*' stands for any number of leading dimensions.

    >>> tf.debugging.assert_shapes([(tf.zeros([2, 3]), ('N', 'D')), (tf.zeros([2]), ('N',))])
    """
    if isinstance(shapes, dict):
        shapes = shapes.items()
    prefix = _message_prefix(message)
    constraints = [(convert_to_tensor(_value(x)), s) for x, s in shapes if s is not None]
    specs = []
    for x, sym in constraints:
        if not (hasattr(sym, "__iter__") or hasattr(sym, "__getitem__")):
            raise ValueError(
                f"{prefix}Tensor {_shape_and_dtype_str(x)}.  Specified shape must be an iterable.  "
                f"An iterable has the attribute `__iter__` or `__getitem__`.  Received specified "
                f"shape: {sym}"
            )
        sym = tuple(sym)
        innermost = False
        for i, s in enumerate(sym):
            if s is Ellipsis or (isinstance(s, str) and s == "*"):
                if i != 0:
                    raise ValueError(
                        f"{prefix}Tensor {_shape_and_dtype_str(x)} specified shape index {i}.  "
                        "Symbol `...` or `*` for a variable number of unspecified dimensions is "
                        "only allowed as the first entry"
                    )
                innermost = True
        sizes = sym[1:] if innermost else sym
        specs.append((x, innermost, _dimension_sizes(x), sizes or (1,)))
    for x, innermost, _, sizes in specs:
        rank = len(sizes)
        if innermost:
            if rank not in (0, 1):
                assert_rank_at_least(x, rank, message=message)
        elif rank in (0, 1):
            assert_rank_in(x, [0, 1], message=message)
        else:
            assert_rank(x, rank, message=message)
    seen: dict = {}
    for x, innermost, actual, sizes in specs:
        for i, s in enumerate(sizes):
            if s is None or (isinstance(s, str) and s == "."):
                continue
            dim = i - len(sizes) if innermost else i
            known = _known_int(s)
            if known is not None or s in seen:
                if known is not None:
                    want, how = known, "Specified explicitly"
                else:
                    want, by, at = seen[s]
                    how = f"Specified by tensor {_shape_and_dtype_str(by)} dimension {at}"
                got = actual[dim]
                if got is not None and want is not None and got != want:
                    raise ValueError(
                        f"{prefix}{how}.  Tensor {_shape_and_dtype_str(x)} dimension {dim} must have "
                        f"size {want}.  Received size {got}, shape {x.shape}"
                    )
            else:
                seen[s] = (actual[dim], x, dim)
    return None


def _dimension_sizes(x):
    dims = x.shape.as_list() if x.shape.rank is not None else []
    return dims or [1]  # a scalar counts as one dimension of size 1


def _known_int(s):
    if s is None or isinstance(s, bool):
        return None
    try:
        return int(s)
    except (TypeError, ValueError):
        return None


def assert_type(tensor, tf_type, message=None, name=None):
    """Raises TypeError unless `tensor` has dtype `tf_type`."""
    tf_type = dtypes.as_dtype(tf_type)
    t = tensor if is_tensorlike(tensor) else convert_to_tensor(tensor)
    if t.dtype != tf_type:
        raise TypeError(
            f"{_message_prefix(message)}tensor must be of type {tf_type!r}; got {t.dtype!r}"
        )
    return None


def assert_integer(x, message=None, name=None):
    x = x if is_tensorlike(x) else convert_to_tensor(x)
    if not x.dtype.is_integer:
        raise TypeError(
            f'{_message_prefix(message)}Expected "x" to be integer type.  Found: tensor of dtype {x.dtype}'
        )
    return None


def assert_scalar(tensor, message=None, name=None):
    t = convert_to_tensor(_value(tensor))
    if t.shape.rank is not None and t.shape.rank != 0:
        raise ValueError(f"{_message_prefix(message)}Expected scalar shape, saw shape: {t.shape}.")
    return None


def assert_proper_iterable(values):
    """Raises TypeError for non-iterables and for tensors, arrays and strings."""
    unintentional = (Tensor, np.ndarray, bytes, str)
    if isinstance(values, unintentional) or is_tensorlike(values):
        raise TypeError(
            f'Expected argument "values" to be a "proper" iterable.  Found: {type(values)}'
        )
    if not isinstance(values, collections.abc.Iterable):
        raise TypeError(f'Expected argument "values" to be iterable.  Found: {type(values)}')


def assert_same_float_dtype(tensors=None, dtype=None):
    """The common floating dtype of `tensors` (and `dtype`), or ValueError."""
    if tensors:
        first = tensors[0]
        for t in tensors[1:]:
            if t.dtype != first.dtype:
                raise ValueError(
                    f"{str(t)}, type={t.dtype}, must be of the same type ({first.dtype}) as {str(first)}."
                )
        if dtype is None:
            dtype = first.dtype
        elif dtypes.as_dtype(dtype) != first.dtype:
            raise ValueError(
                f"{str(first)}, type={first.dtype}, must be of the same type ({dtype})."
            )
    if dtype is None:
        return dtypes.float32
    dtype = dtypes.as_dtype(dtype)
    if not dtype.is_floating:
        raise ValueError(f"Expected floating point type, got {dtype}.")
    return dtype


def check_numerics(tensor, message, name=None):
    """Returns `tensor`; raises InvalidArgumentError if it holds NaN or Inf.

    >>> tf.debugging.check_numerics(tf.constant([1.0, 2.0]), "ok")
    <tf.Tensor: shape=(2,), dtype=float32, numpy=array([1., 2.], dtype=float32)>
    """
    t = convert_to_tensor(_value(tensor))
    if t.dtype not in _NUMERIC_CHECK_TYPES:
        raise InvalidArgumentError(
            None, None,
            f"Value for attr 'T' of {dtypes.cpp_name(t.dtype)} is not in the list of allowed values: "
            "bfloat16, half, float, double\n\t; NodeDef: {{node CheckNumerics}}; "
            "Op<name=CheckNumerics; signature=tensor:T -> output:T; attr=T:type,allowed=[DT_BFLOAT16, "
            "DT_HALF, DT_FLOAT, DT_DOUBLE]; attr=message:string; is_stateful=true> [Op:CheckNumerics]",
        )  # fmt: skip
    return execute(CHECK_NUMERICS, (t,), {"message": message}, name)


def assert_all_finite(x, message, name=None):
    """`check_numerics` (TF 2's `tf.debugging.assert_all_finite`)."""
    return check_numerics(x, message, name)


def is_numeric_tensor(tensor):
    return isinstance(tensor, Tensor) and tensor.dtype in _NUMERIC_TENSOR_TYPES


_NUMERIC_TENSOR_TYPES = frozenset([
    dtypes.float16, dtypes.bfloat16, dtypes.float32, dtypes.float64, dtypes.int8, dtypes.int16,
    dtypes.int32, dtypes.int64, dtypes.uint8, dtypes.uint16, dtypes.uint32, dtypes.uint64,
    dtypes.complex64, dtypes.complex128, dtypes.qint8, dtypes.qint16, dtypes.qint32,
    dtypes.quint8, dtypes.quint16,
])  # fmt: skip

_settings = {"log_device_placement": False, "traceback_filtering": True, "check_numerics": False}


def set_log_device_placement(enabled):
    _settings["log_device_placement"] = bool(enabled)


def get_log_device_placement():
    return _settings["log_device_placement"]


def enable_traceback_filtering():
    _settings["traceback_filtering"] = True


def disable_traceback_filtering():
    _settings["traceback_filtering"] = False


def is_traceback_filtering_enabled():
    return _settings["traceback_filtering"]


def enable_check_numerics(stack_height_limit=30, path_length_limit=50):
    """Recorded only: arroyo does not instrument every op with CheckNumerics."""
    _settings["check_numerics"] = True


def disable_check_numerics():
    _settings["check_numerics"] = False


TF_API = {
    "tf.debugging": [
        "Assert", "assert_all_finite", "assert_equal", "assert_greater", "assert_greater_equal",
        "assert_integer", "assert_less", "assert_less_equal", "assert_near", "assert_negative",
        "assert_non_negative", "assert_non_positive", "assert_none_equal", "assert_positive",
        "assert_proper_iterable", "assert_rank", "assert_rank_at_least", "assert_rank_in",
        "assert_same_float_dtype", "assert_scalar", "assert_shapes", "assert_type",
        "check_numerics", "disable_check_numerics", "disable_traceback_filtering",
        "enable_check_numerics", "enable_traceback_filtering", "get_log_device_placement",
        "is_numeric_tensor", "is_traceback_filtering_enabled", "set_log_device_placement",
    ],
    "tf": ["Assert", "assert_equal", "assert_greater", "assert_less", "assert_rank"],
}  # fmt: skip
