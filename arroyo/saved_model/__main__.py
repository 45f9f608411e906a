"""Inspects a SavedModel, printing what TensorFlow's `saved_model_cli show` prints.

python -m arroyo.saved_model show --dir PATH                      # tag-sets
python -m arroyo.saved_model show --dir PATH --tag_set serve      # SignatureDef keys
python -m arroyo.saved_model show --dir PATH --tag_set serve --signature_def serving_default
python -m arroyo.saved_model show --dir PATH --tag_set serve --list_ops
python -m arroyo.saved_model show --dir PATH --all                # everything, and the
                                                                  # loaded concrete functions
"""

from __future__ import annotations

import argparse
import os
import sys

from arroyo.framework.tensor import TensorSpec

__all__ = ["main"]


def _read(directory):
    from arroyo.saved_model.load import _read_saved_model

    if not os.path.isfile(os.path.join(directory, "saved_model.pb")) and not os.path.isfile(
        os.path.join(directory, "saved_model.pbtxt")
    ):
        raise OSError(f"SavedModel file does not exist at: {directory}")
    return _read_saved_model(directory)


def _meta_graph(model, tag_set):
    tags = {t for t in tag_set.split(",") if t}
    valid = []
    for mg in model.meta_graphs:
        if set(mg.meta_info_def.tags) == tags:
            return mg
        valid.append(",".join(mg.meta_info_def.tags))
    raise RuntimeError(
        f"MetaGraphDef associated with tag-set {tag_set} could not be found in the SavedModel. "
        f"Please use one of the following tag-sets: {valid}"
    )


def _dtype_name(enum):
    from arroyo.proto import load

    types = load("types_pb2")
    try:
        return types.DataType.Name(enum)
    except ValueError:
        return str(enum)


def _print_tensor_info(info, indent, out):
    pad = "  " * indent
    out.write(f"{pad}    dtype: {_dtype_name(info.dtype)}\n")
    if info.tensor_shape.unknown_rank:
        shape = "unknown_rank"
    else:
        shape = "(" + ", ".join(str(d.size) for d in info.tensor_shape.dim) + ")"
    out.write(f"{pad}    shape: {shape}\n")
    out.write(f"{pad}    name: {info.name}\n")


def _show_inputs_outputs(mg, key, indent, out):
    if key not in mg.signature_def:
        raise ValueError(
            f'Could not find signature "{key}". Please choose from: {", ".join(mg.signature_def.keys())}'
        )
    sd = mg.signature_def[key]
    pad = "  " * indent
    out.write(f"{pad}The given SavedModel SignatureDef contains the following input(s):\n")
    for k in sorted(sd.inputs):
        out.write(f"{pad}  inputs['{k}'] tensor_info:\n")
        _print_tensor_info(sd.inputs[k], indent + 1, out)
    out.write(f"{pad}The given SavedModel SignatureDef contains the following output(s):\n")
    for k in sorted(sd.outputs):
        out.write(f"{pad}  outputs['{k}'] tensor_info:\n")
        _print_tensor_info(sd.outputs[k], indent + 1, out)
    out.write(f"{pad}Method name is: {sd.method_name}\n")


def _ops_used(graph_def):
    """Op types used by the graph and every function it calls (not the functions' names)."""
    functions = {f.signature.name: f for f in graph_def.library.function}
    used, todo = set(), []

    def mark(op):
        if op not in used and op in functions:
            todo.append(functions[op])
        used.add(op)

    def visit(node):
        mark(node.op)
        if node.op in ("PartitionedCall", "StatefulPartitionedCall"):
            mark(node.attr["f"].func.name)

    for n in graph_def.node:
        visit(n)
    while todo:
        for n in todo.pop().node_def:
            visit(n)
    return {op for op in used if op not in functions}


def _show_ops(mg, out):
    ops = ", ".join(repr(o) for o in sorted(_ops_used(mg.graph_def)))
    out.write(
        f"The MetaGraph with tag set {list(mg.meta_info_def.tags)} contains the following ops: {{{ops}}}\n"
    )


def _print_args(arguments, kind, indent, out):
    pad = "  " * indent

    def quote(v):
        return f"'{v}'" if isinstance(v, str) else str(v)

    for i, element in enumerate(arguments, 1):
        if indent == 4:
            out.write(f"{pad}{kind} #{i}\n")
        if isinstance(element, str):
            out.write(f"{pad}  {element}\n")
        elif isinstance(element, TensorSpec):
            out.write("  " * (indent + 1) + f"{element.name}: {element!r}\n")
        elif isinstance(element, (list, tuple)):
            out.write(f"{pad}  DType: {type(element).__name__}\n")
            out.write(f"{pad}  Value: [" + "".join(f"{quote(v)}, " for v in element) + "\b\b]\n")
        elif isinstance(element, dict):
            out.write(f"{pad}  DType: {type(element).__name__}\n")
            out.write(
                f"{pad}  Value: {{"
                + "".join(f"'{k}': {quote(v)}, " for k, v in element.items())
                + "\b\b}\n"
            )
        else:
            out.write(f"{pad}  DType: {type(element).__name__}\n")
            out.write(f"{pad}  Value: {element}\n")


def _show_functions(directory, model, out):
    if not any(mg.HasField("object_graph_def") for mg in model.meta_graphs):
        return
    out.write("\nConcrete Functions:")
    from arroyo.saved_model.load import (
        LoadOptions,
        RestoredConcreteFunction,
        RestoredFunction,
        load,
    )

    try:
        root = load(directory, options=LoadOptions(experimental_skip_checkpoint=True))
    except Exception as e:  # noqa: BLE001 - report like saved_model_cli
        why = (
            "the existence of custom ops in the SavedModel"
            if "Op type not registered" in str(e)
            else "unknown reasons"
        )
        out.write(f" N/A (could not be listed due to {why})\n")
        return
    for name in sorted(vars(root)):
        child = getattr(root, name)
        if isinstance(child, RestoredConcreteFunction):
            cfs = [child]
        elif isinstance(child, RestoredFunction):
            cfs = list(child.concrete_functions)
        else:
            continue
        out.write(f"\n  Function Name: '{name}'\n")
        for i, cf in enumerate(sorted(cfs, key=lambda c: c.name), 1):
            args, kwargs = cf.structured_input_signature
            if args:
                out.write(f"    Option #{i}\n")
                out.write("      Callable with:\n")
                _print_args(args, "Argument", 4, out)
            if kwargs:
                _print_args(kwargs, "Named Argument", 4, out)


def show(args, out=None):
    out = out or sys.stdout
    directory = args.dir
    if args.all:
        model = _read(directory)
        for mg in sorted(model.meta_graphs, key=lambda m: list(m.meta_info_def.tags)):
            tags = ", ".join(mg.meta_info_def.tags)
            out.write(
                f"\nMetaGraphDef with tag-set: '{tags}' contains the following SignatureDefs:\n"
            )
            for key in sorted(mg.signature_def):
                out.write(f"\nsignature_def['{key}']:\n")
                _show_inputs_outputs(mg, key, 1, out)
            _show_ops(mg, out)
        _show_functions(directory, model, out)
        return
    if args.tag_set is None:
        if args.list_ops:
            out.write("--list_ops must be paired with a tag-set or with --all.\n")
        model = _read(directory)
        out.write("The given SavedModel contains the following tag-sets:\n")
        for tags in sorted(sorted(mg.meta_info_def.tags) for mg in model.meta_graphs):
            out.write(f"{', '.join(tags)!r}\n")
        return
    mg = _meta_graph(_read(directory), args.tag_set)
    if args.list_ops:
        _show_ops(mg, out)
    if args.signature_def is None:
        out.write(
            "The given SavedModel MetaGraphDef contains SignatureDefs with the following keys:\n"
        )
        for key in sorted(mg.signature_def):
            out.write(f'SignatureDef key: "{key}"\n')
    else:
        _show_inputs_outputs(mg, args.signature_def, 0, out)


def _parser():
    parser = argparse.ArgumentParser(prog="python -m arroyo.saved_model",
                                     description="Inspect a SavedModel (like saved_model_cli).")  # fmt: skip
    sub = parser.add_subparsers(dest="command")
    p = sub.add_parser("show", help="Show information about a SavedModel.")
    p.add_argument("--dir", required=True, help="directory containing the SavedModel to inspect")
    p.add_argument("--all", action="store_true", help="show everything in the SavedModel")
    p.add_argument("--tag_set", default=None, help="tag-set of the MetaGraphDef, comma-separated")
    p.add_argument("--signature_def", default=None, help="key of a SignatureDef to show")
    p.add_argument("--list_ops", action="store_true", help="list the ops used by the MetaGraph")
    return parser


def main(argv=None, out=None):
    """Runs the command line; returns the exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command != "show":
        parser.print_help()
        return 1
    try:
        show(args, out)
    except (OSError, ValueError, RuntimeError) as e:
        sys.stderr.write(f"{type(e).__name__}: {e}\n")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
