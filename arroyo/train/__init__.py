"""`tf.train` (this package is both the public namespace and the checkpoint code).

Public names resolve lazily from `arroyo._api.train`, so that importing an internal module
such as `arroyo.train.checkpoint` never hides the namespace.
"""

# tf.train.Example and its parts: protobuf messages (arroyo/proto/example.proto).
_EXAMPLE_PROTOS = ("Example", "Features", "Feature", "BytesList", "FloatList", "Int64List",
                   "FeatureList", "FeatureLists", "SequenceExample")  # fmt: skip


def __getattr__(name):
    if name in _EXAMPLE_PROTOS:
        from arroyo.proto import load

        return getattr(load("example_pb2"), name)
    from arroyo._api import train as _public

    try:
        return getattr(_public, name)
    except AttributeError:
        raise AttributeError(f"module 'tf.train' has no attribute {name!r}") from None


def __dir__():
    from arroyo._api import train as _public

    return sorted({n for n in dir(_public) if not n.startswith("_")} | set(_EXAMPLE_PROTOS))
