"""`tf.saved_model`: save and load object graphs in TensorFlow's SavedModel format."""

from arroyo.saved_model.load import LoadOptions, load  # noqa: F401
from arroyo.saved_model.save import SaveOptions, save  # noqa: F401

ASSETS_DIRECTORY = "assets"
ASSETS_KEY = "saved_model_assets"
DEBUG_DIRECTORY = "debug"
DEBUG_INFO_FILENAME_PB = "saved_model_debug_info.pb"
DEFAULT_SERVING_SIGNATURE_DEF_KEY = "serving_default"
SAVED_MODEL_FILENAME_PB = "saved_model.pb"
SAVED_MODEL_FILENAME_PBTXT = "saved_model.pbtxt"
SAVED_MODEL_SCHEMA_VERSION = 1
VARIABLES_DIRECTORY = "variables"
VARIABLES_FILENAME = "variables"
CLASSIFY_METHOD_NAME = "tensorflow/serving/classify"
PREDICT_METHOD_NAME = "tensorflow/serving/predict"
REGRESS_METHOD_NAME = "tensorflow/serving/regress"
SERVING = "serve"
TRAINING = "train"
GPU = "gpu"
TPU = "tpu"


def contains_saved_model(export_dir):
    """True if `export_dir` holds a saved_model.pb (or .pbtxt)."""
    import os

    export_dir = os.fspath(export_dir)
    return os.path.isfile(os.path.join(export_dir, SAVED_MODEL_FILENAME_PB)) or os.path.isfile(
        os.path.join(export_dir, SAVED_MODEL_FILENAME_PBTXT)
    )


def _experimental():
    import types

    from arroyo.saved_model import fingerprinting

    ns = types.ModuleType("tf.saved_model.experimental")
    ns.Fingerprint = fingerprinting.Fingerprint
    ns.read_fingerprint = fingerprinting.read_fingerprint
    return ns


experimental = _experimental()
