"""Elementwise fusion ("remapping") with buffer reuse.

Chains of elementwise ops whose intermediate results have no other consumer are replaced
by one `_FusedElementwise` op. Its kernel is generated Python that calls NumPy ufuncs with
`out=` scratch buffers, so the chain allocates nothing but its result; a trailing
reduction (Sum, Mean, Max, Min) is absorbed, so `reduce_sum(relu(x*2+1)*sigmoid(x))`
allocates nothing at all. With buffer reuse on, the scratch buffers live as long as the
compiled plan, which avoids fresh page faults on every call for large tensors.
"""

from __future__ import annotations

import numpy as np

from arroyo.framework.op_registry import OpDef
from arroyo.graph.graph import Operation, SymbolicTensor

# op type -> code template writing into {o}; {a}, {b} are operands.
_INPLACE = {
    "AddV2": "_np.add({a}, {b}, out={o})",
    "Sub": "_np.subtract({a}, {b}, out={o})",
    "Mul": "_np.multiply({a}, {b}, out={o})",
    "RealDiv": "_np.true_divide({a}, {b}, out={o})",
    "Maximum": "_np.maximum({a}, {b}, out={o})",
    "Minimum": "_np.minimum({a}, {b}, out={o})",
    "SquaredDifference": "_np.subtract({a}, {b}, out={o}); _np.square({o}, out={o})",
    "Neg": "_np.negative({a}, out={o})",
    "Abs": "_np.absolute({a}, out={o})",
    "Exp": "_np.exp({a}, out={o})",
    "Log": "_np.log({a}, out={o})",
    "Sqrt": "_np.sqrt({a}, out={o})",
    "Rsqrt": "_np.sqrt({a}, out={o}); _np.true_divide(1, {o}, out={o})",
    "Square": "_np.square({a}, out={o})",
    "Reciprocal": "_np.true_divide(1, {a}, out={o})",  # = reciprocal, 2x faster on big arrays
    "Tanh": "_np.tanh({a}, out={o})",
    "Sin": "_np.sin({a}, out={o})",
    "Cos": "_np.cos({a}, out={o})",
    "Floor": "_np.floor({a}, out={o})",
    "Ceil": "_np.ceil({a}, out={o})",
    "Relu": "_np.maximum({a}, 0, out={o})",
    "Sigmoid": "_np.negative({a}, out={o}); _np.exp({o}, out={o}); _np.add({o}, 1, out={o}); "
    "_np.true_divide(1, {o}, out={o})",
}
_SIGMOID_DENOMINATOR = "_np.negative({a}, out={o}); _np.exp({o}, out={o}); _np.add({o}, 1, out={o})"
_FLOAT_ONLY = {
    "RealDiv",
    "Reciprocal",
    "Rsqrt",
    "Sqrt",
    "Exp",
    "Log",
    "Tanh",
    "Sin",
    "Cos",
    "Sigmoid",
}
_REDUCTIONS = {"Sum": "sum", "Mean": "mean", "Max": "max", "Min": "min"}


def _fusible(op):
    if op.type not in _INPLACE or len(op._outputs) != 1:
        return False
    out = op._outputs[0]
    if not out.shape.is_fully_defined() or out.dtype._np is None or out.dtype._np.kind not in "fiu":
        return False
    if op.type in _FLOAT_ONLY and out.dtype._np.kind != "f":
        return False
    return all(t.dtype == out.dtype and t.shape.is_fully_defined() for t in op.inputs)


def fuse_elementwise(graph, inputs, outputs, reuse_buffers=True):
    consumers: dict[int, int] = {}
    for op in graph._ops:
        for t in op.inputs:
            consumers[id(t)] = consumers.get(id(t), 0) + 1
    for t in outputs:
        consumers[id(t)] = consumers.get(id(t), 0) + 1

    group_of: dict[int, list] = {}  # id(op) -> its group (list of ops, in graph order)
    groups = []
    closed = set()  # groups ended by a reduction take no further ops
    for op in graph._ops:
        if _fusible(op):
            # Join (and merge) every group whose only consumer of its result is this op.
            joined = []
            for t in op.inputs:
                if (
                    isinstance(t, SymbolicTensor)
                    and consumers.get(id(t)) == 1
                    and id(t.op) in group_of
                ):
                    g = group_of[id(t.op)]
                    if g[-1] is t.op and id(g) not in closed and not any(g is j for j in joined):
                        joined.append(g)
            if not joined:
                group = []
                groups.append(group)
            else:
                group = joined[0]
                for other in joined[1:]:
                    group.extend(other)
                    other.clear()
                group.sort(key=graph._ops.index)
            group.append(op)
            for member in group:
                group_of[id(member)] = group
        elif op.type in _REDUCTIONS and op.inputs and isinstance(op.inputs[0], SymbolicTensor):
            src = op.inputs[0]
            axes = op.inputs[1]
            if (consumers.get(id(src)) == 1 and id(src.op) in group_of and axes.op.type == "Const"
                    and group_of[id(src.op)][-1] is src.op and id(group_of[id(src.op)]) not in closed):  # fmt: skip
                group = group_of[id(src.op)]
                group.append(op)
                group_of[id(op)] = group
                closed.add(id(group))
    replaced = {}
    for group in groups:
        if len(group) < 2:
            continue
        fused = _build_fused(graph, group, reuse_buffers)
        replaced[id(group[-1]._outputs[0])] = fused._outputs[0]
        idx = graph._ops.index(group[-1])
        graph._ops[idx] = fused
        for op in group[:-1]:
            graph._ops.remove(op)
    if not replaced:
        return outputs
    for op in graph._ops:
        op._inputs = tuple(replaced.get(id(t), t) for t in op._inputs)
    return [replaced.get(id(t), t) for t in outputs]


_FUSED_DEF = OpDef(
    "_FusedElementwise", ("*inputs",), {}, None, None, None, 1, False, "N", False, False
)


def _build_fused(graph, group, reuse_buffers):
    inside = {id(op._outputs[0]) for op in group}
    ext = []
    ext_ids = {}
    for op in group:
        for t in op.inputs:
            if (
                id(t) not in inside
                and id(t) not in ext_ids
                and not (op.type in _REDUCTIONS and t is op.inputs[1])
            ):
                ext_ids[id(t)] = len(ext)
                ext.append(t)
    kernel, src = _parallel(group, ext, ext_ids, reuse_buffers) or _generate(
        group, ext_ids, reuse_buffers
    )
    last = group[-1]._outputs[0]
    op = Operation(graph, _FUSED_DEF, graph.unique_name("FusedElementwise"), ext, {"N": len(ext)})
    op._op_def = OpDef(
        "_FusedElementwise", ("*inputs",), {}, kernel, None, None, 1, False, "N", False, False
    )
    op._attrs = {}
    op._outputs = [SymbolicTensor(op, 0, last.dtype, last.shape)]
    op.source = src
    return op


def _generate(group, ext_ids, reuse_buffers, body=False):
    """Generated code for one group; scratch buffers are assigned by liveness.

    With body=True the code works on one slice of flattened operands: scratch buffers and
    the result slice are parameters, and a trailing reduction returns its partial value
    (see _parallel)."""
    names = {}
    for tid, i in ext_ids.items():
        names[tid] = f"i{i}"
    last_use = {}
    for k, op in enumerate(group):
        for t in op.inputs:
            last_use[id(t)] = k
    free: list[tuple] = []  # (shape, dtype, name) of dead buffers
    buffers = []  # (name, shape, dtype)
    lines = []
    env = {"_np": np}
    terminal = group[-1].type in _REDUCTIONS
    final_elementwise = group[-2] if terminal else group[-1]
    # Sigmoids whose only consumer is a Mul in this group are emitted as 1 + exp(-x).
    consumers_in_group = {}
    for op in group:
        for t in op.inputs:
            consumers_in_group.setdefault(id(t), []).append(op)
    denominators, denominator_outputs = set(), set()
    for op in group:
        if op.type == "Sigmoid" and op is not final_elementwise:
            users = consumers_in_group.get(id(op._outputs[0]), [])
            if (
                len(users) == 1
                and users[0].type == "Mul"
                and users[0].inputs[0] is not users[0].inputs[1]
            ):
                denominators.add(id(op))
                denominator_outputs.add(id(op._outputs[0]))
    for k, op in enumerate(group):
        out = op._outputs[0]
        if op.type in _REDUCTIONS:
            src = names[id(op.inputs[0])]
            axes = tuple(int(a) for a in np.ravel(op.inputs[1].op.attrs["value"]))
            keep = bool(op.attrs.get("keep_dims", False))
            fn = _REDUCTIONS[op.type]
            if body:
                lines.append(f"return _np.{'sum' if fn == 'mean' else fn}({src})")
                break
            lines.append(f"r = _np.{fn}({src}, axis={axes}, keepdims={keep})")
            lines.append(f"return r if isinstance(r, _np.ndarray) else _np.{out.dtype._np.name}(r)")
            break
        shape, dtype = tuple(out.shape.as_list()), out.dtype._np
        if op is final_elementwise and not terminal:
            o = "res"
            if not body:
                lines.append(f"res = _np.empty({shape}, _np.{dtype.name})")
        else:
            o = None
            # Elementwise ops may write into an operand buffer that dies here (in place).
            for t in op.inputs:
                n = names.get(id(t), "")
                if (n.startswith("b") and last_use.get(id(t)) == k
                        and tuple(t.shape.as_list()) == shape and t.dtype._np == dtype):  # fmt: skip
                    o = n
                    break
            for j, (s, d, n) in enumerate(free if o is None else ()):
                if s == shape and d == dtype:
                    o = n
                    free.pop(j)
                    break
            if o is None:
                o = f"b{len(buffers)}"
                buffers.append((o, shape, dtype))
        ops = [names[id(t)] if id(t) in names else _const_name(env, t) for t in op.inputs]
        template = _INPLACE[op.type]
        if id(op) in denominators:
            template = _SIGMOID_DENOMINATOR  # 1 + exp(-x): the consumer divides by it
        elif op.type == "Mul" and any(id(t) in denominator_outputs for t in op.inputs):
            # a * sigmoid(x) == a / (1 + exp(-x)): one pass fewer than reciprocal + multiply
            if id(op.inputs[0]) in denominator_outputs:
                ops = [ops[1], ops[0]]
            template = "_np.true_divide({a}, {b}, out={o})"
        code = template.format(a=ops[0], b=ops[1] if len(ops) > 1 else None, o=o)
        lines.extend(code.split("; "))
        names[id(out)] = o
        for t in op.inputs:
            if last_use.get(id(t)) == k and names.get(id(t), "").startswith("b"):
                n = names[id(t)]
                if n != o:
                    free.append((tuple(t.shape.as_list()), t.dtype._np, n))
    if not terminal:
        lines.append("return res")
    params = ", ".join(f"i{i}" for i in range(len(ext_ids)))
    if body:
        extra = "".join(f", {name}" for name, _, _ in buffers) + ("" if terminal else ", res")
        src = f"def body({params}{extra}):\n    " + "\n    ".join(lines) + "\n"
        exec(compile(src, "<arroyo fused body>", "exec"), env)
        return env["body"], src, buffers
    if reuse_buffers:
        for name, shape, dtype in buffers:
            env[name] = np.empty(shape, dtype)
        body = "\n    ".join(lines)
    else:
        allocs = [
            f"{name} = _np.empty({shape}, _np.{dtype.name})" for name, shape, dtype in buffers
        ]
        body = "\n    ".join(allocs + lines)
    src = f"def fused({params}, N=None):\n    {body}\n"
    exec(compile(src, "<arroyo fused kernel>", "exec"), env)
    return env["fused"], src


def _const_name(env, t):
    # Operands that are graph constants are inlined as globals of the kernel.
    name = f"c{len(env)}"
    env[name] = t.op.attrs["value"]
    return name


# Large fused groups run in chunks shared by two threads (ops/_parallel.run_claimed):
# NumPy's ufuncs release the GIL, so an elementwise chain uses both cores (TF's Eigen
# kernels are multi-threaded too).
PARALLEL_MIN_ELEMENTS = 1 << 18


def _parallel(group, ext, ext_ids, reuse_buffers):
    """A two-thread kernel for a large group of same-shape elementwise ops, or None."""
    import os

    if (os.cpu_count() or 1) < 2:
        return None
    terminal = group[-1].type in _REDUCTIONS
    elementwise = group[:-1] if terminal else group
    shape = tuple(elementwise[-1]._outputs[0].shape.as_list())
    n = int(np.prod(shape)) if shape else 1
    if n < PARALLEL_MIN_ELEMENTS:
        return None
    if any(tuple(op._outputs[0].shape.as_list()) != shape for op in elementwise):
        return None
    full = []
    for t in ext:
        dims = tuple(t.shape.as_list())
        if dims == shape:
            full.append(True)
        elif int(np.prod(dims)) == 1:
            full.append(False)
        else:
            return None  # real broadcasting inside: keep the single-threaded kernel
    red = None
    if terminal:
        op = group[-1]
        axes = {int(a) % len(shape) for a in np.ravel(op.inputs[1].op.attrs["value"])}
        if axes != set(range(len(shape))) or op.attrs.get("keep_dims", False):
            return None
        red = _REDUCTIONS[op.type]
    body, src, buffers = _generate(group, ext_ids, reuse_buffers, body=True)
    out_dtype = group[-1]._outputs[0].dtype._np
    from arroyo.ops._parallel import bounds, run_claimed

    parts = bounds(n)
    size = max(hi - lo for lo, hi in parts)
    # one set of scratch buffers per thread slot (the caller's and the helper's), sliced
    # per chunk
    pools = (
        [[np.empty(size, d) for _, _, d in buffers] for _ in range(2)] if reuse_buffers else None
    )

    def kernel(*inputs, N=None):
        flat = [x.reshape(-1) if f else np.reshape(x, ()) for x, f in zip(inputs, full)]
        res = np.empty(n, out_dtype) if red is None else None

        def work(i, slot):
            lo, hi = parts[i]
            args = [x[lo:hi] if f else x for x, f in zip(flat, full)]
            m = hi - lo
            bufs = (
                [b[:m] for b in pools[slot]]
                if pools is not None
                else [np.empty(m, d) for _, _, d in buffers]
            )
            if res is None:
                return body(*args, *bufs)
            body(*args, *bufs, res[lo:hi])
            return None

        partial = run_claimed(work, len(parts), threads=2)
        if red is None:
            return res.reshape(shape)
        if red == "max":
            r = np.maximum.reduce(partial)
        elif red == "min":
            r = np.minimum.reduce(partial)
        else:
            r = np.add.reduce(np.asarray(partial, dtype=out_dtype), dtype=out_dtype)
            if red == "mean":
                r = r / out_dtype.type(n)
        return out_dtype.type(r)

    return kernel, "# chunks shared by two threads, each running:\n" + src
