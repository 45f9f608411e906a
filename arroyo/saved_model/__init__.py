"""TensorFlow's SavedModel format: `tf.saved_model.save` / `tf.saved_model.load`.

Writing and reading needs the optional protobuf runtime (see arroyo.proto).
"""

from arroyo.saved_model.load import load  # noqa: F401
from arroyo.saved_model.save import SaveOptions, save  # noqa: F401


def __getattr__(name):
    # `tf.saved_model` is this package; public names come from arroyo._api.saved_model.
    from arroyo._api import saved_model as _public

    try:
        return getattr(_public, name)
    except AttributeError:
        raise AttributeError(f"module 'tf.saved_model' has no attribute {name!r}") from None
