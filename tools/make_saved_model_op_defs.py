"""Writes arroyo/saved_model/op_defs.json: TensorFlow's op signatures for arroyo's ops.

A SavedModel stores each function as NodeDefs that TensorFlow checks against its own op
registry: every node needs TF's attrs (`T`, `Tidx`, `N`, ...), and references to outputs are
spelled `node:output_arg:index`. arroyo's ops carry the same names and attrs as
`tf.raw_ops`, and this table adds what TF's OpDef says about them (argument lists, attr
types and defaults), so arroyo can write and read SavedModels without TensorFlow.

Run with real TensorFlow after adding ops (from the repository root):

    /root/tfvenv/bin/python tools/make_saved_model_op_defs.py
"""

from __future__ import annotations

import importlib
import json
import os
import pkgutil
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
OUT = os.path.join(ROOT, "arroyo", "saved_model", "op_defs.json")

# Ops a SavedModel uses around the user's ops (calls, variables, identity, save/restore).
EXTRA = [
    "StatefulPartitionedCall",
    "PartitionedCall",
    "IdentityN",
    "Identity",
    "NoOp",
    "Const",
    "Placeholder",
    "VarHandleOp",
    "ReadVariableOp",
    "AssignVariableOp",
    "AssignAddVariableOp",
    "AssignSubVariableOp",
    "DisableCopyOnRead",
    "SaveV2",
    "RestoreV2",
    "MergeV2Checkpoints",
    "ShardedFilename",
    "StringJoin",
    "StaticRegexFullMatch",
    "Select",
    "SelectV2",
    "Pack",
    "If",
    "StatelessIf",
    "Case",
    "StatelessCase",
    "While",
    "StatelessWhile",
    "Cast",
    "ResourceGather",
    "ResourceScatterAdd",
    "ResourceScatterUpdate",
    "AddV2",
    "BiasAdd",
]


def arroyo_ops():
    import arroyo  # noqa: F401 - registers the core ops
    import arroyo.ops

    for m in pkgutil.iter_modules(arroyo.ops.__path__):
        importlib.import_module(f"arroyo.ops.{m.name}")
    for name in ("arroyo.graph.control_flow", "arroyo.graph.tensor_array"):
        importlib.import_module(name)
    # op modules outside arroyo/ops (loaded with their namespaces)
    for name in ("arroyo.data.iterator_ops", "arroyo._api.io"):
        importlib.import_module(name)
    from arroyo.framework.op_registry import registered_ops

    return sorted(registered_ops())


def main():
    from google.protobuf import json_format
    from tensorflow.python.framework import op_def_registry

    names = sorted(set(arroyo_ops()) | set(EXTRA))
    table, missing = {}, []
    for name in names:
        od = op_def_registry.get(name)
        if od is None:
            missing.append(name)
            continue
        d = json_format.MessageToDict(od, preserving_proto_field_name=True)
        for key in ("summary", "description"):
            d.pop(key, None)
        for group in ("input_arg", "output_arg", "attr"):
            for item in d.get(group, []):
                item.pop("description", None)
        table[name] = d
    # Ops arroyo registers that TF lacks are listed too, so a test can tell a stale table
    # (an op added to arroyo after this ran) from an arroyo-only op.
    data = {"ops": table, "not_tensorflow": sorted(missing)}
    with open(OUT, "w") as fh:
        json.dump(data, fh, sort_keys=True, separators=(",", ":"))
        fh.write("\n")
    print(f"wrote {len(table)} op signatures to {os.path.relpath(OUT, ROOT)}")
    if missing:
        print("not TensorFlow ops (cannot be saved):", ", ".join(missing))


if __name__ == "__main__":
    main()
