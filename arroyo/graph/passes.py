"""Graph optimization passes, run on a copy of a traced graph before it is compiled.

All passes share one mechanism: a `Rewrite` maps tensors to replacement tensors, and
`_resolve` applies the mapping to every op's inputs. Each pass is switchable through
`tf.config.optimizer.set_experimental_options` (TF's names where TF has the pass):

  constant_folding         ops whose inputs are all constants are evaluated once
  common_subgraph_elimination  identical ops on identical inputs are computed once
  arithmetic_optimization  x*1, x+0, x-0, x/1, --x, transpose of transpose, identities;
                           integer matmul chains x@(x@(...@b)) regrouped as x**n @ b by
                           repeated squaring (exact: integer matmul is associative)
  remapping                elementwise chains fused into one kernel (with buffer reuse)
  buffer_reuse             fused kernels keep their scratch buffers between calls
  disable_model_pruning    keep ops that no output needs (pruning is on by default)

Passes never change results beyond the float rounding TF itself allows (a fused sum may
add in a different order).
"""

from __future__ import annotations

import numpy as np

from arroyo.framework.tensor import _BY_NP
from arroyo.framework.tensor_shape import TensorShape
from arroyo.graph.graph import CONST, Graph, Operation, SymbolicTensor

_DEFAULTS = {
    "constant_folding": True,
    "common_subgraph_elimination": True,
    "arithmetic_optimization": True,
    "remapping": True,
    "buffer_reuse": True,
    "disable_model_pruning": False,
    "disable_meta_optimizer": False,
}
_options = dict(_DEFAULTS)

FOLD_LIMIT = 1 << 20  # elements: larger constant results are computed at run time


def set_experimental_options(options: dict):
    """TF's `tf.config.optimizer.set_experimental_options`."""
    for k, v in options.items():
        _options[k] = bool(v)


def get_experimental_options() -> dict:
    return {k: v for k, v in _options.items() if _options[k] != _DEFAULTS.get(k)}


def enabled(name) -> bool:
    if _options.get("disable_meta_optimizer"):
        return False
    return _options.get(name, True)


# -- cloning ---------------------------------------------------------------------------


def clone(graph, inputs, outputs):
    """Copies the live part of `graph` into a fresh Graph; returns (graph, inputs, outputs)."""
    from arroyo.graph.executor import live_ops

    g = Graph()
    tmap: dict[int, SymbolicTensor] = {}
    if _options.get("disable_model_pruning"):
        ops = graph._ops
    else:
        live = {id(op) for op in live_ops(graph, outputs)}
        ops = [op for op in graph._ops if id(op) in live or op.type == "Placeholder"]
    opmap = {}
    for op in ops:
        new = Operation(
            g, op.op_def, op.name, [tmap.get(id(t), t) for t in op.inputs], dict(op.attrs)
        )
        new._captured = op._captured
        new._control_inputs = [opmap[id(c)] for c in op._control_inputs if id(c) in opmap]
        new._outputs = [SymbolicTensor(new, i, t.dtype, t.shape) for i, t in enumerate(op._outputs)]
        for old_t, new_t in zip(op._outputs, new._outputs):
            tmap[id(old_t)] = new_t
        opmap[id(op)] = new
        g._ops.append(new)
    return g, [tmap[id(t)] for t in inputs], [tmap.get(id(t), t) for t in outputs]


class Rewrite:
    """Tensor replacements collected by a pass, applied to all op inputs at once."""

    def __init__(self):
        self.subst: dict[int, object] = {}

    def replace(self, old, new):
        self.subst[id(old)] = new

    def resolve(self, t):
        while id(t) in self.subst:
            t = self.subst[id(t)]
        return t

    def apply(self, graph, outputs):
        if not self.subst:
            return outputs
        for op in graph._ops:
            op._inputs = tuple(self.resolve(t) for t in op._inputs)
        return [self.resolve(t) for t in outputs]


def _const_value(t):
    if isinstance(t, SymbolicTensor) and t.op.type == "Const":
        return t.op.attrs["value"]
    return None


def _new_const(graph, value, before=None):
    arr = value if isinstance(value, (np.ndarray, np.generic)) else np.asarray(value)
    op = Operation(
        graph, CONST, graph.unique_name("Const"), (), {"value": arr, "dtype": _BY_NP[arr.dtype]}
    )
    op._outputs = [SymbolicTensor(op, 0, _BY_NP[arr.dtype], TensorShape(np.shape(arr)))]
    if before is None:
        graph._ops.append(op)
    else:
        graph._ops.insert(graph._ops.index(before), op)
    return op._outputs[0]


# -- passes --------------------------------------------------------------------------------

_NO_FOLD = frozenset({"Placeholder", "Const", "NoOp", "ReadVariableOp", "PrintV2"})


# Ops whose result depends only on their input's static shape and dtype (TF's grappler
# materializes these too): with a fully known shape they fold although the input is not
# a constant -- e.g. the OnesLike that seeds a gradient.
_SHAPE_ONLY = frozenset({"Shape", "Size", "Rank", "OnesLike", "ZerosLike"})


def _fold_shape_only(op):
    x = op.inputs[0]
    np_dtype = getattr(x.dtype, "_np", None)
    if not x.shape.is_fully_defined() or np_dtype is None or np_dtype.kind not in "biufc":
        return None
    out = op._outputs[0].shape.num_elements()
    if out is None or out > FOLD_LIMIT:
        return None
    stand_in = np.broadcast_to(np.zeros((), np_dtype), x.shape.as_list())
    value = op.op_def.kernel(stand_in, **op.attrs)
    return np.array(value) if isinstance(value, np.ndarray) else value


def constant_folding(graph, outputs):
    rw = Rewrite()
    for op in list(graph._ops):
        if op.type in _SHAPE_ONLY and not op._control_inputs:
            value = _fold_shape_only(op)
            if value is not None:
                rw.replace(op._outputs[0], _new_const(graph, value, before=op))
                continue
        if op.type in _NO_FOLD or op.op_def.stateful or op.op_def.kernel is None or not op._outputs:
            continue
        if any(t.dtype.name == "variant" for t in op._outputs):  # TensorLists stay ops
            continue
        ins = [rw.resolve(t) for t in op.inputs]
        vals = [_const_value(t) for t in ins]
        if any(v is None for v in vals) or op._control_inputs:
            continue
        if any(
            t.shape.num_elements() is None or t.shape.num_elements() > FOLD_LIMIT
            for t in op._outputs
        ):
            continue
        try:
            out = op.op_def.kernel(*vals, **op.attrs)
        except Exception:  # noqa: BLE001 - leave errors to run time, where TF reports them
            continue
        outs = [out] if op.op_def.num_outputs == 1 else list(out)
        for t, v in zip(op._outputs, outs):
            rw.replace(t, _new_const(graph, v, before=op))
    return rw.apply(graph, outputs)


def _attrs_key(attrs):
    items = []
    for k in sorted(attrs):
        v = attrs[k]
        if isinstance(v, np.ndarray):
            v = (v.dtype.str, v.shape, v.tobytes())
        try:
            hash(v)
        except TypeError:
            v = repr(v)
        items.append((k, v))
    return tuple(items)


def common_subgraph_elimination(graph, outputs):
    rw = Rewrite()
    seen = {}
    for op in graph._ops:
        if op.op_def.stateful or op.type in ("Placeholder", "NoOp") or op._control_inputs:
            continue
        if op.type == "Const":
            v = op.attrs["value"]
            if np.size(v) > 1024:
                continue
            key = ("Const", np.asarray(v).dtype.str, np.shape(v), np.asarray(v).tobytes())
        else:
            key = (op.type, tuple(id(rw.resolve(t)) for t in op.inputs), _attrs_key(op.attrs))
        first = seen.get(key)
        if first is None:
            seen[key] = op
            continue
        for a, b in zip(op._outputs, first._outputs):
            rw.replace(a, b)
    return rw.apply(graph, outputs)


def _is_all(value, scalar):
    return value is not None and np.size(value) > 0 and np.all(np.asarray(value) == scalar)


def _same_shape_dtype(result, x):
    return (
        x.shape.is_fully_defined()
        and result.shape.is_fully_defined()
        and x.shape == result.shape
        and x.dtype == result.dtype
    )


def _get_op(name):
    from arroyo.framework.op_registry import get_op

    return get_op(name)


def arithmetic_optimization(graph, outputs):
    rw = Rewrite()
    for op in graph._ops:
        ins = [rw.resolve(t) for t in op.inputs]
        typ = op.type
        out = op._outputs[0] if op._outputs else None
        repl = None
        if typ in ("Identity", "StopGradient"):
            repl = ins[0]
        elif typ in ("Mul", "AddV2", "Sub", "RealDiv"):
            a, b = ins
            unit = 1 if typ in ("Mul", "RealDiv") else 0
            if _is_all(_const_value(b), unit) and _same_shape_dtype(out, a):
                repl = a
            elif (
                typ in ("Mul", "AddV2")
                and _is_all(_const_value(a), unit)
                and _same_shape_dtype(out, b)
            ):
                repl = b
        elif typ == "Pow":
            a, b = ins
            if _is_all(_const_value(b), 1) and _same_shape_dtype(out, a):
                repl = a  # x ** 1
            elif _is_all(_const_value(b), 2) and _same_shape_dtype(out, a):
                op._op_def = _get_op("Square")  # x ** 2 -> Square(x)
                op._inputs = (a,)
        elif typ in ("Neg", "LogicalNot", "Conj"):
            src = ins[0]
            if isinstance(src, SymbolicTensor) and src.op.type == typ:
                repl = rw.resolve(src.op.inputs[0])
        elif typ == "Transpose":
            src, perm = ins
            p2 = _const_value(perm)
            if isinstance(src, SymbolicTensor) and src.op.type == "Transpose" and p2 is not None:
                p1 = _const_value(rw.resolve(src.op.inputs[1]))
                if p1 is not None and np.array_equal(
                    np.asarray(p1)[np.asarray(p2)], np.arange(np.size(p2))
                ):
                    repl = rw.resolve(src.op.inputs[0])
        if repl is not None and out is not None:
            rw.replace(out, repl)
    return rw.apply(graph, outputs)


# -- integer matmul chains ---------------------------------------------------------------
#
# `for _ in range(n): r = tf.matmul(x, r)` traces n MatMuls in a row. Over the integers
# (wrapping modulo 2**bits) matrix multiplication is associative, so x@(x@(...(x@b))) equals
# (x**n)@b bit for bit, and x**n takes about 2*log2(n) products by repeated squaring -- the
# regrouping LLVM's reassociate pass does for chains of scalar integer multiplies. Floats
# are left alone: regrouping would change their rounding.

_MIN_CHAIN = 4  # below this, squaring saves nothing


def _is_identity_matrix(value):
    v = np.asarray(value) if value is not None else None
    return (
        v is not None
        and v.ndim == 2
        and v.shape[0] == v.shape[1]
        and np.array_equal(v, np.eye(v.shape[0], dtype=v.dtype))
    )


def _plain_int_matmul(op):
    return (
        op.type == "MatMul"
        and not op.attrs.get("transpose_a")
        and not op.attrs.get("transpose_b")
        and op._outputs[0].dtype.is_integer
        and not op._control_inputs
    )


def _consumers(graph, outputs):
    uses: dict[int, int] = {}
    for op in graph._ops:
        for t in op.inputs:
            uses[id(t)] = uses.get(id(t), 0) + 1
        for c in op._control_inputs:
            for t in c._outputs:
                uses[id(t)] = uses.get(id(t), 0) + 2
    for t in outputs:
        uses[id(t)] = uses.get(id(t), 0) + 2
    return uses


def _chain(op, side, uses):
    """Follows MatMuls that multiply the same factor on `side` (0: left, 1: right).

    Returns (factor, n, base) with op's output == factor**n @ base (or base @ factor**n),
    base None when it is the identity."""
    factor = op.inputs[side]
    n = 0
    cur = op
    while True:
        n += 1
        inner = cur.inputs[1 - side]
        src = getattr(inner, "_op", None)
        if (
            src is not None
            and _plain_int_matmul(src)
            and src.inputs[side] is factor
            and uses.get(id(inner), 0) == 1
        ):
            cur = src
            continue
        break
    if inner is factor:
        return factor, n + 1, None
    if _is_identity_matrix(_const_value(inner)):
        return factor, n, None
    return factor, n, inner


def _new_matmul(graph, a, b, before):
    op = Operation(graph, _get_op("MatMul"), graph.unique_name("MatMul"), (a, b),
                   {"transpose_a": False, "transpose_b": False})  # fmt: skip
    shape = TensorShape([a.shape[0], b.shape[1]])
    op._outputs = [SymbolicTensor(op, 0, a.dtype, shape)]
    graph._ops.insert(graph._ops.index(before), op)
    return op._outputs[0]


def _power(graph, x, n, before):
    result = None
    square = x
    while True:
        if n & 1:
            result = square if result is None else _new_matmul(graph, result, square, before)
        n >>= 1
        if not n:
            return result
        square = _new_matmul(graph, square, square, before)


def _extends(consumer, op):
    """Whether `consumer` continues a chain through `op`'s output (same factor, same side)."""
    if consumer is op or not _plain_int_matmul(consumer):
        return False
    out = op._outputs[0]
    a, b = consumer.inputs
    return (b is out and a is op.inputs[0]) or (a is out and b is op.inputs[1])


def reassociate_matmul_chains(graph, outputs):
    rw = Rewrite()
    uses = _consumers(graph, outputs)
    for op in list(graph._ops):
        if not _plain_int_matmul(op):
            continue
        out = op._outputs[0]
        # Only the last MatMul of a chain is rewritten; inner links die with pruning.
        if uses.get(id(out), 0) == 1 and any(_extends(c, op) for c in graph._ops):
            continue
        for side in (0, 1):
            factor, n, base = _chain(op, side, uses)
            if n < _MIN_CHAIN or factor.shape.rank != 2:
                continue
            p = _power(graph, factor, n, op)
            if base is not None:
                p = (
                    _new_matmul(graph, p, base, op)
                    if side == 0
                    else _new_matmul(graph, base, p, op)
                )
            rw.replace(out, p)
            break
    return rw.apply(graph, outputs)


def optimize(graph, inputs, outputs):
    """Clones and optimizes `graph`; returns (graph, inputs, outputs) to compile."""
    g, ins, outs = clone(graph, inputs, outputs)
    if enabled("constant_folding"):
        outs = constant_folding(g, outs)
    if enabled("arithmetic_optimization"):
        outs = arithmetic_optimization(g, outs)
        outs = reassociate_matmul_chains(g, outs)
    if enabled("common_subgraph_elimination"):
        outs = common_subgraph_elimination(g, outs)
    if enabled("remapping"):
        from arroyo.graph import fusion

        outs = fusion.fuse_elementwise(g, ins, outs, reuse_buffers=enabled("buffer_reuse"))
    if not _options.get("disable_model_pruning"):
        from arroyo.graph.executor import live_ops

        keep = {id(op) for op in live_ops(g, outs)}
        g._ops = [op for op in g._ops if id(op) in keep or op.type == "Placeholder"]
    return g, ins, outs
