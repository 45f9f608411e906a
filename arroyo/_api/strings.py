"""`tf.strings`: string ops (arroyo/ops/string_ops.py), loaded on first use."""

from arroyo._api._build import populate

populate(globals(), "tf.strings")
