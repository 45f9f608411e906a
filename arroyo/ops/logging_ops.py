"""`tf.print`: prints at run time (every call of a tf.function, in program order).

Tensors are formatted as TF's C++ summarizer does: numbers in the shortest of %.6g/%.9g
(float32) or %.15g/%.17g (float64) that reads back exactly, bools as 1/0, strings quoted
inside tensors, and at most `summarize` leading and trailing entries per dimension.
"""

from __future__ import annotations

import sys

import numpy as np

from arroyo.framework import dtypes
from arroyo.framework.context import state
from arroyo.framework.op_registry import defop, execute
from arroyo.framework.tensor import EagerTensor, Tensor
from arroyo.util import nest


def _fmt_float(v, digits):
    for d in digits:
        s = f"{float(v):.{d}g}"
        if np.asarray(float(s), dtype=v.dtype) == v:
            return s
    return f"{float(v):.{digits[-1]}g}"


def _fmt_scalar(v):
    if isinstance(v, bytes):
        return '"' + v.decode("utf-8", "replace") + '"'
    if isinstance(v, (np.bool_, bool)):
        return "1" if v else "0"
    if isinstance(v, np.floating):
        if np.isnan(v):
            return "nan"
        if np.isinf(v):
            return "inf" if v > 0 else "-inf"
        if v.dtype == np.float64:
            return _fmt_float(v, (15, 17))
        if v.dtype == np.float32:
            return _fmt_float(v, (6, 9))
        return _fmt_float(np.float32(v), (6, 9))
    if isinstance(v, np.complexfloating):
        return "?"
    return str(v)


def format_tensor(arr, summarize=3) -> str:
    arr = np.asarray(arr)
    if arr.ndim == 0:
        return _fmt_scalar(arr[()])
    if summarize is None or summarize < 0:
        summarize = max(arr.shape) if arr.size else 1

    def rec(a, depth):
        n = a.shape[0]
        if n > 2 * summarize:
            idx = list(range(summarize)) + [None] + list(range(n - summarize, n))
        else:
            idx = list(range(n))
        if a.ndim == 1:
            return "[" + " ".join("..." if i is None else _fmt_scalar(a[i]) for i in idx) + "]"
        sep = "\n" + " " * (depth + 1)
        parts = ["..." if i is None else rec(a[i], depth + 1) for i in idx]
        return "[" + sep.join(parts) + "]"

    if arr.size == 0:
        return "[]"
    return rec(arr, 0)


def _format_value(x, summarize):
    if isinstance(x, np.ndarray) or isinstance(x, np.generic):
        return format_tensor(x, summarize)
    if isinstance(x, str):
        return x
    if isinstance(x, dict):
        return "{" + ", ".join(f"{k!r}: {_format_value(v, summarize)}" for k, v in x.items()) + "}"
    if isinstance(x, list):
        return "[" + ", ".join(_format_value(v, summarize) for v in x) + "]"
    if isinstance(x, tuple):
        return "(" + ", ".join(_format_value(v, summarize) for v in x) + ")"
    return str(x)


def _print_kernel(*values, N, template, sep, end, summarize, stream):
    it = iter(values)
    filled = nest.map_structure(lambda leaf: next(it) if leaf is _SLOT else leaf, template)
    text = sep.join(_format_value(v, summarize) for v in filled) + end
    out = sys.stdout if stream == "stdout" else sys.stderr if stream == "stderr" else stream
    if callable(getattr(out, "write", None)):
        out.write(text)
        if hasattr(out, "flush"):
            out.flush()
    elif isinstance(out, str) and out.startswith("file://"):
        with open(out[len("file://") :], "a") as fh:
            fh.write(text)
    else:
        import logging

        logging.getLogger("arroyo").info(text.rstrip("\n"))


class _Slot:
    def __repr__(self):
        return "<tensor>"


_SLOT = _Slot()

PRINT = defop("PrintV2", ("*inputs",), _print_kernel,
              attrs={"N": 0, "template": None, "sep": " ", "end": "\n", "summarize": 3,
                     "stream": "stderr"}, list_attr="N", num_outputs=0, stateful=True,
              infer=lambda inputs, attrs: [], differentiable=False)  # fmt: skip


def print_(*inputs, output_stream=sys.stderr, summarize=3, sep=" ", end="\n", name=None):
    """Prints tensors and Python values; inside tf.function it runs on every call.

    >>> tf.print(tf.constant([1.5, 2.0]), "done", output_stream=sys.stdout)
    [1.5 2] done
    """
    tensors = []

    def slot(x):
        if isinstance(x, Tensor) or getattr(x, "_is_arroyo_variable", False):
            tensors.append(x.value() if getattr(x, "_is_arroyo_variable", False) else x)
            return _SLOT
        return x

    template = nest.map_structure(slot, list(inputs))
    stream = output_stream
    if output_stream is sys.stdout:
        stream = "stdout"
    elif output_stream is sys.stderr:
        stream = "stderr"
    attrs = {"N": len(tensors), "template": template, "sep": sep, "end": end,
             "summarize": summarize, "stream": stream}  # fmt: skip
    if state.graph is None:
        _print_kernel(*[t._value if isinstance(t, EagerTensor) else t for t in tensors], **attrs)
        return None
    return execute(PRINT, tuple(tensors), attrs, name)


TF_API = {"tf": ["print=print_"]}
_ = dtypes
