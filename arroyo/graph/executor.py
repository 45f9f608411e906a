"""Compiles a graph into a plan: one generated straight-line Python function.

Each live op becomes one line calling its kernel on local variables; constants and
Variables are bound as globals of the generated code; a value is `del`-ed after its last
use so NumPy buffers are freed (or reused by later kernels) as early as possible. A call
to a concrete function therefore costs one Python call per kernel, with no dispatch.

Variables are read and written through their `_value` slot, in program order.
"""

from __future__ import annotations

import functools

import numpy as np

from arroyo.framework.errors import InvalidArgumentError, OpError

__all__ = ["compile_plan", "live_ops"]


def live_ops(graph, outputs, include_stateful=True):
    """Ops needed for `outputs` (tensors or Operations), plus, for functions, every
    stateful op: a tf.function's side effects are observable. A v1 Session runs only what
    its fetches need."""
    needed = set()
    stack = [t if _is_op(t) else t.op for t in outputs if _is_op(t) or hasattr(t, "op")]
    if include_stateful:
        for op in graph._ops:
            if op.op_def.stateful:
                stack.append(op)
    while stack:
        op = stack.pop()
        if id(op) in needed:
            continue
        needed.add(id(op))
        for t in op.inputs:
            if hasattr(t, "_op"):
                stack.append(t._op)
        stack.extend(op._control_inputs)
    return [op for op in graph._ops if id(op) in needed]


def _is_op(x):
    return hasattr(x, "_control_inputs") and hasattr(x, "_op_def")


def _assign(var, value):
    var._value = value


def _assign_add(var, value):
    old = var._value
    var._value = (
        np.asarray(old + value, dtype=old.dtype)
        if isinstance(old, np.ndarray)
        else old.dtype.type(old + value)
    )


def _assign_sub(var, value):
    old = var._value
    var._value = (
        np.asarray(old - value, dtype=old.dtype)
        if isinstance(old, np.ndarray)
        else old.dtype.type(old - value)
    )


_VAR_WRITERS = {"AssignVariableOp": _assign, "AssignAddVariableOp": _assign_add,
                "AssignSubVariableOp": _assign_sub}  # fmt: skip


def compile_plan(graph, inputs, outputs, name="plan", include_stateful=True):
    """Returns `run(*input_arrays) -> list of output arrays` for the graph.

    `outputs` may include Operations (run for their effect; their value is None)."""
    ops = live_ops(graph, outputs, include_stateful)
    env: dict = {"_wrap_error": _wrap_error}
    names: dict[int, str] = {}  # id(tensor) -> local variable name or global constant
    lines: list[str] = []
    input_ids = {id(t): i for i, t in enumerate(inputs)}
    params = [f"a{i}" for i in range(len(inputs))]
    for t, p in zip(inputs, params):
        names[id(t)] = p

    # Last use of each value, for early release.
    last_use: dict[int, int] = {}
    for i, op in enumerate(ops):
        for t in op.inputs:
            last_use[id(t)] = i
    out_ids = {id(t) for t in outputs}
    feeds_override = {id(t) for t in inputs}

    counter = 0
    for i, op in enumerate(ops):
        typ = op.type
        if op._outputs and all(id(t) in feeds_override for t in op._outputs):
            continue  # fed (a v1 feed_dict may override any tensor)
        if typ == "Placeholder":
            if id(op._outputs[0]) not in input_ids:
                raise InvalidArgumentError(
                    None, None, f"You must feed a value for placeholder tensor '{op.name}'"
                )
            continue
        if typ == "Const":
            g = f"c{counter}"
            counter += 1
            env[g] = op.attrs["value"]
            names[id(op._outputs[0])] = g
            continue
        if typ == "NoOp":
            continue
        args = ", ".join(_ref(names, t, env) for t in op.inputs)
        if typ == "ReadVariableOp":
            v = f"v{counter}"
            counter += 1
            env[v] = op._captured
            out = f"t{counter}"
            counter += 1
            lines.append(f"{out} = {v}._value")
            names[id(op._outputs[0])] = out
            continue
        if typ in _VAR_WRITERS:
            v = f"v{counter}"
            w = f"w{counter}"
            counter += 1
            env[v] = op._captured
            env[w] = _VAR_WRITERS[typ]
            lines.append(f"{w}({v}, {_ref(names, op.inputs[1], env)})")
            continue
        kernel = op.op_def.kernel
        if kernel is None:
            raise NotImplementedError(f"Op {typ} has no kernel and cannot run in a graph")
        attrs = {k: v for k, v in op.attrs.items() if v is not None or k in _KEEP_NONE}
        fn = None
        spec = op.op_def.specialize
        if spec is not None:
            consts = [t.op.attrs["value"] if getattr(t, "_op", None) is not None and t.op.type == "Const"
                      else None for t in op.inputs]  # fmt: skip
            fn = spec(attrs, consts, [t.shape for t in op.inputs])
            if fn is not None:
                args = ", ".join(
                    _ref(names, t, env) for t, c in zip(op.inputs, consts) if c is None
                )
        if fn is None:
            fn = functools.partial(kernel, **attrs) if attrs else kernel
        k = f"k{counter}"
        counter += 1
        env[k] = fn
        env[k + "_op"] = op
        nout = len(op._outputs)
        if nout == 0:
            lines.append(f"{k}({args})")
            continue
        outs = []
        for _ in range(nout):
            outs.append(f"t{counter}")
            counter += 1
        if op.op_def.num_outputs == 1:
            lines.append(f"{outs[0]} = {k}({args})")
        else:
            lines.append(f"{', '.join(outs)}, = {k}({args})")
        for t, o in zip(op._outputs, outs):
            names[id(t)] = o
        # Free inputs whose last use is this op (not graph outputs, not params).
        dead = [names[id(t)] for t in op.inputs
                if last_use.get(id(t)) == i and id(t) not in out_ids and names.get(id(t), "").startswith("t")]  # fmt: skip
        for d in dict.fromkeys(dead):
            lines.append(f"del {d}")
    rets = ", ".join("None" if _is_op(t) else _ref(names, t, env) for t in outputs)
    body = "\n    ".join(lines) if lines else "pass"
    src = f"def {name}({', '.join(params)}):\n    {body}\n    return [{rets}]\n"
    code = compile(src, f"<arroyo plan {name}>", "exec")
    exec(code, env)
    plan = env[name]
    plan.__source__ = src
    return _guarded(plan, env)


_KEEP_NONE = frozenset()


def _ref(names, t, env):
    key = id(t)
    if key in names:
        return names[key]
    if getattr(t, "_is_arroyo_variable", False):
        g = f"var{len(env)}"
        env[g] = t
        names[key] = g
        return g
    raise InvalidArgumentError(
        None, None, f"Tensor {getattr(t, 'name', t)} is not computed by this graph"
    )


def _guarded(plan, env):
    """Turns kernel failures into TF errors naming the failing node."""

    def run(*args):
        try:
            return plan(*args)
        except OpError:
            raise
        except (ValueError, IndexError, TypeError, ArithmeticError, np.linalg.LinAlgError) as e:
            raise _wrap_error(e) from None

    run.__source__ = plan.__source__
    return run


def _wrap_error(e):
    return InvalidArgumentError(None, None, f"{type(e).__name__}: {e}")
