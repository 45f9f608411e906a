"""`tf.nest`: flatten and rebuild nested structures (lists, tuples, dicts, namedtuples...).

As in TensorFlow: dicts flatten in sorted-key order, strings and NumPy arrays are leaves,
any other Python sequence (range, ...) or mapping is a structure, and structure mismatches
raise TF's messages (ValueError, or TypeError for differing sequence types).

    >>> tf.nest.flatten({"b": [1, 2], "a": 3})
    [3, 1, 2]
"""

from __future__ import annotations

import collections.abc as _abc

__all__ = ["flatten", "pack_sequence_as", "map_structure", "is_nested", "assert_same_structure"]

_STRINGS = (str, bytes, bytearray)


def _is_namedtuple(x) -> bool:
    return isinstance(x, tuple) and hasattr(type(x), "_fields")


def _is_attrs(x) -> bool:
    return hasattr(type(x), "__attrs_attrs__")


def is_nested(seq) -> bool:
    """True for lists, tuples, dicts/mappings, other non-string sequences and attrs objects."""
    t = type(seq)
    if t is list or t is tuple or t is dict:
        return True
    if isinstance(seq, _STRINGS):
        return False
    return isinstance(seq, (_abc.Sequence, _abc.Mapping, _abc.MappingView)) or _is_attrs(seq)


is_sequence = is_nested


def _children(x):
    t = type(x)
    if t is list or t is tuple:
        return x
    if t is dict or isinstance(x, _abc.Mapping):
        return [x[k] for k in sorted(x)]
    if isinstance(x, _abc.MappingView):
        return list(x)
    if _is_attrs(x):
        return [getattr(x, a.name) for a in type(x).__attrs_attrs__]
    return list(x)


def flatten(structure, expand_composites=False):
    """Flattens a nested structure into a list of leaves (None is a leaf).

    >>> tf.nest.flatten([1, (2, 3), {"b": 4, "a": 5}])
    [1, 2, 3, 5, 4]
    """
    if expand_composites:
        out = []
        _flatten_expand(structure, out)
        return out
    if not is_nested(structure):
        return [structure]
    out = []
    _flatten_into(structure, out)
    return out


def _composite_parts(x):
    """A composite tensor's components (a TypeSpec's component specs), else None."""
    from arroyo.framework.composite_tensor import CompositeTensor, TypeSpec

    if isinstance(x, CompositeTensor):
        return x._to_components()
    if isinstance(x, TypeSpec):
        return x._component_specs
    return None


def _flatten_expand(x, out):
    """`flatten(..., expand_composites=True)`: composites become their component tensors."""
    if is_nested(x):
        for c in _children(x):
            _flatten_expand(c, out)
        return
    parts = _composite_parts(x)
    if parts is None:
        out.append(x)
    else:
        for p in parts:
            _flatten_expand(p, out)


def _flatten_into(x, out):
    for c in _children(x):
        if is_nested(c):
            _flatten_into(c, out)
        else:
            out.append(c)


def _rebuild(template, children):
    if isinstance(template, _abc.Mapping):
        d = dict(zip(sorted(template), children))
        if type(template) is dict:
            return {k: d[k] for k in template}
        try:
            return type(template)((k, d[k]) for k in template)
        except TypeError:
            return {k: d[k] for k in template}
    if _is_namedtuple(template) or _is_attrs(template):
        return type(template)(*children)
    if isinstance(template, tuple):
        return tuple(children)
    if isinstance(template, list):
        return list(children)
    try:
        return type(template)(children)
    except TypeError:
        return list(children)


def pack_sequence_as(structure, flat_sequence, expand_composites=False):
    """Inverse of `flatten`: rebuilds `structure`'s shape from a flat list.

    >>> tf.nest.pack_sequence_as([0, (0, 0)], [1, 2, 3])
    [1, (2, 3)]
    """
    if expand_composites:
        return _pack_expand(structure, flat_sequence)
    if not is_nested(flat_sequence):
        raise TypeError(
            f"Attempted to pack value:\n  {flat_sequence}\ninto a structure, but found "
            f"incompatible type `{type(flat_sequence)}` instead."
        )
    if not is_nested(structure):
        if len(flat_sequence) != 1:
            raise ValueError(
                f"The target structure is of type `{type(structure)}`\n  {structure}\nHowever the "
                f"input is a sequence ({type(flat_sequence)}) of length {len(flat_sequence)}.\n  "
                f"{flat_sequence}\nnest cannot guarantee that it is safe to map one to the other."
            )
        return flat_sequence[0]
    flat = _counted(structure, flat_sequence, expand_composites=False)
    pos = [0]

    def build(s):
        if is_nested(s):
            return _rebuild(s, [build(c) for c in _children(s)])
        v = flat[pos[0]]
        pos[0] += 1
        return v

    return build(structure)


def _counted(structure, flat_sequence, expand_composites):
    """`flat_sequence` as a list, after TF's check that it has one item per atom."""
    flat = list(flat_sequence)
    n = len(flatten(structure, expand_composites=expand_composites))
    if n != len(flat):
        raise ValueError(
            f"Could not pack sequence. Structure had {n} atoms, but flat_sequence had {len(flat)} "
            f"items.  Structure: {structure}, flat_sequence: {flat_sequence}."
        )
    return flat


def _pack_expand(structure, flat_sequence):
    """`pack_sequence_as(..., expand_composites=True)`: composites rebuilt from components."""
    flat = _counted(structure, flat_sequence, expand_composites=True)
    pos = [0]

    def build(s):
        if is_nested(s):
            return _rebuild(s, [build(c) for c in _children(s)])
        parts = _composite_parts(s)
        if parts is None:
            v = flat[pos[0]]
            pos[0] += 1
            return v
        comps = [build(p) for p in parts]
        from arroyo.framework.composite_tensor import TypeSpec

        spec = s if isinstance(s, TypeSpec) else s._type_spec
        if comps and all(isinstance(c, TypeSpec) or type(c).__name__ == "TensorSpec"
                         for c in comps):  # fmt: skip
            return spec  # a structure of specs packed back into specs
        return spec._from_components(comps)

    return build(structure)


def _desc(x):
    return f"type={type(x).__name__} str={x}"


def _dots(x):
    """The structure with every leaf shown as '.', as TF prints it in mismatch errors."""
    if not is_nested(x):
        return "."
    if isinstance(x, _abc.Mapping):
        return "{" + ", ".join(f"{k!r}: {_dots(x[k])}" for k in x) + "}"
    if _is_namedtuple(x):
        return (
            f"{type(x).__name__}("
            + ", ".join(f"{f}={_dots(v)}" for f, v in zip(x._fields, x))
            + ")"
        )
    parts = [_dots(c) for c in _children(x)]
    if isinstance(x, tuple):
        return "(" + ", ".join(parts) + ("," if len(parts) == 1 else "") + ")"
    return "[" + ", ".join(parts) + "]"


def _mismatch(a, b, check_types):
    """Why `a` and `b` differ (exception class, detail), or None when they match."""
    na, nb = is_nested(a), is_nested(b)
    if na != nb:
        seq, other = (a, b) if na else (b, a)
        return (
            ValueError,
            f'Substructure "{_desc(seq)}" is a sequence, while substructure "{_desc(other)}" is not',
        )
    if not na:
        return None
    both_maps = isinstance(a, _abc.Mapping) and isinstance(b, _abc.Mapping)
    if both_maps:  # (dict and OrderedDict count as one type)
        ka, kb = sorted(a), sorted(b)
        if ka != kb:
            return ValueError, (
                f"The two dictionaries don't have the same set of keys. First structure has keys "
                f"{_desc(ka)}, while second structure has keys {_desc(kb)}"
            )
    ca, cb = _children(a), _children(b)
    if len(ca) != len(cb):
        return ValueError, (
            "The two structures don't have the same number of elements. First structure: "
            f"{_desc(a)}. Second structure: {_desc(b)}"
        )
    if check_types and type(a) is not type(b) and not both_maps:
        return TypeError, (
            f"The two namedtuples don't have the same sequence type. First structure {_desc(a)} "
            f"has type {type(a).__name__}, while second structure {_desc(b)} has type {type(b).__name__}"
        )
    for x, y in zip(ca, cb):
        r = _mismatch(x, y, check_types)
        if r is not None:
            return r
    return None


def assert_same_structure(nest1, nest2, check_types=True, expand_composites=False):
    """Raises ValueError/TypeError, with TF's message, unless the structures match."""
    r = _mismatch(nest1, nest2, check_types)
    if r is not None:
        cls, detail = r
        raise cls(
            f"The two structures don't have the same nested structure.\n\nFirst structure: "
            f"{_desc(nest1)}\n\nSecond structure: {_desc(nest2)}\n\nMore specifically: {detail}\n"
            f"Entire first structure:\n{_dots(nest1)}\nEntire second structure:\n{_dots(nest2)}"
        )


def map_structure(func, *structure, **kwargs):
    """Applies `func` leaf-wise across one or more structures of the same shape.

    >>> tf.nest.map_structure(lambda x, y: x + y, [1, (2,)], [10, (20,)])
    [11, (22,)]
    """
    if not callable(func):
        raise TypeError(f"func must be callable, got: {func}")
    if not structure:
        raise ValueError("Must provide at least one structure")
    check_types = kwargs.pop("check_types", True)
    expand = kwargs.pop("expand_composites", False)
    if kwargs:
        raise ValueError(
            "Only valid keyword arguments are `check_types` and `expand_composites`, not: "
            + ", ".join(f"`{k}`" for k in kwargs)
        )
    for other in structure[1:]:
        assert_same_structure(structure[0], other, check_types=check_types)
    flats = [flatten(s, expand_composites=expand) for s in structure]
    return pack_sequence_as(
        structure[0], [func(*xs) for xs in zip(*flats)], expand_composites=expand
    )


def flatten_up_to(shallow, structure):
    """Flattens `structure` only as deep as `shallow` goes."""
    if not is_nested(shallow):
        return [structure]
    out = []
    for s, c in zip(_children(shallow), _children(structure)):
        out.extend(flatten_up_to(s, c))
    return out


def __dir__():
    return list(__all__)
