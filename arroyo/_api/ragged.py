"""`tf.ragged`: ragged-tensor constructors and ops (arroyo/ragged/ragged_ops.py)."""

from arroyo._api._build import populate
from arroyo.ragged.ragged_tensor import RaggedTensor, RaggedTensorSpec  # noqa: F401

populate(globals(), "tf.ragged")
