"""`tf.train`: object-based checkpoints in TensorFlow's format."""

from arroyo.train.checkpoint import (  # noqa: F401
    Checkpoint,
    CheckpointManager,
    CheckpointReader,
    get_checkpoint_state,
    latest_checkpoint,
    list_variables,
    load_checkpoint,
    load_variable,
)


class CheckpointOptions:
    """Accepted for API compatibility (arroyo writes one shard, synchronously)."""

    def __init__(self, experimental_io_device=None, experimental_enable_async_checkpoint=False,
                 experimental_write_callbacks=None, enable_async=False, experimental_skip_slot_variables=False,
                 experimental_sharding_callback=None):  # fmt: skip
        self.experimental_io_device = experimental_io_device
        self.enable_async = enable_async or experimental_enable_async_checkpoint


def __getattr__(name):
    if name in ("GradientDescentOptimizer", "AdamOptimizer", "Optimizer"):
        from arroyo.compat.v1 import train as v1train

        return getattr(v1train, name)
    raise AttributeError(f"module 'tf.train' has no attribute {name!r}")
