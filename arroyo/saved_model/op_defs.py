"""TensorFlow's op signatures (argument lists, attr types and defaults) for arroyo's ops.

The table (op_defs.json) is generated from TF's op registry by
tools/make_saved_model_op_defs.py. A SavedModel written by TF also carries the OpDefs it
uses (`meta_info_def.stripped_op_list`); those take precedence when reading such a model.
"""

from __future__ import annotations

import json
import os

import numpy as np

__all__ = ["lookup", "OpDefs", "arg_sizes"]

_TABLE = None


def _data():
    global _TABLE
    if _TABLE is None:
        with open(os.path.join(os.path.dirname(__file__), "op_defs.json")) as fh:
            _TABLE = json.load(fh)
    return _TABLE


def lookup(name):
    """The OpDef of TF op `name` as a dict (json_format field names), or None."""
    return _data()["ops"].get(name)


def known_ops():
    """(names with a TF signature, arroyo ops known not to be TF ops)."""
    d = _data()
    return set(d["ops"]), set(d["not_tensorflow"])


class OpDefs:
    """Op signatures for one model: its own stripped_op_list first, then arroyo's table."""

    def __init__(self, op_list=None):
        self._own = {}
        if op_list is not None:
            from google.protobuf import json_format

            for od in op_list.op:
                self._own[od.name] = json_format.MessageToDict(od, preserving_proto_field_name=True)

    def get(self, name):
        d = self._own.get(name)
        return d if d is not None else lookup(name)


def arg_sizes(args, attrs, total=None):
    """How many flat tensors each ArgDef spans, given the node's attrs.

    `attrs` maps attr name -> Python value (int for number attrs, list for type lists). When a
    count is unknown and `total` is given, the one list argument takes what remains."""
    sizes = []
    unknown = []
    for i, a in enumerate(args):
        if a.get("number_attr"):
            n = attrs.get(a["number_attr"])
            sizes.append(int(n) if isinstance(n, (int, np.integer)) else None)
        elif a.get("type_list_attr"):
            lst = attrs.get(a["type_list_attr"])
            sizes.append(len(lst) if isinstance(lst, (list, tuple)) else None)
        else:
            sizes.append(1)
        if sizes[-1] is None:
            unknown.append(i)
    if unknown:
        if total is None or len(unknown) > 1:
            raise ValueError("cannot tell how many tensors a list argument holds")
        sizes[unknown[0]] = total - sum(s for s in sizes if s is not None)
    return sizes
