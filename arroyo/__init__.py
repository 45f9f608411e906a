"""arroyo: TensorFlow 2's programming model as a light, fast, pure-Python framework.

    import arroyo as tf

Tensors, Variables, GradientTape and the op surface of `tf.*`, `tf.math`, `tf.nn`,
`tf.linalg`, `tf.random` run eagerly on NumPy kernels. Sub-namespaces load on first use.
"""

from __future__ import annotations

from arroyo.util import lazy as _lazy

__version__ = "0.1.0"

from arroyo.framework import dtypes as _dtypes_mod
from arroyo.framework.dtypes import (
    DType,
    as_dtype,
    bfloat16,
    bool,  # noqa: A004 - TF's public name
    complex64,
    complex128,
    double,
    float16,
    float32,
    float64,
    half,
    int8,
    int16,
    int32,
    int64,
    qint8,
    qint16,
    qint32,
    quint8,
    quint16,
    resource,
    string,
    uint8,
    uint16,
    uint32,
    uint64,
    variant,
)
from arroyo.framework.context import executing_eagerly
from arroyo.framework.tensor import Tensor, TensorSpec, convert_to_tensor, is_tensor
from arroyo.framework.tensor_shape import TensorShape
from arroyo.ops.variables import Variable, VariableAggregation, VariableSynchronization
from arroyo.ops.indexed_slices import IndexedSlices
from arroyo.autodiff.tape import GradientTape, UnconnectedGradients, custom_gradient
from arroyo._api.top_level import *  # noqa: F401,F403 - the tf.* functions
from arroyo.framework.device import DeviceSpec, device  # noqa: F401
from arroyo.graph.function import function  # noqa: F401
from arroyo.graph.gradients import gradients  # noqa: F401
from arroyo.module.module import Module  # noqa: F401
from arroyo.module.name_scope import name_scope  # noqa: F401

newaxis = None

from arroyo.framework.memory import tune_malloc as _tune_malloc

_tune_malloc()  # reuse freed tensor memory instead of page-faulting it back (see memory.py)

# Sub-namespaces (tf.math, tf.nn, ...) are modules under arroyo._api, imported lazily.
_LAZY = {
    "math": "arroyo._api.math",
    "nn": "arroyo._api.nn",
    "linalg": "arroyo._api.linalg",
    "random": "arroyo._api.random",
    "bitwise": "arroyo._api.bitwise",
    "config": "arroyo._api.config",
    "debugging": "arroyo._api.debugging",
    "errors": "arroyo.framework.errors",
    "dtypes": "arroyo._api.dtypes",
    "raw_ops": "arroyo._api.raw_ops",
    "nest": "arroyo.util.nest",
    "autodiff": "arroyo.autodiff",
    "experimental": "arroyo._api.experimental",
    "signal": "arroyo._api.signal",
    "sparse": "arroyo._api.sparse",
    "strings": "arroyo._api.strings",
    "as_string": "arroyo.ops.string_ops:as_string",
    "compat": "arroyo.compat",
    "train": "arroyo.train",
    "saved_model": "arroyo.saved_model",
    "autograph": "arroyo._api.autograph",
    "data": "arroyo.data",
    "io": "arroyo._api.io",
    "ragged": "arroyo._api.ragged",
    "summary": "arroyo.summary",
    "distribute": "arroyo.distribute",
    "profiler": "arroyo.profiler",
    "keras": "arroyo.keras",
    "optimizers": "arroyo.keras.optimizers",
    "losses": "arroyo.keras.losses",
    "metrics": "arroyo.keras.metrics",
    # classes, as "module:attribute"
    "SparseTensor": "arroyo.sparse.sparse_tensor:SparseTensor",
    "SparseTensorSpec": "arroyo.sparse.sparse_tensor:SparseTensorSpec",
    "RaggedTensor": "arroyo.ragged.ragged_tensor:RaggedTensor",
    "RaggedTensorSpec": "arroyo.ragged.ragged_tensor:RaggedTensorSpec",
}


def __getattr__(name):
    return _lazy.resolve(__name__, _LAZY, globals(), name)


def __dir__():
    return sorted(set(globals()) | set(_LAZY))
