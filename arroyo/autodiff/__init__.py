"""`tf.autodiff` (this package is both the public namespace and the tape code)."""


def __getattr__(name):
    if name in ("GradientTape", "UnconnectedGradients"):
        from arroyo.autodiff import tape

        return getattr(tape, name)
    raise AttributeError(f"module 'tf.autodiff' has no attribute {name!r}")
