"""Element structures of tf.data: normalizing Python values, specs, and packing.

Inside arroyo's tf.data an element travels as a flat list of NumPy values (one per
component, in `tf.nest` order); it becomes (nested) EagerTensors only where the user sees
it. Lists are tensors here, as in TF (`from_tensor_slices([1, 2])` slices one tensor);
tuples, namedtuples and dicts are structure.
"""

from __future__ import annotations

import numpy as np

from arroyo.framework import dtypes
from arroyo.framework.tensor import EagerTensor, Tensor, TensorSpec, _wrap, convert_to_tensor
from arroyo.framework.tensor_shape import TensorShape
from arroyo.util import nest

__all__ = ["normalize", "spec_of", "Packer", "to_numpy", "DatasetSpec"]


def _is_structure(x) -> bool:
    return isinstance(x, (tuple, dict)) and not isinstance(x, Tensor)


def normalize(element, dtype=None):
    """Converts the leaves of a tf.data element to tensors (tuples/dicts stay structure)."""
    from arroyo.data.dataset import Dataset

    if isinstance(element, dict):
        return type(element)((k, normalize(v)) for k, v in element.items())
    if isinstance(element, tuple):
        vals = [normalize(v) for v in element]
        if hasattr(element, "_fields"):
            return type(element)(*vals)
        return tuple(vals)
    if isinstance(element, Dataset) or _is_composite(element):
        return element
    if getattr(element, "_is_arroyo_variable", False):
        return element.value()
    if isinstance(element, Tensor):
        return element
    return convert_to_tensor(element, dtype=dtype)


def _is_composite(x) -> bool:
    return hasattr(x, "_to_components") and hasattr(x, "_type_spec")


def is_type_spec(s) -> bool:
    """A composite's spec (SparseTensorSpec, ...): stored as several components."""
    return hasattr(s, "_component_specs") and hasattr(s, "_from_components")


def leaf_components(spec):
    """The TensorSpecs of the components one structure leaf is stored as."""
    if is_type_spec(spec):
        return list(spec._component_specs)
    return [spec]


def component_specs(structure):
    return [c for s in nest.flatten(structure) for c in leaf_components(s)]


def value_components(value):
    """The flat component values of a (normalized) element: composites expand."""
    out = []
    for leaf in nest.flatten(value):
        if _is_composite(leaf):
            out.extend(leaf._to_components())
        else:
            out.append(leaf)
    return out


def pack_components(structure, comps):
    """Rebuilds the structure from its flat components (composites from their parts)."""
    leaves = nest.flatten(structure)
    if len(leaves) == len(comps) and not any(is_type_spec(s) for s in leaves):
        return nest.pack_sequence_as(structure, list(comps))
    out, i = [], 0
    for s in leaves:
        if is_type_spec(s):
            k = len(s._component_specs)
            out.append(s._from_components(list(comps[i : i + k])))
            i += k
        else:
            out.append(comps[i])
            i += 1
    return nest.pack_sequence_as(structure, out)


def spec_of(value):
    """The TensorSpec (or DatasetSpec) describing one normalized leaf."""
    from arroyo.data.dataset import Dataset

    if isinstance(value, Dataset):
        return DatasetSpec(value.element_spec)
    if _is_composite(value):
        return value._type_spec
    return TensorSpec(value.shape, value.dtype)


def to_numpy(t):
    """The NumPy value of an eager tensor leaf (datasets pass through)."""
    if isinstance(t, EagerTensor):
        return t._value
    return t


class DatasetSpec:
    """The spec of a dataset-valued element (what `window` produces)."""

    __slots__ = ("_element_spec", "_shape")

    def __init__(self, element_spec, dataset_shape=()):
        self._element_spec = element_spec
        self._shape = TensorShape(dataset_shape)

    @property
    def element_spec(self):
        return self._element_spec

    @property
    def shape(self):
        return self._shape

    @property
    def dtype(self):
        return dtypes.variant

    def __eq__(self, other):
        return isinstance(other, DatasetSpec) and self._element_spec == other._element_spec

    def __hash__(self):
        return hash(("DatasetSpec", repr(self._element_spec)))

    def __repr__(self):
        return f"DatasetSpec({self._element_spec!r}, TensorShape({self._shape.as_list()}))"


def _np_value(v, is_string):
    # a row of a string array is `bytes`; a string tensor's value is an object array
    if is_string and not isinstance(v, np.ndarray):
        return np.array(v, dtype=object)
    return v


class Packer:
    """Turns flat NumPy components into the user's structure of EagerTensors, fast."""

    __slots__ = ("structure", "flat_specs", "_mode", "_strings", "_datasets", "_composite")

    def __init__(self, structure):
        self.structure = structure
        self._composite = any(is_type_spec(s) for s in nest.flatten(structure))
        self.flat_specs = component_specs(structure)
        self._strings = [
            isinstance(s, TensorSpec) and s.dtype is dtypes.string for s in self.flat_specs
        ]
        self._datasets = any(isinstance(s, DatasetSpec) for s in self.flat_specs)
        if self._composite:
            self._mode = 3
        elif isinstance(structure, (TensorSpec, DatasetSpec)):
            self._mode = 0
        elif type(structure) is tuple and all(
            isinstance(s, TensorSpec) for s in structure
        ):  # fmt: skip
            self._mode = 1
        else:
            self._mode = 2

    def leaf(self, v, i):
        spec = self.flat_specs[i]
        if isinstance(spec, DatasetSpec):
            return v
        return _wrap(_np_value(v, self._strings[i]))

    def pack(self, flat):
        if self._mode == 0:
            return self.leaf(flat[0], 0)
        if self._mode == 1 and not any(self._strings):
            return tuple([_wrap(v) for v in flat])
        if self._mode == 3:
            return pack_components(self.structure, [self.leaf(v, i) for i, v in enumerate(flat)])
        return nest.pack_sequence_as(self.structure, [self.leaf(v, i) for i, v in enumerate(flat)])

    def pack_numpy(self, flat):
        """The structure of NumPy values (`as_numpy_iterator`)."""
        vals = []
        for i, v in enumerate(flat):
            if self._strings[i] and not isinstance(v, (np.ndarray, bytes)):
                v = np.asarray(v, dtype=object)
            if isinstance(v, np.ndarray) and v.ndim == 0 and v.dtype == object:
                v = v[()]
            vals.append(v)
        if self._mode == 0:
            return vals[0]
        if self._mode == 3:
            packed = self.pack(flat)
            return nest.map_structure(_sparse_value, packed)
        return nest.pack_sequence_as(self.structure, vals)


def _sparse_value(x):
    """A composite as NumPy values (TF's SparseTensorValue for sparse tensors)."""
    if _is_composite(x):
        comps = [to_numpy(c) for c in x._to_components()]
        if len(comps) == 3:
            return SparseTensorValue(*comps)
        return comps
    return to_numpy(x)


class SparseTensorValue(tuple):
    """`tf.compat.v1.SparseTensorValue`: (indices, values, dense_shape) as NumPy."""

    def __new__(cls, indices, values, dense_shape):
        return super().__new__(cls, (indices, values, dense_shape))

    indices = property(lambda self: self[0])
    values = property(lambda self: self[1])
    dense_shape = property(lambda self: self[2])

    def __repr__(self):
        return (f"SparseTensorValue(indices={self[0]!r}, values={self[1]!r}, "
                f"dense_shape={self[2]!r})")  # fmt: skip


def np_dtype(spec):
    d = spec.dtype
    return object if d is dtypes.string else d._np


def relax_batch(spec, n):
    """The spec of `n` stacked elements (n None: unknown batch size)."""
    if isinstance(spec, DatasetSpec):
        return spec
    if is_type_spec(spec):
        if type(spec).__name__ != "SparseTensorSpec":
            raise NotImplementedError(f"arroyo's tf.data cannot batch {spec!r} elements yet")
        return spec._with_shape(TensorShape([n]).concatenate(spec.shape))
    return TensorSpec(TensorShape([n]).concatenate(spec.shape), spec.dtype)


def sparse_leaves(structure):
    """Component positions of the SparseTensor leaves: [(first component index, rank)]."""
    out, i = [], 0
    for s in nest.flatten(structure):
        k = len(leaf_components(s))
        if is_type_spec(s):
            out.append((i, s.shape.rank))
        i += k
    return out


def batch_sparse(rows, i):
    """Stacks the SparseTensor stored at components i..i+2 of `rows` (TF's batching: the
    batch index is prepended to the indices, the dense shape is the elementwise maximum)."""
    idx = [np.asarray(r[i]) for r in rows]
    vals = [np.asarray(r[i + 1]) for r in rows]
    shapes = [np.asarray(r[i + 2], dtype=np.int64) for r in rows]
    ranks = {len(sh) for sh in shapes}
    if len(ranks) != 1:
        from arroyo.framework.errors import InvalidArgumentError

        raise InvalidArgumentError(None, None, "Cannot batch SparseTensors of different ranks.")
    rank = ranks.pop()
    batch = np.repeat(np.arange(len(rows), dtype=np.int64), [len(v) for v in vals])
    inner = np.concatenate([x.reshape(-1, rank) for x in idx]) if idx else np.zeros((0, rank))
    indices = np.concatenate([batch[:, None], inner.astype(np.int64)], axis=1)
    values = np.concatenate(vals) if vals else np.zeros(0)
    dense = np.concatenate([[len(rows)], np.max(np.stack(shapes), axis=0)]).astype(np.int64)
    return [indices, values, dense]
