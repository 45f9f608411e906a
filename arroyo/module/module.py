"""`tf.Module`: automatic tracking of Variables and sub-modules set as attributes.

Collections walk the module's attributes in sorted-name order, flattening lists, tuples
and dicts; a module's own Variables come before those of its sub-modules (TF's order).
"""

from __future__ import annotations

import functools
import re

from arroyo.module.name_scope import name_scope as _name_scope
from arroyo.util import nest

__all__ = ["Module"]

_IGNORED = frozenset({"_self_unconditional_checkpoint_dependencies",
                      "_self_unconditional_dependency_names", "_checkpoint_restorer"})  # fmt: skip
_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _camel_to_snake(name: str) -> str:
    s = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", s).lower()


def _is_variable(x):
    return getattr(x, "_is_arroyo_variable", False)


class Module:
    """Base class for objects that own Variables and other Modules.

    >>> class Dense(tf.Module):
    ...     def __init__(self):
    ...         super().__init__()
    ...         self.w = tf.Variable(tf.ones([2, 2]), name="w")
    >>> [v.name for v in Dense().variables]
    ['w:0']
    """

    # TF's Keras subclasses ignore these when tracking.
    _TF_MODULE_IGNORED_PROPERTIES = _IGNORED

    def __init__(self, name=None):
        if name is None:
            name = _camel_to_snake(type(self).__name__)
        elif not _IDENT.match(name):
            raise ValueError(
                f"'{name}' is not a valid module name. Module names must be valid Python "
                "identifiers (e.g. a valid class name)."
            )
        self._name = name
        from arroyo.framework.context import state

        outer = "/".join(state.name_scope)
        self._scope_name = (outer + "/" if outer else "") + name + "/"

    def __setattr__(self, name, value):
        object.__setattr__(self, name, value)
        if "_arroyo_deferred" in self.__dict__:
            # A checkpoint restored earlier may hold this attribute's values.
            from arroyo.train.checkpoint import apply_deferred

            apply_deferred(self, name, value)

    @property
    def name(self) -> str:
        return self._name

    @property
    def name_scope(self):
        """A name scope for this module's variables (`with self.name_scope:`)."""
        return _name_scope(self._scope_name)

    @property
    def variables(self):
        """All Variables of this module and its sub-modules (a tuple, TF's order)."""
        return tuple(self._flatten(predicate=_is_variable))

    @property
    def trainable_variables(self):
        return tuple(self._flatten(predicate=lambda v: _is_variable(v) and v.trainable))

    @property
    def non_trainable_variables(self):
        return tuple(self._flatten(predicate=lambda v: _is_variable(v) and not v.trainable))

    @property
    def submodules(self):
        """Every descendant Module, breadth of own attributes first (TF's order)."""
        return tuple(self._flatten(predicate=lambda m: isinstance(m, Module)))

    def _flatten(self, recursive=True, predicate=None, attribute_traversal_key=None,
                 with_path=False, expand_composites=False):  # fmt: skip
        return list(_flatten_module(self, recursive, predicate, with_path, set()))

    @classmethod
    def with_name_scope(cls, method):
        """Decorator: runs the method inside the module's name scope."""

        @functools.wraps(method)
        def wrapper(self, *args, **kwargs):
            with self.name_scope:
                return method(self, *args, **kwargs)

        return wrapper

    def __repr__(self):
        return f"<{type(self).__module__}.{type(self).__name__} object at 0x{id(self):x}>"


def _module_attrs(module):
    d = vars(module)
    return [
        (k, d[k])
        for k in sorted(d)
        if k not in _IGNORED and k not in getattr(module, "_TF_MODULE_IGNORED_PROPERTIES", ())
    ]


def _flatten_module(module, recursive, predicate, with_path, seen, path=()):
    submodules = []
    for key, value in _module_attrs(module):
        if isinstance(value, Module) or _is_variable(value) or nest.is_nested(value):
            leaves = _leaves_with_paths(value, (key,))
        else:
            continue
        for leaf_path, leaf in leaves:
            if id(leaf) in seen:
                continue
            if predicate(leaf):
                seen.add(id(leaf))
                yield (path + leaf_path, leaf) if with_path else leaf
            if recursive and isinstance(leaf, Module):
                submodules.append((path + leaf_path, leaf))
    for sub_path, sub in submodules:
        yield from _flatten_module(sub, recursive, predicate, with_path, seen, sub_path)


def _leaves_with_paths(value, path):
    if isinstance(value, dict):
        out = []
        for k in sorted(value, key=repr):
            out.extend(_leaves_with_paths(value[k], path + (k,)))
        return out
    if isinstance(value, (list, tuple)):
        out = []
        for i, v in enumerate(value):
            out.extend(_leaves_with_paths(v, path + (i,)))
        return out
    return [(path, value)]
