"""`model.summary()`: Keras 3's table (rich's box-drawing layout on an 80-column console)."""

from __future__ import annotations

import numpy as np

from arroyo.util import nest

# rich lays the table out in 76 columns (an 80-column console less 4); these are its column
# widths (border to border, padding included) for Keras 3's default positions.
_WIDTHS_SEQ = (33, 24, 15)
_WIDTHS_GRAPH = (21, 19, 12, 19)


def _fmt_shape(shape):
    if shape is None:
        return "?"
    return "(" + ", ".join("None" if d is None else str(d) for d in shape) + ")"


def _output_shape_text(layer):
    nodes = layer._inbound_nodes
    if nodes:
        outs = nodes[-1].structured_outputs if len(nodes) else None
        flat = nest.flatten(outs)
        texts = [_fmt_shape(getattr(t, "shape", None)) for t in flat]
        if len(texts) == 1:
            return texts[0]
        return "[" + ", ".join(texts) + "]"
    if not layer.built or layer._build_shapes is None:
        return "?"
    try:
        out = layer.compute_output_shape(layer._build_shapes)
    except Exception:  # noqa: BLE001 - a layer that cannot trace shows '?', as in Keras
        return "?"
    if isinstance(out, list):
        return "[" + ", ".join(_fmt_shape(s) for s in out) + "]"
    return _fmt_shape(out)


def _count(weights):
    return int(sum(int(np.prod(w.shape.as_list())) for w in weights))


def _size(weights):
    return int(sum(int(np.prod(w.shape.as_list())) * w.dtype.size for w in weights))


def readable_memory_size(n):
    units = ["B", "KB", "MB", "GB", "TB", "PB"]
    scale = 1024
    for unit in units:
        if n / scale < 1:
            return f"{n:.2f} {unit}"
        n /= scale
    return f"{n:.2f} {units[-1]}"


def _wrap(text, width):
    """Splits a cell into lines of at most `width` characters, at spaces when possible."""
    lines = []
    for part in text.split("\n"):
        words = part.split(" ")
        cur = ""
        for w in words:
            cand = w if not cur else cur + " " + w
            if len(cand) <= width:
                cur = cand
                continue
            if cur:
                lines.append(cur)
            if len(w) > width:  # rich cuts a word that cannot fit with an ellipsis
                w = w[: width - 1] + "…"
            cur = w
        lines.append(cur)
    return lines or [""]


def _table(header, rows, widths, align):
    inner = [w - 2 for w in widths]

    def line(left, mid, right, fill):
        return left + mid.join(fill * w for w in widths) + right

    def cells(values, sep):
        wrapped = [_wrap(v, w) for v, w in zip(values, inner)]
        n = max(len(c) for c in wrapped)
        out = []
        for i in range(n):
            parts = []
            for c, w, a in zip(wrapped, inner, align):
                text = c[i] if i < len(c) else ""
                parts.append(" " + (text.rjust(w) if a == "right" else text.ljust(w)) + " ")
            out.append(sep + sep.join(parts) + sep)
        return out

    lines = [line("┏", "┳", "┓", "━")]
    lines += cells(header, "┃")
    lines.append(line("┡", "╇", "┩", "━"))
    for i, row in enumerate(rows):
        if i:
            lines.append(line("├", "┼", "┤", "─"))
        lines += cells(row, "│")
    lines.append(line("└", "┴", "┘", "─"))
    return lines


def _sequential_like(model):
    from arroyo.keras.models.sequential import Sequential

    if isinstance(model, Sequential) or not model._arroyo_graph:
        return True
    nodes = model._arroyo_nodes
    seen_layers = set()
    for node in nodes:
        if len(node.inputs) > 1:
            return False
        if id(node.layer) in seen_layers:
            return False
        seen_layers.add(id(node.layer))
    for node in nodes:
        if node.inputs and len([n for n in nodes if node.outputs[0] in n.inputs]) > 1:
            return False
    return (
        len(fn_api_flat(model._arroyo_inputs)) <= 1 and len(fn_api_flat(model._arroyo_outputs)) <= 1
    )


def fn_api_flat(x):
    from arroyo.keras.models.functional import _flat_kt

    return _flat_kt(x)


def print_summary(model, line_length=None, positions=None, print_fn=None, expand_nested=False,
                  show_trainable=False):  # fmt: skip
    seq = _sequential_like(model)
    layers = model.layers
    rows = []
    for layer in layers:
        name = f"{layer.name} ({type(layer).__name__})"
        if not layer.built:
            params = "0 (unbuilt)"
        else:
            params = f"{layer.count_params():,}"
        row = [name, _output_shape_text(layer), params]
        if not seq:
            conns = []
            for node in layer._inbound_nodes:
                if node not in model._arroyo_nodes:
                    continue
                for kt in node.inputs:
                    lyr, ni, ti = kt._keras_history
                    conns.append(f"{lyr.name}[{ni}][{ti}]")
            row.append(", ".join(conns) if conns else "-")
        rows.append(row)
    if seq:
        header = ["Layer (type)", "Output Shape", "Param #"]
        widths, align = _WIDTHS_SEQ, ["left", "left", "right"]
    else:
        header = ["Layer (type)", "Output Shape", "Param #", "Connected to"]
        widths, align = _WIDTHS_GRAPH, ["left", "left", "right", "left"]
    if line_length is not None or positions is not None:
        total = line_length or sum(widths)
        pos = positions or ([0.45, 0.80, 1.0] if seq else [0.3, 0.56, 0.74, 1.0])
        if pos[-1] <= 1:
            pos = [int(p * total) for p in pos]
        widths = [b - a for a, b in zip([0] + list(pos[:-1]), pos)]
        widths[0] -= len(widths) + 1
    lines = [f'Model: "{model.name}"']
    lines += _table(header, rows, widths, align)
    tw, ntw = model.trainable_weights, model.non_trainable_weights
    total_w = list(tw) + list(ntw)
    opt = getattr(model, "optimizer", None)
    opt_vars = []
    if getattr(model, "compiled", False) and opt is not None and getattr(opt, "built", False):
        opt_vars = list(getattr(opt, "variables", []))
    total = _count(total_w) + _count(opt_vars)
    total_size = _size(total_w) + _size(opt_vars)
    lines.append(f" Total params: {total:,} ({readable_memory_size(total_size)})")
    lines.append(f" Trainable params: {_count(tw):,} ({readable_memory_size(_size(tw))})")
    lines.append(f" Non-trainable params: {_count(ntw):,} ({readable_memory_size(_size(ntw))})")
    if opt_vars:
        lines.append(
            f" Optimizer params: {_count(opt_vars):,} ({readable_memory_size(_size(opt_vars))})"
        )
    text = "\n".join(lines)
    if print_fn is None:
        print(text)
    else:
        print_fn(text)
