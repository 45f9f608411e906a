"""`model.export(path)`: a SavedModel with a `serve` endpoint, through arroyo's saver.

`tf.keras.models.load_model(directory)` (Keras 2) returns the restored object wrapped so it
can be called like the model.
"""

from __future__ import annotations

from arroyo.module.module import Module


class ExportArchive(Module):
    """The SavedModel root: the model (its variables) and `serve`/`__call__` functions."""

    def __init__(self, model, input_signature):
        super().__init__(name="export_archive")
        import arroyo as tf

        self.model = model

        def serve(*args):
            return model(*args, training=False) if _takes_training(model) else model(*args)

        self.serve = tf.function(serve, input_signature=input_signature)


def _takes_training(model):
    import inspect

    call = type(model).__call__
    from arroyo.keras.layers.base import Layer

    if call is Layer.__call__ or getattr(call, "__module__", "").startswith("arroyo."):
        return True
    try:
        params = inspect.signature(call).parameters
    except (TypeError, ValueError):
        return False
    return "training" in params or any(p.kind == p.VAR_KEYWORD for p in params.values())


def default_signature(model):
    import arroyo as tf
    from arroyo.keras.models import functional as fn_api

    if getattr(model, "_arroyo_graph", None):
        return [
            tf.TensorSpec(
                [None if i == 0 else d for i, d in enumerate(t.shape)],
                tf.as_dtype(t.dtype),
                name=t.name,
            )  # fmt: skip
            for t in fn_api._flat_kt(model._arroyo_inputs)
        ]
    shapes = model._build_shapes
    if shapes is None:
        raise ValueError(
            "The model provided has not yet been built. It must be built before export."
        )
    if isinstance(shapes, list) and shapes and isinstance(shapes[0], (list, tuple)):
        return [tf.TensorSpec((None,) + tuple(s[1:]), tf.float32) for s in shapes]
    return [tf.TensorSpec((None,) + tuple(shapes[1:]), tf.float32)]


def export_saved_model(model, filepath, input_signature=None, verbose=True):
    import arroyo as tf

    if input_signature is None:
        input_signature = default_signature(model)
    archive = ExportArchive(model, list(input_signature))
    tf.saved_model.save(archive, filepath, signatures={"serving_default": archive.serve})
    if verbose:
        print(f"Saved artifact at '{filepath}'. The following endpoints are available:\n\n"
              f"* Endpoint 'serve'")  # fmt: skip


class LoadedSavedModel:
    """A SavedModel loaded by `tf.keras.models.load_model`: calling it runs `serve`."""

    def __init__(self, obj):
        self.__dict__["_obj"] = obj

    def __call__(self, *args, **kwargs):
        kwargs.pop("training", None)
        obj = self._obj
        fn = getattr(obj, "serve", None)
        if fn is None:
            fn = obj.signatures["serving_default"]
        return fn(*args, **kwargs)

    def __getattr__(self, name):
        return getattr(self.__dict__["_obj"], name)


def load_saved_model(path):
    import arroyo as tf

    return LoadedSavedModel(tf.saved_model.load(path))
