"""Graph traces: `tf.summary.trace_on` / `trace_export` / `trace_off`.

While a trace is on, every tf.function call is noted (through `arroyo.profiler._hooks`).
`trace_export` writes what TF 2.21 writes: one tensor summary tagged `name` whose value is a
serialized `RunMetadata` with one `function_graphs` entry per function called, holding the
traced graph (`pre_optimization_graph`, with `_Arg`/`_Retval` nodes as TF's function
runtime shows them) and arroyo's optimized graph (`post_optimization_graph` and
`partition_graphs`); its SummaryMetadata names the plugin "graph_run_metadata_graph"
(content "1"), which TensorBoard's graph dashboard reads. With `profiler=True` the plugin
is "graph_run_metadata" and the profiler records the same interval.
"""

from __future__ import annotations

import logging
import threading

import numpy as np

from arroyo.framework import dtypes
from arroyo.framework.context import state

__all__ = ["trace_on", "trace_off", "trace_export", "graph_def_proto"]

_log = logging.getLogger("arroyo")
_lock = threading.Lock()
_current = None  # _Trace while a trace is on


class _Trace:
    def __init__(self, graph, profiler):
        self.graph = graph
        self.profiler = profiler
        self.functions = []  # ConcreteFunctions called, first call order
        self._seen = set()
        self.remove = None

    def note(self, cf, t0, t1):
        if id(cf) not in self._seen:
            self._seen.add(id(cf))
            self.functions.append(cf)


def trace_on(graph=True, profiler=False, profiler_outdir=None):
    """Starts recording the graphs of tf.function calls (and, with `profiler=True`, a
    profile written to `profiler_outdir`) until `trace_export` or `trace_off`.

    >>> tf.summary.trace_on(graph=True)
    >>> f(x)
    >>> with writer.as_default():
    ...     tf.summary.trace_export("f_trace", step=0)
    """
    global _current
    if state.graph is not None:
        _log.warning("Cannot enable trace inside a tf.function.")
        return
    with _lock:
        if _current is not None:
            _log.warning("Trace already enabled")
            return
        tr = _Trace(graph, profiler)
        if profiler:
            if profiler_outdir is None:
                _log.warning(
                    "No `profiler_outdir` passed to trace_on(). Profiler won't be enabled."
                )
            else:
                from arroyo.profiler import experimental as prof

                prof.start(profiler_outdir)
        from arroyo.profiler import _hooks

        tr.remove = _hooks.add(tr.note)
        _current = tr


def trace_off():
    """Stops the current trace and discards what it collected."""
    global _current
    with _lock:
        tr = _current
        if tr is None:
            return
        _current = None
    tr.remove()
    if tr.profiler:
        from arroyo.profiler import experimental as prof

        try:
            prof.stop()
        except Exception as e:  # noqa: BLE001 - as TF: warn and go on
            _log.warning("Error while stopping profiler: %s", e)


def trace_export(name, step=None, profiler_outdir=None):
    """Stops the trace and writes the collected graphs to the default writer as a summary
    named `name` (see the module docstring for the format)."""
    from arroyo import summary

    if step is not None:
        summary._choose_step(step)
    if state.graph is not None:
        _log.warning("Cannot export trace inside a tf.function.")
        return
    with _lock:
        tr = _current
    if tr is None:
        raise ValueError("Must enable trace before export through tf.summary.trace_on.")
    try:
        if summary._state.writer is not None and hasattr(summary._state.writer, "_handle"):
            data = run_metadata_bytes(tr.functions)
            plugin = "graph_run_metadata" if tr.profiler else "graph_run_metadata_graph"
            meta = summary._events.metadata_bytes(plugin, b"1")
            with summary.experimental.summary_scope(name, "graph_run_metadata_graph_summary") as (
                tag,
                _,
            ):
                summary.write(tag, _string_tensor(data), step, meta)
        if tr.profiler and profiler_outdir:
            _log.warning(
                "Ignoring `profiler_outdir` passed to trace_export(). Please pass it to "
                "trace_on() instead."
            )
    finally:
        trace_off()


def _string_tensor(data: bytes):
    from arroyo.framework.tensor import _wrap

    return _wrap(np.array(data, dtype=object))


def run_metadata_bytes(functions) -> bytes:
    from arroyo.proto import load

    rm = load("summary_pb2").RunMetadata()
    for cf in functions:
        fg = rm.function_graphs.add()
        pre = graph_def_proto(cf.graph, cf._inputs, cf._outputs)
        fg.pre_optimization_graph.CopyFrom(pre)
        opt = getattr(cf, "_optimized_graph", None)
        post = graph_def_proto(opt, cf._inputs, cf._outputs) if opt is not None else pre
        fg.post_optimization_graph.CopyFrom(post)
        fg.partition_graphs.add().CopyFrom(post)
        rm.partition_graphs.add().CopyFrom(post)
    return rm.SerializeToString()


# -- GraphDef of a traced graph --------------------------------------------------------------


def graph_def_proto(graph, inputs=None, outputs=None):
    """A GraphDef proto of `graph`: each op a NodeDef with its attrs; with `inputs`/`outputs`
    (a function), placeholders become `_Arg` nodes, captured Variables resource `_Arg`s, and
    each output a `_Retval` node, as TF's function runtime lays a function out."""
    from arroyo.graph import graph_def as gd
    from arroyo.saved_model import tensor_proto as tp

    g = tp.pb()
    out = g.GraphDef()
    out.versions.producer = 2474
    arg_index = {}
    if inputs is not None:
        for i, t in enumerate(inputs):
            arg_index[id(t.op)] = i
    n_args = len(arg_index)
    variables = []
    seen_vars = set()
    ops = graph.get_operations()
    if outputs is not None:
        from arroyo.graph import executor

        ops = executor.live_ops(graph, outputs)
    for op in ops:
        for t in op.inputs:
            if getattr(t, "_is_arroyo_variable", False) and id(t) not in seen_vars:
                seen_vars.add(id(t))
                variables.append(t)
    for op in ops:
        if id(op) in arg_index:
            node = out.node.add(name=op.name, op="_Arg")
            node.attr["index"].i = arg_index[id(op)]
            node.attr["T"].type = op.outputs[0].dtype.as_datatype_enum
            tp.shape_proto(op.outputs[0].shape, node.attr["_output_shapes"].list.shape.add())
            continue
        nd = gd.node_def(op, add_shapes=True)
        node = out.node.add(name=nd.name, op=nd.op, device=nd.device or "")
        node.input.extend(nd.input)
        for k, av in nd.attr.items():
            if op.type == "Const" and k == "value":
                v = op.attrs["value"]
                tp.make_tensor_proto(v, op.attrs.get("dtype"), node.attr["value"].tensor)
                continue
            _attr(av, node.attr[k], tp)
    for j, v in enumerate(variables):
        node = out.node.add(name=v._handle_name, op="_Arg")
        node.attr["index"].i = n_args + j
        node.attr["T"].type = dtypes.resource.as_datatype_enum
    if outputs is not None:
        for i, t in enumerate(outputs):
            if not hasattr(t, "op"):
                continue
            node = out.node.add(name="identity_RetVal" if i == 0 else f"identity_{i}_RetVal",
                                op="_Retval")  # fmt: skip
            node.input.append(t.op.name if t.value_index == 0 else f"{t.op.name}:{t.value_index}")
            node.attr["index"].i = i
            node.attr["T"].type = t.dtype.as_datatype_enum
    return out


def _attr(av, out, tp):
    kind, v = av.kind, av.value
    if kind == "type":
        out.type = v.as_datatype_enum
    elif kind == "shape":
        tp.shape_proto(v, out.shape)
    elif kind == "tensor":
        try:
            tp.make_tensor_proto(v, None, out.tensor)
        except (ValueError, TypeError):
            out.s = repr(v).encode()
    elif kind == "b":
        out.b = bool(v)
    elif kind == "i":
        out.i = int(v)
    elif kind == "f":
        out.f = float(v)
    elif kind == "s":
        out.s = v
    elif kind == "list":
        lv = out.list
        lv.SetInParent()
        for item in v:
            k, x = item.kind, item.value
            if k == "type":
                lv.type.append(x.as_datatype_enum)
            elif k == "shape":
                tp.shape_proto(x, lv.shape.add())
            elif k == "b":
                lv.b.append(bool(x))
            elif k == "i":
                lv.i.append(int(x))
            elif k == "f":
                lv.f.append(float(x))
            elif k == "s":
                lv.s.append(x)
    else:  # sub-graphs (control flow) and Python objects: named, not serialized
        out.func.name = getattr(v, "name", type(v).__name__)
