"""`tf.data`: input pipelines (`Dataset`, readers, iterators).

ds = tf.data.Dataset.from_tensor_slices((images, labels)).shuffle(1000).batch(32)
for x, y in ds: ...
"""

from arroyo.data import experimental
from arroyo.data.dataset import (
    AUTOTUNE,
    INFINITE_CARDINALITY,
    UNKNOWN_CARDINALITY,
    Dataset,
    DatasetV2,
    NumpyIterator,
    Options,
    OwnedIterator,
)
from arroyo.data.iterator_ops import Iterator, IteratorSpec, Optional
from arroyo.data.readers import FixedLengthRecordDataset, TextLineDataset, TFRecordDataset
from arroyo.data.structure import DatasetSpec

ThreadingOptions = Options

__all__ = [
    "AUTOTUNE", "INFINITE_CARDINALITY", "UNKNOWN_CARDINALITY", "Dataset", "DatasetSpec",
    "FixedLengthRecordDataset", "Iterator", "IteratorSpec", "NumpyIterator", "Options",
    "OwnedIterator", "TFRecordDataset", "TextLineDataset", "ThreadingOptions", "experimental",
    "DatasetV2", "Optional",
]  # fmt: skip
