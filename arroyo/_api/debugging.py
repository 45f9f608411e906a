"""`tf.debugging`: assembled from the op modules' TF_API declarations."""

from types import SimpleNamespace as _Namespace

from arroyo._api._build import populate

populate(globals(), "tf.debugging")


def _dump_debug_info(*args, **kwargs):
    """Accepted for compatibility: arroyo writes no tfdbg dumps."""


experimental = _Namespace(
    enable_dump_debug_info=_dump_debug_info, disable_dump_debug_info=_dump_debug_info
)
