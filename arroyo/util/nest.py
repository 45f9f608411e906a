"""`tf.nest`: flatten and rebuild nested structures of lists, tuples, dicts and namedtuples.

Dicts flatten in sorted-key order, as in TensorFlow.
"""

from __future__ import annotations

import collections.abc

__all__ = ["flatten", "pack_sequence_as", "map_structure", "is_nested", "assert_same_structure"]


def _is_namedtuple(x) -> bool:
    return isinstance(x, tuple) and hasattr(type(x), "_fields")


def is_nested(x) -> bool:
    return isinstance(x, (list, tuple, dict, collections.abc.Mapping)) or _is_attrs(x)


is_sequence = is_nested


def _is_attrs(x) -> bool:
    return hasattr(type(x), "__attrs_attrs__")


def _sorted_keys(d):
    try:
        return sorted(d)
    except TypeError:
        return list(d)


def _children(x):
    if isinstance(x, collections.abc.Mapping):
        return [x[k] for k in _sorted_keys(x)]
    if _is_attrs(x):
        return [getattr(x, a.name) for a in type(x).__attrs_attrs__]
    return list(x)


def flatten(structure, expand_composites=False):
    """Flattens a nested structure into a list of leaves (None is a leaf)."""
    if not is_nested(structure):
        return [structure]
    out = []
    stack = [structure]
    # Iterative depth-first walk keeping left-to-right order.
    def walk(x):
        if is_nested(x):
            for c in _children(x):
                walk(c)
        else:
            out.append(x)

    walk(stack[0])
    return out


def _rebuild(template, children):
    if isinstance(template, collections.abc.Mapping):
        keys = _sorted_keys(template)
        d = dict(zip(keys, children))
        if type(template) is dict:
            return {k: d[k] for k in template}
        try:
            return type(template)((k, d[k]) for k in template)
        except TypeError:
            return {k: d[k] for k in template}
    if _is_namedtuple(template):
        return type(template)(*children)
    if _is_attrs(template):
        return type(template)(*children)
    if isinstance(template, tuple):
        return tuple(children)
    if isinstance(template, list):
        return list(children)
    return type(template)(children)


def pack_sequence_as(structure, flat_sequence, expand_composites=False):
    """Inverse of `flatten`: rebuilds `structure`'s shape from a flat list."""
    flat_sequence = list(flat_sequence)
    if not is_nested(structure):
        if len(flat_sequence) != 1:
            raise ValueError(f"Structure is a scalar but len(flat_sequence) == {len(flat_sequence)} > 1")
        return flat_sequence[0]
    pos = [0]

    def build(s):
        if is_nested(s):
            return _rebuild(s, [build(c) for c in _children(s)])
        v = flat_sequence[pos[0]]
        pos[0] += 1
        return v

    n = len(flatten(structure))
    if n != len(flat_sequence):
        raise ValueError(
            f"Could not pack sequence. Structure had {n} atoms, but flat_sequence had "
            f"{len(flat_sequence)} items."
        )
    return build(structure)


def assert_same_structure(nest1, nest2, check_types=True, expand_composites=False):
    def shape(x):
        if is_nested(x):
            kind = type(x) if check_types else (dict if isinstance(x, collections.abc.Mapping) else list)
            keys = _sorted_keys(x) if isinstance(x, collections.abc.Mapping) else None
            return (kind.__name__ if check_types else kind.__name__, keys, [shape(c) for c in _children(x)])
        return None

    a, b = shape(nest1), shape(nest2)
    if a != b:
        raise ValueError(
            f"The two structures don't have the same nested structure.\n\nFirst structure: "
            f"{nest1!r}\n\nSecond structure: {nest2!r}"
        )


def map_structure(func, *structure, **kwargs):
    """Applies `func` leaf-wise across one or more structures of the same shape."""
    if not structure:
        raise ValueError("Must provide at least one structure")
    check_types = kwargs.pop("check_types", True)
    for other in structure[1:]:
        assert_same_structure(structure[0], other, check_types=check_types)
    flats = [flatten(s) for s in structure]
    return pack_sequence_as(structure[0], [func(*xs) for xs in zip(*flats)])


def flatten_up_to(shallow, structure):
    if not is_nested(shallow):
        return [structure]
    out = []
    for s, c in zip(_children(shallow), _children(structure)):
        out.extend(flatten_up_to(s, c))
    return out
