"""Control flow: `tf.cond`, `tf.case`, `tf.switch_case`, `tf.while_loop` and the functional
ops built on them (`tf.map_fn`, `tf.scan`, `tf.foldl`, `tf.foldr`, `tf.vectorized_map`).

Eagerly these are plain Python control flow (with TF's argument validation), so a
GradientTape records the ops that actually ran. While a graph is being built, branches and
loop bodies are traced into sub-FuncGraphs held in the attrs of one `If`/`Case`/`While` op
(`Stateless*` when the sub-graphs have no stateful ops). Tensors of enclosing graphs used
inside become extra op inputs; Variables are appended as resource inputs so tapes see them.
The kernels run compiled sub-plans (cached on the sub-graph), so the executor treats them
like any other kernel.

Gradients (tapes inside `tf.function`) are built as new control-flow ops: the gradient of
an `If` is an `If` over the branches' vector-Jacobian products; for a `While` the forward
op is switched to also output the loop state of every iteration (TensorLists, as TF's
accumulators), and a backward `While` walks them in reverse, re-running the body's forward
from the stored state before differentiating it. When a traced function is replayed
eagerly under a tape (`ConcreteFunction._replay`), these ops run as Python control flow,
so the tape records what ran, exactly as in eager code.
"""

from __future__ import annotations

import itertools

import numpy as np

from arroyo.framework import dtypes
from arroyo.framework.composite_tensor import CompositeTensor, TypeSpec, dispatch
from arroyo.framework.context import state
from arroyo.framework.errors import InvalidArgumentError
from arroyo.framework.op_registry import defop, execute
from arroyo.framework.tensor import EagerTensor, Tensor, TensorSpec, convert_to_tensor
from arroyo.framework.tensor_shape import TensorShape, as_shape
from arroyo.graph import tensor_array as ta_mod
from arroyo.graph.graph import FuncGraph, Operation, SymbolicTensor
from arroyo.graph.tensor_array import TensorArray
from arroyo.util import nest

__all__ = ["cond", "case", "switch_case", "while_loop", "map_fn", "scan", "foldl", "foldr",
           "vectorized_map", "TensorArray"]  # fmt: skip

_uid = itertools.count(1)


def _is_variable(x):
    return getattr(x, "_is_arroyo_variable", False)


def _trainable(dtype) -> bool:
    return dtype.is_floating or dtype.is_complex or dtype is dtypes.variant


# -- sub-graph plans ------------------------------------------------------------------------


def _plan(g, extra=()):
    """The compiled plan of a sub-graph (inputs: g.inputs; outputs: g.outputs, then `extra`
    tensors of g, e.g. random draws kept for the gradient), cached on the graph."""
    key = tuple(id(t) for t in extra)
    plans = g.__dict__.get("_cf_plans")
    if plans is None:
        plans = g._cf_plans = {}
    p = plans.get(key)
    if p is None:
        from arroyo.graph import executor, passes

        # Sub-graphs get the same optimization passes as a function's graph (on a clone).
        cg, ins, outs = passes.optimize(g, g.inputs, list(g.outputs) + list(extra))
        p = plans[key] = executor.compile_plan(cg, ins, outs, name=_ident(g.name))
    return p


def _ident(name):
    import re

    s = re.sub(r"\W", "_", name)
    return s if s and not s[0].isdigit() else "f_" + s


# -- tracing Python functions into sub-graphs ---------------------------------------------------


class _Slot:
    """What one leaf of a traced function's result was: a tensor, a TensorArray or None."""

    __slots__ = ("kind", "ta")

    def __init__(self, kind, ta=None):
        self.kind = kind  # "t" tensor, "ta" TensorArray (its flow is the tensor), "none"
        self.ta = ta


class _Traced:
    __slots__ = ("graph", "result", "tensors", "slots")

    def __init__(self, graph, result, tensors, slots):
        self.graph = graph
        self.result = result
        self.tensors = tensors  # flat output tensors of `graph`
        self.slots = slots  # one _Slot per leaf of nest.flatten(result)


def _as_graph_output(g, x):
    if _is_variable(x):
        x = x.value()
    if isinstance(x, SymbolicTensor):
        return x if x.graph is g else g.capture_symbolic(x)
    if isinstance(x, EagerTensor):
        return g.capture_constant(x._value)
    if isinstance(x, Tensor):  # e.g. IndexedSlices-like tensors
        return x
    return convert_to_tensor(x)


def _is_op(x):
    return isinstance(x, Operation)


def _leaf_slot(g, x):
    if x is None or _is_op(x):
        return None, _Slot("none")
    if isinstance(x, TensorArray):
        if x._eager:
            raise ValueError("An eager TensorArray cannot be used inside a graph function.")
        return _as_graph_output(g, x.flow), _Slot("ta", x)
    if hasattr(x, "to_dense") and not isinstance(x, Tensor):
        x = x.to_dense()
    return _as_graph_output(g, x), _Slot("t")


def _trace(name, fn, args=(), specs=(), arg_names=None):
    """Traces `fn(*args)` into a new FuncGraph nested in the current graph.

    `specs` are (dtype, shape) of the placeholders; `args(placeholders)` builds the call's
    arguments from them. Returns a _Traced (graph.inputs: the placeholders, then captures
    added later by the caller; graph.outputs: the flat output tensors).
    """
    outer = state.graph
    g = FuncGraph(f"{name}_{next(_uid)}", outer=outer)
    saved = state.graph, state.tapes
    state.graph, state.tapes = g, []
    try:
        phs = [g.placeholder(d, s, name=(arg_names[i] if arg_names else "Placeholder"))
               for i, (d, s) in enumerate(specs)]  # fmt: skip
        call_args = args(phs) if callable(args) else args
        result = fn(*call_args)
        tensors, slots = [], []
        for x in nest.flatten(result):
            t, slot = _leaf_slot(g, x)
            slots.append(slot)
            if t is not None:
                tensors.append(t)
    finally:
        state.graph, state.tapes = saved
    g.inputs = list(phs)
    g.outputs = tensors
    return _Traced(g, result, tensors, slots)


def _bind_captures(traced_graphs, n_fixed):
    """Gives every sub-graph the same capture inputs (the union); returns the outer tensors.

    Each graph's inputs become its first `n_fixed` placeholders followed by one placeholder
    per captured outer tensor (a dummy one where that graph does not use it).
    """
    outer_caps = []
    seen = {}
    for g in traced_graphs:
        for outer_t, _ in g._symbolic_captures:
            if id(outer_t) not in seen:
                seen[id(outer_t)] = len(outer_caps)
                outer_caps.append(outer_t)
    for g in traced_graphs:
        mine = {id(o): ph for o, ph in g._symbolic_captures}
        fixed = g.inputs[:n_fixed]
        extra = []
        for t in outer_caps:
            ph = mine.get(id(t))
            if ph is None:
                ph = g.placeholder(t.dtype, t.shape, name="unused_capture")
            extra.append(ph)
        g.inputs = fixed + extra
    return outer_caps


def _variables_of(graphs):
    out, seen = [], set()
    for g in graphs:
        for v in g._variables:
            if id(v) not in seen:
                seen.add(id(v))
                out.append(v)
    return out


def _is_stateful(graphs):
    return any(op.op_def.stateful for g in graphs for op in g._ops)


def _note_variables(variables):
    """Outer tapes watch Variables read inside sub-graphs, as if read directly."""
    for tape in state.tapes:
        for v in variables:
            tape._variable_accessed(v)


def _pack(result, slots, values):
    """Rebuilds a traced result's structure from the op's outputs (TensorArrays re-wrapped)."""
    it = iter(values)
    leaves = []
    for slot in slots:
        if slot.kind == "none":
            leaves.append(None)
        elif slot.kind == "ta":
            leaves.append(TensorArray._with_flow(slot.ta, next(it)))
        else:
            leaves.append(next(it))
    return nest.pack_sequence_as(result, leaves)


# -- replaying sub-graphs (eager replay and gradient construction) ------------------------------

_ASSIGN = {"AssignVariableOp": "assign", "AssignAddVariableOp": "assign_add",
           "AssignSubVariableOp": "assign_sub"}  # fmt: skip


def _replay(graph, inputs, values, outputs, include_stateful=True, subst=None):
    """Re-runs `graph`'s ops through normal dispatch (eager, or into the current graph).

    `subst` maps tensors of `graph` (by id) to values used instead of running their op (the
    recorded random draws of a forward pass)."""
    from arroyo.graph import executor

    env = {id(p): v for p, v in zip(inputs, values)}
    for op in executor.live_ops(graph, outputs, include_stateful):
        typ = op.type
        if typ == "Placeholder" or typ == "NoOp":
            continue
        if subst and op._outputs and all(id(t) in subst for t in op._outputs):
            for t in op._outputs:
                env[id(t)] = subst[id(t)]
            continue
        if typ == "Const":
            val = op.attrs["value"]
            env[id(op._outputs[0])] = convert_to_tensor(val) if state.graph is None else \
                state.graph.capture_constant(val)  # fmt: skip
            continue
        if typ == "ReadVariableOp":
            env[id(op._outputs[0])] = op._captured.value()
            continue
        if typ in _ASSIGN:
            getattr(op._captured, _ASSIGN[typ])(env[id(op.inputs[1])])
            continue
        ins = tuple(t if _is_variable(t) else env[id(t)] for t in op.inputs)
        hook = _REPLAY_HOOKS.get(typ)
        res = hook(op, ins) if hook is not None else execute(op.op_def, ins, op.attrs)
        outs = op._outputs
        if op.op_def.num_outputs == 1 and not callable(op.op_def.num_outputs):
            env[id(outs[0])] = res
        else:
            for t, r in zip(outs, res or ()):
                env[id(t)] = r
    return [env[id(t)] for t in outputs]


def _split_vars(op_inputs, n_vars):
    if n_vars:
        return list(op_inputs[:-n_vars]), list(op_inputs[-n_vars:])
    return list(op_inputs), []


def _replay_cond(op, ins):
    """`If`/`Case` met while replaying a graph: eagerly, run only the taken branch."""
    if state.graph is not None:
        _note_variables([t for t in ins if _is_variable(t)])
        return execute(op.op_def, ins, op.attrs)
    attrs = op.attrs
    tensors, _ = _split_vars(ins[1:], attrs.get("_num_vars", 0))
    sel = ins[0]._value
    branches = _branches(attrs)
    if "branches" in attrs:
        i = int(sel)
        i = i if 0 <= i < len(branches) else len(branches) - 1
    else:
        i = 0 if bool(sel) else 1
    g = branches[i]
    extra = attrs.get("_extra") or [()] * len(branches)
    return _replay(g, g.inputs, tensors, list(g.outputs) + list(extra[i]))


def _branches(attrs):
    return (
        attrs["branches"] if "branches" in attrs else [attrs["then_branch"], attrs["else_branch"]]
    )


def _replay_while(op, ins):
    """`While` met while replaying a graph: eagerly, a Python loop over the sub-graphs."""
    if state.graph is not None:
        _note_variables([t for t in ins if _is_variable(t)])
        return execute(op.op_def, ins, op.attrs)
    attrs = op.attrs
    tensors, _ = _split_vars(ins, attrs.get("_num_vars", 0))
    max_it = None
    if attrs.get("_has_max"):
        max_it = int(tensors[0]._value)
        tensors = tensors[1:]
    k = attrs["_num_loop_vars"]
    vals, caps = list(tensors[:k]), list(tensors[k:])
    cg, bg = attrs["cond"], attrs["body"]
    rnd = list(attrs.get("_random") or ()) if attrs.get("_accumulate") else []
    acc = [[] for _ in range(k + len(rnd))] if attrs.get("_accumulate") else None
    n = 0
    while max_it is None or n < max_it:
        (c,) = _replay(cg, cg.inputs, vals + caps, cg.outputs)
        if not bool(c._value):
            break
        res = _replay(bg, bg.inputs, vals + caps, list(bg.outputs) + rnd)
        if acc is not None:
            for a, v in zip(acc, vals + res[k:]):
                a.append(v)
        vals = res[:k]
        n += 1
    if acc is not None:
        dts = [t.dtype for t in bg.inputs[:k]] + [t.dtype for t in rnd]
        vals = vals + [ta_mod.from_items(a, d) for a, d in zip(acc, dts)]
    return vals


_REPLAY_HOOKS = {"If": _replay_cond, "StatelessIf": _replay_cond, "Case": _replay_cond,
                 "StatelessCase": _replay_cond, "While": _replay_while,
                 "StatelessWhile": _replay_while}  # fmt: skip


def _install_replay_hooks():
    from arroyo.graph import function

    hooks = getattr(function, "REPLAY_HOOKS", None)
    if hooks is not None:
        hooks.update(_REPLAY_HOOKS)


# -- If / Case ops --------------------------------------------------------------------------------


def _if_kernel(cond, *inputs, Tcond=None, Tin=None, Tout=None, then_branch=None, else_branch=None,
               output_shapes=None, _num_vars=0, _extra=None, _exposed=None):  # fmt: skip
    if _num_vars:
        inputs = inputs[:-_num_vars]
    if _extra:
        return (
            _plan(then_branch, _extra[0])(*inputs)
            if cond
            else _plan(else_branch, _extra[1])(*inputs)
        )
    return _plan(then_branch if cond else else_branch)(*inputs)


def _case_kernel(branch_index, *inputs, Tin=None, Tout=None, branches=(), output_shapes=None,
                 _num_vars=0, _extra=None, _exposed=None):  # fmt: skip
    if _num_vars:
        inputs = inputs[:-_num_vars]
    i = int(branch_index)
    i = i if 0 <= i < len(branches) else len(branches) - 1
    return _plan(branches[i], _extra[i] if _extra else ())(*inputs)


def _cond_infer(inputs, attrs):
    return list(zip(attrs["Tout"], attrs["output_shapes"]))


def _n_out(attrs):
    return len(attrs["Tout"])


def _zeros_for(t):
    from arroyo.ops import array_ops

    if t.dtype is dtypes.variant:
        return ta_mod.zeros_like_list(t)
    return array_ops.zeros_like(t)


def _dense(g):
    if g is not None and hasattr(g, "to_dense") and not isinstance(g, Tensor):
        return g.to_dense()
    return g


def _vjp(graph, values, wrt, variables, out_idx, out_grads, include_stateful=False, subst=None):
    """Inside a graph being built: replays `graph` on `values` under a tape and returns the
    gradients of outputs `out_idx` (weighted by `out_grads`) for values `wrt` and Variables.
    Random draws in `subst` are reused, not redrawn."""
    from arroyo.autodiff.tape import GradientTape

    g = state.graph
    inner = [g._capture(v) if isinstance(v, Tensor) else v for v in values]
    if subst:
        subst = {k: g._capture(v) for k, v in subst.items()}
    with GradientTape(persistent=False, watch_accessed_variables=True) as tape:
        for i in wrt:
            tape.watch(inner[i])
        for v in variables:
            tape.watch(v)
        outs = _replay(graph, graph.inputs, inner, graph.outputs, include_stateful, subst)
    targets = [outs[j] for j in out_idx]
    sources = [inner[i] for i in wrt] + list(variables)
    grads = tape.gradient(targets, sources, output_gradients=list(out_grads))
    return [_dense(d) for d in grads], inner


def _cond_grad(op, *grads):
    attrs = op.attrs
    nv = attrs.get("_num_vars", 0)
    selector = op.inputs[0]
    ins, variables = _split_vars(op.inputs[1:], nv)
    outs = list(op.outputs)
    wrt = [i for i, t in enumerate(ins) if _trainable(t.dtype)]
    tvars = [v for v in variables if v.trainable]
    out_idx = [j for j, o in enumerate(outs) if _trainable(o.dtype)]
    if not (wrt or tvars) or not out_idx:
        return (None,) * len(op.inputs)
    out_grads = [grads[j] if grads[j] is not None else _zeros_for(outs[j]) for j in out_idx]
    fwd = outs[0].op if isinstance(outs[0], SymbolicTensor) and state.graph is not None else None
    draws = _expose_draws(fwd) if fwd is not None else {}

    def make(branch):
        def grad_branch():
            ds, inner = _vjp(branch, ins, wrt, tvars, out_idx, out_grads, subst=draws)
            res = []
            for d, i in zip(ds, wrt):
                res.append(d if d is not None else _zeros_for(inner[i]))
            for d, v in zip(ds[len(wrt) :], tvars):
                res.append(d if d is not None else _var_zeros(v))
            return res

        return grad_branch

    if "branches" in attrs:
        res = switch_case(selector, [make(b) for b in attrs["branches"]], name="case_grad")
    else:
        res = cond(
            selector, make(attrs["then_branch"]), make(attrs["else_branch"]), name="cond_grad"
        )
    in_grads = [None] * len(ins)
    for i, d in zip(wrt, res):
        in_grads[i] = d
    var_grads = {id(v): d for v, d in zip(tvars, res[len(wrt) :])}
    return (None, *in_grads, *[var_grads.get(id(v)) for v in variables])


def _random_draws(g, outputs):
    """Outputs of the random (stateful, non-differentiable) ops that `outputs` depend on."""
    from arroyo.graph import executor

    out = []
    for op in executor.live_ops(g, outputs, include_stateful=False):
        d = op.op_def
        if (
            d.stateful
            and not d.differentiable
            and op._outputs
            and op.type not in ("Placeholder", "Const")
        ):
            out.extend(op._outputs)
    return out


def _expose_draws(fwd):
    """Makes an If/Case op also output its branches' random draws, so its gradient reuses the
    values the forward pass drew (TF outputs such intermediates too). Returns {id(draw
    tensor in its branch): the op's output holding it}; {} when there are none."""
    attrs = fwd._attrs
    if "_exposed" not in attrs:
        branches = _branches(attrs)
        per = [_random_draws(b, b.outputs) for b in branches]
        flat = [t for p in per for t in p]
        if not flat or not all(t.shape.is_fully_defined() for t in flat):
            attrs["_exposed"] = {}
        else:
            from arroyo.ops import array_ops

            extra = []
            for bi, b in enumerate(branches):
                saved = state.graph, state.tapes
                state.graph, state.tapes = b, []
                try:  # other branches' draws are zeros here (outputs must line up)
                    extra.append([t if ci == bi else array_ops.zeros(t.shape.as_list(), dtype=t.dtype)
                                  for ci, p in enumerate(per) for t in p])  # fmt: skip
                finally:
                    state.graph, state.tapes = saved
            base = len(fwd._outputs)
            attrs["_extra"] = extra
            attrs["Tout"] = list(attrs["Tout"]) + [t.dtype for t in flat]
            attrs["output_shapes"] = list(attrs["output_shapes"]) + [t.shape for t in flat]
            for i, t in enumerate(flat):
                fwd._outputs.append(SymbolicTensor(fwd, base + i, t.dtype, t.shape))
            attrs["_exposed"] = {id(t): base + i for i, t in enumerate(flat)}
    return {k: fwd._outputs[i] for k, i in attrs["_exposed"].items()}


def _var_zeros(v):
    from arroyo.ops import array_ops

    return array_ops.zeros(v.shape.as_list(), dtype=v.dtype)


_IF_ATTRS = {"Tcond": None, "Tin": None, "Tout": None, "then_branch": None, "else_branch": None,
             "output_shapes": None, "_num_vars": 0, "_extra": None}  # fmt: skip
_CASE_ATTRS = {"Tin": None, "Tout": None, "branches": None, "output_shapes": None, "_num_vars": 0,
               "_extra": None}  # fmt: skip
IF = defop("If", ("cond", "*input"), _if_kernel, attrs=_IF_ATTRS, infer=_cond_infer, grad=_cond_grad,
           num_outputs=_n_out, stateful=True)  # fmt: skip
STATELESS_IF = defop("StatelessIf", ("cond", "*input"), _if_kernel, attrs=_IF_ATTRS, infer=_cond_infer,
                     grad=_cond_grad, num_outputs=_n_out)  # fmt: skip
CASE = defop("Case", ("branch_index", "*input"), _case_kernel, attrs=_CASE_ATTRS, infer=_cond_infer,
             grad=_cond_grad, num_outputs=_n_out, stateful=True)  # fmt: skip
STATELESS_CASE = defop("StatelessCase", ("branch_index", "*input"), _case_kernel, attrs=_CASE_ATTRS,
                       infer=_cond_infer, grad=_cond_grad, num_outputs=_n_out)  # fmt: skip


def _structure_error(names, results, detail):
    a, b = names
    return TypeError(
        f"{a} and {b} arguments to tf.{_API[a]} must have the same number, type, and overall "
        f"structure of return values.\n\n{a} output: {results[0]!r}\n{b} output: {results[1]!r}\n\n"
        f"Error details:\n{detail}"
    )


_API = {"true_fn": "cond", "branches[0]": "switch_case"}


def _build_conditional(selector, fns, names, op_name, kind):
    """Traces each branch and adds one If/Case op; returns the packed result."""
    traced = [_trace(f"{op_name}_{nm.replace('[', '').replace(']', '')}", fn)
              for fn, nm in zip(fns, names)]  # fmt: skip
    first = traced[0]
    for nm, tr in zip(names[1:], traced[1:]):
        pair = (names[0], nm)
        try:
            nest.assert_same_structure(first.result, tr.result, check_types=True)
        except (ValueError, TypeError) as e:
            raise _structure_error(pair, (first.result, tr.result), str(e)) from None
        for s0, s1 in zip(first.slots, tr.slots):
            if s0.kind != s1.kind:
                raise _structure_error(
                    pair, (first.result, tr.result),
                    "The two structures don't have the same nested structure (a TensorArray or "
                    "None in one branch is not in the other).",
                )  # fmt: skip
        for t0, t1 in zip(first.tensors, tr.tensors):
            if t0.dtype != t1.dtype:
                raise _structure_error(pair, (first.result, tr.result),
                                       f"{t0} and {t1} have different types")  # fmt: skip
    graphs = [tr.graph for tr in traced]
    caps = _bind_captures(graphs, 0)
    variables = _variables_of(graphs)
    _note_variables(variables)
    shapes = []
    for i, t in enumerate(first.tensors):
        s = t.shape
        for tr in traced[1:]:
            s = s.most_specific_compatible_shape(tr.tensors[i].shape)
        shapes.append(s)
    tout = [t.dtype for t in first.tensors]
    tin = [t.dtype for t in caps]
    stateful = _is_stateful(graphs)
    if kind == "if":
        op_def = IF if stateful else STATELESS_IF
        attrs = {"Tcond": dtypes.bool, "Tin": tin, "Tout": tout, "then_branch": graphs[0],
                 "else_branch": graphs[1], "output_shapes": shapes, "_num_vars": len(variables)}  # fmt: skip
    else:
        op_def = CASE if stateful else STATELESS_CASE
        attrs = {"Tin": tin, "Tout": tout, "branches": graphs, "output_shapes": shapes,
                 "_num_vars": len(variables)}  # fmt: skip
    outs = execute(op_def, (selector, *caps, *variables), attrs, op_name)
    # TensorArrays: element shapes known in every branch are kept.
    slots = first.slots
    for j, s in enumerate(slots):
        if s.kind == "ta":
            es = s.ta.element_shape
            for tr in traced[1:]:
                es = es.most_specific_compatible_shape(tr.slots[j].ta.element_shape)
            slots[j] = _Slot("ta", TensorArray._with_flow(s.ta, None, es))
    return _pack(first.result, slots, outs)


def _eager_bool(pred, what="pred"):
    if _is_variable(pred):
        pred = pred.value()
    if isinstance(pred, EagerTensor):
        return bool(pred._value)
    return bool(pred)


def cond(pred, true_fn=None, false_fn=None, name=None):
    """Returns `true_fn()` if `pred` is true, else `false_fn()`.

    Eagerly only the taken branch runs. In `tf.function` both branches are traced into one
    `If` op, so their results must have the same structure and dtypes.

    >>> tf.cond(tf.constant(2) > 1, lambda: tf.constant(10), lambda: tf.constant(20)).numpy()
    10
    """
    if true_fn is None:
        raise TypeError("cond(): 'true_fn' argument required")
    if false_fn is None:
        raise TypeError("cond(): 'false_fn' argument required")
    if not callable(true_fn):
        raise TypeError("'true_fn' must be callable.")
    if not callable(false_fn):
        raise TypeError("'false_fn' must be callable.")
    if state.graph is None:
        return true_fn() if _eager_bool(pred) else false_fn()
    if isinstance(pred, bool):
        raise TypeError("pred must not be a Python bool", pred)
    if _is_variable(pred):
        pred = pred.value()
    pred = convert_to_tensor(pred)
    if pred.dtype is not dtypes.bool:
        raise TypeError(
            f"Input 'cond' of 'If' Op has type {pred.dtype.name} that does not match expected type "
            "of bool."
        )
    if pred.shape.rank not in (None, 0):
        raise ValueError(
            f"Shape must be rank 0 but is rank {pred.shape.rank} for 'cond' (op: 'If') with input "
            f"shapes: {pred.shape}."
        )
    return _build_conditional(
        pred, [true_fn, false_fn], ["true_fn", "false_fn"], name or "cond", "if"
    )


def _branch_list(branch_fns, default):
    if isinstance(branch_fns, dict):
        items = sorted(branch_fns.items())
    elif branch_fns and all(isinstance(b, (tuple, list)) and len(b) == 2 for b in branch_fns):
        items = sorted(branch_fns, key=lambda kv: kv[0])
    else:
        items = list(enumerate(branch_fns or ()))
    if not items:
        raise ValueError("Must provide at least one item in 'branch_fns'")
    keys = [k for k, _ in items]
    if keys != list(range(len(keys))):
        found = ",".join(str(k) for k in sorted(keys))
        raise ValueError(
            f"branch indices (keys) must form contiguous range of [0 to {len(keys)}) but found {{{found}}}"
        )
    fns = [f for _, f in items]
    for i, f in enumerate(fns):
        if not callable(f):
            raise TypeError(f"branch_fns[{i}] must be callable.")
    if default is not None:
        if not callable(default):
            raise TypeError("default must be callable.")
        fns.append(default)
    return fns


def switch_case(branch_index, branch_fns, default=None, name="switch_case"):
    """Runs `branch_fns[branch_index]()` (`default`, or the last branch, when out of range).

    >>> tf.switch_case(tf.constant(1), [lambda: 10, lambda: 20])
    20
    """
    if _is_variable(branch_index):
        branch_index = branch_index.value()
    if not isinstance(branch_index, Tensor):
        raise TypeError(f"'branch_index' must be a Tensor, got {type(branch_index)}")
    if not branch_index.dtype.is_integer:
        raise TypeError(f"'branch_index' must be an integer Tensor, got {branch_index.dtype!r}")
    fns = _branch_list(branch_fns, default)
    if state.graph is None:
        i = int(branch_index._value)
        return (fns[i] if 0 <= i < len(fns) else fns[-1])()
    if branch_index.dtype is not dtypes.int32:
        from arroyo.ops.math_ops import cast

        branch_index = cast(branch_index, dtypes.int32)
    names = [f"branches[{i}]" for i in range(len(fns))]
    if len(fns) == 1:
        names = ["branches[0]"]
    return _build_conditional(branch_index, fns, names, name or "switch_case", "case")


def case(pred_fn_pairs, default=None, exclusive=False, strict=False, name="case"):
    """Runs the function of the first true predicate in `pred_fn_pairs` (else `default`).

    >>> x = tf.constant(3)
    >>> tf.case([(x < 0, lambda: -1), (x > 0, lambda: 1)], default=lambda: 0)
    1
    """
    if isinstance(pred_fn_pairs, dict):
        pred_fn_pairs = list(pred_fn_pairs.items())
    if not isinstance(pred_fn_pairs, (list, tuple)):
        raise TypeError("pred_fn_pairs must be a list or tuple")
    for pair in pred_fn_pairs:
        if not isinstance(pair, (tuple, list)) or len(pair) != 2:
            raise TypeError(f"Each entry in 'pred_fn_pairs' must be a 2-tuple. Received {pair}.")
        p, f = pair
        if isinstance(p, bool) or not (isinstance(p, Tensor) or _is_variable(p)):
            raise TypeError(f"pred must be a Tensor, got: {p}")
        if not callable(f):
            raise TypeError(f"fn for pred {getattr(p, 'name', p)} must be callable.")
    if default is not None and not callable(default):
        raise TypeError("default must be callable.")
    if state.graph is None:
        values = [_eager_bool(p) for p, _ in pred_fn_pairs]
        if exclusive and sum(values) > 1:
            raise InvalidArgumentError(
                None, None,
                "Input error: exclusive=True: more than 1 conditions evaluated as True: "
                + ", ".join(str(v) for v in values),
            )  # fmt: skip
        for v, (_, f) in zip(values, pred_fn_pairs):
            if v:
                return f()
        if default is None:
            raise InvalidArgumentError(
                None, None,
                "Input error: None of conditions evaluated as True: "
                + ", ".join(str(v) for v in values),
            )  # fmt: skip
        return default()
    pairs = list(pred_fn_pairs)
    if default is None:
        if not pairs:
            raise ValueError("Must provide at least one item in 'pred_fn_pairs' or a default")
        default = pairs.pop()[1]
    if not pairs:
        return default()

    def build(i):
        if i == len(pairs):
            return default
        p, f = pairs[i]
        return lambda: cond(p, f, build(i + 1))

    with state.graph.name_scope(name or "case"):
        return build(0)()


# -- While ------------------------------------------------------------------------------------------


def _while_kernel(*args, T=None, cond=None, body=None, output_shapes=None, parallel_iterations=10,
                  _num_loop_vars=0, _has_max=False, _num_vars=0, _accumulate=False, _random=()):  # fmt: skip
    if _num_vars:
        args = args[:-_num_vars]
    n_max = -1
    if _has_max:
        n_max = int(args[0])
        args = args[1:]
    k = _num_loop_vars
    vals = list(args[:k])
    caps = list(args[k:])
    cplan = _plan(cond)
    n = 0
    if not _accumulate:
        bplan = _plan(body)
        while n != n_max and cplan(*vals, *caps)[0]:
            vals = bplan(*vals, *caps)
            n += 1
        return vals
    # Accumulating (a gradient needs it): every iteration's loop state and random draws.
    bplan = _plan(body, _random)
    acc = [[] for _ in range(k + len(_random))]
    while n != n_max and cplan(*vals, *caps)[0]:
        res = bplan(*vals, *caps)
        for a, v in zip(acc, vals + res[k:]):
            a.append(v)
        vals = res[:k]
        n += 1
    dts = [ph.dtype for ph in body.inputs[:k]] + [t.dtype for t in _random]
    return list(vals) + [ta_mod.TensorList(a, d, None) for a, d in zip(acc, dts)]


def _while_infer(inputs, attrs):
    out = [(d, s) for d, s in zip(attrs["T"][: attrs["_num_loop_vars"]], attrs["output_shapes"])]
    if attrs.get("_accumulate"):
        out += [(dtypes.variant, TensorShape([]))] * (
            attrs["_num_loop_vars"] + len(attrs.get("_random") or ())
        )
    return out


def _while_n_out(attrs):
    k = attrs["_num_loop_vars"]
    return k + (k + len(attrs.get("_random") or ()) if attrs.get("_accumulate") else 0)


def _accumulators(op):
    """Switches a forward While op to also output each loop variable's per-iteration values."""
    k = op.attrs["_num_loop_vars"]
    if not op.attrs.get("_accumulate"):
        body = op.attrs["body"]
        draws = _random_draws(body, body.outputs)
        op._attrs["_accumulate"] = True
        op._attrs["_random"] = draws
        old = tuple(op._outputs)
        for j in range(k + len(draws)):
            op._outputs.append(SymbolicTensor(op, k + j, dtypes.variant, TensorShape([])))
        # Tapes that recorded the op must know the new outputs (second-order gradients).
        new = tuple(op._outputs)
        for tape in state.tapes:
            recs = tape._records
            for i, r in enumerate(recs):
                if len(r[2]) == len(old) and all(a is b for a, b in zip(r[2], old)):
                    recs[i] = (r[0], r[1], new, r[3])
                    for o in new[k:]:
                        tape._watched[id(o)] = o
    return op._outputs[k:]


def _while_grad(op, *grads):
    fwd = op.outputs[0].op if isinstance(op.outputs[0], SymbolicTensor) else None
    if fwd is None or state.graph is None:
        raise NotImplementedError("Gradients of a While op executed eagerly are not supported.")
    attrs = fwd.attrs
    k = attrs["_num_loop_vars"]
    has_max = attrs.get("_has_max", False)
    ins, variables = _split_vars(fwd.inputs, attrs.get("_num_vars", 0))
    if has_max:
        ins = ins[1:]
    caps = ins[k:]
    body = attrs["body"]
    phs = body.inputs[:k]
    outs = fwd._outputs[:k]
    tl = [j for j in range(k) if _trainable(phs[j].dtype)]
    tc = [c for c, t in enumerate(caps) if _trainable(t.dtype)]
    tv = [v for v in variables if v.trainable]
    n_in = len(op.inputs)
    if not tl or not (tl or tc or tv):
        return (None,) * n_in
    grads = list(grads) + [None] * (2 * k - len(grads))
    if all(grads[j] is None for j in range(2 * k)):
        return (None,) * n_in
    acc_all = _accumulators(fwd)
    acc, racc = acc_all[:k], acc_all[k:]
    draws = fwd.attrs.get("_random") or []
    d_acc = grads[k : 2 * k]
    g0 = [_dense(grads[j]) if grads[j] is not None else _zeros_for(outs[j]) for j in tl]
    gc0 = [_zeros_for(caps[c]) for c in tc]
    gv0 = [_var_zeros(v) for v in tv]
    n = ta_mod.length(acc[0])
    from arroyo.ops import array_ops

    def bcond(i, *rest):
        return i >= 0

    def bbody(i, *rest):
        gv = list(rest[: len(tl)])
        gc = list(rest[len(tl) : len(tl) + len(tc)])
        gV = list(rest[len(tl) + len(tc) :])
        states = [ta_mod.get_item(acc[j], i, phs[j].shape if phs[j].dtype is not dtypes.variant else [],
                                  phs[j].dtype) for j in range(k)]  # fmt: skip
        for j in range(k):
            states[j].set_shape(phs[j].shape) if isinstance(states[j], SymbolicTensor) else None
        values = states + list(caps)
        wrt = tl + [k + c for c in tc]
        subst = {id(t): ta_mod.get_item(ra, i, t.shape, t.dtype) for t, ra in zip(draws, racc)}
        ds, inner = _vjp(body, values, wrt, tv, tl, gv, subst=subst)
        new_gv = []
        for a, j in enumerate(tl):
            d = ds[a] if ds[a] is not None else _zeros_for(inner[j])
            if d_acc[j] is not None:
                extra = ta_mod.get_item(d_acc[j], i, array_ops.shape(inner[j]), phs[j].dtype)
                d = _add(d, extra)
            new_gv.append(d)
        new_gc = [
            gc[a] if ds[len(tl) + a] is None else _add(gc[a], ds[len(tl) + a])
            for a in range(len(tc))
        ]
        base = len(tl) + len(tc)
        new_gV = [
            gV[a] if ds[base + a] is None else _add(gV[a], ds[base + a]) for a in range(len(tv))
        ]
        new_gv = [_known_shape(d, phs[j].shape) for d, j in zip(new_gv, tl)]
        new_gc = [_known_shape(d, caps[c].shape) for d, c in zip(new_gc, tc)]
        new_gV = [_known_shape(d, v.shape) for d, v in zip(new_gV, tv)]
        return (i - 1, *new_gv, *new_gc, *new_gV)

    inv = [TensorShape([])] + [phs[j].shape for j in tl] + [caps[c].shape for c in tc] + \
        [v.shape for v in tv]  # fmt: skip
    res = while_loop(
        bcond, bbody, [n - 1, *g0, *gc0, *gv0], shape_invariants=inv, name="while_grad"
    )
    res = list(res[1:])
    loop_grads = [None] * k
    for a, j in enumerate(tl):
        loop_grads[j] = res[a]
    cap_grads = [None] * len(caps)
    for a, c in enumerate(tc):
        cap_grads[c] = res[len(tl) + a]
    var_g = {id(v): res[len(tl) + len(tc) + a] for a, v in enumerate(tv)}
    out = (
        ([None] if has_max else []) + loop_grads + cap_grads + [var_g.get(id(v)) for v in variables]
    )
    return tuple(out)


def _known_shape(t, shape):
    """A gradient has its primal's shape: give the static shape back where inference lost it."""
    if (
        isinstance(t, SymbolicTensor)
        and t.graph is state.graph
        and t.shape.is_compatible_with(shape)
    ):
        t.set_shape(shape)
    return t


def _add(a, b):
    if a.dtype is dtypes.variant:
        return ta_mod.add_lists(a, b)
    from arroyo.ops.math_ops import add

    return add(a, _dense(b))


_WHILE_ATTRS = {"T": None, "cond": None, "body": None, "output_shapes": None, "parallel_iterations": 10,
                "_num_loop_vars": 0, "_has_max": False, "_num_vars": 0, "_accumulate": False,
                "_random": ()}  # fmt: skip
WHILE = defop("While", ("*input",), _while_kernel, attrs=_WHILE_ATTRS, infer=_while_infer,
              grad=_while_grad, num_outputs=_while_n_out, stateful=True)  # fmt: skip
STATELESS_WHILE = defop("StatelessWhile", ("*input",), _while_kernel, attrs=_WHILE_ATTRS,
                        infer=_while_infer, grad=_while_grad, num_outputs=_while_n_out)  # fmt: skip


def _convert_loop_leaf(x):
    if isinstance(x, TensorArray):
        return x
    if _is_variable(x):
        return x.value()
    if isinstance(x, Tensor):
        return x
    if isinstance(x, TensorSpec):
        raise TypeError("loop_vars must be tensors, not TensorSpecs")
    return convert_to_tensor(x)


def _as_args(structure, is_seq):
    return tuple(structure) if is_seq else (structure,)


def while_loop(cond, body, loop_vars, shape_invariants=None, parallel_iterations=10, back_prop=True,
               swap_memory=False, maximum_iterations=None, name=None):  # fmt: skip
    """Repeats `body` while `cond` is true; returns the final loop variables.

    `loop_vars` is a (nested) tuple/list of tensors and TensorArrays; `cond` and `body` take
    them as positional arguments, and `body` returns the same structure.

    >>> i = tf.constant(0)
    >>> tf.while_loop(lambda i: i < 10, lambda i: (i + 1,), (i,))[0].numpy()
    10
    """
    if not callable(cond):
        raise TypeError("'cond' must be callable.")
    if not callable(body):
        raise TypeError("'body' must be callable.")
    if parallel_iterations is not None and (
        not isinstance(parallel_iterations, int) or parallel_iterations < 1
    ):
        raise TypeError("'parallel_iterations' must be a positive integer.")
    if loop_vars is None or (isinstance(loop_vars, (list, tuple)) and not loop_vars):
        raise ValueError("'loop_vars' must be provided.")
    is_seq = isinstance(loop_vars, (list, tuple))
    loop_vars = nest.map_structure(_convert_loop_leaf, loop_vars)
    if state.graph is None:
        return _eager_while(cond, body, loop_vars, is_seq, maximum_iterations)
    return _graph_while(cond, body, loop_vars, is_seq, shape_invariants, parallel_iterations,
                        maximum_iterations, name or "while", back_prop)  # fmt: skip


def _fix_body_result(loop_vars, result, is_seq):
    """TF accepts a bare value from the body of a one-variable loop."""
    if is_seq and len(loop_vars) == 1 and not isinstance(result, (list, tuple)):
        result = type(loop_vars)([result]) if type(loop_vars) in (list, tuple) else (result,)
    if is_seq and isinstance(result, (list, tuple)) and type(result) is not type(loop_vars) \
            and type(loop_vars) in (list, tuple) and type(result) in (list, tuple):  # fmt: skip
        result = type(loop_vars)(result)
    return result


def _eager_while(cond, body, loop_vars, is_seq, maximum_iterations):
    max_it = None
    if maximum_iterations is not None:
        max_it = int(_eager_value(maximum_iterations))
    n = 0
    # Flat list/tuple of loop variables: skip the general structure machinery per iteration.
    flat = type(loop_vars) in (list, tuple) and not any(nest.is_nested(v) for v in loop_vars)
    while max_it is None or n < max_it:
        if not _eager_bool(cond(*_as_args(loop_vars, is_seq))):
            break
        new = _fix_body_result(loop_vars, body(*_as_args(loop_vars, is_seq)), is_seq)
        if flat and type(new) in (list, tuple) and len(new) == len(loop_vars) and \
                not any(nest.is_nested(v) for v in new):  # fmt: skip
            loop_vars = type(loop_vars)(v if isinstance(v, (Tensor, TensorArray)) else _convert_loop_leaf(v)
                                        for v in new)  # fmt: skip
        else:
            try:
                nest.assert_same_structure(loop_vars, new, check_types=False)
            except (ValueError, TypeError) as e:
                raise ValueError(str(e)) from None
            loop_vars = nest.map_structure(_convert_loop_leaf, new)
        n += 1
    return loop_vars


def _eager_value(x):
    if _is_variable(x):
        x = x.value()
    if isinstance(x, EagerTensor):
        return x._value
    return x


def _flat_loop_vars(loop_vars):
    """Flat loop tensors (TensorArrays stand for their flow) and their _Slots."""
    tensors, slots = [], []
    for x in nest.flatten(loop_vars):
        if isinstance(x, TensorArray):
            if x._eager:
                raise ValueError(
                    "An eager TensorArray cannot be a loop variable of a graph while_loop."
                )
            tensors.append(x.flow)
            slots.append(_Slot("ta", x))
        else:
            tensors.append(x)
            slots.append(_Slot("t"))
    return tensors, slots


def _graph_while(cond, body, loop_vars, is_seq, shape_invariants, parallel_iterations,
                 maximum_iterations, name, back_prop=True):  # fmt: skip
    g = state.graph
    flat, slots = _flat_loop_vars(loop_vars)
    flat = [g._capture(t) if isinstance(t, Tensor) else t for t in flat]
    # Shape invariants: one per loop tensor (TensorArrays have none).
    if shape_invariants is not None:
        try:
            inv_flat = nest.flatten_up_to(loop_vars, shape_invariants) if nest.is_nested(loop_vars) \
                else [shape_invariants]  # fmt: skip
        except (TypeError, ValueError, IndexError):
            raise ValueError("shape_invariants must have the same structure as loop_vars") from None
    else:
        inv_flat = [None] * len(flat)
    invariants = []
    for t, inv, slot in zip(flat, inv_flat, slots):
        if inv is None or slot.kind == "ta":
            invariants.append(t.shape)
            continue
        inv = as_shape(inv)
        if not inv.is_compatible_with(t.shape):
            raise ValueError(
                f"The shape invariant specified for {t.name} is not compatible with the initial shape "
                f"of the loop variable. It enters the loop with shape {t.shape}, but the specified "
                f"shape invariant is {inv}."
            )
        invariants.append(inv)
    specs = [(t.dtype, s) for t, s in zip(flat, invariants)]

    def make_args(phs):
        leaves = []
        it = iter(phs)
        for slot in slots:
            ph = next(it)
            leaves.append(TensorArray._with_flow(slot.ta, ph) if slot.kind == "ta" else ph)
        return _as_args(nest.pack_sequence_as(loop_vars, leaves), is_seq)

    names = [_ph_name(t) for t in flat]
    c = _trace(f"{name}_cond", cond, make_args, specs, names)
    if len(c.tensors) != 1 or any(s.kind == "ta" for s in c.slots):
        raise ValueError(
            f"cond of tf.while_loop must return a single boolean scalar, got {c.result!r}"
        )
    ct = c.tensors[0]
    if ct.dtype is not dtypes.bool:
        raise TypeError(
            f"Input 'input' of 'LoopCond' Op has type {ct.dtype.name} that does not match expected "
            "type of bool."
        )
    if ct.shape.rank not in (None, 0):
        raise ValueError(
            f"cond of tf.while_loop must return a boolean scalar, got shape {ct.shape}"
        )

    def body_fn(*args):
        return _fix_body_result(loop_vars, body(*args), is_seq)

    b = _trace(f"{name}_body", body_fn, make_args, specs, names)
    try:
        nest.assert_same_structure(loop_vars, b.result, check_types=False)
    except (ValueError, TypeError) as e:
        raise ValueError(str(e)) from None
    if len(b.tensors) != len(flat) or any(s0.kind != s1.kind for s0, s1 in zip(slots, b.slots)):
        raise ValueError(
            "The two structures don't have the same nested structure: body returned "
            f"{b.result!r} for loop variables {loop_vars!r}."
        )
    for t_in, t_out, inv in zip(flat, b.tensors, invariants):
        if t_in.dtype != t_out.dtype:
            raise TypeError(
                f"Loop var {t_in.name} enters the loop with type {t_in.dtype!r} but has type "
                f"{t_out.dtype!r} after 1 iteration. {t_in.name} type should remain constant."
            )
        if not inv.is_compatible_with(t_out.shape) or (
            inv.rank is not None and t_out.shape.rank is None
        ):
            raise ValueError(
                f"Input tensor '{t_in.name}' enters the loop with shape {inv}, but has shape "
                f"{t_out.shape} after one iteration. To allow the shape to vary across iterations, "
                "use the `shape_invariants` argument of tf.while_loop to specify a less-specific "
                "shape."
            )
    graphs = [c.graph, b.graph]
    caps = _bind_captures(graphs, len(flat))
    variables = _variables_of(graphs)
    _note_variables(variables)
    has_max = maximum_iterations is not None
    pre = []
    if has_max:
        m = _eager_value(maximum_iterations) if not isinstance(maximum_iterations, SymbolicTensor) \
            else maximum_iterations  # fmt: skip
        m = convert_to_tensor(m, dtype=dtypes.int32) if not isinstance(m, Tensor) else m
        if m.dtype is not dtypes.int32:
            from arroyo.ops.math_ops import cast

            m = cast(m, dtypes.int32)
        if m.shape.rank not in (None, 0):
            raise ValueError(f"maximum_iterations must be a scalar, saw shape: {m.shape}")
        pre = [m]
    attrs = {"T": [t.dtype for t in flat] + [t.dtype for t in caps], "cond": c.graph, "body": b.graph,
             "output_shapes": invariants, "parallel_iterations": parallel_iterations or 10,
             "_num_loop_vars": len(flat), "_has_max": has_max, "_num_vars": len(variables)}  # fmt: skip
    op_def = WHILE if _is_stateful(graphs) else STATELESS_WHILE
    outs = execute(op_def, (*pre, *flat, *caps, *variables), attrs, name)
    if not back_prop:  # deprecated in TF: the results are stop_gradient-ed
        from arroyo.ops.array_ops import stop_gradient

        outs = [stop_gradient(o) for o in outs]
    leaves = []
    for o, slot, bslot in zip(outs, slots, b.slots):
        if slot.kind == "ta":
            leaves.append(TensorArray._with_flow(bslot.ta, o))
        else:
            leaves.append(o)
    result = nest.pack_sequence_as(loop_vars, leaves)
    return result


def _ph_name(t):
    n = t.name.split(":")[0].split("/")[-1] if hasattr(t, "name") and t.name else "loop_var"
    return n or "loop_var"


# -- map_fn, scan, foldl, foldr, vectorized_map --------------------------------------------------


def _elems_flat(elems, fn_name):
    flat = [convert_to_tensor(e.value() if _is_variable(e) else e) for e in nest.flatten(elems)]
    if not flat:
        raise ValueError(
            f"elems must be a Tensor or (possibly nested) sequence of Tensors. Got {elems}"
        )
    for e in flat:
        if e.shape.rank == 0:
            raise ValueError("Elements in elems must be 1+ dimensional Tensors, not scalars")
    return flat


def _num_elems(flat):
    from arroyo.ops import array_ops

    n = flat[0].shape[0] if flat[0].shape.rank else None
    for e in flat[1:]:
        m = e.shape[0]
        if n is not None and m is not None and n != m:
            raise ValueError(
                "Arrays in elems must have the same first dimension; got "
                f"{[tuple(x.shape.as_list()) for x in flat]}"
            )
        n = n if n is not None else m
    if n is not None:
        return n, convert_to_tensor(np.int32(n))
    return None, array_ops.shape(flat[0])[0]


def _spec_of(sig, like=None):
    """(dtype, shape) leaves of an fn_output_signature (dtype or TensorSpec)."""
    if isinstance(sig, TensorSpec):
        return sig.dtype, sig.shape
    if isinstance(sig, (dtypes.DType, str, type)) or hasattr(sig, "as_numpy_dtype"):
        return dtypes.as_dtype(sig), TensorShape(None)
    raise TypeError(f"fn_output_signature must be a dtype or TensorSpec, got {sig!r}")


def map_fn(fn, elems, dtype=None, parallel_iterations=None, back_prop=True, swap_memory=False,
           infer_shape=True, name=None, fn_output_signature=None):  # fmt: skip
    """Applies `fn` to each element of `elems` (unstacked on axis 0) and stacks the results.

    >>> tf.map_fn(lambda x: x * x, tf.constant([1, 2, 3])).numpy()
    array([1, 4, 9], dtype=int32)
    """
    if not callable(fn):
        raise TypeError(f"fn must be callable. Got {fn}")
    if fn_output_signature is None:
        fn_output_signature = dtype
    if any(isinstance(e, CompositeTensor) for e in nest.flatten(elems)) or any(
        isinstance(s, TypeSpec) for s in nest.flatten(fn_output_signature)
    ):
        return dispatch("map_fn", fn, elems, fn_output_signature)
    flat = _elems_flat(elems, "map_fn")
    n_static, n = _num_elems(flat)
    if fn_output_signature is None:
        out_struct = elems
        out_specs = [(e.dtype, TensorShape(None)) for e in flat]
    else:
        out_struct = fn_output_signature
        out_specs = [_spec_of(s) for s in nest.flatten(fn_output_signature)]
    in_tas = [TensorArray(e.dtype, size=n, element_shape=e.shape[1:], infer_shape=True).unstack(e)
              for e in flat]  # fmt: skip
    out_tas = [TensorArray(d, size=n, element_shape=s if s.rank is not None else None,
                           infer_shape=infer_shape)
               for d, s in out_specs]  # fmt: skip

    def body(i, *tas):
        x = nest.pack_sequence_as(elems, [ta.read(i) for ta in in_tas])
        y = fn(x)
        try:
            nest.assert_same_structure(out_struct, y, check_types=False)
        except (ValueError, TypeError) as e:
            raise ValueError(
                f"The two structures don't have the same nested structure.\n\nFirst structure: "
                f"{out_struct!r}\n\nSecond structure: {y!r}\n\nfn_output_signature must match the "
                f"structure of fn's outputs. ({e})"
            ) from None
        ys = nest.flatten(y)
        new = []
        for ta, v in zip(tas, ys):
            v = v.value() if _is_variable(v) else v
            if isinstance(v, Tensor) and v.dtype != ta.dtype:
                raise TypeError(
                    f"fn returned a {v.dtype.name} value, but the expected output dtype "
                    f"(fn_output_signature) is {ta.dtype.name}."
                )
            new.append(ta.write(i, v))
        return (i + 1, *new)

    i0 = convert_to_tensor(np.int32(0))
    res = while_loop(lambda i, *tas: i < n, body, (i0, *out_tas), back_prop=back_prop,
                     parallel_iterations=parallel_iterations or 10,
                     maximum_iterations=n if n_static is None else None)  # fmt: skip
    outs = []
    for ta in res[1:]:
        t = ta.stack()
        if n_static is not None and isinstance(t, SymbolicTensor) and t.shape.rank is not None:
            t.set_shape(TensorShape([n_static]).concatenate(t.shape[1:]))
        outs.append(t)
    return nest.pack_sequence_as(out_struct, outs)


def scan(fn, elems, initializer=None, parallel_iterations=10, back_prop=True, swap_memory=False,
         infer_shape=True, reverse=False, name=None):  # fmt: skip
    """Accumulates `a = fn(a, x)` over the elements; returns every intermediate `a`, stacked.

    >>> tf.scan(lambda a, x: a + x, tf.constant([1, 2, 3, 4])).numpy()
    array([ 1,  3,  6, 10], dtype=int32)
    """
    if not callable(fn):
        raise TypeError(f"fn must be callable. Got {fn}")
    flat = _elems_flat(elems, "scan")
    n_static, n = _num_elems(flat)
    in_tas = [TensorArray(e.dtype, size=n, element_shape=e.shape[1:]).unstack(e) for e in flat]
    if reverse:

        def index(i):
            return n - 1 - i
    else:

        def index(i):
            return i

    i0 = convert_to_tensor(np.int32(0))
    if initializer is None:
        a0 = nest.pack_sequence_as(elems, [ta.read(index(i0)) for ta in in_tas])
        start = 1
        if n_static == 0:
            raise ValueError("elems must not be empty when no initializer is given")
    else:
        a0 = nest.map_structure(_convert_loop_leaf, initializer)
        start = 0
    a_flat = nest.flatten(a0)
    out_tas = [
        TensorArray(a.dtype, size=n, element_shape=a.shape, infer_shape=infer_shape) for a in a_flat
    ]
    if start:
        out_tas = [ta.write(index(i0), a) for ta, a in zip(out_tas, a_flat)]

    def body(i, a, tas):
        x = nest.pack_sequence_as(elems, [ta.read(index(i)) for ta in in_tas])
        new_a = fn(a, x)
        try:
            nest.assert_same_structure(a, new_a, check_types=False)
        except (ValueError, TypeError) as e:
            raise ValueError(str(e)) from None
        new_a = nest.map_structure(_convert_loop_leaf, new_a)
        tas = [ta.write(index(i), v) for ta, v in zip(tas, nest.flatten(new_a))]
        return i + 1, new_a, tas

    res = while_loop(lambda i, a, tas: i < n, body, (convert_to_tensor(np.int32(start)), a0, out_tas),
                     parallel_iterations=parallel_iterations, back_prop=back_prop)  # fmt: skip
    outs = []
    for ta in res[2]:
        t = ta.stack()
        if n_static is not None and isinstance(t, SymbolicTensor) and t.shape.rank is not None:
            t.set_shape(TensorShape([n_static]).concatenate(t.shape[1:]))
        outs.append(t)
    return nest.pack_sequence_as(a0, outs)


def _fold(fn, elems, initializer, parallel_iterations, reverse, api, back_prop=True):
    if not callable(fn):
        raise TypeError(f"{api}: fn must be callable. Got {fn}")
    flat = _elems_flat(elems, api)
    n_static, n = _num_elems(flat)
    in_tas = [TensorArray(e.dtype, size=n, element_shape=e.shape[1:]).unstack(e) for e in flat]

    def index(i):
        return n - 1 - i if reverse else i

    i0 = convert_to_tensor(np.int32(0))
    if initializer is None:
        if n_static == 0:
            raise ValueError(f"{api}: elems must not be empty when no initializer is given")
        a0 = nest.pack_sequence_as(elems, [ta.read(index(i0)) for ta in in_tas])
        start = 1
    else:
        a0 = nest.map_structure(_convert_loop_leaf, initializer)
        start = 0

    def body(i, a):
        x = nest.pack_sequence_as(elems, [ta.read(index(i)) for ta in in_tas])
        new_a = nest.map_structure(_convert_loop_leaf, fn(a, x))
        return i + 1, new_a

    res = while_loop(lambda i, a: i < n, body, (convert_to_tensor(np.int32(start)), a0),
                     parallel_iterations=parallel_iterations, back_prop=back_prop)  # fmt: skip
    return res[1]


def foldl(fn, elems, initializer=None, parallel_iterations=10, back_prop=True, swap_memory=False,
          name=None):  # fmt: skip
    """Folds `fn(acc, x)` over the elements from first to last; returns the final `acc`.

    >>> tf.foldl(lambda a, x: a + x, tf.constant([1, 2, 3])).numpy()
    6
    """
    return _fold(fn, elems, initializer, parallel_iterations, False, "foldl", back_prop)


def foldr(fn, elems, initializer=None, parallel_iterations=10, back_prop=True, swap_memory=False,
          name=None):  # fmt: skip
    """Folds `fn(acc, x)` over the elements from last to first; returns the final `acc`.

    >>> tf.foldr(lambda a, x: a - x, tf.constant([1, 2, 3]), initializer=0).numpy()
    -6
    """
    return _fold(fn, elems, initializer, parallel_iterations, True, "foldr", back_prop)


def vectorized_map(fn, elems, fallback_to_while_loop=True, warn=True):
    """`fn` applied to every element of `elems` (axis 0), results stacked (as `tf.map_fn`,
    with output dtypes found by tracing `fn` once).

    >>> tf.vectorized_map(lambda x: x * 2, tf.constant([1., 2.])).numpy()
    array([2., 4.], dtype=float32)
    """
    flat = _elems_flat(elems, "vectorized_map")
    if state.graph is None:
        n = flat[0].shape[0]
        from arroyo.ops import array_ops

        rows = [array_ops.unstack(e) if n else [] for e in flat]
        results = [fn(nest.pack_sequence_as(elems, [r[i] for r in rows])) for i in range(n)]
        if not results:
            return map_fn(fn, elems)
        flat_res = [[convert_to_tensor(x) for x in nest.flatten(r)] for r in results]
        stacked = [array_ops.stack([fr[j] for fr in flat_res]) for j in range(len(flat_res[0]))]
        return nest.pack_sequence_as(results[0], stacked)
    probe = _trace("vectorized_map_probe", lambda *xs: fn(nest.pack_sequence_as(elems, list(xs))),
                   lambda phs: phs, [(e.dtype, e.shape[1:]) for e in flat])  # fmt: skip
    sig = nest.pack_sequence_as(probe.result, [TensorSpec(t.shape, t.dtype) for t in probe.tensors]) \
        if all(s.kind == "t" for s in probe.slots) else None  # fmt: skip
    if sig is None:
        raise ValueError("vectorized_map: fn must return tensors")
    return map_fn(fn, elems, fn_output_signature=sig)


TF_API = {
    "tf": [
        "cond",
        "case",
        "switch_case",
        "while_loop",
        "TensorArray",
        "map_fn",
        "vectorized_map",
        "scan",
        "foldl",
        "foldr",
    ],
}

_install_replay_hooks()
