"""AutoGraph: rewrites Python control flow in a traced function into calls that dispatch at
run time, so `if`/`while`/`for` on tensors become `tf.cond`/`tf.while_loop` and the same
statements on Python values stay ordinary Python (loops over Python values still unroll).

`convert(fn)` parses `fn`'s source (`inspect.getsource`), transforms the AST and compiles it
under the original file name with the original line numbers, so tracebacks and error
messages point at the user's own lines. The passes, per function:

  1. conditional returns: `if c: return a` followed by more code moves that code under
     `else`, so both branches return (what TF does, to avoid None return values);
  2. `return` inside control flow becomes `do_return`/`retval_` assignments, and `break` /
     `continue` become flag variables; code after them is guarded by `if not flag:`;
  3. `and`/`or`/`not`, `x if c else y` and comparison chains go through `ag__` helpers,
     and calls go through `ag__.cc(f)(...)`, which converts user functions recursively
     (and maps `range`/`len`/`enumerate` over tensors to TF ops);
  4. liveness analysis gives each statement the variables it modifies and the ones
     live after it; `if`/`while`/`for` become `ag__.if_stmt` / `while_stmt` / `for_stmt`
     with body functions that update the enclosing variables via `nonlocal`, and
     `get_state`/`set_state` functions over the branch outputs / loop variables.

The runtime helpers (`if_stmt`, ...) look at the condition: a symbolic tensor stages a
`tf.cond`/`tf.while_loop` (checking branch and loop variables as TF does, with its error
messages); anything else runs the Python statement.
"""

from __future__ import annotations

import ast
import builtins
import functools
import inspect
import itertools
import linecache
import logging
import os
import re
import sys
import textwrap
import threading
import types
import weakref

import numpy as np

from arroyo.framework import dtypes
from arroyo.framework.context import state
from arroyo.framework.tensor import Tensor, convert_to_tensor
from arroyo.framework.tensor_shape import TensorShape, as_shape
from arroyo.graph.graph import SymbolicTensor
from arroyo.util import nest

__all__ = ["convert", "to_code", "to_graph", "do_not_convert", "set_loop_options"]

_log = logging.getLogger("arroyo")


# =====================================================================================
# Runtime: special values
# =====================================================================================


class Undefined:
    """Value of a variable not (yet) assigned on some path (TF's `ag__.Undefined`)."""

    __slots__ = ("symbol_name",)

    def __init__(self, symbol_name):
        self.symbol_name = symbol_name

    def read(self):
        raise UnboundLocalError(f"'{self.symbol_name}' is used before assignment")

    def __repr__(self):
        return f"<undefined {self.symbol_name}>"

    def __bool__(self):
        self.read()

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        self.read()


class UndefinedReturnValue:
    """The return value before any `return` ran (TF's `ag__.UndefinedReturnValue`)."""

    def __repr__(self):
        return "<undefined return value>"


def ld(v):
    """Loads a variable: reading an undefined one is an error, as in Python."""
    if type(v) is Undefined:
        v.read()
    return v


def retval(value):
    return None if isinstance(value, UndefinedReturnValue) else value


def _is_symbolic(x) -> bool:
    if isinstance(x, SymbolicTensor):
        return True
    if getattr(x, "_is_arroyo_variable", False):
        return state.graph is not None
    return False


def _is_tensor(x) -> bool:
    return isinstance(x, Tensor) or getattr(x, "_is_arroyo_variable", False)


# =====================================================================================
# Runtime: logical and conditional expressions
# =====================================================================================


def _as_bool_tensor(x, what):
    from arroyo.ops.math_ops import cast

    if getattr(x, "_is_arroyo_variable", False):
        x = x.value()
    t = convert_to_tensor(x)
    if t.dtype is not dtypes.bool:
        t = cast(t, dtypes.bool)
    return t


def not_(a):
    if _is_symbolic(a):
        from arroyo.ops.math_ops import logical_not

        return logical_not(_as_bool_tensor(a, "not"))
    return not a


def and_(a_fn, b_fn):
    a = a_fn()
    if _is_symbolic(a):
        from arroyo.graph.control_flow import cond

        a = _as_bool_tensor(a, "and")
        return cond(a, lambda: _as_bool_tensor(b_fn(), "and"), lambda: a)
    return a and b_fn()


def or_(a_fn, b_fn):
    a = a_fn()
    if _is_symbolic(a):
        from arroyo.graph.control_flow import cond

        a = _as_bool_tensor(a, "or")
        return cond(a, lambda: a, lambda: _as_bool_tensor(b_fn(), "or"))
    return a or b_fn()


def if_exp(cond_value, if_true, if_false, expr_repr=None):
    if _is_symbolic(cond_value):
        from arroyo.graph.control_flow import cond

        return cond(_verify_condition(cond_value, "if expression"), if_true, if_false)
    return if_true() if cond_value else if_false()


def _verify_condition(c, tag):
    """A condition staged into TF control flow must be a bool scalar (TF's checks)."""
    if getattr(c, "_is_arroyo_variable", False):
        c = c.value()
    c = convert_to_tensor(c)
    hint = "to check for None, use `is not None`"
    if c.dtype is not dtypes.bool:
        raise ValueError(f"condition of {tag} expected to be `tf.bool` scalar, got {c}; to use as boolean "
                         f"Tensor, use `tf.cast`; {hint}")  # fmt: skip
    if c.shape.rank is None or c.shape.rank > 0:
        known = [d for d in (c.shape.as_list() if c.shape.rank else []) if d is not None]
        if int(np.prod(known)) > 1:
            raise ValueError(f"condition of {tag} expected to be `tf.bool` scalar, got {c}; {hint}")
        from arroyo.ops.array_ops import reshape

        c = reshape(c, [])
    return c


# =====================================================================================
# Runtime: if statements
# =====================================================================================


def if_stmt(cond_value, body, orelse, get_state, set_state, symbol_names, nouts):
    """`if cond: body() else: orelse()`, staged as tf.cond when `cond` is a symbolic tensor."""
    if _is_symbolic(cond_value):
        _tf_if_stmt(cond_value, body, orelse, get_state, set_state, symbol_names, nouts)
    elif cond_value:
        body()
    else:
        orelse()


def _verify_branch_vars(vals, names, branch):
    for name, v in zip(names, vals):
        if type(v) is Undefined:
            raise ValueError(f"'{name}' must also be initialized in the {branch} branch")
        if isinstance(v, UndefinedReturnValue):
            raise ValueError(f"the {branch} branch must also have a return statement.")


def _cond_var(name, body_v, orelse_v):
    """Checks one output of a staged if (TF's verify_single_cond_var)."""
    if body_v is None:
        raise ValueError(f"'{name}' is None at the end of the main branch.")
    if orelse_v is None:
        raise ValueError(f"'{name}' is None at the end of the else branch.")
    a = _maybe_tensor(body_v)
    b = _maybe_tensor(orelse_v)
    if isinstance(a, Tensor) and isinstance(b, Tensor) and a.dtype != b.dtype:
        raise TypeError(
            f"'{name}' has dtype {a.dtype.name} in the main branch, but dtype {b.dtype.name} in the else branch"
        )


def _maybe_tensor(v):
    if isinstance(v, (bool, int, float, str, np.ndarray, np.generic)):
        return convert_to_tensor(v)
    if getattr(v, "_is_arroyo_variable", False):
        return v.value()
    return v


def _tf_if_stmt(cond_value, body, orelse, get_state, set_state, symbol_names, nouts):
    from arroyo.graph.control_flow import cond

    c = _verify_condition(cond_value, "if statement")
    init = tuple(get_state())
    names = tuple(symbol_names[:nouts])
    results = {}

    def run(fn, branch):
        set_state(init)
        fn()
        vals = tuple(get_state())[:nouts]
        _verify_branch_vars(vals, names, branch)
        results[branch] = vals
        other = results.get("else" if branch == "main" else "main")
        if other is not None:
            main, els = (vals, other) if branch == "main" else (other, vals)
            _check_cond_vars(main, els, names)
        # A Python object (not a number) left unchanged by the branch is not a cond output.
        return tuple(None if _passthrough(v, init[i]) else v for i, v in enumerate(vals))

    out = cond(c, lambda: run(body, "main"), lambda: run(orelse, "else"))
    final = tuple(init[i] if out[i] is None else out[i] for i in range(nouts))
    set_state(final + init[nouts:])


def _passthrough(v, init_v) -> bool:
    from arroyo.graph.tensor_array import TensorArray

    if v is not init_v or v is None or _is_tensor(v) or isinstance(v, TensorArray):
        return False
    return not isinstance(v, (bool, int, float, complex, str, np.ndarray, np.generic))


def _check_cond_vars(main, els, names):
    for name, a, b in zip(names, main, els):
        try:
            nest.assert_same_structure(a, b, check_types=False)
        except (ValueError, TypeError) as e:
            raise TypeError(
                f"'{name}' must have the same nested structure in the main and else branches:\n\n{e}"
            ) from None
        for x, y in zip(nest.flatten(a), nest.flatten(b)):
            _cond_var(name, x, y)


# =====================================================================================
# Runtime: loops
# =====================================================================================

_loop_options: list = []


def set_loop_options(parallel_iterations=None, swap_memory=None, maximum_iterations=None,
                     shape_invariants=None):  # fmt: skip
    """Loop options for the enclosing AutoGraph loop (TF's `set_loop_options`).

    The converter hoists the call out of the loop body, so it applies to the staged loop;
    outside converted code it does nothing.
    """
    return {k: v for k, v in (("parallel_iterations", parallel_iterations),
                              ("swap_memory", swap_memory),
                              ("maximum_iterations", maximum_iterations),
                              ("shape_invariants", shape_invariants)) if v is not None}  # fmt: skip


def _loop_opts(opts):
    if not opts:
        return {}
    fn = opts.get("options")
    out = dict(opts)
    if fn is not None:
        out.update(fn())
    return out


def while_stmt(test, body, get_state, set_state, symbol_names, opts):
    """`while test(): body()`, staged as tf.while_loop once the test is a symbolic tensor."""
    c = test()
    while True:
        if _is_symbolic(c):
            _tf_while_stmt(test, body, get_state, set_state, symbol_names, _loop_opts(opts), c)
            return
        if not c:
            return
        body()
        c = test()


def for_stmt(iter_, extra_test, body, get_state, set_state, symbol_names, opts):
    """`for x in iter_: body(x)` (while `extra_test()`), staged over tensors.

    An iterable whose type defines `_autograph_for_stmt(self, extra_test, body, get_state,
    set_state, symbol_names, opts)` stages its own loop (how datasets plug in).
    """
    hook = getattr(type(iter_), "_autograph_for_stmt", None)
    if hook is not None:
        return hook(iter_, extra_test, body, get_state, set_state, symbol_names, opts)
    if isinstance(iter_, _TensorEnumerate) or _is_tensor(iter_) and (
            _is_symbolic(iter_) or state.graph is not None):  # fmt: skip
        _tf_for_stmt(iter_, extra_test, body, get_state, set_state, symbol_names, _loop_opts(opts))
        return
    if _is_tensor(iter_) and getattr(iter_, "_is_arroyo_variable", False):
        iter_ = iter_.value()
    if extra_test is None:
        for x in iter_:
            body(x)
        return
    for x in iter_:
        t = extra_test()
        if _is_symbolic(t):
            # A tensor-dependent break/return in an unrolled loop: the remaining iterations
            # run under a tf.cond on "not stopped yet".
            _tf_if_stmt(t, functools.partial(body, x), _no_op, get_state, set_state, symbol_names,
                        len(symbol_names))  # fmt: skip
            continue
        if not t:
            break
        body(x)


def _no_op():
    pass


def _check_init(names, values):
    for name, v in zip(names, values):
        if isinstance(v, UndefinedReturnValue):
            raise NotImplementedError(
                "a return statement cannot be placed inside this TensorFlow loop; this may happen "
                "if a return statement depends on a static Python condition such as a hyperparameter"
            )
        if v is None:
            raise ValueError(f"'{name}' is not allowed to be None before the loop")


def _loop_leaf(v, like=None):
    from arroyo.graph.tensor_array import TensorArray

    if isinstance(v, TensorArray) or isinstance(v, Tensor):
        return v
    if getattr(v, "_is_arroyo_variable", False):
        return v.value()
    if isinstance(v, (bool, int, float, complex, np.ndarray, np.generic, str)):
        if like is not None and isinstance(like, Tensor) and not isinstance(v, str):
            return convert_to_tensor(v, dtype=like.dtype)
        return convert_to_tensor(v)
    return v


def _is_subshape(left: TensorShape, right: TensorShape) -> bool:
    if right.rank is None:
        return True
    if left.rank != right.rank:
        return False
    return all(r is None or l_ == r for l_, r in zip(left.as_list(), right.as_list()))


def _verify_loop_var(name, entry, exit_, invariant):
    from arroyo.graph.tensor_array import TensorArray

    if exit_ is None:
        raise ValueError(f"'{name}' is None at the end of the iteration.")
    if type(exit_) is Undefined:
        raise ValueError(f"'{name}' must be defined before the loop")
    if isinstance(entry, TensorArray) or not isinstance(entry, Tensor):
        return
    ex = _maybe_tensor(exit_)
    if not isinstance(ex, Tensor):
        return
    if entry.dtype != ex.dtype:
        raise TypeError(
            f"'{name}' has dtype {entry.dtype.name} before the loop, but dtype {ex.dtype.name} after one iteration"
        )
    if invariant is None:
        if not _is_subshape(ex.shape, entry.shape):
            raise ValueError(
                f"'{name}' has shape {entry.shape} before the loop, but shape {ex.shape} after one "
                "iteration. Use tf.autograph.experimental.set_loop_options to set shape invariants."
            )
    elif not _is_subshape(ex.shape, invariant):
        raise ValueError(
            f"'{name}' has shape {ex.shape} after one iteration, which does not conform with the shape "
            f"invariant {invariant}."
        )


def _shape_invariants(opts, names, init):
    """Per-variable invariants from set_loop_options(shape_invariants=[(var, shape), ...])."""
    pairs = opts.get("shape_invariants")
    if not pairs:
        return [None] * len(names)
    out = []
    for v in init:
        inv = None
        for var, shape in pairs:
            if var is v or (getattr(v, "_is_arroyo_variable", False) and var is v):
                inv = shape
        out.append(None if inv is None else nest.map_structure(as_shape, inv)
                   if nest.is_nested(inv) else as_shape(inv))  # fmt: skip
    return out


def _probe(fn):
    """Runs `fn` while building a throwaway graph (to learn what one iteration produces)."""
    from arroyo.graph.graph import FuncGraph

    g = FuncGraph("autograph_first_iteration", outer=state.graph)
    saved = state.graph, state.tapes
    state.graph, state.tapes = g, []
    try:
        return fn()
    finally:
        state.graph, state.tapes = saved


def _placeholders_for_undefined(body_fn, names, init):
    """Loop variables undefined before the loop get zeros shaped like their value after one
    iteration, found by tracing the body once on the side (what TF does). Returns the new
    initial values and, for those variables, shape invariants (the probed shapes)."""
    from arroyo.ops import array_ops

    undefined = [
        i for i, v in enumerate(init) if type(v) is Undefined or isinstance(v, UndefinedReturnValue)
    ]
    invariants = [None] * len(init)
    if not undefined:
        return init, invariants
    try:
        after = _probe(body_fn)
    except UnboundLocalError as e:
        bad = str(e).split("'")[1] if "'" in str(e) else "a variable"
        raise ValueError(f"'{bad}' must be defined before the loop") from None
    new = list(init)
    for i in undefined:
        v = after[i]
        if type(v) is Undefined or isinstance(v, UndefinedReturnValue) or v is None:
            if isinstance(init[i], UndefinedReturnValue):
                raise NotImplementedError(
                    "a return statement cannot be placed inside this TensorFlow loop; this may "
                    "happen if a return statement depends on a static Python condition such as a "
                    "hyperparameter"
                )
            raise ValueError(f"'{names[i]}' must be defined before the loop")
        leaves = nest.flatten(v)
        zeros, shapes = [], []
        for leaf in leaves:
            t = _maybe_tensor(leaf)
            if not isinstance(t, Tensor) or t.shape.rank is None:
                what = (
                    "the return value"
                    if isinstance(init[i], UndefinedReturnValue)
                    else f"'{names[i]}'"
                )
                raise ValueError(f"{what} must be defined before the loop: a tensor of known rank is "
                                 f"required, got {leaf!r}")  # fmt: skip
            dims = [d if d is not None else 0 for d in t.shape.as_list()]
            zeros.append(array_ops.zeros(dims, dtype=t.dtype))
            shapes.append(t.shape)
        new[i] = nest.pack_sequence_as(v, zeros)
        invariants[i] = nest.pack_sequence_as(v, shapes)
    return tuple(new), invariants


def _merge_invariants(user, probed):
    return [u if u is not None else p for u, p in zip(user, probed)]


def _tf_while_stmt(test, body, get_state, set_state, symbol_names, opts, first_test=None):
    from arroyo.graph.control_flow import while_loop

    init = tuple(get_state())
    names = tuple(symbol_names)
    _check_init(names, init)

    def probe_body():
        set_state(init)
        body()
        return tuple(get_state())

    user_inv = _shape_invariants(opts, names, init)
    init, probed = _placeholders_for_undefined(probe_body, names, init)
    init = tuple(nest.map_structure(_loop_leaf, v) for v in init)
    invariants = _merge_invariants(user_inv, probed)
    _verify_condition(
        _as_tensor(first_test if first_test is not None else test()), "while statement"
    )

    def cond_fn(*vars_):
        set_state(vars_)
        c = test()
        if not _is_tensor(c):
            return convert_to_tensor(bool(c))
        return _verify_condition(c, "while statement")

    def body_fn(*vars_):
        set_state(vars_)
        body()
        new = tuple(get_state())
        return _checked_iteration(names, vars_, new, invariants)

    res = while_loop(cond_fn, body_fn, init, shape_invariants=_relaxed(init, invariants),
                     parallel_iterations=opts.get("parallel_iterations") or 10,
                     maximum_iterations=opts.get("maximum_iterations"))  # fmt: skip
    set_state(tuple(res))


def _as_tensor(x):
    if getattr(x, "_is_arroyo_variable", False):
        return x.value()
    return x if isinstance(x, Tensor) else convert_to_tensor(x)


def _relaxed(init, invariants):
    if all(i is None for i in invariants):
        return None
    out = []
    for v, inv in zip(init, invariants):
        if inv is None:
            out.append(nest.map_structure(lambda t: getattr(t, "shape", None), v))
        else:
            out.append(inv)
    return out


def _checked_iteration(names, entry, new, invariants):
    out = []
    for name, e, x, inv in zip(names, entry, new, invariants):
        try:
            nest.assert_same_structure(e, x, check_types=False)
        except (ValueError, TypeError) as err:
            raise TypeError(
                f"'{name}' does not have the same nested structure after one iteration.\n\n{err}"
            ) from None
        flat_e, flat_x = nest.flatten(e), nest.flatten(x)
        flat_inv = (
            nest.flatten(inv) if inv is not None and nest.is_nested(inv) else [inv] * len(flat_e)
        )
        for a, b, i in zip(flat_e, flat_x, flat_inv):
            _verify_loop_var(name, a, b, i)
        out.append(nest.pack_sequence_as(e, [_loop_leaf(b, a) for a, b in zip(flat_e, flat_x)]))
    return tuple(out)


class _TensorEnumerate:
    __slots__ = ("tensor", "start")

    def __init__(self, tensor, start):
        self.tensor = tensor
        self.start = start


def _tf_for_stmt(iter_, extra_test, body, get_state, set_state, symbol_names, opts):
    from arroyo.graph.control_flow import while_loop
    from arroyo.ops import array_ops, math_ops

    enum_start = None
    if isinstance(iter_, _TensorEnumerate):
        enum_start = iter_.start
        iter_ = iter_.tensor
    iter_ = _as_tensor(iter_)
    if iter_.shape.rank == 0:
        raise TypeError(f"Iterating over a scalar tensor ({iter_}) is not allowed.")
    rng = None
    op = getattr(iter_, "op", None)
    if isinstance(iter_, SymbolicTensor) and op is not None and op.type == "Range":
        rng = op.inputs  # (start, limit, delta): elements computed from the counter
    n_static = iter_.shape[0] if iter_.shape.rank else None
    n = n_static if n_static is not None else array_ops.shape(iter_)[0]

    if rng is not None:
        from arroyo.ops._helpers import static_value

        start_v, delta_v = static_value(rng[0]), static_value(rng[2])

    def element(i):
        if rng is not None:
            k = i if iter_.dtype is dtypes.int32 else math_ops.cast(i, iter_.dtype)
            x = k if delta_v is not None and delta_v == 1 else k * rng[2]
            x = x if start_v is not None and start_v == 0 else rng[0] + x
        else:
            x = array_ops.gather(iter_, i)
        if enum_start is not None:
            return (i + enum_start, x)
        return x

    init = tuple(get_state())
    names = tuple(symbol_names)
    _check_init(names, init)
    i0 = convert_to_tensor(np.int32(0))

    def probe_body():
        set_state(init)
        body(element(i0))
        return tuple(get_state())

    user_inv = _shape_invariants(opts, names, init)
    init, probed = _placeholders_for_undefined(probe_body, names, init)
    init = tuple(nest.map_structure(_loop_leaf, v) for v in init)
    invariants = _merge_invariants(user_inv, probed)

    def cond_fn(i, *vars_):
        c = i < n
        if extra_test is None:
            return c
        set_state(vars_)
        t = extra_test()
        if not _is_symbolic(t):
            return c if t else convert_to_tensor(False)
        return math_ops.logical_and(c, _as_bool_tensor(t, "for"))

    def body_fn(i, *vars_):
        set_state(vars_)
        body(element(i))
        new = tuple(get_state())
        return (i + 1,) + _checked_iteration(names, vars_, new, invariants)

    inv = _relaxed(init, invariants)
    res = while_loop(cond_fn, body_fn, (i0,) + init,
                     shape_invariants=None if inv is None else [TensorShape([])] + inv,
                     parallel_iterations=opts.get("parallel_iterations") or 10,
                     maximum_iterations=opts.get("maximum_iterations"))  # fmt: skip
    set_state(tuple(res[1:]))


# =====================================================================================
# Runtime: calls
# =====================================================================================


def _range(*args, **kwargs):
    if any(_is_tensor(a) for a in args) or any(_is_tensor(a) for a in kwargs.values()):
        from arroyo.ops.creation_ops import range as tf_range

        return tf_range(*args, **kwargs)
    return builtins.range(*args, **kwargs)


def _len(x):
    if _is_tensor(x):
        x = _as_tensor(x)
        if x.shape.rank == 0:
            raise ValueError(f"len requires a non-scalar tensor, got one of shape {x.shape}")
        if x.shape.rank is not None and x.shape[0] is not None:
            return x.shape[0]
        from arroyo.ops import array_ops

        return array_ops.shape(x)[0]
    from arroyo.graph.tensor_array import TensorArray

    if isinstance(x, TensorArray):
        return x.size()
    return builtins.len(x)


def _enumerate(iterable, start=0):
    if _is_tensor(iterable) and (state.graph is not None):
        return _TensorEnumerate(iterable, start)
    return builtins.enumerate(iterable, start)


_BUILTIN_OVERRIDES = {builtins.range: _range, builtins.len: _len, builtins.enumerate: _enumerate}

# Modules whose functions are never converted (libraries; only user code is).
_SKIP_PREFIXES = ("arroyo", "numpy", "builtins", "functools", "itertools", "collections", "abc",
                  "typing", "inspect", "math", "re", "os", "sys", "logging", "threading",
                  "contextlib", "copy", "types", "weakref", "enum", "dataclasses", "warnings",
                  "operator", "random", "json", "pytest", "_pytest", "unittest", "scipy")  # fmt: skip


def _library_path(filename: str) -> bool:
    if not filename or filename.startswith("<"):
        return True
    if "/site-packages/" in filename or "/dist-packages/" in filename:
        return True
    stdlib = getattr(sys, "_stdlib_dir", None) or ""
    return bool(stdlib) and filename.startswith(stdlib)


def _should_convert(f) -> bool:
    if getattr(f, "__ag_do_not_convert__", False) or getattr(f, "_ag_converted", False):
        return False
    if not isinstance(f, types.FunctionType):
        return False
    mod = getattr(f, "__module__", None) or ""
    if mod.split(".")[0] in _SKIP_PREFIXES:
        return False
    code = f.__code__
    if code.co_flags & (inspect.CO_GENERATOR | inspect.CO_COROUTINE | inspect.CO_ASYNC_GENERATOR):
        return False
    return not _library_path(code.co_filename)


def cc(f):
    """The callable to call in place of `f` inside converted code (converted if user code)."""
    try:
        override = _BUILTIN_OVERRIDES.get(f)
    except TypeError:  # unhashable callable
        override = None
    if override is not None:
        return override
    if isinstance(f, types.MethodType):
        if _should_convert(f.__func__):
            conv = _convert_or_none(f.__func__)
            if conv is not None:
                return types.MethodType(conv, f.__self__)
        return f
    if isinstance(f, types.FunctionType):
        if _should_convert(f):
            conv = _convert_or_none(f)
            if conv is not None:
                return conv
        return f
    if (
        isinstance(f, functools.partial)
        and isinstance(f.func, types.FunctionType)
        and _should_convert(f.func)
    ):
        conv = _convert_or_none(f.func)
        if conv is not None:
            return functools.partial(conv, *f.args, **f.keywords)
    return f


def _convert_or_none(f):
    try:
        conv = convert(f)
    except NotImplementedError:
        return None
    return None if conv is f else conv


# =====================================================================================
# Public entry points
# =====================================================================================


def do_not_convert(func=None):
    """Decorator: AutoGraph leaves `func` (and what it calls) as ordinary Python."""
    if func is None:
        return do_not_convert

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        return func(*args, **kwargs)

    wrapper.__ag_do_not_convert__ = True
    return wrapper


def convert(fn):
    """The AutoGraph-converted version of `fn` (same signature); `fn` itself if it is not
    convertible user code. Raises NotImplementedError when the source is unavailable."""
    if getattr(fn, "__ag_do_not_convert__", False):
        return fn
    if isinstance(fn, types.MethodType):
        conv = convert(fn.__func__)
        return fn if conv is fn.__func__ else types.MethodType(conv, fn.__self__)
    if isinstance(fn, functools.partial):
        conv = convert(fn.func)
        return fn if conv is fn.func else functools.partial(conv, *fn.args, **fn.keywords)
    if not isinstance(fn, types.FunctionType):
        call = type(fn).__dict__.get("__call__") or getattr(type(fn), "__call__", None)  # noqa: B004
        if isinstance(call, types.FunctionType) and not isinstance(fn, type):
            conv = convert(call)
            if conv is not call:
                return types.MethodType(conv, fn)
        return fn
    code = fn.__code__
    if code.co_flags & (inspect.CO_GENERATOR | inspect.CO_COROUTINE | inspect.CO_ASYNC_GENERATOR):
        raise NotImplementedError("generators and coroutines are not converted")
    mod = (getattr(fn, "__module__", None) or "").split(".")[0]
    if mod == "arroyo":
        return fn
    try:
        return _convert_function(fn)
    except NotImplementedError:
        if fn.__name__ == "<lambda>":
            return fn  # a lambda whose source cannot be isolated runs as written
        raise
    except (OSError, SyntaxError) as e:
        raise NotImplementedError(str(e)) from None
    except Exception as e:  # noqa: BLE001 - a converter bug must not break tracing
        _log.warning(
            "AutoGraph could not transform %s and will run it as-is. Cause: %s: %s. To silence this "
            "warning, decorate the function with @tf.autograph.experimental.do_not_convert",
            fn, type(e).__name__, e,
        )  # fmt: skip
        return fn


def to_graph(entity, recursive=True, experimental_optional_features=None):
    """The converted Python function: tensor-dependent control flow staged as TF ops."""
    return convert(entity)


def to_code(entity, recursive=True, experimental_optional_features=None):
    """The source code of the converted function, as a string."""
    fn = entity.__func__ if isinstance(entity, types.MethodType) else entity
    fn = getattr(fn, "python_function", fn)
    fn = inspect.unwrap(fn) if isinstance(fn, types.FunctionType) else fn
    entry = _entry_for(fn)
    return entry.source


# =====================================================================================
# Conversion machinery
# =====================================================================================


class _Entry:
    __slots__ = ("code", "source", "filename", "name")

    def __init__(self, code, source, filename, name):
        self.code = code
        self.source = source
        self.filename = filename
        self.name = name


_entries: dict = {}  # code object -> _Entry (compiled once per function definition)
_converted: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _convert_function(fn):
    cached = _converted.get(fn)
    if cached is not None:
        return cached
    entry = _entry_for(fn)
    conv = _instantiate(fn, entry)
    conv._ag_converted = True
    _converted[fn] = conv
    return conv


def _entry_for(fn):
    code = fn.__code__
    entry = _entries.get(code)
    if entry is None:
        entry = _transform(fn)
        _entries[code] = entry
    return entry


def _instantiate(fn, entry):
    """Builds the converted function, sharing `fn`'s globals, closure cells and defaults."""
    code = entry.code
    cells = {}
    if fn.__closure__:
        for name, cell in zip(fn.__code__.co_freevars, fn.__closure__):
            cells[name] = cell
    closure = []
    for name in code.co_freevars:
        if name == "ag__":
            closure.append(types.CellType(_AG_MODULE))
        elif name in cells:
            closure.append(cells[name])
        else:
            closure.append(types.CellType())
    new = types.FunctionType(
        code, fn.__globals__, fn.__name__, fn.__defaults__, tuple(closure) or None
    )
    new.__kwdefaults__ = fn.__kwdefaults__
    new.__dict__.update(fn.__dict__)
    new.__doc__ = fn.__doc__
    new.__qualname__ = fn.__qualname__
    new.__module__ = fn.__module__
    new.__wrapped_original__ = fn

    @functools.wraps(fn)
    def converted(*args, **kwargs):
        depth = getattr(_calls, "depth", 0)
        _calls.depth = depth + 1
        try:
            return new(*args, **kwargs)
        except Exception as e:
            if depth == 0:  # the outermost converted call reports the whole user path
                rewritten = _in_user_code(e)
                if rewritten is not None:
                    raise rewritten.with_traceback(e.__traceback__) from None
            raise
        finally:
            _calls.depth = depth

    converted._ag_converted = True
    return converted


_calls = threading.local()
_ARROYO_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# Exception types rebuilt from one message, as TF's AutoGraph does; others keep their message.
_STRING_CONSTRUCTED = (AssertionError, AttributeError, IndexError, KeyError, NameError,
                       NotImplementedError, RuntimeError, StopIteration, TypeError, ValueError,
                       LookupError, ArithmeticError)  # fmt: skip


def _user_frames(tb):
    frames = []
    while tb is not None:
        co = tb.tb_frame.f_code
        fname = co.co_filename
        if (
            not fname.startswith("<")
            and not os.path.abspath(fname).startswith(_ARROYO_DIR + os.sep)
            and not _HELPER_NAME.match(co.co_name)
        ):
            star = "  *" if fname in _user_files else ""
            line = linecache.getline(fname, tb.tb_lineno).strip()
            frames.append(
                f'    File "{fname}", line {tb.tb_lineno}, in {_user_name(co.co_name)}{star}\n'
                f"        {line}"
            )
        tb = tb.tb_next
    return list(dict.fromkeys(frames))


def _in_user_code(e):
    """TF's 'in user code:' form of an error raised while tracing converted code: the same
    exception type, its message preceded by the user's frames it came through."""
    if getattr(e, "_ag_user_code", False):
        return None
    frames = _user_frames(e.__traceback__)
    if not frames:
        return None
    from arroyo.framework import errors

    text = f"in user code:\n\n{chr(10).join(frames)}\n\n    {type(e).__name__}: {e}\n"
    try:
        if isinstance(e, errors.OpError):
            new = type(e)(
                e.node_def, e.op, text, *(() if type(e) is not errors.OpError else (e.error_code,))
            )
        elif (
            isinstance(type(e).__init__, types.WrapperDescriptorType)
            or type(e) in _STRING_CONSTRUCTED
        ):
            new = type(e)(text)
        else:
            return None
    except Exception:  # noqa: BLE001 - an exception type we cannot rebuild keeps its message
        return None
    new._ag_user_code = True
    new.__dict__.update({k: v for k, v in vars(e).items() if k not in new.__dict__})
    return new


_HELPER_NAME = re.compile(
    r"^(if_body|else_body|loop_body|loop_test|extra_test|get_state|set_state)_\d+$"
)


def _user_name(co_name):
    return co_name


_user_files: set = set()
_counter = itertools.count()


class _AgModule:
    """What converted code sees as `ag__`."""


_AG_MODULE = _AgModule()
for _n in (
    "if_stmt",
    "while_stmt",
    "for_stmt",
    "if_exp",
    "and_",
    "or_",
    "not_",
    "ld",
    "retval",
    "cc",
    "Undefined",
    "UndefinedReturnValue",
    "set_loop_options",
):
    setattr(_AG_MODULE, _n, globals()[_n])


def _transform(fn):
    try:
        src = inspect.getsource(fn)
    except (OSError, TypeError) as e:
        raise NotImplementedError(f"source of {fn.__qualname__} is not available: {e}") from None
    filename = fn.__code__.co_filename
    first_line = fn.__code__.co_firstlineno
    raw = src
    src = textwrap.dedent(src)
    try:
        tree = ast.parse(src)
    except SyntaxError:
        raise NotImplementedError(f"could not parse the source of {fn.__qualname__}") from None
    ast.increment_lineno(tree, first_line - 1)
    if fn.__name__ == "<lambda>":
        fdef = _lambda_def(fn, tree, _margin(raw, src))
    else:
        fdef = tree.body[0] if tree.body else None
    if not isinstance(fdef, ast.FunctionDef):
        raise NotImplementedError(f"{fn.__qualname__} is not a plain function definition")
    fdef.decorator_list = []
    fdef.returns = None
    _strip_annotations(fdef.args)
    _Converter().convert_function(fdef, top=True)
    # Inside the factory the definition must not bind the function's own name: a recursive
    # call (`f` calling `f`, also from a comprehension) has to find what the original finds
    # (the module global), not an empty factory cell.
    own_name = fdef.name
    fdef.name = "ag__self_" + own_name
    freevars = list(fn.__code__.co_freevars)
    params = ["ag__"] + [v for v in freevars if v != "ag__"]
    factory = ast.FunctionDef(
        name="ag__factory",
        args=ast.arguments(posonlyargs=[], args=[ast.arg(arg=p) for p in params], vararg=None,
                           kwonlyargs=[], kw_defaults=[], kwarg=None, defaults=[]),
        body=[fdef, ast.Return(value=ast.Name(id=fdef.name, ctx=ast.Load()))],
        decorator_list=[], returns=None,
    )  # fmt: skip
    ast.copy_location(factory, fdef)
    module = ast.Module(body=[factory], type_ignores=[])
    ast.fix_missing_locations(module)
    try:
        code = compile(module, filename, "exec")
    except SyntaxError as e:
        raise NotImplementedError(f"AutoGraph could not compile {fn.__qualname__}: {e}") from None
    factory_code = next(
        c for c in code.co_consts if isinstance(c, types.CodeType) and c.co_name == "ag__factory"
    )
    inner = next(
        c
        for c in factory_code.co_consts
        if isinstance(c, types.CodeType) and c.co_name == fdef.name
    )
    inner = inner.replace(co_name=own_name, co_qualname=fn.__qualname__)
    fdef.name = own_name
    _user_files.add(filename)
    shown = ast.unparse(ast.fix_missing_locations(_renamed_copy(fdef)))
    return _Entry(inner, shown, filename, fn.__name__)


def _margin(raw, dedented):
    """How many columns textwrap.dedent removed."""
    for a, b in zip(raw.splitlines(), dedented.splitlines()):
        if a.strip():
            return len(a) - len(b)
    return 0


def _lambda_def(fn, tree, margin):
    """The lambda `fn` in `tree` (matched by position and arguments) as a FunctionDef."""
    code = fn.__code__
    positions = [(p[0], p[2]) for p in code.co_positions()
                 if p[0] is not None and p[2] is not None and (p[1], p[3]) != (p[0], p[2])]  # fmt: skip
    start = min(positions) if positions else None
    nargs = code.co_argcount + code.co_kwonlyargcount + bool(code.co_flags & inspect.CO_VARARGS) + \
        bool(code.co_flags & inspect.CO_VARKEYWORDS)  # fmt: skip
    names = list(code.co_varnames[:nargs])
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Lambda) or node.lineno != code.co_firstlineno:
            continue
        a = node.args
        arg_names = [x.arg for x in a.posonlyargs + a.args + a.kwonlyargs]
        if a.vararg:
            arg_names.insert(len(a.posonlyargs + a.args), a.vararg.arg)
        if a.kwarg:
            arg_names.append(a.kwarg.arg)
        if sorted(arg_names) != sorted(names):
            continue
        if start is not None and (node.body.lineno, node.body.col_offset + margin) != start:
            continue
        found.append(node)
    if len(found) != 1:
        raise NotImplementedError("could not identify the lambda's source unambiguously")
    lam = found[0]
    fdef = ast.FunctionDef(name="ag__lambda", args=lam.args, body=[ast.Return(value=lam.body)],
                           decorator_list=[], returns=None)  # fmt: skip
    ast.copy_location(fdef, lam)
    ast.copy_location(fdef.body[0], lam.body)
    return fdef


def _renamed_copy(fdef):
    import copy

    f = copy.deepcopy(fdef)
    f.name = "tf__lambda" if fdef.name == "ag__lambda" else f"tf__{fdef.name}"
    return f


def _strip_annotations(args):
    for a in args.posonlyargs + args.args + args.kwonlyargs:
        a.annotation = None
    if args.vararg is not None:
        args.vararg.annotation = None
    if args.kwarg is not None:
        args.kwarg.annotation = None


# =====================================================================================
# AST analysis
# =====================================================================================

_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef, ast.ListComp, ast.SetComp,
           ast.DictComp, ast.GeneratorExp)  # fmt: skip


def _iter_scope(node):
    """Walks `node` without entering nested scopes (their names are their own)."""
    stack = [node]
    while stack:
        n = stack.pop()
        yield n
        for child in ast.iter_child_nodes(n):
            if isinstance(child, _SCOPES):
                yield child  # the def itself binds its name
                if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                    stack.extend(child.decorator_list)
                    if not isinstance(child, ast.ClassDef):
                        stack.extend(child.args.defaults)
                        stack.extend(d for d in child.args.kw_defaults if d is not None)
                continue
            stack.append(child)


def _stores(nodes) -> set:
    """Names bound by these statements (not inside nested scopes, except their own names)."""
    out = set()
    if isinstance(nodes, ast.AST):
        nodes = [nodes]
    for node in nodes:
        for n in _iter_scope(node):
            if isinstance(n, ast.Name) and isinstance(n.ctx, (ast.Store, ast.Del)):
                out.add(n.id)
            elif (
                isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
                and n is not node
            ):
                out.add(n.name)
            elif isinstance(n, (ast.Import, ast.ImportFrom)):
                for a in n.names:
                    if a.name != "*":
                        out.add((a.asname or a.name).split(".")[0])
            elif isinstance(n, ast.ExceptHandler) and n.name:
                out.add(n.name)
    return out


def _loads(nodes) -> set:
    """Names read by these nodes (conservatively including nested scopes)."""
    out = set()
    if isinstance(nodes, ast.AST):
        nodes = [nodes]
    for node in nodes:
        if node is None:
            continue
        for n in ast.walk(node):
            if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load):
                out.add(n.id)
            elif isinstance(n, ast.AugAssign) and isinstance(n.target, ast.Name):
                out.add(n.target.id)
    return out


def _live_block(stmts, live_out):
    live = set(live_out)
    for s in reversed(stmts):
        s._ag_live_out = frozenset(live)
        live = _live_stmt(s, live)
    return live


def _live_stmt(s, live_out):
    if isinstance(s, ast.If):
        return _loads(s.test) | _live_block(s.body, live_out) | _live_block(s.orelse, live_out)
    if isinstance(s, ast.While):
        after = _live_block(s.orelse, live_out) if s.orelse else set(live_out)
        header = set(after) | _loads(s.test)
        while True:
            new = header | _live_block(s.body, header)
            if new == header:
                break
            header = new
        _live_block(s.body, header)
        s._ag_live_header = frozenset(header)
        return header
    if isinstance(s, ast.For):
        after = _live_block(s.orelse, live_out) if s.orelse else set(live_out)
        header = set(after)
        targets = _stores(s.target)
        while True:
            new = header | (_live_block(s.body, header) - targets)
            if new == header:
                break
            header = new
        _live_block(s.body, header)
        s._ag_live_header = frozenset(header)
        return header | _loads(s.iter)
    if isinstance(s, (ast.With, ast.AsyncWith)):
        inner = _live_block(s.body, live_out)
        bound = set()
        for item in s.items:
            if item.optional_vars is not None:
                bound |= _stores(item.optional_vars)
        return (inner - bound) | _loads([i.context_expr for i in s.items])
    if isinstance(s, ast.Try):
        everything = set(live_out) | _loads(s)
        for block in (s.body, s.orelse, s.finalbody):
            _live_block(block, everything)
        for h in s.handlers:
            _live_block(h.body, everything)
        return everything
    if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return (set(live_out) - {s.name}) | _loads(s)
    if isinstance(s, ast.Return):
        return _loads(s.value)
    return _loads(s) | (set(live_out) - _stores(s))


# =====================================================================================
# AST transformation
# =====================================================================================


def _at(new, old):
    """Gives generated `new` the position of `old`'s first line (one-line span, so Python
    reports that line for the calls it contains)."""
    for attr in ("lineno", "col_offset"):
        if attr in new._attributes and hasattr(old, attr):
            setattr(new, attr, getattr(old, attr))
    if "end_lineno" in new._attributes and hasattr(old, "lineno"):
        new.end_lineno = old.lineno
        new.end_col_offset = old.end_col_offset if getattr(old, "end_lineno", None) == old.lineno \
            else old.col_offset  # fmt: skip
    return new


def _name(id_, ctx=None):
    return ast.Name(id=id_, ctx=ctx or ast.Load())


def _ag(attr):
    return ast.Attribute(value=_name("ag__"), attr=attr, ctx=ast.Load())


def _call(func, args=(), keywords=()):
    return ast.Call(func=func, args=list(args), keywords=list(keywords))


def _const(v):
    return ast.Constant(value=v)


def _assign(name, value):
    return ast.Assign(targets=[_name(name, ast.Store())], value=value)


def _not(expr):
    return ast.UnaryOp(op=ast.Not(), operand=expr)


def _lambda(body):
    return ast.Lambda(
        args=ast.arguments(posonlyargs=[], args=[], vararg=None, kwonlyargs=[], kw_defaults=[], kwarg=None,
                           defaults=[]),
        body=body,
    )  # fmt: skip


def _fdef(name, params, body):
    return ast.FunctionDef(
        name=name,
        args=ast.arguments(posonlyargs=[], args=[ast.arg(arg=p) for p in params], vararg=None, kwonlyargs=[],
                           kw_defaults=[], kwarg=None, defaults=[]),
        body=body or [ast.Pass()], decorator_list=[], returns=None,
    )  # fmt: skip


def _contains(
    stmts, types_, stop=(ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)
):
    for s in stmts:
        for n in _walk_no_scope(s, stop):
            if isinstance(n, types_):
                return True
    return False


def _walk_no_scope(node, stop):
    stack = [node]
    while stack:
        n = stack.pop()
        yield n
        for c in ast.iter_child_nodes(n):
            if isinstance(c, stop):
                continue
            stack.append(c)


_LOOPS = (ast.While, ast.For)


def _definitely_returns(stmts) -> bool:
    for s in stmts:
        if isinstance(s, ast.Return):
            return True
        if (
            isinstance(s, ast.If)
            and s.orelse
            and _definitely_returns(s.body)
            and _definitely_returns(s.orelse)
        ):
            return True
        if isinstance(s, (ast.With, ast.AsyncWith)) and _definitely_returns(s.body):
            return True
    return False


class _Converter:
    """Applies the passes to one function definition (and, recursively, nested ones)."""

    def __init__(self):
        self.n = itertools.count(1)

    # -- per function ------------------------------------------------------------------
    def convert_function(self, fdef, top=False):
        if any(isinstance(n, (ast.Yield, ast.YieldFrom, ast.Await)) for n in _walk_no_scope(fdef, _SCOPES)
               if n is not fdef):  # fmt: skip
            if top:
                raise NotImplementedError("generator functions are not converted")
            return
        declared_global = set()
        declared_nonlocal = set()
        for n in _walk_no_scope(fdef, _SCOPES):
            if isinstance(n, ast.Global):
                declared_global.update(n.names)
            elif isinstance(n, ast.Nonlocal):
                declared_nonlocal.update(n.names)
        # 1. conditional returns, 2. return / break / continue lowering
        fdef.body = self._rewrite_conditional_returns(fdef.body)
        self._lower_returns(fdef)
        fdef.body = self._lower_loops(fdef.body)
        # 3. expressions and calls
        _ExprTransformer().visit_block(fdef)
        # nested functions get their own passes (their own scopes)
        for node in [n for n in ast.walk(fdef) if isinstance(n, ast.FunctionDef) and n is not fdef]:
            if not getattr(node, "_ag_done", False) and _parent_function(fdef, node) is fdef:
                self.convert_function(node)
        # 4. liveness, then control flow to functional form
        params = {a.arg for a in fdef.args.posonlyargs + fdef.args.args + fdef.args.kwonlyargs}
        if fdef.args.vararg:
            params.add(fdef.args.vararg.arg)
        if fdef.args.kwarg:
            params.add(fdef.args.kwarg.arg)
        _live_block(fdef.body, set())
        self.state_names = set()
        self.globals_ = declared_global
        fdef.body = self._cf_block(fdef.body)
        # 5. undefined initialization of locals used as control-flow state, and ld() loads
        init_names = sorted(self.state_names - params - declared_global - declared_nonlocal)
        inits = [_assign(nm, _call(_ag("Undefined"), [_const(nm)])) for nm in init_names]
        body = fdef.body
        doc = []
        if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) and \
                isinstance(body[0].value.value, str):  # fmt: skip
            doc, body = body[:1], body[1:]
        for i in inits:
            _at(i, fdef)
        fdef.body = doc + inits + body
        if init_names:
            _LoadWrapper(set(init_names)).visit_fn(fdef)
        fdef._ag_done = True

    # -- pass 1: conditional returns ------------------------------------------------------
    def _rewrite_conditional_returns(self, stmts):
        out = []
        i = 0
        stmts = list(stmts)
        while i < len(stmts):
            s = stmts[i]
            self._rewrite_children(s)
            if isinstance(s, ast.If) and i + 1 < len(stmts):
                rest = stmts[i + 1 :]
                if _definitely_returns(s.body) and not _definitely_returns(s.orelse):
                    s.orelse = self._rewrite_conditional_returns(list(s.orelse) + rest)
                    out.append(s)
                    return out
                if s.orelse and _definitely_returns(s.orelse) and not _definitely_returns(s.body):
                    s.body = self._rewrite_conditional_returns(list(s.body) + rest)
                    out.append(s)
                    return out
            out.append(s)
            i += 1
        return out

    def _rewrite_children(self, s):
        if isinstance(s, ast.If):
            s.body = self._rewrite_conditional_returns(s.body)
            s.orelse = self._rewrite_conditional_returns(s.orelse)
        elif isinstance(s, (ast.While, ast.For, ast.With, ast.AsyncWith)):
            s.body = self._rewrite_conditional_returns(s.body)
            if hasattr(s, "orelse"):
                s.orelse = self._rewrite_conditional_returns(s.orelse)

    # -- pass 2a: returns ---------------------------------------------------------------------
    def _lower_returns(self, fdef):
        body = fdef.body
        nested = False
        for s in body:
            if not isinstance(s, ast.Return) and _contains([s], ast.Return):
                nested = True
                break
        if not nested:
            return
        returns = _ReturnLowering()
        new_body = returns.block(body)
        init = [_assign("do_return", _const(False)),
                _assign("retval_", _call(_ag("UndefinedReturnValue")))]  # fmt: skip
        for n in init:
            _at(n, body[0])
        final = ast.Return(value=_call(_ag("retval"), [_name("retval_")]))
        _at(final, body[-1])
        fdef.body = init + new_body + [final]

    # -- pass 2b: break / continue ------------------------------------------------------------
    def _lower_loops(self, stmts):
        out = []
        for s in stmts:
            out.extend(self._lower_loop_stmt(s))
        return out

    def _lower_loop_stmt(self, s):
        if isinstance(s, ast.If):
            s.body = self._lower_loops(s.body)
            s.orelse = self._lower_loops(s.orelse)
            return [s]
        if isinstance(s, (ast.With, ast.AsyncWith)):
            s.body = self._lower_loops(s.body)
            return [s]
        if isinstance(s, ast.Try):
            s.body = self._lower_loops(s.body)
            s.orelse = self._lower_loops(s.orelse)
            s.finalbody = self._lower_loops(s.finalbody)
            for h in s.handlers:
                h.body = self._lower_loops(h.body)
            return [s]
        if not isinstance(s, _LOOPS):
            return [s]
        s.body = self._lower_loops(s.body)
        s.orelse = self._lower_loops(s.orelse)
        pre, post = [], []
        k = next(self.n)
        if _contains_loop_ctl(s.body, ast.Continue):
            flag = f"continue_{k}"
            s.body = [_at(_assign(flag, _const(False)), s)] + _FlagLowering(
                ast.Continue, flag
            ).block(s.body)
        brk = None
        if _contains_loop_ctl(s.body, ast.Break):
            brk = f"break_{k}"
            pre.append(_at(_assign(brk, _const(False)), s))
            s.body = _FlagLowering(ast.Break, brk).block(s.body)
        # a loop that may return stops when do_return is set
        stop = [brk] if brk else []
        if _contains(s.body, ast.Assign) and any(
                isinstance(n, ast.Name) and n.id == "do_return" and isinstance(n.ctx, ast.Store)
                for b in s.body for n in _walk_no_scope(b, _SCOPES)):  # fmt: skip
            stop.append("do_return")
        if stop:
            # Built directly as ag__ calls: the expression pass has not seen this node yet
            # when it ends up in a for loop's extra test.
            guard = _call(_ag("not_"), [_name(stop[-1])])
            for f in reversed(stop[:-1]):
                guard = _call(
                    _ag("and_"), [_lambda(_call(_ag("not_"), [_name(f)])), _lambda(guard)]
                )
            if isinstance(s, ast.While):
                s.test = ast.BoolOp(op=ast.And(), values=[guard, s.test])
            else:
                s._ag_extra_test = guard
        if s.orelse:
            orelse = s.orelse
            s.orelse = []
            if brk:
                post.append(_at(ast.If(test=_not(_name(brk)), body=orelse, orelse=[]), s))
            else:
                post.extend(orelse)
        for n in pre + post:
            ast.fix_missing_locations(_at(n, s))
        return pre + [s] + post

    # -- pass 4: control flow -----------------------------------------------------------------
    def _cf_block(self, stmts):
        out = []
        for s in stmts:
            out.extend(self._cf_stmt(s))
        return out

    def _cf_stmt(self, s):
        if isinstance(s, ast.If):
            s.body = self._cf_block(s.body)
            s.orelse = self._cf_block(s.orelse)
            return self._convert_if(s)
        if isinstance(s, ast.While):
            s.body = self._cf_block(s.body)
            return self._convert_while(s)
        if isinstance(s, ast.For):
            s.body = self._cf_block(s.body)
            return self._convert_for(s)
        if isinstance(s, (ast.With, ast.AsyncWith)):
            s.body = self._cf_block(s.body)
        elif isinstance(s, ast.Try):
            s.body = self._cf_block(s.body)
            s.orelse = self._cf_block(s.orelse)
            s.finalbody = self._cf_block(s.finalbody)
            for h in s.handlers:
                h.body = self._cf_block(h.body)
        return [s]

    def _decl(self, names):
        """nonlocal/global declarations for helper functions that assign `names`."""
        out = []
        glob = sorted(n for n in names if n in self.globals_)
        nonloc = sorted(n for n in names if n not in self.globals_)
        if glob:
            out.append(ast.Global(names=glob))
        if nonloc:
            out.append(ast.Nonlocal(names=nonloc))
        return out

    def _state_fns(self, k, names, node):
        get = _fdef(f"get_state_{k}", [], [ast.Return(value=ast.Tuple(
            elts=[_raw_name(n) for n in names], ctx=ast.Load()))])  # fmt: skip
        if names:
            target = ast.Tuple(elts=[_name(n, ast.Store()) for n in names], ctx=ast.Store())
            set_body = self._decl(names) + [ast.Assign(targets=[target], value=_name("ag__vars"))]
        else:
            set_body = [ast.Pass()]
        set_ = _fdef(f"set_state_{k}", ["ag__vars"], set_body)
        for f in (get, set_):
            f._ag_generated = True
            _at(f, node)
        return get, set_

    def _convert_if(self, s):
        modified = sorted(_stores(s.body) | _stores(s.orelse))
        live = s._ag_live_out if hasattr(s, "_ag_live_out") else frozenset(modified)
        outs = [n for n in modified if n in live]
        rest = [n for n in modified if n not in live]
        names = outs + rest
        self.state_names.update(names)
        k = next(self.n)
        body = _fdef(f"if_body_{k}", [], self._decl(names) + s.body)
        orelse = _fdef(f"else_body_{k}", [], self._decl(names) + (s.orelse or [ast.Pass()]))
        get, set_ = self._state_fns(k, names, s)
        call = ast.Expr(value=_call(_ag("if_stmt"), [
            s.test, _name(body.name), _name(orelse.name), _name(get.name), _name(set_.name),
            ast.Tuple(elts=[_const(n) for n in names], ctx=ast.Load()), _const(len(outs))]))  # fmt: skip
        for f in (body, orelse):
            f._ag_generated = True
            _at(f, s)
        _at(call, s)
        return [get, set_, body, orelse, call]

    def _loop_vars(self, s, modified):
        header = getattr(s, "_ag_live_header", frozenset(modified))
        return [n for n in modified if n in header]

    def _hoist_options(self, s):
        """set_loop_options(...) calls in the body become the loop's options."""
        opts = None
        keep = []
        for st in s.body:
            if (
                isinstance(st, ast.Expr)
                and isinstance(st.value, ast.Call)
                and _is_set_loop_options(st.value)
            ):
                opts = st.value
            else:
                keep.append(st)
        s.body = keep or [ast.Pass()]
        return opts

    def _opts_dict(self, opts_call, extra=()):
        keys, values = [], []
        if opts_call is not None:
            fn = opts_call.func
            if (
                isinstance(fn, ast.Call)
                and isinstance(fn.func, ast.Attribute)
                and fn.func.attr == "cc"
            ):
                fn = fn.args[0]
            call = ast.Call(func=_ag("set_loop_options"), args=[], keywords=opts_call.keywords)
            keys.append(_const("options"))
            values.append(_lambda(call))
        for k, v in extra:
            keys.append(_const(k))
            values.append(v)
        return ast.Dict(keys=keys, values=values)

    def _convert_while(self, s):
        opts = self._hoist_options(s)
        modified = sorted(_stores(s.body))
        loop_vars = self._loop_vars(s, modified)
        self.state_names.update(modified)
        k = next(self.n)
        test = _fdef(f"loop_test_{k}", [], [ast.Return(value=s.test)])
        body = _fdef(f"loop_body_{k}", [], self._decl(modified) + s.body)
        get, set_ = self._state_fns(k, loop_vars, s)
        call = ast.Expr(value=_call(_ag("while_stmt"), [
            _name(test.name), _name(body.name), _name(get.name), _name(set_.name),
            ast.Tuple(elts=[_const(n) for n in loop_vars], ctx=ast.Load()), self._opts_dict(opts)]))  # fmt: skip
        for f in (test, body):
            f._ag_generated = True
            _at(f, s)
        _at(call, s)
        return [get, set_, test, body, call]

    def _convert_for(self, s):
        opts = self._hoist_options(s)
        targets = sorted(_stores(s.target))
        modified = sorted(_stores(s.body) | set(targets))
        loop_vars = self._loop_vars(s, modified)
        self.state_names.update(modified)
        k = next(self.n)
        assign_target = ast.Assign(targets=[s.target], value=_name("ag__itr"))
        _at(assign_target, s)
        body = _fdef(f"loop_body_{k}", ["ag__itr"], self._decl(modified) + [assign_target] + s.body)
        extra = getattr(s, "_ag_extra_test", None)
        nodes = []
        if extra is not None:
            test = _fdef(f"extra_test_{k}", [], [ast.Return(value=extra)])
            test._ag_generated = True
            _at(test, s)
            nodes.append(test)
            extra_ref = _name(test.name)
        else:
            extra_ref = _const(None)
        get, set_ = self._state_fns(k, loop_vars, s)
        iterate = ast.Tuple(elts=[_const(t) for t in targets], ctx=ast.Load())
        call = ast.Expr(value=_call(_ag("for_stmt"), [
            s.iter, extra_ref, _name(body.name), _name(get.name), _name(set_.name),
            ast.Tuple(elts=[_const(n) for n in loop_vars], ctx=ast.Load()),
            self._opts_dict(opts, [("iterate_names", iterate)])]))  # fmt: skip
        body._ag_generated = True
        _at(body, s)
        _at(call, s)
        return [get, set_] + nodes + [body, call]


def _parent_function(root, target):
    """The innermost FunctionDef of `root` (or root) that contains `target`."""
    best = root

    def visit(node, current):
        nonlocal best
        for c in ast.iter_child_nodes(node):
            if c is target:
                best = current
                return True
            nxt = c if isinstance(c, (ast.FunctionDef, ast.AsyncFunctionDef)) else current
            if visit(c, nxt):
                return True
        return False

    visit(root, root)
    return best


def _is_set_loop_options(call):
    f = call.func
    if (
        isinstance(f, ast.Call)
        and isinstance(f.func, ast.Attribute)
        and f.func.attr == "cc"
        and f.args
    ):
        f = f.args[0]
    return (isinstance(f, ast.Attribute) and f.attr == "set_loop_options") or \
        (isinstance(f, ast.Name) and f.id == "set_loop_options")  # fmt: skip


def _raw_name(n):
    node = _name(n)
    node._ag_raw = True
    return node


def _contains_loop_ctl(stmts, kind):
    """True if a break/continue in `stmts` belongs to the loop that owns `stmts`."""
    for s in stmts:
        for n in _walk_no_scope(s, _SCOPES + _LOOPS):
            if isinstance(n, kind):
                return True
    return False


class _FlagLowering:
    """`break`/`continue` -> `flag = True`; statements after one are guarded by `not flag`."""

    def __init__(self, kind, flag):
        self.kind = kind
        self.flag = flag

    def block(self, stmts):
        out = []
        for i, s in enumerate(stmts):
            if isinstance(s, self.kind):
                out.append(_at(_assign(self.flag, _const(True)), s))
                return out  # the rest of the block is dead
            may_set = self._may_set(s)
            out.append(self.stmt(s))
            if may_set and i + 1 < len(stmts):
                rest = self.block(stmts[i + 1 :])
                guard = ast.If(test=_not(_name(self.flag)), body=rest, orelse=[])
                out.append(ast.fix_missing_locations(_at(guard, stmts[i + 1])))
                return out
        return out

    def _may_set(self, s):
        return any(isinstance(n, self.kind) for n in _walk_no_scope(s, _SCOPES + _LOOPS))

    def stmt(self, s):
        return _rewrite_nested_blocks(s, self.block, into_loops=False)


def _rewrite_nested_blocks(s, block, into_loops):
    """Applies `block` to the statement lists nested in `s` (if/with/try, and loops)."""
    if isinstance(s, ast.If) or (into_loops and isinstance(s, (ast.While, ast.For))):
        s.body = block(s.body) or [ast.Pass()]
        s.orelse = block(s.orelse)
    elif isinstance(s, (ast.With, ast.AsyncWith)):
        s.body = block(s.body) or [ast.Pass()]
    elif isinstance(s, ast.Try):
        s.body = block(s.body) or [ast.Pass()]
        s.orelse = block(s.orelse)
        s.finalbody = block(s.finalbody)
        for h in s.handlers:
            h.body = block(h.body) or [ast.Pass()]
    return s


class _ReturnLowering:
    """`return x` -> `do_return = True; retval_ = x`; later statements guarded."""

    def block(self, stmts):
        out = []
        for i, s in enumerate(stmts):
            if isinstance(s, ast.Return):
                value = s.value if s.value is not None else _const(None)
                a = _at(_assign("do_return", _const(True)), s)
                b = _at(_assign("retval_", value), s)
                out.extend([a, b])
                return out
            may_return = self._may_return(s)
            out.append(self.stmt(s))
            if may_return and i + 1 < len(stmts):
                rest = self.block(stmts[i + 1 :])
                guard = ast.If(test=_not(_name("do_return")), body=rest, orelse=[])
                out.append(ast.fix_missing_locations(_at(guard, stmts[i + 1])))
                return out
        return out

    def _may_return(self, s):
        return any(isinstance(n, ast.Return) for n in _walk_no_scope(s, _SCOPES))

    def stmt(self, s):
        return _rewrite_nested_blocks(s, self.block, into_loops=True)


_FRAME_BUILTINS = frozenset({"super", "locals", "globals", "vars", "eval", "exec", "dir", "breakpoint",
                             "isinstance", "issubclass", "getattr", "setattr", "hasattr", "type",
                             "print", "id", "callable", "repr", "str", "int", "float", "bool",
                             "tuple", "list", "dict", "set", "min", "max", "abs", "sum", "zip",
                             "sorted", "reversed", "iter", "next", "round", "hash", "object"})  # fmt: skip


class _ExprTransformer(ast.NodeTransformer):
    """and/or/not, conditional expressions, comparison chains and calls, inside one function
    (nested function definitions are left to their own pass)."""

    def visit_block(self, fdef):
        args = fdef.args.posonlyargs + fdef.args.args
        self.first_arg = args[0].arg if args else None
        fdef.body = [self.visit(s) for s in fdef.body]

    def visit_FunctionDef(self, node):
        # Decorators and defaults belong to the enclosing function; the body to the nested one.
        node.decorator_list = [self.visit(d) for d in node.decorator_list]
        node.args.defaults = [self.visit(d) for d in node.args.defaults]
        return node

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_Lambda(self, node):
        node.body = self.visit(node.body)
        return node

    def visit_BoolOp(self, node):
        self.generic_visit(node)
        fn = "and_" if isinstance(node.op, ast.And) else "or_"
        values = node.values
        expr = values[-1]
        for v in reversed(values[:-1]):
            expr = _call(_ag(fn), [_lambda(v), _lambda(expr)])
        return _at(expr, node)

    def visit_UnaryOp(self, node):
        self.generic_visit(node)
        if isinstance(node.op, ast.Not):
            return _at(_call(_ag("not_"), [node.operand]), node)
        return node

    def visit_IfExp(self, node):
        self.generic_visit(node)
        return _at(
            _call(_ag("if_exp"), [node.test, _lambda(node.body), _lambda(node.orelse),
                                  _const(ast.unparse(node.test))]), node)  # fmt: skip

    def visit_Compare(self, node):
        self.generic_visit(node)
        if len(node.ops) == 1:
            return node
        parts = []
        left = node.left
        for op, right in zip(node.ops, node.comparators):
            parts.append(ast.Compare(left=left, ops=[op], comparators=[right]))
            left = right
        expr = parts[-1]
        for p in reversed(parts[:-1]):
            expr = _call(_ag("and_"), [_lambda(p), _lambda(expr)])
        return _at(expr, node)

    def visit_Call(self, node):
        self.generic_visit(node)
        f = node.func
        if isinstance(f, ast.Name) and f.id == "super" and not node.args and self.first_arg:
            # Zero-argument super() relies on the compiler's __class__ cell: spell it out.
            node.args = [_name("__class__"), _name(self.first_arg)]
            return node
        if isinstance(f, ast.Name) and f.id in _FRAME_BUILTINS:
            return node
        if isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name) and f.value.id == "ag__":
            return node
        node.func = _at(_call(_ag("cc"), [f]), f)
        return node


class _LoadWrapper(ast.NodeTransformer):
    """Loads of variables that may be undefined go through `ag__.ld` (Python's unbound-local
    error instead of a silent placeholder); get_state functions read them raw."""

    def __init__(self, names):
        self.names = names

    def visit_fn(self, fdef):
        fdef.body = [self.visit(s) for s in fdef.body]

    def visit_FunctionDef(self, node):
        if getattr(node, "_ag_done", False) and not getattr(node, "_ag_generated", False):
            # A user-defined nested function: its own locals shadow ours where it binds them.
            saved = self.names
            a = node.args
            params = {
                x.arg
                for x in a.posonlyargs + a.args + a.kwonlyargs + [a.vararg, a.kwarg]
                if x is not None
            }
            self.names = self.names - _stores(node.body) - params
            node.body = [self.visit(s) for s in node.body]
            self.names = saved
            return node
        node.body = [self.visit(s) for s in node.body]
        return node

    def visit_Name(self, node):
        if (
            isinstance(node.ctx, ast.Load)
            and node.id in self.names
            and not getattr(node, "_ag_raw", False)
        ):
            return _at(_call(_ag("ld"), [node]), node)
        return node
