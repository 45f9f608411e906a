"""TensorFlow's SavedModel format: `tf.saved_model.save` / `tf.saved_model.load`.

Writing and reading needs the optional protobuf runtime (see arroyo.proto).
"""

from arroyo.saved_model.load import load  # noqa: F401
from arroyo.saved_model.save import SaveOptions, save  # noqa: F401
