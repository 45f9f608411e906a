"""Composite tensors: values made of several tensors (SparseTensor, RaggedTensor, ...).

The protocol, kept small so other value types (a Dataset, ...) can join it:

* a value subclasses `CompositeTensor` and has a `_type_spec` property: a `TypeSpec`
  describing it without data (dtype, static shape, ...); specs are hashable and compare
  by value, which is how `tf.function` keys its trace cache for composite arguments;
* `value._to_components()` returns the value's component tensors as a flat list (for
  SparseTensor: indices, values, dense_shape);
* `spec._from_components(components)` rebuilds a value of that spec from such a list, and
  `spec._component_specs` lists one `TensorSpec` per component (the placeholders that
  `tf.function` creates for a composite argument).

`tf.nest.flatten(x, expand_composites=True)` replaces every composite (and every TypeSpec)
by its components; `pack_sequence_as(..., expand_composites=True)` rebuilds them.

    >>> st = tf.sparse.from_dense([[0, 1]])
    >>> [t.dtype.name for t in st._to_components()]
    ['int64', 'int32', 'int64']
"""

from __future__ import annotations

__all__ = ["CompositeTensor", "TypeSpec", "is_composite", "components_of", "from_components"]


class CompositeTensor:
    """Base class of values made of component tensors (see the module docstring)."""

    __slots__ = ()

    @property
    def _type_spec(self) -> TypeSpec:
        raise NotImplementedError

    def _to_components(self) -> list:
        raise NotImplementedError

    def _consumers(self):
        return []


class TypeSpec:
    """Describes a composite value: `value_type`, component specs, compatibility.

    Subclasses define `value_type`, `_serialize()` (a hashable tuple of the spec's parts,
    used for equality and hashing), `_component_specs` and `_from_components`, and usually
    `_with_shape(shape)` (used by the default `most_specific_common_supertype`).
    """

    __slots__ = ()

    value_type = None

    def _serialize(self) -> tuple:
        raise NotImplementedError

    @property
    def _component_specs(self) -> list:
        raise NotImplementedError

    def _to_components(self, value) -> list:
        return value._to_components()

    def _from_components(self, components):
        raise NotImplementedError

    def _shape_and_dtype(self):
        return self._serialize()[0], self._serialize()[1]

    def is_compatible_with(self, spec_or_value) -> bool:
        """True when `spec_or_value` (a spec or a value) has this spec's type and fits it."""
        other = spec_or_value
        if isinstance(other, CompositeTensor):
            other = other._type_spec
        if type(other) is not type(self):
            return False
        return self._compatible(other)

    def _compatible(self, other) -> bool:
        mine, theirs = self._serialize(), other._serialize()
        if len(mine) != len(theirs):
            return False
        for a, b in zip(mine, theirs):
            if hasattr(a, "is_compatible_with"):
                if not a.is_compatible_with(b):
                    return False
            elif a != b:
                return False
        return True

    def most_specific_common_supertype(self, others):
        """The narrowest spec both this and every one of `others` fit, or None."""
        shape = self._serialize()[0]
        for o in others:
            if type(o) is not type(self) or not self._same_except_shape(o):
                return None
            shape = shape.most_specific_compatible_shape(o._serialize()[0])
        return self._with_shape(shape)

    def _same_except_shape(self, other) -> bool:
        a, b = self._serialize(), other._serialize()
        if a[0].rank != b[0].rank:
            return False
        return a[1:] == b[1:]

    def most_specific_compatible_type(self, other):
        out = self.most_specific_common_supertype([other])
        if out is None:
            raise ValueError(f"No TypeSpec is compatible with both {self} and {other}")
        return out

    def __eq__(self, other):
        return type(other) is type(self) and self._serialize() == other._serialize()

    def __ne__(self, other):
        return not self == other

    def __hash__(self):
        return hash((type(self).__name__, self._serialize()))

    def __reduce__(self):
        return type(self), self._serialize()


def is_composite(x) -> bool:
    return isinstance(x, CompositeTensor)


def components_of(x) -> list:
    """A composite's component tensors; a TypeSpec's component specs."""
    if isinstance(x, TypeSpec):
        return list(x._component_specs)
    return list(x._to_components())


def from_components(spec_or_value, components):
    """Rebuilds a composite of the spec (or of the value's spec) from its components."""
    spec = spec_or_value if isinstance(spec_or_value, TypeSpec) else spec_or_value._type_spec
    return spec._from_components(list(components))


# -- dispatch of public ops on composite arguments ------------------------------------------
#
# Public ops check for composite arguments only on their slow (converting) path, then call
# `dispatch(api_name, *args, **kwargs)`; the composite modules register handlers here.
# A handler returns NotImplemented when the arguments are not its kind.

_HANDLERS: dict = {}


def register_dispatch(api_name, handler):
    _HANDLERS.setdefault(api_name, []).append(handler)


def dispatch(api_name, *args, **kwargs):
    for handler in _HANDLERS.get(api_name, ()):
        out = handler(*args, **kwargs)
        if out is not NotImplemented:
            return out
    kinds = sorted({type(a).__name__ for a in args if isinstance(a, CompositeTensor)})
    raise TypeError(f"{api_name} does not support {', '.join(kinds) or 'these'} arguments")


def elementwise_unary(fn, x):
    """`fn` (a one-tensor op) applied to composite `x` through its `_dispatch_unary`."""
    handler = getattr(type(x), "_dispatch_unary", None)
    if handler is None:
        raise TypeError(f"{type(x).__name__} does not support elementwise ops")
    return handler(fn, x)


def elementwise_binary(fn, x, y):
    """`fn` (a two-tensor op) applied to arguments of which at least one is composite."""
    for v in (x, y):
        if isinstance(v, CompositeTensor):
            handler = getattr(type(v), "_dispatch_binary", None)
            if handler is not None:
                out = handler(fn, x, y)
                if out is not NotImplemented:
                    return out
    kinds = sorted({type(a).__name__ for a in (x, y) if isinstance(a, CompositeTensor)})
    raise TypeError(f"unsupported operand type(s): {', '.join(kinds)} for this op")
